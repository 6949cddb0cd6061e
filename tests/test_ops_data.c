/*
 * test_ops_data.c - the data-movement and shape ops: shape rules, folding
 * and errors, above all the shape chains PyTorch exports, which must
 * fold to constants (UNeXt's pads and torch.chunk chains, M2SNet's
 * Resize sizes).
 */
#define OP_TEST_NAMED_NODES
#include "op_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Building graphs                                                      */
/* ------------------------------------------------------------------ */

static Tensor *const_i64(Graph *g, int rank, const int64_t *dims, const int64_t *v)
{
    Tensor *t = add_tensor(g, "c", DT_INT64, rank, dims);
    tensor_set_data(t, v);
    return t;
}

static Tensor *const_f32(Graph *g, int rank, const int64_t *dims, const float *v)
{
    Tensor *t = add_tensor(g, "f", DT_FLOAT, rank, dims);
    tensor_set_data(t, v);
    return t;
}

/* A 1-D int64 constant, the usual form of shape-chain operands. */
#define VEC(g, ...) const_i64(g, DIMS(COUNT_I64(__VA_ARGS__)), I64S(__VA_ARGS__))

static void set_float(Node *n, const char *name, double v)
{
    node_add_attr(n, name, ATTR_FLOAT)->f = v;
}

static void set_ints(Node *n, const char *name, int count, const int64_t *v)
{
    Attr *a = node_add_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)(count ? count : 1) * sizeof *a->ints);
    if (count)
        memcpy(a->ints, v, (size_t)count * sizeof *v);
}

/* A one-element tensor attribute (ConstantOfShape's value). */
static void set_tensor1(Node *n, const char *name, DType dt, const void *value)
{
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->dtype = dt;
    t->shape = (Shape){.rank = 1, .dim = {1}};
    t->shape_known = true;
    tensor_set_data(t, value);
    node_add_attr(n, name, ATTR_TENSOR)->tensor = t;
}

/* Runs shape inference and folding on g; the diagnostics land in d. */
static bool infer(Graph *g, Diag *d)
{
    return graph_infer(g, d);
}

/* Infers a graph expected to fail with a message containing both texts. */
static void expect_error(Graph *g, const char *text1, const char *text2)
{
    Diag d = {0};
    CU_ASSERT_FALSE(infer(g, &d));
    const char *msg = d.text.buf ? d.text.buf : "";
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, text1));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, text2));
    if (!strstr(msg, text1) || !strstr(msg, text2))
        fprintf(stderr, "\nunexpected message: %s (wanted '%s', '%s')\n", msg, text1, text2);
    diag_free(&d);
}

static bool shape_is(const Tensor *t, int rank, const int64_t *dims)
{
    Shape s = {.rank = rank};
    if (rank)
        memcpy(s.dim, dims, (size_t)rank * sizeof *dims);
    bool ok = t->shape_known && shape_equal(&t->shape, &s);
    if (!ok) {
        char a[128], b[128];
        fprintf(stderr, "\n'%s': shape %s, expected %s\n", t->name,
                shape_str(&t->shape, a, sizeof a), shape_str(&s, b, sizeof b));
    }
    return ok;
}

/* The tensor is constant and holds exactly the given values. */
static bool values_are(const Tensor *t, int count, const double *v)
{
    if (!t->data || tensor_numel(t) != count) {
        fprintf(stderr, "\n'%s': %s, %lld elements, expected %d\n", t->name,
                t->data ? "constant" : "not folded", (long long)tensor_numel(t), count);
        return false;
    }
    for (int i = 0; i < count; i++)
        if (dtype_get_f64(t->dtype, t->data, (size_t)i) != v[i]) {
            fprintf(stderr, "\n'%s'[%d] = %g, expected %g\n", t->name, i,
                    dtype_get_f64(t->dtype, t->data, (size_t)i), v[i]);
            return false;
        }
    return true;
}

#define SHAPE_IS(t, ...) CU_ASSERT_TRUE(shape_is(t, DIMS(__VA_ARGS__)))
#define VALUES_ARE(t, ...) \
    CU_ASSERT_TRUE(values_are(t, (int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)), \
                              (double[]){__VA_ARGS__}))

/* ------------------------------------------------------------------ */
/* The PyTorch shape chains                                             */
/* ------------------------------------------------------------------ */

/* UNeXt's F.pad(x, (2,2,2,2)): ConstantOfShape -> Concat -> Reshape ->
 * Slice(step -1, end -INT64_MAX) -> Transpose -> Reshape -> Cast, which
 * must fold to [0,0,2,2,0,0,2,2] at both exported opsets. */
static void test_unext_pads_chain(void)
{
    static const int opsets[] = {13, 17};
    for (int k = 0; k < 2; k++) {
        Graph *g = new_graph(opsets[k]);
        Tensor *img = input(g, "img", DT_FLOAT, DIMS(1, 160, 16, 16));
        Node *zeros = NODE(g, "zeros", "ConstantOfShape", VEC(g, 4));
        set_tensor1(zeros, "value", DT_INT64, I64S(0));
        Node *cat = NODE(g, "cat", "Concat", VEC(g, 2, 2, 2, 2), zeros->out[0]);
        set_int(cat, "axis", 0);
        Node *pairs = NODE(g, "pairs", "Reshape", cat->out[0], VEC(g, -1, 2));
        Node *rev = NODE(g, "rev", "Slice", pairs->out[0], VEC(g, -1), VEC(g, -INT64_MAX),
                         VEC(g, 0), VEC(g, -1));
        Node *tr = NODE(g, "tr", "Transpose", rev->out[0]);
        set_ints(tr, "perm", 2, I64S(1, 0));
        Node *flat = NODE(g, "flat", "Reshape", tr->out[0], VEC(g, -1));
        Node *cast = NODE(g, "cast", "Cast", flat->out[0]);
        set_int(cast, "to", DT_INT64);
        Node *pad = NODE(g, "pad", "Pad", img, cast->out[0], const_f32(g, SCALAR, F32S(0)));
        set_str(pad, "mode", "constant");

        CU_ASSERT_TRUE_FATAL(infer_ok(g));
        VALUES_ARE(cat->out[0], 2, 2, 2, 2, 0, 0, 0, 0);
        SHAPE_IS(rev->out[0], 4, 2);
        VALUES_ARE(rev->out[0], 0, 0, 0, 0, 2, 2, 2, 2);
        VALUES_ARE(cast->out[0], 0, 0, 2, 2, 0, 0, 2, 2);
        CU_ASSERT_EQUAL(cast->out[0]->dtype, DT_INT64);
        SHAPE_IS(pad->out[0], 1, 160, 20, 20);
        CU_ASSERT_PTR_NULL(pad->out[0]->data); /* the image is a run-time value */
        graph_free(g);
    }
}

/* torch.chunk(x, 5, 1): Shape -> Gather -> Add -> Div -> Mul gives the
 * chunk ends, and Slice clamps the last one (UNeXt-S, C = 64). */
static void test_torch_chunk_chain(void)
{
    Graph *g = new_graph(13);
    Tensor *p = input(g, "P", DT_FLOAT, DIMS(1, 64, 20, 20));
    Node *shape = NODE(g, "shape", "Shape", p);
    Node *c = NODE(g, "gather", "Gather", shape->out[0], VEC(g, 1));
    set_int(c, "axis", 0);
    Node *add = NODE(g, "add", "Add", c->out[0], VEC(g, 4));
    Node *div = NODE(g, "div", "Div", add->out[0], VEC(g, 5));
    Node *end[5];
    for (int k = 0; k < 5; k++)
        end[k] = NODE(g, "mul", "Mul", div->out[0], VEC(g, k + 1));
    Node *first = NODE(g, "chunk0", "Slice", p, VEC(g, 0), end[0]->out[0], VEC(g, 1));
    Node *last = NODE(g, "chunk4", "Slice", p, end[3]->out[0], end[4]->out[0], VEC(g, 1));

    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(shape->out[0], 1, 64, 20, 20);
    VALUES_ARE(c->out[0], 64);
    VALUES_ARE(div->out[0], 13);
    VALUES_ARE(end[4]->out[0], 65);
    SHAPE_IS(first->out[0], 1, 13, 20, 20);
    SHAPE_IS(last->out[0], 1, 12, 20, 20);
    graph_free(g);
}

/* M2SNet's F.upsample(x, size=y.size()[2:]) in its two exported forms,
 * and UNeXt's constant scales. */
static void test_resize_forms(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(1, 64, 11, 11));
    Tensor *y = input(g, "y", DT_FLOAT, DIMS(1, 64, 44, 44));

    /* Form A: Shape -> Slice[0:2] -> Concat with constant H, W. */
    Node *sx = NODE(g, "shape_x", "Shape", x);
    Node *nc = NODE(g, "nc", "Slice", sx->out[0], VEC(g, 0), VEC(g, 2), VEC(g, 0));
    Node *sizes_a = NODE(g, "sizes_a", "Concat", nc->out[0], VEC(g, 22, 22));
    set_int(sizes_a, "axis", 0);
    Node *up_a = NODE(g, "up_a", "Resize", x, NULL, NULL, sizes_a->out[0]);
    set_str(up_a, "mode", "linear");
    set_str(up_a, "coordinate_transformation_mode", "half_pixel");
    set_str(up_a, "nearest_mode", "floor");
    set_float(up_a, "cubic_coeff_a", -0.75);

    /* Form B: H and W each by Shape -> Gather(0-d) -> Unsqueeze. */
    Tensor *dim[2], *hw[2];
    for (int k = 0; k < 2; k++) {
        Node *sy = NODE(g, "shape_y", "Shape", y);
        Node *gather = NODE(g, "dim", "Gather", sy->out[0], const_i64(g, SCALAR, I64S(2 + k)));
        set_int(gather, "axis", 0);
        dim[k] = gather->out[0];
        hw[k] = NODE(g, "unsq", "Unsqueeze", dim[k], VEC(g, 0))->out[0];
    }
    Node *cat_hw = NODE(g, "cat_hw", "Concat", hw[0], hw[1]);
    set_int(cat_hw, "axis", 0);
    Node *cast = NODE(g, "cast_hw", "Cast", cat_hw->out[0]);
    set_int(cast, "to", DT_INT64);
    Node *sizes_b = NODE(g, "sizes_b", "Concat", nc->out[0], cast->out[0]);
    set_int(sizes_b, "axis", 0);
    Node *up_b = NODE(g, "up_b", "Resize", up_a->out[0], NULL, NULL, sizes_b->out[0]);
    set_str(up_b, "mode", "linear");

    /* UNeXt: constant scales, no sizes. */
    Node *up_c = NODE(g, "up_c", "Resize", x, NULL, const_f32(g, DIMS(4), F32S(1, 1, 2, 2)));
    set_str(up_c, "mode", "linear");

    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    CU_ASSERT_TRUE(shape_is(dim[1], SCALAR)); /* a 0-d index lowers the rank */
    VALUES_ARE(dim[1], 44);
    VALUES_ARE(sizes_a->out[0], 1, 64, 22, 22);
    SHAPE_IS(up_a->out[0], 1, 64, 22, 22);
    VALUES_ARE(sizes_b->out[0], 1, 64, 44, 44);
    SHAPE_IS(up_b->out[0], 1, 64, 44, 44);
    SHAPE_IS(up_c->out[0], 1, 64, 22, 22);
    CU_ASSERT_PTR_NULL(up_b->out[0]->data);
    graph_free(g);
}

static void test_resize_attributes(void)
{
    /* Opset 10: (X, scales) only; floor(in * scale). */
    Graph *g = new_graph(10);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    Node *r10 = NODE(g, "r10", "Resize", x, const_f32(g, DIMS(4), F32S(1, 1, 0.5f, 2.5f)));
    set_str(r10, "mode", "linear");
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(r10->out[0], 1, 3, 2, 17);
    graph_free(g);

    /* Opset 10's nearest rounds per direction; one node cannot mix them. */
    g = new_graph(10);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    NODE(g, "mixed", "Resize", x, const_f32(g, DIMS(4), F32S(1, 1, 0.5f, 2.5f)));
    expect_error(g, "node 'mixed'", "both enlarges and shrinks");
    graph_free(g);

    /* Opset 11: scales present but empty when sizes are used. */
    g = new_graph(11);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    Tensor *empty = add_tensor(g, "empty", DT_FLOAT, DIMS(0));
    tensor_set_data(empty, F32S(0));
    Node *r11 = NODE(g, "r11", "Resize", x, const_f32(g, DIMS(0), F32S(0)), empty,
                     VEC(g, 1, 3, 9, 4));
    set_str(r11, "mode", "cubic");
    set_str(r11, "coordinate_transformation_mode", "align_corners");
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(r11->out[0], 1, 3, 9, 4);
    graph_free(g);

    /* Both scales and sizes, or an unknown mode, are errors. */
    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    NODE(g, "both", "Resize", x, NULL, const_f32(g, DIMS(4), F32S(1, 1, 2, 2)),
         VEC(g, 1, 3, 10, 14));
    expect_error(g, "node 'both' (Resize, opset 13)", "exactly one of scales and sizes");
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    Node *bad = NODE(g, "bad_mode", "Resize", x, NULL, const_f32(g, DIMS(4), F32S(1, 1, 2, 2)));
    set_str(bad, "mode", "bilinear");
    expect_error(g, "node 'bad_mode'", "mode 'bilinear'");
    graph_free(g);
}

/* Shape inputs computed at run time cannot be compiled: the error names
 * the node. */
static void test_nonconst_shape_inputs(void)
{
    struct {
        const char *op;
        int input; /* which input is the run-time one */
    } cases[] = {{"Reshape", 1}, {"Slice", 2}, {"Resize", 3}, {"Unsqueeze", 1},
                 {"ConstantOfShape", 0}, {"Pad", 1}, {"Split", 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Graph *g = new_graph(13);
        Tensor *x = input(g, "x", DT_FLOAT, DIMS(1, 4, 6, 6));
        Tensor *dyn = input(g, "dyn", DT_INT64, DIMS(4));
        Tensor *in[4] = {x, VEC(g, 0), VEC(g, 2), VEC(g, 1, 4, 6, 6)};
        in[cases[k].input] = dyn;
        int n_in = strcmp(cases[k].op, "ConstantOfShape") == 0 ? 1
                 : strcmp(cases[k].op, "Slice") == 0 || strcmp(cases[k].op, "Resize") == 0 ? 4
                 : 2;
        if (strcmp(cases[k].op, "Resize") == 0)
            in[1] = in[2] = NULL;
        add_node(g, "dyn_node", cases[k].op, strcmp(cases[k].op, "Split") ? 1 : 2, n_in, in);
        char where[64];
        snprintf(where, sizeof where, "node 'dyn_node' (%s, opset 13)", cases[k].op);
        expect_error(g, where, "must be known at compile time");
        graph_free(g);
    }
}

/* ------------------------------------------------------------------ */
/* Slice                                                                */
/* ------------------------------------------------------------------ */

static Tensor *iota_i64(Graph *g, int rank, const int64_t *dims)
{
    Tensor *t = add_tensor(g, "iota", DT_INT64, rank, dims);
    int64_t n = tensor_numel(t);
    int64_t *v = xmalloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = i;
    tensor_set_data(t, v);
    free(v);
    return t;
}

static void test_slice_clamping(void)
{
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(6));
    Node *a = NODE(g, "a", "Slice", x, VEC(g, 1), VEC(g, 1000), VEC(g, 0), VEC(g, 2));
    Node *b = NODE(g, "b", "Slice", x, VEC(g, -1), VEC(g, -INT64_MAX), VEC(g, 0), VEC(g, -1));
    Node *c = NODE(g, "c", "Slice", x, VEC(g, 10), VEC(g, -10), VEC(g, 0), VEC(g, -2));
    Node *d = NODE(g, "d", "Slice", x, VEC(g, INT64_MIN), VEC(g, INT64_MAX));
    Node *e = NODE(g, "e", "Slice", x, VEC(g, 4), VEC(g, 2));
    Node *f = NODE(g, "f", "Slice", x, VEC(g, 5), VEC(g, -INT64_MAX), VEC(g, 0),
                   VEC(g, INT64_MIN));
    Node *h = NODE(g, "h", "Slice", x, VEC(g, 2), VEC(g, INT64_MAX), NULL, VEC(g, INT64_MAX));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(a->out[0], 1, 3, 5);
    VALUES_ARE(b->out[0], 5, 4, 3, 2, 1, 0);
    VALUES_ARE(c->out[0], 5, 3, 1);
    VALUES_ARE(d->out[0], 0, 1, 2, 3, 4, 5);
    SHAPE_IS(e->out[0], 0);
    VALUES_ARE(f->out[0], 5);
    VALUES_ARE(h->out[0], 2);
    graph_free(g);
}

static void test_slice_multi_axis(void)
{
    /* x[0:3:2, ::-2] of a 3 x 4 iota, axes given out of order. */
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(3, 4));
    Node *s = NODE(g, "s", "Slice", x, VEC(g, -1, 0), VEC(g, -INT64_MAX, 3), VEC(g, -1, 0),
                   VEC(g, -2, 2));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(s->out[0], 2, 2);
    VALUES_ARE(s->out[0], 3, 1, 11, 9);
    graph_free(g);

    /* Opset 9: attributes, no steps. */
    g = new_graph(9);
    x = iota_i64(g, DIMS(3, 4));
    s = NODE(g, "s9", "Slice", x);
    set_ints(s, "starts", 2, I64S(1, -3));
    set_ints(s, "ends", 2, I64S(INT64_MAX, -1));
    set_ints(s, "axes", 2, I64S(0, 1));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(s->out[0], 2, 2);
    VALUES_ARE(s->out[0], 5, 6, 9, 10);
    graph_free(g);

    g = new_graph(13);
    x = iota_i64(g, DIMS(3, 4));
    NODE(g, "zero_step", "Slice", x, VEC(g, 0), VEC(g, 2), VEC(g, 1), VEC(g, 0));
    expect_error(g, "node 'zero_step'", "steps must not be 0");
    graph_free(g);

    g = new_graph(13);
    x = iota_i64(g, DIMS(3, 4));
    NODE(g, "twice", "Slice", x, VEC(g, 0, 0), VEC(g, 2, 2), VEC(g, 1, -1));
    expect_error(g, "node 'twice'", "given twice");
    graph_free(g);
}

/* torch.roll as exported: Slice(start=-s, end=MAX) ++ Slice(0, -s), and
 * the zero-size slice of a roll by 0. */
static void test_roll_and_zero_size(void)
{
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(1, 5));
    Node *tail = NODE(g, "tail", "Slice", x, VEC(g, -2), VEC(g, INT64_MAX), VEC(g, 1));
    Node *head = NODE(g, "head", "Slice", x, VEC(g, 0), VEC(g, -2), VEC(g, 1));
    Node *roll = NODE(g, "roll", "Concat", tail->out[0], head->out[0]);
    set_int(roll, "axis", -1);
    Node *none = NODE(g, "none", "Slice", x, VEC(g, 0), VEC(g, 0), VEC(g, 1));
    Node *keep = NODE(g, "keep", "Concat", x, none->out[0]);
    set_int(keep, "axis", 1);

    Tensor *c = input(g, "c", DT_FLOAT, DIMS(1, 32, 20, 20));
    Node *rt_tail = NODE(g, "rt_tail", "Slice", c, VEC(g, 2), VEC(g, INT64_MAX), VEC(g, 2));
    Node *rt_none = NODE(g, "rt_none", "Slice", c, VEC(g, 0), VEC(g, 0), VEC(g, 2));
    Node *rt_cat = NODE(g, "rt_cat", "Concat", c, rt_none->out[0]);
    set_int(rt_cat, "axis", 2);

    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(roll->out[0], 3, 4, 0, 1, 2);
    SHAPE_IS(none->out[0], 1, 0);
    VALUES_ARE(keep->out[0], 0, 1, 2, 3, 4);
    SHAPE_IS(rt_tail->out[0], 1, 32, 18, 20);
    SHAPE_IS(rt_none->out[0], 1, 32, 0, 20);
    SHAPE_IS(rt_cat->out[0], 1, 32, 20, 20);
    CU_ASSERT_PTR_NULL(rt_cat->out[0]->data);
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* View ops                                                             */
/* ------------------------------------------------------------------ */

static void test_reshape(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(2, 3, 4));
    Node *a = NODE(g, "a", "Reshape", x, VEC(g, 0, -1));
    Node *b = NODE(g, "b", "Reshape", x, VEC(g, -1));
    Node *c = NODE(g, "c", "Reshape", x, VEC(g, 4, 0, -1));
    Tensor *k = iota_i64(g, DIMS(2, 3));
    Node *f = NODE(g, "f", "Reshape", k, VEC(g, 3, 2));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(a->out[0], 2, 12);
    SHAPE_IS(b->out[0], 24);
    SHAPE_IS(c->out[0], 4, 3, 2);
    CU_ASSERT_EQUAL(a->out[0]->dtype, DT_FLOAT);
    CU_ASSERT_TRUE(a->op->is_view);
    SHAPE_IS(f->out[0], 3, 2);
    VALUES_ARE(f->out[0], 0, 1, 2, 3, 4, 5);
    graph_free(g);

    /* Opset 14 allowzero: a literal 0 dimension. */
    g = new_graph(14);
    x = input(g, "x", DT_FLOAT, DIMS(0, 3));
    Node *z = NODE(g, "z", "Reshape", x, VEC(g, 3, 0));
    set_int(z, "allowzero", 1);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(z->out[0], 3, 0);
    graph_free(g);

    static const struct {
        int64_t shape[2];
        const char *message;
    } bad[] = {
        {{-1, -1}, "more than one -1"},
        {{5, -1}, "cannot infer the -1"},
        {{7, 4}, "cannot view"},
        {{-2, 12}, "invalid dimension"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = new_graph(13);
        x = input(g, "x", DT_FLOAT, DIMS(2, 3, 4));
        NODE(g, "bad_reshape", "Reshape", x, const_i64(g, DIMS(2), bad[i].shape));
        expect_error(g, "node 'bad_reshape' (Reshape, opset 13)", bad[i].message);
        graph_free(g);
    }
}

static void test_squeeze_unsqueeze(void)
{
    /* Opset 11: axes as attributes. */
    Graph *g = new_graph(11);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(1, 3, 1, 2));
    Node *sq = NODE(g, "sq", "Squeeze", x);
    set_ints(sq, "axes", 2, I64S(0, -2));
    Node *all = NODE(g, "all", "Squeeze", x);
    Node *un = NODE(g, "un", "Unsqueeze", sq->out[0]);
    set_ints(un, "axes", 2, I64S(0, 3));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(sq->out[0], 3, 2);
    SHAPE_IS(all->out[0], 3, 2);
    SHAPE_IS(un->out[0], 1, 3, 2, 1);
    graph_free(g);

    /* Opset 13: axes as inputs; a 0-d constant gains a dimension. */
    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3, 1, 2));
    sq = NODE(g, "sq", "Squeeze", x, VEC(g, 2));
    all = NODE(g, "all", "Squeeze", x);
    Node *un0 = NODE(g, "un0", "Unsqueeze", const_i64(g, SCALAR, I64S(44)), VEC(g, 0));
    un = NODE(g, "un", "Unsqueeze", x, VEC(g, -1, 1));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(sq->out[0], 1, 3, 2);
    SHAPE_IS(all->out[0], 3, 2);
    SHAPE_IS(un0->out[0], 1);
    VALUES_ARE(un0->out[0], 44);
    SHAPE_IS(un->out[0], 1, 1, 3, 1, 2, 1);
    graph_free(g);

    g = new_graph(13);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3));
    NODE(g, "sq3", "Squeeze", x, VEC(g, 1));
    expect_error(g, "node 'sq3'", "cannot squeeze axis 1");
    graph_free(g);

    g = new_graph(11);
    x = input(g, "x", DT_FLOAT, DIMS(1, 3));
    NODE(g, "un_none", "Unsqueeze", x);
    expect_error(g, "node 'un_none'", "axes are required");
    graph_free(g);
}

static void test_flatten_identity(void)
{
    Graph *g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(2, 3, 4, 5));
    Node *f2 = NODE(g, "f2", "Flatten", x);
    set_int(f2, "axis", 2);
    Node *f0 = NODE(g, "f0", "Flatten", x);
    set_int(f0, "axis", 0);
    Node *fn = NODE(g, "fn", "Flatten", x);
    set_int(fn, "axis", -1);
    Node *fd = NODE(g, "fd", "Flatten", x);
    Node *id = NODE(g, "id", "Identity", VEC(g, 7, 8));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(f2->out[0], 6, 20);
    SHAPE_IS(f0->out[0], 1, 120);
    SHAPE_IS(fn->out[0], 24, 5);
    SHAPE_IS(fd->out[0], 2, 60);
    VALUES_ARE(id->out[0], 7, 8);
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Transpose, Concat, Split, Gather                                     */
/* ------------------------------------------------------------------ */

static void test_transpose(void)
{
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(2, 3, 4));
    Node *rev = NODE(g, "rev", "Transpose", x);
    Node *p = NODE(g, "p", "Transpose", x);
    set_ints(p, "perm", 3, I64S(1, 0, 2));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(rev->out[0], 4, 3, 2);
    SHAPE_IS(p->out[0], 3, 2, 4);
    /* rev[k][j][i] = x[i][j][k] = 12 i + 4 j + k. */
    const int64_t *r = rev->out[0]->data, *q = p->out[0]->data;
    CU_ASSERT_EQUAL(r[0 * 6 + 0 * 2 + 1], 12);
    CU_ASSERT_EQUAL(r[3 * 6 + 2 * 2 + 1], 12 + 8 + 3);
    CU_ASSERT_EQUAL(r[1 * 6 + 1 * 2 + 0], 4 + 1);
    /* p[j][i][k] = x[i][j][k]. */
    CU_ASSERT_EQUAL(q[2 * 8 + 1 * 4 + 3], 12 + 8 + 3);
    CU_ASSERT_EQUAL(q[1 * 8 + 0 * 4 + 2], 4 + 2);
    graph_free(g);

    g = new_graph(13);
    x = iota_i64(g, DIMS(2, 3));
    p = NODE(g, "bad_perm", "Transpose", x);
    set_ints(p, "perm", 2, I64S(1, 1));
    expect_error(g, "node 'bad_perm'", "not a permutation");
    graph_free(g);
}

static void test_concat(void)
{
    Graph *g = new_graph(13);
    Node *c = NODE(g, "c", "Concat", const_i64(g, DIMS(2, 1), I64S(1, 2)),
                   const_i64(g, DIMS(2, 2), I64S(3, 4, 5, 6)), const_i64(g, DIMS(2, 0), NULL));
    set_int(c, "axis", -1);
    Node *f = NODE(g, "f", "Concat", const_f32(g, DIMS(1), F32S(0.5f)),
                   const_f32(g, DIMS(2), F32S(1.5f, -2)));
    set_int(f, "axis", 0);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(c->out[0], 2, 3);
    VALUES_ARE(c->out[0], 1, 3, 4, 2, 5, 6);
    VALUES_ARE(f->out[0], 0.5, 1.5, -2);
    graph_free(g);

    g = new_graph(13);
    c = NODE(g, "mismatch", "Concat", input(g, "a", DT_FLOAT, DIMS(2, 3)),
             input(g, "b", DT_FLOAT, DIMS(3, 3)));
    set_int(c, "axis", 1);
    expect_error(g, "node 'mismatch'", "does not match");
    graph_free(g);

    g = new_graph(13);
    NODE(g, "no_axis", "Concat", input(g, "a", DT_FLOAT, DIMS(2, 3)));
    expect_error(g, "node 'no_axis'", "'axis' is required");
    graph_free(g);
}

static void test_split(void)
{
    /* Opset 13: sizes as an input (M2SNet's torch.split). */
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(2, 6));
    Node *s = NODE_N(g, "s", "Split", 3, x, VEC(g, 1, 2, 3));
    set_int(s, "axis", 1);
    Node *eq = NODE_N(g, "eq", "Split", 2, x);
    Tensor *rt = input(g, "rt", DT_FLOAT, DIMS(1, 104, 88, 88));
    Node *m2 = NODE_N(g, "m2", "Split", 4, rt, VEC(g, 26, 26, 26, 26));
    set_int(m2, "axis", 1);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(s->out[0], 0, 6);
    VALUES_ARE(s->out[1], 1, 2, 7, 8);
    VALUES_ARE(s->out[2], 3, 4, 5, 9, 10, 11);
    VALUES_ARE(eq->out[1], 6, 7, 8, 9, 10, 11);
    SHAPE_IS(m2->out[3], 1, 26, 88, 88);
    graph_free(g);

    /* Opset 11: sizes as an attribute. */
    g = new_graph(11);
    x = iota_i64(g, DIMS(5));
    s = NODE_N(g, "s", "Split", 2, x);
    set_ints(s, "split", 2, I64S(4, 1));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(s->out[1], 4);
    graph_free(g);

    /* Opset 18: num_outputs, the last part smaller. */
    g = new_graph(18);
    x = iota_i64(g, DIMS(7));
    s = NODE_N(g, "s", "Split", 3, x);
    set_int(s, "num_outputs", 3);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(s->out[0], 0, 1, 2);
    VALUES_ARE(s->out[2], 6);
    graph_free(g);

    g = new_graph(13);
    NODE_N(g, "uneven", "Split", 2, iota_i64(g, DIMS(5)));
    expect_error(g, "node 'uneven'", "equal parts");
    graph_free(g);

    g = new_graph(13);
    NODE_N(g, "bad_sum", "Split", 2, iota_i64(g, DIMS(5)), VEC(g, 2, 2));
    expect_error(g, "node 'bad_sum'", "add up to 4");
    graph_free(g);
}

static void test_gather(void)
{
    Graph *g = new_graph(13);
    Tensor *x = iota_i64(g, DIMS(3, 2));
    Node *row = NODE(g, "row", "Gather", x, const_i64(g, SCALAR, I64S(-1)));
    Tensor *idx32 = add_tensor(g, "idx32", DT_INT32, DIMS(2, 2));
    tensor_set_data(idx32, (int32_t[]){1, 0, 0, -1});
    Node *cols = NODE(g, "cols", "Gather", x, idx32);
    set_int(cols, "axis", 1);
    Tensor *f = const_f32(g, DIMS(3), F32S(0.25f, 0.5f, 0.75f));
    Node *fg = NODE(g, "fg", "Gather", f, VEC(g, 2, 0));
    Tensor *rt = input(g, "rt", DT_FLOAT, DIMS(4, 5, 6));
    Node *rg = NODE(g, "rg", "Gather", rt, const_i64(g, SCALAR, I64S(3)));
    set_int(rg, "axis", -2);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(row->out[0], 2);
    VALUES_ARE(row->out[0], 4, 5);
    SHAPE_IS(cols->out[0], 3, 2, 2);
    VALUES_ARE(cols->out[0], 1, 0, 0, 1, 3, 2, 2, 3, 5, 4, 4, 5);
    VALUES_ARE(fg->out[0], 0.75, 0.25);
    SHAPE_IS(rg->out[0], 4, 6);
    CU_ASSERT_PTR_NULL(rg->out[0]->data);
    graph_free(g);

    g = new_graph(13);
    NODE(g, "oob", "Gather", iota_i64(g, DIMS(3)), VEC(g, 3));
    expect_error(g, "node 'oob'", "index 3 is out of range");
    graph_free(g);

    g = new_graph(13);
    NODE(g, "float_idx", "Gather", iota_i64(g, DIMS(3)), const_f32(g, DIMS(1), F32S(1)));
    expect_error(g, "node 'float_idx'", "int32 or int64");
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Constants, Shape, Cast, Range                                        */
/* ------------------------------------------------------------------ */

static void test_constant(void)
{
    Graph *g = new_graph(13);
    Node *ints = add_node(g, "ints", "Constant", 1, 0, NULL);
    set_ints(ints, "value_ints", 3, I64S(4, -5, 6));
    Node *fl = add_node(g, "fl", "Constant", 1, 0, NULL);
    set_float(fl, "value_float", 0.5);
    Node *tv = add_node(g, "tv", "Constant", 1, 0, NULL);
    set_tensor1(tv, "value", DT_INT32, (int32_t[]){-9});
    Node *zeros = NODE(g, "zeros", "ConstantOfShape", VEC(g, 2, 3));
    Node *sevens = NODE(g, "sevens", "ConstantOfShape", VEC(g, 2));
    set_tensor1(sevens, "value", DT_INT32, (int32_t[]){7});
    Node *scalar = NODE(g, "scalar", "ConstantOfShape", const_i64(g, DIMS(0), NULL));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    CU_ASSERT_EQUAL(ints->out[0]->dtype, DT_INT64);
    VALUES_ARE(ints->out[0], 4, -5, 6);
    CU_ASSERT_TRUE(shape_is(fl->out[0], SCALAR));
    VALUES_ARE(fl->out[0], 0.5);
    CU_ASSERT_EQUAL(tv->out[0]->dtype, DT_INT32);
    VALUES_ARE(tv->out[0], -9);
    CU_ASSERT_EQUAL(zeros->out[0]->dtype, DT_FLOAT);
    SHAPE_IS(zeros->out[0], 2, 3);
    VALUES_ARE(zeros->out[0], 0, 0, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(sevens->out[0]->dtype, DT_INT32);
    VALUES_ARE(sevens->out[0], 7, 7);
    VALUES_ARE(scalar->out[0], 0);
    graph_free(g);

    g = new_graph(13);
    Node *sp = add_node(g, "sparse", "Constant", 1, 0, NULL);
    set_tensor1(sp, "sparse_value", DT_FLOAT, F32S(1));
    expect_error(g, "node 'sparse'", "'sparse_value' is not supported");
    graph_free(g);
}

static void test_shape(void)
{
    Graph *g = new_graph(15);
    Tensor *x = input(g, "x", DT_FLOAT, DIMS(1, 3, 5, 7));
    Node *all = NODE(g, "all", "Shape", x);
    Node *mid = NODE(g, "mid", "Shape", x);
    set_int(mid, "start", 1);
    set_int(mid, "end", -1);
    Node *clamp = NODE(g, "clamp", "Shape", x);
    set_int(clamp, "start", -10);
    set_int(clamp, "end", 2);
    Node *none = NODE(g, "none", "Shape", x);
    set_int(none, "start", 3);
    set_int(none, "end", 1);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(all->out[0], 1, 3, 5, 7);
    VALUES_ARE(mid->out[0], 3, 5);
    VALUES_ARE(clamp->out[0], 1, 3);
    SHAPE_IS(none->out[0], 0);
    graph_free(g);
}

static void test_cast(void)
{
    Graph *g = new_graph(13);
    Tensor *f = const_f32(g, DIMS(4), F32S(1.7f, -1.7f, 0, 300));
    Node *to_i32 = NODE(g, "to_i32", "Cast", f);
    set_int(to_i32, "to", DT_INT32);
    Node *to_bool = NODE(g, "to_bool", "Cast", f);
    set_int(to_bool, "to", DT_BOOL);
    Node *to_f64 = NODE(g, "to_f64", "Cast", VEC(g, -3, 1 << 20));
    set_int(to_f64, "to", DT_DOUBLE);
    Node *rt = NODE(g, "rt", "Cast", input(g, "x", DT_FLOAT, DIMS(2, 2)));
    set_int(rt, "to", DT_INT64);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    CU_ASSERT_EQUAL(to_i32->out[0]->dtype, DT_INT32);
    VALUES_ARE(to_i32->out[0], 1, -1, 0, 300);
    VALUES_ARE(to_bool->out[0], 1, 1, 0, 1);
    CU_ASSERT_EQUAL(to_f64->out[0]->dtype, DT_DOUBLE);
    VALUES_ARE(to_f64->out[0], -3, 1 << 20);
    SHAPE_IS(rt->out[0], 2, 2);
    CU_ASSERT_PTR_NULL(rt->out[0]->data);
    graph_free(g);

    g = new_graph(13);
    Node *s = NODE(g, "to_string", "Cast", VEC(g, 1));
    set_int(s, "to", DT_STRING);
    expect_error(g, "node 'to_string'", "cannot cast to dtype 8");
    graph_free(g);
}

static void test_range(void)
{
    Graph *g = new_graph(13);
    Tensor *s0 = const_i64(g, SCALAR, I64S(0)), *s10 = const_i64(g, SCALAR, I64S(10));
    Node *up = NODE(g, "up", "Range", s0, s10, const_i64(g, SCALAR, I64S(3)));
    Node *down = NODE(g, "down", "Range", s10, s0, const_i64(g, SCALAR, I64S(-3)));
    Node *empty = NODE(g, "empty", "Range", s10, s0, const_i64(g, SCALAR, I64S(1)));
    Node *fl = NODE(g, "fl", "Range", const_f32(g, SCALAR, F32S(1)), const_f32(g, SCALAR, F32S(2)),
                    const_f32(g, SCALAR, F32S(0.25f)));
    Node *wide = NODE(g, "wide", "Range", const_i64(g, SCALAR, I64S(INT64_MIN)),
                      const_i64(g, SCALAR, I64S(INT64_MAX)), const_i64(g, SCALAR, I64S(INT64_MAX)));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(up->out[0], 0, 3, 6, 9);
    VALUES_ARE(down->out[0], 10, 7, 4, 1);
    SHAPE_IS(empty->out[0], 0);
    CU_ASSERT_EQUAL(fl->out[0]->dtype, DT_FLOAT);
    VALUES_ARE(fl->out[0], 1, 1.25, 1.5, 1.75);
    SHAPE_IS(wide->out[0], 3);
    graph_free(g);

    g = new_graph(13);
    NODE(g, "stuck", "Range", const_i64(g, SCALAR, I64S(0)), const_i64(g, SCALAR, I64S(5)),
         const_i64(g, SCALAR, I64S(0)));
    expect_error(g, "node 'stuck'", "delta must be nonzero");
    graph_free(g);

    g = new_graph(13);
    NODE(g, "rt_range", "Range", const_i64(g, SCALAR, I64S(0)), input(g, "n", DT_INT64, SCALAR),
         const_i64(g, SCALAR, I64S(1)));
    expect_error(g, "node 'rt_range'", "must be known at compile time");
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Pad                                                                  */
/* ------------------------------------------------------------------ */

static void test_pad(void)
{
    Graph *g = new_graph(13);
    Tensor *x = const_f32(g, DIMS(2, 3), F32S(1, 2, 3, 4, 5, 6));
    Node *refl = NODE(g, "refl", "Pad", x, VEC(g, 0, 2, 0, 1));
    set_str(refl, "mode", "reflect");
    Node *edge = NODE(g, "edge", "Pad", x, VEC(g, 1, 0, 0, 1));
    set_str(edge, "mode", "edge");
    Node *cons = NODE(g, "cons", "Pad", x, VEC(g, 0, 1, 0, 0), const_f32(g, SCALAR, F32S(9)));
    Node *crop = NODE(g, "crop", "Pad", x, VEC(g, 0, -1, -1, 0), NULL);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(refl->out[0], 2, 6);
    VALUES_ARE(refl->out[0], 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5);
    SHAPE_IS(edge->out[0], 3, 4);
    VALUES_ARE(edge->out[0], 1, 2, 3, 3, 1, 2, 3, 3, 4, 5, 6, 6);
    VALUES_ARE(cons->out[0], 9, 1, 2, 3, 9, 4, 5, 6);
    SHAPE_IS(crop->out[0], 1, 2);
    VALUES_ARE(crop->out[0], 2, 3);
    graph_free(g);

    /* Opset 2: pads and value are attributes. */
    g = new_graph(2);
    Node *old = NODE(g, "old", "Pad", const_f32(g, DIMS(2), F32S(1, 2)));
    set_ints(old, "pads", 2, I64S(1, 2));
    set_float(old, "value", -1);
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    VALUES_ARE(old->out[0], -1, 1, 2, -1, -1);
    graph_free(g);

    /* Opset 18: pads for the listed axes only. */
    g = new_graph(18);
    Node *ax = NODE(g, "ax", "Pad", input(g, "x", DT_FLOAT, DIMS(1, 3, 4, 4)), VEC(g, 1, 2, 3, 4),
                    NULL, VEC(g, -1, 2));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));
    SHAPE_IS(ax->out[0], 1, 3, 10, 8);
    graph_free(g);

    g = new_graph(13);
    NODE(g, "overcrop", "Pad", input(g, "x", DT_FLOAT, DIMS(2, 3)), VEC(g, 0, -2, 0, -2));
    expect_error(g, "node 'overcrop'", "below zero");
    graph_free(g);

    g = new_graph(13);
    NODE(g, "short_pads", "Pad", input(g, "x", DT_FLOAT, DIMS(2, 3)), VEC(g, 1, 1));
    expect_error(g, "node 'short_pads'", "pads has 2 values, expected 4");
    graph_free(g);
}

/* Copies of one contiguous block become aliases in the memory plan. */
static void test_view_ranges(void)
{
    Graph *g = new_graph(13);
    Tensor *p = input(g, "P", DT_FLOAT, DIMS(1, 64, 20, 20));
    Node *chunk = NODE(g, "chunk", "Slice", p, VEC(g, 13), VEC(g, 26), VEC(g, 1));
    Node *rows = NODE(g, "rows", "Slice", p, VEC(g, 2), VEC(g, 18), VEC(g, 2));
    Node *split = NODE_N(g, "split", "Split", 4, input(g, "x", DT_FLOAT, DIMS(1, 104, 8, 8)));
    set_int(split, "axis", 1);
    Node *cat1 = NODE(g, "cat1", "Concat", input(g, "a", DT_FLOAT, DIMS(1, 2, 3)),
                      input(g, "b", DT_FLOAT, DIMS(1, 4, 3)));
    set_int(cat1, "axis", 1);
    Node *cat2 = NODE(g, "cat2", "Concat", cat1->out[0], cat1->out[0]);
    set_int(cat2, "axis", 2);
    Node *unit = NODE(g, "unit", "Transpose", input(g, "t", DT_FLOAT, DIMS(1, 3, 4)));
    set_ints(unit, "perm", 3, I64S(1, 0, 2));
    Node *real = NODE(g, "real", "Transpose", input(g, "u", DT_FLOAT, DIMS(1, 3, 4)));
    set_ints(real, "perm", 3, I64S(0, 2, 1));
    CU_ASSERT_TRUE_FATAL(infer_ok(g));

    int64_t offset = -1;
    CU_ASSERT_TRUE(chunk->op->view_range(chunk, 0, &offset));
    CU_ASSERT_EQUAL(offset, 13 * 400);
    CU_ASSERT_FALSE(rows->op->view_range(rows, 0, &offset));
    CU_ASSERT_TRUE(split->op->view_range(split, 2, &offset));
    CU_ASSERT_EQUAL(offset, 2 * 26 * 64);
    CU_ASSERT_TRUE(cat1->op->slot_range(cat1, 1, &offset));
    CU_ASSERT_EQUAL(offset, 6);
    CU_ASSERT_FALSE(cat2->op->slot_range(cat2, 1, &offset));
    CU_ASSERT_TRUE(unit->op->view_range(unit, 0, &offset));
    CU_ASSERT_EQUAL(offset, 0);
    CU_ASSERT_FALSE(real->op->view_range(real, 0, &offset));
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Emitted code                                                         */
/* ------------------------------------------------------------------ */

/* Makes the graph's run-time inputs and the outputs of its last node the
 * graph's parameters (so no memory plan is needed), infers it and
 * returns the generated C, or NULL with the errors in d; caller frees.
 * Outputs are named after their node: a node "y" writes parameter y. */
static char *generate(Graph *g, Diag *d)
{
    set_params_for_codegen(g);
    CodegenOptions opt = {.name = "m", .source = "test", .weights = WEIGHTS_EMBED};
    CodegenOutput out = {0};
    char *c = NULL;
    if (infer(g, d) && codegen_c(g, &opt, &out, d))
        c = xstrdup(out.c.buf);
    codegen_output_free(&out);
    return c;
}

/* The generated C of g contains each of the given lines. */
static void expect_code(Graph *g, int count, const char *const *lines)
{
    Diag d = {0};
    char *c = generate(g, &d);
    if (!c)
        fprintf(stderr, "\n%s", d.text.buf ? d.text.buf : "");
    diag_free(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (int i = 0; i < count; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(c, lines[i]));
        if (!strstr(c, lines[i]))
            fprintf(stderr, "\nmissing: %s\nin:\n%s\n", lines[i], c);
    }
    free(c);
    graph_free(g);
}

#define EXPECT_CODE(g, ...) \
    expect_code(g, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)), \
                (const char *[]){__VA_ARGS__})

static void test_emit_copies(void)
{
    /* x[19:0:-1, 5:0:-3, 4:0:-2] of a 20x10x5 input starts at element
     * 19*50 + 5*5 + 4 with every stride negated and scaled by its step. */
    Graph *g = new_graph(13);
    NODE(g, "y", "Slice", input(g, "x", DT_FLOAT, DIMS(20, 10, 5)), VEC(g, 20, 10, 4),
         VEC(g, 0, 0, 0), VEC(g, 0, 1, 2), VEC(g, -1, -3, -2));
    EXPECT_CODE(g, "static const snt_strided p0 = {.rank = 3, .dims = {19, 3, 2}, "
                   ".src_strides = {-50, -15, -2}, .dst_strides = {6, 2, 1}};",
                "snt_strided_copy(&p0, sizeof(float), x + 999, y);");

    /* A zero-size input copies nothing; the second input lands after the first. */
    g = new_graph(13);
    Tensor *a = input(g, "a", DT_INT64, DIMS(2, 3)), *z = input(g, "z", DT_INT64, DIMS(2, 0));
    Node *c = NODE(g, "y", "Concat", a, z, input(g, "b", DT_INT64, DIMS(2, 1)));
    set_int(c, "axis", 1);
    EXPECT_CODE(g, "snt_strided_copy(&p0, sizeof(int64_t), a, y);",
                "static const snt_strided p2 = {.rank = 2, .dims = {2, 1}, "
                ".src_strides = {1, 1}, .dst_strides = {4, 1}};",
                "snt_strided_copy(&p2, sizeof(int64_t), b, y + 3);");

    g = new_graph(13);
    Node *sp = NODE_N(g, "y", "Split", 2, input(g, "x", DT_UINT8, DIMS(4, 6)));
    set_int(sp, "axis", 1);
    EXPECT_CODE(g, "snt_strided_copy(&p1, sizeof(uint8_t), x + 3, y_1);");

    /* 32-bit elements go through the target's transpose tiles (the
     * portable ones without a target), others through the plain copy. */
    g = new_graph(13);
    NODE(g, "y", "Transpose", input(g, "x", DT_FLOAT, DIMS(2, 3)));
    EXPECT_CODE(g, ".dims = {3, 2}, .src_strides = {1, 3}, .dst_strides = {2, 1}};",
                "snt_transpose_x32(&p0, &snt_x32_transpose_8x8__scalar, x, y);");
    g = new_graph(13);
    NODE(g, "y", "Transpose", input(g, "x", DT_INT64, DIMS(2, 3)));
    EXPECT_CODE(g, "snt_strided_copy(&p0, sizeof(int64_t), x, y);");
}

static void test_emit_calls(void)
{
    Graph *g = new_graph(13);
    NODE(g, "y", "Reshape", input(g, "x", DT_FLOAT, DIMS(2, 3)), VEC(g, -1));
    EXPECT_CODE(g, "memcpy(y, x, 24);");

    g = new_graph(13);
    Node *gather = NODE(g, "y", "Gather", input(g, "x", DT_FLOAT, DIMS(4, 5, 6)),
                        input(g, "i", DT_INT32, DIMS(3)));
    set_int(gather, "axis", 1);
    EXPECT_CODE(g, "snt_gather_i32(4, 5, 6, sizeof(float), x, i, 3, y);");

    g = new_graph(13);
    Node *cast = NODE(g, "y", "Cast", input(g, "x", DT_FLOAT, DIMS(7)));
    set_int(cast, "to", DT_UINT8);
    EXPECT_CODE(g, "snt_cast(SNT_DT_FLOAT, x, SNT_DT_UINT8, y, 7);");

    g = new_graph(13);
    Node *pad = NODE(g, "y", "Pad", input(g, "x", DT_FLOAT, DIMS(2, 3)), VEC(g, 0, 1, 0, -1),
                     const_f32(g, SCALAR, F32S(2)));
    set_str(pad, "mode", "edge");
    EXPECT_CODE(g, "static const snt_pad_params p = {.rank = 2, .in_dims = {2, 3}, "
                   ".out_dims = {2, 3}, .pads_begin = {0, 1}, .mode = SNT_PAD_EDGE, "
                   ".value = 2.0f};",
                "snt_pad_f32(&p, x, y);");

    g = new_graph(13);
    Node *rs = NODE(g, "y", "Resize", input(g, "x", DT_FLOAT, DIMS(1, 2, 3, 3)), NULL, NULL,
                    VEC(g, 1, 2, 6, 4));
    set_str(rs, "mode", "nearest");
    set_str(rs, "coordinate_transformation_mode", "asymmetric");
    set_str(rs, "nearest_mode", "ceil");
    EXPECT_CODE(g, ".out_dims = {1, 2, 6, 4}, .scales = {1.0f, 1.0f, 2.0f, 1.33333337f}, "
                   ".roi_start = {0.0f, 0.0f, 0.0f, 0.0f}, .roi_end = {0.0f, 0.0f, 0.0f, 0.0f}, "
                   ".mode = SNT_RESIZE_NEAREST, .coord = SNT_COORD_ASYMMETRIC, "
                   ".nearest = SNT_NEAREST_CEIL, .cubic_a = -0.75f",
                "snt_resize_f32(&p, x, y);");

    /* Pad moves elements of any dtype; the fill value is one of them. */
    g = new_graph(13);
    NODE(g, "int_pad", "Pad", input(g, "x", DT_INT32, DIMS(2, 3)), VEC(g, 0, 1, 0, 1));
    EXPECT_CODE(g, "static const int32_t value = 0;",
                "snt_pad(&p, sizeof(int32_t), &value, x, int_pad);");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_data", NULL, NULL);
    CU_add_test(s, "UNeXt pads chain folds", test_unext_pads_chain);
    CU_add_test(s, "torch.chunk chain folds", test_torch_chunk_chain);
    CU_add_test(s, "M2SNet / UNeXt Resize forms", test_resize_forms);
    CU_add_test(s, "Resize opsets and attributes", test_resize_attributes);
    CU_add_test(s, "non-constant shape inputs are errors", test_nonconst_shape_inputs);
    CU_add_test(s, "Slice clamping", test_slice_clamping);
    CU_add_test(s, "Slice axes, opset 9, errors", test_slice_multi_axis);
    CU_add_test(s, "roll and zero-size slices", test_roll_and_zero_size);
    CU_add_test(s, "Reshape", test_reshape);
    CU_add_test(s, "Squeeze and Unsqueeze", test_squeeze_unsqueeze);
    CU_add_test(s, "Flatten and Identity", test_flatten_identity);
    CU_add_test(s, "Transpose", test_transpose);
    CU_add_test(s, "Concat", test_concat);
    CU_add_test(s, "Split", test_split);
    CU_add_test(s, "Gather", test_gather);
    CU_add_test(s, "Constant and ConstantOfShape", test_constant);
    CU_add_test(s, "Shape", test_shape);
    CU_add_test(s, "Cast", test_cast);
    CU_add_test(s, "Range", test_range);
    CU_add_test(s, "Pad", test_pad);
    CU_add_test(s, "view and slot ranges", test_view_ranges);
    CU_add_test(s, "emitted strided copies", test_emit_copies);
    CU_add_test(s, "emitted kernel calls", test_emit_calls);
    return run_tests();
}
