/*
 * onehot_eyelike.c - OneHot and EyeLike: tensors of "off" values with
 * "on" values at computed positions.
 *
 * OneHot's depth fixes the output shape, so it must be known at compile
 * time; its indices and values may be run-time inputs.  EyeLike depends
 * only on its input's shape and always folds.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"

/* ------------------------------------------------------------------ */
/* OneHot                                                               */
/* ------------------------------------------------------------------ */

/* The depth: one value of any numeric dtype (non-integers truncate). */
static bool onehot_depth(const Node *n, int64_t *depth, Diag *d)
{
    const Tensor *t = n->in[1];
    if (!tensor_is_const(t))
        return node_error(d, n, "input 1 ('%s') must be known at compile time", t->name);
    if (tensor_numel(t) != 1 || !dtype_is_numeric(t->dtype))
        return node_error(d, n, "depth '%s' must be one number", t->name);
    double v = dtype_get_f64(t->dtype, t->data, 0);
    if (!(v >= 1 && v <= (double)MAX_ELEMENTS))
        return node_error(d, n, "depth %g is out of range", v);
    *depth = (int64_t)v;
    return true;
}

/* The axis of the new dimension, in [0, rank of the output). */
static bool onehot_axis(const Node *n, int *axis, Diag *d)
{
    int64_t value = attr_int_or(n, "axis", -1);
    if (!axis_normalize(value, n->in[0]->shape.rank + 1, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)value,
                          n->in[0]->shape.rank + 1);
    return true;
}

static bool onehot_infer(Node *n, Diag *d)
{
    const Tensor *idx = n->in[0], *values = n->in[2];
    int64_t depth = 0;
    int axis;
    if (!onehot_depth(n, &depth, d) || !onehot_axis(n, &axis, d) || !check_movable(n, values, d))
        return false;
    if (!dtype_is_numeric(idx->dtype))
        return node_error(d, n, "indices '%s' must be numbers, not %s", idx->name,
                          dtype_label(idx->dtype));
    if (tensor_numel(values) != 2)
        return node_error(d, n, "values '%s' must hold two elements (off, on)", values->name);
    if (idx->shape.rank + 1 > MAX_RANK)
        return node_error(d, n, "output rank %d exceeds the maximum of %d", idx->shape.rank + 1,
                          MAX_RANK);
    Shape s = {.rank = idx->shape.rank + 1};
    for (int i = 0, j = 0; i < s.rank; i++)
        s.dim[i] = i == axis ? depth : idx->shape.dim[j++];
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, values->dtype, &s);
    return true;
}

/* The output as [outer][depth][inner] around the new axis. */
static void onehot_view(const Node *n, int axis, size_t *outer, size_t *inner)
{
    const Shape *s = &n->in[0]->shape;
    *outer = *inner = 1;
    for (int i = 0; i < s->rank; i++)
        *(i < axis ? outer : inner) *= (size_t)s->dim[i];
}

static bool onehot_fold(Node *n, Diag *d)
{
    int64_t depth;
    int axis;
    size_t outer, inner;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!onehot_depth(n, &depth, d) || !onehot_axis(n, &axis, d))
        return false;
    onehot_view(n, axis, &outer, &inner);
    snt_onehot(outer, (size_t)depth, inner, n->in[0]->dtype, n->in[0]->data,
               dtype_size(n->in[2]->dtype), n->in[2]->data, alloc_output(n, 0));
    return true;
}

static bool onehot_emit(const Node *n, Emitter *e, Diag *d)
{
    int64_t depth;
    int axis;
    size_t outer, inner;
    if (!onehot_depth(n, &depth, d) || !onehot_axis(n, &axis, d))
        return false;
    onehot_view(n, axis, &outer, &inner);
    emit_line(e, "snt_onehot(%zu, %lld, %zu, %s, %s, sizeof(%s), %s, %s);", outer,
              (long long)depth, inner, snt_dtype_code(n->in[0]->dtype), emit_ptr(e, n->in[0]),
              dtype_ctype(n->out[0]->dtype), emit_ptr(e, n->in[2]), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_OneHot = {
    .name = "OneHot",
    .dtypes = DT_SET_REAL,
    .since = 9, .until = 21,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = onehot_infer,
    .fold = onehot_fold,
    .emit = onehot_emit,
};

/* ------------------------------------------------------------------ */
/* EyeLike                                                              */
/* ------------------------------------------------------------------ */

static bool eyelike_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    DType t = (DType)attr_int_or(n, "dtype", x->dtype);
    if (x->shape.rank != 2)
        return node_error(d, n, "input '%s' must have rank 2, not %d", x->name, x->shape.rank);
    if (!dtype_is_numeric(t) && t != DT_BOOL)
        return node_error(d, n, "dtype %s is unsupported", dtype_label(t));
    if (!check_fold_size(n, &x->shape, d))
        return false;
    set_output(n, 0, t, &x->shape);
    return true;
}

/* Ones on diagonal k (column - row == k), zeros elsewhere; the input's
 * values do not matter. */
static bool eyelike_fold(Node *n, Diag *d)
{
    (void)d;
    const Tensor *y = n->out[0];
    int64_t k = attr_int_or(n, "k", 0), rows = y->shape.dim[0], cols = y->shape.dim[1];
    void *data = alloc_output(n, 0);
    for (int64_t r = 0; r < rows; r++)
        if (k >= -r && k < cols - r)
            dtype_set_f64(y->dtype, data, (size_t)(r * cols + r + k), 1);
    return true;
}

const OpDesc op_EyeLike = {
    .name = "EyeLike",
    .dtypes = DT_SET_ALL,
    .since = 9, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = eyelike_infer,
    .fold = eyelike_fold,
    .emit = emit_folded_only,
};
