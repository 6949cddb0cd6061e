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
 * exclude_outside.  Coordinates are computed in float, as onnxruntime
 * does; align_corners and tf_crop_and_resize use the integer output
 * length.
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

/* Sum over the tap combinations of axes d.. of weight products times x. */
static float interpolate(const axis_taps *t, const size_t *in_strides, int d, int rank,
                         const float *x)
{
    float sum = 0.0f;
    int k;
    if (d == rank)
        return *x;
    for (k = 0; k < t[d].n; k++)
        sum += t[d].w[k] * interpolate(t, in_strides, d + 1, rank, x + t[d].idx[k] * in_strides[d]);
    return sum;
}

void snt_resize_f32(const snt_resize_params *p, const float *x, float *y)
{
    axis_taps taps[SNT_MAX_RANK];
    size_t idx[SNT_MAX_RANK] = {0}, in_strides[SNT_MAX_RANK];
    int rank = p->rank, d, changed = 0;

    if (snt__any_zero(rank, p->out_dims))
        return;
    if (snt__any_zero(rank, p->in_dims)) {
        /* Nothing to interpolate from (undefined in ONNX). */
        size_t total = 1, i;
        for (d = 0; d < rank; d++)
            total *= p->out_dims[d];
        for (i = 0; i < total; i++)
            y[i] = p->extrapolation_value;
        return;
    }
    for (d = rank - 1; d >= 0; d--)
        in_strides[d] = d == rank - 1 ? 1 : in_strides[d + 1] * p->in_dims[d + 1];

    for (;;) {
        int outside = 0;
        /* Only the axes the odometer moved need new taps. */
        for (d = changed; d < rank; d++)
            compute_taps(p, d, idx[d], &taps[d]);
        for (d = 0; d < rank; d++)
            outside |= taps[d].outside;
        *y++ = outside ? p->extrapolation_value : interpolate(taps, in_strides, 0, rank, x);

        for (d = rank - 1; d >= 0; d--) {
            if (++idx[d] < p->out_dims[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            return;
        changed = d;
    }
}
