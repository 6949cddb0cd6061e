/*
 * op_check.c - input checks shared by the op descriptions (op_check.h).
 */
#include "ir/ops/op_check.h"

bool check_inputs_present(const Node *n, int count, Diag *d)
{
    for (int i = 0; i < count; i++)
        if (i >= n->n_in || !n->in[i])
            return node_error(d, n, "input %d is required", i);
    return true;
}

const char *dtype_label(DType t)
{
    const char *name = dtype_name(t);
    return name ? name : "undefined";
}

bool dtype_is_numeric(DType t)
{
    return dtype_is_int(t) || t == DT_FLOAT || t == DT_DOUBLE;
}

bool dtype_is_unsigned(DType t)
{
    return t == DT_BOOL || t == DT_UINT8 || t == DT_UINT16 || t == DT_UINT32 || t == DT_UINT64;
}

bool check_float_input(const Node *n, int i, Diag *d)
{
    const Tensor *t = n->in[i];
    if (t->dtype != DT_FLOAT && t->dtype != DT_DOUBLE)
        return node_error(d, n, "input %d ('%s') must be float32 or float64, not %s", i,
                          t->name, dtype_label(t->dtype));
    return true;
}

bool check_same_dtype(const Node *n, int i, Diag *d)
{
    const Tensor *t = i < n->n_in ? n->in[i] : NULL;
    if (t && t->dtype != n->in[0]->dtype)
        return node_error(d, n, "input %d ('%s') is %s but input 0 is %s", i, t->name,
                          dtype_label(t->dtype), dtype_label(n->in[0]->dtype));
    return true;
}

bool check_output_absent(const Node *n, int i, const char *what, Diag *d)
{
    if (i < n->n_out && n->out[i])
        return node_error(d, n, "output %d (%s) is not supported", i, what);
    return true;
}

int64_t sat_mul(int64_t a, int64_t b)
{
    if (a <= 0 || b <= 0)
        return 0;
    return a > INT64_MAX / b ? INT64_MAX : a * b;
}
