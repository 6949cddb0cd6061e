/*
 * bench_main.c - times one compiled model: calls model_run in a loop and
 * prints the median and the fastest wall time of one call.
 *
 * run_bench.sh compiles the model with `sinter compile --name model`, so
 * this file includes "model.h" and calls model_run whatever the model.
 * The input is a fixed pseudo-random pattern in [-1, 1): the time of
 * these kernels does not depend on the values, and the checksum of the
 * output lets the script see that -O0 and -O2 computed the same thing.
 *
 * usage: bench RUNS [THREADS]   prints "MEDIAN_MS MIN_MS CHECKSUM"
 *
 * THREADS lowers the thread count of a model compiled with --threads N
 * (model_set_threads).  A model compiled with --profile also prints its
 * per-node table (to stderr) after the timed runs: every node's time
 * over all the calls.
 */
#define _POSIX_C_SOURCE 199309L

#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || MODEL_INPUT0_DTYPE != 1 || \
    MODEL_OUTPUT0_DTYPE != 1
#error "bench_main.c drives models with one float32 input and one float32 output"
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 10;
    if (runs < 1 || runs > 100000) {
        fprintf(stderr, "usage: %s RUNS [THREADS]\n", argv[0]);
        return 2;
    }
#ifdef MODEL_THREADS
    if (argc > 2 && model_set_threads(atoi(argv[2])) != 0) {
        fprintf(stderr, "%s: THREADS must be 1 to %d\n", argv[0], MODEL_THREADS);
        return 2;
    }
#endif
    float *in = malloc(MODEL_INPUT0_SIZE * sizeof *in);
    float *out = malloc(MODEL_OUTPUT0_SIZE * sizeof *out + 1);
    double *ms = malloc((size_t)runs * sizeof *ms);
    if (!in || !out || !ms) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    unsigned state = 12345u;
    for (long i = 0; i < MODEL_INPUT0_SIZE; i++) {
        state = state * 1103515245u + 12345u;
        in[i] = (float)((state >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    /* One call first: page in the weights and the arena. */
    if (model_run(in, out) != 0)
        return 1;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        model_run(in, out);
        ms[r] = now_ms() - t0;
    }
    double checksum = 0;
    for (long i = 0; i < MODEL_OUTPUT0_SIZE; i++)
        checksum += out[i];
    qsort(ms, (size_t)runs, sizeof *ms, by_value);
    printf("%.3f %.3f %.9g\n", ms[runs / 2], ms[0], checksum);
#ifdef MODEL_PROFILE
    model_profile_report();
#endif
    free(in);
    free(out);
    free(ms);
    return 0;
}
