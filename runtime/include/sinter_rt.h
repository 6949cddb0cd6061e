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
 *  - The runtime keeps no state and allocates nothing: a kernel that
 *    needs working memory (packed GEMM blocks, im2col columns) takes a
 *    `scratch` pointer, sized by the kernel's *_scratch_floats function,
 *    and uses nothing else.  Kernels may therefore run at the same time
 *    in several threads, each with scratch (and outputs) of its own.
 *    Scratch is best 64-byte aligned; any float alignment is correct.
 */
#ifndef SINTER_RT_H
#define SINTER_RT_H

#include <stddef.h>
#include <stdint.h>

#include "sinter_params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SNT_MAX_RANK 8

/* ONNX TensorProto.DataType codes of the types the runtime moves. */
enum {
    SNT_DT_FLOAT = 1, SNT_DT_UINT8 = 2, SNT_DT_INT8 = 3, SNT_DT_UINT16 = 4,
    SNT_DT_INT16 = 5, SNT_DT_INT32 = 6, SNT_DT_INT64 = 7, SNT_DT_BOOL = 9,
    SNT_DT_FLOAT16 = 10, SNT_DT_DOUBLE = 11, SNT_DT_UINT32 = 12, SNT_DT_UINT64 = 13,
    SNT_DT_BFLOAT16 = 16
};

/* ---------------------------------------------------------------- */
/* Threads: a parallel-for that the kernels' _mt entry points take     */
/* ---------------------------------------------------------------- */

/*
 * A kernel's `_mt` entry point splits its output into at most
 * par->threads parts (tiles, rows or channels of the output, never a
 * reduction, so every element is computed by the same instructions
 * whatever the split: the bits do not depend on the thread count) and
 * hands them to par->run.  Each part has a scratch slot of its own:
 * such a kernel's scratch is par->threads times its serial scratch,
 * each slot rounded up to whole 64-byte lines.
 *
 * par->run(ctx, task, arg, parts) must call task(arg, begin, end) on
 * disjoint ranges that cover [0, parts), in any threads and order, and
 * return once every call has returned; task runs parts begin .. end-1 in
 * turn, in slot `begin`.  task(arg, 0, parts) in the calling thread is a
 * correct serial implementation.  par == NULL, or par->run == NULL, runs
 * every part inline.  The serial entry points (without _mt) are the
 * _mt ones with par == NULL.
 */
typedef void (*snt_task)(void *arg, size_t begin, size_t end);
typedef void (*snt_parallel_fn)(void *ctx, snt_task task, void *arg, size_t parts);
typedef struct {
    snt_parallel_fn run;
    void *ctx;
    size_t threads;          /* parts a kernel splits into at most (>= 1) */
} snt_parallel;

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
    SNT_ACT_GELU_TANH,   /* tanh approximation */
    SNT_ACT_HARD_SIGMOID, /* max(0, min(1, alpha * x + beta)) */
    SNT_ACT_HARD_SWISH,  /* x * hard sigmoid(x), alpha and beta as there */
    SNT_ACT_SILU         /* x * sigmoid(x) */
} snt_act_kind;

/* Fields in sinter_params.h. */
typedef struct {
    SNT_ACT(SNT_PARAM_DECL, snt_act)
} snt_act;

/* y[i] = act(x[i]) for i < n; y may equal x. */
void snt_act_f32(const snt_act *act, const float *x, float *y, size_t n);
void snt_act_f32_mt(const snt_parallel *par, const snt_act *act, const float *x, float *y,
                    size_t n);
/* The same in double, with alpha and beta as snt_act's (double, so that
 * float64 Clip bounds stay exact). */
void snt_act_f64(snt_act_kind kind, double alpha, double beta, const double *x, double *y,
                 size_t n);

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
void snt_unary_f32_mt(const snt_parallel *par, snt_unop op, const float *x, float *y, size_t n);
void snt_unary_f64(snt_unop op, const double *x, double *y, size_t n);
/* SNT_UN_ABS and SNT_UN_NEG on an integer dtype (SNT_DT_INT8 ..
 * SNT_DT_UINT64), wrapping like two's complement (abs and negation of
 * the smallest value give itself).  Returns 1, or 0 (writing nothing)
 * for another op or dtype.  y may equal x. */
int snt_unary_int(snt_unop op, int dtype, const void *x, void *y, size_t n);
/* y[i] = min(max(x[i], lo), hi) on an integer dtype; lo and hi are
 * values of that dtype (an unsigned 64-bit bound as its bit pattern).
 * Returns 1, or 0 for a dtype that is not an integer.  y may equal x. */
int snt_clip_int(int dtype, int64_t lo, int64_t hi, const void *x, void *y, size_t n);

typedef enum {
    SNT_BIN_ADD = 0, SNT_BIN_SUB, SNT_BIN_MUL, SNT_BIN_DIV, SNT_BIN_POW,
    SNT_BIN_MAX, SNT_BIN_MIN
} snt_binop;

/* Broadcast iteration space: y is dense with dims[0..rank); a and b are
 * read at sum(idx[d] * a_strides[d]) (stride 0 on a broadcast axis). */
typedef struct {
    SNT_BCAST(SNT_PARAM_DECL, snt_bcast)
} snt_bcast;

/* y = a op b with broadcasting; y may equal a or b when that operand is
 * dense with y's shape. */
void snt_binary_f32(snt_binop op, const snt_bcast *p, const float *a, const float *b, float *y);
void snt_binary_f32_mt(const snt_parallel *par, snt_binop op, const snt_bcast *p, const float *a,
                       const float *b, float *y);
void snt_binary_f64(snt_binop op, const snt_bcast *p, const double *a, const double *b,
                    double *y);
/* The same for int64 (DIV truncates toward zero, POW by repeated product). */
void snt_binary_i64(snt_binop op, const snt_bcast *p, const int64_t *a, const int64_t *b, int64_t *y);

/* A 2-D convolution's shape: the parameters of every convolution kernel
 * below (fields in sinter_params.h). */
typedef struct {
    SNT_CONV2D_PARAMS(SNT_PARAM_DECL, snt_conv2d_params)
} snt_conv2d_params;

/* ---------------------------------------------------------------- */
/* Micro-kernel families                                              */
/* ---------------------------------------------------------------- */

/*
 * Each family has one variant per ISA and tile, listed once in
 * sinter_variants.def; the compiler picks the variant for the target it
 * generates code for and the generated C names it, e.g.
 * &snt_f32_gemm_8x48__avx512f.  A variant's symbol exists only in a
 * runtime built by a compiler that can build that ISA.
 *
 * f32-gemm: C[mr x nc] (+)= A panel * B rows, the register tile of every
 * matrix product.  a is a packed A panel of kc columns: a[p*MR + i] is
 * A[i][p] (rows mr..MR-1 zero).  Row p of B is the NR floats at
 * b + b_rows[p]: consecutive rows of a packed B panel (b_rows[p] =
 * p*NR), or runs of an image read in place (a convolution's taps), so
 * one kernel serves plain and implicit products.  All NR floats of a row
 * are read; columns nc..NR-1 are never stored.  1 <= mr <= MR,
 * 1 <= nc <= NR, kc >= 1.  C is row-major with leading dimension ldc;
 * accumulate = 0 overwrites it.  Panels are what snt_f32_gemm_pack_a and
 * snt_f32_gemm_pack_b write, at compile time for constant operands.
 */
typedef void (*snt_f32_gemm_fn)(size_t mr, size_t nc, size_t kc, const float *a, const float *b,
                                const ptrdiff_t *b_rows, float *c, size_t ldc, int accumulate);
typedef struct {
    unsigned mr, nr;      /* the register tile */
    /* Columns it computes together: a call for nc < nr columns costs nc
     * rounded up to this (nr where the whole tile is always computed). */
    unsigned nc_step;
    snt_f32_gemm_fn run;
} snt_f32_gemm_ukernel;

#define SNT_F32_GEMM(tile, isa, mr, nr) extern const snt_f32_gemm_ukernel snt_f32_gemm_##tile##__##isa;
#include "sinter_variants.def"

/* Floats of the panels of an m x k A (m rounded up to mr) or a k x n B
 * (n rounded up to nr). */
size_t snt_f32_gemm_packed_a_floats(size_t m, size_t k, size_t mr);
size_t snt_f32_gemm_packed_b_floats(size_t k, size_t n, size_t nr);
/* Packs A[i][p] = a[i*rs + p*cs] (m x k) as panels of mr rows, each
 * holding all k columns: panel t at dst + t*mr*k. */
void snt_f32_gemm_pack_a(size_t m, size_t k, size_t mr, const float *a, ptrdiff_t rs,
                         ptrdiff_t cs, float *dst);
/* Packs B[p][j] = b[p*rs + j*cs] (k x n) as panels of nr columns, each
 * holding all k rows: panel t at dst + t*nr*k. */
void snt_f32_gemm_pack_b(size_t k, size_t n, size_t nr, const float *b, ptrdiff_t rs,
                         ptrdiff_t cs, float *dst);

/*
 * f32-gemv: y[j] = sum over p < k of x[p] * b[p*NR + j] for j < nc: one
 * row times a packed B panel (snt_f32_gemm_pack_b's layout, for the
 * f32-gemm variant of the same NR), the matrix-vector product of a
 * Linear on one sample.  x is read where it lies and the panel front to
 * back, with no A panel and no row offsets between the loads, so that
 * the product streams the weights as fast as memory delivers them.  All
 * NR floats of a row are read; columns nc..NR-1 are never stored.
 * 1 <= nc <= NR; k = 0 stores zeros.
 */
typedef void (*snt_f32_gemv_fn)(size_t nc, size_t k, const float *x, const float *b, float *y);
typedef struct {
    unsigned mr, nr;      /* the tile: 1 row, the columns of a panel */
    snt_f32_gemv_fn run;
} snt_f32_gemv_ukernel;

#define SNT_F32_GEMV(tile, isa, mr, nr) extern const snt_f32_gemv_ukernel snt_f32_gemv_##tile##__##isa;
#include "sinter_variants.def"

/*
 * An activation that a micro-kernel applies to its outputs in registers,
 * before it stores them (rather than a pass over them afterwards):
 * h = min(max(alpha v + beta, 0), 1), NaN staying NaN, and the output
 * v * h (HardSwish) or h (HardSigmoid), as snt_act's HARD_SWISH and
 * HARD_SIGMOID compute them.
 */
typedef struct {
    float alpha, beta;
    int times_v;              /* 1: v * h, 0: h */
} snt_f32_hard_act;

/*
 * f32-dwconv: up to mr output rows of one channel of a depthwise
 * convolution, at unit column stride and dilation, from an input that
 * needs no bounds checks (snt_dwconv2d_f32 pads it, deinterleaves
 * strided columns and takes dilated rows as interleaved sets of rows).
 * For r < rows and x < ow:
 *   out[r*out_ld + x] = (accumulate ? out[r*out_ld + x] : bias)
 *       + sum over ky < kh, kx < kw of
 *         w[kx*kh + ky] * in[(r*sh + ky)*in_ld + col[kx] + x]
 * then, with act, act of that sum.
 * Input row r*sh + ky feeds output row r through tap row ky, so a
 * variant loads each input vector once for all the rows it keeps in
 * registers.  The taps are transposed (column-major) so that the taps of
 * one tap column sit together.  Variants write out only at r < rows,
 * x < ow, and read the input only at those positions for x < ow, but
 * for all mr rows: the input needs (mr - 1)*sh + kh rows, whatever rows
 * is (a variant computes a full tile rather than test each row).
 * Requires 1 <= rows <= mr and ow, kh, kw, sh >= 1.
 */
typedef struct {
    size_t rows, ow;          /* output rows (<= mr) and columns */
    size_t kh, kw;            /* taps */
    size_t sh;                /* input rows from one output row to the next */
    const float *in;          /* input row of output row 0, tap row 0;
                                 (mr - 1)*sh + kh rows */
    size_t in_ld;             /* floats from one input row to the next */
    const size_t *col;        /* [kw]: where tap column kx starts in a row */
    const float *w;           /* [kw][kh] taps */
    float *out;
    size_t out_ld;
    float bias;               /* initial value unless accumulate */
    int accumulate;
    const snt_f32_hard_act *act;  /* on the sums before they are stored, or NULL */
} snt_f32_dwconv_args;
typedef void (*snt_f32_dwconv_fn)(const snt_f32_dwconv_args *a);

/*
 * The other way of a depthwise variant (optional): for small images,
 * where the work per channel is too short to pay for one channel's rows
 * at a time, up to SNT_DWCONV_LANES channels at once, one in each vector
 * lane.  The variant copies the nc channels' input into grid (the padded
 * image, [ph][pw][SNT_DWCONV_LANES], ph and pw the padded extents the
 * outputs read; its padding zero), computes every output pixel of all
 * lanes at once into out ([oh*ow][SNT_DWCONV_LANES], the pixels rounded
 * up to whole blocks of SNT_DWCONV_LANES, which it may read) and copies
 * each channel's output back into its plane of y (through act when not
 * NULL), before the epilogue.  Any stride, dilation and padding.  Requires 1 <= nc <= SNT_DWCONV_LANES.
 */
#define SNT_DWCONV_LANES 16
typedef struct {
    const snt_conv2d_params *p;
    size_t nc;                /* channels, <= SNT_DWCONV_LANES */
    const float *x;           /* the first channel's input plane; planes h*w apart */
    const float *w;           /* [kh*kw][SNT_DWCONV_LANES] taps (lanes past nc zero) */
    const float *bias;        /* [SNT_DWCONV_LANES] */
    float *y;                 /* the first channel's output plane; planes oh*ow apart */
    float *grid, *out;        /* scratch, as above */
    const snt_f32_hard_act *act;  /* on the sums before they are stored, or NULL */
} snt_f32_dwconv_lanes_args;
typedef void (*snt_f32_dwconv_lanes_fn)(const snt_f32_dwconv_lanes_args *a);

typedef struct {
    unsigned mr;              /* output rows per call at most */
    unsigned nr;              /* output columns of one register strip */
    snt_f32_dwconv_fn run;
    snt_f32_dwconv_lanes_fn lanes;   /* NULL: rows only */
} snt_f32_dwconv_ukernel;

#define SNT_F32_DWCONV(tile, isa, mr, nr) extern const snt_f32_dwconv_ukernel snt_f32_dwconv_##tile##__##isa;
#include "sinter_variants.def"

/*
 * f32-conv-thin: one output row of up to mr output channels of a
 * convolution with few taps per output (c*kh*kw, the stem of an image
 * network), directly: output pixels in the vector lanes, a register
 * tile of mr channels by nr pixels, each tap's weights broadcast.
 * For m < mc and x < ow:
 *   out[m*out_ld + x] = bias[m] + sum over t < taps of
 *                       w[t*mr + m] * in[tap_at[t] + x]
 * then, with act, act of that sum.
 * snt_conv2d_thin_f32 lays out the input so that every tap is such a
 * run (rows padded and split into column phases) and packs w.  Variants
 * read in[] only at x < ow and write out only at m < mc, x < ow; they
 * read all mr rows of w and bias (zero past mc).  1 <= mc <= mr,
 * ow >= 1, taps >= 1.
 */
typedef struct {
    size_t mc, ow, taps;      /* output channels (<= mr), pixels, taps */
    const float *in;
    const size_t *tap_at;     /* [taps]: where tap t's run starts in in */
    const float *w;           /* [taps][mr] */
    const float *bias;        /* [mr] */
    float *out;
    size_t out_ld;            /* floats from one output channel to the next */
    const snt_f32_hard_act *act;  /* on the sums before they are stored, or NULL */
} snt_f32_conv_thin_args;
typedef void (*snt_f32_conv_thin_fn)(const snt_f32_conv_thin_args *a);
typedef struct {
    unsigned mr;              /* output channels per call at most */
    unsigned nr;              /* output pixels of one register tile */
    snt_f32_conv_thin_fn run;
} snt_f32_conv_thin_ukernel;

#define SNT_F32_CONV_THIN(tile, isa, mr, nr) \
    extern const snt_f32_conv_thin_ukernel snt_f32_conv_thin_##tile##__##isa;
#include "sinter_variants.def"

/*
 * x32-transpose: one full mr x nr tile of 32-bit elements (float, int32,
 * uint32) copied transposed, dst[c*dst_ld + r] = src[r*src_ld + c] for
 * r < mr, c < nr; the register tile of snt_transpose_x32, which copies
 * ragged edges itself.  The SIMD variants load the mr rows, shuffle
 * them in registers and store nr rows, so that a transposition reads
 * and writes whole vectors instead of one element per access.
 */
typedef void (*snt_x32_transpose_fn)(const uint32_t *src, ptrdiff_t src_ld, uint32_t *dst,
                                     ptrdiff_t dst_ld);
typedef struct {
    unsigned mr, nr;          /* the tile: source rows and columns */
    snt_x32_transpose_fn run;
} snt_x32_transpose_ukernel;

#define SNT_X32_TRANSPOSE(tile, isa, mr, nr) \
    extern const snt_x32_transpose_ukernel snt_x32_transpose_##tile##__##isa;
#include "sinter_variants.def"

/* ---------------------------------------------------------------- */
/* Matrix products                                                    */
/* ---------------------------------------------------------------- */

/* C[i][j] (+)= alpha * sum_p A[i][p] * B[p][j], with A[i][p] at
 * a[i*a_rs + p*a_cs] and B[p][j] at b[p*b_rs + j*b_cs]; C is row-major
 * with leading dimension ldc.  accumulate = 0 overwrites C.  Operands are
 * packed block by block into scratch, snt_sgemm_scratch_floats(m, n, k)
 * floats (at most 1.1 MiB; 0, and scratch may be NULL, for products too
 * small to pack).  The size never decreases as m, n or k grow, so the
 * scratch of the largest of several products serves them all. */
void snt_sgemm(size_t m, size_t n, size_t k, float alpha,
               const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
               const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
               float *c, size_t ldc, int accumulate, float *scratch);
size_t snt_sgemm_scratch_floats(size_t m, size_t n, size_t k);
/* Split by rows of C; scratch: a slot of snt_sgemm_scratch_floats(m, n, k)
 * floats (whole 64-byte lines) per thread of par. */
void snt_sgemm_mt(const snt_parallel *par, size_t m, size_t n, size_t k, float alpha,
                  const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                  const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                  float *c, size_t ldc, int accumulate, float *scratch);

/* Batched MatMul with numpy broadcasting over the batch dims:
 * y[batch] (m x n) = a[batch] (m x k) * b[batch] (k x n). */
typedef struct {
    SNT_MATMUL_PARAMS(SNT_PARAM_DECL, snt_matmul_params)
} snt_matmul_params;

/* scratch: snt_matmul_scratch_floats(p) floats, for snt_sgemm. */
void snt_matmul_f32(const snt_matmul_params *p, const float *a, const float *b, float *y,
                    float *scratch);
void snt_matmul_f32_mt(const snt_parallel *par, const snt_matmul_params *p, const float *a,
                       const float *b, float *y, float *scratch);
size_t snt_matmul_scratch_floats(const snt_matmul_params *p);

/* Gemm: Y = alpha * op(A) * op(B) + beta * C, C broadcast to (m, n) by
 * its strides (0 on a broadcast axis; c may be NULL). */
typedef struct {
    SNT_GEMM_PARAMS(SNT_PARAM_DECL, snt_gemm_params)
} snt_gemm_params;

/* scratch: snt_sgemm_scratch_floats(p->m, p->n, p->k) floats. */
void snt_gemm_f32(const snt_gemm_params *p, const float *a, const float *b, const float *c, float *y,
                  float *scratch);
void snt_gemm_f32_mt(const snt_parallel *par, const snt_gemm_params *p, const float *a,
                     const float *b, const float *c, float *y, float *scratch);

/* A fully connected layer over the last axis: y[m][n] = act(sum_k
 * x[m][k] * w[k][n] + bias[n]); bias may be NULL.  x is every leading
 * axis flattened into m rows. */
typedef struct {
    SNT_LINEAR_PARAMS(SNT_PARAM_DECL, snt_linear_params)
} snt_linear_params;

/* scratch: snt_sgemm_scratch_floats(p->m, p->n, p->k) floats. */
void snt_linear_f32(const snt_linear_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch);
/* The same on the f32-gemm micro-kernel uk, with W packed as B panels:
 * snt_f32_gemm_pack_b(k, n, uk->nr, w, n, 1, w_packed), which the
 * compiler runs on constant weights; X is packed block by block in
 * scratch (snt_linear_gemm_scratch_floats(p, uk->mr, uk->nr) floats). */
void snt_linear_gemm_f32(const snt_linear_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias, float *y,
                         float *scratch);
void snt_linear_gemm_f32_mt(const snt_parallel *par, const snt_linear_params *p,
                            const snt_f32_gemm_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, float *y, float *scratch);
size_t snt_linear_gemm_scratch_floats(const snt_linear_params *p, unsigned mr, unsigned nr);
/* The same row by row on the f32-gemv micro-kernel uk, with W packed as
 * for snt_linear_gemm_f32 on an f32-gemm variant of uk->nr columns; no
 * scratch.  For one row (a sample), where the micro-kernel's row tile
 * would have nothing to reuse.  Split over threads by panels of columns. */
void snt_linear_gemv_f32(const snt_linear_params *p, const snt_f32_gemv_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias, float *y);
void snt_linear_gemv_f32_mt(const snt_parallel *par, const snt_linear_params *p,
                            const snt_f32_gemv_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, float *y);

/* ---------------------------------------------------------------- */
/* Convolution and pooling (NCHW; 1-D ops run as H = 1)               */
/* ---------------------------------------------------------------- */

/* w: [k][c/groups][kh][kw]; bias: [k] or NULL.  scratch holds
 * snt_conv2d_scratch_floats(p) floats: an im2col band and snt_sgemm's
 * packed blocks (0, and it may be NULL, for a depthwise convolution). */
void snt_conv2d_f32(const snt_conv2d_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch);
/* The same with a fused epilogue after the activation, per output channel
 * ch: y = act(conv + bias[ch]) * post_scale[ch] + post_shift[ch] + residual
 * (an inference BatchNormalization after the activation, then a residual
 * Add).  post_scale and post_shift are [k] or both NULL; residual is dense
 * with y's shape, or NULL, and must not overlap y. */
void snt_conv2d_fused_f32(const snt_conv2d_params *p, const float *x, const float *w,
                          const float *bias, const float *post_scale, const float *post_shift,
                          const float *residual, float *y, float *scratch);
size_t snt_conv2d_scratch_floats(const snt_conv2d_params *p);

/*
 * The same convolution as a matrix product on the f32-gemm micro-kernel
 * uk, with no im2col buffer (the input is copied, zero padded, into
 * planes on which each im2col row is a run that the micro-kernel reads
 * in place; a 1x1 convolution of stride 1 reads the image itself), in
 * scratch (snt_conv2d_gemm_scratch_floats(p, uk->mr, uk->nr) floats).  w_packed is the
 * weights as snt_conv2d_pack_weights(p, uk->mr, ...) writes them
 * (snt_conv2d_packed_weights_floats(p, uk->mr) floats); the compiler packs
 * constant weights when it generates code.  Epilogue as
 * snt_conv2d_fused_f32's.
 */
void snt_conv2d_gemm_f32(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias,
                         const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch);
size_t snt_conv2d_gemm_scratch_floats(const snt_conv2d_params *p, unsigned mr, unsigned nr);
void snt_conv2d_gemm_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                            const snt_f32_gemm_ukernel *uk, const float *x, const float *w_packed,
                            const float *bias, const float *post_scale, const float *post_shift,
                            const float *residual, float *y, float *scratch);
size_t snt_conv2d_packed_weights_floats(const snt_conv2d_params *p, unsigned mr);
/* w: [k][c/groups][kh][kw] into panels of mr output channels, group by
 * group. */
void snt_conv2d_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w, float *dst);

/*
 * The same convolution by Winograd's F(4x4, 3x3) (conv2d_winograd.c), for
 * the convolutions where snt_conv2d_winograd_applies: 3x3, stride 1,
 * dilation 1 (any groups).  A quarter of the multiplications of the
 * direct sum, with transforms of input and output around 36 matrix
 * products on the f32-gemm micro-kernel uk; equal to the direct sum up
 * to rounding.  u is the transformed weights as
 * snt_conv2d_winograd_pack_weights(p, uk->mr, ...) writes them
 * (snt_conv2d_winograd_weights_floats(p, uk->mr) floats, given `work`
 * of 36 * k * c / groups floats); the compiler transforms constant weights when
 * it generates code.  Scratch: snt_conv2d_winograd_scratch_floats(p,
 * uk->mr, uk->nr) floats.  Epilogue as snt_conv2d_fused_f32's.
 */
int snt_conv2d_winograd_applies(const snt_conv2d_params *p);
void snt_conv2d_winograd_f32(const snt_conv2d_params *p, const snt_f32_gemm_ukernel *uk,
                             const float *x, const float *u, const float *bias,
                             const float *post_scale, const float *post_shift,
                             const float *residual, float *y, float *scratch);
void snt_conv2d_winograd_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                                const snt_f32_gemm_ukernel *uk, const float *x, const float *u,
                                const float *bias, const float *post_scale,
                                const float *post_shift, const float *residual, float *y,
                                float *scratch);
size_t snt_conv2d_winograd_scratch_floats(const snt_conv2d_params *p, unsigned mr, unsigned nr);
size_t snt_conv2d_winograd_weights_floats(const snt_conv2d_params *p, unsigned mr);
void snt_conv2d_winograd_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w,
                                      float *dst, float *work);

/*
 * Two 1x1 convolutions of stride 1 without padding in a row, the first
 * one's output never stored (pointwise_pair.c): per image,
 *   H = act1(W1 X + bias1) * scale1 + shift1       [m x hw]
 *   Y = act2(W2 H + bias2) * scale2 + shift2 + residual    [k x hw]
 * on the f32-gemm micro-kernel uk, W1 [m][c] and W2 [k][m] packed as
 * snt_conv2d_pack_weights packs 1x1 convolutions (A panels of uk->mr
 * rows).  c and m >= 1; bias, scale (with shift) and residual may be
 * NULL; the residual is dense with Y's shape and must not overlap Y.
 * Scratch: snt_pointwise_pair_scratch_floats(p, uk->mr, uk->nr) floats.
 */
typedef struct {
    SNT_POINTWISE_PAIR_PARAMS(SNT_PARAM_DECL, snt_pointwise_pair_params)
} snt_pointwise_pair_params;

size_t snt_pointwise_pair_scratch_floats(const snt_pointwise_pair_params *p, unsigned mr,
                                         unsigned nr);
void snt_pointwise_pair_f32(const snt_pointwise_pair_params *p, const snt_f32_gemm_ukernel *uk,
                            const float *x, const float *w1_packed, const float *bias1,
                            const float *scale1, const float *shift1, const float *w2_packed,
                            const float *bias2, const float *scale2, const float *shift2,
                            const float *residual, float *y, float *scratch);
void snt_pointwise_pair_f32_mt(const snt_parallel *par, const snt_pointwise_pair_params *p,
                               const snt_f32_gemm_ukernel *uk, const float *x,
                               const float *w1_packed, const float *bias1, const float *scale1,
                               const float *shift1, const float *w2_packed, const float *bias2,
                               const float *scale2, const float *shift2, const float *residual,
                               float *y, float *scratch);

/*
 * A depthwise convolution (groups == c == k, w: [c][1][kh][kw]; any
 * stride, dilation, padding and batch) on the f32-dwconv micro-kernel
 * uk.  Band by band of output rows, each channel's input band is copied
 * with its padding into scratch (snt_dwconv2d_scratch_floats(p, uk->mr)
 * floats), so the micro-kernel has no borders.  Epilogue as
 * snt_conv2d_fused_f32's.
 */
void snt_dwconv2d_f32(const snt_conv2d_params *p, const snt_f32_dwconv_ukernel *uk,
                      const float *x, const float *w, const float *bias,
                      const float *post_scale, const float *post_shift,
                      const float *residual, float *y, float *scratch);
void snt_dwconv2d_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                         const snt_f32_dwconv_ukernel *uk, const float *x, const float *w,
                         const float *bias, const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch);
size_t snt_dwconv2d_scratch_floats(const snt_conv2d_params *p, unsigned mr);

/*
 * A convolution with few taps per output (groups == 1, a window larger
 * than 1x1 and c*kh*kw at most SNT_CONV_THIN_MAX_TAPS: an image
 * network's first layer) directly
 * on the f32-conv-thin micro-kernel uk (conv2d_thin.c), without a
 * matrix product: band by band of output rows, the input rows are copied
 * padded and split into column phases into scratch
 * (snt_conv2d_thin_scratch_floats(p, uk->mr) floats), on which every tap
 * of an output row is a run of consecutive floats.  w_packed is W as
 * snt_conv2d_thin_pack_weights(p, uk->mr, ...) writes it
 * (snt_conv2d_thin_packed_floats(p, uk->mr) floats); the compiler packs
 * constant weights.  Any stride, dilation and padding; epilogue as
 * snt_conv2d_fused_f32's.
 */
#define SNT_CONV_THIN_MAX_TAPS 32
int snt_conv2d_thin_applies(const snt_conv2d_params *p);
void snt_conv2d_thin_f32(const snt_conv2d_params *p, const snt_f32_conv_thin_ukernel *uk,
                         const float *x, const float *w_packed, const float *bias,
                         const float *post_scale, const float *post_shift,
                         const float *residual, float *y, float *scratch);
void snt_conv2d_thin_f32_mt(const snt_parallel *par, const snt_conv2d_params *p,
                            const snt_f32_conv_thin_ukernel *uk, const float *x,
                            const float *w_packed, const float *bias, const float *post_scale,
                            const float *post_shift, const float *residual, float *y,
                            float *scratch);
size_t snt_conv2d_thin_scratch_floats(const snt_conv2d_params *p, unsigned mr);
size_t snt_conv2d_thin_packed_floats(const snt_conv2d_params *p, unsigned mr);
/* w: [k][c][kh][kw] into blocks of mr output channels, each [taps][mr]
 * (channels past k zero). */
void snt_conv2d_thin_pack_weights(const snt_conv2d_params *p, unsigned mr, const float *w,
                                  float *dst);

/* A 2-D pool's geometry (fields in sinter_params.h). */
typedef struct {
    SNT_POOL2D_PARAMS(SNT_PARAM_DECL, snt_pool2d_params)
} snt_pool2d_params;

void snt_maxpool2d_f32(const snt_pool2d_params *p, const float *x, float *y);
void snt_avgpool2d_f32(const snt_pool2d_params *p, const float *x, float *y);
void snt_maxpool2d_f32_mt(const snt_parallel *par, const snt_pool2d_params *p, const float *x,
                          float *y);
void snt_avgpool2d_f32_mt(const snt_parallel *par, const snt_pool2d_params *p, const float *x,
                          float *y);
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
void snt_layernorm_f32_mt(const snt_parallel *par, size_t rows, size_t cols, const float *x,
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
    SNT_REDUCE_PARAMS(SNT_PARAM_DECL, snt_reduce_params)
} snt_reduce_params;

void snt_reduce_f32(snt_redop op, const snt_reduce_params *p, const float *x, float *y);

/* Integer reductions in the element's own type, for SNT_RED_SUM, MAX,
 * MIN, PROD, L1 and SUM_SQUARE only (other ops: unspecified values).
 * Sums and products wrap modulo 2^bits; an empty max / min gives the
 * type's lowest / highest value. */
void snt_reduce_i8(snt_redop op, const snt_reduce_params *p, const int8_t *x, int8_t *y);
void snt_reduce_u8(snt_redop op, const snt_reduce_params *p, const uint8_t *x, uint8_t *y);
void snt_reduce_i16(snt_redop op, const snt_reduce_params *p, const int16_t *x, int16_t *y);
void snt_reduce_u16(snt_redop op, const snt_reduce_params *p, const uint16_t *x, uint16_t *y);
void snt_reduce_i32(snt_redop op, const snt_reduce_params *p, const int32_t *x, int32_t *y);
void snt_reduce_u32(snt_redop op, const snt_reduce_params *p, const uint32_t *x, uint32_t *y);
void snt_reduce_i64(snt_redop op, const snt_reduce_params *p, const int64_t *x, int64_t *y);
void snt_reduce_u64(snt_redop op, const snt_reduce_params *p, const uint64_t *x, uint64_t *y);

/* ---------------------------------------------------------------- */
/* Data movement (any element type, by size in bytes)                 */
/* ---------------------------------------------------------------- */

/* dst[sum(i[d]*dst_strides[d])] = src[sum(i[d]*src_strides[d])] over
 * dims; strides may be negative.  Serves Transpose, Slice, Concat,
 * Split and Expand. */
typedef struct {
    SNT_STRIDED(SNT_PARAM_DECL, snt_strided)
} snt_strided;

void snt_strided_copy(const snt_strided *p, size_t elem_size, const void *src, void *dst);
void snt_strided_copy_mt(const snt_parallel *par, const snt_strided *p, size_t elem_size,
                         const void *src, void *dst);

/* snt_strided_copy of 32-bit elements for a Transpose: once unit axes
 * are dropped and contiguous ones merged, a copy that reads one axis
 * contiguously and writes another contiguously (a matrix transposed,
 * for every index of the other axes) runs in uk's tiles; any other
 * copy is left to snt_strided_copy. */
void snt_transpose_x32(const snt_strided *p, const snt_x32_transpose_ukernel *uk,
                       const void *src, void *dst);
void snt_transpose_x32_mt(const snt_parallel *par, const snt_strided *p,
                          const snt_x32_transpose_ukernel *uk, const void *src, void *dst);

/* Gather along an axis of x viewed as [outer][axis_len][inner]:
 * y[o][j][i] = x[o][idx[j]][i] for j < n_idx; negative indices count from
 * the end; indices out of range are clamped (ONNX leaves them undefined). */
void snt_gather_i64(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int64_t *idx, size_t n_idx, void *y);
void snt_gather_i32(size_t outer, size_t axis_len, size_t inner, size_t elem_size,
                    const void *x, const int32_t *idx, size_t n_idx, void *y);

typedef enum { SNT_PAD_CONSTANT = 0, SNT_PAD_REFLECT, SNT_PAD_EDGE } snt_pad_mode;

/* pads_begin may be negative (crop); out_dims[d] = in_dims[d] + begin +
 * end (fields in sinter_params.h). */
typedef struct {
    SNT_PAD_PARAMS(SNT_PARAM_DECL, snt_pad_params)
} snt_pad_params;

void snt_pad_f32(const snt_pad_params *p, const float *x, float *y);
/* Any element type: `value` points at one element of it (p->value is
 * not read). */
void snt_pad(const snt_pad_params *p, size_t elem_size, const void *value, const void *x, void *y);

typedef enum { SNT_RESIZE_NEAREST = 0, SNT_RESIZE_LINEAR, SNT_RESIZE_CUBIC } snt_resize_mode;
typedef enum {
    SNT_COORD_HALF_PIXEL = 0, SNT_COORD_PYTORCH_HALF_PIXEL, SNT_COORD_ALIGN_CORNERS,
    SNT_COORD_ASYMMETRIC, SNT_COORD_TF_CROP_AND_RESIZE, SNT_COORD_TF_HALF_PIXEL_FOR_NN
} snt_coord_mode;
typedef enum {
    SNT_NEAREST_ROUND_PREFER_FLOOR = 0, SNT_NEAREST_ROUND_PREFER_CEIL,
    SNT_NEAREST_FLOOR, SNT_NEAREST_CEIL
} snt_nearest_mode;

/* N-D resize; fields in sinter_params.h. */
typedef struct {
    SNT_RESIZE_PARAMS(SNT_PARAM_DECL, snt_resize_params)
} snt_resize_params;

/* y = act(Resize(x)) + residual (laid out like y; may be NULL), each
 * output row finished while still in cache: a decoder's upsample,
 * activation and skip connection in one pass over y. */
void snt_resize_fused_f32(const snt_resize_params *p, const float *x, const float *residual,
                          float *y);
/* snt_resize_fused_f32 without a residual. */
void snt_resize_f32(const snt_resize_params *p, const float *x, float *y);
void snt_resize_fused_f32_mt(const snt_parallel *par, const snt_resize_params *p,
                             const float *x, const float *residual, float *y);
void snt_resize_f32_mt(const snt_parallel *par, const snt_resize_params *p, const float *x,
                       float *y);

/* UNeXt's shifted tokens: channels [chunk_end[k-1], chunk_end[k]) move
 * by shift[k] pixels along h (axis 0) or w (axis 1), zeros shifted in:
 * y(n,c,h,w) = x(n,c,h - shift,w) or 0 outside.  The strides (elements,
 * the same for x and y) give the layout: tokens [n][h*w][c] or images
 * [n][c][h][w].  y must not overlap x.  Fields in sinter_params.h. */
#define SNT_SHIFT_MAX_CHUNKS 16
typedef struct {
    SNT_SHIFT_PARAMS(SNT_PARAM_DECL, snt_shift_params)
} snt_shift_params;

void snt_shift_tokenize_f32(const snt_shift_params *p, const float *x, float *y);

/* A Linear layer reading its input through UNeXt's shift: row r of the
 * product is token r of y = shift(x) (as snt_shift_tokenize_f32 on tokens
 * [n][h*w][k], channel chunks moved along h (axis 0) or w (axis 1)), but
 * the shifted tokens are packed into `scratch` a block of rows at a time
 * instead of being stored whole.  linear.m = n*h*w, linear.k = channels;
 * scratch holds snt_shift_linear_scratch_floats(p) floats.  Fields in
 * sinter_params.h. */
typedef struct {
    SNT_SHIFT_LINEAR_PARAMS(SNT_PARAM_DECL, snt_shift_linear_params)
} snt_shift_linear_params;

size_t snt_shift_linear_scratch_floats(const snt_shift_linear_params *p);
void snt_shift_linear_f32(const snt_shift_linear_params *p, const float *x, const float *w,
                          const float *bias, float *scratch, float *y);
/* The same on the f32-gemm micro-kernel uk, W packed as for
 * snt_linear_gemm_f32 (snt_f32_gemm_pack_b(k, n, uk->nr, ...)). */
size_t snt_shift_linear_gemm_scratch_floats(const snt_shift_linear_params *p, unsigned mr,
                                            unsigned nr);
void snt_shift_linear_gemm_f32(const snt_shift_linear_params *p, const snt_f32_gemm_ukernel *uk,
                               const float *x, const float *w_packed, const float *bias,
                               float *scratch, float *y);
void snt_shift_linear_gemm_f32_mt(const snt_parallel *par, const snt_shift_linear_params *p,
                                  const snt_f32_gemm_ukernel *uk, const float *x,
                                  const float *w_packed, const float *bias, float *scratch,
                                  float *y);

/* Converts n elements between ONNX dtypes with ONNX Cast semantics
 * (float to int truncates toward zero, to bool is x != 0). */
void snt_cast(int src_dtype, const void *x, int dst_dtype, void *y, size_t n);

/* ---------------------------------------------------------------- */
/* More network ops: activations, ConvTranspose, normalizations,      */
/* pools and kernels along one axis                                   */
/* ---------------------------------------------------------------- */

/* Activations with their own parameters (actx.c); the fused conv
 * epilogues do not take these. */
typedef enum {
    SNT_ACTX_ELU = 0,          /* x < 0 ? alpha (exp(x) - 1) : x */
    SNT_ACTX_SELU,             /* gamma (x <= 0 ? alpha (exp(x) - 1) : x) */
    SNT_ACTX_CELU,             /* max(0, x) + min(0, alpha (exp(x / alpha) - 1)) */
    SNT_ACTX_THRESHOLDED_RELU, /* x > alpha ? x : 0 */
    SNT_ACTX_SHRINK,           /* x < -alpha ? x + beta : x > alpha ? x - beta : 0 */
    SNT_ACTX_SOFTPLUS,         /* log(1 + exp(x)) */
    SNT_ACTX_SOFTSIGN,         /* x / (1 + |x|) */
    SNT_ACTX_HARD_SIGMOID,     /* max(0, min(1, alpha x + beta)) */
    SNT_ACTX_HARD_SWISH,       /* x max(0, min(1, x / 6 + 1 / 2)) */
    SNT_ACTX_MISH              /* x tanh(log(1 + exp(x))) */
} snt_actx_kind;

/* Fields in sinter_params.h. */
typedef struct {
    SNT_ACTX(SNT_PARAM_DECL, snt_actx)
} snt_actx;

/* y[i] = act(x[i]) for i < n; y may equal x. */
void snt_actx_f32(const snt_actx *act, const float *x, float *y, size_t n);
void snt_actx_f64(const snt_actx *act, const double *x, double *y, size_t n);
/* PRelu: y = x < 0 ? slope * x : x, x read with p->a_strides and the
 * slope with p->b_strides (broadcast); y may equal x. */
void snt_prelu_f32(const snt_bcast *p, const float *x, const float *slope, float *y);
void snt_prelu_f64(const snt_bcast *p, const double *x, const double *slope, double *y);

/* y = (x - mean) / sqrt(var + eps) * scale[c] + bias[c], the statistics
 * taken over each of the n x c planes of hw elements. */
void snt_instancenorm_f32(size_t n, size_t c, size_t hw, const float *x, const float *scale,
                          const float *bias, float eps, float *y);
/* Local response normalization across channels of x [n][c][hw]:
 * y = x / (bias + alpha / size * sum of x^2 over the `size` channels
 * around c) ^ beta. */
void snt_lrn_f32(size_t n, size_t c, size_t hw, size_t size, float alpha, float beta,
                 float bias, const float *x, float *y);
/* Mean-variance normalization: y = (x - mean) / (sqrt(var) + 1e-9) over
 * each group of elements that p's red space spans; y is written at the
 * offsets x is read from (same layout). */
void snt_mvn_f32(const snt_reduce_params *p, const float *x, float *y);
/* y = x / ||x||_p (p is 1 or 2) along the middle axis of [outer][len][inner];
 * an all-zero line stays zero. */
void snt_lpnorm_f32(size_t outer, size_t len, size_t inner, int p, const float *x, float *y);

/* y[i] = max of x[i*hw .. (i+1)*hw) for i < nc. */
void snt_global_maxpool_f32(size_t nc, size_t hw, const float *x, float *y);
/* y = (sum over the window of |x|^pnorm) ^ (1 / pnorm); padding adds 0. */
void snt_lppool2d_f32(const snt_pool2d_params *p, float pnorm, const float *x, float *y);

/* Along the middle axis of x viewed as [outer][len][inner] (axis_lines.c): */
/* y = x - max - log(sum exp(x - max)). */
void snt_log_softmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y);
/* y = 1 at the first maximum of each line, 0 elsewhere. */
void snt_hardmax_f32(size_t outer, size_t len, size_t inner, const float *x, float *y);
/* y[o][i] = index of the first (or with select_last, last) maximum, or
 * with find_min minimum, of the line x[o][.][i]. */
void snt_argreduce_f32(size_t outer, size_t len, size_t inner, int find_min, int select_last,
                       const float *x, int64_t *y);
/* Running sums of each line, for dtype FLOAT, DOUBLE, INT32, INT64,
 * UINT32 or UINT64 (integers wrap): exclusive leaves out the element
 * itself, reverse sums from the end of the line.  y must not overlap x. */
void snt_cumsum(int dtype, size_t outer, size_t len, size_t inner, int exclusive, int reverse,
                const void *x, void *y);

/* ---------------------------------------------------------------- */
/* Indexing and selection (indexing.c, select.c)                      */
/* ---------------------------------------------------------------- */

/* Index tensors of these kernels have dtype idx_dtype: any integer
 * SNT_DT_* code, or FLOAT / DOUBLE (OneHot's indices; truncated).
 * Negative indices count from the end of their axis.  Gathers clamp
 * indices out of range (ONNX leaves them undefined) so they never read
 * outside x; scatters and OneHot skip them. */

typedef enum {
    SNT_SCATTER_NONE = 0, SNT_SCATTER_ADD, SNT_SCATTER_MUL, SNT_SCATTER_MAX, SNT_SCATTER_MIN
} snt_scatter_op;

/* GatherElements / ScatterElements: idx (and updates, and GatherElements'
 * y) have idx_dims; element i of them addresses the element of x (dims
 * x_dims) at i's coordinates with coordinate `axis` replaced by idx[i]. */
typedef struct {
    SNT_ELEMENTS_PARAMS(SNT_PARAM_DECL, snt_elements_params)
} snt_elements_params;

void snt_gather_elements(const snt_elements_params *p, size_t elem_size, const void *x,
                         int idx_dtype, const void *idx, void *y);
/* y = x, then y[addressed by idx[i]] = updates[i] (or combined with it
 * by `op`, for dtype FLOAT, DOUBLE or an integer type), in index order.
 * y may equal x. */
void snt_scatter_elements(const snt_elements_params *p, int dtype, snt_scatter_op op,
                          const void *x, int idx_dtype, const void *idx, const void *updates,
                          void *y);

/* GatherND / ScatterND: x is [batch][dims[0]]..[dims[k-1]][slice]; idx
 * is [batch][tuples][k]; each k-tuple picks one slice of `slice`
 * elements.  GatherND's y (and ScatterND's updates) are
 * [batch][tuples][slice]. */
typedef struct {
    SNT_ND_PARAMS(SNT_PARAM_DECL, snt_nd_params)
} snt_nd_params;

void snt_gather_nd(const snt_nd_params *p, size_t elem_size, const void *x, int idx_dtype,
                   const void *idx, void *y);
/* y = x, then each tuple's slice of y is set to (or combined with) the
 * tuple's updates, in index order.  y may equal x. */
void snt_scatter_nd(const snt_nd_params *p, int dtype, snt_scatter_op op, const void *x,
                    int idx_dtype, const void *idx, const void *updates, void *y);

/* OneHot: y[o][d][i] = values[1] if idx[o][i] (negative: + depth) == d,
 * else values[0]; values holds two elements of elem_size bytes. */
void snt_onehot(size_t outer, size_t depth, size_t inner, int idx_dtype, const void *idx,
                size_t elem_size, const void *values, void *y);

/* Where: out = cond ? x : y with broadcasting; out is dense over dims,
 * each operand is read through its strides (0 on broadcast axes). */
typedef struct {
    SNT_WHERE_PARAMS(SNT_PARAM_DECL, snt_where_params)
} snt_where_params;

void snt_where(const snt_where_params *p, size_t elem_size, const uint8_t *cond,
               const void *x, const void *y, void *out);

/* Trilu on `batch` matrices of rows x cols: keeps element (i, j) when
 * j - i >= k (upper) or j - i <= k (lower), zeroes the rest.  y may
 * equal x. */
void snt_trilu(size_t batch, size_t rows, size_t cols, int64_t k, int upper, size_t elem_size,
               const void *x, void *y);

/* ---------------------------------------------------------------- */
/* Elementwise ops on every dtype, TopK, Einsum                       */
/* (elementwise_dtypes.c, topk.c, einsum.c)                           */
/* ---------------------------------------------------------------- */

/* These kernels take the operands' dtype as an SNT_DT_* code and return
 * 1, or 0 (writing nothing) when they do not define `op` on it.  Bool
 * results are one byte, 0 or 1. */

typedef enum {
    SNT_UX_TAN = 0, SNT_UX_ASIN, SNT_UX_ACOS, SNT_UX_ATAN, SNT_UX_SINH, SNT_UX_COSH,
    SNT_UX_ASINH, SNT_UX_ACOSH, SNT_UX_ATANH,
    SNT_UX_ROUND,        /* to nearest, halves to even */
    SNT_UX_SIGN,         /* -1, 0 or 1 (NaN stays NaN); any numeric dtype */
    SNT_UX_NOT,          /* bool */
    SNT_UX_ISNAN         /* bool result */
} snt_unop_ext;

/* y[i] = op(x[i]) for i < n; the math ops take FLOAT and DOUBLE.  y may
 * equal x when they have the same dtype. */
int snt_unary_ext(snt_unop_ext op, int dtype, const void *x, void *y, size_t n);
/* y[i] = x[i] is +inf (when detect_pos) or -inf (when detect_neg). */
int snt_isinf(int dtype, int detect_pos, int detect_neg, const void *x, uint8_t *y, size_t n);

typedef enum {
    SNT_BX_ADD = 0,      /* integers wrap */
    SNT_BX_MAX, SNT_BX_MIN, /* a NaN operand gives NaN */
    SNT_BX_MOD,          /* remainder with the divisor's sign (Python's %) */
    SNT_BX_FMOD,         /* remainder with the dividend's sign (C's fmod, %) */
    SNT_BX_SHL, SNT_BX_SHR, /* unsigned dtypes; shifting by the width or more gives 0 */
    SNT_BX_EQ, SNT_BX_LT, SNT_BX_GT, SNT_BX_LE, SNT_BX_GE, /* bool result */
    SNT_BX_AND, SNT_BX_OR, SNT_BX_XOR /* bool */
} snt_binop_ext;

/* y = a op b with broadcasting (see snt_bcast), a and b of `dtype`.
 * Integer division by zero gives 0 instead of a trap.  y may equal a or
 * b when that operand is dense with y's shape and y's dtype. */
int snt_binary_ext(snt_binop_ext op, int dtype, const snt_bcast *p, const void *a,
                   const void *b, void *y);
/* y[i] /= divisor for i < n (FLOAT or DOUBLE): Mean after a Sum. */
int snt_divide_ext(int dtype, void *y, size_t n, double divisor);

/* TopK along the middle axis of x viewed as [outer][len][inner]: values
 * and indices, both [outer][k][inner], hold the k largest (or smallest)
 * of each line, best first, equal values by lower index; NaN counts as
 * larger than any number.  k <= len.  Any numeric dtype. */
int snt_topk(int dtype, size_t outer, size_t len, size_t inner, size_t k, int largest,
             const void *x, void *values, int64_t *indices);

/* Einsum as one strided contraction: the iteration space has `rank`
 * indices of extents dims; the first out_rank are y's axes (y dense,
 * row-major), the rest are summed over.  Input j's element for an index
 * tuple is at the sum of index * strides[j][index] (0 for an index the
 * input lacks; a repeated index, a diagonal, adds its axes' strides).
 * FLOAT and DOUBLE, accumulated in double. */
#define SNT_EINSUM_MAX_INPUTS 8
#define SNT_EINSUM_MAX_INDICES 16
typedef struct {
    SNT_EINSUM_PARAMS(SNT_PARAM_DECL, snt_einsum_params)
} snt_einsum_params;

int snt_einsum(int dtype, const snt_einsum_params *p, const void *const *x, void *y);

/* ---------------------------------------------------------------- */
/* ReverseSequence (reverse_sequence.c)                               */
/* ---------------------------------------------------------------- */

/* x and y are [batch][time][inner], or [time][batch][inner] when
 * time_major; y[b][t] = x[b][lens[b] - 1 - t] for t < lens[b] and
 * x[b][t] after (lengths are clamped to [0, time]).  y must not overlap
 * x. */
void snt_reverse_sequence(size_t batch, size_t time, size_t inner, int time_major,
                          size_t elem_size, const int64_t *lens, const void *x, void *y);

/* ---------------------------------------------------------------- */
/* Det (det.c), NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss   */
/* (loss.c)                                                           */
/* ---------------------------------------------------------------- */

/* y[b] = the determinant of the n x n matrix x[b], for b < batch, by LU
 * decomposition with partial pivoting in double.  dtype is SNT_DT_FLOAT
 * or SNT_DT_DOUBLE (x and y alike); work holds n * n doubles. */
void snt_det(int dtype, size_t batch, size_t n, const void *x, void *y, double *work);

enum { SNT_LOSS_NONE = 0, SNT_LOSS_SUM = 1, SNT_LOSS_MEAN = 2 };

/* Scores are [batch][classes][inner], targets [batch][inner]. */
typedef struct {
    SNT_LOSS_PARAMS(SNT_PARAM_DECL, snt_loss_params)
} snt_loss_params;

/* loss[b][d] = -x[b][target[b][d]][d] * weight[target[b][d]] (weight
 * NULL: 1), 0 with weight 0 where the target is ignored, NaN where it is
 * out of range.  y is that [batch][inner] loss (NONE), its sum (SUM), or
 * its sum over the sum of the weights (MEAN). */
void snt_nll_loss_f32(const snt_loss_params *p, const float *x, const void *target,
                      const float *weight, float *y);
/* The same on log_prob = log_softmax(x) over the classes axis, which is
 * written to log_prob ([batch][classes][inner]). */
void snt_softmax_cross_entropy_f32(const snt_loss_params *p, const float *x,
                                   const void *target, const float *weight, float *log_prob,
                                   float *y);

/* ---------------------------------------------------------------- */
/* Linear quantization (quantize.c)                                    */
/* ---------------------------------------------------------------- */

/* x and y are [outer][channels][inner]; scale and zero_point hold one
 * value per channel (channels = 1: per tensor); zero_point NULL is 0.
 * Integer dtypes are SNT_DT_UINT8, INT8, UINT16 or INT16 (and INT32 for
 * dequantization's input). */
/* y = saturate(rint(x / scale) + zero_point), rounding half to even. */
void snt_quantize_linear(size_t outer, size_t channels, size_t inner, const float *x,
                         const float *scale, const void *zero_point, int y_dtype, void *y);
/* y = (x - zero_point) * scale. */
void snt_dequantize_linear(size_t outer, size_t channels, size_t inner, int x_dtype,
                           const void *x, const float *scale, const void *zero_point, float *y);
/* Quantizes x[0..n) to uint8 over the range [min(0, min x), max(0, max x)],
 * writing the scale and zero point it chose. */
void snt_dynamic_quantize_linear(size_t n, const float *x, uint8_t *y, float *y_scale,
                                 uint8_t *y_zero_point);

/* A batch of [m][k] x [k][n] products of 8-bit integers (UINT8 or INT8),
 * each operand minus its zero point.  The a (b) zero point and scale
 * hold a_count (b_count) values: 1 for the tensor, or one per row of a
 * (column of b); a_count 0 means no zero point.  Batch strides count
 * elements, 0 reusing one matrix (fields in sinter_params.h). */
typedef struct {
    SNT_QMATMUL_PARAMS(SNT_PARAM_DECL, snt_qmatmul_params)
} snt_qmatmul_params;

/* y[batch][m][n] (int32) = sum over k of (a - a_zp) * (b - b_zp). */
void snt_matmul_integer(const snt_qmatmul_params *p, const void *a, const void *a_zp,
                        const void *b, const void *b_zp, int32_t *y);
/* The same product scaled by a_scale * b_scale / y_scale and quantized
 * like snt_quantize_linear with y_zp (one value) into y_dtype. */
void snt_qlinear_matmul(const snt_qmatmul_params *p, const void *a, const float *a_scale,
                        const void *a_zp, const void *b, const float *b_scale, const void *b_zp,
                        const float *y_scale, const void *y_zp, int y_dtype, void *y);

/* A 2-D convolution of 8-bit integers (x [batch][in_c][in_h][in_w], w
 * [out_c][in_c / group][k_h][k_w]), each minus its zero point; padding
 * contributes nothing.  x's zero point and scale hold x_count values (0
 * or 1), w's w_count (0, 1, or one per output channel).  Fields in
 * sinter_params.h. */
typedef struct {
    SNT_QCONV2D_PARAMS(SNT_PARAM_DECL, snt_qconv2d_params)
} snt_qconv2d_params;

/* y[batch][out_c][out_h][out_w] (int32): the convolution's sums. */
void snt_conv_integer(const snt_qconv2d_params *p, const void *x, const void *x_zp,
                      const void *w, const void *w_zp, int32_t *y);
/* The sums plus bias (int32 per output channel, may be NULL), scaled by
 * x_scale * w_scale / y_scale and quantized with y_zp into y_dtype. */
void snt_qlinear_conv(const snt_qconv2d_params *p, const void *x, const float *x_scale,
                      const void *x_zp, const void *w, const float *w_scale, const void *w_zp,
                      const float *y_scale, const void *y_zp, int y_dtype, const int32_t *bias,
                      void *y);

/* ---------------------------------------------------------------- */
/* Recurrent layers: RNN, GRU, LSTM (rnn.c, rnn_pack.c)               */
/* ---------------------------------------------------------------- */

typedef enum { SNT_RNN_SIMPLE = 0, SNT_RNN_GRU, SNT_RNN_LSTM } snt_rnn_cell;

/* The activations ONNX's recurrent ops name. */
typedef enum {
    SNT_RNN_RELU = 0,
    SNT_RNN_TANH,
    SNT_RNN_SIGMOID,
    SNT_RNN_AFFINE,           /* alpha x + beta */
    SNT_RNN_LEAKY_RELU,       /* x >= 0 ? x : alpha x */
    SNT_RNN_THRESHOLDED_RELU, /* x >= alpha ? x : 0 */
    SNT_RNN_SCALED_TANH,      /* alpha tanh(beta x) */
    SNT_RNN_HARD_SIGMOID,     /* min(max(alpha x + beta, 0), 1) */
    SNT_RNN_ELU,              /* x >= 0 ? x : alpha (exp(x) - 1) */
    SNT_RNN_SOFTSIGN,         /* x / (1 + |x|) */
    SNT_RNN_SOFTPLUS          /* log(1 + exp(x)) */
} snt_rnn_act_kind;

typedef struct {
    SNT_RNN_ACT(SNT_PARAM_DECL, snt_rnn_act)
} snt_rnn_act;

/* Gates per cell: RNN i; GRU z, r, h; LSTM i, o, f, c (ONNX's order).
 * W is [dirs][gates*hidden][input], R [dirs][gates*hidden][hidden], B
 * [dirs][2*gates*hidden] (W's biases, then R's), P [dirs][3*hidden]
 * (LSTM peepholes i, o, f).  Time-major (layout 0): X [seq][batch][input],
 * Y [seq][dirs][batch][hidden], states [dirs][batch][hidden]; batch-major
 * (layout 1): X [batch][seq][input], Y [batch][seq][dirs][hidden], states
 * [batch][dirs][hidden].  Fields in sinter_params.h. */
typedef struct {
    SNT_RNN_PARAMS(SNT_PARAM_DECL, snt_rnn_params)
} snt_rnn_params;

/* The tensors of one call.  Optional inputs are NULL for zeros (b,
 * initial_h, initial_c, p) or full length (seq_lens); optional outputs
 * NULL when not wanted.  A batch entry of length len (clamped to [0,
 * seq]) runs steps [0, len) - the reverse direction from len - 1 down -
 * and gets zeros in Y after them; y_h and y_c hold the state after its
 * last step.  Under last_step_only only Y's last step (seq - 1) is
 * written, which the reverse direction reaches after its first step: it
 * runs that one step alone, and y_h and y_c must be NULL. */
typedef struct {
    const float *x, *w, *r, *b;
    const int32_t *seq_lens;
    const float *initial_h, *initial_c, *p;
    float *y, *y_h, *y_c;
} snt_rnn_io;

/* Scratch floats snt_rnn_f32 needs. */
size_t snt_rnn_scratch_floats(const snt_rnn_params *p);
/* One RNN, GRU or LSTM layer; the outputs must not overlap the inputs.
 * For weights computed at run time: R^T is laid out in scratch on every
 * call. */
void snt_rnn_f32(const snt_rnn_params *p, const snt_rnn_io *io, float *scratch);

/* W, R and B (b may be NULL) laid out for snt_rnn_gemm_f32 on f32-gemm
 * variants of nr columns (snt_rnn_packed_floats(p, nr) floats), which the
 * compiler does for constant weights. */
size_t snt_rnn_packed_floats(const snt_rnn_params *p, unsigned nr);
void snt_rnn_pack_f32(const snt_rnn_params *p, unsigned nr, const float *w, const float *r,
                      const float *b, float *packed);
/* The same layer on the f32-gemm variant uk, with W, R and B packed for
 * it; io->w, io->r and io->b are not read.  scratch holds
 * snt_rnn_gemm_scratch_floats(p, uk->mr, uk->nr) floats. */
void snt_rnn_gemm_f32(const snt_rnn_params *p, const snt_f32_gemm_ukernel *uk,
                      const snt_rnn_io *io, const float *packed, float *scratch);
size_t snt_rnn_gemm_scratch_floats(const snt_rnn_params *p, unsigned mr, unsigned nr);

/* ---------------------------------------------------------------- */
/* Vision: sampling at computed positions (grid_sample.c,             */
/* roi_align.c)                                                       */
/* ---------------------------------------------------------------- */

typedef enum { SNT_GRID_BILINEAR = 0, SNT_GRID_NEAREST, SNT_GRID_BICUBIC } snt_grid_mode;
typedef enum { SNT_GRID_PAD_ZEROS = 0, SNT_GRID_PAD_BORDER, SNT_GRID_PAD_REFLECTION } snt_grid_padding;

/* GridSample (PyTorch's grid_sample): x [n][c][h][w], grid [n][oh][ow][2]
 * of (x, y) points, -1 .. 1 spanning the input; y [n][c][oh][ow]
 * (fields in sinter_params.h). */
typedef struct {
    SNT_GRID_SAMPLE_PARAMS(SNT_PARAM_DECL, snt_grid_sample_params)
} snt_grid_sample_params;

void snt_grid_sample_f32(const snt_grid_sample_params *p, const float *x, const float *grid,
                         float *y);

/* RoiAlign's bound on sampling points per bin and axis: adaptive grids
 * are capped to it, so no roi (huge, NaN) can make the kernel endless. */
#define SNT_ROI_ALIGN_MAX_SAMPLES 4096

/* RoiAlign: x [n][c][h][w]; rois [rois][4] of (x1, y1, x2, y2) in input
 * pixels before spatial_scale; batch_indices [rois] (an index outside
 * [0, n) gives zeros); y [rois][c][oh][ow]. */
typedef struct {
    SNT_ROI_ALIGN_PARAMS(SNT_PARAM_DECL, snt_roi_align_params)
} snt_roi_align_params;

void snt_roi_align_f32(const snt_roi_align_params *p, const float *x, const float *rois,
                       const int64_t *batch_indices, float *y);

/* ---------------------------------------------------------------- */
/* Discrete Fourier transforms: DFT, STFT (dft.c)                     */
/* ---------------------------------------------------------------- */

/* n-point DFTs of a grid of lines[0] x lines[1] signals.  Line (a, b)
 * starts at element a * x_line_strides[0] + b * x_line_strides[1] of x;
 * its sample k < samples is at k * x_sample_stride past that, one real
 * value or, when complex_input, a (re, im) pair, multiplied by window[k]
 * when window is not NULL.  Samples from `samples` to n are zeros.  Bin
 * j < bins of the line is the (re, im) pair at a * y_line_strides[0] +
 * b * y_line_strides[1] + j * y_bin_stride of y:
 *     sum over k < n of x[k] exp(-2 pi i j k / n),
 * or with +2 pi i and divided by n when inverse.  Strides count elements
 * of the dtype.  Fields in sinter_params.h. */
typedef struct {
    SNT_DFT_PARAMS(SNT_PARAM_DECL, snt_dft_params)
} snt_dft_params;

/* Doubles of `work` snt_dft needs for an n-point transform. */
size_t snt_dft_work_doubles(size_t n);
/* dtype is SNT_DT_FLOAT or SNT_DT_DOUBLE, for x, window and y alike.  A
 * radix-2 FFT when n is a power of two, else the direct O(n^2) sum.  y
 * must not overlap x. */
void snt_dft(int dtype, const snt_dft_params *p, const void *x, const void *window, void *y,
             double *work);

/* ---------------------------------------------------------------- */
/* float16 and bfloat16 (half.c)                                      */
/* ---------------------------------------------------------------- */

/* C99 has no 16-bit floating point type, so float16 (IEEE binary16) and
 * bfloat16 (the upper half of a float32) tensors are uint16_t arrays of
 * bit patterns, in generated code and in the runtime alike.  Kernels
 * compute on them in float32 and round once into the 16-bit type. */

/* The value of a float16 or bfloat16 bit pattern: exact, since float32
 * holds every such value (subnormals, infinities and NaN included). */
float snt_half_to_float(uint16_t h);
float snt_bfloat16_to_float(uint16_t b);
/* v rounded to the nearest float16, ties to even (as numpy's astype):
 * magnitudes from 65520 on become infinities, tiny ones subnormals or
 * zero; NaN stays NaN. */
uint16_t snt_half_from_double(double v);
/* f as ONNX's Cast makes a bfloat16: the upper 16 bits of the float32,
 * i.e. rounded toward zero (the ONNX reference and its node tests do
 * so); NaN stays NaN. */
uint16_t snt_bfloat16_from_float(float f);

/* ---------------------------------------------------------------- */
/* 3-D pooling and MaxPool's indices (pool3d.c), 3-D ConvTranspose    */
/* (conv_transpose.c), training BatchNormalization (norm.c), float64  */
/* reductions (reduce.c)                                              */
/* ---------------------------------------------------------------- */

/* MaxPool and AveragePool on N x C x D x H x W; 1-D and 2-D pools run
 * with unit leading spatial axes.  Spatial axis a (0 = D, 1 = H, 2 = W)
 * has input extent in[a], output extent out[a], and output position o
 * reads input o * stride[a] - pad_begin[a] + tap * dilation[a]; pads
 * are never read (ceil_mode is folded into out[]).  Fields in
 * sinter_params.h. */
typedef struct {
    SNT_POOL3D_PARAMS(SNT_PARAM_DECL, snt_pool3d_params)
} snt_pool3d_params;

/* indices, when not NULL, receives the flat index into x of each output's
 * first maximum (the plane's offset n * C + c counted row-major); a
 * window that reads nothing gives -FLT_MAX and index -1. */
void snt_maxpool3d_f32(const snt_pool3d_params *p, const float *x, float *y, int64_t *indices);
void snt_avgpool3d_f32(const snt_pool3d_params *p, const float *x, float *y);

/* ConvTranspose on N x C x D x H x W; 1-D and 2-D run it with unit
 * leading spatial axes.  Spatial axis a is 0 = D, 1 = H, 2 = W: input
 * element i and tap t of axis a add into the output at
 * i*stride[a] + t*dilation[a] - pad_begin[a] when that lies inside it.
 * w: [c][k/groups][kd][kh][kw]; bias: [k] or NULL; scratch of
 * snt_conv_transpose3d_scratch_floats(p) floats.  Fields in
 * sinter_params.h. */
typedef struct {
    SNT_CONV_TRANSPOSE3D_PARAMS(SNT_PARAM_DECL, snt_conv_transpose3d_params)
} snt_conv_transpose3d_params;

void snt_conv_transpose3d_f32(const snt_conv_transpose3d_params *p, const float *x,
                              const float *w, const float *bias, float *y, float *scratch);
size_t snt_conv_transpose3d_scratch_floats(const snt_conv_transpose3d_params *p);

/* Training-mode BatchNormalization on x [n][c][hw]: normalizes with the
 * batch's mean and (population) variance per channel, and writes the
 * running statistics in_mean * momentum + batch_mean * (1 - momentum)
 * (likewise for the variance) to run_mean / run_var, either of which may
 * be NULL.  y may equal x. */
void snt_batchnorm_train_f32(size_t n, size_t c, size_t hw, const float *x, const float *scale,
                             const float *bias, const float *in_mean, const float *in_var,
                             float eps, float momentum, float *y, float *run_mean,
                             float *run_var);

/* snt_reduce_f32 on float64 data. */
void snt_reduce_f64(snt_redop op, const snt_reduce_params *p, const double *x, double *y);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_RT_H */
