/*
 * binary_ext.c - elementwise ops of two tensors with numpy broadcasting,
 * on every dtype the ops define: Mod, BitShift, the comparisons Equal,
 * Less, Greater, LessOrEqual, GreaterOrEqual (bool results) and the
 * logic ops And, Or, Xor (bool).
 *
 * One shape rule, fold, cost and emitter serve them all; a table says
 * which runtime operation each runs and which dtypes it takes.  The
 * kernel, snt_binary_ext, takes every dtype, so folding runs it too.
 */
#include "ir/ops/elementwise_ext.h"
#include "ir/ops/index_util.h"

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

/* ---- the ops ------------------------------------------------------- */

static bool takes(Takes rule, DType t)
{
    switch (rule) {
    case TAKES_NUMERIC: return dtype_is_numeric(t);
    case TAKES_NUMERIC_OR_BOOL: return dtype_is_numeric(t) || t == DT_BOOL;
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
    const Tensor *a = n->in[0], *b = n->in[1];
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!binary_ext_op(n, &info, &op, d))
        return false;
    snt_bcast p = bcast_of(&a->shape, &b->shape, &n->out[0]->shape);
    snt_binary_ext(op, (int)a->dtype, &p, a->data, b->data, alloc_output(n, 0));
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
    const Tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    snt_bcast p = bcast_of(&a->shape, &b->shape, &y->shape);
    emit_bcast_params(e, &p, "p");
    emit_line(e, "snt_binary_ext(%s, %s, &p, %s, %s, %s);", binop_ext_names[op],
              snt_dtype_code(a->dtype), emit_ptr(e, a), emit_ptr(e, b), emit_ptr(e, y));
    return true;
}

/* The opset that introduced numpy broadcasting (or the op itself). */
#define BINARY_EXT_OP(op_name, since_opset) \
    {.name = op_name, .since = since_opset, .until = COMPUTE_OPSET_MAX, \
     .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1, \
     .infer = binary_ext_infer, .fold = binary_ext_fold, .cost = binary_ext_cost, \
     .emit = binary_ext_emit, .in_place = true}

const OpDesc op_And = BINARY_EXT_OP("And", 7);
const OpDesc op_BitShift = BINARY_EXT_OP("BitShift", 11);
const OpDesc op_Equal = BINARY_EXT_OP("Equal", 7);
const OpDesc op_Greater = BINARY_EXT_OP("Greater", 7);
const OpDesc op_GreaterOrEqual = BINARY_EXT_OP("GreaterOrEqual", 12);
const OpDesc op_Less = BINARY_EXT_OP("Less", 7);
const OpDesc op_LessOrEqual = BINARY_EXT_OP("LessOrEqual", 12);
const OpDesc op_Mod = BINARY_EXT_OP("Mod", 10);
const OpDesc op_Or = BINARY_EXT_OP("Or", 7);
const OpDesc op_Xor = BINARY_EXT_OP("Xor", 7);
