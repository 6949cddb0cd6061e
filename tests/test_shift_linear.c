/*
 * test_shift_linear.c - the fuse_shift_linear pass and the ShiftLinear op:
 * ShiftTokenize -> Linear on hand-built graphs becomes one ShiftLinear
 * whose values (folded, through snt_shift_linear_f32) equal the shift
 * folded alone followed by snt_linear_f32; shifts that others read stay.
 * The kernel on every f32-gemm variant this machine runs, W packed by
 * the compiler, equals the portable one.
 */
#include "graph_builder.h"
#include "ir/ops/ops.h"
#include "sinter_rt.h"
#include "variants.h"

#include <CUnit/Basic.h>
#include <math.h>

/* Two 9x9 token images of 13 channels in uneven chunks: 162 rows, more
 * than one block of the kernel, with every shift including zero. */
enum { N = 2, H = 9, W = 9, C = 13, F = 24 };
static const int64_t chunk_ends[5] = {3, 6, 9, 12, 13};
static const int64_t shifts[5] = {-2, -1, 0, 1, 2};

static Node *internal_op(Graph *g, const char *op, int n_in, Tensor *a, Tensor *b, Tensor *c)
{
    Node *n = add_op(g, op, n_in, a, b, c);
    n->op = op_lookup("", op); /* internal: only passes create it */
    n->opset = g->opset;
    return n;
}

/* x [N, H*W, C] -> ShiftTokenize along `axis`; returns the node. */
static Node *add_shift(Graph *g, int axis)
{
    int64_t dims[3] = {N, H * W, C};
    Node *st = internal_op(g, "ShiftTokenize", 1, add_input(g, "x", 3, dims), NULL, NULL);
    set_int(st, "axis", axis);
    set_int(st, "height", H);
    set_int(st, "width", W);
    set_ints(st, "chunk_ends", 5, chunk_ends);
    set_ints(st, "shifts", 5, shifts);
    return st;
}

static float *weights(void)
{
    return test_data(C * F, 11);
}

static float *bias(void)
{
    return test_data(F, 13);
}

/* The shift, then Linear(weights, bias, Relu) to the graph output. */
static Graph *shift_linear_graph(int axis, bool shift_is_output)
{
    Graph *g = new_graph(13);
    int64_t wdims[2] = {C, F}, bdims[1] = {F};
    float *w = weights(), *b = bias();
    Node *st = add_shift(g, axis);
    Node *lin = internal_op(g, "Linear", 3, st->out[0], add_const(g, DT_FLOAT, 2, wdims, w),
                            add_const(g, DT_FLOAT, 1, bdims, b));
    snt_act relu = {.kind = SNT_ACT_RELU};
    fused_act_set(lin, &relu);
    add_output(g, lin->out[0]);
    if (shift_is_output)
        add_output(g, st->out[0]);
    CU_ASSERT_FATAL(infer(g));
    free(w);
    free(b);
    return g;
}

/* The reference: the shift folded on its own, then the Linear kernel. */
static float *reference(int axis, const float *x)
{
    Graph *g = new_graph(13);
    add_output(g, add_shift(g, axis)->out[0]);
    CU_ASSERT_FATAL(infer(g));
    float *shifted = evaluate(g, x), *w = weights(), *b = bias();
    CU_ASSERT_PTR_NOT_NULL_FATAL(shifted);
    float *y = xmalloc(N * H * W * F * sizeof *y);
    snt_linear_params p = {.m = N * H * W, .n = F, .k = C, .act = {.kind = SNT_ACT_RELU}};
    float *scratch = xmalloc(snt_sgemm_scratch_floats(p.m, p.n, p.k) * sizeof *scratch + 1);
    snt_linear_f32(&p, shifted, w, b, y, scratch);
    free(scratch);
    free(shifted);
    free(w);
    free(b);
    graph_free(g);
    return y;
}

/* Outputs (N*H*W*F) that differ by more than float rounding. */
static int mismatches(const float *want, const float *got)
{
    int bad = 0;
    for (int i = 0; i < N * H * W * F; i++)
        bad += fabsf(want[i] - got[i]) > 1e-5f * (1.0f + fabsf(want[i]));
    return bad;
}

static void fuses_and_matches(int axis)
{
    Graph *g = shift_linear_graph(axis, false);
    CU_ASSERT_FATAL(run_pass(g, pass_fuse_shift_linear));
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(count_op(g, "ShiftLinear"), 1);
    float *x = test_data(N * H * W * C, 5);
    float *want = reference(axis, x), *got = evaluate(g, x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(mismatches(want, got), 0);
    free(x);
    free(want);
    free(got);
    graph_free(g);
}

static void test_fuses_shift_on_h(void)
{
    fuses_and_matches(2);
}

static void test_fuses_shift_on_w(void)
{
    fuses_and_matches(3);
}

static void test_keeps_shift_read_elsewhere(void)
{
    Graph *g = shift_linear_graph(2, true);
    CU_ASSERT_FATAL(run_pass(g, pass_fuse_shift_linear));
    CU_ASSERT_EQUAL(count_op(g, "ShiftLinear"), 0);
    CU_ASSERT_EQUAL(count_op(g, "ShiftTokenize"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Linear"), 1);
    graph_free(g);
}

/* The op counts the Linear's multiply-adds: the shift costs none. */
static void test_cost_is_the_linears(void)
{
    Graph *g = shift_linear_graph(3, false);
    OpCost before = g->nodes[1]->op->cost(g->nodes[1]);
    CU_ASSERT_FATAL(run_pass(g, pass_fuse_shift_linear));
    OpCost after = g->nodes[0]->op->cost(g->nodes[0]);
    CU_ASSERT_EQUAL(after.macs, (int64_t)N * H * W * C * F);
    CU_ASSERT_EQUAL(after.macs, before.macs);
    CU_ASSERT_EQUAL(after.flops, before.flops);
    graph_free(g);
}

#define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
static const gemm_variant variants[] = {
#include "sinter_variants.def"
};

/* snt_shift_linear_gemm_f32 against snt_shift_linear_f32 on the shift
 * along W, for each variant: the same within float rounding. */
static void test_gemm_kernel_matches(void)
{
    snt_shift_linear_params p = {.n = N, .h = H, .w = W, .axis = 1, .chunks = 5,
                                 .linear = {.m = N * H * W, .n = F, .k = C,
                                            .act = {.kind = SNT_ACT_RELU}}};
    float *x = test_data(N * H * W * C, 5), *w = weights(), *b = bias();
    float *want = xmalloc(N * H * W * F * sizeof *want), *got = xmalloc(N * H * W * F * sizeof *got);
    float *scratch = xmalloc(snt_shift_linear_scratch_floats(&p) * sizeof *scratch);
    for (int c = 0; c < 5; c++) {
        p.chunk_end[c] = (size_t)chunk_ends[c];
        p.shift[c] = (ptrdiff_t)shifts[c];
    }
    snt_shift_linear_f32(&p, x, w, b, scratch, want);
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        const snt_f32_gemm_ukernel *uk = variants[v].uk;
        if (!variant_runs(variants[v].name))
            continue;
        float *packed = xmalloc(snt_f32_gemm_packed_b_floats(C, F, uk->nr) * sizeof *packed);
        float *s = xmalloc(snt_shift_linear_gemm_scratch_floats(&p, uk->mr, uk->nr) * sizeof *s);
        snt_f32_gemm_pack_b(C, F, uk->nr, w, F, 1, packed);
        snt_shift_linear_gemm_f32(&p, uk, x, packed, b, s, got);
        CU_ASSERT_EQUAL(mismatches(want, got), 0);
        free(packed);
        free(s);
    }
    free(x);
    free(w);
    free(b);
    free(want);
    free(got);
    free(scratch);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("shift_linear", NULL, NULL);
    CU_add_test(s, "fuses a shift along H into the Linear", test_fuses_shift_on_h);
    CU_add_test(s, "fuses a shift along W into the Linear", test_fuses_shift_on_w);
    CU_add_test(s, "keeps a shift that is also a graph output", test_keeps_shift_read_elsewhere);
    CU_add_test(s, "costs the Linear's multiply-adds", test_cost_is_the_linears);
    CU_add_test(s, "the micro-kernel path equals the portable one", test_gemm_kernel_matches);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
