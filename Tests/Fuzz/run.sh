#!/usr/bin/env bash
# Fuzzes the .npy and .safetensors readers and the spec parser with
# libFuzzer + AddressSanitizer.
#   Tests/Fuzz/run.sh [RUNS] [libFuzzer flags…]   (default 200000 inputs; exits non-zero on a finding)
#   Tests/Fuzz/run.sh -1 -max_total_time=900      (15 minutes, however many inputs)
# The seed corpus is made of valid files written by the library (see
# make_seeds below) plus hand-made edge cases; crashes land in
# Tests/Fuzz/artifacts/ as crash-<sha1>.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs="${1:-200000}"
shift || true

# -parse-as-library: the target has no main.swift (libFuzzer provides main).
swift build -c release --product ReaderFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
binary="$(swift build -c release --show-bin-path)/ReaderFuzz"

corpus=.corpus
mkdir -p "$corpus" artifacts
python3 - "$corpus" <<'PY'
import struct, sys, json, os
out = sys.argv[1]
def st(tensors, metadata=None, data=b""):
    h = dict(tensors)
    if metadata is not None: h["__metadata__"] = metadata
    j = json.dumps(h, separators=(",", ":")).encode()
    j += b" " * ((8 - (8 + len(j)) % 8) % 8)
    return struct.pack("<Q", len(j)) + j + data
def npy(descr, shape, data):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    h = (d + " " * pad + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data
seeds = {
    "st-f32": st({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, {"seed": "1"}, b"\0" * 16),
    "st-two": st({"a": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
                  "b": {"dtype": "F64", "shape": [1], "data_offsets": [6, 14]}}, None, b"\1" * 14),
    "st-f16-empty": st({"h": {"dtype": "F16", "shape": [0], "data_offsets": [0, 0]}}),
    "st-escapes": st({"w\u00e9\"\\": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}, {"k\n": "\ud83d\ude00"}, b"\0\0"),
    "npy-f32": npy("<f4", [2, 3], b"\0" * 24),
    "npy-f8": npy("<f8", [1], b"\0" * 8),
    "npy-f2-3d": npy("<f2", [1, 2, 1], b"\0" * 4),
    "json-nested": b"[[[[{\"a\":[1,-2.5e3,true,null,\"x\"]}]]]]",
    # Bare headers: the harness also frames its input as each format's header.
    "header-st": b'{"w":{"dtype":"F32","shape":[4,4],"data_offsets":[0,64]},"__metadata__":{"k":"v"}}',
    "header-st-two": b'{"a":{"dtype":"F16","shape":[8],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[24],"data_offsets":[16,64]}}',
    "header-npy": b"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }",
    # Specs (weightinit generate --spec): every kind of scheme and key.
    "spec-mlp": open("../../docs/examples/mlp-lstm.json", "rb").read(),
    "spec-kinds": json.dumps({"seed": 3, "layout": "keras", "dtype": "f16", "tensors": [
        {"name": "c", "shape": [4], "scheme": "constant", "value": 65504},
        {"name": "t", "shape": [3, 3], "scheme": "truncated-normal", "std": 2, "sigmas": 3, "dtype": "f32"},
        {"name": "o", "shape": [8, 4], "scheme": "orthogonal", "gain": 2, "blocks": 2, "method": "qr"},
        {"name": "d", "shape": [3, 3, 4, 8], "scheme": "dirac", "groups": 2, "shard-dim": None},
        {"name": "k", "shape": [5, 7], "scheme": "kaiming-normal", "mode": "fan-out", "nonlinearity": "leaky-relu",
         "negative-slope": 0.2, "truncated": True, "stream": 7, "layout": [0, 1]},
        {"name": "s", "shape": [6, 6], "scheme": "sparse", "sparsity": 0.5, "seed": 18446744073709551615}]}).encode(),
}
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
PY

# -rss_limit_mb: an input that makes a reader allocate far beyond its own
# size is a finding. -max_len: headers and small tensors fit. readers.dict
# holds the formats' tokens, so mutations build plausible headers.
# SWIFT_BACKTRACE=enable=no: a Swift trap goes straight to libFuzzer's
# crash handler (the runtime's own backtracer trips AddressSanitizer).
SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -dict=readers.dict -runs="$runs" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=artifacts/ -print_final_stats=1 "$@"
