/*
 * batchnorm.c - BatchNormalization in inference form: per-channel
 * (x - mean) / sqrt(var + epsilon) * scale + B over N x C x ... inputs.
 *
 * Training (training_mode = 1 from opset 14, or the running-statistics
 * outputs of older opsets) and the per-activation statistics of
 * spatial = 0 (before opset 9) are rejected.
 */
#include "ir/ops/op_emit.h"

static const char *const bn_input_names[] = {"X", "scale", "B", "input_mean", "input_var"};

static bool batchnorm_infer(Node *n, Diag *d)
{
    if (!check_inputs_present(n, 5, d) || !check_float_input(n, 0, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    if (x->rank < 2)
        return node_error(d, n, "X must have rank 2 or more (N x C x ...), not %d", x->rank);
    for (int i = 1; i < 5; i++) {
        const Shape *s = &n->in[i]->shape;
        if (!check_float_input(n, i, d))
            return false;
        if (s->rank != 1 || s->dim[0] != x->dim[1])
            return node_error(d, n, "%s must have shape [%lld]", bn_input_names[i],
                              (long long)x->dim[1]);
    }
    if (attr_int_or(n, "training_mode", 0) != 0)
        return node_error(d, n, "training_mode=1 is not supported");
    if (n->opset < 9 && attr_int_or(n, "spatial", 1) == 0)
        return node_error(d, n, "spatial=0 is not supported");
    for (int i = 1; i < n->n_out; i++)
        if (!check_output_absent(n, i, "training statistics", d))
            return false;
    set_output(n, 0, n->in[0]->dtype, x);
    return true;
}

/* Two per element: a multiply and an add once the per-channel factors
 * are known. */
static OpCost batchnorm_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(2, tensor_numel(n->out[0]))};
}

static bool batchnorm_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    int64_t hw = 1;
    for (int i = 2; i < x->rank; i++)
        hw *= x->dim[i];
    Str eps = {0};
    str_float_literal(&eps, attr_float_or(n, "epsilon", 1e-5));
    emit_line(e, "snt_batchnorm_f32(%lld, %lld, %lld, %s, %s, %s, %s, %s, %s, %s);",
              (long long)x->dim[0], (long long)x->dim[1], (long long)hw, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]), emit_ptr(e, n->in[3]),
              emit_ptr(e, n->in[4]), eps.buf, emit_ptr(e, n->out[0]));
    str_free(&eps);
    return true;
}

/* Up to opset 13 the optional outputs 1..4 are training statistics. */
const OpDesc op_BatchNormalization = {
    .name = "BatchNormalization", .since = 7, .until = COMPUTE_OPSET_MAX,
    .min_in = 5, .max_in = 5, .min_out = 1, .max_out = 5,
    .infer = batchnorm_infer, .cost = batchnorm_cost, .emit = batchnorm_emit,
    .in_place = true,
};
