/*
 * tile.h - the loop nest of the SIMD f32-conv-thin variants, written
 * once and included by each variant file after it defines CT_MR and
 * CT_NV (output channels, vectors of pixels per tile) and includes its
 * ISA's vocabulary (runtime/src/simd/).
 *
 * A tile is CT_MR x CT_NV accumulators.  Per tap, CT_NV input vectors
 * are loaded and each of the CT_MR weights broadcast once for all of
 * them, so a tap costs CT_NV loads and CT_MR broadcasts (memory operands
 * of the FMAs on x86) for CT_MR * CT_NV FMAs.  All CT_MR channels are
 * computed (the packed weights are zero past mc) and the first mc
 * stored, through a->act when there is one.
 */
#ifndef SNT_F32_CONV_THIN_TILE_H
#define SNT_F32_CONV_THIN_TILE_H

#include "scalar.h"
#include "../simd/hard_act.h"

#define CT_NR (CT_NV * SIMD_VL)

/* Pixels [x0, x0 + nv*SIMD_VL) of every channel; nv and masked are
 * constants once inlined. */
SNT__UK_INLINE void ct_tile(const snt_f32_conv_thin_args *a, size_t x0, const unsigned nv,
                            const int masked)
{
    simd_mask m[CT_NV];
    simd_vec acc[CT_MR][CT_NV], x[CT_NV];
    size_t t;
    unsigned r, v;
    SNT__UK_UNROLL
    for (v = 0; v < CT_NV; v++)
        m[v] = SIMD_LANES(x0 + v * SIMD_VL, a->ow);
    SNT__UK_UNROLL
    for (r = 0; r < CT_MR; r++)
        for (v = 0; v < CT_NV; v++)
            acc[r][v] = SIMD_SET1(a->bias[r]);
    for (t = 0; t < a->taps; t++) {
        const float *src = a->in + a->tap_at[t] + x0, *wt = a->w + t * CT_MR;
        SNT__UK_UNROLL
        for (v = 0; v < CT_NV; v++)
            x[v] = v < nv ? SIMD_LOAD(src + v * SIMD_VL, m[v], masked) : x[0];
        SNT__UK_UNROLL
        for (r = 0; r < CT_MR; r++) {
            const simd_vec w = SIMD_SET1(wt[r]);
            for (v = 0; v < CT_NV; v++)
                if (v < nv)
                    acc[r][v] = SIMD_FMA(acc[r][v], w, x[v]);
        }
    }
    SNT__UK_UNROLL
    for (r = 0; r < CT_MR; r++)
        if (r < a->mc)
            for (v = 0; v < CT_NV; v++)
                if (v < nv) {
                    const simd_vec y = a->act != NULL ? simd_hard_act(a->act, acc[r][v])
                                                      : acc[r][v];
                    SIMD_STORE(a->out + r * a->out_ld + x0 + v * SIMD_VL, m[v], y, masked);
                }
}

static void ct_run(const snt_f32_conv_thin_args *a)
{
    size_t x0 = 0;
    unsigned nv;
    for (; x0 + CT_NR <= a->ow; x0 += CT_NR)
        ct_tile(a, x0, CT_NV, 0);
#if SIMD_MASKED_TAIL
    /* The fewest vectors that cover the rest, each count its own copy. */
    SNT__UK_UNROLL
    for (nv = 1; nv <= CT_NV; nv++) {
        if (a->ow > x0 + (nv - 1) * SIMD_VL && a->ow <= x0 + nv * SIMD_VL) {
            ct_tile(a, x0, nv, 1);
            break;
        }
    }
#else
    (void)nv;
    for (; x0 + SIMD_VL <= a->ow; x0 += SIMD_VL)
        ct_tile(a, x0, 1, 0);
    if (x0 < a->ow)
        snt__ct_pixels(a, CT_MR, x0, a->ow - x0);
#endif
}

#endif /* SNT_F32_CONV_THIN_TILE_H */
