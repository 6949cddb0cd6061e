/*
 * fusion.c - helpers shared by the fusion passes (see match.h).
 */
#include "passes/match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Constants exported in float32 (sqrt 2 as 1.4142135) differ from the
 * exact value by at most half a float32 ulp, about 6e-8 relative. */
#define CONST_RTOL 1e-6

bool is_f32(const Tensor *t)
{
    return t && t->dtype == DT_FLOAT;
}

bool const_near(const Tensor *t, double want)
{
    if (!is_f32(t) || !tensor_is_const(t) || tensor_numel(t) != 1)
        return false;
    double v = dtype_get_f64(t->dtype, t->data, 0);
    return fabs(v - want) <= CONST_RTOL * fabs(want);
}

Tensor *other_operand(const Node *n, const Tensor *t)
{
    if (n->n_in != 2 || (n->in[0] == t) == (n->in[1] == t))
        return NULL;
    return n->in[0] == t ? n->in[1] : n->in[0];
}

Node *fusion_activation_after(const Rewriter *rw, const Tensor *y, snt_act *act)
{
    Node *r = rw_sole_reader(rw, y);
    if (r && r->in[0] == y && act_of_node(r, act) && is_f32(r->out[0]))
        return r;
    return NULL;
}

Node *fusion_residual_add_after(const Rewriter *rw, const Tensor *y, Tensor **residual)
{
    Node *add = rw_sole_reader(rw, y);
    Tensor *r = rw_node_is(rw, add, &op_Add) ? other_operand(add, y) : NULL;
    if (!r || r->dtype != y->dtype || !shape_equal(&r->shape, &y->shape) ||
        !shape_equal(&add->out[0]->shape, &y->shape))
        return NULL;
    *residual = r;
    return add;
}

Tensor *operand_beside_const(const Node *n, double want)
{
    if (n->n_in != 2)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (const_near(n->in[i], want))
            return n->in[1 - i];
    return NULL;
}

Tensor *fusion_const_f32(Graph *g, const char *hint, const Shape *s, const float *v)
{
    return rewrite_const(g, DT_FLOAT, s, v, "%s", hint);
}

/* True when every input of n is a constant float32 vector of `len`. */
static bool const_vectors(const Node *n, int first, int64_t len)
{
    for (int i = first; i < n->n_in; i++) {
        const Tensor *t = n->in[i];
        if (!is_f32(t) || !tensor_is_const(t) || t->shape.rank != 1 || t->shape.dim[0] != len)
            return false;
    }
    return true;
}

bool bn_affine(const Node *bn, float **scale, float **shift)
{
    if (!node_is(bn, &op_BatchNormalization) || bn->n_in != 5 ||
        bn->n_out != 1 || !is_f32(bn->in[0]) || bn->in[0]->shape.rank < 2 ||
        attr_int_or(bn, "training_mode", 0) != 0)
        return false;
    int64_t c = bn->in[0]->shape.dim[1];
    if (!const_vectors(bn, 1, c))
        return false;
    const float *gamma = bn->in[1]->data, *beta = bn->in[2]->data;
    const float *mean = bn->in[3]->data, *var = bn->in[4]->data;
    double eps = attr_float_or(bn, "epsilon", 1e-5);
    *scale = xmalloc(((size_t)c + 1) * sizeof **scale);
    *shift = xmalloc(((size_t)c + 1) * sizeof **shift);
    for (int64_t i = 0; i < c; i++) {
        double s = gamma[i] / sqrt((double)var[i] + eps);
        (*scale)[i] = (float)s;
        (*shift)[i] = (float)(beta[i] - mean[i] * s);
    }
    return true;
}

/* W'[k][...] = W[k][...] * scale[k] and b'[k] = b[k] * scale[k] + shift[k]
 * into new constants on conv. */
static void scale_conv_weights(Rewriter *rw, Node *conv, const float *scale, const float *shift)
{
    const Tensor *w = conv->in[1], *b = conv->n_in > 2 ? conv->in[2] : NULL;
    int64_t k = w->shape.dim[0], per_k = tensor_numel(w) / (k ? k : 1);
    float *nw = xmalloc(tensor_bytes(w) + sizeof *nw), *nb = xmalloc(((size_t)k + 1) * sizeof *nb);
    const float *ow = w->data, *ob = b ? b->data : NULL;
    for (int64_t i = 0; i < k; i++) {
        for (int64_t j = 0; j < per_k; j++)
            nw[i * per_k + j] = (float)((double)ow[i * per_k + j] * scale[i]);
        nb[i] = (float)((ob ? (double)ob[i] * scale[i] : 0.0) + shift[i]);
    }
    Shape bias_shape = {.rank = 1, .dim = {k}};
    rw_set_input(rw, conv, 1, fusion_const_f32(rw->g, w->name, &w->shape, nw));
    Tensor *bias = fusion_const_f32(rw->g, b ? b->name : "folded_bias", &bias_shape, nb);
    rw_set_input(rw, conv, 2, bias);
    free(nw);
    free(nb);
}

bool fold_bn_into_conv(Rewriter *rw, Node *conv, Node *bn)
{
    /* The node types first: only a Conv is known to have a weight input. */
    if (!rw_node_is(rw, conv, &op_Conv) || !rw_node_is(rw, bn, &op_BatchNormalization))
        return false;
    const Tensor *w = conv->in[1], *b = conv->n_in > 2 ? conv->in[2] : NULL;
    if (bn->in[0] != conv->out[0] || rw_sole_reader(rw, conv->out[0]) != bn ||
        !is_f32(w) || !tensor_is_const(w) || w->shape.rank < 3 ||
        (b && (!is_f32(b) || !tensor_is_const(b))))
        return false;
    float *scale, *shift;
    if (!bn_affine(bn, &scale, &shift))
        return false;
    scale_conv_weights(rw, conv, scale, shift);
    free(scale);
    free(shift);
    rw_fold_into(rw, conv, bn);
    return true;
}
