/*
 * strip.h - the loop nest of the SIMD f32-dwconv variants, written once
 * and included by each variant file after it defines DW_MR and DW_NV
 * (output rows, vectors per strip) and includes its ISA's vocabulary
 * (runtime/src/simd/: SIMD_VL, SIMD_LOAD, SIMD_FMA ...).  Without masked
 * loads (SIMD_MASKED_TAIL 0) the columns past the last full strip go a
 * vector at a time, then the last ow % SIMD_VL in plain C.
 *
 * It defines dw_run, the micro-kernel.  Each input vector is loaded once
 * per tap column and multiplied into each of the output rows it feeds
 * (rows.h).  With sh = 1 and kh <= DW_KH_MAX, or sh = 2 and kh = 3, 5 or
 * 7 (the usual strided kernels), which rows an input row feeds is known
 * at compile time: the input rows are then unrolled with no tests inside
 * the loop over tap columns, and the tap column's kh taps are broadcast
 * once for all of them.  That path computes all DW_MR rows, reading the
 * input rows of the ones past `rows` too (which the contract allows) and
 * storing only the first `rows`: cheaper than testing rows.  Otherwise
 * each row is tested (a bit of snt__dw_live_rows) and its tap broadcast
 * on use.
 */
#ifndef SNT_F32_DWCONV_STRIP_H
#define SNT_F32_DWCONV_STRIP_H

#include "rows.h"
#include "../simd/hard_act.h"

#define DW_NR (DW_NV * SIMD_VL)
#define DW_KH_MAX 9   /* tap heights with an unrolled path: 1..DW_KH_MAX */

/* acc = the bias, or out's rows when accumulating. */
SNT__UK_INLINE void dw_load_acc(const snt_f32_dwconv_args *a, const float *out,
                                const simd_mask *m, const unsigned nv, const int masked,
                                simd_vec acc[DW_MR][DW_NV])
{
    unsigned r, v;
    SNT__UK_UNROLL
    for (r = 0; r < DW_MR; r++)
        for (v = 0; v < DW_NV; v++)
            acc[r][v] = a->accumulate && r < a->rows && v < nv
                ? SIMD_LOAD(out + r * a->out_ld + v * SIMD_VL, m[v], masked)
                : SIMD_SET1(a->bias);
}

/* The rows' sums into out, through a->act when there is one. */
SNT__UK_INLINE void dw_store_acc(const snt_f32_dwconv_args *a, float *out, const simd_mask *m,
                                 const unsigned nv, const int masked,
                                 simd_vec acc[DW_MR][DW_NV])
{
    unsigned r, v;
    SNT__UK_UNROLL
    for (r = 0; r < DW_MR; r++)
        if (r < a->rows)
            for (v = 0; v < DW_NV; v++)
                if (v < nv) {
                    const simd_vec y = a->act != NULL ? simd_hard_act(a->act, acc[r][v])
                                                      : acc[r][v];
                    SIMD_STORE(out + r * a->out_ld + v * SIMD_VL, m[v], y, masked);
                }
}

/* The input vectors of one row: nv of them from src. */
SNT__UK_INLINE void dw_load_row(const float *src, const simd_mask *m, const unsigned nv,
                                const int masked, simd_vec x[DW_NV])
{
    unsigned v;
    for (v = 0; v < DW_NV; v++)
        x[v] = v < nv ? SIMD_LOAD(src + v * SIMD_VL, m[v], masked) : x[0];
}

/*
 * Columns [x0, x0 + nv*SIMD_VL) of all DW_MR rows, kh == KH, sh == SH.
 * nv, masked, KH and SH are constants once inlined and every loop but
 * kx's is unrolled, so acc, t and x stay in registers and the row tests
 * fold away.
 */
SNT__UK_INLINE void dw_strip_fixed(const snt_f32_dwconv_args *a, size_t x0, const unsigned nv,
                                   const int masked, const unsigned KH, const unsigned SH)
{
    const float *in = a->in + x0;
    simd_mask m[DW_NV];
    simd_vec acc[DW_MR][DW_NV], t[DW_KH_MAX], x[DW_NV];
    size_t kx;
    unsigned iy, r, v, ky;
    for (v = 0; v < DW_NV; v++)
        m[v] = SIMD_LANES(x0 + v * SIMD_VL, a->ow);
    dw_load_acc(a, a->out + x0, m, nv, masked, acc);
    for (kx = 0; kx < a->kw; kx++) {
        const float *src = in + a->col[kx];
        SNT__UK_UNROLL
        for (ky = 0; ky < KH; ky++)
            t[ky] = SIMD_SET1(a->w[kx * KH + ky]);
        SNT__UK_UNROLL
        for (iy = 0; iy < (DW_MR - 1) * SH + KH; iy++) {
            dw_load_row(src + iy * a->in_ld, m, nv, masked, x);
            SNT__UK_UNROLL
            for (r = 0; r < DW_MR; r++)
                if (r * SH <= iy && iy - r * SH < KH)
                    for (v = 0; v < DW_NV; v++)
                        if (v < nv)
                            acc[r][v] = SIMD_FMA(acc[r][v], t[iy - r * SH], x[v]);
        }
    }
    dw_store_acc(a, a->out + x0, m, nv, masked, acc);
}

/* The same for any kh, sh and rows. */
SNT__UK_INLINE void dw_strip_any(const snt_f32_dwconv_args *a, size_t x0, const unsigned nv,
                                 const int masked)
{
    const size_t kh = a->kh, sh = a->sh;
    simd_mask m[DW_NV];
    simd_vec acc[DW_MR][DW_NV], x[DW_NV];
    size_t iy, kx;
    unsigned r, v;
    for (v = 0; v < DW_NV; v++)
        m[v] = SIMD_LANES(x0 + v * SIMD_VL, a->ow);
    dw_load_acc(a, a->out + x0, m, nv, masked, acc);
    for (iy = 0; iy < (a->rows - 1) * sh + kh; iy++) {
        const unsigned live = snt__dw_live_rows(iy, kh, sh, a->rows);
        const float *in = a->in + iy * a->in_ld + x0;
        for (kx = 0; kx < a->kw; kx++) {
            const float *wk = a->w + kx * kh;
            dw_load_row(in + a->col[kx], m, nv, masked, x);
            SNT__UK_UNROLL
            for (r = 0; r < DW_MR; r++) {
                if (live >> r & 1) {
                    const simd_vec t = SIMD_SET1(wk[iy - r * sh]);
                    for (v = 0; v < DW_NV; v++)
                        if (v < nv)
                            acc[r][v] = SIMD_FMA(acc[r][v], t, x[v]);
                }
            }
        }
    }
    dw_store_acc(a, a->out + x0, m, nv, masked, acc);
}

/* One strip; KH = 0 takes the path for any kh and sh. */
SNT__UK_INLINE void dw_strip(const snt_f32_dwconv_args *a, size_t x0, const unsigned nv,
                             const int masked, const unsigned KH, const unsigned SH)
{
    if (KH != 0)
        dw_strip_fixed(a, x0, nv, masked, KH, SH);
    else
        dw_strip_any(a, x0, nv, masked);
}

/* All columns of the rows: whole strips, then the tail. */
SNT__UK_INLINE void dw_strips(const snt_f32_dwconv_args *a, const unsigned KH,
                              const unsigned SH)
{
    size_t x0 = 0;
    unsigned nv;
    for (; x0 + DW_NR <= a->ow; x0 += DW_NR)
        dw_strip(a, x0, DW_NV, 0, KH, SH);
#if SIMD_MASKED_TAIL
    /* The fewest vectors that cover the rest, each count its own copy. */
    SNT__UK_UNROLL
    for (nv = 1; nv <= DW_NV; nv++) {
        if (a->ow > x0 + (nv - 1) * SIMD_VL && a->ow <= x0 + nv * SIMD_VL) {
            dw_strip(a, x0, nv, 1, KH, SH);
            break;
        }
    }
#else
    (void)nv;
    for (; x0 + SIMD_VL <= a->ow; x0 += SIMD_VL)
        dw_strip(a, x0, 1, 0, KH, SH);
    if (x0 < a->ow)
        snt__dw_columns(a, x0, a->ow - x0);
#endif
}

static void dw_run(const snt_f32_dwconv_args *a)
{
    /* sh and kh in one number, 0 for the pairs without an unrolled path. */
    const size_t key = a->sh <= 2 && a->kh <= DW_KH_MAX ? a->sh * 16 + a->kh : 0;
    switch (key) {
    case 16 + 1: dw_strips(a, 1, 1); break;
    case 16 + 2: dw_strips(a, 2, 1); break;
    case 16 + 3: dw_strips(a, 3, 1); break;
    case 16 + 4: dw_strips(a, 4, 1); break;
    case 16 + 5: dw_strips(a, 5, 1); break;
    case 16 + 6: dw_strips(a, 6, 1); break;
    case 16 + 7: dw_strips(a, 7, 1); break;
    case 16 + 8: dw_strips(a, 8, 1); break;
    case 16 + 9: dw_strips(a, 9, 1); break;
    case 32 + 3: dw_strips(a, 3, 2); break;
    case 32 + 5: dw_strips(a, 5, 2); break;
    case 32 + 7: dw_strips(a, 7, 2); break;
    default: dw_strips(a, 0, 0); break;
    }
}

#endif /* SNT_F32_DWCONV_STRIP_H */
