/*
 * op_table.c - looks ops up by name in the list of ir/ops/op_list.h.
 */
#include "ir/ir.h"

#include <string.h>

static const OpDesc *const op_table[] = {
#define OP(name) &op_##name,
#include "ir/ops/op_list.h"
#undef OP
};

enum { OP_COUNT = sizeof op_table / sizeof op_table[0] };

const OpDesc *op_lookup(const char *domain, const char *op_type)
{
    /* Only the default domain today; "ai.onnx" is its long spelling. */
    if (domain && domain[0] && strcmp(domain, "ai.onnx") != 0)
        return NULL;
    int lo = 0, hi = OP_COUNT - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(op_type, op_table[mid]->name);
        if (c == 0)
            return op_table[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

const OpDesc *const *op_all(int *count)
{
    *count = OP_COUNT;
    return op_table;
}
