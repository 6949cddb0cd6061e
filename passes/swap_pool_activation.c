/*
 * swap_pool_activation.c - an activation after a MaxPool moves in front
 * of it when a Conv computes the pool's input, so that the Conv's fused
 * epilogue applies it (fuse_conv_epilogue) instead of a pass of its own:
 *
 *   Conv -> MaxPool -> Relu    becomes    Conv -> Relu -> MaxPool
 *
 * (UNeXt's encoder: relu(max_pool2d(bn(conv(x))))).  Exact for every
 * activation that never decreases (Relu, LeakyRelu with alpha >= 0,
 * Clip, Sigmoid, Tanh): the largest of f(x_i) is f(largest x_i), and a
 * NaN, which MaxPool skips, stays NaN under f.  Gelu dips below zero and
 * is left alone.
 */
#include "passes/match.h"

/* Activations f with a <= b  =>  f(a) <= f(b). */
static bool never_decreases(const Node *n)
{
    snt_act act;
    if (!act_of_node(n, &act))
        return false;
    switch (act.kind) {
    case SNT_ACT_RELU:
    case SNT_ACT_CLIP:
    case SNT_ACT_SIGMOID:
    case SNT_ACT_TANH:
        return true;
    case SNT_ACT_LEAKY_RELU:
        return act.alpha >= 0.0f;
    default:
        return false;
    }
}

/* MaxPool p (at index i) whose input comes from a Conv read by p alone,
 * and whose one output is read only by a non-decreasing activation. */
static Node *swappable(const Rewriter *rw, const Node *p)
{
    if (!node_is(p, &op_MaxPool) || p->n_out != 1 || !p->in[0]->producer ||
        !node_is(p->in[0]->producer, &op_Conv) || rw_sole_reader(rw, p->in[0]) != p)
        return NULL;
    Node *act = rw_sole_reader(rw, p->out[0]);
    return act && act->in[0] == p->out[0] && act->n_out == 1 && never_decreases(act) &&
                   act->out[0]->dtype == p->in[0]->dtype
               ? act
               : NULL;
}

bool pass_swap_pool_activation(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *pool = g->nodes[i], *act = swappable(rw, pool);
        if (act && !rw_swap_with_reader(rw, pool, act, d))
            return false;
    }
    return true;
}
