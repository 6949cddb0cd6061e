/*
 * test_plan.c - the static memory planner on hand-built graphs.
 *
 * The graphs use test-only ops over 1-D float tensors, so every planner
 * feature can be switched on independently of the real op table:
 *   Compute  any inputs -> one output, a fresh buffer
 *   Ew       elementwise, may write over an input (in_place)
 *   View     output 0 is input 0 (is_view)
 *   Half     two outputs, the halves of input 0 (view_range)
 *   Cat      the inputs one after another (slot_range)
 *   Scratch  a fresh buffer, and 4 KiB of kernel scratch (scratch_bytes)
 * The property test runs the plan on random DAGs through a simulator
 * that tags every 4-byte cell of the arena with the value it holds and
 * checks that each read finds the value it expects.
 */
#include "passes/passes.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

static bool half_range(const Node *n, int out, int64_t *offset)
{
    *offset = out == 0 ? 0 : n->out[0]->shape.dim[0];
    return true;
}

static bool cat_range(const Node *n, int in, int64_t *offset)
{
    *offset = 0;
    for (int i = 0; i < in; i++)
        *offset += n->in[i]->shape.dim[0];
    return true;
}

/* Scratch's kernel needs 4 KiB of scratch while it runs. */
static size_t scratch_4k(const Node *n)
{
    (void)n;
    return 4096;
}

static const OpDesc op_compute = {.name = "Compute"};
static const OpDesc op_scratch = {.name = "Scratch", .scratch_bytes = scratch_4k};
/* The same kernel split over threads: a scratch slot per thread. */
static const OpDesc op_parallel_scratch = {.name = "ParallelScratch", .scratch_bytes = scratch_4k,
                                           .parallel = true};
static const OpDesc op_ew = {.name = "Ew", .in_place = true};
static const OpDesc op_view = {.name = "View", .is_view = true};
static const OpDesc op_half = {.name = "Half", .view_range = half_range};
static const OpDesc op_cat = {.name = "Cat", .slot_range = cat_range};

/* ------------------------------------------------------------------ */
/* Building graphs                                                    */
/* ------------------------------------------------------------------ */

static Tensor *vec(Graph *g, int64_t n)
{
    Tensor *t = graph_new_tensor(g, "t");
    t->dtype = DT_FLOAT;
    t->shape = (Shape){.rank = 1, .dim = {n}};
    t->shape_known = true;
    return t;
}

static Tensor *graph_input(Graph *g, int64_t n)
{
    Tensor *t = vec(g, n);
    t->is_input = true;
    graph_add_input(g, t);
    return t;
}

static void mark_output(Graph *g, Tensor *t)
{
    t->is_output = true;
    graph_add_output(g, t);
}

/* A node of `op` reading ins[0..n_in) and writing outs[0..n_out). */
static Node *add_node(Graph *g, const OpDesc *op, Tensor **ins, int n_in, Tensor **outs,
                      int n_out)
{
    Node *n = graph_add_node(g, "n", op->name);
    n->op = op;
    for (int i = 0; i < n_in; i++)
        node_add_input(n, ins[i]);
    for (int i = 0; i < n_out; i++)
        node_add_output(n, outs[i]);
    return n;
}

/* One-output node writing a fresh vector of `len` elements. */
static Tensor *apply(Graph *g, const OpDesc *op, Tensor **ins, int n_in, int64_t len)
{
    Tensor *y = vec(g, len);
    add_node(g, op, ins, n_in, &y, 1);
    return y;
}

static Tensor *apply1(Graph *g, const OpDesc *op, Tensor *x, int64_t len)
{
    return apply(g, op, &x, 1, len);
}

static MemPlan plan_ok(Graph *g)
{
    MemPlan p;
    Diag d = {0};
    CU_ASSERT_TRUE(plan_memory(g, &p, &d));
    diag_free(&d);
    return p;
}

static const Tensor *root_of(const Tensor *t)
{
    while (t->alias_base)
        t = t->alias_base;
    return t;
}

/* ------------------------------------------------------------------ */
/* The simulator                                                      */
/* ------------------------------------------------------------------ */

/* The value a tensor's element k stands for: (tensor id, element) of
 * the node that really computed it, looking through elided nodes. */
typedef struct {
    int id;
    int64_t k;
} Tag;

static Tag canonical(const Tensor *t, int64_t k)
{
    const Node *n = t->producer;
    if (n && n->elided && n->op->slot_range) {
        for (int i = 0; i < n->n_in; i++) {
            int64_t off;
            n->op->slot_range(n, i, &off);
            if (k >= off && k < off + n->in[i]->shape.dim[0])
                return canonical(n->in[i], k - off);
        }
    }
    if (n && n->elided) {
        int out = 0;
        int64_t off = 0;
        while (n->out[out] != t)
            out++;
        if (n->op->view_range)
            n->op->view_range(n, out, &off);
        return canonical(n->in[0], k + off);
    }
    return (Tag){t->id, k};
}

/* Runs the schedule: writes tag the output cells, reads check them. */
static bool simulate(const Graph *g)
{
    size_t cells = g->arena_bytes / 4 + 1;
    Tag *arena = xcalloc(cells, sizeof *arena);
    for (size_t c = 0; c < cells; c++)
        arena[c].id = -1;
    bool ok = true;
    for (int s = 0; s < g->n_nodes && ok; s++) {
        const Node *n = g->nodes[s];
        for (int i = 0; i < n->n_in && ok; i++) {
            const Tensor *x = n->in[i];
            for (int64_t k = 0; x->offset >= 0 && k < x->shape.dim[0] && ok; k++) {
                Tag want = canonical(x, k), have = arena[x->offset / 4 + k];
                ok = want.id == have.id && want.k == have.k;
            }
        }
        for (int j = 0; j < n->n_out && !n->elided; j++) {
            const Tensor *y = n->out[j];
            for (int64_t k = 0; y->offset >= 0 && k < y->shape.dim[0]; k++)
                arena[y->offset / 4 + k] = (Tag){y->id, k};
        }
    }
    free(arena);
    return ok;
}

/* Tensors of different alias trees that are live at one step must not
 * share bytes; everything fits the arena. */
static bool no_overlap(const Graph *g)
{
    int *def = xmalloc((size_t)g->n_tensors * sizeof *def);
    int *last = xmalloc((size_t)g->n_tensors * sizeof *last);
    for (int i = 0; i < g->n_tensors; i++)
        def[i] = last[i] = -1;
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = g->nodes[s];
        for (int j = 0; j < n->n_in; j++)
            last[n->in[j]->id] = s;
        for (int j = 0; j < n->n_out; j++)
            def[n->out[j]->id] = last[n->out[j]->id] = s;
    }
    bool ok = true;
    for (int a = 0; a < g->n_tensors; a++) {
        const Tensor *x = g->tensors[a];
        if (x->offset < 0)
            continue;
        ok = ok && (size_t)x->offset + tensor_bytes(x) <= g->arena_bytes;
        for (int b = a + 1; b < g->n_tensors; b++) {
            const Tensor *y = g->tensors[b];
            if (y->offset < 0 || root_of(x) == root_of(y) || def[a] > last[b] || def[b] > last[a])
                continue;
            ok = ok && (x->offset + (int64_t)tensor_bytes(x) <= y->offset ||
                        y->offset + (int64_t)tensor_bytes(y) <= x->offset);
        }
    }
    free(def);
    free(last);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Hand-built graphs                                                  */
/* ------------------------------------------------------------------ */

static void test_view_aliases(void)
{
    Graph *g = graph_new("view");
    Tensor *in = graph_input(g, 64);
    Tensor *a = apply1(g, &op_compute, in, 64);
    Tensor *v = apply1(g, &op_view, a, 64);
    mark_output(g, apply1(g, &op_compute, v, 64));
    MemPlan p = plan_ok(g);
    CU_ASSERT_PTR_EQUAL(v->alias_base, a);
    CU_ASSERT_TRUE(v->producer->elided);
    CU_ASSERT_EQUAL(v->offset, a->offset);
    CU_ASSERT_EQUAL(p.arena_bytes, 256);
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* A view of a graph input reads the caller's buffer; a view that is a
 * graph output must be copied there. */
static void test_view_of_caller_memory(void)
{
    Graph *g = graph_new("view_io");
    Tensor *in = graph_input(g, 16);
    Tensor *v = apply1(g, &op_view, in, 16);
    Tensor *a = apply1(g, &op_compute, v, 16);
    Tensor *w = apply1(g, &op_view, a, 16);
    mark_output(g, w);
    plan_ok(g);
    CU_ASSERT_PTR_EQUAL(v->alias_base, in);
    CU_ASSERT_EQUAL(v->offset, -1);
    CU_ASSERT_PTR_NULL(w->alias_base);
    CU_ASSERT_FALSE(w->producer->elided);
    graph_free(g);
}

static void test_in_place(void)
{
    Graph *g = graph_new("in_place");
    Tensor *in = graph_input(g, 64);
    Tensor *a = apply1(g, &op_compute, in, 64);
    Tensor *b = apply1(g, &op_ew, a, 64);
    mark_output(g, apply1(g, &op_compute, b, 64));
    MemPlan p = plan_ok(g);
    CU_ASSERT_PTR_EQUAL(b->alias_base, a);
    CU_ASSERT_EQUAL(p.lower_bound_bytes, 256);
    CU_ASSERT_EQUAL(p.arena_bytes, 256);
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* An input read after the node, or a graph input, is not overwritten. */
static void test_in_place_refused(void)
{
    Graph *g = graph_new("in_place_refused");
    Tensor *in = graph_input(g, 64);
    Tensor *a = apply1(g, &op_compute, in, 64);
    Tensor *b = apply1(g, &op_ew, a, 64);
    Tensor *ab[] = {a, b};
    Tensor *c = apply(g, &op_compute, ab, 2, 64);
    Tensor *d = apply1(g, &op_ew, in, 64);
    Tensor *cd[] = {c, d};
    mark_output(g, apply(g, &op_compute, cd, 2, 64));
    plan_ok(g);
    CU_ASSERT_PTR_NULL(b->alias_base);
    CU_ASSERT_PTR_NULL(d->alias_base);
    CU_ASSERT_TRUE(no_overlap(g));
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* A read through a view later on keeps the base alive too. */
static void test_in_place_respects_views(void)
{
    Graph *g = graph_new("in_place_views");
    Tensor *in = graph_input(g, 32);
    Tensor *a = apply1(g, &op_compute, in, 32);
    Tensor *v = apply1(g, &op_view, a, 32);
    Tensor *b = apply1(g, &op_ew, a, 32);
    Tensor *vb[] = {v, b};
    mark_output(g, apply(g, &op_compute, vb, 2, 32));
    plan_ok(g);
    CU_ASSERT_PTR_EQUAL(v->alias_base, a);
    CU_ASSERT_PTR_NULL(b->alias_base);
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

static void test_concat_elided(void)
{
    Graph *g = graph_new("concat");
    Tensor *in = graph_input(g, 16);
    Tensor *a = apply1(g, &op_compute, in, 48);
    Tensor *b = apply1(g, &op_compute, in, 80);
    Tensor *ab[] = {a, b};
    Tensor *c = apply(g, &op_cat, ab, 2, 128);
    mark_output(g, apply1(g, &op_compute, c, 16));
    MemPlan p = plan_ok(g);
    CU_ASSERT_TRUE(c->producer->elided);
    CU_ASSERT_PTR_EQUAL(a->alias_base, c);
    CU_ASSERT_PTR_EQUAL(b->alias_base, c);
    CU_ASSERT_EQUAL(a->offset, c->offset);
    CU_ASSERT_EQUAL(b->offset, c->offset + 48 * 4);
    CU_ASSERT_EQUAL(p.arena_bytes, 512);
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* Inputs from caller memory, or the same tensor twice: the Concat copies. */
static void test_concat_kept(void)
{
    Graph *g = graph_new("concat_kept");
    Tensor *in = graph_input(g, 16);
    Tensor *a = apply1(g, &op_compute, in, 16);
    Tensor *ia[] = {in, a};
    Tensor *c = apply(g, &op_cat, ia, 2, 32);
    Tensor *aa[] = {a, a};
    Tensor *e = apply(g, &op_cat, aa, 2, 32);
    Tensor *ce[] = {c, e};
    mark_output(g, apply(g, &op_compute, ce, 2, 16));
    plan_ok(g);
    CU_ASSERT_FALSE(c->producer->elided);
    CU_ASSERT_FALSE(e->producer->elided);
    CU_ASSERT_PTR_NULL(a->alias_base);
    CU_ASSERT_TRUE(no_overlap(g));
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* Split halves become views; an in-place op on one half must not run
 * while the other half, or the whole, is still to be read. */
static void test_split_views(void)
{
    Graph *g = graph_new("split");
    Tensor *in = graph_input(g, 16);
    Tensor *a = apply1(g, &op_compute, in, 64);
    Tensor *h[] = {vec(g, 32), vec(g, 32)};
    add_node(g, &op_half, &a, 1, h, 2);
    Tensor *r = apply1(g, &op_ew, h[0], 32);
    Tensor *rh[] = {r, h[1], a};
    mark_output(g, apply(g, &op_compute, rh, 3, 16));
    plan_ok(g);
    CU_ASSERT_PTR_EQUAL(h[0]->alias_base, a);
    CU_ASSERT_EQUAL(h[1]->offset, a->offset + 128);
    CU_ASSERT_PTR_NULL(r->alias_base);
    CU_ASSERT_TRUE(h[0]->producer->elided);
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* The best schedule runs a branch to its end before the next one. */
static void test_schedule_lowers_peak(void)
{
    Graph *g = graph_new("schedule");
    Tensor *in = graph_input(g, 16);
    Tensor *big[3], *small[3];
    for (int i = 0; i < 3; i++)
        big[i] = apply1(g, &op_compute, in, 1024);
    for (int i = 0; i < 3; i++)
        small[i] = apply1(g, &op_compute, big[i], 16);
    mark_output(g, apply(g, &op_compute, small, 3, 16));
    MemPlan p = plan_ok(g);
    /* One big tensor at a time: 4 KiB plus the small ones. */
    CU_ASSERT_TRUE(p.lower_bound_bytes < 2 * 4096);
    CU_ASSERT_TRUE(p.naive_bytes >= 3 * 4096);
    CU_ASSERT_TRUE(no_overlap(g));
    CU_ASSERT_TRUE(simulate(g));
    graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Random DAGs                                                        */
/* ------------------------------------------------------------------ */

static unsigned rng_next(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

/* A random graph: each node reads one to three earlier tensors (recent
 * ones more often) and is one of the test ops. */
static Graph *random_graph(unsigned seed)
{
    Graph *g = graph_new("random");
    unsigned rng = seed;
    Tensor **pool = xmalloc(200 * sizeof *pool);
    int n_pool = 0;
    pool[n_pool++] = graph_input(g, 1 + rng_next(&rng) % 64);
    int nodes = 5 + (int)(rng_next(&rng) % 40);
    for (int i = 0; i < nodes; i++) {
        int64_t len = 1 + rng_next(&rng) % 96;
        Tensor *x = pool[n_pool - 1 - (int)(rng_next(&rng) % (unsigned)(n_pool < 4 ? n_pool : 4))];
        Tensor *y = pool[(int)(rng_next(&rng) % (unsigned)n_pool)];
        Tensor *ins[] = {x, y, pool[0]};
        switch (rng_next(&rng) % 6) {
        case 0: pool[n_pool++] = apply1(g, &op_ew, x, x->shape.dim[0]); break;
        case 1: pool[n_pool++] = apply1(g, &op_view, x, x->shape.dim[0]); break;
        case 2: {
            Tensor *parts[] = {x, y};
            pool[n_pool++] = apply(g, &op_cat, parts, 2, x->shape.dim[0] + y->shape.dim[0]);
            break;
        }
        case 3: {
            Tensor *h[] = {vec(g, len), vec(g, len)};
            Tensor *whole = apply(g, &op_compute, ins, 2, 2 * len);
            add_node(g, &op_half, &whole, 1, h, 2);
            pool[n_pool++] = h[rng_next(&rng) % 2];
            break;
        }
        default: pool[n_pool++] = apply(g, &op_compute, ins, 1 + (int)(rng_next(&rng) % 3), len);
        }
    }
    /* The last tensor and a random one leave the graph. */
    mark_output(g, pool[n_pool - 1]);
    Tensor *o = pool[rng_next(&rng) % (unsigned)n_pool];
    if (!o->is_output && !o->is_input)
        mark_output(g, o);
    free(pool);
    return g;
}

/* The scratch is in the arena, so the naive figure set against it counts
 * scratch too; the tensors alone are the other figure. */
static void test_naive_counts_scratch(void)
{
    Graph *g = graph_new("scratch");
    Tensor *in = graph_input(g, 16);
    Tensor *a = apply1(g, &op_scratch, in, 16);
    mark_output(g, apply1(g, &op_compute, a, 16));
    MemPlan p = plan_ok(g);
    CU_ASSERT_EQUAL(p.naive_tensor_bytes, 64);
    CU_ASSERT_EQUAL(p.naive_bytes, 64 + 4096);
    CU_ASSERT_EQUAL(a->producer->scratch_bytes, 4096);
    CU_ASSERT_TRUE(p.arena_bytes > p.naive_tensor_bytes);
    CU_ASSERT_TRUE(p.arena_bytes <= p.naive_bytes);
    graph_free(g);
}

/* --threads N gives a splitting kernel N scratch slots, and a serial
 * kernel one. */
static void test_scratch_per_thread(void)
{
    Graph *g = graph_new("threads");
    Tensor *in = graph_input(g, 16);
    Tensor *a = apply1(g, &op_parallel_scratch, in, 16);
    Tensor *b = apply1(g, &op_scratch, a, 16);
    mark_output(g, apply1(g, &op_compute, b, 16));
    g->threads = 3;
    MemPlan p = plan_ok(g);
    CU_ASSERT_EQUAL(a->producer->scratch_bytes, 3 * 4096);
    CU_ASSERT_EQUAL(b->producer->scratch_bytes, 4096);
    CU_ASSERT_TRUE(p.arena_bytes >= 3 * 4096);
    graph_free(g);
}

static void test_random_dags(void)
{
    int failures = 0;
    for (unsigned seed = 1; seed <= 500; seed++) {
        Graph *g = random_graph(seed);
        MemPlan p = plan_ok(g);
        bool ok = p.arena_bytes >= p.lower_bound_bytes && p.arena_bytes <= p.naive_bytes &&
                  p.arena_bytes % 64 == 0 && no_overlap(g) && simulate(g);
        if (!ok && failures++ < 3)
            fprintf(stderr, "random DAG %u: plan is wrong\n", seed);
        graph_free(g);
    }
    CU_ASSERT_EQUAL(failures, 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("plan", NULL, NULL);
    CU_add_test(s, "a view aliases its input", test_view_aliases);
    CU_add_test(s, "views of caller memory", test_view_of_caller_memory);
    CU_add_test(s, "elementwise in place", test_in_place);
    CU_add_test(s, "in place refused when unsafe", test_in_place_refused);
    CU_add_test(s, "in place respects later views", test_in_place_respects_views);
    CU_add_test(s, "concat elided", test_concat_elided);
    CU_add_test(s, "concat kept when it must copy", test_concat_kept);
    CU_add_test(s, "split outputs are views", test_split_views);
    CU_add_test(s, "schedule lowers the peak", test_schedule_lowers_peak);
    CU_add_test(s, "naive sum counts scratch", test_naive_counts_scratch);
    CU_add_test(s, "a splitting kernel has a scratch slot per thread", test_scratch_per_thread);
    CU_add_test(s, "random DAGs", test_random_dags);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
