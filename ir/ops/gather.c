/*
 * gather.c - Gather, GatherElements and GatherND, for any element type.
 *
 * Gather picks slices of the data along one axis by index.
 * The output shape is data.shape[:axis] + indices.shape +
 * data.shape[axis+1:], so a 0-d index (PyTorch's x.size(2)) lowers the
 * rank by one.  Both folding and the generated code call the runtime's
 * snt_gather_*, which sees the data as [outer][axis_len][inner].
 *
 * GatherElements picks one element per index along an axis (the output
 * has the indices' shape); GatherND picks whole slices addressed by
 * index tuples.  Folding and the generated code call the same runtime
 * kernels (runtime/src/indexing.c).
 */
#include "ir/ops/data_util.h"
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/op_check.h"

#include <stdlib.h>

/* The data viewed as [outer][axis_len][inner] around the gather axis. */
typedef struct {
    size_t outer, axis_len, inner;
    size_t n_idx;
} GatherView;

static bool gather_axis(const Node *n, int *axis, Diag *d)
{
    int64_t value = attr_int_or(n, "axis", 0);
    if (!axis_normalize(value, n->in[0]->shape.rank, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)value,
                          n->in[0]->shape.rank);
    return true;
}

static GatherView gather_view(const Node *n, int axis)
{
    const Shape *s = &n->in[0]->shape;
    GatherView v = {.outer = 1, .axis_len = (size_t)s->dim[axis], .inner = 1,
                    .n_idx = (size_t)tensor_numel(n->in[1])};
    for (int i = 0; i < axis; i++)
        v.outer *= (size_t)s->dim[i];
    for (int i = axis + 1; i < s->rank; i++)
        v.inner *= (size_t)s->dim[i];
    return v;
}

/* Constant indices must lie in [-axis_len, axis_len): ONNX leaves others
 * undefined, and we would rather say so than clamp silently. */
static bool check_const_indices(const Node *n, int64_t axis_len, Diag *d)
{
    const Tensor *idx = n->in[1];
    int64_t count = tensor_numel(idx);
    for (int64_t i = 0; i < count; i++) {
        int64_t k = dtype_get_i64(idx->dtype, idx->data, (size_t)i);
        if (k < -axis_len || k >= axis_len)
            return node_error(d, n, "index %lld is out of range for an axis of %lld",
                              (long long)k, (long long)axis_len);
    }
    return true;
}

static bool gather_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    int axis;
    if (!check_movable(n, x, d) || !gather_axis(n, &axis, d))
        return false;
    if (idx->dtype != DT_INT32 && idx->dtype != DT_INT64)
        return node_error(d, n, "indices must be int32 or int64, not %s", dtype_label(idx->dtype));
    if (tensor_is_const(idx) && !check_const_indices(n, x->shape.dim[axis], d))
        return false;
    int rank = x->shape.rank - 1 + idx->shape.rank;
    if (rank > MAX_RANK)
        return node_error(d, n, "output rank %d exceeds the maximum of %d", rank, MAX_RANK);
    Shape s = {.rank = 0};
    for (int i = 0; i < axis; i++)
        s.dim[s.rank++] = x->shape.dim[i];
    for (int i = 0; i < idx->shape.rank; i++)
        s.dim[s.rank++] = idx->shape.dim[i];
    for (int i = axis + 1; i < x->shape.rank; i++)
        s.dim[s.rank++] = x->shape.dim[i];
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, x->dtype, &s);
    return true;
}

static bool gather_fold(Node *n, Diag *d)
{
    int axis;
    if (!all_inputs_const(n))
        return true;
    if (!gather_axis(n, &axis, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    GatherView v = gather_view(n, axis);
    /* The i32 and i64 kernels agree; widening once keeps one call. */
    int64_t *wide = xmalloc(v.n_idx * sizeof *wide);
    for (size_t i = 0; i < v.n_idx; i++)
        wide[i] = dtype_get_i64(idx->dtype, idx->data, i);
    snt_gather_i64(v.outer, v.axis_len, v.inner, dtype_size(x->dtype), x->data, wide, v.n_idx,
                   alloc_output(n, 0));
    free(wide);
    return true;
}

static bool gather_emit(const Node *n, Emitter *e, Diag *d)
{
    int axis;
    if (!gather_axis(n, &axis, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    const Tensor *x = n->in[0], *idx = n->in[1];
    GatherView v = gather_view(n, axis);
    emit_line(e, "snt_gather_%s(%zu, %zu, %zu, sizeof(%s), %s, %s, %zu, %s);",
              idx->dtype == DT_INT32 ? "i32" : "i64", v.outer, v.axis_len, v.inner,
              dtype_ctype(x->dtype), emit_ptr(e, x), emit_ptr(e, idx), v.n_idx,
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Gather = {
    .name = "Gather",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = gather_infer,
    .fold = gather_fold,
    .emit = gather_emit,
};

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
