/*
 * act_ext.c - the activations of snt_actx_kind (Elu, Selu, Celu,
 * ThresholdedRelu, Shrink, Softplus, Softsign, HardSigmoid, HardSwish,
 * Mish) and PRelu, whose slope broadcasts against x.
 */
#include <math.h>

#include "internal.h"

/* log(1 + exp(x)) without overflow for large x. */
static float softplus(float x)
{
    return (x > 0.0f ? x : 0.0f) + log1pf(expf(-fabsf(x)));
}

static float hard_sigmoid(float x, float alpha, float beta)
{
    float v = alpha * x + beta;
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

static float actx_one(const snt_actx *a, float x)
{
    switch (a->kind) {
    case SNT_ACTX_ELU: return x < 0.0f ? a->alpha * expm1f(x) : x;
    case SNT_ACTX_SELU: return a->gamma * (x <= 0.0f ? a->alpha * expm1f(x) : x);
    case SNT_ACTX_CELU: return x > 0.0f ? x : a->alpha * expm1f(x / a->alpha);
    case SNT_ACTX_THRESHOLDED_RELU: return x > a->alpha ? x : 0.0f;
    case SNT_ACTX_SHRINK:
        return x < -a->alpha ? x + a->beta : x > a->alpha ? x - a->beta : 0.0f;
    case SNT_ACTX_SOFTPLUS: return softplus(x);
    case SNT_ACTX_SOFTSIGN: return x / (1.0f + fabsf(x));
    case SNT_ACTX_HARD_SIGMOID: return hard_sigmoid(x, a->alpha, a->beta);
    case SNT_ACTX_HARD_SWISH: return x * hard_sigmoid(x, 1.0f / 6.0f, 0.5f);
    case SNT_ACTX_MISH: return x * tanhf(softplus(x));
    }
    return x;
}

void snt_actx_f32(const snt_actx *act, const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        y[i] = actx_one(act, x[i]);
}

void snt_prelu_f32(const snt_bcast *p, const float *x, const float *slope, float *y)
{
    size_t idx[SNT_MAX_RANK] = {0};
    ptrdiff_t ox = 0, os = 0;
    float *out = y;
    if (snt__any_zero(p->rank, p->dims))
        return;
    do {
        float v = x[ox];
        *out++ = v < 0.0f ? slope[os] * v : v;
    } while (snt__odo_next(p->rank, p->dims, idx, p->a_strides, &ox, p->b_strides, &os));
}
