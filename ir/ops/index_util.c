/*
 * index_util.c - helpers shared by the ops that take index tensors.
 */
#include "ir/ops/index_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

bool check_index_input(const Node *n, int i, Diag *d)
{
    const Tensor *t = n->in[i];
    if (t->dtype != DT_INT32 && t->dtype != DT_INT64)
        return node_error(d, n, "indices '%s' must be int32 or int64, not %s", t->name,
                          dtype_label(t->dtype));
    return true;
}

/* Constant indices out of range are undefined in ONNX; we would rather
 * say so at compile time than clamp or skip silently at run time. */
bool check_const_indices_in(const Node *n, int i, int k, const int64_t *dims, Diag *d)
{
    const Tensor *t = n->in[i];
    if (!tensor_is_const(t))
        return true;
    int64_t count = tensor_numel(t);
    for (int64_t e = 0; e < count; e++) {
        int64_t v = dtype_get_i64(t->dtype, t->data, (size_t)e);
        int64_t len = dims[e % k];
        if (v < -len || v >= len)
            return node_error(d, n, "index %lld is out of range for an axis of %lld",
                              (long long)v, (long long)len);
    }
    return true;
}

snt_elements_params elements_params(const Shape *x, const Shape *idx, int axis)
{
    snt_elements_params p = {.rank = x->rank, .axis = axis};
    for (int i = 0; i < x->rank; i++) {
        p.x_dims[i] = (size_t)x->dim[i];
        p.idx_dims[i] = (size_t)idx->dim[i];
    }
    return p;
}

static size_t dims_product(const Shape *s, int lo, int hi)
{
    size_t p = 1;
    for (int i = lo; i < hi; i++)
        p *= (size_t)s->dim[i];
    return p;
}

snt_nd_params nd_params(const Shape *x, const Shape *idx, int batch_dims)
{
    int k = (int)idx->dim[idx->rank - 1];
    snt_nd_params p = {
        .batch = dims_product(x, 0, batch_dims),
        .tuples = dims_product(idx, batch_dims, idx->rank - 1),
        .slice = dims_product(x, batch_dims + k, x->rank),
        .k = k,
    };
    for (int j = 0; j < k; j++)
        p.dims[j] = (size_t)x->dim[batch_dims + j];
    return p;
}

bool elements_axis(const Node *n, int *axis, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *idx = &n->in[1]->shape;
    int64_t value = attr_int_or(n, "axis", 0);
    if (!axis_normalize(value, x->rank, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)value,
                          x->rank);
    for (int i = 0; i < x->rank; i++)
        if (i != *axis && idx->dim[i] > x->dim[i])
            return node_error(d, n, "indices dimension %d (%lld) exceeds data's (%lld)", i,
                              (long long)idx->dim[i], (long long)x->dim[i]);
    return true;
}
