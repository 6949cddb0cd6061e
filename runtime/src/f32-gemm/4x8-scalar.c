/*
 * 4x8-scalar.c - f32-gemm micro-kernel in portable C: a 4 x 8 tile.
 *
 * The reference every other variant is tested against, and the kernel
 * of `--target generic`.  Plain loops over a small constant tile, which
 * compilers keep in registers (and vectorise where they can).
 */
#include "sinter_rt.h"

#define MR 4
#define NR 8

static void gemm_4x8(size_t mr, size_t nc, size_t kc, const float *a, const float *b,
                     const ptrdiff_t *b_rows, float *c, size_t ldc, int accumulate)
{
    float acc[MR][NR] = {{0}};
    size_t p, i, j;
    for (p = 0; p < kc; p++, a += MR) {
        const float *brow = b + b_rows[p];
        for (i = 0; i < MR; i++)
            for (j = 0; j < NR; j++)
                acc[i][j] += a[i] * brow[j];
    }
    for (i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        for (j = 0; j < nc; j++)
            row[j] = accumulate ? row[j] + acc[i][j] : acc[i][j];
    }
}

const snt_f32_gemm_ukernel snt_f32_gemm_4x8__scalar = {MR, NR, NR, gemm_4x8};
