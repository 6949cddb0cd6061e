#!/bin/sh
# Acceptance run on the seven reference exports of the seed models.
#
#   scripts/acceptance.sh [MODEL_opNN ...]
#
# For each model in $SHARED/models (default: ../shared beside the checkout),
# compiles it with `sinter compile` (time, peak memory, size of the C), then
# `sinter run`s it on MODEL_input.npy and compares with MODEL_output.npy:
#
#     PASS  iff  max|out - ref| <= 2e-4 * max|ref|
#
# The tolerance is relative to the output's scale because the random
# networks' own float32 rounding noise grows with it (see shared/models.md).
# Prints one table row per model; exits 1 if any model fails, 0 if all pass
# or there is nothing to test.
#
# Environment: SINTER (default build/tools/sinter), SHARED, PYTHON
# (default /usr/bin/python3, needs numpy), KEEP=DIR to keep the work files.
set -u

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SINTER=${SINTER:-$ROOT/build/tools/sinter}
SHARED=${SHARED:-$(dirname "$ROOT")/shared}
PY=${PYTHON:-/usr/bin/python3}
MODELS="$SHARED/models"
REL_TOL=2e-4

if [ ! -d "$MODELS" ]; then
    echo "acceptance: no reference models in $MODELS; skipped"
    exit 0
fi
if [ ! -x "$SINTER" ]; then
    echo "acceptance: $SINTER not built" >&2
    exit 1
fi

if [ $# -eq 0 ]; then
    set -- unext_op13 unext_op17 unext_s_op13 cmunext_op13 cmunext_s_op13 cmunext_l_op17 m2snet_op13
fi
if [ -n "${KEEP:-}" ]; then
    WORK=$KEEP
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# compare OUT REF: prints "max_abs_err ratio PASS|FAIL".
compare() {
    "$PY" - "$1" "$2" "$REL_TOL" <<'EOF'
import sys
import numpy as np
out, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
tol = float(sys.argv[3])
if out.shape != ref.shape:
    print("shape-mismatch - FAIL")
    sys.exit()
err = float(np.abs(out.astype(np.float64) - ref).max())
scale = float(np.abs(ref).max())
ok = np.isfinite(out).all() and err <= tol * scale
print(f"{err:.3g} {err / scale:.3g} {'PASS' if ok else 'FAIL'}")
EOF
}

# compile_stats NAME: "seconds peak_MiB c_MiB" of `sinter compile`, or "- - -".
compile_stats() {
    dir="$WORK/$1.c.d"
    log="$WORK/$1.compile.log"
    t0=$(now)
    if /usr/bin/time -v "$SINTER" compile "$MODELS/$1.onnx" -o "$dir" --name "$1" >"$log" 2>&1; then
        t1=$(now)
        rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
        csize=$(du -cb "$dir"/*.c 2>/dev/null | awk 'END { printf "%.1f", $1 / 1048576 }')
        echo "$(elapsed "$t0" "$t1") ${rss:--} ${csize:--}"
    else
        echo "- - -"
    fi
}

failed=0
printf '%-16s %12s %10s %-6s %8s %10s %9s %7s\n' model max_abs_err err/max ok run_s compile_s peak_MiB c_MiB
for name in "$@"; do
    base=${name%_op*}
    out="$WORK/$name.out.npy"
    stats=$(compile_stats "$name")
    t0=$(now)
    if "$SINTER" run "$MODELS/$name.onnx" --input "$MODELS/${base}_input.npy" \
            --output "$out" >"$WORK/$name.run.log" 2>&1; then
        t1=$(now)
        result=$(compare "$out" "$MODELS/${base}_output.npy")
        secs=$(elapsed "$t0" "$t1")
    else
        result="- - FAIL"
        secs="-"
        sed 's/^/    /' "$WORK/$name.run.log" | tail -5 >&2
    fi
    set -- $result $stats
    printf '%-16s %12s %10s %-6s %8s %10s %9s %7s\n' "$name" "$1" "$2" "$3" "$secs" "$4" "$5" "$6"
    [ "$3" = PASS ] || failed=1
done
exit $failed
