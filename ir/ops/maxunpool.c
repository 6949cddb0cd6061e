/*
 * maxunpool.c - MaxUnpool (opsets 9 to 21): the partial inverse of
 * MaxPool.  The output is zero except at the positions of input I, which
 * holds MaxPool's Indices: offsets into the whole flattened output
 * (batch and channel included).  So the op is a zero fill and a
 * ScatterElements over the flattened output, run by the runtime's
 * snt_scatter_elements at compile time (all inputs constant) or run time.
 *
 * The indices address the unpooled shape, which a MaxPool with the
 * node's kernel, strides and pads inverts: (in - 1) * stride + kernel -
 * pad_begin - pad_end on each spatial axis.  The optional constant input
 * output_shape may enlarge it, with zeros at the end of each axis (as
 * ONNX's test data and ONNX Runtime have it).
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/index_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <stdlib.h>


/* The unpooled shape the indices address: what a MaxPool with the node's
 * kernel, strides and pads inverts. */
static bool unpooled_shape(const Node *n, Shape *out, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int spatial = x->rank - 2;
    int64_t kernel[MAX_RANK], strides[MAX_RANK], pads[2 * MAX_RANK];
    if (attr_ints(n, "kernel_shape", kernel, MAX_RANK) != spatial)
        return node_error(d, n, "kernel_shape must hold %d values", spatial);
    int n_strides = attr_ints(n, "strides", strides, MAX_RANK);
    int n_pads = attr_ints(n, "pads", pads, 2 * MAX_RANK);
    if ((n_strides >= 0 && n_strides != spatial) || (n_pads >= 0 && n_pads != 2 * spatial))
        return node_error(d, n, "strides and pads must match the %d spatial axes", spatial);
    *out = *x;
    for (int i = 0; i < spatial; i++) {
        int64_t stride = n_strides < 0 ? 1 : strides[i];
        int64_t pad = n_pads < 0 ? 0 : pads[i] + pads[i + spatial];
        if (stride < 1 || kernel[i] < 1 || pad < 0)
            return node_error(d, n, "kernel, strides and pads must be positive");
        out->dim[i + 2] = (x->dim[i + 2] - 1) * stride + kernel[i] - pad;
        if (out->dim[i + 2] < 0)
            return node_error(d, n, "pads exceed the unpooled extent");
    }
    return true;
}

/* The output shape: output_shape when given, which may only enlarge the
 * unpooled shape; the extra elements are zero. */
static bool unpool_shapes(const Node *n, Shape *unpooled, Shape *out, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    if (!unpooled_shape(n, unpooled, d))
        return false;
    *out = *unpooled;
    if (n->n_in < 3 || !n->in[2])
        return true;
    int64_t dims[MAX_RANK];
    int count = const_ints(n, 2, dims, MAX_RANK, d);
    if (count < 0)
        return false;
    if (count != x->rank)
        return node_error(d, n, "output_shape has %d values for rank %d", count, x->rank);
    for (int i = 0; i < count; i++) {
        if (dims[i] < unpooled->dim[i] || (i < 2 && dims[i] != x->dim[i]))
            return node_error(d, n, "output_shape dimension %d (%lld) is smaller than the "
                              "unpooled %lld or changes N or C", i, (long long)dims[i],
                              (long long)unpooled->dim[i]);
        out->dim[i] = dims[i];
    }
    return true;
}

static bool maxunpool_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    Shape unpooled, out;
    if (x->shape.rank < 3)
        return node_error(d, n, "input must be N x C x spatial, not rank %d", x->shape.rank);
    if (!snt_dtype_code(x->dtype))
        return node_error(d, n, "input of dtype %s is unsupported", dtype_label(x->dtype));
    if (!check_index_input(n, 1, d))
        return false;
    if (!shape_equal(&idx->shape, &x->shape))
        return node_error(d, n, "indices must have the input's shape");
    if (!unpool_shapes(n, &unpooled, &out, d) || !check_size(n, &out, d))
        return false;
    set_output(n, 0, x->dtype, &out);
    return true;
}

/* The scatter, both tensors flattened: input element i goes to offset
 * I[i] of the unpooled tensor. */
static snt_elements_params scatter_params(const Node *n, const Shape *unpooled)
{
    Shape flat_out = {.rank = 1, .dim = {shape_numel(unpooled)}};
    Shape flat_in = {.rank = 1, .dim = {tensor_numel(n->in[0])}};
    return elements_params(&flat_out, &flat_in, 0);
}

/* The zero padding at the end of each axis from unpooled to out. */
static snt_pad_params pad_params(const Shape *unpooled, const Shape *out)
{
    snt_pad_params p = {.rank = out->rank, .mode = SNT_PAD_CONSTANT};
    for (int i = 0; i < out->rank; i++) {
        p.in_dims[i] = (size_t)unpooled->dim[i];
        p.out_dims[i] = (size_t)out->dim[i];
    }
    return p;
}

static bool maxunpool_fold(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    Shape unpooled, out;
    if (!tensor_is_const(x) || !tensor_is_const(idx) ||
        tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!unpool_shapes(n, &unpooled, &out, d))
        return false;
    size_t elem = dtype_size(x->dtype);
    snt_elements_params p = scatter_params(n, &unpooled);
    void *y = alloc_output(n, 0); /* zeroed */
    void *tmp = shape_equal(&unpooled, &out) ? y : xcalloc((size_t)shape_numel(&unpooled) + 1, elem);
    snt_scatter_elements(&p, x->dtype, SNT_SCATTER_NONE, tmp, idx->dtype, idx->data, x->data, tmp);
    if (tmp != y) {
        snt_pad_params pad = pad_params(&unpooled, &out);
        int64_t zero = 0;
        snt_pad(&pad, elem, &zero, tmp, y);
        free(tmp);
    }
    return true;
}

/* The unpooled tensor's bytes when output_shape enlarges it: it is
 * scattered into scratch then, and padded into y; else none. */
static size_t maxunpool_scratch_bytes(const Node *n)
{
    Shape unpooled, out;
    bool ok = unpool_shapes(n, &unpooled, &out, NULL);
    if (!ok || shape_equal(&unpooled, &out))
        return 0;
    return (size_t)shape_numel(&unpooled) * dtype_size(n->in[0]->dtype);
}

/* Zero fill and scatter into y, or into scratch that a zero Pad then
 * copies into y when output_shape enlarges the unpooled shape. */
static bool maxunpool_emit(const Node *n, Emitter *e, Diag *d)
{
    const Tensor *x = n->in[0], *idx = n->in[1], *y = n->out[0];
    Shape unpooled, out;
    if (!unpool_shapes(n, &unpooled, &out, d))
        return false;
    if (tensor_numel(y) == 0)
        return true;
    bool padded = !shape_equal(&unpooled, &out);
    size_t bytes = (size_t)shape_numel(&unpooled) * dtype_size(x->dtype);
    const char *dst = padded ? emit_scratch(e, bytes) : emit_ptr(e, y);
    snt_elements_params p = scatter_params(n, &unpooled);
    emit_line(e, "memset(%s, 0, %zu);", dst, bytes);
    emit_params_snt_elements_params(e, &p, "p");
    emit_line(e, "snt_scatter_elements(&p, %s, SNT_SCATTER_NONE, %s, %s, %s, %s, %s);",
              snt_dtype_code(x->dtype), dst, snt_dtype_code(idx->dtype), emit_ptr(e, idx),
              emit_ptr(e, x), dst);
    if (padded) {
        snt_pad_params pad = pad_params(&unpooled, &out);
        emit_params_snt_pad_params(e, &pad, "pad");
        emit_line(e, "static const %s zero = 0;", dtype_ctype(x->dtype));
        emit_line(e, "snt_pad(&pad, sizeof zero, &zero, %s, %s);", dst, emit_ptr(e, y));
    }
    return true;
}

const OpDesc op_MaxUnpool = {
    .name = "MaxUnpool",
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE),
    .since = 9, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = maxunpool_infer,
    .fold = maxunpool_fold,
    .emit = maxunpool_emit,
    .scratch_bytes = maxunpool_scratch_bytes,
};
