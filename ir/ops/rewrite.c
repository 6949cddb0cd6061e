/*
 * rewrite.c - the replacement nodes and tensors of expansions
 * (rewrite.h).
 */
#include "ir/ops/rewrite.h"

#include <stdarg.h>
#include <string.h>

Node *rewrite_node(Graph *g, const Node *n, const char *op_type, int opset)
{
    Str name = {0};
    str_putf(&name, "%s/%s", n->name, op_type);
    Node *m = graph_add_node(g, name.buf, op_type);
    str_free(&name);
    m->op = op_lookup("", op_type);
    m->opset = opset;
    if (m->op && m->opset < m->op->since)
        m->opset = m->op->since;
    if (m->op && m->opset > m->op->until)
        m->opset = m->op->until;
    return m;
}

static Tensor *new_tensor_v(Graph *g, const char *fmt, va_list ap)
{
    Str hint = {0};
    str_vputf(&hint, fmt, ap);
    Tensor *t = graph_new_tensor(g, hint.buf);
    str_free(&hint);
    return t;
}

Tensor *rewrite_tensor(Graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Tensor *t = new_tensor_v(g, fmt, ap);
    va_end(ap);
    return t;
}

/* Makes t a constant of dtype and shape s holding a copy of data. */
static Tensor *make_const(Tensor *t, DType dtype, const Shape *s, const void *data)
{
    t->dtype = dtype;
    t->shape = *s;
    t->shape_known = true;
    tensor_set_data(t, data);
    return t;
}

Tensor *rewrite_const(Graph *g, DType dtype, const Shape *s, const void *data, const char *fmt,
                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    Tensor *t = new_tensor_v(g, fmt, ap);
    va_end(ap);
    return make_const(t, dtype, s, data);
}

Tensor *rewrite_scalar(Graph *g, DType dtype, int64_t v, const char *fmt, ...)
{
    Shape scalar = {0};
    unsigned char data[8]; /* the widest integer */
    dtype_set_i64(dtype, data, 0, v);
    va_list ap;
    va_start(ap, fmt);
    Tensor *t = new_tensor_v(g, fmt, ap);
    va_end(ap);
    return make_const(t, dtype, &scalar, data);
}

void rewrite_give_ints(Graph *g, Node *m, const char *name, const int64_t *v, int count)
{
    if (m->opset >= 13) {
        Shape s = {.rank = 1, .dim = {count}};
        node_add_input(m, rewrite_const(g, DT_INT64, &s, v, "%s", name));
        return;
    }
    Attr *a = node_add_attr(m, name, ATTR_INTS);
    a->n = count;
    a->ints = xmalloc((size_t)count * sizeof *a->ints + 1);
    memcpy(a->ints, v, (size_t)count * sizeof *a->ints);
}

void build_identity(Graph *g, const Node *n, Tensor *x, Tensor *out)
{
    Node *m = rewrite_node(g, n, "Identity", n->opset);
    node_add_input(m, x);
    node_add_output(m, out);
}

void build_scalar(Graph *g, const Node *n, DType dtype, int64_t v, Tensor *out)
{
    build_identity(g, n, rewrite_scalar(g, dtype, v, "%s", out->name), out);
}
