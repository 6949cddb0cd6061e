/*
 * segment.c - finds the lesions in an ultrasound image with a model that
 * Sinter compiled to C: the whole embedding, in the order a program does it.
 *
 *   1. read the image (a PNG; libpng turns any PNG into 8-bit gray)
 *   2. normalise its pixels exactly as training did
 *   3. call unext_run: one image in, one map of logits out
 *   4. threshold the logits into a mask
 *   5. write the mask and an overlay (the image, the lesion tinted red)
 *
 * Given a ground-truth mask as well, it prints the Dice score of its own
 * mask against it.  It also times unext_run, for the demo.
 *
 * The model is examples/demo/unext_us.onnx (examples/train_unext.py
 * trains and exports it).  Build, as scripts/demo.sh does:
 *
 *   sinter compile examples/demo/unext_us.onnx -o out --name unext
 *   cc -std=c99 -O2 -I runtime/include -I out -o segment examples/segment.c out/unext.c \
 *       build/runtime/libsinter_rt.a $(pkg-config --cflags --libs libpng) -lm
 *
 * Usage: segment IMAGE.png MASK.png OVERLAY.png [TRUTH.png]
 *
 * Plain C99 with POSIX's clock_gettime; the only library is libpng (its
 * "simplified" API of version 1.6, which reads and writes a whole image
 * in one call).
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unext.h"

/* Training fed the model (pixel / 255 - MEAN) / STD (MEAN and STD in
 * examples/train_unext.py).  Any other scaling gives a model inputs it
 * never saw, and it fails quietly: keep these in step with training. */
#define MEAN 0.25f
#define STD 0.18f

/* unext_run is timed over this many runs, after one that warms the
 * caches; the median leaves out runs that another process slowed. */
#define TIMED_RUNS 21

/* The model's input and output shapes, {N, C, H, W}, from unext.h. */
static const int in_shape[] = UNEXT_INPUT0_SHAPE;
static const int out_shape[] = UNEXT_OUTPUT0_SHAPE;

/* One gray image of the model's size: N = C = 1 (checked in main), so
 * the input holds UNEXT_INPUT0_SIZE pixels.  Static: a 256x256 image
 * would already be a large stack frame. */
static unsigned char pixels[UNEXT_INPUT0_SIZE];
static unsigned char truth[UNEXT_INPUT0_SIZE];
static unsigned char mask[UNEXT_INPUT0_SIZE];
static unsigned char overlay[3 * UNEXT_INPUT0_SIZE];
static float input[UNEXT_INPUT0_SIZE];
static float logits[UNEXT_OUTPUT0_SIZE];

/* Reads the PNG at `path` into `gray` as 8-bit gray pixels, row by row.
 * It must be as large as the model's input: the model was exported for
 * one size.  Returns 0, or -1 after saying why. */
static int read_png(const char *path, unsigned char *gray)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        fprintf(stderr, "segment: %s: %s\n", path, image.message);
        return -1;
    }
    if ((int)image.width != in_shape[3] || (int)image.height != in_shape[2]) {
        fprintf(stderr, "segment: %s is %ux%u; the model takes %dx%d\n", path,
                (unsigned)image.width, (unsigned)image.height, in_shape[3], in_shape[2]);
        png_image_free(&image);
        return -1;
    }
    image.format = PNG_FORMAT_GRAY;
    if (!png_image_finish_read(&image, NULL, gray, 0, NULL)) {
        fprintf(stderr, "segment: %s: %s\n", path, image.message);
        return -1;
    }
    return 0;
}

/* Writes the model-sized image `data` (PNG_FORMAT_GRAY or _RGB) to path. */
static int write_png(const char *path, const unsigned char *data, png_uint_32 format)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)in_shape[3];
    image.height = (png_uint_32)in_shape[2];
    image.format = format;
    if (!png_image_write_to_file(&image, path, 0, data, 0, NULL)) {
        fprintf(stderr, "segment: cannot write %s: %s\n", path, image.message);
        return -1;
    }
    return 0;
}

/* Pixels to the model's input, as training computed it, in float. */
static void normalise(const unsigned char *gray, float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = ((float)gray[i] / 255.0f - MEAN) / STD;
}

/* A lesion where the model's probability sigmoid(logit) is above 0.5,
 * which is where the logit is above 0: no exp() needed.  The mask is
 * 255 (lesion) or 0, so that it shows as an image. */
static int threshold(const float *y, unsigned char *m, int n)
{
    int count = 0;
    for (int i = 0; i < n; i++) {
        m[i] = y[i] > 0.0f ? 255 : 0;
        count += m[i] != 0;
    }
    return count;
}

/* The gray image as RGB, the lesion pixels blended 40% towards red. */
static void tint(const unsigned char *gray, const unsigned char *m, unsigned char *rgb, int n)
{
    for (int i = 0; i < n; i++) {
        int g = gray[i], lesion = m[i] != 0;
        rgb[3 * i + 0] = (unsigned char)(lesion ? (6 * g + 4 * 255) / 10 : g);
        rgb[3 * i + 1] = (unsigned char)(lesion ? 6 * g / 10 : g);
        rgb[3 * i + 2] = (unsigned char)(lesion ? 6 * g / 10 : g);
    }
}

/* Dice score 2|A and B| / (|A| + |B|) of two masks (non-zero = lesion);
 * 1 when both are empty: nothing to find, and nothing found. */
static double dice(const unsigned char *a, const unsigned char *b, int n)
{
    long both = 0, total = 0;
    for (int i = 0; i < n; i++) {
        both += a[i] && b[i];
        total += (a[i] != 0) + (b[i] != 0);
    }
    return total ? 2.0 * (double)both / (double)total : 1.0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds of TIMED_RUNS calls of unext_run on x. */
static double time_model(const float *x, float *y)
{
    double t[TIMED_RUNS];
    for (int i = 0; i < TIMED_RUNS; i++) {
        double start = now();
        unext_run(x, y);
        t[i] = now() - start;
    }
    qsort(t, TIMED_RUNS, sizeof t[0], by_value);
    return t[TIMED_RUNS / 2];
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: segment IMAGE.png MASK.png OVERLAY.png [TRUTH.png]\n");
        return 2;
    }
    const char *truth_path = argc == 5 ? argv[4] : NULL;
    const int n = UNEXT_INPUT0_SIZE;
    /* This program handles one gray image in, one logit per pixel out. */
    if (in_shape[0] != 1 || in_shape[1] != 1 || memcmp(in_shape, out_shape, sizeof in_shape)) {
        fprintf(stderr, "segment: the model does not map one gray image to one logit map\n");
        return 1;
    }
    if (read_png(argv[1], pixels) || (truth_path && read_png(truth_path, truth)))
        return 1;

    normalise(pixels, input, n);
    if (unext_run(input, logits) != 0) { /* only a --weights file model fails, before set_weights */
        fprintf(stderr, "segment: unext_run failed\n");
        return 1;
    }
    int lesion = threshold(logits, mask, n);
    tint(pixels, mask, overlay, n);
    if (write_png(argv[2], mask, PNG_FORMAT_GRAY) || write_png(argv[3], overlay, PNG_FORMAT_RGB))
        return 1;

    printf("%s: %dx%d, %d lesion pixels (%.1f%%)\n", argv[1], in_shape[3], in_shape[2], lesion,
           100.0 * lesion / n);
    printf("  mask     %s\n  overlay  %s\n", argv[2], argv[3]);
    if (truth_path)
        printf("  Dice     %.4f against %s\n", dice(mask, truth, n), truth_path);
    printf("  time     %.2f ms per image (unext_run, median of %d runs)\n",
           1e3 * time_model(input, logits), TIMED_RUNS);
    return 0;
}
