/*
 * matmul.c - MatMul with numpy matmul semantics: a rank-1 A is a row
 * (1 x K) and a rank-1 B a column (K x 1) whose unit axis is dropped from
 * the result; the leading (batch) axes broadcast.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

/* A and B seen as stacks of matrices. */
typedef struct {
    Shape a_batch, b_batch, batch;  /* leading axes; batch = broadcast of both */
    int64_t m, n, k;
} MatMulDims;

/* Splits x into its batch axes and its trailing matrix, reading a
 * rank-1 operand as a row (A) or a column (B). */
static void matrix_split(const Shape *x, bool is_a, Shape *batch, int64_t *rows, int64_t *cols)
{
    if (x->rank == 1) {
        batch->rank = 0;
        *rows = is_a ? 1 : x->dim[0];
        *cols = is_a ? x->dim[0] : 1;
        return;
    }
    *batch = *x;
    batch->rank = x->rank - 2;
    *rows = x->dim[x->rank - 2];
    *cols = x->dim[x->rank - 1];
}

static bool matmul_dims(const Node *n, MatMulDims *md, Diag *d)
{
    const Shape *a = &n->in[0]->shape, *b = &n->in[1]->shape;
    char sa[128], sb[128];
    if (a->rank < 1 || b->rank < 1)
        return node_error(d, n, "operands must have rank 1 or more, not %d and %d", a->rank,
                          b->rank);
    int64_t kb;
    matrix_split(a, true, &md->a_batch, &md->m, &md->k);
    matrix_split(b, false, &md->b_batch, &kb, &md->n);
    if (kb != md->k || !shape_broadcast(&md->a_batch, &md->b_batch, &md->batch))
        return node_error(d, n, "shapes %s and %s do not multiply", shape_str(a, sa, sizeof sa),
                          shape_str(b, sb, sizeof sb));
    return true;
}

static bool matmul_infer(Node *n, Diag *d)
{
    MatMulDims md;
    if (!check_inputs_present(n, 2, d) || !check_same_dtype(n, 1, d) ||
        !matmul_dims(n, &md, d))
        return false;
    if (!dtype_is_numeric(n->in[0]->dtype))
        return node_error(d, n, "unsupported dtype %s", dtype_label(n->in[0]->dtype));
    /* Batch axes, then M unless A was a vector, then N unless B was. */
    Shape y = md.batch;
    if (n->in[0]->shape.rank > 1)
        y.dim[y.rank++] = md.m;
    if (n->in[1]->shape.rank > 1)
        y.dim[y.rank++] = md.n;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* M x N x K multiply-accumulates per batch entry. */
static OpCost matmul_cost(const Node *n)
{
    MatMulDims md;
    OpCost c = {0};
    if (matmul_dims(n, &md, NULL)) {
        c.macs = sat_mul(sat_mul(shape_numel(&md.batch), md.m), sat_mul(md.n, md.k));
        c.flops = sat_mul(2, c.macs);
    }
    return c;
}

/* Strides between consecutive matrices of one operand along the batch
 * axes; 0 where the operand is broadcast. */
static void batch_strides(const Shape *own, const Shape *batch, int64_t matrix_size,
                          ptrdiff_t *out)
{
    int64_t s[MAX_RANK];
    broadcast_strides(own, batch, s);
    for (int i = 0; i < batch->rank; i++)
        out[i] = (ptrdiff_t)(s[i] * matrix_size);
}

/* The kernel's parameters for the node's dims. */
static snt_matmul_params matmul_params(const MatMulDims *md)
{
    snt_matmul_params mp = {.batch_rank = md->batch.rank, .m = (size_t)md->m,
                            .n = (size_t)md->n, .k = (size_t)md->k};
    for (int i = 0; i < md->batch.rank; i++)
        mp.batch_dims[i] = (size_t)md->batch.dim[i];
    batch_strides(&md->a_batch, &md->batch, md->m * md->k, mp.a_batch_strides);
    batch_strides(&md->b_batch, &md->batch, md->k * md->n, mp.b_batch_strides);
    return mp;
}

static bool matmul_emit(const Node *n, Emitter *e, Diag *d)
{
    MatMulDims md;
    if (!check_f32_runtime(n, n->n_in, d) || !matmul_dims(n, &md, d))
        return false;
    snt_matmul_params mp = matmul_params(&md);
    emit_params_snt_matmul_params(e, &mp, "p");
    emit_line(e, "snt_matmul_f32%s&p, %s, %s, %s, %s);", emit_call_open(e),
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr(e, n->out[0]),
              emit_scratch(e, snt_matmul_scratch_floats(&mp) * sizeof(float)));
    return true;
}

/* snt_sgemm's packed blocks, so the planner gives them arena space. */
static size_t matmul_scratch_bytes(const Node *n)
{
    MatMulDims md;
    if (!matmul_dims(n, &md, NULL))
        return 0;
    snt_matmul_params mp = matmul_params(&md);
    return snt_matmul_scratch_floats(&mp) * sizeof(float);
}

const OpDesc op_MatMul = {
    .name = "MatMul", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = matmul_infer, .cost = matmul_cost, .emit = matmul_emit,
    .scratch_bytes = matmul_scratch_bytes, .parallel = true,
};
