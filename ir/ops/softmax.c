/*
 * softmax.c - Softmax, and LogSoftmax and Hardmax, which read their axis
 * as Softmax does.  Before opset 13 the input is coerced to 2-D at
 * `axis` (default 1) and each row of the flattened trailing axes is one
 * line; from opset 13 a line runs along the one axis `axis` (default
 * -1).
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/op_check.h"
#include "ir/ops/staging.h"
#include "sinter_rt.h"

#include <string.h>

/* The view of input 0 that the three ops share. */
static bool softmax_axis_view(const Node *n, AxisView *v, Diag *d)
{
    bool per_axis = n->opset >= 13;
    return axis_view(n, &n->in[0]->shape, attr_int_or(n, "axis", per_axis ? -1 : 1), !per_axis,
                     v, d);
}

/* A float input, a valid axis, Y shaped as X. */
static bool softmax_axis_infer(Node *n, Diag *d)
{
    AxisView v;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) ||
        !softmax_axis_view(n, &v, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &n->in[0]->shape);
    return true;
}

/* Five per element: max, subtract, exp, sum and divide. */
static OpCost softmax_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(5, tensor_numel(n->out[0]))};
}

static bool softmax_emit(const Node *n, Emitter *e, Diag *d)
{
    AxisView v;
    if (!check_f32_runtime(n, n->n_in, d) || !softmax_axis_view(n, &v, d))
        return false;
    emit_line(e, "snt_softmax_f32(%lld, %lld, %lld, %s, %s);", (long long)v.outer,
              (long long)v.len, (long long)v.inner, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Softmax = {
    .name = "Softmax", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = softmax_axis_infer, .cost = softmax_cost, .emit = softmax_emit,
};

/* ---- LogSoftmax and Hardmax ---------------------------------------- */

static bool is_log_softmax(const Node *n)
{
    return n->op == &op_LogSoftmax;
}

/* Runs the kernel on float32 constants, so folding gives exactly what
 * the generated code would. */
static bool logsoftmax_hardmax_fold(Node *n, Diag *d)
{
    AxisView v;
    if (!all_inputs_const(n) || n->in[0]->dtype != DT_FLOAT ||
        tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!softmax_axis_view(n, &v, d))
        return false;
    float *y = alloc_output(n, 0);
    if (is_log_softmax(n))
        snt_log_softmax_f32((size_t)v.outer, (size_t)v.len, (size_t)v.inner, n->in[0]->data, y);
    else
        snt_hardmax_f32((size_t)v.outer, (size_t)v.len, (size_t)v.inner, n->in[0]->data, y);
    return true;
}

/* LogSoftmax: five per element, as Softmax (max, subtract, exp, sum, and
 * the final subtract); Hardmax: one compare per element. */
static OpCost logsoftmax_hardmax_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(is_log_softmax(n) ? 5 : 1, tensor_numel(n->out[0]))};
}

static bool logsoftmax_hardmax_emit(const Node *n, Emitter *e, Diag *d)
{
    AxisView v;
    if (!check_f32_runtime(n, n->n_in, d) || !softmax_axis_view(n, &v, d))
        return false;
    emit_line(e, "%s(%lld, %lld, %lld, %s, %s);",
              is_log_softmax(n) ? "snt_log_softmax_f32" : "snt_hardmax_f32", (long long)v.outer,
              (long long)v.len, (long long)v.inner, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

#define LOGSOFTMAX_HARDMAX_OP(op_name, dtype_set) \
    {.name = op_name, .since = 1, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1, \
     .infer = softmax_axis_infer, .fold = logsoftmax_hardmax_fold, .cost = logsoftmax_hardmax_cost, \
     .emit = logsoftmax_hardmax_emit}

const OpDesc op_Hardmax = LOGSOFTMAX_HARDMAX_OP("Hardmax", DT_BIT(DT_FLOAT));
const OpDesc op_LogSoftmax = LOGSOFTMAX_HARDMAX_OP("LogSoftmax", DT_BIT(DT_FLOAT));
