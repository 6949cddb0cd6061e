/*
 * pad.c - ONNX Pad in constant, reflect and edge modes; negative pads
 * crop.
 */
#include <string.h>

#include "internal.h"

/* Maps position i of an axis, counted in input coordinates (so the
 * padding before it is negative), to the input position whose value it
 * takes, or -1 when it takes the constant value. */
static ptrdiff_t source_index(snt_pad_mode mode, ptrdiff_t i, size_t n)
{
    ptrdiff_t len = (ptrdiff_t)n, period;
    if (i >= 0 && i < len)
        return i;
    switch (mode) {
    case SNT_PAD_EDGE:
        return i < 0 ? 0 : len - 1;
    case SNT_PAD_REFLECT:
        /* Mirror about the edge elements (which are not repeated); pads
         * longer than the axis keep bouncing, as numpy does. */
        if (len == 1)
            return 0;
        period = 2 * (len - 1);
        i %= period;
        if (i < 0)
            i += period;
        return i < len ? i : period - i;
    default:
        return -1;
    }
}

/* Fills one output row (the last axis) from the input row at `src`, or
 * with the constant when src is NULL. */
static void pad_row(const snt_pad_params *p, const float *src, float *dst)
{
    int last = p->rank - 1;
    size_t n = p->out_dims[last], o;
    for (o = 0; o < n; o++) {
        ptrdiff_t i = source_index(p->mode, (ptrdiff_t)o - p->pads_begin[last], p->in_dims[last]);
        dst[o] = (src != NULL && i >= 0) ? src[i] : p->value;
    }
}

void snt_pad_f32(const snt_pad_params *p, const float *x, float *y)
{
    size_t idx[SNT_MAX_RANK] = {0}, in_strides[SNT_MAX_RANK], total = 1, rows, r;
    int last = p->rank - 1, d;

    if (p->rank == 0) {
        y[0] = x[0];
        return;
    }
    if (snt__any_zero(p->rank, p->out_dims))
        return;
    for (d = 0; d < p->rank; d++)
        total *= p->out_dims[d];
    /* Reflect or edge padding of an empty input has nothing to copy. */
    if (snt__any_zero(p->rank, p->in_dims)) {
        for (r = 0; r < total; r++)
            y[r] = p->value;
        return;
    }
    for (d = last, in_strides[last] = 1; d > 0; d--)
        in_strides[d - 1] = in_strides[d] * p->in_dims[d];

    rows = total / p->out_dims[last];
    for (r = 0; r < rows; r++, y += p->out_dims[last]) {
        const float *src = x;
        /* Locate the input row of this output row, axis by axis. */
        for (d = 0; d < last && src != NULL; d++) {
            ptrdiff_t i = source_index(p->mode, (ptrdiff_t)idx[d] - p->pads_begin[d], p->in_dims[d]);
            src = i >= 0 ? src + (size_t)i * in_strides[d] : NULL;
        }
        pad_row(p, src, y);
        /* Next output row: advance the index over the outer axes. */
        for (d = last - 1; d >= 0; d--) {
            if (++idx[d] < p->out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}
