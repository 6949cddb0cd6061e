/*
 * outputs.c - sequence and optional outputs made tensors.  Code
 * generation sees tensors only: each such graph output is replaced by
 * copies of the tensors it holds, and ModelOutputs records how the
 * model's outputs map onto the compiled graph's (sinter.h).
 */
#include "driver/driver.h"
#include "ir/ops/ops.h"

#include <stdlib.h>
#include <string.h>

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

bool flatten_model_outputs(Graph *g, ModelOutputs *m, Diag *d)
{
    if (!flatten_outputs(g, m, d))
        return false;
    remove_value_builders(g);
    return true;
}
