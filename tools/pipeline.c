/*
 * pipeline.c - from a model file to planned IR and generated C, and the
 * options that steer it.
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

void compile_options_init(CompileOptions *o)
{
    memset(o, 0, sizeof *o);
    o->passes.level = 2;
    o->passes.verify = true;
    o->passes.dump_to = stdout;
}

/* The value of `--flag VALUE` or `--flag=VALUE` at argv[*i], or NULL. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse_bind(CompileOptions *o, const char *spec, Diag *d)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        diag_error(d, "--bind takes NAME=FILE, not '%s'", spec);
        return -1;
    }
    if (o->n_binds == MAX_BINDS) {
        diag_error(d, "at most %d --bind options", MAX_BINDS);
        return -1;
    }
    /* argv outlives the options: split in place. */
    *(char *)eq = '\0';
    o->binds[o->n_binds++] = (Binding){spec, eq + 1};
    return 1;
}

int parse_compile_option(CompileOptions *o, int argc, char **argv, int *i, Diag *d)
{
    const char *arg = argv[*i], *v;
    if (strcmp(arg, "-O0") == 0 || strcmp(arg, "-O1") == 0 || strcmp(arg, "-O2") == 0) {
        o->passes.level = arg[2] - '0';
        return 1;
    }
    if ((v = flag_value("--passes", argc, argv, i))) {
        o->passes.only = v;
        return 1;
    }
    if ((v = flag_value("--dump-ir", argc, argv, i))) {
        o->passes.dump_after = strncmp(v, "after=", 6) == 0 ? v + 6 : v;
        return 1;
    }
    if ((v = flag_value("--name", argc, argv, i))) {
        o->name = v;
        return 1;
    }
    if ((v = flag_value("--bind", argc, argv, i)))
        return parse_bind(o, v, d);
    if ((v = flag_value("--weights", argc, argv, i))) {
        if (strcmp(v, "embed") == 0 || strcmp(v, "file") == 0) {
            o->weights = strcmp(v, "file") == 0 ? WEIGHTS_FILE : WEIGHTS_EMBED;
            return 1;
        }
        diag_error(d, "--weights takes 'embed' or 'file', not '%s'", v);
        return -1;
    }
    return 0;
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
    if (strcmp(argv[*i], "-o") != 0 || *i + 1 >= argc)
        return 0;
    *(const char **)path = argv[++*i];
    return 1;
}

int parse_command_line(const CommandLine *cl, CompileOptions *o, int argc, char **argv, Diag *d)
{
    for (int i = 1; i < argc; i++) {
        int r = cl->own ? cl->own(cl->ctx, argc, argv, &i) : 0;
        if (r == 2)
            return 2;
        if (r > 0)
            continue;
        r = parse_compile_option(o, argc, argv, &i, d);
        if (r < 0)
            return report_errors(d);
        if (r > 0)
            continue;
        if (is_help(argv[i]))
            return print_usage(cl->usage, true);
        if (argv[i][0] != '-' && !o->model) {
            o->model = argv[i];
            continue;
        }
        if (cl->name)
            fprintf(stderr, "sinter %s: unexpected argument '%s'\n", cl->name, argv[i]);
        return print_usage(cl->usage, false);
    }
    return o->model ? -1 : print_usage(cl->usage, false);
}

char *default_model_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *stem = xmalloc(n + 1);
    memcpy(stem, base, n);
    stem[n] = '\0';
    char *name = c_ident("", stem, 48);
    free(stem);
    return name;
}

/* Makes graph input `b->input` a constant holding the file's value. */
static bool bind_input(Graph *g, const Binding *b, Diag *d)
{
    Tensor *t = graph_find_tensor(g, b->input);
    if (!t || !t->is_input)
        return diag_error(d, "--bind: the model has no run-time input '%s'", b->input);
    Tensor *v = tensor_read_file(b->file, d);
    if (!v)
        return false;
    bool ok = v->dtype == t->dtype && shape_equal(&v->shape, &t->shape);
    if (!ok) {
        char s1[128], s2[128];
        diag_error(d, "--bind %s: the file holds %s%s, the input is %s%s", b->input,
                   dtype_name(v->dtype), shape_str(&v->shape, s1, sizeof s1),
                   dtype_name(t->dtype), shape_str(&t->shape, s2, sizeof s2));
    } else {
        tensor_set_data(t, v->data);
        t->is_input = false;
        int w = 0;
        for (int i = 0; i < g->n_inputs; i++)
            if (g->inputs[i] != t)
                g->inputs[w++] = g->inputs[i];
        g->n_inputs = w;
    }
    tensor_free(v);
    return ok;
}

Graph *compile_graph(const CompileOptions *o, MemPlan *plan, Diag *d)
{
    Graph *g = onnx_load_file(o->model, d);
    if (!g)
        return NULL;
    bool ok = true;
    for (int i = 0; i < o->n_binds && ok; i++)
        ok = bind_input(g, &o->binds[i], d);
    ok = ok && graph_infer(g, d) && passes_run(g, &o->passes, d) && plan_memory(g, plan, d);
    if (!ok) {
        graph_free(g);
        return NULL;
    }
    return g;
}

static bool write_str(const char *dir, const char *name, const char *ext, const Str *s, Diag *d)
{
    Str path = {0};
    str_putf(&path, "%s/%s%s", dir, name, ext);
    bool ok = write_file(path.buf, s->buf ? s->buf : "", s->len, d);
    str_free(&path);
    return ok;
}

bool write_model_c(const Graph *g, const CompileOptions *o, const char *dir, Diag *d)
{
    /* The file's name, not its path, so the output does not depend on
     * where the model was read from. */
    const char *base = strrchr(o->model, '/');
    CodegenOptions co = {o->name, base ? base + 1 : o->model, o->weights};
    CodegenOutput out = {0};
    bool ok = codegen_c(g, &co, &out, d) && write_str(dir, o->name, ".c", &out.c, d) &&
              write_str(dir, o->name, ".h", &out.h, d) &&
              (o->weights != WEIGHTS_FILE || write_str(dir, o->name, ".weights", &out.weights, d));
    codegen_output_free(&out);
    return ok;
}
