/*
 * alias.c - which tensors can share bytes instead of being copied.
 *
 * Walking the schedule in order, each node may make
 *  - its outputs views of input 0 (Reshape & co. via OpDesc.is_view, a
 *    contiguous Split part or Slice via view_range): no copy, no code;
 *  - its output 0 overwrite an input that nobody reads afterwards
 *    (OpDesc.in_place);
 *  - its inputs slots of its output 0 (a Concat via slot_range): their
 *    producers write straight into the output and the Concat vanishes.
 *
 * Aliases form trees: a tensor points at the tensor whose bytes it
 * shares (PlanState.base), and the root of each tree is one buffer.
 * Caller memory may be a root for read-only views, but is never written
 * through an alias: in place and slots need an arena root.
 */
#include "passes/memplan.h"

#include <stdlib.h>

/* Could output `y` share bytes with input `x` at all? */
static bool can_alias(const Tensor *x, const Tensor *y)
{
    return x && !x->data && tensor_bytes(x) > 0 && plan_in_arena(y) && x->dtype == y->dtype;
}

static void set_alias(PlanState *ps, const Tensor *t, Tensor *base, int64_t off)
{
    plan_set_base(ps, t, base, off);
}

/* Views: every output with bytes must become one for the node to go. */
static void try_views(PlanState *ps, int step)
{
    const Node *n = ps->order[step];
    const OpDesc *op = n->op;
    if (!op->is_view && !op->view_range)
        return;
    bool all = true;
    for (int j = 0; j < n->n_out; j++) {
        Tensor *y = n->out[j];
        int64_t first = 0;
        bool view = j == 0 && op->is_view;
        if (!view && op->view_range)
            view = op->view_range(n, j, &first);
        if (view && can_alias(n->in[0], y))
            set_alias(ps, y, n->in[0], first * (int64_t)dtype_size(y->dtype));
        else if (tensor_bytes(y) > 0)
            all = false;
    }
    ps->elided[step] = all;
}

static bool ranges_overlap(int64_t a, size_t na, int64_t b, size_t nb)
{
    return a < b + (int64_t)nb && b < a + (int64_t)na;
}

/*
 * Drops from root r's watch list the members that can no longer conflict
 * with a write at `step` or later (steps only grow): never written, or
 * written before and read for the last time before it.  What is left is
 * what a chain of in-place activations keeps live, a few tensors, not
 * the chain.
 */
static void drop_past(PlanState *ps, int r, int step)
{
    MemberLists *w = &ps->watch;
    int prev = -1, i = w->head[r];
    while (i >= 0) {
        int next = w->next[i];
        bool past = ps->def[i] < 0 || (ps->def[i] <= step && ps->last[i] < step);
        if (!past) {
            prev = i;
        } else {
            if (prev < 0)
                w->head[r] = next;
            else
                w->next[prev] = next;
            if (w->tail[r] == i)
                w->tail[r] = prev;
        }
        i = next;
    }
}

/* May node `step` overwrite input x's bytes?  Nothing else that shares
 * them may be read later, nor read at this step through another shape. */
static bool can_overwrite(PlanState *ps, int step, const Tensor *x)
{
    int64_t xo;
    const Tensor *root = alias_root(ps, x, &xo);
    if (!plan_in_arena(root))
        return false;
    drop_past(ps, root->id, step);
    for (int i = ps->watch.head[root->id]; i >= 0; i = ps->watch.next[i]) {
        const Tensor *m = ps->g->tensors[i];
        int64_t mo = ps->root_off[i];
        if (ps->def[i] > step || !ranges_overlap(xo, tensor_bytes(x), mo, tensor_bytes(m)))
            continue;
        if (ps->last[i] > step)
            return false;
        /* Read here too: only safe when it is exactly x's elements. */
        if (ps->last[i] == step && (mo != xo || !shape_equal(&m->shape, &x->shape)))
            return false;
    }
    return true;
}

static void try_in_place(PlanState *ps, int step)
{
    const Node *n = ps->order[step];
    if (!n->op->in_place || n->n_out < 1 || ps->base[n->out[0]->id])
        return;
    Tensor *y = n->out[0];
    for (int i = 0; i < n->n_in; i++) {
        Tensor *x = n->in[i];
        if (can_alias(x, y) && shape_equal(&x->shape, &y->shape) && can_overwrite(ps, step, x)) {
            set_alias(ps, y, x, 0);
            return;
        }
    }
}

/* Slot of Concat input i: the root of the input's alias tree, when the
 * input is that whole tree and the tree is free to move. */
static const Tensor *slot_root(const PlanState *ps, const Node *n, int i)
{
    const Tensor *x = n->in[i];
    int64_t off;
    if (!can_alias(x, n->out[0]) || !plan_in_arena(x))
        return NULL;
    const Tensor *root = alias_root(ps, x, &off);
    if (off != 0 || !plan_in_arena(root) || root == n->out[0])
        return NULL;
    /* Nothing of the tree may reach beyond x's bytes. */
    for (int t = ps->members.head[root->id]; t >= 0; t = ps->members.next[t])
        if (ps->def[t] >= 0 &&
            (size_t)ps->root_off[t] + tensor_bytes(ps->g->tensors[t]) > tensor_bytes(x))
            return NULL;
    return root;
}

/* All of a Concat's inputs in their slots, or none. */
static void try_slots(PlanState *ps, int step)
{
    const Node *n = ps->order[step];
    if (!n->op->slot_range || n->n_out != 1 || !plan_in_arena(n->out[0]))
        return;
    Tensor *y = n->out[0];
    const Tensor **roots = xcalloc((size_t)n->n_in + 1, sizeof *roots);
    int64_t *offsets = xcalloc((size_t)n->n_in + 1, sizeof *offsets);
    bool ok = true;
    for (int i = 0; i < n->n_in && ok; i++) {
        if (!n->in[i] || tensor_bytes(n->in[i]) == 0)
            continue;
        roots[i] = slot_root(ps, n, i);
        ok = roots[i] && n->op->slot_range(n, i, &offsets[i]);
        for (int k = 0; k < i && ok; k++)
            ok = roots[k] != roots[i]; /* one tree, one slot */
    }
    for (int i = 0; i < n->n_in && ok; i++)
        if (roots[i])
            set_alias(ps, roots[i], y, offsets[i] * (int64_t)dtype_size(y->dtype));
    ps->elided[step] = ok;
    free(roots);
    free(offsets);
}

void alias_decide(PlanState *ps)
{
    for (int s = 0; s < ps->g->n_nodes; s++) {
        if (!ps->order[s]->op)
            continue;
        try_views(ps, s);
        try_slots(ps, s);
        try_in_place(ps, s);
    }
}
