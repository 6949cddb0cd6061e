/*
 * remove_identity.c - Identity nodes disappear: their readers read the
 * input directly.
 *
 * Identities that copy a constant (M2SNet's aliases of shared weights)
 * were folded during inference; this pass removes the ones left at run
 * time.  An Identity whose output is a graph output is removed by
 * renaming its input's producer output instead (rw_bypass); when that
 * is impossible too (the input is itself an input, a constant or another
 * graph output) the copy stays.  Dropout is not an op Sinter reads, so
 * it never reaches this pass.
 */
#include "passes/match.h"

bool pass_remove_identity(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    (void)d;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (node_is(n, &op_Identity) && n->n_in == 1 && n->in[0])
            rw_bypass(rw, n, n->in[0]);
    }
    return true;
}
