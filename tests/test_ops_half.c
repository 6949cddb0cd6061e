/*
 * test_ops_half.c - float16 and bfloat16: the runtime's conversions at
 * their edges (ties, subnormals, NaN, infinities, overflow), the dtype
 * table, reading them from TensorProto and .npy, and the ops that take
 * them (Cast and CastLike folding, Max, Min, Sum, Mean, Mod and the
 * comparisons, folded and as generated kernel calls).
 */
#define OP_TEST_SHAPE_BUILDERS
#include "op_test.h"
#include "frontend/frontend.h"
#include "onnx.pb-c.h"
#include "sinter_rt.h"

#include <unistd.h>

/* Bits of a float32 and back, to build exact test values. */
static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float f32_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The float16 bits of v, printing what differs from `want`. */
static bool half_is(double v, uint16_t want)
{
    uint16_t got = snt_half_from_double(v);
    if (got != want)
        fprintf(stderr, "\nhalf(%.17g) = 0x%04x, want 0x%04x\n", v, got, want);
    return got == want;
}

/* ---- conversions -------------------------------------------------- */

static void test_half_rounding(void)
{
    CU_ASSERT_TRUE(half_is(1.0, 0x3c00));
    CU_ASSERT_TRUE(half_is(-2.0, 0xc000));
    CU_ASSERT_TRUE(half_is(-0.0, 0x8000));
    /* Ties between neighbours go to the even one. */
    CU_ASSERT_TRUE(half_is(1.0 + 0x1p-11, 0x3c00));
    CU_ASSERT_TRUE(half_is(1.0 + 3 * 0x1p-11, 0x3c02));
    /* Just past a tie rounds up, even where float32 would first round
     * onto the tie (the double is converted once). */
    CU_ASSERT_TRUE(half_is(1.0 + 0x1p-11 + 0x1p-40, 0x3c01));
    /* Rounding up carries into the exponent. */
    CU_ASSERT_TRUE(half_is(2.0 - 0x1p-12, 0x4000));
}

static void test_half_subnormals(void)
{
    CU_ASSERT_TRUE(half_is(0x1p-24, 0x0001));          /* smallest subnormal */
    CU_ASSERT_TRUE(half_is(0x1p-25, 0x0000));          /* tie with zero: even */
    CU_ASSERT_TRUE(half_is(0x1p-25 + 0x1p-40, 0x0001));
    CU_ASSERT_TRUE(half_is(-1.5 * 0x1p-24, 0x8002));   /* tie 1 / 2: even */
    CU_ASSERT_TRUE(half_is(1023 * 0x1p-24, 0x03ff));   /* largest subnormal */
    CU_ASSERT_TRUE(half_is(1023.5 * 0x1p-24, 0x0400)); /* rounds to the smallest normal */
    CU_ASSERT_TRUE(half_is(1e-30, 0x0000));
    CU_ASSERT_EQUAL(snt_half_to_float(0x0001), 0x1p-24f);
    CU_ASSERT_EQUAL(snt_half_to_float(0x83ff), -1023 * 0x1p-24f);
}

static void test_half_overflow_nan_inf(void)
{
    CU_ASSERT_TRUE(half_is(65504.0, 0x7bff));          /* largest float16 */
    CU_ASSERT_TRUE(half_is(65519.99, 0x7bff));
    CU_ASSERT_TRUE(half_is(65520.0, 0x7c00));          /* tie with 2^16: infinity */
    CU_ASSERT_TRUE(half_is(-1e10, 0xfc00));
    CU_ASSERT_TRUE(half_is(HUGE_VAL, 0x7c00));
    CU_ASSERT_TRUE(half_is(-HUGE_VAL, 0xfc00));
    uint16_t nan = snt_half_from_double(NAN);
    CU_ASSERT_EQUAL(nan & 0x7c00, 0x7c00);
    CU_ASSERT_NOT_EQUAL(nan & 0x03ff, 0);
    CU_ASSERT_TRUE(isinf(snt_half_to_float(0xfc00)) && snt_half_to_float(0xfc00) < 0);
    CU_ASSERT_TRUE(isnan(snt_half_to_float(0x7e00)));
    CU_ASSERT_TRUE(isnan(snt_half_to_float(0xfc01)));
    CU_ASSERT_TRUE(signbit(snt_half_to_float(0x8000)));
}

/* Every float16 that is not a NaN survives the trip through float. */
static void test_half_round_trip_all(void)
{
    int bad = 0;
    for (uint32_t h = 0; h <= 0xffff; h++) {
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
            continue;
        bad += (uint32_t)snt_half_from_double(snt_half_to_float((uint16_t)h)) != h;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_bfloat16(void)
{
    CU_ASSERT_EQUAL(snt_bfloat16_to_float(0x3f80), 1.0f);
    CU_ASSERT_EQUAL(snt_bfloat16_to_float(0x0001), f32_of(0x00010000)); /* subnormal */
    CU_ASSERT_TRUE(isinf(snt_bfloat16_to_float(0xff80)));
    /* ONNX's Cast keeps the upper 16 bits (its node tests expect this). */
    CU_ASSERT_EQUAL(snt_bfloat16_from_float(f32_of(0x3ef5eeb0)), 0x3ef5);
    CU_ASSERT_EQUAL(snt_bfloat16_from_float(-1.0f), 0xbf80);
    CU_ASSERT_EQUAL(snt_bfloat16_from_float(HUGE_VALF), 0x7f80);
    CU_ASSERT_EQUAL(snt_bfloat16_from_float(3.4e38f), 0x7f7f);  /* no overflow: range of float */
    /* A NaN whose payload lies in the low bits stays a NaN. */
    CU_ASSERT_TRUE(isnan(snt_bfloat16_to_float(snt_bfloat16_from_float(f32_of(0x7f800001)))));
    int bad = 0;
    for (uint32_t b = 0; b <= 0xffff; b++)
        bad += !isnan(snt_bfloat16_to_float((uint16_t)b)) &&
               (uint32_t)snt_bfloat16_from_float(snt_bfloat16_to_float((uint16_t)b)) != b;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(f32_bits(snt_bfloat16_to_float(0x4049)), 0x40490000u);
}

/* ---- the dtype table ---------------------------------------------- */

static void test_dtype_table(void)
{
    CU_ASSERT_STRING_EQUAL(dtype_name(DT_FLOAT16), "float16");
    CU_ASSERT_STRING_EQUAL(dtype_name(DT_BFLOAT16), "bfloat16");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_FLOAT16), "uint16_t");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_BFLOAT16), "uint16_t");
    CU_ASSERT_EQUAL(dtype_size(DT_FLOAT16), 2);
    CU_ASSERT_EQUAL(dtype_size(DT_BFLOAT16), 2);
    CU_ASSERT_TRUE(dtype_is_float(DT_FLOAT16) && dtype_is_float(DT_BFLOAT16));
    CU_ASSERT_FALSE(dtype_is_int(DT_BFLOAT16));

    uint16_t v[3];
    dtype_set_f64(DT_FLOAT16, v, 0, 0.1);
    dtype_set_i64(DT_FLOAT16, v, 1, 70000);
    dtype_set_f64(DT_BFLOAT16, v, 2, 0.1);
    CU_ASSERT_EQUAL(v[0], 0x2e66);
    CU_ASSERT_EQUAL(v[1], 0x7c00);
    CU_ASSERT_EQUAL(v[2], 0x3dcc);  /* 0x3dcccccd truncated */
    CU_ASSERT_EQUAL(dtype_get_f64(DT_FLOAT16, v, 0), 0.0999755859375);
    CU_ASSERT_EQUAL(dtype_get_f64(DT_BFLOAT16, v, 2), 0.099609375);
    CU_ASSERT_EQUAL(dtype_get_i64(DT_FLOAT16, (uint16_t[]){0xc500}, 0), -5);
}

/* ---- reading ------------------------------------------------------ */

/* Writes tp to a file and loads it as a tensor file. */
static Tensor *load_proto(Onnx__TensorProto *tp)
{
    char path[] = "/tmp/sinter-half-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    size_t len = onnx__tensor_proto__get_packed_size(tp);
    uint8_t *buf = xmalloc(len);
    onnx__tensor_proto__pack(tp, buf);
    CU_ASSERT_EQUAL(write(fd, buf, len), (ssize_t)len);
    close(fd);
    free(buf);
    Diag d = {0};
    Tensor *t = onnx_load_tensor_file(path, &d);
    if (!t)
        fprintf(stderr, "\n%s", d.text.buf);
    diag_free(&d);
    unlink(path);
    return t;
}

static void test_tensor_proto(void)
{
    int64_t dims[1] = {3};
    int32_t patterns[3] = {0x3c00, 0xfc00, 0x0001};
    uint16_t raw[3] = {0x3f80, 0xc000, 0x7fc0};
    Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
    tp.n_dims = 1;
    tp.dims = dims;
    tp.has_data_type = true;

    /* int32_data holds the 16-bit patterns, not values. */
    tp.data_type = DT_FLOAT16;
    tp.n_int32_data = 3;
    tp.int32_data = patterns;
    Tensor *t = load_proto(&tp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->dtype, DT_FLOAT16);
    CU_ASSERT_EQUAL(memcmp(t->data, (uint16_t[]){0x3c00, 0xfc00, 0x0001}, 6), 0);
    tensor_free(t);

    tp.data_type = DT_BFLOAT16;
    tp.n_int32_data = 0;
    tp.int32_data = NULL;
    tp.has_raw_data = true;
    tp.raw_data.len = sizeof raw;
    tp.raw_data.data = (uint8_t *)raw;
    t = load_proto(&tp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->dtype, DT_BFLOAT16);
    CU_ASSERT_EQUAL(dtype_get_f64(t->dtype, t->data, 1), -2.0);
    CU_ASSERT_TRUE(isnan(dtype_get_f64(t->dtype, t->data, 2)));
    tensor_free(t);
}

/* Writes a [2] tensor of `dtype` holding `bits` to .npy and reads it. */
static Tensor *npy_round_trip(DType dtype, const uint16_t *bits)
{
    Tensor t = {.name = "h", .dtype = dtype, .shape = {1, {2}}, .data = (void *)bits};
    char path[] = "/tmp/sinter-half-npy-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    close(fd);
    Diag d = {0};
    CU_ASSERT_TRUE(npy_write(path, &t, &d));
    Tensor *back = npy_read(path, &d);
    unlink(path);
    diag_free(&d);
    return back;
}

static void test_npy(void)
{
    const uint16_t bits[2] = {0x3555, 0xfbff};
    Tensor *t = npy_round_trip(DT_FLOAT16, bits);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->dtype, DT_FLOAT16);  /* '<f2' */
    CU_ASSERT_EQUAL(memcmp(t->data, bits, sizeof bits), 0);
    tensor_free(t);
    /* numpy has no bfloat16: its bit patterns travel as '<u2'. */
    t = npy_round_trip(DT_BFLOAT16, bits);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->dtype, DT_UINT16);
    CU_ASSERT_EQUAL(memcmp(t->data, bits, sizeof bits), 0);
    tensor_free(t);
}

/* ---- ops ---------------------------------------------------------- */

/* A constant [count] tensor of float16 or bfloat16 holding v, rounded. */
static Tensor *half_const(Graph *g, const char *name, DType t, int count, const double *v)
{
    uint16_t bits[8];
    for (int i = 0; i < count; i++)
        dtype_set_f64(t, bits, (size_t)i, v[i]);
    return constant(g, name, t, (Shape){1, {count}}, bits);
}

/* Folds Cast(x) to `to`; the node. */
static Node *fold_cast(Graph *g, Tensor *x, DType to)
{
    Node *n = add_node(g, "Cast", 1, &x);
    attr_i(n, "to", to);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    CU_ASSERT_EQUAL(n->out[0]->dtype, to);
    return n;
}

static void test_cast_fold(void)
{
    Graph *g = new_graph(13);
    const float f[4] = {1.0f + 0x1p-11f, 70000.0f, -0.0f, 0.5f};
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){1, {4}}, f);
    Node *h = fold_cast(g, x, DT_FLOAT16);
    CU_ASSERT_EQUAL(memcmp(h->out[0]->data, (uint16_t[]){0x3c00, 0x7c00, 0x8000, 0x3800}, 8), 0);
    /* float16 -> int32 truncates toward zero; -> bool is x != 0. */
    Tensor *h2 = half_const(g, "h2", DT_FLOAT16, 3, (double[]){-2.75, 0.0, 3.5});
    Node *i = fold_cast(g, h2, DT_INT32);
    CU_ASSERT_EQUAL(memcmp(i->out[0]->data, (int32_t[]){-2, 0, 3}, 12), 0);
    Node *b = fold_cast(g, h2, DT_BOOL);
    CU_ASSERT_EQUAL(memcmp(b->out[0]->data, (uint8_t[]){1, 0, 1}, 3), 0);
    /* float64 -> float16 rounds once; bfloat16 <-> float16 go through float. */
    const double dv[2] = {1.0 + 0x1p-11 + 0x1p-40, 65520.0};
    Node *d = fold_cast(g, constant(g, "d", DT_DOUBLE, (Shape){1, {2}}, dv), DT_FLOAT16);
    CU_ASSERT_EQUAL(memcmp(d->out[0]->data, (uint16_t[]){0x3c01, 0x7c00}, 4), 0);
    Node *bf = fold_cast(g, h2, DT_BFLOAT16);
    CU_ASSERT_EQUAL(memcmp(bf->out[0]->data, (uint16_t[]){0xc030, 0x0000, 0x4060}, 6), 0);
    const int64_t big[2] = {65504, -1000000};
    Node *l = fold_cast(g, constant(g, "l", DT_INT64, (Shape){1, {2}}, big), DT_FLOAT16);
    CU_ASSERT_EQUAL(memcmp(l->out[0]->data, (uint16_t[]){0x7bff, 0xfc00}, 4), 0);
    graph_free(g);
}

static void test_castlike_fold_and_calls(void)
{
    Graph *g = new_graph(15);
    Tensor *like = half_const(g, "like", DT_BFLOAT16, 1, (double[]){0});
    Tensor *x = constant(g, "x", DT_FLOAT, (Shape){1, {2}}, (float[]){1.5f, -3.0f});
    Node *n = add_node(g, "CastLike", 2, (Tensor *[]){x, like});
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_BFLOAT16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    CU_ASSERT_EQUAL(memcmp(n->out[0]->data, (uint16_t[]){0x3fc0, 0xc040}, 4), 0);
    graph_free(g);

    g = new_graph(13);
    Tensor *in = input(g, "in", DT_FLOAT16, (Shape){1, {4}});
    Node *c = add_node(g, "Cast", 1, &in);
    attr_i(c, "to", DT_BFLOAT16);
    char *code = generate(g);
    CU_ASSERT_TRUE(contains(code, "snt_cast(SNT_DT_FLOAT16, "));
    CU_ASSERT_TRUE(contains(code, ", SNT_DT_BFLOAT16, "));
    CU_ASSERT_TRUE(contains(code, "const uint16_t *"));
    free(code);
    graph_free(g);

    g = new_graph(13);
    in = input(g, "in", DT_FLOAT16, (Shape){1, {4}});
    attr_i(add_node(g, "Cast", 1, &in), "to", DT_STRING);
    CU_ASSERT_TRUE(failed_with(g, "cannot cast to dtype 8 (string)"));
    graph_free(g);
}

/* Folds `op` over constants a and b of dtype t; returns the node. */
static Node *fold_binary(Graph *g, const char *op, DType t, int count, const double *a,
                         const double *b)
{
    Tensor *ta = half_const(g, "a", t, count, a), *tb = half_const(g, "b", t, count, b);
    Node *n = add_node(g, op, 2, (Tensor *[]){ta, tb});
    if (strcmp(op, "Mod") == 0)
        attr_i(n, "fmod", 1);
    CU_ASSERT_TRUE_FATAL(infer(g));
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->out[0]->data);
    return n;
}

/* Max, Min, Sum, Mean and Mod compute in float32 and round once. */
static void test_chain_folds(void)
{
    const double a[4] = {1.5, -7.2, NAN, 65504}, b[4] = {-2.25, 3.4, 1, 65504};
    DType types[2] = {DT_FLOAT16, DT_BFLOAT16};
    for (int k = 0; k < 2; k++) {
        DType t = types[k];
        Graph *g = new_graph(13);
        Node *mx = fold_binary(g, "Max", t, 4, a, b);
        Node *mn = fold_binary(g, "Min", t, 4, a, b);
        Node *sum = fold_binary(g, "Sum", t, 4, a, b);
        Node *mean = fold_binary(g, "Mean", t, 4, a, b);
        const uint16_t *va = mx->in[0]->data, *vb = mx->in[1]->data;
        const uint16_t *max = mx->out[0]->data, *min = mn->out[0]->data;
        CU_ASSERT_EQUAL(mx->out[0]->dtype, t);
        /* Selections are exact: the very bits of an input. */
        CU_ASSERT_TRUE(max[0] == va[0] && max[1] == vb[1] && max[3] == va[3]);
        CU_ASSERT_TRUE(min[0] == vb[0] && min[1] == va[1]);
        CU_ASSERT_TRUE(isnan(dtype_get_f64(t, max, 2)));  /* a NaN wins */
        CU_ASSERT_TRUE(isnan(dtype_get_f64(t, min, 2)));
        CU_ASSERT_EQUAL(dtype_get_f64(t, sum->out[0]->data, 0), -0.75);
        /* The largest float16 twice overflows float16 (not bfloat16); the
         * mean, computed in float32, is back in range for both. */
        CU_ASSERT_EQUAL(((uint16_t *)mean->out[0]->data)[3], va[3]);
        CU_ASSERT_EQUAL(isinf(dtype_get_f64(t, sum->out[0]->data, 3)), t == DT_FLOAT16);
        graph_free(g);
    }
}

static void test_mod_float16(void)
{
    /* test_mod_mixed_sign_float16's values: fmod keeps the dividend's sign. */
    const double a[6] = {-4.3, 7.2, 5.0, 4.3, -7.2, 8.0}, b[6] = {2.1, -3.4, 8.0, -2.1, 3.4, 5.0};
    Graph *g = new_graph(13);
    Node *n = fold_binary(g, "Mod", DT_FLOAT16, 6, a, b);
    for (size_t i = 0; i < 6; i++) {
        double x = dtype_get_f64(DT_FLOAT16, n->in[0]->data, i);
        double y = dtype_get_f64(DT_FLOAT16, n->in[1]->data, i);
        CU_ASSERT_EQUAL(((uint16_t *)n->out[0]->data)[i], snt_half_from_double(fmod(x, y)));
    }
    CU_ASSERT_TRUE(dtype_get_f64(DT_FLOAT16, n->out[0]->data, 0) < 0);
    CU_ASSERT_TRUE(dtype_get_f64(DT_FLOAT16, n->out[0]->data, 1) > 0);
    graph_free(g);

    g = new_graph(13);
    Tensor *x = input(g, "x", DT_FLOAT16, (Shape){1, {2}});
    add_node(g, "Mod", 2, (Tensor *[]){x, x});
    CU_ASSERT_TRUE(failed_with(g, "fmod must be 1"));
    graph_free(g);
}

static void test_comparisons(void)
{
    const double a[3] = {1.0, 2.0, NAN}, b[3] = {1.0, 1.5, 0.0};
    Graph *g = new_graph(13);
    Node *lt = fold_binary(g, "Less", DT_FLOAT16, 3, b, a);
    Node *eq = fold_binary(g, "Equal", DT_BFLOAT16, 3, a, b);
    CU_ASSERT_EQUAL(lt->out[0]->dtype, DT_BOOL);
    CU_ASSERT_EQUAL(memcmp(lt->out[0]->data, (uint8_t[]){0, 1, 0}, 3), 0);
    CU_ASSERT_EQUAL(memcmp(eq->out[0]->data, (uint8_t[]){1, 0, 0}, 3), 0);
    graph_free(g);
}

/* The generated chain: float32 copies in scratch, one kernel call per
 * step, one rounding into the output. */
static void test_chain_calls(void)
{
    Graph *g = new_graph(13);
    Tensor *a = input(g, "a", DT_BFLOAT16, (Shape){2, {2, 3}});
    Tensor *b = input(g, "b", DT_BFLOAT16, (Shape){1, {3}});
    Tensor *c = input(g, "c", DT_BFLOAT16, (Shape){2, {2, 1}});
    add_node(g, "Max", 3, (Tensor *[]){a, b, c});
    char *code = generate(g);
    CU_ASSERT_TRUE(contains(code, "snt_cast(SNT_DT_BFLOAT16, "));
    CU_ASSERT_TRUE(contains(code, ", SNT_DT_FLOAT, s + 6, 6);"));   /* a after the result */
    CU_ASSERT_TRUE(contains(code, ", SNT_DT_FLOAT, s + 12, 3);"));  /* b, then c reuse one region */
    CU_ASSERT_TRUE(contains(code, ", SNT_DT_FLOAT, s + 12, 2);"));
    CU_ASSERT_TRUE(contains(code, "snt_binary_ext(SNT_BX_MAX, SNT_DT_FLOAT, &p0, s + 6, s + 12, s);"));
    CU_ASSERT_TRUE(contains(code, "snt_binary_ext(SNT_BX_MAX, SNT_DT_FLOAT, &p1, s, s + 12, s);"));
    CU_ASSERT_TRUE(contains(code, "snt_cast(SNT_DT_FLOAT, s, SNT_DT_BFLOAT16, "));
    free(code);
    graph_free(g);

    g = new_graph(13);
    a = input(g, "a", DT_FLOAT16, (Shape){1, {4}});
    b = input(g, "b", DT_FLOAT16, (Shape){1, {4}});
    add_node(g, "Greater", 2, (Tensor *[]){a, b});
    code = generate(g);
    /* A bool result needs no scratch of its own. */
    CU_ASSERT_TRUE(contains(code, ", SNT_DT_FLOAT, s + 0, 4);"));
    CU_ASSERT_TRUE(contains(code, "snt_binary_ext(SNT_BX_GT, SNT_DT_FLOAT, &p, s + 0, s + 4, "));
    free(code);
    graph_free(g);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("ops_half", NULL, NULL);
    CU_add_test(s, "float16 rounding", test_half_rounding);
    CU_add_test(s, "float16 subnormals", test_half_subnormals);
    CU_add_test(s, "float16 overflow, NaN, Inf", test_half_overflow_nan_inf);
    CU_add_test(s, "float16 round trip", test_half_round_trip_all);
    CU_add_test(s, "bfloat16", test_bfloat16);
    CU_add_test(s, "dtype table", test_dtype_table);
    CU_add_test(s, "TensorProto", test_tensor_proto);
    CU_add_test(s, "npy", test_npy);
    CU_add_test(s, "cast folding", test_cast_fold);
    CU_add_test(s, "castlike and cast calls", test_castlike_fold_and_calls);
    CU_add_test(s, "max, min, sum, mean folds", test_chain_folds);
    CU_add_test(s, "mod float16", test_mod_float16);
    CU_add_test(s, "comparisons", test_comparisons);
    CU_add_test(s, "chain calls", test_chain_calls);
    int status = run_tests();
    diag_free(&diag);
    return status;
}
