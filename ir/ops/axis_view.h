/*
 * axis_view.h - a tensor seen as [outer][len][inner] around one axis, the
 * shape every kernel "along an axis" takes (Softmax, LogSoftmax, Hardmax,
 * ArgMax, ArgMin, CumSum, LpNormalization).
 */
#ifndef SINTER_AXIS_VIEW_H
#define SINTER_AXIS_VIEW_H

#include "ir/ir.h"

typedef struct {
    int axis;                     /* normalized, in [0, rank] */
    int64_t outer, len, inner;
} AxisView;

/* Views x around `axis` (negative counts from the end).  With flatten,
 * len spans every axis from `axis` on (the softmax family's coerce-to-2-D
 * form before opset 13, which also accepts axis == rank: lines of one
 * element); otherwise len is the one axis. */
static inline bool axis_view(const Node *n, const Shape *x, int64_t axis, bool flatten,
                             AxisView *v, Diag *d)
{
    int64_t last = flatten ? x->rank : x->rank - 1;
    if (axis < -x->rank || axis > last)
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)axis,
                          x->rank);
    *v = (AxisView){.axis = (int)(axis < 0 ? axis + x->rank : axis), .outer = 1, .len = 1,
                    .inner = 1};
    for (int i = 0; i < x->rank; i++) {
        if (i < v->axis)
            v->outer *= x->dim[i];
        else if (i == v->axis || flatten)
            v->len *= x->dim[i];
        else
            v->inner *= x->dim[i];
    }
    return true;
}

#endif /* SINTER_AXIS_VIEW_H */
