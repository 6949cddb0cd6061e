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
 *
 * A small image (at most LANES_MAX_PIXELS outputs, a padded input of at
 * most LANES_MAX_GRID pixels) on a variant with a lanes path goes
 * SNT_DWCONV_LANES channels at a time instead, one per vector lane: at
 * 14x14 and 7x7 a channel's rows are a few short vectors, and copying
 * and calling per channel cost more than its taps.  On mobilenet_hs's
 * layers (AVX-512, 5x5) 14^2 s1 runs 40 -> 55 GFLOP/s and 14^2 -> 7^2 s2
 * 14 -> 23; 28^2 -> 14^2 s2 ran slower (30 -> 25: the transposition of
 * its 31x31 padded input), hence the limit on the grid.
 */
#include <string.h>

#include "internal.h"

/* The input band in scratch: at most 8 Ki floats (32 KiB, in L1),
 * unless one output row alone needs more. */
#define BAND_FLOATS ((size_t)1 << 13)

/* Tap columns per micro-kernel call (their offsets live on the stack);
 * wider kernels take several calls. */
#define TAP_CHUNK 32

/* The images the lanes path takes. */
#define LANES_MAX_PIXELS 256
#define LANES_MAX_GRID 512

/* What the driver derives from the parameters once. */
typedef struct {
    snt__phase_rows cols;  /* the layout of a padded row in scratch */
    size_t row_floats;     /* floats of a padded row (cols.row_floats) */
    size_t residues;   /* dh / gcd(sh, dh): output rows of a residue are this apart */
    size_t k_stride;   /* sh / gcd(sh, dh): the kernel's row stride, in dh rows */
    size_t band;       /* output rows per band */
} dw_geom;

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
    g.cols = snt__phase_rows_init(p->w, p->ow, p->kw, p->sw, p->dw, p->pl);
    g.row_floats = g.cols.row_floats;
    g.residues = p->dh / gcd(p->sh, p->dh);
    g.k_stride = p->sh / gcd(p->sh, p->dh);
    fit = BAND_FLOATS / g.row_floats;
    g.band = fit >= band_in_rows(p, 1) ? (fit - band_in_rows(p, 1)) / p->sh + 1 : 1;
    /* Whole kernel calls of mr rows in every residue, when that many fit. */
    group = mr * g.residues;
    if (g.band > group)
        g.band -= g.band % group;
    g.band = snt__min_size(g.band, p->oh);
    return g;
}

/* Pixels of the padded input that the outputs read (the lanes grid). */
static size_t grid_pixels(const snt_conv2d_params *p)
{
    return band_in_rows(p, p->oh) * ((p->ow - 1) * p->sw + (p->kw - 1) * p->dw + 1);
}

/* Requires oh, ow >= 1. */
static int lanes_apply(const snt_conv2d_params *p)
{
    return p->oh * p->ow <= LANES_MAX_PIXELS && grid_pixels(p) <= LANES_MAX_GRID;
}

/* The lanes path's scratch: taps, bias, grid, outputs (whole blocks of
 * SNT_DWCONV_LANES pixels, as the variant transposes them). */
static size_t lanes_floats(const snt_conv2d_params *p)
{
    size_t out_pixels = (p->oh * p->ow + SNT_DWCONV_LANES - 1) / SNT_DWCONV_LANES;
    return (p->kh * p->kw + 1 + grid_pixels(p) + out_pixels * SNT_DWCONV_LANES) *
           SNT_DWCONV_LANES;
}

size_t snt_dwconv2d_scratch_floats(const snt_conv2d_params *p, unsigned mr)
{
    dw_geom g;
    size_t rows;
    if (p->oh == 0 || p->ow == 0)
        return 0;
    g = geometry(p, mr);
    rows = p->kh * p->kw + plane_rows(p, mr, &g, g.band) * g.row_floats;
    /* Enough for either path: the variant, which picks, is not known here. */
    return lanes_apply(p) && lanes_floats(p) > rows ? lanes_floats(p) : rows;
}

/* One channel's taps (w: [kh][kw]) transposed, as the kernel takes them. */
static void pack_taps(const snt_conv2d_params *p, const float *w, float *dst)
{
    size_t kx, ky;
    for (kx = 0; kx < p->kw; kx++)
        for (ky = 0; ky < p->kh; ky++)
            *dst++ = w[ky * p->kw + kx];
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
    snt__phase_rows_fill(&g->cols, xc, p->h, (ptrdiff_t)(oy0 * p->sh) - (ptrdiff_t)p->pt,
                         band_in_rows(p, rows), band_in_rows(p, g->band), plane);
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
        col[i] = ph * g->cols.phase_len + at;
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
 * bias and the others adding, the last one applying act (may be NULL). */
static void run_taps(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                     const dw_geom *g, const float *taps, const float *in,
                     const snt_f32_hard_act *act, snt_f32_dwconv_args *a)
{
    size_t col[TAP_CHUNK], kx0;
    a->in = in;
    a->accumulate = 0;
    for (kx0 = 0; kx0 < p->kw; kx0 += TAP_CHUNK) {
        a->kw = snt__min_size(TAP_CHUNK, p->kw - kx0);
        a->act = kx0 + a->kw == p->kw ? act : NULL;
        tap_columns(p, g, kx0, a->kw, col);
        a->col = col;
        a->w = taps + kx0 * p->kh;
        uk->run(a);
        a->accumulate = 1;
    }
}

/* One image split over threads by channels, each part with a scratch
 * slot of its own: a channel is computed the same whatever the split
 * (on the lanes path the parts are whole blocks of lanes).  The kernel
 * applies a hard activation (act, else NULL), the epilogue the rest. */
typedef struct {
    const snt_conv2d_params *p;
    const snt_f32_dwconv_ukernel *uk;
    const float *x, *w, *bias;
    const snt__epilogue *ep;
    const snt_f32_hard_act *act;
    float *y, *scratch;
} dw_work;

/* Output rows [0, rows) of a band (y at its first row) from its padded
 * input in plane, with the kernel's activation act (may be NULL), before
 * the epilogue: residue by residue of output rows, mr rows of a residue
 * per kernel call. */
static void conv_band(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                      const dw_geom *g, const float *taps, const float *plane, float bias,
                      const snt_f32_hard_act *act, float *y, size_t rows)
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
            a.rows = snt__min_size(uk->mr, count - m0);
            a.out = y + oy * p->ow;
            run_taps(p, uk, g, taps, plane + oy * p->sh * g->row_floats, act, &a);
        }
    }
}

/* Channel ch of one image (its taps packed), band by band, each band
 * finished by the rest of the epilogue (its bias and activation already
 * in) while in cache. */
static void conv_channel(const dw_work *d, const dw_geom *g, size_t ch, const float *taps,
                         float *plane)
{
    const snt_conv2d_params *p = d->p;
    const float *xc = d->x + ch * p->h * p->w;
    const float bias = d->bias != NULL ? d->bias[ch] : 0.0f;
    float *yc = d->y + ch * p->oh * p->ow;
    size_t oy0;
    for (oy0 = 0; oy0 < p->oh; oy0 += g->band) {
        size_t rows = snt__min_size(g->band, p->oh - oy0);
        float *yb = yc + oy0 * p->ow;
        fill_band(p, g, xc, oy0, rows, plane);
        conv_band(p, d->uk, g, taps, plane, bias, d->act, yb, rows);
        snt__epilogue_row(d->ep, ch, oy0 * p->ow, yb, rows * p->ow);
    }
}

/* Channels [c0, c0 + nc) of the lanes path: their taps and biases
 * interleaved by lane, lanes past nc zero. */
static void pack_lanes(const snt_conv2d_params *p, const float *w, const float *bias,
                       size_t c0, size_t nc, float *taps, float *lane_bias)
{
    size_t t, l, n = p->kh * p->kw;
    for (t = 0; t < n; t++)
        for (l = 0; l < SNT_DWCONV_LANES; l++)
            taps[t * SNT_DWCONV_LANES + l] = l < nc ? w[(c0 + l) * n + t] : 0.0f;
    for (l = 0; l < SNT_DWCONV_LANES; l++)
        lane_bias[l] = bias != NULL && l < nc ? bias[c0 + l] : 0.0f;
}

/* Channels [c_begin, c_end) by the variant's lanes path,
 * SNT_DWCONV_LANES channels a call, each channel then finished by the
 * epilogue. */
static void conv_lanes(const dw_work *d, size_t c_begin, size_t c_end, float *scratch)
{
    const snt_conv2d_params *p = d->p;
    size_t out_plane = p->oh * p->ow, c0, l;
    snt_f32_dwconv_lanes_args a;
    float *taps = scratch, *lane_bias = taps + p->kh * p->kw * SNT_DWCONV_LANES;
    /* The grid's padding, which the lanes path never writes. */
    memset(scratch, 0, lanes_floats(p) * sizeof *scratch);
    a.p = p;
    a.w = taps;
    a.bias = lane_bias;
    a.grid = lane_bias + SNT_DWCONV_LANES;
    a.out = a.grid + grid_pixels(p) * SNT_DWCONV_LANES;
    a.act = d->act;
    for (c0 = c_begin; c0 < c_end; c0 += SNT_DWCONV_LANES) {
        a.nc = snt__min_size(c_end - c0, SNT_DWCONV_LANES);
        pack_lanes(p, d->w, d->bias, c0, a.nc, taps, lane_bias);
        a.x = d->x + c0 * p->h * p->w;
        a.y = d->y + c0 * out_plane;
        d->uk->lanes(&a);
        for (l = 0; l < a.nc; l++)
            snt__epilogue_row(d->ep, c0 + l, 0, a.y + l * out_plane, out_plane);
    }
}

/* Channels [c_begin, c_end) one at a time on the rows of the variant. */
static void conv_rows(const dw_work *d, size_t c_begin, size_t c_end, float *scratch)
{
    const snt_conv2d_params *p = d->p;
    size_t taps_n = p->kh * p->kw, ch;
    dw_geom g = geometry(p, d->uk->mr);
    float *taps = scratch, *plane = scratch + taps_n;
    /* What fill_band never writes: padding columns, rows past a band. */
    memset(plane, 0, plane_rows(p, d->uk->mr, &g, g.band) * g.row_floats * sizeof *plane);
    for (ch = c_begin; ch < c_end; ch++) {
        pack_taps(p, d->w + ch * taps_n, taps);
        conv_channel(d, &g, ch, taps, plane);
    }
}

static int uses_lanes(const dw_work *d)
{
    return d->uk->lanes != NULL && lanes_apply(d->p);
}

static void dw_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const dw_work *d = arg;
    float *scratch = snt__slot(d->scratch, slot, snt_dwconv2d_scratch_floats(d->p, d->uk->mr));
    if (uses_lanes(d))
        conv_lanes(d, begin, end, scratch);
    else
        conv_rows(d, begin, end, scratch);
}

void snt_dwconv2d_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                         const snt_f32_dwconv_ukernel *uk, const float *x, const float *w,
                         const float *bias, const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch)
{
    /* No bias here: the kernel starts each output from it. */
    snt__epilogue ep = snt__conv_epilogue(p, NULL, post_scale, post_shift, residual), rest;
    snt_f32_hard_act hard;
    dw_work d = {p, uk, x, w, bias, &rest, NULL, y, scratch};
    size_t b;
    d.act = snt__split_hard_act(&ep, &rest, &hard);
    if (p->n == 0 || p->c == 0 || p->oh * p->ow == 0)
        return;
    for (b = 0; b < p->n; b++) {
        snt__parallel_ranges(par, p->c, uses_lanes(&d) ? SNT_DWCONV_LANES : 1, dw_part, &d);
        d.x += p->c * p->h * p->w;
        d.y += p->c * p->oh * p->ow;
        if (rest.residual != NULL)
            rest.residual += p->c * p->oh * p->ow;
    }
}

void snt_dwconv2d_f32(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                      const float *x, const float *w, const float *bias,
                      const float *post_scale, const float *post_shift,
                      const float *residual, float *y, float *scratch)
{
    snt_dwconv2d_f32_mt(NULL, p, uk, x, w, bias, post_scale, post_shift, residual, y, scratch);
}
