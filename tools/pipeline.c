/*
 * pipeline.c - from a model file to planned IR and generated C, and the
 * options that steer it.
 */
#include "frontend/frontend.h"
#include "ir/ops/ops.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

void compile_options_init(CompileOptions *o)
{
    memset(o, 0, sizeof *o);
    o->passes.level = 2;
    o->passes.verify = true;
    o->passes.dump_to = stdout;
    o->target = target_find("host");
    o->weights = WEIGHTS_AUTO;
    o->threads = 1;
}

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

/* Graph input t becomes a value known at compile time. */
static void drop_input(Graph *g, Tensor *t)
{
    t->is_input = false;
    int w = 0;
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] != t)
            g->inputs[w++] = g->inputs[i];
    g->n_inputs = w;
}

bool match_input_files(const Graph *g, const char *const *specs, int n, const char **files,
                       Diag *d)
{
    int named = 0;
    for (int i = 0; i < n; i++)
        named += strchr(specs[i], '=') != NULL;
    if (named > 0 && named < n)
        return diag_error(d, "--input: give every input as NAME=FILE or every one as FILE in "
                          "graph order, not both");
    if (n != g->n_inputs)
        return diag_error(d, "the model has %d run-time inputs, %d --input given", g->n_inputs,
                          n);
    for (int i = 0; i < g->n_inputs; i++)
        files[i] = named ? NULL : specs[i];
    for (int k = 0; k < named; k++) {
        const char *spec = specs[k], *eq = strchr(spec, '=');
        int i = 0;
        while (i < g->n_inputs && (strncmp(g->inputs[i]->name, spec, (size_t)(eq - spec)) != 0 ||
                                   g->inputs[i]->name[eq - spec] != '\0'))
            i++;
        if (i == g->n_inputs)
            return diag_error(d, "--input %s: the model has no run-time input '%.*s'", spec,
                              (int)(eq - spec), spec);
        if (files[i])
            return diag_error(d, "--input: input '%s' is given twice", g->inputs[i]->name);
        files[i] = eq + 1;
    }
    return true;
}

/* Gives tensor input t, whose shape the model leaves open, the shape of
 * the tensor `file` holds; `flag` names the option in messages. */
static bool fix_shape_from(Graph *g, Tensor *t, const Tensor *v, const char *flag,
                           const char *file, Diag *d)
{
    Str source = {0};
    str_putf(&source, "%s %s=%s", flag, t->name, file);
    bool ok = input_fix_shape(g, t, &v->shape, source.buf, d);
    str_free(&source);
    return ok;
}

/* Makes tensor input t a constant holding the file's value (and shape,
 * when the model leaves it open). */
static bool bind_tensor(Graph *g, Tensor *t, const Binding *b, Diag *d)
{
    Tensor *v = tensor_read_file(b->file, d);
    if (!v)
        return false;
    if (!t->shape_known && !fix_shape_from(g, t, v, "--bind", b->file, d)) {
        tensor_free(v);
        return false;
    }
    bool ok = v->dtype == t->dtype && shape_equal(&v->shape, &t->shape);
    if (!ok) {
        char s1[128], s2[128];
        diag_error(d, "--bind %s: the file holds %s%s, the input is %s%s", b->input,
                   dtype_name(v->dtype), shape_str(&v->shape, s1, sizeof s1),
                   dtype_name(t->dtype), shape_str(&t->shape, s2, sizeof s2));
    } else {
        tensor_set_data(t, v->data);
        drop_input(g, t);
    }
    tensor_free(v);
    return ok;
}

/* A node building `out` from items[0, count) (op SequenceConstruct,
 * SequenceEmpty or Optional), as sequence.h describes. */
static void add_builder(Graph *g, const char *op_type, Tensor *const *items, int count,
                        DType dtype, Tensor *out)
{
    Str name = {0};
    str_putf(&name, "bind/%s", out->name);
    Node *n = graph_add_node(g, name.buf, op_type);
    str_free(&name);
    for (int i = 0; i < count; i++)
        node_add_input(n, items[i]);
    if (strcmp(op_type, "SequenceEmpty") == 0)
        node_add_attr(n, "dtype", ATTR_INT)->i = dtype;
    node_add_output(n, out);
}

/* New constants holding v's tensors, named after t: NAME_0, NAME_1 ... */
static Tensor **add_constants(Graph *g, const Value *v, const Tensor *t)
{
    Tensor **items = xmalloc((size_t)(v->n_tensors + 1) * sizeof *items);
    for (int i = 0; i < v->n_tensors; i++) {
        Str hint = {0};
        str_putf(&hint, "%s_%d", t->name, i);
        Tensor *c = items[i] = graph_new_tensor(g, hint.buf);
        str_free(&hint);
        c->dtype = v->tensors[i]->dtype;
        c->shape = v->tensors[i]->shape;
        c->shape_known = true;
        tensor_set_data(c, v->tensors[i]->data);
    }
    return items;
}

/* Makes sequence or optional input t the value of a SequenceProto or
 * OptionalProto file: constants and the nodes that build t from them. */
static bool bind_value(Graph *g, Tensor *t, const Binding *b, Diag *d)
{
    Value *v = value_read_file(b->file, t->kind, d);
    if (!v)
        return false;
    if (v->n_tensors && t->dtype && v->dtype != t->dtype) {
        diag_error(d, "--bind %s: the file holds %s elements, the input %s", b->input,
                   dtype_name(v->dtype), dtype_name(t->dtype));
        value_free(v);
        return false;
    }
    DType dtype = t->dtype ? t->dtype : v->dtype ? v->dtype : DT_FLOAT;
    Tensor **items = add_constants(g, v, t);
    const char *seq_op = v->n_tensors ? "SequenceConstruct" : "SequenceEmpty";
    if (t->kind == KIND_SEQUENCE) {
        add_builder(g, seq_op, items, v->n_tensors, dtype, t);
    } else if (v->empty || v->inner == KIND_TENSOR) {
        add_builder(g, "Optional", items, v->empty ? 0 : 1, dtype, t);
    } else {
        Str hint = {0};
        str_putf(&hint, "%s_value", t->name);
        Tensor *seq = graph_new_tensor(g, hint.buf);
        str_free(&hint);
        add_builder(g, seq_op, items, v->n_tensors, dtype, seq);
        add_builder(g, "Optional", &seq, 1, dtype, t);
    }
    drop_input(g, t);
    free(items);
    value_free(v);
    return true;
}

/* Run-time graph input `name`, or NULL after an error naming `flag`. */
static Tensor *find_input(Graph *g, const char *name, const char *flag, Diag *d)
{
    Tensor *t = graph_find_tensor(g, name);
    if (!t || !t->is_input) {
        diag_error(d, "%s: the model has no run-time input '%s'", flag, name);
        return NULL;
    }
    return t;
}

/* Makes graph input `b->input` a constant holding the file's value. */
static bool bind_input(Graph *g, const Binding *b, Diag *d)
{
    Tensor *t = find_input(g, b->input, "--bind", d);
    if (!t)
        return false;
    return t->kind == KIND_TENSOR ? bind_tensor(g, t, b, d) : bind_value(g, t, b, d);
}

/* --shape NAME=D0,D1,... */
static bool apply_shape_option(Graph *g, const InputShape *s, Diag *d)
{
    Tensor *t = find_input(g, s->input, "--shape", d);
    if (!t)
        return false;
    Str source = {0};
    str_putf(&source, "--shape %s", s->input);
    bool ok = t->kind == KIND_TENSOR
                  ? input_fix_shape(g, t, &s->shape, source.buf, d)
                  : diag_error(d, "%s: input '%s' is a %s; give its value with --bind", source.buf,
                               t->name, t->kind == KIND_SEQUENCE ? "sequence" : "optional");
    str_free(&source);
    return ok;
}

static bool has_open_shapes(const Graph *g)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i]->kind == KIND_TENSOR && !g->inputs[i]->shape_known)
            return true;
    return false;
}

/* sinter run's input files give the shapes the model leaves open and
 * neither --shape nor --bind gave.  (The files are read again, with their
 * dtypes and shapes checked, when the program runs.) */
static bool shapes_from_input_files(Graph *g, const CompileOptions *o, Diag *d)
{
    if (!o->n_input_files || !has_open_shapes(g))
        return true;
    const char **files = xcalloc((size_t)g->n_inputs + 1, sizeof *files);
    bool ok = match_input_files(g, o->input_files, o->n_input_files, files, d);
    for (int i = 0; i < g->n_inputs && ok; i++) {
        Tensor *t = g->inputs[i];
        if (t->kind != KIND_TENSOR || t->shape_known)
            continue;
        Tensor *v = tensor_read_file(files[i], d);
        ok = v && fix_shape_from(g, t, v, "--input", files[i], d);
        tensor_free(v);
    }
    free(files);
    return ok;
}

/* Sequences and optionals exist only at compile time: an input of such a
 * kind must be bound; and every tensor input needs a static shape. */
static bool check_run_time_inputs(const Graph *g, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < g->n_inputs; i++) {
        const Tensor *t = g->inputs[i];
        if (t->kind != KIND_TENSOR)
            ok = diag_error(d, "%s input '%s' must be known at compile time: give its value "
                            "with --bind %s=FILE.pb", t->kind == KIND_SEQUENCE ? "sequence" :
                            "optional", t->name, t->name);
        else if (!input_shape_required(t, d))
            ok = false;
    }
    return ok;
}

/* Fixes the shapes the model leaves open and binds inputs, as the
 * options ask; then every run-time input must be a tensor of known shape. */
static bool settle_inputs(Graph *g, const CompileOptions *o, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < o->n_shapes && ok; i++)
        ok = apply_shape_option(g, &o->shapes[i], d);
    for (int i = 0; i < o->n_binds && ok; i++)
        ok = bind_input(g, &o->binds[i], d);
    return ok && shapes_from_input_files(g, o, d) && check_run_time_inputs(g, d);
}

/* A new graph output NAME_k copying x (through an Identity, so that each
 * output is its own tensor even when x is an input, a constant or held
 * twice), inferred and folded on the spot since inference has run. */
static Tensor *add_output_copy(Graph *g, const Tensor *value, int k, Tensor *x, Diag *d)
{
    Str name = {0};
    str_putf(&name, "%s_%d", value->name, k);
    Node *n = graph_add_node(g, name.buf, "Identity");
    Tensor *y = graph_new_tensor(g, name.buf);
    str_free(&name);
    n->op = op_lookup("", "Identity");
    node_add_input(n, x);
    node_add_output(n, y);
    y->is_output = true;
    bool ok = n->op->infer(n, d) && (!n->op->fold || n->op->fold(n, d));
    return ok ? y : NULL;
}

/* The tensors sequence or optional output t holds (those of the sequence
 * an optional holds), described in o. */
static int output_items(const Tensor *t, ModelOutput *o, Tensor *const **items, Diag *d)
{
    int count = value_items(t, items);
    if (count < 0) {
        diag_error(d, "graph output '%s' is not built at compile time", t->name);
        return -1;
    }
    o->empty = t->kind == KIND_OPTIONAL && count == 0;
    o->inner = t->kind == KIND_OPTIONAL && count ? (*items)[0]->kind : KIND_TENSOR;
    if (o->inner == KIND_SEQUENCE)
        return output_items((*items)[0], &(ModelOutput){0}, items, d);
    return count;
}

/* Replaces each sequence or optional graph output by copies of the
 * tensors it holds, recording the mapping in m. */
static bool flatten_outputs(Graph *g, ModelOutputs *m, Diag *d)
{
    Tensor **flat = NULL;
    int n = 0, cap = 0;
    m->n = g->n_outputs;
    m->items = xcalloc((size_t)g->n_outputs + 1, sizeof *m->items);
    bool ok = true;
    for (int i = 0; i < g->n_outputs && ok; i++) {
        Tensor *t = g->outputs[i];
        ModelOutput *o = &m->items[i];
        *o = (ModelOutput){.name = xstrdup(t->name), .kind = t->kind, .first = n, .count = 1};
        Tensor *const *items = &g->outputs[i];
        if (t->kind != KIND_TENSOR) {
            o->count = output_items(t, o, &items, d);
            t->is_output = false;
        }
        ok = o->count >= 0;
        grow_array((void **)&flat, &cap, n + (ok ? o->count : 0) + 1, sizeof *flat);
        for (int k = 0; ok && k < o->count; k++) {
            flat[n] = t->kind == KIND_TENSOR ? t : add_output_copy(g, t, k, items[k], d);
            ok = flat[n++] != NULL;
        }
    }
    free(g->outputs);
    g->outputs = flat;
    g->n_outputs = n;
    return ok;
}

/* Removes the nodes that build sequences and optionals: once outputs are
 * flattened, nothing reads those values. */
static void remove_value_builders(Graph *g)
{
    bool *keep = xcalloc((size_t)g->n_nodes + 1, sizeof *keep);
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        for (int j = 0; j < n->n_out && !keep[i]; j++)
            keep[i] = n->out[j]->kind == KIND_TENSOR;
    }
    graph_remove_nodes(g, keep);
    free(keep);
}

void model_outputs_free(ModelOutputs *m)
{
    for (int i = 0; m->items && i < m->n; i++)
        free(m->items[i].name);
    free(m->items);
    memset(m, 0, sizeof *m);
}

Graph *compile_loaded_graph(Graph *g, const CompileOptions *o, MemPlan *plan,
                            ModelOutputs *outputs, Diag *d)
{
    ModelOutputs m = {0};
    bool ok = settle_inputs(g, o, d) && graph_infer(g, d) && flatten_outputs(g, &m, d);
    if (ok)
        remove_value_builders(g);
    g->target = o->target;
    g->threads = o->threads;
    ok = ok && passes_run(g, &o->passes, d) && plan_memory(g, plan, d);
    if (!ok) {
        model_outputs_free(&m);
        graph_free(g);
        return NULL;
    }
    if (outputs)
        *outputs = m;
    else
        model_outputs_free(&m);
    return g;
}

Graph *compile_graph_outputs(const CompileOptions *o, MemPlan *plan, ModelOutputs *outputs,
                             Diag *d)
{
    Graph *g = onnx_load_file(o->model, d);
    return g ? compile_loaded_graph(g, o, plan, outputs, d) : NULL;
}

Graph *compile_graph(const CompileOptions *o, MemPlan *plan, Diag *d)
{
    return compile_graph_outputs(o, plan, NULL, d);
}

static bool write_str(const char *dir, const char *name, const char *ext, const Str *s, Diag *d)
{
    Str path = {0};
    path_join(&path, dir, "%s%s", name, ext);
    bool ok = write_file(path.buf, s->buf ? s->buf : "", s->len, d);
    str_free(&path);
    return ok;
}

/*
 * Generates the code.  --weights auto generates it with a weights blob
 * first, to learn the weights' size, and again embedded when they are
 * at most WEIGHTS_EMBED_MAX bytes: one .c is simplest for small models.
 */
static bool generate(const Graph *g, CodegenOptions *co, WeightsMode asked, CodegenOutput *out,
                     Diag *d)
{
    co->weights = asked == WEIGHTS_AUTO ? WEIGHTS_INCBIN : asked;
    if (!codegen_c(g, co, out, d))
        return false;
    if (asked != WEIGHTS_AUTO || out->weights.len > WEIGHTS_EMBED_MAX)
        return true;
    codegen_output_free(out);
    co->weights = WEIGHTS_EMBED;
    return codegen_c(g, co, out, d);
}

bool write_model_c(const Graph *g, const CompileOptions *o, const char *dir, WrittenModel *w,
                   Diag *d)
{
    /* The file's name, not its path, so the output does not depend on
     * where the model was read from. */
    const char *base = strrchr(o->model, '/');
    CodegenOptions co = {o->name, base ? base + 1 : o->model, o->weights, o->profile};
    CodegenOutput out = {0};
    bool ok = generate(g, &co, o->weights, &out, d) && write_str(dir, o->name, ".c", &out.c, d) &&
              write_str(dir, o->name, ".h", &out.h, d) &&
              (co.weights == WEIGHTS_EMBED ||
               write_str(dir, o->name, ".weights", &out.weights, d)) &&
              (co.weights != WEIGHTS_INCBIN ||
               write_str(dir, o->name, "_weights.S", &out.incbin, d));
    if (w) {
        w->weights = co.weights;
        w->weights_bytes = out.weights.len;
    }
    codegen_output_free(&out);
    return ok;
}
