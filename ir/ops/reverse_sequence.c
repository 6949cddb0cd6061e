/*
 * reverse_sequence.c - ReverseSequence (opset 10): reverses the first
 * sequence_lens[b] steps along the time axis of every batch entry.
 *
 * batch_axis and time_axis are 0 and 1 in either order, so the input is
 * [batch][time][inner] or [time][batch][inner].  sequence_lens may be a
 * run-time input: the output shape does not depend on it.  Folding and
 * the generated code both call snt_reverse_sequence.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

typedef struct {
    size_t batch, time, inner;
    bool time_major;
} SequenceView;

static bool sequence_view(const Node *n, SequenceView *v, Diag *d)
{
    const Shape *s = &n->in[0]->shape;
    int64_t batch_axis = attr_int_or(n, "batch_axis", 1);
    int64_t time_axis = attr_int_or(n, "time_axis", 0);
    if (s->rank < 2)
        return node_error(d, n, "input must have rank 2 or more, not %d", s->rank);
    if (!((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0)))
        return node_error(d, n, "batch_axis %lld and time_axis %lld must be 0 and 1",
                          (long long)batch_axis, (long long)time_axis);
    v->time_major = time_axis == 0;
    v->batch = (size_t)s->dim[batch_axis];
    v->time = (size_t)s->dim[time_axis];
    v->inner = 1;
    for (int i = 2; i < s->rank; i++)
        v->inner *= (size_t)s->dim[i];
    return true;
}

static bool reverse_sequence_infer(Node *n, Diag *d)
{
    const Tensor *x = n->in[0], *lens = n->in[1];
    SequenceView v;
    if (!check_movable(n, x, d) || !sequence_view(n, &v, d))
        return false;
    if (lens->dtype != DT_INT64)
        return node_error(d, n, "sequence_lens must be int64, not %s", dtype_label(lens->dtype));
    if (lens->shape.rank != 1 || lens->shape.dim[0] != (int64_t)v.batch)
        return node_error(d, n, "sequence_lens must hold one length per batch entry (%zu)",
                          v.batch);
    if (tensor_is_const(lens))
        for (size_t b = 0; b < v.batch; b++) {
            int64_t len = ((const int64_t *)lens->data)[b];
            if (len < 0 || len > (int64_t)v.time)
                return node_error(d, n, "sequence length %lld is outside [0, %zu]",
                                  (long long)len, v.time);
        }
    set_output(n, 0, x->dtype, &x->shape);
    return true;
}

static bool reverse_sequence_fold(Node *n, Diag *d)
{
    SequenceView v;
    if (!all_inputs_const(n) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!sequence_view(n, &v, d))
        return false;
    const Tensor *x = n->in[0];
    snt_reverse_sequence(v.batch, v.time, v.inner, v.time_major, dtype_size(x->dtype),
                         n->in[1]->data, x->data, alloc_output(n, 0));
    return true;
}

static bool reverse_sequence_emit(const Node *n, Emitter *e, Diag *d)
{
    SequenceView v = {0};
    if (!sequence_view(n, &v, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    const Tensor *x = n->in[0];
    emit_line(e, "snt_reverse_sequence(%zu, %zu, %zu, %d, sizeof(%s), %s, %s, %s);", v.batch,
              v.time, v.inner, v.time_major, dtype_ctype(x->dtype), emit_ptr(e, n->in[1]),
              emit_ptr(e, x), emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_ReverseSequence = {
    .name = "ReverseSequence",
    .dtypes = DT_SET_ALL,
    .since = 10, .until = 21,
    .min_in = 2, .max_in = 2,
    .min_out = 1, .max_out = 1,
    .infer = reverse_sequence_infer,
    .fold = reverse_sequence_fold,
    .emit = reverse_sequence_emit,
};
