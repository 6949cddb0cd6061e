/*
 * avx512f.h - the vector vocabulary of the micro-kernel families'
 * AVX-512 variants (f32-dwconv/, f32-conv-thin/, f32-gemv/): what a variant file
 * defines before it includes its family's loop nest.
 *
 *   SIMD_VL               lanes per vector
 *   simd_vec, simd_mask   the vector type and a lane mask type
 *   SIMD_LANES(x, n)      the mask of the lanes of the vector at column x
 *                         that lie below n
 *   SIMD_LOAD(p, m, masked), SIMD_STORE(p, m, v, masked)
 *                         through mask m if masked (a constant), else whole
 *   SIMD_SET1(f)          f in every lane
 *   SIMD_FMA(acc, t, x)   acc + t * x
 *   SIMD_ADD(a, b)        a + b
 *   SIMD_MUL(a, b)        a * b
 *   SIMD_MAX(a, b), SIMD_MIN(a, b)
 *                         a > b ? a : b and a < b ? a : b: b when b is NaN
 *   SIMD_LOADU(p)         a whole vector, unmasked: an operand the FMA
 *                         that uses it may take from memory (f32-gemv,
 *                         which reads each panel vector once)
 *   SIMD_MASKED_TAIL      1: masked accesses exist (a ragged tail is one
 *                         masked tile); 0: a vector at a time, then plain C
 *
 * Every load goes through a lane mask, all ones but in the last tile: a
 * masked load costs nothing extra, and unlike a plain one gcc does not
 * fold it into the FMAs that use it, which would load each input vector
 * once per output row (a third slower at 3x3 depthwise).
 */
#ifndef SNT_SIMD_AVX512F_H
#define SNT_SIMD_AVX512F_H

#include <immintrin.h>

#define SIMD_VL 16
#define SIMD_MASKED_TAIL 1

typedef __m512 simd_vec;
typedef __mmask16 simd_mask;

static inline __mmask16 simd_lanes(size_t x, size_t n)
{
    if (n >= x + SIMD_VL)
        return (__mmask16)0xFFFF;
    return n > x ? (__mmask16)((1u << (n - x)) - 1) : 0;
}

#define SIMD_LANES(x, n) simd_lanes(x, n)
#define SIMD_LOAD(p, m, masked) ((void)(masked), _mm512_maskz_loadu_ps(m, p))
#define SIMD_STORE(p, m, v, masked) \
    ((masked) ? _mm512_mask_storeu_ps(p, m, v) : _mm512_storeu_ps(p, v))
#define SIMD_SET1(f) _mm512_set1_ps(f)
#define SIMD_FMA(acc, t, x) _mm512_fmadd_ps(t, x, acc)
#define SIMD_ADD(a, b) _mm512_add_ps(a, b)
#define SIMD_MUL(a, b) _mm512_mul_ps(a, b)
#define SIMD_MAX(a, b) _mm512_max_ps(a, b)
#define SIMD_MIN(a, b) _mm512_min_ps(a, b)
#define SIMD_LOADU(p) _mm512_loadu_ps(p)

#endif /* SNT_SIMD_AVX512F_H */
