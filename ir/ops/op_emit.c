/*
 * op_emit.c - helpers shared by the compute op descriptions (op_emit.h).
 */
#include "ir/ops/op_emit.h"

#include <float.h>
#include <math.h>
#include <string.h>

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

void emit_bcast_params(Emitter *e, const snt_bcast *bc, const char *var)
{
    Params p = {0};
    params_int(&p, "rank", bc->rank);
    params_sizes(&p, "dims", bc->dims, bc->rank);
    params_strides(&p, "a_strides", bc->a_strides, bc->rank);
    params_strides(&p, "b_strides", bc->b_strides, bc->rank);
    params_emit_as(&p, e, "snt_bcast", var);
}

void emit_reduce_params(Emitter *e, const snt_reduce_params *rp, const char *var)
{
    Params p = {0};
    params_int(&p, "out_rank", rp->out_rank);
    params_sizes(&p, "out_dims", rp->out_dims, rp->out_rank);
    params_strides(&p, "out_strides", rp->out_strides, rp->out_rank);
    params_int(&p, "red_rank", rp->red_rank);
    params_sizes(&p, "red_dims", rp->red_dims, rp->red_rank);
    params_strides(&p, "red_strides", rp->red_strides, rp->red_rank);
    params_emit_as(&p, e, "snt_reduce_params", var);
}

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
