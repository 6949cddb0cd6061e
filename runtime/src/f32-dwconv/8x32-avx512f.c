/*
 * 8x32-avx512f.c - f32-dwconv micro-kernel: 8 output rows by 32 columns
 * (two zmm vectors) at a time in AVX-512, on the loop nest of strip.h.
 *
 * 16 accumulators, up to 9 broadcast taps and 2 input vectors fit the
 * 32 registers.  For kh = 7 a tap column costs 7 broadcasts and 28 input
 * loads for 112 FMAs.  Every load goes through a lane mask, all ones but
 * in the last strip: a masked load costs nothing extra, and unlike a
 * plain one gcc does not fold it into the FMAs that use it, which would
 * load each input vector once per output row (a third slower at 3x3).
 * No access passes ow, so the input needs no slack.
 */
#include <immintrin.h>

#include "rows.h"

#define DW_MR 8
#define DW_VL 16
#define DW_NV 2
#define DW_MASKED_TAIL 1

typedef __m512 dw_vec;
typedef __mmask16 dw_mask;

static __mmask16 lanes(size_t x, size_t ow)
{
    if (ow >= x + DW_VL)
        return (__mmask16)0xFFFF;
    return ow > x ? (__mmask16)((1u << (ow - x)) - 1) : 0;
}

#define DW_LANES(x, ow) lanes(x, ow)
#define DW_LOAD(p, m, masked) ((void)(masked), _mm512_maskz_loadu_ps(m, p))
#define DW_STORE(p, m, v, masked) \
    ((masked) ? _mm512_mask_storeu_ps(p, m, v) : _mm512_storeu_ps(p, v))
#define DW_SET1(f) _mm512_set1_ps(f)
#define DW_FMA(acc, t, x) _mm512_fmadd_ps(t, x, acc)

#include "strip.h"

const snt_f32_dwconv_ukernel snt_f32_dwconv_8x32__avx512f = {DW_MR, DW_NR, dw_run};
