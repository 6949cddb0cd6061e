/*
 * conv_transpose.c - ConvTranspose as a matrix product and a scatter
 * (col2im).  For each image and group, cols = W_g^T x X_g is the
 * contribution of every input pixel to every (output channel, tap);
 * col2im then adds each tap's plane into the output at its shifted,
 * strided position.  The product is where the time goes, and it runs on
 * snt_sgemm.
 */
#include <string.h>

#include "internal.h"

size_t snt_conv_transpose2d_scratch_floats(const snt_conv_transpose2d_params *p)
{
    return p->k / p->groups * p->kh * p->kw * p->h * p->w;
}

/* Sets every output plane of one image to its channel's bias (or 0). */
static void fill_bias(const snt_conv_transpose2d_params *p, const float *bias, float *y)
{
    size_t ch, i, plane = p->oh * p->ow;
    for (ch = 0; ch < p->k; ch++, y += plane) {
        if (!bias) {
            memset(y, 0, plane * sizeof *y);
            continue;
        }
        for (i = 0; i < plane; i++)
            y[i] = bias[ch];
    }
}

/* Adds the input-sized plane `col` of tap (a, b) into the output plane y. */
static void col2im_tap(const snt_conv_transpose2d_params *p, size_t a, size_t b,
                       const float *col, float *y)
{
    size_t i_lo, i_hi, j_lo, j_hi, i, j;
    /* Input rows i land on output row i*sh + a*dh - pt; keep those inside. */
    snt__window_range(p->pt, a * p->dh, p->sh, p->oh, p->h, &i_lo, &i_hi);
    snt__window_range(p->pl, b * p->dw, p->sw, p->ow, p->w, &j_lo, &j_hi);
    for (i = i_lo; i < i_hi; i++) {
        /* Unsigned wrap-around cancels out: every index summed is >= 0. */
        size_t row = (i * p->sh + a * p->dh - p->pt) * p->ow;
        for (j = j_lo; j < j_hi; j++)
            y[row + j * p->sw + b * p->dw - p->pl] += col[i * p->w + j];
    }
}

void snt_conv_transpose2d_f32(const snt_conv_transpose2d_params *p, const float *x,
                              const float *w, const float *bias, float *y, float *scratch)
{
    size_t cig = p->c / p->groups, cog = p->k / p->groups;
    size_t taps = p->kh * p->kw, hw = p->h * p->w, plane = p->oh * p->ow;
    size_t rows = cog * taps, img, g, r;
    for (img = 0; img < p->n; img++) {
        float *y_img = y + img * p->k * plane;
        fill_bias(p, bias, y_img);
        for (g = 0; g < p->groups; g++) {
            /* W_g is [cig][rows]; reading it with row stride 1 and column
             * stride `rows` gives its transpose. */
            const float *w_g = w + g * cig * rows;
            const float *x_g = x + (img * p->c + g * cig) * hw;
            snt_sgemm(rows, hw, cig, 1.0f, w_g, 1, (ptrdiff_t)rows, x_g, (ptrdiff_t)hw, 1,
                      scratch, hw, 0);
            for (r = 0; r < rows; r++) {
                size_t co = r / taps, tap = r % taps;
                col2im_tap(p, tap / p->kw, tap % p->kw, scratch + r * hw,
                           y_img + (g * cog + co) * plane);
            }
        }
    }
}
