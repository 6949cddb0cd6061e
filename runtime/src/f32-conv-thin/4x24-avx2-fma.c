/*
 * 4x24-avx2-fma.c - f32-conv-thin micro-kernel: 4 output channels by
 * 24 pixels (three ymm vectors) in AVX2 + FMA, on the loop nest of
 * tile.h: 12 accumulators, 3 input vectors and a broadcast weight fill
 * the 16 registers.
 */
#include "../simd/avx2_fma.h"

#define CT_MR 4
#define CT_NV 3

#include "tile.h"

const snt_f32_conv_thin_ukernel snt_f32_conv_thin_4x24__avx2_fma = {CT_MR, CT_NR, ct_run};
