/*
 * shift_tokenize.c - UNeXt's shifted-MLP input in one pass: channel
 * chunks of an image moved by a few pixels along one axis, with zeros
 * shifted in.
 *
 * The model spells this as pad -> chunk -> roll each chunk -> concat ->
 * crop, which equals a zero-fill shift as long as no chunk rolls by
 * more than the padding (the compiler checks that before using this).
 */
#include "internal.h"

/* Element offset of (n, c, h, w) through the layout's strides. */
static ptrdiff_t at(const snt_shift_params *p, size_t n, size_t c, ptrdiff_t h, ptrdiff_t w)
{
    return (ptrdiff_t)n * p->n_stride + (ptrdiff_t)c * p->c_stride + h * p->h_stride +
           w * p->w_stride;
}

void snt_shift_tokenize_f32(const snt_shift_params *p, const float *x, float *y)
{
    size_t n, h, w, c;
    int k;
    for (n = 0; n < p->n; n++)
        for (h = 0; h < p->h; h++)
            for (w = 0; w < p->w; w++) {
                size_t first = 0;
                for (k = 0; k < p->chunks; k++) {
                    /* The source pixel of this chunk, shifted back. */
                    ptrdiff_t sh = (ptrdiff_t)h - (p->axis == 0 ? p->shift[k] : 0);
                    ptrdiff_t sw = (ptrdiff_t)w - (p->axis == 1 ? p->shift[k] : 0);
                    int inside = sh >= 0 && sh < (ptrdiff_t)p->h && sw >= 0 && sw < (ptrdiff_t)p->w;
                    for (c = first; c < p->chunk_end[k]; c++)
                        y[at(p, n, c, (ptrdiff_t)h, (ptrdiff_t)w)] =
                            inside ? x[at(p, n, c, sh, sw)] : 0.0f;
                    first = p->chunk_end[k];
                }
            }
}
