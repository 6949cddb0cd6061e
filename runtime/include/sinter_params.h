/*
 * sinter_params.h - the fields of the kernels' parameter structs, each
 * struct listed once.
 *
 * Each list, named after its struct (SNT_CONV2D_PARAMS for
 * snt_conv2d_params, SNT_BCAST for snt_bcast), is a macro LIST(X, T)
 * that expands X(T, kind, name, arg) for every field of struct T, in
 * order.  sinter_rt.h makes the typedefs from these lists
 * (SNT_PARAM_DECL); the compiler makes from the same lists the code that
 * prints a struct value as the initializer of generated C
 * (ir/ops/op_emit.c).  A field added here is therefore declared and
 * printed: none can be left out and silently read as 0.
 *
 * Kinds, and what arg says:
 *   SIZE   size_t                         (arg unused, 0)
 *   INT    int                            (arg unused, 0)
 *   INT64  int64_t                        (arg unused, 0)
 *   STRIDE ptrdiff_t                      (arg unused, 0)
 *   FLOAT  float                          (arg unused, 0)
 *   ACT    snt_act                        (arg unused, 0)
 *   ENUM   an enum type; arg is that type (snt_pad_mode), whose constants
 *          the compiler prints by name (arg##_name in ir/ops/op_emit.h)
 *   SIZES  size_t[SNT_MAX_RANK]; arg is the int field holding how many
 *          elements are used (and printed)
 *   STRIDES  ptrdiff_t[SNT_MAX_RANK], counted as SIZES
 *   FLOATS   float[SNT_MAX_RANK], counted as SIZES
 *   SIZES_UPTO    size_t[cap]; arg is (count, cap): the int field
 *                 counting the elements used, and the array's size
 *   STRIDES_UPTO  ptrdiff_t[cap], as SIZES_UPTO
 *   STRIDES_2D    ptrdiff_t[rows_cap][cols_cap]; arg is (rows, cols,
 *                 rows_cap, cols_cap): the int fields counting the rows
 *                 used and the elements used of each, and the array's size
 *   SIZE_ARRAY    size_t[arg]: a fixed count, every element printed
 *   STRIDE_ARRAY  ptrdiff_t[arg], as SIZE_ARRAY
 *   NESTED arg is a struct type with a list of its own, printed field by
 *          field as .name.field
 *   NESTED_2D  type[rows][cols]; arg is (type, rows, cols), type a struct
 *          with a list of its own; every element printed, in braces
 *
 * Plain C99: the runtime includes nothing of the compiler.
 */
#ifndef SINTER_PARAMS_H
#define SINTER_PARAMS_H

/* One field's C declaration, for `typedef struct { LIST(SNT_PARAM_DECL, T) } T;`. */
#define SNT_PARAM_DECL(T, kind, name, arg) SNT_PARAM_DECL_##kind(name, arg)
#define SNT_PARAM_DECL_SIZE(name, arg) size_t name;
#define SNT_PARAM_DECL_INT(name, arg) int name;
#define SNT_PARAM_DECL_INT64(name, arg) int64_t name;
#define SNT_PARAM_DECL_STRIDE(name, arg) ptrdiff_t name;
#define SNT_PARAM_DECL_FLOAT(name, arg) float name;
#define SNT_PARAM_DECL_ACT(name, arg) snt_act name;
#define SNT_PARAM_DECL_ENUM(name, arg) arg name;
#define SNT_PARAM_DECL_SIZES(name, arg) size_t name[SNT_MAX_RANK];
#define SNT_PARAM_DECL_STRIDES(name, arg) ptrdiff_t name[SNT_MAX_RANK];
#define SNT_PARAM_DECL_FLOATS(name, arg) float name[SNT_MAX_RANK];
#define SNT_PARAM_DECL_SIZES_UPTO(name, arg) size_t name[SNT_PARAM_CAP arg];
#define SNT_PARAM_DECL_STRIDES_UPTO(name, arg) ptrdiff_t name[SNT_PARAM_CAP arg];
#define SNT_PARAM_DECL_SIZE_ARRAY(name, arg) size_t name[arg];
#define SNT_PARAM_DECL_STRIDE_ARRAY(name, arg) ptrdiff_t name[arg];
#define SNT_PARAM_DECL_NESTED(name, arg) arg name;
#define SNT_PARAM_DECL_NESTED_2D(name, arg) \
    SNT_PARAM_GRID_TYPE arg name[SNT_PARAM_GRID_ROWS arg][SNT_PARAM_GRID_COLS arg];
#define SNT_PARAM_DECL_STRIDES_2D(name, arg) \
    ptrdiff_t name[SNT_PARAM_ROWS_CAP arg][SNT_PARAM_COLS_CAP arg];
/* The cap of an *_UPTO field's (count, cap). */
#define SNT_PARAM_CAP(count, cap) cap
/* The caps of a STRIDES_2D field's (rows, cols, rows_cap, cols_cap). */
#define SNT_PARAM_ROWS_CAP(rows, cols, rows_cap, cols_cap) rows_cap
#define SNT_PARAM_COLS_CAP(rows, cols, rows_cap, cols_cap) cols_cap
/* The parts of a NESTED_2D field's (type, rows, cols). */
#define SNT_PARAM_GRID_TYPE(type, rows, cols) type
#define SNT_PARAM_GRID_ROWS(type, rows, cols) rows
#define SNT_PARAM_GRID_COLS(type, rows, cols) cols

/* An activation (snt_act_kind says which) and its two parameters, as a
 * kernel epilogue or standalone. */
#define SNT_ACT(X, T) \
    X(T, ENUM, kind, snt_act_kind) X(T, FLOAT, alpha, 0) X(T, FLOAT, beta, 0)

/* An activation with its own parameters (snt_actx_kind says which and
 * what alpha, beta and gamma mean). */
#define SNT_ACTX(X, T) \
    X(T, ENUM, kind, snt_actx_kind) \
    X(T, FLOAT, alpha, 0) X(T, FLOAT, beta, 0) X(T, FLOAT, gamma, 0)

/* A 2-D convolution's shape (NCHW; 1-D ones run as H = 1): the
 * parameters of every convolution kernel.  Input n, c, h, w; output
 * channels k and extent oh, ow; kernel kh, kw; strides sh, sw;
 * dilations dh, dw; top / left padding pt, pl (bottom / right follow
 * from oh, ow); groups; act, applied after the bias. */
#define SNT_CONV2D_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    X(T, SIZE, k, 0) X(T, SIZE, oh, 0) X(T, SIZE, ow, 0) \
    X(T, SIZE, kh, 0) X(T, SIZE, kw, 0) \
    X(T, SIZE, sh, 0) X(T, SIZE, sw, 0) \
    X(T, SIZE, dh, 0) X(T, SIZE, dw, 0) \
    X(T, SIZE, pt, 0) X(T, SIZE, pl, 0) \
    X(T, SIZE, groups, 0) \
    X(T, ACT, act, 0)

/* A 2-D max, average or Lp pool: as snt_conv2d_params without k, plus
 * explicit bottom / right pads pb, pr (ceil_mode is folded into oh/ow)
 * and count_include_pad: an average pool divides by the window inside
 * the padded input instead of inside the input. */
#define SNT_POOL2D_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    X(T, SIZE, oh, 0) X(T, SIZE, ow, 0) \
    X(T, SIZE, kh, 0) X(T, SIZE, kw, 0) X(T, SIZE, sh, 0) X(T, SIZE, sw, 0) \
    X(T, SIZE, dh, 0) X(T, SIZE, dw, 0) \
    X(T, SIZE, pt, 0) X(T, SIZE, pl, 0) X(T, SIZE, pb, 0) X(T, SIZE, pr, 0) \
    X(T, INT, count_include_pad, 0)

/* Broadcast iteration space: y is dense with dims[0..rank); a and b are
 * read at sum(idx[d] * a_strides[d]) (stride 0 on a broadcast axis). */
#define SNT_BCAST(X, T) \
    X(T, INT, rank, 0) X(T, SIZES, dims, rank) \
    X(T, STRIDES, a_strides, rank) X(T, STRIDES, b_strides, rank)

/* A reduction: y is dense over out_dims; each output reduces the
 * red_dims space of x, read at the sum of index * stride over both
 * spaces. */
#define SNT_REDUCE_PARAMS(X, T) \
    X(T, INT, out_rank, 0) X(T, SIZES, out_dims, out_rank) \
    X(T, STRIDES, out_strides, out_rank) \
    X(T, INT, red_rank, 0) X(T, SIZES, red_dims, red_rank) \
    X(T, STRIDES, red_strides, red_rank)

/* A strided copy: dst[sum(i[d]*dst_strides[d])] = src[sum(i[d]*src_strides[d])]
 * over dims. */
#define SNT_STRIDED(X, T) \
    X(T, INT, rank, 0) X(T, SIZES, dims, rank) \
    X(T, STRIDES, src_strides, rank) X(T, STRIDES, dst_strides, rank)

/* Batched MatMul with numpy broadcasting over the batch dims:
 * y[batch] (m x n) = a[batch] (m x k) * b[batch] (k x n); batch strides
 * in elements, 0 on a broadcast axis. */
#define SNT_MATMUL_PARAMS(X, T) \
    X(T, INT, batch_rank, 0) X(T, SIZES, batch_dims, batch_rank) \
    X(T, STRIDES, a_batch_strides, batch_rank) X(T, STRIDES, b_batch_strides, batch_rank) \
    X(T, SIZE, m, 0) X(T, SIZE, n, 0) X(T, SIZE, k, 0)

/* A fully connected layer: m rows, n outputs, k inputs, act after the
 * bias. */
#define SNT_LINEAR_PARAMS(X, T) \
    X(T, SIZE, m, 0) X(T, SIZE, n, 0) X(T, SIZE, k, 0) X(T, ACT, act, 0)

/* Two pointwise convolutions in one pass: n images of c channels of hw
 * pixels; m channels of H and k of Y; act1 after the first, act2 after
 * the second. */
#define SNT_POINTWISE_PAIR_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, hw, 0) \
    X(T, SIZE, m, 0) X(T, SIZE, k, 0) \
    X(T, ACT, act1, 0) X(T, ACT, act2, 0)

/* GatherElements / ScatterElements: idx (and updates, and
 * GatherElements' y) have idx_dims; element i of them addresses the
 * element of x (dims x_dims) at i's coordinates with coordinate `axis`
 * replaced by idx[i]. */
#define SNT_ELEMENTS_PARAMS(X, T) \
    X(T, INT, rank, 0) X(T, INT, axis, 0) \
    X(T, SIZES, x_dims, rank) X(T, SIZES, idx_dims, rank)

/* GatherND / ScatterND: x is [batch][dims[0]]..[dims[k-1]][slice]; idx
 * is [batch][tuples][k]; each k-tuple picks one slice of `slice`
 * elements. */
#define SNT_ND_PARAMS(X, T) \
    X(T, SIZE, batch, 0) X(T, SIZE, tuples, 0) X(T, SIZE, slice, 0) \
    X(T, INT, k, 0) X(T, SIZES, dims, k)

/* Where: out is dense over dims, each operand is read through its
 * strides (0 on broadcast axes). */
#define SNT_WHERE_PARAMS(X, T) \
    X(T, INT, rank, 0) X(T, SIZES, dims, rank) \
    X(T, STRIDES, cond_strides, rank) X(T, STRIDES, x_strides, rank) \
    X(T, STRIDES, y_strides, rank)

/* Gemm: Y = alpha * op(A) * op(B) + beta * C, C read as m x n through
 * strides c_rs, c_cs (0 on a broadcast axis). */
#define SNT_GEMM_PARAMS(X, T) \
    X(T, SIZE, m, 0) X(T, SIZE, n, 0) X(T, SIZE, k, 0) \
    X(T, INT, trans_a, 0) X(T, INT, trans_b, 0) \
    X(T, FLOAT, alpha, 0) X(T, FLOAT, beta, 0) \
    X(T, STRIDE, c_rs, 0) X(T, STRIDE, c_cs, 0)

/* The losses: scores [batch][classes][inner], targets [batch][inner];
 * reduction is an SNT_LOSS_*; with has_ignore, targets equal to
 * ignore_index count nothing; target_dtype is SNT_DT_INT32 or
 * SNT_DT_INT64. */
#define SNT_LOSS_PARAMS(X, T) \
    X(T, SIZE, batch, 0) X(T, SIZE, classes, 0) X(T, SIZE, inner, 0) \
    X(T, INT, reduction, 0) X(T, INT, has_ignore, 0) X(T, INT64, ignore_index, 0) \
    X(T, INT, target_dtype, 0)

/* RoiAlign: input n, c, h, w; rois; output oh, ow; sampling_ratio points
 * per bin and axis (0: adaptive, at most SNT_ROI_ALIGN_MAX_SAMPLES);
 * spatial_scale; half_pixel for coordinate_transformation_mode
 * half_pixel; max_mode for mode max (else avg). */
#define SNT_ROI_ALIGN_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    X(T, SIZE, rois, 0) X(T, SIZE, oh, 0) X(T, SIZE, ow, 0) \
    X(T, SIZE, sampling_ratio, 0) X(T, FLOAT, spatial_scale, 0) \
    X(T, INT, half_pixel, 0) X(T, INT, max_mode, 0)

/* GridSample (PyTorch's grid_sample): sampling mode and padding mode;
 * input n, c, h, w; output oh, ow; align_corners as PyTorch's. */
#define SNT_GRID_SAMPLE_PARAMS(X, T) \
    X(T, ENUM, mode, snt_grid_mode) X(T, ENUM, padding, snt_grid_padding) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    X(T, SIZE, oh, 0) X(T, SIZE, ow, 0) \
    X(T, INT, align_corners, 0)

/* Pad: pads_begin may be negative (crop); out_dims[d] = in_dims[d] +
 * begin + end; value fills the border in mode SNT_PAD_CONSTANT. */
#define SNT_PAD_PARAMS(X, T) \
    X(T, INT, rank, 0) X(T, SIZES, in_dims, rank) X(T, SIZES, out_dims, rank) \
    X(T, STRIDES, pads_begin, rank) \
    X(T, ENUM, mode, snt_pad_mode) X(T, FLOAT, value, 0)

/* N-D resize: scales[d] is the scale the coordinate transform uses
 * (out / in when `sizes` was given); roi_start and roi_end are read only
 * with coord SNT_COORD_TF_CROP_AND_RESIZE; act is applied to every
 * output element (SNT_ACT_NONE: none). */
#define SNT_RESIZE_PARAMS(X, T) \
    X(T, INT, rank, 0) X(T, SIZES, in_dims, rank) X(T, SIZES, out_dims, rank) \
    X(T, FLOATS, scales, rank) \
    X(T, FLOATS, roi_start, rank) X(T, FLOATS, roi_end, rank) \
    X(T, ENUM, mode, snt_resize_mode) X(T, ENUM, coord, snt_coord_mode) \
    X(T, ENUM, nearest, snt_nearest_mode) \
    X(T, FLOAT, cubic_a, 0) X(T, INT, exclude_outside, 0) \
    X(T, FLOAT, extrapolation_value, 0) \
    X(T, ACT, act, 0)

/* The window of the 3-D kernels (N x C x D x H x W; 1-D and 2-D run
 * with unit leading spatial axes): spatial axis a (0 = D, 1 = H, 2 = W)
 * has input extent in[a] and output extent out[a], kernel[a] taps
 * stride[a] and dilation[a] apart, and pad_begin[a] before it. */
#define SNT_WINDOW3D(X, T) \
    X(T, SIZE_ARRAY, in, 3) X(T, SIZE_ARRAY, out, 3) X(T, SIZE_ARRAY, kernel, 3) \
    X(T, SIZE_ARRAY, stride, 3) X(T, SIZE_ARRAY, dilation, 3) \
    X(T, SIZE_ARRAY, pad_begin, 3)

/* MaxPool and AveragePool: SNT_WINDOW3D and pad_end[a] after it;
 * count_include_pad as in snt_pool2d_params; storage_order 1: MaxPool's
 * indices number each plane's elements column-major (W slowest). */
#define SNT_POOL3D_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) \
    SNT_WINDOW3D(X, T) X(T, SIZE_ARRAY, pad_end, 3) \
    X(T, INT, count_include_pad, 0) X(T, INT, storage_order, 0)

/* ConvTranspose: input batch n and channels c, output channels k;
 * SNT_WINDOW3D, pad_begin cropped off the front of the full output. */
#define SNT_CONV_TRANSPOSE3D_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, k, 0) \
    SNT_WINDOW3D(X, T) \
    X(T, SIZE, groups, 0)

/* DFT over lines[0] x lines[1] lines: see snt_dft_params in sinter_rt.h.
 * samples <= n of each line are read; bins <= n are written. */
#define SNT_DFT_PARAMS(X, T) \
    X(T, SIZE_ARRAY, lines, 2) \
    X(T, STRIDE_ARRAY, x_line_strides, 2) X(T, STRIDE, x_sample_stride, 0) \
    X(T, STRIDE_ARRAY, y_line_strides, 2) X(T, STRIDE, y_bin_stride, 0) \
    X(T, SIZE, samples, 0) X(T, INT, complex_input, 0) \
    X(T, SIZE, n, 0) X(T, SIZE, bins, 0) X(T, INT, inverse, 0)

/* UNeXt's shift: channels [chunk_end[k-1], chunk_end[k]) move by
 * shift[k] pixels along h (axis 0) or w (axis 1). */
#define SNT_SHIFT_CHUNKS(X, T) \
    X(T, INT, axis, 0) X(T, INT, chunks, 0) \
    X(T, SIZES_UPTO, chunk_end, (chunks, SNT_SHIFT_MAX_CHUNKS)) \
    X(T, STRIDES_UPTO, shift, (chunks, SNT_SHIFT_MAX_CHUNKS))

/* The shift of n, c, h, w laid out by their strides (elements, the same
 * for x and y). */
#define SNT_SHIFT_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, c, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    X(T, STRIDE, n_stride, 0) X(T, STRIDE, c_stride, 0) \
    X(T, STRIDE, h_stride, 0) X(T, STRIDE, w_stride, 0) \
    SNT_SHIFT_CHUNKS(X, T)

/* A Linear layer reading tokens [n][h*w][k] through the shift (no
 * channel count or strides: linear says them). */
#define SNT_SHIFT_LINEAR_PARAMS(X, T) \
    X(T, SIZE, n, 0) X(T, SIZE, h, 0) X(T, SIZE, w, 0) \
    SNT_SHIFT_CHUNKS(X, T) \
    X(T, NESTED, linear, snt_linear_params)

/* A batch of 8-bit integer matrix products [m][k] x [k][n]: batch
 * strides in elements (0 reuses one matrix); the operands' dtypes (an
 * SNT_DT_*); a_count (b_count) zero points and scales of a (b). */
#define SNT_QMATMUL_PARAMS(X, T) \
    X(T, SIZE, batch, 0) X(T, SIZE, m, 0) X(T, SIZE, k, 0) X(T, SIZE, n, 0) \
    X(T, SIZE, a_batch_stride, 0) X(T, SIZE, b_batch_stride, 0) \
    X(T, INT, a_dtype, 0) X(T, INT, b_dtype, 0) \
    X(T, SIZE, a_count, 0) X(T, SIZE, b_count, 0)

/* A 2-D convolution of 8-bit integers: input, output and kernel extents,
 * groups, strides, dilations, top / left pads; x's and w's dtypes and
 * their counts of zero points and scales. */
#define SNT_QCONV2D_PARAMS(X, T) \
    X(T, SIZE, batch, 0) X(T, SIZE, in_c, 0) X(T, SIZE, in_h, 0) X(T, SIZE, in_w, 0) \
    X(T, SIZE, out_c, 0) X(T, SIZE, out_h, 0) X(T, SIZE, out_w, 0) \
    X(T, SIZE, k_h, 0) X(T, SIZE, k_w, 0) X(T, SIZE, group, 0) \
    X(T, SIZE, stride_h, 0) X(T, SIZE, stride_w, 0) X(T, SIZE, dil_h, 0) X(T, SIZE, dil_w, 0) \
    X(T, SIZE, pad_t, 0) X(T, SIZE, pad_l, 0) \
    X(T, INT, x_dtype, 0) X(T, INT, w_dtype, 0) \
    X(T, SIZE, x_count, 0) X(T, SIZE, w_count, 0)

/* One activation of a recurrent layer (snt_rnn_act_kind says which and
 * what alpha and beta mean). */
#define SNT_RNN_ACT(X, T) \
    X(T, ENUM, kind, snt_rnn_act_kind) X(T, FLOAT, alpha, 0) X(T, FLOAT, beta, 0)

/* RNN, GRU and LSTM (see snt_rnn_params in sinter_rt.h): the cell;
 * extents seq, batch, input, hidden; directions 1, or 2 (forward then
 * reverse); reverse: one direction, run from the last step; batch_major:
 * layout 1; linear_before_reset (GRU): r scales (H R_h + Rb_h), not H;
 * input_forget (LSTM): f = 1 - i; clip > 0 clamps the gate inputs to
 * [-clip, clip]; act per direction f, g, h (RNN f; GRU f, g; the rest
 * unused, zero); last_step_only: only Y's last step is read (see
 * snt_rnn_io). */
#define SNT_RNN_PARAMS(X, T) \
    X(T, ENUM, cell, snt_rnn_cell) \
    X(T, SIZE, seq, 0) X(T, SIZE, batch, 0) X(T, SIZE, input, 0) X(T, SIZE, hidden, 0) \
    X(T, INT, directions, 0) X(T, INT, reverse, 0) X(T, INT, batch_major, 0) \
    X(T, INT, linear_before_reset, 0) X(T, INT, input_forget, 0) \
    X(T, FLOAT, clip, 0) \
    X(T, NESTED_2D, act, (snt_rnn_act, 2, 3)) \
    X(T, INT, last_step_only, 0)

/* Einsum (see snt_einsum_params in sinter_rt.h): n_inputs operands; an
 * iteration space of rank indices of extents dims, the first out_rank
 * y's axes; strides[j][i] of input j's index i. */
#define SNT_EINSUM_PARAMS(X, T) \
    X(T, INT, n_inputs, 0) X(T, INT, rank, 0) X(T, INT, out_rank, 0) \
    X(T, SIZES_UPTO, dims, (rank, SNT_EINSUM_MAX_INDICES)) \
    X(T, STRIDES_2D, strides, (n_inputs, rank, SNT_EINSUM_MAX_INPUTS, SNT_EINSUM_MAX_INDICES))

#endif /* SINTER_PARAMS_H */
