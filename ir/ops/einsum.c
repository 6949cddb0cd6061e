/*
 * einsum.c - Einsum: any valid equation (spaces, implicit output,
 * repeated indices for diagonals, "..." for broadcast axes) becomes one
 * strided contraction for snt_einsum.
 *
 * Each index of the equation gets an id: letters have one each, and the
 * axes an ellipsis stands for are aligned right across the inputs, as
 * numpy broadcasts them, and share ids by position.  The kernel's
 * iteration space is the output's ids in order, then every other id
 * (summed); an input's stride for an id is the sum of its axes' strides
 * with that id (two for a diagonal), 0 where it broadcasts.
 */
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <ctype.h>
#include <string.h>

/* Ids 0 .. MAX_RANK-1 are ellipsis axes, the last one rightmost; then
 * A-Z and a-z, so that ascending ids are ASCII order (the implicit
 * output's order). */
#define LETTER_BASE MAX_RANK
#define N_IDS (LETTER_BASE + 52)

/* One term of the equation: its letters and where "..." stands. */
typedef struct {
    int n_letters;
    int letters[MAX_RANK];
    int ellipsis_at;     /* letters before the ellipsis, or -1 without one */
} Term;

typedef struct {
    int n_ids;              /* the iteration space: output ids, then summed */
    int ids[SNT_EINSUM_MAX_INDICES];
    int out_rank;
    int64_t extent[N_IDS];  /* 0 for ids the equation does not use */
} Space;

static int letter_id(char c)
{
    return LETTER_BASE + (isupper((unsigned char)c) ? c - 'A' : 26 + c - 'a');
}

/* Parses text[0..len) as one term. */
static bool parse_term(const Node *n, const char *text, size_t len, Term *t, Diag *d)
{
    *t = (Term){.ellipsis_at = -1};
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '.' && i + 2 < len && text[i + 1] == '.' && text[i + 2] == '.' &&
            t->ellipsis_at < 0) {
            t->ellipsis_at = t->n_letters;
            i += 2;
        } else if (isalpha((unsigned char)c) && t->n_letters < MAX_RANK) {
            t->letters[t->n_letters++] = letter_id(c);
        } else {
            return node_error(d, n, "equation term '%.*s' is not valid (letters, one '...', "
                              "at most %d axes)", (int)len, text, MAX_RANK);
        }
    }
    return true;
}

/* The ids of a term's axes, given how many axes its ellipsis stands for;
 * the axis count, or -1 when it exceeds MAX_RANK. */
static int term_ids(const Term *t, int ellipsis_axes, int *ids)
{
    int count = 0;
    if (t->n_letters + ellipsis_axes > MAX_RANK)
        return -1;
    for (int i = 0; i <= t->n_letters; i++) {
        if (i == t->ellipsis_at)
            for (int j = 0; j < ellipsis_axes; j++)
                ids[count++] = MAX_RANK - ellipsis_axes + j;
        if (i < t->n_letters)
            ids[count++] = t->letters[i];
    }
    return count;
}

/* Records that an axis with this id has extent `dim` (`first` when no
 * axis had the id before): letters must agree everywhere, ellipsis axes
 * broadcast (an extent of 1 stretches). */
static bool unify_extent(const Node *n, Space *s, int id, int64_t dim, bool first, Diag *d)
{
    int64_t *have = &s->extent[id];
    if (first || *have == dim) {
        *have = dim;
        return true;
    }
    if (id < LETTER_BASE && (dim == 1 || *have == 1)) {
        *have = *have == 1 ? dim : *have;
        return true;
    }
    return node_error(d, n, "an index has extents %lld and %lld", (long long)*have,
                      (long long)dim);
}

static bool add_id(const Node *n, Space *s, int id, Diag *d)
{
    if (s->n_ids == SNT_EINSUM_MAX_INDICES)
        return node_error(d, n, "more than %d distinct indices", SNT_EINSUM_MAX_INDICES);
    s->ids[s->n_ids++] = id;
    return true;
}

/* The output's ids: as written after "->", or else the ellipsis axes
 * followed by the letters used exactly once, in ASCII order. */
static bool output_ids(const Node *n, const char *arrow_end, const int *uses, int ellipsis_axes,
                       Space *s, Diag *d)
{
    if (!arrow_end) {
        for (int id = MAX_RANK - ellipsis_axes; id < MAX_RANK; id++)
            s->ids[s->n_ids++] = id;
        for (int id = LETTER_BASE; id < N_IDS; id++)
            if (uses[id] == 1 && !add_id(n, s, id, d))
                return false;
        return true;
    }
    Term t;
    int ids[MAX_RANK];
    if (!parse_term(n, arrow_end, strlen(arrow_end), &t, d))
        return false;
    int count = term_ids(&t, t.ellipsis_at < 0 ? 0 : ellipsis_axes, ids);
    if (count < 0)
        return node_error(d, n, "the output has more than %d axes", MAX_RANK);
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < i; j++)
            if (ids[j] == ids[i])
                return node_error(d, n, "the output repeats an index");
        if (ids[i] >= LETTER_BASE && !uses[ids[i]])
            return node_error(d, n, "an output index appears in no input");
        s->ids[s->n_ids++] = ids[i];
    }
    return true;
}

/*
 * Reads the equation against the inputs' shapes into the kernel's
 * parameters and the output shape.
 */
static bool einsum_plan(const Node *n, snt_einsum_params *p, Shape *y, Diag *d)
{
    const char *eq = attr_string_or(n, "equation", NULL);
    if (!eq)
        return node_error(d, n, "missing attribute 'equation'");
    if (n->n_in > SNT_EINSUM_MAX_INPUTS)
        return node_error(d, n, "more than %d inputs", SNT_EINSUM_MAX_INPUTS);
    /* Spaces mean nothing; work on a copy without them. */
    char text[512];
    size_t len = 0;
    for (const char *c = eq; *c; c++) {
        if (len + 1 == sizeof text)
            return node_error(d, n, "equation longer than %zu characters", sizeof text - 1);
        if (*c != ' ')
            text[len++] = *c;
    }
    text[len] = '\0';
    char *arrow = strstr(text, "->");
    if (arrow)
        *arrow = '\0';

    Space s = {0};
    int uses[N_IDS] = {0}, ids[SNT_EINSUM_MAX_INPUTS][MAX_RANK], ellipsis_axes = 0;
    const char *term = text;
    *p = (snt_einsum_params){.n_inputs = n->n_in};
    for (int k = 0; k < n->n_in; k++) {
        const char *end = strchr(term, ',');
        if (!end)
            end = term + strlen(term);
        if ((k == n->n_in - 1) != (*end == '\0'))
            return node_error(d, n, "equation '%s' does not have %d input terms", eq, n->n_in);
        Term t;
        const Shape *x = &n->in[k]->shape;
        if (!parse_term(n, term, (size_t)(end - term), &t, d))
            return false;
        int axes = x->rank - t.n_letters;
        if (axes < 0 || (t.ellipsis_at < 0 && axes != 0))
            return node_error(d, n, "term %d has %d indices for rank %d", k, t.n_letters, x->rank);
        term_ids(&t, t.ellipsis_at < 0 ? 0 : axes, ids[k]);
        if (t.ellipsis_at >= 0 && axes > ellipsis_axes)
            ellipsis_axes = axes;
        for (int a = 0; a < x->rank; a++) {
            int id = ids[k][a];
            if (!unify_extent(n, &s, id, x->dim[a], uses[id]++ == 0, d))
                return false;
        }
        term = *end ? end + 1 : end;
    }
    if (!output_ids(n, arrow ? arrow + 2 : NULL, uses, ellipsis_axes, &s, d))
        return false;
    s.out_rank = s.n_ids;
    for (int id = 0; id < N_IDS; id++) {
        bool is_out = false;
        for (int i = 0; i < s.out_rank; i++)
            is_out |= s.ids[i] == id;
        if (uses[id] && !is_out && !add_id(n, &s, id, d))
            return false;
    }

    /* The iteration space and each input's strides over it. */
    p->rank = s.n_ids;
    p->out_rank = s.out_rank;
    y->rank = s.out_rank;
    for (int i = 0; i < s.n_ids; i++) {
        p->dims[i] = (size_t)s.extent[s.ids[i]];
        if (i < s.out_rank)
            y->dim[i] = s.extent[s.ids[i]];
    }
    for (int k = 0; k < n->n_in; k++) {
        const Shape *x = &n->in[k]->shape;
        int64_t strides[MAX_RANK];
        shape_strides(x, strides);
        for (int a = 0; a < x->rank; a++)
            for (int i = 0; i < s.n_ids; i++)
                if (s.ids[i] == ids[k][a] && x->dim[a] != 1)
                    p->strides[k][i] += (ptrdiff_t)strides[a];
    }
    return true;
}

static bool einsum_infer(Node *n, Diag *d)
{
    snt_einsum_params p;
    Shape y;
    if (!check_inputs_present(n, n->n_in, d))
        return false;
    for (int i = 1; i < n->n_in; i++)
        if (!check_same_dtype(n, i, d))
            return false;
    DType t = n->in[0]->dtype;
    if (t != DT_FLOAT && t != DT_DOUBLE)
        return node_error(d, n, "input 0 ('%s') is %s; Einsum runs on float32 and float64",
                          n->in[0]->name, dtype_label(t));
    if (!einsum_plan(n, &p, &y, d))
        return false;
    set_output(n, 0, t, &y);
    return true;
}

static bool einsum_fold(Node *n, Diag *d)
{
    snt_einsum_params p;
    Shape y;
    const void *x[SNT_EINSUM_MAX_INPUTS];
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!einsum_plan(n, &p, &y, d))
        return false;
    for (int k = 0; k < n->n_in; k++)
        x[k] = n->in[k]->data;
    snt_einsum((int)n->out[0]->dtype, &p, x, alloc_output(n, 0));
    return true;
}

/* One multiply-accumulate per point of the whole iteration space. */
static OpCost einsum_cost(const Node *n)
{
    snt_einsum_params p;
    Shape y;
    Diag quiet = {0};
    int64_t macs = 1;
    if (einsum_plan(n, &p, &y, &quiet))
        for (int i = 0; i < p.rank; i++)
            macs = sat_mul(macs, (int64_t)p.dims[i]);
    diag_free(&quiet);
    return (OpCost){.macs = macs, .flops = sat_mul(macs, 2)};
}

static bool einsum_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_einsum_params p;
    Shape y;
    if (!einsum_plan(n, &p, &y, d))
        return false;
    emit_params_snt_einsum_params(e, &p, "p");
    Str inputs = {0};
    for (int k = 0; k < n->n_in; k++)
        str_putf(&inputs, "%s%s", k ? ", " : "", emit_ptr(e, n->in[k]));
    emit_line(e, "const void *const operands[] = {%s};", inputs.buf);
    str_free(&inputs);
    emit_line(e, "snt_einsum(%s, &p, operands, %s);", snt_dtype_code(n->out[0]->dtype),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_Einsum = {
    .name = "Einsum", .since = 12, .until = COMPUTE_OPSET_MAX,
    .dtypes = DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE),
    .min_in = 1, .max_in = SNT_EINSUM_MAX_INPUTS, .min_out = 1, .max_out = 1,
    .infer = einsum_infer, .fold = einsum_fold, .cost = einsum_cost, .emit = einsum_emit,
};
