/*
 * losses.c - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, in
 * inference form: scores [N, C, d1 ...] (float32), targets [N, d1 ...]
 * (int32 or int64), optional class weights [C]; reduction "none" keeps
 * the per-element loss, "sum" and "mean" (the default) give a scalar.
 * SoftmaxCrossEntropyLoss may also output its log_softmax scores.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <string.h>

/* Reads reduction and ignore_index, and the [N][C][D] view of scores. */
static bool loss_params(const Node *n, snt_loss_params *p, Diag *d)
{
    const char *r = attr_string_or(n, "reduction", "mean");
    if (!strcmp(r, "none"))
        p->reduction = SNT_LOSS_NONE;
    else if (!strcmp(r, "sum"))
        p->reduction = SNT_LOSS_SUM;
    else if (!strcmp(r, "mean"))
        p->reduction = SNT_LOSS_MEAN;
    else
        return node_error(d, n, "reduction '%s' is not none, sum or mean", r);
    p->has_ignore = node_attr(n, "ignore_index") != NULL;
    p->ignore_index = attr_int_or(n, "ignore_index", 0);
    p->target_dtype = (int)n->in[1]->dtype;
    const Shape *x = &n->in[0]->shape;
    p->batch = (size_t)x->dim[0];
    p->classes = (size_t)x->dim[1];
    p->inner = 1;
    for (int i = 2; i < x->rank; i++)
        p->inner *= (size_t)x->dim[i];
    return true;
}

/* Checks scores, targets and weights against each other. */
static bool loss_check_inputs(const Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *t = n->in[1], *w = n->n_in > 2 ? n->in[2] : NULL;
    if (!check_inputs_present(n, 2, d))
        return false;
    if (x->dtype != DT_FLOAT || (w && w->dtype != DT_FLOAT))
        return node_error(d, n, "scores and weights must be float32, not %s",
                          dtype_label(w && w->dtype != DT_FLOAT ? w->dtype : x->dtype));
    if (t->dtype != DT_INT32 && t->dtype != DT_INT64)
        return node_error(d, n, "targets ('%s') must be int32 or int64, not %s", t->name,
                          dtype_label(t->dtype));
    if (x->shape.rank < 2)
        return node_error(d, n, "scores ('%s') must be [N, C, ...]", x->name);
    bool match = t->shape.rank == x->shape.rank - 1 && t->shape.dim[0] == x->shape.dim[0];
    for (int i = 1; match && i < t->shape.rank; i++)
        match = t->shape.dim[i] == x->shape.dim[i + 1];
    if (!match)
        return node_error(d, n, "targets ('%s') must be scores' shape without axis 1", t->name);
    if (w && (w->shape.rank != 1 || w->shape.dim[0] != x->shape.dim[1]))
        return node_error(d, n, "weights ('%s') must be [C]", w->name);
    return true;
}

static bool loss_infer(Node *n, Diag *d)
{
    snt_loss_params p;
    if (!loss_check_inputs(n, d) || !loss_params(n, &p, d))
        return false;
    Shape s = {.rank = 0};
    if (p.reduction == SNT_LOSS_NONE)
        s = n->in[1]->shape;
    set_output(n, 0, DT_FLOAT, &s);
    if (n->n_out > 1 && n->out[1])
        set_output(n, 1, DT_FLOAT, &n->in[0]->shape);
    return true;
}

/* A few operations per score (log_softmax) plus one per target. */
static OpCost loss_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(tensor_numel(n->in[0]), 4) + tensor_numel(n->in[1])};
}

static const char *weights_ptr(const Node *n, Emitter *e)
{
    return emit_ptr_or_null(e, n->n_in > 2 ? n->in[2] : NULL);
}

static bool nll_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_loss_params p;
    if (!loss_params(n, &p, d))
        return false;
    emit_params_snt_loss_params(e, &p, "p");
    emit_line(e, "snt_nll_loss_f32(&p, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), weights_ptr(n, e), emit_ptr(e, n->out[0]));
    return true;
}

/* log_prob goes to output 1 when the model asks for it, else scratch. */
static const Tensor *log_prob_output(const Node *n)
{
    return n->n_out > 1 ? n->out[1] : NULL;
}

static size_t sce_scratch_bytes(const Node *n)
{
    return log_prob_output(n) ? 0 : tensor_bytes(n->in[0]);
}

static bool sce_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_loss_params p;
    if (!loss_params(n, &p, d))
        return false;
    const Tensor *log_prob = log_prob_output(n);
    emit_params_snt_loss_params(e, &p, "p");
    emit_line(e, "snt_softmax_cross_entropy_f32(&p, %s, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), weights_ptr(n, e),
              log_prob ? emit_ptr(e, log_prob) : emit_scratch(e, sce_scratch_bytes(n)),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_NegativeLogLikelihoodLoss = {
    .name = "NegativeLogLikelihoodLoss", .since = 12, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = loss_infer, .cost = loss_cost, .emit = nll_emit,
};

const OpDesc op_SoftmaxCrossEntropyLoss = {
    .name = "SoftmaxCrossEntropyLoss", .since = 12, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 2,
    .infer = loss_infer, .cost = loss_cost, .emit = sce_emit,
    .scratch_bytes = sce_scratch_bytes,
};
