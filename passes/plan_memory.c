/*
 * plan_memory.c - the static memory plan: every run-time intermediate
 * tensor gets a byte offset in one arena.
 *
 * For each candidate schedule (schedule.c) the planner decides which
 * tensors share bytes (alias.c), turns the result into buffers with live
 * ranges (liveness.c) and packs them (place.c).  The candidate with the
 * smallest arena wins (the lower lower bound among equals) and is written
 * into the graph: the node order, Tensor.offset / alias_base /
 * alias_offset and Node.elided / scratch_offset.
 */
#include "passes/memplan.h"

#include <stdlib.h>

/* Every arena tensor on its own, and (after commit) every node's scratch:
 * the plan without any reuse, MemPlan.naive_tensor_bytes and naive_bytes. */
static void naive_sums(const Graph *g, MemPlan *plan)
{
    size_t tensors = 0, scratch = 0;
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = g->nodes[s];
        for (int j = 0; j < n->n_out; j++)
            if (plan_in_arena(n->out[j]))
                tensors += align_up(tensor_bytes(n->out[j]));
        scratch += n->scratch_bytes;
    }
    plan->naive_tensor_bytes = tensors;
    plan->naive_bytes = tensors + scratch;
}

typedef struct {
    PlanState *ps;
    Buffer *bufs;
    int count;
    size_t arena, lower_bound;
} Candidate;

static void evaluate(Candidate *c, const Graph *g, Node **order)
{
    c->ps = plan_state_new(g, order);
    alias_decide(c->ps);
    c->bufs = xmalloc(((size_t)g->n_tensors + (size_t)g->n_nodes + 1) * sizeof *c->bufs);
    c->count = collect_buffers(c->ps, c->bufs);
    c->lower_bound = buffers_lower_bound(c->bufs, c->count, g->n_nodes);
    c->arena = place_buffers(c->bufs, c->count, c->lower_bound);
}

static void candidate_free(Candidate *c)
{
    plan_state_free(c->ps);
    free(c->bufs);
}

static bool better(const Candidate *a, const Candidate *b)
{
    if (a->arena != b->arena)
        return a->arena < b->arena;
    return a->lower_bound < b->lower_bound;
}

/* Writes the winning candidate into the graph. */
static void commit(Graph *g, const Candidate *c)
{
    const PlanState *ps = c->ps;
    for (int s = 0; s < g->n_nodes; s++) {
        Node *n = ps->order[s];
        g->nodes[s] = n;
        n->elided = ps->elided[s];
        n->scratch_bytes = 0;
        n->scratch_offset = -1;
    }
    int64_t *root_offset = xmalloc(((size_t)g->n_tensors + 1) * sizeof *root_offset);
    for (int i = 0; i < g->n_tensors; i++)
        root_offset[i] = -1;
    for (int i = 0; i < c->count; i++) {
        const Buffer *b = &c->bufs[i];
        if (b->root)
            root_offset[b->root->id] = b->offset;
        else {
            Node *n = (Node *)b->node;
            n->scratch_bytes = b->bytes;
            n->scratch_offset = b->offset;
        }
    }
    for (int i = 0; i < g->n_tensors; i++) {
        Tensor *t = g->tensors[i];
        int64_t off;
        const Tensor *root = alias_root(ps, t, &off);
        t->alias_base = ps->base[i];
        t->alias_offset = ps->off[i];
        t->offset = root_offset[root->id] >= 0 ? root_offset[root->id] + off : -1;
    }
    free(root_offset);
}

bool plan_memory(Graph *g, MemPlan *plan, Diag *d)
{
    (void)d;
    Node **orders[MAX_SCHEDULES];
    int n_orders = schedule_orders(g, orders);
    Candidate best = {0};
    for (int k = 0; k < n_orders; k++) {
        Candidate c;
        evaluate(&c, g, orders[k]);
        if (k == 0 || better(&c, &best)) {
            candidate_free(&best);
            best = c;
        } else
            candidate_free(&c);
    }
    commit(g, &best);
    plan->arena_bytes = g->arena_bytes = best.arena;
    plan->lower_bound_bytes = best.lower_bound;
    naive_sums(g, plan);
    candidate_free(&best);
    return true;
}

int plan_boxes(const Graph *g, PlanBox **boxes)
{
    Node **order = xmalloc(((size_t)g->n_nodes + 1) * sizeof *order);
    for (int s = 0; s < g->n_nodes; s++)
        order[s] = g->nodes[s];
    PlanState *ps = plan_state_new(g, order);
    for (int s = 0; s < g->n_nodes; s++)
        ps->elided[s] = g->nodes[s]->elided;
    for (int i = 0; i < g->n_tensors; i++)
        if (g->tensors[i]->alias_base)
            plan_set_base(ps, g->tensors[i], g->tensors[i]->alias_base,
                          g->tensors[i]->alias_offset);
    Buffer *bufs = xmalloc(((size_t)g->n_tensors + (size_t)g->n_nodes + 1) * sizeof *bufs);
    int count = collect_buffers(ps, bufs);
    *boxes = xmalloc(((size_t)count + 1) * sizeof **boxes);
    for (int i = 0; i < count; i++) {
        const Buffer *b = &bufs[i];
        bool scratch = !b->root;
        (*boxes)[i] = (PlanBox){
            scratch ? b->node->name : b->root->name, scratch, b->first, b->last,
            scratch ? b->node->scratch_offset : b->root->offset, b->bytes,
        };
    }
    free(bufs);
    plan_state_free(ps);
    return count;
}
