/*
 * signal.c - DFT, STFT and MelWeightMatrix (opset 17).
 *
 * DFT transforms input 0 [batch, signal dims ..., 1 or 2] (real, or
 * complex as (re, im) pairs in the last axis) along `axis`; STFT
 * transforms frames of signal [batch, length, 1 or 2] taken every
 * frame_step samples, each multiplied by the optional window.  Both give
 * complex (re, im) pairs and share the runtime's snt_dft, which sees a
 * grid of lines (signals) described by strides:
 *  - DFT: input [outer][len][inner][c] -> output [outer][bins][inner][2],
 *    line (o, i) for each outer and inner index;
 *  - STFT: line (batch, frame) starts frame * frame_step samples into
 *    the batch's signal and is written as [batch][frame][bins][2].
 * The DFT length (dft_length, frame_length, the window's length) and the
 * step set output shapes, so they must be known at compile time.  With
 * onesided the first floor(n / 2) + 1 bins are kept: the others are the
 * conjugates of these for a real signal.
 *
 * MelWeightMatrix builds a [dft_length / 2 + 1, num_mel_bins] matrix of
 * triangular filters from five constant scalars, always at compile time,
 * computing as ONNX's reference does (see mel_fold).
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"
#include "ir/ops/op_emit.h"

#include <math.h>
#include <stdlib.h>

/* Folding a transform stops above this many floating point operations:
 * the direct DFT of a long constant signal could take hours. */
#define FOLD_MAX_FLOPS ((int64_t)1 << 32)

#define FOURIER_DTYPES (DT_BIT(DT_FLOAT) | DT_BIT(DT_DOUBLE))

/* Input i if the node has it, else NULL (an omitted optional input). */
static const Tensor *optional_input(const Node *n, int i)
{
    return i < n->n_in ? n->in[i] : NULL;
}

/* node_error unless input i is a constant scalar (rank 0 or 1) of dtype
 * a or b; `what` names it in messages. */
static bool check_const_scalar(const Node *n, int i, const char *what, DType a, DType b,
                               Diag *d)
{
    const Tensor *t = n->in[i];
    if (t->dtype != a && t->dtype != b)
        return node_error(d, n, "%s ('%s') must be %s or %s, not %s", what, t->name,
                          dtype_label(a), dtype_label(b), dtype_label(t->dtype));
    if (tensor_numel(t) != 1 || t->shape.rank > 1)
        return node_error(d, n, "%s ('%s') must be a scalar", what, t->name);
    if (!tensor_is_const(t))
        return node_error(d, n, "%s ('%s') must be known at compile time", what, t->name);
    return true;
}

/* Reads the integer scalar input i, which must be constant and in
 * [min, MAX_ELEMENTS]; `what` names it in messages. */
static bool scalar_int(const Node *n, int i, const char *what, int64_t min, int64_t *v,
                       Diag *d)
{
    if (!check_const_scalar(n, i, what, DT_INT32, DT_INT64, d))
        return false;
    *v = dtype_get_i64(n->in[i]->dtype, n->in[i]->data, 0);
    if (*v < min || *v > MAX_ELEMENTS)
        return node_error(d, n, "%s %lld is out of range [%lld, %lld]", what, (long long)*v,
                          (long long)min, (long long)MAX_ELEMENTS);
    return true;
}

/* A 0/1 attribute; other values are refused rather than read as true. */
static bool flag_attr(const Node *n, const char *name, int64_t dflt, bool *out, Diag *d)
{
    int64_t v = attr_int_or(n, name, dflt);
    if (v != 0 && v != 1)
        return node_error(d, n, "%s must be 0 or 1, not %lld", name, (long long)v);
    *out = v == 1;
    return true;
}

/* The last axis of x (input 0) holds 1 (real) or 2 (complex) values. */
static bool read_complex_axis(const Node *n, const char *what, bool *complex_input, Diag *d)
{
    const Tensor *x = n->in[0];
    int64_t last = x->shape.rank ? x->shape.dim[x->shape.rank - 1] : 0;
    if (last != 1 && last != 2)
        return node_error(d, n, "%s ('%s') must end in an axis of 1 (real) or 2 (complex) "
                          "values", what, x->name);
    *complex_input = last == 2;
    return true;
}

/* The bins kept of an n-point transform: all, or with the `onesided`
 * attribute (default dflt) the first n / 2 + 1, which only a real
 * signal determines. */
static bool read_bins(const Node *n, int64_t length, bool complex_input, int64_t dflt,
                      int64_t *bins, Diag *d)
{
    bool onesided = false;
    if (!flag_attr(n, "onesided", dflt, &onesided, d))
        return false;
    if (onesided && complex_input)
        return node_error(d, n, "onesided output needs a real signal, not a complex one");
    *bins = onesided ? length / 2 + 1 : length;
    return true;
}

/* ---- the transform shared by DFT and STFT ---------------------------- */

/* Floating point operations of the transform: 5 n log2 n per line for
 * the radix-2 FFT (the classic count), else 8 (a complex multiply-add)
 * per sample and kept bin.  There are no weights, so no MACs. */
static OpCost fourier_cost(const snt_dft_params *p)
{
    int64_t lines = sat_mul((int64_t)p->lines[0], (int64_t)p->lines[1]), per_line;
    if (p->n > 0 && (p->n & (p->n - 1)) == 0) {
        int64_t log2n = 0;
        while (((size_t)1 << log2n) < p->n)
            log2n++;
        per_line = sat_mul(5, sat_mul((int64_t)p->n, log2n));
    } else {
        per_line = sat_mul(8, sat_mul((int64_t)p->n, (int64_t)p->bins));
    }
    return (OpCost){.flops = sat_mul(lines, per_line)};
}

static size_t fourier_work_bytes(const snt_dft_params *p)
{
    return snt_dft_work_doubles(p->n) * sizeof(double);
}

/* Computes output 0 when the signal (and window, if any) is constant
 * and the work is small enough to do at compile time. */
static bool fourier_fold(Node *n, const snt_dft_params *p, const Tensor *window)
{
    const Tensor *x = n->in[0];
    if (!tensor_is_const(x) || (window && !tensor_is_const(window)) ||
        tensor_numel(n->out[0]) > FOLD_MAX_ELEMENTS || fourier_cost(p).flops > FOLD_MAX_FLOPS)
        return true;
    double *work = xmalloc(fourier_work_bytes(p));
    snt_dft((int)x->dtype, p, x->data, window ? window->data : NULL, alloc_output(n, 0), work);
    free(work);
    return true;
}

static bool fourier_emit(const Node *n, Emitter *e, const snt_dft_params *p,
                         const Tensor *window)
{
    emit_params_snt_dft_params(e, p, "p");
    const Tensor *x = n->in[0];
    emit_line(e, "snt_dft(%d /* %s */, &p, %s, %s, %s, (double *)%s);", (int)x->dtype,
              dtype_label(x->dtype), emit_ptr(e, x), emit_ptr_or_null(e, window),
              emit_ptr(e, n->out[0]), emit_scratch(e, fourier_work_bytes(p)));
    return true;
}


/* Reads an op's kernel parameters and output shape (checked against
 * the size limit before any stride is computed from it); false after a
 * node error. */
typedef bool (*FourierRead)(const Node *n, snt_dft_params *p, Shape *y, Diag *d);

/* The shape rule of both ops. */
static bool fourier_infer(Node *n, FourierRead read, Diag *d)
{
    snt_dft_params p;
    Shape y;
    if (!check_inputs_present(n, n->op->min_in, d) || !read(n, &p, &y, d))
        return false;
    set_output(n, 0, n->in[0]->dtype, &y);
    return true;
}

/* For the hooks that cannot report errors (cost, scratch): the
 * parameters, or false when the node is malformed. */
static bool read_quietly(const Node *n, FourierRead read, snt_dft_params *p)
{
    Shape y;
    bool ok = read(n, p, &y, NULL);
    return ok;
}

static OpCost fourier_node_cost(const Node *n, FourierRead read)
{
    snt_dft_params p;
    return read_quietly(n, read, &p) ? fourier_cost(&p) : (OpCost){0};
}

static size_t fourier_node_scratch(const Node *n, FourierRead read)
{
    snt_dft_params p;
    return read_quietly(n, read, &p) ? fourier_work_bytes(&p) : 0;
}

/* ---- DFT ----------------------------------------------------------- */

/* The normalized `axis` of DFT's input 0, which may not be the last
 * (the real and imaginary parts). */
static bool dft_axis(const Node *n, int *axis, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    int64_t attr = attr_int_or(n, "axis", 1);
    if (!axis_normalize(attr, x->rank, axis) || *axis == x->rank - 1)
        return node_error(d, n, "axis %lld is out of range for rank %d: the last axis holds "
                          "the real and imaginary parts", (long long)attr, x->rank);
    return true;
}

/* DFT's parameters, for input 0 viewed as [outer][len][inner][c] (c = 1
 * or 2) and the output y as [outer][bins][inner][2]. */
static bool dft_read(const Node *n, snt_dft_params *p, Shape *y, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    bool complex_input = false, inverse = false;
    int axis;
    if (!read_complex_axis(n, "input 0", &complex_input, d) || !dft_axis(n, &axis, d) ||
        !flag_attr(n, "inverse", 0, &inverse, d))
        return false;
    int64_t len = x->dim[axis], length = len, bins = length;
    if (optional_input(n, 1) && !scalar_int(n, 1, "dft_length", 1, &length, d))
        return false;
    if (length < 1)
        return node_error(d, n, "axis %d is empty and no dft_length is given", axis);
    if (!read_bins(n, length, complex_input, 0, &bins, d))
        return false;
    /* ONNX 1.12's shape rule refuses an inverse one-sided transform. */
    if (inverse && bins != length)
        return node_error(d, n, "onesided and inverse cannot both be set");
    *y = *x;
    y->dim[axis] = bins;
    y->dim[y->rank - 1] = 2;
    if (!check_size(n, y, d))
        return false;
    int64_t outer = 1, inner = 1, c = complex_input ? 2 : 1;
    for (int i = 0; i < axis; i++)
        outer *= x->dim[i];
    for (int i = axis + 1; i < x->rank - 1; i++)
        inner *= x->dim[i];
    *p = (snt_dft_params){
        .lines = {(size_t)outer, (size_t)inner},
        .x_line_strides = {(ptrdiff_t)(len * inner * c), (ptrdiff_t)c},
        .x_sample_stride = (ptrdiff_t)(inner * c),
        .y_line_strides = {(ptrdiff_t)(bins * inner * 2), 2},
        .y_bin_stride = (ptrdiff_t)(inner * 2),
        /* dft_length pads with zeros or drops the samples past it */
        .samples = (size_t)(len < length ? len : length),
        .complex_input = complex_input,
        .n = (size_t)length, .bins = (size_t)bins, .inverse = inverse,
    };
    return true;
}

static bool dft_infer(Node *n, Diag *d) { return fourier_infer(n, dft_read, d); }

static bool dft_fold(Node *n, Diag *d)
{
    snt_dft_params p;
    Shape y;
    return dft_read(n, &p, &y, d) && fourier_fold(n, &p, NULL);
}

static OpCost dft_cost(const Node *n) { return fourier_node_cost(n, dft_read); }
static size_t dft_scratch(const Node *n) { return fourier_node_scratch(n, dft_read); }

static bool dft_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_dft_params p;
    Shape y;
    return dft_read(n, &p, &y, d) && fourier_emit(n, e, &p, NULL);
}

const OpDesc op_DFT = {
    .name = "DFT", .since = 17, .until = 19,
    .min_in = 1, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = dft_infer, .fold = dft_fold, .cost = dft_cost, .emit = dft_emit,
    .scratch_bytes = dft_scratch, .dtypes = FOURIER_DTYPES,
    .restriction = "dft_length must be known at compile time",
};

/* ---- STFT ---------------------------------------------------------- */

/* The frame length: the window's length and/or frame_length, which must
 * agree when both are given. */
static bool stft_frame_length(const Node *n, int64_t *length, Diag *d)
{
    const Tensor *window = optional_input(n, 2), *frame_length = optional_input(n, 3);
    if (!window && !frame_length)
        return node_error(d, n, "needs a window or a frame_length");
    if (window) {
        if (window->shape.rank != 1)
            return node_error(d, n, "window ('%s') must be 1-D", window->name);
        if (!check_same_dtype(n, 2, d))
            return false;
        *length = window->shape.dim[0];
    }
    if (frame_length) {
        int64_t v;
        if (!scalar_int(n, 3, "frame_length", 1, &v, d))
            return false;
        if (window && v != *length)
            return node_error(d, n, "frame_length %lld differs from the window's length %lld",
                              (long long)v, (long long)*length);
        *length = v;
    }
    return true;
}

/* STFT's parameters: line (batch, frame) of signal [batch][len][c] is
 * written to output y [batch][frames][bins][2]. */
static bool stft_read(const Node *n, snt_dft_params *p, Shape *y, Diag *d)
{
    const Shape *x = &n->in[0]->shape;
    bool complex_input = false;
    int64_t step = 0, length = 0, bins = 0;
    if (x->rank != 3)
        return node_error(d, n, "signal ('%s') must be [batch][length][1 or 2]", n->in[0]->name);
    if (!read_complex_axis(n, "signal", &complex_input, d) ||
        !scalar_int(n, 1, "frame_step", 1, &step, d) || !stft_frame_length(n, &length, d))
        return false;
    if (length < 1 || length > x->dim[1])
        return node_error(d, n, "frame length %lld is outside [1, %lld], the signal's length",
                          (long long)length, (long long)x->dim[1]);
    if (!read_bins(n, length, complex_input, 1, &bins, d))
        return false;
    int64_t frames = (x->dim[1] - length) / step + 1, c = complex_input ? 2 : 1;
    *y = (Shape){.rank = 4, .dim = {x->dim[0], frames, bins, 2}};
    if (!check_size(n, y, d))
        return false;
    *p = (snt_dft_params){
        .lines = {(size_t)x->dim[0], (size_t)frames},
        .x_line_strides = {(ptrdiff_t)(x->dim[1] * c), (ptrdiff_t)(step * c)},
        .x_sample_stride = (ptrdiff_t)c,
        .y_line_strides = {(ptrdiff_t)(frames * bins * 2), (ptrdiff_t)(bins * 2)},
        .y_bin_stride = 2,
        .samples = (size_t)length, .complex_input = complex_input,
        .n = (size_t)length, .bins = (size_t)bins,
    };
    return true;
}

static bool stft_infer(Node *n, Diag *d) { return fourier_infer(n, stft_read, d); }

static bool stft_fold(Node *n, Diag *d)
{
    snt_dft_params p;
    Shape y;
    return stft_read(n, &p, &y, d) && fourier_fold(n, &p, optional_input(n, 2));
}

static OpCost stft_cost(const Node *n) { return fourier_node_cost(n, stft_read); }
static size_t stft_scratch(const Node *n) { return fourier_node_scratch(n, stft_read); }

static bool stft_emit(const Node *n, Emitter *e, Diag *d)
{
    snt_dft_params p;
    Shape y;
    return stft_read(n, &p, &y, d) && fourier_emit(n, e, &p, optional_input(n, 2));
}

const OpDesc op_STFT = {
    .name = "STFT", .since = 17, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 4, .min_out = 1, .max_out = 1,
    .infer = stft_infer, .fold = stft_fold, .cost = stft_cost, .emit = stft_emit,
    .scratch_bytes = stft_scratch, .dtypes = FOURIER_DTYPES,
    .restriction = "frame_step and frame_length must be known at compile time",
};

/* ---- MelWeightMatrix ------------------------------------------------- */

typedef struct {
    int64_t mel_bins, dft_length, sample_rate;
    double lower_hz, upper_hz;
    DType edge_dtype;        /* the dtype of lower/upper_edge_hertz */
    DType out_dtype;
} Mel;

/* Reads the constant float32 or float64 scalar input i. */
static bool scalar_float(const Node *n, int i, const char *what, double *v, Diag *d)
{
    if (!check_const_scalar(n, i, what, DT_FLOAT, DT_DOUBLE, d))
        return false;
    *v = dtype_get_f64(n->in[i]->dtype, n->in[i]->data, 0);
    return true;
}

static bool mel_read(const Node *n, Mel *m, Diag *d)
{
    if (!check_inputs_present(n, 5, d) ||
        !scalar_int(n, 0, "num_mel_bins", 1, &m->mel_bins, d) ||
        !scalar_int(n, 1, "dft_length", 1, &m->dft_length, d) ||
        !scalar_int(n, 2, "sample_rate", 1, &m->sample_rate, d) ||
        !scalar_float(n, 3, "lower_edge_hertz", &m->lower_hz, d) ||
        !scalar_float(n, 4, "upper_edge_hertz", &m->upper_hz, d))
        return false;
    if (n->in[4]->dtype != n->in[3]->dtype)
        return node_error(d, n, "lower_edge_hertz and upper_edge_hertz differ in dtype");
    m->edge_dtype = n->in[3]->dtype;
    m->out_dtype = (DType)attr_int_or(n, "output_datatype", DT_FLOAT);
    if (!dtype_is_numeric(m->out_dtype))
        return node_error(d, n, "output_datatype %d is not a supported numeric dtype",
                          (int)m->out_dtype);
    return true;
}

static bool mel_infer(Node *n, Diag *d)
{
    Mel m;
    if (!mel_read(n, &m, d))
        return false;
    Shape s = {.rank = 2, .dim = {m.dft_length / 2 + 1, m.mel_bins}};
    if (!check_fold_size(n, &s, d))
        return false;
    set_output(n, 0, m.out_dtype, &s);
    return true;
}

/* v rounded to the edges' dtype: ONNX's reference computes the mel range
 * in it, and the filter edges below are floored, so the rounding shows. */
static double in_edge_dtype(const Mel *m, double v)
{
    return m->edge_dtype == DT_FLOAT ? (double)(float)v : v;
}

/* mel(f) = 2595 log10(1 + f / 700), step by step in the edges' dtype. */
static double hz_to_mel(const Mel *m, double hz)
{
    double ratio = in_edge_dtype(m, 1.0 + in_edge_dtype(m, hz / 700.0));
    return in_edge_dtype(m, 2595.0 * in_edge_dtype(m, log10(ratio)));
}

/* numpy's floor division of floats (as Python's): floors the exactly
 * computed quotient (a - fmod(a, b)) / b rather than a rounded a / b. */
static double floor_divide(double a, double b)
{
    double mod = fmod(a, b), div = (a - mod) / b;
    if (mod != 0.0 && (b < 0) != (mod < 0))
        div -= 1.0;
    double floored = floor(div);
    return div - floored > 0.5 ? floored + 1.0 : floored;
}

/* The spectrogram bins of the num_mel_bins + 2 filter edges, spaced
 * evenly on the mel scale; false when one is no bin of the
 * spectrogram's [0, bins] (an edge hertz beyond the Nyquist frequency,
 * or negative). */
static bool mel_edges(const Node *n, const Mel *m, int64_t bins, int64_t *edge, Diag *d)
{
    double low = hz_to_mel(m, m->lower_hz), high = hz_to_mel(m, m->upper_hz);
    double step = in_edge_dtype(m, (high - low) / (double)(m->mel_bins + 2));
    for (int64_t i = 0; i < m->mel_bins + 2; i++) {
        double hz = 700.0 * (pow(10.0, ((double)i * step + low) / 2595.0) - 1.0);
        double bin = floor_divide((double)(m->dft_length + 1) * hz, (double)m->sample_rate);
        if (!(bin >= 0.0 && bin <= (double)bins))
            return node_error(d, n, "the mel filter edge at %g Hz maps to bin %g, outside "
                              "[0, %lld]", hz, bin, (long long)bins);
        edge[i] = (int64_t)bin;
    }
    return true;
}

/* Stores weight v for spectrogram bin j of filter i. */
static bool mel_set(const Node *n, void *data, int64_t bins, int64_t mel_bins, int64_t j,
                    int64_t i, double v, Diag *d)
{
    if (j >= bins)
        return node_error(d, n, "upper_edge_hertz reaches past the last spectrogram bin");
    dtype_set_f64(n->out[0]->dtype, data, (size_t)(j * mel_bins + i), v);
    return true;
}

/* Filter i rises linearly from 0 at edge i to 1 at edge i + 1 and falls
 * back to 0 at edge i + 2 (exclusive); a filter without a rise is 1 at
 * its centre.  As ONNX's reference: edges out of order write nothing. */
static bool mel_fold(Node *n, Diag *d)
{
    Mel m;
    if (!mel_read(n, &m, d))
        return false;
    int64_t bins = m.dft_length / 2 + 1, k = m.mel_bins;
    int64_t *edge = xmalloc((size_t)(k + 2) * sizeof *edge);
    void *data = alloc_output(n, 0);
    bool ok = mel_edges(n, &m, bins, edge, d);
    for (int64_t i = 0; ok && i < k; i++) {
        int64_t left = edge[i], centre = edge[i + 1], right = edge[i + 2];
        if (centre == left)
            ok = mel_set(n, data, bins, k, centre, i, 1.0, d);
        for (int64_t j = left; ok && centre > left && j <= centre; j++)
            ok = mel_set(n, data, bins, k, j, i, (double)(j - left) / (double)(centre - left), d);
        for (int64_t j = centre; ok && j < right; j++)
            ok = mel_set(n, data, bins, k, j, i, (double)(right - j) / (double)(right - centre), d);
    }
    free(edge);
    return ok;
}

const OpDesc op_MelWeightMatrix = {
    .name = "MelWeightMatrix", .since = 17, .until = COMPUTE_OPSET_MAX,
    .min_in = 5, .max_in = 5, .min_out = 1, .max_out = 1,
    .infer = mel_infer, .fold = mel_fold, .emit = emit_folded_only,
    .dtypes = DT_BIT(DT_INT32) | DT_BIT(DT_INT64),
    .restriction = "all inputs must be known at compile time",
};
