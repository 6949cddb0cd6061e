/*
 * indexing.c - kernels driven by index tensors: GatherElements,
 * ScatterElements, GatherND, ScatterND and OneHot, for any element type.
 *
 * Index tensors come in whatever integer (or, for OneHot, float) dtype
 * the model uses; read_index widens one element at a time so that one
 * kernel serves them all.
 */
#include <string.h>

#include "internal.h"

/* Bytes per element of an ONNX dtype code (0 for types we do not hold). */
static size_t dtype_bytes(int dtype)
{
    switch (dtype) {
    case SNT_DT_UINT8: case SNT_DT_INT8: case SNT_DT_BOOL: return 1;
    case SNT_DT_UINT16: case SNT_DT_INT16: case SNT_DT_FLOAT16: return 2;
    case SNT_DT_FLOAT: case SNT_DT_INT32: case SNT_DT_UINT32: return 4;
    case SNT_DT_INT64: case SNT_DT_UINT64: case SNT_DT_DOUBLE: return 8;
    default: return 0;
    }
}

/* Element i of an index tensor, as int64 (floats truncate). */
static int64_t read_index(int dtype, const void *idx, size_t i)
{
    switch (dtype) {
    case SNT_DT_INT8: return ((const int8_t *)idx)[i];
    case SNT_DT_UINT8: case SNT_DT_BOOL: return ((const uint8_t *)idx)[i];
    case SNT_DT_INT16: return ((const int16_t *)idx)[i];
    case SNT_DT_UINT16: return ((const uint16_t *)idx)[i];
    case SNT_DT_INT32: return ((const int32_t *)idx)[i];
    case SNT_DT_UINT32: return ((const uint32_t *)idx)[i];
    case SNT_DT_UINT64: return (int64_t)((const uint64_t *)idx)[i];
    case SNT_DT_FLOAT: return (int64_t)((const float *)idx)[i];
    case SNT_DT_DOUBLE: return (int64_t)((const double *)idx)[i];
    default: return ((const int64_t *)idx)[i];
    }
}

/* i (negative: counted from the end) as a position in [0, len), or -1
 * when it lies outside. */
static int64_t index_in_range(int64_t i, size_t len)
{
    if (i < 0)
        i += (int64_t)len;
    return i >= 0 && (uint64_t)i < len ? i : -1;
}

/* The same, clamped into [0, len) for the gathers; len > 0. */
static size_t index_clamped(int64_t i, size_t len)
{
    if (i < 0)
        i += (int64_t)len;
    if (i < 0)
        return 0;
    return (uint64_t)i >= len ? len - 1 : (size_t)i;
}

/* *dst = *dst op *src for one element of type T (bytes may be unaligned). */
#define DEFINE_COMBINE(name, T)                                       \
    static void name(snt_scatter_op op, void *dst, const void *src)   \
    {                                                                 \
        T a, b;                                                       \
        memcpy(&a, dst, sizeof a);                                    \
        memcpy(&b, src, sizeof b);                                    \
        switch (op) {                                                 \
        case SNT_SCATTER_ADD: a = (T)(a + b); break;                  \
        case SNT_SCATTER_MUL: a = (T)(a * b); break;                  \
        case SNT_SCATTER_MAX: a = b > a ? b : a; break;               \
        case SNT_SCATTER_MIN: a = b < a ? b : a; break;               \
        default: a = b; break;                                        \
        }                                                             \
        memcpy(dst, &a, sizeof a);                                    \
    }

DEFINE_COMBINE(combine_f32, float)
DEFINE_COMBINE(combine_f64, double)
DEFINE_COMBINE(combine_i8, int8_t)
DEFINE_COMBINE(combine_u8, uint8_t)
DEFINE_COMBINE(combine_i16, int16_t)
DEFINE_COMBINE(combine_u16, uint16_t)
DEFINE_COMBINE(combine_i32, int32_t)
DEFINE_COMBINE(combine_u32, uint32_t)
DEFINE_COMBINE(combine_i64, int64_t)
DEFINE_COMBINE(combine_u64, uint64_t)

/* Writes one update into dst: a plain copy, or the reduction `op`. */
static void combine(int dtype, snt_scatter_op op, void *dst, const void *src, size_t elem_size)
{
    if (op == SNT_SCATTER_NONE) {
        memcpy(dst, src, elem_size);
        return;
    }
    switch (dtype) {
    case SNT_DT_FLOAT: combine_f32(op, dst, src); break;
    case SNT_DT_DOUBLE: combine_f64(op, dst, src); break;
    case SNT_DT_INT8: combine_i8(op, dst, src); break;
    case SNT_DT_UINT8: combine_u8(op, dst, src); break;
    case SNT_DT_INT16: combine_i16(op, dst, src); break;
    case SNT_DT_UINT16: combine_u16(op, dst, src); break;
    case SNT_DT_INT32: combine_i32(op, dst, src); break;
    case SNT_DT_UINT32: combine_u32(op, dst, src); break;
    case SNT_DT_INT64: combine_i64(op, dst, src); break;
    case SNT_DT_UINT64: combine_u64(op, dst, src); break;
    default: memcpy(dst, src, elem_size); break;
    }
}

static size_t product(int rank, const size_t *dims)
{
    size_t n = 1;
    int d;
    for (d = 0; d < rank; d++)
        n *= dims[d];
    return n;
}

/* ---------------------------------------------------------------- */
/* GatherElements and ScatterElements                                 */
/* ---------------------------------------------------------------- */

/* Steps coord through idx_dims (last axis fastest) and keeps *base, the
 * offset in x of coord with the axis coordinate taken as 0, in step.
 * Returns 0 after the last element. */
static int elements_next(const snt_elements_params *p, const size_t *x_strides, size_t *coord,
                         size_t *base)
{
    int d;
    for (d = p->rank - 1; d >= 0; d--) {
        size_t step = d == p->axis ? 0 : x_strides[d];
        if (++coord[d] < p->idx_dims[d]) {
            *base += step;
            return 1;
        }
        coord[d] = 0;
        *base -= (p->idx_dims[d] - 1) * step;
    }
    return 0;
}

static void row_major_strides(int rank, const size_t *dims, size_t *strides)
{
    size_t s = 1;
    int d;
    for (d = rank - 1; d >= 0; d--) {
        strides[d] = s;
        s *= dims[d];
    }
}

void snt_gather_elements(const snt_elements_params *p, size_t elem_size, const void *x,
                         int idx_dtype, const void *idx, void *y)
{
    size_t strides[SNT_MAX_RANK], coord[SNT_MAX_RANK] = {0}, base = 0, i = 0;
    size_t axis_len = p->x_dims[p->axis];
    const char *src = x;
    char *dst = y;
    if (axis_len == 0 || snt__any_zero(p->rank, p->idx_dims))
        return;
    row_major_strides(p->rank, p->x_dims, strides);
    do {
        size_t j = index_clamped(read_index(idx_dtype, idx, i), axis_len);
        memcpy(dst + i * elem_size, src + (base + j * strides[p->axis]) * elem_size, elem_size);
        i++;
    } while (elements_next(p, strides, coord, &base));
}

void snt_scatter_elements(const snt_elements_params *p, int dtype, snt_scatter_op op,
                          const void *x, int idx_dtype, const void *idx, const void *updates,
                          void *y)
{
    size_t strides[SNT_MAX_RANK], coord[SNT_MAX_RANK] = {0}, base = 0, i = 0;
    size_t elem_size = dtype_bytes(dtype), axis_len = p->x_dims[p->axis];
    const char *upd = updates;
    char *dst = y;
    if (y != x)
        memcpy(y, x, product(p->rank, p->x_dims) * elem_size);
    if (axis_len == 0 || snt__any_zero(p->rank, p->idx_dims))
        return;
    row_major_strides(p->rank, p->x_dims, strides);
    do {
        int64_t j = index_in_range(read_index(idx_dtype, idx, i), axis_len);
        if (j >= 0)
            combine(dtype, op, dst + (base + (size_t)j * strides[p->axis]) * elem_size,
                    upd + i * elem_size, elem_size);
        i++;
    } while (elements_next(p, strides, coord, &base));
}

/* ---------------------------------------------------------------- */
/* GatherND and ScatterND                                             */
/* ---------------------------------------------------------------- */

/* The slice (counted within one batch entry) that the k-tuple starting
 * at idx element `first` addresses; -1 if out of range, unless `clamp`. */
static int64_t tuple_slice(const snt_nd_params *p, int idx_dtype, const void *idx, size_t first,
                           int clamp)
{
    int64_t slice = 0;
    int j;
    for (j = 0; j < p->k; j++) {
        int64_t i = read_index(idx_dtype, idx, first + (size_t)j);
        int64_t pos = clamp ? (int64_t)index_clamped(i, p->dims[j]) : index_in_range(i, p->dims[j]);
        if (pos < 0)
            return -1;
        slice = slice * (int64_t)p->dims[j] + pos;
    }
    return slice;
}

void snt_gather_nd(const snt_nd_params *p, size_t elem_size, const void *x, int idx_dtype,
                   const void *idx, void *y)
{
    size_t cells = product(p->k, p->dims), bytes = p->slice * elem_size, b, t;
    const char *src = x;
    char *dst = y;
    if (cells == 0 || bytes == 0)
        return;
    for (b = 0; b < p->batch; b++, src += cells * bytes) {
        for (t = 0; t < p->tuples; t++, dst += bytes) {
            size_t first = (b * p->tuples + t) * (size_t)p->k;
            memcpy(dst, src + (size_t)tuple_slice(p, idx_dtype, idx, first, 1) * bytes, bytes);
        }
    }
}

void snt_scatter_nd(const snt_nd_params *p, int dtype, snt_scatter_op op, const void *x,
                    int idx_dtype, const void *idx, const void *updates, void *y)
{
    size_t elem_size = dtype_bytes(dtype), cells = product(p->k, p->dims), b, t, e;
    const char *upd = updates;
    char *dst = y;
    if (y != x)
        memcpy(y, x, p->batch * cells * p->slice * elem_size);
    for (b = 0; b < p->batch; b++, dst += cells * p->slice * elem_size) {
        for (t = 0; t < p->tuples; t++, upd += p->slice * elem_size) {
            size_t first = (b * p->tuples + t) * (size_t)p->k;
            int64_t s = tuple_slice(p, idx_dtype, idx, first, 0);
            if (s < 0)
                continue;
            for (e = 0; e < p->slice; e++)
                combine(dtype, op, dst + ((size_t)s * p->slice + e) * elem_size,
                        upd + e * elem_size, elem_size);
        }
    }
}

/* ---------------------------------------------------------------- */
/* OneHot                                                             */
/* ---------------------------------------------------------------- */

void snt_onehot(size_t outer, size_t depth, size_t inner, int idx_dtype, const void *idx,
                size_t elem_size, const void *values, void *y)
{
    const char *off = values, *on = off + elem_size;
    char *dst = y;
    size_t o, d, i;
    for (o = 0; o < outer; o++)
        for (d = 0; d < depth; d++)
            for (i = 0; i < inner; i++, dst += elem_size) {
                int64_t hot = index_in_range(read_index(idx_dtype, idx, o * inner + i), depth);
                memcpy(dst, hot == (int64_t)d ? on : off, elem_size);
            }
}
