/*
 * test_ops_dropout.c - Dropout and the numpy-compatible generator behind
 * its training mode (ir/random.c): the generator's outputs, the masks and
 * scaling of training mode, the identity of inference, what the node is
 * rewritten into, and the errors.
 *
 * Expected values come from numpy 1.24's legacy generator:
 *     r = np.random.RandomState(seed)
 *     r.randint(0, 2**32, size=k, dtype=np.uint32)   (raw 32-bit outputs)
 *     r.random_sample(k)                             (doubles, "%.17g")
 * and, for masks, as ONNX's node tests draw them:
 *     np.random.seed(seed); np.random.uniform(0, 1, shape) >= ratio
 */
#include "op_test.h"
#include "ir/random.h"

/* ---- the generator ------------------------------------------------------ */

/* The first four raw outputs and the first four doubles of a fresh
 * generator (the doubles restart from the seed: each takes two outputs). */
static void expect_stream(uint32_t seed, const uint32_t *words, const double *doubles)
{
    Mt19937 mt;
    mt19937_seed(&mt, seed);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(mt19937_next_u32(&mt), words[i]);
    mt19937_seed(&mt, seed);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_DOUBLE_EQUAL(mt19937_next_double(&mt), doubles[i], 0);
}

static void test_generator_matches_numpy(void)
{
    expect_stream(0, (uint32_t[]){0x8c7f0aac, 0x97c4aa2f, 0xb716a675, 0xd821ccc0},
                  (double[]){0.54881350392732475, 0.71518936637241948, 0.60276337607164387,
                             0.54488318299689686});
    expect_stream(42, (uint32_t[]){0x5fe1dc66, 0xcbea3db3, 0xf362035c, 0x2ef5950e},
                  (double[]){0.37454011884736249, 0.95071430640991617, 0.73199394181140509,
                             0.5986584841970366});
    /* The largest seed numpy takes. */
    expect_stream(UINT32_MAX, (uint32_t[]){0x18fe69a3, 0x1c924122, 0xe991ec0c, 0x900cac47},
                  (double[]){0.097632028994013798, 0.91238284530262181, 0.78903530185163995,
                             0.78000359811346776});
}

/* Outputs 624 and on come from the second twist of the state. */
static void test_generator_after_twist(void)
{
    Mt19937 mt;
    mt19937_seed(&mt, 0);
    uint32_t v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = mt19937_next_u32(&mt);
    CU_ASSERT_EQUAL(v[623], 0xe2031ce4);
    CU_ASSERT_EQUAL(v[624], 0x145b8f3a);
    CU_ASSERT_EQUAL(v[999], 0xb5676398);
}

/* ---- building Dropout nodes ----------------------------------------------- */

/* A Dropout of x at `opset`, with ratio and training_mode inputs when not
 * NULL (the ratio omitted when only training is given) and a mask output
 * when `mask`; its outputs become graph outputs. */
static Node *dropout(Graph *g, Tensor *x, Tensor *ratio, Tensor *training, bool mask)
{
    Node *n = training ? add_op(g, "Dropout", 3, x, ratio, training)
              : ratio  ? add_op(g, "Dropout", 2, x, ratio)
                       : add_op(g, "Dropout", 1, x);
    if (mask)
        node_add_output(n, graph_new_tensor(g, "mask"));
    for (int i = 0; i < n->n_out; i++)
        add_output(g, n->out[i]);
    return n;
}

static Tensor *f32_scalar(Graph *g, float v)
{
    return add_const(g, DT_FLOAT, 0, NULL, &v);
}

static Tensor *bool_scalar(Graph *g, bool v)
{
    uint8_t b = v;
    return add_const(g, DT_BOOL, 0, NULL, &b);
}

/* t is a folded tensor of `dtype` holding want[0..count). */
static bool holds(const Tensor *t, DType dtype, const double *want, int64_t count)
{
    return t->dtype == dtype && values_within(t, want, count, 0);
}

/* ---- training mode ------------------------------------------------------ */

/* Seed 0, ratio 0.5 over [2, 3]: numpy keeps all but element 4, and the
 * kept elements are scaled by 2. */
static void test_training_mask_and_scale(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_const(g, DT_FLOAT, 2, (int64_t[]){2, 3}, (float[]){1, 2, 3, 4, 5, 6});
    Node *n = dropout(g, x, f32_scalar(g, 0.5f), bool_scalar(g, true), true);
    set_int(n, "seed", 0);
    Tensor *y = n->out[0], *mask = n->out[1];
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT(holds(y, DT_FLOAT, (double[]){2, 4, 6, 8, 0, 12}, 6));
    CU_ASSERT(holds(mask, DT_BOOL, (double[]){1, 1, 1, 1, 0, 1}, 6));
    graph_free(g);
}

/* The same in float64, which Mul also computes in. */
static void test_training_float64(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_const(g, DT_DOUBLE, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6});
    Node *n = dropout(g, x, f32_scalar(g, 0.5f), bool_scalar(g, true), false);
    Tensor *y = n->out[0];
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT(holds(y, DT_DOUBLE, (double[]){2, 4, 6, 8, 0, 12}, 6));
    graph_free(g);
}

/* Seed 42, ratio 0.3 (as float32, like the node tests' ratio input) over
 * [2, 4]: mask 1 1 1 1 0 0 0 1, scale 1 / (1 - 0.3) rounded to float. */
static void test_training_seed_42(void)
{
    Graph *g = new_graph(12);
    Tensor *x = add_const(g, DT_FLOAT, 2, (int64_t[]){2, 4}, (float[]){1, -2, 3, -4, 5, -6, 7, -8});
    Node *n = dropout(g, x, f32_scalar(g, 0.3f), bool_scalar(g, true), false);
    set_int(n, "seed", 42);
    Tensor *y = n->out[0];
    CU_ASSERT_FATAL(infer(g));
    float s = (float)(1 / (1 - (double)0.3f));
    CU_ASSERT(holds(y, DT_FLOAT, (double[]){s, -2 * s, 3 * s, -4 * s, 0, 0, 0, -8 * s}, 8));
    graph_free(g);
}

/* Without a seed attribute the mask is seed 0's: always the same. */
static void test_training_default_seed(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_const(g, DT_FLOAT, 1, (int64_t[]){6}, (float[]){1, 1, 1, 1, 1, 1});
    Node *n = dropout(g, x, NULL, bool_scalar(g, true), true); /* ratio 0.5 */
    Tensor *mask = n->out[1];
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT(holds(mask, DT_BOOL, (double[]){1, 1, 1, 1, 0, 1}, 6));
    graph_free(g);
}

/* On run-time data the node becomes a Mul by a constant scaled mask,
 * which generates as the runtime's float multiplication. */
static void test_training_rewrite(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 2, (int64_t[]){2, 3});
    dropout(g, x, f32_scalar(g, 0.5f), bool_scalar(g, true), true);
    char *c = generate(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(count_op(g, "Dropout"), 0);
    CU_ASSERT_EQUAL(count_op(g, "Mul"), 1);
    CU_ASSERT(contains(c, "snt_binary_f32(SNT_BIN_MUL"));
    free(c);
    graph_free(g);
}

/* ---- inference ---------------------------------------------------------- */

/* Without training_mode, with it false, or with ratio 0, Dropout is the
 * identity with a mask of ones. */
static void expect_identity(Graph *g, Node *n, DType mask_dtype)
{
    Tensor *y = n->out[0], *mask = n->n_out > 1 ? n->out[1] : NULL;
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(count_op(g, "Dropout"), 0);
    CU_ASSERT(holds(y, DT_FLOAT, (double[]){3, -4}, 2));
    if (mask)
        CU_ASSERT(holds(mask, mask_dtype, (double[]){1, 1}, 2));
    graph_free(g);
}

static Tensor *x34(Graph *g)
{
    return add_const(g, DT_FLOAT, 1, (int64_t[]){2}, (float[]){3, -4});
}

static void test_inference_identity(void)
{
    Graph *g = new_graph(13);
    Node *n = dropout(g, x34(g), NULL, NULL, true);
    expect_identity(g, n, DT_BOOL);

    g = new_graph(13);
    n = dropout(g, x34(g), f32_scalar(g, 0.5f), bool_scalar(g, false), true);
    expect_identity(g, n, DT_BOOL);

    g = new_graph(13);
    n = dropout(g, x34(g), f32_scalar(g, 0), bool_scalar(g, true), true);
    expect_identity(g, n, DT_BOOL);

    /* Before opset 10 the mask has the data's dtype. */
    g = new_graph(7);
    n = dropout(g, x34(g), NULL, NULL, true);
    expect_identity(g, n, DT_FLOAT);
}

/* At run time: an Identity, and the mask's Expand of a constant one. */
static void test_inference_rewrite(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 2, (int64_t[]){2, 3});
    dropout(g, x, NULL, NULL, true);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(count_op(g, "Identity"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Expand"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Mul"), 0);
    graph_free(g);

    /* A scalar's mask: Expand to the empty shape. */
    g = new_graph(13);
    float v = 5;
    Node *n = dropout(g, add_const(g, DT_FLOAT, 0, NULL, &v), NULL, NULL, true);
    Tensor *mask = n->out[1];
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(mask->shape.rank, 0);
    CU_ASSERT(holds(mask, DT_BOOL, (double[]){1}, 1));
    graph_free(g);
}

/* Every floating type passes through in inference. */
static void test_inference_dtypes(void)
{
    static const DType types[] = {DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        Graph *g = new_graph(13);
        Tensor *x = typed_input(g, "x", types[i], 1, (int64_t[]){4});
        Node *n = dropout(g, x, NULL, NULL, true);
        Tensor *y = n->out[0];
        char *c = generate(g);
        CU_ASSERT_PTR_NOT_NULL(c);
        CU_ASSERT_EQUAL(y->dtype, types[i]);
        free(c);
        graph_free(g);
    }
}

/* ---- errors ------------------------------------------------------------- */

static void test_errors(void)
{
    Graph *g = new_graph(13);
    Tensor *x = add_input(g, "x", 1, (int64_t[]){2});
    dropout(g, x, NULL, typed_input(g, "t", DT_BOOL, 0, NULL), false);
    CU_ASSERT(failed_with(g, "input 2 ('t') must be known at compile time"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    dropout(g, x, typed_input(g, "r", DT_FLOAT, 0, NULL), bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "input 1 ('r') must be known at compile time"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    dropout(g, x, f32_scalar(g, 1), bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "ratio 1 is outside [0, 1)"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    dropout(g, x, f32_scalar(g, NAN), bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "is outside [0, 1)"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    Tensor *ratios = add_const(g, DT_FLOAT, 1, (int64_t[]){2}, (float[]){0.5f, 0.5f});
    dropout(g, x, ratios, bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "must hold one value, not 2"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    set_int(dropout(g, x, NULL, bool_scalar(g, true), false), "seed", -1);
    CU_ASSERT(failed_with(g, "seed -1 is outside numpy's range"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){2});
    set_int(dropout(g, x, NULL, bool_scalar(g, true), false), "seed", (int64_t)1 << 32);
    CU_ASSERT(failed_with(g, "seed 4294967296 is outside numpy's range"));
    graph_free(g);

    /* Training mode multiplies with Mul, which has no float16 kernel. */
    g = new_graph(13);
    x = typed_input(g, "x", DT_FLOAT16, 1, (int64_t[]){2});
    dropout(g, x, NULL, bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "training-mode dropout of float16 is not supported"));
    graph_free(g);

    /* The mask is drawn at compile time: its size is bounded (by
     * FOLD_MAX_ELEMENTS, far below a tensor's MAX_TENSOR_BYTES). */
    g = new_graph(13);
    x = add_input(g, "x", 2, (int64_t[]){1 << 13, 1 << 12});
    dropout(g, x, NULL, bool_scalar(g, true), false);
    CU_ASSERT(failed_with(g, "too large to compute at compile time"));
    graph_free(g);

    /* Malformed: the data omitted, or a sequence. */
    g = new_graph(13);
    add_output(g, add_op(g, "Dropout", 2, NULL, f32_scalar(g, 0.5f))->out[0]);
    CU_ASSERT(failed_with(g, "input 0 is required"));
    graph_free(g);

    g = new_graph(13);
    Tensor *items = add_const(g, DT_FLOAT, 1, (int64_t[]){2}, (float[]){1, 2});
    Tensor *seq = add_op(g, "SequenceConstruct", 1, items)->out[0];
    dropout(g, seq, NULL, NULL, false);
    CU_ASSERT(failed_with(g, "input 0 ('SequenceConstruct') must be a tensor"));
    graph_free(g);

    /* Integers are not Dropout's data. */
    g = new_graph(13);
    dropout(g, typed_input(g, "x", DT_INT32, 1, (int64_t[]){2}), NULL, NULL, false);
    CU_ASSERT(failed_with(g, "dtype int32 is not supported for Dropout"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_dropout", NULL, NULL);
    CU_add_test(s, "MT19937 matches numpy", test_generator_matches_numpy);
    CU_add_test(s, "MT19937 after a twist", test_generator_after_twist);
    CU_add_test(s, "training: mask and scale", test_training_mask_and_scale);
    CU_add_test(s, "training: float64", test_training_float64);
    CU_add_test(s, "training: seed 42", test_training_seed_42);
    CU_add_test(s, "training: default seed", test_training_default_seed);
    CU_add_test(s, "training: rewritten into Mul", test_training_rewrite);
    CU_add_test(s, "inference: identity and mask of ones", test_inference_identity);
    CU_add_test(s, "inference: rewritten into Identity", test_inference_rewrite);
    CU_add_test(s, "inference: dtypes", test_inference_dtypes);
    CU_add_test(s, "errors", test_errors);
    int failed = run_tests();
    diag_free(&diag);
    return failed;
}
