/*
 * test_conv_thin.c - snt_conv2d_thin_f32 on every f32-conv-thin variant
 * this machine can run, against the convolution and its epilogue in
 * double written here from the ONNX Conv definition.
 *
 * Ragged on purpose: channel counts that leave partial blocks of every
 * variant's tile (1, 5, 19), widths off the vector and tile widths,
 * strides 1 to 3, dilation, padding on one side, bands of rows, and
 * every activation kind with bias, affine and residual.  Output and
 * scratch carry guard floats, and the output starts as NaN, so a write
 * out of bounds or a missed output fails.
 */
#define KERNEL_TEST_SEED 4242

#include <stdio.h>

#include "conv_case.h"
#include "kernel_test.h"
#include "variants.h"

#define GUARD 16
#define GUARD_VALUE 12345.0f

#define SNT_F32_CONV_THIN(tile, isa, mr, nr) VARIANT_ENTRY(f32_conv_thin, tile, isa)
static const thin_variant all_variants[] = {
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof all_variants / sizeof all_variants[0] };

/* Epilogue parts besides the activation. */
enum { EP_BIAS = 1, EP_AFFINE = 2, EP_RESIDUAL = 4, EP_ALL = 7 };

/* cc's parameters with activation act, its alpha and beta HardSigmoid's
 * and HardSwish's ONNX defaults, Clip's bounds and LeakyRelu's slope. */
static snt_conv2d_params thin_params(const conv_case *cc, snt_act_kind act)
{
    snt_conv2d_params p = params_of(cc, act);
    p.act.alpha = act == SNT_ACT_CLIP ? -0.5f : act == SNT_ACT_LEAKY_RELU ? 0.1f : 1.0f / 6;
    p.act.beta = 0.5f;
    return p;
}

/* The data of one case. */
typedef struct {
    float *x, *w, *bias, *scale, *shift, *res;
} thin_data;

/* Output i's sum and its rounding bound, from the definition: taps in
 * the padding read zero. */
static double ref_sum(const snt_conv2d_params *p, const thin_data *d, size_t i, double *bound)
{
    size_t ox = i % p->ow, oy = i / p->ow % p->oh, m = i / (p->ow * p->oh) % p->k;
    double mag, s = conv_ref_sum(p, d->x, d->w, i / (p->ow * p->oh * p->k), m, oy, ox, &mag);
    *bound = 1e-5 * mag + 1e-6;
    return s;
}

/* Output i with its epilogue, and the bound: the sum's, through the
 * activation (slope at most about 1.1, with the runtime's fast
 * approximations within 1e-6 relative), plus one rounding a step. */
static double ref_output(const snt_conv2d_params *p, const thin_data *d, size_t i,
                         double *bound)
{
    size_t m = i / (p->ow * p->oh) % p->k;
    double v = ref_sum(p, d, i, bound);
    if (d->bias)
        v += d->bias[m];
    v = ref_act(&p->act, v);
    *bound = *bound * 1.2 + 1e-6 * (1.0 + fabs(v));
    if (d->scale)
        v = v * d->scale[m] + d->shift[m];
    if (d->res)
        v += d->res[i];
    return v;
}

static int guard_intact(const float *p)
{
    for (size_t i = 0; i < GUARD; i++)
        if (p[i] != GUARD_VALUE)
            return 0;
    return 1;
}

static void describe(const thin_variant *v, const conv_case *tc, const snt_conv2d_params *p,
                     unsigned ep)
{
    fprintf(stderr, "  %s: n%zu c%zu %zux%zu k%zu win %zux%zu s%zu,%zu d%zu,%zu "
            "pads t%zu l%zu b%zu r%zu act %d ep %u\n", v->name, tc->n, tc->c, tc->h, tc->w,
            tc->k, tc->kh, tc->kw, tc->sh, tc->sw, tc->dh, tc->dw, tc->pt, tc->pl, tc->pb,
            tc->pr, (int)p->act.kind, ep);
}

/* One case on one variant: weights packed for its tile, every output
 * within its bound, nothing written past y or scratch. */
static void check_case(const thin_variant *v, const conv_case *tc, snt_act_kind act,
                       unsigned ep)
{
    snt_conv2d_params p = thin_params(tc, act);
    size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.k * p.oh * p.ow, i, bad = 0;
    size_t ns = snt_conv2d_thin_scratch_floats(&p, v->uk->mr);
    size_t nw = snt_conv2d_thin_packed_floats(&p, v->uk->mr);
    thin_data d;
    float *packed = malloc(nw * sizeof *packed), *y = malloc((ny + GUARD) * sizeof *y);
    float *scratch = malloc((ns + GUARD) * sizeof *scratch);
    d.x = rand_floats(nx);
    d.w = rand_floats(p.k * p.c * p.kh * p.kw);
    d.bias = ep & EP_BIAS ? rand_floats(p.k) : NULL;
    d.scale = ep & EP_AFFINE ? rand_floats(p.k) : NULL;
    d.shift = ep & EP_AFFINE ? rand_floats(p.k) : NULL;
    d.res = ep & EP_RESIDUAL ? rand_floats(ny) : NULL;
    CU_ASSERT_FATAL(snt_conv2d_thin_applies(&p));
    for (i = 0; i < ny; i++)
        y[i] = NAN;
    for (i = 0; i < GUARD; i++)
        y[ny + i] = scratch[ns + i] = GUARD_VALUE;
    snt_conv2d_thin_pack_weights(&p, v->uk->mr, d.w, packed);
    snt_conv2d_thin_f32(&p, v->uk, d.x, packed, d.bias, d.scale, d.shift, d.res, y, scratch);
    for (i = 0; i < ny; i++) {
        double bound, want = ref_output(&p, &d, i, &bound);
        if (!(fabs(y[i] - want) <= bound) && bad++ == 0) {
            describe(v, tc, &p, ep);
            fprintf(stderr, "    [%zu] got %.9g want %.9g (bound %g)\n", i, y[i], want, bound);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(guard_intact(y + ny));
    CU_ASSERT(guard_intact(scratch + ns));
    free(d.x); free(d.w); free(d.bias); free(d.scale); free(d.shift); free(d.res);
    free(packed); free(y); free(scratch);
}

static void check_all_variants(const conv_case *tc, snt_act_kind act, unsigned ep)
{
    for (int i = 0; i < N_VARIANTS; i++)
        if (isa_runs(strchr(all_variants[i].name, ' ') + 1))
            check_case(&all_variants[i], tc, act, ep);
}

static void test_variant_table(void)
{
    CHECK_VARIANT_TABLE(all_variants, N_VARIANTS);
}

/* Windows, channels in and out, strides, dilations, widths and heights,
 * half padding or one-sided; the activation and the epilogue parts
 * cycle through every kind and combination. */
static void test_sweep(void)
{
    static const size_t windows[][3] = {{1, 3, 3}, {3, 3, 3}, {2, 2, 4}, {1, 5, 5}, {3, 1, 3}};
    static const size_t outs[] = {1, 5, 16, 19}, widths[] = {1, 7, 17, 49, 100};
    static const size_t heights[] = {1, 6, 23};
    unsigned count = 0;
    for (size_t wi = 0; wi < sizeof windows / sizeof windows[0]; wi++)
        for (size_t s = 1; s <= 3; s++)
            for (size_t dil = 1; dil <= 2; dil++)
                for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++)
                    for (size_t x = 0; x < sizeof widths / sizeof widths[0]; x++)
                        for (size_t y = 0; y < sizeof heights / sizeof heights[0]; y++) {
                            conv_case tc = {1 + (count % 2), windows[wi][0], heights[y],
                                            widths[x], outs[o], windows[wi][1],
                                            windows[wi][2], s, s, dil, dil, 0, 0, 0, 0, 1};
                            if (count % 3 != 2) {
                                tc.pt = tc.pb = tc.kh / 2 * dil;
                                tc.pl = tc.pr = tc.kw / 2 * dil;
                            } else {
                                tc.pt = tc.pl = 1;
                            }
                            if (conv_out(tc.h, tc.pt + tc.pb, tc.kh, tc.sh, tc.dh) == 0 ||
                                conv_out(tc.w, tc.pl + tc.pr, tc.kw, tc.sw, tc.dw) == 0)
                                continue;
                            check_all_variants(&tc, (snt_act_kind)(count % 11), count % 8);
                            count++;
                        }
    CU_ASSERT(count > 500);
}

/* What the sweep leaves out: several bands of rows (an image network's
 * stem at full size), strides that differ between the axes, 32 taps,
 * and padding wider than the window. */
static void test_odd_shapes(void)
{
    static const conv_case cases[] = {
        /* n  c   h    w    k  kh kw sh sw dh dw pt pl pb pr groups */
        {1, 3, 224, 224, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},   /* the stem */
        {1, 3, 61, 300, 24, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 1},    /* wide rows, short bands */
        {2, 2, 33, 29, 9, 4, 4, 1, 2, 1, 1, 2, 1, 1, 2, 1},      /* 32 taps, column stride */
        {1, 1, 40, 31, 7, 7, 3, 3, 1, 2, 1, 3, 1, 3, 1, 1},      /* row stride only */
        {1, 2, 12, 10, 5, 3, 3, 1, 1, 1, 1, 6, 7, 5, 8, 1},      /* pads past the window */
        {1, 3, 1, 1, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},        /* 1x1 image */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_all_variants(&cases[i], i % 2 ? SNT_ACT_HARD_SWISH : SNT_ACT_RELU,
                           i % 2 ? EP_ALL : EP_BIAS);
}

/* Which convolutions the family takes: thin inputs with a window. */
static void test_applies(void)
{
    conv_case stem = {1, 3, 224, 224, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    snt_conv2d_params p = thin_params(&stem, SNT_ACT_NONE);
    CU_ASSERT(snt_conv2d_thin_applies(&p));
    p.c = 4;   /* 36 taps */
    CU_ASSERT(!snt_conv2d_thin_applies(&p));
    p.c = 2;
    p.groups = 2;
    CU_ASSERT(!snt_conv2d_thin_applies(&p));
    p.groups = 1;
    p.kh = p.kw = 1;   /* read in place by the f32-gemm path */
    CU_ASSERT(!snt_conv2d_thin_applies(&p));
}

int main(void)
{
    static const kernel_test tests[] = {
        {"variant table", test_variant_table},
        {"sweep", test_sweep},
        {"odd shapes", test_odd_shapes},
        {"applies", test_applies},
    };
    return run_kernel_tests("conv_thin", tests, sizeof tests / sizeof tests[0]);
}
