/*
 * layernorm.c - LayerNormalization (opset 17): normalizes x over its
 * axes from `axis` on, then scales by Scale and shifts by the optional B.
 * Y runs as one snt_layernorm_f32 call; the optional Mean and InvStdDev
 * outputs (meant for training) are computed by reduce and elementwise
 * kernels when a model asks for them.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

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
        !check_affine(n, 2, first, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    set_output(n, 0, n->in[0]->dtype, x);
    /* Mean and InvStdDev keep x's leading axes, with the normalized
     * ones of extent 1, in float32 (stash_type 1, the only one defined). */
    Shape stats = *x;
    for (int i = first; i < stats.rank; i++)
        stats.dim[i] = 1;
    for (int i = 1; i < n->n_out; i++)
        set_output(n, i, DT_FLOAT, &stats);
    return true;
}

/* Seven per element: sum, subtract, square, sum, scale by 1/stddev,
 * multiply by Scale, add B. */
static OpCost layernorm_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(7, tensor_numel(n->out[0]))};
}

/* The statistics' scratch: the row means unless Mean is an output, then
 * the deviations when InvStdDev is one (floats; none without either). */
static int64_t stats_scratch_floats(const Node *n, int64_t rows, int64_t cols)
{
    bool mean = n->n_out > 1 && n->out[1], inv = n->n_out > 2 && n->out[2];
    if (!mean && !inv)
        return 0;
    return (mean ? 0 : rows) + (inv ? rows * cols : 0);
}

static size_t layernorm_scratch_bytes(const Node *n)
{
    int first;
    int64_t rows = 0, cols = 0;
    return layernorm_view(n, &first, &rows, &cols, NULL)
               ? (size_t)stats_scratch_floats(n, rows, cols) * sizeof(float)
               : 0;
}

/* Mean and InvStdDev: the mean of each row, then 1 / sqrt(the mean of
 * the squared deviations + epsilon), with the deviations in scratch. */
static void layernorm_emit_stats(const Node *n, Emitter *e, int64_t rows, int64_t cols,
                                 const char *eps)
{
    const Tensor *mean = n->n_out > 1 ? n->out[1] : NULL, *inv = n->n_out > 2 ? n->out[2] : NULL;
    if (!mean && !inv)
        return;
    const char *x = emit_ptr(e, n->in[0]);
    snt_reduce_params by_row = {.out_rank = 1, .out_dims = {(size_t)rows},
                                .out_strides = {(ptrdiff_t)cols}, .red_rank = 1,
                                .red_dims = {(size_t)cols}, .red_strides = {1}};
    emit_params_snt_reduce_params(e, &by_row, "by_row");
    int64_t mean_floats = mean ? 0 : rows, floats = stats_scratch_floats(n, rows, cols);
    if (floats)
        emit_line(e, "float *s = %s;", emit_scratch(e, (size_t)floats * sizeof(float)));
    const char *pm = mean ? emit_ptr(e, mean) : "s";
    emit_line(e, "snt_reduce_f32(SNT_RED_MEAN, &by_row, %s, %s);", x, pm);
    if (!inv)
        return;
    char dev[48];
    snprintf(dev, sizeof dev, "s + %lld", (long long)mean_floats);
    const char *pi = emit_ptr(e, inv);
    snt_bcast centered = {.rank = 2, .dims = {(size_t)rows, (size_t)cols},
                          .a_strides = {(ptrdiff_t)cols, 1}, .b_strides = {1, 0}};
    snt_bcast squared = {.rank = 1, .dims = {(size_t)(rows * cols)}, .a_strides = {1},
                         .b_strides = {1}};
    snt_bcast plus_eps = {.rank = 1, .dims = {(size_t)rows}, .a_strides = {1}};
    emit_params_snt_bcast(e, &centered, "centered");
    emit_params_snt_bcast(e, &squared, "squared");
    emit_params_snt_bcast(e, &plus_eps, "plus_eps");
    emit_line(e, "static const float eps = %s;", eps);
    emit_line(e, "snt_binary_f32(SNT_BIN_SUB, &centered, %s, %s, %s);", x, pm, dev);
    emit_line(e, "snt_binary_f32(SNT_BIN_MUL, &squared, %s, %s, %s);", dev, dev, dev);
    emit_line(e, "snt_reduce_f32(SNT_RED_MEAN, &by_row, %s, %s);", dev, pi);
    emit_line(e, "snt_binary_f32(SNT_BIN_ADD, &plus_eps, %s, &eps, %s);", pi, pi);
    emit_line(e, "snt_unary_f32(SNT_UN_SQRT, %s, %s, %lld);", pi, pi, (long long)rows);
    emit_line(e, "snt_unary_f32(SNT_UN_RECIPROCAL, %s, %s, %lld);", pi, pi, (long long)rows);
}

static bool layernorm_emit(const Node *n, Emitter *e, Diag *d)
{
    int first;
    int64_t rows = 0, cols = 0;
    if (!check_f32_runtime(n, n->n_in, d) || !layernorm_view(n, &first, &rows, &cols, d))
        return false;
    Str eps = {0};
    str_float_literal(&eps, attr_float_or(n, "epsilon", 1e-5));
    /* The statistics first: Y may share x's bytes. */
    layernorm_emit_stats(n, e, rows, cols, eps.buf);
    emit_line(e, "snt_layernorm_f32%s%lld, %lld, %s, %s, %s, %s, %s);", emit_call_open(e),
              (long long)rows,
              (long long)cols, emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]),
              emit_ptr_or_null(e, n->n_in > 2 ? n->in[2] : NULL), eps.buf,
              emit_ptr(e, n->out[0]));
    str_free(&eps);
    return true;
}

const OpDesc op_LayerNormalization = {
    .name = "LayerNormalization", .since = 17, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 3,
    .infer = layernorm_infer, .cost = layernorm_cost, .emit = layernorm_emit,
    .scratch_bytes = layernorm_scratch_bytes,
};
