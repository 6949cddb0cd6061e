/*
 * test_ops_nd.c - 3-D MaxPool and AveragePool, MaxPool's Indices, 3-D
 * ConvTranspose, training-mode BatchNormalization, float64 and integer Reduce*:
 * the kernels against naive references or values worked out by hand,
 * the shape rules, the kernel calls printed, and the errors.
 */
#include "op_test.h"
#include "sinter_rt.h"

/* a[0..n) and b[0..n) agree to tol. */
static bool floats_close(const float *a, const float *b, size_t n, float tol)
{
    for (size_t i = 0; i < n; i++)
        if (fabsf(a[i] - b[i]) > tol) {
            fprintf(stderr, "\nelement %zu: %g, want %g\n", i, a[i], b[i]);
            return false;
        }
    return true;
}

/* ---- pool kernels ---------------------------------------------------- */

/* The input position that output o's tap t reads along axis a. */
static ptrdiff_t pool_pos(const snt_pool3d_params *p, int a, size_t o, size_t t)
{
    return (ptrdiff_t)(o * p->stride[a] + t * p->dilation[a]) - (ptrdiff_t)p->pad_begin[a];
}

/* Visits every tap of every window; the reference for the 3-D kernels. */
static void naive_pool3d(const snt_pool3d_params *p, bool is_max, const float *x, float *y)
{
    size_t vol = p->in[0] * p->in[1] * p->in[2], o[3], t[3];
    for (size_t pl = 0; pl < p->n * p->c; pl++)
        for (o[0] = 0; o[0] < p->out[0]; o[0]++)
            for (o[1] = 0; o[1] < p->out[1]; o[1]++)
                for (o[2] = 0; o[2] < p->out[2]; o[2]++) {
                    float acc = is_max ? -INFINITY : 0.0f;
                    size_t count = 0, padded = 1;
                    for (int a = 0; a < 3; a++) {
                        size_t in_padded = 0;
                        for (size_t k = 0; k < p->kernel[a]; k++)
                            in_padded += pool_pos(p, a, o[a], k) <
                                         (ptrdiff_t)(p->in[a] + p->pad_end[a]);
                        padded *= in_padded;
                    }
                    for (t[0] = 0; t[0] < p->kernel[0]; t[0]++)
                        for (t[1] = 0; t[1] < p->kernel[1]; t[1]++)
                            for (t[2] = 0; t[2] < p->kernel[2]; t[2]++) {
                                ptrdiff_t pos[3];
                                bool inside = true;
                                for (int a = 0; a < 3; a++) {
                                    pos[a] = pool_pos(p, a, o[a], t[a]);
                                    inside &= pos[a] >= 0 && pos[a] < (ptrdiff_t)p->in[a];
                                }
                                if (!inside)
                                    continue;
                                float v = x[pl * vol +
                                            ((size_t)pos[0] * p->in[1] + (size_t)pos[1]) *
                                                p->in[2] + (size_t)pos[2]];
                                acc = is_max ? fmaxf(acc, v) : acc + v;
                                count++;
                            }
                    if (!is_max)
                        acc /= (float)(p->count_include_pad ? padded : count);
                    *y++ = acc;
                }
}

static void test_pool3d_kernels(void)
{
    /* Strides, dilations, uneven pads and a ceil_mode-like extra output
     * whose window hangs past the end padding. */
    const snt_pool3d_params p = {
        .n = 2, .c = 2, .in = {4, 5, 6}, .out = {2, 3, 4}, .kernel = {2, 3, 2},
        .stride = {2, 2, 2}, .dilation = {1, 1, 2}, .pad_begin = {0, 1, 1},
        .pad_end = {1, 1, 0}, .count_include_pad = 1,
    };
    size_t nx = 2 * 2 * 4 * 5 * 6, ny = 2 * 2 * 2 * 3 * 4;
    float *x = test_data((int64_t)nx, 7), y[96], want[96];
    int64_t idx[96];
    snt_maxpool3d_f32(&p, x, y, idx);
    naive_pool3d(&p, true, x, want);
    CU_ASSERT_TRUE(floats_close(y, want, ny, 0.0f));
    for (size_t i = 0; i < ny; i++)
        CU_ASSERT_EQUAL(x[idx[i]], y[i]); /* the index points at the maximum */

    snt_pool3d_params q = p;
    snt_avgpool3d_f32(&q, x, y);
    naive_pool3d(&q, false, x, want);
    CU_ASSERT_TRUE(floats_close(y, want, ny, 1e-6f));
    q.count_include_pad = 0;
    snt_avgpool3d_f32(&q, x, y);
    naive_pool3d(&q, false, x, want);
    CU_ASSERT_TRUE(floats_close(y, want, ny, 1e-6f));
    free(x);
}

/* The 3-D kernel with a unit D axis gives the 2-D kernel's results. */
static void test_pool3d_matches_pool2d(void)
{
    const snt_pool2d_params p2 = {
        .n = 1, .c = 3, .h = 7, .w = 6, .oh = 4, .ow = 3, .kh = 3, .kw = 2, .sh = 2,
        .sw = 2, .dh = 1, .dw = 2, .pt = 1, .pl = 0, .pb = 1, .pr = 1, .count_include_pad = 1,
    };
    const snt_pool3d_params p3 = {
        .n = 1, .c = 3, .in = {1, 7, 6}, .out = {1, 4, 3}, .kernel = {1, 3, 2},
        .stride = {1, 2, 2}, .dilation = {1, 1, 2}, .pad_begin = {0, 1, 0},
        .pad_end = {0, 1, 1}, .count_include_pad = 1,
    };
    float *x = test_data(3 * 7 * 6, 3), a[36], b[36];
    snt_maxpool2d_f32(&p2, x, a);
    snt_maxpool3d_f32(&p3, x, b, NULL);
    CU_ASSERT_TRUE(floats_close(a, b, 36, 0.0f));
    snt_avgpool2d_f32(&p2, x, a);
    snt_avgpool3d_f32(&p3, x, b);
    CU_ASSERT_TRUE(floats_close(a, b, 36, 1e-6f));
    free(x);
}

/* ONNX's maxpool_with_argmax cases: x = 1 .. 25 on a 5 x 5 plane. */
static void test_maxpool_indices_storage_order(void)
{
    float x[2 * 25], y[8];
    int64_t idx[8];
    for (int i = 0; i < 50; i++)
        x[i] = (float)(i % 25 + 1);
    snt_pool3d_params p = {
        .n = 1, .c = 2, .in = {1, 5, 5}, .out = {1, 2, 2}, .kernel = {1, 2, 2},
        .stride = {1, 2, 2}, .dilation = {1, 1, 1},
    };
    snt_maxpool3d_f32(&p, x, y, idx);
    const int64_t row_major[8] = {6, 8, 16, 18, 31, 33, 41, 43};
    const float maxima[8] = {7, 9, 17, 19, 7, 9, 17, 19};
    CU_ASSERT_TRUE(floats_close(y, maxima, 8, 0.0f));
    CU_ASSERT_EQUAL(memcmp(idx, row_major, sizeof idx), 0);
    /* Column-major within the plane: (h, w) is w * H + h; the plane's
     * offset stays row-major. */
    p.storage_order = 1;
    snt_maxpool3d_f32(&p, x, y, idx);
    const int64_t col_major[8] = {6, 16, 8, 18, 31, 41, 33, 43};
    CU_ASSERT_EQUAL(memcmp(idx, col_major, sizeof idx), 0);
}

/* ---- pool ops -------------------------------------------------------- */

static Node *pool_node(Graph *g, const char *op, int rank, const int64_t *dims, int n_kernel,
                       const int64_t *kernel)
{
    Node *n = add_op(g, op, 1, add_input(g, "x", rank, dims));
    set_ints(n, "kernel_shape", n_kernel, kernel);
    add_output(g, n->out[0]);
    return n;
}

static void test_pool3d_ops(void)
{
    Graph *g = new_graph(13);
    Node *n = pool_node(g, "MaxPool", 5, (int64_t[]){1, 2, 4, 5, 6}, 3, (int64_t[]){2, 2, 3});
    set_ints(n, "pads", 6, (int64_t[]){0, 1, 0, 0, 1, 0});
    set_ints(n, "strides", 3, (int64_t[]){2, 1, 3});
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){5, {1, 2, 2, 6, 2}}));
    CU_ASSERT_TRUE(contains(c, ".in = {4, 5, 6}, .out = {2, 6, 2}"));
    CU_ASSERT_TRUE(contains(c, ".pad_begin = {0, 1, 0}, .pad_end = {0, 1, 0}"));
    CU_ASSERT_TRUE(contains(c, "snt_maxpool3d_f32(&p, "));
    CU_ASSERT_TRUE(contains(c, ", NULL);"));
    free(c);
    graph_free(g);

    g = new_graph(11);
    n = pool_node(g, "AveragePool", 5, (int64_t[]){1, 1, 3, 3, 3}, 3, (int64_t[]){2, 2, 2});
    set_string(n, "auto_pad", "SAME_UPPER");
    c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){5, {1, 1, 3, 3, 3}}));
    CU_ASSERT_TRUE(contains(c, ".pad_begin = {0, 0, 0}, .pad_end = {1, 1, 1}"));
    CU_ASSERT_TRUE(contains(c, "snt_avgpool3d_f32(&p, "));
    free(c);
    graph_free(g);
}

/* A 1-D or 2-D MaxPool keeps the 2-D kernel unless Indices is asked for. */
static void test_maxpool_indices_op(void)
{
    Graph *g = new_graph(12);
    Node *n = pool_node(g, "MaxPool", 4, (int64_t[]){1, 1, 5, 5}, 2, (int64_t[]){2, 2});
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_maxpool2d_f32(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(12);
    n = pool_node(g, "MaxPool", 3, (int64_t[]){1, 1, 6}, 1, (int64_t[]){2});
    set_int(n, "storage_order", 1);
    node_add_output(n, graph_new_tensor(g, "indices"));
    add_output(g, n->out[1]);
    c = generate(g);
    CU_ASSERT_EQUAL(n->out[1]->dtype, DT_INT64);
    CU_ASSERT_TRUE(shape_matches(n->out[1], (Shape){3, {1, 1, 5}}));
    CU_ASSERT_TRUE(contains(c, ".in = {1, 1, 6}, .out = {1, 1, 5}"));
    CU_ASSERT_TRUE(contains(c, ".storage_order = 1"));
    /* The call passes the indices' pointer, not NULL. */
    const char *call = strstr(c, "snt_maxpool3d_f32(&p, ");
    const char *end = call ? strchr(call, '\n') : NULL;
    CU_ASSERT_TRUE(end && end - call > 6 && memcmp(end - 6, "NULL);", 6) != 0);
    free(c);
    graph_free(g);
}

static void test_pool_errors(void)
{
    Graph *g = new_graph(13);
    pool_node(g, "MaxPool", 6, (int64_t[]){1, 1, 2, 2, 2, 2}, 4, (int64_t[]){1, 1, 1, 1});
    CU_ASSERT_TRUE(failed_with(g, "rank 3, 4 or 5"));
    graph_free(g);

    g = new_graph(13);
    pool_node(g, "AveragePool", 5, (int64_t[]){1, 1, 2, 2, 2}, 2, (int64_t[]){1, 1});
    CU_ASSERT_TRUE(failed_with(g, "kernel_shape has 2 values for 3 spatial axes"));
    graph_free(g);

    g = new_graph(13);
    Node *n = pool_node(g, "MaxPool", 4, (int64_t[]){1, 1, 4, 4}, 2, (int64_t[]){2, 2});
    set_int(n, "storage_order", 2);
    CU_ASSERT_TRUE(failed_with(g, "storage_order must be 0 or 1"));
    graph_free(g);

    g = new_graph(13);
    n = pool_node(g, "MaxPool", 5, (int64_t[]){1, 1, 2, 2, 2}, 3, (int64_t[]){3, 1, 1});
    CU_ASSERT_TRUE(failed_with(g, "exceeds the padded input"));
    graph_free(g);

    /* LpPool stays 1-D and 2-D. */
    g = new_graph(18);
    pool_node(g, "LpPool", 5, (int64_t[]){1, 1, 2, 2, 2}, 3, (int64_t[]){1, 1, 1});
    CU_ASSERT_TRUE(failed_with(g, "3-D LpPool is not supported"));
    graph_free(g);
}

/* ---- ConvTranspose 3-D ----------------------------------------------- */

/* Scatters every input element through every tap; the reference. */
static void naive_convt3d(const snt_conv_transpose3d_params *p, const float *x, const float *w,
                          const float *b, float *y)
{
    size_t vin = p->in[0] * p->in[1] * p->in[2], vout = p->out[0] * p->out[1] * p->out[2];
    size_t cig = p->c / p->groups, cog = p->k / p->groups;
    size_t taps = p->kernel[0] * p->kernel[1] * p->kernel[2];
    for (size_t i = 0; i < p->n * p->k * vout; i++)
        y[i] = b ? b[i / vout % p->k] : 0.0f;
    for (size_t img = 0; img < p->n; img++)
        for (size_t ci = 0; ci < p->c; ci++)
            for (size_t v = 0; v < vin; v++)
                for (size_t co = 0; co < cog; co++)
                    for (size_t t = 0; t < taps; t++) {
                        size_t pos[3] = {v / (p->in[1] * p->in[2]), v / p->in[2] % p->in[1],
                                         v % p->in[2]};
                        size_t tap[3] = {t / (p->kernel[1] * p->kernel[2]),
                                         t / p->kernel[2] % p->kernel[1], t % p->kernel[2]};
                        ptrdiff_t o[3];
                        bool inside = true;
                        for (int a = 0; a < 3; a++) {
                            o[a] = (ptrdiff_t)(pos[a] * p->stride[a] + tap[a] * p->dilation[a]) -
                                   (ptrdiff_t)p->pad_begin[a];
                            inside &= o[a] >= 0 && o[a] < (ptrdiff_t)p->out[a];
                        }
                        if (!inside)
                            continue;
                        size_t k = ci / cig * cog + co;
                        y[(img * p->k + k) * vout +
                          ((size_t)o[0] * p->out[1] + (size_t)o[1]) * p->out[2] + (size_t)o[2]] +=
                            x[(img * p->c + ci) * vin + v] * w[(ci * cog + co) * taps + t];
                    }
}

static void test_convtranspose3d_kernel(void)
{
    const snt_conv_transpose3d_params p = {
        .n = 2, .c = 4, .k = 6, .groups = 2, .in = {2, 3, 4}, .out = {4, 7, 8},
        .kernel = {2, 3, 2}, .stride = {2, 2, 2}, .dilation = {1, 1, 2},
        .pad_begin = {0, 1, 1},
    };
    size_t nx = 2 * 4 * 24, nw = 4 * 3 * 12, ny = 2 * 6 * 4 * 7 * 8;
    float *x = test_data((int64_t)nx, 1), *w = test_data((int64_t)nw, 2);
    float *b = test_data(6, 3);
    float *y = xmalloc(ny * sizeof *y), *want = xmalloc(ny * sizeof *want);
    float *scratch = xmalloc(snt_conv_transpose3d_scratch_floats(&p) * sizeof *scratch);
    snt_conv_transpose3d_f32(&p, x, w, b, y, scratch);
    naive_convt3d(&p, x, w, b, want);
    CU_ASSERT_TRUE(floats_close(y, want, ny, 1e-5f));
    free(x), free(w), free(b), free(y), free(want), free(scratch);
}

static Node *convt_node(Graph *g, int rank, const int64_t *x_dims, const int64_t *w_dims)
{
    int64_t count = 1;
    for (int i = 0; i < rank; i++)
        count *= w_dims[i];
    float *wv = test_data(count, 5);
    Node *n = add_op(g, "ConvTranspose", 2, add_input(g, "x", rank, x_dims),
                     add_const(g, DT_FLOAT, rank, w_dims, wv));
    free(wv);
    add_output(g, n->out[0]);
    return n;
}

static void test_convtranspose3d_op(void)
{
    Graph *g = new_graph(11);
    Node *n = convt_node(g, 5, (int64_t[]){1, 2, 3, 4, 5}, (int64_t[]){2, 3, 2, 3, 3});
    set_ints(n, "strides", 3, (int64_t[]){2, 1, 2});
    set_ints(n, "pads", 6, (int64_t[]){0, 1, 1, 1, 0, 1});
    set_ints(n, "output_padding", 3, (int64_t[]){1, 0, 0});
    char *c = generate(g);
    /* D: 2*2+1+1+1 - 1 = 6; H: 3+2+1 - 1 = 5; W: 8+2+1 - 2 = 9 */
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){5, {1, 3, 6, 5, 9}}));
    CU_ASSERT_TRUE(contains(c, ".pad_begin = {0, 1, 1}"));
    CU_ASSERT_TRUE(contains(c, "snt_conv_transpose3d_f32(&p, "));
    free(c);
    graph_free(g);

    /* 2-D runs on the same kernel, with a unit D axis. */
    g = new_graph(11);
    n = convt_node(g, 4, (int64_t[]){1, 2, 3, 3}, (int64_t[]){2, 1, 2, 2});
    c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 1, 4, 4}}));
    CU_ASSERT_TRUE(contains(c, "snt_conv_transpose3d_f32(&p, "));
    free(c);
    graph_free(g);

    g = new_graph(11);
    convt_node(g, 6, (int64_t[]){1, 1, 2, 2, 2, 2}, (int64_t[]){1, 1, 1, 1, 1, 1});
    CU_ASSERT_TRUE(failed_with(g, "rank 3, 4 or 5"));
    graph_free(g);

    g = new_graph(11);
    n = convt_node(g, 5, (int64_t[]){1, 1, 2, 2, 2}, (int64_t[]){1, 1, 1, 1, 1});
    set_ints(n, "pads", 4, (int64_t[]){0, 0, 0, 0});
    CU_ASSERT_TRUE(failed_with(g, "pads has 4 values, expected 6"));
    graph_free(g);
}

/* ---- BatchNormalization training mode -------------------------------- */

static void test_batchnorm_train_kernel(void)
{
    /* n = 2, c = 2, hw = 2: channel 0 holds 1, 2, 3, 4 (mean 2.5, var
     * 1.25), channel 1 holds 0, 0, 2, 2 (mean 1, var 1). */
    float x[8] = {1, 2, 0, 0, 3, 4, 2, 2};
    const float scale[2] = {2, 1}, bias[2] = {0, 1}, mean[2] = {10, 20}, var[2] = {4, 8};
    float y[8], rm[2], rv[2];
    snt_batchnorm_train_f32(2, 2, 2, x, scale, bias, mean, var, 0.0f, 0.75f, y, rm, rv);
    float s0 = 2.0f / sqrtf(1.25f);
    const float want[8] = {-1.5f * s0, -0.5f * s0, 0, 0, 0.5f * s0, 1.5f * s0, 2, 2};
    CU_ASSERT_TRUE(floats_close(y, want, 8, 1e-6f));
    const float want_rm[2] = {10 * 0.75f + 2.5f * 0.25f, 20 * 0.75f + 0.25f};
    const float want_rv[2] = {4 * 0.75f + 1.25f * 0.25f, 8 * 0.75f + 0.25f};
    CU_ASSERT_TRUE(floats_close(rm, want_rm, 2, 1e-6f));
    CU_ASSERT_TRUE(floats_close(rv, want_rv, 2, 1e-6f));
    /* In place, without the running statistics. */
    snt_batchnorm_train_f32(2, 2, 2, x, scale, bias, mean, var, 0.0f, 0.75f, x, NULL, NULL);
    CU_ASSERT_TRUE(floats_close(x, want, 8, 1e-6f));
}

/* BatchNormalization of x [1, 3, 2, 2] with constant parameters and
 * n_out outputs. */
static Node *bn_node(Graph *g, Tensor *x, int n_out)
{
    const float ones[3] = {1, 1, 1};
    int64_t c = 3;
    Node *n = add_op(g, "BatchNormalization", 5, x, add_const(g, DT_FLOAT, 1, &c, ones),
                     add_const(g, DT_FLOAT, 1, &c, ones), add_const(g, DT_FLOAT, 1, &c, ones),
                     add_const(g, DT_FLOAT, 1, &c, ones));
    for (int i = 1; i < n_out; i++)
        node_add_output(n, graph_new_tensor(g, "stat"));
    for (int i = 0; i < n_out; i++)
        add_output(g, n->out[i]);
    return n;
}

static void test_batchnorm_training_op(void)
{
    Graph *g = new_graph(15);
    Node *n = bn_node(g, add_input(g, "x", 4, (int64_t[]){1, 3, 2, 2}), 3);
    set_int(n, "training_mode", 1);
    node_add_attr(n, "momentum", ATTR_FLOAT)->f = 0.5;
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_matches(n->out[1], (Shape){1, {3}}));
    CU_ASSERT_TRUE(shape_matches(n->out[2], (Shape){1, {3}}));
    CU_ASSERT_TRUE(contains(c, "snt_batchnorm_train_f32(1, 3, 4, "));
    CU_ASSERT_TRUE(contains(c, ", 0.5f, "));
    free(c);
    graph_free(g);

    g = new_graph(15);
    n = bn_node(g, add_input(g, "x", 4, (int64_t[]){1, 3, 2, 2}), 4);
    set_int(n, "training_mode", 1);
    CU_ASSERT_TRUE(failed_with(g, "training statistics"));
    graph_free(g);

    g = new_graph(15);
    bn_node(g, add_input(g, "x", 4, (int64_t[]){1, 3, 2, 2}), 2);
    CU_ASSERT_TRUE(failed_with(g, "training statistics"));
    graph_free(g);

    g = new_graph(9);
    set_int(bn_node(g, add_input(g, "x", 4, (int64_t[]){1, 3, 2, 2}), 1), "training_mode", 1);
    CU_ASSERT_TRUE(failed_with(g, "training_mode exists from opset 14"));
    graph_free(g);
}

/* A training BN after a Conv stays a node of its own; an inference one
 * folds. */
static void test_fold_batchnorm_skips_training(void)
{
    for (int training = 0; training < 2; training++) {
        Graph *g = new_graph(15);
        const int64_t w_dims[4] = {3, 1, 1, 1};
        const float w[3] = {1, 2, 3};
        Node *conv = add_op(g, "Conv", 2, add_input(g, "x", 4, (int64_t[]){1, 1, 2, 2}),
                            add_const(g, DT_FLOAT, 4, w_dims, w));
        Node *bn = bn_node(g, conv->out[0], 1);
        set_int(bn, "training_mode", training);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_TRUE(run_pass(g, pass_fold_batchnorm));
        CU_ASSERT_EQUAL(count_op(g, "BatchNormalization"), training);
        graph_free(g);
    }
}

/* ---- Reduce in float64 ------------------------------------------------ */

static void test_reduce_f64_kernel(void)
{
    /* [2][3] reduced over axis 1, and over axis 0. */
    const double x[6] = {0, 1, 2, 1000, 1000, 1000};
    double y[3];
    snt_reduce_params rows = {.out_rank = 1, .out_dims = {2}, .out_strides = {3},
                              .red_rank = 1, .red_dims = {3}, .red_strides = {1}};
    snt_reduce_f64(SNT_RED_LOG_SUM_EXP, &rows, x, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], log(1 + exp(1) + exp(2)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[1], 1000 + log(3), 1e-12); /* no overflow */
    snt_reduce_params cols = {.out_rank = 1, .out_dims = {3}, .out_strides = {1},
                              .red_rank = 1, .red_dims = {2}, .red_strides = {3}};
    snt_reduce_f64(SNT_RED_PROD, &cols, x, y);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(y[2], 2000, 0);
    /* Beyond float32's precision. */
    const double fine[2] = {1.0, 1e-12};
    rows.out_dims[0] = 1;
    rows.red_dims[0] = 2;
    snt_reduce_f64(SNT_RED_SUM, &rows, fine, y);
    CU_ASSERT_EQUAL(y[0], 1.0 + 1e-12);
}

static void test_reduce_f64_op(void)
{
    Graph *g = new_graph(13);
    Node *n = add_op(g, "ReduceLogSumExp", 1,
                     typed_input(g, "x", DT_DOUBLE, 3, (int64_t[]){2, 3, 4}));
    set_ints(n, "axes", 1, (int64_t[]){-1});
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_DOUBLE);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {2, 3, 1}}));
    CU_ASSERT_TRUE(contains(c, "snt_reduce_f64(SNT_RED_LOG_SUM_EXP, &p, "));
    free(c);
    graph_free(g);

    /* Integer means run nowhere but fold, through float64. */
    g = new_graph(13);
    n = add_op(g, "ReduceMean", 1, typed_input(g, "x", DT_INT32, 1, (int64_t[]){4}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "dtype int32 is not supported for ReduceMean"));
    graph_free(g);

    g = new_graph(13);
    n = add_op(g, "ReduceMean", 1, add_const(g, DT_INT64, 1, (int64_t[]){4},
                                                (int64_t[]){1, 2, 3, 5}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(const int64_t *)n->out[0]->data, 2); /* 11 / 4, truncated */
    graph_free(g);

    g = new_graph(13);
    const int64_t dims[4] = {3, 1 << 20, 1 << 20, 5};
    int64_t four = 4;
    n = add_op(g, "ReduceProd", 1, add_const(g, DT_INT64, 1, &four, dims));
    set_int(n, "keepdims", 0);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT64);
    CU_ASSERT_EQUAL(*(const int64_t *)n->out[0]->data, (int64_t)15 << 40);
    graph_free(g);
}

/* ---- Reduce on integers ----------------------------------------------- */

static void test_reduce_int_kernels(void)
{
    /* [2][3] reduced over axis 1 (rows) and over axis 0 (cols). */
    const int64_t x[6] = {-3, 7, 2, INT64_MAX, 1, -5};
    int64_t y[3];
    snt_reduce_params rows = {.out_rank = 1, .out_dims = {2}, .out_strides = {3},
                              .red_rank = 1, .red_dims = {3}, .red_strides = {1}};
    snt_reduce_params cols = {.out_rank = 1, .out_dims = {3}, .out_strides = {1},
                              .red_rank = 1, .red_dims = {2}, .red_strides = {3}};
    snt_reduce_i64(SNT_RED_SUM, &rows, x, y);
    CU_ASSERT_EQUAL(y[0], 6);
    CU_ASSERT_EQUAL(y[1], INT64_MAX - 4); /* wraps around */
    snt_reduce_i64(SNT_RED_MAX, &cols, x, y);
    CU_ASSERT_EQUAL(y[0], INT64_MAX);
    CU_ASSERT_EQUAL(y[2], 2);
    snt_reduce_i64(SNT_RED_MIN, &rows, x, y);
    CU_ASSERT_EQUAL(y[0], -3);
    CU_ASSERT_EQUAL(y[1], -5);
    snt_reduce_i64(SNT_RED_PROD, &rows, x, y);
    CU_ASSERT_EQUAL(y[0], -42);
    snt_reduce_i64(SNT_RED_L1, &cols, x, y);
    CU_ASSERT_EQUAL(y[2], 7);
    snt_reduce_i64(SNT_RED_SUM_SQUARE, &rows, x, y);
    CU_ASSERT_EQUAL(y[0], 62);

    /* int32 wraps in its own width, not through a wider accumulator. */
    const int32_t big[3] = {INT32_MAX, 1, INT32_MIN};
    int32_t y32[1];
    snt_reduce_params one = {.out_rank = 1, .out_dims = {1}, .out_strides = {0},
                             .red_rank = 1, .red_dims = {2}, .red_strides = {1}};
    snt_reduce_i32(SNT_RED_SUM, &one, big, y32);
    CU_ASSERT_EQUAL(y32[0], INT32_MIN);
    snt_reduce_i32(SNT_RED_SUM_SQUARE, &one, big, y32);
    CU_ASSERT_EQUAL(y32[0], 2); /* (2^31 - 1)^2 + 1 mod 2^32 */
    one.red_dims[0] = 1;
    snt_reduce_i32(SNT_RED_L1, &one, big + 2, y32);
    CU_ASSERT_EQUAL(y32[0], INT32_MIN); /* |INT32_MIN| wraps to itself */

    /* Empty reductions give the identities of the type. */
    one.red_dims[0] = 0;
    snt_reduce_i32(SNT_RED_MAX, &one, big, y32);
    CU_ASSERT_EQUAL(y32[0], INT32_MIN);
    snt_reduce_i32(SNT_RED_MIN, &one, big, y32);
    CU_ASSERT_EQUAL(y32[0], INT32_MAX);
    snt_reduce_i32(SNT_RED_PROD, &one, big, y32);
    CU_ASSERT_EQUAL(y32[0], 1);
}

static void test_reduce_int_ops(void)
{
    /* Opset 18: axes is input 1 for all of them. */
    static const struct {
        const char *op, *call;
        DType dtype;
    } cases[] = {
        {"ReduceSum", "snt_reduce_i64(SNT_RED_SUM, &p, ", DT_INT64},
        {"ReduceMax", "snt_reduce_i32(SNT_RED_MAX, &p, ", DT_INT32},
        {"ReduceMin", "snt_reduce_u8(SNT_RED_MIN, &p, ", DT_UINT8},
        {"ReduceProd", "snt_reduce_i64(SNT_RED_PROD, &p, ", DT_INT64},
        {"ReduceL1", "snt_reduce_i32(SNT_RED_L1, &p, ", DT_INT32},
        {"ReduceSumSquare", "snt_reduce_u64(SNT_RED_SUM_SQUARE, &p, ", DT_UINT64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Graph *g = new_graph(18);
        Node *n = add_op(g, cases[i].op, 2,
                         typed_input(g, "x", cases[i].dtype, 3, (int64_t[]){2, 3, 4}), int1(g, 1));
        set_int(n, "keepdims", 0);
        add_output(g, n->out[0]);
        char *c = generate(g);
        CU_ASSERT_TRUE(contains(c, cases[i].call));
        CU_ASSERT_EQUAL(n->out[0]->dtype, cases[i].dtype);
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 4}}));
        free(c);
        graph_free(g);
    }

    /* Without axes and with noop_with_empty_axes the input passes through. */
    Graph *g = new_graph(18);
    Node *n = add_op(g, "ReduceMax", 1, typed_input(g, "x", DT_INT64, 2, (int64_t[]){2, 3}));
    set_int(n, "noop_with_empty_axes", 1);
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_reduce_i64(SNT_RED_MAX, &p, "));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {2, 3}}));
    free(c);
    graph_free(g);
}

static void test_reduce_int_fold(void)
{
    /* Folds through the int64 kernel: exact beyond float64's 2^53. */
    Graph *g = new_graph(13);
    const int64_t v[2] = {((int64_t)1 << 53) + 1, 2};
    Node *n = add_op(g, "ReduceSum", 1, add_const(g, DT_INT64, 1, (int64_t[]){2}, v));
    set_int(n, "keepdims", 0);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(const int64_t *)n->out[0]->data, ((int64_t)1 << 53) + 3);
    graph_free(g);

    /* And int32 wraps at compile time exactly as at run time. */
    g = new_graph(13);
    const int32_t w[2] = {INT32_MAX, 2};
    n = add_op(g, "ReduceProd", 1, add_const(g, DT_INT32, 1, (int64_t[]){2}, w));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(const int32_t *)n->out[0]->data, -2);
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_nd", NULL, NULL);
    CU_add_test(s, "pool3d_kernels", test_pool3d_kernels);
    CU_add_test(s, "pool3d_matches_pool2d", test_pool3d_matches_pool2d);
    CU_add_test(s, "maxpool_indices_storage_order", test_maxpool_indices_storage_order);
    CU_add_test(s, "pool3d_ops", test_pool3d_ops);
    CU_add_test(s, "maxpool_indices_op", test_maxpool_indices_op);
    CU_add_test(s, "pool_errors", test_pool_errors);
    CU_add_test(s, "convtranspose3d_kernel", test_convtranspose3d_kernel);
    CU_add_test(s, "convtranspose3d_op", test_convtranspose3d_op);
    CU_add_test(s, "batchnorm_train_kernel", test_batchnorm_train_kernel);
    CU_add_test(s, "batchnorm_training_op", test_batchnorm_training_op);
    CU_add_test(s, "fold_batchnorm_skips_training", test_fold_batchnorm_skips_training);
    CU_add_test(s, "reduce_f64_kernel", test_reduce_f64_kernel);
    CU_add_test(s, "reduce_f64_op", test_reduce_f64_op);
    CU_add_test(s, "reduce_int_kernels", test_reduce_int_kernels);
    CU_add_test(s, "reduce_int_ops", test_reduce_int_ops);
    CU_add_test(s, "reduce_int_fold", test_reduce_int_fold);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
