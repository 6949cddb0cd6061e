/*
 * subprocess.h - starting the programs a test builds and runs (the C
 * compiler, nm, qemu, a generated model's driver), for the suites that
 * build generated code themselves (test_neon.c, test_reentrant.c).
 * Programs are started with fork/exec, never through a shell, so no path
 * is ever read as shell text.
 *
 * Functions are static inline so a test file may use only some of them.
 */
#ifndef SINTER_TESTS_SUBPROCESS_H
#define SINTER_TESTS_SUBPROCESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The executable `name` on $PATH, into path; false when there is none. */
static inline bool find_program(const char *name, char *path, size_t size)
{
    const char *env = getenv("PATH");
    char *dirs = strdup(env && env[0] ? env : "/usr/bin:/bin"), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        snprintf(path, size, "%s/%s", d, name);
        found = access(path, X_OK) == 0;
    }
    free(dirs);
    return found;
}

/* Starts argv (argv[0] a path; no shell) with its stdout going to the
 * file `out` (e.g. "/dev/null"), or to ours when out is NULL; returns its
 * pid, or -1. */
static inline pid_t start(char *const argv[], const char *out)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666) : -1;
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Waits for pid; true when it exited with status 0.  Otherwise prints
 * the command, so a failure in the log says what failed. */
static inline bool finish(pid_t pid, char *const argv[])
{
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            break;
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    fprintf(stderr, "\n    failed (%s %d):", pid > 0 && WIFSIGNALED(status) ? "signal" : "status",
            pid > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    for (int i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, "\n");
    return false;
}

/* Runs argv to its end (stdout as for start); true when it succeeded. */
static inline bool run(char *const argv[], const char *out)
{
    return finish(start(argv, out), argv);
}

#endif /* SINTER_TESTS_SUBPROCESS_H */
