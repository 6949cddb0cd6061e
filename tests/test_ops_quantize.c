/*
 * test_ops_quantize.c - the quantization ops QuantizeLinear,
 * DequantizeLinear, DynamicQuantizeLinear and the integer products
 * MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv: folding
 * against values worked out by hand (rounding half to even, saturation,
 * per-axis scales), the kernel calls they print, and their errors.
 */
#include "op_test.h"
#include "sinter_rt.h"

/* Folded values match to 1e-6. */
static bool values_are(const Tensor *t, const double *want, int64_t count)
{
    return values_within(t, want, count, 1e-6);
}

static Tensor *scalar(Graph *g, DType t, const void *v) { return add_const(g, t, 0, NULL, v); }

static const float one = 1.0f, two = 2.0f;

/* ---- QuantizeLinear ------------------------------------------------- */

/* Halves round to even; results saturate at the type's ends. */
static void test_quantize_rounds_and_saturates(void)
{
    const float x[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f, -300.0f, 5.0f};
    const uint8_t zp_u8 = 10;
    const int8_t zp_i8 = -1;
    Graph *g = new_graph(13);
    Node *u = add_op(g, "QuantizeLinear", 3, add_const(g, DT_FLOAT, 1, (int64_t[]){8}, x),
                     scalar(g, DT_FLOAT, &one), scalar(g, DT_UINT8, &zp_u8));
    Node *s = add_op(g, "QuantizeLinear", 3, add_const(g, DT_FLOAT, 1, (int64_t[]){8}, x),
                     scalar(g, DT_FLOAT, &one), scalar(g, DT_INT8, &zp_i8));
    Node *none = add_op(g, "QuantizeLinear", 2, add_const(g, DT_FLOAT, 1, (int64_t[]){8}, x),
                        scalar(g, DT_FLOAT, &two));
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(u->out[0]->dtype, DT_UINT8);
    CU_ASSERT_EQUAL(s->out[0]->dtype, DT_INT8);
    CU_ASSERT_EQUAL(none->out[0]->dtype, DT_UINT8);
    CU_ASSERT_TRUE(values_are(u->out[0], (double[]){10, 12, 12, 10, 8, 255, 0, 15}, 8));
    CU_ASSERT_TRUE(values_are(s->out[0], (double[]){-1, 1, 1, -1, -3, 127, -128, 4}, 8));
    /* x / 2: 0.25 0.75 1.25 -0.25 -0.75 150 -150 2.5 */
    CU_ASSERT_TRUE(values_are(none->out[0], (double[]){0, 1, 1, 0, 0, 150, 0, 2}, 8));
    graph_free(g);
}

/* A scale per channel of axis 1 of a 2 x 3 x 2 tensor. */
static void test_quantize_per_axis(void)
{
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    const float scales[3] = {1, 2, 4};
    const int8_t zps[3] = {0, 1, -2};
    for (int64_t axis = -2; axis <= 1; axis += 3) {
        Graph *g = new_graph(13);
        Node *n = add_op(g, "QuantizeLinear", 3, add_const(g, DT_FLOAT, 3, (int64_t[]){2, 3, 2}, x),
                         add_const(g, DT_FLOAT, 1, (int64_t[]){3}, scales),
                         add_const(g, DT_INT8, 1, (int64_t[]){3}, zps));
        set_int(n, "axis", axis);
        CU_ASSERT_TRUE_FATAL(infer(g));
        /* 0 1 | 2/2 3/2 | 4/4 5/4, then 6 7 | 8/2 9/2 | 10/4 11/4 */
        CU_ASSERT_TRUE(values_are(n->out[0],
                                  (double[]){0, 1, 2, 3, -1, -1, 6, 7, 5, 5, 0, 1}, 12));
        graph_free(g);
    }
}

static void test_quantize_runtime(void)
{
    const float scales[3] = {1, 2, 4};
    Graph *g = new_graph(13);
    Node *n = add_op(g, "QuantizeLinear", 2, add_input(g, "x", 3, (int64_t[]){2, 3, 2}),
                     add_const(g, DT_FLOAT, 1, (int64_t[]){3}, scales));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_quantize_linear(2, 3, 2, "));
    CU_ASSERT_TRUE(contains(c, ", NULL, 2, "));
    free(c);
    graph_free(g);
}

static void test_quantize_errors(void)
{
    const float scales[2] = {1, 2};
    Graph *g = new_graph(13);
    add_op(g, "QuantizeLinear", 2, add_input(g, "x", 2, (int64_t[]){2, 3}),
           add_const(g, DT_FLOAT, 1, (int64_t[]){2}, scales));
    CU_ASSERT_TRUE(failed_with(g, "scale 'const' has 2 values, but axis 1 of 'x' has 3"));
    graph_free(g);

    g = new_graph(13);
    const int32_t zp = 0;
    add_op(g, "QuantizeLinear", 3, add_input(g, "x", 1, (int64_t[]){2}),
           scalar(g, DT_FLOAT, &one), scalar(g, DT_INT32, &zp));
    CU_ASSERT_TRUE(failed_with(g, "quantizing to int32 is not supported"));
    graph_free(g);

    g = new_graph(21);
    Node *n = add_op(g, "QuantizeLinear", 2, add_input(g, "x", 1, (int64_t[]){2}),
                     scalar(g, DT_FLOAT, &one));
    set_int(n, "block_size", 2);
    CU_ASSERT_TRUE(failed_with(g, "block_size) is not supported"));
    graph_free(g);

    g = new_graph(13);
    const uint8_t zps[2] = {0, 0};
    add_op(g, "QuantizeLinear", 3, add_input(g, "x", 2, (int64_t[]){2, 2}),
           scalar(g, DT_FLOAT, &one), add_const(g, DT_UINT8, 1, (int64_t[]){2}, zps));
    CU_ASSERT_TRUE(failed_with(g, "must have the shape of scale"));
    graph_free(g);
}

/* ---- DequantizeLinear ----------------------------------------------- */

static void test_dequantize_folds(void)
{
    const uint8_t x[4] = {0, 3, 128, 255};
    const uint8_t zp = 128;
    const float half = 0.5f;
    Graph *g = new_graph(13);
    Node *n = add_op(g, "DequantizeLinear", 3, add_const(g, DT_UINT8, 1, (int64_t[]){4}, x),
                     scalar(g, DT_FLOAT, &half), scalar(g, DT_UINT8, &zp));
    const int32_t xi[4] = {-7, 100000, 3, 4};
    const float scales[2] = {2, 0.25f};
    Node *axis = add_op(g, "DequantizeLinear", 2, add_const(g, DT_INT32, 2, (int64_t[]){2, 2}, xi),
                        add_const(g, DT_FLOAT, 1, (int64_t[]){2}, scales));
    set_int(axis, "axis", 0);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){-64, -62.5, 0, 63.5}, 4));
    CU_ASSERT_TRUE(values_are(axis->out[0], (double[]){-14, 200000, 0.75, 1}, 4));
    graph_free(g);
}

static void test_dequantize_runtime_and_errors(void)
{
    const int8_t zp = 3;
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 2, (int64_t[]){2, 2});
    x->dtype = DT_INT8;
    Node *n = add_op(g, "DequantizeLinear", 3, x, scalar(g, DT_FLOAT, &one),
                     scalar(g, DT_INT8, &zp));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_dequantize_linear(1, 1, 4, 3, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    add_op(g, "DequantizeLinear", 2, add_input(g, "x", 1, (int64_t[]){2}),
           scalar(g, DT_FLOAT, &one));
    CU_ASSERT_TRUE(failed_with(g, "dequantizing float32 is not supported"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    x->dtype = DT_UINT8;
    add_op(g, "DequantizeLinear", 3, x, scalar(g, DT_FLOAT, &one), scalar(g, DT_INT8, &zp));
    CU_ASSERT_TRUE(failed_with(g, "input 2 ('const') is int8 but input 0 is uint8"));
    graph_free(g);
}

/* ---- DynamicQuantizeLinear ------------------------------------------ */

static Node *dynamic_node(Graph *g, Tensor *x)
{
    Node *n = add_op(g, "DynamicQuantizeLinear", 1, x);
    for (int i = 1; i < 3; i++)
        node_add_output(n, graph_new_tensor(g, "q"));
    for (int i = 0; i < 3; i++)
        add_output(g, n->out[i]);
    return n;
}

/* Range [-1, 1.55]: scale 0.01, zero point 100, x / 0.01 + 100. */
static void test_dynamic_quantize_folds(void)
{
    const float x[4] = {-1.0f, 0.0f, 1.55f, 0.125f};
    Graph *g = new_graph(11);
    Node *n = dynamic_node(g, add_const(g, DT_FLOAT, 2, (int64_t[]){2, 2}, x));
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_UINT8);
    CU_ASSERT_EQUAL(n->out[1]->shape.rank, 0);
    CU_ASSERT_DOUBLE_EQUAL(*(const float *)n->out[1]->data, 2.55f / 255.0f, 1e-7);
    CU_ASSERT_TRUE(values_are(n->out[2], (double[]){100}, 1));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){0, 100, 255, 112}, 4));
    graph_free(g);
}

/* The range always contains 0; an all-zero input gives scale 0, not NaN. */
static void test_dynamic_quantize_kernel_edges(void)
{
    const float pos[3] = {2.55f, 1.0f, 0.5f};
    float scale;
    uint8_t y[3], zp;
    snt_dynamic_quantize_linear(3, pos, y, &scale, &zp);
    CU_ASSERT_EQUAL(zp, 0);
    CU_ASSERT_DOUBLE_EQUAL(scale, 0.01, 1e-7);
    CU_ASSERT_EQUAL(y[0], 255);
    CU_ASSERT_EQUAL(y[1], 100);
    CU_ASSERT_EQUAL(y[2], 50);

    const float zeros[2] = {0, 0};
    snt_dynamic_quantize_linear(2, zeros, y, &scale, &zp);
    CU_ASSERT_EQUAL(scale, 0.0f);
    CU_ASSERT_EQUAL(zp, 0);
    CU_ASSERT_EQUAL(y[0], 0);
    CU_ASSERT_EQUAL(y[1], 0);
}

static void test_dynamic_quantize_runtime(void)
{
    Graph *g = new_graph(11);
    dynamic_node(g, add_input(g, "x", 2, (int64_t[]){3, 4}));
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_dynamic_quantize_linear(12, "));
    free(c);
    graph_free(g);

    g = new_graph(11);
    Tensor *x = add_input(g, "x", 1, (int64_t[]){2});
    x->dtype = DT_INT32;
    dynamic_node(g, x);
    CU_ASSERT_TRUE(failed_with(g, "input 0 ('x') must be float32, not int32"));
    graph_free(g);
}

/* ---- MatMulInteger, QLinearMatMul ----------------------------------- */

/* A zero point per row of A, one for all of B, mixed signedness. */
static void test_matmul_integer_folds(void)
{
    const uint8_t a[6] = {1, 2, 3, 4, 5, 6}, a_zp[2] = {1, 4};
    const int8_t b[6] = {1, -1, 2, 0, 3, 1}, b_zp = 1;
    Graph *g = new_graph(10);
    Node *n = add_op(g, "MatMulInteger", 4, add_const(g, DT_UINT8, 2, (int64_t[]){2, 3}, a),
                     add_const(g, DT_INT8, 2, (int64_t[]){3, 2}, b),
                     add_const(g, DT_UINT8, 1, (int64_t[]){2}, a_zp), scalar(g, DT_INT8, &b_zp));
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT32);
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){5, -1, 5, -1}, 4));
    graph_free(g);
}

/* Two batches of a against one shared b; the second rounds 0.25 to 0. */
static void test_qlinear_matmul_folds(void)
{
    const uint8_t a[4] = {10, 20, 12, 10}, a_zp = 10, b[2] = {3, 5}, b_zp = 1, y_zp = 100;
    const float a_scale = 0.5f, b_scale = 0.25f;
    Graph *g = new_graph(10);
    Node *n = add_op(g, "QLinearMatMul", 8, add_const(g, DT_UINT8, 3, (int64_t[]){2, 1, 2}, a),
                     scalar(g, DT_FLOAT, &a_scale), scalar(g, DT_UINT8, &a_zp),
                     add_const(g, DT_UINT8, 2, (int64_t[]){2, 1}, b),
                     scalar(g, DT_FLOAT, &b_scale), scalar(g, DT_UINT8, &b_zp),
                     scalar(g, DT_FLOAT, &two), scalar(g, DT_UINT8, &y_zp));
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_UINT8);
    /* acc 40 and 4, times 0.5 * 0.25 / 2: 2.5 -> 2 and 0.25 -> 0, plus 100 */
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){102, 100}, 2));
    graph_free(g);
}

static void test_integer_matmul_runtime_and_errors(void)
{
    Graph *g = new_graph(10);
    Tensor *a = typed_input(g, "a", DT_UINT8, 3, (int64_t[]){4, 2, 3});
    const uint8_t b[6] = {0};
    Node *n = add_op(g, "MatMulInteger", 2, a, add_const(g, DT_UINT8, 2, (int64_t[]){3, 2}, b));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".batch = 4, .m = 2, .k = 3, .n = 2, .a_batch_stride = 6, "
                               ".b_batch_stride = 0"));
    CU_ASSERT_TRUE(contains(c, "snt_matmul_integer(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(10);
    add_op(g, "MatMulInteger", 2, typed_input(g, "a", DT_UINT8, 3, (int64_t[]){2, 1, 3}),
           typed_input(g, "b", DT_UINT8, 3, (int64_t[]){1, 3, 2}));
    CU_ASSERT_TRUE(infer(g));
    graph_free(g);

    g = new_graph(10);
    add_op(g, "MatMulInteger", 2, typed_input(g, "a", DT_UINT8, 3, (int64_t[]){2, 1, 3}),
           typed_input(g, "b", DT_UINT8, 4, (int64_t[]){3, 1, 3, 2}));
    CU_ASSERT_TRUE(failed_with(g, "broadcasting the batch dims of 'a' partially"));
    graph_free(g);

    g = new_graph(10);
    add_op(g, "MatMulInteger", 2, add_input(g, "a", 2, (int64_t[]){2, 3}),
           typed_input(g, "b", DT_UINT8, 2, (int64_t[]){3, 2}));
    CU_ASSERT_TRUE(failed_with(g, "input 0 ('a') must be uint8 or int8, not float32"));
    graph_free(g);

    g = new_graph(10);
    add_op(g, "MatMulInteger", 2, typed_input(g, "a", DT_INT8, 2, (int64_t[]){2, 3}),
           typed_input(g, "b", DT_INT8, 2, (int64_t[]){2, 2}));
    CU_ASSERT_TRUE(failed_with(g, "do not match for a matrix product"));
    graph_free(g);
}

/* ---- ConvInteger, QLinearConv --------------------------------------- */

/* 1..9 minus zero point 1 under a 2 x 2 window of ones, padded at the
 * top and left: the padding adds nothing. */
static void test_conv_integer_folds(void)
{
    const uint8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, x_zp = 1;
    Graph *g = new_graph(10);
    Node *n = add_op(g, "ConvInteger", 3, add_const(g, DT_UINT8, 4, (int64_t[]){1, 1, 3, 3}, x),
                     add_const(g, DT_UINT8, 4, (int64_t[]){1, 1, 2, 2}, w),
                     scalar(g, DT_UINT8, &x_zp));
    set_ints(n, "pads", 4, (int64_t[]){1, 1, 0, 0});
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT32);
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){0, 1, 3, 3, 8, 12, 9, 20, 24}, 9));
    graph_free(g);
}

/* Two groups of one channel, a scale and zero point per output channel
 * and a bias; the second channel saturates at -128. */
static void test_qlinear_conv_folds(void)
{
    const int8_t x[2] = {3, -2}, w[2] = {2, 5}, zero = 0, w_zp[2] = {0, 1}, y_zp = -30;
    const int32_t bias[2] = {1, -100};
    const float w_scale[2] = {0.5f, 1.0f};
    Graph *g = new_graph(10);
    Node *n = graph_add_node(g, "q", "QLinearConv");
    Tensor *in[9] = {add_const(g, DT_INT8, 4, (int64_t[]){1, 2, 1, 1}, x),
                     scalar(g, DT_FLOAT, &one), scalar(g, DT_INT8, &zero),
                     add_const(g, DT_INT8, 4, (int64_t[]){2, 1, 1, 1}, w),
                     add_const(g, DT_FLOAT, 1, (int64_t[]){2}, w_scale),
                     add_const(g, DT_INT8, 1, (int64_t[]){2}, w_zp), scalar(g, DT_FLOAT, &one),
                     scalar(g, DT_INT8, &y_zp), add_const(g, DT_INT32, 1, (int64_t[]){2}, bias)};
    for (int i = 0; i < 9; i++)
        node_add_input(n, in[i]);
    node_add_output(n, graph_new_tensor(g, "y"));
    set_int(n, "group", 2);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT8);
    /* (3 * 2 + 1) * 0.5 = 3.5 -> 4; -2 * 4 - 100 = -108; both minus 30 */
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){-26, -128}, 2));
    graph_free(g);
}

static void test_integer_conv_runtime_and_errors(void)
{
    const uint8_t w[18] = {0};
    Graph *g = new_graph(10);
    Node *n = add_op(g, "ConvInteger", 2, typed_input(g, "x", DT_UINT8, 4, (int64_t[]){1, 2, 5, 5}),
                     add_const(g, DT_UINT8, 4, (int64_t[]){1, 2, 3, 3}, w));
    set_ints(n, "strides", 2, (int64_t[]){2, 2});
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".out_c = 1, .out_h = 2, .out_w = 2, .k_h = 3, .k_w = 3"));
    CU_ASSERT_TRUE(contains(c, "snt_conv_integer(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(10);
    n = add_op(g, "ConvInteger", 2, typed_input(g, "x", DT_UINT8, 4, (int64_t[]){1, 2, 5, 5}),
               add_const(g, DT_UINT8, 4, (int64_t[]){1, 2, 3, 3}, w));
    set_int(n, "group", 2);
    CU_ASSERT_TRUE(failed_with(g, "group 2 does not fit 2 input and 1 output channels"));
    graph_free(g);

    g = new_graph(10);
    n = add_op(g, "ConvInteger", 2, typed_input(g, "x", DT_UINT8, 4, (int64_t[]){1, 2, 5, 5}),
               add_const(g, DT_UINT8, 4, (int64_t[]){1, 2, 3, 3}, w));
    set_ints(n, "kernel_shape", 2, (int64_t[]){2, 2});
    CU_ASSERT_TRUE(failed_with(g, "kernel_shape does not match"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_quantize", NULL, NULL);
    CU_add_test(s, "quantize_rounds_and_saturates", test_quantize_rounds_and_saturates);
    CU_add_test(s, "quantize_per_axis", test_quantize_per_axis);
    CU_add_test(s, "quantize_runtime", test_quantize_runtime);
    CU_add_test(s, "quantize_errors", test_quantize_errors);
    CU_add_test(s, "dequantize_folds", test_dequantize_folds);
    CU_add_test(s, "dequantize_runtime_and_errors", test_dequantize_runtime_and_errors);
    CU_add_test(s, "dynamic_quantize_folds", test_dynamic_quantize_folds);
    CU_add_test(s, "dynamic_quantize_kernel_edges", test_dynamic_quantize_kernel_edges);
    CU_add_test(s, "dynamic_quantize_runtime", test_dynamic_quantize_runtime);
    CU_add_test(s, "matmul_integer_folds", test_matmul_integer_folds);
    CU_add_test(s, "qlinear_matmul_folds", test_qlinear_matmul_folds);
    CU_add_test(s, "integer_matmul_runtime_and_errors", test_integer_matmul_runtime_and_errors);
    CU_add_test(s, "conv_integer_folds", test_conv_integer_folds);
    CU_add_test(s, "qlinear_conv_folds", test_qlinear_conv_folds);
    CU_add_test(s, "integer_conv_runtime_and_errors", test_integer_conv_runtime_and_errors);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
