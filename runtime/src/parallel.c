/*
 * parallel.c - how a kernel's _mt entry point splits its output over an
 * snt_parallel (sinter_rt.h): into contiguous ranges of items (rows,
 * channels, tiles), one per part, with boundaries on multiples of an
 * alignment the kernel picks so that a split never changes which
 * instructions compute an element (a SIMD vector, a micro-kernel tile).
 */
#include "internal.h"

typedef struct {
    snt__range_fn fn;
    void *arg;
    size_t units, align, items, parts;
} ranges;

/* Items of part i: [begin, end), balanced to one unit of `align`. */
static void part_range(const ranges *r, size_t i, size_t *begin, size_t *end)
{
    size_t b = r->units * i / r->parts * r->align, e = r->units * (i + 1) / r->parts * r->align;
    *begin = b < r->items ? b : r->items;
    *end = e < r->items ? e : r->items;
}

/* snt_task: parts [begin, end) one after another, in slot `begin`. */
static void run_parts(void *arg, size_t begin, size_t end)
{
    const ranges *r = arg;
    size_t i, lo, hi;
    for (i = begin; i < end; i++) {
        part_range(r, i, &lo, &hi);
        if (lo < hi)
            r->fn(r->arg, begin, lo, hi);
    }
}

/* The parts of `items` items aligned to `align`: at most par's threads,
 * 1 without par. */
static size_t parallel_parts(const snt_parallel *par, size_t items, size_t align)
{
    size_t units = (items + align - 1) / align;
    size_t threads = par != NULL && par->run != NULL && par->threads > 1 ? par->threads : 1;
    return units < threads ? units : threads;
}

void snt__parallel_ranges(const snt_parallel *par, size_t items, size_t align, snt__range_fn fn,
                          void *arg)
{
    ranges r;
    r.fn = fn;
    r.arg = arg;
    r.align = align ? align : 1;
    r.units = (items + r.align - 1) / r.align;
    r.items = items;
    r.parts = parallel_parts(par, items, r.align);
    if (r.parts <= 1) {
        if (items > 0)
            fn(arg, 0, 0, items);
        return;
    }
    par->run(par->ctx, run_parts, &r, r.parts);
}
