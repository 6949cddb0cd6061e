/*
 * npy.c - fuzz target: bytes as a .npy file, through the reader
 * (frontend/npy.c) that takes sinter run's inputs and --bind values.
 */
#include "frontend/frontend.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag d = {0};
    Tensor *t = npy_read_buffer(data, size, "fuzz.npy", &d);
    fuzz_expect_reason(t != NULL, &d, "npy_read_buffer");
    tensor_free(t);
    diag_free(&d);
    return 0;
}
