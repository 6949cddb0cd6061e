/*
 * pointwise_before_resize.c - a 1x1 convolution that reduces the
 * channels of a Resize's output runs before the Resize, at the input's
 * resolution:
 *
 *   Conv1x1(Resize(x), W, b)  ->  Resize(Conv1x1(x, W, b))
 *
 * Both are linear per pixel and per channel, and the interpolation
 * weights of each output pixel sum to one (nearest, linear and cubic,
 * with or without exclude_outside), so the bias commutes too: the same
 * result up to rounding, with the convolution's multiply-adds cut by the
 * Resize's area ratio and the Resize itself run on K channels instead of
 * C.  M2SNet's subtraction units, once factor_conv has made their fixed
 * convolutions a channel sum (C -> 1), read an upsampled tensor: the sum
 * moves before the upsample.
 *
 * Only a plain Conv (no activation: it would not commute) of kernel 1x1,
 * stride 1, no padding and one group, with K < C; only a Resize that
 * keeps the batch and channel axes and does not extrapolate
 * (tf_crop_and_resize is left alone).  The Resize's output may have
 * other readers: it stays for them, and the new one is its copy with the
 * channel count of `sizes` (if given) set to K.
 */
#include "passes/match.h"
#include "ir/ops/ops.h"

#include <string.h>

/* A float32 Conv 1x1, stride 1, no padding, one group, K < C. */
static bool reducing_pointwise(const Node *conv)
{
    if (!node_is(conv, &op_Conv) || !is_f32(conv->in[0]) || conv->in[0]->shape.rank != 4)
        return false;
    const snt_conv2d_params *cp = conv_node_params(conv);
    return cp->kh == 1 && cp->kw == 1 && cp->sh == 1 && cp->sw == 1 && cp->pt == 0 &&
           cp->pl == 0 && cp->oh == cp->h && cp->ow == cp->w && cp->groups == 1 && cp->k < cp->c;
}

/* A Resize from opset 11 on that keeps N and C and does not extrapolate. */
static bool channelwise_resize(const Node *r)
{
    const Shape *in = &r->in[0]->shape, *out = &r->out[0]->shape;
    const char *coord = attr_string_or(r, "coordinate_transformation_mode", "half_pixel");
    return r->opset >= 11 && in->rank == 4 && out->rank == 4 && in->dim[0] == out->dim[0] &&
           in->dim[1] == out->dim[1] && strcmp(coord, "tf_crop_and_resize") != 0;
}

/* `sizes` of r with its channel entry set to k, or NULL when r takes
 * scales (which keep the channel axis as it is). */
static Tensor *sizes_for(Graph *g, const Node *r, int64_t k)
{
    const Tensor *sizes = r->n_in > 3 ? r->in[3] : NULL;
    if (!sizes || tensor_numel(sizes) == 0)
        return NULL;
    int64_t v[4];
    memcpy(v, sizes->data, sizeof v);
    v[1] = k;
    return rewrite_const(g, DT_INT64, &sizes->shape, v, "%s_sizes", r->name);
}

/* The Conv and its Resize swapped, in the Conv's place: a new Conv
 * reads x, a copy of the Resize for K channels writes the Conv's
 * output. */
static bool swap(Rewriter *rw, Node *conv, const Node *r, Diag *d)
{
    Tensor *y = conv->out[0], *low = rewrite_tensor(rw->g, "%s_before_resize", y->name);
    Tensor *sizes = sizes_for(rw->g, r, y->shape.dim[1]);
    Node *pointwise = rw_add_node(rw, conv, NULL, "Conv", conv->opset);
    rw_add_input(rw, pointwise, r->in[0]);
    for (int i = 1; i < conv->n_in; i++)
        rw_add_input(rw, pointwise, conv->in[i]);
    copy_attrs(pointwise, conv);
    node_add_output(pointwise, low);
    if (!pointwise->op->infer(pointwise, d))
        return false;
    Node *resize = rw_add_node(rw, pointwise, NULL, "Resize", r->opset);
    rw_add_input(rw, resize, low);
    for (int i = 1; i < r->n_in; i++)
        rw_add_input(rw, resize, i == 3 && sizes ? sizes : r->in[i]);
    copy_attrs(resize, r);
    rw_remove(rw, conv);
    return rw_finish_node(resize, y, d);
}

bool pass_pointwise_before_resize(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *conv = g->nodes[i];
        Node *r = reducing_pointwise(conv) ? producer_is(conv->in[0], &op_Resize) : NULL;
        if (r && !rw_is_removed(rw, conv) && channelwise_resize(r) &&
            (r->n_in <= 3 || !r->in[3] || tensor_is_const(r->in[3])))
            ok = swap(rw, conv, r, d);
    }
    return ok;
}
