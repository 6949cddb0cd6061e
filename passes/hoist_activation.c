/*
 * hoist_activation.c - an activation that reads a Conv's output through
 * Reshape and Transpose nodes moves in front of them, next to the Conv,
 * so that the Conv's fused epilogue applies it (fuse_conv_epilogue)
 * while the output is in cache, instead of a pass of its own:
 *
 *   Conv -> Reshape -> Transpose -> Gelu
 *       becomes    Conv -> Gelu -> Reshape -> Transpose
 *
 * (UNeXt's tokenized MLP: a depthwise convolution on the token grid,
 * flattened and transposed back to tokens, then GELU).  Exact for every
 * activation: it maps each element on its own, and Reshape and
 * Transpose only regroup elements.  Each tensor of the chain must have
 * one reader and not be a graph output; chains that do not start at a
 * Conv are left alone, since there the move gains nothing.
 */
#include "passes/match.h"

/* Reshape or Transpose with one output. */
static bool is_movement(const Node *n)
{
    return n && (node_is(n, &op_Reshape) || node_is(n, &op_Transpose)) && n->n_out == 1;
}

/* The movement node directly before `reader` in a chain that starts at
 * a Conv: its output read by `reader` alone, and it by the next movement
 * node or the Conv's output by it alone; NULL when there is none. */
static Node *movement_before(const Rewriter *rw, const Node *reader)
{
    Node *m = reader->in[0]->producer;
    if (!is_movement(m) || rw_sole_reader(rw, m->out[0]) != reader)
        return NULL;
    for (const Node *k = m; is_movement(k); k = k->in[0]->producer) {
        const Node *up = k->in[0]->producer;
        if (!up || rw_sole_reader(rw, k->in[0]) != k)
            return NULL;
        if (node_is(up, &op_Conv))
            return m;
    }
    return NULL;
}

bool pass_hoist_activation(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *act = g->nodes[i], *m;
        snt_act kind;
        if (!act_of_node(act, &kind))
            continue;
        while ((m = movement_before(rw, act)))
            if (!rw_swap_with_reader(rw, m, act, d))
                return false;
    }
    return true;
}
