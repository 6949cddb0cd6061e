/*
 * value_reader.c - sequence and optional values in the files of ONNX's
 * test data (SequenceProto, OptionalProto), and tensors as TensorProto
 * files.
 *
 * The two messages live in onnx-data.proto, which the build does not
 * compile (Debian ships only onnx.proto as a header); they are small, so
 * they are read and written here on the protobuf wire format directly.
 * Their tensors are ordinary TensorProtos, handed to protobuf-c.
 *
 *   SequenceProto: 1 name, 2 elem_type, 3 tensor_values (repeated),
 *                  4 sparse, 5 sequences, 6 maps, 7 optionals
 *   OptionalProto: 1 name, 2 elem_type, 3 tensor_value, 4 sparse,
 *                  5 sequence_value, 6 map, 7 optional
 *   elem_type:     0 undefined (an empty optional), 1 tensor, 3 sequence
 */
#include "frontend/internal.h"

#include <stdlib.h>
#include <string.h>

enum { ELEM_UNDEFINED = 0, ELEM_TENSOR = 1, ELEM_SEQUENCE = 3 };
enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5 };

/* ------------------------------------------------------------------ */
/* Reading the wire format                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const uint8_t *p, *end;
} Wire;

/* One field: its number, wire type, and its value (varint) or bytes. */
typedef struct {
    uint64_t number, wire, value;
    const uint8_t *bytes;
    size_t len;
} Field;

static bool wire_varint(Wire *w, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && w->p < w->end; shift += 7) {
        uint8_t b = *w->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* Reads the next field; false at a malformed one.  Fixed-size fields
 * (none of ours) are skipped over with value 0: a reader that wants a
 * varint checks `wire`, so a field of the wrong type cannot pass. */
static bool wire_field(Wire *w, Field *f)
{
    uint64_t key;
    if (!wire_varint(w, &key))
        return false;
    f->number = key >> 3;
    f->wire = key & 7;
    f->value = 0;
    f->bytes = NULL;
    f->len = 0;
    switch (f->wire) {
    case WIRE_VARINT:
        return wire_varint(w, &f->value);
    case WIRE_BYTES:
        if (!wire_varint(w, &f->value) || f->value > (uint64_t)(w->end - w->p))
            return false;
        f->bytes = w->p;
        f->len = (size_t)f->value;
        w->p += f->len;
        return true;
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
        size_t n = f->wire == WIRE_FIXED64 ? 8 : 4;
        if ((size_t)(w->end - w->p) < n)
            return false;
        w->p += n;
        return true;
    }
    default:
        return false;
    }
}

static void value_add(Value *v, Tensor *t)
{
    v->tensors = xrealloc(v->tensors, (size_t)(v->n_tensors + 1) * sizeof *v->tensors);
    v->tensors[v->n_tensors++] = t;
}

/* Appends the TensorProto of `len` bytes to v's tensors. */
static bool read_tensor(Value *v, const uint8_t *bytes, size_t len, const char *what, Diag *d)
{
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, bytes);
    if (!tp)
        return diag_error(d, "%s: a tensor is malformed", what);
    Tensor *t = fe_tensor_new(tp->name && *tp->name ? tp->name : "element");
    bool ok = fe_tensor_from_proto(t, tp, NULL, what, d);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    if (!ok) {
        tensor_free(t);
        return false;
    }
    if (v->n_tensors > 0 && t->dtype != v->tensors[0]->dtype) {
        tensor_free(t);
        return diag_error(d, "%s: the elements have different dtypes", what);
    }
    v->dtype = t->dtype;
    value_add(v, t);
    return true;
}

/* What a sequence or optional holds besides tensors and sequences of
 * them: sparse tensors, maps, nested optionals (and, in a sequence,
 * nested sequences). */
static bool refuse_field(uint64_t number, bool in_sequence, const char *what, Diag *d)
{
    static const char *const names[] = {"", "", "", "", "sparse tensors", "sequences", "maps",
                                        "optionals"};
    if (number < 4 || number > 7 || (number == 5 && !in_sequence))
        return true;
    return diag_error(d, "%s: %s inside a %s are not supported", what, names[number],
                      in_sequence ? "sequence" : "optional");
}

/* Appends a SequenceProto's tensors to v. */
static bool read_sequence(Value *v, Wire w, const char *what, Diag *d)
{
    Field f;
    while (w.p < w.end) {
        /* elem_type is a varint; of another wire type it is malformed. */
        if (!wire_field(&w, &f) || (f.number == 2 && f.wire != WIRE_VARINT))
            return diag_error(d, "%s: not a SequenceProto (malformed)", what);
        if (f.number == 2 && f.value != ELEM_TENSOR && f.value != ELEM_UNDEFINED)
            return diag_error(d, "%s: sequences of element type %llu are not supported", what,
                              (unsigned long long)f.value);
        if (f.number == 3 && f.bytes && !read_tensor(v, f.bytes, f.len, what, d))
            return false;
        if (!refuse_field(f.number, true, what, d))
            return false;
    }
    return true;
}

/* Fills v from an OptionalProto: a tensor, a sequence, or nothing. */
static bool read_optional(Value *v, Wire w, const char *what, Diag *d)
{
    Field f;
    v->empty = true;
    while (w.p < w.end) {
        if (!wire_field(&w, &f))
            return diag_error(d, "%s: not an OptionalProto (malformed)", what);
        if (!refuse_field(f.number, false, what, d))
            return false;
        if ((f.number != 3 && f.number != 5) || !f.bytes)
            continue;
        if (!v->empty)
            return diag_error(d, "%s: the optional holds more than one value", what);
        v->empty = false;
        v->inner = f.number == 3 ? KIND_TENSOR : KIND_SEQUENCE;
        Wire inner = {f.bytes, f.bytes + f.len};
        if (f.number == 3 ? !read_tensor(v, f.bytes, f.len, what, d)
                          : !read_sequence(v, inner, what, d))
            return false;
    }
    return true;
}

Value *value_read_file(const char *path, ValueKind kind, Diag *d)
{
    uint8_t *buf;
    size_t len;
    if (!fe_read_file(path, &buf, &len, d))
        return NULL;
    Value *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    Str what = {0};
    str_putf(&what, "%s file '%s'", kind == KIND_SEQUENCE ? "sequence" : "optional", path);
    Wire w = {buf, buf + len};
    bool ok = kind == KIND_SEQUENCE ? read_sequence(v, w, what.buf, d)
                                    : read_optional(v, w, what.buf, d);
    str_free(&what);
    free(buf);
    if (!ok) {
        value_free(v);
        return NULL;
    }
    return v;
}

void value_free(Value *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n_tensors; i++)
        tensor_free(v->tensors[i]);
    free(v->tensors);
    free(v);
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

static void put_varint(Str *s, uint64_t v)
{
    do {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            b |= 0x80;
        str_putn(s, (const char *)&b, 1);
    } while (v);
}

static void put_bytes(Str *s, uint64_t number, const void *bytes, size_t len)
{
    put_varint(s, number << 3 | WIRE_BYTES);
    put_varint(s, len);
    str_putn(s, bytes, len);
}

static void put_int(Str *s, uint64_t number, uint64_t v)
{
    put_varint(s, number << 3 | WIRE_VARINT);
    put_varint(s, v);
}

/* t as a serialized TensorProto appended to s (with no field key). */
static void pack_tensor(Str *s, const Tensor *t)
{
    Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
    int64_t dims[MAX_RANK];
    for (int i = 0; i < t->shape.rank; i++)
        dims[i] = t->shape.dim[i];
    tp.name = t->name;
    tp.n_dims = (size_t)t->shape.rank;
    tp.dims = dims;
    tp.has_data_type = true;
    tp.data_type = (int32_t)t->dtype;
    tp.has_raw_data = true;
    tp.raw_data.len = tensor_bytes(t);
    tp.raw_data.data = t->data;
    size_t len = onnx__tensor_proto__get_packed_size(&tp);
    uint8_t *buf = xmalloc(len + 1);
    onnx__tensor_proto__pack(&tp, buf);
    str_putn(s, (const char *)buf, len);
    free(buf);
}

static void put_tensor(Str *s, uint64_t number, const Tensor *t)
{
    Str packed = {0};
    pack_tensor(&packed, t);
    put_bytes(s, number, packed.buf ? packed.buf : "", packed.len);
    str_free(&packed);
}

static void put_sequence(Str *s, const Value *v, const char *name)
{
    put_bytes(s, 1, name, strlen(name));
    put_int(s, 2, ELEM_TENSOR);
    for (int i = 0; i < v->n_tensors; i++)
        put_tensor(s, 3, v->tensors[i]);
}

static void put_optional(Str *s, const Value *v, const char *name)
{
    put_bytes(s, 1, name, strlen(name));
    if (v->empty) {
        put_int(s, 2, ELEM_UNDEFINED);
    } else if (v->inner == KIND_TENSOR) {
        put_int(s, 2, ELEM_TENSOR);
        put_tensor(s, 3, v->tensors[0]);
    } else {
        Str seq = {0};
        put_sequence(&seq, v, name);
        put_int(s, 2, ELEM_SEQUENCE);
        put_bytes(s, 5, seq.buf, seq.len);
        str_free(&seq);
    }
}

static bool write_bytes(const char *path, const Str *s, Diag *d)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(s->buf ? s->buf : "", 1, s->len, f) == s->len;
    if (f)
        ok = fclose(f) == 0 && ok;
    return ok ? true : diag_error(d, "cannot write '%s'", path);
}

bool value_write_file(const char *path, const Value *v, const char *name, Diag *d)
{
    if (!v->empty && v->inner == KIND_TENSOR && v->kind == KIND_OPTIONAL && v->n_tensors != 1)
        return diag_error(d, "cannot write '%s': an optional tensor holds one tensor", path);
    Str s = {0};
    if (v->kind == KIND_SEQUENCE)
        put_sequence(&s, v, name);
    else
        put_optional(&s, v, name);
    bool ok = write_bytes(path, &s, d);
    str_free(&s);
    return ok;
}

bool tensor_write_file(const char *path, const Tensor *t, Diag *d)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strcmp(dot, ".pb") != 0)
        return npy_write(path, t, d);
    if (tensor_numel(t) < 0 || (!t->data && tensor_numel(t) > 0))
        return diag_error(d, "cannot write tensor '%s' to '%s': it has no valid shape and data",
                          t->name, path);
    Str s = {0};
    pack_tensor(&s, t);
    bool ok = write_bytes(path, &s, d);
    str_free(&s);
    return ok;
}
