/*
 * dtype.c - element types: names, sizes, C spellings and conversions.
 */
#include "ir/ir.h"
#include "sinter_rt.h"

#include <math.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *ctype;
    size_t size;
} DTypeInfo;

/* Indexed by ONNX TensorProto.DataType; strings have no C type here and
 * are rejected by the frontend.  C99 has no 16-bit float, so float16 and
 * bfloat16 elements are uint16_t bit patterns (converted by the
 * runtime's half.c) in the compiler and generated code alike. */
static const DTypeInfo dtypes[] = {
    [DT_FLOAT] = {"float32", "float", 4},
    [DT_UINT8] = {"uint8", "uint8_t", 1},
    [DT_INT8] = {"int8", "int8_t", 1},
    [DT_UINT16] = {"uint16", "uint16_t", 2},
    [DT_INT16] = {"int16", "int16_t", 2},
    [DT_INT32] = {"int32", "int32_t", 4},
    [DT_INT64] = {"int64", "int64_t", 8},
    [DT_STRING] = {"string", NULL, 0},
    [DT_BOOL] = {"bool", "uint8_t", 1},
    [DT_FLOAT16] = {"float16", "uint16_t", 2},
    [DT_DOUBLE] = {"float64", "double", 8},
    [DT_UINT32] = {"uint32", "uint32_t", 4},
    [DT_UINT64] = {"uint64", "uint64_t", 8},
    [DT_BFLOAT16] = {"bfloat16", "uint16_t", 2},
};

static const DTypeInfo *info(DType t)
{
    if ((int)t <= 0 || (size_t)t >= sizeof dtypes / sizeof dtypes[0])
        return NULL;
    return &dtypes[t];
}

const char *dtype_name(DType t)
{
    const DTypeInfo *i = info(t);
    return i ? i->name : NULL;
}

size_t dtype_size(DType t)
{
    const DTypeInfo *i = info(t);
    return i ? i->size : 0;
}

const char *dtype_ctype(DType t)
{
    const DTypeInfo *i = info(t);
    return i ? i->ctype : NULL;
}

bool dtype_is_float(DType t)
{
    return t == DT_FLOAT || t == DT_DOUBLE || t == DT_FLOAT16 || t == DT_BFLOAT16;
}

bool dtype_is_int(DType t)
{
    switch (t) {
    case DT_UINT8: case DT_INT8: case DT_UINT16: case DT_INT16:
    case DT_INT32: case DT_INT64: case DT_UINT32: case DT_UINT64:
        return true;
    default:
        return false;
    }
}

double dtype_get_f64(DType t, const void *data, size_t i)
{
    switch (t) {
    case DT_FLOAT: return ((const float *)data)[i];
    case DT_DOUBLE: return ((const double *)data)[i];
    case DT_FLOAT16: return snt_half_to_float(((const uint16_t *)data)[i]);
    case DT_BFLOAT16: return snt_bfloat16_to_float(((const uint16_t *)data)[i]);
    case DT_UINT64: return (double)((const uint64_t *)data)[i];
    default: return (double)dtype_get_i64(t, data, i);
    }
}

int64_t dtype_get_i64(DType t, const void *data, size_t i)
{
    switch (t) {
    case DT_UINT8: case DT_BOOL: return ((const uint8_t *)data)[i];
    case DT_INT8: return ((const int8_t *)data)[i];
    case DT_UINT16: return ((const uint16_t *)data)[i];
    case DT_INT16: return ((const int16_t *)data)[i];
    case DT_INT32: return ((const int32_t *)data)[i];
    case DT_INT64: return ((const int64_t *)data)[i];
    case DT_UINT32: return ((const uint32_t *)data)[i];
    case DT_UINT64: return (int64_t)((const uint64_t *)data)[i];
    case DT_FLOAT: case DT_DOUBLE: case DT_FLOAT16: case DT_BFLOAT16: {
        double v = dtype_get_f64(t, data, i);
        if (isnan(v))
            return 0;
        if (v >= 9.2233720368547758e18)
            return INT64_MAX;
        if (v <= -9.2233720368547758e18)
            return INT64_MIN;
        return (int64_t)v;
    }
    default: return 0;
    }
}

void dtype_set_f64(DType t, void *data, size_t i, double v)
{
    switch (t) {
    case DT_FLOAT: ((float *)data)[i] = (float)v; break;
    case DT_DOUBLE: ((double *)data)[i] = v; break;
    case DT_FLOAT16: ((uint16_t *)data)[i] = snt_half_from_double(v); break;
    case DT_BFLOAT16: ((uint16_t *)data)[i] = snt_bfloat16_from_float((float)v); break;
    case DT_BOOL: ((uint8_t *)data)[i] = v != 0; break;
    default: {
        /* Float to integer truncates toward zero, like C and ONNX Cast. */
        int64_t x = 0;
        if (!isnan(v))
            x = v >= 9.2233720368547758e18 ? INT64_MAX
              : v <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)v;
        dtype_set_i64(t, data, i, x);
    }
    }
}

void dtype_set_i64(DType t, void *data, size_t i, int64_t v)
{
    switch (t) {
    case DT_FLOAT: ((float *)data)[i] = (float)v; break;
    case DT_DOUBLE: ((double *)data)[i] = (double)v; break;
    case DT_FLOAT16: case DT_BFLOAT16: dtype_set_f64(t, data, i, (double)v); break;
    case DT_BOOL: ((uint8_t *)data)[i] = v != 0; break;
    case DT_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case DT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
    case DT_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case DT_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
    case DT_INT32: ((int32_t *)data)[i] = (int32_t)v; break;
    case DT_INT64: ((int64_t *)data)[i] = v; break;
    case DT_UINT32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    case DT_UINT64: ((uint64_t *)data)[i] = (uint64_t)v; break;
    default: break;
    }
}
