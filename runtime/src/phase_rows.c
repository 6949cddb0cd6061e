/*
 * phase_rows.c - input rows padded with zeros and split into column
 * phases in scratch, for the direct convolutions (dwconv2d.c,
 * conv2d_thin.c): on such a row every tap of a row of outputs reads a
 * run of consecutive floats, whatever the padding and column stride.
 *
 * Padded column c (input column c - pl, or padding) of a row lies at
 * (c % sw) * phase_len + c / sw, so output column ox reads, through a
 * tap at padded column offset d, float ox + d / sw of phase d % sw.
 */
#include "internal.h"

snt__phase_rows snt__phase_rows_init(size_t w, size_t ow, size_t kw, size_t sw, size_t dw,
                                     size_t pl)
{
    snt__phase_rows g;
    size_t padded_w = (ow - 1) * sw + (kw - 1) * dw + 1;
    g.w = w;
    g.sw = sw;
    g.phase_len = (padded_w + sw - 1) / sw;
    g.row_floats = sw * g.phase_len;
    g.lo = pl < padded_w ? pl : padded_w;
    g.hi = pl + w < padded_w ? pl + w : padded_w;
    if (g.hi < g.lo)
        g.hi = g.lo;
    g.lo_phase = g.lo % sw;
    g.lo_at = g.lo / sw;
    g.per_phase = (g.hi - g.lo) / sw;
    g.extra = (g.hi - g.lo) % sw;
    return g;
}

/* d[i] = src[i * stride] for i < n. */
static void copy_strided(float *restrict d, const float *restrict src, size_t n, size_t stride)
{
    size_t i;
    for (i = 0; i < n; i++)
        d[i] = src[i * stride];
}

/* Input row xr into the image's columns of its padded row dst, all of
 * them, whatever they held (the padding columns are not written).  Every
 * row has the same layout, so the divisions are in snt__phase_rows_init
 * rather than here. */
static void fill_row(const snt__phase_rows *g, const float *xr, float *dst)
{
    size_t j, ph = g->lo_phase, at = g->lo_at;
    /* Here lo == pl: the row starts at xr. */
    if (g->sw == 1) {
        memcpy(dst + g->lo, xr, (g->hi - g->lo) * sizeof *dst);
    } else if (g->sw == 2) {
        /* Column lo + 2i + j goes to phase (lo + j) % 2. */
        float *d0 = dst + ph * g->phase_len + at;
        float *d1 = ph == 0 ? dst + g->phase_len + at : dst + at + 1;
        snt__deinterleave2(d0, d1, xr, g->per_phase);
        if (g->extra != 0)
            d0[g->per_phase] = xr[2 * g->per_phase];
    } else {
        /* Columns lo + j, j < sw, start the phases in turn: float `at` of
         * phase `ph`, from which the phase takes every sw-th column. */
        for (j = 0; j < g->sw && j < g->hi - g->lo; j++) {
            copy_strided(dst + ph * g->phase_len + at, xr + j, g->per_phase + (j < g->extra),
                         g->sw);
            if (++ph == g->sw) {
                ph = 0;
                at++;
            }
        }
    }
}

void snt__phase_rows_fill(const snt__phase_rows *g, const float *x, size_t h, ptrdiff_t iy0,
                          size_t live, size_t n, float *dst)
{
    size_t i;
    for (i = 0; i < n; i++, dst += g->row_floats) {
        ptrdiff_t iy = iy0 + (ptrdiff_t)i;
        if (i < live && iy >= 0 && iy < (ptrdiff_t)h && g->hi > g->lo)
            fill_row(g, x + (size_t)iy * g->w, dst);
        else
            memset(dst, 0, g->row_floats * sizeof *dst);
    }
}
