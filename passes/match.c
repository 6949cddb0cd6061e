/*
 * match.c - constant parameters and small rewrites shared by the
 * pattern-matching passes.
 */
#include "passes/match.h"

#include "ir/ops/ops.h"

#include <string.h>

/* The integer list `name` of a node: attribute before `since`, input
 * `input` from then on.  Count, or -1 when absent or not constant. */
static int node_list(const Node *n, const char *name, int since, int input, int64_t *out,
                     int max)
{
    Diag d = {0};
    bool present = false;
    int count = node_ints(n, name, n->opset >= since ? input : -1, out, max, &present, &d);
    diag_free(&d);
    return present ? count : -1;
}

bool slice_one_axis(const Node *s, int *axis, int64_t *start)
{
    int64_t starts[MAX_RANK], axes[MAX_RANK], steps[MAX_RANK];
    if (!node_is(s, &op_Slice) || s->n_out != 1)
        return false;
    const Shape *in = &s->in[0]->shape;
    if (node_list(s, "starts", 10, 1, starts, MAX_RANK) != 1)
        return false;
    int n_axes = node_list(s, "axes", 10, 3, axes, MAX_RANK);
    int n_steps = s->opset >= 10 ? node_list(s, "steps", 10, 4, steps, MAX_RANK) : -1;
    if ((n_axes >= 0 && n_axes != 1) || (n_steps >= 0 && (n_steps != 1 || steps[0] != 1)))
        return false;
    int64_t a = n_axes == 1 ? axes[0] : 0;
    if (!axis_normalize(a, in->rank, axis))
        return false;
    int64_t dim = in->dim[*axis], first = starts[0] < 0 ? starts[0] + dim : starts[0];
    *start = first < 0 ? 0 : first > dim ? dim : first;
    return true;
}

/* The fill value of a constant Pad: attribute before opset 11, else the
 * optional scalar input 2. */
static bool pad_value_is_zero(const Node *p)
{
    if (p->opset < 11)
        return attr_float_or(p, "value", 0.0) == 0.0;
    const Tensor *v = p->n_in > 2 ? p->in[2] : NULL;
    if (!v)
        return true;
    return tensor_is_const(v) && tensor_numel(v) == 1 && dtype_get_f64(v->dtype, v->data, 0) == 0.0;
}

bool pad_zero_fill(const Node *p, int64_t *begin, int64_t *end)
{
    int64_t pads[2 * MAX_RANK];
    if (!node_is(p, &op_Pad) || p->n_out != 1 || strcmp(attr_string_or(p, "mode", "constant"), "constant"))
        return false;
    if ((p->n_in > 3 && p->in[3]) || !pad_value_is_zero(p))
        return false; /* an opset-18 axes input: not worth the cases */
    int rank = p->in[0]->shape.rank;
    if (node_list(p, "pads", 11, 1, pads, 2 * MAX_RANK) != 2 * rank)
        return false;
    for (int i = 0; i < rank; i++) {
        begin[i] = pads[i];
        end[i] = pads[rank + i];
    }
    return true;
}

/* The attribute `name` of n, emptied, or a new one. */
static Attr *fresh_attr(Node *n, const char *name, AttrKind kind)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) {
            attr_clear(&n->attrs[i]);
            n->attrs[i].name = xstrdup(name);
            n->attrs[i].kind = kind;
            return &n->attrs[i];
        }
    return node_add_attr(n, name, kind);
}

void set_attr_int(Node *n, const char *name, int64_t v)
{
    fresh_attr(n, name, ATTR_INT)->i = v;
}

void set_attr_ints(Node *n, const char *name, const int64_t *v, int count)
{
    Attr *a = fresh_attr(n, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)(count > 0 ? count : 1) * sizeof *a->ints);
    if (count > 0)
        memcpy(a->ints, v, (size_t)count * sizeof *v);
}

void copy_attr(Node *n, const Attr *a)
{
    Attr *c = node_add_attr(n, a->name, a->kind);
    c->f = a->f;
    c->i = a->i;
    c->s = a->s ? xstrdup(a->s) : NULL;
    c->n = a->n;
    if (a->ints) {
        c->ints = xmalloc(((size_t)a->n + 1) * sizeof *c->ints);
        memcpy(c->ints, a->ints, (size_t)a->n * sizeof *c->ints);
    }
    if (a->floats) {
        c->floats = xmalloc(((size_t)a->n + 1) * sizeof *c->floats);
        memcpy(c->floats, a->floats, (size_t)a->n * sizeof *c->floats);
    }
}

void copy_attrs(Node *n, const Node *from)
{
    for (int i = 0; i < from->n_attrs; i++)
        copy_attr(n, &from->attrs[i]);
}

void set_ukernel(Node *n, const Variant *v)
{
    Attr *a = node_add_attr(n, "ukernel", ATTR_STRING);
    a->s = xstrdup(v->name);
}

void add_packed(Rewriter *rw, Node *n, int slot, float *packed, size_t floats, const Variant *v)
{
    Shape s = {.rank = 1, .dim = {(int64_t)floats}};
    Tensor *t = rewrite_const(rw->g, DT_FLOAT, &s, packed, "%s_packed", n->in[1]->name);
    t->layout = LAYOUT_PACKED;
    while (n->n_in < slot)
        rw_add_input(rw, n, NULL);
    rw_add_input(rw, n, t);
    set_ukernel(n, v);
}
