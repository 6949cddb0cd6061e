/*
 * cmd_compile.c - `sinter compile MODEL.onnx -o DIR [--name NAME]`.
 */
#include "tools/tools.h"

static const char compile_help[] =
    "usage: sinter compile MODEL.onnx -o DIR [options]\n"
    "Writes DIR/NAME.c and DIR/NAME.h: NAME_run(inputs..., outputs...).\n\n"
    "  -o DIR             output folder (created if missing)\n"
    "  --name NAME        C name of the model (default: the file's name)\n"
    "  --target T         the CPU the C is for: host (default: this machine's), generic,\n"
    "                     avx2, avx512, neon; the code calls that target's kernels\n"
    "  --threads N        NAME_run splits each kernel's output over N threads (a pool\n"
    "                     the generated file owns; 1, the default: serial code)\n"
    "  --profile          the code times every node; NAME_profile_report() prints\n"
    "                     them slowest first, with GFLOP/s (sinter run prints it)\n"
    "  --weights auto     embed up to 32 MiB of weights, incbin above (default)\n"
    "  --weights embed    weights as const data in NAME.c\n"
    "  --weights incbin   weights in DIR/NAME.weights, linked in by DIR/NAME_weights.S\n"
    "                     (build it with the .c; add -Wa,-I,DIR when not in DIR)\n"
    "  --weights file     weights in DIR/NAME.weights, handed over by NAME_set_weights\n"
    "  --bind NAME=FILE   make graph input NAME a constant (.npy or .pb)\n"
    "  --shape NAME=D0,D1,...  fix the shape of graph input NAME where the model leaves\n"
    "                     dims symbolic (\"N\") or open; a dim named in several inputs\n"
    "                     gets one value (--bind NAME=FILE also gives the shape)\n"
    "  -O0 | -O1 | -O2    optimization level (default -O2; sinter passes lists the\n"
    "                     passes of each)\n"
    "  --passes a,b       run exactly these passes\n"
    "  --skip a,b         run the level's passes but these (--skip winograd: every\n"
    "                     convolution by its direct sum)\n"
    "  --dump-ir after=P  print the IR after pass P\n";

/* Where the weights went, and why there. */
static void say_weights(const CompiledModel *m, WeightsMode asked, const char *dir)
{
    Str blob = {0};
    path_join(&blob, dir, "%s.weights", m->name);
    double mib = (double)m->code.weights.len / (1 << 20);
    const char *why = asked != WEIGHTS_AUTO ? "as --weights asked"
                      : m->weights == WEIGHTS_INCBIN
                          ? "above the 32 MiB that a C compiler reads quickly as source"
                          : "small enough for one .c";
    if (m->weights == WEIGHTS_EMBED)
        printf("sinter: weights embedded in %s.c (%s)\n", m->name, why);
    else if (m->weights == WEIGHTS_INCBIN)
        printf("sinter: weights (%.1f MiB) in %s, linked in by %s_weights.S (%s); build it "
               "with the .c\n", mib, blob.buf, m->name, why);
    else
        printf("sinter: weights (%.1f MiB) in %s, for %s_set_weights (%s)\n", mib, blob.buf,
               m->name, why);
    str_free(&blob);
}

/* What was written where. */
static void say_written(const CompiledModel *m, WeightsMode asked, const char *dir)
{
    Str c = {0}, h = {0};
    path_join(&c, dir, "%s.c", m->name);
    path_join(&h, dir, "%s.h", m->name);
    printf("sinter: wrote %s and %s (%d kernels, arena %zu bytes)\n", c.buf, h.buf,
           graph_kernel_count(m->graph), m->plan.arena_bytes);
    say_weights(m, asked, dir);
    str_free(&c);
    str_free(&h);
}

int cmd_compile(int argc, char **argv)
{
    CompileOptions o;
    compile_options_init(&o);
    const char *dir = NULL;
    Diag d = {0};
    CommandLine cl = {.usage = compile_help, .name = "compile", .own = output_option, .ctx = &dir};
    int status = parse_command_line(&cl, &o, argc, argv, &d);
    if (status >= 0)
        return status;
    if (!dir)
        return print_usage(compile_help, false);
    CompiledModel m;
    bool ok = compile_model(&o, &m, &d) && compiled_model_write(&m, dir, &d);
    if (ok)
        say_written(&m, o.weights, dir);
    compiled_model_free(&m);
    return ok ? 0 : report_errors(&d);
}
