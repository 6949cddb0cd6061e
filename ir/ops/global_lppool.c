/*
 * global_lppool.c - GlobalLpPool (opsets 2 to 21): the p-norm of each
 * N x C plane, over any number of spatial axes.
 *
 * The planes are viewed as 1 x (product of spatial dims) images and
 * pooled by the runtime's LpPool kernel with one window covering the
 * whole row, so no kernel of its own is needed.  float32 at run time;
 * folding runs the same kernel.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

/* p is an int attribute, default 2. */
static bool global_lppool_norm(const Node *n, int64_t *p, Diag *d)
{
    *p = attr_int_or(n, "p", 2);
    if (*p < 1)
        return node_error(d, n, "p must be positive, not %lld", (long long)*p);
    return true;
}

/* The kernel parameters: every plane as one row of `hw` pixels. */
static snt_pool2d_params global_lppool_params(const Node *n)
{
    const Shape *x = &n->in[0]->shape;
    size_t hw = 1;
    for (int i = 2; i < x->rank; i++)
        hw *= (size_t)x->dim[i];
    return (snt_pool2d_params){
        .n = (size_t)x->dim[0], .c = (size_t)x->dim[1], .h = 1, .w = hw,
        .oh = 1, .ow = 1, .kh = 1, .kw = hw, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
    };
}

/* The shape rule of every global pool, plus a valid norm. */
static bool global_lppool_infer(Node *n, Diag *d)
{
    int64_t p;
    return global_pool_infer(n, d) && global_lppool_norm(n, &p, d);
}

static bool global_lppool_fold(Node *n, Diag *d)
{
    int64_t p;
    const Tensor *x = n->in[0];
    if (!tensor_is_const(x) || x->dtype != DT_FLOAT || tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    if (!global_lppool_norm(n, &p, d))
        return false;
    snt_pool2d_params params = global_lppool_params(n);
    if (tensor_numel(n->out[0]) > 0)
        snt_lppool2d_f32(&params, (float)p, x->data, alloc_output(n, 0));
    return true;
}

/* The power and the add per input element. */
static OpCost global_lppool_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(2, tensor_numel(n->in[0]))};
}

static bool global_lppool_emit(const Node *n, Emitter *e, Diag *d)
{
    int64_t pnorm;
    if (!check_f32_runtime(n, 1, d) || !global_lppool_norm(n, &pnorm, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    snt_pool2d_params v = global_lppool_params(n);
    emit_params_snt_pool2d_params(e, &v, "p");
    emit_line(e, "snt_lppool2d_f32(&p, %lld.0f, %s, %s);", (long long)pnorm,
              emit_ptr(e, n->in[0]), emit_ptr(e, n->out[0]));
    return true;
}

/* Opset 1 had a float p; 2 made it an int. */
const OpDesc op_GlobalLpPool = {
    .name = "GlobalLpPool",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 2, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = global_lppool_infer,
    .fold = global_lppool_fold,
    .cost = global_lppool_cost,
    .emit = global_lppool_emit,
};
