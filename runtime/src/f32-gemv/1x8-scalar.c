/*
 * 1x8-scalar.c - f32-gemv micro-kernel in portable C: one row times a
 * panel of 8 columns (the panels of f32-gemm's 4x8 tile).  The reference
 * the other variants are tested against, and the kernel of `--target
 * generic`: a loop over a constant width, which compilers keep in
 * registers and vectorise.
 */
#include "sinter_rt.h"

#define NR 8

static void gemv_1x8(size_t nc, size_t k, const float *x, const float *b, float *y)
{
    float acc[NR] = {0};
    size_t p, j;
    for (p = 0; p < k; p++, b += NR)
        for (j = 0; j < NR; j++)
            acc[j] += x[p] * b[j];
    for (j = 0; j < nc; j++)
        y[j] = acc[j];
}

const snt_f32_gemv_ukernel snt_f32_gemv_1x8__scalar = {1, NR, gemv_1x8};
