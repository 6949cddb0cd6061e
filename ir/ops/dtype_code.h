/*
 * dtype_code.h - the runtime's names for dtypes (SNT_DT_FLOAT ...), as
 * generated calls of dtype-generic kernels spell them.
 */
#ifndef SINTER_DTYPE_CODE_H
#define SINTER_DTYPE_CODE_H

#include "ir/ir.h"

/* The runtime's name for a dtype code ("SNT_DT_FLOAT"), or NULL for
 * dtypes the runtime does not convert or combine. */
const char *snt_dtype_code(DType t);
/* snt_dtype_code's names and the 16-bit float types: every dtype that
 * snt_cast converts, or NULL. */
const char *cast_dtype_code(DType t);

#endif /* SINTER_DTYPE_CODE_H */
