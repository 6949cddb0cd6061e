/*
 * bind.c - settling a model's inputs before inference: shapes fixed by
 * CompileOptions.shapes, inputs bound to the values of files
 * (CompileOptions.binds), open shapes taken from the files a program
 * will run on; after which every run-time input must be a tensor of
 * known shape.  Messages name the options as the command line spells
 * them (--shape, --bind, --input), which is how users meet them.
 */
#include "driver/driver.h"
#include "frontend/frontend.h"

#include <stdlib.h>
#include <string.h>

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
static void add_builder(Graph *g, const OpDesc *op, Tensor *const *items, int count,
                        DType dtype, Tensor *out)
{
    Str name = {0};
    str_putf(&name, "bind/%s", out->name);
    Node *n = graph_add_node(g, name.buf, op->name);
    str_free(&name);
    for (int i = 0; i < count; i++)
        node_add_input(n, items[i]);
    if (op == &op_SequenceEmpty)
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
    const OpDesc *seq_op = v->n_tensors ? &op_SequenceConstruct : &op_SequenceEmpty;
    if (t->kind == KIND_SEQUENCE) {
        add_builder(g, seq_op, items, v->n_tensors, dtype, t);
    } else if (v->empty || v->inner == KIND_TENSOR) {
        add_builder(g, &op_Optional, items, v->empty ? 0 : 1, dtype, t);
    } else {
        Str hint = {0};
        str_putf(&hint, "%s_value", t->name);
        Tensor *seq = graph_new_tensor(g, hint.buf);
        str_free(&hint);
        add_builder(g, seq_op, items, v->n_tensors, dtype, seq);
        add_builder(g, &op_Optional, &seq, 1, dtype, t);
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
bool settle_inputs(Graph *g, const CompileOptions *o, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < o->n_shapes && ok; i++)
        ok = apply_shape_option(g, &o->shapes[i], d);
    for (int i = 0; i < o->n_binds && ok; i++)
        ok = bind_input(g, &o->binds[i], d);
    return ok && shapes_from_input_files(g, o, d) && check_run_time_inputs(g, d);
}
