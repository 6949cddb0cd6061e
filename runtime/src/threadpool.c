/*
 * threadpool.c - the pthread pool of generated code built with
 * --threads N (sinter_threads.h): an snt_parallel_fn whose state is an
 * object its caller owns.
 *
 * A run publishes (task, arg), then `claim` = its number, its count of
 * parts and part 0 next, and wakes the workers.  The caller and every worker
 * then take parts by compare-and-swap on `claim`, run each, and count
 * `finished`; the caller returns once `finished` reaches `parts`.  A
 * claim is valid only while `claim` still carries the run's number, and
 * the next run is published only after every part of this one finished,
 * so a worker that wakes late finds the run over and takes nothing: the
 * caller never waits for a thread that the OS has not scheduled (on a
 * busy machine it runs the parts itself).
 *
 * Waits spin first: nodes follow each other within microseconds, and a
 * futex sleep and wake-up costs tens of them.  After SPINS polls a
 * worker sleeps on `wake`, the caller on `done`; every sleep re-checks
 * its condition under `lock`, which the other side takes before
 * broadcasting, so no wake-up is lost.  The counters use the GCC/Clang
 * __atomic builtins (C99 has none); pthread is the only library.
 */
#include "sinter_threads.h"

/* Polls before sleeping: a pause is 10 to 140 ns (26 on the Zen 4 this
 * was measured on), so about a millisecond there.  Within a model run
 * the next kernel comes sooner than that: a worker that slept instead
 * wakes tens of microseconds late, and the caller, which finds its part
 * done first, takes the late worker's parts itself (with 256 polls,
 * 7 us, UNeXt ran 1.10x faster on two threads than on one; with 32768,
 * 1.66x).  A worker still sleeps between calls of the model. */
#define SPINS 32768

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static unsigned long long load_claim(const snt_threadpool *pool)
{
    return __atomic_load_n(&pool->claim, __ATOMIC_ACQUIRE);
}

static size_t load_finished(const snt_threadpool *pool)
{
    return __atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE);
}

/* Parts of a run at most (8 bits of the claim word); more run inline. */
#define SNT_THREADPOOL_MAX_PARTS 255

/* The claim word: the run's number, its count of parts and its next
 * unclaimed part, so that one atomic read gives a worker all it needs to
 * claim a part (SNT_THREADPOOL_MAX_PARTS bounds the two counts). */
static unsigned long long run_of(unsigned long long c)
{
    return c >> 16;
}

static size_t parts_of(unsigned long long c)
{
    return (size_t)(c >> 8) & 0xff;
}

static size_t part_of(unsigned long long c)
{
    return (size_t)c & 0xff;
}

/* Takes and runs parts of run `run` until none is left.  The count of
 * parts comes with the claim, not from a field of its own: a worker that
 * read the count before a claim and found the run over could otherwise
 * read the *next* run's count while the caller was publishing it, claim
 * a part past the end of the old run (its claim word not yet replaced),
 * and run the new run's task outside its claims.  A valid claim holds
 * its run open until the part is done, so task and arg, read after it,
 * are that run's. */
static void take_parts(snt_threadpool *pool, unsigned long long run)
{
    unsigned long long c = load_claim(pool);
    while (run_of(c) == run) {
        size_t part = part_of(c), parts = parts_of(c);
        if (part >= parts)
            return;
        if (!__atomic_compare_exchange_n(&pool->claim, &c, c + 1, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            continue;
        __atomic_load_n(&pool->task, __ATOMIC_RELAXED)(__atomic_load_n(&pool->arg,
                                                                       __ATOMIC_RELAXED),
                                                       part, part + 1);
        if (__atomic_add_fetch(&pool->finished, 1, __ATOMIC_ACQ_REL) == parts) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_broadcast(&pool->done);
            pthread_mutex_unlock(&pool->lock);
        }
        c = load_claim(pool);
    }
}

/* Waits for a run after `seen`; returns its number, or 0 when the pool
 * stops. */
static unsigned long long wait_for_run(snt_threadpool *pool, unsigned long long seen)
{
    unsigned long long run = seen;
    int i;
    for (i = 0; i < SPINS && run == seen; i++) {
        run = run_of(load_claim(pool));
        relax();
    }
    if (run != seen)
        return run;
    pthread_mutex_lock(&pool->lock);
    while ((run = run_of(load_claim(pool))) == seen && !pool->stopping)
        pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stopping)
        run = 0;
    pthread_mutex_unlock(&pool->lock);
    return run;
}

static void *worker_main(void *arg)
{
    snt_threadpool_worker *w = arg;
    unsigned long long run;
    while ((run = wait_for_run(w->pool, w->seen)) != 0) {
        take_parts(w->pool, run);
        w->seen = run;
    }
    return NULL;
}

/* Starts threads - 1 workers; as many as pthread_create grants (the
 * others' parts go to the threads there are). */
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
        w->seen = run_of(pool->claim);
        if (pthread_create(&w->thread, &attr, worker_main, w) != 0)
            break;
        pool->started++;
    }
    pthread_mutex_unlock(&pool->lock);
    pthread_attr_destroy(&attr);
}

static void wait_for_parts(snt_threadpool *pool, size_t parts)
{
    int i;
    for (i = 0; i < SPINS && load_finished(pool) != parts; i++)
        relax();
    pthread_mutex_lock(&pool->lock);
    while (load_finished(pool) != parts)
        pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

void snt_threadpool_parallel_for(void *ctx, snt_task task, void *arg, size_t parts)
{
    snt_threadpool *pool = ctx;
    unsigned long long run;
    if (parts <= 1 || pool->threads <= 1 || parts > SNT_THREADPOOL_MAX_PARTS ||
        pthread_mutex_trylock(&pool->busy) != 0) {
        task(arg, 0, parts);
        return;
    }
    if (pool->started == 0)
        start_workers(pool);
    /* Run numbers start at 1 and skip 0, which a waiting worker returns
     * when the pool stops. */
    run = run_of(load_claim(pool)) + 1;
    if (run_of(run << 16) != run || run == 0)
        run = 1;
    pthread_mutex_lock(&pool->lock);
    __atomic_store_n(&pool->task, task, __ATOMIC_RELAXED);
    __atomic_store_n(&pool->arg, arg, __ATOMIC_RELAXED);
    __atomic_store_n(&pool->finished, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&pool->claim, run << 16 | (unsigned long long)parts << 8, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    take_parts(pool, run);
    wait_for_parts(pool, parts);
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
