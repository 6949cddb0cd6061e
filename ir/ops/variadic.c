/*
 * variadic.c - the elementwise ops of any number of inputs, all
 * broadcast together as numpy does: Max, Min (a NaN wins), Sum, Mean.
 *
 * They run as a chain of binary kernels: y = x0 op x1, then y = y op xk
 * for each further input (y is dense, so each step reads it in place),
 * and Mean divides the sum by the input count at the end (see
 * emit_chain in compare_logic.c; float16 and bfloat16 run it in float32 and
 * round once at the end).  One input is a copy.  Folding runs the same
 * chain on the constant values.
 */
#include "ir/ops/broadcast_chain.h"
#include "ir/ops/op_check.h"

#include <string.h>

typedef struct {
    const char *name;
    snt_binop_ext op;
    bool is_mean;        /* Sum, then a division by the input count */
} VariadicInfo;

static const VariadicInfo variadic_ops[] = {
    {"Max", SNT_BX_MAX, false},
    {"Mean", SNT_BX_ADD, true},
    {"Min", SNT_BX_MIN, false},
    {"Sum", SNT_BX_ADD, false},
};

static const VariadicInfo *variadic_info(const Node *n, Diag *d)
{
    for (size_t i = 0; i < sizeof variadic_ops / sizeof variadic_ops[0]; i++)
        if (strcmp(n->op_type, variadic_ops[i].name) == 0)
            return &variadic_ops[i];
    node_error(d, n, "not a variadic elementwise op");
    return NULL;
}

static bool variadic_infer(Node *n, Diag *d)
{
    const VariadicInfo *info = variadic_info(n, d);
    if (!info || !check_inputs_present(n, n->n_in, d))
        return false;
    for (int i = 1; i < n->n_in; i++)
        if (!check_same_dtype(n, i, d))
            return false;
    const Tensor *x = n->in[0];
    bool ok = info->is_mean ? dtype_is_float(x->dtype) : chain_takes(x->dtype);
    if (!ok)
        return node_error(d, n, "input 0 ('%s') has unsupported dtype %s", x->name,
                          dtype_label(x->dtype));
    Shape y;
    if (!broadcast_inputs(n, &y, d))
        return false;
    set_output(n, 0, x->dtype, &y);
    return true;
}

static bool variadic_fold(Node *n, Diag *d)
{
    const VariadicInfo *info = variadic_info(n, d);
    if (!info)
        return false;
    Tensor *y = n->out[0];
    int64_t count = tensor_numel(y);
    if (!all_inputs_const(n) || count > FOLD_MAX_ELEMENTS)
        return true;
    if (n->n_in == 1)
        memcpy(alloc_output(n, 0), n->in[0]->data, tensor_bytes(y));
    else
        fold_chain(n, info->op, info->is_mean);
    return true;
}

/* One operation per output element for each input after the first, and
 * Mean's division. */
static OpCost variadic_cost(const Node *n)
{
    int ops = n->n_in - 1 + (n->op == &op_Mean);
    return (OpCost){.flops = sat_mul(tensor_numel(n->out[0]), ops)};
}

static bool variadic_emit(const Node *n, Emitter *e, Diag *d)
{
    const VariadicInfo *info = variadic_info(n, d);
    if (!info)
        return false;
    const Tensor *y = n->out[0];
    long long count = (long long)tensor_numel(y);
    if (n->n_in == 1) {
        emit_line(e, "static const snt_strided c = {1, {%lld}, {1}, {1}};", count);
        emit_line(e, "snt_strided_copy(&c, %zu, %s, %s);", dtype_size(y->dtype),
                  emit_ptr(e, n->in[0]), emit_ptr(e, y));
        return true;
    }
    emit_chain(n, e, info->op, info->is_mean);
    return true;
}

/* Opset 8 brought broadcasting; opset 6's same-shape form is a special
 * case of it.  The output is written before the last input is read, so
 * it must not share an input's bytes (no in_place). */
#define VARIADIC_OP(op_name, dtype_set) \
    {.name = op_name, .since = 6, .until = COMPUTE_OPSET_MAX, \
     .min_in = 1, .max_in = 1 << 16, .min_out = 1, .max_out = 1, \
     .infer = variadic_infer, .fold = variadic_fold, .cost = variadic_cost, \
     .emit = variadic_emit, .scratch_bytes = chain_scratch_bytes, .dtypes = dtype_set}

const OpDesc op_Max = VARIADIC_OP("Max", CHAIN_DTYPES);
const OpDesc op_Mean = VARIADIC_OP("Mean", DT_SET_FLOAT | DT_BIT(DT_BFLOAT16));
const OpDesc op_Min = VARIADIC_OP("Min", CHAIN_DTYPES);
const OpDesc op_Sum = VARIADIC_OP("Sum", CHAIN_DTYPES);
