#!/usr/bin/python3
"""A slow, plain numpy interpreter for the ONNX ops Sinter supports.

    python3 examples/onnx_ref.py MODEL.onnx INPUT.npy [--ref OUTPUT.npy] [--dump NAME --out F.npy]

An oracle independent of PyTorch and of the compiler: it checks that an
exported fixture computes what PyTorch computed (the exporter has known
mismatches, e.g. torch.roll by a whole axis length), and it can dump any
intermediate tensor by name to debug generated code.  Floats are computed in
float64, written straight from the ONNX operator descriptions (opset 13-17);
only the attribute values the fixtures use need to be supported, anything
else raises NotImplementedError.
"""

import argparse
import math
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

OPS = {}


def op(*names):
    def register(fn):
        for n in names:
            OPS[n] = fn
        return fn
    return register


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _str(v):
    return v.decode() if isinstance(v, bytes) else v


# ---- elementwise --------------------------------------------------------

UNARY = {
    "Abs": np.abs, "Neg": np.negative, "Exp": np.exp, "Sqrt": np.sqrt, "Tanh": np.tanh,
    "Relu": lambda x: np.maximum(x, 0), "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "Erf": np.vectorize(math.erf, otypes=[np.float64]), "Identity": lambda x: x,
}
BINARY = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Pow": np.power}


@op(*UNARY)
def unary(node, a, x):
    return UNARY[node.op_type](x)


@op(*BINARY)
def binary(node, a, x, y):
    return BINARY[node.op_type](x, y)


@op("Div")
def div(node, a, x, y):
    if np.issubdtype(x.dtype, np.integer):  # truncates toward zero, like C
        q = np.abs(x) // np.abs(y)
        return np.where((x < 0) != (y < 0), -q, q)
    return x / y


@op("LeakyRelu")
def leaky_relu(node, a, x):
    return np.where(x >= 0, x, a.get("alpha", 0.01) * x)


@op("Clip")
def clip(node, a, x, lo=None, hi=None):
    if lo is not None:
        x = np.maximum(x, lo)
    return x if hi is None else np.minimum(x, hi)


@op("Cast")
def cast(node, a, x):
    return x.astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])


# ---- shapes and data movement -------------------------------------------

@op("Shape")
def shape(node, a, x):
    return np.array(x.shape, dtype=np.int64)


@op("ConstantOfShape")
def constant_of_shape(node, a, s):
    value = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
    return np.full(tuple(s), value.reshape(-1)[0], dtype=value.dtype)


@op("Constant")
def constant(node, a):
    if "value" not in a:
        raise NotImplementedError("Constant without a tensor value")
    return as_compute(numpy_helper.to_array(a["value"]))


@op("Reshape")
def reshape(node, a, x, s):
    s = [x.shape[i] if d == 0 and not a.get("allowzero", 0) else d for i, d in enumerate(s)]
    return x.reshape(s)


@op("Flatten")
def flatten(node, a, x):
    axis = a.get("axis", 1) % max(x.ndim, 1)
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


@op("Transpose")
def transpose(node, a, x):
    return np.transpose(x, a.get("perm"))


@op("Unsqueeze")
def unsqueeze(node, a, x, axes=None):
    axes = a["axes"] if axes is None else axes
    out_rank = x.ndim + len(axes)
    for ax in sorted(int(v) % out_rank for v in axes):
        x = np.expand_dims(x, ax)
    return x


@op("Squeeze")
def squeeze(node, a, x, axes=None):
    axes = a.get("axes") if axes is None else axes
    return np.squeeze(x) if axes is None else np.squeeze(x, tuple(int(v) for v in axes))


@op("Concat")
def concat(node, a, *xs):
    return np.concatenate(xs, axis=a["axis"])


@op("Gather")
def gather(node, a, x, idx):
    return np.take(x, idx, axis=a.get("axis", 0))


@op("Split")
def split(node, a, x, sizes=None):
    axis = a.get("axis", 0)
    sizes = a.get("split") if sizes is None else sizes
    if sizes is None:
        n = len(node.output)
        sizes = [-(-x.shape[axis] // n)] * n
    cuts = np.cumsum(sizes)[:-1]
    return tuple(np.split(x, cuts, axis=axis))


def slice_bounds(start, end, step, dim):
    """Clamp ONNX Slice bounds to a Python slice over an axis of length dim."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        return slice(min(max(start, 0), dim), min(max(end, 0), dim), step)
    start = min(max(start, -1), dim - 1)
    end = min(max(end, -1), dim - 1)
    return slice(start, None if end < 0 else end, step) if start >= 0 else slice(0, 0)


@op("Slice")
def slice_(node, a, x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * x.ndim
    for s, e, ax, st in zip(starts, ends, axes, steps):
        ax = int(ax) % x.ndim
        index[ax] = slice_bounds(int(s), int(e), int(st), x.shape[ax])
    return x[tuple(index)]


@op("Pad")
def pad(node, a, x, pads, value=None, axes=None):
    if axes is not None:
        raise NotImplementedError("Pad with axes")
    n = x.ndim
    widths = [(int(pads[i]), int(pads[i + n])) for i in range(n)]
    if min(min(w) for w in widths) < 0:
        raise NotImplementedError("negative pads")
    mode = _str(a.get("mode", "constant"))
    if mode == "constant":
        return np.pad(x, widths, constant_values=0 if value is None else value.reshape(-1)[0])
    return np.pad(x, widths, mode={"reflect": "reflect", "edge": "edge"}[mode])


# ---- reductions and normalizations ----------------------------------------

@op("ReduceMean")
def reduce_mean(node, a, x, axes=None):
    axes = a.get("axes") if axes is None else axes
    axes = None if axes is None else tuple(int(v) for v in axes)
    return np.mean(x, axis=axes, keepdims=bool(a.get("keepdims", 1)))


@op("Softmax")
def softmax(node, a, x):
    axis = a.get("axis", -1)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@op("GlobalAveragePool")
def global_average_pool(node, a, x):
    return x.mean(axis=tuple(range(2, x.ndim)), keepdims=True)


def channel(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


@op("BatchNormalization")
def batch_norm(node, a, x, scale, bias, mean, var):
    eps = a.get("epsilon", 1e-5)
    return (x - channel(mean, x.ndim)) / np.sqrt(channel(var, x.ndim) + eps) * \
        channel(scale, x.ndim) + channel(bias, x.ndim)


@op("LayerNormalization")
def layer_norm(node, a, x, scale, bias=None):
    axes = tuple(range(a.get("axis", -1) % x.ndim, x.ndim))
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + a.get("epsilon", 1e-5)) * scale
    return y if bias is None else y + bias


# ---- matrix products and convolution --------------------------------------

@op("MatMul")
def matmul(node, a, x, y):
    return np.matmul(x, y)


@op("Gemm")
def gemm(node, a, x, w, c=None):
    x = x.T if a.get("transA", 0) else x
    w = w.T if a.get("transB", 0) else w
    y = a.get("alpha", 1.0) * (x @ w)
    return y if c is None else y + a.get("beta", 1.0) * c


def spatial_params(a, x, kernel):
    n = len(kernel)
    pads = a.get("pads", [0] * 2 * n)
    if _str(a.get("auto_pad", "NOTSET")) != "NOTSET":
        raise NotImplementedError("auto_pad")
    return (list(a.get("strides", [1] * n)), list(a.get("dilations", [1] * n)),
            list(pads[:n]), list(pads[n:]))


@op("Conv")
def conv(node, a, x, w, b=None):
    kernel = w.shape[2:]
    strides, dil, pb, pe = spatial_params(a, x, kernel)
    group = a.get("group", 1)
    xp = np.pad(x, [(0, 0), (0, 0)] + list(zip(pb, pe)))
    out_sp = [(xp.shape[2 + i] - dil[i] * (kernel[i] - 1) - 1) // strides[i] + 1
              for i in range(len(kernel))]
    cin, cout = w.shape[1], w.shape[0]
    y = np.zeros((x.shape[0], cout) + tuple(out_sp))
    for g in range(group):
        xg = xp[:, g * cin:(g + 1) * cin]
        wg = w[g * (cout // group):(g + 1) * (cout // group)]
        for k in np.ndindex(*kernel):
            win = tuple(slice(k[i] * dil[i], k[i] * dil[i] + strides[i] * (out_sp[i] - 1) + 1,
                              strides[i]) for i in range(len(kernel)))
            patch = xg[(slice(None), slice(None)) + win]
            y[:, g * (cout // group):(g + 1) * (cout // group)] += \
                np.einsum("nc...,oc->no...", patch, wg[(slice(None), slice(None)) + k])
    return y if b is None else y + channel(b, y.ndim)


def pool(x, a, reduce_max):
    """MaxPool / AveragePool over the spatial axes, with ceil_mode and pads."""
    kernel = a["kernel_shape"]
    strides, dil, pb, pe = spatial_params(a, x, kernel)
    if any(d != 1 for d in dil):
        raise NotImplementedError("pool dilations")
    n = len(kernel)
    out_sp = []
    for i in range(n):
        span = x.shape[2 + i] + pb[i] + pe[i] - kernel[i]
        o = (-(-span // strides[i]) if a.get("ceil_mode", 0) else span // strides[i]) + 1
        if a.get("ceil_mode", 0) and (o - 1) * strides[i] >= x.shape[2 + i] + pb[i]:
            o -= 1  # the last window must start inside the input or left pad
        out_sp.append(o)
    extra = [max(0, (out_sp[i] - 1) * strides[i] + kernel[i] - (x.shape[2 + i] + pb[i] + pe[i]))
             for i in range(n)]
    fill = -np.inf if reduce_max else 0.0
    widths = [(0, 0), (0, 0)] + [(pb[i], pe[i] + extra[i]) for i in range(n)]
    xp = np.pad(x, widths, constant_values=fill)
    inside = np.pad(np.ones(x.shape[2:]), widths[2:])  # 1 where real input
    in_pad = np.pad(np.ones([x.shape[2 + i] + pb[i] + pe[i] for i in range(n)]),
                    [(0, e) for e in extra])  # 1 within input + declared pads
    count_all = a.get("count_include_pad", 0)
    y = np.full(x.shape[:2] + tuple(out_sp), fill)
    counts = np.zeros(out_sp)
    for k in np.ndindex(*kernel):
        win = tuple(slice(k[i], k[i] + strides[i] * (out_sp[i] - 1) + 1, strides[i])
                    for i in range(n))
        patch = xp[(slice(None), slice(None)) + win]
        if reduce_max:
            y = np.maximum(y, patch)
        else:
            y = y + patch
            counts = counts + (in_pad if count_all else inside)[win]
    return y if reduce_max else y / counts


@op("MaxPool")
def max_pool(node, a, x):
    if len(node.output) > 1:
        raise NotImplementedError("MaxPool indices")
    return pool(x, a, True)


@op("AveragePool")
def average_pool(node, a, x):
    return pool(x, a, False)


# ---- Resize ----------------------------------------------------------------

def source_coords(mode, n_out, n_in, scale):
    """Input coordinate of each output index along one axis."""
    i = np.arange(n_out, dtype=np.float64)
    if mode == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (i + 0.5) / scale - 0.5 if n_out > 1 else np.zeros(n_out)
    if mode == "align_corners":
        return i * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(n_out)
    if mode == "asymmetric":
        return i / scale
    raise NotImplementedError(f"coordinate_transformation_mode {mode}")


def resize_axis(x, axis, n_out, scale, mode, ctm, nearest_mode):
    n_in = x.shape[axis]
    src = source_coords(ctm, n_out, n_in, scale)
    if mode == "nearest":
        if nearest_mode != "floor":
            raise NotImplementedError(f"nearest_mode {nearest_mode}")
        return np.take(x, np.clip(np.floor(src), 0, n_in - 1).astype(np.int64), axis=axis)
    if mode != "linear":
        raise NotImplementedError(f"Resize mode {mode}")
    src = np.clip(src, 0, n_in - 1)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w = (src - i0).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    return np.take(x, i0, axis=axis) * (1 - w) + np.take(x, i1, axis=axis) * w


@op("Resize")
def resize(node, a, x, roi=None, scales=None, sizes=None):
    if sizes is not None and sizes.size:
        sizes = [int(v) for v in sizes]
        scales = [sizes[d] / x.shape[d] for d in range(x.ndim)]
    else:
        sizes = [int(math.floor(x.shape[d] * scales[d])) for d in range(x.ndim)]
    mode = _str(a.get("mode", "nearest"))
    ctm = _str(a.get("coordinate_transformation_mode", "half_pixel"))
    nearest_mode = _str(a.get("nearest_mode", "round_prefer_floor"))
    for d in range(x.ndim):
        if sizes[d] != x.shape[d] or scales[d] != 1:
            x = resize_axis(x, d, sizes[d], float(scales[d]), mode, ctm, nearest_mode)
    return x


# ---- the interpreter --------------------------------------------------------

def as_compute(v):
    """Floats are computed in float64; other types stay as they are."""
    return v.astype(np.float64) if np.issubdtype(v.dtype, np.floating) else v


def run(model, feeds, keep=()):
    """Run the graph on feeds {name: array}; returns the graph outputs and
    the tensors named in keep, as {name: array}."""
    env = {t.name: as_compute(numpy_helper.to_array(t)) for t in model.graph.initializer}
    env.update({k: as_compute(v) for k, v in feeds.items()})
    for node in model.graph.node:
        if node.op_type not in OPS:
            raise NotImplementedError(f"op {node.op_type}")
        args = [env[i] if i else None for i in node.input]
        while args and args[-1] is None:
            args.pop()
        result = OPS[node.op_type](node, attrs(node), *args)
        results = result if isinstance(result, tuple) else (result,)
        for name, value in zip(node.output, results):
            env[name] = value
    wanted = [o.name for o in model.graph.output] + list(keep)
    return {n: env[n] for n in wanted}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("input", help=".npy for the graph's (single) input")
    ap.add_argument("--ref", help="reference output .npy to compare with")
    ap.add_argument("--dump", help="name of a tensor to save (with --out)")
    ap.add_argument("--out", help="where to save the dumped (or output) tensor")
    args = ap.parse_args()

    model = onnx.load(args.model)
    inputs = [i.name for i in model.graph.input if i.name not in
              {t.name for t in model.graph.initializer}]
    result = run(model, {inputs[0]: np.load(args.input)}, [args.dump] if args.dump else [])
    y = result[model.graph.output[0].name]
    if args.out:
        np.save(args.out, result[args.dump or model.graph.output[0].name].astype(np.float32))
    if args.ref:
        ref = np.load(args.ref)
        if ref.shape != y.shape:
            print(f"shape {y.shape}, reference {ref.shape}")
            return 1
        err = float(np.abs(y - ref).max())
        scale = float(np.abs(ref).max())
        print(f"{args.model}: max|ref - numpy| {err:.3g} ({err / scale:.2g} of max|ref| {scale:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
