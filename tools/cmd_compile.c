/*
 * cmd_compile.c - `sinter compile MODEL.onnx -o DIR [--name NAME]`.
 */
#include "tools/tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char compile_help[] =
    "usage: sinter compile MODEL.onnx -o DIR [options]\n"
    "Writes DIR/NAME.c and DIR/NAME.h: NAME_run(inputs..., outputs...).\n\n"
    "  -o DIR             output folder (created if missing)\n"
    "  --name NAME        C name of the model (default: the file's name)\n"
    "  --weights embed    weights as const data in NAME.c (default)\n"
    "  --weights file     weights in DIR/NAME.weights, handed over by NAME_set_weights\n"
    "  --bind NAME=FILE   make graph input NAME a constant (.npy or .pb)\n"
    "  -O0 | -O2          optimization level (default -O2)\n"
    "  --passes a,b       run exactly these passes\n"
    "  --dump-ir after=P  print the IR after pass P\n";

static bool make_dir(const char *dir, Diag *d)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return true;
    return diag_error(d, "cannot create '%s': %s", dir, strerror(errno));
}

int cmd_compile(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    const char *dir = NULL;
    Diag d = {0};
    for (int i = 1; i < argc; i++) {
        int r = parse_compile_option(&o, argc, argv, &i, &d);
        if (r < 0)
            return report_errors(&d);
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(compile_help, stdout);
            return 0;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (argv[i][0] != '-' && !o.model) {
            o.model = argv[i];
        } else {
            fprintf(stderr, "sinter compile: unexpected argument '%s'\n%s", argv[i], compile_help);
            return 2;
        }
    }
    if (!o.model || !dir) {
        fputs(compile_help, stderr);
        return 2;
    }
    char *name = o.name ? NULL : default_model_name(o.model);
    if (name)
        o.name = name;
    MemPlan plan;
    Graph *g = compile_graph(&o, &plan, &d);
    bool ok = g && make_dir(dir, &d) && write_model_c(g, &o, dir, &d);
    if (ok)
        printf("sinter: wrote %s/%s.c and %s/%s.h (%d kernels, arena %zu bytes)\n", dir, o.name,
               dir, o.name, g->n_nodes, plan.arena_bytes);
    graph_free(g);
    free(name);
    return ok ? 0 : report_errors(&d);
}
