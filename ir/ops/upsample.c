/*
 * upsample.c - Upsample (opsets 7 to 9), deprecated in opset 10 for
 * Resize-10, which means the same thing.  Resize's rules (resize_util.h)
 * do the work; this file only checks what Upsample restricts: the mode,
 * and where the scales come from (attribute before opset 9, input 1
 * from 9).
 */
#include "ir/ops/resize_util.h"

#include <string.h>

static bool upsample_infer(Node *n, Diag *d)
{
    const char *mode = attr_string_or(n, "mode", "nearest");
    bool has_input = n->n_in > 1 && n->in[1];
    if (strcmp(mode, "nearest") != 0 && strcmp(mode, "linear") != 0)
        return node_error(d, n, "mode '%s' is not supported (nearest or linear)", mode);
    if (n->opset >= 9 ? !has_input : has_input || !node_attr(n, "scales"))
        return node_error(d, n, "scales must be %s", n->opset >= 9 ? "input 1" : "an attribute");
    return resize_infer(n, d);
}

const OpDesc op_Upsample = {
    .name = "Upsample",
    .dtypes = DT_BIT(DT_FLOAT),
    .since = 7, .until = 9,
    .min_in = 1, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = upsample_infer,
    .fold = resize_fold,
    .cost = resize_cost,
    .emit = resize_emit,
};
