/*
 * rnn.c - the recurrent layers RNN, GRU and LSTM, one direction at a time.
 *
 * The input products of all steps come from one GEMM up front (X W^T over
 * every seq * batch row of X, the biases added once); each step then
 * multiplies the state by R^T in one GEMM over the batch and runs the
 * cell's elementwise gate math on the batch entries still inside their
 * sequences.  The three cells differ only in that gate math.
 */
#include "sinter_rt.h"

#include <math.h>
#include <string.h>

/* One direction's weights and the scratch it works in. */
typedef struct {
    const snt_rnn_params *p;
    const snt_rnn_io *io;
    int dir;                 /* index into the directions axis */
    int reverse;             /* runs from the last step to the first */
    size_t gh;               /* gates * hidden: one row of products */
    const float *w, *r, *b, *peep; /* this direction's slices (b, peep may be NULL) */
    const snt_rnn_act *act;  /* f, g, h */
    float *xw;               /* [rows of X][gh]: X W^T plus the biases */
    float *hr;               /* [batch][gh]: this step's H R^T */
    float *h, *c;            /* [batch][hidden]: the states */
    float *rh;               /* [batch][hidden]: GRU's r (.) H */
} Dir;

static size_t gate_count(snt_rnn_cell cell)
{
    return cell == SNT_RNN_LSTM ? 4 : cell == SNT_RNN_GRU ? 3 : 1;
}

static float activate(const snt_rnn_act *a, float x)
{
    switch (a->kind) {
    case SNT_RNN_RELU: return x > 0.0f ? x : 0.0f;
    case SNT_RNN_TANH: return tanhf(x);
    case SNT_RNN_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case SNT_RNN_AFFINE: return a->alpha * x + a->beta;
    case SNT_RNN_LEAKY_RELU: return x >= 0.0f ? x : a->alpha * x;
    case SNT_RNN_THRESHOLDED_RELU: return x >= a->alpha ? x : 0.0f;
    case SNT_RNN_SCALED_TANH: return a->alpha * tanhf(a->beta * x);
    case SNT_RNN_HARD_SIGMOID: {
        float v = a->alpha * x + a->beta;
        return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
    }
    case SNT_RNN_ELU: return x >= 0.0f ? x : a->alpha * (expf(x) - 1.0f);
    case SNT_RNN_SOFTSIGN: return x / (1.0f + fabsf(x));
    case SNT_RNN_SOFTPLUS: return log1pf(expf(x));
    }
    return x;
}

/* The activation of a gate's input sum, clipped first when asked. */
static float gate(const snt_rnn_params *p, const snt_rnn_act *a, float x)
{
    if (p->clip > 0.0f)
        x = x < -p->clip ? -p->clip : x > p->clip ? p->clip : x;
    return activate(a, x);
}

/* Batch entry b's sequence length, clamped so no step reads outside X. */
static size_t seq_len(const Dir *d, size_t b)
{
    const int32_t *lens = d->io->seq_lens;
    if (!lens)
        return d->p->seq;
    if (lens[b] < 0)
        return 0;
    return (size_t)lens[b] < d->p->seq ? (size_t)lens[b] : d->p->seq;
}

/* X's row for step t of batch entry b. */
static size_t x_row(const snt_rnn_params *p, size_t t, size_t b)
{
    return p->batch_major ? b * p->seq + t : t * p->batch + b;
}

/* Offset of batch entry b's state in initial_h, y_h and friends. */
static size_t state_offset(const Dir *d, size_t b)
{
    const snt_rnn_params *p = d->p;
    size_t dirs = (size_t)p->directions, k = (size_t)d->dir;
    return (p->batch_major ? b * dirs + k : k * p->batch + b) * p->hidden;
}

/* Offset of step t of batch entry b in Y. */
static size_t y_offset(const Dir *d, size_t t, size_t b)
{
    const snt_rnn_params *p = d->p;
    size_t dirs = (size_t)p->directions, k = (size_t)d->dir;
    return (p->batch_major ? (b * p->seq + t) * dirs + k : (t * dirs + k) * p->batch + b)
           * p->hidden;
}

/* The products X W^T of every step, plus W's biases and those of R's
 * that add straight onto them: all but GRU's Rb_h under
 * linear_before_reset, which r scales along with H R_h^T. */
static void input_products(Dir *d)
{
    const snt_rnn_params *p = d->p;
    size_t rows = p->seq * p->batch, row, j;
    size_t fold_end = p->cell == SNT_RNN_GRU && p->linear_before_reset ? 2 * p->hidden : d->gh;
    snt_sgemm(rows, d->gh, p->input, 1.0f, d->io->x, (ptrdiff_t)p->input, 1, d->w, 1,
              (ptrdiff_t)p->input, d->xw, d->gh, 0);
    if (!d->b)
        return;
    for (row = 0; row < rows; row++) {
        float *xw = d->xw + row * d->gh;
        for (j = 0; j < d->gh; j++)
            xw[j] += d->b[j] + (j < fold_end ? d->b[d->gh + j] : 0.0f);
    }
}

/* Loads the initial states (zeros when absent). */
static void initial_states(Dir *d)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, b;
    for (b = 0; b < p->batch; b++) {
        float *h = d->h + b * H, *c = d->c + b * H;
        if (d->io->initial_h)
            memcpy(h, d->io->initial_h + state_offset(d, b), H * sizeof *h);
        else
            memset(h, 0, H * sizeof *h);
        if (p->cell != SNT_RNN_LSTM)
            continue;
        if (d->io->initial_c)
            memcpy(c, d->io->initial_c + state_offset(d, b), H * sizeof *c);
        else
            memset(c, 0, H * sizeof *c);
    }
}

/* Ht = f(x + H R^T) for entry b: the biases are already in x. */
static void simple_cell(Dir *d, const float *x, const float *hr, size_t b)
{
    size_t H = d->p->hidden, j;
    float *h = d->h + b * H;
    for (j = 0; j < H; j++)
        h[j] = gate(d->p, &d->act[0], x[j] + hr[j]);
}

/* LSTM with peepholes (zero when absent); input_forget couples f to i. */
static void lstm_cell(Dir *d, const float *x, const float *hr, size_t b)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, j;
    float *h = d->h + b * H, *c = d->c + b * H;
    for (j = 0; j < H; j++) {
        float pi = d->peep ? d->peep[j] : 0.0f, po = d->peep ? d->peep[H + j] : 0.0f;
        float pf = d->peep ? d->peep[2 * H + j] : 0.0f;
        float i = gate(p, &d->act[0], x[j] + hr[j] + pi * c[j]);
        float f = p->input_forget ? 1.0f - i
                                  : gate(p, &d->act[0], x[2 * H + j] + hr[2 * H + j] + pf * c[j]);
        float cand = gate(p, &d->act[1], x[3 * H + j] + hr[3 * H + j]);
        float cell = f * c[j] + i * cand;
        float o = gate(p, &d->act[0], x[H + j] + hr[H + j] + po * cell);
        c[j] = cell;
        /* h reads the cell state, not a gate sum: clip does not apply. */
        h[j] = o * activate(&d->act[2], cell);
    }
}

/* The z and r gates of entry b, in place of their sums in hr. */
static void gru_update_reset(Dir *d, const float *x, float *hr)
{
    size_t j;
    for (j = 0; j < 2 * d->p->hidden; j++)
        hr[j] = gate(d->p, &d->act[0], x[j] + hr[j]);
}

/* Ht = (1 - z) h~ + z Ht-1 with h~ = g(x_h + the h gate's recurrent part):
 * r (.) (Ht-1 R_h^T + Rb_h) under linear_before_reset, else the product
 * (r (.) Ht-1) R_h^T that gru_step left in hr's h slot. */
static void gru_cell(Dir *d, const float *x, const float *hr, size_t b)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, j;
    float *h = d->h + b * H;
    for (j = 0; j < H; j++) {
        float z = hr[j], r = hr[H + j], rec = hr[2 * H + j];
        if (p->linear_before_reset)
            rec = r * (rec + (d->b ? d->b[d->gh + 2 * H + j] : 0.0f));
        float cand = gate(p, &d->act[1], x[2 * H + j] + rec);
        h[j] = (1.0f - z) * cand + z * h[j];
    }
}

/* Copies entry b's new state into Y at step t, or zeros once its
 * sequence has ended. */
static void store_output(Dir *d, size_t t, size_t b, int active)
{
    size_t H = d->p->hidden;
    float *y = d->io->y + y_offset(d, t, b);
    if (active)
        memcpy(y, d->h + b * H, H * sizeof *y);
    else
        memset(y, 0, H * sizeof *y);
}

/* One time step t over the batch. */
static void run_step(Dir *d, size_t t)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, b;
    int plain_gru = p->cell == SNT_RNN_GRU && !p->linear_before_reset;
    /* Plain GRU multiplies R_h by r (.) H, known only after r: its h slot
     * is filled by a second product below. */
    size_t n = plain_gru ? 2 * H : d->gh;
    snt_sgemm(p->batch, n, H, 1.0f, d->h, (ptrdiff_t)H, 1, d->r, 1, (ptrdiff_t)H, d->hr, d->gh, 0);
    if (p->cell == SNT_RNN_GRU) {
        size_t j;
        for (b = 0; b < p->batch; b++)
            if (t < seq_len(d, b))
                gru_update_reset(d, d->xw + x_row(p, t, b) * d->gh, d->hr + b * d->gh);
        if (plain_gru) {
            /* Entries past their end get a meaningless row, never used. */
            for (b = 0; b < p->batch; b++)
                for (j = 0; j < H; j++)
                    d->rh[b * H + j] = d->hr[b * d->gh + H + j] * d->h[b * H + j];
            snt_sgemm(p->batch, H, H, 1.0f, d->rh, (ptrdiff_t)H, 1, d->r + 2 * H * H, 1,
                      (ptrdiff_t)H, d->hr + 2 * H, d->gh, 0);
        }
    }
    for (b = 0; b < p->batch; b++) {
        int active = t < seq_len(d, b);
        const float *x = d->xw + x_row(p, t, b) * d->gh, *hr = d->hr + b * d->gh;
        if (active && p->cell == SNT_RNN_SIMPLE)
            simple_cell(d, x, hr, b);
        else if (active && p->cell == SNT_RNN_GRU)
            gru_cell(d, x, hr, b);
        else if (active)
            lstm_cell(d, x, hr, b);
        if (d->io->y)
            store_output(d, t, b, active);
    }
}

/* Copies the final states into y_h and y_c. */
static void final_states(Dir *d)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, b;
    for (b = 0; b < p->batch; b++) {
        if (d->io->y_h)
            memcpy(d->io->y_h + state_offset(d, b), d->h + b * H, H * sizeof(float));
        if (d->io->y_c && p->cell == SNT_RNN_LSTM)
            memcpy(d->io->y_c + state_offset(d, b), d->c + b * H, H * sizeof(float));
    }
}

size_t snt_rnn_scratch_floats(const snt_rnn_params *p)
{
    size_t gh = gate_count(p->cell) * p->hidden;
    return (p->seq * p->batch + p->batch) * gh + 3 * p->batch * p->hidden;
}

void snt_rnn_f32(const snt_rnn_params *p, const snt_rnn_io *io, float *scratch)
{
    size_t H = p->hidden, gh = gate_count(p->cell) * H, s;
    int k;
    for (k = 0; k < p->directions; k++) {
        Dir d;
        d.p = p;
        d.io = io;
        d.dir = k;
        d.reverse = k == 1 || p->reverse;
        d.gh = gh;
        d.w = io->w + (size_t)k * gh * p->input;
        d.r = io->r + (size_t)k * gh * H;
        d.b = io->b ? io->b + (size_t)k * 2 * gh : NULL;
        d.peep = io->p ? io->p + (size_t)k * 3 * H : NULL;
        d.act = p->act[k];
        d.xw = scratch;
        d.hr = d.xw + p->seq * p->batch * gh;
        d.h = d.hr + p->batch * gh;
        d.c = d.h + p->batch * H;
        d.rh = d.c + p->batch * H;
        input_products(&d);
        initial_states(&d);
        for (s = 0; s < p->seq; s++)
            run_step(&d, d.reverse ? p->seq - 1 - s : s);
        final_states(&d);
    }
}
