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

enum { BYTES_PER_LINE = 24 };

/* Bytes that may stand for themselves inside a C string literal.  '?'
 * is escaped because C99 still has trigraphs; digits are escaped after an
 * octal escape so they cannot extend it. */
static bool is_plain(unsigned char ch)
{
    return ch >= 32 && ch < 127 && ch != '"' && ch != '\\' && ch != '?';
}

static void put_string_bytes(Str *c, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i += BYTES_PER_LINE) {
        str_puts(c, "\n    \"");
        bool after_octal = false;
        for (size_t j = i; j < n && j < i + BYTES_PER_LINE; j++) {
            unsigned char ch = b[j];
            bool digit = ch >= '0' && ch <= '9';
            if (is_plain(ch) && !(after_octal && digit)) {
                str_putn(c, (const char *)&ch, 1);
                after_octal = false;
            } else {
                str_putf(c, "\\%o", ch);
                after_octal = true;
            }
        }
        str_puts(c, "\"");
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
