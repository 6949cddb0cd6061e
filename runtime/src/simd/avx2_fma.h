/*
 * avx2_fma.h - the vector vocabulary of the micro-kernel families'
 * AVX2 + FMA variants (the macros as simd/avx512f.h describes them).
 * Only the last tile goes through vmaskmov (slow on some cores).
 */
#ifndef SNT_SIMD_AVX2_FMA_H
#define SNT_SIMD_AVX2_FMA_H

#include <immintrin.h>

#define SIMD_VL 8
#define SIMD_MASKED_TAIL 1

typedef __m256 simd_vec;
typedef __m256i simd_mask;

static inline __m256i simd_lanes(size_t x, size_t n)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t live = n > x ? n - x : 0;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(live > SIMD_VL ? SIMD_VL : (int)live), lane);
}

/* _mm256_maskstore_ps returns void: a statement, not an expression. */
#define SIMD_LANES(x, n) simd_lanes(x, n)
#define SIMD_LOAD(p, m, masked) ((masked) ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p))
#define SIMD_STORE(p, m, v, masked)        \
    do {                                   \
        if (masked)                        \
            _mm256_maskstore_ps(p, m, v);  \
        else                               \
            _mm256_storeu_ps(p, v);        \
    } while (0)
#define SIMD_SET1(f) _mm256_set1_ps(f)
#define SIMD_FMA(acc, t, x) _mm256_fmadd_ps(t, x, acc)
#define SIMD_ADD(a, b) _mm256_add_ps(a, b)
#define SIMD_MUL(a, b) _mm256_mul_ps(a, b)
#define SIMD_MAX(a, b) _mm256_max_ps(a, b)
#define SIMD_MIN(a, b) _mm256_min_ps(a, b)
#define SIMD_LOADU(p) _mm256_loadu_ps(p)

#endif /* SNT_SIMD_AVX2_FMA_H */
