/*
 * test_ops_value_shaped.c - NonZero, Unique and Compress (value-dependent
 * shapes), and Upsample, ReverseSequence, MaxUnpool and GlobalLpPool:
 * shape rules, folding against values worked out by hand, the kernel
 * calls they print, costs, and their errors.
 */
#include "op_test.h"
#include "sinter_rt.h"

static bool shape_is(const Tensor *t, int rank, const int64_t *dims)
{
    Shape want = {.rank = rank};
    memcpy(want.dim, dims, (size_t)rank * sizeof *dims);
    return shape_matches(t, want);
}

/* Folded values match to 1e-5. */
static bool values_are(const Tensor *t, const double *want, int64_t count)
{
    return values_within(t, want, count, 1e-5);
}

static Tensor *floats(Graph *g, int rank, const int64_t *dims, const float *v)
{
    return add_const(g, DT_FLOAT, rank, dims, v);
}

/* ---- NonZero -------------------------------------------------------- */

static void test_nonzero_folds(void)
{
    Graph *g = new_graph(13);
    const uint8_t v[4] = {1, 0, 1, 1};
    Node *n = add_op(g, "NonZero", 1, add_const(g, DT_BOOL, 2, (int64_t[]){2, 2}, v));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_is(n->out[0], 2, (int64_t[]){2, 3}));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT64);
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){0, 1, 1, 0, 0, 1}, 6));
    graph_free(g);

    g = new_graph(13);
    const float f[5] = {0, -2, 0, 0, 3};
    n = add_op(g, "NonZero", 1, floats(g, 1, (int64_t[]){5}, f));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){1, 4}, 2));
    graph_free(g);
}

static void test_nonzero_runtime_refused(void)
{
    Graph *g = new_graph(13);
    Node *n = add_op(g, "NonZero", 1, add_input(g, "x", 1, (int64_t[]){4}));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "('x') must be known at compile time: the output shape "
                                  "depends on its values"));
    graph_free(g);
}

/* ---- Unique --------------------------------------------------------- */

/* Unique of x with `sorted` and an optional axis, all four outputs. */
static Node *unique_node(Graph *g, Tensor *x, int sorted, const int64_t *axis)
{
    Node *n = add_op(g, "Unique", 1, x);
    for (int i = 1; i < 4; i++)
        node_add_output(n, graph_new_tensor(g, "u"));
    set_int(n, "sorted", sorted);
    if (axis)
        set_int(n, "axis", *axis);
    for (int i = 0; i < 4; i++)
        add_output(g, n->out[i]);
    return n;
}

static void test_unique_without_axis(void)
{
    const float v[6] = {2, 1, 1, 3, 4, 3};
    for (int sorted = 0; sorted < 2; sorted++) {
        Graph *g = new_graph(11);
        Node *n = unique_node(g, floats(g, 1, (int64_t[]){6}, v), sorted, NULL);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_TRUE(shape_is(n->out[0], 1, (int64_t[]){4}));
        CU_ASSERT_TRUE(shape_is(n->out[2], 1, (int64_t[]){6}));
        if (sorted) {
            CU_ASSERT_TRUE(values_are(n->out[0], (double[]){1, 2, 3, 4}, 4));
            CU_ASSERT_TRUE(values_are(n->out[1], (double[]){1, 0, 3, 4}, 4));
            CU_ASSERT_TRUE(values_are(n->out[2], (double[]){1, 0, 0, 2, 3, 2}, 6));
            CU_ASSERT_TRUE(values_are(n->out[3], (double[]){2, 1, 2, 1}, 4));
        } else {
            CU_ASSERT_TRUE(values_are(n->out[0], (double[]){2, 1, 3, 4}, 4));
            CU_ASSERT_TRUE(values_are(n->out[1], (double[]){0, 1, 3, 4}, 4));
            CU_ASSERT_TRUE(values_are(n->out[2], (double[]){0, 1, 1, 2, 3, 2}, 6));
            CU_ASSERT_TRUE(values_are(n->out[3], (double[]){1, 2, 2, 1}, 4));
        }
        graph_free(g);
    }
}

/* Rows of a 3 x 2 int matrix, unique along axis 0 (and -2). */
static void test_unique_with_axis(void)
{
    const int64_t v[6] = {1, 0, 0, 5, 1, 0};
    for (int64_t axis = -2; axis <= 0; axis += 2) {
        Graph *g = new_graph(11);
        Node *n = unique_node(g, add_const(g, DT_INT64, 2, (int64_t[]){3, 2}, v), 1, &axis);
        CU_ASSERT_TRUE_FATAL(infer(g));
        CU_ASSERT_TRUE(shape_is(n->out[0], 2, (int64_t[]){2, 2}));
        CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT64);
        CU_ASSERT_TRUE(values_are(n->out[0], (double[]){0, 5, 1, 0}, 4));
        CU_ASSERT_TRUE(values_are(n->out[1], (double[]){1, 0}, 2));
        CU_ASSERT_TRUE(values_are(n->out[2], (double[]){1, 0, 1}, 3));
        CU_ASSERT_TRUE(values_are(n->out[3], (double[]){1, 2}, 2));
        graph_free(g);
    }
}

static void test_unique_errors(void)
{
    Graph *g = new_graph(11);
    unique_node(g, add_input(g, "x", 1, (int64_t[]){4}), 1, NULL);
    CU_ASSERT_TRUE(failed_with(g, "input 0 ('x') must be known at compile time"));
    graph_free(g);

    g = new_graph(11);
    const float v[2] = {1, 2};
    unique_node(g, floats(g, 1, (int64_t[]){2}, v), 1, (int64_t[]){1});
    CU_ASSERT_TRUE(failed_with(g, "axis 1 is out of range"));
    graph_free(g);
}

/* ---- Compress ------------------------------------------------------- */

static const uint8_t cond3[3] = {0, 1, 1};

static void test_compress_runs_as_gather(void)
{
    Graph *g = new_graph(11);
    Tensor *x = add_input(g, "x", 2, (int64_t[]){3, 2});
    Node *n = add_op(g, "Compress", 2, x, add_const(g, DT_BOOL, 1, (int64_t[]){3}, cond3));
    set_int(n, "axis", 0);
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_is(n->out[0], 2, (int64_t[]){2, 2}));
    CU_ASSERT_TRUE(contains(c, "snt_gather_i64(1, 3, 2, sizeof(float), "));
    free(c);
    graph_free(g);
}

static void test_compress_folds(void)
{
    const float v[6] = {1, 2, 3, 4, 5, 6};
    const uint8_t cond5[5] = {0, 1, 0, 0, 1};
    /* No axis: the flattened input. */
    Graph *g = new_graph(11);
    Node *n = add_op(g, "Compress", 2, floats(g, 2, (int64_t[]){3, 2}, v),
                     add_const(g, DT_BOOL, 1, (int64_t[]){5}, cond5));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){2, 5}, 2));
    graph_free(g);
    /* Axis -1 with a condition shorter than the axis. */
    g = new_graph(11);
    n = add_op(g, "Compress", 2, floats(g, 2, (int64_t[]){3, 2}, v),
               add_const(g, DT_BOOL, 1, (int64_t[]){1}, (uint8_t[]){1}));
    set_int(n, "axis", -1);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_is(n->out[0], 2, (int64_t[]){3, 1}));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){1, 3, 5}, 3));
    graph_free(g);
}

static void test_compress_errors(void)
{
    Graph *g = new_graph(11);
    Tensor *c = typed_input(g, "cond", DT_BOOL, 1, (int64_t[]){3});
    add_output(g, add_op(g, "Compress", 2, add_input(g, "x", 1, (int64_t[]){3}), c)->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "input 1 ('cond') must be known at compile time"));
    graph_free(g);

    g = new_graph(11);
    const uint8_t v[4] = {0, 0, 0, 1};
    add_output(g, add_op(g, "Compress", 2, add_input(g, "x", 1, (int64_t[]){3}),
                         add_const(g, DT_BOOL, 1, (int64_t[]){4}, v))->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "condition selects position 3 of an axis of 3"));
    graph_free(g);
}

/* ---- Upsample ------------------------------------------------------- */

static const float img[4] = {1, 2, 3, 4};
static const double nearest_1x2x3[] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                       3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};

static void test_upsample_attribute_scales(void)
{
    Graph *g = new_graph(7);
    Node *n = add_op(g, "Upsample", 1, floats(g, 4, (int64_t[]){1, 1, 2, 2}, img));
    Attr *a = node_add_attr(n, "scales", ATTR_FLOATS);
    a->n = 4;
    a->floats = xmalloc(4 * sizeof *a->floats);
    memcpy(a->floats, (double[]){1, 1, 2, 3}, 4 * sizeof *a->floats);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_is(n->out[0], 4, (int64_t[]){1, 1, 4, 6}));
    CU_ASSERT_TRUE(values_are(n->out[0], nearest_1x2x3, 24));
    graph_free(g);
}

static void test_upsample_input_scales(void)
{
    const float scales[4] = {1, 1, 2, 3};
    Graph *g = new_graph(9);
    Node *n = add_op(g, "Upsample", 2, add_input(g, "x", 4, (int64_t[]){1, 1, 2, 2}),
                     floats(g, 1, (int64_t[]){4}, scales));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(shape_is(n->out[0], 4, (int64_t[]){1, 1, 4, 6}));
    CU_ASSERT_TRUE(contains(c, "SNT_COORD_ASYMMETRIC"));
    CU_ASSERT_TRUE(contains(c, "snt_resize_f32(&p, "));
    free(c);
    /* Linear costs two taps per resized axis. */
    set_string(n, "mode", "linear");
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 2 * 4 * 24);
    graph_free(g);
}

static void test_upsample_errors(void)
{
    const float scales[4] = {1, 1, 2, 2};
    Graph *g = new_graph(9);
    Node *n = add_op(g, "Upsample", 2, floats(g, 4, (int64_t[]){1, 1, 2, 2}, img),
                     floats(g, 1, (int64_t[]){4}, scales));
    set_string(n, "mode", "cubic");
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "mode 'cubic' is not supported"));
    graph_free(g);

    g = new_graph(7); /* opset 7 takes an attribute, not an input */
    add_output(g, add_op(g, "Upsample", 2, floats(g, 4, (int64_t[]){1, 1, 2, 2}, img),
                         floats(g, 1, (int64_t[]){4}, scales))->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "scales must be an attribute"));
    graph_free(g);

    g = new_graph(9);
    add_output(g, add_op(g, "Upsample", 2, floats(g, 4, (int64_t[]){1, 1, 2, 2}, img),
                         add_input(g, "s", 1, (int64_t[]){4}))->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "scales ('s') must be known at compile time"));
    graph_free(g);
}

/* Resize still needs one of scales and sizes (the attribute is Upsample's). */
static void test_resize_unchanged(void)
{
    Graph *g = new_graph(10);
    add_output(g, add_op(g, "Resize", 2, floats(g, 4, (int64_t[]){1, 1, 2, 2}, img),
                         floats(g, 1, (int64_t[]){0}, img))->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "exactly one of scales and sizes must be given"));
    graph_free(g);
}

/* ---- ReverseSequence ------------------------------------------------ */

static const float seq16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static Node *reverse_node(Graph *g, Tensor *x, Tensor *lens, int batch_axis, int time_axis)
{
    Node *n = add_op(g, "ReverseSequence", 2, x, lens);
    set_int(n, "batch_axis", batch_axis);
    set_int(n, "time_axis", time_axis);
    add_output(g, n->out[0]);
    return n;
}

static void test_reverse_sequence_folds(void)
{
    /* Batch major: row b reverses its first lens[b] elements. */
    Graph *g = new_graph(10);
    const int64_t lens[4] = {1, 2, 3, 4};
    Node *n = reverse_node(g, floats(g, 2, (int64_t[]){4, 4}, seq16), ints1(g, 4, lens), 0, 1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0],
                              (double[]){0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12},
                              16));
    graph_free(g);
    /* Time major: column b reverses its first lens[b] elements. */
    g = new_graph(10);
    const int64_t lens2[4] = {4, 3, 2, 1};
    n = reverse_node(g, floats(g, 2, (int64_t[]){4, 4}, seq16), ints1(g, 4, lens2), 1, 0);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0],
                              (double[]){12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15},
                              16));
    graph_free(g);
}

static void test_reverse_sequence_runtime(void)
{
    Graph *g = new_graph(10);
    Tensor *lens = typed_input(g, "lens", DT_INT64, 1, (int64_t[]){2});
    Node *n = reverse_node(g, add_input(g, "x", 3, (int64_t[]){5, 2, 3}), lens, 1, 0);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_reverse_sequence(2, 5, 3, 1, sizeof(float), "));
    CU_ASSERT_TRUE(shape_is(n->out[0], 3, (int64_t[]){5, 2, 3}));
    free(c);
    graph_free(g);
}

static void test_reverse_sequence_errors(void)
{
    Graph *g = new_graph(10);
    const int64_t lens[4] = {1, 2, 5, 4};
    reverse_node(g, floats(g, 2, (int64_t[]){4, 4}, seq16), ints1(g, 4, lens), 0, 1);
    CU_ASSERT_TRUE(failed_with(g, "sequence length 5 is outside [0, 4]"));
    graph_free(g);

    g = new_graph(10);
    reverse_node(g, floats(g, 2, (int64_t[]){4, 4}, seq16), ints1(g, 4, lens), 0, 2);
    CU_ASSERT_TRUE(failed_with(g, "must be 0 and 1"));
    graph_free(g);
}

/* The kernel clamps lengths it is given at run time instead of reading
 * outside x. */
static void test_reverse_sequence_kernel_clamps(void)
{
    const int64_t lens[2] = {-1, 9};
    const int32_t x[6] = {1, 2, 3, 4, 5, 6};
    int32_t y[6];
    snt_reverse_sequence(2, 3, 1, 0, sizeof x[0], lens, x, y);
    const int32_t want[6] = {1, 2, 3, 6, 5, 4};
    CU_ASSERT_EQUAL(memcmp(y, want, sizeof want), 0);
}

/* ---- MaxUnpool ------------------------------------------------------ */

static const float pooled[4] = {5, 6, 7, 8};
static const int64_t pool_idx[4] = {5, 7, 13, 15};

static Node *unpool_node(Graph *g, Tensor *x, Tensor *idx, Tensor *shape)
{
    Node *n = add_op(g, "MaxUnpool", shape ? 3 : 2, x, idx, shape);
    set_ints(n, "kernel_shape", 2, (int64_t[]){2, 2});
    set_ints(n, "strides", 2, (int64_t[]){2, 2});
    add_output(g, n->out[0]);
    return n;
}

static void test_maxunpool_folds(void)
{
    const int64_t d4[4] = {1, 1, 2, 2};
    double want[25] = {0};
    want[5] = 5, want[7] = 6, want[13] = 7, want[15] = 8;
    Graph *g = new_graph(11);
    Node *n = unpool_node(g, floats(g, 4, d4, pooled), add_const(g, DT_INT64, 4, d4, pool_idx),
                          NULL);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_is(n->out[0], 4, (int64_t[]){1, 1, 4, 4}));
    CU_ASSERT_TRUE(values_are(n->out[0], want, 16));
    graph_free(g);
    /* output_shape 5 x 5: the 4 x 4 result, zero padded at the end. */
    memset(want, 0, sizeof want);
    want[6] = 5, want[8] = 6, want[16] = 7, want[18] = 8;
    g = new_graph(11);
    n = unpool_node(g, floats(g, 4, d4, pooled), add_const(g, DT_INT64, 4, d4, pool_idx),
                    ints1(g, 4, (int64_t[]){1, 1, 5, 5}));
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0], want, 25));
    graph_free(g);
}

static void test_maxunpool_runtime(void)
{
    const int64_t d4[4] = {1, 1, 2, 2};
    Graph *g = new_graph(11);
    Tensor *idx = typed_input(g, "i", DT_INT64, 4, d4);
    unpool_node(g, add_input(g, "x", 4, d4), idx, ints1(g, 4, (int64_t[]){1, 1, 5, 5}));
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_scatter_elements(&p, SNT_DT_FLOAT, SNT_SCATTER_NONE, "));
    CU_ASSERT_TRUE(contains(c, "snt_pad(&pad, sizeof zero, &zero, "));
    free(c);
    graph_free(g);
}

static void test_maxunpool_errors(void)
{
    const int64_t d4[4] = {1, 1, 2, 2};
    Graph *g = new_graph(11);
    unpool_node(g, add_input(g, "x", 4, d4), typed_input(g, "i", DT_INT64, 4, d4),
                ints1(g, 4, (int64_t[]){1, 1, 3, 3}));
    CU_ASSERT_TRUE(failed_with(g, "is smaller than the unpooled 4"));
    graph_free(g);

    g = new_graph(11);
    unpool_node(g, add_input(g, "x", 4, d4), typed_input(g, "i", DT_INT64, 4, d4),
                typed_input(g, "shape", DT_INT64, 1, (int64_t[]){4}));
    CU_ASSERT_TRUE(failed_with(g, "('shape') must be known at compile time"));
    graph_free(g);
}

/* ---- GlobalLpPool --------------------------------------------------- */

static void test_global_lppool(void)
{
    const float v[8] = {3, 4, 0, 0, 1, -1, 1, -1};
    Graph *g = new_graph(18);
    Node *n = add_op(g, "GlobalLpPool", 1, floats(g, 4, (int64_t[]){1, 2, 2, 2}, v));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_is(n->out[0], 4, (int64_t[]){1, 2, 1, 1}));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){5, 2}, 2));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 16);
    graph_free(g);

    g = new_graph(18);
    n = add_op(g, "GlobalLpPool", 1, floats(g, 3, (int64_t[]){2, 1, 4}, v));
    set_int(n, "p", 1);
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0], (double[]){7, 4}, 2));
    graph_free(g);
}

static void test_global_lppool_runtime(void)
{
    Graph *g = new_graph(18);
    Node *n = add_op(g, "GlobalLpPool", 1, add_input(g, "x", 5, (int64_t[]){1, 3, 2, 2, 2}));
    add_output(g, n->out[0]);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".w = 8"));
    CU_ASSERT_TRUE(contains(c, "snt_lppool2d_f32(&p, 2.0f, "));
    free(c);
    set_int(n, "p", 0);
    CU_ASSERT_TRUE(failed_with(g, "p must be positive"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_value_shaped", NULL, NULL);
    CU_add_test(s, "nonzero_folds", test_nonzero_folds);
    CU_add_test(s, "nonzero_runtime_refused", test_nonzero_runtime_refused);
    CU_add_test(s, "unique_without_axis", test_unique_without_axis);
    CU_add_test(s, "unique_with_axis", test_unique_with_axis);
    CU_add_test(s, "unique_errors", test_unique_errors);
    CU_add_test(s, "compress_runs_as_gather", test_compress_runs_as_gather);
    CU_add_test(s, "compress_folds", test_compress_folds);
    CU_add_test(s, "compress_errors", test_compress_errors);
    CU_add_test(s, "upsample_attribute_scales", test_upsample_attribute_scales);
    CU_add_test(s, "upsample_input_scales", test_upsample_input_scales);
    CU_add_test(s, "upsample_errors", test_upsample_errors);
    CU_add_test(s, "resize_unchanged", test_resize_unchanged);
    CU_add_test(s, "reverse_sequence_folds", test_reverse_sequence_folds);
    CU_add_test(s, "reverse_sequence_runtime", test_reverse_sequence_runtime);
    CU_add_test(s, "reverse_sequence_errors", test_reverse_sequence_errors);
    CU_add_test(s, "reverse_sequence_kernel_clamps", test_reverse_sequence_kernel_clamps);
    CU_add_test(s, "maxunpool_folds", test_maxunpool_folds);
    CU_add_test(s, "maxunpool_runtime", test_maxunpool_runtime);
    CU_add_test(s, "maxunpool_errors", test_maxunpool_errors);
    CU_add_test(s, "global_lppool", test_global_lppool);
    CU_add_test(s, "global_lppool_runtime", test_global_lppool_runtime);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
