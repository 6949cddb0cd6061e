/*
 * 8x12-neon.c - f32-conv-thin micro-kernel: 8 output channels by 12
 * pixels (three q vectors) in AArch64 NEON, on the loop nest of tile.h:
 * 24 accumulators, 3 input vectors and a broadcast weight of the 32
 * registers.
 */
#include "../simd/neon.h"

#define CT_MR 8
#define CT_NV 3

#include "tile.h"

const snt_f32_conv_thin_ukernel snt_f32_conv_thin_8x12__neon = {CT_MR, CT_NR, ct_run};
