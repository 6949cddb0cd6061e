/*
 * conv_case.h - one convolution's shape as the kernel tests write it
 * (one line of a table), and its snt_conv2d_params.
 */
#ifndef SINTER_TEST_CONV_CASE_H
#define SINTER_TEST_CONV_CASE_H

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

#endif /* SINTER_TEST_CONV_CASE_H */
