/*
 * fuse_gelu.c - recognizes GELU spelled out in elementwise nodes and
 * replaces it by one Gelu node (ai.onnx opset 20).
 *
 * Exact form, anchored at the Erf (PyTorch's export of nn.GELU()):
 *     d = x / sqrt(2)  (or x * (1 / sqrt 2));  e = Erf(d);  a = e + 1
 * Tanh form, anchored at the Tanh (nn.GELU(approximate='tanh')):
 *     c = x^3 (Pow(x, 3), or x * (x * x));  i = (x + 0.044715 * c) * sqrt(2/pi)
 *     e = Tanh(i);  a = e + 1
 * and then, for both, y = 0.5 * x * a in any of its orders:
 *     (x * a) * 0.5,   (0.5 * a) * x,   (x * 0.5) * a
 * Multiplications and additions match with their operands either way
 * round.  Constants must be float32 scalars equal to the expected value
 * within float rounding, every intermediate must have exactly one reader
 * and not be a graph output, and y must have x's shape (a constant of
 * higher rank would broadcast it).
 *
 * The Gelu nodes get opset 20, the op's own version, whatever the model's:
 * ONNX defines Gelu from opset 20 on and its meaning has not changed since.
 */
#include "passes/match.h"

#include <math.h>
#include <stdlib.h>

#define SQRT2 1.4142135623730951
#define SQRT_2_OVER_PI 0.7978845608028654
#define GELU_CUBIC 0.044715
#define GELU_OPSET 20

/* The nodes of one match, in the order found. */
typedef struct {
    Node *nodes[10];
    int count;
    Tensor *x;          /* the input */
    bool tanh_form;
} GeluMatch;

static void take(GeluMatch *m, Node *n)
{
    m->nodes[m->count++] = n;
}

/* The producer of t when t is an intermediate read only by `reader`
 * and made by a live `op` node; NULL otherwise. */
static Node *private_producer(const Rewriter *rw, const Tensor *t, const Node *reader,
                              const OpDesc *op)
{
    Node *p = t ? t->producer : NULL;
    return rw_sole_reader(rw, t) == reader && rw_node_is(rw, p, op) ? p : NULL;
}

/*
 * y = 0.5 * x * a given a = 1 + erf(..) or 1 + tanh(..): returns y and
 * adds the two Muls (and their 0.5) to the match, or NULL.
 */
static Tensor *match_half_x_times(const Rewriter *rw, GeluMatch *m, Tensor *a)
{
    Node *m1 = rw_sole_reader_is(rw, a, &op_Mul);
    Tensor *p = m1 ? other_operand(m1, a) : NULL, *x = m->x;
    if (!p)
        return NULL;
    Node *m2 = NULL, *half = NULL;
    if (p == x) {                              /* (x * a) * 0.5 */
        m2 = rw_sole_reader_is(rw, m1->out[0], &op_Mul);
        if (!m2 || operand_beside_const(m2, 0.5) != m1->out[0])
            return NULL;
    } else if (const_near(p, 0.5)) {           /* (0.5 * a) * x */
        m2 = rw_sole_reader_is(rw, m1->out[0], &op_Mul);
        if (!m2 || other_operand(m2, m1->out[0]) != x)
            return NULL;
    } else {                                   /* (x * 0.5) * a */
        half = private_producer(rw, p, m1, &op_Mul);
        if (!half || operand_beside_const(half, 0.5) != x)
            return NULL;
    }
    take(m, m1);
    if (m2)
        take(m, m2);
    if (half)
        take(m, half);
    return (m2 ? m2 : m1)->out[0];
}

/* a = e + 1, e the Erf's or Tanh's output. */
static Tensor *match_plus_one(const Rewriter *rw, GeluMatch *m, const Tensor *e)
{
    Node *add = rw_sole_reader_is(rw, e, &op_Add);
    if (!add || operand_beside_const(add, 1.0) != e)
        return NULL;
    take(m, add);
    return add->out[0];
}

/* The erf argument x / sqrt 2 or x * (1 / sqrt 2): sets m->x. */
static bool match_erf_argument(const Rewriter *rw, GeluMatch *m, const Node *erf)
{
    Tensor *d = erf->in[0];
    Node *div = private_producer(rw, d, erf, &op_Div);
    Node *mul = private_producer(rw, d, erf, &op_Mul);
    if (div && const_near(div->in[1], SQRT2)) {
        m->x = div->in[0];
        take(m, div);
    } else if (mul && (m->x = operand_beside_const(mul, 1 / SQRT2)) != NULL) {
        take(m, mul);
    }
    return m->x != NULL;
}

/* x^3 as Pow(x, 3) or x * (x * x) (either order): the cube's x, or NULL. */
static Tensor *match_cube(const Rewriter *rw, GeluMatch *m, const Tensor *c, const Node *reader)
{
    Node *pow = private_producer(rw, c, reader, &op_Pow);
    if (pow && const_near(pow->in[1], 3.0)) {
        take(m, pow);
        return pow->in[0];
    }
    Node *mul = private_producer(rw, c, reader, &op_Mul);
    for (int i = 0; mul && i < 2; i++) {
        Node *sq = private_producer(rw, mul->in[i], mul, &op_Mul);
        Tensor *x = mul->in[1 - i];
        if (sq && sq->in[0] == x && sq->in[1] == x) {
            take(m, mul);
            take(m, sq);
            return x;
        }
    }
    return NULL;
}

/* The tanh argument sqrt(2/pi) * (x + 0.044715 * x^3): sets m->x. */
static bool match_tanh_argument(const Rewriter *rw, GeluMatch *m, const Node *tanh_node)
{
    Node *scale = private_producer(rw, tanh_node->in[0], tanh_node, &op_Mul);
    Tensor *s = scale ? operand_beside_const(scale, SQRT_2_OVER_PI) : NULL;
    Node *add = private_producer(rw, s, scale, &op_Add);
    for (int i = 0; add && i < 2; i++) {
        Node *cubic = private_producer(rw, add->in[i], add, &op_Mul);
        Tensor *c = cubic ? operand_beside_const(cubic, GELU_CUBIC) : NULL;
        GeluMatch trial = *m;
        Tensor *x = c ? match_cube(rw, &trial, c, cubic) : NULL;
        if (x && x == add->in[1 - i]) {
            *m = trial;
            m->x = x;
            take(m, scale);
            take(m, add);
            take(m, cubic);
            return true;
        }
    }
    return false;
}

/* Matches a whole GELU around its Erf or Tanh node; returns y or NULL. */
static Tensor *match_gelu(const Rewriter *rw, GeluMatch *m, Node *anchor)
{
    *m = (GeluMatch){.tanh_form = rw_node_is(rw, anchor, &op_Tanh)};
    bool ok = m->tanh_form ? match_tanh_argument(rw, m, anchor) : match_erf_argument(rw, m, anchor);
    if (!ok || !is_f32(m->x))
        return NULL;
    take(m, anchor);
    Tensor *a = match_plus_one(rw, m, anchor->out[0]);
    Tensor *y = a ? match_half_x_times(rw, m, a) : NULL;
    return y && shape_equal(&y->shape, &m->x->shape) ? y : NULL;
}

static bool replace_by_gelu(Rewriter *rw, GeluMatch *m, Tensor *y, Diag *d)
{
    Node *gelu = rw_add_node(rw, y->producer, NULL, "Gelu", GELU_OPSET);
    rw_add_input(rw, gelu, m->x);
    if (m->tanh_form)
        node_add_attr(gelu, "approximate", ATTR_STRING)->s = xstrdup("tanh");
    for (int i = 0; i < m->count; i++)
        rw_remove(rw, m->nodes[i]);
    return rw_finish_node(gelu, y, d);
}

bool pass_fuse_gelu(Rewriter *rw, Diag *d)
{
    Graph *g = rw->g;
    bool ok = true;
    for (int i = 0; ok && i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        GeluMatch m;
        Tensor *y = NULL;
        if (rw_node_is(rw, n, &op_Erf) || rw_node_is(rw, n, &op_Tanh))
            y = match_gelu(rw, &m, n);
        if (y)
            ok = replace_by_gelu(rw, &m, y, d);
    }
    return ok;
}
