#!/usr/bin/env bash
# test.sh - all tests on a fresh Debian 12: installs what it needs, builds,
# runs the CUnit suites (unit, frontend, malformed input, codegen, seed
# fixtures, ONNX node conformance), then the unit and malformed-input
# suites again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_packages "${BUILD_PACKAGES[@]}" clang libcunit1-dev python3 python3-onnx python3-numpy

[ -d build-test ] || meson setup build-test -Dtests=enabled
ninja -C build-test
meson test -C build-test --print-errorlogs --num-processes 2

[ -d build-asan ] || meson setup build-asan -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite conformance
