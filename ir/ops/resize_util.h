/*
 * resize_util.h - Resize's rules, shared with Upsample.
 *
 * Upsample (opsets 7 to 9) is Resize-10 under another name: asymmetric
 * coordinates, nearest or linear, output extents floor(in * scale).  Its
 * scales are input 1 from opset 9, as Resize-10's are, and before that
 * the `scales` attribute, which these rules read when the input is
 * absent (Resize has no such attribute).
 */
#ifndef SINTER_RESIZE_UTIL_H
#define SINTER_RESIZE_UTIL_H

#include "ir/ops/data_util.h"

bool resize_infer(Node *n, Diag *d);
bool resize_fold(Node *n, Diag *d);
bool resize_emit(const Node *n, Emitter *e, Diag *d);
/* Prints the call of n, a Resize or a FusedResize (whose first inputs
 * and attributes are Resize's), followed by act and the residual added
 * (NULL: none) on every output element. */
bool resize_emit_epilogue(const Node *n, const snt_act *act, const Tensor *residual, Emitter *e,
                          Diag *d);
OpCost resize_cost(const Node *n);

#endif /* SINTER_RESIZE_UTIL_H */
