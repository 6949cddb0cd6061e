/*
 * reduce.c - the ONNX Reduce* family over arbitrary axes.
 *
 * Every output element folds its reduction space with an accumulator in
 * double; the kinds differ in how a value enters the accumulator, how two
 * combine and how the result is finished.  An empty reduction yields the
 * identity of the fold (0 for sums, 1 for products, -inf / +inf for max /
 * min, -inf for the log kinds; the mean of nothing is NaN), as ONNX
 * opset 18 specifies.
 */
#include <math.h>

#include "internal.h"

/* The value of x that the fold accumulates for op. */
static double reduce_term(snt_redop op, double x, double max)
{
    switch (op) {
    case SNT_RED_L1:          return fabs(x);
    case SNT_RED_L2:
    case SNT_RED_SUM_SQUARE:  return x * x;
    case SNT_RED_LOG_SUM_EXP: return exp(x - max);
    default:                  return x;
    }
}

static double reduce_identity(snt_redop op)
{
    switch (op) {
    case SNT_RED_PROD: return 1.0;
    case SNT_RED_MAX:  return -HUGE_VAL;
    case SNT_RED_MIN:  return HUGE_VAL;
    default:           return 0.0;
    }
}

static double reduce_combine(snt_redop op, double acc, double t)
{
    switch (op) {
    case SNT_RED_MAX:  return t > acc ? t : acc;
    case SNT_RED_MIN:  return t < acc ? t : acc;
    case SNT_RED_PROD: return acc * t;
    default:           return acc + t;
    }
}

static double reduce_finish(snt_redop op, double acc, size_t count, double max)
{
    switch (op) {
    case SNT_RED_MEAN:        return acc / (double)count;
    case SNT_RED_L2:          return sqrt(acc);
    case SNT_RED_LOG_SUM:     return log(acc);
    case SNT_RED_LOG_SUM_EXP: return max + log(acc);
    default:                  return acc;
    }
}

/*
 * The two loops below exist once per element type T (float for
 * snt_reduce_f32, double for snt_reduce_f64); only the loads differ.
 *
 * reduce_fold_<sfx> folds the reduction space that starts at x with op;
 * max is the shift that log-sum-exp subtracts.  The last reduced axis is
 * a plain loop.
 */
#define DEFINE_REDUCE(sfx, T)                                                                \
    static double reduce_fold_##sfx(snt_redop op, const snt_reduce_params *p, const T *x,   \
                                    double max)                                              \
    {                                                                                        \
        size_t idx[SNT_MAX_RANK] = {0}, i;                                                   \
        int last = p->red_rank - 1;                                                          \
        size_t len = last >= 0 ? p->red_dims[last] : 1;                                      \
        ptrdiff_t step = last >= 0 ? p->red_strides[last] : 0, off = 0, unused = 0;          \
        double acc = reduce_identity(op);                                                    \
        /* snt__odo_next moves two offsets; the second one is not needed. */                 \
        do {                                                                                 \
            for (i = 0; i < len; i++)                                                        \
                acc = reduce_combine(op, acc,                                                \
                                     reduce_term(op, x[off + (ptrdiff_t)i * step], max));    \
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
            double acc, max = 0.0;                                                           \
            if (count == 0) {                                                                \
                acc = reduce_identity(op);                                                   \
            } else {                                                                         \
                if (op == SNT_RED_LOG_SUM_EXP) {                                             \
                    max = reduce_fold_##sfx(SNT_RED_MAX, p, x + off, 0.0);                   \
                    /* all -inf, or an inf that dominates anyway */                          \
                    if (isinf(max))                                                          \
                        max = 0.0;                                                           \
                }                                                                            \
                acc = reduce_fold_##sfx(op, p, x + off, max);                                \
            }                                                                                \
            *y++ = (T)reduce_finish(op, acc, count, max);                                    \
        } while (snt__odo_next(p->out_rank, p->out_dims, idx, p->out_strides, &off,          \
                               p->out_strides, &unused)); /* second offset unused */         \
    }

DEFINE_REDUCE(f32, float)
DEFINE_REDUCE(f64, double)
