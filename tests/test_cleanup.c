/*
 * test_cleanup.c - the cleanup passes on hand-built graphs:
 * remove_identity, merge_initializers, fold_pad and remove_noops, and
 * the change each pass reports.
 * Each test checks the node counts (and attributes) after the pass and,
 * where every op of the graph folds, equal values before and after.
 */
#include "graph_builder.h"
#include "passes/rewriter.h"

#include <CUnit/Basic.h>

static const int64_t img[4] = {1, 2, 4, 4};

/* Folds a copy before and after `pass` and compares output values. */
static void assert_same_values(Graph *(*build)(void), bool (*pass)(Rewriter *, Diag *))
{
    Graph *ref = build(), *g = build();
    CU_ASSERT_FATAL(run_pass(g, pass));
    int64_t n = tensor_numel(g->inputs[0]);
    float *data = test_data(n, 11);
    float *want = evaluate(ref, data), *got = evaluate(g, data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(memcmp(want, got, tensor_bytes(g->outputs[0])), 0);
    free(data);
    free(want);
    free(got);
    graph_free(ref);
    graph_free(g);
}

/* ---- remove_identity --------------------------------------------- */

static void test_identity_in_chain(void)
{
    Graph *g = new_graph(13);
    Tensor *a = add_op(g, "Relu", 1, add_input(g, "x", 4, img))->out[0];
    Node *last = add_op(g, "Relu", 1, add_op(g, "Identity", 1, a)->out[0]);
    add_output(g, last->out[0]);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_TRUE(run_pass(g, pass_remove_identity));
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_EQUAL(count_op(g, "Identity"), 0);
    CU_ASSERT_PTR_EQUAL(last->in[0], a);
    graph_free(g);
}

static void test_identity_as_graph_output(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 4, img);
    Node *relu = add_op(g, "Relu", 1, x);
    Tensor *y = add_op(g, "Identity", 1, relu->out[0])->out[0];
    Tensor *z = add_op(g, "Identity", 1, x)->out[0]; /* copies an input: stays */
    add_output(g, y);
    add_output(g, z);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_TRUE(run_pass(g, pass_remove_identity));
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_EQUAL(count_op(g, "Identity"), 1);
    /* The output keeps its name: Relu now computes it. */
    CU_ASSERT_PTR_EQUAL(relu->out[0], y);
    CU_ASSERT_PTR_EQUAL(y->producer, relu);
    graph_free(g);
}

/* ---- merge_initializers ------------------------------------------- */

static void test_merge_equal_constants(void)
{
    Graph *g = new_graph(13);
    float v[2] = {0.5f, -1.0f};
    int64_t two[1] = {2}, one_two[2] = {1, 2};
    Tensor *x = add_input(g, "x", 1, two);
    Tensor *c1 = add_const(g, DT_FLOAT, 1, two, v), *c2 = add_const(g, DT_FLOAT, 1, two, v);
    Tensor *c3 = add_const(g, DT_FLOAT, 2, one_two, v); /* same bytes, other shape */
    Node *a = add_op(g, "Add", 2, x, c1), *b = add_op(g, "Add", 2, a->out[0], c2);
    Node *c = add_op(g, "Add", 2, b->out[0], c3);
    add_output(g, c->out[0]);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_TRUE(run_pass(g, pass_merge_initializers));
    CU_ASSERT_PTR_EQUAL(a->in[1], c1);
    CU_ASSERT_PTR_EQUAL(b->in[1], c1);
    CU_ASSERT_PTR_EQUAL(c->in[1], c3);
    graph_free(g);
}

/* ---- fold_pad ------------------------------------------------------ */

/* Pad{pads, value} -> consumer (Conv with a 3x3 weight, or a pool). */
static Graph *pad_then(const char *consumer, float value, bool second_reader)
{
    Graph *g = new_graph(13);
    int64_t pads[8] = {0, 0, 1, 2, 0, 0, 1, 0}, wdims[4] = {2, 2, 3, 3}, k[2] = {3, 3};
    float w[36] = {0};
    Tensor *p = add_op(g, "Pad", 3, add_input(g, "x", 4, img), ints1(g, 8, pads),
                       add_const(g, DT_FLOAT, 0, NULL, &value))->out[0];
    Node *c = strcmp(consumer, "Conv") == 0
                  ? add_op(g, "Conv", 2, p, add_const(g, DT_FLOAT, 4, wdims, w))
                  : add_op(g, consumer, 1, p);
    if (strcmp(consumer, "Conv") != 0)
        set_ints(c, "kernel_shape", 2, k);
    add_output(g, c->out[0]);
    if (second_reader)
        add_output(g, add_op(g, "Relu", 1, p)->out[0]);
    CU_ASSERT_FATAL(infer(g));
    return g;
}

static void test_fold_pad_into_conv(void)
{
    Graph *g = pad_then("Conv", 0.0f, false);
    Shape before = g->outputs[0]->shape;
    CU_ASSERT_TRUE(run_pass(g, pass_fold_pad));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    Node *conv = g->nodes[0];
    int64_t pads[4];
    CU_ASSERT_EQUAL(attr_ints(conv, "pads", pads, 4), 4);
    CU_ASSERT(pads[0] == 1 && pads[1] == 2 && pads[2] == 1 && pads[3] == 0);
    CU_ASSERT_TRUE(conv->in[0]->is_input);
    CU_ASSERT_TRUE(shape_equal(&before, &conv->out[0]->shape));
    graph_free(g);
}

static void test_fold_pad_into_average_pool(void)
{
    Graph *g = pad_then("AveragePool", 0.0f, false);
    CU_ASSERT_TRUE(run_pass(g, pass_fold_pad));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(attr_int_or(g->nodes[0], "count_include_pad", 0), 1);
    graph_free(g);
}

static void test_fold_pad_refusals(void)
{
    /* A non-zero fill, a Pad read twice, and MaxPool (which pads with
     * -inf) all keep the Pad. */
    Graph *gs[3] = {pad_then("Conv", 1.0f, false), pad_then("Conv", 0.0f, true),
                    pad_then("MaxPool", 0.0f, false)};
    for (int i = 0; i < 3; i++) {
        int before = gs[i]->n_nodes;
        CU_ASSERT_TRUE(run_pass(gs[i], pass_fold_pad));
        CU_ASSERT_EQUAL(gs[i]->n_nodes, before);
        CU_ASSERT_EQUAL(count_op(gs[i], "Pad"), 1);
        graph_free(gs[i]);
    }
}

/* ---- remove_noops -------------------------------------------------- */

/* x -> Resize to its own size (sizes input) -> MaxPool 1x1 -> Relu. */
static Graph *identity_resize_and_pool(void)
{
    Graph *g = new_graph(13);
    Node *r = add_op(g, "Resize", 4, add_input(g, "x", 4, img), NULL, NULL, ints1(g, 4, img));
    set_string(r, "mode", "linear");
    Node *p = add_op(g, "MaxPool", 1, r->out[0]);
    int64_t k[2] = {1, 1};
    set_ints(p, "kernel_shape", 2, k);
    add_output(g, add_op(g, "Relu", 1, p->out[0])->out[0]);
    CU_ASSERT_FATAL(infer(g));
    return g;
}

static void test_noop_resize_and_pool(void)
{
    Graph *g = identity_resize_and_pool();
    CU_ASSERT_TRUE(run_pass(g, pass_remove_noops));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(count_op(g, "Relu"), 1);
    graph_free(g);
}

static void test_resize_crop_mode_stays(void)
{
    Graph *g = new_graph(13);
    float roi[8] = {0, 0, 0.25f, 0.25f, 1, 1, 0.75f, 0.75f}, scales[4] = {1, 1, 1, 1};
    int64_t eight[1] = {8}, four[1] = {4};
    Node *r = add_op(g, "Resize", 3, add_input(g, "x", 4, img), add_const(g, DT_FLOAT, 1, eight, roi),
                     add_const(g, DT_FLOAT, 1, four, scales));
    set_string(r, "coordinate_transformation_mode", "tf_crop_and_resize");
    add_output(g, r->out[0]);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_TRUE(run_pass(g, pass_remove_noops));
    CU_ASSERT_EQUAL(count_op(g, "Resize"), 1);
    graph_free(g);
}

/* x -> Slice(x, 0, 0) (empty) ++ x -> Relu: the Concat and Slice go. */
static Graph *concat_with_empty(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 4, img);
    Node *c = add_op(g, "Concat", 2, slice1(g, x, 0, 0, 2), x);
    set_int(c, "axis", 2);
    add_output(g, add_op(g, "Relu", 1, c->out[0])->out[0]);
    CU_ASSERT_FATAL(infer(g));
    return g;
}

static void test_noop_empty_concat_operand(void)
{
    Graph *g = concat_with_empty();
    CU_ASSERT_TRUE(run_pass(g, pass_remove_noops));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_TRUE(g->nodes[0]->in[0]->is_input);
    graph_free(g);
    assert_same_values(concat_with_empty, pass_remove_noops);
}

/* Four chained transposes (composing to perm 1,0,2,3), then Reshape
 * -> Reshape -> Reshape to the same shape. */
static Graph *transposes_and_reshapes(void)
{
    Graph *g = new_graph(13);
    int64_t p1[4] = {0, 2, 3, 1}, p2[4] = {3, 0, 1, 2}, inv[4] = {0, 3, 1, 2};
    int64_t flat[2] = {2, 16}, back[4] = {1, 2, 4, 4}, same[4] = {1, 2, 4, 4};
    Tensor *t = transpose(g, transpose(g, add_input(g, "x", 4, img), 4, p1), 4, p2);
    t = transpose(g, transpose(g, t, 4, p1), 4, inv);
    t = reshape(g, reshape(g, reshape(g, t, 2, flat), 4, back), 4, same);
    add_output(g, add_op(g, "Relu", 1, t)->out[0]);
    CU_ASSERT_FATAL(infer(g));
    return g;
}

static void test_noop_transposes_and_reshapes(void)
{
    Graph *g = transposes_and_reshapes();
    CU_ASSERT_TRUE(run_pass(g, pass_remove_noops));
    /* The four transposes compose to one (perm 1,0,2,3); the last
     * Reshape is to its own input shape and goes, the middle one reads
     * the Transpose directly: Transpose, Reshape, Relu are left. */
    CU_ASSERT_EQUAL(count_op(g, "Transpose"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Reshape"), 1);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    graph_free(g);
    assert_same_values(transposes_and_reshapes, pass_remove_noops);
}

/* ---- change reports ------------------------------------------------ */

/* Runs the pass named `name` on g: whether it says it changed g. */
static bool pass_changed(Graph *g, const char *name)
{
    Diag d = {0};
    bool changed = false;
    CU_ASSERT_TRUE(pass_run(pass_find(name), g, &changed, &d));
    diag_free(&d);
    return changed;
}

/* A pass reports a change when it rewrites the graph, and none when it
 * finds nothing to do: the second run of each, and the other passes. */
static void test_passes_report_changes(void)
{
    static const char *const idle[] = {"dce", "remove_identity", "merge_initializers",
                                       "remove_noops", "fold_pad", "fuse_conv_epilogue"};
    Graph *g = new_graph(13);
    Tensor *a = add_op(g, "Relu", 1, add_input(g, "x", 4, img))->out[0];
    add_output(g, add_op(g, "Relu", 1, add_op(g, "Identity", 1, a)->out[0])->out[0]);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_TRUE(pass_changed(g, "remove_identity"));
    for (size_t i = 0; i < sizeof idle / sizeof *idle; i++)
        CU_ASSERT_FALSE(pass_changed(g, idle[i]));
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    graph_free(g);

    g = pad_then("Conv", 0.0f, false);
    CU_ASSERT_TRUE(pass_changed(g, "fold_pad"));
    CU_ASSERT_FALSE(pass_changed(g, "fold_pad"));
    graph_free(g);
}

/* The rewriter's reader index follows its edits; removal waits for
 * rw_end.  a = Relu(x), b = Identity(a), c = a + b. */
static void test_rewriter_index(void)
{
    Graph *g = new_graph(13);
    Node *a = add_op(g, "Relu", 1, add_input(g, "x", 4, img));
    Node *b = add_op(g, "Identity", 1, a->out[0]);
    Node *c = add_op(g, "Add", 2, a->out[0], b->out[0]), *readers[2];
    add_output(g, c->out[0]);
    CU_ASSERT_FATAL(infer(g));
    Rewriter rw;
    rw_begin(&rw, g);
    CU_ASSERT_EQUAL(rw_reader_count(&rw, a->out[0]), 2);
    CU_ASSERT_PTR_NULL(rw_sole_reader(&rw, a->out[0]));
    CU_ASSERT_PTR_EQUAL(rw_sole_reader_is(&rw, b->out[0], &op_Add), c);
    CU_ASSERT_FALSE(rw.changed);
    CU_ASSERT_TRUE(rw_bypass(&rw, b, a->out[0])); /* c = a + a */
    CU_ASSERT_EQUAL(rw_reader_count(&rw, a->out[0]), 2);
    CU_ASSERT_EQUAL(rw_readers(&rw, a->out[0], readers, 2), 1);
    CU_ASSERT_PTR_EQUAL(readers[0], c);
    CU_ASSERT_EQUAL(rw_reader_count(&rw, b->out[0]), 0);
    CU_ASSERT_TRUE(rw_is_removed(&rw, b));
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_TRUE(rw_end(&rw));
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_PTR_EQUAL(c->in[1], a->out[0]);
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("cleanup", NULL, NULL);
    CU_add_test(s, "identity in a chain", test_identity_in_chain);
    CU_add_test(s, "identity as a graph output", test_identity_as_graph_output);
    CU_add_test(s, "merge equal constants", test_merge_equal_constants);
    CU_add_test(s, "fold a zero Pad into Conv", test_fold_pad_into_conv);
    CU_add_test(s, "fold a zero Pad into AveragePool", test_fold_pad_into_average_pool);
    CU_add_test(s, "fold_pad refusals", test_fold_pad_refusals);
    CU_add_test(s, "identity Resize and 1x1 pool", test_noop_resize_and_pool);
    CU_add_test(s, "tf_crop_and_resize at scale 1 stays", test_resize_crop_mode_stays);
    CU_add_test(s, "empty Concat operand", test_noop_empty_concat_operand);
    CU_add_test(s, "transposes and reshapes", test_noop_transposes_and_reshapes);
    CU_add_test(s, "passes report whether they changed the graph", test_passes_report_changes);
    CU_add_test(s, "the rewriter's reader index follows its edits", test_rewriter_index);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures != 0;
}
