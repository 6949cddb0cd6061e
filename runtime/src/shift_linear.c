/*
 * shift_linear.c - a Linear layer whose input is UNeXt's shifted tokens,
 * without storing the shifted tokens.
 *
 * Shifting moves whole channel chunks of a token to another token, so
 * each row of the product's A operand is a few contiguous pieces of input
 * rows (or zeros).  The kernel packs a block of such rows into scratch and
 * multiplies the block with a Linear kernel: the full shifted tensor
 * never exists, only ROWS of it at a time.  With W packed by the
 * compiler the block runs on an f32-gemm micro-kernel
 * (snt_shift_linear_gemm_f32); the portable snt_shift_linear_f32 repacks
 * the weight panel once per block (1/ROWS of the multiply-adds).
 */
#include <string.h>

#include "internal.h"

/* Rows of A packed per product: as many as snt_sgemm blocks at once. */
#define ROWS 128

/* Rows of the largest block. */
static size_t block_rows(const snt_shift_linear_params *p)
{
    return p->linear.m < ROWS ? p->linear.m : ROWS;
}

/* Scratch starts with the packed block of rows... */
static size_t block_floats(const snt_shift_linear_params *p)
{
    return snt__whole_lines(block_rows(p) * p->linear.k);
}

/* ... and snt_sgemm's packing for the block's product follows it. */
size_t snt_shift_linear_scratch_floats(const snt_shift_linear_params *p)
{
    return block_floats(p) + snt_sgemm_scratch_floats(block_rows(p), p->linear.n, p->linear.k);
}

/* Writes token r of the shifted input (k channels) to dst: each chunk
 * comes from the token `shift` pixels back along the axis, or is zero
 * when that pixel is outside the image. */
static void pack_shifted_token(const snt_shift_linear_params *p, const float *x, size_t r,
                               float *dst)
{
    size_t pixels = p->h * p->w, k = p->linear.k, first = 0;
    size_t image = r / pixels, pixel = r % pixels;
    ptrdiff_t h = (ptrdiff_t)(pixel / p->w), w = (ptrdiff_t)(pixel % p->w);
    const float *tokens = x + image * pixels * k;
    int c;
    for (c = 0; c < p->chunks; c++) {
        ptrdiff_t sh = h - (p->axis == 0 ? p->shift[c] : 0);
        ptrdiff_t sw = w - (p->axis == 1 ? p->shift[c] : 0);
        size_t len = p->chunk_end[c] - first;
        if (sh >= 0 && sh < (ptrdiff_t)p->h && sw >= 0 && sw < (ptrdiff_t)p->w)
            memcpy(dst + first, tokens + ((size_t)sh * p->w + (size_t)sw) * k + first,
                   len * sizeof *dst);
        else
            memset(dst + first, 0, len * sizeof *dst);
        first = p->chunk_end[c];
    }
}

/* Rows [r0, r0 + ROWS) of the shifted input (fewer at the end) into
 * dst: *block the Linear of those rows. */
static void pack_block(const snt_shift_linear_params *p, const float *x, size_t r0,
                       snt_linear_params *block, float *dst)
{
    size_t r;
    *block = p->linear;
    block->m = p->linear.m - r0 < ROWS ? p->linear.m - r0 : ROWS;
    for (r = 0; r < block->m; r++)
        pack_shifted_token(p, x, r0 + r, dst + r * p->linear.k);
}

void snt_shift_linear_f32(const snt_shift_linear_params *p, const float *x, const float *w,
                          const float *bias, float *scratch, float *y)
{
    float *gemm_scratch = scratch + block_floats(p);
    snt_linear_params block;
    size_t r0;
    for (r0 = 0; r0 < p->linear.m; r0 += ROWS) {
        pack_block(p, x, r0, &block, scratch);
        snt_linear_f32(&block, scratch, w, bias, y + r0 * p->linear.n, gemm_scratch);
    }
}

/* The block of shifted rows, then the micro-kernel path's own scratch
 * for a block. */
size_t snt_shift_linear_gemm_scratch_floats(const snt_shift_linear_params *p, unsigned mr,
                                            unsigned nr)
{
    snt_linear_params block = p->linear;
    block.m = block_rows(p);
    return block_floats(p) + snt_linear_gemm_scratch_floats(&block, mr, nr);
}

/* Split over threads by rows, whole A panels, each range packed ROWS
 * rows at a time into its slot and multiplied blocked as the whole
 * Linear (snt__linear_gemm_rows): the same bits whatever the split. */
typedef struct {
    const snt_shift_linear_params *p;
    const snt_f32_gemm_ukernel *uk;
    const float *x, *w, *bias;
    float *y, *scratch;
} shift_work;

static void shift_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const shift_work *sw = arg;
    const snt_shift_linear_params *p = sw->p;
    float *block = snt__slot(sw->scratch, slot,
                             snt_shift_linear_gemm_scratch_floats(p, sw->uk->mr, sw->uk->nr));
    size_t r0, r;
    for (r0 = begin; r0 < end; r0 += ROWS) {
        size_t rows = end - r0 < ROWS ? end - r0 : ROWS;
        for (r = 0; r < rows; r++)
            pack_shifted_token(p, sw->x, r0 + r, block + r * p->linear.k);
        snt__linear_gemm_rows(&p->linear, sw->uk, block, sw->w, sw->bias,
                              sw->y + r0 * p->linear.n, rows, block + block_floats(p));
    }
}

void snt_shift_linear_gemm_f32_mt(const snt_parallel *par, const snt_shift_linear_params *p,
                                  const snt_f32_gemm_ukernel *uk, const float *x,
                                  const float *w_packed, const float *bias, float *scratch,
                                  float *y)
{
    shift_work sw = {p, uk, x, w_packed, bias, y, scratch};
    snt__parallel_ranges(par, p->linear.m, uk->mr, shift_part, &sw);
}

void snt_shift_linear_gemm_f32(const snt_shift_linear_params *p, const snt_f32_gemm_ukernel *uk,
                               const float *x, const float *w_packed, const float *bias,
                               float *scratch, float *y)
{
    snt_shift_linear_gemm_f32_mt(NULL, p, uk, x, w_packed, bias, scratch, y);
}
