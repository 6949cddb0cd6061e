/*
 * op_emit.h - printing kernel parameter structs, for the op descriptions
 * in ir/ops/, and the parameters that Conv, the pools and the recurrent
 * layers share with other ops.  The other helpers have headers by topic:
 * op_check.h (input checks), staging.h (run-time support and dtype
 * staging), packed.h, sliding_window.h and attr_choice.h.
 */
#ifndef SINTER_OP_EMIT_H
#define SINTER_OP_EMIT_H

#include "ir/ops/ops.h"
#include "sinter_rt.h"

/* ---- printing parameter structs ----------------------------------- */

/* The initializer list of a `static const` params struct, built one
 * designated field at a time by the printers below. */
typedef struct {
    Str s;
    int fields;
} Params;

/* The parameter structs printed from their field lists in
 * runtime/include/sinter_params.h: X(type, list) for each, a NESTED or
 * NESTED_2D field's type before the struct holding it. */
#define PRINTED_PARAMS(X) \
    X(snt_act, SNT_ACT) \
    X(snt_actx, SNT_ACTX) \
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
    X(snt_roi_align_params, SNT_ROI_ALIGN_PARAMS) \
    X(snt_grid_sample_params, SNT_GRID_SAMPLE_PARAMS) \
    X(snt_pad_params, SNT_PAD_PARAMS) \
    X(snt_resize_params, SNT_RESIZE_PARAMS) \
    X(snt_rnn_act, SNT_RNN_ACT) \
    X(snt_rnn_params, SNT_RNN_PARAMS) \
    X(snt_einsum_params, SNT_EINSUM_PARAMS) \
    X(snt_pool3d_params, SNT_POOL3D_PARAMS) \
    X(snt_conv_transpose3d_params, SNT_CONV_TRANSPOSE3D_PARAMS) \
    X(snt_dft_params, SNT_DFT_PARAMS) \
    X(snt_shift_params, SNT_SHIFT_PARAMS) \
    X(snt_shift_linear_params, SNT_SHIFT_LINEAR_PARAMS) \
    X(snt_qmatmul_params, SNT_QMATMUL_PARAMS) \
    X(snt_qconv2d_params, SNT_QCONV2D_PARAMS)

/* The enum types of the lists' ENUM fields: <type>_name(v) is the name
 * of constant v, for generated code.  Each is defined by the op file
 * whose table holds the names (op_emit.c has snt_act_kind's). */
const char *snt_act_kind_name(int v);
const char *snt_actx_kind_name(int v);
const char *snt_grid_mode_name(int v);
const char *snt_grid_padding_name(int v);
const char *snt_pad_mode_name(int v);
const char *snt_resize_mode_name(int v);
const char *snt_coord_mode_name(int v);
const char *snt_nearest_mode_name(int v);
const char *snt_rnn_cell_name(int v);
const char *snt_rnn_act_kind_name(int v);

/* For each printed struct T: params_put_T appends every field of *v, in
 * the list's order; emit_params_T emits `static const T <var> = {...};`
 * of *v. */
#define PARAMS_PRINTER_DECL(T, LIST) \
    void params_put_##T(Params *p, const T *v); \
    void emit_params_##T(Emitter *e, const T *v, const char *var);
PRINTED_PARAMS(PARAMS_PRINTER_DECL)

/* ---- Conv (conv.c), shared with FusedConv ------------------------ */

/* conv_node_params and conv_is_depthwise are in ops.h. */

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
