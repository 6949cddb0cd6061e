/*
 * reduce.c - the Reduce* family: ReduceSum, ReduceMean, ReduceMax,
 * ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum
 * and ReduceLogSumExp, through snt_reduce_f32 (float32) and snt_reduce_f64
 * (float64) at run time.  The kinds whose result is an integer of the
 * input's type (Sum, Max, Min, Prod, L1, SumSquare) also run on every
 * integer type through snt_reduce_i8 .. snt_reduce_u64, which wrap on
 * overflow.  ReduceMean stays float-only: ONNX leaves the rounding of an
 * integer mean and the mean of nothing unspecified (onnx/onnx#2557).
 *
 * The axes are an attribute until an op's axes became an optional
 * constant input (ReduceSum at opset 13, the others at 18); from then on
 * noop_with_empty_axes makes "no axes" mean identity instead of "all
 * axes".
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    snt_redop op;
    const char *c_op;        /* the enumerator's spelling in generated code */
    int axes_input_since;    /* opset that moved axes to input 1 */
    bool integer_kernel;     /* runs on integers (snt_reduce_i8 ..) */
} ReduceInfo;

static const ReduceInfo reduce_ops[] = {
    {"ReduceL1", SNT_RED_L1, "SNT_RED_L1", 18, true},
    {"ReduceL2", SNT_RED_L2, "SNT_RED_L2", 18, false},
    {"ReduceLogSum", SNT_RED_LOG_SUM, "SNT_RED_LOG_SUM", 18, false},
    {"ReduceLogSumExp", SNT_RED_LOG_SUM_EXP, "SNT_RED_LOG_SUM_EXP", 18, false},
    {"ReduceMax", SNT_RED_MAX, "SNT_RED_MAX", 18, true},
    {"ReduceMean", SNT_RED_MEAN, "SNT_RED_MEAN", 18, false},
    {"ReduceMin", SNT_RED_MIN, "SNT_RED_MIN", 18, true},
    {"ReduceProd", SNT_RED_PROD, "SNT_RED_PROD", 18, true},
    {"ReduceSum", SNT_RED_SUM, "SNT_RED_SUM", 13, true},
    {"ReduceSumSquare", SNT_RED_SUM_SQUARE, "SNT_RED_SUM_SQUARE", 18, true},
};

/* The run-time kernels: X(dtype, suffix of snt_reduce_<suffix>, C type).
 * The floats come first; the rest are the integer kernels. */
#define REDUCE_KERNELS(X)               \
    X(DT_FLOAT, f32, float)             \
    X(DT_DOUBLE, f64, double)           \
    X(DT_INT8, i8, int8_t)              \
    X(DT_UINT8, u8, uint8_t)            \
    X(DT_INT16, i16, int16_t)           \
    X(DT_UINT16, u16, uint16_t)         \
    X(DT_INT32, i32, int32_t)           \
    X(DT_UINT32, u32, uint32_t)         \
    X(DT_INT64, i64, int64_t)           \
    X(DT_UINT64, u64, uint64_t)

#define FLOAT_DTYPES (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE))

/* The suffix of the kernel that runs op on dtype t, or NULL. */
static const char *reduce_kernel(const ReduceInfo *info, DType t)
{
    if (!(DT_BIT(t) & FLOAT_DTYPES) && !info->integer_kernel)
        return NULL;
    switch (t) {
#define KERNEL_SUFFIX(dt, sfx, T) case dt: return #sfx;
    REDUCE_KERNELS(KERNEL_SUFFIX)
#undef KERNEL_SUFFIX
    default: return NULL;
    }
}

/* Runs the kernel of dtype t (one that reduce_kernel names) on x into y. */
static void reduce_run(snt_redop op, const snt_reduce_params *rp, DType t, const void *x,
                       void *y)
{
    switch (t) {
#define KERNEL_CALL(dt, sfx, T) \
    case dt: snt_reduce_##sfx(op, rp, (const T *)x, (T *)y); break;
    REDUCE_KERNELS(KERNEL_CALL)
#undef KERNEL_CALL
    default: break;
    }
}

static const ReduceInfo *reduce_info(const Node *n, Diag *d)
{
    for (size_t i = 0; i < sizeof reduce_ops / sizeof reduce_ops[0]; i++)
        if (strcmp(n->op_type, reduce_ops[i].name) == 0)
            return &reduce_ops[i];
    node_error(d, n, "not a Reduce op");
    return NULL;
}

/* Sets reduced[i] for each axis of x that the node reduces. */
static bool reduce_axes(const Node *n, bool *reduced, Diag *d)
{
    const ReduceInfo *info = reduce_info(n, d);
    if (!info)
        return false;
    int rank = n->in[0]->shape.rank;
    int64_t axes[MAX_RANK];
    int count = 0;
    if (n->opset >= info->axes_input_since) {
        if (n->n_in > 1 && n->in[1]) {
            count = const_ints(n, 1, axes, MAX_RANK, d);
            if (count < 0)
                return false;
        }
        if (count == 0 && attr_int_or(n, "noop_with_empty_axes", 0) != 0) {
            for (int i = 0; i < rank; i++)
                reduced[i] = false;
            return true;
        }
    } else {
        count = attr_ints(n, "axes", axes, MAX_RANK);
        if (count > MAX_RANK)
            return node_error(d, n, "attribute axes has %d values, more than the rank", count);
        count = count < 0 ? 0 : count;
    }
    for (int i = 0; i < rank; i++)
        reduced[i] = count == 0; /* no axes: all of them */
    for (int k = 0; k < count; k++) {
        int a;
        if (!axis_normalize(axes[k], rank, &a))
            return node_error(d, n, "axis %lld is out of range for rank %d",
                              (long long)axes[k], rank);
        if (reduced[a])
            return node_error(d, n, "axis %lld is repeated", (long long)axes[k]);
        reduced[a] = true;
    }
    return true;
}

static bool reduce_infer(Node *n, Diag *d)
{
    bool reduced[MAX_RANK];
    if (!check_inputs_present(n, 1, d) || !reduce_axes(n, reduced, d))
        return false;
    const Tensor *x = n->in[0];
    if (!dtype_is_numeric(x->dtype))
        return node_error(d, n, "unsupported dtype %s", dtype_label(x->dtype));
    bool keepdims = attr_int_or(n, "keepdims", 1) != 0;
    Shape y = {0};
    for (int i = 0; i < x->shape.rank; i++) {
        if (!reduced[i])
            y.dim[y.rank++] = x->shape.dim[i];
        else if (keepdims)
            y.dim[y.rank++] = 1;
    }
    set_output(n, 0, x->dtype, &y);
    return true;
}

/* One operation per input element and one per output element. */
static OpCost reduce_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0]) + tensor_numel(n->out[0])};
}

/* Splits x's axes into the kept ones (the output, dense) and the reduced
 * ones, each with x's strides; an empty side iterates one element. */
static snt_reduce_params reduce_params(const Shape *x, const bool *reduced)
{
    snt_reduce_params p = {0};
    int64_t strides[MAX_RANK];
    shape_strides(x, strides);
    for (int i = 0; i < x->rank; i++) {
        if (reduced[i]) {
            p.red_dims[p.red_rank] = (size_t)x->dim[i];
            p.red_strides[p.red_rank++] = (ptrdiff_t)strides[i];
        } else {
            p.out_dims[p.out_rank] = (size_t)x->dim[i];
            p.out_strides[p.out_rank++] = (ptrdiff_t)strides[i];
        }
    }
    if (p.out_rank == 0) {
        p.out_rank = 1;
        p.out_dims[0] = 1;
    }
    if (p.red_rank == 0) {
        p.red_rank = 1;
        p.red_dims[0] = 1;
    }
    return p;
}

/* Reduces the constant x of a numeric dtype without a kernel for the op
 * (integer Mean, L2, LogSum, LogSumExp, and float16) into y (alloc'd
 * output data of the same dtype) through snt_reduce_f64. */
static void reduce_via_f64(snt_redop op, const snt_reduce_params *rp, const Tensor *x, void *y,
                           int64_t y_count)
{
    int64_t count = tensor_numel(x);
    double *xd = xmalloc((size_t)(count + 1) * sizeof *xd);
    double *yd = xmalloc((size_t)(y_count + 1) * sizeof *yd);
    for (int64_t i = 0; i < count; i++)
        xd[i] = dtype_get_f64(x->dtype, x->data, (size_t)i);
    snt_reduce_f64(op, rp, xd, yd);
    for (int64_t i = 0; i < y_count; i++)
        dtype_set_f64(x->dtype, y, (size_t)i, yd[i]);
    free(xd);
    free(yd);
}

/* Constant inputs fold through the run-time kernel of their dtype (bit
 * for bit what run time would give), other dtypes via float64. */
static bool reduce_fold(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    bool reduced[MAX_RANK];
    if (!x->data || tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    const ReduceInfo *info = reduce_info(n, d);
    if (!info || !reduce_axes(n, reduced, d))
        return false;
    snt_reduce_params rp = reduce_params(&x->shape, reduced);
    void *y = alloc_output(n, 0);
    if (reduce_kernel(info, x->dtype))
        reduce_run(info->op, &rp, x->dtype, x->data, y);
    else
        reduce_via_f64(info->op, &rp, x, y, tensor_numel(n->out[0]));
    return true;
}

static bool reduce_emit(const Node *n, Emitter *e, Diag *d)
{
    bool reduced[MAX_RANK];
    const ReduceInfo *info = reduce_info(n, d);
    const Tensor *x = n->in[0];
    if (!info || !reduce_axes(n, reduced, d))
        return false;
    const char *kernel = reduce_kernel(info, x->dtype);
    if (!kernel)
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", x->name,
                          dtype_label(x->dtype));
    snt_reduce_params rp = reduce_params(&x->shape, reduced);
    emit_params_snt_reduce_params(e, &rp, "p");
    emit_line(e, "snt_reduce_%s(%s, &p, %s, %s);", kernel, info->c_op, emit_ptr(e, x),
              emit_ptr(e, n->out[0]));
    return true;
}

/* Input 1 (axes) exists from the opset in reduce_ops.  Other numeric
 * dtypes fold at compile time only (shape arithmetic).  dtypes must agree
 * with reduce_ops' integer_kernel. */
#define REDUCE_OP(op_name, dtype_set, refused) \
    {.name = op_name, .since = 1, .until = COMPUTE_OPSET_MAX, \
     .min_in = 1, .max_in = 2, .min_out = 1, .max_out = 1, \
     .infer = reduce_infer, .fold = reduce_fold, .cost = reduce_cost, .emit = reduce_emit, \
     .dtypes = dtype_set, .restriction = refused}

#define FLOAT_ONLY "integer inputs only when constant (folded at compile time)"

const OpDesc op_ReduceL1 = REDUCE_OP("ReduceL1", FLOAT_DTYPES | DT_SET_INT, NULL);
const OpDesc op_ReduceL2 = REDUCE_OP("ReduceL2", FLOAT_DTYPES, FLOAT_ONLY);
const OpDesc op_ReduceLogSum = REDUCE_OP("ReduceLogSum", FLOAT_DTYPES, FLOAT_ONLY);
const OpDesc op_ReduceLogSumExp = REDUCE_OP("ReduceLogSumExp", FLOAT_DTYPES, FLOAT_ONLY);
const OpDesc op_ReduceMax = REDUCE_OP("ReduceMax", FLOAT_DTYPES | DT_SET_INT, NULL);
const OpDesc op_ReduceMean = REDUCE_OP("ReduceMean", FLOAT_DTYPES, FLOAT_ONLY);
const OpDesc op_ReduceMin = REDUCE_OP("ReduceMin", FLOAT_DTYPES | DT_SET_INT, NULL);
const OpDesc op_ReduceProd = REDUCE_OP("ReduceProd", FLOAT_DTYPES | DT_SET_INT, NULL);
const OpDesc op_ReduceSum = REDUCE_OP("ReduceSum", FLOAT_DTYPES | DT_SET_INT, NULL);
const OpDesc op_ReduceSumSquare = REDUCE_OP("ReduceSumSquare", FLOAT_DTYPES | DT_SET_INT, NULL);
