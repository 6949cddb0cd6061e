/*
 * value_shaped.c - NonZero, Unique and Compress: ops whose output shape
 * depends on the values of an input.
 *
 * Sinter gives every tensor a static shape, so these ops need those
 * values at compile time.  NonZero and Unique are then computed entirely
 * by folding.  Compress needs only its condition: the kept indices are
 * then known, and a run-time input is gathered with them by the runtime's
 * snt_gather_i64 (which folding runs too, on constant inputs).
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <stdlib.h>
#include <string.h>

/* The node error for a value-dependent shape whose input is not known:
 * names the input in quotes, the way the conformance runner and users
 * look for it. */
static bool needs_value(const Node *n, int i, Diag *d)
{
    return node_error(d, n,
                      "input %d ('%s') must be known at compile time: the output shape "
                      "depends on its values",
                      i, n->in[i]->name);
}

/* Element i of t is not zero (false, 0, 0.0; NaN counts as nonzero). */
static bool is_nonzero(const Tensor *t, size_t i)
{
    if (dtype_is_float(t->dtype))
        return dtype_get_f64(t->dtype, t->data, i) != 0;
    return dtype_get_i64(t->dtype, t->data, i) != 0;
}

/* ---- NonZero ------------------------------------------------------- */

static int64_t count_nonzero(const Tensor *x)
{
    int64_t count = 0, numel = tensor_numel(x);
    for (int64_t i = 0; i < numel; i++)
        count += is_nonzero(x, (size_t)i);
    return count;
}

/* Output [rank, count]: column k holds the coordinates of the k-th
 * nonzero element in row-major order. */
static bool nonzero_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!check_movable(n, x, d))
        return false;
    if (!tensor_is_const(x))
        return needs_value(n, 0, d);
    Shape s = {.rank = 2, .dim = {x->shape.rank, count_nonzero(x)}};
    if (!check_fold_size(n, &s, d))
        return false;
    set_output(n, 0, DT_INT64, &s);
    return true;
}

static bool nonzero_fold(Node *n, Diag *d)
{
    (void)d;
    const Tensor *x = n->in[0];
    int64_t *y = alloc_output(n, 0), count = n->out[0]->shape.dim[1];
    int64_t numel = tensor_numel(x), coord[MAX_RANK] = {0}, k = 0;
    for (int64_t i = 0; i < numel; i++) {
        if (is_nonzero(x, (size_t)i)) {
            for (int a = 0; a < x->shape.rank; a++)
                y[a * count + k] = coord[a];
            k++;
        }
        /* Advance the row-major coordinate of element i. */
        for (int a = x->shape.rank - 1; a >= 0 && ++coord[a] == x->shape.dim[a]; a--)
            coord[a] = 0;
    }
    return true;
}

/* Since opset 9; 13 only added bfloat16. */
const OpDesc op_NonZero = {
    .name = "NonZero",
    .dtypes = DT_SET_REAL | DT_BIT(DT_BOOL),
    .since = 9, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = nonzero_infer,
    .fold = nonzero_fold,
    .emit = emit_folded_only,
};

/* ---- Unique --------------------------------------------------------- */

/* X viewed as [outer][len][inner] around the axis (flattened when there
 * is none): Unique compares the len slices of outer * inner elements. */
typedef struct {
    const Tensor *x;
    size_t outer, len, inner;
} Slices;

/* Orders slices a and b like numpy: lexicographically by their elements
 * (outer index first), ties by position so the sort below is stable. */
static int slice_cmp(const Slices *v, size_t a, size_t b)
{
    bool flt = dtype_is_float(v->x->dtype);
    for (size_t o = 0; o < v->outer; o++)
        for (size_t i = 0; i < v->inner; i++) {
            size_t ea = (o * v->len + a) * v->inner + i, eb = (o * v->len + b) * v->inner + i;
            if (flt) {
                double x = dtype_get_f64(v->x->dtype, v->x->data, ea);
                double y = dtype_get_f64(v->x->dtype, v->x->data, eb);
                if (x != y)
                    return x < y ? -1 : 1;
            } else {
                int64_t x = dtype_get_i64(v->x->dtype, v->x->data, ea);
                int64_t y = dtype_get_i64(v->x->dtype, v->x->data, eb);
                if (x != y)
                    return x < y ? -1 : 1;
            }
        }
    return 0;
}

/* Merge sort of slice numbers by slice_cmp, stable; tmp as long as idx. */
static void sort_slices(const Slices *v, int64_t *idx, int64_t *tmp, size_t count)
{
    if (count < 2)
        return;
    size_t half = count / 2, a = 0, b = half, k = 0;
    sort_slices(v, idx, tmp, half);
    sort_slices(v, idx + half, tmp, count - half);
    while (a < half && b < count)
        tmp[k++] = slice_cmp(v, (size_t)idx[b], (size_t)idx[a]) < 0 ? idx[b++] : idx[a++];
    while (a < half)
        tmp[k++] = idx[a++];
    while (b < count)
        tmp[k++] = idx[b++];
    memcpy(idx, tmp, count * sizeof *idx);
}

/* Everything Unique outputs, as slice numbers of X. */
typedef struct {
    int64_t count;      /* unique slices */
    int64_t *first;     /* [count] first occurrence of each, output order */
    int64_t *counts;    /* [count] occurrences of each */
    int64_t *inverse;   /* [len] output position of every slice */
} UniqueResult;

static void unique_free(UniqueResult *r)
{
    free(r->first);
    free(r->counts);
    free(r->inverse);
}

static bool unique_view(const Node *n, Slices *v, int *axis, Diag *d)
{
    const Tensor *x = n->in[0];
    const Attr *a = node_attr(n, "axis");
    *v = (Slices){.x = x, .outer = 1, .len = (size_t)tensor_numel(x), .inner = 1};
    *axis = -1;
    if (!a)
        return true;
    if (!axis_normalize(a->i, x->shape.rank, axis))
        return node_error(d, n, "axis %lld is out of range for rank %d", (long long)a->i,
                          x->shape.rank);
    v->len = (size_t)x->shape.dim[*axis];
    v->outer = v->inner = 1;
    for (int i = 0; i < *axis; i++)
        v->outer *= (size_t)x->shape.dim[i];
    for (int i = *axis + 1; i < x->shape.rank; i++)
        v->inner *= (size_t)x->shape.dim[i];
    return true;
}

/* Groups equal slices: sorted order of values (sorted = 1) or of first
 * occurrence (sorted = 0), as numpy.unique and ONNX define them. */
static void unique_compute(const Slices *v, bool sorted, UniqueResult *r)
{
    size_t len = v->len;
    int64_t *order = xmalloc((len + 1) * sizeof *order), *tmp = xmalloc((len + 1) * sizeof *tmp);
    for (size_t i = 0; i < len; i++)
        order[i] = (int64_t)i;
    sort_slices(v, order, tmp, len);
    /* Runs of equal slices in sorted order; a run's first member is its
     * smallest position, since the sort is stable. */
    int64_t *group = tmp; /* group of each sorted position */
    r->count = 0;
    for (size_t k = 0; k < len; k++) {
        if (k == 0 || slice_cmp(v, (size_t)order[k - 1], (size_t)order[k]) != 0)
            r->count++;
        group[k] = r->count - 1;
    }
    r->first = xcalloc((size_t)r->count + 1, sizeof *r->first);
    r->counts = xcalloc((size_t)r->count + 1, sizeof *r->counts);
    r->inverse = xmalloc((len + 1) * sizeof *r->inverse);
    /* rank[g]: output position of sorted group g. */
    int64_t *rank = xmalloc(((size_t)r->count + 1) * sizeof *rank);
    for (int64_t g = 0; g < r->count; g++)
        rank[g] = g;
    if (!sorted) {
        /* Number groups by first occurrence: walk X in order. */
        bool *seen = xcalloc((size_t)r->count + 1, sizeof *seen);
        int64_t *group_of = xmalloc((len + 1) * sizeof *group_of), next = 0;
        for (size_t k = 0; k < len; k++)
            group_of[order[k]] = group[k];
        for (size_t i = 0; i < len; i++)
            if (!seen[group_of[i]]) {
                seen[group_of[i]] = true;
                rank[group_of[i]] = next++;
            }
        free(group_of);
        free(seen);
    }
    for (size_t k = 0; k < len; k++) {
        int64_t pos = rank[group[k]];
        if (r->counts[pos]++ == 0)
            r->first[pos] = order[k];
        r->inverse[order[k]] = pos;
    }
    free(rank);
    free(order);
    free(tmp);
}

static bool unique_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    Slices v;
    int axis;
    if (!check_movable(n, x, d) || !unique_view(n, &v, &axis, d))
        return false;
    if (!tensor_is_const(x))
        return needs_value(n, 0, d);
    if (!check_fold_size(n, &x->shape, d))
        return false;
    UniqueResult r;
    unique_compute(&v, attr_int_or(n, "sorted", 1) != 0, &r);
    unique_free(&r);
    Shape y = x->shape, list = {.rank = 1, .dim = {r.count}};
    Shape inverse = {.rank = 1, .dim = {(int64_t)v.len}};
    if (axis < 0)
        y = list;
    else
        y.dim[axis] = r.count;
    set_output(n, 0, x->dtype, &y);
    for (int i = 1; i < n->n_out; i++)
        set_output(n, i, DT_INT64, i == 2 ? &inverse : &list);
    return true;
}

/* Y gathers the first occurrences; the index outputs are r's lists. */
static bool unique_fold(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    Slices v;
    int axis;
    UniqueResult r;
    if (!unique_view(n, &v, &axis, d))
        return false;
    unique_compute(&v, attr_int_or(n, "sorted", 1) != 0, &r);
    snt_gather_i64(v.outer, v.len, v.inner, dtype_size(x->dtype), x->data, r.first,
                   (size_t)r.count, alloc_output(n, 0));
    const int64_t *lists[4] = {NULL, r.first, r.inverse, r.counts};
    for (int i = 1; i < n->n_out; i++)
        memcpy(alloc_output(n, i), lists[i], tensor_bytes(n->out[i]));
    unique_free(&r);
    return true;
}

const OpDesc op_Unique = {
    .name = "Unique",
    .dtypes = DT_SET_REAL | DT_BIT(DT_BOOL),
    .since = 11, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 4,
    .infer = unique_infer,
    .fold = unique_fold,
    .emit = emit_folded_only,
};

/* ---- Compress ------------------------------------------------------- */

/* The input viewed as [outer][len][inner] around the axis (flattened
 * when there is none) and the kept positions along it. */
typedef struct {
    size_t outer, len, inner;
    int axis;             /* -1: flattened */
    int64_t *kept;        /* owned */
    int64_t count;
} CompressPlan;

/* Reads the constant condition; positions past its end are dropped, and
 * a condition longer than the axis may only be false there. */
static bool compress_plan(const Node *n, CompressPlan *p, Diag *d)
{
    const Tensor *x = n->in[0], *cond = n->in[1];
    const Attr *a = node_attr(n, "axis");
    *p = (CompressPlan){.outer = 1, .len = (size_t)tensor_numel(x), .inner = 1, .axis = -1};
    if (cond->shape.rank != 1)
        return node_error(d, n, "condition must have rank 1, not %d", cond->shape.rank);
    if (!tensor_is_const(cond))
        return needs_value(n, 1, d);
    if (a) {
        if (!axis_normalize(a->i, x->shape.rank, &p->axis))
            return node_error(d, n, "axis %lld is out of range for rank %d", (long long)a->i,
                              x->shape.rank);
        p->len = (size_t)x->shape.dim[p->axis];
        p->outer = p->inner = 1;
        for (int i = 0; i < p->axis; i++)
            p->outer *= (size_t)x->shape.dim[i];
        for (int i = p->axis + 1; i < x->shape.rank; i++)
            p->inner *= (size_t)x->shape.dim[i];
    }
    int64_t cond_len = tensor_numel(cond);
    p->kept = xmalloc(((size_t)cond_len + 1) * sizeof *p->kept);
    for (int64_t i = 0; i < cond_len; i++) {
        if (!is_nonzero(cond, (size_t)i))
            continue;
        if (i >= (int64_t)p->len) {
            free(p->kept);
            return node_error(d, n, "condition selects position %lld of an axis of %zu",
                              (long long)i, p->len);
        }
        p->kept[p->count++] = i;
    }
    return true;
}

static bool compress_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    CompressPlan p;
    if (!check_movable(n, x, d))
        return false;
    if (n->in[1]->dtype != DT_BOOL)
        return node_error(d, n, "condition must be bool, not %s", dtype_label(n->in[1]->dtype));
    if (!compress_plan(n, &p, d))
        return false;
    free(p.kept);
    Shape s = x->shape;
    if (p.axis < 0)
        s = (Shape){.rank = 1, .dim = {p.count}};
    else
        s.dim[p.axis] = p.count;
    set_output(n, 0, x->dtype, &s);
    return true;
}

static bool compress_fold(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    CompressPlan p;
    if (!tensor_is_const(x) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!compress_plan(n, &p, d))
        return false;
    snt_gather_i64(p.outer, p.len, p.inner, dtype_size(x->dtype), x->data, p.kept,
                   (size_t)p.count, alloc_output(n, 0));
    free(p.kept);
    return true;
}

/* A run-time input: a Gather of the kept positions. */
static bool compress_emit(const Node *n, Emitter *e, Diag *d)
{
    const Tensor *x = n->in[0];
    CompressPlan p;
    if (!compress_plan(n, &p, d))
        return false;
    if (p.count > 0 && tensor_numel(n->out[0]) > 0)
        emit_line(e, "snt_gather_i64(%zu, %zu, %zu, sizeof(%s), %s, %s, %lld, %s);", p.outer,
                  p.len, p.inner, dtype_ctype(x->dtype), emit_ptr(e, x),
                  emit_i64_array(e, p.kept, (int)p.count), (long long)p.count,
                  emit_ptr(e, n->out[0]));
    free(p.kept);
    return true;
}

/* Since opset 9; 11 allowed a negative axis. */
const OpDesc op_Compress = {
    .name = "Compress",
    .dtypes = DT_SET_ALL,
    .since = 9, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = compress_infer,
    .fold = compress_fold,
    .emit = compress_emit,
};
