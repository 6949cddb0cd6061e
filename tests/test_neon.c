/*
 * test_neon.c - the AArch64 NEON micro-kernel variants and
 * `sinter compile --target neon`, on a machine that is not AArch64:
 * Debian's cross compiler (aarch64-linux-gnu-gcc) builds the runtime and
 * the programs below for AArch64, statically, and qemu's user-mode
 * emulator (qemu-aarch64) runs them.
 *
 *   1. The runtime: the files runtime/meson.build lists for the generic
 *      library and for the neon ISA (meson passes them in as
 *      NEON_RUNTIME_FILES), built once into an archive.
 *   2. neon_kernels.c: every NEON variant against the scalar variant of
 *      its family on ragged shapes (CUnit is not available for AArch64,
 *      so that program reports by its exit status).
 *   3. Every fixture of tests/fixtures (fixture_compare.h), compiled with
 *      --target neon, built around model_main.c and run; its output
 *      must match PyTorch's within 2e-4 * max|ref|.
 *
 * Without the cross compiler or qemu (Debian packages gcc-aarch64-linux-gnu,
 * libc6-dev-arm64-cross, qemu-user) it says so and exits 77, which meson
 * counts as skipped, unless SINTER_REQUIRE_NEON is set (scripts/test.sh
 * sets it, so CI cannot skip it silently): then that is a failure.
 *
 * Everything is built in a temporary folder, removed at the end.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, strtok_r, clock_gettime */

#include <CUnit/Basic.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture_compare.h"
#include "frontend_fixtures.h" /* remove_tree */
#include "subprocess.h"

#ifndef SINTER_BIN
#define SINTER_BIN "sinter"
#endif
#ifndef RUNTIME_DIR
#define RUNTIME_DIR "../runtime"
#endif
#ifndef NEON_RUNTIME_FILES
#error "meson passes the runtime's files as -DNEON_RUNTIME_FILES"
#endif

#define MAX_ARGS 256
#define EXIT_SKIP 77 /* meson's exit status for a skipped test */

/* As the project builds each part (runtime/meson.build, tests/meson.build):
 * the runtime and generated code are C99, test code C11; generated code
 * and test programs must build without warnings. */
#define RUNTIME_FLAGS "-std=c99", "-O2", "-Wall", "-Wextra"
#define PROGRAM_FLAGS "-O2", "-static", "-Wall", "-Wextra", "-Werror"

static char cross_cc[PATH_MAX], cross_ar[PATH_MAX], qemu[PATH_MAX];
static char work[] = "/tmp/sinter-neon-XXXXXX";
static char runtime_lib[PATH_MAX + 32]; /* the archive, once built */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* The runtime for AArch64                                             */
/* ------------------------------------------------------------------ */

/* "src/f32-gemm/pack.c" -> WORK/rt/f32-gemm_pack.o: two families have
 * files of the same name, so the folder stays in the object's name. */
static void object_name(const char *src, char *obj, size_t size)
{
    const char *rel = strncmp(src, "src/", 4) == 0 ? src + 4 : src;
    snprintf(obj, size, "%s/rt/%s", work, rel);
    for (char *p = obj + strlen(work) + 4; *p; p++)
        if (*p == '/')
            *p = '_';
    obj[strlen(obj) - 1] = 'o';
}

/* Compiles every runtime file, as many at a time as there are CPUs, and
 * archives the objects. */
static void test_runtime(void)
{
    double t0 = now();
    char *files = strdup(NEON_RUNTIME_FILES), *save = NULL;
    char *srcs[MAX_ARGS], *objs[MAX_ARGS];
    int n = 0;
    for (char *f = strtok_r(files, " ", &save); f && n < MAX_ARGS; f = strtok_r(NULL, " ", &save)) {
        srcs[n] = malloc(PATH_MAX);
        objs[n] = malloc(PATH_MAX + 32);
        snprintf(srcs[n], PATH_MAX, "%s/%s", RUNTIME_DIR, f);
        object_name(f, objs[n], PATH_MAX + 32);
        n++;
    }
    CU_ASSERT_TRUE(n > 0 && n < MAX_ARGS);
    char rt_dir[PATH_MAX + 8], include[PATH_MAX];
    snprintf(rt_dir, sizeof rt_dir, "%s/rt", work);
    snprintf(include, sizeof include, "-I%s/include", RUNTIME_DIR);
    CU_ASSERT_EQUAL_FATAL(mkdir(rt_dir, 0777), 0);

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = cpus > 1 ? (int)(cpus < 8 ? cpus : 8) : 1, running = 0, ok = 1;
    pid_t pids[8];
    char *const *cmds[8];
    char *argv[MAX_ARGS][16];
    for (int i = 0; i < n || running > 0;) {
        if (i < n && running < jobs) {
            char **a = argv[i];
            int k = 0;
            const char *flags[] = {RUNTIME_FLAGS};
            a[k++] = cross_cc;
            for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
                a[k++] = (char *)flags[f];
            a[k++] = include;
            a[k++] = "-c";
            a[k++] = srcs[i];
            a[k++] = "-o";
            a[k++] = objs[i];
            a[k] = NULL;
            pids[running] = start(a, NULL);
            cmds[running++] = a;
            i++;
        } else {
            /* The oldest job first: all take about as long. */
            ok &= finish(pids[0], cmds[0]);
            memmove(pids, pids + 1, (size_t)--running * sizeof *pids);
            memmove(cmds, cmds + 1, (size_t)running * sizeof *cmds);
        }
    }
    CU_ASSERT_TRUE(ok);
    if (ok) {
        char *ar[MAX_ARGS + 4];
        int k = 0;
        snprintf(runtime_lib, sizeof runtime_lib, "%s/libsinter_rt.a", rt_dir);
        ar[k++] = cross_ar;
        ar[k++] = "rcs";
        ar[k++] = runtime_lib;
        for (int i = 0; i < n; i++)
            ar[k++] = objs[i];
        ar[k] = NULL;
        if (!run(ar, NULL))
            runtime_lib[0] = '\0';
        CU_ASSERT_TRUE(runtime_lib[0] != '\0');
    }
    printf("\n    %d files in %.1f s ", n, now() - t0);
    for (int i = 0; i < n; i++) {
        free(srcs[i]);
        free(objs[i]);
    }
    free(files);
}

/* ------------------------------------------------------------------ */
/* The NEON variants                                                   */
/* ------------------------------------------------------------------ */

static void test_kernels(void)
{
    CU_ASSERT_TRUE_FATAL(runtime_lib[0] != '\0');
    double t0 = now();
    char exe[PATH_MAX + 16], include[PATH_MAX];
    snprintf(exe, sizeof exe, "%s/neon_kernels", work);
    snprintf(include, sizeof include, "-I%s/include", RUNTIME_DIR);
    /* -DSNT_HAVE_NEON: the variant lists (variants.h) hold the NEON ones. */
    char *build[] = {cross_cc, "-std=c11", PROGRAM_FLAGS, "-DSNT_HAVE_NEON", include,
                     "-o", exe, "neon_kernels.c", runtime_lib, "-lm", NULL};
    CU_ASSERT_TRUE_FATAL(run(build, NULL));
    char *test[] = {qemu, exe, NULL};
    printf("\n");
    CU_ASSERT_TRUE(run(test, NULL));
    printf("    in %.1f s ", now() - t0);
}

/* ------------------------------------------------------------------ */
/* The fixtures with --target neon                                     */
/* ------------------------------------------------------------------ */

/* How often `needle` occurs in the file at `path` (0 when unreadable). */
static int count_in_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    Str text = {0};
    char chunk[65536];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        str_putn(&text, chunk, n);
    if (f)
        fclose(f);
    int count = 0;
    for (const char *p = text.buf; p && (p = strstr(p, needle)); p += strlen(needle))
        count++;
    str_free(&text);
    return count;
}

/* One fixture: compile for neon, build with the driver, run, compare.
 * Returns how many calls of NEON variants the generated C makes. */
static int test_fixture(const char *file)
{
    char stem[256], model[512], input[512], ref_path[512];
    fixture_stem(file, stem, sizeof stem);
    snprintf(model, sizeof model, FIXTURES "/%s", file);
    snprintf(input, sizeof input, FIXTURES "/%s_input.npy", stem);
    snprintf(ref_path, sizeof ref_path, FIXTURES "/%s_output.npy", stem);
    if (access(input, R_OK) != 0 || access(ref_path, R_OK) != 0)
        return 0; /* not a fixture with reference data */

    double t0 = now();
    char dir[PATH_MAX], model_c[PATH_MAX + 16], exe[PATH_MAX + 16], in_raw[PATH_MAX + 16],
        out_raw[PATH_MAX + 16], inc_dir[PATH_MAX + 8], inc_rt[PATH_MAX];
    char base[256];
    snprintf(base, sizeof base, "%s", file);
    *strrchr(base, '.') = '\0'; /* unext_op13 and unext_op17 share a stem */
    snprintf(dir, sizeof dir, "%s/%s", work, base);
    snprintf(model_c, sizeof model_c, "%s/model.c", dir);
    snprintf(exe, sizeof exe, "%s/model", dir);
    snprintf(in_raw, sizeof in_raw, "%s/in.raw", dir);
    snprintf(out_raw, sizeof out_raw, "%s/out.raw", dir);
    snprintf(inc_dir, sizeof inc_dir, "-I%s", dir);
    snprintf(inc_rt, sizeof inc_rt, "-I%s/include", RUNTIME_DIR);

    Diag d = {0};
    Tensor *in = npy_read(input, &d), *ref = npy_read(ref_path, &d);
    double err = INFINITY;
    char *compile[] = {SINTER_BIN, "compile", model, "--target", "neon", "-o", dir, "--name",
                       "model", NULL};
    char *build[] = {cross_cc, "-std=c99", PROGRAM_FLAGS, inc_dir, inc_rt, "-o", exe,
                     "model_main.c", model_c, runtime_lib, "-lm", NULL};
    char *exec[] = {qemu, exe, in_raw, out_raw, NULL};
    bool ok = in && ref && in->dtype == DT_FLOAT && (mkdir(dir, 0777) == 0 || errno == EEXIST) &&
              write_raw(in_raw, in);
    if (!ok)
        fprintf(stderr, "\n    %s: cannot stage a float32 input in %s\n%s", file, in_raw,
                d.count ? d.text.buf : "");
    CU_ASSERT_TRUE(ok);
    ok = ok && run(compile, "/dev/null") && run(build, NULL) && run(exec, NULL);
    CU_ASSERT_TRUE(ok);
    if (ok)
        err = raw_relative_error(out_raw, ref);
    int neon_calls = count_in_file(model_c, "__neon");
    printf("\n    %-28s max|out-ref|/max|ref| = %-9.3g %3d NEON calls %5.1f s ", file, err,
           neon_calls, now() - t0);
    CU_ASSERT_TRUE(err <= TOLERANCE);
    tensor_free(in);
    tensor_free(ref);
    diag_free(&d);
    return neon_calls;
}

static void test_fixtures(void)
{
    CU_ASSERT_TRUE_FATAL(runtime_lib[0] != '\0');
    struct dirent **list;
    int n = scandir(FIXTURES, &list, is_onnx, alphasort);
    CU_ASSERT_TRUE_FATAL(n > 0);
    int neon_calls = 0;
    for (int i = 0; i < n; i++) {
        neon_calls += test_fixture(list[i]->d_name);
        free(list[i]);
    }
    free(list);
    /* Code that fell back to the scalar variants would match PyTorch
     * just as well: --target neon must reach the NEON ones somewhere. */
    CU_ASSERT_TRUE(neon_calls > 0);
}

/* ------------------------------------------------------------------ */

/* Whether the cross compiler has a static C library to link: gcc prints
 * the path of the libc.a it would use, or the bare name when it has none
 * (gcc-aarch64-linux-gnu installed without libc6-dev-arm64-cross). */
static bool cross_libc_found(void)
{
    int fds[2];
    char out[PATH_MAX] = {0};
    if (pipe(fds) != 0)
        return false;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(cross_cc, cross_cc, "-print-file-name=libc.a", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (pid > 0 && len < sizeof out - 1 && (r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    return pid > 0 && strchr(out, '/') != NULL;
}

/* Finds the cross tools; false, with the reason printed, without them. */
static bool find_tools(void)
{
    const char *missing = NULL;
    if (!find_program("aarch64-linux-gnu-gcc", cross_cc, sizeof cross_cc))
        missing = "aarch64-linux-gnu-gcc";
    else if (!find_program("aarch64-linux-gnu-ar", cross_ar, sizeof cross_ar))
        missing = "aarch64-linux-gnu-ar";
    else if (!cross_libc_found())
        missing = "the AArch64 C library (libc.a)";
    else if (!find_program("qemu-aarch64", qemu, sizeof qemu) &&
             !find_program("qemu-aarch64-static", qemu, sizeof qemu))
        missing = "qemu-aarch64 (or qemu-aarch64-static)";
    if (missing)
        printf("neon: skipped: %s not installed (Debian: gcc-aarch64-linux-gnu "
               "libc6-dev-arm64-cross qemu-user)\n",
               missing);
    return missing == NULL;
}

int main(void)
{
    if (!find_tools()) {
        if (getenv("SINTER_REQUIRE_NEON")) {
            printf("neon: SINTER_REQUIRE_NEON is set: failing\n");
            return 1;
        }
        return EXIT_SKIP;
    }
    if (!mkdtemp(work)) {
        perror(work);
        return 1;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("neon", NULL, NULL);
    CU_add_test(s, "runtime cross-built for AArch64", test_runtime);
    CU_add_test(s, "NEON variants against scalar", test_kernels);
    CU_add_test(s, "fixtures with --target neon match PyTorch", test_fixtures);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    double t0 = now();
    CU_basic_run_tests();
    printf("\nneon: %.1f s in all\n", now() - t0);
    int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    CU_cleanup_registry();
    remove_tree(work);
    return failed ? 1 : 0;
}
