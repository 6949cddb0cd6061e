/*
 * pack.c - the panel layouts of the f32-gemm micro-kernels (sinter_rt.h).
 *
 * An A panel holds mr rows of A column by column (a[p*mr + i]), a B panel
 * nr columns of B row by row (b[p*nr + j]): what the micro-kernel reads
 * with unit stride at each step of its depth loop.  Each panel holds the
 * whole depth k, so a depth block from p0 on starts at panel + p0*mr (or
 * p0*nr).  The last panel is zero-padded past m (or n).  The compiler
 * packs constant operands with these at compile time.
 */
#include "sinter_rt.h"

static size_t round_up(size_t x, size_t to)
{
    return (x + to - 1) / to * to;
}

size_t snt_f32_gemm_packed_a_floats(size_t m, size_t k, size_t mr)
{
    return round_up(m, mr) * k;
}

size_t snt_f32_gemm_packed_b_floats(size_t k, size_t n, size_t nr)
{
    return round_up(n, nr) * k;
}

/* Both layouts are one: `lanes` consecutive values of the outer index
 * (rows of A, columns of B) per step of the depth index.  src[o*o_st +
 * p*p_st] is the value at outer index o and depth p. */
static void pack_panels(size_t outer, size_t depth, size_t lanes, const float *src,
                        ptrdiff_t o_st, ptrdiff_t p_st, float *dst)
{
    size_t o0, p, l;
    for (o0 = 0; o0 < outer; o0 += lanes) {
        size_t live = outer - o0 < lanes ? outer - o0 : lanes;
        for (p = 0; p < depth; p++, dst += lanes) {
            const float *s = src + (ptrdiff_t)o0 * o_st + (ptrdiff_t)p * p_st;
            for (l = 0; l < live; l++)
                dst[l] = s[(ptrdiff_t)l * o_st];
            for (; l < lanes; l++)
                dst[l] = 0.0f;
        }
    }
}

void snt_f32_gemm_pack_a(size_t m, size_t k, size_t mr, const float *a, ptrdiff_t rs,
                         ptrdiff_t cs, float *dst)
{
    pack_panels(m, k, mr, a, rs, cs, dst);
}

void snt_f32_gemm_pack_b(size_t k, size_t n, size_t nr, const float *b, ptrdiff_t rs,
                         ptrdiff_t cs, float *dst)
{
    pack_panels(n, k, nr, b, cs, rs, dst);
}
