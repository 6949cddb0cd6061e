/*
 * test_ops_vision.c - GridSample, RoiAlign and NonMaxSuppression: shape
 * rules, attribute and shape errors, the kernels' numbers on tiny cases
 * computed by hand (through folding, which runs the runtime kernels),
 * the kernel calls they print, and NonMaxSuppression's compile-time
 * selection.
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "sinter_rt.h"

#define SHAPE4(a, b, c, d) ((Shape){4, {a, b, c, d}})

/* ---- GridSample ------------------------------------------------------- */

/* A GridSample node over constant X (1 x c x h x w) and a constant grid of
 * `points` (x, y) pairs (1 x 1 x points x 2), with the given mode and
 * padding (NULL: the default). */
static Node *grid_sample(Graph *g, int64_t c, int64_t h, int64_t w, const float *x,
                         int64_t points, const float *grid, const char *mode,
                         const char *padding, int align_corners)
{
    Tensor *in[2] = {constant(g, "x", DT_FLOAT, SHAPE4(1, c, h, w), x),
                     constant(g, "grid", DT_FLOAT, SHAPE4(1, 1, points, 2), grid)};
    Node *n = add_node(g, "GridSample", 2, in);
    if (mode)
        attr_s(n, "mode", mode);
    if (padding)
        attr_s(n, "padding_mode", padding);
    attr_i(n, "align_corners", align_corners);
    return n;
}

/* Folds a one-channel GridSample and compares its points with want. */
static void check_grid_sample(int64_t h, int64_t w, const float *x, int64_t points,
                              const float *grid, const char *mode, const char *padding,
                              int align_corners, const double *want)
{
    Graph *g = new_graph(16);
    Node *n = grid_sample(g, 1, h, w, x, points, grid, mode, padding, align_corners);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], SHAPE4(1, 1, 1, points)));
    CU_ASSERT_TRUE(values_within(n->out[0], want, points, 1e-6));
    graph_free(g);
}

static void test_grid_sample_shape(void)
{
    Graph *g = new_graph(16);
    Tensor *in[2] = {input(g, "x", DT_FLOAT, SHAPE4(2, 3, 4, 5)),
                     input(g, "grid", DT_FLOAT, SHAPE4(2, 6, 7, 2))};
    Node *n = add_node(g, "GridSample", 2, in);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
    CU_ASSERT_TRUE(shape_matches(n->out[0], SHAPE4(2, 3, 6, 7)));
    /* Bilinear by default: 4 taps, 2 FLOPs each, per output element. */
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 8 * 2 * 3 * 6 * 7);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_grid_sample_f32(&p, "));
    CU_ASSERT_TRUE(contains(c, ".mode = SNT_GRID_BILINEAR, .padding = SNT_GRID_PAD_ZEROS"));
    CU_ASSERT_TRUE(contains(c, ".oh = 6, .ow = 7"));
    free(c);
    graph_free(g);
}

/* Builds GridSample over inputs of the given shapes and dtypes with one
 * string attribute (NULL for none) and expects an error with `text`. */
static void check_grid_sample_error(Shape xs, Shape gs, DType grid_dtype, const char *attr,
                                    const char *value, const char *text)
{
    Graph *g = new_graph(16);
    Tensor *in[2] = {input(g, "x", DT_FLOAT, xs), input(g, "grid", grid_dtype, gs)};
    Node *n = add_node(g, "GridSample", 2, in);
    if (attr && strcmp(attr, "align_corners") == 0)
        attr_i(n, attr, atoi(value));
    else if (attr)
        attr_s(n, attr, value);
    CU_ASSERT_TRUE(failed_with(g, text));
    graph_free(g);
}

static void test_grid_sample_errors(void)
{
    Shape x = SHAPE4(1, 2, 3, 4), grid = SHAPE4(1, 5, 5, 2);
    check_grid_sample_error(x, grid, DT_FLOAT, "mode", "linear", "mode 'linear' is not supported");
    check_grid_sample_error(x, grid, DT_FLOAT, "padding_mode", "wrap",
                            "padding_mode 'wrap' is not supported");
    check_grid_sample_error(x, grid, DT_FLOAT, "align_corners", "2", "align_corners must be 0 or 1");
    check_grid_sample_error(x, grid, DT_DOUBLE, NULL, NULL, "only float32 is supported");
    check_grid_sample_error((Shape){5, {1, 2, 3, 4, 5}}, grid, DT_FLOAT, NULL, NULL,
                            "must have rank 4");
    check_grid_sample_error(x, SHAPE4(2, 5, 5, 2), DT_FLOAT, NULL, NULL,
                            "must have shape [1, H_out, W_out, 2]");
    check_grid_sample_error(x, SHAPE4(1, 5, 5, 3), DT_FLOAT, NULL, NULL,
                            "must have shape [1, H_out, W_out, 2]");
    check_grid_sample_error(x, (Shape){3, {1, 5, 2}}, DT_FLOAT, NULL, NULL,
                            "must have shape [1, H_out, W_out, 2]");
    check_grid_sample_error(SHAPE4(1, 2, 0, 4), grid, DT_FLOAT, NULL, NULL,
                            "empty spatial extent");

    /* The data type of X is checked against the op's declared set. */
    Graph *g = new_graph(16);
    Tensor *in[2] = {input(g, "x", DT_INT32, x), input(g, "grid", DT_FLOAT, grid)};
    add_node(g, "GridSample", 2, in);
    CU_ASSERT_TRUE(failed_with(g, "int32"));
    graph_free(g);
}

/* X = [[1, 2], [3, 4]] in every bilinear case. */
static const float square[4] = {1, 2, 3, 4};

static void test_grid_sample_bilinear(void)
{
    /* With align_corners -1 and 1 are the corner pixels' centers. */
    const float corners[8] = {-1, -1, 1, -1, 1, 1, 0, 0};
    check_grid_sample(2, 2, square, 4, corners, "bilinear", NULL, 1,
                      (const double[]){1, 2, 4, 2.5});
    /* Without, -1 is the outer edge, half a pixel before the first
     * center: zeros padding weighs pixel (0, 0) by 1/2 * 1/2, and the
     * point between the columns of row 0 by 1/2. */
    const float edge[4] = {-1, -1, 0, -1};
    check_grid_sample(2, 2, square, 2, edge, NULL, "zeros", 0, (const double[]){0.25, 0.75});
    /* Border padding clamps the point onto pixel (0, 0). */
    check_grid_sample(2, 2, square, 2, edge, NULL, "border", 0, (const double[]){1, 1.5});
    /* Reflection mirrors at the outer edges (-0.5 and 1.5): x = 2.5
     * comes back to 0.5, between the two columns of row 0. */
    const float far[4] = {-1, -1, 2, -1};
    check_grid_sample(2, 2, square, 2, far, NULL, "reflection", 0, (const double[]){1, 1.5});
    /* With align_corners the mirrors are the centers: x = 2 (grid 3)
     * reflects to 0, x = 1.5 (grid 2) to 0.5. */
    const float mirrored[4] = {3, -1, 2, -1};
    check_grid_sample(2, 2, square, 2, mirrored, NULL, "reflection", 1,
                      (const double[]){1, 1.5});
    /* A NaN or huge point reads outside under zeros padding. */
    const float bad[4] = {NAN, 0, 1e30f, -1e30f};
    check_grid_sample(2, 2, square, 2, bad, NULL, "zeros", 0, (const double[]){0, 0});
}

static void test_grid_sample_nearest(void)
{
    /* Halves round to even: x = 0.5 picks column 0, x = 1.5 column 2. */
    const float row[3] = {10, 20, 30};
    const float halves[6] = {-0.5f, 0, 0.5f, 0, 0.2f, 0};
    check_grid_sample(1, 3, row, 3, halves, "nearest", NULL, 1, (const double[]){10, 30, 20});
    /* (x, y) = (0.4, 0.8): column 0, row 1. */
    const float point[2] = {-0.2f, 0.6f};
    check_grid_sample(2, 2, square, 1, point, "nearest", NULL, 1, (const double[]){3});
}

static void test_grid_sample_bicubic(void)
{
    /* ONNX's test point: (-1, -1) without align_corners is (-0.5, -0.5),
     * weights (-0.09375, 0.59375, 0.59375, -0.09375) on taps -2 .. 1 per
     * axis, of which only 0 and 1 are inside; rows (0, 1) and (2, 3)
     * give -0.09375 and 0.90625, so -0.09375 * 0.59375 + 0.90625 *
     * -0.09375. */
    const float x[6] = {0, 1, 2, 3, 4, 5};
    const float point[2] = {-1, -1};
    check_grid_sample(3, 2, x, 1, point, "bicubic", NULL, 0, (const double[]){-0.140625});
    /* On a pixel center the weights are (0, 1, 0, 0): the pixel itself,
     * and border padding at the corner repeats the edge pixel for the
     * outside taps, which weigh nothing there either. */
    const float nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float centers[4] = {0, 0, -1, -1};
    check_grid_sample(3, 3, nine, 2, centers, "bicubic", "border", 1, (const double[]){5, 1});
}

static void test_grid_sample_layout(void)
{
    /* Two images of two channels; image b reads its corner b. */
    const float x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const float grid[4] = {-1, -1, 1, 1};
    Graph *g = new_graph(16);
    Tensor *in[2] = {constant(g, "x", DT_FLOAT, SHAPE4(2, 2, 2, 2), x),
                     constant(g, "grid", DT_FLOAT, SHAPE4(2, 1, 1, 2), grid)};
    Node *n = add_node(g, "GridSample", 2, in);
    attr_s(n, "mode", "nearest");
    attr_i(n, "align_corners", 1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_within(n->out[0], (const double[]){1, 5, 12, 16}, 4, 0));
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 0);
    graph_free(g);
}

/* ---- RoiAlign --------------------------------------------------------- */

/* X = 4 * row + col on a 4 x 4 plane: bilinear interpolation is exact on
 * it, so an average of samples is the value at their mean point. */
static const float ramp[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct {
    const char *mode, *ctm;     /* NULL: the default */
    int64_t oh, ow, ratio;      /* ratio < 0: the default */
    double scale;               /* 0: the default */
} RoiAttrs;

/* Folds RoiAlign at `opset` over constant X (batches x 1 x 4 x 4), one
 * roi and its batch index, and compares the oh x ow bins with want. */
static void check_roi_align(int opset, int64_t batches, const float *x, const float *roi,
                            int64_t batch, RoiAttrs a, const double *want)
{
    Graph *g = new_graph(opset);
    Tensor *in[3] = {constant(g, "x", DT_FLOAT, SHAPE4(batches, 1, 4, 4), x),
                     constant(g, "rois", DT_FLOAT, (Shape){2, {1, 4}}, roi),
                     constant(g, "batch_indices", DT_INT64, (Shape){1, {1}}, &batch)};
    Node *n = add_node(g, "RoiAlign", 3, in);
    if (a.mode)
        attr_s(n, "mode", a.mode);
    if (a.ctm)
        attr_s(n, "coordinate_transformation_mode", a.ctm);
    attr_i(n, "output_height", a.oh);
    attr_i(n, "output_width", a.ow);
    if (a.ratio >= 0)
        attr_i(n, "sampling_ratio", a.ratio);
    if (a.scale != 0)
        attr_f(n, "spatial_scale", a.scale);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], SHAPE4(1, 1, a.oh, a.ow)));
    CU_ASSERT_TRUE(values_within(n->out[0], want, a.oh * a.ow, 1e-5));
    graph_free(g);
}

static void test_roi_align_values(void)
{
    const float roi[4] = {0, 0, 3, 3};
    /* output_half_pixel: samples at 0.75 and 2.25 per axis, mean 1.5. */
    check_roi_align(10, 1, ramp, roi, 0, (RoiAttrs){.oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){7.5});
    check_roi_align(16, 1, ramp, roi, 0,
                    (RoiAttrs){.ctm = "output_half_pixel", .oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){7.5});
    /* half_pixel (opset 16's default) shifts the roi by -0.5: mean 1. */
    check_roi_align(16, 1, ramp, roi, 0, (RoiAttrs){.oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){5});
    /* Adaptive sampling: ceil(3 / 1) = 3 points at 0.5, 1.5, 2.5. */
    check_roi_align(10, 1, ramp, roi, 0, (RoiAttrs){.oh = 1, .ow = 1, .ratio = -1},
                    (const double[]){7.5});
    /* Bins of 1.5 x 1: bin (i, j) has its mean point at row 0.75 + 1.5 i
     * and column 0.5 + j. */
    check_roi_align(10, 1, ramp, roi, 0, (RoiAttrs){.oh = 2, .ow = 3, .ratio = 2},
                    (const double[]){3.5, 4.5, 5.5, 9.5, 10.5, 11.5});
    /* spatial_scale maps the roi onto X. */
    const float big[4] = {0, 0, 6, 6};
    check_roi_align(10, 1, ramp, big, 0, (RoiAttrs){.oh = 1, .ow = 1, .ratio = 2, .scale = 0.5},
                    (const double[]){7.5});
    /* The batch index picks the image. */
    float two[32];
    for (int i = 0; i < 32; i++)
        two[i] = ramp[i % 16] + (i >= 16 ? 100.0f : 0.0f);
    check_roi_align(10, 2, two, roi, 1, (RoiAttrs){.oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){107.5});
    /* Points more than a pixel outside X contribute nothing. */
    const float outside[4] = {10, 10, 12, 12};
    check_roi_align(10, 1, ramp, outside, 0, (RoiAttrs){.oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){0});
}

static void test_roi_align_max(void)
{
    /* One sample at (0.5, 0.5) of a constant 4 plane: its four weighted
     * neighbours are 1 each, and max mode keeps the largest of them, as
     * onnxruntime and the ONNX reference do; avg sums them. */
    float fours[16];
    for (int i = 0; i < 16; i++)
        fours[i] = 4;
    const float roi[4] = {0, 0, 1, 1};
    check_roi_align(10, 1, fours, roi, 0,
                    (RoiAttrs){.mode = "max", .oh = 1, .ow = 1, .ratio = 1},
                    (const double[]){1});
    check_roi_align(10, 1, fours, roi, 0, (RoiAttrs){.mode = "avg", .oh = 1, .ow = 1, .ratio = 1},
                    (const double[]){4});
    /* Over several points the largest wins: ratio 2 samples (y, x) in
     * {0.75, 2.25}^2 of the ramp; at (2.25, 2.25) pixel (2, 2) = 10
     * weighs 0.75 * 0.75, giving 5.625, the largest weighted tap. */
    const float wide[4] = {0, 0, 3, 3};
    check_roi_align(10, 1, ramp, wide, 0, (RoiAttrs){.mode = "max", .oh = 1, .ow = 1, .ratio = 2},
                    (const double[]){5.625});
}

static void test_roi_align_kernel_batch_index(void)
{
    /* A batch index outside X reads nothing: zeros, not a crash. */
    const snt_roi_align_params p = {.n = 1, .c = 1, .h = 4, .w = 4, .rois = 2, .oh = 1,
                                    .ow = 1, .sampling_ratio = 2, .spatial_scale = 1.0f};
    const float rois[8] = {0, 0, 3, 3, 0, 0, 3, 3};
    const int64_t idx[2] = {5, -1};
    float y[2] = {-1, -1};
    snt_roi_align_f32(&p, ramp, rois, idx, y);
    CU_ASSERT_EQUAL(y[0], 0.0f);
    CU_ASSERT_EQUAL(y[1], 0.0f);
    /* A NaN roi under adaptive sampling has no points. */
    const snt_roi_align_params q = {.n = 1, .c = 1, .h = 4, .w = 4, .rois = 1, .oh = 1,
                                    .ow = 1, .spatial_scale = 1.0f, .half_pixel = 1};
    const float nan_roi[4] = {NAN, 0, 3, 3};
    const int64_t first = 0;
    snt_roi_align_f32(&q, ramp, nan_roi, &first, y);
    CU_ASSERT_EQUAL(y[0], 0.0f);
}

static void test_roi_align_shape_and_call(void)
{
    Graph *g = new_graph(16);
    Tensor *in[3] = {input(g, "x", DT_FLOAT, SHAPE4(2, 3, 8, 8)),
                     input(g, "rois", DT_FLOAT, (Shape){2, {5, 4}}),
                     input(g, "batch_indices", DT_INT64, (Shape){1, {5}})};
    Node *n = add_node(g, "RoiAlign", 3, in);
    attr_i(n, "output_height", 2);
    attr_i(n, "output_width", 3);
    attr_i(n, "sampling_ratio", 2);
    attr_s(n, "mode", "max");
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], SHAPE4(5, 3, 2, 3)));
    /* 2 x 2 points per bin, 4 taps of 2 FLOPs each. */
    CU_ASSERT_EQUAL(n->op->cost(n).flops, 4 * 8 * 5 * 3 * 2 * 3);
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_roi_align_f32(&p, "));
    CU_ASSERT_TRUE(contains(c, ".half_pixel = 1, .max_mode = 1"));
    free(c);
    graph_free(g);
}

/* RoiAlign at `opset` over inputs of the given shapes and dtypes, with
 * one attribute (NULL for none; ints for the int attributes), expecting
 * an error with `text`. */
static void check_roi_align_error(int opset, Shape rs, DType rois_dtype, Shape is,
                                  DType idx_dtype, const char *attr, const char *value,
                                  const char *text)
{
    Graph *g = new_graph(opset);
    Tensor *in[3] = {input(g, "x", DT_FLOAT, SHAPE4(1, 3, 8, 8)),
                     input(g, "rois", rois_dtype, rs), input(g, "batch_indices", idx_dtype, is)};
    Node *n = add_node(g, "RoiAlign", 3, in);
    if (attr && (strcmp(attr, "mode") == 0 || strcmp(attr, "coordinate_transformation_mode") == 0))
        attr_s(n, attr, value);
    else if (attr)
        attr_i(n, attr, atoll(value));
    CU_ASSERT_TRUE(failed_with(g, text));
    graph_free(g);
}

static void test_roi_align_errors(void)
{
    Shape rs = {2, {5, 4}}, is = {1, {5}};
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT64, "mode", "min",
                          "mode 'min' is not supported");
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT64, "coordinate_transformation_mode",
                          "corners", "coordinate_transformation_mode 'corners'");
    check_roi_align_error(10, rs, DT_FLOAT, is, DT_INT64, "coordinate_transformation_mode",
                          "half_pixel", "needs opset 16");
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT64, "output_height", "0",
                          "must be in [1, ");
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT64, "output_width", "9999999999",
                          "must be in [1, ");
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT64, "sampling_ratio", "-1",
                          "sampling_ratio -1 is outside");
    check_roi_align_error(16, rs, DT_FLOAT, is, DT_INT32, NULL, NULL, "must be int64");
    check_roi_align_error(16, rs, DT_DOUBLE, is, DT_INT64, NULL, NULL,
                          "is float64 but input 0 is float32");
    check_roi_align_error(16, (Shape){2, {5, 3}}, DT_FLOAT, is, DT_INT64, NULL, NULL,
                          "must have shape [num_rois, 4]");
    check_roi_align_error(16, rs, DT_FLOAT, (Shape){1, {4}}, DT_INT64, NULL, NULL,
                          "must have shape [5]");
}

/* ---- NonMaxSuppression ------------------------------------------------ */

/* The boxes and scores of ONNX's node tests: two near-duplicates of box
 * 0 (IOU 0.82), box 3 with a neighbour 4, and a far box 5. */
static const float nms_boxes[24] = {
    0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f,
    0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101,
};
static const float nms_scores[6] = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

/* A NonMaxSuppression node over constant boxes (1 x 6 x 4) and `classes`
 * copies of the scores; max_out < 0 and a NaN score_threshold leave
 * those inputs out. */
static Node *nms(Graph *g, const float *boxes, int classes, int64_t max_out, float iou,
                 float score_threshold)
{
    float scores[12];
    for (int i = 0; i < 6 * classes; i++)
        scores[i] = nms_scores[i % 6];
    Tensor *in[5] = {constant(g, "boxes", DT_FLOAT, (Shape){3, {1, 6, 4}}, boxes),
                     constant(g, "scores", DT_FLOAT, (Shape){3, {1, classes, 6}}, scores),
                     max_out < 0 ? NULL
                                 : constant(g, "max", DT_INT64, (Shape){1, {1}}, &max_out),
                     constant(g, "iou", DT_FLOAT, (Shape){1, {1}}, &iou),
                     isnan(score_threshold)
                         ? NULL
                         : constant(g, "score", DT_FLOAT, (Shape){1, {1}}, &score_threshold)};
    return add_node(g, "NonMaxSuppression", 5, in);
}

/* Folds n's graph and compares the selected triples with want. */
static void check_selected(Graph *g, Node *n, int64_t rows, const double *want)
{
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_INT64);
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){2, {rows, 3}}));
    if (rows)
        CU_ASSERT_TRUE(values_within(n->out[0], want, rows * 3, 0));
    graph_free(g);
}

static void test_nms_selection(void)
{
    /* Box 3 first, then 0; 1 and 2 overlap 0, 4 overlaps 3; 5 last. */
    Graph *g = new_graph(11);
    Node *n = nms(g, nms_boxes, 1, 3, 0.5f, 0.0f);
    check_selected(g, n, 3, (const double[]){0, 0, 3, 0, 0, 0, 0, 0, 5});
    /* max_output_boxes_per_class caps each class. */
    g = new_graph(11);
    n = nms(g, nms_boxes, 1, 2, 0.5f, 0.0f);
    check_selected(g, n, 2, (const double[]){0, 0, 3, 0, 0, 0});
    /* score_threshold drops 5 (0.3) before selection. */
    g = new_graph(11);
    n = nms(g, nms_boxes, 1, 3, 0.5f, 0.4f);
    check_selected(g, n, 2, (const double[]){0, 0, 3, 0, 0, 0});
    /* Classes are selected one after the other. */
    g = new_graph(11);
    n = nms(g, nms_boxes, 2, 2, 0.5f, 0.0f);
    check_selected(g, n, 4, (const double[]){0, 0, 3, 0, 0, 0, 0, 1, 3, 0, 1, 0});
    /* A threshold above every overlap keeps everything, by score. */
    g = new_graph(10);
    n = nms(g, nms_boxes, 1, 10, 0.9f, NAN);
    check_selected(g, n, 6, (const double[]){0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 4,
                                             0, 0, 5});
    /* Without max_output_boxes_per_class nothing is selected. */
    g = new_graph(11);
    n = nms(g, nms_boxes, 1, -1, 0.5f, 0.0f);
    check_selected(g, n, 0, NULL);
}

static void test_nms_box_formats(void)
{
    /* Corners in either order describe the same boxes. */
    float flipped[24];
    memcpy(flipped, nms_boxes, sizeof flipped);
    for (int b = 0; b < 6; b += 2) {
        float *v = flipped + 4 * b;
        float y = v[0], x = v[1];
        v[0] = v[2], v[1] = v[3], v[2] = y, v[3] = x;
    }
    Graph *g = new_graph(11);
    Node *n = nms(g, flipped, 1, 3, 0.5f, 0.0f);
    check_selected(g, n, 3, (const double[]){0, 0, 3, 0, 0, 0, 0, 0, 5});
    /* The same boxes as (x_center, y_center, width, height). */
    float centers[24];
    for (int b = 0; b < 6; b++) {
        const float *v = nms_boxes + 4 * b;
        float *c = centers + 4 * b;
        c[0] = (v[1] + v[3]) / 2, c[1] = (v[0] + v[2]) / 2;
        c[2] = v[3] - v[1], c[3] = v[2] - v[0];
    }
    g = new_graph(11);
    n = nms(g, centers, 1, 3, 0.5f, 0.0f);
    attr_i(n, "center_point_box", 1);
    check_selected(g, n, 3, (const double[]){0, 0, 3, 0, 0, 0, 0, 0, 5});
    /* Equal scores keep index order: identical boxes leave the first. */
    float same[24];
    for (int i = 0; i < 24; i++)
        same[i] = nms_boxes[i % 4];
    float ones[6] = {1, 1, 1, 1, 1, 1};
    int64_t max_out = 3;
    float iou = 0.5f;
    g = new_graph(11);
    Tensor *in[4] = {constant(g, "boxes", DT_FLOAT, (Shape){3, {1, 6, 4}}, same),
                     constant(g, "scores", DT_FLOAT, (Shape){3, {1, 1, 6}}, ones),
                     constant(g, "max", DT_INT64, (Shape){0, {0}}, &max_out),
                     constant(g, "iou", DT_FLOAT, (Shape){0, {0}}, &iou)};
    n = add_node(g, "NonMaxSuppression", 4, in);
    check_selected(g, n, 1, (const double[]){0, 0, 0});
}

static void test_nms_needs_constants(void)
{
    /* The output's length depends on the values: the message names the
     * input in quotes, so a caller can bind it and retry. */
    int64_t max_out = 3;
    Graph *g = new_graph(11);
    Tensor *in[3] = {input(g, "boxes", DT_FLOAT, (Shape){3, {1, 6, 4}}),
                     constant(g, "scores", DT_FLOAT, (Shape){3, {1, 1, 6}}, nms_scores),
                     constant(g, "max", DT_INT64, (Shape){1, {1}}, &max_out)};
    add_node(g, "NonMaxSuppression", 3, in);
    CU_ASSERT_TRUE(failed_with(g, "boxes ('boxes') must be known at compile time"));
    graph_free(g);
}

/* NonMaxSuppression with one changed input or attribute, expecting an
 * error with `text`. */
static void check_nms_error(Shape boxes, Shape scores, DType max_dtype, float iou, int center,
                            const char *text)
{
    static const float zeros[64];
    int64_t max_out[2] = {3, 3};
    Graph *g = new_graph(11);
    Tensor *in[4] = {constant(g, "boxes", DT_FLOAT, boxes, zeros),
                     constant(g, "scores", DT_FLOAT, scores, zeros),
                     constant(g, "max", max_dtype, (Shape){1, {1}}, max_out),
                     constant(g, "iou", DT_FLOAT, (Shape){1, {1}}, &iou)};
    Node *n = add_node(g, "NonMaxSuppression", 4, in);
    attr_i(n, "center_point_box", center);
    CU_ASSERT_TRUE(failed_with(g, text));
    graph_free(g);
}

static void test_nms_errors(void)
{
    Shape b = {3, {1, 6, 4}}, s = {3, {1, 2, 6}};
    check_nms_error(b, s, DT_INT64, 0.5f, 2, "center_point_box must be 0 or 1");
    check_nms_error(b, s, DT_INT64, 1.5f, 0, "iou_threshold 1.5 is outside [0, 1]");
    check_nms_error(b, s, DT_INT64, NAN, 0, "is outside [0, 1]");
    check_nms_error(b, s, DT_INT32, 0.5f, 0, "must be one int64 value");
    check_nms_error((Shape){3, {1, 6, 3}}, s, DT_INT64, 0.5f, 0,
                    "must have shape [batches, boxes, 4]");
    check_nms_error(b, (Shape){3, {1, 2, 5}}, DT_INT64, 0.5f, 0,
                    "must have shape [1, classes, 6]");
    check_nms_error(b, (Shape){2, {2, 6}}, DT_INT64, 0.5f, 0,
                    "must have shape [1, classes, 6]");
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_vision", NULL, NULL);
    CU_add_test(s, "grid sample shape and call", test_grid_sample_shape);
    CU_add_test(s, "grid sample errors", test_grid_sample_errors);
    CU_add_test(s, "grid sample bilinear and padding", test_grid_sample_bilinear);
    CU_add_test(s, "grid sample nearest", test_grid_sample_nearest);
    CU_add_test(s, "grid sample bicubic", test_grid_sample_bicubic);
    CU_add_test(s, "grid sample layout", test_grid_sample_layout);
    CU_add_test(s, "roi align values", test_roi_align_values);
    CU_add_test(s, "roi align max", test_roi_align_max);
    CU_add_test(s, "roi align kernel batch index", test_roi_align_kernel_batch_index);
    CU_add_test(s, "roi align shape and call", test_roi_align_shape_and_call);
    CU_add_test(s, "roi align errors", test_roi_align_errors);
    CU_add_test(s, "nms selection", test_nms_selection);
    CU_add_test(s, "nms box formats", test_nms_box_formats);
    CU_add_test(s, "nms needs constants", test_nms_needs_constants);
    CU_add_test(s, "nms errors", test_nms_errors);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
