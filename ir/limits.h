/*
 * limits.h - every resource limit of the compiler, in one place.
 *
 * A model past one is refused with an error naming the limit, never a
 * crash, a hang or memory exhaustion: hostile models are small files that
 * ask for much.  Real models stay far below each (PyTorch exports: rank
 * under 6, a few thousand nodes, subgraphs nested under 5).  `sinter
 * --help` lists them from limits_all().
 */
#ifndef SINTER_IR_LIMITS_H
#define SINTER_IR_LIMITS_H

#include <stdint.h>

/* Dims of a tensor. */
#define MAX_RANK 8
/* Elements of a tensor: shape arithmetic stays within int64_t. */
#define MAX_ELEMENTS ((int64_t)1 << 40)
/* Bytes of a tensor's value, at compile time or in the arena. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 32)
/* Nodes of a graph as read, and once If, Loop, Scan and sequence ops are
 * expanded (loops unrolled). */
#define MAX_NODES (1 << 20)
/* Subgraphs within subgraphs (If branches, Loop and Scan bodies). */
#define MAX_SUBGRAPH_DEPTH 16
/* Iterations a Loop or Scan unrolls into: each is a copy of the body. */
#define MAX_LOOP_ITERATIONS 4096
/* Attributes of a node and opset imports of a model: each is compared
 * with the others, so their counts must stay small. */
#define MAX_ATTRIBUTES 1000
#define MAX_OPSET_IMPORTS 1000
/* protobuf-c unpacks nested messages recursively and without a limit, and
 * an empty message of two bytes on the wire becomes a struct of up to a
 * few hundred: both are checked on the wire before unpacking. */
#define MAX_MESSAGE_NESTING 100
#define MAX_MESSAGE_BYTES ((int64_t)512 << 20)

/* One limit as `sinter --help` lists it. */
typedef struct {
    const char *what;
    int64_t value;
} Limit;

/* Every limit above; *count set. */
const Limit *limits_all(int *count);

#endif /* SINTER_IR_LIMITS_H */
