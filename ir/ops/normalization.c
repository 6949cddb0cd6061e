/*
 * normalization.c - InstanceNormalization, LRN, MeanVarianceNormalization and
 * LpNormalization, float32 at run time.
 */
#include "ir/ops/axis_view.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

/* N x C x spatial: x seen as [n][c][hw]. */
static bool check_channel_input(const Node *n, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    if (x->rank < 3)
        return node_error(d, n, "input must have rank 3 or more (N x C x spatial), not %d",
                          x->rank);
    return true;
}

static int64_t plane_size(const Shape *x)
{
    int64_t hw = 1;
    for (int i = 2; i < x->rank; i++)
        hw *= x->dim[i];
    return hw;
}

static bool same_shape_infer(Node *n)
{
    set_output(n, 0, n->in[0]->dtype, &n->in[0]->shape);
    return true;
}

/* The statistics and the normalization of LayerNormalization: seven per
 * element (docs/flops.md); InstanceNormalization and MVN compute the same. */
static OpCost seven_per_element(const Node *n)
{
    return (OpCost){.flops = sat_mul(7, tensor_numel(n->out[0]))};
}

/* ---- InstanceNormalization ----------------------------------------- */

static bool instancenorm_infer(Node *n, Diag *d)
{
    if (!check_inputs_present(n, 3, d) || !check_float_input(n, 0, d) ||
        !check_same_dtype(n, 1, d) || !check_same_dtype(n, 2, d) || !check_channel_input(n, d))
        return false;
    int64_t c = n->in[0]->shape.dim[1];
    for (int i = 1; i < 3; i++) {
        const Shape *s = &n->in[i]->shape;
        if (s->rank != 1 || s->dim[0] != c)
            return node_error(d, n, "input %d ('%s') must have shape [%lld]", i,
                              n->in[i]->name, (long long)c);
    }
    return same_shape_infer(n);
}

static bool instancenorm_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Str eps = {0};
    str_float_literal(&eps, attr_float_or(n, "epsilon", 1e-5));
    emit_line(e, "snt_instancenorm_f32(%lld, %lld, %lld, %s, %s, %s, %s, %s);",
              (long long)x->dim[0], (long long)x->dim[1], (long long)plane_size(x),
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]), eps.buf,
              emit_ptr(e, n->out[0]));
    str_free(&eps);
    return true;
}

const OpDesc op_InstanceNormalization = {
    .name = "InstanceNormalization", .since = 6, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 3, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = instancenorm_infer, .cost = seven_per_element, .emit = instancenorm_emit,
};

/* ---- LRN ------------------------------------------------------------ */

static bool lrn_infer(Node *n, Diag *d)
{
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) ||
        !check_channel_input(n, d))
        return false;
    if (attr_int_or(n, "size", 0) < 1)
        return node_error(d, n, "attribute size is required and must be positive");
    return same_shape_infer(n);
}

/* Per element: a multiply-add for each of `size` channels, then the
 * power and the divide. */
static OpCost lrn_cost(const Node *n)
{
    int64_t size = attr_int_or(n, "size", 1);
    return (OpCost){.flops = sat_mul(tensor_numel(n->out[0]), sat_mul(2, size) + 2)};
}

static bool lrn_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Str args = {0};
    str_float_literal(&args, attr_float_or(n, "alpha", 1e-4));
    str_puts(&args, ", ");
    str_float_literal(&args, attr_float_or(n, "beta", 0.75));
    str_puts(&args, ", ");
    str_float_literal(&args, attr_float_or(n, "bias", 1.0));
    emit_line(e, "snt_lrn_f32(%lld, %lld, %lld, %lld, %s, %s, %s);", (long long)x->dim[0],
              (long long)x->dim[1], (long long)plane_size(x),
              (long long)attr_int_or(n, "size", 1), args.buf, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    str_free(&args);
    return true;
}

const OpDesc op_LRN = {
    .name = "LRN", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = lrn_infer, .cost = lrn_cost, .emit = lrn_emit,
};

/* ---- MeanVarianceNormalization -------------------------------------- */

/* Splits x's axes into the groups (kept axes) and the elements of one
 * group (the `axes` attribute, default [0, 2, 3]), both with x's strides. */
static bool mvn_params(const Node *n, snt_reduce_params *rp, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t axes[MAX_RANK], strides[MAX_RANK];
    bool reduced[MAX_RANK] = {false};
    int count = attr_ints(n, "axes", axes, MAX_RANK);
    if (count < 0) {
        count = 3;
        axes[0] = 0, axes[1] = 2, axes[2] = 3;
    }
    for (int i = 0; i < count; i++) {
        int a;
        if (!axis_normalize(axes[i], x->rank, &a))
            return node_error(d, n, "axis %lld is out of range for rank %d",
                              (long long)axes[i], x->rank);
        reduced[a] = true;
    }
    shape_strides(x, strides);
    *rp = (snt_reduce_params){0};
    for (int i = 0; i < x->rank; i++) {
        if (reduced[i]) {
            rp->red_dims[rp->red_rank] = (size_t)x->dim[i];
            rp->red_strides[rp->red_rank++] = (ptrdiff_t)strides[i];
        } else {
            rp->out_dims[rp->out_rank] = (size_t)x->dim[i];
            rp->out_strides[rp->out_rank++] = (ptrdiff_t)strides[i];
        }
    }
    return true;
}

static bool mvn_infer(Node *n, Diag *d)
{
    snt_reduce_params rp;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) || !mvn_params(n, &rp, d))
        return false;
    return same_shape_infer(n);
}

static bool mvn_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_reduce_params rp;
    if (!check_f32_runtime(n, n->n_in, d) || !mvn_params(n, &rp, d))
        return false;
    emit_params_snt_reduce_params(e, &rp, "p");
    emit_line(e, "snt_mvn_f32(&p, %s, %s);", emit_ptr(e, n->in[0]), emit_ptr(e, n->out[0]));
    return true;
}

/* Opset 1's across_channels / normalize_variance form is not supported. */
const OpDesc op_MeanVarianceNormalization = {
    .name = "MeanVarianceNormalization", .since = 9, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = mvn_infer, .cost = seven_per_element, .emit = mvn_emit,
};

/* ---- LpNormalization ------------------------------------------------ */

static bool lpnorm_view(const Node *n, AxisView *v, int *p, Diag *d)
{
    *p = (int)attr_int_or(n, "p", 2);
    if (*p != 1 && *p != 2)
        return node_error(d, n, "p must be 1 or 2, not %d", *p);
    return axis_view(n, &n->in[0]->shape, attr_int_or(n, "axis", -1), false, v, d);
}

static bool lpnorm_infer(Node *n, Diag *d)
{
    AxisView v;
    int p;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) ||
        !lpnorm_view(n, &v, &p, d))
        return false;
    return same_shape_infer(n);
}

/* Per element: the square (or absolute value), the add and the divide. */
static OpCost lpnorm_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(3, tensor_numel(n->out[0]))};
}

static bool lpnorm_emit(const Node *n, Emitter *e, Diag *d)
{
    AxisView v;
    int p;
    if (!check_f32_runtime(n, n->n_in, d) || !lpnorm_view(n, &v, &p, d))
        return false;
    emit_line(e, "snt_lpnorm_f32(%lld, %lld, %lld, %d, %s, %s);", (long long)v.outer,
              (long long)v.len, (long long)v.inner, p, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_LpNormalization = {
    .name = "LpNormalization", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = lpnorm_infer, .cost = lpnorm_cost, .emit = lpnorm_emit,
};
