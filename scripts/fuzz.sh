#!/usr/bin/env bash
# fuzz.sh [SECONDS [TARGET...]] - runs every libFuzzer target (fuzz/), or
# the ones named (onnx_loader, compile, npy, tensor_proto), for SECONDS
# each (default 60), one after the other, and reports per target its number of
# executions and the outcome.  Exits non-zero on any crash, leak, hang (an
# input running over 10 s) or out-of-memory (over 2 GB); the inputs that
# caused them are left in the folder it names.
#
# Builds in build-fuzz/ with clang: -Dfuzz=enabled, ASan and UBSan.  Seeds
# (scripts/fuzz_seeds.py): the fixtures, ONNX's node tests and what they
# hold; tests/fuzz_corpus/TARGET/ (inputs that once broke a target) too.
# What each target finds is kept in build-fuzz/fuzz-work/corpus/TARGET,
# so a second run goes on from where the first stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_packages "${BUILD_PACKAGES[@]}" clang python3 python3-onnx python3-numpy

seconds=${1:-60}
shift || true
only=" $* "
build=build-fuzz
work=$build/fuzz-work
crashes=$work/crashes

[ -d $build ] || CC=clang meson setup $build -Dfuzz=enabled -Dtests=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false
meson configure $build -Dwerror=true
ninja -C $build

if [ ! -d $work/seeds ]; then
    rm -rf $work/node-tests $work/seeds.tmp
    scripts/gen_node_tests.py $work/node-tests >/dev/null
    scripts/fuzz_seeds.py $work/node-tests $work/seeds.tmp
    mv $work/seeds.tmp $work/seeds
fi
mkdir -p $crashes

# What went wrong, from a libFuzzer log (the first report wins).
outcome_of() {
    local log=$1
    if grep -q "ERROR: libFuzzer: timeout" "$log"; then echo "HANG"
    elif grep -q -e "out-of-memory" -e "malloc(.*) exceeds" "$log"; then echo "OUT OF MEMORY"
    elif grep -q "ERROR: LeakSanitizer" "$log"; then echo "LEAK"
    else echo "CRASH"
    fi
}

# Each target with its seed folder (below $work/seeds) and options.  The
# ONNX targets take models of up to 16 KB: the node tests and the small
# fixtures compile at tens of thousands a second, the 100-550 KB fixtures
# at under a hundred, and mutations of the small ones found what the
# large ones did (tests/fuzz_corpus/compile/) and more.
targets=(
    "onnx_loader onnx -dict=fuzz/onnx.dict -max_len=16384"
    "compile onnx -dict=fuzz/onnx.dict -max_len=16384"
    "npy npy"
    "tensor_proto pb"
)
failed=0
total=0
ran=0
printf "%-14s %12s  %s\n" target executions outcome
for spec in "${targets[@]}"; do
    read -r name seed options <<<"$spec"
    [ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
    corpus=$work/corpus/$name
    mkdir -p "$corpus"
    regressions=()
    [ -d tests/fuzz_corpus/$name ] && regressions=(tests/fuzz_corpus/$name)
    log=$work/$name.log
    ran=$((ran + 1))
    status=0
    # shellcheck disable=SC2086 # $options is a list of flags
    $build/fuzz/fuzz_$name -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/$name-" $options \
        "$corpus" "$work/seeds/$seed" "${regressions[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    total=$((total + ${execs:-0}))
    if [ $status -eq 0 ]; then
        printf "%-14s %12s  ok\n" "$name" "${execs:-?}"
    else
        failed=1
        input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        printf "%-14s %12s  %s (exit %d): input %s, log %s\n" "$name" "${execs:-?}" \
            "$(outcome_of "$log")" $status "${input:-?}" "$log"
    fi
done
if [ $ran -eq 0 ]; then
    echo "fuzz.sh: no target named$only(the targets: onnx_loader compile npy tensor_proto)" >&2
    exit 2
fi
echo "fuzz.sh: $ran targets, ${seconds} s each, $total executions in all"
if [ $failed -ne 0 ]; then
    echo "fuzz.sh: FAILED; the inputs are in $crashes/ (replay one: $build/fuzz/fuzz_TARGET FILE)"
    exit 1
fi
