/*
 * test_sequence.c - the Sequence and Optional ops, resolved at compile
 * time: what each expands into, values folded through the expansions,
 * the errors for what cannot be resolved, and the SequenceProto /
 * OptionalProto files of frontend/value_reader.c.
 */
#include "op_test.h"
#include "frontend/frontend.h"
#include "ir/ops/ops.h"

#include <unistd.h>

/* A sequence built by SequenceConstruct from `count` tensors. */
static Tensor *construct(Graph *g, Tensor *const *items, int count)
{
    Node *n = graph_add_node(g, "construct", "SequenceConstruct");
    for (int i = 0; i < count; i++)
        node_add_input(n, items[i]);
    node_add_output(n, graph_new_tensor(g, "seq"));
    return n->out[0];
}

static Tensor *f32_const(Graph *g, int rank, const int64_t *dims, const float *v)
{
    return add_const(g, DT_FLOAT, rank, dims, v);
}

static Tensor *i64_scalar(Graph *g, int64_t v)
{
    return add_const(g, DT_INT64, 0, NULL, &v);
}

/* Three float tensors of shapes [1], [2] and [3] holding 1, 2 2, 3 3 3. */
static Tensor *three_items(Graph *g)
{
    Tensor *items[3] = {
        f32_const(g, 1, (int64_t[]){1}, (float[]){1}),
        f32_const(g, 1, (int64_t[]){2}, (float[]){2, 2}),
        f32_const(g, 1, (int64_t[]){3}, (float[]){3, 3, 3}),
    };
    return construct(g, items, 3);
}

/* Whether t holds `count` floats equal to want. */
static bool floats_are(const Tensor *t, const float *want, int64_t count)
{
    if (!t->data || tensor_numel(t) != count || t->dtype != DT_FLOAT)
        return false;
    return memcmp(t->data, want, (size_t)count * sizeof *want) == 0;
}

/* ---- expansions ---------------------------------------------------------- */

/* SplitToSequence then SequenceAt at a constant position is a Split (and
 * a Squeeze for keepdims = 0): no sequence op is left to generate. */
static void split_then_at(int opset)
{
    Graph *g = new_graph(opset); /* 11: Squeeze's axes as an attribute */
    Tensor *x = add_input(g, "x", 2, (int64_t[]){3, 2});
    Node *split = add_op(g, "SplitToSequence", 1, x);
    set_int(split, "keepdims", 0);
    Tensor *y = add_op(g, "SequenceAt", 2, split->out[0], i64_scalar(g, -1))->out[0];
    add_output(g, y);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(count_op(g, "SplitToSequence"), 0);
    CU_ASSERT_EQUAL(count_op(g, "SequenceAt"), 0);
    CU_ASSERT_EQUAL(count_op(g, "Split"), 1);
    CU_ASSERT_EQUAL(count_op(g, "Squeeze"), 3);
    CU_ASSERT_EQUAL(y->shape.rank, 1);
    CU_ASSERT_EQUAL(y->shape.dim[0], 2);
    /* Folding through the expansion: the last row. */
    float *out = evaluate(g, (float[]){1, 2, 3, 4, 5, 6});
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT(out[0] == 5 && out[1] == 6);
    free(out);
    graph_free(g);
}

static void test_split_then_at(void)
{
    split_then_at(11);
    split_then_at(13);
}

/* A scalar split: parts of 2 along axis 1, the last one shorter. */
static void test_split_scalar_chunks(void)
{
    Graph *g = new_graph(11); /* Split's sizes as an attribute */
    Tensor *x = add_input(g, "x", 2, (int64_t[]){2, 5});
    Node *split = add_op(g, "SplitToSequence", 2, x, i64_scalar(g, 2));
    set_int(split, "axis", 1);
    Tensor *len = add_op(g, "SequenceLength", 1, split->out[0])->out[0];
    Tensor *last = add_op(g, "SequenceAt", 2, split->out[0], i64_scalar(g, 2))->out[0];
    add_output(g, len);
    add_output(g, last);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(int64_t *)len->data, 3);
    CU_ASSERT_EQUAL(last->shape.rank, 2);
    CU_ASSERT_EQUAL(last->shape.dim[1], 1);
    CU_ASSERT_EQUAL(count_op(g, "Squeeze"), 0);
    graph_free(g);
}

/* Insert, erase and read back, all folded; elements of different shapes. */
static void test_insert_erase_at(void)
{
    Graph *g = new_graph(13);
    Tensor *seq = three_items(g);
    Tensor *x = f32_const(g, 1, (int64_t[]){2}, (float[]){7, 8});
    Tensor *ins = add_op(g, "SequenceInsert", 3, seq, x, i64_scalar(g, 1))->out[0];
    Tensor *era = add_op(g, "SequenceErase", 1, ins)->out[0];   /* the last: [3 3 3] */
    Tensor *len = add_op(g, "SequenceLength", 1, era)->out[0];
    Tensor *at1 = add_op(g, "SequenceAt", 2, era, i64_scalar(g, 1))->out[0];
    Tensor *at2 = add_op(g, "SequenceAt", 2, era, i64_scalar(g, -1))->out[0];
    Tensor *back = add_op(g, "SequenceInsert", 2, era, x)->out[0]; /* appends */
    Tensor *at3 = add_op(g, "SequenceAt", 2, back, i64_scalar(g, 3))->out[0];
    add_output(g, len);
    add_output(g, at1);
    add_output(g, at2);
    add_output(g, at3);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(int64_t *)len->data, 3);
    CU_ASSERT(floats_are(at1, (float[]){7, 8}, 2));
    CU_ASSERT(floats_are(at2, (float[]){2, 2}, 2));
    CU_ASSERT(floats_are(at3, (float[]){7, 8}, 2));
    /* A sequence whose elements differ in shape has no one shape. */
    CU_ASSERT_EQUAL(era->kind, KIND_SEQUENCE);
    CU_ASSERT_FALSE(era->shape_known);
    graph_free(g);
}

/* ConcatFromSequence: a Concat, of Unsqueezes for new_axis. */
static void test_concat_from_sequence(void)
{
    Graph *g = new_graph(13);
    Tensor *a = f32_const(g, 2, (int64_t[]){1, 2}, (float[]){1, 2});
    Tensor *b = f32_const(g, 2, (int64_t[]){1, 2}, (float[]){3, 4});
    Tensor *seq = construct(g, (Tensor *[]){a, b}, 2);
    Node *cat = add_op(g, "ConcatFromSequence", 1, seq);
    set_int(cat, "axis", -1);
    Node *stack = add_op(g, "ConcatFromSequence", 1, seq);
    set_int(stack, "axis", -1);
    set_int(stack, "new_axis", 1);
    Tensor *flat = cat->out[0], *stacked = stack->out[0]; /* the nodes go */
    add_output(g, flat);
    add_output(g, stacked);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(flat->shape.rank, 2);
    CU_ASSERT_EQUAL(flat->shape.dim[1], 4);
    CU_ASSERT(floats_are(flat, (float[]){1, 2, 3, 4}, 4));
    const Shape *s = &stacked->shape;
    CU_ASSERT(s->rank == 3 && s->dim[0] == 1 && s->dim[1] == 2 && s->dim[2] == 2);
    CU_ASSERT(floats_are(stacked, (float[]){1, 3, 2, 4}, 4));
    CU_ASSERT_EQUAL(count_op(g, "Unsqueeze"), 2);
    graph_free(g);
}

/* Identity passes a sequence through; its elements stay run-time values. */
static void test_identity_of_sequence(void)
{
    Graph *g = new_graph(16);
    Tensor *x = add_input(g, "x", 1, (int64_t[]){4});
    Tensor *seq = construct(g, (Tensor *[]){x, x}, 2);
    Tensor *same = add_op(g, "Identity", 1, seq)->out[0];
    Tensor *y = add_op(g, "SequenceAt", 2, same, i64_scalar(g, 0))->out[0];
    add_output(g, y);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(same->kind, KIND_SEQUENCE);
    CU_ASSERT(same->shape_known && same->shape.dim[0] == 4);
    Tensor *const *items;
    CU_ASSERT_EQUAL(value_items(same, &items), 2);
    CU_ASSERT_PTR_EQUAL(items[1], x);
    CU_ASSERT_PTR_EQUAL(y->producer->in[0], x);
    graph_free(g);
}

/* An empty sequence (SequenceEmpty, or everything erased). */
static void test_empty_sequence(void)
{
    Graph *g = new_graph(13);
    Tensor *x = f32_const(g, 1, (int64_t[]){1}, (float[]){1});
    Tensor *one = construct(g, &x, 1);
    Tensor *none = add_op(g, "SequenceErase", 2, one, i64_scalar(g, 0))->out[0];
    Tensor *len = add_op(g, "SequenceLength", 1, none)->out[0];
    Tensor *empty = add_op(g, "SequenceEmpty", 0)->out[0];
    Tensor *len2 = add_op(g, "SequenceLength", 1, empty)->out[0];
    add_output(g, len);
    add_output(g, len2);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(*(int64_t *)len->data, 0);
    CU_ASSERT_EQUAL(*(int64_t *)len2->data, 0);
    CU_ASSERT_EQUAL(none->producer ? strcmp(none->producer->op_type, "SequenceEmpty") : 1, 0);
    graph_free(g);
}

/* SequenceMap inlines its body once per element. */
static void test_sequence_map(void)
{
    Graph *g = new_graph(17);
    Tensor *seq = three_items(g);
    Tensor *bias = f32_const(g, 1, (int64_t[]){1}, (float[]){10});
    Node *map = add_op(g, "SequenceMap", 2, seq, bias); /* used before inference only */
    Graph *body = new_graph(17);
    Tensor *e = graph_add_tensor(body, "e"), *b = graph_add_tensor(body, "b");
    graph_add_input(body, e);
    graph_add_input(body, b);
    add_output(body, add_op(body, "Add", 2, e, b)->out[0]);
    node_add_attr(map, "body", ATTR_GRAPH)->graph = body;
    Tensor *y = add_op(g, "SequenceAt", 2, map->out[0], i64_scalar(g, 2))->out[0];
    add_output(g, y);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(count_op(g, "Add"), 3);
    CU_ASSERT(floats_are(y, (float[]){13, 13, 13}, 3));
    graph_free(g);
}

/* ---- optionals ----------------------------------------------------------- */

static void test_optional(void)
{
    Graph *g = new_graph(15);
    Tensor *x = add_input(g, "x", 1, (int64_t[]){3});
    Tensor *opt = add_op(g, "Optional", 1, x)->out[0];
    Tensor *has = add_op(g, "OptionalHasElement", 1, opt)->out[0];
    Tensor *got = add_op(g, "OptionalGetElement", 1, opt)->out[0];
    Tensor *none = add_op(g, "Optional", 0)->out[0];
    Tensor *has_none = add_op(g, "OptionalHasElement", 1, none)->out[0];
    add_output(g, has);
    add_output(g, got);
    add_output(g, has_none);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(opt->kind, KIND_OPTIONAL);
    CU_ASSERT(has->dtype == DT_BOOL && has->data && *(uint8_t *)has->data == 1);
    CU_ASSERT(has_none->data && *(uint8_t *)has_none->data == 0);
    CU_ASSERT_PTR_EQUAL(got->producer->in[0], x);
    CU_ASSERT_EQUAL(got->shape.dim[0], 3);
    graph_free(g);
}

/* An optional holding a sequence, read back element by element. */
static void test_optional_sequence(void)
{
    Graph *g = new_graph(16);
    Tensor *opt = add_op(g, "Optional", 1, three_items(g))->out[0];
    Tensor *seq = add_op(g, "OptionalGetElement", 1, add_op(g, "Identity", 1, opt)->out[0])->out[0];
    Tensor *y = add_op(g, "SequenceAt", 2, seq, i64_scalar(g, 1))->out[0];
    add_output(g, y);
    CU_ASSERT_FATAL(infer(g));
    CU_ASSERT_EQUAL(seq->kind, KIND_SEQUENCE);
    CU_ASSERT(floats_are(y, (float[]){2, 2}, 2));
    graph_free(g);
}

/* ---- errors -------------------------------------------------------------- */

static void test_errors(void)
{
    Graph *g = new_graph(13);
    Tensor *pos = typed_input(g, "pos", DT_INT64, 0, NULL);
    add_output(g, add_op(g, "SequenceAt", 2, three_items(g), pos)->out[0]);
    CU_ASSERT(failed_with(g, "('pos') must be known at compile time"));
    graph_free(g);

    g = new_graph(13);
    add_output(g, add_op(g, "SequenceAt", 2, three_items(g), i64_scalar(g, 3))->out[0]);
    CU_ASSERT(failed_with(g, "position 3 is out of range for a sequence of 3 elements"));
    graph_free(g);

    g = new_graph(13);
    add_output(g, add_op(g, "SequenceErase", 1, add_op(g, "SequenceEmpty", 0)->out[0])->out[0]);
    CU_ASSERT(failed_with(g, "cannot erase from an empty sequence"));
    graph_free(g);

    g = new_graph(13);
    Node *cat = add_op(g, "ConcatFromSequence", 1, add_op(g, "SequenceEmpty", 0)->out[0]);
    set_int(cat, "axis", 0);
    add_output(g, cat->out[0]);
    CU_ASSERT(failed_with(g, "cannot concatenate an empty sequence"));
    graph_free(g);

    g = new_graph(13);
    Tensor *ints = add_const(g, DT_INT64, 1, (int64_t[]){1}, (int64_t[]){1});
    add_output(g, add_op(g, "SequenceInsert", 2, three_items(g), ints)->out[0]);
    CU_ASSERT(failed_with(g, "is int64, the sequence holds float32"));
    graph_free(g);

    g = new_graph(13);
    Tensor *x = add_input(g, "x", 1, (int64_t[]){4});
    add_output(g, add_op(g, "SplitToSequence", 2, x, i64_scalar(g, 0))->out[0]);
    CU_ASSERT(failed_with(g, "split size 0 must be positive"));
    graph_free(g);

    g = new_graph(13);
    x = add_input(g, "x", 1, (int64_t[]){4});
    add_output(g, add_op(g, "SplitToSequence", 2, x, ints1(g, 0, NULL))->out[0]);
    CU_ASSERT(failed_with(g, "an empty split cannot cover 4 elements"));
    graph_free(g);

    g = new_graph(15);
    add_output(g, add_op(g, "OptionalGetElement", 1, add_op(g, "Optional", 0)->out[0])->out[0]);
    CU_ASSERT(failed_with(g, "the optional input holds no value"));
    graph_free(g);

    /* A sequence read where no builder made it (a graph input). */
    g = new_graph(13);
    Tensor *s = add_input(g, "s", 1, (int64_t[]){2});
    s->kind = KIND_SEQUENCE;
    add_output(g, add_op(g, "SequenceLength", 1, s)->out[0]);
    CU_ASSERT(failed_with(g, "('s'): the sequence must be known at compile time"));
    graph_free(g);
}

/* ---- SequenceProto / OptionalProto files ---------------------------------- */

static Tensor *standalone(const char *name, int64_t n, const float *v)
{
    Tensor *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->dtype = DT_FLOAT;
    t->shape = (Shape){.rank = 1, .dim = {n}};
    t->shape_known = true;
    t->offset = -1;
    tensor_set_data(t, v);
    return t;
}

/* Writes v, reads it back as `kind`; NULL on failure. */
static Value *round_trip(const Value *v, const char *path)
{
    Diag d = {0};
    Value *back = value_write_file(path, v, "v", &d) ? value_read_file(path, v->kind, &d) : NULL;
    if (!back)
        fprintf(stderr, "\n%s", d.text.buf ? d.text.buf : "");
    diag_free(&d);
    return back;
}

static void test_value_files(void)
{
    char path[] = "/tmp/sinter-seq-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    Tensor *items[2] = {standalone("a", 2, (float[]){1, 2}), standalone("b", 1, (float[]){3})};
    Value seq = {.kind = KIND_SEQUENCE, .dtype = DT_FLOAT, .tensors = items, .n_tensors = 2};
    Value *back = round_trip(&seq, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(back->n_tensors, 2);
    CU_ASSERT(floats_are(back->tensors[1], (float[]){3}, 1));
    CU_ASSERT_EQUAL(back->dtype, DT_FLOAT);
    value_free(back);

    Value opt = {.kind = KIND_OPTIONAL, .inner = KIND_SEQUENCE, .tensors = items, .n_tensors = 2};
    back = round_trip(&opt, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT(!back->empty && back->inner == KIND_SEQUENCE && back->n_tensors == 2);
    value_free(back);

    Value empty = {.kind = KIND_OPTIONAL, .empty = true};
    back = round_trip(&empty, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT(back->empty && back->n_tensors == 0);
    value_free(back);

    /* Truncated: an error, not a crash; a nested sequence: refused. */
    static const struct {
        const char *bytes;
        size_t len;
        const char *error;
    } bad[] = {
        {"\x1a\x40\x08", 3, "malformed"},
        {"\x2a\x00", 2, "sequences inside a sequence are not supported"},
        {"\x10\x04", 2, "sequences of element type 4 are not supported"},
        /* elem_type as a fixed32, not a varint */
        {"\x15\x04\x00\x00\x00", 5, "malformed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "wb");
        fwrite(bad[i].bytes, 1, bad[i].len, f);
        fclose(f);
        Diag d = {0};
        CU_ASSERT_PTR_NULL(value_read_file(path, KIND_SEQUENCE, &d));
        CU_ASSERT(d.text.buf && strstr(d.text.buf, bad[i].error));
        diag_free(&d);
    }
    unlink(path);
    tensor_free(items[0]);
    tensor_free(items[1]);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("sequence", NULL, NULL);
    CU_add_test(s, "split_then_at", test_split_then_at);
    CU_add_test(s, "split_scalar_chunks", test_split_scalar_chunks);
    CU_add_test(s, "insert_erase_at", test_insert_erase_at);
    CU_add_test(s, "concat_from_sequence", test_concat_from_sequence);
    CU_add_test(s, "identity_of_sequence", test_identity_of_sequence);
    CU_add_test(s, "empty_sequence", test_empty_sequence);
    CU_add_test(s, "sequence_map", test_sequence_map);
    CU_add_test(s, "optional", test_optional);
    CU_add_test(s, "optional_sequence", test_optional_sequence);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "value_files", test_value_files);
    return run_tests();
}
