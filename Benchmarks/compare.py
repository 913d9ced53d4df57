#!/usr/bin/env python3
"""Compare weightinit's fill throughput with numpy (and PyTorch / JAX when installed).

Runs `weightinit bench --json` twice (one thread, then every core) for our
numbers and times the closest equivalent fill of each library on the same
shape and dtype (float32), best of --repeat runs, then prints one table of
G values/s and ratios ours ÷ theirs, with the machine it ran on.

The equivalents (what a user of that library would write):

    uniform           numpy  Generator.random(dtype=float32, out=buf)      U[0, 1)
    normal            numpy  Generator.standard_normal(dtype=float32, out=buf)
    truncated-normal  scipy  truncnorm.rvs(-2, 2) (float64 only) -> float32
    xavier-uniform    numpy  Generator.uniform(-a, a) (float64 only) -> float32
    kaiming-normal    numpy  standard_normal(float32, out=buf); buf *= std
    orthogonal        numpy  linalg.qr of a float32 Gaussian, sign(diag R) fix
    torch             torch.nn.init.<scheme>_ on torch.empty(shape)
    jax               jax.random / jax.nn.initializers, block_until_ready()

numpy's generators run on one thread, as do PyTorch's CPU init functions, so
the one-thread ratio is the like-for-like one; the all-cores column shows what
parallel fills add. numpy's linalg.qr uses its BLAS/LAPACK with its own
threads.

Usage: python3 Benchmarks/compare.py [--weightinit PATH] [--shape 4096,4096]
                                     [--orthogonal-shape 1024,1024] [--repeat 5]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

SCHEMES = ["uniform", "normal", "truncated-normal", "xavier-uniform", "kaiming-normal", "orthogonal"]


def best_of(repeat, fill):
    """Shortest wall-clock time of `repeat` calls of `fill`, in seconds."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fill()
        best = min(best, time.perf_counter() - start)
    return best


def fans(shape):
    """PyTorch fans of an (out, in, kernel...) shape."""
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def numpy_fills(shape, orthogonal_shape):
    """{scheme: (library, shape, fill)} for numpy and scipy."""
    rng = np.random.default_rng(0)
    buf = np.empty(shape, dtype=np.float32)
    fan_in, fan_out = fans(shape)
    xavier_bound = math.sqrt(6 / (fan_in + fan_out))
    kaiming_std = math.sqrt(2) / math.sqrt(fan_in)

    def kaiming():
        rng.standard_normal(dtype=np.float32, out=buf)
        np.multiply(buf, np.float32(kaiming_std), out=buf)

    def orthogonal():
        rows, cols = orthogonal_shape[0], math.prod(orthogonal_shape[1:])
        g = rng.standard_normal((rows, cols), dtype=np.float32)
        q, r = np.linalg.qr(g if rows >= cols else g.T)
        q *= np.sign(np.diag(r))
        return q if rows >= cols else q.T

    fills = {
        "uniform": ("numpy random(float32)", shape, lambda: rng.random(dtype=np.float32, out=buf)),
        "normal": ("numpy standard_normal(float32)", shape, lambda: rng.standard_normal(dtype=np.float32, out=buf)),
        "xavier-uniform": ("numpy uniform -> float32", shape,
                           lambda: rng.uniform(-xavier_bound, xavier_bound, size=shape).astype(np.float32)),
        "kaiming-normal": ("numpy standard_normal * std", shape, kaiming),
        "orthogonal": ("numpy linalg.qr", orthogonal_shape, orthogonal),
    }
    try:
        from scipy.stats import truncnorm
        fills["truncated-normal"] = ("scipy truncnorm -> float32", shape,
                                     lambda: truncnorm.rvs(-2, 2, size=shape, random_state=rng).astype(np.float32))
    except ImportError:
        fills["truncated-normal"] = None
    return fills


def torch_fills(shape, orthogonal_shape):
    try:
        import torch
    except ImportError:
        return None
    init = torch.nn.init
    t = torch.empty(shape, dtype=torch.float32)
    o = torch.empty(orthogonal_shape, dtype=torch.float32)
    return {
        "uniform": ("torch uniform_", shape, lambda: init.uniform_(t)),
        "normal": ("torch normal_", shape, lambda: init.normal_(t)),
        "truncated-normal": ("torch trunc_normal_", shape, lambda: init.trunc_normal_(t, a=-2, b=2)),
        "xavier-uniform": ("torch xavier_uniform_", shape, lambda: init.xavier_uniform_(t)),
        "kaiming-normal": ("torch kaiming_normal_", shape, lambda: init.kaiming_normal_(t, nonlinearity="relu")),
        "orthogonal": ("torch orthogonal_", orthogonal_shape, lambda: init.orthogonal_(o)),
    }


def jax_fills(shape, orthogonal_shape):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    key = jax.random.PRNGKey(0)
    inits = jax.nn.initializers
    # Keras/JAX layout is (in, out); the element count is what matters here.
    def timed(f, s):
        return lambda: f(key, s, jnp.float32).block_until_ready()
    return {
        "uniform": ("jax random.uniform", shape, timed(jax.random.uniform, shape)),
        "normal": ("jax random.normal", shape, timed(jax.random.normal, shape)),
        "truncated-normal": ("jax random.truncated_normal", shape,
                             lambda: jax.random.truncated_normal(key, -2, 2, shape, jnp.float32).block_until_ready()),
        "xavier-uniform": ("jax glorot_uniform", shape, timed(inits.glorot_uniform(), shape)),
        "kaiming-normal": ("jax he_normal", shape, timed(inits.he_normal(), shape)),
        "orthogonal": ("jax orthogonal", orthogonal_shape, timed(inits.orthogonal(), orthogonal_shape)),
    }


def ours(binary, shape, orthogonal_shape, repeat, threads):
    arguments = [binary, "bench", "--json", "--shape", shape, "--orthogonal-shape", orthogonal_shape,
                 "--repeat", str(repeat), "--dtype", "f32"]
    if threads is not None:
        arguments += ["--threads", str(threads)]
    run = subprocess.run(arguments, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"compare.py: {' '.join(arguments)} failed: {run.stderr.strip()}")
    return json.loads(run.stdout)


def machine():
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    wanted = ["sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "asimd"]
    return model, [f for f in wanted if f in flags], os.cpu_count()


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weightinit", default=os.path.join(root, ".build", "release", "weightinit"),
                        help="the weightinit binary (default: .build/release/weightinit)")
    parser.add_argument("--shape", default="4096,4096")
    parser.add_argument("--orthogonal-shape", default="1024,1024")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not os.access(args.weightinit, os.X_OK):
        sys.exit(f"compare.py: no weightinit binary at {args.weightinit}; "
                 "build it with `swift build -c release --product weightinit` or pass --weightinit")

    shape = tuple(int(d) for d in args.shape.split(","))
    orthogonal_shape = tuple(int(d) for d in args.orthogonal_shape.split(","))
    single = ours(args.weightinit, args.shape, args.orthogonal_shape, args.repeat, 1)
    parallel = ours(args.weightinit, args.shape, args.orthogonal_shape, args.repeat, None)
    single_by = {r["scheme"]: r for r in single["results"]}
    parallel_by = {r["scheme"]: r for r in parallel["results"]}

    libraries = [("numpy", numpy_fills(shape, orthogonal_shape))]
    notes = []
    for name, make in [("torch", torch_fills), ("jax", jax_fills)]:
        fills = make(shape, orthogonal_shape)
        if fills is None:
            notes.append(f"{name}: not importable, skipped")
        else:
            libraries.append((name, fills))

    model, flags, cores = machine()
    print(f"machine: {model}; {cores} cores; flags: {' '.join(flags)}")
    print(f"weightinit: {args.weightinit}; kernel path {single['machine']['kernel_path']}; "
          f"numpy {np.__version__}; python {sys.version.split()[0]}")
    print(f"float32, shape {args.shape} (orthogonal {args.orthogonal_shape}), best of {args.repeat}; "
          "Gv/s = 10^9 values per second; ratio = ours ÷ theirs (> 1: ours faster)")
    for note in notes:
        print(note)
    print()

    header = ["scheme", "ours 1 thr", f"ours {cores} thr"]
    for name, _ in libraries:
        header += [f"{name}", "ratio 1 thr", f"ratio {cores} thr", f"{name} method"]
    rows = []
    for scheme in SCHEMES:
        s, p = single_by[scheme], parallel_by[scheme]
        row = [scheme, f"{s['gvalues_per_s']:.3f}", f"{p['gvalues_per_s']:.3f}"]
        for name, fills in libraries:
            entry = fills.get(scheme)
            if entry is None:
                row += ["-", "-", "-", "unavailable"]
                continue
            method, their_shape, fill = entry
            fill()  # warm up: allocation, page faults, lazy imports
            seconds = best_of(args.repeat, fill)
            theirs = math.prod(their_shape) / seconds / 1e9
            row += [f"{theirs:.3f}", f"{s['gvalues_per_s'] / theirs:.2f}", f"{p['gvalues_per_s'] / theirs:.2f}", method]
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(c.ljust(w) if i in (0, len(r) - 1) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    print()
    print("memset of the same bytes (ours, same run): "
          + ", ".join(f"{r['scheme']} {r['ratio_to_memset']:.3f}x" for r in parallel["results"])
          + f"  (fill throughput / memset throughput, {cores} threads)")
    print("bits-only, the Philox words on the same path (ours, same run): "
          + ", ".join(f"{r['scheme']} {r['ratio_to_bits']:.3f}x" for r in parallel["results"] if r["scheme"] != "bits")
          + f"  (fill values/s / bits words/s, {cores} threads, path {parallel['machine']['kernel_path']})")


if __name__ == "__main__":
    main()
