/*
 * conv2d_winograd.c - a 3x3 convolution of stride 1 as Winograd's
 * F(4x4, 3x3): each 4x4 block of output from a 6x6 block of input with
 * 36 multiplications per (input, output) channel pair instead of 144.
 *
 * With B, G and A the transforms below (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", points 0, +-1, +-2, inf):
 *
 *   Y[k] = A^T ( sum_c  (G g[k][c] G^T) .* (B^T d[c] B) ) A
 *
 * for every output tile, where d[c] is the 6x6 input patch of channel c
 * and g[k][c] the 3x3 kernel.  U = G g G^T is constant and computed by
 * the compiler (snt_conv2d_winograd_pack_weights); at run time, per
 * block of tiles:
 *
 *   1. V[xi][c][t] = (B^T d[c] B)[xi] for every channel c, tile t and
 *      position xi of the 6x6 transform;
 *   2. M[xi] = U[xi] * V[xi]: 36 independent K x C by C x T matrix
 *      products on an f32-gemm micro-kernel, U[xi] packed as A panels,
 *      V[xi] read in place as B rows (tiles contiguous);
 *   3. Y = A^T M A per output channel and tile, then the epilogue.
 *
 * The transforms are computed for a whole block at once, as vectors over
 * the tiles: the six input rows of each row of tiles are first split
 * into four column phases (phase m holds columns 4t + m), so that the six
 * columns a tile reads are phases 0..3 at t and 0..1 at t + 1, and every
 * step is a unit-stride loop over tiles that the compiler vectorizes (the
 * vertical input transform and both halves of the output transform over
 * the whole block, the horizontal input transform row of tiles by row).
 * The blocks are a few rows of tiles, as many as keep V and M in L2.
 *
 * The result differs from the direct sum by rounding only; the
 * transforms' coefficients (up to 8 and 1/24) make that rounding a few
 * times larger than the direct sum's, about 1e-6 relative in float.
 */
#include <string.h>

#include "internal.h"

/* The 6x6 transform and the 4x4 output tile it gives. */
#define ALPHA 6
#define TILE 4
#define POSITIONS (ALPHA * ALPHA)

/* Tiles per block: V and M of a block (36 x (C + K) rows of tiles) are
 * meant to stay within L2 between the steps. */
#define BLOCK_FLOATS ((size_t)192 * 1024)
/* Depth of a product block: C x nr of V, in half of L1. */
#define PANEL_BYTES ((size_t)24 * 1024)

int snt_conv2d_winograd_applies(const snt_conv2d_params *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 &&
           p->groups > 0 && p->c >= p->groups && p->k >= p->groups;
}

/* One group of p as a convolution of its own: everything below works
 * on one group at a time. */
static snt_conv2d_params group_of(const snt_conv2d_params *p)
{
    snt_conv2d_params g = *p;
    g.c = p->c / p->groups;
    g.k = p->k / p->groups;
    g.groups = 1;
    return g;
}

/* ---- the weights: U = G g G^T, by the compiler --------------------- */

/* G: the 6 x 3 kernel transform. */
static const double G[ALPHA][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};

/* u[a*6 + j] = (G g G^T)[a][j] for one 3x3 kernel g, in double. */
static void kernel_transform(const float *g, float *u)
{
    double gt[ALPHA][3];
    int a, j, r;
    for (a = 0; a < ALPHA; a++)
        for (j = 0; j < 3; j++)
            gt[a][j] = G[a][0] * g[j] + G[a][1] * g[3 + j] + G[a][2] * g[6 + j];
    for (a = 0; a < ALPHA; a++)
        for (j = 0; j < ALPHA; j++) {
            double s = 0;
            for (r = 0; r < 3; r++)
                s += gt[a][r] * G[j][r];
            u[a * ALPHA + j] = (float)s;
        }
}

/* Floats of one group's U. */
static size_t group_weights_floats(const snt_conv2d_params *g, unsigned mr)
{
    return POSITIONS * snt_f32_gemm_packed_a_floats(g->k, g->c, mr);
}

size_t snt_conv2d_winograd_weights_floats(const snt_conv2d_params *p, unsigned mr)
{
    snt_conv2d_params g = group_of(p);
    return p->groups * group_weights_floats(&g, mr);
}

/* dst: group by group, for each of the 36 positions, U[xi] (K x C of
 * the group) as A panels of mr rows.  w: [k][c/groups][3][3]. */
void snt_conv2d_winograd_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w,
                                      float *dst, float *work)
{
    snt_conv2d_params g = group_of(p);
    size_t kc = g.k * g.c, grp, i, xi;
    for (grp = 0; grp < p->groups; grp++, w += kc * 9) {
        /* work: the group's U as [k][c][xi], one kernel at a time. */
        for (i = 0; i < kc; i++)
            kernel_transform(w + i * 9, work + i * POSITIONS);
        for (xi = 0; xi < POSITIONS; xi++) {
            snt_f32_gemm_pack_a(g.k, g.c, mr, work + xi, (ptrdiff_t)(g.c * POSITIONS),
                                POSITIONS, dst);
            dst += snt_f32_gemm_packed_a_floats(g.k, g.c, mr);
        }
    }
}

/* ---- geometry of the tiles and blocks ------------------------------ */

/* A block is a few rows of tiles, numbered row by row: its columns of
 * V and M. */
typedef struct {
    size_t tw, th;        /* tiles per row, rows of tiles */
    size_t rows;          /* rows of tiles per block */
    size_t ld;            /* floats from one row of V or M to the next */
    size_t depth_block;   /* input channels per product block */
} layout;

/* Of the nr-column panels the micro-kernel computes for `tiles`
 * columns, the part that is not padding, in 1/1024ths. */
static size_t panel_use(size_t tiles, size_t nr)
{
    return tiles * 1024 / (snt__div_up(tiles, nr) * nr);
}

/*
 * Rows of tiles per block: up to what keeps V and M of a block within
 * BLOCK_FLOATS (but at least one panel of nr tiles where the image has
 * them), the count whose last panel is fullest, the most of those.
 */
static size_t block_rows(const snt_conv2d_params *p, size_t tw, size_t th, size_t nr)
{
    size_t most = BLOCK_FLOATS / (POSITIONS * (p->c + p->k) * tw), best = 1, r;
    if (most < snt__div_up(nr, tw))
        most = snt__div_up(nr, tw);
    most = snt__min_size(most, th);
    for (r = 2; r <= most; r++)
        if (panel_use(r * tw, nr) >= panel_use(best * tw, nr))
            best = r;
    return best;
}

static layout layout_of(const snt_conv2d_params *p, unsigned nr)
{
    layout l;
    l.tw = snt__div_up(p->ow, TILE);
    l.th = snt__div_up(p->oh, TILE);
    l.rows = block_rows(p, l.tw, l.th, nr);
    /* Whole panels, an odd number of 64-byte lines apart so that the
     * rows a micro-kernel reads spread over the cache sets. */
    l.ld = snt__div_up(l.rows * l.tw, nr) * nr;
    if ((l.ld / 16) % 2 == 0)
        l.ld += 16;
    l.depth_block = PANEL_BYTES / (nr * sizeof(float));
    l.depth_block = snt__div_up(p->c, snt__div_up(p->c, l.depth_block));
    return l;
}

/* Tiles of a block in the input band: one more per row (`span`), whose
 * first columns the last tile of the row reads. */
static size_t band_tiles(const layout *l)
{
    return l->rows * (l->tw + 1);
}

/* The parts of scratch, in floats, in this order: the B-row offsets, V
 * and M, and the transforms' work: the input band and its vertical
 * transform (6 x 4 rows of a block's tiles each), or the output's
 * vertical transform (4 x 6 rows), its outputs (4 x 4 rows) and one
 * output row. */
static size_t offsets_floats(const snt_conv2d_params *p)
{
    return snt__div_up(p->c * sizeof(ptrdiff_t), 64) * 16;
}

static size_t vm_floats(const snt_conv2d_params *p, const layout *l)
{
    return POSITIONS * (p->c + p->k) * l->ld;
}

size_t snt_conv2d_winograd_scratch_floats(const snt_conv2d_params *p, unsigned mr, unsigned nr)
{
    snt_conv2d_params g = group_of(p);
    layout l = layout_of(&g, nr);
    (void)mr;
    return offsets_floats(&g) + vm_floats(&g, &l) + 2 * ALPHA * TILE * band_tiles(&l) +
           TILE * l.tw;
}

/* ---- the transforms, as vectors over the tiles --------------------- */

/*
 * The transforms of six rows of n values (row i at in + off[i]) into
 * rows of output: one transform applied to n columns at once, in
 * unit-stride loops the compiler vectorizes.  Each output row is a
 * restrict parameter of its own, so that the loops need no run-time
 * checks of overlap (the rows are short: a check per call would cost as
 * much as the loop).
 *
 * B^T, six rows to six, in two halves of three:
 *   o0 = 4 d0 - 5 d2 + d4          o3 = d4 - d2 + 2 (d3 - d1)
 *   o1 = d3 + d4 - 4 (d1 + d2)     o4 = d4 - d2 - 2 (d3 - d1)
 *   o2 = d4 - d3 + 4 (d1 - d2)     o5 = 4 d1 - 5 d3 + d5
 */
static void input_rows_012(const float *restrict in, const size_t off[ALPHA],
                           float *restrict o0, float *restrict o1, float *restrict o2, size_t n)
{
    const float *d0 = in + off[0], *d1 = in + off[1], *d2 = in + off[2];
    const float *d3 = in + off[3], *d4 = in + off[4];
    size_t t;
    for (t = 0; t < n; t++) {
        float a = d3[t] + d4[t], b = d1[t] + d2[t], c = d4[t] - d3[t], e = d1[t] - d2[t];
        o0[t] = 4.0f * d0[t] - 5.0f * d2[t] + d4[t];
        o1[t] = a - 4.0f * b;
        o2[t] = c + 4.0f * e;
    }
}

static void input_rows_345(const float *restrict in, const size_t off[ALPHA],
                           float *restrict o3, float *restrict o4, float *restrict o5, size_t n)
{
    const float *d1 = in + off[1], *d2 = in + off[2], *d3 = in + off[3];
    const float *d4 = in + off[4], *d5 = in + off[5];
    size_t t;
    for (t = 0; t < n; t++) {
        float f = d4[t] - d2[t], g = 2.0f * (d3[t] - d1[t]);
        o3[t] = f + g;
        o4[t] = f - g;
        o5[t] = 4.0f * d1[t] - 5.0f * d3[t] + d5[t];
    }
}

/* B^T into the six rows of out, `ld` apart. */
static void input_rows(const float *in, const size_t off[ALPHA], float *out, size_t ld,
                       size_t n)
{
    input_rows_012(in, off, out, out + ld, out + 2 * ld, n);
    input_rows_345(in, off, out + 3 * ld, out + 4 * ld, out + 5 * ld, n);
}

/*
 * A^T, six rows to four:
 *   o0 = m0 + (m1 + m2) + (m3 + m4)      o2 = (m1 + m2) + 4 (m3 + m4)
 *   o1 = (m1 - m2) + 2 (m3 - m4)         o3 = (m1 - m2) + 8 (m3 - m4) + m5
 */
static void output_rows_0123(const float *restrict in, const size_t off[ALPHA],
                             float *restrict o0, float *restrict o1, float *restrict o2,
                             float *restrict o3, size_t n)
{
    const float *m0 = in + off[0], *m1 = in + off[1], *m2 = in + off[2];
    const float *m3 = in + off[3], *m4 = in + off[4], *m5 = in + off[5];
    size_t t;
    for (t = 0; t < n; t++) {
        float s12 = m1[t] + m2[t], d12 = m1[t] - m2[t];
        float s34 = m3[t] + m4[t], d34 = m3[t] - m4[t];
        o0[t] = m0[t] + s12 + s34;
        o1[t] = d12 + 2.0f * d34;
        o2[t] = s12 + 4.0f * s34;
        o3[t] = d12 + 8.0f * d34 + m5[t];
    }
}

/* A^T into the four rows of out, `ld` apart. */
static void output_rows(const float *in, const size_t off[ALPHA], float *out, size_t ld,
                        size_t n)
{
    output_rows_0123(in, off, out, out + ld, out + 2 * ld, out + 3 * ld, n);
}

/* Offsets of six rows `ld` apart. */
static void rows_apart(size_t ld, size_t off[ALPHA])
{
    int i;
    for (i = 0; i < ALPHA; i++)
        off[i] = (size_t)i * ld;
}

/* ---- step 1: the input transform ----------------------------------- */

/* dst[m*ph + t] for tiles [t0, t1), checking each column against the
 * image: the tiles at the borders. */
static void split_border(const float *row, ptrdiff_t w, ptrdiff_t x0, ptrdiff_t t0, ptrdiff_t t1,
                         size_t ph, float *dst)
{
    ptrdiff_t t, m;
    for (t = t0; t < t1; t++)
        for (m = 0; m < TILE; m++) {
            ptrdiff_t x = x0 + TILE * t + m;
            dst[m * (ptrdiff_t)ph + t] = x >= 0 && x < w ? row[x] : 0.0f;
        }
}

/* d_m[t] = src[4t + m] for t < n.  Every pointer a parameter of its own,
 * restrict: the compiler then vectorizes the loop as loads and
 * permutes with no run-time checks of overlap, which would cost more
 * than the short loop itself. */
static void deinterleave4(const float *restrict src, size_t n, float *restrict d0,
                          float *restrict d1, float *restrict d2, float *restrict d3)
{
    size_t t;
    for (t = 0; t < n; t++) {
        d0[t] = src[TILE * t];
        d1[t] = src[TILE * t + 1];
        d2[t] = src[TILE * t + 2];
        d3[t] = src[TILE * t + 3];
    }
}

/*
 * Row y of the padded input, from column x0 on, split into four column
 * phases `ph` floats apart: dst[m*ph + t] = x[y][x0 + 4t + m] for t <
 * span, zero outside the image.
 */
static void split_row(const snt_conv2d_params *p, const float *xc, ptrdiff_t y, ptrdiff_t x0,
                      size_t span, size_t ph, float *dst)
{
    ptrdiff_t w = (ptrdiff_t)p->w, n = (ptrdiff_t)span, lo, hi, m;
    if (y < 0 || y >= (ptrdiff_t)p->h) {
        for (m = 0; m < TILE; m++)
            memset(dst + m * (ptrdiff_t)ph, 0, span * sizeof(float));
        return;
    }
    const float *row = xc + y * w;
    /* Tiles [lo, hi) read four columns inside the image. */
    lo = x0 < 0 ? (-x0 + TILE - 1) / TILE : 0;
    hi = w - x0 >= TILE ? (w - x0 - TILE) / TILE + 1 : 0;
    hi = hi < n ? hi : n;
    lo = lo < hi ? lo : hi;
    deinterleave4(row + x0 + TILE * lo, (size_t)(hi - lo), dst + lo, dst + ph + lo,
                  dst + 2 * ph + lo, dst + 3 * ph + lo);
    split_border(row, w, x0, 0, lo, ph, dst);
    split_border(row, w, x0, hi, n, ph, dst);
}

/*
 * V of channel c for the block's rows of tiles [ty0, ty0 + rows).  The
 * band holds, for each of the six input rows r of a row of tiles, four
 * phases of the block's tiles, each row of tiles with one extra
 * (band[(r*4 + m)*n + t], n = rows * span tiles); the vertical
 * transform combines the six r over the whole band, the horizontal one,
 * row of tiles by row, the six columns of tile t: phases 0..3 at t and
 * 0..1 at t + 1.
 */
static void input_transform(const snt_conv2d_params *p, const layout *l, const float *xc,
                            size_t c, size_t ty0, size_t rows, float *band, float *v)
{
    size_t span = l->tw + 1, n = rows * span, pos_ld = p->c * l->ld, ty, off[ALPHA];
    const size_t tile_cols[ALPHA] = {0, n, 2 * n, 3 * n, 1, n + 1};
    float *cols = band + ALPHA * TILE * n;
    int r;
    for (r = 0; r < ALPHA; r++)
        for (ty = 0; ty < rows; ty++)
            split_row(p, xc, (ptrdiff_t)(TILE * (ty0 + ty) + r) - (ptrdiff_t)p->pt,
                      -(ptrdiff_t)p->pl, span, n, band + r * TILE * n + ty * span);
    rows_apart(TILE * n, off);
    input_rows(band, off, cols, TILE * n, TILE * n);
    for (r = 0; r < ALPHA; r++)
        for (ty = 0; ty < rows; ty++)
            input_rows(cols + r * TILE * n + ty * span, tile_cols,
                       v + r * ALPHA * pos_ld + c * l->ld + ty * l->tw, pos_ld, l->tw);
}

/* ---- step 2: the 36 products --------------------------------------- */

/* The micro-kernel reads whole panels of nr columns: the columns of V
 * past the block's tiles must hold numbers (zeros, so that no denormal
 * or NaN slows the lanes whose results are dropped). */
static void clear_tails(float *v, size_t rows, size_t tiles, size_t ld)
{
    size_t r;
    for (r = 0; r < rows && tiles < ld; r++)
        memset(v + r * ld + tiles, 0, (ld - tiles) * sizeof(float));
}

/* Rows [k_lo, k_hi) of M[xi] = U[xi] * V[xi] for the `tiles` tiles of
 * a block; k_lo a multiple of mr. */
static void products(const snt_conv2d_params *p, const layout *l,
                     const snt_f32_gemm_ukernel *uk, const float *u, const ptrdiff_t *rows,
                     const float *v, float *mm, size_t tiles, size_t k_lo, size_t k_hi)
{
    size_t u_ld = snt_f32_gemm_packed_a_floats(p->k, p->c, uk->mr), xi, q, pc, ir;
    for (xi = 0; xi < POSITIONS; xi++) {
        const float *uxi = u + xi * u_ld, *vxi = v + xi * p->c * l->ld;
        float *mxi = mm + xi * p->k * l->ld;
        for (q = 0; q < tiles; q += uk->nr) {
            size_t cols = snt__min_size(uk->nr, tiles - q);
            for (pc = 0; pc < p->c; pc += l->depth_block) {
                size_t kc = snt__min_size(l->depth_block, p->c - pc);
                for (ir = k_lo; ir < k_hi; ir += uk->mr)
                    uk->run(snt__min_size(uk->mr, p->k - ir), cols, kc,
                            uxi + ir * p->c + pc * uk->mr, vxi + q, rows + pc,
                            mxi + ir * l->ld + q, l->ld, pc > 0);
            }
        }
    }
}

/* ---- step 3: the output transform ---------------------------------- */

/* row[4t + j] = o[j*ld + t] for t < n: the four outputs of each tile
 * side by side. */
static void interleave_tiles(const float *restrict o, size_t ld, size_t n, float *restrict row)
{
    size_t t;
    int j;
    for (t = 0; t < n; t++)
        for (j = 0; j < TILE; j++)
            row[TILE * t + j] = o[j * ld + t];
}

/*
 * Output channel k of the block's rows of tiles [ty0, ty0 + rows) from
 * M, with the epilogue, into channel ch0 + k of y.  The vertical half gives s[(b*6 + j)*n +
 * t] (output row b of tile t, column j), the horizontal one o[(b*4 +
 * i)*n + t], both over all n tiles of the block; then each output row
 * is put together, finished and stored.
 */
static void output_transform(const snt_conv2d_params *p, const layout *l, const float *mm,
                             size_t k, size_t ty0, size_t rows, const snt__epilogue *ep,
                             size_t ch0, float *s, float *y)
{
    size_t n = rows * l->tw, pos_ld = p->k * l->ld, ty, b, j, off[ALPHA];
    float *o = s + TILE * ALPHA * n, *row = o + TILE * TILE * n;
    rows_apart(ALPHA * pos_ld, off);
    for (j = 0; j < ALPHA; j++)
        output_rows(mm + j * pos_ld + k * l->ld, off, s + j * n, ALPHA * n, n);
    rows_apart(n, off);
    for (b = 0; b < TILE; b++)
        output_rows(s + b * ALPHA * n, off, o + b * TILE * n, n, n);
    for (ty = ty0; ty < ty0 + rows; ty++)
        for (b = 0; b < TILE && TILE * ty + b < p->oh; b++) {
            size_t col = (TILE * ty + b) * p->ow;
            interleave_tiles(o + b * TILE * n + (ty - ty0) * l->tw, n, l->tw, row);
            if (ep != NULL)
                snt__epilogue_row(ep, ch0 + k, col, row, p->ow);
            memcpy(y + (ch0 + k) * p->oh * p->ow + col, row, p->ow * sizeof(float));
        }
}

/* ---- the entry point ----------------------------------------------- */

/*
 * One group (from group_of) of one image: x its input channels, u its
 * U, ch0 its first output channel in y.  Split over threads one of two
 * ways, both giving the serial bits (a tile's transforms and products do
 * not depend on which tiles share its block or panel, nor on who
 * computes them):
 *  - by rows of tiles, each part's rows in blocks of its own, V and M in
 *    the part's scratch slot: one dispatch and no data shared between
 *    the threads, for images of at least a row of tiles per thread
 *    (UNeXt's 3x3 layers ran 1.1-1.6x faster on two threads than on
 *    one split by whole blocks or by channels, 1.8-1.9x so);
 *  - block by block, by channels: the input transform split by input
 *    channels, then the products and the output transform by panels of
 *    output channels, V and M in slot 0 and the transforms' work in each
 *    part's slot: for small images, whose few panels of tiles a split
 *    by rows would leave emptier (splits_by_channels), at two dispatches
 *    a block.
 */
typedef struct {
    const snt_conv2d_params *g;
    const layout *l;
    const snt_f32_gemm_ukernel *uk;
    const float *x, *u;
    const snt__epilogue *ep;
    size_t ch0;
    float *y, *scratch;
    size_t ty0, nrows;            /* by channels: the block */
} winograd_work;

/* Slot `slot` of the call's scratch: B-row offsets, V, M, work. */
typedef struct {
    ptrdiff_t *rows;
    float *v, *mm, *work;
} winograd_slot;

static winograd_slot slot_of(const winograd_work *w, size_t slot)
{
    const snt_conv2d_params *g = w->g;
    winograd_slot s;
    float *scratch = snt__slot(w->scratch, slot,
                               snt_conv2d_winograd_scratch_floats(g, w->uk->mr, w->uk->nr));
    s.rows = (ptrdiff_t *)(void *)scratch;
    s.v = scratch + offsets_floats(g);
    s.mm = s.v + POSITIONS * g->c * w->l->ld;
    s.work = s.mm + POSITIONS * g->k * w->l->ld;
    return s;
}

/* The B rows of the products: row c of V[xi]. */
static void set_rows(const winograd_work *w, const winograd_slot *s)
{
    size_t c;
    for (c = 0; c < w->g->c; c++)
        s->rows[c] = (ptrdiff_t)(c * w->l->ld);
}

/* Rows of tiles [ty_lo, ty_hi), in blocks of up to l->rows rows, in
 * slot `slot`. */
static void blocks_part(void *arg, size_t slot, size_t ty_lo, size_t ty_hi)
{
    const winograd_work *w = arg;
    const snt_conv2d_params *g = w->g;
    const layout *l = w->l;
    winograd_slot s = slot_of(w, slot);
    size_t ty0, c, k;
    set_rows(w, &s);
    for (ty0 = ty_lo; ty0 < ty_hi; ty0 += l->rows) {
        size_t nrows = snt__min_size(l->rows, ty_hi - ty0), tiles = nrows * l->tw;
        for (c = 0; c < g->c; c++)
            input_transform(g, l, w->x + c * g->h * g->w, c, ty0, nrows, s.work, s.v);
        clear_tails(s.v, POSITIONS * g->c, tiles, l->ld);
        products(g, l, w->uk, w->u, s.rows, s.v, s.mm, tiles, 0, g->k);
        for (k = 0; k < g->k; k++)
            output_transform(g, l, s.mm, k, ty0, nrows, w->ep, w->ch0, s.work, w->y);
    }
}

/* By channels: V of input channels [begin, end) of the block, in slot
 * 0's V, with this part's work. */
static void inputs_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const winograd_work *w = arg;
    const snt_conv2d_params *g = w->g;
    const layout *l = w->l;
    float *v = slot_of(w, 0).v, *work = slot_of(w, slot).work;
    size_t tiles = w->nrows * l->tw, c, xi;
    for (c = begin; c < end; c++)
        input_transform(g, l, w->x + c * g->h * g->w, c, w->ty0, w->nrows, work, v);
    for (xi = 0; xi < POSITIONS; xi++)
        clear_tails(v + (xi * g->c + begin) * l->ld, end - begin, tiles, l->ld);
}

/* By channels: M and the outputs of output channels [begin, end). */
static void outputs_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const winograd_work *w = arg;
    const snt_conv2d_params *g = w->g;
    winograd_slot shared = slot_of(w, 0);
    float *work = slot_of(w, slot).work;
    size_t k;
    products(g, w->l, w->uk, w->u, shared.rows, shared.v, shared.mm, w->nrows * w->l->tw, begin,
             end);
    for (k = begin; k < end; k++)
        output_transform(g, w->l, shared.mm, k, w->ty0, w->nrows, w->ep, w->ch0, work, w->y);
}

/* Columns that the products compute for `rows` rows of tiles taken in
 * blocks of up to l->rows rows: each block's tiles rounded up to
 * whole steps of the micro-kernel (uk->nc_step), in those steps. */
static size_t row_steps(const layout *l, size_t rows, size_t step)
{
    size_t full = rows / l->rows, rest = rows % l->rows;
    return full * snt__div_up(l->rows * l->tw, step) + snt__div_up(rest * l->tw, step);
}

/*
 * Whether to split by channels rather than by rows of tiles: when the
 * busiest part's products, in column steps of the micro-kernel times
 * panels of output channels, are clearly fewer that way.  Rows split a
 * small image's few tiles into blocks whose columns round up further
 * (22 x 22 is 36 tiles, three vectors of 16; split by rows each thread
 * computes two for its 18), channels do not; on a near tie the rows
 * win, at one dispatch and no V or M shared between the cores (a
 * split by channels reads the other core's half of V: M2SNet's 3x3
 * layers of 52 channels on 44 x 44 ran 1.43x faster on two threads than
 * on one split by channels, 1.64x split by rows).
 */
static int splits_by_channels(const winograd_work *w, size_t parts)
{
    size_t kp = snt__div_up(w->g->k, w->uk->mr), step = w->uk->nc_step, th = w->l->th;
    size_t by_rows = row_steps(w->l, snt__div_up(th, parts), step) * kp;
    size_t by_channels = row_steps(w->l, th, step) * snt__div_up(kp, parts);
    return parts > 1 && by_channels * 8 < by_rows * 7;
}

static void winograd_group(const snt_parallel *par, winograd_work *w)
{
    const layout *l = w->l;
    size_t parts = par != NULL && par->run != NULL ? par->threads : 1;
    winograd_slot shared = slot_of(w, 0);
    if (!splits_by_channels(w, parts)) {
        snt__parallel_ranges(par, l->th, 1, blocks_part, w);
        return;
    }
    set_rows(w, &shared);
    for (w->ty0 = 0; w->ty0 < l->th; w->ty0 += l->rows) {
        w->nrows = snt__min_size(l->rows, l->th - w->ty0);
        snt__parallel_ranges(par, w->g->c, 1, inputs_part, w);
        snt__parallel_ranges(par, w->g->k, w->uk->mr, outputs_part, w);
    }
}

void snt_conv2d_winograd_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                                const snt_f32_gemm_ukernel *uk, const float *x, const float *u,
                                const float *bias, const float *post_scale,
                                const float *post_shift, const float *residual, float *y,
                                float *scratch)
{
    size_t in_img = p->c * p->h * p->w, out_img = p->k * p->oh * p->ow, b, grp;
    snt__epilogue ep = snt__conv_epilogue(p, bias, post_scale, post_shift, residual);
    snt_conv2d_params g = group_of(p);
    layout l = layout_of(&g, uk->nr);
    size_t group_u = group_weights_floats(&g, uk->mr);
    winograd_work w = {&g, &l, uk, NULL, NULL, &ep, 0, y, scratch, 0, 0};
    if (out_img == 0)
        return;
    if (!bias && !post_scale && !residual && p->act.kind == SNT_ACT_NONE)
        w.ep = NULL;
    for (b = 0; b < p->n; b++, x += in_img, w.y += out_img) {
        for (grp = 0; grp < p->groups; grp++) {
            w.x = x + grp * g.c * g.h * g.w;
            w.u = u + grp * group_u;
            w.ch0 = grp * g.k;
            winograd_group(par, &w);
        }
        if (ep.residual != NULL)
            ep.residual += out_img;
    }
}

void snt_conv2d_winograd_f32(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                             const float *x, const float *u, const float *bias,
                             const float *post_scale, const float *post_shift,
                             const float *residual, float *y, float *scratch)
{
    snt_conv2d_winograd_f32_mt(NULL, p, uk, x, u, bias, post_scale, post_shift, residual, y,
                               scratch);
}
