/*
 * elementwise.c - unary math and broadcasting binary operators on
 * float32 and float64 (one macro body instantiated per type), binary
 * arithmetic on int64, and Abs, Neg and Clip on every integer type.
 *
 * The binary kernels first simplify the broadcast iteration space (drop
 * unit axes, merge axes both operands walk contiguously), then run an
 * odometer over all axes but the last and a specialised loop along the
 * last one.  Same-shape operands collapse to one long row; a scalar
 * operand or a per-row / per-channel operand becomes a row with stride 0
 * on one side, which gets a loop of its own.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/* ---- unary --------------------------------------------------------- */

/* The float kernels of snt_unop, one per element type: F names libm's
 * functions for the type (SNT__F32, SNT__F64), ERF and EXP are the error
 * function and exp (float32 takes the runtime's vectorisable ones,
 * ~5e-7 and ~1e-7 relative). */
#define DEFINE_UNARY_FLOAT(NAME, T, F, ERF, EXP) \
    void NAME(snt_unop op, const T *x, T *y, size_t n) \
    { \
        switch (op) { \
        case SNT_UN_ERF:        SNT__MAP(T, T, ERF(v)); break; \
        case SNT_UN_SQRT:       SNT__MAP(T, T, F(sqrt)(v)); break; \
        case SNT_UN_ABS:        SNT__MAP(T, T, F(fabs)(v)); break; \
        case SNT_UN_NEG:        SNT__MAP(T, T, -v); break; \
        case SNT_UN_EXP:        SNT__MAP(T, T, EXP(v)); break; \
        case SNT_UN_LOG:        SNT__MAP(T, T, F(log)(v)); break; \
        case SNT_UN_RECIPROCAL: SNT__MAP(T, T, 1 / v); break; \
        case SNT_UN_FLOOR:      SNT__MAP(T, T, F(floor)(v)); break; \
        case SNT_UN_CEIL:       SNT__MAP(T, T, F(ceil)(v)); break; \
        case SNT_UN_SIN:        SNT__MAP(T, T, F(sin)(v)); break; \
        case SNT_UN_COS:        SNT__MAP(T, T, F(cos)(v)); break; \
        } \
    }

DEFINE_UNARY_FLOAT(snt_unary_f32, float, SNT__F32, snt__erff, snt__expf)
DEFINE_UNARY_FLOAT(snt_unary_f64, double, SNT__F64, erf, exp)

/* Abs and Neg of signed integers wrap like two's complement (both map
 * the smallest value to itself): the negation runs in uint64_t, where C
 * defines overflow, and converts back keeping the low bits. */
#define DEFINE_UNARY_SIGNED(NAME, T) \
    static int NAME(snt_unop op, const void *x, void *y, size_t n) \
    { \
        switch (op) { \
        case SNT_UN_ABS: SNT__MAP(T, T, v < 0 ? 0 - (uint64_t)v : (uint64_t)v); return 1; \
        case SNT_UN_NEG: SNT__MAP(T, T, 0 - (uint64_t)v); return 1; \
        default: return 0; \
        } \
    }

/* Unsigned values are their own absolute value; Neg wraps modulo 2^bits. */
#define DEFINE_UNARY_UNSIGNED(NAME, T) \
    static int NAME(snt_unop op, const void *x, void *y, size_t n) \
    { \
        switch (op) { \
        case SNT_UN_ABS: SNT__MAP(T, T, v); return 1; \
        case SNT_UN_NEG: SNT__MAP(T, T, 0 - (uint64_t)v); return 1; \
        default: return 0; \
        } \
    }

/* Clip of any integer type: lo and hi hold values of T.  Lowering lo to
 * hi when lo > hi gives min(max(v, lo), hi) = hi, as ONNX defines it,
 * with one comparison chain per element. */
#define DEFINE_CLIP_INT(NAME, T) \
    static void NAME(int64_t lo, int64_t hi, const void *x, void *y, size_t n) \
    { \
        const T h = (T)hi, l = (T)lo > h ? h : (T)lo; \
        SNT__MAP(T, T, v < l ? l : v > h ? h : v); \
    }

DEFINE_UNARY_SIGNED(unary_i8, int8_t)
DEFINE_UNARY_SIGNED(unary_i16, int16_t)
DEFINE_UNARY_SIGNED(unary_i32, int32_t)
DEFINE_UNARY_SIGNED(unary_i64, int64_t)
DEFINE_UNARY_UNSIGNED(unary_u8, uint8_t)
DEFINE_UNARY_UNSIGNED(unary_u16, uint16_t)
DEFINE_UNARY_UNSIGNED(unary_u32, uint32_t)
DEFINE_UNARY_UNSIGNED(unary_u64, uint64_t)
DEFINE_CLIP_INT(clip_i8, int8_t)
DEFINE_CLIP_INT(clip_i16, int16_t)
DEFINE_CLIP_INT(clip_i32, int32_t)
DEFINE_CLIP_INT(clip_i64, int64_t)
DEFINE_CLIP_INT(clip_u8, uint8_t)
DEFINE_CLIP_INT(clip_u16, uint16_t)
DEFINE_CLIP_INT(clip_u32, uint32_t)
DEFINE_CLIP_INT(clip_u64, uint64_t)

int snt_unary_int(snt_unop op, int dtype, const void *x, void *y, size_t n)
{
    switch (dtype) {
    case SNT_DT_INT8: return unary_i8(op, x, y, n);
    case SNT_DT_INT16: return unary_i16(op, x, y, n);
    case SNT_DT_INT32: return unary_i32(op, x, y, n);
    case SNT_DT_INT64: return unary_i64(op, x, y, n);
    case SNT_DT_UINT8: return unary_u8(op, x, y, n);
    case SNT_DT_UINT16: return unary_u16(op, x, y, n);
    case SNT_DT_UINT32: return unary_u32(op, x, y, n);
    case SNT_DT_UINT64: return unary_u64(op, x, y, n);
    }
    return 0;
}

int snt_clip_int(int dtype, int64_t lo, int64_t hi, const void *x, void *y, size_t n)
{
    switch (dtype) {
    case SNT_DT_INT8: clip_i8(lo, hi, x, y, n); return 1;
    case SNT_DT_INT16: clip_i16(lo, hi, x, y, n); return 1;
    case SNT_DT_INT32: clip_i32(lo, hi, x, y, n); return 1;
    case SNT_DT_INT64: clip_i64(lo, hi, x, y, n); return 1;
    case SNT_DT_UINT8: clip_u8(lo, hi, x, y, n); return 1;
    case SNT_DT_UINT16: clip_u16(lo, hi, x, y, n); return 1;
    case SNT_DT_UINT32: clip_u32(lo, hi, x, y, n); return 1;
    case SNT_DT_UINT64: clip_u64(lo, hi, x, y, n); return 1;
    }
    return 0;
}

/* ---- binary -------------------------------------------------------- */

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

/* The float rows, one per element type; F names libm's functions. */
#define DEFINE_BINARY_ROW_FLOAT(NAME, T, F) \
    static void NAME(snt_binop op, size_t n, const T *a, ptrdiff_t sa, const T *b, ptrdiff_t sb, \
                     T *y) \
    { \
        switch (op) { \
        case SNT_BIN_ADD: BINARY_ROW(T, u + v); break; \
        case SNT_BIN_SUB: BINARY_ROW(T, u - v); break; \
        case SNT_BIN_MUL: BINARY_ROW(T, u * v); break; \
        case SNT_BIN_DIV: BINARY_ROW(T, u / v); break; \
        case SNT_BIN_POW: BINARY_ROW(T, F(pow)(u, v)); break; \
        case SNT_BIN_MAX: BINARY_ROW(T, u > v ? u : v); break; \
        case SNT_BIN_MIN: BINARY_ROW(T, u < v ? u : v); break; \
        } \
    }

DEFINE_BINARY_ROW_FLOAT(binary_row_f32, float, SNT__F32)
DEFINE_BINARY_ROW_FLOAT(binary_row_f64, double, SNT__F64)

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

/* The simplified iteration space shared by all element types. */
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

/* The public kernel of element type T over its row function ROW. */
#define DEFINE_BINARY(NAME, T, ROW) \
    void NAME(snt_binop op, const snt_bcast *p, const T *a, const T *b, T *y) \
    { \
        bcast_plan q; \
        if (plan_bcast(p, &q)) \
            FOR_EACH_ROW(q, ROW(op, len, a + oa, ra, b + ob, rb, y + yo)); \
    }

DEFINE_BINARY(snt_binary_f32, float, binary_row_f32)
DEFINE_BINARY(snt_binary_f64, double, binary_row_f64)
DEFINE_BINARY(snt_binary_i64, int64_t, binary_row_i64)
