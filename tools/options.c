/*
 * options.c - the command line of the compiling commands: the options
 * they share, parsed into the library's CompileOptions, and the usage
 * and error printing around them.
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

int option_value(const char *flag, int argc, char **argv, int *i, const char **value)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return OPTION_NOT_MINE;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return OPTION_TAKEN;
    }
    if (argv[*i][n] != '\0')
        return OPTION_NOT_MINE;
    if (*i + 1 >= argc)
        return OPTION_NO_VALUE;
    *value = argv[++*i];
    return OPTION_TAKEN;
}

/* The '=' of option value `spec`, NAME=VALUE (`form` in messages), or
 * NULL after reporting it malformed or beyond the `count` already given. */
static char *split_point(const char *flag, const char *form, const char *spec, int count,
                         bool empty_value_ok, Diag *d)
{
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec || (!eq[1] && !empty_value_ok)) {
        diag_error(d, "%s takes %s, not '%s'", flag, form, spec);
        return NULL;
    }
    if (count == MAX_BINDS) {
        diag_error(d, "at most %d %s options", MAX_BINDS, flag);
        return NULL;
    }
    return eq;
}

static int parse_bind(CompileOptions *o, const char *spec, Diag *d)
{
    char *eq = split_point("--bind", "NAME=FILE", spec, o->n_binds, false, d);
    if (!eq)
        return OPTION_MALFORMED;
    /* argv outlives the options: split in place. */
    *eq = '\0';
    o->binds[o->n_binds++] = (Binding){spec, eq + 1};
    return OPTION_TAKEN;
}

static int parse_shape(CompileOptions *o, const char *spec, Diag *d)
{
    char *eq = split_point("--shape", "NAME=D0,D1,...", spec, o->n_shapes, true, d);
    Shape s;
    Str source = {0};
    str_putf(&source, "--shape %s", spec);
    bool ok = eq && shape_parse(eq + 1, &s, source.buf, d);
    str_free(&source);
    if (!ok)
        return OPTION_MALFORMED;
    *eq = '\0';
    o->shapes[o->n_shapes++] = (InputShape){spec, s};
    return OPTION_TAKEN;
}

/* The options with a value that every compiling command shares: each
 * stores its value in o, or reports it malformed. */
static int set_passes(CompileOptions *o, const char *v, Diag *d)
{
    (void)d;
    o->passes.only = v;
    return OPTION_TAKEN;
}

static int set_skip(CompileOptions *o, const char *v, Diag *d)
{
    (void)d;
    o->passes.skip = v;
    return OPTION_TAKEN;
}

static int set_dump_ir(CompileOptions *o, const char *v, Diag *d)
{
    (void)d;
    o->passes.dump_after = strncmp(v, "after=", 6) == 0 ? v + 6 : v;
    return OPTION_TAKEN;
}

static int set_name(CompileOptions *o, const char *v, Diag *d)
{
    (void)d;
    o->name = v;
    return OPTION_TAKEN;
}

static int set_target(CompileOptions *o, const char *v, Diag *d)
{
    if ((o->target = target_find(v)))
        return OPTION_TAKEN;
    diag_error(d, "--target takes one of %s, not '%s'", target_names(), v);
    return OPTION_MALFORMED;
}

static int set_threads(CompileOptions *o, const char *v, Diag *d)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 1 || n > THREADS_MAX) {
        diag_error(d, "--threads takes a count from 1 to %d, not '%s'", THREADS_MAX, v);
        return OPTION_MALFORMED;
    }
    o->threads = (int)n;
    return OPTION_TAKEN;
}

static int set_weights(CompileOptions *o, const char *v, Diag *d)
{
    static const struct {
        const char *name;
        WeightsMode mode;
    } modes[] = {{"auto", WEIGHTS_AUTO}, {"embed", WEIGHTS_EMBED}, {"incbin", WEIGHTS_INCBIN},
                 {"file", WEIGHTS_FILE}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(v, modes[i].name) == 0) {
            o->weights = modes[i].mode;
            return OPTION_TAKEN;
        }
    diag_error(d, "--weights takes 'auto', 'embed', 'incbin' or 'file', not '%s'", v);
    return OPTION_MALFORMED;
}

int parse_compile_option(CompileOptions *o, int argc, char **argv, int *i, Diag *d)
{
    static const struct {
        const char *flag;
        int (*set)(CompileOptions *o, const char *value, Diag *d);
    } valued[] = {
        {"--passes", set_passes}, {"--skip", set_skip}, {"--dump-ir", set_dump_ir},
        {"--name", set_name},
        {"--target", set_target}, {"--bind", parse_bind},     {"--shape", parse_shape},
        {"--weights", set_weights}, {"--threads", set_threads},
    };
    const char *arg = argv[*i], *v;
    if (strcmp(arg, "-O0") == 0 || strcmp(arg, "-O1") == 0 || strcmp(arg, "-O2") == 0) {
        o->passes.level = arg[2] - '0';
        return OPTION_TAKEN;
    }
    if (strcmp(arg, "--profile") == 0) {
        o->profile = true;
        return OPTION_TAKEN;
    }
    for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) {
        int r = option_value(valued[k].flag, argc, argv, i, &v);
        if (r == OPTION_TAKEN)
            return valued[k].set(o, v, d);
        if (r != OPTION_NOT_MINE)
            return r;
    }
    return OPTION_NOT_MINE;
}

int report_errors(Diag *d)
{
    if (d->text.buf)
        fprintf(stderr, "%s", d->text.buf);
    if (d->count > 1)
        fprintf(stderr, "sinter: %d errors\n", d->count);
    diag_free(d);
    return 1;
}

int print_usage(const char *usage, bool help)
{
    fputs(usage, help ? stdout : stderr);
    return help ? 0 : 2;
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int output_option(void *path, int argc, char **argv, int *i)
{
    return option_value("-o", argc, argv, i, (const char **)path);
}

int refuse_missing_value(const char *command, const char *flag, const char *usage)
{
    fprintf(stderr, "sinter %s: %s needs a value\n", command, flag);
    return print_usage(usage, false);
}

int parse_command_line(const CommandLine *cl, CompileOptions *o, int argc, char **argv, Diag *d)
{
    for (int i = 1; i < argc; i++) {
        int r = cl->own ? cl->own(cl->ctx, argc, argv, &i) : OPTION_NOT_MINE;
        if (r == OPTION_NOT_MINE)
            r = parse_compile_option(o, argc, argv, &i, d);
        switch (r) {
        case OPTION_TAKEN:
            continue;
        case OPTION_REFUSED:
            return 2;
        case OPTION_MALFORMED:
            return report_errors(d);
        case OPTION_NO_VALUE:
            return refuse_missing_value(cl->name, argv[i], cl->usage);
        }
        if (is_help(argv[i]))
            return print_usage(cl->usage, true);
        if (argv[i][0] != '-' && !o->model) {
            o->model = argv[i];
            continue;
        }
        fprintf(stderr, "sinter %s: unexpected argument '%s'\n", cl->name, argv[i]);
        return print_usage(cl->usage, false);
    }
    return o->model ? -1 : print_usage(cl->usage, false);
}

