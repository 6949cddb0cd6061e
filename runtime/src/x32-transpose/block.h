/*
 * block.h - a rows x cols block of 32-bit elements copied transposed,
 * in plain C: the scalar x32-transpose variant's tile, and the ragged
 * edges snt_transpose_x32 leaves outside whole tiles.
 */
#ifndef SINTER_X32_TRANSPOSE_BLOCK_H
#define SINTER_X32_TRANSPOSE_BLOCK_H

#include "sinter_rt.h"

/* dst[c*dst_ld + r] = src[r*src_ld + c] for r < rows, c < cols. */
static inline void snt__x32_transpose_block(size_t rows, size_t cols, const uint32_t *src,
                                            ptrdiff_t src_ld, uint32_t *dst, ptrdiff_t dst_ld)
{
    size_t r, c;
    for (c = 0; c < cols; c++)
        for (r = 0; r < rows; r++)
            dst[(ptrdiff_t)c * dst_ld + (ptrdiff_t)r] = src[(ptrdiff_t)r * src_ld + (ptrdiff_t)c];
}

#endif /* SINTER_X32_TRANSPOSE_BLOCK_H */
