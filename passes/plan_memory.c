/*
 * plan_memory.c - places every run-time intermediate tensor in one arena.
 *
 * Each intermediate lives from the step of its producer to the step of
 * its last reader.  Tensors are placed largest first, each at the lowest
 * 64-byte aligned offset where it overlaps no already-placed tensor whose
 * lifetime intersects its own (greedy by size, first fit).  The lower
 * bound is the peak of bytes live at one step; the naive plan gives every
 * tensor its own bytes.
 */
#include "passes/passes.h"

#include <stdlib.h>

typedef struct {
    Tensor *t;
    int first, last;  /* steps of definition and last use */
    size_t bytes;     /* rounded up to ARENA_ALIGN */
} Interval;

static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
}

/* Graph outputs and inputs live in caller memory; constants are weights. */
static bool in_arena(const Tensor *t)
{
    return !t->data && !t->is_input && !t->is_output && tensor_bytes(t) > 0;
}

/* One interval per arena tensor, in producer order; count returned. */
static int collect_intervals(const Graph *g, Interval *iv, int *index_of)
{
    int count = 0;
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = g->nodes[s];
        for (int j = 0; j < n->n_out; j++) {
            Tensor *t = n->out[j];
            if (!in_arena(t))
                continue;
            index_of[t->id] = count;
            iv[count++] = (Interval){t, s, s, align_up(tensor_bytes(t))};
        }
        for (int j = 0; j < n->n_in; j++) {
            const Tensor *t = n->in[j];
            if (t && index_of[t->id] >= 0)
                iv[index_of[t->id]].last = s;
        }
    }
    return count;
}

static int by_size_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->t->id - y->t->id; /* deterministic order among equals */
}

static bool overlaps_in_time(const Interval *a, const Interval *b)
{
    return a->first <= b->last && b->first <= a->last;
}

static int by_offset(const void *a, const void *b)
{
    const Interval *x = *(const Interval *const *)a, *y = *(const Interval *const *)b;
    return x->t->offset < y->t->offset ? -1 : x->t->offset > y->t->offset;
}

/* Lowest offset for iv[i] clear of every placed interval that is live at
 * the same time: walk those by offset and take the first gap that fits.
 * `conflicts` has room for i pointers. */
static size_t first_fit(const Interval *iv, int i, const Interval **conflicts)
{
    int n = 0;
    for (int c = 0; c < i; c++)
        if (overlaps_in_time(&iv[c], &iv[i]))
            conflicts[n++] = &iv[c];
    qsort(conflicts, (size_t)n, sizeof *conflicts, by_offset);
    size_t off = 0;
    for (int c = 0; c < n; c++) {
        size_t lo = (size_t)conflicts[c]->t->offset, hi = lo + conflicts[c]->bytes;
        if (off + iv[i].bytes <= lo)
            break;
        if (hi > off)
            off = hi;
    }
    return off;
}

static size_t peak_live_bytes(const Interval *iv, int count, int steps)
{
    size_t peak = 0;
    for (int s = 0; s < steps; s++) {
        size_t live = 0;
        for (int i = 0; i < count; i++)
            if (iv[i].first <= s && s <= iv[i].last)
                live += iv[i].bytes;
        if (live > peak)
            peak = live;
    }
    return peak;
}

bool plan_memory(Graph *g, MemPlan *plan, Diag *d)
{
    (void)d;
    Interval *iv = xcalloc((size_t)g->n_tensors + 1, sizeof *iv);
    int *index_of = xmalloc(((size_t)g->n_tensors + 1) * sizeof *index_of);
    for (int i = 0; i < g->n_tensors; i++)
        index_of[i] = -1;
    int count = collect_intervals(g, iv, index_of);

    plan->naive_bytes = 0;
    for (int i = 0; i < count; i++)
        plan->naive_bytes += iv[i].bytes;
    plan->lower_bound_bytes = peak_live_bytes(iv, count, g->n_nodes);

    qsort(iv, (size_t)count, sizeof *iv, by_size_desc);
    const Interval **conflicts = xmalloc(((size_t)count + 1) * sizeof *conflicts);
    plan->arena_bytes = 0;
    for (int i = 0; i < count; i++) {
        size_t off = first_fit(iv, i, conflicts);
        iv[i].t->offset = (int64_t)off;
        if (off + iv[i].bytes > plan->arena_bytes)
            plan->arena_bytes = off + iv[i].bytes;
    }
    g->arena_bytes = plan->arena_bytes;
    free(conflicts);
    free(iv);
    free(index_of);
    return true;
}
