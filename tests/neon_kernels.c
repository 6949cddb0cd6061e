/*
 * neon_kernels.c - every NEON micro-kernel variant against the scalar
 * variant of its family, on ragged shapes, without CUnit.
 *
 * test_neon.c cross-compiles this for AArch64 with -DSNT_HAVE_NEON and
 * the cross-built runtime and runs it under qemu.  The CUnit suites of
 * the families (test_f32_gemm.c, test_dwconv.c, test_conv_thin.c)
 * cannot go along: Debian ships no CUnit for cross builds.  So the
 * scalar variant, which those suites check against double references on
 * this machine, is the reference here, computed in the same emulated
 * process.
 *
 *   f32-gemm    single register tiles (every mr x nc corner, several
 *               depths, overwrite and accumulate, B rows read through a
 *               scrambled offset table), then snt_conv2d_gemm_f32 on
 *               convolution shapes that leave partial tiles and blocks.
 *   f32-gemv    single panels (every nc, depths 0 to 577, nothing written
 *               past nc), then snt_linear_gemv_f32 on one sample of a
 *               classifier's shape (576 -> 1000) with bias and activation.
 *   f32-dwconv  snt_dwconv2d_f32 over kernels, strides, dilations,
 *               paddings, widths (partial strips and vectors) and heights
 *               (partial row groups and bands).
 *   f32-conv-thin  snt_conv2d_thin_f32 over thin inputs (1 to 3 channels,
 *               3x3 and 5x5 windows), output channels around the tile,
 *               strides, dilations, widths around the vector and tile.
 * The convolutions cycle through the epilogues (bias, activation,
 * affine, residual) and must not write past y or their scratch.
 *   x32-transpose  snt_transpose_x32 of matrices ragged around the tile
 *               and of rank-3 permutations; elements must match exactly.
 *
 * Values may differ by float rounding only: 1e-5 of the sum of the
 * magnitudes of the terms, plus 1e-6 (summation order and FMA differ
 * between variants).  Prints each failing case with its first wrong
 * value and exits 1; exits 0 when every case agrees.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv_case.h"
#include "sinter_rt.h"
#include "variants.h"

#define SNT_F32_GEMV(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemv, tile, isa)
static const gemv_variant gemv_variants[] = {
#include "sinter_variants.def"
};

#define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
static const gemm_variant gemm_variants[] = {
#include "sinter_variants.def"
};

#define SNT_F32_DWCONV(tile, isa, mr, nr) VARIANT_ENTRY(f32_dwconv, tile, isa)
static const dwconv_variant dwconv_variants[] = {
#include "sinter_variants.def"
};

#define SNT_F32_CONV_THIN(tile, isa, mr, nr) VARIANT_ENTRY(f32_conv_thin, tile, isa)
static const thin_variant thin_variants[] = {
#include "sinter_variants.def"
};

#define SNT_X32_TRANSPOSE(tile, isa, mr, nr) VARIANT_ENTRY(x32_transpose, tile, isa)
static const transpose_variant transpose_variants[] = {
#include "sinter_variants.def"
};

/* Whether a variant name ("8x8 neon") is of `isa`. */
static int is_isa(const char *name, const char *isa)
{
    return strcmp(strchr(name, ' ') + 1, isa) == 0;
}

static unsigned failed_cases;

/* Every failing case is counted; the first few are described. */
static int report_failure(void)
{
    return ++failed_cases <= 30;
}

/* ------------------------------------------------------------------ */
/* Data                                                                */
/* ------------------------------------------------------------------ */

static unsigned long long rng_state = 12345;

/* Uniform in [-1, 1), deterministic. */
static float frand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((rng_state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "neon_kernels: out of memory\n");
        exit(2);
    }
    return p;
}

static float *rand_floats(size_t n)
{
    float *p = xmalloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = frand();
    return p;
}

static float *abs_copy(const float *x, size_t n)
{
    float *p = NULL;
    if (x) {
        p = xmalloc(n * sizeof *p);
        for (size_t i = 0; i < n; i++)
            p[i] = fabsf(x[i]);
    }
    return p;
}

/* Guard floats after each output and scratch buffer: a variant that
 * writes past what it was given changes them. */
#define GUARD 64
#define GUARD_VALUE -7777.0f

static float *guarded(size_t n)
{
    float *p = xmalloc((n + GUARD) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = NAN; /* an output never written shows as NaN */
    for (size_t i = 0; i < GUARD; i++)
        p[n + i] = GUARD_VALUE;
    return p;
}

static int guard_intact(const float *p, size_t n)
{
    for (size_t i = 0; i < GUARD; i++)
        if (p[n + i] != GUARD_VALUE)
            return 0;
    return 1;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------------ */
/* f32-gemv panels and the Linear on them                              */
/* ------------------------------------------------------------------ */

/* y against want (n values) within float rounding of terms whose
 * magnitudes sum to mag[j] (NULL: 1e-4 * |want|); counts a failure. */
static int agrees(const char *what, const float *y, const float *want, const float *mag,
                  size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double bound = 1e-5 * (mag ? mag[j] : 10.0 * fabsf(want[j])) + 1e-6;
        if (!(fabs((double)y[j] - want[j]) <= bound)) {
            if (report_failure())
                fprintf(stderr, "%s: y[%zu] = %g, want %g\n", what, j, y[j], want[j]);
            return 0;
        }
    }
    return 1;
}

/* One panel of depth k on nc columns against its sum in double;
 * nothing past nc may be written. */
static void check_gemv_panel(const gemv_variant *v, size_t nc, size_t k)
{
    size_t nr = v->uk->nr;
    float *x = rand_floats(k), *b = rand_floats(k * nr), *y = guarded(nc);
    float *want = xmalloc(nc * sizeof *want), *mag = xmalloc(nc * sizeof *mag);
    char what[96];
    snprintf(what, sizeof what, "f32-gemv %s nc %zu k %zu", v->name, nc, k);
    for (size_t j = 0; j < nc; j++) {
        double sum = 0.0, abs_sum = 0.0;
        for (size_t p = 0; p < k; p++) {
            sum += (double)x[p] * b[p * nr + j];
            abs_sum += fabs((double)x[p] * b[p * nr + j]);
        }
        want[j] = (float)sum;
        mag[j] = (float)abs_sum;
    }
    v->uk->run(nc, k, x, b, y);
    if (agrees(what, y, want, mag, nc) && !guard_intact(y, nc) && report_failure())
        fprintf(stderr, "%s: wrote past nc\n", what);
    free(x); free(b); free(y); free(want); free(mag);
}

/* The Linear of one sample, 576 -> 1000 with bias and Relu, on v and on
 * the scalar variant (each with W packed for its panels). */
static void check_gemv_linear(const gemv_variant *v, const snt_f32_gemv_ukernel *ref)
{
    snt_linear_params p = {.m = 1, .n = 1000, .k = 576, .act = {.kind = SNT_ACT_RELU}};
    float *x = rand_floats(p.k), *w = rand_floats(p.k * p.n), *bias = rand_floats(p.n);
    float *wv = xmalloc(snt_f32_gemm_packed_b_floats(p.k, p.n, v->uk->nr) * sizeof *wv);
    float *wr = xmalloc(snt_f32_gemm_packed_b_floats(p.k, p.n, ref->nr) * sizeof *wr);
    float *y = guarded(p.n), *want = xmalloc(p.n * sizeof *want);
    snt_f32_gemm_pack_b(p.k, p.n, v->uk->nr, w, (ptrdiff_t)p.n, 1, wv);
    snt_f32_gemm_pack_b(p.k, p.n, ref->nr, w, (ptrdiff_t)p.n, 1, wr);
    snt_linear_gemv_f32(&p, v->uk, x, wv, bias, y);
    snt_linear_gemv_f32(&p, ref, x, wr, bias, want);
    if (agrees("f32-gemv linear 1x1000x576", y, want, NULL, p.n) && !guard_intact(y, p.n) &&
        report_failure())
        fprintf(stderr, "f32-gemv linear 1x1000x576: wrote past y\n");
    free(x); free(w); free(bias); free(wv); free(wr); free(y); free(want);
}

static unsigned test_gemv(const gemv_variant *v, const snt_f32_gemv_ukernel *ref)
{
    static const size_t depths[] = {0, 1, 2, 3, 7, 64, 577};
    unsigned cases = 0;
    for (size_t nc = 1; nc <= v->uk->nr; nc++)
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++, cases++)
            check_gemv_panel(v, nc, depths[d]);
    check_gemv_linear(v, ref);
    return cases + 1;
}

/* ------------------------------------------------------------------ */
/* f32-gemm register tiles                                             */
/* ------------------------------------------------------------------ */

#define SENTINEL 12345.0f

/*
 * C (+)= A * B on an mr x nc corner by micro-kernel ref, in tiles of its
 * own register shape: A (packed for a_mr rows) is repacked into ref's
 * panels, and B's row offsets are shifted to each column block (B needs
 * ref->nr floats of slack past every row for that).
 */
static void tile_in_pieces(const snt_f32_gemm_ukernel *ref, size_t mr, size_t nc, size_t kc,
                           const float *a, size_t a_mr, const float *b, const ptrdiff_t *rows,
                           float *c, size_t ldc, int accumulate)
{
    float *panel = xmalloc(ref->mr * kc * sizeof *panel);
    ptrdiff_t *shifted = xmalloc(kc * sizeof *shifted);
    for (size_t i0 = 0; i0 < mr; i0 += ref->mr) {
        size_t m = min_size(ref->mr, mr - i0);
        for (size_t p = 0; p < kc; p++)
            for (size_t i = 0; i < ref->mr; i++)
                panel[p * ref->mr + i] = i < m ? a[p * a_mr + i0 + i] : 0.0f;
        for (size_t j0 = 0; j0 < nc; j0 += ref->nr) {
            for (size_t p = 0; p < kc; p++)
                shifted[p] = rows[p] + (ptrdiff_t)j0;
            ref->run(m, min_size(ref->nr, nc - j0), kc, panel, b, shifted, c + i0 * ldc + j0,
                     ldc, accumulate);
        }
    }
    free(panel);
    free(shifted);
}

/* One call of v's micro-kernel on an mr x nc corner of depth kc against
 * ref's; C's margin of sentinels must survive.  Returns 1 when they
 * agree. */
static int check_tile(const gemm_variant *v, const snt_f32_gemm_ukernel *ref, size_t mr,
                      size_t nc, size_t kc, int accumulate)
{
    const snt_f32_gemm_ukernel *uk = v->uk;
    size_t MR = uk->mr, NR = uk->nr, ldc = NR + 3, nb = (kc + 1) * 2 * NR + ref->nr + 3;
    float *a = rand_floats(MR * kc), *b = rand_floats(nb);
    float *c = xmalloc((MR + 1) * ldc * sizeof *c), *want = xmalloc((MR + 1) * ldc * sizeof *want);
    ptrdiff_t *rows = xmalloc(kc * sizeof *rows);
    int ok = 1;
    for (size_t i = mr; i < MR; i++)
        for (size_t p = 0; p < kc; p++)
            a[p * MR + i] = 0.0f; /* packed panels are zero past mr */
    /* Rows of a bigger buffer in reverse order, as a convolution's taps. */
    for (size_t p = 0; p < kc; p++)
        rows[p] = (ptrdiff_t)((kc - 1 - p) * 2 * NR + p % 3);
    for (size_t i = 0; i < (MR + 1) * ldc; i++)
        c[i] = want[i] = i / ldc < mr && i % ldc < nc ? 0.5f : SENTINEL;
    uk->run(mr, nc, kc, a, b, rows, c, ldc, accumulate);
    tile_in_pieces(ref, mr, nc, kc, a, MR, b, rows, want, ldc, accumulate);
    for (size_t i = 0; i < MR + 1 && ok; i++)
        for (size_t j = 0; j < ldc && ok; j++) {
            double bound = 0.0;
            if (i < mr && j < nc) {
                bound = 1e-6;
                for (size_t p = 0; p < kc; p++)
                    bound += 1e-5 * fabs((double)a[p * MR + i] * b[rows[p] + (ptrdiff_t)j]);
            }
            if (!(fabs((double)c[i * ldc + j] - want[i * ldc + j]) <= bound)) {
                ok = 0;
                if (report_failure())
                    fprintf(stderr, "f32-gemm %s: tile mr %zu nc %zu kc %zu accumulate %d: "
                                    "c[%zu][%zu] = %.9g, scalar %.9g%s\n",
                            v->name, mr, nc, kc, accumulate, i, j, c[i * ldc + j],
                            want[i * ldc + j], i < mr && j < nc ? "" : " (outside the corner)");
            }
        }
    free(a);
    free(b);
    free(c);
    free(want);
    free(rows);
    return ok;
}

static unsigned test_tiles(const gemm_variant *v, const snt_f32_gemm_ukernel *ref)
{
    static const size_t depths[] = {1, 2, 3, 8, 17, 64, 129};
    unsigned n = 0;
    for (size_t mr = 1; mr <= v->uk->mr; mr++)
        for (size_t nc = 1; nc <= v->uk->nr; nc++)
            for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
                for (int acc = 0; acc < 2; acc++, n++)
                    check_tile(v, ref, mr, nc, depths[d], acc);
    return n;
}

/* ------------------------------------------------------------------ */
/* Convolutions on a variant and on the scalar variant                 */
/* ------------------------------------------------------------------ */

/* Epilogue parts, combined as bits. */
enum { EP_BIAS = 1, EP_AFFINE = 2, EP_RESIDUAL = 4, EP_ALL = 7 };

typedef struct {
    const float *x, *w, *bias, *scale, *shift, *res;
} conv_data;

/* Runs the convolution of family F on micro-kernel uk into y (ny floats
 * and guards); 0 when it wrote past y or its scratch. */
typedef int (*conv_runner)(const void *uk, const snt_conv2d_params *p, const conv_data *d,
                           float *y, size_t ny);

static int run_conv_gemm(const void *ukp, const snt_conv2d_params *p, const conv_data *d,
                         float *y, size_t ny)
{
    const snt_f32_gemm_ukernel *uk = ukp;
    size_t nwp = snt_conv2d_packed_weights_floats(p, uk->mr);
    size_t ns = snt_conv2d_gemm_scratch_floats(p, uk->mr, uk->nr);
    float *wp = xmalloc((nwp + 1) * sizeof *wp), *scratch = guarded(ns);
    snt_conv2d_pack_weights(p, uk->mr, d->w, wp);
    snt_conv2d_gemm_f32(p, uk, d->x, wp, d->bias, d->scale, d->shift, d->res, y, scratch);
    int ok = guard_intact(y, ny) && guard_intact(scratch, ns);
    free(wp);
    free(scratch);
    return ok;
}

static int run_dwconv(const void *ukp, const snt_conv2d_params *p, const conv_data *d, float *y,
                      size_t ny)
{
    const snt_f32_dwconv_ukernel *uk = ukp;
    size_t ns = snt_dwconv2d_scratch_floats(p, uk->mr);
    float *scratch = guarded(ns);
    snt_dwconv2d_f32(p, uk, d->x, d->w, d->bias, d->scale, d->shift, d->res, y, scratch);
    int ok = guard_intact(y, ny) && guard_intact(scratch, ns);
    free(scratch);
    return ok;
}

static int run_conv_thin(const void *ukp, const snt_conv2d_params *p, const conv_data *d,
                         float *y, size_t ny)
{
    const snt_f32_conv_thin_ukernel *uk = ukp;
    size_t nwp = snt_conv2d_thin_packed_floats(p, uk->mr);
    size_t ns = snt_conv2d_thin_scratch_floats(p, uk->mr);
    float *wp = xmalloc((nwp + 1) * sizeof *wp), *scratch = guarded(ns);
    snt_conv2d_thin_pack_weights(p, uk->mr, d->w, wp);
    snt_conv2d_thin_f32(p, uk, d->x, wp, d->bias, d->scale, d->shift, d->res, y, scratch);
    int ok = guard_intact(y, ny) && guard_intact(scratch, ns);
    free(wp);
    free(scratch);
    return ok;
}

static const char *act_name(snt_act_kind k)
{
    return k == SNT_ACT_RELU ? "relu" : k == SNT_ACT_GELU ? "gelu"
         : k == SNT_ACT_HARD_SWISH ? "hardswish" : k == SNT_ACT_HARD_SIGMOID ? "hardsigmoid"
         : "none";
}

/*
 * One convolution on uk and on ref (the scalar variant of the family)
 * with the epilogue parts in ep and activation act.  The bound of each
 * output comes from ref run on |x| and |w| with no epilogue: the sum of
 * the magnitudes of its terms.  Returns 1 when they agree.
 */
static int check_conv(const char *family, const char *name, conv_runner run, const void *uk,
                      const void *ref, const conv_case *cc, unsigned ep, snt_act_kind act)
{
    snt_conv2d_params p = params_of(cc, act), plain = params_of(cc, SNT_ACT_NONE);
    /* ONNX's HardSwish constants (the other activations take none). */
    p.act.alpha = 1.0f / 6.0f;
    p.act.beta = 0.5f;
    size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.k * p.oh * p.ow, ohw = p.oh * p.ow;
    size_t nw = p.k * (p.c / p.groups) * p.kh * p.kw;
    float *x = rand_floats(nx), *w = rand_floats(nw);
    float *bias = ep & EP_BIAS ? rand_floats(p.k) : NULL;
    float *scale = ep & EP_AFFINE ? rand_floats(p.k) : NULL;
    float *shift = ep & EP_AFFINE ? rand_floats(p.k) : NULL;
    float *res = ep & EP_RESIDUAL ? rand_floats(ny) : NULL;
    float *xa = abs_copy(x, nx), *wa = abs_copy(w, nw);
    float *y = guarded(ny), *want = guarded(ny), *mag = guarded(ny);
    conv_data d = {x, w, bias, scale, shift, res}, da = {xa, wa, NULL, NULL, NULL, NULL};
    int in_bounds = run(uk, &p, &d, y, ny);
    int ok = in_bounds && run(ref, &p, &d, want, ny) && run(ref, &plain, &da, mag, ny);
    size_t bad = ny;
    for (size_t i = 0; i < ny && ok; i++) {
        size_t ch = i / ohw % p.k;
        double bound = 1e-5 * (mag[i] * (1.0 + (scale ? fabs(scale[ch]) : 0.0)) + fabs(want[i])) + 1e-6;
        if (!(fabs((double)y[i] - want[i]) <= bound)) {
            ok = 0;
            bad = i;
        }
    }
    if (!ok && report_failure()) {
        fprintf(stderr, "%s %s: n%zu c%zu %zux%zu k%zu kernel %zux%zu stride %zu,%zu dilation %zu,%zu "
                        "pads t%zu l%zu b%zu r%zu groups %zu bias %d act %s affine %d residual %d: ",
                family, name, cc->n, cc->c, cc->h, cc->w, cc->k, cc->kh, cc->kw, cc->sh, cc->sw,
                cc->dh, cc->dw, cc->pt, cc->pl, cc->pb, cc->pr, cc->groups, !!(ep & EP_BIAS),
                act_name(act), !!(ep & EP_AFFINE), !!(ep & EP_RESIDUAL));
        if (!in_bounds)
            fprintf(stderr, "wrote past the end of y or scratch\n");
        else if (bad < ny)
            fprintf(stderr, "y[%zu] = %.9g, scalar %.9g\n", bad, y[bad], want[bad]);
        else
            fprintf(stderr, "the scalar variant wrote out of bounds\n");
    }
    free(x); free(w); free(bias); free(scale); free(shift); free(res);
    free(xa); free(wa); free(y); free(want); free(mag);
    return ok;
}

static const snt_act_kind acts[] = {SNT_ACT_NONE, SNT_ACT_RELU, SNT_ACT_GELU};
/* The direct convolutions (depthwise, thin) apply the hard activations
 * in registers. */
static const snt_act_kind direct_acts[] = {SNT_ACT_NONE, SNT_ACT_RELU, SNT_ACT_HARD_SWISH,
                                       SNT_ACT_HARD_SIGMOID};

/* Convolutions as matrix products: output channels around the tile's
 * rows (k 1, 7, 9, 17), ragged output widths, both the in-place (stride
 * 1) and the packed (stride 2) ways, then what the sweep leaves out. */
static unsigned test_conv_gemm(const gemm_variant *v, const snt_f32_gemm_ukernel *ref)
{
    static const size_t ks[] = {1, 7, 9, 17}, cs[] = {1, 3, 20}, kernels[] = {1, 3};
    static const size_t sizes[][2] = {{5, 7}, {9, 13}};
    /* n c h w k kh kw sh sw dh dw pt pl pb pr groups */
    static const conv_case odd[] = {
        {2, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* batch */
        {1, 6, 13, 10, 8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1},  /* 5x5 */
        {1, 4, 15, 15, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},  /* dilation 2 */
        {1, 4, 9, 8, 6, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1},    /* asymmetric padding */
        {1, 3, 15, 13, 5, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1},  /* stride 2, 7x7 */
        {1, 5, 11, 11, 4, 3, 1, 3, 2, 1, 1, 1, 0, 1, 0, 1},  /* mixed strides 3x1 */
        {1, 8, 10, 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2}, /* groups 2 */
        {1, 8, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4},  /* groups 4, stride 2 */
        {1, 2, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* 1x1 image, 3x3 */
        {1, 3, 2, 40, 70, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1},  /* wide, many channels */
        {1, 40, 6, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* depth 360 */
        {1, 300, 4, 4, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, /* depth 300, 1x1 */
        {1, 70, 5, 5, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},   /* depth 630, packed */
    };
    unsigned n = 0;
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++)
        for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++)
            for (size_t kk = 0; kk < sizeof kernels / sizeof kernels[0]; kk++)
                for (size_t s = 1; s <= 2; s++)
                    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++, n++) {
                        size_t kn = kernels[kk], pad = kn / 2;
                        conv_case cc = {1, cs[c], sizes[z][0], sizes[z][1], ks[k], kn, kn, s, s,
                                        1, 1, pad, pad, pad, pad, 1};
                        check_conv("f32-gemm", v->name, run_conv_gemm, v->uk, ref, &cc, n % 8,
                                   acts[n % 3]);
                    }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++, n++)
        check_conv("f32-gemm", v->name, run_conv_gemm, v->uk, ref, &odd[i], i % 2 ? EP_ALL : EP_BIAS,
                   acts[i % 3]);
    return n;
}

/* Depthwise: every kernel x stride x dilation x width x height with
 * half padding, widths around the strip and vector sizes and heights
 * around the row group; then bands, tap chunks, mixed strides and
 * degenerate images. */
static unsigned test_dwconv(const dwconv_variant *v, const snt_f32_dwconv_ukernel *ref)
{
    static const size_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {7, 7}, {2, 4}};
    static const size_t widths[] = {1, 3, 4, 5, 15, 16, 17, 33, 61}, heights[] = {1, 4, 5, 9};
    /* n c h w k kh kw sh sw dh dw pt pl pb pr groups (k and groups = c) */
    static const conv_case odd[] = {
        {1, 2, 300, 100, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},  /* several bands */
        {1, 2, 257, 61, 2, 7, 7, 2, 2, 2, 2, 6, 6, 5, 4, 2},   /* bands, s2 d2 */
        {1, 2, 40, 700, 2, 9, 9, 1, 1, 1, 1, 4, 4, 4, 4, 2},   /* wide rows */
        {2, 3, 4, 50, 3, 1, 35, 1, 1, 1, 1, 0, 17, 0, 17, 3},  /* two tap chunks */
        {1, 2, 9, 80, 2, 3, 70, 1, 2, 1, 1, 1, 30, 1, 30, 2},  /* chunks with stride */
        {1, 3, 23, 29, 3, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 3},    /* column stride only */
        {1, 3, 23, 29, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 3},    /* row stride only */
        {1, 3, 31, 37, 3, 5, 3, 3, 3, 2, 1, 4, 1, 4, 1, 3},    /* row phases */
        {1, 3, 19, 40, 3, 4, 5, 3, 4, 1, 3, 0, 2, 3, 1, 3},    /* stride 4 columns */
        {2, 5, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5},      /* 1x1 image, padded */
        {1, 2, 2, 3, 2, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 2},      /* kernel larger than image */
        {1, 2, 12, 20, 2, 3, 3, 1, 1, 1, 1, 7, 9, 6, 11, 2},   /* pads larger than kernel */
    };
    unsigned n = 0;
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (size_t s = 1; s <= 2; s++)
            for (size_t d = 1; d <= 2; d++)
                for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
                    for (size_t hi = 0; hi < sizeof heights / sizeof heights[0]; hi++) {
                        size_t kh = kernels[k][0], kw = kernels[k][1];
                        conv_case cc = {2, 3, heights[hi], widths[wi], 3, kh, kw, s, s, d, d,
                                        kh / 2, kw / 2, kh / 2, kw / 2, 3};
                        if (conv_out(cc.h, cc.pt + cc.pb, kh, s, d) == 0 ||
                            conv_out(cc.w, cc.pl + cc.pr, kw, s, d) == 0)
                            continue;
                        check_conv("f32-dwconv", v->name, run_dwconv, v->uk, ref, &cc, n % 8,
                                   direct_acts[n / 8 % 4]);
                        n++;
                    }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++, n++)
        check_conv("f32-dwconv", v->name, run_dwconv, v->uk, ref, &odd[i], i % 2 ? EP_ALL : EP_BIAS,
                   direct_acts[i / 2 % 4]);
    return n;
}

/* Thin inputs directly: channels in x window, output channels around
 * the tile's 8 rows, strides and dilations, widths around the vector
 * (4) and the tile (12) and heights around a band; then the stem. */
static unsigned test_conv_thin(const thin_variant *v, const snt_f32_conv_thin_ukernel *ref)
{
    static const size_t windows[][2] = {{1, 3}, {3, 3}, {1, 5}}, ks[] = {1, 8, 13};
    static const size_t widths[] = {1, 4, 11, 12, 13, 30}, heights[] = {1, 7};
    static const conv_case stem = {1, 3, 64, 64, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    unsigned n = 0;
    for (size_t wi = 0; wi < sizeof windows / sizeof windows[0]; wi++)
        for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++)
            for (size_t s = 1; s <= 2; s++)
                for (size_t d = 1; d <= 2; d++)
                    for (size_t x = 0; x < sizeof widths / sizeof widths[0]; x++)
                        for (size_t y = 0; y < sizeof heights / sizeof heights[0]; y++) {
                            size_t c = windows[wi][0], kn = windows[wi][1], pad = kn / 2 * d;
                            conv_case cc = {1, c, heights[y], widths[x], ks[k], kn, kn, s, s,
                                            d, d, pad, pad, pad, pad, 1};
                            if (conv_out(cc.h, 2 * pad, kn, s, d) == 0 ||
                                conv_out(cc.w, 2 * pad, kn, s, d) == 0)
                                continue;
                            check_conv("f32-conv-thin", v->name, run_conv_thin, v->uk, ref, &cc,
                                       n % 8, direct_acts[n / 8 % 4]);
                            n++;
                        }
    check_conv("f32-conv-thin", v->name, run_conv_thin, v->uk, ref, &stem, EP_ALL,
               SNT_ACT_HARD_SWISH);
    return n + 1;
}

/* ------------------------------------------------------------------ */
/* x32-transpose                                                       */
/* ------------------------------------------------------------------ */

/* The transposition of a [a][b][c] input by perm through v and through
 * the scalar reference: a failure when any element or guard differs. */
static void check_transpose(const transpose_variant *v, const snt_x32_transpose_ukernel *ref,
                            const size_t *in, const int *perm)
{
    const ptrdiff_t in_strides[3] = {(ptrdiff_t)(in[1] * in[2]), (ptrdiff_t)in[2], 1};
    size_t n = in[0] * in[1] * in[2], i;
    uint32_t *src = xmalloc(n * sizeof *src), *got = xmalloc((n + GUARD) * sizeof *got);
    uint32_t *want = xmalloc((n + GUARD) * sizeof *want);
    snt_strided p = {.rank = 3};
    for (int d = 2; d >= 0; d--) {
        p.dims[d] = in[perm[d]];
        p.src_strides[d] = in_strides[perm[d]];
        p.dst_strides[d] = d == 2 ? 1 : p.dst_strides[d + 1] * (ptrdiff_t)p.dims[d + 1];
    }
    for (i = 0; i < n; i++)
        src[i] = (uint32_t)i + 7u;
    for (i = 0; i < n + GUARD; i++)
        got[i] = want[i] = 0xDEADBEEFu;
    snt_transpose_x32(&p, ref, src, want);
    snt_transpose_x32(&p, v->uk, src, got);
    if (memcmp(got, want, (n + GUARD) * sizeof *got) != 0 && report_failure())
        printf("x32-transpose %s: [%zu][%zu][%zu] by (%d %d %d) differs\n", v->name, in[0],
               in[1], in[2], perm[0], perm[1], perm[2]);
    free(src);
    free(got);
    free(want);
}

/* Matrices around the tile (the first axis 1) and every permutation of
 * a ragged rank-3 shape. */
static unsigned test_transpose(const transpose_variant *v, const snt_x32_transpose_ukernel *ref)
{
    static const size_t sides[] = {1, 3, 4, 5, 8, 13, 64, 67};
    static const int swap[] = {0, 2, 1};
    static const int perms[][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const size_t ragged[] = {3, 9, 10};
    unsigned n = 0;
    for (size_t r = 0; r < sizeof sides / sizeof sides[0]; r++)
        for (size_t c = 0; c < sizeof sides / sizeof sides[0]; c++, n++) {
            const size_t in[3] = {1, sides[r], sides[c]};
            check_transpose(v, ref, in, swap);
        }
    for (size_t k = 0; k < sizeof perms / sizeof perms[0]; k++, n++)
        check_transpose(v, ref, ragged, perms[k]);
    return n;
}

int main(void)
{
    const snt_f32_gemm_ukernel *gemm_ref = NULL;
    const snt_f32_gemv_ukernel *gemv_ref = NULL;
    const snt_f32_dwconv_ukernel *dwconv_ref = NULL;
    const snt_f32_conv_thin_ukernel *thin_ref = NULL;
    const snt_x32_transpose_ukernel *transpose_ref = NULL;
    unsigned tested = 0;
    for (size_t i = 0; i < sizeof gemm_variants / sizeof gemm_variants[0]; i++)
        if (is_isa(gemm_variants[i].name, "scalar"))
            gemm_ref = gemm_variants[i].uk;
    for (size_t i = 0; i < sizeof gemv_variants / sizeof gemv_variants[0]; i++)
        if (is_isa(gemv_variants[i].name, "scalar"))
            gemv_ref = gemv_variants[i].uk;
    for (size_t i = 0; i < sizeof dwconv_variants / sizeof dwconv_variants[0]; i++)
        if (is_isa(dwconv_variants[i].name, "scalar"))
            dwconv_ref = dwconv_variants[i].uk;
    for (size_t i = 0; i < sizeof thin_variants / sizeof thin_variants[0]; i++)
        if (is_isa(thin_variants[i].name, "scalar"))
            thin_ref = thin_variants[i].uk;
    for (size_t i = 0; i < sizeof transpose_variants / sizeof transpose_variants[0]; i++)
        if (is_isa(transpose_variants[i].name, "scalar"))
            transpose_ref = transpose_variants[i].uk;
    if (!gemm_ref || !gemv_ref || !dwconv_ref || !thin_ref || !transpose_ref) {
        fprintf(stderr, "neon_kernels: a family has no scalar variant\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof gemm_variants / sizeof gemm_variants[0]; i++) {
        const gemm_variant *v = &gemm_variants[i];
        if (!is_isa(v->name, "neon"))
            continue;
        unsigned before = failed_cases, tiles = test_tiles(v, gemm_ref);
        unsigned convs = test_conv_gemm(v, gemm_ref);
        printf("f32-gemm %s: %u tiles, %u convolutions, %u failed\n", v->name, tiles, convs,
               failed_cases - before);
        tested++;
    }
    for (size_t i = 0; i < sizeof gemv_variants / sizeof gemv_variants[0]; i++) {
        const gemv_variant *v = &gemv_variants[i];
        if (!is_isa(v->name, "neon"))
            continue;
        unsigned before = failed_cases, cases = test_gemv(v, gemv_ref);
        printf("f32-gemv %s: %u panels and linears, %u failed\n", v->name, cases,
               failed_cases - before);
        tested++;
    }
    for (size_t i = 0; i < sizeof dwconv_variants / sizeof dwconv_variants[0]; i++) {
        const dwconv_variant *v = &dwconv_variants[i];
        if (!is_isa(v->name, "neon"))
            continue;
        unsigned before = failed_cases, convs = test_dwconv(v, dwconv_ref);
        printf("f32-dwconv %s: %u convolutions, %u failed\n", v->name, convs,
               failed_cases - before);
        tested++;
    }
    for (size_t i = 0; i < sizeof thin_variants / sizeof thin_variants[0]; i++) {
        const thin_variant *v = &thin_variants[i];
        if (!is_isa(v->name, "neon"))
            continue;
        unsigned before = failed_cases, convs = test_conv_thin(v, thin_ref);
        printf("f32-conv-thin %s: %u convolutions, %u failed\n", v->name, convs,
               failed_cases - before);
        tested++;
    }
    for (size_t i = 0; i < sizeof transpose_variants / sizeof transpose_variants[0]; i++) {
        const transpose_variant *v = &transpose_variants[i];
        if (!is_isa(v->name, "neon"))
            continue;
        unsigned before = failed_cases, copies = test_transpose(v, transpose_ref);
        printf("x32-transpose %s: %u copies, %u failed\n", v->name, copies,
               failed_cases - before);
        tested++;
    }
    if (tested == 0) {
        /* Built without -DSNT_HAVE_NEON, the lists hold no NEON variant. */
        fprintf(stderr, "neon_kernels: no NEON variant to test\n");
        return 2;
    }
    return failed_cases ? 1 : 0;
}
