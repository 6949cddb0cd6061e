/*
 * shape_of.c - Shape.
 *
 * Shapes are static, so Shape always folds, from its input's shape alone:
 * the input's values need not be known.  This is what lets the shape
 * chains PyTorch exports (Shape -> Gather/Slice -> Concat -> Reshape or
 * Resize) become constants.
 */
#include "ir/ops/data_util.h"

/* The [start, end) range of dimensions reported (opset 15 added the
 * attributes): negative values count from the end, then both clamp to
 * [0, rank]. */
static void shape_range(const Node *n, int rank, int *start, int *end)
{
    int64_t lo = attr_int_or(n, "start", 0);
    int64_t hi = attr_int_or(n, "end", rank);
    if (lo < 0)
        lo += rank;
    if (hi < 0)
        hi += rank;
    lo = lo < 0 ? 0 : lo > rank ? rank : lo;
    hi = hi < 0 ? 0 : hi > rank ? rank : hi;
    *start = (int)lo;
    *end = hi > lo ? (int)hi : (int)lo;
}

static bool shape_infer(Node *n, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0];
    int start, end;
    shape_range(n, x->shape.rank, &start, &end);
    Shape s = {.rank = 1, .dim = {end - start}};
    set_output(n, 0, DT_INT64, &s);
    return true;
}

static bool shape_fold(Node *n, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0];
    int start, end;
    shape_range(n, x->shape.rank, &start, &end);
    int64_t *out = alloc_output(n, 0);
    for (int i = start; i < end; i++)
        out[i - start] = x->shape.dim[i];
    return true;
}

const OpDesc op_Shape = {
    .name = "Shape",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = shape_infer,
    .fold = shape_fold,
    .emit = emit_folded_only,
};
