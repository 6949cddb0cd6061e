/*
 * elementwise_ext.h - what the broadcasting ops of binary_ext.c and
 * variadic.c share (defined in binary_ext.c).
 */
#ifndef SINTER_ELEMENTWISE_EXT_H
#define SINTER_ELEMENTWISE_EXT_H

#include "ir/ops/op_emit.h"

/* The kernel iteration space of y = a op b with numpy broadcasting; a
 * scalar y iterates one element at rank 1. */
snt_bcast bcast_of(const Shape *a, const Shape *b, const Shape *y);

/* The numpy broadcast of every input's shape into *out; a node error
 * naming the first input that does not fit. */
bool broadcast_inputs(const Node *n, Shape *out, Diag *d);

#endif /* SINTER_ELEMENTWISE_EXT_H */
