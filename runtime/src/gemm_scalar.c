/*
 * gemm_scalar.c - single-precision matrix product in portable C.
 *
 * The classic blocked scheme: C is computed in blocks of NC columns and
 * KC depth; for each block a KC x NC panel of B is packed into
 * `packed_b` as NR-wide column strips, then blocks of MC rows of A are
 * packed into `packed_a` as MR-high row strips, and a register-blocked
 * MR x NR micro-kernel multiplies one strip of each.  Packing turns any
 * operand strides (transposed, im2col, broadcast) into unit-stride
 * streams, and zero-fills the ragged edges so the micro-kernel always runs
 * full tiles with constant trip counts, which the compiler vectorises.
 *
 * The packing buffers are static (the runtime allocates nothing): this
 * kernel is not reentrant, which the single-threaded generated code never
 * needs.  They take (MC + NC) * KC floats = 1.1 MiB.
 */
#include <string.h>

#include "sinter_rt.h"

#define MR 4     /* rows of a micro-tile: micro_kernel is written for 4 */
#define NR 16    /* columns of a micro-tile: a multiple of every SIMD width */
#define KC 256   /* depth of a packed block: an A strip stays in L1 */
#define MC 128   /* rows of a packed A block (multiple of MR): fits in L2 */
#define NC 1024  /* columns of a packed B panel (multiple of NR) */

/* Products smaller than this many multiply-adds skip packing. */
#define SMALL_GEMM 8192

static float packed_a[MC * KC];
static float packed_b[KC * NC];

/* The strided operand view shared by the helpers. */
typedef struct {
    const float *p;
    ptrdiff_t rs, cs;   /* row and column stride */
} mat_view;

static float at(const mat_view *v, size_t r, size_t c)
{
    return v->p[(ptrdiff_t)r * v->rs + (ptrdiff_t)c * v->cs];
}

/*
 * Packs rows [i0, i0+mc) x depth [p0, p0+kc) of A as strips of MR rows:
 * strip s holds, for each p, the MR values A[i0+s*MR+0..MR-1][p0+p];
 * rows past mc are zero.
 */
static void pack_a(const mat_view *a, size_t i0, size_t mc, size_t p0, size_t kc)
{
    size_t s, p, r;
    for (s = 0; s < mc; s += MR) {
        float *dst = packed_a + s * kc;
        size_t rows = mc - s < MR ? mc - s : MR;
        for (p = 0; p < kc; p++) {
            for (r = 0; r < rows; r++)
                dst[p * MR + r] = at(a, i0 + s + r, p0 + p);
            for (; r < MR; r++)
                dst[p * MR + r] = 0.0f;
        }
    }
}

/*
 * Packs depth [p0, p0+kc) x columns [j0, j0+nc) of B as strips of NR
 * columns: strip s holds, for each p, B[p0+p][j0+s*NR+0..NR-1]; columns
 * past nc are zero.
 */
static void pack_b(const mat_view *b, size_t p0, size_t kc, size_t j0, size_t nc)
{
    size_t s, p, c;
    for (s = 0; s < nc; s += NR) {
        float *dst = packed_b + s * kc;
        size_t cols = nc - s < NR ? nc - s : NR;
        for (p = 0; p < kc; p++) {
            float *restrict row = dst + p * NR;
            if (b->cs == 1 && cols == NR) {
                /* A whole strip row from a row-contiguous B: constant length. */
                const float *restrict src = b->p + (ptrdiff_t)(p0 + p) * b->rs + (ptrdiff_t)(j0 + s);
                for (c = 0; c < NR; c++)
                    row[c] = src[c];
                continue;
            }
            for (c = 0; c < cols; c++)
                row[c] = at(b, p0 + p, j0 + s + c);
            for (; c < NR; c++)
                row[c] = 0.0f;
        }
    }
}

/*
 * The micro-kernel: acc = sum over p < kc of the outer product of A strip
 * column p and B strip row p.  The MR (= 4) accumulator rows are separate
 * arrays with constant length NR so that the j loop vectorises and the
 * rows stay in registers (gcc and clang both manage it at -O2; one 2-D
 * array defeats gcc -O3).
 */
static void micro_kernel(size_t kc, const float *restrict ap, const float *restrict bp,
                         float acc[MR][NR])
{
    float c0[NR] = {0}, c1[NR] = {0}, c2[NR] = {0}, c3[NR] = {0};
    size_t p, j;
    for (p = 0; p < kc; p++) {
        const float *b = bp + p * NR;
        float a0 = ap[p * MR], a1 = ap[p * MR + 1], a2 = ap[p * MR + 2], a3 = ap[p * MR + 3];
        for (j = 0; j < NR; j++) {
            c0[j] += a0 * b[j];
            c1[j] += a1 * b[j];
            c2[j] += a2 * b[j];
            c3[j] += a3 * b[j];
        }
    }
    memcpy(acc[0], c0, sizeof c0);
    memcpy(acc[1], c1, sizeof c1);
    memcpy(acc[2], c2, sizeof c2);
    memcpy(acc[3], c3, sizeof c3);
}

/* Writes rows x cols of a finished tile into C: c = alpha * acc (+ c).
 * Full tiles take constant-length loops, which vectorise. */
static void store_tile(float acc[MR][NR], size_t rows, size_t cols, float alpha,
                       float *c, size_t ldc, int accumulate)
{
    size_t i, j;
    for (i = 0; i < rows; i++) {
        float *restrict crow = c + i * ldc;
        const float *restrict t = acc[i];
        if (cols == NR && accumulate) {
            for (j = 0; j < NR; j++)
                crow[j] += alpha * t[j];
        } else if (cols == NR) {
            for (j = 0; j < NR; j++)
                crow[j] = alpha * t[j];
        } else {
            for (j = 0; j < cols; j++)
                crow[j] = accumulate ? crow[j] + alpha * t[j] : alpha * t[j];
        }
    }
}

/* Multiplies the packed blocks (mc x kc) * (kc x nc) into the block of C
 * at c. */
static void multiply_packed(size_t mc, size_t nc, size_t kc, float alpha,
                            float *c, size_t ldc, int accumulate)
{
    float acc[MR][NR];
    size_t jr, ir;
    for (jr = 0; jr < nc; jr += NR) {
        size_t cols = nc - jr < NR ? nc - jr : NR;
        for (ir = 0; ir < mc; ir += MR) {
            size_t rows = mc - ir < MR ? mc - ir : MR;
            micro_kernel(kc, packed_a + ir * kc, packed_b + jr * kc, acc);
            store_tile(acc, rows, cols, alpha, c + ir * ldc + jr, ldc, accumulate);
        }
    }
}

/* Straight loops for products too small (or too thin) to repay packing;
 * the inner loop runs along a row of C and of B. */
static void sgemm_small(size_t m, size_t n, size_t k, float alpha,
                        const mat_view *a, const mat_view *b,
                        float *c, size_t ldc, int accumulate)
{
    size_t i, j, p;
    for (i = 0; i < m; i++) {
        float *crow = c + i * ldc;
        if (!accumulate)
            for (j = 0; j < n; j++)
                crow[j] = 0.0f;
        for (p = 0; p < k; p++) {
            float av = alpha * at(a, i, p);
            const float *brow = b->p + (ptrdiff_t)p * b->rs;
            for (j = 0; j < n; j++)
                crow[j] += av * brow[(ptrdiff_t)j * b->cs];
        }
    }
}

void snt_sgemm(size_t m, size_t n, size_t k, float alpha,
               const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
               const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
               float *c, size_t ldc, int accumulate)
{
    mat_view av, bv;
    size_t jc, pc, ic;

    if (m == 0 || n == 0)
        return;
    av.p = a; av.rs = a_rs; av.cs = a_cs;
    bv.p = b; bv.rs = b_rs; bv.cs = b_cs;
    if (m < MR || k == 0 || (double)m * n * k <= SMALL_GEMM) {
        sgemm_small(m, n, k, alpha, &av, &bv, c, ldc, accumulate);
        return;
    }
    for (jc = 0; jc < n; jc += NC) {
        size_t nc = n - jc < NC ? n - jc : NC;
        for (pc = 0; pc < k; pc += KC) {
            size_t kc = k - pc < KC ? k - pc : KC;
            /* Only the first depth block may overwrite C. */
            int acc_here = accumulate || pc > 0;
            pack_b(&bv, pc, kc, jc, nc);
            for (ic = 0; ic < m; ic += MC) {
                size_t mc = m - ic < MC ? m - ic : MC;
                pack_a(&av, ic, mc, pc, kc);
                multiply_packed(mc, nc, kc, alpha, c + ic * ldc + jc, ldc, acc_here);
            }
        }
    }
}
