/*
 * test_demo.c - the demo of scripts/demo.sh, end to end: sinter compiles
 * the committed model examples/demo/unext_us.onnx to C, cc builds
 * examples/segment.c around it (with the flags of $SINTER_CFLAGS, as the
 * other end-to-end tests build generated C), and segment runs on each
 * bundled sample examples/demo/sampleK.png.  For each:
 *
 *   - the mask it writes is PyTorch's (sampleK_expected.png, written by
 *     examples/train_unext.py) but for at most MAX_FLIPPED pixels: float
 *     rounding may flip a pixel whose logit is within rounding of 0,
 *     anything more is a wrong result;
 *   - its Dice score against the ground truth (sampleK_truth.png) is at
 *     least MIN_DICE (PyTorch's masks score 0.963, 0.913 and 0.925), and
 *     segment prints that score.
 *
 * segment.c needs libpng, and so does this test, to read the masks: built
 * without it (meson did not find libpng), the test says so and exits 77,
 * which meson counts as skipped.  scripts/test.sh installs libpng-dev.
 *
 * Everything is written in a temporary folder, removed at the end.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <stdio.h>

#define EXIT_SKIP 77 /* meson's exit status for a skipped test */

#ifndef HAVE_LIBPNG

int main(void)
{
    printf("demo: skipped: libpng was not found when Sinter was configured (Debian: libpng-dev)\n");
    return EXIT_SKIP;
}

#else

#include <CUnit/Basic.h>

#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend_fixtures.h" /* remove_tree */

#ifndef SINTER_BIN
#error "meson passes -DSINTER_BIN, -DEXAMPLES_DIR, -DRUNTIME_INCLUDE, -DRUNTIME_LIB, -DPNG_FLAGS"
#endif

#define DEMO_DIR EXAMPLES_DIR "/demo"
#define SAMPLES 3
#define MIN_DICE 0.90
#define MAX_FLIPPED 8
#define MAX_ARGS 64

static char work[] = "/tmp/sinter-demo-XXXXXX";
static char segment[sizeof work + 16]; /* the built program */
static char output[16384];              /* what the last program run said */

/* A gray image read from a PNG. */
typedef struct {
    unsigned width, height;
    unsigned char *pixels;
} Gray;

/* Reads path as 8-bit gray; false (with the reason) when it cannot. */
static bool read_gray(const char *path, Gray *g)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    g->pixels = NULL;
    if (png_image_begin_read_from_file(&image, path)) {
        image.format = PNG_FORMAT_GRAY;
        g->width = image.width;
        g->height = image.height;
        g->pixels = malloc(PNG_IMAGE_SIZE(image));
        if (g->pixels && png_image_finish_read(&image, NULL, g->pixels, 0, NULL))
            return true;
    }
    fprintf(stderr, "\n    %s: %s", path, image.message);
    png_image_free(&image);
    free(g->pixels);
    g->pixels = NULL;
    return false;
}

/* Runs argv (no shell) with its stdout and stderr read into `output`;
 * true when it exits with status 0.  Otherwise prints the command and
 * what it said. */
static bool run(char *const argv[])
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    /* Read to the end, keeping what fits: a child blocked on a full
     * pipe would never exit. */
    char chunk[4096];
    size_t len = 0;
    ssize_t got;
    while ((got = read(fds[0], chunk, sizeof chunk)) > 0) {
        size_t keep = sizeof output - 1 - len < (size_t)got ? sizeof output - 1 - len : (size_t)got;
        memcpy(output + len, chunk, keep);
        len += keep;
    }
    output[len] = '\0';
    close(fds[0]);
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0)
        return true;
    fprintf(stderr, "\n    failed:");
    for (int i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, "\n%s", output);
    return false;
}

/* Appends the space-separated words of `text` (modified) to argv. */
static int add_words(char **argv, int argc, char *text)
{
    for (char *w = strtok(text, " \t"); w && argc < MAX_ARGS - 1; w = strtok(NULL, " \t"))
        argv[argc++] = w;
    return argc;
}

/* sinter compile, then cc: WORK/segment, as scripts/demo.sh builds it. */
static void test_build(void)
{
    char model_c[sizeof work + 16];
    snprintf(model_c, sizeof model_c, "%s/unext.c", work);
    snprintf(segment, sizeof segment, "%s/segment", work);
    char *compile[] = {SINTER_BIN, "compile", DEMO_DIR "/unext_us.onnx", "-o", work,
                       "--name", "unext", NULL};
    CU_ASSERT_TRUE_FATAL(run(compile));

    const char *cc = getenv("SINTER_CC"), *env = getenv("SINTER_CFLAGS");
    char cflags[256], png_flags[] = PNG_FLAGS;
    snprintf(cflags, sizeof cflags, "%s", env && env[0] ? env : "-O2");
    char *argv[MAX_ARGS] = {(char *)(cc && cc[0] ? cc : "cc"), "-std=c99"};
    int argc = add_words(argv, 2, cflags);
    char *files[] = {"-I", RUNTIME_INCLUDE, "-I", work, "-o", segment,
                     EXAMPLES_DIR "/segment.c", model_c, RUNTIME_LIB};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        argv[argc++] = files[i];
    argc = add_words(argv, argc, png_flags);
    argv[argc++] = "-lm";
    argv[argc] = NULL;
    CU_ASSERT_TRUE_FATAL(run(argv));
}

/* Pixels where the masks a and b (same size) differ. */
static int differing(const Gray *a, const Gray *b)
{
    int count = 0;
    for (size_t i = 0; i < (size_t)a->width * a->height; i++)
        count += (a->pixels[i] > 127) != (b->pixels[i] > 127);
    return count;
}

/* Dice score of the masks a and b (same size), as segment.c computes it. */
static double dice(const Gray *a, const Gray *b)
{
    long both = 0, total = 0;
    for (size_t i = 0; i < (size_t)a->width * a->height; i++) {
        bool x = a->pixels[i] > 127, y = b->pixels[i] > 127;
        both += x && y;
        total += x + y;
    }
    return total ? 2.0 * (double)both / (double)total : 1.0;
}

static bool same_size(const Gray *a, const Gray *b)
{
    return a->width == b->width && a->height == b->height;
}

/* Segments sample k; checks its mask against PyTorch's and the truth. */
static void check_sample(int k)
{
    char image[256], truth[256], expected[256], mask[256], overlay[256];
    snprintf(image, sizeof image, DEMO_DIR "/sample%d.png", k);
    snprintf(truth, sizeof truth, DEMO_DIR "/sample%d_truth.png", k);
    snprintf(expected, sizeof expected, DEMO_DIR "/sample%d_expected.png", k);
    snprintf(mask, sizeof mask, "%s/mask%d.png", work, k);
    snprintf(overlay, sizeof overlay, "%s/overlay%d.png", work, k);
    char *argv[] = {segment, image, mask, overlay, truth, NULL};
    CU_ASSERT_TRUE_FATAL(run(argv));

    Gray out, ref, gt, rgb;
    CU_ASSERT_TRUE_FATAL(read_gray(mask, &out) && read_gray(expected, &ref) &&
                         read_gray(truth, &gt) && read_gray(overlay, &rgb));
    CU_ASSERT_TRUE_FATAL(same_size(&out, &ref) && same_size(&out, &gt) && same_size(&out, &rgb));
    int flipped = differing(&out, &ref);
    double score = dice(&out, &gt);
    printf("\n    sample%d: Dice %.4f, %d pixel(s) differ from PyTorch's mask", k, score, flipped);
    CU_ASSERT_TRUE(flipped <= MAX_FLIPPED);
    CU_ASSERT_TRUE(score >= MIN_DICE);
    /* segment printed the same score (the same computation). */
    char said[64];
    snprintf(said, sizeof said, "Dice     %.4f", score);
    CU_ASSERT_PTR_NOT_NULL(strstr(output, said));
    free(out.pixels);
    free(ref.pixels);
    free(gt.pixels);
    free(rgb.pixels);
}

static void test_samples(void)
{
    for (int k = 1; k <= SAMPLES; k++)
        check_sample(k);
}

int main(void)
{
    if (!mkdtemp(work)) {
        perror(work);
        return 1;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("demo", NULL, NULL);
    CU_add_test(s, "segment.c builds around the compiled model", test_build);
    CU_add_test(s, "the samples' masks: PyTorch's, and near the truth", test_samples);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    CU_cleanup_registry();
    remove_tree(work);
    return failed ? 1 : 0;
}

#endif /* HAVE_LIBPNG */
