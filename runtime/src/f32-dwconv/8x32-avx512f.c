/*
 * 8x32-avx512f.c - f32-dwconv micro-kernel: 8 output rows by 32 columns
 * (two zmm vectors) at a time in AVX-512, on the loop nest of strip.h.
 *
 * 16 accumulators, up to 9 broadcast taps and 2 input vectors fit the
 * 32 registers.  For kh = 7 a tap column costs 7 broadcasts and 28 input
 * loads for 112 FMAs.  No access passes ow, so the input needs no slack.
 *
 * Small images take the lanes path (dw_lanes): 16 channels at once, one
 * per lane, transposed (x32-transpose's 16x16 tile) into a padded pixel
 * grid; each output pixel is then kh*kw FMAs of whole vectors, whatever
 * ow, and the outputs are transposed back.  (Gathers instead of the
 * transpositions made it slower than the rows path.)
 */
#include "../simd/avx512f.h"
#include "rows.h"

#define DW_MR 8
#define DW_NV 2

#include "strip.h"

/* Output pixels of one row per register block in the lanes path. */
#define LANES_PX 8
/* Tap columns with an unrolled path (dilation 1, column stride 1 or 2). */
#define LANES_KW_MAX 5

/* 16 x 16 floats transposed: dst[c*16 + r] = src[r*src_ld + c]. */
static void transpose16(const float *src, size_t src_ld, float *dst, size_t dst_ld)
{
    snt_x32_transpose_16x16__avx512f.run((const uint32_t *)src, (ptrdiff_t)src_ld,
                                         (uint32_t *)dst, (ptrdiff_t)dst_ld);
}

/* Rows r < rows, columns c < cols of a 16 x 16 block at src (rows
 * src_ld apart) into stage, zeros elsewhere. */
static void stage16(const float *src, size_t src_ld, size_t rows, size_t cols, float *stage)
{
    const __mmask16 m = simd_lanes(0, cols);
    size_t r;
    for (r = 0; r < SNT_DWCONV_LANES; r++)
        _mm512_storeu_ps(stage + r * SNT_DWCONV_LANES,
                         r < rows ? _mm512_maskz_loadu_ps(m, src + r * src_ld)
                                  : _mm512_setzero_ps());
}

/* The nc channels' input into the grid's interior, 16 pixels (in the
 * planes' order) at a time through a transposition. */
static void lanes_pack_input(const snt_f32_dwconv_lanes_args *a, size_t ph, size_t pw)
{
    const snt_conv2d_params *p = a->p;
    const size_t plane = p->h * p->w;
    float stage[SNT_DWCONV_LANES * SNT_DWCONV_LANES], px[SNT_DWCONV_LANES * SNT_DWCONV_LANES];
    size_t p0, j, iy = 0, ix = 0;
    for (p0 = 0; p0 < plane; p0 += SNT_DWCONV_LANES) {
        const size_t n = plane - p0 < SNT_DWCONV_LANES ? plane - p0 : SNT_DWCONV_LANES;
        if (n == SNT_DWCONV_LANES && a->nc == SNT_DWCONV_LANES) {
            transpose16(a->x + p0, plane, px, SNT_DWCONV_LANES);
        } else {
            stage16(a->x + p0, plane, a->nc, n, stage);
            transpose16(stage, SNT_DWCONV_LANES, px, SNT_DWCONV_LANES);
        }
        for (j = 0; j < n; j++) {
            if (iy + p->pt < ph && ix + p->pl < pw)
                _mm512_storeu_ps(a->grid + ((iy + p->pt) * pw + ix + p->pl) * SNT_DWCONV_LANES,
                                 _mm512_loadu_ps(px + j * SNT_DWCONV_LANES));
            if (++ix == p->w) {
                ix = 0;
                iy++;
            }
        }
    }
}

/*
 * Output pixels [ox, ox + n) of row oy in every lane, n <= LANES_PX.
 * With KW != 0 (kw == KW, sw == SW, dw == 1, all constants once inlined)
 * each input pixel of a tap row is loaded once into a register and used
 * by every tap and output pixel it meets: (n-1)*SW + KW loads and KW
 * taps for n*KW FMAs, where loading per FMA would bound the loop.
 * KW = 0 takes any kw, sw and dw, loading an input pixel per FMA.
 */
SNT__UK_INLINE void lanes_pixels(const snt_f32_dwconv_lanes_args *a, size_t pw, size_t oy,
                                 size_t ox, const unsigned n, const unsigned KW,
                                 const unsigned SW)
{
    const snt_conv2d_params *p = a->p;
    const size_t step = p->sw * SNT_DWCONV_LANES;
    __m512 acc[LANES_PX], x[(LANES_PX - 1) * 2 + LANES_KW_MAX];
    size_t ky, kx;
    unsigned i, j;
    SNT__UK_UNROLL
    for (j = 0; j < LANES_PX; j++)
        acc[j] = _mm512_loadu_ps(a->bias);
    for (ky = 0; ky < p->kh; ky++) {
        const float *row = a->grid + ((oy * p->sh + ky * p->dh) * pw + ox * p->sw) *
                                         SNT_DWCONV_LANES;
        const float *wk = a->w + ky * p->kw * SNT_DWCONV_LANES;
        if (KW != 0) {
            SNT__UK_UNROLL
            for (i = 0; i < (n - 1) * SW + KW; i++)
                x[i] = _mm512_loadu_ps(row + i * SNT_DWCONV_LANES);
            SNT__UK_UNROLL
            for (kx = 0; kx < KW; kx++) {
                const __m512 t = _mm512_loadu_ps(wk + kx * SNT_DWCONV_LANES);
                for (j = 0; j < n; j++)
                    acc[j] = _mm512_fmadd_ps(t, x[j * SW + kx], acc[j]);
            }
            continue;
        }
        for (kx = 0; kx < p->kw; kx++) {
            const __m512 t = _mm512_loadu_ps(wk + kx * SNT_DWCONV_LANES);
            const float *src = row + kx * p->dw * SNT_DWCONV_LANES;
            SNT__UK_UNROLL
            for (j = 0; j < LANES_PX; j++)
                if (j < n)
                    acc[j] = _mm512_fmadd_ps(t, _mm512_loadu_ps(src + j * step), acc[j]);
        }
    }
    SNT__UK_UNROLL
    for (j = 0; j < LANES_PX; j++)
        if (j < n)
            _mm512_storeu_ps(a->out + (oy * p->ow + ox + j) * SNT_DWCONV_LANES,
                             a->act != NULL ? simd_hard_act(a->act, acc[j]) : acc[j]);
}

/* Every output pixel: blocks of LANES_PX, then the rest as one block
 * of a constant width. */
SNT__UK_INLINE void lanes_rows(const snt_f32_dwconv_lanes_args *a, size_t pw, const unsigned KW,
                               const unsigned SW)
{
    const snt_conv2d_params *p = a->p;
    size_t oy, ox;
    unsigned n;
    for (oy = 0; oy < p->oh; oy++) {
        for (ox = 0; ox + LANES_PX <= p->ow; ox += LANES_PX)
            lanes_pixels(a, pw, oy, ox, LANES_PX, KW, SW);
        SNT__UK_UNROLL
        for (n = 1; n < LANES_PX; n++)
            if (p->ow - ox == n)
                lanes_pixels(a, pw, oy, ox, n, KW, SW);
    }
}

/* Each channel's outputs into its plane of y, 16 pixels at a time
 * through a transposition. */
static void lanes_unpack_output(const snt_f32_dwconv_lanes_args *a)
{
    const size_t n = a->p->oh * a->p->ow;
    float px[SNT_DWCONV_LANES * SNT_DWCONV_LANES];
    size_t p0, l;
    for (p0 = 0; p0 < n; p0 += SNT_DWCONV_LANES) {
        const size_t cols = n - p0 < SNT_DWCONV_LANES ? n - p0 : SNT_DWCONV_LANES;
        const __mmask16 m = simd_lanes(0, cols);
        if (cols == SNT_DWCONV_LANES && a->nc == SNT_DWCONV_LANES) {
            transpose16(a->out + p0 * SNT_DWCONV_LANES, SNT_DWCONV_LANES, a->y + p0, n);
            continue;
        }
        /* Rows past the last pixel are whatever out holds: never stored. */
        transpose16(a->out + p0 * SNT_DWCONV_LANES, SNT_DWCONV_LANES, px, SNT_DWCONV_LANES);
        for (l = 0; l < a->nc; l++)
            _mm512_mask_storeu_ps(a->y + l * n + p0, m,
                                  _mm512_loadu_ps(px + l * SNT_DWCONV_LANES));
    }
}

static void dw_lanes(const snt_f32_dwconv_lanes_args *a)
{
    const snt_conv2d_params *p = a->p;
    const size_t ph = (p->oh - 1) * p->sh + (p->kh - 1) * p->dh + 1;
    const size_t pw = (p->ow - 1) * p->sw + (p->kw - 1) * p->dw + 1;
    /* kw and sw in one number, 0 for those without an unrolled path. */
    const size_t key = p->dw == 1 && p->sw <= 2 && p->kw <= LANES_KW_MAX ? p->sw * 16 + p->kw : 0;
    lanes_pack_input(a, ph, pw);
    switch (key) {
    case 16 + 3: lanes_rows(a, pw, 3, 1); break;
    case 16 + 5: lanes_rows(a, pw, 5, 1); break;
    case 32 + 3: lanes_rows(a, pw, 3, 2); break;
    case 32 + 5: lanes_rows(a, pw, 5, 2); break;
    default: lanes_rows(a, pw, 0, 0); break;
    }
    lanes_unpack_output(a);
}

const snt_f32_dwconv_ukernel snt_f32_dwconv_8x32__avx512f = {DW_MR, DW_NR, dw_run, dw_lanes};
