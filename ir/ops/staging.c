/*
 * staging.c - run-time support and dtype staging for emit (staging.h).
 */
#include "ir/ops/staging.h"
#include "ir/ops/dtype_code.h"
#include "ir/ops/op_check.h"

/* ---- run-time support --------------------------------------------- */

static bool check_f32_tensor(const Node *n, const Tensor *t, const char *role, int i, Diag *d)
{
    if (t && t->dtype != DT_FLOAT)
        return node_error(d, n, "%s %d ('%s') is %s, not supported at run time (float32 only)",
                          role, i, t->name, dtype_label(t->dtype));
    return true;
}

bool check_f32_runtime(const Node *n, int n_data, Diag *d)
{
    for (int i = 0; i < n->n_in && i < n_data; i++)
        if (!check_f32_tensor(n, n->in[i], "input", i, d))
            return false;
    for (int i = 0; i < n->n_out; i++)
        if (!check_f32_tensor(n, n->out[i], "output", i, d))
            return false;
    return true;
}

void broadcast_strides(const Shape *in, const Shape *out, int64_t *strides)
{
    int64_t dense[MAX_RANK];
    shape_strides(in, dense);
    int lead = out->rank - in->rank;
    for (int i = 0; i < out->rank; i++) {
        int j = i - lead;
        strides[i] = j >= 0 && in->dim[j] != 1 ? dense[j] : 0;
    }
}

/* ---- run-time dtype staging ---------------------------------------- */

bool dtype_fits_float32(DType t)
{
    return t == DT_FLOAT || t == DT_INT8 || t == DT_UINT8 || t == DT_INT16 || t == DT_UINT16 ||
           t == DT_BOOL;
}

/* Scratch regions start 8-byte aligned, for int64 kernels. */
static size_t staged_bytes(const Tensor *t, DType kernel)
{
    if (!t || t->dtype == kernel)
        return 0;
    return ((size_t)tensor_numel(t) * dtype_size(kernel) + 7) / 8 * 8;
}

/* The dtypes snt_cast converts by their runtime names; "0" (no dtype)
 * for the rest. */
static const char *snt_dtype_name(DType t)
{
    const char *code = cast_dtype_code(t);
    return code ? code : "0";
}

size_t staging_bytes(DType kernel, const Tensor *const *tensors, int count)
{
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += staged_bytes(tensors[i], kernel);
    return total;
}

void staging_begin(Staging *s, Emitter *e, DType kernel, const Tensor *const *tensors, int count)
{
    *s = (Staging){.e = e, .kernel = kernel};
    size_t total = staging_bytes(kernel, tensors, count);
    if (total)
        emit_line(e, "unsigned char *s = (unsigned char *)%s;", emit_scratch(e, total));
}

/* Hands out the next scratch region for t, as "(T *)(s + offset)". */
static const char *staged_region(Staging *s, const Tensor *t, bool is_const, size_t *offset)
{
    char *expr = s->expr[s->count++];
    *offset = s->used;
    snprintf(expr, sizeof s->expr[0], "(%s%s *)(s + %zu)", is_const ? "const " : "",
             dtype_ctype(s->kernel), s->used);
    s->used += staged_bytes(t, s->kernel);
    return expr;
}

const char *staging_input(Staging *s, const Tensor *t)
{
    if (t->dtype == s->kernel)
        return emit_ptr(s->e, t);
    size_t offset;
    const char *expr = staged_region(s, t, true, &offset);
    emit_line(s->e, "snt_cast(%s, %s, %s, s + %zu, %lld);", snt_dtype_name(t->dtype),
              emit_ptr(s->e, t), snt_dtype_name(s->kernel), offset, (long long)tensor_numel(t));
    return expr;
}

const char *staging_output(Staging *s, const Tensor *t)
{
    if (t->dtype == s->kernel)
        return emit_ptr(s->e, t);
    s->out = t;
    return staged_region(s, t, false, &s->out_offset);
}

void staging_end(Staging *s)
{
    if (s->out)
        emit_line(s->e, "snt_cast(%s, s + %zu, %s, %s, %lld);", snt_dtype_name(s->kernel),
                  s->out_offset, snt_dtype_name(s->out->dtype), emit_ptr(s->e, s->out),
                  (long long)tensor_numel(s->out));
}
