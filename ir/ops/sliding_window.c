/*
 * sliding_window.c - sliding window geometry (sliding_window.h).
 */
#include "ir/ops/sliding_window.h"

#include <string.h>

/* Largest kernel, stride, dilation or pad accepted: keeps every window
 * computation far from int64 overflow. */
#define WINDOW_ATTR_MAX ((int64_t)1 << 31)

bool read_window_ints(const Node *n, const char *name, int count, int64_t dflt, int64_t lo,
                      int64_t hi, int64_t *out, Diag *d)
{
    int64_t v[6]; /* the pads of three spatial axes */
    int got = attr_ints(n, name, v, 6);
    if (got < 0) {
        for (int i = 0; i < count; i++)
            out[i] = dflt;
        return true;
    }
    if (got != count)
        return node_error(d, n, "attribute %s has %d values, expected %d", name, got, count);
    for (int i = 0; i < count; i++) {
        if (v[i] < lo || v[i] > hi)
            return node_error(d, n, "attribute %s has out-of-range value %lld", name,
                              (long long)v[i]);
        out[i] = v[i];
    }
    return true;
}

/* Output extent (and, for auto_pad SAME_*, the pads) of axis j. */
bool window_axis(const Node *n, const char *auto_pad, bool ceil_mode, Window *w, int j,
                 Diag *d)
{
    int64_t in = w->in[j], s = w->stride[j];
    int64_t span = (w->kernel[j] - 1) * w->dilation[j] + 1; /* one dilated window */
    if (strcmp(auto_pad, "NOTSET") == 0) {
        int64_t room = in + w->pad_begin[j] + w->pad_end[j] - span;
        if (room < 0)
            return node_error(d, n, "window of extent %lld exceeds the padded input (%lld)",
                              (long long)span, (long long)(room + span));
        int64_t out = (ceil_mode ? room + s - 1 : room) / s + 1;
        /* ONNX (like PyTorch) drops a last window that would start in the
         * end padding, which ceil_mode could otherwise create. */
        if (ceil_mode && (out - 1) * s >= in + w->pad_begin[j])
            out--;
        w->out[j] = out;
    } else if (strcmp(auto_pad, "VALID") == 0) {
        if (in < span)
            return node_error(d, n, "window of extent %lld exceeds the input (%lld)",
                              (long long)span, (long long)in);
        w->pad_begin[j] = w->pad_end[j] = 0;
        w->out[j] = (in - span) / s + 1;
    } else if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
        /* Output ceil(in / stride); the odd pad goes at the end for
         * SAME_UPPER and at the beginning for SAME_LOWER. */
        int64_t out = (in + s - 1) / s;
        int64_t total = (out - 1) * s + span - in;
        if (total < 0)
            total = 0;
        w->pad_begin[j] = strcmp(auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
        w->pad_end[j] = total - w->pad_begin[j];
        w->out[j] = out;
    } else {
        return node_error(d, n, "unknown auto_pad '%s'", auto_pad);
    }
    return true;
}

bool check_window_rank(const Node *n, const Shape *x, Diag *d)
{
    if (x->rank == 5)
        return node_error(d, n, "3-D %s is not supported", n->op_type);
    if (x->rank != 3 && x->rank != 4)
        return node_error(d, n, "X must have rank 3 (1-D) or 4 (2-D), not %d", x->rank);
    return true;
}

bool window_infer(const Node *n, const Shape *x, const int64_t *kernel, bool ceil_mode,
                  Window *w, Diag *d)
{
    if (!check_window_rank(n, x, d))
        return false;
    int r = x->rank - 2;
    int64_t strides[2], dilations[2], pads[4];
    if (!read_window_ints(n, "strides", r, 1, 1, WINDOW_ATTR_MAX, strides, d) ||
        !read_window_ints(n, "dilations", r, 1, 1, WINDOW_ATTR_MAX, dilations, d) ||
        !read_window_ints(n, "pads", 2 * r, 0, 0, WINDOW_ATTR_MAX, pads, d))
        return false;
    const char *auto_pad = attr_string_or(n, "auto_pad", "NOTSET");

    /* Axis H of a 1-D window is a unit axis that every loop runs once. */
    *w = (Window){.rank = r, .in = {1, 1}, .kernel = {1, 1}, .stride = {1, 1},
                  .dilation = {1, 1}, .out = {1, 1}};
    for (int i = 0; i < r; i++) {
        int j = 2 - r + i;
        if (x->dim[2 + i] < 1)
            return node_error(d, n, "spatial extent %lld must be positive",
                              (long long)x->dim[2 + i]);
        if (kernel[i] < 1 || kernel[i] > WINDOW_ATTR_MAX)
            return node_error(d, n, "kernel extent %lld is out of range", (long long)kernel[i]);
        w->in[j] = x->dim[2 + i];
        w->kernel[j] = kernel[i];
        w->stride[j] = strides[i];
        w->dilation[j] = dilations[i];
        w->pad_begin[j] = pads[i];
        w->pad_end[j] = pads[r + i];
        if (!window_axis(n, auto_pad, ceil_mode, w, j, d))
            return false;
    }
    return true;
}

Shape window_output_shape(const Window *w, const Shape *x, int64_t channels)
{
    Shape s = {.rank = x->rank, .dim = {x->dim[0], channels}};
    for (int i = 0; i < w->rank; i++)
        s.dim[2 + i] = w->out[2 - w->rank + i];
    return s;
}
