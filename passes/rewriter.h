/*
 * rewriter.h - the one way passes read and edit the graph.
 *
 * passes_run opens a Rewriter over the graph for each pass and closes it
 * after.  The session keeps, for every tensor, the nodes reading it (one
 * entry per input slot), built once when it opens and kept current by
 * every edit made through it; so a pass asks "who reads t" without
 * scanning the graph, and the answer already reflects its own rewrites.
 *
 * Removing a node is deferred: the node stays in g->nodes, marked, until
 * the session closes and compacts the schedule once.  A pass can thus
 * walk g->nodes by index while it removes and adds nodes; a removed node
 * no longer reads anything as far as the queries are concerned, and
 * rw_node_is answers false for it.  Nodes added with rw_add_node go
 * right after the node they replace, so the walk meets them later.
 *
 * The session also knows whether the pass changed the graph: every edit
 * through it counts, and a pass that edits a node's attributes in place
 * says so with rw_mark_changed.  Inputs must be set through the session
 * (rw_set_input, rw_add_input), never by writing n->in directly, or the
 * reader index goes stale.
 */
#ifndef SINTER_REWRITER_H
#define SINTER_REWRITER_H

#include "ir/ir.h"

/* The input slots reading one tensor: a node appears once per slot. */
typedef struct {
    Node **nodes;
    int count, cap;
} Readers;

typedef struct Rewriter {
    Graph *g;
    Readers *readers;   /* by tensor id */
    int cap_readers;
    bool *removed;      /* by node id (renumbered when the session opens) */
    int cap_removed;
    bool changed;       /* some edit was made */
} Rewriter;

/* Opens a session over g: numbers the nodes in schedule order and
 * indexes who reads each tensor. */
void rw_begin(Rewriter *rw, Graph *g);
/* Removes the nodes marked removed, keeping the others' order, numbers
 * them again and frees the index.  Returns whether the graph changed. */
bool rw_end(Rewriter *rw);

/* ---- queries -------------------------------------------------------- */

/* Number of input slots of live nodes reading t (graph outputs not
 * counted). */
int rw_reader_count(const Rewriter *rw, const Tensor *t);
/* The node of the i-th input slot reading t, for i below
 * rw_reader_count(rw, t). */
Node *rw_reader(const Rewriter *rw, const Tensor *t, int i);
/* The distinct live nodes reading t: their number, the first `max` of
 * them in out[]. */
int rw_readers(const Rewriter *rw, const Tensor *t, Node **out, int max);
/* The one node reading t when t is an intermediate a pass may rewire
 * freely: read by one input slot of one live node, not a graph output,
 * not a constant.  NULL otherwise. */
Node *rw_sole_reader(const Rewriter *rw, const Tensor *t);
bool rw_is_removed(const Rewriter *rw, const Node *n);

/* True when n has op type `op` and a resolved OpDesc. */
bool node_is(const Node *n, const OpDesc *op);
/* The node producing t when it has op type `op`, else NULL. */
Node *producer_is(const Tensor *t, const OpDesc *op);
/* True when n is a live (not removed) ai.onnx `op` node with one output:
 * the nodes a fusion may absorb. */
bool rw_node_is(const Rewriter *rw, const Node *n, const OpDesc *op);
/* rw_sole_reader(rw, t) when it is such an `op` node; else NULL. */
Node *rw_sole_reader_is(const Rewriter *rw, const Tensor *t, const OpDesc *op);

/* ---- edits ---------------------------------------------------------- */

/* Sets input i of n to t, appending it when n has only i inputs (an
 * optional last input left out). */
void rw_set_input(Rewriter *rw, Node *n, int i, Tensor *t);
/* Appends input t (NULL: an omitted optional input) to n. */
void rw_add_input(Rewriter *rw, Node *n, Tensor *t);
/* Removes input i of n, the later ones moving down one slot. */
void rw_drop_input(Rewriter *rw, Node *n, int i);
/* Makes every input slot reading `old` read `with` instead. */
void rw_replace_uses(Rewriter *rw, const Tensor *old, Tensor *with);
/* Marks n removed: it is deleted when the session ends.  Its outputs
 * lose it as their producer then, unless another node took them over. */
void rw_remove(Rewriter *rw, Node *n);
/* Removes n when none of its outputs is read or a graph output, then
 * the producers of its inputs that this leaves unread in turn: what a
 * rewrite that stops reading n's output leaves dead. */
void rw_remove_unread(Rewriter *rw, Node *n);
/* Records an edit the session cannot see: attributes changed in place. */
void rw_mark_changed(Rewriter *rw);

/* A new node of `op_type` (resolved, opset `opset`) scheduled right after
 * `after`, named NAME, or "<after's name>/<op_type>" when NAME is NULL. */
Node *rw_add_node(Rewriter *rw, const Node *after, const char *name, const char *op_type,
                  int opset);
/* Makes n the producer of `out` (the pattern's result) and runs n's
 * shape rule, which must give out's dtype and shape again. */
bool rw_finish_node(Node *n, Tensor *out, Diag *d);
/* Makes `into` compute the output of `absorbed`, the only reader of
 * into's output, in place of its own, and removes `absorbed`: for a node
 * whose work is folded into its input's producer (BatchNormalization
 * into a Conv's or Gemm's constants). */
void rw_fold_into(Rewriter *rw, Node *into, Node *absorbed);

/* Removes node n whose output 0 holds the same values as tensor `src`
 * (same dtype and shape): readers of the output read src.  When the
 * output is a graph output, it keeps its name: src's producer computes
 * it directly instead, which needs src to be a computed tensor that is
 * not a graph output itself.  Returns false, changing nothing, when
 * neither is possible. */
bool rw_bypass(Rewriter *rw, Node *n, Tensor *src);

/* Rewires x -> first -> t -> reader -> y, where reader alone reads t
 * (its input 0) and both have one output, as x -> reader -> t' ->
 * first -> y, exchanging their places in the schedule, and re-infers
 * both: for an elementwise reader that commutes with first. */
bool rw_swap_with_reader(Rewriter *rw, Node *first, Node *reader, Diag *d);

#endif /* SINTER_REWRITER_H */
