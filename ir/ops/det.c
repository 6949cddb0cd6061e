/*
 * det.c - Det: the determinant of each square matrix in the last two
 * axes of a float32 or float64 tensor [*, M, M]; the output is [*].
 * Folds when the input is constant.
 */
#include "ir/ops/op_check.h"
#include "sinter_rt.h"

#include <stdlib.h>

/* The input as `batch` matrices of m x m. */
static void det_dims(const Node *n, size_t *batch, size_t *m)
{
    const Shape *s = &n->in[0]->shape;
    *batch = 1;
    for (int i = 0; i < s->rank - 2; i++)
        *batch *= (size_t)s->dim[i];
    *m = (size_t)s->dim[s->rank - 1];
}

static bool det_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!check_inputs_present(n, 1, d))
        return false;
    if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
        return node_error(d, n, "input 0 ('%s') is %s; Det takes float32 or float64", x->name,
                          dtype_label(x->dtype));
    const Shape *s = &x->shape;
    if (s->rank < 2 || s->dim[s->rank - 1] != s->dim[s->rank - 2])
        return node_error(d, n, "input 0 ('%s') must be [*, M, M] square matrices", x->name);
    Shape out = *s;
    out.rank -= 2;
    set_output(n, 0, x->dtype, &out);
    return true;
}

static bool det_fold(Node *n, Diag *d)
{
    (void)d;
    size_t batch, m;
    if (!all_inputs_const(n) || tensor_numel(n->in[0]) > FOLD_MAX_ELEMENTS)
        return true;
    det_dims(n, &batch, &m);
    double *work = xmalloc((m * m + 1) * sizeof *work);
    snt_det((int)n->in[0]->dtype, batch, m, n->in[0]->data, alloc_output(n, 0), work);
    free(work);
    return true;
}

/* About m^3 / 3 multiply-adds per matrix for the elimination. */
static OpCost det_cost(const Node *n)
{
    size_t batch, m;
    det_dims(n, &batch, &m);
    int64_t macs = sat_mul((int64_t)batch, sat_mul((int64_t)m, (int64_t)(m * m))) / 3;
    return (OpCost){.macs = macs, .flops = sat_mul(macs, 2)};
}

/* snt_det's work: one m x m matrix in double, from the arena. */
static size_t det_scratch_bytes(const Node *n)
{
    size_t batch, m;
    det_dims(n, &batch, &m);
    return m * m * sizeof(double);
}

static bool det_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    size_t batch, m;
    det_dims(n, &batch, &m);
    emit_line(e, "snt_det(%d /* %s */, %zu, %zu, %s, %s, (double *)%s);", (int)n->in[0]->dtype,
              dtype_label(n->in[0]->dtype), batch, m, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]), emit_scratch(e, det_scratch_bytes(n)));
    return true;
}

const OpDesc op_Det = {
    .name = "Det", .since = 11, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = det_infer, .fold = det_fold, .cost = det_cost, .emit = det_emit,
    .scratch_bytes = det_scratch_bytes,
};
