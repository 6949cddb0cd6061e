/*
 * winograd.c - the 3x3 convolutions of stride 1 where Winograd's
 * F(4x4, 3x3) pays get `algorithm` = "winograd": a quarter of the
 * multiplications, the same result up to rounding
 * (runtime/src/conv2d_winograd.c).  select_kernels then packs their
 * weights transformed for it; this pass only decides.
 *
 * It pays (measured on the seed models' layer shapes: 1.1x to 2.2x
 * faster than the direct product on the same micro-kernel; below these
 * it is as fast or slower) where:
 *  - a group has at least 16 input and 16 output channels: the 36
 *    products are only C deep, the input transform costs the same per
 *    input channel whatever K is, the output transform the same per
 *    output channel whatever C is;
 *  - the image has at least half a panel of nr 4x4 tiles for the
 *    target's f32-gemm micro-kernel, whose columns are the tiles.
 * Only float32 convolutions with constant weights, on a target with an
 * f32-gemm variant.  `sinter compile --skip winograd` turns it off.
 */
#include "passes/match.h"

#include <string.h>

#define MIN_GROUP_INPUTS 16
#define MIN_GROUP_OUTPUTS 16

static bool winograd_pays(const snt_conv2d_params *cp, const Variant *v)
{
    size_t tiles = ((cp->oh + 3) / 4) * ((cp->ow + 3) / 4);
    return snt_conv2d_winograd_applies(cp) && cp->c / cp->groups >= MIN_GROUP_INPUTS &&
           cp->k / cp->groups >= MIN_GROUP_OUTPUTS && 2 * tiles >= v->nr;
}

/* A float32 Conv or FusedConv with constant weights, no kernel chosen
 * yet: *cp the parameters its infer kept. */
static bool candidate(const Node *n, snt_conv2d_params *cp)
{
    if (!(node_is(n, &op_Conv) || node_is(n, &op_FusedConv)) || attr_string_or(n, "ukernel", NULL) ||
        attr_string_or(n, "algorithm", NULL) || !is_f32(n->in[0]) || !is_f32(n->in[1]) ||
        !tensor_is_const(n->in[1]) || !is_f32(n->out[0]))
        return false;
    *cp = *conv_node_params(n);
    return true;
}

bool pass_winograd(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    const Variant *gemm = target_variant(g->target, FAMILY_F32_GEMM);
    (void)d;
    for (int i = 0; gemm && i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        snt_conv2d_params cp;
        if (candidate(n, &cp) && winograd_pays(&cp, gemm)) {
            Attr *a = node_add_attr(n, "algorithm", ATTR_STRING);
            a->s = xstrdup("winograd");
            rw_mark_changed(rw);
        }
    }
    return true;
}
