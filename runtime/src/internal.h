/*
 * internal.h - helpers shared by the runtime's kernels; not part of the
 * API that generated code sees.
 */
#ifndef SINTER_RT_INTERNAL_H
#define SINTER_RT_INTERNAL_H

#include <string.h>

#include "sinter_rt.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

/* Floats rounded up to whole 64-byte lines: parts of one scratch buffer
 * (or of packed weights) laid out one after another each start aligned. */
static inline size_t snt__whole_lines(size_t floats)
{
    return (floats + 15) / 16 * 16;
}

/* The smaller of a and b. */
static inline size_t snt__min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* a / b rounded up (b > 0). */
static inline size_t snt__div_up(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

/* ---- splitting a kernel over threads (parallel.c) ---- */

/* One part of a kernel's output: items [begin, end), with scratch slot
 * `slot` (< the parts of the split) to itself. */
typedef void (*snt__range_fn)(void *arg, size_t slot, size_t begin, size_t end);

/* Runs fn over [0, items) split into snt__parallel_parts ranges whose
 * boundaries are multiples of `align` (the last range ends at items),
 * on par's threads; one call fn(arg, 0, 0, items) without par. */
void snt__parallel_ranges(const snt_parallel *par, size_t items, size_t align, snt__range_fn fn,
                          void *arg);

/* Rows [0, rows) of the Linear p from x into y (linear_gemm.c), blocked
 * as the whole of p is, so that any split of p's rows computes the same
 * bits; scratch as snt_linear_gemm_scratch_floats(p, uk->mr, uk->nr). */
void snt__linear_gemm_rows(const snt_linear_params *p, const snt_f32_gemm_ukernel *uk,
                           const float *x, const float *w_packed, const float *bias, float *y,
                           size_t rows, float *scratch);

/* A Linear's epilogue on n values of one row of y: + bias (when not
 * NULL), then the activation (linear_gemm.c). */
void snt__linear_finish(const snt_act *act, const float *bias, float *y, size_t n);

/* Scratch slot `slot` of a kernel whose serial scratch is `floats`. */
static inline float *snt__slot(float *scratch, size_t slot, size_t floats)
{
    return scratch + slot * snt__whole_lines(floats);
}

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

/* A strided copy's box and strides (source, destination), collapsed by
 * snt__collapse2; 0 when the box is empty (nothing to copy). */
static inline int snt__strided_collapsed(const snt_strided *p, int *rank, size_t *dims,
                                         ptrdiff_t *ss, ptrdiff_t *ds)
{
    int d;
    if (snt__any_zero(p->rank, p->dims))
        return 0;
    *rank = p->rank;
    for (d = 0; d < p->rank; d++) {
        dims[d] = p->dims[d];
        ss[d] = p->src_strides[d];
        ds[d] = p->dst_strides[d];
    }
    snt__collapse2(rank, dims, ss, ds);
    return 1;
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
 * d0[i] = src[2i] and d1[i] = src[2i + 1] for i < n: the two column
 * phases of a stride-2 window.  The rows of small images are short (a
 * 28-wide row gives 14 pairs), so with AVX-512 the last pairs go
 * through lane masks too; compilers leave such a remainder scalar, which
 * cost a depthwise layer at 56^2 half its time.  Otherwise a loop that
 * compilers vectorise.
 */
static inline void snt__deinterleave2(float *restrict d0, float *restrict d1,
                                      const float *restrict src, size_t n)
{
    size_t i = 0;
#if defined(__AVX512F__)
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                           28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (; i < n; i += 16) {
        size_t left = n - i;
        __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        __mmask16 lo = left >= 8 ? (__mmask16)0xFFFF : (__mmask16)((1u << 2 * left) - 1);
        __mmask16 hi = left >= 16 ? (__mmask16)0xFFFF
                       : left > 8 ? (__mmask16)((1u << 2 * (left - 8)) - 1) : 0;
        __m512 a = _mm512_maskz_loadu_ps(lo, src + 2 * i);
        __m512 b = _mm512_maskz_loadu_ps(hi, src + 2 * i + 16);
        _mm512_mask_storeu_ps(d0 + i, m, _mm512_permutex2var_ps(a, even, b));
        _mm512_mask_storeu_ps(d1 + i, m, _mm512_permutex2var_ps(a, odd, b));
    }
#endif
    for (; i < n; i++) {
        d0[i] = src[2 * i];
        d1[i] = src[2 * i + 1];
    }
}

/*
 * Input rows in scratch for the direct convolutions (phase_rows.c):
 * each row zero padded and its columns split into sw phases, so that
 * the outputs of one tap read consecutive floats.  Padded column c lies
 * at snt__phase_col(g, c).
 */
typedef struct {
    size_t w, sw;             /* input width, column stride */
    size_t phase_len;         /* floats of one column phase */
    size_t row_floats;        /* floats of a padded row (sw phases) */
    size_t lo, hi;            /* padded columns [lo, hi) lie in the input, at c - pl */
    size_t lo_phase, lo_at;   /* column lo is float lo_at of phase lo_phase */
    size_t per_phase, extra;  /* (hi - lo) / sw and (hi - lo) % sw */
} snt__phase_rows;

/* The rows that ow outputs of a kw-tap window (column stride sw,
 * dilation dw, left padding pl) read from an input w wide; ow >= 1. */
snt__phase_rows snt__phase_rows_init(size_t w, size_t ow, size_t kw, size_t sw, size_t dw,
                                     size_t pl);

static inline size_t snt__phase_col(const snt__phase_rows *g, size_t c)
{
    return c % g->sw * g->phase_len + c / g->sw;
}

/*
 * Rows i < n of dst (row_floats apart): the image's columns of input row
 * iy0 + i of the plane x (h rows) when i < live and that row exists,
 * else the whole row zero.  Padding columns are never written: the
 * caller zeroes them once, and every row has the same layout.
 */
void snt__phase_rows_fill(const snt__phase_rows *g, const float *x, size_t h, ptrdiff_t iy0,
                          size_t live, size_t n, float *dst);

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
 * Row statistics in double for the normalisations, kept in SNT__LANES
 * partial sums: a constant inner trip count that the vectoriser maps
 * onto SIMD registers (it may not reorder the additions into a single
 * accumulator without -ffast-math), and, as a side effect, a sum more
 * accurate than one running total.
 */
#define SNT__LANES 16

/* s[0] + ... + s[SNT__LANES - 1], pairwise; overwrites s.  One loop of
 * constant length per level: as a loop over the levels, gcc 12 left the
 * halving to scalar code through memory, branches and all, which cost
 * a normalization of 128 columns more than its arithmetic. */
#if SNT__LANES != 16
#error "snt__lanes_total adds 16 lanes"
#endif
static inline double snt__lanes_total(double *s)
{
    size_t j;
    for (j = 0; j < 8; j++)
        s[j] += s[j + 8];
    for (j = 0; j < 4; j++)
        s[j] += s[j + 4];
    for (j = 0; j < 2; j++)
        s[j] += s[j + 2];
    return s[0] + s[1];
}

/* x[0] + ... + x[n-1] in double. */
static inline double snt__sum_f64(size_t n, const float *x)
{
    double s[SNT__LANES] = {0};
    size_t i, j;
    for (i = 0; i + SNT__LANES <= n; i += SNT__LANES)
        for (j = 0; j < SNT__LANES; j++)
            s[j] += x[i + j];
    for (j = 0; i < n; i++, j++)
        s[j] += x[i];
    return snt__lanes_total(s);
}

/* The sum of (x[i] - c)^2 over i < n, in double. */
static inline double snt__sqdev_f64(size_t n, const float *x, double c)
{
    double s[SNT__LANES] = {0};
    size_t i, j;
    for (i = 0; i + SNT__LANES <= n; i += SNT__LANES)
        for (j = 0; j < SNT__LANES; j++) {
            double d = x[i + j] - c;
            s[j] += d * d;
        }
    for (j = 0; i < n; i++, j++) {
        double d = x[i] - c;
        s[j] += d * d;
    }
    return snt__lanes_total(s);
}

/*
 * Exponential-type functions in float without libm: branch-free plain C
 * (selects instead of branches, bit manipulation through memcpy) so that
 * loops calling them vectorise, as libm's expf / tanhf / expm1f calls do
 * not.  Each is within about 3e-7 relative of the true value over every
 * float (tests/test_act_math.c holds the measured bounds) and keeps
 * NaN, +-inf and the sign of zero as libm does.
 */

/* e^r - 1 for |r| <= ln2/2, as r (1 + r q(r)) with q a degree-4 fit of
 * relative error 1.3e-7 to (e^r - 1 - r) / r^2: no constant term, so
 * the result is accurate relative to e^r - 1 even for tiny r, and the
 * product (unlike r + r^2 q) keeps the sign of r = -0. */
static inline float snt__expm1_reduced(float r)
{
    float q = (((1.39012869e-3f * r + 8.36314493e-3f) * r + 4.16668534e-2f) * r
               + 1.66665773e-1f) * r + 0.5f;
    return r * (1.0f + r * q);
}

/* The float 2^e for an unbiased exponent e in [-126, 127], given as
 * e + 128 in an unsigned (so that the arithmetic never overflows). */
static inline float snt__pow2_biased(uint32_t e_plus_128)
{
    uint32_t bits = (e_plus_128 - 1u) << 23;
    float s;
    memcpy(&s, &bits, sizeof s);
    return s;
}

/*
 * e^x as 2^n e^r with n = round(x / ln2) and r = x - n ln2 (ln2 split in
 * two so that n * ln2 subtracts exactly).  n is rounded by adding
 * 1.5 * 2^23, which leaves it in the low mantissa bits of the sum and
 * needs no float-to-int conversion.  |x| is clamped to 104, past which
 * e^x rounds to 0 or overflows anyway, as an unsigned min on its bits:
 * a float clamp to constants makes gcc compute the whole function once
 * more per constant (it folds each into its own path, then merges the
 * paths with masks).  The clamp turns NaN into +-104, so NaN is put
 * back at the end.  2^n is applied as two factors 2^floor(n/2) and
 * 2^ceil(n/2), both normal floats for |n| <= 150, so that results in
 * the subnormal range (n < -126) and the top binade (n = 128) come out
 * right with one final rounding.
 */
static inline float snt__expf(float x)
{
    const float shift = 12582912.0f;
    const uint32_t lim = 0x42D00000u;          /* 104.0f */
    uint32_t bits, mag, n_plus_256, half;
    float v, t, n, r, e;
    memcpy(&bits, &x, sizeof bits);
    mag = bits & 0x7FFFFFFFu;
    bits = (bits & 0x80000000u) | (mag < lim ? mag : lim);
    memcpy(&v, &bits, sizeof v);
    t = v * 1.44269504f + shift;
    n = t - shift;
    r = v - n * 0.693359375f - n * -2.12194440e-4f;
    memcpy(&bits, &t, sizeof bits);
    n_plus_256 = bits - 0x4B400000u + 256u;   /* the mantissa bits of t hold n */
    half = n_plus_256 >> 1;                   /* floor(n / 2) + 128 */
    e = (1.0f + snt__expm1_reduced(r)) * snt__pow2_biased(half)
        * snt__pow2_biased(n_plus_256 - half);
    return x != x ? x : e;
}

/* e^x - 1: the reduced polynomial itself where e^x - 1 would cancel
 * (|x| below ln2/2), e^x - 1 beyond, where the result is at least 0.29
 * in magnitude and the subtraction costs at most ~3 ulp. */
static inline float snt__expm1f(float x)
{
    float ax = x < 0 ? -x : x;
    float e = snt__expf(x) - 1.0f;
    return ax < 0.34f ? snt__expm1_reduced(x) : e;
}

/* 1 / (1 + e^-x) from e = e^-|x| <= 1, so that nothing overflows:
 * 1 / (1 + e) for x >= 0, e / (1 + e) for x < 0, the latter keeping
 * full relative precision in the far negative tail (down to the
 * subnormals) where 1 - sigmoid(-x) would round to 0. */
static inline float snt__sigmoidf(float x)
{
    float e = snt__expf(x < 0 ? x : -x);
    float r = 1.0f / (1.0f + e);
    return x < 0 ? e * r : r;
}

/*
 * tanh(x): (1 - e) / (1 + e) with e = e^-2|x| and the sign restored,
 * which cancels as |x| -> 0, so below 0.55 an odd polynomial
 * x (1 + x^2 P(x^2)) takes over (P a degree-4 fit of relative error
 * 4e-8; the product, unlike x + x^3 P, maps -0 to -0).  Past |x| ~ 9,
 * e^-2|x| < 2^-25 and the quotient rounds to exactly 1; +-inf give +-1.
 */
static inline float snt__tanhf(float x)
{
    float ax = x < 0 ? -x : x, x2 = x * x;
    float e = snt__expf(-2.0f * ax), big = (1.0f - e) / (1.0f + e);
    float p = (((-6.61037862e-3f * x2 + 2.13094803e-2f) * x2 - 5.39094462e-2f) * x2
               + 1.33331138e-1f) * x2 - 3.33333320e-1f;
    float small = x * (1.0f + x2 * p);
    return ax < 0.55f ? small : x < 0 ? -big : big;
}

/* log(1 + e^x) = max(x, 0) + log1p(e^-|x|), which never overflows; the
 * log1p of e in [0, 1] is e P(e), P a degree-8 fit of relative error
 * 3e-8 to log1p(e) / e, so that the far negative tail keeps its
 * relative precision (softplus(x) ~ e^x there). */
static inline float snt__softplusf(float x)
{
    float e = snt__expf(x < 0 ? x : -x);
    float p = (((((((5.23269428e-3f * e - 2.95052388e-2f) * e + 7.82259519e-2f) * e
                   - 1.36632458e-1f) * e + 1.91060068e-1f) * e - 2.48429822e-1f) * e
                + 3.33190968e-1f) * e - 4.99994931e-1f) * e + 9.99999970e-1f;
    return (x > 0 ? x : 0) + e * p;
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

/* The epilogue of a convolution with p's output shape: per output
 * channel bias, scale and shift, and a residual laid out like one image
 * of the output (rows of oh*ow). */
static inline snt__epilogue snt__conv_epilogue(const snt_conv2d_params *p, const float *bias,
                                               const float *scale, const float *shift,
                                               const float *residual)
{
    snt__epilogue ep;
    ep.bias = bias;
    ep.scale = scale;
    ep.shift = shift;
    ep.residual = residual;
    ep.res_ld = p->oh * p->ow;
    ep.act = p->act;
    return ep;
}

/* When ep's activation is one that the direct-convolution kernels apply
 * in registers (HardSwish, HardSigmoid): that activation into *hard and
 * the rest of ep into *rest, and returns hard.  Else *rest = *ep and
 * NULL. */
static inline const snt_f32_hard_act *snt__split_hard_act(const snt__epilogue *ep,
                                                          snt__epilogue *rest,
                                                          snt_f32_hard_act *hard)
{
    *rest = *ep;
    if (ep->act.kind != SNT_ACT_HARD_SWISH && ep->act.kind != SNT_ACT_HARD_SIGMOID)
        return NULL;
    hard->alpha = ep->act.alpha;
    hard->beta = ep->act.beta;
    hard->times_v = ep->act.kind == SNT_ACT_HARD_SWISH;
    rest->act.kind = SNT_ACT_NONE;
    return hard;
}

/* snt_sgemm whose rows of C get the epilogue ep (may be NULL) once final. */
void snt__sgemm_ep(size_t m, size_t n, size_t k, float alpha,
                   const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                   const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                   float *c, size_t ldc, int accumulate, const snt__epilogue *ep,
                   float *scratch);

#endif /* SINTER_RT_INTERNAL_H */
