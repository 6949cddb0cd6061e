/*
 * resize.c - ONNX Resize (opsets 11..18 without antialias): nearest,
 * linear and cubic modes, N-D, every coordinate transformation.
 *
 * Interpolation is separable: along each axis an output position maps to
 * a coordinate in the input, which yields up to four taps (input index,
 * weight); an output element is the sum over all tap combinations of
 * the product of the weights times the input there.  Taps that would
 * fall outside the input are clamped to the edge (the reference pads with
 * edge values), or dropped and the rest renormalised under
 * exclude_outside.  The last axis is done a chunk of positions at a
 * time so that its taps are computed once for all rows.  Coordinates are
 * computed in float, as onnxruntime does; align_corners and
 * tf_crop_and_resize use the integer output length.
 */
#include <math.h>

#include "internal.h"

typedef struct {
    int n;              /* 1..4 taps */
    int outside;        /* tf_crop_and_resize: coordinate outside the input */
    size_t idx[4];
    float w[4];
} axis_taps;

/* The input coordinate that output position o of axis d maps to. */
static float original_coord(const snt_resize_params *p, int d, size_t o)
{
    const float x = (float)o, scale = p->scales[d];
    const float in = (float)p->in_dims[d], out = (float)p->out_dims[d];
    const float start = p->roi_start[d], end = p->roi_end[d];
    switch (p->coord) {
    case SNT_COORD_HALF_PIXEL:
        break;
    case SNT_COORD_PYTORCH_HALF_PIXEL:
        if (p->out_dims[d] <= 1)
            return 0.0f;
        break;
    case SNT_COORD_ALIGN_CORNERS:
        return p->out_dims[d] > 1 ? x * (in - 1.0f) / (out - 1.0f) : 0.0f;
    case SNT_COORD_ASYMMETRIC:
        return x / scale;
    case SNT_COORD_TF_HALF_PIXEL_FOR_NN:
        return (x + 0.5f) / scale;
    case SNT_COORD_TF_CROP_AND_RESIZE:
        if (p->out_dims[d] <= 1)
            return 0.5f * (start + end) * (in - 1.0f);
        return start * (in - 1.0f) + x * (end - start) * (in - 1.0f) / (out - 1.0f);
    }
    return (x + 0.5f) / scale - 0.5f;
}

/* The input index that nearest mode picks for coordinate c, from the two
 * neighbours floor(c) and floor(c) + 1 by the fraction between them. */
static ptrdiff_t nearest_index(snt_nearest_mode mode, float c)
{
    float lo = floorf(c), frac = c - lo;
    int up;
    switch (mode) {
    case SNT_NEAREST_ROUND_PREFER_CEIL: up = frac >= 0.5f; break;
    case SNT_NEAREST_FLOOR:             up = 0; break;
    case SNT_NEAREST_CEIL:              up = frac > 0.0f; break;
    default:                            up = frac > 0.5f; break;
    }
    return (ptrdiff_t)lo + up;
}

/* Cubic convolution weights (Keys, parameter a) of the four neighbours
 * floor-1 .. floor+2 for fraction r. */
static void cubic_weights(float a, float r, float *w)
{
    float s = 1.0f - r;
    w[0] = ((a * (r + 1.0f) - 5.0f * a) * (r + 1.0f) + 8.0f * a) * (r + 1.0f) - 4.0f * a;
    w[1] = ((a + 2.0f) * r - (a + 3.0f)) * r * r + 1.0f;
    w[2] = ((a + 2.0f) * s - (a + 3.0f)) * s * s + 1.0f;
    w[3] = ((a * (s + 1.0f) - 5.0f * a) * (s + 1.0f) + 8.0f * a) * (s + 1.0f) - 4.0f * a;
}

static size_t clamp_index(ptrdiff_t i, size_t n)
{
    if (i < 0)
        return 0;
    return (size_t)i >= n ? n - 1 : (size_t)i;
}

/* Replaces tap positions by input indices: drops (exclude_outside) or
 * clamps the ones outside the input. */
static void settle_taps(const snt_resize_params *p, size_t in, const ptrdiff_t *pos,
                        axis_taps *t)
{
    float total = 0.0f;
    int k, kept = 0;
    for (k = 0; k < t->n; k++) {
        if (p->exclude_outside && (pos[k] < 0 || pos[k] >= (ptrdiff_t)in))
            continue;
        t->idx[kept] = clamp_index(pos[k], in);
        t->w[kept] = t->w[k];
        total += t->w[k];
        kept++;
    }
    t->n = kept;
    if (p->exclude_outside && total != 0.0f)
        for (k = 0; k < kept; k++)
            t->w[k] /= total;
}

static void compute_taps(const snt_resize_params *p, int d, size_t o, axis_taps *t)
{
    const size_t in = p->in_dims[d];
    float c = original_coord(p, d, o), lo, r;
    ptrdiff_t pos[4], base;
    int k;

    t->outside = p->coord == SNT_COORD_TF_CROP_AND_RESIZE &&
                 (c < 0.0f || c > (float)in - 1.0f);
    lo = floorf(c);
    r = c - lo;
    base = (ptrdiff_t)lo;
    if (p->mode == SNT_RESIZE_NEAREST || r == 0.0f) {
        /* An integral coordinate takes that input exactly in every mode. */
        t->n = 1;
        pos[0] = p->mode == SNT_RESIZE_NEAREST ? nearest_index(p->nearest, c) : base;
        t->w[0] = 1.0f;
    } else if (p->mode == SNT_RESIZE_LINEAR) {
        t->n = 2;
        pos[0] = base;
        pos[1] = base + 1;
        t->w[0] = 1.0f - r;
        t->w[1] = r;
    } else {
        t->n = 4;
        for (k = 0; k < 4; k++)
            pos[k] = base - 1 + k;
        cubic_weights(p->cubic_a, r, t->w);
    }
    settle_taps(p, in, pos, t);
}

/* Output positions of the last axis whose taps are computed together and
 * reused for every row (7 KiB of stack). */
#define ROW_CHUNK 128

/* out[j] += weight * (interpolation along the last axis at chunk
 * position j of the input row xrow). */
static void add_row(const axis_taps *rt, size_t cn, float weight, const float *xrow, float *out)
{
    size_t j;
    int k;
    for (j = 0; j < cn; j++) {
        float s = 0.0f;
        for (k = 0; k < rt[j].n; k++)
            s += rt[j].w[k] * xrow[rt[j].idx[k]];
        out[j] += weight * s;
    }
}

/* Visits every combination of taps of the outer axes d .. last-1, and
 * adds each input row it lands on, weighted by the product of the tap
 * weights, into out. */
static void add_outer_taps(const axis_taps *t, const size_t *in_strides, int d, int last,
                           float weight, const float *x, const axis_taps *rt, size_t cn, float *out)
{
    int k;
    if (d == last) {
        add_row(rt, cn, weight, x, out);
        return;
    }
    for (k = 0; k < t[d].n; k++)
        add_outer_taps(t, in_strides, d + 1, last, weight * t[d].w[k],
                       x + t[d].idx[k] * in_strides[d], rt, cn, out);
}

/* Fills out[0..cn) of one output row from the outer axes' taps t and the
 * chunk's last-axis taps rt. */
static void resize_row_chunk(const snt_resize_params *p, const axis_taps *t,
                             const size_t *in_strides, const axis_taps *rt, size_t cn,
                             const float *x, float *out)
{
    const int last = p->rank - 1;
    size_t j;
    int d, outside = 0;
    for (d = 0; d < last; d++)
        outside |= t[d].outside;
    for (j = 0; j < cn; j++)
        out[j] = outside ? p->extrapolation_value : 0.0f;
    if (outside)
        return;
    add_outer_taps(t, in_strides, 0, last, 1.0f, x, rt, cn, out);
    for (j = 0; j < cn; j++)
        if (rt[j].outside)
            out[j] = p->extrapolation_value;
}

/*
 * Runs over the output a chunk of the last axis at a time: the chunk's
 * taps are computed once, then every output row (an odometer over the
 * outer axes, whose taps are recomputed only where it moved) is filled
 * for that chunk.
 */
void snt_resize_f32(const snt_resize_params *p, const float *x, float *y)
{
    axis_taps taps[SNT_MAX_RANK], row_taps[ROW_CHUNK];
    size_t idx[SNT_MAX_RANK], in_strides[SNT_MAX_RANK], total = 1, c0, j;
    const int rank = p->rank, last = rank - 1;
    int d;

    for (d = 0; d < rank; d++)
        total *= p->out_dims[d];
    if (total == 0)
        return;
    if (rank == 0) {
        y[0] = x[0];
        return;
    }
    if (snt__any_zero(rank, p->in_dims)) {
        /* Nothing to interpolate from (undefined in ONNX). */
        for (j = 0; j < total; j++)
            y[j] = p->extrapolation_value;
        return;
    }
    for (d = last; d >= 0; d--)
        in_strides[d] = d == last ? 1 : in_strides[d + 1] * p->in_dims[d + 1];

    for (c0 = 0; c0 < p->out_dims[last]; c0 += ROW_CHUNK) {
        size_t cn = p->out_dims[last] - c0 < ROW_CHUNK ? p->out_dims[last] - c0 : ROW_CHUNK;
        float *row = y + c0;
        int changed = 0;
        for (j = 0; j < cn; j++)
            compute_taps(p, last, c0 + j, &row_taps[j]);
        for (d = 0; d < last; d++)
            idx[d] = 0;
        for (;;) {
            for (d = changed; d < last; d++)
                compute_taps(p, d, idx[d], &taps[d]);
            resize_row_chunk(p, taps, in_strides, row_taps, cn, x, row);
            row += p->out_dims[last];
            for (d = last - 1; d >= 0; d--) {
                if (++idx[d] < p->out_dims[d])
                    break;
                idx[d] = 0;
            }
            if (d < 0)
                break;
            changed = d;
        }
    }
}
