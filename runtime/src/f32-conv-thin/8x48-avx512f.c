/*
 * 8x48-avx512f.c - f32-conv-thin micro-kernel: 8 output channels by 48
 * pixels (three zmm vectors) in AVX-512, on the loop nest of tile.h.
 *
 * 24 accumulators and 3 input vectors of the 32 registers; a tap's 8
 * weights are broadcast memory operands, so a tap costs 11 loads for
 * 24 FMAs.
 */
#include "../simd/avx512f.h"

#define CT_MR 8
#define CT_NV 3

#include "tile.h"

const snt_f32_conv_thin_ukernel snt_f32_conv_thin_8x48__avx512f = {CT_MR, CT_NR, ct_run};
