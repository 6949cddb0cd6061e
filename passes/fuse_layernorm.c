/*
 * fuse_layernorm.c - recognizes LayerNormalization over the last axis
 * spelled out as before opset 17 (PyTorch's export of nn.LayerNorm at
 * opset 13) and replaces it by one LayerNormalization node:
 *
 *     mu = ReduceMean(x)          over the last axis, keepdims
 *     xc = x - mu
 *     var = ReduceMean(xc^2)      Pow(xc, 2) or xc * xc
 *     n = xc / Sqrt(var + eps)
 *     y = n * gamma + beta        both optional, operands either way round
 *
 * Each ReduceMean's output must have x's shape with a last extent of 1:
 * that is a mean over the last axis (perhaps with unit axes, which change
 * nothing) however the axes are given.  xc must be read by exactly the
 * square and the Div, every other intermediate once, none a graph output;
 * eps must be a positive float scalar; gamma and beta constants with one
 * value per element of the last axis.  Without gamma the node gets a
 * constant Scale of ones.
 *
 * The new nodes get opset 17, the version that introduced
 * LayerNormalization (its only one so far), whatever the model's opset.
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

#define LAYERNORM_OPSET 17

typedef struct {
    Node *nodes[9];
    int count;
    Tensor *x, *gamma, *beta, *y;
    double eps;
} LnMatch;

static void take(LnMatch *m, Node *n)
{
    m->nodes[m->count++] = n;
}

/* A ReduceMean of x over its last axis, keeping it (see above). */
static bool is_last_axis_mean(const Rewriter *rw, const Node *n, const Tensor *x)
{
    if (!rw_node_is(rw, n, &op_ReduceMean) || n->in[0] != x || !is_f32(x) || x->shape.rank < 1)
        return false;
    Shape want = x->shape;
    want.dim[want.rank - 1] = 1;
    return shape_equal(&n->out[0]->shape, &want);
}

/* A constant float32 holding one value per element of the last axis:
 * shape [..., 1, C] of rank at most x's. */
static bool is_last_axis_vector(const Tensor *t, const Tensor *x)
{
    int64_t c = x->shape.dim[x->shape.rank - 1];
    if (!is_f32(t) || !tensor_is_const(t) || t->shape.rank < 1 || t->shape.rank > x->shape.rank)
        return false;
    return tensor_numel(t) == c && t->shape.dim[t->shape.rank - 1] == c;
}

/* n squares xc: Pow(xc, 2) or xc * xc. */
static bool is_square_of(const Rewriter *rw, const Node *n, const Tensor *xc)
{
    if (rw_node_is(rw, n, &op_Pow))
        return n->in[0] == xc && const_near(n->in[1], 2.0);
    return rw_node_is(rw, n, &op_Mul) && n->in[0] == xc && n->in[1] == xc;
}

/* xc's two readers, the square and the Div by the deviation; the
 * variance chain from the square to the Div's divisor. */
static Node *match_variance(const Rewriter *rw, LnMatch *m, const Tensor *xc)
{
    Node *readers[2];
    if (xc->is_output || rw_readers(rw, xc, readers, 2) != 2)
        return NULL;
    for (int i = 0; i < 2; i++) {
        Node *sq = readers[i], *div = readers[1 - i];
        /* xc is read by these two alone: once by the Div, once or twice
         * (xc * xc) by the square. */
        int square_reads = sq->n_in == 2 && sq->in[1] == xc ? 2 : 1;
        if (!is_square_of(rw, sq, xc) || !rw_node_is(rw, div, &op_Div) || div->in[0] != xc ||
            div->in[1] == xc || rw_reader_count(rw, xc) != square_reads + 1)
            continue;
        Node *var = rw_sole_reader_is(rw, sq->out[0], &op_ReduceMean);
        if (!var || !is_last_axis_mean(rw, var, sq->out[0]))
            continue;
        Node *add = rw_sole_reader_is(rw, var->out[0], &op_Add);
        Tensor *e = add ? other_operand(add, var->out[0]) : NULL;
        if (!e || !is_f32(e) || !tensor_is_const(e) || tensor_numel(e) != 1)
            continue;
        m->eps = dtype_get_f64(e->dtype, e->data, 0);
        Node *sqrt_node = rw_sole_reader_is(rw, add->out[0], &op_Sqrt);
        if (m->eps <= 0 || !sqrt_node || rw_sole_reader(rw, sqrt_node->out[0]) != div ||
            div->in[1] != sqrt_node->out[0])
            continue;
        take(m, sq);
        take(m, var);
        take(m, add);
        take(m, sqrt_node);
        take(m, div);
        return div;
    }
    return NULL;
}

/* When m->y's only reader is an `op` node combining it with a vector
 * along x's last axis, takes that node into the match and returns the
 * vector; else NULL. */
static Tensor *take_last_axis_operand(const Rewriter *rw, LnMatch *m, const OpDesc *op)
{
    Node *node = rw_sole_reader_is(rw, m->y, op);
    Tensor *v = node ? other_operand(node, m->y) : NULL;
    if (!v || !is_last_axis_vector(v, m->x))
        return NULL;
    m->y = node->out[0];
    take(m, node);
    return v;
}

/* The optional n * gamma then + beta after the normalization. */
static void match_affine(const Rewriter *rw, LnMatch *m)
{
    m->gamma = take_last_axis_operand(rw, m, &op_Mul);
    m->beta = take_last_axis_operand(rw, m, &op_Add);
}

static bool match_layernorm(const Rewriter *rw, LnMatch *m, Node *mean)
{
    *m = (LnMatch){.x = mean->in[0]};
    if (!is_last_axis_mean(rw, mean, m->x))
        return false;
    Node *sub = rw_sole_reader_is(rw, mean->out[0], &op_Sub);
    if (!sub || sub->in[0] != m->x || sub->in[1] != mean->out[0])
        return false;
    take(m, mean);
    take(m, sub);
    Node *div = match_variance(rw, m, sub->out[0]);
    if (!div)
        return false;
    m->y = div->out[0];
    match_affine(rw, m);
    return shape_equal(&m->y->shape, &m->x->shape);
}

/* A Scale of ones for a match without gamma. */
static Tensor *ones_scale(Graph *g, const Tensor *x)
{
    int64_t c = x->shape.dim[x->shape.rank - 1];
    float *ones = xmalloc(((size_t)c + 1) * sizeof *ones);
    for (int64_t i = 0; i < c; i++)
        ones[i] = 1.0f;
    Shape s = {.rank = 1, .dim = {c}};
    Tensor *t = fusion_const_f32(g, "layernorm_scale", &s, ones);
    free(ones);
    return t;
}

static bool replace_by_layernorm(Rewriter *rw, LnMatch *m, Diag *d)
{
    Node *ln = rw_add_node(rw, m->y->producer, NULL, "LayerNormalization", LAYERNORM_OPSET);
    rw_add_input(rw, ln, m->x);
    rw_add_input(rw, ln, m->gamma ? m->gamma : ones_scale(rw->g, m->x));
    if (m->beta)
        rw_add_input(rw, ln, m->beta);
    node_add_attr(ln, "axis", ATTR_INT)->i = -1;
    node_add_attr(ln, "epsilon", ATTR_FLOAT)->f = m->eps;
    for (int i = 0; i < m->count; i++)
        rw_remove(rw, m->nodes[i]);
    return rw_finish_node(ln, m->y, d);
}

bool pass_fuse_layernorm(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        LnMatch m;
        if (rw_node_is(rw, g->nodes[i], &op_ReduceMean) && match_layernorm(rw, &m, g->nodes[i]))
            ok = replace_by_layernorm(rw, &m, d);
    }
    return ok;
}
