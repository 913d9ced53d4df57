"""Benchmark (not a test): weightinit's Python fills against torch.nn.init and
numpy on this machine, and the per-call overhead of a small fill.

    WEIGHTINIT_LIBRARY=.build/release/libWeightInitC.so python python/bench.py [--size 8192] [--repeat 5] [--sparse]

Times are the best of --repeat runs (wall clock, perf_counter), so ratios
compare each side at its best; take them on a quiet machine. torch is used
when importable (its default thread count, and 1 thread); numpy is one
thread (default_rng().standard_normal(out=...) then a multiply, as a user
would write kaiming_normal_ in numpy).
"""
import argparse
import math
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import weightinit  # noqa: E402
from weightinit import _core, _library  # noqa: E402
from weightinit import init  # noqa: E402

try:
    import torch
except ImportError:  # the table then has no torch rows
    torch = None


def best(function, repeat, number=1):
    """Best time per call of `function`, over `repeat` runs of `number` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return " ".join(f for f in ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
                                                "avx512vl", "avx512dq", "avx512_fp16"] if f in flags)
    except OSError:
        pass
    return "?"


def model_name():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=8192, help="n for the n × n float32 tensor (default 8192)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sparse", action="store_true",
                        help="only sparse_ (sparsity 0.1) against our normal_ and torch's sparse_, in process")
    args = parser.parse_args()
    n = args.size
    std = math.sqrt(2.0 / n)  # kaiming_normal_ defaults: leaky_relu with a=0, fan_in = n

    print("CPU: %s, %d cores; flags: %s" % (model_name(), os.cpu_count(), cpu_flags()))
    print("library: %s (WEIGHTINIT_ISA=%s)" % (weightinit.library_path(), os.environ.get("WEIGHTINIT_ISA", "auto")))
    print("numpy %s%s" % (np.__version__, ", torch %s (%d threads)" % (torch.__version__, torch.get_num_threads())
                                           if torch else ", torch not importable"))
    print()
    if args.sparse:
        return sparse(n, args.repeat)

    rows = []
    a = np.empty((n, n), np.float32)
    ours = best(lambda: init.kaiming_normal_(a, seed=1), args.repeat)
    rows.append(("weightinit kaiming_normal_, numpy array, every core", ours))
    rows.append(("weightinit kaiming_normal_, numpy array, 1 thread",
                 best(lambda: init.kaiming_normal_(a, seed=1, threads=1), args.repeat)))
    if torch is not None:
        t = torch.empty(n, n)
        rows.append(("weightinit kaiming_normal_, torch tensor, every core",
                     best(lambda: init.kaiming_normal_(t, seed=1), args.repeat)))
        theirs = best(lambda: torch.nn.init.kaiming_normal_(t), args.repeat)
        rows.append(("torch.nn.init.kaiming_normal_, %d threads" % torch.get_num_threads(), theirs))
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        rows.append(("torch.nn.init.kaiming_normal_, 1 thread", best(lambda: torch.nn.init.kaiming_normal_(t), args.repeat)))
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)

    def numpy_kaiming():
        rng.standard_normal(out=a, dtype=np.float32)
        np.multiply(a, np.float32(std), out=a)

    rows.append(("numpy standard_normal(out=) * std, 1 thread", best(numpy_kaiming, args.repeat)))

    print("kaiming_normal_ of a %d × %d float32 tensor (best of %d):" % (n, n, args.repeat))
    print("%-56s %9s %10s %14s" % ("", "time", "G values/s", "ours faster ×"))
    for name, seconds in rows:
        print("%-56s %7.1f ms %10.3f %14.2f" % (name, seconds * 1e3, n * n / seconds / 1e9, seconds / ours))
    print()

    # Per-call cost of a 64 × 64 fill: the whole Python call, the ctypes call
    # alone with its arguments prepared, and the fill of the values.
    small = np.empty((64, 64), np.float32)
    number = 20000
    call = best(lambda: init.kaiming_normal_(small, seed=1), args.repeat, number)
    zeros = best(lambda: init.zeros_(small), args.repeat, number)
    library = _library.load()[0]
    scheme = _core.parse("kaiming-normal --mode fan_in --nonlinearity leaky_relu --negative-slope 0.0")
    address, size, code, shape = _core.target(small)
    dims = _core._dims(shape)
    raw = best(lambda: library.weightinit_fill(scheme, address, size, code, 2, dims, 0, 0, 0, 1, 0, 0),
               args.repeat, number)
    raw_zeros = best(lambda: library.weightinit_fill(_core.parse("zeros"), address, size, code, 2, dims, 0, 0, 0, 1, 0, 0),
                     args.repeat, number)
    print("64 × 64 float32 (best of %d × %d calls), µs per call:" % (args.repeat, number))
    print("  init.kaiming_normal_ (whole Python call)         %6.2f" % (call * 1e6))
    print("  weightinit_fill via ctypes, arguments prepared   %6.2f" % (raw * 1e6))
    print("  init.zeros_ (whole Python call)                  %6.2f" % (zeros * 1e6))
    print("  weightinit_fill zeros via ctypes                 %6.2f" % (raw_zeros * 1e6))
    print("  Python wrapper overhead (kaiming, whole − raw)   %6.2f" % ((call - raw) * 1e6))
    if torch is not None:
        st = torch.empty(64, 64)
        print("  torch.nn.init.kaiming_normal_                    %6.2f"
              % (best(lambda: torch.nn.init.kaiming_normal_(st), args.repeat, number) * 1e6))
        print("  init.kaiming_normal_ on a torch tensor           %6.2f"
              % (best(lambda: init.kaiming_normal_(st, seed=1), args.repeat, number) * 1e6))


def sparse(n, repeat):
    """sparse_ in process: ours (every core) against our normal_ of the same
    tensor and torch.nn.init.sparse_ (its default threads)."""
    a = np.empty((n, n), np.float32)
    rows = [("weightinit sparse_, numpy array, every core", best(lambda: init.sparse_(a, 0.1, seed=1), repeat)),
            ("weightinit normal_, numpy array, every core", best(lambda: init.normal_(a, 0.0, 0.01, seed=1), repeat))]
    if torch is not None:
        t = torch.empty(n, n)
        rows.append(("torch.nn.init.sparse_, %d threads" % torch.get_num_threads(),
                     best(lambda: torch.nn.init.sparse_(t, 0.1), repeat)))
    ours = rows[0][1]
    print("sparse_ (sparsity 0.1) of a %d × %d float32 tensor, in process (best of %d):" % (n, n, repeat))
    print("%-48s %10s %14s" % ("", "time", "÷ ours"))
    for name, seconds in rows:
        print("%-48s %8.1f ms %14.2f" % (name, seconds * 1e3, seconds / ours))


if __name__ == "__main__":
    main()
