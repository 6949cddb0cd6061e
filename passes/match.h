/*
 * match.h - what the pattern-matching passes (cleanup and fusion) share:
 * who reads a tensor, the constant parameters of a Slice or a Pad,
 * bypassing a node whose output equals one of its inputs (match.c); and
 * the fusion session: the nodes a pass absorbs into fused ones, placing
 * the fused node in the schedule, constants, and BatchNormalization
 * folding (fusion.c).
 *
 * Every query answers false when the node is not exactly of the asked
 * form (an input not constant, an attribute it does not understand), so
 * a pass that relies on them leaves unusual graphs alone.
 */
#ifndef SINTER_MATCH_H
#define SINTER_MATCH_H

#include "ir/ops/ops.h"
#include "passes/passes.h"

/* ---- graph queries and rewrites (match.c) -------------------------- */

/* The one node that reads t, when exactly one input slot of one node
 * reads it and it is not a graph output; else NULL. */
Node *sole_reader(const Graph *g, const Tensor *t);
/* Number of input slots reading t (graph outputs not counted). */
int reader_count(const Graph *g, const Tensor *t);
/* Makes every node input that reads `old` read `with` instead. */
void replace_reads(Graph *g, const Tensor *old, Tensor *with);

/* True when n has op type `op` and a resolved OpDesc. */
bool node_is(const Node *n, const OpDesc *op);
/* The node producing t when it has op type `op`, else NULL. */
Node *producer_is(const Tensor *t, const OpDesc *op);

/* A Slice with constant parameters that cuts one axis with step 1:
 * *axis and the first element *start (clamped as ONNX does); the
 * length is the output's extent on that axis.  Axes the Slice names
 * with the full range and step 1 do not count as cut. */
bool slice_one_axis(const Node *s, int *axis, int64_t *start);

/* A constant-mode Pad whose fill value is 0, with constant pads (no
 * opset-18 axes input): begin[i] and end[i] for every input axis. */
bool pad_zero_fill(const Node *p, int64_t *begin, int64_t *end);

/* Removes node n (position `index` in g->nodes, marked in keep[]) whose
 * output 0 holds the same values as tensor `src` (same dtype and shape):
 * readers of the output read src.  When the output is a graph output, it
 * keeps its name: src's producer computes it directly instead, which
 * needs src to be a computed tensor that is not a graph output itself.
 * Returns false, changing nothing, when neither is possible. */
bool bypass_node(Graph *g, Node *n, Tensor *src, bool *keep, int index);

/* Rewires x -> first -> t -> reader -> y, where reader alone reads t
 * (its input 0) and both have one output, as x -> reader -> t' ->
 * first -> y, exchanging their places in the schedule, and re-infers
 * both: for an elementwise reader that commutes with first. */
bool swap_with_reader(Graph *g, Node *first, Node *reader, Diag *d);

/* Sets input i of n to t, appending it when n has only i inputs (an
 * optional last input left out). */
void set_input(Node *n, int i, Tensor *t);

/* Copies every attribute of `from` onto n (a Conv's group, pads ...
 * onto the node that replaces it). */
void copy_attrs(Node *n, const Node *from);
/* Copies one attribute onto n. */
void copy_attr(Node *n, const Attr *a);
/* Sets an int / ints attribute, replacing any previous value. */
void set_attr_int(Node *n, const char *name, int64_t v);
void set_attr_ints(Node *n, const char *name, const int64_t *v, int count);

/* Names v as n's micro-kernel variant (its `ukernel` attribute). */
void set_ukernel(Node *n, const Variant *v);
/* Gives n weights packed for variant v (`floats` floats, copied) as a
 * new constant of layout PACKED in input `slot`, named after input 1,
 * and v as its `ukernel` (passes/select_kernels.c, pack_rnn.c). */
void add_packed(Graph *g, Node *n, int slot, float *packed, size_t floats, const Variant *v);

/* ---- the fusion session (fusion.c) --------------------------------- */

/*
 * A fusion pass matches a pattern forward from an anchor node, requiring
 * every intermediate tensor it absorbs to have exactly one reader and not
 * be a graph output (fusion_sole_reader).  The fused node takes over the
 * pattern's last output tensor, so its readers need no rewiring; the
 * absorbed nodes are removed when the pass ends (fusion_end).
 */
typedef struct {
    Graph *g;
    int n_tensors;      /* tensors when the pass began; the maps cover these */
    int *uses;          /* reads of each tensor, a graph output counting one */
    Node **reader;      /* a node reading each tensor (the only one if uses == 1) */
    bool *absorbed;     /* by node id: replaced by a fused node */
    int cap_absorbed;
} Fusion;

void fusion_begin(Fusion *f, Graph *g);
/* Removes the absorbed nodes and frees the maps. */
void fusion_end(Fusion *f);

/* The one node reading t, when t is an intermediate a fusion may absorb:
 * read once, not a graph output, not a constant, reader not absorbed. */
Node *fusion_sole_reader(const Fusion *f, const Tensor *t);
/* The nodes reading t (at most max, each once), and their count. */
int fusion_readers(const Fusion *f, const Tensor *t, Node **out, int max);
/* True when n is a live, not absorbed ai.onnx `op` node with one output. */
bool fusion_node_is(const Fusion *f, const Node *n, const OpDesc *op);
/* fusion_sole_reader(f, t) when it is such an `op` node; else NULL. */
Node *fusion_sole_reader_is(const Fusion *f, const Tensor *t, const OpDesc *op);
void fusion_absorb(Fusion *f, Node *n);
bool fusion_is_absorbed(const Fusion *f, const Node *n);

/* A new node of `op_type` (resolved, opset `opset`) scheduled right after
 * `after`, the last node of the pattern it replaces, named after it. */
Node *fusion_add_node(Fusion *f, const Node *after, const char *op_type, int opset);
/* Makes `into` compute the output of `absorbed`, the only reader of
 * into's output, in place of its own, and absorbs `absorbed`: for a node
 * whose work is folded into its input's producer (BatchNormalization
 * into a Conv's or Gemm's constants). */
void fusion_fold_into(Fusion *f, Node *into, Node *absorbed);
/* Makes n the producer of `out` (the pattern's result) and runs n's
 * shape rule, which must give out's dtype and shape again. */
bool fusion_finish_node(Node *n, Tensor *out, Diag *d);

/* True for a float32 tensor. */
bool is_f32(const Tensor *t);
/* True when t is a constant float32 scalar (one element, any rank) whose
 * value is within float rounding of `want`. */
bool const_near(const Tensor *t, double want);
/* The input of binary node n that is not t; NULL unless exactly one is. */
Tensor *other_operand(const Node *n, const Tensor *t);
/* For a binary node one of whose inputs is a scalar constant near
 * `want`, the other input; NULL otherwise. */
Tensor *operand_beside_const(const Node *n, double want);
/* The float32 activation node (act_of_node) that alone reads the
 * intermediate y, with *act its activation; else NULL. */
Node *fusion_activation_after(const Fusion *f, const Tensor *y, snt_act *act);
/* The Add that alone reads the intermediate y, when its other operand,
 * set in *residual, and its result have y's dtype and shape (no
 * broadcasting); else NULL. */
Node *fusion_residual_add_after(const Fusion *f, const Tensor *y, Tensor **residual);
/* A new constant float32 tensor of shape s holding v. */
Tensor *fusion_const_f32(Graph *g, const char *hint, const Shape *s, const float *v);

/* An inference BatchNormalization with constant float32 parameters as
 * y = x * scale[c] + shift[c]: malloc'd arrays of x's channels, or false
 * when bn is not that. */
bool bn_affine(const Node *bn, float **scale, float **shift);
/* When conv (constant float32 weights and bias, if any) feeds bn alone,
 * folds bn into new weights and bias (the old ones may be shared), makes
 * conv produce bn's output and absorbs bn.  False, with the graph
 * untouched, when the pattern does not apply. */
bool fold_bn_into_conv(Fusion *f, Node *conv, Node *bn);

#endif /* SINTER_MATCH_H */
