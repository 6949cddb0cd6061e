/*
 * rnn.c - the recurrent layers RNN, GRU and LSTM.
 *
 * The input products of every step of a direction are one matrix
 * product X W^T, biases included: on an f32-gemm micro-kernel over W^T
 * as the compiler packed it (snt_rnn_gemm_f32, rnn_pack.c), or with
 * snt_sgemm reading W where it lies (snt_rnn_f32, for weights computed
 * at run time, which lays out R^T and the biases in its scratch).  Under
 * last_step_only the reverse direction runs one step, t = seq - 1, and
 * (X time-major) multiplies only that step's rows.  Each direction then
 * runs its steps: H R^T, as a matrix-vector product per
 * batch entry for batch 1 and other small batches (snt_sgemm over larger
 * ones) streaming the panels R^T is packed in, then the cell's gate math
 * on the batch entries still inside their sequences.
 *
 * The gate math walks the hidden vector once, in blocks of BLOCK values:
 * it gathers a gate's input sums into a block, runs the activation over
 * the whole block (one switch per block, then a branch-free loop of
 * constant length, which gcc vectorises) and combines the gates into the
 * new state while the block is still in registers.  libm's expf and tanhf
 * would keep those loops scalar, so the exponential-based activations use
 * internal.h's branch-free forms.
 */
#include "rnn.h"

#include <math.h>
#include <string.h>

/* Hidden values per pass of the gate math: two AVX-512 registers. */
#define BLOCK 32

/* Output columns per panel of the matrix-vector products: eight AVX-512
 * registers of sums, enough independent chains to hide the latency of
 * the multiply-adds, which stay in registers over the whole depth. */
#define MV_COLS SNT__RNN_PANEL

/* Batches up to this size multiply each entry's state by R^T on its own,
 * which measured faster than snt_sgemm's packing and row tiles; beyond
 * about 12 entries snt_sgemm wins. */
#define MV_MAX_BATCH 8

/* One direction's weights and the scratch it works in. */
typedef struct {
    const snt_rnn_params *p;
    const snt_rnn_io *io;
    int dir;                 /* index into the directions axis */
    int reverse;             /* runs from the last step to the first */
    size_t gh;               /* gates * hidden: one row of products */
    size_t first;            /* columns of the step's first product */
    float lim;               /* gate inputs are clamped to [-lim, lim] */
    const float *rt;         /* hidden * gh: R^T in panels (snt__rnn_rt_offset) */
    const float *rb_h;       /* GRU's Rb_h under linear_before_reset, else NULL */
    const float *peep;       /* this direction's peepholes, or NULL */
    const snt_rnn_act *act;  /* f, g, h */
    const float *xw;         /* [rows of X][gh]: this direction's X W^T plus the biases */
    float *hr;               /* [batch][gh]: this step's H R^T */
    float *h, *c;            /* [batch][hidden]: the states */
    float *rh;               /* [batch][hidden]: GRU's r (.) H */
    float *gemm;             /* snt_sgemm's packing for hr (step_gemm_floats) */
} Dir;

/* ---- branch-free activations ------------------------------------------ */

/* exp, sigmoid and tanh are internal.h's branch-free, vectorisable forms
 * (under 3.1e-7 relative error over all floats). */

/* min(max(v, 0), 1), NaN staying NaN. */
static float clamp01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

/* Applies activation a to all BLOCK values of v in place. */
static void activate_block(const snt_rnn_act *a, float v[BLOCK])
{
    const float alpha = a->alpha, beta = a->beta;
    size_t j;
    /* One loop per kind, the switch outside it, so each loop vectorises. */
#define EACH(expr) for (j = 0; j < BLOCK; j++) { float x = v[j]; v[j] = (expr); } break
    switch (a->kind) {
    case SNT_RNN_RELU: EACH(x > 0.0f ? x : 0.0f);
    case SNT_RNN_TANH: EACH(snt__tanhf(x));
    case SNT_RNN_SIGMOID: EACH(snt__sigmoidf(x));
    case SNT_RNN_AFFINE: EACH(alpha * x + beta);
    case SNT_RNN_LEAKY_RELU: EACH(x >= 0.0f ? x : alpha * x);
    case SNT_RNN_THRESHOLDED_RELU: EACH(x >= alpha ? x : 0.0f);
    case SNT_RNN_SCALED_TANH: EACH(alpha * snt__tanhf(beta * x));
    case SNT_RNN_HARD_SIGMOID: EACH(clamp01(alpha * x + beta));
    case SNT_RNN_ELU: EACH(x >= 0.0f ? x : alpha * (snt__expf(x) - 1.0f));
    case SNT_RNN_SOFTSIGN: EACH(x / (1.0f + fabsf(x)));
    /* Rare enough to keep libm's accuracy at scalar speed. */
    case SNT_RNN_SOFTPLUS: EACH(log1pf(expf(x)));
    }
#undef EACH
}

/*
 * v[0..n) = the activated sums x + hr (+ peep (.) c when peep is not
 * NULL), clamped to the clip range first.  v is a block of BLOCK values;
 * past n it holds leftovers that are activated and never read.
 */
static void gate_block(const Dir *d, const snt_rnn_act *a, float v[BLOCK], const float *x,
                       const float *hr, const float *peep, const float *c, size_t n)
{
    const float lim = d->lim;
    size_t j;
    for (j = 0; j < n; j++) {
        float s = x[j] + hr[j];
        if (peep)
            s += peep[j] * c[j];
        v[j] = s < -lim ? -lim : s > lim ? lim : s;
    }
    activate_block(a, v);
}

/* ---- layout ------------------------------------------------------------ */

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

/* Step t's input products of batch entry b, biases included. */
static const float *input_sums(const Dir *d, size_t t, size_t b)
{
    return d->xw + x_row(d->p, t, b) * d->gh;
}

/* Direction k runs from the last step to the first. */
static int runs_reverse(const snt_rnn_params *p, int k)
{
    return k == 1 || p->reverse;
}

/* Steps direction k runs: all, but under last_step_only the reverse
 * direction's first alone (t = seq - 1), after which it is at Y's last
 * step. */
static size_t steps_run(const snt_rnn_params *p, int k)
{
    return p->last_step_only && runs_reverse(p, k) && p->seq > 0 ? 1 : p->seq;
}

/* The first row of X whose input products direction k reads: the rows
 * of the steps it runs are the last ones when X is time-major. */
static size_t first_row(const snt_rnn_params *p, int k)
{
    return p->batch_major ? 0 : (p->seq - steps_run(p, k)) * p->batch;
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

/* ---- products ---------------------------------------------------------- */

/* Values in the block or panel of width `width` that starts at j0 of n. */
static size_t part_len(size_t n, size_t j0, size_t width)
{
    return n - j0 < width ? n - j0 : width;
}

/* The panel of R^T holding column j0 of the product over gate columns
 * [col, col + n). */
static const float *rt_panel(const Dir *d, size_t col, size_t j0)
{
    return d->rt + snt__rnn_rt_offset(d->p->hidden, col, j0);
}

/* y[0..w) = x[0..k) times a panel of R^T ([k][w], w <= MV_COLS).
 * Inlined with w = MV_COLS, every loop over the sums has a constant trip
 * count, so gcc vectorises it and keeps the sums in registers. */
static inline void matvec_panel(size_t k, const float *restrict x, const float *restrict panel,
                                float *restrict y, size_t w)
{
    float acc[MV_COLS] = {0};
    size_t p, j;
    for (p = 0; p < k; p++) {
        const float xp = x[p], *row = panel + p * w;
        for (j = 0; j < w; j++)
            acc[j] += xp * row[j];
    }
    memcpy(y, acc, w * sizeof *y);
}

/* y = states times the panel, one batch entry at a time (rows gh apart). */
static void matvec_entries(const Dir *d, const float *states, const float *panel, float *y,
                           size_t w)
{
    size_t H = d->p->hidden, b;
    for (b = 0; b < d->p->batch; b++) {
        if (w == MV_COLS)
            matvec_panel(H, states + b * H, panel, y + b * d->gh, MV_COLS);
        else
            matvec_panel(H, states + b * H, panel, y + b * d->gh, w);
    }
}

/* Columns [col, col + n) of hr = states times R^T, for every batch entry;
 * states is [batch][hidden]. */
static void recurrent_product(Dir *d, const float *states, size_t col, size_t n)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, j0;
    for (j0 = 0; j0 < n; j0 += MV_COLS) {
        size_t w = part_len(n, j0, MV_COLS);
        const float *panel = rt_panel(d, col, j0);
        float *y = d->hr + col + j0;
        if (p->batch > MV_MAX_BATCH)
            snt_sgemm(p->batch, w, H, 1.0f, states, (ptrdiff_t)H, 1, panel, (ptrdiff_t)w, 1, y,
                      d->gh, 0, d->gemm);
        else
            matvec_entries(d, states, panel, y, w);
    }
}

/* ---- cells ------------------------------------------------------------- */

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
    size_t H = d->p->hidden, j0;
    float *h = d->h + b * H, v[BLOCK] = {0};
    for (j0 = 0; j0 < H; j0 += BLOCK) {
        size_t n = part_len(H, j0, BLOCK);
        gate_block(d, &d->act[0], v, x + j0, hr + j0, NULL, NULL, n);
        memcpy(h + j0, v, n * sizeof *h);
    }
}

/* Peephole k (0 i, 1 o, 2 f) from hidden index j0, or NULL without them. */
static const float *peephole(const Dir *d, size_t k, size_t j0)
{
    return d->peep ? d->peep + k * d->p->hidden + j0 : NULL;
}

/* LSTM with optional peepholes; input_forget couples f to i. */
static void lstm_cell(Dir *d, const float *x, const float *hr, size_t b)
{
    const snt_rnn_params *p = d->p;
    const snt_rnn_act *act = d->act;
    size_t H = p->hidden, j0, j;
    float *h = d->h + b * H, *c = d->c + b * H;
    float i[BLOCK] = {0}, f[BLOCK] = {0}, g[BLOCK] = {0}, o[BLOCK] = {0}, cell[BLOCK] = {0};
    for (j0 = 0; j0 < H; j0 += BLOCK) {
        size_t n = part_len(H, j0, BLOCK);
        float *cj = c + j0;
        gate_block(d, &act[0], i, x + j0, hr + j0, peephole(d, 0, j0), cj, n);
        if (!p->input_forget)
            gate_block(d, &act[0], f, x + 2 * H + j0, hr + 2 * H + j0, peephole(d, 2, j0), cj, n);
        gate_block(d, &act[1], g, x + 3 * H + j0, hr + 3 * H + j0, NULL, NULL, n);
        for (j = 0; j < n; j++) {
            cell[j] = (p->input_forget ? 1.0f - i[j] : f[j]) * cj[j] + i[j] * g[j];
            cj[j] = cell[j];
        }
        gate_block(d, &act[0], o, x + H + j0, hr + H + j0, peephole(d, 1, j0), cj, n);
        /* h reads the cell state, not a gate sum: clip does not apply. */
        activate_block(&act[2], cell);
        for (j = 0; j < n; j++)
            h[j0 + j] = o[j] * cell[j];
    }
}

/* The z and r gates of entry b, in place of their sums in hr. */
static void gru_update_reset(Dir *d, const float *x, float *hr)
{
    size_t zr = 2 * d->p->hidden, j0;
    float v[BLOCK] = {0};
    for (j0 = 0; j0 < zr; j0 += BLOCK) {
        size_t n = part_len(zr, j0, BLOCK);
        gate_block(d, &d->act[0], v, x + j0, hr + j0, NULL, NULL, n);
        memcpy(hr + j0, v, n * sizeof *hr);
    }
}

/* Ht = (1 - z) h~ + z Ht-1 with h~ = g(x_h + the h gate's recurrent part):
 * r (.) (Ht-1 R_h^T + Rb_h) under linear_before_reset, else the product
 * (r (.) Ht-1) R_h^T that gru_gates left in hr's h slot. */
static void gru_cell(Dir *d, const float *x, float *hr, size_t b)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, j0, j;
    float *h = d->h + b * H, v[BLOCK] = {0};
    for (j0 = 0; j0 < H; j0 += BLOCK) {
        size_t n = part_len(H, j0, BLOCK);
        const float *z = hr + j0, *r = hr + H + j0;
        float *rec = hr + 2 * H + j0;
        if (p->linear_before_reset)
            for (j = 0; j < n; j++)
                rec[j] = r[j] * (rec[j] + d->rb_h[j0 + j]);
        gate_block(d, &d->act[1], v, x + 2 * H + j0, rec, NULL, NULL, n);
        for (j = 0; j < n; j++)
            h[j0 + j] = (1.0f - z[j]) * v[j] + z[j] * h[j0 + j];
    }
}

/* ---- steps ------------------------------------------------------------- */

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

/* GRU's gates z and r for step t, and for plain GRU the h slot's product
 * (r (.) H) R_h^T, which needs r first. */
static void gru_gates(Dir *d, size_t t)
{
    const snt_rnn_params *p = d->p;
    size_t H = p->hidden, b, j;
    for (b = 0; b < p->batch; b++)
        if (t < seq_len(d, b))
            gru_update_reset(d, input_sums(d, t, b), d->hr + b * d->gh);
    if (p->linear_before_reset)
        return;
    /* Entries past their end get a meaningless row, never used. */
    for (b = 0; b < p->batch; b++)
        for (j = 0; j < H; j++)
            d->rh[b * H + j] = d->hr[b * d->gh + H + j] * d->h[b * H + j];
    recurrent_product(d, d->rh, 2 * H, H);
}

/* One time step t over the batch. */
static void run_step(Dir *d, size_t t)
{
    const snt_rnn_params *p = d->p;
    size_t b;
    recurrent_product(d, d->h, 0, d->first);
    if (p->cell == SNT_RNN_GRU)
        gru_gates(d, t);
    for (b = 0; b < p->batch; b++) {
        int active = t < seq_len(d, b);
        const float *x = input_sums(d, t, b);
        float *hr = d->hr + b * d->gh;
        if (active && p->cell == SNT_RNN_SIMPLE)
            simple_cell(d, x, hr, b);
        else if (active && p->cell == SNT_RNN_GRU)
            gru_cell(d, x, hr, b);
        else if (active)
            lstm_cell(d, x, hr, b);
        if (d->io->y && (!p->last_step_only || t == p->seq - 1))
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

/* Direction k's input products: [the rows of X from first_row][gh]. */
static snt_linear_params input_product_params(const snt_rnn_params *p, int k)
{
    snt_linear_params lp;
    memset(&lp, 0, sizeof lp);
    lp.m = p->seq * p->batch - first_row(p, k);
    lp.n = snt__rnn_gates(p->cell) * p->hidden;
    lp.k = p->input;
    lp.act.kind = SNT_ACT_NONE;
    return lp;
}

/* Every direction's input products: [dirs][seq * batch rows of X][gh],
 * the rows before first_row not written. */
static size_t xw_floats(const snt_rnn_params *p)
{
    return (size_t)p->directions * p->seq * p->batch * snt__rnn_gates(p->cell) * p->hidden;
}

/* The state of the steps: hr [batch][gh], then h, c and rh
 * [batch][hidden]. */
static size_t state_floats(const snt_rnn_params *p)
{
    return (snt__rnn_gates(p->cell) * p->batch + 3 * p->batch) * p->hidden;
}

/* snt_sgemm's packing for the steps' H R^T, which only batches beyond
 * MV_MAX_BATCH take (a panel of R^T at a time). */
static size_t step_gemm_floats(const snt_rnn_params *p)
{
    if (p->batch <= MV_MAX_BATCH)
        return 0;
    return snt_sgemm_scratch_floats(p->batch, MV_COLS, p->hidden);
}

/* The steps work in their state and, after it, their packing. */
static size_t steps_floats(const snt_rnn_params *p)
{
    return snt__whole_lines(state_floats(p)) + step_gemm_floats(p);
}

/* xw, then a region that holds the working memory of the input products
 * (product_floats) until xw is done, and the steps' afterwards. */
static size_t xw_and_steps_floats(const snt_rnn_params *p, size_t product_floats)
{
    size_t steps = steps_floats(p);
    return snt__whole_lines(xw_floats(p)) + (product_floats > steps ? product_floats : steps);
}

size_t snt_rnn_gemm_scratch_floats(const snt_rnn_params *p, unsigned mr, unsigned nr)
{
    size_t most = 0, floats;
    int k;
    for (k = 0; k < p->directions; k++) {
        snt_linear_params lp = input_product_params(p, k);
        floats = snt_linear_gemm_scratch_floats(&lp, mr, nr);
        most = floats > most ? floats : most;
    }
    return xw_and_steps_floats(p, most);
}

/* Direction k's slices of the tensors, and its state. */
static void dir_init(Dir *d, const snt_rnn_params *p, const snt_rnn_io *io,
                     const snt__rnn_packed *w, int k, const float *xw, float *state)
{
    size_t H = p->hidden, gh = snt__rnn_gates(p->cell) * H;
    d->p = p;
    d->io = io;
    d->dir = k;
    d->reverse = runs_reverse(p, k);
    d->gh = gh;
    d->first = snt__rnn_first_product(p);
    /* Without clip the bounds are infinite: the clamp changes nothing. */
    d->lim = p->clip > 0.0f ? p->clip : HUGE_VALF;
    d->rt = w->rt + (size_t)k * H * gh;
    d->rb_h = w->rb_h ? w->rb_h + (size_t)k * H : NULL;
    d->peep = io->p ? io->p + (size_t)k * 3 * H : NULL;
    d->act = p->act[k];
    d->xw = xw + (size_t)k * p->seq * p->batch * gh;
    d->hr = state;
    d->h = d->hr + p->batch * gh;
    d->c = d->h + p->batch * H;
    d->rh = d->c + p->batch * H;
    d->gemm = state + snt__whole_lines(state_floats(p));
}

/* Every direction's steps, from the input products xw (biases
 * included); state holds steps_floats(p) floats. */
static void run_directions(const snt_rnn_params *p, const snt_rnn_io *io,
                           const snt__rnn_packed *w, const float *xw, float *state)
{
    size_t s;
    int k;
    for (k = 0; k < p->directions; k++) {
        Dir d;
        dir_init(&d, p, io, w, k, xw, state);
        initial_states(&d);
        for (s = 0; s < steps_run(p, k); s++)
            run_step(&d, d.reverse ? p->seq - 1 - s : s);
        final_states(&d);
    }
}

/* Where direction k's input products go: its block of xw, from the row
 * it reads first. */
static float *dir_products(const snt_rnn_params *p, int k, float *xw)
{
    snt_linear_params lp = input_product_params(p, k);
    return xw + ((size_t)k * p->seq * p->batch + first_row(p, k)) * lp.n;
}

void snt_rnn_gemm_f32(const snt_rnn_params *p, const snt_f32_gemm_ukernel *uk,
                      const snt_rnn_io *io, const float *packed, float *scratch)
{
    snt__rnn_packed w = snt__rnn_packed_parts(p, packed);
    float *xw = scratch, *rest = scratch + snt__whole_lines(xw_floats(p));
    int k;
    for (k = 0; k < p->directions; k++) {
        snt_linear_params lp = input_product_params(p, k);
        snt_linear_gemm_f32(&lp, uk, io->x + first_row(p, k) * lp.k,
                            w.w + (size_t)k * snt__rnn_w_floats(p, uk->nr), w.bias + k * lp.n,
                            dir_products(p, k, xw), rest);
    }
    run_directions(p, io, &w, xw, rest);
}

/* R^T and the biases packed, xw, then the steps' state (where the input
 * products are packed before).  Direction 0 reads the most rows: all,
 * or with one direction the only ones read. */
size_t snt_rnn_scratch_floats(const snt_rnn_params *p)
{
    snt_linear_params lp = input_product_params(p, 0);
    return snt__rnn_r_b_floats(p) +
           xw_and_steps_floats(p, snt_sgemm_scratch_floats(lp.m, lp.n, lp.k));
}

/* Direction k's input products reading W [dirs][gh][input] where it
 * lies, then the biases; pack is snt_sgemm's packing. */
static void sgemm_products(const snt_rnn_params *p, const snt_rnn_io *io, const float *bias,
                           int k, float *xw, float *pack)
{
    snt_linear_params lp = input_product_params(p, k);
    float *y = dir_products(p, k, xw);
    size_t row, j;
    snt_sgemm(lp.m, lp.n, lp.k, 1.0f, io->x + first_row(p, k) * lp.k, (ptrdiff_t)lp.k, 1,
              io->w + (size_t)k * lp.n * lp.k, 1, (ptrdiff_t)lp.k, y, lp.n, 0, pack);
    for (row = 0; row < lp.m; row++)
        for (j = 0; j < lp.n; j++)
            y[row * lp.n + j] += bias[k * lp.n + j];
}

void snt_rnn_f32(const snt_rnn_params *p, const snt_rnn_io *io, float *scratch)
{
    float *xw = scratch + snt__rnn_r_b_floats(p), *state = xw + snt__whole_lines(xw_floats(p));
    snt__rnn_packed w = snt__rnn_packed_parts(p, scratch);
    int k;
    snt__rnn_pack_r_b(p, io->r, io->b, scratch);
    /* snt_sgemm packs in the steps' state, unused until they run. */
    for (k = 0; k < p->directions; k++)
        sgemm_products(p, io, w.bias, k, xw, state);
    run_directions(p, io, &w, xw, state);
}
