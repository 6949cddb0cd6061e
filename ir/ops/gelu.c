/*
 * gelu.c - Gelu (ai.onnx opset 20): y = 0.5 x (1 + erf(x / sqrt 2)), or
 * with approximate = "tanh" 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 *
 * Models before opset 20 spell Gelu out in Div/Erf/Add/Mul nodes;
 * passes/fuse_gelu.c turns those into this op and gives the nodes it
 * makes opset 20 (the op's own version) whatever the model's opset.
 */
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

static bool gelu_infer(Node *n, Diag *d)
{
    snt_act_kind kind;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d))
        return false;
    if (!gelu_act_kind(n, &kind))
        return node_error(d, n, "approximate must be \"none\" or \"tanh\"");
    set_output(n, 0, n->in[0]->dtype, &n->in[0]->shape);
    return true;
}

/* The FLOPs of the nodes it replaces, per element (see act_flops). */
static OpCost gelu_cost(const Node *n)
{
    snt_act_kind kind = SNT_ACT_GELU;
    gelu_act_kind(n, &kind);
    return (OpCost){.flops = sat_mul(act_flops(kind), tensor_numel(n->out[0]))};
}

static bool gelu_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_act act = {.kind = SNT_ACT_GELU};
    if (!check_f32_runtime(n, n->n_in, d) || !gelu_act_kind(n, &act.kind))
        return false;
    emit_params_snt_act(e, &act, "p");
    emit_line(e, "snt_act_f32%s&p, %s, %s, %lld);", emit_call_open(e), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]), (long long)tensor_numel(n->out[0]));
    return true;
}

const OpDesc op_Gelu = {
    .name = "Gelu", .since = 20, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = gelu_infer, .cost = gelu_cost, .emit = gelu_emit,
    .in_place = true,
};
