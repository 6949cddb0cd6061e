/*
 * normalization.c - InstanceNormalization, LRN, MeanVarianceNormalization and
 * LpNormalization.  Statistics are summed in double: a plane of a large
 * image has enough elements for float sums to drift.
 */
#include <math.h>

#include "internal.h"

/* Mean and (population) variance of x[0..len), in two passes for
 * accuracy. */
static void mean_var(size_t len, const float *x, double *mean, double *var)
{
    *mean = len ? snt__sum_f64(len, x) / (double)len : 0.0;
    *var = len ? snt__sqdev_f64(len, x, *mean) / (double)len : 0.0;
}

void snt_instancenorm_f32(size_t n, size_t c, size_t hw, const float *x, const float *scale,
                          const float *bias, float eps, float *y)
{
    size_t plane, i;
    for (plane = 0; plane < n * c; plane++, x += hw, y += hw) {
        double mean, var;
        float inv, shift;
        mean_var(hw, x, &mean, &var);
        inv = (float)(scale[plane % c] / sqrt(var + eps));
        shift = bias[plane % c] - (float)mean * inv;
        for (i = 0; i < hw; i++)
            y[i] = x[i] * inv + shift;
    }
}

void snt_lrn_f32(size_t n, size_t c, size_t hw, size_t size, float alpha, float beta,
                 float bias, const float *x, float *y)
{
    /* Channels [ch - before, ch + after] take part, clipped to [0, c). */
    size_t before = (size - 1) / 2, after = size / 2, b, ch, j, i;
    for (b = 0; b < n; b++, x += c * hw, y += c * hw)
        for (ch = 0; ch < c; ch++) {
            size_t lo = ch > before ? ch - before : 0;
            size_t hi = ch + after < c ? ch + after : c - 1;
            for (i = 0; i < hw; i++) {
                double sq = 0.0;
                for (j = lo; j <= hi; j++)
                    sq += (double)x[j * hw + i] * x[j * hw + i];
                y[ch * hw + i] = (float)(x[ch * hw + i] /
                                         pow(bias + alpha / (double)size * sq, beta));
            }
        }
}

/* Sum of x - mean (or of its square) over one group: p's red space from x. */
static double mvn_sum(const snt_reduce_params *p, const float *x, double mean, int squared)
{
    size_t idx[SNT_MAX_RANK] = {0};
    ptrdiff_t off = 0, unused = 0;
    double sum = 0.0;
    do {
        double v = x[off] - mean;
        sum += squared ? v * v : v;
    } while (snt__odo_next(p->red_rank, p->red_dims, idx, p->red_strides, &off,
                           p->red_strides, &unused));
    return sum;
}

static void mvn_group(const snt_reduce_params *p, size_t count, const float *x, float *y)
{
    size_t idx[SNT_MAX_RANK] = {0};
    ptrdiff_t off = 0, unused = 0;
    double mean = mvn_sum(p, x, 0.0, 0) / (double)count;
    float denom = (float)(sqrt(mvn_sum(p, x, mean, 1) / (double)count) + 1e-9);
    do {
        y[off] = (float)(x[off] - mean) / denom;
    } while (snt__odo_next(p->red_rank, p->red_dims, idx, p->red_strides, &off,
                           p->red_strides, &unused));
}

void snt_mvn_f32(const snt_reduce_params *p, const float *x, float *y)
{
    size_t idx[SNT_MAX_RANK] = {0}, count = 1;
    ptrdiff_t off = 0, unused = 0;
    int d;
    for (d = 0; d < p->red_rank; d++)
        count *= p->red_dims[d];
    if (count == 0 || snt__any_zero(p->out_rank, p->out_dims))
        return;
    do {
        mvn_group(p, count, x + off, y + off);
    } while (snt__odo_next(p->out_rank, p->out_dims, idx, p->out_strides, &off,
                           p->out_strides, &unused));
}

void snt_lpnorm_f32(size_t outer, size_t len, size_t inner, int p, const float *x, float *y)
{
    size_t o, i, j;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            const float *line = x + o * len * inner + i;
            float *out = y + o * len * inner + i;
            double norm = 0.0;
            for (j = 0; j < len; j++)
                norm += p == 1 ? fabs(line[j * inner]) : (double)line[j * inner] * line[j * inner];
            if (p != 1)
                norm = sqrt(norm);
            for (j = 0; j < len; j++)
                out[j * inner] = norm > 0.0 ? (float)(line[j * inner] / norm) : 0.0f;
        }
}
