/*
 * match.h - queries and small rewrites shared by the pattern-matching
 * passes (cleanup and fusion): who reads a tensor, the constant
 * parameters of a Slice or a Pad, and bypassing a node whose output
 * equals one of its inputs.
 *
 * Every query answers false when the node is not exactly of the asked
 * form (an input not constant, an attribute it does not understand), so
 * a pass that relies on them leaves unusual graphs alone.
 */
#ifndef SINTER_MATCH_H
#define SINTER_MATCH_H

#include "ir/ir.h"

/* The one node that reads t, when exactly one input slot of one node
 * reads it and it is not a graph output; else NULL. */
Node *sole_reader(const Graph *g, const Tensor *t);
/* Number of input slots reading t (graph outputs not counted). */
int reader_count(const Graph *g, const Tensor *t);
/* Makes every node input that reads `old` read `with` instead. */
void replace_reads(Graph *g, const Tensor *old, Tensor *with);

/* True when n has op type `op` and a resolved OpDesc. */
bool node_is(const Node *n, const char *op);
/* The node producing t when it has op type `op`, else NULL. */
Node *producer_is(const Tensor *t, const char *op);

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

/* Sets an int / ints attribute, replacing any previous value. */
void set_attr_int(Node *n, const char *name, int64_t v);
void set_attr_ints(Node *n, const char *name, const int64_t *v, int count);

#endif /* SINTER_MATCH_H */
