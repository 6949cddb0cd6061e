/*
 * rewrite.h - building the nodes and tensors that stand in for a node
 * being expanded (OpDesc.expand): control flow (control_flow.c),
 * sequences and optionals (sequence.c, optional.c) and Dropout rewrite
 * themselves into ordinary nodes with these (rewrite.c); the fusion
 * passes make their constants with rewrite_const.
 *
 * A replacement writes into the expanded node's own output tensors, so
 * that they keep their names and consumers; intermediate results are new
 * tensors named after the node.
 */
#ifndef SINTER_REWRITE_H
#define SINTER_REWRITE_H

#include "ir/ops/ops.h"

/* A new node of op_type standing for (part of) n, named "<n>/<op_type>"
 * and resolved.  Its opset is `opset` moved into the op's table range:
 * callers use only forms that mean the same in every opset of that
 * range (attributes versus inputs: rewrite_give_ints). */
Node *rewrite_node(Graph *g, const Node *n, const char *op_type, int opset);

/* rewrite_tensor and rewrite_const, which name fresh tensors, are in
 * ops.h.  A new constant scalar v of an integer or bool dtype, named like
 * them. */
__attribute__((format(printf, 4, 5))) Tensor *rewrite_scalar(Graph *g, DType dtype, int64_t v,
                                                            const char *fmt, ...);

/* Gives m the integer list `name` (Split's split, Squeeze's and
 * Unsqueeze's axes): a constant input from opset 13, an attribute
 * before. */
void rewrite_give_ints(Graph *g, Node *m, const char *name, const int64_t *v, int count);

/* Makes `out`, an output of the node n being expanded, the result of a
 * new Identity node reading x. */
void build_identity(Graph *g, const Node *n, Tensor *x, Tensor *out);
/* The same for a constant scalar of an integer or bool dtype. */
void build_scalar(Graph *g, const Node *n, DType dtype, int64_t v, Tensor *out);

#endif /* SINTER_REWRITE_H */
