/*
 * test_f32_gemv.c - the f32-gemv micro-kernel family and the Linear
 * built on it (snt_linear_gemv_f32), every variant this machine runs,
 * against references computed here in double.
 *
 * Tolerance of a product: 1e-5 * sum|x_p * b_p| + 1e-6 per output.
 * Stores are exact: a micro-kernel writes its nc columns and nothing
 * else.  Split over threads, the Linear must give the same bits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_TEST_SEED 4242
#include "kernel_test.h"

#include "sinter_rt.h"
#include "variants.h"

#define SNT_F32_GEMV(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemv, tile, isa)
static const gemv_variant all_variants[] = {
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof all_variants / sizeof all_variants[0] };

/* The f32-gemm variants' panel widths, by ISA. */
typedef struct {
    const char *isa;
    unsigned nr;
} gemm_panels;

#define SNT_F32_GEMM(tile, isa, mr, nr) {#isa, nr},
static const gemm_panels gemm_variants[] = {
#include "sinter_variants.def"
};

#define SENTINEL 12345.0f

/* One call on nc columns of a panel of depth k, y with a margin of
 * sentinels that must survive.  Returns the number of wrong values. */
static int check_panel(const snt_f32_gemv_ukernel *uk, size_t nc, size_t k)
{
    size_t NR = uk->nr, j, p;
    float *x = rand_floats(k), *b = rand_floats(k * NR), *y = malloc((NR + 2) * sizeof *y);
    int bad = 0;
    for (j = 0; j < NR + 2; j++)
        y[j] = SENTINEL;
    uk->run(nc, k, x, b, y);
    for (j = 0; j < NR + 2; j++) {
        double want = SENTINEL, bound = 0.0;
        if (j < nc) {
            want = 0.0;
            bound = 1e-6;
            for (p = 0; p < k; p++) {
                want += (double)x[p] * b[p * NR + j];
                bound += 1e-5 * fabs((double)x[p] * b[p * NR + j]);
            }
        }
        if (!(fabs(y[j] - want) <= bound) && bad++ == 0)
            fprintf(stderr, "\n  panel nc %zu k %zu: y[%zu] = %g, want %g\n", nc, k, j, y[j],
                    want);
    }
    free(x);
    free(b);
    free(y);
    return bad;
}

static void test_ukernels(void)
{
    /* no depth, odd and even depths around the two accumulator sets */
    static const size_t depths[] = {0, 1, 2, 3, 7, 64, 577};
    for (int v = 0; v < N_VARIANTS; v++) {
        const snt_f32_gemv_ukernel *uk = all_variants[v].uk;
        size_t nr = uk->nr, ncs[] = {1, 2, nr / 2, nr / 2 + 1, nr - 1, nr};
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t ni = 0; ni < sizeof ncs / sizeof ncs[0]; ni++)
            for (size_t di = 0; di < sizeof depths / sizeof depths[0]; di++)
                CU_ASSERT_EQUAL(check_panel(uk, ncs[ni], depths[di]), 0);
    }
}

/* A parallel-for that runs its parts one after another, last first. */
static void reversed_parts(void *ctx, snt_task task, void *arg, size_t parts)
{
    (void)ctx;
    while (parts-- > 0)
        task(arg, parts, parts + 1);
}

/* Y = act(X W + bias) for an m x k X, W [k][n] packed for uk's panels,
 * against double, and split over 1 to 4 parts with the same bits. */
static int check_linear(const snt_f32_gemv_ukernel *uk, size_t m, size_t n, size_t k,
                        int with_bias, snt_act act)
{
    snt_linear_params p = {.m = m, .n = n, .k = k, .act = act};
    float *x = rand_floats(m * k), *w = rand_floats(k * n), *bias = with_bias ? rand_floats(n) : NULL;
    float *wp = malloc((snt_f32_gemm_packed_b_floats(k, n, uk->nr) + 1) * sizeof *wp);
    float *y = malloc((m * n + 1) * sizeof *y), *y_mt = malloc((m * n + 1) * sizeof *y_mt);
    snt_f32_gemm_pack_b(k, n, uk->nr, w, (ptrdiff_t)n, 1, wp);
    snt_linear_gemv_f32(&p, uk, x, wp, bias, y);
    int bad = linear_mismatches(&p, x, w, bias, y, "linear gemv");
    for (size_t threads = 2; threads <= 4; threads++) {
        snt_parallel par = {reversed_parts, NULL, threads};
        snt_linear_gemv_f32_mt(&par, &p, uk, x, wp, bias, y_mt);
        bad += memcmp(y, y_mt, m * n * sizeof *y) != 0;
    }
    free(x); free(w); free(bias); free(wp); free(y); free(y_mt);
    return bad;
}

static void test_linear(void)
{
    /* m n k: one sample in a ragged last panel, a classifier's shape
     * (1000 = 20 x 48 + 40 columns), no depth, a few rows. */
    static const size_t shapes[][3] = {
        {1, 1, 1}, {1, 7, 3}, {1, 50, 33}, {1, 1000, 576}, {1, 97, 0}, {3, 70, 130},
    };
    snt_act relu = {.kind = SNT_ACT_RELU}, hswish = {.kind = SNT_ACT_HARD_SWISH, 1.0f / 6, 0.5f};
    for (int v = 0; v < N_VARIANTS; v++) {
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            const size_t *s = shapes[i];
            CU_ASSERT_EQUAL(check_linear(all_variants[v].uk, s[0], s[1], s[2], 0, relu), 0);
            CU_ASSERT_EQUAL(check_linear(all_variants[v].uk, s[0], s[1], s[2], 1, hswish), 0);
        }
    }
}

/* Every variant of the list is in this runtime when its ISA runs here,
 * and the scalar reference always is; each reads the panels of the
 * f32-gemm variant of its ISA. */
static void test_variant_list(void)
{
    CHECK_VARIANT_TABLE(all_variants, N_VARIANTS);
    for (int v = 0; v < N_VARIANTS; v++) {
        const char *isa = strchr(all_variants[v].name, ' ') + 1;
        int same_panels = 0;
        for (size_t g = 0; g < sizeof gemm_variants / sizeof gemm_variants[0]; g++)
            same_panels += strcmp(gemm_variants[g].isa, isa) == 0 &&
                           gemm_variants[g].nr == all_variants[v].uk->nr;
        CU_ASSERT_EQUAL(same_panels, 1);
    }
}

int main(void)
{
    static const kernel_test tests[] = {
        {"variant list", test_variant_list},
        {"micro-kernel panels", test_ukernels},
        {"linear on micro-kernels, split by columns", test_linear},
    };
    PRINT_VARIANTS(all_variants, N_VARIANTS);
    return run_kernel_tests("f32_gemv", tests, sizeof tests / sizeof tests[0]);
}
