#!/usr/bin/env bash
# demo.sh - the main job on a fresh Debian 12: installs what it needs,
# builds Sinter, compiles the bundled lesion segmenter (a small UNeXt,
# examples/demo/unext_us.onnx) to C, builds examples/segment.c around it,
# segments a bundled ultrasound-like image, writes the mask and an
# overlay as PNG files, and prints the Dice score against the image's
# ground truth, the time per image and the model's FLOPs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_packages "${BUILD_PACKAGES[@]}" libpng-dev

[ -d build ] || meson setup build --buildtype=release -Dtests=disabled
ninja -C build

sinter=build/tools/sinter
model=examples/demo/unext_us.onnx
sample=examples/demo/sample1
out=build/demo
mkdir -p "$out"

echo "== sinter compile $model -o $out --name unext"
"$sinter" compile "$model" -o "$out" --name unext

echo "== cc ... examples/segment.c $out/unext.c (libpng, the runtime)"
cc -std=c99 -O2 -I runtime/include -I "$out" -o "$out/segment" examples/segment.c "$out/unext.c" \
    build/runtime/libsinter_rt.a $(pkg-config --cflags --libs libpng) -lm

echo "== $out/segment $sample.png"
"$out/segment" "$sample.png" "$out/sample1_mask.png" "$out/sample1_overlay.png" "${sample}_truth.png"

echo "== sinter flops $model (unfused -O0 vs fused -O2)"
"$sinter" flops "$model" | sed -n '2,/^$/p' # the totals, not the layers
