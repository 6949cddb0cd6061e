/*
 * transpose.c - Transpose: output dimension i is input dimension perm[i].
 */
#include "ir/ops/data_util.h"

/* Reads perm (default: the dimensions reversed) and checks that it is a
 * permutation of the input's dimensions. */
static bool transpose_perm(const Node *n, int *perm, Diag *d)
{
    int rank = n->in[0]->shape.rank;
    int64_t p[MAX_RANK];
    int count = attr_ints(n, "perm", p, MAX_RANK);
    if (count < 0) {
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
        return true;
    }
    if (count != rank)
        return node_error(d, n, "perm has %d entries for an input of rank %d", count, rank);
    bool seen[MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        if (p[i] < 0 || p[i] >= rank || seen[p[i]])
            return node_error(d, n, "perm is not a permutation of 0..%d", rank - 1);
        seen[p[i]] = true;
        perm[i] = (int)p[i];
    }
    return true;
}

static bool transpose_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    int perm[MAX_RANK];
    if (!check_movable(n, x, d) || !transpose_perm(n, perm, d))
        return false;
    Shape s = {.rank = x->shape.rank};
    for (int i = 0; i < s.rank; i++)
        s.dim[i] = x->shape.dim[perm[i]];
    set_output(n, 0, x->dtype, &s);
    return true;
}

/* Walks the output densely and reads the input through permuted strides. */
static bool transpose_copy(const Node *n, BoxCopy *c, Diag *d)
{
    const Tensor *x = n->in[0], *y = n->out[0];
    int perm[MAX_RANK];
    int64_t x_strides[MAX_RANK];
    if (!transpose_perm(n, perm, d))
        return false;
    box_copy_init(c, &y->shape, &y->shape, &y->shape);
    shape_strides(&x->shape, x_strides);
    for (int i = 0; i < y->shape.rank; i++)
        c->p.src_strides[i] = (ptrdiff_t)x_strides[perm[i]];
    return true;
}

/* A transpose that only moves axes of extent 1 keeps the element order:
 * a view. */
static bool transpose_view_range(const Node *n, int out, int64_t *offset)
{
    BoxCopy c;
    Diag d = {0};
    bool block = out == 0 && transpose_copy(n, &c, &d) && box_copy_is_block(&c);
    diag_free(&d);
    if (block)
        *offset = 0;
    return block;
}

static bool transpose_fold(Node *n, Diag *d)
{
    BoxCopy c;
    if (!all_inputs_const(n))
        return true;
    if (!transpose_copy(n, &c, d))
        return false;
    box_copy_run(&c, dtype_size(n->in[0]->dtype), n->in[0]->data, alloc_output(n, 0));
    return true;
}

/* 32-bit elements go through the target's x32-transpose tiles. */
static bool transpose_emit(const Node *n, Emitter *e, Diag *d)
{
    const Variant *v = target_variant(emit_target(e), FAMILY_X32_TRANSPOSE);
    BoxCopy c;
    if (!transpose_copy(n, &c, d))
        return false;
    if (v && dtype_size(n->in[0]->dtype) == 4)
        box_copy_emit_x32_transpose(&c, e, n->in[0], n->out[0], v);
    else
        box_copy_emit(&c, e, n->in[0], n->out[0], 0);
    return true;
}

const OpDesc op_Transpose = {
    .name = "Transpose",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = transpose_infer,
    .fold = transpose_fold,
    .emit = transpose_emit,
    .view_range = transpose_view_range,
};
