/*
 * conv2d_gemm.c - Conv as a matrix product on an f32-gemm micro-kernel,
 * with weights packed by the compiler.
 *
 * Per group, Y[k][oh*ow] = W[k][c*kh*kw] * X', where X' is the im2col
 * matrix of the input: its row (ci, ky, kx) holds, for every output
 * pixel, the input value that tap reads (0 in the padding).  W arrives
 * packed (snt_conv2d_pack_weights, run by the compiler on constant
 * weights), so nothing constant is repacked at run time.  X' is never
 * built: the input, zero-padded, is copied once into `scratch` as planes
 * in which every row of X' is a run at a fixed offset, and the
 * micro-kernel reads B in place through a table of those offsets.
 *
 * With stride 1 a channel is one padded plane of Hp x Wp, Wp = ow +
 * (kw-1)*dw: computed on that wider grid, output pixel q = oy*Wp + ox
 * reads tap (ky, kx) at plane[q + ky*dh*Wp + kx*dw].  A stride s splits
 * each channel into s*s phase planes, phase (a, b) holding the padded
 * input's rows a, a+s, ... and columns b, b+s, ...: tap (ky, kx) then
 * reads phase ((ky*dh) % s, (kx*dw) % s) at a stride-1 offset again.
 * The grid's columns past each output row are computed and dropped: a
 * tile goes to a small buffer and its valid runs to Y.  A 1x1 kernel of
 * stride 1 without padding has the image for its grid: it writes Y
 * directly and reads B in the image itself.  No im2col copies at all,
 * which matters most for the thin layers (16 or 32 output channels),
 * where a packed column would feed only two or four micro-kernel calls.
 *
 * The epilogue (bias, activation, affine, residual) runs on each block of
 * output right after its last depth block, while it is still in L1.
 *
 * A convolution with one output pixel (the 1x1 convolutions of a
 * squeeze-excite block, on a pooled image) is a matrix-vector product:
 * its only im2col column is gathered, and the micro-kernel runs on that
 * one column, which its single-column path does without computing a
 * whole tile.
 */
#include <string.h>

#include "internal.h"

/*
 * Blocking.  The B rows of one depth block for one panel of nr grid
 * pixels (KC x NR floats) stay in L1 while every row panel of W streams
 * through them from L2.
 */
#define PANEL_BYTES ((size_t)24 * 1024)   /* B rows of a block: half of a 48 KiB L1 */
#define TILE_FLOATS ((size_t)32 * 1024)   /* the output tile: 128 KiB */
/* Panels of nr pixels written straight to Y before their epilogue runs:
 * longer rows for it, still in L2. */
#define EPILOGUE_PANELS 4
/* A 1x1 convolution to one output channel reads the image in chunks of
 * about STREAM_PIXELS pixels, STREAM_DEPTH input channels at a time (see
 * streams_image). */
#define STREAM_PIXELS 1024
#define STREAM_DEPTH 8

/* im2col rows per group. */
static size_t depth_of(const snt_conv2d_params *p)
{
    return p->c / p->groups * p->kh * p->kw;
}

/* Floats that `count` ptrdiff_t offsets take, rounded to whole
 * 64-byte lines so what follows stays aligned. */
static size_t offset_floats(size_t count)
{
    return snt__div_up(count * sizeof(ptrdiff_t), 64) * 64 / sizeof(float);
}

/* ---- the padded phase planes --------------------------------------- */

/* The grid: rows and row width of a phase plane. */
static size_t grid_rows(const snt_conv2d_params *p)
{
    return p->oh + (p->kh - 1) * p->dh / p->sh;
}

static size_t grid_width(const snt_conv2d_params *p)
{
    return p->ow + (p->kw - 1) * p->dw / p->sw;
}

/* Phase planes per input channel. */
static size_t phases(const snt_conv2d_params *p)
{
    return p->sh * p->sw;
}

/*
 * Floats from one phase plane to the next: the plane rounded up to whole
 * 64-byte lines, an odd number of them.  The micro-kernel reads a tile's
 * B rows from every plane; planes a power of two apart (a 64 x 64 image)
 * would put all those rows in the same few cache sets, an odd number of
 * lines apart spreads them over all.
 */
static size_t plane_floats(const snt_conv2d_params *p)
{
    size_t lines = snt__div_up(grid_rows(p) * grid_width(p), 16);
    return (lines | 1) * 16;
}

/* Planes of the group's input channels. */
static size_t planes_floats(const snt_conv2d_params *p)
{
    return p->c / p->groups * phases(p) * plane_floats(p);
}

/* Output pixels on the grid: up to the last valid one. */
static size_t grid_outputs(const snt_conv2d_params *p)
{
    return (p->oh - 1) * grid_width(p) + p->ow;
}

/* The input row of row i of the phase planes (a, *) of input channel xc,
 * the padded input's row i*sh + a; NULL where that row is padding. */
static const float *phase_source_row(const snt_conv2d_params *p, const float *xc, size_t a,
                                     size_t i)
{
    ptrdiff_t iy = (ptrdiff_t)(i * p->sh + a) - (ptrdiff_t)p->pt;
    return iy < 0 || iy >= (ptrdiff_t)p->h ? NULL : xc + (size_t)iy * p->w;
}

/* Zeroes row[0..lo) and row[hi..wp): the padding around the run
 * [lo, hi) that a row fill writes, a float or two on each side. */
static void zero_outside(float *row, size_t wp, size_t lo, size_t hi)
{
    size_t j;
    for (j = 0; j < lo; j++)
        row[j] = 0.0f;
    for (j = hi; j < wp; j++)
        row[j] = 0.0f;
}

/* Phase b of input row xr into dst, a row of the grid: the padded row's
 * columns b, b+sw, ...; zeros where those fall in the padding. */
static void fill_phase(const snt_conv2d_params *p, const float *xr, size_t b, float *dst)
{
    size_t wp = grid_width(p), lo, hi, j;
    /* Grid columns j with 0 <= j*sw + b - pl < w. */
    lo = snt__min_size(wp, p->pl > b ? snt__div_up(p->pl - b, p->sw) : 0);
    hi = b < p->w + p->pl ? snt__min_size(wp, snt__div_up(p->w + p->pl - b, p->sw)) : 0;
    if (hi < lo)
        hi = lo;
    zero_outside(dst, wp, lo, hi);
    if (p->sw == 1 && lo < hi)
        memcpy(dst + lo, xr + lo + b - p->pl, (hi - lo) * sizeof(float));
    else
        for (j = lo; j < hi; j++)
            dst[j] = xr[j * p->sw + b - p->pl];
}

/*
 * Both phases of input row xr at stride 2, into the grid rows ph0 and
 * ph1, zeros in the padding.  Padded column c = x + pl is column c / 2
 * of phase c % 2, so input columns 2j and 2j+1 land in the two phases
 * side by side and one deinterleaving pass fills both: the even ones
 * from column pl / 2 of phase pl % 2, the odd ones from column
 * (pl + 1) / 2 of the other.  Even columns outnumber odd ones by at most
 * one.
 */
static void fill_phase_pair(const snt_conv2d_params *p, const float *xr, float *ph0,
                            float *ph1)
{
    size_t wp = grid_width(p);
    size_t at_even = snt__min_size(p->pl / 2, wp), at_odd = snt__min_size((p->pl + 1) / 2, wp);
    size_t n_even = snt__min_size((p->w + 1) / 2, wp - at_even);
    size_t n_odd = snt__min_size(p->w / 2, wp - at_odd);
    float *even = p->pl % 2 ? ph1 : ph0, *odd = p->pl % 2 ? ph0 : ph1;
    zero_outside(even, wp, at_even, at_even + n_even);
    zero_outside(odd, wp, at_odd, at_odd + n_odd);
    snt__deinterleave2(even + at_even, odd + at_odd, xr, n_odd);
    if (n_even > n_odd)
        even[at_even + n_odd] = xr[2 * n_odd];
}

/*
 * Copies grid rows [r_lo, r_hi) of the group's input into zero-padded
 * phase planes at dst, a row being (channel ci, row phase a, row i) in
 * that order.  Each input row goes into all sw column phases of that
 * row, each row fill zeroing its own padding: zeroing the planes first
 * would write them twice.
 */
static void pad_rows(const snt_conv2d_params *p, const float *xg, float *dst, size_t r_lo,
                     size_t r_hi)
{
    size_t wp = grid_width(p), hp = grid_rows(p), plane = plane_floats(p), r, b;
    for (r = r_lo; r < r_hi; r++) {
        size_t ci = r / hp / p->sh, a = r / hp % p->sh, i = r % hp;
        const float *xr = phase_source_row(p, xg + ci * p->h * p->w, a, i);
        float *row = dst + (ci * p->sh + a) * p->sw * plane + i * wp;
        if (xr == NULL) {
            for (b = 0; b < p->sw; b++)
                memset(row + b * plane, 0, wp * sizeof(float));
        } else if (p->sw == 2) {
            fill_phase_pair(p, xr, row, row + plane);
        } else {
            for (b = 0; b < p->sw; b++)
                fill_phase(p, xr, b, row + b * plane);
        }
    }
}

/* Each plane past its rows, up to the next plane, and the nr floats
 * after the last: read for columns never stored, zeroed so that no
 * read is of uninitialised memory. */
static void zero_plane_tails(const snt_conv2d_params *p, size_t nr, float *dst)
{
    size_t wp = grid_width(p), hp = grid_rows(p);
    size_t plane = plane_floats(p), count = planes_floats(p) / plane, i;
    for (i = 0; i < count; i++)
        memset(dst + i * plane + hp * wp, 0, (plane - hp * wp) * sizeof(float));
    memset(dst + count * plane, 0, nr * sizeof(float));
}

/* rows[(ci*kh + ky)*kw + kx]: where tap (ci, ky, kx) of grid pixel 0
 * lies in the phase planes. */
static void tap_offsets(const snt_conv2d_params *p, ptrdiff_t *rows)
{
    size_t cg = p->c / p->groups, wp = grid_width(p), plane = plane_floats(p), ci, ky, kx;
    for (ci = 0; ci < cg; ci++)
        for (ky = 0; ky < p->kh; ky++)
            for (kx = 0; kx < p->kw; kx++) {
                size_t dy = ky * p->dh, dx = kx * p->dw;
                size_t phase = (ci * p->sh + dy % p->sh) * p->sw + dx % p->sw;
                *rows++ = (ptrdiff_t)(phase * plane + dy / p->sh * wp + dx / p->sw);
            }
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
        size_t oy = q / wp, ox = q % wp, run = snt__min_size(wp - ox, q0 + cols - q);
        if (ox < p->ow) {
            size_t len = snt__min_size(run, p->ow - ox), col = oy * p->ow + ox;
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
    size_t kc_max = PANEL_BYTES / (nr * sizeof(float)), blocks = snt__div_up(depth, kc_max);
    return blocks ? snt__div_up(depth, blocks) : 0;
}

/* Rows of the tile: every output channel of the group, rounded to mr. */
static size_t tile_rows(const snt_conv2d_params *p, size_t mr)
{
    return snt__div_up(p->k / p->groups, mr) * mr;
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
    size_t needed = snt__div_up(grid_outputs(p), nr);
    if (panels > needed)
        panels = needed;
    if (panels > 1 && panels % 2 == 0)
        panels--;
    return (panels ? panels : 1) * nr;
}

/*
 * A 1x1 kernel of stride 1 without padding has the image itself for its
 * grid: tap ci of pixel q is x[ci][q], and the micro-kernel reads B rows
 * there in place, with nothing copied.  Only the last panel, whose nr
 * floats could run past the image, is packed into L1.  (Packing every
 * panel, to keep rows of images a power of two wide out of the same
 * cache sets, measured slower at every size, 64x64 and 128x128
 * included.)
 */
static int image_is_grid(const snt_conv2d_params *p)
{
    return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 &&
           p->pl == 0 && p->oh == p->h && p->ow == p->w;
}

/*
 * A 1x1 convolution to one output channel (UNeXt's last layer, 16 -> 1)
 * does one FMA per input float: it is bound by reading the image.  Read
 * a panel at a time, all channels each time, that is as many streams as
 * channels, each moving nr floats at a time, which the prefetchers follow
 * at a fraction of the bandwidth of fewer, longer runs.  So it reads
 * chunks of STREAM_PIXELS pixels STREAM_DEPTH channels at a time, adding
 * into the chunk's output (in L1) between depth blocks: 0.67x the time
 * at 16 channels of 256x256.  With more output channels a call's C
 * tile, loaded and stored per depth block, would cost more than that.
 */
static int streams_image(const snt_conv2d_params *p)
{
    return image_is_grid(p) && p->k / p->groups == 1;
}

/* Whether the B rows of the panel at grid pixel q of a 1x1 convolution
 * are read in place, at x[ci][q], rather than packed. */
static int reads_in_place(const snt_conv2d_params *p, size_t nr, size_t q)
{
    return q + nr <= p->h * p->w;
}

/* The B rows of grid pixels [q, q+cols) of a 1x1 convolution, as one
 * panel of nr columns (zero past cols) at dst; rows[ci] = ci*nr. */
static void pack_panel(const snt_conv2d_params *p, const float *xg, size_t q, size_t cols,
                       size_t nr, float *dst)
{
    size_t cg = p->c / p->groups, hw = p->h * p->w, ci;
    for (ci = 0; ci < cg; ci++, dst += nr) {
        memcpy(dst, xg + ci * hw + q, cols * sizeof(float));
        memset(dst + cols, 0, (nr - cols) * sizeof(float));
    }
}

static size_t direct_scratch_floats(const snt_conv2d_params *p, size_t mr, size_t nr)
{
    /* Offsets into the panel and into the image, the panel, the tile. */
    if (image_is_grid(p))
        return offset_floats(2 * depth_of(p)) + depth_of(p) * nr +
               tile_rows(p, mr) * tile_cols(p, mr, nr);
    /* Offsets, the padded planes and their nr trailing zeros, the tile. */
    return offset_floats(depth_of(p)) + planes_floats(p) + nr +
           tile_rows(p, mr) * tile_cols(p, mr, nr);
}

/*
 * One group of one image, the direct way, split over threads by the
 * grid's pixels (panels of nr) or, when those are few, by the output
 * channels (panels of mr): both are tiles of the output, every element
 * computed by the same micro-kernel calls whatever the split.  The
 * offsets and the padded planes are the group's, made once in slot 0's
 * scratch before the split; each part has its slot's tile (and packed
 * panel).
 */
typedef struct {
    const snt_conv2d_params *p;
    const snt_f32_gemm_ukernel *uk;
    const float *xg, *wg;
    size_t ch0;
    const snt__epilogue *ep;
    float *y, *scratch;
    int by_channels;             /* the parts are ranges of channels, not pixels */
} direct_work;

/* Where slot `slot`'s packed panel and tile start. */
static float *direct_planes(const direct_work *w, size_t slot)
{
    const snt_conv2d_params *p = w->p;
    size_t depth = depth_of(p);
    float *s = snt__slot(w->scratch, slot, direct_scratch_floats(p, w->uk->mr, w->uk->nr));
    return s + offset_floats(image_is_grid(p) ? 2 * depth : depth);
}

static float *direct_tile(const direct_work *w, size_t slot)
{
    const snt_conv2d_params *p = w->p;
    size_t depth = depth_of(p);
    size_t before = image_is_grid(p) ? depth * w->uk->nr : planes_floats(p) + w->uk->nr;
    return direct_planes(w, slot) + before;
}

/* One micro-kernel call: rows [ir, ir+mr) of the tile at c (leading
 * dimension ld) for `cols` grid pixels whose B rows start at b, depth
 * block [pc, pc+kc). */
typedef struct {
    const snt_f32_gemm_ukernel *uk;
    const float *wg;
    const ptrdiff_t *rows;
    size_t depth, kg;
} direct_product;

static void direct_call(const direct_product *dp, size_t ir, const float *b, size_t cols,
                        size_t pc, size_t kc, float *c, size_t ld)
{
    size_t mr = dp->uk->mr;
    dp->uk->run(snt__min_size(mr, dp->kg - ir), cols, kc, dp->wg + ir * dp->depth + pc * mr, b,
                dp->rows + pc, c + ir * ld, ld, pc > 0);
}

/*
 * Grid pixels [q_lo, q_hi) of output channels [c_lo, c_hi) of the group:
 * a few panels of pixels at a time; depth block by depth block, every
 * panel (the block's B rows of a panel stay in L1 while every row panel
 * of W passes).
 *
 * Where the grid is the output (kw = 1, no horizontal padding) the tiles
 * go straight to Y, each finished by the epilogue while it is in L1, so
 * that writing Y overlaps the arithmetic.  Otherwise they go to a tile of
 * the channels, which then moves to Y without the columns past each
 * output row.
 */
static void direct_block(const direct_work *w, size_t slot, size_t q_lo, size_t q_hi,
                         size_t c_lo, size_t c_hi)
{
    const snt_conv2d_params *p = w->p;
    size_t depth = depth_of(p), n = p->oh * p->ow, mr = w->uk->mr, nr = w->uk->nr;
    size_t kc_max = block_depth(depth, nr), width_max = EPILOGUE_PANELS * nr, q0, q, pc, ir, i;
    int to_y = grid_width(p) == p->ow;
    ptrdiff_t *rows = (ptrdiff_t *)(void *)w->scratch, *image_rows = rows + depth;
    const float *planes = direct_planes(w, 0);
    float *panel = direct_planes(w, slot), *tile = direct_tile(w, slot);
    float *yg = w->y + w->ch0 * n;
    direct_product dp = {w->uk, w->wg, rows, depth, p->k / p->groups};
    if (!to_y)
        width_max = tile_cols(p, mr, nr);
    if (streams_image(p)) {
        kc_max = STREAM_DEPTH;
        width_max = (STREAM_PIXELS > nr ? STREAM_PIXELS / nr : 1) * nr;
    }
    for (q0 = q_lo; q0 < q_hi; q0 += width_max) {
        size_t width = snt__min_size(width_max, q_hi - q0);
        for (pc = 0; pc < depth; pc += kc_max) {
            size_t kc = snt__min_size(kc_max, depth - pc);
            for (q = q0; q < q0 + width; q += nr) {
                size_t cols = snt__min_size(nr, q0 + width - q);
                /* B: the planes from pixel q, or the image itself, or a
                 * panel packed for it (at the first depth block: it is
                 * the image's last panel, the only one packed). */
                const float *b = planes + q;
                if (image_is_grid(p) && reads_in_place(p, nr, q)) {
                    b = w->xg + q;
                    dp.rows = image_rows;
                } else if (image_is_grid(p)) {
                    if (pc == 0)
                        pack_panel(p, w->xg, q, cols, nr, panel);
                    b = panel;
                    dp.rows = rows;
                }
                for (ir = c_lo; ir < c_hi; ir += mr) {
                    if (!to_y) {
                        direct_call(&dp, ir, b, cols, pc, kc, tile + (q - q0), width_max);
                        continue;
                    }
                    direct_call(&dp, ir, b, cols, pc, kc, yg + q, n);
                }
            }
        }
        if (!to_y)
            store_tile(p, tile + c_lo * width_max, width_max, c_hi - c_lo, width, q0,
                       w->ch0 + c_lo, w->ep, w->y);
        for (i = c_lo; i < c_hi && to_y && w->ep; i++)
            snt__epilogue_row(w->ep, w->ch0 + i, q0, yg + i * n + q0, width);
    }
}

static void direct_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const direct_work *w = arg;
    size_t kg = w->p->k / w->p->groups;
    if (w->by_channels)
        direct_block(w, slot, 0, grid_outputs(w->p), begin, end);
    else
        direct_block(w, slot, begin, end, 0, kg);
}

/* The padded planes, split over threads by rows: copies, the same bits
 * whatever the split. */
static void pad_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const direct_work *w = arg;
    (void)slot;
    pad_rows(w->p, w->xg, direct_planes(w, 0), begin, end);
}

/* Split by whichever makes more panels, the finer the better balanced:
 * pixels in the large images of few channels, channels in the deep
 * layers of small images (11 x 11 pixels make 3 panels of 48, 2048
 * channels 256 of 8). */
static void direct_group(const snt_parallel *par, direct_work *w)
{
    const snt_conv2d_params *p = w->p;
    size_t depth = depth_of(p), kg = p->k / p->groups, n = p->oh * p->ow, i;
    size_t mr = w->uk->mr, nr = w->uk->nr, q_end = grid_outputs(p);
    ptrdiff_t *rows = (ptrdiff_t *)(void *)w->scratch, *image_rows = rows + depth;
    if (image_is_grid(p)) {
        for (i = 0; i < depth; i++) {
            rows[i] = (ptrdiff_t)(i * nr);
            image_rows[i] = (ptrdiff_t)(i * n);
        }
    } else {
        zero_plane_tails(p, nr, direct_planes(w, 0));
        snt__parallel_ranges(par, p->c / p->groups * p->sh * grid_rows(p), 1, pad_part, w);
        tap_offsets(p, rows);
    }
    w->by_channels = snt__div_up(kg, mr) > snt__div_up(q_end, nr);
    if (w->by_channels)
        snt__parallel_ranges(par, kg, mr, direct_part, w);
    else
        snt__parallel_ranges(par, q_end, nr, direct_part, w);
}

/* ---- one output pixel ---------------------------------------------- */

static int one_pixel(const snt_conv2d_params *p)
{
    return p->oh == 1 && p->ow == 1;
}

/* The offsets, the column and nr zeros after it. */
static size_t one_pixel_scratch_floats(const snt_conv2d_params *p, size_t nr)
{
    return offset_floats(depth_of(p)) + depth_of(p) + nr;
}

/* col[(ci*kh + ky)*kw + kx]: the input value that tap reads for output
 * pixel (0, 0), 0 in the padding. */
static void gather_column(const snt_conv2d_params *p, const float *xg, float *col)
{
    size_t cg = p->c / p->groups, ci, ky, kx;
    for (ci = 0; ci < cg; ci++)
        for (ky = 0; ky < p->kh; ky++)
            for (kx = 0; kx < p->kw; kx++) {
                ptrdiff_t iy = (ptrdiff_t)(ky * p->dh) - (ptrdiff_t)p->pt;
                ptrdiff_t ix = (ptrdiff_t)(kx * p->dw) - (ptrdiff_t)p->pl;
                int inside = iy >= 0 && ix >= 0 && iy < (ptrdiff_t)p->h && ix < (ptrdiff_t)p->w;
                *col++ = inside ? xg[(ci * p->h + (size_t)iy) * p->w + (size_t)ix] : 0.0f;
            }
}

/*
 * One group of one image with one output pixel: W times the im2col
 * column, a call of one column per row panel of W over the whole depth
 * (B row p is the float col[p], and the nr floats that the kernel reads
 * from it lie in the column or the zeros after it).  Output channels of
 * the pixel are consecutive in y.  The column is gathered once; the
 * parts are ranges of row panels.
 */
static void one_pixel_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const direct_work *w = arg;
    size_t depth = depth_of(w->p), kg = w->p->k / w->p->groups, mr = w->uk->mr, i;
    const ptrdiff_t *rows = (const ptrdiff_t *)(void *)w->scratch;
    const float *col = w->scratch + offset_floats(depth);
    float *y = w->y + w->ch0;
    (void)slot;
    for (i = begin; i < end; i += mr)
        w->uk->run(snt__min_size(mr, kg - i), 1, depth, w->wg + i * depth, col, rows, y + i, 1, 0);
    for (i = begin; i < end && w->ep != NULL; i++)
        snt__epilogue_row(w->ep, w->ch0 + i, 0, y + i, 1);
}

static void one_pixel_group(const snt_parallel *par, const direct_work *w)
{
    size_t depth = depth_of(w->p), i;
    ptrdiff_t *rows = (ptrdiff_t *)(void *)w->scratch;
    float *col = w->scratch + offset_floats(depth);
    for (i = 0; i < depth; i++)
        rows[i] = (ptrdiff_t)i;
    gather_column(w->p, w->xg, col);
    memset(col + depth, 0, w->uk->nr * sizeof(float));
    snt__parallel_ranges(par, w->p->k / w->p->groups, w->uk->mr, one_pixel_part, (void *)w);
}

/* ---- the entry points ---------------------------------------------- */

size_t snt_conv2d_gemm_scratch_floats(const snt_conv2d_params *p, unsigned mr, unsigned nr)
{
    if (depth_of(p) == 0)
        return 0;
    if (one_pixel(p))
        return one_pixel_scratch_floats(p, nr);
    return direct_scratch_floats(p, mr, nr);
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

void snt_conv2d_gemm_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                            const snt_f32_gemm_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, const float *post_scale, const float *post_shift,
                            const float *residual, float *y, float *scratch)
{
    size_t in_img = p->c * p->h * p->w, out_img = p->k * p->oh * p->ow;
    size_t cg = p->c / p->groups, kg = p->k / p->groups;
    size_t group_w = snt_f32_gemm_packed_a_floats(kg, depth_of(p), uk->mr), b, g;
    snt__epilogue ep = snt__conv_epilogue(p, bias, post_scale, post_shift, residual);
    direct_work w = {p, uk, NULL, NULL, 0, &ep, y, scratch, 0};
    if (out_img == 0)
        return;
    if (!bias && !post_scale && !residual && p->act.kind == SNT_ACT_NONE)
        w.ep = NULL;
    for (b = 0; b < p->n; b++, x += in_img, w.y += out_img) {
        if (depth_of(p) == 0)
            conv_empty(p, w.ep, w.y);
        for (g = 0; g < p->groups && depth_of(p) > 0; g++) {
            w.xg = x + g * cg * p->h * p->w;
            w.wg = w_packed + g * group_w;
            w.ch0 = g * kg;
            if (one_pixel(p))
                one_pixel_group(par, &w);
            else
                direct_group(par, &w);
        }
        if (ep.residual != NULL)
            ep.residual += out_img;
    }
}

void snt_conv2d_gemm_f32(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias,
                         const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch)
{
    snt_conv2d_gemm_f32_mt(NULL, p, uk, x, w_packed, bias, post_scale, post_shift, residual, y,
                           scratch);
}
