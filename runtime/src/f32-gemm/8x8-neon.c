/*
 * 8x8-neon.c - f32-gemm micro-kernel: an 8 x 8 tile in AArch64 NEON.
 *
 * 16 q-register accumulators (8 rows x 2 vectors of 4).  Per depth step
 * it loads the B row (2 vectors) and the 8 A values (2 vectors), and
 * multiplies by lane, for 16 independent FMAs.  Edges are stored lane by
 * lane from a spilled tile; the panels are zero-padded there.
 */
#include <arm_neon.h>
#include <string.h>

#include "sinter_rt.h"

#define MR 8
#define NR 8

static void gemm_8x8(size_t mr, size_t nc, size_t kc, const float *restrict a,
                     const float *restrict b, const ptrdiff_t *b_rows, float *restrict c,
                     size_t ldc, int accumulate)
{
    float32x4_t acc[MR][2];
    unsigned i, j;
    for (i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = vdupq_n_f32(0.0f);
    for (; kc > 0; kc--, a += MR) {
        const float *brow = b + *b_rows++;
        const float32x4_t b0 = vld1q_f32(brow), b1 = vld1q_f32(brow + 4);
        const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        acc[0][0] = vfmaq_laneq_f32(acc[0][0], b0, a0, 0);
        acc[0][1] = vfmaq_laneq_f32(acc[0][1], b1, a0, 0);
        acc[1][0] = vfmaq_laneq_f32(acc[1][0], b0, a0, 1);
        acc[1][1] = vfmaq_laneq_f32(acc[1][1], b1, a0, 1);
        acc[2][0] = vfmaq_laneq_f32(acc[2][0], b0, a0, 2);
        acc[2][1] = vfmaq_laneq_f32(acc[2][1], b1, a0, 2);
        acc[3][0] = vfmaq_laneq_f32(acc[3][0], b0, a0, 3);
        acc[3][1] = vfmaq_laneq_f32(acc[3][1], b1, a0, 3);
        acc[4][0] = vfmaq_laneq_f32(acc[4][0], b0, a1, 0);
        acc[4][1] = vfmaq_laneq_f32(acc[4][1], b1, a1, 0);
        acc[5][0] = vfmaq_laneq_f32(acc[5][0], b0, a1, 1);
        acc[5][1] = vfmaq_laneq_f32(acc[5][1], b1, a1, 1);
        acc[6][0] = vfmaq_laneq_f32(acc[6][0], b0, a1, 2);
        acc[6][1] = vfmaq_laneq_f32(acc[6][1], b1, a1, 2);
        acc[7][0] = vfmaq_laneq_f32(acc[7][0], b0, a1, 3);
        acc[7][1] = vfmaq_laneq_f32(acc[7][1], b1, a1, 3);
    }
    for (i = 0; i < MR; i++) {
        if (i >= mr)
            break;
        float *row = c + i * ldc;
        if (nc == NR) {
            float32x4_t t0 = acc[i][0], t1 = acc[i][1];
            if (accumulate) {
                t0 = vaddq_f32(t0, vld1q_f32(row));
                t1 = vaddq_f32(t1, vld1q_f32(row + 4));
            }
            vst1q_f32(row, t0);
            vst1q_f32(row + 4, t1);
        } else {
            float t[NR];
            vst1q_f32(t, acc[i][0]);
            vst1q_f32(t + 4, acc[i][1]);
            for (j = 0; j < nc; j++)
                row[j] = accumulate ? row[j] + t[j] : t[j];
        }
    }
}

const snt_f32_gemm_ukernel snt_f32_gemm_8x8__neon = {MR, NR, NR, gemm_8x8};
