/*
 * strided_copy.c - the one data-movement kernel behind Transpose, Slice,
 * Concat, Split and Expand.
 *
 * The iteration space is simplified first (unit axes dropped, axes that
 * both sides walk as one merged), so a contiguous slab becomes one
 * memcpy per row and a transposition keeps only its real axes.
 */
#include <string.h>

#include "internal.h"

/* Copies one row of n elements of `size` bytes between strided places. */
static void copy_row(size_t n, size_t size, const char *src, ptrdiff_t ss,
                     char *dst, ptrdiff_t ds)
{
    size_t i;
    if (ss == 1 && ds == 1) {
        memcpy(dst, src, n * size);
        return;
    }
    /* A constant size lets each memcpy become a single load and store. */
#define COPY_ELEMENTS(SIZE) \
    for (i = 0; i < n; i++) \
        memcpy(dst + (ptrdiff_t)i * ds * (ptrdiff_t)(SIZE), \
               src + (ptrdiff_t)i * ss * (ptrdiff_t)(SIZE), (SIZE))
    switch (size) {
    case 1:  COPY_ELEMENTS(1); break;
    case 2:  COPY_ELEMENTS(2); break;
    case 4:  COPY_ELEMENTS(4); break;
    case 8:  COPY_ELEMENTS(8); break;
    default: COPY_ELEMENTS(size); break;
    }
#undef COPY_ELEMENTS
}

void snt_strided_copy(const snt_strided *p, size_t elem_size, const void *src, void *dst)
{
    size_t dims[SNT_MAX_RANK], idx[SNT_MAX_RANK] = {0};
    ptrdiff_t ss[SNT_MAX_RANK], ds[SNT_MAX_RANK], so = 0, dof = 0;
    const ptrdiff_t size = (ptrdiff_t)elem_size;
    int rank;

    if (!snt__strided_collapsed(p, &rank, dims, ss, ds))
        return;
    do {
        copy_row(dims[rank - 1], elem_size, (const char *)src + so * size, ss[rank - 1],
                 (char *)dst + dof * size, ds[rank - 1]);
    } while (snt__odo_next(rank - 1, dims, idx, ss, &so, ds, &dof));
}
