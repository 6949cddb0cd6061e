/*
 * profile.c - `sinter compile --profile`: generated code that times
 * every node.
 *
 * Each node block is bracketed by two reads of CLOCK_MONOTONIC that add
 * its time to a per-node slot; NAME_profile_report() prints the nodes
 * sorted by time, each with its calls, share and GFLOP/s (the node's
 * FLOPs from the op table over its time).  The counters are the only
 * mutable state of such a file: a profiled model is for measuring, one
 * call at a time.  Without --profile none of this is emitted and the
 * code is byte for byte what it was.
 */
#include "codegen/codegen.h"

/* The feature macro clock_gettime needs, before any header. */
void profile_emit_feature_macro(Str *c)
{
    str_puts(c, "/* --profile: clock_gettime is POSIX. */\n#define _POSIX_C_SOURCE 199309L\n\n");
}

void profile_node_begin(Str *body)
{
    str_puts(body, "        double snt_prof_t0 = snt_prof_now();\n");
}

void profile_node_end(Str *body, int slot)
{
    str_putf(body, "        snt_prof_seconds[%d] += snt_prof_now() - snt_prof_t0;\n", slot);
    str_putf(body, "        snt_prof_calls[%d]++;\n", slot);
}

/* The per-node tables: name, op type and FLOPs of each timed node. */
static void emit_tables(Str *c, const Node *const *nodes, int count)
{
    str_putf(c, "static double snt_prof_seconds[%d];\nstatic long snt_prof_calls[%d];\n", count,
             count);
    str_putf(c, "static const char *const snt_prof_name[%d] = {\n", count);
    for (int i = 0; i < count; i++) {
        str_puts(c, "    \"");
        str_put_comment(c, nodes[i]->name[0] ? nodes[i]->name : "(unnamed)");
        str_puts(c, "\",\n");
    }
    str_putf(c, "};\nstatic const char *const snt_prof_op[%d] = {\n", count);
    for (int i = 0; i < count; i++)
        str_putf(c, "    \"%s\",\n", nodes[i]->op_type);
    str_putf(c, "};\nstatic const double snt_prof_flops[%d] = {\n", count);
    for (int i = 0; i < count; i++) {
        const Node *n = nodes[i];
        /* Ops without a cost rule (data movement) count no FLOPs. */
        long long flops = n->op->cost ? (long long)n->op->cost(n).flops : 0;
        str_putf(c, "    %lld.0,\n", flops);
    }
    str_puts(c, "};\n\n");
}

void profile_emit_support(Str *c, const char *name, const Node *const *nodes, int count)
{
    emit_tables(c, nodes, count);
    str_puts(c,
        "static double snt_prof_now(void)\n{\n"
        "    struct timespec ts;\n"
        "    clock_gettime(CLOCK_MONOTONIC, &ts);\n"
        "    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;\n}\n\n"
        "static int snt_prof_slower(const void *a, const void *b)\n{\n"
        "    double x = snt_prof_seconds[*(const int *)a], y = snt_prof_seconds[*(const int *)b];\n"
        "    return (x < y) - (x > y);\n}\n\n");
    str_putf(c, "void %s_profile_report(void)\n{\n", name);
    str_putf(c, "    int order[%d], i;\n    double total = 0;\n", count);
    str_putf(c, "    for (i = 0; i < %d; i++) {\n        order[i] = i;\n"
                "        total += snt_prof_seconds[i];\n    }\n", count);
    str_putf(c, "    qsort(order, %d, sizeof order[0], snt_prof_slower);\n", count);
    str_puts(c,
        "    fprintf(stderr, \"%-48s %-18s %6s %10s %6s %9s\\n\", \"node\", \"op\", \"calls\",\n"
        "            \"ms/call\", \"%\", \"GFLOP/s\");\n");
    str_putf(c, "    for (i = 0; i < %d; i++) {\n", count);
    str_puts(c,
        "        int k = order[i];\n"
        "        double per = snt_prof_calls[k] ? snt_prof_seconds[k] / snt_prof_calls[k] : 0;\n"
        "        fprintf(stderr, \"%-48.48s %-18.18s %6ld %10.4f %6.2f %9.2f\\n\", snt_prof_name[k],\n"
        "                snt_prof_op[k], snt_prof_calls[k], per * 1e3,\n"
        "                total > 0 ? 100 * snt_prof_seconds[k] / total : 0,\n"
        "                per > 0 ? snt_prof_flops[k] / per * 1e-9 : 0);\n"
        "    }\n"
        "}\n\n");
}

void profile_emit_declaration(Str *h, const char *name, const char *upper)
{
    str_putf(h, "/* Built with --profile: every node is timed; %s_profile_report()\n", name);
    str_puts(h, " * prints them to stderr, slowest first. */\n");
    str_putf(h, "#define %s_PROFILE 1\nvoid %s_profile_report(void);\n\n", upper, name);
}
