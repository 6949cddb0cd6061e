/*
 * linear_gemv.c - a fully connected layer on an f32-gemv micro-kernel,
 * row by row, with the weights packed by the compiler as for the
 * f32-gemm micro-kernel of the same panel width:
 *
 *   Y[m][n] = act(X[m][k] W[k][n] + bias[n])
 *
 * For one row (a Linear on one sample) nothing is reused: the product
 * is as fast as the weights stream.  The f32-gemm path would pack the
 * row into an A panel and run its tile's one-row loop; the f32-gemv
 * micro-kernel reads x where it lies and each panel front to back, one
 * call per panel of nr columns, bias and activation once the panel's
 * columns are done, while they are in L1.
 *
 * Threads split the columns, by whole panels: each output is one call
 * of the micro-kernel over the whole depth, whatever the split.
 */
#include "internal.h"

typedef struct {
    const snt_linear_params *p;
    const snt_f32_gemv_ukernel *uk;
    const float *x, *w, *bias;
    float *y;
} gemv_work;

/* Columns [begin, end) of every row; begin is a multiple of nr. */
static void gemv_columns(void *arg, size_t slot, size_t begin, size_t end)
{
    const gemv_work *gw = arg;
    const snt_linear_params *p = gw->p;
    size_t nr = gw->uk->nr, r, j;
    (void)slot;
    for (r = 0; r < p->m; r++) {
        float *y = gw->y + r * p->n;
        for (j = begin; j < end; j += nr) {
            size_t nc = end - j < nr ? end - j : nr;
            gw->uk->run(nc, p->k, gw->x + r * p->k, gw->w + j * p->k, y + j);
            snt__linear_finish(&p->act, gw->bias ? gw->bias + j : NULL, y + j, nc);
        }
    }
}

void snt_linear_gemv_f32_mt(const snt_parallel *par, const snt_linear_params *p,
                            const snt_f32_gemv_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, float *y)
{
    gemv_work gw = {p, uk, x, w_packed, bias, y};
    if (p->m == 0)
        return;
    snt__parallel_ranges(par, p->n, uk->nr, gemv_columns, &gw);
}

void snt_linear_gemv_f32(const snt_linear_params *p, const snt_f32_gemv_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias, float *y)
{
    snt_linear_gemv_f32_mt(NULL, p, uk, x, w_packed, bias, y);
}
