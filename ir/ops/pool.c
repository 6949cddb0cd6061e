/*
 * pool.c - MaxPool and AveragePool over 1-D and 2-D inputs (a 1-D pool
 * runs as a 2-D one of height 1), and GlobalAveragePool.
 *
 * The window geometry (auto_pad, pads, strides, dilations, ceil_mode) is
 * the one Conv uses (op_emit.c).  ceil_mode only changes the output
 * extent: the runtime clips windows to the explicitly padded input.
 */
#include "ir/ops/op_emit.h"

#include <string.h>

bool pool_window(const Node *n, Window *win, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    if (!check_window_rank(n, x, d))
        return false;
    int64_t kernel[4];
    int count = attr_ints(n, "kernel_shape", kernel, 4);
    if (count < 0)
        return node_error(d, n, "attribute kernel_shape is required");
    if (count != x->rank - 2)
        return node_error(d, n, "kernel_shape has %d values for %d spatial axes", count,
                          x->rank - 2);
    return window_infer(n, x, kernel, attr_int_or(n, "ceil_mode", 0) != 0, win, d);
}

/* MaxPool also takes int8 and uint8 (opset 12); averages need floats. */
static bool pool_infer(Node *n, Diag *d)
{
    Window win;
    bool is_max = strcmp(n->op_type, "MaxPool") == 0;
    if (!check_inputs_present(n, 1, d))
        return false;
    DType t = n->in[0]->dtype;
    if (!(is_max && (t == DT_INT8 || t == DT_UINT8)) && !check_float_input(n, 0, d))
        return false;
    if (!check_output_absent(n, 1, "Indices", d) || !pool_window(n, &win, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Shape y = window_output_shape(&win, x, x->dim[1]);
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

int64_t pool_taps(const Node *n)
{
    int64_t taps = 1, k[4];
    int count = attr_ints(n, "kernel_shape", k, 4);
    for (int i = 0; i < count && i < 4; i++)
        taps = sat_mul(taps, k[i]);
    return taps;
}

/* One compare or add per window element of every output. */
static OpCost pool_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(tensor_numel(n->out[0]), pool_taps(n))};
}

void params_pool_window(Params *p, const Shape *x, const Window *win)
{
    params_int(p, "n", x->dim[0]);
    params_int(p, "c", x->dim[1]);
    params_int(p, "h", win->in[0]);
    params_int(p, "w", win->in[1]);
    params_int(p, "oh", win->out[0]);
    params_int(p, "ow", win->out[1]);
    params_int(p, "kh", win->kernel[0]);
    params_int(p, "kw", win->kernel[1]);
    params_int(p, "sh", win->stride[0]);
    params_int(p, "sw", win->stride[1]);
    params_int(p, "dh", win->dilation[0]);
    params_int(p, "dw", win->dilation[1]);
    params_int(p, "pt", win->pad_begin[0]);
    params_int(p, "pl", win->pad_begin[1]);
    params_int(p, "pb", win->pad_end[0]);
    params_int(p, "pr", win->pad_end[1]);
}

static bool pool_emit(const Node *n, Emitter *e, const char *kernel, Diag *d)
{
    Window win;
    const Tensor *in = n->in[0], *out = n->out[0];
    if (!dtype_fits_float32(in->dtype))
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", in->name,
                          dtype_label(in->dtype));
    if (!pool_window(n, &win, d))
        return false;
    Params p = {0};
    params_pool_window(&p, &in->shape, &win);
    params_int(&p, "count_include_pad", attr_int_or(n, "count_include_pad", 0) != 0);
    params_emit(&p, e, "snt_pool2d_params");
    /* int8 / uint8 MaxPool runs exactly on float32 copies. */
    Staging st;
    const Tensor *operands[2] = {in, out};
    staging_begin(&st, e, DT_FLOAT, operands, 2);
    const char *px = staging_input(&st, in), *py = staging_output(&st, out);
    emit_line(e, "%s(&p, %s, %s);", kernel, px, py);
    staging_end(&st);
    return true;
}

static bool maxpool_emit(const Node *n, Emitter *e, Diag *d)
{
    return pool_emit(n, e, "snt_maxpool2d_f32", d);
}

static bool avgpool_emit(const Node *n, Emitter *e, Diag *d)
{
    return pool_emit(n, e, "snt_avgpool2d_f32", d);
}

/* Output 1 (Indices, opset 8+) is rejected by infer. */
const OpDesc op_MaxPool = {
    .name = "MaxPool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 2,
    .infer = pool_infer, .cost = pool_cost, .emit = maxpool_emit,
};

/* Opset 19 added dilations, which the shared window handles. */
const OpDesc op_AveragePool = {
    .name = "AveragePool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = pool_infer, .cost = pool_cost, .emit = avgpool_emit,
};

/* ---- GlobalAveragePool -------------------------------------------- */

bool global_pool_infer(Node *n, Diag *d)
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

/* One add per input element. */
static OpCost global_avgpool_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0])};
}

static bool global_avgpool_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    int64_t nc = x->dim[0] * x->dim[1];
    emit_line(e, "snt_global_avgpool_f32(%lld, %lld, %s, %s);", (long long)nc,
              (long long)(tensor_numel(n->in[0]) / (nc ? nc : 1)), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_GlobalAveragePool = {
    .name = "GlobalAveragePool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = global_pool_infer, .cost = global_avgpool_cost, .emit = global_avgpool_emit,
};
