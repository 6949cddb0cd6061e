/*
 * cast.c - ONNX Cast between the numeric types the runtime knows.
 *
 * Each element is loaded into a tagged scalar (double, int64 or uint64,
 * whichever holds the source exactly) and stored from it.  Float to
 * integer truncates toward zero; values out of the int64 range saturate
 * and NaN becomes 0 (ONNX leaves both undefined, C would make them
 * undefined behaviour); integers narrow by wrapping, like numpy.  Any
 * nonzero value (NaN included) casts to bool true.  float16 and bfloat16
 * load exactly and store through half.c's rounding.
 */
#include <math.h>
#include <string.h>

#include "sinter_rt.h"

typedef enum { SCALAR_FLOAT, SCALAR_SIGNED, SCALAR_UNSIGNED } scalar_kind;

typedef struct {
    scalar_kind kind;
    double f;
    int64_t i;
    uint64_t u;
} scalar;

static scalar load(int dtype, const void *x, size_t i)
{
    scalar s;
    s.kind = SCALAR_FLOAT;
    s.f = 0.0;
    s.i = 0;
    s.u = 0;
    switch (dtype) {
    case SNT_DT_FLOAT:   s.f = ((const float *)x)[i]; break;
    case SNT_DT_DOUBLE:  s.f = ((const double *)x)[i]; break;
    case SNT_DT_FLOAT16: s.f = snt_half_to_float(((const uint16_t *)x)[i]); break;
    case SNT_DT_BFLOAT16: s.f = snt_bfloat16_to_float(((const uint16_t *)x)[i]); break;
    case SNT_DT_INT8:    s.kind = SCALAR_SIGNED; s.i = ((const int8_t *)x)[i]; break;
    case SNT_DT_INT16:   s.kind = SCALAR_SIGNED; s.i = ((const int16_t *)x)[i]; break;
    case SNT_DT_INT32:   s.kind = SCALAR_SIGNED; s.i = ((const int32_t *)x)[i]; break;
    case SNT_DT_INT64:   s.kind = SCALAR_SIGNED; s.i = ((const int64_t *)x)[i]; break;
    case SNT_DT_UINT8:   s.kind = SCALAR_UNSIGNED; s.u = ((const uint8_t *)x)[i]; break;
    case SNT_DT_UINT16:  s.kind = SCALAR_UNSIGNED; s.u = ((const uint16_t *)x)[i]; break;
    case SNT_DT_UINT32:  s.kind = SCALAR_UNSIGNED; s.u = ((const uint32_t *)x)[i]; break;
    case SNT_DT_UINT64:  s.kind = SCALAR_UNSIGNED; s.u = ((const uint64_t *)x)[i]; break;
    case SNT_DT_BOOL:    s.kind = SCALAR_UNSIGNED; s.u = ((const uint8_t *)x)[i] != 0; break;
    default: break;
    }
    return s;
}

/* The two's complement bits of the integer value of s (floats truncated
 * and saturated); narrower integer types keep the low bits. */
static uint64_t integer_bits(scalar s)
{
    const double two63 = 9223372036854775808.0;
    switch (s.kind) {
    case SCALAR_SIGNED:   return (uint64_t)s.i;
    case SCALAR_UNSIGNED: return s.u;
    case SCALAR_FLOAT:    break;
    }
    if (isnan(s.f))
        return 0;
    if (s.f >= 2.0 * two63)
        return UINT64_MAX;
    if (s.f >= two63)
        return (uint64_t)s.f;
    if (s.f <= -two63)
        return (uint64_t)INT64_MIN;
    return (uint64_t)(int64_t)s.f;
}

static double as_double(scalar s)
{
    switch (s.kind) {
    case SCALAR_SIGNED:   return (double)s.i;
    case SCALAR_UNSIGNED: return (double)s.u;
    case SCALAR_FLOAT:    break;
    }
    return s.f;
}

/* float conversion straight from the integer, so int64 -> float rounds
 * once rather than through double. */
static float as_float(scalar s)
{
    switch (s.kind) {
    case SCALAR_SIGNED:   return (float)s.i;
    case SCALAR_UNSIGNED: return (float)s.u;
    case SCALAR_FLOAT:    break;
    }
    return (float)s.f;
}

static int is_nonzero(scalar s)
{
    switch (s.kind) {
    case SCALAR_SIGNED:   return s.i != 0;
    case SCALAR_UNSIGNED: return s.u != 0;
    case SCALAR_FLOAT:    break;
    }
    return s.f != 0.0;   /* true for NaN */
}

static void store(int dtype, void *y, size_t i, scalar s)
{
    switch (dtype) {
    case SNT_DT_FLOAT:   ((float *)y)[i] = as_float(s); break;
    case SNT_DT_DOUBLE:  ((double *)y)[i] = as_double(s); break;
    /* float16 straight from the double, so float64 -> float16 rounds once;
     * bfloat16 from the float32, as ONNX's reference casts it. */
    case SNT_DT_FLOAT16: ((uint16_t *)y)[i] = snt_half_from_double(as_double(s)); break;
    case SNT_DT_BFLOAT16: ((uint16_t *)y)[i] = snt_bfloat16_from_float(as_float(s)); break;
    case SNT_DT_INT8:    ((int8_t *)y)[i] = (int8_t)integer_bits(s); break;
    case SNT_DT_INT16:   ((int16_t *)y)[i] = (int16_t)integer_bits(s); break;
    case SNT_DT_INT32:   ((int32_t *)y)[i] = (int32_t)integer_bits(s); break;
    case SNT_DT_INT64:   ((int64_t *)y)[i] = (int64_t)integer_bits(s); break;
    case SNT_DT_UINT8:   ((uint8_t *)y)[i] = (uint8_t)integer_bits(s); break;
    case SNT_DT_UINT16:  ((uint16_t *)y)[i] = (uint16_t)integer_bits(s); break;
    case SNT_DT_UINT32:  ((uint32_t *)y)[i] = (uint32_t)integer_bits(s); break;
    case SNT_DT_UINT64:  ((uint64_t *)y)[i] = integer_bits(s); break;
    case SNT_DT_BOOL:    ((uint8_t *)y)[i] = (uint8_t)is_nonzero(s); break;
    default: break;
    }
}

/* Bytes per element, 0 for a type the runtime does not know. */
static size_t dtype_size(int dtype)
{
    switch (dtype) {
    case SNT_DT_INT8: case SNT_DT_UINT8: case SNT_DT_BOOL: return 1;
    case SNT_DT_INT16: case SNT_DT_UINT16: case SNT_DT_FLOAT16: case SNT_DT_BFLOAT16:
        return 2;
    case SNT_DT_FLOAT: case SNT_DT_INT32: case SNT_DT_UINT32: return 4;
    case SNT_DT_DOUBLE: case SNT_DT_INT64: case SNT_DT_UINT64: return 8;
    default: return 0;
    }
}

void snt_cast(int src_dtype, const void *x, int dst_dtype, void *y, size_t n)
{
    size_t i;
    /* Bool sources are normalised to 0/1, so only other types copy as is. */
    if (src_dtype == dst_dtype && src_dtype != SNT_DT_BOOL) {
        memcpy(y, x, n * dtype_size(src_dtype));
        return;
    }
    for (i = 0; i < n; i++)
        store(dst_dtype, y, i, load(src_dtype, x, i));
}
