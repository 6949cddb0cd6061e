/*
 * elementwise_dtypes.c - elementwise kernels for every dtype: more unary
 * math (Tan .. Atanh, Round, Sign, Not, IsNaN, IsInf), and binary ops
 * with numpy broadcasting: the variadic ops' Add / Max / Min, Mod,
 * BitShift, comparisons and logic.
 *
 * Macros instantiate one loop per (op, element type), so the switches on
 * op and dtype run once per call and never per element.  The element
 * types fall into four families with different rules: floating point
 * (float, double), signed and unsigned integers, and bool.
 */
#include <math.h>

#include "elementwise_loops.h"
#include "internal.h"

/* ---- unary --------------------------------------------------------- */

/* The math runs in double for both float types: these ops are rare
 * enough that accuracy is worth more than speed. */
#define DEFINE_UNARY_FLOAT(NAME, T) \
    static int NAME(snt_unop_ext op, const void *x, void *y, size_t n) \
    { \
        switch (op) { \
        case SNT_UX_TAN: SNT__MAP(T, T, tan(v)); return 1; \
        case SNT_UX_ASIN: SNT__MAP(T, T, asin(v)); return 1; \
        case SNT_UX_ACOS: SNT__MAP(T, T, acos(v)); return 1; \
        case SNT_UX_ATAN: SNT__MAP(T, T, atan(v)); return 1; \
        case SNT_UX_SINH: SNT__MAP(T, T, sinh(v)); return 1; \
        case SNT_UX_COSH: SNT__MAP(T, T, cosh(v)); return 1; \
        case SNT_UX_ASINH: SNT__MAP(T, T, asinh(v)); return 1; \
        case SNT_UX_ACOSH: SNT__MAP(T, T, acosh(v)); return 1; \
        case SNT_UX_ATANH: SNT__MAP(T, T, atanh(v)); return 1; \
        /* nearbyint rounds in the default mode, to nearest, ties to even */ \
        case SNT_UX_ROUND: SNT__MAP(T, T, nearbyint(v)); return 1; \
        case SNT_UX_SIGN: SNT__MAP(T, T, v > 0 ? 1 : v < 0 ? -1 : v); return 1; \
        case SNT_UX_ISNAN: SNT__MAP(T, uint8_t, v != v); return 1; \
        case SNT_UX_NOT: return 0; \
        } \
        return 0; \
    }

DEFINE_UNARY_FLOAT(unary_f32, float)
DEFINE_UNARY_FLOAT(unary_f64, double)

/* Sign on integers; unsigned values are never negative, and saying so
 * without a `< 0` keeps -Wtype-limits quiet. */
#define SIGN_INT(NAME, T) \
    static int NAME(snt_unop_ext op, const void *x, void *y, size_t n) \
    { \
        if (op != SNT_UX_SIGN) \
            return 0; \
        SNT__MAP(T, T, v > 0 ? 1 : v == 0 ? 0 : -1); \
        return 1; \
    }

SIGN_INT(sign_i8, int8_t)
SIGN_INT(sign_i16, int16_t)
SIGN_INT(sign_i32, int32_t)
SIGN_INT(sign_i64, int64_t)
SIGN_INT(sign_u8, uint8_t)
SIGN_INT(sign_u16, uint16_t)
SIGN_INT(sign_u32, uint32_t)
SIGN_INT(sign_u64, uint64_t)

int snt_unary_ext(snt_unop_ext op, int dtype, const void *x, void *y, size_t n)
{
    switch (dtype) {
    case SNT_DT_FLOAT: return unary_f32(op, x, y, n);
    case SNT_DT_DOUBLE: return unary_f64(op, x, y, n);
    case SNT_DT_INT8: return sign_i8(op, x, y, n);
    case SNT_DT_INT16: return sign_i16(op, x, y, n);
    case SNT_DT_INT32: return sign_i32(op, x, y, n);
    case SNT_DT_INT64: return sign_i64(op, x, y, n);
    case SNT_DT_UINT8: return sign_u8(op, x, y, n);
    case SNT_DT_UINT16: return sign_u16(op, x, y, n);
    case SNT_DT_UINT32: return sign_u32(op, x, y, n);
    case SNT_DT_UINT64: return sign_u64(op, x, y, n);
    case SNT_DT_BOOL:
        if (op != SNT_UX_NOT)
            return 0;
        SNT__MAP(uint8_t, uint8_t, !v);
        return 1;
    }
    return 0;
}

int snt_isinf(int dtype, int detect_pos, int detect_neg, const void *x, uint8_t *y, size_t n)
{
    const double inf = HUGE_VAL;
    if (dtype == SNT_DT_FLOAT)
        SNT__MAP(float, uint8_t, (detect_pos && v == inf) || (detect_neg && v == -inf));
    else if (dtype == SNT_DT_DOUBLE)
        SNT__MAP(double, uint8_t, (detect_pos && v == inf) || (detect_neg && v == -inf));
    else
        return 0;
    return 1;
}

int snt_divide_ext(int dtype, void *y, size_t n, double divisor)
{
    const void *x = y;
    if (dtype == SNT_DT_FLOAT)
        SNT__MAP(float, float, v / divisor);
    else if (dtype == SNT_DT_DOUBLE)
        SNT__MAP(double, double, v / divisor);
    else
        return 0;
    return 1;
}

/* ---- binary -------------------------------------------------------- */

/* Remainders that never trap: x % 0 is 0 (ONNX leaves it undefined), and
 * x % -1 is 0 also for the smallest integer, where C's % overflows. */
static int64_t int_fmod(int64_t u, int64_t v)
{
    return v == 0 || v == -1 ? 0 : u % v;
}

/* The remainder with the sign of the divisor, as Python's %. */
static int64_t int_mod(int64_t u, int64_t v)
{
    int64_t r = int_fmod(u, v);
    return r != 0 && (r < 0) != (v < 0) ? r + v : r;
}

static double float_mod(double u, double v)
{
    double r = fmod(u, v);
    return r != 0 && (r < 0) != (v < 0) ? r + v : r;
}

/*
 * y[i] = EXPR over the broadcast plan q (see snt__collapse2), with
 * u = a's element and v = b's; y is dense.  The odometer walks all axes
 * but the last; the last is the inner loop.
 */
#define ZIP(T, TY, EXPR) \
    do { \
        const T *a_ = (const T *)a, *b_ = (const T *)b; \
        TY *y_ = (TY *)y; \
        size_t idx_[SNT_MAX_RANK] = {0}, yo_ = 0, i_; \
        ptrdiff_t oa_ = 0, ob_ = 0; \
        size_t len_ = q->dims[q->rank - 1]; \
        ptrdiff_t ra_ = q->sa[q->rank - 1], rb_ = q->sb[q->rank - 1]; \
        do { \
            for (i_ = 0; i_ < len_; i_++) { \
                T u = a_[oa_ + (ptrdiff_t)i_ * ra_], v = b_[ob_ + (ptrdiff_t)i_ * rb_]; \
                y_[yo_ + i_] = (TY)(EXPR); \
            } \
            yo_ += len_; \
        } while (snt__odo_next(q->rank - 1, q->dims, idx_, q->sa, &oa_, q->sb, &ob_)); \
    } while (0)

typedef struct {
    int rank;                  /* >= 1; the last axis is the inner loop */
    size_t dims[SNT_MAX_RANK];
    ptrdiff_t sa[SNT_MAX_RANK], sb[SNT_MAX_RANK];
} zip_plan;

/* The comparisons every numeric family shares. */
#define COMPARE_CASES(T) \
    case SNT_BX_EQ: ZIP(T, uint8_t, u == v); return 1; \
    case SNT_BX_LT: ZIP(T, uint8_t, u < v); return 1; \
    case SNT_BX_GT: ZIP(T, uint8_t, u > v); return 1; \
    case SNT_BX_LE: ZIP(T, uint8_t, u <= v); return 1; \
    case SNT_BX_GE: ZIP(T, uint8_t, u >= v); return 1;

#define DEFINE_BINARY_FLOAT(NAME, T) \
    static int NAME(snt_binop_ext op, const zip_plan *q, const void *a, const void *b, void *y) \
    { \
        switch (op) { \
        case SNT_BX_ADD: ZIP(T, T, u + v); return 1; \
        case SNT_BX_MAX: ZIP(T, T, u != u || u > v ? u : v); return 1; \
        case SNT_BX_MIN: ZIP(T, T, u != u || u < v ? u : v); return 1; \
        case SNT_BX_MOD: ZIP(T, T, float_mod(u, v)); return 1; \
        case SNT_BX_FMOD: ZIP(T, T, fmod(u, v)); return 1; \
        COMPARE_CASES(T) \
        default: return 0; \
        } \
    }

/* Sums wrap: they run in uint64_t, where C defines overflow, and the
 * conversion back keeps the low bits (two's complement, as on every
 * target we build for). */
#define DEFINE_BINARY_SIGNED(NAME, T) \
    static int NAME(snt_binop_ext op, const zip_plan *q, const void *a, const void *b, void *y) \
    { \
        switch (op) { \
        case SNT_BX_ADD: ZIP(T, T, (uint64_t)u + (uint64_t)v); return 1; \
        case SNT_BX_MAX: ZIP(T, T, u > v ? u : v); return 1; \
        case SNT_BX_MIN: ZIP(T, T, u < v ? u : v); return 1; \
        case SNT_BX_MOD: ZIP(T, T, int_mod(u, v)); return 1; \
        case SNT_BX_FMOD: ZIP(T, T, int_fmod(u, v)); return 1; \
        COMPARE_CASES(T) \
        default: return 0; \
        } \
    }

/* Shifts run on uint64_t so that a promoted uint16 never overflows int;
 * C leaves shifts by the width or more undefined, ONNX expects 0. */
#define DEFINE_BINARY_UNSIGNED(NAME, T) \
    static int NAME(snt_binop_ext op, const zip_plan *q, const void *a, const void *b, void *y) \
    { \
        const uint64_t bits = 8 * sizeof(T); \
        switch (op) { \
        case SNT_BX_ADD: ZIP(T, T, (uint64_t)u + v); return 1; \
        case SNT_BX_MAX: ZIP(T, T, u > v ? u : v); return 1; \
        case SNT_BX_MIN: ZIP(T, T, u < v ? u : v); return 1; \
        case SNT_BX_MOD: \
        case SNT_BX_FMOD: ZIP(T, T, v ? u % v : 0); return 1; \
        case SNT_BX_SHL: ZIP(T, T, v < bits ? (uint64_t)u << v : 0); return 1; \
        case SNT_BX_SHR: ZIP(T, T, v < bits ? (uint64_t)u >> v : 0); return 1; \
        COMPARE_CASES(T) \
        default: return 0; \
        } \
    }

DEFINE_BINARY_FLOAT(binary_f32, float)
DEFINE_BINARY_FLOAT(binary_f64, double)
DEFINE_BINARY_SIGNED(binary_i8, int8_t)
DEFINE_BINARY_SIGNED(binary_i16, int16_t)
DEFINE_BINARY_SIGNED(binary_i32, int32_t)
DEFINE_BINARY_SIGNED(binary_i64, int64_t)
DEFINE_BINARY_UNSIGNED(binary_u8, uint8_t)
DEFINE_BINARY_UNSIGNED(binary_u16, uint16_t)
DEFINE_BINARY_UNSIGNED(binary_u32, uint32_t)
DEFINE_BINARY_UNSIGNED(binary_u64, uint64_t)

/* Bool bytes other than 0 and 1 still count as true. */
static int binary_bool(snt_binop_ext op, const zip_plan *q, const void *a, const void *b, void *y)
{
    switch (op) {
    case SNT_BX_EQ: ZIP(uint8_t, uint8_t, !u == !v); return 1;
    case SNT_BX_AND: ZIP(uint8_t, uint8_t, u && v); return 1;
    case SNT_BX_OR: ZIP(uint8_t, uint8_t, u || v); return 1;
    case SNT_BX_XOR: ZIP(uint8_t, uint8_t, !u != !v); return 1;
    default: return 0;
    }
}

int snt_binary_ext(snt_binop_ext op, int dtype, const snt_bcast *p, const void *a,
                   const void *b, void *y)
{
    zip_plan plan, *q = &plan;
    int d;
    q->rank = p->rank;
    for (d = 0; d < p->rank; d++) {
        q->dims[d] = p->dims[d];
        q->sa[d] = p->a_strides[d];
        q->sb[d] = p->b_strides[d];
    }
    if (snt__any_zero(q->rank, q->dims))
        return 1;
    snt__collapse2(&q->rank, q->dims, q->sa, q->sb);
    switch (dtype) {
    case SNT_DT_FLOAT: return binary_f32(op, q, a, b, y);
    case SNT_DT_DOUBLE: return binary_f64(op, q, a, b, y);
    case SNT_DT_INT8: return binary_i8(op, q, a, b, y);
    case SNT_DT_INT16: return binary_i16(op, q, a, b, y);
    case SNT_DT_INT32: return binary_i32(op, q, a, b, y);
    case SNT_DT_INT64: return binary_i64(op, q, a, b, y);
    case SNT_DT_UINT8: return binary_u8(op, q, a, b, y);
    case SNT_DT_UINT16: return binary_u16(op, q, a, b, y);
    case SNT_DT_UINT32: return binary_u32(op, q, a, b, y);
    case SNT_DT_UINT64: return binary_u64(op, q, a, b, y);
    case SNT_DT_BOOL: return binary_bool(op, q, a, b, y);
    }
    return 0;
}
