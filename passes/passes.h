/*
 * passes.h - graph rewrites and the memory planner.
 *
 * Passes are listed once, in pass_list.def; the pipeline, -O levels and
 * --passes all read that list.  Each pass is one file with one entry
 * point `bool pass_<name>(Rewriter *, Diag *)`: it reads and edits the
 * graph through the rewriter session it is given (passes/rewriter.h),
 * which tells whether it changed the graph.  A pass returns false only
 * on an error, and must leave the graph valid (graph_verify runs after
 * every pass that changed it, when verification is on).
 */
#ifndef SINTER_PASSES_H
#define SINTER_PASSES_H

#include "ir/ir.h"

typedef struct Rewriter Rewriter;

typedef struct {
    const char *name;
    int level;          /* lowest -O level that runs the pass */
    const char *summary;
    bool (*run)(Rewriter *rw, Diag *d);
} Pass;

#define PASS(name, level, summary) bool pass_##name(Rewriter *rw, Diag *d);
#include "passes/pass_list.def"
#undef PASS

const Pass *pass_all(int *count);
const Pass *pass_find(const char *name);
/* Runs pass p on g in a rewriter session of its own; *changed tells
 * whether it changed the graph. */
bool pass_run(const Pass *p, Graph *g, bool *changed, Diag *d);

typedef struct {
    int level;          /* -O level */
    const char *only;   /* comma-separated pass names, or NULL for the level's */
    const char *skip;   /* comma-separated pass names not to run, or NULL */
    bool verify;        /* run graph_verify after each pass */
    const char *dump_after; /* pass name whose result is printed, or NULL */
    FILE *dump_to;
} PassOptions;

/* Runs the pipeline on an inferred graph. */
bool passes_run(Graph *g, const PassOptions *opt, Diag *d);

/* Static memory plan: sets every arena tensor's offset and
 * g->arena_bytes; reports the bounds it reached. */
typedef struct {
    size_t arena_bytes;       /* size of the one arena: tensors and kernel scratch */
    size_t lower_bound_bytes; /* peak of bytes live at any step */
    /* The plan without any reuse: every intermediate tensor in a buffer of
     * its own (naive_tensor_bytes), and with every node's scratch region
     * on its own too (naive_bytes).  The arena holds scratch as well, so
     * naive_bytes is the figure to set it against (never below it). */
    size_t naive_tensor_bytes;
    size_t naive_bytes;
} MemPlan;

#define ARENA_ALIGN 64
/* Schedules the nodes (reordering g->nodes), decides aliasing (views,
 * in place, Concat slots: Tensor.alias_base, Node.elided), and places
 * every arena buffer (Tensor.offset, Node.scratch_offset). */
bool plan_memory(Graph *g, MemPlan *plan, Diag *d);

/* One box of the plan's picture: a buffer of the arena over the steps
 * where it is live.  `label` names its root tensor (or the node of a
 * scratch region). */
typedef struct {
    const char *label;
    bool scratch;             /* a node's kernel scratch, not a tensor */
    int first, last;          /* schedule steps, inclusive */
    int64_t offset;
    size_t bytes;
} PlanBox;

/* The boxes of a planned graph (count returned, caller frees *boxes). */
int plan_boxes(const Graph *g, PlanBox **boxes);

#endif /* SINTER_PASSES_H */
