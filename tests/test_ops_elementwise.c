/*
 * test_ops_elementwise.c - the elementwise ops of unary_math.c,
 * compare_logic.c and variadic.c, and TopK and Einsum: shape rules,
 * folding (which runs the runtime kernels), costs, the kernel calls they
 * print and their errors, and the kernels' broadcasting against naive
 * references written here.
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "sinter_rt.h"

/* One more output of n, a graph output too. */
static void add_output(Graph *g, Node *n)
{
    Tensor *t = graph_new_tensor(g, "y");
    node_add_output(n, t);
    t->is_output = true;
    graph_add_output(g, t);
}

static bool near(double got, double want, double tol)
{
    bool ok = fabs(got - want) <= tol * (1 + fabs(want)) || (isnan(got) && isnan(want));
    if (!ok)
        fprintf(stderr, "\ngot %.9g, want %.9g\n", got, want);
    return ok;
}

/* Element i of output `out` of n, as a double whatever its dtype. */
static double out_at(const Node *n, int out, size_t i)
{
    const Tensor *t = n->out[out];
    return dtype_get_f64(t->dtype, t->data, i);
}

/* Folds a one-input node of `op` over a constant x and returns it. */
static Node *fold_unary(Graph *g, const char *op, DType dtype, int count, const void *x)
{
    Tensor *t = constant(g, "x", dtype, (Shape){1, {count}}, x);
    Node *n = add_node(g, op, 1, &t);
    return n;
}

/* ---- unary math ------------------------------------------------------ */

static void check_math_fold(const char *op, double (*want)(double))
{
    const float x[5] = {-0.75f, -0.25f, 0.0f, 0.5f, 0.9f};
    const float pos[5] = {1.0f, 1.5f, 2.0f, 4.0f, 9.0f}; /* Acosh's domain */
    Graph *g = new_graph(13);
    const float *v = strcmp(op, "Acosh") == 0 ? pos : x;
    Node *n = fold_unary(g, op, DT_FLOAT, 5, v);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_TRUE(near(out_at(n, 0, (size_t)i), want(v[i]), 1e-6));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 5);
    graph_free(g);
}

static void test_math_folds(void)
{
    check_math_fold("Tan", tan);
    check_math_fold("Asin", asin);
    check_math_fold("Acos", acos);
    check_math_fold("Atan", atan);
    check_math_fold("Sinh", sinh);
    check_math_fold("Cosh", cosh);
    check_math_fold("Asinh", asinh);
    check_math_fold("Acosh", acosh);
    check_math_fold("Atanh", atanh);
}

static void test_round_sign_not(void)
{
    /* Halves go to the even neighbour. */
    const double x[7] = {0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6};
    const double round_want[7] = {0, 2, 2, -0.0, -2, 2, -3};
    Graph *g = new_graph(13);
    Node *n = fold_unary(g, "Round", DT_DOUBLE, 7, x);
    CU_ASSERT_TRUE_FATAL(infer(g));
    for (int i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(out_at(n, 0, (size_t)i), round_want[i]);
    graph_free(g);

    const float fx[4] = {-3.5f, 0.0f, 2.0f, NAN};
    g = new_graph(13);
    n = fold_unary(g, "Sign", DT_FLOAT, 4, fx);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(out_at(n, 0, 0), -1);
    CU_ASSERT_EQUAL(out_at(n, 0, 1), 0);
    CU_ASSERT_EQUAL(out_at(n, 0, 2), 1);
    CU_ASSERT_TRUE(isnan(out_at(n, 0, 3)));
    graph_free(g);

    const int8_t ix[3] = {-128, 0, 7};
    g = new_graph(13);
    n = fold_unary(g, "Sign", DT_INT8, 3, ix);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(((int8_t *)n->out[0]->data)[0], -1);
    CU_ASSERT_EQUAL(((int8_t *)n->out[0]->data)[1], 0);
    CU_ASSERT_EQUAL(((int8_t *)n->out[0]->data)[2], 1);
    graph_free(g);

    const uint8_t bx[3] = {0, 1, 1};
    g = new_graph(13);
    n = fold_unary(g, "Not", DT_BOOL, 3, bx);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_BOOL);
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, (uint8_t[]){1, 0, 0}, 3), 0);
    graph_free(g);
}

static void test_isnan_isinf(void)
{
    const float x[4] = {INFINITY, -INFINITY, NAN, 1.0f};
    static const struct {
        const char *op;
        int pos, neg;          /* IsInf's attributes, -1 to leave out */
        uint8_t want[4];
    } cases[] = {
        {"IsNaN", -1, -1, {0, 0, 1, 0}},
        {"IsInf", -1, -1, {1, 1, 0, 0}},
        {"IsInf", 1, 0, {1, 0, 0, 0}},
        {"IsInf", 0, 1, {0, 1, 0, 0}},
        {"IsInf", 0, 0, {0, 0, 0, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Graph *g = new_graph(13);
        Node *n = fold_unary(g, cases[c].op, DT_FLOAT, 4, x);
        if (cases[c].pos >= 0)
            attr_i(n, "detect_positive", cases[c].pos);
        if (cases[c].neg >= 0)
            attr_i(n, "detect_negative", cases[c].neg);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_EQUAL(n->out[0]->dtype, DT_BOOL);
        CU_ASSERT_EQUAL(memcmp(n->out[0]->data, cases[c].want, 4), 0);
        graph_free(g);
    }
}

static void test_math_calls_and_errors(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    add_node(g, "Atanh", 1, &x);
    Node *n = add_node(g, "IsInf", 1, &x);
    attr_i(n, "detect_negative", 0);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_unary_ext(SNT_UX_ATANH, SNT_DT_FLOAT, "));
    CU_ASSERT_TRUE(contains(c, "snt_isinf(SNT_DT_FLOAT, 1, 0, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_INT32, (Shape){1, {3}});
    add_node(g, "Tan", 1, &x);
    CU_ASSERT_TRUE(failed_with(g, "Tan takes float32 or float64"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){1, {3}});
    add_node(g, "Not", 1, &x);
    CU_ASSERT_TRUE(failed_with(g, "Not takes bool"));
    graph_free(g);
}

/* ---- binary: Mod, BitShift, comparisons, logic --------------------- */

/* Folds op(a, b) for two constants of `dtype` and `count` elements. */
static Node *fold_binary(Graph *g, const char *op, DType dtype, Shape sa, const void *a, Shape sb,
                         const void *b)
{
    Tensor *ins[2] = {constant(g, "a", dtype, sa, a), constant(g, "b", dtype, sb, b)};
    return add_node(g, op, 2, ins);
}

static void test_mod(void)
{
    /* Python's % takes the divisor's sign, fmod the dividend's. */
    const int32_t a[6] = {-4, 7, 5, 4, -7, 8}, b[6] = {2, -3, 8, -2, 3, 5};
    const int32_t mod_want[6] = {0, -2, 5, 0, 2, 3}, fmod_want[6] = {0, 1, 5, 0, -1, 3};
    for (int fmod = 0; fmod <= 1; fmod++) {
        Graph *g = new_graph(13);
        Node *n = fold_binary(g, "Mod", DT_INT32, (Shape){1, {6}}, a, (Shape){1, {6}}, b);
        attr_i(n, "fmod", fmod);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_EQUAL(memcmp(n->out[0]->data, fmod ? fmod_want : mod_want, sizeof a), 0);
        CU_ASSERT_EQUAL(n->op->cost(n).flops, 6);
        graph_free(g);
    }

    /* No trap on a zero divisor, nor on the smallest int64 % -1. */
    const int64_t big[2] = {INT64_MIN, 5}, div[2] = {-1, 0};
    Graph *g = new_graph(13);
    Node *n = fold_binary(g, "Mod", DT_INT64, (Shape){1, {2}}, big, (Shape){1, {2}}, div);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(((int64_t *)n->out[0]->data)[0], 0);
    CU_ASSERT_EQUAL(((int64_t *)n->out[0]->data)[1], 0);
    graph_free(g);

    const float fa[2] = {-4.5f, 7.25f}, fb[1] = {2.0f};
    g = new_graph(13);
    n = fold_binary(g, "Mod", DT_FLOAT, (Shape){1, {2}}, fa, (Shape){0, {0}}, fb);
    attr_i(n, "fmod", 1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(near(out_at(n, 0, 0), -0.5, 0));
    CU_ASSERT_TRUE(near(out_at(n, 0, 1), 1.25, 0));
    graph_free(g);

    g = new_graph(13);
    fold_binary(g, "Mod", DT_FLOAT, (Shape){1, {2}}, fa, (Shape){0, {0}}, fb);
    CU_ASSERT_TRUE(failed_with(g, "fmod must be 1"));
    graph_free(g);
}

static void test_bitshift(void)
{
    const uint16_t x[4] = {16, 4, 0xffff, 1}, s[4] = {1, 2, 16, 15};
    const uint16_t left[4] = {32, 16, 0, 0x8000}, right[4] = {8, 1, 0, 0};
    for (int r = 0; r <= 1; r++) {
        Graph *g = new_graph(13);
        Node *n = fold_binary(g, "BitShift", DT_UINT16, (Shape){1, {4}}, x, (Shape){1, {4}}, s);
        attr_s(n, "direction", r ? "RIGHT" : "LEFT");
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_EQUAL(memcmp(n->out[0]->data, r ? right : left, sizeof x), 0);
        graph_free(g);
    }

    Graph *g = new_graph(13);
    fold_binary(g, "BitShift", DT_UINT16, (Shape){1, {4}}, x, (Shape){1, {4}}, s);
    CU_ASSERT_TRUE(failed_with(g, "direction must be LEFT or RIGHT"));
    graph_free(g);

    const int32_t ix[1] = {1};
    g = new_graph(13);
    Node *n = fold_binary(g, "BitShift", DT_INT32, (Shape){1, {1}}, ix, (Shape){1, {1}}, ix);
    attr_s(n, "direction", "LEFT");
    CU_ASSERT_TRUE(failed_with(g, "BitShift takes unsigned integers"));
    graph_free(g);
}

static void test_comparisons_broadcast(void)
{
    /* [2, 3] against [3]: b is reused for each row; NaN compares false. */
    const float a[6] = {1, 2, 3, 4, NAN, 6}, b[3] = {2, 2, 6};
    static const struct {
        const char *op;
        uint8_t want[6];
    } cases[] = {
        {"Equal", {0, 1, 0, 0, 0, 1}},
        {"Less", {1, 0, 1, 0, 0, 0}},
        {"Greater", {0, 0, 0, 1, 0, 0}},
        {"LessOrEqual", {1, 1, 1, 0, 0, 1}},
        {"GreaterOrEqual", {0, 1, 0, 1, 0, 1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Graph *g = new_graph(16);
        Node *n = fold_binary(g, cases[c].op, DT_FLOAT, (Shape){2, {2, 3}}, a, (Shape){1, {3}}, b);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_EQUAL(n->out[0]->dtype, DT_BOOL);
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
        CU_ASSERT_EQUAL(memcmp(n->out[0]->data, cases[c].want, 6), 0);
        graph_free(g);
    }

    /* Unsigned values compare as unsigned. */
    const uint64_t ua[2] = {UINT64_MAX, 1}, ub[2] = {1, 2};
    Graph *g = new_graph(13);
    Node *n = fold_binary(g, "Greater", DT_UINT64, (Shape){1, {2}}, ua, (Shape){1, {2}}, ub);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, (uint8_t[]){1, 0}, 2), 0);
    graph_free(g);

    g = new_graph(13);
    fold_binary(g, "Less", DT_FLOAT, (Shape){1, {2}}, a, (Shape){1, {3}}, b);
    CU_ASSERT_TRUE(failed_with(g, "does not broadcast"));
    graph_free(g);
}

static void test_logic(void)
{
    /* A column [2, 1] against a row [2]: every pair of truth values. */
    const uint8_t a[2] = {0, 1}, b[2] = {0, 1};
    static const struct {
        const char *op;
        uint8_t want[4];
    } cases[] = {
        {"And", {0, 0, 0, 1}},
        {"Or", {0, 1, 1, 1}},
        {"Xor", {0, 1, 1, 0}},
        {"Equal", {1, 0, 0, 1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Graph *g = new_graph(13);
        Node *n = fold_binary(g, cases[c].op, DT_BOOL, (Shape){2, {2, 1}}, a, (Shape){1, {2}}, b);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_EQUAL(n->out[0]->dtype, DT_BOOL);
        CU_ASSERT_EQUAL(memcmp(n->out[0]->data, cases[c].want, 4), 0);
        graph_free(g);
    }

    Graph *g = new_graph(13);
    Tensor *ins[2] = {input(g, "a", DT_BOOL, (Shape){3, {2, 3, 4}}),
                      input(g, "b", DT_BOOL, (Shape){2, {3, 1}})};
    add_node(g, "Xor", 2, ins);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".a_strides = {12, 4, 1}, .b_strides = {0, 1, 0}"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_ext(SNT_BX_XOR, SNT_DT_BOOL, &p, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    Tensor *f[2] = {input(g, "a", DT_FLOAT, (Shape){1, {2}}), input(g, "b", DT_FLOAT, (Shape){1, {2}})};
    add_node(g, "And", 2, f);
    CU_ASSERT_TRUE(failed_with(g, "And takes bool"));
    graph_free(g);
}

/* ---- variadic ------------------------------------------------------- */

static void test_max_min_nan_and_broadcast(void)
{
    const float a[3] = {1, NAN, 3}, b[3] = {2, 0, NAN};
    Graph *g = new_graph(13);
    Tensor *ins[2] = {constant(g, "a", DT_FLOAT, (Shape){1, {3}}, a),
                      constant(g, "b", DT_FLOAT, (Shape){1, {3}}, b)};
    Node *mx = add_node(g, "Max", 2, ins), *mn = add_node(g, "Min", 2, ins);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(out_at(mx, 0, 0), 2);
    CU_ASSERT_TRUE(isnan(out_at(mx, 0, 1)) && isnan(out_at(mx, 0, 2)));
    CU_ASSERT_EQUAL(out_at(mn, 0, 0), 1);
    CU_ASSERT_TRUE(isnan(out_at(mn, 0, 1)) && isnan(out_at(mn, 0, 2)));
    graph_free(g);

    /* Three int64 inputs of shapes [2, 1], [3] and [] broadcast to [2, 3]. */
    const int64_t col[2] = {5, -5}, row[3] = {-1, 7, 0}, scalar[1] = {2};
    g = new_graph(13);
    Tensor *three[3] = {constant(g, "c", DT_INT64, (Shape){2, {2, 1}}, col),
                        constant(g, "r", DT_INT64, (Shape){1, {3}}, row),
                        constant(g, "s", DT_INT64, (Shape){0, {0}}, scalar)};
    Node *n = add_node(g, "Min", 3, three);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
    const int64_t want[6] = {-1, 2, 0, -5, -5, -5};
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, want, sizeof want), 0);
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 12);
    graph_free(g);
}

static void test_sum_mean(void)
{
    /* uint8 sums wrap. */
    const uint8_t a[2] = {200, 1}, b[2] = {100, 2};
    Graph *g = new_graph(13);
    Tensor *ins[2] = {constant(g, "a", DT_UINT8, (Shape){1, {2}}, a),
                      constant(g, "b", DT_UINT8, (Shape){1, {2}}, b)};
    Node *n = add_node(g, "Sum", 2, ins);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, (uint8_t[]){44, 3}, 2), 0);
    graph_free(g);

    const float x[2] = {1, 2}, y[2] = {3, 5}, z[1] = {5};
    g = new_graph(13);
    Tensor *three[3] = {constant(g, "x", DT_FLOAT, (Shape){1, {2}}, x),
                        constant(g, "y", DT_FLOAT, (Shape){1, {2}}, y),
                        constant(g, "z", DT_FLOAT, (Shape){1, {1}}, z)};
    Node *mean = add_node(g, "Mean", 3, three), *one = add_node(g, "Sum", 1, three);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(near(out_at(mean, 0, 0), 3, 1e-7));
    CU_ASSERT_TRUE(near(out_at(mean, 0, 1), 4, 1e-7));
    CU_ASSERT_EQUAL(mean->op->cost(mean).flops, 6);
    CU_ASSERT_EQUAL(memcmp(one->out[0]->data, x, sizeof x), 0);
    graph_free(g);

    g = new_graph(13);
    Tensor *ints[2] = {input(g, "a", DT_INT32, (Shape){1, {2}}), input(g, "b", DT_INT32, (Shape){1, {2}})};
    add_node(g, "Mean", 2, ints);
    CU_ASSERT_TRUE(failed_with(g, "unsupported dtype int32"));
    graph_free(g);
}

static void test_variadic_calls(void)
{
    Graph *g = new_graph(13);
    Tensor *ins[3] = {input(g, "a", DT_DOUBLE, (Shape){2, {2, 3}}),
                      input(g, "b", DT_DOUBLE, (Shape){1, {3}}),
                      input(g, "c", DT_DOUBLE, (Shape){2, {2, 1}})};
    add_node(g, "Mean", 3, ins);
    add_node(g, "Max", 1, ins);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "static const snt_bcast p0 = {.rank = 2, .dims = {2, 3}, "
                               ".a_strides = {3, 1}, .b_strides = {0, 1}};"));
    CU_ASSERT_TRUE(contains(c, "static const snt_bcast p1 = {.rank = 2, .dims = {2, 3}, "
                               ".a_strides = {3, 1}, .b_strides = {1, 0}};"));
    CU_ASSERT_TRUE(contains(c, "snt_binary_ext(SNT_BX_ADD, SNT_DT_DOUBLE, &p1, "));
    CU_ASSERT_TRUE(contains(c, "snt_divide_ext(SNT_DT_DOUBLE, "));
    CU_ASSERT_TRUE(contains(c, "snt_strided_copy(&c, 8, "));
    free(c);
    graph_free(g);
}

/* ---- TopK ----------------------------------------------------------- */

/* TopK over a [2, 4] constant of `dtype` along `axis`, k given as a
 * constant input 1. */
static Node *topk_node(Graph *g, const void *x, DType dtype, int64_t k, int64_t axis)
{
    Tensor *ins[2] = {constant(g, "x", dtype, (Shape){2, {2, 4}}, x),
                      constant(g, "k", DT_INT64, (Shape){1, {1}}, &k)};
    Node *n = add_node(g, "TopK", 2, ins);
    add_output(g, n);
    attr_i(n, "axis", axis);
    return n;
}

static void test_topk(void)
{
    /* Ties go to the lower index. */
    const float x[8] = {3, 1, 3, 2, 0, 5, 5, -1};
    Graph *g = new_graph(11);
    Node *n = topk_node(g, x, DT_FLOAT, 3, -1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
    CU_ASSERT_EQUAL(n->out[1]->dtype, DT_INT64);
    const float values[6] = {3, 3, 2, 5, 5, 0};
    const int64_t idx[6] = {0, 2, 3, 1, 2, 0};
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, values, sizeof values), 0);
    CU_ASSERT_EQUAL(memcmp(n->out[1]->data, idx, sizeof idx), 0);
    graph_free(g);

    /* The smallest along axis 0 of int32: lines of two, stride 4. */
    const int32_t ix[8] = {4, -2, 7, 1, 4, -3, 6, 9};
    g = new_graph(11);
    n = topk_node(g, ix, DT_INT32, 1, 0);
    attr_i(n, "largest", 0);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {1, 4}}));
    const int32_t smallest[4] = {4, -3, 6, 1};
    const int64_t at[4] = {0, 1, 1, 0};
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, smallest, sizeof smallest), 0);
    CU_ASSERT_EQUAL(memcmp(n->out[1]->data, at, sizeof at), 0);
    graph_free(g);

    g = new_graph(11);
    topk_node(g, x, DT_FLOAT, 5, 1);
    CU_ASSERT_TRUE(failed_with(g, "k = 5 is outside [0, 4]"));
    graph_free(g);

    /* A run-time k would make the output shape unknown. */
    g = new_graph(11);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){1, {4}}), input(g, "k", DT_INT64, (Shape){1, {1}})};
    n = add_node(g, "TopK", 2, ins);
    add_output(g, n);
    CU_ASSERT_TRUE(failed_with(g, "'k'"));
    graph_free(g);

    int64_t k = 2;
    g = new_graph(11);
    Tensor *run[2] = {input(g, "x", DT_FLOAT, (Shape){2, {3, 4}}),
                      constant(g, "k", DT_INT64, (Shape){1, {1}}, &k)};
    n = add_node(g, "TopK", 2, run);
    add_output(g, n);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_topk(SNT_DT_FLOAT, 3, 4, 1, 2, 1, "));
    free(c);
    graph_free(g);
}

/* ---- Einsum --------------------------------------------------------- */

static Node *einsum_node(Graph *g, const char *eq, int n_in, Tensor *const *ins)
{
    Node *n = add_node(g, "Einsum", n_in, ins);
    attr_s(n, "equation", eq);
    return n;
}

static void test_einsum_folds(void)
{
    /* A matrix product with spaces in the equation. */
    const double a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 2, 1, 0, 3};
    Graph *g = new_graph(12);
    Tensor *ins[2] = {constant(g, "a", DT_DOUBLE, (Shape){2, {2, 3}}, a),
                      constant(g, "b", DT_DOUBLE, (Shape){2, {3, 2}}, b)};
    Node *n = einsum_node(g, "ij, jk -> ik", 2, ins);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 2}}));
    const double want[4] = {5, 11, 14, 23};
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, want, sizeof want), 0);
    CU_ASSERT_EQUAL(n->op->cost(n).macs, 12);
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 24);
    graph_free(g);

    /* A diagonal, a trace (implicit output: nothing left) and a
     * transpose by implicit ASCII order ("ba" gives "ab"). */
    const float m[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    g = new_graph(12);
    Tensor *x = constant(g, "m", DT_FLOAT, (Shape){2, {3, 3}}, m);
    Node *diag_n = einsum_node(g, "ii->i", 1, &x);
    Node *trace = einsum_node(g, "ii", 1, &x);
    Node *tr = einsum_node(g, "ba", 1, &x);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(memcmp(diag_n->out[0]->data, (float[]){1, 5, 9}, 3 * sizeof(float)), 0);
    CU_ASSERT_TRUE(shape_matches(trace->out[0], (Shape){0, {0}}));
    CU_ASSERT_EQUAL(out_at(trace, 0, 0), 15);
    CU_ASSERT_EQUAL(memcmp(tr->out[0]->data, (float[]){1, 4, 7, 2, 5, 8, 3, 6, 9},
                           9 * sizeof(float)), 0);
    graph_free(g);

    /* Ellipsis axes broadcast: [2, 1, 3] . [4, 3] -> [2, 4]. */
    float p[6], q[12];
    for (int i = 0; i < 6; i++)
        p[i] = (float)(i + 1);
    for (int i = 0; i < 12; i++)
        q[i] = (float)(i % 5);
    g = new_graph(12);
    Tensor *pq[2] = {constant(g, "p", DT_FLOAT, (Shape){3, {2, 1, 3}}, p),
                     constant(g, "q", DT_FLOAT, (Shape){2, {4, 3}}, q)};
    n = einsum_node(g, "...i,...i->...", 2, pq);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 4}}));
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) {
            double s = 0;
            for (int i = 0; i < 3; i++)
                s += p[r * 3 + i] * q[c * 3 + i];
            CU_ASSERT_EQUAL(out_at(n, 0, (size_t)(r * 4 + c)), s);
        }
    graph_free(g);
}

static void test_einsum_calls_and_errors(void)
{
    Graph *g = new_graph(12);
    Tensor *ins[2] = {input(g, "a", DT_FLOAT, (Shape){3, {5, 2, 3}}),
                      input(g, "b", DT_FLOAT, (Shape){3, {5, 3, 4}})};
    einsum_node(g, "bij,bjk->bik", 2, ins);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "{.n_inputs = 2, .rank = 4, .out_rank = 3, .dims = {5, 2, 4, 3}, "
                               ".strides = {{6, 3, 0, 1}, {12, 0, 1, 4}}};"));
    CU_ASSERT_TRUE(contains(c, "snt_einsum(SNT_DT_FLOAT, &p, operands, "));
    free(c);
    graph_free(g);

    static const struct {
        const char *eq;
        const char *error;
    } bad[] = {
        {"ij->ij", "does not have 2 input terms"},
        {"ij,jk,kl->il", "does not have 2 input terms"},
        {"ijk,jk->i", "term 0 has 3 indices for rank 2"},
        {"ij,ik->jk", "an index has extents 2 and 3"},
        {"ij,jk->iq", "appears in no input"},
        {"ij,jk->ii", "repeats an index"},
        {"i1,jk->ik", "is not valid"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = new_graph(12);
        Tensor *xy[2] = {input(g, "a", DT_FLOAT, (Shape){2, {2, 3}}),
                         input(g, "b", DT_FLOAT, (Shape){2, {3, 4}})};
        einsum_node(g, bad[i].eq, 2, xy);
        CU_ASSERT_TRUE(failed_with(g, bad[i].error));
        graph_free(g);
    }
}

/* ---- the kernels against naive references -------------------------- */

/* int16 Max of a [2, 3, 4] tensor and a [3, 1] one, walked here by hand. */
static void test_binary_kernel_broadcast(void)
{
    int16_t a[24], b[3] = {-5, 10, 3}, y[24];
    for (int i = 0; i < 24; i++)
        a[i] = (int16_t)((i * 7) % 13 - 6);
    snt_bcast p = {.rank = 3, .dims = {2, 3, 4}, .a_strides = {12, 4, 1}, .b_strides = {0, 1, 0}};
    CU_ASSERT_EQUAL(snt_binary_ext(SNT_BX_MAX, SNT_DT_INT16, &p, a, b, y), 1);
    for (int i = 0; i < 24; i++) {
        int16_t v = b[i / 4 % 3];
        CU_ASSERT_EQUAL(y[i], a[i] > v ? a[i] : v);
    }
    /* Ops a dtype does not define write nothing and say so. */
    CU_ASSERT_EQUAL(snt_binary_ext(SNT_BX_SHL, SNT_DT_INT16, &p, a, b, y), 0);
    CU_ASSERT_EQUAL(snt_binary_ext(SNT_BX_AND, SNT_DT_FLOAT, &p, a, b, y), 0);
    CU_ASSERT_EQUAL(snt_unary_ext(SNT_UX_NOT, SNT_DT_FLOAT, a, y, 0), 0);
    CU_ASSERT_EQUAL(snt_unary_ext(SNT_UX_TAN, SNT_DT_INT32, a, y, 0), 0);
}

/* TopK along the middle of [2][5][3]: each line checked by counting. */
static void test_topk_kernel_lines(void)
{
    double x[30], v[12];
    int64_t idx[12];
    for (int i = 0; i < 30; i++)
        x[i] = (i * 11) % 7;
    CU_ASSERT_EQUAL(snt_topk(SNT_DT_DOUBLE, 2, 5, 3, 2, 1, x, v, idx), 1);
    for (int o = 0; o < 2; o++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) {
                int64_t e = idx[o * 6 + j * 3 + i];
                double got = v[o * 6 + j * 3 + i];
                CU_ASSERT_EQUAL(got, x[o * 15 + e * 3 + i]);
                /* exactly j elements of the line rank before it */
                int before = 0;
                for (int t = 0; t < 5; t++) {
                    double u = x[o * 15 + t * 3 + i];
                    before += u > got || (u == got && t < e);
                }
                CU_ASSERT_EQUAL(before, j);
            }
    CU_ASSERT_EQUAL(snt_topk(SNT_DT_BOOL, 2, 5, 3, 2, 1, x, v, idx), 0);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_elementwise", NULL, NULL);
    CU_add_test(s, "math folds", test_math_folds);
    CU_add_test(s, "round, sign, not", test_round_sign_not);
    CU_add_test(s, "isnan and isinf", test_isnan_isinf);
    CU_add_test(s, "math calls and errors", test_math_calls_and_errors);
    CU_add_test(s, "mod", test_mod);
    CU_add_test(s, "bitshift", test_bitshift);
    CU_add_test(s, "comparisons broadcast", test_comparisons_broadcast);
    CU_add_test(s, "logic", test_logic);
    CU_add_test(s, "max and min: NaN and broadcasting", test_max_min_nan_and_broadcast);
    CU_add_test(s, "sum and mean", test_sum_mean);
    CU_add_test(s, "variadic calls", test_variadic_calls);
    CU_add_test(s, "topk", test_topk);
    CU_add_test(s, "einsum folds", test_einsum_folds);
    CU_add_test(s, "einsum calls and errors", test_einsum_calls_and_errors);
    CU_add_test(s, "binary kernel broadcast", test_binary_kernel_broadcast);
    CU_add_test(s, "topk kernel lines", test_topk_kernel_lines);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
