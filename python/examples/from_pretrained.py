#!/usr/bin/env python3
"""Load a checkpoint directory written by `weightinit generate --config …
--max-shard-size …` the way a Hugging Face user would, and say what loaded.

    python3 python/examples/from_pretrained.py tiny-llama

With transformers (and torch) importable: `from_pretrained(directory,
output_loading_info=True)` offline, printing the loading info (missing,
unexpected and mismatched keys — all empty for a complete checkpoint) and
the number of parameters. Without them, it says so and checks what needs no
framework: the index's `weight_map` names exactly the tensors the shards'
headers hold, and `metadata.total_size` is the sum of their data bytes.
Exit status 1 when the checkpoint is incomplete.
"""

import importlib.util
import json
import os
import struct
import sys


def check_without_frameworks(directory):
    """The index against the shards' headers; returns a list of problems."""
    index_path = os.path.join(directory, "model.safetensors.index.json")
    if not os.path.exists(index_path):
        shards = {"model.safetensors": None}
        weight_map = None
    else:
        with open(index_path) as f:
            index = json.load(f)
        weight_map = index["weight_map"]
        shards = {name: None for name in sorted(set(weight_map.values()))}
    problems, names, data_bytes = [], {}, 0
    for shard in shards:
        with open(os.path.join(directory, shard), "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            names[name] = shard
            begin, end = entry["data_offsets"]
            data_bytes += end - begin
    if weight_map is not None:
        if weight_map != names:
            problems.append("the index's weight_map and the shards' headers disagree")
        if index["metadata"]["total_size"] != data_bytes:
            problems.append("metadata.total_size is not the shards' data bytes")
    print(f"{len(names)} tensors, {data_bytes} bytes of data in {len(shards)} file(s)")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: from_pretrained.py DIRECTORY")
    directory = sys.argv[1]
    if importlib.util.find_spec("transformers") and importlib.util.find_spec("torch"):
        from transformers import AutoModel, AutoModelForCausalLM, AutoConfig

        config = AutoConfig.from_pretrained(directory, local_files_only=True)
        causal = any(a.endswith("ForCausalLM") or a.endswith("LMHeadModel") for a in config.architectures or [])
        loader = AutoModelForCausalLM if causal else AutoModel
        model, info = loader.from_pretrained(directory, output_loading_info=True, local_files_only=True)
        print(info)
        print(f"{type(model).__name__}: {sum(p.numel() for p in model.parameters())} parameters")
        incomplete = any(info[key] for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"))
        sys.exit(1 if incomplete else 0)
    print("transformers and torch are not importable here (pip install torch transformers to load it);"
          " checking the index and the shards' headers instead")
    problems = check_without_frameworks(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
