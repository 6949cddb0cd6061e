/*
 * threads.c - `sinter compile --threads N` with N > 1: the thread pool
 * and the parallel-for that the generated file owns.
 *
 * The runtime keeps no state, so the pool (an snt_threadpool, whose
 * workers start on the first run) and the snt_parallel every `_mt`
 * kernel call receives (&snt_par) are statics of the generated file.
 * NAME_set_parallel hands the kernels an application's own parallel-for
 * instead, NAME_set_threads lowers the count, NAME_release_threads ends
 * the workers.  With N = 1 none of this is emitted and the code is byte
 * for byte the serial code.
 */
#include "codegen/codegen.h"

void threads_emit_include(Str *c)
{
    str_puts(c, "#include \"sinter_threads.h\"\n");
}

void threads_emit_support(Str *c, const char *name, int threads)
{
    str_putf(c, "/* --threads %d: the pool (started by the first run) and the parallel-for\n"
                " * that the kernels split their output over. */\n"
                "static snt_threadpool snt_pool = SNT_THREADPOOL_INIT(%d);\n"
                "static snt_parallel snt_par = {snt_threadpool_parallel_for, &snt_pool, %d};\n\n",
             threads, threads, threads);
    str_putf(c, "void %s_set_parallel(snt_parallel_fn fn, void *ctx)\n{\n"
                "    snt_threadpool_release(&snt_pool);\n"
                "    snt_par.run = fn ? fn : snt_threadpool_parallel_for;\n"
                "    snt_par.ctx = fn ? ctx : &snt_pool;\n}\n\n", name);
    str_putf(c, "int %s_set_threads(int threads)\n{\n"
                "    if (threads < 1 || threads > %d)\n        return -1;\n"
                "    snt_threadpool_set_threads(&snt_pool, (size_t)threads);\n"
                "    snt_par.threads = (size_t)threads;\n    return 0;\n}\n\n", name, threads);
    str_putf(c, "void %s_release_threads(void)\n{\n"
                "    snt_threadpool_release(&snt_pool);\n}\n\n", name);
}

void threads_emit_declaration(Str *h, const char *name, const char *upper, int threads)
{
    str_putf(h, "/* --threads %d: %s_run splits each kernel's output over up to %d threads\n"
                " * (the caller's and workers that the first run starts; the bits do not\n"
                " * depend on the count).  %s_set_threads(n) lowers the count (1 .. %d;\n"
                " * -1 outside), %s_release_threads() ends the workers (a later run starts\n"
                " * them again), %s_set_parallel(fn, ctx) makes the kernels call an\n"
                " * application's parallel-for instead (fn NULL: the pool again): fn(ctx,\n"
                " * task, arg, parts) calls task(arg, begin, end) on disjoint ranges covering\n"
                " * [0, parts), in any threads, and returns when all have returned.  Call\n"
                " * these three while no run is in progress. */\n",
             threads, name, threads, name, threads, name, name);
    str_putf(h, "#define %s_THREADS %d\n", upper, threads);
    str_putf(h, "void %s_set_parallel(void (*fn)(void *ctx, void (*task)(void *arg, size_t begin,"
                " size_t end),\n                                 void *arg, size_t parts),\n"
                "                    void *ctx);\n", name);
    str_putf(h, "int %s_set_threads(int threads);\nvoid %s_release_threads(void);\n\n", name, name);
}
