/*
 * rnn.h - what the recurrent layer (rnn.c) and its packed weights
 * (rnn_pack.c) share: where each part of the packed weights lies, and
 * the panel layout of R^T.
 */
#ifndef SINTER_RT_RNN_H
#define SINTER_RT_RNN_H

#include "internal.h"

/* Columns of R^T per panel: eight AVX-512 registers of sums in the
 * matrix-vector product of a step (rnn.c, matvec_panel). */
#define SNT__RNN_PANEL 128

/* The packed weights of a layer (snt_rnn_pack_f32), part by part. */
typedef struct {
    const float *bias; /* [dirs][gh]: the biases added to the input products */
    const float *rb_h; /* [dirs][hidden]: GRU's Rb_h under linear_before_reset, else NULL */
    const float *rt;   /* [dirs][hidden * gh]: R^T in panels, see snt__rnn_rt_offset */
    const float *w;    /* W^T of each direction as f32-gemm B panels */
} snt__rnn_packed;

/* Gate rows per hidden unit: RNN 1, GRU 3, LSTM 4. */
static inline size_t snt__rnn_gates(snt_rnn_cell cell)
{
    return cell == SNT_RNN_LSTM ? 4 : cell == SNT_RNN_GRU ? 3 : 1;
}

/* Columns of a step's first product H R^T.  Plain GRU multiplies R_h by
 * r (.) H, known only after r: its h gate is a product of its own. */
static inline size_t snt__rnn_first_product(const snt_rnn_params *p)
{
    if (p->cell == SNT_RNN_GRU && !p->linear_before_reset)
        return 2 * p->hidden;
    return snt__rnn_gates(p->cell) * p->hidden;
}

/*
 * Where, in one direction's R^T (hidden * gh floats), the panel lies that
 * holds column j0 of the product over gate columns [col, col + n).  R^T
 * is laid out by products (the first one's columns, then the second's),
 * each as panels of SNT__RNN_PANEL columns, the last one narrower:
 * [hidden][w].  A panel is one contiguous run, which the matrix-vector
 * product of a step streams faster than rows of the whole R^T spread by
 * their stride.
 */
static inline size_t snt__rnn_rt_offset(size_t hidden, size_t col, size_t j0)
{
    return (col + j0) * hidden;
}

/* Where the parts of `packed` lie. */
snt__rnn_packed snt__rnn_packed_parts(const snt_rnn_params *p, const float *packed);
/* Floats of the parts before W: the biases and R^T. */
size_t snt__rnn_r_b_floats(const snt_rnn_params *p);
/* Packs just those parts (b may be NULL). */
void snt__rnn_pack_r_b(const snt_rnn_params *p, const float *r, const float *b, float *packed);
/* Floats of one direction's W^T packed for f32-gemm variants of nr
 * columns. */
size_t snt__rnn_w_floats(const snt_rnn_params *p, unsigned nr);

#endif /* SINTER_RT_RNN_H */
