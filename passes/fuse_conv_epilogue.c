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

static void match_activation(const Fusion *f, Epilogue *ep)
{
    Node *r = fusion_sole_reader(f, ep->y);
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
static void match_gated_activation(const Fusion *f, Epilogue *ep)
{
    Node *readers[3];
    if (fusion_readers(f, ep->y, readers, 3) != 2 || ep->y->is_output)
        return;
    for (int i = 0; i < 2; i++) {
        Node *gate = readers[i], *mul = readers[1 - i];
        snt_act act;
        bool hard = fusion_node_is(f, gate, &op_HardSigmoid);
        if (!(hard || fusion_node_is(f, gate, &op_Sigmoid)) || gate->in[0] != ep->y ||
            !act_of_node(gate, &act) || fusion_sole_reader(f, gate->out[0]) != mul ||
            !fusion_node_is(f, mul, &op_Mul) || other_operand(mul, ep->y) != gate->out[0] ||
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
static void match_post_affine(Fusion *f, Epilogue *ep)
{
    Node *bn = fusion_sole_reader(f, ep->y);
    float *scale, *shift;
    if (!fusion_node_is(f, bn, &op_BatchNormalization) || bn->in[0] != ep->y ||
        !bn_affine(bn, &scale, &shift))
        return;
    Shape s = {.rank = 1, .dim = {ep->y->shape.dim[1]}};
    ep->post_scale = fusion_const_f32(f->g, "post_scale", &s, scale);
    ep->post_shift = fusion_const_f32(f->g, "post_shift", &s, shift);
    free(scale);
    free(shift);
    take(ep, bn);
}

static void match_residual(const Fusion *f, Epilogue *ep)
{
    Node *add = fusion_sole_reader(f, ep->y);
    Tensor *r = fusion_node_is(f, add, &op_Add) ? other_operand(add, ep->y) : NULL;
    if (r && r->dtype == ep->y->dtype && shape_equal(&r->shape, &ep->y->shape) &&
        shape_equal(&add->out[0]->shape, &ep->y->shape)) {
        ep->residual = r;
        take(ep, add);
    }
}

static bool replace_by_fused_conv(Fusion *f, Epilogue *ep, Diag *d)
{
    Node *conv = ep->conv;
    Node *fused = fusion_add_node(f, ep->y->producer, "FusedConv", conv->opset);
    Tensor *ins[6] = {conv->in[0], conv->in[1], conv->n_in > 2 ? conv->in[2] : NULL,
                      ep->post_scale, ep->post_shift, ep->residual};
    int n_in = 6;
    while (!ins[n_in - 1])
        n_in--;  /* trailing omitted inputs are left out, as ONNX does */
    for (int i = 0; i < n_in; i++)
        node_add_input(fused, ins[i]);
    copy_attrs(fused, conv);
    fused_act_set(fused, &ep->act);
    fusion_absorb(f, conv);
    for (int i = 0; i < ep->count; i++)
        fusion_absorb(f, ep->nodes[i]);
    return fusion_finish_node(fused, ep->y, d);
}

/* Only plain float32 Conv nodes with their one output. */
static bool is_fusable_conv(const Fusion *f, const Node *n)
{
    return fusion_node_is(f, n, &op_Conv) && is_f32(n->in[0]) && is_f32(n->out[0]) &&
           n->out[0]->shape.rank >= 3;
}

bool pass_fuse_conv_epilogue(Graph *g, Diag *d)
{
    Fusion f;
    bool ok = true;
    fusion_begin(&f, g);
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *conv = g->nodes[i];
        if (!is_fusable_conv(&f, conv))
            continue;
        Node *bn = fusion_sole_reader(&f, conv->out[0]);
        if (bn)
            fold_bn_into_conv(&f, conv, bn);
        Epilogue ep = {.conv = conv, .act = {.kind = SNT_ACT_NONE}, .y = conv->out[0]};
        match_activation(&f, &ep);
        if (ep.count == 0)
            match_gated_activation(&f, &ep);
        match_post_affine(&f, &ep);
        match_residual(&f, &ep);
        if (ep.count > 0)
            ok = replace_by_fused_conv(&f, &ep, d);
    }
    fusion_end(&f);
    return ok;
}
