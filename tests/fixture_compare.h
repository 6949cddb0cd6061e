/*
 * fixture_compare.h - the seed-model fixtures of tests/fixtures and the
 * acceptance rule their outputs are held to, for the suites that run
 * them (test_models.c through `sinter run`, test_neon.c cross-built for
 * AArch64, test_valgrind.c under valgrind).
 *
 * A fixture is fixtures/STEM_opNN.onnx (or STEM.onnx) with
 * STEM_input.npy and STEM_output.npy (PyTorch's output) beside it; an
 * output passes when max|out - ref| <= 2e-4 * max|ref| (float32
 * rounding of a random network stays well inside it).
 *
 * Functions are static inline so a test file may use only some of them.
 */
#ifndef SINTER_TESTS_FIXTURE_COMPARE_H
#define SINTER_TESTS_FIXTURE_COMPARE_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

#define FIXTURES "fixtures"
#define TOLERANCE 2e-4

/* "unext_op13.onnx" -> "unext"; "mlp.onnx" -> "mlp". */
static inline void fixture_stem(const char *file, char *stem, size_t size)
{
    snprintf(stem, size, "%s", file);
    char *dot = strrchr(stem, '.');
    if (dot)
        *dot = '\0';
    char *op = strstr(stem, "_op");
    if (op && op[3] >= '0' && op[3] <= '9')
        *op = '\0';
}

/* scandir filter: the .onnx files of a folder. */
static inline int is_onnx(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".onnx") == 0;
}

/* max|out - ref| / max|ref| of two float tensors (a NaN in out counts as
 * infinitely wrong), or INFINITY when shapes or dtypes differ. */
static inline double tensor_relative_error(const Tensor *out, const Tensor *ref)
{
    if (!out || !ref || !shape_equal(&out->shape, &ref->shape) || out->dtype != DT_FLOAT ||
        ref->dtype != DT_FLOAT)
        return INFINITY;
    double max_err = 0, max_ref = 0;
    for (int64_t i = 0; i < tensor_numel(ref); i++) {
        double a = ((const float *)out->data)[i], b = ((const float *)ref->data)[i];
        max_err = fmax(max_err, isnan(a) ? INFINITY : fabs(a - b));
        max_ref = fmax(max_ref, fabs(b));
    }
    return max_err / (max_ref > 0 ? max_ref : 1);
}

/* The same for two .npy files; INFINITY when either cannot be read. */
static inline double relative_error(const char *out_path, const char *ref_path)
{
    Diag d = {0};
    Tensor *out = npy_read(out_path, &d), *ref = npy_read(ref_path, &d);
    double result = tensor_relative_error(out, ref);
    if (d.count)
        fprintf(stderr, "%s", d.text.buf);
    tensor_free(out);
    tensor_free(ref);
    diag_free(&d);
    return result;
}

/* The data of `t` into a raw file. */
static inline bool write_raw(const char *path, const Tensor *t)
{
    FILE *f = fopen(path, "wb");
    size_t bytes = tensor_bytes(t);
    bool ok = f && fwrite(t->data, 1, bytes, f) == bytes;
    return f && fclose(f) == 0 && ok;
}

/* Reads the raw output at `path`, which must hold exactly ref's bytes,
 * as a tensor of ref's shape, and compares it with ref.  INFINITY when
 * it cannot. */
static inline double raw_relative_error(const char *path, const Tensor *ref)
{
    size_t bytes = tensor_bytes(ref);
    void *data = malloc(bytes + 1);
    FILE *f = fopen(path, "rb");
    bool ok = f && fread(data, 1, bytes + 1, f) == bytes;
    if (f)
        fclose(f);
    Tensor out = *ref; /* a view: shape and dtype of ref, our data */
    out.data = data;
    double err = ok ? tensor_relative_error(&out, ref) : INFINITY;
    free(data);
    return err;
}

#endif /* SINTER_TESTS_FIXTURE_COMPARE_H */
