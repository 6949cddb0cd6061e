/*
 * tensor_reader.c - TensorProto to Tensor: element types, shapes and the
 * three places a tensor's values can live (raw_data, the typed repeated
 * fields, external files).  Also the small file helpers of the frontend.
 *
 * Every length in the proto is checked against the element count implied
 * by dims before anything is allocated or copied, so a hostile file can
 * neither overflow a buffer nor make us allocate what its data cannot fill.
 * Data is stored little endian, as ONNX specifies; the compiler assumes a
 * little-endian host, so raw bytes are copied as they are.
 */
#include "frontend/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Protobuf cannot encode a model beyond 2 GiB (larger ones keep their
 * weights in external data), and no input tensor comes near it. */
#define MAX_FILE_BYTES ((size_t)1 << 31)

bool fe_read_file(const char *path, uint8_t **buf, size_t *len, Diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_error(d, "cannot open '%s': %s", path, strerror(errno));
    /* fopen takes a folder on Linux and only the read fails (EISDIR):
     * say what the path is rather than that reading it failed. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return diag_error(d, "'%s' is a directory, not a file", path);
    }
    /* Read in growing chunks instead of trusting a size reported up
     * front: the file may be a pipe (or /dev/zero) or change meanwhile. */
    size_t cap = 1 << 16, used = 0;
    uint8_t *data = xmalloc(cap);
    for (;;) {
        if (used == cap) {
            if (cap >= MAX_FILE_BYTES)
                break;
            cap *= 2;
            data = xrealloc(data, cap);
        }
        size_t got = fread(data + used, 1, cap - used, f);
        used += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f), too_big = used == cap && cap >= MAX_FILE_BYTES;
    int read_errno = errno;
    fclose(f);
    if (failed || too_big) {
        free(data);
        if (too_big)
            return diag_error(d, "'%s' is larger than %llu MiB", path,
                              (unsigned long long)(MAX_FILE_BYTES >> 20));
        return diag_error(d, "cannot read '%s': %s", path, strerror(read_errno));
    }
    *buf = data;
    *len = used;
    return true;
}

char *fe_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    size_t n = (size_t)(slash - path);
    char *dir = xmalloc(n + 1);
    memcpy(dir, path, n);
    dir[n] = '\0';
    return dir;
}

Tensor *fe_tensor_new(const char *name)
{
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->offset = -1;
    t->id = -1; /* not in any graph's tensor list */
    return t;
}

bool fe_check_dtype(int64_t code, const char *what, Diag *d)
{
    if (code == DT_UNDEFINED)
        return diag_error(d, "%s: no data type given", what);
    if (code == DT_STRING)
        return diag_error(d, "%s: string tensors are not supported", what);
    if (code < 0 || code > INT_MAX || dtype_size((DType)code) == 0)
        return diag_error(d, "%s: unsupported data type %lld", what, (long long)code);
    return true;
}

void fe_normalize_bool(uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        data[i] = data[i] != 0;
}

bool fe_make_shape(const int64_t *dims, size_t n, Shape *out, const char *what, Diag *d)
{
    if (n > MAX_RANK)
        return diag_error(d, "%s: rank %zu exceeds the maximum of %d", what, n, MAX_RANK);
    Shape s = {.rank = (int)n};
    for (size_t i = 0; i < n; i++) {
        if (dims[i] < 0)
            return diag_error(d, "%s: negative dimension %lld at axis %zu", what,
                              (long long)dims[i], i);
        s.dim[i] = dims[i];
    }
    if (shape_numel(&s) < 0) {
        char buf[200];
        return diag_error(d, "%s: shape %s has too many elements (overflow; the limit is %lld)",
                          what, shape_str(&s, buf, sizeof buf), (long long)MAX_ELEMENTS);
    }
    *out = s;
    return true;
}

/* Copies raw_data, whose length must match the shape exactly. */
static void *copy_raw(const Tensor *t, const Onnx__TensorProto *tp, const char *what, Diag *d)
{
    size_t nbytes = tensor_bytes(t);
    if (tp->raw_data.len != nbytes) {
        diag_error(d, "%s: raw_data holds %zu bytes, but %lld elements of %s need %zu", what,
                   tp->raw_data.len, (long long)tensor_numel(t), dtype_name(t->dtype), nbytes);
        return NULL;
    }
    void *data = xmalloc(nbytes);
    if (nbytes)
        memcpy(data, tp->raw_data.data, nbytes);
    return data;
}

/* The repeated field that holds a dtype's values when raw_data is absent. */
typedef struct {
    const char *name;
    size_t count;
    const void *values;
    DType type; /* element type of `values` */
} TypedField;

static TypedField typed_field(const Onnx__TensorProto *tp, DType t)
{
    switch (t) {
    case DT_FLOAT:
        return (TypedField){"float_data", tp->n_float_data, tp->float_data, DT_FLOAT};
    case DT_DOUBLE:
        return (TypedField){"double_data", tp->n_double_data, tp->double_data, DT_DOUBLE};
    case DT_INT64:
        return (TypedField){"int64_data", tp->n_int64_data, tp->int64_data, DT_INT64};
    case DT_UINT32:
    case DT_UINT64:
        return (TypedField){"uint64_data", tp->n_uint64_data, tp->uint64_data, DT_UINT64};
    default:
        /* int8/16/32, uint8/16, bool, and the bit patterns of float16 and
         * bfloat16 all travel in int32_data. */
        return (TypedField){"int32_data", tp->n_int32_data, tp->int32_data, DT_INT32};
    }
}

/* Converts the typed field's values to the tensor's element type.  The
 * 16-bit float types hold bit patterns there, which are copied as the
 * uint16_t values they are. */
static void *copy_typed(const Tensor *t, const Onnx__TensorProto *tp, const char *what, Diag *d)
{
    TypedField src = typed_field(tp, t->dtype);
    bool bits = t->dtype == DT_FLOAT16 || t->dtype == DT_BFLOAT16;
    DType dst = bits ? DT_UINT16 : t->dtype;
    size_t count = (size_t)tensor_numel(t);
    if (src.count != count) {
        diag_error(d, "%s: %s holds %zu values, but the shape has %zu elements", what, src.name,
                   src.count, count);
        return NULL;
    }
    void *data = xmalloc(tensor_bytes(t));
    for (size_t i = 0; i < count; i++) {
        if (dtype_is_float(dst))
            dtype_set_f64(dst, data, i, dtype_get_f64(src.type, src.values, i));
        else
            dtype_set_i64(dst, data, i, dtype_get_i64(src.type, src.values, i));
    }
    return data;
}

bool fe_tensor_from_proto(Tensor *t, const Onnx__TensorProto *tp, const char *dir,
                          const char *what, Diag *d)
{
    if (!fe_check_dtype(tp->data_type, what, d))
        return false;
    if (tp->segment)
        return diag_error(d, "%s: segmented tensors are not supported", what);
    Shape shape;
    if (!fe_make_shape(tp->dims, tp->n_dims, &shape, what, d))
        return false;
    t->dtype = (DType)tp->data_type;
    t->shape = shape;
    t->shape_known = true;
    /* MAX_ELEMENTS keeps the byte count within 64 bits, not within a
     * 32-bit size_t. */
    if ((uint64_t)tensor_numel(t) > SIZE_MAX / dtype_size(t->dtype))
        return diag_error(d, "%s: too large for this machine", what);
    if ((uint64_t)tensor_bytes(t) > (uint64_t)MAX_TENSOR_BYTES)
        return diag_error(d, "%s: %zu bytes; at most %lld are supported", what, tensor_bytes(t),
                          (long long)MAX_TENSOR_BYTES);

    void *data;
    size_t nbytes = tensor_bytes(t);
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        data = fe_read_external(tp, dir, nbytes, what, d);
    else if (tp->has_raw_data)
        data = copy_raw(t, tp, what, d);
    else
        data = copy_typed(t, tp, what, d);
    if (!data)
        return false;
    if (t->dtype == DT_BOOL)
        fe_normalize_bool(data, nbytes);
    free(t->data);
    t->data = data;
    return true;
}

Tensor *onnx_load_tensor_buffer(const uint8_t *buf, size_t len, const char *path,
                                const char *dir, Diag *d)
{
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!tp) {
        diag_error(d, "'%s' is not a TensorProto file (protobuf parse failed: truncated or "
                   "malformed)", path);
        return NULL;
    }
    Tensor *t = fe_tensor_new(tp->name && *tp->name ? tp->name : "tensor");
    Str what = {0};
    str_putf(&what, "tensor file '%s'", path);
    bool ok = fe_tensor_from_proto(t, tp, dir, what.buf, d);
    str_free(&what);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    if (!ok) {
        tensor_free(t);
        return NULL;
    }
    return t;
}

Tensor *onnx_load_tensor_file(const char *path, Diag *d)
{
    uint8_t *buf;
    size_t len;
    if (!fe_read_file(path, &buf, &len, d))
        return NULL;
    char *dir = fe_dirname(path);
    Tensor *t = onnx_load_tensor_buffer(buf, len, path, dir, d);
    free(dir);
    free(buf);
    return t;
}

Tensor *tensor_read_file(const char *path, Diag *d)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".npy") == 0)
        return npy_read(path, d);
    if (dot && strcmp(dot, ".pb") == 0)
        return onnx_load_tensor_file(path, d);
    diag_error(d, "'%s': unknown tensor file type (expected .npy or .pb)", path);
    return NULL;
}
