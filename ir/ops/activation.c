/*
 * activation.c - the activations with parameters of their own: Elu,
 * Selu, Celu, ThresholdedRelu, Shrink, Softplus, Softsign, HardSigmoid,
 * HardSwish, Mish (kernel snt_actx_f32 / _f64), and PRelu, whose slope
 * input broadcasts against X (kernel snt_prelu_f32 / _f64).  Relu,
 * LeakyRelu, Clip, Sigmoid and Tanh, the activations a fused op can
 * apply (snt_act), are in unary.c with the other ops of one tensor.
 *
 * A table gives each op's kernel kind and attribute defaults; one shape
 * rule, fold and emitter serve them all.  Folding runs the run-time
 * kernel itself, so a folded constant is bit for bit what the generated
 * code would compute; float32 and float64, the dtypes the kernels have.
 *
 * Cost: one FLOP per output element, the convention of Relu and Sigmoid
 * (docs/flops.md: an elementwise op counts 1 per output element).
 */
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/staging.h"

#include <stdlib.h>
#include <string.h>

/* Which snt_actx field each attribute sets; NULL names are unused. */
typedef struct {
    const char *name;
    snt_actx_kind kind;
    const char *kind_name;   /* the enum constant, for the generated code */
    const char *alpha_attr, *beta_attr, *gamma_attr;
    double alpha, beta, gamma;  /* attribute defaults (ONNX spec) */
} ActxInfo;

static const ActxInfo actx_ops[] = {
    {"Celu", SNT_ACTX_CELU, "SNT_ACTX_CELU", "alpha", NULL, NULL, 1.0, 0, 0},
    {"Elu", SNT_ACTX_ELU, "SNT_ACTX_ELU", "alpha", NULL, NULL, 1.0, 0, 0},
    {"HardSigmoid", SNT_ACTX_HARD_SIGMOID, "SNT_ACTX_HARD_SIGMOID", "alpha", "beta", NULL,
     0.2, 0.5, 0},
    {"HardSwish", SNT_ACTX_HARD_SWISH, "SNT_ACTX_HARD_SWISH", NULL, NULL, NULL, 0, 0, 0},
    {"Mish", SNT_ACTX_MISH, "SNT_ACTX_MISH", NULL, NULL, NULL, 0, 0, 0},
    {"Selu", SNT_ACTX_SELU, "SNT_ACTX_SELU", "alpha", NULL, "gamma",
     1.67326319217681884765625, 0, 1.05070102214813232421875},
    {"Shrink", SNT_ACTX_SHRINK, "SNT_ACTX_SHRINK", "lambd", "bias", NULL, 0.5, 0.0, 0},
    {"Softplus", SNT_ACTX_SOFTPLUS, "SNT_ACTX_SOFTPLUS", NULL, NULL, NULL, 0, 0, 0},
    {"Softsign", SNT_ACTX_SOFTSIGN, "SNT_ACTX_SOFTSIGN", NULL, NULL, NULL, 0, 0, 0},
    {"ThresholdedRelu", SNT_ACTX_THRESHOLDED_RELU, "SNT_ACTX_THRESHOLDED_RELU", "alpha", NULL,
     NULL, 1.0, 0, 0},
};

const char *snt_actx_kind_name(int v)
{
    for (size_t i = 0; i < sizeof actx_ops / sizeof actx_ops[0]; i++)
        if ((int)actx_ops[i].kind == v)
            return actx_ops[i].kind_name;
    return NULL;
}

static bool is_prelu(const Node *n)
{
    return n->op == &op_PRelu;
}

static const ActxInfo *actx_info(const Node *n)
{
    for (size_t i = 0; i < sizeof actx_ops / sizeof actx_ops[0]; i++)
        if (strcmp(n->op_type, actx_ops[i].name) == 0)
            return &actx_ops[i];
    return NULL;
}

static float attr_or_default(const Node *n, const char *attr, double dflt)
{
    return attr ? (float)attr_float_or(n, attr, dflt) : (float)dflt;
}

/* The kernel parameters of a non-PRelu node. */
static bool actx_params(const Node *n, snt_actx *act, Diag *d)
{
    const ActxInfo *info = actx_info(n);
    if (!info)
        return node_error(d, n, "not an activation of activation.c");
    *act = (snt_actx){
        .kind = info->kind,
        .alpha = attr_or_default(n, info->alpha_attr, info->alpha),
        .beta = attr_or_default(n, info->beta_attr, info->beta),
        .gamma = attr_or_default(n, info->gamma_attr, info->gamma),
    };
    if (act->kind == SNT_ACTX_CELU && act->alpha == 0.0f)
        return node_error(d, n, "alpha must not be 0");
    return true;
}

/* PRelu's iteration: X dense, the slope broadcast to X's shape. */
static snt_bcast prelu_bcast(const Node *n)
{
    const Shape *x = &n->in[0]->shape;
    int64_t xs[MAX_RANK], ss[MAX_RANK];
    shape_strides(x, xs);
    broadcast_strides(&n->in[1]->shape, x, ss);
    snt_bcast bc = {.rank = x->rank};
    for (int i = 0; i < x->rank; i++) {
        bc.dims[i] = (size_t)x->dim[i];
        bc.a_strides[i] = (ptrdiff_t)xs[i];
        bc.b_strides[i] = (ptrdiff_t)ss[i];
    }
    return bc;
}

static bool check_prelu_slope(const Node *n, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *slope = &n->in[1]->shape;
    Shape both;
    if (!check_same_dtype(n, 1, d))
        return false;
    /* Unidirectional broadcasting: the slope stretches to X, never X. */
    if (!shape_broadcast(x, slope, &both) || !shape_equal(&both, x)) {
        char a[96], b[96];
        return node_error(d, n, "slope %s does not broadcast to X %s",
                          shape_str(slope, b, sizeof b), shape_str(x, a, sizeof a));
    }
    return true;
}

static bool actx_infer(Node *n, Diag *d)
{
    snt_actx act;
    if (!check_inputs_present(n, is_prelu(n) ? 2 : 1, d) || !check_float_input(n, 0, d))
        return false;
    if (is_prelu(n) ? !check_prelu_slope(n, d) : !actx_params(n, &act, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &n->in[0]->shape);
    return true;
}

/* float32 or float64, the dtypes the kernels take. */
static bool actx_runs_on(DType t)
{
    return t == DT_FLOAT || t == DT_DOUBLE;
}

static bool actx_fold(Node *n, Diag *d)
{
    DType t = n->in[0]->dtype;
    if (!all_inputs_const(n) || !actx_runs_on(t) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    const void *x = n->in[0]->data;
    void *y = alloc_output(n, 0);
    if (is_prelu(n)) {
        snt_bcast bc = prelu_bcast(n);
        if (t == DT_FLOAT)
            snt_prelu_f32(&bc, x, n->in[1]->data, y);
        else
            snt_prelu_f64(&bc, x, n->in[1]->data, y);
        return true;
    }
    snt_actx act;
    if (!actx_params(n, &act, d))
        return false;
    size_t count = (size_t)tensor_numel(n->out[0]);
    if (t == DT_FLOAT)
        snt_actx_f32(&act, x, y, count);
    else
        snt_actx_f64(&act, x, y, count);
    return true;
}

static OpCost actx_cost(const Node *n)
{
    return (OpCost){.flops = tensor_numel(n->out[0])};
}

/* The kernels' name suffix for the node's dtype. */
static const char *actx_suffix(const Node *n)
{
    return n->in[0]->dtype == DT_DOUBLE ? "f64" : "f32";
}

static bool prelu_emit(const Node *n, Emitter *e)
{
    snt_bcast bc = prelu_bcast(n);
    emit_params_snt_bcast(e, &bc, "p");
    emit_line(e, "snt_prelu_%s(&p, %s, %s, %s);", actx_suffix(n), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->in[1]), emit_ptr(e, n->out[0]));
    return true;
}

static bool actx_emit(const Node *n, Emitter *e, Diag *d)
{
    const Tensor *x = n->in[0];
    if (!actx_runs_on(x->dtype))
        return node_error(d, n, "input 0 ('%s') is %s, not supported at run time", x->name,
                          dtype_label(x->dtype));
    if (is_prelu(n))
        return prelu_emit(n, e);
    snt_actx act;
    if (!actx_params(n, &act, d))
        return false;
    emit_params_snt_actx(e, &act, "p");
    emit_line(e, "snt_actx_%s(&p, %s, %s, %lld);", actx_suffix(n), emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]), (long long)tensor_numel(n->out[0]));
    return true;
}

#define ACTX_OP(op_name, since_opset, inputs, dtype_set) \
    {.name = op_name, .since = since_opset, .until = COMPUTE_OPSET_MAX, .dtypes = dtype_set, \
     .min_in = inputs, .max_in = inputs, .min_out = 1, .max_out = 1, \
     .infer = actx_infer, .fold = actx_fold, .cost = actx_cost, .emit = actx_emit, \
     .in_place = true}

#define ACTX_FLOATS (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE))

/* Opsets before 6 (Elu, Selu, HardSigmoid) and 7 (PRelu, whose slope
 * broadcasts from 7) carried the legacy consumed_inputs attribute. */
const OpDesc op_Celu = ACTX_OP("Celu", 12, 1, ACTX_FLOATS);
const OpDesc op_Elu = ACTX_OP("Elu", 6, 1, ACTX_FLOATS);
const OpDesc op_HardSigmoid = ACTX_OP("HardSigmoid", 6, 1, ACTX_FLOATS);
const OpDesc op_HardSwish = ACTX_OP("HardSwish", 14, 1, ACTX_FLOATS);
const OpDesc op_Mish = ACTX_OP("Mish", 18, 1, ACTX_FLOATS);
const OpDesc op_PRelu = ACTX_OP("PRelu", 7, 2, ACTX_FLOATS);
const OpDesc op_Selu = ACTX_OP("Selu", 6, 1, ACTX_FLOATS);
const OpDesc op_Shrink = ACTX_OP("Shrink", 9, 1, ACTX_FLOATS);
const OpDesc op_Softplus = ACTX_OP("Softplus", 1, 1, ACTX_FLOATS);
const OpDesc op_Softsign = ACTX_OP("Softsign", 1, 1, ACTX_FLOATS);
const OpDesc op_ThresholdedRelu = ACTX_OP("ThresholdedRelu", 10, 1, ACTX_FLOATS);
