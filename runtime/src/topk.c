/*
 * topk.c - TopK along one axis, for every numeric dtype.
 *
 * Each line keeps its best k indices in order, in the indices output
 * itself (no scratch): an element enters by insertion when it beats the
 * last kept one.  "Beats" is strict, so of equal values the one seen
 * first, the lower index, stays ahead, as ONNX asks.
 */
#include <string.h>

#include "internal.h"

/* x[i] > x[j] for one element type, NaN above every number. */
#define GREATER(T) \
    { \
        T u = ((const T *)x)[i], v = ((const T *)x)[j]; \
        if (u != u) \
            return v == v; \
        return v == v && u > v; \
    }

static int greater(int dtype, const void *x, size_t i, size_t j)
{
    switch (dtype) {
    case SNT_DT_FLOAT: GREATER(float)
    case SNT_DT_DOUBLE: GREATER(double)
    case SNT_DT_INT8: GREATER(int8_t)
    case SNT_DT_INT16: GREATER(int16_t)
    case SNT_DT_INT32: GREATER(int32_t)
    case SNT_DT_INT64: GREATER(int64_t)
    case SNT_DT_UINT8: GREATER(uint8_t)
    case SNT_DT_UINT16: GREATER(uint16_t)
    case SNT_DT_UINT32: GREATER(uint32_t)
    case SNT_DT_UINT64: GREATER(uint64_t)
    }
    return 0;
}

static size_t elem_size(int dtype)
{
    switch (dtype) {
    case SNT_DT_INT8: case SNT_DT_UINT8: return 1;
    case SNT_DT_INT16: case SNT_DT_UINT16: return 2;
    case SNT_DT_FLOAT: case SNT_DT_INT32: case SNT_DT_UINT32: return 4;
    case SNT_DT_DOUBLE: case SNT_DT_INT64: case SNT_DT_UINT64: return 8;
    }
    return 0;
}

/* Whether element i ranks strictly before element j. */
static int beats(int dtype, int largest, const void *x, size_t i, size_t j)
{
    return largest ? greater(dtype, x, i, j) : greater(dtype, x, j, i);
}

/* The best k indices of the line starting at element `base` with stride
 * `inner`, into idx[0], idx[inner], ... (offsets within the line). */
static void topk_line(int dtype, int largest, const void *x, size_t base, size_t len,
                      size_t inner, size_t k, int64_t *idx)
{
    size_t kept = 0, e;
    for (e = 0; e < len; e++) {
        size_t pos = kept < k ? kept : k - 1;
        if (kept == k && !beats(dtype, largest, x, base + e * inner,
                                base + (size_t)idx[pos * inner] * inner))
            continue;
        while (pos > 0 && beats(dtype, largest, x, base + e * inner,
                                base + (size_t)idx[(pos - 1) * inner] * inner)) {
            idx[pos * inner] = idx[(pos - 1) * inner];
            pos--;
        }
        idx[pos * inner] = (int64_t)e;
        if (kept < k)
            kept++;
    }
}

int snt_topk(int dtype, size_t outer, size_t len, size_t inner, size_t k, int largest,
             const void *x, void *values, int64_t *indices)
{
    size_t size = elem_size(dtype), o, i, j;
    if (size == 0 || k > len)
        return 0;
    if (k == 0)
        return 1;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            size_t base = o * len * inner + i, out = o * k * inner + i;
            topk_line(dtype, largest, x, base, len, inner, k, indices + out);
            for (j = 0; j < k; j++) {
                size_t from = base + (size_t)indices[out + j * inner] * inner;
                memcpy((char *)values + (out + j * inner) * size,
                       (const char *)x + from * size, size);
            }
        }
    return 1;
}
