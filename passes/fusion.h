/*
 * fusion.h - what the recognition and fusion passes share: who reads
 * each tensor, the nodes a pass absorbs into fused ones, placing the
 * fused node in the schedule, constants, and BatchNormalization folding.
 *
 * A pass matches a pattern forward from an anchor node, requiring every
 * intermediate tensor it absorbs to have exactly one reader and not be a
 * graph output (fusion_sole_reader).  The fused node takes over the
 * pattern's last output tensor, so its readers need no rewiring; the
 * absorbed nodes are removed when the pass ends (fusion_end).
 */
#ifndef SINTER_FUSION_H
#define SINTER_FUSION_H

#include "ir/ops/fused.h"
#include "passes/passes.h"

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
bool fusion_node_is(const Fusion *f, const Node *n, const char *op);
void fusion_absorb(Fusion *f, Node *n);
bool fusion_is_absorbed(const Fusion *f, const Node *n);

/* A new node of `op_type` (resolved, opset `opset`) scheduled right after
 * `after`, the last node of the pattern it replaces, named after it. */
Node *fusion_add_node(Fusion *f, const Node *after, const char *op_type, int opset);
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

#endif /* SINTER_FUSION_H */
