/*
 * constant.c - Constant and ConstantOfShape.
 *
 * Both produce values known at compile time, so they always fold and are
 * never emitted.
 */
#include "ir/ops/data_util.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Constant                                                             */
/* ------------------------------------------------------------------ */

/* The value of a Constant node, whichever attribute carries it. */
typedef struct {
    DType dtype;
    Shape shape;
    const void *data;      /* the attribute tensor's bytes, or NULL */
    const Attr *scalars;   /* value_float(s) / value_int(s), or NULL */
} ConstValue;

/* Finds the one value attribute and describes it; node error if there is
 * none, more than one, or one we do not support. */
static bool constant_value(const Node *n, ConstValue *v, Diag *d)
{
    static const char *const unsupported[] = {"sparse_value", "value_string", "value_strings"};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (node_attr(n, unsupported[i]))
            return node_error(d, n, "attribute '%s' is not supported", unsupported[i]);
    if (n->n_attrs != 1)
        return node_error(d, n, "expected exactly one value attribute, found %d attributes",
                          n->n_attrs);

    const Attr *a = &n->attrs[0];
    memset(v, 0, sizeof *v);
    if (strcmp(a->name, "value") == 0 && a->kind == ATTR_TENSOR && a->tensor) {
        const Tensor *t = a->tensor;
        if (!check_movable(n, t, d))
            return false;
        if (!t->data && shape_numel(&t->shape) != 0)
            return node_error(d, n, "attribute 'value' has no data");
        v->dtype = t->dtype;
        v->shape = t->shape;
        v->data = t->data;
        return true;
    }
    v->scalars = a;
    if (strcmp(a->name, "value_float") == 0 && a->kind == ATTR_FLOAT) {
        v->dtype = DT_FLOAT;
    } else if (strcmp(a->name, "value_int") == 0 && a->kind == ATTR_INT) {
        v->dtype = DT_INT64;
    } else if (strcmp(a->name, "value_floats") == 0 && a->kind == ATTR_FLOATS) {
        v->dtype = DT_FLOAT;
        v->shape = (Shape){.rank = 1, .dim = {a->n}};
    } else if (strcmp(a->name, "value_ints") == 0 && a->kind == ATTR_INTS) {
        v->dtype = DT_INT64;
        v->shape = (Shape){.rank = 1, .dim = {a->n}};
    } else {
        return node_error(d, n, "attribute '%s' is not a valid Constant value", a->name);
    }
    return true;
}

static bool constant_infer(Node *n, Diag *d)
{
    ConstValue v;
    if (!constant_value(n, &v, d) || !check_size(n, &v.shape, d))
        return false;
    set_output(n, 0, v.dtype, &v.shape);
    return true;
}

static bool constant_fold(Node *n, Diag *d)
{
    ConstValue v;
    if (!constant_value(n, &v, d))
        return false;
    void *out = alloc_output(n, 0);
    const Attr *a = v.scalars;
    if (!a)
        memcpy(out, v.data, tensor_bytes(n->out[0]));
    else if (a->kind == ATTR_FLOAT)
        dtype_set_f64(DT_FLOAT, out, 0, a->f);
    else if (a->kind == ATTR_INT)
        dtype_set_i64(DT_INT64, out, 0, a->i);
    else if (a->kind == ATTR_FLOATS)
        for (int i = 0; i < a->n; i++)
            dtype_set_f64(DT_FLOAT, out, (size_t)i, a->floats[i]);
    else
        for (int i = 0; i < a->n; i++)
            dtype_set_i64(DT_INT64, out, (size_t)i, a->ints[i]);
    return true;
}

const OpDesc op_Constant = {
    .name = "Constant",
    .dtypes = DT_SET_ALL,
    .since = 1, .until = 17,
    .min_in = 0, .max_in = 0,
    .min_out = 1, .max_out = 1,
    .infer = constant_infer,
    .fold = constant_fold,
    .emit = emit_folded_only,
};

/* ------------------------------------------------------------------ */
/* ConstantOfShape                                                      */
/* ------------------------------------------------------------------ */

/* The fill value: attribute `value`, a one-element tensor, or float 0. */
static bool fill_value(const Node *n, const Tensor **value, Diag *d)
{
    const Attr *a = node_attr(n, "value");
    *value = NULL;
    if (!a)
        return true;
    if (a->kind != ATTR_TENSOR || !a->tensor)
        return node_error(d, n, "attribute 'value' must be a tensor");
    if (!check_movable(n, a->tensor, d))
        return false;
    if (shape_numel(&a->tensor->shape) != 1 || !a->tensor->data)
        return node_error(d, n, "attribute 'value' must hold exactly one element");
    *value = a->tensor;
    return true;
}

static bool constant_of_shape_infer(Node *n, Diag *d)
{
    const Tensor *value;
    int64_t dims[MAX_RANK];
    if (!fill_value(n, &value, d))
        return false;
    int rank = const_ints(n, 0, dims, MAX_RANK, d);
    if (rank < 0)
        return false;
    Shape s = {.rank = rank};
    memcpy(s.dim, dims, (size_t)rank * sizeof dims[0]);
    if (!check_fold_size(n, &s, d))
        return false;
    set_output(n, 0, value ? value->dtype : DT_FLOAT, &s);
    return true;
}

static bool constant_of_shape_fold(Node *n, Diag *d)
{
    const Tensor *value;
    if (!fill_value(n, &value, d))
        return false;
    char *out = alloc_output(n, 0);
    /* alloc_output zero-fills, which is already the default value. */
    if (!value)
        return true;
    size_t size = dtype_size(value->dtype);
    int64_t count = tensor_numel(n->out[0]);
    for (int64_t i = 0; i < count; i++)
        memcpy(out + i * (int64_t)size, value->data, size);
    return true;
}

const OpDesc op_ConstantOfShape = {
    .name = "ConstantOfShape",
    .dtypes = DT_BIT(DT_INT64),
    .since = 9, .until = 17,
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = constant_of_shape_infer,
    .fold = constant_of_shape_fold,
    .emit = emit_folded_only,
};
