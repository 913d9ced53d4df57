"""Whole models by rules, over the C ABI's model plans (ABI 1.1): a plan maps
every tensor of a model — named as `state_dict()` names it — to the scheme a
rule set gives it, its parts (blocks with schemes of their own, such as an
LSTM's forget-gate bias) and fans taken from another tensor applied, and
fills any tensor, or any block of one, with the bytes `weightinit generate`
writes into its checkpoint for the same rules and seed.

    from weightinit.models import Plan

    plan = Plan("torch-defaults", [("fc.weight", (10, 512), "f32"), ("fc.bias", (10,), "f32")], seed=3)
    print(plan["fc.weight"].scheme)        # 'kaiming-uniform … --fan-in 512 …'
    w = plan.fill("fc.weight")             # a new numpy array, (10, 512) float32
    plan.fill("fc.weight", out=torch_tensor[2:4], region=((2, 4), (0, 512)))   # a block of it

    llama = Plan.from_config("config.json", seed=3)   # every tensor of a Hugging Face config (hf-llama rules)

A tensor's values depend only on the plan's seed, its name, its scheme and
its shape (stream format 3: the stream and Philox key come from the name),
not on which other tensors the plan holds — so a plan of one tensor, of a
state_dict, of a config and `weightinit generate --like/--config` agree
byte for byte on every tensor they share (fans taken from another tensor
need that tensor in the plan).

`weightinit.init_module` (PyTorch modules, sharded ones included) is built on
this module.
"""
from __future__ import annotations

import ctypes
import json
import math
import numbers
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Sequence, Tuple

from . import _library as L
from ._core import (INT64, _dims, _fill_block, _finish, _integer, _raise, _staged, _text,
                    _threads, _unsigned, parse, target)
from ._text import escaped, shown, type_name

# The plan's dtype names, as `weightinit generate --dtype` and the C enum spell them.
DTYPES = ("f32", "f64", "f16", "bf16", "i64", "i32", "u8", "bool")
_CODES = {name: code for code, name in enumerate(DTYPES)}
_ALIASES = {
    "float32": "f32", "float": "f32", "float64": "f64", "double": "f64", "float16": "f16", "half": "f16",
    "bfloat16": "bf16", "int64": "i64", "long": "i64", "int32": "i32", "int": "i32", "uint8": "u8", "bool": "bool",
    "bool_": "bool",
}
_SCHEME_CODES = (L.F32, L.F64, L.F16, L.BF16)  # what the ABI 1.0 fills take
_NUMPY = {"f32": "float32", "f64": "float64", "f16": "float16", "i64": "int64", "i32": "int32", "u8": "uint8",
          "bool": "bool"}


def dtype_name(dtype) -> str:
    """The plan's name ("f32", "bf16", "i64", …) of a dtype given as that
    name, numpy's or torch's name ("float32", "bfloat16", "int64"), a numpy
    dtype or a torch dtype."""
    if isinstance(dtype, str):
        text = dtype
    else:
        text = getattr(dtype, "name", None) if not _is_torch_dtype(dtype) else str(dtype).rsplit(".", 1)[-1]
        if text is None:
            try:
                import numpy as np

                text = np.dtype(dtype).name
            except Exception:
                raise TypeError("a dtype must be a str (%s), a numpy or a torch dtype, not %s"
                                % (", ".join(DTYPES), type_name(dtype))) from None
    name = text if text in _CODES else _ALIASES.get(text)
    if name is None:
        raise ValueError("dtype %s is not one a plan's tensor can have (%s, or numpy's and torch's names of them)"
                         % (shown(text), ", ".join(DTYPES)))
    return name


def _is_torch_dtype(value):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.dtype)


@dataclass(frozen=True)
class Part:
    """A block of a planned tensor written over the tensor's own values:
    `region` is ((start, stop), …) per dimension; the block draws from its
    own scheme, Philox key (`seed`) and stream, as a tensor of the block's
    shape (its fans are the block's unless its scheme gives them)."""

    region: Tuple[Tuple[int, int], ...]
    scheme: str
    seed: int
    stream: int


@dataclass(frozen=True)
class PlannedTensor:
    """What a plan does for one tensor: its whole `shape` and `dtype` (a
    name of DTYPES), the `scheme` as `weightinit generate` takes it (every
    parameter written out, fans from "fan-of" as --fan-in/--fan-out), the
    Philox key (`seed`, weightinit_name_seed of the name and the plan's seed)
    and `stream` (weightinit.name_stream of the name), and its `parts`."""

    name: str
    shape: Tuple[int, ...]
    dtype: str
    scheme: str
    seed: int
    stream: int
    parts: Tuple[Part, ...]

    def describe(self) -> str:
        """One line (and one more per part) a person can read; the name
        escaped (a state_dict's names may hold control characters)."""
        line = "%s %s %s: %s" % (escaped(self.name), "×".join(map(str, self.shape)) or "scalar", self.dtype, self.scheme)
        for part in self.parts:
            where = ", ".join("%d:%d" % bounds for bounds in part.region)
            line += "\n    [%s]: %s" % (where, part.scheme)
        return line


def _names_and_shapes(tensors):
    """(name, shape, dtype name) of each entry of `tensors`: (name, shape,
    dtype) triples, or a mapping of names to objects with .shape and .dtype
    (a state_dict, numpy arrays)."""
    if isinstance(tensors, Mapping):
        entries = []
        for name, value in tensors.items():
            if not hasattr(value, "shape") or not hasattr(value, "dtype"):
                raise TypeError("the value of %s must have .shape and .dtype (a tensor or an array), not %s"
                                % (shown(name), type_name(value)))
            entries.append((name, tuple(value.shape), value.dtype))
    else:
        if isinstance(tensors, (str, bytes)):
            raise TypeError("tensors must be a list of (name, shape, dtype) or a state_dict, not a %s"
                            % type_name(tensors))
        try:
            entries = list(tensors)
        except TypeError:
            raise TypeError("tensors must be a list of (name, shape, dtype) or a state_dict, not %s"
                            % type_name(tensors)) from None
    out = []
    for position, entry in enumerate(entries):
        try:
            name, shape, dtype = entry
        except (TypeError, ValueError):
            raise TypeError("tensor %d must be (name, shape, dtype), not %s" % (position, shown(entry))) from None
        _text(name, "tensor %d's name" % position)
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
            raise TypeError("the shape of %s must be a sequence of ints, not %s" % (shown(name), type_name(shape)))
        dims = tuple(_integer(d, "dimension %d of %s" % (i, shown(name)), INT64) for i, d in enumerate(shape))
        out.append((name, dims, dtype_name(dtype) if dtype is not None else None))
    return out


def variables_json(variables) -> Optional[bytes]:
    """The variables rules read, as the JSON object text the C ABI takes:
    None; a dict (its top-level numbers, booleans and nulls — other values
    are not variables and are left out); a JSON object's text; or a Hugging
    Face config (its to_dict())."""
    if variables is None:
        return None
    if isinstance(variables, str):
        return _text(variables, "variables")
    if not isinstance(variables, Mapping) and callable(getattr(variables, "to_dict", None)):
        variables = variables.to_dict()
    if not isinstance(variables, Mapping):
        raise TypeError("variables must be a dict, a JSON object's text or a Hugging Face config, not %s"
                        % type_name(variables))
    kept = {}
    for key, value in variables.items():
        if not isinstance(key, str):
            raise TypeError("a variable's name must be a str, not %s" % type_name(key))
        if value is None or isinstance(value, bool):
            kept[key] = value
        elif isinstance(value, numbers.Integral):
            kept[key] = int(value)
        elif isinstance(value, numbers.Real):
            number = float(value)
            if not math.isfinite(number):
                raise ValueError("variable %s is %r: rules read finite numbers" % (shown(key), number))
            kept[key] = number
    return json.dumps(kept).encode("utf-8")


def _json(value, name, **options) -> bytes:
    """`value` as JSON text; a NaN or infinity in it (which json.dumps would
    write as NaN/Infinity, text no JSON reader takes) is a ValueError."""
    try:
        return json.dumps(value, allow_nan=False, **options).encode("utf-8")
    except ValueError:
        raise ValueError("%s hold a value that is not a finite number (NaN or infinity), which JSON cannot write"
                         % name) from None


def rules_text(rules) -> bytes:
    """The rules as the C ABI takes them: a built-in set's name, a rules
    file's path (a str holding '/' or ending in .json, or an os.PathLike), a
    rules file's JSON text, or the rules as a dict (written as that text)."""
    if isinstance(rules, Mapping):
        return _json(rules, "rules")
    if isinstance(rules, os.PathLike):
        return _text(os.path.abspath(os.fspath(rules)), "rules")
    if not isinstance(rules, str):
        raise TypeError("rules must be a rule set's name, a rules file's path, its JSON text or a dict, not %s"
                        % type_name(rules))
    return _text(rules, "rules")


def _library():
    return L.load()[0]


class Plan:
    """A model's initialisation, planned once by libweightinit (see the
    module's docstring). Immutable; any thread may query and fill it at
    once. Freed when closed (`close()`, or a `with` block) or collected.

    Plan(rules, tensors, *, seed=0, variables=None, dtype=None, skip_unmatched=False)

    - rules: a built-in rule set's name ("torch-defaults", "hf-llama",
      "hf-gpt2", "hf-bert", "torchvision-resnet"; `weightinit rules` lists
      them), a rules file's path, its JSON text, or the rules as a dict.
    - tensors: (name, shape, dtype) triples — dtype None for the one the
      rule gives, else f32 — or a state_dict (names to tensors or arrays).
    - seed: 0 … 2⁶⁴ − 1, as `--seed`.
    - variables: what rules read (initializer_range, pad_token_id): a dict,
      a JSON object's text or a Hugging Face config; None for the rule
      set's defaults.
    - dtype: a floating-point dtype for every floating-point tensor (as
      `--dtype`); None keeps each tensor's.
    - skip_unmatched: leave out the tensors no rule applies to; otherwise
      such a tensor is a WeightInitValueError naming it.
    """

    def __init__(self, rules, tensors, *, seed: int = 0, variables=None, dtype=None, skip_unmatched: bool = False):
        self._handle = None
        library = _library()
        rules_c = rules_text(rules)
        variables_c = variables_json(variables)
        seed = _unsigned(seed, "seed", 64)
        override = L.DTYPE_DEFAULT if dtype is None else _CODES[dtype_name(dtype)]
        if not isinstance(skip_unmatched, bool):
            raise TypeError("skip_unmatched must be a bool, not %s" % type_name(skip_unmatched))
        entries = _names_and_shapes(tensors)
        array = (L.PlanTensor * max(len(entries), 1))()
        keep = []
        for slot, (name, shape, code) in zip(array, entries):
            encoded = name.encode("utf-8")
            dims = (ctypes.c_int64 * max(len(shape), 1))(*shape)
            keep.append((encoded, dims))
            slot.name, slot.rank, slot.shape = encoded, len(shape), dims
            slot.dtype = L.DTYPE_DEFAULT if code is None else _CODES[code]
        handle = ctypes.c_void_p()
        status = library.weightinit_plan_create(rules_c, variables_c, array, len(entries), seed, override,
                                                L.PLAN_SKIP_UNMATCHED if skip_unmatched else 0, ctypes.byref(handle))
        if status != L.OK:
            _raise(status)
        self._adopt(library, handle)

    @classmethod
    def from_config(cls, config, *, rules=None, seed: int = 0, dtype=None) -> "Plan":
        """The plan of every tensor a Hugging Face config describes (llama,
        gpt2, bert; in state_dict() order, tied weights once), as `weightinit
        generate --config` writes them. config: a config.json's path, its
        JSON text, a dict, or a transformers config object. rules: None for
        the family's own set (hf-llama, hf-gpt2, hf-bert), or as Plan takes
        them; the config's top-level numbers, booleans and nulls are the
        variables."""
        library = _library()
        if isinstance(config, os.PathLike):
            text = _text(os.path.abspath(os.fspath(config)), "config")
        elif isinstance(config, str):
            text = _text(config, "config")
        elif isinstance(config, Mapping):
            text = _json(dict(config), "config", default=str)
        elif callable(getattr(config, "to_json_string", None)):
            text = _text(config.to_json_string(use_diff=False), "config")
        else:
            raise TypeError("config must be a path, JSON text, a dict or a transformers config, not %s"
                            % type_name(config))
        rules_c = None if rules is None else rules_text(rules)
        seed = _unsigned(seed, "seed", 64)
        override = L.DTYPE_DEFAULT if dtype is None else _CODES[dtype_name(dtype)]
        handle = ctypes.c_void_p()
        status = library.weightinit_plan_create_from_config(text, rules_c, seed, override, ctypes.byref(handle))
        if status != L.OK:
            _raise(status)
        plan = cls.__new__(cls)
        plan._handle = None
        plan._adopt(library, handle)
        return plan

    def _adopt(self, library, handle):
        self._library = library
        self._handle = handle
        count = ctypes.c_size_t()
        self._check(library.weightinit_plan_count(handle, ctypes.byref(count)))
        self._tensors = []
        self._index = {}
        for index in range(count.value):
            info = L.TensorInfo()
            self._check(library.weightinit_plan_tensor_info(handle, index, ctypes.byref(info)))
            parts = []
            for number in range(info.part_count):
                part = L.PartInfo()
                self._check(library.weightinit_plan_part_info(handle, index, number, ctypes.byref(part)))
                region = tuple((part.region_start[d], part.region_stop[d]) for d in range(part.rank))
                parts.append(Part(region, part.scheme.decode("utf-8"), part.seed, part.stream))
            tensor = PlannedTensor(info.name.decode("utf-8"), tuple(info.shape[d] for d in range(info.rank)),
                                   DTYPES[info.dtype], info.scheme.decode("utf-8"), info.seed, info.stream,
                                   tuple(parts))
            self._index[tensor.name] = index
            self._tensors.append(tensor)

    def _check(self, status):
        if status != L.OK:
            _raise(status)

    def close(self) -> None:
        """Frees the library's plan (weightinit_plan_free); the queries made
        already stay valid (they are copies), fills raise."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None:
            self._library.weightinit_plan_free(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Plan":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- queries

    def __len__(self) -> int:
        return len(self._tensors)

    def __iter__(self) -> Iterator[PlannedTensor]:
        return iter(self._tensors)

    def __contains__(self, name) -> bool:
        return name in self._index

    @property
    def names(self) -> Tuple[str, ...]:
        """The planned tensors' names, in the order given (a config's: state_dict() order)."""
        return tuple(t.name for t in self._tensors)

    def __getitem__(self, name: str) -> PlannedTensor:
        """What applies to the tensor `name` (KeyError if the plan has none)."""
        try:
            return self._tensors[self._index[name]]
        except (KeyError, TypeError):
            raise KeyError("the plan has no tensor named %s" % shown(name)) from None

    def describe(self) -> str:
        """Every tensor's line (PlannedTensor.describe), one after another."""
        return "\n".join(t.describe() for t in self._tensors)

    # ---- fills

    def fill(self, name: str, out=None, *, region=None, threads: Optional[int] = None):
        """Fills `out` (a writable C-contiguous numpy array or contiguous CPU
        torch tensor of the tensor's dtype) with the tensor `name` — or with
        its block `region`, ((start, stop), …) or a tuple of slices, one per
        dimension, `out` having the block's shape — and returns it; with
        out=None, a new numpy array (bf16 needs ml_dtypes). The bytes are
        those `weightinit generate` writes for the tensor (that block of
        them): parts applied, fans from the whole tensor. Nothing is written
        on error."""
        if self._handle is None:
            raise ValueError("the plan is closed")
        planned = self[name] if isinstance(name, str) else self[_text(name, "name")]
        if region is None:
            shape = planned.shape
            starts = stops = None
        else:
            starts, stops = _region_bounds(region, planned)
            shape = tuple(b - a for a, b in zip(starts, stops))
        if out is None:
            out = _new_array(planned.dtype, shape)
        address, size, code, out_shape = target(out, integers=True)
        # A torch view with the negation bit reads its memory negated: filled through a plain tensor
        # that torch copies in (as weightinit.fill does), so that it reads back as the values.
        staged = _staged(out)
        if staged is not None:
            address = staged.data_ptr()
        if DTYPES[code] != planned.dtype:
            raise TypeError("%s is %s in the plan, and `out` is %s"
                            % (shown(planned.name), planned.dtype, DTYPES[code]))
        if tuple(out_shape) != shape and not (shape == () and tuple(out_shape) in ((), (1,))):
            what = "its block %s" % _shown_region(starts, stops) if region is not None else "it"
            raise ValueError("%s has shape %s and `out` %s: %s needs an `out` of shape %s"
                             % (shown(planned.name), shown(planned.shape), shown(tuple(out_shape)), what, shown(shape)))
        workers = _threads(threads)
        if size == 0:
            return out
        rank = len(planned.shape)
        if not planned.parts and code in _SCHEME_CODES:
            # One scheme over the whole tensor: the ABI 1.0 fill the header gives as its equivalent
            # (the scheme text, the tensor's key and stream, torch layout), which writes straight into
            # `out` — the plan's fill goes through a chunk buffer (~35 % slower on the 246M Llama) —
            # and, from 2^22 elements, runs cancellably so that Ctrl-C stops it before it writes.
            full = planned.shape or (1,)
            start = tuple(starts) if starts is not None else (0,) * len(full)
            stop = tuple(stops) if stops is not None else full
            _fill_block(lambda: _finish(out, staged), parse(planned.scheme), address, size, code, full, start, stop,
                        L.LAYOUT_TORCH, 0, 0, planned.seed, planned.stream, workers)
            return out
        if starts is None:
            status = self._library.weightinit_plan_fill(self._handle, planned.name.encode("utf-8"), address, size, code,
                                                        0, None, None, workers)
        else:
            status = self._library.weightinit_plan_fill(
                self._handle, planned.name.encode("utf-8"), address, size, code, rank,
                _dims(tuple(starts)), _dims(tuple(stops)), workers)
        if status != L.OK:
            _raise(status)
        _finish(out, staged)
        return out


def _shown_region(starts, stops):
    return "[%s]" % ", ".join("%d:%d" % pair for pair in zip(starts, stops))


def _region_bounds(region, planned):
    """(starts, stops) of `region`: ((start, stop), …) or slices, one per dimension of `planned`."""
    if isinstance(region, (str, bytes)) or not hasattr(region, "__iter__"):
        raise TypeError("region must be ((start, stop), …) or a tuple of slices, not %s" % type_name(region))
    bounds = list(region)
    if len(bounds) != len(planned.shape):
        raise ValueError("region has %d dimensions and %s has %d"
                         % (len(bounds), shown(planned.name), len(planned.shape)))
    starts, stops = [], []
    for axis, (bound, length) in enumerate(zip(bounds, planned.shape)):
        if isinstance(bound, slice):
            if bound.step not in (None, 1):
                raise ValueError("region's slice on dimension %d has a step: blocks are contiguous" % axis)
            start, stop, _ = bound.indices(length)
        else:
            try:
                start, stop = bound
            except (TypeError, ValueError):
                raise TypeError("region's dimension %d must be (start, stop) or a slice, not %s"
                                % (axis, shown(bound))) from None
            start = _integer(start, "region's start on dimension %d" % axis, INT64)
            stop = _integer(stop, "region's stop on dimension %d" % axis, INT64)
        if stop <= start:
            raise ValueError("region's dimension %d, %d:%d, is empty: a block holds at least one element on every "
                             "dimension" % (axis, start, stop))
        starts.append(start)
        stops.append(stop)
    # The library refuses a block outside the tensor or empty (INVALID_REGION) with its message.
    return starts, stops


def _new_array(dtype, shape):
    import numpy as np

    if dtype == "bf16":
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("a bf16 tensor needs an `out` (a torch.bfloat16 tensor, or an ml_dtypes.bfloat16 array): "
                            "ml_dtypes is not importable") from None
        return np.empty(shape, dtype=ml_dtypes.bfloat16)
    return np.empty(shape, dtype=_NUMPY[dtype])


__all__ = ["Plan", "PlannedTensor", "Part", "DTYPES", "dtype_name", "variables_json", "rules_text"]
