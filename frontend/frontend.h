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

/* A main-graph tensor input declared with symbolic or missing dims ("N",
 * "batch_size") loads with shape_known false (see Tensor.dim_params); the
 * compiling commands fix its shape before inference (--shape, --bind).
 * A value a node produces keeps the shape the model declares for it (a
 * main-graph output, value_info) in Tensor.declared, which inference must
 * agree with.  "[N,3]" for such a tensor before inference ('?' for an
 * unnamed dim, "(no shape)" when none is declared), else its shape. */
const char *declared_shape_str(const Tensor *t, char *buf, size_t size);
/* Gives graph input t (of g) the static shape s, which must agree with
 * the declared rank and dims, and give each dim_param the value it has
 * elsewhere (an earlier axis, another input); an input whose shape is
 * known must get that shape.  `source` ("--shape x=2,3") starts messages. */
bool input_fix_shape(const Graph *g, Tensor *t, const Shape *s, const char *source, Diag *d);
/* Parses --shape's "D0,D1,..." (integers >= 0; "" is a scalar) into s. */
bool shape_parse(const char *text, Shape *s, const char *source, Diag *d);
/* True if tensor input t's shape is known; else an error naming t and its
 * symbolic dims: the shape "must be known at compile time". */
bool input_shape_required(const Tensor *t, Diag *d);

/* Reads a serialized TensorProto (the ONNX test-data .pb files) as a
 * standalone tensor that owns its data; caller frees with tensor_free. */
Tensor *onnx_load_tensor_file(const char *path, Diag *d);
/* The same from the file's bytes buf[len]: `path` names it in messages,
 * `dir` is the folder for external data (NULL refuses it). */
Tensor *onnx_load_tensor_buffer(const uint8_t *buf, size_t len, const char *path,
                                const char *dir, Diag *d);

/* .npy files (format 1.0/2.0, little endian, C order). */
Tensor *npy_read(const char *path, Diag *d);
/* The same from the file's bytes buf[len]; `path` names the tensor (its
 * base name) and the messages. */
Tensor *npy_read_buffer(const uint8_t *buf, size_t len, const char *path, Diag *d);
bool npy_write(const char *path, const Tensor *t, Diag *d);

/* Reads a tensor from .npy or .pb by the file's extension. */
Tensor *tensor_read_file(const char *path, Diag *d);
/* Writes a tensor as .pb (a TensorProto) when the path ends so, else as
 * .npy. */
bool tensor_write_file(const char *path, const Tensor *t, Diag *d);

/* A sequence or optional value as ONNX's test data stores it (a
 * SequenceProto or OptionalProto file), flattened to the tensors it holds:
 * a sequence's elements in order, an optional's tensor, or the elements
 * of its sequence, or nothing. */
typedef struct {
    ValueKind kind;      /* KIND_SEQUENCE or KIND_OPTIONAL */
    ValueKind inner;     /* what an optional holds: KIND_TENSOR or KIND_SEQUENCE */
    bool empty;          /* an optional without a value */
    DType dtype;         /* the tensors' dtype; DT_UNDEFINED when there are none */
    Tensor **tensors;    /* owned */
    int n_tensors;
} Value;

/* Reads a SequenceProto (kind KIND_SEQUENCE) or OptionalProto file
 * (KIND_OPTIONAL) of tensors; sparse tensors, maps and deeper nesting are
 * refused. */
Value *value_read_file(const char *path, ValueKind kind, Diag *d);
/* Writes v as a SequenceProto or OptionalProto called `name`. */
bool value_write_file(const char *path, const Value *v, const char *name, Diag *d);
void value_free(Value *v);

#endif /* SINTER_FRONTEND_H */
