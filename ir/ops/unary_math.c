/*
 * unary_math.c - more elementwise ops of one tensor: Tan, Asin, Acos,
 * Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Round, Sign, Not, IsNaN, IsInf.
 *
 * A table gives each op its runtime operation and the dtypes it takes;
 * one shape rule, fold, cost and emitter serve them all.  The kernel
 * (snt_unary_ext, snt_isinf) takes every dtype the ops do, so folding
 * runs the very code the generated program runs.
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"
#include "sinter_rt.h"

#include <string.h>

typedef enum { TAKES_FLOAT, TAKES_NUMERIC, TAKES_BOOL } Takes;

typedef struct {
    const char *name;
    snt_unop_ext op;        /* ignored for IsInf, which has a kernel of its own */
    const char *c_op;       /* the enumerator's spelling in generated code */
    Takes takes;
    bool to_bool;           /* the output is bool, not the input's dtype */
} MathInfo;

static const MathInfo math_ops[] = {
    {"Acos", SNT_UX_ACOS, "SNT_UX_ACOS", TAKES_FLOAT, false},
    {"Acosh", SNT_UX_ACOSH, "SNT_UX_ACOSH", TAKES_FLOAT, false},
    {"Asin", SNT_UX_ASIN, "SNT_UX_ASIN", TAKES_FLOAT, false},
    {"Asinh", SNT_UX_ASINH, "SNT_UX_ASINH", TAKES_FLOAT, false},
    {"Atan", SNT_UX_ATAN, "SNT_UX_ATAN", TAKES_FLOAT, false},
    {"Atanh", SNT_UX_ATANH, "SNT_UX_ATANH", TAKES_FLOAT, false},
    {"Cosh", SNT_UX_COSH, "SNT_UX_COSH", TAKES_FLOAT, false},
    {"IsInf", SNT_UX_ISNAN, NULL, TAKES_FLOAT, true},
    {"IsNaN", SNT_UX_ISNAN, "SNT_UX_ISNAN", TAKES_FLOAT, true},
    {"Not", SNT_UX_NOT, "SNT_UX_NOT", TAKES_BOOL, false},
    {"Round", SNT_UX_ROUND, "SNT_UX_ROUND", TAKES_FLOAT, false},
    {"Sign", SNT_UX_SIGN, "SNT_UX_SIGN", TAKES_NUMERIC, false},
    {"Sinh", SNT_UX_SINH, "SNT_UX_SINH", TAKES_FLOAT, false},
    {"Tan", SNT_UX_TAN, "SNT_UX_TAN", TAKES_FLOAT, false},
};

static const MathInfo *math_info(const Node *n, Diag *d)
{
    for (size_t i = 0; i < sizeof math_ops / sizeof math_ops[0]; i++)
        if (strcmp(n->op_type, math_ops[i].name) == 0)
            return &math_ops[i];
    node_error(d, n, "not an elementwise math op");
    return NULL;
}

static bool math_takes(Takes takes, DType t)
{
    switch (takes) {
    case TAKES_FLOAT: return t == DT_FLOAT || t == DT_DOUBLE;
    case TAKES_NUMERIC: return dtype_is_numeric(t);
    case TAKES_BOOL: return t == DT_BOOL;
    }
    return false;
}

static const char *takes_label(Takes takes)
{
    switch (takes) {
    case TAKES_FLOAT: return "float32 or float64";
    case TAKES_NUMERIC: return "a number";
    case TAKES_BOOL: return "bool";
    }
    return "?";
}

static bool math_infer(Node *n, Diag *d)
{
    const MathInfo *info = math_info(n, d);
    if (!info || !check_inputs_present(n, 1, d))
        return false;
    const Tensor *x = n->in[0];
    if (!math_takes(info->takes, x->dtype))
        return node_error(d, n, "input 0 ('%s') is %s; %s takes %s", x->name,
                          dtype_label(x->dtype), info->name, takes_label(info->takes));
    set_output(n, 0, info->to_bool ? DT_BOOL : x->dtype, &x->shape);
    return true;
}

/* IsInf's detect_positive and detect_negative, both on by default. */
static void isinf_flags(const Node *n, int *pos, int *neg)
{
    *pos = attr_int_or(n, "detect_positive", 1) != 0;
    *neg = attr_int_or(n, "detect_negative", 1) != 0;
}

static bool math_fold(Node *n, Diag *d)
{
    const MathInfo *info = math_info(n, d);
    const Tensor *x = n->in[0];
    if (!info)
        return false;
    if (!all_inputs_const(n) || tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    void *y = alloc_output(n, 0);
    size_t count = (size_t)tensor_numel(x);
    if (!info->c_op) {
        int pos, neg;
        isinf_flags(n, &pos, &neg);
        snt_isinf((int)x->dtype, pos, neg, x->data, y, count);
    } else {
        snt_unary_ext(info->op, (int)x->dtype, x->data, y, count);
    }
    return true;
}

/* One operation per output element. */
static OpCost math_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

static bool math_emit(const Node *n, Emitter *e, Diag *d)
{
    const MathInfo *info = math_info(n, d);
    if (!info)
        return false;
    const Tensor *x = n->in[0], *y = n->out[0];
    const char *dt = snt_dtype_code(x->dtype);
    long long count = (long long)tensor_numel(x);
    if (!info->c_op) {
        int pos, neg;
        isinf_flags(n, &pos, &neg);
        emit_line(e, "snt_isinf(%s, %d, %d, %s, %s, %lld);", dt, pos, neg, emit_ptr(e, x),
                  emit_ptr(e, y), count);
    } else {
        emit_line(e, "snt_unary_ext(%s, %s, %s, %s, %lld);", info->c_op, dt, emit_ptr(e, x),
                  emit_ptr(e, y), count);
    }
    return true;
}

#define MATH_OP(op_name, since_opset, dtype_set) \
    {.name = op_name, .since = since_opset, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1, \
     .infer = math_infer, .fold = math_fold, .cost = math_cost, .emit = math_emit, \
     .in_place = true}

const OpDesc op_Acos = MATH_OP("Acos", 7, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Acosh = MATH_OP("Acosh", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Asin = MATH_OP("Asin", 7, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Asinh = MATH_OP("Asinh", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Atan = MATH_OP("Atan", 7, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Atanh = MATH_OP("Atanh", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Cosh = MATH_OP("Cosh", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_IsInf = MATH_OP("IsInf", 10, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_IsNaN = MATH_OP("IsNaN", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Not = MATH_OP("Not", 1, DT_BIT(DT_BOOL));
const OpDesc op_Round = MATH_OP("Round", 11, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Sign = MATH_OP("Sign", 9, DT_SET_REAL);
const OpDesc op_Sinh = MATH_OP("Sinh", 9, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
const OpDesc op_Tan = MATH_OP("Tan", 7, DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE));
