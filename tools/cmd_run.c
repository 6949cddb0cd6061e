/*
 * cmd_run.c - `sinter run MODEL.onnx --input IN... --output OUT...`:
 * compile, build with the system C compiler and the runtime, run, and
 * write the outputs as .npy.
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 64

static const char run_help[] =
    "usage: sinter run MODEL.onnx --input FILE... --output FILE.npy... [options]\n"
    "Compiles the model to C, builds it with cc and the runtime, runs it.\n\n"
    "  --input FILE       one per run-time graph input, in graph order (.npy or .pb)\n"
    "  --output FILE      one per graph output, written as .npy of the output's dtype\n"
    "  --keep DIR         build in DIR and keep the files (default: a temporary folder)\n"
    "  --cflags FLAGS     C compiler flags (default $SINTER_CFLAGS or -O2); $SINTER_CC picks cc\n"
    "  --bind NAME=FILE   make graph input NAME a compile-time constant\n"
    "  -O0 | -O2, --passes, --dump-ir, --weights, --name   as for sinter compile\n";

typedef struct {
    CompileOptions co;
    const char *inputs[MAX_FILES], *outputs[MAX_FILES];
    int n_inputs, n_outputs;
    const char *keep, *cflags;
} RunOptions;

/* --input, --output, --keep, --cflags */
static int run_option(void *ctx, int argc, char **argv, int *i)
{
    RunOptions *r = ctx;
    const char *a = argv[*i];
    if (*i + 1 >= argc)
        return 0;
    if (strcmp(a, "--input") == 0 && r->n_inputs < MAX_FILES)
        r->inputs[r->n_inputs++] = argv[++*i];
    else if (strcmp(a, "--output") == 0 && r->n_outputs < MAX_FILES)
        r->outputs[r->n_outputs++] = argv[++*i];
    else if (strcmp(a, "--keep") == 0)
        r->keep = argv[++*i];
    else if (strcmp(a, "--cflags") == 0)
        r->cflags = argv[++*i];
    else
        return 0;
    return 1;
}

/* Checks each input file against its graph input; writes it raw. */
static bool stage_inputs(const Graph *g, const RunOptions *r, const char *dir, Diag *d)
{
    if (r->n_inputs != g->n_inputs)
        return diag_error(d, "the model has %d run-time inputs, %d --input given", g->n_inputs,
                          r->n_inputs);
    bool ok = true;
    for (int i = 0; i < g->n_inputs && ok; i++) {
        const Tensor *want = g->inputs[i];
        Tensor *t = tensor_read_file(r->inputs[i], d);
        if (!t)
            return false;
        char s1[128], s2[128];
        if (t->dtype != want->dtype || !shape_equal(&t->shape, &want->shape)) {
            ok = diag_error(d, "--input %s holds %s%s, input '%s' is %s%s", r->inputs[i],
                            dtype_name(t->dtype), shape_str(&t->shape, s1, sizeof s1), want->name,
                            dtype_name(want->dtype), shape_str(&want->shape, s2, sizeof s2));
        } else {
            Str path = {0};
            str_putf(&path, "%s/in%d.raw", dir, i);
            ok = write_file(path.buf, t->data ? t->data : "", tensor_bytes(t), d);
            str_free(&path);
        }
        tensor_free(t);
    }
    return ok;
}

static bool execute(const Graph *g, const RunOptions *r, const char *dir, Diag *d)
{
    Str exe = {0};
    str_putf(&exe, "%s/%s", dir, r->co.name);
    char *argv[2 * MAX_FILES + 3];
    Str paths[2 * MAX_FILES], weights = {0};
    int argc = 0, n = g->n_inputs + g->n_outputs;
    argv[argc++] = exe.buf;
    if (r->co.weights == WEIGHTS_FILE) {
        str_putf(&weights, "%s/%s.weights", dir, r->co.name);
        argv[argc++] = weights.buf;
    }
    for (int i = 0; i < n; i++) {
        paths[i] = (Str){0};
        if (i < g->n_inputs)
            str_putf(&paths[i], "%s/in%d.raw", dir, i);
        else
            str_putf(&paths[i], "%s/out%d.raw", dir, i - g->n_inputs);
        argv[argc++] = paths[i].buf;
    }
    argv[argc] = NULL;
    bool ok = run_program(argv, d);
    for (int i = 0; i < n; i++)
        str_free(&paths[i]);
    str_free(&weights);
    str_free(&exe);
    return ok;
}

/* Turns each raw output into the requested .npy. */
static bool collect_outputs(const Graph *g, const RunOptions *r, const char *dir, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < g->n_outputs && ok; i++) {
        Tensor t = *g->outputs[i];
        size_t bytes = tensor_bytes(&t);
        Str path = {0};
        str_putf(&path, "%s/out%d.raw", dir, i);
        FILE *f = fopen(path.buf, "rb");
        t.data = xmalloc(bytes + 1);
        ok = f && fread(t.data, 1, bytes, f) == bytes;
        if (f)
            fclose(f);
        ok = ok ? npy_write(r->outputs[i], &t, d)
                : diag_error(d, "cannot read output %d from '%s'", i, path.buf);
        free(t.data);
        str_free(&path);
    }
    return ok;
}

static bool run_in_dir(const Graph *g, const RunOptions *r, const char *dir, Diag *d)
{
    if (r->n_outputs != g->n_outputs)
        return diag_error(d, "the model has %d outputs, %d --output given", g->n_outputs,
                          r->n_outputs);
    return write_model_c(g, &r->co, dir, d) && write_harness(g, r->co.name, r->co.weights == WEIGHTS_FILE, dir, d) &&
           build_program(dir, r->co.name, r->cflags, d) && stage_inputs(g, r, dir, d) &&
           execute(g, r, dir, d) && collect_outputs(g, r, dir, d);
}

/* Removes the temporary build folder, which holds only our files. */
static void remove_build_dir(const char *dir)
{
    DIR *dd = opendir(dir);
    if (!dd)
        return;
    Str p = {0};
    for (struct dirent *e; (e = readdir(dd));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p.len = 0;
        str_putf(&p, "%s/%s", dir, e->d_name);
        unlink(p.buf);
    }
    closedir(dd);
    str_free(&p);
    rmdir(dir);
}

int cmd_run(int argc, char **argv)
{
    RunOptions r;
    memset(&r, 0, sizeof r);
    compile_options_init(&r.co);
    Diag d = {0};
    CommandLine cl = {.usage = run_help, .name = "run", .own = run_option, .ctx = &r};
    int status = parse_command_line(&cl, &r.co, argc, argv, &d);
    if (status >= 0)
        return status;
    char *name = r.co.name ? NULL : default_model_name(r.co.model);
    if (name)
        r.co.name = name;

    char tmp[4096];
    const char *dir = r.keep;
    if (!dir) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/sinter-run-XXXXXX", base && base[0] ? base : "/tmp");
        dir = mkdtemp(tmp);
        if (!dir)
            diag_error(&d, "cannot create a temporary folder under %s", tmp);
    } else {
        mkdir(dir, 0777);
    }
    MemPlan plan;
    Graph *g = dir ? compile_graph(&r.co, &plan, &d) : NULL;
    bool ok = g && run_in_dir(g, &r, dir, &d);
    if (dir && !r.keep)
        remove_build_dir(dir);
    graph_free(g);
    free(name);
    return ok ? 0 : report_errors(&d);
}
