/*
 * index_util.h - helpers shared by the ops that take index tensors
 * (GatherElements, GatherND, ScatterElements, ScatterND, OneHot) and
 * Cast's fold, which CastLike shares.
 */
#ifndef SINTER_INDEX_UTIL_H
#define SINTER_INDEX_UTIL_H

#include "ir/ops/data_util.h"

/* node_error unless input i is an int32 or int64 tensor. */
bool check_index_input(const Node *n, int i, Diag *d);

/* When input i is constant, a node error unless every value lies in
 * [-dims[j], dims[j]) where j is the value's position modulo k (k = 1:
 * one axis; k > 1: GatherND's index tuples). */
bool check_const_indices_in(const Node *n, int i, int k, const int64_t *dims, Diag *d);

/* The kernel parameters of GatherElements and ScatterElements. */
/* The normalized `axis` attribute of the *Elements ops, with indices (of
 * data's rank, checked by the caller) no longer than data on the other
 * axes. */
bool elements_axis(const Node *n, int *axis, Diag *d);
/* Cast's fold, shared by CastLike: converts a constant input. */
bool cast_fold(Node *n, Diag *d);
snt_elements_params elements_params(const Shape *x, const Shape *idx, int axis);

/* The kernel parameters of GatherND and ScatterND: x viewed as
 * [batch dims][k tuple dims][slice], idx as [batch][tuples][k]. */
snt_nd_params nd_params(const Shape *x, const Shape *idx, int batch_dims);

#endif /* SINTER_INDEX_UTIL_H */
