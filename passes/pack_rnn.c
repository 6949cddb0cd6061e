/*
 * pack_rnn.c - each float32 RNN, GRU and LSTM whose weights W, R and B
 * are constant gets them packed at compile time for the target's f32-gemm
 * variant (snt_rnn_pack_f32: W^T as B panels, R^T as the panels of the
 * steps' matrix-vector products, the biases folded), as one more input
 * after the op's own, with the variant as its `ukernel`.  Its code then
 * calls snt_rnn_gemm_f32 and no longer reads W, R and B, so they are not
 * emitted.  A layer whose weights are computed at run time keeps
 * snt_rnn_f32, which lays out R^T in its scratch on every call.
 */
#include "passes/match.h"

#include <stdlib.h>

/* A float32 layer, not yet packed, whose W, R and B (when given) are
 * constant: *p its kernel parameters. */
static bool packable_rnn(const Node *n, snt_rnn_params *p)
{
    if (!node_is(n, &op_RNN) && !node_is(n, &op_GRU) && !node_is(n, &op_LSTM))
        return false;
    const Tensor *b = n->n_in > 3 ? n->in[3] : NULL;
    if (n->n_in > rnn_packed_slot(n) || !is_f32(n->in[0]) || !tensor_is_const(n->in[1]) ||
        !tensor_is_const(n->in[2]) || (b && !tensor_is_const(b)))
        return false;
    bool ok = rnn_params(n, p, NULL);
    return ok;
}

/* n's weights packed for v. */
static bool pack_rnn(Rewriter *rw, Node *n, const snt_rnn_params *p, const Variant *v, Diag *d)
{
    const Tensor *b = n->n_in > 3 ? n->in[3] : NULL;
    size_t floats = snt_rnn_packed_floats(p, v->nr);
    float *packed = xmalloc(floats * sizeof *packed);
    snt_rnn_pack_f32(p, v->nr, n->in[1]->data, n->in[2]->data, b ? b->data : NULL, packed);
    add_packed(rw, n, rnn_packed_slot(n), packed, floats, v);
    free(packed);
    return n->op->infer(n, d);
}

bool pass_pack_rnn(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    const Variant *gemm = target_variant(g->target, FAMILY_F32_GEMM);
    bool ok = true;
    for (int i = 0; ok && gemm && i < g->n_nodes; i++) {
        snt_rnn_params p;
        if (packable_rnn(g->nodes[i], &p))
            ok = pack_rnn(rw, g->nodes[i], &p, gemm, d);
    }
    return ok;
}
