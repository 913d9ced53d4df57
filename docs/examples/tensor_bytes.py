"""Prints one tensor's raw bytes from a safetensors checkpoint — a file, or
a sharded directory with model.safetensors.index.json — using only the
standard library:  python3 docs/examples/tensor_bytes.py tiny-llama NAME > NAME.bin"""
import json
import os
import struct
import sys

path, name = sys.argv[1], sys.argv[2]
if os.path.isdir(path):
    with open(os.path.join(path, "model.safetensors.index.json")) as index:
        path = os.path.join(path, json.load(index)["weight_map"][name])
with open(path, "rb") as file:
    (length,) = struct.unpack("<Q", file.read(8))
    begin, end = json.loads(file.read(length))[name]["data_offsets"]
    file.seek(8 + length + begin)
    sys.stdout.buffer.write(file.read(end - begin))
