/*
 * data_util.h - helpers shared by the data-movement and shape ops.
 *
 * Transpose, Slice, Concat and Split all move a box of elements from one
 * row-major tensor into another.  A BoxCopy describes one such move in the
 * runtime's terms (snt_strided plus the element where the box starts in
 * each buffer); folding runs it on host memory and code generation prints
 * it, so the copy semantics live in one runtime kernel only.
 */
#ifndef SINTER_DATA_UTIL_H
#define SINTER_DATA_UTIL_H

#include "ir/ops/ops.h"
#include "sinter_rt.h"

typedef struct {
    snt_strided p;          /* iteration box and element strides */
    int64_t src_offset;     /* first element read, in elements */
    int64_t dst_offset;     /* first element written */
} BoxCopy;

/* A box of `box` dims read from a tensor shaped `src` and written to one
 * shaped `dst` (both row-major, same rank as the box), starting at
 * element 0 of each.  Callers then adjust offsets and strides. */
void box_copy_init(BoxCopy *c, const Shape *box, const Shape *src, const Shape *dst);

/* True when the copy moves one contiguous block of elements, in order
 * (every axis longer than 1 has the same stride on both sides, and one
 * side is the box itself, dense): then the planner may alias the two
 * tensors instead of copying.  False for an empty box. */
bool box_copy_is_block(const BoxCopy *c);

/* Performs the copy on host memory (used by folding). */
void box_copy_run(const BoxCopy *c, size_t elem_size, const void *src, void *dst);

/* Prints the copy from tensor `src` to tensor `dst` as a runtime call; `k`
 * makes the parameter block's name unique within the node.  A box with no
 * elements prints nothing. */
void box_copy_emit(const BoxCopy *c, Emitter *e, const Tensor *src, const Tensor *dst, int k);

/* box_copy_emit for a copy of 32-bit elements that may be a matrix
 * transposed, as snt_transpose_x32 in the tiles of x32-transpose
 * variant v (which falls back to snt_strided_copy for other copies). */
void box_copy_emit_x32_transpose(const BoxCopy *c, Emitter *e, const Tensor *src,
                                 const Tensor *dst, const Variant *v);

/* True if tensors of t's dtype can be stored and moved (any fixed-size
 * type); otherwise a node error naming the dtype. */
bool check_movable(const Node *n, const Tensor *t, Diag *d);

/* False with a node error when shape s has more elements than we accept. */
bool check_size(const Node *n, const Shape *s, Diag *d);
/* Sets output i to dtype and the extents dims[0, rank) a kernel's
 * parameters hold, after check_size. */
bool set_output_extents(Node *n, int i, DType dtype, const size_t *dims, int rank, Diag *d);

/* For ops that always fold: false with a node error when s has more
 * elements than folding computes (FOLD_MAX_ELEMENTS). */
bool check_fold_size(const Node *n, const Shape *s, Diag *d);

/* node_ints (an integer list from an attribute or a constant input) is
 * in ops.h. */

/* Normalizes count axes in place against rank; a node error for an axis
 * out of range or given twice. */
bool normalize_axes(const Node *n, int64_t *axes, int count, int rank, Diag *d);

/* emit for ops whose outputs are always computed at compile time
 * (Constant, Shape, Range ...): reaching it means folding failed. */
bool emit_folded_only(const Node *n, Emitter *e, Diag *d);

#endif /* SINTER_DATA_UTIL_H */
