/*
 * cmd_run.c - `sinter run MODEL.onnx --input IN... --output OUT...`:
 * compile, build with the system C compiler and the runtime, run, and
 * write the outputs as .npy or .pb files.
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 64

static const char run_help[] =
    "usage: sinter run MODEL.onnx --input FILE... --output FILE.npy... [options]\n"
    "Compiles the model to C, builds it with cc and the runtime, runs it.\n\n"
    "  --input FILE       one per run-time graph input, in graph order (.npy or .pb)\n"
    "  --input NAME=FILE  the same by input name, in any order (not mixed with the above)\n"
    "                     (an input of symbolic shape, [N,3], takes its file's shape)\n"
    "  --output FILE      one per graph output, of the output's dtype: .npy, or .pb for a\n"
    "                     TensorProto (a sequence or optional output needs .pb:\n"
    "                     a SequenceProto or OptionalProto)\n"
    "  --keep DIR         build in DIR and keep the files (default: a temporary folder)\n"
    "  --cflags FLAGS     C compiler flags (default $SINTER_CFLAGS or -O2); $SINTER_CC picks cc\n"
    "  --bind NAME=FILE   make graph input NAME a compile-time constant (sequence and\n"
    "                     optional inputs must be: FILE is their SequenceProto/OptionalProto)\n"
    "  --shape NAME=D0,D1,...  the shape of graph input NAME where the model leaves dims\n"
    "                     symbolic (\"N\") or open; --bind and --input files also give it\n"
    "  -O0 | -O1 | -O2, --passes, --dump-ir, --target, --profile, --weights, --name,\n"
    "  --threads          as for sinter compile\n";

typedef struct {
    CompileOptions co;
    const char *inputs[MAX_FILES], *outputs[MAX_FILES];
    int n_inputs, n_outputs;
    const char *keep, *cflags;
} RunOptions;

/* --input or --output FILE, appended to its list (of MAX_FILES). */
static int file_option(const char *flag, const char **list, int *count, int argc, char **argv,
                       int *i)
{
    const char *v;
    int status = option_value(flag, argc, argv, i, &v);
    if (status != OPTION_TAKEN)
        return status;
    if (*count == MAX_FILES) {
        fprintf(stderr, "sinter run: at most %d %s options\n", MAX_FILES, flag);
        return OPTION_REFUSED;
    }
    list[(*count)++] = v;
    return OPTION_TAKEN;
}

/* --input, --output, --keep, --cflags */
static int run_option(void *ctx, int argc, char **argv, int *i)
{
    RunOptions *r = ctx;
    int status = file_option("--input", r->inputs, &r->n_inputs, argc, argv, i);
    if (status == OPTION_NOT_MINE)
        status = file_option("--output", r->outputs, &r->n_outputs, argc, argv, i);
    if (status == OPTION_NOT_MINE)
        status = option_value("--keep", argc, argv, i, &r->keep);
    if (status == OPTION_NOT_MINE)
        status = option_value("--cflags", argc, argv, i, &r->cflags);
    return status;
}

/* Checks each input file against its graph input; writes it raw. */
static bool stage_inputs(const Graph *g, const RunOptions *r, const char *dir, Diag *d)
{
    const char *files[MAX_FILES];
    if (!match_input_files(g, r->inputs, r->n_inputs, files, d))
        return false;
    bool ok = true;
    for (int i = 0; i < g->n_inputs && ok; i++) {
        const Tensor *want = g->inputs[i];
        Tensor *t = tensor_read_file(files[i], d);
        if (!t)
            return false;
        char s1[128], s2[128];
        /* numpy has no bfloat16: its bit patterns come as uint16 (see npy.c). */
        bool bits = want->dtype == DT_BFLOAT16 && t->dtype == DT_UINT16;
        if ((t->dtype != want->dtype && !bits) || !shape_equal(&t->shape, &want->shape)) {
            ok = diag_error(d, "--input %s holds %s%s, input '%s' is %s%s", files[i],
                            dtype_name(t->dtype), shape_str(&t->shape, s1, sizeof s1), want->name,
                            dtype_name(want->dtype), shape_str(&want->shape, s2, sizeof s2));
        } else {
            Str path = {0};
            path_join(&path, dir, "in%d.raw", i);
            ok = write_file(path.buf, t->data ? t->data : "", tensor_bytes(t), d);
            str_free(&path);
        }
        tensor_free(t);
    }
    return ok;
}

/* Runs the program on the raw files: in0.raw ... out0.raw ... (a
 * sequence output counts one file per element, so there may be many). */
static bool execute(const CompiledModel *m, const char *dir, Diag *d)
{
    const Graph *g = m->graph;
    int n = g->n_inputs + g->n_outputs, argc = 0;
    char **argv = xmalloc((size_t)(n + 3) * sizeof *argv);
    Str *paths = xcalloc((size_t)n + 1, sizeof *paths), exe = {0}, weights = {0};
    path_join(&exe, dir, "%s", m->name);
    argv[argc++] = exe.buf;
    if (m->weights == WEIGHTS_FILE) {
        path_join(&weights, dir, "%s.weights", m->name);
        argv[argc++] = weights.buf;
    }
    for (int i = 0; i < n; i++) {
        if (i < g->n_inputs)
            path_join(&paths[i], dir, "in%d.raw", i);
        else
            path_join(&paths[i], dir, "out%d.raw", i - g->n_inputs);
        argv[argc++] = paths[i].buf;
    }
    argv[argc] = NULL;
    bool ok = run_program(argv, d);
    for (int i = 0; i < n; i++)
        str_free(&paths[i]);
    free(paths);
    free(argv);
    str_free(&weights);
    str_free(&exe);
    return ok;
}

/* Compiled output i as the program wrote it (raw), a new tensor. */
static Tensor *read_output(const Graph *g, int i, const char *dir, Diag *d)
{
    const Tensor *o = g->outputs[i];
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(o->name);
    t->dtype = o->dtype;
    t->shape = o->shape;
    t->shape_known = true;
    size_t bytes = tensor_bytes(t);
    t->data = xmalloc(bytes + 1);
    Str path = {0};
    path_join(&path, dir, "out%d.raw", i);
    FILE *f = fopen(path.buf, "rb");
    bool ok = f && fread(t->data, 1, bytes, f) == bytes;
    if (f)
        fclose(f);
    if (!ok) {
        diag_error(d, "cannot read output %d from '%s'", i, path.buf);
        tensor_free(t);
        t = NULL;
    }
    str_free(&path);
    return t;
}

/* Writes model output m, whose tensors the program wrote raw, to `file`:
 * a tensor as .npy or .pb, a sequence or optional as .pb. */
static bool write_model_output(const Graph *g, const ModelOutput *m, const char *file,
                               const char *dir, Diag *d)
{
    const char *dot = strrchr(file, '.');
    if (m->kind != KIND_TENSOR && (!dot || strcmp(dot, ".pb") != 0))
        return diag_error(d, "--output %s: output '%s' is a %s, written as a .pb file", file,
                          m->name, m->kind == KIND_SEQUENCE ? "sequence" : "optional");
    Value v = {.kind = m->kind, .inner = m->inner, .empty = m->empty};
    v.tensors = xcalloc((size_t)m->count + 1, sizeof *v.tensors);
    bool ok = true;
    for (int k = 0; k < m->count && ok; k++) {
        ok = (v.tensors[k] = read_output(g, m->first + k, dir, d)) != NULL;
        v.n_tensors += ok;
    }
    if (ok)
        ok = m->kind == KIND_TENSOR ? tensor_write_file(file, v.tensors[0], d)
                                    : value_write_file(file, &v, m->name, d);
    for (int k = 0; k < v.n_tensors; k++)
        tensor_free(v.tensors[k]);
    free(v.tensors);
    return ok;
}

static bool collect_outputs(const Graph *g, const ModelOutputs *m, const RunOptions *r,
                            const char *dir, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < m->n && ok; i++)
        ok = write_model_output(g, &m->items[i], r->outputs[i], dir, d);
    return ok;
}

static bool run_in_dir(const CompiledModel *m, const RunOptions *r, const char *dir, Diag *d)
{
    const Graph *g = m->graph;
    if (r->n_outputs != m->outputs.n)
        return diag_error(d, "the model has %d outputs, %d --output given", m->outputs.n,
                          r->n_outputs);
    return compiled_model_write(m, dir, d) &&
           write_harness(g, m->name, m->weights == WEIGHTS_FILE, dir, d) &&
           build_program(dir, m->name, m->weights == WEIGHTS_INCBIN, r->co.threads > 1,
                         r->cflags, d) &&
           stage_inputs(g, r, dir, d) && execute(m, dir, d) &&
           collect_outputs(g, &m->outputs, r, dir, d);
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
        path_join(&p, dir, "%s", e->d_name);
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
    r.co.input_files = r.inputs;
    r.co.n_input_files = r.n_inputs;

    char tmp[4096];
    const char *dir = r.keep;
    if (!dir) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/sinter-run-XXXXXX", base && base[0] ? base : "/tmp");
        dir = mkdtemp(tmp);
        if (!dir)
            diag_error(&d, "cannot create a temporary folder under %s", tmp);
    }
    CompiledModel m = {0};
    bool ok = dir && compile_model(&r.co, &m, &d) && run_in_dir(&m, &r, dir, &d);
    if (dir && !r.keep)
        remove_build_dir(dir);
    compiled_model_free(&m);
    return ok ? 0 : report_errors(&d);
}
