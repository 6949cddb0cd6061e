#!/usr/bin/env bash
# demo.sh - the main job on a fresh Debian 12: installs what it needs,
# builds Sinter, compiles a bundled model (UNeXt, reduced) to C, builds
# that C with the runtime, runs it and compares with PyTorch's output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_packages "${BUILD_PACKAGES[@]}"

[ -d build ] || meson setup build --buildtype=release -Dtests=disabled
ninja -C build

model=tests/fixtures/unext_op13.onnx
sinter=build/tools/sinter
echo "== sinter info $model"
"$sinter" info "$model" | head -n 12
echo "== sinter compile $model -o build/demo"
"$sinter" compile "$model" -o build/demo --name unext
ls -l build/demo/unext.c build/demo/unext.h
echo "== sinter run (builds build/demo/unext.c with cc and runs it)"
"$sinter" run "$model" --name unext --keep build/demo \
    --input tests/fixtures/unext_input.npy --output build/demo/unext_out.npy
echo "== against PyTorch's output"
"$sinter" compare build/demo/unext_out.npy tests/fixtures/unext_output.npy
