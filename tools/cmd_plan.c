/*
 * cmd_plan.c - `sinter plan MODEL.onnx [--json] [--svg FILE]`: the
 * memory plan's numbers and a picture of it.
 *
 * The picture is an SVG: x is the schedule step, y the arena offset, and
 * each buffer is one box over the steps where it is live.  A model of a
 * few hundred steps leaves most boxes a few pixels wide, so a box is
 * labelled only where a name fits inside it (across, or up a tall narrow
 * box; see fit_label), every box names itself in a <title> (shown on
 * hover), and axes and a legend say what the rest means.
 */
#include "driver/escape.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

/* The plot area and the margins around it (title above, the offset axis
 * left, the step axis and the legend below), in SVG pixels. */
#define PLOT_W 1400.0
#define PLOT_H 800.0
#define LEFT 80.0
#define TOP 40.0
#define RIGHT 20.0
#define BOTTOM 90.0
/* Labels: font size, and the width of one character of it assumed when
 * fitting (generous for sans-serif at that size; a clip path catches the
 * rest); the shortest label worth drawing, and the shortest cut one
 * (below that, "ab..." says less than the hover text). */
#define LABEL_PX 9.0
#define CHAR_PX 5.5
#define MIN_LABEL_CHARS 3
#define MIN_CUT_CHARS 6

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

/* Text for an XML text node or attribute: the five specials escaped,
 * control bytes and bytes outside valid UTF-8 shown as '?' (ONNX names
 * are arbitrary bytes; the SVG must stay well-formed UTF-8). */
static void put_xml_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int len = utf8_sequence_length(p);
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if (*p < 32 || len == 0) {
                fputc('?', f);
                break;
            }
            fwrite(p, 1, (size_t)len, f);
            p += len;
            continue;
        }
        p++;
    }
}

/* A label for a box `room_px` long, into buf, or NULL when none fits.
 * The first that fits of: the name; its last '/' part (PyTorch's names
 * are paths, /layer1/layer1.2/Add_2_output_0); that part without the
 * _output_K PyTorch appends to a node's name for its outputs (Add_2);
 * else that, cut short.  Bytes count as characters, which only errs
 * towards shorter. */
static const char *fit_label(const char *label, double room_px, char *buf, size_t size)
{
    size_t room = room_px > 0 ? (size_t)(room_px / CHAR_PX) : 0;
    if (room < MIN_LABEL_CHARS)
        return NULL;
    if (strlen(label) <= room)
        return label;
    const char *slash = strrchr(label, '/');
    const char *last = slash && slash[1] ? slash + 1 : label;
    if (strlen(last) <= room)
        return last;
    const char *suffix = strstr(last, "_output_");
    size_t stem = suffix && suffix != last ? (size_t)(suffix - last) : strlen(last);
    if (stem <= room) {
        snprintf(buf, size, "%.*s", (int)stem, last);
        return buf;
    }
    if (room < MIN_CUT_CHARS)
        return NULL;
    stem = room - 3;
    while (stem > 0 && ((unsigned char)last[stem] & 0xC0) == 0x80) /* not mid-character */
        stem--;
    snprintf(buf, size, "%.*s...", (int)stem, last);
    return buf;
}

/* The unit of the offset axis's labels, for an arena of at least ten of
 * it. */
static double axis_unit(size_t arena, const char **name)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB"};
    double unit = 1;
    int u = 0;
    while (u < 3 && (double)arena >= 10 * 1024 * unit) {
        unit *= 1024;
        u++;
    }
    *name = names[u];
    return unit;
}

/* The smallest of 1, 2, 5, 10, 20, 50 ... that is at least `at_least`:
 * a tick spacing people read easily. */
static double nice_step(double at_least)
{
    double step = 1;
    for (int k = 0; step < at_least; k++)
        step *= k % 3 == 1 ? 2.5 : 2;
    return step;
}

static void write_svg_box(FILE *f, const PlanBox *b, double sx, double sy, int i)
{
    double x = LEFT + b->first * sx, w = (b->last - b->first + 1) * sx;
    double y = TOP + (double)b->offset * sy, h = (double)b->bytes * sy;
    fputs("<g><title>", f);
    if (b->scratch)
        fputs("scratch of node ", f);
    put_xml_text(f, b->label);
    fprintf(f, ": %zu bytes at offset %lld, steps %d-%d</title>\n", b->bytes,
            (long long)b->offset, b->first, b->last);
    /* Tensors: hues spread by index so that neighbours differ; scratch
     * grey. */
    if (b->scratch)
        fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#bbb\" "
                   "stroke=\"#333\" stroke-width=\"0.5\"/>\n", x, y, w, h);
    else
        fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                   "fill=\"hsl(%d,60%%,70%%)\" stroke=\"#333\" stroke-width=\"0.5\"/>\n",
                x, y, w, h, (i * 47) % 360);
    /* Across when the box is tall enough for a line, else up the box when
     * it is wide enough for one; clipped to the box whatever the font. */
    char buf[256];
    const char *across = h >= LABEL_PX + 2 ? fit_label(b->label, w - 4, buf, sizeof buf) : NULL;
    const char *up = !across && w >= LABEL_PX + 2 ? fit_label(b->label, h - 4, buf, sizeof buf)
                                                  : NULL;
    if (!across && !up) {
        fputs("</g>\n", f);
        return;
    }
    /* The clip goes on a group around the text: on a rotated text it
     * would be rotated too. */
    fprintf(f, "<clipPath id=\"c%d\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>"
               "</clipPath><g clip-path=\"url(#c%d)\">", i, x, y, w, h, i);
    if (across)
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\">", x + 2, y + LABEL_PX + 1);
    else
        fprintf(f, "<text transform=\"translate(%.2f,%.2f) rotate(-90)\">", x + LABEL_PX + 1,
                y + h - 2);
    put_xml_text(f, across ? across : up);
    fputs("</text></g></g>\n", f);
}

/* Ticks every nice number of steps below the plot, of bytes left of it. */
static void write_svg_axes(FILE *f, int steps, size_t arena, double sx, double sy)
{
    fputs("<g font-size=\"10\" fill=\"#000\">\n", f);
    double every = nice_step(steps / 12.0);
    for (double s = 0; s <= steps; s += every)
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#000\"/>"
                   "<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n",
                LEFT + s * sx, TOP + PLOT_H, LEFT + s * sx, TOP + PLOT_H + 4, LEFT + s * sx,
                TOP + PLOT_H + 15, s);
    const char *unit_name;
    double unit = axis_unit(arena, &unit_name);
    every = nice_step((double)arena / unit / 10.0);
    for (double v = 0; v * unit <= (double)arena; v += every)
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"#000\"/>"
                   "<text x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">%.0f %s</text>\n",
                LEFT - 4, TOP + v * unit * sy, LEFT, TOP + v * unit * sy, LEFT - 6,
                TOP + v * unit * sy + 3.5, v, unit_name);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">schedule step</text>\n",
            LEFT + PLOT_W / 2, TOP + PLOT_H + 30);
    fprintf(f, "<text transform=\"translate(14,%.0f) rotate(-90)\" text-anchor=\"middle\">"
               "arena offset</text>\n", TOP + PLOT_H / 2);
    fputs("</g>\n", f);
}

static void write_svg_legend(FILE *f)
{
    double y = TOP + PLOT_H + 48;
    fprintf(f, "<g font-size=\"11\">\n"
               "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" fill=\"hsl(170,60%%,70%%)\" "
               "stroke=\"#333\" stroke-width=\"0.5\"/>\n"
               "<text x=\"%.0f\" y=\"%.0f\">a buffer: a tensor and what shares its bytes (views, "
               "in-place results, Concat inputs), over the steps it is live; colours only tell "
               "neighbours apart</text>\n",
            LEFT, y, LEFT + 20, y + 9);
    y += 18;
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" fill=\"#bbb\" "
               "stroke=\"#333\" stroke-width=\"0.5\"/>\n"
               "<text x=\"%.0f\" y=\"%.0f\">a kernel's scratch, at its node's step.  Labels "
               "show a name (or its last part) where it fits; hover a box for its name, bytes, "
               "offset and steps</text>\n</g>\n",
            LEFT, y, LEFT + 20, y + 9);
}

static bool write_svg(const char *path, const Graph *g, const MemPlan *plan, Diag *d)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_error(d, "cannot write '%s'", path);
    PlanBox *boxes;
    int count = plan_boxes(g, &boxes);
    double sx = PLOT_W / (g->n_nodes > 0 ? g->n_nodes : 1);
    double sy = PLOT_H / (double)(plan->arena_bytes ? plan->arena_bytes : 1);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "font-family=\"sans-serif\">\n",
            LEFT + PLOT_W + RIGHT, TOP + PLOT_H + BOTTOM);
    fputs("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", f);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"13\">", LEFT);
    put_xml_text(f, g->name);
    fprintf(f, ": arena %zu bytes, lower bound %zu, naive %zu (tensors alone %zu); %d steps, "
               "%d buffers</text>\n",
            plan->arena_bytes, plan->lower_bound_bytes, plan->naive_bytes,
            plan->naive_tensor_bytes, g->n_nodes, count);
    fprintf(f, "<g font-size=\"%.0f\">\n", LABEL_PX);
    for (int i = 0; i < count; i++)
        write_svg_box(f, &boxes[i], sx, sy, i);
    fputs("</g>\n", f);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
               "stroke=\"#000\"/>\n",
            LEFT, TOP, PLOT_W, PLOT_H);
    write_svg_axes(f, g->n_nodes, plan->arena_bytes, sx, sy);
    write_svg_legend(f);
    fputs("</svg>\n", f);
    free(boxes);
    bool ok = fclose(f) == 0;
    return ok || diag_error(d, "cannot write '%s'", path);
}

static void print_plan(const Graph *g, const MemPlan *p, bool json)
{
    double ratio = p->lower_bound_bytes ? (double)p->arena_bytes / (double)p->lower_bound_bytes : 1;
    int elided = 0, kernels = graph_kernel_count(g);
    for (int i = 0; i < g->n_nodes; i++)
        elided += g->nodes[i]->elided;
    if (json) {
        printf("{\"arena_bytes\": %zu, \"lower_bound_bytes\": %zu, \"naive_bytes\": %zu, "
               "\"naive_tensor_bytes\": %zu, \"ratio\": %.4f, \"largest_pair_bytes\": %zu, "
               "\"nodes\": %d, \"kernels\": %d, \"elided_nodes\": %d}\n",
               p->arena_bytes, p->lower_bound_bytes, p->naive_bytes, p->naive_tensor_bytes, ratio,
               largest_pair(g), g->n_nodes, kernels, elided);
        return;
    }
    printf("arena:          %12zu bytes (tensors and kernel scratch)\n", p->arena_bytes);
    printf("lower bound:    %12zu bytes (peak of live bytes; arena / bound = %.4f)\n",
           p->lower_bound_bytes, ratio);
    printf("naive:          %12zu bytes (no reuse: every tensor and every scratch on its own)\n",
           p->naive_bytes);
    printf("naive tensors:  %12zu bytes (the same without scratch)\n", p->naive_tensor_bytes);
    printf("largest pair:   %12zu bytes (two largest tensors one node needs)\n", largest_pair(g));
    printf("nodes:          %12d (%d kernels; %d elided: views, Concats written in place)\n",
           g->n_nodes, kernels, elided);
}

static const char plan_help[] =
    "usage: sinter plan MODEL.onnx [--json] [--svg FILE] [-O0|-O1|-O2] [--passes a,b]\n"
    "                  [--target T] [--threads N] [--bind NAME=FILE] [--shape NAME=D0,D1,...]\n"
    "Prints the memory plan: the arena, the lower bound and their ratio, the naive\n"
    "sums (no reuse: with and without kernel scratch), kernels and elided nodes;\n"
    "--threads N plans N scratch slots for each kernel that splits over threads;\n"
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
        return OPTION_TAKEN;
    }
    return option_value("--svg", argc, argv, i, &po->svg);
}

int cmd_plan(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    Diag d = {0};
    PlanOptions po = {0};
    CommandLine cl = {.usage = plan_help, .name = "plan", .own = plan_option, .ctx = &po};
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
