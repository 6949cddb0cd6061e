/*
 * slice.c - Slice.
 *
 * Opsets 1-9 take starts, ends and axes as attributes; opset 10 turned
 * them into inputs and added steps.  Every number must be known at
 * compile time.  The clamping follows the ONNX specification exactly,
 * because PyTorch relies on it: ends of INT64_MAX ("to the end"), ends of
 * -INT64_MAX with step -1 ("through the first element"), and chunk ends
 * beyond the extent.
 */
#include "ir/ops/data_util.h"

/* Where a slice starts and how it steps along each input axis. */
typedef struct {
    int64_t start[MAX_RANK];
    int64_t step[MAX_RANK];
    Shape out;
} SlicePlan;

/* Reads the integer list `name`: an attribute before opset 10, input
 * `input` from then on. */
static int slice_list(const Node *n, const char *name, int input, int64_t *out, bool *present,
                      Diag *d)
{
    return node_ints(n, name, n->opset >= 10 ? input : -1, out, MAX_RANK, present, d);
}

/* Clamps one axis per the specification and returns the number of
 * elements selected; *start is updated to the first one. */
static int64_t slice_axis(int64_t dim, int64_t *start, int64_t end, int64_t step)
{
    int64_t s = *start < 0 ? *start + dim : *start;
    int64_t e = end < 0 ? end + dim : end;
    if (step > 0) {
        s = s < 0 ? 0 : s > dim ? dim : s;
        e = e < 0 ? 0 : e > dim ? dim : e;
    } else {
        s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
        e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
    }
    *start = s;
    if ((step > 0 && e <= s) || (step < 0 && s <= e))
        return 0;
    /* ceil(distance / |step|) without overflow, for any step. */
    uint64_t distance = step > 0 ? (uint64_t)(e - s) : (uint64_t)(s - e);
    uint64_t stride = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
    return (int64_t)((distance - 1) / stride + 1);
}

static bool slice_plan(const Node *n, SlicePlan *plan, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int64_t starts[MAX_RANK], ends[MAX_RANK], axes[MAX_RANK], steps[MAX_RANK];
    bool has_starts, has_ends, has_axes, has_steps = false;
    int count, n_ends, n_axes, n_steps = 0;
    if ((count = slice_list(n, "starts", 1, starts, &has_starts, d)) < 0 ||
        (n_ends = slice_list(n, "ends", 2, ends, &has_ends, d)) < 0 ||
        (n_axes = slice_list(n, "axes", 3, axes, &has_axes, d)) < 0)
        return false;
    /* steps exist from opset 10, as an input only. */
    if (n->opset >= 10 && (n_steps = slice_list(n, "steps", 4, steps, &has_steps, d)) < 0)
        return false;
    if (!has_starts || !has_ends)
        return node_error(d, n, "starts and ends are required");
    if (n_ends != count || (has_axes && n_axes != count) || (has_steps && n_steps != count))
        return node_error(d, n, "starts, ends, axes and steps must have the same length");
    for (int i = 0; i < count && !has_axes; i++)
        axes[i] = i;
    if (!normalize_axes(n, axes, count, in->rank, d))
        return false;

    plan->out = *in;
    for (int i = 0; i < in->rank; i++) {
        plan->start[i] = 0;
        plan->step[i] = 1;
    }
    for (int i = 0; i < count; i++) {
        int64_t step = has_steps ? steps[i] : 1;
        if (step == 0)
            return node_error(d, n, "steps must not be 0");
        int axis = (int)axes[i];
        plan->start[axis] = starts[i];
        plan->step[axis] = step;
        plan->out.dim[axis] = slice_axis(in->dim[axis], &plan->start[axis], ends[i], step);
        /* With at most one element the step never applies; dropping it
         * keeps stride * step from overflowing for huge steps. */
        if (plan->out.dim[axis] <= 1)
            plan->step[axis] = 1;
    }
    return true;
}

static bool slice_infer(Node *n, Diag *d)
{
    SlicePlan plan;
    if (!check_movable(n, n->in[0], d) || !slice_plan(n, &plan, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &plan.out);
    return true;
}

/* Walks the output densely; the input is read from the first selected
 * element with each stride multiplied by its step. */
static bool slice_copy(const Node *n, BoxCopy *c, Diag *d)
{
    SlicePlan plan;
    if (!slice_plan(n, &plan, d))
        return false;
    const Tensor *x = n->in[0], *y = n->out[0];
    box_copy_init(c, &y->shape, &x->shape, &y->shape);
    for (int i = 0; i < x->shape.rank; i++) {
        c->src_offset += plan.start[i] * (int64_t)c->p.src_strides[i];
        c->p.src_strides[i] *= (ptrdiff_t)plan.step[i];
    }
    return true;
}

/* A slice that is one block of the input (e.g. a channel range of an
 * N = 1 image, as torch.chunk makes) is a view at the block's start. */
static bool slice_view_range(const Node *n, int out, int64_t *offset)
{
    BoxCopy c;
    Diag d = {0};
    bool block = out == 0 && slice_copy(n, &c, &d) && box_copy_is_block(&c);
    diag_free(&d);
    if (block)
        *offset = c.src_offset;
    return block;
}

static bool slice_fold(Node *n, Diag *d)
{
    BoxCopy c;
    if (!tensor_is_const(n->in[0]))
        return true;
    if (!slice_copy(n, &c, d))
        return false;
    box_copy_run(&c, dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, 0));
    return true;
}

static bool slice_emit(const Node *n, Emitter *e, Diag *d)
{
    BoxCopy c;
    if (!slice_copy(n, &c, d))
        return false;
    box_copy_emit(&c, e, n->in[0], n->out[0], 0);
    return true;
}

const OpDesc op_Slice = {
    .name = "Slice",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 5,
    .min_out = 1, .max_out = 1,
    .infer = slice_infer,
    .fold = slice_fold,
    .emit = slice_emit,
    .view_range = slice_view_range,
};
