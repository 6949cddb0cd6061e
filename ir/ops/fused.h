/*
 * fused.h - the activation that Gelu and the Sinter-internal fused ops
 * (FusedConv, Linear) apply, shared with the fusion passes.
 *
 * A fused op keeps its activation in attributes, so graph dumps show it:
 *   activation   "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Gelu"
 *                (absent: no activation)
 *   approximate  "none" or "tanh" for Gelu, as ONNX Gelu-20 names it
 *   alpha, beta  LeakyRelu's alpha; Clip's min and max
 */
#ifndef SINTER_FUSED_H
#define SINTER_FUSED_H

#include "ir/ops/ops.h"

/* fused_act_get, fused_act_set, their _at forms and act_of_node are in
 * ops.h, for the fusion passes. */

/* Gelu's kind from its approximate attribute: false if neither "none"
 * nor "tanh". */
bool gelu_act_kind(const Node *n, snt_act_kind *kind);

/*
 * FLOPs per element of an activation.  The rule, shared by every fused
 * op so that fused and unfused graphs report the same totals: one FLOP
 * per ONNX node the activation replaces, which is one for Relu,
 * LeakyRelu, Clip, Sigmoid and Tanh (as their own ops count), five for
 * exact Gelu (Div, Erf, Add, Mul, Mul) and nine for its tanh form
 * (x*x, *x, *0.044715, +x, *sqrt(2/pi), Tanh, +1, *x, *0.5).
 */
int64_t act_flops(snt_act_kind kind);

/* ---- ShiftTokenize's attributes (shift_tokenize.c), shared with ----- */
/* ---- ShiftLinear, which computes a ShiftTokenize of tokens ---------- */

/* height and width of tokens [N, height*width, C]: node_error unless both
 * attributes are positive and their product is `tokens`. */
bool shift_token_grid(const Node *n, int64_t tokens, int64_t *h, int64_t *w, Diag *d);
/* The chunk attributes for `channels` channels, checked: axis (2 = H,
 * 3 = W) as the kernels' 0 or 1, and chunk_ends and shifts, *chunks of
 * each (SNT_SHIFT_MAX_CHUNKS at most). */
bool shift_chunks(const Node *n, size_t channels, int *axis, int *chunks, size_t *chunk_end,
                  ptrdiff_t *shift, Diag *d);

#endif /* SINTER_FUSED_H */
