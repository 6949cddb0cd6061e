/*
 * 8x48-avx512f.c - f32-gemm micro-kernel: an 8 x 48 tile in AVX-512.
 *
 * The tile lives in 24 zmm accumulators (8 rows x 3 vectors of 16).  Per
 * step of the depth loop it loads one row of the B panel (3 vectors) and
 * broadcasts 8 values of the A panel, for 24 independent FMAs: enough to
 * cover the FMA latency on two pipes, with 11 loads per 24 FMAs.  Rows
 * and columns past the tile's edge are masked at the store only; the
 * panels are zero-padded there.
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

static void gemm_8x48(size_t mr, size_t nc, size_t kc, const float *restrict a,
                      const float *restrict b, const ptrdiff_t *b_rows, float *restrict c,
                      size_t ldc, int accumulate)
{
    __m512 acc[MR][3];
    unsigned i, v;
    _Pragma("GCC unroll 8") for (i = 0; i < MR; i++)
        _Pragma("GCC unroll 3") for (v = 0; v < 3; v++)
            acc[i][v] = _mm512_setzero_ps();
    for (; kc > 0; kc--, a += MR) {
        const float *brow = b + *b_rows++;
        const __m512 b0 = _mm512_loadu_ps(brow), b1 = _mm512_loadu_ps(brow + 16),
                     b2 = _mm512_loadu_ps(brow + 32);
        _Pragma("GCC unroll 8") for (i = 0; i < MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
            acc[i][2] = _mm512_fmadd_ps(ai, b2, acc[i][2]);
        }
    }
    /* Rows past mr store into row mr-1, high rows first, so that row's
     * own values land last: every row stores unconditionally, and with
     * constant indices after unrolling acc stays in registers. */
    _Pragma("GCC unroll 8") for (i = MR; i-- > 0;) {
        float *row = c + (i < mr ? i : mr - 1) * ldc;
        _Pragma("GCC unroll 3") for (v = 0; v < 3; v++) {
            const __mmask16 m = column_mask(nc, v);
            __m512 t = acc[i][v];
            if (accumulate)
                t = _mm512_add_ps(t, _mm512_maskz_loadu_ps(m, row + 16 * v));
            _mm512_mask_storeu_ps(row + 16 * v, m, t);
        }
    }
}

const snt_f32_gemm_ukernel snt_f32_gemm_8x48__avx512f = {MR, NR, gemm_8x48};
