/*
 * 4x8-scalar.c - f32-dwconv micro-kernel in portable C: 4 output rows
 * by 8 columns at a time (rows.h), for `--target generic` and as the
 * plain statement of what the SIMD variants compute.
 */
#include "rows.h"

#define MR SNT__DW_ROWS
#define NR SNT__DW_COLS

static void dwconv_4x8(const snt_f32_dwconv_args *a)
{
    size_t x0;
    /* Full strips with a constant width, so that they vectorise. */
    for (x0 = 0; x0 + NR <= a->ow; x0 += NR)
        snt__dw_columns(a, x0, NR);
    if (x0 < a->ow)
        snt__dw_columns(a, x0, a->ow - x0);
}

const snt_f32_dwconv_ukernel snt_f32_dwconv_4x8__scalar = {MR, NR, dwconv_4x8, NULL};
