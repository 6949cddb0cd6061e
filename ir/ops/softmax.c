/*
 * softmax.c - Softmax.  Before opset 13 the input is coerced to 2-D at
 * `axis` (default 1) and each row of the flattened trailing axes is
 * normalized; from opset 13 the normalization runs along the one axis
 * `axis` (default -1).
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/op_check.h"
#include "ir/ops/staging.h"

bool softmax_axis_view(const Node *n, AxisView *v, Diag *d)
{
    bool per_axis = n->opset >= 13;
    return axis_view(n, &n->in[0]->shape, attr_int_or(n, "axis", per_axis ? -1 : 1), !per_axis,
                     v, d);
}

bool softmax_axis_infer(Node *n, Diag *d)
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
