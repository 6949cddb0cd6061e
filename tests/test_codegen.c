/*
 * test_codegen.c - generated C: hostile ONNX names cannot inject code,
 * output is byte-for-byte deterministic, and it compiles cleanly with
 * -std=c99 -Wall -Wextra -Werror; kernel parameter structs print every
 * field.
 */
#include "codegen/codegen.h"
#include "ir/ops/op_emit.h"
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RUNTIME_INCLUDE
#define RUNTIME_INCLUDE "../runtime/include"
#endif

static const char evil_input[] = "in*/put\n#include \"x\"";
static const char evil_node[] = "relu */ int injected; /*\n";

/* input -> Relu -> Add(weight) -> output, with hostile names. */
static Graph *evil_graph(void)
{
    Graph *g = graph_new("evil");
    g->opset = 13;
    Tensor *in = graph_add_tensor(g, evil_input);
    in->dtype = DT_FLOAT;
    in->shape = (Shape){2, {2, 3}};
    in->shape_known = in->is_input = true;
    Tensor *w = graph_add_tensor(g, "w\"eight\\");
    w->dtype = DT_FLOAT;
    w->shape = (Shape){1, {3}};
    w->shape_known = true;
    float wv[3] = {0.5f, -1.0f, 2.0f};
    tensor_set_data(w, wv);
    /* "p" is also the name of the kernels' parameter blocks. */
    Tensor *mid = graph_add_tensor(g, "p");
    Tensor *out = graph_add_tensor(g, "out?\?/");
    mid->is_output = out->is_output = true;
    graph_add_input(g, in);
    graph_add_output(g, out);
    graph_add_output(g, mid);
    Node *relu = graph_add_node(g, evil_node, "Relu");
    node_add_input(relu, in);
    node_add_output(relu, mid);
    Node *add = graph_add_node(g, "add", "Add");
    node_add_input(add, mid);
    node_add_input(add, w);
    node_add_output(add, out);
    return g;
}

static bool generate(CodegenOutput *out)
{
    Graph *g = evil_graph();
    Diag d = {0};
    MemPlan plan;
    CodegenOptions opt = {.name = "evil", .source = "evil.onnx", .weights = WEIGHTS_EMBED};
    bool ok = graph_infer(g, &d) && plan_memory(g, &plan, &d) && codegen_c(g, &opt, out, &d);
    if (!ok)
        fprintf(stderr, "%s", d.text.buf);
    diag_free(&d);
    graph_free(g);
    return ok;
}

/* input [2,5,5] -> Det -> output [2]: snt_det works in scratch. */
static Graph *det_graph(void)
{
    Graph *g = graph_new("det");
    g->opset = 13;
    Tensor *in = graph_add_tensor(g, "x"), *out = graph_add_tensor(g, "y");
    in->dtype = DT_FLOAT;
    in->shape = (Shape){3, {2, 5, 5}};
    in->shape_known = in->is_input = true;
    out->is_output = true;
    graph_add_input(g, in);
    graph_add_output(g, out);
    Node *det = graph_add_node(g, "det", "Det");
    node_add_input(det, in);
    node_add_output(det, out);
    return g;
}

/* A kernel's scratch is a planned region, so NAME_ARENA_BYTES is the
 * planner's arena (once Det's scratch went after it, unplanned). */
static void test_scratch_is_planned(void)
{
    Graph *g = det_graph();
    Diag d = {0};
    MemPlan plan;
    CodegenOutput out = {0};
    CodegenOptions opt = {.name = "det", .source = "det.onnx", .weights = WEIGHTS_EMBED};
    CU_ASSERT_TRUE_FATAL(graph_infer(g, &d) && plan_memory(g, &plan, &d) &&
                         codegen_c(g, &opt, &out, &d));
    char expect[64];
    snprintf(expect, sizeof expect, "#define DET_ARENA_BYTES %zu\n", g->arena_bytes);
    CU_ASSERT_TRUE(g->arena_bytes >= 5 * 5 * sizeof(double));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.h.buf, expect));
    codegen_output_free(&out);
    diag_free(&d);
    graph_free(g);
}

static void test_names_cannot_inject(void)
{
    CodegenOutput out = {0};
    CU_ASSERT_TRUE_FATAL(generate(&out));
    /* The names may appear as comment text, but never close the comment
     * or start a line of their own. */
    CU_ASSERT_PTR_NULL(strstr(out.c.buf, "*/ int injected"));
    CU_ASSERT_PTR_NULL(strstr(out.c.buf, "\n#include \"x\""));
    CU_ASSERT_PTR_NULL(strstr(out.h.buf, "\n#include \"x\""));
    CU_ASSERT_PTR_NULL(strstr(out.c.buf, "?\?/"));
    codegen_output_free(&out);
}

static void test_output_is_deterministic(void)
{
    CodegenOutput a = {0}, b = {0};
    CU_ASSERT_TRUE_FATAL(generate(&a));
    CU_ASSERT_TRUE_FATAL(generate(&b));
    CU_ASSERT_EQUAL(a.c.len, b.c.len);
    CU_ASSERT_EQUAL(memcmp(a.c.buf, b.c.buf, a.c.len), 0);
    CU_ASSERT_STRING_EQUAL(a.h.buf, b.h.buf);
    codegen_output_free(&a);
    codegen_output_free(&b);
}

static bool save(const char *path, const Str *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(s->buf, 1, s->len, f) == s->len;
    return fclose(f) == 0 && ok;
}

static void test_compiles_with_werror(void)
{
    CodegenOutput out = {0};
    CU_ASSERT_TRUE_FATAL(generate(&out));
    char dir[] = "/tmp/sinter-codegen-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char c_path[64], h_path[64], cmd[512];
    snprintf(c_path, sizeof c_path, "%s/evil.c", dir);
    snprintf(h_path, sizeof h_path, "%s/evil.h", dir);
    CU_ASSERT_TRUE(save(c_path, &out.c) && save(h_path, &out.h));
    const char *compilers[] = {"gcc", "clang"};
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd,
                 "command -v %s >/dev/null || exit 0; %s -std=c99 -Wall -Wextra -Werror -pedantic"
                 " -Wno-overlength-strings -I%s -I%s -c %s -o %s/evil.o",
                 compilers[i], compilers[i], RUNTIME_INCLUDE, dir, c_path, dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    codegen_output_free(&out);
}

static void test_identifiers_are_safe(void)
{
    char *id = c_ident("w_", "a/b:c.d-e", 48);
    CU_ASSERT_STRING_EQUAL(id, "w_a_b_c_d_e");
    free(id);
    id = c_ident("", "3x", 48);
    CU_ASSERT_TRUE(is_c_ident(id));
    free(id);
    id = c_ident("", "int", 48);
    CU_ASSERT_TRUE(is_c_ident(id));
    free(id);
}

/* Numbers the scalar fields and array elements of a params struct 1,
 * 2, 3 ... in list order (a counted array's first `count` elements, as
 * many as print) and gives ACT fields a Clip: no field is 0, so a
 * printer that left one out would differ from one that prints it. */
#define SET_FIELD(T, kind, name, arg) SET_##kind(name, arg)
#define SET_SIZE(name, arg) v.name = (size_t)++next;
#define SET_INT(name, arg) v.name = ++next;
#define SET_INT64(name, arg) v.name = ++next;
#define SET_STRIDE(name, arg) v.name = ++next;
#define SET_FLOAT(name, arg) v.name = (float)++next;
#define SET_ACT(name, arg) v.name = (snt_act){.kind = SNT_ACT_CLIP, .alpha = 0.5f, .beta = 6.0f};
#define SET_ENUM(name, arg) v.name = 1;
#define SET_SIZES(name, arg) SET_COUNTED(name, arg)
#define SET_STRIDES(name, arg) SET_COUNTED(name, arg)
#define SET_FLOATS(name, arg) SET_COUNTED(name, arg)
#define SET_SIZES_UPTO(name, arg) SET_COUNTED(name, UPTO_COUNT arg)
/* The count field of an *_UPTO field's (count, cap). */
#define UPTO_COUNT(count, cap) count
#define SET_COUNTED(name, count) \
    for (int i_ = 0; i_ < v.count; i_++) \
        v.name[i_] = ++next;
/* NESTED_2D and STRIDES_2D fields keep their zeros:
 * test_rnn_params_print_every_act and test_einsum_params_print_rows
 * check their elements. */
#define SET_NESTED_2D(name, arg)
#define SET_STRIDES_2D(name, arg)
#define SET_SIZE_ARRAY(name, arg) SET_ARRAY(name)
#define SET_STRIDE_ARRAY(name, arg) SET_ARRAY(name)
#define SET_ARRAY(name) \
    for (size_t i_ = 0; i_ < sizeof v.name / sizeof v.name[0]; i_++) \
        v.name[i_] = ++next;

/* Checks that the printed fields hold `.name = value` for each field,
 * with the value SET_FIELD gave it. */
#define CHECK_FIELD(T, kind, name, arg) CHECK_##kind(name, arg)
#define CHECK_SIZE(name, arg) check_printed(printed, #name, ++next, "");
#define CHECK_INT(name, arg) check_printed(printed, #name, ++next, "");
#define CHECK_INT64(name, arg) check_printed(printed, #name, ++next, "");
#define CHECK_STRIDE(name, arg) check_printed(printed, #name, ++next, "");
#define CHECK_FLOAT(name, arg) check_printed(printed, #name, ++next, ".0f");
#define CHECK_ACT(name, arg) CU_ASSERT_PTR_NOT_NULL(strstr(printed, "." #name " = {.kind = SNT_ACT_CLIP"));
#define CHECK_ENUM(name, arg) CU_ASSERT_PTR_NOT_NULL(strstr(printed, "." #name " = SNT_"));
#define CHECK_SIZES(name, arg) check_printed_array(printed, #name, &next, v.arg, "");
#define CHECK_STRIDES(name, arg) check_printed_array(printed, #name, &next, v.arg, "");
#define CHECK_FLOATS(name, arg) check_printed_array(printed, #name, &next, v.arg, ".0f");
#define CHECK_SIZES_UPTO(name, arg) CHECK_SIZES(name, UPTO_COUNT arg)
#define CHECK_STRIDES_2D(name, arg) CU_ASSERT_PTR_NOT_NULL(strstr(printed, "." #name " = {{"));
#define CHECK_NESTED_2D(name, arg) CU_ASSERT_PTR_NOT_NULL(strstr(printed, "." #name " = {{{"));
#define CHECK_SIZE_ARRAY(name, arg) CHECK_ARRAY(name)
#define CHECK_STRIDE_ARRAY(name, arg) CHECK_ARRAY(name)
#define CHECK_ARRAY(name) \
    check_printed_array(printed, #name, &next, (int)(sizeof v.name / sizeof v.name[0]), "");

/* Checks `.field = {first, first + 1, ...}` of count elements, each
 * followed by suffix, counting *next on. */
static void check_printed_array(const char *printed, const char *field, int *next, int count,
                                const char *suffix)
{
    char want[128];
    int len = snprintf(want, sizeof want, ".%s = {", field);
    for (int i = 0; i < count; i++)
        len += snprintf(want + len, sizeof want - (size_t)len, "%s%d%s", i ? ", " : "", ++*next,
                        suffix);
    snprintf(want + len, sizeof want - (size_t)len, "}");
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, want));
}

static void check_printed(const char *printed, const char *field, int value, const char *suffix)
{
    char want[64];
    int len = snprintf(want, sizeof want, ".%s = %d%s", field, value, suffix);
    const char *at = strstr(printed, want);
    CU_ASSERT_TRUE(at && (at[len] == ',' || at[len] == '\0'));
}

/* Prints a value of T whose fields SET_FIELD numbered into p, and
 * checks every field of T's list through CHECK_FIELD. */
#define PRINT_NUMBERED(T, LIST, p) \
    do { \
        int next = 0; \
        T v = {0}; \
        LIST(SET_FIELD, T) \
        params_put_##T(p, &v); \
        const char *printed = (p)->s.buf; \
        next = 0; \
        LIST(CHECK_FIELD, T) \
    } while (0)

/* The structs whose printing only PRINT_NUMBERED checks. */
#define NUMBERED_ONLY(X) \
    X(snt_pool2d_params, SNT_POOL2D_PARAMS) X(snt_linear_params, SNT_LINEAR_PARAMS) \
    X(snt_pointwise_pair_params, SNT_POINTWISE_PAIR_PARAMS) \
    X(snt_gemm_params, SNT_GEMM_PARAMS) X(snt_loss_params, SNT_LOSS_PARAMS) \
    X(snt_roi_align_params, SNT_ROI_ALIGN_PARAMS) \
    X(snt_grid_sample_params, SNT_GRID_SAMPLE_PARAMS) X(snt_pool3d_params, SNT_POOL3D_PARAMS) \
    X(snt_conv_transpose3d_params, SNT_CONV_TRANSPOSE3D_PARAMS) \
    X(snt_dft_params, SNT_DFT_PARAMS) X(snt_rnn_params, SNT_RNN_PARAMS) \
    X(snt_einsum_params, SNT_EINSUM_PARAMS) X(snt_qmatmul_params, SNT_QMATMUL_PARAMS) \
    X(snt_qconv2d_params, SNT_QCONV2D_PARAMS) X(snt_act, SNT_ACT)
#define PRINT_AND_CLEAR(T, LIST) \
    PRINT_NUMBERED(T, LIST, &p); \
    params_clear(&p);

/* Empties p for the next struct. */
static void params_clear(Params *p)
{
    str_free(&p->s);
    p->fields = 0;
}

/* Every field of a struct's list in sinter_params.h is printed, with its
 * value, in the list's order. */
static void test_params_print_every_field(void)
{
    Params p = {0};
    PRINT_NUMBERED(snt_conv2d_params, SNT_CONV2D_PARAMS, &p);
    CU_ASSERT_STRING_EQUAL(p.s.buf,
                           ".n = 1, .c = 2, .h = 3, .w = 4, .k = 5, .oh = 6, .ow = 7, .kh = 8, "
                           ".kw = 9, .sh = 10, .sw = 11, .dh = 12, .dw = 13, .pt = 14, .pl = 15, "
                           ".groups = 16, .act = {.kind = SNT_ACT_CLIP, .alpha = 0.5f, "
                           ".beta = 6.0f}");
    params_clear(&p);
    PRINT_NUMBERED(snt_resize_params, SNT_RESIZE_PARAMS, &p);
    CU_ASSERT_STRING_EQUAL(p.s.buf,
                           ".rank = 1, .in_dims = {2}, .out_dims = {3}, .scales = {4.0f}, "
                           ".roi_start = {5.0f}, .roi_end = {6.0f}, "
                           ".mode = SNT_RESIZE_LINEAR, .coord = SNT_COORD_PYTORCH_HALF_PIXEL, "
                           ".nearest = SNT_NEAREST_ROUND_PREFER_CEIL, .cubic_a = 7.0f, "
                           ".exclude_outside = 8, .extrapolation_value = 9.0f, "
                           ".act = {.kind = SNT_ACT_CLIP, .alpha = 0.5f, .beta = 6.0f}");
    params_clear(&p);
    NUMBERED_ONLY(PRINT_AND_CLEAR)
    PRINT_NUMBERED(snt_actx, SNT_ACTX, &p);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.s.buf, ".kind = SNT_ACTX_SELU, .alpha = 1.0f"));
    params_clear(&p);
}

/* Array fields print their first `count` elements: the struct's own
 * rank field says how many. */
#define CHECK_NAMED(T, kind, name, arg) \
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "." #name " = "));

static void test_bcast_params_print_every_field(void)
{
    snt_bcast v = {.rank = 2, .dims = {3, 4}, .a_strides = {4, 1}, .b_strides = {0, -1}};
    Params p = {0};
    params_put_snt_bcast(&p, &v);
    const char *printed = p.s.buf;
    SNT_BCAST(CHECK_NAMED, snt_bcast)
    CU_ASSERT_STRING_EQUAL(printed, ".rank = 2, .dims = {3, 4}, .a_strides = {4, 1}, "
                                    ".b_strides = {0, -1}");
    str_free(&p.s);
}

/* Enum fields print by their constant's name. */
static void test_enum_params_print_by_name(void)
{
    Params g = {0};
    PRINT_NUMBERED(snt_grid_sample_params, SNT_GRID_SAMPLE_PARAMS, &g);
    CU_ASSERT_STRING_EQUAL(g.s.buf,
                           ".mode = SNT_GRID_NEAREST, .padding = SNT_GRID_PAD_BORDER, .n = 1, "
                           ".c = 2, .h = 3, .w = 4, .oh = 5, .ow = 6, .align_corners = 7");
    str_free(&g.s);
    snt_pad_params v = {.rank = 2, .in_dims = {3, 4}, .out_dims = {5, 6},
                        .pads_begin = {1, -1}, .mode = SNT_PAD_EDGE, .value = 2.0f};
    Params p = {0};
    params_put_snt_pad_params(&p, &v);
    CU_ASSERT_STRING_EQUAL(p.s.buf, ".rank = 2, .in_dims = {3, 4}, .out_dims = {5, 6}, "
                                    ".pads_begin = {1, -1}, .mode = SNT_PAD_EDGE, .value = 2.0f");
    str_free(&p.s);
}

/* The shift's chunk arrays print `chunks` elements; the nested linear
 * prints field by field as .linear.<field>. */
static void test_shift_linear_params_print_every_field(void)
{
    snt_shift_linear_params v = {
        .n = 1, .h = 2, .w = 3, .axis = 1, .chunks = 2, .chunk_end = {4, 8}, .shift = {-1, 1},
        .linear = {.m = 6, .n = 5, .k = 8, .act = {.kind = SNT_ACT_RELU}},
    };
    Params p = {0};
    params_put_snt_shift_linear_params(&p, &v);
    CU_ASSERT_STRING_EQUAL(p.s.buf, ".n = 1, .h = 2, .w = 3, .axis = 1, .chunks = 2, "
                                    ".chunk_end = {4, 8}, .shift = {-1, 1}, .linear.m = 6, "
                                    ".linear.n = 5, .linear.k = 8, .linear.act = "
                                    "{.kind = SNT_ACT_RELU, .alpha = 0.0f, .beta = 0.0f}");
    str_free(&p.s);
}

/* The recurrent layers' act[2][3] prints every activation, the unused
 * ones (zeros) too, each by its fields. */
static void test_rnn_params_print_every_act(void)
{
    snt_rnn_params v = {.cell = SNT_RNN_GRU, .directions = 1,
                        .act = {{{SNT_RNN_SIGMOID, 0, 0}, {SNT_RNN_SCALED_TANH, 0.5f, 2}}}};
    Params p = {0};
    params_put_snt_rnn_params(&p, &v);
    CU_ASSERT_PTR_NOT_NULL(strstr(
        p.s.buf, ".act = {{{.kind = SNT_RNN_SIGMOID, .alpha = 0.0f, .beta = 0.0f}, "
                 "{.kind = SNT_RNN_SCALED_TANH, .alpha = 0.5f, .beta = 2.0f}, "
                 "{.kind = SNT_RNN_RELU, .alpha = 0.0f, .beta = 0.0f}}, "
                 "{{.kind = SNT_RNN_RELU, .alpha = 0.0f, .beta = 0.0f}, "
                 "{.kind = SNT_RNN_RELU, .alpha = 0.0f, .beta = 0.0f}, "
                 "{.kind = SNT_RNN_RELU, .alpha = 0.0f, .beta = 0.0f}}}, "
                 ".last_step_only = 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(p.s.buf, ".cell = SNT_RNN_GRU, "));
    str_free(&p.s);
}

/* Einsum's strides print n_inputs rows of rank elements. */
static void test_einsum_params_print_rows(void)
{
    snt_einsum_params v = {.n_inputs = 2, .rank = 3, .out_rank = 2, .dims = {4, 5, 6},
                           .strides = {{6, 0, 1}, {0, -1, 5}}};
    Params p = {0};
    params_put_snt_einsum_params(&p, &v);
    CU_ASSERT_STRING_EQUAL(p.s.buf, ".n_inputs = 2, .rank = 3, .out_rank = 2, .dims = {4, 5, 6}, "
                                    ".strides = {{6, 0, 1}, {0, -1, 5}}");
    str_free(&p.s);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("codegen", NULL, NULL);
    CU_add_test(s, "hostile names cannot inject code", test_names_cannot_inject);
    CU_add_test(s, "output is deterministic", test_output_is_deterministic);
    CU_add_test(s, "compiles with -Werror", test_compiles_with_werror);
    CU_add_test(s, "identifiers are safe", test_identifiers_are_safe);
    CU_add_test(s, "kernel scratch is planned", test_scratch_is_planned);
    CU_add_test(s, "params print every field", test_params_print_every_field);
    CU_add_test(s, "rnn params print every act", test_rnn_params_print_every_act);
    CU_add_test(s, "einsum params print rows", test_einsum_params_print_rows);
    CU_add_test(s, "bcast params print every field", test_bcast_params_print_every_field);
    CU_add_test(s, "enum params print by name", test_enum_params_print_by_name);
    CU_add_test(s, "shift linear params print every field",
                test_shift_linear_params_print_every_field);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
