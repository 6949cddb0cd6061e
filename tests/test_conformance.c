/*
 * test_conformance.c - runs ONNX's backend node tests through the sinter CLI.
 *
 * Usage: test_conformance [SINTER_BIN]
 *   SINTER_BIN       the sinter executable (argument, or this env variable)
 *   NODE_TESTS_DIR   a folder of generated node cases (DIR/test_xxx/...);
 *                    when unset, scripts/gen_node_tests.py writes them into
 *                    a temporary folder first (about 3 seconds)
 *   PYTHON           the Python with onnx for the generator (/usr/bin/python3)
 *   CONFORMANCE_FILTER  only cases whose name contains this text
 *
 * Every case whose ops are all in Sinter's op table (for the model's opset)
 * is run black-box:
 *   sinter run model.onnx --input input_0.pb ... --output out_0.npy ...
 * and each output is compared with output_*.pb under ONNX's tolerances (a
 * sequence or optional output is written as out_N.pb, a SequenceProto or
 * OptionalProto, and compared tensor by tensor).
 * When sinter answers that a value "must be known at compile time" (a
 * Reshape's shape, Range's bounds, Clip's min given as graph inputs), the
 * case runs again with those inputs bound as constants (--bind NAME=FILE).
 * Two cases run at once, to use both cores.
 *
 * A case ends as pass, fail (wrong output, crash, failed C build) or
 * unsupported (sinter refused an op, dtype or attribute with a diagnostic;
 * the first line is reported).  The suite asserts
 * that no case of claimed ops fails or is unsupported, except the cases of
 * conformance/known_issues.txt, each listed with its reason.
 */
#define _POSIX_C_SOURCE 200809L /* fork, mkdtemp, strndup, nanosleep */

#include <CUnit/Basic.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frontend/frontend.h"
#include "onnx.pb-c.h"

#define KNOWN_ISSUES_FILE "conformance/known_issues.txt"
#define GENERATOR_SCRIPT "../scripts/gen_node_tests.py"
#define DEFAULT_PYTHON "/usr/bin/python3"
#define WORKERS 2            /* concurrent sinter runs */
#define CASE_TIMEOUT_SEC 120 /* a hung case is killed and fails */
#define RTOL 1e-3            /* ONNX backend test tolerances */
#define ATOL 1e-7

typedef enum { PASS, FAIL, UNSUPPORTED, NOT_RUN } Outcome;

typedef struct {
    char *name;          /* "test_abs" */
    char *dir;           /* the case's folder */
    char *work;          /* scratch folder for outputs and the log */
    int n_inputs, n_outputs;
    char **input_names;  /* graph inputs, in graph order */
    bool *input_is_int;  /* integer-typed: bound when a retry names none */
    bool *bind;          /* inputs passed as --bind instead of --input */
    ValueKind *output_kind; /* sequence and optional outputs are .pb files */
    char **ops;          /* the distinct op types of the model's graph */
    int n_ops;
    bool claimed;        /* every op is in Sinter's table for its opset */
    const char *known;   /* reason from known_issues.txt, or NULL */
    Outcome outcome;
    char *message;       /* first mismatch or error line */
    pid_t pid;           /* running sinter, 0 when idle */
    time_t started;
} Case;

typedef struct {
    char *name;
    char *reason;
} KnownIssue;

static const char *sinter_bin;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static char *path_join(const char *dir, const char *name)
{
    Str s = {0};
    str_putf(&s, "%s/%s", dir, name);
    return s.buf;
}

/* Reads a whole file, NUL-terminated; NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Str s = {0};
    str_putn(&s, "", 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        str_putn(&s, chunk, n);
    fclose(f);
    if (len)
        *len = s.len;
    return s.buf;
}

/* Starts argv[0] (searched in PATH) in its own process group, with stdout
 * and stderr going to log_path; returns its pid, or -1. */
static pid_t spawn(char *const argv[], const char *log_path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* A process group lets a timeout kill the compiler and the model
     * binary it runs together. */
    setpgid(0, 0);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Runs argv to completion; true if it exited with status 0. */
static bool run_and_wait(char *const argv[], const char *log_path)
{
    pid_t pid = spawn(argv, log_path);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Whether the n bytes at p contain `word`, ignoring case. */
static bool span_has_word(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (strncasecmp(p + i, word, w) == 0)
            return true;
    return false;
}

static bool has_word(const char *text, const char *word)
{
    return span_has_word(text, strlen(text), word);
}

/* The line of `text` most worth reporting: the first that mentions
 * `keyword` (case-insensitive), else the first non-empty one. */
static char *pick_line(const char *text, const char *keyword)
{
    const char *first = NULL;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (span_has_word(p, n, keyword))
            return strndup(p, n);
        if (!first && n > 0)
            first = p;
        p += n + (p[n] == '\n');
    }
    return first ? strndup(first, strcspn(first, "\n")) : xstrdup("");
}

/* ------------------------------------------------------------------ */
/* Comparing an output with its reference                              */
/* ------------------------------------------------------------------ */

/* ONNX's rule: |got - want| <= atol + rtol * |want|, NaN where NaN is
 * expected, infinities exact. */
static bool float_close(double got, double want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return got == want;
    return fabs(got - want) <= ATOL + RTOL * fabs(want);
}

static const char *type_name(DType t)
{
    return dtype_name(t) ? dtype_name(t) : "unknown dtype";
}

/* True when `got` matches `want` in dtype, shape and values; otherwise
 * describes the first difference in *why. */
static bool tensors_match(const Tensor *got, const Tensor *want, Str *why)
{
    char gs[128], ws[128];
    if (got->dtype != want->dtype) {
        str_putf(why, "dtype %s, want %s", type_name(got->dtype), type_name(want->dtype));
        return false;
    }
    if (!shape_equal(&got->shape, &want->shape)) {
        str_putf(why, "shape %s, want %s", shape_str(&got->shape, gs, sizeof gs),
                 shape_str(&want->shape, ws, sizeof ws));
        return false;
    }
    int64_t n = shape_numel(&want->shape), bad = 0, first = -1;
    bool is_float = dtype_is_float(want->dtype);
    for (int64_t i = 0; i < n; i++) {
        bool ok = is_float
            ? float_close(dtype_get_f64(got->dtype, got->data, (size_t)i),
                          dtype_get_f64(want->dtype, want->data, (size_t)i))
            : dtype_get_i64(got->dtype, got->data, (size_t)i) ==
              dtype_get_i64(want->dtype, want->data, (size_t)i);
        if (!ok && bad++ == 0)
            first = i;
    }
    if (bad == 0)
        return true;
    str_putf(why, "element %lld: got %.9g, want %.9g (%lld of %lld differ)", (long long)first,
             dtype_get_f64(got->dtype, got->data, (size_t)first),
             dtype_get_f64(want->dtype, want->data, (size_t)first), (long long)bad, (long long)n);
    return false;
}

/* The tensors of a sequence or optional (Value) match the reference's:
 * same structure, then tensor by tensor. */
static bool values_match(const Value *got, const Value *want, Str *why)
{
    if (got->empty != want->empty || got->n_tensors != want->n_tensors ||
        (!want->empty && got->inner != want->inner)) {
        str_putf(why, "%d tensors%s, want %d%s", got->n_tensors, got->empty ? " (empty)" : "",
                 want->n_tensors, want->empty ? " (empty)" : "");
        return false;
    }
    for (int k = 0; k < want->n_tensors; k++) {
        Str diff = {0};
        bool ok = tensors_match(got->tensors[k], want->tensors[k], &diff);
        if (!ok)
            str_putf(why, "element %d: %s", k, diff.buf);
        str_free(&diff);
        if (!ok)
            return false;
    }
    return true;
}

/* Compares output j of the run (a tensor file, or a SequenceProto or
 * OptionalProto for kind) with its reference. */
static bool output_matches(const char *ref_path, const char *out_path, ValueKind kind, Str *why)
{
    Diag d = {0};
    Str diff = {0};
    bool ok;
    if (kind == KIND_TENSOR) {
        Tensor *want = onnx_load_tensor_file(ref_path, &d);
        Tensor *got = want ? npy_read(out_path, &d) : NULL;
        ok = got && tensors_match(got, want, &diff);
        tensor_free(got);
        tensor_free(want);
    } else {
        Value *want = value_read_file(ref_path, kind, &d);
        Value *got = want ? value_read_file(out_path, kind, &d) : NULL;
        ok = got && values_match(got, want, &diff);
        value_free(got);
        value_free(want);
    }
    const char *msg = d.text.buf ? d.text.buf : diff.buf ? diff.buf : "";
    if (!ok)
        str_putf(why, "%.*s", (int)strcspn(msg, "\n"), msg);
    str_free(&diff);
    diag_free(&d);
    return ok;
}

/* The file the run writes output j to: out_j.npy, or out_j.pb for a
 * sequence or optional. */
static char *output_path(const Case *c, int j)
{
    char name[32];
    snprintf(name, sizeof name, "out_%d.%s", j, c->output_kind[j] == KIND_TENSOR ? "npy" : "pb");
    return path_join(c->work, name);
}

/* Compares every output the run wrote with the case's references. */
static bool outputs_match(const Case *c, Str *why)
{
    for (int j = 0; j < c->n_outputs; j++) {
        char name[64];
        snprintf(name, sizeof name, "test_data_set_0/output_%d.pb", j);
        char *ref_path = path_join(c->dir, name);
        char *out_path = output_path(c, j);
        Str diff = {0};
        bool ok = output_matches(ref_path, out_path, c->output_kind[j], &diff);
        if (!ok)
            str_putf(why, "output %d: %s", j, diff.buf ? diff.buf : "");
        str_free(&diff);
        free(ref_path);
        free(out_path);
        if (!ok)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Known issues                                                        */
/* ------------------------------------------------------------------ */

/* Parses lines "test_name  reason"; '#' starts a comment line.  Returns
 * the count; *bad counts lines that lack their reason. */
static int load_known_issues(const char *path, KnownIssue **out, int *bad)
{
    char *text = read_file(path, NULL);
    *out = NULL;
    *bad = 0;
    if (!text)
        return 0;
    int n = 0, cap = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        line += strspn(line, " \t");
        if (*line == '#' || *line == '\0')
            continue;
        size_t name_len = strcspn(line, " \t");
        const char *reason = line + name_len + strspn(line + name_len, " \t");
        if (*reason == '\0') {
            fprintf(stderr, "%s: no reason given for %s\n", path, line);
            (*bad)++;
            continue;
        }
        grow_array((void **)out, &cap, n + 1, sizeof **out);
        (*out)[n].name = strndup(line, name_len);
        (*out)[n].reason = xstrdup(reason);
        n++;
    }
    free(text);
    return n;
}

static void free_known_issues(KnownIssue *known, int n)
{
    for (int i = 0; i < n; i++) {
        free(known[i].name);
        free(known[i].reason);
    }
    free(known);
}

static const char *known_reason(const KnownIssue *known, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].reason;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Listing cases                                                       */
/* ------------------------------------------------------------------ */

/* The opset the model imports for the default domain. */
static int64_t model_opset(const Onnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *dom = m->opset_import[i]->domain;
        if (!dom || !dom[0] || strcmp(dom, "ai.onnx") == 0)
            return m->opset_import[i]->version;
    }
    return 0;
}

/* Sets c->claimed, or explains in c->message which op Sinter lacks. */
static void check_claimed(Case *c, const Onnx__ModelProto *m)
{
    int64_t opset = model_opset(m);
    c->claimed = true;
    for (size_t i = 0; i < m->graph->n_node; i++) {
        const Onnx__NodeProto *node = m->graph->node[i];
        const char *domain = node->domain ? node->domain : "";
        const OpDesc *op = op_lookup(domain, node->op_type);
        Str why = {0};
        if (!op)
            str_putf(&why, "op %s%s%s not in Sinter's op table", domain, domain[0] ? "." : "",
                     node->op_type);
        else if (opset < op->since || opset > op->until)
            str_putf(&why, "op %s at opset %lld (table: %d..%d)", node->op_type, (long long)opset,
                     op->since, op->until);
        if (why.buf) {
            c->claimed = false;
            c->message = why.buf;
            return;
        }
    }
}

/* The kind of a graph output's declared type. */
static ValueKind value_kind(const Onnx__TypeProto *t)
{
    if (t && t->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE)
        return KIND_SEQUENCE;
    if (t && t->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE)
        return KIND_OPTIONAL;
    return KIND_TENSOR;
}

/* Records the distinct op types of the model's main graph: the ops the
 * case speaks for in the per-op summary. */
static void collect_ops(Case *c, const Onnx__GraphProto *g)
{
    c->ops = xcalloc(g->n_node + 1, sizeof *c->ops);
    for (size_t i = 0; i < g->n_node; i++) {
        const char *op = g->node[i]->op_type;
        bool seen = false;
        for (int k = 0; k < c->n_ops && !seen; k++)
            seen = strcmp(c->ops[k], op) == 0;
        if (!seen)
            c->ops[c->n_ops++] = xstrdup(op);
    }
}

/* Reads the case's model proto directly (not through the frontend, so
 * that a model the frontend rejects still gets classified). */
static bool inspect_case(Case *c)
{
    char *path = path_join(c->dir, "model.onnx");
    size_t len;
    char *bytes = read_file(path, &len);
    free(path);
    Onnx__ModelProto *m = bytes ? onnx__model_proto__unpack(NULL, len, (uint8_t *)bytes) : NULL;
    free(bytes);
    if (!m || !m->graph)
        return false;
    check_claimed(c, m);
    const Onnx__GraphProto *g = m->graph;
    collect_ops(c, g);
    c->n_inputs = (int)g->n_input;
    c->n_outputs = (int)g->n_output;
    c->input_names = xcalloc(g->n_input, sizeof *c->input_names);
    c->input_is_int = xcalloc(g->n_input, sizeof *c->input_is_int);
    c->bind = xcalloc(g->n_input, sizeof *c->bind);
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__TypeProto *t = g->input[i]->type;
        c->input_names[i] = xstrdup(g->input[i]->name);
        c->input_is_int[i] = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                             dtype_is_int((DType)t->tensor_type->elem_type);
    }
    c->output_kind = xcalloc(g->n_output + 1, sizeof *c->output_kind);
    for (size_t j = 0; j < g->n_output; j++)
        c->output_kind[j] = value_kind(g->output[j]->type);
    onnx__model_proto__free_unpacked(m, NULL);
    return true;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists node_dir's case folders (sorted) that match `filter`. */
static Case *list_cases(const char *node_dir, const char *filter, int *count)
{
    DIR *dir = opendir(node_dir);
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        if (strncmp(e->d_name, "test_", 5) != 0 || (filter && !strstr(e->d_name, filter)))
            continue;
        grow_array((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    if (dir)
        closedir(dir);
    if (n > 0)
        qsort(names, (size_t)n, sizeof *names, compare_names);
    Case *cases = xcalloc((size_t)n, sizeof *cases);
    for (int i = 0; i < n; i++) {
        cases[i].name = names[i];
        cases[i].dir = path_join(node_dir, names[i]);
    }
    free(names);
    *count = n;
    return cases;
}

static void free_cases(Case *cases, int n)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < cases[i].n_inputs; j++)
            free(cases[i].input_names[j]);
        free(cases[i].input_names);
        free(cases[i].input_is_int);
        free(cases[i].bind);
        free(cases[i].output_kind);
        for (int j = 0; j < cases[i].n_ops; j++)
            free(cases[i].ops[j]);
        free(cases[i].ops);
        free(cases[i].name);
        free(cases[i].dir);
        free(cases[i].work);
        free(cases[i].message);
    }
    free(cases);
}

/* ------------------------------------------------------------------ */
/* Running cases                                                       */
/* ------------------------------------------------------------------ */

#define NEEDS_CONSTANT "must be known at compile time"

/* Whether a NEEDS_CONSTANT line of the log names 'name' in quotes. */
static bool log_wants_constant(const char *log, const char *name)
{
    Str quoted = {0};
    str_putf(&quoted, "'%s'", name);
    bool found = false;
    for (const char *p = log; *p && !found;) {
        size_t n = strcspn(p, "\n");
        found = span_has_word(p, n, NEEDS_CONSTANT) && span_has_word(p, n, quoted.buf);
        p += n + (p[n] == '\n');
    }
    str_free(&quoted);
    return found;
}

/* After a run that failed for want of compile-time values, marks the
 * inputs to bind next time: those the log asks for by name, or, when it
 * names none (the value is computed from inputs), every integer input.
 * Data inputs stay run-time inputs as long as possible, so that the
 * kernels rather than constant folding get tested.  Returns whether
 * anything new was marked, i.e. whether another run can get further. */
static bool mark_inputs_to_bind(Case *c, const char *log)
{
    bool more = false;
    for (int pass = 0; pass < 2 && !more; pass++) {
        for (int i = 0; i < c->n_inputs; i++) {
            bool wanted = pass == 0 ? log_wants_constant(log, c->input_names[i])
                                    : c->input_is_int[i];
            if (wanted && !c->bind[i])
                c->bind[i] = more = true;
        }
    }
    return more;
}

/* Whether the compiler refused the model with a diagnostic (an op, dtype,
 * attribute or dynamic value it does not handle), as opposed to breaking:
 * a failed C build, a crash, a wrong result. */
static bool compiler_refused(const char *log)
{
    if (has_word(log, "building the generated C"))
        return false;
    return has_word(log, "supported") || strstr(log, "node '") || strstr(log, "graph input '");
}

/* Builds the sinter command line; inputs marked in c->bind become
 * compile-time constants (--bind) instead of run-time inputs. */
static char **build_argv(const Case *c)
{
    int max = 4 + 2 * (c->n_inputs + c->n_outputs) + 1, n = 0;
    char **argv = xcalloc((size_t)max, sizeof *argv);
    argv[n++] = xstrdup(sinter_bin);
    argv[n++] = xstrdup("run");
    argv[n++] = path_join(c->dir, "model.onnx");
    for (int i = 0; i < c->n_inputs; i++) {
        Str arg = {0};
        bool bind = c->bind[i];
        if (bind)
            str_putf(&arg, "%s=", c->input_names[i]);
        str_putf(&arg, "%s/test_data_set_0/input_%d.pb", c->dir, i);
        argv[n++] = xstrdup(bind ? "--bind" : "--input");
        argv[n++] = arg.buf;
    }
    for (int j = 0; j < c->n_outputs; j++) {
        argv[n++] = xstrdup("--output");
        argv[n++] = output_path(c, j);
    }
    return argv;
}

/* Starts the case's sinter run; false (the case failed) if it cannot. */
static bool start_case(Case *c)
{
    char **argv = build_argv(c);
    char *log = path_join(c->work, "log.txt");
    c->pid = spawn(argv, log);
    c->started = time(NULL);
    free(log);
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
    if (c->pid > 0)
        return true;
    c->outcome = FAIL;
    c->message = xstrdup("cannot fork");
    return false;
}

/* Classifies a finished run from its exit status and log; returns true
 * when the case must run again (with more inputs bound). */
static bool finish_case(Case *c, int status, bool timed_out)
{
    char *log_path = path_join(c->work, "log.txt");
    char *log = read_file(log_path, NULL);
    free(log_path);
    if (!log)
        log = xstrdup("");
    Str why = {0};
    bool again = false;
    c->outcome = FAIL;
    if (timed_out) {
        str_putf(&why, "timed out after %d s", CASE_TIMEOUT_SEC);
    } else if (WIFSIGNALED(status)) {
        str_putf(&why, "sinter killed by signal %d", WTERMSIG(status));
    } else if (WEXITSTATUS(status) == 0) {
        if (outputs_match(c, &why))
            c->outcome = PASS;
    } else if (strstr(log, NEEDS_CONSTANT) && mark_inputs_to_bind(c, log)) {
        again = true;
    } else if (compiler_refused(log)) {
        c->outcome = UNSUPPORTED;
        why.buf = pick_line(log, "node '");
    } else if (log[0]) {
        why.buf = pick_line(log, "error");
    } else {
        str_putf(&why, "exit status %d, no message", WEXITSTATUS(status));
    }
    free(log);
    free(c->message);
    c->message = why.buf;
    c->pid = 0;
    return again;
}

/* Waits for any running case to end (or time out) and handles it;
 * returns the case that must start again, or NULL. */
static Case *reap_one(Case *running[], int *n_running)
{
    for (;;) {
        for (int i = 0; i < *n_running; i++) {
            Case *c = running[i];
            int status = 0;
            bool timed_out = time(NULL) - c->started > CASE_TIMEOUT_SEC;
            if (timed_out) {
                kill(-c->pid, SIGKILL);
                waitpid(c->pid, &status, 0);
            } else if (waitpid(c->pid, &status, WNOHANG) != c->pid) {
                continue;
            }
            running[i] = running[--*n_running];
            return finish_case(c, status, timed_out) ? c : NULL;
        }
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

/* Runs every claimed case, WORKERS at a time. */
static void run_cases(Case *cases, int n, const char *work_root)
{
    Case *running[WORKERS];
    int n_running = 0, next = 0;
    while (next < n || n_running > 0) {
        if (n_running < WORKERS && next < n) {
            Case *c = &cases[next++];
            if (!c->claimed)
                continue;
            c->work = path_join(work_root, c->name);
            mkdir(c->work, 0755);
            if (start_case(c))
                running[n_running++] = c;
            continue;
        }
        Case *again = reap_one(running, &n_running);
        if (again && start_case(again))
            running[n_running++] = again;
    }
}

/* ------------------------------------------------------------------ */
/* Report                                                              */
/* ------------------------------------------------------------------ */

static const char *outcome_name(Outcome o)
{
    switch (o) {
    case PASS: return "pass";
    case FAIL: return "FAIL";
    case UNSUPPORTED: return "unsupported";
    case NOT_RUN: return "not run";
    }
    return "?";
}

/* Cases whose ops are not in the table, one line per reason. */
static void print_not_run(const Case *cases, int n)
{
    bool *done = xcalloc((size_t)n, sizeof *done);
    for (int i = 0; i < n; i++) {
        if (cases[i].outcome != NOT_RUN || done[i])
            continue;
        printf("skipped (%s):", cases[i].message);
        for (int j = i; j < n; j++) {
            if (cases[j].outcome == NOT_RUN && !done[j] &&
                strcmp(cases[j].message, cases[i].message) == 0) {
                printf(" %s", cases[j].name);
                done[j] = true;
            }
        }
        printf("\n");
    }
    free(done);
}

static bool case_uses(const Case *c, const char *op)
{
    for (int k = 0; k < c->n_ops; k++)
        if (strcmp(c->ops[k], op) == 0)
            return true;
    return false;
}

/* Per claimed op: how many of the cases that use it ran and passed.  An
 * op counts as conforming when every such case passes; the others are
 * listed with the cases that did not pass (all of them known issues,
 * or the suite fails anyway). */
static void print_op_summary(const Case *cases, int n)
{
    int count, claimed = 0, in_suite = 0, conforming = 0;
    const OpDesc *const *ops = op_all(&count);
    Str partial = {0};
    for (int i = 0; i < count; i++) {
        if (ops[i]->internal)
            continue;
        claimed++;
        int used = 0, passed = 0;
        Str missed = {0};
        for (int j = 0; j < n; j++) {
            /* A case with an unclaimed op (Bernoulli's expansion) speaks
             * for none of its ops. */
            if (cases[j].outcome == NOT_RUN || !case_uses(&cases[j], ops[i]->name))
                continue;
            used++;
            if (cases[j].outcome == PASS)
                passed++;
            else
                str_putf(&missed, " %s", cases[j].name);
        }
        in_suite += used > 0;
        if (used > 0 && passed == used)
            conforming++;
        else if (used > 0)
            str_putf(&partial, "  %s: %d of %d pass; not:%s\n", ops[i]->name, passed, used,
                     missed.buf);
        str_free(&missed);
    }
    printf("conformance: %d ops claimed, %d of them used by the cases run here, %d pass every "
           "case that uses them\n",
           claimed, in_suite, conforming);
    if (partial.buf)
        printf("conformance: claimed ops with cases that do not pass:\n%s", partial.buf);
    str_free(&partial);
}

/* Prints the report; returns the count of unexpected results: claimed
 * cases that did not pass and are not known issues. */
static int report(const Case *cases, int n)
{
    int passed = 0, failed = 0, skipped = 0, unexpected = 0;
    printf("\n");
    print_not_run(cases, n);
    for (int i = 0; i < n; i++) {
        const Case *c = &cases[i];
        if (c->outcome == PASS) {
            passed++;
            if (c->known)
                printf("note: %s passes; remove it from %s\n", c->name, KNOWN_ISSUES_FILE);
            continue;
        }
        if (c->outcome == NOT_RUN) {
            skipped++;
            continue;
        }
        if (c->outcome == FAIL)
            failed++;
        else
            skipped++;
        if (c->known) {
            printf("%s (known: %s): %s: %s\n", outcome_name(c->outcome), c->known, c->name,
                   c->message);
        } else {
            printf("%s: %s: %s\n", outcome_name(c->outcome), c->name, c->message);
            unexpected++;
        }
    }
    print_op_summary(cases, n);
    printf("conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    printf("conformance: %d unexpected (claimed ops, not in %s)\n", unexpected,
           KNOWN_ISSUES_FILE);
    return unexpected;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static Tensor make_tensor(DType t, int64_t numel, void *data)
{
    Tensor x = {.dtype = t, .data = data};
    x.shape.rank = 1;
    x.shape.dim[0] = numel;
    return x;
}

static bool match(const Tensor *got, const Tensor *want)
{
    Str why = {0};
    bool ok = tensors_match(got, want, &why);
    str_free(&why);
    return ok;
}

static void test_tolerance(void)
{
    float want[3] = {1.0f, -2.0f, NAN}, got[3] = {1.0f, -2.0f, NAN};
    Tensor w = make_tensor(DT_FLOAT, 3, want), g = make_tensor(DT_FLOAT, 3, got);
    CU_ASSERT_TRUE(match(&g, &w));
    got[0] = 1.0f + 0.9e-3f;  /* within atol + rtol * |1| */
    CU_ASSERT_TRUE(match(&g, &w));
    got[0] = 1.0f + 1.2e-3f;  /* beyond */
    CU_ASSERT_FALSE(match(&g, &w));
    got[0] = 1.0f;
    got[2] = 0.0f;            /* NaN expected */
    CU_ASSERT_FALSE(match(&g, &w));
    got[2] = NAN;
    want[1] = INFINITY;       /* infinities are exact */
    CU_ASSERT_FALSE(match(&g, &w));
    got[1] = INFINITY;
    CU_ASSERT_TRUE(match(&g, &w));
}

static void test_exact_types_and_shapes(void)
{
    int64_t want[2] = {5, -7}, got[2] = {5, -7};
    Tensor w = make_tensor(DT_INT64, 2, want), g = make_tensor(DT_INT64, 2, got);
    CU_ASSERT_TRUE(match(&g, &w));
    got[1] = -6;              /* integers are exact */
    CU_ASSERT_FALSE(match(&g, &w));
    got[1] = -7;
    g.dtype = DT_INT32;       /* dtypes must agree */
    CU_ASSERT_FALSE(match(&g, &w));
    g.dtype = DT_INT64;
    g.shape.rank = 2;         /* shapes too: [2] vs [2,1] */
    g.shape.dim[1] = 1;
    CU_ASSERT_FALSE(match(&g, &w));

    Str why = {0};
    g.shape.rank = 1;
    got[0] = 4;
    CU_ASSERT_FALSE(tensors_match(&g, &w, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "element 0: got 4, want 5"));
    str_free(&why);
}

/* Sequences and optionals match when their structure and every tensor do. */
static void test_values_match(void)
{
    float a[2] = {1, 2}, b[2] = {1, 2};
    Tensor ta = make_tensor(DT_FLOAT, 2, a), tb = make_tensor(DT_FLOAT, 2, b);
    Tensor *got_items[2] = {&ta, &ta}, *want_items[2] = {&tb, &tb};
    Value got = {.kind = KIND_SEQUENCE, .tensors = got_items, .n_tensors = 2};
    Value want = {.kind = KIND_SEQUENCE, .tensors = want_items, .n_tensors = 2};
    Str why = {0};
    CU_ASSERT_TRUE(values_match(&got, &want, &why));
    got.n_tensors = 1; /* one element short */
    CU_ASSERT_FALSE(values_match(&got, &want, &why));
    got.n_tensors = 2;
    a[1] = 3;
    CU_ASSERT_FALSE(values_match(&got, &want, &why));
    CU_ASSERT(why.buf && strstr(why.buf, "element 0"));
    str_free(&why);
    Value none = {.kind = KIND_OPTIONAL, .empty = true};
    Value some = {.kind = KIND_OPTIONAL, .tensors = want_items, .n_tensors = 1};
    CU_ASSERT_FALSE(values_match(&none, &some, &why));
    CU_ASSERT_TRUE(values_match(&none, &none, &why));
    str_free(&why);
}

static void test_pick_line(void)
{
    char *line = pick_line("\ncompiling\nerror: Foo: unsupported dtype\nmore\n", "support");
    CU_ASSERT_STRING_EQUAL(line, "error: Foo: unsupported dtype");
    free(line);
    line = pick_line("\nfirst\nsecond\n", "error");
    CU_ASSERT_STRING_EQUAL(line, "first");
    free(line);
}

static void test_binding_and_refusals(void)
{
    char *names[3] = {"x", "min", "y"};
    bool is_int[3] = {true, false, false}, bind[3] = {false, false, false};
    Case c = {.n_inputs = 3, .input_names = names, .input_is_int = is_int, .bind = bind};
    const char *log = "node 'Clip#0' (Clip, opset 13): input 1 ('min') " NEEDS_CONSTANT "\n";
    /* The named input first, even though x is an integer input. */
    CU_ASSERT_TRUE(mark_inputs_to_bind(&c, log));
    CU_ASSERT_FALSE(bind[0]);
    CU_ASSERT_TRUE(bind[1]);
    /* Nothing new named: then the integer inputs. */
    CU_ASSERT_TRUE(mark_inputs_to_bind(&c, log));
    CU_ASSERT_TRUE(bind[0]);
    CU_ASSERT_FALSE(bind[2]);
    /* Nothing left to bind: the case must not retry forever. */
    CU_ASSERT_FALSE(mark_inputs_to_bind(&c, log));

    CU_ASSERT_TRUE(compiler_refused("node 'Add#0' (Add, opset 14): no runtime kernel for uint8"));
    CU_ASSERT_TRUE(compiler_refused("graph input 'x' is not a tensor"));
    CU_ASSERT_FALSE(compiler_refused("'/tmp/sinter-run-1/model' was killed by signal 11"));
    CU_ASSERT_FALSE(compiler_refused("node 'A'\nbuilding the generated C in '/tmp/x' failed"));
}

static void test_known_issues_have_reasons(void)
{
    KnownIssue *known;
    int bad, n = load_known_issues(KNOWN_ISSUES_FILE, &known, &bad);
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(bad, 0);
    free_known_issues(known, n);
}

/* The node cases' folder: NODE_TESTS_DIR, or freshly generated into
 * work_root/gen.  NULL if generation failed. */
static char *node_tests_dir(const char *work_root)
{
    const char *given = getenv("NODE_TESTS_DIR");
    if (given)
        return xstrdup(given);
    const char *python = getenv("PYTHON") ? getenv("PYTHON") : DEFAULT_PYTHON;
    char *gen = path_join(work_root, "gen");
    char *log = path_join(work_root, "gen.log");
    char *argv[] = {(char *)python, GENERATOR_SCRIPT, gen, NULL};
    bool ok = run_and_wait(argv, log);
    if (!ok)
        fprintf(stderr, "node test generation failed; see %s\n", log);
    free(log);
    char *node = ok ? path_join(gen, "node") : NULL;
    free(gen);
    return node;
}

static void classify_cases(Case *cases, int n, const KnownIssue *known, int n_known)
{
    for (int i = 0; i < n; i++) {
        Case *c = &cases[i];
        c->known = known_reason(known, n_known, c->name);
        if (!inspect_case(c)) {
            c->claimed = false;
            c->message = xstrdup("model.onnx unreadable");
        }
        c->outcome = c->claimed ? FAIL : NOT_RUN;
    }
}

static void remove_tree(const char *path)
{
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    run_and_wait(argv, "/dev/null");
}

static void test_node_suite(void)
{
    CU_ASSERT_FATAL(sinter_bin != NULL && access(sinter_bin, X_OK) == 0);
    char work_root[] = "/tmp/sinter-conformance-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(work_root) != NULL);
    char *node_dir = node_tests_dir(work_root);
    if (!node_dir)
        remove_tree(work_root);
    CU_ASSERT_FATAL(node_dir != NULL);

    KnownIssue *known;
    int bad, n_known = load_known_issues(KNOWN_ISSUES_FILE, &known, &bad), n;
    Case *cases = list_cases(node_dir, getenv("CONFORMANCE_FILTER"), &n);
    CU_ASSERT(n > 0);
    classify_cases(cases, n, known, n_known);
    run_cases(cases, n, work_root);
    CU_ASSERT_EQUAL(report(cases, n), 0);

    free_cases(cases, n);
    free_known_issues(known, n_known);
    free(node_dir);
    remove_tree(work_root);
}

int main(int argc, char **argv)
{
    sinter_bin = argc > 1 ? argv[1] : getenv("SINTER_BIN");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("conformance", NULL, NULL);
    CU_add_test(s, "tolerance", test_tolerance);
    CU_add_test(s, "exact_types_and_shapes", test_exact_types_and_shapes);
    CU_add_test(s, "pick_line", test_pick_line);
    CU_add_test(s, "values_match", test_values_match);
    CU_add_test(s, "binding_and_refusals", test_binding_and_refusals);
    CU_add_test(s, "known_issues_have_reasons", test_known_issues_have_reasons);
    CU_add_test(s, "node_suite", test_node_suite);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
