/*
 * op_check.h - what infer checks in every op description of ir/ops/: that
 * inputs are present and of the dtypes the op takes, and the limits
 * (opsets, folded sizes, cost counts) that keep a malformed model from
 * breaking the compiler.
 */
#ifndef SINTER_OP_CHECK_H
#define SINTER_OP_CHECK_H

#include "ir/ir.h"

/* The newest ai.onnx opset whose changes were checked against the
 * compute ops: 18..21 changed only ReduceMean (axes as an input, 18) and
 * AveragePool (dilations, 19), both handled. */
#define COMPUTE_OPSET_MAX 21

/* Folding stops above this many output elements: a broadcast of two
 * small constants could otherwise ask for terabytes at compile time. */
#define FOLD_MAX_ELEMENTS ((int64_t)1 << 24)

/* node_error unless inputs 0 .. count-1 are all present. */
bool check_inputs_present(const Node *n, int count, Diag *d);
/* node_error unless input i has a floating point dtype we can hold. */
bool check_float_input(const Node *n, int i, Diag *d);
/* node_error unless input i (if present) has the dtype of input 0. */
bool check_same_dtype(const Node *n, int i, Diag *d);
/* node_error unless the optional output i is absent: for outputs that
 * exist only in training or that we do not compute. */
bool check_output_absent(const Node *n, int i, const char *what, Diag *d);
/* True for the dtypes arithmetic folds handle (ints, float32, float64). */
bool dtype_is_numeric(DType t);
/* True for unsigned integers and bool (compare and divide unsigned). */
bool dtype_is_unsigned(DType t);
/* The dtype's name for messages, never NULL. */
const char *dtype_label(DType t);

/* a * b for cost counts, saturating at INT64_MAX (a, b >= 0): shapes of
 * a malformed model must not overflow. */
int64_t sat_mul(int64_t a, int64_t b);

#endif /* SINTER_OP_CHECK_H */
