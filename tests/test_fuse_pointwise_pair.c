/*
 * test_fuse_pointwise_pair.c - passes/fuse_pointwise_pair.c on hand-built
 * graphs: a 1x1 Conv read only by another 1x1 Conv becomes one
 * PointwisePair with both activations; a pair whose intermediate is read
 * elsewhere, or whose first Conv is not 1x1, stays.  (The kernel's values
 * are tested in test_pointwise_pair.c, the whole path on the CMUNeXt
 * fixtures in test_models.c.)
 */
#include "graph_builder.h"
#include "ir/ops/ops.h"
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <stdlib.h>

enum { C = 4, M = 12, K = 5 };

/* x [1, C, 6, 7] -> Conv(kernel k1, to M) -> Relu -> Conv 1x1 (to K) -> Sigmoid. */
static Graph *two_convs(int64_t k1, bool intermediate_is_output)
{
    Graph *g = new_graph(13);
    int64_t xd[] = {1, C, 6, 7}, w1d[] = {M, C, k1, k1}, w2d[] = {K, M, 1, 1};
    int64_t pads[] = {k1 / 2, k1 / 2, k1 / 2, k1 / 2};
    float *w1 = test_data(M * C * k1 * k1, 3), *w2 = test_data(K * M, 7);
    Node *c1 = add_op(g, "Conv", 2, add_input(g, "x", 4, xd), add_const(g, DT_FLOAT, 4, w1d, w1));
    set_ints(c1, "pads", 4, pads);
    Node *relu = add_op(g, "Relu", 1, c1->out[0]);
    Node *c2 = add_op(g, "Conv", 2, relu->out[0], add_const(g, DT_FLOAT, 4, w2d, w2));
    add_output(g, add_op(g, "Sigmoid", 1, c2->out[0])->out[0]);
    if (intermediate_is_output)
        add_output(g, relu->out[0]);
    CU_ASSERT_FATAL(infer(g));
    g->target = target_find("generic");
    free(w1);
    free(w2);
    return g;
}

/* Runs the passes that lead up to the pair and the pair itself. */
static bool run_pair_passes(Graph *g)
{
    Diag d = {0};
    PassOptions only = {.level = 2, .only = "fuse_conv_epilogue,select_kernels,fuse_pointwise_pair"};
    bool ok = passes_run(g, &only, &d);
    if (!ok)
        fprintf(stderr, "%s", d.text.buf ? d.text.buf : "");
    diag_free(&d);
    return ok;
}

static void test_fuses_two_pointwise(void)
{
    Graph *g = two_convs(1, false);
    CU_ASSERT_TRUE_FATAL(run_pair_passes(g));
    CU_ASSERT_EQUAL(count_op(g, "PointwisePair"), 1);
    CU_ASSERT_EQUAL(count_op(g, "FusedConv"), 0);
    const Node *pair = g->nodes[0];
    snt_act act1, act2;
    Diag d = {0};
    CU_ASSERT_TRUE(fused_act_get_at(pair, "first_", &act1, &d) && fused_act_get(pair, &act2, &d));
    CU_ASSERT_EQUAL(act1.kind, SNT_ACT_RELU);
    CU_ASSERT_EQUAL(act2.kind, SNT_ACT_SIGMOID);
    CU_ASSERT_EQUAL(pair->out[0]->shape.dim[1], K);
    CU_ASSERT_EQUAL(pair->op->cost(pair).macs, (int64_t)6 * 7 * (M * C + K * M));
    diag_free(&d);
    graph_free(g);
}

static void test_keeps_intermediate_read_elsewhere(void)
{
    Graph *g = two_convs(1, true);
    CU_ASSERT_TRUE_FATAL(run_pair_passes(g));
    CU_ASSERT_EQUAL(count_op(g, "PointwisePair"), 0);
    CU_ASSERT_EQUAL(count_op(g, "FusedConv"), 2);
    graph_free(g);
}

static void test_keeps_3x3_first(void)
{
    Graph *g = two_convs(3, false);
    CU_ASSERT_TRUE_FATAL(run_pair_passes(g));
    CU_ASSERT_EQUAL(count_op(g, "PointwisePair"), 0);
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("fuse_pointwise_pair", NULL, NULL);
    CU_add_test(s, "fuses two 1x1 convolutions", test_fuses_two_pointwise);
    CU_add_test(s, "keeps an intermediate read elsewhere", test_keeps_intermediate_read_elsewhere);
    CU_add_test(s, "keeps a 3x3 first convolution", test_keeps_3x3_first);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures != 0;
}
