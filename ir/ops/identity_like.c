/*
 * identity_like.c - ops that pass their input through in inference:
 * Identity and CastLike (Cast to the dtype of a second input).  Dropout,
 * the identity outside training, is rewritten into Identity nodes
 * (ir/ops/dropout.c).
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"
#include "ir/ops/sequence.h"
#include "ir/ops/op_check.h"

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
/* Identity                                                             */
/* ------------------------------------------------------------------ */

/* Folds when the data is constant. */
static bool passthrough_fold(Node *n, Diag *d)
{
    (void)d;
    if (!tensor_is_const(n->in[0]) || tensor_numel(n->in[0]) > FOLD_MAX_ELEMENTS)
        return true;
    tensor_set_data(n->out[0], n->in[0]->data);
    return true;
}

static bool passthrough_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    size_t bytes = tensor_bytes(n->out[0]);
    const char *y = emit_ptr(e, n->out[0]), *x = emit_ptr(e, n->in[0]);
    /* The planner may have made the output a view of the input: then
     * there is nothing to copy. */
    if (bytes && strcmp(y, x) != 0)
        emit_line(e, "memcpy(%s, %s, %zu);", y, x, bytes);
    return true;
}

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
