/*
 * test_act_math.c - the runtime's vectorisable float exp, expm1,
 * sigmoid, tanh and softplus (runtime/src/internal.h) against double
 * libm, then snt_act_f32 and snt_actx_f32 for every activation kind
 * and the fused epilogue row (snt__epilogue_row) on ragged lengths.
 *
 * The functions are swept over a stride through every float bit pattern
 * (each binade, the subnormals, both signs, inf and NaN), densely over
 * [-90, 90], and at the special values and the boundaries of their
 * branches.  Normal results must be within the relative bound below; an
 * exhaustive sweep of all 2^32 inputs measured at most
 *              exp      expm1    sigmoid  tanh     softplus
 *   -O2        1.04e-7  3.06e-7  2.12e-7  1.64e-7  2.54e-7
 *   -O3 -march=native -ffp-contract=fast (the runtime's flags)
 *              0.81e-7  2.27e-7  2.00e-7  1.70e-7  2.15e-7
 * and the bounds leave about half as much again for other compilers and
 * flags.  Subnormal results must be within one subnormal ulp (0.88
 * measured), and zeros, infinities and NaN exactly as libm's, the sign
 * of zero included.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_test.h"

#include "runtime/src/internal.h"

/* ------------------------------------------------------------------ */
/* The float functions                                                 */
/* ------------------------------------------------------------------ */

static float f_exp(float x) { return snt__expf(x); }
static float f_expm1(float x) { return snt__expm1f(x); }
static float f_sigmoid(float x) { return snt__sigmoidf(x); }
static float f_tanh(float x) { return snt__tanhf(x); }
static float f_softplus(float x) { return snt__softplusf(x); }

static double r_softplus(double x) { return (x > 0 ? x : 0) + log1p(exp(-fabs(x))); }

typedef struct {
    const char *name;
    float (*f)(float);
    double (*ref)(double);
    double rel;           /* bound on the relative error of normal results */
} math_case;

static const math_case math_cases[] = {
    {"exp", f_exp, exp, 1.5e-7},
    {"expm1", f_expm1, expm1, 4.5e-7},
    {"sigmoid", f_sigmoid, ref_sigmoid, 3e-7},
    {"tanh", f_tanh, tanh, 2.5e-7},
    {"softplus", f_softplus, r_softplus, 3.5e-7},
};

typedef struct {
    size_t bad;
    double max_rel;
} tally;

/* Checks f(x) against ref(x): see the file comment for the rules. */
static void check_point(const math_case *c, float x, tally *t)
{
    const double want = c->ref(x), got = c->f(x);
    const float want_f = (float)want;
    int ok;
    if (isnan(want) || isnan(got)) {
        ok = isnan(want) && isnan(got);
    } else if (want == 0 || isinf(want_f) || isinf(got)) {
        /* zeros (their sign too) and overflow exactly */
        ok = got == want_f && !signbit(got) == !signbit(want_f);
    } else if (fabs(want) < FLT_MIN) {
        ok = fabs(got - want) <= 0x1p-149;
    } else {
        double rel = fabs(got - want) / fabs(want);
        if (rel > t->max_rel)
            t->max_rel = rel;
        ok = rel <= c->rel;
    }
    if (!ok && t->bad++ < 3)
        fprintf(stderr, "\n  %s(%.9g) = %.9g, want %.9g", c->name, x, got, want);
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The special values, and both sides of every clamp and branch point. */
static const float specials[] = {
    0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
    0x1p-149f, -0x1p-149f, 0x1p-130f, -0x1p-130f, 1e-30f, -1e-30f, 1e-8f, -1e-8f,
    88.7228f, 88.72283f, 88.72284f, 88.7229f, 89.0f, 89.1f, 100.0f,
    -87.33654f, -87.3366f, -100.0f, -103.27893f, -103.972f, -103.973f, -104.0f, -104.1f,
    0.34f, 0.340001f, -0.34f, -0.340001f, 0.3465736f, -0.3465736f, 0.3466f,
    0.55f, 0.550001f, -0.55f, -0.550001f, 9.0f, -9.0f, 44.0f, -44.0f, 1.0f, -1.0f,
};

static void test_math_sweep(void)
{
    size_t ci, i;
    for (ci = 0; ci < sizeof math_cases / sizeof math_cases[0]; ci++) {
        const math_case *c = &math_cases[ci];
        tally t = {0, 0.0};
        uint64_t u;
        float x;
        for (u = 0; u <= 0xffffffffu; u += 1021)
            check_point(c, from_bits((uint32_t)u), &t);
        for (x = -90.0f; x <= 90.0f; x += 0x1p-9f)
            check_point(c, x, &t);
        for (i = 0; i < sizeof specials / sizeof specials[0]; i++)
            check_point(c, specials[i], &t);
        CU_ASSERT_EQUAL(t.bad, 0);
        fprintf(stderr, "\n  %-8s max relative error %.3g (bound %.3g)", c->name, t.max_rel,
                c->rel);
    }
}

/* ------------------------------------------------------------------ */
/* snt_act_f32 and the epilogue                                        */
/* ------------------------------------------------------------------ */

#define GUARD 8
#define GUARD_VALUE 1234.5f

static const size_t lengths[] = {0, 1, 3, 15, 16, 17, 31, 33, 64, 100, 257, 1031};

/*
 * The error allowed in act(v) = want: the piecewise-linear kinds are
 * exact (each is one correctly rounded float operation at most).  The
 * others carry their function's relative bound; Gelu's also 3e-7 |v|
 * where 1 + erf cancels for negative v (snt__erff is within 5e-7 of
 * erf); Gelu-tanh's grows with the argument z = 2u of its sigmoid, since
 * rounding u in float moves e^z by |z| times the rounding, relatively,
 * and where that sigmoid is subnormal its rounding (half a subnormal
 * ulp) is multiplied by |v|.
 */
static double act_bound(snt_act_kind kind, double v, double want)
{
    /* The hard sigmoid's alpha v + beta cancels near its 0 corner, where
     * its two roundings are all that is left (times |v| for HardSwish);
     * the tests use alpha 0.1, beta 2. */
    double hard = 0x1p-24 * (fabs(0.1 * v) + 2.0);
    double z = 1.5957691216057308 * (v + 0.044715 * v * v * v);
    switch (kind) {
    case SNT_ACT_SIGMOID:   return 3e-7 * fabs(want) + 0x1p-149;
    case SNT_ACT_TANH:      return 2.5e-7 * fabs(want) + 0x1p-149;
    case SNT_ACT_GELU:      return 6e-7 * fabs(want) + 3e-7 * fabs(v);
    case SNT_ACT_GELU_TANH: return (5e-7 + 3e-7 * fabs(z)) * fabs(want) + fabs(v) * 0x1p-149;
    case SNT_ACT_HARD_SIGMOID: return hard + 0x1p-24 * fabs(want);
    case SNT_ACT_HARD_SWISH: return (hard + 0x1p-23) * fabs(v) + 0x1p-149;
    case SNT_ACT_SILU:      return 4e-7 * fabs(want) + fabs(v) * 0x1p-149;
    default:                return 0;
    }
}

/* Inputs over [-12, 12] from a fixed LCG, with every 9th one from
 * [-120, 120] (the far tails) and NaN, -0 and +0 among them. */
static void fill_inputs(float *x, size_t n)
{
    unsigned long long s = 88172645463325252ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        float u;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        u = (float)((s >> 40) & 0xffffff) / 8388608.0f - 1.0f;
        x[i] = u * (i % 9 == 4 ? 120.0f : 12.0f);
    }
    if (n > 5) {
        x[1] = NAN;
        x[3] = -0.0f;
        x[5] = 0.0f;
    }
}

/* Within bound (NaN for NaN), and a zero of the sign wanted. */
static int act_ok(snt_act_kind kind, float v, float got, double want)
{
    if (isnan(want))
        return isnan(got);
    if (got == 0 && want == 0)
        return !signbit(got) == !signbit(want);
    return fabs(got - want) <= act_bound(kind, v, want) ||
           (kind < SNT_ACT_SIGMOID && got == (float)want);
}

/* Counts outputs out of bound, and guard floats past y[n-1] changed. */
static size_t count_act_bad(const snt_act *a, const float *x, const float *y, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        double want = ref_act(a, x[i]);
        if (!act_ok(a->kind, x[i], y[i], want) && bad++ == 0)
            fprintf(stderr, "\n  act %d n %zu: [%zu] f(%.9g) = %.9g, want %.9g", (int)a->kind,
                    n, i, x[i], y[i], want);
    }
    for (i = n; i < n + GUARD; i++)
        bad += y[i] != GUARD_VALUE;
    return bad;
}

static void fill_guarded(float *y, size_t n, const float *from)
{
    size_t i;
    for (i = 0; i < n + GUARD; i++)
        y[i] = i < n && from ? from[i] : GUARD_VALUE;
}

static void test_act_ragged(void)
{
    enum { MAXN = 1031 };
    static float x[MAXN + 1], y[MAXN + 1 + GUARD];
    snt_act a;
    size_t li;
    int kind;
    fill_inputs(x, MAXN + 1);
    for (kind = SNT_ACT_NONE; kind <= SNT_ACT_SILU; kind++) {
        a.kind = (snt_act_kind)kind;
        a.alpha = kind == SNT_ACT_CLIP ? -1.5f : 0.1f;
        a.beta = 2.0f;
        for (li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
            size_t n = lengths[li];
            /* From x + 1: not aligned to a vector. */
            fill_guarded(y, n, NULL);
            snt_act_f32(&a, x + 1, y, n);
            CU_ASSERT_EQUAL(count_act_bad(&a, x + 1, y, n), 0);
            /* In place gives the same. */
            fill_guarded(y, n, x + 1);
            snt_act_f32(&a, y, y, n);
            CU_ASSERT_EQUAL(count_act_bad(&a, x + 1, y, n), 0);
        }
    }
}

/* Clip with alpha > beta is beta everywhere, as ONNX's min(max(.)). */
static void test_act_clip_crossed(void)
{
    const snt_act a = {SNT_ACT_CLIP, 3.0f, 1.0f};
    float x[20], y[20];
    size_t i, bad = 0;
    fill_inputs(x, 20);
    snt_act_f32(&a, x, y, 20);
    for (i = 0; i < 20; i++)
        bad += !(isnan(x[i]) ? isnan(y[i]) : y[i] == 1.0f);
    CU_ASSERT_EQUAL(bad, 0);
}

/* The activations at +-inf, NaN and -0, exactly. */
static void test_act_specials(void)
{
    static const float x[] = {INFINITY, -INFINITY, NAN, -0.0f};
    static const struct { snt_act_kind kind; float want[4]; } cases[] = {
        {SNT_ACT_SIGMOID, {1.0f, 0.0f, NAN, 0.5f}},
        {SNT_ACT_TANH, {1.0f, -1.0f, NAN, -0.0f}},
        {SNT_ACT_GELU_TANH, {INFINITY, NAN, NAN, -0.0f}},
    };
    size_t c, i;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const snt_act a = {cases[c].kind, 0.0f, 0.0f};
        float y[4];
        snt_act_f32(&a, x, y, 4);
        for (i = 0; i < 4; i++) {
            float w = cases[c].want[i];
            CU_ASSERT(isnan(w) ? isnan(y[i]) : y[i] == w && !signbit(y[i]) == !signbit(w));
        }
    }
}

/* The snt_actx activations from their definitions, in double; the
 * comparisons mirror the kernel's, so that NaN goes the same way. */
static double ref_actx(const snt_actx *a, double x)
{
    double t;
    switch (a->kind) {
    case SNT_ACTX_ELU: return x < 0 ? a->alpha * expm1(x) : x;
    case SNT_ACTX_SELU: return a->gamma * (x <= 0 ? a->alpha * expm1(x) : x);
    case SNT_ACTX_CELU: return x > 0 ? x : a->alpha * expm1(x / a->alpha);
    case SNT_ACTX_THRESHOLDED_RELU: return x > a->alpha ? x : 0;
    case SNT_ACTX_SHRINK: return x < -a->alpha ? x + a->beta : x > a->alpha ? x - a->beta : 0;
    case SNT_ACTX_SOFTPLUS: return r_softplus(x);
    case SNT_ACTX_SOFTSIGN: return x / (1 + fabs(x));
    case SNT_ACTX_HARD_SIGMOID:
        t = a->alpha * x + a->beta;
        return t < 0 ? 0 : t > 1 ? 1 : t;
    case SNT_ACTX_HARD_SWISH:
        t = x / 6 + 0.5;
        return x * (t < 0 ? 0 : t > 1 ? 1 : t);
    case SNT_ACTX_MISH: return x * tanh(r_softplus(x));
    }
    return NAN;
}

/* The error allowed in snt_actx_f32(a, v) = want: expm1's bound and a
 * rounding or two of the product around it; softplus's; Mish adds
 * tanh's to softplus's; the rest are a few correctly rounded operations,
 * but the hard sigmoid alpha v + beta cancels near its 0 corner, where
 * its two roundings (2^-24 of each term) are all that is left (times |v|
 * for HardSwish).  Results in the subnormals may be off by (1 + |v|)
 * subnormal ulps. */
static double actx_bound(const snt_actx *a, double v, double want)
{
    double rel = 2.5e-7, hard = 0;
    switch (a->kind) {
    case SNT_ACTX_ELU: case SNT_ACTX_SELU: case SNT_ACTX_CELU: rel = 6e-7; break;
    case SNT_ACTX_SOFTPLUS: rel = 3.5e-7; break;
    case SNT_ACTX_MISH: rel = 7e-7; break;
    case SNT_ACTX_HARD_SIGMOID: hard = 0x1p-24 * (fabs(a->alpha * v) + fabs(a->beta)); break;
    case SNT_ACTX_HARD_SWISH: hard = 0x1p-24 * (fabs(v / 6) + 0.5) * fabs(v); break;
    default: break;
    }
    return rel * fabs(want) + hard + (1 + fabs(v)) * 0x1p-149;
}

static void test_actx_ragged(void)
{
    enum { MAXN = 1031 };
    static const snt_actx acts[] = {
        {SNT_ACTX_ELU, 0.7f, 0.0f, 0.0f}, {SNT_ACTX_SELU, 1.6732632f, 0.0f, 1.0507010f},
        {SNT_ACTX_CELU, 0.5f, 0.0f, 0.0f}, {SNT_ACTX_THRESHOLDED_RELU, 1.0f, 0.0f, 0.0f},
        {SNT_ACTX_SHRINK, 0.5f, 0.25f, 0.0f}, {SNT_ACTX_SOFTPLUS, 0.0f, 0.0f, 0.0f},
        {SNT_ACTX_SOFTSIGN, 0.0f, 0.0f, 0.0f}, {SNT_ACTX_HARD_SIGMOID, 0.2f, 0.5f, 0.0f},
        {SNT_ACTX_HARD_SWISH, 0.0f, 0.0f, 0.0f}, {SNT_ACTX_MISH, 0.0f, 0.0f, 0.0f},
    };
    static float x[MAXN + 1], y[MAXN + 1 + GUARD];
    size_t k, li, i;
    fill_inputs(x, MAXN + 1);
    for (k = 0; k < sizeof acts / sizeof acts[0]; k++)
        for (li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
            size_t n = lengths[li], bad = 0;
            fill_guarded(y, n, NULL);
            snt_actx_f32(&acts[k], x + 1, y, n);
            for (i = 0; i < n; i++) {
                double v = x[i + 1], want = ref_actx(&acts[k], v);
                int ok = isnan(want) ? isnan(y[i])
                         : y[i] == want || fabs(y[i] - want) <= actx_bound(&acts[k], v, want);
                if (!ok && bad++ == 0)
                    fprintf(stderr, "\n  actx %d n %zu: [%zu] f(%.9g) = %.9g, want %.9g",
                            (int)acts[k].kind, n, i, v, y[i], want);
            }
            for (i = n; i < n + GUARD; i++)
                bad += y[i] != GUARD_VALUE;
            CU_ASSERT_EQUAL(bad, 0);
        }
}

/* Which of the epilogue's optional parts a check passes. */
enum { EP_BIAS = 1, EP_AFFINE = 2, EP_RESIDUAL = 4, EP_ALL = 7 };

/* act(y + bias[row]) * scale[row] + shift[row] + res[row * ld + col + i]
 * in double, each step only when its part is there (so that a -0 stays
 * -0 as well), from the float sum y + bias (the one rounding the kernel
 * does before the activation).  The allowed error is the activation's
 * scaled by |scale| plus two roundings of the magnitudes summed. */
static int epilogue_ok(const snt__epilogue *ep, size_t row, size_t col, size_t i, float y0,
                       float got)
{
    const float v = ep->bias ? y0 + ep->bias[row] : y0;
    const double act = ref_act(&ep->act, v);
    const double s = ep->scale ? ep->scale[row] : 1.0, t = ep->scale ? ep->shift[row] : 0.0;
    const double r = ep->residual ? ep->residual[row * ep->res_ld + col + i] : 0.0;
    double want = act, bound;
    if (ep->scale)
        want = want * s + t;
    if (ep->residual)
        want += r;
    bound = act_bound(ep->act.kind, v, act) * fabs(s) +
            0x1p-23 * (fabs(act * s) + fabs(t) + fabs(r));
    if (isnan(want))
        return isnan(got);
    if (got == 0 && want == 0)
        return !signbit(got) == !signbit(want);
    return fabs(got - want) <= bound;
}

/* Runs the epilogue on row `row`, columns [col, col + n), of a copy of x
 * with the parts in `parts`, and counts wrong outputs and guards. */
static size_t check_epilogue(snt_act_kind kind, int parts, size_t row, size_t col, size_t n,
                             const float *x)
{
    static const float bias[3] = {0.25f, -1.5f, 3.0f}, scale[3] = {2.0f, -0.5f, 1.25f},
                       shift[3] = {-0.75f, 0.5f, 0.0f};
    enum { LD = 1100 };
    static float res[3 * LD], y[1031 + GUARD];
    snt__epilogue ep;
    size_t i, bad = 0;
    for (i = 0; i < 3 * LD; i++)
        res[i] = (float)((i * 37) % 101) / 25.0f - 2.0f;
    ep.bias = parts & EP_BIAS ? bias : NULL;
    ep.scale = parts & EP_AFFINE ? scale : NULL;
    ep.shift = parts & EP_AFFINE ? shift : NULL;
    ep.residual = parts & EP_RESIDUAL ? res : NULL;
    ep.res_ld = LD;
    ep.act.kind = kind;
    ep.act.alpha = kind == SNT_ACT_CLIP ? -1.5f : 0.1f;
    ep.act.beta = 2.0f;
    fill_guarded(y, n, x);
    snt__epilogue_row(&ep, row, col, y, n);
    for (i = 0; i < n; i++)
        if (!epilogue_ok(&ep, row, col, i, x[i], y[i]) && bad++ == 0)
            fprintf(stderr, "\n  epilogue act %d parts %d n %zu: [%zu] got %.9g from %.9g",
                    (int)kind, parts, n, i, y[i], x[i]);
    for (i = n; i < n + GUARD; i++)
        bad += y[i] != GUARD_VALUE;
    return bad;
}

static void test_epilogue_row(void)
{
    enum { MAXN = 1031 };
    static float x[MAXN];
    size_t li;
    int kind, parts;
    fill_inputs(x, MAXN);
    for (kind = SNT_ACT_NONE; kind <= SNT_ACT_SILU; kind++)
        for (parts = 0; parts <= EP_ALL; parts++)
            for (li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
                size_t n = lengths[li], row = li % 3, col = li % 3 == 1 ? 5 : 0;
                CU_ASSERT_EQUAL(check_epilogue((snt_act_kind)kind, parts, row, col, n, x), 0);
            }
}

/* With no part and no activation the row is left alone, bit for bit
 * (-0 and NaN payloads included). */
static void test_epilogue_identity(void)
{
    const snt__epilogue ep = {NULL, NULL, NULL, NULL, 0, {SNT_ACT_NONE, 0.0f, 0.0f}};
    float y[5] = {-0.0f, 1.0f, NAN, -INFINITY, 0x1p-149f}, before[5];
    memcpy(before, y, sizeof y);
    snt__epilogue_row(&ep, 0, 0, y, 5);
    CU_ASSERT_EQUAL(memcmp(y, before, sizeof y), 0);
}

/* ------------------------------------------------------------------ */

int main(void)
{
    static const kernel_test tests[] = {
        {"exp expm1 sigmoid tanh softplus sweep", test_math_sweep},
        {"act ragged lengths", test_act_ragged},
        {"act clip crossed bounds", test_act_clip_crossed},
        {"act special values", test_act_specials},
        {"actx ragged lengths", test_actx_ragged},
        {"epilogue row", test_epilogue_row},
        {"epilogue identity", test_epilogue_identity},
    };
    return run_kernel_tests("act_math", tests, sizeof tests / sizeof tests[0]);
}
