/*
 * fold_batchnorm.c - folds an inference BatchNormalization into the Conv,
 * Gemm or MatMul before it.
 *
 * BN(Conv(x, W, b)) = Conv(x, W * s, b * s + t) per output channel, with
 * s = gamma / sqrt(var + eps) and t = beta - mean * s: exact up to float
 * rounding.  The same holds for a product whose output columns are the
 * BN's channels (a [M, N] output, channels on axis 1): Gemm with constant
 * B (and C, if any) takes the scale into B's columns and the shift into
 * C; MatMul by a constant matrix becomes a Linear with the shift as its
 * bias.  The product's output must feed only the BN, the weights and the
 * BN's parameters must be constants, and the BN must be in inference
 * mode with one output.  (PyTorch's exporter already folds Conv -> BN;
 * this catches the models it did not, and exports made with
 * training=PRESERVE.)
 */
#include "passes/match.h"

#include <stdlib.h>

/* True when the product p feeds only bn and its output is [M, N]: BN's
 * channels (axis 1) are then p's output columns. */
static bool product_feeds_bn(const Rewriter *rw, const Node *p, const Node *bn)
{
    return rw_node_is(rw, bn, &op_BatchNormalization) && bn->in[0] == p->out[0] &&
           rw_sole_reader(rw, p->out[0]) == bn && p->out[0]->shape.rank == 2;
}

static bool is_const_f32(const Tensor *t)
{
    return is_f32(t) && tensor_is_const(t);
}

/* A copy of the constant matrix w with output column j scaled by
 * scale[j]; the columns are w's rows when `transposed` (Gemm's transB). */
static Tensor *scaled_columns(Graph *g, const Tensor *w, bool transposed, const float *scale)
{
    int64_t rows = w->shape.dim[0], cols = w->shape.dim[1];
    const float *ow = w->data;
    float *nw = xmalloc(tensor_bytes(w) + sizeof *nw);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            nw[r * cols + c] = (float)((double)ow[r * cols + c] * scale[transposed ? r : c]);
    Tensor *t = fusion_const_f32(g, w->name, &w->shape, nw);
    free(nw);
    return t;
}

/*
 * Gemm's new C, so that beta * C' = (beta * C) * s + t per column j:
 * C'[r][j] = C[r][j] * s[j] + t[j] / beta.  A C of [rows, N] or
 * [rows, 1] becomes [rows, N], any other (absent, scalar, [N]) [N]:
 * still broadcast to Gemm's [M, N] output.
 */
static Tensor *folded_gemm_c(Graph *g, const Node *gemm, const float *scale, const float *shift)
{
    const Tensor *c = gemm->n_in > 2 ? gemm->in[2] : NULL;
    double beta = attr_float_or(gemm, "beta", 1.0);
    int64_t n = gemm->out[0]->shape.dim[1];
    int64_t rows = c && c->shape.rank == 2 ? c->shape.dim[0] : 1;
    int64_t c_cols = c && c->shape.rank > 0 ? c->shape.dim[c->shape.rank - 1] : 1;
    const float *oc = c ? c->data : NULL;
    float *nc = xmalloc((size_t)(rows * n + 1) * sizeof *nc);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < n; j++) {
            double cv = oc ? oc[r * c_cols + (c_cols == 1 ? 0 : j)] : 0.0;
            nc[r * n + j] = (float)(cv * scale[j] + shift[j] / beta);
        }
    Shape s = c && c->shape.rank == 2 ? (Shape){.rank = 2, .dim = {rows, n}}
                                      : (Shape){.rank = 1, .dim = {n}};
    Tensor *t = fusion_const_f32(g, c ? c->name : "folded_bias", &s, nc);
    free(nc);
    return t;
}

/* Gemm with constant B and C (if any), beta != 0 (C' divides by it). */
static bool fold_bn_into_gemm(Rewriter *rw, Node *gemm, Node *bn)
{
    const Tensor *c = gemm->n_in > 2 ? gemm->in[2] : NULL;
    if (!rw_node_is(rw, gemm, &op_Gemm) || !product_feeds_bn(rw, gemm, bn) ||
        !is_const_f32(gemm->in[1]) || (c && !is_const_f32(c)) ||
        attr_float_or(gemm, "beta", 1.0) == 0.0)
        return false;
    float *scale, *shift;
    if (!bn_affine(bn, &scale, &shift))
        return false;
    rw_set_input(rw, gemm, 1,
                 scaled_columns(rw->g, gemm->in[1], attr_int_or(gemm, "transB", 0) != 0, scale));
    rw_set_input(rw, gemm, 2, folded_gemm_c(rw->g, gemm, scale, shift));
    free(scale);
    free(shift);
    rw_fold_into(rw, gemm, bn);
    return true;
}

/* MatMul(x [M, K], constant W [K, N]) -> BN as Linear(x, W * s, t).
 * Leaves the graph alone when that is not the pattern; false only when
 * the new node is invalid (an error). */
static bool fold_bn_into_matmul(Rewriter *rw, Node *mm, Node *bn, Diag *d)
{
    if (!rw_node_is(rw, mm, &op_MatMul) || !product_feeds_bn(rw, mm, bn) ||
        !is_const_f32(mm->in[1]) || mm->in[1]->shape.rank != 2 || !is_f32(mm->in[0]))
        return true;
    float *scale, *shift;
    if (!bn_affine(bn, &scale, &shift))
        return true;
    Node *lin = rw_add_node(rw, bn, NULL, "Linear", mm->opset);
    Shape bias_shape = {.rank = 1, .dim = {mm->out[0]->shape.dim[1]}};
    rw_add_input(rw, lin, mm->in[0]);
    rw_add_input(rw, lin, scaled_columns(rw->g, mm->in[1], false, scale));
    rw_add_input(rw, lin, fusion_const_f32(rw->g, "folded_bias", &bias_shape, shift));
    free(scale);
    free(shift);
    rw_remove(rw, mm);
    rw_remove(rw, bn);
    return rw_finish_node(lin, bn->out[0], d);
}

/* Only an inference BN is a fixed affine map of its input: in training
 * mode it normalizes with its batch's statistics and outputs running
 * statistics, so it must stay a node of its own.  (bn_affine checks this
 * too; the pass states it where it picks its candidates.) */
static bool is_inference_bn(const Rewriter *rw, const Node *bn)
{
    return rw_node_is(rw, bn, &op_BatchNormalization) && bn->n_out == 1 &&
           attr_int_or(bn, "training_mode", 0) == 0;
}

bool pass_fold_batchnorm(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *bn = g->nodes[i], *p = bn->n_in > 0 && bn->in[0] ? bn->in[0]->producer : NULL;
        if (!is_inference_bn(rw, bn) || !p)
            continue;
        if (!fold_bn_into_conv(rw, p, bn) && !fold_bn_into_gemm(rw, p, bn))
            ok = fold_bn_into_matmul(rw, p, bn, d);
    }
    return ok;
}
