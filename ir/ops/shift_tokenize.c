/*
 * shift_tokenize.c - ShiftTokenize, a Sinter-internal op (not ONNX: the
 * fuse_shift_tokenize pass creates it; a model file never names it).
 *
 * UNeXt's shifted MLP splits the channels of an image into chunks and
 * moves each chunk by its own number of pixels along one spatial axis,
 * shifting zeros in.  The export spells that with 26 nodes (pad, chunk
 * slices, a slice-slice-concat roll per chunk, concat, crop) between
 * a tokens -> image and an image -> tokens conversion; this op does it
 * in one pass over the data.
 *
 * Input: tokens [N, H*W, C] (attributes height and width give H and W)
 * or an image [N, C, H, W]; the output has the input's shape.
 * Attributes: axis (2 = H, 3 = W, in image terms), chunk_ends (the end
 * channel of each chunk, increasing, the last = C), shifts (one per
 * chunk): y(n,c,h,w) = x(n,c,h - shift,w) for axis 2, 0 outside.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/fused.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <string.h>

/* Extents and strides of the two layouts. */
static bool shift_layout(const Node *n, snt_shift_params *p, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    if (x->rank == 4) {
        p->n = (size_t)x->dim[0], p->c = (size_t)x->dim[1];
        p->h = (size_t)x->dim[2], p->w = (size_t)x->dim[3];
        p->w_stride = 1;
        p->h_stride = (ptrdiff_t)p->w;
        p->c_stride = (ptrdiff_t)(p->h * p->w);
        p->n_stride = (ptrdiff_t)(p->c * p->h * p->w);
        return true;
    }
    if (x->rank != 3)
        return node_error(d, n, "input must be tokens [N, H*W, C] or an image [N, C, H, W]");
    int64_t h, w;
    if (!shift_token_grid(n, x->dim[1], &h, &w, d))
        return false;
    p->n = (size_t)x->dim[0], p->c = (size_t)x->dim[2];
    p->h = (size_t)h, p->w = (size_t)w;
    p->c_stride = 1;
    p->w_stride = (ptrdiff_t)p->c;
    p->h_stride = (ptrdiff_t)(p->w * p->c);
    p->n_stride = (ptrdiff_t)(p->h * p->w * p->c);
    return true;
}

bool shift_token_grid(const Node *n, int64_t tokens, int64_t *h, int64_t *w, Diag *d)
{
    *h = attr_int_or(n, "height", 0), *w = attr_int_or(n, "width", 0);
    if (*h <= 0 || *w <= 0 || tokens % *h != 0 || tokens / *h != *w)
        return node_error(d, n, "height %lld x width %lld do not match %lld tokens",
                          (long long)*h, (long long)*w, (long long)tokens);
    return true;
}

bool shift_chunks(const Node *n, size_t channels, int *axis, int *chunks, size_t *chunk_end,
                  ptrdiff_t *shift, Diag *d)
{
    int64_t ends[SNT_SHIFT_MAX_CHUNKS], shifts[SNT_SHIFT_MAX_CHUNKS];
    int64_t axis_attr = attr_int_or(n, "axis", 0);
    if (axis_attr != 2 && axis_attr != 3)
        return node_error(d, n, "axis must be 2 (H) or 3 (W)");
    *axis = (int)axis_attr - 2;
    int count = attr_ints(n, "chunk_ends", ends, SNT_SHIFT_MAX_CHUNKS);
    if (count < 1 || count > SNT_SHIFT_MAX_CHUNKS ||
        attr_ints(n, "shifts", shifts, SNT_SHIFT_MAX_CHUNKS) != count)
        return node_error(d, n, "needs 1 to %d chunk_ends and as many shifts",
                          SNT_SHIFT_MAX_CHUNKS);
    int64_t prev = 0;
    for (int k = 0; k < count; k++) {
        if (ends[k] <= prev || (k == count - 1 && ends[k] != (int64_t)channels))
            return node_error(d, n, "chunk_ends must increase and end at %zu channels", channels);
        /* A shift past the extent leaves only zeros: legal (the fixtures'
         * 1x1 images do it), only bounded to keep the index arithmetic
         * far from overflow. */
        if (shifts[k] < -MAX_ELEMENTS || shifts[k] > MAX_ELEMENTS)
            return node_error(d, n, "shift %lld is out of range", (long long)shifts[k]);
        chunk_end[k] = (size_t)ends[k];
        shift[k] = (ptrdiff_t)shifts[k];
        prev = ends[k];
    }
    *chunks = count;
    return true;
}

/* Everything the kernel needs; also checks the node. */
static bool shift_params(const Node *n, snt_shift_params *p, Diag *d)
{
    memset(p, 0, sizeof *p);
    return shift_layout(n, p, d) &&
           shift_chunks(n, p->c, &p->axis, &p->chunks, p->chunk_end, p->shift, d);
}

static bool shift_infer(Node *n, Diag *d)
{
    snt_shift_params p;
    if (!check_inputs_present(n, 1, d))
        return false;
    if (n->in[0]->dtype != DT_FLOAT)
        return node_error(d, n, "input must be float32");
    if (!shift_params(n, &p, d))
        return false;
    set_output(n, 0, DT_FLOAT, &n->in[0]->shape);
    return true;
}

static bool shift_fold(Node *n, Diag *d)
{
    snt_shift_params p;
    if (!tensor_is_const(n->in[0]) || tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS)
        return true;
    if (!shift_params(n, &p, d))
        return false;
    snt_shift_tokenize_f32(&p, n->in[0]->data, alloc_output(n, 0));
    return true;
}

static bool shift_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_shift_params p;
    if (!shift_params(n, &p, d))
        return false;
    if (tensor_numel(n->out[0]) == 0)
        return true;
    emit_params_snt_shift_params(e, &p, "p");
    emit_line(e, "snt_shift_tokenize_f32(&p, %s, %s);", emit_ptr(e, n->in[0]),
              emit_ptr(e, n->out[0]));
    return true;
}

const OpDesc op_ShiftTokenize = {
    .name = "ShiftTokenize",
    .since = 1, .until = 1 << 30, /* internal: created at the graph's opset, whatever it is */
    .min_in = 1, .max_in = 1,
    .min_out = 1, .max_out = 1,
    .infer = shift_infer,
    .fold = shift_fold,
    .emit = shift_emit,
    .internal = true,
};
