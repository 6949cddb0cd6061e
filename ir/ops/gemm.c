/*
 * gemm.c - Gemm: Y = alpha * op(A) * op(B) + beta * C, op transposing
 * when transA / transB is set, with the optional C broadcast to (M, N).
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

typedef struct {
    int64_t m, n, k;
    bool trans_a, trans_b;
    ptrdiff_t c_rs, c_cs;   /* strides reading C as M x N; 0 = broadcast */
} GemmDims;

static const Tensor *gemm_c(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

/* C must broadcast (unidirectionally) to M x N. */
static bool gemm_c_strides(const Node *n, GemmDims *g, Diag *d)
{
    const Tensor *c = gemm_c(n);
    g->c_rs = g->c_cs = 0;
    if (!c)
        return true;
    Shape mn = {.rank = 2, .dim = {g->m, g->n}}, joint;
    char sc[128], sy[128];
    if (c->shape.rank > 2 || !shape_broadcast(&c->shape, &mn, &joint) ||
        !shape_equal(&joint, &mn))
        return node_error(d, n, "C of shape %s does not broadcast to %s",
                          shape_str(&c->shape, sc, sizeof sc), shape_str(&mn, sy, sizeof sy));
    int64_t s[2];
    broadcast_strides(&c->shape, &mn, s);
    g->c_rs = (ptrdiff_t)s[0];
    g->c_cs = (ptrdiff_t)s[1];
    return true;
}

static bool gemm_dims(const Node *n, GemmDims *g, Diag *d)
{
    const Shape *a = &n->in[0]->shape, *b = &n->in[1]->shape;
    char sa[128], sb[128];
    if (a->rank != 2 || b->rank != 2)
        return node_error(d, n, "A and B must be matrices, not of rank %d and %d", a->rank,
                          b->rank);
    g->trans_a = attr_int_or(n, "transA", 0) != 0;
    g->trans_b = attr_int_or(n, "transB", 0) != 0;
    g->m = a->dim[g->trans_a ? 1 : 0];
    g->k = a->dim[g->trans_a ? 0 : 1];
    g->n = b->dim[g->trans_b ? 0 : 1];
    if (b->dim[g->trans_b ? 1 : 0] != g->k)
        return node_error(d, n, "shapes %s and %s do not multiply (transA=%d, transB=%d)",
                          shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb), g->trans_a,
                          g->trans_b);
    return gemm_c_strides(n, g, d);
}

static bool gemm_infer(Node *n, Diag *d)
{
    GemmDims g;
    if (!check_inputs_present(n, 2, d) || !check_same_dtype(n, 1, d) ||
        !check_same_dtype(n, 2, d) || !gemm_dims(n, &g, d))
        return false;
    if (!dtype_is_numeric(n->in[0]->dtype))
        return node_error(d, n, "unsupported dtype %s", dtype_label(n->in[0]->dtype));
    Shape y = {.rank = 2, .dim = {g.m, g.n}};
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* M x N x K multiply-accumulates, plus one add per output for C. */
static OpCost gemm_cost(const Node *n)
{
    GemmDims g = {0};
    OpCost c = {0};
    if (gemm_dims(n, &g, NULL)) {
        c.macs = sat_mul(sat_mul(g.m, g.n), g.k);
        c.flops = sat_mul(2, c.macs) + (gemm_c(n) ? sat_mul(g.m, g.n) : 0);
    }
    return c;
}

static size_t gemm_scratch_floats(const GemmDims *g)
{
    return snt_sgemm_scratch_floats((size_t)g->m, (size_t)g->n, (size_t)g->k);
}

static bool gemm_emit(const Node *n, Emitter *e, Diag *d)
{
    GemmDims g;
    if (!check_f32_runtime(n, n->n_in, d) || !gemm_dims(n, &g, d))
        return false;
    snt_gemm_params p = {
        .m = (size_t)g.m, .n = (size_t)g.n, .k = (size_t)g.k,
        .trans_a = g.trans_a, .trans_b = g.trans_b,
        .alpha = (float)attr_float_or(n, "alpha", 1.0),
        .beta = (float)attr_float_or(n, "beta", 1.0),
        .c_rs = g.c_rs, .c_cs = g.c_cs,
    };
    emit_params_snt_gemm_params(e, &p, "p");
    emit_line(e, "snt_gemm_f32%s&p, %s, %s, %s, %s, %s);", emit_call_open(e),
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr_or_null(e, gemm_c(n)), emit_ptr(e, n->out[0]),
              emit_scratch(e, gemm_scratch_floats(&g) * sizeof(float)));
    return true;
}

/* snt_sgemm's packed blocks, so the planner gives them arena space. */
static size_t gemm_scratch_bytes(const Node *n)
{
    GemmDims g = {0};
    return gemm_dims(n, &g, NULL) ? gemm_scratch_floats(&g) * sizeof(float) : 0;
}

/* Opset 7 replaced the `broadcast` attribute by numpy broadcasting of
 * C; C became optional at 11. */
const OpDesc op_Gemm = {
    .name = "Gemm", .since = 7, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = gemm_infer, .cost = gemm_cost, .emit = gemm_emit,
    .scratch_bytes = gemm_scratch_bytes, .parallel = true,
};
