/*
 * fusion.c - the fusion session shared by the fusion passes (see match.h).
 */
#include "passes/match.h"
#include "ir/ops/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Constants exported in float32 (sqrt 2 as 1.4142135) differ from the
 * exact value by at most half a float32 ulp, about 6e-8 relative. */
#define CONST_RTOL 1e-6

void fusion_begin(Fusion *f, Graph *g)
{
    *f = (Fusion){.g = g, .n_tensors = g->n_tensors};
    for (int i = 0; i < g->n_nodes; i++)
        g->nodes[i]->id = i;
    f->uses = graph_use_counts(g);
    f->reader = xcalloc((size_t)g->n_tensors + 1, sizeof *f->reader);
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j])
                f->reader[g->nodes[i]->in[j]->id] = g->nodes[i];
    grow_array((void **)&f->absorbed, &f->cap_absorbed, g->n_nodes + 1, sizeof *f->absorbed);
    memset(f->absorbed, 0, (size_t)f->cap_absorbed * sizeof *f->absorbed);
}

void fusion_end(Fusion *f)
{
    Graph *g = f->g;
    bool *keep = xmalloc(((size_t)g->n_nodes + 1) * sizeof *keep);
    for (int i = 0; i < g->n_nodes; i++)
        keep[i] = !fusion_is_absorbed(f, g->nodes[i]);
    graph_remove_nodes(g, keep);
    for (int i = 0; i < g->n_nodes; i++)
        g->nodes[i]->id = i;
    free(keep);
    free(f->uses);
    free(f->reader);
    free(f->absorbed);
    *f = (Fusion){0};
}

bool fusion_is_absorbed(const Fusion *f, const Node *n)
{
    return n->id < f->cap_absorbed && f->absorbed[n->id];
}

void fusion_absorb(Fusion *f, Node *n)
{
    int old = f->cap_absorbed;
    grow_array((void **)&f->absorbed, &f->cap_absorbed, n->id + 1, sizeof *f->absorbed);
    memset(f->absorbed + old, 0, (size_t)(f->cap_absorbed - old) * sizeof *f->absorbed);
    f->absorbed[n->id] = true;
}

void fusion_fold_into(Fusion *f, Node *into, Node *absorbed)
{
    into->out[0]->producer = NULL;
    into->out[0] = absorbed->out[0];
    absorbed->out[0]->producer = into;
    fusion_absorb(f, absorbed);
}

Node *fusion_sole_reader(const Fusion *f, const Tensor *t)
{
    if (!t || t->id >= f->n_tensors || t->is_output || tensor_is_const(t) || f->uses[t->id] != 1)
        return NULL;
    Node *r = f->reader[t->id];
    return r && !fusion_is_absorbed(f, r) ? r : NULL;
}

int fusion_readers(const Fusion *f, const Tensor *t, Node **out, int max)
{
    int count = 0;
    for (int i = 0; i < f->g->n_nodes; i++) {
        Node *n = f->g->nodes[i];
        bool reads = false;
        for (int j = 0; j < n->n_in; j++)
            reads = reads || n->in[j] == t;
        if (reads && count < max)
            out[count] = n;
        count += reads;
    }
    return count;
}

bool fusion_node_is(const Fusion *f, const Node *n, const OpDesc *op)
{
    return node_is(n, op) && !n->domain[0] && n->n_out == 1 && !fusion_is_absorbed(f, n);
}

Node *fusion_sole_reader_is(const Fusion *f, const Tensor *t, const OpDesc *op)
{
    Node *r = fusion_sole_reader(f, t);
    return fusion_node_is(f, r, op) ? r : NULL;
}

Node *fusion_add_node(Fusion *f, const Node *after, const char *op_type, int opset)
{
    Graph *g = f->g;
    char name[256];
    snprintf(name, sizeof name, "%.200s/%s", after->name, op_type);
    Node *n = graph_add_node(g, name, op_type);
    n->op = op_lookup("", op_type);
    n->opset = opset;
    /* graph_add_node appended n; move it up to just after `after`. */
    int at = 0;
    while (g->nodes[at] != after)
        at++;
    memmove(&g->nodes[at + 2], &g->nodes[at + 1],
            (size_t)(g->n_nodes - at - 2) * sizeof *g->nodes);
    g->nodes[at + 1] = n;
    return n;
}

bool fusion_finish_node(Node *n, Tensor *out, Diag *d)
{
    DType dtype = out->dtype;
    Shape shape = out->shape;
    node_add_output(n, out);
    if (!n->op || !n->op->infer(n, d))
        return diag_error(d, "fusion: the fused node '%s' (%s) is invalid", n->name, n->op_type);
    if (out->dtype != dtype || !shape_equal(&out->shape, &shape))
        return diag_error(d, "fusion: the fused node '%s' (%s) changes the shape of '%s'",
                          n->name, n->op_type, out->name);
    return true;
}

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

Node *fusion_activation_after(const Fusion *f, const Tensor *y, snt_act *act)
{
    Node *r = fusion_sole_reader(f, y);
    if (r && r->in[0] == y && act_of_node(r, act) && is_f32(r->out[0]))
        return r;
    return NULL;
}

Node *fusion_residual_add_after(const Fusion *f, const Tensor *y, Tensor **residual)
{
    Node *add = fusion_sole_reader(f, y);
    Tensor *r = fusion_node_is(f, add, &op_Add) ? other_operand(add, y) : NULL;
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
static void scale_conv_weights(Graph *g, Node *conv, const float *scale, const float *shift)
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
    conv->in[1] = fusion_const_f32(g, w->name, &w->shape, nw);
    Tensor *bias = fusion_const_f32(g, b ? b->name : "folded_bias", &bias_shape, nb);
    set_input(conv, 2, bias);
    free(nw);
    free(nb);
}

bool fold_bn_into_conv(Fusion *f, Node *conv, Node *bn)
{
    /* The node types first: only a Conv is known to have a weight input. */
    if (!fusion_node_is(f, conv, &op_Conv) || !fusion_node_is(f, bn, &op_BatchNormalization))
        return false;
    const Tensor *w = conv->in[1], *b = conv->n_in > 2 ? conv->in[2] : NULL;
    if (bn->in[0] != conv->out[0] || fusion_sole_reader(f, conv->out[0]) != bn ||
        !is_f32(w) || !tensor_is_const(w) || w->shape.rank < 3 ||
        (b && (!is_f32(b) || !tensor_is_const(b))))
        return false;
    float *scale, *shift;
    if (!bn_affine(bn, &scale, &shift))
        return false;
    scale_conv_weights(f->g, conv, scale, shift);
    free(scale);
    free(shift);
    fusion_fold_into(f, conv, bn);
    return true;
}
