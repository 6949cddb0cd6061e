/*
 * roi_align.c - RoiAlign (opsets 10 and 16): pools each region of
 * interest of X (N x C x H x W) into an output_height x output_width
 * grid of bins, averaging (or taking the maximum of) bilinearly
 * interpolated sampling points: Y is num_rois x C x output_height x
 * output_width.  rois are (x1, y1, x2, y2) rows of X's dtype,
 * batch_indices int64.
 *
 * Opset 16 added coordinate_transformation_mode, defaulting to
 * half_pixel; opset 10 behaves as output_half_pixel (no half-pixel shift,
 * rois at least one pixel wide).
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

#include <math.h>
#include <string.h>

/* Output bins per axis above this are refused: no real model needs them
 * and it keeps every product of extents far from overflow. */
#define ROI_ALIGN_MAX_BINS ((int64_t)1 << 20)

/* Reads coordinate_transformation_mode: whether coordinates shift by
 * half a pixel. */
static bool roi_align_half_pixel(const Node *n, int *half_pixel, Diag *d)
{
    const char *mode = attr_string_or(n, "coordinate_transformation_mode", NULL);
    if (n->opset < 16) {
        if (mode)
            return node_error(d, n, "coordinate_transformation_mode needs opset 16");
        *half_pixel = 0;
        return true;
    }
    if (!mode || strcmp(mode, "half_pixel") == 0)
        *half_pixel = 1;
    else if (strcmp(mode, "output_half_pixel") == 0)
        *half_pixel = 0;
    else
        return node_error(d, n, "coordinate_transformation_mode '%s' is not supported", mode);
    return true;
}

/* Reads mode, output_height/width, sampling_ratio and spatial_scale. */
static bool roi_align_attrs(const Node *n, snt_roi_align_params *p, Diag *d)
{
    const char *mode = attr_string_or(n, "mode", "avg");
    int64_t oh = attr_int_or(n, "output_height", 1), ow = attr_int_or(n, "output_width", 1);
    int64_t ratio = attr_int_or(n, "sampling_ratio", 0);
    double scale = attr_float_or(n, "spatial_scale", 1.0);
    if (strcmp(mode, "avg") != 0 && strcmp(mode, "max") != 0)
        return node_error(d, n, "mode '%s' is not supported", mode);
    if (oh < 1 || ow < 1 || oh > ROI_ALIGN_MAX_BINS || ow > ROI_ALIGN_MAX_BINS)
        return node_error(d, n, "output_height %lld and output_width %lld must be in [1, %lld]",
                          (long long)oh, (long long)ow, (long long)ROI_ALIGN_MAX_BINS);
    if (ratio < 0 || ratio > SNT_ROI_ALIGN_MAX_SAMPLES)
        return node_error(d, n, "sampling_ratio %lld is outside [0, %d]", (long long)ratio,
                          SNT_ROI_ALIGN_MAX_SAMPLES);
    if (!isfinite(scale))
        return node_error(d, n, "spatial_scale must be finite");
    p->oh = (size_t)oh;
    p->ow = (size_t)ow;
    p->sampling_ratio = (size_t)ratio;
    p->spatial_scale = (float)scale;
    p->max_mode = strcmp(mode, "max") == 0;
    return roi_align_half_pixel(n, &p->half_pixel, d);
}

/* Checks inputs and attributes and fills the kernel's parameters. */
static bool roi_align_read(const Node *n, snt_roi_align_params *p, Diag *d)
{
    const Tensor *x = n->in[0], *rois = n->in[1], *idx = n->in[2];
    const Shape *xs = &x->shape, *rs = &rois->shape, *is = &idx->shape;
    if (!check_same_dtype(n, 1, d))
        return false;
    if (idx->dtype != DT_INT64)
        return node_error(d, n, "batch_indices ('%s') must be int64, not %s", idx->name,
                          dtype_label(idx->dtype));
    if (xs->rank != 4)
        return node_error(d, n, "X ('%s') must have rank 4 (N x C x H x W), not %d", x->name,
                          xs->rank);
    if (rs->rank != 2 || rs->dim[1] != 4)
        return node_error(d, n, "rois ('%s') must have shape [num_rois, 4]", rois->name);
    if (is->rank != 1 || is->dim[0] != rs->dim[0])
        return node_error(d, n, "batch_indices ('%s') must have shape [%lld]", idx->name,
                          (long long)rs->dim[0]);
    p->n = (size_t)xs->dim[0];
    p->c = (size_t)xs->dim[1];
    p->h = (size_t)xs->dim[2];
    p->w = (size_t)xs->dim[3];
    p->rois = (size_t)rs->dim[0];
    return roi_align_attrs(n, p, d);
}

static bool roi_align_infer(Node *n, Diag *d)
{
    snt_roi_align_params p;
    if (!check_inputs_present(n, 3, d) || !roi_align_read(n, &p, d))
        return false;
    Shape y = {.rank = 4,
               .dim = {(int64_t)p.rois, (int64_t)p.c, (int64_t)p.oh, (int64_t)p.ow}};
    if (!check_size(n, &y, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

static bool roi_align_fold(Node *n, Diag *d)
{
    snt_roi_align_params p;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!roi_align_read(n, &p, d))
        return false;
    snt_roi_align_f32(&p, n->in[0]->data, n->in[1]->data, n->in[2]->data, alloc_output(n, 0));
    return true;
}

/* Each sampling point interpolates 4 taps (a multiply and an add each).
 * A fixed sampling_ratio gives ratio^2 points per bin; an adaptive grid
 * depends on the rois' values and is counted as one point. */
static OpCost roi_align_cost(const Node *n)
{
    int64_t ratio = attr_int_or(n, "sampling_ratio", 0);
    int64_t points = ratio > 0 ? sat_mul(ratio, ratio) : 1;
    return (OpCost){.flops = sat_mul(8 * points, tensor_numel(n->out[0]))};
}

static bool roi_align_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_roi_align_params rp;
    if (!check_f32_runtime(n, 2, d) || !roi_align_read(n, &rp, d))
        return false;
    emit_params_snt_roi_align_params(e, &rp, "p");
    emit_line(e, "snt_roi_align_f32(&p, %s, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_RoiAlign = {
    .name = "RoiAlign", .since = 10, .until = COMPUTE_OPSET_MAX,
    .min_in = 3, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = roi_align_infer, .fold = roi_align_fold, .cost = roi_align_cost,
    .emit = roi_align_emit,
    .dtypes = DT_BIT(DT_FLOAT),
    .restriction = "sampling_ratio at most 4096",
};
