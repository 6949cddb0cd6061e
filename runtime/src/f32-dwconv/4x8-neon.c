/*
 * 4x8-neon.c - f32-dwconv micro-kernel: 4 output rows by 8 columns
 * (two q vectors) at a time in AArch64 NEON, on the loop nest of
 * strip.h.
 *
 * 8 accumulators, 2 input vectors and up to 9 broadcast taps, so that
 * gcc's scheduling before register allocation, which hoists loads, does
 * not run out of the 32 registers (with 16 accumulators it spills in
 * the inner loop).
 */
#include "../simd/neon.h"
#include "rows.h"

#define DW_MR 4
#define DW_NV 2

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_4x8__neon = {DW_MR, DW_NR, dw_run, NULL};
