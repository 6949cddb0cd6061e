/*
 * test_docs.c - docs/ops.md is generated from the op table by
 * `sinter ops --markdown`; the committed file must equal what the
 * current table prints (regenerate it with that command).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINTER_BIN
#define SINTER_BIN "sinter"
#endif

/* Reads a whole stream; caller frees. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    *len = n;
    return buf;
}

static void test_ops_md_is_current(void)
{
    FILE *gen = popen(SINTER_BIN " ops --markdown", "r");
    FILE *doc = fopen("../docs/ops.md", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(gen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    size_t n_gen, n_doc;
    char *a = read_all(gen, &n_gen), *b = read_all(doc, &n_doc);
    CU_ASSERT_EQUAL(pclose(gen), 0);
    fclose(doc);
    CU_ASSERT_TRUE(n_gen > 0);
    CU_ASSERT_EQUAL(n_gen, n_doc);
    CU_ASSERT_TRUE(n_gen == n_doc && memcmp(a, b, n_gen) == 0);
    if (n_gen != n_doc || memcmp(a, b, n_gen) != 0)
        fprintf(stderr, "docs/ops.md is stale: run `sinter ops --markdown > docs/ops.md`\n");
    free(a);
    free(b);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("docs", NULL, NULL);
    CU_add_test(s, "docs/ops.md matches the op table", test_ops_md_is_current);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
