/*
 * 1x16-avx2-fma.c - f32-gemv micro-kernel: one row times a panel of 16
 * columns (two ymm vectors, the panels of f32-gemm's 6x16 tile) in
 * AVX2 + FMA, on the loop nest of row.h: 4 accumulators.
 */
#include "../simd/avx2_fma.h"

#define GV_NV 2

#include "row.h"

const snt_f32_gemv_ukernel snt_f32_gemv_1x16__avx2_fma = {1, GV_NR, gv_run};
