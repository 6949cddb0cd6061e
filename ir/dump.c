/*
 * dump.c - the IR as text, one node a line, for --dump-ir and tests.
 * Subgraphs (If branches, Loop bodies) follow their node, indented.
 */
#include "ir/ir.h"

static const char *const kind_names[] = {"", "seq ", "opt "};

static void dump_tensor(const Tensor *t, FILE *f)
{
    char buf[128];
    fprintf(f, "%%%s:%s%s%s%s", t->name, kind_names[t->kind],
            dtype_name(t->dtype) ? dtype_name(t->dtype) : "?",
            t->shape_known ? shape_str(&t->shape, buf, sizeof buf) : "[?]",
            t->data ? "=const" : "");
}

static void dump_list(Tensor *const *list, int n, FILE *f)
{
    for (int i = 0; i < n; i++) {
        fprintf(f, i ? ", " : "");
        dump_tensor(list[i], f);
    }
}

static void dump_nodes(const Graph *g, int indent, FILE *f);

/* "then_branch: (inputs) -> (outputs), capturing %a, %b" and its nodes. */
static void dump_subgraph(const Attr *a, int indent, FILE *f)
{
    const Graph *sub = a->graph;
    fprintf(f, "%*s%s: (", indent, "", a->name);
    dump_list(sub->inputs, sub->n_inputs, f);
    fprintf(f, ") -> (");
    dump_list(sub->outputs, sub->n_outputs, f);
    fprintf(f, ")");
    for (int i = 0; i < sub->n_captures; i++)
        fprintf(f, "%s%%%s", i ? ", " : ", capturing ", sub->captured[i]->name);
    fprintf(f, "\n");
    dump_nodes(sub, indent + 2, f);
}

static void dump_nodes(const Graph *g, int indent, FILE *f)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        fprintf(f, "%*s", indent, "");
        dump_list(n->out, n->n_out, f);
        fprintf(f, " = %s(", n->op_type);
        for (int j = 0; j < n->n_in; j++) {
            fprintf(f, j ? ", " : "");
            if (n->in[j])
                dump_tensor(n->in[j], f);
            else
                fprintf(f, "_");
        }
        fprintf(f, ")  # %s\n", n->name);
        for (int j = 0; j < n->n_attrs; j++)
            if (n->attrs[j].graph)
                dump_subgraph(&n->attrs[j], indent + 4, f);
    }
}

void graph_dump(const Graph *g, FILE *f)
{
    fprintf(f, "graph %s (opset %d): %d nodes\n", g->name, g->opset, g->n_nodes);
    dump_nodes(g, 2, f);
}
