/*
 * norm.c - BatchNormalization (inference) and LayerNormalization.
 */
#include <math.h>

#include "sinter_rt.h"

void snt_batchnorm_f32(size_t n, size_t c, size_t hw, const float *x,
                       const float *scale, const float *bias,
                       const float *mean, const float *var, float eps, float *y)
{
    size_t b, ch, i;
    for (b = 0; b < n; b++) {
        for (ch = 0; ch < c; ch++, x += hw, y += hw) {
            /* Folded to one multiply-add per element. */
            const float s = scale[ch] / sqrtf(var[ch] + eps);
            const float t = bias[ch] - mean[ch] * s;
            for (i = 0; i < hw; i++)
                y[i] = x[i] * s + t;
        }
    }
}

/* Normalizes one row; mean and variance are accumulated in double so that
 * long rows with a large mean keep their precision. */
static void layernorm_row(size_t cols, const float *x, const float *gamma,
                          const float *beta, float eps, float *y)
{
    double sum = 0.0, sq = 0.0;
    float mean, inv_std;
    size_t i;
    for (i = 0; i < cols; i++)
        sum += x[i];
    mean = (float)(sum / (double)cols);
    for (i = 0; i < cols; i++) {
        double d = (double)x[i] - mean;
        sq += d * d;
    }
    inv_std = (float)(1.0 / sqrt(sq / (double)cols + eps));
    for (i = 0; i < cols; i++) {
        float v = (x[i] - mean) * inv_std;
        if (gamma != NULL)
            v *= gamma[i];
        if (beta != NULL)
            v += beta[i];
        y[i] = v;
    }
}

void snt_layernorm_f32(size_t rows, size_t cols, const float *x,
                       const float *gamma, const float *beta, float eps, float *y)
{
    size_t r;
    if (cols == 0)
        return;
    for (r = 0; r < rows; r++, x += cols, y += cols)
        layernorm_row(cols, x, gamma, beta, eps, y);
}
