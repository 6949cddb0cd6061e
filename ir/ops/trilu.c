/*
 * trilu.c - Trilu: keeps the upper (or lower) triangle of each matrix in
 * the last two axes, from diagonal k on, and zeroes the rest.
 *
 * k may be a run-time input: the generated code reads it when the
 * kernel runs, so it need not be known at compile time.
 */
#include "ir/ops/data_util.h"

/* The optional k input, or NULL. */
static const Tensor *trilu_k(const Node *n) { return n->n_in > 1 ? n->in[1] : NULL; }

static bool trilu_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *k = trilu_k(n);
    if (!check_movable(n, x, d))
        return false;
    if (x->shape.rank < 2)
        return node_error(d, n, "input '%s' must have rank 2 or more, not %d", x->name,
                          x->shape.rank);
    if (k && (k->dtype != DT_INT64 || tensor_numel(k) != 1))
        return node_error(d, n, "k '%s' must be one int64 value", k->name);
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

/* The input as `batch` matrices of rows x cols. */
static void trilu_dims(const Node *n, size_t *batch, size_t *rows, size_t *cols)
{
    const Shape *s = &n->in[0]->shape;
    *batch = 1;
    for (int i = 0; i < s->rank - 2; i++)
        *batch *= (size_t)s->dim[i];
    *rows = (size_t)s->dim[s->rank - 2];
    *cols = (size_t)s->dim[s->rank - 1];
}

static bool trilu_upper(const Node *n) { return attr_int_or(n, "upper", 1) != 0; }

static bool trilu_fold(Node *n, Diag *d)
{
    (void)d;
    const Tensor *k = trilu_k(n);
    if (!all_inputs_const(n))
        return true;
    size_t batch, rows, cols;
    trilu_dims(n, &batch, &rows, &cols);
    snt_trilu(batch, rows, cols, k ? dtype_get_i64(k->dtype, k->data, 0) : 0, trilu_upper(n),
              dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, 0));
    return true;
}

static bool trilu_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    const Tensor *k = trilu_k(n);
    size_t batch, rows, cols;
    trilu_dims(n, &batch, &rows, &cols);
    Str k_expr = {0};
    if (k)
        str_putf(&k_expr, "%s[0]", emit_ptr(e, k));
    else
        str_puts(&k_expr, "0");
    emit_line(e, "snt_trilu(%zu, %zu, %zu, %s, %d, sizeof(%s), %s, %s);", batch, rows, cols,
              k_expr.buf, trilu_upper(n), dtype_ctype(n->out[0]->dtype), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    str_free(&k_expr);
    return true;
}

const OpDesc op_Trilu = {
    .name = "Trilu",
    .dtypes = DT_SET_ALL,
    .since = 14, .until = 21,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = trilu_infer,
    .fold = trilu_fold,
    .emit = trilu_emit,
};
