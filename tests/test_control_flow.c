/*
 * test_control_flow.c - subgraphs and their expansion at compile time:
 * reading GRAPH attributes with captures from enclosing scopes, If with a
 * folded condition, Loop and Scan unrolled, nesting, and the errors for
 * what cannot be resolved statically.
 *
 * Models are built in memory (frontend_fixtures.h) with constant inputs,
 * so that graph_infer folds every expanded node and the results can be
 * checked value by value.
 */
#define _XOPEN_SOURCE 700
#include "frontend_fixtures.h"

#include <CUnit/Basic.h>
#include <math.h>

/* ------------------------------------------------------------------ */
/* Building graphs and subgraphs                                        */
/* ------------------------------------------------------------------ */

/* A node of graph gp (the main graph: &b->graph). */
static Onnx__NodeProto *node_in(Builder *b, Onnx__GraphProto *gp, const char *op,
                                const char *name, const char *inputs, const char *outputs)
{
    Onnx__NodeProto *n = mb_node(b, op, name, inputs, outputs);
    b->graph.n_node--; /* mb_node added it to the main graph */
    gp->node[gp->n_node++] = n;
    return n;
}

static void attach(Builder *b, Onnx__NodeProto *n, const char *name, Onnx__GraphProto *gp)
{
    mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g = gp;
}

static void int_attr(Builder *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

/* A subgraph input or output without a type: inference gives it. */
static void sub_input(Builder *b, Onnx__GraphProto *gp, const char *name)
{
    gp->input[gp->n_input++] = mb_value_info(b, name);
}

static void sub_output(Builder *b, Onnx__GraphProto *gp, const char *name)
{
    gp->output[gp->n_output++] = mb_value_info(b, name);
}

/* A float32 or int64/bool initializer of gp with the given values. */
static void init_f32(Builder *b, Onnx__GraphProto *gp, const char *name, int rank,
                     const int64_t *dims, const float *v, size_t count)
{
    Onnx__TensorProto *t = mb_tensor(b, name, DT_FLOAT, rank, dims);
    mb_raw(b, t, v, count * sizeof *v);
    gp->initializer[gp->n_initializer++] = t;
}

static void init_scalar(Builder *b, Onnx__GraphProto *gp, const char *name, DType dtype,
                        int64_t v)
{
    Onnx__TensorProto *t = mb_tensor(b, name, dtype, 0, NULL);
    uint8_t bytes[8];
    dtype_set_i64(dtype, bytes, 0, v);
    mb_raw(b, t, bytes, dtype_size(dtype));
    gp->initializer[gp->n_initializer++] = t;
}

/* Loads and infers b; NULL (with d filled) when either fails. */
static Graph *load_and_infer(Builder *b, Diag *d)
{
    Graph *g = mb_load(b, NULL, d);
    if (g && !graph_infer(g, d)) {
        graph_free(g);
        g = NULL;
    }
    mb_free(b);
    return g;
}

/* Whether graph output i holds exactly the float values want[count]. */
static bool output_is(const Graph *g, int i, const float *want, int64_t count)
{
    const Tensor *t = g->outputs[i];
    if (!t->data || t->dtype != DT_FLOAT || tensor_numel(t) != count)
        return false;
    for (int64_t k = 0; k < count; k++)
        if (fabsf(((const float *)t->data)[k] - want[k]) > 1e-6f)
            return false;
    return true;
}

static int count_ops(const Graph *g, const char *op_type)
{
    int k = 0;
    for (int i = 0; i < g->n_nodes; i++)
        k += strcmp(g->nodes[i]->op_type, op_type) == 0;
    return k;
}

static bool has_node_named(const Graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* If                                                                   */
/* ------------------------------------------------------------------ */

/* y = If(c) then x + one (one captured from the main graph, x computed
 * by a node that comes after the If in the file) else x * x. */
static Builder *if_model(bool cond_is_input)
{
    Builder *b = mb_new(13);
    Onnx__GraphProto *top = &b->graph;
    int64_t two[1] = {2};
    float xv[2] = {1, 3}, onev[2] = {1, 1};
    if (cond_is_input)
        mb_input(b, "c", DT_BOOL, 0, NULL);
    else
        init_scalar(b, top, "c", DT_BOOL, 1);
    init_f32(b, top, "x0", 1, two, xv, 2);
    init_f32(b, top, "one", 1, two, onev, 2);
    Onnx__GraphProto *then = mb_subgraph(b, "then"), *other = mb_subgraph(b, "else");
    node_in(b, then, "Add", "add", "x,one", "t");
    sub_output(b, then, "t");
    node_in(b, other, "Mul", "mul", "x,x", "e");
    sub_output(b, other, "e");
    Onnx__NodeProto *n = node_in(b, top, "If", "if", "c", "y");
    attach(b, n, "then_branch", then);
    attach(b, n, "else_branch", other);
    node_in(b, top, "Identity", "make_x", "x0", "x");
    mb_output(b, "y");
    return b;
}

static void test_reader_captures(void)
{
    Diag d = {0};
    Builder *b = if_model(false);
    Graph *g = mb_load(b, NULL, &d);
    mb_free(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    Node *n = g->nodes[0];
    CU_ASSERT_STRING_EQUAL(n->op_type, "If");
    const Attr *a = node_attr(n, "then_branch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->kind, ATTR_GRAPH);
    const Graph *then = a->graph;
    CU_ASSERT_EQUAL(then->n_nodes, 1);
    /* x and one are free names of the branch: captured from the main graph. */
    CU_ASSERT_EQUAL_FATAL(then->n_captures, 2);
    CU_ASSERT_PTR_EQUAL(then->captured[0], graph_find_tensor(g, "x"));
    CU_ASSERT_PTR_EQUAL(then->captured[1], graph_find_tensor(g, "one"));
    CU_ASSERT_PTR_EQUAL(then->nodes[0]->in[0], then->captures[0]);
    /* The If reads x through its branch, so it is ordered after make_x. */
    CU_ASSERT_TRUE(graph_toposort(g, &d));
    CU_ASSERT_STRING_EQUAL(g->nodes[0]->name, "make_x");
    CU_ASSERT_STRING_EQUAL(g->nodes[1]->name, "if");
    graph_free(g);
    diag_free(&d);
}

static void test_if_inlines_taken_branch(void)
{
    Diag d = {0};
    Graph *g = load_and_infer(if_model(false), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_ops(g, "If"), 0);
    CU_ASSERT_TRUE(has_node_named(g, "if/then_branch/add"));
    CU_ASSERT_FALSE(has_node_named(g, "if/else_branch/mul"));
    /* The output keeps its name. */
    CU_ASSERT_STRING_EQUAL(g->outputs[0]->name, "y");
    CU_ASSERT_TRUE(output_is(g, 0, (const float[]){2, 4}, 2));
    CU_ASSERT_TRUE(graph_verify(g, &d));
    graph_free(g);
    diag_free(&d);
}

static void test_if_runtime_condition_refused(void)
{
    Diag d = {0};
    Graph *g = load_and_infer(if_model(true), &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "node 'if' (If, opset 13): input 0 ('c', the condition) must "
                                "be known at compile time"));
    diag_free(&d);
}

static void test_unsupported_op_in_branch_named(void)
{
    Diag d = {0};
    Builder *b = if_model(false);
    b->graph.node[0]->attribute[1]->g->node[0]->op_type = "NoSuchOp";
    Graph *g = load_and_infer(b, &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "node 'if/else_branch/mul' (NoSuchOp, opset 13): unsupported "
                                "op 'NoSuchOp'"));
    diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Loop                                                                 */
/* ------------------------------------------------------------------ */

/* Loop(M, cond, s0): s = s + step (step captured); scan output s * i;
 * the body's condition is i < limit - 1 when `limit` > 0, else cond. */
static Builder *loop_model(int64_t trip, int64_t limit, bool trip_is_input)
{
    Builder *b = mb_new(13);
    Onnx__GraphProto *top = &b->graph;
    int64_t two[1] = {2};
    float s0[2] = {0, 1}, step[2] = {1, 2};
    if (trip_is_input)
        mb_input(b, "M", DT_INT64, 0, NULL);
    else
        init_scalar(b, top, "M", DT_INT64, trip);
    init_scalar(b, top, "cond", DT_BOOL, 1);
    init_f32(b, top, "s0", 1, two, s0, 2);
    init_f32(b, top, "step", 1, two, step, 2);
    Onnx__GraphProto *body = mb_subgraph(b, "body");
    sub_input(b, body, "i");
    sub_input(b, body, "c_in");
    sub_input(b, body, "s_in");
    node_in(b, body, "Add", "add", "s_in,step", "s_out");
    node_in(b, body, "Cast", "cast", "i", "i_f");
    int_attr(b, body->node[1], "to", DT_FLOAT);
    node_in(b, body, "Mul", "mul", "s_out,i_f", "scan");
    if (limit > 0) {
        init_scalar(b, body, "last", DT_INT64, limit - 1);
        node_in(b, body, "Less", "less", "i,last", "c_out");
    } else {
        node_in(b, body, "Identity", "keep", "c_in", "c_out");
    }
    sub_output(b, body, "c_out");
    sub_output(b, body, "s_out");
    sub_output(b, body, "scan");
    Onnx__NodeProto *n = node_in(b, top, "Loop", "loop", "M,cond,s0", "s,scans");
    attach(b, n, "body", body);
    mb_output(b, "s");
    mb_output(b, "scans");
    return b;
}

static void test_loop_unrolls_trip_count(void)
{
    Diag d = {0};
    Graph *g = load_and_infer(loop_model(3, 0, false), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_ops(g, "Loop"), 0);
    CU_ASSERT_TRUE(has_node_named(g, "loop/iter2/add"));
    CU_ASSERT_FALSE(has_node_named(g, "loop/iter3/add"));
    CU_ASSERT_TRUE(output_is(g, 0, (const float[]){3, 7}, 2));
    /* Scan outputs stacked on axis 0: (s after iteration i) * i. */
    const Shape *s = &g->outputs[1]->shape;
    CU_ASSERT_EQUAL(s->rank, 2);
    CU_ASSERT_EQUAL(s->dim[0], 3);
    CU_ASSERT_TRUE(output_is(g, 1, (const float[]){0, 0, 2, 5, 6, 14}, 6));
    CU_ASSERT_TRUE(graph_verify(g, &d));
    graph_free(g);
    diag_free(&d);
}

static void test_loop_condition_from_body(void)
{
    Diag d = {0};
    /* Trip count 10, but the body's condition stops it after i = 1. */
    Graph *g = load_and_infer(loop_model(10, 2, false), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_TRUE(output_is(g, 0, (const float[]){2, 5}, 2));
    CU_ASSERT_EQUAL(g->outputs[1]->shape.dim[0], 2);
    graph_free(g);
    diag_free(&d);
}

static void test_loop_runtime_trip_count_refused(void)
{
    Diag d = {0};
    Graph *g = load_and_infer(loop_model(0, 0, true), &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "node 'loop' (Loop, opset 13): input 0 ('M', the trip count) "
                                "must be known at compile time"));
    diag_free(&d);
}

/* MAX_LOOP_ITERATIONS unroll; one more, or no bound at all, do not. */
static void test_loop_iteration_bound(void)
{
    Diag d = {0};
    Graph *g = load_and_infer(loop_model(MAX_LOOP_ITERATIONS, 0, false), &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    graph_free(g);
    g = load_and_infer(loop_model(MAX_LOOP_ITERATIONS + 1, 0, false), &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "node 'loop' (Loop, opset 13): runs more than 4096 iterations; "
                                "at most 4096 are unrolled"));
    diag_free(&d);

    Builder *b = loop_model(0, 0, false);
    b->graph.node[0]->input[0] = ""; /* no trip count, condition always true */
    g = load_and_infer(b, &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "runs more than 4096 iterations"));
    diag_free(&d);
}

/* A Loop whose body holds an If reading the carried value and a tensor
 * of the main graph: captures two levels deep, inlined per iteration. */
static void test_nested_if_in_loop(void)
{
    Builder *b = mb_new(13);
    Onnx__GraphProto *top = &b->graph;
    int64_t one[1] = {1};
    init_scalar(b, top, "M", DT_INT64, 3);
    init_f32(b, top, "s0", 1, one, (const float[]){1}, 1);
    init_f32(b, top, "k", 1, one, (const float[]){10}, 1);
    Onnx__GraphProto *body = mb_subgraph(b, "body"), *then = mb_subgraph(b, "then"),
                     *other = mb_subgraph(b, "else");
    sub_input(b, body, "i");
    sub_input(b, body, "c_in");
    sub_input(b, body, "s_in");
    /* Iteration 0 adds k, the others double. */
    init_scalar(b, body, "zero", DT_INT64, 0);
    node_in(b, body, "Equal", "first", "i,zero", "is_first");
    Onnx__NodeProto *n = node_in(b, body, "If", "pick", "is_first", "s_out");
    node_in(b, then, "Add", "add_k", "s_in,k", "t");
    sub_output(b, then, "t");
    node_in(b, other, "Add", "double", "s_in,s_in", "e");
    sub_output(b, other, "e");
    attach(b, n, "then_branch", then);
    attach(b, n, "else_branch", other);
    node_in(b, body, "Identity", "keep", "c_in", "c_out");
    sub_output(b, body, "c_out");
    sub_output(b, body, "s_out");
    Onnx__NodeProto *loop = node_in(b, top, "Loop", "loop", "M,,s0", "s");
    attach(b, loop, "body", body);
    mb_output(b, "s");

    Diag d = {0};
    Graph *g = load_and_infer(b, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_TRUE(output_is(g, 0, (const float[]){44}, 1)); /* (1 + 10) * 2 * 2 */
    CU_ASSERT_TRUE(has_node_named(g, "loop/iter0/pick/then_branch/add_k"));
    CU_ASSERT_TRUE(has_node_named(g, "loop/iter2/pick/else_branch/double"));
    CU_ASSERT_EQUAL(count_ops(g, "If"), 0);
    graph_free(g);
    diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Scan                                                                 */
/* ------------------------------------------------------------------ */

/* Scan (opset 9+): running sum over the rows of x [3, 2]; scan output the
 * running sums, its direction `reverse_out`; the input read backwards
 * when reverse_in.  `inputs` names the Scan's: the initial sum "sum0", x. */
static Graph *scan_model(const char *inputs, bool reverse_in, bool reverse_out, Diag *d)
{
    Builder *b = mb_new(11);
    Onnx__GraphProto *top = &b->graph;
    int64_t two[1] = {2}, xd[2] = {3, 2};
    init_f32(b, top, "sum0", 1, two, (const float[]){0, 0}, 2);
    init_f32(b, top, "x", 2, xd, (const float[]){1, 2, 3, 4, 5, 6}, 6);
    Onnx__GraphProto *body = mb_subgraph(b, "body");
    sub_input(b, body, "sum_in");
    sub_input(b, body, "row");
    node_in(b, body, "Add", "add", "sum_in,row", "sum_out");
    node_in(b, body, "Identity", "copy", "sum_out", "out");
    sub_output(b, body, "sum_out");
    sub_output(b, body, "out");
    Onnx__NodeProto *n = node_in(b, top, "Scan", "scan", inputs, "sum,sums");
    attach(b, n, "body", body);
    int_attr(b, n, "num_scan_inputs", 1);
    Onnx__AttributeProto *a;
    a = mb_attr(b, n, "scan_input_directions", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->ints = mb_alloc(b, sizeof *a->ints);
    a->n_ints = 1;
    a->ints[0] = reverse_in;
    a = mb_attr(b, n, "scan_output_directions", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->ints = mb_alloc(b, sizeof *a->ints);
    a->n_ints = 1;
    a->ints[0] = reverse_out;
    mb_output(b, "sum");
    mb_output(b, "sums");
    return load_and_infer(b, d);
}

static void test_scan_forward_and_reverse(void)
{
    Diag d = {0};
    Graph *g = scan_model("sum0,x", false, false, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_ops(g, "Scan"), 0);
    CU_ASSERT_TRUE(output_is(g, 0, (const float[]){9, 12}, 2));
    CU_ASSERT_TRUE(output_is(g, 1, (const float[]){1, 2, 4, 6, 9, 12}, 6));
    graph_free(g);

    g = scan_model("sum0,x", true, false, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_TRUE(output_is(g, 1, (const float[]){5, 6, 8, 10, 9, 12}, 6));
    graph_free(g);

    g = scan_model("sum0,x", false, true, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_TRUE(output_is(g, 1, (const float[]){9, 12, 4, 6, 1, 2}, 6));
    graph_free(g);
    diag_free(&d);
}

/* Only opset 8's sequence_lens may be omitted: a state left out is
 * refused, not read as a NULL tensor. */
static void test_scan_omitted_state(void)
{
    Diag d = {0};
    CU_ASSERT_PTR_NULL(scan_model(",x", false, false, &d));
    CU_ASSERT_TRUE(diag_has(&d, "node 'scan' (Scan, opset 11): input 0 is required, but omitted"));
    diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

static void test_sequence_input_type(void)
{
    Builder *b = mb_new(13);
    Onnx__ValueInfoProto *vi = mb_input(b, "seq", DT_FLOAT, 2, (int64_t[]){2, 3});
    Onnx__TypeProto *seq = mb_alloc(b, sizeof *seq);
    Onnx__TypeProto__Sequence *st = mb_alloc(b, sizeof *st);
    onnx__type_proto__init(seq);
    onnx__type_proto__sequence__init(st);
    seq->value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
    seq->sequence_type = st;
    st->elem_type = vi->type;
    vi->type = seq;
    mb_node(b, "Identity", "id", "seq", "out");
    mb_output(b, "out");
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    mb_free(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    const Tensor *t = g->inputs[0];
    CU_ASSERT_EQUAL(t->kind, KIND_SEQUENCE);
    CU_ASSERT_EQUAL(t->dtype, DT_FLOAT);
    CU_ASSERT_TRUE(t->shape_known);
    CU_ASSERT_EQUAL(t->shape.dim[1], 3);
    graph_free(g);
    diag_free(&d);
}

static void test_undefined_name_in_subgraph(void)
{
    Builder *b = if_model(false);
    b->graph.node[0]->attribute[0]->g->node[0]->input[1] = "nowhere";
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    mb_free(b);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(diag_has(&d, "node 'if/then_branch/add' (Add): input 'nowhere' is not "
                                "defined"));
    diag_free(&d);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("control_flow", NULL, NULL);
    CU_add_test(s, "reader captures", test_reader_captures);
    CU_add_test(s, "If inlines the taken branch", test_if_inlines_taken_branch);
    CU_add_test(s, "If run-time condition refused", test_if_runtime_condition_refused);
    CU_add_test(s, "unsupported op in a branch named", test_unsupported_op_in_branch_named);
    CU_add_test(s, "Loop unrolls its trip count", test_loop_unrolls_trip_count);
    CU_add_test(s, "Loop condition from the body", test_loop_condition_from_body);
    CU_add_test(s, "Loop run-time trip count refused", test_loop_runtime_trip_count_refused);
    CU_add_test(s, "Loop iteration bound", test_loop_iteration_bound);
    CU_add_test(s, "If nested in Loop", test_nested_if_in_loop);
    CU_add_test(s, "Scan forward and reverse", test_scan_forward_and_reverse);
    CU_add_test(s, "Scan with an omitted state", test_scan_omitted_state);
    CU_add_test(s, "sequence input type", test_sequence_input_type);
    CU_add_test(s, "undefined name in a subgraph", test_undefined_name_in_subgraph);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
