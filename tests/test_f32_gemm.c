/*
 * test_f32_gemm.c - the f32-gemm micro-kernel family and the kernels
 * built on it (snt_conv2d_gemm_f32, snt_linear_gemm_f32), every variant
 * this machine runs, against references computed here in double.
 *
 * Tolerance of a product: 1e-5 * sum|a_i * b_i| + 1e-6 per output (float
 * accumulation over these depths).  Stores are exact: a micro-kernel
 * must write its mr x nc corner and nothing else.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_TEST_SEED 777
#include "kernel_test.h"

#include "sinter_rt.h"
#include "variants.h"

#define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
static const gemm_variant all_variants[] = {
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof all_variants / sizeof all_variants[0] };

static int within(double got, double want, double bound)
{
    return fabs(got - want) <= bound;
}

/* ------------------------------------------------------------------ */
/* The micro-kernels                                                   */
/* ------------------------------------------------------------------ */

#define SENTINEL 12345.0f

/*
 * One call of v's micro-kernel on an mr x nc corner of depth kc, B rows
 * read through a scrambled offset table (rows of a bigger buffer in
 * reverse order, as a convolution's taps are), C with a margin of
 * sentinels that must survive.  Returns the number of wrong values.
 */
static int check_tile(const snt_f32_gemm_ukernel *uk, size_t mr, size_t nc, size_t kc,
                      int accumulate)
{
    size_t MR = uk->mr, NR = uk->nr, ldc = NR + 3, i, j, p;
    float *a = rand_floats(MR * kc), *b = rand_floats((kc + 2) * NR * 2);
    float *c = malloc((MR + 1) * ldc * sizeof *c);
    ptrdiff_t *rows = malloc(kc * sizeof *rows);
    int bad = 0;
    for (i = mr; i < MR; i++)
        for (p = 0; p < kc; p++)
            a[p * MR + i] = 0.0f;   /* packed panels are zero past mr */
    for (p = 0; p < kc; p++)
        rows[p] = (ptrdiff_t)((kc - 1 - p) * 2 * NR + (p % 3));
    for (i = 0; i < (MR + 1) * ldc; i++)
        c[i] = i < MR * ldc && i % ldc < nc && i / ldc < mr ? 0.5f : SENTINEL;
    uk->run(mr, nc, kc, a, b, rows, c, ldc, accumulate);
    for (i = 0; i < MR + 1; i++) {
        for (j = 0; j < ldc; j++) {
            double want = SENTINEL, bound = 0.0;
            if (i < mr && j < nc) {
                want = accumulate ? 0.5 : 0.0;
                bound = 1e-6;
                for (p = 0; p < kc; p++) {
                    double t = (double)a[p * MR + i] * b[rows[p] + (ptrdiff_t)j];
                    want += t;
                    bound += 1e-5 * fabs(t);
                }
            }
            if (!within(c[i * ldc + j], want, bound) && bad++ == 0)
                fprintf(stderr, "\n  tile mr %zu nc %zu kc %zu acc %d: c[%zu][%zu] = %g, want %g\n",
                        mr, nc, kc, accumulate, i, j, c[i * ldc + j], want);
        }
    }
    free(a);
    free(b);
    free(c);
    free(rows);
    return bad;
}

static void test_ukernels(void)
{
    static const size_t depths[] = {1, 2, 7, 64, 129};
    for (int v = 0; v < N_VARIANTS; v++) {
        const snt_f32_gemm_ukernel *uk = all_variants[v].uk;
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t mr = 1; mr <= uk->mr; mr++) {
            /* One column, and both sides of a third and of two thirds of
             * the tile (a variant may handle narrow corners apart). */
            size_t nr = uk->nr, ncs[] = {1, 2, nr / 3, nr / 3 + 1, 2 * nr / 3, 2 * nr / 3 + 1,
                                         nr - 1, nr};
            for (size_t ni = 0; ni < sizeof ncs / sizeof ncs[0]; ni++)
                for (size_t di = 0; di < sizeof depths / sizeof depths[0]; di++)
                    for (int acc = 0; acc < 2; acc++)
                        CU_ASSERT_EQUAL(check_tile(uk, mr, ncs[ni], depths[di], acc), 0);
        }
    }
}

/* pack_a and pack_b lay out panels as the micro-kernels read them. */
static void test_pack(void)
{
    float a[5 * 3], pa[8 * 3], pb[8 * 5];
    size_t i, p;
    for (i = 0; i < 15; i++)
        a[i] = (float)i + 1.0f;
    /* A is 5 x 3 row-major: panels of 4 rows, the second zero-padded. */
    CU_ASSERT_EQUAL(snt_f32_gemm_packed_a_floats(5, 3, 4), 24);
    snt_f32_gemm_pack_a(5, 3, 4, a, 3, 1, pa);
    for (p = 0; p < 3; p++)
        for (i = 0; i < 8; i++)
            CU_ASSERT_EQUAL(pa[(i / 4) * 12 + p * 4 + i % 4], i < 5 ? a[i * 3 + p] : 0.0f);
    /* The same 15 values as B, 3 x 5: panels of 4 columns. */
    CU_ASSERT_EQUAL(snt_f32_gemm_packed_b_floats(3, 5, 4), 24);
    snt_f32_gemm_pack_b(3, 5, 4, a, 5, 1, pb);
    for (p = 0; p < 3; p++)
        for (i = 0; i < 8; i++)
            CU_ASSERT_EQUAL(pb[(i / 4) * 12 + p * 4 + i % 4], i < 5 ? a[p * 5 + i] : 0.0f);
}

/* ------------------------------------------------------------------ */
/* Convolution on the micro-kernels                                    */
/* ------------------------------------------------------------------ */

typedef struct {
    size_t n, c, h, w, k, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
} conv_case;

static size_t conv_out(size_t in, size_t pads, size_t k, size_t s, size_t d)
{
    size_t ext = (k - 1) * d + 1;
    return in + pads >= ext ? (in + pads - ext) / s + 1 : 0;
}

static snt_conv2d_params params_of(const conv_case *cc, snt_act act)
{
    snt_conv2d_params p = {
        .n = cc->n, .c = cc->c, .h = cc->h, .w = cc->w, .k = cc->k,
        .oh = conv_out(cc->h, cc->pt + cc->pb, cc->kh, cc->sh, cc->dh),
        .ow = conv_out(cc->w, cc->pl + cc->pr, cc->kw, cc->sw, cc->dw),
        .kh = cc->kh, .kw = cc->kw, .sh = cc->sh, .sw = cc->sw, .dh = cc->dh, .dw = cc->dw,
        .pt = cc->pt, .pl = cc->pl, .groups = cc->groups, .act = act,
    };
    return p;
}

/* The convolution in double with the epilogue; bound per output. */
static void ref_conv(const snt_conv2d_params *p, const float *x, const float *w,
                     const float *bias, const float *scale, const float *shift,
                     const float *res, double *want, double *bound)
{
    size_t cg = p->c / p->groups, kg = p->k / p->groups, o = 0;
    for (size_t b = 0; b < p->n; b++)
        for (size_t m = 0; m < p->k; m++)
            for (size_t oy = 0; oy < p->oh; oy++)
                for (size_t ox = 0; ox < p->ow; ox++, o++) {
                    double s = bias ? bias[m] : 0.0, mag = fabs(s);
                    for (size_t ci = 0; ci < cg; ci++)
                        for (size_t ky = 0; ky < p->kh; ky++)
                            for (size_t kx = 0; kx < p->kw; kx++) {
                                ptrdiff_t iy = (ptrdiff_t)(oy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
                                ptrdiff_t ix = (ptrdiff_t)(ox * p->sw + kx * p->dw) - (ptrdiff_t)p->pl;
                                size_t c = m / kg * cg + ci;
                                if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)p->h || ix >= (ptrdiff_t)p->w)
                                    continue;
                                double t = (double)w[((m * cg + ci) * p->kh + ky) * p->kw + kx] *
                                           x[((b * p->c + c) * p->h + (size_t)iy) * p->w + (size_t)ix];
                                s += t;
                                mag += fabs(t);
                            }
                    s = ref_act(&p->act, s);
                    if (scale)
                        s = s * scale[m] + shift[m];
                    if (res)
                        s += res[o];
                    want[o] = s;
                    bound[o] = 1e-5 * mag * (scale ? fabs(scale[m]) + 1 : 1) + 1e-5 * fabs(s) + 1e-6;
                }
}

/* Epilogue choices of a case. */
enum { EP_NONE, EP_BIAS_RELU, EP_AFFINE_RESIDUAL, EP_GELU };

/* The two convolutions on the micro-kernels: direct, and Winograd's
 * F(4x4, 3x3) where it applies. */
typedef enum { DIRECT, WINOGRAD } conv_algo;

/* W packed for algo (malloc'd). */
static float *pack_for(conv_algo algo, const snt_conv2d_params *p, unsigned mr, const float *w)
{
    if (algo == DIRECT) {
        float *wp = malloc((snt_conv2d_packed_weights_floats(p, mr) + 1) * sizeof *wp);
        snt_conv2d_pack_weights(p, mr, w, wp);
        return wp;
    }
    float *u = malloc((snt_conv2d_winograd_weights_floats(p, mr) + 1) * sizeof *u);
    float *work = malloc((36 * p->k * p->c / p->groups + 1) * sizeof *work);
    snt_conv2d_winograd_pack_weights(p, mr, w, u, work);
    free(work);
    return u;
}

static size_t scratch_for(conv_algo algo, const snt_conv2d_params *p,
                          const snt_f32_gemm_ukernel *uk)
{
    return algo == DIRECT ? snt_conv2d_gemm_scratch_floats(p, uk->mr, uk->nr)
                          : snt_conv2d_winograd_scratch_floats(p, uk->mr, uk->nr);
}

static int check_conv(const snt_f32_gemm_ukernel *uk, conv_algo algo, const conv_case *cc, int ep)
{
    snt_act act = {.kind = ep == EP_BIAS_RELU ? SNT_ACT_RELU : ep == EP_GELU ? SNT_ACT_GELU
                                                                             : SNT_ACT_NONE};
    snt_conv2d_params p = params_of(cc, act);
    size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.k * p.oh * p.ow;
    size_t nw = p.k * (p.c / p.groups) * p.kh * p.kw;
    float *x = rand_floats(nx), *w = rand_floats(nw), *bias = rand_floats(p.k);
    float *scale = rand_floats(p.k), *shift = rand_floats(p.k), *res = rand_floats(ny);
    float *wp = pack_for(algo, &p, uk->mr, w);
    float *scratch = malloc((scratch_for(algo, &p, uk) + 1) * sizeof(float));
    float *y = malloc((ny + 1) * sizeof *y);
    double *want = malloc((ny + 1) * sizeof *want), *bound = malloc((ny + 1) * sizeof *bound);
    int affine = ep == EP_AFFINE_RESIDUAL, bad = 0;
    const float *b = ep == EP_NONE ? NULL : bias;
    /* Scratch holds garbage, as an arena does: zeros must be written. */
    for (size_t i = 0; i < scratch_for(algo, &p, uk); i++)
        scratch[i] = NAN;
    ref_conv(&p, x, w, b, affine ? scale : NULL, affine ? shift : NULL, affine ? res : NULL,
             want, bound);
    for (size_t i = 0; i < ny; i++)
        y[i] = NAN;
    if (algo == DIRECT)
        snt_conv2d_gemm_f32(&p, uk, x, wp, b, affine ? scale : NULL, affine ? shift : NULL,
                            affine ? res : NULL, y, scratch);
    else
        snt_conv2d_winograd_f32(&p, uk, x, wp, b, affine ? scale : NULL, affine ? shift : NULL,
                                affine ? res : NULL, y, scratch);
    for (size_t i = 0; i < ny; i++)
        if (!within(y[i], want[i], bound[i]) && bad++ == 0)
            fprintf(stderr, "\n  conv%s c%zu k%zu %zux%zu k%zux%zu s%zu d%zu g%zu ep%d: y[%zu] = %g, want %g\n",
                    algo == WINOGRAD ? " winograd" : "", cc->c, cc->k, cc->h, cc->w, cc->kh,
                    cc->kw, cc->sh, cc->dh, cc->groups, ep, i, y[i], want[i]);
    free(x); free(w); free(bias); free(scale); free(shift); free(res);
    free(wp); free(scratch); free(y); free(want); free(bound);
    return bad;
}

/* n c h w k kh kw sh sw dh dw pt pl pb pr groups */
static const conv_case conv_cases[] = {
    {1, 3, 17, 19, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},     /* ragged everything */
    {2, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      /* batch */
    {1, 16, 12, 12, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},    /* 1x1 read in place */
    {1, 5, 7, 11, 13, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},     /* 1x1, ragged last tile */
    {1, 16, 9, 23, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},     /* 1x1 to one channel: B in place */
    {2, 8, 13, 17, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2},     /* 1x1, few channels per group */
    {1, 20, 40, 33, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},    /* to one channel: chunks, depth blocks */
    {1, 12, 30, 37, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3},    /* one output channel per group */
    {1, 4, 6, 6, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},       /* 1x1 with padding */
    {1, 6, 13, 10, 8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1},     /* 5x5 */
    {1, 4, 15, 15, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},     /* dilation 2 */
    {1, 4, 9, 8, 6, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1},       /* asymmetric padding */
    {1, 6, 16, 16, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},    /* stride 2: phase planes */
    {1, 3, 15, 13, 5, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1},     /* stride 2, 7x7 */
    {1, 5, 11, 11, 4, 3, 1, 3, 2, 1, 1, 1, 0, 1, 0, 1},     /* mixed strides 3x1 */
    {1, 8, 10, 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},    /* groups 2 */
    {1, 8, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4},     /* groups 4, stride 2 */
    {1, 2, 1, 1, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},       /* 1x1 image */
    {1, 2, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},       /* 1x1 image, 3x3 */
    {1, 3, 2, 40, 70, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1},     /* wide 1x3, many channels */
    {1, 40, 6, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      /* depth 360: two blocks */
    {1, 300, 4, 4, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},    /* depth 300, 1x1 */
    {1, 70, 5, 5, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},      /* depth 630, stride 2 */
    {1, 3, 13, 14, 6, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1},     /* stride 2 and dilation 2 */
    {1, 2, 2, 2, 3, 3, 3, 4, 5, 1, 1, 2, 3, 2, 3, 1},       /* strides past the image */
    {1, 3, 31, 29, 16, 7, 7, 2, 2, 1, 1, 3, 3, 2, 3, 1},    /* a 7x7 stem, uneven pads */
    {1, 3, 9, 7, 4, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1},       /* stride 2, no left pad, odd w */
    {1, 2, 5, 3, 3, 5, 5, 2, 2, 1, 1, 4, 4, 4, 4, 1},       /* stride 2, pads wider than w */
    {1, 5, 7, 7, 11, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1},      /* one output pixel of 7x7 */
    {2, 300, 1, 1, 70, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},    /* one pixel, deep: squeeze-excite */
    {1, 8, 3, 3, 12, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 4},      /* one pixel, groups, dilation */
};

static void test_conv(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++)
            for (int ep = EP_NONE; ep <= EP_GELU; ep++)
                CU_ASSERT_EQUAL(check_conv(all_variants[v].uk, DIRECT, &conv_cases[i], ep), 0);
    }
}

/*
 * Winograd's F(4x4, 3x3) against the direct sum in double, on channel
 * counts 1 to 256 and sizes that are not multiples of the tile.  The
 * bound is the direct product's (1e-5 of the sum of |w * x| of each
 * output, plus 1e-5 of the output and 1e-6): the transforms' rounding,
 * a few times the direct sum's, stays well inside it (measured: 4e-6
 * of max|y| on the resnet fixture, against 6e-7 direct).
 *
 * n c h w k kh kw sh sw dh dw pt pl pb pr groups: 3x3, stride 1
 */
static const conv_case winograd_cases[] = {
    {1, 3, 17, 19, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},     /* ragged tiles */
    {2, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      /* batch */
    {1, 4, 9, 8, 6, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1},       /* asymmetric padding */
    {1, 5, 3, 3, 7, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1},       /* one output pixel */
    {1, 2, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},       /* 1x1 image */
    {1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 1},       /* padding wider than the image */
    {1, 16, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* several blocks of tiles */
    {1, 150, 10, 11, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* two depth blocks */
    {1, 7, 5, 70, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},     /* wide row */
    {2, 12, 13, 9, 18, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3},    /* groups 3, batch */
    {1, 64, 9, 10, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* 64 channels */
    {1, 256, 7, 6, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* 256 channels */
};

static void test_winograd(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof winograd_cases / sizeof winograd_cases[0]; i++)
            for (int ep = EP_NONE; ep <= EP_GELU; ep++)
                CU_ASSERT_EQUAL(check_conv(all_variants[v].uk, WINOGRAD, &winograd_cases[i], ep), 0);
    }
}

/* Winograd takes 3x3 convolutions of stride 1 and dilation 1. */
static void test_winograd_applies(void)
{
    snt_act none = {.kind = SNT_ACT_NONE};
    CU_ASSERT_TRUE(snt_conv2d_winograd_applies(&(snt_conv2d_params){
        .c = 4, .k = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1, .act = none}));
    CU_ASSERT_TRUE(snt_conv2d_winograd_applies(&(snt_conv2d_params){
        .c = 4, .k = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 2, .act = none}));
    for (int i = 0; i < 5; i++) {
        snt_conv2d_params p = {.c = 4, .k = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1,
                               .dw = 1, .groups = 1, .act = none};
        size_t *field[] = {&p.kh, &p.kw, &p.sh, &p.sw, &p.dh};
        *field[i] = 2;
        CU_ASSERT_FALSE(snt_conv2d_winograd_applies(&p));
    }
}

/* ------------------------------------------------------------------ */
/* Linear on the micro-kernels                                         */
/* ------------------------------------------------------------------ */

/* Y = act(X W + bias) for an m x k X, W [k][n], against double. */
static int check_linear(const snt_f32_gemm_ukernel *uk, size_t m, size_t n, size_t k,
                        int with_bias, snt_act act)
{
    snt_linear_params p = {.m = m, .n = n, .k = k, .act = act};
    float *x = rand_floats(m * k), *w = rand_floats(k * n), *bias = rand_floats(n);
    float *wp = malloc((snt_f32_gemm_packed_b_floats(k, n, uk->nr) + 1) * sizeof *wp);
    float *scratch = malloc((snt_linear_gemm_scratch_floats(&p, uk->mr, uk->nr) + 1) * sizeof(float));
    float *y = malloc((m * n + 1) * sizeof *y);
    snt_f32_gemm_pack_b(k, n, uk->nr, w, (ptrdiff_t)n, 1, wp);
    snt_linear_gemm_f32(&p, uk, x, wp, with_bias ? bias : NULL, y, scratch);
    int bad = linear_mismatches(&p, x, w, with_bias ? bias : NULL, y, "linear");
    free(x); free(w); free(bias); free(wp); free(scratch); free(y);
    return bad;
}

static void test_linear(void)
{
    /* m n k: ragged, one row, deep (two depth blocks), many rows; one A
     * panel, deep, so in one block: a row, and rows fewer than every mr. */
    static const size_t shapes[][3] = {
        {1, 1, 1}, {5, 7, 3}, {17, 50, 33}, {1, 160, 160}, {64, 20, 300}, {700, 9, 16},
        {1, 1000, 577}, {3, 70, 700},
    };
    snt_act relu = {.kind = SNT_ACT_RELU}, gelu = {.kind = SNT_ACT_GELU};
    for (int v = 0; v < N_VARIANTS; v++) {
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            const size_t *s = shapes[i];
            CU_ASSERT_EQUAL(check_linear(all_variants[v].uk, s[0], s[1], s[2], 0, relu), 0);
            CU_ASSERT_EQUAL(check_linear(all_variants[v].uk, s[0], s[1], s[2], 1, gelu), 0);
        }
    }
}

/* Every variant of the list is in this runtime when its ISA runs here,
 * and the scalar reference always is. */
static void test_variant_list(void)
{
    CHECK_VARIANT_TABLE(all_variants, N_VARIANTS);
}

int main(void)
{
    static const kernel_test tests[] = {
        {"variant list", test_variant_list},
        {"panel packing", test_pack},
        {"micro-kernel tiles", test_ukernels},
        {"conv on micro-kernels", test_conv},
        {"winograd conv on micro-kernels", test_winograd},
        {"where winograd applies", test_winograd_applies},
        {"linear on micro-kernels", test_linear},
    };
    PRINT_VARIANTS(all_variants, N_VARIANTS);
    return run_kernel_tests("f32_gemm", tests, sizeof tests / sizeof tests[0]);
}
