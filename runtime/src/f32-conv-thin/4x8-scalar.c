/*
 * 4x8-scalar.c - f32-conv-thin micro-kernel in portable C: 4 output
 * channels by 8 pixels at a time (scalar.h), for `--target generic` and
 * as the plain statement of what the SIMD variants compute.
 */
#include "scalar.h"

static void conv_thin_4x8(const snt_f32_conv_thin_args *a)
{
    size_t x0;
    /* Full tiles with a constant width, so that they vectorise. */
    for (x0 = 0; x0 + SNT__CT_COLS <= a->ow; x0 += SNT__CT_COLS)
        snt__ct_pixels(a, SNT__CT_ROWS, x0, SNT__CT_COLS);
    if (x0 < a->ow)
        snt__ct_pixels(a, SNT__CT_ROWS, x0, a->ow - x0);
}

const snt_f32_conv_thin_ukernel snt_f32_conv_thin_4x8__scalar = {SNT__CT_ROWS, SNT__CT_COLS,
                                                                  conv_thin_4x8};
