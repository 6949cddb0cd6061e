/*
 * test_driver.c - the library's entry point (driver/sinter.h): a fixture
 * model compiled to C in memory and written to a folder, the options
 * that name the model and place its weights, and the error list of a
 * bad model, a missing file and a bad option.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <CUnit/Basic.h>

#include <sys/stat.h>

#include "driver/sinter.h"
#include "frontend_fixtures.h"

#define FIXTURE "fixtures/mlp_op13.onnx"

static char scratch[] = "/tmp/sinter_driver_XXXXXX";

static int suite_init(void)
{
    return mkdtemp(scratch) ? 0 : -1;
}

static int suite_cleanup(void)
{
    remove_tree(scratch);
    return 0;
}

/* The default options on `model`. */
static CompileOptions options_for(const char *model)
{
    CompileOptions o;
    compile_options_init(&o);
    o.model = model;
    return o;
}

static bool has_text(const Str *s, const char *text)
{
    return s->buf && strstr(s->buf, text);
}

/* Whether file `path` holds exactly the bytes of s. */
static bool file_holds(const char *path, const Str *s)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char *buf = malloc(s->len + 1);
    size_t n = fread(buf, 1, s->len + 1, f);
    fclose(f);
    bool same = n == s->len && memcmp(buf, s->buf, n) == 0;
    free(buf);
    return same;
}

/* Compiles o into m, which must succeed without a message. */
static void compile_ok(const CompileOptions *o, CompiledModel *m)
{
    Diag d = {0};
    bool ok = compile_model(o, m, &d);
    CU_ASSERT_EQUAL(d.count, 0);
    diag_free(&d);
    CU_ASSERT_TRUE_FATAL(ok);
}

/* Compiles o, expecting failure with a message holding `text`; the
 * model holds nothing after it. */
static void expect_failure(const CompileOptions *o, const char *text)
{
    CompiledModel m;
    Diag d = {0};
    CU_ASSERT_FALSE(compile_model(o, &m, &d));
    CU_ASSERT(d.count > 0);
    CU_ASSERT(diag_expect(&d, text));
    CU_ASSERT_PTR_NULL(m.graph);
    CU_ASSERT_PTR_NULL(m.name);
    CU_ASSERT_PTR_NULL(m.code.c.buf);
    compiled_model_free(&m);
    diag_free(&d);
}

/* The defaults: named after the file, small weights embedded. */
static void test_compile_fixture(void)
{
    CompileOptions o = options_for(FIXTURE);
    CompiledModel m;
    compile_ok(&o, &m);
    CU_ASSERT_STRING_EQUAL(m.name, "mlp_op13");
    CU_ASSERT_PTR_NOT_NULL(m.graph);
    CU_ASSERT(m.plan.arena_bytes > 0);
    CU_ASSERT_EQUAL(m.outputs.n, 1);
    CU_ASSERT_EQUAL(m.outputs.items[0].kind, KIND_TENSOR);
    CU_ASSERT_EQUAL(m.weights, WEIGHTS_EMBED);
    CU_ASSERT_EQUAL(m.code.weights.len, 0);
    CU_ASSERT(has_text(&m.code.c, "mlp_op13_run("));
    CU_ASSERT(has_text(&m.code.h, "mlp_op13_run("));
    compiled_model_free(&m);
}

/* compiled_model_write creates the folder and writes the files as they
 * are in memory, and no weights file for embedded weights. */
static void test_write_files(void)
{
    CompileOptions o = options_for(FIXTURE);
    CompiledModel m;
    compile_ok(&o, &m);
    Diag d = {0};
    char dir[256], c[300], h[300], weights[300];
    snprintf(dir, sizeof dir, "%s/out", scratch);
    snprintf(c, sizeof c, "%s/mlp_op13.c", dir);
    snprintf(h, sizeof h, "%s/mlp_op13.h", dir);
    snprintf(weights, sizeof weights, "%s/mlp_op13.weights", dir);
    CU_ASSERT_TRUE(compiled_model_write(&m, dir, &d));
    CU_ASSERT_EQUAL(d.count, 0);
    CU_ASSERT_TRUE(file_holds(c, &m.code.c));
    CU_ASSERT_TRUE(file_holds(h, &m.code.h));
    CU_ASSERT_NOT_EQUAL(access(weights, F_OK), 0);
    compiled_model_free(&m);
    diag_free(&d);
}

/* A name of the caller's, and weights in a file of their own. */
static void test_name_and_weights_file(void)
{
    CompileOptions o = options_for(FIXTURE);
    o.name = "net";
    o.weights = WEIGHTS_FILE;
    CompiledModel m;
    compile_ok(&o, &m);
    CU_ASSERT_STRING_EQUAL(m.name, "net");
    CU_ASSERT_EQUAL(m.weights, WEIGHTS_FILE);
    CU_ASSERT(m.code.weights.len > 0);
    CU_ASSERT(has_text(&m.code.h, "net_set_weights("));
    CU_ASSERT_FALSE(has_text(&m.code.c, "mlp_op13_run("));
    compiled_model_free(&m);
}

/* A model in memory whose Conv has a kernel_shape of floats: the error
 * names the node, its op and opset. */
static void test_bad_model(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", DT_FLOAT, 4, (int64_t[]){1, 1, 4, 4});
    Onnx__TensorProto *w = mb_tensor(b, "w", DT_FLOAT, 4, (int64_t[]){1, 1, 3, 3});
    mb_raw(b, w, (float[9]){0}, 9 * sizeof(float));
    mb_initializer(b, w);
    Onnx__NodeProto *conv = mb_node(b, "Conv", "conv", "x,w", "y");
    mb_output(b, "y");
    Onnx__AttributeProto *a = mb_attr(b, conv, "kernel_shape",
                                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = 2;
    a->floats = mb_alloc(b, 2 * sizeof *a->floats);
    a->floats[0] = a->floats[1] = 3.0f;
    CompileOptions o = options_for("bad.onnx");
    o.model_data = mb_pack(b, &o.model_size);
    expect_failure(&o, "node 'conv' (Conv, opset 13): attribute 'kernel_shape' is FLOATS");
    mb_free(b);
}

static void test_missing_file(void)
{
    CompileOptions o = options_for("fixtures/no_such_model.onnx");
    expect_failure(&o, "fixtures/no_such_model.onnx");
}

/* An option naming an input the model does not have. */
static void test_bad_option(void)
{
    CompileOptions o = options_for(FIXTURE);
    o.shapes[o.n_shapes++] = (InputShape){"nope", {.rank = 1, .dim = {2}}};
    expect_failure(&o, "--shape: the model has no run-time input 'nope'");
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("driver", suite_init, suite_cleanup);
    CU_add_test(s, "compile a fixture", test_compile_fixture);
    CU_add_test(s, "write the files", test_write_files);
    CU_add_test(s, "name and weights file", test_name_and_weights_file);
    CU_add_test(s, "bad model: node named", test_bad_model);
    CU_add_test(s, "missing file", test_missing_file);
    CU_add_test(s, "bad option", test_bad_option);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
