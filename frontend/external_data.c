/*
 * external_data.c - tensor values stored beside the model file.
 *
 * A model names its external files by relative "location".  A hostile
 * model could point that at /etc/shadow, at ../../secret or at a symlink
 * leaving its folder, and have the compiler embed the bytes in generated
 * code.  So the location must be relative, must not contain "..", and its
 * real path (symlinks resolved) must lie inside the model's real folder.
 */
#define _XOPEN_SOURCE 700

#include "frontend/internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The external_data keys the compiler uses. */
typedef struct {
    const char *location;
    int64_t offset;
    int64_t length; /* -1: up to the end of the file */
} ExternalRef;

/* Parses a non-negative decimal integer that fits int64_t, strictly. */
static bool parse_size(const char *text, int64_t *out)
{
    if (!text || !*text)
        return false;
    int64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p) || v > (INT64_MAX - (*p - '0')) / 10)
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

static bool parse_ref(const Onnx__TensorProto *tp, ExternalRef *ref, const char *what, Diag *d)
{
    *ref = (ExternalRef){NULL, 0, -1};
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *key = tp->external_data[i]->key, *value = tp->external_data[i]->value;
        if (!key || !value)
            continue;
        if (strcmp(key, "location") == 0)
            ref->location = value;
        else if (strcmp(key, "offset") == 0 && !parse_size(value, &ref->offset))
            return diag_error(d, "%s: external data offset '%s' is not a non-negative integer",
                              what, value);
        else if (strcmp(key, "length") == 0 && !parse_size(value, &ref->length))
            return diag_error(d, "%s: external data length '%s' is not a non-negative integer",
                              what, value);
        /* "checksum" and unknown keys are ignored, as ONNX allows. */
    }
    if (!ref->location || !*ref->location)
        return diag_error(d, "%s: external data has no location", what);
    return true;
}

/* Refuses absolute locations and any ".." component.  Backslashes count as
 * separators too, since models exported on Windows may use them. */
static bool location_is_relative(const char *loc, const char *what, Diag *d)
{
    bool drive = isalpha((unsigned char)loc[0]) && loc[1] == ':';
    if (loc[0] == '/' || loc[0] == '\\' || drive)
        return diag_error(d, "%s: external data location '%s' is an absolute path; it must be "
                          "relative to the model's folder", what, loc);
    for (const char *p = loc; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return diag_error(d, "%s: external data location '%s' contains a '..' component",
                              what, loc);
        p += n;
        if (*p)
            p++;
    }
    return true;
}

/* The real path of dir/loc if it lies inside dir's real path, else NULL
 * with an error.  Caller frees. */
static char *resolve_inside(const char *dir, const char *loc, const char *what, Diag *d)
{
    char *real_dir = realpath(dir, NULL);
    if (!real_dir) {
        diag_error(d, "%s: cannot resolve the model folder '%s': %s", what, dir, strerror(errno));
        return NULL;
    }
    Str path = {0};
    str_putf(&path, "%s/%s", dir, loc);
    char *real = realpath(path.buf, NULL);
    if (!real)
        diag_error(d, "%s: cannot open external data file '%s': %s", what, path.buf,
                   strerror(errno));
    str_free(&path);
    if (real) {
        size_t n = strlen(real_dir);
        bool root = strcmp(real_dir, "/") == 0;
        if (!root && (strncmp(real, real_dir, n) != 0 || real[n] != '/')) {
            diag_error(d, "%s: external data location '%s' resolves to '%s', outside the model "
                       "folder '%s'", what, loc, real, real_dir);
            free(real);
            real = NULL;
        }
    }
    free(real_dir);
    return real;
}

/* Reads exactly n bytes at offset; false on a short read or an error. */
static bool read_at(int fd, uint8_t *out, size_t n, int64_t offset)
{
    while (n > 0) {
        ssize_t got = pread(fd, out, n, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        out += got;
        n -= (size_t)got;
        offset += got;
    }
    return true;
}

/* What a file of `mode` is, for messages: "a FIFO". */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

/* Opens path for reading, with its status in *st, if it is a regular
 * file.  Non-blocking: opening a FIFO that no one writes would otherwise
 * wait forever before fstat could refuse it.  A socket cannot be opened
 * at all, so stat tells what it is. */
static int open_regular(const char *path, struct stat *st, const char *what, Diag *d)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    int err = errno;
    bool known = fd >= 0 ? fstat(fd, st) == 0 : stat(path, st) == 0;
    if (fd >= 0 && !known)
        err = errno;
    if (fd >= 0 && known && S_ISREG(st->st_mode))
        return fd;
    if (fd >= 0)
        close(fd);
    if (known && !S_ISREG(st->st_mode))
        diag_error(d, "%s: external data file '%s' is %s; only regular files are read", what,
                   path, file_kind(st->st_mode));
    else
        diag_error(d, "%s: cannot open external data file '%s': %s", what, path, strerror(err));
    return -1;
}

/* Checks the byte range against the file and the tensor, then reads it. */
static void *read_range(const char *path, const ExternalRef *ref, size_t nbytes,
                        const char *what, Diag *d)
{
    struct stat st;
    int fd = open_regular(path, &st, what, d);
    if (fd < 0)
        return NULL;
    int64_t size = st.st_size;
    int64_t length = ref->length >= 0 ? ref->length : size - ref->offset;
    uint8_t *data = NULL;
    if (ref->offset > size || length > size - ref->offset)
        diag_error(d, "%s: external data range (offset %lld, length %lld) lies beyond the end "
                   "of '%s' (%lld bytes)", what, (long long)ref->offset, (long long)length, path,
                   (long long)size);
    else if ((uint64_t)length != nbytes)
        diag_error(d, "%s: external data holds %lld bytes, but the tensor needs %zu", what,
                   (long long)length, nbytes);
    else {
        data = xmalloc(nbytes);
        if (!read_at(fd, data, nbytes, ref->offset)) {
            diag_error(d, "%s: cannot read external data file '%s'", what, path);
            free(data);
            data = NULL;
        }
    }
    close(fd);
    return data;
}

void *fe_read_external(const Onnx__TensorProto *tp, const char *dir, size_t nbytes,
                       const char *what, Diag *d)
{
    if (!dir) {
        diag_error(d, "%s: external data needs the model's folder (the model was loaded from "
                   "memory)", what);
        return NULL;
    }
    ExternalRef ref;
    if (!parse_ref(tp, &ref, what, d) || !location_is_relative(ref.location, what, d))
        return NULL;
    char *path = resolve_inside(dir, ref.location, what, d);
    if (!path)
        return NULL;
    void *data = read_range(path, &ref, nbytes, what, d);
    free(path);
    return data;
}
