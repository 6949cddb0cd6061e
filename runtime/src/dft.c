/*
 * dft.c - discrete Fourier transforms for DFT and STFT.
 *
 * Every line (a signal of n points) is loaded into a complex double
 * buffer, zero-padded past the samples it has, and transformed: by an
 * in-place radix-2 FFT when n is a power of two, else by the direct sum
 * over a table of the n roots of unity.  Only the bins the caller keeps
 * are stored, so a one-sided transform costs no extra memory.
 */
#include "sinter_rt.h"

#include <math.h>

/* M_PI is not C99. */
#define SNT_TWO_PI 6.28318530717958647692528676655900577

size_t snt_dft_work_doubles(size_t n)
{
    return 4 * n; /* the roots of unity and one line, both complex */
}

/* tw[m] = exp(-+2 pi i m / n) as (re, im) pairs: the forward transform
 * turns clockwise, the inverse counter-clockwise. */
static void make_twiddles(size_t n, int inverse, double *tw)
{
    size_t m;
    double sign = inverse ? 1.0 : -1.0;
    for (m = 0; m < n; m++) {
        double phase = SNT_TWO_PI * (double)m / (double)n;
        tw[2 * m] = cos(phase);
        tw[2 * m + 1] = sign * sin(phase);
    }
}

/* Element i of a FLOAT or DOUBLE buffer. */
static double load_value(int dtype, const void *x, ptrdiff_t i)
{
    return dtype == SNT_DT_DOUBLE ? ((const double *)x)[i] : (double)((const float *)x)[i];
}

static void store_value(int dtype, void *y, ptrdiff_t i, double v)
{
    if (dtype == SNT_DT_DOUBLE)
        ((double *)y)[i] = v;
    else
        ((float *)y)[i] = (float)v;
}

/* Reads one line's samples (windowed) into buf as n complex values. */
static void load_line(int dtype, const snt_dft_params *p, const void *x, ptrdiff_t at,
                      const void *window, double *buf)
{
    size_t k;
    for (k = 0; k < p->n; k++) {
        double re = 0.0, im = 0.0;
        if (k < p->samples) {
            ptrdiff_t i = at + (ptrdiff_t)k * p->x_sample_stride;
            double w = window ? load_value(dtype, window, (ptrdiff_t)k) : 1.0;
            re = w * load_value(dtype, x, i);
            im = p->complex_input ? w * load_value(dtype, x, i + 1) : 0.0;
        }
        buf[2 * k] = re;
        buf[2 * k + 1] = im;
    }
}

static int is_power_of_two(size_t n)
{
    return n > 0 && (n & (n - 1)) == 0;
}

/* Puts buf's n complex values in bit-reversed index order. */
static void bit_reverse(double *buf, size_t n)
{
    size_t i, j = 0;
    for (i = 0; i + 1 < n; i++) {
        size_t bit;
        if (i < j) {
            double re = buf[2 * i], im = buf[2 * i + 1];
            buf[2 * i] = buf[2 * j];
            buf[2 * i + 1] = buf[2 * j + 1];
            buf[2 * j] = re;
            buf[2 * j + 1] = im;
        }
        /* j + 1 in reversed binary: clear the leading ones, set the next. */
        for (bit = n >> 1; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
    }
}

/* Iterative radix-2 Cooley-Tukey on buf in place (n a power of two). */
static void fft_in_place(double *buf, size_t n, const double *tw)
{
    size_t len, start, k;
    bit_reverse(buf, n);
    for (len = 2; len <= n; len <<= 1) {
        size_t half = len / 2, step = n / len;
        for (start = 0; start < n; start += len) {
            for (k = 0; k < half; k++) {
                const double *w = tw + 2 * (k * step);
                double *a = buf + 2 * (start + k), *b = buf + 2 * (start + k + half);
                double re = b[0] * w[0] - b[1] * w[1];
                double im = b[0] * w[1] + b[1] * w[0];
                b[0] = a[0] - re;
                b[1] = a[1] - im;
                a[0] += re;
                a[1] += im;
            }
        }
    }
}

/* Bin j of the direct transform of buf's n values, into out[0..1]. */
static void direct_bin(const double *buf, size_t n, size_t j, const double *tw, double *out)
{
    size_t k, m = 0; /* m = j * k mod n, stepped to avoid overflow */
    double re = 0.0, im = 0.0;
    for (k = 0; k < n; k++) {
        const double *w = tw + 2 * m;
        re += buf[2 * k] * w[0] - buf[2 * k + 1] * w[1];
        im += buf[2 * k] * w[1] + buf[2 * k + 1] * w[0];
        m += j;
        if (m >= n)
            m -= n;
    }
    out[0] = re;
    out[1] = im;
}

/* Transforms the line at x offset `at` and stores its bins at y offset
 * `to`; the inverse is scaled by 1 / n. */
static void transform_line(int dtype, const snt_dft_params *p, const void *x, ptrdiff_t at,
                           const void *window, void *y, ptrdiff_t to, double *tw,
                           double *buf)
{
    size_t j;
    double scale = p->inverse ? 1.0 / (double)p->n : 1.0;
    int fast = is_power_of_two(p->n);
    load_line(dtype, p, x, at, window, buf);
    if (fast)
        fft_in_place(buf, p->n, tw);
    for (j = 0; j < p->bins; j++) {
        double bin[2];
        ptrdiff_t i = to + (ptrdiff_t)j * p->y_bin_stride;
        if (fast) {
            bin[0] = buf[2 * j];
            bin[1] = buf[2 * j + 1];
        } else {
            direct_bin(buf, p->n, j, tw, bin);
        }
        store_value(dtype, y, i, bin[0] * scale);
        store_value(dtype, y, i + 1, bin[1] * scale);
    }
}

void snt_dft(int dtype, const snt_dft_params *p, const void *x, const void *window, void *y,
             double *work)
{
    size_t a, b;
    double *tw = work, *buf = work + 2 * p->n;
    if (p->n == 0)
        return;
    make_twiddles(p->n, p->inverse, tw);
    for (a = 0; a < p->lines[0]; a++) {
        for (b = 0; b < p->lines[1]; b++) {
            ptrdiff_t at = (ptrdiff_t)a * p->x_line_strides[0] + (ptrdiff_t)b * p->x_line_strides[1];
            ptrdiff_t to = (ptrdiff_t)a * p->y_line_strides[0] + (ptrdiff_t)b * p->y_line_strides[1];
            transform_line(dtype, p, x, at, window, y, to, tw, buf);
        }
    }
}
