/*
 * test_models.c - every committed fixture model, end to end: `sinter run`
 * compiles it to C, builds and runs it, and its output must match
 * PyTorch's within 2e-4 * max|ref| (the acceptance rule of the seed
 * models; float32 rounding of a random network stays well inside it).
 *
 * Fixtures are tests/fixtures/STEM_opNN.onnx (or STEM.onnx) with
 * STEM_input.npy and STEM_output.npy beside them; each is tested at
 * -O0 and -O2 (for the host's target), at -O2 for every other target
 * whose kernels this runtime holds and this CPU runs, and two of them
 * with --weights file.
 */
#include "fixture_compare.h"
#include "variants.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SINTER_BIN
#define SINTER_BIN "sinter"
#endif

/* `option` is one more command-line word, e.g. -O2 or --weights=file. */
static int run_sinter(const char *model, const char *input, const char *output, const char *option)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(SINTER_BIN, SINTER_BIN, "run", model, option, "--input", input, "--output", output,
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_fixture(const char *file, const char *option)
{
    char stem[256], model[512], input[512], ref[512], out[512];
    fixture_stem(file, stem, sizeof stem);
    snprintf(model, sizeof model, FIXTURES "/%s", file);
    snprintf(input, sizeof input, FIXTURES "/%s_input.npy", stem);
    snprintf(ref, sizeof ref, FIXTURES "/%s_output.npy", stem);
    snprintf(out, sizeof out, "/tmp/sinter-test-%d-%s.npy", (int)getpid(), stem);
    if (access(input, R_OK) != 0 || access(ref, R_OK) != 0)
        return; /* not a fixture with reference data */
    int status = run_sinter(model, input, out, option);
    CU_ASSERT_EQUAL(status, 0);
    double err = status == 0 ? relative_error(out, ref) : INFINITY;
    printf("\n    %-28s %-14s max|out-ref|/max|ref| = %.3g", file, option, err);
    CU_ASSERT_TRUE(err <= TOLERANCE);
    unlink(out);
}

/* Runs every fixture with `option`. */
static void test_fixtures_with(const char *option)
{
    struct dirent **list;
    int n = scandir(FIXTURES, &list, is_onnx, alphasort);
    CU_ASSERT_TRUE_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        test_fixture(list[i]->d_name, option);
        free(list[i]);
    }
    free(list);
}

static void test_all_fixtures(void)
{
    test_fixtures_with("-O0");
    test_fixtures_with("-O2");
}

/* The targets besides the host's: --target=NAME when the runtime holds
 * its kernels (-DSNT_HAVE_<ISA>) and this CPU runs them. */
static void test_other_targets(void)
{
    test_fixtures_with("--target=generic");
#ifdef SNT_HAVE_AVX2_FMA
    if (isa_runs("avx2_fma"))
        test_fixtures_with("--target=avx2");
#endif
#ifdef SNT_HAVE_AVX512F
    if (isa_runs("avx512f"))
        test_fixtures_with("--target=avx512");
#endif
}

/* Weights in a separate blob, handed over at run time or linked in with
 * .incbin, give the same result as embedded ones. */
static void test_weights_file(void)
{
    test_fixture("cmunext_s_op13.onnx", "--weights=file");
    test_fixture("unext_s_op13.onnx", "--weights=file");
    test_fixture("cmunext_s_op13.onnx", "--weights=incbin");
    test_fixture("m2snet_op13.onnx", "--weights=incbin");
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("models", NULL, NULL);
    CU_add_test(s, "fixtures match PyTorch", test_all_fixtures);
    CU_add_test(s, "weights from a file", test_weights_file);
    CU_add_test(s, "fixtures on every target", test_other_targets);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
