/*
 * broadcast_chain.h - what the broadcasting ops of compare_logic.c and
 * variadic.c share (defined in compare_logic.c): shapes, and the chains of
 * binary kernel calls both run.
 */
#ifndef SINTER_BROADCAST_CHAIN_H
#define SINTER_BROADCAST_CHAIN_H

#include "ir/ir.h"
#include "sinter_rt.h"

/* The kernel iteration space of y = a op b with numpy broadcasting; a
 * scalar y iterates one element at rank 1. */
snt_bcast bcast_of(const Shape *a, const Shape *b, const Shape *y);

/* The numpy broadcast of every input's shape into *out; a node error
 * naming the first input that does not fit. */
bool broadcast_inputs(const Node *n, Shape *out, Diag *d);

/* The dtypes the chains below compute on: integers, float32, float64,
 * and float16 and bfloat16 through float32. */
bool chain_takes(DType t);
#define CHAIN_DTYPES (DT_SET_NUMERIC | DT_BIT(DT_BFLOAT16))

/* Output 0 = in[0] op in[1] op ... op in[n_in - 1] (two inputs or more),
 * left to right with numpy broadcasting, divided by n_in when `mean`:
 * one binary kernel call per step.  float16 and bfloat16 operands are
 * converted to float32 copies, the steps run in float32, and a result of
 * the inputs' dtype is rounded once into the output (so Max, Min and Mod
 * stay exact).  fold_chain needs every input constant. */
void fold_chain(Node *n, snt_binop_ext op, bool mean);
void emit_chain(const Node *n, Emitter *e, snt_binop_ext op, bool mean);
/* The scratch bytes emit_chain uses (OpDesc.scratch_bytes). */
size_t chain_scratch_bytes(const Node *n);

#endif /* SINTER_BROADCAST_CHAIN_H */
