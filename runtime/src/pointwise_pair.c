/*
 * pointwise_pair.c - two 1x1 convolutions in a row, the first one's
 * output never stored:
 *
 *   H = E1(W1 X)      [M x HW], E1: bias, activation, affine
 *   Y = E2(W2 H)      [K x HW], E2: the same and a residual
 *
 * (an inverted bottleneck's expand and project, CMUNeXt's C -> 4C -> C
 * with GELU and BatchNorm after each).  Both products run on an f32-gemm
 * micro-kernel with W1 and W2 packed by the compiler as for
 * snt_conv2d_gemm_f32.  Block by block of P pixels, H is made in scratch
 * (M x P floats, in L2) and at once multiplied by W2 into Y: the M-channel
 * tensor, four times the size of X or Y in a bottleneck, is never
 * written to memory and read back, which is what bounds such layers at
 * large sizes.
 *
 * X's rows are read in place (the micro-kernel reads B rows through an
 * offset table); only the image's last panel, whose NR columns would
 * run past the end of X, is copied into a zero-padded panel first.
 */
#include <string.h>

#include "internal.h"

#define PANEL_BYTES ((size_t)24 * 1024)  /* B rows of a depth block: half of L1 */
#define H_FLOATS ((size_t)64 * 1024)     /* H of a block: 256 KiB of L2 */

/* Columns of the micro-kernel call at pixel q of a run ending at `end`:
 * panels lie on the serial grid of nr columns (up to the next multiple
 * of nr), so that a part starting inside a panel makes calls of whole
 * steps of the serial ones (see pair_align). */
static size_t panel_cols(size_t q, size_t end, size_t nr)
{
    return snt__min_size(nr - q % nr, end - q);
}

/* Depth of a product block: a B panel of nr columns fits PANEL_BYTES,
 * the blocks equal in size. */
static size_t block_depth(size_t depth, size_t nr)
{
    return snt__div_up(depth, snt__div_up(depth, PANEL_BYTES / (nr * sizeof(float))));
}

/* Pixels of a block: whole panels, as many as keep H within H_FLOATS
 * (at least one), no more than the image has. */
static size_t block_pixels(const snt_pointwise_pair_params *p, size_t nr)
{
    size_t panels = H_FLOATS / (p->m * nr);
    panels = panels < 1 ? 1 : snt__min_size(panels, snt__div_up(p->hw, nr));
    return panels * nr;
}

/* Floats that `count` ptrdiff_t offsets take, in whole 64-byte lines. */
static size_t offset_floats(size_t count)
{
    return snt__div_up(count * sizeof(ptrdiff_t), 64) * 64 / sizeof(float);
}

/* Scratch, in this order: the offsets of X's rows, of the last panel's
 * and of H's, the last panel of X, and H with nr floats after it: a
 * panel that starts inside the serial grid (pair_align) reads up to nr
 * columns past its block, past H's last row for the last. */
size_t snt_pointwise_pair_scratch_floats(const snt_pointwise_pair_params *p, unsigned mr,
                                         unsigned nr)
{
    (void)mr;
    if (p->hw == 0 || p->k == 0)
        return 0;
    return 2 * offset_floats(p->c) + offset_floats(p->m) + p->c * nr +
           p->m * block_pixels(p, nr) + nr;
}

/* One product C (+)= A B on the micro-kernel, `rows` x `cols`, over
 * `depth` in depth blocks: A in panels (packed_a layout), B rows at
 * b + b_rows[i], C row-major with leading dimension ldc. */
static void product(const snt_f32_gemm_ukernel *uk, size_t rows, size_t cols, size_t depth,
                    const float *a, const float *b, const ptrdiff_t *b_rows, float *c, size_t ldc)
{
    size_t kc_max = block_depth(depth, uk->nr), pc, ir;
    for (pc = 0; pc < depth; pc += kc_max) {
        size_t kc = snt__min_size(kc_max, depth - pc);
        for (ir = 0; ir < rows; ir += uk->mr)
            uk->run(snt__min_size(uk->mr, rows - ir), cols, kc, a + ir * depth + pc * uk->mr, b,
                    b_rows + pc, c + ir * ldc, ldc, pc > 0);
    }
}

/* The scratch of one call, laid out. */
typedef struct {
    ptrdiff_t *x_rows, *last_rows, *h_rows;
    float *last, *h;
    size_t pixels;        /* of a block */
} work;

/*
 * H for pixels [q0, q0 + width) of x: panel by panel, X's rows read in
 * place, or from `last` for a panel that would run past X; then E1.
 */
static void expand(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk,
                   const float *x, const float *w1, const snt__epilogue *e1, size_t q0,
                   size_t width, const work *wk)
{
    size_t nr = uk->nr, q, cols, ci, mi;
    for (q = q0; q < q0 + width; q += cols) {
        cols = panel_cols(q, q0 + width, nr);
        const float *b = x + q;
        const ptrdiff_t *b_rows = wk->x_rows;
        if (q + nr > p->hw) {
            for (ci = 0; ci < p->c; ci++) {
                memcpy(wk->last + ci * nr, x + ci * p->hw + q, cols * sizeof(float));
                memset(wk->last + ci * nr + cols, 0, (nr - cols) * sizeof(float));
            }
            b = wk->last;
            b_rows = wk->last_rows;
        }
        product(uk, p->m, cols, p->c, w1, b, b_rows, wk->h + (q - q0), wk->pixels);
    }
    for (mi = 0; mi < p->m && e1 != NULL; mi++)
        snt__epilogue_row(e1, mi, 0, wk->h + mi * wk->pixels, width);
}

/* Y for pixels [q0, q0 + width) from H, then E2. */
static void project(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk,
                    const float *w2, const snt__epilogue *e2, size_t q0, size_t width,
                    const work *wk, float *y)
{
    size_t nr = uk->nr, q, cols, ki;
    for (q = q0; q < q0 + width; q += cols) {
        cols = panel_cols(q, q0 + width, nr);
        product(uk, p->k, cols, p->m, w2, wk->h + (q - q0), wk->h_rows, y + q, p->hw);
    }
    for (ki = 0; ki < p->k && e2 != NULL; ki++)
        snt__epilogue_row(e2, ki, q0, y + ki * p->hw + q0, width);
}

/* An epilogue that does something, or NULL. */
static const snt__epilogue *live(const snt__epilogue *e)
{
    return e->bias || e->scale || e->residual || e->act.kind != SNT_ACT_NONE ? e : NULL;
}

/* Lays out slot `slot` of the call's scratch. */
static void work_of(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk,
                    float *scratch, size_t slot, work *wk)
{
    size_t nr = uk->nr, i;
    scratch = snt__slot(scratch, slot, snt_pointwise_pair_scratch_floats(p, uk->mr, nr));
    wk->x_rows = (ptrdiff_t *)(void *)scratch;
    wk->last_rows = (ptrdiff_t *)(void *)(scratch + offset_floats(p->c));
    wk->h_rows = (ptrdiff_t *)(void *)(scratch + 2 * offset_floats(p->c));
    wk->last = scratch + 2 * offset_floats(p->c) + offset_floats(p->m);
    wk->h = wk->last + p->c * nr;
    wk->pixels = block_pixels(p, nr);
    for (i = 0; i < p->c; i++) {
        wk->x_rows[i] = (ptrdiff_t)(i * p->hw);
        wk->last_rows[i] = (ptrdiff_t)(i * nr);
    }
    for (i = 0; i < p->m; i++)
        wk->h_rows[i] = (ptrdiff_t)(i * wk->pixels);
    /* Columns of H past a short block, and the floats after H, are read
     * by a panel's micro-kernel call (and dropped): they must hold
     * numbers. */
    memset(wk->h, 0, (p->m * wk->pixels + nr) * sizeof(float));
}

/* One image, split over threads by pixels: each pixel's H and Y are the
 * same products whatever the split. */
typedef struct {
    const snt_pointwise_pair_params *p;
    const snt_f32_gemm_ukernel *uk;
    const float *x, *w1, *w2;
    const snt__epilogue *e1, *e2;
    float *y, *scratch;
} pair_work;

static void pair_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const pair_work *pw = arg;
    size_t q0;
    work wk;
    work_of(pw->p, pw->uk, pw->scratch, slot, &wk);
    for (q0 = begin; q0 < end; q0 += wk.pixels) {
        size_t width = snt__min_size(wk.pixels, end - q0);
        expand(pw->p, pw->uk, pw->x, pw->w1, pw->e1, q0, width, &wk);
        project(pw->p, pw->uk, pw->w2, pw->e2, q0, width, &wk, pw->y);
    }
}

/*
 * Where the parts of the pixels may start: at whole steps of the
 * micro-kernel (uk->nc_step), inside panels of nr, whose columns it
 * computes independently, so the parts are even to a step (1024 pixels
 * are 21.3 panels of 48, which whole panels split 11 : 10.3).  Not where
 * the pixels end one past a step: a part of that last pixel alone would
 * make a one-column call, which sums in another order than the serial
 * call of more columns (f32-gemm/8x48-avx512f.c); whole panels then.
 */
static size_t pair_align(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk)
{
    return p->hw % uk->nc_step == 1 ? uk->nr : uk->nc_step;
}

void snt_pointwise_pair_f32_mt(const snt_parallel *par, const snt_pointwise_pair_params *p,
                               const snt_f32_gemm_ukernel *uk, const float *x,
                               const float *w1_packed, const float *bias1, const float *scale1,
                               const float *shift1, const float *w2_packed, const float *bias2,
                               const float *scale2, const float *shift2, const float *residual,
                               float *y, float *scratch)
{
    snt__epilogue e1 = {bias1, scale1, shift1, NULL, 0, p->act1};
    snt__epilogue e2 = {bias2, scale2, shift2, residual, p->hw, p->act2};
    pair_work pw = {p, uk, x, w1_packed, w2_packed, live(&e1), live(&e2), y, scratch};
    size_t b;
    if (p->hw == 0 || p->k == 0)
        return;
    for (b = 0; b < p->n; b++, pw.x += p->c * p->hw, pw.y += p->k * p->hw) {
        snt__parallel_ranges(par, p->hw, pair_align(p, uk), pair_part, &pw);
        if (e2.residual != NULL)
            e2.residual += p->k * p->hw;
    }
}

void snt_pointwise_pair_f32(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk,
                            const float *x, const float *w1_packed, const float *bias1,
                            const float *scale1, const float *shift1, const float *w2_packed,
                            const float *bias2, const float *scale2, const float *shift2,
                            const float *residual, float *y, float *scratch)
{
    snt_pointwise_pair_f32_mt(NULL, p, uk, x, w1_packed, bias1, scale1, shift1, w2_packed, bias2,
                              scale2, shift2, residual, y, scratch);
}
