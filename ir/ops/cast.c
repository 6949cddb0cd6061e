/*
 * cast.c - Cast: converts every element to the dtype named by `to`.
 *
 * Folding and the generated code both call the runtime's snt_cast, so
 * float-to-integer truncation, the bool rule and the rounding into
 * float16 and bfloat16 are defined once.
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"
#include "ir/ops/op_check.h"

static bool cast_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    const Attr *to = node_attr(n, "to");
    if (!to || to->kind != ATTR_INT)
        return node_error(d, n, "attribute 'to' is required");
    DType t = (DType)to->i;
    if (!cast_dtype_code(t))
        return node_error(d, n, "cannot cast to dtype %lld (%s)", (long long)to->i,
                          dtype_label(t));
    if (!cast_dtype_code(x->dtype))
        return node_error(d, n, "cannot cast from dtype %s", dtype_label(x->dtype));
    set_output(n, 0, t, &x->shape);
    return true;
}

bool cast_fold(Node *n, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0];
    if (tensor_is_const(x))
        snt_cast(x->dtype, x->data, n->out[0]->dtype, alloc_output(n, 0),
                 (size_t)tensor_numel(x));
    return true;
}

static bool cast_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0], *y = n->out[0];
    size_t count = (size_t)tensor_numel(x);
    if (count)
        emit_line(e, "snt_cast(%s, %s, %s, %s, %zu);", cast_dtype_code(x->dtype),
                  emit_ptr(e, x), cast_dtype_code(y->dtype), emit_ptr(e, y), count);
    return true;
}

const OpDesc op_Cast = {
    .name = "Cast",
    .since = 6, .until = 17, /* `to` was a string before opset 6 */
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = cast_infer,
    .fold = cast_fold,
    .emit = cast_emit,
    .dtypes = DT_SET_ALL,
    .restriction = "no casts to or from strings",
};
