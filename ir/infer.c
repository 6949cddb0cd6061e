/*
 * infer.c - topological order, op resolution and static shape inference.
 *
 * Shapes are made static by running every node's shape rule in order and
 * folding each node whose value can be known at compile time: PyTorch's
 * shape chains (Shape -> Gather -> Concat -> Reshape ...) become constants
 * here, before any pass runs.
 */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

/* Tensors a node reads: its inputs, then the tensors its subgraphs capture
 * (an If reads them when its taken branch runs), so that the node is
 * ordered after their producers.  Entries may be NULL. */
static int node_n_reads(const Node *n)
{
    int k = n->n_in;
    for (int i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].graph)
            k += n->attrs[i].graph->n_captures;
    return k;
}

static Tensor *node_read(const Node *n, int k)
{
    if (k < n->n_in)
        return n->in[k];
    k -= n->n_in;
    for (int i = 0; i < n->n_attrs; i++) {
        const Graph *sub = n->attrs[i].graph;
        if (!sub)
            continue;
        if (k < sub->n_captures)
            return sub->captured[k];
        k -= sub->n_captures;
    }
    return NULL;
}

/* Index, relative to `from`, of the node of g->nodes[from, to) producing
 * t, or -1 when t is produced elsewhere or not at all.  Needs node ids
 * equal to their indices. */
static int producer_in_range(const Tensor *t, int from, int to)
{
    if (!t || !t->producer || t->producer->id < from || t->producer->id >= to)
        return -1;
    return t->producer->id - from;
}

static void number_nodes(Graph *g, int from)
{
    for (int i = from; i < g->n_nodes; i++)
        g->nodes[i]->id = i;
}

/* Kahn's algorithm on g->nodes[from, to), whose reads from outside the
 * range are available; keeps the given order among ready nodes, so that
 * the generated code follows the file when it can.  Node ids must equal
 * their indices. */
static bool toposort_range(Graph *g, int from, int to, Diag *d)
{
    int n = to - from;
    if (n == 0)
        return true; /* and g->nodes may be NULL, which takes no offset */
    Node **nodes = g->nodes + from;
    int *pending = xcalloc((size_t)n + 1, sizeof *pending);
    int *order = xmalloc((size_t)n * sizeof *order + 1);
    int *uses_start = xcalloc((size_t)n + 1, sizeof *uses_start);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < node_n_reads(nodes[i]); j++) {
            int p = producer_in_range(node_read(nodes[i], j), from, to);
            if (p >= 0) {
                pending[i]++;
                uses_start[p + 1]++;
            }
        }
    for (int i = 0; i < n; i++)
        uses_start[i + 1] += uses_start[i];
    int *users = xmalloc((size_t)uses_start[n] * sizeof *users + 1);
    int *fill = xcalloc((size_t)n + 1, sizeof *fill);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < node_n_reads(nodes[i]); j++) {
            int p = producer_in_range(node_read(nodes[i], j), from, to);
            if (p >= 0)
                users[uses_start[p] + fill[p]++] = i;
        }

    /* Always take the lowest-numbered ready node.  Invariant: no ready,
     * unscheduled node lies below scan_from. */
    bool *done = xcalloc((size_t)n + 1, sizeof *done);
    int count = 0, scan_from = 0;
    while (count < n) {
        int next = -1;
        for (int i = scan_from; i < n && next < 0; i++)
            if (!done[i] && pending[i] == 0)
                next = i;
        if (next < 0)
            break;
        done[next] = true;
        order[count++] = next;
        scan_from = next + 1;
        for (int u = uses_start[next]; u < uses_start[next + 1]; u++) {
            int c = users[u];
            if (--pending[c] == 0 && c < scan_from)
                scan_from = c;
        }
    }
    bool ok = count == n;
    if (!ok) {
        for (int i = 0; i < n; i++)
            if (!done[i]) {
                diag_error(d, "node '%s' (%s): the graph has a cycle through this node",
                           nodes[i]->name, nodes[i]->op_type);
                break;
            }
    } else {
        Node **sorted = xmalloc((size_t)n * sizeof *sorted + 1);
        for (int i = 0; i < n; i++)
            sorted[i] = nodes[order[i]];
        memcpy(nodes, sorted, (size_t)n * sizeof *sorted);
        free(sorted);
        number_nodes(g, from);
    }
    free(pending);
    free(order);
    free(uses_start);
    free(users);
    free(fill);
    free(done);
    return ok;
}

bool graph_toposort(Graph *g, Diag *d)
{
    number_nodes(g, 0);
    return toposort_range(g, 0, g->n_nodes, d);
}

/* Checks the node against its op's opset range and arity. */
static bool check_signature(const Node *n, Diag *d)
{
    const OpDesc *op = n->op;
    if (n->opset < op->since || n->opset > op->until)
        return node_error(d, n, "opset %d is not supported for %s (supported: %d to %d)", n->opset,
                          op->name, op->since, op->until);
    int n_in = n->n_in;
    while (n_in > 0 && !n->in[n_in - 1])
        n_in--; /* trailing omitted optional inputs do not count */
    if (n_in < op->min_in || n->n_in > op->max_in)
        return node_error(d, n, "has %d inputs, expected %d to %d", n->n_in, op->min_in, op->max_in);
    for (int i = 0; i < op->min_in; i++)
        if (!n->in[i] && !(op->omittable_in & 1u << i))
            return node_error(d, n, "input %d is required, but omitted (its name is empty)", i);
    if (n->n_out < op->min_out || n->n_out > op->max_out)
        return node_error(d, n, "has %d outputs, expected %d to %d", n->n_out, op->min_out,
                          op->max_out);
    for (int i = 0; i < n->n_out; i++)
        if (!n->out[i])
            return node_error(d, n, "omitted optional output %d is not supported", i);
    return true;
}

/* Every input of a node must have a shape before its rule runs (the
 * elements of a sequence may differ in shape). */
static bool inputs_have_shapes(const Node *n, Diag *d)
{
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && n->in[i]->kind == KIND_TENSOR && !n->in[i]->shape_known)
            return node_error(d, n, "input '%s' has no known shape", n->in[i]->name);
    return true;
}

/* Looks n's op up; a node a pass made keeps its op, and one read from a
 * model may not name an internal op. */
static const OpDesc *resolve_op(Node *n)
{
    if (!n->op) {
        n->op = op_lookup(n->domain, n->op_type);
        if (n->op && n->op->internal)
            n->op = NULL;
    }
    return n->op;
}

/* One line per unsupported node: its name, op, opset and, when the model
 * declares it, the element type of its data. */
static bool unsupported(const Node *n, const char *scope, Diag *d)
{
    const char *dtype = n->n_in > 0 && n->in[0] ? dtype_name(n->in[0]->dtype) : NULL;
    return diag_error(d,
                      "node '%s%s%s' (%s, opset %d%s%s): unsupported op '%s%s%s' "
                      "(not in `sinter ops`)",
                      scope, *scope ? "/" : "", n->name, n->op_type, n->opset, dtype ? ", " : "",
                      dtype ? dtype : "", n->domain, n->domain[0] ? "." : "", n->op_type);
}

/* Resolves the ops of the nodes in sub, a subgraph of the node named by
 * scope ("loop_3/body"), and of its own subgraphs.  Their signatures are
 * checked once they are inlined, under their final names. */
static bool resolve_subgraph(Graph *sub, const char *scope, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < sub->n_nodes; i++) {
        Node *n = sub->nodes[i];
        if (!resolve_op(n))
            ok = unsupported(n, scope, d);
        for (int j = 0; j < n->n_attrs; j++)
            if (n->attrs[j].graph) {
                Str inner = {0};
                str_putf(&inner, "%s/%s/%s", scope, n->name, n->attrs[j].name);
                ok = resolve_subgraph(n->attrs[j].graph, inner.buf, d) && ok;
                str_free(&inner);
            }
    }
    return ok;
}

/* Resolves the ops of g->nodes[from..], reporting every unsupported one,
 * in subgraphs too. */
static bool resolve_ops(Graph *g, int from, Diag *d)
{
    bool ok = true;
    for (int i = from; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (!resolve_op(n))
            ok = unsupported(n, "", d);
        else if (!check_signature(n, d))
            ok = false;
        for (int j = 0; j < n->n_attrs; j++)
            if (n->attrs[j].graph) {
                Str scope = {0};
                str_putf(&scope, "%s/%s", n->name, n->attrs[j].name);
                ok = resolve_subgraph(n->attrs[j].graph, scope.buf, d) && ok;
                str_free(&scope);
            }
    }
    return ok;
}

/* The op's data type T: input 0's dtype, or 0 when the op has no input. */
static DType data_type(const Node *n)
{
    return n->n_in > 0 && n->in[0] ? n->in[0]->dtype : DT_UNDEFINED;
}

/* Refuses a data type outside the op's declared set (OpDesc.dtypes), so
 * that `sinter ops` tells the truth about what compiles.  A node folded
 * at compile time runs no kernel: shape chains fold in any type. */
static bool check_dtype(const Node *n, Diag *d)
{
    DType t = data_type(n);
    bool folded = n->n_out > 0 && tensor_is_const(n->out[0]);
    if (!n->op->dtypes || t == DT_UNDEFINED || folded || (n->op->dtypes & DT_BIT(t)))
        return true;
    const char *name = dtype_name(t);
    return node_error(d, n, "dtype %s is not supported for %s", name ? name : "(unknown)",
                      n->op->name);
}

/* The values of the symbolic dims ("N") of g's inputs, whose shapes are
 * fixed by now (bound inputs too: they are constants now, but their dims
 * still count), by name. */
static NameMap input_symbols(const Graph *g)
{
    NameMap symbols = {0};
    for (int i = 0; i < g->n_tensors; i++) {
        const Tensor *t = g->tensors[i];
        if (t->producer || !t->dim_params || !t->shape_known)
            continue;
        for (int k = 0; k < t->shape.rank; k++)
            if (t->dim_params[k])
                name_map_add(&symbols, t->dim_params[k], t->shape.dim[k]);
    }
    return symbols;
}

/* Checks output t of n against the shape the model declares for it
 * (Tensor.declared): the same rank and static dims, and each named dim
 * the value its name has wherever else it was met first. */
static bool agrees_with_declared(const Node *n, const Tensor *t, NameMap *symbols, Diag *d)
{
    const Shape *want = t->declared;
    char declared[200], inferred[200];
    shape_str_named(want, t->dim_params, declared, sizeof declared);
    bool same = want->rank == t->shape.rank;
    for (int i = 0; same && i < want->rank; i++) {
        const char *name = t->dim_params ? t->dim_params[i] : NULL;
        if (want->dim[i] >= 0) {
            same = want->dim[i] == t->shape.dim[i];
        } else if (name) {
            int64_t bound = *name_map_add(symbols, name, t->shape.dim[i]);
            if (bound != t->shape.dim[i])
                return node_error(d, n, "output '%s' is declared %s: axis %d ('%s') is %lld, but "
                                  "'%s' is %lld elsewhere", t->name, declared, i, name,
                                  (long long)t->shape.dim[i], name, (long long)bound);
        }
    }
    if (!same)
        return node_error(d, n, "output '%s' is declared %s, but its shape is %s", t->name,
                          declared, shape_str(&t->shape, inferred, sizeof inferred));
    return true;
}

/* Refuses t, a graph input (n NULL) or an output of n, when it would hold
 * more than MAX_TENSOR_BYTES. */
static bool within_byte_limit(const Tensor *t, const Node *n, Diag *d)
{
    if (!t->shape_known || (uint64_t)tensor_bytes(t) <= (uint64_t)MAX_TENSOR_BYTES)
        return true;
    long long most = MAX_TENSOR_BYTES;
    if (!n)
        return diag_error(d, "graph input '%s' would hold %zu bytes; at most %lld are supported",
                          t->name, tensor_bytes(t), most);
    return node_error(d, n, "output '%s' would hold %zu bytes; at most %lld are supported",
                      t->name, tensor_bytes(t), most);
}

static bool infer_node(Node *n, NameMap *symbols, Diag *d)
{
    if (!inputs_have_shapes(n, d) || !n->op->infer(n, d))
        return false;
    for (int i = 0; i < n->n_out; i++) {
        Tensor *t = n->out[i];
        bool shape_ok = t->shape_known ? shape_numel(&t->shape) >= 0 : t->kind != KIND_TENSOR;
        if (!shape_ok || !dtype_size(t->dtype))
            return node_error(d, n, "output '%s' has no valid static shape or dtype", t->name);
        if (!within_byte_limit(t, n, d))
            return false;
        if (t->declared && t->shape_known && !agrees_with_declared(n, t, symbols, d))
            return false;
    }
    if (n->op->fold && !n->op->fold(n, d))
        return false;
    return check_dtype(n, d);
}

/* Replaces g->nodes[i] by the nodes its op's expand makes, sorted among
 * themselves, at position i; they are not inferred yet. */
static bool expand_node(Graph *g, int i, Diag *d)
{
    Node *n = g->nodes[i];
    int first = g->n_nodes;
    if (!inputs_have_shapes(n, d) || !check_dtype(n, d) || !n->op->expand(n, g, d))
        return false;
    for (int j = 0; j < n->n_out; j++)
        if (n->out[j]->producer == n)
            return node_error(d, n, "expansion left output '%s' without a producer",
                              n->out[j]->name);
    if (g->n_nodes > MAX_NODES)
        return node_error(d, n, "expanding it makes the graph larger than %d nodes",
                          MAX_NODES);
    if (!resolve_ops(g, first, d))
        return false;
    bool *keep = xmalloc((size_t)g->n_nodes * sizeof *keep);
    for (int j = 0; j < g->n_nodes; j++)
        keep[j] = j != i;
    graph_remove_nodes(g, keep);
    free(keep);
    /* Move the new nodes, now at [first - 1, end), to position i. */
    int count = g->n_nodes - (first - 1);
    Node **made = xmalloc((size_t)count * sizeof *made + 1);
    memcpy(made, g->nodes + first - 1, (size_t)count * sizeof *made);
    memmove(g->nodes + i + count, g->nodes + i, (size_t)(first - 1 - i) * sizeof *made);
    memcpy(g->nodes + i, made, (size_t)count * sizeof *made);
    free(made);
    number_nodes(g, i);
    return toposort_range(g, i, i + count, d);
}

bool graph_infer(Graph *g, Diag *d)
{
    if (!resolve_ops(g, 0, d) || !graph_toposort(g, d))
        return false;
    for (int i = 0; i < g->n_inputs; i++)
        if (!within_byte_limit(g->inputs[i], NULL, d))
            return false;
    NameMap symbols = input_symbols(g);
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        if (!g->nodes[i]->op->expand)
            ok = infer_node(g->nodes[i], &symbols, d);
        else if ((ok = expand_node(g, i, d)))
            i--; /* the first new node now sits at i */
    }
    name_map_free(&symbols);
    return ok;
}
