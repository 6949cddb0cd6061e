/*
 * compile.c - fuzz target: bytes as an .onnx model through everything
 * `sinter compile` does but writing files (compile_model of
 * driver/sinter.h): load, shape inference and folding, the -O2 passes
 * with the verifier between them, the memory plan, and code generation
 * into memory (the C is discarded, never compiled).  The target is the
 * host's, as `sinter compile` defaults to.
 */
#include "driver/sinter.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag d = {0};
    CompileOptions o;
    compile_options_init(&o);
    o.model = "fuzz.onnx";
    o.model_data = data;
    o.model_size = size;
    o.name = "fuzz";
    o.weights = WEIGHTS_EMBED;
    CompiledModel m;
    fuzz_expect_reason(compile_model(&o, &m, &d), &d, "compile_model");
    compiled_model_free(&m);
    diag_free(&d);
    return 0;
}
