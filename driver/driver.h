/*
 * driver.h - what the files of the library's driver share among
 * themselves; programs include driver/sinter.h.
 */
#ifndef SINTER_DRIVER_H
#define SINTER_DRIVER_H

#include "driver/sinter.h"

/* bind.c: fixes the shapes the model leaves open and binds inputs, as
 * the options ask; then every run-time input must be a tensor of known
 * shape. */
bool settle_inputs(Graph *g, const CompileOptions *o, Diag *d);

/* outputs.c: replaces each sequence or optional output of the inferred
 * graph g by copies of the tensors it holds, recording the mapping in m
 * (freed by the caller either way), and removes the nodes that built
 * those values, which nothing reads any more. */
bool flatten_model_outputs(Graph *g, ModelOutputs *m, Diag *d);

/* write.c: generates m->code from m->graph as o asks, setting
 * m->weights. */
bool generate_model_c(CompiledModel *m, const CompileOptions *o, Diag *d);

#endif /* SINTER_DRIVER_H */
