/*
 * linear.c - Linear: a fully connected layer over the last axis,
 *
 *   Y = act(X W + B),  X [..., K], W [K, N], B [N] (optional), Y [..., N]
 *
 * in one kernel call (snt_linear_f32).  Sinter-internal:
 * passes/fuse_linear.c makes it from MatMul by a constant matrix, a bias
 * Add and an activation; no model may name it (ONNX defines no Linear).
 * The activation is in attributes (ir/ops/fused.h).
 */
#include "ir/ops/fused.h"

static const Tensor *linear_bias(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

static bool linear_infer(Node *n, Diag *d)
{
    snt_act act;
    if (!check_inputs_present(n, 2, d) || !check_float_input(n, 0, d) ||
        !check_same_dtype(n, 1, d) || !check_same_dtype(n, 2, d) || !fused_act_get(n, &act, d))
        return false;
    const Shape *x = &n->in[0]->shape, *w = &n->in[1]->shape;
    const Tensor *b = linear_bias(n);
    if (x->rank < 1 || w->rank != 2 || w->dim[0] != x->dim[x->rank - 1])
        return node_error(d, n, "X's last axis must match W's rows, and W must be a matrix");
    if (b && (b->shape.rank != 1 || b->shape.dim[0] != w->dim[1]))
        return node_error(d, n, "B must have shape [%lld]", (long long)w->dim[1]);
    Shape y = *x;
    y.dim[y.rank - 1] = w->dim[1];
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* MatMul's count (a MAC per weight product, two FLOPs each), plus per
 * output element one for the bias (as Add counts) and the activation's
 * (act_flops): the totals of the ops it replaces. */
static OpCost linear_cost(const Node *n)
{
    const Tensor *y = n->out[0];
    snt_act act;
    Diag ignored = {0};
    int64_t per_element = fused_act_get(n, &act, &ignored) ? act_flops(act.kind) : 0;
    diag_free(&ignored);
    if (linear_bias(n))
        per_element += 1;
    OpCost c = {.macs = sat_mul(tensor_numel(y), n->in[1]->shape.dim[0])};
    c.flops = sat_mul(2, c.macs) + sat_mul(per_element, tensor_numel(y));
    return c;
}

static bool linear_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_act act;
    if (!check_f32_runtime(n, n->n_in, d) || !fused_act_get(n, &act, d))
        return false;
    const Shape *w = &n->in[1]->shape;
    int64_t rows = w->dim[1] ? tensor_numel(n->out[0]) / w->dim[1] : 0;
    Params p = {0};
    params_int(&p, "m", rows);
    params_int(&p, "n", w->dim[1]);
    params_int(&p, "k", w->dim[0]);
    params_act(&p, "act", &act);
    params_emit(&p, e, "snt_linear_params");
    emit_line(e, "snt_linear_f32(&p, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr_or_null(e, linear_bias(n)), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Linear = {
    .name = "Linear", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = linear_infer, .cost = linear_cost, .emit = linear_emit,
    .internal = true,
};
