/*
 * test_ops_network.c - network layers: the ops of activation.c,
 * conv_transpose.c, normalization.c, lp_pool.c, GlobalMaxPool, LogSoftmax
 * and Hardmax, argreduce.c and cumsum.c: shape rules, folding, costs, the
 * kernel calls they print, their errors, and their run-time kernels
 * against naive references written here.
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "sinter_rt.h"

static bool near(double got, double want, double tol)
{
    bool ok = fabs(got - want) <= tol * (1 + fabs(want));
    if (!ok)
        fprintf(stderr, "\ngot %.9g, want %.9g\n", got, want);
    return ok;
}

/* A random-looking but fixed float in [-2, 2). */
static float sample(int i)
{
    return (float)((i * 7919 % 401) / 100.0 - 2.0);
}

static void fill(float *v, int count, int seed)
{
    for (int i = 0; i < count; i++)
        v[i] = sample(i + seed);
}

/* ---- activations ---------------------------------------------------- */

enum { ACT_POINTS = 7 };
static const float act_x[ACT_POINTS] = {-3.0f, -1.0f, -0.25f, 0.0f, 0.25f, 1.0f, 3.0f};

/* Folds `op` (with one float attribute, or none when attr is NULL) over
 * act_x and checks every value against want(x). */
static void check_act_fold(const char *op, const char *attr, double value, double (*want)(double))
{
    Graph *g = new_graph(18);
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){1, {ACT_POINTS}}, act_x);
    Node *n = add_node(g, op, 1, &x);
    if (attr)
        attr_f(n, attr, value);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    const float *y = n->out[0]->data;
    for (int i = 0; i < ACT_POINTS; i++)
        CU_ASSERT_TRUE(near(y[i], want(act_x[i]), 1e-5));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, ACT_POINTS);
    graph_free(g);
}

static double ref_elu(double x) { return x < 0 ? 0.5 * (exp(x) - 1) : x; }
static double ref_selu(double x)
{
    return 1.0507009873554805 * (x <= 0 ? 1.6732632423543772 * (exp(x) - 1) : x);
}
static double ref_celu(double x) { return fmax(0, x) + fmin(0, 2 * (exp(x / 2) - 1)); }
static double ref_thresholded(double x) { return x > 1 ? x : 0; }
static double ref_softplus(double x) { return log(1 + exp(x)); }
static double ref_softsign(double x) { return x / (1 + fabs(x)); }
static double ref_hard_sigmoid(double x) { return fmax(0, fmin(1, 0.2 * x + 0.5)); }
static double ref_hard_swish(double x) { return x * fmax(0, fmin(1, x / 6 + 0.5)); }
static double ref_mish(double x) { return x * tanh(log(1 + exp(x))); }
static double ref_shrink(double x) { return x < -0.5 || x > 0.5 ? x : 0; }  /* bias 0 */

static void test_activation_folds(void)
{
    check_act_fold("Elu", "alpha", 0.5, ref_elu);
    check_act_fold("Selu", NULL, 0, ref_selu);
    check_act_fold("Celu", "alpha", 2.0, ref_celu);
    check_act_fold("ThresholdedRelu", NULL, 0, ref_thresholded);
    check_act_fold("Softplus", NULL, 0, ref_softplus);
    check_act_fold("Softsign", NULL, 0, ref_softsign);
    check_act_fold("HardSigmoid", NULL, 0, ref_hard_sigmoid);
    check_act_fold("HardSwish", NULL, 0, ref_hard_swish);
    check_act_fold("Mish", NULL, 0, ref_mish);
    check_act_fold("Shrink", NULL, 0, ref_shrink);
}

static void test_shrink_bias_and_prelu_broadcast(void)
{
    Graph *g = new_graph(13);
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){1, {ACT_POINTS}}, act_x);
    Node *n = add_node(g, "Shrink", 1, &x);
    attr_f(n, "lambd", 1.0);
    attr_f(n, "bias", 0.5);
    CU_ASSERT_TRUE_FATAL(infer(g));
    const float want[ACT_POINTS] = {-2.5f, 0, 0, 0, 0, 0, 2.5f};
    for (int i = 0; i < ACT_POINTS; i++)
        CU_ASSERT_EQUAL(((float *)n->out[0]->data)[i], want[i]);
    graph_free(g);

    /* A slope per channel of a [2, 3, 2] input. */
    float xv[12], slope[3] = {0.5f, -1.0f, 2.0f};
    fill(xv, 12, 3);
    g = new_graph(16);
    Tensor *ins[2] = {constant(g, "x", DT_FLOAT, (Shape){3, {2, 3, 2}}, xv),
                      constant(g, "s", DT_FLOAT, (Shape){2, {3, 1}}, slope)};
    n = add_node(g, "PRelu", 2, ins);
    CU_ASSERT_TRUE_FATAL(infer(g));
    for (int i = 0; i < 12; i++) {
        float s = slope[i / 2 % 3];
        CU_ASSERT_EQUAL(((float *)n->out[0]->data)[i], xv[i] < 0 ? s * xv[i] : xv[i]);
    }
    graph_free(g);
}

static void test_activation_calls_and_errors(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){2, {2, 3}});
    Node *n = add_node(g, "HardSigmoid", 1, &x);
    attr_f(n, "alpha", 0.25);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "static const snt_actx p = {.kind = SNT_ACTX_HARD_SIGMOID, "
                               ".alpha = 0.25f, .beta = 0.5f, .gamma = 0.0f};"));
    CU_ASSERT_TRUE(contains(c, "snt_actx_f32(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(16);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 4}}),
                      input(g, "s", DT_FLOAT, (Shape){1, {4}})};
    add_node(g, "PRelu", 2, ins);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".a_strides = {12, 4, 1}, .b_strides = {0, 0, 1}"));
    CU_ASSERT_TRUE(contains(c, "snt_prelu_f32(&p, "));
    free(c);
    graph_free(g);

    /* The slope broadcasts to X, never X to the slope. */
    g = new_graph(16);
    Tensor *bad[2] = {input(g, "x", DT_FLOAT, (Shape){1, {4}}),
                      input(g, "s", DT_FLOAT, (Shape){2, {3, 4}})};
    add_node(g, "PRelu", 2, bad);
    CU_ASSERT_TRUE(failed_with(g, "does not broadcast to X"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){1, {4}});
    attr_f(add_node(g, "Celu", 1, &x), "alpha", 0.0);
    CU_ASSERT_TRUE(failed_with(g, "alpha must not be 0"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_INT32, (Shape){1, {4}});
    add_node(g, "Softsign", 1, &x);
    CU_ASSERT_TRUE(failed_with(g, "must be float32 or float64"));
    graph_free(g);

    /* Mish exists from opset 18 only. */
    g = new_graph(17);
    x = input(g, "x", DT_FLOAT, (Shape){1, {4}});
    add_node(g, "Mish", 1, &x);
    CU_ASSERT_TRUE(failed_with(g, "opset 17 is not supported for Mish"));
    graph_free(g);
}

/* ---- ConvTranspose -------------------------------------------------- */

static Node *convt_graph(Graph *g, Shape x, Shape w, bool bias)
{
    static const float zeros[4096];
    Tensor *ins[3] = {input(g, "x", DT_FLOAT, x), constant(g, "w", DT_FLOAT, w, zeros),
                      bias ? constant(g, "b", DT_FLOAT, (Shape){1, {w.dim[1]}}, zeros) : NULL};
    return add_node(g, "ConvTranspose", bias ? 3 : 2, ins);
}

static void test_convtranspose_shapes(void)
{
    /* full = stride * (in - 1) + output_padding + (k - 1) * dilation + 1,
     * minus the pads: H = 2*2 + 1 + 2*2 + 1 - 1 - 2 = 7, W = 3*3 + 0 + 2 + 1 - 0 = 12. */
    Graph *g = new_graph(11);
    Node *n = convt_graph(g, (Shape){4, {1, 4, 3, 4}}, (Shape){4, {4, 3, 3, 3}}, false);
    attr_i(n, "group", 2);
    attr_is(n, "strides", INTS(2, 3));
    attr_is(n, "dilations", INTS(2, 1));
    attr_is(n, "pads", INTS(1, 0, 2, 0));
    attr_is(n, "output_padding", INTS(1, 0));
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 6, 7, 12}}));
    /* Every input element meets (M / group) * taps = 3 * 9 weights. */
    CU_ASSERT_EQUAL(n->op->cost(n).macs, 48 * 27);
    graph_free(g);

    /* SAME_*: out = in * stride; output_shape fixes the extent; an
     * output longer than the full result is allowed. */
    const char *modes[2] = {"SAME_UPPER", "SAME_LOWER"};
    for (int i = 0; i < 2; i++) {
        g = new_graph(11);
        n = convt_graph(g, (Shape){4, {1, 1, 3, 3}}, (Shape){4, {1, 2, 3, 3}}, true);
        attr_s(n, "auto_pad", modes[i]);
        attr_is(n, "strides", INTS(2, 2));
        char *c = generate(g);
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 6, 6}}));
        /* total padding 1: at the end for SAME_UPPER, the start for SAME_LOWER */
        CU_ASSERT_TRUE(contains(c, i == 0 ? ".pad_begin = {0, 0, 0}" : ".pad_begin = {0, 1, 1}"));
        CU_ASSERT_TRUE(contains(c, "snt_conv_transpose3d_f32(&p, "));
        free(c);
        graph_free(g);
    }

    g = new_graph(11);
    n = convt_graph(g, (Shape){3, {1, 2, 5}}, (Shape){3, {2, 1, 3}}, false);
    attr_is(n, "output_shape", INTS(1, 1, 9));
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {1, 1, 9}}));
    graph_free(g);
}

static void test_convtranspose_errors(void)
{
    Graph *g = new_graph(11);
    convt_graph(g, (Shape){4, {1, 3, 3, 3}}, (Shape){4, {4, 1, 3, 3}}, false);
    CU_ASSERT_TRUE(failed_with(g, "do not fit"));
    graph_free(g);

    g = new_graph(11);
    Node *n = convt_graph(g, (Shape){4, {1, 1, 2, 2}}, (Shape){4, {1, 1, 2, 2}}, false);
    attr_is(n, "pads", INTS(2, 2, 2, 2));
    CU_ASSERT_TRUE(failed_with(g, "empty output"));
    graph_free(g);

    g = new_graph(11);
    n = convt_graph(g, (Shape){4, {1, 1, 2, 2}}, (Shape){4, {1, 1, 2, 2}}, false);
    attr_is(n, "kernel_shape", INTS(3, 3));
    CU_ASSERT_TRUE(failed_with(g, "differs from W's extent"));
    graph_free(g);
}

/* The definition on H and W (the cases have D = 1): every input element
 * times every weight of its group adds into the output at
 * i*s + tap*d - pad. */
static void convt_naive(const snt_conv_transpose3d_params *p, const float *x, const float *w,
                        const float *b, float *y)
{
    size_t cig = p->c / p->groups, cog = p->k / p->groups;
    size_t h = p->in[1], wd = p->in[2], oh = p->out[1], ow = p->out[2];
    for (size_t i = 0; i < p->n * p->k * oh * ow; i++)
        y[i] = b ? b[i / (oh * ow) % p->k] : 0;
    for (size_t n = 0; n < p->n; n++)
        for (size_t c = 0; c < p->c; c++)
            for (size_t i = 0; i < h; i++)
                for (size_t j = 0; j < wd; j++)
                    for (size_t co = 0; co < cog; co++)
                        for (size_t a = 0; a < p->kernel[1]; a++)
                            for (size_t bb = 0; bb < p->kernel[2]; bb++) {
                                long oy = (long)(i * p->stride[1] + a * p->dilation[1]) -
                                          (long)p->pad_begin[1];
                                long ox = (long)(j * p->stride[2] + bb * p->dilation[2]) -
                                          (long)p->pad_begin[2];
                                if (oy < 0 || ox < 0 || oy >= (long)oh || ox >= (long)ow)
                                    continue;
                                size_t ch = c / cig * cog + co;
                                y[((n * p->k + ch) * oh + (size_t)oy) * ow + (size_t)ox] +=
                                    x[((n * p->c + c) * h + i) * wd + j] *
                                    w[((c * cog + co) * p->kernel[1] + a) * p->kernel[2] + bb];
                            }
}

static void test_convtranspose_kernel(void)
{
    const snt_conv_transpose3d_params cases[3] = {
        {.n = 2, .c = 4, .k = 6, .groups = 2, .in = {1, 3, 4}, .out = {1, 8, 13},
         .kernel = {1, 3, 2}, .stride = {1, 2, 3}, .dilation = {1, 2, 1}, .pad_begin = {0, 1, 0}},
        /* an output larger than the full result: the rest is bias */
        {.n = 1, .c = 2, .k = 3, .groups = 1, .in = {1, 2, 2}, .out = {1, 6, 5},
         .kernel = {1, 2, 2}, .stride = {1, 1, 1}, .dilation = {1, 1, 1}},
        /* 1-D as H = 1, cropped at both ends */
        {.n = 1, .c = 3, .k = 3, .groups = 3, .in = {1, 1, 5}, .out = {1, 1, 12},
         .kernel = {1, 1, 4}, .stride = {1, 1, 3}, .dilation = {1, 1, 1}, .pad_begin = {0, 0, 2}},
    };
    for (int t = 0; t < 3; t++) {
        const snt_conv_transpose3d_params *p = &cases[t];
        size_t nx = p->n * p->c * p->in[1] * p->in[2];
        size_t nw = p->c * (p->k / p->groups) * p->kernel[1] * p->kernel[2];
        size_t ny = p->n * p->k * p->out[1] * p->out[2];
        float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), b[6];
        float *y = malloc(ny * sizeof *y), *want = malloc(ny * sizeof *want);
        float *scratch = malloc(snt_conv_transpose3d_scratch_floats(p) * sizeof *scratch);
        fill(x, (int)nx, 1);
        fill(w, (int)nw, 50);
        fill(b, 6, 99);
        snt_conv_transpose3d_f32(p, x, w, t == 1 ? b : NULL, y, scratch);
        convt_naive(p, x, w, t == 1 ? b : NULL, want);
        for (size_t i = 0; i < ny; i++)
            CU_ASSERT_TRUE(near(y[i], want[i], 1e-5));
        free(x), free(w), free(y), free(want), free(scratch);
    }
}

/* ---- normalizations --------------------------------------------------- */

static void test_norm_shapes_and_calls(void)
{
    Graph *g = new_graph(6);
    static const float ones[3] = {1, 1, 1};
    Tensor *ins[3] = {input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 10}}),
                      constant(g, "s", DT_FLOAT, (Shape){1, {3}}, ones),
                      constant(g, "b", DT_FLOAT, (Shape){1, {3}}, ones)};
    Node *n = add_node(g, "InstanceNormalization", 3, ins);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_instancenorm_f32(2, 3, 10, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 7 * 60);
    free(c);
    graph_free(g);

    g = new_graph(6);
    Tensor *bad[3] = {input(g, "x", DT_FLOAT, (Shape){3, {2, 3, 10}}),
                      constant(g, "s", DT_FLOAT, (Shape){1, {2}}, ones),
                      constant(g, "b", DT_FLOAT, (Shape){1, {3}}, ones)};
    add_node(g, "InstanceNormalization", 3, bad);
    CU_ASSERT_TRUE(failed_with(g, "must have shape [3]"));
    graph_free(g);

    g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){4, {1, 5, 2, 2}});
    n = add_node(g, "LRN", 1, &x);
    attr_i(n, "size", 3);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_lrn_f32(1, 5, 4, 3, 9.99999975e-05f, 0.75f, 1.0f, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 20 * 8);
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){4, {1, 5, 2, 2}});
    add_node(g, "LRN", 1, &x);
    CU_ASSERT_TRUE(failed_with(g, "size is required"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){4, {2, 3, 4, 5}});
    add_node(g, "MeanVarianceNormalization", 1, &x);
    c = generate(g);
    /* default axes [0, 2, 3]: one group per channel */
    CU_ASSERT_TRUE(contains(c, ".out_rank = 1, .out_dims = {3}, .out_strides = {20}, "
                               ".red_rank = 3, .red_dims = {2, 4, 5}, "
                               ".red_strides = {60, 5, 1}"));
    CU_ASSERT_TRUE(contains(c, "snt_mvn_f32(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {4, 5}});
    n = add_node(g, "LpNormalization", 1, &x);
    attr_i(n, "axis", 0);
    attr_i(n, "p", 1);
    c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_lpnorm_f32(1, 4, 5, 1, "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {4, 5}});
    attr_i(add_node(g, "LpNormalization", 1, &x), "p", 3);
    CU_ASSERT_TRUE(failed_with(g, "p must be 1 or 2"));
    graph_free(g);
}

static void test_norm_kernels(void)
{
    /* InstanceNormalization of [1][2][4]: each plane to mean 0, var 1. */
    const float x[8] = {1, 2, 3, 4, -2, 0, 2, 4}, scale[2] = {1, 2}, bias[2] = {0, 1};
    float y[8];
    snt_instancenorm_f32(1, 2, 4, x, scale, bias, 0.0f, y);
    CU_ASSERT_TRUE(near(y[0], -1.5 / sqrt(1.25), 1e-6));
    CU_ASSERT_TRUE(near(y[7], 2 * 3 / sqrt(5.0) + 1, 1e-6));

    /* LRN over 3 channels of one pixel, size 2: channels c and c + 1. */
    const float xl[3] = {1, 2, 3};
    snt_lrn_f32(1, 3, 1, 2, 2.0f, 1.0f, 1.0f, xl, y);
    CU_ASSERT_TRUE(near(y[0], 1 / (1 + 1.0 * (1 + 4)), 1e-6));
    CU_ASSERT_TRUE(near(y[2], 3 / (1 + 1.0 * 9), 1e-6));

    /* MVN over the whole of [4]: (x - 2.5) / sqrt(1.25). */
    snt_reduce_params rp = {.out_rank = 0, .red_rank = 1, .red_dims = {4}, .red_strides = {1}};
    snt_mvn_f32(&rp, x, y);
    CU_ASSERT_TRUE(near(y[0], -1.5 / (sqrt(1.25) + 1e-9), 1e-6));

    /* L2 along the middle of [1][2][2]: columns (3, 4) and (0, 0). */
    const float xp[4] = {3, 0, 4, 0};
    snt_lpnorm_f32(1, 2, 2, 2, xp, y);
    CU_ASSERT_TRUE(near(y[0], 0.6, 1e-6));
    CU_ASSERT_TRUE(near(y[2], 0.8, 1e-6));
    CU_ASSERT_EQUAL(y[1], 0.0f);  /* an all-zero line stays zero */
}

/* ---- pools ------------------------------------------------------------ */

static void test_pools(void)
{
    Graph *g = new_graph(1);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){4, {1, 3, 5, 5}});
    Node *n = add_node(g, "GlobalMaxPool", 1, &x);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 3, 1, 1}}));
    CU_ASSERT_TRUE(contains(c, "snt_global_maxpool_f32(3, 25, "));
    free(c);
    graph_free(g);

    g = new_graph(18);
    x = input(g, "x", DT_FLOAT, (Shape){4, {1, 2, 5, 5}});
    n = add_node(g, "LpPool", 1, &x);
    attr_is(n, "kernel_shape", INTS(3, 3));
    attr_is(n, "strides", INTS(2, 2));
    attr_is(n, "pads", INTS(1, 1, 1, 1));
    attr_i(n, "p", 3);
    c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 3, 3}}));
    CU_ASSERT_TRUE(contains(c, "snt_lppool2d_f32(&p, 3.0f, "));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 2 * 18 * 9);
    free(c);
    graph_free(g);

    const float xv[4] = {3, -4, 1, 5};
    float y[4];
    snt_global_maxpool_f32(2, 2, xv, y);
    CU_ASSERT_EQUAL(y[0], 3.0f);
    CU_ASSERT_EQUAL(y[1], 5.0f);
    /* 2x2 window over a padded 2x2 plane: the padding adds nothing */
    snt_pool2d_params pp = {.n = 1, .c = 1, .h = 2, .w = 2, .oh = 2, .ow = 2, .kh = 2,
                            .kw = 2, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pt = 1, .pl = 1,
                            .pb = 0, .pr = 0};
    snt_lppool2d_f32(&pp, 2.0f, xv, y);
    CU_ASSERT_TRUE(near(y[0], 3, 1e-6));
    CU_ASSERT_TRUE(near(y[3], sqrt(9 + 16 + 1 + 25), 1e-6));
}

/* ---- LogSoftmax and Hardmax ----------------------------------------- */

static void test_softmax_family_axis_by_opset(void)
{
    /* [2][2][2]: opset 11 coerces at axis 1 (lines of 4), opset 13 takes
     * axis 1 alone (lines of 2, two elements apart). */
    const float xv[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    for (int opset = 11; opset <= 13; opset += 2) {
        Graph *g = new_graph(opset);
        Tensor *x = constant(g, "x", DT_FLOAT, (Shape){3, {2, 2, 2}}, xv);
        Node *lsm = add_node(g, "LogSoftmax", 1, &x);
        attr_i(lsm, "axis", 1);
        Node *hm = add_node(g, "Hardmax", 1, &x);
        attr_i(hm, "axis", 1);
        CU_ASSERT_TRUE_FATAL(infer(g));
        const float *y = lsm->out[0]->data, *h = hm->out[0]->data;
        CU_ASSERT_PTR_NOT_NULL_FATAL(y);
        double lse = opset == 11 ? 3 + log(exp(-3) + exp(-2) + exp(-1) + 1) : 2 + log(exp(-2) + 1);
        CU_ASSERT_TRUE(near(y[0], 0 - lse, 1e-6));
        const float want_h11[8] = {0, 0, 0, 1, 0, 0, 0, 1}, want_h13[8] = {0, 0, 1, 1, 0, 0, 1, 1};
        CU_ASSERT_EQUAL(memcmp(h, opset == 11 ? want_h11 : want_h13, sizeof want_h11), 0);
        CU_ASSERT_EQUAL(lsm->op->cost(lsm).flops, 40);
        graph_free(g);
    }

    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, (Shape){2, {3, 4}});
    attr_i(add_node(g, "Hardmax", 1, &x), "axis", 2);
    CU_ASSERT_TRUE(failed_with(g, "axis 2 is out of range"));
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, (Shape){2, {3, 4}});
    add_node(g, "LogSoftmax", 1, &x);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_log_softmax_f32(3, 4, 1, "));
    free(c);
    graph_free(g);
}

/* ---- ArgMax / ArgMin -------------------------------------------------- */

static void test_argreduce(void)
{
    /* [2][3] with ties: row 0 = {1, 5, 5}, row 1 = {2, 2, 0}. */
    const float xv[6] = {1, 5, 5, 2, 2, 0};
    Graph *g = new_graph(13);
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){2, {2, 3}}, xv);
    Node *first = add_node(g, "ArgMax", 1, &x);
    attr_i(first, "axis", -1);
    Node *last = add_node(g, "ArgMax", 1, &x);
    attr_i(last, "axis", 1);
    attr_i(last, "select_last_index", 1);
    attr_i(last, "keepdims", 0);
    Node *min = add_node(g, "ArgMin", 1, &x);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(first->out[0], (Shape){2, {2, 1}}));
    CU_ASSERT_TRUE(shape_matches(last->out[0], (Shape){1, {2}}));
    CU_ASSERT_TRUE(shape_matches(min->out[0], (Shape){2, {1, 3}}));
    const int64_t *a = first->out[0]->data, *b = last->out[0]->data, *m = min->out[0]->data;
    CU_ASSERT_TRUE(a[0] == 1 && a[1] == 0);
    CU_ASSERT_TRUE(b[0] == 2 && b[1] == 1);
    CU_ASSERT_TRUE(m[0] == 0 && m[1] == 1 && m[2] == 1);
    CU_ASSERT_EQUAL(first->out[0]->dtype, DT_INT64);
    graph_free(g);

    /* int8 runs on a staged float32 copy */
    g = new_graph(13);
    x = input(g, "x", DT_INT8, (Shape){2, {2, 3}});
    add_node(g, "ArgMin", 1, &x);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_cast(SNT_DT_INT8, "));
    CU_ASSERT_TRUE(contains(c, "snt_argreduce_f32(1, 2, 3, 1, 0, (const float *)(s + 0), "));
    free(c);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_INT64, (Shape){2, {2, 3}});
    add_node(g, "ArgMax", 1, &x);
    CU_ASSERT_PTR_NULL(generate(g));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag.text.buf, "dtype int64 is not supported for ArgMax"));
    graph_free(g);
}

/* ---- CumSum ----------------------------------------------------------- */

static Node *cumsum_node(Graph *g, Tensor *x, int64_t axis, int exclusive, int reverse)
{
    Tensor *ins[2] = {x, constant(g, "axis", DT_INT64, (Shape){0, {0}}, &axis)};
    Node *n = add_node(g, "CumSum", 2, ins);
    attr_i(n, "exclusive", exclusive);
    attr_i(n, "reverse", reverse);
    return n;
}

static void test_cumsum(void)
{
    const int64_t xi[6] = {1, 2, 3, 4, 5, 6};
    const double xd[5] = {1, 2, 3, 4, 5};
    Graph *g = new_graph(14);
    Tensor *x = constant(g, "x", DT_INT64, (Shape){2, {2, 3}}, xi);
    Node *rows = cumsum_node(g, x, -1, 0, 0);
    Node *cols = cumsum_node(g, x, 0, 1, 0);
    Tensor *xdt = constant(g, "xd", DT_DOUBLE, (Shape){1, {5}}, xd);
    Node *rev = cumsum_node(g, xdt, 0, 1, 1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    const int64_t want_rows[6] = {1, 3, 6, 4, 9, 15}, want_cols[6] = {0, 0, 0, 1, 2, 3};
    const double want_rev[5] = {14, 12, 9, 5, 0};
    CU_ASSERT_EQUAL(memcmp(rows->out[0]->data, want_rows, sizeof want_rows), 0);
    CU_ASSERT_EQUAL(memcmp(cols->out[0]->data, want_cols, sizeof want_cols), 0);
    CU_ASSERT_EQUAL(memcmp(rev->out[0]->data, want_rev, sizeof want_rev), 0);
    graph_free(g);

    /* int32 wraps instead of overflowing */
    const int32_t big[2] = {INT32_MAX, 1};
    int32_t wrapped[2];
    snt_cumsum(SNT_DT_INT32, 1, 2, 1, 0, 0, big, wrapped);
    CU_ASSERT_EQUAL(wrapped[1], INT32_MIN);

    g = new_graph(14);
    x = input(g, "x", DT_DOUBLE, (Shape){2, {2, 3}});
    rows = cumsum_node(g, x, 1, 0, 1);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_cumsum(11 /* float64 */, 2, 3, 1, 0, 1, "));
    CU_ASSERT_EQUAL(rows->op->cost(rows).flops, 6);
    free(c);
    graph_free(g);

    /* The axis decides the kernel's view: it must be a constant scalar. */
    g = new_graph(14);
    Tensor *ins[2] = {input(g, "x", DT_FLOAT, (Shape){1, {4}}),
                      input(g, "axis", DT_INT32, (Shape){0, {0}})};
    add_node(g, "CumSum", 2, ins);
    CU_ASSERT_TRUE(failed_with(g, "('axis') must be known at compile time"));
    graph_free(g);

    g = new_graph(14);
    x = input(g, "x", DT_INT8, (Shape){1, {4}});
    cumsum_node(g, x, 0, 0, 0);
    CU_ASSERT_TRUE(failed_with(g, "CumSum takes float32"));
    graph_free(g);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_network", NULL, NULL);
    CU_add_test(s, "activation folds", test_activation_folds);
    CU_add_test(s, "shrink bias and prelu broadcast", test_shrink_bias_and_prelu_broadcast);
    CU_add_test(s, "activation calls and errors", test_activation_calls_and_errors);
    CU_add_test(s, "convtranspose shapes", test_convtranspose_shapes);
    CU_add_test(s, "convtranspose errors", test_convtranspose_errors);
    CU_add_test(s, "convtranspose kernel", test_convtranspose_kernel);
    CU_add_test(s, "norm shapes and calls", test_norm_shapes_and_calls);
    CU_add_test(s, "norm kernels", test_norm_kernels);
    CU_add_test(s, "pools", test_pools);
    CU_add_test(s, "softmax family axis by opset", test_softmax_family_axis_by_opset);
    CU_add_test(s, "argmax and argmin", test_argreduce);
    CU_add_test(s, "cumsum", test_cumsum);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
