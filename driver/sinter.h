/*
 * sinter.h - the compiler as a library: the one header a program
 * includes to turn an ONNX model into C.
 *
 *     CompileOptions o;
 *     compile_options_init(&o);
 *     o.model = "net.onnx";
 *     CompiledModel m;
 *     Diag d = {0};
 *     if (compile_model(&o, &m, &d) && compiled_model_write(&m, "out", &d))
 *         ... out/net.c and out/net.h are written ...
 *     compiled_model_free(&m);
 *     ... d.text holds every error, one a line (d.count of them) ...
 *     diag_free(&d);
 *
 * Errors travel as values, as in the rest of the compiler: a call that
 * fails returns false (or NULL) and appends messages to the Diag, which
 * name the node, op and opset, or the option, at fault.  Nothing here
 * prints or exits; the `sinter` command (tools/) parses its arguments
 * into CompileOptions, calls these, and prints what they return.
 */
#ifndef SINTER_SINTER_H
#define SINTER_SINTER_H

#include "codegen/codegen.h"
#include "passes/passes.h"

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

#define MAX_BINDS 64
/* threads at most: SNT_THREADPOOL_MAX of runtime/include/sinter_threads.h. */
#define THREADS_MAX 64

/* A graph input made a compile-time constant: the value of a tensor
 * (.npy or .pb TensorProto) or, for a sequence or optional input, of a
 * SequenceProto or OptionalProto file. */
typedef struct {
    const char *input;
    const char *file;
} Binding;

/* A graph input's shape fixed when compiling, where the model leaves
 * dims symbolic or open. */
typedef struct {
    const char *input;
    Shape shape;
} InputShape;

/* What to compile and how.  The options keep pointers to the caller's
 * strings, which must outlive the calls that take the options. */
typedef struct {
    const char *model;       /* path of the .onnx file (required) */
    /* The model's bytes, when it is in memory rather than at `model`
     * (which then only names it: the default C name, the generated C's
     * comment); external data is refused.  NULL: read the file. */
    const uint8_t *model_data;
    size_t model_size;
    const char *name;        /* C name of the model; NULL: the file's name */
    PassOptions passes;
    WeightsMode weights;
    const Target *target;    /* the CPU the code is for; the host's by default */
    bool profile;            /* the generated code times every node */
    int threads;             /* NAME_run on N threads (1: serial code) */
    Binding binds[MAX_BINDS];
    int n_binds;
    InputShape shapes[MAX_BINDS];
    int n_shapes;
    /* The files a program will run on (FILE, or NAME=FILE; see
     * match_input_files): an input whose shape is still unknown after
     * `shapes` and `binds` takes its file's. */
    const char *const *input_files;
    int n_input_files;
} CompileOptions;

/* The defaults: -O2 with the verifier, the host target, --weights auto,
 * one thread, nothing bound. */
void compile_options_init(CompileOptions *o);

/* ------------------------------------------------------------------ */
/* Compiling                                                           */
/* ------------------------------------------------------------------ */

/* A graph output as the model declares it.  Code generation sees tensors
 * only, so a sequence or optional output is replaced in the compiled
 * graph's outputs by the tensors it holds, named NAME_0, NAME_1 ...:
 * compiled outputs [first, first + count) are the model output's tensors
 * (one for a tensor output, none for an empty optional). */
typedef struct {
    char *name;
    ValueKind kind;     /* KIND_TENSOR, KIND_SEQUENCE or KIND_OPTIONAL */
    ValueKind inner;    /* what an optional holds: KIND_TENSOR or KIND_SEQUENCE */
    bool empty;         /* an optional without a value */
    int first, count;
} ModelOutput;

typedef struct {
    ModelOutput *items;
    int n;
} ModelOutputs;

void model_outputs_free(ModelOutputs *m);

/* A compiled model: the planned graph and its generated files, in
 * memory.  It owns everything it points to (compiled_model_free). */
typedef struct {
    char *name;             /* the C name: CompileOptions.name or the file's */
    Graph *graph;           /* after the passes and the memory plan */
    MemPlan plan;
    ModelOutputs outputs;   /* the model's outputs in terms of graph->outputs */
    WeightsMode weights;    /* where the weights went (never WEIGHTS_AUTO) */
    CodegenOutput code;     /* NAME.c, NAME.h, and the weights blob and its
                               .S as `weights` asks */
} CompiledModel;

/*
 * The entry point: loads the model, fixes input shapes and binds inputs,
 * infers shapes, runs the passes, plans memory and generates the C.
 * WEIGHTS_AUTO embeds weights of at most WEIGHTS_EMBED_MAX bytes in
 * NAME.c, and puts larger ones in an incbin blob.  On failure returns
 * false with the reasons in d, and m holds nothing to free (freeing it
 * is harmless).
 */
bool compile_model(const CompileOptions *o, CompiledModel *m, Diag *d);

/* Writes DIR/NAME.c, DIR/NAME.h, and with a weights blob DIR/NAME.weights
 * (and DIR/NAME_weights.S for incbin), creating DIR if missing. */
bool compiled_model_write(const CompiledModel *m, const char *dir, Diag *d);

void compiled_model_free(CompiledModel *m);

/* compile_model up to the planned graph, generating no C: for what
 * looks at the graph itself (its costs, its plan, its drawing).  NULL on
 * error; the caller frees the graph. */
Graph *compile_graph(const CompileOptions *o, MemPlan *plan, Diag *d);

/* The file of each run-time input of g (files[g->n_inputs]) from `specs`,
 * as `sinter run --input` takes them: all FILE, in graph order, or all
 * NAME=FILE.  The messages name the option --input. */
bool match_input_files(const Graph *g, const char *const *specs, int n, const char **files,
                       Diag *d);

/* ------------------------------------------------------------------ */
/* Cost report                                                         */
/* ------------------------------------------------------------------ */

/* What a compiled graph costs, node by node.  The counting rules are in
 * docs/flops.md; every op's arithmetic comes from its OpDesc.cost, the
 * one description of the op, so the report never looks at op names. */

/* The cost of one node of a planned graph. */
typedef struct {
    const Node *node;
    bool kernel;            /* node_is_kernel: the generated C calls a kernel for it */
    OpCost cost;            /* from node->op->cost; zero when it has none */
    int64_t executed_macs;  /* what the kernel performs (OpDesc.executed_macs) */
    int64_t bytes_read;     /* distinct run-time (non-constant) inputs */
    int64_t bytes_written;  /* outputs */
    int64_t params;         /* float constant elements first read here */
} LayerCost;

typedef struct {
    int64_t params, macs, executed_macs, flops, bytes_read, bytes_written;
    int nodes;              /* nodes left after the passes */
    int kernels;            /* graph_kernel_count: the one count every command gives */
} CostTotals;

typedef struct {
    LayerCost *layers;      /* one per node, in schedule order; they point into g */
    int n_layers;
    CostTotals total;
} CostReport;

/* Costs every node of g (planned: Node.elided is read). */
void cost_report_build(CostReport *r, const Graph *g);
void cost_report_free(CostReport *r);

/* The report as `sinter flops` gives it, of a model compiled twice:
 * unfused (-O0) and fused (-O2).  JSON (schema in docs/flops.md, for
 * scripts): totals of both graphs and the fused graph's layers.  Text:
 * the same totals, then one row per fused node. */
void cost_report_json(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused);
void cost_report_text(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused);

#endif /* SINTER_SINTER_H */
