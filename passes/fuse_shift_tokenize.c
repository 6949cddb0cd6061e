/*
 * fuse_shift_tokenize.c - UNeXt's shifted-MLP input becomes one
 * ShiftTokenize node.
 *
 * shiftmlp.forward exports, per shift (after shape folding):
 *
 *   Transpose{0,2,1}(tokens [N,HW,C]) -> Reshape [N,C,H,W] -> X
 *   Pad{constant 0}(X)                                 -> P
 *   Slice(P, axis 1, chunk k) for k < K                 -> C_k
 *   Concat{axis a}(Slice(C_k, [t,L)), Slice(C_k, [0,t))) -> R_k  (a roll;
 *       t = 0 gives Concat(C_k, zero-size Slice), or C_k itself once
 *       remove_noops has run)
 *   Concat{axis 1}(R_0 .. R_K-1) -> Slice -> Slice (crop the padding) -> Y
 *   Reshape [N,C,HW] -> Transpose{0,2,1} -> tokens [N,HW,C]
 *
 * Rolling a zero-padded chunk by s and cropping the padding equals
 * shifting it by s with zeros shifted in, provided the roll wraps only
 * padding: -pad_end <= s <= pad_begin on the rolled axis.  Every
 * intermediate must be read only inside the pattern, every constant is
 * checked, and the chunks must tile the channels in order.  Without the
 * token conversions on both sides the image form X -> Y is fused.
 */
#include "passes/match.h"

#include "sinter_rt.h"

#include <stdlib.h>
#include <string.h>

/* A roll Concat with more operands than this is not PyTorch's roll. */
#define MAX_ROLL_PIECES 4
#define MAX_PATTERN_NODES (8 + (2 + MAX_ROLL_PIECES) * SNT_SHIFT_MAX_CHUNKS)

typedef struct {
    Node *nodes[MAX_PATTERN_NODES];  /* nodes the fused op replaces */
    int count;
    int axis;                        /* rolled image axis: 2 or 3, 0 if none yet */
    int chunks;
    int64_t ends[SNT_SHIFT_MAX_CHUNKS], roll[SNT_SHIFT_MAX_CHUNKS]; /* t: R[i] = C[i + t] */
    Tensor *padded;                  /* P */
    Tensor *in, *out;                /* what the fused op reads and writes */
    int64_t height, width;           /* set for the token form */
} Shift;

static void take(Shift *m, Node *n)
{
    m->nodes[m->count++] = n;
}

/* The axis of Concat node c of a rank-4 output, or -1. */
static int concat_axis(const Node *c)
{
    int axis;
    if (!node_is(c, &op_Concat) || c->out[0]->shape.rank != 4 ||
        !axis_normalize(attr_int_or(c, "axis", 0), 4, &axis))
        return -1;
    return axis;
}

/* The roll of chunk operand r of the channel Concat: r = C[(i + *t) mod
 * L] along m->axis, C a channel Slice of the padded tensor.  Returns C's
 * Slice node or NULL. */
static Node *match_roll(const Rewriter *rw, Shift *m, Tensor *r, int64_t *t)
{
    Node *rc = r->producer;
    if (node_is(rc, &op_Slice)) { /* a chunk used as is: no roll */
        *t = 0;
        return rc;
    }
    int axis = concat_axis(rc);
    if (axis < 2 || rc->n_in > MAX_ROLL_PIECES || (m->axis && m->axis != axis))
        return NULL;
    m->axis = axis;
    Tensor *chunk = NULL;
    int64_t next = -1, total = 0;
    for (int i = 0; i < rc->n_in; i++) {
        Tensor *piece = rc->in[i];
        Node *s = producer_is(piece, &op_Slice);
        int64_t start = 0, len = piece->shape.dim[axis], cut;
        int sa;
        if (s && slice_one_axis(s, &sa, &cut) && sa == axis && rw_sole_reader(rw, piece) == rc) {
            start = cut;
            piece = s->in[0];
            take(m, s);
        }
        if (chunk && piece != chunk)
            return NULL;
        chunk = piece; /* the operand itself, or the tensor a Slice cuts */
        if (len == 0)
            continue;
        if (next >= 0 && start != next)
            return NULL;
        if (next < 0)
            *t = start;
        total += len;
        next = (start + len) % chunk->shape.dim[axis];
    }
    /* The pieces cover the axis once, in cyclic order; only the pieces
     * and the roll Concat read the chunk. */
    if (!chunk || total != chunk->shape.dim[axis] || rw_reader_count(rw, chunk) != rc->n_in ||
        chunk->is_output || !node_is(chunk->producer, &op_Slice))
        return NULL;
    take(m, rc);
    return chunk->producer;
}

/* The channel Concat bc and the chunks and rolls before it. */
static bool match_chunks(const Rewriter *rw, Shift *m, Node *bc)
{
    if (concat_axis(bc) != 1 || bc->n_in > SNT_SHIFT_MAX_CHUNKS)
        return false;
    take(m, bc);
    int64_t channel = 0;
    for (int k = 0; k < bc->n_in; k++) {
        Tensor *r = bc->in[k];
        int64_t start;
        int axis;
        if (rw_sole_reader(rw, r) != bc)
            return false;
        Node *s = match_roll(rw, m, r, &m->roll[k]);
        if (!s || !slice_one_axis(s, &axis, &start) || axis != 1 || start != channel)
            return false;
        if (m->padded && s->in[0] != m->padded)
            return false;
        m->padded = s->in[0];
        channel += s->out[0]->shape.dim[1];
        m->ends[k] = channel;
        take(m, s);
    }
    m->chunks = bc->n_in;
    return m->axis && m->padded && channel == m->padded->shape.dim[1] &&
           rw_reader_count(rw, m->padded) == bc->n_in && !m->padded->is_output;
}

/* Turns each roll into a zero-fill shift: s = -t mod L, within the
 * padding of the rolled axis. */
static bool rolls_to_shifts(Shift *m, const int64_t *begin, const int64_t *end)
{
    int64_t len = m->padded->shape.dim[m->axis];
    if (len <= 0)
        return false;
    for (int k = 0; k < m->chunks; k++) {
        int64_t s = (len - m->roll[k]) % len;
        if (s > begin[m->axis])
            s -= len;
        if (s > begin[m->axis] || s < -end[m->axis])
            return false;
        m->roll[k] = s;
    }
    return true;
}

/* The crop after the channel Concat: at most two one-axis Slices of the
 * spatial axes that remove exactly the padding.  Sets m->out to the
 * cropped image. */
static bool match_crop(const Rewriter *rw, Shift *m, Tensor *y, const Tensor *x,
                       const int64_t *begin)
{
    int64_t offset[4] = {0, 0, 0, 0};
    for (int i = 0; i < 2 && !shape_equal(&y->shape, &x->shape); i++) {
        Node *s = rw_sole_reader(rw, y);
        int axis;
        int64_t start;
        if (!s || !slice_one_axis(s, &axis, &start) || axis < 2)
            return false;
        offset[axis] += start;
        take(m, s);
        y = s->out[0];
    }
    m->out = y;
    return shape_equal(&y->shape, &x->shape) && offset[2] == begin[2] && offset[3] == begin[3];
}

static bool is_swap_last_two(const Node *t)
{
    int64_t perm[MAX_RANK];
    return node_is(t, &op_Transpose) && attr_ints(t, "perm", perm, MAX_RANK) == 3 &&
           perm[0] == 0 && perm[1] == 2 && perm[2] == 1;
}

/* Extends the image form to tokens when X = Reshape(Transpose{0,2,1}(
 * tokens)) and the output goes through Reshape then Transpose{0,2,1}
 * back to tokens of the same shape. */
static void extend_to_tokens(const Rewriter *rw, Shift *m)
{
    Node *rin = producer_is(m->in, &op_Reshape);
    Node *tin = rin ? producer_is(rin->in[0], &op_Transpose) : NULL;
    Node *rout = rw_sole_reader(rw, m->out);
    Node *tout = node_is(rout, &op_Reshape) ? rw_sole_reader(rw, rout->out[0]) : NULL;
    if (!is_swap_last_two(tin) || !is_swap_last_two(tout) || rw_sole_reader(rw, tin->out[0]) != rin)
        return;
    const Shape *x = &m->in->shape, *tok = &tin->in[0]->shape, *o = &rout->out[0]->shape;
    if (!shape_equal(tok, &tout->out[0]->shape) || o->rank != 3 || o->dim[0] != x->dim[0] ||
        o->dim[1] != x->dim[1] || o->dim[2] != x->dim[2] * x->dim[3])
        return;
    take(m, tin);
    take(m, rin);
    take(m, rout);
    take(m, tout);
    m->in = tin->in[0];
    m->out = tout->out[0];
    m->height = x->dim[2];
    m->width = x->dim[3];
}

/* Matches the whole pattern ending at channel Concat bc. */
static bool match_shift(const Rewriter *rw, Node *bc, Shift *m)
{
    int64_t begin[MAX_RANK], end[MAX_RANK];
    memset(m, 0, sizeof *m);
    if (!match_chunks(rw, m, bc))
        return false;
    Node *pad = m->padded->producer;
    if (!pad || !pad_zero_fill(pad, begin, end) || begin[0] || end[0] || begin[1] || end[1])
        return false;
    for (int i = 2; i < 4; i++)
        if (begin[i] < 0 || end[i] < 0)
            return false;
    m->in = pad->in[0];
    take(m, pad);
    if (m->in->dtype != DT_FLOAT || rw_sole_reader(rw, m->in) != pad ||
        !rolls_to_shifts(m, begin, end))
        return false;
    if (!match_crop(rw, m, bc->out[0], m->in, begin))
        return false;
    extend_to_tokens(rw, m);
    return true;
}

/* Replaces the matched nodes by one ShiftTokenize node placed where the
 * node producing the output was. */
static bool replace(Rewriter *rw, const Shift *m, Diag *d)
{
    Node *last = m->out->producer;
    Node *n = rw_add_node(rw, last, last->name, "ShiftTokenize", rw->g->opset);
    rw_add_input(rw, n, m->in);
    node_add_output(n, m->out);
    set_attr_int(n, "axis", m->axis);
    set_attr_ints(n, "chunk_ends", m->ends, m->chunks);
    set_attr_ints(n, "shifts", m->roll, m->chunks);
    if (m->height) {
        set_attr_int(n, "height", m->height);
        set_attr_int(n, "width", m->width);
    }
    for (int i = 0; i < m->count; i++)
        rw_remove(rw, m->nodes[i]);
    if (!n->op || !n->op->infer(n, d))
        return node_error(d, n, "fuse_shift_tokenize built an invalid node (internal error)");
    return true;
}

bool pass_fuse_shift_tokenize(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    Shift m;
    /* A match's nodes are removed when the pass ends: the walk skips the
     * ones it has yet to reach. */
    for (int i = 0; i < g->n_nodes; i++)
        if (!rw_is_removed(rw, g->nodes[i]) && match_shift(rw, g->nodes[i], &m) &&
            !replace(rw, &m, d))
            return false;
    return true;
}
