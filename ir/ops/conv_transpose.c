/*
 * conv_transpose.c - ConvTranspose over 1-D, 2-D and 3-D inputs, with
 * group, strides, dilations, pads, output_padding, output_shape and
 * auto_pad, all on the runtime's 3-D kernel (fewer spatial axes as unit
 * leading ones).
 *
 * Along each spatial axis the full result has
 *     full = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1
 * elements, of which the output keeps [pad_begin, full - pad_end).  The
 * pads come from `pads`, or when output_shape or auto_pad SAME_* fixes
 * the output extent, from total = full - out split as the spec says
 * (SAME_UPPER puts the odd element at the end).  An output longer than
 * the full result (total < 0) is extended at the end, where nothing but
 * the bias lands.  The kernel only needs the begin pad and the extent.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/sliding_window.h"
#include "ir/ops/staging.h"

#include <string.h>

static const Tensor *convt_bias(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

/* Window attributes larger than this are refused: with input extents
 * below MAX_ELEMENTS (2^40) no extent computation nears int64 overflow. */
#define CONVT_ATTR_MAX ((int64_t)1 << 20)

/* The output_shape attribute's spatial extents (it may also list N and
 * C), or false in *given when it is absent. */
static bool convt_output_shape(const Node *n, int r, int64_t *out, bool *given, Diag *d)
{
    int64_t v[MAX_RANK];
    int got = attr_ints(n, "output_shape", v, MAX_RANK);
    *given = got >= 0;
    if (got < 0)
        return true;
    if (got != r && got != r + 2)
        return node_error(d, n, "output_shape has %d values for %d spatial axes", got, r);
    for (int i = 0; i < r; i++) {
        out[i] = v[got - r + i];
        if (out[i] < 1 || out[i] > MAX_ELEMENTS)
            return node_error(d, n, "output_shape extent %lld is out of range",
                              (long long)out[i]);
    }
    return true;
}

/* Output extent *out and begin pad *pad_begin of one axis from its full
 * extent. */
static bool convt_axis(const Node *n, const char *auto_pad, bool shape_given, int64_t target,
                       int64_t full, int64_t in, int64_t stride, int64_t pad_b, int64_t pad_e,
                       int64_t *out, int64_t *pad_begin, Diag *d)
{
    bool same = strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0;
    if (shape_given || same) {
        *out = shape_given ? target : in * stride;
        int64_t total = full - *out;
        *pad_begin = total < 0 ? 0
                     : strcmp(auto_pad, "SAME_UPPER") == 0 ? total / 2
                     : total - total / 2;
    } else if (strcmp(auto_pad, "VALID") == 0) {
        *out = full;
        *pad_begin = 0;
    } else if (strcmp(auto_pad, "NOTSET") == 0) {
        *out = full - pad_b - pad_e;
        *pad_begin = pad_b;
    } else {
        return node_error(d, n, "unknown auto_pad '%s'", auto_pad);
    }
    if (*out < 1)
        return node_error(d, n, "pads leave an empty output (full extent %lld)",
                          (long long)full);
    return true;
}

/* Checks X, W and B against each other and computes the geometry in the
 * 3-D kernel's terms: spatial axis i of r at index 3 - r + i, unit axes
 * before it; out[] the output extents and pad_begin[] what is cropped
 * off the front of the full result. */
static bool convt_geometry(const Node *n, snt_conv_transpose3d_params *g, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *w = &n->in[1]->shape;
    const Tensor *b = convt_bias(n);
    if (x->rank < 3 || x->rank > 5)
        return node_error(d, n, "X must have rank 3, 4 or 5 (N x C x 1 to 3 spatial axes), not %d",
                          x->rank);
    if (w->rank != x->rank)
        return node_error(d, n, "W has rank %d but X has rank %d", w->rank, x->rank);
    int64_t group = attr_int_or(n, "group", 1), c = x->dim[1], m = w->dim[1] * group;
    if (group < 1 || w->dim[0] != c || c % group != 0 || w->dim[1] < 1)
        return node_error(d, n, "%lld input channels, W of %lld x %lld and group %lld do not fit",
                          (long long)c, (long long)w->dim[0], (long long)w->dim[1],
                          (long long)group);
    if (b && (b->shape.rank != 1 || b->shape.dim[0] != m))
        return node_error(d, n, "B must have shape [%lld]", (long long)m);

    int r = x->rank - 2;
    int64_t kshape[3], strides[3], dilations[3], pads[6], out_pad[3], target[3];
    bool shape_given;
    int kcount = attr_ints(n, "kernel_shape", kshape, 3);
    if (kcount >= 0 && kcount != r)
        return node_error(d, n, "kernel_shape has %d values for %d spatial axes", kcount, r);
    if (!read_window_ints(n, "strides", r, 1, 1, CONVT_ATTR_MAX, strides, d) ||
        !read_window_ints(n, "dilations", r, 1, 1, CONVT_ATTR_MAX, dilations, d) ||
        !read_window_ints(n, "pads", 2 * r, 0, 0, CONVT_ATTR_MAX, pads, d) ||
        !read_window_ints(n, "output_padding", r, 0, 0, CONVT_ATTR_MAX, out_pad, d) ||
        !convt_output_shape(n, r, target, &shape_given, d))
        return false;
    const char *auto_pad = attr_string_or(n, "auto_pad", "NOTSET");

    *g = (snt_conv_transpose3d_params){
        .n = (size_t)x->dim[0], .c = (size_t)c, .k = (size_t)m, .groups = (size_t)group,
        .in = {1, 1, 1}, .out = {1, 1, 1}, .kernel = {1, 1, 1}, .stride = {1, 1, 1},
        .dilation = {1, 1, 1},
    };
    for (int i = 0; i < r; i++) {
        int a = 3 - r + i;
        int64_t k = w->dim[2 + i], in = x->dim[2 + i], out = 0, pad_begin = 0;
        if (kcount >= 0 && kshape[i] != k)
            return node_error(d, n, "kernel_shape %lld differs from W's extent %lld",
                              (long long)kshape[i], (long long)k);
        if (in < 1 || k < 1 || k > CONVT_ATTR_MAX)
            return node_error(d, n, "spatial extents must be positive");
        int64_t full = strides[i] * (in - 1) + out_pad[i] + (k - 1) * dilations[i] + 1;
        if (!convt_axis(n, auto_pad, shape_given, target[i], full, in, strides[i], pads[i],
                        pads[r + i], &out, &pad_begin, d))
            return false;
        g->in[a] = (size_t)in;
        g->out[a] = (size_t)out;
        g->kernel[a] = (size_t)k;
        g->stride[a] = (size_t)strides[i];
        g->dilation[a] = (size_t)dilations[i];
        g->pad_begin[a] = (size_t)pad_begin;
    }
    return true;
}

static bool convt_infer(Node *n, Diag *d)
{
    snt_conv_transpose3d_params g;
    if (!check_inputs_present(n, 2, d) || !check_float_input(n, 0, d) ||
        !check_same_dtype(n, 1, d) || !check_same_dtype(n, 2, d) || !convt_geometry(n, &g, d))
        return false;
    const Shape *x = &n->in[0]->shape;
    Shape y = {.rank = x->rank, .dim = {x->dim[0], (int64_t)g.k}};
    for (int i = 2; i < x->rank; i++)
        y.dim[i] = (int64_t)g.out[3 - x->rank + i]; /* spatial axis i - 2 */
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* Conv's rule seen from the other side: every input element meets the
 * (M / group) * kernel taps weights of its group; plus one add per
 * output element for the bias. */
static OpCost convt_cost(const Node *n)
{
    const Tensor *w = n->in[1];
    int64_t taps = 1;
    for (int i = 1; i < w->shape.rank; i++)
        taps = sat_mul(taps, w->shape.dim[i]);
    OpCost c = {.macs = sat_mul(tensor_numel(n->in[0]), taps)};
    c.flops = sat_mul(2, c.macs) + (convt_bias(n) ? tensor_numel(n->out[0]) : 0);
    return c;
}

/* One kernel for 1-D, 2-D and 3-D: the geometry has unit leading
 * spatial axes for fewer. */
static bool convt_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_conv_transpose3d_params g;
    if (!check_f32_runtime(n, n->n_in, d) || !convt_geometry(n, &g, d))
        return false;
    emit_params_snt_conv_transpose3d_params(e, &g, "p");
    size_t scratch = snt_conv_transpose3d_scratch_floats(&g);
    emit_line(e, "snt_conv_transpose3d_f32(&p, %s, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr_or_null(e, convt_bias(n)), emit_ptr(e, n->out[0]),
              emit_scratch(e, scratch * sizeof(float)));
    return true;
}

/* The kernel's column buffer, so the planner can give it arena space. */
static size_t convt_scratch_bytes(const Node *n)
{
    snt_conv_transpose3d_params g;
    return convt_geometry(n, &g, NULL) ? snt_conv_transpose3d_scratch_floats(&g) * sizeof(float)
                                       : 0;
}

const OpDesc op_ConvTranspose = {
    .name = "ConvTranspose", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = convt_infer, .cost = convt_cost, .emit = convt_emit,
    .scratch_bytes = convt_scratch_bytes,
    .dtypes = DT_BIT(DT_FLOAT),
};
