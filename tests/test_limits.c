/*
 * test_limits.c - models at the scale limits: a long chain compiles
 * through every stage (frontend, inference, passes, planner, codegen),
 * and the resource limits refuse what is past them with a message
 * naming the limit.  No timings here: bench/ measures speed.
 */
#define _XOPEN_SOURCE 700 /* nftw, for frontend_fixtures.h */
#include "frontend_fixtures.h"

#include <CUnit/Basic.h>

#include "codegen/codegen.h"
#include "passes/passes.h"

/* x [1,8] -> Relu -> Neg -> Relu -> ... (n nodes) -> y; with
 * `all_outputs`, every tensor of the chain is a graph output. */
static Builder *chain_model(int n, bool all_outputs)
{
    Builder *b = mb_new(13);
    b->graph.node = mb_alloc(b, (size_t)n * sizeof *b->graph.node);
    if (all_outputs)
        b->graph.output = mb_alloc(b, (size_t)n * sizeof *b->graph.output);
    mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){1, 8});
    char name[32], in[32], out[32] = "x";
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "n%d", i);
        snprintf(in, sizeof in, "%s", out);
        snprintf(out, sizeof out, i == n - 1 ? "y" : "t%d", i);
        mb_node(b, i % 2 ? "Neg" : "Relu", name, in, out);
        if (all_outputs && i < n - 1)
            mb_output(b, out);
    }
    mb_output(b, "y");
    return b;
}

/* Loads b's model (freeing b), infers, runs -O2's passes, plans and
 * prints C, expecting every stage to succeed. */
static void expect_compiles(Builder *b)
{
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    mb_free(b);
    MemPlan plan;
    PassOptions passes = {.level = 2};
    CodegenOptions opt = {.name = "chain", .source = "chain.onnx", .weights = WEIGHTS_EMBED};
    CodegenOutput out = {0};
    CU_ASSERT_TRUE(g && graph_infer(g, &d) && passes_run(g, &passes, &d) &&
                   plan_memory(g, &plan, &d) && codegen_c(g, &opt, &out, &d));
    if (d.count)
        fprintf(stderr, "%s", d.text.buf);
    codegen_output_free(&out);
    graph_free(g);
    diag_free(&d);
}

/* Loads b and frees it; expects success when `text` is NULL, else an
 * error containing it. */
static void expect_load(Builder *b, const char *text)
{
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    CU_ASSERT_EQUAL(g == NULL, text != NULL);
    CU_ASSERT_TRUE(diag_expect(&d, text));
    graph_free(g);
    diag_free(&d);
    mb_free(b);
}

/* A graph of n copies of one Relu node without inputs or outputs (the
 * reader accepts it; inference would not). */
static Builder *many_nodes(size_t n)
{
    Builder *b = mb_new(13);
    mb_node(b, "Relu", "", "", "");
    b->graph.n_node = n;
    Onnx__NodeProto *relu = b->graph.node[0];
    b->graph.node = mb_alloc(b, n * sizeof *b->graph.node);
    for (size_t i = 0; i < n; i++)
        b->graph.node[i] = relu;
    mb_output(b, "x");
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    return b;
}

/* Refused before a node is made; graphs below the limit load (the chain
 * above; exactly MAX_NODES would hold another 200 MB of nodes here). */
static void test_node_limit(void)
{
    expect_load(many_nodes(MAX_NODES + 1), "the graph has 1048577 nodes; at most 1048576 are "
                                           "supported");
}

/* c, x -> If (then: If (then: ... x), else: x) ..., `depth` Ifs inside
 * one another: the innermost branch is `depth` subgraphs deep. */
static Builder *nested_ifs(int depth)
{
    Builder *b = mb_new(13);
    mb_input(b, "c", DT_BOOL, 0, NULL);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    Onnx__GraphProto *pass = mb_subgraph(b, "pass"); /* x, from outside */
    pass->output[pass->n_output++] = mb_value_info(b, "x");
    Onnx__GraphProto *inner = pass;
    for (int level = depth; level >= 1; level--) {
        Onnx__GraphProto *gp = level > 1 ? mb_subgraph(b, "then") : &b->graph;
        Onnx__NodeProto *n = mb_node(b, "If", "if", "c", "y");
        if (gp != &b->graph) {
            b->graph.n_node--; /* mb_node put it in the main graph */
            gp->node[gp->n_node++] = n;
        }
        mb_attr(b, n, "then_branch", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g = inner;
        mb_attr(b, n, "else_branch", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g = pass;
        if (gp != &b->graph)
            gp->output[gp->n_output++] = mb_value_info(b, "y");
        inner = gp;
    }
    mb_output(b, "y");
    return b;
}

static void test_subgraph_depth_limit(void)
{
    expect_load(nested_ifs(MAX_SUBGRAPH_DEPTH), NULL);
    expect_load(nested_ifs(MAX_SUBGRAPH_DEPTH + 1),
                "attribute 'then_branch' holds a subgraph nested 17 deep; at most 16 levels are "
                "supported");
}

/* x [n] float32 -> Concat of `copies` x's -> y; expects inference to
 * succeed, or to fail naming `text`. */
static void expect_concat_infers(int64_t n, int copies, const char *text)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){n});
    Onnx__NodeProto *cat = mb_node(b, "Concat", "cat", copies == 1 ? "x" : "x,x", "y");
    mb_attr(b, cat, "axis", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)->i = 0;
    mb_output(b, "y");
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(graph_infer(g, &d), text == NULL);
    CU_ASSERT_TRUE(diag_expect(&d, text));
    graph_free(g);
    diag_free(&d);
    mb_free(b);
}

/* 2^30 float32 elements are 4 GiB, the most a tensor may hold, as a
 * graph input or a node's output; one more element is refused. */
static void test_tensor_bytes_limit(void)
{
    const int64_t most = MAX_TENSOR_BYTES / 4;
    expect_concat_infers(most, 1, NULL);
    expect_concat_infers(most + 1, 1, "graph input 'x' would hold 4294967300 bytes; at most "
                                      "4294967296 are supported");
    expect_concat_infers(most / 2, 2, NULL);
    expect_concat_infers(most / 2 + 1, 2, "node 'cat' (Concat, opset 13): output 'y' would hold "
                                          "4294967304 bytes; at most 4294967296 are supported");
}

/* Issue 14: a chain of 100,000 Relu/Neg nodes took over 30 s, looking
 * tensor names up one by one. */
static void test_long_chain_compiles(void)
{
    expect_compiles(chain_model(100000, false));
}

/* Each output is a parameter of the generated function, whose names
 * codegen made unique by comparing with every other one. */
static void test_many_outputs_compile(void)
{
    expect_compiles(chain_model(100000, true));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("limits", NULL, NULL);
    CU_add_test(s, "100,000-node chain compiles", test_long_chain_compiles);
    CU_add_test(s, "100,000 outputs compile", test_many_outputs_compile);
    CU_add_test(s, "nodes", test_node_limit);
    CU_add_test(s, "subgraph depth", test_subgraph_depth_limit);
    CU_add_test(s, "tensor bytes", test_tensor_bytes_limit);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
