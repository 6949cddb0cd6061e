/*
 * windows.c - HannWindow, HammingWindow and BlackmanWindow (opset 17):
 * a 1-D window of `size` values, always computed at compile time since
 * `size` (input 0) decides the output shape and so must be a constant.
 *
 * All three are cosine sums over n = 0 .. size-1:
 *     y[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N)
 * with N = size when periodic (the default) and size - 1 otherwise.  A
 * symmetric window of one value divides 0 by 0 and is NaN, as ONNX's
 * reference computes it.  output_datatype picks the result's dtype.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <math.h>

typedef struct {
    double a0, a1, a2;
} CosineSum;

static const CosineSum hann = {0.5, 0.5, 0.0};
static const CosineSum hamming = {25.0 / 46.0, 21.0 / 46.0, 0.0};
static const CosineSum blackman = {0.42, 0.5, 0.08};

/* M_PI is not ISO C. */
#define TWO_PI 6.28318530717958647692528676655900577

/* The window length from the constant scalar input 0. */
static bool cosine_window_size(const Node *n, int64_t *size, Diag *d)
{
    const Tensor *s = n->in[0];
    if (tensor_numel(s) != 1 || s->shape.rank > 1)
        return node_error(d, n, "size ('%s') must be a scalar", s->name);
    if (const_ints(n, 0, size, 1, d) != 1)
        return false;
    if (*size < 0 || *size > FOLD_MAX_ELEMENTS)
        return node_error(d, n, "size %lld is out of range [0, %lld]", (long long)*size,
                          (long long)FOLD_MAX_ELEMENTS);
    return true;
}

static bool cosine_window_infer(Node *n, Diag *d)
{
    int64_t size;
    if (!check_inputs_present(n, 1, d) || !cosine_window_size(n, &size, d))
        return false;
    DType t = (DType)attr_int_or(n, "output_datatype", DT_FLOAT);
    if (!dtype_is_numeric(t))
        return node_error(d, n, "output_datatype %d is not a supported numeric dtype", (int)t);
    Shape s = {.rank = 1, .dim = {size}};
    set_output(n, 0, t, &s);
    return true;
}

/* Fills output 0 with the cosine sum `w`. */
static bool cosine_window_fold(Node *n, const CosineSum *w)
{
    Tensor *y = n->out[0];
    int64_t size = y->shape.dim[0];
    double period = attr_int_or(n, "periodic", 1) ? (double)size : (double)(size - 1);
    void *data = alloc_output(n, 0);
    for (int64_t i = 0; i < size; i++) {
        double phase = TWO_PI * (double)i / period;
        dtype_set_f64(y->dtype, data, (size_t)i,
                      w->a0 - w->a1 * cos(phase) + w->a2 * cos(2.0 * phase));
    }
    return true;
}

static bool hann_fold(Node *n, Diag *d) { (void)d; return cosine_window_fold(n, &hann); }
static bool hamming_fold(Node *n, Diag *d) { (void)d; return cosine_window_fold(n, &hamming); }
static bool blackman_fold(Node *n, Diag *d) { (void)d; return cosine_window_fold(n, &blackman); }

#define WINDOW_OP(Name, fold_fn) \
    const OpDesc op_##Name = { \
        .name = #Name, .since = 17, .until = COMPUTE_OPSET_MAX, \
        .dtypes = DT_BIT(DT_INT32) | DT_BIT(DT_INT64), \
        .min_in = 1, .max_in = 1, .min_out = 1, .max_out = 1, \
        .infer = cosine_window_infer, .fold = fold_fn, .emit = emit_folded_only, \
    }

WINDOW_OP(HannWindow, hann_fold);
WINDOW_OP(HammingWindow, hamming_fold);
WINDOW_OP(BlackmanWindow, blackman_fold);
