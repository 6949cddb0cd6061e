/*
 * loss.c - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss in
 * their inference form: a weighted per-element loss, optionally summed
 * or averaged over the weights of the elements that count.
 */
#include "sinter_rt.h"

#include <math.h>

/* Target i, whichever of int32 and int64 the labels are. */
static int64_t target_at(const snt_loss_params *p, const void *target, size_t i)
{
    if (p->target_dtype == SNT_DT_INT32)
        return ((const int32_t *)target)[i];
    return ((const int64_t *)target)[i];
}

void snt_nll_loss_f32(const snt_loss_params *p, const float *x, const void *target,
                      const float *weight, float *y)
{
    double sum = 0.0, weight_sum = 0.0;
    size_t b, d;
    for (b = 0; b < p->batch; b++)
        for (d = 0; d < p->inner; d++) {
            size_t i = b * p->inner + d;
            int64_t t = target_at(p, target, i);
            double loss = 0.0, w = 0.0;
            if (p->has_ignore && t == p->ignore_index) {
                /* An ignored element adds no loss and no weight. */
            } else if (t < 0 || t >= (int64_t)p->classes) {
                /* ONNX leaves such labels undefined; never read past x. */
                loss = NAN;
            } else {
                w = weight ? weight[t] : 1.0;
                loss = -(double)x[(b * p->classes + (size_t)t) * p->inner + d] * w;
            }
            if (p->reduction == SNT_LOSS_NONE)
                y[i] = (float)loss;
            sum += loss;
            weight_sum += w;
        }
    if (p->reduction == SNT_LOSS_SUM)
        y[0] = (float)sum;
    else if (p->reduction == SNT_LOSS_MEAN)
        y[0] = (float)(sum / weight_sum);
}

void snt_softmax_cross_entropy_f32(const snt_loss_params *p, const float *x,
                                   const void *target, const float *weight, float *log_prob,
                                   float *y)
{
    snt_log_softmax_f32(p->batch, p->classes, p->inner, x, log_prob);
    snt_nll_loss_f32(p, log_prob, target, weight, y);
}
