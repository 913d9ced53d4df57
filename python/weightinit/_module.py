"""weightinit.init_module: a whole torch.nn.Module filled in place by rules,
by state_dict() name — plain, meta-built-then-to_empty()'d, or sharded as
DTensors (FSDP2's fully_shard, tensor parallelism, both on a 2-D mesh) —
with the bytes `weightinit generate` writes for the same rules and seed.

How: one model plan (weightinit.models.Plan) of every parameter and
persistent buffer, by its state_dict() name, with its global shape and its
dtype; then each tensor's memory — for a DTensor its local shard, located in
the global tensor by DTensor's own compute_local_shape_and_global_offset —
is filled as that block of the whole tensor (fans from the global shape).
No communication: every rank fills what it holds, and the gathered full
tensors are the same for any world size or mesh.
"""
from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ._text import VALUE_LIMIT, escaped, shown, type_name


@dataclass
class ModuleTensor:
    """One tensor of an init_module report.

    - name: its state_dict() name (a tied tensor: the first name).
    - tied: the other names of the same tensor (filled once, by `name`).
    - shape, dtype: the whole (global) tensor's; a plan dtype name.
    - scheme, parts: what the rules give it (parts as (region, scheme)); None
      for a tensor no rule covers (skip_unmatched=True: left alone).
    - local: for a sharded tensor (DTensor), the blocks of the whole tensor
      this rank holds, (((start, stop), …), …) — one, except where DTensor
      interleaves rows; () for an empty shard; None for a plain tensor.
    - placement: how it is held: "tensor", "DTensor(Shard(0), Replicate()) on mesh (2, 2)".
    """

    name: str
    tied: Tuple[str, ...]
    shape: Tuple[int, ...]
    dtype: str
    scheme: Optional[str]
    parts: Tuple[Tuple[Tuple[Tuple[int, int], ...], str], ...]
    local: Optional[Tuple[Tuple[int, int], ...]]
    placement: str

    def describe(self) -> str:
        """The tensor's lines of the report; names escaped (a module's names may hold control characters)."""
        shape = "×".join(map(str, self.shape)) or "scalar"
        text = "%s  %s %s  " % (escaped(self.name), shape, self.dtype)
        text += self.scheme if self.scheme is not None else "(no rule: left as it is)"
        for region, scheme in self.parts:
            text += "\n    part [%s]: %s" % (", ".join("%d:%d" % b for b in region), scheme)
        if self.local is not None:
            held = " and ".join("[%s]" % ", ".join("%d:%d" % b for b in block) for block in self.local)
            text += "\n    %s; this rank holds %s" % (self.placement, held or "nothing")
        if self.tied:
            text += "\n    tied: %s (the same tensor, filled once)" % ", ".join(map(escaped, self.tied))
        return text


class ModuleReport(List[ModuleTensor]):
    """What init_module did (or, with dry_run=True, would do): one
    ModuleTensor per distinct tensor, in state_dict() order; str() of it is a
    table a person can read."""

    rules: str = ""
    seed: int = 0
    filled: bool = False

    def __str__(self) -> str:
        head = "%s %d tensors with rules %s, seed %d" % ("filled" if self.filled else "would fill (dry run)",
                                                         sum(1 for t in self if t.scheme is not None), self.rules,
                                                         self.seed)
        skipped = sum(1 for t in self if t.scheme is None)
        if skipped:
            head += "; %d left alone (no rule)" % skipped
        return "\n".join([head] + [t.describe() for t in self])

    def __repr__(self) -> str:
        return "<ModuleReport of %d tensors, %s>" % (len(self), "filled" if self.filled else "dry run")


_DTENSOR = None


def _dtensor_class(torch):
    """torch.distributed.tensor.DTensor, or None where torch has no distributed support."""
    global _DTENSOR
    if _DTENSOR is None:
        try:
            from torch.distributed.tensor import DTensor
        except Exception:  # a build of torch without distributed
            DTensor = type("NoDTensor", (), {})
        _DTENSOR = DTensor
    return _DTENSOR


def _walk(module):
    """(name, tensor) of every parameter and persistent buffer, in
    state_dict() order — each module's own parameters, then its persistent
    buffers, then its children's — with every name of a shared tensor. Read
    from the modules themselves, not through state_dict(), whose hooks
    (FSDP's, a model's own) may change what it returns."""
    out = []

    def visit(prefix, current):
        for name, value in current._parameters.items():
            if value is not None:
                out.append((prefix + name, value))
        non_persistent = getattr(current, "_non_persistent_buffers_set", set())
        for name, value in current._buffers.items():
            if value is not None and name not in non_persistent:
                out.append((prefix + name, value))
        for name, child in current._modules.items():
            if child is not None:
                visit(prefix + name + ".", child)

    visit("", module)
    return out


def _placement_text(tensor):
    mesh = tensor.device_mesh
    return "DTensor(%s) on mesh %s" % (", ".join(str(p) for p in tensor.placements), tuple(mesh.shape))


def _dimension_runs(tensor, torch):
    """For each dimension of DTensor `tensor`, the global indices this rank
    holds as runs [(global start, global stop, local start), …]; None when
    this rank is not part of the tensor's mesh.

    The indices are DTensor's own: a 1-D arange of the dimension's length is
    distributed with the tensor's placements on that dimension (Shard(d) —
    or the _StridedShard FSDP2 puts over a tensor-parallel shard — becomes
    the same placement of dimension 0, every other placement Replicate())
    with src_data_rank=None, which splits each rank's own copy without any
    communication; its local part is the indices. So uneven shards, empty
    shards and shards of shards are placed exactly as DTensor places them."""
    from torch.distributed.tensor import Replicate, Shard, distribute_tensor

    mesh = tensor.device_mesh
    if mesh.get_coordinate() is None:
        return None
    def sharding(placement):  # Shard(d) and _StridedShard(d, sf) (not a Shard subclass): d; else None
        return placement.dim if placement.is_shard() or hasattr(placement, "split_factor") else None

    for placement in tensor.placements:
        if sharding(placement) is None and not placement.is_replicate():
            raise ValueError("its placement %s holds no block of the tensor's values (Partial holds summands): "
                             "only Shard and Replicate placements can be filled" % placement)
    runs = []
    for dim, length in enumerate(tensor.shape):
        placements = []
        sharded = False
        for placement in tensor.placements:
            if sharding(placement) == dim:
                split = getattr(placement, "split_factor", None)  # _StridedShard's
                placements.append(Shard(0) if split is None else type(placement)(0, split_factor=split))
                sharded = True
            else:
                placements.append(Replicate())
        if not sharded:
            runs.append([(0, length, 0)])
            continue
        indices = distribute_tensor(torch.arange(length), mesh, placements, src_data_rank=None).to_local().tolist()
        dim_runs = []
        for position, index in enumerate(indices):
            if dim_runs and dim_runs[-1][1] == index:
                begin, _, local = dim_runs[-1]
                dim_runs[-1] = (begin, index + 1, local)
            else:
                dim_runs.append((index, index + 1, position))
        runs.append(dim_runs)
    return runs


def _local_blocks(tensor, torch):
    """(local tensor, [(region, local slices), …]) of a DTensor's shard: each
    block of the whole tensor it holds (one for Shard/Replicate placements and
    for FSDP2 over tensor parallelism; several only where DTensor interleaves
    rows) and where it lies in the local tensor. The regions are None when
    this rank holds nothing of it."""
    local = tensor.to_local()
    runs = _dimension_runs(tensor, torch)
    if runs is None:
        return local, None
    expected = tuple(sum(stop - start for start, stop, _ in dim_runs) for dim_runs in runs)
    if tuple(local.shape) != expected:
        raise ValueError("its local tensor has shape %s where DTensor places a shard of shape %s"
                         % (tuple(local.shape), expected))
    blocks = []
    for combination in itertools.product(*runs):
        region = tuple((start, stop) for start, stop, _ in combination)
        where = tuple(slice(at, at + stop - start) for start, stop, at in combination)
        blocks.append((region, where))
    return local, blocks


def _refusal(name, tensor, torch):
    """Why `tensor` (a plain tensor or a DTensor's local shard) cannot be
    filled, or None."""
    if tensor.device.type == "meta":
        return ("%s is on the meta device, which holds no memory: call module.to_empty(device=\"cpu\") (or the "
                "device it runs on) first, then init_module" % name)
    if tensor.device.type not in ("cpu", "cuda"):
        return "%s is on %s: CPU and CUDA tensors can be filled" % (name, tensor.device)
    if tensor.layout != torch.strided:
        return "%s is a %s tensor: only dense (strided) tensors can be filled" % (name, tensor.layout)
    if not tensor.is_contiguous():
        return ("%s is not contiguous (shape %s, stride %s): make it contiguous (param.data = param.data.contiguous()) "
                "first" % (name, tuple(tensor.shape), tuple(tensor.stride())))
    if tensor.is_inference() and not torch.is_inference_mode_enabled():
        return "%s is an inference tensor: call init_module inside torch.inference_mode(), or on a clone" % name
    return None


def _fill(plan, name, target, region, threads, torch):
    """`target` (a tensor, or a view of a local shard) filled with the plan's
    tensor `name` (its block `region`): directly when it is contiguous CPU
    memory, else through a host buffer and one copy (CUDA — untested here,
    no GPU — and a view of interleaved rows)."""
    if target.device.type == "cpu" and target.is_contiguous():
        plan.fill(name, target, region=region, threads=threads)
        return
    host = torch.empty(target.shape, dtype=target.dtype, device="cpu")
    plan.fill(name, host, region=region, threads=threads)
    target.copy_(host)


def init_module(module, rules, *, seed=0, variables=None, skip_unmatched=False, dry_run=False, threads=None):
    """See weightinit.init_module."""
    import torch

    from . import models
    from ._core import WeightInitValueError, _threads

    if not isinstance(module, torch.nn.Module):
        raise TypeError("module must be a torch.nn.Module, not %s" % type_name(module))
    if not isinstance(dry_run, bool):
        raise TypeError("dry_run must be a bool, not %s" % type_name(dry_run))
    _threads(threads)  # checked before anything is planned or written, in a dry run too
    config = getattr(module, "config", None)
    is_hf_config = config is not None and callable(getattr(config, "to_dict", None)) and hasattr(config, "model_type")
    if rules is None:
        if not is_hf_config:
            raise ValueError("rules=None takes the rule set of a Hugging Face model's family (hf-llama, hf-gpt2, "
                             "hf-bert), and this module has no config: name a rule set, a rules file or give a dict")
        rules = "hf-%s" % config.model_type
    if variables is None and is_hf_config:
        variables = config
    DTensor = _dtensor_class(torch)

    # Every distinct tensor, by its first state_dict() name.
    first = {}
    entries = []
    for name, tensor in _walk(module):
        key = id(tensor)
        if key in first:
            entries[first[key]][2].append(name)
            continue
        first[key] = len(entries)
        entries.append([name, tensor, []])

    listed = []
    for name, tensor, _ in entries:
        try:
            dtype = models.dtype_name(tensor.dtype)
        except ValueError:
            raise TypeError("%s is %s: init_module fills float32, float64, float16, bfloat16 and the int64, int32, "
                            "uint8 and bool buffers rules cover" % (shown(name), tensor.dtype)) from None
        listed.append((name, tuple(tensor.shape), dtype))
    # A tied tensor's other names are planned too (not filled): another rule may take its fans from one of
    # them (torch-defaults' b.bias from b.weight when b.weight is a.weight).
    # If the plan with them fails (a tied name no rule covers), the plan without them decides, as before.
    aliases = [(alias, shape, dtype) for (_, _, tied), (_, shape, dtype) in zip(entries, listed) for alias in tied]

    # The plan: every name covered (or skipped), every scheme valid for its shape and dtype.
    try:
        plan = models.Plan(rules, listed + aliases, seed=seed, variables=variables, skip_unmatched=skip_unmatched)
    except WeightInitValueError:
        if not aliases:
            raise
        plan = models.Plan(rules, listed, seed=seed, variables=variables, skip_unmatched=skip_unmatched)
    rules_shown = escaped(rules, VALUE_LIMIT) if isinstance(rules, str) else "(given as %s)" % type_name(rules)

    # Then each tensor's memory: all checked before any is written.
    report = ModuleReport()
    report.rules, report.seed = rules_shown, seed
    jobs = []
    for name, tensor, tied in entries:
        planned = plan[name] if name in plan else None
        local, blocks, placement = tensor, None, "tensor"
        if isinstance(tensor, DTensor):
            placement = _placement_text(tensor)
            if planned is not None:
                try:
                    local, blocks = _local_blocks(tensor, torch)
                except ValueError as error:
                    raise ValueError("%s: %s" % (shown(name), error)) from None
            else:
                local = tensor.to_local()
        report.append(ModuleTensor(
            name, tuple(tied), tuple(tensor.shape), models.dtype_name(tensor.dtype),
            planned.scheme if planned is not None else None,
            tuple((p.region, p.scheme) for p in planned.parts) if planned is not None else (),
            None if blocks is None else tuple(region for region, _ in blocks), placement))
        if planned is None or dry_run:
            continue
        if isinstance(tensor, DTensor) and blocks is None:
            continue  # a rank outside the tensor's mesh holds none of it
        problem = _refusal(shown(name), local, torch)
        if problem is not None:
            raise ValueError(problem + " (nothing was written to any tensor)")
        jobs.append((name, local, blocks))
    if dry_run:
        plan.close()
        return report

    with plan, torch.no_grad():
        for name, local, blocks in jobs:
            if local.numel() == 0:
                continue  # an empty shard (FSDP2 on more ranks than rows)
            if blocks is None:
                _fill(plan, name, local, None, threads, torch)
                continue
            for region, where in blocks:
                _fill(plan, name, local[where] if len(blocks) > 1 else local, region, threads, torch)
    report.filled = True
    return report
