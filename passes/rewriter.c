/*
 * rewriter.c - the session every pass reads and edits the graph through
 * (see rewriter.h).
 */
#include "passes/rewriter.h"

#include <stdlib.h>
#include <string.h>

/* Grows the index to cover tensor ids below `count`: tensors made
 * during the session get reader lists as they are first read. */
static void cover_tensors(Rewriter *rw, int count)
{
    int old = rw->cap_readers;
    grow_array((void **)&rw->readers, &rw->cap_readers, count, sizeof *rw->readers);
    memset(rw->readers + old, 0, (size_t)(rw->cap_readers - old) * sizeof *rw->readers);
}

/* Records one more input slot of n reading t.  A removed node reads
 * nothing. */
static void index_read(Rewriter *rw, Node *n, const Tensor *t)
{
    if (!t || rw_is_removed(rw, n))
        return;
    cover_tensors(rw, t->id + 1);
    Readers *r = &rw->readers[t->id];
    grow_array((void **)&r->nodes, &r->cap, r->count + 1, sizeof *r->nodes);
    r->nodes[r->count++] = n;
}

/* Forgets one input slot of n reading t, keeping the others in order. */
static void unindex_read(Rewriter *rw, const Node *n, const Tensor *t)
{
    if (!t || rw_is_removed(rw, n) || t->id >= rw->cap_readers)
        return;
    Readers *r = &rw->readers[t->id];
    for (int i = 0; i < r->count; i++)
        if (r->nodes[i] == n) {
            memmove(&r->nodes[i], &r->nodes[i + 1], (size_t)(r->count - i - 1) * sizeof *r->nodes);
            r->count--;
            return;
        }
}

void rw_begin(Rewriter *rw, Graph *g)
{
    *rw = (Rewriter){.g = g};
    cover_tensors(rw, g->n_tensors + 1);
    grow_array((void **)&rw->removed, &rw->cap_removed, g->n_nodes + 1, sizeof *rw->removed);
    memset(rw->removed, 0, (size_t)rw->cap_removed * sizeof *rw->removed);
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        n->id = i;
        for (int j = 0; j < n->n_in; j++)
            index_read(rw, n, n->in[j]);
    }
}

bool rw_end(Rewriter *rw)
{
    Graph *g = rw->g;
    bool *keep = xmalloc(((size_t)g->n_nodes + 1) * sizeof *keep);
    for (int i = 0; i < g->n_nodes; i++)
        keep[i] = !rw_is_removed(rw, g->nodes[i]);
    graph_remove_nodes(g, keep);
    for (int i = 0; i < g->n_nodes; i++)
        g->nodes[i]->id = i;
    free(keep);
    for (int i = 0; i < rw->cap_readers; i++)
        free(rw->readers[i].nodes);
    free(rw->readers);
    free(rw->removed);
    bool changed = rw->changed;
    *rw = (Rewriter){0};
    return changed;
}

/* ---- queries -------------------------------------------------------- */

int rw_reader_count(const Rewriter *rw, const Tensor *t)
{
    return t && t->id < rw->cap_readers ? rw->readers[t->id].count : 0;
}

Node *rw_reader(const Rewriter *rw, const Tensor *t, int i)
{
    return rw->readers[t->id].nodes[i];
}

int rw_readers(const Rewriter *rw, const Tensor *t, Node **out, int max)
{
    int count = 0, slots = rw_reader_count(rw, t);
    Node *const *r = slots ? rw->readers[t->id].nodes : NULL;
    for (int i = 0; i < slots; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = r[j] == r[i];
        if (seen)
            continue;
        if (count < max)
            out[count] = r[i];
        count++;
    }
    return count;
}

Node *rw_sole_reader(const Rewriter *rw, const Tensor *t)
{
    if (!t || t->is_output || tensor_is_const(t) || rw_reader_count(rw, t) != 1)
        return NULL;
    return rw->readers[t->id].nodes[0];
}

bool rw_is_removed(const Rewriter *rw, const Node *n)
{
    return n->id < rw->cap_removed && rw->removed[n->id];
}

bool node_is(const Node *n, const OpDesc *op)
{
    return n && n->op == op;
}

Node *producer_is(const Tensor *t, const OpDesc *op)
{
    return t && node_is(t->producer, op) ? t->producer : NULL;
}

bool rw_node_is(const Rewriter *rw, const Node *n, const OpDesc *op)
{
    return node_is(n, op) && !n->domain[0] && n->n_out == 1 && !rw_is_removed(rw, n);
}

Node *rw_sole_reader_is(const Rewriter *rw, const Tensor *t, const OpDesc *op)
{
    Node *r = rw_sole_reader(rw, t);
    return rw_node_is(rw, r, op) ? r : NULL;
}

/* ---- edits ---------------------------------------------------------- */

void rw_set_input(Rewriter *rw, Node *n, int i, Tensor *t)
{
    if (i >= n->n_in) {
        rw_add_input(rw, n, t);
        return;
    }
    unindex_read(rw, n, n->in[i]);
    n->in[i] = t;
    index_read(rw, n, t);
    rw->changed = true;
}

void rw_add_input(Rewriter *rw, Node *n, Tensor *t)
{
    node_add_input(n, t);
    index_read(rw, n, t);
    rw->changed = true;
}

void rw_drop_input(Rewriter *rw, Node *n, int i)
{
    unindex_read(rw, n, n->in[i]);
    memmove(&n->in[i], &n->in[i + 1], (size_t)(n->n_in - i - 1) * sizeof *n->in);
    n->n_in--;
    rw->changed = true;
}

void rw_replace_uses(Rewriter *rw, const Tensor *old, Tensor *with)
{
    /* Each slot moves from old's list to with's: rewrite them from a
     * copy, since rw_set_input edits old's list as it goes. */
    int count = rw_reader_count(rw, old);
    Node **nodes = xmalloc(((size_t)count + 1) * sizeof *nodes);
    if (count)
        memcpy(nodes, rw->readers[old->id].nodes, (size_t)count * sizeof *nodes);
    for (int i = 0; i < count; i++)
        for (int j = 0; j < nodes[i]->n_in; j++)
            if (nodes[i]->in[j] == old) {
                rw_set_input(rw, nodes[i], j, with);
                break;
            }
    free(nodes);
}

void rw_remove(Rewriter *rw, Node *n)
{
    if (rw_is_removed(rw, n))
        return;
    for (int j = 0; j < n->n_in; j++)
        unindex_read(rw, n, n->in[j]);
    int old = rw->cap_removed;
    grow_array((void **)&rw->removed, &rw->cap_removed, n->id + 1, sizeof *rw->removed);
    memset(rw->removed + old, 0, (size_t)(rw->cap_removed - old) * sizeof *rw->removed);
    rw->removed[n->id] = true;
    rw->changed = true;
}

void rw_remove_unread(Rewriter *rw, Node *n)
{
    if (!n || rw_is_removed(rw, n))
        return;
    for (int j = 0; j < n->n_out; j++)
        if (n->out[j] && (n->out[j]->is_output || rw_reader_count(rw, n->out[j]) > 0))
            return;
    rw_remove(rw, n);
    for (int j = 0; j < n->n_in; j++)
        if (n->in[j])
            rw_remove_unread(rw, n->in[j]->producer);
}

void rw_mark_changed(Rewriter *rw)
{
    rw->changed = true;
}

/* The position of n in g's schedule. */
static int node_index(const Graph *g, const Node *n)
{
    int i = 0;
    while (g->nodes[i] != n)
        i++;
    return i;
}

Node *rw_add_node(Rewriter *rw, const Node *after, const char *name, const char *op_type,
                  int opset)
{
    Graph *g = rw->g;
    char made[256];
    if (!name) {
        snprintf(made, sizeof made, "%.200s/%s", after->name, op_type);
        name = made;
    }
    Node *n = graph_add_node(g, name, op_type);
    n->op = op_lookup("", op_type);
    n->opset = opset;
    /* graph_add_node appended n; move it up to just after `after`. */
    int at = node_index(g, after);
    memmove(&g->nodes[at + 2], &g->nodes[at + 1], (size_t)(g->n_nodes - at - 2) * sizeof *g->nodes);
    g->nodes[at + 1] = n;
    rw->changed = true;
    return n;
}

bool rw_finish_node(Node *n, Tensor *out, Diag *d)
{
    DType dtype = out->dtype;
    Shape shape = out->shape;
    node_add_output(n, out);
    if (!n->op || !n->op->infer(n, d))
        return diag_error(d, "fusion: the fused node '%s' (%s) is invalid", n->name, n->op_type);
    if (out->dtype != dtype || !shape_equal(&out->shape, &shape))
        return diag_error(d, "fusion: the fused node '%s' (%s) changes the shape of '%s'",
                          n->name, n->op_type, out->name);
    return true;
}

void rw_fold_into(Rewriter *rw, Node *into, Node *absorbed)
{
    into->out[0]->producer = NULL;
    into->out[0] = absorbed->out[0];
    absorbed->out[0]->producer = into;
    rw_remove(rw, absorbed);
}

bool rw_bypass(Rewriter *rw, Node *n, Tensor *src)
{
    Tensor *y = n->out[0];
    if (n->n_out != 1 || y->dtype != src->dtype || !shape_equal(&y->shape, &src->shape))
        return false;
    if (!y->is_output) {
        rw_replace_uses(rw, y, src);
        rw_remove(rw, n);
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
    rw_replace_uses(rw, src, y);
    rw_remove(rw, n);
    return true;
}

bool rw_swap_with_reader(Rewriter *rw, Node *first, Node *reader, Diag *d)
{
    Graph *g = rw->g;
    Tensor *x = first->in[0], *y = reader->out[0];
    Tensor *t = graph_new_tensor(g, reader->name);
    int i_first = node_index(g, first), i_reader = node_index(g, reader);
    rw_set_input(rw, reader, 0, x);
    reader->out[0] = t;
    t->producer = reader;
    rw_set_input(rw, first, 0, t);
    first->out[0] = y;
    y->producer = first;
    g->nodes[i_first] = reader;
    g->nodes[i_reader] = first;
    return reader->op->infer(reader, d) && first->op->infer(first, d);
}
