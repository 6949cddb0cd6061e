/*
 * kernel_test.h - what the runtime kernel tests share: deterministic
 * random data, the activations' reference values, and the CUnit main of
 * a program that is one suite.
 *
 * The data come from one 64-bit LCG per program, seeded by the program
 * (KERNEL_TEST_SEED before including this file), so each program's
 * values are fixed and a failure reproduces.
 */
#ifndef SINTER_TEST_KERNEL_TEST_H
#define SINTER_TEST_KERNEL_TEST_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include <math.h>
#include <stdlib.h>

#include "sinter_rt.h"

#ifndef KERNEL_TEST_SEED
#define KERNEL_TEST_SEED 12345
#endif

static unsigned long long rng_state = KERNEL_TEST_SEED;

/* Uniform in [-1, 1), deterministic. */
static inline float frand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((rng_state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}

/* n such values (at least one element allocated); the caller frees. */
static inline float *rand_floats(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = frand();
    return p;
}

/* Elements of a tensor of `rank` dims. */
static inline size_t product(int rank, const size_t *dims)
{
    size_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    return n;
}

static inline double ref_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* From the definitions, in double.  0.5 (1 + tanh(u)) is written as
 * 1 / (1 + e^-2u), the same function, which double evaluates without
 * the cancellation of 1 + tanh(u) -> 0. */
static inline double ref_act(const snt_act *a, double v)
{
    double t;
    switch (a->kind) {
    case SNT_ACT_NONE:       return v;
    case SNT_ACT_RELU:       return v > 0 ? v : 0;
    case SNT_ACT_LEAKY_RELU: return v < 0 ? a->alpha * v : v;
    case SNT_ACT_CLIP:       t = v < a->alpha ? a->alpha : v; return t > a->beta ? a->beta : t;
    case SNT_ACT_SIGMOID:    return ref_sigmoid(v);
    case SNT_ACT_TANH:       return tanh(v);
    case SNT_ACT_GELU:       return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
    case SNT_ACT_GELU_TANH:
        return v * ref_sigmoid(2.0 * sqrt(2.0 / 3.14159265358979323846) * (v + 0.044715 * v * v * v));
    case SNT_ACT_HARD_SIGMOID:
        t = a->alpha * v + a->beta;
        return t < 0 ? 0 : t > 1 ? 1 : t;
    case SNT_ACT_HARD_SWISH:
        t = a->alpha * v + a->beta;
        return v * (t < 0 ? 0 : t > 1 ? 1 : t);
    case SNT_ACT_SILU:       return v * ref_sigmoid(v);
    }
    return NAN;
}

/* Values of y = act(x w + bias) (x [m][k], w [k][n], bias NULL or [n])
 * off the double reference by more than float accumulation allows;
 * prints the first one, labelled. */
static inline int linear_mismatches(const snt_linear_params *p, const float *x, const float *w,
                                    const float *bias, const float *y, const char *label)
{
    int bad = 0;
    for (size_t i = 0; i < p->m; i++)
        for (size_t j = 0; j < p->n; j++) {
            double s = bias ? bias[j] : 0.0, mag = fabs(s);
            for (size_t q = 0; q < p->k; q++) {
                s += (double)x[i * p->k + q] * w[q * p->n + j];
                mag += fabs((double)x[i * p->k + q] * w[q * p->n + j]);
            }
            s = ref_act(&p->act, s);
            if (!(fabs(y[i * p->n + j] - s) <= 1e-5 * mag + 1e-5 * fabs(s) + 1e-6) && bad++ == 0)
                fprintf(stderr, "\n  %s %zux%zux%zu: y[%zu][%zu] = %g, want %g\n", label, p->m,
                        p->n, p->k, i, j, y[i * p->n + j], s);
        }
    return bad;
}

/* The checks every family's variant table gets: each entry (with a
 * `name` and a `uk` of mr, nr and run) has a run function and a tile,
 * and exactly one is the scalar reference the others are tested
 * against. */
#define CHECK_VARIANT_TABLE(table, count) \
    do { \
        int scalar_ = 0; \
        for (int v_ = 0; v_ < (count); v_++) { \
            CU_ASSERT_PTR_NOT_NULL((table)[v_].uk->run); \
            CU_ASSERT((table)[v_].uk->mr >= 1 && (table)[v_].uk->nr >= 1); \
            scalar_ += strstr((table)[v_].name, "scalar") != NULL; \
        } \
        CU_ASSERT_EQUAL(scalar_, 1); \
    } while (0)

typedef struct {
    const char *name;
    void (*fn)(void);
} kernel_test;

/* Registers tests[0, count) as the suite `suite`, runs them verbosely and
 * returns the program's exit status: 0 when every assertion held. */
static inline int run_kernel_tests(const char *suite, const kernel_test *tests, size_t count)
{
    CU_pSuite s;
    unsigned failures;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite(suite, NULL, NULL);
    for (size_t i = 0; s && i < count; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures != 0;
}

#endif /* SINTER_TEST_KERNEL_TEST_H */
