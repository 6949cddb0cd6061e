/*
 * place.c - packing buffers with known live ranges into one arena.
 *
 * This is offline dynamic storage allocation (NP-hard), so we run a few
 * greedy strategies and keep the smallest result, stopping as soon as
 * one reaches the lower bound (the peak of live bytes), which no
 * placement can beat.  Each strategy takes the buffers in some order and
 * puts each at an offset clear of the already placed buffers whose live
 * ranges meet its own:
 *  - by size, best fit: largest first, into the tightest gap that holds
 *    it (the classic "greedy by size" of TFLite and others);
 *  - by size, first fit: largest first, at the lowest offset;
 *  - by time: in order of first use (largest first among equals), best
 *    fit, which follows the program like a stack allocator would;
 *  - by area: largest bytes x steps first, best fit.
 */
#include "passes/memplan.h"

#include <stdlib.h>

typedef int (*Order)(const void *, const void *);

static int cmp_size(const Buffer *x, const Buffer *y)
{
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->first != y->first)
        return x->first - y->first;
    return x->last - y->last;
}

static int by_size(const void *a, const void *b)
{
    return cmp_size(*(Buffer *const *)a, *(Buffer *const *)b);
}

static int by_first_use(const void *a, const void *b)
{
    const Buffer *x = *(Buffer *const *)a, *y = *(Buffer *const *)b;
    return x->first != y->first ? x->first - y->first : cmp_size(x, y);
}

static int by_area(const void *a, const void *b)
{
    const Buffer *x = *(Buffer *const *)a, *y = *(Buffer *const *)b;
    double ax = (double)x->bytes * (x->last - x->first + 1);
    double ay = (double)y->bytes * (y->last - y->first + 1);
    return ax != ay ? (ax < ay ? 1 : -1) : cmp_size(x, y);
}

static bool live_together(const Buffer *a, const Buffer *b)
{
    return a->first <= b->last && b->first <= a->last;
}

static int by_offset(const void *a, const void *b)
{
    const Buffer *x = *(Buffer *const *)a, *y = *(Buffer *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Offset for b among `placed` (those live with it, sorted by offset):
 * the first gap that holds it, or with best_fit the smallest such gap;
 * above everything when no gap does. */
static int64_t fit(const Buffer *b, Buffer **placed, int n, bool best_fit)
{
    int64_t top = 0, best = -1, best_gap = 0;
    for (int i = 0; i < n; i++) {
        int64_t gap = placed[i]->offset - top;
        if (gap >= (int64_t)b->bytes && (best < 0 || gap < best_gap)) {
            best = top;
            best_gap = gap;
            if (!best_fit)
                break;
        }
        int64_t end = placed[i]->offset + (int64_t)placed[i]->bytes;
        if (end > top)
            top = end;
    }
    return best >= 0 ? best : top;
}

/* One strategy: returns the arena size; offsets are left in the buffers. */
static size_t place_in_order(Buffer **sorted, int count, bool best_fit, Buffer **scratch)
{
    size_t arena = 0;
    for (int i = 0; i < count; i++) {
        int n = 0;
        for (int k = 0; k < i; k++)
            if (live_together(sorted[k], sorted[i]))
                scratch[n++] = sorted[k];
        qsort(scratch, (size_t)n, sizeof *scratch, by_offset);
        sorted[i]->offset = fit(sorted[i], scratch, n, best_fit);
        size_t end = (size_t)sorted[i]->offset + sorted[i]->bytes;
        if (end > arena)
            arena = end;
    }
    return arena;
}

size_t place_buffers(Buffer *bufs, int count, size_t lower_bound)
{
    static const struct {
        Order order;
        bool best_fit;
    } strategies[] = {
        {by_size, true}, {by_size, false}, {by_first_use, true}, {by_area, true},
    };
    Buffer **sorted = xmalloc(((size_t)count + 1) * sizeof *sorted);
    Buffer **scratch = xmalloc(((size_t)count + 1) * sizeof *scratch);
    int64_t *best = xmalloc(((size_t)count + 1) * sizeof *best);
    size_t best_arena = 0;
    for (size_t k = 0; k < sizeof strategies / sizeof strategies[0]; k++) {
        for (int i = 0; i < count; i++)
            sorted[i] = &bufs[i];
        qsort(sorted, (size_t)count, sizeof *sorted, strategies[k].order);
        size_t arena = place_in_order(sorted, count, strategies[k].best_fit, scratch);
        if (k == 0 || arena < best_arena) {
            best_arena = arena;
            for (int i = 0; i < count; i++)
                best[i] = bufs[i].offset;
        }
        if (best_arena <= lower_bound)
            break;
    }
    for (int i = 0; i < count; i++)
        bufs[i].offset = best[i];
    free(sorted);
    free(scratch);
    free(best);
    return best_arena;
}
