#!/usr/bin/python3
"""Compare our full-size example models with the reference exports.

    python3 examples/check_against_shared.py [--shared DIR] [--keep DIR] [--small] [MODEL_opNN ...]

The reference exports (made from the authors' own code) live outside the
project, in $SHARED/models (default: ../shared/models beside the checkout).
For each one, this exports our definition at the same opset and prints the
differences in: op-type histogram, node signatures (op type + attributes),
initializer count and element count, input/output shapes, and the
parameter count of the torch module against the published table.  With --small,
the reduced variants (the test fixtures) are compared instead, on the
op-type histogram only (their widths and sizes differ by design).  Nothing
is read from the reference files but their graph structure.
Exit status 1 if anything differs, 0 if all match, 2 if there is no
reference directory.
"""

import argparse
import collections
import os
import sys
import tempfile

import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export  # noqa: E402

# Parameters of the authors' modules (torch numel over .parameters()).
PARAM_COUNTS = {
    "unext": 1_471_921,
    "unext_s": 253_561,
    "cmunext": 3_149_185,
    "cmunext_s": 417_505,
    "cmunext_l": 8_286_721,
    "m2snet": 29_741_585,
}

REFERENCES = ("unext_op13", "unext_op17", "unext_s_op13", "cmunext_op13",
              "cmunext_s_op13", "cmunext_l_op17", "m2snet_op13")


def histogram(model):
    return collections.Counter(n.op_type for n in model.graph.node)


def signatures(model):
    """op type plus attributes (Constant values excluded): a stricter histogram."""
    sigs = collections.Counter()
    for n in model.graph.node:
        if n.op_type == "Constant":
            sigs["Constant"] += 1
            continue
        attrs = sorted(f"{a.name}={helper.get_attribute_value(a)}" for a in n.attribute)
        sigs[n.op_type + "{" + ",".join(attrs) + "}"] += 1
    return sigs


def io_shapes(model):
    def dims(vi):
        return [d.dim_value if d.HasField("dim_value") else d.dim_param
                for d in vi.type.tensor_type.shape.dim]
    return ([(i.name, dims(i)) for i in model.graph.input],
            [(o.name, dims(o)) for o in model.graph.output])


def initializer_stats(model):
    return (len(model.graph.initializer),
            sum(numpy_helper.to_array(t).size for t in model.graph.initializer))


def counter_diff(title, ours, ref):
    """Print the keys whose counts differ; return True if any do."""
    keys = sorted(set(ours) | set(ref))
    diff = [(k, ours.get(k, 0), ref.get(k, 0)) for k in keys if ours.get(k, 0) != ref.get(k, 0)]
    for k, a, b in diff:
        print(f"    {title}: {k}: ours {a}, reference {b}")
    return bool(diff)


def compare_small(name, ref_dir, out_dir):
    base, opset = name.rsplit("_op", 1)
    ref = onnx.load(os.path.join(ref_dir, name + ".onnx"), load_external_data=False)
    ours = onnx.load(export.export(base, out_dir, opset=int(opset), small=True, fp64=False)[0])
    bad = counter_diff("op", histogram(ours), histogram(ref))
    print(f"{name} (reduced): {len(ours.graph.node)} nodes: {'DIFFERENT' if bad else 'same op histogram'}")
    return not bad


def compare(name, ref_dir, out_dir):
    base, opset = name.rsplit("_op", 1)
    ref = onnx.load(os.path.join(ref_dir, name + ".onnx"), load_external_data=False)
    ours = onnx.load(export.export(base, out_dir, opset=int(opset), fp64=False)[0])
    params = sum(p.numel() for p in export.SPECS[base].build(False).parameters())

    h_ours, h_ref = histogram(ours), histogram(ref)
    bad = counter_diff("op", h_ours, h_ref)
    bad |= counter_diff("signature", signatures(ours), signatures(ref))
    for what, a, b in (("io shapes", io_shapes(ours), io_shapes(ref)),
                       ("initializers (count, elements)", initializer_stats(ours), initializer_stats(ref)),
                       ("torch parameters", params, PARAM_COUNTS[base])):
        if a != b:
            print(f"    {what}: ours {a}, reference {b}")
            bad = True
    total = sum(h_ours.values())
    print(f"{name}: {total} nodes (reference {sum(h_ref.values())}), "
          f"{params} params: {'DIFFERENT' if bad else 'identical'}")
    return not bad


def main():
    default_shared = os.environ.get("SHARED", os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=default_shared, help="directory holding models/")
    ap.add_argument("--keep", help="write our exports here instead of a temporary directory")
    ap.add_argument("--small", action="store_true", help="compare the reduced variants")
    ap.add_argument("models", nargs="*", default=REFERENCES)
    args = ap.parse_args()

    ref_dir = os.path.join(args.shared, "models")
    if not os.path.isdir(ref_dir):
        print(f"no reference exports in {ref_dir}; nothing to compare")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        check = compare_small if args.small else compare
        results = [check(m, ref_dir, args.keep or tmp) for m in args.models]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
