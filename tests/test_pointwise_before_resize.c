/*
 * test_pointwise_before_resize.c - passes/pointwise_before_resize.c on
 * hand-built graphs: a 1x1 Conv reducing the channels of a Resize's
 * output moves before it with the same values (nearest, linear and
 * cubic, scales and sizes, the Resize kept for its other reader); one
 * that does not reduce channels and a tf_crop_and_resize stay.
 */
#include "graph_builder.h"
#include "passes/match.h"
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { C = 6, H = 5, W = 4 };

typedef struct {
    const char *mode, *coord;
    int64_t k;           /* the Conv's output channels */
    bool sizes;          /* Resize by sizes (else scales) */
} Case;

/* x [1, C, H, W] -> Resize (x2) -> Conv 1x1 (to k) -> output 0,
 * and the Resize's output read by a Neg -> output 1. */
static Graph *build(const Case *cs)
{
    Graph *g = new_graph(13);
    int64_t xd[] = {1, C, H, W}, wd[] = {cs->k, C, 1, 1}, bd[] = {cs->k}, four[] = {4}, eight[] = {8};
    float box[] = {0, 0, 0, 0, 1, 1, 1, 1};   /* the whole image, for tf_crop_and_resize */
    float scales[] = {1, 1, 2, 2};
    int64_t sizes[] = {1, C, 2 * H, 2 * W};
    float *w = test_data(cs->k * C, 3), *b = test_data(cs->k, 5);
    Tensor *x = add_input(g, "x", 4, xd);
    Tensor *roi = add_const(g, DT_FLOAT, 1, eight, box);
    Node *r = cs->sizes ? add_op(g, "Resize", 4, x, roi, add_const(g, DT_FLOAT, 1, (int64_t[]){0}, NULL),
                                 add_const(g, DT_INT64, 1, four, sizes))
                        : add_op(g, "Resize", 3, x, roi, add_const(g, DT_FLOAT, 1, four, scales));
    set_string(r, "mode", cs->mode);
    set_string(r, "coordinate_transformation_mode", cs->coord);
    Node *conv = add_op(g, "Conv", 3, r->out[0], add_const(g, DT_FLOAT, 4, wd, w),
                        add_const(g, DT_FLOAT, 1, bd, b));
    add_output(g, conv->out[0]);
    add_output(g, add_op(g, "Neg", 1, r->out[0])->out[0]);
    CU_ASSERT_FATAL(infer(g));
    free(w);
    free(b);
    return g;
}

/* y[k][p] = b[k] + sum_c w[k][c] x[c][p] over `pixels` pixels: the
 * Conv 1x1 of the graph, by hand (Conv does not fold). */
static float *pointwise(const Node *conv, const float *x, int64_t pixels)
{
    const float *w = conv->in[1]->data, *b = conv->in[2]->data;
    int64_t k = conv->in[1]->shape.dim[0];
    float *y = xmalloc((size_t)(k * pixels) * sizeof *y);
    for (int64_t o = 0; o < k; o++)
        for (int64_t p = 0; p < pixels; p++) {
            double s = b[o];
            for (int64_t c = 0; c < C; c++)
                s += (double)w[o * C + c] * x[c * pixels + p];
            y[o * pixels + p] = (float)s;
        }
    return y;
}

/* Resize r (its constant inputs and attributes) folded on data of
 * r's input shape. */
static float *fold_resize(const Node *r, const float *data)
{
    Graph *g = new_graph(13);
    Node *copy = add_op(g, "Resize", 1, add_input(g, "x", 4, r->in[0]->shape.dim));
    for (int i = 1; i < r->n_in; i++)
        node_add_input(copy, r->in[i]);
    copy_attrs(copy, r);
    add_output(g, copy->out[0]);
    CU_ASSERT_FATAL(infer(g));
    float *y = evaluate(g, data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    graph_free(g);
    return y;
}

/* The node of op_type reading t, or NULL. */
static const Node *reader_of(const Graph *g, const Tensor *t, const char *op_type)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i]->n_in > 0 && g->nodes[i]->in[0] == t &&
            strcmp(g->nodes[i]->op_type, op_type) == 0)
            return g->nodes[i];
    return NULL;
}

/* Runs the pass on the graph of cs; returns whether the Conv moved.
 * When it did, the moved Conv and Resize give the original's values,
 * and the original Resize still feeds its other reader. */
static bool moved_and_equal(const Case *cs)
{
    Graph *g = build(cs);
    Tensor *x = g->inputs[0];
    const Node *resize = reader_of(g, x, "Resize");
    const Node *conv = reader_of(g, resize->out[0], "Conv");
    float *data = test_data(C * H * W, 9);
    float *up = fold_resize(resize, data), *want = pointwise(conv, up, 4 * H * W);
    CU_ASSERT_FATAL(run_pass(g, pass_pointwise_before_resize));
    const Node *moved = reader_of(g, x, "Conv");
    if (moved) {
        const Node *after = reader_of(g, moved->out[0], "Resize");
        CU_ASSERT_PTR_NOT_NULL_FATAL(after);
        CU_ASSERT_PTR_NOT_NULL(reader_of(g, resize->out[0], "Neg"));
        float *low = pointwise(moved, data, H * W), *got = fold_resize(after, low);
        int bad = 0;
        for (int64_t i = 0; i < cs->k * 4 * H * W; i++)
            bad += fabsf(want[i] - got[i]) > 1e-5f * (1.0f + fabsf(want[i]));
        CU_ASSERT_EQUAL(bad, 0);
        free(low);
        free(got);
    }
    free(data);
    free(up);
    free(want);
    graph_free(g);
    return moved != NULL;
}

static void test_moves_reducing_pointwise(void)
{
    static const Case moved[] = {
        {"linear", "half_pixel", 2, false},
        {"linear", "align_corners", 1, true},
        {"cubic", "asymmetric", 3, false},
        {"nearest", "half_pixel", 5, true},
    };
    for (size_t i = 0; i < sizeof moved / sizeof *moved; i++)
        CU_ASSERT_TRUE(moved_and_equal(&moved[i]));
}

static void test_keeps_the_rest(void)
{
    static const Case kept[] = {
        {"linear", "half_pixel", C, false},          /* not fewer channels */
        {"linear", "tf_crop_and_resize", 2, false},  /* extrapolates */
    };
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        CU_ASSERT_FALSE(moved_and_equal(&kept[i]));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("pointwise_before_resize", NULL, NULL);
    CU_add_test(s, "moves a channel-reducing 1x1 Conv before the Resize", test_moves_reducing_pointwise);
    CU_add_test(s, "keeps the Conv where it must stay", test_keeps_the_rest);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures != 0;
}
