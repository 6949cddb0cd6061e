/*
 * lp_pool.c - LpPool on NCHW (GlobalLpPool runs it with one window per
 * plane).
 */
#include <math.h>

#include "internal.h"

/* The p-norm of one window whose top-left tap reads x at (top, left),
 * possibly outside the plane: taps outside read the zero padding. */
static float lp_window(const snt_pool2d_params *p, float pnorm, const float *plane,
                       ptrdiff_t top, ptrdiff_t left)
{
    double sum = 0.0;
    size_t a, b;
    for (a = 0; a < p->kh; a++) {
        ptrdiff_t r = top + (ptrdiff_t)(a * p->dh);
        if (r < 0 || r >= (ptrdiff_t)p->h)
            continue;
        for (b = 0; b < p->kw; b++) {
            ptrdiff_t col = left + (ptrdiff_t)(b * p->dw);
            if (col >= 0 && col < (ptrdiff_t)p->w)
                sum += pow(fabs((double)plane[(size_t)r * p->w + (size_t)col]), pnorm);
        }
    }
    return (float)pow(sum, 1.0 / pnorm);
}

void snt_lppool2d_f32(const snt_pool2d_params *p, float pnorm, const float *x, float *y)
{
    size_t plane, i, j;
    for (plane = 0; plane < p->n * p->c; plane++) {
        const float *in = x + plane * p->h * p->w;
        for (i = 0; i < p->oh; i++)
            for (j = 0; j < p->ow; j++)
                *y++ = lp_window(p, pnorm, in, (ptrdiff_t)(i * p->sh) - (ptrdiff_t)p->pt,
                                 (ptrdiff_t)(j * p->sw) - (ptrdiff_t)p->pl);
    }
}
