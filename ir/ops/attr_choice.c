/*
 * attr_choice.c - string attributes that select a runtime enum
 * (attr_choice.h).
 */
#include "ir/ops/attr_choice.h"

#include <string.h>

int attr_choice_index(const Node *n, const char *attr, const AttrChoice *choices, int count)
{
    const char *value = attr_string_or(n, attr, choices[0].onnx);
    for (int i = 0; i < count; i++)
        if (strcmp(value, choices[i].onnx) == 0)
            return i;
    return -1;
}

bool attr_choice(const Node *n, const char *attr, const AttrChoice *choices, int count,
                 int *index, Diag *d)
{
    *index = attr_choice_index(n, attr, choices, count);
    if (*index < 0)
        return node_error(d, n, "%s '%s' is not supported", attr,
                          attr_string_or(n, attr, choices[0].onnx));
    return true;
}
