/*
 * cost.c - per-node cost of a planned graph (MACs, FLOPs, activation
 * bytes, parameters), as text and as JSON.  The rules are in
 * docs/flops.md; the arithmetic of each op is its OpDesc.cost.
 */
#include "driver/escape.h"
#include "driver/sinter.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Parameters: float constants, each distinct value counted once       */
/* ------------------------------------------------------------------ */

/* Constants already counted.  Values are compared by content because
 * the exporter stores a shared weight once and reads it through Identity
 * nodes, which folding turns into copies: one parameter, many tensors. */
typedef struct {
    const Tensor *tensor;
    uint64_t hash;
} Counted;

typedef struct {
    Counted *items;
    int count, cap;
    bool *seen;             /* by tensor id: this tensor was looked at */
} ParamSet;

/* FNV-1a over the bytes. */
static uint64_t bytes_hash(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static bool same_value(const Tensor *a, const Tensor *b)
{
    return a->dtype == b->dtype && shape_equal(&a->shape, &b->shape) &&
           memcmp(a->data, b->data, tensor_bytes(a)) == 0;
}

/* Elements of t if it is a float constant not counted yet, else 0. */
static int64_t new_param_elements(ParamSet *ps, const Tensor *t)
{
    /* A packed copy re-lays another constant's values: not counted. */
    if (!tensor_is_const(t) || !dtype_is_float(t->dtype) || ps->seen[t->id] ||
        t->layout == LAYOUT_PACKED)
        return 0;
    ps->seen[t->id] = true;
    uint64_t h = bytes_hash(t->data, tensor_bytes(t));
    for (int i = 0; i < ps->count; i++)
        if (ps->items[i].hash == h && same_value(ps->items[i].tensor, t))
            return 0;
    grow_array((void **)&ps->items, &ps->cap, ps->count + 1, sizeof *ps->items);
    ps->items[ps->count++] = (Counted){t, h};
    return tensor_numel(t);
}

/* ------------------------------------------------------------------ */
/* Costing                                                             */
/* ------------------------------------------------------------------ */

/* Bytes of the run-time tensors n reads, each input counted once. */
static int64_t activation_bytes_read(const Node *n)
{
    int64_t bytes = 0;
    for (int i = 0; i < n->n_in; i++) {
        const Tensor *t = n->in[i];
        bool repeated = false;
        for (int k = 0; k < i && !repeated; k++)
            repeated = n->in[k] == t;
        if (t && !tensor_is_const(t) && !repeated)
            bytes += (int64_t)tensor_bytes(t);
    }
    return bytes;
}

static int64_t bytes_written(const Node *n)
{
    int64_t bytes = 0;
    for (int i = 0; i < n->n_out; i++)
        bytes += (int64_t)tensor_bytes(n->out[i]);
    return bytes;
}

static LayerCost cost_node(const Node *n, ParamSet *ps)
{
    LayerCost c = {.node = n, .kernel = node_is_kernel(n)};
    if (n->op && n->op->cost)
        c.cost = n->op->cost(n);
    c.executed_macs = n->op && n->op->executed_macs ? n->op->executed_macs(n) : c.cost.macs;
    /* Only code moves bytes: a view or a Concat written in place by its
     * producers reads and writes nothing of its own. */
    if (c.kernel) {
        c.bytes_read = activation_bytes_read(n);
        c.bytes_written = bytes_written(n);
    }
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i])
            c.params += new_param_elements(ps, n->in[i]);
    return c;
}

void cost_report_build(CostReport *r, const Graph *g)
{
    memset(r, 0, sizeof *r);
    r->layers = xcalloc((size_t)g->n_nodes + 1, sizeof *r->layers);
    r->n_layers = g->n_nodes;
    ParamSet ps = {.seen = xcalloc((size_t)g->n_tensors + 1, sizeof *ps.seen)};
    CostTotals *t = &r->total;
    for (int i = 0; i < g->n_nodes; i++) {
        LayerCost *c = &r->layers[i];
        *c = cost_node(g->nodes[i], &ps);
        t->params += c->params;
        t->macs += c->cost.macs;
        t->executed_macs += c->executed_macs;
        t->flops += c->cost.flops;
        t->bytes_read += c->bytes_read;
        t->bytes_written += c->bytes_written;
    }
    t->nodes = g->n_nodes;
    t->kernels = graph_kernel_count(g);
    free(ps.items);
    free(ps.seen);
}

void cost_report_free(CostReport *r)
{
    free(r->layers);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_put_totals(Str *out, const char *key, int level, const CostTotals *t)
{
    str_putf(out,
             "  \"%s\": {\"level\": %d, \"params\": %lld, \"macs\": %lld, "
             "\"executed_macs\": %lld, \"flops\": %lld, \"bytes_read\": %lld, "
             "\"bytes_written\": %lld, \"nodes\": %d, \"kernels\": %d}",
             key, level, (long long)t->params, (long long)t->macs, (long long)t->executed_macs,
             (long long)t->flops, (long long)t->bytes_read, (long long)t->bytes_written, t->nodes,
             t->kernels);
}

static void json_put_shape(Str *out, const Shape *s)
{
    str_puts(out, "[");
    for (int i = 0; i < s->rank; i++)
        str_putf(out, "%s%lld", i ? ", " : "", (long long)s->dim[i]);
    str_puts(out, "]");
}

static void json_put_layer(Str *out, const LayerCost *c)
{
    const Node *n = c->node;
    str_puts(out, "    {\"name\": ");
    json_put_string(out, n->name);
    str_puts(out, ", \"op\": ");
    json_put_string(out, n->op_type);
    str_puts(out, ", \"shape\": ");
    json_put_shape(out, &n->out[0]->shape);
    str_putf(out,
             ", \"kernel\": %s, \"macs\": %lld, \"executed_macs\": %lld, \"flops\": %lld, "
             "\"bytes_read\": %lld, \"bytes_written\": %lld, \"params\": %lld}",
             c->kernel ? "true" : "false", (long long)c->cost.macs, (long long)c->executed_macs,
             (long long)c->cost.flops, (long long)c->bytes_read, (long long)c->bytes_written,
             (long long)c->params);
}

void cost_report_json(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused)
{
    str_puts(out, "{\n  \"model\": ");
    json_put_string(out, model);
    str_putf(out, ",\n  \"params\": %lld,\n", (long long)unfused->total.params);
    json_put_totals(out, "unfused", 0, &unfused->total);
    str_puts(out, ",\n");
    json_put_totals(out, "fused", 2, &fused->total);
    str_puts(out, ",\n  \"layers\": [");
    for (int i = 0; i < fused->n_layers; i++) {
        str_puts(out, i ? ",\n" : "\n");
        json_put_layer(out, &fused->layers[i]);
    }
    str_puts(out, fused->n_layers ? "\n  ]\n}\n" : "]\n}\n");
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* name for a terminal: control bytes and bytes above ASCII become '?'. */
static void put_printable(Str *out, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        str_putf(out, "%c", *p >= 32 && *p < 127 ? *p : '?');
}

/* name in a column of `width` (at least 3) bytes; a long name keeps its
 * end, the part that tells ONNX's path-like names apart. */
static void put_name_column(Str *out, const char *name, size_t width)
{
    size_t len = strlen(name);
    if (len > width) {
        str_puts(out, "..");
        put_printable(out, name + len - (width - 2));
        return;
    }
    put_printable(out, name);
    str_putf(out, "%*s", (int)(width - len), "");
}

static void text_row(Str *out, const char *label, long long a, long long b)
{
    str_putf(out, "  %-26s %18lld %18lld\n", label, a, b);
}

/* The MACs of both graphs and what the fused one's code performs. */
static void text_totals(Str *out, const CostTotals *o0, const CostTotals *o2)
{
    str_putf(out, "  %-26s %18s %18s %18s\n", "", "-O0 (unfused)", "-O2 (fused)", "executed");
    text_row(out, "parameters", o0->params, o2->params);
    str_putf(out, "  %-26s %18lld %18lld %18lld\n", "MACs", (long long)o0->macs,
             (long long)o2->macs, (long long)o2->executed_macs);
    text_row(out, "FLOPs", o0->flops, o2->flops);
    str_putf(out, "  %-26s %18.4f %18.4f %18.4f\n", "GMACs", (double)o0->macs / 1e9,
             (double)o2->macs / 1e9, (double)o2->executed_macs / 1e9);
    str_putf(out, "  %-26s %18.4f %18.4f\n", "GFLOPs", (double)o0->flops / 1e9,
             (double)o2->flops / 1e9);
    text_row(out, "activation bytes read", o0->bytes_read, o2->bytes_read);
    text_row(out, "activation bytes written", o0->bytes_written, o2->bytes_written);
    text_row(out, "nodes", o0->nodes, o2->nodes);
    text_row(out, "kernels", o0->kernels, o2->kernels);
}

static void text_layer(Str *out, int index, const LayerCost *c)
{
    const Node *n = c->node;
    char shape[160];
    str_putf(out, "%5d ", index);
    put_name_column(out, n->name, 36);
    str_puts(out, " ");
    put_name_column(out, n->op_type, 20);
    str_putf(out, " %-20s %14lld %14lld %14lld %12lld %12lld %10lld%s\n",
             shape_str(&n->out[0]->shape, shape, sizeof shape), (long long)c->cost.macs,
             (long long)c->executed_macs, (long long)c->cost.flops, (long long)c->bytes_read, (long long)c->bytes_written,
             (long long)c->params, c->kernel ? "" : "  (no code)");
}

void cost_report_text(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused)
{
    str_puts(out, "model ");
    put_printable(out, model);
    str_puts(out, "\n");
    text_totals(out, &unfused->total, &fused->total);
    str_putf(out, "\nlayers of the fused graph (-O2), in schedule order:\n");
    str_putf(out, "%5s %-36s %-20s %-20s %14s %14s %14s %12s %12s %10s\n", "#", "name", "op",
             "output shape", "MACs", "executed MACs", "FLOPs", "read B", "written B", "params");
    for (int i = 0; i < fused->n_layers; i++)
        text_layer(out, i, &fused->layers[i]);
}
