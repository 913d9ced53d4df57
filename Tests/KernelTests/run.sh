#!/usr/bin/env bash
# The sampling kernels' C tests (kernel_test.c), outside the Swift package:
#   1. built natively and run: every vector path this CPU has (x86: SSE2,
#      AVX2, AVX-512) against the scalar reference;
#   2. cross-compiled for arm64 (clang --target=aarch64-linux-gnu, linked
#      statically against Debian's arm64 cross libc) and run under
#      qemu-aarch64: the NEON path against the scalar reference, which on
#      arm64 is compiled for arm64 too (its fmaf/fma are the fused
#      instructions there). Skipped, with the reason, where the cross
#      toolchain or qemu-user is missing (.ci/setup installs them on Debian).
# Usage: Tests/KernelTests/run.sh [native|arm64|all] (default all), or
# run.sh bench [values [rounds]]: the in-cache timing of every path here
# (kernel_test --bench; default 65536 values, best of 50).
# The Box–Muller parts are checked on every STRIDE-th 24-bit input (natively
# 16 — the Swift tests check every input of the x86 paths —, under qemu
# KERNEL_TEST_ARM64_STRIDE, default 1: every input, about 20 s of qemu).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mode=${1:-all}

# The kernels use clang's vector extensions (SwiftPM builds them with clang too).
cc=${KERNEL_TEST_CC:-clang}
flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -ISources/_WeightInitKernels/include -ISources/_WeightInitKernels)
sources=(Sources/_WeightInitKernels/*.c Tests/KernelTests/kernel_test.c)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [ "$mode" = bench ]; then
    "$cc" "${flags[@]}" "${sources[@]}" -lm -lpthread -o "$scratch/kernel_test"
    "$scratch/kernel_test" --bench "${@:2}"
    exit
fi

if [ "$mode" = native ] || [ "$mode" = all ]; then
    "$cc" "${flags[@]}" "${sources[@]}" -lm -lpthread -o "$scratch/kernel_test"
    echo "kernel tests: native ($(uname -m))"
    "$scratch/kernel_test" --stride "${KERNEL_TEST_STRIDE:-16}"
fi

if [ "$mode" = arm64 ] || [ "$mode" = all ]; then
    if [ "$(uname -m)" = aarch64 ]; then
        echo "kernel tests: arm64 is this machine: the native run above was the NEON path"
    elif ! command -v qemu-aarch64 >/dev/null 2>&1; then
        echo "kernel tests: arm64 skipped: qemu-aarch64 is not on PATH (Debian: apt-get install qemu-user)"
    elif [ ! -e /usr/aarch64-linux-gnu/lib/libc.a ]; then
        echo "kernel tests: arm64 skipped: no arm64 C library at /usr/aarch64-linux-gnu (Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
    elif ! "$cc" --target=aarch64-linux-gnu --gcc-toolchain=/usr "${flags[@]}" "${sources[@]}" -static -lm -lpthread \
            -o "$scratch/kernel_test_arm64" 2> "$scratch/cross.log"; then
        cat "$scratch/cross.log" >&2
        echo "kernel tests: the arm64 cross-build failed (above)" >&2
        exit 1
    else
        echo "kernel tests: arm64 under $(qemu-aarch64 --version | sed -n 1p)"
        qemu-aarch64 "$scratch/kernel_test_arm64" --stride "${KERNEL_TEST_ARM64_STRIDE:-1}"
    fi
fi
