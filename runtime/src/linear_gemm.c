/*
 * linear_gemm.c - a fully connected layer on an f32-gemm micro-kernel,
 * with the weights packed by the compiler:
 *
 *   Y[m][n] = act(X[m][k] W[k][n] + bias[n])
 *
 * W is the constant operand, so it arrives as B panels of NR columns
 * (snt_f32_gemm_pack_b, run by the compiler); only X is packed at run
 * time, block by block, into A panels in `scratch`.  Loop order as in any
 * blocked GEMM: a block of MC rows x KC depth of X is packed (it stays in
 * L2); then for each B panel (KC x NR, in L1) every A panel of the block
 * streams through the micro-kernel.  Bias and activation run on each
 * block of rows of Y once its last depth block is done, while it is in
 * cache.
 */
#include "internal.h"

#define PANEL_BYTES ((size_t)24 * 1024)  /* a B panel: half of a 48 KiB L1 */
#define BLOCK_FLOATS ((size_t)64 * 1024) /* the packed rows of X: 256 KiB of L2 */

/* Depth of a block: a B panel fits PANEL_BYTES, to stay in L1 for every
 * A panel of the block; blocks equal in size.  X of one A panel (one
 * sample, a matrix-vector product) reuses nothing: one block, each B
 * panel read front to back by one call. */
static size_t block_depth(const snt_linear_params *p, size_t mr, size_t nr)
{
    size_t blocks;
    if (p->m <= mr)
        return p->k;
    blocks = snt__div_up(p->k, PANEL_BYTES / (nr * sizeof(float)));
    return blocks ? snt__div_up(p->k, blocks) : 0;
}

/* Rows of a block: whole A panels, as many as fit BLOCK_FLOATS. */
static size_t block_rows(const snt_linear_params *p, size_t mr, size_t nr)
{
    size_t kc = block_depth(p, mr, nr), panels = kc ? BLOCK_FLOATS / (kc * mr) : 1;
    if (panels == 0)
        panels = 1;
    return snt__min_size(panels, snt__div_up(p->m, mr)) * mr;
}

/* Floats that the depth offsets take, in whole 64-byte lines. */
static size_t offset_floats(size_t count)
{
    return snt__div_up(count * sizeof(ptrdiff_t), 64) * 64 / sizeof(float);
}

size_t snt_linear_gemm_scratch_floats(const snt_linear_params *p, unsigned mr, unsigned nr)
{
    size_t kc = block_depth(p, mr, nr);
    return offset_floats(kc) + block_rows(p, mr, nr) * kc;
}

void snt__linear_finish(const snt_act *act, const float *bias, float *y, size_t n)
{
    size_t j;
    if (bias != NULL)
        for (j = 0; j < n; j++)
            y[j] += bias[j];
    if (act->kind != SNT_ACT_NONE)
        snt_act_f32(act, y, y, n);
}

/* Bias and activation on rows [0, rows) of y (n columns each). */
static void finish_rows(const snt_linear_params *p, const float *bias, float *y, size_t rows)
{
    size_t r;
    for (r = 0; r < rows; r++, y += p->n)
        snt__linear_finish(&p->act, bias, y, p->n);
}

/*
 * Rows [0, rows) of Y from rows [0, rows) of X, blocked as the whole
 * Linear p is: a range of rows computes each of its elements with the
 * same depth blocks and micro-kernel calls as the whole product, so a
 * split into ranges does not change a bit.
 */
void snt__linear_gemm_rows(const snt_linear_params *p, const snt_f32_gemm_ukernel *uk,
                           const float *x, const float *w_packed, const float *bias, float *y,
                           size_t rows, float *scratch)
{
    size_t mr = uk->mr, nr = uk->nr, kc_max = block_depth(p, mr, nr);
    size_t mc_max = block_rows(p, mr, nr), ic, pc, jr, ir, r;
    ptrdiff_t *b_rows = (ptrdiff_t *)(void *)scratch;
    float *a = scratch + offset_floats(kc_max);
    if (p->k == 0) {
        /* Nothing to multiply: Y = 0, then bias and activation. */
        memset(y, 0, rows * p->n * sizeof(float));
        finish_rows(p, bias, y, rows);
        return;
    }
    for (r = 0; r < kc_max; r++)
        b_rows[r] = (ptrdiff_t)(r * nr);
    for (ic = 0; ic < rows; ic += mc_max) {
        size_t mc = snt__min_size(mc_max, rows - ic);
        float *yc = y + ic * p->n;
        for (pc = 0; pc < p->k; pc += kc_max) {
            size_t kc = snt__min_size(kc_max, p->k - pc);
            snt_f32_gemm_pack_a(mc, kc, mr, x + ic * p->k + pc, (ptrdiff_t)p->k, 1, a);
            for (jr = 0; jr < p->n; jr += nr) {
                const float *b = w_packed + jr * p->k + pc * nr;
                for (ir = 0; ir < mc; ir += mr)
                    uk->run(snt__min_size(mr, mc - ir), snt__min_size(nr, p->n - jr), kc,
                            a + ir * kc, b, b_rows, yc + ir * p->n + jr, p->n, pc > 0);
            }
        }
        finish_rows(p, bias, yc, mc);
    }
}

/* Split over threads by rows, whole A panels. */
typedef struct {
    const snt_linear_params *p;
    const snt_f32_gemm_ukernel *uk;
    const float *x, *w, *bias;
    float *y, *scratch;
} linear_work;

static void linear_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const linear_work *lw = arg;
    const snt_linear_params *p = lw->p;
    float *scratch = snt__slot(lw->scratch, slot,
                               snt_linear_gemm_scratch_floats(p, lw->uk->mr, lw->uk->nr));
    snt__linear_gemm_rows(p, lw->uk, lw->x + begin * p->k, lw->w, lw->bias, lw->y + begin * p->n,
                          end - begin, scratch);
}

void snt_linear_gemm_f32_mt(const snt_parallel *par, const snt_linear_params *p,
                            const snt_f32_gemm_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, float *y, float *scratch)
{
    linear_work lw = {p, uk, x, w_packed, bias, y, scratch};
    if (p->n == 0)
        return;
    snt__parallel_ranges(par, p->m, uk->mr, linear_part, &lw);
}

void snt_linear_gemm_f32(const snt_linear_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias, float *y,
                         float *scratch)
{
    snt_linear_gemm_f32_mt(NULL, p, uk, x, w_packed, bias, y, scratch);
}
