/*
 * split_kernels.c - the _mt entry points of kernels whose output splits
 * into smaller problems of the same kernel: pooling and resizing plane by
 * plane, LayerNorm row by row, elementwise ops and transpositions along
 * their outermost axis.  Each part runs the serial kernel on its
 * sub-problem, which computes every element as the whole problem does:
 * the planes, rows and elements are independent, and the boundaries keep
 * the output 64-byte aligned (16 elements), so that even the split of a
 * vectorised loop into vector body and scalar tail falls where the
 * serial call puts it.  These kernels need no scratch.
 */
#include "internal.h"

/* Elements per 64-byte line of float output: parts start on a line. */
#define LINE_FLOATS 16

static size_t gcd_size(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Indices of an axis whose each step moves `inner` floats of output, so
 * that a range of them starts on a 64-byte line. */
static size_t line_align(size_t inner)
{
    return inner ? LINE_FLOATS / gcd_size(inner, LINE_FLOATS) : 1;
}

/* The outermost axis with more than one index (all axes before it have
 * one): ranges of it are contiguous runs of a dense output.  -1 when
 * every axis has one index. */
static int outer_axis(int rank, const size_t *dims)
{
    int d;
    for (d = 0; d < rank; d++)
        if (dims[d] > 1)
            return d;
    return -1;
}

static size_t product_of(int from, int rank, const size_t *dims)
{
    size_t n = 1;
    int d;
    for (d = from; d < rank; d++)
        n *= dims[d];
    return n;
}

/* ---- pooling: planes --------------------------------------------- */

typedef struct {
    const snt_pool2d_params *p;
    void (*pool)(const snt_pool2d_params *p, const float *x, float *y);
    const float *x;
    float *y;
} pool_work;

static void pool_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const pool_work *w = arg;
    snt_pool2d_params sub = *w->p;
    (void)slot;
    sub.n = 1;
    sub.c = end - begin;
    w->pool(&sub, w->x + begin * sub.h * sub.w, w->y + begin * sub.oh * sub.ow);
}

static void pool_mt(const snt_parallel *par, const snt_pool2d_params *p,
                    void (*pool)(const snt_pool2d_params *p, const float *x, float *y),
                    const float *x, float *y)
{
    pool_work w = {p, pool, x, y};
    snt__parallel_ranges(par, p->n * p->c, 1, pool_part, &w);
}

void snt_maxpool2d_f32_mt(const snt_parallel *par, const snt_pool2d_params *p, const float *x,
                          float *y)
{
    pool_mt(par, p, snt_maxpool2d_f32, x, y);
}

void snt_avgpool2d_f32_mt(const snt_parallel *par, const snt_pool2d_params *p, const float *x,
                          float *y)
{
    pool_mt(par, p, snt_avgpool2d_f32, x, y);
}

/* ---- resize: planes of the leading axes it leaves alone ----------- */

typedef struct {
    const snt_resize_params *p;
    int lead;                     /* leading identity axes, flattened */
    size_t in_plane, out_plane;   /* floats below them */
    const float *x, *residual;
    float *y;
} resize_work;

/* Whether an axis of scale 1 maps each index to itself with one tap:
 * nearest, or linear under the coordinate modes whose bilinear path
 * interpolates the last two axes only (the ones a split never cuts). */
static int copies_identity_axes(const snt_resize_params *p)
{
    int plain_coord = p->coord == SNT_COORD_HALF_PIXEL || p->coord == SNT_COORD_ASYMMETRIC ||
                      p->coord == SNT_COORD_PYTORCH_HALF_PIXEL ||
                      p->coord == SNT_COORD_ALIGN_CORNERS;
    return plain_coord && !p->exclude_outside &&
           (p->mode == SNT_RESIZE_NEAREST || p->mode == SNT_RESIZE_LINEAR);
}

/* Leading axes (before the last two) that map each index to itself: a
 * whole number of their planes resized alone gives the same values. */
static int identity_lead(const snt_resize_params *p)
{
    int d;
    if (!copies_identity_axes(p))
        return 0;
    for (d = 0; d < p->rank - 2; d++)
        if (p->in_dims[d] != p->out_dims[d] || p->scales[d] != 1.0f)
            break;
    return d;
}

static void resize_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const resize_work *w = arg;
    snt_resize_params sub = *w->p;
    int d;
    (void)slot;
    for (d = 0; d < w->lead; d++)
        sub.in_dims[d] = sub.out_dims[d] = 1;
    sub.in_dims[w->lead - 1] = sub.out_dims[w->lead - 1] = end - begin;
    snt_resize_fused_f32(&sub, w->x + begin * w->in_plane,
                         w->residual ? w->residual + begin * w->out_plane : NULL,
                         w->y + begin * w->out_plane);
}

void snt_resize_fused_f32_mt(const snt_parallel *par, const snt_resize_params *p,
                             const float *x, const float *residual, float *y)
{
    resize_work w = {p, identity_lead(p), 0, 0, x, residual, y};
    if (w.lead == 0 || snt__any_zero(p->rank, p->in_dims)) {
        snt_resize_fused_f32(p, x, residual, y);
        return;
    }
    w.in_plane = product_of(w.lead, p->rank, p->in_dims);
    w.out_plane = product_of(w.lead, p->rank, p->out_dims);
    snt__parallel_ranges(par, product_of(0, w.lead, p->out_dims), line_align(w.out_plane),
                         resize_part, &w);
}

void snt_resize_f32_mt(const snt_parallel *par, const snt_resize_params *p, const float *x,
                       float *y)
{
    snt_resize_fused_f32_mt(par, p, x, NULL, y);
}

/* ---- LayerNorm: rows ---------------------------------------------- */

typedef struct {
    size_t cols;
    const float *x, *gamma, *beta;
    float eps;
    float *y;
} layernorm_work;

static void layernorm_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const layernorm_work *w = arg;
    (void)slot;
    snt_layernorm_f32(end - begin, w->cols, w->x + begin * w->cols, w->gamma, w->beta, w->eps,
                      w->y + begin * w->cols);
}

void snt_layernorm_f32_mt(const snt_parallel *par, size_t rows, size_t cols, const float *x,
                          const float *gamma, const float *beta, float eps, float *y)
{
    layernorm_work w = {cols, x, gamma, beta, eps, y};
    snt__parallel_ranges(par, rows, line_align(cols), layernorm_part, &w);
}

/* ---- elementwise: runs of the output ------------------------------ */

typedef struct {
    snt_unop op;
    const snt_act *act;
    const float *x;
    float *y;
} unary_work;

static void unary_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const unary_work *w = arg;
    (void)slot;
    snt_unary_f32(w->op, w->x + begin, w->y + begin, end - begin);
}

static void act_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const unary_work *w = arg;
    (void)slot;
    snt_act_f32(w->act, w->x + begin, w->y + begin, end - begin);
}

void snt_unary_f32_mt(const snt_parallel *par, snt_unop op, const float *x, float *y, size_t n)
{
    unary_work w = {op, NULL, x, y};
    snt__parallel_ranges(par, n, LINE_FLOATS, unary_part, &w);
}

void snt_act_f32_mt(const snt_parallel *par, const snt_act *act, const float *x, float *y,
                    size_t n)
{
    unary_work w = {SNT_UN_ERF, act, x, y};
    snt__parallel_ranges(par, n, LINE_FLOATS, act_part, &w);
}

typedef struct {
    snt_binop op;
    const snt_bcast *p;
    int axis;
    size_t inner;                 /* output floats of one index of axis */
    const float *a, *b;
    float *y;
} binary_work;

static void binary_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const binary_work *w = arg;
    snt_bcast sub = *w->p;
    (void)slot;
    sub.dims[w->axis] = end - begin;
    snt_binary_f32(w->op, &sub, w->a + (ptrdiff_t)begin * w->p->a_strides[w->axis],
                   w->b + (ptrdiff_t)begin * w->p->b_strides[w->axis], w->y + begin * w->inner);
}

void snt_binary_f32_mt(const snt_parallel *par, snt_binop op, const snt_bcast *p, const float *a,
                       const float *b, float *y)
{
    binary_work w = {op, p, outer_axis(p->rank, p->dims), 0, a, b, y};
    if (w.axis < 0 || snt__any_zero(p->rank, p->dims)) {
        snt_binary_f32(op, p, a, b, y);
        return;
    }
    w.inner = product_of(w.axis + 1, p->rank, p->dims);
    snt__parallel_ranges(par, p->dims[w.axis], line_align(w.inner), binary_part, &w);
}

/* ---- copies: the outermost axis ---------------------------------- */

/* A copy moves bits: any split gives the same output; a transposition's
 * ranges are whole register tiles, so that its ragged edges stay where
 * the serial copy has them. */
typedef struct {
    const snt_strided *p;
    const snt_x32_transpose_ukernel *uk;   /* NULL: snt_strided_copy */
    size_t elem_size;
    int axis;
    const unsigned char *src;
    unsigned char *dst;
} copy_work;

static void copy_box(const copy_work *w, const snt_strided *box, const void *src, void *dst)
{
    if (w->uk)
        snt_transpose_x32(box, w->uk, src, dst);
    else
        snt_strided_copy(box, w->elem_size, src, dst);
}

static void copy_part(void *arg, size_t slot, size_t begin, size_t end)
{
    const copy_work *w = arg;
    ptrdiff_t bytes = (ptrdiff_t)begin * (ptrdiff_t)w->elem_size;
    snt_strided sub = *w->p;
    (void)slot;
    sub.dims[w->axis] = end - begin;
    copy_box(w, &sub, w->src + bytes * w->p->src_strides[w->axis],
             w->dst + bytes * w->p->dst_strides[w->axis]);
}

static void copy_mt(const snt_parallel *par, const snt_strided *p,
                    const snt_x32_transpose_ukernel *uk, size_t elem_size, const void *src,
                    void *dst)
{
    copy_work w = {p, uk, elem_size, outer_axis(p->rank, p->dims), src, dst};
    size_t align = uk ? (uk->mr > uk->nr ? uk->mr : uk->nr) : 1;
    if (w.axis < 0 || snt__any_zero(p->rank, p->dims)) {
        copy_box(&w, p, src, dst);
        return;
    }
    snt__parallel_ranges(par, p->dims[w.axis], align, copy_part, &w);
}

void snt_transpose_x32_mt(const snt_parallel *par, const snt_strided *p,
                          const snt_x32_transpose_ukernel *uk, const void *src, void *dst)
{
    copy_mt(par, p, uk, sizeof(uint32_t), src, dst);
}

void snt_strided_copy_mt(const snt_parallel *par, const snt_strided *p, size_t elem_size,
                         const void *src, void *dst)
{
    copy_mt(par, p, NULL, elem_size, src, dst);
}
