/*
 * test_reentrant.c - the runtime and generated code keep no hidden state,
 * as docs/generated-code.md (Threads) promises:
 *
 *   1. nm lists no writable static data in libsinter_rt.a, and none in a
 *      generated model's object besides model_run's own arena (the one
 *      documented reason model_run is not re-entrant).
 *   2. Fixture models, compiled and built around reentrant_main.c, run in
 *      two threads at once, each with its own arena and input, many
 *      times; every output equals the sequential one bit for bit.  (With
 *      main's static packing buffers, M2SNet at -O0 gave wrong outputs in
 *      a few of every 20 runs.)
 *   3. The seed exports compiled with --threads 4 (threads_main.c) give
 *      the same bits with 1, 2, 3 and 4 threads, with the pool released
 *      and restarted, and with an application's parallel-for.
 *   4. Both programs again, runtime and generated code built with
 *      -fsanitize=thread: no data race (skipped, saying so, where TSan
 *      cannot run).
 *
 * The generated C is built with $SINTER_CFLAGS as test_models' is (so a
 * sanitized build checks it sanitized), plus -pthread.  Everything is
 * built in a temporary folder, removed at the end.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, strtok_r */

#include <CUnit/Basic.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_compare.h"
#include "frontend_fixtures.h" /* remove_tree */
#include "subprocess.h"

#ifndef SINTER_BIN
#error "meson passes the compiler as -DSINTER_BIN"
#endif
#ifndef RUNTIME_LIB
#error "meson passes the runtime library as -DRUNTIME_LIB"
#endif
#ifndef RUNTIME_INCLUDE
#error "meson passes the runtime's include folder as -DRUNTIME_INCLUDE"
#endif

#define MAX_ARGS 64

/* The models, the optimization level, and how many runs each thread
 * makes.  The seed exports (UNeXt and UNeXt-S, CMUNeXt-S, M2SNet) as -O2
 * compiles them; and at -O0 the kernels that multiply on snt_sgemm: MatMul and
 * Linear (UNeXt-S), the portable convolution (M2SNet, where products
 * take most of the time, so that threads sharing packing buffers would
 * clash on nearly every run) and an LSTM with its weights unpacked.  A
 * race shows only when the two threads overlap in the wrong kernel, so
 * the runs are many; each model takes under a second. */
static const struct {
    const char *file, *level;
    const char *iterations;
} models[] = {
    {"unext_op13.onnx", "-O2", "100"},
    {"unext_s_op13.onnx", "-O2", "300"},
    {"cmunext_s_op13.onnx", "-O2", "300"},
    {"m2snet_op13.onnx", "-O2", "50"},
    {"unext_s_op13.onnx", "-O0", "500"},
    {"m2snet_op13.onnx", "-O0", "40"},
    {"lstm2_op13.onnx", "-O0", "1000"},
};

static char work[] = "/tmp/sinter-reentrant-XXXXXX";
static char cc[PATH_MAX], nm[PATH_MAX];

/* ------------------------------------------------------------------ */
/* Writable static data, as nm lists it                                */
/* ------------------------------------------------------------------ */

/*
 * Whether an object's section holds data the program may write: .data
 * and .bss, their thread-local and small-data forms, and common symbols.
 * .data.rel.ro is not: it holds const objects with pointers in them (the
 * micro-kernel descriptors under -fPIC), which the loader relocates and
 * then makes read-only.
 */
static bool is_writable_section(const char *section)
{
    static const char *const writable[] = {".data", ".bss", ".tdata", ".tbss",
                                           ".sdata", ".sbss", "*COM*"};
    if (strncmp(section, ".data.rel.ro", 12) == 0)
        return false;
    for (size_t i = 0; i < sizeof writable / sizeof writable[0]; i++)
        if (strncmp(section, writable[i], strlen(writable[i])) == 0)
            return true;
    return false;
}

/* A symbol a sanitizer adds, not state of the code's own: in a sanitized
 * build, AddressSanitizer's one-byte marker __odr_asan.NAME for each
 * exported global (to detect one-definition-rule violations). */
static bool is_sanitizer_symbol(const char *name)
{
    return strncmp(name, "__odr_asan", 10) == 0;
}

/* Copies field `index` of a `nm -f sysv` line ("name | value | class |
 * type | size | line | section"), without its blanks, into out; false
 * when the line has no such field. */
static bool sysv_field(const char *line, int index, char *out, size_t size)
{
    for (int i = 0; i < index; i++) {
        line = strchr(line, '|');
        if (!line)
            return false;
        line++;
    }
    size_t len = strcspn(line, "|\n");
    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), line);
    return true;
}

typedef struct {
    int symbols;        /* symbols nm listed */
    int writable;       /* of them in writable sections, besides the allowed one */
    bool allowed_seen;  /* the allowed symbol was there */
} SymbolCount;

/*
 * Runs nm on the object or archive at `path` and counts the symbols in
 * writable sections, printing each.  One symbol may be allowed: a name
 * containing `allowed` (NULL for none) of exactly `allowed_size` bytes.
 */
static SymbolCount count_writable(const char *path, const char *allowed, size_t allowed_size)
{
    SymbolCount c = {0};
    char listing[PATH_MAX + 16], line[1024];
    snprintf(listing, sizeof listing, "%s/nm.txt", work);
    char *argv[] = {nm, "-f", "sysv", (char *)path, NULL};
    CU_ASSERT_TRUE_FATAL(run(argv, listing));
    FILE *f = fopen(listing, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    while (fgets(line, sizeof line, f)) {
        char name[512], size[64], section[128];
        if (!sysv_field(line, 0, name, sizeof name) || !sysv_field(line, 4, size, sizeof size) ||
            !sysv_field(line, 6, section, sizeof section) || strcmp(name, "Name") == 0)
            continue;
        c.symbols++;
        if (!is_writable_section(section) || is_sanitizer_symbol(name))
            continue;
        if (allowed && strstr(name, allowed) && strtoull(size, NULL, 16) == allowed_size) {
            c.allowed_seen = true;
            continue;
        }
        printf("\n    %s: writable '%s' (%s bytes in %s)", path, name, size, section);
        c.writable++;
    }
    fclose(f);
    return c;
}

static void test_runtime_has_no_static_data(void)
{
    SymbolCount c = count_writable(RUNTIME_LIB, NULL, 0);
    CU_ASSERT_TRUE(c.symbols > 0); /* nm's listing was read */
    CU_ASSERT_EQUAL(c.writable, 0);
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

/* MODEL_ARENA_BYTES from the model.h in dir; 0 when it is not there. */
static size_t arena_bytes(const char *dir)
{
    char path[PATH_MAX + 16], line[256];
    const char *key = "#define MODEL_ARENA_BYTES ";
    size_t bytes = 0;
    snprintf(path, sizeof path, "%s/model.h", dir);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0)
            bytes = strtoull(line + strlen(key), NULL, 10);
    if (f)
        fclose(f);
    return bytes;
}

/* argv = cc, the words of $SINTER_CFLAGS (default -O2), then `rest`
 * (NULL-terminated).  flags is the copy of $SINTER_CFLAGS argv points
 * into; the caller frees it. */
static void cc_command(char **argv, char **flags, char *const *rest)
{
    const char *env = getenv("SINTER_CFLAGS");
    int k = 0;
    *flags = strdup(env && env[0] ? env : "-O2");
    argv[k++] = cc;
    argv[k++] = "-std=c99";
    char *save = NULL;
    for (char *w = strtok_r(*flags, " ", &save); w && k < MAX_ARGS / 2;
         w = strtok_r(NULL, " ", &save))
        argv[k++] = w;
    for (int i = 0; rest[i] && k < MAX_ARGS - 1; i++)
        argv[k++] = rest[i];
    argv[k] = NULL;
}

/* How build_model makes a program around a fixture: the driver, the
 * extra `sinter compile` option (--threads N, or NULL), the runtime, and
 * an extra compiler flag (-fsanitize=thread, or NULL). */
typedef struct {
    const char *driver, *threads, *runtime, *cflag;
} Program;

static const Program reentrant_program = {"reentrant_main.c", NULL, RUNTIME_LIB, NULL};

/* Compiles fixture `file` at `level` into work/NAME, builds its object
 * and the driver around it; the driver's path goes to exe. */
static bool build_model(const Program *pg, const char *file, const char *level, int index,
                        char *exe, size_t size)
{
    char dir[PATH_MAX], model[PATH_MAX], model_c[PATH_MAX + 16], model_o[PATH_MAX + 16];
    char inc_dir[PATH_MAX + 8], *argv[MAX_ARGS], *flags;
    snprintf(dir, sizeof dir, "%s/%d", work, index);
    snprintf(model, sizeof model, FIXTURES "/%s", file);
    snprintf(model_c, sizeof model_c, "%s/model.c", dir);
    snprintf(model_o, sizeof model_o, "%s/model.o", dir);
    snprintf(inc_dir, sizeof inc_dir, "-I%s", dir);
    snprintf(exe, size, "%s/program", dir);
    char *compile[] = {SINTER_BIN, "compile", model, (char *)level, "-o", dir, "--name", "model",
                       pg->threads ? "--threads" : NULL, (char *)pg->threads, NULL};
    char *object[] = {"-Wall", "-Wextra", "-Werror", "-I" RUNTIME_INCLUDE, "-c", model_c,
                      "-o", model_o, (char *)pg->cflag, NULL};
    char *program[] = {"-Wall", "-Wextra", "-Werror", "-pthread", inc_dir,
                       "-I" RUNTIME_INCLUDE, "-o", exe, (char *)pg->driver, model_o,
                       (char *)pg->runtime, "-lm", (char *)pg->cflag, NULL};
    bool ok = run(compile, "/dev/null");
    cc_command(argv, &flags, object);
    ok = ok && run(argv, NULL);
    free(flags);
    cc_command(argv, &flags, program);
    ok = ok && run(argv, NULL);
    free(flags);
    return ok;
}

/* The object of the model built in work/index has no writable static
 * data but model_run's arena (of MODEL_ARENA_BYTES, 1 when that is 0). */
static void check_model_object(int index)
{
    char dir[PATH_MAX], object[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/%d", work, index);
    snprintf(object, sizeof object, "%s/model.o", dir);
    size_t bytes = arena_bytes(dir);
    SymbolCount c = count_writable(object, "arena", bytes ? bytes : 1);
    CU_ASSERT_TRUE(c.allowed_seen);
    CU_ASSERT_EQUAL(c.writable, 0);
}

static void test_models(void)
{
    for (int i = 0; i < (int)(sizeof models / sizeof models[0]); i++) {
        char exe[PATH_MAX + 16];
        bool built = build_model(&reentrant_program, models[i].file, models[i].level, i, exe,
                                 sizeof exe);
        CU_ASSERT_TRUE(built);
        if (!built)
            continue;
        check_model_object(i);
        char *threads[] = {exe, (char *)models[i].iterations, NULL};
        bool same = run(threads, NULL);
        printf("\n    %-22s %s  2 threads x %5s runs: %s", models[i].file, models[i].level,
               models[i].iterations, same ? "every output as run alone " : "OUTPUTS DIFFER ");
        CU_ASSERT_TRUE(same);
    }
}

/* ------------------------------------------------------------------ */
/* --threads                                                           */
/* ------------------------------------------------------------------ */

/* The seed exports, and an attention head whose products of two
 * activations split (snt_sgemm_mt), compiled with --threads 4 around
 * threads_main.c: the same bits with 1, 2, 3 and 4 threads, after the
 * pool is released and started again, and with the application's own
 * parallel-for. */
static const char *const thread_models[] = {"unext_s_op13.onnx", "cmunext_s_op13.onnx",
                                            "m2snet_op13.onnx", "attention48_op13.onnx"};

static void test_thread_counts(void)
{
    static const Program threads_program = {"threads_main.c", "4", RUNTIME_LIB, NULL};
    for (int i = 0; i < (int)(sizeof thread_models / sizeof thread_models[0]); i++) {
        char exe[PATH_MAX + 16];
        bool built = build_model(&threads_program, thread_models[i], "-O2", 100 + i, exe,
                                 sizeof exe);
        CU_ASSERT_TRUE(built);
        char *argv[] = {exe, NULL};
        bool same = built && run(argv, NULL);
        printf("\n    %-22s --threads 4: %s", thread_models[i],
               same ? "1, 2, 3, 4 threads and an own parallel-for give the same bits "
                    : "OUTPUTS DIFFER ");
        CU_ASSERT_TRUE(same);
    }
}

#ifdef RUNTIME_TSAN_LIB
/* Whether a program built with -fsanitize=thread runs here (TSan needs
 * a memory layout that some kernels and containers refuse). */
static bool tsan_runs(void)
{
    char src[PATH_MAX + 16], exe[PATH_MAX + 16];
    snprintf(src, sizeof src, "%s/tsan_probe.c", work);
    snprintf(exe, sizeof exe, "%s/tsan_probe", work);
    FILE *f = fopen(src, "w");
    if (!f)
        return false;
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    char *build[] = {cc, "-fsanitize=thread", "-o", exe, src, NULL};
    char *probe[] = {exe, NULL};
    return run(build, "/dev/null") && run(probe, "/dev/null");
}

/*
 * The concurrency test of reentrant_main.c (two threads, one arena
 * each) and threads_main.c (the pool started, stopped, started again,
 * an application's pool) under ThreadSanitizer: the runtime built with
 * -fsanitize=thread (meson's sinter_rt_tsan), the generated code too.
 * TSan fails the run (exit status 66) on any data race it sees.
 */
static void test_under_tsan(void)
{
    static const Program tsan_reentrant = {"reentrant_main.c", NULL, RUNTIME_TSAN_LIB,
                                           "-fsanitize=thread"};
    static const Program tsan_threads = {"threads_main.c", "4", RUNTIME_TSAN_LIB,
                                         "-fsanitize=thread"};
    char exe[PATH_MAX + 16];
    if (!tsan_runs()) {
        printf("\n    SKIPPED: a program built with -fsanitize=thread does not run here ");
        return;
    }
    for (int i = 0; i < (int)(sizeof thread_models / sizeof thread_models[0]); i++) {
        bool built = build_model(&tsan_reentrant, thread_models[i], "-O2", 200 + i, exe,
                                 sizeof exe);
        char *reentrant[] = {exe, "3", NULL};
        bool clean = built && run(reentrant, NULL);
        CU_ASSERT_TRUE(built);
        built = build_model(&tsan_threads, thread_models[i], "-O2", 300 + i, exe, sizeof exe);
        char *threads[] = {exe, NULL};
        clean = clean && built && run(threads, NULL);
        CU_ASSERT_TRUE(built);
        printf("\n    %-22s under TSan: %s", thread_models[i],
               clean ? "no race, same bits " : "RACE OR DIFFERENCE ");
        CU_ASSERT_TRUE(clean);
    }
}
#endif

int main(void)
{
    if (!find_program("cc", cc, sizeof cc) || !find_program("nm", nm, sizeof nm)) {
        printf("reentrant: cc and nm must be on $PATH\n");
        return 1;
    }
    if (!mkdtemp(work)) {
        perror(work);
        return 1;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("reentrant", NULL, NULL);
    CU_add_test(s, "the runtime has no writable static data", test_runtime_has_no_static_data);
    CU_add_test(s, "models run in two threads as alone, only model_run's arena static",
                test_models);
    CU_add_test(s, "--threads: the same bits with 1 to 4 threads and an own pool",
                test_thread_counts);
#ifdef RUNTIME_TSAN_LIB
    CU_add_test(s, "both concurrency tests under ThreadSanitizer", test_under_tsan);
#else
    printf("reentrant: no ThreadSanitizer runtime in this build (a sanitized build, or the "
           "compiler lacks -fsanitize=thread): the TSan test is left out\n");
#endif
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    CU_cleanup_registry();
    remove_tree(work);
    return failed ? 1 : 0;
}
