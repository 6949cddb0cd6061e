#!/bin/sh
# Regenerate every ONNX fixture in tests/fixtures from the example models.
#
#   scripts/make_fixtures.sh [OUTDIR]      (default: tests/fixtures)
#
# Deterministic: each model's weights and input come from a seed derived from
# its name, so rerunning gives the same tensors.  Needs Debian's python3-torch
# and python3-onnx (/usr/bin/python3 unless $PYTHON says otherwise).
set -eu

cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
OUT=${1:-tests/fixtures}
export PYTHONWARNINGS=ignore  # torch's exporter warns about every roll/chunk

# Reduced seed models: the node patterns of the full exports, small tensors.
for model in unext unext_s cmunext cmunext_s cmunext_l m2snet; do
    "$PY" examples/export.py "$model" --small --opset 13 --out "$OUT"
done
"$PY" examples/export.py unext --small --opset 17 --out "$OUT"

# Benchmark-style networks of our own, reduced (the full-size exports for
# bench/run_bench.sh are the same commands without --small, written to
# /tmp/bench-models).  mobilenet_hs stays at opset 13, where torch exports
# Hardswish as HardSigmoid + Mul.
for model in mobilenet_hs lstm2; do
    "$PY" examples/export.py "$model" --small --opset 13 --out "$OUT"
done

# Tiny generic networks for ops the seed models do not use.
for model in mlp convnet attention attention48 resnet; do
    "$PY" examples/export.py "$model" --opset 13 --out "$OUT"
done

# One small network per PyTorch export pattern of the op coverage (the
# scripted ones, chunk_seq, shape_if and chunk_loop, keep If, Loop and
# sequence ops in the graph).
for model in slice_assign einsum instance_norm conv_transpose roll chunk_seq shape_if chunk_loop; do
    "$PY" examples/export.py "$model" --opset 13 --out "$OUT"
done
