/*
 * remove_identity.c - Identity nodes disappear: their readers read the
 * input directly.
 *
 * Identities that copy a constant (M2SNet's aliases of shared weights)
 * were folded during inference; this pass removes the ones left at run
 * time.  An Identity whose output is a graph output is removed by
 * renaming its input's producer output instead (bypass_node); when that
 * is impossible too (the input is itself an input, a constant or another
 * graph output) the copy stays.  Dropout is not an op Sinter reads, so
 * it never reaches this pass.
 */
#include "passes/match.h"

#include <stdlib.h>

bool pass_remove_identity(Graph *g, Diag *d)
{
    (void)d;
    bool *keep = xmalloc((size_t)g->n_nodes + 1);
    for (int i = 0; i < g->n_nodes; i++)
        keep[i] = true;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (node_is(n, &op_Identity) && n->n_in == 1 && n->in[0])
            bypass_node(g, n, n->in[0], keep, i);
    }
    graph_remove_nodes(g, keep);
    free(keep);
    return true;
}
