/*
 * pool_ext.c - GlobalMaxPool (any spatial rank) and LpPool over 1-D and
 * 2-D inputs (a 1-D pool runs as a 2-D one of height 1), float32 at run
 * time.  LpPool's window is the one of Conv and the other pools
 * (op_emit.c); padding contributes zeros to the sum.
 */
#include "ir/ops/op_emit.h"

/* ---- GlobalMaxPool ------------------------------------------------- */

static bool global_maxpool_infer(Node *n, Diag *d)
{
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    if (x->rank < 3)
        return node_error(d, n, "X must have rank 3 or more (N x C x spatial), not %d", x->rank);
    Shape y = *x;
    for (int i = 2; i < y.rank; i++)
        y.dim[i] = 1;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* One compare per input element. */
static OpCost global_maxpool_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0])};
}

static bool global_maxpool_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    int64_t nc = tensor_numel(n->out[0]);
    emit_line(e, "snt_global_maxpool_f32(%lld, %lld, %s, %s);", (long long)nc,
              (long long)(nc ? tensor_numel(n->in[0]) / nc : 0), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_GlobalMaxPool = {
    .name = "GlobalMaxPool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = global_maxpool_infer, .cost = global_maxpool_cost, .emit = global_maxpool_emit,
};

/* ---- LpPool --------------------------------------------------------- */

/* p is a float before opset 2, an int from 2; default 2. */
static bool lppool_norm(const Node *n, double *p, Diag *d)
{
    const Attr *a = node_attr(n, "p");
    *p = !a ? 2.0 : a->kind == ATTR_FLOAT ? a->f : (double)a->i;
    if (!(*p > 0))
        return node_error(d, n, "p must be positive");
    return true;
}

static bool lppool_geometry(const Node *n, Window *win, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t kernel[4];
    if (!check_window_rank(n, x, d))
        return false;
    int count = attr_ints(n, "kernel_shape", kernel, 4);
    if (count < 0)
        return node_error(d, n, "attribute kernel_shape is required");
    if (count != x->rank - 2)
        return node_error(d, n, "kernel_shape has %d values for %d spatial axes", count,
                          x->rank - 2);
    return window_infer(n, x, kernel, attr_int_or(n, "ceil_mode", 0) != 0, win, d);
}

static bool lppool_infer(Node *n, Diag *d)
{
    Window win;
    double p;
    if (!check_inputs_present(n, 1, d) || !check_float_input(n, 0, d) ||
        !lppool_norm(n, &p, d) || !lppool_geometry(n, &win, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Shape y = window_output_shape(&win, x, x->dim[1]);
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* Per window element of every output: the power and the add. */
static OpCost lppool_cost(const Node *n)
{
    int64_t taps = 1, k[4];
    int count = attr_ints(n, "kernel_shape", k, 4);
    for (int i = 0; i < count && i < 4; i++)
        taps = sat_mul(taps, k[i]);
    return (OpCost){.flops = sat_mul(2, sat_mul(tensor_numel(n->out[0]), taps))};
}

static bool lppool_emit(const Node *n, Emitter *e, Diag *d)
{
    Window win;
    double pnorm;
    if (!check_f32_runtime(n, n->n_in, d) || !lppool_norm(n, &pnorm, d) ||
        !lppool_geometry(n, &win, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Params p = {0};
    params_int(&p, "n", x->dim[0]);
    params_int(&p, "c", x->dim[1]);
    params_int(&p, "h", win.in[0]);
    params_int(&p, "w", win.in[1]);
    params_int(&p, "oh", win.out[0]);
    params_int(&p, "ow", win.out[1]);
    params_int(&p, "kh", win.kernel[0]);
    params_int(&p, "kw", win.kernel[1]);
    params_int(&p, "sh", win.stride[0]);
    params_int(&p, "sw", win.stride[1]);
    params_int(&p, "dh", win.dilation[0]);
    params_int(&p, "dw", win.dilation[1]);
    params_int(&p, "pt", win.pad_begin[0]);
    params_int(&p, "pl", win.pad_begin[1]);
    params_int(&p, "pb", win.pad_end[0]);
    params_int(&p, "pr", win.pad_end[1]);
    params_emit(&p, e, "snt_pool2d_params");
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
};
