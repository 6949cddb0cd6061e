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
    compute_ranges(ps);
    return ps;
}

void plan_state_free(PlanState *ps)
{
    if (!ps)
        return;
    free(ps->order);
    free(ps->def);
    free(ps->last);
    free(ps->base);
    free(ps->off);
    free(ps->elided);
    free(ps);
}

const Tensor *alias_root(const PlanState *ps, const Tensor *t, int64_t *offset)
{
    int64_t off = 0;
    while (ps->base[t->id]) {
        off += ps->off[t->id];
        t = ps->base[t->id];
    }
    *offset = off;
    return t;
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
        if (bytes)
            bufs[count++] = (Buffer){NULL, n, s, s, align_up(bytes), 0};
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
