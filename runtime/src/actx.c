/*
 * actx.c - the activations of snt_actx_kind (Elu, Selu, Celu,
 * ThresholdedRelu, Shrink, Softplus, Softsign, HardSigmoid, HardSwish,
 * Mish) and PRelu, whose slope broadcasts against x, on float32 and
 * float64: one macro body instantiated per element type.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/* The float64 softplus, log(1 + exp(x)) without overflow for large x
 * (float32 takes snt__softplusf, which is this with its own log1p). */
static double softplus_f64(double x)
{
    return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

/*
 * The kernels of element type T, named by SUFFIX (f32, f64); EXPM1,
 * SOFTPLUS and TANH name the functions for T (float32 takes the
 * runtime's vectorisable ones, float64 libm's).  One loop per kind, the
 * switch outside it, and the attributes copied to locals: y could alias
 * *act as far as the compiler knows, which would otherwise make it
 * reload them, and switch, per element.  The attributes stay float in
 * snt_actx (ONNX's are float) and widen to T in the arithmetic.
 */
#define DEFINE_ACTX(SUFFIX, T, EXPM1, SOFTPLUS, TANH) \
    static T hard_sigmoid_##SUFFIX(T x, T alpha, T beta) \
    { \
        T v = alpha * x + beta; \
        return v < 0 ? 0 : v > 1 ? 1 : v; \
    } \
    \
    void snt_actx_##SUFFIX(const snt_actx *act, const T *x, T *y, size_t n) \
    { \
        const T alpha = act->alpha, beta = act->beta, gamma = act->gamma; \
        switch (act->kind) { \
        case SNT_ACTX_ELU: SNT__MAP(T, T, v < 0 ? alpha * EXPM1(v) : v); break; \
        case SNT_ACTX_SELU: SNT__MAP(T, T, gamma * (v <= 0 ? alpha * EXPM1(v) : v)); break; \
        case SNT_ACTX_CELU: SNT__MAP(T, T, v > 0 ? v : alpha * EXPM1(v / alpha)); break; \
        case SNT_ACTX_THRESHOLDED_RELU: SNT__MAP(T, T, v > alpha ? v : 0); break; \
        case SNT_ACTX_SHRINK: \
            SNT__MAP(T, T, v < -alpha ? v + beta : v > alpha ? v - beta : 0); \
            break; \
        case SNT_ACTX_SOFTPLUS: SNT__MAP(T, T, SOFTPLUS(v)); break; \
        case SNT_ACTX_SOFTSIGN: SNT__MAP(T, T, v / (1 + (v < 0 ? -v : v))); break; \
        case SNT_ACTX_HARD_SIGMOID: SNT__MAP(T, T, hard_sigmoid_##SUFFIX(v, alpha, beta)); break; \
        case SNT_ACTX_HARD_SWISH: \
            SNT__MAP(T, T, v * hard_sigmoid_##SUFFIX(v, (T)1 / 6, (T)0.5)); \
            break; \
        case SNT_ACTX_MISH: SNT__MAP(T, T, v * TANH(SOFTPLUS(v))); break; \
        } \
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

DEFINE_ACTX(f32, float, snt__expm1f, snt__softplusf, snt__tanhf)
DEFINE_ACTX(f64, double, expm1, softplus_f64, tanh)
