/*
 * match.c - queries and small rewrites shared by the pattern-matching
 * passes.  Reader queries scan the whole graph: the graphs we compile
 * have a few thousand nodes at most, and passes ask about few tensors.
 */
#include "passes/match.h"

#include "ir/ops/ops.h"

#include <string.h>

int reader_count(const Graph *g, const Tensor *t)
{
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            count += g->nodes[i]->in[j] == t;
    return count;
}

Node *sole_reader(const Graph *g, const Tensor *t)
{
    if (t->is_output || reader_count(g, t) != 1)
        return NULL;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j] == t)
                return g->nodes[i];
    return NULL;
}

void replace_reads(Graph *g, const Tensor *old, Tensor *with)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j] == old)
                g->nodes[i]->in[j] = with;
}

bool node_is(const Node *n, const OpDesc *op)
{
    return n && n->op == op;
}

Node *producer_is(const Tensor *t, const OpDesc *op)
{
    return t && node_is(t->producer, op) ? t->producer : NULL;
}

/* The integer list `name` of a node: attribute before `since`, input
 * `input` from then on.  Count, or -1 when absent or not constant. */
static int node_list(const Node *n, const char *name, int since, int input, int64_t *out,
                     int max)
{
    Diag d = {0};
    bool present = false;
    int count = node_ints(n, name, n->opset >= since ? input : -1, out, max, &present, &d);
    diag_free(&d);
    return present ? count : -1;
}

bool slice_one_axis(const Node *s, int *axis, int64_t *start)
{
    int64_t starts[MAX_RANK], axes[MAX_RANK], steps[MAX_RANK];
    if (!node_is(s, &op_Slice) || s->n_out != 1)
        return false;
    const Shape *in = &s->in[0]->shape;
    if (node_list(s, "starts", 10, 1, starts, MAX_RANK) != 1)
        return false;
    int n_axes = node_list(s, "axes", 10, 3, axes, MAX_RANK);
    int n_steps = s->opset >= 10 ? node_list(s, "steps", 10, 4, steps, MAX_RANK) : -1;
    if ((n_axes >= 0 && n_axes != 1) || (n_steps >= 0 && (n_steps != 1 || steps[0] != 1)))
        return false;
    int64_t a = n_axes == 1 ? axes[0] : 0;
    if (!axis_normalize(a, in->rank, axis))
        return false;
    int64_t dim = in->dim[*axis], first = starts[0] < 0 ? starts[0] + dim : starts[0];
    *start = first < 0 ? 0 : first > dim ? dim : first;
    return true;
}

/* The fill value of a constant Pad: attribute before opset 11, else the
 * optional scalar input 2. */
static bool pad_value_is_zero(const Node *p)
{
    if (p->opset < 11)
        return attr_float_or(p, "value", 0.0) == 0.0;
    const Tensor *v = p->n_in > 2 ? p->in[2] : NULL;
    if (!v)
        return true;
    return tensor_is_const(v) && tensor_numel(v) == 1 && dtype_get_f64(v->dtype, v->data, 0) == 0.0;
}

bool pad_zero_fill(const Node *p, int64_t *begin, int64_t *end)
{
    int64_t pads[2 * MAX_RANK];
    if (!node_is(p, &op_Pad) || p->n_out != 1 || strcmp(attr_string_or(p, "mode", "constant"), "constant"))
        return false;
    if ((p->n_in > 3 && p->in[3]) || !pad_value_is_zero(p))
        return false; /* an opset-18 axes input: not worth the cases */
    int rank = p->in[0]->shape.rank;
    if (node_list(p, "pads", 11, 1, pads, 2 * MAX_RANK) != 2 * rank)
        return false;
    for (int i = 0; i < rank; i++) {
        begin[i] = pads[i];
        end[i] = pads[rank + i];
    }
    return true;
}

bool bypass_node(Graph *g, Node *n, Tensor *src, bool *keep, int index)
{
    Tensor *y = n->out[0];
    if (n->n_out != 1 || y->dtype != src->dtype || !shape_equal(&y->shape, &src->shape))
        return false;
    if (!y->is_output) {
        replace_reads(g, y, src);
        keep[index] = false;
        return true;
    }
    /* Graph outputs keep their names: rename src to y instead. */
    Node *p = src->producer;
    if (!p || src->is_output || src->is_input || src->data)
        return false;
    for (int j = 0; j < p->n_out; j++)
        if (p->out[j] == src)
            p->out[j] = y;
    y->producer = p;
    src->producer = NULL;
    replace_reads(g, src, y);
    keep[index] = false;
    return true;
}

/* The attribute `name` of n, emptied, or a new one. */
static Attr *fresh_attr(Node *n, const char *name, AttrKind kind)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) {
            attr_clear(&n->attrs[i]);
            n->attrs[i].name = xstrdup(name);
            n->attrs[i].kind = kind;
            return &n->attrs[i];
        }
    return node_add_attr(n, name, kind);
}

void set_attr_int(Node *n, const char *name, int64_t v)
{
    fresh_attr(n, name, ATTR_INT)->i = v;
}

/* The position of n in g's schedule. */
static int node_index(const Graph *g, const Node *n)
{
    int i = 0;
    while (g->nodes[i] != n)
        i++;
    return i;
}

bool swap_with_reader(Graph *g, Node *first, Node *reader, Diag *d)
{
    Tensor *x = first->in[0], *y = reader->out[0];
    Tensor *t = graph_new_tensor(g, reader->name);
    int i_first = node_index(g, first), i_reader = node_index(g, reader);
    reader->in[0] = x;
    reader->out[0] = t;
    t->producer = reader;
    first->in[0] = t;
    first->out[0] = y;
    y->producer = first;
    g->nodes[i_first] = reader;
    g->nodes[i_reader] = first;
    return reader->op->infer(reader, d) && first->op->infer(first, d);
}

void set_input(Node *n, int i, Tensor *t)
{
    if (i < n->n_in)
        n->in[i] = t;
    else
        node_add_input(n, t);
}

void set_attr_ints(Node *n, const char *name, const int64_t *v, int count)
{
    Attr *a = fresh_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)(count > 0 ? count : 1) * sizeof *a->ints);
    if (count > 0)
        memcpy(a->ints, v, (size_t)count * sizeof *v);
}

void copy_attr(Node *n, const Attr *a)
{
    Attr *c = node_add_attr(n, a->name, a->kind);
    c->f = a->f;
    c->i = a->i;
    c->s = a->s ? xstrdup(a->s) : NULL;
    c->n = a->n;
    if (a->ints) {
        c->ints = xmalloc(((size_t)a->n + 1) * sizeof *c->ints);
        memcpy(c->ints, a->ints, (size_t)a->n * sizeof *c->ints);
    }
    if (a->floats) {
        c->floats = xmalloc(((size_t)a->n + 1) * sizeof *c->floats);
        memcpy(c->floats, a->floats, (size_t)a->n * sizeof *c->floats);
    }
}

void copy_attrs(Node *n, const Node *from)
{
    for (int i = 0; i < from->n_attrs; i++)
        copy_attr(n, &from->attrs[i]);
}

void set_ukernel(Node *n, const Variant *v)
{
    Attr *a = node_add_attr(n, "ukernel", ATTR_STRING);
    a->s = xstrdup(v->name);
}

void add_packed(Graph *g, Node *n, int slot, float *packed, size_t floats, const Variant *v)
{
    Shape s = {.rank = 1, .dim = {(int64_t)floats}};
    Tensor *t = rewrite_const(g, DT_FLOAT, &s, packed, "%s_packed", n->in[1]->name);
    t->layout = LAYOUT_PACKED;
    while (n->n_in < slot)
        node_add_input(n, NULL);
    node_add_input(n, t);
    set_ukernel(n, v);
}
