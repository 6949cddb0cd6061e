/*
 * dropout.c - Dropout, rewritten at compile time into ordinary nodes.
 *
 * Outside training (no training_mode input, training_mode false, or a
 * ratio of 0) Dropout is the identity: an Identity node, and a mask of
 * ones broadcast by an Expand node when the model asks for it.
 *
 * In training mode ONNX leaves the random generator unspecified; Sinter
 * picks numpy's legacy one, which the ONNX node tests use: the mask keeps
 * element i when the i-th value of np.random.seed(seed) then
 * np.random.uniform(0, 1, shape) is >= ratio.  The mask then depends only
 * on seed, ratio and shape, so it is drawn here, at compile time, and the
 * node becomes a Mul of the data by the constant mask scaled by
 * 1 / (1 - ratio); the bool mask output is a constant.  The same model
 * always drops the same elements: a seed attribute that is absent counts
 * as seed 0.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/sequence.h"
#include "ir/random.h"
#include "ir/ops/op_check.h"

/* What the node asks for, from its inputs and attributes. */
typedef struct {
    bool random;     /* training mode with ratio > 0: elements are dropped */
    double ratio;    /* probability of dropping an element, in [0, 1) */
    uint32_t seed;   /* numpy's seed for the mask */
} DropoutMode;

/* Reads scalar input i of n, which must be constant, as a double. */
static bool const_scalar(const Node *n, int i, double *v, Diag *d)
{
    const Tensor *t = n->in[i];
    if (!tensor_is_const(t))
        return node_error(d, n, "input %d ('%s') must be known at compile time", i, t->name);
    if (tensor_numel(t) != 1)
        return node_error(d, n, "input %d ('%s') must hold one value, not %lld", i, t->name,
                          (long long)tensor_numel(t));
    *v = dtype_get_f64(t->dtype, t->data, 0);
    return true;
}

/* Whether training_mode (input 2, opset 12+) is given and true. */
static bool read_training(const Node *n, bool *training, Diag *d)
{
    double v = 0;
    if (n->n_in > 2 && n->in[2] && !const_scalar(n, 2, &v, d))
        return false;
    *training = v != 0;
    return true;
}

/* The ratio of a node in training mode: input 1, 0.5 when omitted. */
static bool read_ratio(const Node *n, double *ratio, Diag *d)
{
    *ratio = 0.5;
    if (n->n_in > 1 && n->in[1] && !const_scalar(n, 1, ratio, d))
        return false;
    /* A ratio of 1 would scale by infinity; ONNX's range is [0, 1). */
    if (!(*ratio >= 0 && *ratio < 1))
        return node_error(d, n, "ratio %g is outside [0, 1)", *ratio);
    return true;
}

/* The seed attribute, 0 when absent; numpy's seeds are 32-bit. */
static bool read_seed(const Node *n, uint32_t *seed, Diag *d)
{
    int64_t v = attr_int_or(n, "seed", 0);
    if (v < 0 || v > (int64_t)UINT32_MAX)
        return node_error(d, n, "seed %lld is outside numpy's range [0, 4294967295]",
                          (long long)v);
    *seed = (uint32_t)v;
    return true;
}

static bool dropout_mode(const Node *n, DropoutMode *m, Diag *d)
{
    bool training;
    *m = (DropoutMode){0};
    if (!read_training(n, &training, d))
        return false;
    if (!training)
        return true;
    if (!read_ratio(n, &m->ratio, d) || !read_seed(n, &m->seed, d))
        return false;
    m->random = m->ratio > 0;
    return true;
}

/* ---- the replacement nodes ----------------------------------------- */

/* Makes `out` (shaped like x) a tensor of ones: a scalar one broadcast by
 * Expand, which folds when small and costs no constant when large. */
static void build_ones(Graph *g, const Node *n, const Tensor *x, Tensor *out, DType dtype)
{
    Shape scalar = {0}, dims = {.rank = 1, .dim = {x->shape.rank}};
    Tensor *one = rewrite_const(g, dtype, &scalar, NULL, "%s", out->name);
    dtype_set_f64(dtype, one->data, 0, 1);
    Tensor *shape = rewrite_const(g, DT_INT64, &dims, NULL, "%s", out->name);
    for (int i = 0; i < x->shape.rank; i++)
        dtype_set_i64(DT_INT64, shape->data, (size_t)i, x->shape.dim[i]);
    Node *m = rewrite_node(g, n, "Expand", n->opset);
    node_add_input(m, one);
    node_add_input(m, shape);
    node_add_output(m, out);
}

/* The identity; the mask, if wanted, is all ones (bool from opset 10,
 * the data's dtype before). */
static void build_identity_dropout(Graph *g, const Node *n)
{
    Tensor *x = n->in[0];
    build_identity(g, n, x, n->out[0]);
    if (n->n_out > 1)
        build_ones(g, n, x, n->out[1], n->opset >= 10 ? DT_BOOL : x->dtype);
}

/* Draws numpy's mask into `keep` (bools; NULL when not wanted) and the
 * kept elements' scale, 1 / (1 - ratio), into `scaled` (of the data's
 * dtype, 0 where dropped). */
static void draw_mask(const DropoutMode *m, Tensor *keep, Tensor *scaled)
{
    Mt19937 mt;
    double scale = 1 / (1 - m->ratio);
    mt19937_seed(&mt, m->seed);
    for (int64_t i = 0; i < tensor_numel(scaled); i++) {
        bool kept = mt19937_next_double(&mt) >= m->ratio;
        if (keep)
            dtype_set_i64(DT_BOOL, keep->data, (size_t)i, kept);
        dtype_set_f64(scaled->dtype, scaled->data, (size_t)i, kept ? scale : 0);
    }
}

/* Output 0 = x * the scaled mask (a Mul, which folds when x is constant);
 * output 1, if wanted, the mask itself. */
static bool build_random_dropout(Graph *g, const Node *n, const DropoutMode *m, Diag *d)
{
    Tensor *x = n->in[0];
    const OpDesc *mul = op_lookup("", "Mul");
    if (!mul || !(mul->dtypes & DT_BIT(x->dtype)))
        return node_error(d, n, "training-mode dropout of %s is not supported",
                          dtype_label(x->dtype));
    if (!check_fold_size(n, &x->shape, d))
        return false;
    Tensor *keep = NULL;
    if (n->n_out > 1)
        keep = rewrite_const(g, DT_BOOL, &x->shape, NULL, "dropout_mask");
    Tensor *scaled = rewrite_const(g, x->dtype, &x->shape, NULL, "dropout_scaled_mask");
    draw_mask(m, keep, scaled);
    Node *times = rewrite_node(g, n, "Mul", n->opset);
    node_add_input(times, x);
    node_add_input(times, scaled);
    node_add_output(times, n->out[0]);
    if (keep)
        build_identity(g, n, keep, n->out[1]);
    return true;
}

static bool dropout_expand(Node *n, Graph *g, Diag *d)
{
    DropoutMode m;
    if (!check_inputs_present(n, 1, d))
        return false;
    if (n->in[0]->kind != KIND_TENSOR)
        return node_error(d, n, "input 0 ('%s') must be a tensor", n->in[0]->name);
    if (!check_movable(n, n->in[0], d) || !dropout_mode(n, &m, d))
        return false;
    if (!m.random) {
        build_identity_dropout(g, n);
        return true;
    }
    return build_random_dropout(g, n, &m, d);
}

const OpDesc op_Dropout = {
    .name = "Dropout",
    .since = 7, .until = 21, /* opsets 1-6 had is_test and consumed_inputs */
    .min_in = 1, .max_in = 3,
    .min_out = 1, .max_out = 2,
    .expand = dropout_expand,
    .dtypes = DT_SET_FLOAT | DT_BIT(DT_BFLOAT16),
    .restriction = "training mode: only the dtypes Mul computes in; ratio and training_mode "
                   "must be known at compile time; mask as numpy's np.random.seed(seed), "
                   "uniform(0, 1) >= ratio, seed 0 when absent",
};
