/*
 * util.c - string buffers, diagnostics and checked allocation.
 */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    /* The compiler cannot make progress without memory; this is the one
     * place it stops by itself. */
    fprintf(stderr, "sinter: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void grow_array(void **items, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return;
    int n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    *items = xrealloc(*items, (size_t)n * size);
    *cap = n;
}

static void str_reserve(Str *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1)
        cap *= 2;
    s->buf = xrealloc(s->buf, cap);
    s->cap = cap;
}

void str_putn(Str *s, const char *text, size_t n)
{
    str_reserve(s, n);
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void str_puts(Str *s, const char *text)
{
    str_putn(s, text, strlen(text));
}

void str_vputf(Str *s, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    str_reserve(s, (size_t)n);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    s->len += (size_t)n;
}

void str_putf(Str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    str_vputf(s, fmt, ap);
    va_end(ap);
}

void str_free(Str *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

bool diag_error(Diag *d, const char *fmt, ...)
{
    va_list ap;
    if (d == NULL)
        return false;
    va_start(ap, fmt);
    str_vputf(&d->text, fmt, ap);
    va_end(ap);
    str_puts(&d->text, "\n");
    d->count++;
    return false;
}

void diag_free(Diag *d)
{
    if (d == NULL)
        return;
    str_free(&d->text);
    d->count = 0;
}
