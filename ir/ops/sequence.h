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

#include "ir/ops/ops.h"
#include "ir/ops/rewrite.h" /* build_identity, build_scalar */

/* value_items, the elements of a sequence or optional value, is in
 * ops.h for driver/outputs.c. */

/* OpDesc.emit of the builders: a value that exists only at compile time
 * has nothing to print. */
bool emit_value_builder(const Node *n, Emitter *e, Diag *d);

/* Sets n's output 0 to a value of `kind` holding items[0, count): their
 * dtype, and their shape when they all share one (else shape_known is
 * false). */
void set_value_output(Node *n, ValueKind kind, DType dtype, Tensor *const *items, int count);

#endif /* SINTER_SEQUENCE_H */
