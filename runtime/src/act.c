/*
 * act.c - activation functions, standalone or as a kernel epilogue, and
 * the epilogue itself (bias, activation, affine, residual) that matrix
 * and convolution kernels apply to their output rows.
 */
#include <math.h>

#include "internal.h"

/* Each activation gets its own loop so the compiler can vectorise the
 * cheap ones instead of switching per element. */
#define ACT_LOOP(EXPR) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < n; i_++) { \
            float v = x[i_]; \
            y[i_] = (EXPR); \
        } \
    } while (0)

/* min(max(v, lo), hi) in that order, as ONNX Clip defines it (hi wins
 * when lo > hi). */
static float clip(float v, float lo, float hi)
{
    float t = v < lo ? lo : v;
    return t > hi ? hi : t;
}

/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the approximation
 * that ONNX Gelu names approximate = "tanh". */
static float gelu_tanh(float v)
{
    const float sqrt_2_over_pi = 0.7978845608028654f;
    return 0.5f * v * (1.0f + tanhf(sqrt_2_over_pi * (v + 0.044715f * v * v * v)));
}

void snt_act_f32(const snt_act *act, const float *x, float *y, size_t n)
{
    const float alpha = act->alpha, beta = act->beta;
    const float sqrt1_2 = 0.7071067811865476f;

    switch (act->kind) {
    case SNT_ACT_NONE:
        if (x != y)
            ACT_LOOP(v);
        break;
    case SNT_ACT_RELU:       ACT_LOOP(v > 0.0f ? v : 0.0f); break;
    case SNT_ACT_LEAKY_RELU: ACT_LOOP(v < 0.0f ? alpha * v : v); break;
    case SNT_ACT_CLIP:       ACT_LOOP(clip(v, alpha, beta)); break;
    case SNT_ACT_SIGMOID:    ACT_LOOP(1.0f / (1.0f + expf(-v))); break;
    case SNT_ACT_TANH:       ACT_LOOP(tanhf(v)); break;
    case SNT_ACT_GELU:       ACT_LOOP(0.5f * v * (1.0f + snt__erff(v * sqrt1_2))); break;
    case SNT_ACT_GELU_TANH:  ACT_LOOP(gelu_tanh(v)); break;
    }
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
