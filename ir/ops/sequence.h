/*
 * sequence.h - sequences and optionals, which exist only at compile time
 * (ir/ops/sequence.c, ir/ops/optional.c).
 *
 * After expansion every sequence value is built by one SequenceConstruct
 * node whose inputs are its elements in order (SequenceEmpty for none),
 * and every optional by one Optional node with zero or one input, maybe
 * behind Identity nodes.  The ops that read them are expanded into
 * ordinary nodes on the elements; the builders print no code, and the
 * compile pipeline removes them once graph outputs are flattened.
 */
#ifndef SINTER_SEQUENCE_H
#define SINTER_SEQUENCE_H

#include "ir/ir.h"
#include "ir/ops/rewrite.h" /* build_identity, build_scalar */

/* The elements of sequence or optional value t as its builder holds them:
 * their count, with *items pointing at the builder's inputs, or -1 when t
 * is not built by SequenceConstruct, SequenceEmpty or Optional (seen
 * through Identity nodes). */
int value_items(const Tensor *t, Tensor *const **items);

/* OpDesc.emit of the builders: a value that exists only at compile time
 * has nothing to print. */
bool emit_value_builder(const Node *n, Emitter *e, Diag *d);

/* Sets n's output 0 to a value of `kind` holding items[0, count): their
 * dtype, and their shape when they all share one (else shape_known is
 * false). */
void set_value_output(Node *n, ValueKind kind, DType dtype, Tensor *const *items, int count);

#endif /* SINTER_SEQUENCE_H */
