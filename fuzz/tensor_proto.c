/*
 * tensor_proto.c - fuzz target: bytes as a serialized TensorProto (the
 * .pb files of ONNX's test data, --bind NAME=FILE.pb), through
 * frontend/tensor_reader.c.  External data is refused (no folder).
 */
#include "frontend/frontend.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag d = {0};
    Tensor *t = onnx_load_tensor_buffer(data, size, "fuzz.pb", NULL, &d);
    fuzz_expect_reason(t != NULL, &d, "onnx_load_tensor_buffer");
    tensor_free(t);
    diag_free(&d);
    return 0;
}
