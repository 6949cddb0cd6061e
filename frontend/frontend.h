/*
 * frontend.h - reading ONNX models and tensors into the IR.
 *
 * The frontend parses protobuf (protobuf-c over Debian's onnx.proto),
 * validates what it reads (dtypes, dims, element counts, names, external
 * data paths) and builds a Graph.  It never trusts the file: every
 * malformed input becomes a Diag message and a NULL result.
 */
#ifndef SINTER_FRONTEND_H
#define SINTER_FRONTEND_H

#include "ir/ir.h"

/* Reads an .onnx file; external data is resolved inside its folder. */
Graph *onnx_load_file(const char *path, Diag *d);
/* Reads a model from memory; `dir` is the folder for external data (NULL:
 * external data is refused). */
Graph *onnx_load_buffer(const uint8_t *buf, size_t len, const char *dir, Diag *d);

/* Reads a serialized TensorProto (the ONNX test-data .pb files) as a
 * standalone tensor that owns its data; caller frees with tensor_free. */
Tensor *onnx_load_tensor_file(const char *path, Diag *d);

/* .npy files (format 1.0/2.0, little endian, C order). */
Tensor *npy_read(const char *path, Diag *d);
bool npy_write(const char *path, const Tensor *t, Diag *d);

/* Reads a tensor from .npy or .pb by the file's extension. */
Tensor *tensor_read_file(const char *path, Diag *d);

#endif /* SINTER_FRONTEND_H */
