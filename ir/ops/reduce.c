/*
 * reduce.c - ReduceMean.  The axes are an attribute up to opset 17 and an
 * optional constant input from opset 18, where noop_with_empty_axes
 * makes "no axes" mean identity instead of "all axes".
 */
#include "ir/ops/op_emit.h"

/* Sets reduced[i] for each axis of x that the node reduces. */
static bool reduce_axes(const Node *n, bool *reduced, Diag *d)
{
    int rank = n->in[0]->shape.rank;
    int64_t axes[MAX_RANK];
    int count = 0;
    if (n->opset >= 18) {
        if (n->n_in > 1 && n->in[1]) {
            count = const_ints(n, 1, axes, MAX_RANK, d);
            if (count < 0)
                return false;
        }
        if (count == 0 && attr_int_or(n, "noop_with_empty_axes", 0) != 0) {
            for (int i = 0; i < rank; i++)
                reduced[i] = false;
            return true;
        }
    } else {
        count = attr_ints(n, "axes", axes, MAX_RANK);
        if (count > MAX_RANK)
            return node_error(d, n, "attribute axes has %d values, more than the rank", count);
        count = count < 0 ? 0 : count;
    }
    for (int i = 0; i < rank; i++)
        reduced[i] = count == 0; /* no axes: all of them */
    for (int k = 0; k < count; k++) {
        int a;
        if (!axis_normalize(axes[k], rank, &a))
            return node_error(d, n, "axis %lld is out of range for rank %d",
                              (long long)axes[k], rank);
        if (reduced[a])
            return node_error(d, n, "axis %lld is repeated", (long long)axes[k]);
        reduced[a] = true;
    }
    return true;
}

static bool reduce_infer(Node *n, Diag *d)
{
    bool reduced[MAX_RANK];
    if (!check_inputs_present(n, 1, d) || !reduce_axes(n, reduced, d))
        return false;
    const Tensor *x = n->in[0];
    if (!dtype_is_numeric(x->dtype))
        return node_error(d, n, "unsupported dtype %s", dtype_label(x->dtype));
    bool keepdims = attr_int_or(n, "keepdims", 1) != 0;
    Shape y = {0};
    for (int i = 0; i < x->shape.rank; i++) {
        if (!reduced[i])
            y.dim[y.rank++] = x->shape.dim[i];
        else if (keepdims)
            y.dim[y.rank++] = 1;
    }
    set_output(n, 0, x->dtype, &y);
    return true;
}

/* One add per input element and one divide per output element. */
static OpCost reduce_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0]) + tensor_numel(n->out[0])};
}

/* Splits x's axes into the kept ones (the output, dense) and the reduced
 * ones, each with x's strides; an empty side iterates one element. */
static snt_reduce_params reduce_params(const Shape *x, const bool *reduced)
{
    snt_reduce_params p = {0};
    int64_t strides[MAX_RANK];
    shape_strides(x, strides);
    for (int i = 0; i < x->rank; i++) {
        if (reduced[i]) {
            p.red_dims[p.red_rank] = (size_t)x->dim[i];
            p.red_strides[p.red_rank++] = (ptrdiff_t)strides[i];
        } else {
            p.out_dims[p.out_rank] = (size_t)x->dim[i];
            p.out_strides[p.out_rank++] = (ptrdiff_t)strides[i];
        }
    }
    if (p.out_rank == 0) {
        p.out_rank = 1;
        p.out_dims[0] = 1;
    }
    if (p.red_rank == 0) {
        p.red_rank = 1;
        p.red_dims[0] = 1;
    }
    return p;
}

static bool reduce_emit(const Node *n, Emitter *e, Diag *d)
{
    bool reduced[MAX_RANK];
    if (!check_f32_runtime(n, d) || !reduce_axes(n, reduced, d))
        return false;
    snt_reduce_params rp = reduce_params(&n->in[0]->shape, reduced);
    Params p = {0};
    params_int(&p, "out_rank", rp.out_rank);
    params_sizes(&p, "out_dims", rp.out_dims, rp.out_rank);
    params_strides(&p, "out_strides", rp.out_strides, rp.out_rank);
    params_int(&p, "red_rank", rp.red_rank);
    params_sizes(&p, "red_dims", rp.red_dims, rp.red_rank);
    params_strides(&p, "red_strides", rp.red_strides, rp.red_rank);
    params_emit(&p, e, "snt_reduce_params");
    emit_line(e, "snt_reduce_f32(SNT_RED_MEAN, &p, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

/* Input 1 (axes) exists from opset 18. */
const OpDesc op_ReduceMean = {
    .name = "ReduceMean", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = reduce_infer, .cost = reduce_cost, .emit = reduce_emit,
};
