/*
 * 16x16-avx512f.c - x32-transpose micro-kernel: a 16 x 16 tile in
 * AVX-512F, 16 row loads, four rounds of 16 shuffles, 16 row stores.
 *
 * Each round interleaves pairs of registers at a coarser grain: single
 * elements (unpack), pairs of elements (shuffle_ps), then 128-bit lanes
 * twice (shuffle_f32x4), after which register j holds column j.  The
 * loops have constant trip counts and constant immediates; gcc unrolls
 * them and keeps all 32 vectors in the 32 zmm registers.
 */
#include <immintrin.h>

#include "sinter_rt.h"

#define MR 16
#define NR 16

static void transpose_16x16(const uint32_t *src, ptrdiff_t src_ld, uint32_t *dst,
                            ptrdiff_t dst_ld)
{
    __m512 r[16], t[16];
    int k, m;
    for (k = 0; k < 16; k++)
        r[k] = _mm512_loadu_ps(src + k * src_ld);
    /* t[2k], t[2k+1]: rows 2k and 2k+1 interleaved element by element. */
    for (k = 0; k < 16; k += 2) {
        t[k] = _mm512_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm512_unpackhi_ps(r[k], r[k + 1]);
    }
    /* r[4k+m], 128-bit lane L: column 4L+m of rows 4k .. 4k+3. */
    for (k = 0; k < 16; k += 4) {
        r[k] = _mm512_shuffle_ps(t[k], t[k + 2], 0x44);
        r[k + 1] = _mm512_shuffle_ps(t[k], t[k + 2], 0xEE);
        r[k + 2] = _mm512_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        r[k + 3] = _mm512_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
    }
    /* t[8k+m]: columns m and 8+m, t[8k+4+m]: columns 4+m and 12+m, of
     * rows 8k .. 8k+7, as four quarters of a column each. */
    for (k = 0; k < 16; k += 8)
        for (m = 0; m < 4; m++) {
            t[k + m] = _mm512_shuffle_f32x4(r[k + m], r[k + 4 + m], 0x88);
            t[k + 4 + m] = _mm512_shuffle_f32x4(r[k + m], r[k + 4 + m], 0xDD);
        }
    /* Columns m and 8+m whole, from the quarters of rows 0..7 and 8..15. */
    for (m = 0; m < 8; m++) {
        _mm512_storeu_ps(dst + m * dst_ld, _mm512_shuffle_f32x4(t[m], t[8 + m], 0x88));
        _mm512_storeu_ps(dst + (8 + m) * dst_ld, _mm512_shuffle_f32x4(t[m], t[8 + m], 0xDD));
    }
}

const snt_x32_transpose_ukernel snt_x32_transpose_16x16__avx512f = {MR, NR, transpose_16x16};
