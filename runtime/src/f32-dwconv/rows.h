/*
 * rows.h - what the f32-dwconv variants share: which output rows an
 * input row feeds, and the computation of a few columns in plain C (the
 * whole scalar variant, and the last columns of variants without masked
 * loads).
 *
 * Every variant walks the input rows of its output rows once: input row
 * iy feeds output row r through tap row iy - r*sh, so each input vector
 * is loaded once and multiplied into every output row it belongs to.
 */
#ifndef SNT_F32_DWCONV_ROWS_H
#define SNT_F32_DWCONV_ROWS_H

#include "../ukernel.h"

/*
 * Bit r is set when input row iy feeds output row r: r < rows and
 * 0 <= iy - r*sh < kh.  The rows form one run, possibly empty when
 * sh > kh.  A mask rather than a range because the variants unroll r to
 * keep their accumulators in registers, so each row tests a constant
 * bit.
 */
static inline unsigned snt__dw_live_rows(size_t iy, size_t kh, size_t sh, size_t rows)
{
    size_t lo = iy >= kh ? (iy - kh + sh) / sh : 0, hi = iy / sh;
    if (hi >= rows)
        hi = rows - 1;
    return lo <= hi ? (2u << hi) - (1u << lo) : 0;
}

/* Rows per pass and most columns of snt__dw_columns. */
#define SNT__DW_ROWS 4
#define SNT__DW_COLS 8

/*
 * Columns [x0, x0 + n) of every output row, n <= SNT__DW_COLS, in plain
 * C with the rows sharing input as above, SNT__DW_ROWS rows a pass.
 * With n a constant the column loops are what compilers vectorise.
 */
static inline void snt__dw_columns(const snt_f32_dwconv_args *a, size_t x0, size_t n)
{
    size_t r0, iy, kx, j;
    unsigned r;
    for (r0 = 0; r0 < a->rows; r0 += SNT__DW_ROWS) {
        const size_t rows = a->rows - r0 < SNT__DW_ROWS ? a->rows - r0 : SNT__DW_ROWS;
        const float *in = a->in + r0 * a->sh * a->in_ld + x0;
        float *out = a->out + r0 * a->out_ld + x0;
        float acc[SNT__DW_ROWS][SNT__DW_COLS];
        for (r = 0; r < SNT__DW_ROWS; r++)
            for (j = 0; j < n; j++)
                acc[r][j] = a->accumulate && r < rows ? out[r * a->out_ld + j] : a->bias;
        for (iy = 0; iy < (rows - 1) * a->sh + a->kh; iy++) {
            const unsigned live = snt__dw_live_rows(iy, a->kh, a->sh, rows);
            for (kx = 0; kx < a->kw; kx++) {
                const float *src = in + iy * a->in_ld + a->col[kx], *wk = a->w + kx * a->kh;
                for (r = 0; r < SNT__DW_ROWS; r++) {
                    if (live >> r & 1) {
                        const float t = wk[iy - r * a->sh];
                        for (j = 0; j < n; j++)
                            acc[r][j] += t * src[j];
                    }
                }
            }
        }
        for (r = 0; r < rows; r++)
            for (j = 0; j < n; j++)
                out[r * a->out_ld + j] = a->act != NULL ? snt__hard_act(a->act, acc[r][j])
                                                        : acc[r][j];
    }
}

#endif /* SNT_F32_DWCONV_ROWS_H */
