/*
 * 4x8-neon.c - f32-dwconv micro-kernel: 4 output rows by 8 columns
 * (two q vectors) at a time in AArch64 NEON, on the loop nest of
 * strip.h.
 *
 * 8 accumulators, 2 input vectors and up to 9 broadcast taps, so that
 * gcc's scheduling before register allocation, which hoists loads, does
 * not run out of the 32 registers (with 16 accumulators it spills in
 * the inner loop).  NEON has no masked loads: past the last full strip
 * the columns go a vector at a time and the last ow % 4 in plain C, so
 * no access passes ow and the input needs no slack.
 */
#include <arm_neon.h>

#include "rows.h"

#define DW_MR 4
#define DW_VL 4
#define DW_NV 2
#define DW_MASKED_TAIL 0

typedef float32x4_t dw_vec;
typedef int dw_mask;   /* unused: every access is a whole vector */

#define DW_LANES(x, ow) 0
#define DW_LOAD(p, m, masked) ((void)(m), (void)(masked), vld1q_f32(p))
#define DW_STORE(p, m, v, masked) ((void)(m), (void)(masked), vst1q_f32(p, v))
#define DW_SET1(f) vdupq_n_f32(f)
#define DW_FMA(acc, t, x) vfmaq_f32(acc, t, x)

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_4x8__neon = {DW_MR, DW_NR, dw_run};
