/*
 * fuse_shift_linear.c - folds a ShiftTokenize into the Linear that reads
 * it (UNeXt's shifted MLP: shift -> fc), as one ShiftLinear node whose
 * kernel reads the fc's input through the shift, so the shifted tokens
 * are never stored:
 *
 *   ShiftTokenize(tokens [N, H*W, C]) -> Linear   =>   ShiftLinear
 *
 * The shifted tensor must be read by the Linear's X alone and not be a
 * graph output; the image form of ShiftTokenize ([N, C, H, W]) stays, as
 * the Linear's rows are not its pixels there.
 */
#include "passes/match.h"

/* The shift attributes ShiftLinear shares with ShiftTokenize. */
static const char *const shift_int_attrs[] = {"axis", "height", "width"};
static const char *const shift_ints_attrs[] = {"chunk_ends", "shifts"};

static void copy_shift_attrs(Node *to, const Node *from)
{
    int64_t v[SNT_SHIFT_MAX_CHUNKS];
    for (size_t i = 0; i < sizeof shift_int_attrs / sizeof *shift_int_attrs; i++)
        set_attr_int(to, shift_int_attrs[i], attr_int_or(from, shift_int_attrs[i], 0));
    for (size_t i = 0; i < sizeof shift_ints_attrs / sizeof *shift_ints_attrs; i++) {
        int count = attr_ints(from, shift_ints_attrs[i], v, SNT_SHIFT_MAX_CHUNKS);
        set_attr_ints(to, shift_ints_attrs[i], v, count > 0 ? count : 0);
    }
}

/* The Linear reading st's shifted tokens as its X and nothing else. */
static Node *linear_after_shift(const Rewriter *rw, const Node *st)
{
    if (!rw_node_is(rw, st, &op_ShiftTokenize) || st->in[0]->shape.rank != 3)
        return NULL;
    Node *lin = rw_sole_reader(rw, st->out[0]);
    return rw_node_is(rw, lin, &op_Linear) && lin->in[0] == st->out[0] ? lin : NULL;
}

static bool replace_by_shift_linear(Rewriter *rw, Node *st, Node *lin, Diag *d)
{
    snt_act act;
    if (!fused_act_get(lin, &act, d))
        return false;
    Node *sl = rw_add_node(rw, lin, NULL, "ShiftLinear", lin->opset);
    rw_add_input(rw, sl, st->in[0]);
    for (int i = 1; i < lin->n_in; i++)
        rw_add_input(rw, sl, lin->in[i]);
    copy_shift_attrs(sl, st);
    fused_act_set(sl, &act);
    rw_remove(rw, st);
    rw_remove(rw, lin);
    return rw_finish_node(sl, lin->out[0], d);
}

bool pass_fuse_shift_linear(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *st = g->nodes[i], *lin = linear_after_shift(rw, st);
        if (lin)
            ok = replace_by_shift_linear(rw, st, lin, d);
    }
    return ok;
}
