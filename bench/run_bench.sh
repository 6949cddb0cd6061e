#!/usr/bin/env bash
# run_bench.sh - wall time of the generated C at -O0 and -O2, side by side.
#
# usage: bash bench/run_bench.sh [MODEL.onnx...]   (default: tests/fixtures/*_op13.onnx)
#
# For each model: compile it once per level with `sinter compile`, build
# each with bench/bench_main.c and the runtime, then run the two programs
# alternately ROUNDS times (each run times RUNS calls after a warm-up call
# and reports its median).  Prints the median over rounds of each level's
# medians and the ratio -O0 / -O2 (> 1: -O2 is faster), with the kernel
# counts of `sinter flops` and the output checksums of both programs.
#
# Environment: SINTER_BUILD (build folder, default build), CC (default cc),
# BENCH_CFLAGS (default -O2), ROUNDS (default 5), RUNS (default 11),
# STAT (median, the default: the median over rounds of each run's median;
# min: the fastest call of all rounds, the time least disturbed by other
# jobs on a shared machine, for both programs alike),
# SINTER_O2_FLAGS (extra `sinter compile` options of the -O2 side, e.g.
# "--passes dce,fuse_gelu" to time one pass),
# ORT=1 adds ONNX Runtime to each round (bench/ort_bench.js; NODE_PATH must
# find onnxruntime-node, see bench/README.md), THREADS=N (N > 1) adds the
# -O2 program compiled with --threads N (and, with ORT=1, ONNX Runtime
# with intraOpNumThreads N) and the speed-up bound that
# bench/threads_bound.c measures, BASE_RUNTIME=LIB.a adds the programs
# of both levels (and of --threads N) linked against another runtime
# library (before / after a runtime change, in the same rounds).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SINTER_BUILD:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
sinter=$build/tools/sinter
runtime=$build/runtime/libsinter_rt.a
cc=${CC:-cc}
read -r -a cflags <<< "${BENCH_CFLAGS:--O2}"
rounds=${ROUNDS:-5}
read -r -a o2_flags <<< "${SINTER_O2_FLAGS:-}"
runs=${RUNS:-11}
stat=${STAT:-median}
case $stat in
median|min) ;;
*) echo "run_bench.sh: STAT must be median or min, not '$stat'" >&2; exit 2 ;;
esac
base_runtime=${BASE_RUNTIME:-}
threads=${THREADS:-1}
case $threads in
''|*[!0-9]*|0) echo "run_bench.sh: THREADS must be a count, not '$threads'" >&2; exit 2 ;;
esac

for f in "$sinter" "$runtime" ${base_runtime:+"$base_runtime"}; do
    [ -e "$f" ] || { echo "run_bench.sh: $f missing: build first (ninja -C $build)" >&2; exit 2; }
done
if [ $# -eq 0 ]; then
    set -- "$root"/tests/fixtures/*_op13.onnx
fi

. "$root/bench/model_build.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/sinter-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# build MODEL LEVEL DIR [THREADS]: the bench program DIR/bench for MODEL at
# -OLEVEL (compiled with --threads THREADS when given), and with
# BASE_RUNTIME also DIR/bench-base linked against that library.
build_level() {
    local extra=() link=() lib
    if [ "$2" = 2 ]; then
        extra=(${o2_flags[@]+"${o2_flags[@]}"})
    fi
    if [ -n "${4:-}" ]; then
        extra+=(--threads "$4")
        link=(-pthread)
    fi
    compile_model "$sinter" "$1" "$3" "-O$2" ${extra[@]+"${extra[@]}"}
    for lib in "$runtime" ${base_runtime:+"$base_runtime"}; do
        link_model "$3" "$root/bench/bench_main.c" "$lib" \
            "$3/bench$([ "$lib" = "$runtime" ] || echo -base)" ${link[@]+"${link[@]}"}
    done
    if [ -n "${4:-}" ]; then
        link_model "$3" "$root/bench/threads_bound.c" "$runtime" "$3/bound" -pthread
    fi
}

# percent_of_peak FLOPS MS: FLOPS done in MS milliseconds, as % of the peak.
percent_of_peak() {
    awk -v f="$1" -v t="$2" -v p="$peak_before" 'BEGIN { print 100 * f / (t * 1e6) / p }'
}

# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# summary: STAT of a level's per-run times on stdin (their median, or
# the least of the per-run minima).
summary() {
    if [ "$stat" = min ]; then
        sort -g | head -n 1
    else
        median
    fi
}

# json_field JSON OBJECT KEY: the number OBJECT.KEY of `sinter flops --json`.
json_field() {
    grep -o "\"$2\": {[^}]*}" <<< "$1" | grep -o "\"$3\": [0-9]*" | grep -o '[0-9]*$'
}

# input_dims MODEL: the first input's shape as DIM,DIM,... (for ort_bench.js)
input_dims() {
    "$sinter" info "$1" | awk '$1 == "input" { gsub(/[][]/, "", $4); print $4; exit }'
}

# run_level DIR LEVEL MODEL: one timed run; appends its median (its
# fastest call with STAT=min) to DIR-LEVEL.times and keeps its checksum
# in DIR-LEVEL.sum.  LEVEL is O0, O2, O0-base, O2-base (BASE_RUNTIME),
# O2tN (--threads N), O2tN-base, ort or ortN (intraOpNumThreads N).
run_level() {
    local med least sum
    case $2 in
    ort*) read -r med least sum < <(node "$root/bench/ort_bench.js" "$3" "$runs" \
              "$(input_dims "$3")" "${2#ort}") ;;
    *-base) read -r med least sum < <("$1-${2%-base}/bench-base" "$runs") ;;
    *) read -r med least sum < <("$1-$2/bench" "$runs") ;;
    esac
    if [ "$stat" = min ]; then
        echo "$least" >> "$1-$2.times"
    else
        echo "$med" >> "$1-$2.times"
    fi
    echo "$sum" > "$1-$2.sum"
}

# The machine's FMA peak, measured here (bench/fma_peak.c): before and
# after the models, the higher of the two, since the machine is shared.
"$cc" -std=c99 -O2 -o "$work/fma_peak" "$root/bench/fma_peak.c"
peak_probe() {
    "$work/fma_peak" | awk '{ print $1 }'
}
peak_before=$(peak_probe)

levels=(O0 O2)
if [ -n "$base_runtime" ]; then
    levels+=(O0-base O2-base)
fi
if [ "$threads" -gt 1 ]; then
    levels+=("O2t$threads")
    [ -n "$base_runtime" ] && levels+=("O2t$threads-base")
fi
if [ "${ORT:-0}" = 1 ]; then
    levels+=(ort)
    [ "$threads" -gt 1 ] && levels+=("ort$threads")
fi
if [ "$stat" = min ]; then
    stat_text='the fastest call of all rounds'
else
    stat_text='the median over rounds of per-run medians'
fi
printf 'FMA peak (1 thread, measured): %s GFLOP/s; ms: %s\n' "$peak_before" "$stat_text"
printf '%-22s %7s %7s %10s %10s %7s %9s %10s %6s' model kern-O0 kern-O2 ms-O0 ms-O2 O0/O2 GMACs GFLOP/s-O2 %peak
[ -n "$base_runtime" ] && printf ' %10s %10s %9s' ms-O0-base ms-O2-base base/new
[ "${ORT:-0}" = 1 ] && printf ' %10s %7s %6s' ms-ORT O2/ORT %peak
[ "$threads" -gt 1 ] && printf ' %10s %8s %6s' "ms-O2t$threads" "O2/O2t$threads" bound
[ "$threads" -gt 1 ] && [ -n "$base_runtime" ] && printf ' %12s %9s' "ms-O2t$threads-base" base/new
[ "$threads" -gt 1 ] && [ "${ORT:-0}" = 1 ] && printf ' %10s %11s' "ms-ORT$threads" \
    "O2t$threads/ORT$threads"
printf '  checksums (%s)\n' "${levels[*]}"
for model in "$@"; do
    name=$(basename "$model" .onnx)
    dir=$work/$name
    build_level "$model" 0 "$dir-O0"
    build_level "$model" 2 "$dir-O2"
    if [ "$threads" -gt 1 ]; then
        build_level "$model" 2 "$dir-O2t$threads" "$threads"
    fi
    json=$("$sinter" flops "$model" --json ${o2_flags[@]+"${o2_flags[@]}"})
    for level in "${levels[@]}"; do
        : > "$dir-$level.times"
    done
    for ((r = 0; r < rounds; r++)); do
        for level in "${levels[@]}"; do
            run_level "$dir" "$level" "$model"
        done
    done
    t0=$(summary < "$dir-O0.times")
    t2=$(summary < "$dir-O2.times")
    flops=$(json_field "$json" fused flops)
    macs=$(json_field "$json" fused macs)
    # ONNX Runtime computes the graph as it is: the unfused FLOPs (more
    # than -O2's once a rewrite such as factor_conv removes some).
    graph_flops=$(json_field "$json" unfused flops)
    printf '%-22s %7s %7s %10.3f %10.3f %7.3f %9.4f %10.2f %6.1f' "$name" \
        "$(json_field "$json" unfused kernels)" "$(json_field "$json" fused kernels)" \
        "$t0" "$t2" "$(awk -v a="$t0" -v b="$t2" 'BEGIN { print a / b }')" \
        "$(awk -v m="$macs" 'BEGIN { print m / 1e9 }')" \
        "$(awk -v f="$flops" -v t="$t2" 'BEGIN { print f / (t * 1e6) }')" \
        "$(percent_of_peak "$flops" "$t2")"
    if [ -n "$base_runtime" ]; then
        b0=$(summary < "$dir-O0-base.times")
        b2=$(summary < "$dir-O2-base.times")
        printf ' %10.3f %10.3f %9.3f' "$b0" "$b2" "$(awk -v a="$b2" -v b="$t2" 'BEGIN { print a / b }')"
    fi
    if [ "${ORT:-0}" = 1 ]; then
        tort=$(summary < "$dir-ort.times")
        printf ' %10.3f %7.3f %6.1f' "$tort" "$(awk -v a="$t2" -v b="$tort" 'BEGIN { print a / b }')" \
            "$(percent_of_peak "$graph_flops" "$tort")"
    fi
    if [ "$threads" -gt 1 ]; then
        tn=$(summary < "$dir-O2t$threads.times")
        read -r _ _ bound _ < <("$dir-O2t$threads/bound" "$runs")
        printf ' %10.3f %8.3f %6.2f' "$tn" "$(awk -v a="$t2" -v b="$tn" 'BEGIN { print a / b }')" \
            "$bound"
        if [ -n "$base_runtime" ]; then
            bn=$(summary < "$dir-O2t$threads-base.times")
            printf ' %12.3f %9.3f' "$bn" "$(awk -v a="$bn" -v b="$tn" 'BEGIN { print a / b }')"
        fi
    fi
    if [ "$threads" -gt 1 ] && [ "${ORT:-0}" = 1 ]; then
        tortn=$(summary < "$dir-ort$threads.times")
        printf ' %10.3f %11.3f' "$tortn" "$(awk -v a="$tn" -v b="$tortn" 'BEGIN { print a / b }')"
    fi
    printf ' '
    for level in "${levels[@]}"; do
        printf ' %s' "$(cat "$dir-$level.sum")"
    done
    printf '\n'
done
printf 'FMA peak after the models: %s GFLOP/s (%%peak above uses the first figure)\n' "$(peak_probe)"
