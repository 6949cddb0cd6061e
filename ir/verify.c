/*
 * verify.c - structural invariants that every pass must preserve.
 *
 * After inference and after each pass: nodes are in a valid execution
 * order, every tensor read is available when read, each tensor has one
 * producer, and every graph output is computed or constant.
 */
#include "ir/ir.h"

#include <stdlib.h>

static bool available(const Tensor *t, const bool *produced)
{
    return t->data || t->is_input || produced[t->id];
}

bool graph_verify(const Graph *g, Diag *d)
{
    bool ok = true;
    bool *produced = xcalloc((size_t)g->n_tensors, sizeof *produced);
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] && !available(n->in[j], produced))
                ok = diag_error(d, "verify: node '%s' (%s) reads '%s' before it is computed",
                                n->name, n->op_type, n->in[j]->name);
        for (int j = 0; j < n->n_out; j++) {
            const Tensor *t = n->out[j];
            if (produced[t->id] || t->producer != n)
                ok = diag_error(d, "verify: tensor '%s' has more than one producer", t->name);
            if (!t->shape_known)
                ok = diag_error(d, "verify: tensor '%s' has no static shape", t->name);
            produced[t->id] = true;
        }
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (!available(g->outputs[i], produced))
            ok = diag_error(d, "verify: graph output '%s' is never computed", g->outputs[i]->name);
    free(produced);
    return ok;
}
