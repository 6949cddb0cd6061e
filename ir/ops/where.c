/*
 * where.c - Where: cond ? x : y elementwise, with numpy broadcasting of
 * all three inputs, for any element type.  Folding and the generated
 * code share the runtime's snt_where.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

static bool where_infer(Node *n, Diag *d)
{
    const Tensor *c = n->in[0], *x = n->in[1], *y = n->in[2];
    if (c->dtype != DT_BOOL)
        return node_error(d, n, "condition '%s' must be bool, not %s", c->name,
                          dtype_label(c->dtype));
    if (!check_movable(n, x, d))
        return false;
    if (y->dtype != x->dtype)
        return node_error(d, n, "x and y differ in dtype (%s, %s)", dtype_label(x->dtype),
                          dtype_label(y->dtype));
    Shape xy, s;
    if (!shape_broadcast(&x->shape, &y->shape, &xy) || !shape_broadcast(&c->shape, &xy, &s))
        return node_error(d, n, "condition, x and y do not broadcast together");
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, x->dtype, &s);
    return true;
}

static snt_where_params where_params(const Node *n)
{
    const Shape *out = &n->out[0]->shape;
    int64_t cs[MAX_RANK], xs[MAX_RANK], ys[MAX_RANK];
    snt_where_params p = {.rank = out->rank};
    broadcast_strides(&n->in[0]->shape, out, cs);
    broadcast_strides(&n->in[1]->shape, out, xs);
    broadcast_strides(&n->in[2]->shape, out, ys);
    for (int i = 0; i < out->rank; i++) {
        p.dims[i] = (size_t)out->dim[i];
        p.cond_strides[i] = (ptrdiff_t)cs[i];
        p.x_strides[i] = (ptrdiff_t)xs[i];
        p.y_strides[i] = (ptrdiff_t)ys[i];
    }
    return p;
}

static bool where_fold(Node *n, Diag *d)
{
    (void)d;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    snt_where_params p = where_params(n);
    snt_where(&p, dtype_size(n->out[0]->dtype), n->in[0]->data, n->in[1]->data, n->in[2]->data,
              alloc_output(n, 0));
    return true;
}

static bool where_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    snt_where_params wp = where_params(n);
    emit_params_snt_where_params(e, &wp, "p");
    emit_line(e, "snt_where(&p, sizeof(%s), %s, %s, %s, %s);", dtype_ctype(n->out[0]->dtype),
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Where = {
    .name = "Where",
    .dtypes = DT_BIT(DT_BOOL),
    .since = 9, .until = 21,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = where_infer,
    .fold = where_fold,
    .emit = where_emit,
};
