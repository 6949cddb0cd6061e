/*
 * pointwise_pair.c - PointwisePair: two 1x1 convolutions in a row, the
 * first one's output never stored (snt_pointwise_pair_f32):
 *
 *   H = act1(Conv1x1(X, W1, B1)) * S1 + T1
 *   Y = act2(Conv1x1(H, W2, B2)) * S2 + T2 + residual
 *
 * Sinter-internal: passes/fuse_pointwise_pair.c makes it from two
 * FusedConv nodes of stride 1 without padding, each on the same f32-gemm
 * variant with packed weights; no model may name it.  Inputs:
 *   0 X [N, C, H, W]    1 W1 [M, C, 1, 1]   2 B1 [M]   3 S1 [M]   4 T1 [M]
 *   5 W2 [K, M, 1, 1]   6 B2 [K]   7 S2 [K]   8 T2 [K]   9 residual (Y's shape)
 *   10 W1 packed, 11 W2 packed (snt_conv2d_pack_weights for `ukernel`)
 * B, S/T (both or neither) and the residual are optional.  Attributes:
 * `ukernel`, act2 as a FusedConv's activation attributes and act1 the
 * same with the prefix "first_".  W1 and W2 stay for shapes and cost;
 * the code reads only their packed copies.
 */
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

enum {
    IN_X, IN_W1, IN_B1, IN_S1, IN_T1, IN_W2, IN_B2, IN_S2, IN_T2, IN_RESIDUAL,
    IN_W1_PACKED, IN_W2_PACKED, IN_COUNT
};

/* W [rows, cols, 1, 1] of float32. */
static bool is_pointwise_weight(const Tensor *w, int64_t cols)
{
    return w && w->dtype == DT_FLOAT && w->shape.rank == 4 && w->shape.dim[1] == cols &&
           w->shape.dim[2] == 1 && w->shape.dim[3] == 1;
}

/* Input i, when present, is a float32 vector of `len`. */
static bool check_vector(const Node *n, int i, int64_t len, Diag *d)
{
    const Tensor *t = node_input(n, i);
    if (t && (t->dtype != DT_FLOAT || t->shape.rank != 1 || t->shape.dim[0] != len))
        return node_error(d, n, "input %d must be float32 [%lld]", i, (long long)len);
    return true;
}

/* The kernel's parameters from the shapes and attributes. */
static bool pair_params(const Node *n, snt_pointwise_pair_params *p, Diag *d)
{
    const Tensor *x = node_input(n, IN_X), *w1 = node_input(n, IN_W1);
    const Tensor *w2 = node_input(n, IN_W2);
    if (!x || !w1 || !w2 || x->dtype != DT_FLOAT || x->shape.rank != 4 ||
        !is_pointwise_weight(w1, x->shape.dim[1]) ||
        !is_pointwise_weight(w2, w1->shape.dim[0]))
        return node_error(d, n, "needs X [N, C, H, W], W1 [M, C, 1, 1] and W2 [K, M, 1, 1] "
                                "of float32");
    const int64_t *xd = x->shape.dim;
    *p = (snt_pointwise_pair_params){
        .n = (size_t)xd[0], .c = (size_t)xd[1], .hw = (size_t)(xd[2] * xd[3]),
        .m = (size_t)w1->shape.dim[0], .k = (size_t)w2->shape.dim[0]};
    if (p->c == 0 || p->m == 0)
        return node_error(d, n, "needs at least one channel in X and H");
    return fused_act_get_at(n, "first_", &p->act1, d) && fused_act_get(n, &p->act2, d);
}

/* The f32-gemm variant `ukernel` names (both weights are packed for it). */
static const Variant *pair_variant(const Node *n)
{
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    return v && v->family == FAMILY_F32_GEMM ? v : NULL;
}

/* A packed weight of rows x depth for v, as snt_conv2d_pack_weights. */
static bool check_packed_weight(const Node *n, int i, size_t rows, size_t depth,
                                const Variant *v, Diag *d)
{
    const Tensor *t = node_input(n, i);
    size_t want = snt_f32_gemm_packed_a_floats(rows, depth, v->mr);
    if (!t || t->dtype != DT_FLOAT || t->shape.rank != 1 || (size_t)t->shape.dim[0] != want)
        return node_error(d, n, "input %d must be W packed for %s: float32 [%zu]", i, v->name,
                          want);
    return true;
}

static bool pair_infer(Node *n, Diag *d)
{
    snt_pointwise_pair_params p;
    const Variant *v = pair_variant(n);
    if (!pair_params(n, &p, d))
        return false;
    if (!v)
        return node_error(d, n, "needs a known f32-gemm 'ukernel', not '%s'",
                          attr_string_or(n, "ukernel", ""));
    if (!node_input(n, IN_S1) != !node_input(n, IN_T1) || !node_input(n, IN_S2) != !node_input(n, IN_T2))
        return node_error(d, n, "a post scale and shift must be given together");
    if (!check_vector(n, IN_B1, (int64_t)p.m, d) || !check_vector(n, IN_S1, (int64_t)p.m, d) ||
        !check_vector(n, IN_T1, (int64_t)p.m, d) || !check_vector(n, IN_B2, (int64_t)p.k, d) ||
        !check_vector(n, IN_S2, (int64_t)p.k, d) || !check_vector(n, IN_T2, (int64_t)p.k, d) ||
        !check_packed_weight(n, IN_W1_PACKED, p.m, p.c, v, d) ||
        !check_packed_weight(n, IN_W2_PACKED, p.k, p.m, v, d))
        return false;
    Tensor *y = n->out[0];
    y->dtype = DT_FLOAT;
    y->shape = node_input(n, IN_X)->shape;
    y->shape.dim[1] = (int64_t)p.k;
    y->shape_known = true;
    const Tensor *res = node_input(n, IN_RESIDUAL);
    if (res && (res->dtype != DT_FLOAT || !shape_equal(&res->shape, &y->shape)))
        return node_error(d, n, "the residual must have the output's dtype and shape");
    return true;
}

/* Per output element of one layer: the activation's FLOPs, two for the
 * affine, one for a bias add, one for the residual (as the FusedConvs
 * it replaces count them). */
static int64_t epilogue_flops(const snt_act *act, bool bias, bool affine, bool residual)
{
    return act_flops(act->kind) + (bias ? 1 : 0) + (affine ? 2 : 0) + (residual ? 1 : 0);
}

static OpCost pair_cost(const Node *n)
{
    snt_pointwise_pair_params p;
    OpCost c = {0};
    if (!pair_params(n, &p, NULL))
        return c;
    int64_t pixels = sat_mul((int64_t)p.n, (int64_t)p.hw);
    int64_t h = sat_mul(pixels, (int64_t)p.m), y = sat_mul(pixels, (int64_t)p.k);
    c.macs = sat_mul(h, (int64_t)p.c) + sat_mul(y, (int64_t)p.m);
    c.flops = 2 * c.macs +
              sat_mul(h, epilogue_flops(&p.act1, node_input(n, IN_B1), node_input(n, IN_S1), false)) +
              sat_mul(y, epilogue_flops(&p.act2, node_input(n, IN_B2), node_input(n, IN_S2),
                                        node_input(n, IN_RESIDUAL)));
    return c;
}

static bool pair_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_pointwise_pair_params p;
    const Variant *v = pair_variant(n);
    if (!pair_params(n, &p, d) || !v)
        return false;
    emit_params_snt_pointwise_pair_params(e, &p, "p");
    size_t scratch = snt_pointwise_pair_scratch_floats(&p, v->mr, v->nr);
    /* Not W1 and W2: naming them would emit their data too. */
    const char *ptr[IN_COUNT] = {0};
    for (int i = 0; i < IN_COUNT; i++)
        if (i != IN_W1 && i != IN_W2)
            ptr[i] = emit_ptr_or_null(e, node_input(n, i));
    emit_line(e, "snt_pointwise_pair_f32%s&p, &%s, %s,", emit_call_open(e), v->name, ptr[IN_X]);
    emit_line(e, "    %s, %s, %s, %s,", ptr[IN_W1_PACKED], ptr[IN_B1], ptr[IN_S1], ptr[IN_T1]);
    emit_line(e, "    %s, %s, %s, %s,", ptr[IN_W2_PACKED], ptr[IN_B2], ptr[IN_S2], ptr[IN_T2]);
    emit_line(e, "    %s, %s, %s);", ptr[IN_RESIDUAL], emit_ptr(e, n->out[0]),
              scratch ? emit_scratch(e, scratch * sizeof(float)) : "NULL");
    return true;
}

/* The block of H and the tables, so the planner places them. */
static size_t pair_scratch_bytes(const Node *n)
{
    snt_pointwise_pair_params p;
    const Variant *v = pair_variant(n);
    bool ok = v && pair_params(n, &p, NULL);
    return ok ? snt_pointwise_pair_scratch_floats(&p, v->mr, v->nr) * sizeof(float) : 0;
}

const OpDesc op_PointwisePair = {
    .name = "PointwisePair", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = IN_COUNT, .max_in = IN_COUNT, .min_out = 1, .max_out = 1,
    .infer = pair_infer, .cost = pair_cost, .emit = pair_emit,
    .scratch_bytes = pair_scratch_bytes, .parallel = true,
    .internal = true,
};
