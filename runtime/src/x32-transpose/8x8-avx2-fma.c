/*
 * 8x8-avx2-fma.c - x32-transpose micro-kernel: an 8 x 8 tile in AVX2
 * (the avx2_fma target; no FMA is used), 8 row loads, three rounds of 8
 * shuffles, 8 row stores.
 *
 * The rounds interleave single elements (unpack), pairs of elements
 * (shuffle_ps), then the two 128-bit halves (permute2f128), after which
 * register j holds column j.
 */
#include <immintrin.h>

#include "sinter_rt.h"

#define MR 8
#define NR 8

static void transpose_8x8(const uint32_t *src, ptrdiff_t src_ld, uint32_t *dst,
                          ptrdiff_t dst_ld)
{
    __m256 r[8], t[8];
    int k, m;
    for (k = 0; k < 8; k++)
        r[k] = _mm256_loadu_ps((const float *)(src + k * src_ld));
    /* t[2k], t[2k+1]: rows 2k and 2k+1 interleaved element by element. */
    for (k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
    }
    /* r[4k+m], 128-bit half L: column 4L+m of rows 4k .. 4k+3. */
    for (k = 0; k < 8; k += 4) {
        r[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
        r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
        r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
    }
    /* Column m from the low halves, column 4+m from the high ones. */
    for (m = 0; m < 4; m++) {
        _mm256_storeu_ps((float *)(dst + m * dst_ld), _mm256_permute2f128_ps(r[m], r[4 + m], 0x20));
        _mm256_storeu_ps((float *)(dst + (4 + m) * dst_ld),
                         _mm256_permute2f128_ps(r[m], r[4 + m], 0x31));
    }
}

const snt_x32_transpose_ukernel snt_x32_transpose_8x8__avx2_fma = {MR, NR, transpose_8x8};
