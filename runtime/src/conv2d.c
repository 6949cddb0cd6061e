/*
 * conv2d.c - ONNX Conv on NCHW tensors, with bias and a fused epilogue:
 * an activation, a per-channel affine and a residual add.
 *
 * Three strategies, chosen from the parameters alone:
 *  - pointwise (1x1, stride 1, no padding): each group is directly one
 *    matrix product W[k][c] * X[c][h*w], no copy;
 *  - depthwise (groups == c == k): a direct loop per output row that
 *    keeps a block of DW_BLOCK outputs in registers over all kernel taps;
 *  - everything else: im2col of a band of output rows into `scratch`,
 *    then one matrix product per group and band (snt_sgemm packs its
 *    blocks in the scratch after the band).  Bands bound the scratch
 *    size (SCRATCH_CAP floats unless a single output row needs more), so
 *    a large layer does not need a column buffer of many megabytes.
 *
 * The epilogue (bias, activation, affine, residual) is applied to each
 * output row or block as soon as it is final, while it is in cache, not
 * in a pass of its own over the whole output.
 */
#include <string.h>

#include "internal.h"

/* Upper bound on the im2col buffer: 1 Mi floats = 4 MiB. */
#define SCRATCH_CAP ((size_t)1 << 20)

/* Outputs of a depthwise row computed together, in two accumulator sets
 * (even and odd kernel columns) so that consecutive multiply-adds do not
 * wait on each other. */
#define DW_BLOCK 16

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

/* Scratch starts with an im2col band, in whole lines... */
static size_t band_floats(const snt_conv2d_params *p)
{
    if (is_pointwise(p) || is_depthwise(p))
        return 0;
    return snt__whole_lines(col_rows(p) * p->ow * band_rows(p));
}

/* ... and snt_sgemm's packing for the product of one group (and band)
 * follows it. */
size_t snt_conv2d_scratch_floats(const snt_conv2d_params *p)
{
    size_t kg = p->k / p->groups;
    if (is_pointwise(p))
        return snt_sgemm_scratch_floats(kg, p->h * p->w, p->c / p->groups);
    if (is_depthwise(p))
        return 0;
    return band_floats(p) + snt_sgemm_scratch_floats(kg, band_rows(p) * p->ow, col_rows(p));
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

/* The epilogue of the rows from output channel ch0 and the columns
 * (pixels of the channel) from col0 on. */
static snt__epilogue epilogue_at(const snt__epilogue *ep, size_t ch0, size_t col0)
{
    snt__epilogue e = *ep;
    if (e.bias != NULL)
        e.bias += ch0;
    if (e.scale != NULL) {
        e.scale += ch0;
        e.shift += ch0;
    }
    if (e.residual != NULL)
        e.residual += ch0 * e.res_ld + col0;
    return e;
}

/* One image through im2col + sgemm, group by group and band by band. */
static void conv_im2col(const snt_conv2d_params *p, const float *x, const float *w,
                        const snt__epilogue *ep, float *y, float *scratch)
{
    size_t cg = p->c / p->groups, kg = p->k / p->groups, rows_k = col_rows(p);
    size_t band = band_rows(p), ohw = p->oh * p->ow, g, oy0;
    float *gemm_scratch = scratch + band_floats(p);
    for (g = 0; g < p->groups; g++) {
        const float *xg = x + g * cg * p->h * p->w;
        const float *wg = w + g * kg * rows_k;
        float *yg = y + g * kg * ohw;
        for (oy0 = 0; oy0 < p->oh; oy0 += band) {
            size_t rows = p->oh - oy0 < band ? p->oh - oy0 : band, cols = rows * p->ow;
            snt__epilogue e = epilogue_at(ep, g * kg, oy0 * p->ow);
            im2col_band(p, xg, oy0, rows, scratch);
            snt__sgemm_ep(kg, cols, rows_k, 1.0f, wg, (ptrdiff_t)rows_k, 1,
                          scratch, (ptrdiff_t)cols, 1, yg + oy0 * p->ow, ohw, 0, &e,
                          gemm_scratch);
        }
    }
}

/* One image of a 1x1 stride-1 unpadded convolution: a product per group. */
static void conv_pointwise(const snt_conv2d_params *p, const float *x, const float *w,
                           const snt__epilogue *ep, float *y, float *scratch)
{
    size_t cg = p->c / p->groups, kg = p->k / p->groups, hw = p->h * p->w, g;
    for (g = 0; g < p->groups; g++) {
        snt__epilogue e = epilogue_at(ep, g * kg, 0);
        snt__sgemm_ep(kg, hw, cg, 1.0f, w + g * kg * cg, (ptrdiff_t)cg, 1,
                      x + g * cg * hw, (ptrdiff_t)hw, 1, y + g * kg * hw, hw, 0, &e, scratch);
    }
}

/* The input row read by kernel row ky for output row oy, or -1 when it
 * falls in the padding. */
static ptrdiff_t depthwise_input_row(const snt_conv2d_params *p, size_t oy, size_t ky)
{
    ptrdiff_t iy = (ptrdiff_t)(oy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
    return iy >= 0 && iy < (ptrdiff_t)p->h ? iy : -1;
}

/* One output of a depthwise channel, any position: taps in the padding
 * are skipped one by one. */
static float depthwise_point(const snt_conv2d_params *p, const float *x, const float *w,
                             size_t oy, size_t ox)
{
    float sum = 0.0f;
    size_t ky, kx;
    for (ky = 0; ky < p->kh; ky++) {
        ptrdiff_t iy = depthwise_input_row(p, oy, ky);
        if (iy < 0)
            continue;
        for (kx = 0; kx < p->kw; kx++) {
            ptrdiff_t ix = (ptrdiff_t)(ox * p->sw + kx * p->dw) - (ptrdiff_t)p->pl;
            if (ix >= 0 && ix < (ptrdiff_t)p->w)
                sum += w[ky * p->kw + kx] * x[(size_t)iy * p->w + (size_t)ix];
        }
    }
    return sum;
}

/*
 * DW_BLOCK outputs of a depthwise row from ox on, all of whose taps lie
 * inside the input row-wise.  Inlined with sw = 1 the inner loops are
 * unit-stride and vectorise.
 */
static inline void depthwise_block(const snt_conv2d_params *p, const float *x, const float *w,
                                   size_t oy, size_t ox, size_t sw, float *out)
{
    float even[DW_BLOCK] = {0}, odd[DW_BLOCK] = {0};
    size_t ky, kx, j;
    for (ky = 0; ky < p->kh; ky++) {
        ptrdiff_t iy = depthwise_input_row(p, oy, ky);
        const float *src, *wrow = w + ky * p->kw;
        if (iy < 0)
            continue;
        src = x + (size_t)iy * p->w + ox * sw - p->pl;
        for (kx = 0; kx + 1 < p->kw; kx += 2) {
            const float t0 = wrow[kx], t1 = wrow[kx + 1];
            const float *s0 = src + kx * p->dw, *s1 = s0 + p->dw;
            for (j = 0; j < DW_BLOCK; j++) {
                even[j] += t0 * s0[j * sw];
                odd[j] += t1 * s1[j * sw];
            }
        }
        if (kx < p->kw) {
            const float t0 = wrow[kx], *s0 = src + kx * p->dw;
            for (j = 0; j < DW_BLOCK; j++)
                even[j] += t0 * s0[j * sw];
        }
    }
    for (j = 0; j < DW_BLOCK; j++)
        out[j] = even[j] + odd[j];
}

/*
 * Output row oy of one depthwise channel.  The columns [lo, hi) whose
 * taps all read inside the input row go by blocks (the last block
 * shifted back to end at hi, recomputing a few outputs); the columns
 * near the padding go one by one.
 */
static void depthwise_row(const snt_conv2d_params *p, const float *x, const float *w,
                          size_t oy, float *yrow)
{
    size_t lo, hi, unused, ox;
    /* The first tap reads inside from column lo on, the last tap below
     * column hi; the taps between read between them. */
    snt__window_range(p->pl, 0, p->sw, p->w, p->ow, &lo, &unused);
    snt__window_range(p->pl, (p->kw - 1) * p->dw, p->sw, p->w, p->ow, &unused, &hi);
    if (hi < lo + DW_BLOCK)
        lo = hi = 0;   /* too narrow for a block: all one by one */
    for (ox = 0; ox < lo; ox++)
        yrow[ox] = depthwise_point(p, x, w, oy, ox);
    for (ox = lo; ox < hi; ox += DW_BLOCK) {
        size_t at = ox + DW_BLOCK <= hi ? ox : hi - DW_BLOCK;
        if (p->sw == 1)
            depthwise_block(p, x, w, oy, at, 1, yrow + at);
        else
            depthwise_block(p, x, w, oy, at, p->sw, yrow + at);
    }
    for (ox = hi; ox < p->ow; ox++)
        yrow[ox] = depthwise_point(p, x, w, oy, ox);
}

/* One image of a depthwise convolution, channel by channel and row by
 * row, each row finished by the epilogue while it is in L1. */
static void conv_depthwise(const snt_conv2d_params *p, const float *x, const float *w,
                           const snt__epilogue *ep, float *y)
{
    size_t ch, oy;
    for (ch = 0; ch < p->c; ch++) {
        const float *xc = x + ch * p->h * p->w, *wc = w + ch * p->kh * p->kw;
        float *yc = y + ch * p->oh * p->ow;
        for (oy = 0; oy < p->oh; oy++) {
            depthwise_row(p, xc, wc, oy, yc + oy * p->ow);
            snt__epilogue_row(ep, ch, oy * p->ow, yc + oy * p->ow, p->ow);
        }
    }
}

void snt_conv2d_fused_f32(const snt_conv2d_params *p, const float *x, const float *w,
                          const float *bias, const float *post_scale, const float *post_shift,
                          const float *residual, float *y, float *scratch)
{
    size_t in_img = p->c * p->h * p->w, out_img = p->k * p->oh * p->ow, b;
    snt__epilogue ep = snt__conv_epilogue(p, bias, post_scale, post_shift, residual);
    if (out_img == 0)
        return;
    for (b = 0; b < p->n; b++, x += in_img, y += out_img) {
        if (is_pointwise(p))
            conv_pointwise(p, x, w, &ep, y, scratch);
        else if (is_depthwise(p))
            conv_depthwise(p, x, w, &ep, y);
        else
            conv_im2col(p, x, w, &ep, y, scratch);
        if (ep.residual != NULL)
            ep.residual += out_img;
    }
}

void snt_conv2d_f32(const snt_conv2d_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch)
{
    snt_conv2d_fused_f32(p, x, w, bias, NULL, NULL, NULL, y, scratch);
}
