/*
 * size.c - Size: the input's element count as an int64 scalar.  It
 * depends only on the static shape, so it always folds.
 */
#include "ir/ops/data_util.h"

static bool size_infer(Node *n, Diag *d)
{
    (void)d;
    Shape scalar = {.rank = 0};
    set_output(n, 0, DT_INT64, &scalar);
    return true;
}

static bool size_fold(Node *n, Diag *d)
{
    (void)d;
    int64_t count = tensor_numel(n->in[0]);
    tensor_set_data(n->out[0], &count);
    return true;
}

const OpDesc op_Size = {
    .name = "Size",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = size_infer,
    .fold = size_fold,
    .emit = emit_folded_only,
};
