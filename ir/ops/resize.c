/*
 * resize.c - Resize (opsets 10 to 17).
 *
 * Opset 10 takes (X, scales) and always maps coordinates asymmetrically.
 * Opset 11 takes (X, roi, scales, sizes) where exactly one of scales and
 * sizes is non-empty; omitted inputs ("") arrive as NULL and an empty
 * tensor counts as omitted.  With scales each output extent is
 * floor(in * scale); with sizes the scale the coordinate transform uses
 * is out / in.  PyTorch computes `sizes` with a shape chain, which has
 * been folded to a constant by the time this rule runs.
 *
 * The runtime kernel (float32) implements the interpolation; this file
 * only reads and checks the attributes.  Upsample shares these rules
 * (resize_util.h): its opset 7 scales are an attribute.
 */
#include "ir/ops/resize_util.h"
#include "ir/ops/attr_choice.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <string.h>

/* Largest scale accepted: keeps in * scale far from overflow. */
#define SCALE_MAX 1e6

/* The string attributes, in the order of the runtime's enums. */
static const AttrChoice modes[] = {
    {"nearest", "SNT_RESIZE_NEAREST"}, {"linear", "SNT_RESIZE_LINEAR"},
    {"cubic", "SNT_RESIZE_CUBIC"},
};
static const AttrChoice coords[] = {
    {"half_pixel", "SNT_COORD_HALF_PIXEL"},
    {"pytorch_half_pixel", "SNT_COORD_PYTORCH_HALF_PIXEL"},
    {"align_corners", "SNT_COORD_ALIGN_CORNERS"},
    {"asymmetric", "SNT_COORD_ASYMMETRIC"},
    {"tf_crop_and_resize", "SNT_COORD_TF_CROP_AND_RESIZE"},
    {"tf_half_pixel_for_nn", "SNT_COORD_TF_HALF_PIXEL_FOR_NN"},
};
static const AttrChoice nearests[] = {
    {"round_prefer_floor", "SNT_NEAREST_ROUND_PREFER_FLOOR"},
    {"round_prefer_ceil", "SNT_NEAREST_ROUND_PREFER_CEIL"},
    {"floor", "SNT_NEAREST_FLOOR"},
    {"ceil", "SNT_NEAREST_CEIL"},
};

/* The names of the enums' constants, for the printed parameters
 * (op_emit.h). */
const char *snt_resize_mode_name(int v)
{
    return modes[v].constant;
}

const char *snt_coord_mode_name(int v)
{
    return coords[v].constant;
}

const char *snt_nearest_mode_name(int v)
{
    return nearests[v].constant;
}

/* Input i if present and non-empty, else NULL. */
static const Tensor *given_input(const Node *n, int i)
{
    const Tensor *t = i < n->n_in ? n->in[i] : NULL;
    return t && tensor_numel(t) != 0 ? t : NULL;
}

/* Reads a constant float tensor of `count` values into out. */
static bool const_floats(const Node *n, const Tensor *t, const char *what, int count,
                         float *out, Diag *d)
{
    if (!tensor_is_const(t))
        return node_error(d, n, "%s ('%s') must be known at compile time", what, t->name);
    if (!dtype_is_float(t->dtype) || tensor_numel(t) != count)
        return node_error(d, n, "%s must hold %d floating point values", what, count);
    for (int i = 0; i < count; i++)
        out[i] = (float)dtype_get_f64(t->dtype, t->data, (size_t)i);
    return true;
}

/* Upsample-7's scales attribute into p->scales. */
static bool attr_scales(const Node *n, const Attr *a, snt_resize_params *p, Diag *d)
{
    if (a->kind != ATTR_FLOATS || a->n != p->rank)
        return node_error(d, n, "scales must hold %d floating point values", p->rank);
    for (int i = 0; i < p->rank; i++)
        p->scales[i] = (float)a->floats[i];
    return true;
}

/* Output extents and per-axis scales, from either scales or sizes. */
static bool resize_extents(const Node *n, snt_resize_params *p, Diag *d)
{
    const Tensor *scales = given_input(n, n->opset >= 11 ? 2 : 1);
    const Tensor *sizes = n->opset >= 11 ? given_input(n, 3) : NULL;
    const Attr *scales_attr = scales || sizes ? NULL : node_attr(n, "scales");
    if (!scales == !sizes && !scales_attr)
        return node_error(d, n, "exactly one of scales and sizes must be given");
    if (scales || scales_attr) {
        if (scales ? !const_floats(n, scales, "scales", p->rank, p->scales, d)
                   : !attr_scales(n, scales_attr, p, d))
            return false;
        for (int i = 0; i < p->rank; i++) {
            if (!(p->scales[i] > 0 && p->scales[i] <= SCALE_MAX))
                return node_error(d, n, "scale %g is out of range", (double)p->scales[i]);
            p->out_dims[i] = (size_t)((double)p->in_dims[i] * (double)p->scales[i]);
        }
        return true;
    }
    int64_t dims[MAX_RANK];
    int count = const_ints(n, 3, dims, MAX_RANK, d);
    if (count < 0)
        return false;
    if (count != p->rank)
        return node_error(d, n, "sizes has %d values for rank %d", count, p->rank);
    for (int i = 0; i < p->rank; i++) {
        if (dims[i] < 0 || dims[i] > MAX_ELEMENTS)
            return node_error(d, n, "size %lld is out of range", (long long)dims[i]);
        p->out_dims[i] = (size_t)dims[i];
        p->scales[i] = p->in_dims[i] ? (float)((double)dims[i] / (double)p->in_dims[i]) : 1.0f;
    }
    return true;
}

/* Opset 10 has no coordinate or rounding attributes: it maps
 * asymmetrically and, like ONNX Runtime, truncates the source coordinate
 * when enlarging and rounds it up when shrinking. */
static bool resize10_rounding(const Node *n, snt_resize_params *p, Diag *d)
{
    bool up = false, down = false;
    for (int i = 0; i < p->rank; i++) {
        up |= p->scales[i] > 1;
        down |= p->scales[i] < 1;
    }
    if (up && down && p->mode == SNT_RESIZE_NEAREST)
        return node_error(d, n, "nearest resize that both enlarges and shrinks is not supported");
    p->coord = SNT_COORD_ASYMMETRIC;
    p->nearest = down ? SNT_NEAREST_CEIL : SNT_NEAREST_FLOOR;
    return true;
}

/* Everything the kernel needs; also checks the node. */
static bool resize_params(const Node *n, snt_resize_params *p, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int mode, coord = SNT_COORD_ASYMMETRIC, nearest = SNT_NEAREST_FLOOR;
    memset(p, 0, sizeof *p);
    if (in->rank < 1)
        return node_error(d, n, "input must have rank 1 or more");
    p->rank = in->rank;
    for (int i = 0; i < in->rank; i++)
        p->in_dims[i] = (size_t)in->dim[i];
    if (!attr_choice(n, "mode", modes, 3, &mode, d) || !resize_extents(n, p, d))
        return false;
    p->mode = (snt_resize_mode)mode;
    if (n->opset < 11)
        return resize10_rounding(n, p, d);
    if (!attr_choice(n, "coordinate_transformation_mode", coords, 6, &coord, d) ||
        !attr_choice(n, "nearest_mode", nearests, 4, &nearest, d))
        return false;
    p->coord = (snt_coord_mode)coord;
    p->nearest = (snt_nearest_mode)nearest;
    p->cubic_a = (float)attr_float_or(n, "cubic_coeff_a", -0.75);
    p->exclude_outside = attr_int_or(n, "exclude_outside", 0) != 0;
    p->extrapolation_value = (float)attr_float_or(n, "extrapolation_value", 0.0);
    if (p->coord == SNT_COORD_TF_CROP_AND_RESIZE) {
        /* roi is [starts..., ends...] in normalized coordinates. */
        const Tensor *roi = given_input(n, 1);
        float v[2 * MAX_RANK];
        if (!roi)
            return node_error(d, n, "tf_crop_and_resize needs roi");
        if (!const_floats(n, roi, "roi", 2 * p->rank, v, d))
            return false;
        memcpy(p->roi_start, v, (size_t)p->rank * sizeof v[0]);
        memcpy(p->roi_end, v + p->rank, (size_t)p->rank * sizeof v[0]);
    }
    return true;
}

bool resize_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    snt_resize_params p;
    return check_movable(n, x, d) && resize_params(n, &p, d) &&
           set_output_extents(n, 0, x->dtype, p.out_dims, p.rank, d);
}

bool resize_fold(Node *n, Diag *d)
{
    snt_resize_params p;
    const Tensor *x = n->in[0];
    if (!tensor_is_const(x) || x->dtype != DT_FLOAT || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!resize_params(n, &p, d))
        return false;
    snt_resize_f32(&p, x->data, alloc_output(n, 0));
    return true;
}

bool resize_emit_epilogue(const Node *n, const snt_act *act, const Tensor *residual, Emitter *e,
                          Diag *d)
{
    snt_resize_params p;
    if (n->in[0]->dtype != DT_FLOAT)
        return node_error(d, n, "input is %s; the runtime Resize supports float32 only",
                          dtype_label(n->in[0]->dtype));
    if (!resize_params(n, &p, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    p.act = *act;
    emit_params_snt_resize_params(e, &p, "p");
    if (act->kind == SNT_ACT_NONE && !residual) {
        emit_line(e, "snt_resize_f32%s&p, %s, %s);", emit_call_open(e), emit_ptr(e, n->in[0]),
                  emit_ptr(e, n->out[0]));
        return true;
    }
    emit_line(e, "snt_resize_fused_f32%s&p, %s, %s, %s);", emit_call_open(e), emit_ptr(e, n->in[0]),
              emit_ptr_or_null(e, residual), emit_ptr(e, n->out[0]));
    return true;
}

bool resize_emit(const Node *n, Emitter *e, Diag *d)
{
    const snt_act none = {.kind = SNT_ACT_NONE};
    return resize_emit_epilogue(n, &none, NULL, e, d);
}

/* Two FLOPs (multiply, add) per interpolation tap and output element: 2
 * taps per resized axis for linear, 4 for cubic, none for nearest. */
OpCost resize_cost(const Node *n)
{
    OpCost c = {0};
    int mode = attr_choice_index(n, "mode", modes, 3);
    if (mode < 0 || mode == SNT_RESIZE_NEAREST)
        return c;
    int64_t taps = 1;
    const Shape *in = &n->in[0]->shape, *out = &n->out[0]->shape;
    for (int i = 0; i < in->rank; i++)
        if (in->dim[i] != out->dim[i])
            taps *= mode == SNT_RESIZE_LINEAR ? 2 : 4;
    c.flops = 2 * taps * tensor_numel(n->out[0]);
    return c;
}

const OpDesc op_Resize = {
    .name = "Resize",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 10, .until = 17,
    .min_in = 2, .max_in = 4,
    .omittable_in = 0x2,
    .min_out = 1, .max_out = 1,
    .infer = resize_infer,
    .fold = resize_fold,
    .cost = resize_cost,
    .emit = resize_emit,
};
