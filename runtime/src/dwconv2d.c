/*
 * dwconv2d.c - depthwise convolution (groups == c == k) on an f32-dwconv
 * micro-kernel, with bias and the fused epilogue of conv2d.c.
 *
 * The micro-kernels take a row stride but know only unit column stride
 * and no dilation, over an input without borders.  This driver maps
 * every other case onto them:
 *  - padding: band by band of output rows, each channel's input rows are
 *    copied into scratch with their zero padding;
 *  - column stride s: the copy deinterleaves each padded row into s
 *    phases (padded column c at (c % s) * phase_len + c / s), so that the
 *    outputs of one tap column read consecutive floats; column dilation
 *    is in the tap columns' offsets into that row;
 *  - row dilation dh: with g = gcd(sh, dh), output row q + m*(dh/g)
 *    reads padded row q*sh + dh*(m*(sh/g) + ky) through tap row ky.  So
 *    each residue q < dh/g is an undilated problem of row stride sh/g
 *    over every dh-th row (for dh = 1, one residue of stride sh).
 * Each output band gets its epilogue right after its last tap, while it
 * is still in cache.
 */
#include <string.h>

#include "internal.h"

/* The input band in scratch: at most 8 Ki floats (32 KiB, in L1),
 * unless one output row alone needs more. */
#define BAND_FLOATS ((size_t)1 << 13)

/* Tap columns per micro-kernel call (their offsets live on the stack);
 * wider kernels take several calls. */
#define TAP_CHUNK 32

/* What the driver derives from the parameters once. */
typedef struct {
    size_t padded_w;   /* columns of a padded input row that outputs read */
    size_t phase_len;  /* floats of one column phase */
    size_t row_floats; /* floats of a padded row in scratch (sw phases) */
    size_t lo, hi;     /* padded columns [lo, hi) lie in the input, at c - pl */
    size_t lo_phase, lo_at;   /* column lo is float lo_at of phase lo_phase */
    size_t per_phase, extra;  /* (hi - lo) / sw and (hi - lo) % sw */
    size_t residues;   /* dh / gcd(sh, dh): output rows of a residue are this apart */
    size_t k_stride;   /* sh / gcd(sh, dh): the kernel's row stride, in dh rows */
    size_t band;       /* output rows per band */
} dw_geom;

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t gcd(size_t a, size_t b)
{
    while (b != 0) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Padded input rows that `rows` consecutive output rows read. */
static size_t band_in_rows(const snt_conv2d_params *p, size_t rows)
{
    return (rows - 1) * p->sh + (p->kh - 1) * p->dh + 1;
}

/* Padded input rows that kernel calls read for `rows` output rows: the
 * last call of a residue reads the input rows of a full mr rows. */
static size_t plane_rows(const snt_conv2d_params *p, size_t mr, const dw_geom *g, size_t rows)
{
    return band_in_rows(p, rows + (mr - 1) * g->residues);
}

/* Requires oh, ow >= 1. */
static dw_geom geometry(const snt_conv2d_params *p, size_t mr)
{
    dw_geom g;
    size_t fit, group;
    g.padded_w = (p->ow - 1) * p->sw + (p->kw - 1) * p->dw + 1;
    g.phase_len = (g.padded_w + p->sw - 1) / p->sw;
    g.row_floats = p->sw * g.phase_len;
    g.lo = min_size(p->pl, g.padded_w);
    g.hi = min_size(p->pl + p->w, g.padded_w);
    if (g.hi < g.lo)
        g.hi = g.lo;
    g.lo_phase = g.lo % p->sw;
    g.lo_at = g.lo / p->sw;
    g.per_phase = (g.hi - g.lo) / p->sw;
    g.extra = (g.hi - g.lo) % p->sw;
    g.residues = p->dh / gcd(p->sh, p->dh);
    g.k_stride = p->sh / gcd(p->sh, p->dh);
    fit = BAND_FLOATS / g.row_floats;
    g.band = fit >= band_in_rows(p, 1) ? (fit - band_in_rows(p, 1)) / p->sh + 1 : 1;
    /* Whole kernel calls of mr rows in every residue, when that many fit. */
    group = mr * g.residues;
    if (g.band > group)
        g.band -= g.band % group;
    g.band = min_size(g.band, p->oh);
    return g;
}

size_t snt_dwconv2d_scratch_floats(const snt_conv2d_params *p, unsigned mr)
{
    dw_geom g;
    if (p->oh == 0 || p->ow == 0)
        return 0;
    g = geometry(p, mr);
    return p->kh * p->kw + plane_rows(p, mr, &g, g.band) * g.row_floats;
}

/* One channel's taps (w: [kh][kw]) transposed, as the kernel takes them. */
static void pack_taps(const snt_conv2d_params *p, const float *w, float *dst)
{
    size_t kx, ky;
    for (kx = 0; kx < p->kw; kx++)
        for (ky = 0; ky < p->kh; ky++)
            *dst++ = w[ky * p->kw + kx];
}

/* d[i] = src[i * stride] for i < n. */
static void copy_strided(float *restrict d, const float *restrict src, size_t n, size_t stride)
{
    size_t i;
    for (i = 0; i < n; i++)
        d[i] = src[i * stride];
}

/* Input row xr into the image's columns of its padded row dst, all of
 * them, whatever they held (the padding columns are zero).  Every row
 * has the same layout, so the divisions are in geometry() rather than
 * here. */
static void fill_row(const snt_conv2d_params *p, const dw_geom *g, const float *xr, float *dst)
{
    size_t j, ph = g->lo_phase, at = g->lo_at;
    /* Here lo == pl: the row starts at xr. */
    if (p->sw == 1) {
        memcpy(dst + g->lo, xr, (g->hi - g->lo) * sizeof *dst);
    } else if (p->sw == 2) {
        /* Column lo + 2i + j goes to phase (lo + j) % 2. */
        float *d0 = dst + ph * g->phase_len + at;
        float *d1 = ph == 0 ? dst + g->phase_len + at : dst + at + 1;
        snt__deinterleave2(d0, d1, xr, g->per_phase);
        if (g->extra != 0)
            d0[g->per_phase] = xr[2 * g->per_phase];
    } else {
        /* Columns lo + j, j < sw, start the phases in turn: float `at` of
         * phase `ph`, from which the phase takes every sw-th column. */
        for (j = 0; j < p->sw && j < g->hi - g->lo; j++) {
            copy_strided(dst + ph * g->phase_len + at, xr + j, g->per_phase + (j < g->extra),
                         p->sw);
            if (++ph == p->sw) {
                ph = 0;
                at++;
            }
        }
    }
}

/*
 * The padded input rows of output rows [oy0, oy0 + rows) of channel xc,
 * and zero rows after them for the calls' rows past the band.  The whole
 * scratch plane is zeroed once per call of snt_dwconv2d_f32, and only
 * the image's columns of the first band_in_rows(band) rows are ever
 * written (every row has the same layout).  So each of those rows is
 * either an input row here, or padding and zeroed, as it may hold an
 * input row of an earlier band; the rows after them are still zero.
 * With the whole image in one band, as for small images, the rows
 * zeroed are the same few padding rows for every channel.
 */
static void fill_band(const snt_conv2d_params *p, const dw_geom *g, const float *xc,
                      size_t oy0, size_t rows, float *plane)
{
    size_t i, n = band_in_rows(p, g->band);
    for (i = 0; i < n; i++, plane += g->row_floats) {
        ptrdiff_t iy = (ptrdiff_t)(oy0 * p->sh + i) - (ptrdiff_t)p->pt;
        if (i < band_in_rows(p, rows) && iy >= 0 && iy < (ptrdiff_t)p->h && g->hi > g->lo)
            fill_row(p, g, xc + (size_t)iy * p->w, plane);
        else
            memset(plane, 0, g->row_floats * sizeof *plane);
    }
}

/* Offsets in a padded row of tap columns [kx0, kx0 + n): column kx reads
 * padded column ox*sw + kx*dw, in phase (kx*dw) % sw at ox + kx*dw / sw.
 * Stepped rather than divided per tap. */
static void tap_columns(const snt_conv2d_params *p, const dw_geom *g, size_t kx0, size_t n,
                        size_t *col)
{
    size_t c = kx0 * p->dw, ph = c % p->sw, at = c / p->sw, i;
    size_t step_ph = p->dw % p->sw, step_at = p->dw / p->sw;
    for (i = 0; i < n; i++) {
        col[i] = ph * g->phase_len + at;
        ph += step_ph;
        at += step_at;
        if (ph >= p->sw) {
            ph -= p->sw;
            at++;
        }
    }
}

/* All taps into the output rows that a describes, whose first tap row is
 * in: chunk by chunk of tap columns, the first call overwriting with the
 * bias and the others adding. */
static void run_taps(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                     const dw_geom *g, const float *taps, const float *in,
                     snt_f32_dwconv_args *a)
{
    size_t col[TAP_CHUNK], kx0;
    a->in = in;
    a->accumulate = 0;
    for (kx0 = 0; kx0 < p->kw; kx0 += TAP_CHUNK) {
        a->kw = min_size(TAP_CHUNK, p->kw - kx0);
        tap_columns(p, g, kx0, a->kw, col);
        a->col = col;
        a->w = taps + kx0 * p->kh;
        uk->run(a);
        a->accumulate = 1;
    }
}

/* Output rows [0, rows) of a band (y at its first row) from its padded
 * input in plane, before the epilogue: residue by residue of output
 * rows, mr rows of a residue per kernel call. */
static void conv_band(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                      const dw_geom *g, const float *taps, const float *plane, float bias,
                      float *y, size_t rows)
{
    size_t q, m0;
    snt_f32_dwconv_args a;
    a.ow = p->ow;
    a.kh = p->kh;
    a.sh = g->k_stride;
    a.in_ld = p->dh * g->row_floats;
    a.out_ld = g->residues * p->ow;
    a.bias = bias;
    for (q = 0; q < g->residues && q < rows; q++) {
        size_t count = (rows - q + g->residues - 1) / g->residues;
        for (m0 = 0; m0 < count; m0 += uk->mr) {
            size_t oy = q + m0 * g->residues;   /* the call's first output row */
            a.rows = min_size(uk->mr, count - m0);
            a.out = y + oy * p->ow;
            run_taps(p, uk, g, taps, plane + oy * p->sh * g->row_floats, &a);
        }
    }
}

/* One channel of one image, band by band, each band finished by the
 * epilogue (its bias already in) while in cache. */
static void conv_channel(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                         const dw_geom *g, const float *xc, const float *taps, float bias,
                         const snt__epilogue *ep, size_t ch, float *yc, float *plane)
{
    size_t oy0;
    for (oy0 = 0; oy0 < p->oh; oy0 += g->band) {
        size_t rows = min_size(g->band, p->oh - oy0);
        float *yb = yc + oy0 * p->ow;
        fill_band(p, g, xc, oy0, rows, plane);
        conv_band(p, uk, g, taps, plane, bias, yb, rows);
        snt__epilogue_row(ep, ch, oy0 * p->ow, yb, rows * p->ow);
    }
}

/* One image split over threads by channels, each part with a scratch
 * slot of its own: a channel is computed the same whatever the split. */
typedef struct {
    const snt_conv2d_params *p;
    const snt_f32_dwconv_ukernel *uk;
    const float *x, *w, *bias;
    const snt__epilogue *ep;
    float *y, *scratch;
} dw_work;

static void dw_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const dw_work *d = arg;
    const snt_conv2d_params *p = d->p;
    size_t in_plane = p->h * p->w, out_plane = p->oh * p->ow, taps_n = p->kh * p->kw, ch;
    float *taps = snt__slot(d->scratch, slot, snt_dwconv2d_scratch_floats(p, d->uk->mr));
    float *plane = taps + taps_n;
    dw_geom g = geometry(p, d->uk->mr);
    /* What fill_band never writes: padding columns, rows past a band. */
    memset(plane, 0, plane_rows(p, d->uk->mr, &g, g.band) * g.row_floats * sizeof *plane);
    for (ch = begin; ch < end; ch++) {
        pack_taps(p, d->w + ch * taps_n, taps);
        conv_channel(p, d->uk, &g, d->x + ch * in_plane, taps,
                     d->bias != NULL ? d->bias[ch] : 0.0f, d->ep, ch, d->y + ch * out_plane,
                     plane);
    }
}

void snt_dwconv2d_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                         const snt_f32_dwconv_ukernel *uk, const float *x, const float *w,
                         const float *bias, const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch)
{
    /* No bias here: the kernel starts each output from it. */
    snt__epilogue ep = snt__conv_epilogue(p, NULL, post_scale, post_shift, residual);
    dw_work d = {p, uk, x, w, bias, &ep, y, scratch};
    size_t b;
    if (p->n == 0 || p->c == 0 || p->oh * p->ow == 0)
        return;
    for (b = 0; b < p->n; b++) {
        snt__parallel_ranges(par, p->c, 1, dw_part, &d);
        d.x += p->c * p->h * p->w;
        d.y += p->c * p->oh * p->ow;
        if (ep.residual != NULL)
            ep.residual += p->c * p->oh * p->ow;
    }
}

void snt_dwconv2d_f32(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                      const float *x, const float *w, const float *bias,
                      const float *post_scale, const float *post_shift,
                      const float *residual, float *y, float *scratch)
{
    snt_dwconv2d_f32_mt(NULL, p, uk, x, w, bias, post_scale, post_shift, residual, y, scratch);
}
