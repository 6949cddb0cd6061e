/*
 * fuse_linear.c - merges MatMul by a constant matrix, the bias Add after
 * it and an activation into one Linear node (PyTorch exports nn.Linear on
 * a 3-D input as MatMul(x, W) then Add(bias, .), the bias first, and on
 * a 2-D input as Gemm(x, W, bias, transB=1)):
 *
 *   MatMul(x[..., K], W[K, N]) [-> Add(bias)] [-> activation]
 *   Gemm(x[M, K], B, C)        [-> activation]
 *
 * W must be a constant float32 matrix; the bias a constant with N values
 * over the last axis (shape [N], or [1, .., 1, N] no longer than the
 * product's rank), on either side of the Add.  A Gemm must not transpose
 * x; its B (transposed when transB) times alpha becomes W and its C
 * times beta the bias, both constants.  The activation is one of those
 * FusedConv takes.  Each absorbed intermediate must have one reader and
 * not be a graph output.  A MatMul with nothing after it to absorb stays
 * a MatMul; a Gemm always becomes a Linear, whose kernel runs on the
 * target's micro-kernel with W packed (passes/select_kernels.c).
 */
#include "passes/match.h"

#include <stdlib.h>

typedef struct {
    Node *matmul;        /* the MatMul or Gemm */
    Tensor *w;           /* W [K, N] */
    Node *nodes[2];      /* Add, activation: the ones absorbed */
    int count;
    Tensor *bias;        /* [N], or NULL */
    snt_act act;
    Tensor *y;
} LinearMatch;

static void take(LinearMatch *m, Node *n)
{
    m->nodes[m->count++] = n;
    m->y = n->out[0];
}

/* x [..., K] by a constant W [K, N], all float32. */
static bool is_linear_matmul(const Rewriter *rw, const Node *n)
{
    if (!rw_node_is(rw, n, &op_MatMul))
        return false;
    const Tensor *x = n->in[0], *w = n->in[1];
    return is_f32(x) && is_f32(w) && tensor_is_const(w) && w->shape.rank == 2 &&
           x->shape.rank >= 2 && x->shape.dim[x->shape.rank - 1] == w->shape.dim[0];
}

/* x [M, K] by a constant B (transB: [N, K]), not transposing x; C absent
 * or a constant of N values; float32. */
static bool is_linear_gemm(const Rewriter *rw, const Node *n)
{
    if (!rw_node_is(rw, n, &op_Gemm) || attr_int_or(n, "transA", 0) != 0)
        return false;
    const Tensor *x = n->in[0], *b = n->in[1], *c = n->n_in > 2 ? n->in[2] : NULL;
    int64_t cols = n->out[0]->shape.dim[1];
    return is_f32(x) && is_f32(b) && tensor_is_const(b) && b->shape.rank == 2 &&
           x->shape.rank == 2 && is_f32(n->out[0]) &&
           (!c || (is_f32(c) && tensor_is_const(c) && tensor_numel(c) == cols &&
                   c->shape.dim[c->shape.rank - 1] == cols));
}

/* The Gemm's W = alpha op(B) and bias = beta C as new constants. */
static void gemm_operands(Graph *g, LinearMatch *m)
{
    const Node *n = m->matmul;
    const Tensor *b = n->in[1], *c = n->n_in > 2 ? n->in[2] : NULL;
    bool trans = attr_int_or(n, "transB", 0) != 0;
    float alpha = (float)attr_float_or(n, "alpha", 1.0), beta = (float)attr_float_or(n, "beta", 1.0);
    int64_t k = b->shape.dim[trans ? 1 : 0], cols = b->shape.dim[trans ? 0 : 1];
    const float *bv = b->data;
    float *w = xmalloc((size_t)(k * cols) * sizeof *w);
    for (int64_t p = 0; p < k; p++)
        for (int64_t j = 0; j < cols; j++)
            w[p * cols + j] = alpha * (trans ? bv[j * k + p] : bv[p * cols + j]);
    m->w = fusion_const_f32(g, b->name, &(Shape){.rank = 2, .dim = {k, cols}}, w);
    free(w);
    if (c) {
        float *bias = xmalloc((size_t)cols * sizeof *bias);
        for (int64_t j = 0; j < cols; j++)
            bias[j] = beta * ((const float *)c->data)[j];
        m->bias = fusion_const_f32(g, c->name, &(Shape){.rank = 1, .dim = {cols}}, bias);
        free(bias);
    }
}

/* A constant of N values along the last axis only. */
static bool is_row_bias(const Tensor *b, const Tensor *y)
{
    int64_t n = y->shape.dim[y->shape.rank - 1];
    return is_f32(b) && tensor_is_const(b) && b->shape.rank >= 1 &&
           b->shape.rank <= y->shape.rank && tensor_numel(b) == n &&
           b->shape.dim[b->shape.rank - 1] == n;
}

static void match_bias(Rewriter *rw, LinearMatch *m)
{
    Node *add = rw_sole_reader(rw, m->y);
    Tensor *b = rw_node_is(rw, add, &op_Add) ? other_operand(add, m->y) : NULL;
    if (!b || !is_row_bias(b, m->y) || !shape_equal(&add->out[0]->shape, &m->y->shape))
        return;
    /* The kernel reads a plain [N] vector: drop leading unit axes. */
    Shape s = {.rank = 1, .dim = {tensor_numel(b)}};
    m->bias = b->shape.rank == 1 ? b : fusion_const_f32(rw->g, b->name, &s, b->data);
    take(m, add);
}

static void match_activation(const Rewriter *rw, LinearMatch *m)
{
    Node *r = rw_sole_reader(rw, m->y);
    snt_act act;
    if (r && r->in[0] == m->y && act_of_node(r, &act) && is_f32(r->out[0])) {
        m->act = act;
        take(m, r);
    }
}

static bool replace_by_linear(Rewriter *rw, LinearMatch *m, Diag *d)
{
    Node *mm = m->matmul;
    Node *lin = rw_add_node(rw, m->y->producer, NULL, "Linear", mm->opset);
    rw_add_input(rw, lin, mm->in[0]);
    rw_add_input(rw, lin, m->w);
    if (m->bias)
        rw_add_input(rw, lin, m->bias);
    fused_act_set(lin, &m->act);
    rw_remove(rw, mm);
    for (int i = 0; i < m->count; i++)
        rw_remove(rw, m->nodes[i]);
    return rw_finish_node(lin, m->y, d);
}

bool pass_fuse_linear(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *mm = g->nodes[i];
        bool gemm = is_linear_gemm(rw, mm);
        if (!gemm && !is_linear_matmul(rw, mm))
            continue;
        LinearMatch m = {.matmul = mm, .w = mm->in[1], .act = {.kind = SNT_ACT_NONE},
                         .y = mm->out[0]};
        if (gemm)
            gemm_operands(g, &m);
        else
            match_bias(rw, &m);
        match_activation(rw, &m);
        if (gemm || m.count > 0)
            ok = replace_by_linear(rw, &m, d);
    }
    return ok;
}
