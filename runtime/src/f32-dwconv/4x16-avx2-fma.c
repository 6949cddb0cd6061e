/*
 * 4x16-avx2-fma.c - f32-dwconv micro-kernel: 4 output rows by 16
 * columns (two ymm vectors) at a time in AVX2 + FMA, on the loop nest of
 * strip.h.
 *
 * 8 accumulators and 2 input vectors of the 16 registers; the taps and
 * input vectors that do not fit beside them become memory operands of
 * the FMAs (6-row tiles run slower for that).  Only the last strip goes
 * through vmaskmov (slow on some cores); no access passes ow, so the
 * input needs no slack.
 */
#include <immintrin.h>

#include "rows.h"

#define DW_MR 4
#define DW_VL 8
#define DW_NV 2
#define DW_MASKED_TAIL 1

typedef __m256 dw_vec;
typedef __m256i dw_mask;

static __m256i lanes(size_t x, size_t ow)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t live = ow > x ? ow - x : 0;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(live > DW_VL ? DW_VL : (int)live), lane);
}

/* _mm256_maskstore_ps returns void: a statement, not an expression. */
#define DW_LANES(x, ow) lanes(x, ow)
#define DW_LOAD(p, m, masked) ((masked) ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p))
#define DW_STORE(p, m, v, masked)          \
    do {                                   \
        if (masked)                        \
            _mm256_maskstore_ps(p, m, v);  \
        else                               \
            _mm256_storeu_ps(p, v);        \
    } while (0)
#define DW_SET1(f) _mm256_set1_ps(f)
#define DW_FMA(acc, t, x) _mm256_fmadd_ps(t, x, acc)

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_4x16__avx2_fma = {DW_MR, DW_NR, dw_run};
