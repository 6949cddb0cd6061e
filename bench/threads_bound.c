/*
 * threads_bound.c - what --threads N can gain on a model, measured on a
 * busy machine, where timing N threads measures the other jobs as much
 * as the code.
 *
 * Built around a model compiled with `sinter compile --name model
 * --threads N`, it hands the model its own parallel-for
 * (model_set_parallel) that runs the parts of every kernel one after
 * the other in the calling thread, timing each with the thread's CPU
 * clock (time the OS gave to other jobs is not counted).  Then
 *
 *   serial  = the CPU time of a whole run,
 *   bound   = serial - (time in parts) + (sum over kernels of the
 *             slowest part),
 *
 * the run's time on N idle cores if the dispatch were free and the
 * parts did not share memory bandwidth: serial / bound is the speed-up
 * that load balance and the work left serial allow.  Prints the best of
 * RUNS runs.
 *
 * usage: threads_bound RUNS   prints "SERIAL_MS BOUND_MS SPEEDUP KERNEL_SPLITS"
 */
#define _POSIX_C_SOURCE 199309L

#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || MODEL_INPUT0_DTYPE != 1 || \
    MODEL_OUTPUT0_DTYPE != 1 || !defined(MODEL_THREADS)
#error "threads_bound.c drives models of one float32 input and output built with --threads N"
#endif

typedef struct {
    double in_parts, slowest;   /* ms: all parts, the slowest part of each split */
    long splits;
} Timing;

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void timing_parallel_for(void *ctx, void (*task)(void *arg, size_t begin, size_t end),
                                void *arg, size_t parts)
{
    Timing *t = ctx;
    double slowest = 0;
    size_t i;
    for (i = 0; i < parts; i++) {
        double t0 = cpu_ms(), part;
        task(arg, i, i + 1);
        part = cpu_ms() - t0;
        t->in_parts += part;
        if (part > slowest)
            slowest = part;
    }
    t->slowest += slowest;
    t->splits++;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5, r;
    float *in = malloc(MODEL_INPUT0_SIZE * sizeof *in);
    float *out = malloc(MODEL_OUTPUT0_SIZE * sizeof *out + 1);
    double best_serial = -1, best_bound = -1;
    long splits = 0, i;
    Timing t;
    if (runs < 1 || !in || !out) {
        fprintf(stderr, "usage: %s RUNS (and enough memory)\n", argv[0]);
        return 2;
    }
    for (i = 0; i < MODEL_INPUT0_SIZE; i++)
        in[i] = (float)(i % 1000) / 500.0f - 1.0f;
    model_set_parallel(timing_parallel_for, &t);
    model_run(in, out); /* page in weights and arena */
    for (r = 0; r < runs; r++) {
        double t0, serial, bound;
        t.in_parts = t.slowest = 0;
        t.splits = 0;
        t0 = cpu_ms();
        model_run(in, out);
        serial = cpu_ms() - t0;
        bound = serial - t.in_parts + t.slowest;
        if (best_serial < 0 || serial < best_serial)
            best_serial = serial;
        if (best_bound < 0 || bound < best_bound)
            best_bound = bound;
        splits = t.splits;
    }
    printf("%.3f %.3f %.2f %ld\n", best_serial, best_bound, best_serial / best_bound, splits);
    free(in);
    free(out);
    return 0;
}
