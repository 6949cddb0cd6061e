/*
 * threads_main.c - the program test_threads.c builds around a model that
 * `sinter compile --name model --threads 4` generated (model.h from the
 * include path), to check what docs/generated-code.md promises of
 * --threads:
 *
 *   - the output is bit for bit the same with 1, 2, 3 and 4 threads
 *     (model_set_threads), and with the pool released and started again
 *     between runs;
 *   - an application's parallel-for (model_set_parallel) gives the same
 *     bits: here one that starts a thread per part for each call and runs
 *     the parts in reverse order, so nothing may depend on which thread
 *     runs a part or when.
 *
 * Every run is on the same pseudo-random input; the 1-thread output is
 * the reference.  Exit status 0 when every output matches, 1 otherwise;
 * the pool is released at the end, so a leak checker sees no thread left.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || MODEL_INPUT0_DTYPE != 1 || \
    MODEL_OUTPUT0_DTYPE != 1
#error "test_threads drives models of one float32 input and one float32 output"
#endif
#if MODEL_THREADS != 4
#error "test_threads compiles its models with --threads 4"
#endif

typedef void (*task_fn)(void *arg, size_t begin, size_t end);

/* A part of an application's parallel-for: one call of the task. */
typedef struct {
    task_fn task;
    void *arg;
    size_t part;
} Part;

static void *run_part(void *arg)
{
    Part *p = arg;
    p->task(p->arg, p->part, p->part + 1);
    return NULL;
}

/* An application's parallel-for: a thread per part, started in reverse
 * order; part 0 in the calling thread. */
static void own_parallel_for(void *ctx, task_fn task, void *arg, size_t parts)
{
    Part part[MODEL_THREADS];
    pthread_t thread[MODEL_THREADS];
    size_t i;
    int *calls = ctx;
    ++*calls;
    for (i = parts; i-- > 1;) {
        part[i] = (Part){task, arg, i};
        if (pthread_create(&thread[i], NULL, run_part, &part[i]) != 0)
            run_part(&part[i]), thread[i] = pthread_self();
    }
    task(arg, 0, 1);
    for (i = 1; i < parts; i++)
        if (!pthread_equal(thread[i], pthread_self()))
            pthread_join(thread[i], NULL);
}

static void fill_input(float *x, size_t n)
{
    uint32_t seed = 7;
    size_t i;
    for (i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
    }
}

/* Runs the model into out; 0 and a message when it fails or differs
 * from ref (when ref is given). */
static int run_matches(const float *in, float *out, const float *ref, const char *what)
{
    memset(out, 0xff, sizeof(float) * MODEL_OUTPUT0_SIZE);
    if (model_run(in, out) != 0) {
        fprintf(stderr, "%s: model_run failed\n", what);
        return 0;
    }
    if (ref && memcmp(out, ref, sizeof(float) * MODEL_OUTPUT0_SIZE) != 0) {
        fprintf(stderr, "%s: the output differs from the 1-thread output\n", what);
        return 0;
    }
    return 1;
}

int main(void)
{
    float *in = malloc(sizeof(float) * MODEL_INPUT0_SIZE);
    float *ref = malloc(sizeof(float) * MODEL_OUTPUT0_SIZE);
    float *out = malloc(sizeof(float) * MODEL_OUTPUT0_SIZE);
    char what[64];
    int ok, threads, calls = 0;
    if (!in || !ref || !out)
        return 1;
    fill_input(in, MODEL_INPUT0_SIZE);
    ok = model_set_threads(0) == -1 && model_set_threads(MODEL_THREADS + 1) == -1;
    if (!ok)
        fprintf(stderr, "model_set_threads accepted a count outside 1 .. %d\n", MODEL_THREADS);
    ok = ok && model_set_threads(1) == 0 && run_matches(in, ref, NULL, "1 thread");
    for (threads = 2; ok && threads <= MODEL_THREADS; threads++) {
        snprintf(what, sizeof what, "%d threads", threads);
        ok = model_set_threads(threads) == 0 && run_matches(in, out, ref, what) &&
             run_matches(in, out, ref, what);
        /* Released and started again by the next run. */
        model_release_threads();
        ok = ok && run_matches(in, out, ref, what);
    }
    model_set_parallel(own_parallel_for, &calls);
    ok = ok && run_matches(in, out, ref, "the application's parallel-for");
    if (ok && calls == 0) {
        fprintf(stderr, "model_set_parallel: the application's parallel-for was never called\n");
        ok = 0;
    }
    model_set_parallel(NULL, NULL);
    ok = ok && run_matches(in, out, ref, "the pool again");
    model_release_threads();
    free(in);
    free(ref);
    free(out);
    return ok ? 0 : 1;
}
