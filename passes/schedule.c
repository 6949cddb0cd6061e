/*
 * schedule.c - topological orders that the memory planner tries.
 *
 * The order of nodes decides which tensors are live together, so the
 * planner compares several and keeps the one that packs smallest:
 *  - the graph's own order (what the exporter wrote);
 *  - greedy by memory: among the ready nodes, run the one whose outputs
 *    add the fewest bytes net of the inputs it lets go;
 *  - depth first: run the ready node that reads the newest tensor, so a
 *    branch is finished before another starts.
 * Each is a list scheduler over the same ready set; only the choice of
 * the next node differs.
 */
#include "passes/memplan.h"

#include <limits.h>
#include <stdlib.h>

typedef struct {
    const Graph *g;
    int *waiting;       /* per node: inputs whose producer has not run */
    int *uses_left;     /* per tensor: reads by nodes that have not run */
    int *made_at;       /* per tensor: step that wrote it, -1 */
    bool *done;         /* per node */
    /* The nodes reading each tensor, one entry per read: readers of
     * tensor t are reader[first_reader[t] .. first_reader[t + 1]). */
    int *first_reader, *reader;
    /* Nodes not run whose inputs are all made, in the order they became
     * ready: each step looks at these only, so a schedule takes time
     * linear in the graph times the width of its widest cut, not
     * quadratic in its length. */
    int *ready, n_ready;
} Scheduler;

typedef long long (*Priority)(const Scheduler *s, const Node *n);

/* Counts, then lists, the readers of every tensor that a node of g
 * writes. */
static void index_readers(Scheduler *s, const int *producer)
{
    const Graph *g = s->g;
    s->first_reader = xcalloc((size_t)g->n_tensors + 2, sizeof *s->first_reader);
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j] && producer[g->nodes[i]->in[j]->id] >= 0)
                s->first_reader[g->nodes[i]->in[j]->id + 1]++;
    for (int t = 0; t < g->n_tensors; t++)
        s->first_reader[t + 1] += s->first_reader[t];
    int *fill = xmalloc(((size_t)g->n_tensors + 1) * sizeof *fill);
    for (int t = 0; t < g->n_tensors; t++)
        fill[t] = s->first_reader[t];
    s->reader = xmalloc(((size_t)s->first_reader[g->n_tensors] + 1) * sizeof *s->reader);
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j] && producer[g->nodes[i]->in[j]->id] >= 0)
                s->reader[fill[g->nodes[i]->in[j]->id]++] = i;
    free(fill);
}

static void scheduler_init(Scheduler *s, const Graph *g)
{
    int *producer = xmalloc(((size_t)g->n_tensors + 1) * sizeof *producer);
    s->g = g;
    s->waiting = xcalloc((size_t)g->n_nodes + 1, sizeof *s->waiting);
    s->uses_left = xcalloc((size_t)g->n_tensors + 1, sizeof *s->uses_left);
    s->made_at = xmalloc(((size_t)g->n_tensors + 1) * sizeof *s->made_at);
    s->done = xcalloc((size_t)g->n_nodes + 1, sizeof *s->done);
    s->ready = xmalloc(((size_t)g->n_nodes + 1) * sizeof *s->ready);
    s->n_ready = 0;
    for (int i = 0; i < g->n_tensors; i++)
        s->made_at[i] = producer[i] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_out; j++)
            producer[g->nodes[i]->out[j]->id] = i;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        for (int j = 0; j < n->n_in; j++) {
            if (!n->in[j])
                continue;
            s->uses_left[n->in[j]->id]++;
            if (producer[n->in[j]->id] >= 0)
                s->waiting[i]++;
        }
        if (s->waiting[i] == 0)
            s->ready[s->n_ready++] = i;
    }
    index_readers(s, producer);
    free(producer);
}

static void scheduler_free(Scheduler *s)
{
    free(s->waiting);
    free(s->uses_left);
    free(s->made_at);
    free(s->done);
    free(s->first_reader);
    free(s->reader);
    free(s->ready);
}

/* Marks node i run at `step`: its readers wait for one input less, and
 * those that wait for none become ready. */
static void scheduler_run(Scheduler *s, int i, int step)
{
    const Node *n = s->g->nodes[i];
    s->done[i] = true;
    for (int j = 0; j < n->n_in; j++)
        if (n->in[j])
            s->uses_left[n->in[j]->id]--;
    for (int j = 0; j < n->n_out; j++) {
        int t = n->out[j]->id;
        s->made_at[t] = step;
        for (int r = s->first_reader[t]; r < s->first_reader[t + 1]; r++)
            if (--s->waiting[s->reader[r]] == 0)
                s->ready[s->n_ready++] = s->reader[r];
    }
}

/* Bytes a node adds to the live set, net of the inputs it is the last
 * reader of.  Views add nothing. */
static long long net_bytes(const Scheduler *s, const Node *n)
{
    long long net = 0;
    if (!n->op->is_view)
        for (int j = 0; j < n->n_out; j++)
            if (plan_in_arena(n->out[j]))
                net += (long long)tensor_bytes(n->out[j]);
    for (int j = 0; j < n->n_in; j++) {
        const Tensor *t = n->in[j];
        int reads_here = 0;
        for (int k = 0; t && k < n->n_in; k++)
            reads_here += n->in[k] == t;
        /* Count each dying input once, at its first occurrence. */
        bool first = true;
        for (int k = 0; t && k < j; k++)
            first = first && n->in[k] != t;
        if (t && first && plan_in_arena(t) && s->uses_left[t->id] == reads_here)
            net -= (long long)tensor_bytes(t);
    }
    return net;
}

/* Lower is better. */
static long long by_memory(const Scheduler *s, const Node *n)
{
    return net_bytes(s, n);
}

static long long by_newest_input(const Scheduler *s, const Node *n)
{
    int newest = -1;
    for (int j = 0; j < n->n_in; j++)
        if (n->in[j] && s->made_at[n->in[j]->id] > newest)
            newest = s->made_at[n->in[j]->id];
    return -(long long)newest;
}

/* A list schedule choosing, at each step, the ready node of lowest
 * priority (the earliest in graph order among equals); NULL if no node
 * is ready at some step, which a verified graph never allows. */
static Node **list_schedule(const Graph *g, Priority priority)
{
    Scheduler s;
    scheduler_init(&s, g);
    Node **order = xmalloc(((size_t)g->n_nodes + 1) * sizeof *order);
    for (int step = 0; step < g->n_nodes; step++) {
        int best = -1, slot = -1;
        long long best_p = LLONG_MAX;
        for (int r = 0; r < s.n_ready; r++) {
            int i = s.ready[r];
            long long p = priority(&s, g->nodes[i]);
            if (p < best_p || (p == best_p && i < best)) {
                best = i;
                slot = r;
                best_p = p;
            }
        }
        if (best < 0) { /* not a DAG after all: keep the graph's order */
            free(order);
            order = NULL;
            break;
        }
        s.ready[slot] = s.ready[--s.n_ready];
        order[step] = g->nodes[best];
        scheduler_run(&s, best, step);
    }
    scheduler_free(&s);
    return order;
}

int schedule_orders(const Graph *g, Node **orders[MAX_SCHEDULES])
{
    orders[0] = xmalloc(((size_t)g->n_nodes + 1) * sizeof *orders[0]);
    for (int i = 0; i < g->n_nodes; i++)
        orders[0][i] = g->nodes[i];
    int count = 1;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->op)
            return count; /* unresolved ops: keep the graph's order */
    Priority priorities[] = {by_memory, by_newest_input};
    for (int k = 0; k < 2; k++)
        if ((orders[count] = list_schedule(g, priorities[k])) != NULL)
            count++;
    return count;
}
