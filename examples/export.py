#!/usr/bin/python3
"""Export one of Sinter's example networks to ONNX with a reference output.

    python3 examples/export.py MODEL --out DIR [--opset 13|17] [--size H|HxW] [--small]

writes DIR/MODEL_opNN.onnx, DIR/MODEL_input.npy (a fixed-seed random input)
and DIR/MODEL_output.npy (PyTorch's float32 output for it, eval mode), and
prints the exported graph's op-type histogram.

Weights are random, and every normalization is made non-trivial so that a
wrong BatchNorm fold or LayerNorm fusion cannot hide behind identity
statistics: BN and LN affine parameters are drawn at random, then BN running
statistics are measured on random data in training mode (which keeps the
activations of deep random networks in a sane range) and perturbed.

Runs with Debian's python3-torch (1.13) and python3-onnx; no network access.
"""

import argparse
import copy
import os
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "models"))

import cmunext  # noqa: E402
import generic  # noqa: E402
import lstm2  # noqa: E402
import m2snet  # noqa: E402
import mobilenet_hs  # noqa: E402
import patterns  # noqa: E402
import unext  # noqa: E402


class Spec:
    """How to build one model at full size and as a reduced variant.

    build(small) returns the nn.Module; size/small_size are the input shape
    (N, C, H, W), (N, T, C) or, for the LSTM, (T, N, C); only image models
    accept --size.  A scripted model is exported through torch.jit.script,
    which keeps Python control flow and lists as If, Loop and sequence ops
    (tracing would evaluate them away); `needs` lists op types the export
    must contain, so a change of exporter that loses the pattern fails
    loudly."""

    def __init__(self, build, size, small_size, image=True, script=False, needs=()):
        self.build = build
        self.size = size
        self.small_size = small_size
        self.image = image
        self.script = script
        self.needs = needs


def pattern(cls, shape, *needs, script=False):
    """A fixed-size network of examples/models/patterns.py."""
    return Spec(lambda small: cls(), shape, shape, image=False, script=script, needs=needs)


# Reduced widths keep every structural feature: UNeXt's shift groups stay
# uneven where the full model's are (C not a multiple of 5, and at least
# 4 * ceil(C/5) < C so torch.chunk still yields 5 groups), CMUNeXt keeps its
# depths and kernels, M2SNet keeps Res2Net-50's 3-4-6-3 layout and 26w4s.
SPECS = {
    "unext": Spec(lambda small: unext.unext(dims=(4, 8, 14, 20, 26) if small else unext.UNEXT_DIMS),
                  (1, 3, 256, 256), (1, 3, 64, 64)),
    "unext_s": Spec(lambda small: unext.unext_s(dims=(3, 6, 9, 13, 17) if small else unext.UNEXT_S_DIMS),
                    (1, 3, 256, 256), (1, 3, 32, 32)),
    "cmunext": Spec(lambda small: cmunext.cmunext(**({"dims": (4, 8, 12, 16, 20)} if small else {})),
                    (1, 3, 256, 256), (1, 3, 48, 48)),
    "cmunext_s": Spec(lambda small: cmunext.cmunext_s(**({"dims": (3, 5, 6, 8, 10)} if small else {})),
                      (1, 3, 256, 256), (1, 3, 32, 32)),
    "cmunext_l": Spec(lambda small: cmunext.cmunext_l(**({"dims": (4, 6, 8, 12, 16)} if small else {})),
                      (1, 3, 256, 256), (1, 3, 48, 64)),
    "m2snet": Spec(lambda small: m2snet.m2snet(**({"ch": 8, "stem": (8, 8, 8), "planes": (8, 12, 16, 24),
                                                   "num_classes": 10} if small else {})),
                   (1, 3, 352, 352), (1, 3, 80, 80)),
    # Benchmark-style networks of our own (full size: the ONNX Runtime
    # comparison in bench/; --small: the fixtures).  mobilenet_hs must be
    # exported at opset 13 to show Hardswish as HardSigmoid + Mul (opset
    # 17 emits HardSwish); the fixture keeps all 7 blocks at a third of
    # the widths.  lstm2 is sequence-first (T, N, C): seq 50 / 20.
    "mobilenet_hs": Spec(mobilenet_hs.mobilenet_hs, (1, 3, 224, 224), (1, 3, 64, 64),
                         needs=("HardSigmoid", "GlobalAveragePool")),
    "lstm2": Spec(lstm2.lstm2, (50, 1, 64), (20, 1, 64), image=False, needs=("LSTM",)),
    "mlp": Spec(lambda small: generic.TinyMLP(), (2, 4, 6, 6), (2, 4, 6, 6), image=False),
    "convnet": Spec(lambda small: generic.TinyConvNet(), (1, 3, 20, 24), (1, 3, 20, 24)),
    "attention": Spec(lambda small: generic.TinyAttention(), (1, 8, 12), (1, 8, 12), image=False),
    # 48 tokens: products of two activations large enough to split over
    # threads (snt_sgemm_mt), for tests/test_reentrant.c.
    "attention48": Spec(lambda small: generic.TinyAttention(), (1, 48, 12), (1, 48, 12),
                        image=False),
    "resnet": Spec(lambda small: generic.TinyResNet(), (2, 3, 27, 30), (2, 3, 27, 30)),
    "slice_assign": pattern(patterns.SliceAssign, (1, 4, 6, 7), "ScatterND"),
    "einsum": pattern(patterns.EinsumNet, (2, 4, 3, 4), "Einsum"),
    "instance_norm": pattern(patterns.InstanceNormNet, (2, 4, 5, 6), "InstanceNormalization"),
    "conv_transpose": pattern(patterns.ConvTransposeNet, (1, 4, 5, 6), "ConvTranspose"),
    "roll": pattern(patterns.RollNet, (1, 3, 5, 4), "Slice", "Concat"),
    "chunk_seq": pattern(patterns.ChunkSeq, (1, 8, 4, 5), "SplitToSequence", "SequenceAt",
                         "ConcatFromSequence", script=True),
    "shape_if": pattern(patterns.ShapeIf, (1, 3, 5, 6), "If", script=True),
    "chunk_loop": pattern(patterns.ChunkLoop, (1, 9, 5, 7), "Loop", "If", "SplitToSequence",
                          "SequenceAt", script=True),
}


def parse_size(text, shape):
    """'H' or 'HxW' replaces the spatial dims of an (N, C, H, W) shape."""
    dims = [int(v) for v in text.lower().split("x")]
    if len(dims) == 1:
        dims *= 2
    return shape[:2] + tuple(dims)


@torch.no_grad()
def randomize_norms(model, shape, gen):
    """Random BN/LN affine values, then BN statistics measured on random data."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)) and m.weight is not None:
            m.weight.uniform_(0.6, 1.4, generator=gen)
            m.bias.normal_(0.0, 0.2, generator=gen)
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over all calls
    model.train()
    calib = (4,) + tuple(shape[1:])  # BN needs > 1 value per channel
    model(torch.randn(calib, generator=gen))
    for bn in bns:
        bn.momentum = 0.1
        std = bn.running_var.sqrt()
        bn.running_mean.add_(0.1 * std * torch.randn(std.shape, generator=gen))
        bn.running_var.mul_(torch.empty(std.shape).uniform_(0.8, 1.25, generator=gen))
        # A channel that is nearly constant (a GELU mostly below zero) would
        # be scaled up by 1/sqrt(var + eps) and amplify rounding noise: keep
        # the fixtures well conditioned.
        bn.running_var.clamp_(min=0.1 * float(bn.running_var.mean()))
    model.eval()


def build_model(name, small, shape, seed):
    torch.manual_seed(seed)  # the default weight initialization
    model = SPECS[name].build(small)
    randomize_norms(model, shape, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def fp64_deviation(model, x, y):
    """max |float32 output - float64 output|: the model's own rounding noise,
    a floor for any tolerance used with its reference output."""
    model64 = copy.deepcopy(model).double()
    for m in model64.modules():  # plain tensor attributes (M2SNet's CNN1)
        for key, value in vars(m).items():
            if isinstance(value, torch.Tensor):
                setattr(m, key, value.double())
    with torch.no_grad():
        y64 = model64(torch.from_numpy(x).double()).numpy()
    return float(np.abs(y - y64).max())


def op_histogram(graph):
    """{op type: count} over the graph and the subgraphs of If/Loop bodies."""
    counts = {}
    for node in graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                for op, count in op_histogram(attr.g).items():
                    counts[op] = counts.get(op, 0) + count
    return counts


def export(name, out_dir, opset=13, size=None, small=False, seed=None, fp64=True):
    """Export NAME; returns the path of the .onnx file, the output's
    max |value|, (if fp64) its float64 deviation, else None, and the
    graph's op-type histogram."""
    spec = SPECS[name]
    shape = spec.small_size if small else spec.size
    if size:
        if not spec.image:
            raise SystemExit(f"{name}: --size applies to image models only")
        shape = parse_size(size, shape)
    if seed is None:
        seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
    model = build_model(name, small, shape, seed)

    x = np.random.RandomState(seed).standard_normal(shape).astype(np.float32)
    exported = torch.jit.script(model) if spec.script else model
    with torch.no_grad():
        y = exported(torch.from_numpy(x)).numpy().astype(np.float32)

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}_op{opset}.onnx")
    torch.onnx.export(exported, torch.from_numpy(x), path, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    # Check a loaded copy: onnx 1.12's checker rewrites a file given by path.
    graph = onnx.load(path)
    onnx.checker.check_model(graph, full_check=True)
    ops = op_histogram(graph.graph)
    missing = [op for op in spec.needs if op not in ops]
    if missing:
        raise SystemExit(f"{name}: the export lacks {', '.join(missing)}: {ops}")
    np.save(os.path.join(out_dir, f"{name}_input.npy"), x)
    np.save(os.path.join(out_dir, f"{name}_output.npy"), y)
    return path, float(np.abs(y).max()), fp64_deviation(model, x, y) if fp64 else None, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", choices=sorted(SPECS))
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--opset", type=int, default=13, choices=(13, 17))
    ap.add_argument("--size", help="input H or HxW (image models)")
    ap.add_argument("--small", action="store_true", help="reduced widths and input size")
    ap.add_argument("--seed", type=int, help="default: derived from the model name")
    args = ap.parse_args()
    path, peak, dev64, ops = export(args.model, args.out, args.opset, args.size, args.small,
                                    args.seed)
    print(f"{path}: {os.path.getsize(path)} bytes, max|output| {peak:.4g}, "
          f"max|fp32 - fp64| {dev64:.3g} ({dev64 / peak:.2g} of max|output|)")
    print("  ops: " + ", ".join(f"{op} {count}" for op, count in sorted(ops.items())))


if __name__ == "__main__":
    main()
