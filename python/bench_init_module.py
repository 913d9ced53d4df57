"""Benchmark (not a test) of weightinit.init_module, issue 23: the 246M-parameter
LlamaForCausalLM (hidden 1024, 16 layers, vocab 32000), in one process and
in the same run:

- the constructor, LlamaForCausalLM(config) on the CPU (allocation and
  Hugging Face's initialisation);
- model.init_weights() on the model built on meta and to_empty()'d (what
  post_init skips on meta; its _is_hf_initialized marks are cleared before
  each repetition, or a second call would do nothing);
- weightinit.init_module(model, "hf-llama") on the same model;

and FSDP2 over 2 gloo ranks (fully_shard per layer and at the root, on meta,
to_empty): reset_parameters() of every module that has one (nn.Linear,
nn.Embedding; RMSNorm has none) on the shards vs init_module on the shards,
one thread per rank, the slower rank's time.

    flock -x /work/locks/quiet python python/bench_init_module.py [--repeat 3]

Prints the best of --repeat for each and the ratios, with the CPU's model
name and flags; init_weights() and init_module alternate, and each pair's
ratio is printed too (the machine is shared: a burst of load elsewhere then
falls on both sides).
"""
import argparse
import os
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import weightinit

SHAPE = dict(vocab_size=32000, hidden_size=1024, intermediate_size=2304, num_hidden_layers=16,
             num_attention_heads=16, num_key_value_heads=16, tie_word_embeddings=False)


def config():
    from transformers import LlamaConfig

    return LlamaConfig(**SHAPE)


def on_meta():
    from transformers import LlamaForCausalLM

    with torch.device("meta"):
        return LlamaForCausalLM(config())


def best(function, repeat, before=lambda: None):
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def clear_marks(model):
    for thing in list(model.modules()) + list(model.parameters()) + list(model.buffers()):
        if hasattr(thing, "_is_hf_initialized"):
            delattr(thing, "_is_hf_initialized")


def fsdp_rank(rank, world, store, repeat, output):
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + store, rank=rank, world_size=world)
    model = on_meta()
    mesh = init_device_mesh("cpu", (world,))
    for layer in model.model.layers:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")
    resettable = [m for m in model.modules() if callable(getattr(m, "reset_parameters", None))]

    def timed(function):
        results = []
        for _ in range(repeat):
            dist.barrier()
            start = time.perf_counter()
            function()
            elapsed = torch.tensor([time.perf_counter() - start])
            dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
            results.append(float(elapsed))
        return min(results)

    def reset():
        with torch.no_grad():
            for module in resettable:
                module.reset_parameters()

    times = {"reset_parameters": timed(reset),
             "init_module": timed(lambda: weightinit.init_module(model, "hf-llama", seed=0, threads=1))}
    if rank == 0:
        torch.save(times, output)
    dist.destroy_process_group()


def cpu():
    name, flags = "?", ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name") and name == "?":
                name = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1].split()
    wanted = ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "f16c", "sse4_2"]
    return "%s, %d cores, flags: %s" % (name, os.cpu_count(), " ".join(f for f in wanted if f in flags))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    from transformers import LlamaForCausalLM

    print(cpu())
    print("torch %s, %d threads; weightinit %s (%s)" % (torch.__version__, torch.get_num_threads(),
                                                       weightinit.__version__, weightinit.library_path()))
    constructor = best(lambda: LlamaForCausalLM(config()), max(1, arguments.repeat - 1))
    model = on_meta()
    model.to_empty(device="cpu")
    parameters = sum(p.numel() for p in model.parameters())
    # Interleaved, so that a burst of load from elsewhere falls on both sides alike; each pair's ratio is kept.
    probe = model.model.layers[0].mlp.up_proj.weight
    pairs = []
    for _ in range(arguments.repeat):
        with torch.no_grad():
            probe.zero_()
        theirs = best(model.init_weights, 1, before=lambda: clear_marks(model))
        assert abs(float(probe.detach().std()) - 0.02) < 1e-3, "init_weights did not run"
        with torch.no_grad():
            probe.zero_()
        mine = best(lambda: weightinit.init_module(model, "hf-llama", seed=0), 1)
        assert abs(float(probe.detach().std()) - 0.02) < 1e-3, "init_module did not run"
        pairs.append((theirs, mine))
    init_weights, ours = min(p[0] for p in pairs), min(p[1] for p in pairs)
    ratios = sorted(theirs / mine for theirs, mine in pairs)
    print("LlamaForCausalLM, %.1fM parameters, float32; best of %d" % (parameters / 1e6, arguments.repeat))
    print("  constructor          %6.3f s" % constructor)
    print("  model.init_weights() %6.3f s" % init_weights)
    print("  init_module          %6.3f s  (%.2f G values/s)" % (ours, parameters / ours / 1e9))
    print("  init_module is %.1fx init_weights(), %.1fx the constructor (best against best)"
          % (init_weights / ours, constructor / ours))
    print("  init_weights()/init_module of each interleaved pair: %s (median %.1fx)"
          % (" ".join("%.1f" % r for r in ratios), ratios[len(ratios) // 2]))

    scratch = tempfile.mkdtemp()
    output = os.path.join(scratch, "times.pt")
    mp.spawn(fsdp_rank, args=(2, os.path.join(scratch, "store"), arguments.repeat, output), nprocs=2)
    times = torch.load(output)
    print("FSDP2, 2 gloo ranks, 1 thread each (the slower rank):")
    print("  reset_parameters() on the shards %6.3f s" % times["reset_parameters"])
    print("  init_module on the shards        %6.3f s" % times["init_module"])
    print("  init_module is %.1fx reset_parameters()" % (times["reset_parameters"] / times["init_module"]))


if __name__ == "__main__":
    main()
