/*
 * factor_conv.c - a convolution whose constant weights factor across
 * output channels runs as three small ones (fewer multiply-adds, the same
 * result up to rounding).
 *
 * When W[k][c][i][j] = s[k] * T[c][i][j] (rank one between output
 * channels and the rest; M2SNet's fixed all-ones 3x3 and 5x5 filters,
 * scaled per channel by a folded BatchNorm), every output channel is a
 * multiple of one convolution with T:
 *
 *   y[k] = epilogue(s[k] * conv(x, T) + b[k])
 *
 * and when moreover T[c][i][j] = u[c] * v[i][j], conv(x, T) is a window
 * filter v over the channel sum  sum_c u[c] x[c].  The node becomes
 *
 *   channel sum   Conv 1x1, C -> 1, weights u          (C MACs a pixel)
 *   window        Conv kh x kw, 1 -> 1, weights v, the original pads,
 *                 strides and dilations                (kh*kw MACs)
 *   scale         FusedConv 1x1, 1 -> K, weights s, bias b, the original
 *                 epilogue                             (K MACs)
 *
 * instead of C*K*kh*kw MACs a pixel.  If T does not factor, one Conv
 * C -> 1 with T replaces the first two.  Convolutions that read the same
 * tensor with the same u share the channel sum (M2SNet's 3x3 and 5x5 of
 * one subtraction unit).
 *
 * The factors are found from the weight values, not from names or
 * shapes: the largest weight anchors them, and every weight must equal
 * the product of its factors within FACTOR_RTOL of the largest (float
 * rounding of a folded scale, far below any weight a model would hold on
 * purpose).  Only group 1, float32, constant W.
 */
#include "passes/match.h"
#include "ir/ops/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FACTOR_RTOL 1e-6

/* W [rows][cols] = a[r] * b[q] within FACTOR_RTOL: fills a (a[r0] = 1)
 * and b (the anchor row) and returns true, or false when it does not
 * factor.  The anchor is the row and column of the largest |W|. */
static bool rank_one(const float *w, size_t rows, size_t cols, float *a, float *b)
{
    size_t r0 = 0, q0 = 0, r, q;
    float big = 0.0f;
    for (r = 0; r < rows; r++)
        for (q = 0; q < cols; q++)
            if (fabsf(w[r * cols + q]) > big) {
                big = fabsf(w[r * cols + q]);
                r0 = r;
                q0 = q;
            }
    if (big == 0.0f)
        return false;   /* all zero: nothing worth factoring */
    for (q = 0; q < cols; q++)
        b[q] = w[r0 * cols + q];
    for (r = 0; r < rows; r++)
        a[r] = w[r * cols + q0] / b[q0];
    for (r = 0; r < rows; r++)
        for (q = 0; q < cols; q++)
            if (fabs((double)w[r * cols + q] - (double)a[r] * b[q]) > FACTOR_RTOL * big)
                return false;
    return true;
}

/* The factors of one convolution's weights W [K][C][kh][kw]. */
typedef struct {
    size_t k, c, taps;
    float *s;          /* [K] */
    float *t;          /* [C * taps]: T */
    float *u, *v;      /* [C], [taps]: T = u (x) v, when `split` */
    bool split;
} Factors;

static void factors_free(Factors *f)
{
    free(f->s);
    free(f->t);
    free(f->u);
    free(f->v);
}

static bool factor_weights(const Tensor *w, Factors *f)
{
    memset(f, 0, sizeof *f);
    f->k = (size_t)w->shape.dim[0];
    f->c = (size_t)w->shape.dim[1];
    f->taps = (size_t)(tensor_numel(w) / (int64_t)(f->k * f->c));
    f->s = xmalloc(f->k * sizeof *f->s);
    f->t = xmalloc(f->c * f->taps * sizeof *f->t);
    if (f->k < 2 || !rank_one(w->data, f->k, f->c * f->taps, f->s, f->t)) {
        factors_free(f);
        return false;
    }
    f->u = xmalloc(f->c * sizeof *f->u);
    f->v = xmalloc(f->taps * sizeof *f->v);
    f->split = f->taps > 1 && rank_one(f->t, f->c, f->taps, f->u, f->v);
    return true;
}

/* A float32 Conv or FusedConv (no micro-kernel chosen yet) of group 1
 * with constant 2-D weights. */
static bool candidate(const Rewriter *rw, const Node *n)
{
    if (!(rw_node_is(rw, n, &op_Conv) || rw_node_is(rw, n, &op_FusedConv)) ||
        attr_string_or(n, "ukernel", NULL) || attr_int_or(n, "group", 1) != 1 ||
        !is_f32(n->in[0]) || !is_f32(n->out[0]) || !is_f32(n->in[1]) ||
        !tensor_is_const(n->in[1]) || n->in[1]->shape.rank != 4)
        return false;
    return n->in[0]->shape.rank == 4;
}

/* A channel sum made so far, for sharing. */
typedef struct {
    const Tensor *x;
    float *u;
    size_t c;
    Tensor *sum;
} ChannelSum;

typedef struct {
    Rewriter *rw;
    ChannelSum *sums;
    int n_sums;
    Node *last;        /* the node the next new one goes after */
} Factoring;

/* A new node of `op` after fc->last (then the last), named NAME,
 * reading the given inputs (NULL entries kept as omitted).  The nodes
 * that replace n go right after it, where every input they read is
 * ready. */
static Node *add_node(Factoring *fc, const char *op, const char *name, Tensor *const *ins,
                      int n_in)
{
    Node *m = rw_add_node(fc->rw, fc->last, name, op, fc->last->opset);
    fc->last = m;
    for (int i = 0; i < n_in; i++)
        rw_add_input(fc->rw, m, ins[i]);
    return m;
}

static Tensor *weights(Graph *g, const char *name, int64_t k, int64_t c, int64_t kh, int64_t kw,
                       const float *v)
{
    Shape s = {.rank = 4, .dim = {k, c, kh, kw}};
    return rewrite_const(g, DT_FLOAT, &s, v, "%s", name);
}

/* Copies n's window attributes (pads, strides, dilations, auto_pad,
 * kernel_shape) onto m. */
static void copy_window_attrs(Node *m, const Node *n)
{
    static const char *names[] = {"auto_pad", "pads", "strides", "dilations", "kernel_shape"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const Attr *a = node_attr(n, names[i]);
        if (a)
            copy_attr(m, a);
    }
}

/* Finishes node m with a new output tensor named after it. */
static Tensor *finish(Graph *g, Node *m, Diag *d)
{
    Tensor *t = rewrite_tensor(g, "%s_out", m->name);
    node_add_output(m, t);
    return m->op->infer(m, d) ? t : NULL;
}

/* Equal within FACTOR_RTOL of the largest: the factors of two weights
 * that hold the same channel weights up to the rounding of their
 * scales (each is normalised by its own largest weight). */
static bool same_factor(const float *a, const float *b, size_t n)
{
    float big = 0.0f;
    for (size_t i = 0; i < n; i++)
        big = fmaxf(big, fabsf(a[i]));
    for (size_t i = 0; i < n; i++)
        if (fabs((double)a[i] - b[i]) > FACTOR_RTOL * big)
            return false;
    return true;
}

/* sum_c u[c] x[c] as one channel, shared between readers of x. */
static Tensor *channel_sum(Factoring *fc, Node *n, const Factors *f, Diag *d)
{
    Tensor *x = n->in[0];
    for (int i = 0; i < fc->n_sums; i++) {
        ChannelSum *cs = &fc->sums[i];
        if (cs->x == x && cs->c == f->c && same_factor(cs->u, f->u, f->c))
            return cs->sum;
    }
    Str name = {0};
    str_putf(&name, "%s/channel_sum", n->name);
    Tensor *w = weights(fc->rw->g, name.buf, 1, (int64_t)f->c, 1, 1, f->u);
    Node *m = add_node(fc, "Conv", name.buf, (Tensor *[]){x, w}, 2);
    str_free(&name);
    Tensor *sum = finish(fc->rw->g, m, d);
    if (!sum)
        return NULL;
    fc->sums = xrealloc(fc->sums, (size_t)(fc->n_sums + 1) * sizeof *fc->sums);
    float *u = xmalloc(f->c * sizeof *u);
    memcpy(u, f->u, f->c * sizeof *u);
    fc->sums[fc->n_sums++] = (ChannelSum){x, u, f->c, sum};
    return sum;
}

/* conv(x, T) as one channel: the window filter v over the channel sum,
 * or one Conv C -> 1 with T. */
static Tensor *single_channel(Factoring *fc, Node *n, const Factors *f, Diag *d)
{
    const Shape *ws = &n->in[1]->shape;
    Tensor *in = f->split ? channel_sum(fc, n, f, d) : n->in[0];
    if (!in)
        return NULL;
    Str name = {0};
    str_putf(&name, "%s/%s", n->name, f->split ? "window" : "single_channel");
    Tensor *w = f->split ? weights(fc->rw->g, name.buf, 1, 1, ws->dim[2], ws->dim[3], f->v)
                         : weights(fc->rw->g, name.buf, 1, (int64_t)f->c, ws->dim[2], ws->dim[3],
                                   f->t);
    Node *m = add_node(fc, "Conv", name.buf, (Tensor *[]){in, w}, 2);
    str_free(&name);
    copy_window_attrs(m, n);
    return finish(fc->rw->g, m, d);
}

/* Replaces n by the factored nodes. */
static bool factor_node(Factoring *fc, Node *n, const Factors *f, Diag *d)
{
    fc->last = n;
    Tensor *one = single_channel(fc, n, f, d);
    if (!one)
        return false;
    /* y = epilogue(s[k] * one + b[k]): a 1x1 FusedConv 1 -> K keeps every
     * part of n's epilogue (bias, activation, affine, residual). */
    Str name = {0};
    str_putf(&name, "%s/scale", n->name);
    Tensor *s = weights(fc->rw->g, name.buf, (int64_t)f->k, 1, 1, 1, f->s);
    Tensor *ins[6] = {one, s};
    for (int i = 2; i < n->n_in && i < 6; i++)
        ins[i] = n->in[i];
    Node *m = add_node(fc, "FusedConv", name.buf, ins, n->n_in < 6 ? n->n_in : 6);
    str_free(&name);
    snt_act act;
    if (node_is(n, &op_FusedConv) && fused_act_get(n, &act, NULL))
        fused_act_set(m, &act);
    rw_remove(fc->rw, n);
    return rw_finish_node(m, n->out[0], d);
}

/* Pays when the factored form does clearly fewer multiply-adds. */
static bool worth_it(const Factors *f)
{
    size_t before = f->k * f->c * f->taps;
    size_t after = f->split ? f->c + f->taps + f->k : f->c * f->taps + f->k;
    return 2 * after < before;
}

bool pass_factor_conv(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    Factoring fc = {rw, NULL, 0, NULL};
    bool ok = true;
    /* The nodes this pass adds come after the one they replace and are
     * never candidates themselves (one output channel, or one input
     * channel with nothing to gain). */
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        Factors f;
        if (!candidate(rw, n) || !factor_weights(n->in[1], &f))
            continue;
        if (worth_it(&f))
            ok = factor_node(&fc, n, &f, d);
        factors_free(&f);
    }
    for (int i = 0; i < fc.n_sums; i++)
        free(fc.sums[i].u);
    free(fc.sums);
    return ok;
}
