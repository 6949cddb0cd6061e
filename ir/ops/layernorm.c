/*
 * layernorm.c - LayerNormalization (opset 17): normalizes x over its
 * axes from `axis` on, then scales by Scale and shifts by the optional B.
 * Only output Y is supported; the Mean and InvStdDev outputs (for
 * training) are rejected.
 */
#include "ir/ops/op_emit.h"

/* x viewed as [rows][cols], normalizing each row: the axes from
 * *first on are the normalized ones. */
static bool layernorm_view(const Node *n, int *first, int64_t *rows, int64_t *cols, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t axis = attr_int_or(n, "axis", -1);
    if (!axis_normalize(axis, x->rank, first))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)axis,
                          x->rank);
    *rows = *cols = 1;
    for (int i = 0; i < x->rank; i++)
        *(i < *first ? rows : cols) *= x->dim[i];
    return true;
}

/* Scale and B hold one value per normalized element: their shape is
 * x's shape from axis `first` on, perhaps after leading unit axes. */
static bool check_affine(const Node *n, int i, int first, Diag *d)
{
    const Tensor *t = i < n->n_in ? n->in[i] : NULL;
    if (!t)
        return true;
    if (!check_same_dtype(n, i, d))
        return false;
    const Shape *x = &n->in[0]->shape, *s = &t->shape;
    bool fits = s->rank <= x->rank;
    for (int k = 0; fits && k < s->rank; k++) {
        int xa = x->rank - s->rank + k;
        fits = s->dim[k] == (xa >= first ? x->dim[xa] : 1);
    }
    char buf[128];
    if (!fits)
        return node_error(d, n, "input %d ('%s') of shape %s does not match the normalized axes",
                          i, t->name, shape_str(s, buf, sizeof buf));
    return true;
}

static bool layernorm_infer(Node *n, Diag *d)
{
    int first;
    int64_t rows, cols;
    if (!check_inputs_present(n, 2, d) || !check_float_input(n, 0, d) ||
        !layernorm_view(n, &first, &rows, &cols, d) || !check_affine(n, 1, first, d) ||
        !check_affine(n, 2, first, d) || !check_output_absent(n, 1, "Mean", d) ||
        !check_output_absent(n, 2, "InvStdDev", d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &n->in[0]->shape);
    return true;
}

/* Seven per element: sum, subtract, square, sum, scale by 1/stddev,
 * multiply by Scale, add B. */
static OpCost layernorm_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(7, tensor_numel(n->out[0]))};
}

static bool layernorm_emit(const Node *n, Emitter *e, Diag *d)
{
    int first;
    int64_t rows, cols;
    if (!check_f32_runtime(n, d) || !layernorm_view(n, &first, &rows, &cols, d))
        return false;
    Str eps = {0};
    str_float_literal(&eps, attr_float_or(n, "epsilon", 1e-5));
    emit_line(e, "snt_layernorm_f32(%lld, %lld, %s, %s, %s, %s, %s);", (long long)rows,
              (long long)cols, emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]),
              emit_ptr_or_null(e, n->n_in > 2 ? n->in[2] : NULL), eps.buf,
              emit_ptr(e, n->out[0]));
    str_free(&eps);
    return true;
}

const OpDesc op_LayerNormalization = {
    .name = "LayerNormalization", .since = 17, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 3,
    .infer = layernorm_infer, .cost = layernorm_cost, .emit = layernorm_emit,
};
