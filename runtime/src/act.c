/*
 * act.c - activation functions, standalone or as a kernel epilogue, and
 * the epilogue itself (bias, activation, affine, residual) that matrix
 * and convolution kernels apply to their output rows.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/*
 * The activations of element type T as `case` labels, each handing its
 * expression of v to MAP(T, expr), the loop that applies it: one loop
 * per kind, so that the switch runs once per call and every loop
 * vectorises.  The standalone kernels and the fused epilogue share these
 * expressions and differ only in MAP.  SIGMOID, TANH and ERF name the
 * functions for T (float32 takes the runtime's vectorisable ones,
 * float64 libm's).  In scope at the expansion: alpha, beta, and
 * lo = min(alpha, beta).  Clip is min(max(v, lo), beta) in that order,
 * as ONNX defines it: lowering lo to beta when alpha > beta makes every
 * value beta.  HardSigmoid, HardSwish (x times HardSigmoid, ONNX's
 * HardSwish with alpha 1/6, beta 1/2) and SiLU are the activations of
 * MobileNet-style blocks.  Gelu's tanh form 0.5 v (1 + tanh(u)), with
 * u = sqrt(2/pi) (v + 0.044715 v^3), is computed as v sigmoid(2u): the
 * same function without the cancellation of 1 + tanh(u) for negative v.
 */
#define ACT_CASES(MAP, T, SIGMOID, TANH, ERF) \
    case SNT_ACT_NONE:       MAP(T, v); break; \
    case SNT_ACT_RELU:       MAP(T, v > 0 ? v : 0); break; \
    case SNT_ACT_LEAKY_RELU: MAP(T, v < 0 ? alpha * v : v); break; \
    case SNT_ACT_CLIP:       MAP(T, v < lo ? lo : v > beta ? beta : v); break; \
    case SNT_ACT_SIGMOID:    MAP(T, SIGMOID(v)); break; \
    case SNT_ACT_TANH:       MAP(T, TANH(v)); break; \
    case SNT_ACT_GELU:       MAP(T, (T)0.5 * v * (1 + ERF(v * (T)0.70710678118654752440))); break; \
    case SNT_ACT_GELU_TANH: \
        MAP(T, v * SIGMOID((T)1.59576912160573071176 * (v + (T)0.044715 * v * v * v))); \
        break; \
    case SNT_ACT_HARD_SIGMOID: MAP(T, SNT__HARD_SIGMOID(T, v)); break; \
    case SNT_ACT_HARD_SWISH: MAP(T, v * SNT__HARD_SIGMOID(T, v)); break; \
    case SNT_ACT_SILU:       MAP(T, v * SIGMOID(v)); break;

/* max(0, min(1, alpha v + beta)), NaN staying NaN. */
#define SNT__HARD_SIGMOID(T, v) \
    (alpha * (v) + beta < 0 ? (T)0 : alpha * (v) + beta > 1 ? (T)1 : alpha * (v) + beta)

/* The double sigmoid straight from the definition: exp(-v) overflowing
 * to inf still gives the right limit 0. */
static double sigmoid_f64(double v)
{
    return 1 / (1 + exp(-v));
}

/* y[i] = EXPR of v = x[i], in the scope of DEFINE_ACT's kernels. */
#define ACT_MAP(T, EXPR) SNT__MAP(T, T, EXPR)

#define DEFINE_ACT(NAME, T, SIGMOID, TANH, ERF) \
    static void NAME(snt_act_kind kind, T alpha, T beta, const T *x, T *y, size_t n) \
    { \
        const T lo = alpha > beta ? beta : alpha; \
        if (kind == SNT_ACT_NONE && x == y) \
            return; \
        switch (kind) { \
            ACT_CASES(ACT_MAP, T, SIGMOID, TANH, ERF) \
        } \
    }

DEFINE_ACT(act_f32, float, snt__sigmoidf, snt__tanhf, snt__erff)
DEFINE_ACT(act_f64, double, sigmoid_f64, tanh, erf)

void snt_act_f32(const snt_act *act, const float *x, float *y, size_t n)
{
    act_f32(act->kind, act->alpha, act->beta, x, y, n);
}

void snt_act_f64(snt_act_kind kind, double alpha, double beta, const double *x, double *y,
                 size_t n)
{
    act_f64(kind, alpha, beta, x, y, n);
}

/*
 * The epilogue's loop for one activation: every step of
 * act(y + b) * s + t + r[i] on each element in one pass over the row.
 * The residual (the one step with a pointer that may be NULL) picks
 * between two loops; absent bias and affine become b = -0, s = 1,
 * t = -0, which leave every value as it is (the sign of zero too).
 */
#define EP_LOOP(EXPR, RESIDUAL) \
    for (i = 0; i < n; i++) { \
        const float v = y[i] + b; \
        y[i] = (EXPR) * s + t RESIDUAL; \
    }
#define EP_MAP(T, EXPR) \
    do { \
        if (r != NULL) \
            EP_LOOP(EXPR, + r[i]) \
        else \
            EP_LOOP(EXPR, ) \
    } while (0)

void snt__epilogue_row(const snt__epilogue *ep, size_t row, size_t col, float *y, size_t n)
{
    const float alpha = ep->act.alpha, beta = ep->act.beta, lo = alpha > beta ? beta : alpha;
    const float b = ep->bias != NULL ? ep->bias[row] : -0.0f;
    const float s = ep->scale != NULL ? ep->scale[row] : 1.0f;
    const float t = ep->scale != NULL ? ep->shift[row] : -0.0f;
    const float *r = ep->residual != NULL ? ep->residual + row * ep->res_ld + col : NULL;
    size_t i;
    if (ep->act.kind == SNT_ACT_NONE && ep->bias == NULL && ep->scale == NULL && r == NULL)
        return;
    switch (ep->act.kind) {
        ACT_CASES(EP_MAP, float, snt__sigmoidf, snt__tanhf, snt__erff)
    }
}
