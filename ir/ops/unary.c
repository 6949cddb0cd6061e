/*
 * unary.c - elementwise ops of one tensor: Relu, Clip, LeakyRelu,
 * Sigmoid, Tanh, Erf, Sqrt, Abs, Neg, Exp, Log, Reciprocal, Floor, Ceil,
 * Sin, Cos.
 *
 * All share one shape rule (output = input), one fold and one emitter;
 * a table says how each op computes and which kernel runs it: the
 * activations go through snt_act_f32 / snt_act_f64 (the code the fused
 * conv epilogues use), the rest through snt_unary_f32 / snt_unary_f64.
 * Abs, Neg, Relu and Clip also run on the integer types, exactly, in
 * their own C type (snt_unary_int, snt_clip_int).  Clip's bounds are
 * attributes before opset 11 and optional scalar inputs from 11; a bound
 * computed at run time makes Clip a max and a min of broadcast kernels.
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef enum {
    U_ABS, U_CEIL, U_CLIP, U_COS, U_ERF, U_EXP, U_FLOOR, U_LEAKY_RELU, U_LOG, U_NEG,
    U_RECIPROCAL, U_RELU, U_SIGMOID, U_SIN, U_SQRT, U_TANH
} UnaryKind;

typedef struct {
    const char *name;
    UnaryKind kind;
    bool ints_ok;         /* defined on integer tensors too, run in their type */
    snt_act_kind act;     /* runs as this activation (spelt act_c), or if NONE ... */
    const char *act_c;
    const char *unop;     /* ... as this snt_unop */
} UnaryInfo;

static const UnaryInfo unary_ops[] = {
    {"Abs", U_ABS, true, SNT_ACT_NONE, NULL, "SNT_UN_ABS"},
    {"Ceil", U_CEIL, false, SNT_ACT_NONE, NULL, "SNT_UN_CEIL"},
    {"Clip", U_CLIP, true, SNT_ACT_CLIP, "SNT_ACT_CLIP", NULL},
    {"Cos", U_COS, false, SNT_ACT_NONE, NULL, "SNT_UN_COS"},
    {"Erf", U_ERF, false, SNT_ACT_NONE, NULL, "SNT_UN_ERF"},
    {"Exp", U_EXP, false, SNT_ACT_NONE, NULL, "SNT_UN_EXP"},
    {"Floor", U_FLOOR, false, SNT_ACT_NONE, NULL, "SNT_UN_FLOOR"},
    {"LeakyRelu", U_LEAKY_RELU, false, SNT_ACT_LEAKY_RELU, "SNT_ACT_LEAKY_RELU", NULL},
    {"Log", U_LOG, false, SNT_ACT_NONE, NULL, "SNT_UN_LOG"},
    {"Neg", U_NEG, true, SNT_ACT_NONE, NULL, "SNT_UN_NEG"},
    {"Reciprocal", U_RECIPROCAL, false, SNT_ACT_NONE, NULL, "SNT_UN_RECIPROCAL"},
    {"Relu", U_RELU, true, SNT_ACT_RELU, "SNT_ACT_RELU", NULL},
    {"Sigmoid", U_SIGMOID, false, SNT_ACT_SIGMOID, "SNT_ACT_SIGMOID", NULL},
    {"Sin", U_SIN, false, SNT_ACT_NONE, NULL, "SNT_UN_SIN"},
    {"Sqrt", U_SQRT, false, SNT_ACT_NONE, NULL, "SNT_UN_SQRT"},
    {"Tanh", U_TANH, false, SNT_ACT_TANH, "SNT_ACT_TANH", NULL},
};

/* Everything one node's elements are computed with. */
typedef struct {
    const UnaryInfo *info;
    double alpha;             /* LeakyRelu */
    bool has_lo, has_hi;      /* Clip bounds; an absent bound does not clip */
    double lo, hi;
    int64_t ilo, ihi;         /* the same bounds for integer tensors */
    bool runtime_bounds;      /* a bound is known only at run time */
} UnaryEval;

/* Reads Clip's min/max input k (opset 11+): a scalar, whose value is
 * known unless it is computed at run time. */
static bool clip_bound_input(const Node *n, int k, UnaryEval *u, bool *has, double *v,
                             int64_t *iv, Diag *d)
{
    const Tensor *t = k < n->n_in ? n->in[k] : NULL;
    if (!t)
        return true;
    if (tensor_numel(t) != 1)
        return node_error(d, n, "input %d ('%s') must be a scalar", k, t->name);
    if (!check_same_dtype(n, k, d))
        return false;
    *has = true;
    if (!t->data) {
        u->runtime_bounds = true;
        return true;
    }
    *v = dtype_get_f64(t->dtype, t->data, 0);
    *iv = dtype_get_i64(t->dtype, t->data, 0);
    return true;
}

/* Clip's bounds: attributes defaulting to the float range before opset
 * 11 (so Clip-6 clips infinities), optional inputs from opset 11. */
static bool clip_bounds(const Node *n, UnaryEval *u, Diag *d)
{
    if (n->opset < 11) {
        u->has_lo = u->has_hi = true;
        u->lo = attr_float_or(n, "min", -FLT_MAX);
        u->hi = attr_float_or(n, "max", FLT_MAX);
        return true;
    }
    return clip_bound_input(n, 1, u, &u->has_lo, &u->lo, &u->ilo, d) &&
           clip_bound_input(n, 2, u, &u->has_hi, &u->hi, &u->ihi, d);
}

static bool unary_eval_init(const Node *n, UnaryEval *u, Diag *d)
{
    *u = (UnaryEval){0};
    for (size_t i = 0; i < sizeof unary_ops / sizeof unary_ops[0]; i++)
        if (strcmp(n->op_type, unary_ops[i].name) == 0)
            u->info = &unary_ops[i];
    if (!u->info)
        return node_error(d, n, "not an elementwise unary op");
    u->alpha = attr_float_or(n, "alpha", 0.01);
    return u->info->kind != U_CLIP || clip_bounds(n, u, d);
}

static double unary_f64(const UnaryEval *u, double x)
{
    switch (u->info->kind) {
    case U_ABS: return fabs(x);
    case U_CEIL: return ceil(x);
    case U_CLIP:
        /* min(max(x, lo), hi): all values become hi when lo > hi. */
        if (u->has_lo && x < u->lo)
            x = u->lo;
        return u->has_hi && x > u->hi ? u->hi : x;
    case U_COS: return cos(x);
    case U_ERF: return erf(x);
    case U_EXP: return exp(x);
    case U_FLOOR: return floor(x);
    case U_LEAKY_RELU: return x < 0 ? u->alpha * x : x;
    case U_LOG: return log(x);
    case U_NEG: return -x;
    case U_RECIPROCAL: return 1 / x;
    case U_RELU: return x < 0 ? 0 : x;  /* keeps NaN, as max(0, x) does in numpy */
    case U_SIGMOID: return 1 / (1 + exp(-x));
    case U_SIN: return sin(x);
    case U_SQRT: return sqrt(x);
    case U_TANH: return tanh(x);
    }
    return x;
}

static bool int_less(bool is_unsigned, int64_t a, int64_t b)
{
    return is_unsigned ? (uint64_t)a < (uint64_t)b : a < b;
}

/* Integer ops wrap like two's complement (-INT64_MIN == INT64_MIN); the
 * arithmetic runs on uint64_t where C would overflow. */
static int64_t unary_i64(const UnaryEval *u, int64_t x, bool is_unsigned)
{
    switch (u->info->kind) {
    case U_ABS: return is_unsigned || x >= 0 ? x : (int64_t)(0 - (uint64_t)x);
    case U_NEG: return (int64_t)(0 - (uint64_t)x);
    case U_RELU: return is_unsigned || x >= 0 ? x : 0;
    case U_CLIP:
        if (u->has_lo && int_less(is_unsigned, x, u->ilo))
            x = u->ilo;
        return u->has_hi && int_less(is_unsigned, u->ihi, x) ? u->ihi : x;
    default: return x; /* the float-only ops never reach here (infer) */
    }
}

static bool unary_infer(Node *n, Diag *d)
{
    UnaryEval u;
    if (!check_inputs_present(n, 1, d) || !unary_eval_init(n, &u, d))
        return false;
    const Tensor *x = n->in[0];
    if (!dtype_is_numeric(x->dtype))
        return node_error(d, n, "input 0 ('%s') has unsupported dtype %s", x->name,
                          dtype_label(x->dtype));
    if (!u.info->ints_ok && !check_float_input(n, 0, d))
        return false;
    /* Clip takes integers from opset 12; before 11 its bounds are float
     * attributes, with no integer value to clip to. */
    if (u.info->kind == U_CLIP && n->opset < 12 && dtype_is_int(x->dtype))
        return node_error(d, n, "integer input 0 ('%s') needs opset 12", x->name);
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

static bool unary_fold(Node *n, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!all_inputs_const(n) || tensor_numel(x) > FOLD_MAX_ELEMENTS)
        return true;
    UnaryEval u;
    if (!unary_eval_init(n, &u, d))
        return false;
    DType t = x->dtype;
    bool is_unsigned = dtype_is_unsigned(t);
    void *y = alloc_output(n, 0);
    for (size_t i = 0; i < (size_t)tensor_numel(x); i++) {
        if (dtype_is_int(t))
            dtype_set_i64(t, y, i, unary_i64(&u, dtype_get_i64(t, x->data, i), is_unsigned));
        else
            dtype_set_f64(t, y, i, unary_f64(&u, dtype_get_f64(t, x->data, i)));
    }
    return true;
}

/* One operation per output element. */
static OpCost unary_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

/* Clip with a bound known only at run time: y = min(max(x, lo), hi) by
 * broadcasting max and min kernels that read the bound with stride 0;
 * they take every numeric dtype in its own C type. */
static void clip_emit_runtime(const Node *n, Emitter *e)
{
    const Tensor *x = n->in[0], *lo = n->in[1], *hi = n->n_in > 2 ? n->in[2] : NULL;
    const Tensor *y = n->out[0];
    snt_bcast bc = {.rank = 1, .dims = {(size_t)tensor_numel(y)}, .a_strides = {1}};
    emit_params_snt_bcast(e, &bc, "p");
    const char *dt = snt_dtype_code(x->dtype), *src = emit_ptr(e, x), *py = emit_ptr(e, y);
    if (lo) {
        emit_line(e, "snt_binary_ext(SNT_BX_MAX, %s, &p, %s, %s, %s);", dt, src,
                  emit_ptr(e, lo), py);
        src = py;
    }
    if (hi)
        emit_line(e, "snt_binary_ext(SNT_BX_MIN, %s, &p, %s, %s, %s);", dt, src,
                  emit_ptr(e, hi), py);
}

/* The activation parameters of a node: LeakyRelu's slope, or Clip's
 * bounds, infinite when absent. */
static void unary_act_params(const UnaryEval *u, double *alpha, double *beta)
{
    *alpha = *beta = 0;
    if (u->info->kind == U_LEAKY_RELU)
        *alpha = u->alpha;
    if (u->info->kind == U_CLIP) {
        *alpha = u->has_lo ? u->lo : -INFINITY;
        *beta = u->has_hi ? u->hi : INFINITY;
    }
}

static void emit_float32(const Node *n, Emitter *e, const UnaryEval *u)
{
    const char *px = emit_ptr(e, n->in[0]), *py = emit_ptr(e, n->out[0]);
    long long count = (long long)tensor_numel(n->out[0]);
    if (u->info->unop) {
        emit_line(e, "snt_unary_f32%s%s, %s, %s, %lld);", emit_call_open(e), u->info->unop, px, py,
                  count);
        return;
    }
    double alpha, beta;
    unary_act_params(u, &alpha, &beta);
    snt_act act = {.kind = u->info->act, .alpha = (float)alpha, .beta = (float)beta};
    emit_params_snt_act(e, &act, "p");
    emit_line(e, "snt_act_f32%s&p, %s, %s, %lld);", emit_call_open(e), px, py, count);
}

/* A C99 double literal of v; infinities as constant expressions, which
 * need no <math.h> in the generated file. */
static const char *double_literal(double v, char *buf, size_t size)
{
    if (isinf(v))
        snprintf(buf, size, "%s", v > 0 ? "(1.0 / 0.0)" : "(-1.0 / 0.0)");
    else if (isnan(v))
        snprintf(buf, size, "(0.0 / 0.0)");
    else
        snprintf(buf, size, "%.17g", v);
    return buf;
}

static void emit_float64(const Node *n, Emitter *e, const UnaryEval *u)
{
    const char *px = emit_ptr(e, n->in[0]), *py = emit_ptr(e, n->out[0]);
    long long count = (long long)tensor_numel(n->out[0]);
    if (u->info->unop) {
        emit_line(e, "snt_unary_f64(%s, %s, %s, %lld);", u->info->unop, px, py, count);
        return;
    }
    double alpha, beta;
    char a[40], b[40];
    unary_act_params(u, &alpha, &beta);
    emit_line(e, "snt_act_f64(%s, %s, %s, %s, %s, %lld);", u->info->act_c,
              double_literal(alpha, a, sizeof a), double_literal(beta, b, sizeof b), px, py,
              count);
}

/* The range of integer dtype t, as snt_clip_int takes bounds: the top
 * of uint64 is its bit pattern, -1. */
static void int_range(DType t, int64_t *lo, int64_t *hi)
{
    int bits = 8 * (int)dtype_size(t);
    if (dtype_is_unsigned(t)) {
        *lo = 0;
        *hi = bits == 64 ? -1 : (int64_t)(((uint64_t)1 << bits) - 1);
    } else {
        *hi = (int64_t)(((uint64_t)1 << (bits - 1)) - 1);
        *lo = -*hi - 1;
    }
}

/* A C99 literal of v: the smallest int64 has none, being the negation
 * of a constant too large for its type. */
static const char *int64_literal(int64_t v, char *buf, size_t size)
{
    if (v == INT64_MIN)
        snprintf(buf, size, "INT64_MIN");
    else
        snprintf(buf, size, "%" PRId64, v);
    return buf;
}

/* Integers run in their own type: Abs and Neg wrap, Relu is a Clip to
 * [0, top] and a missing Clip bound is the end of the dtype's range. */
static void emit_integer(const Node *n, Emitter *e, const UnaryEval *u)
{
    const Tensor *x = n->in[0];
    const char *dt = snt_dtype_code(x->dtype), *px = emit_ptr(e, x);
    const char *py = emit_ptr(e, n->out[0]);
    long long count = (long long)tensor_numel(x);
    if (u->info->unop) {
        emit_line(e, "snt_unary_int(%s, %s, %s, %s, %lld);", u->info->unop, dt, px, py, count);
        return;
    }
    int64_t lo, hi;
    char a[40], b[40];
    int_range(x->dtype, &lo, &hi);
    if (u->info->kind == U_RELU)
        lo = 0;
    if (u->has_lo)
        lo = u->ilo;
    if (u->has_hi)
        hi = u->ihi;
    emit_line(e, "snt_clip_int(%s, %s, %s, %s, %s, %lld);", dt, int64_literal(lo, a, sizeof a),
              int64_literal(hi, b, sizeof b), px, py, count);
}

static bool unary_emit(const Node *n, Emitter *e, Diag *d)
{
    UnaryEval u;
    if (!unary_eval_init(n, &u, d))
        return false;
    const Tensor *x = n->in[0];
    if (u.runtime_bounds)
        clip_emit_runtime(n, e);
    else if (x->dtype == DT_FLOAT)
        emit_float32(n, e, &u);
    else if (x->dtype == DT_DOUBLE)
        emit_float64(n, e, &u);
    else if (dtype_is_int(x->dtype) && u.info->ints_ok)
        emit_integer(n, e, &u);
    else
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", x->name,
                          dtype_label(x->dtype));
    return true;
}

#define UNARY_OP(op_name, since_opset, inputs, dtype_set) \
    {.name = op_name, .since = since_opset, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .min_in = 1, .max_in = inputs, .min_out = 1, .max_out = 1, \
     .infer = unary_infer, .fold = unary_fold, .cost = unary_cost, .emit = unary_emit, \
     .in_place = true}

/* float32 and float64, which every op here takes. */
#define UNARY_FLOATS (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE))

const OpDesc op_Abs = UNARY_OP("Abs", 1, 1, DT_SET_REAL);
const OpDesc op_Ceil = UNARY_OP("Ceil", 1, 1, UNARY_FLOATS);
const OpDesc op_Clip = UNARY_OP("Clip", 1, 3, DT_SET_REAL); /* min and max became inputs at 11 */
const OpDesc op_Cos = UNARY_OP("Cos", 7, 1, UNARY_FLOATS);
const OpDesc op_Erf = UNARY_OP("Erf", 9, 1, UNARY_FLOATS);
const OpDesc op_Exp = UNARY_OP("Exp", 1, 1, UNARY_FLOATS);
const OpDesc op_Floor = UNARY_OP("Floor", 1, 1, UNARY_FLOATS);
const OpDesc op_LeakyRelu = UNARY_OP("LeakyRelu", 1, 1, UNARY_FLOATS);
const OpDesc op_Log = UNARY_OP("Log", 1, 1, UNARY_FLOATS);
const OpDesc op_Neg = UNARY_OP("Neg", 1, 1, UNARY_FLOATS | DT_SET_SINT);
const OpDesc op_Reciprocal = UNARY_OP("Reciprocal", 1, 1, UNARY_FLOATS);
const OpDesc op_Relu = UNARY_OP("Relu", 1, 1, UNARY_FLOATS | DT_SET_SINT);
const OpDesc op_Sigmoid = UNARY_OP("Sigmoid", 1, 1, UNARY_FLOATS);
const OpDesc op_Sin = UNARY_OP("Sin", 7, 1, UNARY_FLOATS);
const OpDesc op_Sqrt = UNARY_OP("Sqrt", 1, 1, UNARY_FLOATS);
const OpDesc op_Tanh = UNARY_OP("Tanh", 1, 1, UNARY_FLOATS);
