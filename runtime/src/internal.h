/*
 * internal.h - helpers shared by the runtime's kernels; not part of the
 * API that generated code sees.
 */
#ifndef SINTER_RT_INTERNAL_H
#define SINTER_RT_INTERNAL_H

#include "sinter_rt.h"

/* True when any of the first `rank` dims is zero: the iteration is empty. */
static inline int snt__any_zero(int rank, const size_t *dims)
{
    int d;
    for (d = 0; d < rank; d++)
        if (dims[d] == 0)
            return 1;
    return 0;
}

/*
 * Advances the multi-index idx over dims[0..rank) by one step, last axis
 * fastest, and moves the two offsets *o0 and *o1 along with it by their
 * strides s0 and s1.  Returns 0 once the index wraps back to all zeros,
 * so `do { ... } while (snt__odo_next(...))` visits every index once.
 */
static inline int snt__odo_next(int rank, const size_t *dims, size_t *idx,
                                const ptrdiff_t *s0, ptrdiff_t *o0,
                                const ptrdiff_t *s1, ptrdiff_t *o1)
{
    int d;
    for (d = rank - 1; d >= 0; d--) {
        if (++idx[d] < dims[d]) {
            *o0 += s0[d];
            *o1 += s1[d];
            return 1;
        }
        idx[d] = 0;
        *o0 -= (ptrdiff_t)(dims[d] - 1) * s0[d];
        *o1 -= (ptrdiff_t)(dims[d] - 1) * s1[d];
    }
    return 0;
}

/*
 * Simplifies an iteration space in place for two operands: drops axes of
 * extent 1 and merges neighbouring axes that both operands walk as one
 * (outer stride == inner stride * inner extent).  A dense third operand
 * (the output of elementwise kernels) merges on any such pair as well.
 * The iteration visits the same offsets in the same order afterwards, so
 * kernels can specialise their innermost loop on the merged strides.
 * Requires no zero extents; leaves rank >= 1.
 */
static inline void snt__collapse2(int *rank, size_t *dims, ptrdiff_t *s0, ptrdiff_t *s1)
{
    int d, r = 0;
    for (d = 0; d < *rank; d++) {
        if (dims[d] == 1)
            continue;
        if (r > 0 && s0[r - 1] == s0[d] * (ptrdiff_t)dims[d]
                  && s1[r - 1] == s1[d] * (ptrdiff_t)dims[d]) {
            dims[r - 1] *= dims[d];
            s0[r - 1] = s0[d];
            s1[r - 1] = s1[d];
            continue;
        }
        dims[r] = dims[d];
        s0[r] = s0[d];
        s1[r] = s1[d];
        r++;
    }
    if (r == 0) {
        dims[0] = 1;
        s0[0] = 0;
        s1[0] = 0;
        r = 1;
    }
    *rank = r;
}

/*
 * For a sliding window over an input axis of `in` elements, padded by
 * `pad` before it, with output positions o = 0 .. out-1 reading input
 * o * stride - pad + tap, computes the positions [*lo, *hi) whose read
 * lands inside the input.  tap is the kernel offset (ky * dilation).
 */
static inline void snt__window_range(size_t pad, size_t tap, size_t stride,
                                     size_t in, size_t out, size_t *lo, size_t *hi)
{
    ptrdiff_t start = (ptrdiff_t)pad - (ptrdiff_t)tap; /* o*stride - start is the read */
    ptrdiff_t end = (ptrdiff_t)in + start;             /* reads below in <=> o*stride < end */
    size_t l = start > 0 ? ((size_t)start + stride - 1) / stride : 0;
    size_t h = end > 0 ? ((size_t)end + stride - 1) / stride : 0;
    if (h > out)
        h = out;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/*
 * y[i] += a * x[i] for i < n, x and y not overlapping.  Written as blocks
 * of 8 with a constant inner trip count because that is what gcc -O2
 * (whose vectoriser only takes loops needing no scalar epilogue)
 * turns into SIMD code.
 */
static inline void snt__axpy(size_t n, float a, const float *restrict x, float *restrict y)
{
    size_t i = 0, j;
    for (; i + 8 <= n; i += 8)
        for (j = 0; j < 8; j++)
            y[i + j] += a * x[i + j];
    for (; i < n; i++)
        y[i] += a * x[i];
}

/*
 * erf(x) as x P(x^2) / Q(x^2), a rational fit of degree 5 / 5 on
 * [0, 3.92] (beyond, erf rounds to +-1 in float), to about 5e-7
 * relative error once evaluated in float.  Unlike libm's erff it has no
 * branch and no call, so loops over it vectorise.
 */
static inline float snt__erff(float v)
{
    const float lim = 3.92f;
    float x = v < -lim ? -lim : v > lim ? lim : v, t = x * x;
    float p = ((((2.05011630e-06f * t + 2.84880945e-04f) * t + 3.76550842e-03f) * t
                + 5.27483924e-02f) * t + 1.90403846e-01f) * t + 1.12837915f;
    float q = ((((3.80919221e-05f * t + 1.16251038e-03f) * t + 1.49689995e-02f) * t
                + 1.14108042e-01f) * t + 5.02073757e-01f) * t + 1.0f;
    return x * p / q;
}

/*
 * A matrix kernel's epilogue, applied to rows of its output as soon as
 * they are final (while they are still in cache): row r of the output
 * becomes act(y + bias[r]) * scale[r] + shift[r] + residual row r.  The
 * pointers are offset to the output's first row; residual rows are
 * `res_ld` floats apart.  bias, scale (with shift) and residual may each
 * be NULL.
 */
typedef struct {
    const float *bias, *scale, *shift, *residual;
    size_t res_ld;
    snt_act act;
} snt__epilogue;

/* Applies ep to y[0..n), which is row `row`, columns [col, col+n). */
void snt__epilogue_row(const snt__epilogue *ep, size_t row, size_t col, float *y, size_t n);

/* snt_sgemm whose rows of C get the epilogue ep (may be NULL) once final. */
void snt__sgemm_ep(size_t m, size_t n, size_t k, float alpha,
                   const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                   const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                   float *c, size_t ldc, int accumulate, const snt__epilogue *ep);

#endif /* SINTER_RT_INTERNAL_H */
