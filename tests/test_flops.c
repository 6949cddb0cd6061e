/*
 * test_flops.c - the cost report (driver/cost.c) on hand-built graphs:
 * MACs, FLOPs, bytes and parameters of Conv, MatMul and Relu, what counts
 * as a kernel, and the JSON being well-formed whatever the node names.
 */
#include "driver/escape.h"
#include "driver/sinter.h"
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Building graphs                                                    */
/* ------------------------------------------------------------------ */

static Tensor *float_tensor(Graph *g, const char *name, int rank, const int64_t *dims)
{
    Tensor *t = graph_add_tensor(g, name);
    t->dtype = DT_FLOAT;
    t->shape.rank = rank;
    memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    return t;
}

static Tensor *graph_input(Graph *g, const char *name, int rank, const int64_t *dims)
{
    Tensor *t = float_tensor(g, name, rank, dims);
    t->is_input = true;
    graph_add_input(g, t);
    return t;
}

/* A float constant filled with `value`. */
static Tensor *constant(Graph *g, const char *name, int rank, const int64_t *dims, float value)
{
    Tensor *t = float_tensor(g, name, rank, dims);
    int64_t n = tensor_numel(t);
    float *v = xmalloc((size_t)n * sizeof *v + 1);
    for (int64_t i = 0; i < n; i++)
        v[i] = value;
    tensor_set_data(t, v);
    free(v);
    return t;
}

static void mark_output(Graph *g, Tensor *t)
{
    t->is_output = true;
    graph_add_output(g, t);
}

/* A node of op_type reading ins[0..n_in), writing one new tensor. */
static Node *add_node(Graph *g, const char *name, const char *op_type, Tensor **ins, int n_in)
{
    Node *n = graph_add_node(g, name, op_type);
    for (int i = 0; i < n_in; i++)
        node_add_input(n, ins[i]);
    node_add_output(n, graph_new_tensor(g, name));
    return n;
}

static void set_ints(Node *n, const char *name, const int64_t *v, int count)
{
    Attr *a = node_add_attr(n, name, ATTR_INTS);
    a->ints = xmalloc((size_t)count * sizeof *a->ints);
    memcpy(a->ints, v, (size_t)count * sizeof *v);
    a->n = count;
}

static Graph *new_graph(void)
{
    Graph *g = graph_new("test");
    g->opset = 13;
    return g;
}

/* Infers shapes (resolving ops) and costs g. */
static void infer_and_cost(Graph *g, CostReport *r)
{
    Diag d = {0};
    bool ok = graph_infer(g, &d);
    if (!ok)
        fprintf(stderr, "%s", d.text.buf);
    CU_ASSERT_TRUE_FATAL(ok);
    diag_free(&d);
    cost_report_build(r, g);
}

/* ------------------------------------------------------------------ */
/* Counting                                                           */
/* ------------------------------------------------------------------ */

/* x[2,4,8,8] * w[6,2,3,3] (group 2, pads 1, stride 2) + b[6] -> [2,6,4,4] */
static void test_grouped_conv(void)
{
    Graph *g = new_graph();
    int64_t xd[] = {2, 4, 8, 8}, wd[] = {6, 2, 3, 3}, bd[] = {6};
    Tensor *ins[] = {graph_input(g, "x", 4, xd), constant(g, "w", 4, wd, 0.5f),
                     constant(g, "b", 1, bd, 0.25f)};
    Node *conv = add_node(g, "conv", "Conv", ins, 3);
    node_add_attr(conv, "group", ATTR_INT)->i = 2;
    int64_t pads[] = {1, 1, 1, 1}, strides[] = {2, 2};
    set_ints(conv, "pads", pads, 4);
    set_ints(conv, "strides", strides, 2);
    mark_output(g, conv->out[0]);
    CostReport r;
    infer_and_cost(g, &r);
    CU_ASSERT_EQUAL(conv->out[0]->shape.dim[2], 4);
    /* N*K*OH*OW * C/groups*KH*KW */
    int64_t macs = 2 * 6 * 4 * 4 * (4 / 2) * 3 * 3;
    CU_ASSERT_EQUAL(r.total.macs, macs);
    CU_ASSERT_EQUAL(r.total.executed_macs, macs);
    CU_ASSERT_EQUAL(r.total.flops, 2 * macs + 2 * 6 * 4 * 4); /* bias: one add per output */
    CU_ASSERT_EQUAL(r.total.params, 6 * 2 * 3 * 3 + 6);
    CU_ASSERT_EQUAL(r.total.bytes_read, 2 * 4 * 8 * 8 * 4);  /* weights are not activations */
    CU_ASSERT_EQUAL(r.total.bytes_written, 2 * 6 * 4 * 4 * 4);
    CU_ASSERT_EQUAL(r.total.kernels, 1);
    CU_ASSERT_EQUAL(r.n_layers, 1);
    cost_report_free(&r);
    graph_free(g);
}

/* A 3x3 convolution x[1,32,10,9] * w[40,32,3,3] (pads 1), w constant
 * or a second graph input, through the winograd pass for the generic
 * target; its cost report. */
static Graph *winograd_candidate(bool constant_w, CostReport *r)
{
    Graph *g = new_graph();
    int64_t xd[] = {1, 32, 10, 9}, wd[] = {40, 32, 3, 3}, pads[] = {1, 1, 1, 1};
    Tensor *ins[] = {graph_input(g, "x", 4, xd),
                     constant_w ? constant(g, "w", 4, wd, 0.5f) : graph_input(g, "w", 4, wd)};
    Node *conv = add_node(g, "conv", "Conv", ins, 2);
    set_ints(conv, "pads", pads, 4);
    mark_output(g, conv->out[0]);
    Diag d = {0};
    PassOptions only = {.level = 2, .only = "winograd,select_kernels"};
    CU_ASSERT_TRUE_FATAL(graph_infer(g, &d));
    g->target = target_find("generic");
    CU_ASSERT_TRUE_FATAL(passes_run(g, &only, &d));
    diag_free(&d);
    cost_report_build(r, g);
    return g;
}

/* Taken with constant weights: the graph's MACs stay, executed ones are
 * 36 per 4x4 tile (3 x 3 tiles) and channel pair. */
static void test_winograd_executed(void)
{
    CostReport r;
    Graph *g = winograd_candidate(true, &r);
    CU_ASSERT_STRING_EQUAL(attr_string_or(g->nodes[0], "algorithm", ""), "winograd");
    CU_ASSERT_EQUAL(r.total.macs, 40 * 32 * 10 * 9 * 9);
    CU_ASSERT_EQUAL(r.total.executed_macs, 40 * 32 * 3 * 3 * 36);
    cost_report_free(&r);
    graph_free(g);
}

/* Weights known only at run time are never transformed. */
static void test_winograd_needs_constant_weights(void)
{
    CostReport r;
    Graph *g = winograd_candidate(false, &r);
    CU_ASSERT_PTR_NULL(attr_string_or(g->nodes[0], "algorithm", NULL));
    CU_ASSERT_EQUAL(r.total.executed_macs, r.total.macs);
    cost_report_free(&r);
    graph_free(g);
}

/* x[2,3,4] @ w[4,5] -> Relu, and x read twice by one Add. */
static void test_matmul_relu_add(void)
{
    Graph *g = new_graph();
    int64_t xd[] = {2, 3, 4}, wd[] = {4, 5};
    Tensor *x = graph_input(g, "x", 3, xd);
    Tensor *mm_in[] = {x, constant(g, "w", 2, wd, 1.0f)};
    Node *mm = add_node(g, "mm", "MatMul", mm_in, 2);
    Node *relu = add_node(g, "relu", "Relu", mm->out, 1);
    Tensor *add_in[] = {x, x};
    Node *add = add_node(g, "twice", "Add", add_in, 2);
    mark_output(g, relu->out[0]);
    mark_output(g, add->out[0]);
    CostReport r;
    infer_and_cost(g, &r);
    CU_ASSERT_EQUAL(r.layers[0].cost.macs, 2 * 3 * 5 * 4);
    CU_ASSERT_EQUAL(r.layers[0].cost.flops, 2 * 2 * 3 * 5 * 4);
    CU_ASSERT_EQUAL(r.layers[0].params, 20);
    CU_ASSERT_EQUAL(r.layers[1].cost.macs, 0);
    CU_ASSERT_EQUAL(r.layers[1].cost.flops, 2 * 3 * 5);
    CU_ASSERT_EQUAL(r.layers[2].bytes_read, 2 * 3 * 4 * 4); /* one input, read once */
    CU_ASSERT_EQUAL(r.total.macs, 120);
    CU_ASSERT_EQUAL(r.total.kernels, 3);
    cost_report_free(&r);
    graph_free(g);
}

/* Equal constants count once (the exporter's shared weights come back as
 * copies); integer constants are not parameters. */
static void test_params_counted_once(void)
{
    Graph *g = new_graph();
    int64_t d4[] = {4};
    Tensor *x = graph_input(g, "x", 1, d4);
    Tensor *c1 = constant(g, "c1", 1, d4, 3.0f), *c2 = constant(g, "c2", 1, d4, 3.0f);
    Tensor *c3 = constant(g, "c3", 1, d4, 4.0f);
    Tensor *a_in[] = {x, c1}, *b_in[] = {x, c2}, *c_in[] = {c3, c3};
    Node *a = add_node(g, "a", "Mul", a_in, 2);
    Node *b = add_node(g, "b", "Mul", b_in, 2);
    Node *c = add_node(g, "c", "Add", c_in, 2);
    Tensor *shape = graph_add_tensor(g, "shape");
    shape->dtype = DT_INT64;
    shape->shape = (Shape){1, {1}};
    shape->shape_known = true;
    int64_t four = 4;
    tensor_set_data(shape, &four);
    Tensor *r_in[] = {a->out[0], shape};
    Node *reshape = add_node(g, "r", "Reshape", r_in, 2);
    mark_output(g, b->out[0]);
    mark_output(g, c->out[0]);
    mark_output(g, reshape->out[0]);
    CostReport r;
    infer_and_cost(g, &r);
    CU_ASSERT_EQUAL(r.layers[0].params, 4);
    CU_ASSERT_EQUAL(r.layers[1].params, 0);
    CU_ASSERT_EQUAL(r.total.params, 8);
    cost_report_free(&r);
    graph_free(g);
}

/* Elided nodes and nodes with only empty outputs are not kernels. */
static void test_kernels(void)
{
    Graph *g = new_graph();
    int64_t d[] = {0, 3}, d2[] = {2, 3};
    Tensor *empty_in[] = {graph_input(g, "e", 2, d)};
    Node *empty = add_node(g, "empty", "Relu", empty_in, 1);
    Tensor *x_in[] = {graph_input(g, "x", 2, d2)};
    Node *view = add_node(g, "view", "Identity", x_in, 1);
    mark_output(g, empty->out[0]);
    mark_output(g, view->out[0]);
    CostReport r;
    infer_and_cost(g, &r);
    CU_ASSERT_FALSE(node_is_kernel(empty));
    CU_ASSERT_TRUE(node_is_kernel(view));
    view->elided = true;
    CU_ASSERT_FALSE(node_is_kernel(view));
    cost_report_free(&r);
    cost_report_build(&r, g);
    CU_ASSERT_EQUAL(r.total.kernels, 0);
    CU_ASSERT_EQUAL(r.total.bytes_read + r.total.bytes_written, 0);
    CU_ASSERT_EQUAL(r.total.nodes, 2);
    cost_report_free(&r);
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* JSON                                                               */
/* ------------------------------------------------------------------ */

/* A minimal JSON syntax check (RFC 8259): returns the end of the value
 * starting at p (after white space), or NULL if there is none. */
static const char *json_value(const char *p);

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        const unsigned char *u = (const unsigned char *)p;
        if (*u < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 5;
            } else if (*p && strchr("\"\\/bfnrt", *p)) {
                p++;
            } else {
                return NULL;
            }
            continue;
        }
        int len = utf8_sequence_length(u);
        if (len == 0)
            return NULL;
        p += len;
    }
    return p + 1;
}

static const char *json_number(const char *p)
{
    const char *start = p;
    if (*p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {
        }
    return p > start && p[-1] != '-' ? p : NULL;
}

/* Object or array: members separated by commas up to `close`. */
static const char *json_members(const char *p, char close, bool keys)
{
    p = skip_space(p + 1);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (keys) {
            p = json_string(skip_space(p));
            if (!p || *(p = skip_space(p)) != ':')
                return NULL;
            p++;
        }
        p = json_value(p);
        if (!p)
            return NULL;
        p = skip_space(p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *json_value(const char *p)
{
    p = skip_space(p);
    switch (*p) {
    case '{': return json_members(p, '}', true);
    case '[': return json_members(p, ']', false);
    case '"': return json_string(p);
    case 't': return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f': return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n': return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default: return json_number(p);
    }
}

static bool json_well_formed(const char *doc)
{
    const char *end = json_value(doc);
    return end && *skip_space(end) == '\0';
}

static void test_json_checker_rejects(void)
{
    CU_ASSERT_TRUE(json_well_formed("{\"a\": [1, -2.5, true, \"x\\u00ff\"]}"));
    CU_ASSERT_FALSE(json_well_formed("{\"a\": [1,]}"));
    CU_ASSERT_FALSE(json_well_formed("{\"a\n\": 1}"));
    CU_ASSERT_FALSE(json_well_formed("{\"a\": \"\xff\"}"));
    CU_ASSERT_FALSE(json_well_formed("{\"a\": \"\\q\"}"));
}

static void test_utf8_sequences(void)
{
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"a"), 1);
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xc3\xa9"), 2);
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xc0\x80"), 0);  /* overlong */
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xed\xa0\x80"), 0); /* surrogate */
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xf4\x90\x80\x80"), 0);
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)"\xe2\x82"), 0); /* cut short */
    CU_ASSERT_EQUAL(utf8_sequence_length((const unsigned char *)""), 0);
}

static void test_json_string_escapes(void)
{
    Str s = {0};
    json_put_string(&s, "a\"b\\c\nd\x01\xff\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(s.buf, "\"a\\\"b\\\\c\\u000ad\\u0001\\u00ff\xc3\xa9\"");
    str_free(&s);
}

static void test_dot_string_escapes(void)
{
    Str s = {0};
    dot_put_string(&s, "a\"b\\n\nc\xff\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(s.buf, "a\\\"b\\\\n?c?\xc3\xa9");
    str_free(&s);
}

/* The document of a graph whose node names hold every awkward byte. */
static void test_json_document(void)
{
    Graph *g = new_graph();
    int64_t d[] = {2, 3};
    Tensor *x_in[] = {graph_input(g, "x", 2, d)};
    Node *relu = add_node(g, "quote\" back\\ nl\n ff\xff tab\t e\xc3\xa9", "Relu", x_in, 1);
    mark_output(g, relu->out[0]);
    CostReport r;
    infer_and_cost(g, &r);
    Str s = {0};
    cost_report_json(&s, "dir/\"odd\".onnx", &r, &r);
    CU_ASSERT_TRUE(json_well_formed(s.buf));
    const char *keys[] = {"\"params\": 0", "\"unfused\": {", "\"fused\": {", "\"macs\": 0",
                          "\"executed_macs\": 0",
                          "\"flops\": 6", "\"kernels\": 1", "\"layers\": [", "\"op\": \"Relu\"",
                          "\"bytes_read\": 24", "\"bytes_written\": 24", "\"shape\": [2, 3]",
                          "\\\"odd\\\".onnx"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(s.buf, keys[i]));
    str_free(&s);
    cost_report_text(&s, "m.onnx", &r, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.buf, "kernels"));
    CU_ASSERT_PTR_NULL(strchr(strstr(s.buf, "quote"), '\t')); /* no raw control bytes */
    str_free(&s);
    cost_report_free(&r);
    graph_free(g);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("flops", NULL, NULL);
    CU_add_test(s, "grouped conv", test_grouped_conv);
    CU_add_test(s, "winograd: executed MACs", test_winograd_executed);
    CU_add_test(s, "winograd: constant weights only", test_winograd_needs_constant_weights);
    CU_add_test(s, "matmul, relu, add", test_matmul_relu_add);
    CU_add_test(s, "parameters counted once", test_params_counted_once);
    CU_add_test(s, "kernels", test_kernels);
    CU_add_test(s, "json checker rejects", test_json_checker_rejects);
    CU_add_test(s, "utf-8 sequences", test_utf8_sequences);
    CU_add_test(s, "json string escapes", test_json_string_escapes);
    CU_add_test(s, "json document", test_json_document);
    CU_add_test(s, "dot string escapes", test_dot_string_escapes);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
