/*
 * onnx_loader.c - fuzz target: bytes as an .onnx model, through the
 * loader (protobuf parse, validation, IR) and nothing after it.
 * External data is refused (no folder), so no input reaches the disk.
 */
#include "frontend/frontend.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag d = {0};
    Graph *g = onnx_load_buffer(data, size, NULL, &d);
    fuzz_expect_reason(g != NULL, &d, "onnx_load_buffer");
    graph_free(g);
    diag_free(&d);
    return 0;
}
