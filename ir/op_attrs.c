/*
 * op_attrs.c - each op's attributes by opset (ir/ops/op_attrs.def, made
 * from ONNX's schemas) and the check of a node's attributes against them.
 *
 * ONNX's checker refuses a model whose node gives an attribute of the
 * wrong type, omits a required one or gives one the op does not define;
 * so does the importer, rather than letting an op read `kernel_shape`
 * from FLOATS as if it were absent.
 */
#include "ir/ir.h"

#include <string.h>

#define ATTR(name, kind, required, allowed) {#name, ATTR_##kind, required, allowed},
#define OP_ATTRS(op, since, attrs) static const AttrSpec op##_##since[] = {attrs {.name = NULL}};
#include "ir/ops/op_attrs.def"
#undef OP_ATTRS

/* One schema version: the attributes of `op` from opset `since`. */
typedef struct {
    const char *op;
    int since;
    const AttrSpec *attrs;
} AttrSchema;

#define OP_ATTRS(op, since, attrs) {#op, since, op##_##since},
static const AttrSchema schemas[] = {
#include "ir/ops/op_attrs.def"
};
#undef OP_ATTRS
#undef ATTR

enum { SCHEMA_COUNT = sizeof schemas / sizeof schemas[0] };

const AttrSpec *op_attr_specs(const char *op_type, int opset)
{
    /* The last version of op_type at or below opset: binary search for
     * the first entry past (op_type, opset), then step back. */
    int lo = 0, hi = SCHEMA_COUNT;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(schemas[mid].op, op_type);
        if (c < 0 || (c == 0 && schemas[mid].since <= opset))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(schemas[lo - 1].op, op_type) != 0)
        return NULL;
    return schemas[lo - 1].attrs;
}

const char *attr_kind_name(AttrKind kind)
{
    static const char *const names[] = {
        [ATTR_FLOAT] = "FLOAT",   [ATTR_INT] = "INT",       [ATTR_STRING] = "STRING",
        [ATTR_TENSOR] = "TENSOR", [ATTR_GRAPH] = "GRAPH",   [ATTR_FLOATS] = "FLOATS",
        [ATTR_INTS] = "INTS",     [ATTR_STRINGS] = "STRINGS", [ATTR_TENSORS] = "TENSORS",
        [ATTR_GRAPHS] = "GRAPHS", [ATTR_SPARSE_TENSOR] = "SPARSE_TENSOR",
        [ATTR_TYPE_PROTO] = "TYPE_PROTO",
    };
    const char *name = (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : NULL;
    return name ? name : "UNDEFINED";
}

static const AttrSpec *find_spec(const AttrSpec *specs, const char *name)
{
    for (; specs->name; specs++)
        if (strcmp(specs->name, name) == 0)
            return specs;
    return NULL;
}

/* Whether `value` is one of the space-separated words of `allowed`. */
static bool is_allowed(const char *allowed, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = allowed; *p;) {
        size_t word = strcspn(p, " ");
        if (word == len && len && memcmp(p, value, len) == 0)
            return true;
        p += word;
        p += *p == ' ';
    }
    return false;
}

static bool check_attr(const Node *n, const Attr *a, const AttrSpec *specs, const char *label,
                       Diag *d)
{
    const AttrSpec *spec = find_spec(specs, a->name);
    if (!spec)
        return diag_error(d, "%s: attribute '%s' is not an attribute of %s at opset %d", label,
                          a->name, n->op_type, n->opset);
    if (a->kind != spec->kind)
        return diag_error(d, "%s: attribute '%s' is %s; %s takes it as %s", label, a->name,
                          attr_kind_name(a->kind), n->op_type, attr_kind_name(spec->kind));
    if (spec->allowed && !is_allowed(spec->allowed, a->s))
        return diag_error(d, "%s: attribute '%s' is \"%s\"; %s allows %s", label, a->name, a->s,
                          n->op_type, spec->allowed);
    return true;
}

bool node_check_attrs(const Node *n, const char *label, Diag *d)
{
    bool onnx_domain = !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0;
    const AttrSpec *specs = onnx_domain ? op_attr_specs(n->op_type, n->opset) : NULL;
    if (!specs)
        return true;
    bool ok = true;
    for (int i = 0; i < n->n_attrs; i++)
        ok = check_attr(n, &n->attrs[i], specs, label, d) && ok;
    for (const AttrSpec *s = specs; s->name; s++)
        if (s->required && !node_attr(n, s->name))
            ok = diag_error(d, "%s: the required attribute '%s' (%s) is missing", label, s->name,
                            attr_kind_name(s->kind));
    return ok;
}
