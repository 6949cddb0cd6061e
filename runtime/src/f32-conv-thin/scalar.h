/*
 * scalar.h - the f32-conv-thin computation of a few pixels in plain C:
 * the whole scalar variant, and the last pixels of variants without
 * masked loads.
 */
#ifndef SNT_F32_CONV_THIN_SCALAR_H
#define SNT_F32_CONV_THIN_SCALAR_H

#include "../ukernel.h"

/* Most pixels of snt__ct_pixels, and channels of its tile. */
#define SNT__CT_COLS 8
#define SNT__CT_ROWS 4

/*
 * Pixels [x0, x0 + n) of every channel, n <= SNT__CT_COLS, for weights
 * packed in blocks of mr channels; SNT__CT_ROWS channels a pass.  With n
 * a constant the pixel loops are what compilers vectorise.
 */
static inline void snt__ct_pixels(const snt_f32_conv_thin_args *a, size_t mr, size_t x0,
                                  size_t n)
{
    size_t r0, r, t, j;
    for (r0 = 0; r0 < a->mc; r0 += SNT__CT_ROWS) {
        const size_t rows = a->mc - r0 < SNT__CT_ROWS ? a->mc - r0 : SNT__CT_ROWS;
        float acc[SNT__CT_ROWS][SNT__CT_COLS];
        for (r = 0; r < rows; r++)
            for (j = 0; j < n; j++)
                acc[r][j] = a->bias[r0 + r];
        for (t = 0; t < a->taps; t++) {
            const float *src = a->in + a->tap_at[t] + x0, *wt = a->w + t * mr + r0;
            for (r = 0; r < rows; r++)
                for (j = 0; j < n; j++)
                    acc[r][j] += wt[r] * src[j];
        }
        for (r = 0; r < rows; r++)
            for (j = 0; j < n; j++)
                a->out[(r0 + r) * a->out_ld + x0 + j] =
                    a->act != NULL ? snt__hard_act(a->act, acc[r][j]) : acc[r][j];
    }
}

#endif /* SNT_F32_CONV_THIN_SCALAR_H */
