/*
 * op_emit.c - helpers shared by the compute op descriptions (op_emit.h).
 */
#include "ir/ops/op_emit.h"
#include "ir/ops/dtype_code.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* ---- input checks ------------------------------------------------- */

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

/* ---- run-time support --------------------------------------------- */

static bool check_f32_tensor(const Node *n, const Tensor *t, const char *role, int i, Diag *d)
{
    if (t && t->dtype != DT_FLOAT)
        return node_error(d, n, "%s %d ('%s') is %s, not supported at run time (float32 only)",
                          role, i, t->name, dtype_label(t->dtype));
    return true;
}

bool check_f32_runtime(const Node *n, int n_data, Diag *d)
{
    for (int i = 0; i < n->n_in && i < n_data; i++)
        if (!check_f32_tensor(n, n->in[i], "input", i, d))
            return false;
    for (int i = 0; i < n->n_out; i++)
        if (!check_f32_tensor(n, n->out[i], "output", i, d))
            return false;
    return true;
}

void broadcast_strides(const Shape *in, const Shape *out, int64_t *strides)
{
    int64_t dense[MAX_RANK];
    shape_strides(in, dense);
    int lead = out->rank - in->rank;
    for (int i = 0; i < out->rank; i++) {
        int j = i - lead;
        strides[i] = j >= 0 && in->dim[j] != 1 ? dense[j] : 0;
    }
}

/* ---- run-time dtype staging ---------------------------------------- */

bool dtype_fits_float32(DType t)
{
    return t == DT_FLOAT || t == DT_INT8 || t == DT_UINT8 || t == DT_INT16 || t == DT_UINT16 ||
           t == DT_BOOL;
}

/* Scratch regions start 8-byte aligned, for int64 kernels. */
static size_t staged_bytes(const Tensor *t, DType kernel)
{
    if (!t || t->dtype == kernel)
        return 0;
    return ((size_t)tensor_numel(t) * dtype_size(kernel) + 7) / 8 * 8;
}

/* The dtypes snt_cast converts by their runtime names; "0" (no dtype)
 * for the rest. */
static const char *snt_dtype_name(DType t)
{
    const char *code = cast_dtype_code(t);
    return code ? code : "0";
}

size_t staging_bytes(DType kernel, const Tensor *const *tensors, int count)
{
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += staged_bytes(tensors[i], kernel);
    return total;
}

void staging_begin(Staging *s, Emitter *e, DType kernel, const Tensor *const *tensors, int count)
{
    *s = (Staging){.e = e, .kernel = kernel};
    size_t total = staging_bytes(kernel, tensors, count);
    if (total)
        emit_line(e, "unsigned char *s = (unsigned char *)%s;", emit_scratch(e, total));
}

/* Hands out the next scratch region for t, as "(T *)(s + offset)". */
static const char *staged_region(Staging *s, const Tensor *t, bool is_const, size_t *offset)
{
    char *expr = s->expr[s->count++];
    *offset = s->used;
    snprintf(expr, sizeof s->expr[0], "(%s%s *)(s + %zu)", is_const ? "const " : "",
             dtype_ctype(s->kernel), s->used);
    s->used += staged_bytes(t, s->kernel);
    return expr;
}

const char *staging_input(Staging *s, const Tensor *t)
{
    if (t->dtype == s->kernel)
        return emit_ptr(s->e, t);
    size_t offset;
    const char *expr = staged_region(s, t, true, &offset);
    emit_line(s->e, "snt_cast(%s, %s, %s, s + %zu, %lld);", snt_dtype_name(t->dtype),
              emit_ptr(s->e, t), snt_dtype_name(s->kernel), offset, (long long)tensor_numel(t));
    return expr;
}

const char *staging_output(Staging *s, const Tensor *t)
{
    if (t->dtype == s->kernel)
        return emit_ptr(s->e, t);
    s->out = t;
    return staged_region(s, t, false, &s->out_offset);
}

void staging_end(Staging *s)
{
    if (s->out)
        emit_line(s->e, "snt_cast(%s, s + %zu, %s, %s, %lld);", snt_dtype_name(s->kernel),
                  s->out_offset, snt_dtype_name(s->out->dtype), emit_ptr(s->e, s->out),
                  (long long)tensor_numel(s->out));
}

/* ---- sliding windows ---------------------------------------------- */

/* Largest kernel, stride, dilation or pad accepted: keeps every window
 * computation far from int64 overflow. */
#define WINDOW_ATTR_MAX ((int64_t)1 << 31)

bool read_window_ints(const Node *n, const char *name, int count, int64_t dflt, int64_t lo,
                      int64_t hi, int64_t *out, Diag *d)
{
    int64_t v[6]; /* the pads of three spatial axes */
    int got = attr_ints(n, name, v, 6);
    if (got < 0) {
        for (int i = 0; i < count; i++)
            out[i] = dflt;
        return true;
    }
    if (got != count)
        return node_error(d, n, "attribute %s has %d values, expected %d", name, got, count);
    for (int i = 0; i < count; i++) {
        if (v[i] < lo || v[i] > hi)
            return node_error(d, n, "attribute %s has out-of-range value %lld", name,
                              (long long)v[i]);
        out[i] = v[i];
    }
    return true;
}

/* Output extent (and, for auto_pad SAME_*, the pads) of axis j. */
bool window_axis(const Node *n, const char *auto_pad, bool ceil_mode, Window *w, int j,
                 Diag *d)
{
    int64_t in = w->in[j], s = w->stride[j];
    int64_t span = (w->kernel[j] - 1) * w->dilation[j] + 1; /* one dilated window */
    if (strcmp(auto_pad, "NOTSET") == 0) {
        int64_t room = in + w->pad_begin[j] + w->pad_end[j] - span;
        if (room < 0)
            return node_error(d, n, "window of extent %lld exceeds the padded input (%lld)",
                              (long long)span, (long long)(room + span));
        int64_t out = (ceil_mode ? room + s - 1 : room) / s + 1;
        /* ONNX (like PyTorch) drops a last window that would start in the
         * end padding, which ceil_mode could otherwise create. */
        if (ceil_mode && (out - 1) * s >= in + w->pad_begin[j])
            out--;
        w->out[j] = out;
    } else if (strcmp(auto_pad, "VALID") == 0) {
        if (in < span)
            return node_error(d, n, "window of extent %lld exceeds the input (%lld)",
                              (long long)span, (long long)in);
        w->pad_begin[j] = w->pad_end[j] = 0;
        w->out[j] = (in - span) / s + 1;
    } else if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
        /* Output ceil(in / stride); the odd pad goes at the end for
         * SAME_UPPER and at the beginning for SAME_LOWER. */
        int64_t out = (in + s - 1) / s;
        int64_t total = (out - 1) * s + span - in;
        if (total < 0)
            total = 0;
        w->pad_begin[j] = strcmp(auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
        w->pad_end[j] = total - w->pad_begin[j];
        w->out[j] = out;
    } else {
        return node_error(d, n, "unknown auto_pad '%s'", auto_pad);
    }
    return true;
}

bool check_window_rank(const Node *n, const Shape *x, Diag *d)
{
    if (x->rank == 5)
        return node_error(d, n, "3-D %s is not supported", n->op_type);
    if (x->rank != 3 && x->rank != 4)
        return node_error(d, n, "X must have rank 3 (1-D) or 4 (2-D), not %d", x->rank);
    return true;
}

bool window_infer(const Node *n, const Shape *x, const int64_t *kernel, bool ceil_mode,
                  Window *w, Diag *d)
{
    if (!check_window_rank(n, x, d))
        return false;
    int r = x->rank - 2;
    int64_t strides[2], dilations[2], pads[4];
    if (!read_window_ints(n, "strides", r, 1, 1, WINDOW_ATTR_MAX, strides, d) ||
        !read_window_ints(n, "dilations", r, 1, 1, WINDOW_ATTR_MAX, dilations, d) ||
        !read_window_ints(n, "pads", 2 * r, 0, 0, WINDOW_ATTR_MAX, pads, d))
        return false;
    const char *auto_pad = attr_string_or(n, "auto_pad", "NOTSET");

    /* Axis H of a 1-D window is a unit axis that every loop runs once. */
    *w = (Window){.rank = r, .in = {1, 1}, .kernel = {1, 1}, .stride = {1, 1},
                  .dilation = {1, 1}, .out = {1, 1}};
    for (int i = 0; i < r; i++) {
        int j = 2 - r + i;
        if (x->dim[2 + i] < 1)
            return node_error(d, n, "spatial extent %lld must be positive",
                              (long long)x->dim[2 + i]);
        if (kernel[i] < 1 || kernel[i] > WINDOW_ATTR_MAX)
            return node_error(d, n, "kernel extent %lld is out of range", (long long)kernel[i]);
        w->in[j] = x->dim[2 + i];
        w->kernel[j] = kernel[i];
        w->stride[j] = strides[i];
        w->dilation[j] = dilations[i];
        w->pad_begin[j] = pads[i];
        w->pad_end[j] = pads[r + i];
        if (!window_axis(n, auto_pad, ceil_mode, w, j, d))
            return false;
    }
    return true;
}

Shape window_output_shape(const Window *w, const Shape *x, int64_t channels)
{
    Shape s = {.rank = x->rank, .dim = {x->dim[0], channels}};
    for (int i = 0; i < w->rank; i++)
        s.dim[2 + i] = w->out[2 - w->rank + i];
    return s;
}

/* ---- string attributes that select a runtime enum ------------------ */

int attr_choice_index(const Node *n, const char *attr, const AttrChoice *choices, int count)
{
    const char *value = attr_string_or(n, attr, choices[0].onnx);
    for (int i = 0; i < count; i++)
        if (strcmp(value, choices[i].onnx) == 0)
            return i;
    return -1;
}

bool attr_choice(const Node *n, const char *attr, const AttrChoice *choices, int count,
                 int *index, Diag *d)
{
    *index = attr_choice_index(n, attr, choices, count);
    if (*index < 0)
        return node_error(d, n, "%s '%s' is not supported", attr,
                          attr_string_or(n, attr, choices[0].onnx));
    return true;
}

/* ---- printing parameter structs ----------------------------------- */

static void params_field(Params *p, const char *field)
{
    str_putf(&p->s, "%s.%s = ", p->fields++ ? ", " : "", field);
}

void params_int(Params *p, const char *field, int64_t v)
{
    params_field(p, field);
    str_putf(&p->s, "%lld", (long long)v);
}

void params_enum(Params *p, const char *field, const char *constant)
{
    params_field(p, field);
    str_puts(&p->s, constant);
}

void params_float(Params *p, const char *field, double v)
{
    params_field(p, field);
    str_float_literal(&p->s, v);
}

/* "{a, b, c}"; C99 has no empty initializer, so no values print "{0}". */
#define PRINT_ARRAY(p, field, v, count, fmt, cast) \
    do { \
        params_field(p, field); \
        str_puts(&(p)->s, "{"); \
        for (int i_ = 0; i_ < (count); i_++) \
            str_putf(&(p)->s, "%s" fmt, i_ ? ", " : "", (cast)(v)[i_]); \
        str_puts(&(p)->s, (count) > 0 ? "}" : "0}"); \
    } while (0)

void params_sizes(Params *p, const char *field, const size_t *v, int count)
{
    PRINT_ARRAY(p, field, v, count, "%zu", size_t);
}

void params_strides(Params *p, const char *field, const ptrdiff_t *v, int count)
{
    PRINT_ARRAY(p, field, v, count, "%lld", long long);
}

static const char *act_kind_name(snt_act_kind kind)
{
    switch (kind) {
    case SNT_ACT_NONE: return "SNT_ACT_NONE";
    case SNT_ACT_RELU: return "SNT_ACT_RELU";
    case SNT_ACT_LEAKY_RELU: return "SNT_ACT_LEAKY_RELU";
    case SNT_ACT_CLIP: return "SNT_ACT_CLIP";
    case SNT_ACT_SIGMOID: return "SNT_ACT_SIGMOID";
    case SNT_ACT_TANH: return "SNT_ACT_TANH";
    case SNT_ACT_GELU: return "SNT_ACT_GELU";
    case SNT_ACT_GELU_TANH: return "SNT_ACT_GELU_TANH";
    case SNT_ACT_HARD_SIGMOID: return "SNT_ACT_HARD_SIGMOID";
    case SNT_ACT_HARD_SWISH: return "SNT_ACT_HARD_SWISH";
    case SNT_ACT_SILU: return "SNT_ACT_SILU";
    }
    return "SNT_ACT_NONE";
}

void params_act_fields(Params *p, const snt_act *act)
{
    params_field(p, "kind");
    str_puts(&p->s, act_kind_name(act->kind));
    params_float(p, "alpha", act->alpha);
    params_float(p, "beta", act->beta);
}

void params_act(Params *p, const char *field, const snt_act *act)
{
    Params inner = {0};
    params_act_fields(&inner, act);
    params_field(p, field);
    str_putf(&p->s, "{%s}", inner.s.buf);
    str_free(&inner.s);
}

void params_emit_as(Params *p, Emitter *e, const char *type, const char *var)
{
    emit_line(e, "static const %s %s = {%s};", type, var, p->s.buf ? p->s.buf : "0");
    str_free(&p->s);
    p->fields = 0;
}

void params_emit(Params *p, Emitter *e, const char *type)
{
    params_emit_as(p, e, type, "p");
}

/* How a field of a printed struct is printed: its kind in
 * sinter_params.h. */
typedef enum {
    PARAM_SIZE, PARAM_INT, PARAM_INT64, PARAM_STRIDE, PARAM_FLOAT, PARAM_ACT, PARAM_SIZES,
    PARAM_STRIDES
} ParamKind;

/* One field of a printed struct, from its X(T, kind, name, arg) entry. */
typedef struct {
    const char *name;
    ParamKind kind;
    size_t offset;       /* of the field in T */
    size_t count_offset; /* SIZES, STRIDES: of the int field counting its elements */
} ParamField;

#define PARAM_ROW(T, kind, name, arg) \
    {#name, PARAM_##kind, offsetof(T, name), PARAM_COUNT_##kind(T, arg)},
#define PARAM_COUNT_SIZE(T, arg) 0
#define PARAM_COUNT_INT(T, arg) 0
#define PARAM_COUNT_INT64(T, arg) 0
#define PARAM_COUNT_STRIDE(T, arg) 0
#define PARAM_COUNT_FLOAT(T, arg) 0
#define PARAM_COUNT_ACT(T, arg) 0
#define PARAM_COUNT_SIZES(T, arg) offsetof(T, arg)
#define PARAM_COUNT_STRIDES(T, arg) offsetof(T, arg)

static void params_put_field(Params *p, const ParamField *f, const char *base)
{
    const void *at = base + f->offset;
    switch (f->kind) {
    case PARAM_SIZE:
        params_int(p, f->name, (int64_t)*(const size_t *)at);
        break;
    case PARAM_INT:
        params_int(p, f->name, *(const int *)at);
        break;
    case PARAM_INT64:
        params_int(p, f->name, *(const int64_t *)at);
        break;
    case PARAM_STRIDE:
        params_int(p, f->name, *(const ptrdiff_t *)at);
        break;
    case PARAM_FLOAT:
        params_float(p, f->name, *(const float *)at);
        break;
    case PARAM_ACT:
        params_act(p, f->name, at);
        break;
    case PARAM_SIZES:
        params_sizes(p, f->name, at, *(const int *)(base + f->count_offset));
        break;
    case PARAM_STRIDES:
        params_strides(p, f->name, at, *(const int *)(base + f->count_offset));
        break;
    }
}

static void params_put_fields(Params *p, const ParamField *fields, size_t count, const void *v)
{
    for (size_t i = 0; i < count; i++)
        params_put_field(p, &fields[i], v);
}

/* params_put_T and emit_params_T of each printed struct T (op_emit.h). */
#define PARAMS_PRINTER(T, LIST) \
    void params_put_##T(Params *p, const T *v) \
    { \
        static const ParamField fields[] = {LIST(PARAM_ROW, T)}; \
        params_put_fields(p, fields, sizeof fields / sizeof fields[0], v); \
    } \
    void emit_params_##T(Emitter *e, const T *v, const char *var) \
    { \
        Params p = {0}; \
        params_put_##T(&p, v); \
        params_emit_as(&p, e, #T, var); \
    }
PRINTED_PARAMS(PARAMS_PRINTER)

void str_float_literal(Str *s, double v)
{
    /* Infinities and NaN have no literal; these constant expressions
     * need no <math.h> in the generated file. */
    if (isnan(v)) {
        str_puts(s, "(0.0f / 0.0f)");
        return;
    }
    if (isinf(v) || fabs(v) > FLT_MAX) {
        str_puts(s, v > 0 ? "(1.0f / 0.0f)" : "(-1.0f / 0.0f)");
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.9g", (double)(float)v);
    /* "1f" is not C: a literal needs a point or an exponent. */
    str_putf(s, "%s%sf", buf, strpbrk(buf, ".e") ? "" : ".0");
}

const char *emit_ptr_or_null(Emitter *e, const Tensor *t)
{
    return t ? emit_ptr(e, t) : "NULL";
}

/* ---- weights packed for a micro-kernel ----------------------------- */

const Variant *packed_variant(const Node *n, int slot, Family family)
{
    if (slot >= n->n_in || !n->in[slot])
        return NULL;
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    return v && v->family == family ? v : NULL;
}

bool check_packed(const Node *n, int slot, Family family,
                  size_t (*floats)(const Node *, const Variant *), Diag *d)
{
    const Tensor *t = slot < n->n_in ? n->in[slot] : NULL;
    const Variant *v = packed_variant(n, slot, family);
    if (!t)
        return true;
    if (!v)
        return node_error(d, n, "packed weights need a known 'ukernel', not '%s'",
                          attr_string_or(n, "ukernel", ""));
    size_t want = floats(n, v);
    if (t->dtype != DT_FLOAT || t->shape.rank != 1 || (size_t)t->shape.dim[0] != want)
        return node_error(d, n, "packed weights must be float32 [%zu] for %s", want, v->name);
    return true;
}
