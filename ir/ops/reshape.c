/*
 * reshape.c - the view ops: Reshape, Flatten, Squeeze and Unsqueeze
 * (Identity, which also passes sequences through, is in identity_like.c).
 *
 * They change only the shape, never the bytes: each is a view of its
 * input (is_view), emitted as a memcpy unless the planner aliases the two
 * buffers, and folded by copying the data.  Only the shape rules differ.
 */
#include "ir/ops/data_util.h"

#include <string.h>

/* Sets output 0 to shape s with the input's dtype, after checking that s
 * holds as many elements as the input. */
static bool view_set_output(Node *n, const Shape *s, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!check_movable(n, x, d) || !check_size(n, s, d))
        return false;
    if (shape_numel(s) != tensor_numel(x)) {
        char a[128], b[128];
        return node_error(d, n, "cannot view input '%s' of shape %s as %s", x->name,
                          shape_str(&x->shape, a, sizeof a), shape_str(s, b, sizeof b));
    }
    set_output(n, 0, x->dtype, s);
    return true;
}

static bool view_fold(Node *n, Diag *d)
{
    (void)d;
    if (tensor_is_const(n->in[0]))
        tensor_set_data(n->out[0], n->in[0]->data);
    return true;
}

static bool view_emit(const Node *n, Emitter *e, Diag *d)
{
    (void)d;
    size_t bytes = tensor_bytes(n->out[0]);
    if (bytes)
        emit_line(e, "memcpy(%s, %s, %zu);", emit_ptr(e, n->out[0]), emit_ptr(e, n->in[0]), bytes);
    return true;
}

/* Product of dims [lo, hi) of s. */
static int64_t dims_product(const Shape *s, int lo, int hi)
{
    int64_t p = 1;
    for (int i = lo; i < hi; i++)
        p *= s->dim[i];
    return p;
}

/* ------------------------------------------------------------------ */
/* Reshape                                                              */
/* ------------------------------------------------------------------ */

/* Resolves the requested shape: 0 copies the input's dimension (unless
 * allowzero, opset 14, makes it a literal 0) and one -1 takes whatever
 * size is left. */
static bool reshape_target(const Node *n, const int64_t *req, int rank, Shape *s, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    bool allowzero = n->opset >= 14 && attr_int_or(n, "allowzero", 0) != 0;
    int infer_at = -1;
    s->rank = rank;
    for (int i = 0; i < rank; i++) {
        s->dim[i] = req[i];
        if (req[i] == -1) {
            if (infer_at >= 0)
                return node_error(d, n, "shape has more than one -1");
            infer_at = i;
            s->dim[i] = 1;
        } else if (req[i] < -1) {
            return node_error(d, n, "shape has invalid dimension %lld", (long long)req[i]);
        } else if (req[i] == 0 && !allowzero) {
            if (i >= in->rank)
                return node_error(d, n, "shape copies dimension %d of a rank-%d input", i,
                                  in->rank);
            s->dim[i] = in->dim[i];
        }
    }
    if (infer_at < 0)
        return true;
    /* 0 when a dimension is 0 (ambiguous), -1 on overflow. */
    int64_t known = shape_numel(s);
    int64_t total = shape_numel(in);
    if (known <= 0 || total % known != 0) {
        char buf[128];
        return node_error(d, n, "cannot infer the -1 dimension for input shape %s",
                          shape_str(in, buf, sizeof buf));
    }
    s->dim[infer_at] = total / known;
    return true;
}

static bool reshape_infer(Node *n, Diag *d)
{
    int64_t req[MAX_RANK];
    int rank = const_ints(n, 1, req, MAX_RANK, d);
    Shape s;
    return rank >= 0 && reshape_target(n, req, rank, &s, d) && view_set_output(n, &s, d);
}

const OpDesc op_Reshape = {
    .name = "Reshape",
    .dtypes = DT_SET_ALL,
    .since = 5, .until = 17,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = reshape_infer,
    .fold = view_fold,
    .emit = view_emit,
    .is_view = true,
};

/* ------------------------------------------------------------------ */
/* Flatten                                                              */
/* ------------------------------------------------------------------ */

static bool flatten_infer(Node *n, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int64_t axis = attr_int_or(n, "axis", 1);
    /* axis may equal rank (everything in the first dimension). */
    if (axis < -in->rank || axis > in->rank)
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)axis,
                          in->rank);
    int split = (int)(axis < 0 ? axis + in->rank : axis);
    Shape s = {.rank = 2,
               .dim = {dims_product(in, 0, split), dims_product(in, split, in->rank)}};
    return view_set_output(n, &s, d);
}

const OpDesc op_Flatten = {
    .name = "Flatten",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = flatten_infer,
    .fold = view_fold,
    .emit = view_emit,
    .is_view = true,
};

/* ------------------------------------------------------------------ */
/* Squeeze and Unsqueeze                                                */
/* ------------------------------------------------------------------ */

/* The axes list: an attribute before opset 13, input 1 from then on.
 * Returns the count (0 and *present false when absent), or -1. */
static int squeeze_axes(const Node *n, int64_t *axes, bool *present, Diag *d)
{
    return node_ints(n, "axes", n->opset >= 13 ? 1 : -1, axes, MAX_RANK, present, d);
}

static bool squeeze_infer(Node *n, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int64_t axes[MAX_RANK];
    bool present, drop[MAX_RANK] = {false};
    int count = squeeze_axes(n, axes, &present, d);
    if (count < 0 || !normalize_axes(n, axes, count, in->rank, d))
        return false;
    for (int i = 0; i < count; i++) {
        if (in->dim[axes[i]] != 1)
            return node_error(d, n, "cannot squeeze axis %lld of extent %lld",
                              (long long)axes[i], (long long)in->dim[axes[i]]);
        drop[axes[i]] = true;
    }
    /* Without axes, every dimension of extent 1 goes. */
    Shape s = {.rank = 0};
    for (int i = 0; i < in->rank; i++)
        if (!(present ? drop[i] : in->dim[i] == 1))
            s.dim[s.rank++] = in->dim[i];
    return view_set_output(n, &s, d);
}

const OpDesc op_Squeeze = {
    .name = "Squeeze",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = squeeze_infer,
    .fold = view_fold,
    .emit = view_emit,
    .is_view = true,
};

static bool unsqueeze_infer(Node *n, Diag *d)
{
    const Shape *in = &n->in[0]->shape;
    int64_t axes[MAX_RANK];
    bool present, insert[MAX_RANK] = {false};
    int count = squeeze_axes(n, axes, &present, d);
    if (count < 0)
        return false;
    if (!present)
        return node_error(d, n, "axes are required");
    int rank = in->rank + count;
    if (rank > MAX_RANK)
        return node_error(d, n, "output rank %d exceeds the maximum of %d", rank, MAX_RANK);
    /* Axes refer to the output's dimensions. */
    if (!normalize_axes(n, axes, count, rank, d))
        return false;
    for (int i = 0; i < count; i++)
        insert[axes[i]] = true;
    Shape s = {.rank = rank};
    for (int i = 0, j = 0; i < rank; i++)
        s.dim[i] = insert[i] ? 1 : in->dim[j++];
    return view_set_output(n, &s, d);
}

const OpDesc op_Unsqueeze = {
    .name = "Unsqueeze",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = unsqueeze_infer,
    .fold = view_fold,
    .emit = view_emit,
    .is_view = true,
};
