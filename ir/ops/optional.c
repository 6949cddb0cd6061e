/*
 * optional.c - the Optional ops, resolved at compile time.
 *
 * An optional value is built by one Optional node with zero inputs (no
 * value) or one (a tensor or a sequence); like a sequence it prints no
 * code.  OptionalHasElement becomes a bool constant and OptionalGetElement
 * an Identity of the element (see sequence.h).
 */
#include "ir/ops/sequence.h"

/* The input, when present, is the value; without it the optional is
 * empty and its `type` attribute (a TypeProto) would name the element
 * type, which nothing reads: an empty optional has no elements whose
 * dtype could matter.  The declared dtype, if the model gave one, or
 * float32 stands in. */
static bool optional_infer(Node *n, Diag *d)
{
    Tensor *x = n->n_in > 0 ? n->in[0] : NULL;
    if (x && x->kind == KIND_OPTIONAL)
        return node_error(d, n, "an optional of an optional is not supported");
    DType t = x ? x->dtype : n->out[0]->dtype ? n->out[0]->dtype : DT_FLOAT;
    set_value_output(n, KIND_OPTIONAL, t, x ? &n->in[0] : NULL, x ? 1 : 0);
    return true;
}

const OpDesc op_Optional = {
    .name = "Optional",
    .since = 15, .until = 21,
    .min_in = 0, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = optional_infer,
    .emit = emit_value_builder,
    .dtypes = DT_SET_ALL,
};

/* Whether input 0 of n holds a value, and which; -1 after an error.
 * The input may also be a tensor or a sequence, always a value (opset
 * 18 allows it; before, a Loop's carried optional meets its value after
 * the first iteration the same way), or omitted (none). */
static int has_element(const Node *n, Tensor **element, Diag *d)
{
    Tensor *x = n->n_in > 0 ? n->in[0] : NULL;
    *element = x;
    if (!x || x->kind != KIND_OPTIONAL)
        return x != NULL;
    Tensor *const *items;
    int count = value_items(x, &items);
    if (count < 0)
        return node_error(d, n, "input 0 ('%s'): the optional must be known at compile time",
                          x->name), -1;
    *element = count ? items[0] : NULL;
    return count;
}

static bool has_element_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *element;
    int has = has_element(n, &element, d);
    if (has < 0)
        return false;
    build_scalar(g, n, DT_BOOL, has, n->out[0]);
    return true;
}

const OpDesc op_OptionalHasElement = {
    .name = "OptionalHasElement",
    .since = 15, .until = 21,
    .min_in = 0, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .expand = has_element_expand,
    .dtypes = DT_SET_ALL,
};

static bool get_element_expand(Node *n, Graph *g, Diag *d)
{
    Tensor *element;
    int has = has_element(n, &element, d);
    if (has < 0)
        return false;
    if (!has)
        return node_error(d, n, "the optional input holds no value");
    build_identity(g, n, element, n->out[0]);
    return true;
}

const OpDesc op_OptionalGetElement = {
    .name = "OptionalGetElement",
    .since = 15, .until = 21,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .expand = get_element_expand,
    .dtypes = DT_SET_ALL,
};
