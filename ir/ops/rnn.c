/*
 * rnn.c - the recurrent layers RNN, GRU and LSTM (opsets 7 on; layout
 * from 14).  The three share inputs X, W, R, B, sequence_lens, initial_h
 * (LSTM adds initial_c and peepholes P), outputs Y, Y_h (LSTM adds Y_c),
 * directions, activations, clip and layout; they differ in their number
 * of gates and the gate math, which the runtime's one kernel switches on.
 * So one reader turns any of them into the kernel's snt_rnn_params, and
 * shape rule, folding, cost and code all start from it.
 *
 * passes/pack_rnn.c gives a layer with constant W, R and B one more
 * input after the op's own: those weights packed (snt_rnn_pack_f32) for
 * the f32-gemm variant named by the `ukernel` attribute.  The call then
 * is snt_rnn_gemm_f32 on that variant, and W, R and B are not emitted.
 *
 * passes/last_step_rnn.c sets the attribute `last_step_only` (1) on a
 * layer of which only Y's last step is read and Y_h and Y_c not at all:
 * the kernel's last_step_only, under which the reverse direction runs
 * one step.  Such a node has Y as its one output.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"
#include "ir/ops/packed.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What sets the three ops apart outside the kernel. */
typedef struct {
    const char *op;
    snt_rnn_cell cell;
    int inputs;                  /* the op's own inputs; then the packed weights */
    int gates;                   /* rows of W per hidden unit */
    int acts;                    /* activations per direction */
    const char *default_acts[3];
} CellInfo;

static const CellInfo cells[] = {
    {"RNN", SNT_RNN_SIMPLE, 6, 1, 1, {"Tanh"}},
    {"GRU", SNT_RNN_GRU, 6, 3, 2, {"Sigmoid", "Tanh"}},
    {"LSTM", SNT_RNN_LSTM, 8, 4, 3, {"Sigmoid", "Tanh", "Tanh"}},
};

/* The names of the enums' constants, for the printed parameters
 * (op_emit.h). */
const char *snt_rnn_cell_name(int v)
{
    static const char *const names[] = {"SNT_RNN_SIMPLE", "SNT_RNN_GRU", "SNT_RNN_LSTM"};
    return names[v];
}

static const CellInfo *cell_info(const Node *n)
{
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
        if (strcmp(n->op_type, cells[i].op) == 0)
            return &cells[i];
    return &cells[0];
}

int rnn_packed_slot(const Node *n)
{
    return cell_info(n)->inputs;
}

/* The activations the recurrent ops may name.  alpha and beta come from
 * activation_alpha / activation_beta, consumed in order by the
 * activations that take them; missing ones default to those of the ONNX
 * op of the same name (ScaledTanh has none: 1, 1). */
typedef struct {
    const char *name;
    const char *c_name;
    snt_rnn_act_kind kind;
    bool takes_alpha, takes_beta;
    double alpha, beta;
} ActInfo;

static const ActInfo activations[] = {
    {"Relu", "SNT_RNN_RELU", SNT_RNN_RELU, false, false, 0, 0},
    {"Tanh", "SNT_RNN_TANH", SNT_RNN_TANH, false, false, 0, 0},
    {"Sigmoid", "SNT_RNN_SIGMOID", SNT_RNN_SIGMOID, false, false, 0, 0},
    {"Affine", "SNT_RNN_AFFINE", SNT_RNN_AFFINE, true, true, 1.0, 0.0},
    {"LeakyRelu", "SNT_RNN_LEAKY_RELU", SNT_RNN_LEAKY_RELU, true, false, 0.01, 0},
    {"ThresholdedRelu", "SNT_RNN_THRESHOLDED_RELU", SNT_RNN_THRESHOLDED_RELU, true, false, 1.0, 0},
    {"ScaledTanh", "SNT_RNN_SCALED_TANH", SNT_RNN_SCALED_TANH, true, true, 1.0, 1.0},
    {"HardSigmoid", "SNT_RNN_HARD_SIGMOID", SNT_RNN_HARD_SIGMOID, true, true, 0.2, 0.5},
    {"Elu", "SNT_RNN_ELU", SNT_RNN_ELU, true, false, 1.0, 0},
    {"Softsign", "SNT_RNN_SOFTSIGN", SNT_RNN_SOFTSIGN, false, false, 0, 0},
    {"Softplus", "SNT_RNN_SOFTPLUS", SNT_RNN_SOFTPLUS, false, false, 0, 0},
};

/* Names compare without case, as onnxruntime does: exporters differ. */
static const ActInfo *act_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof activations / sizeof activations[0]; i++) {
        const char *a = activations[i].name, *b = name;
        while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b))
            a++, b++;
        if (!*a && !*b)
            return &activations[i];
    }
    return NULL;
}

/* activations lists the kinds in the order of their enum. */
const char *snt_rnn_act_kind_name(int v)
{
    return activations[v].c_name;
}

/* A floats attribute's values; *count 0 when absent. */
static const double *attr_floats(const Node *n, const char *name, int *count)
{
    const Attr *a = node_attr(n, name);
    *count = a && a->kind == ATTR_FLOATS ? a->n : 0;
    return *count ? a->floats : NULL;
}

/* Reads `activations` (or the op's defaults) with their alphas and betas
 * into p->act, for `dirs` directions. */
static bool read_activations(const Node *n, const CellInfo *ci, int dirs, snt_rnn_params *p,
                             Diag *d)
{
    const Attr *names = node_attr(n, "activations");
    int want = ci->acts * dirs;
    if (names && (names->kind != ATTR_STRINGS || names->n != want))
        return node_error(d, n, "activations must list %d names (%d per direction)", want,
                          ci->acts);
    int n_alpha, n_beta, used_alpha = 0, used_beta = 0;
    const double *alphas = attr_floats(n, "activation_alpha", &n_alpha);
    const double *betas = attr_floats(n, "activation_beta", &n_beta);
    /* Values nobody consumes are ignored, as onnxruntime does. */
    for (int i = 0; i < want; i++) {
        const char *name = names ? names->strings[i] : ci->default_acts[i % ci->acts];
        const ActInfo *a = act_lookup(name);
        if (!a)
            return node_error(d, n, "unknown activation '%s'", name);
        snt_rnn_act *act = &p->act[i / ci->acts][i % ci->acts];
        act->kind = a->kind;
        act->alpha = (float)(a->takes_alpha && used_alpha < n_alpha ? alphas[used_alpha++]
                                                                    : a->alpha);
        act->beta = (float)(a->takes_beta && used_beta < n_beta ? betas[used_beta++] : a->beta);
    }
    return true;
}

/* The attributes other than the activations. */
static bool read_attributes(const Node *n, const CellInfo *ci, snt_rnn_params *p, Diag *d)
{
    const char *dir = attr_string_or(n, "direction", "forward");
    if (strcmp(dir, "forward") && strcmp(dir, "reverse") && strcmp(dir, "bidirectional"))
        return node_error(d, n, "direction '%s' is not forward, reverse or bidirectional", dir);
    p->directions = strcmp(dir, "bidirectional") == 0 ? 2 : 1;
    p->reverse = strcmp(dir, "reverse") == 0;
    int64_t layout = attr_int_or(n, "layout", 0);
    if (n->opset < 14 && node_attr(n, "layout"))
        return node_error(d, n, "attribute 'layout' exists from opset 14 on");
    if (layout != 0 && layout != 1)
        return node_error(d, n, "layout %lld is not 0 or 1", (long long)layout);
    p->batch_major = (int)layout;
    double clip = attr_float_or(n, "clip", 0.0);
    if (node_attr(n, "clip") && !(clip > 0.0))
        return node_error(d, n, "clip %g must be positive", clip);
    p->clip = (float)clip;
    int64_t lbr = ci->cell == SNT_RNN_GRU ? attr_int_or(n, "linear_before_reset", 0) : 0;
    int64_t forget = ci->cell == SNT_RNN_LSTM ? attr_int_or(n, "input_forget", 0) : 0;
    if ((lbr != 0 && lbr != 1) || (forget != 0 && forget != 1))
        return node_error(d, n, "linear_before_reset and input_forget must be 0 or 1");
    p->linear_before_reset = (int)lbr;
    p->input_forget = (int)forget;
    p->last_step_only = attr_int_or(n, "last_step_only", 0) != 0;
    if (p->last_step_only && n->n_out != 1)
        return node_error(d, n, "last_step_only needs Y as the one output");
    return read_activations(n, ci, p->directions, p, d);
}

/* The op's own input i, or NULL when omitted (or past the op's inputs:
 * RNN and GRU have no initial_c and P, and their packed weights are
 * not an own input). */
static const Tensor *opt_input(const Node *n, int i)
{
    return i < n->n_in && i < cell_info(n)->inputs ? n->in[i] : NULL;
}

/* The packed weights (passes/pack_rnn.c), or NULL. */
static const Tensor *packed_input(const Node *n)
{
    return node_input(n, rnn_packed_slot(n));
}

/* node_error unless the optional input i is absent or has shape want. */
static bool check_input_shape(const Node *n, int i, const char *what, Shape want, Diag *d)
{
    const Tensor *t = opt_input(n, i);
    if (!t || shape_equal(&t->shape, &want))
        return true;
    char got[128], expect[128];
    return node_error(d, n, "input %d (%s, '%s') has shape %s; expected %s", i, what, t->name,
                      shape_str(&t->shape, got, sizeof got), shape_str(&want, expect, sizeof expect));
}

static Shape shape3(int64_t a, int64_t b, int64_t c)
{
    return (Shape){.rank = 3, .dim = {a, b, c}};
}

/* The shape of initial_h, initial_c, Y_h and Y_c. */
static Shape state_shape(const snt_rnn_params *p)
{
    int64_t dirs = p->directions, batch = (int64_t)p->batch, hidden = (int64_t)p->hidden;
    return p->batch_major ? shape3(batch, dirs, hidden) : shape3(dirs, batch, hidden);
}

static Shape y_shape(const snt_rnn_params *p)
{
    int64_t dirs = p->directions, seq = (int64_t)p->seq, batch = (int64_t)p->batch;
    Shape y = {.rank = 4, .dim = {seq, dirs, batch, (int64_t)p->hidden}};
    if (p->batch_major)
        y = (Shape){.rank = 4, .dim = {batch, seq, dirs, (int64_t)p->hidden}};
    return y;
}

/* Sizes from X and R, checked against every other input. */
static bool read_shapes(const Node *n, const CellInfo *ci, snt_rnn_params *p, Diag *d)
{
    const Shape *x = &n->in[0]->shape, *r = &n->in[2]->shape;
    if (x->rank != 3)
        return node_error(d, n, "input 0 (X, '%s') must have rank 3", n->in[0]->name);
    if (r->rank != 3)
        return node_error(d, n, "input 2 (R, '%s') must have rank 3", n->in[2]->name);
    for (int i = 0; i < 3; i++)
        if (x->dim[i] < 0 || r->dim[i] < 0)
            return node_error(d, n, "X and R must have known, non-negative dimensions");
    int64_t hidden = attr_int_or(n, "hidden_size", r->dim[2]);
    if (hidden <= 0 || hidden > (int64_t)1 << 24)
        return node_error(d, n, "hidden_size %lld is out of range", (long long)hidden);
    p->seq = (size_t)x->dim[p->batch_major ? 1 : 0];
    p->batch = (size_t)x->dim[p->batch_major ? 0 : 1];
    p->input = (size_t)x->dim[2];
    p->hidden = (size_t)hidden;
    int64_t dirs = p->directions, gh = ci->gates * hidden, input = x->dim[2];
    Shape lens = {.rank = 1, .dim = {(int64_t)p->batch}};
    Shape state = state_shape(p);
    Shape bias = {.rank = 2, .dim = {dirs, 2 * gh}}, peep = {.rank = 2, .dim = {dirs, 3 * hidden}};
    if (!check_input_shape(n, 1, "W", shape3(dirs, gh, input), d) ||
        !check_input_shape(n, 2, "R", shape3(dirs, gh, hidden), d) ||
        !check_input_shape(n, 3, "B", bias, d) || !check_input_shape(n, 4, "sequence_lens", lens, d) ||
        !check_input_shape(n, 5, "initial_h", state, d) ||
        !check_input_shape(n, 6, "initial_c", state, d) || !check_input_shape(n, 7, "P", peep, d))
        return false;
    /* The kernel's scratch: every step's input products and the states. */
    int64_t rows = sat_mul((int64_t)p->seq + 1, (int64_t)p->batch);
    if (sat_mul(rows, gh) + sat_mul(3 * (int64_t)p->batch, hidden) > MAX_ELEMENTS)
        return node_error(d, n, "the layer is too large (%lld steps of batch %lld)",
                          (long long)p->seq, (long long)p->batch);
    return true;
}

/* Everything the kernel needs, validated. */
bool rnn_params(const Node *n, snt_rnn_params *p, Diag *d)
{
    const CellInfo *ci = cell_info(n);
    memset(p, 0, sizeof *p);
    p->cell = ci->cell;
    if (!check_inputs_present(n, 3, d) || !read_attributes(n, ci, p, d))
        return false;
    for (int i = 1; i < n->n_in; i++)
        if (i != 4 && !check_same_dtype(n, i, d))
            return false;
    const Tensor *lens = opt_input(n, 4);
    if (lens && lens->dtype != DT_INT32)
        return node_error(d, n, "input 4 (sequence_lens, '%s') is %s; expected int32", lens->name,
                          dtype_label(lens->dtype));
    return read_shapes(n, ci, p, d);
}

/* Floats of n's weights packed for v. */
static size_t packed_floats(const Node *n, const Variant *v)
{
    snt_rnn_params p;
    return rnn_params(n, &p, NULL) ? snt_rnn_packed_floats(&p, v->nr) : 0;
}

/* The packed weights, when present, are the compiler's own (a model
 * cannot give the op an input past ONNX's) and fit their variant. */
static bool check_packed_weights(const Node *n, Diag *d)
{
    const Tensor *t = packed_input(n);
    if (t && t->layout != LAYOUT_PACKED)
        return node_error(d, n, "%s takes at most %d inputs", n->op_type, rnn_packed_slot(n));
    return check_packed(n, rnn_packed_slot(n), FAMILY_F32_GEMM, packed_floats, d);
}

static bool rnn_infer(Node *n, Diag *d)
{
    snt_rnn_params p;
    if (!rnn_params(n, &p, d) || !check_packed_weights(n, d))
        return false;
    Shape y = y_shape(&p), state = state_shape(&p);
    if (!check_size(n, &y, d))
        return false;
    for (int i = 0; i < n->n_out; i++)
        set_output(n, i, n->in[0]->dtype, i == 0 ? &y : &state);
    return true;
}

/* The kernel's arguments; absent tensors are NULL. */
static snt_rnn_io host_io(Node *n)
{
    const Tensor *lens = opt_input(n, 4);
    snt_rnn_io io = {
        .x = n->in[0]->data, .w = n->in[1]->data, .r = n->in[2]->data,
        .seq_lens = lens ? lens->data : NULL,
    };
    io.b = opt_input(n, 3) ? opt_input(n, 3)->data : NULL;
    io.initial_h = opt_input(n, 5) ? opt_input(n, 5)->data : NULL;
    io.initial_c = opt_input(n, 6) ? opt_input(n, 6)->data : NULL;
    io.p = opt_input(n, 7) ? opt_input(n, 7)->data : NULL;
    io.y = n->n_out > 0 ? alloc_output(n, 0) : NULL;
    io.y_h = n->n_out > 1 ? alloc_output(n, 1) : NULL;
    io.y_c = n->n_out > 2 ? alloc_output(n, 2) : NULL;
    return io;
}

/* Constant layers (weights and input alike) run at compile time. */
static bool rnn_fold(Node *n, Diag *d)
{
    snt_rnn_params p;
    if (!all_inputs_const(n) || tensor_numel(n->in[0]) > FOLD_MAX_ELEMENTS || n->n_out == 0)
        return true;
    if (!rnn_params(n, &p, d))
        return false;
    if (shape_numel(&n->out[0]->shape) > FOLD_MAX_ELEMENTS)
        return true;
    snt_rnn_io io = host_io(n);
    float *scratch = xmalloc((snt_rnn_scratch_floats(&p) + 1) * sizeof *scratch);
    snt_rnn_f32(&p, &io, scratch);
    free(scratch);
    return true;
}

/* MACs: the gate products X W^T and H R^T of every step and direction
 * (under last_step_only, one step of the reverse direction).  FLOPs:
 * twice those plus one per gate value for its activation. */
static OpCost rnn_cost(const Node *n)
{
    snt_rnn_params p;
    if (!rnn_params(n, &p, NULL))
        return (OpCost){0};
    int64_t reverse = p.directions == 2 || p.reverse, forward = p.directions - reverse;
    int64_t reverse_steps = p.last_step_only ? p.seq > 0 : (int64_t)p.seq;
    int64_t steps = sat_mul(forward, (int64_t)p.seq) + reverse * reverse_steps;
    int64_t gate_values = sat_mul(sat_mul(steps, (int64_t)p.batch),
                                  cell_info(n)->gates * (int64_t)p.hidden);
    int64_t macs = sat_mul(gate_values, (int64_t)(p.input + p.hidden));
    return (OpCost){.macs = macs, .flops = sat_mul(macs, 2) + gate_values};
}

/* The kernel's scratch, packed weights or not. */
static size_t scratch_floats(const snt_rnn_params *p, const Variant *v)
{
    return v ? snt_rnn_gemm_scratch_floats(p, v->mr, v->nr) : snt_rnn_scratch_floats(p);
}

static bool rnn_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_rnn_params p;
    int slot = rnn_packed_slot(n);
    const Variant *v = packed_variant(n, slot, FAMILY_F32_GEMM);
    if (!rnn_params(n, &p, d))
        return false;
    emit_params_snt_rnn_params(e, &p, "p");
    emit_line(e, "snt_rnn_io io = {.x = %s,", emit_ptr(e, n->in[0]));
    if (!v)
        emit_line(e, "    .w = %s, .r = %s, .b = %s,", emit_ptr(e, n->in[1]), emit_ptr(e, n->in[2]),
                  emit_ptr_or_null(e, opt_input(n, 3)));
    emit_line(e, "    .seq_lens = %s, .initial_h = %s, .initial_c = %s, .p = %s,",
              emit_ptr_or_null(e, opt_input(n, 4)), emit_ptr_or_null(e, opt_input(n, 5)),
              emit_ptr_or_null(e, opt_input(n, 6)), emit_ptr_or_null(e, opt_input(n, 7)));
    emit_line(e, "    .y = %s, .y_h = %s, .y_c = %s};",
              emit_ptr_or_null(e, n->n_out > 0 ? n->out[0] : NULL),
              emit_ptr_or_null(e, n->n_out > 1 ? n->out[1] : NULL),
              emit_ptr_or_null(e, n->n_out > 2 ? n->out[2] : NULL));
    const char *scratch = emit_scratch(e, scratch_floats(&p, v) * sizeof(float));
    if (v)
        emit_line(e, "snt_rnn_gemm_f32(&p, &%s, &io, %s, %s);", v->name,
                  emit_ptr(e, packed_input(n)), scratch);
    else
        emit_line(e, "snt_rnn_f32(&p, &io, %s);", scratch);
    return true;
}

static size_t rnn_scratch_bytes(const Node *n)
{
    snt_rnn_params p;
    if (!rnn_params(n, &p, NULL))
        return 0;
    return scratch_floats(&p, packed_variant(n, rnn_packed_slot(n), FAMILY_F32_GEMM)) *
           sizeof(float);
}

/* MAX_IN counts the packed weights after the op's own inputs. */
#define RNN_OP(NAME, MAX_IN, MAX_OUT) \
    const OpDesc op_##NAME = { \
        .name = #NAME, .since = 7, .until = COMPUTE_OPSET_MAX, \
        .min_in = 3, .max_in = MAX_IN, .min_out = 0, .max_out = MAX_OUT, \
        .infer = rnn_infer, .fold = rnn_fold, .cost = rnn_cost, .emit = rnn_emit, \
        .scratch_bytes = rnn_scratch_bytes, .dtypes = DT_BIT(DT_FLOAT), \
    }

RNN_OP(RNN, 7, 2);
RNN_OP(GRU, 7, 2);
RNN_OP(LSTM, 9, 3);
