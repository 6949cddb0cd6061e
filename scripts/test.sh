#!/usr/bin/env bash
# test.sh - all tests on a fresh Debian 12: installs what it needs, builds,
# runs the CUnit suites (unit, frontend, malformed input, codegen, seed
# fixtures, the demo's segmenter, ONNX node conformance, the NEON kernels
# and --target neon cross-built for AArch64 and run under qemu, the
# fixtures' generated programs under valgrind), then every suite but
# conformance, NEON and valgrind again under AddressSanitizer + UBSan,
# and last the fuzz targets for $SINTER_FUZZ_SECONDS (default 60) each.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
# libpng-dev: tests/test_demo.c builds examples/segment.c.  The last three
# build and run tests/test_neon.c's AArch64 programs: the cross compiler,
# its (static) libc, and qemu-user's qemu-aarch64.  valgrind: tests/test_valgrind.c.
install_packages "${BUILD_PACKAGES[@]}" clang libcunit1-dev python3 python3-onnx python3-numpy \
    libpng-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user valgrind

# -Dwerror: the build stays free of warnings; configure also turns it on
# in a build-test left from before it was set.
[ -d build-test ] || meson setup build-test -Dtests=enabled
meson configure build-test -Dwerror=true
ninja -C build-test
# The NEON and valgrind suites skip themselves without the tools above;
# here they were installed, so a skip would hide a broken setup: make it
# a failure.
SINTER_REQUIRE_NEON=1 SINTER_REQUIRE_VALGRIND=1 meson test -C build-test --print-errorlogs --num-processes 2

[ -d build-asan ] || meson setup build-asan -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false
meson configure build-asan -Dwerror=true
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite conformance --no-suite neon

# The libFuzzer targets (fuzz/), each for a bounded time, built with
# clang, ASan and UBSan in build-fuzz: a crash, leak, hang or
# out-of-memory fails the run (scripts/fuzz.sh names the input).
bash scripts/fuzz.sh "${SINTER_FUZZ_SECONDS:-60}"
