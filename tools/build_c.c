/*
 * build_c.c - building generated C with the system compiler.  Programs
 * are started with fork/exec, never through a shell, so no path or flag
 * is ever interpreted as shell text.
 */
#include "tools/tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SINTER_RUNTIME_INCLUDE
#define SINTER_RUNTIME_INCLUDE "runtime/include"
#endif
#ifndef SINTER_RUNTIME_LIB
#define SINTER_RUNTIME_LIB "libsinter_rt.a"
#endif

bool run_program(char *const argv[], Diag *d)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return diag_error(d, "cannot start '%s': %s", argv[0], strerror(errno));
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "sinter: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return diag_error(d, "waiting for '%s': %s", argv[0], strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFSIGNALED(status))
        return diag_error(d, "'%s' was killed by signal %d", argv[0], WTERMSIG(status));
    return diag_error(d, "'%s' failed with exit status %d", argv[0], WEXITSTATUS(status));
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && v[0] ? v : dflt;
}

/* Appends the words of `flags` (split on spaces) to argv. */
static int split_flags(char *flags, char **argv, int argc, int max)
{
    for (char *w = strtok(flags, " \t"); w && argc < max; w = strtok(NULL, " \t"))
        argv[argc++] = w;
    return argc;
}

bool build_program(const char *dir, const char *name, bool incbin, bool threads,
                   const char *cflags, Diag *d)
{
    Str main_c = {0}, model_c = {0}, exe = {0}, inc_dir = {0}, inc_rt = {0};
    Str weights_s = {0}, as_inc = {0};
    path_join(&main_c, dir, "main.c");
    path_join(&model_c, dir, "%s.c", name);
    path_join(&weights_s, dir, "%s_weights.S", name);
    /* .incbin looks for NAME.weights on the assembler's include path. */
    str_putf(&as_inc, "-Wa,-I,%s", dir);
    path_join(&exe, dir, "%s", name);
    str_putf(&inc_dir, "-I%s", dir);
    str_putf(&inc_rt, "-I%s", env_or("SINTER_RUNTIME_INCLUDE", SINTER_RUNTIME_INCLUDE));
    char *flags = xstrdup(cflags ? cflags : env_or("SINTER_CFLAGS", "-O2"));
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)env_or("SINTER_CC", "cc");
    argv[argc++] = "-std=c99";
    argc = split_flags(flags, argv, argc, 48);
    argv[argc++] = inc_dir.buf;
    argv[argc++] = inc_rt.buf;
    argv[argc++] = "-o";
    argv[argc++] = exe.buf;
    argv[argc++] = main_c.buf;
    argv[argc++] = model_c.buf;
    if (incbin) {
        argv[argc++] = as_inc.buf;
        argv[argc++] = weights_s.buf;
    }
    argv[argc++] = (char *)env_or("SINTER_RUNTIME_LIB", SINTER_RUNTIME_LIB);
    argv[argc++] = "-lm";
    if (threads)
        argv[argc++] = "-pthread";
    argv[argc] = NULL;
    bool ok = run_program(argv, d);
    if (!ok)
        diag_error(d, "building the generated C in '%s' failed", dir);
    free(flags);
    str_free(&main_c);
    str_free(&model_c);
    str_free(&exe);
    str_free(&inc_dir);
    str_free(&inc_rt);
    str_free(&weights_s);
    str_free(&as_inc);
    return ok;
}
