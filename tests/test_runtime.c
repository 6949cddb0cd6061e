/*
 * test_runtime.c - checks every runtime kernel against a naive reference
 * written here, on random data and on a few published values.
 *
 * The references compute in double straight from the definitions (ONNX
 * operator spec), with none of the kernels' fast paths.  Tolerances:
 *  - elementwise math, activations, normalisations: 1e-5 relative plus
 *    1e-6 absolute (float rounding of one or two libm calls);
 *  - matrix products and convolutions: 1e-5 * sum|a_i * b_i| + 1e-6 per
 *    output, the float accumulation error bound for these depths;
 *  - data movement, gather, pad, nearest resize, max pooling: exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_TEST_SEED 12345
#include "conv_case.h"
#include "kernel_test.h"

#include "sinter_rt.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Counts elements with |got - want| > atol + rtol * |want| (NaNs must
 * match), reporting the first. */
static size_t count_mismatches(const char *what, const float *got, const double *want,
                               size_t n, double atol, double rtol)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        int ok;
        if (isnan(want[i]))
            ok = isnan(got[i]);
        else if (isinf(want[i]))
            ok = got[i] == want[i];
        else
            ok = fabs(got[i] - want[i]) <= atol + rtol * fabs(want[i]);
        if (!ok && bad++ == 0)
            fprintf(stderr, "\n  %s: [%zu] got %.9g want %.9g\n", what, i, got[i], want[i]);
    }
    return bad;
}

/* Like count_mismatches with a per-element absolute bound. */
static size_t count_mismatches_bound(const char *what, const float *got, const double *want,
                                     const double *bound, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        if (!(fabs(got[i] - want[i]) <= bound[i]) && bad++ == 0)
            fprintf(stderr, "\n  %s: [%zu] got %.9g want %.9g (bound %g)\n",
                    what, i, got[i], want[i], bound[i]);
    }
    return bad;
}

static size_t count_exact(const char *what, const float *got, const float *want, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++)
        if (got[i] != want[i] && bad++ == 0)
            fprintf(stderr, "\n  %s: [%zu] got %.9g want %.9g\n", what, i, got[i], want[i]);
    return bad;
}

/* Dense row-major strides of dims. */
static void dense_strides(int rank, const size_t *dims, ptrdiff_t *strides)
{
    ptrdiff_t s = 1;
    int d;
    for (d = rank - 1; d >= 0; d--) {
        strides[d] = s;
        s *= (ptrdiff_t)dims[d];
    }
}

/* numpy broadcast strides of an operand of in_dims (right-aligned) read
 * over an output of `rank` dims. */
static void bcast_strides(int rank, int in_rank, const size_t *in_dims, ptrdiff_t *strides)
{
    ptrdiff_t dense[SNT_MAX_RANK];
    int d;
    dense_strides(in_rank, in_dims, dense);
    for (d = 0; d < rank; d++) {
        int id = d - (rank - in_rank);
        strides[d] = (id < 0 || in_dims[id] == 1) ? 0 : dense[id];
    }
}

/* Offset of flat output index `flat` of dims under strides. */
static ptrdiff_t offset_of(size_t flat, int rank, const size_t *dims, const ptrdiff_t *strides)
{
    ptrdiff_t off = 0;
    int d;
    for (d = rank - 1; d >= 0; d--) {
        off += (ptrdiff_t)(flat % dims[d]) * strides[d];
        flat /= dims[d];
    }
    return off;
}

/* ------------------------------------------------------------------ */
/* Activations and unary math                                          */
/* ------------------------------------------------------------------ */

static void test_activations(void)
{
    const size_t n = 103;
    snt_act_kind kind;
    float *x = rand_floats(n), *y = malloc(n * sizeof *y);
    double *want = malloc(n * sizeof *want);
    size_t i;
    for (i = 0; i < n; i++)
        x[i] *= 6.0f;   /* reach both tails */
    for (kind = SNT_ACT_NONE; kind <= SNT_ACT_SILU; kind++) {
        snt_act a;
        a.kind = kind;
        a.alpha = kind == SNT_ACT_CLIP ? -1.5f : 0.1f;
        a.beta = 2.0f;
        for (i = 0; i < n; i++)
            want[i] = ref_act(&a, x[i]);
        snt_act_f32(&a, x, y, n);
        CU_ASSERT_EQUAL(count_mismatches("act", y, want, n, 1e-6, 1e-5), 0);
        /* In place gives the same. */
        memcpy(y, x, n * sizeof *y);
        snt_act_f32(&a, y, y, n);
        CU_ASSERT_EQUAL(count_mismatches("act in place", y, want, n, 1e-6, 1e-5), 0);
    }
    free(x); free(y); free(want);
}

static double ref_unary(snt_unop op, double v)
{
    switch (op) {
    case SNT_UN_ERF:        return erf(v);
    case SNT_UN_SQRT:       return sqrt(v);
    case SNT_UN_ABS:        return fabs(v);
    case SNT_UN_NEG:        return -v;
    case SNT_UN_EXP:        return exp(v);
    case SNT_UN_LOG:        return log(v);
    case SNT_UN_RECIPROCAL: return 1.0 / v;
    case SNT_UN_FLOOR:      return floor(v);
    case SNT_UN_CEIL:       return ceil(v);
    case SNT_UN_SIN:        return sin(v);
    case SNT_UN_COS:        return cos(v);
    }
    return NAN;
}

static void test_unary(void)
{
    const size_t n = 77;
    snt_unop op;
    float *x = rand_floats(n), *y = malloc(n * sizeof *y);
    double *want = malloc(n * sizeof *want);
    size_t i;
    for (i = 0; i < n; i++)
        x[i] *= 4.0f;   /* negative values make sqrt / log NaN: compared as NaN */
    for (op = SNT_UN_ERF; op <= SNT_UN_COS; op++) {
        for (i = 0; i < n; i++)
            want[i] = ref_unary(op, x[i]);
        snt_unary_f32(op, x, y, n);
        CU_ASSERT_EQUAL(count_mismatches("unary", y, want, n, 1e-6, 1e-5), 0);
    }
    free(x); free(y); free(want);
}

/* ------------------------------------------------------------------ */
/* Binary elementwise                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
    int rank, a_rank, b_rank;
    size_t dims[4], a_dims[4], b_dims[4];
} bcast_case;

static const bcast_case bcast_cases[] = {
    {4, 4, 4, {2, 3, 5, 7}, {2, 3, 5, 7}, {2, 3, 5, 7}},   /* same shape */
    {4, 4, 0, {2, 3, 5, 7}, {2, 3, 5, 7}, {0}},            /* scalar b */
    {3, 1, 3, {3, 4, 5}, {1}, {3, 4, 5}},                  /* scalar a, as [1] */
    {4, 4, 3, {2, 6, 4, 5}, {2, 6, 4, 5}, {6, 1, 1}},      /* per channel */
    {3, 3, 1, {4, 3, 9}, {4, 3, 9}, {9}},                  /* per row (bias) */
    {3, 3, 3, {4, 3, 9}, {4, 3, 1}, {4, 3, 9}},            /* a per row */
    {3, 3, 3, {2, 5, 3}, {2, 1, 3}, {1, 5, 1}},            /* both broadcast */
    {4, 4, 4, {1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}},   /* one element */
    {3, 3, 3, {2, 0, 3}, {2, 0, 3}, {1, 1, 3}},            /* empty */
};

static double ref_binary(snt_binop op, double u, double v)
{
    switch (op) {
    case SNT_BIN_ADD: return u + v;
    case SNT_BIN_SUB: return u - v;
    case SNT_BIN_MUL: return u * v;
    case SNT_BIN_DIV: return u / v;
    case SNT_BIN_POW: return pow(u, v);
    case SNT_BIN_MAX: return u > v ? u : v;
    case SNT_BIN_MIN: return u < v ? u : v;
    }
    return NAN;
}

static void setup_bcast(const bcast_case *c, snt_bcast *p)
{
    memset(p, 0, sizeof *p);
    p->rank = c->rank;
    memcpy(p->dims, c->dims, sizeof c->dims);
    bcast_strides(c->rank, c->a_rank, c->a_dims, p->a_strides);
    bcast_strides(c->rank, c->b_rank, c->b_dims, p->b_strides);
}

static void test_binary_f32(void)
{
    size_t ci;
    for (ci = 0; ci < sizeof bcast_cases / sizeof bcast_cases[0]; ci++) {
        const bcast_case *c = &bcast_cases[ci];
        size_t n = product(c->rank, c->dims), na = product(c->a_rank, c->a_dims);
        size_t nb = product(c->b_rank, c->b_dims), i;
        float *a = rand_floats(na), *b = rand_floats(nb), *y = malloc((n + 1) * sizeof *y);
        double *want = malloc((n + 1) * sizeof *want);
        snt_bcast p;
        snt_binop op;
        setup_bcast(c, &p);
        for (i = 0; i < na; i++)
            a[i] = a[i] * 2.0f + 2.5f;  /* positive bases keep POW real */
        for (op = SNT_BIN_ADD; op <= SNT_BIN_MIN; op++) {
            for (i = 0; i < n; i++)
                want[i] = ref_binary(op, a[offset_of(i, c->rank, c->dims, p.a_strides)],
                                     b[offset_of(i, c->rank, c->dims, p.b_strides)]);
            y[n] = 42.0f;   /* sentinel: nothing written past the output */
            snt_binary_f32(op, &p, a, b, y);
            CU_ASSERT_EQUAL(count_mismatches("binary", y, want, n, 1e-6, 1e-5), 0);
            CU_ASSERT_EQUAL(y[n], 42.0f);
        }
        free(a); free(b); free(y); free(want);
    }
}

/* y may be the same buffer as a dense a. */
static void test_binary_in_place(void)
{
    const bcast_case *c = &bcast_cases[3];
    size_t n = product(c->rank, c->dims), nb = product(c->b_rank, c->b_dims), i;
    float *a = rand_floats(n), *b = rand_floats(nb), *y = malloc(n * sizeof *y);
    snt_bcast p;
    setup_bcast(c, &p);
    snt_binary_f32(SNT_BIN_MUL, &p, a, b, y);
    snt_binary_f32(SNT_BIN_MUL, &p, a, b, a);
    for (i = 0; i < n && a[i] == y[i]; i++)
        ;
    CU_ASSERT_EQUAL(i, n);
    free(a); free(b); free(y);
}

static void test_binary_i64(void)
{
    static const int64_t a[] = {7, -7, 7, -7, 3, 2, -2, 5, INT64_MIN, 9};
    static const int64_t b[] = {2, 2, -2, -2, 0, 10, 3, -1, -1, 0};
    static const int64_t want_div[] = {3, -3, -3, 3, 0, 0, 0, -5, INT64_MIN, 0};
    static const int64_t want_pow[] = {49, 49, 0, 0, 1, 1024, -8, 0, 0, 1};
    int64_t y[10], s[3] = {10, 20, 30}, ys[3];
    snt_bcast p;
    size_t i;
    memset(&p, 0, sizeof p);
    p.rank = 1;
    p.dims[0] = 10;
    p.a_strides[0] = 1;
    p.b_strides[0] = 1;
    snt_binary_i64(SNT_BIN_DIV, &p, a, b, y);
    CU_ASSERT_EQUAL(memcmp(y, want_div, sizeof y), 0);
    snt_binary_i64(SNT_BIN_POW, &p, a, b, y);
    CU_ASSERT_EQUAL(memcmp(y, want_pow, sizeof y), 0);
    snt_binary_i64(SNT_BIN_MAX, &p, a, b, y);
    for (i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(y[i], a[i] > b[i] ? a[i] : b[i]);
    /* Scalar broadcast: s - 4. */
    p.dims[0] = 3;
    p.b_strides[0] = 0;
    snt_binary_i64(SNT_BIN_SUB, &p, s, &a[4] /* 3 */, ys);
    CU_ASSERT(ys[0] == 7 && ys[1] == 17 && ys[2] == 27);
}

/* ------------------------------------------------------------------ */
/* Matrix products                                                     */
/* ------------------------------------------------------------------ */

/* want = alpha * A B (+ c0), bound = 1e-5 * alpha * sum|a b| + 1e-6. */
static void ref_gemm(size_t m, size_t n, size_t k, double alpha,
                     const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                     const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                     const float *c0, size_t ldc, double *want, double *bound)
{
    size_t i, j, p;
    for (i = 0; i < m; i++) {
        for (j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (p = 0; p < k; p++) {
                double t = (double)a[(ptrdiff_t)i * a_rs + (ptrdiff_t)p * a_cs] *
                           b[(ptrdiff_t)p * b_rs + (ptrdiff_t)j * b_cs];
                s += t;
                mag += fabs(t);
            }
            want[i * n + j] = alpha * s + (c0 ? c0[i * ldc + j] : 0.0);
            bound[i * n + j] = 1e-5 * (fabs(alpha) * mag + (c0 ? fabs(c0[i * ldc + j]) : 0)) + 1e-6;
        }
    }
}

/* Scratch of `floats` floats and one sentinel after them (which
 * scratch_kept checks), so a kernel writing past the size it asked for
 * fails the test. */
static float *scratch_with_sentinel(size_t floats)
{
    float *s = malloc((floats + 1) * sizeof *s);
    s[floats] = 42.0f;
    return s;
}

static int scratch_kept(const float *s, size_t floats)
{
    return s[floats] == 42.0f;
}

/* Runs snt_sgemm on m x k and k x n operands laid out per the flags
 * (transposed, or with a column gap of 2, or walked backwards) and checks
 * the result, also with accumulate and a leading dimension > n. */
static void check_sgemm(size_t m, size_t n, size_t k, int a_layout, int b_layout, int accumulate)
{
    const size_t ldc = n + 3;
    float *abuf = rand_floats(2 * m * k + 1), *bbuf = rand_floats(2 * k * n + 1);
    float *c = rand_floats(m * ldc + 1), *c0 = malloc((m * ldc + 1) * sizeof *c0);
    double *want = malloc((m * n + 1) * sizeof *want), *bound = malloc((m * n + 1) * sizeof *bound);
    float *got = malloc((m * n + 1) * sizeof *got);
    size_t ns = snt_sgemm_scratch_floats(m, n, k);
    float *scratch = scratch_with_sentinel(ns);
    const float *a = abuf, *b = bbuf;
    ptrdiff_t a_rs, a_cs, b_rs, b_cs;
    size_t i, j;
    const float alpha = 0.75f;

    switch (a_layout) {
    case 0: a_rs = (ptrdiff_t)k; a_cs = 1; break;                 /* row-major */
    case 1: a_rs = 1; a_cs = (ptrdiff_t)m; break;                 /* transposed */
    case 2: a_rs = (ptrdiff_t)(2 * k); a_cs = 2; break;           /* gaps */
    default:                                                      /* backwards */
        a_rs = -(ptrdiff_t)k; a_cs = -1;
        a = abuf + (m * k > 0 ? m * k - 1 : 0);
        break;
    }
    switch (b_layout) {
    case 0: b_rs = (ptrdiff_t)n; b_cs = 1; break;
    case 1: b_rs = 1; b_cs = (ptrdiff_t)k; break;
    case 2: b_rs = (ptrdiff_t)(2 * n); b_cs = 2; break;
    default:
        b_rs = -(ptrdiff_t)n; b_cs = -1;
        b = bbuf + (k * n > 0 ? k * n - 1 : 0);
        break;
    }
    memcpy(c0, c, (m * ldc + 1) * sizeof *c);
    ref_gemm(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, accumulate ? c0 : NULL, ldc, want, bound);
    snt_sgemm(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc, accumulate, scratch);
    CU_ASSERT_TRUE(scratch_kept(scratch, ns));
    for (i = 0; i < m; i++) {
        for (j = 0; j < n; j++)
            got[i * n + j] = c[i * ldc + j];
        for (j = n; j < ldc && i * ldc + j < m * ldc; j++)
            CU_ASSERT_EQUAL(c[i * ldc + j], c0[i * ldc + j]);   /* gap untouched */
    }
    CU_ASSERT_EQUAL(count_mismatches_bound("sgemm", got, want, bound, m * n), 0);
    free(abuf); free(bbuf); free(c); free(c0); free(want); free(bound); free(got); free(scratch);
}

static void test_sgemm(void)
{
    /* Small, odd, tile-ragged and block-crossing sizes (the blocks are
     * MC = 128 rows, KC = 256 deep, NC = 1024 columns). */
    static const size_t shapes[][3] = {
        {1, 1, 1}, {1, 37, 19}, {3, 5, 7}, {4, 16, 8}, {5, 17, 3}, {33, 47, 65},
        {64, 64, 64}, {130, 70, 300}, {7, 1100, 20}, {2, 3, 0}, {0, 5, 4}, {9, 1, 40},
    };
    size_t s;
    int la, lb;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (la = 0; la < 4; la++)
            for (lb = 0; lb < 4; lb++)
                check_sgemm(shapes[s][0], shapes[s][1], shapes[s][2], la, lb, (la + lb) & 1);
    /* One product crossing every block boundary at once. */
    check_sgemm(131, 1030, 260, 0, 0, 0);
    check_sgemm(131, 1030, 260, 1, 1, 1);
}

/* The packing scratch is bounded by the blocks (MC + NC) * KC floats
 * (plus rounding to whole tiles), not by the operands; products too small
 * to pack need none; and it grows with each dimension. */
static void test_sgemm_scratch(void)
{
    const size_t bound = (144 + 1024) * 256;
    size_t m, n, k;
    CU_ASSERT_TRUE(snt_sgemm_scratch_floats(100000, 100000, 100000) <= bound);
    CU_ASSERT_TRUE(snt_sgemm_scratch_floats(64, 64, 64) > 0);
    CU_ASSERT_EQUAL(snt_sgemm_scratch_floats(4, 16, 8), 0);
    CU_ASSERT_EQUAL(snt_sgemm_scratch_floats(64, 64, 0), 0);
    for (m = 1; m < 400; m += 37)
        for (n = 1; n < 1200; n += 113)
            for (k = 1; k < 600; k += 59) {
                size_t s = snt_sgemm_scratch_floats(m, n, k);
                CU_ASSERT_TRUE(snt_sgemm_scratch_floats(m + 37, n, k) >= s);
                CU_ASSERT_TRUE(snt_sgemm_scratch_floats(m, n + 113, k) >= s);
                CU_ASSERT_TRUE(snt_sgemm_scratch_floats(m, n, k + 59) >= s);
            }
}

/* An application's parallel-for as a test wants one: the parts in
 * reverse order, in the calling thread. */
static void reverse_parallel_for(void *ctx, snt_task task, void *arg, size_t parts)
{
    (void)ctx;
    while (parts-- > 0)
        task(arg, parts, parts + 1);
}

/* A slot of `floats` per thread, each in whole 64-byte lines. */
static float *slots_of(size_t floats, size_t threads)
{
    return calloc((floats + 16) / 16 * 16 * threads + 1, sizeof(float));
}

/* snt_sgemm_mt over 2 to 4 parts gives snt_sgemm's bits: the rows split
 * on micro-tile strips, each part on the packed path. */
static void test_sgemm_split(void)
{
    static const size_t shapes[][3] = {
        {64, 64, 64}, {131, 1030, 260}, {7, 1100, 20}, {13, 40, 300}, {300, 9, 33}, {6, 100, 50},
    };
    size_t s, threads;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        size_t ns = snt_sgemm_scratch_floats(m, n, k);
        float *a = rand_floats(m * k), *b = rand_floats(k * n), *c0 = rand_floats(m * n);
        float *want = malloc(m * n * sizeof *want), *got = malloc(m * n * sizeof *got);
        float *scratch = slots_of(ns, 4);
        memcpy(want, c0, m * n * sizeof *want);
        snt_sgemm(m, n, k, 0.5f, a, (ptrdiff_t)k, 1, b, 1, (ptrdiff_t)k, want, n, 1, scratch);
        for (threads = 2; threads <= 4; threads++) {
            snt_parallel par = {reverse_parallel_for, NULL, threads};
            memcpy(got, c0, m * n * sizeof *got);
            snt_sgemm_mt(&par, m, n, k, 0.5f, a, (ptrdiff_t)k, 1, b, 1, (ptrdiff_t)k, got, n, 1,
                         scratch);
            CU_ASSERT_EQUAL(memcmp(got, want, m * n * sizeof *got), 0);
        }
        free(a); free(b); free(c0); free(want); free(got); free(scratch);
    }
}

typedef struct {
    int batch_rank;
    size_t batch[3], a_batch[3], b_batch[3];  /* b_batch/a_batch of 1 broadcast */
    size_t m, n, k;
} matmul_case;

static void test_matmul(void)
{
    static const matmul_case cases[] = {
        {0, {0}, {0}, {0}, 5, 7, 3},
        {1, {3}, {3}, {3}, 4, 6, 5},
        {2, {2, 3}, {2, 3}, {1, 3}, 5, 9, 17},     /* b broadcast on dim 0 */
        {2, {2, 3}, {1, 3}, {2, 3}, 5, 9, 17},     /* a broadcast */
        {2, {2, 5}, {2, 5}, {1, 1}, 33, 20, 40},   /* folds into one product */
        {2, {2, 3}, {2, 3}, {2, 3}, 0, 4, 2},      /* empty */
        {1, {2}, {2}, {2}, 3, 4, 0},               /* k = 0 gives zeros */
    };
    size_t ci;
    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const matmul_case *c = &cases[ci];
        snt_matmul_params p;
        size_t na = product(c->batch_rank, c->a_batch) * c->m * c->k;
        size_t nb = product(c->batch_rank, c->b_batch) * c->k * c->n;
        size_t batch = product(c->batch_rank, c->batch), ny = batch * c->m * c->n;
        float *a = rand_floats(na), *b = rand_floats(nb), *y = rand_floats(ny);
        double *want = malloc((ny + 1) * sizeof *want), *bound = malloc((ny + 1) * sizeof *bound);
        ptrdiff_t sa[3], sb[3];
        size_t bi, ns;
        float *scratch;
        int d;
        memset(&p, 0, sizeof p);
        p.batch_rank = c->batch_rank;
        p.m = c->m; p.n = c->n; p.k = c->k;
        dense_strides(c->batch_rank, c->a_batch, sa);
        dense_strides(c->batch_rank, c->b_batch, sb);
        for (d = 0; d < c->batch_rank; d++) {
            p.batch_dims[d] = c->batch[d];
            p.a_batch_strides[d] = c->a_batch[d] == 1 ? 0 : sa[d] * (ptrdiff_t)(c->m * c->k);
            p.b_batch_strides[d] = c->b_batch[d] == 1 ? 0 : sb[d] * (ptrdiff_t)(c->k * c->n);
        }
        for (bi = 0; bi < batch; bi++) {
            ptrdiff_t oa = offset_of(bi, c->batch_rank, c->batch, p.a_batch_strides);
            ptrdiff_t ob = offset_of(bi, c->batch_rank, c->batch, p.b_batch_strides);
            ref_gemm(c->m, c->n, c->k, 1.0, a + oa, (ptrdiff_t)c->k, 1, b + ob, (ptrdiff_t)c->n, 1,
                     NULL, 0, want + bi * c->m * c->n, bound + bi * c->m * c->n);
        }
        ns = snt_matmul_scratch_floats(&p);
        scratch = scratch_with_sentinel(ns);
        snt_matmul_f32(&p, a, b, y, scratch);
        CU_ASSERT_EQUAL(count_mismatches_bound("matmul", y, want, bound, ny), 0);
        CU_ASSERT_TRUE(scratch_kept(scratch, ns));
        free(a); free(b); free(y); free(want); free(bound); free(scratch);
    }
}

static void test_gemm(void)
{
    /* C shapes: none, scalar, row [n], column [m][1], full [m][n]. */
    static const int c_kinds[] = {0, 1, 2, 3, 4};
    const size_t m = 13, n = 21, k = 34;
    int ta, tb, ci;
    for (ta = 0; ta < 2; ta++) {
        for (tb = 0; tb < 2; tb++) {
            for (ci = 0; ci < 5; ci++) {
                snt_gemm_params p;
                float *a = rand_floats(m * k), *b = rand_floats(k * n), *c = rand_floats(m * n);
                float *y = malloc(m * n * sizeof *y);
                double want[13 * 21], bound[13 * 21];
                size_t i, j, ns = snt_sgemm_scratch_floats(m, n, k);
                float *scratch = scratch_with_sentinel(ns);
                p.m = m; p.n = n; p.k = k;
                p.trans_a = ta; p.trans_b = tb;
                p.alpha = 1.5f;
                p.beta = c_kinds[ci] == 0 ? 0.0f : -0.5f;
                p.c_rs = c_kinds[ci] >= 3 ? (c_kinds[ci] == 3 ? 1 : (ptrdiff_t)n) : 0;
                p.c_cs = (c_kinds[ci] == 2 || c_kinds[ci] == 4) ? 1 : 0;
                ref_gemm(m, n, k, p.alpha, a, ta ? 1 : (ptrdiff_t)k, ta ? (ptrdiff_t)m : 1,
                         b, tb ? 1 : (ptrdiff_t)n, tb ? (ptrdiff_t)k : 1, NULL, 0, want, bound);
                for (i = 0; i < m; i++)
                    for (j = 0; j < n; j++)
                        want[i * n + j] += p.beta * c[(ptrdiff_t)i * p.c_rs + (ptrdiff_t)j * p.c_cs];
                snt_gemm_f32(&p, a, b, c_kinds[ci] == 0 ? NULL : c, y, scratch);
                CU_ASSERT_EQUAL(count_mismatches_bound("gemm", y, want, bound, m * n), 0);
                CU_ASSERT_TRUE(scratch_kept(scratch, ns));
                free(a); free(b); free(c); free(y); free(scratch);
            }
        }
    }
}

/* Linear: y = act(x w + bias) against a double reference, with and
 * without bias, including an empty m. */
static void test_linear(void)
{
    static const size_t dims[][3] = {{7, 5, 9}, {1, 16, 3}, {0, 4, 4}, {33, 12, 40}};
    size_t t, r, j, q, ns;
    for (t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        snt_linear_params p;
        float *x, *w, *bias, *y, *scratch;
        double *want, *bound;
        p.m = dims[t][0]; p.n = dims[t][1]; p.k = dims[t][2];
        p.act.kind = t % 2 ? SNT_ACT_GELU_TANH : SNT_ACT_LEAKY_RELU;
        p.act.alpha = 0.1f;
        p.act.beta = 0.0f;
        x = rand_floats(p.m * p.k);
        w = rand_floats(p.k * p.n);
        bias = t == 1 ? NULL : rand_floats(p.n);
        y = malloc((p.m * p.n + 1) * sizeof *y);
        want = malloc((p.m * p.n + 1) * sizeof *want);
        bound = malloc((p.m * p.n + 1) * sizeof *bound);
        for (r = 0; r < p.m; r++)
            for (j = 0; j < p.n; j++) {
                double s = bias ? bias[j] : 0.0, mag = fabs(s);
                for (q = 0; q < p.k; q++) {
                    s += (double)x[r * p.k + q] * w[q * p.n + j];
                    mag += fabs((double)x[r * p.k + q] * w[q * p.n + j]);
                }
                want[r * p.n + j] = ref_act(&p.act, s);
                bound[r * p.n + j] = 1e-5 * mag + 1e-6;
            }
        ns = snt_sgemm_scratch_floats(p.m, p.n, p.k);
        scratch = scratch_with_sentinel(ns);
        snt_linear_f32(&p, x, w, bias, y, scratch);
        CU_ASSERT_EQUAL(count_mismatches_bound("linear", y, want, bound, p.m * p.n), 0);
        CU_ASSERT_TRUE(scratch_kept(scratch, ns));
        free(x); free(w); free(bias); free(y); free(want); free(bound); free(scratch);
    }
}

/* ------------------------------------------------------------------ */
/* Convolution                                                         */
/* ------------------------------------------------------------------ */

static void ref_conv(const snt_conv2d_params *p, const float *x, const float *w,
                     const float *bias, double *want, double *bound)
{
    size_t b, ko, oy, ox;
    for (b = 0; b < p->n; b++)
    for (ko = 0; ko < p->k; ko++)
    for (oy = 0; oy < p->oh; oy++)
    for (ox = 0; ox < p->ow; ox++) {
        size_t o = ((b * p->k + ko) * p->oh + oy) * p->ow + ox;
        double mag, s = conv_ref_sum(p, x, w, b, ko, oy, ox, &mag);
        if (bias) {
            s += bias[ko];
            mag += fabs(bias[ko]);
        }
        want[o] = ref_act(&p->act, s);
        /* The activations used here are 1-Lipschitz or close to it. */
        bound[o] = 1e-5 * mag + 1e-6;
    }
}

/* A convolution case: its shape, activation, bias, and whether the
 * kernel needs scratch (0: no im2col, and products too small for
 * snt_sgemm to pack). */
typedef struct {
    conv_case shape;
    snt_act_kind act;
    int with_bias;
    int expect_scratch;
} runtime_conv_case;

static void check_conv(const runtime_conv_case *cc)
{
    snt_conv2d_params p = params_of(&cc->shape, cc->act);
    size_t nx, nw, ny, ns, i;
    float *x, *w, *bias, *y, *scratch;
    double *want, *bound;

    p.act.beta = 6.0f;
    nx = p.n * p.c * p.h * p.w;
    nw = p.k * (p.c / p.groups) * p.kh * p.kw;
    ny = p.n * p.k * p.oh * p.ow;
    ns = snt_conv2d_scratch_floats(&p);
    CU_ASSERT_EQUAL(ns != 0, cc->expect_scratch);
    x = rand_floats(nx);
    w = rand_floats(nw);
    bias = cc->with_bias ? rand_floats(p.k) : NULL;
    y = malloc((ny + 1) * sizeof *y);
    scratch = malloc((ns + 1) * sizeof *scratch);
    want = malloc((ny + 1) * sizeof *want);
    bound = malloc((ny + 1) * sizeof *bound);
    y[ny] = 42.0f;
    scratch[ns] = 42.0f;   /* the kernel stays inside the size it asked for */
    ref_conv(&p, x, w, bias, want, bound);
    snt_conv2d_f32(&p, x, w, bias, y, ns ? scratch : NULL);
    CU_ASSERT_EQUAL(count_mismatches_bound("conv", y, want, bound, ny), 0);
    CU_ASSERT_EQUAL(y[ny], 42.0f);
    CU_ASSERT_EQUAL(scratch[ns], 42.0f);
    for (i = 0; i < ny && !isnan(y[i]); i++)
        ;
    CU_ASSERT_EQUAL(i, ny);
    free(x); free(w); free(bias); free(y); free(scratch); free(want); free(bound);
}

static void test_conv2d(void)
{
    static const runtime_conv_case cases[] = {
        /*  n  c  h  w   k  kh kw sh sw dh dw pt pl pb pr g   act               bias scratch */
        {{1, 8, 9, 11, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, SNT_ACT_NONE, 1, 1},    /* pointwise */
        {{2, 8, 5, 7, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4}, SNT_ACT_RELU, 1, 0},    /* grouped pointwise */
        {{1, 6, 10, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6}, SNT_ACT_GELU, 1, 0},    /* depthwise */
        {{1, 5, 17, 13, 5, 7, 7, 2, 2, 2, 2, 6, 6, 6, 6, 5}, SNT_ACT_NONE, 0, 0},   /* depthwise s2 d2 */
        {{1, 3, 8, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3}, SNT_ACT_NONE, 1, 1},     /* channel multiplier 2 */
        {{2, 3, 16, 15, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, SNT_ACT_RELU, 1, 1},   /* general 3x3 */
        {{1, 3, 15, 17, 7, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1}, SNT_ACT_CLIP, 1, 1},   /* stem 7x7 s2 */
        {{1, 4, 13, 12, 6, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3, 2}, SNT_ACT_NONE, 1, 1},   /* groups + dilation */
        {{1, 4, 8, 9, 4, 3, 2, 2, 1, 1, 1, 0, 1, 2, 0, 1}, SNT_ACT_NONE, 0, 1},     /* asymmetric pads */
        {{1, 6, 7, 7, 9, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 3}, SNT_ACT_SIGMOID, 1, 1},  /* 1x1 stride 2 */
        {{1, 4, 6, 6, 4, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, SNT_ACT_NONE, 1, 1},     /* 1x1, pads after */
        {{1, 4, 1, 30, 6, 1, 5, 1, 1, 1, 1, 0, 2, 0, 2, 2}, SNT_ACT_TANH, 1, 1},    /* 1-D as H = 1 */
        {{1, 3, 3, 3, 2, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1}, SNT_ACT_NONE, 1, 1},     /* kernel > input */
        {{1, 64, 64, 64, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, SNT_ACT_NONE, 1, 1},  /* banded im2col */
        {{1, 4, 0, 5, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, SNT_ACT_NONE, 1, 0},     /* empty */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_conv(&cases[i]);
}

/* The fused epilogue: y = act(conv + bias) * scale[ch] + shift[ch] +
 * residual, against the reference conv with the same steps after it. */
static void check_conv_epilogue(const runtime_conv_case *cc, int with_affine, int with_residual)
{
    snt_conv2d_params p = params_of(&cc->shape, cc->act);
    size_t nw, ny, ns, i, ohw;
    float *x, *w, *bias, *scale, *shift, *res, *y, *scratch;
    double *want, *bound;

    ohw = p.oh * p.ow;
    nw = p.k * (p.c / p.groups) * p.kh * p.kw;
    ny = p.n * p.k * ohw;
    ns = snt_conv2d_scratch_floats(&p);
    x = rand_floats(p.n * p.c * p.h * p.w);
    w = rand_floats(nw);
    bias = cc->with_bias ? rand_floats(p.k) : NULL;
    scale = with_affine ? rand_floats(p.k) : NULL;
    shift = with_affine ? rand_floats(p.k) : NULL;
    res = with_residual ? rand_floats(ny) : NULL;
    y = malloc((ny + 1) * sizeof *y);
    scratch = malloc((ns + 1) * sizeof *scratch);
    want = malloc((ny + 1) * sizeof *want);
    bound = malloc((ny + 1) * sizeof *bound);
    ref_conv(&p, x, w, bias, want, bound);
    for (i = 0; i < ny; i++) {
        size_t ch = i / ohw % p.k;
        if (scale)
            want[i] = want[i] * scale[ch] + shift[ch];
        if (res)
            want[i] += res[i];
        bound[i] += 1e-6;   /* one more rounding per step */
    }
    snt_conv2d_fused_f32(&p, x, w, bias, scale, shift, res, y, ns ? scratch : NULL);
    CU_ASSERT_EQUAL(count_mismatches_bound("conv epilogue", y, want, bound, ny), 0);
    free(x); free(w); free(bias); free(scale); free(shift); free(res);
    free(y); free(scratch); free(want); free(bound);
}

static void test_conv2d_epilogue(void)
{
    static const runtime_conv_case cases[] = {
        /*  n  c  h  w   k  kh kw sh sw dh dw pt pl pb pr g   act               bias scratch */
        {{2, 8, 5, 7, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, SNT_ACT_GELU, 1, 0},    /* pointwise */
        {{2, 6, 10, 9, 6, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 6}, SNT_ACT_GELU, 1, 0},    /* depthwise 7x7 */
        {{1, 3, 16, 15, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, SNT_ACT_RELU, 0, 1},   /* general s2 */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_conv_epilogue(&cases[i], 1, 0);
        check_conv_epilogue(&cases[i], 0, 1);
        check_conv_epilogue(&cases[i], 1, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Pooling                                                             */
/* ------------------------------------------------------------------ */

static size_t pool_out(size_t in, size_t pad_begin, size_t pad_end, size_t k, size_t s, size_t d,
                       int ceil_mode)
{
    size_t span = in + pad_begin + pad_end - d * (k - 1) - 1, o = span / s + 1;
    /* ceil_mode adds a partial window, unless it would start past the
     * input (in the end padding), as PyTorch and ONNX opset 19 rule. */
    if (ceil_mode && span % s != 0 && o * s < in + pad_begin)
        o++;
    return o;
}

typedef struct {
    size_t n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
    int ceil_mode, count_include_pad;
} pool_case;

static void ref_pool_on(const snt_pool2d_params *p, const float *x, int is_max, double *want)
{
    size_t pl, oy, ox, ky, kx;
    for (pl = 0; pl < p->n * p->c; pl++)
    for (oy = 0; oy < p->oh; oy++)
    for (ox = 0; ox < p->ow; ox++) {
        double acc = is_max ? -INFINITY : 0.0;
        size_t in_img = 0, in_pad = 0;
        for (ky = 0; ky < p->kh; ky++)
        for (kx = 0; kx < p->kw; kx++) {
            long iy = (long)(oy * p->sh + ky * p->dh) - (long)p->pt;
            long ix = (long)(ox * p->sw + kx * p->dw) - (long)p->pl;
            if (iy >= -(long)p->pt && iy < (long)(p->h + p->pb) &&
                ix >= -(long)p->pl && ix < (long)(p->w + p->pr))
                in_pad++;
            if (iy >= 0 && ix >= 0 && iy < (long)p->h && ix < (long)p->w) {
                double v = x[(pl * p->h + (size_t)iy) * p->w + (size_t)ix];
                in_img++;
                acc = is_max ? (v > acc ? v : acc) : acc + v;
            }
        }
        if (!is_max)
            acc /= (double)(p->count_include_pad ? in_pad : in_img);
        want[(pl * p->oh + oy) * p->ow + ox] = acc;
    }
}

static void test_pool2d(void)
{
    static const pool_case cases[] = {
        /* n c h  w  kh kw sh sw dh dw pt pl pb pr ceil incl */
        {1, 3, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0},
        {2, 2, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0},
        {2, 2, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1},
        {1, 2, 10, 11, 3, 2, 2, 3, 1, 1, 0, 0, 0, 0, 1, 0},  /* ceil_mode */
        {1, 2, 10, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},  /* ceil + count_include_pad */
        {1, 1, 12, 12, 3, 3, 1, 2, 2, 2, 2, 1, 0, 3, 0, 1},  /* dilation, odd pads */
        {1, 3, 5, 1, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0},    /* 1-D */
    };
    size_t ci;
    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const pool_case *c = &cases[ci];
        snt_pool2d_params p;
        float *x, *y;
        double *want;
        size_t ny;
        memset(&p, 0, sizeof p);
        p.n = c->n; p.c = c->c; p.h = c->h; p.w = c->w; p.kh = c->kh; p.kw = c->kw;
        p.sh = c->sh; p.sw = c->sw; p.dh = c->dh; p.dw = c->dw;
        p.pt = c->pt; p.pl = c->pl; p.pb = c->pb; p.pr = c->pr;
        p.count_include_pad = c->count_include_pad;
        p.oh = pool_out(c->h, c->pt, c->pb, c->kh, c->sh, c->dh, c->ceil_mode);
        p.ow = pool_out(c->w, c->pl, c->pr, c->kw, c->sw, c->dw, c->ceil_mode);
        ny = p.n * p.c * p.oh * p.ow;
        x = rand_floats(p.n * p.c * p.h * p.w);
        y = malloc(ny * sizeof *y);
        want = malloc(ny * sizeof *want);
        ref_pool_on(&p, x, 1, want);
        snt_maxpool2d_f32(&p, x, y);
        CU_ASSERT_EQUAL(count_mismatches("maxpool", y, want, ny, 0, 0), 0);
        ref_pool_on(&p, x, 0, want);
        snt_avgpool2d_f32(&p, x, y);
        CU_ASSERT_EQUAL(count_mismatches("avgpool", y, want, ny, 1e-6, 1e-5), 0);
        free(x); free(y); free(want);
    }
}

/* The ONNX documentation's ceil_mode examples (maxpool_2d_ceil,
 * averagepool_2d_ceil): 4x4 input 1..16, 3x3 kernel, stride 2. */
static void test_pool2d_onnx_examples(void)
{
    static const float max_want[] = {11, 12, 15, 16};
    static const float avg_want[] = {6, 7.5f, 12, 13.5f};
    snt_pool2d_params p;
    float x[16], y[4];
    int i;
    for (i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    memset(&p, 0, sizeof p);
    p.n = p.c = 1; p.h = p.w = 4; p.oh = p.ow = 2;
    p.kh = p.kw = 3; p.sh = p.sw = 2; p.dh = p.dw = 1;
    snt_maxpool2d_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_exact("maxpool ceil", y, max_want, 4), 0);
    snt_avgpool2d_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_exact("avgpool ceil", y, avg_want, 4), 0);
}

static void test_global_avgpool(void)
{
    /* Planes shorter than the sum's lanes, one lane-width, ragged, long. */
    static const size_t sizes[] = {1, 16, 49, 3136};
    const size_t nc = 6;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t hw = sizes[s], i, j;
        float *x = rand_floats(nc * hw), y[6];
        double want[6];
        for (i = 0; i < nc; i++) {
            want[i] = 0;
            for (j = 0; j < hw; j++)
                want[i] += x[i * hw + j];
            want[i] /= (double)hw;
        }
        snt_global_avgpool_f32(nc, hw, x, y);
        CU_ASSERT_EQUAL(count_mismatches("gap", y, want, nc, 1e-6, 1e-5), 0);
        free(x);
    }
}

/* ------------------------------------------------------------------ */
/* Normalisations and softmax                                          */
/* ------------------------------------------------------------------ */

static void test_batchnorm(void)
{
    const size_t n = 2, c = 5, hw = 13, total = n * c * hw;
    float *x = rand_floats(total), *s = rand_floats(c), *b = rand_floats(c);
    float *mean = rand_floats(c), *var = rand_floats(c), *y = malloc(total * sizeof *y);
    double *want = malloc(total * sizeof *want);
    size_t i;
    for (i = 0; i < c; i++)
        var[i] = var[i] * var[i] + 0.1f;
    for (i = 0; i < total; i++) {
        size_t ch = i / hw % c;
        want[i] = (x[i] - (double)mean[ch]) / sqrt((double)var[ch] + 1e-5) * s[ch] + b[ch];
    }
    snt_batchnorm_f32(n, c, hw, x, s, b, mean, var, 1e-5f, y);
    CU_ASSERT_EQUAL(count_mismatches("batchnorm", y, want, total, 1e-5, 1e-5), 0);
    free(x); free(s); free(b); free(mean); free(var); free(y); free(want);
}

/* 37 rows: two whole blocks of the kernel's statistics and a ragged one;
 * the last variant runs in place. */
static void test_layernorm(void)
{
    const size_t rows = 37, cols = 33, total = rows * cols;
    float *x = rand_floats(total), *g = rand_floats(cols), *b = rand_floats(cols);
    float *y = malloc(total * sizeof *y), *xo = malloc(total * sizeof *xo);
    double *want = malloc(total * sizeof *want);
    int variant;
    for (variant = 0; variant < 3; variant++) {
        const float *gv = variant == 2 ? NULL : g, *bv = variant >= 1 ? NULL : b;
        size_t r, i;
        for (r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (i = 0; i < cols; i++)
                mean += x[r * cols + i] + 100.0;   /* offset rows test precision */
            mean /= cols;
            for (i = 0; i < cols; i++)
                var += (x[r * cols + i] + 100.0 - mean) * (x[r * cols + i] + 100.0 - mean);
            var /= cols;
            for (i = 0; i < cols; i++)
                want[r * cols + i] = (x[r * cols + i] + 100.0 - mean) / sqrt(var + 1e-5) *
                                     (gv ? gv[i] : 1.0) + (bv ? bv[i] : 0.0);
        }
        for (i = 0; i < total; i++)
            xo[i] = y[i] = x[i] + 100.0f;
        snt_layernorm_f32(rows, cols, variant == 2 ? y : xo, gv, bv, 1e-5f, y);
        /* 1e-4: x + 100 in float keeps ~1e-5 of each value's fraction. */
        CU_ASSERT_EQUAL(count_mismatches("layernorm", y, want, total, 1e-4, 1e-4), 0);
    }
    free(x); free(g); free(b); free(y); free(xo); free(want);
}

static void test_softmax(void)
{
    /* Rows longer than a vector with a ragged end; more columns after
     * the axis than the kernel takes in one chunk (64). */
    static const size_t shapes[][3] = {{3, 10, 1}, {2, 7, 5}, {1, 1, 4}, {4, 33, 3},
                                       {2, 37, 1}, {2, 5, 130}};
    size_t s;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t outer = shapes[s][0], len = shapes[s][1], inner = shapes[s][2];
        size_t total = outer * len * inner, o, i, j;
        float *x = rand_floats(total), *y = malloc(total * sizeof *y);
        double *want = malloc(total * sizeof *want);
        for (i = 0; i < total; i++)
            x[i] *= 50.0f;   /* large logits: needs the max shift */
        for (o = 0; o < outer; o++) {
            for (i = 0; i < inner; i++) {
                double max = -INFINITY, sum = 0;
                for (j = 0; j < len; j++)
                    max = fmax(max, x[(o * len + j) * inner + i]);
                for (j = 0; j < len; j++)
                    sum += exp(x[(o * len + j) * inner + i] - max);
                for (j = 0; j < len; j++)
                    want[(o * len + j) * inner + i] = exp(x[(o * len + j) * inner + i] - max) / sum;
            }
        }
        snt_softmax_f32(outer, len, inner, x, y);
        CU_ASSERT_EQUAL(count_mismatches("softmax", y, want, total, 1e-6, 1e-5), 0);
        free(x); free(y); free(want);
    }
}

/* ------------------------------------------------------------------ */
/* Reductions                                                          */
/* ------------------------------------------------------------------ */

static double ref_reduce(snt_redop op, const double *v, size_t n)
{
    double acc, max = -INFINITY;
    size_t i;
    switch (op) {
    case SNT_RED_MAX:
        for (i = 0; i < n; i++) max = fmax(max, v[i]);
        return max;
    case SNT_RED_MIN:
        for (acc = INFINITY, i = 0; i < n; i++) acc = fmin(acc, v[i]);
        return acc;
    case SNT_RED_PROD:
        for (acc = 1, i = 0; i < n; i++) acc *= v[i];
        return acc;
    case SNT_RED_LOG_SUM_EXP:
        for (acc = 0, i = 0; i < n; i++) acc += exp(v[i]);
        return log(acc);
    default:
        break;
    }
    for (acc = 0, i = 0; i < n; i++) {
        switch (op) {
        case SNT_RED_L1:         acc += fabs(v[i]); break;
        case SNT_RED_L2:
        case SNT_RED_SUM_SQUARE: acc += v[i] * v[i]; break;
        default:                 acc += v[i]; break;
        }
    }
    switch (op) {
    case SNT_RED_MEAN:    return acc / (double)n;
    case SNT_RED_L2:      return sqrt(acc);
    case SNT_RED_LOG_SUM: return log(acc);
    default:              return acc;
    }
}

/* Reduces x of dims[4] over the axes flagged in `axes`, keepdims style. */
static void check_reduce(const size_t *dims, const int *axes)
{
    snt_reduce_params p;
    ptrdiff_t strides[4];
    size_t total = product(4, dims), nout, o, r, nred;
    float *x = rand_floats(total), *y;
    double *want, vals[512];
    snt_redop op;
    int d;
    memset(&p, 0, sizeof p);
    dense_strides(4, dims, strides);
    for (d = 0; d < 4; d++) {
        if (axes[d]) {
            p.red_dims[p.red_rank] = dims[d];
            p.red_strides[p.red_rank++] = strides[d];
        } else {
            p.out_dims[p.out_rank] = dims[d];
            p.out_strides[p.out_rank++] = strides[d];
        }
    }
    nout = product(p.out_rank, p.out_dims);
    nred = product(p.red_rank, p.red_dims);
    y = malloc((nout + 1) * sizeof *y);
    want = malloc((nout + 1) * sizeof *want);
    for (op = SNT_RED_SUM; op <= SNT_RED_LOG_SUM_EXP; op++) {
        for (o = 0; o < nout; o++) {
            ptrdiff_t base = offset_of(o, p.out_rank, p.out_dims, p.out_strides);
            for (r = 0; r < nred; r++)
                vals[r] = x[base + offset_of(r, p.red_rank, p.red_dims, p.red_strides)] +
                          (op == SNT_RED_LOG_SUM ? 1.5 : 0.0);
            want[o] = ref_reduce(op, vals, nred);
        }
        if (op == SNT_RED_LOG_SUM)
            for (r = 0; r < total; r++)
                x[r] += 1.5f;   /* positive sums for the log */
        snt_reduce_f32(op, &p, x, y);
        if (op == SNT_RED_LOG_SUM)
            for (r = 0; r < total; r++)
                x[r] -= 1.5f;
        /* PROD of many values in [-1, 1) gets tiny: absolute 1e-6 covers it. */
        CU_ASSERT_EQUAL(count_mismatches("reduce", y, want, nout, 1e-6, 1e-5), 0);
    }
    free(x); free(y); free(want);
}

static void test_reduce(void)
{
    static const size_t dims[4] = {2, 3, 4, 5};
    static const int axes[][4] = {
        {0, 0, 0, 1}, {0, 1, 0, 1}, {1, 0, 0, 0}, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 1, 0},
    };
    snt_reduce_params p;
    size_t i;
    float y[6];
    snt_redop op;

    for (i = 0; i < sizeof axes / sizeof axes[0]; i++)
        check_reduce(dims, axes[i]);

    /* Log-sum-exp of large values must not overflow: log(3 e^1000). */
    {
        static const float big[3] = {1000.0f, 1000.0f, 1000.0f};
        memset(&p, 0, sizeof p);
        p.red_rank = 1; p.red_dims[0] = 3; p.red_strides[0] = 1;
        snt_reduce_f32(SNT_RED_LOG_SUM_EXP, &p, big, y);
        CU_ASSERT(fabs(y[0] - (1000.0 + log(3.0))) < 1e-3);
    }

    /* Reducing an empty axis gives each fold's identity (ONNX opset 18). */
    memset(&p, 0, sizeof p);
    p.out_rank = 2; p.out_dims[0] = 2; p.out_dims[1] = 3;
    p.red_rank = 1; p.red_dims[0] = 0;
    for (op = SNT_RED_SUM; op <= SNT_RED_LOG_SUM_EXP; op++) {
        snt_reduce_f32(op, &p, NULL, y);
        switch (op) {
        case SNT_RED_MEAN: CU_ASSERT(isnan(y[5])); break;
        case SNT_RED_MAX: case SNT_RED_LOG_SUM: case SNT_RED_LOG_SUM_EXP:
            CU_ASSERT(isinf(y[5]) && y[5] < 0); break;
        case SNT_RED_MIN:  CU_ASSERT(isinf(y[5]) && y[5] > 0); break;
        case SNT_RED_PROD: CU_ASSERT_EQUAL(y[5], 1.0f); break;
        default:           CU_ASSERT_EQUAL(y[5], 0.0f); break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Data movement                                                       */
/* ------------------------------------------------------------------ */

/* Transpose [2][3][4] -> [4][2][3] for several element sizes. */
static void test_strided_transpose(void)
{
    static const size_t sizes[] = {1, 2, 4, 8, 3};
    unsigned char src[24 * 8], dst[24 * 8], want[24 * 8];
    size_t si, e, i, j, k;
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t es = sizes[si];
        snt_strided p;
        memset(&p, 0, sizeof p);
        for (i = 0; i < sizeof src; i++)
            src[i] = (unsigned char)(i * 7 + 3);
        /* Iterate in dst order: dims [4][2][3], src strides of axes 2, 0, 1. */
        p.rank = 3;
        p.dims[0] = 4; p.dims[1] = 2; p.dims[2] = 3;
        p.src_strides[0] = 1; p.src_strides[1] = 12; p.src_strides[2] = 4;
        p.dst_strides[0] = 6; p.dst_strides[1] = 3; p.dst_strides[2] = 1;
        for (k = 0; k < 4; k++)
            for (i = 0; i < 2; i++)
                for (j = 0; j < 3; j++)
                    for (e = 0; e < es; e++)
                        want[(k * 6 + i * 3 + j) * es + e] = src[(i * 12 + j * 4 + k) * es + e];
        memset(dst, 0, sizeof dst);
        snt_strided_copy(&p, es, src, dst);
        CU_ASSERT_EQUAL(memcmp(dst, want, 24 * es), 0);
    }
}

/* Slice x[1:6:2, ::-1] of a [7][5] float matrix (negative step), then
 * write it into columns 2..6 of a [3][8] buffer (the Concat pattern). */
static void test_strided_slice_concat(void)
{
    float x[35], y[24], want[24];
    snt_strided p;
    size_t i, j;
    for (i = 0; i < 35; i++)
        x[i] = (float)i;
    for (i = 0; i < 24; i++)
        y[i] = want[i] = -1.0f;
    for (i = 0; i < 3; i++)
        for (j = 0; j < 5; j++)
            want[i * 8 + 2 + j] = x[(1 + 2 * i) * 5 + (4 - j)];
    memset(&p, 0, sizeof p);
    p.rank = 2;
    p.dims[0] = 3; p.dims[1] = 5;
    p.src_strides[0] = 10; p.src_strides[1] = -1;
    p.dst_strides[0] = 8; p.dst_strides[1] = 1;
    snt_strided_copy(&p, sizeof(float), x + 1 * 5 + 4, y + 2);
    CU_ASSERT_EQUAL(count_exact("slice", y, want, 24), 0);

    /* Expand: a [3] row broadcast to [4][3] with a zero source stride. */
    p.dims[0] = 4; p.dims[1] = 3;
    p.src_strides[0] = 0; p.src_strides[1] = 1;
    p.dst_strides[0] = 3; p.dst_strides[1] = 1;
    snt_strided_copy(&p, sizeof(float), x, y);
    for (i = 0; i < 12; i++)
        CU_ASSERT_EQUAL(y[i], x[i % 3]);

    /* A zero-size dim copies nothing. */
    p.dims[0] = 0;
    y[0] = -7.0f;
    snt_strided_copy(&p, sizeof(float), x, y);
    CU_ASSERT_EQUAL(y[0], -7.0f);
}

static void test_gather(void)
{
    /* x [2][4][3] int64, gather axis 1 with indices {3, -1, 0, -4, 1}. */
    int64_t x[24], y[30];
    static const int64_t idx64[] = {3, -1, 0, -4, 1};
    static const int32_t idx32[] = {3, -1, 0, -4, 1};
    static const size_t resolved[] = {3, 3, 0, 0, 1};
    size_t o, j, i;
    for (i = 0; i < 24; i++)
        x[i] = (int64_t)i * 10 - 50;
    snt_gather_i64(2, 4, 3, sizeof(int64_t), x, idx64, 5, y);
    for (o = 0; o < 2; o++)
        for (j = 0; j < 5; j++)
            for (i = 0; i < 3; i++)
                CU_ASSERT_EQUAL(y[(o * 5 + j) * 3 + i], x[(o * 4 + resolved[j]) * 3 + i]);
    memset(y, 0, sizeof y);
    snt_gather_i32(2, 4, 3, sizeof(int64_t), x, idx32, 5, y);
    for (o = 0; o < 2; o++)
        for (j = 0; j < 5; j++)
            for (i = 0; i < 3; i++)
                CU_ASSERT_EQUAL(y[(o * 5 + j) * 3 + i], x[(o * 4 + resolved[j]) * 3 + i]);
    {
        /* Axis 0 of a float [5][2], as an embedding lookup. */
        float e[10], ey[4];
        static const int64_t rows[] = {-5, 4};
        for (i = 0; i < 10; i++)
            e[i] = (float)i;
        snt_gather_i64(1, 5, 2, sizeof(float), e, rows, 2, ey);
        CU_ASSERT(ey[0] == 0 && ey[1] == 1 && ey[2] == 8 && ey[3] == 9);
    }
}

/* ------------------------------------------------------------------ */
/* Pad                                                                 */
/* ------------------------------------------------------------------ */

static long ref_pad_index(snt_pad_mode mode, long i, long n)
{
    if (i >= 0 && i < n)
        return i;
    if (mode == SNT_PAD_EDGE)
        return i < 0 ? 0 : n - 1;
    if (mode == SNT_PAD_REFLECT)   /* pads shorter than the axis */
        return i < 0 ? -i : 2 * (n - 1) - i;
    return -1;
}

static void check_pad(int rank, const size_t *in_dims, const ptrdiff_t *begin,
                      const ptrdiff_t *end, snt_pad_mode mode)
{
    snt_pad_params p;
    ptrdiff_t in_strides[4];
    size_t nin, nout, o;
    float *x, *y, *want;
    int d;
    memset(&p, 0, sizeof p);
    p.rank = rank;
    p.mode = mode;
    p.value = 2.5f;
    for (d = 0; d < rank; d++) {
        p.in_dims[d] = in_dims[d];
        p.pads_begin[d] = begin[d];
        p.out_dims[d] = (size_t)((ptrdiff_t)in_dims[d] + begin[d] + end[d]);
    }
    nin = product(rank, in_dims);
    nout = product(rank, p.out_dims);
    dense_strides(rank, in_dims, in_strides);
    x = rand_floats(nin);
    y = malloc((nout + 1) * sizeof *y);
    want = malloc((nout + 1) * sizeof *want);
    for (o = 0; o < nout; o++) {
        size_t rest = o;
        ptrdiff_t off = 0;
        int inside = 1;
        for (d = rank - 1; d >= 0; d--) {
            long i = ref_pad_index(mode, (long)(rest % p.out_dims[d]) - (long)begin[d], (long)in_dims[d]);
            rest /= p.out_dims[d];
            if (i < 0)
                inside = 0;
            else
                off += i * in_strides[d];
        }
        want[o] = inside ? x[off] : p.value;
    }
    snt_pad_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_exact("pad", y, want, nout), 0);
    free(x); free(y); free(want);
}

static void test_pad(void)
{
    static const size_t dims4[] = {2, 3, 5, 4};
    static const ptrdiff_t b4[] = {0, 1, 2, 3}, e4[] = {1, 0, 3, 2};
    static const ptrdiff_t crop_b[] = {0, -1, 2, -2}, crop_e[] = {0, 1, -1, 1};
    static const size_t dims1[] = {6};
    static const ptrdiff_t b1[] = {5}, e1[] = {4};
    snt_pad_mode mode;
    for (mode = SNT_PAD_CONSTANT; mode <= SNT_PAD_EDGE; mode++) {
        check_pad(4, dims4, b4, e4, mode);
        check_pad(4, dims4, crop_b, crop_e, mode);
        check_pad(1, dims1, b1, e1, mode);
    }
}

/* The ONNX documentation's reflect and edge examples: [3][2] padded by 2
 * columns in front. */
static void test_pad_onnx_examples(void)
{
    static const float x[] = {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f};
    static const float reflect[] = {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f};
    static const float edge[] = {1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f};
    snt_pad_params p;
    float y[12];
    memset(&p, 0, sizeof p);
    p.rank = 2;
    p.in_dims[0] = 3; p.in_dims[1] = 2;
    p.out_dims[0] = 3; p.out_dims[1] = 4;
    p.pads_begin[1] = 2;
    p.mode = SNT_PAD_REFLECT;
    snt_pad_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_exact("pad reflect", y, reflect, 12), 0);
    p.mode = SNT_PAD_EDGE;
    snt_pad_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_exact("pad edge", y, edge, 12), 0);
}

/* ------------------------------------------------------------------ */
/* Resize                                                              */
/* ------------------------------------------------------------------ */

/*
 * The reference follows onnx/reference/ops/op_resize.py: 1-D
 * interpolation applied axis by axis (outermost last), neighbours chosen
 * as the n nearest positions of the edge-padded axis (ties to the lower
 * one), the weight ratio taken as 1 at integral coordinates.
 */
static float ref_coord(const snt_resize_params *p, int d, size_t o)
{
    float x = (float)o, s = p->scales[d], in = (float)p->in_dims[d], out = (float)p->out_dims[d];
    switch (p->coord) {
    case SNT_COORD_HALF_PIXEL:           return (x + 0.5f) / s - 0.5f;
    case SNT_COORD_PYTORCH_HALF_PIXEL:   return out > 1 ? (x + 0.5f) / s - 0.5f : 0.0f;
    case SNT_COORD_ALIGN_CORNERS:        return out > 1 ? x * (in - 1) / (out - 1) : 0.0f;
    case SNT_COORD_ASYMMETRIC:           return x / s;
    case SNT_COORD_TF_HALF_PIXEL_FOR_NN: return (x + 0.5f) / s;
    case SNT_COORD_TF_CROP_AND_RESIZE:
        return out > 1 ? p->roi_start[d] * (in - 1) + x * (p->roi_end[d] - p->roi_start[d]) * (in - 1) / (out - 1)
                       : 0.5f * (p->roi_start[d] + p->roi_end[d]) * (in - 1);
    }
    return NAN;
}

static int ref_coeffs(const snt_resize_params *p, double ratio, double *c)
{
    double a = p->cubic_a;
    if (p->mode == SNT_RESIZE_NEAREST) {
        int up;
        if (ratio == 1.0)
            up = 1;
        else if (p->nearest == SNT_NEAREST_ROUND_PREFER_FLOOR)
            up = ratio > 0.5;
        else if (p->nearest == SNT_NEAREST_ROUND_PREFER_CEIL)
            up = ratio >= 0.5;
        else
            up = p->nearest == SNT_NEAREST_CEIL;
        c[0] = !up;
        c[1] = up;
        return 2;
    }
    if (p->mode == SNT_RESIZE_LINEAR) {
        c[0] = 1 - ratio;
        c[1] = ratio;
        return 2;
    }
    c[0] = ((a * (ratio + 1) - 5 * a) * (ratio + 1) + 8 * a) * (ratio + 1) - 4 * a;
    c[1] = ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
    c[2] = ((a + 2) * (1 - ratio) - (a + 3)) * (1 - ratio) * (1 - ratio) + 1;
    c[3] = ((a * ((1 - ratio) + 1) - 5 * a) * ((1 - ratio) + 1) + 8 * a) * ((1 - ratio) + 1) - 4 * a;
    return 4;
}

/* Interpolates along one axis the values v[0..len) at output position o. */
static double ref_interp_1d(const snt_resize_params *p, int d, size_t o, const double *v, size_t len,
                            int *outside)
{
    double x = ref_coord(p, d, o), ratio, c[4], sum = 0, csum = 0;
    long n, pad, idx[4], i, k, fl;
    if (p->coord == SNT_COORD_TF_CROP_AND_RESIZE && (x < 0 || x > (double)len - 1)) {
        *outside = 1;
        return p->extrapolation_value;
    }
    fl = (long)floor(x);
    ratio = x == floor(x) ? 1.0 : x - fl;
    n = ref_coeffs(p, ratio, c);
    pad = (n + 1) / 2;
    /* The n positions of the padded axis [-pad, len + pad) nearest to x,
     * ties to the lower, picked one at a time; then in increasing order. */
    for (k = 0; k < n; k++) {
        long best = 0;
        int found = 0;
        for (i = -pad; i < (long)len + pad; i++) {
            long j;
            int taken = 0;
            for (j = 0; j < k; j++)
                taken |= idx[j] == i;
            if (!taken && (!found || fabs(x - i) < fabs(x - best))) {
                best = i;
                found = 1;
            }
        }
        idx[k] = best;
    }
    for (k = 1; k < n; k++)             /* insertion sort */
        for (i = k; i > 0 && idx[i - 1] > idx[i]; i--) {
            long t = idx[i];
            idx[i] = idx[i - 1];
            idx[i - 1] = t;
        }
    for (k = 0; k < n; k++) {
        long src = idx[k] < 0 ? 0 : (idx[k] >= (long)len ? (long)len - 1 : idx[k]);
        if (p->exclude_outside && (idx[k] < 0 || idx[k] >= (long)len))
            c[k] = 0;
        csum += c[k];
        sum += c[k] * v[src];
    }
    return p->exclude_outside ? sum / csum : sum;
}

/* Resizes x (dims p->in_dims) into want, axis by axis from the last. */
static void ref_resize(const snt_resize_params *p, const float *x, double *want)
{
    size_t cur_dims[SNT_MAX_RANK], total = product(p->rank, p->in_dims), i;
    double *cur = malloc(total * sizeof *cur);
    int d;
    char *outside;
    memcpy(cur_dims, p->in_dims, sizeof cur_dims);
    for (i = 0; i < total; i++)
        cur[i] = x[i];
    outside = calloc(product(p->rank, p->out_dims) + total + 1, 1);
    for (d = p->rank - 1; d >= 0; d--) {
        size_t outer = product(d, cur_dims), inner = product(p->rank - d - 1, cur_dims + d + 1);
        size_t len = cur_dims[d], olen = p->out_dims[d], a, o, b;
        double *next = malloc((outer * olen * inner + 1) * sizeof *next);
        char *next_out = calloc(outer * olen * inner + 1, 1);
        double *line = malloc((len + 1) * sizeof *line);
        for (a = 0; a < outer; a++) {
            for (b = 0; b < inner; b++) {
                int any = 0;
                for (i = 0; i < len; i++) {
                    line[i] = cur[(a * len + i) * inner + b];
                    any |= outside[(a * len + i) * inner + b];
                }
                for (o = 0; o < olen; o++) {
                    int out = 0;
                    next[(a * olen + o) * inner + b] = ref_interp_1d(p, d, o, line, len, &out);
                    /* Extrapolated anywhere: the whole element extrapolates. */
                    next_out[(a * olen + o) * inner + b] = (char)(out || any);
                }
            }
        }
        free(line);
        free(cur);
        free(outside);
        cur = next;
        outside = next_out;
        cur_dims[d] = olen;
    }
    total = product(p->rank, p->out_dims);
    for (i = 0; i < total; i++)
        want[i] = outside[i] ? p->extrapolation_value : cur[i];
    free(cur);
    free(outside);
}

static void setup_resize(snt_resize_params *p, int rank, const size_t *in, const size_t *out,
                         const float *scales)
{
    int d;
    memset(p, 0, sizeof *p);
    p->rank = rank;
    p->cubic_a = -0.75f;
    for (d = 0; d < rank; d++) {
        p->in_dims[d] = in[d];
        p->out_dims[d] = out[d];
        p->scales[d] = scales[d];
        p->roi_start[d] = 0.0f;
        p->roi_end[d] = 1.0f;
    }
}

static void test_resize_random(void)
{
    static const struct { size_t in[4], out[4]; float scales[4]; } shapes[] = {
        {{1, 2, 5, 6}, {1, 2, 10, 12}, {1, 1, 2, 2}},        /* 2x up */
        {{1, 2, 4, 7}, {1, 2, 12, 10}, {1, 1, 3, 1.5f}},     /* uneven up */
        {{2, 1, 9, 8}, {2, 1, 4, 6}, {1, 1, 0.5f, 0.75f}},   /* down */
        {{1, 3, 1, 5}, {1, 3, 1, 9}, {1, 1, 1, 1.8f}},       /* H = 1 */
        {{2, 3, 4, 5}, {1, 2, 4, 5}, {0.5f, 0.7f, 1, 1}},    /* outer axes */
        {{1, 1, 3, 70}, {1, 1, 5, 300}, {1, 1, 1.6666666f, 4.285714f}},  /* rows > 128 wide */
    };
    size_t si;
    int mode, coord, nearest, excl;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t nin = product(4, shapes[si].in), nout = product(4, shapes[si].out);
        float *x = rand_floats(nin), *y = malloc(nout * sizeof *y);
        double *want = malloc(nout * sizeof *want);
        for (mode = SNT_RESIZE_NEAREST; mode <= SNT_RESIZE_CUBIC; mode++)
        for (coord = SNT_COORD_HALF_PIXEL; coord <= SNT_COORD_TF_HALF_PIXEL_FOR_NN; coord++)
        for (nearest = 0; nearest <= (mode == SNT_RESIZE_NEAREST ? 3 : 0); nearest++)
        for (excl = 0; excl <= (mode == SNT_RESIZE_CUBIC); excl++) {
            snt_resize_params p;
            int d;
            setup_resize(&p, 4, shapes[si].in, shapes[si].out, shapes[si].scales);
            p.mode = (snt_resize_mode)mode;
            p.coord = (snt_coord_mode)coord;
            p.nearest = (snt_nearest_mode)nearest;
            p.exclude_outside = excl;
            p.cubic_a = excl ? -0.5f : -0.75f;
            p.extrapolation_value = -9.0f;
            if (coord == SNT_COORD_TF_CROP_AND_RESIZE)
                for (d = 0; d < 4; d++) {   /* crop boxes inside and past the input */
                    p.roi_start[d] = d == 2 ? 0.1f : (d == 3 ? -0.2f : 0.0f);
                    p.roi_end[d] = d == 2 ? 0.8f : (d == 3 ? 1.2f : 1.0f);
                }
            ref_resize(&p, x, want);
            snt_resize_f32(&p, x, y);
            if (count_mismatches("resize", y, want, nout, 1e-5, 1e-5) != 0)
                fprintf(stderr, "  (shape %zu mode %d coord %d nearest %d exclude %d)\n",
                        si, mode, coord, nearest, excl);
            CU_ASSERT_EQUAL(count_mismatches("resize", y, want, nout, 1e-5, 1e-5), 0);
        }
        free(x); free(y); free(want);
    }
}

/* Rank 1 and rank 2 resizes against the same reference. */
static void test_resize_low_rank(void)
{
    static const size_t in1[] = {7}, out1[] = {17}, in2[] = {5, 3}, out2[] = {2, 8};
    static const float s1[] = {17.0f / 7.0f}, s2[] = {0.4f, 8.0f / 3.0f};
    snt_resize_params p;
    float x[15], y[17];
    double want[17];
    size_t i;
    for (i = 0; i < 15; i++)
        x[i] = frand();
    setup_resize(&p, 1, in1, out1, s1);
    p.mode = SNT_RESIZE_CUBIC;
    ref_resize(&p, x, want);
    snt_resize_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_mismatches("resize rank 1", y, want, 17, 1e-5, 1e-5), 0);
    setup_resize(&p, 2, in2, out2, s2);
    p.mode = SNT_RESIZE_LINEAR;
    p.coord = SNT_COORD_ALIGN_CORNERS;
    ref_resize(&p, x, want);
    snt_resize_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_mismatches("resize rank 2", y, want, 16, 1e-5, 1e-5), 0);
}

/* PyTorch 1.13 F.interpolate of the 3x4 input 1..12 scaled by 2, the
 * modes its ONNX export maps to Resize; values printed to 6 decimals. */
static void test_resize_torch_values(void)
{
    static const float bilinear[] = {
        1.0f, 1.25f, 1.75f, 2.25f, 2.75f, 3.25f, 3.75f, 4.0f,
        2.0f, 2.25f, 2.75f, 3.25f, 3.75f, 4.25f, 4.75f, 5.0f,
        4.0f, 4.25f, 4.75f, 5.25f, 5.75f, 6.25f, 6.75f, 7.0f,
        6.0f, 6.25f, 6.75f, 7.25f, 7.75f, 8.25f, 8.75f, 9.0f,
        8.0f, 8.25f, 8.75f, 9.25f, 9.75f, 10.25f, 10.75f, 11.0f,
        9.0f, 9.25f, 9.75f, 10.25f, 10.75f, 11.25f, 11.75f, 12.0f};
    static const float bilinear_ac[] = {
        1.0f, 1.428571f, 1.857143f, 2.285714f, 2.714286f, 3.142857f, 3.571429f, 4.0f,
        2.6f, 3.028571f, 3.457143f, 3.885715f, 4.314286f, 4.742857f, 5.171429f, 5.6f,
        4.2f, 4.628572f, 5.057143f, 5.485714f, 5.914286f, 6.342857f, 6.771429f, 7.2f,
        5.8f, 6.228571f, 6.657143f, 7.085714f, 7.514286f, 7.942857f, 8.371428f, 8.8f,
        7.4f, 7.828571f, 8.257143f, 8.685715f, 9.114285f, 9.542856f, 9.971429f, 10.400001f,
        9.0f, 9.428572f, 9.857143f, 10.285715f, 10.714286f, 11.142858f, 11.571429f, 12.000001f};
    static const float bicubic[] = {
        0.472656f, 0.769531f, 1.246094f, 1.875f, 2.28125f, 2.910156f, 3.386719f, 3.683594f,
        1.660156f, 1.957031f, 2.433594f, 3.0625f, 3.46875f, 4.097656f, 4.574219f, 4.871094f,
        3.566406f, 3.863281f, 4.339844f, 4.96875f, 5.375f, 6.003906f, 6.480469f, 6.777344f,
        6.222656f, 6.519531f, 6.996094f, 7.625f, 8.03125f, 8.660156f, 9.136719f, 9.433594f,
        8.128906f, 8.425781f, 8.902344f, 9.53125f, 9.9375f, 10.566406f, 11.042969f, 11.339844f,
        9.316406f, 9.613281f, 10.089844f, 10.71875f, 11.125f, 11.753906f, 12.230469f, 12.527344f};
    static const size_t in[] = {1, 1, 3, 4}, out[] = {1, 1, 6, 8};
    static const float scales[] = {1, 1, 2, 2};
    snt_resize_params p;
    float x[12], y[48];
    double want[48];
    size_t i;
    for (i = 0; i < 12; i++)
        x[i] = (float)(i + 1);

    setup_resize(&p, 4, in, out, scales);
    p.mode = SNT_RESIZE_LINEAR;
    p.coord = SNT_COORD_PYTORCH_HALF_PIXEL;
    snt_resize_f32(&p, x, y);
    for (i = 0; i < 48; i++) want[i] = bilinear[i];
    CU_ASSERT_EQUAL(count_mismatches("torch bilinear", y, want, 48, 2e-6, 1e-6), 0);

    p.coord = SNT_COORD_ALIGN_CORNERS;
    snt_resize_f32(&p, x, y);
    for (i = 0; i < 48; i++) want[i] = bilinear_ac[i];
    CU_ASSERT_EQUAL(count_mismatches("torch bilinear ac", y, want, 48, 2e-6, 1e-6), 0);

    p.mode = SNT_RESIZE_CUBIC;
    p.coord = SNT_COORD_PYTORCH_HALF_PIXEL;
    snt_resize_f32(&p, x, y);
    for (i = 0; i < 48; i++) want[i] = bicubic[i];
    CU_ASSERT_EQUAL(count_mismatches("torch bicubic", y, want, 48, 2e-6, 1e-6), 0);

    /* torch 'nearest' exports as asymmetric + floor. */
    p.mode = SNT_RESIZE_NEAREST;
    p.coord = SNT_COORD_ASYMMETRIC;
    p.nearest = SNT_NEAREST_FLOOR;
    snt_resize_f32(&p, x, y);
    for (i = 0; i < 48; i++)
        CU_ASSERT_EQUAL(y[i], x[(i / 8 / 2) * 4 + (i % 8) / 2]);
}

/* ONNX documentation: resize_downsample_scales_linear. */
static void test_resize_onnx_example(void)
{
    static const size_t in[] = {1, 1, 2, 4}, out[] = {1, 1, 1, 2};
    static const float scales[] = {1, 1, 0.6f, 0.6f};
    static const float x[] = {1, 2, 3, 4, 5, 6, 7, 8};
    double want[2] = {2.6666665, 4.3333331};
    snt_resize_params p;
    float y[2];
    setup_resize(&p, 4, in, out, scales);
    p.mode = SNT_RESIZE_LINEAR;
    p.coord = SNT_COORD_HALF_PIXEL;
    snt_resize_f32(&p, x, y);
    CU_ASSERT_EQUAL(count_mismatches("resize onnx", y, want, 2, 1e-6, 1e-6), 0);
}

/* ------------------------------------------------------------------ */
/* Cast                                                                */
/* ------------------------------------------------------------------ */

static void test_cast(void)
{
    static const float f[] = {-2.7f, 2.7f, 0.0f, -0.0f, 200.5f, 1e20f, -1e20f, 0.5f};
    static const int32_t want_i32[] = {-2, 2, 0, 0, 200, INT32_MAX, INT32_MIN, 0};
    static const uint8_t want_bool[] = {1, 1, 0, 0, 1, 1, 1, 1};
    static const int64_t i64[] = {-3, 0, 1, ((int64_t)1 << 40) + 1};
    static const int32_t wrap_src[] = {300, -1, 127, -129};
    static const int8_t want_i8[] = {44, -1, 127, 127};
    static const uint8_t bools[] = {1, 0, 7, 1};
    float nan_in = NAN, out_f[4];
    int32_t i32[8];
    uint8_t u8[8];
    int8_t i8[4];
    int64_t back[4];
    double d[4];
    int32_t zero = 7;

    snt_cast(SNT_DT_FLOAT, f, SNT_DT_INT32, i32, 8);
    /* 1e20 saturates through int64 and keeps its low 32 bits: not asserted. */
    CU_ASSERT(i32[0] == want_i32[0] && i32[1] == want_i32[1] && i32[2] == 0 && i32[3] == 0);
    CU_ASSERT(i32[4] == want_i32[4] && i32[7] == 0);
    snt_cast(SNT_DT_FLOAT, f, SNT_DT_BOOL, u8, 8);
    CU_ASSERT_EQUAL(memcmp(u8, want_bool, 8), 0);
    snt_cast(SNT_DT_FLOAT, f + 4, SNT_DT_UINT8, u8, 1);
    CU_ASSERT_EQUAL(u8[0], 200);
    snt_cast(SNT_DT_FLOAT, &nan_in, SNT_DT_INT32, &zero, 1);
    CU_ASSERT_EQUAL(zero, 0);

    snt_cast(SNT_DT_INT64, i64, SNT_DT_FLOAT, out_f, 4);
    CU_ASSERT(out_f[0] == -3.0f && out_f[1] == 0.0f && out_f[2] == 1.0f &&
              out_f[3] == 1099511627776.0f);
    snt_cast(SNT_DT_INT64, i64, SNT_DT_DOUBLE, d, 4);
    CU_ASSERT(d[0] == -3.0 && d[3] == 1099511627777.0);
    snt_cast(SNT_DT_DOUBLE, d, SNT_DT_INT64, back, 4);
    CU_ASSERT_EQUAL(memcmp(back, i64, sizeof back), 0);
    snt_cast(SNT_DT_INT32, wrap_src, SNT_DT_INT8, i8, 4);
    CU_ASSERT(i8[0] == want_i8[0] && i8[1] == want_i8[1] && i8[2] == want_i8[2]);
    CU_ASSERT_EQUAL(i8[3], 127);   /* -129 wraps to 127 */
    snt_cast(SNT_DT_BOOL, bools, SNT_DT_FLOAT, out_f, 4);
    CU_ASSERT(out_f[0] == 1.0f && out_f[1] == 0.0f && out_f[2] == 1.0f && out_f[3] == 1.0f);
    snt_cast(SNT_DT_INT64, i64, SNT_DT_INT64, back, 4);
    CU_ASSERT_EQUAL(memcmp(back, i64, sizeof back), 0);
}

static void test_cast_float16(void)
{
    static const float f[] = {1.0f, -2.0f, 65504.0f, 0.1f, 5.9604645e-8f, 1e6f, 0.0f, 1.0009765625f,
                              1.00048828125f /* tie: rounds to even 1.0 */,
                              0.99999994f /* rounds up into the next binade */};
    static const uint16_t want[] = {0x3c00, 0xc000, 0x7bff, 0x2e66, 0x0001, 0x7c00, 0x0000, 0x3c01,
                                    0x3c00, 0x3c00};
    uint16_t h[10];
    float back[9];
    size_t i;
    snt_cast(SNT_DT_FLOAT, f, SNT_DT_FLOAT16, h, 10);
    for (i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(h[i], want[i]);
    snt_cast(SNT_DT_FLOAT16, want, SNT_DT_FLOAT, back, 9);
    CU_ASSERT(back[0] == 1.0f && back[1] == -2.0f && back[2] == 65504.0f);
    CU_ASSERT(fabsf(back[3] - 0.1f) < 1e-4f && back[4] == 5.9604645e-8f && isinf(back[5]));
}

/* ------------------------------------------------------------------ */

int main(void)
{
    static const kernel_test tests[] = {
        {"activations", test_activations},
        {"unary", test_unary},
        {"binary f32 broadcasting", test_binary_f32},
        {"binary in place", test_binary_in_place},
        {"binary i64", test_binary_i64},
        {"sgemm", test_sgemm},
        {"sgemm scratch is bounded", test_sgemm_scratch},
        {"sgemm split over threads: the serial bits", test_sgemm_split},
        {"matmul", test_matmul},
        {"gemm", test_gemm},
        {"linear", test_linear},
        {"conv2d", test_conv2d},
        {"conv2d fused epilogue", test_conv2d_epilogue},
        {"pool2d", test_pool2d},
        {"pool2d onnx examples", test_pool2d_onnx_examples},
        {"global avgpool", test_global_avgpool},
        {"batchnorm", test_batchnorm},
        {"layernorm", test_layernorm},
        {"softmax", test_softmax},
        {"reduce", test_reduce},
        {"strided transpose", test_strided_transpose},
        {"strided slice concat expand", test_strided_slice_concat},
        {"gather", test_gather},
        {"pad", test_pad},
        {"pad onnx examples", test_pad_onnx_examples},
        {"resize random", test_resize_random},
        {"resize low rank", test_resize_low_rank},
        {"resize torch values", test_resize_torch_values},
        {"resize onnx example", test_resize_onnx_example},
        {"cast", test_cast},
        {"cast float16", test_cast_float16},
    };
    return run_kernel_tests("runtime", tests, sizeof tests / sizeof tests[0]);
}
