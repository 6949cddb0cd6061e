/*
 * fuzz_replay.c - the inputs that once broke a fuzz target, replayed
 * under the normal test build (and the sanitized one): meson links this
 * file with each target of fuzz/ and passes its folder
 * tests/fuzz_corpus/TARGET (a target without one is skipped, exit 77:
 * nothing broke it yet).  Every file in it goes through the
 * target's LLVMFuzzerTestOneInput as libFuzzer would give it; the target
 * aborts when a stage refuses without a message, the sanitizers catch the
 * rest.  A new finding of scripts/fuzz.sh is fixed, then added to its
 * target's folder (named for what it broke).
 */
#define _XOPEN_SOURCE 700 /* scandir, alphasort */

#include <CUnit/Basic.h>

#include <dirent.h>
#include <sys/stat.h>

#include "frontend/internal.h" /* fe_read_file */
#include "fuzz/fuzz.h"

#define EXIT_SKIP 77 /* meson's exit status for a skipped test */

static const char *corpus;

static int is_file(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* One input from the corpus folder; false when it cannot be read. */
static bool replay(const char *name)
{
    Str path = {0};
    str_putf(&path, "%s/%s", corpus, name);
    Diag d = {0};
    uint8_t *data;
    size_t size;
    bool read = fe_read_file(path.buf, &data, &size, &d);
    if (read) {
        printf("\n    %s (%zu bytes)", name, size);
        CU_ASSERT_EQUAL(LLVMFuzzerTestOneInput(data, size), 0);
        free(data);
    } else {
        fprintf(stderr, "%s", d.text.buf);
    }
    diag_free(&d);
    str_free(&path);
    return read;
}

static void test_corpus(void)
{
    struct dirent **list;
    int n = scandir(corpus, &list, is_file, alphasort);
    CU_ASSERT_TRUE_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        CU_ASSERT_TRUE(replay(list[i]->d_name));
        free(list[i]);
    }
    free(list);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_FOLDER\n", argv[0]);
        return 2;
    }
    corpus = argv[1];
    struct stat st;
    if (stat(corpus, &st) != 0) {
        printf("fuzz_replay: skipped: no inputs recorded in %s\n", corpus);
        return EXIT_SKIP;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("fuzz_replay", NULL, NULL);
    CU_add_test(s, "inputs that once broke the target", test_corpus);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
