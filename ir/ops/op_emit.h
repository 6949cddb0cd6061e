/*
 * op_emit.h - helpers shared by the op descriptions in ir/ops/: input
 * checks, numpy broadcasting strides, running other dtypes on float32 or
 * int64 kernels, the sliding-window geometry of Conv and the pools, and
 * printing kernel parameter structs.
 */
#ifndef SINTER_OP_EMIT_H
#define SINTER_OP_EMIT_H

#include "ir/ir.h"
#include "sinter_rt.h"

/* The newest ai.onnx opset whose changes were checked against the
 * compute ops: 18..21 changed only ReduceMean (axes as an input, 18) and
 * AveragePool (dilations, 19), both handled. */
#define COMPUTE_OPSET_MAX 21

/* Folding stops above this many output elements: a broadcast of two
 * small constants could otherwise ask for terabytes at compile time. */
#define FOLD_MAX_ELEMENTS ((int64_t)1 << 24)

/* ---- input checks (infer) ---------------------------------------- */

/* node_error unless inputs 0 .. count-1 are all present. */
bool check_inputs_present(const Node *n, int count, Diag *d);
/* node_error unless input i has a floating point dtype we can hold. */
bool check_float_input(const Node *n, int i, Diag *d);
/* node_error unless input i (if present) has the dtype of input 0. */
bool check_same_dtype(const Node *n, int i, Diag *d);
/* node_error unless the optional output i is absent: for outputs that
 * exist only in training or that we do not compute. */
bool check_output_absent(const Node *n, int i, const char *what, Diag *d);
/* True for the dtypes arithmetic folds handle (ints, float32, float64). */
bool dtype_is_numeric(DType t);
/* True for unsigned integers and bool (compare and divide unsigned). */
bool dtype_is_unsigned(DType t);
/* The dtype's name for messages, never NULL. */
const char *dtype_label(DType t);

/* a * b for cost counts, saturating at INT64_MAX (a, b >= 0): shapes of
 * a malformed model must not overflow. */
int64_t sat_mul(int64_t a, int64_t b);

/* ---- run-time support (emit) ------------------------------------- */

/* node_error unless the present inputs among the first n_data (the
 * tensors the kernel reads; not e.g. constant axes) and every output are
 * float32: the kernels of most compute ops exist for float32 only. */
bool check_f32_runtime(const Node *n, int n_data, Diag *d);

/* Strides (in elements) for reading a row-major tensor of shape `in`
 * while iterating `out`'s dims, aligned right as numpy broadcasting
 * does; 0 on axes where `in` has extent 1 or is missing. */
void broadcast_strides(const Shape *in, const Shape *out, int64_t *strides);

/* ---- run-time dtype staging (emit) ----------------------------------- */

/* The kernels compute in float32 (and int64 for binary arithmetic).  An
 * op on another dtype runs them on staged copies in scratch: inputs are
 * cast into the kernel's dtype, the kernel writes a scratch result, and
 * that is cast into the output.  The casts are the runtime's snt_cast. */

/* True when every value of t is exactly a float32: a float32 kernel
 * that only selects, negates or compares values (Relu, Clip, MaxPool)
 * then gives exact results on staged copies. */
bool dtype_fits_float32(DType t);

typedef struct {
    Emitter *e;
    DType kernel;        /* the dtype the kernel computes in */
    size_t used;         /* scratch bytes handed out so far */
    int count;           /* staged operands so far */
    char expr[4][80];    /* pointer expressions: at most four staged operands */
    const Tensor *out;   /* the staged output, cast back by staging_end */
    size_t out_offset;
} Staging;

/* Starts staging for a kernel of dtype `kernel`; `tensors` (NULL entries
 * allowed) are every operand the node will stage, to size the scratch. */
void staging_begin(Staging *s, Emitter *e, DType kernel, const Tensor *const *tensors, int count);
/* The scratch bytes staging_begin asks for with the same arguments: what
 * the op's OpDesc.scratch_bytes reports. */
size_t staging_bytes(DType kernel, const Tensor *const *tensors, int count);
/* The kernel's pointer for input t: t itself, or a cast copy. */
const char *staging_input(Staging *s, const Tensor *t);
/* The kernel's pointer for output t: t itself, or a scratch result
 * that staging_end casts into t. */
const char *staging_output(Staging *s, const Tensor *t);
void staging_end(Staging *s);

/* ---- weights packed for a micro-kernel (passes/select_kernels.c) -- */

/* The variant of `family` that input `slot` of n is packed for (named by
 * n's `ukernel` attribute), or NULL when that input is absent or
 * `ukernel` names no variant of that family. */
const Variant *packed_variant(const Node *n, int slot, Family family);
/* When input `slot` is present: node_error unless `ukernel` names a known
 * variant of `family` and the input is float32 [floats(variant)]. */
bool check_packed(const Node *n, int slot, Family family,
                  size_t (*floats)(const Node *, const Variant *), Diag *d);

/* ---- sliding windows (Conv, MaxPool, AveragePool) ---------------- */

/* The geometry of a 1-D or 2-D window over an N x C x spatial input.  A
 * 1-D window is stored as a 2-D one with H = 1, so index 0 is always H
 * and index 1 is W. */
typedef struct {
    int rank;             /* spatial rank of the ONNX tensors: 1 or 2 */
    int64_t in[2], kernel[2], stride[2], dilation[2];
    int64_t pad_begin[2], pad_end[2];
    int64_t out[2];
} Window;

/* Reads an ints attribute of `count` values (at most 6) in [lo, hi], or
 * fills `dflt` when it is absent. */
bool read_window_ints(const Node *n, const char *name, int count, int64_t dflt, int64_t lo,
                      int64_t hi, int64_t *out, Diag *d);
/* node_error unless x has rank 3 (1-D) or 4 (2-D); rank 5 (3-D) is
 * reported as unsupported. */
bool check_window_rank(const Node *n, const Shape *x, Diag *d);
/* Reads auto_pad, pads, strides and dilations of n for input shape x
 * (rank 3 or 4) and the given spatial kernel (x->rank - 2 values), and
 * computes the output extents.  ceil_mode is the pools' attribute (false
 * for Conv). */
bool window_infer(const Node *n, const Shape *x, const int64_t *kernel, bool ceil_mode,
                  Window *w, Diag *d);
/* Computes w->out[j] from w's in, kernel, stride, dilation and pads of
 * axis j under auto_pad (setting the pads for SAME_*): one axis of
 * window_infer, for windows of more axes than Window holds. */
bool window_axis(const Node *n, const char *auto_pad, bool ceil_mode, Window *w, int j,
                 Diag *d);
/* The output shape N x channels x out-spatial for input shape x. */
Shape window_output_shape(const Window *w, const Shape *x, int64_t channels);

/* ---- string attributes that select a runtime enum ------------------ */

/* One value a string attribute may take: its ONNX spelling and the name
 * of the runtime enum constant it selects, for generated code.  A table
 * of them lists the values in the order of the enum, so that a value's
 * index is its enum value. */
typedef struct {
    const char *onnx, *constant;
} AttrChoice;

/* The index of string attribute `attr` (the first choice when absent)
 * among choices[0, count), or -1 when it is none of them. */
int attr_choice_index(const Node *n, const char *attr, const AttrChoice *choices, int count);
/* attr_choice_index into *index, or a node error naming the unsupported
 * value. */
bool attr_choice(const Node *n, const char *attr, const AttrChoice *choices, int count,
                 int *index, Diag *d);

/* ---- printing parameter structs ----------------------------------- */

/* The initializer list of a `static const` params struct, built one
 * designated field at a time. */
typedef struct {
    Str s;
    int fields;
} Params;

void params_int(Params *p, const char *field, int64_t v);
void params_float(Params *p, const char *field, double v);
void params_sizes(Params *p, const char *field, const size_t *v, int count);
void params_strides(Params *p, const char *field, const ptrdiff_t *v, int count);
/* An enum field, printed by its constant's name (AttrChoice.constant). */
void params_enum(Params *p, const char *field, const char *constant);
/* The fields of an snt_act, for a standalone `static const snt_act`. */
void params_act_fields(Params *p, const snt_act *act);
/* An snt_act as the nested field `field` of a larger struct. */
void params_act(Params *p, const char *field, const snt_act *act);
/* Emits `static const <type> p = {<fields>};` and frees the fields. */
void params_emit(Params *p, Emitter *e, const char *type);
/* The same for a node that needs several structs: names the variable. */
void params_emit_as(Params *p, Emitter *e, const char *type, const char *var);

/* The parameter structs printed from their field lists in
 * runtime/include/sinter_params.h: X(type, list) for each. */
#define PRINTED_PARAMS(X) \
    X(snt_conv2d_params, SNT_CONV2D_PARAMS) \
    X(snt_pool2d_params, SNT_POOL2D_PARAMS) \
    X(snt_bcast, SNT_BCAST) \
    X(snt_reduce_params, SNT_REDUCE_PARAMS) \
    X(snt_strided, SNT_STRIDED) \
    X(snt_matmul_params, SNT_MATMUL_PARAMS) \
    X(snt_linear_params, SNT_LINEAR_PARAMS) \
    X(snt_pointwise_pair_params, SNT_POINTWISE_PAIR_PARAMS) \
    X(snt_elements_params, SNT_ELEMENTS_PARAMS) \
    X(snt_nd_params, SNT_ND_PARAMS) \
    X(snt_where_params, SNT_WHERE_PARAMS) \
    X(snt_gemm_params, SNT_GEMM_PARAMS) \
    X(snt_loss_params, SNT_LOSS_PARAMS) \
    X(snt_roi_align_params, SNT_ROI_ALIGN_PARAMS)

/* For each printed struct T: params_put_T appends every field of *v, in
 * the list's order; emit_params_T emits `static const T <var> = {...};`
 * of *v. */
#define PARAMS_PRINTER_DECL(T, LIST) \
    void params_put_##T(Params *p, const T *v); \
    void emit_params_##T(Emitter *e, const T *v, const char *var);
PRINTED_PARAMS(PARAMS_PRINTER_DECL)

/* ---- Conv (conv.c), shared with FusedConv ------------------------ */

/* Checks Conv's X, W and B against each other and computes the window. */
bool conv_window(const Node *n, Window *win, Diag *d);
/* The kernel's parameters for a checked window, with no activation. */
snt_conv2d_params conv2d_params(const Node *n, const Window *win);
/* The parameters Conv's infer (or FusedConv's, with its activation)
 * kept on n: what the node's other hooks read. */
const snt_conv2d_params *conv_node_params(const Node *n);
/* One filter per channel (groups == C == K): the f32-dwconv family's. */
static inline bool conv_is_depthwise(const snt_conv2d_params *cp)
{
    return cp->groups == cp->c && cp->k == cp->c;
}

/* ---- recurrent layers (rnn.c), for passes/pack_rnn.c -------------- */

/* The kernel's parameters of an RNN, GRU or LSTM node, validated. */
bool rnn_params(const Node *n, snt_rnn_params *p, Diag *d);
/* The input slot of its packed weights: the one after the op's own. */
int rnn_packed_slot(const Node *n);

/* ---- pools (pool.c), shared with LpPool and GlobalMaxPool --------- */

/* Checks X's rank and the required kernel_shape, then computes the
 * window (ceil_mode read as the pools define it). */
bool pool_window(const Node *n, Window *win, Diag *d);
/* The window's element count: the product of kernel_shape. */
int64_t pool_taps(const Node *n);
/* The kernel's parameters for a checked window over input shape x,
 * count_include_pad 0. */
snt_pool2d_params pool2d_params(const Shape *x, const Window *win);
/* The shape rule of the global pools: N x C x 1 x ... for rank >= 3. */
bool global_pool_infer(Node *n, Diag *d);

/* Appends a C99 float literal for v: "0.5f", "(1.0f / 0.0f)" for inf. */
void str_float_literal(Str *s, double v);
/* The C expression for an optional input's pointer: "NULL" if absent. */
const char *emit_ptr_or_null(Emitter *e, const Tensor *t);

#endif /* SINTER_OP_EMIT_H */
