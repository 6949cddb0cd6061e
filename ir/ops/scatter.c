/*
 * scatter.c - ScatterElements (and its opset 9-10 name Scatter) and
 * ScatterND: the output is the data with some elements or slices
 * replaced by updates, or combined with them (reduction, opset 16+:
 * add, mul; opset 18+: max, min).
 *
 * Folding and the generated code call the same runtime kernels
 * (runtime/src/indexing.c), which copy the data and apply the updates in
 * index order, so duplicate indices behave as in ONNX's reference.
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/attr_choice.h"
#include "ir/ops/op_check.h"

/* The reduction attribute's values, in the order of snt_scatter_op, and
 * the opset each appeared in. */
static const AttrChoice reductions[] = {
    {"none", "SNT_SCATTER_NONE"}, {"add", "SNT_SCATTER_ADD"}, {"mul", "SNT_SCATTER_MUL"},
    {"max", "SNT_SCATTER_MAX"}, {"min", "SNT_SCATTER_MIN"},
};
static const int reduction_since[] = {1, 16, 16, 18, 18};

/* The reduction attribute; "none" for opsets that lack it. */
static bool scatter_reduction(const Node *n, snt_scatter_op *op, Diag *d)
{
    const char *name = attr_string_or(n, "reduction", "none");
    int i = attr_choice_index(n, "reduction", reductions, 5);
    if (i < 0 || n->opset < reduction_since[i])
        return node_error(d, n, "reduction '%s' is not supported", name);
    *op = (snt_scatter_op)i;
    if (*op != SNT_SCATTER_NONE && !dtype_is_numeric(n->in[0]->dtype))
        return node_error(d, n, "reduction '%s' needs numbers, not %s", name,
                          dtype_label(n->in[0]->dtype));
    return true;
}

/* Checks shared by both ops (data and updates dtypes, index dtype,
 * reduction) and sets the output: the data's dtype and shape. */
static bool check_scatter_inputs(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    snt_scatter_op op;
    if (!snt_dtype_code(x->dtype))
        return node_error(d, n, "data of dtype %s is unsupported", dtype_label(x->dtype));
    if (!check_same_dtype(n, 2, d) || !check_index_input(n, 1, d) ||
        !scatter_reduction(n, &op, d))
        return false;
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

/* One FLOP per update element when updates are combined with the data. */
static OpCost scatter_cost(const Node *n)
{
    snt_scatter_op op;
    Diag d = {0};
    bool ok = scatter_reduction(n, &op, &d);
    diag_free(&d);
    return (OpCost){.flops = ok && op != SNT_SCATTER_NONE ? tensor_numel(n->in[2]) : 0};
}

/* The kernel call shared by the two ops, after the params are printed. */
static void emit_scatter_call(const Node *n, Emitter *e, const char *kernel, snt_scatter_op op)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    emit_line(e, "%s(&p, %s, %s, %s, %s, %s, %s, %s);", kernel, snt_dtype_code(x->dtype),
              reductions[op].constant, emit_ptr(e, x), snt_dtype_code(idx->dtype),
              emit_ptr(e, idx), emit_ptr(e, n->in[2]), emit_ptr(e, n->out[0]));
}

/* ------------------------------------------------------------------ */
/* ScatterElements and Scatter                                          */
/* ------------------------------------------------------------------ */

/* The normalized axis; indices and updates share one shape, of data's
 * rank and no longer than data on the other axes. */
static bool scatter_elements_axis(const Node *n, int *axis, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *idx = &n->in[1]->shape;
    if (x->rank < 1 || idx->rank != x->rank || !shape_equal(idx, &n->in[2]->shape))
        return node_error(d, n, "indices and updates must have one shape of data's rank %d",
                          x->rank);
    return elements_axis(n, axis, d);
}

static bool scatter_elements_infer(Node *n, Diag *d)
{
    int axis;
    return check_scatter_inputs(n, d) && scatter_elements_axis(n, &axis, d) &&
           check_const_indices_in(n, 1, 1, &n->in[0]->shape.dim[axis], d);
}

static bool scatter_elements_fold(Node *n, Diag *d)
{
    int axis;
    snt_scatter_op op;
    if (!all_inputs_const(n))
        return true;
    if (!scatter_elements_axis(n, &axis, d) || !scatter_reduction(n, &op, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_elements_params p = elements_params(&x->shape, &idx->shape, axis);
    snt_scatter_elements(&p, x->dtype, op, x->data, idx->dtype, idx->data, n->in[2]->data,
                         alloc_output(n, 0));
    return true;
}

static bool scatter_elements_emit(const Node *n, Emitter *e, Diag *d)
{
    int axis;
    snt_scatter_op op;
    if (!scatter_elements_axis(n, &axis, d) || !scatter_reduction(n, &op, d))
        return false;
    snt_elements_params p = elements_params(&n->in[0]->shape, &n->in[1]->shape, axis);
    emit_params_snt_elements_params(e, &p, "p");
    emit_scatter_call(n, e, "snt_scatter_elements", op);
    return true;
}

const OpDesc op_ScatterElements = {
    .name = "ScatterElements",
    .dtypes = DT_SET_ALL,
    .since = 11, .until = 21,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = scatter_elements_infer,
    .fold = scatter_elements_fold,
    .cost = scatter_cost,
    .emit = scatter_elements_emit,
};

/* The same op under its name before opset 11. */
const OpDesc op_Scatter = {
    .name = "Scatter",
    .dtypes = DT_SET_ALL,
    .since = 9, .until = 10,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = scatter_elements_infer,
    .fold = scatter_elements_fold,
    .cost = scatter_cost,
    .emit = scatter_elements_emit,
};

/* ------------------------------------------------------------------ */
/* ScatterND                                                            */
/* ------------------------------------------------------------------ */

/* Index tuples of k = indices.shape[-1] values address the first k axes
 * of data; updates are indices.shape[:-1] + data.shape[k:]. */
static bool scatter_nd_check(const Node *n, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *idx = &n->in[1]->shape, *upd = &n->in[2]->shape;
    if (x->rank < 1 || idx->rank < 1)
        return node_error(d, n, "data and indices must have rank 1 or more");
    int64_t k = idx->dim[idx->rank - 1];
    if (k < 1 || k > x->rank)
        return node_error(d, n, "index tuples of %lld values cannot address data of rank %d",
                          (long long)k, x->rank);
    Shape want = {.rank = 0};
    for (int i = 0; i < idx->rank - 1; i++)
        want.dim[want.rank++] = idx->dim[i];
    for (int i = (int)k; i < x->rank && want.rank < MAX_RANK; i++)
        want.dim[want.rank++] = x->dim[i];
    if (idx->rank - 1 + x->rank - k > MAX_RANK || !shape_equal(&want, upd)) {
        char buf[128];
        return node_error(d, n, "updates must have shape %s", shape_str(&want, buf, sizeof buf));
    }
    return check_const_indices_in(n, 1, (int)k, x->dim, d);
}

static bool scatter_nd_infer(Node *n, Diag *d)
{
    return check_scatter_inputs(n, d) && scatter_nd_check(n, d);
}

static bool scatter_nd_fold(Node *n, Diag *d)
{
    snt_scatter_op op;
    if (!all_inputs_const(n))
        return true;
    if (!scatter_reduction(n, &op, d))
        return false;
    const Tensor *x = n->in[0], *idx = n->in[1];
    snt_nd_params p = nd_params(&x->shape, &idx->shape, 0);
    snt_scatter_nd(&p, x->dtype, op, x->data, idx->dtype, idx->data, n->in[2]->data,
                   alloc_output(n, 0));
    return true;
}

static bool scatter_nd_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_scatter_op op = SNT_SCATTER_NONE;
    if (!scatter_reduction(n, &op, d))
        return false;
    snt_nd_params p = nd_params(&n->in[0]->shape, &n->in[1]->shape, 0);
    emit_params_snt_nd_params(e, &p, "p");
    emit_scatter_call(n, e, "snt_scatter_nd", op);
    return true;
}

const OpDesc op_ScatterND = {
    .name = "ScatterND",
    .dtypes = DT_SET_ALL,
    .since = 11, .until = 21,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = scatter_nd_infer,
    .fold = scatter_nd_fold,
    .cost = scatter_cost,
    .emit = scatter_nd_emit,
};
