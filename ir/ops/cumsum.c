/*
 * cumsum.c - CumSum: running sums along the axis given by input 1 (a
 * scalar that must be known at compile time), from the end with
 * reverse = 1, each sum leaving its own element out with exclusive = 1.
 * Runs for float32, float64, int32, int64, uint32 and uint64 alike
 * (integers wrap on overflow).
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/op_check.h"
#include "sinter_rt.h"

static bool cumsum_dtype_ok(DType t)
{
    return t == DT_FLOAT || t == DT_DOUBLE || t == DT_INT32 || t == DT_INT64 ||
           t == DT_UINT32 || t == DT_UINT64;
}

static bool cumsum_view(const Node *n, AxisView *v, Diag *d)
{
    int64_t axis;
    const Tensor *a = n->in[1];
    if (a->shape.rank > 1 || tensor_numel(a) != 1)
        return node_error(d, n, "axis ('%s') must be a scalar", a->name);
    if (const_ints(n, 1, &axis, 1, d) != 1)
        return false;
    return axis_view(n, &n->in[0]->shape, axis, false, v, d);
}

static bool cumsum_infer(Node *n, Diag *d)
{
    AxisView v;
    if (!check_inputs_present(n, 2, d))
        return false;
    const Tensor *x = n->in[0];
    if (!cumsum_dtype_ok(x->dtype))
        return node_error(d, n, "input 0 ('%s') is %s; CumSum takes float32, float64, int32, "
                          "int64, uint32 or uint64", x->name, dtype_label(x->dtype));
    if (!cumsum_view(n, &v, d))
        return false;
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

static void cumsum_args(const Node *n, int *exclusive, int *reverse)
{
    *exclusive = attr_int_or(n, "exclusive", 0) != 0;
    *reverse = attr_int_or(n, "reverse", 0) != 0;
}

/* The kernel takes every dtype CumSum does, so folding runs it. */
static bool cumsum_fold(Node *n, Diag *d)
{
    AxisView v;
    int exclusive, reverse;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!cumsum_view(n, &v, d))
        return false;
    cumsum_args(n, &exclusive, &reverse);
    snt_cumsum((int)n->in[0]->dtype, (size_t)v.outer, (size_t)v.len, (size_t)v.inner,
               exclusive, reverse, n->in[0]->data, alloc_output(n, 0));
    return true;
}

/* One add per element. */
static OpCost cumsum_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

static bool cumsum_emit(const Node *n, Emitter *e, Diag *d)
{
    AxisView v;
    int exclusive, reverse;
    if (!cumsum_view(n, &v, d))
        return false;
    cumsum_args(n, &exclusive, &reverse);
    /* The dtype is the ONNX code, which SNT_DT_* constants repeat. */
    emit_line(e, "snt_cumsum(%d /* %s */, %lld, %lld, %lld, %d, %d, %s, %s);",
              (int)n->in[0]->dtype, dtype_label(n->in[0]->dtype), (long long)v.outer,
              (long long)v.len, (long long)v.inner, exclusive, reverse, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_CumSum = {
    .name = "CumSum", .since = 11, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_BIT(DT_INT32) | DT_BIT(DT_INT64) | DT_BIT(DT_UINT32) | DT_BIT(DT_UINT64),
    .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = cumsum_infer, .fold = cumsum_fold, .cost = cumsum_cost, .emit = cumsum_emit,
};
