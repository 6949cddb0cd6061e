/*
 * gather.c - ONNX Gather along one axis, for int64 and int32 indices.
 */
#include <string.h>

#include "sinter_rt.h"

/* Resolves a possibly negative index into [0, axis_len); out-of-range
 * values (undefined in ONNX) are clamped so the kernel never reads
 * outside x. */
static size_t resolve_index(int64_t i, size_t axis_len)
{
    if (i < 0)
        i += (int64_t)axis_len;
    if (i < 0)
        return 0;
    if ((uint64_t)i >= axis_len)
        return axis_len - 1;
    return (size_t)i;
}

/* y[o][j][:] = x[o][index j][:], each slice one memcpy of inner elements. */
static void gather(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                   const void *x, const int64_t *idx64, const int32_t *idx32,
                   size_t n_idx, void *y)
{
    const size_t slice = inner * elem_size;
    const char *src = x;
    char *dst = y;
    size_t o, j;
    if (axis_len == 0 || slice == 0)
        return;
    for (o = 0; o < outer; o++, src += axis_len * slice) {
        for (j = 0; j < n_idx; j++, dst += slice) {
            int64_t i = idx64 != NULL ? idx64[j] : (int64_t)idx32[j];
            memcpy(dst, src + resolve_index(i, axis_len) * slice, slice);
        }
    }
}

void snt_gather_i64(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int64_t *idx, size_t n_idx, void *y)
{
    gather(outer, axis_len, inner, elem_size, x, idx, NULL, n_idx, y);
}

void snt_gather_i32(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int32_t *idx, size_t n_idx, void *y)
{
    gather(outer, axis_len, inner, elem_size, x, NULL, idx, n_idx, y);
}
