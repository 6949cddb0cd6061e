/*
 * nms.c - NonMaxSuppression (opsets 10 and 11): for every batch and
 * class, the boxes by descending score (ties by index), each kept unless
 * its intersection over union with a box kept before exceeds
 * iou_threshold, until max_output_boxes_per_class are kept.  Boxes with
 * a score not above score_threshold (when given) are never considered.
 * The output lists (batch, class, box) int64 triples, batch by batch,
 * class by class, in the order the boxes were kept.
 *
 * Its length depends on the values, so the op runs at compile time only:
 * every input must be a constant.  The arithmetic is onnxruntime's, in
 * float, which the ONNX reference data comes from.
 */
#include "ir/ops/data_util.h"
#include "ir/ops/op_check.h"

#include <stdlib.h>

/* The inputs and attributes of one node. */
typedef struct {
    const float *boxes;      /* [batches][n_boxes][4] */
    const float *scores;     /* [batches][classes][n_boxes] */
    int64_t batches, classes, n_boxes;
    int64_t max_per_class;   /* 0 when absent or negative */
    float iou_threshold;     /* 0 when absent */
    bool has_score_threshold;
    float score_threshold;
    bool center_point_box;   /* boxes are (x_center, y_center, w, h) */
} Nms;

/* An axis-aligned box as [low, high] extents on its two axes. */
typedef struct {
    float lo[2], hi[2];
} Extent;

static const char *const nms_inputs[] = {"boxes", "scores", "max_output_boxes_per_class",
                                         "iou_threshold", "score_threshold"};

/* node_error unless the optional scalar input i, if present, holds one
 * value of dtype t. */
static bool check_scalar_input(const Node *n, int i, DType t, Diag *d)
{
    const Tensor *s = i < n->n_in ? n->in[i] : NULL;
    if (!s)
        return true;
    if (s->dtype != t || tensor_numel(s) != 1)
        return node_error(d, n, "%s ('%s') must be one %s value", nms_inputs[i], s->name,
                          dtype_label(t));
    return true;
}

/* Checks dtypes and shapes (not values). */
static bool nms_check(const Node *n, Diag *d)
{
    const Tensor *boxes = n->in[0], *scores = n->in[1];
    const Shape *b = &boxes->shape, *s = &scores->shape;
    int64_t center = attr_int_or(n, "center_point_box", 0);
    if (center != 0 && center != 1)
        return node_error(d, n, "center_point_box must be 0 or 1, not %lld", (long long)center);
    if (scores->dtype != DT_FLOAT)
        return node_error(d, n, "scores ('%s') must be float32, not %s", scores->name,
                          dtype_label(scores->dtype));
    if (b->rank != 3 || b->dim[2] != 4)
        return node_error(d, n, "boxes ('%s') must have shape [batches, boxes, 4]", boxes->name);
    if (s->rank != 3 || s->dim[0] != b->dim[0] || s->dim[2] != b->dim[1])
        return node_error(d, n, "scores ('%s') must have shape [%lld, classes, %lld]",
                          scores->name, (long long)b->dim[0], (long long)b->dim[1]);
    return check_scalar_input(n, 2, DT_INT64, d) && check_scalar_input(n, 3, DT_FLOAT, d) &&
           check_scalar_input(n, 4, DT_FLOAT, d);
}

/* node_error for every present input that is not a constant. */
static bool nms_check_const(const Node *n, Diag *d)
{
    bool ok = true;
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && !tensor_is_const(n->in[i]))
            ok = node_error(d, n, "%s ('%s') must be known at compile time: the output's "
                            "length depends on it", nms_inputs[i], n->in[i]->name);
    return ok;
}

/* Reads the constant inputs and the attribute into *m. */
static bool nms_read(const Node *n, Nms *m, Diag *d)
{
    const Tensor *max_out = n->n_in > 2 ? n->in[2] : NULL;
    const Tensor *iou = n->n_in > 3 ? n->in[3] : NULL;
    const Tensor *score = n->n_in > 4 ? n->in[4] : NULL;
    if (!nms_check(n, d) || !nms_check_const(n, d))
        return false;
    *m = (Nms){
        .boxes = n->in[0]->data, .scores = n->in[1]->data,
        .batches = n->in[1]->shape.dim[0], .classes = n->in[1]->shape.dim[1],
        .n_boxes = n->in[1]->shape.dim[2],
        .center_point_box = attr_int_or(n, "center_point_box", 0) == 1,
    };
    if (max_out)
        m->max_per_class = ((const int64_t *)max_out->data)[0];
    if (m->max_per_class < 0)
        m->max_per_class = 0;
    if (iou)
        m->iou_threshold = ((const float *)iou->data)[0];
    if (!(m->iou_threshold >= 0.0f && m->iou_threshold <= 1.0f))
        return node_error(d, n, "iou_threshold %g is outside [0, 1]", (double)m->iou_threshold);
    m->has_score_threshold = score != NULL;
    if (score)
        m->score_threshold = ((const float *)score->data)[0];
    return true;
}

/* Box i of batch b as extents: corners (y1, x1, y2, x2) in either order,
 * or a center and size. */
static Extent box_extent(const Nms *m, int64_t b, int64_t i)
{
    const float *v = m->boxes + (b * m->n_boxes + i) * 4;
    Extent e;
    for (int a = 0; a < 2; a++) {
        if (m->center_point_box) {
            float half = v[a + 2] / 2.0f;
            e.lo[a] = v[a] - half;
            e.hi[a] = v[a] + half;
        } else {
            e.lo[a] = v[a] < v[a + 2] ? v[a] : v[a + 2];
            e.hi[a] = v[a] < v[a + 2] ? v[a + 2] : v[a];
        }
    }
    return e;
}

/* Whether box q suppresses box p: their intersection over union exceeds
 * the threshold.  Boxes that do not overlap, or have no area, never do. */
static bool suppresses(const Nms *m, const Extent *p, const Extent *q)
{
    float inter = 1.0f, area_p = 1.0f, area_q = 1.0f;
    for (int a = 0; a < 2; a++) {
        float lo = p->lo[a] > q->lo[a] ? p->lo[a] : q->lo[a];
        float hi = p->hi[a] < q->hi[a] ? p->hi[a] : q->hi[a];
        if (!(hi > lo))
            return false;
        inter *= hi - lo;
        area_p *= p->hi[a] - p->lo[a];
        area_q *= q->hi[a] - q->lo[a];
    }
    float uni = area_p + area_q - inter;
    if (!(inter > 0.0f && area_p > 0.0f && area_q > 0.0f && uni > 0.0f))
        return false;
    return inter / uni > m->iou_threshold;
}

/* A box of the class being selected, with its score. */
typedef struct {
    float score;
    int64_t index;
} Candidate;

/* Descending score, then ascending index; NaN scores last. */
static int by_score(const void *a, const void *b)
{
    const Candidate *p = a, *q = b;
    bool p_nan = p->score != p->score, q_nan = q->score != q->score;
    if (p_nan != q_nan)
        return p_nan ? 1 : -1;
    if (!p_nan && p->score != q->score)
        return p->score > q->score ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

/* Selects the boxes of one batch and class: their indices into kept[]
 * (room for m->n_boxes), the count returned.  cands[] is scratch of
 * m->n_boxes entries. */
static int64_t select_class(const Nms *m, int64_t b, int64_t c, Candidate *cands, int64_t *kept)
{
    const float *scores = m->scores + (b * m->classes + c) * m->n_boxes;
    int64_t count = 0, n_kept = 0;
    for (int64_t i = 0; i < m->n_boxes; i++)
        if (!m->has_score_threshold || scores[i] > m->score_threshold)
            cands[count++] = (Candidate){scores[i], i};
    qsort(cands, (size_t)count, sizeof *cands, by_score);
    for (int64_t k = 0; k < count && n_kept < m->max_per_class; k++) {
        Extent box = box_extent(m, b, cands[k].index);
        bool keep = true;
        for (int64_t j = 0; j < n_kept && keep; j++) {
            Extent prev = box_extent(m, b, kept[j]);
            keep = !suppresses(m, &box, &prev);
        }
        if (keep)
            kept[n_kept++] = cands[k].index;
    }
    return n_kept;
}

/* Runs the selection; writes the triples to out (when not NULL) and
 * returns how many there are. */
static int64_t nms_run(const Nms *m, int64_t *out)
{
    int64_t total = 0;
    if (m->max_per_class == 0 || m->n_boxes == 0)
        return 0;
    Candidate *cands = xmalloc((size_t)m->n_boxes * sizeof *cands);
    int64_t *kept = xmalloc((size_t)m->n_boxes * sizeof *kept);
    for (int64_t b = 0; b < m->batches; b++)
        for (int64_t c = 0; c < m->classes; c++) {
            int64_t n_kept = select_class(m, b, c, cands, kept);
            for (int64_t k = 0; out && k < n_kept; k++) {
                int64_t *row = out + (total + k) * 3;
                row[0] = b;
                row[1] = c;
                row[2] = kept[k];
            }
            total += n_kept;
        }
    free(cands);
    free(kept);
    return total;
}

static bool nms_infer(Node *n, Diag *d)
{
    Nms m;
    if (!check_inputs_present(n, 2, d) || !nms_read(n, &m, d))
        return false;
    Shape y = {.rank = 2, .dim = {nms_run(&m, NULL), 3}};
    if (!check_fold_size(n, &y, d))
        return false;
    set_output(n, 0, DT_INT64, &y);
    return true;
}

static bool nms_fold(Node *n, Diag *d)
{
    Nms m;
    if (!nms_read(n, &m, d))
        return false;
    nms_run(&m, alloc_output(n, 0));
    return true;
}

const OpDesc op_NonMaxSuppression = {
    .name = "NonMaxSuppression", .since = 10, .until = COMPUTE_OPSET_MAX,
    .min_in = 2, .max_in = 5, .min_out = 1, .max_out = 1,
    .infer = nms_infer, .fold = nms_fold, .emit = emit_folded_only,
    .dtypes = DT_BIT(DT_FLOAT),
    .restriction = "all inputs must be known at compile time",
};
