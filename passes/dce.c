/*
 * dce.c - dead-code elimination.
 *
 * A node is dead when none of its outputs is needed at run time: each is
 * either a compile-time constant (folded during inference) or read by no
 * live node and no graph output.  One backward sweep over the execution
 * order finds them all, since a node's readers all come after it.
 */
#include "passes/rewriter.h"

#include <stdlib.h>

bool pass_dce(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    (void)d;
    bool *needed = xcalloc((size_t)g->n_tensors, sizeof *needed);
    for (int i = 0; i < g->n_outputs; i++)
        needed[g->outputs[i]->id] = true;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        Node *n = g->nodes[i];
        bool keep = false;
        for (int j = 0; j < n->n_out && !keep; j++)
            keep = needed[n->out[j]->id] && !n->out[j]->data;
        for (int j = 0; keep && j < n->n_in; j++)
            if (n->in[j])
                needed[n->in[j]->id] = true;
        if (!keep)
            rw_remove(rw, n);
    }
    free(needed);
    return true;
}
