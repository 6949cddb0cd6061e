#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (fuzz/) into a folder.

Usage: fuzz_seeds.py NODE_TESTS OUTDIR

NODE_TESTS is what scripts/gen_node_tests.py wrote (ONNX's backend tests:
small models and their TensorProto test data).  OUTDIR receives
  onnx/  the fixture models, the demo's model and every node-test model
         (seeds of onnx_loader and compile)
  npy/   the fixtures' .npy files and small arrays of each dtype, rank and
         format version the reader takes, and a few it refuses
  pb/    the node tests' TensorProtos and initializers cut from the
         fixture models (seeds of tensor_proto)
Large files are left out: a seed of megabytes makes every mutation of it
slow, and the small ones reach the same code.
"""

import glob
import os
import shutil
import sys

import numpy as np
import onnx

MAX_SEED_BYTES = 64 << 10
INITIALIZERS_PER_MODEL = 24


def copy_seeds(base, pattern, outdir, max_bytes=None):
    """Copies the files matching base/pattern, named by their path below
    base ("node/test_abs/model.onnx" as "node_test_abs_model.onnx")."""
    for path in sorted(glob.glob(os.path.join(base, pattern))):
        if max_bytes is None or os.path.getsize(path) <= max_bytes:
            name = os.path.relpath(path, base).replace("/", "_")
            shutil.copy(path, os.path.join(outdir, name))


def write_arrays(outdir):
    """Each dtype the reader takes, ranks 0 to 8, empty arrays, format
    2.0; and Fortran order and big endian, which it refuses."""
    dtypes = ["<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4",
              "<u8", "|b1", "<f2"]
    shapes = [(), (0,), (3,), (2, 3), (1, 2, 1, 2), (1,) * 8, (2, 0, 3)]
    for i, dtype in enumerate(dtypes):
        for j, shape in enumerate(shapes):
            a = (np.arange(int(np.prod(shape))) % 7).astype(dtype).reshape(shape)
            np.save(os.path.join(outdir, "a_%d_%d.npy" % (i, j)), a)
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    with open(os.path.join(outdir, "v2.npy"), "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
    np.save(os.path.join(outdir, "fortran.npy"), np.asfortranarray(a))
    np.save(os.path.join(outdir, "big_endian.npy"), a.astype(">f4"))


def write_initializers(models, outdir):
    for path in models:
        stem = os.path.splitext(os.path.basename(path))[0]
        graph = onnx.load(path).graph
        small = [t for t in graph.initializer if t.ByteSize() <= MAX_SEED_BYTES]
        for k, t in enumerate(small[:INITIALIZERS_PER_MODEL]):
            with open(os.path.join(outdir, "%s_%d.pb" % (stem, k)), "wb") as f:
                f.write(t.SerializeToString())


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: fuzz_seeds.py NODE_TESTS OUTDIR\n")
        return 2
    node_tests, outdir = argv[1], argv[2]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    fixtures = sorted(glob.glob(os.path.join(root, "tests/fixtures/*.onnx")))
    for sub in ("onnx", "npy", "pb"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    onnx_dir, npy_dir, pb_dir = (os.path.join(outdir, s) for s in ("onnx", "npy", "pb"))
    copy_seeds(root, "tests/fixtures/*.onnx", onnx_dir)
    copy_seeds(root, "examples/demo/unext_us.onnx", onnx_dir)
    copy_seeds(node_tests, "*/*/model.onnx", onnx_dir)
    copy_seeds(root, "tests/fixtures/*.npy", npy_dir, MAX_SEED_BYTES)
    write_arrays(npy_dir)
    copy_seeds(node_tests, "*/*/test_data_set_*/*.pb", pb_dir, MAX_SEED_BYTES)
    write_initializers(fixtures, pb_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
