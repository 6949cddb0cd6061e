/*
 * model_main.c - the main() built around a fixture model that `sinter
 * compile --name model` generated (model.h comes from the include path):
 * reads the one float32 input raw from argv[1], runs model_run, writes
 * the one float32 output raw to argv[2].
 *
 * test_neon.c builds it for AArch64 and runs it under qemu, so it cannot
 * be the harness `sinter run` writes (sinter runs that itself, on this
 * CPU); test_valgrind.c runs it under valgrind, where the program must be
 * nothing but the generated code and what drives it.  Every fixture has
 * one float32 input and output; one that does not stops the build here
 * instead of being misread.
 */
#include <stdio.h>

#include "model.h"

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || MODEL_INPUT0_DTYPE != 1 || \
    MODEL_OUTPUT0_DTYPE != 1
#error "model_main.c drives models of one float32 input and one float32 output"
#endif

/* Static: the larger fixtures' tensors would crowd qemu's stack. */
static float input[MODEL_INPUT0_SIZE], output[MODEL_OUTPUT0_SIZE];

int main(int argc, char **argv)
{
    FILE *f;
    int status;
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT.raw OUTPUT.raw\n", argv[0]);
        return 2;
    }
    /* Exactly the input's bytes: a shorter or longer file is the wrong one. */
    f = fopen(argv[1], "rb");
    if (!f || fread(input, sizeof input, 1, f) != 1 || fgetc(f) != EOF) {
        fprintf(stderr, "%s does not hold exactly %zu bytes\n", argv[1], sizeof input);
        return 1;
    }
    fclose(f);
    status = model_run(input, output);
    f = fopen(argv[2], "wb");
    if (!f || fwrite(output, sizeof output, 1, f) != 1 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    return status;
}
