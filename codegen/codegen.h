/*
 * codegen.h - prints a planned graph as one C file and one header.
 *
 * The generated .c needs only <math.h>, <string.h>, <stdint.h>,
 * <stddef.h> and the runtime's sinter_rt.h; it has no malloc, keeps the
 * weights as const data (or reads them from a blob the caller provides)
 * and the activations in one static arena.  Output is deterministic:
 * the same graph gives the same bytes.
 */
#ifndef SINTER_CODEGEN_H
#define SINTER_CODEGEN_H

#include "ir/ir.h"

typedef enum {
    WEIGHTS_EMBED = 0, /* const arrays inside the .c */
    WEIGHTS_FILE,      /* a separate blob, handed over by NAME_set_weights */
    WEIGHTS_INCBIN,    /* a separate blob that NAME_weights.S links in (.incbin) */
    WEIGHTS_AUTO,      /* the CLI's default: embed, or incbin above WEIGHTS_EMBED_MAX */
} WeightsMode;

/* Above this many bytes of weights, --weights auto (the default) takes
 * incbin: gcc reads an embedded string literal at about 3 bytes of source
 * a byte, and a few hundred MB of source take it minutes and gigabytes. */
#define WEIGHTS_EMBED_MAX ((size_t)32 << 20)

typedef struct {
    const char *name;        /* C prefix of the API: NAME_run, NAME.h */
    const char *source;      /* model file named in the header comment */
    WeightsMode weights;
    bool profile;            /* time every node (profile.c) */
} CodegenOptions;

typedef struct {
    Str c;          /* NAME.c */
    Str h;          /* NAME.h */
    Str weights;    /* NAME.weights (binary) when WEIGHTS_FILE or WEIGHTS_INCBIN */
    Str incbin;     /* NAME_weights.S when WEIGHTS_INCBIN */
} CodegenOutput;

bool codegen_c(const Graph *g, const CodegenOptions *opt, CodegenOutput *out, Diag *d);
void codegen_output_free(CodegenOutput *out);

/* names.c: text that reaches the C file. */
/* A C identifier made of [A-Za-z0-9_] from `name`, at most `max` bytes
 * of it, prefixed; never a keyword.  Caller frees. */
char *c_ident(const char *prefix, const char *name, size_t max);
/* Appends `text` so that it cannot end a comment or span lines. */
void str_put_comment(Str *s, const char *text);
/* `name` in upper case, for macro prefixes (NAME_ARENA_BYTES).  Caller
 * frees. */
char *c_upper(const char *name);
/* Is `name` a valid C identifier? */
bool is_c_ident(const char *name);
/* Whether `name` is one the generated file uses itself (runtime symbols,
 * weights, names local to node blocks), so a parameter may not take it. */
bool is_reserved_name(const char *name);

/* weights.c: constant tensors as C text or as a blob. */
void weights_emit_embedded(Str *c, const Tensor *t, const char *ident);
/* Appends t's bytes to blob at a 64-byte aligned offset; returns it. */
size_t weights_append_blob(Str *blob, const Tensor *t);
/* NAME_weights.S: the assembler source that links NAME.weights in as the
 * 64-byte aligned symbol NAME_weights. */
void weights_emit_incbin(Str *s, const char *name);

/* profile.c: --profile, the per-node timing of generated code. */
void profile_emit_feature_macro(Str *c);
void profile_node_begin(Str *body);
void profile_node_end(Str *body, int slot);
/* The counters, tables and NAME_profile_report() for the timed nodes. */
void profile_emit_support(Str *c, const char *name, const Node *const *nodes, int count);
void profile_emit_declaration(Str *h, const char *name, const char *upper);

/* threads.c: --threads N > 1, the pool and parallel-for of generated code. */
void threads_emit_include(Str *c);
void threads_emit_support(Str *c, const char *name, int threads);
void threads_emit_declaration(Str *h, const char *name, const char *upper, int threads);

#endif /* SINTER_CODEGEN_H */
