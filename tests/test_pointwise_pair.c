/*
 * test_pointwise_pair.c - snt_pointwise_pair_f32, two 1x1 convolutions
 * with the intermediate kept in blocks, on every f32-gemm variant this
 * machine runs, against the two convolutions computed here in double.
 *
 * Bound per output: 1e-5 of the magnitude of its sum (sum |w2 * h| with
 * each h's own magnitude carried through the first product), times the
 * affine scale, plus 1e-6: float accumulation over these depths.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_TEST_SEED 4242
#include "kernel_test.h"

#include "sinter_rt.h"
#include "variants.h"

#define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
static const gemm_variant variants[] = {
#include "sinter_variants.def"
};

/* The operands of one case: the layers' weights, epilogues and input. */
typedef struct {
    snt_pointwise_pair_params p;
    float *x, *w1, *b1, *s1, *t1, *w2, *b2, *s2, *t2, *res;
} pair_case;

static pair_case make_case(size_t n, size_t c, size_t hw, size_t m, size_t k, int full)
{
    pair_case pc = {.p = {.n = n, .c = c, .hw = hw, .m = m, .k = k,
                          .act1 = {.kind = SNT_ACT_GELU},
                          .act2 = {.kind = full ? SNT_ACT_RELU : SNT_ACT_NONE}}};
    pc.x = rand_floats(n * c * hw);
    pc.w1 = rand_floats(m * c);
    pc.w2 = rand_floats(k * m);
    pc.b1 = rand_floats(m);
    pc.s1 = rand_floats(m);
    pc.t1 = rand_floats(m);
    pc.b2 = full ? rand_floats(k) : NULL;
    pc.s2 = full ? rand_floats(k) : NULL;
    pc.t2 = full ? rand_floats(k) : NULL;
    pc.res = full ? rand_floats(n * k * hw) : NULL;
    return pc;
}

static void free_case(pair_case *pc)
{
    float *all[] = {pc->x, pc->w1, pc->b1, pc->s1, pc->t1, pc->w2, pc->b2, pc->s2, pc->t2, pc->res};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

/* bias, act, affine of one value in double (bias and scale optional). */
static double epilogue(const snt_act *act, double v, const float *b, const float *s,
                       const float *t, size_t ch)
{
    v = ref_act(act, v + (b ? b[ch] : 0.0));
    return s ? v * s[ch] + t[ch] : v;
}

/* Y and its bound, in double, for image i and pixel q. */
static void reference(const pair_case *pc, size_t i, size_t q, double *y, double *bound)
{
    const snt_pointwise_pair_params *p = &pc->p;
    double *h = malloc(p->m * sizeof *h), *hmag = malloc(p->m * sizeof *hmag);
    for (size_t mi = 0; mi < p->m; mi++) {
        double s = 0.0, mag = fabs(pc->b1[mi]);
        for (size_t ci = 0; ci < p->c; ci++) {
            double t = (double)pc->w1[mi * p->c + ci] * pc->x[(i * p->c + ci) * p->hw + q];
            s += t;
            mag += fabs(t);
        }
        h[mi] = epilogue(&p->act1, s, pc->b1, pc->s1, pc->t1, mi);
        hmag[mi] = mag * (fabs(pc->s1[mi]) + 1.0) + fabs(h[mi]);
    }
    for (size_t ki = 0; ki < p->k; ki++) {
        double s = 0.0, mag = pc->b2 ? fabs(pc->b2[ki]) : 0.0;
        for (size_t mi = 0; mi < p->m; mi++) {
            s += (double)pc->w2[ki * p->m + mi] * h[mi];
            mag += fabs(pc->w2[ki * p->m + mi]) * hmag[mi];
        }
        size_t o = (i * p->k + ki) * p->hw + q;
        y[o] = epilogue(&p->act2, s, pc->b2, pc->s2, pc->t2, ki) + (pc->res ? pc->res[o] : 0.0);
        bound[o] = 1e-5 * mag * (pc->s2 ? fabs(pc->s2[ki]) + 1.0 : 1.0) + 1e-5 * fabs(y[o]) + 1e-6;
    }
    free(h);
    free(hmag);
}

/* An application's parallel-for as a test wants one: the parts in
 * reverse order, in the calling thread. */
static void reverse_parallel_for(void *ctx, snt_task task, void *arg, size_t parts)
{
    (void)ctx;
    while (parts-- > 0)
        task(arg, parts, parts + 1);
}

/* y of the case on uk, split into `threads` parts (1: the serial entry),
 * every output NaN until the kernel writes it. */
static float *run_split(const pair_case *pc, const snt_f32_gemm_ukernel *uk, size_t threads)
{
    const snt_pointwise_pair_params *p = &pc->p;
    size_t ny = p->n * p->k * p->hw;
    size_t slot = (snt_pointwise_pair_scratch_floats(p, uk->mr, uk->nr) + 15) / 16 * 16;
    snt_conv2d_params c1 = {.n = 1, .c = p->c, .h = 1, .w = 1, .k = p->m, .oh = 1, .ow = 1,
                            .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
    snt_conv2d_params c2 = c1;
    snt_parallel par = {reverse_parallel_for, NULL, threads};
    c2.c = p->m;
    c2.k = p->k;
    float *w1 = malloc((snt_conv2d_packed_weights_floats(&c1, uk->mr) + 1) * sizeof *w1);
    float *w2 = malloc((snt_conv2d_packed_weights_floats(&c2, uk->mr) + 1) * sizeof *w2);
    float *scratch = calloc(slot * threads + 1, sizeof *scratch);
    float *y = malloc((ny + 1) * sizeof *y);
    snt_conv2d_pack_weights(&c1, uk->mr, pc->w1, w1);
    snt_conv2d_pack_weights(&c2, uk->mr, pc->w2, w2);
    for (size_t i = 0; i < ny; i++)
        y[i] = NAN;
    if (threads > 1)
        snt_pointwise_pair_f32_mt(&par, p, uk, pc->x, w1, pc->b1, pc->s1, pc->t1, w2, pc->b2,
                                  pc->s2, pc->t2, pc->res, y, scratch);
    else
        snt_pointwise_pair_f32(p, uk, pc->x, w1, pc->b1, pc->s1, pc->t1, w2, pc->b2, pc->s2,
                               pc->t2, pc->res, y, scratch);
    free(w1);
    free(w2);
    free(scratch);
    return y;
}

/* Runs the case on uk; returns the count of outputs out of bounds. */
static int check(const pair_case *pc, const snt_f32_gemm_ukernel *uk)
{
    const snt_pointwise_pair_params *p = &pc->p;
    size_t ny = p->n * p->k * p->hw;
    double *want = malloc((ny + 1) * sizeof *want), *bound = malloc((ny + 1) * sizeof *bound);
    int bad = 0;
    for (size_t i = 0; i < p->n; i++)
        for (size_t q = 0; q < p->hw; q++)
            reference(pc, i, q, want, bound);
    float *y = run_split(pc, uk, 1);
    for (size_t i = 0; i < ny; i++)
        if (!(fabs(y[i] - want[i]) <= bound[i]) && bad++ == 0)
            fprintf(stderr, "\n  pair n%zu c%zu hw%zu m%zu k%zu: y[%zu] = %g, want %g\n", p->n,
                    p->c, p->hw, p->m, p->k, i, y[i], want[i]);
    free(y);
    free(want);
    free(bound);
    return bad;
}

/* n c hw m k: ragged pixel counts around the panel widths, one of
 * everything, depths past one block (c 200, m 150), H in many blocks (m
 * 512), batches. */
static const size_t cases[][5] = {
    {1, 16, 65, 64, 16}, {2, 3, 7, 5, 9}, {1, 1, 1, 1, 1}, {1, 40, 300, 150, 24},
    {1, 200, 50, 8, 3}, {2, 8, 97, 512, 8}, {1, 32, 1024, 128, 32},
};

static void test_pairs(void)
{
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        if (!variant_runs(variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            for (int full = 0; full < 2; full++) {
                const size_t *c = cases[i];
                pair_case pc = make_case(c[0], c[1], c[2], c[3], c[4], full);
                CU_ASSERT_EQUAL(check(&pc, variants[v].uk), 0);
                free_case(&pc);
            }
    }
}

/* Split over 2 to 5 parts, in any order, the serial bits: the parts start
 * inside panels (whole steps of the micro-kernel), pixel counts one past
 * a step (49, 65, 97) keep whole panels, and with m 512 H holds 96
 * pixels, so parts of 1024 pixels run through blocks that start inside
 * panels. */
static void test_split(void)
{
    static const size_t shapes[][2] = {
        {1, 40}, {7, 40}, {33, 40}, {49, 40}, {50, 40}, {65, 40}, {97, 40}, {100, 40},
        {300, 40}, {1024, 512},
    };
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        if (!variant_runs(variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
            pair_case pc = make_case(1, 24, shapes[i][0], shapes[i][1], 16, 1);
            size_t ny = pc.p.k * pc.p.hw;
            float *want = run_split(&pc, variants[v].uk, 1);
            for (size_t threads = 2; threads <= 5; threads++) {
                float *got = run_split(&pc, variants[v].uk, threads);
                CU_ASSERT_EQUAL(memcmp(got, want, ny * sizeof *got), 0);
                free(got);
            }
            free(want);
            free_case(&pc);
        }
    }
}

/* Nothing to compute: no pixels or no output channels, and y untouched. */
static void test_empty(void)
{
    snt_pointwise_pair_params p = {.n = 1, .c = 2, .hw = 0, .m = 3, .k = 4};
    float y = 7.0f;
    CU_ASSERT_EQUAL(snt_pointwise_pair_scratch_floats(&p, 8, 48), 0);
    snt_pointwise_pair_f32(&p, variants[0].uk, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                           NULL, NULL, &y, NULL);
    CU_ASSERT_EQUAL(y, 7.0f);
}

int main(void)
{
    static const kernel_test tests[] = {
        {"two 1x1 convolutions against double", test_pairs},
        {"split over parts: the serial bits", test_split},
        {"nothing to compute", test_empty},
    };
    return run_kernel_tests("pointwise_pair", tests, sizeof tests / sizeof tests[0]);
}
