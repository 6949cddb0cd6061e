#!/usr/bin/python3
"""Writes ONNX's backend node tests into a folder, for the conformance runner.

Usage: gen_node_tests.py OUTDIR

Runs onnx's own `backend-test-tools generate-data -o OUTDIR`.  Each node case
lands in OUTDIR/node/test_xxx/ as model.onnx plus test_data_set_0/input_*.pb
and output_*.pb (serialized TensorProtos).  Nothing generated is committed:
tests/test_conformance.c runs this at test time (about 3 seconds).

Debian's python3-onnx 1.12 still uses numpy aliases (np.float, np.int, ...)
that numpy 1.24 removed, so they are restored before the generator loads.
"""

import sys

import numpy as np


def restore_numpy_aliases():
    # Each alias stood for the builtin type of the same name.
    for name, value in (("float", float), ("int", int),
                        ("bool", bool), ("object", object)):
        if name not in vars(np):
            setattr(np, name, value)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gen_node_tests.py OUTDIR\n")
        return 2
    restore_numpy_aliases()
    # Imported late: the test cases read the aliases while being collected.
    from onnx.backend.test import cmd_tools
    sys.argv = [argv[0], "generate-data", "-o", argv[1]]
    cmd_tools.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
