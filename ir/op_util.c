/*
 * op_util.c - small helpers shared by the op descriptions in ir/ops/.
 */
#include "ir/ir.h"

#include <stdlib.h>

bool node_error(Diag *d, const Node *n, const char *fmt, ...)
{
    Str msg = {0};
    va_list ap;
    if (d == NULL) /* a caller that wants the verdict only: nothing to format */
        return false;
    va_start(ap, fmt);
    str_vputf(&msg, fmt, ap);
    va_end(ap);
    diag_error(d, "node '%s' (%s, opset %d): %s", n->name, n->op_type, n->opset,
               msg.buf ? msg.buf : "");
    str_free(&msg);
    return false;
}

bool all_inputs_const(const Node *n)
{
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && !n->in[i]->data)
            return false;
    return true;
}

int const_ints(const Node *n, int i, int64_t *out, int max, Diag *d)
{
    const Tensor *t = i < n->n_in ? n->in[i] : NULL;
    if (!t) {
        node_error(d, n, "input %d is required", i);
        return -1;
    }
    if (!t->data) {
        node_error(d, n, "input %d ('%s') must be known at compile time", i, t->name);
        return -1;
    }
    if (!dtype_is_int(t->dtype)) {
        node_error(d, n, "input %d ('%s') must be an integer tensor, not %s", i, t->name,
                   dtype_name(t->dtype) ? dtype_name(t->dtype) : "?");
        return -1;
    }
    int64_t count = tensor_numel(t);
    if (count < 0 || count > max) {
        node_error(d, n, "input %d ('%s') has %lld values, at most %d are supported", i,
                   t->name, (long long)count, max);
        return -1;
    }
    for (int64_t k = 0; k < count; k++)
        out[k] = dtype_get_i64(t->dtype, t->data, (size_t)k);
    return (int)count;
}

void set_output(Node *n, int i, DType t, const Shape *s)
{
    n->out[i]->dtype = t;
    n->out[i]->shape = *s;
    n->out[i]->shape_known = true;
}

void *alloc_output(Node *n, int i)
{
    Tensor *t = n->out[i];
    free(t->data);
    t->data = xcalloc(1, tensor_bytes(t));
    return t->data;
}
