/*
 * test_ir.c - the IR core: shapes, dtypes, topological order, cycles,
 * dead-code removal and the memory planner's invariants.
 */
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

static Tensor *float_tensor(Graph *g, const char *name, int rank, const int64_t *dims)
{
    Tensor *t = graph_add_tensor(g, name);
    t->dtype = DT_FLOAT;
    t->shape.rank = rank;
    memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    return t;
}

static void test_broadcast(void)
{
    Shape a = {4, {1, 3, 1, 5}}, b = {2, {4, 1}}, out;
    CU_ASSERT_TRUE(shape_broadcast(&a, &b, &out));
    CU_ASSERT_EQUAL(out.rank, 4);
    CU_ASSERT_EQUAL(out.dim[2], 4);
    CU_ASSERT_EQUAL(out.dim[3], 5);
    Shape c = {1, {3}};
    CU_ASSERT_TRUE(shape_broadcast(&b, &c, &out));
    CU_ASSERT_EQUAL(out.dim[0], 4);
    CU_ASSERT_EQUAL(out.dim[1], 3);
    Shape bad = {1, {4}}, five = {1, {5}};
    CU_ASSERT_FALSE(shape_broadcast(&bad, &five, &out));
}

static void test_numel_overflow(void)
{
    Shape s = {3, {1 << 20, 1 << 20, 1 << 20}};
    CU_ASSERT_EQUAL(shape_numel(&s), -1);
    Shape z = {2, {0, 7}};
    CU_ASSERT_EQUAL(shape_numel(&z), 0);
    Shape neg = {1, {-3}};
    CU_ASSERT_EQUAL(shape_numel(&neg), -1);
}

static void test_dtype_conversions(void)
{
    int32_t i32[1];
    dtype_set_f64(DT_INT32, i32, 0, -2.7);
    CU_ASSERT_EQUAL(i32[0], -2); /* truncation toward zero */
    uint8_t b[1];
    dtype_set_f64(DT_BOOL, b, 0, 0.25);
    CU_ASSERT_EQUAL(b[0], 1);
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_INT64), "int64_t");
    CU_ASSERT_EQUAL(dtype_size(DT_STRING), 0);
}

/* a -> Relu -> b -> Relu -> c, listed in reverse order. */
static Graph *reversed_chain(void)
{
    Graph *g = graph_new("chain");
    g->opset = 13;
    int64_t dims[] = {2, 3};
    Tensor *a = float_tensor(g, "a", 2, dims);
    Tensor *b = graph_add_tensor(g, "b"), *c = graph_add_tensor(g, "c");
    a->is_input = true;
    c->is_output = true;
    graph_add_input(g, a);
    graph_add_output(g, c);
    Node *second = graph_add_node(g, "second", "Relu");
    node_add_input(second, b);
    node_add_output(second, c);
    Node *first = graph_add_node(g, "first", "Relu");
    node_add_input(first, a);
    node_add_output(first, b);
    return g;
}

static void test_toposort_orders_chain(void)
{
    Graph *g = reversed_chain();
    Diag d = {0};
    CU_ASSERT_TRUE(graph_toposort(g, &d));
    CU_ASSERT_STRING_EQUAL(g->nodes[0]->name, "first");
    CU_ASSERT_STRING_EQUAL(g->nodes[1]->name, "second");
    diag_free(&d);
    graph_free(g);
}

static void test_cycle_is_an_error(void)
{
    Graph *g = reversed_chain();
    /* Feed "first" from "c", the output of "second": a cycle. */
    Node *first = g->nodes[1];
    first->in[0] = g->outputs[0];
    Diag d = {0};
    CU_ASSERT_FALSE(graph_toposort(g, &d));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "cycle"));
    diag_free(&d);
    graph_free(g);
}

static void test_unsupported_ops_all_reported(void)
{
    Graph *g = reversed_chain();
    free(g->nodes[0]->op_type);
    g->nodes[0]->op_type = xstrdup("FancyOpA");
    free(g->nodes[1]->op_type);
    g->nodes[1]->op_type = xstrdup("FancyOpB");
    Diag d = {0};
    CU_ASSERT_FALSE(graph_infer(g, &d));
    CU_ASSERT_EQUAL(d.count, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "FancyOpA"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "FancyOpB"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "node 'second'"));
    /* The element type is named where the model declares it. */
    CU_ASSERT_PTR_NOT_NULL(
        strstr(d.text.buf, "node 'first' (FancyOpB, opset 13, float32): unsupported op 'FancyOpB'"));
    diag_free(&d);
    graph_free(g);
}

/* Ops that only passes create cannot be named by a model. */
static void test_internal_op_refused(void)
{
    Graph *g = reversed_chain();
    free(g->nodes[0]->op_type);
    g->nodes[0]->op_type = xstrdup("FusedConv");
    CU_ASSERT_PTR_NOT_NULL(op_lookup("", "FusedConv"));
    Diag d = {0};
    CU_ASSERT_FALSE(graph_infer(g, &d));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "unsupported op 'FusedConv'"));
    diag_free(&d);
    graph_free(g);
}

static void test_opset_out_of_range(void)
{
    Graph *g = reversed_chain();
    g->nodes[0]->opset = 99;
    Diag d = {0};
    CU_ASSERT_FALSE(graph_infer(g, &d));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.buf, "opset 99"));
    diag_free(&d);
    graph_free(g);
}

static void test_dce_removes_unused(void)
{
    Graph *g = reversed_chain();
    Diag d = {0};
    CU_ASSERT_TRUE(graph_infer(g, &d));
    /* An extra node whose output nobody reads. */
    Node *dead = graph_add_node(g, "dead", "Relu");
    node_add_input(dead, g->inputs[0]);
    node_add_output(dead, graph_add_tensor(g, "unused"));
    bool changed;
    CU_ASSERT_TRUE(pass_run(pass_find("dce"), g, &changed, &d) && changed);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_TRUE(graph_verify(g, &d));
    diag_free(&d);
    graph_free(g);
}

/* Random DAGs: no two tensors live at one step may share arena bytes,
 * and the arena is never below the peak of live bytes. */
static void check_plan(Graph *g)
{
    MemPlan plan;
    Diag d = {0};
    CU_ASSERT_TRUE_FATAL(plan_memory(g, &plan, &d));
    CU_ASSERT_TRUE(plan.arena_bytes >= plan.lower_bound_bytes);
    CU_ASSERT_TRUE(plan.naive_bytes >= plan.arena_bytes);
    int n = g->n_nodes;
    int *first = xmalloc((size_t)g->n_tensors * sizeof *first);
    int *last = xmalloc((size_t)g->n_tensors * sizeof *last);
    for (int i = 0; i < g->n_tensors; i++)
        first[i] = last[i] = -1;
    for (int s = 0; s < n; s++) {
        first[g->nodes[s]->out[0]->id] = s;
        for (int j = 0; j < g->nodes[s]->n_in; j++)
            last[g->nodes[s]->in[j]->id] = s;
    }
    for (int i = 0; i < g->n_tensors; i++)
        for (int j = i + 1; j < g->n_tensors; j++) {
            const Tensor *a = g->tensors[i], *b = g->tensors[j];
            if (a->offset < 0 || b->offset < 0)
                continue;
            int la = last[i] < 0 ? first[i] : last[i], lb = last[j] < 0 ? first[j] : last[j];
            bool time = first[i] <= lb && first[j] <= la;
            bool space = a->offset < b->offset + (int64_t)tensor_bytes(b) &&
                         b->offset < a->offset + (int64_t)tensor_bytes(a);
            CU_ASSERT_FALSE(time && space);
            CU_ASSERT_EQUAL(a->offset % ARENA_ALIGN, 0);
        }
    free(first);
    free(last);
    diag_free(&d);
}

static void test_planner_random_dags(void)
{
    srand(7);
    for (int trial = 0; trial < 50; trial++) {
        Graph *g = graph_new("random");
        int64_t d0 = 1 + rand() % 100;
        Tensor *in = float_tensor(g, "in", 1, &d0);
        in->is_input = true;
        Tensor **made = xmalloc(40 * sizeof *made);
        int n_made = 0;
        int nodes = 2 + rand() % 38;
        for (int k = 0; k < nodes; k++) {
            char name[32];
            snprintf(name, sizeof name, "t%d", k);
            int64_t dim = 1 + rand() % 5000;
            Tensor *out = float_tensor(g, name, 1, &dim);
            Node *node = graph_add_node(g, name, "Add");
            int fan_in = 1 + rand() % 3;
            for (int f = 0; f < fan_in; f++)
                node_add_input(node, n_made && rand() % 4 ? made[rand() % n_made] : in);
            node_add_output(node, out);
            made[n_made++] = out;
        }
        made[n_made - 1]->is_output = true;
        check_plan(g);
        free(made);
        graph_free(g);
    }
}

/* `sinter ops` lists each op's dtypes from the table: every op a model
 * may name declares them. */
static void test_every_op_declares_dtypes(void)
{
    int n;
    const OpDesc *const *ops = op_all(&n);
    CU_ASSERT(n >= 150);
    for (int i = 0; i < n; i++) {
        if (ops[i]->internal)
            continue;
        if (!ops[i]->dtypes)
            fprintf(stderr, "\n%s declares no dtypes", ops[i]->name);
        CU_ASSERT(ops[i]->dtypes != 0);
    }
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ir", NULL, NULL);
    CU_add_test(s, "broadcast", test_broadcast);
    CU_add_test(s, "numel overflow", test_numel_overflow);
    CU_add_test(s, "dtype conversions", test_dtype_conversions);
    CU_add_test(s, "toposort orders a chain", test_toposort_orders_chain);
    CU_add_test(s, "cycle is an error", test_cycle_is_an_error);
    CU_add_test(s, "unsupported ops all reported", test_unsupported_ops_all_reported);
    CU_add_test(s, "opset out of range", test_opset_out_of_range);
    CU_add_test(s, "internal op refused", test_internal_op_refused);
    CU_add_test(s, "dce removes unused nodes", test_dce_removes_unused);
    CU_add_test(s, "planner on random DAGs", test_planner_random_dags);
    CU_add_test(s, "every op declares dtypes", test_every_op_declares_dtypes);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
