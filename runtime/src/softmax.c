/*
 * softmax.c - Softmax along one axis: exp(x - max) / sum, the max taken
 * out first so that exp never overflows.
 */
#include <math.h>

#include "sinter_rt.h"

/* Softmax of the `len` values at x[0], x[stride], ... into y likewise. */
static void softmax_line(size_t len, size_t stride, const float *x, float *y)
{
    float max = x[0], sum = 0.0f, inv;
    size_t i;
    for (i = 1; i < len; i++)
        if (x[i * stride] > max)
            max = x[i * stride];
    for (i = 0; i < len; i++) {
        float e = expf(x[i * stride] - max);
        y[i * stride] = e;
        sum += e;
    }
    inv = 1.0f / sum;
    for (i = 0; i < len; i++)
        y[i * stride] *= inv;
}

void snt_softmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y)
{
    size_t o, i, block = len * inner;
    if (len == 0)
        return;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++)
            softmax_line(len, inner, x + o * block + i, y + o * block + i);
}
