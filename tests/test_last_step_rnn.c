/*
 * test_last_step_rnn.c - passes/last_step_rnn.c: a bidirectional layer
 * read only at Y's last step (PyTorch's out[-1]: Transpose, Reshape,
 * Gather; or a Slice) runs its reverse direction for one step, with the
 * same result; layers read any other way are left alone.
 *
 * Each graph is evaluated by folding (graph_builder.h's evaluate), which
 * runs the layer through snt_rnn_f32 with the node's own parameters, the
 * pass's last_step_only included: the unrewritten graph is the reference.
 */
#include <math.h>
#include <stdio.h>

#include "graph_builder.h"
#include "kernel_test.h"

#define SEQ 5
#define BATCH 2
#define INPUT 3
#define HIDDEN 4

/* How the layer's Y is read. */
typedef enum {
    GATHER_MINUS_1,   /* Transpose (0, 2, 1, 3), Reshape, Gather index -1 */
    GATHER_SEQ_1,     /* the same, index seq - 1 as a [1] tensor */
    SLICE_LAST,       /* Slice [seq - 1, seq) of axis 0 of Y itself */
    GATHER_FIRST,     /* Gather index 0: the first step */
    ALSO_Y,           /* Gather -1 and Y a graph output too */
    ALSO_Y_H,         /* Gather -1 and Y_h a graph output */
    TIME_MOVED,       /* Transpose (1, 0, 2, 3): axis 0 is no longer time */
    TIME_MERGED,      /* Reshape [seq * dirs, ...]: time merged with the directions */
} Reading;

static const int64_t swap_12[4] = {0, 2, 1, 3};

/* Y read by Gather of axis 0 at index tensor `index` after Transpose and
 * Reshape to [seq, batch, dirs * hidden], or with `perm` and `shape`. */
static Tensor *gather_after_views(Graph *g, Tensor *y, Tensor *index, const int64_t *perm,
                                  const int64_t *shape)
{
    Tensor *t = reshape(g, transpose(g, y, 4, perm), 3, shape);
    return add_op(g, "Gather", 2, t, index)->out[0];
}

/* What reads Y [seq, dirs, batch, hidden] (and Y_h) for `reading`; the
 * result is graph output 0. */
static void read_outputs(Graph *g, Node *lstm, int64_t dirs, Reading reading)
{
    const int64_t steps[3] = {SEQ, BATCH, dirs * HIDDEN}, merged[3] = {SEQ * dirs, BATCH, HIDDEN};
    static const int64_t moved[4] = {1, 0, 2, 3};
    Tensor *y = lstm->out[0], *minus_1 = add_const(g, DT_INT64, 0, NULL, (int64_t[]){-1});
    switch (reading) {
    case GATHER_SEQ_1:
        add_output(g, gather_after_views(g, y, int1(g, SEQ - 1), swap_12, steps));
        break;
    case SLICE_LAST:
        add_output(g, slice1(g, y, SEQ - 1, INT64_MAX, 0));
        break;
    case GATHER_FIRST:
        add_output(g, gather_after_views(g, y, int1(g, 0), swap_12, steps));
        break;
    case TIME_MOVED:
        add_output(g, add_op(g, "Gather", 2, transpose(g, y, 4, moved), minus_1)->out[0]);
        break;
    case TIME_MERGED:
        add_output(g, add_op(g, "Gather", 2, reshape(g, y, 3, merged), minus_1)->out[0]);
        break;
    default:
        add_output(g, gather_after_views(g, y, minus_1, swap_12, steps));
        break;
    }
    if (reading == ALSO_Y)
        add_output(g, y);
    if (reading == ALSO_Y_H)
        add_output(g, lstm->out[1]);
}

/* An LSTM of `dirs` directions (bidirectional or forward) over X
 * [seq][batch][input] with constant weights, entry 1 shorter than the
 * sequence when `lens`, read as `reading`. */
static Graph *lstm_graph(int64_t dirs, Reading reading, bool lens)
{
    Graph *g = new_graph(13);
    float *w = test_data(dirs * 4 * HIDDEN * INPUT, 1);
    float *r = test_data(dirs * 4 * HIDDEN * HIDDEN, 2), *b = test_data(dirs * 8 * HIDDEN, 3);
    Tensor *lens_t = lens ? add_const(g, DT_INT32, 1, (int64_t[]){BATCH}, (int32_t[]){SEQ, 3})
                          : NULL;
    Node *n = add_op(g, "LSTM", 5, add_input(g, "x", 3, (int64_t[]){SEQ, BATCH, INPUT}),
                     add_const(g, DT_FLOAT, 3, (int64_t[]){dirs, 4 * HIDDEN, INPUT}, w),
                     add_const(g, DT_FLOAT, 3, (int64_t[]){dirs, 4 * HIDDEN, HIDDEN}, r),
                     add_const(g, DT_FLOAT, 2, (int64_t[]){dirs, 8 * HIDDEN}, b), lens_t);
    node_add_output(n, graph_new_tensor(g, "y_h"));
    node_add_output(n, graph_new_tensor(g, "y_c"));
    set_string(n, "direction", dirs == 2 ? "bidirectional" : "forward");
    set_int(n, "hidden_size", HIDDEN);
    read_outputs(g, n, dirs, reading);
    free(w);
    free(r);
    free(b);
    return g;
}

static Graph *last_step_graph(Reading reading, bool lens)
{
    return lstm_graph(2, reading, lens);
}

/* The LSTM of g. */
static Node *lstm_of(const Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->op_type, "LSTM") == 0)
            return g->nodes[i];
    return NULL;
}

/* After the pass, the layer of a graph read as `reading` has
 * last_step_only (`rewritten`) or not, and output 0 is unchanged. */
static void check_reading(Reading reading, bool lens, bool rewritten)
{
    Graph *before = last_step_graph(reading, lens), *after = last_step_graph(reading, lens);
    CU_ASSERT_TRUE_FATAL(infer(before) && infer(after));
    CU_ASSERT_TRUE_FATAL(run_pass(after, pass_last_step_rnn));
    Node *n = lstm_of(after);
    CU_ASSERT_EQUAL(attr_int_or(n, "last_step_only", 0), rewritten);
    CU_ASSERT_EQUAL(n->n_out, rewritten ? 1 : 3);
    float *x = test_data(SEQ * BATCH * INPUT, 4);
    float *want = evaluate(before, x), *got = evaluate(after, x);
    CU_ASSERT_TRUE_FATAL(want && got);
    int64_t count = tensor_numel(after->outputs[0]), bad = 0;
    for (int64_t i = 0; i < count; i++)
        bad += !(fabsf(got[i] - want[i]) <= 1e-6f);
    CU_ASSERT_EQUAL(bad, 0);
    free(x);
    free(want);
    free(got);
    graph_free(before);
    graph_free(after);
}

static void test_gather_minus_1(void)
{
    check_reading(GATHER_MINUS_1, false, true);
}

/* Entry 1 ends before the last step: zeros there either way. */
static void test_sequence_lens(void)
{
    check_reading(GATHER_MINUS_1, true, true);
}

static void test_gather_seq_1_and_slice(void)
{
    check_reading(GATHER_SEQ_1, false, true);
    check_reading(SLICE_LAST, true, true);
}

/* The reverse direction's one step is a seq-th of its multiply-adds. */
static void test_cost(void)
{
    Graph *g = last_step_graph(GATHER_MINUS_1, false);
    CU_ASSERT_TRUE_FATAL(infer(g));
    Node *n = lstm_of(g);
    int64_t macs = n->op->cost(n).macs;
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_last_step_rnn));
    CU_ASSERT_EQUAL(n->op->cost(n).macs, macs / 2 + macs / 2 / SEQ);
    graph_free(g);
}

static void test_left_alone(void)
{
    static const Reading others[] = {GATHER_FIRST, ALSO_Y, ALSO_Y_H, TIME_MOVED, TIME_MERGED};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        check_reading(others[i], false, false);
}

/* A forward layer has no steps to save. */
static void test_forward_left_alone(void)
{
    Graph *g = lstm_graph(1, GATHER_MINUS_1, false);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_TRUE_FATAL(run_pass(g, pass_last_step_rnn));
    CU_ASSERT_EQUAL(attr_int_or(lstm_of(g), "last_step_only", 0), 0);
    graph_free(g);
}

int main(void)
{
    static const kernel_test tests[] = {
        {"Transpose, Reshape, Gather -1", test_gather_minus_1},
        {"sequence_lens", test_sequence_lens},
        {"Gather seq - 1, Slice", test_gather_seq_1_and_slice},
        {"cost", test_cost},
        {"other readings left alone", test_left_alone},
        {"forward layer left alone", test_forward_left_alone},
    };
    return run_kernel_tests("last_step_rnn", tests, sizeof tests / sizeof tests[0]);
}
