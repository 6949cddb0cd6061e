/*
 * test_ops_compute.c - the compute ops of ir/ops/: shape rules, folding,
 * costs, the kernel calls they print, and their errors on bad attributes.
 *
 * Each test builds a small graph by hand and runs graph_infer on it (which
 * folds nodes with constant inputs); emission is checked through the real
 * code generator, by looking for the kernel call and its parameters in the
 * generated C.
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "ir/ops/sliding_window.h"

#include <float.h>

/* ---- Conv ----------------------------------------------------------- */

static Node *conv_graph(Graph *g, Shape x, Shape w, bool bias)
{
    static const float zeros[4096];
    Tensor *ins[3] = {input(g, "x", DT_FLOAT, x), constant(g, "w", DT_FLOAT, w, zeros),
                      constant(g, "b", DT_FLOAT, (Shape){1, {w.dim[0]}}, zeros)};
    return add_node_n(g, "Conv", bias ? 3 : 2, ins, 1);
}

static void test_conv_2d_shape_cost_and_call(void)
{
    Graph *g = new_graph(13);
    Node *n = conv_graph(g, (Shape){4, {1, 3, 8, 8}}, (Shape){4, {16, 3, 3, 3}}, true);
    attr_is(n, "pads", INTS(1, 1, 1, 1));
    attr_is(n, "strides", INTS(2, 2));
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 16, 4, 4}}));
    OpCost cost = n->op->cost(n);
    CU_ASSERT_EQUAL(cost.macs, 16 * 4 * 4 * 27);
    CU_ASSERT_EQUAL(cost.flops, 2 * cost.macs + 16 * 4 * 4);
    CU_ASSERT_TRUE(contains(c, ".k = 16, .oh = 4, .ow = 4, .kh = 3, .kw = 3, .sh = 2, .sw = 2"));
    CU_ASSERT_TRUE(contains(c, ".pt = 1, .pl = 1, .groups = 1"));
    CU_ASSERT_TRUE(contains(c, "snt_conv2d_f32(&p, "));
    free(c);
    graph_free(g);
}

static void test_conv_depthwise_same_dilated(void)
{
    Graph *g = new_graph(13);
    Node *n = conv_graph(g, (Shape){4, {1, 8, 7, 7}}, (Shape){4, {8, 1, 3, 3}}, false);
    attr_i(n, "group", 8);
    attr_is(n, "dilations", INTS(2, 2));
    attr_is(n, "strides", INTS(2, 2));
    attr_s(n, "auto_pad", "SAME_UPPER");
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 8, 4, 4}}));
    /* span 5, out 4: total pad (4-1)*2 + 5 - 7 = 4, split evenly */
    CU_ASSERT_TRUE(contains(c, ".dh = 2, .dw = 2, .pt = 2, .pl = 2, .groups = 8"));
    CU_ASSERT_TRUE(contains(c, ", NULL, ")); /* no bias */
    CU_ASSERT_EQUAL(n->op->cost(n).macs, 8 * 16 * 9);
    free(c);
    graph_free(g);
}

static void test_conv_1d_runs_as_2d(void)
{
    Graph *g = new_graph(11);
    Node *n = conv_graph(g, (Shape){3, {1, 4, 10}}, (Shape){3, {6, 4, 3}}, true);
    attr_is(n, "kernel_shape", INTS(3));
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {1, 6, 8}}));
    CU_ASSERT_TRUE(contains(c, ".h = 1, .w = 10, .k = 6, .oh = 1, .ow = 8, .kh = 1, .kw = 3"));
    free(c);
    graph_free(g);
}

static void test_conv_errors(void)
{
    Graph *g = new_graph(13);
    conv_graph(g, (Shape){5, {1, 2, 4, 4, 4}}, (Shape){5, {2, 2, 1, 1, 1}}, false);
    CU_ASSERT_TRUE(failed_with(g, "3-D Conv is not supported"));
    graph_free(g);

    g = new_graph(13);
    Node *n = conv_graph(g, (Shape){4, {1, 6, 4, 4}}, (Shape){4, {4, 3, 1, 1}}, false);
    attr_i(n, "group", 3); /* 4 filters do not split into 3 groups */
    CU_ASSERT_TRUE(failed_with(g, "do not fit"));
    graph_free(g);

    g = new_graph(13);
    n = conv_graph(g, (Shape){4, {1, 3, 4, 4}}, (Shape){4, {4, 3, 3, 3}}, false);
    attr_is(n, "kernel_shape", INTS(5, 5));
    CU_ASSERT_TRUE(failed_with(g, "kernel_shape 5 differs"));
    graph_free(g);

    g = new_graph(13);
    n = conv_graph(g, (Shape){4, {1, 3, 4, 4}}, (Shape){4, {4, 3, 3, 3}}, false);
    attr_is(n, "pads", INTS(1, 1));
    CU_ASSERT_TRUE(failed_with(g, "pads has 2 values, expected 4"));
    graph_free(g);

    g = new_graph(13);
    n = conv_graph(g, (Shape){4, {1, 3, 2, 2}}, (Shape){4, {4, 3, 3, 3}}, false);
    CU_ASSERT_TRUE(failed_with(g, "exceeds the padded input"));
    graph_free(g);

    g = new_graph(13);
    n = conv_graph(g, (Shape){4, {1, 3, 4, 4}}, (Shape){4, {4, 3, 3, 3}}, false);
    attr_s(n, "auto_pad", "SAME_MIDDLE");
    CU_ASSERT_TRUE(failed_with(g, "unknown auto_pad"));
    graph_free(g);
}

/* ---- sliding windows --------------------------------------------- */

static void test_window_same_lower_and_upper(void)
{
    /* in 8, kernel 3, stride 2: out 4, one pad in all; SAME_UPPER puts it
     * at the end, SAME_LOWER at the beginning. */
    const char *modes[2] = {"SAME_UPPER", "SAME_LOWER"};
    for (int m = 0; m < 2; m++) {
        Graph *g = new_graph(13);
        Tensor *x = input(g, "x", DT_FLOAT, (Shape){4, {1, 1, 8, 8}});
        Node *n = add_node_n(g, "MaxPool", 1, &x, 1);
        attr_s(n, "auto_pad", modes[m]);
        attr_is(n, "kernel_shape", INTS(3, 3));
        attr_is(n, "strides", INTS(2, 2));
        Window w;
        int64_t kernel[2] = {3, 3};
        CU_ASSERT_TRUE(window_infer(n, &x->shape, kernel, false, &w, &diag));
        CU_ASSERT_EQUAL(w.out[1], 4);
        CU_ASSERT_EQUAL(w.pad_begin[1], m == 0 ? 0 : 1);
        CU_ASSERT_EQUAL(w.pad_end[1], m == 0 ? 1 : 0);
        graph_free(g);
    }
}

/* ---- pooling --------------------------------------------------------- */

static Node *pool_graph(Graph *g, const char *op, Shape x)
{
    Tensor *in = input(g, "x", DT_FLOAT, x);
    return add_node_n(g, op, 1, &in, 1);
}

static void test_maxpool_ceil_mode_drops_window_in_padding(void)
{
    /* in 5, kernel 2, stride 2, pads 1: ceil gives 4 windows, but the
     * 4th would start at 6 - 1 = 5, inside the end padding: 3 remain. */
    Graph *g = new_graph(13);
    Node *n = pool_graph(g, "MaxPool", (Shape){4, {1, 1, 5, 5}});
    attr_is(n, "kernel_shape", INTS(2, 2));
    attr_is(n, "strides", INTS(2, 2));
    attr_is(n, "pads", INTS(1, 1, 1, 1));
    attr_i(n, "ceil_mode", 1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 1, 3, 3}}));
    graph_free(g);

    /* in 6, kernel 3, stride 2: floor 2, ceil 3 (the last window starts
     * at 4, inside the input). */
    for (int ceil = 0; ceil < 2; ceil++) {
        g = new_graph(13);
        n = pool_graph(g, "MaxPool", (Shape){4, {1, 1, 6, 6}});
        attr_is(n, "kernel_shape", INTS(3, 3));
        attr_is(n, "strides", INTS(2, 2));
        attr_i(n, "ceil_mode", ceil);
        char *c = generate(g);
        int64_t out = ceil ? 3 : 2;
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 1, out, out}}));
        /* Only the explicit pads reach the kernel. */
        CU_ASSERT_TRUE(contains(c, ".pt = 0, .pl = 0, .pb = 0, .pr = 0"));
        free(c);
        graph_free(g);
    }
}

static void test_avgpool_pads_1d_and_valid(void)
{
    Graph *g = new_graph(11);
    Node *n = pool_graph(g, "AveragePool", (Shape){4, {1, 2, 7, 7}});
    attr_is(n, "kernel_shape", INTS(3, 3));
    attr_is(n, "pads", INTS(1, 0, 1, 2));
    attr_i(n, "count_include_pad", 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 7, 7}}));
    CU_ASSERT_TRUE(contains(c, ".pt = 1, .pl = 0, .pb = 1, .pr = 2, .count_include_pad = 1"));
    CU_ASSERT_TRUE(contains(c, "snt_avgpool2d_f32(&p, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 2 * 49 * 9);
    free(c);
    graph_free(g);

    g = new_graph(11);
    n = pool_graph(g, "AveragePool", (Shape){3, {1, 2, 9}});
    attr_is(n, "kernel_shape", INTS(4));
    attr_is(n, "strides", INTS(2));
    attr_s(n, "auto_pad", "VALID");
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {1, 2, 3}}));
    graph_free(g);
}

static void test_pool_errors(void)
{
    Graph *g = new_graph(13);
    Node *n = pool_graph(g, "MaxPool", (Shape){4, {1, 1, 4, 4}});
    CU_ASSERT_TRUE(failed_with(g, "kernel_shape is required"));
    graph_free(g);

    g = new_graph(13);
    n = pool_graph(g, "AveragePool", (Shape){4, {1, 1, 4, 4}});
    attr_is(n, "kernel_shape", INTS(2, 2));
    attr_is(n, "strides", INTS(0, 1));
    CU_ASSERT_TRUE(failed_with(g, "strides has out-of-range value 0"));
    graph_free(g);
}

static void test_global_avgpool(void)
{
    Graph *g = new_graph(13);
    Node *n = pool_graph(g, "GlobalAveragePool", (Shape){4, {2, 3, 5, 7}});
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {2, 3, 1, 1}}));
    CU_ASSERT_TRUE(contains(c, "snt_global_avgpool_f32(6, 35, "));
    free(c);
    graph_free(g);
}

/* ---- BatchNormalization --------------------------------------------- */

static Node *bn_graph(Graph *g, int64_t channels)
{
    static const float stats[64];
    Shape c = {1, {channels}};
    Tensor *ins[5] = {input(g, "x", DT_FLOAT, (Shape){4, {1, 4, 3, 3}}),
                      constant(g, "scale", DT_FLOAT, c, stats),
                      constant(g, "bias", DT_FLOAT, c, stats),
                      constant(g, "mean", DT_FLOAT, c, stats),
                      constant(g, "var", DT_FLOAT, c, stats)};
    return add_node_n(g, "BatchNormalization", 5, ins, 1);
}

static void test_batchnorm(void)
{
    Graph *g = new_graph(15);
    Node *n = bn_graph(g, 4);
    attr_f(n, "epsilon", 1e-3);
    attr_i(n, "training_mode", 0);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 4, 3, 3}}));
    CU_ASSERT_TRUE(contains(c, "snt_batchnorm_f32(1, 4, 9, "));
    CU_ASSERT_TRUE(contains(c, ", 0.00100000005f, "));
    free(c);
    graph_free(g);

    g = new_graph(7);
    attr_i(bn_graph(g, 4), "spatial", 0);
    CU_ASSERT_TRUE(failed_with(g, "spatial=0 is not supported"));
    graph_free(g);

    g = new_graph(13);
    bn_graph(g, 5);
    CU_ASSERT_TRUE(failed_with(g, "scale must have shape [4]"));
    graph_free(g);
}

/* ---- unary ------------------------------------------------------------ */

static Node *unary_const(Graph *g, const char *op, DType t, int count, const void *data)
{
    Tensor *x = constant(g, "x", t, (Shape){1, {count}}, data);
    return add_node_n(g, op, 1, &x, 1);
}

static void test_unary_folds(void)
{
    const float xf[4] = {-2.0f, -0.5f, 0.0f, 3.0f};
    struct {
        const char *op;
        float want[4];
    } cases[] = {
        {"Relu", {0, 0, 0, 3}},
        {"Neg", {2, 0.5f, 0, -3}},
        {"Abs", {2, 0.5f, 0, 3}},
        {"Exp", {expf(-2), expf(-0.5f), 1, expf(3)}},
        {"Sigmoid", {1 / (1 + expf(2)), 1 / (1 + expf(0.5f)), 0.5f, 1 / (1 + expf(-3))}},
        {"Tanh", {tanhf(-2), tanhf(-0.5f), 0, tanhf(3)}},
        {"Erf", {erff(-2), erff(-0.5f), 0, erff(3)}},
        {"Floor", {-2, -1, 0, 3}},
        {"Ceil", {-2, -0.0f, 0, 3}},
        {"Cos", {cosf(-2), cosf(-0.5f), 1, cosf(3)}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Graph *g = new_graph(13);
        Node *n = unary_const(g, cases[k].op, DT_FLOAT, 4, xf);
        CU_ASSERT_TRUE_FATAL(infer(g));
        const float *y = n->out[0]->data;
        CU_ASSERT_PTR_NOT_NULL_FATAL(y);
        for (int i = 0; i < 4; i++)
            CU_ASSERT_DOUBLE_EQUAL(y[i], cases[k].want[i], 1e-6);
        graph_free(g);
    }

    Graph *g = new_graph(13);
    Node *n = unary_const(g, "LeakyRelu", DT_FLOAT, 4, xf);
    attr_f(n, "alpha", 0.1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_DOUBLE_EQUAL(((float *)n->out[0]->data)[0], -0.2, 1e-6);
    graph_free(g);

    const float sq[2] = {4.0f, 2.0f};
    g = new_graph(13);
    n = unary_const(g, "Sqrt", DT_FLOAT, 2, sq);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_DOUBLE_EQUAL(((float *)n->out[0]->data)[1], sqrt(2.0), 1e-6);
    graph_free(g);
}

static void test_unary_integer_folds(void)
{
    const int64_t x[3] = {INT64_MIN, -5, 7};
    Graph *g = new_graph(13);
    Node *n = unary_const(g, "Neg", DT_INT64, 3, x);
    CU_ASSERT_TRUE(infer(g));
    const int64_t *y = n->out[0]->data;
    CU_ASSERT_EQUAL(y[0], INT64_MIN); /* wraps like two's complement */
    CU_ASSERT_EQUAL(y[1], 5);
    CU_ASSERT_EQUAL(y[2], -7);
    graph_free(g);

    const int32_t x32[3] = {-3, 0, 4};
    g = new_graph(14);
    n = unary_const(g, "Relu", DT_INT32, 3, x32);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(((int32_t *)n->out[0]->data)[0], 0);
    CU_ASSERT_EQUAL(((int32_t *)n->out[0]->data)[2], 4);
    graph_free(g);

    g = new_graph(13);
    n = unary_const(g, "Abs", DT_INT32, 3, x32);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(((int32_t *)n->out[0]->data)[0], 3);
    graph_free(g);

    g = new_graph(13);
    unary_const(g, "Sigmoid", DT_INT32, 3, x32);
    CU_ASSERT_TRUE(failed_with(g, "must be float32 or float64, not int32"));
    graph_free(g);
}

static void test_clip_inputs_and_attributes(void)
{
    const float xf[4] = {-INFINITY, -1.0f, 0.5f, 9.0f};
    const float lo = -0.5f, hi = 1.0f;
    Graph *g = new_graph(13);
    Tensor *ins[3] = {constant(g, "x", DT_FLOAT, (Shape){1, {4}}, xf),
                      constant(g, "lo", DT_FLOAT, (Shape){0, {0}}, &lo),
                      constant(g, "hi", DT_FLOAT, (Shape){0, {0}}, &hi)};
    Node *n = add_node_n(g, "Clip", 3, ins, 1);
    CU_ASSERT_TRUE(infer(g));
    const float *y = n->out[0]->data;
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT_EQUAL(y[0], -0.5f);
    CU_ASSERT_EQUAL(y[1], -0.5f);
    CU_ASSERT_EQUAL(y[2], 0.5f);
    CU_ASSERT_EQUAL(y[3], 1.0f);
    graph_free(g);

    /* Only max, given as input 2 with input 1 omitted. */
    g = new_graph(13);
    Tensor *only_max[3] = {constant(g, "x", DT_FLOAT, (Shape){1, {4}}, xf), NULL,
                           constant(g, "hi", DT_FLOAT, (Shape){0, {0}}, &hi)};
    n = add_node_n(g, "Clip", 3, only_max, 1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(isinf(((float *)n->out[0]->data)[0]));
    graph_free(g);

    /* Opset 6: attributes, the defaults being the float range. */
    g = new_graph(6);
    n = unary_const(g, "Clip", DT_FLOAT, 4, xf);
    attr_f(n, "max", 2.0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(((float *)n->out[0]->data)[0], -FLT_MAX);
    CU_ASSERT_EQUAL(((float *)n->out[0]->data)[3], 2.0f);
    graph_free(g);

    /* Integer clip with min > max gives max everywhere. */
    const int8_t xi[3] = {-100, 0, 100}, ilo = 5, ihi = 3;
    g = new_graph(13);
    Tensor *iins[3] = {constant(g, "x", DT_INT8, (Shape){1, {3}}, xi),
                       constant(g, "lo", DT_INT8, (Shape){0, {0}}, &ilo),
                       constant(g, "hi", DT_INT8, (Shape){0, {0}}, &ihi)};
    n = add_node_n(g, "Clip", 3, iins, 1);
    CU_ASSERT_TRUE(infer(g));
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(((int8_t *)n->out[0]->data)[i], 3);
    graph_free(g);

    g = new_graph(13);
    Tensor *bad[2] = {input(g, "x", DT_FLOAT, (Shape){1, {4}}),
                      constant(g, "lo", DT_FLOAT, (Shape){1, {2}}, xf)};
    add_node_n(g, "Clip", 2, bad, 1);
    CU_ASSERT_TRUE(failed_with(g, "must be a scalar"));
    graph_free(g);
}

static void test_unary_calls(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    Node *n = add_node_n(g, "LeakyRelu", 1, &x, 1);
    attr_f(n, "alpha", 0.25);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "static const snt_act p = {.kind = SNT_ACT_LEAKY_RELU, "
                               ".alpha = 0.25f, .beta = 0.0f};"));
    CU_ASSERT_TRUE(contains(c, "snt_act_f32(&p, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 6);
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){1, {5}});
    add_node_n(g, "Erf", 1, &x, 1);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_unary_f32(SNT_UN_ERF, "));
    free(c);
    graph_free(g);

    /* A missing bound of Clip-11 is infinite. */
    const float lo = 0.0f;
    g = new_graph(11);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){1, {5}}),
                      constant(g, "lo", DT_FLOAT, (Shape){0, {0}}, &lo)};
    add_node_n(g, "Clip", 2, ins, 1);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".kind = SNT_ACT_CLIP, .alpha = 0.0f, .beta = (1.0f / 0.0f)"));
    free(c);
    graph_free(g);
}

/* ---- binary ----------------------------------------------------------- */

static Node *binary_const(Graph *g, const char *op, DType ta, Shape sa, const void *a, DType tb,
                          Shape sb, const void *b)
{
    Tensor *ins[2] = {constant(g, "a", ta, sa, a), constant(g, "b", tb, sb, b)};
    return add_node_n(g, op, 2, ins, 1);
}

static void test_binary_broadcast_fold_int64(void)
{
    const int64_t a[2] = {10, 20}, b[3] = {1, 2, 3};
    Graph *g = new_graph(13);
    Node *n = binary_const(g, "Sub", DT_INT64, (Shape){2, {2, 1}}, a, DT_INT64,
                           (Shape){1, {3}}, b);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
    const int64_t *y = n->out[0]->data, want[6] = {9, 8, 7, 19, 18, 17};
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(y[i], want[i]);
    graph_free(g);
}

static void test_binary_integer_semantics(void)
{
    /* Div truncates toward zero; INT64_MIN / -1 wraps. */
    const int64_t a[4] = {-7, 7, -7, INT64_MIN}, b[4] = {2, -2, -2, -1};
    Graph *g = new_graph(13);
    Node *n = binary_const(g, "Div", DT_INT64, (Shape){1, {4}}, a, DT_INT64, (Shape){1, {4}}, b);
    CU_ASSERT_TRUE(infer(g));
    const int64_t *y = n->out[0]->data;
    CU_ASSERT_EQUAL(y[0], -3);
    CU_ASSERT_EQUAL(y[1], -3);
    CU_ASSERT_EQUAL(y[2], 3);
    CU_ASSERT_EQUAL(y[3], INT64_MIN);
    graph_free(g);

    const uint8_t ua[2] = {200, 7}, ub[2] = {100, 2};
    g = new_graph(14);
    n = binary_const(g, "Add", DT_UINT8, (Shape){1, {2}}, ua, DT_UINT8, (Shape){1, {2}}, ub);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(((uint8_t *)n->out[0]->data)[0], 44); /* 300 mod 256 */
    graph_free(g);

    const int32_t ia[3] = {2, -3, 5}, ib[3] = {10, 3, -1};
    g = new_graph(13);
    n = binary_const(g, "Pow", DT_INT32, (Shape){1, {3}}, ia, DT_INT32, (Shape){1, {3}}, ib);
    CU_ASSERT_TRUE(infer(g));
    const int32_t *p = n->out[0]->data;
    CU_ASSERT_EQUAL(p[0], 1024);
    CU_ASSERT_EQUAL(p[1], -27);
    CU_ASSERT_EQUAL(p[2], 0); /* 1/5 truncated */
    graph_free(g);

    const int64_t zero = 0;
    g = new_graph(13);
    binary_const(g, "Div", DT_INT64, (Shape){1, {4}}, a, DT_INT64, (Shape){0, {0}}, &zero);
    CU_ASSERT_TRUE(failed_with(g, "division by zero"));
    graph_free(g);
}

static void test_pow_mixed_dtypes(void)
{
    const float base[2] = {2.0f, 9.0f};
    const int64_t iexp[2] = {3, 2};
    Graph *g = new_graph(15);
    Node *n = binary_const(g, "Pow", DT_FLOAT, (Shape){1, {2}}, base, DT_INT64, (Shape){1, {2}},
                           iexp);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
    CU_ASSERT_EQUAL(((float *)n->out[0]->data)[0], 8.0f);
    CU_ASSERT_EQUAL(((float *)n->out[0]->data)[1], 81.0f);
    graph_free(g);

    /* An integer base to a float power: computed, then truncated. */
    const int32_t ibase[2] = {2, 10};
    const float fexp[1] = {0.5f};
    g = new_graph(15);
    n = binary_const(g, "Pow", DT_INT32, (Shape){1, {2}}, ibase, DT_FLOAT, (Shape){0, {0}}, fexp);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT32);
    CU_ASSERT_EQUAL(((int32_t *)n->out[0]->data)[0], 1);
    CU_ASSERT_EQUAL(((int32_t *)n->out[0]->data)[1], 3);
    graph_free(g);

    /* Before opset 12 the exponent must match the base. */
    g = new_graph(11);
    binary_const(g, "Pow", DT_FLOAT, (Shape){1, {2}}, base, DT_INT64, (Shape){1, {2}}, iexp);
    CU_ASSERT_TRUE(failed_with(g, "is int64 but input 0 is float32"));
    graph_free(g);
}

static void test_binary_errors_and_calls(void)
{
    Graph *g = new_graph(13);
    Tensor *ins[2] = {input(g, "a", DT_FLOAT, (Shape){2, {2, 3}}),
                      input(g, "b", DT_FLOAT, (Shape){1, {4}})};
    add_node_n(g, "Mul", 2, ins, 1);
    CU_ASSERT_TRUE(failed_with(g, "shapes [2,3] and [4] do not broadcast"));
    graph_free(g);

    g = new_graph(13);
    Tensor *ok[2] = {input(g, "a", DT_FLOAT, (Shape){3, {2, 1, 4}}),
                     input(g, "b", DT_FLOAT, (Shape){2, {3, 1}})};
    Node *n = add_node_n(g, "Add", 2, ok, 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {2, 3, 4}}));
    CU_ASSERT_TRUE(contains(c, "static const snt_bcast p = {.rank = 3, .dims = {2, 3, 4}, "
                               ".a_strides = {4, 0, 1}, .b_strides = {0, 1, 0}};"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_f32(SNT_BIN_ADD, &p, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 24);
    free(c);
    graph_free(g);

    g = new_graph(13);
    Tensor *i64[2] = {input(g, "a", DT_INT64, (Shape){0, {0}}),
                      input(g, "b", DT_INT64, (Shape){0, {0}})};
    add_node_n(g, "Div", 2, i64, 1);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "{.rank = 1, .dims = {1}, .a_strides = {0}, .b_strides = {0}}"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_i64(SNT_BIN_DIV, &p, "));
    free(c);
    graph_free(g);
}

/* ---- MatMul and Gemm ------------------------------------------------- */

static Node *matmul_graph(Graph *g, Shape a, Shape b)
{
    Tensor *ins[2] = {input(g, "a", DT_FLOAT, a), input(g, "b", DT_FLOAT, b)};
    return add_node_n(g, "MatMul", 2, ins, 1);
}

static void test_matmul_shapes(void)
{
    struct {
        Shape a, b, y;
    } cases[] = {
        {{3, {2, 3, 4}}, {2, {4, 5}}, {3, {2, 3, 5}}},
        {{1, {4}}, {2, {4, 5}}, {1, {5}}},
        {{2, {3, 4}}, {1, {4}}, {1, {3}}},
        {{1, {4}}, {1, {4}}, {0, {0}}},
        {{4, {2, 1, 3, 4}}, {3, {5, 4, 6}}, {4, {2, 5, 3, 6}}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Graph *g = new_graph(13);
        Node *n = matmul_graph(g, cases[k].a, cases[k].b);
        CU_ASSERT_TRUE(infer(g));
        CU_ASSERT_TRUE(shape_matches(n->out[0], cases[k].y));
        graph_free(g);
    }

    Graph *g = new_graph(13);
    Node *n = matmul_graph(g, (Shape){4, {2, 1, 3, 4}}, (Shape){3, {5, 4, 6}});
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "{.batch_rank = 2, .batch_dims = {2, 5}, "
                               ".a_batch_strides = {12, 0}, .b_batch_strides = {0, 24}, "
                               ".m = 3, .n = 6, .k = 4}"));
    CU_ASSERT_EQUAL(n->op->cost(n).macs, 10 * 3 * 6 * 4);
    free(c);
    graph_free(g);

    g = new_graph(13);
    matmul_graph(g, (Shape){2, {3, 4}}, (Shape){2, {5, 6}});
    CU_ASSERT_TRUE(failed_with(g, "do not multiply"));
    graph_free(g);
}

static void test_gemm(void)
{
    static const float zeros[64];
    Graph *g = new_graph(13);
    Tensor *ins[3] = {input(g, "a", DT_FLOAT, (Shape){2, {4, 3}}),
                      constant(g, "b", DT_FLOAT, (Shape){2, {5, 4}}, zeros),
                      constant(g, "c", DT_FLOAT, (Shape){1, {5}}, zeros)};
    Node *n = add_node_n(g, "Gemm", 3, ins, 1);
    attr_i(n, "transA", 1);
    attr_i(n, "transB", 1);
    attr_f(n, "alpha", 0.5);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {3, 5}}));
    CU_ASSERT_TRUE(contains(c, "{.m = 3, .n = 5, .k = 4, .trans_a = 1, .trans_b = 1, "
                               ".alpha = 0.5f, .beta = 1.0f, .c_rs = 0, .c_cs = 1}"));
    OpCost cost = n->op->cost(n);
    CU_ASSERT_EQUAL(cost.macs, 60);
    CU_ASSERT_EQUAL(cost.flops, 120 + 15);
    free(c);
    graph_free(g);

    g = new_graph(13);
    Tensor *bad[3] = {input(g, "a", DT_FLOAT, (Shape){2, {3, 4}}),
                      constant(g, "b", DT_FLOAT, (Shape){2, {4, 5}}, zeros),
                      constant(g, "c", DT_FLOAT, (Shape){2, {2, 5}}, zeros)};
    add_node_n(g, "Gemm", 3, bad, 1);
    CU_ASSERT_TRUE(failed_with(g, "does not broadcast to [3,5]"));
    graph_free(g);
}

/* ---- Softmax, ReduceMean, LayerNormalization ------------------------ */

static void test_softmax_axis_by_opset(void)
{
    /* Opset 11 flattens from axis 1; opset 13 normalizes axis -1 alone. */
    int opsets[2] = {11, 13};
    const char *want[2] = {"snt_softmax_f32(2, 12, 1, ", "snt_softmax_f32(6, 4, 1, "};
    for (int k = 0; k < 2; k++) {
        Graph *g = new_graph(opsets[k]);
        Tensor *x = input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 4}});
        Node *n = add_node_n(g, "Softmax", 1, &x, 1);
        char *c = generate(g);
        CU_ASSERT_TRUE(shape_matches(n->out[0], x->shape));
        CU_ASSERT_TRUE(contains(c, want[k]));
        free(c);
        graph_free(g);
    }
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 4}});
    Node *n = add_node_n(g, "Softmax", 1, &x, 1);
    attr_i(n, "axis", 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_softmax_f32(2, 3, 4, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    attr_i(add_node_n(g, "Softmax", 1, &x, 1), "axis", 2);
    CU_ASSERT_TRUE(failed_with(g, "axis 2 is out of range"));
    graph_free(g);
}

static void test_reduce_mean(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){4, {2, 3, 4, 5}});
    Node *n = add_node_n(g, "ReduceMean", 1, &x, 1);
    attr_is(n, "axes", INTS(1, -1));
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {2, 1, 4, 1}}));
    CU_ASSERT_TRUE(contains(c, "{.out_rank = 2, .out_dims = {2, 4}, .out_strides = {60, 5}, "
                               ".red_rank = 2, .red_dims = {3, 5}, .red_strides = {20, 1}}"));
    CU_ASSERT_TRUE(contains(c, "snt_reduce_f32(SNT_RED_MEAN, &p, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    n = add_node_n(g, "ReduceMean", 1, &x, 1);
    attr_i(n, "keepdims", 0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){0, {0}}));
    graph_free(g);

    /* Opset 18: axes as a constant input; no axes + noop = identity. */
    const int64_t axes[1] = {0};
    g = new_graph(18);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){2, {2, 3}}),
                      constant(g, "axes", DT_INT64, (Shape){1, {1}}, axes)};
    n = add_node_n(g, "ReduceMean", 2, ins, 1);
    attr_i(n, "keepdims", 0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){1, {3}}));
    graph_free(g);

    g = new_graph(18);
    x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    n = add_node_n(g, "ReduceMean", 1, &x, 1);
    attr_i(n, "noop_with_empty_axes", 1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
    graph_free(g);

    g = new_graph(18);
    Tensor *dyn[2] = {input(g, "x", DT_FLOAT, (Shape){2, {2, 3}}),
                      input(g, "axes", DT_INT64, (Shape){1, {1}})};
    add_node_n(g, "ReduceMean", 2, dyn, 1);
    CU_ASSERT_TRUE(failed_with(g, "must be known at compile time"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    attr_is(add_node_n(g, "ReduceMean", 1, &x, 1), "axes", INTS(1, -1));
    CU_ASSERT_TRUE(failed_with(g, "is repeated"));
    graph_free(g);
}

static void test_reduce_family(void)
{
    /* ReduceSum takes axes as an input from opset 13 already. */
    const int64_t axes[1] = {-1};
    Graph *g = new_graph(13);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){2, {2, 3}}),
                      constant(g, "axes", DT_INT64, (Shape){1, {1}}, axes)};
    Node *n = add_node_n(g, "ReduceSum", 2, ins, 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 1}}));
    CU_ASSERT_TRUE(contains(c, "snt_reduce_f32(SNT_RED_SUM, &p, "));
    free(c);
    graph_free(g);

    /* Constant inputs fold through the runtime kernel. */
    const float xv[6] = {1, 5, 2, -4, 0, 3};
    g = new_graph(13);
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){2, {2, 3}}, xv);
    n = add_node_n(g, "ReduceMax", 1, &x, 1);
    attr_is(n, "axes", INTS(1));
    attr_i(n, "keepdims", 0);
    CU_ASSERT_TRUE(infer(g));
    const float *y = n->out[0]->data;
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT_EQUAL(y[0], 5.0f);
    CU_ASSERT_EQUAL(y[1], 3.0f);
    graph_free(g);
}

static void test_layernorm(void)
{
    static const float ones[64];
    Graph *g = new_graph(17);
    Tensor *ins[3] = {input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 4}}),
                      constant(g, "scale", DT_FLOAT, (Shape){2, {3, 4}}, ones),
                      constant(g, "bias", DT_FLOAT, (Shape){2, {3, 4}}, ones)};
    Node *n = add_node_n(g, "LayerNormalization", 3, ins, 1);
    attr_i(n, "axis", 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {2, 3, 4}}));
    CU_ASSERT_TRUE(contains(c, "snt_layernorm_f32(2, 12, "));
    CU_ASSERT_TRUE(contains(c, "9.99999975e-06f, "));
    free(c);
    graph_free(g);

    /* Mean and InvStdDev keep the leading axes; InvStdDev runs through
     * scratch deviations before Y. */
    g = new_graph(17);
    Tensor *two[2] = {input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 4}}),
                      constant(g, "scale", DT_FLOAT, (Shape){1, {4}}, ones)};
    n = add_node_n(g, "LayerNormalization", 2, two, 3);
    c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[1], (Shape){3, {2, 3, 1}}));
    CU_ASSERT_TRUE(shape_matches(n->out[2], (Shape){3, {2, 3, 1}}));
    CU_ASSERT_EQUAL(n->out[2]->dtype, DT_FLOAT);
    CU_ASSERT_TRUE(contains(c, "static const snt_reduce_params by_row = {.out_rank = 1, "
                               ".out_dims = {6}, .out_strides = {4}, .red_rank = 1, "
                               ".red_dims = {4}, .red_strides = {1}};"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_f32(SNT_BIN_MUL, &squared, s + 0, s + 0, s + 0);"));
    CU_ASSERT_TRUE(contains(c, "snt_unary_f32(SNT_UN_RECIPROCAL, "));
    const char *stats = c ? strstr(c, "by_row, ") : NULL, *y = c ? strstr(c, "snt_layernorm") : NULL;
    CU_ASSERT_TRUE(stats && y && stats < y);
    free(c);
    graph_free(g);

    /* Scale [4, 1] has 4 values but varies along the wrong axis. */
    g = new_graph(17);
    Tensor *wrong[2] = {input(g, "x", DT_FLOAT, (Shape){2, {4, 4}}),
                        constant(g, "scale", DT_FLOAT, (Shape){2, {4, 1}}, ones)};
    n = add_node_n(g, "LayerNormalization", 2, wrong, 1);
    attr_i(n, "axis", 1);
    CU_ASSERT_TRUE(failed_with(g, "does not match the normalized axes"));
    graph_free(g);
}

/* ---- run-time dtypes ---------------------------------------------- */

static void test_unsupported_runtime_dtype(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT16, (Shape){1, {4}});
    add_node_n(g, "Sigmoid", 1, &x, 1);
    CU_ASSERT_PTR_NULL(generate(g));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag.text.buf, "unsupported dtype float16"));
    graph_free(g);
}

static void test_staged_runtime_dtypes(void)
{
    /* uint8 Add runs in int64 on cast copies. */
    Graph *g = new_graph(14);
    Tensor *u8[2] = {input(g, "a", DT_UINT8, (Shape){1, {4}}),
                     input(g, "b", DT_UINT8, (Shape){1, {4}})};
    add_node_n(g, "Add", 2, u8, 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ", SNT_DT_INT64, s + 0, 4);"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_i64(SNT_BIN_ADD, &p, (const int64_t *)(s + 0), "
                               "(const int64_t *)(s + 32), (int64_t *)(s + 64));"));
    CU_ASSERT_TRUE(contains(c, "snt_cast(SNT_DT_INT64, s + 64, SNT_DT_UINT8, "));
    free(c);
    graph_free(g);

    /* A run-time lower bound makes Clip a broadcast max, in the dtype. */
    g = new_graph(13);
    Tensor *clip[2] = {input(g, "x", DT_FLOAT, (Shape){1, {5}}),
                       input(g, "lo", DT_FLOAT, (Shape){0, {0}})};
    add_node_n(g, "Clip", 2, clip, 1);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".a_strides = {1}, .b_strides = {0}"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_ext(SNT_BX_MAX, SNT_DT_FLOAT, &p, "));
    CU_ASSERT_PTR_NULL(c ? strstr(c, "SNT_BX_MIN") : NULL);
    free(c);
    graph_free(g);

    /* uint8 MaxPool runs exactly on float32 copies. */
    g = new_graph(12);
    Tensor *x = input(g, "x", DT_UINT8, (Shape){4, {1, 1, 4, 4}});
    attr_is(add_node_n(g, "MaxPool", 1, &x, 1), "kernel_shape", INTS(2, 2));
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_maxpool2d_f32(&p, (const float *)(s + 0), "
                               "(float *)(s + 64));"));
    free(c);
    graph_free(g);

    /* uint64 Div has no exact kernel (int64 division is signed): Div's
     * dtype set says so. */
    g = new_graph(13);
    Tensor *u64[2] = {input(g, "a", DT_UINT64, (Shape){1, {4}}),
                      input(g, "b", DT_UINT64, (Shape){1, {4}})};
    add_node_n(g, "Div", 2, u64, 1);
    CU_ASSERT_PTR_NULL(generate(g));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag.text.buf, "dtype uint64 is not supported for Div"));
    graph_free(g);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_compute", NULL, NULL);
    CU_add_test(s, "conv 2-D shape, cost and call", test_conv_2d_shape_cost_and_call);
    CU_add_test(s, "conv depthwise SAME dilated", test_conv_depthwise_same_dilated);
    CU_add_test(s, "conv 1-D runs as 2-D", test_conv_1d_runs_as_2d);
    CU_add_test(s, "conv errors", test_conv_errors);
    CU_add_test(s, "window SAME_LOWER/UPPER", test_window_same_lower_and_upper);
    CU_add_test(s, "maxpool ceil_mode", test_maxpool_ceil_mode_drops_window_in_padding);
    CU_add_test(s, "avgpool pads, 1-D, VALID", test_avgpool_pads_1d_and_valid);
    CU_add_test(s, "pool errors", test_pool_errors);
    CU_add_test(s, "global average pool", test_global_avgpool);
    CU_add_test(s, "batchnorm", test_batchnorm);
    CU_add_test(s, "unary folds", test_unary_folds);
    CU_add_test(s, "unary integer folds", test_unary_integer_folds);
    CU_add_test(s, "clip inputs and attributes", test_clip_inputs_and_attributes);
    CU_add_test(s, "unary calls", test_unary_calls);
    CU_add_test(s, "binary broadcast fold int64", test_binary_broadcast_fold_int64);
    CU_add_test(s, "binary integer semantics", test_binary_integer_semantics);
    CU_add_test(s, "pow mixed dtypes", test_pow_mixed_dtypes);
    CU_add_test(s, "binary errors and calls", test_binary_errors_and_calls);
    CU_add_test(s, "matmul shapes", test_matmul_shapes);
    CU_add_test(s, "gemm", test_gemm);
    CU_add_test(s, "softmax axis by opset", test_softmax_axis_by_opset);
    CU_add_test(s, "reduce mean", test_reduce_mean);
    CU_add_test(s, "reduce family", test_reduce_family);
    CU_add_test(s, "layernorm", test_layernorm);
    CU_add_test(s, "unsupported run-time dtype", test_unsupported_runtime_dtype);
    CU_add_test(s, "staged run-time dtypes", test_staged_runtime_dtypes);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
