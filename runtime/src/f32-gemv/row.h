/*
 * row.h - the f32-gemv loop nest, written once for the SIMD variants on
 * the vocabulary of simd/ISA.h: a variant includes its ISA's header,
 * defines GV_NV (vectors per panel row) and includes this.
 *
 * Each depth step broadcasts one value of x onto the GV_NV vectors of
 * the panel's row.  Even and odd steps keep accumulators of their own,
 * 2 * GV_NV chains of multiply-adds, enough to hide their latency; the
 * only vector loads are the panel's, front to back, one stream that the
 * prefetchers follow at the speed of memory (the f32-gemm tile's mr == 1
 * path, which finds each row through an offset table and reads x from a
 * packed A panel, streamed the same weights at 0.6x of it).
 */
#ifndef SNT_F32_GEMV_ROW_H
#define SNT_F32_GEMV_ROW_H

#include <string.h>

#include "../ukernel.h"

#define GV_NR (GV_NV * SIMD_VL)

/* acc[v] (+)= x_p times row p of the panel (GV_NR floats at b). */
SNT__UK_INLINE void gv_step(simd_vec acc[GV_NV], float xp, const float *b)
{
    const simd_vec t = SIMD_SET1(xp);
    unsigned v;
    SNT__UK_UNROLL for (v = 0; v < GV_NV; v++)
        acc[v] = SIMD_FMA(acc[v], t, SIMD_LOADU(b + v * SIMD_VL));
}

static void gv_run(size_t nc, size_t k, const float *restrict x, const float *restrict b,
                   float *restrict y)
{
    simd_vec acc[2][GV_NV];
    float tail[GV_NR], *out = nc == GV_NR ? y : tail;
    const simd_mask whole = SIMD_LANES(0, SIMD_VL);
    size_t p;
    unsigned v;
    SNT__UK_UNROLL for (v = 0; v < GV_NV; v++)
        acc[0][v] = acc[1][v] = SIMD_SET1(0.0f);
    for (p = 0; p + 2 <= k; p += 2, b += 2 * GV_NR) {
        gv_step(acc[0], x[p], b);
        gv_step(acc[1], x[p + 1], b + GV_NR);
    }
    if (p < k)
        gv_step(acc[0], x[p], b);
    /* A narrow last panel stores through `tail`: y ends at column nc. */
    SNT__UK_UNROLL for (v = 0; v < GV_NV; v++)
        SIMD_STORE(out + v * SIMD_VL, whole, SIMD_ADD(acc[0][v], acc[1][v]), 0);
    if (out == tail)
        memcpy(y, tail, nc * sizeof *y);
}

#endif /* SNT_F32_GEMV_ROW_H */
