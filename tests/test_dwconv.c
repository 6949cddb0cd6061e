/*
 * test_dwconv.c - snt_dwconv2d_f32 on every f32-dwconv variant this
 * machine can run, against a naive depthwise convolution in double
 * written here from the ONNX Conv definition.
 *
 * The sizes are ragged on purpose: images narrower than a vector,
 * widths just off multiples of the vector and strip widths, heights
 * that leave partial row groups, kernels larger than the image, even
 * kernel sizes, strides, dilations and padding on one side only.
 * Tolerance per output: 1e-5 * sum |w * x| + 1e-6 (the float
 * accumulation bound for these depths), plus 1e-6 per epilogue step.
 * Scratch and output carry guard floats past their ends, and the
 * output starts as NaN, so a write out of bounds or a missed output
 * fails too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "conv_case.h"
#include "sinter_rt.h"
#include "variants.h"

#define GUARD 16
#define GUARD_VALUE 12345.0f

/* Epilogue parts, any combination; a hard activation (which the
 * kernels apply in registers) replaces ReLU. */
enum { EP_BIAS = 1, EP_RELU = 2, EP_AFFINE = 4, EP_RESIDUAL = 8, EP_ALL = 15,
       EP_HARD_SWISH = 16, EP_HARD_SIGMOID = 32 };

/* ONNX's HardSwish constants, which HardSigmoid takes here too. */
#define HARD_ALPHA (1.0f / 6.0f)
#define HARD_BETA 0.5f

typedef struct {
    size_t n, c, h, w;
    size_t kh, kw, sh, sw, dh, dw;
    size_t pt, pl, pb, pr;
} dw_case;

/* Uniform in [-1, 1), deterministic (a 64-bit LCG). */
static float frand(unsigned long long *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}

static float *rand_floats(size_t n, unsigned long long *state)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = frand(state);
    return p;
}

/* The f32-dwconv variants this runtime holds (those this CPU executes
 * are the ones variant_runs accepts). */
#define SNT_F32_DWCONV(tile, isa, mr, nr) VARIANT_ENTRY(f32_dwconv, tile, isa)
static const dwconv_variant all_variants[] = {
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof all_variants / sizeof all_variants[0] };

/* The activation of the epilogue parts ep. */
static snt_act_kind act_of(unsigned ep)
{
    return ep & EP_HARD_SWISH ? SNT_ACT_HARD_SWISH
         : ep & EP_HARD_SIGMOID ? SNT_ACT_HARD_SIGMOID
         : ep & EP_RELU ? SNT_ACT_RELU : SNT_ACT_NONE;
}

/* The depthwise convolution of dc: c groups of one channel. */
static snt_conv2d_params dw_params(const dw_case *dc, unsigned ep)
{
    const conv_case cc = {dc->n, dc->c, dc->h, dc->w, dc->c, dc->kh, dc->kw, dc->sh, dc->sw,
                          dc->dh, dc->dw, dc->pt, dc->pl, dc->pb, dc->pr, dc->c};
    snt_conv2d_params p = params_of(&cc, act_of(ep));
    p.act.alpha = HARD_ALPHA;
    p.act.beta = HARD_BETA;
    return p;
}

/* The activation of p on v in double, its bound grown by the
 * activation's slope (at most 3/2 for HardSwish, 1/6 for HardSigmoid). */
static double ref_act(const snt_conv2d_params *p, double v, double *bound)
{
    double h = HARD_ALPHA * v + HARD_BETA;
    h = h < 0 ? 0 : h > 1 ? 1 : h;
    switch (p->act.kind) {
    case SNT_ACT_RELU:
        return v < 0 ? 0 : v;
    case SNT_ACT_HARD_SWISH:
        *bound = 1.5 * *bound + 1e-6;
        return v * h;
    case SNT_ACT_HARD_SIGMOID:
        *bound += 1e-6;
        return h;
    default:
        return v;
    }
}

/* The convolution alone, and its error bound, straight from the
 * definition: taps in the padding read zero. */
static void ref_dwconv(const snt_conv2d_params *p, const float *x, const float *w,
                       double *want, double *bound)
{
    size_t b, ch, oy, ox;
    for (b = 0; b < p->n; b++)
        for (ch = 0; ch < p->c; ch++)
            for (oy = 0; oy < p->oh; oy++)
                for (ox = 0; ox < p->ow; ox++) {
                    double mag;
                    *want++ = conv_ref_sum(p, x, w, b, ch, oy, ox, &mag);
                    *bound++ = 1e-5 * mag + 1e-6;
                }
}

/* The epilogue on the reference, in the kernel's order. */
static void ref_epilogue(const snt_conv2d_params *p, const float *bias, const float *scale,
                         const float *shift, const float *res, double *want, double *bound)
{
    size_t ohw = p->oh * p->ow, ny = p->n * p->c * ohw, i;
    for (i = 0; i < ny; i++) {
        size_t ch = i / ohw % p->c;
        if (bias) {
            want[i] += bias[ch];
            bound[i] += 1e-6;
        }
        want[i] = ref_act(p, want[i], &bound[i]);
        if (scale) {
            want[i] = want[i] * scale[ch] + shift[ch];
            bound[i] += 1e-6;
        }
        if (res) {
            want[i] += res[i];
            bound[i] += 1e-6;
        }
    }
}

static void describe(const dwconv_variant *v, const dw_case *dc, unsigned ep)
{
    fprintf(stderr, "  %s: n%zu c%zu %zux%zu k%zux%zu s%zu,%zu d%zu,%zu pads t%zu l%zu b%zu r%zu ep%u\n",
            v->name, dc->n, dc->c, dc->h, dc->w, dc->kh, dc->kw, dc->sh, dc->sw, dc->dh, dc->dw,
            dc->pt, dc->pl, dc->pb, dc->pr, ep);
}

/* Outputs off the reference by more than their bound (NaN included),
 * reporting the first. */
static size_t count_bad(const dwconv_variant *v, const dw_case *dc, unsigned ep, const float *got,
                        const double *want, const double *bound, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        if (!(fabs(got[i] - want[i]) <= bound[i]) && bad++ == 0) {
            describe(v, dc, ep);
            fprintf(stderr, "    [%zu] got %.9g want %.9g (bound %g)\n", i, got[i], want[i],
                    bound[i]);
        }
    }
    return bad;
}

static int guard_intact(const float *p)
{
    size_t i;
    for (i = 0; i < GUARD; i++)
        if (p[i] != GUARD_VALUE)
            return 0;
    return 1;
}

/* One case on one variant with the epilogue parts in ep. */
static void check_case(const dwconv_variant *v, const dw_case *dc, unsigned ep, unsigned long long *rng)
{
    snt_conv2d_params p = dw_params(dc, ep);
    size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.c * p.oh * p.ow, i;
    size_t ns = snt_dwconv2d_scratch_floats(&p, v->uk->mr);
    float *x = rand_floats(nx, rng), *w = rand_floats(p.c * p.kh * p.kw, rng);
    float *bias = ep & EP_BIAS ? rand_floats(p.c, rng) : NULL;
    float *scale = ep & EP_AFFINE ? rand_floats(p.c, rng) : NULL;
    float *shift = ep & EP_AFFINE ? rand_floats(p.c, rng) : NULL;
    float *res = ep & EP_RESIDUAL ? rand_floats(ny, rng) : NULL;
    float *y = malloc((ny + GUARD) * sizeof *y), *scratch = malloc((ns + GUARD) * sizeof *scratch);
    double *want = malloc((ny + 1) * sizeof *want), *bound = malloc((ny + 1) * sizeof *bound);

    for (i = 0; i < ny; i++)
        y[i] = NAN;
    for (i = 0; i < GUARD; i++)
        y[ny + i] = scratch[ns + i] = GUARD_VALUE;
    ref_dwconv(&p, x, w, want, bound);
    ref_epilogue(&p, bias, scale, shift, res, want, bound);
    snt_dwconv2d_f32(&p, v->uk, x, w, bias, scale, shift, res, y, scratch);
    CU_ASSERT_EQUAL(count_bad(v, dc, ep, y, want, bound, ny), 0);
    if (!guard_intact(y + ny) || !guard_intact(scratch + ns)) {
        describe(v, dc, ep);
        fprintf(stderr, "    wrote past the end of %s\n", guard_intact(y + ny) ? "scratch" : "y");
    }
    CU_ASSERT(guard_intact(y + ny));
    CU_ASSERT(guard_intact(scratch + ns));
    free(x); free(w); free(bias); free(scale); free(shift); free(res);
    free(y); free(scratch); free(want); free(bound);
}

static void check_all_variants(const dw_case *dc, unsigned ep, unsigned long long *rng)
{
    size_t i;
    for (i = 0; i < N_VARIANTS; i++)
        if (variant_runs(all_variants[i].name))
            check_case(&all_variants[i], dc, ep, rng);
}

/* Padding modes of the sweep. */
enum { PAD_NONE, PAD_HALF, PAD_ONE_SIDE, PAD_MODES };

static void set_pads(dw_case *dc, int mode)
{
    dc->pt = dc->pb = dc->pl = dc->pr = 0;
    if (mode == PAD_HALF) {
        dc->pt = dc->pb = dc->kh / 2;
        dc->pl = dc->pr = dc->kw / 2;
    } else if (mode == PAD_ONE_SIDE) {
        /* The full window above and right, one or none below and left. */
        dc->pt = (dc->kh - 1) * dc->dh;
        dc->pb = dc->kh > 1;
        dc->pl = dc->kw > 1;
        dc->pr = (dc->kw - 1) * dc->dw;
    }
}

/* No hard activation, HardSwish and HardSigmoid in turn. */
static unsigned hard_of(size_t i)
{
    static const unsigned hard[] = {0, EP_HARD_SWISH, EP_HARD_SIGMOID};
    return hard[i % 3];
}

/* The epilogue parts of the sweep's case i. */
static unsigned sweep_ep(unsigned i)
{
    return i % 16 | hard_of(i / 16);
}

/* Every kernel x stride x dilation x padding x width x height, the
 * epilogue cycling through all 16 combinations, each with no hard
 * activation, HardSwish and HardSigmoid in turn. */
static void test_sweep(void)
{
    static const size_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {7, 7}, {9, 9}, {2, 4}};
    static const size_t widths[] = {1, 3, 17, 31, 33, 100}, heights[] = {1, 5, 19};
    unsigned long long rng = 1;
    unsigned ep = 0;
    size_t k, s, d, wi, hi;
    int pad;
    for (k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (s = 1; s <= 2; s++)
            for (d = 1; d <= 2; d++)
                for (pad = 0; pad < PAD_MODES; pad++)
                    for (wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
                        for (hi = 0; hi < sizeof heights / sizeof heights[0]; hi++) {
                            dw_case dc;
                            dc.n = 2; dc.c = 3; dc.h = heights[hi]; dc.w = widths[wi];
                            dc.kh = kernels[k][0]; dc.kw = kernels[k][1];
                            dc.sh = dc.sw = s;
                            dc.dh = dc.dw = d;
                            set_pads(&dc, pad);
                            if (conv_out(dc.h, dc.pt + dc.pb, dc.kh, dc.sh, dc.dh) == 0 ||
                                conv_out(dc.w, dc.pl + dc.pr, dc.kw, dc.sw, dc.dw) == 0)
                                continue;
                            check_all_variants(&dc, sweep_ep(ep++), &rng);
                        }
}

/* Each epilogue part alone and all together, on shapes with full
 * strips, tails and several row groups. */
static void test_epilogues(void)
{
    static const dw_case cases[] = {
        /* n  c  h   w  kh kw sh sw dh dw pt pl pb pr */
        {2, 4, 21, 45, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 3, 16, 16, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3},
        {2, 2, 17, 35, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},
    };
    static const unsigned eps[] = {0, EP_BIAS, EP_RELU, EP_AFFINE, EP_RESIDUAL, EP_ALL,
                                   EP_HARD_SWISH, EP_HARD_SIGMOID, EP_ALL | EP_HARD_SWISH};
    unsigned long long rng = 2;
    size_t i, e;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (e = 0; e < sizeof eps / sizeof eps[0]; e++)
            check_all_variants(&cases[i], eps[e], &rng);
}

/* What the sweep leaves out: bands of rows (tall or wide inputs), many
 * row groups at stride 2, more tap columns than one kernel call takes,
 * strides and dilations that differ between the axes or exceed 2, and
 * 1x1 images. */
static void test_odd_shapes(void)
{
    static const dw_case cases[] = {
        /* n  c   h    w  kh  kw sh sw dh dw pt pl pb pr */
        {1, 2, 300, 100, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     /* several bands */
        {1, 2, 70, 45, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},       /* s2, several row groups */
        {2, 2, 64, 50, 7, 7, 2, 2, 1, 1, 3, 3, 2, 3},       /* s2 7x7, odd padding */
        {1, 2, 257, 61, 7, 7, 2, 2, 2, 2, 6, 6, 5, 4},      /* bands, s2 d2 */
        {1, 2, 40, 700, 9, 9, 1, 1, 1, 1, 4, 4, 4, 4},      /* wide rows, short bands */
        {1, 1, 30, 2000, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2},     /* a band of one row group */
        {2, 3, 4, 50, 1, 35, 1, 1, 1, 1, 0, 17, 0, 17},     /* two tap chunks */
        {1, 2, 40, 12, 19, 3, 1, 1, 1, 1, 9, 1, 9, 1},      /* taller than unrolled */
        {1, 2, 9, 80, 3, 70, 1, 2, 1, 1, 1, 30, 1, 30},     /* chunks with stride */
        {1, 3, 23, 29, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1},       /* column stride only */
        {1, 3, 23, 29, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1},       /* row stride only */
        {1, 3, 31, 37, 5, 3, 3, 3, 2, 1, 4, 1, 4, 1},       /* lcm(3, 2) row phases */
        {1, 3, 26, 41, 3, 4, 1, 1, 3, 2, 3, 3, 3, 3},       /* dilation 3 x 2 */
        {1, 3, 19, 40, 4, 5, 3, 4, 1, 3, 0, 2, 3, 1},       /* stride 4 columns */
        {2, 5, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},         /* 1x1 image */
        {2, 5, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},         /* 1x1 image, padded */
        {1, 2, 2, 3, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},         /* kernel larger than image */
        {1, 2, 12, 20, 3, 3, 1, 1, 1, 1, 7, 9, 6, 11},      /* pads larger than kernel */
        /* Small images, which variants with a lanes path take 16
         * channels at a time: whole groups, a ragged last group, plane
         * sizes off 16, and each unrolled kernel and stride. */
        {1, 40, 14, 14, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},      /* 14^2, 5x5 */
        {1, 33, 14, 14, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},      /* 14^2 -> 7^2 */
        {2, 16, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},       /* one whole group */
        {1, 20, 13, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},       /* 3x3 s2 */
        {1, 17, 12, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},      /* dilation 2 */
        {1, 18, 10, 19, 4, 2, 1, 3, 1, 1, 0, 1, 3, 0},      /* other kernels */
    };
    unsigned long long rng = 3;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_all_variants(&cases[i], (unsigned)(i % 2 ? EP_ALL : EP_BIAS) | hard_of(i), &rng);
}

int main(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"sweep", test_sweep},
        {"epilogues", test_epilogues},
        {"odd shapes", test_odd_shapes},
    };
    CU_pSuite suite;
    size_t i;
    unsigned failures;

    PRINT_VARIANTS(all_variants, N_VARIANTS);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    suite = CU_add_suite("dwconv", NULL, NULL);
    for (i = 0; suite && i < sizeof tests / sizeof tests[0]; i++)
        CU_add_test(suite, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures != 0;
}
