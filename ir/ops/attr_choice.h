/*
 * attr_choice.h - string attributes that select a runtime enum (Resize's
 * mode, GridSample's padding_mode ...): the spellings ONNX allows and the
 * enum constants that generated code names for them.
 */
#ifndef SINTER_ATTR_CHOICE_H
#define SINTER_ATTR_CHOICE_H

#include "ir/ir.h"

/* One value a string attribute may take: its ONNX spelling and the name
 * of the runtime enum constant it selects, for generated code.  A table
 * of them lists the values in the order of the enum, so that a value's
 * index is its enum value. */
typedef struct {
    const char *onnx, *constant;
} AttrChoice;

/* The index of string attribute `attr` (the first choice when absent)
 * among choices[0, count), or -1 when it is none of them. */
int attr_choice_index(const Node *n, const char *attr, const AttrChoice *choices, int count);
/* attr_choice_index into *index, or a node error naming the unsupported
 * value. */
bool attr_choice(const Node *n, const char *attr, const AttrChoice *choices, int count,
                 int *index, Diag *d);

#endif /* SINTER_ATTR_CHOICE_H */
