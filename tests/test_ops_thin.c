/*
 * test_ops_thin.c - end-to-end runs of the cases ONNX's node tests leave
 * thin: Pad in edge and reflect mode on float data (incl. pads wider
 * than the axis and opset 18's axes input), Einsum equations (spaces,
 * implicit output, broadcast ellipsis, diagonals, three operands, a
 * full contraction) and ConvTranspose with groups, dilations,
 * asymmetric pads and output_padding.
 *
 * Each test builds a one-node graph whose data are run-time inputs,
 * generates its C, builds it with the runtime and a small main(), runs
 * it and compares the output with values computed offline.  Inputs and
 * weights follow pattern() below, so every value is a multiple of 1/4
 * and every expected value is exact in float.  The expected values were
 * printed with "%.9g" by a script that builds the same arrays with
 *     np.array([((i * 7 + seed) % 13 - 6) / 4 for i in range(n)])
 * and applies, to float64 copies:
 *     Pad          np.pad(x, pad_width, mode="reflect" | "edge")
 *     Einsum       np.einsum(equation, *operands)   (numpy 1.24)
 *     ConvTranspose torch.nn.functional.conv_transpose2d (torch 1.13) with
 *                  padding 0, which gives the full result, cropped to
 *                  [pad_begin, full - pad_end) as ONNX's pads say.
 */
#include "op_test.h"

#include <unistd.h>

#ifndef RUNTIME_INCLUDE
#define RUNTIME_INCLUDE "../runtime/include"
#endif
#define RUNTIME_SOURCES RUNTIME_INCLUDE "/../src"

/* The runtime, compiled once into this folder by build_runtime(). */
static char work_dir[] = "/tmp/sinter-thin-XXXXXX";

/* The test data: multiples of 1/4 in [-1.5, 1.5], `seed` shifting the
 * sequence so that two operands differ. */
static float *pattern(int64_t n, int seed)
{
    float *v = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)((i * 7 + seed) % 13 - 6) / 4.0f;
    return v;
}

/* A float constant of the given dims holding pattern(., seed). */
static Tensor *pattern_const(Graph *g, int rank, const int64_t *dims, int seed)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    float *v = pattern(n, seed);
    Tensor *t = add_const(g, DT_FLOAT, rank, dims, v);
    free(v);
    return t;
}

/* Runs `command` with the shell in work_dir. */
static bool run_in_work_dir(const char *command)
{
    char line[1024];
    snprintf(line, sizeof line, "cd %s && %s", work_dir, command);
    int status = system(line);
    if (status != 0)
        fprintf(stderr, "\nfailed (status %d): %s\n", status, line);
    return status == 0;
}

/* Suite setup: every runtime source compiled into work_dir/libsinter_rt.a. */
static int build_runtime(void)
{
    if (!mkdtemp(work_dir))
        return 1;
    return run_in_work_dir("cc -std=c99 -O0 -c -I" RUNTIME_INCLUDE " " RUNTIME_SOURCES "/*.c"
                           " && ar rcs libsinter_rt.a *.o")
               ? 0
               : 1;
}

static int remove_work_dir(void)
{
    char line[64];
    snprintf(line, sizeof line, "rm -rf %s", work_dir);
    return system(line) == 0 ? 0 : 1;
}

static bool save(const char *name, const Str *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", work_dir, name);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(text->buf, 1, text->len, f) == text->len;
    return (f && fclose(f) == 0) && ok;
}

/* main.c: the inputs as arrays of pattern values, one t_run call, the
 * output written raw to argv[1]. */
static void put_main(Str *c, const Graph *g, const int *seeds)
{
    str_puts(c, "#include <stdio.h>\n#include \"t.h\"\n\n");
    for (int i = 0; i < g->n_inputs; i++) {
        int64_t n = tensor_numel(g->inputs[i]);
        float *v = pattern(n, seeds[i]);
        str_putf(c, "static const float in%d[%lld] = {", i, (long long)(n > 0 ? n : 1));
        for (int64_t k = 0; k < n; k++)
            str_putf(c, "%s%.9ef", k ? ", " : "", (double)v[k]);
        str_puts(c, "};\n");
        free(v);
    }
    str_putf(c, "static float out[%lld];\n\nint main(int argc, char **argv)\n{\n",
             (long long)tensor_numel(g->outputs[0]) + 1);
    str_puts(c, "    if (argc != 2 || t_run(");
    for (int i = 0; i < g->n_inputs; i++)
        str_putf(c, "in%d, ", i);
    str_puts(c, "out) != 0)\n        return 1;\n    FILE *f = fopen(argv[1], \"wb\");\n"
                "    return !f || fwrite(out, sizeof out, 1, f) != 1 || fclose(f) != 0;\n}\n");
}

/* Generates g's C (every input float, holding pattern(., seeds[i])),
 * builds it warning-free with the runtime, runs it and returns its one
 * output of `count` elements, to be freed; NULL on any failure.  The C
 * must call `kernel`. */
static float *run_generated(Graph *g, const int *seeds, const char *kernel, int64_t count)
{
    CodegenOutput gen = {0};
    MemPlan plan;
    CodegenOptions opt = {.name = "t", .source = "t.onnx", .weights = WEIGHTS_EMBED};
    diag_free(&diag);
    if (!graph_infer(g, &diag) || !plan_memory(g, &plan, &diag) ||
        !codegen_c(g, &opt, &gen, &diag)) {
        fprintf(stderr, "\n%s", diag.text.buf ? diag.text.buf : "codegen failed\n");
        codegen_output_free(&gen);
        return NULL;
    }
    if (tensor_numel(g->outputs[0]) != count) {
        fprintf(stderr, "\noutput of %lld elements, want %lld\n",
                (long long)tensor_numel(g->outputs[0]), (long long)count);
        codegen_output_free(&gen);
        return NULL;
    }
    Str main_c = {0};
    put_main(&main_c, g, seeds);
    bool ok = contains(gen.c.buf, kernel) && save("t.c", &gen.c) && save("t.h", &gen.h) &&
              save("main.c", &main_c) &&
              run_in_work_dir("cc -std=c99 -O1 -Wall -Wextra -Werror -I" RUNTIME_INCLUDE
                              " -I. main.c t.c libsinter_rt.a -lm -o t && ./t out.raw");
    free(main_c.buf);
    codegen_output_free(&gen);
    if (!ok)
        return NULL;

    char path[256];
    snprintf(path, sizeof path, "%s/out.raw", work_dir);
    float *y = xmalloc((size_t)(count + 1) * sizeof *y);
    FILE *f = fopen(path, "rb");
    ok = f && fread(y, sizeof *y, (size_t)count, f) == (size_t)count;
    if (f)
        fclose(f);
    if (!ok) {
        free(y);
        return NULL;
    }
    return y;
}

/* Runs g (see run_generated) and compares its output with want[0..count). */
static bool runs_to(Graph *g, const int *seeds, const char *kernel, const double *want,
                    int64_t count)
{
    float *y = run_generated(g, seeds, kernel, count);
    bool ok = y != NULL;
    for (int64_t i = 0; ok && i < count; i++)
        if (fabs(y[i] - want[i]) > 1e-6 * fmax(1.0, fabs(want[i]))) {
            fprintf(stderr, "\nelement %lld: %.9g, want %.9g\n", (long long)i, y[i], want[i]);
            ok = false;
        }
    free(y);
    return ok;
}

/* ---- Pad -------------------------------------------------------------- */

/* Pad of a float input x of the given dims; axes (opset 18) may be NULL. */
static Graph *pad_graph(int opset, const char *mode, int rank, const int64_t *dims, int n_pads,
                        const int64_t *pads, const int64_t *axes)
{
    Graph *g = new_graph(opset);
    Tensor *x = add_input(g, "x", rank, dims);
    Node *n = axes ? add_op(g, "Pad", 4, x, ints1(g, n_pads, pads), NULL,
                            ints1(g, n_pads / 2, axes))
                   : add_op(g, "Pad", 2, x, ints1(g, n_pads, pads));
    set_string(n, "mode", mode);
    add_output(g, n->out[0]);
    return g;
}

/* np.pad(x, ((1, 2), (2, 3)), mode="reflect"), x 3 x 4, seed 0. */
static void test_pad_reflect_2d(void)
{
    static const double want[54] = {
        -0.75, 0.75, -1, 0.75, -0.75, 1, -0.75, 0.75, -1, -1.25, 0.25, -1.5, 0.25, -1.25, 0.5,
        -1.25, 0.25, -1.5, -0.75, 0.75, -1, 0.75, -0.75, 1, -0.75, 0.75, -1, -0.25, 1.25, -0.5,
        1.25, -0.25, 1.5, -0.25, 1.25, -0.5, -0.75, 0.75, -1, 0.75, -0.75, 1, -0.75, 0.75, -1,
        -1.25, 0.25, -1.5, 0.25, -1.25, 0.5, -1.25, 0.25, -1.5};
    Graph *g = pad_graph(13, "reflect", 2, (int64_t[]){3, 4}, 4, (int64_t[]){1, 2, 2, 3}, NULL);
    CU_ASSERT_TRUE(runs_to(g, (int[]){0}, "snt_pad_f32(", want, 54));
    graph_free(g);
}

/* np.pad(x, ((0, 0), (2, 1), (3, 0)), mode="reflect"), x 1 x 3 x 4,
 * seed 3: pads as wide as the axis allows (extent - 1). */
static void test_pad_reflect_widest(void)
{
    static const double want[42] = {
        -1, 0.5, -1.25, 0.25, -1.25, 0.5, -1, -1.5, 0, 1.5, -0.25, 1.5, 0, -1.5,
        1.25, -0.5, 1, -0.75, 1, -0.5, 1.25, -1.5, 0, 1.5, -0.25, 1.5, 0, -1.5,
        -1, 0.5, -1.25, 0.25, -1.25, 0.5, -1, -1.5, 0, 1.5, -0.25, 1.5, 0, -1.5};
    Graph *g = pad_graph(13, "reflect", 3, (int64_t[]){1, 3, 4}, 6,
                         (int64_t[]){0, 2, 3, 0, 1, 0}, NULL);
    CU_ASSERT_TRUE(runs_to(g, (int[]){3}, "snt_pad_f32(", want, 42));
    graph_free(g);
}

/* np.pad(x, ((0, 1), (2, 0), (1, 3)), mode="edge"), x 2 x 3 x 2, seed 1:
 * edge pads may exceed the extent (3 on an axis of 2). */
static void test_pad_edge_3d(void)
{
    static const double want[90] = {
        -1.25, -1.25, 0.5, 0.5, 0.5, 0.5, -1.25, -1.25, 0.5, 0.5, 0.5, 0.5, -1.25, -1.25, 0.5,
        0.5, 0.5, 0.5, -1, -1, 0.75, 0.75, 0.75, 0.75, -0.75, -0.75, 1, 1, 1, 1,
        -0.5, -0.5, 1.25, 1.25, 1.25, 1.25, -0.5, -0.5, 1.25, 1.25, 1.25, 1.25, -0.5, -0.5, 1.25,
        1.25, 1.25, 1.25, -0.25, -0.25, 1.5, 1.5, 1.5, 1.5, 0, 0, -1.5, -1.5, -1.5, -1.5,
        -0.5, -0.5, 1.25, 1.25, 1.25, 1.25, -0.5, -0.5, 1.25, 1.25, 1.25, 1.25, -0.5, -0.5, 1.25,
        1.25, 1.25, 1.25, -0.25, -0.25, 1.5, 1.5, 1.5, 1.5, 0, 0, -1.5, -1.5, -1.5, -1.5};
    Graph *g = pad_graph(13, "edge", 3, (int64_t[]){2, 3, 2}, 6, (int64_t[]){0, 2, 1, 1, 0, 3},
                         NULL);
    CU_ASSERT_TRUE(runs_to(g, (int[]){1}, "snt_pad_f32(", want, 90));
    graph_free(g);
}

/* Opset 18, axes = [-1], pads (4, 1): np.pad(x, ((0, 0), (0, 0), (4, 1)),
 * mode="edge"), x 2 x 2 x 3, seed 2. */
static void test_pad_edge_axes(void)
{
    static const double want[32] = {
        -1, -1, -1, -1, -1, 0.75, -0.75, -0.75, 1, 1, 1, 1, 1, -0.5, 1.25, 1.25,
        -0.25, -0.25, -0.25, -0.25, -0.25, 1.5, 0, 0, -1.5, -1.5, -1.5, -1.5, -1.5, 0.25, -1.25,
        -1.25};
    Graph *g = pad_graph(18, "edge", 3, (int64_t[]){2, 2, 3}, 2, (int64_t[]){4, 1},
                         (int64_t[]){-1});
    CU_ASSERT_TRUE(runs_to(g, (int[]){2}, "snt_pad_f32(", want, 32));
    graph_free(g);
}

/* ---- Einsum ----------------------------------------------------------- */

/* Einsum over run-time float operands of the given ranks and dims
 * (dims of all operands one after the other). */
static Graph *einsum_graph(const char *equation, int n_ops, const int *ranks,
                           const int64_t *dims)
{
    static const char *names[3] = {"a", "b", "c"};
    Graph *g = new_graph(13);
    Node *n = graph_add_node(g, "einsum", "Einsum");
    for (int i = 0; i < n_ops; i++) {
        node_add_input(n, add_input(g, names[i], ranks[i], dims));
        dims += ranks[i];
    }
    node_add_output(n, graph_new_tensor(g, "y"));
    set_string(n, "equation", equation);
    add_output(g, n->out[0]);
    return g;
}

static bool einsum_runs_to(const char *equation, int n_ops, const int *ranks,
                           const int64_t *dims, const int *seeds, const double *want,
                           int64_t count)
{
    Graph *g = einsum_graph(equation, n_ops, ranks, dims);
    bool ok = runs_to(g, seeds, "snt_einsum(", want, count);
    if (!ok)
        fprintf(stderr, "equation '%s'\n", equation);
    graph_free(g);
    return ok;
}

/* Spaces anywhere: np.einsum("ij,jk->ik"), 2 x 3 (seed 4) by 3 x 4 (5). */
static void test_einsum_spaces(void)
{
    static const double want[8] = {0.25, -2.125, 0.375, -0.375, -1.5, 3.375, -1.5, -1.5};
    CU_ASSERT_TRUE(einsum_runs_to(" ij , jk->  ik ", 2, (int[]){2, 2},
                                  (int64_t[]){2, 3, 3, 4}, (int[]){4, 5}, want, 8));
}

/* The ellipsis broadcasts batch axes of different ranks: a 2 x 1 x 2 x 3
 * (seed 6), b 3 x 3 x 2 (seed 7), batch (2, 1) with (3) -> (2, 3). */
static void test_einsum_ellipsis_broadcast(void)
{
    static const double want[24] = {
        -0.5625, 1.3125, -0.8125, 1.8125, -1.5, 0.375, -2.125, 0.5,
        1.625, -0.5625, 2.25, -0.8125, 0.5625, -0.9375, 0.3125, -0.4375,
        1.3125, -0.1875, 0.6875, -0.0625, -1.1875, 0.5625, -0.5625, 0.3125};
    CU_ASSERT_TRUE(einsum_runs_to("...ij,...jk->...ik", 2, (int[]){4, 3},
                                  (int64_t[]){2, 1, 2, 3, 3, 3, 2}, (int[]){6, 7}, want, 24));
}

/* Implicit output: the letters used once, in alphabetical order, so
 * "ba" is a transpose (x 2 x 3, seed 8) and "bii" a batched trace. */
static void test_einsum_implicit_output(void)
{
    static const double transposed[6] = {0.5, -0.75, -1, 1, 0.75, -0.5};
    CU_ASSERT_TRUE(einsum_runs_to("ba", 1, (int[]){2}, (int64_t[]){2, 3}, (int[]){8},
                                  transposed, 6));
    static const double traces[2] = {0.5, 2.25};
    CU_ASSERT_TRUE(einsum_runs_to("bii", 1, (int[]){3}, (int64_t[]){2, 3, 3}, (int[]){9},
                                  traces, 2));
}

/* A repeated letter takes the diagonal, here under an ellipsis
 * (x 2 x 3 x 3, seed 9). */
static void test_einsum_diagonal(void)
{
    static const double want[6] = {0.75, 1.25, -1.5, 0.25, 0.75, 1.25};
    CU_ASSERT_TRUE(einsum_runs_to("...ii->...i", 1, (int[]){3}, (int64_t[]){2, 3, 3},
                                  (int[]){9}, want, 6));
}

/* Three operands (2 x 3, 3 x 4, 4 x 2; seeds 10, 11, 12), a full
 * contraction to a scalar (2 x 3 by 4 x 3; seeds 0, 3) and a sum over
 * two axes of one operand (2 x 3 x 4, seed 1). */
static void test_einsum_contractions(void)
{
    static const double chain[4] = {-2.203125, 1.484375, -2.4375, -0.453125};
    CU_ASSERT_TRUE(einsum_runs_to("ab,bc,cd->ad", 3, (int[]){2, 2, 2},
                                  (int64_t[]){2, 3, 3, 4, 4, 2}, (int[]){10, 11, 12}, chain,
                                  4));
    static const double full[1] = {0.8125};
    CU_ASSERT_TRUE(einsum_runs_to("ij,kj->", 2, (int[]){2, 2}, (int64_t[]){2, 3, 4, 3},
                                  (int[]){0, 3}, full, 1));
    static const double sums[3] = {-2.5, 1.5, 2.25};
    CU_ASSERT_TRUE(einsum_runs_to("abc->b", 1, (int[]){3}, (int64_t[]){2, 3, 4}, (int[]){1},
                                  sums, 3));
}

/* ---- ConvTranspose ---------------------------------------------------- */

/* ConvTranspose of a run-time x by constant W (and B when b_seed >= 0). */
static Node *convt_graph(Graph *g, const int64_t x_dims[4], const int64_t w_dims[4], int w_seed,
                         int b_seed, int64_t group)
{
    Tensor *x = add_input(g, "x", 4, x_dims);
    Tensor *w = pattern_const(g, 4, w_dims, w_seed);
    int64_t m = w_dims[1] * group;
    Node *n = b_seed >= 0 ? add_op(g, "ConvTranspose", 3, x, w, pattern_const(g, 1, &m, b_seed))
                          : add_op(g, "ConvTranspose", 2, x, w);
    set_int(n, "group", group);
    add_output(g, n->out[0]);
    return n;
}

/* x 1 x 4 x 2 x 3 (seed 2), W 4 x 2 x 2 x 2 (seed 5), B (seed 9),
 * group 2, strides (2, 1), dilations (2, 3), pads (1, 0, 0, 2),
 * output_padding (1, 0): the full result is 6 x 6, cropped to 5 x 4. */
static void test_convtranspose_groups_dilations(void)
{
    static const double want[80] = {
        0.75, 0.75, 0.75, 0.75, -0.875, 2.5625, -0.5, 5, 0.75, 0.75, 0.75, 0.75,
        -0.75, 1, -0.5, 0, 0.75, 0.75, 0.75, 0.75,
        -0.75, -0.75, -0.75, -0.75, -3.25, 2.0625, -2.375, -0.625, -0.75, -0.75, -0.75, -0.75,
        -2.5, -0.625, -2, -1.75, -0.75, -0.75, -0.75, -0.75,
        1, 1, 1, 1, 1.1875, 1.5625, 0.3125, 2.9375, 1, 1, 1, 1,
        1.9375, 0.125, 1.5625, 0.625, 1, 1, 1, 1,
        -0.5, -0.5, -0.5, -0.5, 0.1875, -0.8125, -0.1875, -2.125, -0.5, -0.5, -0.5, -0.5,
        0.0625, -1.625, -0.0625, -1.25, -0.5, -0.5, -0.5, -0.5};
    Graph *g = new_graph(11);
    Node *n = convt_graph(g, (int64_t[]){1, 4, 2, 3}, (int64_t[]){4, 2, 2, 2}, 5, 9, 2);
    set_ints(n, "strides", 2, (int64_t[]){2, 1});
    set_ints(n, "dilations", 2, (int64_t[]){2, 3});
    set_ints(n, "pads", 4, (int64_t[]){1, 0, 0, 2});
    set_ints(n, "output_padding", 2, (int64_t[]){1, 0});
    CU_ASSERT_TRUE(runs_to(g, (int[]){2}, "snt_conv_transpose3d_f32(", want, 80));
    graph_free(g);
}

/* One group per channel (x 1 x 3 x 2 x 3, seed 3; W 3 x 1 x 2 x 2,
 * seed 7; no bias), strides (1, 2), dilations (3, 2) - wider than the
 * kernel, so taps skip rows and columns - pads (0, 1, 2, 0) and
 * output_padding (0, 1): full 5 x 8, cropped to 3 x 7; the last row
 * and column receive no tap. */
static void test_convtranspose_depthwise(void)
{
    static const double want[63] = {
        0, 1.1875, 0, -1.375, 0, 0.625, 0, 0, -1.625, 0, 0.6875, 0, -1.875, 0,
        0, 0, 0, 0, 0, 0, 0,
        0, -1.125, 0, 1.3125, 0, -0.1875, 0, 0, 1.3125, 0, -1.125, 0, 0.75, 0,
        0, 0, 0, 0, 0, 0, 0,
        0, -1.125, 0, 1.4375, 0, -0.25, 0, 0, 1.6875, 0, -0.625, 0, 0.0625, 0,
        0, 0, 0, 0, 0, 0, 0};
    Graph *g = new_graph(11);
    Node *n = convt_graph(g, (int64_t[]){1, 3, 2, 3}, (int64_t[]){3, 1, 2, 2}, 7, -1, 3);
    set_ints(n, "strides", 2, (int64_t[]){1, 2});
    set_ints(n, "dilations", 2, (int64_t[]){3, 2});
    set_ints(n, "pads", 4, (int64_t[]){0, 1, 2, 0});
    set_ints(n, "output_padding", 2, (int64_t[]){0, 1});
    CU_ASSERT_TRUE(runs_to(g, (int[]){3}, "snt_conv_transpose3d_f32(", want, 63));
    graph_free(g);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_thin", build_runtime, remove_work_dir);
    CU_add_test(s, "pad_reflect_2d", test_pad_reflect_2d);
    CU_add_test(s, "pad_reflect_widest", test_pad_reflect_widest);
    CU_add_test(s, "pad_edge_3d", test_pad_edge_3d);
    CU_add_test(s, "pad_edge_axes", test_pad_edge_axes);
    CU_add_test(s, "einsum_spaces", test_einsum_spaces);
    CU_add_test(s, "einsum_ellipsis_broadcast", test_einsum_ellipsis_broadcast);
    CU_add_test(s, "einsum_implicit_output", test_einsum_implicit_output);
    CU_add_test(s, "einsum_diagonal", test_einsum_diagonal);
    CU_add_test(s, "einsum_contractions", test_einsum_contractions);
    CU_add_test(s, "convtranspose_groups_dilations", test_convtranspose_groups_dilations);
    CU_add_test(s, "convtranspose_depthwise", test_convtranspose_depthwise);
    return run_tests();
}
