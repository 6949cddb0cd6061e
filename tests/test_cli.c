/*
 * test_cli.c - the sinter CLI's input and output options end to end.
 *
 * Usage: test_cli SINTER_BIN (meson passes the built tools/sinter).
 *
 * Tiny models are built here (frontend_fixtures.h) into a scratch folder,
 * which is the working directory while the tests run, so every file is a
 * bare name.  Each `sinter run` compiles, builds and runs C, so the runs
 * are few and the generated C is built with -O0 (unless SINTER_CFLAGS
 * says otherwise); refusals that need no build use `sinter compile`.
 *
 *   two_io.onnx  a int64[2,3], b float64[2,3] -> sum = a + a          (int64)
 *                                                prod = b * double(a) (float64)
 *   sym.onnx     x float32[N,3] -> y = Relu(x), y declared float32[N,3]
 *
 * The reports' tests (kernels, plan, SVG) read seed models from
 * tests/fixtures (meson starts the test in tests/).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, realpath */

#include <CUnit/Basic.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "frontend_fixtures.h"

#define LOG_FILE "sinter.log"
#define MAX_WORDS 32

enum {
    ONNX_FLOAT = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
    ONNX_INT64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
    ONNX_DOUBLE = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE,
};

/* The inputs of two_io.onnx: 3e9 does not fit in 32 bits and 0.1 not in
 * a float, so a narrowed path would show in the results. */
static const int64_t a_values[6] = {1, -2, 3, -4, 5, 3000000000};
static const double b_values[6] = {0.1, 0.25, -1.5, 2.0, 1e-3, 0.5};
static const float x_values[6] = {-1.5f, 0.0f, 2.25f, 3.0f, -0.5f, 7.0f};

static char sinter_bin[PATH_MAX]; /* absolute: the tests chdir */
static char origin[PATH_MAX];     /* the working directory to return to */
static char scratch[] = "/tmp/sinter-cli-XXXXXX";
static char *output_text; /* stdout and stderr of the last sinter run */

/* ------------------------------------------------------------------ */
/* Running sinter                                                      */
/* ------------------------------------------------------------------ */

/* The whole of a text file, NUL-terminated; caller frees. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    Str s = {0};
    str_putn(&s, "", 0);
    if (!f)
        return s.buf;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        str_putn(&s, chunk, n);
    fclose(f);
    return s.buf;
}

/* Runs sinter with the given words (a NULL-terminated list); what it
 * prints lands in output_text.  Returns its exit status, or -1 when it
 * did not exit normally. */
static int sinter(const char *word, ...)
{
    char *argv[MAX_WORDS + 2];
    int argc = 0;
    argv[argc++] = sinter_bin;
    va_list ap;
    va_start(ap, word);
    for (const char *w = word; w && argc <= MAX_WORDS; w = va_arg(ap, const char *))
        argv[argc++] = (char *)w;
    va_end(ap);
    argv[argc] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(LOG_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(sinter_bin, argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        status = -1;
    free(output_text);
    output_text = read_text(LOG_FILE);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* True if the last run printed `text`; else shows what it printed. */
static bool said(const char *text)
{
    if (strstr(output_text, text))
        return true;
    fprintf(stderr, "\n    expected \"%s\" in sinter's output:\n%s", text, output_text);
    return false;
}

/* A failed run: non-zero exit, and a message containing `text`. */
#define CHECK_REFUSED(status, text)                                                            \
    do {                                                                                       \
        CU_ASSERT_NOT_EQUAL(status, 0);                                                        \
        CU_ASSERT_TRUE(said(text));                                                            \
    } while (0)

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */
/* ------------------------------------------------------------------ */

static bool save_model(Builder *b, const char *file)
{
    size_t len;
    uint8_t *buf = mb_pack(b, &len);
    bool ok = write_file(file, buf, len);
    mb_free(b);
    return ok;
}

static bool make_two_io(void)
{
    Builder *b = mb_new(13);
    const int64_t dims[] = {2, 3};
    mb_input(b, "a", ONNX_INT64, 2, dims);
    mb_input(b, "b", ONNX_DOUBLE, 2, dims);
    mb_node(b, "Add", "add", "a,a", "sum");
    Onnx__NodeProto *cast = mb_node(b, "Cast", "cast", "a", "a_double");
    Onnx__AttributeProto *to = mb_attr(b, cast, "to", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    to->has_i = 1;
    to->i = ONNX_DOUBLE;
    mb_node(b, "Mul", "mul", "b,a_double", "prod");
    mb_output(b, "sum");
    mb_output(b, "prod");
    return save_model(b, "two_io.onnx");
}

static bool make_sym(void)
{
    Builder *b = mb_new(13);
    const int64_t dims[] = {-1, 3}; /* -1: dim_param "N" */
    mb_input(b, "x", ONNX_FLOAT, 2, dims);
    mb_node(b, "Relu", "relu", "x", "y");
    mb_output(b, "y")->type = mb_tensor_type(b, ONNX_FLOAT, 2, dims);
    return save_model(b, "sym.onnx");
}

/* The .npy inputs: a.npy, b.npy and x.npy of the values above; b3.npy
 * (float64[3]) has a shape two_io's b does not take. */
static bool make_inputs(void)
{
    const char *shape23 = "'fortran_order': False, 'shape': (2, 3), }";
    char dict[128];
    bool ok = true;
    snprintf(dict, sizeof dict, "{'descr': '<i8', %s", shape23);
    ok = ok && write_npy("a.npy", 1, dict, a_values, sizeof a_values);
    snprintf(dict, sizeof dict, "{'descr': '<f8', %s", shape23);
    ok = ok && write_npy("b.npy", 1, dict, b_values, sizeof b_values);
    snprintf(dict, sizeof dict, "{'descr': '<f4', %s", shape23);
    ok = ok && write_npy("x.npy", 1, dict, x_values, sizeof x_values);
    return ok && write_npy("b3.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                           b_values, 3 * sizeof *b_values);
}

/* The path of seed model `name` in tests/fixtures (absolute: the tests
 * chdir). */
static const char *fixture(const char *name)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/fixtures/%s", origin, name);
    return path;
}

static int suite_init(void)
{
    if (!getcwd(origin, sizeof origin) || !mkdtemp(scratch) || chdir(scratch) != 0)
        return 1;
    return make_two_io() && make_sym() && make_inputs() ? 0 : 1;
}

static int suite_cleanup(void)
{
    free(output_text);
    output_text = NULL;
    int status = chdir(origin);
    remove_tree(scratch);
    return status;
}

/* ------------------------------------------------------------------ */
/* Checking outputs                                                    */
/* ------------------------------------------------------------------ */

/* The tensor in `file` (.npy or .pb), checked to be dtype[2,3]; NULL
 * when it is not. */
static Tensor *read_output(const char *file, DType dtype)
{
    Diag d = {0};
    Tensor *t = tensor_read_file(file, &d);
    CU_ASSERT_PTR_NOT_NULL(t);
    if (d.count)
        fprintf(stderr, "%s", d.text.buf);
    diag_free(&d);
    if (!t)
        return NULL;
    const Shape want = {.rank = 2, .dim = {2, 3}};
    CU_ASSERT_EQUAL(t->dtype, dtype);
    CU_ASSERT_TRUE(shape_equal(&t->shape, &want));
    if (t->dtype == dtype && shape_equal(&t->shape, &want))
        return t;
    tensor_free(t);
    return NULL;
}

/* two_io's outputs, each in its own dtype, hold exactly a + a and
 * b * a (both exact in int64 and float64). */
static void check_two_io_outputs(const char *s_file, const char *p_file)
{
    Tensor *s = read_output(s_file, DT_INT64), *p = read_output(p_file, DT_DOUBLE);
    for (int i = 0; i < 6; i++) {
        if (s)
            CU_ASSERT_EQUAL(((int64_t *)s->data)[i], 2 * a_values[i]);
        if (p)
            CU_ASSERT_EQUAL(((double *)p->data)[i], b_values[i] * (double)a_values[i]);
    }
    tensor_free(s);
    tensor_free(p);
}

/* ------------------------------------------------------------------ */
/* Reading what sinter printed                                         */
/* ------------------------------------------------------------------ */

/* How many times `needle` occurs in `text`. */
static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The integer right after the first `key` at or after `from`, or -1. */
static long long number_after(const char *from, const char *key)
{
    const char *p = from ? strstr(from, key) : NULL;
    long long v;
    return p && sscanf(p + strlen(key), "%lld", &v) == 1 ? v : -1;
}

/* The line of the last run's output that starts with `start` (a copy,
 * caller frees), or NULL. */
static char *line_starting(const char *start)
{
    for (const char *p = output_text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
        if (strncmp(p, start, strlen(start)) == 0) {
            size_t len = strcspn(p, "\n");
            char *line = malloc(len + 1);
            memcpy(line, p, len);
            line[len] = '\0';
            return line;
        }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_positional_inputs(void)
{
    int status = sinter("run", "two_io.onnx", "--input", "a.npy", "--input", "b.npy", "--output",
                        "s.npy", "--output", "p.npy", NULL);
    CU_ASSERT_EQUAL(status, 0);
    check_two_io_outputs("s.npy", "p.npy");
}

/* NAME=FILE inputs in reverse graph order give the same results; the
 * int64 output goes to a TensorProto .pb this time. */
static void test_named_inputs_any_order(void)
{
    int status = sinter("run", "two_io.onnx", "--input", "b=b.npy", "--input", "a=a.npy",
                        "--output", "s_named.pb", "--output", "p_named.npy", NULL);
    CU_ASSERT_EQUAL(status, 0);
    check_two_io_outputs("s_named.pb", "p_named.npy");
}

/* Every mistake in --input / --output is refused with a message naming
 * what is wrong, and writes no output. */
static void test_input_mistakes(void)
{
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a=a.npy", "--input", "b.npy",
                         "--output", "sum_bad.npy", "--output", "prod_bad.npy", NULL),
                  "not both");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a.npy", "--output", "sum_bad.npy",
                         "--output", "prod_bad.npy", NULL),
                  "the model has 2 run-time inputs, 1 --input given");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a.npy", "--input", "a.npy",
                         "--output", "sum_bad.npy", "--output", "prod_bad.npy", NULL),
                  "input 'b' is float64");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a.npy", "--input", "b3.npy",
                         "--output", "sum_bad.npy", "--output", "prod_bad.npy", NULL),
                  "--input b3.npy holds float64[3], input 'b' is float64[2,3]");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a=a.npy", "--input", "z=b.npy",
                         "--output", "sum_bad.npy", "--output", "prod_bad.npy", NULL),
                  "no run-time input 'z'");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a.npy", "--input", "missing.npy",
                         "--output", "sum_bad.npy", "--output", "prod_bad.npy", NULL),
                  "missing.npy");
    CHECK_REFUSED(sinter("run", "two_io.onnx", "--input", "a.npy", "--input", "b.npy",
                         "--output", "sum_bad.npy", NULL),
                  "the model has 2 outputs, 1 --output given");
    CU_ASSERT_NOT_EQUAL(access("sum_bad.npy", F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access("prod_bad.npy", F_OK), 0);
}

/* sym's output: Relu of x_values. */
static void check_relu_output(const char *file)
{
    Tensor *y = read_output(file, DT_FLOAT);
    for (int i = 0; y && i < 6; i++)
        CU_ASSERT_EQUAL(((float *)y->data)[i], x_values[i] > 0 ? x_values[i] : 0.0f);
    tensor_free(y);
}

/* An input of symbolic dims needs a static shape from --shape (or, for
 * run, its input file); a --shape contradicting a static dim is refused. */
static void test_symbolic_input(void)
{
    /* info describes such a model without a shape, naming its dims. */
    CU_ASSERT_EQUAL(sinter("info", "sym.onnx", NULL), 0);
    CU_ASSERT_TRUE(said("[N,3]"));
    CHECK_REFUSED(sinter("compile", "sym.onnx", "-o", "sym_out", NULL),
                  "must be known at compile time");
    CU_ASSERT_TRUE(said("'x'"));
    CHECK_REFUSED(sinter("compile", "sym.onnx", "-o", "sym_out", "--shape", "x=2,4", NULL),
                  "axis 1 is 3, not 4");

    CU_ASSERT_EQUAL(sinter("run", "sym.onnx", "--shape", "x=2,3", "--input", "x.npy", "--output",
                           "y_shape.npy", NULL),
                    0);
    check_relu_output("y_shape.npy");
    CU_ASSERT_EQUAL(sinter("run", "sym.onnx", "--input", "x.npy", "--output", "y_file.npy", NULL),
                    0);
    check_relu_output("y_file.npy");
    CHECK_REFUSED(sinter("run", "sym.onnx", "--shape", "x=4,3", "--input", "x.npy", "--output",
                         "y_clash.npy", NULL),
                  "--input x.npy holds float32[2,3], input 'x' is float32[4,3]");
}


/* `sinter ops --json` is {"count": N, "ops": [N entries]}, each entry with
 * its dtypes; plain `sinter ops` prints one line per op, the same N. */
static void test_ops_table(void)
{
    CU_ASSERT_EQUAL_FATAL(sinter("ops", "--json", NULL), 0);
    int count = -1;
    CU_ASSERT_EQUAL(sscanf(output_text, "{\"count\": %d, \"ops\": [", &count), 1);
    CU_ASSERT_TRUE(count >= 150);
    CU_ASSERT_EQUAL(count_of(output_text, "{\"op\": \""), count);
    CU_ASSERT_EQUAL(count_of(output_text, "\"dtypes\": ["), count);
    CU_ASSERT_TRUE(said("{\"op\": \"Conv\""));
    CU_ASSERT_TRUE(said("\"float32\""));
    size_t len = strlen(output_text);
    CU_ASSERT_TRUE(len > 3 && strcmp(output_text + len - 3, "]}\n") == 0);

    CU_ASSERT_EQUAL_FATAL(sinter("ops", NULL), 0);
    CU_ASSERT_EQUAL(count_of(output_text, "\n"), count);
    CU_ASSERT_TRUE(said("Conv "));
}

/* A dynamic-batch model's output is shown as the model declares it
 * (dtype and symbolic dims) when inference cannot run. */
static void test_info_declared_output(void)
{
    CU_ASSERT_EQUAL(sinter("info", "sym.onnx", NULL), 0);
    char *line = line_starting("  output");
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " y "));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "float32"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "[N,3]"));
    CU_ASSERT_PTR_NULL(strstr(line, "?"));
    free(line);
}

/* Every option that takes a value, given last without it, is named as
 * needing one (not as an unexpected argument), with exit status 2. */
static void test_missing_option_values(void)
{
    static const char *const compile_flags[] = {"--name", "--bind", "--shape", "--weights",
                                                "--target", "--passes", "--skip", "--dump-ir"};
    for (size_t i = 0; i < sizeof compile_flags / sizeof *compile_flags; i++) {
        char want[64];
        snprintf(want, sizeof want, "sinter compile: %s needs a value", compile_flags[i]);
        CU_ASSERT_EQUAL(sinter("compile", "sym.onnx", "-o", "out", compile_flags[i], NULL), 2);
        CU_ASSERT_TRUE(said(want));
    }
    static const struct {
        const char *command, *flag, *want;
    } own[] = {
        {"compile", "-o", "sinter compile: -o needs a value"},
        {"graph", "-o", "sinter graph: -o needs a value"},
        {"plan", "--svg", "sinter plan: --svg needs a value"},
        {"run", "--input", "sinter run: --input needs a value"},
        {"run", "--output", "sinter run: --output needs a value"},
        {"run", "--keep", "sinter run: --keep needs a value"},
        {"run", "--cflags", "sinter run: --cflags needs a value"},
        {"run", "--shape", "sinter run: --shape needs a value"},
        {"flops", "--bind", "sinter flops: --bind needs a value"},
        {"compare", "--tol", "sinter compare: --tol needs a value"},
    };
    for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
        CU_ASSERT_EQUAL(sinter(own[i].command, "sym.onnx", own[i].flag, NULL), 2);
        CU_ASSERT_TRUE(said(own[i].want));
        CU_ASSERT_PTR_NULL(strstr(output_text, "unexpected argument"));
    }
}

/* A folder given as the model is called one. */
static void test_directory_as_model(void)
{
    CHECK_REFUSED(sinter("compile", ".", "-o", "out", NULL), "'.' is a directory, not a file");
    CHECK_REFUSED(sinter("info", ".", NULL), "'.' is a directory, not a file");
}

/* -o DIR/ (one slash or more) gives DIR/NAME.c, never DIR//NAME.c. */
static void test_output_paths(void)
{
    CU_ASSERT_EQUAL(sinter("compile", "sym.onnx", "--shape", "x=2,3", "-o", "slash//", NULL), 0);
    CU_ASSERT_TRUE(said("wrote slash/sym.c and slash/sym.h"));
    CU_ASSERT_PTR_NULL(strstr(output_text, "//"));
    CU_ASSERT_EQUAL(access("slash/sym.c", F_OK), 0);
}

/* --target chooses the micro-kernel variants the C calls; an unknown one
 * is refused with the list of targets. */
static void test_targets(void)
{
    static const struct {
        const char *target, *variant;
    } cases[] = {
        {"generic", "snt_f32_gemm_4x8__scalar"},
        {"avx2", "snt_f32_gemm_6x16__avx2_fma"},
        {"avx512", "snt_f32_gemm_8x48__avx512f"},
        {"neon", "snt_f32_gemm_8x8__neon"},
    };
    const char *model = fixture("convnet_op13.onnx");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", cases[i].target, "--name", "net",
                                     "--target", cases[i].target, NULL), 0);
        char path[64];
        snprintf(path, sizeof path, "%s/net.c", cases[i].target);
        char *c = read_text(path);
        CU_ASSERT_PTR_NOT_NULL(c && strstr(c, cases[i].variant));
        free(c);
    }
    CHECK_REFUSED(sinter("compile", model, "-o", "bad", "--target", "z80", NULL),
                  "--target takes one of host, generic, avx2, avx512, neon, not 'z80'");
}

/* --skip: the level's passes but those named.  The resnet fixture's 3x3
 * convolutions run by Winograd unless the winograd pass is skipped; an
 * unknown pass name is refused. */
static void test_skip_pass(void)
{
    const char *model = fixture("resnet_op13.onnx");
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "wino", "--name", "net", NULL), 0);
    char *c = read_text("wino/net.c");
    CU_ASSERT_PTR_NOT_NULL(c && strstr(c, "snt_conv2d_winograd_f32("));
    free(c);
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "direct", "--name", "net", "--skip",
                                 "winograd", NULL), 0);
    c = read_text("direct/net.c");
    CU_ASSERT_PTR_NOT_NULL(c && strstr(c, "snt_conv2d_gemm_f32("));
    CU_ASSERT_PTR_NULL(c && strstr(c, "winograd"));
    free(c);
    CHECK_REFUSED(sinter("compile", model, "-o", "bad", "--skip", "winograd,nosuch", NULL),
                  "unknown pass 'nosuch' (see `sinter passes`)");
}

/* --weights: auto embeds a small model's weights and says why; incbin
 * writes the blob and the assembler file that links it in; an unknown
 * mode is refused. */
static void test_weights_modes(void)
{
    const char *model = fixture("convnet_op13.onnx");
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "auto", "--name", "net", NULL), 0);
    CU_ASSERT_TRUE(said("weights embedded in net.c (small enough for one .c)"));
    CU_ASSERT_NOT_EQUAL(access("auto/net.weights", F_OK), 0);
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "inc", "--name", "net", "--weights",
                                 "incbin", NULL), 0);
    CU_ASSERT_TRUE(said("linked in by net_weights.S"));
    char *s = read_text("inc/net_weights.S");
    CU_ASSERT_PTR_NOT_NULL(s && strstr(s, ".incbin \"net.weights\""));
    free(s);
    CU_ASSERT_EQUAL(access("inc/net.weights", F_OK), 0);
    CHECK_REFUSED(sinter("compile", model, "-o", "bad", "--weights", "zip", NULL),
                  "--weights takes 'auto', 'embed', 'incbin' or 'file', not 'zip'");
}

/* --profile: the program times every node and prints the table. */
static void test_profile(void)
{
    char model[PATH_MAX + 64];
    /* fixture() returns one buffer: keep the first path before asking
     * for the second. */
    snprintf(model, sizeof model, "%s", fixture("convnet_op13.onnx"));
    CU_ASSERT_EQUAL_FATAL(sinter("run", model, "--profile", "--input",
                                 fixture("convnet_input.npy"), "--output", "prof.npy", NULL),
                          0);
    CU_ASSERT_TRUE(said("GFLOP/s"));
    CU_ASSERT_TRUE(said("FusedConv"));
}

/* --threads N: sinter run builds the threaded code with -pthread and
 * gets the fixture's output; the header declares the pool's API; a count
 * outside 1 .. 64 is refused. */
static void test_threads(void)
{
    char model[PATH_MAX + 64];
    snprintf(model, sizeof model, "%s", fixture("convnet_op13.onnx"));
    CU_ASSERT_EQUAL_FATAL(sinter("run", model, "--threads", "3", "--input",
                                 fixture("convnet_input.npy"), "--output", "thr.npy", NULL),
                          0);
    CU_ASSERT_EQUAL(sinter("compare", "thr.npy", fixture("convnet_output.npy"), NULL), 0);
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "thr", "--name", "net", "--threads", "2",
                                 NULL),
                          0);
    char *h = read_text("thr/net.h");
    CU_ASSERT_PTR_NOT_NULL(h && strstr(h, "#define NET_THREADS 2"));
    CU_ASSERT_PTR_NOT_NULL(h && strstr(h, "int net_set_threads(int threads);"));
    CU_ASSERT_PTR_NOT_NULL(h && strstr(h, "void net_release_threads(void);"));
    free(h);
    CHECK_REFUSED(sinter("compile", model, "-o", "thr", "--threads", "0", NULL),
                  "--threads takes a count from 1 to 64, not '0'");
    CHECK_REFUSED(sinter("compile", model, "-o", "thr", "--threads", "2x", NULL),
                  "--threads takes a count from 1 to 64, not '2x'");
}

/* Every command that takes -O0 and -O2 lists -O1 too, and takes it. */
static void test_levels_in_help(void)
{
    static const char *const commands[] = {"compile", "run", "plan", "graph"};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        CU_ASSERT_EQUAL(sinter(commands[i], "--help", NULL), 0);
        CU_ASSERT_TRUE(said("-O0"));
        CU_ASSERT_TRUE(said("-O1"));
        CU_ASSERT_TRUE(said("-O2"));
    }
    CU_ASSERT_EQUAL(sinter("compile", "sym.onnx", "--shape", "x=2,3", "-o", "o1", "-O1", NULL), 0);
}

/* `sinter --help` lists every limit of ir/limits.h with its value. */
static void test_limits_in_help(void)
{
    CU_ASSERT_EQUAL(sinter("--help", NULL), 0);
    int n;
    const Limit *limits = limits_all(&n);
    for (int i = 0; i < n; i++) {
        char value[32];
        snprintf(value, sizeof value, " %lld\n", (long long)limits[i].value);
        CU_ASSERT_TRUE(said(limits[i].what));
        CU_ASSERT_TRUE(said(value));
    }
}

/* One count of kernels: `sinter compile`, `flops` (the -O2 graph) and
 * `plan` agree with each other and with the kernel blocks of the
 * generated C, and a bidirectional LSTM's views do not count. */
static void test_one_kernel_count(void)
{
    const char *model = fixture("lstm2_op13.onnx");
    CU_ASSERT_EQUAL_FATAL(sinter("compile", model, "-o", "lstm", NULL), 0);
    long long compiled = number_after(output_text, " (");
    CU_ASSERT_EQUAL_FATAL(sinter("flops", model, "--json", NULL), 0);
    const char *fused = strstr(output_text, "\"fused\"");
    long long flops = number_after(fused, "\"kernels\": ");
    long long nodes = number_after(fused, "\"nodes\": ");
    CU_ASSERT_EQUAL_FATAL(sinter("plan", model, "--json", NULL), 0);
    long long plan = number_after(output_text, "\"kernels\": ");

    char *c = read_text("lstm/lstm2_op13.c");
    const char *body = strstr(c, "_run_with_arena(void *arena");
    const char *end = body ? strstr(body, "\n}\n") : NULL;
    int blocks = -1;
    if (end) {
        char *copy = strndup(body, (size_t)(end - body));
        blocks = count_of(copy, "\n    {\n");
        free(copy);
    }
    free(c);
    CU_ASSERT_TRUE(compiled > 0);
    CU_ASSERT_EQUAL(compiled, blocks);
    CU_ASSERT_EQUAL(flops, compiled);
    CU_ASSERT_EQUAL(plan, compiled);
    CU_ASSERT_TRUE(compiled < nodes);
}

/* The arena holds kernel scratch, so the naive figure set against it
 * does too (and is never below it); the tensors alone are reported
 * apart, in text and JSON. */
static void test_plan_figures(void)
{
    /* The LSTM's scratch makes its arena larger than its tensors alone. */
    CU_ASSERT_EQUAL_FATAL(sinter("plan", fixture("lstm2_op13.onnx"), "--json", NULL), 0);
    long long arena = number_after(output_text, "\"arena_bytes\": ");
    long long naive = number_after(output_text, "\"naive_bytes\": ");
    long long tensors = number_after(output_text, "\"naive_tensor_bytes\": ");
    CU_ASSERT_TRUE(arena > 0 && tensors > 0);
    CU_ASSERT_TRUE(arena > tensors);
    CU_ASSERT_TRUE(naive >= arena);
    CU_ASSERT_EQUAL_FATAL(sinter("plan", fixture("lstm2_op13.onnx"), NULL), 0);
    CU_ASSERT_EQUAL(number_after(output_text, "naive: "), naive);
    CU_ASSERT_EQUAL(number_after(output_text, "naive tensors: "), tensors);
}

/* NAME_ARENA_BYTES is the arena `sinter plan` reports: every kernel's
 * scratch (im2col bands, GEMM packing, an LSTM's gates) is planned, none
 * added after the plan.  At -O0 the portable kernels pack on snt_sgemm. */
static void test_arena_is_the_plan(void)
{
    static const char *const models[] = {"lstm2_op13.onnx", "m2snet_op13.onnx"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        CU_ASSERT_EQUAL_FATAL(sinter("plan", fixture(models[i]), "-O0", "--json", NULL), 0);
        long long planned = number_after(output_text, "\"arena_bytes\": ");
        CU_ASSERT_EQUAL_FATAL(
            sinter("compile", fixture(models[i]), "-O0", "-o", "arena_out", "--name", "net", NULL),
            0);
        char *h = read_text("arena_out/net.h");
        CU_ASSERT_TRUE(planned > 0);
        CU_ASSERT_EQUAL(number_after(h, "#define NET_ARENA_BYTES "), planned);
        free(h);
    }
}

/* The first `<attr>="NUMBER"` after p, or -1. */
static double svg_number(const char *p, const char *attr)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *q = strstr(p, key);
    double v;
    return q && sscanf(q + strlen(key), "%lf", &v) == 1 ? v : -1;
}

/* The plan of a 383-step model: every buffer has a <title> (the hover
 * text), there is a legend, and each label fits inside its box (at the
 * 5.5 px per character of 9 px text the drawing assumes), so none runs
 * into another: the band of overlapping names is gone. */
static void test_plan_svg_legible(void)
{
    CU_ASSERT_EQUAL_FATAL(sinter("plan", fixture("m2snet_op13.onnx"), "--svg", "plan.svg", NULL),
                          0);
    char *svg = read_text("plan.svg");
    int boxes = count_of(svg, "<g><title>"), labels = 0, misfits = 0;
    CU_ASSERT_TRUE(boxes > 300);
    CU_ASSERT_PTR_NOT_NULL(strstr(svg, "hover a box"));
    CU_ASSERT_PTR_NOT_NULL(strstr(svg, "schedule step"));
    for (const char *g = strstr(svg, "<g><title>"); g; g = strstr(g + 1, "<g><title>")) {
        const char *close = strstr(g, "</g>"), *text = strstr(g, "<text");
        if (!close || !text || text > close)
            continue;
        labels++;
        const char *rect = strstr(g, "<rect");
        bool up = strstr(text, "rotate(-90)") && strstr(text, "rotate(-90)") < close;
        double room = svg_number(rect, up ? "height" : "width");
        const char *start = strchr(text, '>') + 1;
        size_t chars = (size_t)(strstr(start, "</text>") - start);
        misfits += (double)chars * 5.5 > room;
    }
    free(svg);
    CU_ASSERT_TRUE(labels >= 40);
    CU_ASSERT_EQUAL(misfits, 0);
}

/* A model the ONNX checker refuses: Relu with an attribute it does not
 * have.  `sinter compile` says which and exits non-zero. */
static void test_attribute_refused(void)
{
    Builder *b = mb_new(13);
    mb_input(b, "x", ONNX_FLOAT, 2, (int64_t[]){1, 2});
    Onnx__NodeProto *relu = mb_node(b, "Relu", "relu", "x", "y");
    mb_attr(b, relu, "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)->f = 0.5f;
    mb_output(b, "y");
    CU_ASSERT_TRUE_FATAL(save_model(b, "relu_alpha.onnx"));
    CHECK_REFUSED(sinter("compile", "relu_alpha.onnx", "-o", "relu_alpha", NULL),
                  "node 'relu' (Relu, opset 13): attribute 'alpha' is not an attribute of Relu");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !realpath(argv[1], sinter_bin)) {
        fprintf(stderr, "usage: test_cli SINTER_BIN\n");
        return 2;
    }
    /* Tiny models: an optimized build of their C would only cost time. */
    setenv("SINTER_CFLAGS", "-O0", 0);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("cli", suite_init, suite_cleanup);
    CU_add_test(s, "positional_inputs", test_positional_inputs);
    CU_add_test(s, "named_inputs_any_order", test_named_inputs_any_order);
    CU_add_test(s, "input_mistakes", test_input_mistakes);
    CU_add_test(s, "symbolic_input", test_symbolic_input);
    CU_add_test(s, "ops_table", test_ops_table);
    CU_add_test(s, "info_declared_output", test_info_declared_output);
    CU_add_test(s, "missing_option_values", test_missing_option_values);
    CU_add_test(s, "directory_as_model", test_directory_as_model);
    CU_add_test(s, "output_paths", test_output_paths);
    CU_add_test(s, "levels_in_help", test_levels_in_help);
    CU_add_test(s, "limits_in_help", test_limits_in_help);
    CU_add_test(s, "one_kernel_count", test_one_kernel_count);
    CU_add_test(s, "plan_figures", test_plan_figures);
    CU_add_test(s, "arena_is_the_plan", test_arena_is_the_plan);
    CU_add_test(s, "plan_svg_legible", test_plan_svg_legible);
    CU_add_test(s, "targets", test_targets);
    CU_add_test(s, "skip_pass", test_skip_pass);
    CU_add_test(s, "profile", test_profile);
    CU_add_test(s, "threads", test_threads);
    CU_add_test(s, "weights_modes", test_weights_modes);
    CU_add_test(s, "attribute_refused", test_attribute_refused);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
