/*
 * op_test.h - helpers shared by the op test programs (test_ops_*.c):
 * building small graphs by hand, checking inference errors, generating C
 * for a graph and looking for the kernel calls in it, and comparing
 * folded values.
 *
 * The programs build graphs in one of three styles, each with its own
 * new_graph() and input helpers, so a program picks one before including
 * this file:
 *  - OP_TEST_NAMED_NODES (data, ext_a): named nodes, inputs kept off the
 *    graph's input list, a Diag per check;
 *  - OP_TEST_SHAPE_BUILDERS (compute, ext_b, ext_c): inputs and constants
 *    from Shapes, every node output a graph output;
 *  - neither (ext_e, ext_f, ext_g): the builders of graph_builder.h.
 * The last two report through the one Diag of the program, so a test can
 * look at the message of the last failure.
 */
#ifndef SINTER_TEST_OP_TEST_H
#define SINTER_TEST_OP_TEST_H

#include "codegen/codegen.h"
#include "passes/passes.h"

#include <CUnit/Basic.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs the registered tests verbosely and frees the registry; the
 * program's exit status. */
static inline int run_tests(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#ifdef OP_TEST_NAMED_NODES /* named nodes, inputs off the input list */

/* DIMS(2, 3) expands to "rank, dims" arguments. */
#define COUNT_I64(...) (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define DIMS(...) COUNT_I64(__VA_ARGS__), (int64_t[]){__VA_ARGS__}
#define SCALAR 0, NULL
#define I64S(...) (int64_t[]){__VA_ARGS__}
#define F32S(...) (float[]){__VA_ARGS__}

static inline Graph *new_graph(int opset)
{
    Graph *g = graph_new("test");
    g->opset = opset;
    return g;
}

static inline Tensor *add_tensor(Graph *g, const char *name, DType dt, int rank,
                                 const int64_t *dims)
{
    Tensor *t = graph_new_tensor(g, name);
    t->dtype = dt;
    t->shape.rank = rank;
    if (rank)
        memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    return t;
}

/* A run-time graph input: shape known, value not. */
static inline Tensor *input(Graph *g, const char *name, DType dt, int rank, const int64_t *dims)
{
    Tensor *t = add_tensor(g, name, dt, rank, dims);
    t->is_input = true;
    return t;
}

/* A node with the given inputs (NULL = omitted) and n_out fresh outputs. */
static inline Node *add_node(Graph *g, const char *name, const char *op, int n_out, int n_in,
                             Tensor *const *in)
{
    Node *n = graph_add_node(g, name, op);
    for (int i = 0; i < n_in; i++)
        node_add_input(n, in[i]);
    for (int i = 0; i < n_out; i++)
        node_add_output(n, graph_new_tensor(g, name));
    return n;
}

#define NODE_N(g, name, op, n_out, ...) \
    add_node(g, name, op, n_out, (int)(sizeof((Tensor *[]){__VA_ARGS__}) / sizeof(Tensor *)), \
             (Tensor *[]){__VA_ARGS__})
#define NODE(g, name, op, ...) NODE_N(g, name, op, 1, __VA_ARGS__)

static inline void set_int(Node *n, const char *name, int64_t v)
{
    node_add_attr(n, name, ATTR_INT)->i = v;
}

static inline void set_str(Node *n, const char *name, const char *v)
{
    node_add_attr(n, name, ATTR_STRING)->s = xstrdup(v);
}

/* Makes the graph's run-time inputs and the outputs of its last node the
 * graph's parameters, so its C can be generated without a memory plan. */
static inline void set_params_for_codegen(Graph *g)
{
    Node *last = g->nodes[g->n_nodes - 1];
    for (int i = 0; i < g->n_tensors; i++)
        if (g->tensors[i]->is_input)
            graph_add_input(g, g->tensors[i]);
    for (int i = 0; i < last->n_out; i++) {
        last->out[i]->is_output = true;
        graph_add_output(g, last->out[i]);
    }
}

/* Infers g, printing the errors when it fails. */
static inline bool infer_ok(Graph *g)
{
    Diag d = {0};
    bool ok = graph_infer(g, &d);
    if (!ok)
        fprintf(stderr, "\n%s", d.text.buf ? d.text.buf : "(no message)");
    diag_free(&d);
    return ok;
}

#else /* the programs that share one Diag */

static Diag diag;

/* Inference fails with a message containing `text`. */
static inline bool failed_with(Graph *g, const char *text)
{
    diag_free(&diag);
    bool failed = !graph_infer(g, &diag);
    bool found = diag.text.buf && strstr(diag.text.buf, text);
    if (!failed || !found)
        fprintf(stderr, "\nexpected an error with '%s', got: %s\n", text,
                diag.text.buf ? diag.text.buf : "(none)");
    return failed && found;
}

/* Infers, plans and generates C for g; the .c text, to be freed. */
static inline char *generate(Graph *g)
{
    CodegenOutput out = {0};
    MemPlan plan;
    CodegenOptions opt = {.name = "t", .source = "t.onnx", .weights = WEIGHTS_EMBED};
    diag_free(&diag);
    bool ok = graph_infer(g, &diag) && plan_memory(g, &plan, &diag) &&
              codegen_c(g, &opt, &out, &diag);
    if (!ok) {
        fprintf(stderr, "\n%s", diag.text.buf ? diag.text.buf : "codegen failed\n");
        codegen_output_free(&out);
        return NULL;
    }
    char *c = out.c.buf;
    out.c.buf = NULL;
    codegen_output_free(&out);
    return c;
}

static inline bool contains(const char *text, const char *part)
{
    bool ok = text && strstr(text, part);
    if (!ok)
        fprintf(stderr, "\nmissing in generated code: %s\n", part);
    return ok;
}

/* t's shape is known and is want. */
static inline bool shape_matches(const Tensor *t, Shape want)
{
    bool ok = t->shape_known && shape_equal(&t->shape, &want);
    if (!ok) {
        char a[128], b[128];
        fprintf(stderr, "\nshape %s, want %s\n", shape_str(&t->shape, a, sizeof a),
                shape_str(&want, b, sizeof b));
    }
    return ok;
}

/* t is constant and its values (as doubles) are want[0..count), each
 * within tol. */
static inline bool values_within(const Tensor *t, const double *want, int64_t count, double tol)
{
    if (!t->data || tensor_numel(t) != count) {
        fprintf(stderr, "\n'%s' not folded or of %lld elements\n", t->name,
                (long long)tensor_numel(t));
        return false;
    }
    for (int64_t i = 0; i < count; i++)
        if (fabs(dtype_get_f64(t->dtype, t->data, (size_t)i) - want[i]) > tol) {
            fprintf(stderr, "\nelement %lld: %g, want %g\n", (long long)i,
                    dtype_get_f64(t->dtype, t->data, (size_t)i), want[i]);
            return false;
        }
    return true;
}

#ifdef OP_TEST_SHAPE_BUILDERS

static inline Graph *new_graph(int opset)
{
    Graph *g = graph_new("t");
    g->opset = opset;
    diag_free(&diag);
    return g;
}

static inline Tensor *input(Graph *g, const char *name, DType dtype, Shape shape)
{
    Tensor *t = graph_add_tensor(g, name);
    t->dtype = dtype;
    t->shape = shape;
    t->shape_known = t->is_input = true;
    graph_add_input(g, t);
    return t;
}

static inline Tensor *constant(Graph *g, const char *name, DType dtype, Shape shape,
                               const void *data)
{
    Tensor *t = graph_add_tensor(g, name);
    t->dtype = dtype;
    t->shape = shape;
    t->shape_known = true;
    tensor_set_data(t, data);
    return t;
}

/* A node of `op` reading ins[0..n_in) with n_out fresh outputs; the first
 * output becomes a graph output. */
static inline Node *add_node_n(Graph *g, const char *op, int n_in, Tensor *const *ins, int n_out)
{
    Node *n = graph_add_node(g, op, op);
    for (int i = 0; i < n_in; i++)
        node_add_input(n, ins[i]);
    for (int i = 0; i < n_out; i++)
        node_add_output(n, graph_new_tensor(g, "y"));
    n->out[0]->is_output = true;
    graph_add_output(g, n->out[0]);
    return n;
}

/* A node of `op` reading ins[0..n_in), its one output a graph output. */
static inline Node *add_node(Graph *g, const char *op, int n_in, Tensor *const *ins)
{
    return add_node_n(g, op, n_in, ins, 1);
}

static inline void attr_i(Node *n, const char *name, int64_t v)
{
    node_add_attr(n, name, ATTR_INT)->i = v;
}

static inline void attr_f(Node *n, const char *name, double v)
{
    node_add_attr(n, name, ATTR_FLOAT)->f = v;
}

static inline void attr_s(Node *n, const char *name, const char *v)
{
    node_add_attr(n, name, ATTR_STRING)->s = xstrdup(v);
}

static inline void attr_is(Node *n, const char *name, int count, const int64_t *v)
{
    Attr *a = node_add_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)count * sizeof *v);
    memcpy(a->ints, v, (size_t)count * sizeof *v);
}

#define INTS(...) (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (int64_t[]){__VA_ARGS__}

/* Infers g, printing the errors when it fails. */
static inline bool infer(Graph *g)
{
    diag_free(&diag);
    bool ok = graph_infer(g, &diag);
    if (!ok)
        fprintf(stderr, "\n%s", diag.text.buf ? diag.text.buf : "inference failed\n");
    return ok;
}

#else /* the graph_builder.h builders */

#include "graph_builder.h"

/* A run-time input of any dtype. */
static inline Tensor *typed_input(Graph *g, const char *name, DType t, int rank,
                                  const int64_t *dims)
{
    Tensor *x = add_input(g, name, rank, dims);
    x->dtype = t;
    return x;
}

#endif /* OP_TEST_SHAPE_BUILDERS */
#endif /* OP_TEST_NAMED_NODES */

#endif /* SINTER_TEST_OP_TEST_H */
