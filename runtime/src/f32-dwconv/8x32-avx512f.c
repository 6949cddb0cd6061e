/*
 * 8x32-avx512f.c - f32-dwconv micro-kernel: 8 output rows by 32 columns
 * (two zmm vectors) at a time in AVX-512, on the loop nest of strip.h.
 *
 * 16 accumulators, up to 9 broadcast taps and 2 input vectors fit the
 * 32 registers.  For kh = 7 a tap column costs 7 broadcasts and 28 input
 * loads for 112 FMAs.  No access passes ow, so the input needs no slack.
 */
#include "../simd/avx512f.h"
#include "rows.h"

#define DW_MR 8
#define DW_NV 2

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_8x32__avx512f = {DW_MR, DW_NR, dw_run};
