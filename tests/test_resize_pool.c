/*
 * test_resize_pool.c - the fast paths of linear Resize (resize.c: the
 * last two axes interpolated, the axes before them kept) and of 2-D
 * MaxPool / AveragePool (pool2d.c: whole windows vectorised along the
 * output row) on ragged shapes, against naive double references written
 * here from the ONNX definitions.
 *
 * Resize: an output is the weighted sum of the input samples at the two
 * linear taps of every axis (clamped to the edges; a tap of weight 0, at
 * an integral coordinate, is not read).  The coordinate is computed in
 * float, as the runtime documents and onnxruntime does; the rest in
 * double.  Tolerance 1e-6 * sum |w * x| per output: a few float
 * roundings of that sum.
 * The fused epilogue (snt_resize_fused_f32): exactly the resize, then
 * the activation, then the residual added, each on its own.
 * Pooling: max exact to the bit; average within 1e-6 * sum |x| / count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_TEST_SEED 20240601
#include "kernel_test.h"

#include "sinter_rt.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Counts outputs with |got - want| > rtol * mag (infinities must match
 * exactly, NaN be NaN), reporting the first. */
static size_t count_bad(const char *what, const float *got, const double *want,
                        const double *mag, size_t n, double rtol)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        int ok;
        if (isnan(want[i]))
            ok = isnan(got[i]);
        else if (isinf(want[i]))
            ok = got[i] == want[i];
        else
            ok = fabs(got[i] - want[i]) <= rtol * mag[i];
        if (!ok && bad++ == 0)
            fprintf(stderr, "\n  %s: [%zu] got %.9g want %.9g\n", what, i, got[i], want[i]);
    }
    return bad;
}

/* Counts outputs whose bits differ from (float)want, reporting the first. */
static size_t count_bits_differ(const char *what, const float *got, const double *want, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        float w = (float)want[i];
        if (memcmp(&got[i], &w, sizeof w) != 0 && bad++ == 0)
            fprintf(stderr, "\n  %s: [%zu] got %.9g want %.9g\n", what, i, got[i], w);
    }
    return bad;
}

/* ------------------------------------------------------------------ */
/* Linear resize                                                       */
/* ------------------------------------------------------------------ */

static const snt_coord_mode linear_coords[] = {
    SNT_COORD_HALF_PIXEL, SNT_COORD_PYTORCH_HALF_PIXEL, SNT_COORD_ALIGN_CORNERS,
    SNT_COORD_ASYMMETRIC};
#define N_COORDS (sizeof linear_coords / sizeof linear_coords[0])

/* The input coordinate of output position o on axis d, in float. */
static float ref_coord(const snt_resize_params *p, int d, size_t o)
{
    const float x = (float)o, s = p->scales[d];
    const float in = (float)p->in_dims[d], out = (float)p->out_dims[d];
    switch (p->coord) {
    case SNT_COORD_ALIGN_CORNERS:
        return out > 1 ? x * (in - 1) / (out - 1) : 0.0f;
    case SNT_COORD_ASYMMETRIC:
        return x / s;
    case SNT_COORD_PYTORCH_HALF_PIXEL:
        return out > 1 ? (x + 0.5f) / s - 0.5f : 0.0f;
    default:
        return (x + 0.5f) / s - 0.5f;
    }
}

/* The two taps of an axis: floor(c) and floor(c) + 1, clamped. */
typedef struct {
    size_t i[2];
    double w[2];
} ref_taps;

static ref_taps ref_axis(const snt_resize_params *p, int d, size_t o)
{
    const double c = ref_coord(p, d, o), lo = floor(c);
    const long n = (long)p->in_dims[d];
    ref_taps t;
    int k;
    for (k = 0; k < 2; k++) {
        long i = (long)lo + k;
        t.i[k] = (size_t)(i < 0 ? 0 : (i >= n ? n - 1 : i));
    }
    t.w[1] = c - lo;
    t.w[0] = 1.0 - t.w[1];
    return t;
}

/* want[e] = the interpolation at output e over all 2^rank tap
 * combinations; mag[e] = the sum of their |w * x|. */
static void ref_resize_linear(const snt_resize_params *p, const float *x, double *want,
                              double *mag)
{
    const int rank = p->rank;
    size_t idx[SNT_MAX_RANK] = {0}, total = product(rank, p->out_dims), e;
    for (e = 0; e < total; e++) {
        ref_taps t[SNT_MAX_RANK];
        unsigned combo;
        int d;
        want[e] = mag[e] = 0.0;
        for (d = 0; d < rank; d++)
            t[d] = ref_axis(p, d, idx[d]);
        for (combo = 0; combo < (1u << rank); combo++) {
            double w = 1.0;
            size_t off = 0;
            for (d = 0; d < rank; d++) {
                int k = (int)(combo >> d) & 1;
                w *= t[d].w[k];
                off = off * p->in_dims[d] + t[d].i[k];
            }
            if (w != 0.0) {
                want[e] += w * x[off];
                mag[e] += fabs(w * x[off]);
            }
        }
        for (d = rank - 1; d >= 0 && ++idx[d] == p->out_dims[d]; d--)
            idx[d] = 0;
    }
}

static void setup_linear(snt_resize_params *p, int rank, const size_t *in, const size_t *out,
                         const float *scales, snt_coord_mode coord)
{
    int d;
    memset(p, 0, sizeof *p);
    p->rank = rank;
    p->mode = SNT_RESIZE_LINEAR;
    p->coord = coord;
    p->cubic_a = -0.75f;
    for (d = 0; d < rank; d++) {
        p->in_dims[d] = in[d];
        p->out_dims[d] = out[d];
        p->scales[d] = scales[d];
        p->roi_end[d] = 1.0f;
    }
}

/* Resizes random data (or x when given) with p and counts the outputs
 * off the reference, naming the case on failure. */
static size_t check_linear(const snt_resize_params *p, const float *given, const char *what)
{
    size_t nin = product(p->rank, p->in_dims), nout = product(p->rank, p->out_dims), bad;
    float *x = given ? NULL : rand_floats(nin), *y = malloc(nout * sizeof *y);
    double *want = malloc(nout * sizeof *want), *mag = malloc(nout * sizeof *mag);
    int d;
    ref_resize_linear(p, given ? given : x, want, mag);
    snt_resize_f32(p, given ? given : x, y);
    bad = count_bad(what, y, want, mag, nout, 1e-6);
    if (bad != 0) {
        fprintf(stderr, "  (%s coord %d:", what, (int)p->coord);
        for (d = 0; d < p->rank; d++)
            fprintf(stderr, " %zu->%zu s %g", p->in_dims[d], p->out_dims[d], p->scales[d]);
        fprintf(stderr, ")\n");
    }
    free(x); free(y); free(want); free(mag);
    return bad;
}

/* N = 2, C = 3, heights 1 and 7, widths 1 .. 33, every coordinate mode;
 * x2, non-integer up, down and mixed scales; each scale both as given
 * and as out/in (Resize with `sizes`). */
static void test_resize_ragged(void)
{
    static const size_t widths[] = {1, 2, 3, 17, 33}, heights[] = {1, 7};
    static const float hw_scales[][2] = {
        {2.0f, 2.0f}, {2.5f, 1.7f}, {0.5f, 0.6f}, {3.0f, 0.75f}, {1.0f, 1.0f}};
    size_t wi, hi, si, ci;
    int from_sizes, d;
    for (wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
    for (hi = 0; hi < sizeof heights / sizeof heights[0]; hi++)
    for (si = 0; si < sizeof hw_scales / sizeof hw_scales[0]; si++)
    for (from_sizes = 0; from_sizes <= 1; from_sizes++)
    for (ci = 0; ci < N_COORDS; ci++) {
        size_t in[4] = {2, 3, 0, 0}, out[4] = {2, 3, 0, 0};
        float scales[4] = {1.0f, 1.0f, 0.0f, 0.0f};
        snt_resize_params p;
        in[2] = heights[hi];
        in[3] = widths[wi];
        for (d = 2; d < 4; d++) {
            out[d] = (size_t)floor((double)in[d] * hw_scales[si][d - 2]);
            out[d] = out[d] > 0 ? out[d] : 1;
            scales[d] = from_sizes ? (float)out[d] / (float)in[d] : hw_scales[si][d - 2];
        }
        setup_linear(&p, 4, in, out, scales, linear_coords[ci]);
        CU_ASSERT_EQUAL(check_linear(&p, NULL, "bilinear ragged"), 0);
    }
}

/* Outputs wider than one column chunk (256) and taller than one batch
 * of row taps (64), and downscales whose 16 neighbouring outputs read
 * more than 32 inputs (the AVX-512 path's fallback): about 46 and 86. */
static void test_resize_large(void)
{
    static const struct { size_t in[4], out[4]; float scales[4]; } shapes[] = {
        {{1, 2, 40, 150}, {1, 2, 80, 300}, {1, 1, 2, 2}},
        {{1, 1, 70, 130}, {1, 1, 91, 517}, {1, 1, 1.3f, 3.9769230f}},
        {{2, 1, 9, 200}, {2, 1, 4, 37}, {1, 1, 0.45f, 0.185f}},
        {{1, 2, 7, 100}, {1, 2, 3, 35}, {1, 1, 0.45f, 0.35f}},
        {{1, 2, 11, 11}, {1, 2, 352, 352}, {1, 1, 32, 32}},
    };
    size_t si, ci;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (ci = 0; ci < N_COORDS; ci++) {
            snt_resize_params p;
            setup_linear(&p, 4, shapes[si].in, shapes[si].out, shapes[si].scales,
                         linear_coords[ci]);
            CU_ASSERT_EQUAL(check_linear(&p, NULL, "bilinear large"), 0);
        }
}

/* Rank 2 and 3 (no or one axis before the last two), and rank 4 with an
 * axis before them that is itself interpolated (same length, but scale
 * 1.5 or align_corners over a longer output), which the fast path must
 * leave to the general one. */
static void test_resize_other_ranks(void)
{
    static const struct { int rank; size_t in[4], out[4]; float scales[4]; } shapes[] = {
        {2, {7, 33}, {14, 66}, {2, 2}},
        {2, {7, 17}, {3, 40}, {0.5f, 2.4f}},
        {3, {3, 7, 17}, {3, 17, 34}, {1, 2.5f, 2}},
        {4, {2, 3, 7, 17}, {2, 3, 14, 34}, {1, 1.5f, 2, 2}},
        {4, {2, 3, 7, 17}, {2, 5, 14, 34}, {1, 5.0f / 3.0f, 2, 2}},
    };
    size_t si, ci;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (ci = 0; ci < N_COORDS; ci++) {
            snt_resize_params p;
            setup_linear(&p, shapes[si].rank, shapes[si].in, shapes[si].out, shapes[si].scales,
                         linear_coords[ci]);
            CU_ASSERT_EQUAL(check_linear(&p, NULL, "bilinear ranks"), 0);
        }
}

/* At an integral coordinate (every other output of asymmetric x2) the
 * input is taken as is, so an infinity stays infinite instead of
 * becoming 0 * inf = NaN through the unused tap. */
static void test_resize_integral_taps(void)
{
    static const size_t in[4] = {1, 2, 3, 17}, out[4] = {1, 2, 6, 34};
    static const float scales[4] = {1, 1, 2, 2};
    float *x = rand_floats(2 * 3 * 17);
    snt_resize_params p;
    size_t ci;
    x[17 + 5] = INFINITY;
    x[3 * 17 + 2 * 17 + 16] = -INFINITY;
    for (ci = 0; ci < N_COORDS; ci++) {
        setup_linear(&p, 4, in, out, scales, linear_coords[ci]);
        CU_ASSERT_EQUAL(check_linear(&p, x, "bilinear infinities"), 0);
    }
    free(x);
}

/* snt_resize_fused_f32 of p with act and residual (or none) against
 * snt_resize_f32, snt_act_f32 and the residual added after it, to the
 * bit: returns the number of outputs that differ. */
static size_t check_epilogue(snt_resize_params p, snt_act_kind act, int with_residual)
{
    size_t nin = product(p.rank, p.in_dims), nout = product(p.rank, p.out_dims), i, bad = 0;
    float *x = rand_floats(nin ? nin : 1), *res = with_residual ? rand_floats(nout) : NULL;
    float *got = malloc(nout * sizeof *got), *want = malloc(nout * sizeof *want);
    p.act.kind = act;
    p.act.alpha = 0.125f;
    snt_resize_fused_f32(&p, x, res, got);
    p.act.kind = SNT_ACT_NONE;
    snt_resize_f32(&p, x, want);
    p.act.kind = act;
    snt_act_f32(&p.act, want, want, nout);
    for (i = 0; i < nout; i++) {
        if (res)
            want[i] += res[i];
        bad += memcmp(&got[i], &want[i], sizeof got[i]) != 0;
    }
    free(x); free(res); free(got); free(want);
    return bad;
}

/* The epilogue on both paths (bilinear of the last two axes, chunks of
 * columns and rows included; the general one for cubic and nearest, and
 * for an interpolated outer axis), on a scalar and from an empty input. */
static void test_resize_epilogue(void)
{
    static const struct { int rank; size_t in[4], out[4]; float scales[4]; int mode; } shapes[] = {
        {4, {2, 3, 7, 17}, {2, 3, 14, 34}, {1, 1, 2, 2}, SNT_RESIZE_LINEAR},
        {4, {1, 2, 40, 150}, {1, 2, 80, 300}, {1, 1, 2, 2}, SNT_RESIZE_LINEAR},
        {4, {2, 3, 7, 17}, {2, 5, 14, 34}, {1, 5.0f / 3.0f, 2, 2}, SNT_RESIZE_LINEAR},
        {3, {3, 5, 6}, {3, 10, 13}, {1, 2, 13.0f / 6.0f}, SNT_RESIZE_CUBIC},
        {2, {5, 300}, {9, 450}, {1.8f, 1.5f}, SNT_RESIZE_NEAREST},
        {0, {0}, {0}, {0}, SNT_RESIZE_LINEAR},
        {2, {0, 3}, {2, 6}, {2, 2}, SNT_RESIZE_LINEAR},
    };
    static const snt_act_kind acts[] = {SNT_ACT_NONE, SNT_ACT_RELU, SNT_ACT_LEAKY_RELU,
                                        SNT_ACT_SIGMOID};
    size_t si, ai;
    int with_residual;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        snt_resize_params p;
        setup_linear(&p, shapes[si].rank, shapes[si].in, shapes[si].out, shapes[si].scales,
                     SNT_COORD_HALF_PIXEL);
        p.mode = (snt_resize_mode)shapes[si].mode;
        p.extrapolation_value = -0.5f;
        for (ai = 0; ai < sizeof acts / sizeof acts[0]; ai++)
            for (with_residual = 0; with_residual <= 1; with_residual++)
                CU_ASSERT_EQUAL(check_epilogue(p, acts[ai], with_residual), 0);
    }
}

/* ------------------------------------------------------------------ */
/* Pooling                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
    size_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
    int ceil_mode;
} pool_kernel;

static const pool_kernel pool_kernels[] = {
    /* kh kw sh sw dh dw pt pl pb pr ceil */
    {2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0},   /* UNeXt, CMUNeXt */
    {2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1},
    {3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0},   /* M2SNet's stem */
    {3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
    {2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0},
    {3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1},
    {3, 5, 2, 3, 2, 2, 1, 2, 0, 3, 0},   /* the general fold: dilated, wide */
    {1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 0},
};
#define N_KERNELS (sizeof pool_kernels / sizeof pool_kernels[0])

/* Output length of one axis, or 0 when the window does not fit. */
static size_t pool_out(size_t in, size_t pad_begin, size_t pad_end, size_t k, size_t s, size_t d,
                       int ceil_mode)
{
    size_t span, o;
    if (in + pad_begin + pad_end < d * (k - 1) + 1)
        return 0;
    span = in + pad_begin + pad_end - d * (k - 1) - 1;
    o = span / s + 1;
    /* ceil_mode's partial window, unless it would start in the end
     * padding (PyTorch, ONNX opset 19). */
    if (ceil_mode && span % s != 0 && o * s < in + pad_begin)
        o++;
    return o;
}

/* p for kernel k on an n x c x h x w input; 0 when it does not fit. */
static int setup_pool(snt_pool2d_params *p, const pool_kernel *k, size_t n, size_t c, size_t h,
                      size_t w, int count_include_pad)
{
    memset(p, 0, sizeof *p);
    p->n = n; p->c = c; p->h = h; p->w = w;
    p->kh = k->kh; p->kw = k->kw; p->sh = k->sh; p->sw = k->sw; p->dh = k->dh; p->dw = k->dw;
    p->pt = k->pt; p->pl = k->pl; p->pb = k->pb; p->pr = k->pr;
    p->count_include_pad = count_include_pad;
    p->oh = pool_out(h, k->pt, k->pb, k->kh, k->sh, k->dh, k->ceil_mode);
    p->ow = pool_out(w, k->pl, k->pr, k->kw, k->sw, k->dw, k->ceil_mode);
    return p->oh > 0 && p->ow > 0;
}

/* Max (v > acc: the first of equal values, NaN never) or mean of each
 * window, straight from the definition; mag = sum |x| / count. */
static void ref_pool(const snt_pool2d_params *p, const float *x, int is_max, double *want,
                     double *mag)
{
    size_t pl, oy, ox, ky, kx;
    for (pl = 0; pl < p->n * p->c; pl++)
    for (oy = 0; oy < p->oh; oy++)
    for (ox = 0; ox < p->ow; ox++) {
        double acc = is_max ? -INFINITY : 0.0, abs_sum = 0.0;
        size_t in_img = 0, in_pad = 0, at = (pl * p->oh + oy) * p->ow + ox;
        for (ky = 0; ky < p->kh; ky++)
        for (kx = 0; kx < p->kw; kx++) {
            long iy = (long)(oy * p->sh + ky * p->dh) - (long)p->pt;
            long ix = (long)(ox * p->sw + kx * p->dw) - (long)p->pl;
            if (iy < (long)(p->h + p->pb) && ix < (long)(p->w + p->pr))
                in_pad++;
            if (iy >= 0 && ix >= 0 && iy < (long)p->h && ix < (long)p->w) {
                double v = x[(pl * p->h + (size_t)iy) * p->w + (size_t)ix];
                in_img++;
                acc = is_max ? (v > acc ? v : acc) : acc + v;
                abs_sum += fabs(v);
            }
        }
        if (!is_max) {
            size_t count = p->count_include_pad ? in_pad : in_img;
            acc /= (double)count;
            abs_sum /= (double)count;
        }
        want[at] = acc;
        mag[at] = abs_sum;
    }
}

/* Max pool (bit-exact) and average pool (both count_include_pad) of x
 * against the reference; returns the number of bad outputs. */
static size_t check_pools(snt_pool2d_params *p, const float *x, const char *what)
{
    size_t ny = p->n * p->c * p->oh * p->ow, bad;
    float *y = malloc(ny * sizeof *y);
    double *want = malloc(ny * sizeof *want), *mag = malloc(ny * sizeof *mag);
    ref_pool(p, x, 1, want, mag);
    snt_maxpool2d_f32(p, x, y);
    bad = count_bits_differ(what, y, want, ny);
    for (p->count_include_pad = 0; p->count_include_pad <= 1; p->count_include_pad++) {
        ref_pool(p, x, 0, want, mag);
        snt_avgpool2d_f32(p, x, y);
        bad += count_bad(what, y, want, mag, ny, 1e-6);
    }
    if (bad != 0)
        fprintf(stderr, "  (%s: %zux%zu kernel %zux%zu stride %zux%zu pads %zu %zu %zu %zu)\n",
                what, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->pb, p->pr);
    free(y); free(want); free(mag);
    return bad;
}

/* N = 2, C = 3, heights 1 and 7, widths 1 .. 33, every kernel. */
static void test_pool_ragged(void)
{
    static const size_t widths[] = {1, 2, 3, 17, 33}, heights[] = {1, 7};
    size_t wi, hi, ki;
    for (wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
    for (hi = 0; hi < sizeof heights / sizeof heights[0]; hi++)
    for (ki = 0; ki < N_KERNELS; ki++) {
        snt_pool2d_params p;
        float *x;
        if (!setup_pool(&p, &pool_kernels[ki], 2, 3, heights[hi], widths[wi], 0))
            continue;
        x = rand_floats(2 * 3 * heights[hi] * widths[wi]);
        CU_ASSERT_EQUAL(check_pools(&p, x, "pool ragged"), 0);
        free(x);
    }
}

/* Inputs of +0, -0, -1 and NaN: the max must keep the first of equal
 * zeros and skip NaN as the per-element path does, so the window's taps
 * must be combined in the same order.  NaN sits only at odd rows and
 * columns 1 mod 3, so that no window of these kernels (all span two rows
 * or more) is all NaN. */
static void test_maxpool_zeros_nan(void)
{
    static const float values[] = {0.0f, -0.0f, -1.0f};
    static const size_t kernels[] = {0, 2, 4, 5};
    const size_t h = 7, w = 33, n = 2 * 3 * h * w;
    float *x = malloc(n * sizeof *x);
    size_t i, ki;
    for (i = 0; i < n; i++) {
        size_t row = i / w % h, col = i % w;
        x[i] = row % 2 == 1 && col % 3 == 1 ? NAN : values[(i * 7 + i / 5) % 3];
    }
    for (ki = 0; ki < sizeof kernels / sizeof kernels[0]; ki++) {
        snt_pool2d_params p;
        if (!setup_pool(&p, &pool_kernels[kernels[ki]], 2, 3, h, w, 0)) {
            CU_FAIL("kernel does not fit the input");
            continue;
        }
        CU_ASSERT_EQUAL(check_pools(&p, x, "maxpool zeros"), 0);
    }
    free(x);
}

/* ------------------------------------------------------------------ */

int main(void)
{
    static const kernel_test tests[] = {
        {"bilinear ragged shapes", test_resize_ragged},
        {"bilinear large", test_resize_large},
        {"bilinear other ranks", test_resize_other_ranks},
        {"bilinear integral taps", test_resize_integral_taps},
        {"fused activation and residual", test_resize_epilogue},
        {"pool ragged shapes", test_pool_ragged},
        {"maxpool zeros and NaN", test_maxpool_zeros_nan},
    };
    return run_kernel_tests("resize_pool", tests, sizeof tests / sizeof tests[0]);
}
