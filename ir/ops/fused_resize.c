/*
 * fused_resize.c - FusedResize: a Resize and the elementwise work after
 * it, in one kernel call (snt_resize_fused_f32):
 *
 *   Y = act(Resize(X, roi, scales, sizes)) + residual
 *
 * Sinter-internal: passes/fuse_resize_epilogue.c makes it from a float32
 * Resize of opset 11 or later, the activation reading it and a residual
 * Add (UNeXt's decoder: upsample, Relu, skip connection); no model may
 * name it.  Inputs: X, roi, scales, sizes as Resize-11's (omitted ones
 * NULL), then the optional residual (Y's shape).  Attributes: Resize's
 * and the activation's (ir/ops/fused.h).  The node keeps the Resize's
 * opset, which Resize's rules read.
 */
#include "ir/ops/fused.h"
#include "ir/ops/resize_util.h"
#include "ir/ops/op_check.h"

enum { IN_RESIDUAL = 4 };

static const Tensor *residual_input(const Node *n)
{
    return IN_RESIDUAL < n->n_in ? n->in[IN_RESIDUAL] : NULL;
}

static bool fused_resize_infer(Node *n, Diag *d)
{
    const Tensor *residual = residual_input(n);
    snt_act act;
    if (n->opset < 11)
        return node_error(d, n, "FusedResize needs Resize's opset-11 inputs");
    if (!resize_infer(n, d) || !fused_act_get(n, &act, d))
        return false;
    if (residual && (!check_same_dtype(n, IN_RESIDUAL, d) ||
                     !shape_equal(&residual->shape, &n->out[0]->shape)))
        return node_error(d, n, "the residual must have the output's dtype and shape");
    return true;
}

/* Resize's FLOPs plus the activation's and one per residual add for
 * each output element: the totals of the ops it replaces. */
static OpCost fused_resize_cost(const Node *n)
{
    OpCost c = resize_cost(n);
    snt_act act;
    int64_t per_element = fused_act_get(n, &act, NULL) ? act_flops(act.kind) : 0;
    if (residual_input(n))
        per_element += 1;
    c.flops += sat_mul(per_element, tensor_numel(n->out[0]));
    return c;
}

static bool fused_resize_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_act act;
    return fused_act_get(n, &act, d) && resize_emit_epilogue(n, &act, residual_input(n), e, d);
}

const OpDesc op_FusedResize = {
    .name = "FusedResize",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 11, .until = 17,
    .min_in = 1, .max_in = 5,
    .min_out = 1, .max_out = 1,
    .infer = fused_resize_infer,
    .cost = fused_resize_cost,
    .emit = fused_resize_emit,
    .internal = true,
};
