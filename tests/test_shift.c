/*
 * test_shift.c - the ShiftTokenize op: its runtime kernel against the
 * definition, and the fuse_shift_tokenize pass on hand-built copies of
 * UNeXt's exported shift (the pad / chunk / roll / crop chain), checked
 * for node counts and for equal values by folding both graphs.
 */
#include "graph_builder.h"
#include "sinter_rt.h"

#include <CUnit/Basic.h>

#define INT64_MAX_ ((int64_t)9223372036854775807LL)

/* How the shift chain is spelled. */
typedef struct {
    int64_t c, h, w, pad;
    int axis;           /* 2: H, 3: W */
    int chunks;
    int64_t shifts[8];
    bool tokens;        /* tokens [1, HW, C] in and out, else images */
    bool zero_direct;   /* shift 0 as the bare chunk (after remove_noops) */
} ShiftSpec;

/* torch.roll(x, s, axis) as exported: Slice(-s, MAX) ++ Slice(0, -s);
 * s = 0 gives x ++ (empty Slice). */
static Tensor *roll(Graph *g, Tensor *x, int64_t s, int axis, bool zero_direct)
{
    if (s == 0 && zero_direct)
        return x;
    Node *c;
    if (s == 0)
        c = add_op(g, "Concat", 2, x, slice1(g, x, 0, 0, axis));
    else
        c = add_op(g, "Concat", 2, slice1(g, x, -s, INT64_MAX_, axis), slice1(g, x, 0, -s, axis));
    set_int(c, "axis", axis);
    return c->out[0];
}

/* The exported chain, from the input to a graph output. */
static Graph *shift_graph(const ShiftSpec *s)
{
    Graph *g = new_graph(13);
    int64_t tok[3] = {1, s->h * s->w, s->c}, img[4] = {1, s->c, s->h, s->w}, swap[3] = {0, 2, 1};
    Tensor *x;
    if (s->tokens)
        x = reshape(g, transpose(g, add_input(g, "x", 3, tok), 3, swap), 4, img);
    else
        x = add_input(g, "x", 4, img);
    int64_t pads[8] = {0, 0, s->pad, s->pad, 0, 0, s->pad, s->pad};
    float zero = 0;
    Tensor *p = add_op(g, "Pad", 3, x, ints1(g, 8, pads), add_const(g, DT_FLOAT, 0, NULL, &zero))->out[0];
    int64_t chunk = (s->c + s->chunks - 1) / s->chunks; /* torch.chunk's size; the last is clamped */
    Node *cat = graph_add_node(g, "cat", "Concat");
    set_int(cat, "axis", 1);
    for (int k = 0; k < s->chunks; k++)
        node_add_input(cat, roll(g, slice1(g, p, k * chunk, (k + 1) * chunk, 1), s->shifts[k],
                                 s->axis, s->zero_direct));
    node_add_output(cat, graph_new_tensor(g, "cat"));
    Tensor *y = slice1(g, slice1(g, cat->out[0], s->pad, s->pad + s->h, 2), s->pad, s->pad + s->w, 3);
    if (s->tokens) {
        int64_t flat[3] = {1, s->c, s->h * s->w};
        y = transpose(g, reshape(g, y, 3, flat), 3, swap);
    }
    add_output(g, y);
    CU_ASSERT_FATAL(infer(g));
    return g;
}

/* Fuses one copy, folds both on the same data, and expects equal values;
 * returns whether the pass fused (one ShiftTokenize, nothing else). */
static bool fuses_exactly(const ShiftSpec *s)
{
    Graph *ref = shift_graph(s), *g = shift_graph(s);
    CU_ASSERT_FATAL(run_pass(g, pass_fuse_shift_tokenize));
    bool fused = g->n_nodes == 1 && count_op(g, "ShiftTokenize") == 1;
    int64_t n = tensor_numel(g->outputs[0]);
    float *data = test_data(n, 7);
    float *want = evaluate(ref, data), *got = evaluate(g, data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(memcmp(want, got, (size_t)n * sizeof *got), 0);
    free(data);
    free(want);
    free(got);
    graph_free(ref);
    graph_free(g);
    return fused;
}

static void test_fuses_unext_shift_on_h(void)
{
    ShiftSpec s = {.c = 10, .h = 4, .w = 5, .pad = 2, .axis = 2, .chunks = 5,
                   .shifts = {-2, -1, 0, 1, 2}, .tokens = true};
    CU_ASSERT_TRUE(fuses_exactly(&s));
}

static void test_fuses_uneven_chunks_on_w(void)
{
    /* 13 channels in chunks of 3: 3,3,3,3,1 (UNeXt-S has 13 x 4 + 12). */
    ShiftSpec s = {.c = 13, .h = 5, .w = 6, .pad = 2, .axis = 3, .chunks = 5,
                   .shifts = {-2, -1, 0, 1, 2}, .tokens = true};
    CU_ASSERT_TRUE(fuses_exactly(&s));
}

static void test_fuses_after_remove_noops(void)
{
    ShiftSpec s = {.c = 10, .h = 4, .w = 4, .pad = 2, .axis = 2, .chunks = 5,
                   .shifts = {-2, -1, 0, 1, 2}, .tokens = true, .zero_direct = true};
    CU_ASSERT_TRUE(fuses_exactly(&s));
    /* The exported form, cleaned by remove_noops first, fuses too. */
    ShiftSpec e = s;
    e.zero_direct = false;
    Graph *g = shift_graph(&e);
    CU_ASSERT_TRUE(run_pass(g, pass_remove_noops));
    CU_ASSERT_TRUE(run_pass(g, pass_fuse_shift_tokenize));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    graph_free(g);
}

static void test_fuses_image_form(void)
{
    ShiftSpec s = {.c = 6, .h = 3, .w = 4, .pad = 1, .axis = 3, .chunks = 3,
                   .shifts = {-1, 0, 1}, .tokens = false};
    CU_ASSERT_TRUE(fuses_exactly(&s));
}

static void test_keeps_wrapping_roll(void)
{
    /* A roll by more than the padding wraps image data around: not a
     * zero-fill shift, so the graph stays (and still computes the same). */
    ShiftSpec s = {.c = 10, .h = 6, .w = 4, .pad = 1, .axis = 2, .chunks = 5,
                   .shifts = {-2, -1, 0, 1, 2}, .tokens = true};
    CU_ASSERT_FALSE(fuses_exactly(&s));
}

static void test_keeps_shared_intermediate(void)
{
    ShiftSpec s = {.c = 10, .h = 4, .w = 5, .pad = 2, .axis = 2, .chunks = 5,
                   .shifts = {-2, -1, 0, 1, 2}, .tokens = true};
    Graph *g = shift_graph(&s);
    /* The padded image is also a graph output: it must still be computed. */
    Tensor *pad = NULL;
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->op_type, "Pad") == 0)
            pad = g->nodes[i]->out[0];
    add_output(g, pad);
    int before = g->n_nodes;
    CU_ASSERT_TRUE(run_pass(g, pass_fuse_shift_tokenize));
    CU_ASSERT_EQUAL(g->n_nodes, before);
    CU_ASSERT_EQUAL(count_op(g, "ShiftTokenize"), 0);
    graph_free(g);
}

/* The kernel in both layouts against y(c,h,w) = x(c, h - s, w) or 0. */
static void test_kernel_layouts(void)
{
    enum { C = 5, H = 3, W = 4 };
    snt_shift_params p = {.n = 1, .c = C, .h = H, .w = W, .axis = 1, .chunks = 2,
                          .chunk_end = {2, 5}, .shift = {1, -2}};
    float *x = test_data(C * H * W, 3), img[C * H * W], tok[C * H * W], xt[C * H * W];
    for (int c = 0; c < C; c++)
        for (int i = 0; i < H * W; i++)
            xt[i * C + c] = x[c * H * W + i];
    p.n_stride = C * H * W, p.c_stride = H * W, p.h_stride = W, p.w_stride = 1;
    snt_shift_tokenize_f32(&p, x, img);
    p.c_stride = 1, p.h_stride = W * C, p.w_stride = C;
    snt_shift_tokenize_f32(&p, xt, tok);
    int bad = 0;
    for (int c = 0; c < C; c++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                int sw = w - (c < 2 ? 1 : -2);
                float want = sw >= 0 && sw < W ? x[(c * H + h) * W + sw] : 0.0f;
                bad += img[(c * H + h) * W + w] != want || tok[(h * W + w) * C + c] != want;
            }
    CU_ASSERT_EQUAL(bad, 0);
    free(x);
}

static void test_op_rejects_bad_attributes(void)
{
    Graph *g = new_graph(13);
    int64_t dims[3] = {1, 12, 4};
    Node *n = add_op(g, "ShiftTokenize", 1, add_input(g, "x", 3, dims));
    n->op = op_lookup("", "ShiftTokenize"); /* internal: only passes create it */
    int64_t ends[2] = {2, 3}, shifts[2] = {1, -1};
    set_int(n, "axis", 2);
    set_int(n, "height", 3);
    set_int(n, "width", 4);
    set_ints(n, "chunk_ends", 2, ends); /* ends at 3 of 4 channels */
    set_ints(n, "shifts", 2, shifts);
    add_output(g, n->out[0]);
    Diag d = {0};
    CU_ASSERT_FALSE(graph_infer(g, &d));
    CU_ASSERT_TRUE(d.text.buf && strstr(d.text.buf, "chunk_ends"));
    diag_free(&d);
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("shift", NULL, NULL);
    CU_add_test(s, "fuses UNeXt's shift along H", test_fuses_unext_shift_on_h);
    CU_add_test(s, "fuses uneven chunks along W", test_fuses_uneven_chunks_on_w);
    CU_add_test(s, "fuses the roll-by-0 without its empty Slice", test_fuses_after_remove_noops);
    CU_add_test(s, "fuses the image form", test_fuses_image_form);
    CU_add_test(s, "keeps a roll that wraps data", test_keeps_wrapping_roll);
    CU_add_test(s, "keeps an intermediate read elsewhere", test_keeps_shared_intermediate);
    CU_add_test(s, "kernel: image and token layouts", test_kernel_layouts);
    CU_add_test(s, "op: rejects chunk ends short of C", test_op_rejects_bad_attributes);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures != 0;
}
