/*
 * graph.c - building, querying and freeing graphs, tensors, nodes and
 * attributes.
 */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

Graph *graph_new(const char *name)
{
    Graph *g = xcalloc(1, sizeof *g);
    g->name = xstrdup(name ? name : "model");
    return g;
}

void tensor_free(Tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->data);
    free(t->dim_params);
    free(t->declared);
    free(t);
}

void attr_clear(Attr *a)
{
    free(a->name);
    free(a->s);
    free(a->floats);
    free(a->ints);
    for (int i = 0; a->strings && i < a->n; i++)
        free(a->strings[i]);
    free(a->strings);
    tensor_free(a->tensor);
    graph_free(a->graph);
    memset(a, 0, sizeof *a);
}

static void node_free(Node *n)
{
    free(n->name);
    free(n->op_type);
    free(n->domain);
    free(n->in);
    free(n->out);
    for (int i = 0; i < n->n_attrs; i++)
        attr_clear(&n->attrs[i]);
    free(n->attrs);
    free(n->params);
    free(n);
}

void graph_free(Graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_nodes; i++)
        node_free(g->nodes[i]);
    for (int i = 0; i < g->n_tensors; i++)
        tensor_free(g->tensors[i]);
    free(g->nodes);
    free(g->tensors);
    name_map_free(&g->tensor_ids);
    name_map_free(&g->suffixes);
    free(g->inputs);
    free(g->outputs);
    free(g->captures);
    free(g->captured);
    free(g->name);
    free(g->dir);
    free(g);
}

Tensor *graph_find_tensor(const Graph *g, const char *name)
{
    const int64_t *id = name_map_find(&g->tensor_ids, name);
    return id ? g->tensors[*id] : NULL;
}

Tensor *graph_add_tensor(Graph *g, const char *name)
{
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->offset = -1;
    t->id = g->n_tensors;
    grow_array((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof *g->tensors);
    g->tensors[g->n_tensors++] = t;
    name_map_add(&g->tensor_ids, t->name, t->id);
    return t;
}

void graph_add_input(Graph *g, Tensor *t)
{
    g->inputs = xrealloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof *g->inputs);
    g->inputs[g->n_inputs++] = t;
}

void graph_add_output(Graph *g, Tensor *t)
{
    g->outputs = xrealloc(g->outputs, (size_t)(g->n_outputs + 1) * sizeof *g->outputs);
    g->outputs[g->n_outputs++] = t;
}

Tensor *graph_new_tensor(Graph *g, const char *hint)
{
    char base[256]; /* names stay short enough to print in messages */
    snprintf(base, sizeof base, "%s", hint);
    char *name = name_map_unique(&g->tensor_ids, &g->suffixes, base);
    Tensor *t = graph_add_tensor(g, name);
    free(name);
    return t;
}

Node *graph_add_node(Graph *g, const char *name, const char *op_type)
{
    Node *n = xcalloc(1, sizeof *n);
    n->name = xstrdup(name ? name : "");
    n->op_type = xstrdup(op_type);
    n->domain = xstrdup("");
    n->opset = g->opset;
    /* Not n_nodes: after graph_remove_nodes that may be a live node's id.
     * Renumbering (toposort, fusion) gives ids below n_nodes, which never
     * exceeds next_node_id, so ids stay unique. */
    n->id = g->next_node_id++;
    grow_array((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes);
    g->nodes[g->n_nodes++] = n;
    return n;
}

/* Appends t to a node's inputs or outputs.  The room doubles at each
 * power of two from 4, so a node given thousands (an unrolled Loop's
 * tail reads every scan value so far) is not copied at every append;
 * it is implicit, since these arrays are made only here. */
static void append_tensor(Tensor ***items, int *count, Tensor *t)
{
    int n = *count;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
        *items = xrealloc(*items, (size_t)(n < 4 ? 4 : 2 * n) * sizeof **items);
    (*items)[(*count)++] = t;
}

void node_add_input(Node *n, Tensor *t)
{
    append_tensor(&n->in, &n->n_in, t);
}

void node_add_output(Node *n, Tensor *t)
{
    append_tensor(&n->out, &n->n_out, t);
    if (t)
        t->producer = n;
}

void graph_add_capture(Graph *sub, Tensor *stand_in, Tensor *outer)
{
    size_t n = (size_t)sub->n_captures + 1;
    sub->captures = xrealloc(sub->captures, n * sizeof *sub->captures);
    sub->captured = xrealloc(sub->captured, n * sizeof *sub->captured);
    sub->captures[sub->n_captures] = stand_in;
    sub->captured[sub->n_captures++] = outer;
}

void graph_remove_nodes(Graph *g, const bool *keep)
{
    int w = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (keep[i]) {
            g->nodes[w++] = n;
            continue;
        }
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] && n->out[j]->producer == n)
                n->out[j]->producer = NULL;
        node_free(n);
    }
    g->n_nodes = w;
}

int *graph_use_counts(const Graph *g)
{
    int *uses = xcalloc((size_t)g->n_tensors, sizeof *uses);
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j])
                uses[g->nodes[i]->in[j]->id]++;
    for (int i = 0; i < g->n_outputs; i++)
        uses[g->outputs[i]->id]++;
    return uses;
}

bool node_has_work(const Node *n)
{
    for (int i = 0; i < n->n_out; i++)
        if (tensor_bytes(n->out[i]) > 0)
            return true;
    return false;
}

bool node_is_kernel(const Node *n)
{
    return !n->elided && node_has_work(n);
}

int graph_kernel_count(const Graph *g)
{
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++)
        count += node_is_kernel(g->nodes[i]);
    return count;
}

int64_t tensor_numel(const Tensor *t)
{
    return shape_numel(&t->shape);
}

size_t tensor_bytes(const Tensor *t)
{
    int64_t n = tensor_numel(t);
    return n < 0 ? 0 : (size_t)n * dtype_size(t->dtype);
}

void tensor_set_data(Tensor *t, const void *data)
{
    size_t n = tensor_bytes(t);
    free(t->data);
    t->data = data ? xmalloc(n) : xcalloc(n ? n : 1, 1);
    if (n && data)
        memcpy(t->data, data, n);
}

void node_keep_params(Node *n, const void *params, size_t size)
{
    n->params = xrealloc(n->params, size);
    memcpy(n->params, params, size);
}

Tensor *node_input(const Node *n, int i)
{
    return i < n->n_in ? n->in[i] : NULL;
}

const Attr *node_attr(const Node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t attr_int_or(const Node *n, const char *name, int64_t dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_INT ? a->i : dflt;
}

double attr_float_or(const Node *n, const char *name, double dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_FLOAT ? a->f : dflt;
}

const char *attr_string_or(const Node *n, const char *name, const char *dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_STRING ? a->s : dflt;
}

int attr_ints(const Node *n, const char *name, int64_t *out, int max)
{
    const Attr *a = node_attr(n, name);
    if (!a || a->kind != ATTR_INTS)
        return -1;
    for (int i = 0; i < a->n && i < max; i++)
        out[i] = a->ints[i];
    return a->n;
}

Attr *node_add_attr(Node *n, const char *name, AttrKind kind)
{
    n->attrs = xrealloc(n->attrs, (size_t)(n->n_attrs + 1) * sizeof *n->attrs);
    Attr *a = &n->attrs[n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = xstrdup(name);
    a->kind = kind;
    return a;
}
