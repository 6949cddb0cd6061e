/*
 * act.c - activation functions, standalone or as a kernel epilogue, and
 * the epilogue itself (bias, activation, affine, residual) that matrix
 * and convolution kernels apply to their output rows.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/*
 * The activations of element type T, one loop per kind so that the
 * compiler vectorises the cheap ones instead of switching per element.
 * F names libm's functions for T, ERF is the error function (float32
 * takes the runtime's vectorisable one).  Clip is min(max(v, lo), hi)
 * in that order, as ONNX defines it: lowering lo to hi when lo > hi
 * makes every value hi.  Gelu's tanh form is the approximation
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
#define DEFINE_ACT(NAME, T, F, ERF) \
    static void NAME(snt_act_kind kind, T alpha, T beta, const T *x, T *y, size_t n) \
    { \
        const T sqrt1_2 = (T)0.70710678118654752440; \
        const T sqrt_2_over_pi = (T)0.79788456080286535588; \
        const T lo = alpha > beta ? beta : alpha; \
        switch (kind) { \
        case SNT_ACT_NONE: \
            if (x != y) \
                SNT__MAP(T, T, v); \
            break; \
        case SNT_ACT_RELU:       SNT__MAP(T, T, v > 0 ? v : 0); break; \
        case SNT_ACT_LEAKY_RELU: SNT__MAP(T, T, v < 0 ? alpha * v : v); break; \
        case SNT_ACT_CLIP:       SNT__MAP(T, T, v < lo ? lo : v > beta ? beta : v); break; \
        case SNT_ACT_SIGMOID:    SNT__MAP(T, T, 1 / (1 + F(exp)(-v))); break; \
        case SNT_ACT_TANH:       SNT__MAP(T, T, F(tanh)(v)); break; \
        case SNT_ACT_GELU:       SNT__MAP(T, T, (T)0.5 * v * (1 + ERF(v * sqrt1_2))); break; \
        case SNT_ACT_GELU_TANH: \
            SNT__MAP(T, T, (T)0.5 * v * \
                               (1 + F(tanh)(sqrt_2_over_pi * (v + (T)0.044715 * v * v * v)))); \
            break; \
        } \
    }

DEFINE_ACT(act_f32, float, SNT__F32, snt__erff)
DEFINE_ACT(act_f64, double, SNT__F64, erf)

void snt_act_f32(const snt_act *act, const float *x, float *y, size_t n)
{
    act_f32(act->kind, act->alpha, act->beta, x, y, n);
}

void snt_act_f64(snt_act_kind kind, double alpha, double beta, const double *x, double *y,
                 size_t n)
{
    act_f64(kind, alpha, beta, x, y, n);
}

/* Each step is its own loop over the row, which is short enough to stay
 * in L1 between them: every loop vectorises, and the activation's switch
 * runs once per row rather than per element. */
void snt__epilogue_row(const snt__epilogue *ep, size_t row, size_t col, float *y, size_t n)
{
    size_t i;
    if (ep->bias != NULL) {
        const float b = ep->bias[row];
        for (i = 0; i < n; i++)
            y[i] += b;
    }
    if (ep->act.kind != SNT_ACT_NONE)
        snt_act_f32(&ep->act, y, y, n);
    if (ep->scale != NULL) {
        const float s = ep->scale[row], t = ep->shift[row];
        for (i = 0; i < n; i++)
            y[i] = y[i] * s + t;
    }
    if (ep->residual != NULL) {
        const float *r = ep->residual + row * ep->res_ld + col;
        for (i = 0; i < n; i++)
            y[i] += r[i];
    }
}
