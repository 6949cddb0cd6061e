/*
 * pool3d.c - MaxPool (with its optional indices) and AveragePool on
 * N x C x D x H x W.  The seed models' 2-D pools keep their own kernel
 * (pool2d.c); the compiler uses this one for 3-D pools and for MaxPool
 * with indices of any rank, giving 1-D and 2-D pools unit leading axes.
 *
 * As in pool2d.c, windows are clipped to the input before reading, so
 * padding is never read, and count_include_pad counts the taps inside
 * the explicitly padded input.
 */
#include <float.h>

#include "internal.h"

/* One window along one spatial axis: it starts at input position
 * `start` (negative in the front padding), its taps [lo, hi) read inside
 * the input, and `padded` of its taps lie inside the padded input. */
typedef struct {
    ptrdiff_t start;
    size_t lo, hi, padded;
} pool_span;

/* The number of taps t < k with start + t * dil < end (start < end). */
static size_t taps_below(ptrdiff_t start, ptrdiff_t end, size_t dil, size_t k)
{
    size_t n;
    if (end <= start)
        return 0;
    n = ((size_t)(end - start) + dil - 1) / dil;
    return n < k ? n : k;
}

static pool_span span_at(const snt_pool3d_params *p, int a, size_t o)
{
    pool_span s;
    size_t dil = p->dilation[a], k = p->kernel[a];
    s.start = (ptrdiff_t)(o * p->stride[a]) - (ptrdiff_t)p->pad_begin[a];
    /* Taps before the input: the first one reading position >= 0. */
    s.lo = s.start >= 0 ? 0 : ((size_t)-s.start + dil - 1) / dil;
    s.hi = taps_below(s.start, (ptrdiff_t)p->in[a], dil, k);
    if (s.lo > s.hi)
        s.lo = s.hi;
    /* A window never starts before the front padding. */
    s.padded = taps_below(s.start, (ptrdiff_t)(p->in[a] + p->pad_end[a]), dil, k);
    return s;
}

/* The plane offset of spatial position (d, h, w): row-major, or
 * column-major for MaxPool's storage_order 1. */
static int64_t plane_index(const snt_pool3d_params *p, size_t d, size_t h, size_t w)
{
    if (p->storage_order)
        return (int64_t)((w * p->in[1] + h) * p->in[0] + d);
    return (int64_t)((d * p->in[1] + h) * p->in[2] + w);
}

typedef enum { POOL3D_MAX, POOL3D_AVG } pool3d_kind;

/* The max (with its plane index in *arg) or the average of one window. */
static float pool_one(const snt_pool3d_params *p, pool3d_kind kind, const float *plane,
                      const pool_span *s, int64_t *arg)
{
    float acc = kind == POOL3D_MAX ? -FLT_MAX : 0.0f;
    size_t td, th, tw, count, div;
    *arg = -1;
    for (td = s[0].lo; td < s[0].hi; td++) {
        size_t d = (size_t)(s[0].start + (ptrdiff_t)(td * p->dilation[0]));
        for (th = s[1].lo; th < s[1].hi; th++) {
            size_t h = (size_t)(s[1].start + (ptrdiff_t)(th * p->dilation[1]));
            const float *row = plane + (d * p->in[1] + h) * p->in[2];
            for (tw = s[2].lo; tw < s[2].hi; tw++) {
                size_t w = (size_t)(s[2].start + (ptrdiff_t)(tw * p->dilation[2]));
                if (kind == POOL3D_AVG) {
                    acc += row[w];
                } else if (row[w] > acc || *arg < 0) {
                    acc = row[w];
                    *arg = plane_index(p, d, h, w);
                }
            }
        }
    }
    if (kind == POOL3D_MAX)
        return acc;
    count = (s[0].hi - s[0].lo) * (s[1].hi - s[1].lo) * (s[2].hi - s[2].lo);
    div = p->count_include_pad ? s[0].padded * s[1].padded * s[2].padded : count;
    return div > 0 ? acc / (float)div : 0.0f;
}

static void pool3d(const snt_pool3d_params *p, pool3d_kind kind, const float *x, float *y,
                   int64_t *indices)
{
    size_t in_plane = p->in[0] * p->in[1] * p->in[2], pl, od, oh, ow;
    pool_span s[3];
    int64_t arg;
    for (pl = 0; pl < p->n * p->c; pl++) {
        const float *plane = x + pl * in_plane;
        for (od = 0; od < p->out[0]; od++) {
            s[0] = span_at(p, 0, od);
            for (oh = 0; oh < p->out[1]; oh++) {
                s[1] = span_at(p, 1, oh);
                for (ow = 0; ow < p->out[2]; ow++) {
                    s[2] = span_at(p, 2, ow);
                    *y++ = pool_one(p, kind, plane, s, &arg);
                    if (indices)
                        *indices++ = arg < 0 ? -1 : (int64_t)(pl * in_plane) + arg;
                }
            }
        }
    }
}

void snt_maxpool3d_f32(const snt_pool3d_params *p, const float *x, float *y, int64_t *indices)
{
    pool3d(p, POOL3D_MAX, x, y, indices);
}

void snt_avgpool3d_f32(const snt_pool3d_params *p, const float *x, float *y)
{
    pool3d(p, POOL3D_AVG, x, y, NULL);
}
