/*
 * escape.c - names made safe for JSON strings and Graphviz DOT labels
 * (escape.h).
 */
#include "driver/escape.h"

int utf8_sequence_length(const unsigned char *s)
{
    if (s[0] == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    /* The lead byte fixes the length and the range of the second byte,
     * which excludes overlong forms, surrogates and values > U+10FFFF. */
    int len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* The escapes JSON and DOT strings share: quotes and backslashes get a
 * backslash, valid UTF-8 passes, and any other byte (control bytes,
 * broken sequences) becomes \u00XX in JSON (the byte read as Latin-1)
 * and '?' in DOT, which has no numeric escape. */
static void put_escaped(Str *out, const char *text, bool json)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        int len = utf8_sequence_length(s);
        if (*s == '"' || *s == '\\') {
            str_putf(out, "\\%c", *s);
        } else if (*s < 0x20 || len == 0) {
            if (json)
                str_putf(out, "\\u%04x", *s);
            else
                str_puts(out, "?");
        } else {
            str_putn(out, (const char *)s, (size_t)len);
            s += len;
            continue;
        }
        s++;
    }
}

void json_put_string(Str *out, const char *text)
{
    str_puts(out, "\"");
    put_escaped(out, text, true);
    str_puts(out, "\"");
}

void dot_put_string(Str *out, const char *text)
{
    put_escaped(out, text, false);
}
