#!/usr/bin/python3
"""Writes ir/ops/op_attrs.def: the attributes of every op Sinter supports.

Usage: gen_op_attrs.py > ir/ops/op_attrs.def

For each op of ir/ops/op_list.h that ONNX defines, one OP_ATTRS entry per
schema version that changed its attributes lists each attribute
with its type, whether it is required and, for the string attributes whose
values ONNX restricts, the values it allows.  The schemas come from Debian's
python3-onnx (onnx.defs, ONNX 1.12: opsets up to 17); what changed in opsets
18 to 21, and ops newer than 1.12, are written out in LATER below from
ONNX's Changelog.md.  The output is committed, so building Sinter needs no
Python; run this again when an op or an opset is added.
"""

import re
import sys

import onnx.defs

OP_LIST = "ir/ops/op_list.h"

# Attribute type names as ONNX's AttributeProto.AttributeType spells them.
TYPES = {"FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS",
         "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "TYPE_PROTO"}

# Schema versions past ONNX 1.12, as (op, since): the attributes added
# ({name: (type, required)}) and removed, relative to the op's previous
# version.  Versions that only widened types are left out: their
# attributes are those of the version before.
LATER = {
    ("AveragePool", 19): ({"dilations": ("INTS", False)}, []),
    ("Cast", 19): ({"saturate": ("INT", False)}, []),
    ("CastLike", 19): ({"saturate": ("INT", False)}, []),
    ("DFT", 20): ({}, ["axis"]),
    ("DequantizeLinear", 21): ({"block_size": ("INT", False)}, []),
    ("Gelu", 20): ({"approximate": ("STRING", False)}, []),
    ("LpPool", 18): ({"ceil_mode": ("INT", False)}, []),
    ("Mish", 18): ({}, []),
    ("QuantizeLinear", 19): ({"saturate": ("INT", False)}, []),
    ("QuantizeLinear", 21): ({"block_size": ("INT", False),
                              "output_dtype": ("INT", False)}, []),
    ("Resize", 18): ({"antialias": ("INT", False), "axes": ("INTS", False),
                      "keep_aspect_ratio_policy": ("STRING", False)}, []),
    ("Split", 18): ({"num_outputs": ("INT", False)}, []),
}
# Opset 18 made every Reduce op's axes an input, as ReduceSum's since 13.
for _op in ("ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
            "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
            "ReduceSumSquare"):
    LATER[(_op, 18)] = ({"noop_with_empty_axes": ("INT", False)}, ["axes"])

# The values ONNX allows for a string attribute, across all its versions
# (a value of a later opset in an earlier one is left to the op's rule).
# Keys: (op, attribute), or (None, attribute) for every op having it.
ALLOWED = {
    (None, "auto_pad"): "NOTSET SAME_UPPER SAME_LOWER VALID",
    ("BitShift", "direction"): "RIGHT LEFT",
    ("DepthToSpace", "mode"): "DCR CRD",
    ("GRU", "direction"): "forward reverse bidirectional",
    ("Gelu", "approximate"): "none tanh",
    ("GridSample", "mode"): "bilinear nearest bicubic linear cubic",
    ("GridSample", "padding_mode"): "zeros border reflection",
    ("LSTM", "direction"): "forward reverse bidirectional",
    ("Pad", "mode"): "constant reflect edge wrap",
    ("RNN", "direction"): "forward reverse bidirectional",
    ("Resize", "coordinate_transformation_mode"):
        "half_pixel half_pixel_symmetric pytorch_half_pixel align_corners "
        "asymmetric tf_half_pixel_for_nearest tf_crop_and_resize",
    ("Resize", "keep_aspect_ratio_policy"): "stretch not_larger not_smaller",
    ("Resize", "mode"): "nearest linear cubic",
    ("Resize", "nearest_mode"): "round_prefer_floor round_prefer_ceil floor ceil",
    ("RoiAlign", "coordinate_transformation_mode"): "half_pixel output_half_pixel",
    ("RoiAlign", "mode"): "avg max",
    ("ScatterElements", "reduction"): "none add mul max min",
    ("ScatterND", "reduction"): "none add mul max min",
}


def sinter_ops():
    """The public ops of op_list.h (internal ones have no ONNX schema)."""
    with open(OP_LIST) as f:
        return re.findall(r"^OP\((\w+)\)", f.read(), re.M)


def onnx_versions(op):
    """[(since, {name: (type, required)})] from ONNX 1.12, oldest first."""
    schemas = [s for s in onnx.defs.get_all_schemas_with_history()
               if s.name == op and s.domain == ""]
    return [(s.since_version,
             {name: (a.type.name, bool(a.required)) for name, a in s.attributes.items()})
            for s in sorted(schemas, key=lambda s: s.since_version)]


def all_versions(op):
    """ONNX 1.12's versions of op, then those of LATER."""
    versions = onnx_versions(op)
    for (name, since), (added, removed) in sorted(LATER.items()):
        if name != op:
            continue
        attrs = dict(versions[-1][1]) if versions else {}
        for gone in removed:
            del attrs[gone]
        attrs.update(added)
        versions.append((since, attrs))
    return versions


def allowed_values(op, name):
    values = ALLOWED.get((op, name)) or ALLOWED.get((None, name))
    return '"%s"' % values if values else "NULL"


def entry(op, since, attrs):
    lines = ["OP_ATTRS(%s, %d," % (op, since)]
    for name in sorted(attrs):
        kind, required = attrs[name]
        assert kind in TYPES, (op, name, kind)
        lines.append("         ATTR(%s, %s, %s, %s)" %
                     (name, kind, "true" if required else "false",
                      allowed_values(op, name)))
    return "\n".join(lines) + ")"


def main():
    print("/*\n"
          " * op_attrs.def - the attributes of each ONNX op Sinter supports, by\n"
          " * opset.  Generated by scripts/gen_op_attrs.py (ONNX's schemas); do\n"
          " * not edit.\n"
          " *\n"
          " * OP_ATTRS(op, since, ATTR ...) lists what op takes from opset `since`\n"
          " * until its next entry; ATTR(name, type, required, allowed) gives the\n"
          " * AttributeProto type, whether the attribute must be given, and the\n"
          " * values a string attribute may take (space separated; NULL: any).\n"
          " * Ops made only by passes have no entry.  Sorted by op, then since.\n"
          " */")
    missing = []
    for op in sinter_ops():
        versions = all_versions(op)
        if not versions:
            missing.append(op)
        previous = None
        for since, attrs in versions:
            if attrs != previous:  # a version that only widened types
                print(entry(op, since, attrs))
            previous = attrs
    sys.stderr.write("no schema (internal ops): %s\n" % " ".join(missing))


if __name__ == "__main__":
    main()
