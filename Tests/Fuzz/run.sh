#!/usr/bin/env bash
# Fuzzes with libFuzzer + AddressSanitizer:
#   ReaderFuzz (default): the .npy and .safetensors readers and the spec parser;
#   ModelFuzz: rules files, globs and regexes on names, config.json, and the
#              C ABI's scheme text (weightinit_scheme_parse).
#   Tests/Fuzz/run.sh [ReaderFuzz|ModelFuzz] [RUNS] [libFuzzer flags…]
#       (default 200000 inputs; exits non-zero on a finding)
#   Tests/Fuzz/run.sh ModelFuzz -1 -max_total_time=900   (15 minutes, however many inputs)
# The seed corpus is made of valid files written by the library (see
# make_seeds below) plus hand-made edge cases; crashes land in
# Tests/Fuzz/artifacts/ as crash-<sha1>.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
target=ReaderFuzz
case "${1:-}" in ReaderFuzz|ModelFuzz) target="$1"; shift ;; esac
runs="${1:-200000}"
shift || true

# -parse-as-library: the target has no main.swift (libFuzzer provides main).
swift build -c release --product "$target" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
binary="$(swift build -c release --show-bin-path)/$target"
mkdir -p artifacts

if [ "$target" = ModelFuzz ]; then
    corpus=.corpus-model
    mkdir -p "$corpus"
    # Seeds: the first byte chooses the surface (0 rules, 1 config, 2 glob
    # and name, 3 regex and name, 4 scheme text); see ModelFuzz.swift.
    python3 - "$corpus" <<'PY'
import glob, json, os, re, sys
out = sys.argv[1]
seeds = {}
# The curated rule sets, as the library holds them (raw Swift strings: #"""…"""#).
source = open("../../Sources/WeightInitModels/Rules/BuiltinRuleSets.swift").read()
for i, text in enumerate(re.findall(r'#"""\n(.*?)\n\s*"""#', source, re.S)):
    seeds["rules-builtin-%d" % i] = b"\0" + text.encode()
seeds["rules-parts"] = b"\0" + json.dumps({"description": "d", "variables": {"std": 0.02, "pad": 1},
    "rules": [{"match": "*embed*.weight", "scheme": "normal", "std": "std / sqrt(2 * n_layer)",
               "parts": [{"rows": ["pad", "pad + 1"], "scheme": "zeros", "when": "pad"}]},
              {"regex": "(.*)\\.(weight|bias)", "rank": [1, 2], "unless-exists": {"name": "$1.x", "rank": 1},
               "scheme": "kaiming-normal", "nonlinearity": "leaky-relu", "negative-slope": 0.2, "fan-of": "$1.weight"},
              {"match": "*", "scheme": "orthogonal", "gain": 2, "dtype": "f16", "layout": "keras"}]}).encode()
# Configs: the recorded ones.
for path in sorted(glob.glob("../WeightInitModelsTests/Manifests/*.json")):
    config = json.load(open(path)).get("config")
    if isinstance(config, dict):
        seeds["config-" + os.path.basename(path)] = b"\1" + json.dumps(config).encode()
seeds["config-llama-example"] = b"\1" + open("../../docs/examples/llama-config.json", "rb").read()
for name, pattern, subject in [
        ("glob", "*.layers.?.*_proj.weight", "model.layers.3.q_proj.weight"),
        ("glob-stars", "*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac")]:
    seeds["pattern-" + name] = b"\2" + pattern.encode() + b"\0" + subject.encode()
for name, pattern, subject in [
        ("rnn", r"(?:(.*)\.)?(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?", "lstm.weight_ih_l0_reverse"),
        ("bounded", "a{0,10}a{2,3}(b|c)*?[^\\d\\s]+", "aaaabcbcxy"),
        ("classes", r"[\w.&&[^_]]+\p{L}\b\D(?i:ab)|x$", "é.K\u212a\u0663x"),
        ("lazy", r"(a+?)(a*)(?<n>b)??", "aaa")]:
    seeds["regex-" + name] = b"\3" + pattern.encode() + b"\0" + subject.encode()
for name, text in [
        ("kaiming", "kaiming-normal --mode fan-out --nonlinearity leaky-relu --negative-slope 0.2"),
        ("truncated", "truncated-normal --mean 1 --std 0.5 --low 0 --high 2"),
        ("orthogonal", "orthogonal --gain 1.5 --blocks 2 --method qr"),
        ("sparse", "sparse --sparsity 0.25 --std 0.01"),
        ("variance", "variance-scaling --scale 2 --mode fan-avg --distribution truncated-normal"),
        ("quoted", "normal --std '1e-3' --mean=-0.5"),
        ("dirac", "dirac --groups 2")]:
    seeds["scheme-" + name] = b"\4" + text.encode()
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
PY
    # -max_len: rules files and configs are a few kilobytes.
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -dict=models.dict -runs="$runs" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix=artifacts/ -print_final_stats=1 "$@"
    exit
fi

corpus=.corpus
mkdir -p "$corpus"
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
