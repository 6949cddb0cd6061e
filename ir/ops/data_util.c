/*
 * data_util.c - helpers shared by the data-movement and shape ops.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

void box_copy_init(BoxCopy *c, const Shape *box, const Shape *src, const Shape *dst)
{
    int64_t src_strides[MAX_RANK], dst_strides[MAX_RANK];
    shape_strides(src, src_strides);
    shape_strides(dst, dst_strides);
    c->p.rank = box->rank;
    for (int i = 0; i < box->rank; i++) {
        c->p.dims[i] = (size_t)box->dim[i];
        c->p.src_strides[i] = (ptrdiff_t)src_strides[i];
        c->p.dst_strides[i] = (ptrdiff_t)dst_strides[i];
    }
    c->src_offset = 0;
    c->dst_offset = 0;
}

static bool box_is_empty(const BoxCopy *c)
{
    for (int i = 0; i < c->p.rank; i++)
        if (c->p.dims[i] == 0)
            return true;
    return false;
}

bool box_copy_is_block(const BoxCopy *c)
{
    if (box_is_empty(c))
        return false;
    for (int i = 0; i < c->p.rank; i++)
        if (c->p.dims[i] > 1 && c->p.src_strides[i] != c->p.dst_strides[i])
            return false;
    return true;
}

/* The runtime parameters; a 0-d copy becomes a 1-d copy of one element
 * because the kernel walks at least one axis.  (The kernel merges
 * contiguous axes itself, so the printed form keeps the ONNX dims.) */
static snt_strided box_copy_params(const BoxCopy *c)
{
    snt_strided s = c->p;
    if (s.rank == 0)
        s = (snt_strided){.rank = 1, .dims = {1}, .src_strides = {1}, .dst_strides = {1}};
    return s;
}

void box_copy_run(const BoxCopy *c, size_t elem_size, const void *src, void *dst)
{
    if (box_is_empty(c))
        return;
    snt_strided s = box_copy_params(c);
    snt_strided_copy(&s, elem_size, (const char *)src + c->src_offset * (int64_t)elem_size,
                     (char *)dst + c->dst_offset * (int64_t)elem_size);
}

/* "ptr" or "ptr + offset". */
static void put_pointer(Str *s, const char *ptr, int64_t offset)
{
    if (offset)
        str_putf(s, "%s + %lld", ptr, (long long)offset);
    else
        str_puts(s, ptr);
}

/* Prints the copy's parameter block p<k>, then the call begun in *call
 * (the kernel and its arguments before the pointers) completed with the
 * source and destination pointers. */
static void emit_copy(const BoxCopy *c, Emitter *e, const Tensor *src, const Tensor *dst, int k,
                      Str *call)
{
    if (box_is_empty(c))
        return;
    snt_strided s = box_copy_params(c);
    char var[16];
    snprintf(var, sizeof var, "p%d", k);
    emit_params_snt_strided(e, &s, var);

    put_pointer(call, emit_ptr(e, src), c->src_offset);
    str_puts(call, ", ");
    put_pointer(call, emit_ptr(e, dst), c->dst_offset);
    str_puts(call, ");");
    emit_line(e, "%s", call->buf);
}

void box_copy_emit(const BoxCopy *c, Emitter *e, const Tensor *src, const Tensor *dst, int k)
{
    Str call = {0};
    str_putf(&call, "snt_strided_copy%s&p%d, sizeof(%s), ", emit_call_open(e), k,
             dtype_ctype(dst->dtype));
    emit_copy(c, e, src, dst, k, &call);
    str_free(&call);
}

void box_copy_emit_x32_transpose(const BoxCopy *c, Emitter *e, const Tensor *src,
                                 const Tensor *dst, const Variant *v)
{
    Str call = {0};
    str_putf(&call, "snt_transpose_x32%s&p0, &%s, ", emit_call_open(e), v->name);
    emit_copy(c, e, src, dst, 0, &call);
    str_free(&call);
}

bool check_movable(const Node *n, const Tensor *t, Diag *d)
{
    if (dtype_size(t->dtype) == 0 || !dtype_ctype(t->dtype))
        return node_error(d, n, "tensor '%s' has unsupported dtype %s", t->name,
                          dtype_label(t->dtype));
    return true;
}

bool check_size(const Node *n, const Shape *s, Diag *d)
{
    for (int i = 0; i < s->rank; i++)
        if (s->dim[i] < 0)
            return node_error(d, n, "output dimension %d is negative (%lld)", i,
                              (long long)s->dim[i]);
    if (shape_numel(s) < 0) {
        char buf[128];
        return node_error(d, n, "output shape %s is too large", shape_str(s, buf, sizeof buf));
    }
    return true;
}

bool set_output_extents(Node *n, int i, DType dtype, const size_t *dims, int rank, Diag *d)
{
    Shape s = {.rank = rank};
    for (int k = 0; k < rank; k++)
        s.dim[k] = (int64_t)dims[k];
    if (!check_size(n, &s, d))
        return false;
    set_output(n, i, dtype, &s);
    return true;
}

bool check_fold_size(const Node *n, const Shape *s, Diag *d)
{
    if (!check_size(n, s, d))
        return false;
    if (shape_numel(s) > FOLD_MAX_ELEMENTS) {
        char buf[128];
        return node_error(d, n, "output shape %s is too large to compute at compile time",
                          shape_str(s, buf, sizeof buf));
    }
    return true;
}

int node_ints(const Node *n, const char *attr, int input, int64_t *out, int max,
              bool *present, Diag *d)
{
    *present = false;
    if (input < 0) {
        const Attr *a = node_attr(n, attr);
        if (!a)
            return 0;
        if (a->kind != ATTR_INTS) {
            node_error(d, n, "attribute '%s' must be a list of ints", attr);
            return -1;
        }
        if (a->n > max) {
            node_error(d, n, "attribute '%s' has %d values, at most %d are supported", attr,
                       a->n, max);
            return -1;
        }
        *present = true;
        return attr_ints(n, attr, out, max);
    }
    if (input >= n->n_in || !n->in[input])
        return 0;
    *present = true;
    return const_ints(n, input, out, max, d);
}

bool normalize_axes(const Node *n, int64_t *axes, int count, int rank, Diag *d)
{
    bool seen[MAX_RANK] = {false};
    for (int i = 0; i < count; i++) {
        int axis;
        if (!axis_normalize(axes[i], rank, &axis))
            return node_error(d, n, "axis %lld is out of range for rank %d", (long long)axes[i],
                              rank);
        if (seen[axis])
            return node_error(d, n, "axis %lld is given twice", (long long)axes[i]);
        seen[axis] = true;
        axes[i] = axis;
    }
    return true;
}

bool emit_folded_only(const Node *n, Emitter *e, Diag *d)
{
    (void)e;
    return node_error(d, n, "the output should have been computed at compile time");
}
