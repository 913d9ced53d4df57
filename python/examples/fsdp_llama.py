"""A tiny Llama built on the meta device, sharded with FSDP2's fully_shard over
2 ranks (gloo, CPU), to_empty()'d and initialised by weightinit.init_module
on every rank — then gathered and compared with a single-process run.

    python python/examples/fsdp_llama.py

Needs torch and transformers. Every rank fills only its own shards (no
communication); the gathered tensors are byte-identical to init_module on
the whole model, and to `weightinit generate --config config.json --seed 0`.
"""
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from transformers import LlamaConfig, LlamaForCausalLM

import weightinit

CONFIG = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False)


def rank(index, world, store, output):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + store, rank=index, world_size=world)
    with torch.device("meta"):
        model = LlamaForCausalLM(CONFIG)
    mesh = init_device_mesh("cpu", (world,))
    for layer in model.model.layers:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")
    report = weightinit.init_module(model, "hf-llama", seed=0)  # variables from model.config
    if index == 0:
        print(str(report).splitlines()[0])
    full = {name: t.full_tensor() for name, t in model.state_dict().items()}  # a collective: every rank calls it
    if index == 0:
        torch.save(full, output)
    dist.destroy_process_group()


if __name__ == "__main__":
    scratch = tempfile.mkdtemp()
    output = os.path.join(scratch, "gathered.pt")
    mp.spawn(rank, args=(2, os.path.join(scratch, "store"), output), nprocs=2)
    gathered = torch.load(output)

    single = LlamaForCausalLM(CONFIG)
    weightinit.init_module(single, "hf-llama", seed=0)
    for name, tensor in single.state_dict().items():
        assert torch.equal(gathered[name], tensor), name
    print("2 ranks: %d tensors gathered, identical to a single-process init_module" % len(gathered))
