/*
 * test_ops_window_det_loss.c - HannWindow, HammingWindow,
 * BlackmanWindow, Det, NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss: shape rules, folding and kernels against
 * values worked out by hand, the kernel calls they print, and their
 * errors.
 */
#include "op_test.h"
#include "sinter_rt.h"

/* Folded values match to 1e-6. */
static bool values_are(const Tensor *t, const double *want, int64_t count)
{
    return values_within(t, want, count, 1e-6);
}

/* ---- windows ---------------------------------------------------------- */

/* The window `op` of `size` values, folded; NULL when inference fails. */
static Tensor *window(Graph *g, const char *op, int64_t size, int periodic)
{
    Node *n = add_op(g, op, 1, add_const(g, DT_INT64, 0, NULL, &size));
    set_int(n, "periodic", periodic);
    add_output(g, n->out[0]);
    return infer(g) ? n->out[0] : NULL;
}

static void test_windows_fold(void)
{
    Graph *g = new_graph(17);
    const double hann4[] = {0, 0.5, 1, 0.5}, hann5_sym[] = {0, 0.5, 1, 0.5, 0};
    const double hamming2[] = {4.0 / 46.0, 1}, blackman4[] = {0, 0.34, 1, 0.34};
    CU_ASSERT_TRUE(values_are(window(g, "HannWindow", 4, 1), hann4, 4));
    CU_ASSERT_TRUE(values_are(window(g, "HannWindow", 5, 0), hann5_sym, 5));
    CU_ASSERT_TRUE(values_are(window(g, "HammingWindow", 2, 1), hamming2, 2));
    CU_ASSERT_TRUE(values_are(window(g, "BlackmanWindow", 4, 1), blackman4, 4));
    graph_free(g);
}

static void test_window_output_datatype(void)
{
    Graph *g = new_graph(17);
    int64_t size = 4;
    Node *n = add_op(g, "HannWindow", 1, add_const(g, DT_INT64, 0, NULL, &size));
    set_int(n, "output_datatype", DT_DOUBLE);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_DOUBLE);
    const double hann4[] = {0, 0.5, 1, 0.5};
    CU_ASSERT_TRUE(values_are(n->out[0], hann4, 4));
    graph_free(g);
}

static void test_window_errors(void)
{
    Graph *g = new_graph(17);
    Node *n = add_op(g, "HannWindow", 1, typed_input(g, "size", DT_INT64, 0, NULL));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "('size') must be known at compile time"));
    graph_free(g);

    g = new_graph(17);
    int64_t size = -1;
    n = add_op(g, "BlackmanWindow", 1, add_const(g, DT_INT64, 0, NULL, &size));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "size -1 is out of range"));
    graph_free(g);
}

/* ---- Det ------------------------------------------------------------- */

static void test_det_folds(void)
{
    Graph *g = new_graph(11);
    /* The second matrix needs a row swap: its first pivot is 0. */
    const float m[] = {1, 2, 3, 4, 0, 1, 1, 0, 1, 2, 2, 4};
    Node *n = add_op(g, "Det", 1, add_const(g, DT_FLOAT, 3, (int64_t[]){3, 2, 2}, m));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(infer(g));
    const double want[] = {-2, -1, 0};
    CU_ASSERT_TRUE(values_are(n->out[0], want, 3));
    CU_ASSERT_EQUAL(n->out[0]->shape.rank, 1);
    graph_free(g);
}

static void test_det_kernel_double(void)
{
    const double x[] = {2, -1, 0, -1, 2, -1, 0, -1, 2};
    double y = 0, work[9];
    snt_det(SNT_DT_DOUBLE, 1, 3, x, &y, work);
    CU_ASSERT_DOUBLE_EQUAL(y, 4.0, 1e-12);
}

static void test_det_runtime_and_errors(void)
{
    Graph *g = new_graph(11);
    Node *n = add_op(g, "Det", 1, add_input(g, "x", 2, (int64_t[]){3, 3}));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_det(1 /* "));
    free(c);
    CU_ASSERT_EQUAL(n->out[0]->shape.rank, 0);
    graph_free(g);

    g = new_graph(11);
    n = add_op(g, "Det", 1, add_input(g, "x", 2, (int64_t[]){2, 3}));
    CU_ASSERT_TRUE(failed_with(g, "square matrices"));
    graph_free(g);

    g = new_graph(11);
    n = add_op(g, "Det", 1, typed_input(g, "x", DT_INT32, 2, (int64_t[]){2, 2}));
    CU_ASSERT_TRUE(failed_with(g, "Det takes float32 or float64"));
    graph_free(g);
}

/* ---- losses ---------------------------------------------------------- */

/* Scores [2][3], targets {2, 0}, weights {1, 2, 3}: losses 9 and 4. */
static const float scores[] = {-1, -2, -3, -4, -5, -6};
static const int64_t targets[] = {2, 0};
static const float weights[] = {1, 2, 3};

static snt_loss_params loss_params(int reduction)
{
    return (snt_loss_params){.batch = 2, .classes = 3, .inner = 1, .reduction = reduction,
                             .target_dtype = SNT_DT_INT64};
}

static void test_nll_kernel(void)
{
    snt_loss_params p = loss_params(SNT_LOSS_NONE);
    float y[2];
    snt_nll_loss_f32(&p, scores, targets, weights, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 9.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(y[1], 4.0, 1e-6);
    p.reduction = SNT_LOSS_SUM;
    snt_nll_loss_f32(&p, scores, targets, weights, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 13.0, 1e-6);
    /* The mean divides by the weights of the targets: 3 + 1. */
    p.reduction = SNT_LOSS_MEAN;
    snt_nll_loss_f32(&p, scores, targets, weights, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 3.25, 1e-6);
    /* Ignoring class 0 drops the second element and its weight. */
    p.has_ignore = 1;
    p.ignore_index = 0;
    snt_nll_loss_f32(&p, scores, targets, weights, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 3.0, 1e-6);
    /* Without weights, the mean is over the elements that count. */
    snt_nll_loss_f32(&p, scores, targets, NULL, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 3.0, 1e-6);
}

static void test_nll_kernel_bad_target(void)
{
    snt_loss_params p = loss_params(SNT_LOSS_NONE);
    const int32_t bad[] = {5, 1};
    float y[2];
    p.target_dtype = SNT_DT_INT32;
    snt_nll_loss_f32(&p, scores, bad, NULL, y);
    CU_ASSERT_TRUE(isnan(y[0]));
    CU_ASSERT_DOUBLE_EQUAL(y[1], 5.0, 1e-6);
}

static void test_sce_kernel(void)
{
    snt_loss_params p = {.batch = 1, .classes = 2, .inner = 1, .reduction = SNT_LOSS_MEAN,
                         .target_dtype = SNT_DT_INT64};
    const float x[] = {0, 0};
    const int64_t t[] = {1};
    float log_prob[2], y;
    snt_softmax_cross_entropy_f32(&p, x, t, NULL, log_prob, &y);
    CU_ASSERT_DOUBLE_EQUAL(log_prob[0], -log(2.0), 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(log_prob[1], -log(2.0), 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(y, log(2.0), 1e-6);
}

/* A loss node over scores [2, 3, 4] and targets [2, 4]. */
static Node *loss_node(Graph *g, const char *op, const char *reduction)
{
    Node *n = add_op(g, op, 2, add_input(g, "x", 3, (int64_t[]){2, 3, 4}),
                     typed_input(g, "t", DT_INT64, 2, (int64_t[]){2, 4}));
    set_string(n, "reduction", reduction);
    add_output(g, n->out[0]);
    return n;
}

static void test_loss_shapes_and_code(void)
{
    Graph *g = new_graph(13);
    Node *n = loss_node(g, "NegativeLogLikelihoodLoss", "none");
    set_int(n, "ignore_index", -1);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".inner = 4, .reduction = 0, .has_ignore = 1, .ignore_index = -1"));
    CU_ASSERT_TRUE(contains(c, "snt_nll_loss_f32(&p, "));
    free(c);
    CU_ASSERT_EQUAL(n->out[0]->shape.rank, 2);
    CU_ASSERT_EQUAL(n->out[0]->shape.dim[1], 4);
    graph_free(g);

    g = new_graph(13);
    n = loss_node(g, "SoftmaxCrossEntropyLoss", "mean");
    node_add_output(n, graph_new_tensor(g, "log_prob"));
    add_output(g, n->out[1]);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_softmax_cross_entropy_f32(&p, "));
    free(c);
    CU_ASSERT_EQUAL(n->out[0]->shape.rank, 0);
    CU_ASSERT_EQUAL(n->out[1]->shape.rank, 3);
    graph_free(g);
}

static void test_loss_errors(void)
{
    Graph *g = new_graph(13);
    loss_node(g, "NegativeLogLikelihoodLoss", "max");
    CU_ASSERT_TRUE(failed_with(g, "reduction 'max' is not none, sum or mean"));
    graph_free(g);

    g = new_graph(13);
    Node *n = add_op(g, "SoftmaxCrossEntropyLoss", 2, add_input(g, "x", 2, (int64_t[]){2, 3}),
                     typed_input(g, "t", DT_INT64, 1, (int64_t[]){3}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "must be scores' shape without axis 1"));
    graph_free(g);

    g = new_graph(13);
    n = add_op(g, "NegativeLogLikelihoodLoss", 3, add_input(g, "x", 2, (int64_t[]){2, 3}),
               typed_input(g, "t", DT_INT64, 1, (int64_t[]){2}),
               add_input(g, "w", 1, (int64_t[]){2}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "weights ('w') must be [C]"));
    graph_free(g);

    g = new_graph(13);
    n = add_op(g, "NegativeLogLikelihoodLoss", 2, add_input(g, "x", 2, (int64_t[]){2, 3}),
               add_input(g, "t", 1, (int64_t[]){2}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "must be int32 or int64"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_window_det_loss", NULL, NULL);
    CU_add_test(s, "windows_fold", test_windows_fold);
    CU_add_test(s, "window_output_datatype", test_window_output_datatype);
    CU_add_test(s, "window_errors", test_window_errors);
    CU_add_test(s, "det_folds", test_det_folds);
    CU_add_test(s, "det_kernel_double", test_det_kernel_double);
    CU_add_test(s, "det_runtime_and_errors", test_det_runtime_and_errors);
    CU_add_test(s, "nll_kernel", test_nll_kernel);
    CU_add_test(s, "nll_kernel_bad_target", test_nll_kernel_bad_target);
    CU_add_test(s, "sce_kernel", test_sce_kernel);
    CU_add_test(s, "loss_shapes_and_code", test_loss_shapes_and_code);
    CU_add_test(s, "loss_errors", test_loss_errors);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
