/*
 * test_ops_rnn.c - RNN, GRU and LSTM: shape rules in both layouts, the
 * attribute and input errors, the runtime kernel against cases worked
 * out by hand (Relu cells with exact values) or by a scalar transcription
 * of the ONNX equations (hidden and input size 1), folding, the printed
 * kernel call and the cost.
 */
#include "op_test.h"
#include "sinter_rt.h"
#include "variants.h"

#define TOL 1e-5

/* ---- building nodes -------------------------------------------------- */

static Tensor *f32(Graph *g, int rank, const int64_t *dims, const float *v)
{
    return add_const(g, DT_FLOAT, rank, dims, v);
}

/* A node of `op` with inputs in[0..n_in) (NULL = omitted) and n_out
 * outputs, all graph outputs. */
static Node *rnn_node(Graph *g, const char *op, int n_in, Tensor *const *in, int n_out)
{
    Node *n = graph_add_node(g, op, op);
    for (int i = 0; i < n_in; i++)
        node_add_input(n, in[i]);
    for (int i = 0; i < n_out; i++) {
        node_add_output(n, graph_new_tensor(g, "y"));
        add_output(g, n->out[i]);
    }
    return n;
}

static void set_strings(Node *n, const char *name, int count, const char *const *v)
{
    Attr *a = node_add_attr(n, name, ATTR_STRINGS);
    a->n = count;
    a->strings = xmalloc((size_t)count * sizeof *a->strings);
    for (int i = 0; i < count; i++)
        a->strings[i] = xstrdup(v[i]);
}

static void set_float(Node *n, const char *name, double v)
{
    node_add_attr(n, name, ATTR_FLOAT)->f = v;
}

/* An LSTM over X [seq][batch][input] with run-time X, W, R (hidden 2, one
 * direction unless set otherwise) and three outputs. */
static Node *lstm_inputs(Graph *g, int64_t dirs, int64_t seq, int64_t batch, int64_t input)
{
    Tensor *in[3] = {
        add_input(g, "X", 3, (int64_t[]){seq, batch, input}),
        add_input(g, "W", 3, (int64_t[]){dirs, 8, input}),
        add_input(g, "R", 3, (int64_t[]){dirs, 8, 2}),
    };
    return rnn_node(g, "LSTM", 3, in, 3);
}

/* ---- shape rules ----------------------------------------------------- */

static void test_lstm_bidirectional_shapes(void)
{
    Graph *g = new_graph(14);
    Node *n = lstm_inputs(g, 2, 5, 3, 4);
    set_string(n, "direction", "bidirectional");
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {5, 2, 3, 2}}));
    CU_ASSERT_TRUE(shape_matches(n->out[1], (Shape){3, {2, 3, 2}}));
    CU_ASSERT_TRUE(shape_matches(n->out[2], (Shape){3, {2, 3, 2}}));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);
    graph_free(g);
}

/* layout 1 reads X as [batch][seq][input] and puts batch first. */
static void test_gru_batch_major_shapes(void)
{
    Graph *g = new_graph(14);
    Tensor *in[6] = {
        add_input(g, "X", 3, (int64_t[]){3, 5, 4}),
        add_input(g, "W", 3, (int64_t[]){1, 6, 4}),
        add_input(g, "R", 3, (int64_t[]){1, 6, 2}),
        NULL, NULL,
        add_input(g, "h0", 3, (int64_t[]){3, 1, 2}),
    };
    Node *n = rnn_node(g, "GRU", 6, in, 2);
    set_int(n, "layout", 1);
    set_int(n, "hidden_size", 2);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(shape_matches(n->out[0], (Shape){4, {3, 5, 1, 2}}));
    CU_ASSERT_TRUE(shape_matches(n->out[1], (Shape){3, {3, 1, 2}}));
    graph_free(g);
}

/* ---- errors ---------------------------------------------------------- */

/* An LSTM (seq 5, batch 3, input 4, hidden 2) that fails with `text`
 * once `setup` has changed it. */
static bool lstm_fails(int opset, void (*setup)(Graph *, Node *), const char *text)
{
    Graph *g = new_graph(opset);
    Node *n = lstm_inputs(g, 1, 5, 3, 4);
    setup(g, n);
    bool ok = failed_with(g, text);
    graph_free(g);
    return ok;
}

static void bad_direction(Graph *g, Node *n) { (void)g; set_string(n, "direction", "sideways"); }
static void two_directions(Graph *g, Node *n) { (void)g; set_string(n, "direction", "bidirectional"); }
static void layout_too_early(Graph *g, Node *n) { (void)g; set_int(n, "layout", 1); }
static void bad_layout(Graph *g, Node *n) { (void)g; set_int(n, "layout", 2); }
static void zero_clip(Graph *g, Node *n) { (void)g; set_float(n, "clip", 0.0); }
static void wrong_hidden(Graph *g, Node *n) { (void)g; set_int(n, "hidden_size", 3); }
static void huge_hidden(Graph *g, Node *n) { (void)g; set_int(n, "hidden_size", INT64_MAX); }
static void bad_forget(Graph *g, Node *n) { (void)g; set_int(n, "input_forget", 7); }

static void two_activations(Graph *g, Node *n)
{
    (void)g;
    set_strings(n, "activations", 2, (const char *[]){"Sigmoid", "Tanh"});
}

static void unknown_activation(Graph *g, Node *n)
{
    (void)g;
    set_strings(n, "activations", 3, (const char *[]){"Sigmoid", "Swish", "Tanh"});
}

static void int64_lengths(Graph *g, Node *n)
{
    node_add_input(n, NULL);
    node_add_input(n, typed_input(g, "lens", DT_INT64, 1, (int64_t[]){3}));
}

static void wrong_bias_shape(Graph *g, Node *n)
{
    node_add_input(n, add_input(g, "B", 2, (int64_t[]){1, 8}));
}

static void wrong_initial_c(Graph *g, Node *n)
{
    node_add_input(n, NULL);
    node_add_input(n, NULL);
    node_add_input(n, NULL);
    node_add_input(n, add_input(g, "c0", 3, (int64_t[]){1, 2, 2}));
}

static void double_weights(Graph *g, Node *n)
{
    (void)g;
    n->in[1]->dtype = DT_DOUBLE;
}

static void x_rank_2(Graph *g, Node *n)
{
    (void)g;
    n->in[0]->shape.rank = 2;
}

static void test_errors(void)
{
    CU_ASSERT_TRUE(lstm_fails(14, bad_direction, "direction 'sideways'"));
    /* W and R were made for one direction. */
    CU_ASSERT_TRUE(lstm_fails(14, two_directions, "input 1 (W, 'W') has shape [1,8,4]; expected [2,8,4]"));
    CU_ASSERT_TRUE(lstm_fails(13, layout_too_early, "'layout' exists from opset 14 on"));
    CU_ASSERT_TRUE(lstm_fails(14, bad_layout, "layout 2 is not 0 or 1"));
    CU_ASSERT_TRUE(lstm_fails(14, zero_clip, "clip 0 must be positive"));
    CU_ASSERT_TRUE(lstm_fails(14, wrong_hidden, "expected [1,12,4]"));
    CU_ASSERT_TRUE(lstm_fails(14, huge_hidden, "hidden_size 9223372036854775807 is out of range"));
    CU_ASSERT_TRUE(lstm_fails(14, bad_forget, "must be 0 or 1"));
    CU_ASSERT_TRUE(lstm_fails(14, two_activations, "activations must list 3 names"));
    CU_ASSERT_TRUE(lstm_fails(14, unknown_activation, "unknown activation 'Swish'"));
    CU_ASSERT_TRUE(lstm_fails(14, int64_lengths, "sequence_lens, 'lens') is int64; expected int32"));
    CU_ASSERT_TRUE(lstm_fails(14, wrong_bias_shape, "input 3 (B, 'B') has shape [1,8]; expected [1,16]"));
    CU_ASSERT_TRUE(lstm_fails(14, wrong_initial_c, "input 6 (initial_c"));
    CU_ASSERT_TRUE(lstm_fails(14, double_weights, "input 1 ('W') is float64 but input 0 is float32"));
    CU_ASSERT_TRUE(lstm_fails(14, x_rank_2, "must have rank 3"));
}

/* ---- the kernel: exact Relu cases ------------------------------------ */

/* snt_rnn_f32 with the scratch it asks for. */
static void run_layer(const snt_rnn_params *p, const snt_rnn_io *io)
{
    float *scratch = xmalloc(snt_rnn_scratch_floats(p) * sizeof *scratch);
    snt_rnn_f32(p, io, scratch);
    free(scratch);
}

static bool all_close(const float *got, const double *want, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (fabs(got[i] - want[i]) > TOL) {
            fprintf(stderr, "\nelement %zu: %g, want %g\n", i, got[i], want[i]);
            return false;
        }
    return true;
}

/* A bidirectional Relu RNN, hidden and input 1, batch 2, lengths {3, 2}:
 * forward h = relu(2x + 0.5h + 1), reverse h = relu(x + h).  Entry 0 sees
 * x = 1, 2, 3: forward 3, 6.5, 10.25; reverse (from t = 2) 3, 5, 6.
 * Entry 1 sees x = 1, 2 (its third value is padding): forward 3, 6.5;
 * reverse from t = 1: 2, 3. */
static const float bi_x[] = {1, 1, 2, 2, 3, 100};
static const float bi_w[] = {2, 1}, bi_r[] = {0.5f, 1}, bi_b[] = {1, 0, 0, 0};
static const int32_t bi_lens[] = {3, 2};

static snt_rnn_params bidirectional_relu(int batch_major)
{
    snt_rnn_params p = {.cell = SNT_RNN_SIMPLE, .seq = 3, .batch = 2, .input = 1, .hidden = 1,
                        .directions = 2, .batch_major = batch_major};
    p.act[0][0].kind = p.act[1][0].kind = SNT_RNN_RELU;
    return p;
}

static void test_kernel_bidirectional(void)
{
    snt_rnn_params p = bidirectional_relu(0);
    float y[12], y_h[4];
    snt_rnn_io io = {.x = bi_x, .w = bi_w, .r = bi_r, .b = bi_b, .seq_lens = bi_lens,
                     .y = y, .y_h = y_h};
    run_layer(&p, &io);
    /* Y [t][dir][batch]; zeros after entry 1's length. */
    const double want_y[] = {3, 3, 6, 3, 6.5, 6.5, 5, 2, 10.25, 0, 3, 0};
    const double want_h[] = {10.25, 6.5, 6, 3};
    CU_ASSERT_TRUE(all_close(y, want_y, 12));
    CU_ASSERT_TRUE(all_close(y_h, want_h, 4));
}

/* The same layer batch-major: X [batch][seq], Y [batch][seq][dir], Y_h
 * [batch][dir]. */
static void test_kernel_batch_major(void)
{
    snt_rnn_params p = bidirectional_relu(1);
    const float x[] = {1, 2, 3, 1, 2, 100};
    float y[12], y_h[4];
    snt_rnn_io io = {.x = x, .w = bi_w, .r = bi_r, .b = bi_b, .seq_lens = bi_lens,
                     .y = y, .y_h = y_h};
    run_layer(&p, &io);
    const double want_y[] = {3, 6, 6.5, 5, 10.25, 3, 3, 3, 6.5, 2, 0, 0};
    const double want_h[] = {10.25, 6, 6.5, 3};
    CU_ASSERT_TRUE(all_close(y, want_y, 12));
    CU_ASSERT_TRUE(all_close(y_h, want_h, 4));
}

/* ---- the kernel against the ONNX equations (size 1) ------------------ */

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* LSTM gates i, o, f, c; peepholes i, o, f. */
static const float lstm_w[] = {0.5f, -0.3f, 0.8f, 1.2f}, lstm_r[] = {0.1f, 0.2f, -0.4f, 0.6f};
static const float lstm_b[] = {0.1f, 0.2f, 0.3f, -0.1f, 0, 0, 0.05f, 0};
static const float lstm_p[] = {0.3f, -0.2f, 0.1f};

/* One LSTM step on scalars, as the ONNX equations write it. */
static void lstm_ref_step(double x, double *h, double *c)
{
    const float *w = lstm_w, *r = lstm_r, *b = lstm_b, *p = lstm_p;
    double i = sigmoid(w[0] * x + r[0] * *h + b[0] + b[4] + p[0] * *c);
    double f = sigmoid(w[2] * x + r[2] * *h + b[2] + b[6] + p[2] * *c);
    double g = tanh(w[3] * x + r[3] * *h + b[3] + b[7]);
    *c = f * *c + i * g;
    double o = sigmoid(w[1] * x + r[1] * *h + b[1] + b[5] + p[1] * *c);
    *h = o * tanh(*c);
}

/* Batch 2, seq 3, lengths {3, 1}: entry 1 stops after one step, so its
 * later outputs are zero and its Y_h and Y_c are that step's state. */
static void test_kernel_lstm_sequence_lens(void)
{
    const float x[] = {0.5f, -1, 1, 2, -0.5f, 3};
    const float h0[] = {0.2f, -0.1f}, c0[] = {-0.3f, 0.4f};
    const int32_t lens[] = {3, 1};
    snt_rnn_params p = {.cell = SNT_RNN_LSTM, .seq = 3, .batch = 2, .input = 1, .hidden = 1,
                        .directions = 1};
    p.act[0][0].kind = SNT_RNN_SIGMOID;
    p.act[0][1].kind = p.act[0][2].kind = SNT_RNN_TANH;
    float y[6], y_h[2], y_c[2];
    snt_rnn_io io = {.x = x, .w = lstm_w, .r = lstm_r, .b = lstm_b, .seq_lens = lens,
                     .initial_h = h0, .initial_c = c0, .p = lstm_p, .y = y, .y_h = y_h, .y_c = y_c};
    run_layer(&p, &io);

    double want_y[6] = {0}, want_h[2], want_c[2];
    for (int b = 0; b < 2; b++) {
        double h = h0[b], c = c0[b];
        for (int t = 0; t < lens[b]; t++) {
            lstm_ref_step(x[t * 2 + b], &h, &c);
            want_y[t * 2 + b] = h;
        }
        want_h[b] = h;
        want_c[b] = c;
    }
    CU_ASSERT_TRUE(all_close(y, want_y, 6));
    CU_ASSERT_TRUE(all_close(y_h, want_h, 2));
    CU_ASSERT_TRUE(all_close(y_c, want_c, 2));
    CU_ASSERT_EQUAL(y[3], 0.0f);
    CU_ASSERT_EQUAL(y[5], 0.0f);
}

/* GRU gates z, r, h; Rb_h = 0.4 makes the two placements of r differ. */
static const float gru_w[] = {0.6f, -0.5f, 0.9f}, gru_r[] = {0.3f, 0.7f, -0.8f};
static const float gru_b[] = {0.1f, -0.2f, 0.05f, 0.2f, 0.1f, 0.4f};

static double gru_ref_step(double x, double h, int linear_before_reset)
{
    const float *w = gru_w, *r = gru_r, *b = gru_b;
    double z = sigmoid(w[0] * x + r[0] * h + b[0] + b[3]);
    double rg = sigmoid(w[1] * x + r[1] * h + b[1] + b[4]);
    double rec = linear_before_reset ? rg * (r[2] * h + b[5]) : r[2] * (rg * h) + b[5];
    double cand = tanh(w[2] * x + rec + b[2]);
    return (1 - z) * cand + z * h;
}

static void test_kernel_gru_both_resets(void)
{
    const float x[] = {1, -2};
    double last[2];
    for (int lbr = 0; lbr <= 1; lbr++) {
        snt_rnn_params p = {.cell = SNT_RNN_GRU, .seq = 2, .batch = 1, .input = 1, .hidden = 1,
                            .directions = 1, .linear_before_reset = lbr};
        p.act[0][0].kind = SNT_RNN_SIGMOID;
        p.act[0][1].kind = SNT_RNN_TANH;
        float y[2], y_h;
        snt_rnn_io io = {.x = x, .w = gru_w, .r = gru_r, .b = gru_b, .y = y, .y_h = &y_h};
        run_layer(&p, &io);
        double h1 = gru_ref_step(x[0], 0, lbr), h2 = gru_ref_step(x[1], h1, lbr);
        CU_ASSERT_TRUE(all_close(y, (double[]){h1, h2}, 2));
        CU_ASSERT_DOUBLE_EQUAL(y_h, h2, TOL);
        last[lbr] = h2;
    }
    CU_ASSERT_TRUE(fabs(last[0] - last[1]) > 1e-3);
}

/* reverse runs from the last step; clip bounds the gate input and Affine
 * takes its alpha and beta from the attributes' order. */
static void test_kernel_reverse_clip_affine(void)
{
    const float x[] = {1, 2}, w[] = {1}, r[] = {1};
    snt_rnn_params p = {.cell = SNT_RNN_SIMPLE, .seq = 2, .batch = 1, .input = 1, .hidden = 1,
                        .directions = 1, .reverse = 1, .clip = 2.5f};
    p.act[0][0] = (snt_rnn_act){SNT_RNN_AFFINE, 2.0f, 1.0f};
    float y[2], y_h;
    snt_rnn_io io = {.x = x, .w = w, .r = r, .y = y, .y_h = &y_h};
    run_layer(&p, &io);
    /* t = 1: 2 * 2 + 1 = 5; t = 0: clip(1 + 5) = 2.5, 2 * 2.5 + 1 = 6. */
    CU_ASSERT_TRUE(all_close(y, (double[]){6, 5}, 2));
    CU_ASSERT_DOUBLE_EQUAL(y_h, 6, TOL);
}

/* ---- the kernel against the ONNX equations (any size) ---------------- */

/* The cases exercise each way the kernel computes a step: batch 1 (a
 * matrix-vector product), small batches (one such product per entry),
 * batches over 8 (snt_sgemm), hidden sizes that end in partial blocks of
 * the gate math and partial panels of R^T (20, 37, 130), and a long
 * sequence.  The reference runs the equations in double. */
#define REF_INPUT 7
#define REF_MAX_HIDDEN 130

typedef struct {
    snt_rnn_cell cell;
    int linear_before_reset;
    size_t seq, batch, hidden;
    float clip;
} RefCase;

/* Deterministic values in [-scale, scale). */
static float *ref_values(size_t n, float scale, uint32_t *state)
{
    float *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        v[i] = scale * ((float)(*state >> 8) / 8388608.0f - 1.0f);
    }
    return v;
}

/* Gate rows of W and R: gates * hidden. */
static size_t ref_gate_rows(snt_rnn_cell cell, size_t hidden)
{
    return (cell == SNT_RNN_LSTM ? 4 : cell == SNT_RNN_GRU ? 3 : 1) * hidden;
}

/* Row `row` of m ([rows][n]) times v. */
static double ref_dot(const float *m, size_t row, const double *v, size_t n)
{
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += m[row * n + k] * v[k];
    return sum;
}

static double ref_clip(const snt_rnn_params *p, double v)
{
    if (p->clip <= 0)
        return v;
    return v > p->clip ? p->clip : v < -p->clip ? -p->clip : v;
}

/* One direction's tensors, named as in the ONNX equations. */
typedef struct {
    const snt_rnn_params *p;
    const float *w, *r, *wb, *rb, *peep;
} RefDir;

/* Gate row `row`'s sum x W^T + h R^T + Wb + Rb. */
static double ref_gate(const RefDir *d, size_t row, const double *x, const double *h)
{
    return ref_dot(d->w, row, x, d->p->input) + ref_dot(d->r, row, h, d->p->hidden) + d->wb[row]
           + d->rb[row];
}

static void ref_rnn_step(const RefDir *d, const double *x, const double *h, double *hn)
{
    for (size_t j = 0; j < d->p->hidden; j++)
        hn[j] = tanh(ref_clip(d->p, ref_gate(d, j, x, h)));
}

static void ref_gru_step(const RefDir *d, const double *x, const double *h, double *hn)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden;
    double r[REF_MAX_HIDDEN], rh[REF_MAX_HIDDEN];
    for (size_t j = 0; j < H; j++) {
        r[j] = sigmoid(ref_clip(p, ref_gate(d, H + j, x, h)));
        rh[j] = r[j] * h[j];
    }
    for (size_t j = 0; j < H; j++) {
        size_t row = 2 * H + j;
        double z = sigmoid(ref_clip(p, ref_gate(d, j, x, h)));
        double rec = p->linear_before_reset ? r[j] * (ref_dot(d->r, row, h, H) + d->rb[row])
                                            : ref_dot(d->r, row, rh, H) + d->rb[row];
        double in = ref_dot(d->w, row, x, p->input) + d->wb[row];
        hn[j] = (1 - z) * tanh(ref_clip(p, in + rec)) + z * h[j];
    }
}

/* c is updated in place: each value only feeds its own hidden index. */
static void ref_lstm_step(const RefDir *d, const double *x, const double *h, double *hn, double *c)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden;
    for (size_t j = 0; j < H; j++) {
        double i = sigmoid(ref_clip(p, ref_gate(d, j, x, h) + d->peep[j] * c[j]));
        double f = sigmoid(ref_clip(p, ref_gate(d, 2 * H + j, x, h) + d->peep[2 * H + j] * c[j]));
        double g = tanh(ref_clip(p, ref_gate(d, 3 * H + j, x, h)));
        c[j] = f * c[j] + i * g;
        double o = sigmoid(ref_clip(p, ref_gate(d, H + j, x, h) + d->peep[H + j] * c[j]));
        hn[j] = o * tanh(c[j]);
    }
}

/* Batch entry b of direction k (time-major), into y, y_h and y_c. */
static void ref_entry(const RefDir *d, const snt_rnn_io *io, size_t k, size_t b, double *y,
                      double *y_h, double *y_c)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, B = p->batch, state = (k * B + b) * H;
    size_t len = io->seq_lens ? (size_t)io->seq_lens[b] : p->seq;
    double h[REF_MAX_HIDDEN], c[REF_MAX_HIDDEN], hn[REF_MAX_HIDDEN], x[REF_INPUT];
    for (size_t j = 0; j < H; j++) {
        h[j] = io->initial_h[state + j];
        c[j] = io->initial_c[state + j];
    }
    for (size_t s = 0; s < len; s++) {
        size_t t = k == 1 ? len - 1 - s : s;
        for (size_t i = 0; i < REF_INPUT; i++)
            x[i] = io->x[(t * B + b) * REF_INPUT + i];
        if (p->cell == SNT_RNN_SIMPLE)
            ref_rnn_step(d, x, h, hn);
        else if (p->cell == SNT_RNN_GRU)
            ref_gru_step(d, x, h, hn);
        else
            ref_lstm_step(d, x, h, hn, c);
        memcpy(h, hn, H * sizeof *h);
        for (size_t j = 0; j < H; j++)
            y[((t * 2 + k) * B + b) * H + j] = h[j];
    }
    memcpy(y_h + state, h, H * sizeof *h);
    memcpy(y_c + state, c, H * sizeof *c);
}

/* The bidirectional layer of p and io by the equations; y starts zeroed. */
static void ref_layer(const snt_rnn_params *p, const snt_rnn_io *io, double *y, double *y_h,
                      double *y_c)
{
    size_t H = p->hidden, gh = ref_gate_rows(p->cell, H);
    for (size_t k = 0; k < 2; k++) {
        RefDir d = {p, io->w + k * gh * REF_INPUT, io->r + k * gh * H, io->b + k * 2 * gh,
                    io->b + k * 2 * gh + gh, io->p + k * 3 * H};
        for (size_t b = 0; b < p->batch; b++)
            ref_entry(&d, io, k, b, y, y_h, y_c);
    }
}

/* The f32-gemm variants this runtime holds, for snt_rnn_gemm_f32. */
#define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
static const gemm_variant variants[] = {
#include "sinter_variants.def"
};

/* The layer on variant uk, with the weights packed for it as the
 * compiler packs constant ones; io's W, R and B are hidden from the
 * kernel, which must not read them. */
static void run_packed(const snt_rnn_params *p, const snt_rnn_io *io,
                       const snt_f32_gemm_ukernel *uk)
{
    float *packed = xmalloc(snt_rnn_packed_floats(p, uk->nr) * sizeof *packed);
    float *scratch = xmalloc(snt_rnn_gemm_scratch_floats(p, uk->mr, uk->nr) * sizeof *scratch);
    snt_rnn_io without_weights = *io;
    without_weights.w = without_weights.r = without_weights.b = NULL;
    snt_rnn_pack_f32(p, uk->nr, io->w, io->r, io->b, packed);
    snt_rnn_gemm_f32(p, uk, &without_weights, packed, scratch);
    free(packed);
    free(scratch);
}

/* A case with every optional input present (entries of three different
 * lengths) and its outputs by ref_layer. */
typedef struct {
    snt_rnn_params p;
    snt_rnn_io io;
    int32_t *lens;
    double *want_y, *want_h, *want_c;
} RefRun;

static void ref_run_init(RefRun *r, const RefCase *rc)
{
    snt_rnn_params p = {.cell = rc->cell, .seq = rc->seq, .batch = rc->batch, .input = REF_INPUT,
                        .hidden = rc->hidden, .directions = 2,
                        .linear_before_reset = rc->linear_before_reset, .clip = rc->clip};
    for (int k = 0; k < 2; k++) {
        p.act[k][0].kind = rc->cell == SNT_RNN_SIMPLE ? SNT_RNN_TANH : SNT_RNN_SIGMOID;
        p.act[k][1].kind = p.act[k][2].kind = SNT_RNN_TANH;
    }
    size_t H = rc->hidden, B = rc->batch, gh = ref_gate_rows(rc->cell, H);
    size_t states = 2 * B * H, ny = rc->seq * states;
    uint32_t seed = 12345;
    r->p = p;
    r->lens = xmalloc(B * sizeof *r->lens);
    for (size_t b = 0; b < B; b++)
        r->lens[b] = (int32_t)(rc->seq - b % 3 * rc->seq / 4);
    r->io = (snt_rnn_io){
        .x = ref_values(rc->seq * B * REF_INPUT, 1.0f, &seed),
        .w = ref_values(2 * gh * REF_INPUT, 0.5f, &seed),
        .r = ref_values(2 * gh * H, 1.0f / sqrtf((float)H), &seed),
        .b = ref_values(4 * gh, 0.5f, &seed), .seq_lens = r->lens,
        .initial_h = ref_values(states, 0.5f, &seed), .initial_c = ref_values(states, 0.5f, &seed),
        .p = ref_values(6 * H, 0.5f, &seed),
        .y = xmalloc(ny * sizeof(float)), .y_h = xmalloc(states * sizeof(float)),
        .y_c = xmalloc(states * sizeof(float)),
    };
    r->want_y = xcalloc(ny, sizeof *r->want_y);
    r->want_h = xmalloc(states * sizeof *r->want_h);
    r->want_c = xmalloc(states * sizeof *r->want_c);
    ref_layer(&r->p, &r->io, r->want_y, r->want_h, r->want_c);
}

static void ref_run_free(RefRun *r)
{
    const void *owned[] = {r->lens, r->io.x, r->io.w, r->io.r, r->io.b, r->io.initial_h,
                           r->io.initial_c, r->io.p, r->io.y, r->io.y_h, r->io.y_c, r->want_y,
                           r->want_h, r->want_c};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
        free((void *)owned[i]);
}

/* Runs the layer p on io (on uk, or snt_rnn_f32 when NULL) with its
 * outputs first filled with NaN. */
static void run_on_nan(const snt_rnn_params *p, snt_rnn_io *io, const snt_f32_gemm_ukernel *uk)
{
    size_t states = (size_t)p->directions * p->batch * p->hidden;
    for (size_t i = 0; i < p->seq * states; i++)
        io->y[i] = NAN;
    for (size_t i = 0; io->y_h && i < states; i++)
        io->y_h[i] = io->y_c[i] = NAN;
    if (uk)
        run_packed(p, io, uk);
    else
        run_layer(p, io);
}

/* Every output against the reference. */
static bool outputs_match(RefRun *r, const snt_f32_gemm_ukernel *uk)
{
    const snt_rnn_params *p = &r->p;
    size_t states = 2 * p->batch * p->hidden, ny = p->seq * states;
    run_on_nan(p, &r->io, uk);
    return all_close(r->io.y, r->want_y, ny) && all_close(r->io.y_h, r->want_h, states) &&
           (p->cell != SNT_RNN_LSTM || all_close(r->io.y_c, r->want_c, states));
}

/* Under last_step_only: Y's last step against the reference, its other
 * steps not written (the reverse direction ran one step), no Y_h, Y_c. */
static bool last_step_matches(RefRun *r, const snt_f32_gemm_ukernel *uk)
{
    snt_rnn_params p = r->p;
    snt_rnn_io io = r->io;
    size_t states = 2 * p.batch * p.hidden, last = (p.seq - 1) * states;
    p.last_step_only = 1;
    io.y_h = io.y_c = NULL;
    run_on_nan(&p, &io, uk);
    for (size_t i = 0; i < last; i++)
        if (!isnan(io.y[i])) {
            fprintf(stderr, "\nY element %zu of a step before the last was written\n", i);
            return false;
        }
    return all_close(io.y + last, r->want_y + last, states);
}

/* check(r, uk) for snt_rnn_f32 (uk NULL), then snt_rnn_gemm_f32 on every
 * variant this machine runs, on case rc. */
static bool every_kernel_matches(const RefCase *rc,
                                 bool (*check)(RefRun *, const snt_f32_gemm_ukernel *))
{
    RefRun r;
    ref_run_init(&r, rc);
    bool ok = check(&r, NULL);
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++)
        if (variant_runs(variants[v].name) && !check(&r, variants[v].uk)) {
            fprintf(stderr, "\n(on the %s variant)\n", variants[v].name);
            ok = false;
        }
    ref_run_free(&r);
    return ok;
}

static const RefCase ref_cases[] = {
    {SNT_RNN_LSTM, 0, 200, 1, 8, 0},     /* a long sequence */
    {SNT_RNN_LSTM, 0, 20, 1, 130, 0},    /* panels of 128 columns, then a narrow one */
    {SNT_RNN_LSTM, 0, 12, 3, 37, 0.8f},  /* a product per entry; a partial gate block */
    {SNT_RNN_LSTM, 0, 9, 10, 20, 0},     /* snt_sgemm over the batch */
    {SNT_RNN_GRU, 0, 20, 1, 130, 0},
    {SNT_RNN_GRU, 1, 12, 3, 37, 0},
    {SNT_RNN_GRU, 0, 9, 10, 20, 0.8f},
    {SNT_RNN_GRU, 1, 9, 10, 20, 0},
    {SNT_RNN_SIMPLE, 0, 30, 1, 20, 0},
    {SNT_RNN_SIMPLE, 0, 9, 10, 37, 0},
};

static void test_kernel_against_equations(void)
{
    for (size_t i = 0; i < sizeof ref_cases / sizeof *ref_cases; i++)
        CU_ASSERT_TRUE(every_kernel_matches(&ref_cases[i], outputs_match));
}

/* Under last_step_only, the same cases (batch 1, every step at full
 * length; batches of entries shorter than the sequence, whose last step
 * is zeros) and a sequence of one step. */
static void test_kernel_last_step_only(void)
{
    static const RefCase one_step = {SNT_RNN_GRU, 1, 1, 3, 20, 0};
    for (size_t i = 0; i < sizeof ref_cases / sizeof *ref_cases; i++)
        CU_ASSERT_TRUE(every_kernel_matches(&ref_cases[i], last_step_matches));
    CU_ASSERT_TRUE(every_kernel_matches(&one_step, last_step_matches));
}

/* ---- folding, code, cost --------------------------------------------- */

/* The bidirectional Relu case with every input constant folds; the
 * activations come from the attribute, in either case. */
static void test_fold_and_activation_attribute(void)
{
    Graph *g = new_graph(14);
    Tensor *in[5] = {
        f32(g, 3, (int64_t[]){3, 2, 1}, bi_x), f32(g, 3, (int64_t[]){2, 1, 1}, bi_w),
        f32(g, 3, (int64_t[]){2, 1, 1}, bi_r), f32(g, 2, (int64_t[]){2, 2}, bi_b),
        add_const(g, DT_INT32, 1, (int64_t[]){2}, bi_lens),
    };
    Node *n = rnn_node(g, "RNN", 5, in, 2);
    set_string(n, "direction", "bidirectional");
    set_strings(n, "activations", 2, (const char *[]){"relu", "Relu"});
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE(values_within(n->out[1], (double[]){10.25, 6.5, 6, 3}, 4, TOL));
    graph_free(g);
}

static void test_code_and_cost(void)
{
    Graph *g = new_graph(14);
    Node *n = lstm_inputs(g, 2, 5, 3, 4);
    set_string(n, "direction", "bidirectional");
    set_strings(n, "activations", 6,
                (const char *[]){"Sigmoid", "Tanh", "Tanh", "HardSigmoid", "LeakyRelu", "Elu"});
    Attr *alpha = node_add_attr(n, "activation_alpha", ATTR_FLOATS);
    alpha->n = 2;
    alpha->floats = xmalloc(2 * sizeof *alpha->floats);
    alpha->floats[0] = 0.25;
    alpha->floats[1] = 0.125;
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, ".cell = SNT_RNN_LSTM, .seq = 5, .batch = 3, .input = 4, .hidden = 2"));
    /* HardSigmoid takes 0.25 and its default beta, LeakyRelu 0.125, Elu
     * its default 1. */
    CU_ASSERT_TRUE(contains(c, "{.kind = SNT_RNN_HARD_SIGMOID, .alpha = 0.25f, .beta = 0.5f}, "
                               "{.kind = SNT_RNN_LEAKY_RELU, .alpha = 0.125f, .beta = 0.0f}, "
                               "{.kind = SNT_RNN_ELU, .alpha = 1.0f, .beta = 0.0f}"));
    CU_ASSERT_TRUE(contains(c, "snt_rnn_f32(&p, &io, "));
    free(c);
    /* 2 directions x 5 steps x 3 entries x 8 gate values x (4 + 2). */
    OpCost cost = n->op->cost(n);
    CU_ASSERT_EQUAL(cost.macs, 2 * 5 * 3 * 8 * 6);
    CU_ASSERT_EQUAL(cost.flops, 2 * cost.macs + 2 * 5 * 3 * 8);
    graph_free(g);
}

/* ---- weights packed at compile time (passes/pack_rnn.c) -------------- */

/* How often part occurs in text (0 for no text). */
static int occurrences(const char *text, const char *part)
{
    int count = 0;
    for (const char *at = text ? strstr(text, part) : NULL; at; at = strstr(at + 1, part))
        count++;
    return count;
}

/* A GRU under linear_before_reset (seq 3, batch 1, input 1, hidden 1)
 * with constant W, R and B and a run-time X. */
static Node *constant_gru(Graph *g)
{
    Tensor *in[4] = {
        add_input(g, "X", 3, (int64_t[]){3, 1, 1}),
        f32(g, 3, (int64_t[]){1, 3, 1}, gru_w), f32(g, 3, (int64_t[]){1, 3, 1}, gru_r),
        f32(g, 2, (int64_t[]){1, 6}, gru_b),
    };
    Node *n = rnn_node(g, "GRU", 4, in, 2);
    set_int(n, "linear_before_reset", 1);
    return n;
}

/* The pass packs constant weights after the op's own inputs; the code
 * calls the packed kernel and no longer holds W, R or B. */
static void test_pack_constant_weights(void)
{
    Graph *g = new_graph(14);
    Node *n = constant_gru(g);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_pack_rnn));
    CU_ASSERT_EQUAL_FATAL(n->n_in, 7);
    CU_ASSERT_EQUAL(n->in[6]->layout, LAYOUT_PACKED);
    CU_ASSERT_STRING_EQUAL(attr_string_or(n, "ukernel", ""), "snt_f32_gemm_4x8__scalar");
    snt_rnn_params p = {.cell = SNT_RNN_GRU, .seq = 3, .batch = 1, .input = 1, .hidden = 1,
                        .directions = 1, .linear_before_reset = 1};
    CU_ASSERT_EQUAL(n->in[6]->shape.dim[0], (int64_t)snt_rnn_packed_floats(&p, 8));
    char *c = generate(g);
    CU_ASSERT_TRUE(contains(c, "snt_rnn_gemm_f32(&p, &snt_f32_gemm_4x8__scalar, &io, "));
    /* The packed copy is the one array of weights. */
    CU_ASSERT_EQUAL(occurrences(c, "static const union"), 1);
    CU_ASSERT_TRUE(contains(c, "static const union { unsigned char b[224]; float v[56]; }"));
    CU_ASSERT_PTR_NULL(strstr(c, ".w = "));
    free(c);
    graph_free(g);
}

/* Weights computed at run time stay with snt_rnn_f32; a model cannot
 * give the op an input past ONNX's. */
static void test_pack_leaves_and_refuses(void)
{
    Graph *g = new_graph(14);
    Node *n = lstm_inputs(g, 1, 5, 3, 4);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_pack_rnn));
    CU_ASSERT_EQUAL(n->n_in, 3);
    CU_ASSERT_PTR_NULL(attr_string_or(n, "ukernel", NULL));
    graph_free(g);

    g = new_graph(14);
    n = constant_gru(g);
    node_add_input(n, NULL);
    node_add_input(n, NULL);
    node_add_input(n, f32(g, 1, (int64_t[]){1}, gru_w));
    set_string(n, "ukernel", "snt_f32_gemm_4x8__scalar");
    CU_ASSERT_TRUE(failed_with(g, "GRU takes at most 6 inputs"));
    graph_free(g);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ops_rnn", NULL, NULL);
    CU_add_test(s, "lstm_bidirectional_shapes", test_lstm_bidirectional_shapes);
    CU_add_test(s, "gru_batch_major_shapes", test_gru_batch_major_shapes);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "kernel_bidirectional", test_kernel_bidirectional);
    CU_add_test(s, "kernel_batch_major", test_kernel_batch_major);
    CU_add_test(s, "kernel_lstm_sequence_lens", test_kernel_lstm_sequence_lens);
    CU_add_test(s, "kernel_gru_both_resets", test_kernel_gru_both_resets);
    CU_add_test(s, "kernel_reverse_clip_affine", test_kernel_reverse_clip_affine);
    CU_add_test(s, "kernel_against_equations", test_kernel_against_equations);
    CU_add_test(s, "kernel_last_step_only", test_kernel_last_step_only);
    CU_add_test(s, "fold_and_activation_attribute", test_fold_and_activation_attribute);
    CU_add_test(s, "code_and_cost", test_code_and_cost);
    CU_add_test(s, "pack_constant_weights", test_pack_constant_weights);
    CU_add_test(s, "pack_leaves_and_refuses", test_pack_leaves_and_refuses);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
