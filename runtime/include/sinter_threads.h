/*
 * sinter_threads.h - the pthread pool behind `sinter compile --threads N`.
 *
 * The pool's whole state is one snt_threadpool object that its owner
 * declares: the generated file of a model compiled with --threads N > 1
 * holds one (static, initialised with SNT_THREADPOOL_INIT), the runtime
 * none.  snt_threadpool_parallel_for is an snt_parallel_fn
 * (sinter_rt.h): kernels call it through an snt_parallel whose ctx is
 * the pool.
 *
 * Threads: threads - 1 workers, created by the first parallel_for that
 * has work for them (the caller takes parts too), each with a stack
 * of SNT_THREADPOOL_STACK bytes; they live until
 * snt_threadpool_release, after which the next parallel_for starts them
 * again.  Between runs a worker spins for a few microseconds on the
 * run counter (the next node usually follows at once), then sleeps on a
 * condition variable.
 *
 * One run at a time: a parallel_for called while another is in progress
 * (two threads sharing the model) runs its parts inline in its own
 * thread, so concurrent calls never wait for each other's work and
 * compute the same bits.  snt_threadpool_release and
 * snt_threadpool_set_threads must not run concurrently with a
 * parallel_for.
 */
#ifndef SINTER_THREADS_H
#define SINTER_THREADS_H

#include <pthread.h>

#include "sinter_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Threads of one pool at most, the caller's included. */
#define SNT_THREADPOOL_MAX 64
/* Stack of each worker: kernels keep their data in the arena and use
 * little stack. */
#define SNT_THREADPOOL_STACK ((size_t)256 * 1024)

struct snt_threadpool;
typedef struct {
    struct snt_threadpool *pool;
    unsigned long long seen;      /* the run it last took part in */
    pthread_t thread;
} snt_threadpool_worker;

typedef struct snt_threadpool {
    pthread_mutex_t lock;         /* guards the sleeps and starting / stopping */
    pthread_cond_t wake;          /* workers sleep here between runs */
    pthread_cond_t done;          /* the caller sleeps here for the last part */
    pthread_mutex_t busy;         /* held by the run in progress */
    size_t threads;               /* threads of a run, the caller's included */
    size_t started;               /* workers running */
    unsigned long long claim;     /* run << 16 | parts << 8 | next unclaimed part */
    size_t finished;              /* parts of the run done */
    int stopping;
    snt_task task;                /* the current run */
    void *arg;
    snt_threadpool_worker worker[SNT_THREADPOOL_MAX - 1];
} snt_threadpool;

/* A pool of `threads` threads (the caller's included), none started. */
#define SNT_THREADPOOL_INIT(threads) \
    {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, \
     PTHREAD_MUTEX_INITIALIZER, (threads), 0, 0, 0, 0, 0, 0, {{0, 0, 0}}}

/* snt_parallel_fn on the pool `ctx`: the calling thread and the workers
 * take the parts one at a time, task(arg, i, i + 1), until none is left;
 * a worker that is slow to wake leaves its part to the others.  Starts
 * the workers on first use. */
void snt_threadpool_parallel_for(void *ctx, snt_task task, void *arg, size_t parts);
/* Ends the workers (joins them); the next run starts them again. */
void snt_threadpool_release(snt_threadpool *pool);
/* Releases the workers and makes runs use `threads` threads (1 ..
 * SNT_THREADPOOL_MAX; 1: every part inline). */
void snt_threadpool_set_threads(snt_threadpool *pool, size_t threads);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_THREADS_H */
