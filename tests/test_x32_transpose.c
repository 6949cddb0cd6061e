/*
 * test_x32_transpose.c - the x32-transpose micro-kernel family and
 * snt_transpose_x32 built on it, every variant this machine runs,
 * against permutations computed here element by element.
 *
 * Elements are distinct 32-bit patterns (their source index), so a copy
 * is right only if every element lands where the permutation puts it;
 * destinations carry guard elements past their ends that must survive.
 * Shapes are ragged around the tiles (1, primes, tile sizes +-1), and
 * the permutations cover the transposing ones (innermost axis moved),
 * the ones that keep the innermost axis (the fallback to
 * snt_strided_copy) and a source read backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_test.h"

#include "sinter_rt.h"
#include "variants.h"

#define SNT_X32_TRANSPOSE(tile, isa, mr, nr) VARIANT_ENTRY(x32_transpose, tile, isa)
static const transpose_variant all_variants[] = {
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof all_variants / sizeof all_variants[0] };

#define GUARD 17
#define GUARD_VALUE 0xDEADBEEFu

/* ------------------------------------------------------------------ */
/* The micro-kernels                                                   */
/* ------------------------------------------------------------------ */

/* One tile read from rows src_ld apart and written to rows dst_ld apart,
 * both wider than the tile: returns the number of wrong elements,
 * counting any write outside the tile's mr x nr corner. */
static int check_tile(const snt_x32_transpose_ukernel *uk, size_t src_ld, size_t dst_ld)
{
    size_t src_n = uk->mr * src_ld, dst_n = uk->nr * dst_ld, r, c, i;
    uint32_t *src = malloc(src_n * sizeof *src), *dst = malloc(dst_n * sizeof *dst);
    int wrong = 0;
    for (i = 0; i < src_n; i++)
        src[i] = (uint32_t)i * 2654435761u;
    for (i = 0; i < dst_n; i++)
        dst[i] = GUARD_VALUE;
    uk->run(src, (ptrdiff_t)src_ld, dst, (ptrdiff_t)dst_ld);
    for (c = 0; c < uk->nr; c++)
        for (r = 0; r < dst_ld; r++) {
            uint32_t want = r < uk->mr ? src[r * src_ld + c] : GUARD_VALUE;
            wrong += dst[c * dst_ld + r] != want;
        }
    free(src);
    free(dst);
    return wrong;
}

static void test_ukernels(void)
{
    static const size_t lds[][2] = {{0, 0}, {1, 3}, {5, 0}, {64, 33}};
    for (int v = 0; v < N_VARIANTS; v++) {
        const snt_x32_transpose_ukernel *uk = all_variants[v].uk;
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t i = 0; i < sizeof lds / sizeof lds[0]; i++)
            CU_ASSERT_EQUAL(check_tile(uk, uk->nr + lds[i][0], uk->mr + lds[i][1]), 0);
    }
}

/* ------------------------------------------------------------------ */
/* snt_transpose_x32                                                   */
/* ------------------------------------------------------------------ */

/* A Transpose of an input shaped in[0..rank) by perm, as the compiler
 * passes it: the output walked densely, the input read through permuted
 * strides. */
static snt_strided transpose_params(int rank, const size_t *in, const int *perm)
{
    snt_strided p;
    ptrdiff_t in_strides[SNT_MAX_RANK], out_stride = 1;
    int d;
    memset(&p, 0, sizeof p);
    p.rank = rank;
    for (d = rank - 1; d >= 0; d--)
        in_strides[d] = d == rank - 1 ? 1 : in_strides[d + 1] * (ptrdiff_t)in[d + 1];
    for (d = rank - 1; d >= 0; d--) {
        p.dims[d] = in[perm[d]];
        p.src_strides[d] = in_strides[perm[d]];
        p.dst_strides[d] = out_stride;
        out_stride *= (ptrdiff_t)p.dims[d];
    }
    return p;
}

static size_t numel(const snt_strided *p)
{
    size_t n = 1;
    for (int d = 0; d < p->rank; d++)
        n *= p->dims[d];
    return n;
}

/* What p copies, one element at a time: output element o (dense,
 * row-major over p's dims) comes from src at base + sum idx[d]*strides. */
static void reference_copy(const snt_strided *p, const uint32_t *src, uint32_t *want)
{
    size_t total = numel(p);
    for (size_t o = 0; o < total; o++) {
        size_t rest = o;
        ptrdiff_t s = 0;
        for (int d = p->rank - 1; d >= 0; d--) {
            s += (ptrdiff_t)(rest % p->dims[d]) * p->src_strides[d];
            rest /= p->dims[d];
        }
        want[o] = src[s];
    }
}

/* snt_transpose_x32 of p on uk from src + base: returns the number of
 * wrong elements, guards past the output's end included. */
static int check_copy(const snt_x32_transpose_ukernel *uk, const snt_strided *p,
                      const uint32_t *src, ptrdiff_t base)
{
    size_t total = numel(p), i;
    uint32_t *got = malloc((total + GUARD) * sizeof *got), *want = malloc((total + 1) * sizeof *want);
    int wrong = 0;
    for (i = 0; i < total + GUARD; i++)
        got[i] = GUARD_VALUE;
    reference_copy(p, src + base, want);
    snt_transpose_x32(p, uk, src + base, got);
    for (i = 0; i < total; i++)
        wrong += got[i] != want[i];
    for (i = total; i < total + GUARD; i++)
        wrong += got[i] != GUARD_VALUE;
    free(got);
    free(want);
    return wrong;
}

/* A source of n distinct elements. */
static uint32_t *source(size_t n)
{
    uint32_t *src = malloc((n ? n : 1) * sizeof *src);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint32_t)i + 1000000u;
    return src;
}

/* Every permutation of rank 2 and 3 inputs, and UNeXt's token layouts at
 * rank 4, on shapes ragged around every variant's tiles. */
static void test_permutations(void)
{
    static const size_t shapes[][4] = {
        {1, 1, 1, 1}, {1, 7, 1, 13}, {3, 16, 17, 1}, {2, 15, 33, 1},
        {1, 64, 48, 1}, {5, 1, 31, 9}, {1, 133, 16, 1}, {2, 3, 4, 5},
    };
    static const int perms3[][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const int perms4[][4] = {{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}, {1, 0, 3, 2}};
    for (int v = 0; v < N_VARIANTS; v++) {
        const snt_x32_transpose_ukernel *uk = all_variants[v].uk;
        if (!variant_runs(all_variants[v].name))
            continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            const size_t *in = shapes[s];
            uint32_t *src = source(in[0] * in[1] * in[2] * in[3]);
            snt_strided p;
            for (size_t k = 0; k < 6; k++) {
                p = transpose_params(3, in + 1, perms3[k]);
                CU_ASSERT_EQUAL(check_copy(uk, &p, src, 0), 0);
            }
            for (size_t k = 0; k < 4; k++) {
                p = transpose_params(4, in, perms4[k]);
                CU_ASSERT_EQUAL(check_copy(uk, &p, src, 0), 0);
            }
            p = transpose_params(2, in + 2, perms3[5] + 1);
            CU_ASSERT_EQUAL(check_copy(uk, &p, src, 0), 0);
            free(src);
        }
    }
}

/* A transposition that reads its source rows backwards (as a Slice with
 * a negative step would), and one copy of a single element. */
static void test_odd_strides(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        const snt_x32_transpose_ukernel *uk = all_variants[v].uk;
        uint32_t *src = source(37 * 41);
        snt_strided p = {.rank = 2, .dims = {41, 37}, .src_strides = {1, -41},
                         .dst_strides = {37, 1}};
        snt_strided one = {.rank = 1, .dims = {1}, .src_strides = {1}, .dst_strides = {1}};
        if (!variant_runs(all_variants[v].name)) {
            free(src);
            continue;
        }
        CU_ASSERT_EQUAL(check_copy(uk, &p, src, 36 * 41), 0);
        CU_ASSERT_EQUAL(check_copy(uk, &one, src, 5), 0);
        free(src);
    }
}

/* Every variant of the list is in this runtime when its ISA runs here,
 * and the scalar reference always is. */
static void test_variant_list(void)
{
    CHECK_VARIANT_TABLE(all_variants, N_VARIANTS);
}

int main(void)
{
    static const kernel_test tests[] = {
        {"variant list", test_variant_list},
        {"micro-kernel tiles", test_ukernels},
        {"permutations", test_permutations},
        {"odd strides", test_odd_strides},
    };
    PRINT_VARIANTS(all_variants, N_VARIANTS);
    return run_kernel_tests("x32_transpose", tests, sizeof tests / sizeof tests[0]);
}
