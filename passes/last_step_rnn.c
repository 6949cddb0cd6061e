/*
 * last_step_rnn.c - a recurrent layer of which only the last step of Y
 * is read runs its reverse direction for one step.
 *
 * The "last step" idiom: PyTorch's out[-1] of a bidirectional layer,
 * exported as
 *
 *   RNN/GRU/LSTM -> Y [seq, dirs, batch, hidden]
 *     -> Transpose (0, 2, 1, 3) -> Reshape [seq, batch, dirs * hidden]
 *     -> Gather (axis 0, index -1)
 *
 * reads the forward direction after the whole sequence but the reverse
 * direction after its first step, which processes t = seq - 1 first.
 * The other seq - 1 steps of the reverse direction, and its input
 * products, are work nobody reads.  The layer gets `last_step_only` (the
 * kernel's flag of that name, ir/ops/rnn.c): the reverse direction runs
 * that one step and Y is written only at t = seq - 1, which every reader
 * of Y must then be the only part it reads.
 *
 * Matched strictly: a time-major layer (layout 0) with a reverse
 * direction; Y not a graph output, read only through Transposes that keep
 * axis 0 first and Reshapes that keep the extent seq of axis 0 (both keep
 * each element's time index), ending each path in a Gather of axis 0 at
 * the one constant index seq - 1 (or -1) or a Slice of axis 0 alone that
 * starts there; Y_h and Y_c read by nobody (they hold the reverse
 * direction after all steps), and then dropped.  sequence_lens may be
 * given: an entry shorter than seq has zeros at Y's last step either
 * way.
 */
#include "passes/match.h"

/* n, reading t in input 0, keeps t's axis 0 as its output's axis 0
 * with the same extent seq and the same time index for every element. */
static bool keeps_time_axis(const Node *n, const Tensor *t, int64_t seq)
{
    if (n->n_out != 1 || n->in[0] != t || t->shape.rank < 1 || t->shape.dim[0] != seq)
        return false;
    const Shape *out = &n->out[0]->shape;
    if (node_is(n, &op_Transpose)) {
        int64_t perm[MAX_RANK];
        return attr_ints(n, "perm", perm, MAX_RANK) == t->shape.rank && perm[0] == 0;
    }
    /* Row-major, an element's index along axis 0 is its flat index over
     * the size of the rest, the same on both sides when axis 0 is seq
     * on both. */
    return node_is(n, &op_Reshape) && out->rank >= 1 && out->dim[0] == seq;
}

/* A Gather of t's axis 0 at the constant index seq - 1 (or -1). */
static bool gathers_last_step(const Node *n, const Tensor *t, int64_t seq)
{
    if (!node_is(n, &op_Gather) || n->n_out != 1 || n->in[0] != t || n->n_in != 2)
        return false;
    int64_t axis = attr_int_or(n, "axis", 0);
    const Tensor *index = n->in[1];
    if ((axis != 0 && axis != -t->shape.rank) || !tensor_is_const(index) ||
        !dtype_is_int(index->dtype) || tensor_numel(index) != 1)
        return false;
    int64_t i = dtype_get_i64(index->dtype, index->data, 0);
    return i == seq - 1 || i == -1;
}

/* A Slice of t's axis 0 alone, to the step seq - 1 alone. */
static bool slices_last_step(const Node *n, const Tensor *t, int64_t seq)
{
    int axis;
    int64_t start;
    return n->in[0] == t && slice_one_axis(n, &axis, &start) && axis == 0 &&
           start == seq - 1 && n->out[0]->shape.dim[0] == 1;
}

/* Every read of t, whose axis 0 is Y's time axis (extent seq), reads
 * only its last step. */
static bool reads_only_last_step(const Rewriter *rw, const Tensor *t, int64_t seq)
{
    if (t->is_output)
        return false;
    for (int i = 0; i < rw_reader_count(rw, t); i++) {
        const Node *n = rw_reader(rw, t, i);
        if (keeps_time_axis(n, t, seq) ? !reads_only_last_step(rw, n->out[0], seq)
                                       : !gathers_last_step(n, t, seq) &&
                                             !slices_last_step(n, t, seq))
            return false;
    }
    return true;
}

/* Output i of n, when present, is read by nobody. */
static bool output_unused(const Rewriter *rw, const Node *n, int i)
{
    const Tensor *t = i < n->n_out ? n->out[i] : NULL;
    return !t || (!t->is_output && rw_reader_count(rw, t) == 0);
}

/* A time-major recurrent layer with a reverse direction, not yet
 * flagged, of which only Y's last step is read. */
static bool reads_last_step(const Rewriter *rw, const Node *n)
{
    if (!node_is(n, &op_RNN) && !node_is(n, &op_GRU) && !node_is(n, &op_LSTM))
        return false;
    snt_rnn_params p;
    bool ok = rnn_params(n, &p, NULL);
    if (!ok || p.last_step_only || p.batch_major || (p.directions != 2 && !p.reverse) ||
        p.seq == 0 || n->n_out < 1 || !n->out[0])
        return false;
    return output_unused(rw, n, 1) && output_unused(rw, n, 2) &&
           reads_only_last_step(rw, n->out[0], (int64_t)p.seq);
}

/* Flags n and drops its unread outputs Y_h and Y_c. */
static bool run_last_step_only(Rewriter *rw, Node *n, Diag *d)
{
    rw_mark_changed(rw);
    for (int i = 1; i < n->n_out; i++)
        if (n->out[i])
            n->out[i]->producer = NULL;
    n->n_out = 1;
    set_attr_int(n, "last_step_only", 1);
    return n->op->infer(n, d);
}

bool pass_last_step_rnn(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++)
        if (reads_last_step(rw, g->nodes[i]))
            ok = run_last_step_only(rw, g->nodes[i], d);
    return ok;
}
