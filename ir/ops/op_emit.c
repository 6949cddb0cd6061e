/*
 * op_emit.c - helpers shared by the compute op descriptions (op_emit.h).
 */
#include "ir/ops/op_emit.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* ---- printing parameter structs ----------------------------------- */

static void params_field(Params *p, const char *field)
{
    str_putf(&p->s, "%s.%s = ", p->fields++ ? ", " : "", field);
}

static void params_int(Params *p, const char *field, int64_t v)
{
    params_field(p, field);
    str_putf(&p->s, "%lld", (long long)v);
}

static void params_enum(Params *p, const char *field, const char *constant)
{
    params_field(p, field);
    str_puts(&p->s, constant);
}

static void params_float(Params *p, const char *field, double v)
{
    params_field(p, field);
    str_float_literal(&p->s, v);
}

/* Appends "{a, b, c}"; C99 has no empty initializer, so no values print
 * "{0}". */
#define PRINT_LIST(s, v, count, fmt, cast) \
    do { \
        str_puts(s, "{"); \
        for (int i_ = 0; i_ < (count); i_++) \
            str_putf(s, "%s" fmt, i_ ? ", " : "", (cast)(v)[i_]); \
        str_puts(s, (count) > 0 ? "}" : "0}"); \
    } while (0)

static void str_strides(Str *s, const ptrdiff_t *v, int count)
{
    PRINT_LIST(s, v, count, "%lld", long long);
}

static void params_sizes(Params *p, const char *field, const size_t *v, int count)
{
    params_field(p, field);
    PRINT_LIST(&p->s, v, count, "%zu", size_t);
}

static void params_strides(Params *p, const char *field, const ptrdiff_t *v, int count)
{
    params_field(p, field);
    str_strides(&p->s, v, count);
}

/* As PRINT_LIST, of float literals. */
static void params_floats(Params *p, const char *field, const float *v, int count)
{
    params_field(p, field);
    str_puts(&p->s, "{");
    for (int i = 0; i < count; i++) {
        if (i)
            str_puts(&p->s, ", ");
        str_float_literal(&p->s, v[i]);
    }
    str_puts(&p->s, count > 0 ? "}" : "0}");
}

const char *snt_act_kind_name(int v)
{
    switch ((snt_act_kind)v) {
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

static void params_act(Params *p, const char *field, const snt_act *act)
{
    Params inner = {0};
    params_put_snt_act(&inner, act);
    params_field(p, field);
    str_putf(&p->s, "{%s}", inner.s.buf);
    str_free(&inner.s);
}

static void params_emit_as(Params *p, Emitter *e, const char *type, const char *var)
{
    emit_line(e, "static const %s %s = {%s};", type, var, p->s.buf ? p->s.buf : "0");
    str_free(&p->s);
    p->fields = 0;
}

/* How a field of a printed struct is printed: its kind in
 * sinter_params.h. */
typedef enum {
    PARAM_SIZE, PARAM_INT, PARAM_INT64, PARAM_STRIDE, PARAM_FLOAT, PARAM_ACT, PARAM_ENUM,
    PARAM_SIZES, PARAM_STRIDES, PARAM_FLOATS, PARAM_STRIDES_2D, PARAM_SIZE_ARRAY,
    PARAM_STRIDE_ARRAY, PARAM_NESTED, PARAM_NESTED_2D
} ParamKind;

/* A printed struct's fields, in its list's order. */
typedef struct ParamField ParamField;
typedef struct {
    const ParamField *fields;
    size_t count;
} ParamList;

/* One field of a printed struct, from its X(T, kind, name, arg) entry. */
struct ParamField {
    const char *name;
    ParamKind kind;
    size_t offset;       /* of the field in T */
    size_t count_offset; /* SIZES, STRIDES, FLOATS (and *_UPTO): of the int field
                            counting its elements; STRIDES_2D: those of a row */
    size_t rows_offset;  /* STRIDES_2D: of the int field counting its rows */
    int count;           /* SIZE_ARRAY, STRIDE_ARRAY: the fixed element count;
                            NESTED_2D: the columns; STRIDES_2D: the elements a
                            row holds (cols_cap) */
    int rows;            /* NESTED_2D */
    size_t elem_size;    /* NESTED_2D: of one element */
    const char *(*enum_name)(int v); /* ENUM: the name of constant v */
    const ParamList *nested;         /* NESTED, NESTED_2D: the inner struct's fields */
};

/* PARAM_ARG_<kind> sets the members that the kind's arg gives; the
 * trailing comma it leaves when there are none is valid C. */
#define PARAM_ROW(T, K, F, arg) \
    {.name = #F, .kind = PARAM_##K, .offset = offsetof(T, F), PARAM_ARG_##K(T, arg)},
#define PARAM_ARG_SIZE(T, arg)
#define PARAM_ARG_INT(T, arg)
#define PARAM_ARG_INT64(T, arg)
#define PARAM_ARG_STRIDE(T, arg)
#define PARAM_ARG_FLOAT(T, arg)
#define PARAM_ARG_ACT(T, arg)
#define PARAM_ARG_ENUM(T, arg) .enum_name = arg##_name
#define PARAM_ARG_SIZES(T, arg) .count_offset = offsetof(T, arg)
#define PARAM_ARG_STRIDES(T, arg) .count_offset = offsetof(T, arg)
#define PARAM_ARG_FLOATS(T, arg) .count_offset = offsetof(T, arg)
#define PARAM_ARG_SIZES_UPTO(T, arg) .count_offset = offsetof(T, PARAM_UPTO_COUNT arg)
#define PARAM_ARG_STRIDES_UPTO(T, arg) .count_offset = offsetof(T, PARAM_UPTO_COUNT arg)
#define PARAM_ARG_SIZE_ARRAY(T, arg) .count = arg
#define PARAM_ARG_STRIDE_ARRAY(T, arg) .count = arg
#define PARAM_ARG_NESTED(T, arg) .nested = &arg##_list
#define PARAM_ARG_NESTED_2D(T, arg) \
    .nested = &PARAM_GRID_LIST arg, .rows = SNT_PARAM_GRID_ROWS arg, \
    .count = SNT_PARAM_GRID_COLS arg, .elem_size = sizeof(SNT_PARAM_GRID_TYPE arg)
/* The field list of a NESTED_2D field's element type. */
#define PARAM_GRID_LIST(type, rows, cols) type##_list
#define PARAM_ARG_STRIDES_2D(T, arg) \
    .rows_offset = offsetof(T, PARAM_ROWS_COUNT arg), \
    .count_offset = offsetof(T, PARAM_COLS_COUNT arg), .count = SNT_PARAM_COLS_CAP arg
/* The count fields of a STRIDES_2D field's (rows, cols, rows_cap, cols_cap). */
#define PARAM_ROWS_COUNT(rows, cols, rows_cap, cols_cap) rows
#define PARAM_COLS_COUNT(rows, cols, rows_cap, cols_cap) cols
/* The count field of an *_UPTO field's (count, cap). */
#define PARAM_UPTO_COUNT(count, cap) count
/* An *_UPTO field prints as SIZES / STRIDES: its cap only sizes the
 * declaration. */
#define PARAM_SIZES_UPTO PARAM_SIZES
#define PARAM_STRIDES_UPTO PARAM_STRIDES

static void params_put_fields(Params *p, const ParamList *list, const void *v,
                              const char *prefix);

/* "{{{row 0 column 0}, {row 0 column 1} ...}, ...}": every element of
 * the NESTED_2D field f at `at`, each in braces. */
static void params_put_grid(Params *p, const ParamField *f, const char *at)
{
    str_puts(&p->s, "{");
    for (int r = 0; r < f->rows; r++) {
        str_puts(&p->s, r ? ", {" : "{");
        for (int c = 0; c < f->count; c++) {
            Params inner = {0};
            params_put_fields(&inner, f->nested, at + (size_t)(r * f->count + c) * f->elem_size,
                              "");
            str_putf(&p->s, "%s{%s}", c ? ", " : "", inner.s.buf);
            str_free(&inner.s);
        }
        str_puts(&p->s, "}");
    }
    str_puts(&p->s, "}");
}

/* "{{row 0}, {row 1} ...}": the rows and columns used of the STRIDES_2D
 * field f of the struct at base. */
static void params_put_stride_rows(Params *p, const ParamField *f, const char *base)
{
    const ptrdiff_t *rows = (const ptrdiff_t *)(base + f->offset);
    int n_rows = *(const int *)(base + f->rows_offset);
    int cols = *(const int *)(base + f->count_offset);
    str_puts(&p->s, "{");
    for (int r = 0; r < n_rows; r++) {
        str_puts(&p->s, r ? ", " : "");
        str_strides(&p->s, rows + (size_t)r * (size_t)f->count, cols);
    }
    str_puts(&p->s, n_rows > 0 ? "}" : "0}");
}

/* Appends field f of the struct at base, named prefix + its name. */
static void params_put_field(Params *p, const ParamField *f, const char *base, const char *prefix)
{
    const void *at = base + f->offset;
    char name[64], inner[sizeof name + 1];
    snprintf(name, sizeof name, "%s%s", prefix, f->name);
    switch (f->kind) {
    case PARAM_SIZE:
        params_int(p, name, (int64_t)*(const size_t *)at);
        break;
    case PARAM_INT:
        params_int(p, name, *(const int *)at);
        break;
    case PARAM_INT64:
        params_int(p, name, *(const int64_t *)at);
        break;
    case PARAM_STRIDE:
        params_int(p, name, *(const ptrdiff_t *)at);
        break;
    case PARAM_FLOAT:
        params_float(p, name, *(const float *)at);
        break;
    case PARAM_ACT:
        params_act(p, name, at);
        break;
    case PARAM_ENUM:
        /* The enums are int-sized: their constants are small and
         * non-negative. */
        params_enum(p, name, f->enum_name(*(const int *)at));
        break;
    case PARAM_SIZES:
        params_sizes(p, name, at, *(const int *)(base + f->count_offset));
        break;
    case PARAM_STRIDES:
        params_strides(p, name, at, *(const int *)(base + f->count_offset));
        break;
    case PARAM_FLOATS:
        params_floats(p, name, at, *(const int *)(base + f->count_offset));
        break;
    case PARAM_STRIDES_2D:
        params_field(p, name);
        params_put_stride_rows(p, f, base);
        break;
    case PARAM_SIZE_ARRAY:
        params_sizes(p, name, at, f->count);
        break;
    case PARAM_STRIDE_ARRAY:
        params_strides(p, name, at, f->count);
        break;
    case PARAM_NESTED:
        /* ".linear.m = 1, .linear.n = 2 ...", not ".linear = {...}":
         * the form the generated C has always had. */
        snprintf(inner, sizeof inner, "%s.", name);
        params_put_fields(p, f->nested, at, inner);
        break;
    case PARAM_NESTED_2D:
        params_field(p, name);
        params_put_grid(p, f, at);
        break;
    }
}

static void params_put_fields(Params *p, const ParamList *list, const void *v,
                              const char *prefix)
{
    for (size_t i = 0; i < list->count; i++)
        params_put_field(p, &list->fields[i], v, prefix);
}

/* params_put_T and emit_params_T of each printed struct T (op_emit.h). */
#define PARAMS_PRINTER(T, LIST) \
    static const ParamField T##_fields[] = {LIST(PARAM_ROW, T)}; \
    static const ParamList T##_list = {T##_fields, sizeof T##_fields / sizeof T##_fields[0]}; \
    void params_put_##T(Params *p, const T *v) \
    { \
        params_put_fields(p, &T##_list, v, ""); \
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
