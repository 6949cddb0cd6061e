/*
 * dump.c - the IR as text, one node a line, for --dump-ir and tests.
 */
#include "ir/ir.h"

static void dump_tensor(const Tensor *t, FILE *f)
{
    char buf[128];
    fprintf(f, "%%%s:%s%s%s", t->name, dtype_name(t->dtype) ? dtype_name(t->dtype) : "?",
            t->shape_known ? shape_str(&t->shape, buf, sizeof buf) : "[?]",
            t->data ? "=const" : "");
}

void graph_dump(const Graph *g, FILE *f)
{
    fprintf(f, "graph %s (opset %d): %d nodes\n", g->name, g->opset, g->n_nodes);
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        fprintf(f, "  ");
        for (int j = 0; j < n->n_out; j++) {
            fprintf(f, j ? ", " : "");
            dump_tensor(n->out[j], f);
        }
        fprintf(f, " = %s(", n->op_type);
        for (int j = 0; j < n->n_in; j++) {
            fprintf(f, j ? ", " : "");
            if (n->in[j])
                dump_tensor(n->in[j], f);
            else
                fprintf(f, "_");
        }
        fprintf(f, ")  # %s\n", n->name);
    }
}
