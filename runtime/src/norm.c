/*
 * norm.c - BatchNormalization (inference and training) and LayerNormalization.
 */
#include <math.h>

#include "internal.h"

/* y = x * s + t over one plane of hw elements: a normalization folded
 * to one multiply-add per element. */
static void scale_shift_plane(size_t hw, const float *x, float s, float t, float *y)
{
    size_t i;
    for (i = 0; i < hw; i++)
        y[i] = x[i] * s + t;
}

void snt_batchnorm_f32(size_t n, size_t c, size_t hw, const float *x,
                       const float *scale, const float *bias,
                       const float *mean, const float *var, float eps, float *y)
{
    size_t b, ch;
    for (b = 0; b < n; b++) {
        for (ch = 0; ch < c; ch++, x += hw, y += hw) {
            const float s = scale[ch] / sqrtf(var[ch] + eps);
            scale_shift_plane(hw, x, s, bias[ch] - mean[ch] * s, y);
        }
    }
}

/* The mean and population variance of channel ch over all n images,
 * accumulated in double (two passes, for precision). */
static void channel_stats(size_t n, size_t c, size_t hw, const float *x, size_t ch,
                          double *mean, double *var)
{
    double sum = 0.0, sq = 0.0, count = (double)(n * hw);
    size_t b;
    for (b = 0; b < n; b++)
        sum += snt__sum_f64(hw, x + (b * c + ch) * hw);
    *mean = count > 0 ? sum / count : 0.0;
    for (b = 0; b < n; b++)
        sq += snt__sqdev_f64(hw, x + (b * c + ch) * hw, *mean);
    *var = count > 0 ? sq / count : 0.0;
}

/* Each channel's statistics are taken before its planes are written, so
 * y may equal x. */
void snt_batchnorm_train_f32(size_t n, size_t c, size_t hw, const float *x, const float *scale,
                             const float *bias, const float *in_mean, const float *in_var,
                             float eps, float momentum, float *y, float *run_mean,
                             float *run_var)
{
    size_t b, ch;
    for (ch = 0; ch < c; ch++) {
        double mean, var;
        float s;
        channel_stats(n, c, hw, x, ch, &mean, &var);
        s = (float)(scale[ch] / sqrt(var + eps));
        for (b = 0; b < n; b++)
            scale_shift_plane(hw, x + (b * c + ch) * hw, s, (float)(bias[ch] - mean * s),
                              y + (b * c + ch) * hw);
        if (run_mean)
            run_mean[ch] = (float)(in_mean[ch] * momentum + mean * (1.0 - momentum));
        if (run_var)
            run_var[ch] = (float)(in_var[ch] * momentum + var * (1.0 - momentum));
    }
}

/* y = (x - mean) * inv_std * gamma + beta over one row of cols. */
static void normalize_row(size_t cols, const float *x, float mean, float inv_std,
                          const float *gamma, const float *beta, float *y)
{
    size_t i;
    for (i = 0; i < cols; i++) {
        float v = (x[i] - mean) * inv_std;
        if (gamma != NULL)
            v *= gamma[i];
        if (beta != NULL)
            v += beta[i];
        y[i] = v;
    }
}

/*
 * Rows whose statistics are taken one pass at a time before any of them
 * is normalized.  A row's mean, variance and 1/sqrt are a chain of
 * dependent steps (lane sums, divisions, a square root) that costs more
 * than the row's arithmetic for UNeXt's 128..256 columns; as separate
 * loops over a block of rows, the chains of different rows are
 * independent and the out-of-order core overlaps them.  16 rows of 256
 * floats (16 KiB) stay in L1 between the passes.
 */
#define LN_BLOCK 16

/* Normalizes rows; mean and variance are accumulated in double so that
 * long rows with a large mean keep their precision. */
void snt_layernorm_f32(size_t rows, size_t cols, const float *x,
                       const float *gamma, const float *beta, float eps, float *y)
{
    double mean[LN_BLOCK];
    float inv_std[LN_BLOCK];
    size_t r0, r, n;
    if (cols == 0)
        return;
    for (r0 = 0; r0 < rows; r0 += n, x += n * cols, y += n * cols) {
        n = rows - r0 < LN_BLOCK ? rows - r0 : LN_BLOCK;
        for (r = 0; r < n; r++)
            mean[r] = snt__sum_f64(cols, x + r * cols) / (double)cols;
        for (r = 0; r < n; r++)
            inv_std[r] = (float)(1.0 / sqrt(snt__sqdev_f64(cols, x + r * cols, mean[r]) /
                                            (double)cols + eps));
        for (r = 0; r < n; r++)
            normalize_row(cols, x + r * cols, (float)mean[r], inv_std[r], gamma, beta,
                          y + r * cols);
    }
}
