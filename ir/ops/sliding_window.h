/*
 * sliding_window.h - the window geometry of Conv, ConvTranspose and the
 * pools: their attributes (kernel, strides, dilations, pads, auto_pad)
 * read and checked, and the output extents they give.
 */
#ifndef SINTER_SLIDING_WINDOW_H
#define SINTER_SLIDING_WINDOW_H

#include "ir/ir.h"
#include "ir/ops/ops.h" /* Window */

/* Reads an ints attribute of `count` values (at most 6) in [lo, hi], or
 * fills `dflt` when it is absent. */
bool read_window_ints(const Node *n, const char *name, int count, int64_t dflt, int64_t lo,
                      int64_t hi, int64_t *out, Diag *d);
/* node_error unless x has rank 3 (1-D) or 4 (2-D); rank 5 (3-D) is
 * reported as unsupported. */
bool check_window_rank(const Node *n, const Shape *x, Diag *d);
/* Reads auto_pad, pads, strides and dilations of n for input shape x
 * (rank 3 or 4) and the given spatial kernel (x->rank - 2 values), and
 * computes the output extents.  ceil_mode is the pools' attribute (false
 * for Conv). */
bool window_infer(const Node *n, const Shape *x, const int64_t *kernel, bool ceil_mode,
                  Window *w, Diag *d);
/* Computes w->out[j] from w's in, kernel, stride, dilation and pads of
 * axis j under auto_pad (setting the pads for SAME_*): one axis of
 * window_infer, for windows of more axes than Window holds. */
bool window_axis(const Node *n, const char *auto_pad, bool ceil_mode, Window *w, int j,
                 Diag *d);
/* The output shape N x channels x out-spatial for input shape x. */
Shape window_output_shape(const Window *w, const Shape *x, int64_t channels);

#endif /* SINTER_SLIDING_WINDOW_H */
