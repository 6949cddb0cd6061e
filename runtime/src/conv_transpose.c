/*
 * conv_transpose.c - ConvTranspose as a matrix product and a scatter
 * (col2im).  For each image and group, cols = W_g^T x X_g is the
 * contribution of every input pixel to every (output channel, tap);
 * col2im then adds each tap's volume into the output at its shifted,
 * strided position.  The product is where the time goes, and it runs on
 * snt_sgemm.  The kernel is 3-D; 1-D and 2-D ones run with unit leading
 * spatial axes.
 */
#include <string.h>

#include "internal.h"

static size_t volume(const size_t *dims)
{
    return dims[0] * dims[1] * dims[2];
}

/* Rows of one group's product W_g^T x X_g: (output channel, tap). */
static size_t product_rows(const snt_conv_transpose3d_params *p)
{
    return p->k / p->groups * volume(p->kernel);
}

/* Scratch starts with the product (cols), in whole lines... */
static size_t cols_floats(const snt_conv_transpose3d_params *p)
{
    return snt__whole_lines(product_rows(p) * volume(p->in));
}

/* ... and snt_sgemm's packing for it follows. */
size_t snt_conv_transpose3d_scratch_floats(const snt_conv_transpose3d_params *p)
{
    return cols_floats(p) + snt_sgemm_scratch_floats(product_rows(p), volume(p->in),
                                                     p->c / p->groups);
}

/* Sets every output volume of one image to its channel's bias (or 0). */
static void fill_bias(const snt_conv_transpose3d_params *p, const float *bias, float *y)
{
    size_t ch, i, vol = volume(p->out);
    for (ch = 0; ch < p->k; ch++, y += vol) {
        if (!bias) {
            memset(y, 0, vol * sizeof *y);
            continue;
        }
        for (i = 0; i < vol; i++)
            y[i] = bias[ch];
    }
}

/* The input positions [lo, hi) along axis a whose tap t lands inside
 * the output, at i * stride + t * dilation - pad_begin. */
static void tap_range(const snt_conv_transpose3d_params *p, int a, size_t t, size_t *lo,
                      size_t *hi)
{
    snt__window_range(p->pad_begin[a], t * p->dilation[a], p->stride[a], p->out[a], p->in[a],
                      lo, hi);
}

/* Adds the input-sized volume `col` of tap (td, th, tw) into the output
 * volume y. */
static void col2im_tap(const snt_conv_transpose3d_params *p, const size_t *tap,
                       const float *col, float *y)
{
    size_t lo[3], hi[3], i, j, l;
    int a;
    for (a = 0; a < 3; a++)
        tap_range(p, a, tap[a], &lo[a], &hi[a]);
    for (i = lo[0]; i < hi[0]; i++) {
        /* Unsigned wrap-around cancels out: every index summed is >= 0. */
        size_t od = i * p->stride[0] + tap[0] * p->dilation[0] - p->pad_begin[0];
        for (j = lo[1]; j < hi[1]; j++) {
            size_t oh = j * p->stride[1] + tap[1] * p->dilation[1] - p->pad_begin[1];
            float *out_row = y + (od * p->out[1] + oh) * p->out[2] + tap[2] * p->dilation[2]
                             - p->pad_begin[2];
            const float *in_row = col + (i * p->in[1] + j) * p->in[2];
            for (l = lo[2]; l < hi[2]; l++)
                out_row[l * p->stride[2]] += in_row[l];
        }
    }
}

void snt_conv_transpose3d_f32(const snt_conv_transpose3d_params *p, const float *x,
                              const float *w, const float *bias, float *y, float *scratch)
{
    size_t cig = p->c / p->groups, cog = p->k / p->groups;
    size_t taps = volume(p->kernel), vol_in = volume(p->in), vol_out = volume(p->out);
    size_t rows = product_rows(p), img, g, r;
    float *gemm_scratch = scratch + cols_floats(p);
    for (img = 0; img < p->n; img++) {
        float *y_img = y + img * p->k * vol_out;
        fill_bias(p, bias, y_img);
        for (g = 0; g < p->groups; g++) {
            /* W_g is [cig][rows]; reading it with row stride 1 and column
             * stride `rows` gives its transpose. */
            const float *w_g = w + g * cig * rows;
            const float *x_g = x + (img * p->c + g * cig) * vol_in;
            snt_sgemm(rows, vol_in, cig, 1.0f, w_g, 1, (ptrdiff_t)rows, x_g, (ptrdiff_t)vol_in,
                      1, scratch, vol_in, 0, gemm_scratch);
            for (r = 0; r < rows; r++) {
                size_t t = r % taps, tap[3];
                tap[2] = t % p->kernel[2];
                tap[1] = t / p->kernel[2] % p->kernel[1];
                tap[0] = t / (p->kernel[2] * p->kernel[1]);
                col2im_tap(p, tap, scratch + r * vol_in, y_img + (g * cog + r / taps) * vol_out);
            }
        }
    }
}
