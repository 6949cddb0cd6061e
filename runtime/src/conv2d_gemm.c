/*
 * conv2d_gemm.c - Conv as a matrix product on an f32-gemm micro-kernel,
 * with weights packed by the compiler.
 *
 * Per group, Y[k][oh*ow] = W[k][c*kh*kw] * X', where X' is the im2col
 * matrix of the input: its row (ci, ky, kx) holds, for every output
 * pixel, the input value that tap reads (0 in the padding).  W arrives
 * packed (snt_conv2d_pack_weights, run by the compiler on constant
 * weights), so nothing constant is repacked at run time.  X' is never
 * built; two ways to feed it to the micro-kernel, by stride:
 *
 *  - stride 1 (direct): the input, zero-padded, is copied once into
 *    `scratch` as planes of Hp x Wp (Wp = ow + (kw-1)*dw).  Computed on
 *    that wider grid, output pixel q = oy*Wp + ox reads tap (ci, ky, kx)
 *    at plane[ci][q + ky*dh*Wp + kx*dw]: every row of X' is a run of the
 *    padded planes at a fixed offset, and the micro-kernel reads B in
 *    place through a table of those offsets.  The Wp - ow columns past
 *    each output row are computed and dropped: a tile goes to a small
 *    buffer and its valid runs to Y.  No im2col copies at all, which
 *    matters for the thin layers (16 or 32 output channels) where a
 *    packed column is used by only two or four micro-kernel calls.
 *  - other strides (packed): blocks of KC rows x NC columns of X' are
 *    packed from the input into B panels, each then multiplied by every
 *    row panel of W.
 *
 * The epilogue (bias, activation, affine, residual) runs on each block of
 * output right after its last depth block, while it is still in L1.
 */
#include <string.h>

#include "internal.h"

/*
 * Blocking of the packed way.  A B panel (KC x NR) is sized to stay in
 * L1 while the W panels (MR x KC each) stream through it from L2; the
 * packed block of NC columns stays in L2.
 */
#define PANEL_BYTES ((size_t)24 * 1024)   /* a B panel: half of a 48 KiB L1 */
#define BLOCK_FLOATS ((size_t)64 * 1024)  /* the packed block: 256 KiB of L2 */
#define TILE_FLOATS ((size_t)32 * 1024)   /* the direct way's output tile: 128 KiB */

static size_t div_up(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* im2col rows per group. */
static size_t depth_of(const snt_conv2d_params *p)
{
    return p->c / p->groups * p->kh * p->kw;
}

static int is_direct(const snt_conv2d_params *p)
{
    return p->sh == 1 && p->sw == 1;
}

/* Floats that `count` ptrdiff_t offsets take, rounded to whole
 * 64-byte lines so what follows stays aligned. */
static size_t offset_floats(size_t count)
{
    return div_up(count * sizeof(ptrdiff_t), 64) * 64 / sizeof(float);
}

/* ---- the direct way (stride 1) ------------------------------------- */

/* Runs the epilogue on rows [0, rows) x columns [col, col+n) of the
 * group's output c (first row: output channel ch0). */
static void epilogue_block(const snt__epilogue *ep, size_t ch0, size_t rows, size_t col,
                           size_t n, float *c, size_t ldc)
{
    size_t i;
    for (i = 0; i < rows; i++)
        snt__epilogue_row(ep, ch0 + i, col, c + i * ldc + col, n);
}


/* The padded grid: rows and row width of a padded input plane. */
static size_t grid_rows(const snt_conv2d_params *p)
{
    return p->oh + (p->kh - 1) * p->dh;
}

static size_t grid_width(const snt_conv2d_params *p)
{
    return p->ow + (p->kw - 1) * p->dw;
}

/*
 * Floats from one padded plane to the next: the plane rounded up to whole
 * 64-byte lines, an odd number of them.  The micro-kernel reads a tile's
 * B rows from every plane; planes a power of two apart (a 64 x 64 image)
 * would put all those rows in the same few cache sets, an odd number of
 * lines apart spreads them over all.
 */
static size_t plane_floats(const snt_conv2d_params *p)
{
    size_t lines = div_up(grid_rows(p) * grid_width(p), 16);
    return (lines | 1) * 16;
}

/* Output pixels on the grid: up to the last valid one. */
static size_t grid_outputs(const snt_conv2d_params *p)
{
    return (p->oh - 1) * grid_width(p) + p->ow;
}

/* Copies the group's cg input channels into zero-padded planes at dst,
 * followed by nr zeros that the last tile's unused columns read. */
static void pad_planes(const snt_conv2d_params *p, const float *xg, size_t nr, float *dst)
{
    size_t cg = p->c / p->groups, wp = grid_width(p), hp = grid_rows(p), ci, iy;
    size_t plane = plane_floats(p);
    size_t cols = min_size(p->w, wp - p->pl), rows = min_size(p->h, hp - p->pt);
    memset(dst, 0, (cg * plane + nr) * sizeof(float));
    for (ci = 0; ci < cg; ci++)
        for (iy = 0; iy < rows; iy++)
            memcpy(dst + ci * plane + (p->pt + iy) * wp + p->pl, xg + (ci * p->h + iy) * p->w,
                   cols * sizeof(float));
}

/* rows[(ci*kh + ky)*kw + kx]: where tap (ci, ky, kx) of grid pixel 0
 * lies in the padded planes. */
static void tap_offsets(const snt_conv2d_params *p, ptrdiff_t *rows)
{
    size_t cg = p->c / p->groups, wp = grid_width(p), plane = plane_floats(p), ci, ky, kx;
    for (ci = 0; ci < cg; ci++)
        for (ky = 0; ky < p->kh; ky++)
            for (kx = 0; kx < p->kw; kx++)
                *rows++ = (ptrdiff_t)(ci * plane + ky * p->dh * wp + kx * p->dw);
}

/*
 * Moves rows x cols of a finished tile (grid pixels from q0) into the
 * output channels from ch0 of y, dropping the columns past each output
 * row, after the epilogue.
 */
static void store_tile(const snt_conv2d_params *p, float *tile, size_t ld, size_t rows,
                       size_t cols, size_t q0, size_t ch0, const snt__epilogue *ep, float *y)
{
    size_t wp = grid_width(p), n = p->oh * p->ow, q = q0, i;
    while (q < q0 + cols) {
        size_t oy = q / wp, ox = q % wp, run = min_size(wp - ox, q0 + cols - q);
        if (ox < p->ow) {
            size_t len = min_size(run, p->ow - ox), col = oy * p->ow + ox;
            for (i = 0; i < rows; i++) {
                float *src = tile + i * ld + (q - q0);
                /* The epilogue works in the tile, in L1; Y is only
                 * written, once. */
                if (ep != NULL)
                    snt__epilogue_row(ep, ch0 + i, col, src, len);
                memcpy(y + (ch0 + i) * n + col, src, len * sizeof(float));
            }
        }
        q += run;
    }
}

/* Depth of a block: as deep as a B panel of nr columns fits PANEL_BYTES,
 * the blocks of one product equal in size (a remainder of a few rows
 * would cost a pass over C of its own). */
static size_t block_depth(size_t depth, size_t nr)
{
    size_t kc_max = PANEL_BYTES / (nr * sizeof(float)), blocks = div_up(depth, kc_max);
    return blocks ? div_up(depth, blocks) : 0;
}

/* Rows of the tile: every output channel of the group, rounded to mr. */
static size_t tile_rows(const snt_conv2d_params *p, size_t mr)
{
    return div_up(p->k / p->groups, mr) * mr;
}

/*
 * Columns of the tile: whole panels of nr, as many as fit TILE_FLOATS
 * with every output channel, and an odd number of them, so that tile
 * rows are an odd number of cache lines apart (nr is a multiple of 16).
 * Wide tiles make the moves to Y and the epilogue long runs, which
 * matters when the depth is small and they cost as much as the product.
 */
static size_t tile_cols(const snt_conv2d_params *p, size_t mr, size_t nr)
{
    size_t panels = TILE_FLOATS / (tile_rows(p, mr) * nr);
    size_t needed = div_up(grid_outputs(p), nr);
    if (panels > needed)
        panels = needed;
    if (panels > 1 && panels % 2 == 0)
        panels--;
    return (panels ? panels : 1) * nr;
}

static size_t direct_scratch_floats(const snt_conv2d_params *p, size_t mr, size_t nr)
{
    /* Offsets, the padded planes and their nr trailing zeros, the tile. */
    return offset_floats(depth_of(p)) + (p->c / p->groups) * plane_floats(p) + nr +
           tile_rows(p, mr) * tile_cols(p, mr, nr);
}

/* One micro-kernel call: rows [ir, ir+mr) of the tile at c (leading
 * dimension ld) for grid pixels [q, q+cols), depth block [pc, pc+kc). */
typedef struct {
    const snt_f32_gemm_ukernel *uk;
    const float *wg, *planes;
    const ptrdiff_t *rows;
    size_t depth, kg;
} direct_product;

static void direct_call(const direct_product *dp, size_t ir, size_t q, size_t cols, size_t pc,
                        size_t kc, float *c, size_t ld)
{
    size_t mr = dp->uk->mr;
    dp->uk->run(min_size(mr, dp->kg - ir), cols, kc, dp->wg + ir * dp->depth + pc * mr,
                dp->planes + q, dp->rows + pc, c + ir * ld, ld, pc > 0);
}

/*
 * One group of one image, the direct way: a few panels of grid pixels at
 * a time; per panel, depth block by depth block (the block's B rows stay
 * in L1 while every row panel of W passes).
 *
 * Where the grid is the output (kw = 1, no horizontal padding) the tiles
 * go straight to Y, each finished by the epilogue while it is in L1, so
 * that writing Y overlaps the arithmetic.  Otherwise they go to a tile of
 * every output channel of the group, which then moves to Y without the
 * columns past each output row.
 */
static void direct_group(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *xg, const float *wg, size_t ch0,
                         const snt__epilogue *ep, float *y, float *scratch)
{
    size_t kg = p->k / p->groups, depth = depth_of(p), q_end = grid_outputs(p);
    size_t n = p->oh * p->ow, mr = uk->mr, nr = uk->nr, kc_max = block_depth(depth, nr);
    int to_y = grid_width(p) == p->ow;
    size_t width_max = to_y ? nr : tile_cols(p, mr, nr), q0, q, pc, ir, i;
    ptrdiff_t *rows = (ptrdiff_t *)(void *)scratch;
    float *planes = scratch + offset_floats(depth);
    float *tile = planes + (p->c / p->groups) * plane_floats(p) + nr, *yg = y + ch0 * n;
    direct_product dp = {uk, wg, planes, rows, depth, kg};
    pad_planes(p, xg, nr, planes);
    tap_offsets(p, rows);
    for (q0 = 0; q0 < q_end; q0 += width_max) {
        size_t width = min_size(width_max, q_end - q0);
        for (q = q0; q < q0 + width; q += nr) {
            size_t cols = min_size(nr, q0 + width - q);
            for (pc = 0; pc < depth; pc += kc_max) {
                size_t kc = min_size(kc_max, depth - pc);
                for (ir = 0; ir < kg; ir += mr) {
                    if (!to_y) {
                        direct_call(&dp, ir, q, cols, pc, kc, tile + (q - q0), width_max);
                        continue;
                    }
                    direct_call(&dp, ir, q, cols, pc, kc, yg + q, n);
                    for (i = ir; i < min_size(ir + mr, kg) && ep && pc + kc == depth; i++)
                        snt__epilogue_row(ep, ch0 + i, q, yg + i * n + q, cols);
                }
            }
        }
        if (!to_y)
            store_tile(p, tile, width_max, kg, width, q0, ch0, ep, y);
    }
}

/* ---- the packed way (other strides) -------------------------------- */

/* Columns of a block: as many whole panels as fit beside its depth. */
static size_t block_cols(const snt_conv2d_params *p, size_t nr)
{
    size_t kc = block_depth(depth_of(p), nr), panels;
    if (kc == 0)
        return nr;
    panels = BLOCK_FLOATS / (kc * nr);
    if (panels == 0)
        panels = 1;
    return min_size(panels, div_up(p->oh * p->ow, nr)) * nr;
}

static size_t packed_scratch_floats(const snt_conv2d_params *p, size_t nr)
{
    size_t kc = block_depth(depth_of(p), nr);
    return offset_floats(kc) + kc * block_cols(p, nr);
}

/*
 * Writes `len` values into the block's panels (dst: depth row r of the
 * first panel; panels nr*kc floats apart) from block column j on,
 * crossing panel boundaries: src[i*stride], or zeros when src is NULL.
 */
static void put_columns(float *dst, size_t kc, size_t nr, size_t j, const float *src,
                        size_t stride, size_t len)
{
    while (len > 0) {
        size_t lane = j % nr, n = min_size(nr - lane, len), i;
        float *d = dst + j / nr * nr * kc + lane;
        if (src == NULL)
            memset(d, 0, n * sizeof(float));
        else if (stride == 1)
            memcpy(d, src, n * sizeof(float));
        else
            for (i = 0; i < n; i++)
                d[i] = src[i * stride];
        if (src != NULL)
            src += n * stride;
        j += n;
        len -= n;
    }
}

/*
 * One row (ci, ky, kx) of X' for block columns [j0, j0+nc), output row
 * by output row: zeros where the tap reads the padding, else a run of
 * the input row (strided by sw).  xc is input channel ci.
 */
static void pack_im2col_row(const snt_conv2d_params *p, const float *xc, size_t ky, size_t kx,
                            size_t j0, size_t nc, size_t nr, size_t kc, float *dst)
{
    size_t lo, hi, col = j0, end = j0 + nc;
    /* Output columns [lo, hi) read inside the input row. */
    snt__window_range(p->pl, kx * p->dw, p->sw, p->w, p->ow, &lo, &hi);
    while (col < end) {
        size_t oy = col / p->ow, a = col % p->ow, b = min_size(p->ow, a + end - col);
        ptrdiff_t iy = (ptrdiff_t)(oy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
        size_t in_a = a > lo ? a : lo, in_b = b < hi ? b : hi, j = col - j0;
        if (iy < 0 || iy >= (ptrdiff_t)p->h || in_a >= in_b) {
            put_columns(dst, kc, nr, j, NULL, 1, b - a);
        } else {
            const float *row = xc + (size_t)iy * p->w + kx * p->dw - p->pl;
            put_columns(dst, kc, nr, j, NULL, 1, in_a - a);
            put_columns(dst, kc, nr, j + in_a - a, row + in_a * p->sw, p->sw, in_b - in_a);
            put_columns(dst, kc, nr, j + in_b - a, NULL, 1, b - in_b);
        }
        col += b - a;
    }
}

/* Packs rows [k0, k0+kc) x columns [j0, j0+nc) of X' (one group; xg its
 * first input channel) as B panels of nr columns into dst, zero past nc. */
static void pack_columns(const snt_conv2d_params *p, const float *xg, size_t k0, size_t kc,
                         size_t j0, size_t nc, size_t nr, float *dst)
{
    size_t taps = p->kh * p->kw, hw = p->h * p->w, r;
    for (r = 0; r < kc; r++) {
        size_t kk = k0 + r, ky = kk % taps / p->kw, kx = kk % p->kw;
        pack_im2col_row(p, xg + kk / taps * hw, ky, kx, j0, nc, nr, kc, dst + r * nr);
        /* The last panel's columns past nc. */
        put_columns(dst + r * nr, kc, nr, nc, NULL, 1, (nr - nc % nr) % nr);
    }
}

/* One group of one image, the packed way: block by block of X', panel
 * by panel, every row panel of W; the epilogue on each finished panel. */
static void packed_group(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *xg, const float *wg, size_t ch0,
                         const snt__epilogue *ep, float *y, float *scratch)
{
    size_t kg = p->k / p->groups, depth = depth_of(p), n = p->oh * p->ow;
    size_t mr = uk->mr, nr = uk->nr;
    size_t kc_max = block_depth(depth, nr), nc_max = block_cols(p, nr), jc, pc, ir, jr, r;
    ptrdiff_t *rows = (ptrdiff_t *)(void *)scratch;
    float *block = scratch + offset_floats(kc_max), *yg = y + ch0 * n;
    for (r = 0; r < kc_max; r++)
        rows[r] = (ptrdiff_t)(r * nr);
    for (jc = 0; jc < n; jc += nc_max) {
        size_t nc = min_size(nc_max, n - jc);
        for (pc = 0; pc < depth; pc += kc_max) {
            size_t kc = min_size(kc_max, depth - pc);
            pack_columns(p, xg, pc, kc, jc, nc, nr, block);
            for (jr = 0; jr < nc; jr += nr) {
                size_t cols = min_size(nr, nc - jr);
                for (ir = 0; ir < kg; ir += mr)
                    uk->run(min_size(mr, kg - ir), cols, kc, wg + ir * depth + pc * mr,
                            block + jr * kc, rows, yg + ir * n + jc + jr, n, pc > 0);
                if (pc + kc == depth && ep != NULL)
                    epilogue_block(ep, ch0, kg, jc + jr, cols, yg, n);
            }
        }
    }
}

/* ---- the entry points ---------------------------------------------- */

size_t snt_conv2d_gemm_scratch_floats(const snt_conv2d_params *p, unsigned mr, unsigned nr)
{
    if (depth_of(p) == 0)
        return 0;
    return is_direct(p) ? direct_scratch_floats(p, mr, nr) : packed_scratch_floats(p, nr);
}

size_t snt_conv2d_packed_weights_floats(const snt_conv2d_params *p, unsigned mr)
{
    return p->groups * snt_f32_gemm_packed_a_floats(p->k / p->groups, depth_of(p), mr);
}

void snt_conv2d_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w, float *dst)
{
    size_t kg = p->k / p->groups, depth = depth_of(p), g;
    for (g = 0; g < p->groups; g++) {
        snt_f32_gemm_pack_a(kg, depth, mr, w + g * kg * depth, (ptrdiff_t)depth, 1, dst);
        dst += snt_f32_gemm_packed_a_floats(kg, depth, mr);
    }
}

/* No input channels: the product is zero and the output the epilogue's. */
static void conv_empty(const snt_conv2d_params *p, const snt__epilogue *ep, float *y)
{
    size_t n = p->oh * p->ow, ch;
    memset(y, 0, p->k * n * sizeof(float));
    for (ch = 0; ch < p->k && ep != NULL; ch++)
        snt__epilogue_row(ep, ch, 0, y + ch * n, n);
}

void snt_conv2d_gemm_f32(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias,
                         const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch)
{
    size_t in_img = p->c * p->h * p->w, out_img = p->k * p->oh * p->ow;
    size_t cg = p->c / p->groups, kg = p->k / p->groups;
    size_t group_w = snt_f32_gemm_packed_a_floats(kg, depth_of(p), uk->mr), b, g;
    snt__epilogue ep;
    const snt__epilogue *e = &ep;
    if (out_img == 0)
        return;
    ep.bias = bias;
    ep.scale = post_scale;
    ep.shift = post_shift;
    ep.residual = residual;
    ep.res_ld = p->oh * p->ow;
    ep.act = p->act;
    if (!bias && !post_scale && !residual && p->act.kind == SNT_ACT_NONE)
        e = NULL;
    for (b = 0; b < p->n; b++, x += in_img, y += out_img) {
        if (depth_of(p) == 0)
            conv_empty(p, e, y);
        for (g = 0; g < p->groups && depth_of(p) > 0; g++) {
            const float *xg = x + g * cg * p->h * p->w, *wg = w_packed + g * group_w;
            if (is_direct(p))
                direct_group(p, uk, xg, wg, g * kg, e, y, scratch);
            else
                packed_group(p, uk, xg, wg, g * kg, e, y, scratch);
        }
        if (ep.residual != NULL)
            ep.residual += out_img;
    }
}
