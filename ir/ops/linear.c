/*
 * linear.c - Linear: a fully connected layer over the last axis,
 *
 *   Y = act(X W + B),  X [..., K], W [K, N], B [N] (optional), Y [..., N]
 *
 * in one kernel call (snt_linear_f32).  Sinter-internal:
 * passes/fuse_linear.c makes it from MatMul by a constant matrix, a bias
 * Add and an activation; no model may name it (ONNX defines no Linear).
 * The activation is in attributes (ir/ops/fused.h).  An optional input 3
 * holds W packed as B panels for the f32-gemm variant named by the
 * `ukernel` attribute (passes/select_kernels.c); the call then is
 * snt_linear_gemm_f32 on that variant, or for one row (one sample)
 * snt_linear_gemv_f32 on the f32-gemv variant of its ISA, which streams
 * the same panels faster.
 */
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/packed.h"
#include "ir/ops/staging.h"

enum { IN_PACKED = 3 };

static const Tensor *linear_bias(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

/* Floats of W [k, n] packed as B panels for v. */
static size_t packed_floats(const Node *n, const Variant *v)
{
    const Shape *w = &n->in[1]->shape;
    return snt_f32_gemm_packed_b_floats((size_t)w->dim[0], (size_t)w->dim[1], v->nr);
}

static bool linear_infer(Node *n, Diag *d)
{
    snt_act act;
    if (!check_inputs_present(n, 2, d) || !check_float_input(n, 0, d) ||
        !check_same_dtype(n, 1, d) || !check_same_dtype(n, 2, d) || !fused_act_get(n, &act, d))
        return false;
    const Shape *x = &n->in[0]->shape, *w = &n->in[1]->shape;
    const Tensor *b = linear_bias(n);
    if (x->rank < 1 || w->rank != 2 || w->dim[0] != x->dim[x->rank - 1])
        return node_error(d, n, "X's last axis must match W's rows, and W must be a matrix");
    if (b && (b->shape.rank != 1 || b->shape.dim[0] != w->dim[1]))
        return node_error(d, n, "B must have shape [%lld]", (long long)w->dim[1]);
    Shape y = *x;
    y.dim[y.rank - 1] = w->dim[1];
    set_output(n, 0, n->in[0]->dtype, &y);
    return check_packed(n, IN_PACKED, FAMILY_F32_GEMM, packed_floats, d);
}

/* MatMul's count (a MAC per weight product, two FLOPs each), plus per
 * output element one for the bias (as Add counts) and the activation's
 * (act_flops): the totals of the ops it replaces. */
static OpCost linear_cost(const Node *n)
{
    const Tensor *y = n->out[0];
    snt_act act;
    int64_t per_element = fused_act_get(n, &act, NULL) ? act_flops(act.kind) : 0;
    if (linear_bias(n))
        per_element += 1;
    OpCost c = {.macs = sat_mul(tensor_numel(y), n->in[1]->shape.dim[0])};
    c.flops = sat_mul(2, c.macs) + sat_mul(per_element, tensor_numel(y));
    return c;
}

/* The kernel's parameters: rows are every leading axis of X. */
static snt_linear_params linear_params(const Node *n, const snt_act *act)
{
    const Shape *w = &n->in[1]->shape;
    snt_linear_params p = {0};
    p.m = (size_t)(w->dim[1] ? tensor_numel(n->out[0]) / w->dim[1] : 0);
    p.n = (size_t)w->dim[1];
    p.k = (size_t)w->dim[0];
    p.act = *act;
    return p;
}

/* For one row of X over panels of f32-gemm variant v: the f32-gemv
 * variant of v's ISA that reads them, or NULL. */
static const Variant *row_variant(const snt_linear_params *lp, const Variant *v)
{
    const Variant *gemv = v && lp->m == 1 ? variant_of_same_isa(v, FAMILY_F32_GEMV) : NULL;
    return gemv && gemv->nr == v->nr ? gemv : NULL;
}

/* Floats of scratch the kernel asks for: none for one row on f32-gemv,
 * the micro-kernel path's packed blocks of X, or snt_sgemm's. */
static size_t scratch_floats(const Node *n, const snt_linear_params *lp)
{
    const Variant *v = packed_variant(n, IN_PACKED, FAMILY_F32_GEMM);
    if (row_variant(lp, v))
        return 0;
    if (v)
        return snt_linear_gemm_scratch_floats(lp, v->mr, v->nr);
    return snt_sgemm_scratch_floats(lp->m, lp->n, lp->k);
}

static bool linear_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_act act;
    const Variant *v = packed_variant(n, IN_PACKED, FAMILY_F32_GEMM);
    if (!check_f32_runtime(n, n->n_in, d) || !fused_act_get(n, &act, d))
        return false;
    snt_linear_params lp = linear_params(n, &act);
    emit_params_snt_linear_params(e, &lp, "p");
    const char *x = emit_ptr(e, n->in[0]), *b = emit_ptr_or_null(e, linear_bias(n));
    const char *y = emit_ptr(e, n->out[0]);
    const Variant *row = row_variant(&lp, v);
    if (row) {
        emit_line(e, "snt_linear_gemv_f32%s&p, &%s, %s, %s, %s, %s);", emit_call_open(e),
                  row->name, x, emit_ptr(e, n->in[IN_PACKED]), b, y);
        return true;
    }
    const char *s = emit_scratch(e, scratch_floats(n, &lp) * sizeof(float));
    if (v)
        emit_line(e, "snt_linear_gemm_f32%s&p, &%s, %s, %s, %s, %s, %s);", emit_call_open(e),
                  v->name, x,
                  emit_ptr(e, n->in[IN_PACKED]), b, y, s);
    else
        emit_line(e, "snt_linear_f32(&p, %s, %s, %s, %s, %s);", x, emit_ptr(e, n->in[1]), b, y, s);
    return true;
}

/* The kernel's scratch, so the planner can place it. */
static size_t linear_scratch_bytes(const Node *n)
{
    snt_act none = {.kind = SNT_ACT_NONE};
    snt_linear_params lp = linear_params(n, &none);
    return scratch_floats(n, &lp) * sizeof(float);
}

const OpDesc op_Linear = {
    .name = "Linear", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 4, .min_out = 1, .max_out = 1,
    .infer = linear_infer, .cost = linear_cost, .emit = linear_emit,
    .scratch_bytes = linear_scratch_bytes, .parallel = true,
    .internal = true,
};
