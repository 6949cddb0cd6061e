/*
 * fold_batchnorm.c - folds an inference BatchNormalization into the Conv
 * before it.
 *
 * BN(Conv(x, W, b)) = Conv(x, W * s, b * s + t) per output channel, with
 * s = gamma / sqrt(var + eps) and t = beta - mean * s: exact up to float
 * rounding.  The Conv's output must feed only the BN, and W, b and the
 * BN's parameters must be constants.  (PyTorch's exporter already folds
 * Conv -> BN; this catches the models it did not, and exports made with
 * training=PRESERVE.)
 */
#include "passes/fusion.h"

bool pass_fold_batchnorm(Graph *g, Diag *d)
{
    (void)d;
    Fusion f;
    fusion_begin(&f, g);
    for (int i = 0; i < g->n_nodes; i++) {
        Node *bn = g->nodes[i];
        if (fusion_node_is(&f, bn, "BatchNormalization") && bn->in[0]->producer)
            fold_bn_into_conv(&f, bn->in[0]->producer, bn);
    }
    fusion_end(&f);
    return true;
}
