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

/* Kahn's algorithm; keeps the model's order among ready nodes so that the
 * generated code follows the file when it can. */
bool graph_toposort(Graph *g, Diag *d)
{
    int n = g->n_nodes;
    int *pending = xcalloc((size_t)n, sizeof *pending);
    int *order = xmalloc((size_t)n * sizeof *order);
    /* Index of each node in g->nodes, found through the producer links. */
    for (int i = 0; i < n; i++)
        g->nodes[i]->id = i;
    for (int i = 0; i < n; i++) {
        Node *node = g->nodes[i];
        for (int j = 0; j < node->n_in; j++)
            if (node->in[j] && node->in[j]->producer)
                pending[i]++;
    }
    int *uses_start = xcalloc((size_t)n + 1, sizeof *uses_start);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++) {
            Tensor *t = g->nodes[i]->in[j];
            if (t && t->producer)
                uses_start[t->producer->id + 1]++;
        }
    for (int i = 0; i < n; i++)
        uses_start[i + 1] += uses_start[i];
    int *users = xmalloc((size_t)uses_start[n] * sizeof *users + 1);
    int *fill = xcalloc((size_t)n, sizeof *fill);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++) {
            Tensor *t = g->nodes[i]->in[j];
            if (t && t->producer) {
                int p = t->producer->id;
                users[uses_start[p] + fill[p]++] = i;
            }
        }

    /* Always take the lowest-numbered ready node.  Invariant: no ready,
     * unscheduled node lies below scan_from. */
    bool *done = xcalloc((size_t)n, sizeof *done);
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
                           g->nodes[i]->name, g->nodes[i]->op_type);
                break;
            }
    } else {
        Node **sorted = xmalloc((size_t)n * sizeof *sorted);
        for (int i = 0; i < n; i++)
            sorted[i] = g->nodes[order[i]];
        memcpy(g->nodes, sorted, (size_t)n * sizeof *sorted);
        free(sorted);
        for (int i = 0; i < n; i++)
            g->nodes[i]->id = i;
    }
    free(pending);
    free(order);
    free(uses_start);
    free(users);
    free(fill);
    free(done);
    return ok;
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
    if (n->n_out < op->min_out || n->n_out > op->max_out)
        return node_error(d, n, "has %d outputs, expected %d to %d", n->n_out, op->min_out,
                          op->max_out);
    for (int i = 0; i < n->n_out; i++)
        if (!n->out[i])
            return node_error(d, n, "omitted optional output %d is not supported", i);
    return true;
}

/* Every input of a node must have a shape before its rule runs. */
static bool inputs_have_shapes(const Node *n, Diag *d)
{
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && !n->in[i]->shape_known)
            return node_error(d, n, "input '%s' has no known shape", n->in[i]->name);
    return true;
}

/* Resolves every node's op, reporting every unsupported one. */
static bool resolve_ops(Graph *g, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        /* A node a pass made keeps its op; one read from a model may not
         * name an internal op. */
        if (!n->op) {
            n->op = op_lookup(n->domain, n->op_type);
            if (n->op && n->op->internal)
                n->op = NULL;
        }
        if (!n->op)
            ok = node_error(d, n, "unsupported op '%s%s%s'", n->domain[0] ? n->domain : "",
                            n->domain[0] ? "." : "", n->op_type);
        else if (!check_signature(n, d))
            ok = false;
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

static bool infer_node(Node *n, Diag *d)
{
    if (!inputs_have_shapes(n, d) || !n->op->infer(n, d))
        return false;
    for (int i = 0; i < n->n_out; i++) {
        Tensor *t = n->out[i];
        if (!t->shape_known || shape_numel(&t->shape) < 0 || !dtype_size(t->dtype))
            return node_error(d, n, "output '%s' has no valid static shape or dtype", t->name);
    }
    if (n->op->fold && !n->op->fold(n, d))
        return false;
    return check_dtype(n, d);
}

bool graph_infer(Graph *g, Diag *d)
{
    if (!resolve_ops(g, d) || !graph_toposort(g, d))
        return false;
    for (int i = 0; i < g->n_nodes; i++)
        if (!infer_node(g->nodes[i], d))
            return false;
    return true;
}
