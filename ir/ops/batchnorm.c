/*
 * batchnorm.c - BatchNormalization: per-channel
 * (x - mean) / sqrt(var + epsilon) * scale + B over N x C x ... inputs.
 *
 * Inference uses the given mean and var.  Training (training_mode = 1,
 * opset 14 on) uses the batch's mean and population variance instead,
 * and outputs the running statistics
 *     running_mean = input_mean * momentum + batch_mean * (1 - momentum)
 * (likewise running_var) as optional outputs 1 and 2.  The training
 * outputs of older opsets (mean, var, saved_mean, saved_var) and the
 * per-activation statistics of spatial = 0 (before opset 9) are rejected.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

static const char *const bn_input_names[] = {"X", "scale", "B", "input_mean", "input_var"};

/* The opset that brought training_mode and the running statistics. */
#define BN_TRAINING_SINCE 14

static bool is_training(const Node *n)
{
    return attr_int_or(n, "training_mode", 0) != 0;
}

/* Outputs 1 and 2 (running_mean, running_var) exist in training only;
 * before opset 14 outputs 1..4 were training statistics we do not give. */
static bool batchnorm_outputs(Node *n, Diag *d)
{
    bool training = is_training(n);
    if (training && n->opset < BN_TRAINING_SINCE)
        return node_error(d, n, "training_mode exists from opset %d", BN_TRAINING_SINCE);
    for (int i = 1; i < n->n_out; i++) {
        if (training && i <= 2) {
            if (n->out[i])
                set_output(n, i, n->in[i + 2]->dtype, &n->in[i + 2]->shape);
        } else if (!check_output_absent(n, i, "training statistics", d)) {
            return false;
        }
    }
    return true;
}

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
    if (n->opset < 9 && attr_int_or(n, "spatial", 1) == 0)
        return node_error(d, n, "spatial=0 is not supported");
    set_output(n, 0, n->in[0]->dtype, x);
    return batchnorm_outputs(n, d);
}

/* Two per element: a multiply and an add once the per-channel factors
 * are known; training adds four per element for the statistics (an add
 * for the mean, a subtract, multiply and add for the variance). */
static OpCost batchnorm_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(is_training(n) ? 6 : 2, tensor_numel(n->out[0]))};
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
    const char *args[5];
    for (int i = 0; i < 5; i++)
        args[i] = emit_ptr(e, n->in[i]);
    if (is_training(n)) {
        Str momentum = {0};
        str_float_literal(&momentum, attr_float_or(n, "momentum", 0.9));
        emit_line(e, "snt_batchnorm_train_f32(%lld, %lld, %lld, %s, %s, %s, %s, %s, %s, %s, %s, "
                  "%s, %s);",
                  (long long)x->dim[0], (long long)x->dim[1], (long long)hw, args[0], args[1],
                  args[2], args[3], args[4], eps.buf, momentum.buf, emit_ptr(e, n->out[0]),
                  emit_ptr_or_null(e, n->n_out > 1 ? n->out[1] : NULL),
                  emit_ptr_or_null(e, n->n_out > 2 ? n->out[2] : NULL));
        str_free(&momentum);
    } else {
        emit_line(e, "snt_batchnorm_f32(%lld, %lld, %lld, %s, %s, %s, %s, %s, %s, %s);",
                  (long long)x->dim[0], (long long)x->dim[1], (long long)hw, args[0], args[1],
                  args[2], args[3], args[4], eps.buf, emit_ptr(e, n->out[0]));
    }
    str_free(&eps);
    return true;
}

/* Up to opset 13 the optional outputs 1..4 are training statistics; from
 * 14 outputs 1 and 2 are the running statistics of training_mode.  Y
 * may overwrite X: the training kernel takes each channel's statistics
 * before it writes the channel. */
const OpDesc op_BatchNormalization = {
    .name = "BatchNormalization", .since = 7, .until = COMPUTE_OPSET_MAX,
    .min_in = 5, .max_in = 5, .min_out = 1, .max_out = 5,
    .infer = batchnorm_infer, .cost = batchnorm_cost, .emit = batchnorm_emit,
    .in_place = true,
    .dtypes = DT_BIT(DT_FLOAT),
};
