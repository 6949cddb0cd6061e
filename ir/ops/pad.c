/*
 * pad.c - Pad in constant, reflect and edge modes.
 *
 * Before opset 11 the pads and the fill value are attributes; from 11
 * they are inputs (pads, then an optional scalar constant_value, which
 * PyTorch passes and ONNX lets one omit as ""), and opset 18 adds an
 * optional axes input that says which axes the pads refer to.  Negative
 * pads crop.  The runtime kernel moves elements of any dtype.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/attr_choice.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <string.h>

/* Largest |pad| accepted: keeps dims + pads far from int64 overflow. */
#define PAD_MAX MAX_ELEMENTS

/* The modes, in the order of the runtime's enum. */
static const AttrChoice pad_modes[] = {
    {"constant", "SNT_PAD_CONSTANT"}, {"reflect", "SNT_PAD_REFLECT"}, {"edge", "SNT_PAD_EDGE"},
};

const char *snt_pad_mode_name(int v)
{
    return pad_modes[v].constant;
}

static bool pad_mode(const Node *n, snt_pad_mode *mode, Diag *d)
{
    int index;
    if (!attr_choice(n, "mode", pad_modes, 3, &index, d))
        return false;
    *mode = (snt_pad_mode)index;
    return true;
}

/* The fill value: attribute `value` before opset 11, else the optional
 * constant_value input (0 when absent). */
static bool pad_value(const Node *n, double *value, Diag *d)
{
    if (n->opset < 11) {
        *value = attr_float_or(n, "value", 0.0);
        return true;
    }
    const Tensor *v = n->n_in > 2 ? n->in[2] : NULL;
    *value = 0;
    if (!v)
        return true;
    if (!tensor_is_const(v))
        return node_error(d, n, "constant_value ('%s') must be known at compile time", v->name);
    if (tensor_numel(v) != 1)
        return node_error(d, n, "constant_value must hold one element");
    *value = dtype_get_f64(v->dtype, v->data, 0);
    return true;
}

/* Reads the pads into begin[] / end[] per input axis (0 where not given). */
static bool pad_amounts(const Node *n, int64_t *begin, int64_t *end, Diag *d)
{
    int rank = n->in[0]->shape.rank;
    int64_t pads[2 * MAX_RANK], axes[MAX_RANK];
    bool present, has_axes = false;
    int count = node_ints(n, "pads", n->opset >= 11 ? 1 : -1, pads, 2 * MAX_RANK, &present, d);
    if (count < 0)
        return false;
    if (!present)
        return node_error(d, n, "pads are required");
    int n_axes = n->opset >= 18 ? node_ints(n, "axes", 3, axes, MAX_RANK, &has_axes, d) : 0;
    if (n_axes < 0)
        return false;
    if (!has_axes) {
        n_axes = rank;
        for (int i = 0; i < rank; i++)
            axes[i] = i;
    }
    if (!normalize_axes(n, axes, n_axes, rank, d))
        return false;
    if (count != 2 * n_axes)
        return node_error(d, n, "pads has %d values, expected %d", count, 2 * n_axes);
    for (int i = 0; i < rank; i++)
        begin[i] = end[i] = 0;
    for (int i = 0; i < n_axes; i++) {
        int64_t b = pads[i], e = pads[n_axes + i];
        if (b < -PAD_MAX || b > PAD_MAX || e < -PAD_MAX || e > PAD_MAX)
            return node_error(d, n, "pad of axis %lld is out of range", (long long)axes[i]);
        begin[axes[i]] = b;
        end[axes[i]] = e;
    }
    return true;
}

/* Everything the kernel needs; also checks the node. */
static bool pad_params(const Node *n, snt_pad_params *p, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int64_t begin[MAX_RANK], end[MAX_RANK];
    double value;
    memset(p, 0, sizeof *p);
    if (in->rank < 1)
        return node_error(d, n, "input must have rank 1 or more");
    if (!pad_mode(n, &p->mode, d) || !pad_value(n, &value, d) || !pad_amounts(n, begin, end, d))
        return false;
    p->rank = in->rank;
    p->value = (float)value;
    for (int i = 0; i < in->rank; i++) {
        int64_t out = in->dim[i] + begin[i] + end[i];
        if (out < 0)
            return node_error(d, n, "pads crop axis %d (extent %lld) below zero", i,
                              (long long)in->dim[i]);
        p->in_dims[i] = (size_t)in->dim[i];
        p->out_dims[i] = (size_t)out;
        p->pads_begin[i] = (ptrdiff_t)begin[i];
    }
    return true;
}

static bool pad_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    snt_pad_params p;
    return check_movable(n, x, d) && pad_params(n, &p, d) &&
           set_output_extents(n, 0, x->dtype, p.out_dims, p.rank, d);
}

/* The fill value as one element of x's dtype (8 bytes hold any). */
static bool pad_value_element(const Node *n, int64_t element[1], Diag *d)
{
    double value;
    if (!pad_value(n, &value, d))
        return false;
    dtype_set_f64(n->in[0]->dtype, element, 0, value);
    return true;
}

static bool pad_fold(Node *n, Diag *d)
{
    snt_pad_params p;
    const Tensor *x = n->in[0];
    if (!tensor_is_const(x) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    int64_t value[1];
    if (!pad_params(n, &p, d) || !pad_value_element(n, value, d))
        return false;
    snt_pad(&p, dtype_size(x->dtype), value, x->data, alloc_output(n, 0));
    return true;
}

static bool pad_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_pad_params p;
    DType t = n->in[0]->dtype;
    if (!pad_params(n, &p, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    emit_params_snt_pad_params(e, &p, "p");
    if (t == DT_FLOAT) {
        emit_line(e, "snt_pad_f32(&p, %s, %s);", emit_ptr(e, n->in[0]), emit_ptr(e, n->out[0]));
        return true;
    }
    /* Other dtypes move bytes; the fill value is one element of theirs. */
    int64_t value[1];
    if (!pad_value_element(n, value, d))
        return false;
    const char *ct = dtype_ctype(t);
    if (dtype_is_float(t))
        emit_line(e, "static const %s value = %.17g;", ct, dtype_get_f64(t, value, 0));
    else
        emit_line(e, "static const %s value = %lld;", ct, (long long)dtype_get_i64(t, value, 0));
    emit_line(e, "snt_pad(&p, sizeof(%s), &value, %s, %s);", ct, emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Pad = {
    .name = "Pad",
    .dtypes = DT_SET_REAL | DT_BIT(DT_BOOL),
    .since = 2, .until = 18,
    .min_in = 1, .max_in = 4,
    .min_out = 1, .max_out = 1,
    .infer = pad_infer,
    .fold = pad_fold,
    .emit = pad_emit,
};
