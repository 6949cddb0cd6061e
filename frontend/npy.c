/*
 * npy.c - numpy's .npy format, the way tests and the CLI exchange tensors.
 *
 * A file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the header
 * length (2 bytes in 1.0, 4 bytes later, little endian), a Python dict
 * literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ended by '\n', then the raw elements.  The header
 * parser accepts exactly that dict (any key order, optional trailing comma)
 * and nothing else; the data must fill the shape exactly.
 *
 * numpy has no bfloat16, so a bfloat16 tensor is written as '<u2', its
 * bit patterns (the upper halves of float32s; `.view(ml_dtypes.bfloat16)`
 * or a shift left by 16 into uint32 recovers the values).  That is how
 * ONNX's own test data stores bfloat16, and it reads back as uint16.
 */
#include "frontend/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* Supported element types; the first spelling of each is numpy's own and
 * the one npy_write uses.  Reading takes the first entry of a descr, so
 * '<u2' reads as uint16 and only bfloat16's writing uses its entry. */
static const struct {
    const char *descr;
    DType type;
} npy_types[] = {
    {"<f4", DT_FLOAT}, {"<f8", DT_DOUBLE}, {"|i1", DT_INT8},   {"<i1", DT_INT8},
    {"<i2", DT_INT16}, {"<i4", DT_INT32},  {"<i8", DT_INT64},  {"|u1", DT_UINT8},
    {"<u1", DT_UINT8}, {"<u2", DT_UINT16}, {"<u4", DT_UINT32}, {"<u8", DT_UINT64},
    {"|b1", DT_BOOL},  {"<f2", DT_FLOAT16}, {"<u2", DT_BFLOAT16},
};

static DType npy_dtype(const char *descr)
{
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (strcmp(npy_types[i].descr, descr) == 0)
            return npy_types[i].type;
    return DT_UNDEFINED;
}

static const char *npy_descr(DType t)
{
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (npy_types[i].type == t)
            return npy_types[i].descr;
    return NULL;
}

/* What the header says. */
typedef struct {
    char descr[16];
    bool fortran_order;
    int64_t dims[MAX_RANK];
    int rank;
} NpyHeader;

/* A position in the header text, which is not NUL-terminated. */
typedef struct {
    const char *p, *end;
} Cursor;

static void skip_space(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

/* Consumes `ch` (after spaces) if it is next. */
static bool accept(Cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted Python string without escapes, into out[size]. */
static bool parse_string(Cursor *c, char *out, size_t size)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return false;
    char quote = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || n + 1 >= size)
            return false;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return false;
    c->p++;
    out[n] = '\0';
    return true;
}

static bool parse_word(Cursor *c, const char *word)
{
    skip_space(c);
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* A non-negative decimal integer that fits int64_t. */
static bool parse_dim(Cursor *c, int64_t *out)
{
    skip_space(c);
    if (c->p >= c->end || !isdigit((unsigned char)*c->p))
        return false;
    int64_t v = 0;
    while (c->p < c->end && isdigit((unsigned char)*c->p)) {
        int digit = *c->p++ - '0';
        if (v > (INT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

/* "()", "(5,)", "(2, 3)": returns NULL or what is wrong. */
static const char *parse_shape(Cursor *c, NpyHeader *h)
{
    if (!accept(c, '('))
        return "shape is not a tuple";
    h->rank = 0;
    while (!accept(c, ')')) {
        if (h->rank == MAX_RANK)
            return "rank exceeds the maximum of 8";
        if (!parse_dim(c, &h->dims[h->rank++]))
            return "shape holds something other than a non-negative integer that fits 64 bits";
        if (!accept(c, ',')) {
            if (!accept(c, ')'))
                return "shape tuple is malformed";
            break;
        }
    }
    return NULL;
}

/* Parses the dict; returns NULL or what is wrong with it. */
static const char *parse_header(const char *text, size_t len, NpyHeader *h)
{
    Cursor c = {text, text + len};
    bool seen_descr = false, seen_order = false, seen_shape = false;
    if (!accept(&c, '{'))
        return "header is not a dict";
    while (!accept(&c, '}')) {
        char key[32];
        const char *err = NULL;
        if (!parse_string(&c, key, sizeof key) || !accept(&c, ':'))
            return "malformed key";
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            seen_descr = true;
            if (!parse_string(&c, h->descr, sizeof h->descr))
                err = "descr is not a short string";
        } else if (strcmp(key, "fortran_order") == 0 && !seen_order) {
            seen_order = true;
            if (parse_word(&c, "True"))
                h->fortran_order = true;
            else if (parse_word(&c, "False"))
                h->fortran_order = false;
            else
                err = "fortran_order is not True or False";
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            seen_shape = true;
            err = parse_shape(&c, h);
        } else {
            err = "unknown or repeated key";
        }
        if (err)
            return err;
        if (!accept(&c, ',')) {
            if (!accept(&c, '}'))
                return "entries are not separated by commas";
            break;
        }
    }
    if (!seen_descr || !seen_order || !seen_shape)
        return "descr, fortran_order or shape is missing";
    /* Only padding may follow, and the header ends with a newline. */
    skip_space(&c);
    if (c.end - c.p != 1 || *c.p != '\n')
        return "unexpected text after the dict";
    return NULL;
}

static uint32_t read_le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Checks the preamble and header of buf[len]; sets *h and the offset of the
 * data.  `path` names the file in messages. */
static bool read_header(const uint8_t *buf, size_t len, const char *path, NpyHeader *h,
                        size_t *data_start, Diag *d)
{
    if (len < 10 || memcmp(buf, npy_magic, sizeof npy_magic) != 0)
        return diag_error(d, "'%s' is not a .npy file (bad magic)", path);
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return diag_error(d, "'%s': unsupported .npy version %d.%d", path, major, minor);
    size_t prefix = major == 1 ? 10 : 12;
    if (len < prefix)
        return diag_error(d, "'%s': .npy header is truncated", path);
    size_t hlen = read_le(buf + 8, major == 1 ? 2 : 4);
    if (hlen > len - prefix)
        return diag_error(d, "'%s': .npy header is truncated (%zu bytes announced, %zu present)",
                          path, hlen, len - prefix);
    const char *err = parse_header((const char *)buf + prefix, hlen, h);
    if (err)
        return diag_error(d, "'%s': bad .npy header: %s", path, err);
    if (h->fortran_order)
        return diag_error(d, "'%s': fortran_order arrays are not supported (C order only)", path);
    *data_start = prefix + hlen;
    return true;
}

/* The file name without folder and extension, to name the tensor. */
static char *tensor_name_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = xmalloc(n + 1);
    memcpy(name, base, n);
    name[n] = '\0';
    return name;
}

Tensor *npy_read_buffer(const uint8_t *buf, size_t len, const char *path, Diag *d)
{
    NpyHeader h = {0};
    size_t start = 0;
    Shape shape;
    if (!read_header(buf, len, path, &h, &start, d))
        return NULL;
    DType type = npy_dtype(h.descr);
    if (type == DT_UNDEFINED) {
        diag_error(d, "'%s': unsupported .npy dtype '%s'%s", path, h.descr,
                   h.descr[0] == '>' ? " (big endian)" : "");
        return NULL;
    }
    Str what = {0};
    str_putf(&what, "'%s'", path);
    bool ok = fe_make_shape(h.dims, (size_t)h.rank, &shape, what.buf, d);
    str_free(&what);
    if (!ok)
        return NULL;
    char *name = tensor_name_from_path(path);
    Tensor *t = fe_tensor_new(name);
    free(name);
    t->dtype = type;
    t->shape = shape;
    t->shape_known = true;
    size_t need = tensor_bytes(t), have = len - start;
    if (have != need) {
        diag_error(d, "'%s': .npy data holds %zu bytes, but shape and dtype need %zu (%s)", path,
                   have, need, have < need ? "truncated" : "trailing bytes");
        tensor_free(t);
        return NULL;
    }
    tensor_set_data(t, buf + start);
    if (type == DT_BOOL)
        fe_normalize_bool(t->data, need);
    return t;
}

Tensor *npy_read(const char *path, Diag *d)
{
    uint8_t *buf;
    size_t len;
    if (!fe_read_file(path, &buf, &len, d))
        return NULL;
    Tensor *t = npy_read_buffer(buf, len, path, d);
    free(buf);
    return t;
}

/* The header dict, padded so the data starts at a multiple of 64 bytes
 * as numpy does. */
static void format_header(Str *h, const Tensor *t, const char *descr)
{
    str_putf(h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < t->shape.rank; i++)
        str_putf(h, "%s%lld", i ? ", " : "", (long long)t->shape.dim[i]);
    str_puts(h, t->shape.rank == 1 ? ",), }" : "), }");
    while ((10 + h->len + 1) % 64 != 0)
        str_puts(h, " ");
    str_puts(h, "\n");
}

bool npy_write(const char *path, const Tensor *t, Diag *d)
{
    const char *descr = npy_descr(t->dtype);
    if (!descr)
        return diag_error(d, "cannot write tensor '%s' to '%s': dtype %s has no .npy form",
                          t->name, path, dtype_name(t->dtype) ? dtype_name(t->dtype) : "?");
    if (tensor_numel(t) < 0 || (!t->data && tensor_numel(t) > 0))
        return diag_error(d, "cannot write tensor '%s' to '%s': it has no valid shape and data",
                          t->name, path);
    Str h = {0};
    format_header(&h, t, descr);
    uint8_t preamble[10];
    memcpy(preamble, npy_magic, sizeof npy_magic);
    preamble[6] = 1; /* version 1.0: a rank-8 header fits its 16-bit length */
    preamble[7] = 0;
    preamble[8] = (uint8_t)(h.len & 0xff);
    preamble[9] = (uint8_t)(h.len >> 8);

    FILE *f = fopen(path, "wb");
    if (!f) {
        str_free(&h);
        return diag_error(d, "cannot create '%s': %s", path, strerror(errno));
    }
    size_t nbytes = tensor_bytes(t);
    bool ok = fwrite(preamble, 1, sizeof preamble, f) == sizeof preamble &&
              fwrite(h.buf, 1, h.len, f) == h.len &&
              (nbytes == 0 || fwrite(t->data, 1, nbytes, f) == nbytes);
    ok = fclose(f) == 0 && ok;
    str_free(&h);
    if (!ok)
        return diag_error(d, "cannot write '%s'", path);
    return true;
}
