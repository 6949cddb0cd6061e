/*
 * sequence.c - the Sequence ops, resolved at compile time.
 *
 * A sequence exists only while the compiler works: after expansion every
 * sequence value is built by one SequenceConstruct node whose inputs are
 * its elements in order (SequenceEmpty for an empty one).  Those builders
 * print no code; the ops that read a sequence (SequenceAt, SequenceInsert,
 * ConcatFromSequence ...) are expanded (OpDesc.expand) into ordinary nodes
 * on the elements: an Identity, a new SequenceConstruct, a Concat.  So a
 * SplitToSequence followed by SequenceAt at constant positions becomes a
 * Split.  Positions and split sizes must therefore be known at compile
 * time; the count of elements always is.
 */
#include "ir/ops/sequence.h"
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <stdlib.h>
#include <string.h>

/* Most elements a sequence may get from SplitToSequence: the outputs
 * one Split may have. */
#define SEQUENCE_MAX 256

/* ------------------------------------------------------------------ */
/* Builders and helpers shared by the expansions                        */
/* ------------------------------------------------------------------ */

/* Whether p is a node of op `op` (resolved: a node of another domain
 * never is). */
static bool is_op(const Node *p, const OpDesc *op)
{
    return p && p->op == op;
}

int value_items(const Tensor *t, Tensor *const **items)
{
    const Node *p = t ? t->producer : NULL;
    while (is_op(p, &op_Identity) && p->in[0] && p->in[0]->kind != KIND_TENSOR)
        p = p->in[0]->producer;
    if (is_op(p, &op_Optional)) {
        *items = p->in;
        return p->n_in > 0 && p->in[0] ? 1 : 0;
    }
    if (!is_op(p, &op_SequenceConstruct) && !is_op(p, &op_SequenceEmpty))
        return -1;
    *items = p->in;
    return p->n_in;
}

bool emit_value_builder(const Node *n, Emitter *e, Diag *d)
{
    (void)n, (void)e, (void)d;
    return true;
}

static void give_int_attr(Node *m, const char *name, int64_t v)
{
    node_add_attr(m, name, ATTR_INT)->i = v;
}

/* Makes `out` the sequence of items[0, count): a SequenceConstruct, or
 * for no items a SequenceEmpty of `dtype`. */
static void build_sequence(Graph *g, const Node *n, Tensor *const *items, int count, DType dtype,
                           Tensor *out)
{
    Node *m = rewrite_node(g, n, count ? "SequenceConstruct" : "SequenceEmpty", n->opset);
    for (int i = 0; i < count; i++)
        node_add_input(m, items[i]);
    if (!count)
        give_int_attr(m, "dtype", dtype);
    node_add_output(m, out);
}

/* The elements of sequence input i of n: their count and *items, or -1
 * after an error. */
static int sequence_input(const Node *n, int i, Tensor *const **items, Diag *d)
{
    const Tensor *t = n->in[i];
    if (!t || t->kind != KIND_SEQUENCE) {
        node_error(d, n, "input %d ('%s') must be a sequence", i, t ? t->name : "");
        return -1;
    }
    int count = value_items(t, items);
    if (count < 0)
        node_error(d, n, "input %d ('%s'): the sequence must be known at compile time", i,
                   t->name);
    return count;
}

/* Reads the optional scalar input i, a position among `count` elements
 * that may also be `count` itself when `at_end` (an insertion point), as
 * a non-negative index; `dflt` when the input is absent. */
static bool position_input(const Node *n, int i, int count, bool at_end, int dflt, int *pos,
                           Diag *d)
{
    if (i >= n->n_in || !n->in[i]) {
        *pos = dflt;
        return true;
    }
    int64_t p;
    if (tensor_numel(n->in[i]) != 1)
        return node_error(d, n, "input %d ('%s') must be a scalar position", i, n->in[i]->name);
    if (const_ints(n, i, &p, 1, d) < 0)
        return false;
    int64_t hi = at_end ? count : count - 1;
    if (p < -count || p > hi)
        return node_error(d, n, "position %lld is out of range for a sequence of %d elements",
                          (long long)p, count);
    *pos = (int)(p < 0 ? p + count : p);
    return true;
}

/* node_error unless tensor x may be an element of a sequence of `dtype`. */
static bool check_element(const Node *n, const Tensor *x, DType dtype, Diag *d)
{
    if (x->kind != KIND_TENSOR)
        return node_error(d, n, "'%s' is not a tensor", x->name);
    if (x->dtype != dtype)
        return node_error(d, n, "element '%s' is %s, the sequence holds %s", x->name,
                          dtype_label(x->dtype), dtype_label(dtype));
    return true;
}

void set_value_output(Node *n, ValueKind kind, DType dtype, Tensor *const *items, int count)
{
    Tensor *o = n->out[0];
    o->kind = kind;
    o->dtype = dtype;
    o->shape = count ? items[0]->shape : (Shape){0};
    o->shape_known = count > 0;
    for (int i = 0; i < count; i++)
        if (!items[i]->shape_known || !shape_equal(&items[i]->shape, &o->shape))
            o->shape_known = false;
}

/* ------------------------------------------------------------------ */
/* SequenceConstruct, SequenceEmpty: the builders                        */
/* ------------------------------------------------------------------ */

static bool construct_infer(Node *n, Diag *d)
{
    for (int i = 0; i < n->n_in; i++)
        if (!n->in[i])
            return node_error(d, n, "input %d is omitted", i);
        else if (!check_element(n, n->in[i], n->in[0]->dtype, d))
            return false;
    set_value_output(n, KIND_SEQUENCE, n->in[0]->dtype, n->in, n->n_in);
    return true;
}

const OpDesc op_SequenceConstruct = {
    .name = "SequenceConstruct",
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 1 << 16,
    .min_out = 1, .max_out = 1,
    .infer = construct_infer,
    .emit = emit_value_builder,
    .dtypes = DT_SET_ALL,
};

static bool empty_infer(Node *n, Diag *d)
{
    int64_t dtype = attr_int_or(n, "dtype", DT_FLOAT);
    if (dtype <= 0 || dtype > DT_BFLOAT16 || !dtype_size((DType)dtype))
        return node_error(d, n, "unsupported dtype %lld", (long long)dtype);
    set_value_output(n, KIND_SEQUENCE, (DType)dtype, NULL, 0);
    return true;
}

const OpDesc op_SequenceEmpty = {
    .name = "SequenceEmpty",
    .since = 11, .until = 21,
    .min_in = 0, .max_in = 0,
    .min_out = 1, .max_out = 1,
    .infer = empty_infer,
    .emit = emit_value_builder,
    .dtypes = DT_SET_ALL,
};

/* ------------------------------------------------------------------ */
/* SequenceAt, SequenceInsert, SequenceErase, SequenceLength             */
/* ------------------------------------------------------------------ */

static bool at_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *const *items;
    int count = sequence_input(n, 0, &items, d), pos = 0;
    if (count < 0 || !position_input(n, 1, count, false, 0, &pos, d))
        return false;
    build_identity(g, n, items[pos], n->out[0]);
    return true;
}

const OpDesc op_SequenceAt = {
    .name = "SequenceAt",
    .since = 11, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .expand = at_expand,
    .dtypes = DT_SET_ALL,
    .restriction = "the position must be known at compile time",
};

/* The new sequence: items with x inserted at pos (x NULL: without the
 * element at pos). */
static void build_edited(Graph *g, const Node *n, Tensor *const *items, int count, int pos,
                         Tensor *x)
{
    int out_count = x ? count + 1 : count - 1;
    Tensor **edited = xmalloc((size_t)(out_count + 1) * sizeof *edited);
    for (int i = 0, j = 0; i <= count; i++) {
        if (i == pos && x)
            edited[j++] = x;
        if (i < count && !(i == pos && !x))
            edited[j++] = items[i];
    }
    build_sequence(g, n, edited, out_count, n->in[0]->dtype, n->out[0]);
    free(edited);
}

static bool insert_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *const *items;
    int count = sequence_input(n, 0, &items, d), pos = 0;
    if (count < 0 || !check_element(n, n->in[1], n->in[0]->dtype, d) ||
        !position_input(n, 2, count, true, count, &pos, d))
        return false;
    build_edited(g, n, items, count, pos, n->in[1]);
    return true;
}

const OpDesc op_SequenceInsert = {
    .name = "SequenceInsert",
    .since = 11, .until = 21,
    .min_in = 2, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .expand = insert_expand,
    .dtypes = DT_SET_ALL,
    .restriction = "the position must be known at compile time",
};

static bool erase_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *const *items;
    int count = sequence_input(n, 0, &items, d), pos = 0;
    if (count < 0)
        return false;
    if (count == 0)
        return node_error(d, n, "cannot erase from an empty sequence");
    if (!position_input(n, 1, count, false, count - 1, &pos, d))
        return false;
    build_edited(g, n, items, count, pos, NULL);
    return true;
}

const OpDesc op_SequenceErase = {
    .name = "SequenceErase",
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .expand = erase_expand,
    .dtypes = DT_SET_ALL,
    .restriction = "the position must be known at compile time",
};

static bool length_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *const *items;
    int count = sequence_input(n, 0, &items, d);
    if (count < 0)
        return false;
    build_scalar(g, n, DT_INT64, count, n->out[0]);
    return true;
}

const OpDesc op_SequenceLength = {
    .name = "SequenceLength",
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .expand = length_expand,
    .dtypes = DT_SET_ALL,
};

/* ------------------------------------------------------------------ */
/* SplitToSequence: a Split (and Squeeze) into a new sequence            */
/* ------------------------------------------------------------------ */

/* The part sizes along an axis of `dim` elements: `split` absent (parts
 * of 1), a scalar (parts of that size, the last one smaller) or a list.
 * Returns the part count, -1 after an error; *sizes is malloc'ed. */
static int split_parts(const Node *n, int64_t dim, int64_t **sizes, Diag *d)
{
    const Tensor *split = n->n_in > 1 ? n->in[1] : NULL;
    int64_t chunk = 1;
    if (split && split->shape.rank > 1)
        return node_error(d, n, "input 1 ('%s') must be a scalar or a 1-D tensor", split->name), -1;
    if (split && split->shape.rank == 1) {
        *sizes = xmalloc(SEQUENCE_MAX * sizeof **sizes);
        int count = const_ints(n, 1, *sizes, SEQUENCE_MAX, d);
        if (count < 0)
            free(*sizes);
        return count; /* Split checks the sizes against dim */
    }
    if (split && const_ints(n, 1, &chunk, 1, d) < 0)
        return -1;
    if (chunk <= 0)
        return node_error(d, n, "split size %lld must be positive", (long long)chunk), -1;
    int64_t count = (dim + chunk - 1) / chunk;
    if (count > SEQUENCE_MAX)
        return node_error(d, n, "%lld parts exceed the %d elements a sequence may have",
                          (long long)count, SEQUENCE_MAX), -1;
    *sizes = xmalloc((size_t)(count + 1) * sizeof **sizes);
    for (int64_t i = 0; i < count; i++)
        (*sizes)[i] = dim - i * chunk < chunk ? dim - i * chunk : chunk;
    return (int)count;
}

/* The parts of x along `axis`, each without that axis when `squeeze`,
 * as new tensors in parts[0, count). */
static void build_split(Graph *g, const Node *n, int axis, const int64_t *sizes, int count,
                        bool squeeze, Tensor **parts)
{
    Node *s = rewrite_node(g, n, "Split", n->opset);
    node_add_input(s, n->in[0]);
    give_int_attr(s, "axis", axis);
    rewrite_give_ints(g, s, "split", sizes, count);
    for (int i = 0; i < count; i++)
        node_add_output(s, parts[i] = rewrite_tensor(g, "%s/part%d", n->out[0]->name, i));
    for (int i = 0; squeeze && i < count; i++) {
        Node *q = rewrite_node(g, n, "Squeeze", n->opset);
        node_add_input(q, parts[i]);
        rewrite_give_ints(g, q, "axes", &(int64_t){axis}, 1);
        node_add_output(q, parts[i] = rewrite_tensor(g, "%s/item%d", n->out[0]->name, i));
    }
}

static bool split_to_sequence_expand(Node *n, Graph *g, Diag *d)
{
    const Tensor *x = n->in[0];
    int64_t axis_attr = attr_int_or(n, "axis", 0);
    int axis;
    if (x->kind != KIND_TENSOR)
        return node_error(d, n, "input 0 ('%s') must be a tensor", x->name);
    if (!axis_normalize(axis_attr, x->shape.rank, &axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)axis_attr,
                          x->shape.rank);
    int64_t *sizes;
    int count = split_parts(n, x->shape.dim[axis], &sizes, d);
    if (count < 0)
        return false;
    if (count == 0 && x->shape.dim[axis] != 0) {
        free(sizes);
        return node_error(d, n, "an empty split cannot cover %lld elements",
                          (long long)x->shape.dim[axis]);
    }
    /* keepdims matters only for parts of 1, when `split` is absent. */
    bool squeeze = (n->n_in < 2 || !n->in[1]) && attr_int_or(n, "keepdims", 1) == 0;
    Tensor **parts = xmalloc((size_t)(count + 1) * sizeof *parts);
    if (count > 0)
        build_split(g, n, axis, sizes, count, squeeze, parts);
    build_sequence(g, n, parts, count, x->dtype, n->out[0]);
    free(parts);
    free(sizes);
    return true;
}

const OpDesc op_SplitToSequence = {
    .name = "SplitToSequence",
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .expand = split_to_sequence_expand,
    .dtypes = DT_SET_ALL,
    .restriction = "split must be known at compile time",
};

/* ------------------------------------------------------------------ */
/* ConcatFromSequence: a Concat (of Unsqueezes for new_axis)            */
/* ------------------------------------------------------------------ */

static bool concat_from_sequence_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *const *items;
    int count = sequence_input(n, 0, &items, d);
    const Attr *axis = node_attr(n, "axis");
    bool new_axis = attr_int_or(n, "new_axis", 0) != 0;
    if (count < 0)
        return false;
    if (!axis || axis->kind != ATTR_INT)
        return node_error(d, n, "attribute 'axis' is required");
    if (count == 0)
        return node_error(d, n, "cannot concatenate an empty sequence");
    /* Concat and Unsqueeze check the axis against the ranks. */
    Node *c = rewrite_node(g, n, "Concat", n->opset);
    give_int_attr(c, "axis", axis->i);
    for (int i = 0; i < count; i++) {
        Tensor *x = items[i];
        if (new_axis) {
            Node *u = rewrite_node(g, n, "Unsqueeze", n->opset);
            node_add_input(u, items[i]);
            rewrite_give_ints(g, u, "axes", &axis->i, 1);
            node_add_output(u, x = rewrite_tensor(g, "%s/item%d", n->out[0]->name, i));
        }
        node_add_input(c, x);
    }
    node_add_output(c, n->out[0]);
    return true;
}

const OpDesc op_ConcatFromSequence = {
    .name = "ConcatFromSequence",
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .expand = concat_from_sequence_expand,
    .dtypes = DT_SET_ALL,
};

/* ------------------------------------------------------------------ */
/* SequenceMap: the body inlined once per element                        */
/* ------------------------------------------------------------------ */

/* The element count shared by n's sequence inputs, with each one's
 * elements in items[k] (NULL for tensor inputs); -1 after an error. */
static int map_inputs(const Node *n, Tensor *const **items, Diag *d)
{
    int count = -1;
    for (int k = 0; k < n->n_in; k++) {
        items[k] = NULL;
        if (k > 0 && n->in[k] && n->in[k]->kind == KIND_TENSOR)
            continue;
        int c = sequence_input(n, k, &items[k], d);
        if (c < 0)
            return -1;
        if (count >= 0 && c != count)
            return node_error(d, n, "input %d holds %d elements, input 0 holds %d", k, c, count),
                   -1;
        count = c;
    }
    return count;
}

static bool map_expand(Node *n, Graph *g, Diag *d)
{
    const Attr *a = node_attr(n, "body");
    const Graph *body = a ? a->graph : NULL;
    if (!body)
        return node_error(d, n, "attribute 'body' (a graph) is required");
    if (body->n_inputs != n->n_in || body->n_outputs != n->n_out)
        return node_error(d, n, "the body has %d inputs and %d outputs, the node %d and %d",
                          body->n_inputs, body->n_outputs, n->n_in, n->n_out);
    Tensor *const **items = xmalloc((size_t)n->n_in * sizeof *items);
    int count = map_inputs(n, items, d);
    /* results[j * count + i]: output j of iteration i. */
    Tensor **actual = xmalloc((size_t)n->n_in * sizeof *actual);
    Tensor **results = xmalloc((size_t)n->n_out * (count > 0 ? count : 1) * sizeof *results);
    Tensor **step = xmalloc((size_t)n->n_out * sizeof *step);
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < n->n_in; k++)
            actual[k] = items[k] ? items[k][i] : n->in[k];
        Str prefix = {0};
        str_putf(&prefix, "%s/iter%d", n->name, i);
        graph_inline(g, body, actual, prefix.buf, step);
        str_free(&prefix);
        for (int j = 0; j < n->n_out; j++)
            results[j * count + i] = step[j];
    }
    for (int j = 0; j < n->n_out && count >= 0; j++) {
        DType t = body->outputs[j]->dtype ? body->outputs[j]->dtype : n->in[0]->dtype;
        build_sequence(g, n, results + j * count, count, t, n->out[j]);
    }
    free(step);
    free(results);
    free(actual);
    free(items);
    return count >= 0;
}

const OpDesc op_SequenceMap = {
    .name = "SequenceMap",
    .since = 17, .until = 21,
    .min_in = 1, .max_in = 1 << 16,
    .min_out = 1, .max_out = 1 << 16,
    .expand = map_expand,
    .dtypes = DT_SET_ALL,
};
