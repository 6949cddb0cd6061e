/*
 * axis_lines.c - kernels that work line by line along one axis of x viewed
 * as [outer][len][inner]: LogSoftmax, Hardmax, ArgMax / ArgMin, CumSum.
 * A line's elements lie `inner` apart.
 */
#include <math.h>

#include "internal.h"

/* Runs `body` once per line, with `base` the offset of the line's first
 * element: the kernels below differ only in what they do to one line. */
#define FOR_EACH_LINE(outer, len, inner, body) \
    do { \
        size_t o_, i_; \
        for (o_ = 0; o_ < (outer); o_++) \
            for (i_ = 0; i_ < (inner); i_++) { \
                size_t base = o_ * (len) * (inner) + i_; \
                body; \
            } \
    } while (0)

static void log_softmax_line(size_t len, size_t stride, const float *x, float *y)
{
    float max = x[0];
    double sum = 0.0;
    float log_sum;
    size_t j;
    for (j = 1; j < len; j++)
        if (x[j * stride] > max)
            max = x[j * stride];
    for (j = 0; j < len; j++)
        sum += exp((double)(x[j * stride] - max));
    log_sum = (float)log(sum);
    for (j = 0; j < len; j++)
        y[j * stride] = x[j * stride] - max - log_sum;
}

void snt_log_softmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y)
{
    if (len == 0)
        return;
    FOR_EACH_LINE(outer, len, inner, log_softmax_line(len, inner, x + base, y + base));
}

/* Index of the extreme value of one line: the first one, or the last
 * one when ties go to the last. */
static size_t extreme_index(size_t len, size_t stride, const float *x, int find_min,
                            int select_last)
{
    size_t best = 0, j;
    for (j = 1; j < len; j++) {
        float v = x[j * stride], b = x[best * stride];
        int better = find_min ? v < b : v > b;
        if (better || (select_last && v == b))
            best = j;
    }
    return best;
}

void snt_hardmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y)
{
    size_t j;
    if (len == 0)
        return;
    FOR_EACH_LINE(outer, len, inner, {
        size_t hot = extreme_index(len, inner, x + base, 0, 0);
        for (j = 0; j < len; j++)
            y[base + j * inner] = j == hot ? 1.0f : 0.0f;
    });
}

void snt_argreduce_f32(size_t outer, size_t len, size_t inner, int find_min, int select_last,
                       const float *x, int64_t *y)
{
    size_t o, i;
    if (len == 0)
        return;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++)
            *y++ = (int64_t)extreme_index(len, inner, x + o * len * inner + i, find_min,
                                          select_last);
}

/* Running sums of one line of type T, accumulated in type ACC (unsigned
 * for the integers, so that overflow wraps instead of being undefined). */
#define CUMSUM_LINES(T, ACC) \
    do { \
        const T *xs = (const T *)x; \
        T *ys = (T *)y; \
        FOR_EACH_LINE(outer, len, inner, { \
            ACC acc = 0; \
            size_t j; \
            for (j = 0; j < len; j++) { \
                size_t k = base + (reverse ? len - 1 - j : j) * inner; \
                if (exclusive) { \
                    ys[k] = (T)acc; \
                    acc += (ACC)xs[k]; \
                } else { \
                    acc += (ACC)xs[k]; \
                    ys[k] = (T)acc; \
                } \
            } \
        }); \
    } while (0)

void snt_cumsum(int dtype, size_t outer, size_t len, size_t inner, int exclusive, int reverse,
                const void *x, void *y)
{
    switch (dtype) {
    case SNT_DT_FLOAT: CUMSUM_LINES(float, float); break;
    case SNT_DT_DOUBLE: CUMSUM_LINES(double, double); break;
    case SNT_DT_INT32: CUMSUM_LINES(int32_t, uint32_t); break;
    case SNT_DT_UINT32: CUMSUM_LINES(uint32_t, uint32_t); break;
    case SNT_DT_INT64: CUMSUM_LINES(int64_t, uint64_t); break;
    case SNT_DT_UINT64: CUMSUM_LINES(uint64_t, uint64_t); break;
    default: break;
    }
}
