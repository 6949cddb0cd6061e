/*
 * split.c - Split: one input cut into consecutive parts along an axis.
 *
 * The part sizes come from the `split` attribute (before opset 13) or
 * input (from 13), or else are equal parts, one per output.  Opset 18
 * names the count in `num_outputs` and lets the last part be smaller.
 */
#include "ir/ops/data_util.h"

/* Most outputs one Split may have. */
#define SPLIT_MAX 256

static bool split_axis(const Node *n, int *axis, Diag *d)
{
    int64_t value = attr_int_or(n, "axis", 0);
    if (!axis_normalize(value, n->in[0]->shape.rank, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)value,
                          n->in[0]->shape.rank);
    return true;
}

/* Equal parts of a dimension of `dim` elements, one per output. */
static bool split_equal(const Node *n, int64_t dim, int64_t *sizes, Diag *d)
{
    int parts = n->n_out;
    if (n->opset >= 18) {
        if (attr_int_or(n, "num_outputs", -1) != parts)
            return node_error(d, n, "attribute 'num_outputs' must equal the output count %d",
                              parts);
        /* Parts of ceil(dim / parts); the last one takes what is left. */
        int64_t chunk = (dim + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            int64_t left = dim - i * chunk;
            sizes[i] = left < 0 ? 0 : left < chunk ? left : chunk;
        }
        return true;
    }
    if (dim % parts != 0)
        return node_error(d, n, "cannot split %lld elements into %d equal parts", (long long)dim,
                          parts);
    for (int i = 0; i < parts; i++)
        sizes[i] = dim / parts;
    return true;
}

/* The size of every part along the axis. */
static bool split_sizes(const Node *n, int axis, int64_t *sizes, Diag *d)
{
    int64_t dim = n->in[0]->shape.dim[axis];
    bool present;
    int count = node_ints(n, "split", n->opset >= 13 ? 1 : -1, sizes, SPLIT_MAX, &present, d);
    if (count < 0)
        return false;
    if (!present)
        return split_equal(n, dim, sizes, d);
    if (count != n->n_out)
        return node_error(d, n, "split has %d sizes for %d outputs", count, n->n_out);
    int64_t total = 0;
    for (int i = 0; i < count; i++) {
        if (sizes[i] < 0 || sizes[i] > dim)
            return node_error(d, n, "split size %lld is out of range", (long long)sizes[i]);
        total += sizes[i];
    }
    if (total != dim)
        return node_error(d, n, "split sizes add up to %lld, not %lld", (long long)total,
                          (long long)dim);
    return true;
}

static bool split_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    int64_t sizes[SPLIT_MAX];
    int axis;
    if (!check_movable(n, x, d) || !split_axis(n, &axis, d) || !split_sizes(n, axis, sizes, d))
        return false;
    for (int i = 0; i < n->n_out; i++) {
        Shape s = x->shape;
        s.dim[axis] = sizes[i];
        set_output(n, i, x->dtype, &s);
    }
    return true;
}

/* The offset of output `out` along the axis: the sizes before it. */
static int64_t split_offset(const Node *n, int out, int axis)
{
    int64_t offset = 0;
    for (int i = 0; i < out; i++)
        offset += n->out[i]->shape.dim[axis];
    return offset;
}

/* The copy of the input's part into output i. */
static void split_copy(const Node *n, int i, int axis, BoxCopy *c)
{
    const Shape *out = &n->out[i]->shape;
    box_copy_init(c, out, &n->in[0]->shape, out);
    c->src_offset = split_offset(n, i, axis) * (int64_t)c->p.src_strides[axis];
}

/* A part that is one block of the input (a split along the first axis
 * longer than 1, as torch.split of an N = 1 image) is a view of it. */
static bool split_view_range(const Node *n, int out, int64_t *offset)
{
    BoxCopy c;
    Diag d = {0};
    int axis;
    bool ok = split_axis(n, &axis, &d);
    diag_free(&d);
    if (!ok)
        return false;
    split_copy(n, out, axis, &c);
    if (!box_copy_is_block(&c))
        return false;
    *offset = c.src_offset;
    return true;
}

static bool split_fold(Node *n, Diag *d)
{
    int axis;
    if (!tensor_is_const(n->in[0]))
        return true;
    if (!split_axis(n, &axis, d))
        return false;
    for (int i = 0; i < n->n_out; i++) {
        BoxCopy c;
        split_copy(n, i, axis, &c);
        box_copy_run(&c, dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, i));
    }
    return true;
}

static bool split_emit(const Node *n, Emitter *e, Diag *d)
{
    int axis;
    if (!split_axis(n, &axis, d))
        return false;
    for (int i = 0; i < n->n_out; i++) {
        BoxCopy c;
        split_copy(n, i, axis, &c);
        box_copy_emit(&c, e, n->in[0], n->out[i], i);
    }
    return true;
}

const OpDesc op_Split = {
    .name = "Split",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 18,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = SPLIT_MAX,
    .infer = split_infer,
    .fold = split_fold,
    .emit = split_emit,
    .view_range = split_view_range,
};
