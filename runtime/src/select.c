/*
 * select.c - elementwise selection for any element type: Where (a
 * broadcasting cond ? x : y) and Trilu (a triangle of each matrix).
 */
#include <string.h>

#include "internal.h"

void snt_where(const snt_where_params *p, size_t elem_size, const uint8_t *cond,
               const void *x, const void *y, void *out)
{
    size_t idx[SNT_MAX_RANK] = {0};
    ptrdiff_t oc = 0, ox = 0, oy = 0;
    const char *xb = x, *yb = y;
    char *dst = out;
    int d;
    if (snt__any_zero(p->rank, p->dims))
        return;
    /* One element per step, the three read offsets moving with the
     * output index like an odometer. */
    for (;;) {
        memcpy(dst, cond[oc] ? xb + ox * (ptrdiff_t)elem_size : yb + oy * (ptrdiff_t)elem_size,
               elem_size);
        dst += elem_size;
        for (d = p->rank - 1; d >= 0; d--) {
            if (++idx[d] < p->dims[d]) {
                oc += p->cond_strides[d];
                ox += p->x_strides[d];
                oy += p->y_strides[d];
                break;
            }
            idx[d] = 0;
            oc -= (ptrdiff_t)(p->dims[d] - 1) * p->cond_strides[d];
            ox -= (ptrdiff_t)(p->dims[d] - 1) * p->x_strides[d];
            oy -= (ptrdiff_t)(p->dims[d] - 1) * p->y_strides[d];
        }
        if (d < 0)
            return;
    }
}

/* Clamps v into [0, hi]. */
static size_t clamp_col(int64_t v, size_t hi)
{
    if (v < 0)
        return 0;
    return (uint64_t)v > hi ? hi : (size_t)v;
}

void snt_trilu(size_t batch, size_t rows, size_t cols, int64_t k, int upper, size_t elem_size,
               const void *x, void *y)
{
    const char *src = x;
    char *dst = y;
    size_t row_bytes = cols * elem_size, r, b;
    /* Beyond these bounds k keeps all or nothing; clamping keeps r + k
     * from overflowing. */
    if (k > (int64_t)cols)
        k = (int64_t)cols;
    if (k < -(int64_t)rows - 1)
        k = -(int64_t)rows - 1;
    for (b = 0; b < batch; b++) {
        for (r = 0; r < rows; r++, src += row_bytes, dst += row_bytes) {
            /* Row r keeps the columns [lo, hi): j >= r + k for the upper
             * triangle, j <= r + k for the lower. */
            int64_t diag = (int64_t)r + k;
            size_t lo = upper ? clamp_col(diag, cols) : 0;
            size_t hi = upper ? cols : clamp_col(diag + 1, cols);
            if (hi < lo)
                hi = lo;
            if (dst != src)
                memcpy(dst + lo * elem_size, src + lo * elem_size, (hi - lo) * elem_size);
            memset(dst, 0, lo * elem_size);
            memset(dst + hi * elem_size, 0, (cols - hi) * elem_size);
        }
    }
}
