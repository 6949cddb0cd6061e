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
 * with the constant when src is NULL.  The part of the row that maps to
 * the input in order is one memcpy; only the padding goes element by
 * element. */
static void pad_row(const snt_pad_params *p, size_t elem, const unsigned char *value,
                    const unsigned char *src, unsigned char *dst)
{
    int last = p->rank - 1;
    size_t n = p->out_dims[last], o = 0;
    ptrdiff_t begin = p->pads_begin[last], len = (ptrdiff_t)p->in_dims[last];
    while (o < n) {
        ptrdiff_t i = (ptrdiff_t)o - begin;
        if (src != NULL && i >= 0 && i < len) {
            size_t run = (size_t)(len - i) < n - o ? (size_t)(len - i) : n - o;
            memcpy(dst + o * elem, src + (size_t)i * elem, run * elem);
            o += run;
            continue;
        }
        i = src != NULL ? source_index(p->mode, i, p->in_dims[last]) : -1;
        memcpy(dst + o * elem, i >= 0 ? src + (size_t)i * elem : value, elem);
        o++;
    }
}

void snt_pad(const snt_pad_params *p, size_t elem, const void *value, const void *x, void *y)
{
    size_t idx[SNT_MAX_RANK] = {0}, in_strides[SNT_MAX_RANK], total = 1, rows, r;
    int last = p->rank - 1, d;
    const unsigned char *in = x;
    unsigned char *out = y;

    if (p->rank == 0) {
        memcpy(out, in, elem);
        return;
    }
    if (snt__any_zero(p->rank, p->out_dims))
        return;
    for (d = 0; d < p->rank; d++)
        total *= p->out_dims[d];
    /* Reflect or edge padding of an empty input has nothing to copy. */
    if (snt__any_zero(p->rank, p->in_dims)) {
        for (r = 0; r < total; r++)
            memcpy(out + r * elem, value, elem);
        return;
    }
    for (d = last, in_strides[last] = 1; d > 0; d--)
        in_strides[d - 1] = in_strides[d] * p->in_dims[d];

    rows = total / p->out_dims[last];
    for (r = 0; r < rows; r++, out += p->out_dims[last] * elem) {
        const unsigned char *src = in;
        /* Locate the input row of this output row, axis by axis. */
        for (d = 0; d < last && src != NULL; d++) {
            ptrdiff_t i = source_index(p->mode, (ptrdiff_t)idx[d] - p->pads_begin[d], p->in_dims[d]);
            src = i >= 0 ? src + (size_t)i * in_strides[d] * elem : NULL;
        }
        pad_row(p, elem, value, src, out);
        /* Next output row: advance the index over the outer axes. */
        for (d = last - 1; d >= 0; d--) {
            if (++idx[d] < p->out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}

void snt_pad_f32(const snt_pad_params *p, const float *x, float *y)
{
    snt_pad(p, sizeof(float), &p->value, x, y);
}
