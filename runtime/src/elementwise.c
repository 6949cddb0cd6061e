/*
 * elementwise.c - unary math and broadcasting binary operators.
 *
 * The binary kernels first simplify the broadcast iteration space (drop
 * unit axes, merge axes both operands walk contiguously), then run an
 * odometer over all axes but the last and a specialised loop along the
 * last one.  Same-shape operands collapse to one long row; a scalar
 * operand or a per-row / per-channel operand becomes a row with stride 0
 * on one side, which gets a loop of its own.
 */
#include <math.h>

#include "internal.h"

#define UNARY_LOOP(EXPR) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < n; i_++) { \
            float v = x[i_]; \
            y[i_] = (EXPR); \
        } \
    } while (0)

void snt_unary_f32(snt_unop op, const float *x, float *y, size_t n)
{
    switch (op) {
    case SNT_UN_ERF:        UNARY_LOOP(snt__erff(v)); break; /* vectorizable, ~5e-7 relative */
    case SNT_UN_SQRT:       UNARY_LOOP(sqrtf(v)); break;
    case SNT_UN_ABS:        UNARY_LOOP(fabsf(v)); break;
    case SNT_UN_NEG:        UNARY_LOOP(-v); break;
    case SNT_UN_EXP:        UNARY_LOOP(expf(v)); break;
    case SNT_UN_LOG:        UNARY_LOOP(logf(v)); break;
    case SNT_UN_RECIPROCAL: UNARY_LOOP(1.0f / v); break;
    case SNT_UN_FLOOR:      UNARY_LOOP(floorf(v)); break;
    case SNT_UN_CEIL:       UNARY_LOOP(ceilf(v)); break;
    case SNT_UN_SIN:        UNARY_LOOP(sinf(v)); break;
    case SNT_UN_COS:        UNARY_LOOP(cosf(v)); break;
    }
}

/*
 * One row of a binary operator: y[i] = EXPR with u = a[i * sa] and
 * v = b[i * sb], i < n.  The unit-stride and stride-0 cases get loops of
 * their own so that they compile to straight, vectorisable code.
 */
#define BINARY_ROW(T, EXPR) \
    do { \
        size_t i_; \
        if (sa == 1 && sb == 1) { \
            for (i_ = 0; i_ < n; i_++) { \
                T u = a[i_], v = b[i_]; \
                y[i_] = (EXPR); \
            } \
        } else if (sa == 1 && sb == 0) { \
            T v = b[0]; \
            for (i_ = 0; i_ < n; i_++) { \
                T u = a[i_]; \
                y[i_] = (EXPR); \
            } \
        } else if (sa == 0 && sb == 1) { \
            T u = a[0]; \
            for (i_ = 0; i_ < n; i_++) { \
                T v = b[i_]; \
                y[i_] = (EXPR); \
            } \
        } else { \
            for (i_ = 0; i_ < n; i_++) { \
                T u = a[(ptrdiff_t)i_ * sa], v = b[(ptrdiff_t)i_ * sb]; \
                y[i_] = (EXPR); \
            } \
        } \
    } while (0)

static void binary_row_f32(snt_binop op, size_t n, const float *a, ptrdiff_t sa,
                           const float *b, ptrdiff_t sb, float *y)
{
    switch (op) {
    case SNT_BIN_ADD: BINARY_ROW(float, u + v); break;
    case SNT_BIN_SUB: BINARY_ROW(float, u - v); break;
    case SNT_BIN_MUL: BINARY_ROW(float, u * v); break;
    case SNT_BIN_DIV: BINARY_ROW(float, u / v); break;
    case SNT_BIN_POW: BINARY_ROW(float, powf(u, v)); break;
    case SNT_BIN_MAX: BINARY_ROW(float, u > v ? u : v); break;
    case SNT_BIN_MIN: BINARY_ROW(float, u < v ? u : v); break;
    }
}

/* int64 arithmetic wraps like the hardware does instead of being
 * undefined behaviour on overflow: it runs in uint64_t and converts back. */
static int64_t i64_wrap(uint64_t v)
{
    return (int64_t)v;
}

/* Truncating division; x / 0 gives 0 rather than a trap (ONNX leaves it
 * undefined) and INT64_MIN / -1 wraps. */
static int64_t i64_div(int64_t u, int64_t v)
{
    if (v == 0)
        return 0;
    if (v == -1)
        return i64_wrap(0u - (uint64_t)u);
    return u / v;
}

/* u ** v by repeated squaring; a negative exponent gives the truncated
 * quotient 1 / u**|v|, which is 0 unless |u| == 1. */
static int64_t i64_pow(int64_t u, int64_t v)
{
    uint64_t result = 1, base = (uint64_t)u;
    if (v < 0) {
        if (u == 1)
            return 1;
        if (u == -1)
            return (v & 1) ? -1 : 1;
        return 0;
    }
    while (v > 0) {
        if (v & 1)
            result *= base;
        base *= base;
        v >>= 1;
    }
    return i64_wrap(result);
}

static void binary_row_i64(snt_binop op, size_t n, const int64_t *a, ptrdiff_t sa,
                           const int64_t *b, ptrdiff_t sb, int64_t *y)
{
    switch (op) {
    case SNT_BIN_ADD: BINARY_ROW(int64_t, i64_wrap((uint64_t)u + (uint64_t)v)); break;
    case SNT_BIN_SUB: BINARY_ROW(int64_t, i64_wrap((uint64_t)u - (uint64_t)v)); break;
    case SNT_BIN_MUL: BINARY_ROW(int64_t, i64_wrap((uint64_t)u * (uint64_t)v)); break;
    case SNT_BIN_DIV: BINARY_ROW(int64_t, i64_div(u, v)); break;
    case SNT_BIN_POW: BINARY_ROW(int64_t, i64_pow(u, v)); break;
    case SNT_BIN_MAX: BINARY_ROW(int64_t, u > v ? u : v); break;
    case SNT_BIN_MIN: BINARY_ROW(int64_t, u < v ? u : v); break;
    }
}

/* The simplified iteration space shared by both element types. */
typedef struct {
    int rank;                  /* >= 1; the last axis is the row */
    size_t dims[SNT_MAX_RANK];
    ptrdiff_t sa[SNT_MAX_RANK], sb[SNT_MAX_RANK];
} bcast_plan;

/* Returns 0 when the output is empty. */
static int plan_bcast(const snt_bcast *p, bcast_plan *q)
{
    int d;
    if (snt__any_zero(p->rank, p->dims))
        return 0;
    q->rank = p->rank;
    for (d = 0; d < p->rank; d++) {
        q->dims[d] = p->dims[d];
        q->sa[d] = p->a_strides[d];
        q->sb[d] = p->b_strides[d];
    }
    snt__collapse2(&q->rank, q->dims, q->sa, q->sb);
    return 1;
}

/* Walks the rows of a plan: all axes but the last, through the odometer;
 * the output is dense, so its row start just advances by the row length. */
#define FOR_EACH_ROW(q, ROW_CALL) \
    do { \
        size_t idx_[SNT_MAX_RANK] = {0}; \
        ptrdiff_t oa = 0, ob = 0; \
        size_t len = (q).dims[(q).rank - 1], yo = 0; \
        ptrdiff_t ra = (q).sa[(q).rank - 1], rb = (q).sb[(q).rank - 1]; \
        do { \
            ROW_CALL; \
            yo += len; \
        } while (snt__odo_next((q).rank - 1, (q).dims, idx_, (q).sa, &oa, (q).sb, &ob)); \
    } while (0)

void snt_binary_f32(snt_binop op, const snt_bcast *p, const float *a, const float *b, float *y)
{
    bcast_plan q;
    if (plan_bcast(p, &q))
        FOR_EACH_ROW(q, binary_row_f32(op, len, a + oa, ra, b + ob, rb, y + yo));
}

void snt_binary_i64(snt_binop op, const snt_bcast *p, const int64_t *a, const int64_t *b, int64_t *y)
{
    bcast_plan q;
    if (plan_bcast(p, &q))
        FOR_EACH_ROW(q, binary_row_i64(op, len, a + oa, ra, b + ob, rb, y + yo));
}
