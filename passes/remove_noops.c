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
 * The producers these rewrites leave unread are removed by dce at the
 * end.  Graph outputs keep their names (bypass_node).
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
static void merge_transposes(Graph *g, Node *n, Node *first, bool *keep, int index)
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
    if (identity && bypass_node(g, n, first->in[0], keep, index))
        return;
    n->in[0] = first->in[0];
    set_attr_ints(n, "perm", q, rank);
}

/* Reshape n of a view: it reshapes the view's input to its own output
 * shape, spelled out so that 0 and -1 keep no meaning. */
static void merge_reshapes(Graph *g, Node *n, Node *view)
{
    const Shape *s = &n->out[0]->shape;
    for (int i = 0; i < s->rank; i++)
        if (s->dim[i] == 0)
            return;
    Tensor *shape = graph_new_tensor(g, n->in[1]->name);
    shape->dtype = DT_INT64;
    shape->shape = (Shape){.rank = 1, .dim = {s->rank}};
    shape->shape_known = true;
    tensor_set_data(shape, s->dim);
    n->in[0] = view->in[0];
    n->in[1] = shape;
}

/* Drops the operands of Concat n that have no elements, keeping one. */
static void drop_empty_operands(Node *n)
{
    int w = 0;
    for (int i = 0; i < n->n_in; i++)
        if (tensor_numel(n->in[i]) != 0 || (w == 0 && i == n->n_in - 1))
            n->in[w++] = n->in[i];
    n->n_in = w;
}

static bool is_view_node(const Node *n)
{
    return n && n->op && n->op->is_view && n->n_in >= 1 && n->in[0] && n->n_out == 1;
}

/* Applies the first rewrite that fits node n (position i). */
static void simplify(Graph *g, Node *n, bool *keep, int i)
{
    Tensor *x = n->n_in > 0 ? n->in[0] : NULL;
    if (!x)
        return;
    if (is_identity_resize(n) || is_identity_pool(n)) {
        bypass_node(g, n, x, keep, i);
    } else if (node_is(n, &op_Concat)) {
        drop_empty_operands(n);
        if (n->n_in == 1)
            bypass_node(g, n, n->in[0], keep, i);
    } else if (node_is(n, &op_Transpose) && producer_is(x, &op_Transpose)) {
        merge_transposes(g, n, x->producer, keep, i);
    } else if (is_view_node(n)) {
        if (node_is(n, &op_Reshape) && is_view_node(x->producer))
            merge_reshapes(g, n, x->producer);
        if (shape_equal(&n->in[0]->shape, &n->out[0]->shape))
            bypass_node(g, n, n->in[0], keep, i);
    }
}

bool pass_remove_noops(Graph *g, Diag *d)
{
    bool *keep = xmalloc((size_t)g->n_nodes + 1);
    for (int i = 0; i < g->n_nodes; i++)
        keep[i] = true;
    for (int i = 0; i < g->n_nodes; i++)
        simplify(g, g->nodes[i], keep, i);
    graph_remove_nodes(g, keep);
    free(keep);
    return pass_dce(g, d);
}
