/*
 * lp_pool.c - LpPool over 1-D and 2-D inputs (a 1-D pool runs as a 2-D
 * one of height 1), float32 at run time.  LpPool's window is the one of
 * Conv and the other pools (sliding_window.c); padding contributes zeros
 * to the sum.  GlobalLpPool is in global_lppool.c.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/sliding_window.h"
#include "ir/ops/staging.h"

/* p is a float before opset 2, an int from 2; default 2. */
static bool lppool_norm(const Node *n, double *p, Diag *d)
{
    const Attr *a = node_attr(n, "p");
    *p = !a ? 2.0 : a->kind == ATTR_FLOAT ? a->f : (double)a->i;
    if (!(*p > 0))
        return node_error(d, n, "p must be positive");
    return true;
}

static bool lppool_infer(Node *n, Diag *d)
{
    Window win;
    double p;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) ||
        !lppool_norm(n, &p, d) || !pool_window(n, &win, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Shape y = window_output_shape(&win, x, x->dim[1]);
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* Per window element of every output: the power and the add. */
static OpCost lppool_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(2, sat_mul(tensor_numel(n->out[0]), pool_taps(n)))};
}

static bool lppool_emit(const Node *n, Emitter *e, Diag *d)
{
    Window win;
    double pnorm;
    if (!check_f32_runtime(n, n->n_in, d) || !lppool_norm(n, &pnorm, d) ||
        !pool_window(n, &win, d))
        return false;
    snt_pool2d_params p = pool2d_params(&n->in[0]->shape, &win);
    emit_params_snt_pool2d_params(e, &p, "p");
    Str pl = {0};
    str_float_literal(&pl, pnorm);
    emit_line(e, "snt_lppool2d_f32(&p, %s, %s, %s);", pl.buf, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    str_free(&pl);
    return true;
}

/* Opset 18 added ceil_mode and dilations, which the shared window reads. */
const OpDesc op_LpPool = {
    .name = "LpPool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = lppool_infer, .cost = lppool_cost, .emit = lppool_emit,
    .dtypes = DT_BIT(DT_FLOAT), .restriction = "1-D and 2-D windows only",
};
