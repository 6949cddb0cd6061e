/*
 * rnn_pack.c - the weights of a recurrent layer as snt_rnn_gemm_f32
 * reads them, packed once by the compiler when they are constant.  In
 * order:
 *
 *  - bias [dirs][gh]: what is added to the input products, Wb + Rb, but
 *    only Wb for GRU's h gate under linear_before_reset, where r scales
 *    Rb_h along with H R_h^T.  Zeros without B.
 *  - rb_h [dirs][hidden]: that Rb_h, for GRU under linear_before_reset
 *    only (no floats otherwise).
 *  - R^T [dirs][hidden * gh] in the panels of snt__rnn_rt_offset, which
 *    the steps' matrix-vector products stream.
 *  - each direction's W^T [input][gh] as f32-gemm B panels of nr
 *    columns (snt__rnn_w_floats apart): the input products of every step
 *    of a direction are one product X W^T on the micro-kernel, before
 *    its first step, and a direction that needs only some steps' (the
 *    reverse one under last_step_only) multiplies only their rows.
 *
 * The first three do not depend on the micro-kernel: snt_rnn_f32, which
 * multiplies by W where it lies, packs just those into its scratch.
 * Each part starts a whole number of 64-byte lines after the first.
 */
#include "rnn.h"

#include <string.h>

/* Floats of each part, rounded up to whole lines. */
typedef struct {
    size_t bias, rb_h, rt;
} PartFloats;

static int has_rb_h(const snt_rnn_params *p)
{
    return p->cell == SNT_RNN_GRU && p->linear_before_reset;
}

static PartFloats part_floats(const snt_rnn_params *p)
{
    size_t dirs = (size_t)p->directions, gh = snt__rnn_gates(p->cell) * p->hidden;
    PartFloats f;
    f.bias = snt__whole_lines(dirs * gh);
    f.rb_h = has_rb_h(p) ? snt__whole_lines(dirs * p->hidden) : 0;
    f.rt = snt__whole_lines(dirs * p->hidden * gh);
    return f;
}

size_t snt__rnn_r_b_floats(const snt_rnn_params *p)
{
    PartFloats f = part_floats(p);
    return f.bias + f.rb_h + f.rt;
}

size_t snt__rnn_w_floats(const snt_rnn_params *p, unsigned nr)
{
    return snt_f32_gemm_packed_b_floats(p->input, snt__rnn_gates(p->cell) * p->hidden, nr);
}

size_t snt_rnn_packed_floats(const snt_rnn_params *p, unsigned nr)
{
    return snt__rnn_r_b_floats(p) + (size_t)p->directions * snt__rnn_w_floats(p, nr);
}

snt__rnn_packed snt__rnn_packed_parts(const snt_rnn_params *p, const float *packed)
{
    PartFloats f = part_floats(p);
    snt__rnn_packed parts;
    parts.bias = packed;
    parts.rb_h = has_rb_h(p) ? parts.bias + f.bias : NULL;
    parts.rt = parts.bias + f.bias + f.rb_h;
    parts.w = parts.rt + f.rt;
    return parts;
}

/* Both biases of every direction, folded as the header says. */
static void pack_biases(const snt_rnn_params *p, const float *b, float *bias, float *rb_h)
{
    size_t H = p->hidden, gh = snt__rnn_gates(p->cell) * H, k, j;
    size_t fold_end = rb_h ? 2 * H : gh;
    for (k = 0; k < (size_t)p->directions; k++) {
        const float *wb = b + k * 2 * gh, *rb = wb + gh;
        for (j = 0; j < gh; j++)
            bias[k * gh + j] = j < fold_end ? wb[j] + rb[j] : wb[j];
        for (j = 0; rb_h && j < H; j++)
            rb_h[k * H + j] = rb[2 * H + j];
    }
}

/* One direction's R^T for the product over gate columns [col, col + n),
 * into its panels.  Rows of R are read 16 at a time, so that the 16
 * lines read stay in cache while each line written is filled at once. */
static void pack_rt_product(const float *r, size_t H, size_t col, size_t n, float *rt)
{
    size_t j0, s, k, j;
    for (j0 = 0; j0 < n; j0 += SNT__RNN_PANEL) {
        size_t w = n - j0 < SNT__RNN_PANEL ? n - j0 : SNT__RNN_PANEL;
        float *panel = rt + snt__rnn_rt_offset(H, col, j0);
        const float *rows = r + (col + j0) * H;
        for (s = 0; s < w; s += 16) {
            size_t end = w - s < 16 ? w : s + 16;
            for (k = 0; k < H; k++)
                for (j = s; j < end; j++)
                    panel[k * w + j] = rows[j * H + k];
        }
    }
}

void snt__rnn_pack_r_b(const snt_rnn_params *p, const float *r, const float *b, float *packed)
{
    size_t H = p->hidden, gh = snt__rnn_gates(p->cell) * H, k;
    size_t first = snt__rnn_first_product(p);
    PartFloats f = part_floats(p);
    float *bias = packed, *rb_h = has_rb_h(p) ? bias + f.bias : NULL, *rt = bias + f.bias + f.rb_h;
    /* The gaps between parts, and the biases without B, are zeros. */
    memset(packed, 0, snt__rnn_r_b_floats(p) * sizeof *packed);
    if (b)
        pack_biases(p, b, bias, rb_h);
    for (k = 0; k < (size_t)p->directions; k++) {
        pack_rt_product(r + k * gh * H, H, 0, first, rt + k * H * gh);
        pack_rt_product(r + k * gh * H, H, first, gh - first, rt + k * H * gh);
    }
}

void snt_rnn_pack_f32(const snt_rnn_params *p, unsigned nr, const float *w, const float *r,
                      const float *b, float *packed)
{
    size_t gh = snt__rnn_gates(p->cell) * p->hidden, k;
    float *wt = packed + snt__rnn_r_b_floats(p);
    snt__rnn_pack_r_b(p, r, b, packed);
    for (k = 0; k < (size_t)p->directions; k++)
        snt_f32_gemm_pack_b(p->input, gh, nr, w + k * gh * p->input, 1, (ptrdiff_t)p->input,
                            wt + k * snt__rnn_w_floats(p, nr));
}
