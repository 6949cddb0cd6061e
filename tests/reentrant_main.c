/*
 * reentrant_main.c - the program test_reentrant.c builds around a model
 * that `sinter compile --name model` generated (model.h comes from the
 * include path), to check the promise of docs/generated-code.md:
 * model_run_with_arena keeps no state of its own, so calls at the same
 * time with one arena each give what each gives alone.
 *
 * Two jobs, each with its own input (different pseudo-random values) and
 * arena, first run one after the other for their reference outputs; then
 * two threads run one job each ITERATIONS times at the same time, and
 * every output must equal its job's reference bit for bit.  A kernel that
 * kept state between or during calls (static packing buffers, say) would
 * mix the two jobs' data.  Exit status 0 when all outputs match.
 *
 * Every fixture the test uses has one float32 input and output; one that
 * does not stops the build here instead of being misread.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign, pthread_barrier_t */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || MODEL_INPUT0_DTYPE != 1 || \
    MODEL_OUTPUT0_DTYPE != 1
#error "test_reentrant drives models of one float32 input and one float32 output"
#endif

typedef struct {
    float *input, *output, *reference;
    void *arena;
    long iterations, mismatches;
    pthread_barrier_t *start;   /* where both threads meet before their runs */
} Job;

/* n pseudo-random floats in [-1, 1) from a 32-bit LCG seeded with seed. */
static void fill_input(float *x, size_t n, uint32_t seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
    }
}

/* 64-byte aligned memory, as model_run_with_arena wants its arena;
 * NULL when out of memory. */
static void *aligned(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 1) == 0 ? p : NULL;
}

static int job_init(Job *j, uint32_t seed, long iterations, pthread_barrier_t *start)
{
    j->input = aligned(sizeof(float) * MODEL_INPUT0_SIZE);
    j->output = aligned(sizeof(float) * MODEL_OUTPUT0_SIZE);
    j->reference = aligned(sizeof(float) * MODEL_OUTPUT0_SIZE);
    j->arena = aligned(MODEL_ARENA_BYTES);
    j->iterations = iterations;
    j->mismatches = 0;
    j->start = start;
    if (!j->input || !j->output || !j->reference || !j->arena)
        return 0;
    fill_input(j->input, MODEL_INPUT0_SIZE, seed);
    return model_run_with_arena(j->arena, j->input, j->reference) == 0;
}

static void job_free(Job *j)
{
    free(j->input);
    free(j->output);
    free(j->reference);
    free(j->arena);
}

/* A thread's loop: the job's run, over and over, each output compared
 * with the job's reference. */
static void *run_job(void *arg)
{
    Job *j = arg;
    long i;
    pthread_barrier_wait(j->start); /* both threads start together */
    for (i = 0; i < j->iterations; i++) {
        memset(j->output, 0xff, sizeof(float) * MODEL_OUTPUT0_SIZE);
        if (model_run_with_arena(j->arena, j->input, j->output) != 0 ||
            memcmp(j->output, j->reference, sizeof(float) * MODEL_OUTPUT0_SIZE) != 0)
            j->mismatches++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    Job jobs[2] = {{0}};
    pthread_t threads[2];
    pthread_barrier_t start;
    long iterations = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    int t, ok;
    if (iterations <= 0) {
        fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
        return 2;
    }
    pthread_barrier_init(&start, NULL, 2);
    ok = job_init(&jobs[0], 1, iterations, &start) && job_init(&jobs[1], 2, iterations, &start);
    /* Different inputs must give different outputs, or a thread reading
     * the other's data could go unnoticed. */
    if (ok && memcmp(jobs[0].reference, jobs[1].reference,
                     sizeof(float) * MODEL_OUTPUT0_SIZE) == 0) {
        fprintf(stderr, "the two inputs give the same output: the test cannot see a mix-up\n");
        ok = 0;
    }
    for (t = 0; ok && t < 2; t++)
        if (pthread_create(&threads[t], NULL, run_job, &jobs[t]) != 0) {
            /* A thread already started waits at the barrier for good;
             * returning from main ends it. */
            fprintf(stderr, "cannot start a thread\n");
            return 1;
        }
    if (ok) {
        for (t = 0; t < 2; t++)
            pthread_join(threads[t], NULL);
        for (t = 0; t < 2; t++)
            if (jobs[t].mismatches) {
                fprintf(stderr, "thread %d: %ld of %ld outputs differ from the sequential run\n",
                        t, jobs[t].mismatches, iterations);
                ok = 0;
            }
    }
    for (t = 0; t < 2; t++)
        job_free(&jobs[t]);
    pthread_barrier_destroy(&start);
    return ok ? 0 : 1;
}
