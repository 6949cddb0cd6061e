/*
 * resize.c - ONNX Resize (opsets 11..18 without antialias): nearest,
 * linear and cubic modes, N-D, every coordinate transformation.
 *
 * Interpolation is separable: along each axis an output position maps to
 * a coordinate in the input, which yields up to four taps (input index,
 * weight); an output element is the sum over all tap combinations of
 * the product of the weights times the input there.  Taps that would
 * fall outside the input are clamped to the edge (the reference pads with
 * edge values), or dropped and the rest renormalised under
 * exclude_outside.  The last axis is done a chunk of positions at a
 * time so that its taps are computed once for all rows.  Coordinates are
 * computed in float, as onnxruntime does; align_corners and
 * tf_crop_and_resize use the integer output length.
 *
 * Linear resizes of the last two axes (bilinear on NCHW, the axes before
 * them unchanged) take a faster path with the same taps: each source row
 * is interpolated horizontally once into a row buffer, and output rows
 * blend two such buffers, so the source rows shared by consecutive
 * output rows (two per row when upsampling x2) are not redone.  When a
 * chunk's column taps turn out to be a x2 upsample's with half-pixel
 * centres (weights 1/4 and 3/4), the horizontal pass is a fixed stencil
 * that vectorises without loading taps or permuting by index.
 *
 * Both paths finish each piece of an output row they fill with the
 * epilogue (activation, residual) while it is in L1, so that a fused
 * Resize -> Relu -> Add makes one pass over its output instead of three.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "internal.h"

typedef struct {
    int n;              /* 1..4 taps */
    int outside;        /* tf_crop_and_resize: coordinate outside the input */
    size_t idx[4];
    float w[4];
} axis_taps;

/* The input coordinate that output position o of axis d maps to. */
static float original_coord(const snt_resize_params *p, int d, size_t o)
{
    const float x = (float)o, scale = p->scales[d];
    const float in = (float)p->in_dims[d], out = (float)p->out_dims[d];
    const float start = p->roi_start[d], end = p->roi_end[d];
    switch (p->coord) {
    case SNT_COORD_HALF_PIXEL:
        break;
    case SNT_COORD_PYTORCH_HALF_PIXEL:
        if (p->out_dims[d] <= 1)
            return 0.0f;
        break;
    case SNT_COORD_ALIGN_CORNERS:
        return p->out_dims[d] > 1 ? x * (in - 1.0f) / (out - 1.0f) : 0.0f;
    case SNT_COORD_ASYMMETRIC:
        return x / scale;
    case SNT_COORD_TF_HALF_PIXEL_FOR_NN:
        return (x + 0.5f) / scale;
    case SNT_COORD_TF_CROP_AND_RESIZE:
        if (p->out_dims[d] <= 1)
            return 0.5f * (start + end) * (in - 1.0f);
        return start * (in - 1.0f) + x * (end - start) * (in - 1.0f) / (out - 1.0f);
    }
    return (x + 0.5f) / scale - 0.5f;
}

/* The input index that nearest mode picks for coordinate c, from the two
 * neighbours floor(c) and floor(c) + 1 by the fraction between them. */
static ptrdiff_t nearest_index(snt_nearest_mode mode, float c)
{
    float lo = floorf(c), frac = c - lo;
    int up;
    switch (mode) {
    case SNT_NEAREST_ROUND_PREFER_CEIL: up = frac >= 0.5f; break;
    case SNT_NEAREST_FLOOR:             up = 0; break;
    case SNT_NEAREST_CEIL:              up = frac > 0.0f; break;
    default:                            up = frac > 0.5f; break;
    }
    return (ptrdiff_t)lo + up;
}

/* Cubic convolution weights (Keys, parameter a) of the four neighbours
 * floor-1 .. floor+2 for fraction r. */
static void cubic_weights(float a, float r, float *w)
{
    float s = 1.0f - r;
    w[0] = ((a * (r + 1.0f) - 5.0f * a) * (r + 1.0f) + 8.0f * a) * (r + 1.0f) - 4.0f * a;
    w[1] = ((a + 2.0f) * r - (a + 3.0f)) * r * r + 1.0f;
    w[2] = ((a + 2.0f) * s - (a + 3.0f)) * s * s + 1.0f;
    w[3] = ((a * (s + 1.0f) - 5.0f * a) * (s + 1.0f) + 8.0f * a) * (s + 1.0f) - 4.0f * a;
}

static size_t clamp_index(ptrdiff_t i, size_t n)
{
    if (i < 0)
        return 0;
    return (size_t)i >= n ? n - 1 : (size_t)i;
}

/* Replaces tap positions by input indices: drops (exclude_outside) or
 * clamps the ones outside the input. */
static void settle_taps(const snt_resize_params *p, size_t in, const ptrdiff_t *pos,
                        axis_taps *t)
{
    float total = 0.0f;
    int k, kept = 0;
    for (k = 0; k < t->n; k++) {
        if (p->exclude_outside && (pos[k] < 0 || pos[k] >= (ptrdiff_t)in))
            continue;
        t->idx[kept] = clamp_index(pos[k], in);
        t->w[kept] = t->w[k];
        total += t->w[k];
        kept++;
    }
    t->n = kept;
    if (p->exclude_outside && total != 0.0f)
        for (k = 0; k < kept; k++)
            t->w[k] /= total;
}

static void compute_taps(const snt_resize_params *p, int d, size_t o, axis_taps *t)
{
    const size_t in = p->in_dims[d];
    float c = original_coord(p, d, o), lo, r;
    ptrdiff_t pos[4], base;
    int k;

    t->outside = p->coord == SNT_COORD_TF_CROP_AND_RESIZE &&
                 (c < 0.0f || c > (float)in - 1.0f);
    lo = floorf(c);
    r = c - lo;
    base = (ptrdiff_t)lo;
    if (p->mode == SNT_RESIZE_NEAREST || r == 0.0f) {
        /* An integral coordinate takes that input exactly in every mode. */
        t->n = 1;
        pos[0] = p->mode == SNT_RESIZE_NEAREST ? nearest_index(p->nearest, c) : base;
        t->w[0] = 1.0f;
    } else if (p->mode == SNT_RESIZE_LINEAR) {
        t->n = 2;
        pos[0] = base;
        pos[1] = base + 1;
        t->w[0] = 1.0f - r;
        t->w[1] = r;
    } else {
        t->n = 4;
        for (k = 0; k < 4; k++)
            pos[k] = base - 1 + k;
        cubic_weights(p->cubic_a, r, t->w);
    }
    settle_taps(p, in, pos, t);
}

/* Output positions of the last axis whose taps are computed together and
 * reused for every row (7 KiB of stack). */
#define ROW_CHUNK 128

/* out[j] += weight * (interpolation along the last axis at chunk
 * position j of the input row xrow). */
static void add_row(const axis_taps *rt, size_t cn, float weight, const float *xrow, float *out)
{
    size_t j;
    int k;
    for (j = 0; j < cn; j++) {
        float s = 0.0f;
        for (k = 0; k < rt[j].n; k++)
            s += rt[j].w[k] * xrow[rt[j].idx[k]];
        out[j] += weight * s;
    }
}

/* Visits every combination of taps of the outer axes d .. last-1, and
 * adds each input row it lands on, weighted by the product of the tap
 * weights, into out. */
static void add_outer_taps(const axis_taps *t, const size_t *in_strides, int d, int last,
                           float weight, const float *x, const axis_taps *rt, size_t cn, float *out)
{
    int k;
    if (d == last) {
        add_row(rt, cn, weight, x, out);
        return;
    }
    for (k = 0; k < t[d].n; k++)
        add_outer_taps(t, in_strides, d + 1, last, weight * t[d].w[k],
                       x + t[d].idx[k] * in_strides[d], rt, cn, out);
}

/* Fills out[0..cn) of one output row from the outer axes' taps t and the
 * chunk's last-axis taps rt. */
static void resize_row_chunk(const snt_resize_params *p, const axis_taps *t,
                             const size_t *in_strides, const axis_taps *rt, size_t cn,
                             const float *x, float *out)
{
    const int last = p->rank - 1;
    size_t j;
    int d, outside = 0;
    for (d = 0; d < last; d++)
        outside |= t[d].outside;
    for (j = 0; j < cn; j++)
        out[j] = outside ? p->extrapolation_value : 0.0f;
    if (outside)
        return;
    add_outer_taps(t, in_strides, 0, last, 1.0f, x, rt, cn, out);
    for (j = 0; j < cn; j++)
        if (rt[j].outside)
            out[j] = p->extrapolation_value;
}

/*
 * Runs over the output a chunk of the last axis at a time: the chunk's
 * taps are computed once, then every output row (an odometer over the
 * outer axes, whose taps are recomputed only where it moved) is filled
 * for that chunk.
 */
static void resize_general(const snt_resize_params *p, const float *x, const snt__epilogue *ep,
                           float *y)
{
    axis_taps taps[SNT_MAX_RANK], row_taps[ROW_CHUNK];
    size_t idx[SNT_MAX_RANK], in_strides[SNT_MAX_RANK], c0, j, r;
    const int rank = p->rank, last = rank - 1;
    int d;

    for (d = last; d >= 0; d--)
        in_strides[d] = d == last ? 1 : in_strides[d + 1] * p->in_dims[d + 1];

    for (c0 = 0; c0 < p->out_dims[last]; c0 += ROW_CHUNK) {
        size_t cn = p->out_dims[last] - c0 < ROW_CHUNK ? p->out_dims[last] - c0 : ROW_CHUNK;
        float *row = y + c0;
        int changed = 0;
        for (j = 0; j < cn; j++)
            compute_taps(p, last, c0 + j, &row_taps[j]);
        for (d = 0; d < last; d++)
            idx[d] = 0;
        for (r = 0;; r++) {
            for (d = changed; d < last; d++)
                compute_taps(p, d, idx[d], &taps[d]);
            resize_row_chunk(p, taps, in_strides, row_taps, cn, x, row);
            snt__epilogue_row(ep, r, c0, row, cn);
            row += p->out_dims[last];
            for (d = last - 1; d >= 0; d--) {
                if (++idx[d] < p->out_dims[d])
                    break;
                idx[d] = 0;
            }
            if (d < 0)
                break;
            changed = d;
        }
    }
}

/* ---------------------------------------------------------------- */
/* Linear resize of the last two axes                                 */
/* ---------------------------------------------------------------- */

/* Output columns done at a time, and output rows whose vertical taps are
 * computed at a time: 7.5 KiB of arrays with the two row buffers, a
 * 10 KiB stack frame.  Chunks of 256 write a 256-wide output (UNeXt's)
 * row by row; 128 made the x2 upsample 25% slower. */
#define LIN_COLS 256
#define LIN_ROWS 64

/* An output position's linear taps as a pair; a single tap (an integral
 * coordinate) is i1 = i0 with w1 = 0. */
typedef struct {
    size_t i0, i1;
    float w0, w1;
} tap_pair;

/* The column taps of a chunk, by field so that the horizontal pass loads
 * them as vectors; int32 indices for 16-wide gathers.  `doubling`: they
 * are those of a x2 upsample with half-pixel centres, which
 * interpolate_doubling computes without reading them. */
typedef struct {
    int32_t i0[LIN_COLS], i1[LIN_COLS];
    float w0[LIN_COLS], w1[LIN_COLS];
    size_t c0;          /* the chunk's first output column */
    int doubling;
} column_taps;

/* Two source rows interpolated horizontally, kept while output rows
 * still blend them. */
typedef struct {
    float buf[2][LIN_COLS];
    size_t row[2];      /* the source row in buf[k], SIZE_MAX for none */
} row_cache;

/* Whether axis d maps each output index o to input index o with weight 1,
 * so that the axes before the last two are just a count of planes.  In
 * float, (o + 0.5) / 1 - 0.5 and o / 1 are exact for o < 2^23, and
 * align_corners' o * (n-1) / (n-1) while o * (n-1) < 2^24. */
static int identity_axis(const snt_resize_params *p, int d)
{
    const size_t n = p->in_dims[d];
    if (n != p->out_dims[d])
        return 0;
    if (p->coord == SNT_COORD_ALIGN_CORNERS)
        return n <= 4096;
    return n <= ((size_t)1 << 23) && p->scales[d] == 1.0f;
}

/* Whether resize_linear_2d gives what resize_general does: linear taps
 * (at most two per axis, clamped, never dropped or extrapolated) on the
 * last two axes only. */
static int linear_2d_applies(const snt_resize_params *p)
{
    int d;
    if (p->mode != SNT_RESIZE_LINEAR || p->exclude_outside || p->rank < 2 ||
        p->in_dims[p->rank - 1] > INT32_MAX)
        return 0;
    if (p->coord != SNT_COORD_HALF_PIXEL && p->coord != SNT_COORD_PYTORCH_HALF_PIXEL &&
        p->coord != SNT_COORD_ALIGN_CORNERS && p->coord != SNT_COORD_ASYMMETRIC)
        return 0;
    for (d = 0; d < p->rank - 2; d++)
        if (!identity_axis(p, d))
            return 0;
    return 1;
}

static tap_pair pair_at(const snt_resize_params *p, int d, size_t o)
{
    axis_taps t;
    tap_pair q;
    compute_taps(p, d, o, &t);
    q.i0 = t.idx[0];
    q.w0 = t.w[0];
    q.i1 = t.n > 1 ? t.idx[1] : t.idx[0];
    q.w1 = t.n > 1 ? t.w[1] : 0.0f;
    return q;
}

/*
 * Whether the chunk's taps are exactly those of doubling a row of iw
 * with half-pixel centres (half_pixel or pytorch_half_pixel at scale 2,
 * UNeXt's and most decoders' upsample): output 2k reads k-1 and k with
 * weights 1/4 and 3/4, output 2k+1 reads k and k+1 with 3/4 and 1/4,
 * indices clamped to the row.  Checking the taps themselves, rather
 * than the attributes that produce them, makes the shortcut safe for
 * whatever mode and scale give these taps.
 */
static int doubling_taps(const column_taps *ct, size_t cn, size_t iw)
{
    size_t j;
    if (ct->c0 % 2 != 0 || cn % 2 != 0)
        return 0;
    for (j = 0; j < cn; j++) {
        const size_t o = ct->c0 + j, k = o / 2, odd = o % 2;
        const size_t i0 = odd ? k : (k > 0 ? k - 1 : 0);
        const size_t i1 = odd ? (k + 1 < iw ? k + 1 : iw - 1) : k;
        if ((size_t)ct->i0[j] != i0 || (size_t)ct->i1[j] != i1 ||
            ct->w0[j] != (odd ? 0.75f : 0.25f) || ct->w1[j] != (odd ? 0.25f : 0.75f))
            return 0;
    }
    return 1;
}

static void fill_column_taps(const snt_resize_params *p, size_t c0, size_t cn, column_taps *ct)
{
    size_t j;
    for (j = 0; j < cn; j++) {
        tap_pair q = pair_at(p, p->rank - 1, c0 + j);
        ct->i0[j] = (int32_t)q.i0;
        ct->i1[j] = (int32_t)q.i1;
        ct->w0[j] = q.w0;
        ct->w1[j] = q.w1;
    }
    ct->c0 = c0;
    ct->doubling = doubling_taps(ct, cn, p->in_dims[p->rank - 1]);
}

/*
 * dst[j] = w0*src[i0] + w1*src[i1] for the chunk's columns j0 <= j < j1.
 * A single tap copies its input, as resize_general's sum of one term does
 * (0 * src[i1] would turn an infinity into NaN).  Products are summed
 * second tap first, which -ffp-contract=fast makes the same FMA as
 * resize_general's running sum.  gcc vectorises this with gathers.
 */
static void interpolate_span(const column_taps *restrict ct, size_t j0, size_t j1,
                             const float *restrict src, float *restrict dst)
{
    size_t j;
    for (j = j0; j < j1; j++) {
        float a = src[ct->i0[j]], b = src[ct->i1[j]];
        dst[j] = ct->w1[j] != 0.0f ? ct->w1[j] * b + ct->w0[j] * a : a;
    }
}

#ifdef __AVX512F__
/* The mask of the first min(n, 16) lanes. */
static __mmask16 first_lanes(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

/*
 * interpolate_span for the 16 columns from j when all their taps lie in
 * src[base .. base+32), base = i0[j]: two loads and two in-register
 * permutes instead of two gathers (gathers made the whole x2 upsample 4x
 * slower on Zen 5).  Any upsampling, and downsampling by less than about
 * 2, fits.  Lanes at or past the row's end (iw) are not loaded; no tap
 * reads them.  Returns 0, having done nothing, when the taps do not fit.
 */
static int interpolate_block16(const column_taps *ct, size_t j, const float *src, size_t iw,
                               float *dst)
{
    const size_t base = (size_t)ct->i0[j], avail = iw - base;
    const __m512i b = _mm512_set1_epi32((int32_t)base), span = _mm512_set1_epi32(32);
    const __m512i d0 = _mm512_sub_epi32(_mm512_loadu_si512(ct->i0 + j), b);
    const __m512i d1 = _mm512_sub_epi32(_mm512_loadu_si512(ct->i1 + j), b);
    const __m512 w0 = _mm512_loadu_ps(ct->w0 + j), w1 = _mm512_loadu_ps(ct->w1 + j);
    __m512 lo, hi, x0, x1, sum;
    __mmask16 two_taps;
    /* unsigned compares also reject taps left of base */
    if ((_mm512_cmplt_epu32_mask(d0, span) & _mm512_cmplt_epu32_mask(d1, span)) != 0xffff)
        return 0;
    lo = _mm512_maskz_loadu_ps(first_lanes(avail), src + base);
    hi = avail > 16 ? _mm512_maskz_loadu_ps(first_lanes(avail - 16), src + base + 16)
                    : _mm512_setzero_ps();
    x0 = _mm512_permutex2var_ps(lo, d0, hi);
    x1 = _mm512_permutex2var_ps(lo, d1, hi);
    sum = _mm512_fmadd_ps(w1, x1, _mm512_mul_ps(w0, x0));
    two_taps = _mm512_cmp_ps_mask(w1, _mm512_setzero_ps(), _CMP_NEQ_UQ);
    _mm512_storeu_ps(dst + j, _mm512_mask_blend_ps(two_taps, x0, sum));
    return 1;
}
#endif

/* Outputs 2k and 2k+1 of doubling taps, k clamped at the row's ends;
 * the same expressions as interpolate_span's, so the same FMAs. */
static void doubling_pair(const float *src, size_t iw, size_t k, float *dst)
{
    const float left = src[k > 0 ? k - 1 : 0], right = src[k + 1 < iw ? k + 1 : iw - 1];
    dst[0] = 0.75f * src[k] + 0.25f * left;
    dst[1] = 0.25f * right + 0.75f * src[k];
}

/* interpolate_row for doubling taps (doubling_taps): outputs 2k, 2k+1
 * for k = c0/2 .. c0/2 + pairs - 1.  Away from the row's ends the
 * neighbours need no clamping and the loop vectorises: three loads and
 * two interleaving permutes per two vectors of output, where the
 * general path permutes twice per vector and loads its taps. */
static void interpolate_doubling(size_t c0, size_t pairs, const float *restrict src, size_t iw,
                                 float *restrict dst)
{
    const size_t k0 = c0 / 2, k_end = k0 + pairs;
    size_t lo = k0 > 0 ? k0 : 1, hi = k_end < iw ? k_end : iw - 1, k;
    if (hi < lo)
        hi = lo;
    for (k = k0; k < lo && k < k_end; k++)
        doubling_pair(src, iw, k, dst + 2 * (k - k0));
    for (k = lo; k < hi; k++) {
        dst[2 * (k - k0)] = 0.75f * src[k] + 0.25f * src[k - 1];
        dst[2 * (k - k0) + 1] = 0.25f * src[k + 1] + 0.75f * src[k];
    }
    for (k = hi; k < k_end; k++)
        doubling_pair(src, iw, k, dst + 2 * (k - k0));
}

/* Source row src interpolated at the chunk's cn columns into dst. */
static void interpolate_row(const column_taps *ct, size_t cn, const float *src, size_t iw,
                            float *dst)
{
    size_t j = 0;
    if (ct->doubling) {
        interpolate_doubling(ct->c0, cn / 2, src, iw, dst);
        return;
    }
#ifdef __AVX512F__
    for (; j + 16 <= cn; j += 16)
        if (!interpolate_block16(ct, j, src, iw, dst))
            interpolate_span(ct, j, j + 16, src, dst);
#else
    (void)iw;
#endif
    interpolate_span(ct, j, cn, src, dst);
}

/* The buffer holding source row r of plane interpolated horizontally,
 * interpolating it into the buffer that does not hold row `keep` when
 * not there yet. */
static const float *cached_row(row_cache *c, size_t r, size_t keep, const column_taps *ct,
                               size_t cn, const float *plane, size_t iw)
{
    int k;
    if (c->row[0] == r || c->row[1] == r)
        return c->buf[c->row[0] == r ? 0 : 1];
    k = c->row[0] == keep ? 1 : 0;
    interpolate_row(ct, cn, plane + r * iw, iw, c->buf[k]);
    c->row[k] = r;
    return c->buf[k];
}

/* out[j] = w0*h0[j] + w1*h1[j], or h0 for a single tap; the same FMA as
 * resize_general's, as in interpolate_span. */
static void blend_rows(const tap_pair *t, const float *restrict h0, const float *restrict h1,
                       size_t cn, float *restrict out)
{
    const float w0 = t->w0, w1 = t->w1;
    size_t j;
    if (w1 == 0.0f) {
        memcpy(out, h0, cn * sizeof *out);
        return;
    }
    for (j = 0; j < cn; j++)
        out[j] = w1 * h1[j] + w0 * h0[j];
}

/* Output rows r0 .. r0+rn-1 (taps rt), columns c0 .. c0+cn-1 (taps ct)
 * of one plane, whose first row is row `first` of the output for ep. */
static void resize_plane_block(const snt_resize_params *p, const tap_pair *rt, size_t r0,
                               size_t rn, const column_taps *ct, size_t c0, size_t cn,
                               const float *plane, const snt__epilogue *ep, size_t first,
                               float *out_plane)
{
    const size_t iw = p->in_dims[p->rank - 1], ow = p->out_dims[p->rank - 1];
    row_cache cache;
    size_t k;
    cache.row[0] = cache.row[1] = SIZE_MAX;
    for (k = 0; k < rn; k++) {
        const float *h0 = cached_row(&cache, rt[k].i0, rt[k].i1, ct, cn, plane, iw);
        const float *h1 = cached_row(&cache, rt[k].i1, rt[k].i0, ct, cn, plane, iw);
        float *out = out_plane + (r0 + k) * ow + c0;
        blend_rows(&rt[k], h0, h1, cn, out);
        snt__epilogue_row(ep, first + r0 + k, c0, out, cn);
    }
}

/* Bilinear resize plane by plane; chunks of columns and of rows keep the
 * taps on the stack and are computed once for all planes. */
static void resize_linear_2d(const snt_resize_params *p, const float *x, const snt__epilogue *ep,
                             float *y)
{
    const int rank = p->rank;
    const size_t ih = p->in_dims[rank - 2], iw = p->in_dims[rank - 1];
    const size_t oh = p->out_dims[rank - 2], ow = p->out_dims[rank - 1];
    size_t planes = 1, pl, c0, r0, k;
    column_taps ct;
    tap_pair rt[LIN_ROWS];
    int d;
    for (d = 0; d < rank - 2; d++)
        planes *= p->out_dims[d];
    for (c0 = 0; c0 < ow; c0 += LIN_COLS) {
        const size_t cn = ow - c0 < LIN_COLS ? ow - c0 : LIN_COLS;
        fill_column_taps(p, c0, cn, &ct);
        for (r0 = 0; r0 < oh; r0 += LIN_ROWS) {
            const size_t rn = oh - r0 < LIN_ROWS ? oh - r0 : LIN_ROWS;
            for (k = 0; k < rn; k++)
                rt[k] = pair_at(p, rank - 2, r0 + k);
            for (pl = 0; pl < planes; pl++)
                resize_plane_block(p, rt, r0, rn, &ct, c0, cn, x + pl * ih * iw, ep, pl * oh,
                                   y + pl * oh * ow);
        }
    }
}

void snt_resize_fused_f32(const snt_resize_params *p, const float *x, const float *residual,
                          float *y)
{
    snt__epilogue ep = {0};
    size_t total = 1, j;
    int d;
    for (d = 0; d < p->rank; d++)
        total *= p->out_dims[d];
    if (total == 0)
        return;
    ep.residual = residual;
    ep.act = p->act;
    if (p->rank == 0 || snt__any_zero(p->rank, p->in_dims)) {
        /* A scalar is copied; with an empty input there is nothing to
         * interpolate from (undefined in ONNX).  The output is one row. */
        for (j = 0; j < total; j++)
            y[j] = p->rank == 0 ? x[0] : p->extrapolation_value;
        snt__epilogue_row(&ep, 0, 0, y, total);
        return;
    }
    /* Row r of the epilogue is row r of the output's last axis. */
    ep.res_ld = p->out_dims[p->rank - 1];
    if (linear_2d_applies(p))
        resize_linear_2d(p, x, &ep, y);
    else
        resize_general(p, x, &ep, y);
}

void snt_resize_f32(const snt_resize_params *p, const float *x, float *y)
{
    snt_resize_fused_f32(p, x, NULL, y);
}
