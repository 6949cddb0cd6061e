/*
 * topk.c - TopK: the k largest (or, with largest = 0, smallest) elements
 * along an axis and their int64 indices, best first; equal values keep
 * index order.  k is an attribute before opset 10 and input 1 from 10
 * on, which must be known at compile time (it sets the output shape).
 * The outputs are always sorted: ONNX lets sorted = 0 pick any order.
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"
#include "sinter_rt.h"

typedef struct {
    AxisView view;
    int64_t k;
    int largest;
} TopK;

static bool topk_read(const Node *n, TopK *t, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!axis_view(n, &x->shape, attr_int_or(n, "axis", -1), false, &t->view, d))
        return false;
    if (n->opset < 10) {
        t->k = attr_int_or(n, "k", -1);
    } else {
        if (!check_inputs_present(n, 2, d))
            return false;
        if (tensor_numel(n->in[1]) != 1)
            return node_error(d, n, "k ('%s') must hold one value", n->in[1]->name);
        if (const_ints(n, 1, &t->k, 1, d) != 1)
            return false;
    }
    if (t->k < 0 || t->k > t->view.len)
        return node_error(d, n, "k = %lld is outside [0, %lld], the axis' extent",
                          (long long)t->k, (long long)t->view.len);
    t->largest = attr_int_or(n, "largest", 1) != 0;
    return true;
}

static bool topk_infer(Node *n, Diag *d)
{
    TopK t;
    if (!check_inputs_present(n, 1, d))
        return false;
    const Tensor *x = n->in[0];
    if (!dtype_is_numeric(x->dtype))
        return node_error(d, n, "input 0 ('%s') has unsupported dtype %s", x->name,
                          dtype_label(x->dtype));
    if (!topk_read(n, &t, d))
        return false;
    Shape y = x->shape;
    y.dim[t.view.axis] = t.k;
    set_output(n, 0, x->dtype, &y);
    set_output(n, 1, DT_INT64, &y);
    return true;
}

static bool topk_fold(Node *n, Diag *d)
{
    TopK t;
    const Tensor *x = n->in[0];
    if (!tensor_is_const(x) || tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    if (!topk_read(n, &t, d))
        return false;
    void *values = alloc_output(n, 0);
    snt_topk((int)x->dtype, (size_t)t.view.outer, (size_t)t.view.len, (size_t)t.view.inner,
             (size_t)t.k, t.largest, x->data, values, alloc_output(n, 1));
    return true;
}

/* At least one comparison per input element. */
static OpCost topk_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0])};
}

static bool topk_emit(const Node *n, Emitter *e, Diag *d)
{
    TopK t;
    if (!topk_read(n, &t, d))
        return false;
    const Tensor *x = n->in[0];
    emit_line(e, "snt_topk(%s, %lld, %lld, %lld, %lld, %d, %s, %s, %s);",
              snt_dtype_code(x->dtype), (long long)t.view.outer, (long long)t.view.len,
              (long long)t.view.inner, (long long)t.k, t.largest, emit_ptr(e, x),
              emit_ptr(e, n->out[0]), emit_ptr(e, n->out[1]));
    return true;
}

const OpDesc op_TopK = {
    .name = "TopK", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_SET_REAL,
    .min_in = 1, .max_in = 2, .min_out = 2, .max_out = 2,
    .infer = topk_infer, .fold = topk_fold, .cost = topk_cost, .emit = topk_emit,
};
