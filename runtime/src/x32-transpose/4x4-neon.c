/*
 * 4x4-neon.c - x32-transpose micro-kernel: a 4 x 4 tile in AArch64
 * NEON, 4 row loads, two rounds of 4 transposing moves (trn1/trn2 on
 * 32-bit, then on 64-bit elements), 4 row stores.
 */
#include <arm_neon.h>

#include "sinter_rt.h"

#define MR 4
#define NR 4

/* The low (trn1) or high (trn2) 64-bit halves of a and b side by side. */
static uint32x4_t low_halves(uint32x4_t a, uint32x4_t b)
{
    return vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(a), vreinterpretq_u64_u32(b)));
}

static uint32x4_t high_halves(uint32x4_t a, uint32x4_t b)
{
    return vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(a), vreinterpretq_u64_u32(b)));
}

static void transpose_4x4(const uint32_t *src, ptrdiff_t src_ld, uint32_t *dst,
                          ptrdiff_t dst_ld)
{
    const uint32x4_t r0 = vld1q_u32(src), r1 = vld1q_u32(src + src_ld);
    const uint32x4_t r2 = vld1q_u32(src + 2 * src_ld), r3 = vld1q_u32(src + 3 * src_ld);
    /* t0 = r0[0] r1[0] r0[2] r1[2], t1 = r0[1] r1[1] r0[3] r1[3]; t2, t3 likewise. */
    const uint32x4_t t0 = vtrn1q_u32(r0, r1), t1 = vtrn2q_u32(r0, r1);
    const uint32x4_t t2 = vtrn1q_u32(r2, r3), t3 = vtrn2q_u32(r2, r3);
    vst1q_u32(dst, low_halves(t0, t2));
    vst1q_u32(dst + dst_ld, low_halves(t1, t3));
    vst1q_u32(dst + 2 * dst_ld, high_halves(t0, t2));
    vst1q_u32(dst + 3 * dst_ld, high_halves(t1, t3));
}

const snt_x32_transpose_ukernel snt_x32_transpose_4x4__neon = {MR, NR, transpose_4x4};
