/*
 * names.c - making ONNX names safe to print in C.
 *
 * ONNX names are arbitrary strings from the model file.  They reach the
 * generated code only as identifiers built from a safe alphabet, or as
 * comment text that cannot close the comment or start a new line.
 */
#include "codegen/codegen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex",
    "_Imaginary", "main", "arena", "scratch",
};

static bool is_keyword(const char *s)
{
    for (size_t i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
        if (strcmp(s, c_keywords[i]) == 0)
            return true;
    return false;
}

/* Names the node blocks declare for themselves (kernel parameter blocks,
 * staging pointers, constants) or call: a graph input or output of that
 * name would be shadowed by, or shadow, them. */
static const char *const local_names[] = {
    "p", "s", "c", "io", "eps", "operands", "value", "zero", "memcpy", "memset", "memmove",
};

bool is_reserved_name(const char *name)
{
    if (strncmp(name, "snt_", 4) == 0 || strncmp(name, "SNT_", 4) == 0 ||
        strncmp(name, "w_", 2) == 0 || strncmp(name, "i64_array_", 10) == 0)
        return true;
    for (size_t i = 0; i < sizeof local_names / sizeof local_names[0]; i++)
        if (strcmp(name, local_names[i]) == 0)
            return true;
    return false;
}

bool is_c_ident(const char *name)
{
    if (!name[0] || isdigit((unsigned char)name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return !is_keyword(name);
}

char *c_ident(const char *prefix, const char *name, size_t max)
{
    Str s = {0};
    str_puts(&s, prefix);
    size_t used = 0;
    for (const char *p = name; *p && used < max; p++, used++) {
        unsigned char ch = (unsigned char)*p;
        char safe = (char)(isalnum(ch) && ch < 128 ? ch : '_');
        str_putn(&s, &safe, 1);
    }
    /* Empty, leading digit, or a keyword: prefix so it is an identifier. */
    if (!is_c_ident(s.buf ? s.buf : "")) {
        Str t = {0};
        str_putf(&t, "t_%s", s.buf ? s.buf : "");
        str_free(&s);
        return t.buf;
    }
    return s.buf;
}

void str_put_comment(Str *s, const char *text)
{
    for (const char *p = text; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '*' && p[1] == '/')
            str_puts(s, "* ");
        else if (ch == '/' && p[1] == '*')
            str_puts(s, "/ ");
        else if (ch < 32 || ch >= 127 || ch == '\\' || ch == '?')
            str_puts(s, "_"); /* no line breaks, continuations or trigraphs */
        else
            str_putn(s, (const char *)&ch, 1);
    }
}

char *c_upper(const char *name)
{
    char *upper = xstrdup(name);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return upper;
}
