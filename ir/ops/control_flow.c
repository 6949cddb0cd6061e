/*
 * control_flow.c - If, Loop and Scan, resolved at compile time.
 *
 * Generated code has no branches or loops of the model's: each control
 * flow node is expanded (OpDesc.expand) into ordinary nodes before any
 * pass runs.  An If whose condition folds becomes its taken branch, a Loop
 * or Scan whose trip count is known becomes one copy of its body per
 * iteration (ir/inline.c), with the scan outputs stacked by Unsqueeze and
 * Concat.  What cannot be resolved so is refused, naming the node.
 *
 * A Loop's condition may change from one iteration to the next, so it is
 * unrolled one iteration at a time: the expansion inlines the body once
 * and leaves a "LoopTail" node for the iterations after it, which
 * graph_infer expands in turn once the body's condition output is
 * inferred and folded.
 */
#include "ir/ops/op_check.h"
#include "ir/ops/rewrite.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Helpers shared by the expansions                                     */
/* ------------------------------------------------------------------ */

/* The subgraph attribute `name` of n, or NULL with an error. */
static Attr *graph_attr(Node *n, const char *name, Diag *d)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0 && n->attrs[i].graph)
            return &n->attrs[i];
    node_error(d, n, "attribute '%s' (a graph) is required", name);
    return NULL;
}

/* The opset of the nodes an expansion adds, whatever the model's: the
 * forms used here (axes as an input) mean the same in every opset the ops
 * support from there on. */
#define HELPER_OPSET 13

/* x[index] along `axis`, that axis removed (a Gather with a 0-d index);
 * `name` names the result. */
static Tensor *take_slice(Graph *g, const Node *n, Tensor *x, int64_t axis, int64_t index,
                          const char *name)
{
    Node *m = rewrite_node(g, n, "Gather", HELPER_OPSET);
    node_add_input(m, x);
    node_add_input(m, rewrite_scalar(g, DT_INT64, index, "%s/index", name));
    node_add_attr(m, "axis", ATTR_INT)->i = axis;
    Tensor *y = rewrite_tensor(g, "%s", name);
    node_add_output(m, y);
    return y;
}

/* Makes `out` the values[0, count) stacked along a new axis `axis`
 * (Unsqueeze each, then one Concat); axis may be negative, counting from
 * the end of the stacked rank as both ops do. */
static void stack(Graph *g, const Node *n, Tensor *const *values, int count, int64_t axis,
                  Tensor *out)
{
    Shape one = {.rank = 1, .dim = {1}};
    Tensor *axes = rewrite_const(g, DT_INT64, &one, &axis, "%s/axes", out->name);
    Node *concat = rewrite_node(g, n, "Concat", HELPER_OPSET);
    node_add_attr(concat, "axis", ATTR_INT)->i = axis;
    for (int i = 0; i < count; i++) {
        Node *m = rewrite_node(g, n, "Unsqueeze", HELPER_OPSET);
        node_add_input(m, values[i]);
        node_add_input(m, axes);
        Tensor *y = rewrite_tensor(g, "%s/item%d", out->name, i);
        node_add_output(m, y);
        node_add_input(concat, y);
    }
    node_add_output(concat, out);
}

/* Appends " (it depends on the run-time inputs 'a', 'b')": the graph
 * inputs that t, which is not constant, is computed from, so that the
 * user knows which to give at compile time. */
static void put_runtime_sources(Str *s, const Graph *g, const Tensor *t)
{
    if (t->is_input)
        return; /* the message names it already */
    bool *seen = xcalloc((size_t)g->n_tensors + 1, sizeof *seen);
    const Tensor **todo = xmalloc(((size_t)g->n_tensors + 1) * sizeof *todo);
    int n_todo = 0, found = 0;
    todo[n_todo++] = t;
    seen[t->id] = true;
    while (n_todo > 0) {
        const Tensor *u = todo[--n_todo];
        if (u->is_input)
            str_putf(s, "%s'%s'", found++ ? ", " : " (it depends on the run-time inputs ",
                     u->name);
        const Node *p = u->producer;
        for (int i = 0; p && i < p->n_in; i++)
            if (p->in[i] && !p->in[i]->data && !seen[p->in[i]->id]) {
                seen[p->in[i]->id] = true;
                todo[n_todo++] = p->in[i];
            }
    }
    if (found)
        str_puts(s, ")");
    free(todo);
    free(seen);
}

/* The single value of constant input i as an integer; `what` says what
 * it is in messages. */
static bool const_scalar(const Graph *g, const Node *n, int i, const char *what, int64_t *v,
                         Diag *d)
{
    const Tensor *t = n->in[i];
    if (!t->data) {
        Str sources = {0};
        put_runtime_sources(&sources, g, t);
        node_error(d, n, "input %d ('%s', %s) must be known at compile time%s", i, t->name,
                   what, sources.buf ? sources.buf : "");
        str_free(&sources);
        return false;
    }
    if (tensor_numel(t) != 1 || !(dtype_is_int(t->dtype) || t->dtype == DT_BOOL))
        return node_error(d, n, "input %d ('%s', %s) must be a single integer or bool, not %s "
                          "of %lld values", i, t->name, what, dtype_label(t->dtype),
                          (long long)tensor_numel(t));
    *v = dtype_get_i64(t->dtype, t->data, 0);
    return true;
}

/* ------------------------------------------------------------------ */
/* If                                                                   */
/* ------------------------------------------------------------------ */

static bool if_expand(Node *n, Graph *g, Diag *d)
{
    int64_t cond;
    if (!const_scalar(g, n, 0, "the condition", &cond, d))
        return false;
    const char *name = cond ? "then_branch" : "else_branch";
    const Attr *a = graph_attr(n, name, d);
    if (!a)
        return false;
    const Graph *branch = a->graph;
    if (branch->n_inputs != 0 || branch->n_outputs != n->n_out)
        return node_error(d, n, "the %s has %d inputs and %d outputs, expected 0 and %d", name,
                          branch->n_inputs, branch->n_outputs, n->n_out);
    Str prefix = {0};
    str_putf(&prefix, "%s/%s", n->name, name);
    Tensor **result = xmalloc((size_t)n->n_out * sizeof *result);
    graph_inline(g, branch, NULL, prefix.buf, result);
    /* The outputs keep their names and consumers. */
    for (int i = 0; i < n->n_out; i++)
        build_identity(g, n, result[i], n->out[i]);
    free(result);
    str_free(&prefix);
    return true;
}

const OpDesc op_If = {
    .name = "If",
    .since = 1, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1 << 16,
    .expand = if_expand,
    .dtypes = DT_BIT(DT_BOOL),
    .restriction = "condition must be known at compile time",
};

/* ------------------------------------------------------------------ */
/* Loop                                                                 */
/* ------------------------------------------------------------------ */

/* Where a Loop stands before iteration `iteration`: the condition and
 * carried values it runs with, and the scan output values of the
 * iterations before, scanned[k * n_scan + j] for iteration k, output j. */
typedef struct {
    Node *n;           /* the Loop or LoopTail being expanded */
    Attr *body;        /* its body attribute, moved on to the tail */
    int64_t iteration;
    int64_t trip_count; /* -1: none */
    Tensor *cond;
    Tensor *const *carried;
    int n_carried;
    Tensor *const *scanned;
    int n_scan;
} LoopState;

extern const OpDesc op_LoopTail;

/* The loop is over: its outputs are the carried values and the stacked
 * scan outputs. */
static bool loop_finish(Graph *g, const LoopState *s, Diag *d)
{
    Node *n = s->n;
    int k = (int)s->iteration;
    if (k == 0 && s->n_scan > 0)
        return node_error(d, n, "runs no iteration, so the shapes of its scan outputs are "
                          "unknown");
    for (int i = 0; i < s->n_carried; i++)
        build_identity(g, n, s->carried[i], n->out[i]);
    Tensor **values = xmalloc((size_t)k * sizeof *values + 1);
    for (int j = 0; j < s->n_scan; j++) {
        for (int it = 0; it < k; it++)
            values[it] = s->scanned[it * s->n_scan + j];
        stack(g, n, values, k, 0, n->out[s->n_carried + j]);
    }
    free(values);
    return true;
}

/* Inlines the body for iteration s->iteration and leaves a LoopTail node,
 * which takes n's outputs, for the iterations after it. */
static void loop_iterate(Graph *g, const LoopState *s)
{
    Node *n = s->n;
    const Graph *body = s->body->graph;
    int n_carried = s->n_carried, n_scan = s->n_scan;
    Tensor **actual = xmalloc((size_t)(2 + n_carried) * sizeof *actual);
    Str prefix = {0};
    str_putf(&prefix, "%s/iter%lld", n->name, (long long)s->iteration);
    actual[0] = rewrite_scalar(g, DT_INT64, s->iteration, "%s/number", prefix.buf);
    actual[1] = s->cond;
    memcpy(actual + 2, s->carried, (size_t)n_carried * sizeof *actual);
    Tensor **result = xmalloc((size_t)body->n_outputs * sizeof *result);
    graph_inline(g, body, actual, prefix.buf, result);
    str_free(&prefix);

    /* The tail reads (cond, carried..., scanned...): the body's outputs
     * and every scan value so far, so that it is ordered after them. */
    Node *tail = graph_add_node(g, n->name, "Loop");
    tail->op = &op_LoopTail;
    tail->opset = n->opset;
    for (int i = 0; i < 1 + n_carried; i++)
        node_add_input(tail, result[i]);
    for (int i = 0; i < (int)s->iteration * n_scan; i++)
        node_add_input(tail, s->scanned[i]);
    for (int j = 0; j < n_scan; j++)
        node_add_input(tail, result[1 + n_carried + j]);
    for (int i = 0; i < n->n_out; i++)
        node_add_output(tail, n->out[i]);
    Attr *a = node_add_attr(tail, "body", ATTR_GRAPH);
    a->graph = s->body->graph; /* n is removed once expanded */
    s->body->graph = NULL;
    node_add_attr(tail, "iteration", ATTR_INT)->i = s->iteration + 1;
    node_add_attr(tail, "trip_count", ATTR_INT)->i = s->trip_count;
    free(result);
    free(actual);
}

/* Runs iteration s->iteration if the loop goes on, or ends it. */
static bool loop_step(Graph *g, const LoopState *s, Diag *d)
{
    Node *n = s->n;
    int64_t cond;
    if (!s->cond->data) {
        Str sources = {0};
        put_runtime_sources(&sources, g, s->cond);
        node_error(d, n, "the condition '%s' before iteration %lld must be known at compile "
                   "time%s", s->cond->name, (long long)s->iteration,
                   sources.buf ? sources.buf : "");
        str_free(&sources);
        return false;
    }
    if (tensor_numel(s->cond) != 1)
        return node_error(d, n, "the condition '%s' must hold one value, not %lld",
                          s->cond->name, (long long)tensor_numel(s->cond));
    cond = dtype_get_i64(s->cond->dtype, s->cond->data, 0);
    bool more = cond && (s->trip_count < 0 || s->iteration < s->trip_count);
    if (!more)
        return loop_finish(g, s, d);
    if (s->iteration >= MAX_LOOP_ITERATIONS)
        return node_error(d, n, "runs more than %d iterations; at most %d are unrolled",
                          MAX_LOOP_ITERATIONS, MAX_LOOP_ITERATIONS);
    loop_iterate(g, s);
    return true;
}

/* Checks that the body takes (iteration, condition, carried...) and
 * returns (condition, carried..., scan outputs...) for n's outputs. */
static bool check_loop_body(const Node *n, const Graph *body, int n_carried, Diag *d)
{
    if (body->n_inputs != 2 + n_carried)
        return node_error(d, n, "the body has %d inputs, expected %d (iteration number, "
                          "condition and %d loop-carried values)", body->n_inputs,
                          2 + n_carried, n_carried);
    if (body->n_outputs != 1 + n->n_out || n->n_out < n_carried)
        return node_error(d, n, "the body has %d outputs and the node %d, expected the body "
                          "to have one more (its condition) and the node at least %d",
                          body->n_outputs, n->n_out, n_carried);
    return true;
}

static bool loop_expand(Node *n, Graph *g, Diag *d)
{
    Attr *body = graph_attr(n, "body", d);
    int n_carried = n->n_in - 2;
    if (!body || n_carried < 0 || !check_loop_body(n, body->graph, n_carried, d))
        return false;
    int64_t trip_count = -1, cond;
    if (n->in[0] && !const_scalar(g, n, 0, "the trip count", &trip_count, d))
        return false;
    if (n->in[1] && !const_scalar(g, n, 1, "the condition", &cond, d))
        return false;
    if (n->in[0] && trip_count < 0)
        trip_count = 0; /* a negative count runs nothing; -1 means no count */
    Tensor *first_cond = n->in[1] ? n->in[1] : rewrite_scalar(g, DT_BOOL, 1, "%s/cond", n->name);
    LoopState s = {n, body, 0, trip_count, first_cond, n->in + 2, n_carried, NULL,
                   n->n_out - n_carried};
    return loop_step(g, &s, d);
}

const OpDesc op_Loop = {
    .name = "Loop",
    .dtypes = DT_BIT(DT_INT64),
    .since = 1, .until = 17,
    .min_in = 2, .max_in = 1 << 16,
    .omittable_in = 0x3,
    .min_out = 1, .max_out = 1 << 16,
    .expand = loop_expand,
    .restriction = "trip count and condition must be known at compile time",
};

/* The iterations of a Loop after the ones inlined so far; made only by
 * loop_iterate (never looked up by name: its node's op_type stays "Loop"
 * so that messages name the model's op).  Inputs: the condition, the
 * carried values, the scan output values of the iterations before. */
static bool tail_expand(Node *n, Graph *g, Diag *d)
{
    Attr *body = graph_attr(n, "body", d);
    if (!body)
        return false;
    int n_carried = body->graph->n_inputs - 2;
    int64_t iteration = attr_int_or(n, "iteration", 0);
    LoopState s = {n, body, iteration, attr_int_or(n, "trip_count", -1), n->in[0], n->in + 1,
                   n_carried, n->in + 1 + n_carried, n->n_out - n_carried};
    return loop_step(g, &s, d);
}

const OpDesc op_LoopTail = {
    .name = "LoopTail",
    .since = 1, .until = 1 << 30,
    .min_in = 1, .max_in = 1 << 30,
    .min_out = 1, .max_out = 1 << 16,
    .expand = tail_expand,
    .internal = true,
};

/* ------------------------------------------------------------------ */
/* Scan                                                                 */
/* ------------------------------------------------------------------ */

/* A Scan's layout: n_state carried values, then n_in scanned inputs; the
 * body returns n_state values, then n_out scan outputs. */
typedef struct {
    Node *n;
    const Graph *body;
    int n_state, n_in, n_out;
    int64_t in_axis[MAX_RANK * 4], in_reverse[MAX_RANK * 4];
    int64_t out_axis[MAX_RANK * 4], out_reverse[MAX_RANK * 4];
    int64_t length; /* iterations */
} ScanSpec;

/* Reads the ints attribute `name` (count values, each in [lo, hi]) into
 * out, or fills it with 0 when absent. */
static bool scan_ints(const Node *n, const char *name, int count, int64_t lo, int64_t hi,
                      int64_t *out, Diag *d)
{
    const Attr *a = node_attr(n, name);
    if (!a) {
        memset(out, 0, (size_t)count * sizeof *out);
        return true;
    }
    if (a->kind != ATTR_INTS || a->n != count)
        return node_error(d, n, "attribute '%s' must hold %d values", name, count);
    for (int i = 0; i < count; i++) {
        if (a->ints[i] < lo || a->ints[i] > hi)
            return node_error(d, n, "attribute '%s' value %lld is outside [%lld, %lld]", name,
                              (long long)a->ints[i], (long long)lo, (long long)hi);
        out[i] = a->ints[i];
    }
    return true;
}

/* Unrolls the body over the scan inputs xs (states: the initial carried
 * values): sets final[] to the last carried values and stacked[] to the
 * scan outputs.  prefix names the inlined nodes. */
static void scan_unroll(Graph *g, const ScanSpec *sp, Tensor *const *states, Tensor *const *xs,
                        const char *prefix, Tensor **final, Tensor *const *stacked)
{
    const Node *n = sp->n;
    const Graph *body = sp->body;
    int64_t length = sp->length;
    Tensor **actual = xmalloc((size_t)(sp->n_state + sp->n_in) * sizeof *actual + 1);
    Tensor **result = xmalloc((size_t)body->n_outputs * sizeof *result + 1);
    Tensor **outs = xmalloc((size_t)(length * sp->n_out) * sizeof *outs + 1);
    memcpy(actual, states, (size_t)sp->n_state * sizeof *actual);
    for (int64_t t = 0; t < length; t++) {
        Str name = {0};
        for (int i = 0; i < sp->n_in; i++) {
            str_putf(&name, "%s/iter%lld/in%d", prefix, (long long)t, i);
            actual[sp->n_state + i] = take_slice(g, n, xs[i], sp->in_axis[i],
                                                 sp->in_reverse[i] ? length - 1 - t : t, name.buf);
            str_free(&name);
        }
        str_putf(&name, "%s/iter%lld", prefix, (long long)t);
        graph_inline(g, body, actual, name.buf, result);
        str_free(&name);
        memcpy(actual, result, (size_t)sp->n_state * sizeof *actual);
        for (int j = 0; j < sp->n_out; j++) {
            int64_t at = sp->out_reverse[j] ? length - 1 - t : t;
            outs[j * length + at] = result[sp->n_state + j];
        }
    }
    memcpy(final, actual, (size_t)sp->n_state * sizeof *final);
    for (int j = 0; j < sp->n_out; j++)
        stack(g, n, outs + j * length, (int)length, sp->out_axis[j], stacked[j]);
    free(outs);
    free(result);
    free(actual);
}

/* The scan length: every scanned input's extent along its scan axis
 * (skip leading axes, the batch axis of opset 8), which must agree. */
static bool scan_length(ScanSpec *sp, Tensor *const *xs, int skip, Diag *d)
{
    for (int i = 0; i < sp->n_in; i++) {
        const Shape *s = &xs[i]->shape;
        int axis;
        if (!axis_normalize(sp->in_axis[i], s->rank - skip, &axis))
            return node_error(d, sp->n, "scan axis %lld is out of range for input '%s' of rank "
                              "%d", (long long)sp->in_axis[i], xs[i]->name, s->rank);
        sp->in_axis[i] = axis;
        int64_t len = s->dim[axis + skip];
        if (i > 0 && len != sp->length)
            return node_error(d, sp->n, "scan input '%s' has %lld iterations along its axis, "
                              "'%s' has %lld", xs[i]->name, (long long)len, xs[0]->name,
                              (long long)sp->length);
        sp->length = len;
    }
    if (sp->n_in == 0)
        return node_error(d, sp->n, "has no scan inputs");
    if (sp->length * (skip ? xs[0]->shape.dim[0] : 1) > MAX_LOOP_ITERATIONS)
        return node_error(d, sp->n, "runs more than %d iterations; at most %d are unrolled",
                          MAX_LOOP_ITERATIONS, MAX_LOOP_ITERATIONS);
    if (sp->length == 0 && sp->n_out > 0)
        return node_error(d, sp->n, "runs no iteration, so the shapes of its scan outputs are "
                          "unknown");
    return true;
}

/* The body, n_state and the scan output count, checked against n. */
static bool scan_spec(Node *n, int n_state, int n_in, ScanSpec *sp, Diag *d)
{
    const Attr *a = graph_attr(n, "body", d);
    if (!a)
        return false;
    sp->n = n;
    sp->body = a->graph;
    sp->n_state = n_state;
    sp->n_in = n_in;
    sp->n_out = n->n_out - n_state;
    if (n_state < 0 || n_in < 0 || sp->n_out < 0 || n_in > MAX_RANK * 4 ||
        sp->n_out > MAX_RANK * 4)
        return node_error(d, n, "has %d inputs and %d outputs, which do not fit %d scan inputs",
                          n->n_in, n->n_out, n_in);
    if (sp->body->n_inputs != n_state + n_in || sp->body->n_outputs != n->n_out)
        return node_error(d, n, "the body has %d inputs and %d outputs, expected %d and %d",
                          sp->body->n_inputs, sp->body->n_outputs, n_state + n_in, n->n_out);
    /* Only opset 8's sequence_lens, before them, may be omitted. */
    for (int i = n->n_in - n_state - n_in; i < n->n_in; i++)
        if (!n->in[i])
            return node_error(d, n, "input %d is required, but omitted (its name is empty)", i);
    return true;
}

/* Opset 9 on: no batch axis; scan axes and directions per input and
 * output. */
static bool scan9_expand(Node *n, Graph *g, Diag *d)
{
    ScanSpec sp = {0};
    int64_t n_in = attr_int_or(n, "num_scan_inputs", -1);
    if (n_in < 1 || n_in > n->n_in)
        return node_error(d, n, "attribute 'num_scan_inputs' must be in [1, %d]", n->n_in);
    if (!scan_spec(n, n->n_in - (int)n_in, (int)n_in, &sp, d))
        return false;
    /* Negative axes (opset 11) count from the end; an output's rank is
     * its body value's plus one. */
    if (!scan_ints(n, "scan_input_axes", sp.n_in, -MAX_RANK, MAX_RANK - 1, sp.in_axis, d) ||
        !scan_ints(n, "scan_input_directions", sp.n_in, 0, 1, sp.in_reverse, d) ||
        !scan_ints(n, "scan_output_axes", sp.n_out, -MAX_RANK, MAX_RANK - 1, sp.out_axis, d) ||
        !scan_ints(n, "scan_output_directions", sp.n_out, 0, 1, sp.out_reverse, d) ||
        !scan_length(&sp, n->in + sp.n_state, 0, d))
        return false;
    Tensor **final = xmalloc((size_t)sp.n_state * sizeof *final + 1);
    Tensor **stacked = xmalloc((size_t)sp.n_out * sizeof *stacked + 1);
    for (int j = 0; j < sp.n_out; j++)
        stacked[j] = rewrite_tensor(g, "%s/stacked%d", n->name, j);
    scan_unroll(g, &sp, n->in, n->in + sp.n_state, n->name, final, stacked);
    for (int i = 0; i < n->n_out; i++)
        build_identity(g, n, i < sp.n_state ? final[i] : stacked[i - sp.n_state], n->out[i]);
    free(stacked);
    free(final);
    return true;
}

/* sequence_lens, when given, must say that every sequence is whole. */
static bool check_sequence_lens(const Node *n, int64_t length, Diag *d)
{
    const Tensor *lens = n->in[0];
    if (!lens)
        return true;
    if (!lens->data || !dtype_is_int(lens->dtype))
        return node_error(d, n, "input 0 ('%s', sequence_lens) must be known at compile time",
                          lens->name);
    for (int64_t i = 0; i < tensor_numel(lens); i++)
        if (dtype_get_i64(lens->dtype, lens->data, (size_t)i) != length)
            return node_error(d, n, "sequence_lens must all be %lld, the full length; shorter "
                              "sequences are not supported", (long long)length);
    return true;
}

/* Opset 8: inputs (sequence_lens, states..., scanned...), each with a
 * leading batch axis; the body runs over each batch entry in turn and
 * scans along axis 1. */
static bool scan8_expand(Node *n, Graph *g, Diag *d)
{
    ScanSpec sp = {0};
    int64_t n_in = attr_int_or(n, "num_scan_inputs", -1);
    if (n_in < 1 || n_in > n->n_in - 1)
        return node_error(d, n, "attribute 'num_scan_inputs' must be in [1, %d]", n->n_in - 1);
    if (!scan_spec(n, n->n_in - 1 - (int)n_in, (int)n_in, &sp, d))
        return false;
    Tensor *const *states = n->in + 1, *const *xs = n->in + 1 + sp.n_state;
    for (int i = 0; i < sp.n_state + sp.n_in; i++)
        if (states[i]->shape.rank < 1 + (i >= sp.n_state))
            return node_error(d, n, "input '%s' lacks the batch axis", states[i]->name);
    if (!scan_ints(n, "directions", sp.n_in, 0, 1, sp.in_reverse, d) ||
        !scan_length(&sp, xs, 1, d) || !check_sequence_lens(n, sp.length, d))
        return false;
    int64_t batch = xs[0]->shape.dim[0];
    if (batch < 1)
        return node_error(d, n, "the batch of scan input '%s' is empty", xs[0]->name);
    int total = sp.n_state + sp.n_out;
    /* per_batch[i * batch + b]: output i for batch entry b. */
    Tensor **per_batch = xmalloc((size_t)(total * batch) * sizeof *per_batch + 1);
    Tensor **entry = xmalloc((size_t)(sp.n_state + sp.n_in) * sizeof *entry + 1);
    Tensor **final = xmalloc((size_t)sp.n_state * sizeof *final + 1);
    Tensor **stacked = xmalloc((size_t)sp.n_out * sizeof *stacked + 1);
    for (int64_t b = 0; b < batch; b++) {
        Str prefix = {0}, name = {0};
        str_putf(&prefix, "%s/batch%lld", n->name, (long long)b);
        for (int i = 0; i < sp.n_state + sp.n_in; i++) {
            str_putf(&name, "%s/input%d", prefix.buf, i);
            entry[i] = take_slice(g, n, states[i], 0, b, name.buf);
            str_free(&name);
        }
        for (int j = 0; j < sp.n_out; j++)
            stacked[j] = rewrite_tensor(g, "%s/stacked%d", prefix.buf, j);
        scan_unroll(g, &sp, entry, entry + sp.n_state, prefix.buf, final, stacked);
        str_free(&prefix);
        for (int i = 0; i < total; i++)
            per_batch[i * batch + b] = i < sp.n_state ? final[i] : stacked[i - sp.n_state];
    }
    for (int i = 0; i < total; i++)
        stack(g, n, per_batch + i * batch, (int)batch, 0, n->out[i]);
    free(stacked);
    free(final);
    free(entry);
    free(per_batch);
    return true;
}

static bool scan_expand(Node *n, Graph *g, Diag *d)
{
    return n->opset < 9 ? scan8_expand(n, g, d) : scan9_expand(n, g, d);
}

const OpDesc op_Scan = {
    .name = "Scan",
    .dtypes = DT_SET_ALL,
    .since = 8, .until = 17,
    .min_in = 1, .max_in = 1 << 16,
    .omittable_in = 0x1,
    .min_out = 1, .max_out = 1 << 16,
    .expand = scan_expand,
    .restriction = "the scan length must be known at compile time; sequence_lens (opset 8) "
                   "must be the full length",
};
