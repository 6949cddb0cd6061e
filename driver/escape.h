/*
 * escape.h - names made safe for the text formats the reports write.
 * ONNX names are arbitrary bytes.
 */
#ifndef SINTER_ESCAPE_H
#define SINTER_ESCAPE_H

#include "ir/ir.h"

/* Appends `text` as a JSON string literal, quotes included: control
 * characters become \u00XX, and so does every byte that is not part of
 * a valid UTF-8 sequence (read as Latin-1), so the document is always
 * valid UTF-8 JSON. */
void json_put_string(Str *out, const char *text);

/* Appends text for the inside of a Graphviz double-quoted string:
 * quotes and backslashes escaped, control bytes and bytes outside valid
 * UTF-8 sequences shown as '?'. */
void dot_put_string(Str *out, const char *text);

/* Length of the valid UTF-8 sequence starting at s (1..4), 0 if the
 * bytes there are not one (or s points at the terminating NUL). */
int utf8_sequence_length(const unsigned char *s);

#endif /* SINTER_ESCAPE_H */
