/*
 * binary.c - elementwise arithmetic of two tensors with numpy
 * broadcasting: Add, Sub, Mul, Div, Pow.
 *
 * These ops sit in PyTorch's shape chains (int64 Add/Sub/Mul/Div of
 * Shape results), so they fold for every numeric dtype with ONNX's
 * semantics: integers wrap like C's fixed-width types, integer Div
 * truncates toward zero, and Pow's exponent may have a dtype of its own
 * (opset 12+).  At run time float32 and float64 run in their own type
 * (snt_binary_f32, snt_binary_f64) and the integers in int64
 * (snt_binary_i64) on staged copies, which is exact: int64 arithmetic
 * wraps, and the narrowing cast back keeps the low bits.
 */
#include "ir/ops/broadcast_chain.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

#include <math.h>
#include <string.h>

typedef struct {
    const char *name;
    snt_binop op;
    const char *c_op;   /* the enumerator's spelling in generated code */
} BinaryInfo;

static const BinaryInfo binary_ops[] = {
    {"Add", SNT_BIN_ADD, "SNT_BIN_ADD"},
    {"Sub", SNT_BIN_SUB, "SNT_BIN_SUB"},
    {"Mul", SNT_BIN_MUL, "SNT_BIN_MUL"},
    {"Div", SNT_BIN_DIV, "SNT_BIN_DIV"},
    {"Pow", SNT_BIN_POW, "SNT_BIN_POW"},
};

static const BinaryInfo *binary_info(const Node *n, Diag *d)
{
    for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
        if (strcmp(n->op_type, binary_ops[i].name) == 0)
            return &binary_ops[i];
    node_error(d, n, "not an elementwise binary op");
    return NULL;
}

static bool binary_infer(Node *n, Diag *d)
{
    const BinaryInfo *info = binary_info(n, d);
    if (!info || !check_inputs_present(n, 2, d))
        return false;
    const Tensor *a = n->in[0], *b = n->in[1];
    if (!dtype_is_numeric(a->dtype))
        return node_error(d, n, "input 0 ('%s') has unsupported dtype %s", a->name,
                          dtype_label(a->dtype));
    if (info->op == SNT_BIN_POW && n->opset >= 12) {
        if (!dtype_is_numeric(b->dtype))
            return node_error(d, n, "exponent ('%s') has unsupported dtype %s", b->name,
                              dtype_label(b->dtype));
    } else if (!check_same_dtype(n, 1, d)) {
        return false;
    }
    Shape y;
    char sa[128], sb[128];
    if (!shape_broadcast(&a->shape, &b->shape, &y))
        return node_error(d, n, "shapes %s and %s do not broadcast",
                          shape_str(&a->shape, sa, sizeof sa), shape_str(&b->shape, sb, sizeof sb));
    set_output(n, 0, a->dtype, &y);
    return true;
}

/* ---- folding ------------------------------------------------------- */

static double binop_f64(snt_binop op, double a, double b)
{
    switch (op) {
    case SNT_BIN_ADD: return a + b;
    case SNT_BIN_SUB: return a - b;
    case SNT_BIN_MUL: return a * b;
    case SNT_BIN_DIV: return a / b;
    case SNT_BIN_POW: return pow(a, b);
    default: return a; /* Max and Min are not ops of this file */
    }
}

/* a to the power b by repeated squaring, wrapping like the C types.  A
 * negative exponent means 1 / a^-b truncated: 0 unless |a| is 1.
 * False for 0 to a negative power (a division by zero). */
static bool int_pow(int64_t a, int64_t b, int64_t *r)
{
    if (b < 0) {
        if (a == 0)
            return false;
        *r = a == 1 ? 1 : a == -1 ? (b % 2 ? -1 : 1) : 0;
        return true;
    }
    uint64_t base = (uint64_t)a, acc = 1;
    for (uint64_t e = (uint64_t)b; e; e >>= 1) {
        if (e & 1)
            acc *= base;
        base *= base;
    }
    *r = (int64_t)acc;
    return true;
}

/* Integer arithmetic on int64 bit patterns: sums and products wrap (run
 * on uint64_t, where C defines wrapping); only division and powers care
 * about the sign.  False on a division by zero. */
static bool binop_int(snt_binop op, bool is_unsigned, int64_t a, int64_t b, int64_t *r)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (op) {
    case SNT_BIN_ADD: *r = (int64_t)(ua + ub); return true;
    case SNT_BIN_SUB: *r = (int64_t)(ua - ub); return true;
    case SNT_BIN_MUL: *r = (int64_t)(ua * ub); return true;
    case SNT_BIN_DIV:
        if (b == 0)
            return false;
        if (is_unsigned)
            *r = (int64_t)(ua / ub);
        else if (b == -1)
            *r = (int64_t)(0 - ua); /* INT64_MIN / -1 wraps instead of trapping */
        else
            *r = a / b;             /* C truncates toward zero, as ONNX does */
        return true;
    case SNT_BIN_POW: return int_pow(a, b, r);
    default: *r = a; return true;
    }
}

/* y[iy] = a[ia] op b[ib] in the arithmetic of a's dtype; an integer
 * base with a float exponent computes in double and converts back. */
static bool binary_element(snt_binop op, const Tensor *a, int64_t ia, const Tensor *b, int64_t ib,
                           Tensor *y, int64_t iy)
{
    DType t = a->dtype;
    if (!dtype_is_int(t) || !dtype_is_int(b->dtype)) {
        double r = binop_f64(op, dtype_get_f64(t, a->data, (size_t)ia),
                             dtype_get_f64(b->dtype, b->data, (size_t)ib));
        dtype_set_f64(t, y->data, (size_t)iy, r);
        return true;
    }
    int64_t r;
    if (!binop_int(op, dtype_is_unsigned(t), dtype_get_i64(t, a->data, (size_t)ia),
                   dtype_get_i64(b->dtype, b->data, (size_t)ib), &r))
        return false;
    dtype_set_i64(t, y->data, (size_t)iy, r);
    return true;
}

static bool binary_fold(Node *n, Diag *d)
{
    const BinaryInfo *info = binary_info(n, d);
    if (!info)
        return false;
    Tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    int64_t total = tensor_numel(y);
    if (!all_inputs_const(n) || total < 0 || total > FOLD_MAX_ELEMENTS)
        return true;
    alloc_output(n, 0);

    /* Walk y densely with an odometer that moves a's and b's offsets by
     * their broadcast strides. */
    const Shape *s = &y->shape;
    int64_t sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK] = {0}, ia = 0, ib = 0;
    broadcast_strides(&a->shape, s, sa);
    broadcast_strides(&b->shape, s, sb);
    for (int64_t i = 0; i < total; i++) {
        if (!binary_element(info->op, a, ia, b, ib, y, i))
            return node_error(d, n, "integer division by zero in constant folding");
        for (int k = s->rank - 1; k >= 0; k--) {
            ia += sa[k];
            ib += sb[k];
            if (++idx[k] < s->dim[k])
                break;
            ia -= sa[k] * s->dim[k];
            ib -= sb[k] * s->dim[k];
            idx[k] = 0;
        }
    }
    return true;
}

/* One operation per output element. */
static OpCost binary_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

/* ---- code ---------------------------------------------------------- */

/* The dtype the run-time kernel computes in: a float operand's type
 * (Pow may mix a float with an integer); double for an integer base with
 * a float exponent, the promotion numpy's reference makes; int64 for
 * integers.  DT_UNDEFINED when none fits exactly (int64 division is
 * signed, wrong for big uint64). */
static DType binary_kernel_dtype(const BinaryInfo *info, const Tensor *a, const Tensor *b)
{
    if (a->dtype == DT_DOUBLE || b->dtype == DT_DOUBLE)
        return DT_DOUBLE;
    if (a->dtype == DT_FLOAT)
        return DT_FLOAT;
    if (b->dtype == DT_FLOAT)
        return DT_DOUBLE;
    if (a->dtype == DT_UINT64 && info->op == SNT_BIN_DIV)
        return DT_UNDEFINED;
    return DT_INT64;
}

static const char *binary_kernel_name(DType kernel)
{
    switch (kernel) {
    case DT_FLOAT: return "snt_binary_f32";
    case DT_DOUBLE: return "snt_binary_f64";
    default: return "snt_binary_i64";
    }
}

static bool binary_emit(const Node *n, Emitter *e, Diag *d)
{
    const BinaryInfo *info = binary_info(n, d);
    if (!info)
        return false;
    const Tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    DType kernel = binary_kernel_dtype(info, a, b);
    if (kernel == DT_UNDEFINED)
        return node_error(d, n, "%s of %s and %s is not supported at run time", info->name,
                          dtype_label(a->dtype), dtype_label(b->dtype));
    snt_bcast bc = bcast_of(&a->shape, &b->shape, &y->shape);
    emit_params_snt_bcast(e, &bc, "p");
    /* Other dtypes than the kernel's run on staged copies (uint8 Add in
     * int64, an int32 exponent of a float32 Pow in float32...). */
    Staging st;
    const Tensor *operands[3] = {a, b, y};
    staging_begin(&st, e, kernel, operands, 3);
    const char *pa = staging_input(&st, a), *pb = staging_input(&st, b);
    const char *py = staging_output(&st, y);
    emit_line(e, "%s%s%s, &p, %s, %s, %s);", binary_kernel_name(kernel),
              kernel == DT_FLOAT ? emit_call_open(e) : "(", info->c_op, pa, pb, py);
    staging_end(&st);
    return true;
}

/* The staged copies binary_emit asks for. */
static size_t binary_scratch_bytes(const Node *n)
{
    const BinaryInfo *info = binary_info(n, NULL);
    if (!info)
        return 0;
    DType kernel = binary_kernel_dtype(info, n->in[0], n->in[1]);
    const Tensor *operands[3] = {n->in[0], n->in[1], n->out[0]};
    return kernel == DT_UNDEFINED ? 0 : staging_bytes(kernel, operands, 3);
}

/* Opset 7 introduced numpy broadcasting; older forms had `broadcast`. */
#define BINARY_OP(op_name, dtype_set, refuses) \
    {.name = op_name, .since = 7, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .restriction = refuses, .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1, \
     .infer = binary_infer, .fold = binary_fold, .cost = binary_cost, .emit = binary_emit, \
     .scratch_bytes = binary_scratch_bytes, .in_place = true}

const OpDesc op_Add = BINARY_OP("Add", DT_SET_REAL, NULL);
const OpDesc op_Sub = BINARY_OP("Sub", DT_SET_REAL, NULL);
const OpDesc op_Mul = BINARY_OP("Mul", DT_SET_REAL, NULL);
const OpDesc op_Div = BINARY_OP("Div", DT_SET_REAL & ~DT_BIT(DT_UINT64),
                                "uint64 only when folded at compile time");
const OpDesc op_Pow = BINARY_OP("Pow", DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_BIT(DT_INT32) |
                                           DT_BIT(DT_INT64), NULL);
