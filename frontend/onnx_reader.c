/*
 * onnx_reader.c - ModelProto to Graph.
 *
 * The reader checks what later stages take for granted: one ai.onnx opset,
 * typed run-time inputs, every tensor name defined exactly once
 * and every node input defined somewhere.  It keeps going after an error so
 * that one run reports all the problems of a model, then returns NULL.
 *
 * Nodes are kept in file order; the topological sort is ir/infer.c's job,
 * so node inputs are resolved only after every node's outputs are known.
 */
#include "frontend/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* What the reader carries while building one graph: the main graph or a
 * subgraph (an If branch, a Loop body), which may read the names of every
 * enclosing graph. */
typedef struct Reader {
    const Onnx__ModelProto *model;
    const Onnx__GraphProto *gp; /* the graph being read */
    Graph *g;
    const char *dir;
    Diag *d;
    struct Reader *outer;       /* the enclosing graph's reader; NULL: main graph */
    const char *scope;          /* a subgraph's path in messages ("loop/body") */
    int depth;                  /* subgraphs it is nested in; 0: main graph */
} Reader;

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

static bool is_onnx_domain(const char *domain)
{
    return !domain || !*domain || strcmp(domain, "ai.onnx") == 0;
}

/* The model's opset version for `domain`, or -1 when it is not imported. */
static int64_t imported_opset(const Onnx__ModelProto *m, const char *domain)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *dom = m->opset_import[i]->domain;
        bool same = is_onnx_domain(domain) ? is_onnx_domain(dom)
                                           : strcmp(domain, str_or_empty(dom)) == 0;
        if (same)
            return m->opset_import[i]->version;
    }
    return -1;
}

static bool read_opset(Reader *r)
{
    /* Each node of a custom domain searches the list. */
    if (r->model->n_opset_import > MAX_OPSET_IMPORTS)
        return diag_error(r->d, "model imports %zu opsets; at most %d are supported",
                          r->model->n_opset_import, MAX_OPSET_IMPORTS);
    int64_t v = imported_opset(r->model, "");
    if (v == -1)
        return diag_error(r->d, "model imports no ai.onnx opset (opset_import has no entry for "
                          "the default domain)");
    if (v < 1 || v > INT_MAX)
        return diag_error(r->d, "model imports an invalid ai.onnx opset version %lld",
                          (long long)v);
    r->g->opset = (int)v;
    return true;
}

/* The tensor `name` denotes in r's graph: its own, or, in a subgraph, a
 * stand-in capturing the enclosing graphs' tensor of that name (made on
 * first use, in every graph in between).  NULL when it is undefined. */
static Tensor *resolve_name(Reader *r, const char *name)
{
    Tensor *t = graph_find_tensor(r->g, name);
    if (t || !r->outer)
        return t;
    Tensor *outer = resolve_name(r->outer, name);
    if (!outer)
        return NULL;
    t = graph_add_tensor(r->g, name);
    graph_add_capture(r->g, t, outer);
    return t;
}

/* "graph input 'x'", or in a subgraph "input 'x' of 'loop/body'". */
static void describe_value(Str *s, const Reader *r, const char *what, const char *name)
{
    if (r->outer)
        str_putf(s, "%s '%s' of '%s'", what, name, r->scope);
    else
        str_putf(s, "graph %s '%s'", what, name);
}

/* "initializer 'w'", "graph input 'x'", "node 'conv1' (Conv)": how
 * messages name whatever already defines tensor t. */
static void describe_definer(Str *s, const Tensor *t)
{
    if (t->producer)
        str_putf(s, "node '%s' (%s)", t->producer->name, t->producer->op_type);
    else if (t->is_input)
        str_putf(s, "graph input '%s'", t->name);
    else
        str_putf(s, "an initializer");
}

/* Creates tensor `name` for a new definition by `by`, or reports a
 * duplicate (or empty) name and returns NULL. */
static Tensor *define_tensor(Reader *r, const char *name, const char *by)
{
    if (!*name) {
        diag_error(r->d, "%s defines a tensor with an empty name", by);
        return NULL;
    }
    Tensor *old = graph_find_tensor(r->g, name);
    if (old) {
        Str first = {0};
        describe_definer(&first, old);
        diag_error(r->d, "tensor '%s' is defined twice: by %s and by %s", name, first.buf, by);
        str_free(&first);
        return NULL;
    }
    Tensor *t = graph_add_tensor(r->g, name);
    return t;
}

static void read_initializers(Reader *r)
{
    const Onnx__GraphProto *gp = r->gp;
    if (gp->n_sparse_initializer > 0)
        diag_error(r->d, "sparse initializers are not supported (%zu found)",
                   gp->n_sparse_initializer);
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        const char *name = str_or_empty(tp->name);
        Str what = {0};
        str_putf(&what, "initializer '%s'", name);
        /* A tensor whose data fails to load is still defined, so that its
         * users do not add "undefined tensor" noise to the real error. */
        Tensor *t = define_tensor(r, name, what.buf);
        if (t)
            fe_tensor_from_proto(t, tp, r->dir, what.buf, r->d);
        str_free(&what);
    }
}

static bool is_named_param(const Onnx__TensorShapeProto__Dimension *dim)
{
    return dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
           dim->dim_param && *dim->dim_param;
}

/* The dim_param names of sp's dims, NULL where a dim has none: one
 * block, the pointers then the strings (Tensor.dim_params). */
static char **declared_dim_names(const Onnx__TensorShapeProto *sp)
{
    size_t bytes = sp->n_dim * sizeof(char *);
    for (size_t i = 0; i < sp->n_dim; i++)
        if (is_named_param(sp->dim[i]))
            bytes += strlen(sp->dim[i]->dim_param) + 1;
    char **names = xcalloc(1, bytes);
    char *text = (char *)(names + sp->n_dim);
    for (size_t i = 0; i < sp->n_dim; i++)
        if (is_named_param(sp->dim[i])) {
            names[i] = strcpy(text, sp->dim[i]->dim_param);
            text += strlen(text) + 1;
        }
    return names;
}

/* The dims sp declares into *s, -1 where a dim is symbolic or missing
 * (*unknown counts those), after checking the rest: the rank, no
 * negative dim, their product within MAX_ELEMENTS. */
static bool read_declared_shape(const Onnx__TensorShapeProto *sp, Shape *s, size_t *unknown,
                                const char *what, Diag *d)
{
    /* Dims that are not values stand as 1 while the others are checked. */
    int64_t *dims = xcalloc(sp->n_dim + 1, sizeof *dims);
    *unknown = 0;
    for (size_t i = 0; i < sp->n_dim; i++) {
        bool value = sp->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[i] = value ? sp->dim[i]->dim_value : 1;
        *unknown += !value;
    }
    bool ok = fe_make_shape(dims, sp->n_dim, s, what, d);
    free(dims);
    for (size_t i = 0; ok && i < sp->n_dim; i++)
        if (sp->dim[i]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            s->dim[i] = -1;
    return ok;
}

/* A tensor type's element type and dims into t.  `strict` (the main
 * graph's run-time inputs): the element type must be given, and the
 * declared dims are kept even when some are symbolic ("N") or missing
 * (-1 in t->shape, names in t->dim_params), for the compiling commands
 * to fix (--shape, --bind; input_fix_shape).  Otherwise (subgraph
 * values, sequence elements) what is missing is left to inference: the
 * shape is kept only when every dim is given. */
static bool read_tensor_type(Tensor *t, const Onnx__TypeProto__Tensor *tt, bool strict,
                             const char *what, Diag *d)
{
    if (strict || tt->elem_type != DT_UNDEFINED) {
        if (!fe_check_dtype(tt->elem_type, what, d))
            return false;
        t->dtype = (DType)tt->elem_type;
    }
    Shape s;
    size_t unknown;
    if (!tt->shape)
        return true;
    if (!read_declared_shape(tt->shape, &s, &unknown, what, d))
        return false;
    if (unknown && !strict)
        return true;
    t->shape = s;
    t->shape_known = !unknown;
    if (unknown)
        t->dim_params = declared_dim_names(tt->shape);
    return true;
}

/* The tensor type of a sequence's or optional's elements, or NULL. */
static const Onnx__TypeProto__Tensor *element_tensor_type(const Onnx__TypeProto *elem)
{
    return elem && elem->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ? elem->tensor_type
                                                                          : NULL;
}

/* A value's kind, element type and shape from its ValueInfo's type; see
 * read_tensor_type for `strict`.  A sequence's or optional's element
 * shape is kept when fully given. */
static bool read_value_type(Tensor *t, const Onnx__TypeProto *tp, bool strict, const char *what,
                            Diag *d)
{
    const Onnx__TypeProto__Tensor *elem;
    const Onnx__TypeProto *inner;
    switch (tp ? tp->value_case : ONNX__TYPE_PROTO__VALUE__NOT_SET) {
    case ONNX__TYPE_PROTO__VALUE__NOT_SET:
        return !strict || diag_error(d, "%s is not a tensor (it has no type)", what);
    case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
        t->kind = KIND_TENSOR;
        return !tp->tensor_type ? !strict || diag_error(d, "%s has no tensor type", what)
                                : read_tensor_type(t, tp->tensor_type, strict, what, d);
    case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
        elem = element_tensor_type(tp->sequence_type ? tp->sequence_type->elem_type : NULL);
        if (!elem)
            return diag_error(d, "%s is a sequence whose elements are not tensors; only "
                              "sequences of tensors are supported", what);
        t->kind = KIND_SEQUENCE;
        return read_tensor_type(t, elem, false, what, d);
    case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE:
        /* An optional sequence is typed by the sequence's elements. */
        inner = tp->optional_type ? tp->optional_type->elem_type : NULL;
        if (inner && inner->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE)
            inner = inner->sequence_type ? inner->sequence_type->elem_type : NULL;
        elem = element_tensor_type(inner);
        if (!elem)
            return diag_error(d, "%s is an optional whose element is not a tensor or a "
                              "sequence of tensors; only those are supported", what);
        t->kind = KIND_OPTIONAL;
        return read_tensor_type(t, elem, false, what, d);
    default:
        return diag_error(d, "%s is not a tensor, sequence or optional (maps and sparse tensors "
                          "are not supported)", what);
    }
}

/* The main graph's inputs are what the caller supplies at run time; a
 * subgraph's are the values its node passes in (inference gives their
 * shapes when the model does not). */
static void read_inputs(Reader *r)
{
    const Onnx__GraphProto *gp = r->gp;
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = str_or_empty(gp->input[i]->name);
        /* Older exporters list initializers among the inputs too; they
         * are constants, not values the caller supplies.  (Initializers
         * are read first, and nothing else is defined yet.) */
        const Tensor *old = graph_find_tensor(r->g, name);
        if (old && !old->is_input)
            continue;
        Str what = {0};
        describe_value(&what, r, "input", name);
        Tensor *t = define_tensor(r, name, what.buf);
        if (t) {
            read_value_type(t, gp->input[i]->type, !r->outer, what.buf, r->d);
            t->is_input = true;
            graph_add_input(r->g, t);
        }
        str_free(&what);
    }
}

/* A NUL-terminated copy of protobuf bytes. */
static char *dup_bytes(ProtobufCBinaryData b)
{
    char *s = xmalloc(b.len + 1);
    if (b.len)
        memcpy(s, b.data, b.len);
    s[b.len] = '\0';
    return s;
}

/* Sets a list attribute's count, refusing lists an int cannot count. */
static bool set_count(Attr *a, size_t n, const char *label, Diag *d)
{
    if (n > INT_MAX)
        return diag_error(d, "%s: attribute '%s' has too many values (%zu)", label, a->name, n);
    a->n = (int)n;
    return true;
}

static bool read_tensor_attr(Attr *a, const Onnx__AttributeProto *ap, const char *label,
                             const char *dir, Diag *d)
{
    if (!ap->t)
        return diag_error(d, "%s: tensor attribute '%s' holds no tensor", label, a->name);
    Str what = {0};
    str_putf(&what, "%s: attribute '%s'", label, a->name);
    a->tensor = fe_tensor_new(ap->t->name && *ap->t->name ? ap->t->name : a->name);
    bool ok = fe_tensor_from_proto(a->tensor, ap->t, dir, what.buf, d);
    str_free(&what);
    return ok;
}

static void read_graph(Reader *r);

/* Reads a subgraph attribute.  Its free names resolve in the enclosing
 * graphs, all of whose names are defined by now (see read_nodes). */
static bool read_graph_attr(Reader *r, Node *n, const Onnx__AttributeProto *ap, const char *label)
{
    const char *name = str_or_empty(ap->name);
    if (!ap->g)
        return diag_error(r->d, "%s: attribute '%s' holds a subgraph, but the graph is missing",
                          label, name);
    if (r->depth == MAX_SUBGRAPH_DEPTH)
        return diag_error(r->d, "%s: attribute '%s' holds a subgraph nested %d deep; at most %d "
                          "levels are supported", label, name, r->depth + 1, MAX_SUBGRAPH_DEPTH);
    Str scope = {0};
    str_putf(&scope, "%s%s%s/%s", r->outer ? r->scope : "", r->outer ? "/" : "", n->name, name);
    Reader sub = {r->model, ap->g, graph_new(name), r->dir, r->d, r, scope.buf, r->depth + 1};
    sub.g->opset = r->g->opset;
    int errors = r->d->count;
    read_graph(&sub);
    node_add_attr(n, name, ATTR_GRAPH)->graph = sub.g;
    str_free(&scope);
    return r->d->count == errors;
}

/* Converts one AttributeProto; `label` names the node in messages. */
static bool read_attr(Reader *r, Node *n, const Onnx__AttributeProto *ap, const char *label)
{
    const char *name = str_or_empty(ap->name);
    if (!*name)
        return diag_error(r->d, "%s: attribute without a name", label);
    if (node_attr(n, name))
        return diag_error(r->d, "%s: attribute '%s' is given twice", label, name);
    Attr *a;
    switch (ap->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        node_add_attr(n, name, ATTR_FLOAT)->f = ap->f;
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        node_add_attr(n, name, ATTR_INT)->i = ap->i;
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        node_add_attr(n, name, ATTR_STRING)->s = dup_bytes(ap->s);
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        a = node_add_attr(n, name, ATTR_TENSOR);
        return read_tensor_attr(a, ap, label, r->dir, r->d);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        a = node_add_attr(n, name, ATTR_FLOATS);
        if (!set_count(a, ap->n_floats, label, r->d))
            return false;
        a->floats = xmalloc(ap->n_floats * sizeof *a->floats);
        for (size_t i = 0; i < ap->n_floats; i++)
            a->floats[i] = ap->floats[i];
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        a = node_add_attr(n, name, ATTR_INTS);
        if (!set_count(a, ap->n_ints, label, r->d))
            return false;
        a->ints = xmalloc(ap->n_ints * sizeof *a->ints);
        for (size_t i = 0; i < ap->n_ints; i++)
            a->ints[i] = ap->ints[i];
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
        a = node_add_attr(n, name, ATTR_STRINGS);
        if (!set_count(a, ap->n_strings, label, r->d))
            return false;
        a->strings = xmalloc(ap->n_strings * sizeof *a->strings);
        for (size_t i = 0; i < ap->n_strings; i++)
            a->strings[i] = dup_bytes(ap->strings[i]);
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
        return read_graph_attr(r, n, ap, label);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
        return diag_error(r->d, "%s: attribute '%s' holds a list of subgraphs; no supported op "
                          "takes one", label, name);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO:
        /* Only Optional's `type` is one: the element type of an empty
         * optional, which nothing the compiler makes depends on, so only
         * its presence is kept (for the schema check). */
        node_add_attr(n, name, ATTR_TYPE_PROTO);
        return true;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED:
        return diag_error(r->d, "%s: attribute '%s' has no type", label, name);
    default:
        return diag_error(r->d, "%s: attribute '%s' has the unsupported type %d", label, name,
                          (int)ap->type);
    }
}

/* "node 'add' (Add)", or in a subgraph "node 'loop/body/add' (Add)";
 * with an opset above 0, "node 'add' (Add, opset 13)". */
static void node_label(Str *s, const Reader *r, const char *name, const char *op_type, int opset)
{
    str_putf(s, "node '%s%s%s' (%s", r->outer ? r->scope : "", r->outer ? "/" : "", name,
             op_type);
    if (opset > 0)
        str_putf(s, ", opset %d", opset);
    str_puts(s, ")");
}

/* Creates the node for np and defines its outputs.
 * An empty output name is an omitted optional output: trailing ones are
 * dropped, others stay NULL until connect_node gives them a placeholder. */
static void create_node(Reader *r, const Onnx__NodeProto *np, size_t index)
{
    const char *op_type = str_or_empty(np->op_type);
    const char *given = str_or_empty(np->name);
    /* Messages and later stages need a name; unnamed nodes get one that
     * cannot be mistaken for an exported name. */
    Str name = {0};
    if (*given)
        str_puts(&name, given);
    else
        str_putf(&name, "%s#%zu", *op_type ? op_type : "node", index);
    Str label = {0};
    node_label(&label, r, name.buf, op_type, 0);

    Node *n = graph_add_node(r->g, name.buf, op_type);
    if (!*op_type)
        diag_error(r->d, "%s has no op_type", label.buf);
    if (!is_onnx_domain(np->domain)) {
        free(n->domain);
        n->domain = xstrdup(np->domain);
        int64_t v = imported_opset(r->model, np->domain);
        if (v < 1 || v > INT_MAX)
            diag_error(r->d, "%s uses domain '%s', which the model does not import with a valid "
                       "version", label.buf, np->domain);
        n->opset = v < 1 || v > INT_MAX ? 0 : (int)v;
    }

    size_t n_out = np->n_output;
    while (n_out > 0 && !*str_or_empty(np->output[n_out - 1]))
        n_out--;
    for (size_t i = 0; i < n_out; i++) {
        const char *out = str_or_empty(np->output[i]);
        node_add_output(n, *out ? define_tensor(r, out, label.buf) : NULL);
    }
    str_free(&label);
    str_free(&name);
}

/* Reads np's attributes into n (subgraphs too: every name they may
 * capture is defined by now) and, when all could be read, checks them
 * against the op's schema, naming the node "node 'add' (Add, opset 13)". */
static void read_attrs(Reader *r, Node *n, const Onnx__NodeProto *np, const char *label)
{
    /* Each attribute is checked against the earlier ones for duplicates. */
    if (np->n_attribute > MAX_ATTRIBUTES) {
        diag_error(r->d, "%s has %zu attributes; at most %d are supported", label,
                   np->n_attribute, MAX_ATTRIBUTES);
        return;
    }
    bool all_read = true;
    for (size_t i = 0; i < np->n_attribute; i++)
        all_read = read_attr(r, n, np->attribute[i], label) && all_read;
    if (!all_read)
        return;
    Str with_opset = {0};
    node_label(&with_opset, r, n->name, n->op_type, n->opset);
    node_check_attrs(n, with_opset.buf, r->d);
    str_free(&with_opset);
}

/* Resolves n's inputs by name and reads its attributes; run once every
 * tensor of this graph and the enclosing ones is defined. */
static void connect_node(Reader *r, Node *n, const Onnx__NodeProto *np)
{
    Str label = {0};
    node_label(&label, r, n->name, n->op_type, 0);
    for (size_t i = 0; i < np->n_input; i++) {
        const char *in = str_or_empty(np->input[i]);
        Tensor *t = *in ? resolve_name(r, in) : NULL;
        if (*in && !t)
            diag_error(r->d, "%s: input '%s' is not defined (not a graph input, initializer "
                       "or node output)", label.buf, in);
        node_add_input(n, t);
    }
    read_attrs(r, n, np, label.buf);
    str_free(&label);
    /* Placeholders for omitted outputs in the middle of the list, so that
     * ops can always set every output's shape.  Created only now so their
     * made-up names cannot clash with names defined later in the file. */
    for (int i = 0; i < n->n_out; i++) {
        if (n->out[i])
            continue;
        Str name = {0};
        str_putf(&name, "%s_unused%d", n->name, i);
        for (int k = 1; graph_find_tensor(r->g, name.buf); k++) {
            str_free(&name);
            str_putf(&name, "%s_unused%d_%d", n->name, i, k);
        }
        n->out[i] = graph_add_tensor(r->g, name.buf);
        n->out[i]->producer = n;
        str_free(&name);
    }
}

static void read_nodes(Reader *r)
{
    const Onnx__GraphProto *gp = r->gp;
    if (gp->n_node > MAX_NODES) {
        diag_error(r->d, "%s has %zu nodes; at most %d are supported",
                   r->outer ? r->scope : "the graph", gp->n_node, MAX_NODES);
        return;
    }
    int first = r->g->n_nodes;
    for (size_t i = 0; i < gp->n_node; i++)
        create_node(r, gp->node[i], i);
    for (size_t i = 0; i < gp->n_node; i++)
        connect_node(r, r->g->nodes[first + (int)i], gp->node[i]);
}

/* The type the model declares for t where it does not define it (a
 * graph output, a value_info entry).  Its dims must be valid; in the
 * main graph, for a value a node produces, they are kept
 * (Tensor.declared, names in dim_params) for graph_infer to check, and
 * an output's element type for `sinter info` to show until inference.
 * The first declaration of a value counts. */
static void read_declared(Reader *r, Tensor *t, const Onnx__TypeProto__Tensor *tt,
                          const char *what)
{
    Shape s;
    size_t unknown = 0;
    if (tt->shape && !read_declared_shape(tt->shape, &s, &unknown, what, r->d))
        return;
    if (r->outer || !t || !t->producer || t->declared)
        return;
    if (t->is_output && dtype_size((DType)tt->elem_type))
        t->dtype = (DType)tt->elem_type;
    if (!tt->shape)
        return;
    t->declared = xmalloc(sizeof *t->declared);
    *t->declared = s;
    if (unknown)
        t->dim_params = declared_dim_names(tt->shape);
}

/* A graph output's declared type: a sequence or optional is told from a
 * tensor here, which matters before inference. */
static void read_output_type(Reader *r, Tensor *t, const Onnx__ValueInfoProto *vi)
{
    const Onnx__TypeProto *tp = vi->type;
    Str what = {0};
    describe_value(&what, r, "output", t->name);
    if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type)
        read_declared(r, t, tp->tensor_type, what.buf);
    else if (tp && t->producer && tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        read_value_type(t, tp, false, what.buf, r->d);
    str_free(&what);
}

static void read_outputs(Reader *r)
{
    const Onnx__GraphProto *gp = r->gp;
    Graph *g = r->g;
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = str_or_empty(gp->output[i]->name);
        Tensor *t = resolve_name(r, name);
        Str what = {0};
        describe_value(&what, r, "output", name);
        if (!t)
            diag_error(r->d, "%s is not defined (not produced by any node, initializer or "
                       "input)", what.buf);
        /* A subgraph may list a value twice (a Loop body's carried value
         * and scan output); the main graph's outputs are distinct. */
        else if (t->is_output && !r->outer)
            diag_error(r->d, "%s is listed twice", what.buf);
        str_free(&what);
        if (!t || (t->is_output && !r->outer))
            continue;
        t->is_output = !r->outer;
        read_output_type(r, t, gp->output[i]);
        graph_add_output(g, t);
    }
    if (gp->n_output == 0)
        diag_error(r->d, "%s has no outputs", r->outer ? r->scope : "the graph");
}

/* value_info: the types of values the graph defines, as a shape
 * inference tool found them.  Tensor types only; names the graph does
 * not define are left alone, as ONNX's checker does. */
static void read_value_infos(Reader *r)
{
    for (size_t i = 0; i < r->gp->n_value_info; i++) {
        const Onnx__ValueInfoProto *vi = r->gp->value_info[i];
        const Onnx__TypeProto *tp = vi->type;
        if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
            continue;
        const char *name = str_or_empty(vi->name);
        Str what = {0};
        describe_value(&what, r, "value_info", name);
        read_declared(r, graph_find_tensor(r->g, name), tp->tensor_type, what.buf);
        str_free(&what);
    }
}

/* Reads r->gp's values and nodes into r->g. */
static void read_graph(Reader *r)
{
    read_initializers(r);
    read_inputs(r);
    read_nodes(r);
    read_outputs(r);
    read_value_infos(r);
}

/* Builds the graph of an unpacked model, or NULL after reporting every
 * problem found. */
static Graph *build_graph(const Onnx__ModelProto *m, const char *dir, Diag *d)
{
    if (!m->graph) {
        diag_error(d, "the model has no graph");
        return NULL;
    }
    const char *name = str_or_empty(m->graph->name);
    Reader r = {m, m->graph, graph_new(*name ? name : "model"), dir, d, NULL, "", 0};
    r.g->dir = dir ? xstrdup(dir) : NULL;
    int errors = d->count;
    read_opset(&r);
    read_graph(&r);
    if (d->count > errors) {
        graph_free(r.g);
        return NULL;
    }
    return r.g;
}

/* protobuf-c unpacks nested messages recursively, so a small file of
 * subgraphs nested in subgraphs would overflow the stack; and each empty
 * message, two bytes on the wire, becomes a struct of up to a few
 * hundred bytes, so a modest file could demand gigabytes.  Both are
 * checked on the wire before unpacking (MAX_MESSAGE_NESTING,
 * MAX_MESSAGE_BYTES). */

static bool read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t byte = p[(*pos)++];
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Walks the message of type `desc` in p[len] with the schema, adding the
 * memory its unpacked structs take to *bytes.  False when it nests deeper
 * than MAX_MESSAGE_NESTING or *bytes passes MAX_MESSAGE_BYTES.  Wire data that is
 * malformed otherwise passes here, for the unpacker to refuse. */
static bool wire_within_limits(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
                               size_t len, int depth, uint64_t *bytes)
{
    *bytes += desc->sizeof_message + sizeof(void *);
    if (depth > MAX_MESSAGE_NESTING || *bytes > (uint64_t)MAX_MESSAGE_BYTES)
        return false;
    size_t pos = 0;
    uint64_t tag, n;
    while (pos < len && read_varint(p, len, &pos, &tag)) {
        switch (tag & 7) {
        case 0: /* varint */
            if (!read_varint(p, len, &pos, &n))
                return true;
            continue;
        case 1: /* 64-bit */
            n = 8;
            break;
        case 5: /* 32-bit */
            n = 4;
            break;
        case 2: { /* length-delimited: bytes, string or a message */
            if (!read_varint(p, len, &pos, &n) || n > len - pos)
                return true;
            uint64_t field = tag >> 3;
            const ProtobufCFieldDescriptor *f =
                field <= UINT_MAX ? protobuf_c_message_descriptor_get_field(desc, (unsigned)field)
                                  : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                !wire_within_limits(f->descriptor, p + pos, (size_t)n, depth + 1, bytes))
                return false;
            break;
        }
        default:
            return true;
        }
        if (n > len - pos)
            return true;
        pos += (size_t)n;
    }
    return true;
}

static Onnx__ModelProto *unpack_model(const uint8_t *buf, size_t len, const char *source,
                                      Diag *d)
{
    uint64_t bytes = 0;
    if (!wire_within_limits(&onnx__model_proto__descriptor, buf, len, 0, &bytes)) {
        if (bytes > (uint64_t)MAX_MESSAGE_BYTES)
            diag_error(d, "%s holds too many protobuf messages (over %llu MiB once unpacked); "
                       "refused", source, (unsigned long long)(MAX_MESSAGE_BYTES >> 20));
        else
            diag_error(d, "%s nests messages more than %d levels deep (subgraphs within "
                       "subgraphs); refused", source, MAX_MESSAGE_NESTING);
        return NULL;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        diag_error(d, "%s is not a valid ONNX model (protobuf parse failed: truncated or "
                   "malformed data)", source);
    return m;
}

Graph *onnx_load_buffer(const uint8_t *buf, size_t len, const char *dir, Diag *d)
{
    Onnx__ModelProto *m = unpack_model(buf, len, "the buffer", d);
    if (!m)
        return NULL;
    Graph *g = build_graph(m, dir, d);
    onnx__model_proto__free_unpacked(m, NULL);
    return g;
}

Graph *onnx_load_file(const char *path, Diag *d)
{
    uint8_t *buf;
    size_t len;
    if (!fe_read_file(path, &buf, &len, d))
        return NULL;
    Str source = {0};
    str_putf(&source, "'%s'", path);
    Onnx__ModelProto *m = unpack_model(buf, len, source.buf, d);
    str_free(&source);
    /* The file's bytes are copied into the unpacked message; free them
     * before building the graph makes a third copy of the weights. */
    free(buf);
    if (!m)
        return NULL;
    char *dir = fe_dirname(path);
    Graph *g = build_graph(m, dir, d);
    free(dir);
    onnx__model_proto__free_unpacked(m, NULL);
    return g;
}

/* ------------------------------------------------------------------ */
/* Input shapes fixed at compile time                                  */
/* ------------------------------------------------------------------ */

const char *declared_shape_str(const Tensor *t, char *buf, size_t size)
{
    if (t->shape_known)
        return shape_str(&t->shape, buf, size);
    if (!t->declared && !t->dim_params) {
        snprintf(buf, size, "(no shape)");
        return buf;
    }
    return shape_str_named(t->declared ? t->declared : &t->shape, t->dim_params, buf, size);
}

static bool not_dims(const char *text, const char *source, Diag *d)
{
    return diag_error(d, "%s: '%s' is not a list of dims D0,D1,... (integers >= 0)", source,
                      text);
}

bool shape_parse(const char *text, Shape *s, const char *source, Diag *d)
{
    *s = (Shape){0};
    for (const char *p = text; *p;) {
        /* strtoll alone would take signs and leading blanks. */
        if (*p < '0' || *p > '9')
            return not_dims(text, source, d);
        char *end;
        long long v = strtoll(p, &end, 10);
        if (*end != '\0' && (*end != ',' || !end[1]))
            return not_dims(text, source, d);
        if (s->rank == MAX_RANK)
            return diag_error(d, "%s: more than %d dims", source, MAX_RANK);
        s->dim[s->rank++] = v;
        /* A huge dim beside a 0 would pass the element count. */
        if (v > MAX_ELEMENTS || shape_numel(s) < 0)
            return diag_error(d, "%s: too many elements (the limit is %lld)", source,
                              (long long)MAX_ELEMENTS);
        p = *end ? end + 1 : end;
    }
    return true;
}

/* Where a dim_param already has a value: an input and axis. */
typedef struct {
    const Tensor *input;
    int axis;
    int64_t value;
} SymbolValue;

/* The value of symbolic dim `name` that t's shape s must agree with:
 * that of an earlier axis of s named so, or of a main-graph input whose
 * shape is fixed (bound inputs included: they are no longer inputs, but
 * their dims still count).  False when nothing has fixed it yet. */
static bool symbol_value(const Graph *g, const Tensor *t, const Shape *s, const char *name,
                         int before, SymbolValue *out)
{
    for (int i = 0; i < before; i++)
        if (t->dim_params[i] && strcmp(t->dim_params[i], name) == 0) {
            *out = (SymbolValue){t, i, s->dim[i]};
            return true;
        }
    for (int k = 0; k < g->n_tensors; k++) {
        const Tensor *u = g->tensors[k];
        /* Inputs only: an output's declared dims (which have a producer)
         * are a hint for `sinter info`, not a constraint. */
        if (u == t || !u->dim_params || !u->shape_known || u->producer)
            continue;
        for (int i = 0; i < u->shape.rank; i++)
            if (u->dim_params[i] && strcmp(u->dim_params[i], name) == 0) {
                *out = (SymbolValue){u, i, u->shape.dim[i]};
                return true;
            }
    }
    return false;
}

/* Checks s against t's declared rank, static dims and symbolic dims. */
static bool agrees_with_declared(const Graph *g, const Tensor *t, const Shape *s,
                                 const char *source, Diag *d)
{
    char declared[200];
    declared_shape_str(t, declared, sizeof declared);
    if (s->rank != t->shape.rank)
        return diag_error(d, "%s: input '%s' is declared %s, of rank %d, not %d", source, t->name,
                          declared, t->shape.rank, s->rank);
    for (int i = 0; i < s->rank; i++) {
        SymbolValue sv;
        if (t->shape.dim[i] >= 0 && t->shape.dim[i] != s->dim[i])
            return diag_error(d, "%s: input '%s' is declared %s: axis %d is %lld, not %lld",
                              source, t->name, declared, i, (long long)t->shape.dim[i],
                              (long long)s->dim[i]);
        if (t->dim_params[i] && symbol_value(g, t, s, t->dim_params[i], i, &sv) &&
            sv.value != s->dim[i])
            return diag_error(d, "%s: dimension '%s' would be %lld at axis %d of input '%s', "
                              "but it is %lld at axis %d of input '%s'", source, t->dim_params[i],
                              (long long)s->dim[i], i, t->name, (long long)sv.value, sv.axis,
                              sv.input->name);
    }
    return true;
}

bool input_fix_shape(const Graph *g, Tensor *t, const Shape *s, const char *source, Diag *d)
{
    char now[200], want[200];
    if (t->shape_known) {
        if (shape_equal(&t->shape, s))
            return true;
        return diag_error(d, "%s: input '%s' has the shape %s, not %s", source, t->name,
                          shape_str(&t->shape, now, sizeof now), shape_str(s, want, sizeof want));
    }
    if (t->dim_params && !agrees_with_declared(g, t, s, source, d))
        return false;
    t->shape = *s;
    t->shape_known = true;
    return true;
}

bool input_shape_required(const Tensor *t, Diag *d)
{
    char shape[200];
    if (t->shape_known)
        return true;
    return diag_error(d, "the shape of graph input '%s', %s, must be known at compile time: "
                      "give it with --shape %s=D0,D1,... or --bind %s=FILE", t->name,
                      declared_shape_str(t, shape, sizeof shape), t->name, t->name);
}
