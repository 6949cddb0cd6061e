/*
 * identity_like.c - ops that pass their input through in inference:
 * Identity, CastLike (Cast to the dtype of a second input) and Dropout
 * (the identity outside training, with a mask of all ones).
 */
#include "ir/ops/index_util.h"
#include "ir/ops/sequence.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* CastLike                                                             */
/* ------------------------------------------------------------------ */

static bool castlike_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *like = n->in[1];
    if (!cast_dtype_code(x->dtype) || !cast_dtype_code(like->dtype))
        return node_error(d, n, "cannot cast from %s to %s", dtype_label(x->dtype),
                          dtype_label(like->dtype));
    set_output(n, 0, like->dtype, &x->shape);
    return true;
}

static bool castlike_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0], *y = n->out[0];
    emit_line(e, "snt_cast(%s, %s, %s, %s, %lld);", cast_dtype_code(x->dtype), emit_ptr(e, x),
              cast_dtype_code(y->dtype), emit_ptr(e, y), (long long)tensor_numel(x));
    return true;
}

const OpDesc op_CastLike = {
    .name = "CastLike",
    .dtypes = DT_SET_ALL,
    .restriction = "no casts to or from strings",
    .since = 15, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = castlike_infer,
    .fold = cast_fold,
    .emit = castlike_emit,
};

/* ------------------------------------------------------------------ */
/* Dropout                                                              */
/* ------------------------------------------------------------------ */

/* Dropout drops nothing unless training_mode (opset 12+) is true and the
 * ratio is above 0; random training-mode dropout is refused, since an
 * inference compiler cannot reproduce the model's random numbers. */
static bool dropout_check_inference(const Node *n, Diag *d)
{
    const Tensor *ratio = n->n_in > 1 ? n->in[1] : NULL;
    const Tensor *training = n->n_in > 2 ? n->in[2] : NULL;
    if (!training)
        return true;
    if (!tensor_is_const(training))
        return node_error(d, n, "input 2 ('%s') must be known at compile time", training->name);
    if (!dtype_get_i64(training->dtype, training->data, 0))
        return true;
    if (ratio && !tensor_is_const(ratio))
        return node_error(d, n, "input 1 ('%s') must be known at compile time", ratio->name);
    double r = ratio ? dtype_get_f64(ratio->dtype, ratio->data, 0) : 0.5;
    if (r != 0)
        return node_error(d, n, "training-mode dropout with ratio %g is random; unsupported", r);
    return true;
}

static bool dropout_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!check_movable(n, x, d) || !dropout_check_inference(n, d))
        return false;
    set_output(n, 0, x->dtype, &x->shape);
    /* The mask had the data's dtype until opset 10 made it bool. */
    if (n->n_out > 1)
        set_output(n, 1, n->opset >= 10 ? DT_BOOL : x->dtype, &x->shape);
    return true;
}

/* Folds when the data is constant; Dropout's mask is all ones.  (The
 * mask is not folded alone: a node whose outputs are partly constant
 * would still have to write the constant one when it is a graph output.) */
static bool passthrough_fold(Node *n, Diag *d)
{
    (void)d;
    if (!tensor_is_const(n->in[0]) || tensor_numel(n->in[0]) > FOLD_MAX_ELEMENTS)
        return true;
    tensor_set_data(n->out[0], n->in[0]->data);
    if (n->n_out > 1) {
        const Tensor *mask = n->out[1];
        void *data = alloc_output(n, 1);
        for (int64_t i = 0; i < tensor_numel(mask); i++)
            dtype_set_f64(mask->dtype, data, (size_t)i, 1);
    }
    return true;
}

static bool passthrough_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    size_t bytes = tensor_bytes(n->out[0]);
    const char *y = emit_ptr(e, n->out[0]), *x = emit_ptr(e, n->in[0]);
    /* The planner may have made the output a view of the input while the
     * node stays for its mask: then there is nothing to copy. */
    if (bytes && strcmp(y, x) != 0)
        emit_line(e, "memcpy(%s, %s, %zu);", y, x, bytes);
    if (n->n_out > 1 && bytes)
        emit_line(e, "for (size_t i = 0; i < %lld; i++) %s[i] = 1;",
                  (long long)tensor_numel(n->out[1]), emit_ptr(e, n->out[1]));
    return true;
}

const OpDesc op_Dropout = {
    .name = "Dropout",
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_BIT(DT_FLOAT16) | DT_BIT(DT_BFLOAT16),
    .since = 7, .until = 21, /* opsets 1-6 had is_test and consumed_inputs */
    .min_in = 1, .max_in = 3,
    .min_out = 1, .max_out = 2,
    .infer = dropout_infer,
    .fold = passthrough_fold,
    .emit = passthrough_emit,
    .is_view = true,
};

/* ------------------------------------------------------------------ */
/* Identity                                                             */
/* ------------------------------------------------------------------ */

/* The identity of a sequence or optional is the same value: its output
 * is seen through to the builder of the input (value_items), and like
 * the builders it prints no code. */
static bool identity_infer(Node *n, Diag *d)
{
    Tensor *x = n->in[0];
    if (x->kind != KIND_TENSOR) {
        Tensor *const *items;
        int count = value_items(x, &items);
        if (count < 0)
            return node_error(d, n, "input '%s' must be known at compile time", x->name);
        set_value_output(n, x->kind, x->dtype, items, count);
        return true;
    }
    if (!check_movable(n, x, d))
        return false;
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

static bool identity_emit(const Node *n, Emitter *e, Diag *d)
{
    if (n->in[0]->kind != KIND_TENSOR)
        return emit_value_builder(n, e, d);
    return passthrough_emit(n, e, d);
}

const OpDesc op_Identity = {
    .name = "Identity",
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = identity_infer,
    .fold = passthrough_fold,
    .emit = identity_emit,
    .is_view = true,
    .dtypes = DT_SET_ALL,
};
