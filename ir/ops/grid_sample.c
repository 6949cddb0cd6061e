/*
 * grid_sample.c - GridSample (opset 16; 20 generalized it to N-D and
 * renamed the modes): samples X (N x C x H x W) at the points of Grid
 * (N x H_out x W_out x 2, normalized (x, y) in -1 .. 1) into
 * Y (N x C x H_out x W_out), with bilinear, nearest or bicubic
 * interpolation and zeros, border or reflection padding.  The kernel is
 * float32, for X and Grid alike.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/attr_choice.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

/* The string attributes, in the order of the runtime's enums. */
static const AttrChoice grid_modes[] = {
    {"bilinear", "SNT_GRID_BILINEAR"}, {"nearest", "SNT_GRID_NEAREST"},
    {"bicubic", "SNT_GRID_BICUBIC"},
};
static const AttrChoice grid_paddings[] = {
    {"zeros", "SNT_GRID_PAD_ZEROS"}, {"border", "SNT_GRID_PAD_BORDER"},
    {"reflection", "SNT_GRID_PAD_REFLECTION"},
};

const char *snt_grid_mode_name(int v)
{
    return grid_modes[v].constant;
}

const char *snt_grid_padding_name(int v)
{
    return grid_paddings[v].constant;
}

/* Checks the attributes and shapes and fills the kernel's parameters. */
static bool grid_sample_read(const Node *n, snt_grid_sample_params *p, Diag *d)
{
    const Tensor *x = n->in[0], *grid = n->in[1];
    const Shape *xs = &x->shape, *gs = &grid->shape;
    int mode, padding;
    int64_t align = attr_int_or(n, "align_corners", 0);
    if (!attr_choice(n, "mode", grid_modes, 3, &mode, d) ||
        !attr_choice(n, "padding_mode", grid_paddings, 3, &padding, d))
        return false;
    if (align != 0 && align != 1)
        return node_error(d, n, "align_corners must be 0 or 1, not %lld", (long long)align);
    if (grid->dtype != DT_FLOAT)
        return node_error(d, n, "grid ('%s') has dtype %s; only float32 is supported",
                          grid->name, dtype_label(grid->dtype));
    if (xs->rank != 4)
        return node_error(d, n, "X ('%s') must have rank 4 (N x C x H x W), not %d", x->name,
                          xs->rank);
    if (gs->rank != 4 || gs->dim[0] != xs->dim[0] || gs->dim[3] != 2)
        return node_error(d, n, "grid ('%s') must have shape [%lld, H_out, W_out, 2]",
                          grid->name, (long long)xs->dim[0]);
    if (xs->dim[2] < 1 || xs->dim[3] < 1)
        return node_error(d, n, "X ('%s') has an empty spatial extent", x->name);
    *p = (snt_grid_sample_params){
        .n = (size_t)xs->dim[0], .c = (size_t)xs->dim[1],
        .h = (size_t)xs->dim[2], .w = (size_t)xs->dim[3],
        .oh = (size_t)gs->dim[1], .ow = (size_t)gs->dim[2],
        .mode = (snt_grid_mode)mode, .padding = (snt_grid_padding)padding,
        .align_corners = (int)align,
    };
    return true;
}

static bool grid_sample_infer(Node *n, Diag *d)
{
    snt_grid_sample_params p;
    if (!check_inputs_present(n, 2, d) || !grid_sample_read(n, &p, d))
        return false;
    const Shape *xs = &n->in[0]->shape, *gs = &n->in[1]->shape;
    Shape y = {.rank = 4, .dim = {xs->dim[0], xs->dim[1], gs->dim[1], gs->dim[2]}};
    if (!check_size(n, &y, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

static bool grid_sample_fold(Node *n, Diag *d)
{
    snt_grid_sample_params p;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!grid_sample_read(n, &p, d))
        return false;
    snt_grid_sample_f32(&p, n->in[0]->data, n->in[1]->data, alloc_output(n, 0));
    return true;
}

/* Two FLOPs (multiply, add) per tap and output element: 4 taps for
 * bilinear, 16 for bicubic, none for nearest, which only copies. */
static OpCost grid_sample_cost(const Node *n)
{
    static const int64_t taps[] = {4, 0, 16};
    snt_grid_sample_params p = {0};
    if (!grid_sample_read(n, &p, NULL))
        return (OpCost){0};
    return (OpCost){.flops = sat_mul(2 * taps[p.mode], tensor_numel(n->out[0]))};
}

static bool grid_sample_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_grid_sample_params gp;
    if (!check_f32_runtime(n, 2, d) || !grid_sample_read(n, &gp, d))
        return false;
    emit_params_snt_grid_sample_params(e, &gp, "p");
    emit_line(e, "snt_grid_sample_f32(&p, %s, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_GridSample = {
    .name = "GridSample", .since = 16, .until = 19,
    .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = grid_sample_infer, .fold = grid_sample_fold, .cost = grid_sample_cost,
    .emit = grid_sample_emit,
    .dtypes = DT_BIT(DT_FLOAT),
    .restriction = "grid must be float32",
};
