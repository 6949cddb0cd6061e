/*
 * cmd_flops.c - `sinter flops MODEL.onnx [--json]`: parameters, MACs,
 * FLOPs, activation bytes and kernel count of the unfused (-O0) and the
 * fused (-O2) graph side by side, and the fused graph layer by layer.
 * Counting rules: docs/flops.md.
 */
#include "tools/tools.h"

#include <string.h>

static const char flops_help[] =
    "usage: sinter flops MODEL.onnx [--json] [--passes a,b] [--target T]\n"
    "                   [--bind NAME=FILE] [--shape NAME=D0,D1,...]\n"
    "Prints parameters, MACs, FLOPs, activation bytes and kernels of the graph\n"
    "at -O0 (unfused) and -O2 (fused), then the -O2 graph node by node.\n"
    "--passes picks the passes of the fused graph (the -O0 side keeps its own).\n"
    "--json prints one JSON document instead (schema: docs/flops.md).\n";

/* --json; refuses -O, as both levels are reported. */
static int flops_option(void *json, int argc, char **argv, int *i)
{
    (void)argc;
    if (strncmp(argv[*i], "-O", 2) == 0) {
        fprintf(stderr, "sinter flops: reports -O0 and -O2 both; no %s\n", argv[*i]);
        return OPTION_REFUSED;
    }
    if (strcmp(argv[*i], "--json") != 0)
        return OPTION_NOT_MINE;
    *(bool *)json = true;
    return OPTION_TAKEN;
}

/* Compiles o's model at `level` and costs it into r; returns the graph,
 * which r's layers point into, or NULL on error (in d). */
static Graph *cost_at_level(CompileOptions o, int level, const char *only, CostReport *r,
                            Diag *d)
{
    o.passes.level = level;
    o.passes.only = only;
    MemPlan plan;
    Graph *g = compile_graph(&o, &plan, d);
    if (g)
        cost_report_build(r, g);
    return g;
}

int cmd_flops(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    Diag d = {0};
    bool json = false;
    CommandLine cl = {.usage = flops_help, .name = "flops", .own = flops_option, .ctx = &json};
    int status = parse_command_line(&cl, &o, argc, argv, &d);
    if (status >= 0)
        return status;
    CostReport unfused = {0}, fused = {0};
    Graph *g0 = cost_at_level(o, 0, NULL, &unfused, &d);
    Graph *g2 = g0 ? cost_at_level(o, 2, o.passes.only, &fused, &d) : NULL;
    bool ok = g2 != NULL;
    if (ok) {
        Str out = {0};
        (json ? cost_report_json : cost_report_text)(&out, o.model, &unfused, &fused);
        fwrite(out.buf, 1, out.len, stdout);
        str_free(&out);
    }
    graph_free(g0);
    graph_free(g2);
    cost_report_free(&unfused);
    cost_report_free(&fused);
    return ok ? 0 : report_errors(&d);
}
