/*
 * conv.c - Conv over 1-D and 2-D inputs (NCW, NCHW), with groups
 * (depthwise included), pads, strides, dilations and auto_pad.  A 1-D
 * convolution runs as a 2-D one of height 1.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/sliding_window.h"
#include "ir/ops/staging.h"

static const Tensor *conv_bias(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

/* The spatial kernel: W's trailing dims, which kernel_shape (optional)
 * must repeat. */
static bool conv_kernel(const Node *n, int64_t *kernel, Diag *d)
{
    const Shape *w = &n->in[1]->shape;
    int r = w->rank - 2;
    int64_t attr[4];
    int count = attr_ints(n, "kernel_shape", attr, 4);
    if (count >= 0 && count != r)
        return node_error(d, n, "kernel_shape has %d values for %d spatial axes", count, r);
    for (int i = 0; i < r; i++) {
        kernel[i] = w->dim[2 + i];
        if (count >= 0 && attr[i] != kernel[i])
            return node_error(d, n, "kernel_shape %lld differs from W's extent %lld",
                              (long long)attr[i], (long long)kernel[i]);
    }
    return true;
}

/* Checks Conv's X, W and B against each other and computes the window. */
static bool conv_window(const Node *n, Window *win, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *w = &n->in[1]->shape;
    const Tensor *b = conv_bias(n);
    if (!check_window_rank(n, x, d))
        return false;
    if (w->rank != x->rank)
        return node_error(d, n, "W has rank %d but X has rank %d", w->rank, x->rank);
    int64_t group = attr_int_or(n, "group", 1), c = x->dim[1], m = w->dim[0];
    if (group < 1 || m < 1 || m % group != 0 || w->dim[1] * group != c)
        return node_error(d, n, "%lld input channels, W of %lld x %lld and group %lld do not fit",
                          (long long)c, (long long)m, (long long)w->dim[1], (long long)group);
    if (b && (b->shape.rank != 1 || b->shape.dim[0] != m))
        return node_error(d, n, "B must have shape [%lld]", (long long)m);
    int64_t kernel[2];
    return conv_kernel(n, kernel, d) && window_infer(n, x, kernel, false, win, d);
}

/* The kernel's parameters for a checked window, with no activation. */
static snt_conv2d_params conv2d_params(const Node *n, const Window *win)
{
    const Shape *x = &n->in[0]->shape;
    return (snt_conv2d_params){
        .n = (size_t)x->dim[0], .c = (size_t)x->dim[1],
        .h = (size_t)win->in[0], .w = (size_t)win->in[1],
        .k = (size_t)n->in[1]->shape.dim[0],
        .oh = (size_t)win->out[0], .ow = (size_t)win->out[1],
        .kh = (size_t)win->kernel[0], .kw = (size_t)win->kernel[1],
        .sh = (size_t)win->stride[0], .sw = (size_t)win->stride[1],
        .dh = (size_t)win->dilation[0], .dw = (size_t)win->dilation[1],
        .pt = (size_t)win->pad_begin[0], .pl = (size_t)win->pad_begin[1],
        .groups = (size_t)attr_int_or(n, "group", 1),
        .act = {.kind = SNT_ACT_NONE},
    };
}

/* Also keeps the kernel's parameters on n (conv_node_params). */
static bool conv_infer(Node *n, Diag *d)
{
    Window win;
    if (!check_inputs_present(n, 2, d) || !check_float_input(n, 0, d) ||
        !check_same_dtype(n, 1, d) || !check_same_dtype(n, 2, d) || !conv_window(n, &win, d))
        return false;
    snt_conv2d_params cp = conv2d_params(n, &win);
    node_keep_params(n, &cp, sizeof cp);
    Shape y = window_output_shape(&win, &n->in[0]->shape, n->in[1]->shape.dim[0]);
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* Weight products: (C / group) * kernel taps per output element; plus
 * one add per output element for the bias. */
static OpCost conv_cost(const Node *n)
{
    const Tensor *w = n->in[1], *y = n->out[0];
    int64_t taps = 1;
    for (int i = 1; i < w->shape.rank; i++)
        taps = sat_mul(taps, w->shape.dim[i]);
    OpCost c = {.macs = sat_mul(tensor_numel(y), taps)};
    c.flops = sat_mul(2, c.macs) + (conv_bias(n) ? tensor_numel(y) : 0);
    return c;
}

const snt_conv2d_params *conv_node_params(const Node *n)
{
    return n->params;
}

static bool conv_emit(const Node *n, Emitter *e, Diag *d)
{
    const snt_conv2d_params *cp = conv_node_params(n);
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    emit_params_snt_conv2d_params(e, cp, "p");
    /* The kernel decides whether it wants an im2col band and GEMM
     * packing; asking it here sizes the node's scratch at compile time. */
    emit_line(e, "snt_conv2d_f32(&p, %s, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr_or_null(e, conv_bias(n)), emit_ptr(e, n->out[0]),
              emit_scratch(e, snt_conv2d_scratch_floats(cp) * sizeof(float)));
    return true;
}

/* The scratch the kernel will ask for (im2col band, GEMM packing), so
 * the planner can give it a region of the arena. */
static size_t conv_scratch_bytes(const Node *n)
{
    return snt_conv2d_scratch_floats(conv_node_params(n)) * sizeof(float);
}

const OpDesc op_Conv = {
    .name = "Conv", .since = 1, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT),
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = conv_infer, .cost = conv_cost, .emit = conv_emit,
    .scratch_bytes = conv_scratch_bytes,
};
