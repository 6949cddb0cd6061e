/*
 * einsum.c - Einsum as one strided contraction.
 *
 * The compiler turns the equation into an iteration space whose first
 * out_rank indices are the output's axes and whose rest are summed, and
 * gives each input a stride per index.  One odometer walks the whole
 * space in row-major order, so the summed indices run fastest and each
 * output element is one contiguous stretch of the walk.
 */
#include "internal.h"

/* Advances idx over dims[0..rank) by one, last index fastest, moving
 * every input's offset along; returns 0 when it wraps around. */
static int advance(const snt_einsum_params *p, size_t *idx, ptrdiff_t *off)
{
    int d, j;
    for (d = p->rank - 1; d >= 0; d--) {
        if (++idx[d] < p->dims[d]) {
            for (j = 0; j < p->n_inputs; j++)
                off[j] += p->strides[j][d];
            return 1;
        }
        idx[d] = 0;
        for (j = 0; j < p->n_inputs; j++)
            off[j] -= (ptrdiff_t)(p->dims[d] - 1) * p->strides[j][d];
    }
    return 0;
}

#define DEFINE_EINSUM(NAME, T) \
    static void NAME(const snt_einsum_params *p, const void *const *x, T *y) \
    { \
        size_t idx[SNT_EINSUM_MAX_INDICES] = {0}, count = 1, terms = 1, o, s; \
        ptrdiff_t off[SNT_EINSUM_MAX_INPUTS] = {0}; \
        int d, j; \
        for (d = 0; d < p->rank; d++) \
            *(d < p->out_rank ? &count : &terms) *= p->dims[d]; \
        for (o = 0; o < count; o++) { \
            double acc = 0; \
            for (s = 0; s < terms; s++) { \
                double prod = 1; \
                for (j = 0; j < p->n_inputs; j++) \
                    prod *= ((const T *)x[j])[off[j]]; \
                acc += prod; \
                advance(p, idx, off); \
            } \
            y[o] = (T)acc; \
        } \
    }

DEFINE_EINSUM(einsum_f32, float)
DEFINE_EINSUM(einsum_f64, double)

int snt_einsum(int dtype, const snt_einsum_params *p, const void *const *x, void *y)
{
    if (dtype == SNT_DT_FLOAT)
        einsum_f32(p, x, (float *)y);
    else if (dtype == SNT_DT_DOUBLE)
        einsum_f64(p, x, (double *)y);
    else
        return 0;
    return 1;
}
