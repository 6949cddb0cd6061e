/*
 * inline.c - copying a subgraph (If branch, Loop or Scan body, SequenceMap
 * body) into its enclosing graph.
 *
 * A copy maps each tensor of the source graph to one of the destination,
 * made on first use.  Inlining seeds the map with the actual values of the
 * subgraph's inputs and captures; everything else becomes a fresh tensor.
 * A node of the subgraph that owns a subgraph itself (an If inside a Loop
 * body) gets a clone of it whose captures point at the copies, so that
 * inlining it later, once its own node is expanded, finds them in g.
 */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    Graph *dst;
    const Graph *src;
    Tensor **map;       /* per source tensor id: its copy, or NULL */
    const char *prefix; /* names "prefix/<name>" made unique; NULL: same names */
} Copy;

static Graph *clone_subgraph(const Graph *s, Copy *outer);

/* The copy of src's tensor t, made on first use with t's type and value. */
static Tensor *copy_tensor(Copy *c, const Tensor *t)
{
    if (!t)
        return NULL;
    if (c->map[t->id])
        return c->map[t->id];
    Tensor *u;
    if (c->prefix) {
        Str name = {0};
        str_putf(&name, "%s/%s", c->prefix, t->name);
        u = graph_new_tensor(c->dst, name.buf);
        str_free(&name);
    } else {
        u = graph_add_tensor(c->dst, t->name);
        u->is_input = t->is_input;
        u->is_output = t->is_output;
    }
    u->kind = t->kind;
    u->dtype = t->dtype;
    u->shape = t->shape;
    u->shape_known = t->shape_known;
    if (t->data)
        tensor_set_data(u, t->data);
    return c->map[t->id] = u;
}

/* A standalone copy of an attribute's tensor. */
static Tensor *copy_attr_tensor(const Tensor *t)
{
    Tensor *u = xcalloc(1, sizeof *u);
    u->name = xstrdup(t->name);
    u->kind = t->kind;
    u->dtype = t->dtype;
    u->shape = t->shape;
    u->shape_known = t->shape_known;
    u->offset = -1;
    if (t->data)
        tensor_set_data(u, t->data);
    return u;
}

static void copy_attr(Node *n, const Attr *a, Copy *c)
{
    Attr *b = node_add_attr(n, a->name, a->kind);
    b->f = a->f;
    b->i = a->i;
    b->n = a->n;
    b->s = a->s ? xstrdup(a->s) : NULL;
    if (a->floats)
        b->floats = memcpy(xmalloc((size_t)a->n * sizeof *a->floats), a->floats,
                           (size_t)a->n * sizeof *a->floats);
    if (a->ints)
        b->ints = memcpy(xmalloc((size_t)a->n * sizeof *a->ints), a->ints,
                         (size_t)a->n * sizeof *a->ints);
    if (a->strings) {
        b->strings = xmalloc((size_t)a->n * sizeof *a->strings);
        for (int i = 0; i < a->n; i++)
            b->strings[i] = xstrdup(a->strings[i]);
    }
    b->tensor = a->tensor ? copy_attr_tensor(a->tensor) : NULL;
    b->graph = a->graph ? clone_subgraph(a->graph, c) : NULL;
}

static void copy_node(Copy *c, const Node *n)
{
    Str name = {0};
    if (c->prefix)
        str_putf(&name, "%s/%s", c->prefix, n->name);
    else
        str_puts(&name, n->name);
    Node *m = graph_add_node(c->dst, name.buf, n->op_type);
    str_free(&name);
    free(m->domain);
    m->domain = xstrdup(n->domain);
    m->op = n->op;
    m->opset = n->opset;
    for (int i = 0; i < n->n_in; i++)
        node_add_input(m, copy_tensor(c, n->in[i]));
    for (int i = 0; i < n->n_out; i++)
        node_add_output(m, copy_tensor(c, n->out[i]));
    for (int i = 0; i < n->n_attrs; i++)
        copy_attr(m, &n->attrs[i], c);
}

/* Tensors listed by a graph (inputs, outputs, captures), in the copy. */
static Tensor **copy_list(Copy *c, Tensor *const *list, int n)
{
    Tensor **out = n ? xmalloc((size_t)n * sizeof *out) : NULL;
    for (int i = 0; i < n; i++)
        out[i] = copy_tensor(c, list[i]);
    return out;
}

/* A copy of subgraph s, whose enclosing graph is being copied by `outer`:
 * its captures read the copies of what they read. */
static Graph *clone_subgraph(const Graph *s, Copy *outer)
{
    Graph *g = graph_new(s->name);
    g->opset = s->opset;
    Copy c = {g, s, xcalloc((size_t)s->n_tensors + 1, sizeof *c.map), NULL};
    for (int i = 0; i < s->n_tensors; i++)
        copy_tensor(&c, s->tensors[i]); /* keeps the tensor order and ids */
    for (int i = 0; i < s->n_nodes; i++)
        copy_node(&c, s->nodes[i]);
    g->inputs = copy_list(&c, s->inputs, s->n_inputs);
    g->n_inputs = s->n_inputs;
    g->outputs = copy_list(&c, s->outputs, s->n_outputs);
    g->n_outputs = s->n_outputs;
    for (int i = 0; i < s->n_captures; i++)
        graph_add_capture(g, copy_tensor(&c, s->captures[i]), copy_tensor(outer, s->captured[i]));
    free(c.map);
    return g;
}

void graph_inline(Graph *g, const Graph *sub, Tensor *const *actual, const char *prefix,
                  Tensor **result)
{
    Copy c = {g, sub, xcalloc((size_t)sub->n_tensors + 1, sizeof *c.map), prefix};
    for (int i = 0; i < sub->n_inputs; i++)
        c.map[sub->inputs[i]->id] = actual[i];
    for (int i = 0; i < sub->n_captures; i++)
        c.map[sub->captures[i]->id] = sub->captured[i];
    for (int i = 0; i < sub->n_nodes; i++)
        copy_node(&c, sub->nodes[i]);
    for (int i = 0; i < sub->n_outputs; i++)
        result[i] = copy_tensor(&c, sub->outputs[i]);
    free(c.map);
}
