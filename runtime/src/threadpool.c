/*
 * threadpool.c - the pthread pool of generated code built with
 * --threads N (sinter_threads.h): an snt_parallel_fn whose state is an
 * object its caller owns.
 *
 * A run publishes (task, arg, parts), sets `pending` to the started
 * workers and bumps `run`; worker i runs part i (if parts > i) and counts
 * `pending` down; the caller runs part 0 and every part no worker has,
 * then waits for `pending` to reach 0.  Both waits spin first: nodes
 * follow each other within microseconds, and a futex sleep and wake-up
 * costs tens of them.  After SPINS polls a worker sleeps on `wake`, the
 * caller on `done`; the counters are read with atomics, and every sleep
 * re-checks its condition under `lock`, which the other side takes
 * before broadcasting, so no wake-up is lost.
 *
 * The counters use the GCC/Clang __atomic builtins (C99 has no atomics);
 * pthread is the only library.
 */
#include <stdint.h>

#include "sinter_threads.h"

/* Polls before sleeping: a few tens of microseconds. */
#define SPINS 20000

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static unsigned long load_run(const snt_threadpool *pool)
{
    return __atomic_load_n(&pool->run, __ATOMIC_ACQUIRE);
}

static size_t load_pending(const snt_threadpool *pool)
{
    return __atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE);
}

/* Waits until pool->run differs from `seen` or the pool stops; returns
 * whether the worker should stop. */
static int wait_for_run(snt_threadpool *pool, unsigned long seen)
{
    int i, stop;
    for (i = 0; i < SPINS; i++) {
        if (load_run(pool) != seen)
            return 0;
        relax();
    }
    pthread_mutex_lock(&pool->lock);
    while (load_run(pool) == seen && !pool->stopping)
        pthread_cond_wait(&pool->wake, &pool->lock);
    stop = pool->stopping;
    pthread_mutex_unlock(&pool->lock);
    return stop;
}

/* The last worker of a run wakes the caller, should it sleep. */
static void finish_part(snt_threadpool *pool)
{
    if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    pthread_mutex_lock(&pool->lock);
    pthread_cond_broadcast(&pool->done);
    pthread_mutex_unlock(&pool->lock);
}

static void *worker_main(void *arg)
{
    snt_threadpool_worker *w = arg;
    snt_threadpool *pool = w->pool;
    unsigned long seen = w->seen;
    while (!wait_for_run(pool, seen)) {
        seen = load_run(pool);
        if (w->index < pool->parts)
            pool->task(pool->arg, w->index, w->index + 1);
        finish_part(pool);
    }
    return NULL;
}

/* Starts threads - 1 workers; as many as pthread_create grants (the
 * caller runs the parts of the others). */
static void start_workers(snt_threadpool *pool)
{
    pthread_attr_t attr;
    size_t i;
    if (pthread_attr_init(&attr) != 0)
        return;
    pthread_attr_setstacksize(&attr, SNT_THREADPOOL_STACK);
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 0;
    for (i = 1; i < pool->threads && i < SNT_THREADPOOL_MAX; i++) {
        snt_threadpool_worker *w = &pool->worker[i - 1];
        w->pool = pool;
        w->index = i;
        w->seen = pool->run;
        if (pthread_create(&w->thread, &attr, worker_main, w) != 0)
            break;
        pool->started++;
    }
    pthread_mutex_unlock(&pool->lock);
    pthread_attr_destroy(&attr);
}

static void wait_for_workers(snt_threadpool *pool)
{
    int i;
    for (i = 0; i < SPINS && load_pending(pool) != 0; i++)
        relax();
    pthread_mutex_lock(&pool->lock);
    while (load_pending(pool) != 0)
        pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

void snt_threadpool_parallel_for(void *ctx, snt_task task, void *arg, size_t parts)
{
    snt_threadpool *pool = ctx;
    size_t first_unowned;
    if (parts <= 1 || pool->threads <= 1 || pthread_mutex_trylock(&pool->busy) != 0) {
        task(arg, 0, parts);
        return;
    }
    if (pool->started == 0)
        start_workers(pool);
    pthread_mutex_lock(&pool->lock);
    pool->task = task;
    pool->arg = arg;
    pool->parts = parts;
    __atomic_store_n(&pool->pending, pool->started, __ATOMIC_RELEASE);
    __atomic_store_n(&pool->run, pool->run + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    task(arg, 0, 1);
    first_unowned = pool->started + 1;
    if (parts > first_unowned)
        task(arg, first_unowned, parts);
    wait_for_workers(pool);
    pthread_mutex_unlock(&pool->busy);
}

void snt_threadpool_release(snt_threadpool *pool)
{
    size_t i, started;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    started = pool->started;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (i = 0; i < started; i++)
        pthread_join(pool->worker[i].thread, NULL);
    pthread_mutex_lock(&pool->lock);
    pool->started = 0;
    pool->stopping = 0;
    pthread_mutex_unlock(&pool->lock);
}

void snt_threadpool_set_threads(snt_threadpool *pool, size_t threads)
{
    snt_threadpool_release(pool);
    if (threads < 1)
        threads = 1;
    if (threads > SNT_THREADPOOL_MAX)
        threads = SNT_THREADPOOL_MAX;
    pool->threads = threads;
}
