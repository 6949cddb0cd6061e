/*
 * cmd_graph.c - `sinter graph MODEL.onnx [-o FILE.dot] [-O0|-O2]`: the
 * compiled graph as a Graphviz picture (`dot -Tsvg FILE.dot`).
 *
 * One box per node, labelled with its op, name, output shape, constant
 * inputs and attributes; fused nodes show what they contain through the
 * attributes the fusion pass gives them.  Dashed boxes have no code (the
 * memory plan made them views, or their outputs are empty).  Edges carry
 * the tensor's shape; run-time inputs and outputs are ellipses.
 */
#include "driver/escape.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

/* Values shown of a list attribute or of the constant inputs. */
#define MAX_LISTED 8
/* Bytes of a string attribute shown. */
#define MAX_STRING 40

static void dot_put_shape(Str *out, const Tensor *t)
{
    char buf[160];
    str_puts(out, shape_str(&t->shape, buf, sizeof buf));
}

/* One attribute as `name=value`; tensor and graph values are named only. */
static void dot_put_attr(Str *out, const Attr *a)
{
    dot_put_string(out, a->name);
    str_puts(out, "=");
    switch (a->kind) {
    case ATTR_INT: str_putf(out, "%lld", (long long)a->i); break;
    case ATTR_FLOAT: str_putf(out, "%g", a->f); break;
    case ATTR_STRING: {
        char cut[MAX_STRING + 1];
        snprintf(cut, sizeof cut, "%s", a->s ? a->s : "");
        dot_put_string(out, cut);
        break;
    }
    case ATTR_INTS:
    case ATTR_FLOATS:
        str_puts(out, "[");
        for (int k = 0; k < a->n && k < MAX_LISTED; k++) {
            if (a->kind == ATTR_INTS)
                str_putf(out, "%s%lld", k ? "," : "", (long long)a->ints[k]);
            else
                str_putf(out, "%s%g", k ? "," : "", a->floats[k]);
        }
        str_puts(out, a->n > MAX_LISTED ? ",...]" : "]");
        break;
    default: str_puts(out, "(value)");
    }
}

/* Shapes of the node's constant inputs (weights, biases). */
static void dot_put_constants(Str *out, const Node *n)
{
    int listed = 0;
    for (int i = 0; i < n->n_in; i++) {
        if (!tensor_is_const(n->in[i]))
            continue;
        str_puts(out, listed ? " " : "\\nconst ");
        if (++listed > MAX_LISTED) {
            str_puts(out, "...");
            break;
        }
        dot_put_shape(out, n->in[i]);
    }
}

static void dot_put_node(Str *out, const Node *n, int index)
{
    str_putf(out, "  n%d [label=\"", index);
    dot_put_string(out, n->op_type);
    str_puts(out, "\\n");
    dot_put_string(out, n->name);
    for (int i = 0; i < n->n_out; i++) {
        str_puts(out, i ? " " : "\\n");
        dot_put_shape(out, n->out[i]);
    }
    dot_put_constants(out, n);
    for (int i = 0; i < n->n_attrs; i++) {
        str_puts(out, "\\n");
        dot_put_attr(out, &n->attrs[i]);
    }
    bool kernel = node_is_kernel(n);
    str_putf(out, "%s\"%s];\n", kernel ? "" : "\\n(no code)", kernel ? "" : ", style=dashed");
}

/* The box tensor t comes from: its producer's or its run-time input's. */
static void dot_put_source(Str *out, const Graph *g, const Tensor *t, const int *position)
{
    if (t->producer) {
        str_putf(out, "n%d", position[t->id]);
        return;
    }
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == t)
            str_putf(out, "in%d", i);
}

static void dot_put_edge(Str *out, const Graph *g, const Tensor *t, const char *to,
                         const int *position)
{
    str_puts(out, "  ");
    dot_put_source(out, g, t, position);
    str_putf(out, " -> %s [label=\"", to);
    dot_put_shape(out, t);
    str_puts(out, "\"];\n");
}

static void dot_put_io(Str *out, const char *kind, int index, const Tensor *t)
{
    str_putf(out, "  %s%d [shape=ellipse, label=\"%s\\n", kind, index,
             strcmp(kind, "in") == 0 ? "input" : "output");
    dot_put_string(out, t->name);
    str_putf(out, "\\n%s", dtype_name(t->dtype) ? dtype_name(t->dtype) : "?");
    dot_put_shape(out, t);
    str_puts(out, "\"];\n");
}

/* For each tensor (by Tensor.id, which unlike Node.id stays unique when
 * passes remove and add nodes), the schedule position of its producer. */
static int *producer_positions(const Graph *g)
{
    int *position = xcalloc((size_t)g->n_tensors + 1, sizeof *position);
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_out; k++)
            if (g->nodes[i]->out[k])
                position[g->nodes[i]->out[k]->id] = i;
    return position;
}

static bool is_edge_source(const Graph *g, const Tensor *t)
{
    if (!t || tensor_is_const(t))
        return false;
    if (t->producer)
        return true;
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == t)
            return true;
    return false;
}

static void write_dot(Str *out, const Graph *g)
{
    int *position = producer_positions(g);
    str_puts(out, "digraph \"");
    dot_put_string(out, g->name ? g->name : "model");
    str_puts(out, "\" {\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
                  "  edge [fontname=\"monospace\", fontsize=8];\n");
    for (int i = 0; i < g->n_inputs; i++)
        dot_put_io(out, "in", i, g->inputs[i]);
    for (int i = 0; i < g->n_nodes; i++)
        dot_put_node(out, g->nodes[i], i);
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        char to[32];
        snprintf(to, sizeof to, "n%d", i);
        for (int k = 0; k < n->n_in; k++)
            if (is_edge_source(g, n->in[k]))
                dot_put_edge(out, g, n->in[k], to, position);
    }
    for (int i = 0; i < g->n_outputs; i++) {
        char to[32];
        snprintf(to, sizeof to, "out%d", i);
        dot_put_io(out, "out", i, g->outputs[i]);
        if (is_edge_source(g, g->outputs[i]))
            dot_put_edge(out, g, g->outputs[i], to, position);
    }
    str_puts(out, "}\n");
    free(position);
}

static const char graph_help[] =
    "usage: sinter graph MODEL.onnx [-o FILE.dot] [-O0|-O1|-O2] [--passes a,b]\n"
    "                   [--target T] [--bind NAME=FILE] [--shape NAME=D0,D1,...]\n"
    "Writes the compiled graph as Graphviz DOT (default: to stdout);\n"
    "render it with `dot -Tsvg FILE.dot -o FILE.svg`.\n";

int cmd_graph(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    Diag d = {0};
    const char *path = NULL;
    CommandLine cl = {.usage = graph_help, .name = "graph", .own = output_option, .ctx = &path};
    int status = parse_command_line(&cl, &o, argc, argv, &d);
    if (status >= 0)
        return status;
    MemPlan plan;
    Graph *g = compile_graph(&o, &plan, &d);
    if (!g)
        return report_errors(&d);
    Str dot = {0};
    write_dot(&dot, g);
    bool ok = true;
    if (path)
        ok = write_file(path, dot.buf, dot.len, &d);
    else
        fwrite(dot.buf, 1, dot.len, stdout);
    str_free(&dot);
    graph_free(g);
    return ok ? 0 : report_errors(&d);
}
