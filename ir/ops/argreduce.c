/*
 * argreduce.c - ArgMax and ArgMin: the int64 index of the largest (or
 * smallest) element along `axis` (default 0), the axis kept as extent 1
 * unless keepdims = 0.  Ties go to the first index, or to the last with
 * select_last_index (opset 12).
 *
 * The kernel compares float32; dtypes whose values float32 holds exactly
 * (int8, uint8, int16, uint16, bool) run on staged copies.
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/op_check.h"
#include "sinter_rt.h"
#include "ir/ops/staging.h"

#include <stdlib.h>
#include <string.h>

static bool arg_view(const Node *n, AxisView *v, Diag *d)
{
    return axis_view(n, &n->in[0]->shape, attr_int_or(n, "axis", 0), false, v, d);
}

static bool finds_min(const Node *n)
{
    return n->op == &op_ArgMin;
}

static bool select_last(const Node *n)
{
    return attr_int_or(n, "select_last_index", 0) != 0;
}

static bool arg_infer(Node *n, Diag *d)
{
    AxisView v;
    if (!check_inputs_present(n, 1, d) || !arg_view(n, &v, d))
        return false;
    const Tensor *x = n->in[0];
    if (!dtype_is_numeric(x->dtype))
        return node_error(d, n, "input 0 ('%s') has unsupported dtype %s", x->name,
                          dtype_label(x->dtype));
    if (x->shape.dim[v.axis] == 0)
        return node_error(d, n, "axis %d of '%s' is empty: no index to return", v.axis, x->name);
    Shape y = x->shape;
    if (attr_int_or(n, "keepdims", 1)) {
        y.dim[v.axis] = 1;
    } else {
        for (int i = v.axis; i + 1 < y.rank; i++)
            y.dim[i] = y.dim[i + 1];
        y.rank--;
    }
    set_output(n, 0, DT_INT64, &y);
    return true;
}

/* Runs the kernel on a float32 copy when that copy is exact. */
static bool arg_fold(Node *n, Diag *d)
{
    AxisView v;
    const Tensor *x = n->in[0];
    if (!all_inputs_const(n) || !dtype_fits_float32(x->dtype) ||
        tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    if (!arg_view(n, &v, d))
        return false;
    size_t count = (size_t)tensor_numel(x);
    float *xf = xmalloc((count ? count : 1) * sizeof *xf);
    for (size_t i = 0; i < count; i++)
        xf[i] = (float)dtype_get_f64(x->dtype, x->data, i);
    snt_argreduce_f32((size_t)v.outer, (size_t)v.len, (size_t)v.inner, finds_min(n),
                      select_last(n), xf, alloc_output(n, 0));
    free(xf);
    return true;
}

/* One compare per input element. */
static OpCost arg_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0])};
}

static bool arg_emit(const Node *n, Emitter *e, Diag *d)
{
    AxisView v;
    const Tensor *x = n->in[0];
    if (!dtype_fits_float32(x->dtype))
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", x->name,
                          dtype_label(x->dtype));
    if (!arg_view(n, &v, d))
        return false;
    Staging st;
    staging_begin(&st, e, DT_FLOAT, &x, 1);
    emit_line(e, "snt_argreduce_f32(%lld, %lld, %lld, %d, %d, %s, %s);", (long long)v.outer,
              (long long)v.len, (long long)v.inner, finds_min(n), select_last(n),
              staging_input(&st, x), emit_ptr(e, n->out[0]));
    staging_end(&st);
    return true;
}

/* The float32 copy of a narrower integer input arg_emit stages. */
static size_t arg_scratch_bytes(const Node *n)
{
    const Tensor *x = n->in[0];
    return staging_bytes(DT_FLOAT, &x, 1);
}

#define ARG_OP(op_name, dtype_set) \
    {.name = op_name, .since = 1, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1, \
     .infer = arg_infer, .fold = arg_fold, .cost = arg_cost, .emit = arg_emit, \
     .scratch_bytes = arg_scratch_bytes}

const OpDesc op_ArgMax = ARG_OP("ArgMax", DT_BIT(DT_FLOAT) | DT_BIT(DT_INT8) | DT_BIT(DT_INT16) | DT_BIT(DT_UINT8) | DT_BIT(DT_UINT16));
const OpDesc op_ArgMin = ARG_OP("ArgMin", DT_BIT(DT_FLOAT) | DT_BIT(DT_INT8) | DT_BIT(DT_INT16) | DT_BIT(DT_UINT8) | DT_BIT(DT_UINT16));
