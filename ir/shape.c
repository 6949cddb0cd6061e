/*
 * shape.c - static shapes: element counts, strides, broadcasting.
 */
#include "ir/ir.h"

#include <string.h>

int64_t shape_numel(const Shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        int64_t d = s->dim[i];
        if (d < 0)
            return -1;
        if (d == 0)
            return 0;
        if (n > MAX_ELEMENTS / d)
            return -1;
        n *= d;
    }
    return n;
}

bool shape_equal(const Shape *a, const Shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

void shape_strides(const Shape *s, int64_t *strides)
{
    int64_t st = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        strides[i] = st;
        st *= s->dim[i] > 0 ? s->dim[i] : 1;
    }
}

bool shape_broadcast(const Shape *a, const Shape *b, Shape *out)
{
    Shape r;
    r.rank = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < r.rank; i++) {
        int ia = i - (r.rank - a->rank), ib = i - (r.rank - b->rank);
        int64_t da = ia >= 0 ? a->dim[ia] : 1;
        int64_t db = ib >= 0 ? b->dim[ib] : 1;
        if (da == db || db == 1)
            r.dim[i] = da;
        else if (da == 1)
            r.dim[i] = db;
        else
            return false;
    }
    *out = r;
    return true;
}

const char *shape_str_named(const Shape *s, char *const *names, char *buf, size_t size)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && used < size; i++) {
        const char *sep = i ? "," : "";
        if (s->dim[i] >= 0 || !names)
            used += (size_t)snprintf(buf + used, size - used, "%s%lld", sep, (long long)s->dim[i]);
        else
            used += (size_t)snprintf(buf + used, size - used, "%s%s", sep,
                                     names[i] ? names[i] : "?");
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

const char *shape_str(const Shape *s, char *buf, size_t size)
{
    return shape_str_named(s, NULL, buf, size);
}

bool axis_normalize(int64_t axis, int rank, int *out)
{
    if (axis < -rank || axis >= rank)
        return false;
    *out = (int)(axis < 0 ? axis + rank : axis);
    return true;
}
