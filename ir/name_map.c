/*
 * name_map.c - strings to ints by hashing (open addressing, linear
 * probing), so that looking a name up costs the same in a graph of ten
 * tensors as in one of a million.
 */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_name(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

/* The slot holding `key`, or the free slot where it belongs. */
static size_t slot_of(const NameMap *m, const char *key)
{
    size_t i = hash_name(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int64_t *name_map_find(const NameMap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = slot_of(m, key);
    return m->keys[i] ? &m->values[i] : NULL;
}

/* The map's own pointer for `key`, or NULL. */
static const char *stored_key(const NameMap *m, const char *key)
{
    return m->cap ? m->keys[slot_of(m, key)] : NULL;
}

/* Doubles the table (at least 64 slots), so it stays under half full. */
static void grow(NameMap *m)
{
    NameMap bigger = {0};
    bigger.cap = m->cap ? 2 * m->cap : 64;
    bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.values = xcalloc(bigger.cap, sizeof *bigger.values);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            name_map_add(&bigger, m->keys[i], m->values[i]);
    name_map_free(m);
    *m = bigger;
}

int64_t *name_map_add(NameMap *m, const char *key, int64_t value)
{
    int64_t *old = name_map_find(m, key);
    if (old)
        return old;
    if (2 * (m->count + 1) > m->cap)
        grow(m);
    size_t i = slot_of(m, key);
    m->keys[i] = key;
    m->values[i] = value;
    m->count++;
    return &m->values[i];
}

char *name_map_unique(const NameMap *taken, NameMap *suffixes, const char *base)
{
    const char *holder = stored_key(taken, base);
    if (!holder)
        return xstrdup(base);
    /* Names are never given back, so every k tried for base before is
     * still taken: counting on from the last keeps a base used n times
     * (a Loop body unrolled n times) linear. */
    int64_t *k = name_map_add(suffixes, holder, 0);
    Str name = {0};
    do {
        str_free(&name);
        str_putf(&name, "%.200s_%lld", base, (long long)++*k);
    } while (name_map_find(taken, name.buf));
    return name.buf;
}

void name_map_free(NameMap *m)
{
    free(m->keys);
    free(m->values);
    *m = (NameMap){0};
}
