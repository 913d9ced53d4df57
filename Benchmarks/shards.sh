#!/usr/bin/env bash
# Whole-model writing against the disk (issue 16): a Llama-shaped 1B-parameter
# layout (Llama 3.2 1B's dimensions, Benchmarks/llama-1b-config.json: 1.24·10⁹
# parameters, tied embeddings) in bf16, 2.47 GB, written as 5 Hugging Face
# shards (--max-shard-size 550MB) by weightinit generate and by
# weightinit-mpi generate on 2 ranks, each timed against `dd conv=fsync` of
# the same number of bytes (the shards' sizes, headers included) in the same
# round, with peak resident memory (/usr/bin/time; for MPI the larger
# rank's). Every round checks that the two directories are byte-identical
# and stops with status 1 if not. A round writes about 7.5 GB.
#
#   bash Benchmarks/shards.sh [DIRECTORY] [ROUNDS]   # DIRECTORY on the disk to measure (default: a new one in /tmp)
#
# Release builds; hold the QUIET lock (COORDINATION.md) while it runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
directory=${1:-$(mktemp -d)}
mkdir -p "$directory"
rounds=${2:-3}
config=Benchmarks/llama-1b-config.json
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none

swift build -c release --product weightinit >/dev/null
weightinit="$(swift build -c release --show-bin-path)/weightinit"
swift build -c release --package-path MPI --product weightinit-mpi >/dev/null
mpi="$(swift build -c release --package-path MPI --show-bin-path)/weightinit-mpi"

seconds() { local start=$1 end=$2; echo "scale=3; ($end - $start) / 1000000000" | bc; }
peak() { grep "Maximum resident set size" "$@" | awk '{ print $NF }' | sort -n | tail -1; }   # KiB

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_bf16)$' | tr '\n' ' ')"
echo "disk: $(df -h "$directory" | tail -1 | awk '{ print $1 ", " $4 " free" }')"
printf '%-6s %-28s %10s %10s %12s %12s %10s\n' round run bytes seconds "MB/s" "÷ dd" "peak MiB"
for round in $(seq 1 "$rounds"); do
    rm -rf "$directory/single" "$directory/mpi" "$directory/dd.bin"
    sync

    start=$(date +%s%N)
    /usr/bin/time -v -o "$directory/time.single" "$weightinit" generate --config "$config" --dtype bf16 \
        --max-shard-size 550MB --output "$directory/single" --quiet
    end=$(date +%s%N)
    single_seconds=$(seconds "$start" "$end")
    # What the shards hold, headers included: dd writes as many bytes (whole MiB), with its data flushed.
    bytes=$(cat "$directory"/single/model-*.safetensors | wc -c)
    sync

    start=$(date +%s%N)
    dd if=/dev/zero of="$directory/dd.bin" bs=1M count=$((bytes / 1048576)) conv=fsync status=none
    end=$(date +%s%N)
    dd_seconds=$(seconds "$start" "$end")
    rm -f "$directory/dd.bin"; sync
    printf '%-6s %-28s %10s %10s %12s %12s %10s\n' "$round" "dd conv=fsync" "$bytes" "$dd_seconds" \
        "$(echo "scale=1; $bytes / $dd_seconds / 1000000" | bc)" 1 -
    printf '%-6s %-28s %10s %10s %12s %12s %10s\n' "$round" "weightinit" "$bytes" "$single_seconds" \
        "$(echo "scale=1; $bytes / $single_seconds / 1000000" | bc)" "$(echo "scale=3; $dd_seconds / $single_seconds" | bc)" \
        "$(echo "scale=1; $(peak "$directory/time.single") / 1024" | bc)"

    start=$(date +%s%N)
    # Each rank under its own /usr/bin/time.
    mpirun -q -n 2 sh -c '/usr/bin/time -v -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$directory/time.mpi" "$mpi" generate \
        --config "$config" --dtype bf16 --max-shard-size 550MB --output "$directory/mpi" --quiet
    end=$(date +%s%N)
    s=$(seconds "$start" "$end")
    printf '%-6s %-28s %10s %10s %12s %12s %10s\n' "$round" "weightinit-mpi, 2 ranks" "$bytes" "$s" \
        "$(echo "scale=1; $bytes / $s / 1000000" | bc)" "$(echo "scale=3; $dd_seconds / $s" | bc)" \
        "$(echo "scale=1; $(peak "$directory"/time.mpi.*) / 1024" | bc)"
    if diff -r "$directory/single" "$directory/mpi" >/dev/null; then
        echo "       byte-identical: $(ls "$directory/single" | tr '\n' ' ')"
    else
        echo "shards.sh: round $round: weightinit-mpi's directory differs from weightinit's" >&2
        exit 1
    fi
    rm -f "$directory"/time.*
done
rm -rf "$directory/single" "$directory/mpi"
echo "targets (issue 16): ÷ dd ≥ 0.90 for both runs; peak under 64 MiB (this layout has no orthogonal tensor)"
