/*
 * compile.c - fuzz target: bytes as an .onnx model through everything
 * `sinter compile` does but writing files: load, shape inference and
 * folding, the -O2 passes with the verifier between them, the memory
 * plan, and code generation into memory (the C is discarded, never
 * compiled).  The target is the host's, as `sinter compile` defaults to.
 */
#include "frontend/frontend.h"
#include "fuzz/fuzz.h"
#include "tools/tools.h"

/* Generates the C of a planned graph and throws it away. */
static void generate(const Graph *g, Diag *d)
{
    CodegenOptions co = {.name = "fuzz", .source = "fuzz.onnx", .weights = WEIGHTS_EMBED};
    CodegenOutput out = {0};
    fuzz_expect_reason(codegen_c(g, &co, &out, d), d, "codegen_c");
    codegen_output_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag d = {0};
    CompileOptions o;
    compile_options_init(&o);
    o.model = "fuzz.onnx";
    o.name = "fuzz";
    Graph *g = onnx_load_buffer(data, size, NULL, &d);
    fuzz_expect_reason(g != NULL, &d, "onnx_load_buffer");
    MemPlan plan;
    if (g) {
        g = compile_loaded_graph(g, &o, &plan, NULL, &d);
        fuzz_expect_reason(g != NULL, &d, "compile_loaded_graph");
    }
    if (g)
        generate(g, &d);
    graph_free(g);
    diag_free(&d);
    return 0;
}
