/*
 * quantize.c - ONNX's linear quantization: QuantizeLinear,
 * DequantizeLinear and DynamicQuantizeLinear on 8- and 16-bit integers.
 *
 * ONNX rounds x / scale half to even (rintf in the default rounding
 * mode) and saturates to the integer type's range.  Scale and zero point
 * are one value for the whole tensor, or one per channel of an axis: x is
 * seen as [outer][channels][inner] and channels = 1 is the per-tensor case.
 */
#include "sinter_rt.h"

#include <math.h>

/* Element i of an integer buffer of dtype `dtype` (UINT8, INT8, UINT16,
 * INT16 or INT32); NULL reads as 0, the zero point's default. */
static int32_t int_at(int dtype, const void *p, size_t i)
{
    if (!p)
        return 0;
    switch (dtype) {
    case SNT_DT_UINT8: return ((const uint8_t *)p)[i];
    case SNT_DT_INT8: return ((const int8_t *)p)[i];
    case SNT_DT_UINT16: return ((const uint16_t *)p)[i];
    case SNT_DT_INT16: return ((const int16_t *)p)[i];
    default: return ((const int32_t *)p)[i];
    }
}

/* The representable range of dtype (one of int_at's 8- and 16-bit types). */
static void int_range(int dtype, float *lo, float *hi)
{
    switch (dtype) {
    case SNT_DT_UINT8: *lo = 0.0f; *hi = 255.0f; break;
    case SNT_DT_INT8: *lo = -128.0f; *hi = 127.0f; break;
    case SNT_DT_UINT16: *lo = 0.0f; *hi = 65535.0f; break;
    default: *lo = -32768.0f; *hi = 32767.0f; break;
    }
}

/* Stores the integer-valued v, already within dtype's range, at y[i]. */
static void int_store(int dtype, void *y, size_t i, float v)
{
    switch (dtype) {
    case SNT_DT_UINT8: ((uint8_t *)y)[i] = (uint8_t)v; break;
    case SNT_DT_INT8: ((int8_t *)y)[i] = (int8_t)v; break;
    case SNT_DT_UINT16: ((uint16_t *)y)[i] = (uint16_t)v; break;
    default: ((int16_t *)y)[i] = (int16_t)v; break;
    }
}

/* rint(v) + zero_point, saturated to [lo, hi].  NaN goes to lo: the
 * comparison fails for it, and a NaN must not reach the integer cast. */
static float quantize_value(float v, float zero_point, float lo, float hi)
{
    float q = rintf(v) + zero_point;
    if (!(q >= lo))
        return lo;
    return q > hi ? hi : q;
}

void snt_quantize_linear(size_t outer, size_t channels, size_t inner, const float *x,
                         const float *scale, const void *zero_point, int y_dtype, void *y)
{
    float lo, hi;
    size_t o, c, i, k = 0;
    int_range(y_dtype, &lo, &hi);
    for (o = 0; o < outer; o++)
        for (c = 0; c < channels; c++) {
            float s = scale[c], zp = (float)int_at(y_dtype, zero_point, c);
            for (i = 0; i < inner; i++, k++)
                int_store(y_dtype, y, k, quantize_value(x[k] / s, zp, lo, hi));
        }
}

void snt_dequantize_linear(size_t outer, size_t channels, size_t inner, int x_dtype,
                           const void *x, const float *scale, const void *zero_point, float *y)
{
    size_t o, c, i, k = 0;
    for (o = 0; o < outer; o++)
        for (c = 0; c < channels; c++) {
            float s = scale[c], zp = (float)int_at(x_dtype, zero_point, c);
            for (i = 0; i < inner; i++, k++)
                y[k] = ((float)int_at(x_dtype, x, k) - zp) * s;
        }
}

void snt_dynamic_quantize_linear(size_t n, const float *x, uint8_t *y, float *y_scale,
                                 uint8_t *y_zero_point)
{
    /* The range always includes 0, so that 0 is exactly representable. */
    float lo = 0.0f, hi = 0.0f, scale, zp;
    size_t i;
    for (i = 0; i < n; i++) {
        if (x[i] < lo)
            lo = x[i];
        if (x[i] > hi)
            hi = x[i];
    }
    scale = (hi - lo) / 255.0f;
    /* An all-zero x has no range: ONNX would divide 0 by 0; every value
     * is then 0, which scale 0 and zero point 0 describe. */
    zp = scale > 0.0f ? quantize_value(-lo / scale, 0.0f, 0.0f, 255.0f) : 0.0f;
    *y_scale = scale;
    *y_zero_point = (uint8_t)zp;
    for (i = 0; i < n; i++)
        y[i] = (uint8_t)(scale > 0.0f ? quantize_value(x[i] / scale, zp, 0.0f, 255.0f) : 0.0f);
}

/* ---- integer matrix products and convolutions ----------------------- */

/* Element i of a per-tensor (count 1) or per-channel (count > 1) array;
 * count 0 (an absent zero point) reads 0. */
static int32_t zp_at(int dtype, const void *zp, size_t count, size_t i)
{
    return count ? int_at(dtype, zp, count == 1 ? 0 : i) : 0;
}

static float scale_at(const float *scale, size_t count, size_t i)
{
    return scale[count == 1 ? 0 : i];
}

/* The sum of (a[m][.] - a_zp) * (b[.][n] - b_zp) over k, exact in int32
 * for any k below 2^16 on 8-bit operands. */
static int32_t int_dot(const snt_qmatmul_params *p, const void *a, size_t a_off, int32_t a_zp,
                       const void *b, size_t b_off, int32_t b_zp)
{
    int32_t acc = 0;
    size_t k;
    for (k = 0; k < p->k; k++)
        acc += (int_at(p->a_dtype, a, a_off + k) - a_zp) *
               (int_at(p->b_dtype, b, b_off + k * p->n) - b_zp);
    return acc;
}

/* Visits every output element of the batched product, handing its
 * accumulator and (row, column) to `store`. */
typedef void (*qstore_fn)(void *ctx, size_t index, size_t row, size_t col, int32_t acc);

static void qmatmul_each(const snt_qmatmul_params *p, const void *a, const void *a_zp,
                         const void *b, const void *b_zp, qstore_fn store, void *ctx)
{
    size_t batch, m, n, index = 0;
    for (batch = 0; batch < p->batch; batch++)
        for (m = 0; m < p->m; m++) {
            int32_t az = zp_at(p->a_dtype, a_zp, p->a_count, m);
            for (n = 0; n < p->n; n++, index++) {
                int32_t bz = zp_at(p->b_dtype, b_zp, p->b_count, n);
                int32_t acc = int_dot(p, a, batch * p->a_batch_stride + m * p->k, az, b,
                                      batch * p->b_batch_stride + n, bz);
                store(ctx, index, m, n, acc);
            }
        }
}

static void store_int32(void *ctx, size_t index, size_t row, size_t col, int32_t acc)
{
    (void)row;
    (void)col;
    ((int32_t *)ctx)[index] = acc;
}

void snt_matmul_integer(const snt_qmatmul_params *p, const void *a, const void *a_zp,
                        const void *b, const void *b_zp, int32_t *y)
{
    qmatmul_each(p, a, a_zp, b, b_zp, store_int32, y);
}

/* Requantization of int32 accumulators into y's integer type. */
typedef struct {
    const float *a_scale, *b_scale;
    size_t a_count, b_count;
    float y_scale, lo, hi, y_zp;
    int y_dtype;
    void *y;
} Requant;

static void requant_init(Requant *r, const float *y_scale, const void *y_zp, int y_dtype, void *y)
{
    int_range(y_dtype, &r->lo, &r->hi);
    r->y_scale = y_scale[0];
    r->y_zp = (float)int_at(y_dtype, y_zp, 0);
    r->y_dtype = y_dtype;
    r->y = y;
}

/* acc * a_scale * b_scale / y_scale, rounded half to even and shifted. */
static void requant_store(const Requant *r, size_t index, size_t a_i, size_t b_i, int32_t acc)
{
    float scale = scale_at(r->a_scale, r->a_count, a_i) * scale_at(r->b_scale, r->b_count, b_i);
    int_store(r->y_dtype, r->y, index,
              quantize_value((float)acc * scale / r->y_scale, r->y_zp, r->lo, r->hi));
}

static void store_requant(void *ctx, size_t index, size_t row, size_t col, int32_t acc)
{
    requant_store(ctx, index, row, col, acc);
}

void snt_qlinear_matmul(const snt_qmatmul_params *p, const void *a, const float *a_scale,
                        const void *a_zp, const void *b, const float *b_scale, const void *b_zp,
                        const float *y_scale, const void *y_zp, int y_dtype, void *y)
{
    Requant r;
    requant_init(&r, y_scale, y_zp, y_dtype, y);
    r.a_scale = a_scale;
    r.a_count = p->a_count;
    r.b_scale = b_scale;
    r.b_count = p->b_count;
    qmatmul_each(p, a, a_zp, b, b_zp, store_requant, &r);
}

/* The sum over one output pixel's window of (x - x_zp) * (w - w_zp);
 * taps in the padding add nothing, as if x were x_zp there. */
static int32_t conv_window_sum(const snt_qconv2d_params *p, const void *x, int32_t x_zp,
                               const void *w, int32_t w_zp, size_t batch, size_t oc, size_t oy,
                               size_t ox)
{
    size_t group_in = p->in_c / p->group, group_out = p->out_c / p->group;
    size_t first_c = oc / group_out * group_in, c, ky, kx;
    int32_t acc = 0;
    for (c = 0; c < group_in; c++)
        for (ky = 0; ky < p->k_h; ky++) {
            ptrdiff_t iy = (ptrdiff_t)(oy * p->stride_h + ky * p->dil_h) - (ptrdiff_t)p->pad_t;
            if (iy < 0 || iy >= (ptrdiff_t)p->in_h)
                continue;
            for (kx = 0; kx < p->k_w; kx++) {
                ptrdiff_t ix =
                    (ptrdiff_t)(ox * p->stride_w + kx * p->dil_w) - (ptrdiff_t)p->pad_l;
                size_t xi, wi;
                if (ix < 0 || ix >= (ptrdiff_t)p->in_w)
                    continue;
                xi = ((batch * p->in_c + first_c + c) * p->in_h + (size_t)iy) * p->in_w +
                     (size_t)ix;
                wi = ((oc * group_in + c) * p->k_h + ky) * p->k_w + kx;
                acc += (int_at(p->x_dtype, x, xi) - x_zp) * (int_at(p->w_dtype, w, wi) - w_zp);
            }
        }
    return acc;
}

/* Visits every output pixel, handing its accumulator and output channel
 * to `store`. */
static void qconv_each(const snt_qconv2d_params *p, const void *x, const void *x_zp,
                       const void *w, const void *w_zp, qstore_fn store, void *ctx)
{
    int32_t xz = zp_at(p->x_dtype, x_zp, p->x_count, 0);
    size_t batch, oc, oy, ox, index = 0;
    for (batch = 0; batch < p->batch; batch++)
        for (oc = 0; oc < p->out_c; oc++) {
            int32_t wz = zp_at(p->w_dtype, w_zp, p->w_count, oc);
            for (oy = 0; oy < p->out_h; oy++)
                for (ox = 0; ox < p->out_w; ox++, index++)
                    store(ctx, index, 0, oc,
                          conv_window_sum(p, x, xz, w, wz, batch, oc, oy, ox));
        }
}

void snt_conv_integer(const snt_qconv2d_params *p, const void *x, const void *x_zp,
                      const void *w, const void *w_zp, int32_t *y)
{
    qconv_each(p, x, x_zp, w, w_zp, store_int32, y);
}

/* QLinearConv's bias is added to the accumulator before requantizing. */
typedef struct {
    Requant r;
    const int32_t *bias;
} BiasedRequant;

static void store_biased(void *ctx, size_t index, size_t row, size_t col, int32_t acc)
{
    const BiasedRequant *br = ctx;
    requant_store(&br->r, index, row, col, acc + (br->bias ? br->bias[col] : 0));
}

void snt_qlinear_conv(const snt_qconv2d_params *p, const void *x, const float *x_scale,
                      const void *x_zp, const void *w, const float *w_scale, const void *w_zp,
                      const float *y_scale, const void *y_zp, int y_dtype, const int32_t *bias,
                      void *y)
{
    BiasedRequant br;
    requant_init(&br.r, y_scale, y_zp, y_dtype, y);
    br.r.a_scale = x_scale;
    br.r.a_count = 1;
    br.r.b_scale = w_scale;
    br.r.b_count = p->w_count;
    br.bias = bias;
    qconv_each(p, x, x_zp, w, w_zp, store_biased, &br);
}
