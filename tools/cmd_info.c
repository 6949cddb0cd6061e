/*
 * cmd_info.c - `sinter info MODEL.onnx`: inputs, outputs, op histogram
 * and parameter count.
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

/* Its inferred type when inference ran, else the type the model declares
 * (symbolic dims by name). */
static void print_tensor_line(const char *kind, const Tensor *t)
{
    char buf[160];
    printf("  %-6s %-24s %-8s %s\n", kind, t->name, dtype_name(t->dtype) ? dtype_name(t->dtype) : "?",
           declared_shape_str(t, buf, sizeof buf));
}

typedef struct {
    const char *op;
    int count;
} OpCount;

static int by_count_then_name(const void *a, const void *b)
{
    const OpCount *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return strcmp(x->op, y->op);
}

static void print_histogram(const Graph *g)
{
    OpCount *hist = xcalloc((size_t)g->n_nodes + 1, sizeof *hist);
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int k = 0;
        while (k < n && strcmp(hist[k].op, g->nodes[i]->op_type) != 0)
            k++;
        if (k == n)
            hist[n++].op = g->nodes[i]->op_type;
        hist[k].count++;
    }
    qsort(hist, (size_t)n, sizeof *hist, by_count_then_name);
    printf("ops (%d nodes):\n", g->n_nodes);
    for (int k = 0; k < n; k++)
        printf("  %-24s %d\n", hist[k].op, hist[k].count);
    free(hist);
}

/* Parameters: elements of the float constants the file brings
 * (initializers and Constant values), counted before folding. */
static int64_t count_params(const Graph *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const Tensor *t = g->tensors[i];
        if (t->data && !t->producer && dtype_is_float(t->dtype))
            n += tensor_numel(t);
    }
    return n;
}

int cmd_info(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs("usage: sinter info MODEL.onnx\n"
              "Prints inputs, outputs, the op histogram and the parameter count.\n",
              help ? stdout : stderr);
        return help ? 0 : 2;
    }
    Diag d = {0};
    Graph *g = onnx_load_file(argv[1], &d);
    if (!g)
        return report_errors(&d);
    printf("model %s: graph '%s', ai.onnx opset %d\n", argv[1], g->name, g->opset);
    print_histogram(g);
    printf("parameters: %lld\n", (long long)count_params(g));
    /* Shapes of outputs need inference, which needs every input's shape;
     * report its errors but keep going. */
    bool open_inputs = false;
    for (int i = 0; i < g->n_inputs; i++)
        open_inputs |= !g->inputs[i]->shape_known;
    bool inferred = open_inputs || graph_infer(g, &d);
    printf("tensors:\n");
    for (int i = 0; i < g->n_inputs; i++)
        print_tensor_line("input", g->inputs[i]);
    for (int i = 0; i < g->n_outputs; i++)
        print_tensor_line("output", g->outputs[i]);
    if (open_inputs)
        printf("(inputs with symbolic dims: compile with --shape NAME=D0,D1,... to fix them)\n");
    graph_free(g);
    return inferred ? 0 : report_errors(&d);
}
