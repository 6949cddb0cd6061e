/*
 * reduce.c - the ONNX Reduce* family over arbitrary axes.
 *
 * Every output element folds its reduction space with an accumulator; the
 * kinds differ in how a value enters the accumulator, how two combine and
 * how the result is finished.  Float kernels accumulate in double.  An
 * empty reduction yields the identity of the fold (0 for sums, 1 for
 * products, -inf / +inf for max / min, -inf for the log kinds; the mean
 * of nothing is NaN), as ONNX opset 18 specifies.
 *
 * Integer kernels compute in the element's own type and know only the
 * kinds whose result is an integer of that type: sum, max, min, prod, L1
 * and sum of squares (the others give unspecified values).  Sums and
 * products wrap modulo 2^bits like C unsigned arithmetic (numpy does the
 * same); the empty max / min is the type's lowest / highest value.
 */
#include <math.h>

#include "internal.h"

/* The value of x that the fold accumulates for op. */
static double reduce_term_real(snt_redop op, double x, double max)
{
    switch (op) {
    case SNT_RED_L1:          return fabs(x);
    case SNT_RED_L2:
    case SNT_RED_SUM_SQUARE:  return x * x;
    case SNT_RED_LOG_SUM_EXP: return exp(x - max);
    default:                  return x;
    }
}

static double reduce_identity_real(snt_redop op)
{
    switch (op) {
    case SNT_RED_PROD: return 1.0;
    case SNT_RED_MAX:  return -HUGE_VAL;
    case SNT_RED_MIN:  return HUGE_VAL;
    default:           return 0.0;
    }
}

static double reduce_combine_real(snt_redop op, double acc, double t)
{
    switch (op) {
    case SNT_RED_MAX:  return t > acc ? t : acc;
    case SNT_RED_MIN:  return t < acc ? t : acc;
    case SNT_RED_PROD: return acc * t;
    default:           return acc + t;
    }
}

static double reduce_finish_real(snt_redop op, double acc, size_t count, double max)
{
    switch (op) {
    case SNT_RED_MEAN:        return acc / (double)count;
    case SNT_RED_L2:          return sqrt(acc);
    case SNT_RED_LOG_SUM:     return log(acc);
    case SNT_RED_LOG_SUM_EXP: return max + log(acc);
    default:                  return acc;
    }
}

/* Log-sum-exp subtracts the maximum before exp() to stay finite; an
 * infinite maximum (all -inf, or an inf that dominates anyway) is not
 * subtracted. */
static double reduce_shift_real(double max)
{
    return isinf(max) ? 0.0 : max;
}

/*
 * The integer helpers for element type T, computed through the unsigned
 * type U (at least unsigned int wide, so that nothing is promoted to a
 * signed int that could overflow) and converted back, which wraps.
 * IS_NEG(x) tells a negative element (constant 0 for unsigned types, to
 * spare the compiler an always-false comparison).  finish and shift are
 * identities: the integer kinds need neither, but DEFINE_REDUCE calls
 * them so that one loop body serves every type.
 */
#define IS_NEG_SIGNED(x) ((x) < 0)
#define IS_NEG_UNSIGNED(x) 0

#define DEFINE_INT_HELPERS(sfx, T, U, TMIN, TMAX, IS_NEG)                                    \
    static T reduce_term_##sfx(snt_redop op, T x, T max)                                     \
    {                                                                                        \
        (void)max;                                                                           \
        switch (op) {                                                                        \
        case SNT_RED_L1:         return IS_NEG(x) ? (T)(0u - (U)x) : x;                      \
        case SNT_RED_SUM_SQUARE: return (T)((U)x * (U)x);                                    \
        default:                 return x;                                                   \
        }                                                                                    \
    }                                                                                        \
                                                                                             \
    static T reduce_identity_##sfx(snt_redop op)                                             \
    {                                                                                        \
        switch (op) {                                                                        \
        case SNT_RED_PROD: return 1;                                                         \
        case SNT_RED_MAX:  return TMIN;                                                      \
        case SNT_RED_MIN:  return TMAX;                                                      \
        default:           return 0;                                                         \
        }                                                                                    \
    }                                                                                        \
                                                                                             \
    static T reduce_combine_##sfx(snt_redop op, T acc, T t)                                  \
    {                                                                                        \
        switch (op) {                                                                        \
        case SNT_RED_MAX:  return t > acc ? t : acc;                                         \
        case SNT_RED_MIN:  return t < acc ? t : acc;                                         \
        case SNT_RED_PROD: return (T)((U)acc * (U)t);                                        \
        default:           return (T)((U)acc + (U)t);                                        \
        }                                                                                    \
    }                                                                                        \
                                                                                             \
    static T reduce_finish_##sfx(snt_redop op, T acc, size_t count, T max)                  \
    {                                                                                        \
        (void)op, (void)count, (void)max;                                                    \
        return acc;                                                                          \
    }                                                                                        \
                                                                                             \
    static T reduce_shift_##sfx(T max)                                                       \
    {                                                                                        \
        return max;                                                                          \
    }

/*
 * The two loops below exist once per element type T (snt_reduce_<sfx>),
 * accumulating in type A with the helpers reduce_*_<K>: the "real" ones
 * in double for float and double, T's own ones for the integers.
 *
 * reduce_fold_<sfx> folds the reduction space that starts at x with op;
 * max is the shift that log-sum-exp subtracts.  The last reduced axis is
 * a plain loop.
 */
#define DEFINE_REDUCE(sfx, T, A, K)                                                          \
    static A reduce_fold_##sfx(snt_redop op, const snt_reduce_params *p, const T *x, A max) \
    {                                                                                        \
        size_t idx[SNT_MAX_RANK] = {0}, i;                                                   \
        int last = p->red_rank - 1;                                                          \
        size_t len = last >= 0 ? p->red_dims[last] : 1;                                      \
        ptrdiff_t step = last >= 0 ? p->red_strides[last] : 0, off = 0, unused = 0;          \
        A acc = reduce_identity_##K(op);                                                     \
        /* snt__odo_next moves two offsets; the second one is not needed. */                 \
        do {                                                                                 \
            for (i = 0; i < len; i++)                                                        \
                acc = reduce_combine_##K(                                                    \
                    op, acc, reduce_term_##K(op, x[off + (ptrdiff_t)i * step], max));        \
        } while (snt__odo_next(last, p->red_dims, idx, p->red_strides, &off,                 \
                               p->red_strides, &unused));                                    \
        return acc;                                                                          \
    }                                                                                        \
                                                                                             \
    void snt_reduce_##sfx(snt_redop op, const snt_reduce_params *p, const T *x, T *y)       \
    {                                                                                        \
        size_t idx[SNT_MAX_RANK] = {0}, count = 1;                                           \
        ptrdiff_t off = 0, unused = 0;                                                       \
        int d;                                                                               \
        if (snt__any_zero(p->out_rank, p->out_dims))                                         \
            return;                                                                          \
        for (d = 0; d < p->red_rank; d++)                                                    \
            count *= p->red_dims[d];                                                         \
        do {                                                                                 \
            A acc, max = 0;                                                                  \
            if (count == 0) {                                                                \
                acc = reduce_identity_##K(op);                                               \
            } else {                                                                         \
                if (op == SNT_RED_LOG_SUM_EXP)                                               \
                    max = reduce_shift_##K(reduce_fold_##sfx(SNT_RED_MAX, p, x + off, 0));   \
                acc = reduce_fold_##sfx(op, p, x + off, max);                                \
            }                                                                                \
            *y++ = (T)reduce_finish_##K(op, acc, count, max);                                \
        } while (snt__odo_next(p->out_rank, p->out_dims, idx, p->out_strides, &off,          \
                               p->out_strides, &unused)); /* second offset unused */         \
    }

DEFINE_REDUCE(f32, float, double, real)
DEFINE_REDUCE(f64, double, double, real)

#define DEFINE_INT_REDUCE(sfx, T, U, TMIN, TMAX, IS_NEG)                                     \
    DEFINE_INT_HELPERS(sfx, T, U, TMIN, TMAX, IS_NEG)                                        \
    DEFINE_REDUCE(sfx, T, T, sfx)

DEFINE_INT_REDUCE(i8, int8_t, uint32_t, INT8_MIN, INT8_MAX, IS_NEG_SIGNED)
DEFINE_INT_REDUCE(u8, uint8_t, uint32_t, 0, UINT8_MAX, IS_NEG_UNSIGNED)
DEFINE_INT_REDUCE(i16, int16_t, uint32_t, INT16_MIN, INT16_MAX, IS_NEG_SIGNED)
DEFINE_INT_REDUCE(u16, uint16_t, uint32_t, 0, UINT16_MAX, IS_NEG_UNSIGNED)
DEFINE_INT_REDUCE(i32, int32_t, uint32_t, INT32_MIN, INT32_MAX, IS_NEG_SIGNED)
DEFINE_INT_REDUCE(u32, uint32_t, uint32_t, 0, UINT32_MAX, IS_NEG_UNSIGNED)
DEFINE_INT_REDUCE(i64, int64_t, uint64_t, INT64_MIN, INT64_MAX, IS_NEG_SIGNED)
DEFINE_INT_REDUCE(u64, uint64_t, uint64_t, 0, UINT64_MAX, IS_NEG_UNSIGNED)
