/*
 * liveness.c - live ranges of tensors and buffers along one schedule.
 *
 * A tensor lives from the step that writes it to the last step that
 * reads it.  Tensors that share bytes (alias.c) form one buffer, which
 * lives from the first write of any member to the last read of any
 * member: a coarse but always safe range for packing.
 */
#include "passes/memplan.h"

#include <stdlib.h>

bool plan_in_arena(const Tensor *t)
{
    return !t->data && !t->is_input && !t->is_output && tensor_bytes(t) > 0;
}

static void compute_ranges(PlanState *ps)
{
    const Graph *g = ps->g;
    for (int i = 0; i < g->n_tensors; i++)
        ps->def[i] = ps->last[i] = -1;
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = ps->order[s];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j])
                ps->last[n->in[j]->id] = s;
        for (int j = 0; j < n->n_out; j++)
            ps->def[n->out[j]->id] = s;
    }
}

/* Every tensor the only member of its own list. */
static void lists_init(MemberLists *l, int n)
{
    l->head = xmalloc(((size_t)n + 1) * sizeof *l->head);
    l->tail = xmalloc(((size_t)n + 1) * sizeof *l->tail);
    l->next = xmalloc(((size_t)n + 1) * sizeof *l->next);
    for (int i = 0; i < n; i++) {
        l->head[i] = l->tail[i] = i;
        l->next[i] = -1;
    }
}

static void lists_free(MemberLists *l)
{
    free(l->head);
    free(l->tail);
    free(l->next);
}

/* Appends root `from`'s list to root `to`'s. */
static void lists_join(MemberLists *l, int to, int from)
{
    if (l->head[from] < 0)
        return;
    if (l->head[to] < 0)
        l->head[to] = l->head[from];
    else
        l->next[l->tail[to]] = l->head[from];
    l->tail[to] = l->tail[from];
    l->head[from] = l->tail[from] = -1;
}

PlanState *plan_state_new(const Graph *g, Node **order)
{
    size_t nt = (size_t)g->n_tensors + 1, nn = (size_t)g->n_nodes + 1;
    PlanState *ps = xcalloc(1, sizeof *ps);
    ps->g = g;
    ps->order = order;
    ps->def = xmalloc(nt * sizeof *ps->def);
    ps->last = xmalloc(nt * sizeof *ps->last);
    ps->base = xcalloc(nt, sizeof *ps->base);
    ps->off = xcalloc(nt, sizeof *ps->off);
    ps->elided = xcalloc(nn, sizeof *ps->elided);
    ps->root = xmalloc(nt * sizeof *ps->root);
    ps->root_off = xcalloc(nt, sizeof *ps->root_off);
    for (int i = 0; i < g->n_tensors; i++)
        ps->root[i] = g->tensors[i];
    lists_init(&ps->members, g->n_tensors);
    lists_init(&ps->watch, g->n_tensors);
    compute_ranges(ps);
    return ps;
}

void plan_set_base(PlanState *ps, const Tensor *t, Tensor *base, int64_t off)
{
    const Tensor *root = ps->root[base->id];
    int64_t shift = ps->root_off[base->id] + off;
    ps->base[t->id] = base;
    ps->off[t->id] = off;
    for (int m = ps->members.head[t->id]; m >= 0; m = ps->members.next[m]) {
        ps->root[m] = root;
        ps->root_off[m] += shift;
    }
    lists_join(&ps->members, root->id, t->id);
    lists_join(&ps->watch, root->id, t->id);
}

void plan_state_free(PlanState *ps)
{
    if (!ps)
        return;
    free(ps->order);
    free(ps->def);
    free(ps->last);
    free(ps->base);
    free(ps->root);
    free(ps->root_off);
    lists_free(&ps->members);
    lists_free(&ps->watch);
    free(ps->off);
    free(ps->elided);
    free(ps);
}

const Tensor *alias_root(const PlanState *ps, const Tensor *t, int64_t *offset)
{
    *offset = ps->root_off[t->id];
    return ps->root[t->id];
}

/* Grows buffer b to cover tensor t, which sits `off` bytes into it. */
static void cover(Buffer *b, const PlanState *ps, const Tensor *t, int64_t off)
{
    int def = ps->def[t->id], last = ps->last[t->id] > def ? ps->last[t->id] : def;
    if (b->first < 0 || def < b->first)
        b->first = def;
    if (last > b->last)
        b->last = last;
    size_t end = align_up((size_t)off + tensor_bytes(t));
    if (end > b->bytes)
        b->bytes = end;
}

int collect_buffers(const PlanState *ps, Buffer *bufs)
{
    const Graph *g = ps->g;
    int *buffer_of = xmalloc(((size_t)g->n_tensors + 1) * sizeof *buffer_of);
    int count = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const Tensor *t = g->tensors[i];
        buffer_of[i] = -1;
        if (ps->base[i] || !plan_in_arena(t) || ps->def[i] < 0)
            continue;
        buffer_of[i] = count;
        bufs[count++] = (Buffer){t, NULL, -1, -1, 0, 0};
    }
    /* Every arena tensor, aliased or not, widens its root's buffer. */
    for (int i = 0; i < g->n_tensors; i++) {
        int64_t off;
        const Tensor *root = alias_root(ps, g->tensors[i], &off);
        if (ps->def[i] >= 0 && buffer_of[root->id] >= 0 && tensor_bytes(g->tensors[i]) > 0)
            cover(&bufs[buffer_of[root->id]], ps, g->tensors[i], off);
    }
    free(buffer_of);
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = ps->order[s];
        size_t bytes = n->op && n->op->scratch_bytes && !ps->elided[s] ? n->op->scratch_bytes(n) : 0;
        /* A kernel split over threads has a scratch slot per part, each
         * whole 64-byte lines (snt__slot). */
        size_t slots = n->op && n->op->parallel && g->threads > 1 ? (size_t)g->threads : 1;
        if (bytes)
            bufs[count++] = (Buffer){NULL, n, s, s, align_up(bytes) * slots, 0};
    }
    return count;
}

size_t buffers_lower_bound(const Buffer *bufs, int count, int steps)
{
    /* Sweep: add each buffer's bytes at its first step, remove them after
     * its last. */
    long long *delta = xcalloc((size_t)steps + 2, sizeof *delta);
    for (int i = 0; i < count; i++) {
        delta[bufs[i].first] += (long long)bufs[i].bytes;
        delta[bufs[i].last + 1] -= (long long)bufs[i].bytes;
    }
    long long live = 0, peak = 0;
    for (int s = 0; s < steps; s++) {
        live += delta[s];
        if (live > peak)
            peak = live;
    }
    free(delta);
    return (size_t)peak;
}
