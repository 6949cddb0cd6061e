/*
 * gather_ext.c - GatherElements and GatherND, for any element type.
 *
 * GatherElements picks one element per index along an axis (the output
 * has the indices' shape); GatherND picks whole slices addressed by
 * index tuples.  Folding and the generated code call the same runtime
 * kernels (runtime/src/indexing.c).
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"

/* ------------------------------------------------------------------ */
/* GatherElements                                                       */
/* ------------------------------------------------------------------ */

/* The normalized axis; data and indices must have the same rank, and
 * indices may not be longer than data on the other axes. */
static bool gather_elements_axis(const Node *n, int *axis, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *idx = &n->in[1]->shape;
    if (x->rank < 1 || idx->rank != x->rank)
        return node_error(d, n, "data (rank %d) and indices (rank %d) must have the same "
                          "positive rank", x->rank, idx->rank);
    return elements_axis(n, axis, d);
}

static bool gather_elements_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    int axis;
    if (!check_movable(n, x, d) || !check_index_input(n, 1, d) ||
        !gather_elements_axis(n, &axis, d) ||
        !check_const_indices_in(n, 1, 1, &x->shape.dim[axis], d))
        return false;
    set_output(n, 0, x->dtype, &n->in[1]->shape);
    return true;
}

static bool gather_elements_fold(Node *n, Diag *d)
{
    int axis;
    if (!all_inputs_const(n))
        return true;
    if (!gather_elements_axis(n, &axis, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_elements_params p = elements_params(&x->shape, &idx->shape, axis);
    snt_gather_elements(&p, dtype_size(x->dtype), x->data, idx->dtype, idx->data,
                        alloc_output(n, 0));
    return true;
}

static bool gather_elements_emit(const Node *n, Emitter *e, Diag *d)
{
    int axis;
    if (!gather_elements_axis(n, &axis, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_elements_params p = elements_params(&x->shape, &idx->shape, axis);
    emit_params_snt_elements_params(e, &p, "p");
    emit_line(e, "snt_gather_elements(&p, sizeof(%s), %s, %s, %s, %s);", dtype_ctype(x->dtype),
              emit_ptr(e, x), snt_dtype_code(idx->dtype), emit_ptr(e, idx),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_GatherElements = {
    .name = "GatherElements",
    .dtypes = DT_SET_ALL,
    .since = 11, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = gather_elements_infer,
    .fold = gather_elements_fold,
    .emit = gather_elements_emit,
};

/* ------------------------------------------------------------------ */
/* GatherND                                                             */
/* ------------------------------------------------------------------ */

/* batch_dims (opset 12) leading axes are shared by data and indices;
 * each index tuple of k = indices.shape[-1] values then addresses the
 * next k axes of data. */
static bool gather_nd_batch(const Node *n, int *batch, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *idx = &n->in[1]->shape;
    int64_t b = n->opset >= 12 ? attr_int_or(n, "batch_dims", 0) : 0;
    if (x->rank < 1 || idx->rank < 1)
        return node_error(d, n, "data and indices must have rank 1 or more");
    if (b < 0 || b >= x->rank || b >= idx->rank)
        return node_error(d, n, "batch_dims %lld must be below both ranks (%d, %d)",
                          (long long)b, x->rank, idx->rank);
    int64_t k = idx->dim[idx->rank - 1];
    if (k < 1 || k > x->rank - b)
        return node_error(d, n, "index tuples of %lld values cannot address data of rank %d "
                          "after %lld batch dims", (long long)k, x->rank, (long long)b);
    for (int i = 0; i < b; i++)
        if (x->dim[i] != idx->dim[i])
            return node_error(d, n, "batch dimension %d differs: %lld in data, %lld in indices",
                              i, (long long)x->dim[i], (long long)idx->dim[i]);
    *batch = (int)b;
    return true;
}

static bool gather_nd_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    int b;
    if (!check_movable(n, x, d) || !check_index_input(n, 1, d) || !gather_nd_batch(n, &b, d))
        return false;
    int k = (int)idx->shape.dim[idx->shape.rank - 1];
    if (!check_const_indices_in(n, 1, k, &x->shape.dim[b], d))
        return false;
    /* data.shape[:b] + indices.shape[b:-1] + data.shape[b+k:] */
    int rank = idx->shape.rank - 1 + x->shape.rank - k;
    if (rank > MAX_RANK)
        return node_error(d, n, "output rank %d exceeds the maximum of %d", rank, MAX_RANK);
    Shape s = {.rank = 0};
    for (int i = 0; i < idx->shape.rank - 1; i++)
        s.dim[s.rank++] = idx->shape.dim[i];
    for (int i = b + k; i < x->shape.rank; i++)
        s.dim[s.rank++] = x->shape.dim[i];
    set_output(n, 0, x->dtype, &s);
    return true;
}

static bool gather_nd_fold(Node *n, Diag *d)
{
    int b;
    if (!all_inputs_const(n))
        return true;
    if (!gather_nd_batch(n, &b, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_nd_params p = nd_params(&x->shape, &idx->shape, b);
    snt_gather_nd(&p, dtype_size(x->dtype), x->data, idx->dtype, idx->data, alloc_output(n, 0));
    return true;
}

static bool gather_nd_emit(const Node *n, Emitter *e, Diag *d)
{
    int b;
    if (!gather_nd_batch(n, &b, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_nd_params p = nd_params(&x->shape, &idx->shape, b);
    emit_params_snt_nd_params(e, &p, "p");
    emit_line(e, "snt_gather_nd(&p, sizeof(%s), %s, %s, %s, %s);", dtype_ctype(x->dtype),
              emit_ptr(e, x), snt_dtype_code(idx->dtype), emit_ptr(e, idx),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_GatherND = {
    .name = "GatherND",
    .dtypes = DT_SET_ALL,
    .since = 11, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = gather_nd_infer,
    .fold = gather_nd_fold,
    .emit = gather_nd_emit,
};
