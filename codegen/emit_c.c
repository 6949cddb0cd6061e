/*
 * emit_c.c - the generated model: NAME.h (API and shape macros) and
 * NAME.c (weights, NAME_run_with_arena calling one kernel per node, and
 * NAME_run handing it a static arena).
 *
 * This file implements the Emitter interface of ir/ir.h: ops print their
 * own kernel calls through it, this file turns the memory plan into
 * pointers: caller buffers, weights, or offsets into the arena, following
 * the planner's aliases (views, in-place results, Concat slots).
 */
#include "codegen/codegen.h"
#include "sinter_rt.h"

#include <stdlib.h>
#include <string.h>

struct Emitter {
    const Graph *g;
    const CodegenOptions *opt;
    Str *body;            /* the run function, being written */
    Str arrays;           /* file-scope int64 arrays made by emit_i64_array */
    int n_arrays;
    char **ptr;           /* per tensor id: C expression of its data */
    /* Per tensor id, once asked: the tensor that owns its bytes (the top
     * of its alias chain) and its offset there; `chain` is room for one
     * chain while that is found. */
    const Tensor **owner;
    int64_t *owner_off;
    const Tensor **chain;
    char **param;         /* per tensor id: parameter name of an input/output */
    bool *param_used;     /* per tensor id: the body reads/writes the parameter */
    bool *weight_used;    /* per tensor id: the code reads this constant */
    size_t *blob_offset;  /* per tensor id, with a weights blob only */
    Str *blob;            /* the weights blob being built (FILE, INCBIN) */
    const Node *node;     /* the node being emitted */
    bool arena_used;      /* the body addresses the arena */
    /* The most scratch the node being emitted asked for beyond what its
     * OpDesc.scratch_bytes planned (0: none); emit_nodes reports it. */
    size_t unplanned_scratch;
    char **owned;         /* expressions handed out by emit_scratch */
    int n_owned;
    char **array_names;   /* owned names handed out by emit_i64_array */
    const Node **timed;   /* --profile: the nodes with a timing slot, in order */
    int n_timed;
};

/* ------------------------------------------------------------------ */
/* The Emitter interface                                              */
/* ------------------------------------------------------------------ */

void emit_line(Emitter *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    str_puts(e->body, "        ");
    str_vputf(e->body, fmt, ap);
    str_puts(e->body, "\n");
    va_end(ap);
}

static bool is_weight(const Tensor *t)
{
    return t->data && tensor_bytes(t) > 0;
}

/* `((T *)((unsigned char *)arena + 128))`: byte offsets into the arena. */
static void put_arena_ptr(Emitter *e, Str *s, const char *ctype, int64_t offset)
{
    e->arena_used = true;
    str_putf(s, "((%s *)((unsigned char *)arena + %lld))", ctype, (long long)offset);
}

/* A view of a caller buffer (read-only when it is an input). */
static void put_param_ptr(Emitter *e, Str *s, const Tensor *t, const Tensor *root, int64_t offset)
{
    const char *q = root->is_input ? "const " : "";
    e->param_used[root->id] = true;
    if (offset == 0)
        str_puts(s, e->param[root->id]);
    else
        str_putf(s, "((%s%s *)((%sunsigned char *)%s + %lld))", q, dtype_ctype(t->dtype), q,
                 e->param[root->id], (long long)offset);
}

/* The weights are a blob (NAME.weights) rather than C data. */
static bool uses_blob(const Emitter *e)
{
    return e->opt->weights == WEIGHTS_FILE || e->opt->weights == WEIGHTS_INCBIN;
}

/* Where a constant's bytes are: the blob or its embedded union. */
static void put_weight_ptr(Str *s, Emitter *e, const Tensor *t)
{
    /* Only constants the code reads are emitted; in a weights file they
     * are laid out in the order the code first reads them. */
    if (!e->weight_used[t->id]) {
        e->weight_used[t->id] = true;
        if (uses_blob(e))
            e->blob_offset[t->id] = weights_append_blob(e->blob, t);
    }
    if (uses_blob(e)) {
        str_putf(s, "((const %s *)(weights + %zu))", dtype_ctype(t->dtype), e->blob_offset[t->id]);
        return;
    }
    char *id = c_ident("w_", t->name, 48);
    str_putf(s, "%s_%d.v", id, t->id);
    free(id);
}

/* The tensor that owns t's bytes, following the planner's aliases, and
 * t's offset in it.  Remembered for every tensor on the way: a chain of
 * in-place activations is as long as the network, and walking it for
 * each of its tensors would take its length squared. */
static const Tensor *bytes_owner(Emitter *e, const Tensor *t, int64_t *offset)
{
    const Tensor *u = t;
    int n = 0;
    while (!e->owner[u->id] && u->alias_base) {
        e->chain[n++] = u;
        u = u->alias_base;
    }
    if (!e->owner[u->id])
        e->owner[u->id] = u;
    while (n-- > 0) {
        const Tensor *c = e->chain[n];
        e->owner[c->id] = e->owner[c->alias_base->id];
        e->owner_off[c->id] = c->alias_offset + e->owner_off[c->alias_base->id];
    }
    *offset = e->owner_off[t->id];
    return e->owner[t->id];
}

static char *make_ptr(Emitter *e, const Tensor *t)
{
    int64_t offset;
    const Tensor *root = bytes_owner(e, t, &offset);
    Str s = {0};
    const char *ct = dtype_ctype(t->dtype);
    if (tensor_bytes(t) == 0)
        str_putf(&s, "(%s *)0", ct);
    else if (e->param[root->id])
        put_param_ptr(e, &s, t, root, offset);
    else if (is_weight(root) && offset == 0)
        put_weight_ptr(&s, e, root);
    else
        put_arena_ptr(e, &s, ct, root->offset + offset);
    return s.buf;
}

const char *emit_ptr(Emitter *e, const Tensor *t)
{
    if (!e->ptr[t->id])
        e->ptr[t->id] = make_ptr(e, t);
    return e->ptr[t->id];
}

const char *emit_i64_array(Emitter *e, const int64_t *v, int n)
{
    int id = e->n_arrays++;
    str_putf(&e->arrays, "static const int64_t i64_array_%d[%d] = {", id, n > 0 ? n : 1);
    for (int i = 0; i < n; i++)
        str_putf(&e->arrays, "%s%lld", i ? ", " : "", (long long)v[i]);
    str_puts(&e->arrays, n > 0 ? "};\n" : "0};\n");
    e->array_names = xrealloc(e->array_names, (size_t)e->n_arrays * sizeof *e->array_names);
    Str name = {0};
    str_putf(&name, "i64_array_%d", id);
    e->array_names[id] = name.buf;
    return name.buf;
}

/* The node's scratch region, which the planner placed in the arena from
 * its OpDesc.scratch_bytes: the kernels' working memory is the caller's,
 * so NAME_run_with_arena stays re-entrant, and NAME_ARENA_BYTES is the
 * plan that `sinter plan` reports.  "NULL" for none.  A request beyond
 * the planned bytes is a bug of the op (its hook and its emit disagree),
 * which emit_nodes reports as an error. */
const char *emit_scratch(Emitter *e, size_t bytes)
{
    const Node *n = e->node;
    Str s = {0};
    if (bytes == 0)
        return "NULL";
    if (!n || n->scratch_offset < 0 || n->scratch_bytes < bytes) {
        if (bytes > e->unplanned_scratch)
            e->unplanned_scratch = bytes;
        return "NULL";
    }
    put_arena_ptr(e, &s, "float", n->scratch_offset);
    e->owned = xrealloc(e->owned, (size_t)(e->n_owned + 1) * sizeof *e->owned);
    e->owned[e->n_owned++] = s.buf;
    return s.buf;
}

const Target *emit_target(const Emitter *e)
{
    return e->g->target;
}

const char *emit_call_open(const Emitter *e)
{
    return e->g->threads > 1 ? "_mt(&snt_par, " : "(";
}

/* ------------------------------------------------------------------ */
/* Naming the API                                                     */
/* ------------------------------------------------------------------ */

/* Parameter names: the sanitized ONNX names, made unique. */
static void name_params(Emitter *e)
{
    const Graph *g = e->g;
    NameMap taken = {0}, suffixes = {0}; /* the names given, by hash */
    int total = g->n_inputs + g->n_outputs;
    for (int k = 0; k < total; k++) {
        const Tensor *t = k < g->n_inputs ? g->inputs[k] : g->outputs[k - g->n_inputs];
        if (e->param[t->id])
            continue; /* an input that is also an output keeps its input name */
        /* Names of the generated file's own symbols are not available. */
        char *base = c_ident("", t->name, 48);
        if (is_reserved_name(base)) {
            char *prefixed = c_ident("x_", t->name, 48);
            free(base);
            base = prefixed;
        }
        e->param[t->id] = name_map_unique(&taken, &suffixes, base);
        name_map_add(&taken, e->param[t->id], t->id);
        free(base);
    }
    name_map_free(&taken);
    name_map_free(&suffixes);
}

static void put_param_list(Str *s, const Emitter *e)
{
    const Graph *g = e->g;
    for (int i = 0; i < g->n_inputs; i++)
        str_putf(s, "%sconst %s *%s", i ? ", " : "", dtype_ctype(g->inputs[i]->dtype),
                 e->param[g->inputs[i]->id]);
    for (int i = 0; i < g->n_outputs; i++) {
        const Tensor *t = g->outputs[i];
        /* An output that is also an input gets its own buffer name. */
        str_putf(s, "%s%s *%s%s", g->n_inputs + i ? ", " : "", dtype_ctype(t->dtype),
                 e->param[t->id], t->is_input ? "_out" : "");
    }
    if (g->n_inputs + g->n_outputs == 0)
        str_puts(s, "void");
}

/* The parameters again, as the arguments of a call. */
static void put_arg_list(Str *s, const Emitter *e)
{
    const Graph *g = e->g;
    for (int i = 0; i < g->n_inputs + g->n_outputs; i++) {
        bool out = i >= g->n_inputs;
        const Tensor *t = out ? g->outputs[i - g->n_inputs] : g->inputs[i];
        str_putf(s, "%s%s%s", i ? ", " : "", e->param[t->id], out && t->is_input ? "_out" : "");
    }
}

/* ------------------------------------------------------------------ */
/* The header                                                         */
/* ------------------------------------------------------------------ */

static void put_shape_macros(Str *h, const char *prefix, const char *kind, int k, const Tensor *t)
{
    str_putf(h, "/* %s %d: '", kind, k);
    str_put_comment(h, t->name);
    str_putf(h, "', %s */\n", dtype_name(t->dtype));
    str_putf(h, "#define %s_%s%d_RANK %d\n", prefix, kind, k, t->shape.rank);
    str_putf(h, "#define %s_%s%d_SHAPE {", prefix, kind, k);
    for (int i = 0; i < t->shape.rank; i++)
        str_putf(h, "%s%lld", i ? ", " : "", (long long)t->shape.dim[i]);
    str_putf(h, "%s}\n", t->shape.rank ? "" : "1");
    str_putf(h, "#define %s_%s%d_SIZE %lld\n", prefix, kind, k, (long long)tensor_numel(t));
    str_putf(h, "#define %s_%s%d_DTYPE %d\n\n", prefix, kind, k, (int)t->dtype);
}

static void emit_header(const Emitter *e, Str *h, size_t weights_bytes)
{
    const Graph *g = e->g;
    const char *name = e->opt->name;
    char *upper = c_upper(name);
    str_putf(h, "/*\n * %s.h - generated by Sinter from ", name);
    str_put_comment(h, e->opt->source ? e->opt->source : g->name);
    str_puts(h, ". Do not edit.\n *\n * Call ");
    str_putf(h, "%s_run with one pointer per graph input and output,\n", name);
    str_puts(h, " * dense row-major (NCHW for images), in the order below.  It returns 0.\n");
    str_putf(h, " * %s_run uses one static arena and is not re-entrant; %s_run_with_arena\n", name,
             name);
    str_putf(h, " * takes the arena from the caller (%s_ARENA_BYTES bytes, 64-byte aligned,\n",
             upper);
    str_puts(h, " * one per concurrent call) and keeps no state of its own.\n */\n");
    str_putf(h, "#ifndef %s_H\n#define %s_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n", upper,
             upper);
    str_putf(h, "#define %s_NUM_INPUTS %d\n#define %s_NUM_OUTPUTS %d\n\n", upper, g->n_inputs,
             upper, g->n_outputs);
    for (int i = 0; i < g->n_inputs; i++)
        put_shape_macros(h, upper, "INPUT", i, g->inputs[i]);
    for (int i = 0; i < g->n_outputs; i++)
        put_shape_macros(h, upper, "OUTPUT", i, g->outputs[i]);
    str_putf(h, "/* Bytes of the arena that holds every intermediate tensor. */\n");
    str_putf(h, "#define %s_ARENA_BYTES %zu\n\n", upper, e->g->arena_bytes);
    if (e->opt->weights == WEIGHTS_FILE) {
        str_putf(h, "/* Size of %s.weights; hand its bytes (64-byte aligned) to\n", name);
        str_putf(h, " * %s_set_weights before the first run.  They must stay valid. */\n", name);
        str_putf(h, "#define %s_WEIGHTS_BYTES %zu\n", upper, weights_bytes);
        str_putf(h, "void %s_set_weights(const void *weights);\n\n", name);
    }
    if (e->opt->weights == WEIGHTS_INCBIN) {
        str_putf(h, "/* The weights are %s.weights, which %s_weights.S links in: build\n", name,
                 name);
        str_putf(h, " * %s.c together with %s_weights.S (with -Wa,-I,DIR unless in DIR). */\n",
                 name, name);
        str_putf(h, "#define %s_WEIGHTS_BYTES %zu\n\n", upper, weights_bytes);
    }
    str_putf(h, "int %s_run(", name);
    put_param_list(h, e);
    str_puts(h, ");\n");
    str_putf(h, "int %s_run_with_arena(void *arena", name);
    if (g->n_inputs + g->n_outputs > 0) {
        str_puts(h, ", ");
        put_param_list(h, e);
    }
    str_puts(h, ");\n\n");
    if (e->opt->profile)
        profile_emit_declaration(h, name, upper);
    if (g->threads > 1)
        threads_emit_declaration(h, name, upper, g->threads);
    str_putf(h, "#endif /* %s_H */\n", upper);
    free(upper);
}

/* ------------------------------------------------------------------ */
/* The body                                                           */
/* ------------------------------------------------------------------ */

static void put_node_comment(Str *body, const Node *n)
{
    char buf[160];
    str_puts(body, "    /* ");
    str_put_comment(body, n->name[0] ? n->name : "(unnamed)");
    str_putf(body, ": %s", n->op_type);
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i])
            str_putf(body, "%s%s", i ? ", " : " ", shape_str(&n->in[i]->shape, buf, sizeof buf));
    str_puts(body, " ->");
    for (int i = 0; i < n->n_out; i++)
        str_putf(body, " %s", shape_str(&n->out[i]->shape, buf, sizeof buf));
    str_puts(body, " */\n");
}

/* One block per kernel (node_is_kernel, the count the reports give);
 * nodes the planner elided (views, Concats whose inputs were produced in
 * place) leave only their comment. */
static bool emit_nodes(Emitter *e, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < e->g->n_nodes; i++) {
        const Node *n = e->g->nodes[i];
        if (!node_has_work(n))
            continue;
        put_node_comment(e->body, n);
        if (!node_is_kernel(n)) {
            str_puts(e->body, "    /* (no code: the memory plan aliases its inputs and outputs) */\n");
            continue;
        }
        e->node = n;
        str_puts(e->body, "    {\n");
        if (e->opt->profile)
            profile_node_begin(e->body);
        if (!n->op->emit(n, e, d))
            ok = false;
        if (e->unplanned_scratch)
            ok = node_error(d, n, "internal error: the kernel asks for %zu bytes of scratch, "
                            "%zu planned (OpDesc.scratch_bytes)", e->unplanned_scratch,
                            n->scratch_bytes);
        e->unplanned_scratch = 0;
        if (e->opt->profile) {
            profile_node_end(e->body, e->n_timed);
            e->timed[e->n_timed++] = n;
        }
        str_puts(e->body, "    }\n");
    }
    e->node = NULL;
    return ok;
}

/* Graph outputs that no node writes (constants, inputs) are copied. */
static void emit_output_copies(Emitter *e)
{
    const Graph *g = e->g;
    for (int i = 0; i < g->n_outputs; i++) {
        const Tensor *t = g->outputs[i];
        /* A folded output may still have a producer kept alive by its
         * other outputs; the folded value is what the caller gets. */
        if ((t->producer && !t->data) || tensor_bytes(t) == 0)
            continue;
        e->param_used[t->id] = true;
        Str src = {0};
        if (t->is_input)
            str_puts(&src, e->param[t->id]);
        else
            put_weight_ptr(&src, e, t);
        str_putf(e->body, "    memcpy(%s%s, %s, %zu);\n", e->param[t->id], t->is_input ? "_out" : "",
                 src.buf, tensor_bytes(t));
        str_free(&src);
    }
}

/* The embedded constants the body read, in tensor order. */
static void emit_weights(const Emitter *e, Str *c)
{
    if (uses_blob(e))
        return;
    for (int i = 0; i < e->g->n_tensors; i++) {
        const Tensor *t = e->g->tensors[i];
        if (!e->weight_used[i])
            continue;
        char *id = c_ident("w_", t->name, 48);
        Str ident = {0};
        str_putf(&ident, "%s_%d", id, t->id);
        weights_emit_embedded(c, t, ident.buf);
        str_free(&ident);
        free(id);
    }
}

/* Parameters the body never touches (zero-size, unused inputs). */
static void put_unused_params(const Emitter *e, Str *c)
{
    const Graph *g = e->g;
    if (!e->arena_used)
        str_puts(c, "    (void)arena;\n");
    for (int i = 0; i < g->n_inputs + g->n_outputs; i++) {
        const Tensor *t = i < g->n_inputs ? g->inputs[i] : g->outputs[i - g->n_inputs];
        bool in_and_out = i >= g->n_inputs && t->is_input;
        if (!e->param_used[t->id] || (in_and_out && tensor_bytes(t) == 0))
            str_putf(c, "    (void)%s%s;\n", e->param[t->id], in_and_out ? "_out" : "");
    }
}

static void emit_prologue(const Emitter *e, Str *c)
{
    const Graph *g = e->g;
    str_putf(c, "/*\n * %s.c - generated by Sinter from ", e->opt->name);
    str_put_comment(c, e->opt->source ? e->opt->source : g->name);
    str_putf(c, ". Do not edit.\n *\n * %d nodes, ai.onnx opset %d.  Weights are const data;"
                " activations\n * live in one arena of %zu bytes at offsets chosen by the memory"
                " planner.\n * No allocation.\n */\n",
             g->n_nodes, g->opset, e->g->arena_bytes);
    if (e->opt->profile)
        profile_emit_feature_macro(c);
    str_puts(c, "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n");
    if (e->opt->profile)
        str_puts(c, "#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n\n");
    str_puts(c, "#include \"sinter_rt.h\"\n");
    if (g->threads > 1)
        threads_emit_include(c);
    str_putf(c, "#include \"%s.h\"\n\n", e->opt->name);
    str_puts(c, "/* Weights are stored as their little-endian bytes. */\n"
                "#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__\n"
                "#error \"this generated model assumes a little-endian target\"\n#endif\n\n"
                "#if defined(__GNUC__)\n#define SNT_ALIGNED __attribute__((aligned(64)))\n"
                "#else\n#define SNT_ALIGNED\n#endif\n\n");
}

static void emit_storage(const Emitter *e, Str *c)
{
    if (e->opt->weights == WEIGHTS_FILE)
        str_putf(c, "\nstatic const unsigned char *weights;\n\n"
                    "void %s_set_weights(const void *blob)\n{\n    weights = blob;\n}\n",
                 e->opt->name);
    if (e->opt->weights == WEIGHTS_INCBIN)
        str_putf(c, "\n/* %s.weights, linked in by %s_weights.S. */\n"
                    "extern const unsigned char %s_weights[];\n"
                    "static const unsigned char *const weights = %s_weights;\n",
                 e->opt->name, e->opt->name, e->opt->name, e->opt->name);
    str_puts(c, "\n");
}

/* NAME_run_with_arena holds the body; NAME_run lends it a static arena. */
static void emit_run_functions(const Emitter *e, Str *c, const Str *body)
{
    const char *name = e->opt->name;
    bool params = e->g->n_inputs + e->g->n_outputs > 0;
    str_putf(c, "int %s_run_with_arena(void *arena%s", name, params ? ", " : "");
    if (params)
        put_param_list(c, e);
    str_puts(c, ")\n{\n");
    put_unused_params(e, c);
    if (e->opt->weights == WEIGHTS_FILE)
        str_puts(c, "    if (!weights)\n        return -1;\n");
    str_puts(c, body->buf ? body->buf : "");
    str_puts(c, "    return 0;\n}\n\n");
    str_putf(c, "int %s_run(", name);
    put_param_list(c, e);
    str_puts(c, ")\n{\n");
    str_putf(c, "    static unsigned char arena[%zu] SNT_ALIGNED;\n",
             e->g->arena_bytes ? e->g->arena_bytes : 1);
    str_putf(c, "    return %s_run_with_arena(arena%s", name, params ? ", " : "");
    put_arg_list(c, e);
    str_puts(c, ");\n}\n");
}

static Emitter *emitter_new(const Graph *g, const CodegenOptions *opt)
{
    Emitter *e = xcalloc(1, sizeof *e);
    e->g = g;
    e->opt = opt;
    e->ptr = xcalloc((size_t)g->n_tensors + 1, sizeof *e->ptr);
    e->owner = xcalloc((size_t)g->n_tensors + 1, sizeof *e->owner);
    e->owner_off = xcalloc((size_t)g->n_tensors + 1, sizeof *e->owner_off);
    e->chain = xcalloc((size_t)g->n_tensors + 1, sizeof *e->chain);
    e->param = xcalloc((size_t)g->n_tensors + 1, sizeof *e->param);
    e->blob_offset = xcalloc((size_t)g->n_tensors + 1, sizeof *e->blob_offset);
    e->weight_used = xcalloc((size_t)g->n_tensors + 1, sizeof *e->weight_used);
    e->param_used = xcalloc((size_t)g->n_tensors + 1, sizeof *e->param_used);
    e->timed = xcalloc((size_t)g->n_nodes + 1, sizeof *e->timed);
    name_params(e);
    return e;
}

static void emitter_free(Emitter *e)
{
    for (int i = 0; i < e->g->n_tensors; i++) {
        free(e->ptr[i]);
        free(e->param[i]);
    }
    free(e->ptr);
    free(e->owner);
    free(e->owner_off);
    free(e->chain);
    free(e->param);
    free(e->blob_offset);
    free(e->weight_used);
    free(e->param_used);
    free(e->timed);
    for (int i = 0; i < e->n_owned; i++)
        free(e->owned[i]);
    free(e->owned);
    str_free(&e->arrays);
    for (int i = 0; i < e->n_arrays; i++)
        free(e->array_names[i]);
    free(e->array_names);
    free(e);
}

bool codegen_c(const Graph *g, const CodegenOptions *opt, CodegenOutput *out, Diag *d)
{
    if (!is_c_ident(opt->name))
        return diag_error(d, "'%s' is not a valid C name for the model", opt->name);
    Emitter *e = emitter_new(g, opt);
    Str body = {0};
    e->body = &body;
    e->blob = &out->weights;
    /* The body first: it decides which constants are read. */
    bool ok = emit_nodes(e, d);
    emit_output_copies(e);

    emit_prologue(e, &out->c);
    emit_weights(e, &out->c);
    if (e->arrays.len)
        str_putf(&out->c, "%s\n", e->arrays.buf);
    emit_storage(e, &out->c);
    if (opt->profile)
        profile_emit_support(&out->c, opt->name, e->timed, e->n_timed);
    if (g->threads > 1)
        threads_emit_support(&out->c, opt->name, g->threads);
    emit_run_functions(e, &out->c, &body);
    emit_header(e, &out->h, out->weights.len);
    if (opt->weights == WEIGHTS_INCBIN)
        weights_emit_incbin(&out->incbin, opt->name);

    str_free(&body);
    emitter_free(e);
    return ok;
}

void codegen_output_free(CodegenOutput *out)
{
    str_free(&out->c);
    str_free(&out->h);
    str_free(&out->weights);
    str_free(&out->incbin);
}
