/*
 * compare_logic.c - elementwise ops of two tensors with numpy broadcasting,
 * on every dtype the ops define: Mod, BitShift, the comparisons Equal,
 * Less, Greater, LessOrEqual, GreaterOrEqual (bool results) and the
 * logic ops And, Or, Xor (bool).
 *
 * One shape rule, fold, cost and emitter serve them all; a table says
 * which runtime operation each runs and which dtypes it takes.  The
 * kernel, snt_binary_ext, takes every dtype but the 16-bit floats, so
 * folding runs it too; float16 and bfloat16 run it on float32 copies
 * (the chains below, which variadic.c's Max, Min, Sum and Mean share).
 */
#include "ir/ops/broadcast_chain.h"
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

#include <stdlib.h>
#include <string.h>

typedef enum { TAKES_NUMERIC, TAKES_NUMERIC_OR_BOOL, TAKES_UNSIGNED, TAKES_BOOL } Takes;

typedef struct {
    const char *name;
    snt_binop_ext op;
    Takes takes;
    bool to_bool;     /* the output is bool, not the inputs' dtype */
} BinaryExtInfo;

static const BinaryExtInfo binary_ext_ops[] = {
    {"And", SNT_BX_AND, TAKES_BOOL, false},
    {"BitShift", SNT_BX_SHL, TAKES_UNSIGNED, false},
    {"Equal", SNT_BX_EQ, TAKES_NUMERIC_OR_BOOL, true},
    {"Greater", SNT_BX_GT, TAKES_NUMERIC, true},
    {"GreaterOrEqual", SNT_BX_GE, TAKES_NUMERIC, true},
    {"Less", SNT_BX_LT, TAKES_NUMERIC, true},
    {"LessOrEqual", SNT_BX_LE, TAKES_NUMERIC, true},
    {"Mod", SNT_BX_MOD, TAKES_NUMERIC, false},
    {"Or", SNT_BX_OR, TAKES_BOOL, false},
    {"Xor", SNT_BX_XOR, TAKES_BOOL, false},
};

/* The enumerators' spellings in generated code, indexed by value. */
static const char *const binop_ext_names[] = {
    "SNT_BX_ADD", "SNT_BX_MAX", "SNT_BX_MIN", "SNT_BX_MOD", "SNT_BX_FMOD", "SNT_BX_SHL",
    "SNT_BX_SHR", "SNT_BX_EQ", "SNT_BX_LT", "SNT_BX_GT", "SNT_BX_LE", "SNT_BX_GE",
    "SNT_BX_AND", "SNT_BX_OR", "SNT_BX_XOR",
};

/* ---- shared with variadic.c ------------------------------------------ */

snt_bcast bcast_of(const Shape *a, const Shape *b, const Shape *y)
{
    snt_bcast p = {.rank = 1, .dims = {1}};
    if (y->rank == 0)
        return p;
    int64_t sa[MAX_RANK], sb[MAX_RANK];
    broadcast_strides(a, y, sa);
    broadcast_strides(b, y, sb);
    p.rank = y->rank;
    for (int i = 0; i < p.rank; i++) {
        p.dims[i] = (size_t)y->dim[i];
        p.a_strides[i] = (ptrdiff_t)sa[i];
        p.b_strides[i] = (ptrdiff_t)sb[i];
    }
    return p;
}

bool broadcast_inputs(const Node *n, Shape *out, Diag *d)
{
    *out = n->in[0]->shape;
    for (int i = 1; i < n->n_in; i++) {
        Shape next;
        char sa[128], sb[128];
        if (!shape_broadcast(out, &n->in[i]->shape, &next))
            return node_error(d, n, "input %d ('%s') of shape %s does not broadcast with %s", i,
                              n->in[i]->name, shape_str(&n->in[i]->shape, sa, sizeof sa),
                              shape_str(out, sb, sizeof sb));
        *out = next;
    }
    return true;
}

/* float16 and bfloat16 have no kernels of their own: they run in float32. */
static bool runs_in_float(DType t)
{
    return t == DT_FLOAT16 || t == DT_BFLOAT16;
}

bool chain_takes(DType t)
{
    return dtype_is_numeric(t) || runs_in_float(t);
}

/* A float32 copy of a constant tensor's values; the caller frees it. */
static float *float_copy(const Tensor *t)
{
    size_t count = (size_t)tensor_numel(t);
    float *f = xmalloc(count * sizeof *f);
    snt_cast(t->dtype, t->data, SNT_DT_FLOAT, f, count);
    return f;
}

void fold_chain(Node *n, snt_binop_ext op, bool mean)
{
    const Tensor *y = n->out[0];
    DType t = n->in[0]->dtype;
    bool staged = runs_in_float(t);
    int kernel = staged ? SNT_DT_FLOAT : (int)t;
    size_t count = (size_t)tensor_numel(y);
    void *out = alloc_output(n, 0);
    /* The float32 running result, rounded into out at the end; a bool
     * result (comparisons) needs no rounding and goes to out directly. */
    void *acc = staged && y->dtype == t ? xmalloc(count * sizeof(float)) : out;
    void *first = staged ? float_copy(n->in[0]) : n->in[0]->data;
    for (int i = 1; i < n->n_in; i++) {
        const Tensor *x = n->in[i];
        void *b = staged ? float_copy(x) : x->data;
        snt_bcast p = bcast_of(i == 1 ? &n->in[0]->shape : &y->shape, &x->shape, &y->shape);
        snt_binary_ext(op, kernel, &p, i == 1 ? first : acc, b, acc);
        if (staged)
            free(b);
    }
    if (mean)
        snt_divide_ext(kernel, acc, count, n->n_in);
    if (staged)
        free(first);
    if (acc != out) {
        snt_cast(SNT_DT_FLOAT, acc, (int)y->dtype, out, count);
        free(acc);
    }
}

/* Where a staged chain keeps its float32 values in scratch, in floats:
 * the running result at 0 when it is rounded into the output afterwards
 * (a bool result is written straight there), then in[0]'s copy, then
 * one region that every later input's copy reuses. */
typedef struct {
    bool staged, round_out;
    size_t first_at, other_at, floats;
} ChainLayout;

static ChainLayout chain_layout(const Node *n)
{
    const Tensor *y = n->out[0];
    DType t = n->in[0]->dtype;
    ChainLayout c = {.staged = runs_in_float(t) && n->n_in > 1};
    if (!c.staged)
        return c;
    c.round_out = y->dtype == t;
    c.first_at = c.round_out ? (size_t)tensor_numel(y) : 0;
    c.other_at = c.first_at + (size_t)tensor_numel(n->in[0]);
    size_t other = 0;
    for (int i = 1; i < n->n_in; i++)
        if ((size_t)tensor_numel(n->in[i]) > other)
            other = (size_t)tensor_numel(n->in[i]);
    c.floats = c.other_at + other;
    return c;
}

size_t chain_scratch_bytes(const Node *n)
{
    return chain_layout(n).floats * sizeof(float);
}

/* Emits the conversion of x into float32 at s + offset floats; returns
 * that pointer expression in buf. */
static const char *emit_float_copy(Emitter *e, const Tensor *x, size_t offset, char *buf,
                                   size_t size)
{
    emit_line(e, "snt_cast(%s, %s, SNT_DT_FLOAT, s + %zu, %lld);", cast_dtype_code(x->dtype),
              emit_ptr(e, x), offset, (long long)tensor_numel(x));
    snprintf(buf, size, "s + %zu", offset);
    return buf;
}

void emit_chain(const Node *n, Emitter *e, snt_binop_ext op, bool mean)
{
    const Tensor *y = n->out[0];
    DType t = n->in[0]->dtype;
    size_t count = (size_t)tensor_numel(y);
    if (count == 0)
        return;
    ChainLayout c = chain_layout(n);
    const char *kernel = cast_dtype_code(c.staged ? DT_FLOAT : t);
    const char *first = emit_ptr(e, n->in[0]), *acc = emit_ptr(e, y);
    char first_buf[48], other_buf[48];
    if (c.staged) {
        emit_line(e, "float *s = %s;", emit_scratch(e, c.floats * sizeof(float)));
        first = emit_float_copy(e, n->in[0], c.first_at, first_buf, sizeof first_buf);
        if (c.round_out)
            acc = "s";
    }
    for (int i = 1; i < n->n_in; i++) {
        const Tensor *x = n->in[i];
        const char *b = c.staged ? emit_float_copy(e, x, c.other_at, other_buf, sizeof other_buf)
                                 : emit_ptr(e, x);
        /* Each step's parameters are p<step>, or p when there is one step. */
        char var[16] = "p";
        if (n->n_in > 2)
            snprintf(var, sizeof var, "p%d", i - 1);
        snt_bcast p = bcast_of(i == 1 ? &n->in[0]->shape : &y->shape, &x->shape, &y->shape);
        emit_params_snt_bcast(e, &p, var);
        emit_line(e, "snt_binary_ext(%s, %s, &%s, %s, %s, %s);", binop_ext_names[op], kernel,
                  var, i == 1 ? first : acc, b, acc);
    }
    if (mean)
        emit_line(e, "snt_divide_ext(%s, %s, %zu, %d);", kernel, acc, count, n->n_in);
    if (c.round_out)
        emit_line(e, "snt_cast(SNT_DT_FLOAT, s, %s, %s, %zu);", cast_dtype_code(t),
                  emit_ptr(e, y), count);
}

/* ---- the ops ------------------------------------------------------- */

static bool takes(Takes rule, DType t)
{
    switch (rule) {
    case TAKES_NUMERIC: return chain_takes(t);
    case TAKES_NUMERIC_OR_BOOL: return chain_takes(t) || t == DT_BOOL;
    case TAKES_UNSIGNED: return t == DT_UINT8 || t == DT_UINT16 || t == DT_UINT32 || t == DT_UINT64;
    case TAKES_BOOL: return t == DT_BOOL;
    }
    return false;
}

static const char *takes_label(Takes rule)
{
    switch (rule) {
    case TAKES_NUMERIC: return "numbers";
    case TAKES_NUMERIC_OR_BOOL: return "numbers or bool";
    case TAKES_UNSIGNED: return "unsigned integers";
    case TAKES_BOOL: return "bool";
    }
    return "?";
}

/* The node's op with its attributes applied: Mod's fmod picks the
 * remainder's sign, BitShift's direction the shift. */
static bool binary_ext_op(const Node *n, const BinaryExtInfo **info, snt_binop_ext *op, Diag *d)
{
    *info = NULL;
    for (size_t i = 0; i < sizeof binary_ext_ops / sizeof binary_ext_ops[0]; i++)
        if (strcmp(n->op_type, binary_ext_ops[i].name) == 0)
            *info = &binary_ext_ops[i];
    if (!*info)
        return node_error(d, n, "not a comparison or logic op");
    *op = (*info)->op;
    if (*op == SNT_BX_MOD) {
        bool fmod = attr_int_or(n, "fmod", 0) != 0;
        if (!fmod && dtype_is_float(n->in[0]->dtype))
            return node_error(d, n, "fmod must be 1 for floating point inputs");
        *op = fmod ? SNT_BX_FMOD : SNT_BX_MOD;
    } else if (*op == SNT_BX_SHL) {
        const char *dir = attr_string_or(n, "direction", "");
        if (strcmp(dir, "RIGHT") != 0 && strcmp(dir, "LEFT") != 0)
            return node_error(d, n, "direction must be LEFT or RIGHT, not '%s'", dir);
        *op = strcmp(dir, "RIGHT") == 0 ? SNT_BX_SHR : SNT_BX_SHL;
    }
    return true;
}

static bool binary_ext_infer(Node *n, Diag *d)
{
    const BinaryExtInfo *info;
    snt_binop_ext op;
    if (!check_inputs_present(n, 2, d) || !binary_ext_op(n, &info, &op, d) ||
        !check_same_dtype(n, 1, d))
        return false;
    const Tensor *a = n->in[0];
    if (!takes(info->takes, a->dtype))
        return node_error(d, n, "input 0 ('%s') is %s; %s takes %s", a->name,
                          dtype_label(a->dtype), info->name, takes_label(info->takes));
    Shape y;
    if (!broadcast_inputs(n, &y, d))
        return false;
    set_output(n, 0, info->to_bool ? DT_BOOL : a->dtype, &y);
    return true;
}

static bool binary_ext_fold(Node *n, Diag *d)
{
    const BinaryExtInfo *info;
    snt_binop_ext op;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!binary_ext_op(n, &info, &op, d))
        return false;
    fold_chain(n, op, false);
    return true;
}

/* One operation per output element. */
static OpCost binary_ext_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

static bool binary_ext_emit(const Node *n, Emitter *e, Diag *d)
{
    const BinaryExtInfo *info;
    snt_binop_ext op;
    if (!binary_ext_op(n, &info, &op, d))
        return false;
    emit_chain(n, e, op, false);
    return true;
}

/* since_opset: the opset that introduced numpy broadcasting (or the op
 * itself).  The dtype sets repeat the Takes rules of the table. */
#define BINARY_EXT_OP(op_name, since_opset, dtype_set) \
    {.name = op_name, .since = since_opset, .until = COMPUTE_OPSET_MAX, \
     .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1, \
     .infer = binary_ext_infer, .fold = binary_ext_fold, .cost = binary_ext_cost, \
     .emit = binary_ext_emit, .scratch_bytes = chain_scratch_bytes, .in_place = true, \
     .dtypes = dtype_set}

const OpDesc op_And = BINARY_EXT_OP("And", 7, DT_BIT(DT_BOOL));
const OpDesc op_BitShift = BINARY_EXT_OP("BitShift", 11, DT_SET_UINT);
const OpDesc op_Equal = BINARY_EXT_OP("Equal", 7, CHAIN_DTYPES | DT_BIT(DT_BOOL));
const OpDesc op_Greater = BINARY_EXT_OP("Greater", 7, CHAIN_DTYPES);
const OpDesc op_GreaterOrEqual = BINARY_EXT_OP("GreaterOrEqual", 12, CHAIN_DTYPES);
const OpDesc op_Less = BINARY_EXT_OP("Less", 7, CHAIN_DTYPES);
const OpDesc op_LessOrEqual = BINARY_EXT_OP("LessOrEqual", 12, CHAIN_DTYPES);
const OpDesc op_Mod = BINARY_EXT_OP("Mod", 10, CHAIN_DTYPES);
const OpDesc op_Or = BINARY_EXT_OP("Or", 7, DT_BIT(DT_BOOL));
const OpDesc op_Xor = BINARY_EXT_OP("Xor", 7, DT_BIT(DT_BOOL));
