/*
 * pass_list.c - the pass table and the pipeline that runs it.
 */
#include "passes/passes.h"
#include "passes/rewriter.h"

#include <string.h>

static const Pass passes[] = {
#define PASS(name, level, summary) {#name, level, summary, pass_##name},
#include "passes/pass_list.def"
#undef PASS
};

enum { PASS_COUNT = sizeof passes / sizeof passes[0] };

const Pass *pass_all(int *count)
{
    *count = PASS_COUNT;
    return passes;
}

const Pass *pass_find(const char *name)
{
    for (int i = 0; i < PASS_COUNT; i++)
        if (strcmp(passes[i].name, name) == 0)
            return &passes[i];
    return NULL;
}

/* Is `name` one of the comma-separated names in `list`? */
static bool in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p += n + (end != NULL);
    }
    return false;
}

static bool check_names(const char *list, Diag *d)
{
    bool ok = true;
    char name[64];
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), p);
        if (!pass_find(name))
            ok = diag_error(d, "unknown pass '%s' (see `sinter passes`)", name);
        p += n + (end != NULL);
    }
    return ok;
}

bool pass_run(const Pass *p, Graph *g, bool *changed, Diag *d)
{
    Rewriter rw;
    rw_begin(&rw, g);
    bool ok = p->run(&rw, d);
    *changed = rw_end(&rw);
    return ok;
}

bool passes_run(Graph *g, const PassOptions *opt, Diag *d)
{
    if ((opt->only && !check_names(opt->only, d)) || (opt->skip && !check_names(opt->skip, d)))
        return false;
    for (int i = 0; i < PASS_COUNT; i++) {
        const Pass *p = &passes[i];
        bool selected = opt->only ? in_list(opt->only, p->name) : opt->level >= p->level;
        if (!selected || (opt->skip && in_list(opt->skip, p->name)))
            continue;
        bool changed;
        if (!pass_run(p, g, &changed, d))
            return false;
        /* A pass that changed nothing left the graph as valid as it was. */
        if (changed && opt->verify && !graph_verify(g, d))
            return diag_error(d, "the graph is invalid after pass '%s'", p->name);
        if (opt->dump_after && strcmp(opt->dump_after, p->name) == 0)
            graph_dump(g, opt->dump_to);
    }
    return true;
}
