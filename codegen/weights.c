/*
 * weights.c - constant tensors as C data.
 *
 * Embedded weights are written as string literals inside a union with
 * the element type: a compiler reads a long string in one pass, where
 * millions of float literals would cost it minutes and gigabytes
 * (M2SNet has 27.7 M weights).  The bytes are the little-endian image of
 * the tensor, so the generated file checks the target's byte order.
 */
#include "codegen/codegen.h"

#include <string.h>

enum { BYTES_PER_LINE = 24 };

/* Bytes that may stand for themselves inside a C string literal.  '?'
 * is escaped because C99 still has trigraphs; digits are escaped after an
 * octal escape so they cannot extend it. */
static bool is_plain(unsigned char ch)
{
    return ch >= 32 && ch < 127 && ch != '"' && ch != '\\' && ch != '?';
}

/* Appends the escaped form of ch to line; returns the new length. */
static size_t put_escaped(char *line, size_t len, unsigned char ch, bool *after_octal)
{
    bool digit = ch >= '0' && ch <= '9';
    if (is_plain(ch) && !(*after_octal && digit)) {
        line[len++] = (char)ch;
        *after_octal = false;
        return len;
    }
    /* Shortest octal escape: one to three digits. */
    line[len++] = '\\';
    if (ch >= 64)
        line[len++] = (char)('0' + (ch >> 6));
    if (ch >= 8)
        line[len++] = (char)('0' + ((ch >> 3) & 7));
    line[len++] = (char)('0' + (ch & 7));
    *after_octal = true;
    return len;
}

static void put_string_bytes(Str *c, const unsigned char *b, size_t n)
{
    /* Each byte takes at most 4 characters; one line is built at a time. */
    char line[8 + 4 * BYTES_PER_LINE];
    for (size_t i = 0; i < n; i += BYTES_PER_LINE) {
        size_t len = 0;
        memcpy(line, "\n    \"", 6);
        len = 6;
        bool after_octal = false;
        for (size_t j = i; j < n && j < i + BYTES_PER_LINE; j++)
            len = put_escaped(line, len, b[j], &after_octal);
        line[len++] = '"';
        str_putn(c, line, len);
    }
}

void weights_emit_embedded(Str *c, const Tensor *t, const char *ident)
{
    char shape[160];
    size_t bytes = tensor_bytes(t);
    int64_t n = tensor_numel(t);
    str_puts(c, "/* ");
    str_put_comment(c, t->name);
    str_putf(c, " %s%s */\n", dtype_name(t->dtype), shape_str(&t->shape, shape, sizeof shape));
    str_putf(c, "static const union { unsigned char b[%zu]; %s v[%lld]; } %s = {.b =", bytes,
             dtype_ctype(t->dtype), (long long)n, ident);
    put_string_bytes(c, t->data, bytes);
    str_puts(c, "};\n\n");
}

size_t weights_append_blob(Str *blob, const Tensor *t)
{
    static const char zeros[64];
    size_t pad = (64 - blob->len % 64) % 64;
    str_putn(blob, zeros, pad);
    size_t off = blob->len;
    str_putn(blob, t->data, tensor_bytes(t));
    return off;
}
