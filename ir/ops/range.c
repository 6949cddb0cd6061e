/*
 * range.c - Range: start, start + delta, ... up to (excluding) limit.
 *
 * The output's length depends on the inputs' values, so they must be
 * known at compile time and Range always folds.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <math.h>

/* The three scalar inputs, read both ways so either arithmetic applies. */
typedef struct {
    int64_t start, limit, delta;
    double fstart, flimit, fdelta;
} RangeArgs;

static bool range_args(const Node *n, RangeArgs *r, Diag *d)
{
    static const char *const names[] = {"start", "limit", "delta"};
    DType t = n->in[0]->dtype;
    if (!dtype_is_numeric(t))
        return node_error(d, n, "dtype %s is not supported", dtype_label(t));
    for (int i = 0; i < 3; i++) {
        const Tensor *x = n->in[i];
        if (x->dtype != t)
            return node_error(d, n, "%s is %s but start is %s", names[i], dtype_label(x->dtype),
                              dtype_label(t));
        if (!tensor_is_const(x))
            return node_error(d, n, "%s ('%s') must be known at compile time", names[i], x->name);
        if (tensor_numel(x) != 1)
            return node_error(d, n, "%s must be a scalar", names[i]);
    }
    r->start = dtype_get_i64(t, n->in[0]->data, 0);
    r->limit = dtype_get_i64(t, n->in[1]->data, 0);
    r->delta = dtype_get_i64(t, n->in[2]->data, 0);
    r->fstart = dtype_get_f64(t, n->in[0]->data, 0);
    r->flimit = dtype_get_f64(t, n->in[1]->data, 0);
    r->fdelta = dtype_get_f64(t, n->in[2]->data, 0);
    if (r->fdelta == 0 || isnan(r->fdelta) || isnan(r->fstart) || isnan(r->flimit))
        return node_error(d, n, "delta must be nonzero and all values numbers");
    return true;
}

/* max(ceil((limit - start) / delta), 0), exact for integers (the
 * difference is taken unsigned so it cannot overflow). */
static int64_t range_count(DType t, const RangeArgs *r)
{
    if (dtype_is_float(t)) {
        double count = ceil((r->flimit - r->fstart) / r->fdelta);
        return count <= 0 ? 0 : count >= (double)MAX_ELEMENTS ? MAX_ELEMENTS : (int64_t)count;
    }
    bool up = r->delta > 0;
    if (up ? r->limit <= r->start : r->limit >= r->start)
        return 0;
    uint64_t distance = up ? (uint64_t)r->limit - (uint64_t)r->start
                           : (uint64_t)r->start - (uint64_t)r->limit;
    uint64_t step = up ? (uint64_t)r->delta : (uint64_t)0 - (uint64_t)r->delta;
    uint64_t count = (distance - 1) / step + 1;
    return count >= (uint64_t)MAX_ELEMENTS ? MAX_ELEMENTS : (int64_t)count;
}

static bool range_infer(Node *n, Diag *d)
{
    RangeArgs r;
    if (!range_args(n, &r, d))
        return false;
    Shape s = {.rank = 1, .dim = {range_count(n->in[0]->dtype, &r)}};
    if (!check_fold_size(n, &s, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &s);
    return true;
}

static bool range_fold(Node *n, Diag *d)
{
    RangeArgs r;
    if (!range_args(n, &r, d))
        return false;
    DType t = n->out[0]->dtype;
    void *out = alloc_output(n, 0);
    size_t count = (size_t)tensor_numel(n->out[0]);
    for (size_t i = 0; i < count; i++) {
        /* The specification adds delta to the previous element, in the
         * output's dtype, so float rounding accumulates as it does there
         * (and integers never leave [start, limit)). */
        if (dtype_is_float(t))
            dtype_set_f64(t, out, i, i ? dtype_get_f64(t, out, i - 1) + r.fdelta : r.fstart);
        else
            dtype_set_i64(t, out, i, i ? dtype_get_i64(t, out, i - 1) + r.delta : r.start);
    }
    return true;
}

const OpDesc op_Range = {
    .name = "Range",
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_BIT(DT_INT16) | DT_BIT(DT_INT32) | DT_BIT(DT_INT64),
    .since = 11, .until = 17,
    .min_in = 3, .max_in = 3,
    .min_out = 1, .max_out = 1,
    .infer = range_infer,
    .fold = range_fold,
    .emit = emit_folded_only,
};
