/*
 * packed.h - weights that passes/select_kernels.c packed for a
 * micro-kernel variant, as the ops that read them check them.
 */
#ifndef SINTER_PACKED_H
#define SINTER_PACKED_H

#include "ir/ir.h"

/* The variant of `family` that input `slot` of n is packed for (named by
 * n's `ukernel` attribute), or NULL when that input is absent or
 * `ukernel` names no variant of that family. */
const Variant *packed_variant(const Node *n, int slot, Family family);
/* When input `slot` is present: node_error unless `ukernel` names a known
 * variant of `family` and the input is float32 [floats(variant)]. */
bool check_packed(const Node *n, int slot, Family family,
                  size_t (*floats)(const Node *, const Variant *), Diag *d);

#endif /* SINTER_PACKED_H */
