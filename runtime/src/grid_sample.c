/*
 * grid_sample.c - ONNX GridSample (opset 16), which is PyTorch's
 * grid_sample on 4-D input: every output pixel reads the input at the
 * point that the grid gives in normalized coordinates (-1 .. 1 spans the
 * input), interpolated with bilinear, nearest or bicubic weights.
 *
 * The arithmetic follows PyTorch's CPU kernel step by step, in float, so
 * results match its reference data: the point is unnormalized (with or
 * without align_corners), padding_mode maps it back inside the input
 * (border clamps, reflection mirrors, zeros leaves it and reads zero
 * outside), and the taps around it are weighted.  Bicubic is the
 * exception PyTorch makes: it applies padding to each of its 16 taps
 * rather than to the point, so that the taps keep their spacing.
 *
 * Tap positions stay floats until they are known to lie inside the
 * input; a NaN or a huge grid value then simply reads as outside.
 */
#include <math.h>

#include "internal.h"

/* Cubic convolution with PyTorch's A = -0.75. */
#define CUBIC_A (-0.75f)

/* The input coordinate for normalized coordinate g along an axis of
 * `size` pixels: with align_corners -1 and 1 are the centers of the
 * corner pixels, without they are the outer edges of the corner pixels. */
static float unnormalize(float g, size_t size, int align_corners)
{
    if (align_corners)
        return (g + 1.0f) / 2.0f * (float)(size - 1);
    return ((g + 1.0f) * (float)size - 1.0f) / 2.0f;
}

static float clamp_to_input(float c, size_t size)
{
    return fminf((float)(size - 1), fmaxf(c, 0.0f));
}

/* Mirrors c into [low, high] by reflecting at both ends as often as
 * needed; a single point (low == high) takes everything. */
static float reflect(float c, float low, float high)
{
    float span = high - low, extra, flips;
    if (span <= 0.0f)
        return low;
    c = fabsf(c - low);
    extra = fmodf(c, span);
    flips = floorf(c / span);
    return fmodf(flips, 2.0f) == 0.0f ? low + extra : high - extra;
}

/* Applies padding_mode to an input coordinate: border and reflection
 * bring it inside [0, size - 1]; zeros leaves it alone. */
static float apply_padding(const snt_grid_sample_params *p, float c, size_t size)
{
    float last = (float)(size - 1);
    switch (p->padding) {
    case SNT_GRID_PAD_ZEROS:
        break;
    case SNT_GRID_PAD_BORDER:
        c = clamp_to_input(c, size);
        break;
    case SNT_GRID_PAD_REFLECTION:
        /* With align_corners the mirrors are the corner pixels' centers,
         * without they are the input's outer edges. */
        c = p->align_corners ? reflect(c, 0.0f, last) : reflect(c, -0.5f, last + 0.5f);
        c = clamp_to_input(c, size);
        break;
    }
    return c;
}

/* The value of plane `x` (h x w) at integral position (row, col), or 0
 * when that lies outside the plane (or is NaN). */
static float pixel(const snt_grid_sample_params *p, const float *x, float row, float col)
{
    if (!(row >= 0.0f && row <= (float)(p->h - 1) && col >= 0.0f && col <= (float)(p->w - 1)))
        return 0.0f;
    return x[(size_t)row * p->w + (size_t)col];
}

static float sample_nearest(const snt_grid_sample_params *p, const float *x, float ix, float iy)
{
    /* nearbyint rounds halves to even, as PyTorch does. */
    return pixel(p, x, nearbyintf(iy), nearbyintf(ix));
}

static float sample_bilinear(const snt_grid_sample_params *p, const float *x, float ix, float iy)
{
    float x0 = floorf(ix), y0 = floorf(iy);
    float fx = ix - x0, fy = iy - y0;
    return pixel(p, x, y0, x0) * (1.0f - fx) * (1.0f - fy) +
           pixel(p, x, y0, x0 + 1.0f) * fx * (1.0f - fy) +
           pixel(p, x, y0 + 1.0f, x0) * (1.0f - fx) * fy +
           pixel(p, x, y0 + 1.0f, x0 + 1.0f) * fx * fy;
}

/* The four cubic convolution weights of taps -1, 0, 1, 2 for a point at
 * fraction t past tap 0. */
static void cubic_weights(float t, float *wt)
{
    const float a = CUBIC_A;
    float far0 = t + 1.0f, far3 = 2.0f - t, near1 = t, near2 = 1.0f - t;
    wt[0] = ((a * far0 - 5.0f * a) * far0 + 8.0f * a) * far0 - 4.0f * a;
    wt[1] = ((a + 2.0f) * near1 - (a + 3.0f)) * near1 * near1 + 1.0f;
    wt[2] = ((a + 2.0f) * near2 - (a + 3.0f)) * near2 * near2 + 1.0f;
    wt[3] = ((a * far3 - 5.0f * a) * far3 + 8.0f * a) * far3 - 4.0f * a;
}

/* A tap of the bicubic stencil: padding applies to the tap itself. */
static float bicubic_tap(const snt_grid_sample_params *p, const float *x, float row, float col)
{
    return pixel(p, x, apply_padding(p, row, p->h), apply_padding(p, col, p->w));
}

/* ix, iy are unnormalized but not padded. */
static float sample_bicubic(const snt_grid_sample_params *p, const float *x, float ix, float iy)
{
    float x0 = floorf(ix), y0 = floorf(iy), wx[4], wy[4], sum = 0.0f;
    int i, j;
    cubic_weights(ix - x0, wx);
    cubic_weights(iy - y0, wy);
    for (i = 0; i < 4; i++) {
        float row = y0 - 1.0f + (float)i, across = 0.0f;
        for (j = 0; j < 4; j++)
            across += bicubic_tap(p, x, row, x0 - 1.0f + (float)j) * wx[j];
        sum += across * wy[i];
    }
    return sum;
}

/* Samples the c planes of one image at one grid point (gx, gy) into y,
 * one value per plane, plane_stride apart. */
static void sample_point(const snt_grid_sample_params *p, const float *x, float gx, float gy,
                         float *y, size_t plane_stride)
{
    float ix = unnormalize(gx, p->w, p->align_corners);
    float iy = unnormalize(gy, p->h, p->align_corners);
    size_t c, plane = p->h * p->w;
    if (p->mode != SNT_GRID_BICUBIC) {
        ix = apply_padding(p, ix, p->w);
        iy = apply_padding(p, iy, p->h);
    }
    for (c = 0; c < p->c; c++) {
        const float *xc = x + c * plane;
        float v;
        switch (p->mode) {
        case SNT_GRID_NEAREST:
            v = sample_nearest(p, xc, ix, iy);
            break;
        case SNT_GRID_BICUBIC:
            v = sample_bicubic(p, xc, ix, iy);
            break;
        default:
            v = sample_bilinear(p, xc, ix, iy);
            break;
        }
        y[c * plane_stride] = v;
    }
}

void snt_grid_sample_f32(const snt_grid_sample_params *p, const float *x, const float *grid,
                         float *y)
{
    size_t b, i, points = p->oh * p->ow;
    if (p->h == 0 || p->w == 0) {
        /* Nothing to sample: every point lies outside the input. */
        for (i = 0; i < p->n * p->c * points; i++)
            y[i] = 0.0f;
        return;
    }
    for (b = 0; b < p->n; b++) {
        const float *xb = x + b * p->c * p->h * p->w;
        const float *gb = grid + b * points * 2;
        float *yb = y + b * p->c * points;
        for (i = 0; i < points; i++)
            sample_point(p, xb, gb[2 * i], gb[2 * i + 1], yb + i, points);
    }
}
