/*
 * fuse_conv_epilogue.c - merges a Conv and the elementwise nodes after it
 * into one FusedConv, whose kernel applies them to each output channel
 * while it is still in cache:
 *
 *   Conv [-> BatchNormalization] [-> activation] [-> BatchNormalization]
 *        [-> Add(residual)]
 *
 * A BatchNormalization right after the Conv is folded into its weights
 * (as fold_batchnorm does); one after the activation becomes the
 * per-channel post_scale / post_shift (CMUNeXt's Conv -> GELU -> BN).
 * The activation is Relu, LeakyRelu, Clip with constant bounds, Sigmoid,
 * Tanh, Gelu, HardSigmoid, HardSwish, or x times a HardSigmoid or a
 * Sigmoid of x (HardSwish, SiLU: two nodes).  The residual is the other
 * operand of an Add of the same shape and dtype (no broadcasting).  Each
 * absorbed intermediate must have one reader and not be a graph output;
 * everything is float32.  A Conv with nothing to absorb stays a Conv.
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    Node *conv;
    Node *nodes[4];      /* activation (one or two nodes), BN, Add: the ones absorbed */
    int count;
    snt_act act;
    Tensor *post_scale, *post_shift, *residual;
    Tensor *y;           /* the result so far */
} Epilogue;

static void take(Epilogue *ep, Node *n)
{
    ep->nodes[ep->count++] = n;
    ep->y = n->out[0];
}

static void match_activation(const Rewriter *rw, Epilogue *ep)
{
    Node *r = rw_sole_reader(rw, ep->y);
    snt_act act;
    if (r && r->in[0] == ep->y && act_of_node(r, &act) &&
        is_f32(r->out[0])) {
        ep->act = act;
        take(ep, r);
    }
}

/*
 * x * gate(x), with the gate HardSigmoid (HardSwish, as torch exports it
 * before opset 14) or Sigmoid (SiLU): ep->y read by exactly the gate and
 * a Mul of it with the gate's result, which only that Mul reads.
 */
static void match_gated_activation(const Rewriter *rw, Epilogue *ep)
{
    Node *readers[3];
    if (rw_readers(rw, ep->y, readers, 3) != 2 || ep->y->is_output)
        return;
    for (int i = 0; i < 2; i++) {
        Node *gate = readers[i], *mul = readers[1 - i];
        snt_act act;
        bool hard = rw_node_is(rw, gate, &op_HardSigmoid);
        if (!(hard || rw_node_is(rw, gate, &op_Sigmoid)) || gate->in[0] != ep->y ||
            !act_of_node(gate, &act) || rw_sole_reader(rw, gate->out[0]) != mul ||
            !rw_node_is(rw, mul, &op_Mul) || other_operand(mul, ep->y) != gate->out[0] ||
            !shape_equal(&mul->out[0]->shape, &ep->y->shape) || !is_f32(mul->out[0]))
            continue;
        act.kind = hard ? SNT_ACT_HARD_SWISH : SNT_ACT_SILU;
        ep->act = act;
        take(ep, gate);
        take(ep, mul);
        return;
    }
}

/* A BN after the activation as constants post_scale and post_shift. */
static void match_post_affine(Rewriter *rw, Epilogue *ep)
{
    Node *bn = rw_sole_reader(rw, ep->y);
    float *scale, *shift;
    if (!rw_node_is(rw, bn, &op_BatchNormalization) || bn->in[0] != ep->y ||
        !bn_affine(bn, &scale, &shift))
        return;
    Shape s = {.rank = 1, .dim = {ep->y->shape.dim[1]}};
    ep->post_scale = fusion_const_f32(rw->g, "post_scale", &s, scale);
    ep->post_shift = fusion_const_f32(rw->g, "post_shift", &s, shift);
    free(scale);
    free(shift);
    take(ep, bn);
}

static void match_residual(const Rewriter *rw, Epilogue *ep)
{
    Node *add = rw_sole_reader(rw, ep->y);
    Tensor *r = rw_node_is(rw, add, &op_Add) ? other_operand(add, ep->y) : NULL;
    if (r && r->dtype == ep->y->dtype && shape_equal(&r->shape, &ep->y->shape) &&
        shape_equal(&add->out[0]->shape, &ep->y->shape)) {
        ep->residual = r;
        take(ep, add);
    }
}

static bool replace_by_fused_conv(Rewriter *rw, Epilogue *ep, Diag *d)
{
    Node *conv = ep->conv;
    Node *fused = rw_add_node(rw, ep->y->producer, NULL, "FusedConv", conv->opset);
    Tensor *ins[6] = {conv->in[0], conv->in[1], conv->n_in > 2 ? conv->in[2] : NULL,
                      ep->post_scale, ep->post_shift, ep->residual};
    int n_in = 6;
    while (!ins[n_in - 1])
        n_in--;  /* trailing omitted inputs are left out, as ONNX does */
    for (int i = 0; i < n_in; i++)
        rw_add_input(rw, fused, ins[i]);
    copy_attrs(fused, conv);
    fused_act_set(fused, &ep->act);
    rw_remove(rw, conv);
    for (int i = 0; i < ep->count; i++)
        rw_remove(rw, ep->nodes[i]);
    return rw_finish_node(fused, ep->y, d);
}

/* Only plain float32 Conv nodes with their one output. */
static bool is_fusable_conv(const Rewriter *rw, const Node *n)
{
    return rw_node_is(rw, n, &op_Conv) && is_f32(n->in[0]) && is_f32(n->out[0]) &&
           n->out[0]->shape.rank >= 3;
}

bool pass_fuse_conv_epilogue(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *conv = g->nodes[i];
        if (!is_fusable_conv(rw, conv))
            continue;
        Node *bn = rw_sole_reader(rw, conv->out[0]);
        if (bn)
            fold_bn_into_conv(rw, conv, bn);
        Epilogue ep = {.conv = conv, .act = {.kind = SNT_ACT_NONE}, .y = conv->out[0]};
        match_activation(rw, &ep);
        if (ep.count == 0)
            match_gated_activation(rw, &ep);
        match_post_affine(rw, &ep);
        match_residual(rw, &ep);
        if (ep.count > 0)
            ok = replace_by_fused_conv(rw, &ep, d);
    }
    return ok;
}
