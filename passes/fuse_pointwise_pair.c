/*
 * fuse_pointwise_pair.c - a 1x1 convolution whose output only another
 * 1x1 convolution reads becomes, with it, one PointwisePair
 * (ir/ops/pointwise_pair.c): the intermediate tensor is made block by
 * block in cache and never stored.  An inverted bottleneck's expand and
 * project (CMUNeXt's C -> 4C -> C, GELU and BatchNorm after each) are
 * bound by writing and reading that tensor, four times the size of the
 * block's input, at large image sizes.
 *
 * Both must be float32 FusedConvs of a 2-D image with kernel 1x1, stride
 * 1, no padding and one group, on the same f32-gemm variant with packed
 * weights (select_kernels runs first); the first one without a residual.
 * The epilogues stay each where it was.
 */
#include "passes/match.h"
#include "ir/ops/ops.h"

#include <string.h>

enum { CONV_BIAS = 2, CONV_SCALE = 3, CONV_SHIFT = 4, CONV_RESIDUAL = 5, CONV_PACKED = 6 };

/* A FusedConv 1x1 of stride 1, no padding, one group, on 2-D images,
 * running on an f32-gemm variant with packed weights. */
static bool pointwise_on_gemm(const Rewriter *rw, const Node *n)
{
    if (!rw_node_is(rw, n, &op_FusedConv) || !node_input(n, CONV_PACKED) ||
        attr_string_or(n, "algorithm", NULL) || !is_f32(n->in[0]) || n->in[0]->shape.rank != 4)
        return false;
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    if (!(v && v->family == FAMILY_F32_GEMM))
        return false;
    const snt_conv2d_params *cp = conv_node_params(n);
    return cp->kh == 1 && cp->kw == 1 && cp->sh == 1 && cp->sw == 1 && cp->pt == 0 &&
           cp->pl == 0 && cp->oh == cp->h && cp->ow == cp->w && cp->groups == 1 && cp->c > 0 &&
           cp->k > 0;
}

/* The PointwisePair of first and second, in second's place. */
static bool fuse(Rewriter *rw, Node *first, Node *second, Diag *d)
{
    Node *pair = rw_add_node(rw, second, NULL, "PointwisePair", second->opset);
    Tensor *ins[] = {
        first->in[0],  first->in[1],  node_input(first, CONV_BIAS),
        node_input(first, CONV_SCALE), node_input(first, CONV_SHIFT),
        second->in[1], node_input(second, CONV_BIAS), node_input(second, CONV_SCALE),
        node_input(second, CONV_SHIFT), node_input(second, CONV_RESIDUAL),
        first->in[CONV_PACKED], second->in[CONV_PACKED],
    };
    snt_act act1, act2;
    Tensor *y = second->out[0];
    if (!fused_act_get(first, &act1, d) || !fused_act_get(second, &act2, d))
        return false;
    for (size_t i = 0; i < sizeof ins / sizeof *ins; i++)
        rw_add_input(rw, pair, ins[i]);
    copy_attr(pair, node_attr(second, "ukernel"));
    fused_act_set_at(pair, "first_", &act1);
    fused_act_set(pair, &act2);
    rw_remove(rw, first);
    rw_remove(rw, second);
    return rw_finish_node(pair, y, d);
}

bool pass_fuse_pointwise_pair(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *first = g->nodes[i];
        if (!pointwise_on_gemm(rw, first) || node_input(first, CONV_RESIDUAL))
            continue;
        Node *second = rw_sole_reader(rw, first->out[0]);
        if (second && pointwise_on_gemm(rw, second) && second->in[0] == first->out[0] &&
            strcmp(attr_string_or(first, "ukernel", ""), attr_string_or(second, "ukernel", "")) == 0)
            ok = fuse(rw, first, second, d);
    }
    return ok;
}
