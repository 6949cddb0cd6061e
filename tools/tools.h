/*
 * tools.h - what the `sinter` commands share: the compile pipeline from a
 * model file to planned IR, and building/running generated C.
 */
#ifndef SINTER_TOOLS_H
#define SINTER_TOOLS_H

#include "codegen/codegen.h"
#include "passes/passes.h"

#define MAX_BINDS 64
/* --threads at most: SNT_THREADPOOL_MAX of runtime/include/sinter_threads.h. */
#define THREADS_MAX 64

/* A graph input made a compile-time constant: --bind NAME=FILE. */
typedef struct {
    const char *input;
    const char *file;
} Binding;

/* A graph input's shape fixed when compiling: --shape NAME=D0,D1,... */
typedef struct {
    const char *input;
    Shape shape;
} InputShape;

typedef struct {
    const char *model;       /* path of the .onnx file */
    const char *name;        /* C name of the model */
    PassOptions passes;
    WeightsMode weights;
    const Target *target;    /* --target; the host's by default */
    bool profile;            /* --profile: generated code times every node */
    int threads;             /* --threads N: NAME_run on N threads (1: serial code) */
    Binding binds[MAX_BINDS];
    int n_binds;
    InputShape shapes[MAX_BINDS];
    int n_shapes;
    /* sinter run's --input values (FILE, or NAME=FILE): an input whose
     * shape is still unknown after --shape and --bind takes its file's. */
    const char *const *input_files;
    int n_input_files;
} CompileOptions;

/* What an option parser made of argv[*i] (parse_compile_option,
 * CommandLine.own, option_value). */
enum {
    OPTION_MALFORMED = -1, /* a bad value, reported in the Diag (exit status 1) */
    OPTION_NOT_MINE = 0,   /* not one of its options */
    OPTION_TAKEN = 1,      /* taken, *i advanced past its value */
    OPTION_REFUSED = 2,    /* refused after printing why (exit status 2) */
    OPTION_NO_VALUE = 3,   /* an option that takes a value came last, without it */
};

/* Option `flag` at argv[*i] with its value: `FLAG VALUE`, or FLAG=VALUE.
 * OPTION_TAKEN sets *value and moves *i past it; OPTION_NO_VALUE when
 * nothing follows the flag; else OPTION_NOT_MINE.  Every option that
 * takes a value is read through here, so that a missing value is always
 * told as such rather than as an unexpected argument. */
int option_value(const char *flag, int argc, char **argv, int *i, const char **value);
/* "sinter COMMAND: FLAG needs a value" and the usage, to stderr; returns
 * the exit status 2. */
int refuse_missing_value(const char *command, const char *flag, const char *usage);

/* Parses the options every compiling command shares (-O0, -O1, -O2, --passes, --skip,
 * --dump-ir, --target, --profile, --bind, --shape, --name, --weights) at
 * argv[*i]: OPTION_TAKEN, OPTION_NOT_MINE, OPTION_NO_VALUE, or
 * OPTION_MALFORMED (message in d). */
int parse_compile_option(CompileOptions *o, int argc, char **argv, int *i, Diag *d);
void compile_options_init(CompileOptions *o);

/* The command line of a compiling command: the shared compile options,
 * --help / -h, one model path, and the command's own options. */
typedef struct {
    const char *usage;   /* to stdout on --help, to stderr on a bad command line */
    const char *name;    /* the command, named in messages: "sinter NAME: unexpected ..." */
    /* The command's own option at argv[*i]: OPTION_TAKEN (advancing *i
     * past its value), OPTION_NOT_MINE, OPTION_NO_VALUE, or
     * OPTION_REFUSED after printing why.  Asked before the shared
     * options, so a command can refuse one of those.  NULL: it has none. */
    int (*own)(void *ctx, int argc, char **argv, int *i);
    void *ctx;
} CommandLine;

/* Parses argv[1..] into o (initialized by the caller) and cl's own
 * options.  Returns -1 to go on, else the exit status: 0 after --help,
 * 1 after a malformed compile option (reported), 2 after a bad command
 * line or a missing model (usage printed). */
int parse_command_line(const CommandLine *cl, CompileOptions *o, int argc, char **argv, Diag *d);
/* CommandLine.own for a command whose one option is -o PATH: ctx is
 * the const char * that receives PATH. */
int output_option(void *path, int argc, char **argv, int *i);
/* Prints usage to stdout for --help (returns 0), else to stderr (2). */
int print_usage(const char *usage, bool help);

/* The file of each run-time input of g (files[g->n_inputs]), from sinter
 * run's --input values: all FILE, in graph order, or all NAME=FILE. */
bool match_input_files(const Graph *g, const char *const *specs, int n, const char **files,
                       Diag *d);

/* Loads, fixes input shapes, binds, infers, optimizes and plans; NULL on
 * error. */
Graph *compile_graph(const CompileOptions *o, MemPlan *plan, Diag *d);

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

/* compile_graph that also tells how the model's outputs map onto the
 * compiled graph's (`outputs` may be NULL); free with model_outputs_free. */
Graph *compile_graph_outputs(const CompileOptions *o, MemPlan *plan, ModelOutputs *outputs,
                             Diag *d);
void model_outputs_free(ModelOutputs *m);
/* compile_graph_outputs on a graph already loaded (the fuzz targets load
 * it from memory); g is the result, or freed on failure. */
Graph *compile_loaded_graph(Graph *g, const CompileOptions *o, MemPlan *plan,
                            ModelOutputs *outputs, Diag *d);
/* What write_model_c chose: the weights mode (never AUTO) and the size
 * of NAME.weights (0 when embedded). */
typedef struct {
    WeightsMode weights;
    size_t weights_bytes;
} WrittenModel;

/* Writes DIR/NAME.c, DIR/NAME.h, and with a weights blob DIR/NAME.weights
 * (and DIR/NAME_weights.S for incbin); w (may be NULL) says which. */
bool write_model_c(const Graph *g, const CompileOptions *o, const char *dir, WrittenModel *w,
                   Diag *d);

/* build_c.c */
bool write_file(const char *path, const void *data, size_t len, Diag *d);
/* Appends DIR/NAME to out, NAME formatted: one '/' between them however
 * many DIR ends with ("out/" and "out" give out/NAME, "/" gives /NAME). */
void path_join(Str *out, const char *dir, const char *name_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Builds DIR/main.c and DIR/NAME.c (and DIR/NAME_weights.S when
 * `incbin`) with the runtime into DIR/NAME; with -pthread when `threads`
 * (code of --threads N > 1). */
bool build_program(const char *dir, const char *name, bool incbin, bool threads,
                   const char *cflags, Diag *d);
/* Runs argv (no shell); true if it exited with status 0. */
bool run_program(char *const argv[], Diag *d);

/* harness.c: DIR/main.c, a program that runs NAME_run on raw files. */
bool write_harness(const Graph *g, const char *name, bool weights_file, const char *dir, Diag *d);

/* The model's file name without folder and extension, as a C name. */
char *default_model_name(const char *path);

int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_passes(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_flops(int argc, char **argv);
int cmd_graph(int argc, char **argv);

/* Prints every message of d to stderr; returns the exit status 1. */
int report_errors(Diag *d);

#endif /* SINTER_TOOLS_H */
