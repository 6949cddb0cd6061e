/*
 * expand_tile.c - Expand and Tile: copies that repeat the input.
 *
 * Both are one strided copy: Expand reads broadcast axes with stride 0,
 * Tile splits each repeated axis into (repeat, extent) and reads the
 * repeat axis with stride 0.  Folding and the generated code share the
 * runtime's snt_strided_copy through BoxCopy.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/staging.h"

/* Folds a copy of constant input 0 when the output is small enough. */
static bool fold_copy(Node *n, bool (*plan)(const Node *, BoxCopy *, Diag *), Diag *d)
{
    BoxCopy c;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!plan(n, &c, d))
        return false;
    box_copy_run(&c, dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, 0));
    return true;
}

static bool emit_copy(const Node *n, Emitter *e, bool (*plan)(const Node *, BoxCopy *, Diag *),
                      Diag *d)
{
    BoxCopy c;
    if (!plan(n, &c, d))
        return false;
    box_copy_emit(&c, e, n->in[0], n->out[0], 0);
    return true;
}

/* A copy that repeats nothing keeps the element order: a view. */
static bool copy_is_view(const Node *n, bool (*plan)(const Node *, BoxCopy *, Diag *))
{
    BoxCopy c;
    Diag d = {0};
    bool block = plan(n, &c, &d) && box_copy_is_block(&c) &&
                 tensor_numel(n->in[0]) == tensor_numel(n->out[0]);
    diag_free(&d);
    return block;
}

/* ------------------------------------------------------------------ */
/* Expand                                                               */
/* ------------------------------------------------------------------ */

static bool expand_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    int64_t req[MAX_RANK];
    int rank = const_ints(n, 1, req, MAX_RANK, d);
    if (rank < 0 || !check_movable(n, x, d))
        return false;
    Shape want = {.rank = rank}, s;
    for (int i = 0; i < rank; i++)
        want.dim[i] = req[i];
    if (!shape_broadcast(&x->shape, &want, &s)) {
        char a[128], b[128];
        return node_error(d, n, "cannot expand shape %s to %s", shape_str(&x->shape, a, sizeof a),
                          shape_str(&want, b, sizeof b));
    }
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, x->dtype, &s);
    return true;
}

/* Walks the output densely; broadcast axes of the input have stride 0. */
static bool expand_plan(const Node *n, BoxCopy *c, Diag *d)
{
    (void)d;
    const Shape *y = &n->out[0]->shape;
    int64_t strides[MAX_RANK];
    box_copy_init(c, y, y, y);
    broadcast_strides(&n->in[0]->shape, y, strides);
    for (int i = 0; i < y->rank; i++)
        c->p.src_strides[i] = (ptrdiff_t)strides[i];
    return true;
}

static bool expand_fold(Node *n, Diag *d) { return fold_copy(n, expand_plan, d); }

static bool expand_emit(const Node *n, Emitter *e, Diag *d) { return emit_copy(n, e, expand_plan, d); }

static bool expand_view_range(const Node *n, int out, int64_t *offset)
{
    *offset = 0;
    return out == 0 && copy_is_view(n, expand_plan);
}

const OpDesc op_Expand = {
    .name = "Expand",
    .dtypes = DT_SET_ALL,
    .since = 8, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = expand_infer,
    .fold = expand_fold,
    .emit = expand_emit,
    .view_range = expand_view_range,
};

/* ------------------------------------------------------------------ */
/* Tile                                                                 */
/* ------------------------------------------------------------------ */

/* The repeats, one non-negative count per input axis. */
static bool tile_repeats(const Node *n, int64_t *reps, Diag *d)
{
    int rank = n->in[0]->shape.rank;
    int count = const_ints(n, 1, reps, MAX_RANK, d);
    if (count < 0)
        return false;
    if (count != rank)
        return node_error(d, n, "repeats has %d values for an input of rank %d", count, rank);
    for (int i = 0; i < rank; i++)
        if (reps[i] < 0)
            return node_error(d, n, "repeat %lld on axis %d is negative", (long long)reps[i], i);
    return true;
}

/* Output axis i of extent reps[i] * x[i] becomes the box axes (reps[i],
 * x[i]): the first reads the input with stride 0 and writes whole
 * tiles, the second copies one tile.  Axes repeated once stay single. */
static bool tile_plan(const Node *n, BoxCopy *c, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *y = &n->out[0]->shape;
    int64_t reps[MAX_RANK], xs[MAX_RANK], ys[MAX_RANK];
    if (!tile_repeats(n, reps, d))
        return false;
    shape_strides(x, xs);
    shape_strides(y, ys);
    *c = (BoxCopy){.p.rank = 0};
    for (int i = 0; i < x->rank; i++) {
        int k = c->p.rank;
        if (k + (reps[i] != 1) + 1 > SNT_MAX_RANK)
            return node_error(d, n, "repeating this many axes of a rank-%d input needs more "
                              "than %d copy dimensions", x->rank, SNT_MAX_RANK);
        if (reps[i] != 1) {
            c->p.dims[k] = (size_t)reps[i];
            c->p.src_strides[k] = 0;
            c->p.dst_strides[k] = (ptrdiff_t)(x->dim[i] * ys[i]);
            k++;
        }
        c->p.dims[k] = (size_t)x->dim[i];
        c->p.src_strides[k] = (ptrdiff_t)xs[i];
        c->p.dst_strides[k] = (ptrdiff_t)ys[i];
        c->p.rank = k + 1;
    }
    return true;
}

static bool tile_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    int64_t reps[MAX_RANK];
    BoxCopy c;
    if (!check_movable(n, x, d) || !tile_repeats(n, reps, d))
        return false;
    Shape s = x->shape;
    for (int i = 0; i < s.rank; i++)
        s.dim[i] = sat_mul(s.dim[i], reps[i]);
    if (!check_size(n, &s, d))
        return false;
    set_output(n, 0, x->dtype, &s);
    return tile_plan(n, &c, d); /* refuse copies the runtime cannot express */
}

static bool tile_fold(Node *n, Diag *d) { return fold_copy(n, tile_plan, d); }

static bool tile_emit(const Node *n, Emitter *e, Diag *d) { return emit_copy(n, e, tile_plan, d); }

static bool tile_view_range(const Node *n, int out, int64_t *offset)
{
    *offset = 0;
    return out == 0 && copy_is_view(n, tile_plan);
}

const OpDesc op_Tile = {
    .name = "Tile",
    .dtypes = DT_SET_ALL,
    .since = 6, .until = 21, /* opset 1 took tiles and axis inputs */
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = tile_infer,
    .fold = tile_fold,
    .emit = tile_emit,
    .view_range = tile_view_range,
};
