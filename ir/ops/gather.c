/*
 * gather.c - Gather: picks slices of the data along one axis by index.
 *
 * The output shape is data.shape[:axis] + indices.shape +
 * data.shape[axis+1:], so a 0-d index (PyTorch's x.size(2)) lowers the
 * rank by one.  Both folding and the generated code call the runtime's
 * snt_gather_*, which sees the data as [outer][axis_len][inner].
 */
#include "ir/ops/data_util.h"
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
