/*
 * test_factor_conv.c - passes/factor_conv.c: convolutions whose constant
 * weights factor across output channels become a channel sum, a window
 * filter and a scale, with the same result up to rounding; others are
 * left alone.
 *
 * Each graph is evaluated before and after the pass by running its Conv
 * and FusedConv nodes in order through the runtime's portable kernel
 * (snt_conv2d_fused_f32, with each node's own parameters), so the check
 * covers the rewritten node's pads, strides, dilations and epilogue as
 * the generated code will see them.
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>

#include "graph_builder.h"
#include "ir/ops/ops.h"

/* ---- evaluating Conv / FusedConv graphs ---------------------------- */

/* Runs node n on the values of its inputs (vals, by tensor id). */
static bool run_conv_node(const Node *n, float **vals)
{
    const snt_conv2d_params *cp = conv_node_params(n);
    if (cp == NULL)
        return false;
    snt_conv2d_params p = *cp;
    const float *in[6] = {0};
    for (int i = 0; i < n->n_in && i < 6; i++)
        if (n->in[i])
            in[i] = n->in[i]->data ? n->in[i]->data : vals[n->in[i]->id];
    float *y = xmalloc(tensor_bytes(n->out[0]) + 4);
    float *scratch = xmalloc((snt_conv2d_scratch_floats(&p) + 1) * sizeof(float));
    snt_conv2d_fused_f32(&p, in[0], in[1], in[2], in[3], in[4], in[5], y, scratch);
    free(scratch);
    vals[n->out[0]->id] = y;
    return true;
}

/* Output 0 of g for input 0 = x: a malloc'd copy, NULL if some node is
 * not a convolution. */
static float *run_graph(const Graph *g, const float *x)
{
    float **vals = xcalloc((size_t)g->n_tensors + 1, sizeof *vals);
    float *out = NULL;
    bool ok = true;
    vals[g->inputs[0]->id] = (float *)x;
    for (int i = 0; ok && i < g->n_nodes; i++)
        ok = run_conv_node(g->nodes[i], vals);
    if (ok) {
        out = xmalloc(tensor_bytes(g->outputs[0]));
        memcpy(out, vals[g->outputs[0]->id], tensor_bytes(g->outputs[0]));
    }
    for (int i = 0; i < g->n_tensors; i++)
        if (i != g->inputs[0]->id)
            free(vals[i]);
    free(vals);
    return out;
}

/* ---- building the cases -------------------------------------------- */

typedef struct {
    int64_t n, c, h, w, k, kh, kw;
    int64_t pads[4], strides[2], dilations[2];
    const char *auto_pad;       /* NULL: explicit pads */
    bool fused;                 /* a FusedConv with Relu and a residual */
} Case;

/* Weights s[k] * u[c] * v[i][j] (split) or s[k] * T[c][i][j]; `off`
 * changes one of them so that they factor no longer. */
static float *make_weights(const Case *cs, bool split, bool off)
{
    int64_t taps = cs->kh * cs->kw, n = cs->k * cs->c * taps;
    float *w = xmalloc((size_t)n * sizeof *w);
    float *t = test_data(cs->c * taps, 7), *s = test_data(cs->k, 11);
    for (int64_t k = 0; k < cs->k; k++)
        for (int64_t q = 0; q < cs->c * taps; q++) {
            int64_t c = q / taps, tap = q % taps;
            float tq = split ? (1.0f + 0.25f * (float)c) * (0.5f + t[tap]) : t[q];
            w[k * cs->c * taps + q] = (s[k] + 1.5f) * tq;
        }
    if (off)
        w[n / 2] *= 1.01f;
    free(t);
    free(s);
    return w;
}

/* The output's dims (into dims) under explicit pads. */
static int64_t *out_dims(const Case *cs, int64_t *dims)
{
    int64_t eh = cs->dilations[0] * (cs->kh - 1) + 1, ew = cs->dilations[1] * (cs->kw - 1) + 1;
    dims[0] = cs->n;
    dims[1] = cs->k;
    dims[2] = (cs->h + cs->pads[0] + cs->pads[2] - eh) / cs->strides[0] + 1;
    dims[3] = (cs->w + cs->pads[1] + cs->pads[3] - ew) / cs->strides[1] + 1;
    return dims;
}

static int64_t out_elements(const Case *cs)
{
    int64_t d[4];
    out_dims(cs, d);
    return d[0] * d[1] * d[2] * d[3];
}

static Graph *build(const Case *cs, const float *weights)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 4, (int64_t[]){cs->n, cs->c, cs->h, cs->w});
    Tensor *w = add_const(g, DT_FLOAT, 4, (int64_t[]){cs->k, cs->c, cs->kh, cs->kw}, weights);
    float *bias = test_data(cs->k, 3);
    Tensor *b = add_const(g, DT_FLOAT, 1, (int64_t[]){cs->k}, bias);
    free(bias);
    Node *conv = add_op(g, "Conv", 3, x, w, b);
    if (cs->auto_pad)
        set_string(conv, "auto_pad", cs->auto_pad);
    else
        set_ints(conv, "pads", 4, cs->pads);
    set_ints(conv, "strides", 2, cs->strides);
    set_ints(conv, "dilations", 2, cs->dilations);
    Tensor *y = conv->out[0];
    if (cs->fused) {
        /* Relu and a residual Add: fuse_conv_epilogue makes them one
         * FusedConv (a model cannot name FusedConv itself).  The
         * residual is a constant, keeping one run-time input. */
        y = add_op(g, "Relu", 1, y)->out[0];
        float *rv = test_data(out_elements(cs), 13);
        Tensor *res = add_const(g, DT_FLOAT, 4, out_dims(cs, (int64_t[4]){0}), rv);
        free(rv);
        y = add_op(g, "Add", 2, y, res)->out[0];
    }
    add_output(g, y);
    return g;
}

static int64_t total_macs(const Graph *g)
{
    int64_t macs = 0;
    for (int i = 0; i < g->n_nodes; i++)
        macs += g->nodes[i]->op->cost(g->nodes[i]).macs;
    return macs;
}

/* Builds the case, runs factor_conv, and compares the two graphs' values.
 * Returns the number of nodes after the pass (1: not rewritten). */
static int check_case(const Case *cs, bool split, bool off)
{
    float *w = make_weights(cs, split, off);
    Graph *before = build(cs, w), *after = build(cs, w);
    free(w);
    CU_ASSERT_TRUE_FATAL(infer(before) && infer(after));
    CU_ASSERT_TRUE_FATAL(run_pass(before, pass_fuse_conv_epilogue) &&
                         run_pass(after, pass_fuse_conv_epilogue));
    int64_t macs = total_macs(after);
    CU_ASSERT_TRUE_FATAL(run_pass(after, pass_factor_conv));
    float *x = test_data(cs->n * cs->c * cs->h * cs->w, 1);
    float *want = run_graph(before, x), *got = run_graph(after, x);
    CU_ASSERT_TRUE_FATAL(want && got);
    size_t n = tensor_bytes(before->outputs[0]) / sizeof(float), bad = 0;
    double big = 0;
    for (size_t i = 0; i < n; i++)
        big = fmax(big, fabs(want[i]));
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-5 * (big + 1)) && bad++ == 0)
            fprintf(stderr, "\n  factor_conv: y[%zu] = %g, want %g\n", i, got[i], want[i]);
    CU_ASSERT_EQUAL(bad, 0);
    int nodes = after->n_nodes;
    if (nodes > 1)
        CU_ASSERT_TRUE(total_macs(after) < macs / 2);
    free(x);
    free(want);
    free(got);
    graph_free(before);
    graph_free(after);
    return nodes;
}

static const Case cases[] = {
    /* n c h w k kh kw pads strides dilations auto_pad fused */
    {1, 4, 9, 11, 6, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, NULL, false},
    {2, 3, 7, 5, 8, 5, 5, {2, 2, 2, 2}, {1, 1}, {1, 1}, NULL, true},
    {1, 5, 10, 9, 7, 3, 3, {0, 2, 1, 0}, {2, 2}, {1, 1}, NULL, false},   /* asymmetric, stride 2 */
    {1, 6, 12, 12, 4, 3, 3, {2, 2, 2, 2}, {1, 1}, {2, 2}, NULL, true},  /* dilation 2 */
    {1, 3, 8, 7, 5, 3, 2, {0}, {2, 1}, {1, 1}, "SAME_UPPER", false},     /* auto_pad */
    {1, 2, 1, 1, 3, 1, 1, {0}, {1, 1}, {1, 1}, NULL, false},             /* 1x1 on 1x1 */
};

static void test_factors_split(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nodes = check_case(&cases[i], true, false);
        /* channel sum + window + scale; a 1x1 kernel has no window to
         * split, and 3 weights per output do not pay. */
        if (cases[i].kh * cases[i].kw > 1)
            CU_ASSERT_EQUAL(nodes, 3);
    }
}

static void test_factors_unsplit(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nodes = check_case(&cases[i], false, false);
        if (cases[i].kh * cases[i].kw > 1)
            CU_ASSERT_EQUAL(nodes, 2);   /* one C -> 1 conv + scale */
    }
}

/* One weight off: no factoring, the graph is left as it was. */
static void test_one_value_off(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CU_ASSERT_EQUAL(check_case(&cases[i], true, true), 1);
}

/* Two convolutions of one input with the same channel weights share the
 * channel sum. */
static void test_shared_channel_sum(void)
{
    Case a = {1, 4, 8, 8, 6, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, NULL, false};
    float *w3 = make_weights(&a, true, false);
    Case b = a;
    b.kh = b.kw = 5;
    b.pads[0] = b.pads[1] = b.pads[2] = b.pads[3] = 2;
    float *w5 = make_weights(&b, true, false);
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 4, (int64_t[]){1, 4, 8, 8});
    Node *c3 = add_op(g, "Conv", 2, x, add_const(g, DT_FLOAT, 4, (int64_t[]){6, 4, 3, 3}, w3));
    Node *c5 = add_op(g, "Conv", 2, x, add_const(g, DT_FLOAT, 4, (int64_t[]){6, 4, 5, 5}, w5));
    set_ints(c3, "pads", 4, a.pads);
    set_ints(c5, "pads", 4, b.pads);
    add_output(g, c3->out[0]);
    add_output(g, c5->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_factor_conv));
    /* one shared channel sum, two windows, two scales */
    CU_ASSERT_EQUAL(g->n_nodes, 5);
    CU_ASSERT_EQUAL(count_op(g, "Conv"), 3);
    free(w3);
    free(w5);
    graph_free(g);
}

/* Group 2 is left alone. */
static void test_groups_left_alone(void)
{
    Case cs = {1, 4, 6, 6, 4, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, NULL, false};
    float *w = xmalloc(4 * 2 * 9 * sizeof *w);
    for (int i = 0; i < 72; i++)
        w[i] = 1.0f;
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 4, (int64_t[]){1, 4, 6, 6});
    Node *c = add_op(g, "Conv", 2, x, add_const(g, DT_FLOAT, 4, (int64_t[]){4, 2, 3, 3}, w));
    set_ints(c, "pads", 4, cs.pads);
    set_int(c, "group", 2);
    add_output(g, c->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_factor_conv));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    free(w);
    graph_free(g);
}

int main(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"s (x) u (x) v: channel sum, window, scale", test_factors_split},
        {"s (x) T: one channel, scale", test_factors_unsplit},
        {"one value off: unchanged", test_one_value_off},
        {"shared channel sum", test_shared_channel_sum},
        {"groups left alone", test_groups_left_alone},
    };
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("factor_conv", NULL, NULL);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed != 0;
}
