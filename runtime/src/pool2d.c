/*
 * pool2d.c - ONNX MaxPool, AveragePool and GlobalAveragePool on NCHW.
 *
 * Windows are clipped to the input before reading, so padding is never
 * read: max pooling ignores it, average pooling divides either by the
 * clipped window (count_include_pad = 0) or by the part of the window
 * inside the padded input (count_include_pad = 1; a ceil_mode window that
 * hangs past the explicit padding does not count the overhang, as in
 * PyTorch and onnxruntime).
 */
#include <float.h>

#include "internal.h"

/* The taps [lo, hi) of a window along one axis that read inside the input,
 * and how many of its taps lie inside the padded input. */
typedef struct {
    size_t lo, hi;
    size_t padded_count;
} axis_window;

static axis_window window_at(size_t o, size_t stride, size_t dil, size_t k,
                             size_t pad_begin, size_t pad_end, size_t in)
{
    axis_window a;
    ptrdiff_t start = (ptrdiff_t)(o * stride) - (ptrdiff_t)pad_begin, pos;
    size_t t;
    a.lo = k;
    a.hi = 0;
    a.padded_count = 0;
    for (t = 0; t < k; t++) {
        pos = start + (ptrdiff_t)(t * dil);
        if (pos >= -(ptrdiff_t)pad_begin && pos < (ptrdiff_t)(in + pad_end))
            a.padded_count++;
        if (pos >= 0 && pos < (ptrdiff_t)in) {
            if (a.lo > t)
                a.lo = t;
            a.hi = t + 1;
        }
    }
    if (a.lo > a.hi)
        a.lo = a.hi;
    return a;
}

typedef enum { POOL_MAX, POOL_AVG } pool_kind;

/* Max or sum of the taps of one window that read the input, and their
 * number in *count. */
static float pool_window(const snt_pool2d_params *p, pool_kind kind, const float *plane,
                         ptrdiff_t y0, ptrdiff_t x0, const axis_window *wy,
                         const axis_window *wx, size_t *count)
{
    float acc = kind == POOL_MAX ? -FLT_MAX : 0.0f;
    size_t ty, tx;
    for (ty = wy->lo; ty < wy->hi; ty++) {
        const float *row = plane + (y0 + (ptrdiff_t)(ty * p->dh)) * (ptrdiff_t)p->w + x0;
        for (tx = wx->lo; tx < wx->hi; tx++) {
            float v = row[tx * p->dw];
            if (kind == POOL_MAX)
                acc = v > acc ? v : acc;
            else
                acc += v;
        }
    }
    *count = (wy->hi - wy->lo) * (wx->hi - wx->lo);
    return acc;
}

static void pool2d(const snt_pool2d_params *p, pool_kind kind, const float *x, float *y)
{
    size_t planes = p->n * p->c, pl, oy, ox, count;
    for (pl = 0; pl < planes; pl++) {
        const float *plane = x + pl * p->h * p->w;
        for (oy = 0; oy < p->oh; oy++) {
            axis_window wy = window_at(oy, p->sh, p->dh, p->kh, p->pt, p->pb, p->h);
            ptrdiff_t y0 = (ptrdiff_t)(oy * p->sh) - (ptrdiff_t)p->pt;
            for (ox = 0; ox < p->ow; ox++) {
                axis_window wx = window_at(ox, p->sw, p->dw, p->kw, p->pl, p->pr, p->w);
                ptrdiff_t x0 = (ptrdiff_t)(ox * p->sw) - (ptrdiff_t)p->pl;
                float v = pool_window(p, kind, plane, y0, x0, &wy, &wx, &count);
                if (kind == POOL_AVG) {
                    size_t div = p->count_include_pad ? wy.padded_count * wx.padded_count : count;
                    v = div > 0 ? v / (float)div : 0.0f;
                }
                *y++ = v;
            }
        }
    }
}

void snt_maxpool2d_f32(const snt_pool2d_params *p, const float *x, float *y)
{
    pool2d(p, POOL_MAX, x, y);
}

void snt_avgpool2d_f32(const snt_pool2d_params *p, const float *x, float *y)
{
    pool2d(p, POOL_AVG, x, y);
}

void snt_global_avgpool_f32(size_t nc, size_t hw, const float *x, float *y)
{
    size_t i, j;
    for (i = 0; i < nc; i++, x += hw) {
        double sum = 0.0;
        for (j = 0; j < hw; j++)
            sum += x[j];
        y[i] = hw > 0 ? (float)(sum / (double)hw) : 0.0f;
    }
}
