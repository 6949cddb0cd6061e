/*
 * conv2d.c - ONNX Conv on NCHW tensors, with bias and a fused epilogue:
 * an activation, a per-channel affine and a residual add.
 *
 * Three strategies, chosen from the parameters alone:
 *  - pointwise (1x1, stride 1, no padding): each group is directly one
 *    matrix product W[k][c] * X[c][h*w], no copy;
 *  - depthwise (groups == c == k): a direct loop per channel that slides
 *    each kernel tap over whole output rows;
 *  - everything else: im2col of a band of output rows into `scratch`,
 *    then one matrix product per group and band.  Bands bound the scratch
 *    size (SCRATCH_CAP floats unless a single output row needs more), so
 *    a large layer does not need a column buffer of many megabytes.
 */
#include <string.h>

#include "internal.h"

/* Upper bound on the im2col buffer: 1 Mi floats = 4 MiB. */
#define SCRATCH_CAP ((size_t)1 << 20)

static int is_pointwise(const snt_conv2d_params *p)
{
    return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 &&
           p->pt == 0 && p->pl == 0 && p->oh == p->h && p->ow == p->w;
}

static int is_depthwise(const snt_conv2d_params *p)
{
    return p->groups == p->c && p->k == p->c;
}

/* Rows of the im2col matrix: one per (input channel of a group, tap). */
static size_t col_rows(const snt_conv2d_params *p)
{
    return p->c / p->groups * p->kh * p->kw;
}

/* How many output rows one im2col band covers. */
static size_t band_rows(const snt_conv2d_params *p)
{
    size_t per_row = col_rows(p) * p->ow, rows;
    if (per_row == 0)
        return p->oh;
    rows = SCRATCH_CAP / per_row;
    if (rows == 0)
        rows = 1;
    return rows < p->oh ? rows : p->oh;
}

size_t snt_conv2d_scratch_floats(const snt_conv2d_params *p)
{
    if (is_pointwise(p) || is_depthwise(p))
        return 0;
    return col_rows(p) * p->ow * band_rows(p);
}

/*
 * Fills the im2col matrix for output rows [oy0, oy0+rows) of one group:
 * col[(ci*kh + ky)*kw + kx][(oy-oy0)*ow + ox] = x[ci][iy][ix], 0 where
 * (iy, ix) falls in the padding.  x points at the group's first channel.
 */
static void im2col_band(const snt_conv2d_params *p, const float *x,
                        size_t oy0, size_t rows, float *col)
{
    size_t cg = p->c / p->groups, ci, ky, kx, oy, ox;
    size_t cols = rows * p->ow;
    for (ci = 0; ci < cg; ci++) {
        const float *xc = x + ci * p->h * p->w;
        for (ky = 0; ky < p->kh; ky++) {
            for (kx = 0; kx < p->kw; kx++) {
                float *dst = col + ((ci * p->kh + ky) * p->kw + kx) * cols;
                size_t lo, hi;
                snt__window_range(p->pl, kx * p->dw, p->sw, p->w, p->ow, &lo, &hi);
                for (oy = oy0; oy < oy0 + rows; oy++, dst += p->ow) {
                    ptrdiff_t iy = (ptrdiff_t)(oy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
                    const float *src;
                    if (iy < 0 || iy >= (ptrdiff_t)p->h || lo == hi) {
                        memset(dst, 0, p->ow * sizeof(float));
                        continue;
                    }
                    src = xc + (size_t)iy * p->w + (lo * p->sw + kx * p->dw - p->pl);
                    memset(dst, 0, lo * sizeof(float));
                    if (p->sw == 1) {
                        memcpy(dst + lo, src, (hi - lo) * sizeof(float));
                    } else {
                        for (ox = lo; ox < hi; ox++)
                            dst[ox] = src[(ox - lo) * p->sw];
                    }
                    memset(dst + hi, 0, (p->ow - hi) * sizeof(float));
                }
            }
        }
    }
}

/* One image through im2col + sgemm, group by group and band by band. */
static void conv_im2col(const snt_conv2d_params *p, const float *x, const float *w,
                        float *y, float *scratch)
{
    size_t cg = p->c / p->groups, kg = p->k / p->groups, rows_k = col_rows(p);
    size_t band = band_rows(p), ohw = p->oh * p->ow, g, oy0;
    for (g = 0; g < p->groups; g++) {
        const float *xg = x + g * cg * p->h * p->w;
        const float *wg = w + g * kg * rows_k;
        float *yg = y + g * kg * ohw;
        for (oy0 = 0; oy0 < p->oh; oy0 += band) {
            size_t rows = p->oh - oy0 < band ? p->oh - oy0 : band, cols = rows * p->ow;
            im2col_band(p, xg, oy0, rows, scratch);
            snt_sgemm(kg, cols, rows_k, 1.0f, wg, (ptrdiff_t)rows_k, 1,
                      scratch, (ptrdiff_t)cols, 1, yg + oy0 * p->ow, ohw, 0);
        }
    }
}

/* One image of a 1x1 stride-1 unpadded convolution: a product per group. */
static void conv_pointwise(const snt_conv2d_params *p, const float *x, const float *w, float *y)
{
    size_t cg = p->c / p->groups, kg = p->k / p->groups, hw = p->h * p->w, g;
    for (g = 0; g < p->groups; g++)
        snt_sgemm(kg, hw, cg, 1.0f, w + g * kg * cg, (ptrdiff_t)cg, 1,
                  x + g * cg * hw, (ptrdiff_t)hw, 1, y + g * kg * hw, hw, 0);
}

/*
 * One channel of a depthwise convolution: for every output row and
 * kernel tap, adds tap * input over the span of the row whose reads are
 * inside the input.  With stride 1 the inner loop is a unit-stride axpy.
 */
static void conv_depthwise_channel(const snt_conv2d_params *p, const float *x,
                                   const float *w, float *y)
{
    size_t oy, ky, kx, ox;
    for (oy = 0; oy < p->oh; oy++) {
        float *yrow = y + oy * p->ow;
        memset(yrow, 0, p->ow * sizeof(float));
        for (ky = 0; ky < p->kh; ky++) {
            ptrdiff_t iy = (ptrdiff_t)(oy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
            if (iy < 0 || iy >= (ptrdiff_t)p->h)
                continue;
            for (kx = 0; kx < p->kw; kx++) {
                const float tap = w[ky * p->kw + kx];
                const float *src;
                size_t lo, hi;
                snt__window_range(p->pl, kx * p->dw, p->sw, p->w, p->ow, &lo, &hi);
                if (lo == hi)
                    continue;
                src = x + (size_t)iy * p->w + (lo * p->sw + kx * p->dw - p->pl);
                if (p->sw == 1) {
                    snt__axpy(hi - lo, tap, src, yrow + lo);
                } else {
                    for (ox = lo; ox < hi; ox++)
                        yrow[ox] += tap * src[(ox - lo) * p->sw];
                }
            }
        }
    }
}

/* The epilogue, one output channel at a time while it is in cache: the
 * bias, the activation, the per-channel affine and the residual. */
static void epilogue(const snt_conv2d_params *p, const float *bias, const float *post_scale,
                     const float *post_shift, const float *residual, float *y)
{
    size_t ohw = p->oh * p->ow, ch, i;
    for (ch = 0; ch < p->k; ch++) {
        float *yc = y + ch * ohw;
        if (bias != NULL) {
            const float b = bias[ch];
            for (i = 0; i < ohw; i++)
                yc[i] += b;
        }
        if (p->act.kind != SNT_ACT_NONE)
            snt_act_f32(&p->act, yc, yc, ohw);
        if (post_scale != NULL) {
            const float s = post_scale[ch], t = post_shift[ch];
            for (i = 0; i < ohw; i++)
                yc[i] = yc[i] * s + t;
        }
        if (residual != NULL) {
            const float *rc = residual + ch * ohw;
            for (i = 0; i < ohw; i++)
                yc[i] += rc[i];
        }
    }
}

void snt_conv2d_fused_f32(const snt_conv2d_params *p, const float *x, const float *w,
                          const float *bias, const float *post_scale, const float *post_shift,
                          const float *residual, float *y, float *scratch)
{
    size_t in_img = p->c * p->h * p->w, out_img = p->k * p->oh * p->ow, b, ch;
    if (out_img == 0)
        return;
    for (b = 0; b < p->n; b++, x += in_img, y += out_img) {
        if (is_pointwise(p)) {
            conv_pointwise(p, x, w, y);
        } else if (is_depthwise(p)) {
            for (ch = 0; ch < p->c; ch++)
                conv_depthwise_channel(p, x + ch * p->h * p->w, w + ch * p->kh * p->kw,
                                       y + ch * p->oh * p->ow);
        } else {
            conv_im2col(p, x, w, y, scratch);
        }
        epilogue(p, bias, post_scale, post_shift, residual, y);
        if (residual != NULL)
            residual += out_img;
    }
}

void snt_conv2d_f32(const snt_conv2d_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch)
{
    snt_conv2d_fused_f32(p, x, w, bias, NULL, NULL, NULL, y, scratch);
}
