/*
 * remove_noops.c - nodes that compute nothing disappear.
 *
 *  - Resize to the input's own shape at scale 1: every coordinate
 *    transform except tf_crop_and_resize and tf_half_pixel_for_nn then
 *    maps each output index to the same input index, and every mode
 *    reads exactly that element (M2SNet's five 88 -> 88 upsamples);
 *  - MaxPool / AveragePool with a 1x1 window, stride 1, dilation 1 and
 *    no padding (Res2Net's layer1 downsample);
 *  - Concat operands with no elements (PyTorch's roll by 0), and a
 *    Concat left with one operand;
 *  - a Transpose of a Transpose becomes one Transpose of the composed
 *    permutation, or nothing when they cancel;
 *  - a Reshape of a view (Reshape, Flatten, Squeeze, Unsqueeze) reads
 *    the view's input, and a view to the input's own shape goes.
 *
 * The producers these rewrites leave unread are removed with them
 * (rw_remove_unread).  Graph outputs keep their names (rw_bypass).
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

/* True when int list attribute `name` is absent or every value is v. */
static bool ints_all(const Node *n, const char *name, int64_t v)
{
    int64_t x[2 * MAX_RANK];
    int count = attr_ints(n, name, x, 2 * MAX_RANK);
    for (int i = 0; i < count && i < 2 * MAX_RANK; i++)
        if (x[i] != v)
            return false;
    return true;
}

static bool is_identity_pool(const Node *n)
{
    const char *pad = attr_string_or(n, "auto_pad", "NOTSET");
    if (!node_is(n, &op_MaxPool) && !node_is(n, &op_AveragePool))
        return false;
    return n->n_out == 1 && attr_ints(n, "kernel_shape", NULL, 0) >= 0 &&
           ints_all(n, "kernel_shape", 1) && ints_all(n, "strides", 1) &&
           ints_all(n, "dilations", 1) && ints_all(n, "pads", 0) &&
           (strcmp(pad, "NOTSET") == 0 || strcmp(pad, "VALID") == 0);
}

static bool is_identity_resize(const Node *n)
{
    if (!node_is(n, &op_Resize) || !shape_equal(&n->in[0]->shape, &n->out[0]->shape))
        return false;
    const char *coord = attr_string_or(n, "coordinate_transformation_mode", "half_pixel");
    if (n->opset >= 11 && (strcmp(coord, "tf_crop_and_resize") == 0 ||
                           strcmp(coord, "tf_half_pixel_for_nn") == 0))
        return false;
    /* Equal extents from `sizes` mean scale 1; given scales must be 1
     * exactly, or the transform is not the identity. */
    int at = n->opset >= 11 ? 2 : 1;
    const Tensor *scales = at < n->n_in ? n->in[at] : NULL;
    if (!scales || tensor_numel(scales) == 0)
        return true;
    if (!tensor_is_const(scales) || !dtype_is_float(scales->dtype))
        return false;
    for (int64_t i = 0; i < tensor_numel(scales); i++)
        if (dtype_get_f64(scales->dtype, scales->data, (size_t)i) != 1.0)
            return false;
    return true;
}

/* The permutation of a Transpose (default: reversed axes). */
static void transpose_perm(const Node *t, int64_t *perm)
{
    int rank = t->in[0]->shape.rank;
    if (attr_ints(t, "perm", perm, MAX_RANK) != rank)
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
}

/* Transpose n of Transpose `first`: one Transpose of the composition,
 * or none when it is the identity. */
static void merge_transposes(Rewriter *rw, Node *n, Node *first)
{
    int64_t p1[MAX_RANK], p2[MAX_RANK], q[MAX_RANK];
    int rank = n->in[0]->shape.rank;
    bool identity = true;
    transpose_perm(first, p1);
    transpose_perm(n, p2);
    for (int i = 0; i < rank; i++) {
        q[i] = p1[p2[i]];
        identity = identity && q[i] == i;
    }
    if (identity && rw_bypass(rw, n, first->in[0]))
        return;
    rw_set_input(rw, n, 0, first->in[0]);
    set_attr_ints(n, "perm", q, rank);
}

/* Reshape n of a view: it reshapes the view's input to its own output
 * shape, spelled out so that 0 and -1 keep no meaning. */
static void merge_reshapes(Rewriter *rw, Node *n, Node *view)
{
    const Shape *s = &n->out[0]->shape;
    for (int i = 0; i < s->rank; i++)
        if (s->dim[i] == 0)
            return;
    Tensor *shape = graph_new_tensor(rw->g, n->in[1]->name);
    shape->dtype = DT_INT64;
    shape->shape = (Shape){.rank = 1, .dim = {s->rank}};
    shape->shape_known = true;
    tensor_set_data(shape, s->dim);
    rw_set_input(rw, n, 0, view->in[0]);
    rw_set_input(rw, n, 1, shape);
}

/* Drops the operands of Concat n that have no elements, keeping one. */
static void drop_empty_operands(Rewriter *rw, Node *n)
{
    for (int i = 0; i < n->n_in;)
        if (tensor_numel(n->in[i]) == 0 && n->n_in > 1)
            rw_drop_input(rw, n, i);
        else
            i++;
}

static bool is_view_node(const Node *n)
{
    return n && n->op && n->op->is_view && n->n_in >= 1 && n->in[0] && n->n_out == 1;
}

/* Applies the first rewrite that fits node n. */
static void simplify(Rewriter *rw, Node *n)
{
    Tensor *x = n->n_in > 0 ? n->in[0] : NULL;
    if (!x)
        return;
    if (is_identity_resize(n) || is_identity_pool(n)) {
        rw_bypass(rw, n, x);
    } else if (node_is(n, &op_Concat)) {
        drop_empty_operands(rw, n);
        if (n->n_in == 1)
            rw_bypass(rw, n, n->in[0]);
    } else if (node_is(n, &op_Transpose) && producer_is(x, &op_Transpose)) {
        merge_transposes(rw, n, x->producer);
    } else if (is_view_node(n)) {
        if (node_is(n, &op_Reshape) && is_view_node(x->producer))
            merge_reshapes(rw, n, x->producer);
        if (shape_equal(&n->in[0]->shape, &n->out[0]->shape))
            rw_bypass(rw, n, n->in[0]);
    }
}

bool pass_remove_noops(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    (void)d;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        /* The producers of n's inputs, which a rewrite may leave unread. */
        int count = n->n_in;
        Node **producers = xmalloc(((size_t)count + 1) * sizeof *producers);
        for (int j = 0; j < count; j++)
            producers[j] = n->in[j] ? n->in[j]->producer : NULL;
        simplify(rw, n);
        for (int j = 0; j < count; j++)
            rw_remove_unread(rw, producers[j]);
        free(producers);
    }
    return true;
}
