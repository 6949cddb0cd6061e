/*
 * matmul.c - ONNX MatMul (batched, broadcasting), Gemm and the fused
 * Linear layer (MatMul + bias + activation) on top of snt_sgemm.
 */
#include "internal.h"

/*
 * True when every batch of b is the same matrix and a's batches lie
 * back to back: the whole batch is then one (batch * m) x k product,
 * the shape of a Linear layer applied to a sequence.
 */
static int batch_folds_into_rows(const snt_matmul_params *p)
{
    ptrdiff_t dense = (ptrdiff_t)(p->m * p->k);
    int d;
    for (d = p->batch_rank - 1; d >= 0; d--) {
        if (p->b_batch_strides[d] != 0)
            return 0;
        if (p->batch_dims[d] != 1 && p->a_batch_strides[d] != dense)
            return 0;
        dense *= (ptrdiff_t)p->batch_dims[d];
    }
    return 1;
}

/* The product of one call to snt_sgemm: all batches as rows where they
 * fold, else one batch entry. */
static size_t product_rows(const snt_matmul_params *p, size_t batch)
{
    return batch_folds_into_rows(p) ? batch * p->m : p->m;
}

static size_t batch_count(const snt_matmul_params *p)
{
    size_t batch = 1;
    int d;
    for (d = 0; d < p->batch_rank; d++)
        batch *= p->batch_dims[d];
    return batch;
}

size_t snt_matmul_scratch_floats(const snt_matmul_params *p)
{
    return snt_sgemm_scratch_floats(product_rows(p, batch_count(p)), p->n, p->k);
}

void snt_matmul_f32_mt(const snt_parallel *par, const snt_matmul_params *p, const float *a,
                       const float *b, float *y, float *scratch)
{
    size_t idx[SNT_MAX_RANK] = {0}, batch = batch_count(p), mn = p->m * p->n;
    ptrdiff_t oa = 0, ob = 0;

    if (batch == 0 || mn == 0)
        return;
    if (batch_folds_into_rows(p)) {
        snt_sgemm_mt(par, product_rows(p, batch), p->n, p->k, 1.0f, a, (ptrdiff_t)p->k, 1,
                     b, (ptrdiff_t)p->n, 1, y, p->n, 0, scratch);
        return;
    }
    do {
        snt_sgemm_mt(par, p->m, p->n, p->k, 1.0f, a + oa, (ptrdiff_t)p->k, 1,
                     b + ob, (ptrdiff_t)p->n, 1, y, p->n, 0, scratch);
        y += mn;
    } while (snt__odo_next(p->batch_rank, p->batch_dims, idx,
                           p->a_batch_strides, &oa, p->b_batch_strides, &ob));
}

void snt_matmul_f32(const snt_matmul_params *p, const float *a, const float *b, float *y,
                    float *scratch)
{
    snt_matmul_f32_mt(NULL, p, a, b, y, scratch);
}

/* Gemm's beta * C, broadcast to Y's rows [begin, end), before the
 * product adds into them; copies, the same bits whatever the split. */
typedef struct {
    const snt_gemm_params *p;
    const float *c;
    float *y;
} beta_c_work;

static void beta_c_rows(void *arg, size_t slot, size_t begin, size_t end)
{
    const beta_c_work *w = arg;
    const snt_gemm_params *p = w->p;
    size_t i, j;
    (void)slot;
    for (i = begin; i < end; i++)
        for (j = 0; j < p->n; j++)
            w->y[i * p->n + j] = p->beta * w->c[(ptrdiff_t)i * p->c_rs + (ptrdiff_t)j * p->c_cs];
}

void snt_gemm_f32_mt(const snt_parallel *par, const snt_gemm_params *p, const float *a,
                     const float *b, const float *c, float *y, float *scratch)
{
    /* op(A)[i][p] and op(B)[p][j] as strides into the stored matrices. */
    ptrdiff_t a_rs = p->trans_a ? 1 : (ptrdiff_t)p->k;
    ptrdiff_t a_cs = p->trans_a ? (ptrdiff_t)p->m : 1;
    ptrdiff_t b_rs = p->trans_b ? 1 : (ptrdiff_t)p->n;
    ptrdiff_t b_cs = p->trans_b ? (ptrdiff_t)p->k : 1;
    int with_c = c != NULL && p->beta != 0.0f;
    beta_c_work w = {p, c, y};

    if (with_c)
        snt__parallel_ranges(par, p->m, 1, beta_c_rows, &w);
    snt_sgemm_mt(par, p->m, p->n, p->k, p->alpha, a, a_rs, a_cs, b, b_rs, b_cs, y, p->n, with_c,
                 scratch);
}

void snt_gemm_f32(const snt_gemm_params *p, const float *a, const float *b, const float *c, float *y,
                  float *scratch)
{
    snt_gemm_f32_mt(NULL, p, a, b, c, y, scratch);
}

/* One product for all rows, then the bias and the activation row by row
 * while the row is in cache. */
void snt_linear_f32(const snt_linear_params *p, const float *x, const float *w,
                    const float *bias, float *y, float *scratch)
{
    size_t r, j;
    if (p->m == 0 || p->n == 0)
        return;
    snt_sgemm(p->m, p->n, p->k, 1.0f, x, (ptrdiff_t)p->k, 1, w, (ptrdiff_t)p->n, 1, y, p->n, 0,
              scratch);
    for (r = 0; r < p->m; r++) {
        float *row = y + r * p->n;
        if (bias != NULL)
            for (j = 0; j < p->n; j++)
                row[j] += bias[j];
        if (p->act.kind != SNT_ACT_NONE)
            snt_act_f32(&p->act, row, row, p->n);
    }
}
