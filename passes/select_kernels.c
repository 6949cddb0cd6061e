/*
 * select_kernels.c - each Conv and Linear gets the target's micro-kernel
 * variant (ir/target.c), named by its `ukernel` attribute, and constant
 * weights are packed at compile time into that variant's panels, so that
 * no constant operand is packed at run time.
 *
 *  - A float32 depthwise Conv or FusedConv becomes a FusedConv on the
 *    f32-dwconv variant.
 *  - A float32 Conv or FusedConv with constant weights and few taps per
 *    output (snt_conv2d_thin_applies: an image network's stem) becomes a
 *    FusedConv on the f32-conv-thin variant, input 6 holding W as
 *    snt_conv2d_thin_pack_weights lays it out.
 *  - Every other float32 Conv or FusedConv with constant weights becomes
 *    a FusedConv whose input 6 holds W as snt_conv2d_pack_weights lays it
 *    out for the f32-gemm variant (A panels); or, where passes/winograd.c
 *    chose `algorithm` "winograd", W transformed for Winograd's
 *    F(4x4, 3x3) (snt_conv2d_winograd_pack_weights).
 *  - Every Linear and ShiftLinear with a constant W gets, as input 3, W
 *    as B panels (snt_f32_gemm_pack_b).
 *
 * W itself stays input 1, for shapes and cost; where the kernel reads the
 * packed copy the generated code no longer reads W, so it is not emitted.
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

enum { CONV_PACKED = 6, LINEAR_PACKED = 3 };

/* A float32 Conv / FusedConv with no kernel chosen yet: *cp a copy of
 * the kernel parameters its infer kept (select_conv replaces the node). */
static bool selectable_conv(const Rewriter *rw, const Node *n, snt_conv2d_params *cp)
{
    if (!(rw_node_is(rw, n, &op_Conv) || rw_node_is(rw, n, &op_FusedConv)) ||
        n->n_in > CONV_PACKED || attr_string_or(n, "ukernel", NULL) || !is_f32(n->in[0]) ||
        !is_f32(n->in[1]) || !is_f32(n->out[0]))
        return false;
    *cp = *conv_node_params(n);
    return cp->k > 0 && cp->c > 0;
}

/* The Conv as a FusedConv with no epilogue, in its place. */
static Node *as_fused_conv(Rewriter *rw, Node *conv)
{
    Node *fused = rw_add_node(rw, conv, NULL, "FusedConv", conv->opset);
    for (int i = 0; i < conv->n_in; i++)
        rw_add_input(rw, fused, conv->in[i]);
    copy_attrs(fused, conv);
    rw_remove(rw, conv);
    return fused;
}

/* How a family packs a convolution's W for a tile of mr rows: its size
 * in floats, and the packing. */
typedef struct {
    size_t (*floats)(const snt_conv2d_params *p, unsigned mr);
    void (*pack)(const snt_conv2d_params *p, unsigned mr, const float *w, float *dst);
} ConvPacking;

/* f32-gemm's A panels, and f32-conv-thin's blocks of output channels. */
static const ConvPacking gemm_panels = {snt_conv2d_packed_weights_floats,
                                        snt_conv2d_pack_weights};
static const ConvPacking thin_blocks = {snt_conv2d_thin_packed_floats,
                                        snt_conv2d_thin_pack_weights};

/* W of the FusedConv n packed for v as `how` lays it out. */
static void pack_conv(Rewriter *rw, Node *n, const snt_conv2d_params *cp, const Variant *v,
                      const ConvPacking *how)
{
    size_t floats = how->floats(cp, v->mr);
    float *packed = xmalloc(floats * sizeof *packed);
    how->pack(cp, v->mr, n->in[1]->data, packed);
    add_packed(rw, n, CONV_PACKED, packed, floats, v);
    free(packed);
}

/* W of the FusedConv n transformed for Winograd and packed for v. */
static void pack_winograd(Rewriter *rw, Node *n, const snt_conv2d_params *cp, const Variant *v)
{
    size_t floats = snt_conv2d_winograd_weights_floats(cp, v->mr);
    float *packed = xmalloc(floats * sizeof *packed);
    float *work = xmalloc(36 * cp->k * cp->c / cp->groups * sizeof *work);
    snt_conv2d_winograd_pack_weights(cp, v->mr, n->in[1]->data, packed, work);
    add_packed(rw, n, CONV_PACKED, packed, floats, v);
    free(work);
    free(packed);
}

/* A float32 Linear (or a ShiftLinear, a Linear reading shifted tokens)
 * with a constant W [k, n], not yet packed. */
static bool packable_linear(const Rewriter *rw, const Node *n)
{
    return (rw_node_is(rw, n, &op_Linear) || rw_node_is(rw, n, &op_ShiftLinear)) &&
           n->n_in <= LINEAR_PACKED && is_f32(n->in[0]) &&
           is_f32(n->in[1]) && tensor_is_const(n->in[1]) && n->in[1]->shape.rank == 2 &&
           is_f32(n->out[0]);
}

/* W of the Linear n as B panels for v. */
static bool pack_linear(Rewriter *rw, Node *n, const Variant *v, Diag *d)
{
    size_t k = (size_t)n->in[1]->shape.dim[0], cols = (size_t)n->in[1]->shape.dim[1];
    size_t floats = snt_f32_gemm_packed_b_floats(k, cols, v->nr);
    float *packed = xmalloc((floats ? floats : 1) * sizeof *packed);
    snt_f32_gemm_pack_b(k, cols, v->nr, n->in[1]->data, (ptrdiff_t)cols, 1, packed);
    add_packed(rw, n, LINEAR_PACKED, packed, floats, v);
    free(packed);
    return n->op->infer(n, d);
}

/*
 * The Conv or FusedConv n as a FusedConv on the target's variant: the
 * f32-dwconv one when depthwise, else with W constant the f32-conv-thin
 * one when it applies, or the f32-gemm one, with W packed.  Others are
 * left as they are.
 */
static bool select_conv(Rewriter *rw, Node *n, const snt_conv2d_params *cp, const Target *t,
                        Diag *d)
{
    const Variant *dw = target_variant(t, FAMILY_F32_DWCONV);
    const Variant *gemm = target_variant(t, FAMILY_F32_GEMM);
    const Variant *thin = target_variant(t, FAMILY_F32_CONV_THIN);
    bool depthwise = conv_is_depthwise(cp);
    bool winograd = strcmp(attr_string_or(n, "algorithm", ""), "winograd") == 0;
    if (depthwise ? !dw : (!gemm || !tensor_is_const(n->in[1])))
        return true;
    Tensor *y = n->out[0];
    rw_mark_changed(rw); /* a FusedConv may only get its `ukernel` */
    Node *fused = rw_node_is(rw, n, &op_Conv) ? as_fused_conv(rw, n) : n;
    if (depthwise)
        set_ukernel(fused, dw);
    else if (winograd)
        pack_winograd(rw, fused, cp, gemm);
    else if (thin && snt_conv2d_thin_applies(cp))
        pack_conv(rw, fused, cp, thin, &thin_blocks);
    else
        pack_conv(rw, fused, cp, gemm, &gemm_panels);
    return fused != n ? rw_finish_node(fused, y, d) : n->op->infer(n, d);
}

bool pass_select_kernels(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    const Variant *gemm = target_variant(g->target, FAMILY_F32_GEMM);
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        snt_conv2d_params cp;
        if (selectable_conv(rw, n, &cp))
            ok = select_conv(rw, n, &cp, g->target, d);
        else if (gemm && packable_linear(rw, n))
            ok = pack_linear(rw, n, gemm, d);
    }
    return ok;
}
