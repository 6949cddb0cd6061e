/*
 * ops.h - what passes/ and tools/ use of the op descriptions in ir/ops/:
 * the parameters of Conv and the recurrent layers, the activation
 * attributes of the fused ops, building tensors for a rewrite, reading
 * an integer list, and the items of a sequence value.  The other
 * headers of ir/ops/ are private to the op descriptions.
 */
#ifndef SINTER_OPS_H
#define SINTER_OPS_H

#include "ir/ir.h"
#include "sinter_rt.h"

/* ---- Conv (conv.c) ------------------------------------------------- */

/* The geometry of a 1-D or 2-D window over an N x C x spatial input.  A
 * 1-D window is stored as a 2-D one with H = 1, so index 0 is always H
 * and index 1 is W. */
typedef struct {
    int rank;             /* spatial rank of the ONNX tensors: 1 or 2 */
    int64_t in[2], kernel[2], stride[2], dilation[2];
    int64_t pad_begin[2], pad_end[2];
    int64_t out[2];
} Window;

/* The parameters Conv's infer (or FusedConv's, with its activation)
 * kept on an inferred n: what its other hooks, and the passes, read.  A
 * pass that changes a Conv re-infers it, so they stay current. */
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

/* ---- activations of the fused ops (fused_act.c) -------------------- */

/* Reads a fused op's activation attributes; node_error if they name none
 * that we know. */
bool fused_act_get(const Node *n, snt_act *act, Diag *d);
/* Writes act as n's activation attributes (nothing for SNT_ACT_NONE). */
void fused_act_set(Node *n, const snt_act *act);
/* The same for an op with two activations: the attributes' names start
 * with `prefix` ("first_activation", "first_alpha" ...). */
bool fused_act_get_at(const Node *n, const char *prefix, snt_act *act, Diag *d);
void fused_act_set_at(Node *n, const char *prefix, const snt_act *act);

/* The activation a standalone node computes: Relu, LeakyRelu, Sigmoid,
 * Tanh, Gelu, or Clip with constant bounds.  False for anything else. */
bool act_of_node(const Node *n, snt_act *act);

/* ---- tensors for a rewrite (rewrite.c) ----------------------------- */

/* A fresh tensor named by the printf-style arguments.  Callers make the
 * names distinct (iteration numbers ...): graph_new_tensor makes a name
 * unique by trying suffixes, which unrolling would make quadratic. */
__attribute__((format(printf, 2, 3))) Tensor *rewrite_tensor(Graph *g, const char *fmt, ...);

/* A new constant tensor of dtype and shape s holding a copy of data (or
 * zeros when data is NULL), named like rewrite_tensor. */
__attribute__((format(printf, 5, 6))) Tensor *rewrite_const(Graph *g, DType dtype, const Shape *s,
                                                           const void *data, const char *fmt, ...);

/* ---- attributes and values ----------------------------------------- */

/* Reads an integer list given either as attribute `attr` (when input < 0)
 * or as constant input number `input`.  Returns its count, 0 with
 * *present = false when absent, or -1 after a node error (data_util.c). */
int node_ints(const Node *n, const char *attr, int input, int64_t *out, int max,
              bool *present, Diag *d);

/* The elements of sequence or optional value t as its builder holds them:
 * their count, with *items pointing at the builder's inputs, or -1 when t
 * is not built by SequenceConstruct, SequenceEmpty or Optional (seen
 * through Identity nodes) (sequence.c). */
int value_items(const Tensor *t, Tensor *const **items);

#endif /* SINTER_OPS_H */
