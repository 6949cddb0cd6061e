/*
 * fused_act.c - activations as attributes of fused ops, and recognizing
 * the standalone activation nodes that fusion passes absorb.
 */
#include "ir/ops/fused.h"

#include <float.h>
#include <math.h>
#include <string.h>

typedef struct {
    const char *op;            /* the ONNX op that computes it */
    snt_act_kind kind;
    int64_t flops;             /* per element, see act_flops */
} ActInfo;

/* Gelu's two kinds share the op name; "approximate" tells them apart.
 * SiLU has no ONNX op: it is x * Sigmoid(x), two nodes, and "Silu" only
 * ever names it as a fused op's attribute. */
static const ActInfo act_table[] = {
    {"Relu", SNT_ACT_RELU, 1},
    {"LeakyRelu", SNT_ACT_LEAKY_RELU, 1},
    {"Clip", SNT_ACT_CLIP, 1},
    {"Sigmoid", SNT_ACT_SIGMOID, 1},
    {"Tanh", SNT_ACT_TANH, 1},
    {"Gelu", SNT_ACT_GELU, 5},
    {"Gelu", SNT_ACT_GELU_TANH, 9},
    {"HardSigmoid", SNT_ACT_HARD_SIGMOID, 1},
    {"HardSwish", SNT_ACT_HARD_SWISH, 1},
    {"Silu", SNT_ACT_SILU, 2},
};

enum { ACT_COUNT = sizeof act_table / sizeof act_table[0] };

static const ActInfo *act_by_kind(snt_act_kind kind)
{
    for (int i = 0; i < ACT_COUNT; i++)
        if (act_table[i].kind == kind)
            return &act_table[i];
    return NULL;
}

int64_t act_flops(snt_act_kind kind)
{
    const ActInfo *info = act_by_kind(kind);
    return info ? info->flops : 0;
}

/* prefix + attr: the name of one of an activation's attributes. */
typedef struct {
    char s[64];
} AttrName;

static AttrName attr_name(const char *prefix, const char *attr)
{
    AttrName a;
    snprintf(a.s, sizeof a.s, "%s%s", prefix, attr);
    return a;
}

/* Gelu's kind from the attribute prefix + "approximate". */
static bool gelu_kind_at(const Node *n, const char *prefix, snt_act_kind *kind)
{
    const char *approx = attr_string_or(n, attr_name(prefix, "approximate").s, "none");
    if (strcmp(approx, "none") == 0)
        *kind = SNT_ACT_GELU;
    else if (strcmp(approx, "tanh") == 0)
        *kind = SNT_ACT_GELU_TANH;
    else
        return false;
    return true;
}

bool gelu_act_kind(const Node *n, snt_act_kind *kind)
{
    return gelu_kind_at(n, "", kind);
}

bool fused_act_get_at(const Node *n, const char *prefix, snt_act *act, Diag *d)
{
    const char *name = attr_string_or(n, attr_name(prefix, "activation").s, NULL);
    *act = (snt_act){.kind = SNT_ACT_NONE};
    if (!name)
        return true;
    act->alpha = (float)attr_float_or(n, attr_name(prefix, "alpha").s, 0.0);
    act->beta = (float)attr_float_or(n, attr_name(prefix, "beta").s, 0.0);
    if (strcmp(name, "Gelu") == 0) {
        if (!gelu_kind_at(n, prefix, &act->kind))
            return node_error(d, n, "approximate must be \"none\" or \"tanh\"");
        return true;
    }
    for (int i = 0; i < ACT_COUNT; i++)
        if (strcmp(name, act_table[i].op) == 0) {
            act->kind = act_table[i].kind;
            return true;
        }
    return node_error(d, n, "unknown activation '%s'", name);
}

bool fused_act_get(const Node *n, snt_act *act, Diag *d)
{
    return fused_act_get_at(n, "", act, d);
}

static void set_string_attr(Node *n, const char *name, const char *value)
{
    node_add_attr(n, name, ATTR_STRING)->s = xstrdup(value);
}

static void set_float_attr(Node *n, const char *name, double value)
{
    node_add_attr(n, name, ATTR_FLOAT)->f = value;
}

static bool has_hard_sigmoid(const snt_act *act)
{
    return act->kind == SNT_ACT_HARD_SIGMOID || act->kind == SNT_ACT_HARD_SWISH;
}

void fused_act_set_at(Node *n, const char *prefix, const snt_act *act)
{
    const ActInfo *info = act_by_kind(act->kind);
    if (!info)
        return;
    set_string_attr(n, attr_name(prefix, "activation").s, info->op);
    if (act->kind == SNT_ACT_GELU_TANH)
        set_string_attr(n, attr_name(prefix, "approximate").s, "tanh");
    if (act->kind == SNT_ACT_LEAKY_RELU || act->kind == SNT_ACT_CLIP || has_hard_sigmoid(act))
        set_float_attr(n, attr_name(prefix, "alpha").s, act->alpha);
    if (act->kind == SNT_ACT_CLIP || has_hard_sigmoid(act))
        set_float_attr(n, attr_name(prefix, "beta").s, act->beta);
}

void fused_act_set(Node *n, const snt_act *act)
{
    fused_act_set_at(n, "", act);
}

/* Clip's bound input k (opset 11 on): absent means unbounded; false if
 * it is computed at run time or not a float scalar. */
static bool clip_bound(const Node *n, int k, float unbounded, float *v)
{
    const Tensor *t = k < n->n_in ? n->in[k] : NULL;
    *v = unbounded;
    if (!t)
        return true;
    if (!tensor_is_const(t) || t->dtype != DT_FLOAT || tensor_numel(t) != 1)
        return false;
    *v = (float)dtype_get_f64(t->dtype, t->data, 0);
    return true;
}

static bool clip_act(const Node *n, snt_act *act)
{
    if (n->opset < 11) {
        act->alpha = (float)attr_float_or(n, "min", -FLT_MAX);
        act->beta = (float)attr_float_or(n, "max", FLT_MAX);
        return true;
    }
    return clip_bound(n, 1, -INFINITY, &act->alpha) && clip_bound(n, 2, INFINITY, &act->beta);
}

bool act_of_node(const Node *n, snt_act *act)
{
    *act = (snt_act){.kind = SNT_ACT_NONE};
    if (n->domain[0] || n->n_out != 1 || n->n_in < 1 || !n->in[0])
        return false;
    if (n->op == &op_Gelu)
        return gelu_act_kind(n, &act->kind);
    for (int i = 0; i < ACT_COUNT; i++)
        if (strcmp(n->op_type, act_table[i].op) == 0)
            act->kind = act_table[i].kind;
    switch (act->kind) {
    case SNT_ACT_LEAKY_RELU:
        act->alpha = (float)attr_float_or(n, "alpha", 0.01);
        return true;
    case SNT_ACT_HARD_SIGMOID:
        act->alpha = (float)attr_float_or(n, "alpha", 0.2);
        act->beta = (float)attr_float_or(n, "beta", 0.5);
        return true;
    case SNT_ACT_HARD_SWISH:
        act->alpha = 1.0f / 6.0f;
        act->beta = 0.5f;
        return true;
    case SNT_ACT_SILU:
        return false;   /* no single node computes it */
    case SNT_ACT_CLIP:
        return clip_act(n, act);
    default:
        return act->kind != SNT_ACT_NONE;
    }
}
