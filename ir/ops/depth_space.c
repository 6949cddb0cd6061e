/*
 * depth_space.c - DepthToSpace and SpaceToDepth.
 *
 * ONNX defines both as reshape, transpose, reshape.  We do the same in
 * one strided copy: the input is viewed as a rank-6 tensor, and the
 * output is walked densely in the transposed order, reading the view
 * through permuted strides.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <string.h>

#define VIEW_RANK 6

/* The input's view and the permutation that turns it into the output. */
typedef struct {
    Shape view;
    int perm[VIEW_RANK];
} Rearrange;

static bool read_blocksize(const Node *n, int64_t *b, Diag *d)
{
    const Tensor *x = n->in[0];
    *b = attr_int_or(n, "blocksize", 0);
    /* The upper bound keeps b * b within int64. */
    if (*b < 1 || *b > INT32_MAX)
        return node_error(d, n, "blocksize %lld is out of range", (long long)*b);
    if (x->shape.rank != 4)
        return node_error(d, n, "input '%s' must have rank 4, not %d", x->name, x->shape.rank);
    return check_movable(n, x, d);
}

static void set_rearrange(Rearrange *r, const int64_t *view, const int *perm)
{
    r->view.rank = VIEW_RANK;
    for (int i = 0; i < VIEW_RANK; i++) {
        r->view.dim[i] = view[i];
        r->perm[i] = perm[i];
    }
}

static BoxCopy rearrange_copy(const Rearrange *r)
{
    BoxCopy c;
    int64_t strides[VIEW_RANK];
    Shape box = {.rank = VIEW_RANK};
    for (int i = 0; i < VIEW_RANK; i++)
        box.dim[i] = r->view.dim[r->perm[i]];
    box_copy_init(&c, &box, &box, &box);
    shape_strides(&r->view, strides);
    for (int i = 0; i < VIEW_RANK; i++)
        c.p.src_strides[i] = (ptrdiff_t)strides[r->perm[i]];
    return c;
}

static bool rearrange_fold(Node *n, const Rearrange *r)
{
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    BoxCopy c = rearrange_copy(r);
    box_copy_run(&c, dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, 0));
    return true;
}

static void rearrange_emit(const Node *n, Emitter *e, const Rearrange *r)
{
    BoxCopy c = rearrange_copy(r);
    box_copy_emit(&c, e, n->in[0], n->out[0], 0);
}

/* ------------------------------------------------------------------ */
/* DepthToSpace                                                         */
/* ------------------------------------------------------------------ */

/* [N, C, H, W] -> [N, C/b², H*b, W*b].  DCR takes the block offsets from
 * the outer channel bits ([N, b, b, C', H, W]), CRD from the inner ones
 * ([N, C', b, b, H, W]); either way the output is walked as
 * [N, C', H, b, W, b]. */
static bool depth_to_space(const Node *n, Rearrange *r, Diag *d)
{
    int64_t b;
    if (!read_blocksize(n, &b, d))
        return false;
    const int64_t *s = n->in[0]->shape.dim;
    if (s[1] % (b * b) != 0)
        return node_error(d, n, "channels %lld are not a multiple of blocksize² %lld",
                          (long long)s[1], (long long)(b * b));
    const char *mode = n->opset >= 11 ? attr_string_or(n, "mode", "DCR") : "DCR";
    int64_t c = s[1] / (b * b);
    if (strcmp(mode, "DCR") == 0)
        set_rearrange(r, (int64_t[]){s[0], b, b, c, s[2], s[3]}, (int[]){0, 3, 4, 1, 5, 2});
    else if (strcmp(mode, "CRD") == 0)
        set_rearrange(r, (int64_t[]){s[0], c, b, b, s[2], s[3]}, (int[]){0, 1, 4, 2, 5, 3});
    else
        return node_error(d, n, "mode '%s' is neither DCR nor CRD", mode);
    return true;
}

static bool depth_to_space_infer(Node *n, Diag *d)
{
    Rearrange r;
    if (!depth_to_space(n, &r, d))
        return false;
    const int64_t *s = n->in[0]->shape.dim;
    int64_t b = attr_int_or(n, "blocksize", 0);
    Shape y = {.rank = 4, .dim = {s[0], s[1] / (b * b), sat_mul(s[2], b), sat_mul(s[3], b)}};
    if (!check_size(n, &y, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

static bool depth_to_space_fold(Node *n, Diag *d)
{
    Rearrange r;
    return depth_to_space(n, &r, d) && rearrange_fold(n, &r);
}

static bool depth_to_space_emit(const Node *n, Emitter *e, Diag *d)
{
    Rearrange r;
    if (!depth_to_space(n, &r, d))
        return false;
    rearrange_emit(n, e, &r);
    return true;
}

const OpDesc op_DepthToSpace = {
    .name = "DepthToSpace",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = depth_to_space_infer,
    .fold = depth_to_space_fold,
    .emit = depth_to_space_emit,
};

/* ------------------------------------------------------------------ */
/* SpaceToDepth                                                         */
/* ------------------------------------------------------------------ */

/* [N, C, H, W] viewed as [N, C, H/b, b, W/b, b] and walked as
 * [N, b, b, C, H/b, W/b]: the inverse of DepthToSpace's DCR mode. */
static bool space_to_depth(const Node *n, Rearrange *r, Diag *d)
{
    int64_t b;
    if (!read_blocksize(n, &b, d))
        return false;
    const int64_t *s = n->in[0]->shape.dim;
    if (s[2] % b != 0 || s[3] % b != 0)
        return node_error(d, n, "height %lld and width %lld must be multiples of blocksize %lld",
                          (long long)s[2], (long long)s[3], (long long)b);
    set_rearrange(r, (int64_t[]){s[0], s[1], s[2] / b, b, s[3] / b, b},
                  (int[]){0, 3, 5, 1, 2, 4});
    return true;
}

static bool space_to_depth_infer(Node *n, Diag *d)
{
    Rearrange r;
    if (!space_to_depth(n, &r, d))
        return false;
    const int64_t *v = r.view.dim;
    Shape y = {.rank = 4, .dim = {v[0], v[1] * v[3] * v[5], v[2], v[4]}};
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

static bool space_to_depth_fold(Node *n, Diag *d)
{
    Rearrange r;
    return space_to_depth(n, &r, d) && rearrange_fold(n, &r);
}

static bool space_to_depth_emit(const Node *n, Emitter *e, Diag *d)
{
    Rearrange r;
    if (!space_to_depth(n, &r, d))
        return false;
    rearrange_emit(n, e, &r);
    return true;
}

const OpDesc op_SpaceToDepth = {
    .name = "SpaceToDepth",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = space_to_depth_infer,
    .fold = space_to_depth_fold,
    .emit = space_to_depth_emit,
};
