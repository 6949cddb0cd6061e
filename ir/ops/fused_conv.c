/*
 * fused_conv.c - FusedConv: a Conv and the elementwise work after it, in
 * one kernel call (snt_conv2d_fused_f32):
 *
 *   Y = act(Conv(X, W, B)) * post_scale[c] + post_shift[c] + residual
 *
 * Sinter-internal: passes/fuse_conv_epilogue.c makes it from Conv,
 * an activation, an inference BatchNormalization after the activation
 * and a residual Add; no model may name it (ONNX defines no such op).
 * Inputs: X, W, B as Conv's (B optional), then the optional post_scale
 * and post_shift ([M], both or neither) and residual (Y's shape), and
 * W packed for an f32-gemm or f32-conv-thin micro-kernel
 * (passes/select_kernels.c).
 * Attributes: Conv's, the activation's (ir/ops/fused.h), `ukernel`, the
 * micro-kernel variant the node runs on, and `algorithm` (passes/
 * winograd.c).  With the packed W and an f32-gemm variant the call is
 * snt_conv2d_gemm_f32, or with algorithm "winograd"
 * snt_conv2d_winograd_f32, the packed input then holding W transformed
 * for Winograd's F(4x4, 3x3); with an f32-conv-thin variant it is
 * snt_conv2d_thin_f32, the direct product of a thin input; on a depthwise
 * convolution with an f32-dwconv variant it is snt_dwconv2d_f32.
 * Without `ukernel` the portable snt_conv2d_fused_f32 runs.
 */
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/packed.h"
#include "ir/ops/sliding_window.h"
#include "ir/ops/staging.h"

#include <string.h>


enum { IN_BIAS = 2, IN_SCALE = 3, IN_SHIFT = 4, IN_RESIDUAL = 5, IN_PACKED = 6 };

/* post_scale and post_shift: one value per output channel. */
static bool check_channel_vector(const Node *n, int i, int64_t channels, Diag *d)
{
    const Tensor *t = n->in[i];
    if (!check_same_dtype(n, i, d))
        return false;
    if (t->shape.rank != 1 || t->shape.dim[0] != channels)
        return node_error(d, n, "input %d ('%s') must have shape [%lld]", i, t->name,
                          (long long)channels);
    return true;
}

/* The f32-dwconv variant the node runs on, when `ukernel` names one. */
static const Variant *dwconv_variant(const Node *n)
{
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    return v && v->family == FAMILY_F32_DWCONV ? v : NULL;
}

/* An f32-dwconv variant runs depthwise convolutions only. */
static bool check_dwconv(const Node *n, Diag *d)
{
    if (dwconv_variant(n) && !conv_is_depthwise(conv_node_params(n)))
        return node_error(d, n, "%s runs depthwise convolutions only",
                          attr_string_or(n, "ukernel", ""));
    return true;
}

/* The family of the variant `ukernel` names whose packed W the node
 * reads: f32-conv-thin's, or else f32-gemm's (as check_packed reports
 * for any other). */
static Family packed_family(const Node *n)
{
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    return v && v->family == FAMILY_F32_CONV_THIN ? FAMILY_F32_CONV_THIN : FAMILY_F32_GEMM;
}

/* The variant the packed W is for, or NULL without packed W. */
static const Variant *packed_conv_variant(const Node *n)
{
    return packed_variant(n, IN_PACKED, packed_family(n));
}

/* An f32-conv-thin variant runs the convolutions snt_conv2d_thin_applies
 * to. */
static bool check_thin(const Node *n, Diag *d)
{
    if (packed_family(n) == FAMILY_F32_CONV_THIN &&
        !snt_conv2d_thin_applies(conv_node_params(n)))
        return node_error(d, n, "%s needs groups = 1 and at most %d taps per output",
                          attr_string_or(n, "ukernel", ""), SNT_CONV_THIN_MAX_TAPS);
    return true;
}

/* The packed W holds Winograd's transformed weights. */
static bool is_winograd(const Node *n)
{
    return strcmp(attr_string_or(n, "algorithm", ""), "winograd") == 0;
}

/* Winograd is for the geometries it applies to; its packed weights are
 * what select_kernels makes of the request (without them the portable
 * kernel runs). */
static bool check_algorithm(const Node *n, Diag *d)
{
    const char *algorithm = attr_string_or(n, "algorithm", NULL);
    if (!algorithm)
        return true;
    if (!is_winograd(n))
        return node_error(d, n, "unknown algorithm '%s'", algorithm);
    if (!snt_conv2d_winograd_applies(conv_node_params(n)))
        return node_error(d, n, "winograd needs a 3x3 convolution of stride 1 and dilation 1");
    return true;
}

/* Floats of W packed for v: 0 for a geometry the thin kernel does not
 * run, which check_thin reports. */
static size_t packed_floats(const Node *n, const Variant *v)
{
    const snt_conv2d_params *cp = conv_node_params(n);
    if (v->family == FAMILY_F32_CONV_THIN)
        return snt_conv2d_thin_applies(cp) ? snt_conv2d_thin_packed_floats(cp, v->mr) : 0;
    return is_winograd(n) ? snt_conv2d_winograd_weights_floats(cp, v->mr)
                          : snt_conv2d_packed_weights_floats(cp, v->mr);
}

/* Conv's infer keeps the kernel's parameters on n; the fused activation
 * joins them there, for the checks below and the other hooks. */
static bool fused_conv_infer(Node *n, Diag *d)
{
    if (!op_Conv.infer(n, d))
        return false;
    snt_conv2d_params *cp = n->params;
    if (!fused_act_get(n, &cp->act, d))
        return false;
    const Tensor *scale = node_input(n, IN_SCALE), *shift = node_input(n, IN_SHIFT);
    const Tensor *residual = node_input(n, IN_RESIDUAL), *y = n->out[0];
    if (!scale != !shift)
        return node_error(d, n, "post_scale and post_shift must be given together");
    if (scale && (!check_channel_vector(n, IN_SCALE, y->shape.dim[1], d) ||
                  !check_channel_vector(n, IN_SHIFT, y->shape.dim[1], d)))
        return false;
    if (residual && (!check_same_dtype(n, IN_RESIDUAL, d) ||
                     !shape_equal(&residual->shape, &y->shape)))
        return node_error(d, n, "the residual must have the output's dtype and shape");
    return check_packed(n, IN_PACKED, packed_family(n), packed_floats, d) &&
           check_dwconv(n, d) && check_thin(n, d) && check_algorithm(n, d);
}

/* Conv's MACs and FLOPs, plus per output element the activation's
 * FLOPs (act_flops), two for the affine (as BatchNormalization counts)
 * and one for the residual add: the totals of the ops it replaces. */
static OpCost fused_conv_cost(const Node *n)
{
    OpCost c = op_Conv.cost(n);
    int64_t per_element = act_flops(conv_node_params(n)->act.kind);
    if (node_input(n, IN_SCALE))
        per_element += 2;
    if (node_input(n, IN_RESIDUAL))
        per_element += 1;
    c.flops += sat_mul(per_element, tensor_numel(n->out[0]));
    return c;
}

/* Winograd's 36 products per 4x4 output tile and channel pair instead
 * of the 144 of the direct sum (the transforms are additions and
 * multiplications by constants, counted in no MAC). */
static int64_t fused_conv_executed_macs(const Node *n)
{
    const snt_conv2d_params *cp = conv_node_params(n);
    if (!is_winograd(n) || !packed_conv_variant(n))
        return op_Conv.cost(n).macs;
    int64_t tiles = (int64_t)((cp->oh + 3) / 4 * ((cp->ow + 3) / 4));
    return sat_mul(sat_mul((int64_t)(cp->n * cp->k), (int64_t)(cp->c / cp->groups)),
                   sat_mul(tiles, 36));
}

/* Floats of scratch the node's kernel asks for: the packed input block
 * of the micro-kernel paths, or the portable path's im2col band and
 * GEMM packing. */
static size_t scratch_floats(const Node *n, const snt_conv2d_params *cp)
{
    const Variant *v = packed_conv_variant(n), *dw = dwconv_variant(n);
    if (dw)
        return snt_dwconv2d_scratch_floats(cp, dw->mr);
    if (v && v->family == FAMILY_F32_CONV_THIN)
        return snt_conv2d_thin_scratch_floats(cp, v->mr);
    if (v && is_winograd(n))
        return snt_conv2d_winograd_scratch_floats(cp, v->mr, v->nr);
    return v ? snt_conv2d_gemm_scratch_floats(cp, v->mr, v->nr) : snt_conv2d_scratch_floats(cp);
}

static bool fused_conv_emit(const Node *n, Emitter *e, Diag *d)
{
    const snt_conv2d_params *cp = conv_node_params(n);
    const Variant *v = packed_conv_variant(n);
    if (!check_f32_runtime(n, n->n_in, d))
        return false;
    emit_params_snt_conv2d_params(e, cp, "p");
    const char *x = emit_ptr(e, n->in[0]);
    const char *b = emit_ptr_or_null(e, node_input(n, IN_BIAS));
    const char *scale = emit_ptr_or_null(e, node_input(n, IN_SCALE));
    const char *shift = emit_ptr_or_null(e, node_input(n, IN_SHIFT));
    const char *residual = emit_ptr_or_null(e, node_input(n, IN_RESIDUAL));
    const char *y = emit_ptr(e, n->out[0]);
    const char *s = emit_scratch(e, scratch_floats(n, cp) * sizeof(float));
    if (v)
        emit_line(e, "snt_conv2d_%s_f32%s&p, &%s, %s, %s, %s, %s, %s, %s, %s, %s);",
                  v->family == FAMILY_F32_CONV_THIN ? "thin"
                  : is_winograd(n)                 ? "winograd"
                                                   : "gemm",
                  emit_call_open(e), v->name, x,
                  emit_ptr(e, n->in[IN_PACKED]), b, scale, shift, residual, y, s);
    else if (dwconv_variant(n))
        emit_line(e, "snt_dwconv2d_f32%s&p, &%s, %s, %s, %s, %s, %s, %s, %s, %s);",
                  emit_call_open(e), dwconv_variant(n)->name, x, emit_ptr(e, n->in[1]), b, scale,
                  shift, residual, y, s);
    else
        emit_line(e, "snt_conv2d_fused_f32(&p, %s, %s, %s, %s, %s, %s, %s, %s);", x,
                  emit_ptr(e, n->in[1]), b, scale, shift, residual, y, s);
    return true;
}

/* The kernel's scratch, so the planner can place it. */
static size_t fused_conv_scratch_bytes(const Node *n)
{
    return scratch_floats(n, conv_node_params(n)) * sizeof(float);
}

const OpDesc op_FusedConv = {
    .name = "FusedConv", .since = 1, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 7, .min_out = 1, .max_out = 1,
    .infer = fused_conv_infer, .cost = fused_conv_cost, .emit = fused_conv_emit,
    .executed_macs = fused_conv_executed_macs,
    .scratch_bytes = fused_conv_scratch_bytes, .parallel = true,
    .internal = true,
};
