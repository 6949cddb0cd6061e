/*
 * 4x16-avx2-fma.c - f32-dwconv micro-kernel: 4 output rows by 16
 * columns (two ymm vectors) at a time in AVX2 + FMA, on the loop nest of
 * strip.h.
 *
 * 8 accumulators and 2 input vectors of the 16 registers; the taps and
 * input vectors that do not fit beside them become memory operands of
 * the FMAs (6-row tiles run slower for that).  No access passes ow, so
 * the input needs no slack.
 */
#include "../simd/avx2_fma.h"
#include "rows.h"

#define DW_MR 4
#define DW_NV 2

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_4x16__avx2_fma = {DW_MR, DW_NR, dw_run, NULL};
