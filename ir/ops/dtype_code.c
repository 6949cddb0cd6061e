/*
 * dtype_code.c - the runtime's names for dtypes, which emitted calls of
 * dtype-generic kernels (casts, gathers, scatters, TopK ...) pass.
 */
#include "ir/ops/dtype_code.h"

const char *snt_dtype_code(DType t)
{
    switch (t) {
    case DT_FLOAT: return "SNT_DT_FLOAT";
    case DT_UINT8: return "SNT_DT_UINT8";
    case DT_INT8: return "SNT_DT_INT8";
    case DT_UINT16: return "SNT_DT_UINT16";
    case DT_INT16: return "SNT_DT_INT16";
    case DT_INT32: return "SNT_DT_INT32";
    case DT_INT64: return "SNT_DT_INT64";
    case DT_BOOL: return "SNT_DT_BOOL";
    case DT_DOUBLE: return "SNT_DT_DOUBLE";
    case DT_UINT32: return "SNT_DT_UINT32";
    case DT_UINT64: return "SNT_DT_UINT64";
    default: return NULL;
    }
}

const char *cast_dtype_code(DType t)
{
    switch (t) {
    case DT_FLOAT16: return "SNT_DT_FLOAT16";
    case DT_BFLOAT16: return "SNT_DT_BFLOAT16";
    default: return snt_dtype_code(t);
    }
}
