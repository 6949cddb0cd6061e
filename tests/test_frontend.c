/*
 * test_frontend.c - reading well-formed ONNX models, TensorProto files and
 * .npy files into the IR.  Models are built in memory with protobuf-c
 * (tests/frontend_fixtures.h); files go to a scratch folder.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <CUnit/Basic.h>

#include <math.h>
#include <sys/stat.h>

#include "frontend_fixtures.h"

static char scratch[] = "/tmp/sinter_frontend_XXXXXX";

static int suite_init(void)
{
    return mkdtemp(scratch) ? 0 : -1;
}

static int suite_cleanup(void)
{
    remove_tree(scratch);
    return 0;
}

/* Loads b, asserting success with no messages. */
static Graph *load_ok(Builder *b, const char *dir)
{
    Diag d = {0};
    Graph *g = mb_load(b, dir, &d);
    if (!g)
        fprintf(stderr, "unexpected errors:\n%s", d.text.buf);
    CU_ASSERT_PTR_NOT_NULL(g);
    CU_ASSERT_EQUAL(d.count, 0);
    diag_free(&d);
    return g;
}

static void test_simple_graph(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){1, 4});
    Onnx__TensorProto *w = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){4});
    float wv[4] = {1.5f, -2, 3, 0.25f};
    mb_raw(b, w, wv, sizeof wv);
    mb_initializer(b, w);
    mb_node(b, "Add", "add", "x,w", "y");
    mb_output(b, "y");
    Graph *g = load_ok(b, NULL);
    if (g) {
        CU_ASSERT_EQUAL(g->opset, 13);
        CU_ASSERT_STRING_EQUAL(g->name, "test");
        CU_ASSERT_PTR_NULL(g->dir);
        CU_ASSERT_EQUAL(g->n_inputs, 1);
        Tensor *x = g->inputs[0];
        CU_ASSERT_STRING_EQUAL(x->name, "x");
        CU_ASSERT(x->is_input && x->shape_known && !x->data);
        CU_ASSERT_EQUAL(x->dtype, DT_FLOAT);
        CU_ASSERT(shape_equal(&x->shape, &(Shape){2, {1, 4}}));
        Tensor *wt = graph_find_tensor(g, "w");
        CU_ASSERT(wt && !wt->is_input && tensor_is_const(wt));
        CU_ASSERT(wt && wt->shape.rank == 1 && wt->shape.dim[0] == 4);
        CU_ASSERT(wt && memcmp(wt->data, wv, sizeof wv) == 0);
        CU_ASSERT_EQUAL(g->n_nodes, 1);
        Node *n = g->nodes[0];
        CU_ASSERT_STRING_EQUAL(n->op_type, "Add");
        CU_ASSERT_STRING_EQUAL(n->domain, "");
        CU_ASSERT_EQUAL(n->opset, 13);
        CU_ASSERT(n->n_in == 2 && n->in[0] == x && n->in[1] == wt);
        CU_ASSERT(n->n_out == 1 && n->out[0]->producer == n);
        CU_ASSERT(g->n_outputs == 1 && g->outputs[0] == n->out[0] && n->out[0]->is_output);
    }
    graph_free(g);
    mb_free(b);
}

/* One tensor per typed field form; values chosen to survive each type. */
typedef struct {
    DType type;
    double values[3];
} TypedCase;

static const TypedCase typed_cases[] = {
    {DT_FLOAT, {1.5, -2.25, 1e30}},  {DT_DOUBLE, {1e-300, -2.5, 7}},
    {DT_INT8, {-128, 5, 127}},       {DT_INT16, {-30000, 0, 30000}},
    {DT_INT32, {-2e9, 1, 2e9}},      {DT_UINT8, {0, 200, 255}},
    {DT_UINT16, {0, 60000, 7}},      {DT_BOOL, {0, 1, 1}},
    {DT_INT64, {-9e15, 0, 9e15}},    {DT_UINT32, {0, 4e9, 1}},
    {DT_UINT64, {0, 1e19, 3}},
};

/* Stores case c's values in the field ONNX uses for its type. */
static void fill_typed(Builder *b, Onnx__TensorProto *t, const TypedCase *c)
{
    switch (c->type) {
    case DT_FLOAT:
        t->n_float_data = 3;
        t->float_data = mb_alloc(b, 3 * sizeof(float));
        for (int i = 0; i < 3; i++)
            t->float_data[i] = (float)c->values[i];
        break;
    case DT_DOUBLE:
        t->n_double_data = 3;
        t->double_data = mb_alloc(b, 3 * sizeof(double));
        memcpy(t->double_data, c->values, 3 * sizeof(double));
        break;
    case DT_INT64:
        t->n_int64_data = 3;
        t->int64_data = mb_alloc(b, 3 * sizeof(int64_t));
        for (int i = 0; i < 3; i++)
            t->int64_data[i] = (int64_t)c->values[i];
        break;
    case DT_UINT32:
    case DT_UINT64:
        t->n_uint64_data = 3;
        t->uint64_data = mb_alloc(b, 3 * sizeof(uint64_t));
        for (int i = 0; i < 3; i++)
            t->uint64_data[i] = (uint64_t)c->values[i];
        break;
    default:
        t->n_int32_data = 3;
        t->int32_data = mb_alloc(b, 3 * sizeof(int32_t));
        for (int i = 0; i < 3; i++)
            t->int32_data[i] = (int32_t)c->values[i];
        break;
    }
}

static void test_typed_fields(void)
{
    Builder *b = mb_new(13);
    size_t n_cases = sizeof typed_cases / sizeof typed_cases[0];
    for (size_t i = 0; i < n_cases; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", i);
        Onnx__TensorProto *t = mb_tensor(b, name, typed_cases[i].type, 1, (int64_t[]){3});
        fill_typed(b, t, &typed_cases[i]);
        mb_initializer(b, t);
    }
    mb_output(b, "t0");
    Graph *g = load_ok(b, NULL);
    for (size_t i = 0; g && i < n_cases; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", i);
        const Tensor *t = graph_find_tensor(g, name);
        CU_ASSERT_FATAL(t && t->data);
        CU_ASSERT_EQUAL(t->dtype, typed_cases[i].type);
        for (size_t k = 0; k < 3; k++) {
            double want = typed_cases[i].values[k];
            if (typed_cases[i].type == DT_FLOAT)
                want = (float)want;
            CU_ASSERT_DOUBLE_EQUAL(dtype_get_f64(t->dtype, t->data, k), want, 0);
        }
    }
    graph_free(g);
    mb_free(b);
}

/* raw_data for multi-byte integers and bools; bool bytes become 0/1. */
static void test_raw_data(void)
{
    Builder *b = mb_new(13);
    int64_t iv[2][2] = {{-1, 1LL << 40}, {3, 4}};
    Onnx__TensorProto *t = mb_tensor(b, "i", DT_INT64, 2, (int64_t[]){2, 2});
    mb_raw(b, t, iv, sizeof iv);
    mb_initializer(b, t);
    uint8_t bv[3] = {0, 1, 7};
    t = mb_tensor(b, "b", DT_BOOL, 1, (int64_t[]){3});
    mb_raw(b, t, bv, sizeof bv);
    mb_initializer(b, t);
    double dv = 0.125;
    t = mb_tensor(b, "s", DT_DOUBLE, 0, NULL); /* a scalar */
    mb_raw(b, t, &dv, sizeof dv);
    mb_initializer(b, t);
    mb_output(b, "i");
    Graph *g = load_ok(b, NULL);
    if (g) {
        const Tensor *i = graph_find_tensor(g, "i"), *bt = graph_find_tensor(g, "b");
        const Tensor *s = graph_find_tensor(g, "s");
        CU_ASSERT(memcmp(i->data, iv, sizeof iv) == 0);
        CU_ASSERT(memcmp(bt->data, (uint8_t[]){0, 1, 1}, 3) == 0);
        CU_ASSERT(s->shape.rank == 0 && tensor_numel(s) == 1 && *(double *)s->data == 0.125);
    }
    graph_free(g);
    mb_free(b);
}

/* A tensor with a zero dim is legal: constant, no bytes. */
static void test_zero_size_initializer(void)
{
    Builder *b = mb_new(13);
    mb_initializer(b, mb_tensor(b, "empty", DT_FLOAT, 2, (int64_t[]){0, 4}));
    mb_output(b, "empty");
    Graph *g = load_ok(b, NULL);
    if (g) {
        const Tensor *t = graph_find_tensor(g, "empty");
        CU_ASSERT(tensor_is_const(t) && tensor_numel(t) == 0 && tensor_bytes(t) == 0);
    }
    graph_free(g);
    mb_free(b);
}

/* Older exporters list weights among the graph inputs. */
static void test_initializer_as_input(void)
{
    Builder *b = mb_new(11);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    mb_input(b, "w", DT_FLOAT, 1, (int64_t[]){2});
    Onnx__TensorProto *w = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){2});
    mb_raw(b, w, (float[]){1, 2}, 2 * sizeof(float));
    mb_initializer(b, w);
    mb_node(b, "Mul", "mul", "x,w", "y");
    mb_output(b, "y");
    Graph *g = load_ok(b, NULL);
    if (g) {
        CU_ASSERT_EQUAL(g->n_inputs, 1);
        CU_ASSERT_STRING_EQUAL(g->inputs[0]->name, "x");
        const Tensor *wt = graph_find_tensor(g, "w");
        CU_ASSERT(wt && !wt->is_input && tensor_is_const(wt));
        CU_ASSERT(g->nodes[0]->in[1] == wt);
    }
    graph_free(g);
    mb_free(b);
}

/* "ai.onnx" counts as the default domain; other domains keep their own
 * opset and name. */
static void test_opset_import(void)
{
    Builder *b = mb_new(0);
    mb_opset(b, "com.microsoft", 1);
    mb_opset(b, "ai.onnx", 17);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    mb_node(b, "Relu", "relu", "x", "y");
    Onnx__NodeProto *n = mb_node(b, "FusedThing", "ms", "y", "z");
    n->domain = "com.microsoft";
    Onnx__NodeProto *n2 = mb_node(b, "Relu", "relu2", "z", "r");
    n2->domain = "ai.onnx";
    mb_output(b, "r");
    Graph *g = load_ok(b, NULL);
    if (g) {
        CU_ASSERT_EQUAL(g->opset, 17);
        CU_ASSERT_EQUAL(g->nodes[0]->opset, 17);
        CU_ASSERT_STRING_EQUAL(g->nodes[1]->domain, "com.microsoft");
        CU_ASSERT_EQUAL(g->nodes[1]->opset, 1);
        CU_ASSERT_STRING_EQUAL(g->nodes[2]->domain, "");
        CU_ASSERT_EQUAL(g->nodes[2]->opset, 17);
    }
    graph_free(g);
    mb_free(b);
}

static void test_attributes(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    Onnx__NodeProto *n = mb_node(b, "Custom", "c", "x", "y");
    /* proto2 scalars are written only when their has_ flag is set. */
    Onnx__AttributeProto *a = mb_attr(b, n, "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = 0.5f;
    a = mb_attr(b, n, "axis", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = -3;
    a = mb_attr(b, n, "mode", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s = (ProtobufCBinaryData){6, (uint8_t *)"linear"};
    a = mb_attr(b, n, "scales", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = 2;
    a->floats = (float[]){1.0f, 2.5f};
    a = mb_attr(b, n, "pads", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = 3;
    a->ints = (int64_t[]){1, -2, INT64_MAX};
    a = mb_attr(b, n, "names", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
    a->n_strings = 2;
    a->strings = (ProtobufCBinaryData[]){{1, (uint8_t *)"a"}, {0, NULL}};
    mb_attr(b, n, "empty_ints", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    /* Constant stays a node; its value is a standalone tensor. */
    Onnx__NodeProto *c = mb_node(b, "Constant", "k", "", "kv");
    a = mb_attr(b, c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = mb_tensor(b, "", DT_INT64, 1, (int64_t[]){2});
    a->t->n_int64_data = 2;
    a->t->int64_data = (int64_t[]){7, -7};
    mb_output(b, "y");
    mb_output(b, "kv");
    Graph *g = load_ok(b, NULL);
    if (g) {
        Node *cn = g->nodes[0];
        CU_ASSERT_EQUAL(cn->n_attrs, 7);
        CU_ASSERT_DOUBLE_EQUAL(attr_float_or(cn, "alpha", 0), 0.5, 0);
        CU_ASSERT_EQUAL(attr_int_or(cn, "axis", 0), -3);
        CU_ASSERT_STRING_EQUAL(attr_string_or(cn, "mode", ""), "linear");
        const Attr *s = node_attr(cn, "scales");
        CU_ASSERT(s && s->kind == ATTR_FLOATS && s->n == 2 && s->floats[1] == 2.5);
        int64_t pads[4];
        CU_ASSERT_EQUAL(attr_ints(cn, "pads", pads, 4), 3);
        CU_ASSERT(pads[0] == 1 && pads[1] == -2 && pads[2] == INT64_MAX);
        const Attr *names = node_attr(cn, "names");
        CU_ASSERT(names && names->kind == ATTR_STRINGS && names->n == 2);
        CU_ASSERT(names && strcmp(names->strings[0], "a") == 0 && names->strings[1][0] == 0);
        CU_ASSERT_EQUAL(attr_ints(cn, "empty_ints", pads, 4), 0);

        Node *k = g->nodes[1];
        CU_ASSERT_STRING_EQUAL(k->op_type, "Constant");
        CU_ASSERT(k->n_in == 0 && k->n_out == 1 && !k->out[0]->data);
        const Attr *v = node_attr(k, "value");
        CU_ASSERT_FATAL(v && v->kind == ATTR_TENSOR && v->tensor);
        CU_ASSERT_STRING_EQUAL(v->tensor->name, "value");
        CU_ASSERT(v->tensor->dtype == DT_INT64 && tensor_numel(v->tensor) == 2);
        CU_ASSERT(((int64_t *)v->tensor->data)[1] == -7);
    }
    graph_free(g);
    mb_free(b);
}

/* "" inputs are omitted (NULL); trailing "" outputs are dropped and
 * inner ones get an unused placeholder tensor. */
static void test_omitted_inputs_and_outputs(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    mb_input(b, "hi", DT_FLOAT, 0, NULL);
    mb_node(b, "Clip", "clip", "x,,hi", "y,");
    mb_node(b, "Split3", "", "y", "a,,c");
    mb_node(b, "Relu", "taken", "a", "Split3#1_unused1");
    mb_output(b, "c");
    Graph *g = load_ok(b, NULL);
    if (g) {
        Node *clip = g->nodes[0], *split = g->nodes[1];
        CU_ASSERT(clip->n_in == 3 && clip->in[1] == NULL && clip->in[2] != NULL);
        CU_ASSERT_EQUAL(clip->n_out, 1);
        CU_ASSERT_EQUAL(split->n_out, 3);
        CU_ASSERT(split->out[1] && split->out[1]->producer == split);
        CU_ASSERT_STRING_EQUAL(split->out[1]->name, "Split3#1_unused1_1");
        CU_ASSERT_STRING_EQUAL(split->name, "Split3#1");
        CU_ASSERT_EQUAL(g->inputs[1]->shape.rank, 0);
    }
    graph_free(g);
    mb_free(b);
}

/* An input ONNX requires, given the empty name that omits an optional
 * one, is refused by inference, which names it (fuzz_compile found a
 * QuantizeLinear without its scale reading a NULL tensor). */
static void test_omitted_required_input(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    Onnx__TensorProto *zp = mb_tensor(b, "zp", DT_UINT8, 0, NULL);
    mb_raw(b, zp, (uint8_t[]){0}, 1);
    mb_initializer(b, zp);
    mb_node(b, "QuantizeLinear", "quantize", "x,,zp", "y");
    mb_output(b, "y");
    Graph *g = load_ok(b, NULL);
    Diag d = {0};
    CU_ASSERT(g && !graph_infer(g, &d));
    CU_ASSERT(diag_has(&d, "'quantize'") && diag_has(&d, "input 1 is required, but omitted"));
    diag_free(&d);
    graph_free(g);
    mb_free(b);
}

/* A model without nodes, its output its input, loads and infers (with
 * no node list, inference offset a NULL pointer: fuzz_compile, UBSan). */
static void test_no_nodes(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    mb_output(b, "x");
    Graph *g = load_ok(b, NULL);
    Diag d = {0};
    CU_ASSERT(g && g->n_nodes == 0 && graph_infer(g, &d));
    CU_ASSERT_EQUAL(d.count, 0);
    diag_free(&d);
    graph_free(g);
    mb_free(b);
}

/* Node order in the file need not be topological. */
static void test_nodes_out_of_order(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    mb_node(b, "Relu", "second", "t", "y");
    mb_node(b, "Relu", "first", "x", "t");
    mb_output(b, "y");
    Graph *g = load_ok(b, NULL);
    CU_ASSERT(g && g->nodes[0]->in[0] == g->nodes[1]->out[0]);
    graph_free(g);
    mb_free(b);
}

static void test_external_data(void)
{
    char path[512], sub[256];
    /* 16 bytes of header, then three floats, then trailing junk. */
    uint8_t blob[16 + 12 + 4] = {0};
    float v[3] = {1, 2, 3};
    memcpy(blob + 16, v, sizeof v);
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "weights.bin"), blob, sizeof blob));
    CU_ASSERT_FATAL(mkdir(join(sub, sizeof sub, scratch, "sub"), 0700) == 0);
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, sub, "whole.bin"), v, sizeof v));

    Builder *b = mb_new(13);
    Onnx__TensorProto *t = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){3});
    mb_external(b, t, "weights.bin", "16", "12");
    mb_initializer(b, t);
    t = mb_tensor(b, "u", DT_FLOAT, 1, (int64_t[]){3});
    mb_external(b, t, "sub/whole.bin", NULL, NULL);
    mb_initializer(b, t);
    mb_output(b, "w");
    mb_output(b, "u");

    /* Through a file, so the folder comes from the model's path. */
    size_t len;
    uint8_t *buf = mb_pack(b, &len);
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "ext.onnx"), buf, len));
    Diag d = {0};
    Graph *g = onnx_load_file(path, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_STRING_EQUAL(g->dir, scratch);
    CU_ASSERT(memcmp(graph_find_tensor(g, "w")->data, v, sizeof v) == 0);
    CU_ASSERT(memcmp(graph_find_tensor(g, "u")->data, v, sizeof v) == 0);
    graph_free(g);

    /* From memory with an explicit folder. */
    g = mb_load(b, scratch, &d);
    CU_ASSERT(g && memcmp(graph_find_tensor(g, "w")->data, v, sizeof v) == 0);
    CU_ASSERT_EQUAL(d.count, 0);
    graph_free(g);
    diag_free(&d);
    mb_free(b);
}

/* A standalone tensor with distinct, nonzero-ish element bytes. */
static Tensor *make_tensor(DType type, int rank, const int64_t *dims)
{
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup("t");
    t->dtype = type;
    t->shape.rank = rank;
    if (rank)
        memcpy(t->shape.dim, dims, (size_t)rank * sizeof *dims);
    t->shape_known = true;
    t->data = xcalloc(1, tensor_bytes(t));
    for (int64_t i = 0; i < tensor_numel(t); i++)
        dtype_set_i64(type, t->data, (size_t)i, 3 * i - 5);
    return t;
}

/* Writes t to .npy, reads it back and compares everything. */
static void check_npy_round_trip(DType type, int rank, const int64_t *dims)
{
    Tensor *t = make_tensor(type, rank, dims);
    char path[512];
    join(path, sizeof path, scratch, "round.npy");
    Diag d = {0};
    CU_ASSERT_FATAL(npy_write(path, t, &d));
    Tensor *r = npy_read(path, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(d.count, 0);
    CU_ASSERT_STRING_EQUAL(r->name, "round");
    CU_ASSERT_EQUAL(r->dtype, type);
    CU_ASSERT(shape_equal(&r->shape, &t->shape) && r->shape_known);
    CU_ASSERT(memcmp(r->data, t->data, tensor_bytes(t)) == 0);
    /* numpy pads the header so the data starts 64-byte aligned. */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    CU_ASSERT_EQUAL(((size_t)ftell(f) - tensor_bytes(t)) % 64, 0);
    fclose(f);
    tensor_free(r);
    tensor_free(t);
    diag_free(&d);
}

static void test_npy_round_trip(void)
{
    check_npy_round_trip(DT_FLOAT, 4, (int64_t[]){1, 3, 2, 5});
    check_npy_round_trip(DT_DOUBLE, 1, (int64_t[]){7});
    check_npy_round_trip(DT_INT8, 2, (int64_t[]){3, 3});
    check_npy_round_trip(DT_INT64, 0, NULL);
    check_npy_round_trip(DT_UINT16, 3, (int64_t[]){2, 1, 2});
    check_npy_round_trip(DT_UINT8, 1, (int64_t[]){9});
    check_npy_round_trip(DT_BOOL, 2, (int64_t[]){2, 3});
    check_npy_round_trip(DT_INT32, 2, (int64_t[]){0, 3});
}

/* Files as numpy writes them: format 1.0 and 2.0, numpy's spellings. */
static void test_npy_numpy_headers(void)
{
    char path[512];
    join(path, sizeof path, scratch, "np.npy");
    float f[6] = {0, 1, 2, 3, 4, 5};
    Diag d = {0};
    for (int major = 1; major <= 3; major++) {
        CU_ASSERT_FATAL(write_npy(path, major,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f));
        Tensor *t = npy_read(path, &d);
        CU_ASSERT_FATAL(t != NULL);
        CU_ASSERT(t->dtype == DT_FLOAT && shape_equal(&t->shape, &(Shape){2, {2, 3}}));
        CU_ASSERT(memcmp(t->data, f, sizeof f) == 0);
        tensor_free(t);
    }
    /* Key order, double quotes and no trailing comma are all Python. */
    CU_ASSERT_FATAL(write_npy(path, 1,
        "{\"shape\": (5,), \"fortran_order\": False, \"descr\": \"|i1\"}", "abcde", 5));
    Tensor *t = tensor_read_file(path, &d);
    CU_ASSERT(t && t->dtype == DT_INT8 && t->shape.rank == 1 && t->shape.dim[0] == 5);
    CU_ASSERT(t && memcmp(t->data, "abcde", 5) == 0);
    tensor_free(t);
    CU_ASSERT_EQUAL(d.count, 0);
    diag_free(&d);
}

/* ONNX test-data .pb files are serialized TensorProtos. */
static void test_tensor_pb_file(void)
{
    Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
    int64_t dims[2] = {2, 2};
    float v[4] = {1, -1, 0.5f, 8};
    tp.name = "input_0";
    tp.has_data_type = 1;
    tp.data_type = DT_FLOAT;
    tp.n_dims = 2;
    tp.dims = dims;
    tp.has_raw_data = 1;
    tp.raw_data = (ProtobufCBinaryData){sizeof v, (uint8_t *)v};
    uint8_t buf[256];
    CU_ASSERT_FATAL(onnx__tensor_proto__get_packed_size(&tp) <= sizeof buf);
    size_t len = onnx__tensor_proto__pack(&tp, buf);
    char path[512];
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "input_0.pb"), buf, len));

    Diag d = {0};
    Tensor *t = tensor_read_file(path, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->name, "input_0");
    CU_ASSERT(t->dtype == DT_FLOAT && shape_equal(&t->shape, &(Shape){2, {2, 2}}));
    CU_ASSERT(memcmp(t->data, v, sizeof v) == 0);
    tensor_free(t);

    CU_ASSERT_PTR_NULL(tensor_read_file("whatever.txt", &d));
    CU_ASSERT(diag_has(&d, "unknown tensor file type"));
    diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Symbolic input dims (PyTorch's dynamic axes)                        */
/* ------------------------------------------------------------------ */

/* x[N,3], y[N,batch_size,?], z without a shape, w[2] static; the
 * output r = Relu(x) declared float32[N,3]. */
static Graph *load_symbolic(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){-1, 3});
    Onnx__ValueInfoProto *y = mb_input(b, "y", DT_FLOAT, 3, (int64_t[]){-1, -1, -1});
    y->type->tensor_type->shape->dim[1]->dim_param = "batch_size";
    y->type->tensor_type->shape->dim[2]->value_case =
        ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE__NOT_SET;
    mb_input(b, "z", DT_INT64, 0, NULL)->type->tensor_type->shape = NULL;
    mb_input(b, "w", DT_FLOAT, 1, (int64_t[]){2});
    mb_node(b, "Relu", "relu", "x", "r");
    mb_output(b, "r")->type = mb_tensor_type(b, DT_FLOAT, 2, (int64_t[]){-1, 3});
    Graph *g = load_ok(b, NULL);
    mb_free(b);
    return g;
}

static void test_symbolic_inputs_load(void)
{
    Graph *g = load_symbolic();
    CU_ASSERT_FATAL(g && g->n_inputs == 4);
    Tensor *x = g->inputs[0], *y = g->inputs[1], *z = g->inputs[2], *w = g->inputs[3];
    char buf[64];
    CU_ASSERT(!x->shape_known && x->dtype == DT_FLOAT && x->shape.rank == 2);
    CU_ASSERT(x->shape.dim[0] == -1 && x->shape.dim[1] == 3);
    CU_ASSERT_FATAL(x->dim_params != NULL);
    CU_ASSERT_STRING_EQUAL(x->dim_params[0], "N");
    CU_ASSERT_PTR_NULL(x->dim_params[1]);
    CU_ASSERT_STRING_EQUAL(declared_shape_str(x, buf, sizeof buf), "[N,3]");
    CU_ASSERT(!y->shape_known && y->dim_params && !y->dim_params[2]);
    CU_ASSERT_STRING_EQUAL(declared_shape_str(y, buf, sizeof buf), "[N,batch_size,?]");
    CU_ASSERT(!z->shape_known && !z->dim_params && z->dtype == DT_INT64);
    CU_ASSERT_STRING_EQUAL(declared_shape_str(z, buf, sizeof buf), "(no shape)");
    CU_ASSERT(w->shape_known && !w->dim_params);
    CU_ASSERT_STRING_EQUAL(declared_shape_str(w, buf, sizeof buf), "[2]");
    /* An output keeps its declaration until inference replaces it. */
    const Tensor *r = g->outputs[0];
    CU_ASSERT(!r->shape_known && r->dtype == DT_FLOAT);
    CU_ASSERT_STRING_EQUAL(declared_shape_str(r, buf, sizeof buf), "[N,3]");
    graph_free(g);
}

/* Parses `text`, expecting `rank` dims `dims`, or (rank -1) an error
 * containing `error`. */
static void check_shape_parse(const char *text, int rank, const int64_t *dims, const char *error)
{
    Diag d = {0};
    Shape s;
    bool ok = shape_parse(text, &s, "--shape x", &d);
    CU_ASSERT_EQUAL(ok, rank >= 0);
    /* `error` is given only when one is expected (rank -1): an unexpected
     * failure is reported by the assertion above, not by its message. */
    if (rank < 0) {
        CU_ASSERT(diag_has(&d, "--shape x: "));
        CU_ASSERT(diag_has(&d, error));
    } else if (ok) {
        CU_ASSERT(s.rank == rank);
        for (int i = 0; i < rank && i < s.rank; i++)
            CU_ASSERT_EQUAL(s.dim[i], dims[i]);
    }
    diag_free(&d);
}

static void test_shape_parse(void)
{
    check_shape_parse("2,3", 2, (int64_t[]){2, 3}, NULL);
    check_shape_parse("0,17,1", 3, (int64_t[]){0, 17, 1}, NULL);
    check_shape_parse("", 0, NULL, NULL); /* a scalar */
    const char *not_dims[] = {"2,,3", "2,", ",2", "-1", "+1", "a", "2 3", "2x3", "3.0"};
    for (size_t i = 0; i < sizeof not_dims / sizeof *not_dims; i++)
        check_shape_parse(not_dims[i], -1, NULL, "is not a list of dims");
    check_shape_parse("1,1,1,1,1,1,1,1,1", -1, NULL, "more than 8 dims");
    check_shape_parse("1048576,1048576,2", -1, NULL, "too many elements");
    check_shape_parse("99999999999999999999999", -1, NULL, "too many elements");
    check_shape_parse("0,2199023255553", -1, NULL, "too many elements");
}

/* Fixes input `name` of g to `rank` dims; true on success, else expects
 * each text of `errors` (NULL-terminated) in the message. */
static bool fix(Graph *g, const char *name, int rank, const int64_t *dims,
                const char *const *errors)
{
    Shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.dim[i] = dims[i];
    Diag d = {0};
    bool ok = input_fix_shape(g, graph_find_tensor(g, name), &s, "--shape t", &d);
    for (int i = 0; !ok && errors && errors[i]; i++) {
        if (!diag_has(&d, errors[i]))
            fprintf(stderr, "\nmissing \"%s\" in:\n%s", errors[i], d.text.buf);
        CU_ASSERT(diag_has(&d, errors[i]));
    }
    CU_ASSERT_EQUAL(d.count, ok ? 0 : 1);
    diag_free(&d);
    return ok;
}

#define FIX_FAILS(g, name, rank, dims, ...) \
    CU_ASSERT(!fix((g), (name), (rank), (dims), (const char *const[]){__VA_ARGS__, NULL}))

static void test_fix_input_shapes(void)
{
    Graph *g = load_symbolic();
    CU_ASSERT_FATAL(g != NULL);
    const Tensor *x = g->inputs[0], *y = g->inputs[1];
    /* The declared rank and static dims hold. */
    FIX_FAILS(g, "x", 3, ((int64_t[]){2, 3, 1}), "--shape t: input 'x' is declared [N,3]",
              "of rank 2, not 3");
    FIX_FAILS(g, "x", 2, ((int64_t[]){2, 4}), "input 'x' is declared [N,3]: axis 1 is 3, not 4");
    CU_ASSERT(!x->shape_known);
    /* One dim_param, one value: within an input and across inputs. */
    CU_ASSERT(fix(g, "x", 2, (int64_t[]){5, 3}, NULL));
    CU_ASSERT(x->shape_known && shape_equal(&x->shape, &(Shape){2, {5, 3}}));
    FIX_FAILS(g, "y", 3, ((int64_t[]){4, 1, 1}), "dimension 'N' would be 4 at axis 0 of input 'y'",
              "but it is 5 at axis 0 of input 'x'");
    CU_ASSERT(!y->shape_known);
    /* batch_size and the unnamed dim are free. */
    CU_ASSERT(fix(g, "y", 3, (int64_t[]){5, 7, 0}, NULL));
    CU_ASSERT(y->shape_known && shape_equal(&y->shape, &(Shape){3, {5, 7, 0}}));
    /* A known shape (fixed, or static in the model) must be given again. */
    CU_ASSERT(fix(g, "x", 2, (int64_t[]){5, 3}, NULL));
    FIX_FAILS(g, "x", 2, ((int64_t[]){6, 3}), "input 'x' has the shape [5,3], not [6,3]");
    CU_ASSERT(fix(g, "w", 1, (int64_t[]){2}, NULL));
    FIX_FAILS(g, "w", 1, ((int64_t[]){3}), "input 'w' has the shape [2], not [3]");
    /* No declared shape: any rank, a scalar too. */
    CU_ASSERT(fix(g, "z", 0, NULL, NULL));
    CU_ASSERT(g->inputs[2]->shape_known && g->inputs[2]->shape.rank == 0);
    /* Inference gives the output its shape, the declared N fixed to 5. */
    Diag d = {0};
    CU_ASSERT(graph_infer(g, &d));
    diag_free(&d);
    CU_ASSERT(g->outputs[0]->shape_known &&
              shape_equal(&g->outputs[0]->shape, &(Shape){2, {5, 3}}));
    graph_free(g);

    /* The same dim_param twice in one input. */
    Builder *b = mb_new(13);
    mb_input(b, "sq", DT_FLOAT, 2, (int64_t[]){-1, -1});
    mb_output(b, "sq");
    g = load_ok(b, NULL);
    mb_free(b);
    CU_ASSERT_FATAL(g != NULL);
    FIX_FAILS(g, "sq", 2, ((int64_t[]){2, 3}), "dimension 'N' would be 3 at axis 1 of input 'sq'",
              "but it is 2 at axis 0 of input 'sq'");
    CU_ASSERT(fix(g, "sq", 2, (int64_t[]){3, 3}, NULL));
    graph_free(g);
}

/* An input left without a shape is refused with the phrase the
 * conformance runner looks for, naming it in quotes. */
static void test_shape_required(void)
{
    Graph *g = load_symbolic();
    CU_ASSERT_FATAL(g != NULL);
    Diag d = {0};
    CU_ASSERT(!input_shape_required(g->inputs[1], &d));
    CU_ASSERT(diag_has(&d, "the shape of graph input 'y', [N,batch_size,?], must be known at "
                           "compile time"));
    CU_ASSERT(diag_has(&d, "--shape y=D0,D1,... or --bind y=FILE"));
    CU_ASSERT(!input_shape_required(g->inputs[2], &d));
    CU_ASSERT(diag_has(&d, "graph input 'z', (no shape), must be known at compile time"));
    CU_ASSERT(input_shape_required(g->inputs[3], &d));
    CU_ASSERT_EQUAL(d.count, 2);
    /* Inference refuses a node reading an input of unknown shape. */
    CU_ASSERT(!graph_infer(g, &d));
    CU_ASSERT(diag_has(&d, "input 'x' has no known shape"));
    diag_free(&d);
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("frontend", suite_init, suite_cleanup);
    CU_add_test(s, "simple graph", test_simple_graph);
    CU_add_test(s, "typed data fields", test_typed_fields);
    CU_add_test(s, "raw data", test_raw_data);
    CU_add_test(s, "zero-size initializer", test_zero_size_initializer);
    CU_add_test(s, "initializer listed as input", test_initializer_as_input);
    CU_add_test(s, "opset import", test_opset_import);
    CU_add_test(s, "attributes", test_attributes);
    CU_add_test(s, "omitted inputs and outputs", test_omitted_inputs_and_outputs);
    CU_add_test(s, "omitted required input", test_omitted_required_input);
    CU_add_test(s, "no nodes", test_no_nodes);
    CU_add_test(s, "nodes out of order", test_nodes_out_of_order);
    CU_add_test(s, "external data", test_external_data);
    CU_add_test(s, "npy round trip", test_npy_round_trip);
    CU_add_test(s, "npy numpy headers", test_npy_numpy_headers);
    CU_add_test(s, "TensorProto file", test_tensor_pb_file);
    CU_add_test(s, "symbolic inputs load", test_symbolic_inputs_load);
    CU_add_test(s, "--shape dims parsing", test_shape_parse);
    CU_add_test(s, "fixing input shapes", test_fix_input_shapes);
    CU_add_test(s, "input shape required", test_shape_required);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
