/*
 * compile.c - the library's entry point: from a model (a file, or bytes
 * in memory) to a planned graph and its generated C (sinter.h).
 */
#include "driver/driver.h"
#include "frontend/frontend.h"

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

/* The model's file name without folder and extension, as a C name. */
static char *default_model_name(const char *path)
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

/* Settles inputs, infers, flattens outputs, runs the passes and plans
 * memory: g is the result, or freed on failure (and *outputs then holds
 * nothing). */
static Graph *compile_loaded_graph(Graph *g, const CompileOptions *o, MemPlan *plan,
                                   ModelOutputs *outputs, Diag *d)
{
    bool ok = settle_inputs(g, o, d) && graph_infer(g, d) && flatten_model_outputs(g, outputs, d);
    g->target = o->target;
    g->threads = o->threads;
    ok = ok && passes_run(g, &o->passes, d) && plan_memory(g, plan, d);
    if (ok)
        return g;
    model_outputs_free(outputs);
    graph_free(g);
    return NULL;
}

/* The model of o, from memory or from its file, compiled. */
static Graph *compile_model_graph(const CompileOptions *o, MemPlan *plan, ModelOutputs *outputs,
                                  Diag *d)
{
    Graph *g = o->model_data ? onnx_load_buffer(o->model_data, o->model_size, NULL, d)
                             : onnx_load_file(o->model, d);
    return g ? compile_loaded_graph(g, o, plan, outputs, d) : NULL;
}

Graph *compile_graph(const CompileOptions *o, MemPlan *plan, Diag *d)
{
    ModelOutputs outputs = {0};
    Graph *g = compile_model_graph(o, plan, &outputs, d);
    model_outputs_free(&outputs);
    return g;
}

bool compile_model(const CompileOptions *o, CompiledModel *m, Diag *d)
{
    memset(m, 0, sizeof *m);
    m->name = o->name ? xstrdup(o->name) : default_model_name(o->model);
    m->graph = compile_model_graph(o, &m->plan, &m->outputs, d);
    if (m->graph && generate_model_c(m, o, d))
        return true;
    compiled_model_free(m);
    return false;
}

void compiled_model_free(CompiledModel *m)
{
    free(m->name);
    graph_free(m->graph);
    model_outputs_free(&m->outputs);
    codegen_output_free(&m->code);
    memset(m, 0, sizeof *m);
}
