/*
 * 8x8-scalar.c - x32-transpose micro-kernel in portable C: an 8 x 8
 * tile, for `--target generic` and as the plain statement of what the
 * SIMD variants compute.
 */
#include "block.h"

#define MR 8
#define NR 8

static void transpose_8x8(const uint32_t *src, ptrdiff_t src_ld, uint32_t *dst,
                          ptrdiff_t dst_ld)
{
    snt__x32_transpose_block(MR, NR, src, src_ld, dst, dst_ld);
}

const snt_x32_transpose_ukernel snt_x32_transpose_8x8__scalar = {MR, NR, transpose_8x8};
