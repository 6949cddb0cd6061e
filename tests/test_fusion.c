/*
 * test_fusion.c - the recognition and fusion passes (fuse_gelu,
 * fuse_layernorm, fold_batchnorm, hoist_activation, fuse_conv_epilogue,
 * fuse_resize_epilogue, fuse_linear) on small hand-built graphs of real
 * ops.
 *
 * Each test builds the pattern as an exporter writes it, runs inference
 * and one pass, and checks the nodes left, the fused node's inputs and
 * attributes, that the graph still verifies and that the pattern's
 * output tensor is now the fused node's.  Variants that must not match
 * (wrong constants, an intermediate read twice or a graph output) must
 * leave the graph as it was.  Numerical equality of -O0 and -O2 is
 * checked end to end by test_models on every fixture.
 */
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Building graphs                                                    */
/* ------------------------------------------------------------------ */

static Shape shape_of(int rank, const int64_t *dims)
{
    Shape s = {.rank = rank};
    for (int i = 0; i < rank; i++)
        s.dim[i] = dims[i];
    return s;
}

#define SHAPE(...) shape_of(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t), (int64_t[]){__VA_ARGS__})

static Tensor *new_tensor(Graph *g, const char *name, Shape s)
{
    Tensor *t = graph_new_tensor(g, name);
    t->dtype = DT_FLOAT;
    t->shape = s;
    t->shape_known = true;
    return t;
}

static Tensor *graph_input(Graph *g, Shape s)
{
    Tensor *t = new_tensor(g, "x", s);
    t->is_input = true;
    graph_add_input(g, t);
    return t;
}

static void mark_output(Graph *g, Tensor *t)
{
    t->is_output = true;
    graph_add_output(g, t);
}

/* A constant of shape s whose element i is base + step * i. */
static Tensor *ramp(Graph *g, Shape s, float base, float step)
{
    Tensor *t = new_tensor(g, "c", s);
    int64_t n = shape_numel(&s);
    float *v = xmalloc(((size_t)n + 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = base + step * (float)i;
    tensor_set_data(t, v);
    free(v);
    return t;
}

static Tensor *scalar(Graph *g, float v)
{
    return ramp(g, (Shape){.rank = 0}, v, 0);
}

/* A node of `op` reading a (and b unless NULL); returns its output. */
static Node *add_node(Graph *g, const char *op, Tensor *a, Tensor *b)
{
    Node *n = graph_add_node(g, op, op);
    node_add_input(n, a);
    if (b)
        node_add_input(n, b);
    node_add_output(n, graph_new_tensor(g, op));
    return n;
}

static Tensor *op2(Graph *g, const char *op, Tensor *a, Tensor *b)
{
    return add_node(g, op, a, b)->out[0];
}

static Tensor *op1(Graph *g, const char *op, Tensor *a)
{
    return op2(g, op, a, NULL);
}

static void set_ints(Node *n, const char *name, int count, const int64_t *v)
{
    Attr *a = node_add_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)count * sizeof *a->ints);
    memcpy(a->ints, v, (size_t)count * sizeof *a->ints);
}

static Graph *new_graph(void)
{
    Graph *g = graph_new("test");
    g->opset = 13;
    return g;
}

static void infer_ok(Graph *g)
{
    Diag d = {0};
    bool ok = graph_infer(g, &d);
    if (!ok)
        fprintf(stderr, "\n%s", d.text.buf);
    CU_ASSERT_TRUE_FATAL(ok);
    diag_free(&d);
}

static bool run_pass(Graph *g, const char *name)
{
    Diag d = {0};
    const Pass *p = pass_find(name);
    bool changed;
    bool ok = p && pass_run(p, g, &changed, &d) && graph_verify(g, &d);
    if (!ok)
        fprintf(stderr, "\n%s: %s", name, d.text.buf ? d.text.buf : "no such pass");
    diag_free(&d);
    return ok;
}

static int count_op(const Graph *g, const char *op)
{
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++)
        count += strcmp(g->nodes[i]->op_type, op) == 0;
    return count;
}

/* The graph's summed cost. */
static OpCost total_cost(const Graph *g)
{
    OpCost sum = {0};
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->op && n->op->cost) {
            OpCost c = n->op->cost(n);
            sum.macs += c.macs;
            sum.flops += c.flops;
        }
    }
    return sum;
}

/* Runs the pass and expects the graph to end as one node of `op`
 * producing y from x; returns that node. */
static Node *expect_fused(Graph *g, const char *pass, const char *op, Tensor *x, Tensor *y)
{
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass));
    CU_ASSERT_EQUAL_FATAL(g->n_nodes, 1);
    Node *n = g->nodes[0];
    CU_ASSERT_STRING_EQUAL(n->op_type, op);
    CU_ASSERT_PTR_EQUAL(n->op, op_lookup("", op));
    CU_ASSERT_PTR_EQUAL(n->in[0], x);
    CU_ASSERT_PTR_EQUAL(n->out[0], y);
    CU_ASSERT_PTR_EQUAL(y->producer, n);
    return n;
}

/* Runs the pass and expects no change in the node count. */
static void expect_unchanged(Graph *g, const char *pass)
{
    int before = g->n_nodes;
    CU_ASSERT_TRUE(run_pass(g, pass));
    CU_ASSERT_EQUAL(g->n_nodes, before);
}

/* ------------------------------------------------------------------ */
/* fuse_gelu                                                          */
/* ------------------------------------------------------------------ */

typedef enum { HALF_LAST, HALF_OF_A, HALF_OF_X } HalfOrder;

typedef struct {
    bool mul_by_inverse;   /* x * (1/sqrt 2) instead of x / sqrt 2 */
    bool swap;             /* constants first, a before x */
    HalfOrder half;
    float sqrt2;           /* the constant divided by */
    bool erf_is_output;    /* make the Erf's output a graph output too */
} GeluCase;

/* 0.5 * x * a in the order c->half says. */
static Tensor *half_x_times(Graph *g, const GeluCase *c, Tensor *x, Tensor *a)
{
    switch (c->half) {
    case HALF_LAST: {
        Tensor *m = c->swap ? op2(g, "Mul", a, x) : op2(g, "Mul", x, a);
        return c->swap ? op2(g, "Mul", scalar(g, 0.5f), m) : op2(g, "Mul", m, scalar(g, 0.5f));
    }
    case HALF_OF_A:
        return op2(g, "Mul", x, op2(g, "Mul", a, scalar(g, 0.5f)));
    case HALF_OF_X:
        return op2(g, "Mul", op2(g, "Mul", x, scalar(g, 0.5f)), a);
    }
    return NULL;
}

static Tensor *build_erf_gelu(Graph *g, const GeluCase *c, Tensor *x)
{
    Tensor *d = c->mul_by_inverse ? op2(g, "Mul", scalar(g, 0.70710677f), x)
                                  : op2(g, "Div", x, scalar(g, c->sqrt2));
    Tensor *e = op1(g, "Erf", d);
    if (c->erf_is_output)
        mark_output(g, e);
    Tensor *a = c->swap ? op2(g, "Add", scalar(g, 1.0f), e) : op2(g, "Add", e, scalar(g, 1.0f));
    return half_x_times(g, c, x, a);
}

static void check_erf_gelu(const GeluCase *c, bool should_fuse)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(2, 3, 4));
    Tensor *y = build_erf_gelu(g, c, x);
    mark_output(g, y);
    infer_ok(g);
    OpCost before = total_cost(g);
    if (should_fuse) {
        Node *n = expect_fused(g, "fuse_gelu", "Gelu", x, y);
        CU_ASSERT_EQUAL(n->opset, 20);
        CU_ASSERT_STRING_EQUAL(attr_string_or(n, "approximate", "none"), "none");
        /* The same FLOPs as the five nodes it replaces. */
        CU_ASSERT_EQUAL(total_cost(g).flops, before.flops);
    } else {
        expect_unchanged(g, "fuse_gelu");
        CU_ASSERT_EQUAL(count_op(g, "Gelu"), 0);
    }
    graph_free(g);
}

static void test_gelu_erf_forms(void)
{
    const float sqrt2 = 1.4142135f;
    const GeluCase fused[] = {
        {false, false, HALF_LAST, sqrt2, false},  /* PyTorch's export */
        {true, false, HALF_LAST, sqrt2, false},
        {false, true, HALF_LAST, sqrt2, false},
        {true, true, HALF_LAST, sqrt2, false},
        {false, false, HALF_OF_A, sqrt2, false},
        {false, false, HALF_OF_X, sqrt2, false},
        {true, true, HALF_OF_X, sqrt2, false},
    };
    for (size_t i = 0; i < sizeof fused / sizeof fused[0]; i++)
        check_erf_gelu(&fused[i], true);
}

static void test_gelu_erf_rejects(void)
{
    const GeluCase wrong_constant = {false, false, HALF_LAST, 1.5f, false};
    const GeluCase erf_is_output = {false, false, HALF_LAST, 1.4142135f, true};
    check_erf_gelu(&wrong_constant, false);
    check_erf_gelu(&erf_is_output, false);

    /* The Add's result read twice: not a private intermediate. */
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(5));
    Tensor *e = op1(g, "Erf", op2(g, "Div", x, scalar(g, 1.4142135f)));
    Tensor *a = op2(g, "Add", e, scalar(g, 1.0f));
    Tensor *y = op2(g, "Mul", op2(g, "Mul", x, a), scalar(g, 0.5f));
    mark_output(g, y);
    mark_output(g, op2(g, "Mul", a, a));
    infer_ok(g);
    expect_unchanged(g, "fuse_gelu");

    /* A constant of higher rank broadcasts: y is not x's shape. */
    Graph *h = new_graph();
    x = graph_input(h, SHAPE(5));
    e = op1(h, "Erf", op2(h, "Div", x, scalar(h, 1.4142135f)));
    a = op2(h, "Add", e, scalar(h, 1.0f));
    y = op2(h, "Mul", op2(h, "Mul", x, a), ramp(h, SHAPE(2, 1), 0.5f, 0));
    mark_output(h, y);
    infer_ok(h);
    expect_unchanged(h, "fuse_gelu");
    graph_free(g);
    graph_free(h);
}

/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x^3 as Pow or x*(x*x). */
static void check_tanh_gelu(bool with_pow)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(3, 7));
    Tensor *cube = with_pow ? op2(g, "Pow", x, scalar(g, 3.0f))
                            : op2(g, "Mul", x, op2(g, "Mul", x, x));
    Tensor *inner = op2(g, "Add", x, op2(g, "Mul", scalar(g, 0.044715f), cube));
    Tensor *t = op1(g, "Tanh", op2(g, "Mul", scalar(g, 0.7978846f), inner));
    Tensor *a = op2(g, "Add", scalar(g, 1.0f), t);
    Tensor *y = op2(g, "Mul", scalar(g, 0.5f), op2(g, "Mul", x, a));
    mark_output(g, y);
    infer_ok(g);
    Node *n = expect_fused(g, "fuse_gelu", "Gelu", x, y);
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "approximate", "none"), "tanh");
    graph_free(g);
}

static void test_gelu_tanh_forms(void)
{
    check_tanh_gelu(true);
    check_tanh_gelu(false);
}

/* ------------------------------------------------------------------ */
/* fuse_layernorm                                                     */
/* ------------------------------------------------------------------ */

typedef struct {
    int64_t axis;          /* the ReduceMeans' axis */
    bool gamma, beta;
    bool mul_square;       /* xc * xc instead of Pow(xc, 2) */
} LnCase;

static Tensor *reduce_mean(Graph *g, Tensor *x, int64_t axis)
{
    Node *n = add_node(g, "ReduceMean", x, NULL);
    set_ints(n, "axes", 1, &axis);
    return n->out[0];
}

static void check_layernorm(const LnCase *c, bool should_fuse)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 6, 8));
    Tensor *xc = op2(g, "Sub", x, reduce_mean(g, x, c->axis));
    Tensor *sq = c->mul_square ? op2(g, "Mul", xc, xc) : op2(g, "Pow", xc, scalar(g, 2.0f));
    Tensor *v = op2(g, "Add", reduce_mean(g, sq, c->axis), scalar(g, 1e-5f));
    Tensor *y = op2(g, "Div", xc, op1(g, "Sqrt", v));
    Tensor *gamma = ramp(g, SHAPE(8), 0.5f, 0.25f), *beta = ramp(g, SHAPE(8), -1.0f, 0.125f);
    if (c->gamma)
        y = op2(g, "Mul", y, gamma);
    if (c->beta)
        y = op2(g, "Add", beta, y);
    mark_output(g, y);
    infer_ok(g);
    if (!should_fuse) {
        expect_unchanged(g, "fuse_layernorm");
        graph_free(g);
        return;
    }
    Node *n = expect_fused(g, "fuse_layernorm", "LayerNormalization", x, y);
    CU_ASSERT_EQUAL(n->opset, 17);
    CU_ASSERT_EQUAL(attr_int_or(n, "axis", 0), -1);
    CU_ASSERT_DOUBLE_EQUAL(attr_float_or(n, "epsilon", 0), 1e-5, 1e-9);
    CU_ASSERT_EQUAL(n->n_in, c->beta ? 3 : 2);
    if (c->gamma)
        CU_ASSERT_PTR_EQUAL(n->in[1], gamma);
    if (!c->gamma) {   /* a Scale of ones */
        CU_ASSERT_EQUAL(tensor_numel(n->in[1]), 8);
        CU_ASSERT_EQUAL(((const float *)n->in[1]->data)[7], 1.0f);
    }
    if (c->beta)
        CU_ASSERT_PTR_EQUAL(n->in[2], beta);
    graph_free(g);
}

static void test_layernorm_forms(void)
{
    const LnCase fused[] = {
        {-1, true, true, false},   /* PyTorch's opset-13 export */
        {2, true, true, false},    /* axis given positively */
        {-1, false, false, false},
        {-1, true, false, true},
        {-1, false, true, false},
    };
    for (size_t i = 0; i < sizeof fused / sizeof fused[0]; i++)
        check_layernorm(&fused[i], true);
    /* A mean over another axis is not a LayerNorm over the last. */
    const LnCase middle_axis = {1, true, true, false};
    check_layernorm(&middle_axis, false);
}

/* ------------------------------------------------------------------ */
/* Conv: fold_batchnorm, fuse_conv_epilogue                           */
/* ------------------------------------------------------------------ */

/* A 3x3 Conv with pads 1 (bias optional) over x [1, 2, 5, 5] to 3 channels. */
static Node *conv3x3(Graph *g, Tensor *x, bool with_bias)
{
    Node *n = add_node(g, "Conv", x, ramp(g, SHAPE(3, 2, 3, 3), -0.5f, 0.02f));
    if (with_bias)
        node_add_input(n, ramp(g, SHAPE(3), 0.1f, 0.1f));
    set_ints(n, "pads", 4, (const int64_t[]){1, 1, 1, 1});
    return n;
}

/* BatchNormalization with gamma 1, 2, 3; beta .5, 1, 1.5; mean .1 .2 .3;
 * var 4, 4.25, 4.5 and epsilon 0. */
static Tensor *batchnorm(Graph *g, Tensor *x)
{
    Node *n = graph_add_node(g, "BatchNormalization", "BatchNormalization");
    node_add_input(n, x);
    node_add_input(n, ramp(g, SHAPE(3), 1.0f, 1.0f));
    node_add_input(n, ramp(g, SHAPE(3), 0.5f, 0.5f));
    node_add_input(n, ramp(g, SHAPE(3), 0.1f, 0.1f));
    node_add_input(n, ramp(g, SHAPE(3), 4.0f, 0.25f));
    node_add_attr(n, "epsilon", ATTR_FLOAT)->f = 0.0;
    node_add_output(n, graph_new_tensor(g, "bn"));
    return n->out[0];
}

static void test_fold_batchnorm(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Node *conv = conv3x3(g, x, false);
    Tensor *w = conv->in[1];
    Tensor *y = batchnorm(g, conv->out[0]);
    mark_output(g, y);
    infer_ok(g);
    Node *n = expect_fused(g, "fold_batchnorm", "Conv", x, y);
    CU_ASSERT_PTR_EQUAL(n, conv);
    CU_ASSERT_PTR_NOT_EQUAL(n->in[1], w);    /* new weights; the old may be shared */
    CU_ASSERT_EQUAL_FATAL(n->n_in, 3);       /* a bias was created */
    /* Channel 2: s = 3 / sqrt(4.5), t = 1.5 - 0.3 s. */
    double s = 3 / sqrt(4.5);
    const float *nw = n->in[1]->data, *ow = w->data, *nb = n->in[2]->data;
    CU_ASSERT_DOUBLE_EQUAL(nw[2 * 18 + 5], ow[2 * 18 + 5] * s, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(nb[2], 1.5 - 0.3 * s, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(nb[0], 0.5 - 0.1 * (1 / 2.0), 1e-6);
    graph_free(g);

    /* The conv's output also read elsewhere: the BN stays. */
    g = new_graph();
    x = graph_input(g, SHAPE(1, 2, 5, 5));
    conv = conv3x3(g, x, true);
    mark_output(g, batchnorm(g, conv->out[0]));
    mark_output(g, conv->out[0]);
    infer_ok(g);
    expect_unchanged(g, "fold_batchnorm");
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* fold_batchnorm into Gemm and MatMul                                */
/* ------------------------------------------------------------------ */

enum { ROWS = 4, DEPTH = 2, COLS = 3 };

/* y[i][j] = alpha * sum_p x[i][p] op(w)[p][j] + beta * c (c broadcast
 * by its element count: 1, COLS or ROWS * COLS; NULL for none). */
static void product_ref(const float *x, const Tensor *w, bool transposed, double alpha,
                        const Tensor *c, double beta, double *y)
{
    const float *wv = w->data, *cv = c ? c->data : NULL;
    int64_t cn = c ? tensor_numel(c) : 0;
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++) {
            double sum = 0;
            for (int p = 0; p < DEPTH; p++)
                sum += (double)x[i * DEPTH + p] * wv[transposed ? j * DEPTH + p : p * COLS + j];
            double bias = cn == 0 ? 0 : cv[cn == 1 ? 0 : cn == COLS ? j : i * COLS + j];
            y[i * COLS + j] = alpha * sum + beta * bias;
        }
}

/* batchnorm()'s parameters applied to y[ROWS][COLS]. */
static void batchnorm_ref(double *y)
{
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++) {
            double *v = &y[i * COLS + j];
            *v = (*v - 0.1 * (j + 1)) / sqrt(4 + 0.25 * j) * (1 + j) + 0.5 * (j + 1);
        }
}

static int count_mismatches(const double *want, const double *got)
{
    int bad = 0;
    for (int i = 0; i < ROWS * COLS; i++)
        bad += fabs(want[i] - got[i]) > 1e-5 * (1 + fabs(want[i]));
    return bad;
}

static const float bn_x[ROWS * DEPTH] = {0.5f, -1, 2, 0.25f, -0.75f, 1.5f, 3, -2};

/* Gemm(x, B, C) -> BN, with B transposed or not and C of the given
 * shape (rank -1: none): one Gemm with the same values after. */
static void check_gemm_bn(bool trans_b, int c_rank, float beta)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(ROWS, DEPTH));
    Tensor *w = trans_b ? ramp(g, SHAPE(COLS, DEPTH), -0.5f, 0.2f) : ramp(g, SHAPE(DEPTH, COLS), -0.5f, 0.2f);
    Tensor *c = c_rank < 0 ? NULL : c_rank == 0 ? scalar(g, 0.75f)
              : c_rank == 1 ? ramp(g, SHAPE(COLS), 0.1f, 0.3f) : ramp(g, SHAPE(ROWS, COLS), 0.1f, 0.1f);
    Node *gemm = add_node(g, "Gemm", x, w);
    if (c)
        node_add_input(gemm, c);
    node_add_attr(gemm, "transB", ATTR_INT)->i = trans_b;
    node_add_attr(gemm, "alpha", ATTR_FLOAT)->f = 1.5;
    node_add_attr(gemm, "beta", ATTR_FLOAT)->f = beta;
    Tensor *y = batchnorm(g, gemm->out[0]);
    mark_output(g, y);
    infer_ok(g);
    double want[ROWS * COLS], got[ROWS * COLS];
    product_ref(bn_x, w, trans_b, 1.5, c, beta, want);
    batchnorm_ref(want);
    Node *n = expect_fused(g, "fold_batchnorm", "Gemm", x, y);
    CU_ASSERT_PTR_EQUAL(n, gemm);
    CU_ASSERT_EQUAL_FATAL(n->n_in, 3);
    CU_ASSERT_PTR_NOT_EQUAL(n->in[1], w);
    product_ref(bn_x, n->in[1], trans_b, 1.5, n->in[2], beta, got);
    CU_ASSERT_EQUAL(count_mismatches(want, got), 0);
    graph_free(g);
}

static void test_fold_batchnorm_gemm(void)
{
    check_gemm_bn(true, 1, 1.0f);
    check_gemm_bn(false, -1, 1.0f);
    check_gemm_bn(true, 0, 0.5f);
    check_gemm_bn(false, 2, 2.0f);
}

/* MatMul(x, W) -> BN becomes Linear(x, W * s, t). */
static void test_fold_batchnorm_matmul(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(ROWS, DEPTH));
    Tensor *w = ramp(g, SHAPE(DEPTH, COLS), -0.5f, 0.2f);
    Tensor *y = batchnorm(g, op2(g, "MatMul", x, w));
    mark_output(g, y);
    infer_ok(g);
    double want[ROWS * COLS], got[ROWS * COLS];
    product_ref(bn_x, w, false, 1, NULL, 0, want);
    batchnorm_ref(want);
    Node *n = expect_fused(g, "fold_batchnorm", "Linear", x, y);
    CU_ASSERT_EQUAL_FATAL(n->n_in, 3);
    product_ref(bn_x, n->in[1], false, 1, n->in[2], 1, got);
    CU_ASSERT_EQUAL(count_mismatches(want, got), 0);
    graph_free(g);
}

/* BN's channels are not the product's columns (a [1, 3, 5] MatMul
 * output), or the weight is not constant: the BN stays. */
static void test_fold_batchnorm_product_rejects(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, COLS, DEPTH));
    mark_output(g, batchnorm(g, op2(g, "MatMul", x, ramp(g, SHAPE(DEPTH, 5), 0, 1))));
    infer_ok(g);
    expect_unchanged(g, "fold_batchnorm");
    graph_free(g);

    g = new_graph();
    x = graph_input(g, SHAPE(ROWS, DEPTH));
    Tensor *w = graph_input(g, SHAPE(DEPTH, COLS));
    mark_output(g, batchnorm(g, op2(g, "Gemm", x, w)));
    infer_ok(g);
    expect_unchanged(g, "fold_batchnorm");
    graph_free(g);
}

/* Conv -> Relu -> BN -> Add(residual), CMUNeXt's block with Relu. */
static void test_conv_epilogue_full(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Tensor *r = graph_input(g, SHAPE(1, 3, 5, 5));
    Node *conv = conv3x3(g, x, true);
    Tensor *w = conv->in[1], *b = conv->in[2];
    Tensor *y = op2(g, "Add", r, batchnorm(g, op1(g, "Relu", conv->out[0])));
    mark_output(g, y);
    infer_ok(g);
    OpCost before = total_cost(g);
    Node *n = expect_fused(g, "fuse_conv_epilogue", "FusedConv", x, y);
    CU_ASSERT_EQUAL_FATAL(n->n_in, 6);
    CU_ASSERT_PTR_EQUAL(n->in[1], w);
    CU_ASSERT_PTR_EQUAL(n->in[2], b);
    CU_ASSERT_PTR_EQUAL(n->in[5], r);
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", ""), "Relu");
    CU_ASSERT_EQUAL(attr_ints(n, "pads", (int64_t[4]){0}, 4), 4);
    /* post_scale / post_shift of channel 1: 2 / sqrt(4.25), 1 - 0.2 s. */
    double s = 2 / sqrt(4.25);
    CU_ASSERT_DOUBLE_EQUAL(((const float *)n->in[3]->data)[1], s, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(((const float *)n->in[4]->data)[1], 1 - 0.2 * s, 1e-6);
    /* The same MACs and FLOPs as the four nodes. */
    OpCost after = total_cost(g);
    CU_ASSERT_EQUAL(after.macs, before.macs);
    CU_ASSERT_EQUAL(after.flops, before.flops);
    graph_free(g);
}

/* Conv -> BN -> Gelu: the BN folds, Gelu becomes the activation. */
static void test_conv_bn_gelu(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Node *conv = conv3x3(g, x, true);
    Node *gelu = add_node(g, "Gelu", batchnorm(g, conv->out[0]), NULL);
    gelu->opset = 20;
    node_add_attr(gelu, "approximate", ATTR_STRING)->s = xstrdup("tanh");
    mark_output(g, gelu->out[0]);
    infer_ok(g);
    Node *n = expect_fused(g, "fuse_conv_epilogue", "FusedConv", x, gelu->out[0]);
    CU_ASSERT_EQUAL(n->n_in, 3);           /* no affine, no residual */
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", ""), "Gelu");
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "approximate", ""), "tanh");
    graph_free(g);
}

/* x * HardSigmoid(x) and x * Sigmoid(x) after a Conv (torch's Hardswish
 * before opset 14, and SiLU) become its HardSwish / SiLU activation; a
 * gate that something else reads too stays. */
static void test_conv_epilogue_gated(void)
{
    static const struct {
        const char *gate, *act;
    } cases[] = {{"HardSigmoid", "HardSwish"}, {"Sigmoid", "Silu"}};
    for (size_t i = 0; i < 2; i++) {
        Graph *g = new_graph();
        Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
        Node *conv = conv3x3(g, x, true);
        Node *gate = add_node(g, cases[i].gate, conv->out[0], NULL);
        if (i == 0) {
            node_add_attr(gate, "alpha", ATTR_FLOAT)->f = 1.0 / 6;
            node_add_attr(gate, "beta", ATTR_FLOAT)->f = 0.5;
        }
        Tensor *y = op2(g, "Mul", gate->out[0], conv->out[0]);
        mark_output(g, y);
        infer_ok(g);
        Node *n = expect_fused(g, "fuse_conv_epilogue", "FusedConv", x, y);
        CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", ""), cases[i].act);
        if (i == 0) {
            CU_ASSERT_DOUBLE_EQUAL(attr_float_or(n, "alpha", 0), 1.0 / 6, 1e-7);
            CU_ASSERT_DOUBLE_EQUAL(attr_float_or(n, "beta", 0), 0.5, 1e-7);
        }
        graph_free(g);
    }
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Node *conv = conv3x3(g, x, true);
    Tensor *s = op1(g, "Sigmoid", conv->out[0]);
    mark_output(g, op2(g, "Mul", conv->out[0], s));
    mark_output(g, s);
    infer_ok(g);
    expect_unchanged(g, "fuse_conv_epilogue");
    graph_free(g);
}

/* Clip with constant bounds fuses; an activation whose input is also a
 * graph output does not. */
static void test_conv_epilogue_clip_and_reject(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Node *conv = conv3x3(g, x, false);
    Node *clip = add_node(g, "Clip", conv->out[0], scalar(g, 0.0f));
    node_add_input(clip, scalar(g, 6.0f));
    Tensor *y = clip->out[0];
    mark_output(g, y);
    infer_ok(g);
    Node *n = expect_fused(g, "fuse_conv_epilogue", "FusedConv", x, y);
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", ""), "Clip");
    CU_ASSERT_DOUBLE_EQUAL(attr_float_or(n, "alpha", -1), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(attr_float_or(n, "beta", -1), 6.0, 1e-9);
    graph_free(g);

    g = new_graph();
    x = graph_input(g, SHAPE(1, 2, 5, 5));
    conv = conv3x3(g, x, true);
    mark_output(g, conv->out[0]);
    mark_output(g, op1(g, "Relu", conv->out[0]));
    infer_ok(g);
    expect_unchanged(g, "fuse_conv_epilogue");
    CU_ASSERT_EQUAL(count_op(g, "FusedConv"), 0);
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* hoist_activation                                                   */
/* ------------------------------------------------------------------ */

/* Reshape of x to [1, 3, 25] (a constant shape input). */
static Node *flatten_3x25(Graph *g, Tensor *x)
{
    static const int64_t dims[3] = {1, 3, 25};
    Tensor *s = new_tensor(g, "shape", SHAPE(3));
    s->dtype = DT_INT64;
    tensor_set_data(s, dims);
    return add_node(g, "Reshape", x, s);
}

/* Transpose of the last two axes of a rank-3 tensor. */
static Node *swap_last_axes(Graph *g, Tensor *x)
{
    Node *n = add_node(g, "Transpose", x, NULL);
    set_ints(n, "perm", 3, (const int64_t[]){0, 2, 1});
    return n;
}

/* Conv -> Reshape -> Transpose -> Gelu (UNeXt's dwconv, flattened back
 * to tokens) becomes Conv -> Gelu -> Reshape -> Transpose, the Gelu on
 * the Conv's output, which fuse_conv_epilogue then absorbs. */
static void test_hoist_activation(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 2, 5, 5));
    Node *conv = conv3x3(g, x, true);
    Node *reshape = flatten_3x25(g, conv->out[0]);
    Node *transpose = swap_last_axes(g, reshape->out[0]);
    Node *gelu = add_node(g, "Gelu", transpose->out[0], NULL);
    Tensor *y = gelu->out[0];
    gelu->opset = 20;
    mark_output(g, y);
    infer_ok(g);
    CU_ASSERT_TRUE_FATAL(run_pass(g, "hoist_activation"));
    CU_ASSERT_EQUAL_FATAL(g->n_nodes, 4);
    CU_ASSERT_PTR_EQUAL(g->nodes[1], gelu);
    CU_ASSERT_PTR_EQUAL(gelu->in[0], conv->out[0]);
    CU_ASSERT_EQUAL(gelu->out[0]->shape.rank, 4);
    CU_ASSERT_PTR_EQUAL(reshape->in[0], gelu->out[0]);
    CU_ASSERT_PTR_EQUAL(transpose->out[0], y);
    CU_ASSERT_PTR_EQUAL(y->producer, transpose);
    CU_ASSERT_EQUAL(y->shape.dim[1], 25);
    CU_ASSERT_TRUE_FATAL(run_pass(g, "fuse_conv_epilogue"));
    CU_ASSERT_EQUAL(count_op(g, "FusedConv"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Gelu"), 0);
    CU_ASSERT_STRING_EQUAL(attr_string_or(g->nodes[0], "activation", ""), "Gelu");
    graph_free(g);
}

/* Left alone: a chain whose Reshape output is also a graph output, and
 * one that does not start at a Conv. */
static void test_hoist_activation_rejects(void)
{
    for (int form = 0; form < 2; form++) {
        Graph *g = new_graph();
        Tensor *t = form == 0 ? conv3x3(g, graph_input(g, SHAPE(1, 2, 5, 5)), false)->out[0]
                              : op1(g, "Sigmoid", graph_input(g, SHAPE(1, 3, 5, 5)));
        Node *reshape = flatten_3x25(g, t);
        if (form == 0)
            mark_output(g, reshape->out[0]);
        Node *relu = add_node(g, "Relu", swap_last_axes(g, reshape->out[0])->out[0], NULL);
        mark_output(g, relu->out[0]);
        infer_ok(g);
        CU_ASSERT_TRUE(run_pass(g, "hoist_activation"));
        CU_ASSERT_PTR_EQUAL(g->nodes[g->n_nodes - 1], relu);
        CU_ASSERT_PTR_EQUAL(relu->in[0]->producer->op, op_lookup("", "Transpose"));
        graph_free(g);
    }
}

/* ------------------------------------------------------------------ */
/* fuse_resize_epilogue                                               */
/* ------------------------------------------------------------------ */

/* A bilinear x2 Resize of x [1,2,4,4] (opset `opset`: X, roi, scales,
 * or X, scales before 11). */
static Node *resize_x2(Graph *g, Tensor *x, int opset)
{
    static const float scales[4] = {1, 1, 2, 2};
    Tensor *s = new_tensor(g, "scales", SHAPE(4));
    Node *n = graph_add_node(g, "up", "Resize");
    Attr *mode = node_add_attr(n, "mode", ATTR_STRING);
    mode->s = xstrdup("linear");
    tensor_set_data(s, scales);
    n->opset = opset;
    node_add_input(n, x);
    if (opset >= 11)
        node_add_input(n, NULL);
    node_add_input(n, s);
    node_add_output(n, graph_new_tensor(g, "up"));
    return n;
}

/* Resize -> Relu -> Add(skip), Resize -> Add(skip) and Resize -> Relu:
 * one FusedResize each, with Resize's inputs and attributes, the
 * activation, the skip tensor as input 4, and the FLOPs of the nodes it
 * replaces. */
static void test_resize_epilogue(void)
{
    for (int form = 0; form < 3; form++) {
        Graph *g = new_graph();
        Tensor *x = graph_input(g, SHAPE(1, 2, 4, 4));
        Tensor *skip = graph_input(g, SHAPE(1, 2, 8, 8));
        Node *up = resize_x2(g, x, 13);
        Tensor *scales = up->in[2], *y = up->out[0];
        if (form != 1)
            y = op1(g, "Relu", y);
        if (form != 2)
            y = op2(g, "Add", skip, y);
        mark_output(g, y);
        infer_ok(g);
        OpCost before = total_cost(g);
        Node *n = expect_fused(g, "fuse_resize_epilogue", "FusedResize", x, y);
        CU_ASSERT_EQUAL(n->opset, 13);
        CU_ASSERT_PTR_NULL(n->in[1]);
        CU_ASSERT_PTR_EQUAL(n->in[2], scales);
        CU_ASSERT_PTR_NULL(n->in[3]);
        CU_ASSERT_EQUAL(n->n_in, form == 2 ? 4 : 5);
        if (form != 2)
            CU_ASSERT_PTR_EQUAL(n->in[4], skip);
        CU_ASSERT_STRING_EQUAL(attr_string_or(n, "mode", ""), "linear");
        CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", "none"),
                               form == 1 ? "none" : "Relu");
        CU_ASSERT_EQUAL(total_cost(g).flops, before.flops);
        graph_free(g);
    }
}

/* Left alone: a Resize read twice, an Add that broadcasts, an opset-10
 * Resize (other inputs), and a Resize with nothing after it. */
static void test_resize_epilogue_rejects(void)
{
    for (int form = 0; form < 4; form++) {
        Graph *g = new_graph();
        Tensor *x = graph_input(g, SHAPE(1, 2, 4, 4));
        Node *up = resize_x2(g, x, form == 2 ? 10 : 13);
        Tensor *y = up->out[0];
        if (form == 0)
            mark_output(g, op1(g, "Relu", y));
        else if (form == 1)
            y = op2(g, "Add", op1(g, "Relu", y), graph_input(g, SHAPE(1, 2, 1, 8)));
        else if (form == 2)
            y = op1(g, "Relu", y);
        mark_output(g, y);
        infer_ok(g);
        int relus = count_op(g, "Relu");
        CU_ASSERT_TRUE(run_pass(g, "fuse_resize_epilogue"));
        CU_ASSERT_EQUAL(count_op(g, "FusedResize"), form == 1 ? 1 : 0);
        CU_ASSERT_EQUAL(count_op(g, "Resize"), form == 1 ? 0 : 1);
        /* The broadcasting Add stays; the Relu before it is absorbed. */
        CU_ASSERT_EQUAL(count_op(g, "Add"), form == 1 ? 1 : 0);
        CU_ASSERT_EQUAL(count_op(g, "Relu"), form == 1 ? 0 : relus);
        graph_free(g);
    }
}

/* ------------------------------------------------------------------ */
/* fuse_linear                                                        */
/* ------------------------------------------------------------------ */

/* MatMul(x[1,4,3], W[3,5]) -> Add(bias, .) -> Relu, as PyTorch exports
 * nn.Linear on tokens; the bias of shape [1, 5] is reshaped to [5]. */
static void test_linear(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(1, 4, 3));
    Tensor *w = ramp(g, SHAPE(3, 5), -1.0f, 0.1f);
    Tensor *bias = ramp(g, SHAPE(1, 5), 0.0f, 1.0f);
    Tensor *y = op1(g, "Relu", op2(g, "Add", bias, op2(g, "MatMul", x, w)));
    mark_output(g, y);
    infer_ok(g);
    OpCost before = total_cost(g);
    Node *n = expect_fused(g, "fuse_linear", "Linear", x, y);
    CU_ASSERT_EQUAL_FATAL(n->n_in, 3);
    CU_ASSERT_PTR_EQUAL(n->in[1], w);
    CU_ASSERT_EQUAL(n->in[2]->shape.rank, 1);
    CU_ASSERT_EQUAL(((const float *)n->in[2]->data)[4], 4.0f);
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "activation", ""), "Relu");
    OpCost after = total_cost(g);
    CU_ASSERT_EQUAL(after.macs, 4 * 5 * 3);
    CU_ASSERT_EQUAL(after.macs, before.macs);
    CU_ASSERT_EQUAL(after.flops, before.flops);
    graph_free(g);
}

/* A weight computed at run time, or a bias over the wrong axis. */
static void test_linear_rejects(void)
{
    Graph *g = new_graph();
    Tensor *x = graph_input(g, SHAPE(4, 3));
    Tensor *w = graph_input(g, SHAPE(3, 5));
    mark_output(g, op2(g, "Add", op2(g, "MatMul", x, w), ramp(g, SHAPE(5), 0, 1)));
    infer_ok(g);
    expect_unchanged(g, "fuse_linear");
    graph_free(g);

    g = new_graph();
    x = graph_input(g, SHAPE(4, 3));
    w = ramp(g, SHAPE(3, 4), 0, 1);
    mark_output(g, op2(g, "Add", op2(g, "MatMul", x, w), ramp(g, SHAPE(4, 1), 0, 1)));
    infer_ok(g);
    expect_unchanged(g, "fuse_linear");
    graph_free(g);
}

int main(void)
{
    static const struct { const char *name; CU_TestFunc fn; } tests[] = {
        {"gelu erf forms", test_gelu_erf_forms},
        {"gelu erf rejects", test_gelu_erf_rejects},
        {"gelu tanh forms", test_gelu_tanh_forms},
        {"layernorm forms", test_layernorm_forms},
        {"fold batchnorm", test_fold_batchnorm},
        {"fold batchnorm into gemm", test_fold_batchnorm_gemm},
        {"fold batchnorm into matmul", test_fold_batchnorm_matmul},
        {"fold batchnorm into products: rejects", test_fold_batchnorm_product_rejects},
        {"conv epilogue: relu, bn, residual", test_conv_epilogue_full},
        {"conv epilogue: bn folded before gelu", test_conv_bn_gelu},
        {"conv epilogue: clip, rejects", test_conv_epilogue_clip_and_reject},
        {"conv epilogue: HardSwish and SiLU gates", test_conv_epilogue_gated},
        {"hoist activation", test_hoist_activation},
        {"hoist activation: rejects", test_hoist_activation_rejects},
        {"resize epilogue: relu, residual", test_resize_epilogue},
        {"resize epilogue: rejects", test_resize_epilogue_rejects},
        {"linear", test_linear},
        {"linear rejects", test_linear_rejects},
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite("fusion", NULL, NULL);
    for (size_t i = 0; suite && i < sizeof tests / sizeof tests[0]; i++)
        CU_add_test(suite, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures != 0;
}
