/*
 * sinter.c - the command line: `sinter COMMAND ...`.
 */
#include "tools/tools.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"compile", cmd_compile, "compile MODEL.onnx to C: DIR/NAME.c and DIR/NAME.h"},
    {"run", cmd_run, "compile, build and run MODEL.onnx on .npy/.pb inputs"},
    {"info", cmd_info, "print inputs, outputs, op histogram and parameter count"},
    {"compare", cmd_compare, "max error of an output .npy against a reference .npy"},
    {"passes", cmd_passes, "list the graph passes and the -O level of each"},
    {"ops", cmd_ops, "list the supported ONNX ops and their opsets"},
    {"plan", cmd_plan, "print the memory plan (arena, lower bound) and draw it as SVG"},
    {"flops", cmd_flops, "parameters, MACs, FLOPs, bytes and kernels at -O0 and -O2"},
    {"graph", cmd_graph, "draw the compiled graph as Graphviz DOT"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sinter COMMAND [ARGS]   (sinter COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

/* The resource limits (ir/limits.h): a model past one is refused. */
static void print_limits(void)
{
    int n;
    const Limit *limits = limits_all(&n);
    printf("\nlimits (a model past one is refused with an error naming it):\n");
    for (int i = 0; i < n; i++)
        printf("  %-34s %lld\n", limits[i].what, (long long)limits[i].value);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        print_limits();
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sinter: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
