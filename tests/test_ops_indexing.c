/*
 * test_ops_indexing.c - indexing and data-movement ops: GatherElements,
 * GatherND, Scatter*, Where, Trilu, OneHot, EyeLike, Expand, Tile,
 * DepthToSpace, SpaceToDepth, Size and CastLike.
 *
 * Folding runs the same runtime kernels the generated code calls, so the
 * folded values below check shape rules and kernels together; the
 * emitted calls are checked as text.
 */
#define OP_TEST_NAMED_NODES
#include "op_test.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Building and evaluating graphs                                     */
/* ------------------------------------------------------------------ */

#define I32S(...) (int32_t[]){__VA_ARGS__}
#define U8S(...) (uint8_t[]){__VA_ARGS__}

static Tensor *constant(Graph *g, DType dt, int rank, const int64_t *dims, const void *v)
{
    Tensor *t = add_tensor(g, "c", dt, rank, dims);
    tensor_set_data(t, v);
    return t;
}

#define VEC(g, ...) constant(g, DT_INT64, DIMS(COUNT_I64(__VA_ARGS__)), I64S(__VA_ARGS__))

/* Inference fails with a message containing `text`; frees g. */
static void expect_error(Graph *g, const char *text)
{
    Diag d = {0};
    CU_ASSERT_FALSE(graph_infer(g, &d));
    CU_ASSERT_PTR_NOT_NULL(d.text.buf ? strstr(d.text.buf, text) : NULL);
    if (!d.text.buf || !strstr(d.text.buf, text))
        fprintf(stderr, "\nexpected '%s' in: %s", text, d.text.buf ? d.text.buf : "(none)");
    diag_free(&d);
    graph_free(g);
}

/* t has the given shape and folded bytes; frees nothing. */
static void expect_value(const Tensor *t, DType dt, int rank, const int64_t *dims,
                         const void *values)
{
    Shape want = {.rank = rank};
    for (int i = 0; i < rank; i++)
        want.dim[i] = dims[i];
    CU_ASSERT_EQUAL(t->dtype, dt);
    CU_ASSERT_TRUE(shape_equal(&t->shape, &want));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t->data);
    CU_ASSERT_EQUAL(memcmp(t->data, values, tensor_bytes(t)), 0);
}

/* Generates C for g (outputs: the last node's) and checks that it holds
 * each of the lines; frees g. */
static void expect_code(Graph *g, int count, const char *const *lines)
{
    set_params_for_codegen(g);
    CodegenOptions opt = {.name = "m", .source = "test", .weights = WEIGHTS_EMBED};
    CodegenOutput out = {0};
    Diag d = {0};
    bool ok = graph_infer(g, &d) && codegen_c(g, &opt, &out, &d);
    if (!ok)
        fprintf(stderr, "\n%s", d.text.buf ? d.text.buf : "");
    CU_ASSERT_TRUE_FATAL(ok);
    for (int i = 0; i < count; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(out.c.buf, lines[i]));
        if (!strstr(out.c.buf, lines[i]))
            fprintf(stderr, "\nmissing: %s\nin:\n%s\n", lines[i], out.c.buf);
    }
    codegen_output_free(&out);
    diag_free(&d);
    graph_free(g);
}

#define EXPECT_CODE(g, ...) \
    expect_code(g, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)), \
                (const char *[]){__VA_ARGS__})

/* ------------------------------------------------------------------ */
/* Strided copies: Expand, Tile, DepthToSpace, SpaceToDepth            */
/* ------------------------------------------------------------------ */

static void test_expand(void)
{
    Graph *g = new_graph(13);
    Tensor *x = constant(g, DT_FLOAT, DIMS(3, 1), F32S(1, 2, 3));
    Node *n = NODE(g, "y", "Expand", x, VEC(g, 2, 1, 2));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_FLOAT, DIMS(2, 3, 2), F32S(1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3));
    graph_free(g);

    g = new_graph(13);
    NODE(g, "y", "Expand", input(g, "x", DT_FLOAT, DIMS(3, 2)), VEC(g, 4, 2));
    expect_error(g, "cannot expand shape [3,2] to [4,2]");

    /* Run time: a broadcast axis reads with stride 0. */
    g = new_graph(13);
    NODE(g, "y", "Expand", input(g, "x", DT_INT64, DIMS(3, 1)), VEC(g, 3, 4));
    EXPECT_CODE(g, "static const snt_strided p0 = {.rank = 2, .dims = {3, 4}, "
                   ".src_strides = {1, 0}, .dst_strides = {4, 1}};",
                "snt_strided_copy(&p0, sizeof(int64_t), x, y);");
}

static void test_tile(void)
{
    Graph *g = new_graph(13);
    Tensor *x = constant(g, DT_INT32, DIMS(2, 2), I32S(1, 2, 3, 4));
    Node *n = NODE(g, "y", "Tile", x, VEC(g, 2, 3));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_INT32, DIMS(4, 6),
                 I32S(1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4));
    graph_free(g);

    g = new_graph(13);
    NODE(g, "y", "Tile", input(g, "x", DT_FLOAT, DIMS(2, 2)), VEC(g, 2));
    expect_error(g, "repeats has 1 values for an input of rank 2");

    /* A repeated axis splits into (repeat, extent); axes repeated once stay whole. */
    g = new_graph(13);
    NODE(g, "y", "Tile", input(g, "x", DT_FLOAT, DIMS(2, 3)), VEC(g, 1, 2));
    EXPECT_CODE(g, "static const snt_strided p0 = {.rank = 3, .dims = {2, 2, 3}, "
                   ".src_strides = {3, 0, 1}, .dst_strides = {6, 3, 1}};");
}

static void test_depth_space(void)
{
    const float ramp[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    /* DCR: channel = (b1 * 2 + b2) * 2 + c'; CRD: channel = c' * 4 + b1 * 2 + b2. */
    Graph *g = new_graph(13);
    Node *dcr = NODE(g, "dcr", "DepthToSpace", constant(g, DT_FLOAT, DIMS(1, 8, 1, 1), ramp));
    set_int(dcr, "blocksize", 2);
    Node *crd = NODE(g, "crd", "DepthToSpace", constant(g, DT_FLOAT, DIMS(1, 8, 1, 1), ramp));
    set_int(crd, "blocksize", 2);
    set_str(crd, "mode", "CRD");
    /* SpaceToDepth undoes DCR. */
    Node *back = NODE(g, "back", "SpaceToDepth", dcr->out[0]);
    set_int(back, "blocksize", 2);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(dcr->out[0], DT_FLOAT, DIMS(1, 2, 2, 2), F32S(0, 2, 4, 6, 1, 3, 5, 7));
    expect_value(crd->out[0], DT_FLOAT, DIMS(1, 2, 2, 2), ramp);
    expect_value(back->out[0], DT_FLOAT, DIMS(1, 8, 1, 1), ramp);
    graph_free(g);

    g = new_graph(13);
    Node *bad = NODE(g, "y", "DepthToSpace", input(g, "x", DT_FLOAT, DIMS(1, 6, 2, 2)));
    set_int(bad, "blocksize", 2);
    expect_error(g, "channels 6 are not a multiple of blocksize");

    g = new_graph(13);
    bad = NODE(g, "y", "SpaceToDepth", input(g, "x", DT_FLOAT, DIMS(1, 1, 3, 4)));
    set_int(bad, "blocksize", 2);
    expect_error(g, "must be multiples of blocksize 2");
}

/* ------------------------------------------------------------------ */
/* Gathers and scatters                                               */
/* ------------------------------------------------------------------ */

static void test_gather_elements(void)
{
    Graph *g = new_graph(13);
    Tensor *x = constant(g, DT_FLOAT, DIMS(2, 2), F32S(1, 2, 3, 4));
    Node *n = NODE(g, "y", "GatherElements", x,
                   constant(g, DT_INT64, DIMS(2, 2), I64S(0, 0, -1, 0)));
    set_int(n, "axis", 1);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_FLOAT, DIMS(2, 2), F32S(1, 1, 4, 3));
    graph_free(g);

    g = new_graph(13);
    NODE(g, "y", "GatherElements", input(g, "x", DT_FLOAT, DIMS(2, 2)),
         constant(g, DT_INT64, DIMS(1, 2), I64S(0, 2)));
    expect_error(g, "index 2 is out of range for an axis of 2");

    g = new_graph(13);
    NODE(g, "y", "GatherElements", input(g, "x", DT_UINT8, DIMS(3, 4)),
         input(g, "i", DT_INT32, DIMS(2, 4)));
    EXPECT_CODE(g, "static const snt_elements_params p = {.rank = 2, .axis = 0, "
                   ".x_dims = {3, 4}, .idx_dims = {2, 4}};",
                "snt_gather_elements(&p, sizeof(uint8_t), x, SNT_DT_INT32, i, y);");
}

static void test_gather_nd(void)
{
    Graph *g = new_graph(13);
    Tensor *x = constant(g, DT_INT32, DIMS(2, 2, 2), I32S(0, 1, 2, 3, 4, 5, 6, 7));
    Node *n = NODE(g, "y", "GatherND", x, constant(g, DT_INT64, DIMS(2, 1), I64S(1, 0)));
    set_int(n, "batch_dims", 1);
    Node *whole = NODE(g, "z", "GatherND", x, constant(g, DT_INT64, DIMS(2, 2), I64S(1, 1, 0, 1)));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_INT32, DIMS(2, 2), I32S(2, 3, 4, 5));
    expect_value(whole->out[0], DT_INT32, DIMS(2, 2), I32S(6, 7, 2, 3));
    graph_free(g);

    g = new_graph(13);
    NODE(g, "y", "GatherND", input(g, "x", DT_FLOAT, DIMS(2, 2)),
         input(g, "i", DT_INT64, DIMS(1, 3)));
    expect_error(g, "index tuples of 3 values cannot address data of rank 2");
}

static void test_scatter_elements(void)
{
    Graph *g = new_graph(16);
    Tensor *x = constant(g, DT_FLOAT, DIMS(1, 5), F32S(1, 2, 3, 4, 5));
    Tensor *idx = constant(g, DT_INT64, DIMS(1, 2), I64S(1, -4));
    Tensor *upd = constant(g, DT_FLOAT, DIMS(1, 2), F32S(1.5f, 2.5f));
    Node *set = NODE(g, "set", "ScatterElements", x, idx, upd);
    Node *add = NODE(g, "add", "ScatterElements", x, idx, upd);
    Node *mul = NODE(g, "mul", "ScatterElements", x, idx, upd);
    set_int(set, "axis", 1);
    set_int(add, "axis", 1);
    set_int(mul, "axis", 1);
    set_str(add, "reduction", "add");
    set_str(mul, "reduction", "mul");
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    /* Both indices name element 1: the second update wins or combines. */
    expect_value(set->out[0], DT_FLOAT, DIMS(1, 5), F32S(1, 2.5f, 3, 4, 5));
    expect_value(add->out[0], DT_FLOAT, DIMS(1, 5), F32S(1, 6, 3, 4, 5));
    expect_value(mul->out[0], DT_FLOAT, DIMS(1, 5), F32S(1, 7.5f, 3, 4, 5));
    CU_ASSERT_EQUAL(add->op->cost(add).flops, 2);
    CU_ASSERT_EQUAL(set->op->cost(set).flops, 0);
    CU_ASSERT_EQUAL(add->op->cost(add).macs, 0);
    graph_free(g);

    /* Scatter is the opset 9-10 name; it has no reduction. */
    g = new_graph(10);
    x = constant(g, DT_INT64, DIMS(3), I64S(0, 0, 0));
    Node *old = NODE(g, "y", "Scatter", x, constant(g, DT_INT32, DIMS(1), I32S(2)), VEC(g, 9));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(old->out[0], DT_INT64, DIMS(3), I64S(0, 0, 9));
    graph_free(g);

    g = new_graph(13);
    Node *bad = NODE(g, "y", "ScatterElements", input(g, "x", DT_FLOAT, DIMS(4)),
                     input(g, "i", DT_INT64, DIMS(2)), input(g, "u", DT_FLOAT, DIMS(2)));
    set_str(bad, "reduction", "add");
    expect_error(g, "reduction 'add' is not supported");

    g = new_graph(16);
    bad = NODE(g, "y", "ScatterElements", input(g, "x", DT_FLOAT, DIMS(4)),
               input(g, "i", DT_FLOAT, DIMS(2)), input(g, "u", DT_FLOAT, DIMS(2)));
    expect_error(g, "must be int32 or int64, not float32");
}

static void test_scatter_nd(void)
{
    Graph *g = new_graph(16);
    Tensor *x = constant(g, DT_FLOAT, DIMS(8), F32S(1, 2, 3, 4, 5, 6, 7, 8));
    Tensor *idx = constant(g, DT_INT64, DIMS(4, 1), I64S(4, 3, 1, 7));
    Tensor *upd = constant(g, DT_FLOAT, DIMS(4), F32S(9, 10, 11, 12));
    Node *set = NODE(g, "set", "ScatterND", x, idx, upd);
    Node *mul = NODE(g, "mul", "ScatterND", x, idx, upd);
    set_str(mul, "reduction", "mul");
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(set->out[0], DT_FLOAT, DIMS(8), F32S(1, 11, 3, 10, 9, 6, 7, 12));
    expect_value(mul->out[0], DT_FLOAT, DIMS(8), F32S(1, 22, 3, 40, 45, 6, 7, 96));
    graph_free(g);

    g = new_graph(16);
    NODE(g, "y", "ScatterND", input(g, "x", DT_FLOAT, DIMS(4, 4)),
         input(g, "i", DT_INT64, DIMS(2, 1)), input(g, "u", DT_FLOAT, DIMS(2, 3)));
    expect_error(g, "updates must have shape [2,4]");

    g = new_graph(16);
    NODE(g, "y", "ScatterND", input(g, "x", DT_FLOAT, DIMS(4, 4)),
         input(g, "i", DT_INT64, DIMS(2, 1)), input(g, "u", DT_FLOAT, DIMS(2, 4)));
    EXPECT_CODE(g, "static const snt_nd_params p = {.batch = 1, .tuples = 2, .slice = 4, "
                   ".k = 1, .dims = {4}};",
                "snt_scatter_nd(&p, SNT_DT_FLOAT, SNT_SCATTER_NONE, x, SNT_DT_INT64, i, u, y);");
}

/* ------------------------------------------------------------------ */
/* Selection: Where, Trilu, OneHot, EyeLike                            */
/* ------------------------------------------------------------------ */

static void test_where(void)
{
    Graph *g = new_graph(16);
    Tensor *c = constant(g, DT_BOOL, DIMS(2, 1), U8S(1, 0));
    Tensor *x = constant(g, DT_INT64, DIMS(1, 3), I64S(1, 2, 3));
    Tensor *y = constant(g, DT_INT64, SCALAR, I64S(-1));
    Node *n = NODE(g, "w", "Where", c, x, y);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_INT64, DIMS(2, 3), I64S(1, 2, 3, -1, -1, -1));
    graph_free(g);

    g = new_graph(16);
    NODE(g, "w", "Where", input(g, "c", DT_FLOAT, DIMS(2)), input(g, "x", DT_FLOAT, DIMS(2)),
         input(g, "y", DT_FLOAT, DIMS(2)));
    expect_error(g, "must be bool, not float32");

    g = new_graph(16);
    NODE(g, "w", "Where", input(g, "c", DT_BOOL, DIMS(2, 1)), input(g, "x", DT_FLOAT, DIMS(3)),
         input(g, "y", DT_FLOAT, SCALAR));
    EXPECT_CODE(g, "static const snt_where_params p = {.rank = 2, .dims = {2, 3}, "
                   ".cond_strides = {1, 0}, .x_strides = {0, 1}, .y_strides = {0, 0}};",
                "snt_where(&p, sizeof(float), x_c, x, y, w);");
}

static void test_trilu(void)
{
    const int64_t m[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    Graph *g = new_graph(14);
    Node *up = NODE(g, "up", "Trilu", constant(g, DT_INT64, DIMS(3, 4), m), VEC(g, 1));
    Node *low = NODE(g, "low", "Trilu", constant(g, DT_INT64, DIMS(3, 4), m),
                     constant(g, DT_INT64, SCALAR, I64S(-1)));
    set_int(low, "upper", 0);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(up->out[0], DT_INT64, DIMS(3, 4), I64S(0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12));
    expect_value(low->out[0], DT_INT64, DIMS(3, 4), I64S(0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0));
    graph_free(g);

    /* k may be a run-time input: the kernel reads it. */
    g = new_graph(14);
    Node *n = NODE(g, "y", "Trilu", input(g, "x", DT_FLOAT, DIMS(2, 4, 5)),
                   input(g, "k", DT_INT64, SCALAR));
    set_int(n, "upper", 0);
    EXPECT_CODE(g, "snt_trilu(2, 4, 5, k[0], 0, sizeof(float), x, y);");

    g = new_graph(14);
    NODE(g, "y", "Trilu", input(g, "x", DT_FLOAT, DIMS(5)));
    expect_error(g, "must have rank 2 or more");
}

static void test_onehot(void)
{
    Graph *g = new_graph(11);
    Tensor *idx = constant(g, DT_FLOAT, DIMS(3), F32S(0, -1, 5.5f));
    Node *n = NODE(g, "y", "OneHot", idx, constant(g, DT_FLOAT, SCALAR, F32S(3)),
                   constant(g, DT_INT32, DIMS(2), I32S(-2, 7)));
    Node *first = NODE(g, "z", "OneHot", idx, constant(g, DT_INT64, SCALAR, I64S(3)),
                       constant(g, DT_INT32, DIMS(2), I32S(0, 1)));
    set_int(first, "axis", 0);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    /* -1 counts from the end; 5 is out of range and stays all off. */
    expect_value(n->out[0], DT_INT32, DIMS(3, 3), I32S(7, -2, -2, -2, -2, 7, -2, -2, -2));
    expect_value(first->out[0], DT_INT32, DIMS(3, 3), I32S(1, 0, 0, 0, 0, 0, 0, 1, 0));
    graph_free(g);

    g = new_graph(11);
    NODE(g, "y", "OneHot", input(g, "i", DT_INT64, DIMS(3)), input(g, "depth", DT_FLOAT, SCALAR),
         input(g, "v", DT_FLOAT, DIMS(2)));
    expect_error(g, "input 1 ('depth') must be known at compile time");

    g = new_graph(11);
    NODE(g, "y", "OneHot", input(g, "i", DT_INT64, DIMS(2)), VEC(g, 4),
         input(g, "v", DT_FLOAT, DIMS(2)));
    EXPECT_CODE(g, "snt_onehot(2, 4, 1, SNT_DT_INT64, i, sizeof(float), v, y);");
}

static void test_eyelike_and_size(void)
{
    /* Both depend on the input's shape only: they fold for a run-time input. */
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_INT32, DIMS(3, 4));
    Node *eye = NODE(g, "eye", "EyeLike", x);
    set_int(eye, "k", 1);
    set_int(eye, "dtype", DT_DOUBLE);
    Node *same = NODE(g, "same", "EyeLike", x);
    set_int(same, "k", -2);
    Node *size = NODE(g, "size", "Size", x);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(eye->out[0], DT_DOUBLE, DIMS(3, 4),
                 (double[]){0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
    expect_value(same->out[0], DT_INT32, DIMS(3, 4), I32S(0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0));
    expect_value(size->out[0], DT_INT64, SCALAR, I64S(12));
    graph_free(g);

    g = new_graph(13);
    NODE(g, "eye", "EyeLike", input(g, "x", DT_FLOAT, DIMS(2, 2, 2)));
    expect_error(g, "must have rank 2, not 3");
}

/* ------------------------------------------------------------------ */
/* Pass-through: CastLike                                              */
/* ------------------------------------------------------------------ */

static void test_castlike(void)
{
    Graph *g = new_graph(15);
    Node *n = NODE(g, "y", "CastLike", constant(g, DT_FLOAT, DIMS(3), F32S(1.9f, -2.7f, 0)),
                   input(g, "like", DT_INT32, DIMS(1)));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    expect_value(n->out[0], DT_INT32, DIMS(3), I32S(1, -2, 0));
    graph_free(g);

    g = new_graph(15);
    NODE(g, "y", "CastLike", input(g, "x", DT_DOUBLE, DIMS(5)), input(g, "like", DT_FLOAT, SCALAR));
    EXPECT_CODE(g, "snt_cast(SNT_DT_DOUBLE, x, SNT_DT_FLOAT, y, 5);");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_indexing", NULL, NULL);
    CU_add_test(s, "Expand", test_expand);
    CU_add_test(s, "Tile", test_tile);
    CU_add_test(s, "DepthToSpace and SpaceToDepth", test_depth_space);
    CU_add_test(s, "GatherElements", test_gather_elements);
    CU_add_test(s, "GatherND", test_gather_nd);
    CU_add_test(s, "ScatterElements and Scatter", test_scatter_elements);
    CU_add_test(s, "ScatterND", test_scatter_nd);
    CU_add_test(s, "Where", test_where);
    CU_add_test(s, "Trilu", test_trilu);
    CU_add_test(s, "OneHot", test_onehot);
    CU_add_test(s, "EyeLike and Size", test_eyelike_and_size);
    CU_add_test(s, "CastLike", test_castlike);
    return run_tests();
}
