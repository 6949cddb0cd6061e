/*
 * act_ext.c - the activations of snt_actx_kind (Elu, Selu, Celu,
 * ThresholdedRelu, Shrink, Softplus, Softsign, HardSigmoid, HardSwish,
 * Mish) and PRelu, whose slope broadcasts against x, on float32 and
 * float64: one macro body instantiated per element type.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/*
 * The kernels of element type T, named by SUFFIX (f32, f64); F names
 * libm's functions for T.  softplus is log(1 + exp(x)) without overflow
 * for large x.  The attributes stay float in snt_actx (ONNX's are float)
 * and widen to T in the arithmetic.
 */
#define DEFINE_ACTX(SUFFIX, T, F) \
    static T softplus_##SUFFIX(T x) \
    { \
        return (x > 0 ? x : 0) + F(log1p)(F(exp)(-F(fabs)(x))); \
    } \
    \
    static T hard_sigmoid_##SUFFIX(T x, T alpha, T beta) \
    { \
        T v = alpha * x + beta; \
        return v < 0 ? 0 : v > 1 ? 1 : v; \
    } \
    \
    static T actx_one_##SUFFIX(const snt_actx *a, T x) \
    { \
        switch (a->kind) { \
        case SNT_ACTX_ELU: return x < 0 ? a->alpha * F(expm1)(x) : x; \
        case SNT_ACTX_SELU: return a->gamma * (x <= 0 ? a->alpha * F(expm1)(x) : x); \
        case SNT_ACTX_CELU: return x > 0 ? x : a->alpha * F(expm1)(x / a->alpha); \
        case SNT_ACTX_THRESHOLDED_RELU: return x > a->alpha ? x : 0; \
        case SNT_ACTX_SHRINK: \
            return x < -a->alpha ? x + a->beta : x > a->alpha ? x - a->beta : 0; \
        case SNT_ACTX_SOFTPLUS: return softplus_##SUFFIX(x); \
        case SNT_ACTX_SOFTSIGN: return x / (1 + F(fabs)(x)); \
        case SNT_ACTX_HARD_SIGMOID: return hard_sigmoid_##SUFFIX(x, a->alpha, a->beta); \
        case SNT_ACTX_HARD_SWISH: return x * hard_sigmoid_##SUFFIX(x, (T)1 / 6, (T)0.5); \
        case SNT_ACTX_MISH: return x * F(tanh)(softplus_##SUFFIX(x)); \
        } \
        return x; \
    } \
    \
    void snt_actx_##SUFFIX(const snt_actx *act, const T *x, T *y, size_t n) \
    { \
        size_t i; \
        for (i = 0; i < n; i++) \
            y[i] = actx_one_##SUFFIX(act, x[i]); \
    } \
    \
    void snt_prelu_##SUFFIX(const snt_bcast *p, const T *x, const T *slope, T *y) \
    { \
        size_t idx[SNT_MAX_RANK] = {0}; \
        ptrdiff_t ox = 0, os = 0; \
        T *out = y; \
        if (snt__any_zero(p->rank, p->dims)) \
            return; \
        do { \
            T v = x[ox]; \
            *out++ = v < 0 ? slope[os] * v : v; \
        } while (snt__odo_next(p->rank, p->dims, idx, p->a_strides, &ox, p->b_strides, &os)); \
    }

DEFINE_ACTX(f32, float, SNT__F32)
DEFINE_ACTX(f64, double, SNT__F64)
