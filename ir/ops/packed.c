/*
 * packed.c - checks of packed weights inputs (packed.h).
 */
#include "ir/ops/packed.h"

const Variant *packed_variant(const Node *n, int slot, Family family)
{
    if (slot >= n->n_in || !n->in[slot])
        return NULL;
    const Variant *v = variant_find(attr_string_or(n, "ukernel", ""));
    return v && v->family == family ? v : NULL;
}

bool check_packed(const Node *n, int slot, Family family,
                  size_t (*floats)(const Node *, const Variant *), Diag *d)
{
    const Tensor *t = slot < n->n_in ? n->in[slot] : NULL;
    const Variant *v = packed_variant(n, slot, family);
    if (!t)
        return true;
    if (!v)
        return node_error(d, n, "packed weights need a known 'ukernel', not '%s'",
                          attr_string_or(n, "ukernel", ""));
    size_t want = floats(n, v);
    if (t->dtype != DT_FLOAT || t->shape.rank != 1 || (size_t)t->shape.dim[0] != want)
        return node_error(d, n, "packed weights must be float32 [%zu] for %s", want, v->name);
    return true;
}
