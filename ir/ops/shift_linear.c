/*
 * shift_linear.c - ShiftLinear, a Sinter-internal op (not ONNX: the
 * fuse_shift_linear pass makes it from ShiftTokenize -> Linear; a model
 * file never names it):
 *
 *   Y = act(ShiftTokenize(X) W + B)
 *
 * computed without storing ShiftTokenize(X): the kernel
 * (snt_shift_linear_f32) packs the product's rows straight from the
 * unshifted tokens.  Inputs and activation attributes are Linear's
 * (X [N, H*W, C], W [C, F], B [F] optional, and W packed for an
 * f32-gemm variant, input 3, with `ukernel`: passes/select_kernels.c;
 * the call is then snt_shift_linear_gemm_f32); the shift attributes are
 * ShiftTokenize's for tokens: height, width, axis (2 = H, 3 = W),
 * chunk_ends, shifts.
 */
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/packed.h"
#include "ir/ops/staging.h"

#include <stdlib.h>
#include <string.h>

/* ShiftLinear is a Linear with a shifted input: shapes, activation,
 * packed weights and cost are Linear's. */

enum { IN_PACKED = 3 };

/* The shift of tokens X [N, height*width, C] from the attributes. */
static bool shift_of_tokens(const Node *n, snt_shift_linear_params *p, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t h, w;
    if (x->rank != 3)
        return node_error(d, n, "X must be tokens [N, height*width, C]");
    if (!shift_token_grid(n, x->dim[1], &h, &w, d))
        return false;
    memset(p, 0, sizeof *p);
    p->n = (size_t)x->dim[0], p->h = (size_t)h, p->w = (size_t)w;
    return shift_chunks(n, (size_t)x->dim[2], &p->axis, &p->chunks, p->chunk_end, p->shift, d);
}

/* Everything the kernel needs; the shapes must have been inferred. */
static bool shift_linear_params(const Node *n, snt_shift_linear_params *p, Diag *d)
{
    if (!shift_of_tokens(n, p, d) || !fused_act_get(n, &p->linear.act, d))
        return false;
    p->linear.k = (size_t)n->in[1]->shape.dim[0];
    p->linear.n = (size_t)n->in[1]->shape.dim[1];
    p->linear.m = p->n * p->h * p->w;
    return true;
}

static bool shift_linear_infer(Node *n, Diag *d)
{
    snt_shift_linear_params p;
    return op_Linear.infer(n, d) && shift_linear_params(n, &p, d);
}

static const Tensor *bias_input(const Node *n)
{
    return n->n_in > 2 ? n->in[2] : NULL;
}

static const float *bias_data(const Node *n)
{
    return bias_input(n) ? bias_input(n)->data : NULL;
}

/* Floats of scratch of the kernel the node runs on. */
static size_t scratch_floats(const Node *n, const snt_shift_linear_params *p)
{
    const Variant *v = packed_variant(n, IN_PACKED, FAMILY_F32_GEMM);
    return v ? snt_shift_linear_gemm_scratch_floats(p, v->mr, v->nr)
             : snt_shift_linear_scratch_floats(p);
}

/* Folds like the ShiftTokenize it absorbs, so a graph evaluated by
 * folding (the pass tests) computes it; the product is small then. */
static bool shift_linear_fold(Node *n, Diag *d)
{
    snt_shift_linear_params p;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!shift_linear_params(n, &p, d))
        return false;
    float *scratch = xmalloc(snt_shift_linear_scratch_floats(&p) * sizeof *scratch + 1);
    snt_shift_linear_f32(&p, n->in[0]->data, n->in[1]->data, bias_data(n), scratch,
                         alloc_output(n, 0));
    free(scratch);
    return true;
}

static bool shift_linear_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_shift_linear_params p;
    if (!check_f32_runtime(n, n->n_in, d) || !shift_linear_params(n, &p, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    emit_params_snt_shift_linear_params(e, &p, "p");
    const Variant *v = packed_variant(n, IN_PACKED, FAMILY_F32_GEMM);
    const char *x = emit_ptr(e, n->in[0]), *b = emit_ptr_or_null(e, bias_input(n));
    const char *scratch = emit_scratch(e, scratch_floats(n, &p) * sizeof(float));
    if (v)
        emit_line(e, "snt_shift_linear_gemm_f32%s&p, &%s, %s, %s, %s, %s, %s);",
                  emit_call_open(e), v->name, x,
                  emit_ptr(e, n->in[IN_PACKED]), b, scratch, emit_ptr(e, n->out[0]));
    else
        emit_line(e, "snt_shift_linear_f32(&p, %s, %s, %s, %s, %s);", x, emit_ptr(e, n->in[1]), b,
                  scratch, emit_ptr(e, n->out[0]));
    return true;
}

/* The packed block of rows and its product's own scratch (the GEMM's
 * packing, or the micro-kernel path's), so the planner gives them a
 * region of the arena. */
static size_t shift_linear_scratch_bytes(const Node *n)
{
    snt_shift_linear_params p;
    return shift_linear_params(n, &p, NULL) ? scratch_floats(n, &p) * sizeof(float) : 0;
}

/* Same multiply-adds as the Linear, and no more FLOPs: the shift only
 * moves data. */
static OpCost shift_linear_cost(const Node *n)
{
    return op_Linear.cost(n);
}

const OpDesc op_ShiftLinear = {
    .name = "ShiftLinear",
    .since = 1, .until = 1 << 30, /* internal: created at the graph's opset, whatever it is */
    .min_in = 2, .max_in = 4, .min_out = 1, .max_out = 1,
    .infer = shift_linear_infer, .fold = shift_linear_fold, .cost = shift_linear_cost,
    .emit = shift_linear_emit, .scratch_bytes = shift_linear_scratch_bytes, .parallel = true,
    .internal = true,
};
