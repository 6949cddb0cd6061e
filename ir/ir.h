/*
 * ir.h - Sinter's intermediate representation, shared by every compiler stage.
 *
 * A Graph owns Tensors and Nodes.  Tensors carry a dtype and a static shape;
 * a tensor whose value is known at compile time (an initializer, a Constant
 * node, or the result of folding) owns its bytes in `data`.  Nodes refer to
 * tensors by pointer; an omitted optional input is NULL.
 *
 * Every op is described once, by an OpDesc in ir/ops/ (shape rule, folding,
 * FLOP count, code emission).  Stages never switch on op names: they call
 * through the node's OpDesc.
 *
 * Errors travel as values: functions that can fail return false and append a
 * message to a Diag, naming node, op and opset.  Nothing here calls exit().
 */
#ifndef SINTER_IR_H
#define SINTER_IR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ir/limits.h"

/* ------------------------------------------------------------------ */
/* Growable string buffer and diagnostics (ir/str.c, ir/diag.c)        */
/* ------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
} Str;

void str_putf(Str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_vputf(Str *s, const char *fmt, va_list ap);
void str_puts(Str *s, const char *text);
void str_putn(Str *s, const char *text, size_t n);
void str_free(Str *s);

/* A list of error messages; stages append, the CLI prints them all.  A
 * NULL Diag takes none: what a caller passes that wants only the verdict
 * (a pass asking whether an op's hook accepts a node). */
typedef struct {
    Str text;
    int count;
} Diag;

/* Appends one line and returns false, so callers can `return diag_error(..)`. */
bool diag_error(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_free(Diag *d);

/* Memory helpers: abort with a message on exhaustion (the one place we stop). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Grows *items (of *cap elements of `size` bytes) to hold at least `need`. */
void grow_array(void **items, int *cap, int need, size_t size);

/* Strings to integers by hashing (ir/name_map.c).  Keys are borrowed: each
 * must outlive the map.  A zeroed NameMap is empty. */
typedef struct {
    const char **keys;
    int64_t *values;
    size_t cap, count;
} NameMap;

/* The value of `key`, or NULL. */
int64_t *name_map_find(const NameMap *m, const char *key);
/* Adds key with `value` unless present; the value either way. */
int64_t *name_map_add(NameMap *m, const char *key, int64_t value);
/* A name `taken` does not hold: base itself, else the first free
 * "base_k" (base cut to 200 bytes), k counting on from the last one made
 * for base, which `suffixes` remembers (keyed by taken's own keys, so
 * they live as long).  Caller frees. */
char *name_map_unique(const NameMap *taken, NameMap *suffixes, const char *base);
void name_map_free(NameMap *m);

/* ------------------------------------------------------------------ */
/* Data types and shapes (ir/dtype.c, ir/shape.c)                       */
/* ------------------------------------------------------------------ */

/* Values are ONNX TensorProto.DataType codes. */
typedef enum {
    DT_UNDEFINED = 0,
    DT_FLOAT = 1,
    DT_UINT8 = 2,
    DT_INT8 = 3,
    DT_UINT16 = 4,
    DT_INT16 = 5,
    DT_INT32 = 6,
    DT_INT64 = 7,
    DT_STRING = 8,
    DT_BOOL = 9,
    DT_FLOAT16 = 10,
    DT_DOUBLE = 11,
    DT_UINT32 = 12,
    DT_UINT64 = 13,
    DT_BFLOAT16 = 16,
} DType;

/* A set of dtypes, one bit per DType code: what an op accepts. */
#define DT_BIT(t) (1u << (t))
#define DT_SET_FLOAT (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_BIT(DT_FLOAT16))
#define DT_SET_SINT (DT_BIT(DT_INT8) | DT_BIT(DT_INT16) | DT_BIT(DT_INT32) | DT_BIT(DT_INT64))
#define DT_SET_UINT (DT_BIT(DT_UINT8) | DT_BIT(DT_UINT16) | DT_BIT(DT_UINT32) | DT_BIT(DT_UINT64))
#define DT_SET_INT (DT_SET_SINT | DT_SET_UINT)
#define DT_SET_NUMERIC (DT_SET_FLOAT | DT_SET_INT)
/* The types most kernels compute in: float32, float64 and the integers. */
#define DT_SET_REAL (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE) | DT_SET_INT)
#define DT_SET_ALL (DT_SET_NUMERIC | DT_BIT(DT_BOOL) | DT_BIT(DT_BFLOAT16))

const char *dtype_name(DType t);   /* "float32", "int64", ... or NULL */
size_t dtype_size(DType t);        /* bytes per element, 0 if unsupported */
const char *dtype_ctype(DType t);  /* "float", "int64_t", ... or NULL */
bool dtype_is_float(DType t);
bool dtype_is_int(DType t);        /* any integer type, bool excluded */

/* Element (i) of a buffer of type t, converted. */
double dtype_get_f64(DType t, const void *data, size_t i);
int64_t dtype_get_i64(DType t, const void *data, size_t i);
/* Stores v (converted to t with ONNX Cast semantics) at element i. */
void dtype_set_f64(DType t, void *data, size_t i, double v);
void dtype_set_i64(DType t, void *data, size_t i, int64_t v);


typedef struct {
    int rank;
    int64_t dim[MAX_RANK];
} Shape;

/* Element count, or -1 when it overflows MAX_ELEMENTS. */
int64_t shape_numel(const Shape *s);
bool shape_equal(const Shape *a, const Shape *b);
/* Row-major strides in elements. */
void shape_strides(const Shape *s, int64_t *strides);
/* numpy broadcasting; false if incompatible. */
bool shape_broadcast(const Shape *a, const Shape *b, Shape *out);
/* "[1,3,256,256]" into buf. */
const char *shape_str(const Shape *s, char *buf, size_t size);
/* The same with each negative dim i (symbolic or unknown) shown as
 * names[i], or "?" where that is NULL: "[N,3,?]". */
const char *shape_str_named(const Shape *s, char *const *names, char *buf, size_t size);
/* Normalizes a possibly negative axis against rank; false if out of range. */
bool axis_normalize(int64_t axis, int rank, int *out);

/* ------------------------------------------------------------------ */
/* Tensors, attributes, nodes, graphs (ir/graph.c)                      */
/* ------------------------------------------------------------------ */

/* Memory layout of a tensor's elements: PLAIN is row-major in ONNX's
 * dimension order.  PACKED is a constant rearranged into a micro-kernel's
 * panels (passes/select_kernels.c): a copy of another constant's values,
 * not a parameter of its own. */
typedef enum { LAYOUT_PLAIN = 0, LAYOUT_PACKED } Layout;

struct Node;

/* What a value is.  Sequences and optionals exist only at compile time:
 * passes and expansion rewrite them into their element tensors, so code
 * generation sees tensors only. */
typedef enum { KIND_TENSOR = 0, KIND_SEQUENCE, KIND_OPTIONAL } ValueKind;

typedef struct Tensor {
    char *name;
    ValueKind kind;        /* for a sequence/optional, dtype and shape
                              describe its elements (shape_known is false
                              when they differ) */
    DType dtype;
    Shape shape;
    bool shape_known;      /* set by the frontend (declared) or inference */
    /* A main-graph input declared with symbolic or missing dims: per
     * axis, the dim_param name ("N") or NULL (one block, freed at once).
     * Until shape_known, shape holds the declared dims, -1 where not
     * static; NULL with !shape_known: no shape declared at all.  For a
     * tensor with `declared` dims, the names of those. */
    char **dim_params;
    /* The shape the model declares for a value a node produces (a
     * main-graph output, a value_info entry): -1 where a dim is symbolic
     * or unknown.  graph_infer checks the inferred shape against it,
     * each dim_param naming one value throughout.  NULL: none declared. */
    Shape *declared;
    void *data;            /* compile-time value (owned), or NULL */
    struct Node *producer; /* NULL for graph inputs and constants */
    bool is_input;         /* a run-time graph input */
    bool is_output;        /* a graph output */
    Layout layout;
    int64_t offset;        /* arena byte offset from the planner, -1 if none */
    int id;                /* index in graph->tensors, stable */
    /* Set by the memory planner when t shares another tensor's bytes (a
     * view, an in-place result, a Concat input produced into its slot):
     * t starts alias_offset bytes into alias_base's storage. */
    struct Tensor *alias_base;
    int64_t alias_offset;
} Tensor;

size_t tensor_bytes(const Tensor *t);
int64_t tensor_numel(const Tensor *t);
static inline bool tensor_is_const(const Tensor *t) { return t && t->data; }

typedef enum {
    ATTR_UNDEFINED = 0,
    ATTR_FLOAT = 1,
    ATTR_INT = 2,
    ATTR_STRING = 3,
    ATTR_TENSOR = 4,
    ATTR_GRAPH = 5,
    ATTR_FLOATS = 6,
    ATTR_INTS = 7,
    ATTR_STRINGS = 8,
    ATTR_TENSORS = 9,
    ATTR_GRAPHS = 10,
    ATTR_SPARSE_TENSOR = 11,
    ATTR_TYPE_PROTO = 13, /* Optional's element type: its value is not kept */
} AttrKind;

typedef struct {
    char *name;
    AttrKind kind;
    double f;
    int64_t i;
    char *s;        /* ATTR_STRING, NUL-terminated */
    int n;          /* element count of floats / ints / strings */
    double *floats;
    int64_t *ints;
    char **strings;
    Tensor *tensor; /* ATTR_TENSOR: a standalone tensor, not in any graph */
    struct Graph *graph; /* ATTR_GRAPH: a subgraph (If branch, Loop body), owned */
} Attr;

typedef struct OpDesc OpDesc;

typedef struct Node {
    char *name;
    char *op_type;
    char *domain;        /* "" for ai.onnx */
    const OpDesc *op;    /* resolved by op_lookup, NULL if unsupported */
    int opset;           /* opset of the node's domain in the model */
    Tensor **in;         /* NULL entries for omitted optional inputs */
    int n_in;
    Tensor **out;
    int n_out;
    Attr *attrs;
    int n_attrs;
    int id;              /* unique in the graph: graph_toposort and the fusion
                            passes renumber nodes to their index in g->nodes */
    /* Set by the memory planner: the node has nothing to do because its
     * outputs alias its inputs (views, an elided Concat). */
    bool elided;
    /* Arena bytes the planner reserved for the node's kernel scratch
     * (OpDesc.scratch_bytes) and where; 0 bytes when none. */
    size_t scratch_bytes;
    int64_t scratch_offset;
    /* The kernel's parameter struct (snt_conv2d_params ...), kept by the
     * op's infer from the node's attributes and input shapes (node_keep_
     * params) for its other hooks (cost, emit, scratch_bytes) to read
     * instead of recomputing it: every pass that changes a node infers it
     * again.  Owned; NULL for ops that keep none. */
    void *params;
} Node;

typedef struct Graph {
    char *name;
    char *dir;           /* model's folder, for external data; may be NULL */
    int opset;           /* ai.onnx opset */
    Tensor **tensors;
    int n_tensors, cap_tensors;
    NameMap tensor_ids;  /* each name to its first tensor's id */
    NameMap suffixes;    /* graph_new_tensor's memory (name_map_unique) */
    Node **nodes;        /* in execution order once scheduled */
    int n_nodes, cap_nodes;
    int next_node_id;    /* above every node's id, so removals never reuse one */
    Tensor **inputs;     /* run-time inputs, in graph order */
    int n_inputs;
    Tensor **outputs;
    int n_outputs;
    size_t arena_bytes;  /* set by the memory planner */
    /* The CPU the generated code is for (ir/target.c): which micro-kernel
     * variants its calls name and how constant operands are packed.
     * NULL: no target chosen, the portable kernels. */
    const struct Target *target;
    /* --threads: the parts that kernels of `parallel` ops split their
     * output into, each with a scratch slot of its own; 0 or 1: serial
     * code, which never names a thread. */
    int threads;
    /* A subgraph's free names (lexical capture): its nodes read
     * captures[i], a stand-in tensor of its own, for captured[i], a tensor
     * of the graph that holds the node owning this subgraph.  A name
     * captured from further out is captured by each graph in between. */
    Tensor **captures;
    Tensor **captured;
    int n_captures;
} Graph;

/* ---- targets (target.c) ----------------------------------------- */

/* A CPU that generated code may be built for: the instruction set whose
 * micro-kernel variants (runtime/include/sinter_variants.def) its calls
 * name. */
typedef struct Target {
    const char *name;     /* as --target spells it: "avx512" */
    const char *isa;      /* the variants' ISA suffix: "avx512f" */
    const char *needs;    /* for the generated header: "x86-64 with AVX-512F" */
} Target;

/* The target called `name` ("host" is the CPU running the compiler), or
 * NULL. */
const Target *target_find(const char *name);
/* The names --target accepts, for messages: "host, avx512, ...". */
const char *target_names(void);

/* The micro-kernel families (runtime/include/sinter_variants.def). */
typedef enum {
    FAMILY_F32_GEMM, FAMILY_F32_GEMV, FAMILY_F32_DWCONV, FAMILY_F32_CONV_THIN,
    FAMILY_X32_TRANSPOSE
} Family;

/* A micro-kernel variant of the runtime: its C name and tile. */
typedef struct {
    Family family;
    const char *name;     /* "snt_f32_gemm_8x48__avx512f" */
    unsigned mr, nr;      /* rows and columns of its tile */
} Variant;

/* The variant of `family` for target t (NULL: the portable one), or
 * NULL when the runtime has none. */
const Variant *target_variant(const Target *t, Family family);
/* The variant called `name`, or NULL. */
const Variant *variant_find(const char *name);
/* The variant of `family` of v's ISA (f32-gemv beside the f32-gemm
 * variant whose panels it reads), or NULL. */
const Variant *variant_of_same_isa(const Variant *v, Family family);

Graph *graph_new(const char *name);
void graph_free(Graph *g);
/* Finds a tensor by name, or NULL. */
Tensor *graph_find_tensor(const Graph *g, const char *name);
/* Creates a tensor; the name must be new (caller checks with find). */
Tensor *graph_add_tensor(Graph *g, const char *name);
/* A fresh tensor named after `hint`, made unique. */
Tensor *graph_new_tensor(Graph *g, const char *hint);
Node *graph_add_node(Graph *g, const char *name, const char *op_type);
/* Appends t to the graph's run-time inputs / its outputs.  The flags
 * stay the caller's: is_output marks the model's outputs, which a
 * subgraph's are not. */
void graph_add_input(Graph *g, Tensor *t);
void graph_add_output(Graph *g, Tensor *t);
void node_add_input(Node *n, Tensor *t);   /* t may be NULL (omitted) */
void node_add_output(Node *n, Tensor *t);  /* sets t->producer */
/* Makes sub's tensor `stand_in` read the enclosing graph's `outer`. */
void graph_add_capture(Graph *sub, Tensor *stand_in, Tensor *outer);
/* Removes nodes for which keep[i] is false, freeing them; order kept. */
void graph_remove_nodes(Graph *g, const bool *keep);
/* Counts of consumers of each tensor (indexed by tensor id); caller frees. */
int *graph_use_counts(const Graph *g);
/* Whether n writes any bytes: a node whose outputs are all empty
 * (zero-size tensors) has nothing to do. */
bool node_has_work(const Node *n);
/* Whether the generated C calls a kernel for n: it has work and the memory
 * plan did not elide it (a view, a Concat written in place).  This is what
 * every report calls a kernel, so that `sinter compile`, `flops`, `plan`
 * and `graph` count the same calls codegen emits. */
bool node_is_kernel(const Node *n);
/* The kernels of a planned graph: its nodes for which node_is_kernel. */
int graph_kernel_count(const Graph *g);

/* Keeps a copy of the `size` bytes at params as n->params, replacing
 * what an earlier infer kept. */
void node_keep_params(Node *n, const void *params, size_t size);

/* Input i of n, or NULL when an optional input is omitted or absent. */
Tensor *node_input(const Node *n, int i);

/* Attribute access: the *_or helpers return `dflt` when absent. */
const Attr *node_attr(const Node *n, const char *name);
int64_t attr_int_or(const Node *n, const char *name, int64_t dflt);
double attr_float_or(const Node *n, const char *name, double dflt);
const char *attr_string_or(const Node *n, const char *name, const char *dflt);
/* Ints attribute into out[max]; returns its count, or -1 if absent. */
int attr_ints(const Node *n, const char *name, int64_t *out, int max);
Attr *node_add_attr(Node *n, const char *name, AttrKind kind);
void attr_clear(Attr *a);

void tensor_free(Tensor *t);
/* Sets t's value to a copy of `data` (numel elements of t->dtype), or to
 * zeros when data is NULL. */
void tensor_set_data(Tensor *t, const void *data);

/* Prints the graph as text, one node a line (for --dump-ir and tests). */
void graph_dump(const Graph *g, FILE *f);

/* ------------------------------------------------------------------ */
/* Ops: the one description of each operator (ir/op_table.c, ir/ops/)   */
/* ------------------------------------------------------------------ */

/* The code emitter is implemented by codegen/; ops call it to print the
 * kernel call for one node.  It lives behind this interface so that an
 * op's whole description sits in one file without ir/ depending on
 * codegen/. */
typedef struct Emitter Emitter;

/* Appends one line of C to the body of the node's block (indentation and
 * the enclosing braces are the emitter's). */
void emit_line(Emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A C expression for the data pointer of t, typed `T *` (const for
 * inputs and weights); valid until code generation ends. */
const char *emit_ptr(Emitter *e, const Tensor *t);
/* A C expression naming a static const int64_t array holding v[0..n). */
const char *emit_i64_array(Emitter *e, const int64_t *v, int n);
/* A C expression for a `float *` to the node's scratch, at least `bytes`
 * of the arena that the planner reserved from OpDesc.scratch_bytes (a
 * request beyond that fails the emission); "NULL" for 0 bytes.  Its
 * contents do not survive the node. */
const char *emit_scratch(Emitter *e, size_t bytes);
/* The CPU the code is generated for (NULL: the portable kernels), for
 * ops that pick a micro-kernel variant as they print their call. */
const struct Target *emit_target(const Emitter *e);
/* The text from a kernel's name to its first argument: "(" in serial
 * code, "_mt(&snt_par, " with --threads N > 1, which calls the entry
 * point that splits the work over the model's snt_parallel. */
const char *emit_call_open(const Emitter *e);

typedef struct {
    int64_t macs;        /* multiply-accumulates of weight products */
    int64_t flops;       /* all floating point operations (MAC = 2) */
} OpCost;

struct OpDesc {
    const char *name;    /* ONNX op_type */
    int since, until;    /* supported ai.onnx opsets, inclusive */
    int min_in, max_in;  /* input count range (optional inputs included) */
    /* Inputs below min_in that a model may still omit (name ""), bit i
     * for input i: Loop's M and cond, Scan-8's sequence_lens, Resize-13's
     * roi.  Any other input below min_in is required, so an op's rules
     * may read it without a NULL check. */
    unsigned omittable_in;
    int min_out, max_out;
    /* Validates attributes and input dtypes/shapes, sets every output's
     * dtype and shape.  Inputs that determine shapes must be constant. */
    bool (*infer)(Node *n, Diag *d);
    /* Computes the outputs' data at compile time when possible; returns
     * true and leaves outputs without data when it cannot (e.g. an input
     * is not constant).  NULL if the op never folds. */
    bool (*fold)(Node *n, Diag *d);
    /* Cost of one execution; NULL means zero. */
    OpCost (*cost)(const Node *n);
    /* The multiply-adds the kernel performs, where it computes the
     * cost's MACs another way (Winograd); NULL means cost.macs. */
    int64_t (*executed_macs)(const Node *n);
    /* Prints the kernel call.  Output and input shapes are final. */
    bool (*emit)(const Node *n, Emitter *e, Diag *d);
    /* Output 0 may share input 0's bytes unchanged (Reshape, Identity,
     * Squeeze ...): the planner aliases instead of copying. */
    bool is_view;
    /* Made only by passes (FusedConv, Linear, ShiftTokenize ...): a model
     * that names it is refused, since ONNX does not define it. */
    bool internal;
    /* Output 0 may be written over any input of the same dtype and shape
     * that dies at this node: each output element depends only on the
     * input elements at its own index (elementwise ops, activations). */
    bool in_place;
    /* Output `out` is input 0's elements [*offset, *offset + numel) in
     * order (a Split along an axis after unit dimensions, a contiguous
     * Slice): the planner makes it a view.  NULL or false: a copy. */
    bool (*view_range)(const Node *n, int out, int64_t *offset);
    /* Input `in` is output 0's elements [*offset, *offset + numel) in
     * order (a Concat whose dimensions before the axis are 1): its
     * producer may write straight there.  NULL or false: a copy. */
    bool (*slot_range)(const Node *n, int in, int64_t *offset);
    /* Bytes of scratch memory the kernel needs while it runs (im2col,
     * packed GEMM blocks, staged copies); NULL means none.  The planner
     * gives it a region of the arena; emit may ask emit_scratch for no
     * more than this, so that NAME_ARENA_BYTES is the plan. */
    size_t (*scratch_bytes)(const Node *n);
    /* The kernel splits its output over threads (its _mt entry point,
     * called through emit_call_open): with --threads N the planner gives
     * it N scratch slots of scratch_bytes each. */
    bool parallel;
    /* Compile-time structure (If, Loop, Scan, sequence and optional ops):
     * called by graph_infer, in place of infer, once the node's inputs
     * are inferred and folded.  Replaces the node in g by ordinary nodes
     * (which graph_infer then infers in turn), or fails with an error
     * naming the node when that cannot be done statically. */
    bool (*expand)(Node *n, Graph *g, Diag *d);
    /* The element types of the op's data (input 0, or output 0 for ops
     * without inputs) it supports, as DT_BIT()s; graph_infer refuses
     * others.  Listed by `sinter ops`. */
    unsigned dtypes;
    /* What the op refuses although ONNX allows it ("3-D pooling",
     * "the condition must be known at compile time"); NULL if nothing. */
    const char *restriction;
};

/* One attribute an op takes (ir/op_attrs.c, from ir/ops/op_attrs.def). */
typedef struct {
    const char *name;
    AttrKind kind;
    bool required;
    const char *allowed; /* a string's values, space separated; NULL: any */
} AttrSpec;

/* The attributes ONNX op `op_type` takes at `opset`, ending with a NULL
 * name; NULL when ONNX does not define the op (internal ops). */
const AttrSpec *op_attr_specs(const char *op_type, int opset);
/* "INTS", "GRAPH" ...: an attribute type as ONNX spells it. */
const char *attr_kind_name(AttrKind kind);
/* Checks n's attributes against its op's: each of the right type and,
 * for a string, of an allowed value; none it does not take; every
 * required one given.  Errors name `label` ("node 'conv' (Conv, opset
 * 13)") and the attribute.  True for ops without a schema (other
 * domains, internal ops). */
bool node_check_attrs(const Node *n, const char *label, Diag *d);

/* The op for (domain, op_type), or NULL. */
const OpDesc *op_lookup(const char *domain, const char *op_type);
/* Every op's description, op_Add ... (ir/ops/op_list.h): passes and tools
 * name ops by these, so that a misspelt op fails to compile. */
#define OP(name) extern const OpDesc op_##name;
#include "ir/ops/op_list.h"
#undef OP
/* All ops, for listings; *count set. */
const OpDesc *const *op_all(int *count);

/* Helpers shared by op descriptions (ir/op_util.c). */
bool node_error(Diag *d, const Node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool all_inputs_const(const Node *n);
/* Reads a constant integer tensor (input i) into out[max]; count, or -1
 * with an error when it is absent, not constant or too long. */
int const_ints(const Node *n, int i, int64_t *out, int max, Diag *d);
/* Sets output i's dtype and shape. */
void set_output(Node *n, int i, DType t, const Shape *s);
/* Allocates zeroed data for output i (shape must be set). */
void *alloc_output(Node *n, int i);

/* ------------------------------------------------------------------ */
/* Whole-graph analyses (ir/infer.c, ir/verify.c)                       */
/* ------------------------------------------------------------------ */

/* Sorts nodes topologically; error on a cycle or an undefined input. */
bool graph_toposort(Graph *g, Diag *d);
/* Resolves ops, runs every node's shape rule in order, folding nodes whose
 * inputs are known.  Reports every unsupported op at once. */
bool graph_infer(Graph *g, Diag *d);
/* Structural checks a pass must preserve. */
bool graph_verify(const Graph *g, Diag *d);
/* Copies subgraph sub's nodes into g (ir/inline.c): actual[i] stands for
 * sub's input i, and its captures read their enclosing tensors, which must
 * be g's.  New tensors get fresh names, new nodes "prefix/<node name>".
 * Sets result[i] to the tensor standing for sub's output i.  The new
 * nodes are appended to g->nodes, neither sorted nor inferred. */
void graph_inline(Graph *g, const Graph *sub, Tensor *const *actual, const char *prefix,
                  Tensor **result);

#endif /* SINTER_IR_H */
