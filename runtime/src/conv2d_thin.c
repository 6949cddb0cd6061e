/*
 * conv2d_thin.c - a convolution with few taps per output (an image
 * network's first layer: 3 input channels, 3x3) directly on the
 * f32-conv-thin micro-kernel, with no matrix product.
 *
 * As a matrix product such a layer has a depth of c*kh*kw = 27: too
 * short to pay for packing its pixels into panels, and the gather of
 * strided taps dominates.  Here band by band of output rows, each input
 * channel's rows are copied once, zero padded and split into column
 * phases (phase_rows.c), into scratch; on those rows every tap of an
 * output row is a run of consecutive floats at a fixed offset, so the
 * micro-kernel reads its pixels as plain vectors, with all the taps'
 * offsets in one table.  Output rows are written to Y directly and
 * finished by the epilogue while in L1.
 */
#include "internal.h"

/* The input band in scratch: at most 8 Ki floats (32 KiB, in L1),
 * unless one output row alone needs more. */
#define BAND_FLOATS ((size_t)1 << 13)

/* The widest register tile of output channels of a variant. */
#define MAX_MR 16

typedef struct {
    snt__phase_rows cols;   /* the layout of a padded row */
    size_t band;            /* output rows per band */
    size_t band_rows;       /* padded input rows of a band, per channel */
    size_t plane;           /* floats of a channel's band */
} thin_geom;

static size_t taps_of(const snt_conv2d_params *p)
{
    return p->c * p->kh * p->kw;
}

/* Padded input rows that `rows` consecutive output rows read. */
static size_t band_in_rows(const snt_conv2d_params *p, size_t rows)
{
    return (rows - 1) * p->sh + (p->kh - 1) * p->dh + 1;
}

/* Requires oh, ow >= 1. */
static thin_geom geometry(const snt_conv2d_params *p)
{
    thin_geom g;
    size_t fit;
    g.cols = snt__phase_rows_init(p->w, p->ow, p->kw, p->sw, p->dw, p->pl);
    fit = BAND_FLOATS / (p->c * g.cols.row_floats);
    g.band = fit >= band_in_rows(p, 1) ? (fit - band_in_rows(p, 1)) / p->sh + 1 : 1;
    g.band = snt__min_size(g.band, p->oh);
    g.band_rows = band_in_rows(p, g.band);
    g.plane = g.band_rows * g.cols.row_floats;
    return g;
}

int snt_conv2d_thin_applies(const snt_conv2d_params *p)
{
    /* A 1x1 convolution needs no copies on the f32-gemm path, which
     * reads its image in place. */
    return p->groups == 1 && p->c >= 1 && p->kh * p->kw > 1 &&
           taps_of(p) <= SNT_CONV_THIN_MAX_TAPS;
}

size_t snt_conv2d_thin_scratch_floats(const snt_conv2d_params *p, unsigned mr)
{
    (void)mr;
    if (p->oh == 0 || p->ow == 0 || p->c == 0)
        return 0;
    return p->c * geometry(p).plane;
}

size_t snt_conv2d_thin_packed_floats(const snt_conv2d_params *p, unsigned mr)
{
    return (p->k + mr - 1) / mr * mr * taps_of(p);
}

void snt_conv2d_thin_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w,
                                  float *dst)
{
    size_t taps = taps_of(p), m0, t, r;
    for (m0 = 0; m0 < p->k; m0 += mr)
        for (t = 0; t < taps; t++)
            for (r = 0; r < mr; r++)
                *dst++ = m0 + r < p->k ? w[(m0 + r) * taps + t] : 0.0f;
}

/* Where each tap (ci, ky, kx), in W's order, starts for output row 0 of
 * a band: row ky*dh of channel ci's rows, at padded column kx*dw. */
static void tap_offsets(const snt_conv2d_params *p, const thin_geom *g, size_t *tap_at)
{
    size_t ci, ky, kx;
    for (ci = 0; ci < p->c; ci++)
        for (ky = 0; ky < p->kh; ky++)
            for (kx = 0; kx < p->kw; kx++)
                *tap_at++ = ci * g->plane + ky * p->dh * g->cols.row_floats +
                            snt__phase_col(&g->cols, kx * p->dw);
}

/* Output rows [oy0, oy0 + rows) of every channel from the band's rows,
 * block by block of mr channels, each row of a block finished by the
 * epilogue as soon as the kernel wrote it (while in L1). */
static void conv_band(const snt_conv2d_params *p, const snt_f32_conv_thin_ukernel *uk,
                      const thin_geom *g, snt_f32_conv_thin_args *a, const float *w_packed,
                      const float *bias, const snt__epilogue *ep, const float *rows_in,
                      size_t oy0, size_t rows, float *y)
{
    size_t m0, r, m;
    float b[MAX_MR];
    for (m0 = 0; m0 < p->k; m0 += uk->mr) {
        a->mc = snt__min_size(uk->mr, p->k - m0);
        for (m = 0; m < uk->mr; m++)
            b[m] = bias != NULL && m < a->mc ? bias[m0 + m] : 0.0f;
        a->bias = b;
        a->w = w_packed + m0 * a->taps;
        for (r = 0; r < rows; r++) {
            size_t at = (oy0 + r) * p->ow;
            a->in = rows_in + r * p->sh * g->cols.row_floats;
            a->out = y + m0 * a->out_ld + at;
            uk->run(a);
            for (m = 0; m < a->mc; m++)
                snt__epilogue_row(ep, m0 + m, at, a->out + m * a->out_ld, p->ow);
        }
    }
}

/* One image split over threads by bands of output rows, each part with
 * a scratch slot of its own: an output row is computed the same whatever
 * the split. */
typedef struct {
    const snt_conv2d_params *p;
    const snt_f32_conv_thin_ukernel *uk;
    const thin_geom *g;
    const snt_f32_conv_thin_args *a;
    const float *x, *w_packed, *bias;
    const snt__epilogue *ep;
    float *y, *scratch;
} thin_work;

static void thin_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const thin_work *t = arg;
    const snt_conv2d_params *p = t->p;
    const thin_geom *g = t->g;
    snt_f32_conv_thin_args a = *t->a;
    float *rows_in = snt__slot(t->scratch, slot, snt_conv2d_thin_scratch_floats(p, t->uk->mr));
    size_t oy0, ci;
    /* What the fills never write: the padding columns. */
    memset(rows_in, 0, p->c * g->plane * sizeof *rows_in);
    for (oy0 = begin; oy0 < end; oy0 += g->band) {
        size_t rows = snt__min_size(g->band, end - oy0);
        for (ci = 0; ci < p->c; ci++)
            snt__phase_rows_fill(&g->cols, t->x + ci * p->h * p->w, p->h,
                                 (ptrdiff_t)(oy0 * p->sh) - (ptrdiff_t)p->pt,
                                 band_in_rows(p, rows), g->band_rows, rows_in + ci * g->plane);
        conv_band(p, t->uk, g, &a, t->w_packed, t->bias, t->ep, rows_in, oy0, rows, t->y);
    }
}

void snt_conv2d_thin_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                            const snt_f32_conv_thin_ukernel *uk, const float *x,
                            const float *w_packed, const float *bias, const float *post_scale,
                            const float *post_shift, const float *residual, float *y,
                            float *scratch)
{
    size_t out_plane = p->oh * p->ow, tap_at[SNT_CONV_THIN_MAX_TAPS], b;
    /* No bias here: the kernel starts each output from it. */
    snt__epilogue ep = snt__conv_epilogue(p, NULL, post_scale, post_shift, residual), rest;
    snt_f32_hard_act hard;
    snt_f32_conv_thin_args a;
    thin_geom g;
    thin_work t;
    if (p->n == 0 || p->k == 0 || out_plane == 0 || !snt_conv2d_thin_applies(p) ||
        uk->mr > MAX_MR)
        return;
    g = geometry(p);
    tap_offsets(p, &g, tap_at);
    a.ow = p->ow;
    a.taps = taps_of(p);
    a.tap_at = tap_at;
    a.out_ld = out_plane;
    /* The kernel applies a hard activation, the epilogue the rest. */
    a.act = snt__split_hard_act(&ep, &rest, &hard);
    t = (thin_work){p, uk, &g, &a, x, w_packed, bias, &rest, y, scratch};
    for (b = 0; b < p->n; b++) {
        snt__parallel_ranges(par, p->oh, g.band, thin_part, &t);
        t.x += p->c * p->h * p->w;
        t.y += p->k * out_plane;
        if (rest.residual != NULL)
            rest.residual += p->k * out_plane;
    }
}

void snt_conv2d_thin_f32(const snt_conv2d_params *p, const snt_f32_conv_thin_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias,
                         const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch)
{
    snt_conv2d_thin_f32_mt(NULL, p, uk, x, w_packed, bias, post_scale, post_shift, residual, y,
                           scratch);
}
