/*
 * merge_initializers.c - constants with equal dtype, shape and bytes
 * become one tensor, so the generated file stores their bytes once.
 *
 * Exporters often duplicate weights (a shared module called twice, a
 * folded alias); after inference the copies are separate constant
 * tensors.  Constants are grouped by a hash of their bytes and compared
 * in full within a group; readers of a duplicate then read the first
 * copy.  Graph outputs are left as they are.
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a over the tensor's bytes, mixed with dtype and shape. */
static uint64_t const_hash(const Tensor *t)
{
    uint64_t h = 1469598103934665603ull;
    const unsigned char *p = t->data;
    size_t n = tensor_bytes(t);
    h = (h ^ (uint64_t)t->dtype) * 1099511628211ull;
    for (int i = 0; i < t->shape.rank; i++)
        h = (h ^ (uint64_t)t->shape.dim[i]) * 1099511628211ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static bool same_constant(const Tensor *a, const Tensor *b)
{
    return a->dtype == b->dtype && shape_equal(&a->shape, &b->shape) &&
           memcmp(a->data, b->data, tensor_bytes(a)) == 0;
}

typedef struct {
    uint64_t hash;
    Tensor *t;
} Entry;

static int entry_cmp(const void *pa, const void *pb)
{
    const Entry *a = pa, *b = pb;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->t->id - b->t->id; /* the oldest tensor of a group survives */
}

/* Readers of each constant that equals an earlier one in its hash group
 * read the earliest equal one instead. */
static void merge_group(Rewriter *rw, Entry *group, int count)
{
    for (int i = 1; i < count; i++)
        for (int j = 0; j < i; j++)
            if (same_constant(group[i].t, group[j].t)) {
                rw_replace_uses(rw, group[i].t, group[j].t);
                break;
            }
}

bool pass_merge_initializers(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    (void)d;
    Entry *all = xmalloc(((size_t)g->n_tensors + 1) * sizeof *all);
    int count = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        Tensor *t = g->tensors[i];
        if (tensor_is_const(t) && !t->is_output && tensor_bytes(t) > 0)
            all[count++] = (Entry){const_hash(t), t};
    }
    qsort(all, (size_t)count, sizeof *all, entry_cmp);
    for (int i = 0, end; i < count; i = end) {
        for (end = i + 1; end < count && all[end].hash == all[i].hash;)
            end++;
        if (end - i > 1)
            merge_group(rw, all + i, end - i);
    }
    free(all);
    return true;
}
