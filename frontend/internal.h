/*
 * internal.h - helpers shared by the frontend's files, not part of its API.
 */
#ifndef SINTER_FRONTEND_INTERNAL_H
#define SINTER_FRONTEND_INTERNAL_H

#include "frontend/frontend.h"
#include "onnx.pb-c.h"

/* Reads a whole file into a fresh buffer (*buf, *len); caller frees. */
bool fe_read_file(const char *path, uint8_t **buf, size_t *len, Diag *d);

/* The folder part of a file path ("." when it has none); caller frees. */
char *fe_dirname(const char *path);

/* A tensor that belongs to no graph (attribute values, tensor files). */
Tensor *fe_tensor_new(const char *name);

/* Checks an element type the compiler can hold; `what` names the tensor
 * in the message. */
bool fe_check_dtype(int64_t code, const char *what, Diag *d);

/* Stores bools as 0/1 (files may hold any nonzero byte for true), so
 * generated code can rely on it. */
void fe_normalize_bool(uint8_t *data, size_t n);

/* Builds a static shape from `n` dims: rank within MAX_RANK, no negative
 * dims, element count within MAX_ELEMENTS. */
bool fe_make_shape(const int64_t *dims, size_t n, Shape *out, const char *what, Diag *d);

/* Fills t's dtype, shape and data from a TensorProto.  `dir` is the
 * model's folder for external data (NULL refuses it). */
bool fe_tensor_from_proto(Tensor *t, const Onnx__TensorProto *tp, const char *dir,
                          const char *what, Diag *d);

/* Reads a tensor's external data (location, offset, length keys) from a
 * file inside `dir`; it must hold exactly `nbytes` bytes.  Returns a fresh
 * buffer, or NULL with an error. */
void *fe_read_external(const Onnx__TensorProto *tp, const char *dir, size_t nbytes,
                       const char *what, Diag *d);

#endif /* SINTER_FRONTEND_INTERNAL_H */
