/*
 * test_valgrind.c - the generated code of the seed fixtures runs clean
 * under valgrind's memcheck: no read or write out of bounds, no use of
 * an uninitialised value, no leak (--leak-check=full), exit status 0;
 * and the output it writes there still matches PyTorch's within
 * 2e-4 * max|ref| (fixture_compare.h).
 *
 * Each model is compiled with --target VALGRIND_TARGET and built with
 * -O2 -g around model_main.c against VALGRIND_RUNTIME_LIB: on x86 the
 * AVX2 target and a runtime without -march=native, since valgrind 3.19
 * cannot run AVX-512 instructions (tests/meson.build).  Without valgrind
 * it says so and exits 77, which meson counts as skipped, unless
 * SINTER_REQUIRE_VALGRIND is set (scripts/test.sh sets it, so that CI
 * cannot skip it silently): then that is a failure.
 *
 * Everything is built in a temporary folder, removed at the end.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, strtok_r */

#include <CUnit/Basic.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture_compare.h"
#include "frontend_fixtures.h" /* remove_tree */
#include "subprocess.h"

#ifndef SINTER_BIN
#error "meson passes the compiler as -DSINTER_BIN"
#endif
#ifndef RUNTIME_INCLUDE
#error "meson passes the runtime's include folder as -DRUNTIME_INCLUDE"
#endif
#ifndef VALGRIND_RUNTIME_LIB
#error "meson passes the runtime built for valgrind as -DVALGRIND_RUNTIME_LIB"
#endif
#ifndef VALGRIND_TARGET
#error "meson passes the --target for valgrind as -DVALGRIND_TARGET"
#endif

#define EXIT_SKIP 77 /* meson's exit status for a skipped test */

static char work[] = "/tmp/sinter-valgrind-XXXXXX";
static char cc[PATH_MAX], valgrind[PATH_MAX];

/* Compiles fixture `file` and builds it around model_main.c into dir/model. */
static bool build_model(const char *file, const char *dir)
{
    char model[PATH_MAX], model_c[PATH_MAX + 16], exe[PATH_MAX + 16], inc_dir[PATH_MAX + 8];
    snprintf(model, sizeof model, FIXTURES "/%s", file);
    snprintf(model_c, sizeof model_c, "%s/model.c", dir);
    snprintf(exe, sizeof exe, "%s/model", dir);
    snprintf(inc_dir, sizeof inc_dir, "-I%s", dir);
    char *compile[] = {SINTER_BIN, "compile", model, "--target", VALGRIND_TARGET, "-o",
                       (char *)dir, "--name", "model", "--weights", "embed", NULL};
    char *build[] = {cc, "-std=c99", "-O2", "-g", "-Wall", "-Wextra", "-Werror", inc_dir,
                     "-I" RUNTIME_INCLUDE, "-o", exe, "model_main.c", model_c,
                     VALGRIND_RUNTIME_LIB, "-lm", NULL};
    return run(compile, "/dev/null") && run(build, NULL);
}

/* Runs dir/model on the fixture's input under memcheck; returns
 * max|out-ref|/max|ref|, or INFINITY when memcheck or the program failed. */
static double run_under_memcheck(const char *file, const char *dir)
{
    char stem[256], input[512], ref_path[512], exe[PATH_MAX + 16], in_raw[PATH_MAX + 16],
        out_raw[PATH_MAX + 16];
    fixture_stem(file, stem, sizeof stem);
    snprintf(input, sizeof input, FIXTURES "/%s_input.npy", stem);
    snprintf(ref_path, sizeof ref_path, FIXTURES "/%s_output.npy", stem);
    snprintf(exe, sizeof exe, "%s/model", dir);
    snprintf(in_raw, sizeof in_raw, "%s/in.raw", dir);
    snprintf(out_raw, sizeof out_raw, "%s/out.raw", dir);
    char *memcheck[] = {valgrind, "-q", "--error-exitcode=1", "--leak-check=full",
                        exe, in_raw, out_raw, NULL};
    Diag d = {0};
    Tensor *in = npy_read(input, &d), *ref = npy_read(ref_path, &d);
    bool ok = in && ref && write_raw(in_raw, in) && run(memcheck, NULL);
    if (d.count)
        fprintf(stderr, "\n%s", d.text.buf);
    double err = ok ? raw_relative_error(out_raw, ref) : INFINITY;
    tensor_free(in);
    tensor_free(ref);
    diag_free(&d);
    return err;
}

/* Every fixture, each built in a folder of its own. */
static void test_fixtures(void)
{
    struct dirent **list;
    int n = scandir(FIXTURES, &list, is_onnx, alphasort);
    CU_ASSERT_TRUE_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        const char *file = list[i]->d_name;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%d", work, i);
        bool built = mkdir(dir, 0777) == 0 && build_model(file, dir);
        CU_ASSERT_TRUE(built);
        double err = built ? run_under_memcheck(file, dir) : INFINITY;
        printf("\n    %-26s max|out-ref|/max|ref| = %.3g", file, err);
        CU_ASSERT_TRUE(err <= TOLERANCE);
        free(list[i]);
    }
    free(list);
}

static int suite_init(void)
{
    return find_program("cc", cc, sizeof cc) && mkdtemp(work) ? 0 : -1;
}

static int suite_cleanup(void)
{
    remove_tree(work);
    return 0;
}

int main(void)
{
    if (!find_program("valgrind", valgrind, sizeof valgrind)) {
        printf("valgrind: skipped: valgrind is not installed (Debian: valgrind)\n");
        if (getenv("SINTER_REQUIRE_VALGRIND")) {
            printf("valgrind: SINTER_REQUIRE_VALGRIND is set: failing\n");
            return 1;
        }
        return EXIT_SKIP;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("valgrind (cc on $PATH, a folder in /tmp)", suite_init,
                               suite_cleanup);
    CU_add_test(s, "fixtures run clean under memcheck --target " VALGRIND_TARGET, test_fixtures);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
                       CU_get_number_of_suites_failed());
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
