/*
 * transpose.c - Transpose of 32-bit elements in register tiles.
 *
 * A Transpose walks its output densely and reads the input through
 * permuted strides.  Once unit axes are dropped and the axes both sides
 * walk as one are merged (snt__collapse2), a permutation that moves the
 * input's innermost axis leaves a copy whose last axis is written
 * contiguously and read at a stride, while some other axis `a` is read
 * contiguously: for every index of the remaining axes, a matrix copied
 * transposed.  Element by element, each read of such a copy touches a
 * new cache line, and strides of a multiple of 4 KiB (UNeXt's 1024
 * tokens) make the lines compete for the same cache sets; in tiles of
 * the x32-transpose micro-kernel every line read or written is used for
 * a whole vector.
 *
 * The tiles walk the source rows a tile's height at a time and, within
 * them, left to right, so the mr rows being read advance together; the
 * ragged right and bottom edges are copied element by element.
 */
#include "internal.h"
#include "x32-transpose/block.h"

/* A matrix copied transposed: source row j (j < rows) starts at
 * src + j*src_ld and its elements are contiguous; they go to column j
 * of dst, whose rows are dst_ld apart. */
typedef struct {
    size_t rows, cols;
    ptrdiff_t src_ld, dst_ld;
} transposition;

static void transpose_matrix(const transposition *m, const snt_x32_transpose_ukernel *uk,
                             const uint32_t *src, uint32_t *dst)
{
    const size_t full_rows = m->rows - m->rows % uk->mr, full_cols = m->cols - m->cols % uk->nr;
    size_t r, c;
    for (r = 0; r < full_rows; r += uk->mr) {
        const uint32_t *s = src + (ptrdiff_t)r * m->src_ld;
        for (c = 0; c < full_cols; c += uk->nr)
            uk->run(s + c, m->src_ld, dst + (ptrdiff_t)c * m->dst_ld + (ptrdiff_t)r, m->dst_ld);
        snt__x32_transpose_block(uk->mr, m->cols - full_cols, s + full_cols, m->src_ld,
                                 dst + (ptrdiff_t)full_cols * m->dst_ld + (ptrdiff_t)r, m->dst_ld);
    }
    snt__x32_transpose_block(m->rows - full_rows, m->cols,
                             src + (ptrdiff_t)full_rows * m->src_ld, m->src_ld,
                             dst + (ptrdiff_t)full_rows, m->dst_ld);
}

/* The axis before the last that the source walks contiguously while the
 * destination walks the last axis contiguously and the source does not;
 * -1 when the copy is not of that form. */
static int transposed_axis(int rank, const ptrdiff_t *ss, const ptrdiff_t *ds)
{
    int d;
    if (rank < 2 || ds[rank - 1] != 1 || ss[rank - 1] == 1)
        return -1;
    for (d = 0; d < rank - 1; d++)
        if (ss[d] == 1)
            return d;
    return -1;
}

void snt_transpose_x32(const snt_strided *p, const snt_x32_transpose_ukernel *uk,
                       const void *src, void *dst)
{
    size_t dims[SNT_MAX_RANK], odims[SNT_MAX_RANK], idx[SNT_MAX_RANK] = {0};
    ptrdiff_t ss[SNT_MAX_RANK], ds[SNT_MAX_RANK], oss[SNT_MAX_RANK], ods[SNT_MAX_RANK];
    ptrdiff_t so = 0, dof = 0;
    transposition m;
    int rank, outer = 0, a, d;

    if (!snt__strided_collapsed(p, &rank, dims, ss, ds))
        return;
    a = transposed_axis(rank, ss, ds);
    if (a < 0) {
        snt_strided_copy(p, sizeof(uint32_t), src, dst);
        return;
    }
    m.rows = dims[rank - 1];
    m.cols = dims[a];
    m.src_ld = ss[rank - 1];
    m.dst_ld = ds[a];
    /* The other axes, each a matrix to transpose. */
    for (d = 0; d < rank - 1; d++)
        if (d != a) {
            odims[outer] = dims[d];
            oss[outer] = ss[d];
            ods[outer] = ds[d];
            outer++;
        }
    do {
        transpose_matrix(&m, uk, (const uint32_t *)src + so, (uint32_t *)dst + dof);
    } while (snt__odo_next(outer, odims, idx, oss, &so, ods, &dof));
}
