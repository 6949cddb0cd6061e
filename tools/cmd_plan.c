/*
 * cmd_plan.c - `sinter plan MODEL.onnx [--json] [--svg FILE]`: the
 * memory plan's numbers and a picture of it.
 *
 * The picture is an SVG: x is the schedule step, y the arena offset, and
 * each buffer is one box over the steps where it is live, labelled with
 * its tensor (hover for name, bytes and steps).
 */
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

#define SVG_WIDTH 1400.0
#define SVG_HEIGHT 800.0
#define SVG_MARGIN 40.0

/* The two largest activations (not weights) any one node reads or
 * writes: what the node needs at once, whatever the plan. */
static size_t largest_pair(const Graph *g)
{
    size_t best = 0;
    for (int s = 0; s < g->n_nodes; s++) {
        const Node *n = g->nodes[s];
        size_t top[2] = {0, 0};
        for (int j = 0; j < n->n_in + n->n_out; j++) {
            const Tensor *t = j < n->n_in ? n->in[j] : n->out[j - n->n_in];
            bool seen = false;
            for (int k = 0; k < j && t; k++)
                seen = seen || (k < n->n_in ? n->in[k] : n->out[k - n->n_in]) == t;
            if (!t || seen || t->data)
                continue;
            size_t b = tensor_bytes(t);
            if (b > top[0]) {
                top[1] = top[0];
                top[0] = b;
            } else if (b > top[1])
                top[1] = b;
        }
        if (top[0] + top[1] > best)
            best = top[0] + top[1];
    }
    return best;
}

static void put_xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            fputc((unsigned char)*s >= 32 ? *s : '_', f);
        }
    }
}

static void write_svg_box(FILE *f, const PlanBox *b, double sx, double sy, int i)
{
    double x = SVG_MARGIN + b->first * sx, w = (b->last - b->first + 1) * sx;
    double y = SVG_MARGIN + (double)b->offset * sy, h = (double)b->bytes * sy;
    fputs("<g><title>", f);
    put_xml_text(f, b->label);
    fprintf(f, ": %zu bytes at %lld, steps %d-%d</title>\n", b->bytes, (long long)b->offset,
            b->first, b->last);
    /* Hues spread by index so that neighbours differ. */
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"hsl(%d,60%%,70%%)\" stroke=\"#333\" stroke-width=\"0.5\"/>\n",
            x, y, w, h, (i * 47) % 360);
    if (w > 40 && h > 10) {
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"9\" font-family=\"sans-serif\">",
                x + 2, y + 10);
        put_xml_text(f, b->label);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
}

static bool write_svg(const char *path, const Graph *g, const MemPlan *plan, Diag *d)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_error(d, "cannot write '%s'", path);
    PlanBox *boxes;
    int count = plan_boxes(g, &boxes);
    double sx = SVG_WIDTH / (g->n_nodes > 0 ? g->n_nodes : 1);
    double sy = SVG_HEIGHT / (double)(plan->arena_bytes ? plan->arena_bytes : 1);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
            SVG_WIDTH + 2 * SVG_MARGIN, SVG_HEIGHT + 2 * SVG_MARGIN);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"13\" font-family=\"sans-serif\">", SVG_MARGIN);
    put_xml_text(f, g->name);
    fprintf(f, ": arena %zu bytes, lower bound %zu, naive %zu; x = step (%d), y = offset"
               "</text>\n",
            plan->arena_bytes, plan->lower_bound_bytes, plan->naive_bytes, g->n_nodes);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
               "stroke=\"#000\"/>\n",
            SVG_MARGIN, SVG_MARGIN, SVG_WIDTH, SVG_HEIGHT);
    for (int i = 0; i < count; i++)
        write_svg_box(f, &boxes[i], sx, sy, i);
    fputs("</svg>\n", f);
    free(boxes);
    bool ok = fclose(f) == 0;
    return ok || diag_error(d, "cannot write '%s'", path);
}

static void print_plan(const Graph *g, const MemPlan *p, bool json)
{
    double ratio = p->lower_bound_bytes ? (double)p->arena_bytes / (double)p->lower_bound_bytes : 1;
    int elided = 0;
    for (int i = 0; i < g->n_nodes; i++)
        elided += g->nodes[i]->elided;
    if (json) {
        printf("{\"arena_bytes\": %zu, \"lower_bound_bytes\": %zu, \"naive_bytes\": %zu, "
               "\"ratio\": %.4f, \"largest_pair_bytes\": %zu, \"nodes\": %d, "
               "\"elided_nodes\": %d}\n",
               p->arena_bytes, p->lower_bound_bytes, p->naive_bytes, ratio, largest_pair(g),
               g->n_nodes, elided);
        return;
    }
    printf("arena:        %12zu bytes\n", p->arena_bytes);
    printf("lower bound:  %12zu bytes (peak of live bytes; arena / bound = %.4f)\n",
           p->lower_bound_bytes, ratio);
    printf("naive sum:    %12zu bytes (every intermediate on its own)\n", p->naive_bytes);
    printf("largest pair: %12zu bytes (two largest tensors one node needs)\n", largest_pair(g));
    printf("nodes:        %12d (%d without code: views, elided Concats)\n", g->n_nodes, elided);
}

static const char plan_help[] =
    "usage: sinter plan MODEL.onnx [--json] [--svg FILE] [-O0|-O2] [--bind NAME=FILE]\n"
    "                  [--shape NAME=D0,D1,...]\n"
    "Prints the memory plan: arena bytes, lower bound, naive sum and their ratio;\n"
    "--svg draws it (x = schedule step, y = arena offset, one box per buffer).\n";

typedef struct {
    bool json;
    const char *svg;
} PlanOptions;

/* --json, --svg FILE */
static int plan_option(void *ctx, int argc, char **argv, int *i)
{
    PlanOptions *po = ctx;
    if (strcmp(argv[*i], "--json") == 0) {
        po->json = true;
        return 1;
    }
    if (strcmp(argv[*i], "--svg") == 0 && *i + 1 < argc) {
        po->svg = argv[++*i];
        return 1;
    }
    return 0;
}

int cmd_plan(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    Diag d = {0};
    PlanOptions po = {0};
    CommandLine cl = {.usage = plan_help, .own = plan_option, .ctx = &po};
    int status = parse_command_line(&cl, &o, argc, argv, &d);
    if (status >= 0)
        return status;
    MemPlan plan;
    Graph *g = compile_graph(&o, &plan, &d);
    if (!g)
        return report_errors(&d);
    print_plan(g, &plan, po.json);
    bool ok = !po.svg || write_svg(po.svg, g, &plan, &d);
    graph_free(g);
    return ok ? 0 : report_errors(&d);
}
