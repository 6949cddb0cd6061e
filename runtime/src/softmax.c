/*
 * softmax.c - Softmax along one axis: exp(x - max) / sum, the max taken
 * out first so that exp never overflows.
 *
 * Every loop runs along contiguous memory so that it vectorises: along
 * the row when the axis is the last one, otherwise across a chunk of
 * the columns that follow the axis, with each column's max and sum in a
 * small stack array.  The sum along a row is snt__sum_f64's, in double
 * and in several partial sums, since gcc does not vectorise a single
 * running total (it may not reorder float additions).
 */
#include "internal.h"

#define COLS 64

/* The larger of a and b, and a when b is NaN (the compare of maxps). */
static float max2(float a, float b)
{
    return b > a ? b : a;
}

/* The float's bits rearranged so that unsigned order is float order
 * (-NaN < -inf < ... < -0 < +0 < ... < +inf < +NaN): the sign bit set on
 * positives, every bit flipped on negatives.  gcc vectorises unsigned max
 * reductions, but no float max reduction without -ffast-math (it may
 * not reorder a max that has to respect NaN and -0). */
static uint32_t order_key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u ^ ((0u - (u >> 31)) | 0x80000000u);
}

static float from_order_key(uint32_t k)
{
    uint32_t u = k ^ ((0u - (~k >> 31)) | 0x80000000u);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The max of x[0..len), len >= 1; a NaN may or may not win, which makes
 * no difference: it turns the row's sum, and so the row, into NaN. */
static float row_max(size_t len, const float *x)
{
    uint32_t m = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        uint32_t k = order_key(x[i]);
        m = k > m ? k : m;
    }
    return from_order_key(m);
}

/* Softmax of the contiguous row x[0..len) into y (y may be x). */
static void softmax_row(size_t len, const float *x, float *y)
{
    const float max = row_max(len, x);
    float inv;
    size_t i;
    for (i = 0; i < len; i++)
        y[i] = snt__expf(x[i] - max);
    inv = (float)(1.0 / snt__sum_f64(len, y));
    for (i = 0; i < len; i++)
        y[i] *= inv;
}

/* Softmax down each of the w <= COLS columns of a len x w block whose
 * rows are ld floats apart: x[j * ld + c] for j < len is column c. */
static void softmax_columns(size_t len, size_t ld, size_t w, const float *x, float *y)
{
    float m[COLS], s[COLS];
    size_t j, c;
    for (c = 0; c < w; c++) {
        m[c] = x[c];
        s[c] = 0.0f;
    }
    for (j = 1; j < len; j++)
        for (c = 0; c < w; c++)
            m[c] = max2(m[c], x[j * ld + c]);
    for (j = 0; j < len; j++)
        for (c = 0; c < w; c++) {
            float e = snt__expf(x[j * ld + c] - m[c]);
            y[j * ld + c] = e;
            s[c] += e;
        }
    for (c = 0; c < w; c++)
        s[c] = 1.0f / s[c];
    for (j = 0; j < len; j++)
        for (c = 0; c < w; c++)
            y[j * ld + c] *= s[c];
}

void snt_softmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y)
{
    size_t o, c, block = len * inner;
    if (len == 0)
        return;
    for (o = 0; o < outer; o++, x += block, y += block) {
        if (inner == 1) {
            softmax_row(len, x, y);
            continue;
        }
        for (c = 0; c < inner; c += COLS)
            softmax_columns(len, inner, inner - c < COLS ? inner - c : COLS, x + c, y + c);
    }
}
