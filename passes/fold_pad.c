/*
 * fold_pad.c - a zero Pad in front of a Conv or an AveragePool becomes
 * the consumer's own padding.
 *
 * Conv pads with zeros, so an explicit constant-0 Pad of the spatial
 * axes equals adding those amounts to the Conv's pads.  An AveragePool
 * counts padded zeros in its divisor only with count_include_pad=1: the
 * fold is exact when the pool already counts them or had no padding of
 * its own (it then gets count_include_pad=1), and ceil_mode is off (a
 * ceil window may hang past the padded input, where the two forms
 * divide differently).  MaxPool pads with -inf and is left alone.  The
 * Pad must feed only the consumer.
 */
#include "passes/match.h"

#include <stdlib.h>
#include <string.h>

/* The consumer's pads (2 * spatial values, zeros when absent), or false
 * when it pads automatically or its pads are malformed. */
static bool consumer_pads(const Node *c, int spatial, int64_t *pads)
{
    if (strcmp(attr_string_or(c, "auto_pad", "NOTSET"), "NOTSET") != 0)
        return false;
    int count = attr_ints(c, "pads", pads, 2 * MAX_RANK);
    if (count < 0) {
        memset(pads, 0, (size_t)(2 * spatial) * sizeof *pads);
        return true;
    }
    return count == 2 * spatial;
}

/* Can c absorb zero padding into its pads (old pads in `pads`)? */
static bool absorbs_zero_pad(const Node *c, const int64_t *pads, int spatial)
{
    if (node_is(c, &op_Conv))
        return true;
    if (!node_is(c, &op_AveragePool) || attr_int_or(c, "ceil_mode", 0) != 0)
        return false;
    if (attr_int_or(c, "count_include_pad", 0) != 0)
        return true;
    for (int i = 0; i < 2 * spatial; i++)
        if (pads[i] != 0)
            return false;
    return true;
}

/* Folds Pad node p into its reader when the pattern holds. */
static bool fold_one(Rewriter *rw, Node *p, Diag *d)
{
    int64_t begin[MAX_RANK], end[MAX_RANK], pads[2 * MAX_RANK];
    if (!pad_zero_fill(p, begin, end))
        return true;
    Node *c = rw_sole_reader(rw, p->out[0]);
    int rank = p->in[0]->shape.rank, spatial = rank - 2;
    if (!c || c->in[0] != p->out[0] || rank < 3 || c->n_out != 1)
        return true;
    if (begin[0] || end[0] || begin[1] || end[1] || !consumer_pads(c, spatial, pads) ||
        !absorbs_zero_pad(c, pads, spatial))
        return true;
    for (int i = 0; i < spatial; i++) {
        if (begin[2 + i] < 0 || end[2 + i] < 0)
            return true;
        pads[i] += begin[2 + i];
        pads[spatial + i] += end[2 + i];
    }
    Shape before = c->out[0]->shape;
    set_attr_ints(c, "pads", pads, 2 * spatial);
    if (node_is(c, &op_AveragePool))
        set_attr_int(c, "count_include_pad", 1);
    rw_set_input(rw, c, 0, p->in[0]);
    rw_remove(rw, p);
    /* The window arithmetic is the same, so the shape cannot change. */
    if (!c->op->infer(c, d) || !shape_equal(&before, &c->out[0]->shape))
        return node_error(d, c, "fold_pad changed the output shape (internal error)");
    return true;
}

bool pass_fold_pad(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++)
        ok = fold_one(rw, g->nodes[i], d);
    return ok;
}
