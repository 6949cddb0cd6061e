/*
 * frontend_fixtures.h - builds small ONNX models in memory for the frontend
 * tests (test_frontend.c, test_malformed.c), so no binary fixture has to
 * be committed.
 *
 * A Builder owns every message and string it hands out; mb_free releases
 * them all.  Repeated fields have a fixed capacity, plenty for tests.
 * Typical use:
 *
 *     Builder *b = mb_new(13);
 *     mb_input(b, "x", DT_FLOAT, 2, (int64_t[]){1, 4});
 *     mb_node(b, "Relu", "relu", "x", "y");
 *     mb_output(b, "y");
 *     Graph *g = mb_load(b, NULL, &diag);
 *
 * Functions are static inline so a test file may use only some of them.
 * Test files define _XOPEN_SOURCE 700 (mkdtemp, nftw) before including it.
 */
#ifndef SINTER_TESTS_FRONTEND_FIXTURES_H
#define SINTER_TESTS_FRONTEND_FIXTURES_H

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/frontend.h"
#include "onnx.pb-c.h"

#define MB_CAP 32 /* capacity of every repeated field */

typedef struct {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    void **owned; /* everything allocated, freed by mb_free */
    size_t n_owned, cap_owned;
} Builder;

/* Zeroed memory that lives as long as the builder. */
static inline void *mb_alloc(Builder *b, size_t size)
{
    /* Doubling: models of a million nodes are built too. */
    if (b->n_owned == b->cap_owned) {
        b->cap_owned = b->cap_owned ? 2 * b->cap_owned : 64;
        b->owned = xrealloc(b->owned, b->cap_owned * sizeof *b->owned);
    }
    return b->owned[b->n_owned++] = xcalloc(1, size);
}

static inline char *mb_str(Builder *b, const char *s)
{
    return strcpy(mb_alloc(b, strlen(s) + 1), s);
}

/* A pointer array of MB_CAP entries for a repeated message field. */
static inline void *mb_list(Builder *b)
{
    return mb_alloc(b, MB_CAP * sizeof(void *));
}

/* Adds an opset_import entry. */
static inline void mb_opset(Builder *b, const char *domain, int64_t version)
{
    Onnx__OperatorSetIdProto *o = mb_alloc(b, sizeof *o);
    onnx__operator_set_id_proto__init(o);
    o->domain = mb_str(b, domain);
    o->has_version = 1;
    o->version = version;
    b->model.opset_import[b->model.n_opset_import++] = o;
}

/* A model importing ai.onnx at `opset` (0: no import at all). */
static inline Builder *mb_new(int64_t opset)
{
    Builder *b = xcalloc(1, sizeof *b);
    onnx__model_proto__init(&b->model);
    onnx__graph_proto__init(&b->graph);
    b->model.has_ir_version = 1;
    b->model.ir_version = 8;
    b->model.graph = &b->graph;
    b->model.opset_import = mb_list(b);
    b->graph.name = "test";
    b->graph.node = mb_list(b);
    b->graph.initializer = mb_list(b);
    b->graph.input = mb_list(b);
    b->graph.output = mb_list(b);
    if (opset)
        mb_opset(b, "", opset);
    return b;
}

/* An empty graph for a subgraph attribute (an If branch, a Loop body). */
static inline Onnx__GraphProto *mb_subgraph(Builder *b, const char *name)
{
    Onnx__GraphProto *gp = mb_alloc(b, sizeof *gp);
    onnx__graph_proto__init(gp);
    gp->name = mb_str(b, name);
    gp->node = mb_list(b);
    gp->initializer = mb_list(b);
    gp->input = mb_list(b);
    gp->output = mb_list(b);
    return gp;
}

/* A tensor type of `rank` dims; a negative dim becomes dim_param "N". */
static inline Onnx__TypeProto *mb_tensor_type(Builder *b, int32_t elem, int rank,
                                              const int64_t *dims)
{
    Onnx__TypeProto *tp = mb_alloc(b, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = mb_alloc(b, sizeof *tt);
    Onnx__TensorShapeProto *shape = mb_alloc(b, sizeof *shape);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(shape);
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = shape;
    shape->dim = mb_list(b);
    for (int i = 0; i < rank; i++) {
        Onnx__TensorShapeProto__Dimension *dim = mb_alloc(b, sizeof *dim);
        onnx__tensor_shape_proto__dimension__init(dim);
        if (dims[i] < 0) {
            dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dim->dim_param = "N";
        } else {
            dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dim->dim_value = dims[i];
        }
        shape->dim[shape->n_dim++] = dim;
    }
    return tp;
}

static inline Onnx__ValueInfoProto *mb_value_info(Builder *b, const char *name)
{
    Onnx__ValueInfoProto *vi = mb_alloc(b, sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = mb_str(b, name);
    return vi;
}

static inline Onnx__ValueInfoProto *mb_input(Builder *b, const char *name, int32_t elem, int rank,
                                             const int64_t *dims)
{
    Onnx__ValueInfoProto *vi = mb_value_info(b, name);
    vi->type = mb_tensor_type(b, elem, rank, dims);
    b->graph.input[b->graph.n_input++] = vi;
    return vi;
}

/* An output, untyped: set the returned ValueInfo's type to declare one. */
static inline Onnx__ValueInfoProto *mb_output(Builder *b, const char *name)
{
    Onnx__ValueInfoProto *vi = mb_value_info(b, name);
    b->graph.output[b->graph.n_output++] = vi;
    return vi;
}

/* Splits "a,,b" into {"a", "", "b"}; "" gives no names at all. */
static inline size_t mb_names(Builder *b, const char *list, char ***out)
{
    *out = mb_list(b);
    size_t n = 0;
    for (const char *p = list; *p || (n > 0 && p[-1] == ',');) {
        size_t len = strcspn(p, ",");
        char *name = mb_alloc(b, len + 1);
        memcpy(name, p, len);
        (*out)[n++] = name;
        p += len;
        if (*p == ',')
            p++;
        else
            break;
    }
    return n;
}

/* A node; inputs and outputs are comma-separated names. */
static inline Onnx__NodeProto *mb_node(Builder *b, const char *op, const char *name,
                                       const char *inputs, const char *outputs)
{
    Onnx__NodeProto *n = mb_alloc(b, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = mb_str(b, op);
    n->name = mb_str(b, name);
    n->n_input = mb_names(b, inputs, &n->input);
    n->n_output = mb_names(b, outputs, &n->output);
    n->attribute = mb_list(b);
    b->graph.node[b->graph.n_node++] = n;
    return n;
}

static inline Onnx__AttributeProto *mb_attr(Builder *b, Onnx__NodeProto *n, const char *name,
                                            Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *a = mb_alloc(b, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = mb_str(b, name);
    a->has_type = 1;
    a->type = type;
    n->attribute[n->n_attribute++] = a;
    return a;
}

/* A TensorProto with dims but no data yet. */
static inline Onnx__TensorProto *mb_tensor(Builder *b, const char *name, int32_t dtype, int rank,
                                           const int64_t *dims)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = mb_str(b, name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = (size_t)rank;
    t->dims = mb_alloc(b, (size_t)(rank ? rank : 1) * sizeof *t->dims);
    if (rank)
        memcpy(t->dims, dims, (size_t)rank * sizeof *t->dims);
    return t;
}

static inline void mb_raw(Builder *b, Onnx__TensorProto *t, const void *data, size_t n)
{
    t->has_raw_data = 1;
    t->raw_data.len = n;
    t->raw_data.data = memcpy(mb_alloc(b, n ? n : 1), data, n);
}

/* Points the tensor at external data: location plus optional offset and
 * length (NULL: key absent). */
static inline void mb_external(Builder *b, Onnx__TensorProto *t, const char *location,
                               const char *offset, const char *length)
{
    const char *keys[] = {"location", "offset", "length"};
    const char *values[] = {location, offset, length};
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    t->external_data = mb_list(b);
    for (int i = 0; i < 3; i++) {
        if (!values[i])
            continue;
        Onnx__StringStringEntryProto *e = mb_alloc(b, sizeof *e);
        onnx__string_string_entry_proto__init(e);
        e->key = mb_str(b, keys[i]);
        e->value = mb_str(b, values[i]);
        t->external_data[t->n_external_data++] = e;
    }
}

static inline void mb_initializer(Builder *b, Onnx__TensorProto *t)
{
    b->graph.initializer[b->graph.n_initializer++] = t;
}

/* The serialized model; the buffer lives as long as the builder. */
static inline uint8_t *mb_pack(Builder *b, size_t *len)
{
    *len = onnx__model_proto__get_packed_size(&b->model);
    uint8_t *buf = mb_alloc(b, *len ? *len : 1);
    onnx__model_proto__pack(&b->model, buf);
    return buf;
}

static inline Graph *mb_load(Builder *b, const char *dir, Diag *d)
{
    size_t len;
    uint8_t *buf = mb_pack(b, &len);
    return onnx_load_buffer(buf, len, dir, d);
}

static inline void mb_free(Builder *b)
{
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b);
}

/* True when some message of d contains `text`. */
static inline bool diag_has(const Diag *d, const char *text)
{
    return d->text.buf && strstr(d->text.buf, text);
}

/* Whether d holds `text` (trivially so when text is NULL); shows what it
 * holds instead when not. */
static inline bool diag_expect(const Diag *d, const char *text)
{
    if (!text || diag_has(d, text))
        return true;
    fprintf(stderr, "\nmissing \"%s\" in:\n%s", text, d->text.buf ? d->text.buf : "");
    return false;
}

/* ------------------------------------------------------------------ */
/* Scratch files                                                       */
/* ------------------------------------------------------------------ */

static inline bool write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* path of `name` inside `dir`, in buf[size]. */
static inline const char *join(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static inline int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Deletes a scratch folder and everything in it (symlinks not followed). */
static inline void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes a .npy file of format `major`.0 with the given header dict (padded
 * here as numpy pads it) followed by n bytes of data. */
static inline bool write_npy(const char *path, int major, const char *dict, const void *data,
                             size_t n)
{
    size_t prefix = major == 1 ? 10 : 12, hlen = strlen(dict) + 1;
    while ((prefix + hlen) % 64)
        hlen++;
    uint8_t *buf = xcalloc(1, prefix + hlen + n);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)major;
    for (size_t i = 0; i < prefix - 8; i++)
        buf[8 + i] = (uint8_t)(hlen >> (8 * i));
    memset(buf + prefix, ' ', hlen - 1);
    memcpy(buf + prefix, dict, strlen(dict));
    buf[prefix + hlen - 1] = '\n';
    if (n)
        memcpy(buf + prefix + hlen, data, n);
    bool ok = write_file(path, buf, prefix + hlen + n);
    free(buf);
    return ok;
}

#endif /* SINTER_TESTS_FRONTEND_FIXTURES_H */
