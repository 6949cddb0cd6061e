/*
 * test_ops_widen.c - the run-time dtypes of the elementwise ops beyond
 * float32: the kernel calls that binary.c, unary.c and activation.c
 * print for float64 and the integer types, and the float64 and integer
 * kernels themselves against libm and naive references written here.
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "sinter_rt.h"

/* Generates g and asserts that its code contains every string of want
 * (NULL-terminated). */
static void assert_calls(Graph *g, const char *const *want)
{
    char *c = generate(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (; *want; want++) {
        if (!contains(c, *want))
            fprintf(stderr, "\nmissing: %s\n", *want);
        CU_ASSERT_TRUE(contains(c, *want));
    }
    free(c);
}

/* A graph of one node `op` over run-time inputs of the given dtypes and
 * shape [4] (an absent dtype, DT_UNDEFINED, is an absent input). */
static Graph *one_node(int opset, const char *op, int n_in, const DType *dtypes)
{
    Graph *g = new_graph(opset);
    Tensor *ins[3] = {NULL, NULL, NULL};
    static const char *const names[3] = {"a", "b", "c"};
    for (int i = 0; i < n_in; i++)
        ins[i] = input(g, names[i], dtypes[i], (Shape){1, {4}});
    add_node(g, op, n_in, ins);
    return g;
}

/* ---- generated calls ------------------------------------------------ */

static void test_binary_calls(void)
{
    const DType dd[2] = {DT_DOUBLE, DT_DOUBLE}, ii[2] = {DT_INT32, DT_INT32};
    const DType int_float[2] = {DT_INT32, DT_FLOAT};
    Graph *g = one_node(13, "Add", 2, dd);
    assert_calls(g, (const char *[]){"snt_binary_f64(SNT_BIN_ADD, &p, a, b, ", NULL});
    graph_free(g);

    /* int32 runs on exact int64 copies, cast back into the output. */
    g = one_node(13, "Div", 2, ii);
    assert_calls(g, (const char *[]){"snt_cast(SNT_DT_INT32, a, SNT_DT_INT64, ",
                                     "snt_binary_i64(SNT_BIN_DIV, &p, ", ", SNT_DT_INT32, y, 4);",
                                     NULL});
    graph_free(g);

    /* An integer base with a float exponent computes in double, as
     * numpy promotes. */
    g = one_node(13, "Pow", 2, int_float);
    assert_calls(g, (const char *[]){"snt_binary_f64(SNT_BIN_POW, &p, ", NULL});
    graph_free(g);

    const DType uu[2] = {DT_UINT64, DT_UINT64};
    g = one_node(13, "Div", 2, uu);
    CU_ASSERT_TRUE(failed_with(g, "dtype uint64 is not supported for Div"));
    graph_free(g);
}

static void test_unary_float64_calls(void)
{
    const DType d[1] = {DT_DOUBLE};
    Graph *g = one_node(13, "Exp", 1, d);
    assert_calls(g, (const char *[]){"snt_unary_f64(SNT_UN_EXP, a, y, 4);", NULL});
    graph_free(g);

    g = one_node(13, "Sigmoid", 1, d);
    assert_calls(g, (const char *[]){"snt_act_f64(SNT_ACT_SIGMOID, 0, 0, a, y, 4);", NULL});
    graph_free(g);

    /* float64 bounds print in full precision; an absent one is infinite. */
    g = new_graph(13);
    const double lo = 0.1;
    Tensor *ins[2] = {input(g, "a", DT_DOUBLE, (Shape){1, {4}}),
                      constant(g, "lo", DT_DOUBLE, (Shape){0, {0}}, &lo)};
    add_node(g, "Clip", 2, ins);
    assert_calls(g, (const char *[]){
        "snt_act_f64(SNT_ACT_CLIP, 0.10000000000000001, (1.0 / 0.0), a, y, 4);", NULL});
    graph_free(g);

    g = one_node(13, "Elu", 1, d);
    assert_calls(g, (const char *[]){"snt_actx_f64(&p, a, y, 4);", NULL});
    graph_free(g);

    const DType dd[2] = {DT_DOUBLE, DT_DOUBLE};
    g = one_node(13, "PRelu", 2, dd);
    assert_calls(g, (const char *[]){"snt_prelu_f64(&p, a, b, y);", NULL});
    graph_free(g);
}

static void test_unary_integer_calls(void)
{
    const DType i64[1] = {DT_INT64}, i32[1] = {DT_INT32}, u8[1] = {DT_UINT8};
    Graph *g = one_node(13, "Abs", 1, i64);
    assert_calls(g, (const char *[]){"snt_unary_int(SNT_UN_ABS, SNT_DT_INT64, a, y, 4);", NULL});
    graph_free(g);

    g = one_node(13, "Neg", 1, i32);
    assert_calls(g, (const char *[]){"snt_unary_int(SNT_UN_NEG, SNT_DT_INT32, a, y, 4);", NULL});
    graph_free(g);

    g = one_node(14, "Relu", 1, i32);
    assert_calls(g, (const char *[]){"snt_clip_int(SNT_DT_INT32, 0, 2147483647, a, y, 4);", NULL});
    graph_free(g);

    /* The smallest int64 has no literal of its own. */
    g = new_graph(13);
    const int64_t hi = 3;
    Tensor *ins[3] = {input(g, "a", DT_INT64, (Shape){1, {4}}), NULL,
                      constant(g, "hi", DT_INT64, (Shape){0, {0}}, &hi)};
    add_node(g, "Clip", 3, ins);
    assert_calls(g, (const char *[]){"snt_clip_int(SNT_DT_INT64, INT64_MIN, 3, a, y, 4);", NULL});
    graph_free(g);

    /* Bounds computed at run time: max and min kernels in the dtype. */
    g = new_graph(13);
    Tensor *bytes[3] = {input(g, "a", DT_INT8, (Shape){1, {4}}),
                        input(g, "b", DT_INT8, (Shape){0, {0}}),
                        input(g, "c", DT_INT8, (Shape){0, {0}})};
    add_node(g, "Clip", 3, bytes);
    assert_calls(g, (const char *[]){"snt_binary_ext(SNT_BX_MAX, SNT_DT_INT8, &p, a, b, y);",
                                     "snt_binary_ext(SNT_BX_MIN, SNT_DT_INT8, &p, y, x_c, y);",
                                     NULL});
    graph_free(g);

    g = one_node(13, "Abs", 1, u8);
    assert_calls(g, (const char *[]){"snt_unary_int(SNT_UN_ABS, SNT_DT_UINT8, a, y, 4);", NULL});
    graph_free(g);

    /* Clip took integers from opset 12; Exp never does. */
    g = one_node(11, "Clip", 1, i32);
    CU_ASSERT_TRUE(failed_with(g, "needs opset 12"));
    graph_free(g);
    g = one_node(13, "Exp", 1, i64);
    CU_ASSERT_TRUE(failed_with(g, "must be float32 or float64, not int64"));
    graph_free(g);
}

/* ---- folding -------------------------------------------------------- */

static void test_integer_div_folds_toward_zero(void)
{
    const int64_t a[4] = {7, -7, 7, INT64_MIN}, b[4] = {2, 2, -2, -1};
    const double want[4] = {3, -3, -3, (double)INT64_MIN};
    Graph *g = new_graph(13);
    Tensor *ins[2] = {constant(g, "a", DT_INT64, (Shape){1, {4}}, a),
                      constant(g, "b", DT_INT64, (Shape){1, {4}}, b)};
    Node *n = add_node(g, "Div", 2, ins);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    CU_ASSERT_TRUE(values_within(n->out[0], want, 4, 0));
    graph_free(g);
}

/* ---- the kernels ---------------------------------------------------- */

static void test_binary_f64_kernel(void)
{
    /* 1 + 1e-12 is lost in float32: the kernel must compute in double.
     * a is [2, 3], b [3] broadcast along the rows. */
    const double a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {1e-12, 0.5, -2};
    const snt_bcast p = {.rank = 2, .dims = {2, 3}, .a_strides = {3, 1}, .b_strides = {0, 1}};
    double y[6];
    snt_binary_f64(SNT_BIN_ADD, &p, a, b, y);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(y[i], a[i] + b[i % 3]);
    snt_binary_f64(SNT_BIN_DIV, &p, a, b, y);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(y[i], a[i] / b[i % 3]);
    snt_binary_f64(SNT_BIN_POW, &p, a, b, y);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(y[i], pow(a[i], b[i % 3]));
    snt_binary_f64(SNT_BIN_MIN, &p, a, b, y);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(y[i], fmin(a[i], b[i % 3]));
}

static void test_unary_f64_kernel(void)
{
    const double x[4] = {0.25, 1.5, 2.75, 9.125};
    double y[4];
    static const struct {
        snt_unop op;
        double (*want)(double);
    } ops[] = {{SNT_UN_ERF, erf}, {SNT_UN_SQRT, sqrt}, {SNT_UN_EXP, exp}, {SNT_UN_LOG, log},
               {SNT_UN_FLOOR, floor}, {SNT_UN_CEIL, ceil}, {SNT_UN_SIN, sin}, {SNT_UN_COS, cos},
               {SNT_UN_ABS, fabs}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        snt_unary_f64(ops[k].op, x, y, 4);
        for (int i = 0; i < 4; i++)
            CU_ASSERT_EQUAL(y[i], ops[k].want(x[i]));
    }
    snt_unary_f64(SNT_UN_RECIPROCAL, x, y, 4);
    CU_ASSERT_EQUAL(y[0], 4.0);
    snt_unary_f64(SNT_UN_NEG, x, y, 4);
    CU_ASSERT_EQUAL(y[3], -9.125);
}

static void test_act_f64_kernel(void)
{
    const double x[5] = {-2, -0.1, 0.1, 0.3, NAN};
    double y[5];
    /* Clip keeps NaN and makes every other value hi when lo > hi. */
    snt_act_f64(SNT_ACT_CLIP, -0.1, 0.2, x, y, 5);
    CU_ASSERT_EQUAL(y[0], -0.1);
    CU_ASSERT_EQUAL(y[2], 0.1);
    CU_ASSERT_EQUAL(y[3], 0.2);
    CU_ASSERT_TRUE(isnan(y[4]));
    snt_act_f64(SNT_ACT_CLIP, 0.5, 0.2, x, y, 4);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(y[i], 0.2);
    snt_act_f64(SNT_ACT_LEAKY_RELU, 0.5, 0, x, y, 4);
    CU_ASSERT_EQUAL(y[0], -1.0);
    CU_ASSERT_EQUAL(y[3], 0.3);
    snt_act_f64(SNT_ACT_SIGMOID, 0, 0, x, y, 4);
    CU_ASSERT_EQUAL(y[1], 1 / (1 + exp(0.1)));
    snt_act_f64(SNT_ACT_TANH, 0, 0, x, y, 4);
    CU_ASSERT_EQUAL(y[2], tanh(0.1));
    snt_act_f64(SNT_ACT_GELU, 0, 0, x, y, 4);
    CU_ASSERT_DOUBLE_EQUAL(y[0], -2 * 0.5 * (1 + erf(-2 / sqrt(2.0))), 1e-15);

    /* The float32 instance of the same body: Clip with lo > hi too. */
    const float xf[3] = {-1, 0.25f, 3};
    float yf[3];
    const snt_act clip = {.kind = SNT_ACT_CLIP, .alpha = 1, .beta = 0.5f};
    snt_act_f32(&clip, xf, yf, 3);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(yf[i], 0.5f);
}

static void test_unary_int_kernel(void)
{
    const int64_t x64[4] = {INT64_MIN, -5, 0, INT64_MAX};
    int64_t y64[4];
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_ABS, SNT_DT_INT64, x64, y64, 4), 1);
    CU_ASSERT_EQUAL(y64[0], INT64_MIN); /* wraps, as numpy's abs does */
    CU_ASSERT_EQUAL(y64[1], 5);
    CU_ASSERT_EQUAL(y64[3], INT64_MAX);
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_NEG, SNT_DT_INT64, x64, y64, 4), 1);
    CU_ASSERT_EQUAL(y64[0], INT64_MIN);
    CU_ASSERT_EQUAL(y64[1], 5);
    CU_ASSERT_EQUAL(y64[3], -INT64_MAX);

    const int8_t x8[3] = {-128, -3, 4};
    int8_t y8[3];
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_ABS, SNT_DT_INT8, x8, y8, 3), 1);
    CU_ASSERT_EQUAL(y8[0], -128);
    CU_ASSERT_EQUAL(y8[1], 3);
    const uint16_t xu[2] = {0, 65535};
    uint16_t yu[2];
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_ABS, SNT_DT_UINT16, xu, yu, 2), 1);
    CU_ASSERT_EQUAL(yu[1], 65535);

    /* Not defined: a float dtype, or an op other than Abs and Neg. */
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_ABS, SNT_DT_FLOAT, x64, y64, 4), 0);
    CU_ASSERT_EQUAL(snt_unary_int(SNT_UN_EXP, SNT_DT_INT64, x64, y64, 4), 0);
}

static void test_clip_int_kernel(void)
{
    const int32_t x[5] = {INT32_MIN, -4, 0, 7, INT32_MAX};
    int32_t y[5];
    CU_ASSERT_EQUAL(snt_clip_int(SNT_DT_INT32, -3, 5, x, y, 5), 1);
    const int32_t want[5] = {-3, -3, 0, 5, 5};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(y[i], want[i]);
    /* lo > hi: everything becomes hi. */
    CU_ASSERT_EQUAL(snt_clip_int(SNT_DT_INT32, 5, -3, x, y, 5), 1);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(y[i], -3);

    /* uint64 bounds above INT64_MAX pass as their bit patterns. */
    const uint64_t xu[3] = {1, (uint64_t)1 << 63, UINT64_MAX};
    uint64_t yu[3];
    const uint64_t top = ((uint64_t)1 << 63) + 1;
    CU_ASSERT_EQUAL(snt_clip_int(SNT_DT_UINT64, 2, (int64_t)top, xu, yu, 3), 1);
    CU_ASSERT_EQUAL(yu[0], 2);
    CU_ASSERT_EQUAL(yu[1], (uint64_t)1 << 63);
    CU_ASSERT_EQUAL(yu[2], top);

    CU_ASSERT_EQUAL(snt_clip_int(SNT_DT_DOUBLE, 0, 1, x, y, 1), 0);
}

static void test_actx_f64_kernels(void)
{
    const double x[4] = {-2, -0.5, 0.5, 3};
    double y[4];
    const snt_actx elu = {.kind = SNT_ACTX_ELU, .alpha = 1};
    snt_actx_f64(&elu, x, y, 4);
    CU_ASSERT_EQUAL(y[0], expm1(-2.0));
    CU_ASSERT_EQUAL(y[3], 3.0);
    const snt_actx softplus = {.kind = SNT_ACTX_SOFTPLUS};
    snt_actx_f64(&softplus, x, y, 4);
    CU_ASSERT_DOUBLE_EQUAL(y[2], log(1 + exp(0.5)), 1e-15);

    /* x [2, 2], the slope [2] along the last axis. */
    const double slope[2] = {0.25, 4};
    const snt_bcast p = {.rank = 2, .dims = {2, 2}, .a_strides = {2, 1}, .b_strides = {0, 1}};
    snt_prelu_f64(&p, x, slope, y);
    CU_ASSERT_EQUAL(y[0], -0.5);
    CU_ASSERT_EQUAL(y[1], -2.0);
    CU_ASSERT_EQUAL(y[2], 0.5);
    CU_ASSERT_EQUAL(y[3], 3.0);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_widen", NULL, NULL);
    CU_add_test(s, "binary calls", test_binary_calls);
    CU_add_test(s, "unary float64 calls", test_unary_float64_calls);
    CU_add_test(s, "unary integer calls", test_unary_integer_calls);
    CU_add_test(s, "integer div folds toward zero", test_integer_div_folds_toward_zero);
    CU_add_test(s, "binary f64 kernel", test_binary_f64_kernel);
    CU_add_test(s, "unary f64 kernel", test_unary_f64_kernel);
    CU_add_test(s, "act f64 kernel", test_act_f64_kernel);
    CU_add_test(s, "unary int kernel", test_unary_int_kernel);
    CU_add_test(s, "clip int kernel", test_clip_int_kernel);
    CU_add_test(s, "actx f64 kernels", test_actx_f64_kernels);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
