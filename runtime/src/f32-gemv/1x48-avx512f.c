/*
 * 1x48-avx512f.c - f32-gemv micro-kernel: one row times a panel of 48
 * columns (three zmm vectors, the panels of f32-gemm's 8x48 tile) in
 * AVX-512, on the loop nest of row.h: 6 accumulators.
 */
#include "../simd/avx512f.h"

#define GV_NV 3

#include "row.h"

const snt_f32_gemv_ukernel snt_f32_gemv_1x48__avx512f = {1, GV_NR, gv_run};
