/*
 * pool.c - MaxPool and AveragePool over 1-D, 2-D and 3-D inputs, with
 * MaxPool's optional Indices output, GlobalAveragePool and GlobalMaxPool.
 *
 * The window geometry (auto_pad, pads, strides, dilations, ceil_mode) is
 * the one Conv uses (sliding_window.c).  ceil_mode only changes the output
 * extent: the runtime clips windows to the explicitly padded input.
 * 1-D and 2-D pools run on the 2-D kernels (a 1-D pool as height 1);
 * 3-D pools and MaxPool with Indices on the 3-D kernels (pool3d.c),
 * lower ranks there with unit leading axes.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/sliding_window.h"
#include "ir/ops/staging.h"

#include <string.h>

/* Window attributes larger than this are refused, as Conv's are. */
#define POOL_ATTR_MAX ((int64_t)1 << 31)

/* kernel_shape (required) into kernel[r]. */
static bool pool_kernel(const Node *n, int r, int64_t *kernel, Diag *d)
{
    int64_t k[3];
    int count = attr_ints(n, "kernel_shape", k, 3);
    if (count < 0)
        return node_error(d, n, "attribute kernel_shape is required");
    if (count != r)
        return node_error(d, n, "kernel_shape has %d values for %d spatial axes", count, r);
    for (int i = 0; i < r; i++) {
        if (k[i] < 1 || k[i] > POOL_ATTR_MAX)
            return node_error(d, n, "kernel extent %lld is out of range", (long long)k[i]);
        kernel[i] = k[i];
    }
    return true;
}

/* The 1-D or 2-D window of the 2-D kernels (and LpPool's). */
bool pool_window(const Node *n, Window *win, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t kernel[3];
    return check_window_rank(n, x, d) && pool_kernel(n, x->rank - 2, kernel, d) &&
           window_infer(n, x, kernel, attr_int_or(n, "ceil_mode", 0) != 0, win, d);
}

/* The pool as the 3-D kernel's parameters: spatial axis i of r lands at
 * index 3 - r + i, the axes before it are units. */
static bool pool3d_geometry(const Node *n, snt_pool3d_params *p, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int r = x->rank - 2;
    int64_t kernel[3], strides[3], dilations[3], pads[6];
    if (r < 1 || r > 3)
        return node_error(d, n, "X must have rank 3, 4 or 5 (N x C x 1 to 3 spatial axes), not %d",
                          x->rank);
    if (!pool_kernel(n, r, kernel, d) ||
        !read_window_ints(n, "strides", r, 1, 1, POOL_ATTR_MAX, strides, d) ||
        !read_window_ints(n, "dilations", r, 1, 1, POOL_ATTR_MAX, dilations, d) ||
        !read_window_ints(n, "pads", 2 * r, 0, 0, POOL_ATTR_MAX, pads, d))
        return false;
    const char *auto_pad = attr_string_or(n, "auto_pad", "NOTSET");
    bool ceil_mode = attr_int_or(n, "ceil_mode", 0) != 0;
    *p = (snt_pool3d_params){
        .n = (size_t)x->dim[0], .c = (size_t)x->dim[1],
        .in = {1, 1, 1}, .out = {1, 1, 1}, .kernel = {1, 1, 1}, .stride = {1, 1, 1},
        .dilation = {1, 1, 1},
        .count_include_pad = attr_int_or(n, "count_include_pad", 0) != 0,
        .storage_order = attr_int_or(n, "storage_order", 0) != 0,
    };
    for (int i = 0; i < r; i++) {
        /* One axis at a time through Conv's rule, as a 1-D window. */
        Window one = {.rank = 1, .in = {x->dim[2 + i]}, .kernel = {kernel[i]},
                      .stride = {strides[i]}, .dilation = {dilations[i]},
                      .pad_begin = {pads[i]}, .pad_end = {pads[r + i]}};
        if (x->dim[2 + i] < 1)
            return node_error(d, n, "spatial extent %lld must be positive",
                              (long long)x->dim[2 + i]);
        if (!window_axis(n, auto_pad, ceil_mode, &one, 0, d))
            return false;
        int a = 3 - r + i;
        p->in[a] = (size_t)one.in[0];
        p->out[a] = (size_t)one.out[0];
        p->kernel[a] = (size_t)one.kernel[0];
        p->stride[a] = (size_t)one.stride[0];
        p->dilation[a] = (size_t)one.dilation[0];
        p->pad_begin[a] = (size_t)one.pad_begin[0];
        p->pad_end[a] = (size_t)one.pad_end[0];
    }
    return true;
}

static bool wants_indices(const Node *n)
{
    return n->n_out > 1 && n->out[1];
}

/* The 2-D kernels serve 1-D and 2-D pools without indices; the rest run
 * on the 3-D kernels. */
static bool runs_in_3d(const Node *n)
{
    return n->in[0]->shape.rank == 5 || wants_indices(n);
}

/* The element types are the OpDesc's (graph_infer checks them): MaxPool
 * also takes int8 and uint8 (opset 12).  Indices (MaxPool, opset 8) are
 * int64 with Y's shape.  Also keeps the 3-D kernel's parameters on n,
 * for emit. */
static bool pool_infer(Node *n, Diag *d)
{
    snt_pool3d_params p;
    if (!check_inputs_present(n, 1, d) || !pool3d_geometry(n, &p, d))
        return false;
    int64_t so = attr_int_or(n, "storage_order", 0);
    if (so != 0 && so != 1)
        return node_error(d, n, "storage_order must be 0 or 1, not %lld", (long long)so);
    node_keep_params(n, &p, sizeof p);
    const Shape *x = &n->in[0]->shape;
    Shape y = *x;
    for (int i = 2; i < x->rank; i++)
        y.dim[i] = (int64_t)p.out[3 - x->rank + i]; /* spatial axis i - 2 */
    set_output(n, 0, n->in[0]->dtype, &y);
    if (wants_indices(n))
        set_output(n, 1, DT_INT64, &y);
    return true;
}

int64_t pool_taps(const Node *n)
{
    int64_t taps = 1, k[3];
    int count = attr_ints(n, "kernel_shape", k, 3);
    for (int i = 0; i < count && i < 3; i++)
        taps = sat_mul(taps, k[i]);
    return taps;
}

/* One compare or add per window element of every output. */
static OpCost pool_cost(const Node *n)
{
    return (OpCost){.flops = sat_mul(tensor_numel(n->out[0]), pool_taps(n))};
}

snt_pool2d_params pool2d_params(const Shape *x, const Window *win)
{
    return (snt_pool2d_params){
        .n = (size_t)x->dim[0], .c = (size_t)x->dim[1],
        .h = (size_t)win->in[0], .w = (size_t)win->in[1],
        .oh = (size_t)win->out[0], .ow = (size_t)win->out[1],
        .kh = (size_t)win->kernel[0], .kw = (size_t)win->kernel[1],
        .sh = (size_t)win->stride[0], .sw = (size_t)win->stride[1],
        .dh = (size_t)win->dilation[0], .dw = (size_t)win->dilation[1],
        .pt = (size_t)win->pad_begin[0], .pl = (size_t)win->pad_begin[1],
        .pb = (size_t)win->pad_end[0], .pr = (size_t)win->pad_end[1],
    };
}

/* Emits `static const snt_pool2d_params p` for a 1-D or 2-D pool. */
static bool emit_pool2d_params(const Node *n, Emitter *e, Diag *d)
{
    Window win;
    if (!pool_window(n, &win, d))
        return false;
    snt_pool2d_params p = pool2d_params(&n->in[0]->shape, &win);
    p.count_include_pad = attr_int_or(n, "count_include_pad", 0) != 0;
    emit_params_snt_pool2d_params(e, &p, "p");
    return true;
}

static bool pool_emit(const Node *n, Emitter *e, bool is_max, Diag *d)
{
    const Tensor *in = n->in[0], *out = n->out[0];
    bool in_3d = runs_in_3d(n);
    if (!dtype_fits_float32(in->dtype))
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", in->name,
                          dtype_label(in->dtype));
    if (in_3d)
        emit_params_snt_pool3d_params(e, n->params, "p"); /* as infer kept them */
    else if (!emit_pool2d_params(n, e, d))
        return false;
    /* int8 / uint8 MaxPool runs exactly on float32 copies. */
    Staging st;
    const Tensor *operands[2] = {in, out};
    staging_begin(&st, e, DT_FLOAT, operands, 2);
    const char *px = staging_input(&st, in), *py = staging_output(&st, out);
    if (is_max && in_3d)
        emit_line(e, "snt_maxpool3d_f32(&p, %s, %s, %s);", px, py,
                  wants_indices(n) ? emit_ptr(e, n->out[1]) : "NULL");
    else
        emit_line(e, "snt_%spool%s_f32%s&p, %s, %s);", is_max ? "max" : "avg",
                  in_3d ? "3d" : "2d", in_3d ? "(" : emit_call_open(e), px, py);
    staging_end(&st);
    return true;
}

/* The float32 copies of int8 / uint8 operands pool_emit stages. */
static size_t pool_scratch_bytes(const Node *n)
{
    const Tensor *operands[2] = {n->in[0], n->out[0]};
    return staging_bytes(DT_FLOAT, operands, 2);
}

static bool maxpool_emit(const Node *n, Emitter *e, Diag *d)
{
    return pool_emit(n, e, true, d);
}

static bool avgpool_emit(const Node *n, Emitter *e, Diag *d)
{
    return pool_emit(n, e, false, d);
}

/* Output 1 (Indices) exists from opset 8, storage_order from 8. */
const OpDesc op_MaxPool = {
    .name = "MaxPool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 2,
    .infer = pool_infer, .cost = pool_cost, .emit = maxpool_emit,
    .scratch_bytes = pool_scratch_bytes,
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_INT8) | DT_BIT(DT_UINT8),
};

/* Opset 19 added dilations, which the shared window handles. */
const OpDesc op_AveragePool = {
    .name = "AveragePool", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1,
    .infer = pool_infer, .cost = pool_cost, .emit = avgpool_emit,
    .scratch_bytes = pool_scratch_bytes,
    .dtypes = DT_BIT(DT_FLOAT),
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

/* One add (GlobalAveragePool) or compare (GlobalMaxPool) per input
 * element. */
static OpCost global_pool_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->in[0])};
}

/* The kernels see X as N x C planes of the spatial extents' product. */
static bool global_pool_emit(const Node *n, Emitter *e, Diag *d)
{
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    bool is_max = n->op == &op_GlobalMaxPool;
    int64_t nc = tensor_numel(n->out[0]);
    emit_line(e, "snt_global_%spool_f32(%lld, %lld, %s, %s);", is_max ? "max" : "avg",
              (long long)nc, (long long)(nc ? tensor_numel(n->in[0]) / nc : 0),
              emit_ptr(e, n->in[0]), emit_ptr(e, n->out[0]));
    return true;
}

#define GLOBAL_POOL_OP(op_name) \
    {.name = op_name, .since = 1, .until = COMPUTE_OPSET_MAX, \
     .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1, \
     .infer = global_pool_infer, .cost = global_pool_cost, .emit = global_pool_emit, \
     .dtypes = DT_BIT(DT_FLOAT)}

const OpDesc op_GlobalAveragePool = GLOBAL_POOL_OP("GlobalAveragePool");
const OpDesc op_GlobalMaxPool = GLOBAL_POOL_OP("GlobalMaxPool");
