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
 * full tiles with constant trip counts.
 *
 * The micro-kernel holds its tile in 2 x MR SIMD registers.  gcc and clang
 * spill a plain float array of that size to the stack on every step, so
 * for them it is written with their vector extension, a vector of VL
 * floats as wide as the target's SIMD (-march decides: 16 with AVX-512, 8
 * with AVX, 4 otherwise); other compilers get the same loops on a plain
 * array.
 *
 * An optional epilogue (internal.h) is applied to each block of C right
 * after its last depth block, while the block is still in cache.
 *
 * The packed blocks live in the caller's scratch (the runtime allocates
 * nothing and keeps no state, so products may run at the same time, each
 * with scratch of its own).  Blocking bounds it: at most (MC + NC) * KC
 * floats = 1.1 MiB, whatever the operands' size, and less for small ones
 * (snt_sgemm_scratch_floats).
 */
#include <string.h>

#include "internal.h"

#if defined(__GNUC__)
#  if defined(__AVX512F__)
#    define VL 16
#  elif defined(__AVX__)
#    define VL 8
#  else
#    define VL 4
#  endif
typedef float vfloat __attribute__((vector_size(VL * sizeof(float))));
#  define ALIGNED __attribute__((aligned(64)))
#else
#  define VL 4
#  define ALIGNED
#endif

#define MR 6          /* rows of a micro-tile: 2 x MR accumulators fit in 16 registers */
#define NR (2 * VL)   /* columns of a micro-tile: two vectors */
#define KC 256        /* depth of a packed block: a B strip stays in L1 */
#define MC 144        /* rows of a packed A block (multiple of MR): fits in L2 */
#define NC 1024       /* columns of a packed B panel (multiple of NR) */

/* Products smaller than this many multiply-adds skip packing. */
#define SMALL_GEMM 8192

/* The widest NR of any build (AVX-512's 32).  The scratch size must not
 * depend on the flags this file was built with: the compiler computes it
 * with its own copy of the runtime, for code that may link another. */
#define NR_MAX 32

/* The packed blocks, both in the caller's scratch. */
typedef struct {
    float *a;   /* MR-high row strips of a block of A: at most MC x KC */
    float *b;   /* NR-wide column strips of a panel of B: at most KC x NC */
} packed_blocks;

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
static void pack_a(const mat_view *a, size_t i0, size_t mc, size_t p0, size_t kc,
                   float *packed_a)
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
static void pack_b(const mat_view *b, size_t p0, size_t kc, size_t j0, size_t nc,
                   float *packed_b)
{
    size_t s, p, c;
    for (s = 0; s < nc; s += NR) {
        float *dst = packed_b + s * kc;
        size_t cols = nc - s < NR ? nc - s : NR;
        for (p = 0; p < kc; p++) {
            float *row = dst + p * NR;
            if (b->cs == 1 && cols == NR) {
                /* A whole strip row from a row-contiguous B: one block copy. */
                memcpy(row, b->p + (ptrdiff_t)(p0 + p) * b->rs + (ptrdiff_t)(j0 + s),
                       NR * sizeof(float));
                continue;
            }
            for (c = 0; c < cols; c++)
                row[c] = at(b, p0 + p, j0 + s + c);
            for (; c < NR; c++)
                row[c] = 0.0f;
        }
    }
}

/* The micro-kernel: tile = sum over p < kc of the outer product of A
 * strip column p and B strip row p. */
#if defined(__GNUC__)
static void micro_kernel(size_t kc, const float *restrict ap, const float *restrict bp,
                         float tile[MR][NR])
{
    vfloat acc[MR][2];
    size_t p, i;
    for (i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = (vfloat){0};
    for (p = 0; p < kc; p++) {
        vfloat b0, b1;
        memcpy(&b0, bp + p * NR, sizeof b0);
        memcpy(&b1, bp + p * NR + VL, sizeof b1);
        for (i = 0; i < MR; i++) {
            const float a = ap[p * MR + i];
            acc[i][0] += a * b0;
            acc[i][1] += a * b1;
        }
    }
    memcpy(tile, acc, sizeof acc);
}
#else
static void micro_kernel(size_t kc, const float *restrict ap, const float *restrict bp,
                         float tile[MR][NR])
{
    float acc[MR][NR] = {{0}};
    size_t p, i, j;
    for (p = 0; p < kc; p++)
        for (i = 0; i < MR; i++)
            for (j = 0; j < NR; j++)
                acc[i][j] += ap[p * MR + i] * bp[p * NR + j];
    memcpy(tile, acc, sizeof acc);
}
#endif

/* Writes rows x cols of a finished tile into C: c = alpha * tile (+ c).
 * Full tiles take constant-length loops, which vectorise. */
static void store_tile(float tile[MR][NR], size_t rows, size_t cols, float alpha,
                       float *c, size_t ldc, int accumulate)
{
    size_t i, j;
    for (i = 0; i < rows; i++) {
        float *restrict crow = c + i * ldc;
        const float *restrict t = tile[i];
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
static void multiply_packed(const packed_blocks *pk, size_t mc, size_t nc, size_t kc,
                            float alpha, float *c, size_t ldc, int accumulate)
{
    float tile[MR][NR] ALIGNED;
    size_t jr, ir;
    for (jr = 0; jr < nc; jr += NR) {
        size_t cols = nc - jr < NR ? nc - jr : NR;
        for (ir = 0; ir < mc; ir += MR) {
            size_t rows = mc - ir < MR ? mc - ir : MR;
            micro_kernel(kc, pk->a + ir * kc, pk->b + jr * kc, tile);
            store_tile(tile, rows, cols, alpha, c + ir * ldc + jr, ldc, accumulate);
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

/* Applies ep (if any) to rows [i0, i0+rows) x columns [j0, j0+cols) of C. */
static void epilogue_block(const snt__epilogue *ep, size_t i0, size_t rows, size_t j0,
                           size_t cols, float *c, size_t ldc)
{
    size_t i;
    if (ep == NULL)
        return;
    for (i = i0; i < i0 + rows; i++)
        snt__epilogue_row(ep, i, j0, c + i * ldc + j0, cols);
}

static size_t round_up(size_t x, size_t multiple)
{
    return (x + multiple - 1) / multiple * multiple;
}

/* Whether the product is large enough to go through packed blocks. */
static int packs(size_t m, size_t n, size_t k)
{
    return m >= MR && k > 0 && (double)m * n * k > SMALL_GEMM;
}

/* Floats of the packed A block, rounded to whole 64-byte lines so that
 * the B panel after it starts aligned. */
static size_t packed_a_floats(size_t m, size_t k)
{
    return snt__whole_lines(round_up(snt__min_size(m, MC), MR) * snt__min_size(k, KC));
}

size_t snt_sgemm_scratch_floats(size_t m, size_t n, size_t k)
{
    if (n == 0 || !packs(m, n, k))
        return 0;
    return packed_a_floats(m, k) + round_up(snt__min_size(n, NC), NR_MAX) * snt__min_size(k, KC);
}

/* The blocked product of a packing-size problem, in scratch. */
static void sgemm_packed(size_t m, size_t n, size_t k, float alpha, const mat_view *av,
                         const mat_view *bv, float *c, size_t ldc, int accumulate,
                         const snt__epilogue *ep, float *scratch)
{
    packed_blocks pk;
    size_t jc, pc, ic;
    pk.a = scratch;
    pk.b = scratch + packed_a_floats(m, k);
    for (jc = 0; jc < n; jc += NC) {
        size_t nc = n - jc < NC ? n - jc : NC;
        for (pc = 0; pc < k; pc += KC) {
            size_t kc = k - pc < KC ? k - pc : KC;
            /* Only the first depth block may overwrite C. */
            int acc_here = accumulate || pc > 0, last = pc + kc == k;
            pack_b(bv, pc, kc, jc, nc, pk.b);
            for (ic = 0; ic < m; ic += MC) {
                size_t mc = m - ic < MC ? m - ic : MC;
                pack_a(av, ic, mc, pc, kc, pk.a);
                multiply_packed(&pk, mc, nc, kc, alpha, c + ic * ldc + jc, ldc, acc_here);
                if (last)
                    epilogue_block(ep, ic, mc, jc, nc, c, ldc);
            }
        }
    }
}

void snt__sgemm_ep(size_t m, size_t n, size_t k, float alpha,
                   const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                   const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                   float *c, size_t ldc, int accumulate, const snt__epilogue *ep,
                   float *scratch)
{
    mat_view av, bv;

    if (m == 0 || n == 0)
        return;
    av.p = a; av.rs = a_rs; av.cs = a_cs;
    bv.p = b; bv.rs = b_rs; bv.cs = b_cs;
    if (!packs(m, n, k)) {
        sgemm_small(m, n, k, alpha, &av, &bv, c, ldc, accumulate);
        epilogue_block(ep, 0, m, 0, n, c, ldc);
        return;
    }
    sgemm_packed(m, n, k, alpha, &av, &bv, c, ldc, accumulate, ep, scratch);
}

void snt_sgemm(size_t m, size_t n, size_t k, float alpha,
               const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
               const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
               float *c, size_t ldc, int accumulate, float *scratch)
{
    snt__sgemm_ep(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc, accumulate, NULL,
                  scratch);
}

/*
 * Split over threads by rows of C, in whole MR-row strips: each part
 * packs the B panels again (k x n floats, against its rows x n x k
 * multiply-adds) and its own rows of A, in its scratch slot, and runs
 * the packed path even where its rows alone would be a small product,
 * so that every element is computed by the same micro-kernel tile, in
 * the same order, as in one thread.
 */
typedef struct {
    size_t m, n, k;
    float alpha;
    mat_view a, b;
    float *c;
    size_t ldc;
    int accumulate;
    float *scratch;
} sgemm_work;

static void sgemm_rows_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const sgemm_work *w = arg;
    mat_view a = w->a;
    a.p += (ptrdiff_t)begin * a.rs;
    sgemm_packed(end - begin, w->n, w->k, w->alpha, &a, &w->b, w->c + begin * w->ldc, w->ldc,
                 w->accumulate, NULL,
                 snt__slot(w->scratch, slot, snt_sgemm_scratch_floats(w->m, w->n, w->k)));
}

void snt_sgemm_mt(const snt_parallel *par, size_t m, size_t n, size_t k, float alpha,
                  const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                  const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                  float *c, size_t ldc, int accumulate, float *scratch)
{
    sgemm_work w;
    if (m == 0 || n == 0 || !packs(m, n, k)) {
        snt_sgemm(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc, accumulate, scratch);
        return;
    }
    w.m = m; w.n = n; w.k = k; w.alpha = alpha;
    w.a.p = a; w.a.rs = a_rs; w.a.cs = a_cs;
    w.b.p = b; w.b.rs = b_rs; w.b.cs = b_cs;
    w.c = c; w.ldc = ldc; w.accumulate = accumulate; w.scratch = scratch;
    snt__parallel_ranges(par, m, MR, sgemm_rows_part, &w);
}
