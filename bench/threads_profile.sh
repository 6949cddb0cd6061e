#!/usr/bin/env bash
# threads_profile.sh - where a model's second thread gains and where it
# does not: per node, its time on one thread and on THREADS, the speed-up
# and the loss (time on THREADS threads minus an even split of the
# one-thread time), largest loss first.
#
# usage: bash bench/threads_profile.sh MODEL.onnx [TOP]
#
# Compiles MODEL with `sinter compile --profile --threads THREADS`,
# builds it around bench_main.c, then runs it alternately on one thread
# and on THREADS, ROUNDS times, keeping each node's fastest mean per call
# over the rounds (another job on the machine slows some rounds, rarely
# all of them).  Environment: SINTER_BUILD, CC, BENCH_CFLAGS as
# run_bench.sh; THREADS (default 2), ROUNDS (default 5), RUNS (calls per
# round, default 20).  A node whose loss stays large on an idle machine
# splits badly (too few parts, parts of unequal work, or data a part
# shares with another); bench/threads_bound.c gives the model's bound.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SINTER_BUILD:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
cc=${CC:-cc}
read -r -a cflags <<< "${BENCH_CFLAGS:--O2}"
threads=${THREADS:-2} rounds=${ROUNDS:-5} runs=${RUNS:-20}
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: bash bench/threads_profile.sh MODEL.onnx [TOP]" >&2
    exit 2
fi
model=$1 top=${2:-25}

. "$root/bench/model_build.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/sinter-tprof-XXXXXX")
trap 'rm -rf "$work"' EXIT
compile_model "$build/tools/sinter" "$model" "$work" --profile --threads "$threads"
link_model "$work" "$root/bench/bench_main.c" "$build/runtime/libsinter_rt.a" "$work/bench" -pthread

# The profile table's rows: node, op, calls, ms per call, %, GFLOP/s.
for r in $(seq "$rounds"); do
    "$work/bench" "$runs" 1 2>"$work/one.$r" >/dev/null
    "$work/bench" "$runs" "$threads" 2>"$work/many.$r" >/dev/null
done
awk -v top="$top" -v threads="$threads" '
    FNR == 1 { many = FILENAME ~ /many/; next }
    {
        k = $1; ms = $4
        if (!many && (!(k in one) || ms < one[k])) one[k] = ms
        if (many && (!(k in par) || ms < par[k])) par[k] = ms
        op[k] = $2
    }
    END {
        for (k in one) { t1 += one[k]; tn += par[k] }
        printf "%-48s %-14s %9s %9s %7s %9s\n", "node", "op", "ms 1t", "ms " threads "t", "speedup", "loss ms"
        printf "%-48s %-14s %9.3f %9.3f %7.2f\n", "(all nodes)", "", t1, tn, t1 / tn
        sort = "sort -k6 -gr | head -n " top
        for (k in one) {
            speedup = par[k] > 0 ? one[k] / par[k] : 0
            printf "%-48s %-14s %9.3f %9.3f %7.2f %9.3f\n", k, op[k], one[k], par[k], speedup,
                   par[k] - one[k] / threads | sort
        }
        close(sort)
    }' "$work"/one.* "$work"/many.*
