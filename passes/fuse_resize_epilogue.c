/*
 * fuse_resize_epilogue.c - merges a Resize and the elementwise nodes
 * after it into one FusedResize, whose kernel finishes each output row
 * while it is still in cache:
 *
 *   Resize [-> activation] [-> Add(residual)]
 *
 * UNeXt's decoder upsamples, applies a Relu and adds the encoder's skip
 * tensor at every level; as three nodes that is three passes over the
 * largest tensors of the network.  The Resize is float32 and of opset
 * 11 or later (its inputs are then X, roi, scales, sizes); the
 * activation is one act_of_node knows; the residual is the other operand
 * of an Add of the same shape and dtype (no broadcasting).  Each absorbed
 * intermediate has one reader and is not a graph output.  A Resize with
 * nothing to absorb stays a Resize.
 */
#include "passes/match.h"

/* Resize's inputs in the FusedResize: X, roi, scales, sizes. */
enum { RESIZE_INPUTS = 4 };

static bool is_fusable_resize(const Rewriter *rw, const Node *n)
{
    return rw_node_is(rw, n, &op_Resize) && n->opset >= 11 && is_f32(n->in[0]) &&
           is_f32(n->out[0]);
}

/* The FusedResize of resize, act and residual (either may be absent),
 * in place of the last absorbed node, whose output y it computes. */
static bool replace_by_fused_resize(Rewriter *rw, Node *resize, Node *act_node, const snt_act *act,
                                    Node *add, Tensor *residual, Diag *d)
{
    Node *last = add ? add : act_node;
    Tensor *y = last->out[0];
    Node *fused = rw_add_node(rw, last, NULL, "FusedResize", resize->opset);
    for (int i = 0; i < RESIZE_INPUTS; i++)
        rw_add_input(rw, fused, i < resize->n_in ? resize->in[i] : NULL);
    if (residual)
        rw_add_input(rw, fused, residual);
    copy_attrs(fused, resize);
    fused_act_set(fused, act);
    rw_remove(rw, resize);
    if (act_node)
        rw_remove(rw, act_node);
    if (add)
        rw_remove(rw, add);
    return rw_finish_node(fused, y, d);
}

bool pass_fuse_resize_epilogue(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *resize = g->nodes[i];
        if (!is_fusable_resize(rw, resize))
            continue;
        snt_act act = {.kind = SNT_ACT_NONE};
        Node *act_node = fusion_activation_after(rw, resize->out[0], &act);
        Tensor *residual = NULL;
        Node *add = fusion_residual_add_after(rw, act_node ? act_node->out[0] : resize->out[0],
                                              &residual);
        if (act_node || add)
            ok = replace_by_fused_resize(rw, resize, act_node, &act, add, residual, d);
    }
    return ok;
}
