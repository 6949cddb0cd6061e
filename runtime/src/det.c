/*
 * det.c - determinants of a batch of square matrices by LU decomposition
 * with partial pivoting, computed in double for float32 and float64 alike.
 */
#include "sinter_rt.h"

#include <math.h>

/* Reduces the n x n matrix a (row-major, destroyed) to upper triangular
 * form and returns the product of the pivots, negated once per row swap. */
static double lu_det(size_t n, double *a)
{
    double det = 1.0;
    size_t i, j, k;
    for (k = 0; k < n; k++) {
        size_t pivot = k;
        /* The largest magnitude in the column keeps the multipliers <= 1. */
        for (i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[pivot * n + k]))
                pivot = i;
        if (a[pivot * n + k] == 0.0)
            return 0.0;
        if (pivot != k) {
            for (j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[pivot * n + j];
                a[pivot * n + j] = t;
            }
            det = -det;
        }
        det *= a[k * n + k];
        for (i = k + 1; i < n; i++) {
            double f = a[i * n + k] / a[k * n + k];
            for (j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    }
    return det;
}

void snt_det(int dtype, size_t batch, size_t n, const void *x, void *y, double *work)
{
    size_t b, i, nn = n * n;
    for (b = 0; b < batch; b++) {
        double det;
        for (i = 0; i < nn; i++)
            work[i] = dtype == SNT_DT_DOUBLE ? ((const double *)x)[b * nn + i]
                                             : (double)((const float *)x)[b * nn + i];
        det = lu_det(n, work);
        if (dtype == SNT_DT_DOUBLE)
            ((double *)y)[b] = det;
        else
            ((float *)y)[b] = (float)det;
    }
}
