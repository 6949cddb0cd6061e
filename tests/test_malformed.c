/*
 * test_malformed.c - hostile and broken inputs to the frontend.  Each must
 * give NULL (or false) and a message naming the problem, never a crash;
 * run under ASan+UBSan to check the "never" part.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, symlink */

#include <CUnit/Basic.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "frontend_fixtures.h"

static char scratch[] = "/tmp/sinter_malformed_XXXXXX";
static char outside[] = "/tmp/sinter_outside_XXXXXX"; /* a folder beside it */

static int suite_init(void)
{
    return mkdtemp(scratch) && mkdtemp(outside) ? 0 : -1;
}

static int suite_cleanup(void)
{
    remove_tree(scratch);
    remove_tree(outside);
    return 0;
}

/* Loads b from memory (external data resolved in `dir`), expecting
 * failure with a message containing each of the NULL-terminated texts. */
static void expect_error_in(Builder *b, const char *dir, const char *const *texts)
{
    Diag d = {0};
    Graph *g = mb_load(b, dir, &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT(d.count > 0);
    for (int i = 0; texts[i]; i++)
        CU_ASSERT(diag_expect(&d, texts[i]));
    graph_free(g);
    diag_free(&d);
    mb_free(b);
}

#define EXPECT_ERROR(b, ...) expect_error_in((b), NULL, (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_ERROR_DIR(b, dir, ...) \
    expect_error_in((b), (dir), (const char *const[]){__VA_ARGS__, NULL})

/* A valid model: y = Relu(x) + w. */
static Builder *valid_model(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){1, 2});
    Onnx__TensorProto *w = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){2});
    mb_raw(b, w, (float[]){1, 2}, 2 * sizeof(float));
    mb_initializer(b, w);
    mb_node(b, "Relu", "relu", "x", "r");
    mb_node(b, "Add", "add", "r,w", "y");
    mb_output(b, "y");
    return b;
}

/* A model whose only initializer "w" is the given tensor (and its output). */
static Builder *model_with_initializer(Onnx__TensorProto *(*make)(Builder *))
{
    Builder *b = mb_new(13);
    mb_initializer(b, make(b));
    mb_output(b, "w");
    return b;
}

static void expect_buffer_error(const uint8_t *buf, size_t len, const char *text)
{
    Diag d = {0};
    Graph *g = onnx_load_buffer(buf, len, NULL, &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT(diag_has(&d, text));
    graph_free(g);
    diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Protobuf level                                                      */
/* ------------------------------------------------------------------ */

/* Every strict prefix of a model is refused: protobuf-c rejects a cut
 * inside a field, and a cut between fields loses the graph's tail or the
 * opset_import (written after the graph), which the reader refuses. */
static void test_truncated(void)
{
    Builder *b = valid_model();
    size_t len;
    uint8_t *buf = mb_pack(b, &len);
    int loaded = 0;
    for (size_t n = 0; n < len; n++) {
        Diag d = {0};
        Graph *g = onnx_load_buffer(buf, n, NULL, &d);
        loaded += g != NULL;
        CU_ASSERT(d.count > 0);
        graph_free(g);
        diag_free(&d);
    }
    CU_ASSERT_EQUAL(loaded, 0);
    expect_buffer_error(buf, len - 3, "protobuf parse failed");
    mb_free(b);
}

static void test_wrong_wire_type(void)
{
    /* ModelProto.graph (field 7) must be length-delimited; here it is a
     * varint.  And ir_version (field 1), a varint, sent as bytes. */
    static const uint8_t graph_as_varint[] = {0x38, 0x01};
    static const uint8_t version_as_bytes[] = {0x0a, 0x01, 0x00};
    expect_buffer_error(graph_as_varint, sizeof graph_as_varint, "protobuf parse failed");
    expect_buffer_error(version_as_bytes, sizeof version_as_bytes, "protobuf parse failed");
}

static void test_garbage(void)
{
    uint8_t junk[256];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    expect_buffer_error(junk, sizeof junk, "not a valid ONNX model");
    memset(junk, 0xff, sizeof junk);
    expect_buffer_error(junk, sizeof junk, "not a valid ONNX model");
    expect_buffer_error(junk, 0, "the model has no graph");
}

/* Flipping bytes of a valid model must never crash; whatever loads must
 * come with no errors, whatever fails with at least one. */
static void test_byte_flips(void)
{
    Builder *b = valid_model();
    size_t len;
    uint8_t *orig = mb_pack(b, &len);
    uint8_t *buf = xmalloc(len);
    uint32_t seed = 12345;
    bool consistent = true;
    for (size_t pos = 0; pos < len; pos++) {
        for (int k = 0; k < 4; k++) {
            memcpy(buf, orig, len);
            seed = seed * 1103515245u + 12345u;
            buf[pos] ^= (uint8_t)(1u << (seed >> 16) % 8) | (uint8_t)(k ? seed >> 24 : 0);
            Diag d = {0};
            Graph *g = onnx_load_buffer(buf, len, NULL, &d);
            consistent &= (g == NULL) == (d.count > 0);
            graph_free(g);
            diag_free(&d);
        }
    }
    CU_ASSERT(consistent);
    free(buf);
    mb_free(b);
}

/* Writes a length-delimited field header for `len` bytes just before p;
 * returns the new start. */
static uint8_t *prepend_header(uint8_t *p, unsigned field, size_t len)
{
    uint8_t header[12];
    size_t n = 0;
    header[n++] = (uint8_t)(field << 3 | 2);
    do {
        header[n++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    p -= n;
    memcpy(p, header, n);
    return p;
}

/* Subgraph in node in subgraph ... 100000 deep: protobuf-c's recursive
 * unpacker would overflow the stack on this 1.2 MB model. */
static void test_deep_nesting(void)
{
    enum { LEVELS = 100000 };
    size_t cap = (size_t)LEVELS * 3 * 6 + 16;
    uint8_t *buf = xmalloc(cap), *end = buf + cap, *p = end;
    for (int i = 0; i < LEVELS; i++) {
        p = prepend_header(p, 6, (size_t)(end - p)); /* AttributeProto.g */
        p = prepend_header(p, 5, (size_t)(end - p)); /* NodeProto.attribute */
        p = prepend_header(p, 1, (size_t)(end - p)); /* GraphProto.node */
    }
    p = prepend_header(p, 7, (size_t)(end - p)); /* ModelProto.graph */
    expect_buffer_error(p, (size_t)(end - p), "nests messages more than 100 levels deep");
    free(buf);
}

/* Three million empty initializers: 6 MB on the wire, but gigabytes of
 * structs once unpacked. */
static void test_message_flood(void)
{
    enum { COUNT = 3000000 };
    size_t cap = (size_t)COUNT * 2 + 16;
    uint8_t *buf = xmalloc(cap), *end = buf + cap, *p = end;
    for (int i = 0; i < COUNT; i++)
        p = prepend_header(p, 5, 0); /* GraphProto.initializer */
    p = prepend_header(p, 7, (size_t)(end - p)); /* ModelProto.graph */
    expect_buffer_error(p, (size_t)(end - p), "holds too many protobuf messages");
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Tensors                                                             */
/* ------------------------------------------------------------------ */

static Onnx__TensorProto *negative_dim(Builder *b)
{
    return mb_tensor(b, "w", DT_FLOAT, 2, (int64_t[]){2, -3});
}

static Onnx__TensorProto *overflowing_dims(Builder *b)
{
    return mb_tensor(b, "w", DT_FLOAT, 3, (int64_t[]){1LL << 30, 1LL << 30, 1LL << 30});
}

static Onnx__TensorProto *too_many_dims(Builder *b)
{
    return mb_tensor(b, "w", DT_FLOAT, 9, (int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1});
}

static Onnx__TensorProto *short_raw_data(Builder *b)
{
    Onnx__TensorProto *t = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){4});
    mb_raw(b, t, (float[]){1, 2, 3}, 3 * sizeof(float));
    return t;
}

static Onnx__TensorProto *short_typed_data(Builder *b)
{
    Onnx__TensorProto *t = mb_tensor(b, "w", DT_INT64, 1, (int64_t[]){3});
    t->n_int64_data = 2;
    t->int64_data = mb_alloc(b, 2 * sizeof(int64_t));
    return t;
}

static Onnx__TensorProto *complex_tensor(Builder *b)
{
    Onnx__TensorProto *t = mb_tensor(b, "w", 14 /* complex64 */, 1, (int64_t[]){1});
    mb_raw(b, t, "\0\0\0\0\0\0\0\0", 8);
    return t;
}

static Onnx__TensorProto *string_tensor(Builder *b)
{
    return mb_tensor(b, "w", DT_STRING, 1, (int64_t[]){1});
}

static Onnx__TensorProto *unknown_dtype(Builder *b)
{
    return mb_tensor(b, "w", 999, 1, (int64_t[]){1});
}

static void test_bad_tensors(void)
{
    EXPECT_ERROR(model_with_initializer(negative_dim), "initializer 'w'",
                 "negative dimension -3 at axis 1");
    EXPECT_ERROR(model_with_initializer(overflowing_dims), "initializer 'w'", "too many elements");
    EXPECT_ERROR(model_with_initializer(too_many_dims), "rank 9 exceeds the maximum of 8");
    EXPECT_ERROR(model_with_initializer(short_raw_data), "raw_data holds 12 bytes",
                 "4 elements of float32 need 16");
    EXPECT_ERROR(model_with_initializer(short_typed_data), "int64_data holds 2 values");
    EXPECT_ERROR(model_with_initializer(complex_tensor), "unsupported data type 14");
    EXPECT_ERROR(model_with_initializer(string_tensor), "string tensors are not supported");
    EXPECT_ERROR(model_with_initializer(unknown_dtype), "unsupported data type 999");
}

static void test_bad_attribute_tensor(void)
{
    Builder *b = valid_model();
    Onnx__NodeProto *n = mb_node(b, "Constant", "konst", "", "k");
    mb_attr(b, n, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t =
        negative_dim(b);
    EXPECT_ERROR(b, "node 'konst' (Constant): attribute 'value'", "negative dimension");
}

static void test_graph_attribute(void)
{
    Builder *b = valid_model();
    Onnx__NodeProto *n = mb_node(b, "If", "branch", "x", "z");
    mb_attr(b, n, "then_branch", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
    EXPECT_ERROR(b, "node 'branch' (If): attribute 'then_branch' holds a subgraph");
}

/* ------------------------------------------------------------------ */
/* Attributes checked against the op's schema (issue 14)               */
/* ------------------------------------------------------------------ */

/* y = Conv(x, w) at `opset`, x [1,1,4,4] and w [1,1,3,3], with no
 * attributes yet: the test adds one. */
static Builder *conv_model(int64_t opset, Onnx__NodeProto **conv)
{
    Builder *b = mb_new(opset);
    mb_input(b, "x", DT_FLOAT, 4, (int64_t[]){1, 1, 4, 4});
    Onnx__TensorProto *w = mb_tensor(b, "w", DT_FLOAT, 4, (int64_t[]){1, 1, 3, 3});
    mb_raw(b, w, (float[9]){0}, 9 * sizeof(float));
    mb_initializer(b, w);
    *conv = mb_node(b, "Conv", "conv", "x,w", "y");
    mb_output(b, "y");
    return b;
}

static void string_attr(Builder *b, Onnx__NodeProto *n, const char *name, const char *value)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s = (ProtobufCBinaryData){strlen(value), (uint8_t *)mb_str(b, value)};
}

static void test_attribute_wrong_type(void)
{
    Onnx__NodeProto *conv;
    Builder *b = conv_model(13, &conv);
    Onnx__AttributeProto *a = mb_attr(b, conv, "kernel_shape",
                                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = 2;
    a->floats = mb_alloc(b, 2 * sizeof *a->floats);
    a->floats[0] = a->floats[1] = 3.0f;
    EXPECT_ERROR(b, "node 'conv' (Conv, opset 13): attribute 'kernel_shape' is FLOATS; Conv "
                    "takes it as INTS");

    b = conv_model(13, &conv);
    string_attr(b, conv, "pads", "1,1,1,1");
    EXPECT_ERROR(b, "node 'conv' (Conv, opset 13): attribute 'pads' is STRING; Conv takes it "
                    "as INTS");

    b = conv_model(13, &conv);
    mb_attr(b, conv, "group", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)->f = 1.0f;
    EXPECT_ERROR(b, "node 'conv' (Conv, opset 13): attribute 'group' is FLOAT; Conv takes it "
                    "as INT");
}

static void test_attribute_not_of_op(void)
{
    Builder *b = valid_model();
    mb_attr(b, b->graph.node[0], "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)->f = 0.1f;
    EXPECT_ERROR(b, "node 'relu' (Relu, opset 13): attribute 'alpha' is not an attribute of "
                    "Relu at opset 13");

    /* The node's opset decides: ReduceMean's `axes` became an input. */
    Onnx__NodeProto *n;
    b = valid_model();
    b->model.opset_import[0]->version = 18;
    n = mb_node(b, "ReduceMean", "mean", "y", "m");
    mb_attr(b, n, "axes", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    EXPECT_ERROR(b, "node 'mean' (ReduceMean, opset 18): attribute 'axes' is not an attribute "
                    "of ReduceMean at opset 18");
}

static void test_attribute_value_not_allowed(void)
{
    Onnx__NodeProto *conv;
    Builder *b = conv_model(13, &conv);
    string_attr(b, conv, "auto_pad", "SAME");
    EXPECT_ERROR(b, "node 'conv' (Conv, opset 13): attribute 'auto_pad' is \"SAME\"; Conv "
                    "allows NOTSET SAME_UPPER SAME_LOWER VALID");
}

/* An If whose then_branch passes x through, and no else_branch. */
static void test_attribute_required(void)
{
    Builder *b = valid_model();
    Onnx__GraphProto *then = mb_subgraph(b, "then");
    then->output[then->n_output++] = mb_value_info(b, "x");
    mb_input(b, "c", DT_BOOL, 0, NULL);
    Onnx__NodeProto *n = mb_node(b, "If", "branch", "c", "z");
    mb_attr(b, n, "then_branch", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g = then;
    EXPECT_ERROR(b, "node 'branch' (If, opset 13): the required attribute 'else_branch' "
                    "(GRAPH) is missing");

    b = valid_model();
    mb_node(b, "Loop", "loop", "", "z");
    EXPECT_ERROR(b, "node 'loop' (Loop, opset 13): the required attribute 'body' (GRAPH) is "
                    "missing");
}

/* ------------------------------------------------------------------ */
/* Declared shapes (issue 14)                                          */
/* ------------------------------------------------------------------ */

/* x [1,4,16,16] -> Relu -> y, y declared float32 `dims`. */
static Builder *relu_declared(const int64_t *dims)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 4, (int64_t[]){1, 4, 16, 16});
    mb_node(b, "Relu", "relu", "x", "y");
    mb_output(b, "y")->type = mb_tensor_type(b, DT_FLOAT, 4, dims);
    return b;
}

static void test_declared_dims_invalid(void)
{
    Builder *b = relu_declared((int64_t[]){1, 4, 8, 8});
    b->graph.output[0]->type->tensor_type->shape->dim[2]->dim_value = -8;
    EXPECT_ERROR(b, "graph output 'y': negative dimension -8 at axis 2");

    b = relu_declared((int64_t[]){1, 4, 16, 16});
    b->graph.value_info = mb_list(b);
    Onnx__ValueInfoProto *vi = b->graph.value_info[b->graph.n_value_info++] =
        mb_value_info(b, "y");
    vi->type = mb_tensor_type(b, DT_FLOAT, 3, (int64_t[]){-1, 1 << 30, 1 << 30});
    EXPECT_ERROR(b, "graph value_info 'y': shape [1,1073741824,1073741824] has too many "
                    "elements");
}

/* Loads b, gives its input the shape x (as --shape would; NULL: it is
 * static), and expects inference to fail naming `text` (or to succeed
 * when that is NULL). */
static void expect_infer(Builder *b, const Shape *x, const char *text)
{
    Diag d = {0};
    Graph *g = mb_load(b, NULL, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    bool ok = (!x || input_fix_shape(g, g->inputs[0], x, "test", &d)) && graph_infer(g, &d);
    CU_ASSERT_EQUAL(ok, text == NULL);
    CU_ASSERT_TRUE(diag_expect(&d, text));
    graph_free(g);
    diag_free(&d);
    mb_free(b);
}

static void test_declared_shape_contradicted(void)
{
    expect_infer(relu_declared((int64_t[]){1, 4, 8, 8}), NULL,
                 "node 'relu' (Relu, opset 13): output 'y' is declared [1,4,8,8], but its shape "
                 "is [1,4,16,16]");
}

/* x [N,4] -> Relu -> y [N,4]; x, x -> Concat (axis 0) -> z, declared
 * with `z_dims`. */
static Builder *symbolic_model(const int64_t *x_dims, const int64_t *z_dims)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 2, x_dims);
    mb_node(b, "Relu", "relu", "x", "y");
    Onnx__NodeProto *cat = mb_node(b, "Concat", "cat", "x,x", "z");
    mb_attr(b, cat, "axis", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)->i = 0;
    mb_output(b, "y")->type = mb_tensor_type(b, DT_FLOAT, 2, (int64_t[]){-1, 4});
    mb_output(b, "z")->type = mb_tensor_type(b, DT_FLOAT, 2, z_dims);
    return b;
}

/* Each dim_param names one value: the input's, or the first output's. */
static void test_declared_symbols_bind(void)
{
    const Shape two = {2, {2, 4}};
    expect_infer(symbolic_model((int64_t[]){-1, 4}, (int64_t[]){4, 4}), &two, NULL);
    expect_infer(symbolic_model((int64_t[]){-1, 4}, (int64_t[]){-1, 4}), &two,
                 "node 'cat' (Concat, opset 13): output 'z' is declared [N,4]: axis 0 ('N') is "
                 "4, but 'N' is 2 elsewhere");
    expect_infer(symbolic_model((int64_t[]){3, 4}, (int64_t[]){-1, 4}), NULL,
                 "output 'z' is declared [N,4]: axis 0 ('N') is 6, but 'N' is 3 elsewhere");
}

/* ------------------------------------------------------------------ */
/* Graph structure                                                     */
/* ------------------------------------------------------------------ */

static void test_undefined_tensor(void)
{
    Builder *b = valid_model();
    mb_node(b, "Mul", "mul", "y,missing_weight", "z");
    EXPECT_ERROR(b, "node 'mul' (Mul): input 'missing_weight' is not defined");
}

static void test_duplicate_definitions(void)
{
    Builder *b = valid_model();
    mb_node(b, "Relu", "again", "x", "r");
    EXPECT_ERROR(b, "tensor 'r' is defined twice: by node 'relu' (Relu) and by node 'again' "
                    "(Relu)");

    b = valid_model();
    mb_node(b, "Relu", "shadow", "x", "w");
    EXPECT_ERROR(b, "tensor 'w' is defined twice: by an initializer and by node 'shadow'");

    b = valid_model();
    mb_input(b, "x", DT_FLOAT, 1, (int64_t[]){2});
    EXPECT_ERROR(b, "tensor 'x' is defined twice: by graph input 'x'");

    b = valid_model();
    mb_output(b, "y");
    EXPECT_ERROR(b, "graph output 'y' is listed twice");
}

/* Caps that keep loading linear: they name the count. */
static void test_too_many(void)
{
    Builder *b = valid_model();
    Onnx__NodeProto *n = mb_node(b, "Relu", "busy", "x", "z");
    Onnx__AttributeProto *a = mb_attr(b, n, "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    n->n_attribute = 1001;
    n->attribute = mb_alloc(b, n->n_attribute * sizeof *n->attribute);
    for (size_t i = 0; i < n->n_attribute; i++)
        n->attribute[i] = a;
    EXPECT_ERROR(b, "node 'busy' (Relu) has 1001 attributes; at most 1000");

    b = valid_model();
    b->model.n_opset_import = 0;
    b->model.opset_import = mb_alloc(b, 1001 * sizeof *b->model.opset_import);
    mb_opset(b, "", 13);
    for (size_t i = 1; i < 1001; i++)
        b->model.opset_import[i] = b->model.opset_import[0];
    b->model.n_opset_import = 1001;
    EXPECT_ERROR(b, "model imports 1001 opsets");
}

static void test_undefined_output(void)
{
    Builder *b = valid_model();
    mb_output(b, "nowhere");
    EXPECT_ERROR(b, "graph output 'nowhere' is not defined");
}

/* All problems of a model come out of one load. */
static void test_errors_accumulate(void)
{
    Builder *b = valid_model();
    mb_node(b, "Mul", "m1", "y,ghost1", "z1");
    mb_node(b, "Mul", "m2", "ghost2,y", "z2");
    mb_node(b, "Relu", "dup", "y", "r");
    mb_initializer(b, negative_dim(b));
    mb_output(b, "z9");
    EXPECT_ERROR(b, "'ghost1'", "'ghost2'", "tensor 'r' is defined twice",
                 "tensor 'w' is defined twice", "graph output 'z9'");
}

static void test_missing_opset(void)
{
    Builder *b = valid_model();
    b->model.n_opset_import = 0;
    mb_opset(b, "com.microsoft", 1);
    EXPECT_ERROR(b, "imports no ai.onnx opset");

    b = valid_model();
    b->model.opset_import[0]->version = 1LL << 40;
    EXPECT_ERROR(b, "invalid ai.onnx opset version 1099511627776");

    b = valid_model();
    Onnx__NodeProto *n = mb_node(b, "Foo", "foo", "y", "z");
    n->domain = "org.example";
    EXPECT_ERROR(b, "node 'foo' (Foo) uses domain 'org.example'");
}

/* Symbolic and missing input dims load (the compiling commands fix them;
 * see test_frontend.c), but what a model does declare is checked. */
static void test_symbolic_input_dim(void)
{
    Builder *b = mb_new(13);
    Onnx__ValueInfoProto *vi = mb_input(b, "images", DT_FLOAT, 2, (int64_t[]){-1, 3});
    vi->type->tensor_type->shape->dim[1]->dim_value = -3;
    mb_node(b, "Relu", "relu", "images", "y");
    mb_output(b, "y");
    EXPECT_ERROR(b, "graph input 'images': negative dimension -3 at axis 1");

    b = mb_new(13);
    mb_input(b, "images", DT_FLOAT, 9, (int64_t[]){-1, 1, 1, 1, 1, 1, 1, 1, 1});
    mb_node(b, "Relu", "relu", "images", "y");
    mb_output(b, "y");
    EXPECT_ERROR(b, "graph input 'images': rank 9 exceeds the maximum of 8");

    b = mb_new(13);
    vi = mb_input(b, "images", 99, 1, (int64_t[]){-1});
    mb_node(b, "Relu", "relu", "images", "y");
    mb_output(b, "y");
    EXPECT_ERROR(b, "graph input 'images'");
}

/* ------------------------------------------------------------------ */
/* External data                                                       */
/* ------------------------------------------------------------------ */

/* A model whose initializer w (3 floats) lives at `location`. */
static Builder *external_model(const char *location, const char *offset, const char *length)
{
    Builder *b = mb_new(13);
    Onnx__TensorProto *t = mb_tensor(b, "w", DT_FLOAT, 1, (int64_t[]){3});
    mb_external(b, t, location, offset, length);
    mb_initializer(b, t);
    mb_output(b, "w");
    return b;
}

/* A UNIX socket bound at `path` (a file of its own kind), or -1. */
static int bind_socket(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return -1;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void test_external_paths(void)
{
    char path[512], link[512];
    float v[3] = {1, 2, 3};
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "w.bin"), v, sizeof v));
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, outside, "secret.bin"), v, sizeof v));
    CU_ASSERT_FATAL(symlink(path, join(link, sizeof link, scratch, "escape.bin")) == 0);
    CU_ASSERT_FATAL(symlink(outside, join(link, sizeof link, scratch, "escape_dir")) == 0);

    /* The good file loads, so the failures below are about the paths. */
    Builder *b = external_model("w.bin", NULL, NULL);
    Diag d = {0};
    Graph *g = mb_load(b, scratch, &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    graph_free(g);
    diag_free(&d);
    mb_free(b);

    EXPECT_ERROR_DIR(external_model("../w.bin", NULL, NULL), scratch, "initializer 'w'",
                     "contains a '..' component");
    EXPECT_ERROR_DIR(external_model("sub/..\\..\\x", NULL, NULL), scratch, "'..' component");
    EXPECT_ERROR_DIR(external_model(path, NULL, NULL), scratch, "is an absolute path");
    EXPECT_ERROR_DIR(external_model("escape.bin", NULL, NULL), scratch,
                     "outside the model folder");
    EXPECT_ERROR_DIR(external_model("escape_dir/secret.bin", NULL, NULL), scratch,
                     "outside the model folder");
    EXPECT_ERROR_DIR(external_model("absent.bin", NULL, NULL), scratch,
                     "cannot open external data file");
    EXPECT_ERROR_DIR(external_model("", NULL, NULL), scratch, "external data has no location");
    EXPECT_ERROR(external_model("w.bin", NULL, NULL), "model was loaded from memory");
}

static void test_external_ranges(void)
{
    char path[512];
    float v[4] = {1, 2, 3, 4};
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "r.bin"), v, sizeof v));
    EXPECT_ERROR_DIR(external_model("r.bin", "100", NULL), scratch, "beyond the end");
    EXPECT_ERROR_DIR(external_model("r.bin", "8", "12"), scratch, "beyond the end");
    EXPECT_ERROR_DIR(external_model("r.bin", "0", "9223372036854775807"), scratch,
                     "beyond the end");
    EXPECT_ERROR_DIR(external_model("r.bin", NULL, "8"), scratch,
                     "external data holds 8 bytes, but the tensor needs 12");
    EXPECT_ERROR_DIR(external_model("r.bin", NULL, NULL), scratch, "holds 16 bytes");
    EXPECT_ERROR_DIR(external_model("r.bin", "-4", NULL), scratch,
                     "offset '-4' is not a non-negative integer");
    EXPECT_ERROR_DIR(external_model("r.bin", "99999999999999999999", NULL), scratch,
                     "is not a non-negative integer");
    /* Only regular files: each other kind is named. */
    CU_ASSERT_FATAL(mkdir(join(path, sizeof path, scratch, "adir"), 0700) == 0);
    EXPECT_ERROR_DIR(external_model("adir", NULL, NULL), scratch,
                     "adir' is a directory; only regular files are read");
    /* A FIFO that no one writes: refused at once, not waited on. */
    CU_ASSERT_FATAL(mkfifo(join(path, sizeof path, scratch, "fifo"), 0600) == 0);
    EXPECT_ERROR_DIR(external_model("fifo", NULL, NULL), scratch,
                     "fifo' is a FIFO; only regular files are read");
    EXPECT_ERROR_DIR(external_model("null", NULL, NULL), "/dev",
                     "'/dev/null' is a character device; only regular files are read");
    int sock = bind_socket(join(path, sizeof path, scratch, "sock"));
    CU_ASSERT_FATAL(sock >= 0);
    EXPECT_ERROR_DIR(external_model("sock", NULL, NULL), scratch,
                     "sock' is a socket; only regular files are read");
    close(sock);
    /* The folder itself is not inside the folder. */
    EXPECT_ERROR_DIR(external_model(".", NULL, NULL), scratch, "outside the model folder");
}

/* ------------------------------------------------------------------ */
/* Tensor files                                                        */
/* ------------------------------------------------------------------ */

/* Writes a .npy with the given dict and data, expects npy_read to fail
 * with `text`. */
static void expect_npy_error(int major, const char *dict, size_t data_len, const char *text)
{
    char path[512];
    uint8_t data[64] = {0};
    CU_ASSERT_FATAL(data_len <= sizeof data);
    CU_ASSERT_FATAL(write_npy(join(path, sizeof path, scratch, "bad.npy"), major, dict, data,
                              data_len));
    Diag d = {0};
    Tensor *t = npy_read(path, &d);
    CU_ASSERT_PTR_NULL(t);
    if (!diag_has(&d, text))
        fprintf(stderr, "\nmissing \"%s\" in:\n%s", text, d.text.buf);
    CU_ASSERT(diag_has(&d, text));
    tensor_free(t);
    diag_free(&d);
}

static void test_npy_bad_headers(void)
{
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8,
                     "fortran_order");
    expect_npy_error(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8,
                     "unsupported .npy dtype '>f4' (big endian)");
    expect_npy_error(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16,
                     "unsupported .npy dtype '<c8'");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 8,
                     "truncated");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8,
                     "trailing bytes");
    expect_npy_error(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 8,
                     "non-negative integer");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (99999999999999999999,), }", 8, "non-negative integer");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4294967296, 4294967296), }", 8, "too many elements");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 4, "rank exceeds");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, }", 4, "missing");
    expect_npy_error(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                        "'shape': (1,), }", 4, "unknown or repeated key");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4,
                     "unknown or repeated key");
    expect_npy_error(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", 4,
                     "not separated by commas");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", 4,
                     "fortran_order is not True or False");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", 4,
                     "unexpected text after the dict");
    expect_npy_error(1, "['descr']", 4, "header is not a dict");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4,
                     "shape is not a tuple");
    expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", 4,
                     "shape tuple is malformed");
    expect_npy_error(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", 4,
                     "bad .npy header");
}

/* Preamble damage: magic, version, header length beyond the file. */
static void test_npy_bad_preamble(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *text;
    } cases[] = {
        {"\x93NUMPZ\x01\x00\x00\x00", 10, "bad magic"},
        {"\x93NUMPY\x01", 7, "bad magic"},
        {"\x93NUMPY\x04\x00\x00\x00", 10, "unsupported .npy version 4.0"},
        {"\x93NUMPY\x01\x00\xff\xff{", 11, "header is truncated"},
        {"\x93NUMPY\x02\x00\xff\xff", 10, "header is truncated"},
        {"\x93NUMPY\x02\x00\x00\x00\x00\xf0", 12, "header is truncated"},
        {"\x93NUMPY\x01\x00\x00\x00", 10, "header is not a dict"},
    };
    char path[512];
    join(path, sizeof path, scratch, "pre.npy");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_FATAL(write_file(path, cases[i].bytes, cases[i].len));
        Diag d = {0};
        Tensor *t = npy_read(path, &d);
        CU_ASSERT_PTR_NULL(t);
        if (!diag_has(&d, cases[i].text))
            fprintf(stderr, "\ncase %zu: missing \"%s\" in:\n%s", i, cases[i].text, d.text.buf);
        CU_ASSERT(diag_has(&d, cases[i].text));
        tensor_free(t);
        diag_free(&d);
    }
}

static void test_bad_files(void)
{
    char path[512];
    Diag d = {0};
    CU_ASSERT_PTR_NULL(onnx_load_file(join(path, sizeof path, scratch, "absent.onnx"), &d));
    CU_ASSERT(diag_has(&d, "cannot open"));
    CU_ASSERT_PTR_NULL(npy_read(path, &d));
    CU_ASSERT_PTR_NULL(onnx_load_file(scratch, &d)); /* a folder */
    CU_ASSERT(diag_has(&d, "is a directory, not a file"));

    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "junk.pb"), "\xff\xff\xff", 3));
    CU_ASSERT_PTR_NULL(tensor_read_file(path, &d));
    CU_ASSERT(diag_has(&d, "is not a TensorProto file"));
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "empty.pb"), "", 0));
    CU_ASSERT_PTR_NULL(tensor_read_file(path, &d));
    CU_ASSERT(diag_has(&d, "empty.pb': no data type given"));
    CU_ASSERT_FATAL(write_file(join(path, sizeof path, scratch, "junk.onnx"), "\x38\x01", 2));
    CU_ASSERT_PTR_NULL(onnx_load_file(path, &d));
    CU_ASSERT(diag_has(&d, "junk.onnx' is not a valid ONNX model"));

    /* Writing refuses what .npy cannot hold. */
    Tensor t = {.name = "h", .dtype = DT_STRING, .shape = {1, {2}}};
    CU_ASSERT_FALSE(npy_write(join(path, sizeof path, scratch, "h.npy"), &t, &d));
    CU_ASSERT(diag_has(&d, "dtype string has no .npy form"));
    t.dtype = DT_FLOAT;
    CU_ASSERT_FALSE(npy_write(path, &t, &d));
    CU_ASSERT(diag_has(&d, "no valid shape and data"));
    diag_free(&d);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("malformed", suite_init, suite_cleanup);
    CU_add_test(s, "truncated model", test_truncated);
    CU_add_test(s, "wrong wire type", test_wrong_wire_type);
    CU_add_test(s, "garbage bytes", test_garbage);
    CU_add_test(s, "byte flips", test_byte_flips);
    CU_add_test(s, "deep nesting", test_deep_nesting);
    CU_add_test(s, "message flood", test_message_flood);
    CU_add_test(s, "bad tensors", test_bad_tensors);
    CU_add_test(s, "bad attribute tensor", test_bad_attribute_tensor);
    CU_add_test(s, "graph attribute", test_graph_attribute);
    CU_add_test(s, "attribute of the wrong type", test_attribute_wrong_type);
    CU_add_test(s, "attribute the op does not have", test_attribute_not_of_op);
    CU_add_test(s, "attribute value not allowed", test_attribute_value_not_allowed);
    CU_add_test(s, "required attribute missing", test_attribute_required);
    CU_add_test(s, "declared dims invalid", test_declared_dims_invalid);
    CU_add_test(s, "declared shape contradicted", test_declared_shape_contradicted);
    CU_add_test(s, "declared symbols bind", test_declared_symbols_bind);
    CU_add_test(s, "undefined tensor", test_undefined_tensor);
    CU_add_test(s, "duplicate definitions", test_duplicate_definitions);
    CU_add_test(s, "undefined output", test_undefined_output);
    CU_add_test(s, "too many attributes or opsets", test_too_many);
    CU_add_test(s, "errors accumulate", test_errors_accumulate);
    CU_add_test(s, "missing opset", test_missing_opset);
    CU_add_test(s, "symbolic input dim", test_symbolic_input_dim);
    CU_add_test(s, "external data paths", test_external_paths);
    CU_add_test(s, "external data ranges", test_external_ranges);
    CU_add_test(s, "npy bad headers", test_npy_bad_headers);
    CU_add_test(s, "npy bad preamble", test_npy_bad_preamble);
    CU_add_test(s, "bad files", test_bad_files);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
