/*
 * quantize.c - linear quantization: QuantizeLinear, DequantizeLinear and
 * DynamicQuantizeLinear.
 *
 * Scale and zero point are one value for the whole tensor (a scalar or a
 * one-element vector) or, from opset 13, a vector of one value per
 * channel of `axis`.  The kernels see x as [outer][channels][inner].
 * Blocked quantization (opset 21's block_size) and the float8 types are
 * not supported.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/sliding_window.h"

#include <string.h>

/* x's split around the quantization axis; channels = 1 per tensor. */
typedef struct {
    size_t outer, channels, inner;
} QuantSplit;


/* True for the integer types the kernels quantize to and from. */
static bool quant_int_dtype(DType t)
{
    return t == DT_UINT8 || t == DT_INT8 || t == DT_UINT16 || t == DT_INT16;
}

/* node_error unless input i (if present) has dtype t. */
static bool check_dtype(const Node *n, int i, DType t, Diag *d)
{
    const Tensor *v = n->in[i];
    if (v && v->dtype != t)
        return node_error(d, n, "input %d ('%s') must be %s, not %s", i, v->name,
                          dtype_label(t), dtype_label(v->dtype));
    return true;
}

/* Checks the shapes of scale (input 1) and the optional zero point
 * (input 2) against x (input 0) and the axis attribute, and splits x. */
static bool quant_split(const Node *n, QuantSplit *q, Diag *d)
{
    const Tensor *x = n->in[0], *scale = n->in[1];
    const Tensor *zp = node_input(n, 2);
    if (attr_int_or(n, "block_size", 0) != 0)
        return node_error(d, n, "blocked quantization (block_size) is not supported");
    if (scale->shape.rank > 1)
        return node_error(d, n, "scale '%s' must be a scalar or a vector", scale->name);
    if (zp && (zp->shape.rank != scale->shape.rank || tensor_numel(zp) != tensor_numel(scale)))
        return node_error(d, n, "zero point '%s' must have the shape of scale '%s'", zp->name,
                          scale->name);
    int64_t numel = tensor_numel(x);
    if (numel < 0)
        return node_error(d, n, "input '%s' is too large", x->name);
    *q = (QuantSplit){1, 1, (size_t)numel};
    int64_t channels = tensor_numel(scale);
    if (scale->shape.rank == 0 || channels == 1)
        return true;
    int axis;
    if (!axis_normalize(attr_int_or(n, "axis", 1), x->shape.rank, &axis))
        return node_error(d, n, "axis %lld is out of range for rank %d",
                          (long long)attr_int_or(n, "axis", 1), x->shape.rank);
    if (x->shape.dim[axis] != channels)
        return node_error(d, n, "scale '%s' has %lld values, but axis %d of '%s' has %lld",
                          scale->name, (long long)channels, axis, x->name,
                          (long long)x->shape.dim[axis]);
    /* The axes before and after `axis`, multiplied out rather than
     * divided from numel: an empty x has a zero among them. */
    q->channels = (size_t)channels;
    for (int i = 0; i < axis; i++)
        q->outer *= (size_t)x->shape.dim[i];
    q->inner = 1;
    for (int i = axis + 1; i < x->shape.rank; i++)
        q->inner *= (size_t)x->shape.dim[i];
    return true;
}

/* ---- QuantizeLinear ------------------------------------------------ */

/* The output dtype: the zero point's, else opset 21's output_dtype,
 * else uint8. */
static DType quantize_out_dtype(const Node *n)
{
    const Tensor *zp = node_input(n, 2);
    if (zp)
        return zp->dtype;
    int64_t t = attr_int_or(n, "output_dtype", 0);
    return t ? (DType)t : DT_UINT8;
}

static bool quantize_infer(Node *n, Diag *d)
{
    QuantSplit q;
    DType t = quantize_out_dtype(n);
    if (!check_dtype(n, 0, DT_FLOAT, d) || !check_dtype(n, 1, DT_FLOAT, d))
        return false;
    if (!quant_int_dtype(t))
        return node_error(d, n, "quantizing to %s is not supported", dtype_label(t));
    if (!quant_split(n, &q, d))
        return false;
    set_output(n, 0, t, &n->in[0]->shape);
    return true;
}

static bool quantize_fold(Node *n, Diag *d)
{
    QuantSplit q;
    if (!all_inputs_const(n) || !quant_split(n, &q, d))
        return true;
    const Tensor *zp = node_input(n, 2);
    snt_quantize_linear(q.outer, q.channels, q.inner, n->in[0]->data, n->in[1]->data,
                        zp ? zp->data : NULL, n->out[0]->dtype, alloc_output(n, 0));
    return true;
}

static bool quantize_emit(const Node *n, Emitter *e, Diag *d)
{
    QuantSplit q;
    if (!quant_split(n, &q, d))
        return false;
    emit_line(e, "snt_quantize_linear(%zu, %zu, %zu, %s, %s, %s, %d, %s);", q.outer, q.channels,
              q.inner, emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]),
              emit_ptr_or_null(e, node_input(n, 2)), (int)n->out[0]->dtype, emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_QuantizeLinear = {
    .name = "QuantizeLinear",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 10, .until = 21,
    .min_in = 2, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = quantize_infer,
    .fold = quantize_fold,
    .emit = quantize_emit,
};

/* ---- DequantizeLinear ---------------------------------------------- */

static bool dequantize_infer(Node *n, Diag *d)
{
    QuantSplit q;
    DType t = n->in[0]->dtype;
    if (!quant_int_dtype(t) && t != DT_INT32)
        return node_error(d, n, "dequantizing %s is not supported", dtype_label(t));
    if (!check_dtype(n, 1, DT_FLOAT, d) || !check_same_dtype(n, 2, d) || !quant_split(n, &q, d))
        return false;
    set_output(n, 0, DT_FLOAT, &n->in[0]->shape);
    return true;
}

static bool dequantize_fold(Node *n, Diag *d)
{
    QuantSplit q;
    if (!all_inputs_const(n) || !quant_split(n, &q, d))
        return true;
    const Tensor *zp = node_input(n, 2);
    snt_dequantize_linear(q.outer, q.channels, q.inner, n->in[0]->dtype, n->in[0]->data,
                          n->in[1]->data, zp ? zp->data : NULL, alloc_output(n, 0));
    return true;
}

static bool dequantize_emit(const Node *n, Emitter *e, Diag *d)
{
    QuantSplit q;
    if (!quant_split(n, &q, d))
        return false;
    emit_line(e, "snt_dequantize_linear(%zu, %zu, %zu, %d, %s, %s, %s, %s);", q.outer,
              q.channels, q.inner, (int)n->in[0]->dtype, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr_or_null(e, node_input(n, 2)), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_DequantizeLinear = {
    .name = "DequantizeLinear",
    .dtypes = DT_BIT(DT_INT8) | DT_BIT(DT_INT32) | DT_BIT(DT_UINT8),
    .since = 10, .until = 21,
    .min_in = 2, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = dequantize_infer,
    .fold = dequantize_fold,
    .emit = dequantize_emit,
};

/* ---- DynamicQuantizeLinear ----------------------------------------- */

static bool dynamic_quantize_infer(Node *n, Diag *d)
{
    const Shape scalar = {0};
    if (!check_dtype(n, 0, DT_FLOAT, d))
        return false;
    if (tensor_numel(n->in[0]) < 0)
        return node_error(d, n, "input '%s' is too large", n->in[0]->name);
    set_output(n, 0, DT_UINT8, &n->in[0]->shape);
    set_output(n, 1, DT_FLOAT, &scalar);
    set_output(n, 2, DT_UINT8, &scalar);
    return true;
}

static bool dynamic_quantize_fold(Node *n, Diag *d)
{
    (void)d;
    if (!all_inputs_const(n))
        return true;
    uint8_t *y = alloc_output(n, 0);
    float *scale = alloc_output(n, 1);
    snt_dynamic_quantize_linear((size_t)tensor_numel(n->in[0]), n->in[0]->data, y, scale,
                                alloc_output(n, 2));
    return true;
}

static bool dynamic_quantize_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    emit_line(e, "snt_dynamic_quantize_linear(%lld, %s, %s, %s, %s);",
              (long long)tensor_numel(n->in[0]), emit_ptr(e, n->in[0]), emit_ptr(e, n->out[0]),
              emit_ptr(e, n->out[1]), emit_ptr(e, n->out[2]));
    return true;
}

const OpDesc op_DynamicQuantizeLinear = {
    .name = "DynamicQuantizeLinear",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 3, .max_out = 3,
    .infer = dynamic_quantize_infer,
    .fold = dynamic_quantize_fold,
    .emit = dynamic_quantize_emit,
};

/* ---- MatMulInteger, QLinearMatMul ----------------------------------- */

/* node_error unless input i is uint8 or int8 (the integer products'
 * operands) and its zero point, input zp_i if present, has its dtype. */
static bool check_int8_operand(const Node *n, int i, int zp_i, Diag *d)
{
    const Tensor *t = n->in[i], *zp = node_input(n, zp_i);
    if (t->dtype != DT_UINT8 && t->dtype != DT_INT8)
        return node_error(d, n, "input %d ('%s') must be uint8 or int8, not %s", i, t->name,
                          dtype_label(t->dtype));
    if (zp && zp->dtype != t->dtype)
        return node_error(d, n, "zero point '%s' is %s but '%s' is %s", zp->name,
                          dtype_label(zp->dtype), t->name, dtype_label(t->dtype));
    return true;
}

/* The count of a zero point or scale of `t` (NULL: absent, 0): one value,
 * or a vector of `channels` values (a's rows, b's columns, W's outputs). */
static bool quant_count(const Node *n, const Tensor *t, int64_t channels, size_t *count, Diag *d)
{
    int64_t numel = t ? tensor_numel(t) : 0;
    *count = (size_t)numel;
    if (!t || numel == 1)
        return true;
    if (t->shape.rank != 1 || numel != channels)
        return node_error(d, n, "'%s' must hold one value or %lld, one per channel", t->name,
                          (long long)channels);
    return true;
}

/* The element stride between the matrices of operand t: one matrix per
 * output matrix (out_batch of them), or a single one shared by all
 * (stride 0); other broadcasts of the batch dims are refused. */
static bool batch_stride(const Node *n, const Tensor *t, int64_t out_batch, size_t *stride,
                         Diag *d)
{
    const Shape *s = &t->shape;
    int64_t batch = 1;
    for (int i = 0; i < s->rank - 2; i++)
        batch *= s->dim[i];
    *stride = batch == 1 ? 0 : (size_t)(s->dim[s->rank - 2] * s->dim[s->rank - 1]);
    if (batch != 1 && batch != out_batch)
        return node_error(d, n, "broadcasting the batch dims of '%s' partially is not supported",
                          t->name);
    return true;
}

/* Checks a (input ai) and b (input bi) of an integer product, sets the
 * product's geometry in p and its output shape in out. */
static bool qmatmul_geometry(const Node *n, int ai, int bi, snt_qmatmul_params *p, Shape *out,
                             Diag *d)
{
    const Tensor *a = n->in[ai], *b = n->in[bi];
    const Shape *as = &a->shape, *bs = &b->shape;
    if (as->rank < 2 || bs->rank < 2)
        return node_error(d, n, "inputs of rank 1 are not supported");
    Shape a_batch = {.rank = as->rank - 2}, b_batch = {.rank = bs->rank - 2};
    memcpy(a_batch.dim, as->dim, (size_t)a_batch.rank * sizeof *as->dim);
    memcpy(b_batch.dim, bs->dim, (size_t)b_batch.rank * sizeof *bs->dim);
    if (as->dim[as->rank - 1] != bs->dim[bs->rank - 2] || !shape_broadcast(&a_batch, &b_batch, out))
        return node_error(d, n, "shapes of '%s' and '%s' do not match for a matrix product",
                          a->name, b->name);
    *p = (snt_qmatmul_params){.batch = 1, .a_dtype = a->dtype, .b_dtype = b->dtype};
    for (int i = 0; i < out->rank; i++)
        p->batch *= (size_t)out->dim[i];
    p->m = (size_t)as->dim[as->rank - 2];
    p->k = (size_t)as->dim[as->rank - 1];
    p->n = (size_t)bs->dim[bs->rank - 1];
    out->dim[out->rank++] = (int64_t)p->m;
    out->dim[out->rank++] = (int64_t)p->n;
    if (shape_numel(out) < 0)
        return node_error(d, n, "the output is too large");
    return batch_stride(n, a, (int64_t)p->batch, &p->a_batch_stride, d) &&
           batch_stride(n, b, (int64_t)p->batch, &p->b_batch_stride, d);
}

/* MatMulInteger: A, B, a_zero_point, b_zero_point. */
static bool matmul_integer_params(const Node *n, snt_qmatmul_params *p, Shape *out, Diag *d)
{
    return check_int8_operand(n, 0, 2, d) && check_int8_operand(n, 1, 3, d) &&
           qmatmul_geometry(n, 0, 1, p, out, d) &&
           quant_count(n, node_input(n, 2), (int64_t)p->m, &p->a_count, d) &&
           quant_count(n, node_input(n, 3), (int64_t)p->n, &p->b_count, d);
}

static bool matmul_integer_infer(Node *n, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!matmul_integer_params(n, &p, &out, d))
        return false;
    set_output(n, 0, DT_INT32, &out);
    return true;
}

static bool matmul_integer_fold(Node *n, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!all_inputs_const(n) || !matmul_integer_params(n, &p, &out, d))
        return true;
    const Tensor *a_zp = node_input(n, 2), *b_zp = node_input(n, 3);
    snt_matmul_integer(&p, n->in[0]->data, a_zp ? a_zp->data : NULL, n->in[1]->data,
                       b_zp ? b_zp->data : NULL, alloc_output(n, 0));
    return true;
}

static bool matmul_integer_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!matmul_integer_params(n, &p, &out, d))
        return false;
    emit_params_snt_qmatmul_params(e, &p, "p");
    emit_line(e, "snt_matmul_integer(&p, %s, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr_or_null(e, node_input(n, 2)), emit_ptr(e, n->in[1]),
              emit_ptr_or_null(e, node_input(n, 3)), emit_ptr(e, n->out[0]));
    return true;
}

static OpCost qmatmul_cost(const Node *n)
{
    int64_t k = n->in[0]->shape.dim[n->in[0]->shape.rank - 1];
    int64_t macs = sat_mul(tensor_numel(n->out[0]), k);
    return (OpCost){macs, sat_mul(macs, 2)};
}

const OpDesc op_MatMulInteger = {
    .name = "MatMulInteger",
    .dtypes = DT_BIT(DT_INT8) | DT_BIT(DT_UINT8),
    .since = 10, .until = 21,
    .min_in = 2, .max_in = 4,
    .min_out = 1, .max_out = 1,
    .infer = matmul_integer_infer,
    .fold = matmul_integer_fold,
    .cost = qmatmul_cost,
    .emit = matmul_integer_emit,
};

/* node_error unless scale input i is float32 of `count` values and the
 * zero point input i + 1 has as many. */
static bool check_scale_zp(const Node *n, int i, size_t count, Diag *d)
{
    const Tensor *scale = n->in[i], *zp = n->in[i + 1];
    if (!check_dtype(n, i, DT_FLOAT, d))
        return false;
    if ((size_t)tensor_numel(scale) != count || (size_t)tensor_numel(zp) != count)
        return node_error(d, n, "scale '%s' and zero point '%s' must hold %zu values",
                          scale->name, zp->name, count);
    return true;
}

/* QLinearMatMul: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp. */
static bool qlinear_matmul_params(const Node *n, snt_qmatmul_params *p, Shape *out, Diag *d)
{
    const Tensor *y_zp = n->in[7];
    if (y_zp->dtype != DT_UINT8 && y_zp->dtype != DT_INT8)
        return node_error(d, n, "y_zero_point '%s' must be uint8 or int8", y_zp->name);
    return check_int8_operand(n, 0, 2, d) && check_int8_operand(n, 3, 5, d) &&
           qmatmul_geometry(n, 0, 3, p, out, d) &&
           quant_count(n, n->in[2], (int64_t)p->m, &p->a_count, d) &&
           quant_count(n, n->in[5], (int64_t)p->n, &p->b_count, d) &&
           check_scale_zp(n, 1, p->a_count, d) && check_scale_zp(n, 4, p->b_count, d) &&
           check_scale_zp(n, 6, 1, d);
}

static bool qlinear_matmul_infer(Node *n, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!check_inputs_present(n, 8, d) || !qlinear_matmul_params(n, &p, &out, d))
        return false;
    set_output(n, 0, n->in[7]->dtype, &out);
    return true;
}

static bool qlinear_matmul_fold(Node *n, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!all_inputs_const(n) || !qlinear_matmul_params(n, &p, &out, d))
        return true;
    snt_qlinear_matmul(&p, n->in[0]->data, n->in[1]->data, n->in[2]->data, n->in[3]->data,
                       n->in[4]->data, n->in[5]->data, n->in[6]->data, n->in[7]->data,
                       n->out[0]->dtype, alloc_output(n, 0));
    return true;
}

static bool qlinear_matmul_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_qmatmul_params p;
    Shape out;
    if (!qlinear_matmul_params(n, &p, &out, d))
        return false;
    emit_params_snt_qmatmul_params(e, &p, "p");
    emit_line(e, "snt_qlinear_matmul(&p, %s, %s, %s, %s, %s, %s, %s, %s, %d, %s);",
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]),
              emit_ptr(e, n->in[3]), emit_ptr(e, n->in[4]), emit_ptr(e, n->in[5]),
              emit_ptr(e, n->in[6]), emit_ptr(e, n->in[7]), (int)n->out[0]->dtype,
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_QLinearMatMul = {
    .name = "QLinearMatMul",
    .dtypes = DT_BIT(DT_INT8) | DT_BIT(DT_UINT8),
    .since = 10, .until = 21,
    .min_in = 8, .max_in = 8,
    .min_out = 1, .max_out = 1,
    .infer = qlinear_matmul_infer,
    .fold = qlinear_matmul_fold,
    .cost = qmatmul_cost,
    .emit = qlinear_matmul_emit,
};

/* ---- ConvInteger, QLinearConv --------------------------------------- */

/* Checks x (input xi) and w (input wi) of an integer convolution, sets
 * its geometry in p and its output shape in out. */
static bool qconv_geometry(const Node *n, int xi, int wi, snt_qconv2d_params *p, Shape *out,
                           Diag *d)
{
    const Shape *xs = &n->in[xi]->shape, *ws = &n->in[wi]->shape;
    int64_t group = attr_int_or(n, "group", 1), kernel_attr[2];
    Window win;
    if (!check_window_rank(n, xs, d))
        return false;
    if (ws->rank != xs->rank)
        return node_error(d, n, "weights '%s' must have rank %d", n->in[wi]->name, xs->rank);
    int count = attr_ints(n, "kernel_shape", kernel_attr, 2);
    if (count >= 0 && (count != xs->rank - 2 || memcmp(kernel_attr, ws->dim + 2,
                                                       (size_t)count * sizeof *kernel_attr)))
        return node_error(d, n, "kernel_shape does not match the weights' shape");
    if (group < 1 || ws->dim[0] % group || xs->dim[1] != ws->dim[1] * group)
        return node_error(d, n, "group %lld does not fit %lld input and %lld output channels",
                          (long long)group, (long long)xs->dim[1], (long long)ws->dim[0]);
    if (!window_infer(n, xs, ws->dim + 2, false, &win, d))
        return false;
    *out = window_output_shape(&win, xs, ws->dim[0]);
    *p = (snt_qconv2d_params){
        .batch = (size_t)xs->dim[0], .in_c = (size_t)xs->dim[1], .in_h = (size_t)win.in[0],
        .in_w = (size_t)win.in[1], .out_c = (size_t)ws->dim[0], .out_h = (size_t)win.out[0],
        .out_w = (size_t)win.out[1], .k_h = (size_t)win.kernel[0], .k_w = (size_t)win.kernel[1],
        .group = (size_t)group, .stride_h = (size_t)win.stride[0],
        .stride_w = (size_t)win.stride[1], .dil_h = (size_t)win.dilation[0],
        .dil_w = (size_t)win.dilation[1], .pad_t = (size_t)win.pad_begin[0],
        .pad_l = (size_t)win.pad_begin[1], .x_dtype = n->in[xi]->dtype,
        .w_dtype = n->in[wi]->dtype};
    return true;
}

/* One MAC per output element and weight tap of its output channel. */
static OpCost qconv_cost_of(const Node *n, int wi)
{
    const Shape *w = &n->in[wi]->shape;
    int64_t taps = 1;
    for (int i = 1; i < w->rank; i++)
        taps = sat_mul(taps, w->dim[i]);
    int64_t macs = sat_mul(tensor_numel(n->out[0]), taps);
    return (OpCost){macs, sat_mul(macs, 2)};
}

static OpCost conv_integer_cost(const Node *n) { return qconv_cost_of(n, 1); }
static OpCost qlinear_conv_cost(const Node *n) { return qconv_cost_of(n, 3); }

/* ConvInteger: x, w, x_zero_point, w_zero_point. */
static bool conv_integer_params(const Node *n, snt_qconv2d_params *p, Shape *out, Diag *d)
{
    return check_int8_operand(n, 0, 2, d) && check_int8_operand(n, 1, 3, d) &&
           qconv_geometry(n, 0, 1, p, out, d) &&
           quant_count(n, node_input(n, 2), 1, &p->x_count, d) &&
           quant_count(n, node_input(n, 3), (int64_t)p->out_c, &p->w_count, d);
}

static bool conv_integer_infer(Node *n, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    if (!conv_integer_params(n, &p, &out, d))
        return false;
    set_output(n, 0, DT_INT32, &out);
    return true;
}

static bool conv_integer_fold(Node *n, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    if (!all_inputs_const(n) || !conv_integer_params(n, &p, &out, d))
        return true;
    const Tensor *x_zp = node_input(n, 2), *w_zp = node_input(n, 3);
    snt_conv_integer(&p, n->in[0]->data, x_zp ? x_zp->data : NULL, n->in[1]->data,
                     w_zp ? w_zp->data : NULL, alloc_output(n, 0));
    return true;
}

static bool conv_integer_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    if (!conv_integer_params(n, &p, &out, d))
        return false;
    emit_params_snt_qconv2d_params(e, &p, "p");
    emit_line(e, "snt_conv_integer(&p, %s, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr_or_null(e, node_input(n, 2)), emit_ptr(e, n->in[1]),
              emit_ptr_or_null(e, node_input(n, 3)), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_ConvInteger = {
    .name = "ConvInteger",
    .dtypes = DT_BIT(DT_INT8) | DT_BIT(DT_UINT8),
    .since = 10, .until = 21,
    .min_in = 2, .max_in = 4,
    .min_out = 1, .max_out = 1,
    .infer = conv_integer_infer,
    .fold = conv_integer_fold,
    .cost = conv_integer_cost,
    .emit = conv_integer_emit,
};

/* QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B. */
static bool qlinear_conv_params(const Node *n, snt_qconv2d_params *p, Shape *out, Diag *d)
{
    const Tensor *y_zp = n->in[7], *bias = node_input(n, 8);
    if (y_zp->dtype != DT_UINT8 && y_zp->dtype != DT_INT8)
        return node_error(d, n, "y_zero_point '%s' must be uint8 or int8", y_zp->name);
    if (!check_int8_operand(n, 0, 2, d) || !check_int8_operand(n, 3, 5, d) ||
        !qconv_geometry(n, 0, 3, p, out, d) || !quant_count(n, n->in[2], 1, &p->x_count, d) ||
        !quant_count(n, n->in[5], (int64_t)p->out_c, &p->w_count, d) ||
        !check_scale_zp(n, 1, p->x_count, d) || !check_scale_zp(n, 4, p->w_count, d) ||
        !check_scale_zp(n, 6, 1, d))
        return false;
    if (bias && (bias->dtype != DT_INT32 || tensor_numel(bias) != (int64_t)p->out_c))
        return node_error(d, n, "bias '%s' must be %zu int32 values", bias->name, p->out_c);
    return true;
}

static bool qlinear_conv_infer(Node *n, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    if (!check_inputs_present(n, 8, d) || !qlinear_conv_params(n, &p, &out, d))
        return false;
    set_output(n, 0, n->in[7]->dtype, &out);
    return true;
}

static bool qlinear_conv_fold(Node *n, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    const Tensor *bias = node_input(n, 8);
    if (!all_inputs_const(n) || !qlinear_conv_params(n, &p, &out, d))
        return true;
    snt_qlinear_conv(&p, n->in[0]->data, n->in[1]->data, n->in[2]->data, n->in[3]->data,
                     n->in[4]->data, n->in[5]->data, n->in[6]->data, n->in[7]->data,
                     n->out[0]->dtype, bias ? bias->data : NULL, alloc_output(n, 0));
    return true;
}

static bool qlinear_conv_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_qconv2d_params p;
    Shape out;
    if (!qlinear_conv_params(n, &p, &out, d))
        return false;
    emit_params_snt_qconv2d_params(e, &p, "p");
    emit_line(e, "snt_qlinear_conv(&p, %s, %s, %s, %s, %s, %s, %s, %s, %d, %s, %s);",
              emit_ptr(e, n->in[0]), emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]),
              emit_ptr(e, n->in[3]), emit_ptr(e, n->in[4]), emit_ptr(e, n->in[5]),
              emit_ptr(e, n->in[6]), emit_ptr(e, n->in[7]), (int)n->out[0]->dtype,
              emit_ptr_or_null(e, node_input(n, 8)), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_QLinearConv = {
    .name = "QLinearConv",
    .dtypes = DT_BIT(DT_INT8) | DT_BIT(DT_UINT8),
    .since = 10, .until = 21,
    .min_in = 8, .max_in = 9,
    .min_out = 1, .max_out = 1,
    .infer = qlinear_conv_infer,
    .fold = qlinear_conv_fold,
    .cost = qlinear_conv_cost,
    .emit = qlinear_conv_emit,
};
