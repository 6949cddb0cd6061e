/*
 * neon.h - the vector vocabulary of the micro-kernel families' AArch64
 * NEON variants (the macros as simd/avx512f.h describes them).  NEON
 * has no masked loads: past the last full tile the columns go a vector
 * at a time and the last few in plain C, so no access passes the end.
 */
#ifndef SNT_SIMD_NEON_H
#define SNT_SIMD_NEON_H

#include <arm_neon.h>

#define SIMD_VL 4
#define SIMD_MASKED_TAIL 0

typedef float32x4_t simd_vec;
typedef int simd_mask;   /* unused: every access is a whole vector */

#define SIMD_LANES(x, n) 0
#define SIMD_LOAD(p, m, masked) ((void)(m), (void)(masked), vld1q_f32(p))
#define SIMD_STORE(p, m, v, masked) ((void)(m), (void)(masked), vst1q_f32(p, v))
#define SIMD_SET1(f) vdupq_n_f32(f)
#define SIMD_FMA(acc, t, x) vfmaq_f32(acc, t, x)
#define SIMD_ADD(a, b) vaddq_f32(a, b)
#define SIMD_MUL(a, b) vmulq_f32(a, b)
/* NaN in either gives NaN: b's NaN, as the vocabulary asks when a is a
 * number. */
#define SIMD_MAX(a, b) vmaxq_f32(a, b)
#define SIMD_MIN(a, b) vminq_f32(a, b)
#define SIMD_LOADU(p) vld1q_f32(p)

#endif /* SNT_SIMD_NEON_H */
