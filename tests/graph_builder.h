/*
 * graph_builder.h - small helpers for the pass tests: build a graph by
 * hand, count its ops, and evaluate it by constant folding.
 *
 * Evaluation binds the run-time input to data and re-runs inference,
 * which folds every node whose op folds (the data-movement ops, Resize,
 * the elementwise ops, ShiftTokenize): the unrewritten graph evaluated
 * this way is the ONNX reference for the rewritten one.
 */
#ifndef SINTER_TEST_GRAPH_BUILDER_H
#define SINTER_TEST_GRAPH_BUILDER_H

#include "passes/passes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static inline Graph *new_graph(int opset)
{
    Graph *g = graph_new("test");
    g->opset = opset;
    return g;
}

/* A float32 run-time input. */
static inline Tensor *add_input(Graph *g, const char *name, int rank, const int64_t *dims)
{
    Tensor *t = graph_add_tensor(g, name);
    t->dtype = DT_FLOAT;
    t->shape.rank = rank;
    if (rank > 0) /* a scalar may come with no dims at all */
        memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    t->is_input = true;
    graph_add_input(g, t);
    return t;
}

static inline void add_output(Graph *g, Tensor *t)
{
    t->is_output = true;
    graph_add_output(g, t);
}

/* A constant of `rank` dims (rank 0: a scalar) and the given values. */
static inline Tensor *add_const(Graph *g, DType dtype, int rank, const int64_t *dims, const void *values)
{
    Tensor *t = graph_new_tensor(g, "const");
    t->dtype = dtype;
    t->shape.rank = rank;
    if (rank)
        memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    tensor_set_data(t, values);
    return t;
}

static inline Tensor *ints1(Graph *g, int n, const int64_t *v)
{
    int64_t dims[1] = {n};
    return add_const(g, DT_INT64, 1, dims, v);
}

static inline Tensor *int1(Graph *g, int64_t v)
{
    return ints1(g, 1, &v);
}

/* A node of `op` with n_in inputs (Tensor *, NULL for omitted) and one
 * new output; returns the node. */
static inline Node *add_op(Graph *g, const char *op, int n_in, ...)
{
    Node *n = graph_add_node(g, op, op);
    va_list ap;
    va_start(ap, n_in);
    for (int i = 0; i < n_in; i++)
        node_add_input(n, va_arg(ap, Tensor *));
    va_end(ap);
    node_add_output(n, graph_new_tensor(g, op));
    return n;
}

/* One-axis Slice [start, end) of x. */
static inline Tensor *slice1(Graph *g, Tensor *x, int64_t start, int64_t end, int64_t axis)
{
    return add_op(g, "Slice", 4, x, int1(g, start), int1(g, end), int1(g, axis))->out[0];
}

static inline Tensor *transpose(Graph *g, Tensor *x, int rank, const int64_t *perm)
{
    Node *n = add_op(g, "Transpose", 1, x);
    Attr *a = node_add_attr(n, "perm", ATTR_INTS);
    a->n = rank;
    a->ints = xmalloc((size_t)rank * sizeof *a->ints);
    memcpy(a->ints, perm, (size_t)rank * sizeof *perm);
    return n->out[0];
}

static inline Tensor *reshape(Graph *g, Tensor *x, int rank, const int64_t *shape)
{
    return add_op(g, "Reshape", 2, x, ints1(g, rank, shape))->out[0];
}

static inline void set_int(Node *n, const char *name, int64_t v)
{
    node_add_attr(n, name, ATTR_INT)->i = v;
}

static inline void set_ints(Node *n, const char *name, int count, const int64_t *v)
{
    Attr *a = node_add_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)count * sizeof *v);
    memcpy(a->ints, v, (size_t)count * sizeof *v);
}

static inline void set_string(Node *n, const char *name, const char *v)
{
    node_add_attr(n, name, ATTR_STRING)->s = xstrdup(v);
}

static inline int count_op(const Graph *g, const char *op)
{
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++)
        count += strcmp(g->nodes[i]->op_type, op) == 0;
    return count;
}

/* Runs one pass entry point on g, as passes_run would, and verifies. */
static inline bool run_pass(Graph *g, bool (*pass)(Rewriter *, Diag *))
{
    Diag d = {0};
    const Pass p = {"test", 0, "", pass};
    bool changed;
    bool ok = pass_run(&p, g, &changed, &d) && graph_verify(g, &d);
    if (!ok)
        fprintf(stderr, "%s", d.text.buf ? d.text.buf : "");
    diag_free(&d);
    return ok;
}

static inline bool infer(Graph *g)
{
    Diag d = {0};
    bool ok = graph_infer(g, &d);
    if (!ok)
        fprintf(stderr, "%s", d.text.buf ? d.text.buf : "");
    diag_free(&d);
    return ok;
}

/* Deterministic values in [-1, 1) for input data. */
static inline float *test_data(int64_t n, unsigned seed)
{
    float *v = xmalloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return v;
}

/* Binds graph input 0 to `data`, folds the graph and returns a copy of
 * output 0's value (NULL when it did not fold). */
static inline float *evaluate(Graph *g, const float *data)
{
    Tensor *x = g->inputs[0];
    tensor_set_data(x, data);
    x->is_input = false;
    g->n_inputs = 0;
    if (!infer(g) || !g->outputs[0]->data)
        return NULL;
    float *out = xmalloc(tensor_bytes(g->outputs[0]));
    memcpy(out, g->outputs[0]->data, tensor_bytes(g->outputs[0]));
    return out;
}

#endif /* SINTER_TEST_GRAPH_BUILDER_H */
