/*
 * 1x8-neon.c - f32-gemv micro-kernel: one row times a panel of 8
 * columns (two q vectors, the panels of f32-gemm's 8x8 tile) in AArch64
 * NEON, on the loop nest of row.h: 4 accumulators.
 */
#include "../simd/neon.h"

#define GV_NV 2

#include "row.h"

const snt_f32_gemv_ukernel snt_f32_gemv_1x8__neon = {1, GV_NR, gv_run};
