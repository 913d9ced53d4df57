#!/usr/bin/env python3
"""Files end to end: `weightinit generate` against `dd … conv=fsync` of the
same bytes, against `normal` of the same shape, and against the in-process
fill — all measured in the same run, each the best of --repeat runs.

Sections (--only picks some):

  sparse      `generate sparse --sparsity 0.1` and `generate normal`, n × n
              f32 .npy, end to end: time and peak RSS (/usr/bin/time -v's
              maximum resident set size).
  orthogonal  `generate orthogonal` for square, tall and wide f32 .npy and
              f16/bf16 .safetensors: end to end, peak RSS, the in-process
              fill (`weightinit bench --orthogonal-shape`, best of its runs)
              and dd of the output's bytes; the budget is fill + 1.2 × dd,
              and RSS is compared with a streamed `normal` fill's (the
              process's baseline: runtime, libraries, write buffers).
  spec        a spec of four 8192² f32 normal tensors (1 GiB) against dd of
              the same bytes.

Every run starts after `sync`, with its output removed, so no run pays for
another's write-back. Files go to --directory (default: a temporary
directory under the current one, which should be on the disk to measure).

Usage: python3 Benchmarks/files.py --weightinit .build/release/weightinit
       [--repeat 5] [--only sparse,orthogonal,spec] [--directory DIR]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def run(command, directory):
    """(seconds, peak RSS in bytes) of one run of `command`, after a sync."""
    subprocess.run(["sync"], check=True)
    report = os.path.join(directory, "time.txt")
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-v", "-o", report] + command, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory)
    seconds = time.perf_counter() - start
    with open(report) as text:
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text.read()).group(1)) * 1024
    return seconds, rss


def best(commands, directory, repeat, outputs):
    """Best time and peak RSS of each command, the commands interleaved so a
    slow moment of the machine hits all of them."""
    results = {name: (float("inf"), 0) for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            for output in outputs:
                path = os.path.join(directory, output)
                if os.path.exists(path):
                    os.remove(path)
            seconds, rss = run(command, directory)
            old = results[name]
            results[name] = (min(old[0], seconds), max(old[1], rss))
            ROUNDS.setdefault(name, []).append(seconds)
    return results


# Every run's seconds by command name, in order (cleared by each section),
# for the per-round ratios: round i of one command against round i of another.
ROUNDS = {}


def round_ratios(numerator, denominator):
    """Median, lowest and highest of the per-round ratios numerator ÷ denominator."""
    ratios = sorted(a / b for a, b in zip(ROUNDS[numerator], ROUNDS[denominator]))
    middle = len(ratios) // 2
    median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    return median, ratios[0], ratios[-1]


def dd(byte_count):
    return ["dd", "if=/dev/zero", "of=dd.bin", "bs=16M", "count=%d" % byte_count, "iflag=count_bytes", "conv=fsync"]


def generate(tool, scheme, shape, output, *extra):
    return [tool, "generate"] + scheme.split() + ["--shape", ",".join(map(str, shape)), "--output", output,
                                                   "--quiet"] + list(extra)


def sparse(args, directory):
    print("sparse, sparsity 0.1, f32 .npy, end to end (best of %d):" % args.repeat)
    print("%-12s %9s %9s %7s %10s %10s %9s %9s" % ("shape", "sparse s", "normal s", "÷ normal", "sparse MB", "normal MB",
                                                  "dd s", "÷ dd"))
    for n in args.sizes:
        shape = [n, n]
        commands = {
            "sparse": generate(args.weightinit, "sparse --sparsity 0.1", shape, "s.npy"),
            "normal": generate(args.weightinit, "normal", shape, "n.npy"),
            "dd": dd(n * n * 4 + 128),
        }
        ROUNDS.clear()
        r = best(commands, directory, args.repeat, ["s.npy", "n.npy", "dd.bin"])
        print("%-12s %9.3f %9.3f %7.2f %10.1f %10.1f %9.3f %9.2f" % (
            "%d²" % n, r["sparse"][0], r["normal"][0], r["sparse"][0] / r["normal"][0], r["sparse"][1] / 1e6,
            r["normal"][1] / 1e6, r["dd"][0], r["sparse"][0] / r["dd"][0]))
        print("%-12s per round, sparse ÷ normal: median %.2f, range %.2f – %.2f" % (("",) + round_ratios("sparse", "normal")))
    print()


def in_process_fill(tool, shape, dtype, repeat):
    """Best in-process orthogonal fill, from `weightinit bench --json`."""
    out = subprocess.run([tool, "bench", "--shape", "64,64", "--orthogonal-shape", ",".join(map(str, shape)),
                          "--dtype", dtype, "--repeat", str(repeat), "--json"], check=True, capture_output=True,
                         text=True).stdout
    return next(r["seconds"] for r in json.loads(out)["results"] if r["scheme"] == "orthogonal")


def orthogonal(args, directory):
    cases = [([4096, 4096], "f32", "npy"), ([8192, 2048], "f32", "npy"), ([2048, 8192], "f32", "npy"),
             ([4096, 4096], "f16", "safetensors"), ([4096, 4096], "bf16", "safetensors"), ([8192, 8192], "f32", "npy")]
    print("orthogonal to a file (best of %d; RSS above a streamed normal fill's, ÷ the output's bytes):" % args.repeat)
    print("%-16s %8s %8s %8s %8s %8s %9s %9s %9s %8s" % ("shape dtype", "fill s", "dd s", "e2e s", "budget",
                                                      "÷budget", "output MB", "RSS MB", "base MB", "RSS÷out"))
    for shape, dtype, extension in cases:
        if shape[0] * shape[1] > args.max_orthogonal:
            continue
        size = shape[0] * shape[1] * {"f32": 4, "f16": 2, "bf16": 2}[dtype]
        output = "o." + extension
        repeat = args.repeat if shape[0] * shape[1] <= 1 << 24 else max(1, args.repeat // 2)
        fill = in_process_fill(args.weightinit, shape, dtype, repeat)
        commands = {
            "orthogonal": generate(args.weightinit, "orthogonal", shape, output, "--dtype", dtype),
            "baseline": generate(args.weightinit, "normal", shape, "n." + extension, "--dtype", dtype),
            "dd": dd(size),
        }
        ROUNDS.clear()
        r = best(commands, directory, repeat, [output, "n." + extension, "dd.bin"])
        budget = fill + 1.2 * r["dd"][0]
        above = r["orthogonal"][1] - r["baseline"][1]
        print("%-16s %8.3f %8.3f %8.3f %8.3f %8.2f %9.1f %9.1f %9.1f %8.2f" % (
            "%d×%d %s" % (shape[0], shape[1], dtype), fill, r["dd"][0], r["orthogonal"][0], budget,
            r["orthogonal"][0] / budget, size / 1e6, r["orthogonal"][1] / 1e6, r["baseline"][1] / 1e6, above / size))
        ROUNDS["budget"] = [fill + 1.2 * d for d in ROUNDS["dd"]]
        print("%-16s per round, e2e ÷ (fill + 1.2 dd): median %.2f, range %.2f – %.2f" % (
            ("",) + round_ratios("orthogonal", "budget")))
    print()


def spec(args, directory):
    path = os.path.join(directory, "spec.json")
    with open(path, "w") as f:
        json.dump({"seed": 1, "dtype": "f32",
                   "tensors": [{"name": n, "shape": [8192, 8192], "scheme": "normal"} for n in "abcd"]}, f)
    size = 4 * 8192 * 8192 * 4
    commands = {
        "spec": [args.weightinit, "generate", "--spec", path, "--output", "m.safetensors", "--quiet"],
        "dd": dd(size),
    }
    ROUNDS.clear()
    r = best(commands, directory, args.repeat, ["m.safetensors", "dd.bin"])
    print("1 GiB spec (four 8192² f32 normal tensors), best of %d:" % args.repeat)
    print("  weightinit generate --spec  %.3f s  %.0f MB/s  peak RSS %.1f MB" % (
        r["spec"][0], size / r["spec"][0] / 1e6, r["spec"][1] / 1e6))
    print("  dd conv=fsync               %.3f s  %.0f MB/s" % (r["dd"][0], size / r["dd"][0] / 1e6))
    print("  throughput ÷ dd's           %.2f (best ÷ best)" % (r["dd"][0] / r["spec"][0]))
    median, low, high = round_ratios("dd", "spec")
    print("  per round, dd s ÷ spec s    median %.2f, range %.2f – %.2f over %d rounds" % (
        median, low, high, len(ROUNDS["spec"])))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weightinit", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="sparse,orthogonal,spec")
    parser.add_argument("--sizes", default="8192,16384", help="n of the sparse section's n × n shapes")
    parser.add_argument("--max-orthogonal", type=int, default=1 << 26, help="skip larger orthogonal shapes")
    parser.add_argument("--directory")
    args = parser.parse_args()
    args.weightinit = os.path.abspath(args.weightinit)
    args.sizes = [int(n) for n in args.sizes.split(",")]
    if not shutil.which("/usr/bin/time"):
        sys.exit("files.py: needs /usr/bin/time (Debian: apt-get install time)")
    directory = os.path.abspath(args.directory or tempfile.mkdtemp(prefix="files-bench-", dir="."))
    os.makedirs(directory, exist_ok=True)
    with open("/proc/cpuinfo") as info:
        text = info.read()
    model = re.search(r"model name\s*:\s*(.*)", text).group(1)
    flags = set(re.search(r"flags\s*:\s*(.*)", text).group(1).split())
    shown = [f for f in ["sse4_2", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq"] if f in flags]
    print("%s, %d cores; %s; %s" % (model, os.cpu_count(), " ".join(shown), time.strftime("%Y-%m-%d %H:%M UTC",
                                                                                          time.gmtime())))
    print("directory: %s" % os.path.abspath(directory))
    print()
    try:
        for section in args.only.split(","):
            {"sparse": sparse, "orthogonal": orthogonal, "spec": spec}[section](args, directory)
    finally:
        if not args.directory:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
