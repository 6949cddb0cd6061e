/*
 * sinter_rt.h - the kernels that Sinter's generated C calls.
 *
 * The runtime is a leaf: plain C99, libc and libm only, nothing of the
 * compiler.  Every kernel takes its shapes as arguments or in a small
 * parameter struct that the generated code declares `static const`, so a
 * reader of the generated file sees every number a layer runs with.
 *
 * Conventions
 *  - Tensors are dense row-major (NCHW for images) unless a stride says
 *    otherwise.  Sizes are size_t, strides ptrdiff_t (in elements, may be
 *    negative or zero for broadcasting).
 *  - Output buffers never overlap inputs unless a kernel says it allows
 *    it (elementwise kernels allow y == x exactly).
 *  - dtype codes are ONNX TensorProto.DataType values (SNT_DT_*).
 *  - Kernels are not reentrant: snt_sgemm, and every kernel built on it
 *    (MatMul, Gemm, Conv), packs its operands into static buffers, so
 *    run one kernel at a time.
 */
#ifndef SINTER_RT_H
#define SINTER_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SNT_MAX_RANK 8

/* ONNX TensorProto.DataType codes of the types the runtime moves. */
enum {
    SNT_DT_FLOAT = 1, SNT_DT_UINT8 = 2, SNT_DT_INT8 = 3, SNT_DT_UINT16 = 4,
    SNT_DT_INT16 = 5, SNT_DT_INT32 = 6, SNT_DT_INT64 = 7, SNT_DT_BOOL = 9,
    SNT_DT_FLOAT16 = 10, SNT_DT_DOUBLE = 11, SNT_DT_UINT32 = 12, SNT_DT_UINT64 = 13
};

/* ---------------------------------------------------------------- */
/* Activations: standalone (snt_unary_f32) or as a kernel epilogue   */
/* ---------------------------------------------------------------- */

typedef enum {
    SNT_ACT_NONE = 0,
    SNT_ACT_RELU,
    SNT_ACT_LEAKY_RELU,  /* x < 0 ? alpha * x : x */
    SNT_ACT_CLIP,        /* min(max(x, alpha), beta) */
    SNT_ACT_SIGMOID,
    SNT_ACT_TANH,
    SNT_ACT_GELU,        /* 0.5 x (1 + erf(x / sqrt 2)) */
    SNT_ACT_GELU_TANH    /* tanh approximation */
} snt_act_kind;

typedef struct {
    snt_act_kind kind;
    float alpha, beta;
} snt_act;

/* y[i] = act(x[i]) for i < n; y may equal x. */
void snt_act_f32(const snt_act *act, const float *x, float *y, size_t n);

/* ---------------------------------------------------------------- */
/* Elementwise                                                        */
/* ---------------------------------------------------------------- */

typedef enum {
    SNT_UN_ERF = 0, SNT_UN_SQRT, SNT_UN_ABS, SNT_UN_NEG, SNT_UN_EXP,
    SNT_UN_LOG, SNT_UN_RECIPROCAL, SNT_UN_FLOOR, SNT_UN_CEIL,
    SNT_UN_SIN, SNT_UN_COS
} snt_unop;

/* y[i] = op(x[i]); y may equal x. */
void snt_unary_f32(snt_unop op, const float *x, float *y, size_t n);

typedef enum {
    SNT_BIN_ADD = 0, SNT_BIN_SUB, SNT_BIN_MUL, SNT_BIN_DIV, SNT_BIN_POW,
    SNT_BIN_MAX, SNT_BIN_MIN
} snt_binop;

/* Broadcast iteration space: y is dense with dims[0..rank); a and b are
 * read at sum(idx[d] * a_strides[d]) (stride 0 on a broadcast axis). */
typedef struct {
    int rank;
    size_t dims[SNT_MAX_RANK];
    ptrdiff_t a_strides[SNT_MAX_RANK];
    ptrdiff_t b_strides[SNT_MAX_RANK];
} snt_bcast;

/* y = a op b with broadcasting; y may equal a or b when that operand is
 * dense with y's shape. */
void snt_binary_f32(snt_binop op, const snt_bcast *p, const float *a, const float *b, float *y);
/* The same for int64 (DIV truncates toward zero, POW by repeated product). */
void snt_binary_i64(snt_binop op, const snt_bcast *p, const int64_t *a, const int64_t *b, int64_t *y);

/* ---------------------------------------------------------------- */
/* Matrix products                                                    */
/* ---------------------------------------------------------------- */

/* C[i][j] (+)= alpha * sum_p A[i][p] * B[p][j], with A[i][p] at
 * a[i*a_rs + p*a_cs] and B[p][j] at b[p*b_rs + j*b_cs]; C is row-major
 * with leading dimension ldc.  accumulate = 0 overwrites C. */
void snt_sgemm(size_t m, size_t n, size_t k, float alpha,
               const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
               const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
               float *c, size_t ldc, int accumulate);

/* Batched MatMul with numpy broadcasting over the batch dims:
 * y[batch] (m x n) = a[batch] (m x k) * b[batch] (k x n). */
typedef struct {
    int batch_rank;
    size_t batch_dims[SNT_MAX_RANK];
    ptrdiff_t a_batch_strides[SNT_MAX_RANK]; /* elements; 0 = broadcast */
    ptrdiff_t b_batch_strides[SNT_MAX_RANK];
    size_t m, n, k;
} snt_matmul_params;

void snt_matmul_f32(const snt_matmul_params *p, const float *a, const float *b, float *y);

/* Gemm: Y = alpha * op(A) * op(B) + beta * C, C broadcast to (m, n) by
 * its strides (0 on a broadcast axis; c may be NULL). */
typedef struct {
    size_t m, n, k;
    int trans_a, trans_b;
    float alpha, beta;
    ptrdiff_t c_rs, c_cs;
} snt_gemm_params;

void snt_gemm_f32(const snt_gemm_params *p, const float *a, const float *b, const float *c, float *y);

/* ---------------------------------------------------------------- */
/* Convolution and pooling (NCHW; 1-D ops run as H = 1)               */
/* ---------------------------------------------------------------- */

typedef struct {
    size_t n, c, h, w;       /* input */
    size_t k, oh, ow;        /* output channels and extent */
    size_t kh, kw;           /* kernel */
    size_t sh, sw;           /* strides */
    size_t dh, dw;           /* dilations */
    size_t pt, pl;           /* top / left padding (bottom/right follow from oh, ow) */
    size_t groups;
    snt_act act;             /* applied after bias */
} snt_conv2d_params;

/* w: [k][c/groups][kh][kw]; bias: [k] or NULL.  Uses `scratch` when the
 * kernel needs an im2col buffer of snt_conv2d_scratch_floats(p) floats. */
void snt_conv2d_f32(const snt_conv2d_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch);
size_t snt_conv2d_scratch_floats(const snt_conv2d_params *p);

typedef struct {
    size_t n, c, h, w;
    size_t oh, ow;
    size_t kh, kw, sh, sw, dh, dw;
    size_t pt, pl, pb, pr;    /* explicit pads; ceil_mode is folded into oh/ow */
    int count_include_pad;    /* average pool: divide by the window inside the
                                 padded input instead of inside the input */
} snt_pool2d_params;

void snt_maxpool2d_f32(const snt_pool2d_params *p, const float *x, float *y);
void snt_avgpool2d_f32(const snt_pool2d_params *p, const float *x, float *y);
/* y[i] = mean of x[i*hw .. (i+1)*hw) for i < nc. */
void snt_global_avgpool_f32(size_t nc, size_t hw, const float *x, float *y);

/* ---------------------------------------------------------------- */
/* Normalizations                                                     */
/* ---------------------------------------------------------------- */

/* y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c], x is
 * [n][c][hw]. */
void snt_batchnorm_f32(size_t n, size_t c, size_t hw, const float *x,
                       const float *scale, const float *bias,
                       const float *mean, const float *var, float eps, float *y);

/* Normalizes each of `rows` rows of `cols` elements; gamma/beta of
 * `cols` elements, either may be NULL (1 / 0). */
void snt_layernorm_f32(size_t rows, size_t cols, const float *x,
                       const float *gamma, const float *beta, float eps, float *y);

/* Softmax along the middle axis of x viewed as [outer][len][inner]. */
void snt_softmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y);

/* ---------------------------------------------------------------- */
/* Reductions                                                         */
/* ---------------------------------------------------------------- */

typedef enum {
    SNT_RED_SUM = 0, SNT_RED_MEAN, SNT_RED_MAX, SNT_RED_MIN, SNT_RED_PROD,
    SNT_RED_L1, SNT_RED_L2, SNT_RED_SUM_SQUARE, SNT_RED_LOG_SUM, SNT_RED_LOG_SUM_EXP
} snt_redop;

/* y is dense over out_dims; each output reduces the red_dims space of x,
 * read at the sum of index * stride over both spaces. */
typedef struct {
    int out_rank;
    size_t out_dims[SNT_MAX_RANK];
    ptrdiff_t out_strides[SNT_MAX_RANK];
    int red_rank;
    size_t red_dims[SNT_MAX_RANK];
    ptrdiff_t red_strides[SNT_MAX_RANK];
} snt_reduce_params;

void snt_reduce_f32(snt_redop op, const snt_reduce_params *p, const float *x, float *y);

/* ---------------------------------------------------------------- */
/* Data movement (any element type, by size in bytes)                 */
/* ---------------------------------------------------------------- */

/* dst[sum(i[d]*dst_strides[d])] = src[sum(i[d]*src_strides[d])] over
 * dims; strides may be negative.  Serves Transpose, Slice, Concat,
 * Split and Expand. */
typedef struct {
    int rank;
    size_t dims[SNT_MAX_RANK];
    ptrdiff_t src_strides[SNT_MAX_RANK];
    ptrdiff_t dst_strides[SNT_MAX_RANK];
} snt_strided;

void snt_strided_copy(const snt_strided *p, size_t elem_size, const void *src, void *dst);

/* Gather along an axis of x viewed as [outer][axis_len][inner]:
 * y[o][j][i] = x[o][idx[j]][i] for j < n_idx; negative indices count from
 * the end; indices out of range are clamped (ONNX leaves them undefined). */
void snt_gather_i64(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int64_t *idx, size_t n_idx, void *y);
void snt_gather_i32(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int32_t *idx, size_t n_idx, void *y);

typedef enum { SNT_PAD_CONSTANT = 0, SNT_PAD_REFLECT, SNT_PAD_EDGE } snt_pad_mode;

/* pads_begin may be negative (crop); out_dims[d] = in_dims[d] + begin + end. */
typedef struct {
    int rank;
    size_t in_dims[SNT_MAX_RANK];
    size_t out_dims[SNT_MAX_RANK];
    ptrdiff_t pads_begin[SNT_MAX_RANK];
    snt_pad_mode mode;
    float value;
} snt_pad_params;

void snt_pad_f32(const snt_pad_params *p, const float *x, float *y);

typedef enum { SNT_RESIZE_NEAREST = 0, SNT_RESIZE_LINEAR, SNT_RESIZE_CUBIC } snt_resize_mode;
typedef enum {
    SNT_COORD_HALF_PIXEL = 0, SNT_COORD_PYTORCH_HALF_PIXEL, SNT_COORD_ALIGN_CORNERS,
    SNT_COORD_ASYMMETRIC, SNT_COORD_TF_CROP_AND_RESIZE, SNT_COORD_TF_HALF_PIXEL_FOR_NN
} snt_coord_mode;
typedef enum {
    SNT_NEAREST_ROUND_PREFER_FLOOR = 0, SNT_NEAREST_ROUND_PREFER_CEIL,
    SNT_NEAREST_FLOOR, SNT_NEAREST_CEIL
} snt_nearest_mode;

/* N-D resize; scales[d] is the scale used by the coordinate transform
 * (out/in when `sizes` was given); roi_* only for TF_CROP_AND_RESIZE. */
typedef struct {
    int rank;
    size_t in_dims[SNT_MAX_RANK];
    size_t out_dims[SNT_MAX_RANK];
    float scales[SNT_MAX_RANK];
    float roi_start[SNT_MAX_RANK], roi_end[SNT_MAX_RANK];
    snt_resize_mode mode;
    snt_coord_mode coord;
    snt_nearest_mode nearest;
    float cubic_a;
    int exclude_outside;
    float extrapolation_value;
} snt_resize_params;

void snt_resize_f32(const snt_resize_params *p, const float *x, float *y);

/* Converts n elements between ONNX dtypes with ONNX Cast semantics
 * (float to int truncates toward zero, to bool is x != 0). */
void snt_cast(int src_dtype, const void *x, int dst_dtype, void *y, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_RT_H */
