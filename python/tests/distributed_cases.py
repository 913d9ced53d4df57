"""The ranks of the distributed init_module tests (test_init_module_distributed.py):
run by torch.multiprocessing.spawn with gloo on CPU, each builds the same
model on the meta device, shards it (FSDP2's fully_shard, tensor parallelism,
or both on a 2-D mesh), to_empty()s it, fills it with weightinit.init_module,
gathers every tensor whole (DTensor.full_tensor) and rank 0 saves them.

Imported by the spawned processes by name (this directory is on their
sys.path, which spawn passes on), so it holds only what they need.
"""
import os

import torch
import torch.distributed as dist
from torch import nn

SEED = 11
INPUT = torch.tensor([[0, 3, 12, 5], [7, 7, 1, 2]])


class Net(nn.Module):
    """Uneven on purpose: 7 rows over 2 and 4 ranks (4+3, 2+2+2+1), the head's 3
    rows over 4 ranks (one rank holds an empty shard), 13 embedding rows."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(13, 6)
        self.up = nn.Linear(6, 7)
        self.down = nn.Linear(7, 6)
        self.norm = nn.LayerNorm(6)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        return self.head(self.norm(self.down(torch.relu(self.up(self.embed(x))))))


def tensor_parallel(model, mesh):
    """Megatron-style: up column-wise (weight and bias Shard(0)), down row-wise
    (weight Shard(1), bias replicated), the embedding row-wise (Shard(0)... by
    torch's RowwiseParallel on an Embedding: Shard(0) of the table); head and
    norm stay plain tensors."""
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    return parallelize_module(model, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel(),
                                            "embed": RowwiseParallel()})


def build(layout, world):
    """The model of `layout` on the meta device, sharded over `world` ranks."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        model = Net()
    if layout == "fsdp":
        mesh = init_device_mesh("cpu", (world,))
        for child in (model.up, model.down, model.head):
            fully_shard(child, mesh=mesh)
        fully_shard(model, mesh=mesh)
    elif layout == "tp":
        tensor_parallel(model, init_device_mesh("cpu", (world,)))
    elif layout == "fsdp+tp":
        mesh = init_device_mesh("cpu", (2, world // 2), mesh_dim_names=("dp", "tp"))
        tensor_parallel(model, mesh["tp"])
        fully_shard(model, mesh=mesh["dp"])
    else:
        raise ValueError(layout)
    model.to_empty(device="cpu")
    return model


def gathered(model):
    """Every state_dict tensor whole (a collective: every rank calls it)."""
    from torch.distributed.tensor import DTensor

    out = {}
    for name, tensor in model.state_dict().items():
        out[name] = (tensor.full_tensor() if isinstance(tensor, DTensor) else tensor).detach().clone()
    return out


def rank_main(rank, world, layouts, store, output):
    """One rank: for each layout, build, init_module, gather; rank 0 saves
    {layout: {name: tensor}} and the reports' local blocks to `output`."""
    import weightinit

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + store, rank=rank, world_size=world)
    try:
        results, blocks = {}, {}
        for layout in layouts:
            model = build(layout, world)
            report = weightinit.init_module(model, "torch-defaults", seed=SEED, threads=1)
            results[layout] = gathered(model)
            if layout == "fsdp":  # what FSDP2's all-gather feeds the forward is what was filled
                results[layout]["forward()"] = model(INPUT).detach().clone()
            blocks[layout] = [None] * world
            dist.all_gather_object(blocks[layout], {t.name: (t.local, t.placement) for t in report})
        if rank == 0:
            torch.save({"tensors": results, "blocks": blocks}, output + ".tmp")
            os.replace(output + ".tmp", output)
        dist.barrier()
    finally:
        dist.destroy_process_group()
