/*
 * test_ops_signal.c - DFT, STFT and MelWeightMatrix: the runtime's
 * transform against DFTs worked out by hand (radix-2 and direct paths,
 * inverse, one-sided, windows), the ops' shape rules and folding, the
 * kernel calls they print, and their errors.
 */
#include "op_test.h"
#include "sinter_rt.h"

/* Folded values match to 1e-5 (float32 sums of a few small numbers). */
static bool values_are(const Tensor *t, const double *want, int64_t count)
{
    return values_within(t, want, count, 1e-5);
}

/* A constant float32 tensor of `rank` dims. */
static Tensor *floats(Graph *g, int rank, const int64_t *dims, const float *v)
{
    return add_const(g, DT_FLOAT, rank, dims, v);
}

static Tensor *scalar_i64(Graph *g, int64_t v)
{
    return add_const(g, DT_INT64, 0, NULL, &v);
}

/* ---- the runtime transform ------------------------------------------ */

/* One line of n samples, dense in and out. */
static snt_dft_params one_line(size_t n, size_t samples, size_t bins, int complex_input,
                               int inverse)
{
    return (snt_dft_params){.lines = {1, 1}, .x_sample_stride = complex_input ? 2 : 1,
                            .y_bin_stride = 2, .samples = samples,
                            .complex_input = complex_input, .n = n, .bins = bins,
                            .inverse = inverse};
}

static bool pairs_are(const float *y, const double *want, int count)
{
    for (int i = 0; i < count; i++)
        if (fabs(y[i] - want[i]) > 1e-5) {
            fprintf(stderr, "\nvalue %d: %g, want %g\n", i, y[i], want[i]);
            return false;
        }
    return true;
}

/* {1, 2, 3, 4}: X[k] = sum x[j] (-i)^(jk) = 10, -2 + 2i, -2, -2 - 2i. */
static void test_kernel_radix2(void)
{
    const float x[] = {1, 2, 3, 4};
    const double want[] = {10, 0, -2, 2, -2, 0, -2, -2};
    float y[8];
    double work[16];
    snt_dft_params p = one_line(4, 4, 4, 0, 0);
    CU_ASSERT_EQUAL(snt_dft_work_doubles(4), 16);
    snt_dft(SNT_DT_FLOAT, &p, x, NULL, y, work);
    CU_ASSERT_TRUE(pairs_are(y, want, 8));
}

/* {1, 2, 3} in float64 takes the direct sum: X[1] = 1 + 2w + 3w^2 with
 * w = exp(-2 pi i / 3), which is -1.5 + (sqrt 3 / 2) i; X[2] is its
 * conjugate. */
static void test_kernel_direct_double(void)
{
    const double x[] = {1, 2, 3};
    double y[6], work[12];
    snt_dft_params p = one_line(3, 3, 3, 0, 0);
    snt_dft(SNT_DT_DOUBLE, &p, x, NULL, y, work);
    CU_ASSERT_DOUBLE_EQUAL(y[0], 6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[1], 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[2], -1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[3], sqrt(3) / 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[4], -1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y[5], -sqrt(3) / 2, 1e-12);
}

/* The inverse of the first test's spectrum gives back {1, 2, 3, 4}, by
 * both paths (n = 4 radix-2; n = 3 direct, the spectrum of {1, 2, 3}). */
static void test_kernel_inverse(void)
{
    const float spectrum4[] = {10, 0, -2, 2, -2, 0, -2, -2};
    const float spectrum3[] = {6, 0, -1.5f, 0.8660254f, -1.5f, -0.8660254f};
    const double want4[] = {1, 0, 2, 0, 3, 0, 4, 0}, want3[] = {1, 0, 2, 0, 3, 0};
    float y[8];
    double work[16];
    snt_dft_params p = one_line(4, 4, 4, 1, 1);
    snt_dft(SNT_DT_FLOAT, &p, spectrum4, NULL, y, work);
    CU_ASSERT_TRUE(pairs_are(y, want4, 8));
    p = one_line(3, 3, 3, 1, 1);
    snt_dft(SNT_DT_FLOAT, &p, spectrum3, NULL, y, work);
    CU_ASSERT_TRUE(pairs_are(y, want3, 6));
}

/* Fewer samples than n pad with zeros; a window multiplies the samples;
 * fewer bins keep the first. {1, 2, 3} * {1, 0.5, 1} padded to 4 is
 * {1, 1, 3, 0}: 5, -2 - i, 3 (one-sided: three bins). */
static void test_kernel_pad_window_bins(void)
{
    const float x[] = {1, 2, 3}, window[] = {1, 0.5f, 1};
    const double want[] = {5, 0, -2, -1, 3, 0};
    float y[6];
    double work[16];
    snt_dft_params p = one_line(4, 3, 3, 0, 0);
    snt_dft(SNT_DT_FLOAT, &p, x, window, y, work);
    CU_ASSERT_TRUE(pairs_are(y, want, 6));
}

/* ---- DFT ------------------------------------------------------------ */

/* DFT over a constant x, with one attribute set (name NULL: none), and
 * an optional dft_length; the node, inferred (and so folded). */
static Node *dft_node(Graph *g, Tensor *x, Tensor *length, const char *attr, int64_t v)
{
    Node *n = add_op(g, "DFT", length ? 2 : 1, x, length);
    if (attr)
        set_int(n, attr, v);
    add_output(g, n->out[0]);
    return n;
}

/* x = [[1, 2], [3, 4]] as [1, 2, 2, 1]: along axis 1 the columns
 * {1, 3} and {2, 4} give {4, -2} and {6, -2}; along axis 2 (or -2) the
 * rows {1, 2} and {3, 4} give {3, -1} and {7, -1}. */
static void test_dft_axes(void)
{
    const float v[] = {1, 2, 3, 4};
    const double cols[] = {4, 0, 6, 0, -2, 0, -2, 0}, rows[] = {3, 0, -1, 0, 7, 0, -1, 0};
    const int64_t axes[] = {1, 2, -2};
    for (int i = 0; i < 3; i++) {
        Graph *g = new_graph(17);
        Node *n = dft_node(g, floats(g, 4, (int64_t[]){1, 2, 2, 1}, v), NULL, "axis", axes[i]);
        CU_ASSERT_TRUE(infer(g));
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 2, 2}}));
        CU_ASSERT_TRUE(values_are(n->out[0], axes[i] == 1 ? cols : rows, 8));
        graph_free(g);
    }
}

/* dft_length pads {1, 2, 3} to 4 (6, -2 - 2i, 2, -2 + 2i) or cuts it
 * to 2 (3, -1); onesided keeps 4 / 2 + 1 = 3 bins. */
static void test_dft_length_and_onesided(void)
{
    const float v[] = {1, 2, 3};
    const double padded[] = {6, 0, -2, -2, 2, 0, -2, 2}, cut[] = {3, 0, -1, 0};
    Graph *g = new_graph(17);
    Node *n = dft_node(g, floats(g, 3, (int64_t[]){1, 3, 1}, v), scalar_i64(g, 4), NULL, 0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {1, 4, 2}}));
    CU_ASSERT_TRUE(values_are(n->out[0], padded, 8));
    graph_free(g);

    g = new_graph(17);
    n = dft_node(g, floats(g, 3, (int64_t[]){1, 3, 1}, v), scalar_i64(g, 2), NULL, 0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(values_are(n->out[0], cut, 4));
    graph_free(g);

    g = new_graph(17);
    n = dft_node(g, floats(g, 3, (int64_t[]){1, 3, 1}, v), scalar_i64(g, 4), "onesided", 1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){3, {1, 3, 2}}));
    CU_ASSERT_TRUE(values_are(n->out[0], padded, 6));
    graph_free(g);
}

/* A complex float64 input, inverse: {6, -2 - 2i, 2, -2 + 2i} / 4 back
 * to {1, 2, 3, 0}. */
static void test_dft_inverse_double(void)
{
    const double v[] = {6, 0, -2, -2, 2, 0, -2, 2}, want[] = {1, 0, 2, 0, 3, 0, 0, 0};
    Graph *g = new_graph(17);
    Node *n = dft_node(g, add_const(g, DT_DOUBLE, 3, (int64_t[]){1, 4, 2}, v), NULL,
                       "inverse", 1);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_DOUBLE);
    CU_ASSERT_TRUE(values_are(n->out[0], want, 8));
    graph_free(g);
}

static void test_dft_code(void)
{
    Graph *g = new_graph(17);
    Node *n = dft_node(g, add_input(g, "x", 4, (int64_t[]){2, 3, 5, 1}), scalar_i64(g, 6),
                       "onesided", 1);
    char *c = generate(g);
    /* Lines are (2 outer) x (5 inner); 3 samples of 6, 4 bins kept. */
    CU_ASSERT_TRUE(contains(c, "static const snt_dft_params p = {.lines = {2, 5}, "
                               ".x_line_strides = {15, 1}, .x_sample_stride = 5, "
                               ".y_line_strides = {40, 2}, .y_bin_stride = 10, .samples = 3, "
                               ".complex_input = 0, .n = 6, .bins = 4, .inverse = 0};"));
    CU_ASSERT_TRUE(contains(c, "snt_dft(1 /* float32 */, &p, "));
    free(c);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {2, 4, 5, 2}}));
    /* n = 6 is no power of two: 8 flops per sample and bin, 10 lines. */
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 10 * 8 * 6 * 4);
    CU_ASSERT_EQUAL(n->op->scratch_bytes(n), 24 * sizeof(double));
    graph_free(g);
}

/* DFT of a run-time x [1, 4, c] with one attribute set; the failure
 * message must contain `text`. */
static bool dft_fails(int64_t c, Tensor *(*length)(Graph *), const char *attr, int64_t v,
                      const char *text)
{
    Graph *g = new_graph(17);
    dft_node(g, add_input(g, "x", 3, (int64_t[]){1, 4, c}), length ? length(g) : NULL, attr, v);
    bool ok = failed_with(g, text);
    graph_free(g);
    return ok;
}

static Tensor *runtime_length(Graph *g)
{
    return typed_input(g, "len", DT_INT64, 0, NULL);
}

static Tensor *zero_length(Graph *g)
{
    return scalar_i64(g, 0);
}

static void test_dft_errors(void)
{
    CU_ASSERT_TRUE(dft_fails(3, NULL, NULL, 0, "must end in an axis of 1 (real) or 2"));
    CU_ASSERT_TRUE(dft_fails(1, NULL, "axis", 2, "axis 2 is out of range for rank 3"));
    CU_ASSERT_TRUE(dft_fails(1, NULL, "axis", -4, "axis -4 is out of range"));
    CU_ASSERT_TRUE(dft_fails(2, NULL, "onesided", 1, "onesided output needs a real signal"));
    CU_ASSERT_TRUE(dft_fails(1, NULL, "onesided", 2, "onesided must be 0 or 1, not 2"));
    CU_ASSERT_TRUE(dft_fails(1, runtime_length, NULL, 0,
                             "dft_length ('len') must be known at compile time"));
    CU_ASSERT_TRUE(dft_fails(1, zero_length, NULL, 0, "dft_length 0 is out of range"));

    Graph *g = new_graph(17);
    Node *n = dft_node(g, add_input(g, "x", 3, (int64_t[]){1, 4, 1}), NULL, "inverse", 1);
    set_int(n, "onesided", 1);
    CU_ASSERT_TRUE(failed_with(g, "onesided and inverse cannot both be set"));
    graph_free(g);

    g = new_graph(17);
    dft_node(g, typed_input(g, "x", DT_INT32, 3, (int64_t[]){1, 4, 1}), NULL, NULL, 0);
    CU_ASSERT_TRUE(failed_with(g, "dtype int32 is not supported for DFT"));
    graph_free(g);
}

/* ---- STFT ----------------------------------------------------------- */

/* STFT of signal with frame_step 2, and window / frame_length (NULL:
 * omitted); the node, inferred (and so folded when all is constant). */
static Node *stft_node(Graph *g, Tensor *signal, Tensor *window, Tensor *frame_length)
{
    Node *n = add_op(g, "STFT", 4, signal, scalar_i64(g, 2), window, frame_length);
    add_output(g, n->out[0]);
    return n;
}

static const float signal6[] = {1, 2, 3, 4, 5, 6};

/* Frames {1, 2}, {3, 4}, {5, 6} of length 2 every 2 samples: {3, -1},
 * {7, -1}, {11, -1} (one-sided keeps both bins of 2). */
static void test_stft_frames(void)
{
    const double want[] = {3, 0, -1, 0, 7, 0, -1, 0, 11, 0, -1, 0};
    Graph *g = new_graph(17);
    Node *n = stft_node(g, floats(g, 3, (int64_t[]){1, 6, 1}, signal6), NULL, scalar_i64(g, 2));
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 3, 2, 2}}));
    CU_ASSERT_TRUE(values_are(n->out[0], want, 12));
    graph_free(g);
}

/* Window {1, 0.5, 0.5, 1} over frames {1..4} and {3..6}: {1, 1, 1.5, 4}
 * gives 7.5, -0.5 + 3i, -2.5 one-sided; {3, 2, 2.5, 6} gives 13.5,
 * 0.5 + 4i, -2.5.  In float64, with frame_length given as well. */
static void test_stft_window_double(void)
{
    const double x[] = {1, 2, 3, 4, 5, 6}, window[] = {1, 0.5, 0.5, 1};
    const double want[] = {7.5, 0, -0.5, 3, -2.5, 0, 13.5, 0, 0.5, 4, -2.5, 0};
    Graph *g = new_graph(17);
    Node *n = stft_node(g, add_const(g, DT_DOUBLE, 3, (int64_t[]){1, 6, 1}, x),
                        add_const(g, DT_DOUBLE, 1, (int64_t[]){4}, window), scalar_i64(g, 4));
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 3, 2}}));
    CU_ASSERT_TRUE(values_are(n->out[0], want, 12));
    graph_free(g);
}

/* A complex signal needs onesided = 0: all n bins.  Frames of the
 * signal {1, i, -1, -i} ... of length 2: {1, i} gives 1 + i, 1 - i. */
static void test_stft_complex_two_sided(void)
{
    const float x[] = {1, 0, 0, 1, -1, 0, 0, -1};
    const double want[] = {1, 1, 1, -1, -1, -1, -1, 1};
    Graph *g = new_graph(17);
    Node *n = stft_node(g, floats(g, 3, (int64_t[]){1, 4, 2}, x), NULL, scalar_i64(g, 2));
    set_int(n, "onesided", 0);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {1, 2, 2, 2}}));
    CU_ASSERT_TRUE(values_are(n->out[0], want, 8));
    graph_free(g);
}

static void test_stft_code(void)
{
    Graph *g = new_graph(17);
    Node *n = stft_node(g, add_input(g, "signal", 3, (int64_t[]){2, 9, 1}),
                        add_input(g, "window", 1, (int64_t[]){4}), NULL);
    char *c = generate(g);
    /* (9 - 4) / 2 + 1 = 3 frames of 3 bins for each of 2 signals. */
    CU_ASSERT_TRUE(contains(c, ".lines = {2, 3}, .x_line_strides = {9, 2}, "
                               ".x_sample_stride = 1, .y_line_strides = {18, 6}, "
                               ".y_bin_stride = 2, .samples = 4"));
    CU_ASSERT_TRUE(contains(c, "snt_dft(1 /* float32 */, &p, "));
    free(c);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {2, 3, 3, 2}}));
    /* Radix-2: 5 n log2 n = 40 flops for each of 6 lines. */
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 6 * 40);
    graph_free(g);
}

static void test_stft_errors(void)
{
    Graph *g = new_graph(17);
    stft_node(g, add_input(g, "s", 3, (int64_t[]){1, 6, 1}), NULL, NULL);
    CU_ASSERT_TRUE(failed_with(g, "needs a window or a frame_length"));
    graph_free(g);

    g = new_graph(17);
    stft_node(g, add_input(g, "s", 3, (int64_t[]){1, 6, 1}),
              add_input(g, "w", 1, (int64_t[]){4}), scalar_i64(g, 3));
    CU_ASSERT_TRUE(failed_with(g, "frame_length 3 differs from the window's length 4"));
    graph_free(g);

    g = new_graph(17);
    stft_node(g, add_input(g, "s", 3, (int64_t[]){1, 6, 1}), NULL, scalar_i64(g, 7));
    CU_ASSERT_TRUE(failed_with(g, "frame length 7 is outside [1, 6]"));
    graph_free(g);

    g = new_graph(17);
    stft_node(g, add_input(g, "s", 2, (int64_t[]){1, 6}), NULL, scalar_i64(g, 2));
    CU_ASSERT_TRUE(failed_with(g, "signal ('s') must be [batch][length][1 or 2]"));
    graph_free(g);

    g = new_graph(17);
    stft_node(g, add_input(g, "s", 3, (int64_t[]){1, 6, 2}), NULL, scalar_i64(g, 2));
    CU_ASSERT_TRUE(failed_with(g, "onesided output needs a real signal"));
    graph_free(g);

    g = new_graph(17);
    Node *n = add_op(g, "STFT", 4, add_input(g, "s", 3, (int64_t[]){1, 6, 1}),
                     typed_input(g, "step", DT_INT64, 0, NULL), NULL, scalar_i64(g, 2));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "frame_step ('step') must be known at compile time"));
    graph_free(g);
}

/* ---- MelWeightMatrix -------------------------------------------------- */

/* An int32 scalar constant. */
static Tensor *scalar_i32(Graph *g, int32_t v)
{
    return add_const(g, DT_INT32, 0, NULL, &v);
}

/* MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower, upper)
 * with the edges in `edge_dtype`; num_mel_bins is int32 (the other
 * integers int64) so that both integer dtypes are covered. */
static Node *mel_node(Graph *g, int32_t mel_bins, int64_t dft_length, int64_t rate,
                      DType edge_dtype, double lower, double upper)
{
    float lower32 = (float)lower, upper32 = (float)upper;
    bool f32 = edge_dtype == DT_FLOAT;
    Node *n = add_op(g, "MelWeightMatrix", 5, scalar_i32(g, mel_bins), scalar_i64(g, dft_length),
                     scalar_i64(g, rate),
                     add_const(g, edge_dtype, 0, NULL, f32 ? (void *)&lower32 : (void *)&lower),
                     add_const(g, edge_dtype, 0, NULL, f32 ? (void *)&upper32 : (void *)&upper));
    add_output(g, n->out[0]);
    return n;
}

/* Two filters over 0..8 Hz, dft_length 16 at 16 Hz: the four edges (mel
 * spaced) fall in bins 0, 2, 4 and 6 of the 9, as ONNX's reference
 * computes them (17 f / 16, floored). */
static const double mel2x9[] = {0, 0, 0.5, 0, 1, 0, 0.5, 0.5, 0, 1, 0, 0.5, 0, 0, 0, 0, 0, 0};

static void test_mel_fold(void)
{
    const DType edge_dtypes[] = {DT_FLOAT, DT_DOUBLE};
    for (int i = 0; i < 2; i++) {
        Graph *g = new_graph(17);
        Node *n = mel_node(g, 2, 16, 16, edge_dtypes[i], 0, 8);
        CU_ASSERT_TRUE(infer(g));
        CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {9, 2}}));
        CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
        CU_ASSERT_TRUE(values_are(n->out[0], mel2x9, 18));
        graph_free(g);
    }

    Graph *g = new_graph(17);
    Node *n = mel_node(g, 2, 16, 16, DT_FLOAT, 0, 8);
    set_int(n, "output_datatype", DT_DOUBLE);
    CU_ASSERT_TRUE(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_DOUBLE);
    CU_ASSERT_TRUE(values_are(n->out[0], mel2x9, 18));
    graph_free(g);
}

static void test_mel_errors(void)
{
    Graph *g = new_graph(17);
    mel_node(g, 2, 16, 16, DT_FLOAT, 0, 20);
    CU_ASSERT_TRUE(failed_with(g, "outside [0, 9]"));
    graph_free(g);

    g = new_graph(17);
    mel_node(g, 2, 16, 16, DT_FLOAT, -800, 8);
    CU_ASSERT_TRUE(failed_with(g, "the mel filter edge at"));
    graph_free(g);

    g = new_graph(17);
    mel_node(g, 0, 16, 16, DT_FLOAT, 0, 8);
    CU_ASSERT_TRUE(failed_with(g, "num_mel_bins 0 is out of range"));
    graph_free(g);

    g = new_graph(17);
    Node *n = mel_node(g, 2, 16, 16, DT_FLOAT, 0, 8);
    set_int(n, "output_datatype", DT_STRING);
    CU_ASSERT_TRUE(failed_with(g, "output_datatype 8 is not a supported numeric dtype"));
    graph_free(g);

    g = new_graph(17);
    float edge = 0;
    n = add_op(g, "MelWeightMatrix", 5, typed_input(g, "bins", DT_INT64, 0, NULL),
               scalar_i64(g, 16), scalar_i64(g, 16), add_const(g, DT_FLOAT, 0, NULL, &edge),
               add_const(g, DT_FLOAT, 0, NULL, &edge));
    add_output(g, n->out[0]);
    CU_ASSERT_TRUE(failed_with(g, "num_mel_bins ('bins') must be known at compile time"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_signal", NULL, NULL);
    CU_add_test(s, "kernel_radix2", test_kernel_radix2);
    CU_add_test(s, "kernel_direct_double", test_kernel_direct_double);
    CU_add_test(s, "kernel_inverse", test_kernel_inverse);
    CU_add_test(s, "kernel_pad_window_bins", test_kernel_pad_window_bins);
    CU_add_test(s, "dft_axes", test_dft_axes);
    CU_add_test(s, "dft_length_and_onesided", test_dft_length_and_onesided);
    CU_add_test(s, "dft_inverse_double", test_dft_inverse_double);
    CU_add_test(s, "dft_code", test_dft_code);
    CU_add_test(s, "dft_errors", test_dft_errors);
    CU_add_test(s, "stft_frames", test_stft_frames);
    CU_add_test(s, "stft_window_double", test_stft_window_double);
    CU_add_test(s, "stft_complex_two_sided", test_stft_complex_two_sided);
    CU_add_test(s, "stft_code", test_stft_code);
    CU_add_test(s, "stft_errors", test_stft_errors);
    CU_add_test(s, "mel_fold", test_mel_fold);
    CU_add_test(s, "mel_errors", test_mel_errors);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
