/*
 * concat.c - Concat: inputs joined along one axis.
 *
 * Each input is one box copy into its slab of the output.  Inputs with no
 * elements along the axis are legal (PyTorch's roll by 0 makes them) and
 * simply contribute nothing.
 */
#include "ir/ops/data_util.h"

static bool concat_axis(const Node *n, int *axis, Diag *d)
{
    const Attr *a = node_attr(n, "axis");
    /* Opset 1 defaulted to 1; later opsets require the attribute. */
    int64_t value = a && a->kind == ATTR_INT ? a->i : 1;
    if (!a && n->opset >= 4)
        return node_error(d, n, "attribute 'axis' is required");
    if (!axis_normalize(value, n->in[0]->shape.rank, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)value,
                          n->in[0]->shape.rank);
    return true;
}

static bool concat_infer(Node *n, Diag *d)
{
    const Tensor *first = n->in[0];
    int axis;
    for (int i = 0; i < n->n_in; i++)
        if (!n->in[i])
            return node_error(d, n, "input %d is missing", i);
    if (!check_movable(n, first, d) || !concat_axis(n, &axis, d))
        return false;
    Shape s = first->shape;
    for (int i = 1; i < n->n_in; i++) {
        const Tensor *x = n->in[i];
        bool same = x->dtype == first->dtype && x->shape.rank == s.rank;
        for (int k = 0; same && k < s.rank; k++)
            same = k == axis || x->shape.dim[k] == s.dim[k];
        if (!same) {
            char a[128], b[128];
            return node_error(d, n, "input '%s' (%s %s) does not match input '%s' (%s %s)",
                              x->name, dtype_name(x->dtype) ? dtype_name(x->dtype) : "?",
                              shape_str(&x->shape, a, sizeof a), first->name,
                              dtype_name(first->dtype), shape_str(&first->shape, b, sizeof b));
        }
        s.dim[axis] += x->shape.dim[axis];
    }
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, first->dtype, &s);
    return true;
}

/* The copy of input i into its slab of the output, which starts after
 * the inputs before it along the axis. */
static void concat_copy(const Node *n, int i, int axis, BoxCopy *c)
{
    int64_t offset = 0;
    for (int k = 0; k < i; k++)
        offset += n->in[k]->shape.dim[axis];
    const Shape *in = &n->in[i]->shape;
    box_copy_init(c, in, in, &n->out[0]->shape);
    c->dst_offset = offset * (int64_t)c->p.dst_strides[axis];
}

/* An input whose slab is one block of the output (a Concat along the
 * first axis longer than 1, as the channel concats of N = 1 images) can
 * be produced straight into it. */
static bool concat_slot_range(const Node *n, int in, int64_t *offset)
{
    BoxCopy c;
    Diag d = {0};
    int axis;
    bool ok = concat_axis(n, &axis, &d);
    diag_free(&d);
    if (!ok)
        return false;
    concat_copy(n, in, axis, &c);
    if (!box_copy_is_block(&c))
        return false;
    *offset = c.dst_offset;
    return true;
}

static bool concat_fold(Node *n, Diag *d)
{
    int axis;
    if (!all_inputs_const(n))
        return true;
    if (!concat_axis(n, &axis, d))
        return false;
    void *out = alloc_output(n, 0);
    for (int i = 0; i < n->n_in; i++) {
        BoxCopy c;
        concat_copy(n, i, axis, &c);
        box_copy_run(&c, dtype_size(n->in[i]->dtype), n->in[i]->data, out);
    }
    return true;
}

static bool concat_emit(const Node *n, Emitter *e, Diag *d)
{
    int axis;
    if (!concat_axis(n, &axis, d))
        return false;
    for (int i = 0; i < n->n_in; i++) {
        BoxCopy c;
        concat_copy(n, i, axis, &c);
        box_copy_emit(&c, e, n->in[i], n->out[0], i);
    }
    return true;
}

const OpDesc op_Concat = {
    .name = "Concat",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1 << 16,
    .min_out = 1, .max_out = 1,
    .infer = concat_infer,
    .fold = concat_fold,
    .emit = concat_emit,
    .slot_range = concat_slot_range,
};
