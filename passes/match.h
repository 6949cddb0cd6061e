/*
 * match.h - what the pattern-matching passes (cleanup and fusion) share
 * beyond the rewriter session (rewriter.h): the constant parameters of a
 * Slice or a Pad, attribute and packed-weight edits (match.c); and
 * fusion helpers: operand and constant tests, activation and residual
 * epilogues, BatchNormalization folding (fusion.c).
 *
 * Every query answers false when the node is not exactly of the asked
 * form (an input not constant, an attribute it does not understand), so
 * a pass that relies on them leaves unusual graphs alone.
 */
#ifndef SINTER_MATCH_H
#define SINTER_MATCH_H

#include "ir/ops/ops.h"
#include "passes/passes.h"
#include "passes/rewriter.h"

/* ---- constant parameters and small rewrites (match.c) ------------ */

/* A Slice with constant parameters that cuts one axis with step 1:
 * *axis and the first element *start (clamped as ONNX does); the
 * length is the output's extent on that axis.  Axes the Slice names
 * with the full range and step 1 do not count as cut. */
bool slice_one_axis(const Node *s, int *axis, int64_t *start);

/* A constant-mode Pad whose fill value is 0, with constant pads (no
 * opset-18 axes input): begin[i] and end[i] for every input axis. */
bool pad_zero_fill(const Node *p, int64_t *begin, int64_t *end);

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
void add_packed(Rewriter *rw, Node *n, int slot, float *packed, size_t floats, const Variant *v);

/* ---- fusion helpers (fusion.c) ------------------------------------- */

/*
 * A fusion pass matches a pattern forward from an anchor node, requiring
 * every intermediate tensor it absorbs to have exactly one reader and not
 * be a graph output (rw_sole_reader).  The fused node, added after the
 * pattern's last node (rw_add_node), takes over the pattern's last output
 * tensor (rw_finish_node), so its readers need no rewiring; the absorbed
 * nodes are removed (rw_remove).
 */

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
Node *fusion_activation_after(const Rewriter *rw, const Tensor *y, snt_act *act);
/* The Add that alone reads the intermediate y, when its other operand,
 * set in *residual, and its result have y's dtype and shape (no
 * broadcasting); else NULL. */
Node *fusion_residual_add_after(const Rewriter *rw, const Tensor *y, Tensor **residual);
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
bool fold_bn_into_conv(Rewriter *rw, Node *conv, Node *bn);

#endif /* SINTER_MATCH_H */
