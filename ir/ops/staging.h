/*
 * staging.h - what emit needs around a runtime kernel call: that its
 * operands are float32, strides for broadcasting, and running ops of
 * other dtypes on float32 or int64 kernels through staged copies.
 */
#ifndef SINTER_STAGING_H
#define SINTER_STAGING_H

#include "ir/ir.h"

/* ---- run-time support (emit) ------------------------------------- */

/* node_error unless the present inputs among the first n_data (the
 * tensors the kernel reads; not e.g. constant axes) and every output are
 * float32: the kernels of most compute ops exist for float32 only. */
bool check_f32_runtime(const Node *n, int n_data, Diag *d);

/* Strides (in elements) for reading a row-major tensor of shape `in`
 * while iterating `out`'s dims, aligned right as numpy broadcasting
 * does; 0 on axes where `in` has extent 1 or is missing. */
void broadcast_strides(const Shape *in, const Shape *out, int64_t *strides);

/* ---- run-time dtype staging (emit) ----------------------------------- */

/* The kernels compute in float32 (and int64 for binary arithmetic).  An
 * op on another dtype runs them on staged copies in scratch: inputs are
 * cast into the kernel's dtype, the kernel writes a scratch result, and
 * that is cast into the output.  The casts are the runtime's snt_cast. */

/* True when every value of t is exactly a float32: a float32 kernel
 * that only selects, negates or compares values (Relu, Clip, MaxPool)
 * then gives exact results on staged copies. */
bool dtype_fits_float32(DType t);

typedef struct {
    Emitter *e;
    DType kernel;        /* the dtype the kernel computes in */
    size_t used;         /* scratch bytes handed out so far */
    int count;           /* staged operands so far */
    char expr[4][80];    /* pointer expressions: at most four staged operands */
    const Tensor *out;   /* the staged output, cast back by staging_end */
    size_t out_offset;
} Staging;

/* Starts staging for a kernel of dtype `kernel`; `tensors` (NULL entries
 * allowed) are every operand the node will stage, to size the scratch. */
void staging_begin(Staging *s, Emitter *e, DType kernel, const Tensor *const *tensors, int count);
/* The scratch bytes staging_begin asks for with the same arguments: what
 * the op's OpDesc.scratch_bytes reports. */
size_t staging_bytes(DType kernel, const Tensor *const *tensors, int count);
/* The kernel's pointer for input t: t itself, or a cast copy. */
const char *staging_input(Staging *s, const Tensor *t);
/* The kernel's pointer for output t: t itself, or a scratch result
 * that staging_end casts into t. */
const char *staging_output(Staging *s, const Tensor *t);
void staging_end(Staging *s);

#endif /* SINTER_STAGING_H */
