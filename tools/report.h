/*
 * report.h - what a compiled graph costs, node by node, and the text
 * escapes the reports need.  The counting rules are in docs/flops.md;
 * every op's arithmetic comes from its OpDesc.cost, the one description
 * of the op, so this file never looks at op names.
 */
#ifndef SINTER_REPORT_H
#define SINTER_REPORT_H

#include "ir/ir.h"

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
    LayerCost *layers;      /* one per node, in schedule order */
    int n_layers;
    CostTotals total;
} CostReport;

/* Costs every node of g (planned: Node.elided is read). */
void cost_report_build(CostReport *r, const Graph *g);
void cost_report_free(CostReport *r);

/* The JSON document of `sinter flops --json` (schema in docs/flops.md):
 * totals of both graphs and the fused graph's layers. */
void cost_report_json(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused);
/* The text report: totals of both graphs, then one row per fused node. */
void cost_report_text(Str *out, const char *model, const CostReport *unfused,
                      const CostReport *fused);

/* Appends `text` as a JSON string literal, quotes included.  ONNX names
 * are arbitrary bytes: control characters become \u00XX, and so does
 * every byte that is not part of a valid UTF-8 sequence (read as
 * Latin-1), so the document is always valid UTF-8 JSON. */
void json_put_string(Str *out, const char *text);

/* Appends text for the inside of a Graphviz double-quoted string:
 * quotes and backslashes escaped, control bytes and bytes outside valid
 * UTF-8 sequences shown as '?'. */
void dot_put_string(Str *out, const char *text);

/* Length of the valid UTF-8 sequence starting at s (1..4), 0 if the
 * bytes there are not one (or s points at the terminating NUL). */
int utf8_sequence_length(const unsigned char *s);

#endif /* SINTER_REPORT_H */
