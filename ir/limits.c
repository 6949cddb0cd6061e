/*
 * limits.c - the limits of ir/limits.h, listed for `sinter --help`.
 */
#include "ir/limits.h"

static const Limit limits[] = {
    {"dims of a tensor", MAX_RANK},
    {"elements of a tensor", MAX_ELEMENTS},
    {"bytes of a tensor", MAX_TENSOR_BYTES},
    {"nodes of a graph, loops unrolled", MAX_NODES},
    {"subgraphs nested in subgraphs", MAX_SUBGRAPH_DEPTH},
    {"iterations of a Loop or Scan", MAX_LOOP_ITERATIONS},
    {"attributes of a node", MAX_ATTRIBUTES},
    {"opset imports of a model", MAX_OPSET_IMPORTS},
    {"protobuf messages nested", MAX_MESSAGE_NESTING},
    {"protobuf bytes once unpacked", MAX_MESSAGE_BYTES},
};

const Limit *limits_all(int *count)
{
    *count = (int)(sizeof limits / sizeof limits[0]);
    return limits;
}
