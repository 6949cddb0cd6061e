/*
 * conv_case.h - one convolution's shape as the kernel tests write it
 * (one line of a table), its snt_conv2d_params, and the reference sum the
 * kernels are checked against.
 */
#ifndef SINTER_TEST_CONV_CASE_H
#define SINTER_TEST_CONV_CASE_H

#include <math.h>
#include <string.h>

#include "sinter_rt.h"

/* Input n x c x h x w, k outputs, window, strides, dilations, padding
 * (top, left, bottom, right) and groups. */
typedef struct {
    size_t n, c, h, w, k, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
} conv_case;

/* Output extent along one axis, 0 when the window does not fit. */
static inline size_t conv_out(size_t in, size_t pads, size_t k, size_t s, size_t d)
{
    size_t ext = (k - 1) * d + 1;
    return in + pads >= ext ? (in + pads - ext) / s + 1 : 0;
}

/* The kernel parameters of cc with activation act (alpha, beta 0). */
static inline snt_conv2d_params params_of(const conv_case *cc, snt_act_kind act)
{
    snt_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = cc->n; p.c = cc->c; p.h = cc->h; p.w = cc->w; p.k = cc->k;
    p.kh = cc->kh; p.kw = cc->kw; p.sh = cc->sh; p.sw = cc->sw; p.dh = cc->dh; p.dw = cc->dw;
    p.pt = cc->pt; p.pl = cc->pl; p.groups = cc->groups;
    p.oh = conv_out(cc->h, cc->pt + cc->pb, cc->kh, cc->sh, cc->dh);
    p.ow = conv_out(cc->w, cc->pl + cc->pr, cc->kw, cc->sw, cc->dw);
    p.act.kind = act;
    return p;
}

/* Output (b, m, oy, ox) of p's grouped convolution of x by w (ONNX
 * layouts, no bias) from the definition, summed in double, taps in the
 * padding reading zero; *mag gets the sum of the terms' magnitudes, which
 * bounds the rounding error of a float sum in any order. */
static inline double conv_ref_sum(const snt_conv2d_params *p, const float *x, const float *w,
                                  size_t b, size_t m, size_t oy, size_t ox, double *mag)
{
    size_t cg = p->c / p->groups, c0 = m / (p->k / p->groups) * cg, ci, ky, kx;
    double s = 0.0;
    *mag = 0.0;
    for (ci = 0; ci < cg; ci++)
        for (ky = 0; ky < p->kh; ky++)
            for (kx = 0; kx < p->kw; kx++) {
                long iy = (long)(oy * p->sh + ky * p->dh) - (long)p->pt;
                long ix = (long)(ox * p->sw + kx * p->dw) - (long)p->pl;
                double t;
                if (iy < 0 || iy >= (long)p->h || ix < 0 || ix >= (long)p->w)
                    continue;
                t = (double)w[((m * cg + ci) * p->kh + ky) * p->kw + kx] *
                    x[((b * p->c + c0 + ci) * p->h + (size_t)iy) * p->w + (size_t)ix];
                s += t;
                *mag += fabs(t);
            }
    return s;
}

#endif /* SINTER_TEST_CONV_CASE_H */
