/*
 * memplan.h - what the stages of the memory planner share.
 *
 * plan_memory.c drives them: schedule.c proposes node orders,
 * liveness.c turns one order into live ranges, alias.c decides which
 * tensors share bytes (views, in place, Concat slots), and place.c packs
 * the resulting buffers into one arena.  Not an API outside passes/.
 */
#ifndef SINTER_MEMPLAN_H
#define SINTER_MEMPLAN_H

#include "passes/passes.h"

/* A list of tensor ids threaded through a per-tensor `next` array. */
typedef struct {
    int *head, *tail;   /* per root tensor: first and last member, -1 */
    int *next;          /* per tensor: the member after it, -1 */
} MemberLists;

/* One candidate plan: a schedule and the aliasing chosen for it.  Arrays
 * are indexed by tensor id (def, last, base, off, ...) or by step
 * (elided).  base/off are the aliasing as decided; root/root_off and the
 * member lists are kept in step with them by plan_set_base, so that a
 * tensor's root, and a tree's members, are found without walking chains
 * (a chain of in-place activations is as long as the network). */
typedef struct {
    const Graph *g;
    Node **order;     /* the schedule: g->n_nodes nodes */
    int *def;         /* step that writes the tensor, -1 if none */
    int *last;        /* last step that reads it, -1 if none */
    Tensor **base;    /* the tensor whose bytes it shares, or NULL */
    int64_t *off;     /* bytes into base */
    bool *elided;     /* the node at this step does nothing */
    const Tensor **root;    /* the root of its alias tree (itself when none) */
    int64_t *root_off;      /* bytes into the root */
    MemberLists members;    /* each root's tree, the root first */
    /* Each root's members that an in-place write may still conflict
     * with: alias.c drops those whose reads are all past. */
    MemberLists watch;
} PlanState;

/* A region of the arena: a root tensor with everything aliased into it,
 * or one node's scratch. */
typedef struct {
    const Tensor *root;   /* NULL for scratch */
    const Node *node;     /* the scratch's node, else NULL */
    int first, last;      /* steps, inclusive */
    size_t bytes;         /* rounded up to ARENA_ALIGN */
    int64_t offset;       /* set by placement */
} Buffer;

static inline size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
}

/* schedule.c: candidate topological orders of g->nodes (g->nodes must
 * already be one).  Fills orders[0..max) with arrays the caller frees;
 * returns their count. */
#define MAX_SCHEDULES 3
int schedule_orders(const Graph *g, Node **orders[MAX_SCHEDULES]);

/* liveness.c */
/* Intermediates that need arena bytes of their own (not weights, not
 * caller memory, not empty). */
bool plan_in_arena(const Tensor *t);
PlanState *plan_state_new(const Graph *g, Node **order);
void plan_state_free(PlanState *ps);
/* The tensor at the top of t's alias chain, and t's byte offset in it. */
const Tensor *alias_root(const PlanState *ps, const Tensor *t, int64_t *offset);
/* Makes root t share base's bytes, `off` into them: t's whole tree joins
 * base's.  Each tensor gets a base at most once. */
void plan_set_base(PlanState *ps, const Tensor *t, Tensor *base, int64_t off);
/* One buffer per arena root and per node scratch; count returned.
 * `bufs` needs room for g->n_tensors + g->n_nodes entries. */
int collect_buffers(const PlanState *ps, Buffer *bufs);
/* Peak over steps of the bytes of buffers live at the step. */
size_t buffers_lower_bound(const Buffer *bufs, int count, int steps);

/* alias.c: decides views, in-place results and Concat slots along the
 * schedule. */
void alias_decide(PlanState *ps);

/* place.c: packs buffers (sets each offset) with several strategies,
 * keeping the smallest arena; returns its size. */
size_t place_buffers(Buffer *bufs, int count, size_t lower_bound);

#endif /* SINTER_MEMPLAN_H */
