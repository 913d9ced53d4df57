#!/usr/bin/env bash
# Scaling and overhead of the MPI paths: `weightinit-mpi bench` on 1, 2 and 4
# ranks against the threaded single-process library (--single) on 1 and 2
# threads, for the same total problem: a normal fill of 2^28 values and the
# QR orthogonal of n × n (SIZES, default 2048,4096), sampling included.
# Then whole files: a spec of 2^28 f32 values (four 8192² normal tensors,
# 1 GiB) written by `weightinit generate --spec` on 1 and 2 threads and by
# `weightinit-mpi generate` on 1, 2 and 4 ranks of one thread each (the
# same bytes; checked), as a ratio to the 1-thread weightinit time.
# Prints each run's table, then every time as a ratio to the single-process
# 1-thread time. Release build; run from anywhere:
#
#     bash MPI/bench.sh                 # or SIZES=2048 REPEAT=3 bash MPI/bench.sh
#
# Ranks keep mpirun's default binding (one core each; none when
# oversubscribed). With more ranks than cores the run is oversubscribed, and
# says so: ranks then take turns on the cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

sizes=${SIZES:-2048,4096}
repeat=${REPEAT:-5}
swift build -c release --product weightinit-mpi >/dev/null
exe=.build/release/weightinit-mpi
swift build -c release --package-path .. --product weightinit >/dev/null
single="$(swift build -c release --package-path .. --show-bin-path)/weightinit"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none

cores=$(nproc)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $cores cores"
echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'sse4_2|avx|avx2|fma|f16c|avx512[a-z]*' | sort -u | tr '\n' ' ')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

results=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$results" "$scratch"' EXIT
run() {   # label, then the command
    local label=$1 output
    shift
    echo "== $label"
    output=$("$@")
    echo "$output"
    echo
    awk -v label="$label" '/^(normal|orthogonal)/ { print label "\t" $1 " " $2 " " $(NF-2) "\t" $(NF-1) }' \
        <<<"$output" >>"$results"
}

# --bind-to none: mpirun binds a lone rank to one core, where its second
# thread would only take turns with the first.
for threads in 1 2; do
    run "single, $threads thread(s)" mpirun -q --bind-to none -n 1 "$exe" bench --single --threads "$threads" --sizes "$sizes" --repeat "$repeat"
done
for ranks in 1 2 4; do
    note=""
    [ "$ranks" -gt "$cores" ] && note=" (oversubscribed: $cores cores)"
    run "MPI, $ranks rank(s)$note" mpirun -q --oversubscribe -n "$ranks" "$exe" bench --sizes "$sizes" --repeat "$repeat"
done

echo "== time ÷ single-process 1-thread time (slowest rank; < 1 is faster)"
awk -F'\t' '
    { if (!($2 in base)) { base[$2] = $3; order[++n] = $2 }
      if (!($1 in seen)) { seen[$1] = 1; labels[++m] = $1 }
      t[$1, $2] = $3 }
    END {
        printf "%-40s", "run"; for (i = 1; i <= n; i++) printf "  %-26s", order[i]; printf "\n"
        for (j = 1; j <= m; j++) {
            printf "%-40s", labels[j]
            for (i = 1; i <= n; i++) printf "  %-26.2f", t[labels[j], order[i]] / base[order[i]]
            printf "\n"
        }
    }' "$results"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every ratio)"

echo
echo "== whole files: a spec of 2^28 f32 values (1 GiB), best of $repeat, seconds and ÷ weightinit on 1 thread"
cat >"$scratch/spec.json" <<'JSON'
{"seed": 1, "tensors": [
  {"name": "a", "shape": [8192, 8192], "scheme": "normal", "std": 0.02},
  {"name": "b", "shape": [8192, 8192], "scheme": "normal", "std": 0.02},
  {"name": "c", "shape": [8192, 8192], "scheme": "normal", "std": 0.02},
  {"name": "d", "shape": [8192, 8192], "scheme": "normal", "std": 0.02}]}
JSON
best() {   # output file, then the command: the best wall time of $repeat runs
    local file=$1 b="" t start
    shift
    for _ in $(seq "$repeat"); do
        rm -f "$file"
        start=$EPOCHREALTIME
        "$@" >/dev/null
        t=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
        if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    done
    echo "$b"
}
base=$(best "$scratch/ref.safetensors" "$single" generate --spec "$scratch/spec.json" --threads 1 --quiet --output "$scratch/ref.safetensors")
printf "%-40s %8.3f s  %5.2f\n" "weightinit, 1 thread" "$base" 1
t=$(best "$scratch/t2.safetensors" "$single" generate --spec "$scratch/spec.json" --threads 2 --quiet --output "$scratch/t2.safetensors")
printf "%-40s %8.3f s  %5.2f\n" "weightinit, 2 threads" "$t" "$(awk -v t="$t" -v b="$base" 'BEGIN { print t / b }')"
for ranks in 1 2 4; do
    note=""
    [ "$ranks" -gt "$cores" ] && note=" (oversubscribed)"
    t=$(best "$scratch/m$ranks.safetensors" mpirun -q --oversubscribe -n "$ranks" "$exe" generate --spec "$scratch/spec.json" \
        --threads 1 --quiet --output "$scratch/m$ranks.safetensors")
    same=$(cmp -s "$scratch/ref.safetensors" "$scratch/m$ranks.safetensors" && echo "same bytes" || echo "DIFFERENT BYTES")
    printf "%-40s %8.3f s  %5.2f  %s\n" "weightinit-mpi, $ranks rank(s)$note" "$t" "$(awk -v t="$t" -v b="$base" 'BEGIN { print t / b }')" "$same"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
