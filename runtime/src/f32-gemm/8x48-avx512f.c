/*
 * 8x48-avx512f.c - f32-gemm micro-kernel: an 8 x 48 tile in AVX-512.
 *
 * The tile lives in 24 zmm accumulators (8 rows x 3 vectors of 16).  Per
 * step of the depth loop it loads one row of the B panel (3 vectors) and
 * broadcasts 8 values of the A panel, for 24 independent FMAs: enough to
 * cover the FMA latency on two pipes, with 11 loads per 24 FMAs.  Rows
 * and columns past the tile's edge are masked at the store only; the
 * panels are zero-padded there.
 *
 * A tile of at most 16 or 32 columns (the last panel of an image:
 * 196 = 4 x 48 + 4 pixels) computes only the vectors it stores.
 * Matrix-vector products get their own loops, since the full tile would
 * waste all but one of its rows or columns: one row of A (mr == 1, a
 * Linear layer on one sample) keeps 3 accumulators, one column of B
 * (nc == 1, a convolution with one output pixel) the 8 rows in one ymm.
 * Either alone would be a chain of dependent FMAs, so each keeps several
 * sets of accumulators, for consecutive depth steps, added at the end.
 */
#include <immintrin.h>

#include "sinter_rt.h"

#define MR 8
#define NR 48

/* The store mask of vector v (16 columns from 16*v) for nc columns. */
static __mmask16 column_mask(size_t nc, unsigned v)
{
    size_t lo = 16 * (size_t)v;
    if (nc >= lo + 16)
        return (__mmask16)0xFFFF;
    if (nc <= lo)
        return 0;
    return (__mmask16)((1u << (nc - lo)) - 1);
}

/* C's row (+)= acc, through the column masks. */
static void store_row(float *row, size_t nc, __m512 acc[3], int accumulate)
{
    unsigned v;
    _Pragma("GCC unroll 3") for (v = 0; v < 3; v++) {
        const __mmask16 m = column_mask(nc, v);
        __m512 t = acc[v];
        if (accumulate)
            t = _mm512_add_ps(t, _mm512_maskz_loadu_ps(m, row + 16 * v));
        _mm512_mask_storeu_ps(row + 16 * v, m, t);
    }
}

/* mr == 1: one row, A's value of each step broadcast onto the 48 columns
 * of its B row; even and odd steps in separate accumulators. */
static void gemm_1x48(size_t nc, size_t kc, const float *restrict a, const float *restrict b,
                      const ptrdiff_t *b_rows, float *restrict c, int accumulate)
{
    __m512 acc[2][3];
    unsigned s, v;
    _Pragma("GCC unroll 2") for (s = 0; s < 2; s++)
        _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
            acc[s][v] = _mm512_setzero_ps();
    for (; kc >= 2; kc -= 2, a += 2 * MR, b_rows += 2)
        _Pragma("GCC unroll 2") for (s = 0; s < 2; s++) {
            const float *brow = b + b_rows[s];
            const __m512 as = _mm512_set1_ps(a[s * MR]);
            _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
                acc[s][v] = _mm512_fmadd_ps(as, _mm512_loadu_ps(brow + 16 * v), acc[s][v]);
        }
    if (kc == 1) {
        const __m512 a0 = _mm512_set1_ps(a[0]);
        _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
            acc[0][v] = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + b_rows[0] + 16 * v), acc[0][v]);
    }
    _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
        acc[0][v] = _mm512_add_ps(acc[0][v], acc[1][v]);
    store_row(c, nc, acc[0], accumulate);
}

/* nc == 1: one column, B's value of each step broadcast onto the 8 A
 * values of its step; steps in 4 sets of accumulators. */
static void gemm_8x1(size_t mr, size_t kc, const float *restrict a, const float *restrict b,
                     const ptrdiff_t *b_rows, float *restrict c, size_t ldc, int accumulate)
{
    __m256 acc[4];
    float col[MR];
    unsigned s, i;
    _Pragma("GCC unroll 4") for (s = 0; s < 4; s++)
        acc[s] = _mm256_setzero_ps();
    for (; kc >= 4; kc -= 4, a += 4 * MR, b_rows += 4)
        _Pragma("GCC unroll 4") for (s = 0; s < 4; s++)
            acc[s] = _mm256_fmadd_ps(_mm256_loadu_ps(a + s * MR), _mm256_set1_ps(b[b_rows[s]]),
                                     acc[s]);
    for (s = 0; s < kc; s++)
        acc[s] = _mm256_fmadd_ps(_mm256_loadu_ps(a + s * MR), _mm256_set1_ps(b[b_rows[s]]),
                                 acc[s]);
    _mm256_storeu_ps(col, _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]),
                                        _mm256_add_ps(acc[2], acc[3])));
    for (i = 0; i < mr; i++)
        c[i * ldc] = accumulate ? c[i * ldc] + col[i] : col[i];
}

/* The tile's first nv vectors of columns (nc <= 16 * nv).  nv is a
 * constant once inlined, so the loops over it unroll and acc stays in
 * registers. */
static inline void gemm_8xnv(size_t mr, size_t nc, size_t kc, const float *restrict a,
                             const float *restrict b, const ptrdiff_t *b_rows,
                             float *restrict c, size_t ldc, int accumulate, const unsigned nv)
{
    __m512 acc[MR][3], bv[3];
    unsigned i, v;
    _Pragma("GCC unroll 8") for (i = 0; i < MR; i++)
        _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
            acc[i][v] = _mm512_setzero_ps();
    for (; kc > 0; kc--, a += MR) {
        const float *brow = b + *b_rows++;
        _Pragma("GCC unroll 3") for (v = 0; v < nv; v++)
            bv[v] = _mm512_loadu_ps(brow + 16 * v);
        _Pragma("GCC unroll 8") for (i = 0; i < MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            _Pragma("GCC unroll 3") for (v = 0; v < nv; v++)
                acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    /* Rows past mr store into row mr-1, high rows first, so that row's
     * own values land last: every row stores unconditionally, and with
     * constant indices after unrolling acc stays in registers.  Vectors
     * from nv on are zero and their columns masked off. */
    _Pragma("GCC unroll 8") for (i = MR; i-- > 0;)
        store_row(c + (i < mr ? i : mr - 1) * ldc, nc, acc[i], accumulate);
}

static void gemm_8x48(size_t mr, size_t nc, size_t kc, const float *restrict a,
                      const float *restrict b, const ptrdiff_t *b_rows, float *restrict c,
                      size_t ldc, int accumulate)
{
    if (mr == 1)
        gemm_1x48(nc, kc, a, b, b_rows, c, accumulate);
    else if (nc == 1)
        gemm_8x1(mr, kc, a, b, b_rows, c, ldc, accumulate);
    else if (nc <= 16)
        gemm_8xnv(mr, nc, kc, a, b, b_rows, c, ldc, accumulate, 1);
    else if (nc <= 32)
        gemm_8xnv(mr, nc, kc, a, b, b_rows, c, ldc, accumulate, 2);
    else
        gemm_8xnv(mr, nc, kc, a, b, b_rows, c, ldc, accumulate, 3);
}

/* nc_step 16, a vector: a narrow call computes only the vectors it stores
 * (gemm_8xnv above). */
const snt_f32_gemm_ukernel snt_f32_gemm_8x48__avx512f = {MR, NR, 16, gemm_8x48};
