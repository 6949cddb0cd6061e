/*
 * pool2d.c - ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool
 * on NCHW.
 *
 * Windows are clipped to the input before reading, so padding is never
 * read: max pooling ignores it, average pooling divides either by the
 * clipped window (count_include_pad = 0) or by the part of the window
 * inside the padded input (count_include_pad = 1; a ceil_mode window that
 * hangs past the explicit padding does not count the overhang, as in
 * PyTorch and onnxruntime).
 *
 * An output row is done in two parts.  The columns whose windows lie
 * wholly inside the input horizontally (all of them but a pad's worth at
 * each end) are folded two window rows at a time across the whole span,
 * so that the loop over output columns vectorises; the few border columns
 * take the clipped per-element path.  Each output still combines its taps
 * in the same order (window row by row, left to right), so max pooling
 * gives the same bits as the per-element path and average pooling the
 * same sums.
 */
#include <float.h>
#include <math.h>

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

/* The running max (ignoring NaN, as `v > acc` is false for it) or sum,
 * and its start value. */
static inline float combine(pool_kind kind, float acc, float v)
{
    if (kind == POOL_MAX)
        return v > acc ? v : acc;
    return acc + v;
}

static inline float pool_init(pool_kind kind)
{
    return kind == POOL_MAX ? -FLT_MAX : 0.0f;
}

/* Max or sum of the taps of one window that read the input, and their
 * number in *count. */
static float pool_window(const snt_pool2d_params *p, pool_kind kind, const float *plane,
                         ptrdiff_t y0, ptrdiff_t x0, const axis_window *wy,
                         const axis_window *wx, size_t *count)
{
    float acc = pool_init(kind);
    size_t ty, tx;
    for (ty = wy->lo; ty < wy->hi; ty++) {
        const float *row = plane + (y0 + (ptrdiff_t)(ty * p->dh)) * (ptrdiff_t)p->w + x0;
        for (tx = wx->lo; tx < wx->hi; tx++)
            acc = combine(kind, acc, row[tx * p->dw]);
    }
    *count = (wy->hi - wy->lo) * (wx->hi - wx->lo);
    return acc;
}

/* Output (oy, ox) the per-element way: the window clipped on both axes. */
static float pool_element(const snt_pool2d_params *p, pool_kind kind, const float *plane,
                          size_t oy, size_t ox, const axis_window *wy)
{
    axis_window wx = window_at(ox, p->sw, p->dw, p->kw, p->pl, p->pr, p->w);
    ptrdiff_t y0 = (ptrdiff_t)(oy * p->sh) - (ptrdiff_t)p->pt;
    ptrdiff_t x0 = (ptrdiff_t)(ox * p->sw) - (ptrdiff_t)p->pl;
    size_t count, div;
    float v = pool_window(p, kind, plane, y0, x0, wy, &wx, &count);
    if (kind == POOL_MAX)
        return v;
    div = p->count_include_pad ? wy->padded_count * wx.padded_count : count;
    return div > 0 ? v / (float)div : 0.0f;
}

/*
 * acc[i] = acc[i] (the start value when `first`) combined with
 * row[r*ld + i*sw + t*dw] for r = 0 .. rows-1, t = 0 .. kw-1 in turn,
 * i < n: `rows` window rows, ld apart, folded into n consecutive
 * outputs.  Called with constant kind, rows, kw, sw and dw, it is
 * inlined and specialised: the taps unroll and the loop over i
 * vectorises (stride-2 loads as permutes).  Two rows at a time store
 * each output once instead of reading it back for the second row.
 */
static inline void fold_rows(pool_kind kind, size_t rows, size_t kw, size_t sw, size_t dw,
                             int first, const float *restrict row, size_t ld, size_t n,
                             float *restrict acc)
{
    size_t i, r, t;
    for (i = 0; i < n; i++) {
        float a = first ? pool_init(kind) : acc[i];
        for (r = 0; r < rows; r++)
            for (t = 0; t < kw; t++)
                a = combine(kind, a, row[r * ld + i * sw + t * dw]);
        acc[i] = a;
    }
}

/* fold_rows for the pool's kernel width, stride and dilation: the
 * common 2- and 3-wide windows with stride 1 or 2 by specialised copies
 * (kind and rows are constant too where this is inlined), the rest by
 * the general loop. */
static inline void fold_window(pool_kind kind, const snt_pool2d_params *p, size_t rows,
                               int first, const float *row, size_t ld, size_t n, float *acc)
{
    const size_t kw = p->dw == 1 ? p->kw : 0, sw = p->sw;
    if (kw == 2 && sw == 2)
        fold_rows(kind, rows, 2, 2, 1, first, row, ld, n, acc);
    else if (kw == 2 && sw == 1)
        fold_rows(kind, rows, 2, 1, 1, first, row, ld, n, acc);
    else if (kw == 3 && sw == 1)
        fold_rows(kind, rows, 3, 1, 1, first, row, ld, n, acc);
    else if (kw == 3 && sw == 2)
        fold_rows(kind, rows, 3, 2, 1, first, row, ld, n, acc);
    else
        fold_rows(kind, rows, p->kw, sw, p->dw, first, row, ld, n, acc);
}

/* fold_window of two window rows, or of the last one when rows is 1. */
static void fold_window_rows(pool_kind kind, const snt_pool2d_params *p, size_t rows, int first,
                             const float *row, size_t ld, size_t n, float *acc)
{
    if (rows == 2)
        fold_window(kind, p, 2, first, row, ld, n, acc);
    else
        fold_window(kind, p, 1, first, row, ld, n, acc);
}

/* The output columns [*lo, *hi) whose windows read only inside the
 * input: x0 = ox*sw - pl >= 0 and x0 + (kw-1)*dw <= w - 1; lo <= hi. */
static void inner_columns(const snt_pool2d_params *p, size_t *lo, size_t *hi)
{
    const size_t reach = (p->kw - 1) * p->dw;
    *lo = *hi = 0;
    if (p->sw == 0 || p->kw == 0 || p->w + p->pl < reach + 1)
        return;
    *hi = (p->w + p->pl - reach - 1) / p->sw + 1;
    *hi = *hi < p->ow ? *hi : p->ow;
    *lo = (p->pl + p->sw - 1) / p->sw;
    *lo = *lo < *hi ? *lo : *hi;
}

/* Outputs [lo, hi) of row oy (to out[lo..hi)), whose windows are whole
 * horizontally: folded two window rows at a time, then averaged by one
 * divisor (each window has kw taps inside the input, all of them also
 * inside the padded input). */
static void pool_inner(const snt_pool2d_params *p, pool_kind kind, const float *plane,
                       size_t oy, const axis_window *wy, size_t lo, size_t hi, float *out)
{
    const size_t n = hi - lo, x0 = lo * p->sw - p->pl;
    const ptrdiff_t y0 = (ptrdiff_t)(oy * p->sh) - (ptrdiff_t)p->pt;
    float *acc = out + lo;
    size_t i, ty, div;
    if (wy->lo == wy->hi)       /* all the window's rows in the padding */
        for (i = 0; i < n; i++)
            acc[i] = pool_init(kind);
    for (ty = wy->lo; ty < wy->hi; ty += 2) {
        size_t iy = (size_t)(y0 + (ptrdiff_t)(ty * p->dh));
        fold_window_rows(kind, p, ty + 1 < wy->hi ? 2 : 1, ty == wy->lo, plane + iy * p->w + x0,
                         p->dh * p->w, n, acc);
    }
    if (kind == POOL_MAX)
        return;
    div = (p->count_include_pad ? wy->padded_count : wy->hi - wy->lo) * p->kw;
    if (div > 0)    /* else no taps: the sums stay 0, as pool_element gives */
        for (i = 0; i < n; i++)
            acc[i] /= (float)div;
}

static void pool2d(const snt_pool2d_params *p, pool_kind kind, const float *x, float *y)
{
    size_t planes = p->n * p->c, pl, oy, ox, lo, hi;
    inner_columns(p, &lo, &hi);
    for (pl = 0; pl < planes; pl++) {
        const float *plane = x + pl * p->h * p->w;
        for (oy = 0; oy < p->oh; oy++, y += p->ow) {
            axis_window wy = window_at(oy, p->sh, p->dh, p->kh, p->pt, p->pb, p->h);
            for (ox = 0; ox < lo; ox++)
                y[ox] = pool_element(p, kind, plane, oy, ox, &wy);
            if (lo < hi)
                pool_inner(p, kind, plane, oy, &wy, lo, hi, y);
            for (ox = hi; ox < p->ow; ox++)
                y[ox] = pool_element(p, kind, plane, oy, ox, &wy);
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

/* Each mean summed in double, in the vectorised lanes of snt__sum_f64:
 * one running total would be a chain of dependent adds, a few cycles
 * per element. */
void snt_global_avgpool_f32(size_t nc, size_t hw, const float *x, float *y)
{
    size_t i;
    for (i = 0; i < nc; i++, x += hw)
        y[i] = hw > 0 ? (float)(snt__sum_f64(hw, x) / (double)hw) : 0.0f;
}

void snt_global_maxpool_f32(size_t nc, size_t hw, const float *x, float *y)
{
    size_t i, j;
    for (i = 0; i < nc; i++, x += hw) {
        float max = hw > 0 ? x[0] : -INFINITY;
        for (j = 1; j < hw; j++)
            if (x[j] > max)
                max = x[j];
        y[i] = max;
    }
}
