/*
 * 6x16-avx2-fma.c - f32-gemm micro-kernel: a 6 x 16 tile in AVX2 + FMA.
 *
 * 12 ymm accumulators (6 rows x 2 vectors of 8), 2 for the B row and one
 * broadcast: 15 of the 16 registers (a 4 x 24 tile needs all 16, and
 * gcc then keeps the accumulators in memory).  Per depth step 2 loads
 * and 6 broadcasts feed 12 independent FMAs.  Columns past nc are stored through a lane mask,
 * rows past mr not at all; the panels are zero-padded there.
 */
#include <immintrin.h>

#include "sinter_rt.h"

#define MR 6
#define NR 16

/* The lane mask of vector v (8 columns from 8*v) for nc columns. */
static __m256i column_mask(size_t nc, unsigned v)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t lo = 8 * (size_t)v, live = nc > lo ? nc - lo : 0;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(live > 8 ? 8 : (int)live), lane);
}

/* Stores (or adds) one row of the tile through the column masks. */
static inline void store_row(float *row, __m256 t0, __m256 t1, __m256i m0, __m256i m1,
                             int accumulate)
{
    if (accumulate) {
        t0 = _mm256_add_ps(t0, _mm256_maskload_ps(row, m0));
        t1 = _mm256_add_ps(t1, _mm256_maskload_ps(row + 8, m1));
    }
    _mm256_maskstore_ps(row, m0, t0);
    _mm256_maskstore_ps(row + 8, m1, t1);
}

static void gemm_6x16(size_t mr, size_t nc, size_t kc, const float *restrict a,
                      const float *restrict b, const ptrdiff_t *b_rows, float *restrict c,
                      size_t ldc, int accumulate)
{
    __m256 acc[MR][2];
    unsigned i, v;
    _Pragma("GCC unroll 6") for (i = 0; i < MR; i++)
        _Pragma("GCC unroll 2") for (v = 0; v < 2; v++)
            acc[i][v] = _mm256_setzero_ps();
    for (; kc > 0; kc--, a += MR) {
        const float *brow = b + *b_rows++;
        const __m256 b0 = _mm256_loadu_ps(brow), b1 = _mm256_loadu_ps(brow + 8);
        _Pragma("GCC unroll 6") for (i = 0; i < MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    /* Rows past mr store into row mr-1, high rows first, so that row's
     * own values land last.  Spelled out row by row: any loop over acc,
     * even one gcc unrolls, makes it keep acc in memory. */
    {
        const __m256i m0 = column_mask(nc, 0), m1 = column_mask(nc, 1);
        const size_t last = mr - 1;
        store_row(c + (last < 5 ? last : 5) * ldc, acc[5][0], acc[5][1], m0, m1, accumulate);
        store_row(c + (last < 4 ? last : 4) * ldc, acc[4][0], acc[4][1], m0, m1, accumulate);
        store_row(c + (last < 3 ? last : 3) * ldc, acc[3][0], acc[3][1], m0, m1, accumulate);
        store_row(c + (last < 2 ? last : 2) * ldc, acc[2][0], acc[2][1], m0, m1, accumulate);
        store_row(c + (last < 1 ? last : 1) * ldc, acc[1][0], acc[1][1], m0, m1, accumulate);
        store_row(c, acc[0][0], acc[0][1], m0, m1, accumulate);
    }
}

const snt_f32_gemm_ukernel snt_f32_gemm_6x16__avx2_fma = {MR, NR, NR, gemm_6x16};
