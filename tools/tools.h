/*
 * tools.h - what the `sinter` commands share: parsing the command line
 * into the library's CompileOptions (driver/sinter.h), and building and
 * running generated C.
 */
#ifndef SINTER_TOOLS_H
#define SINTER_TOOLS_H

#include "driver/files.h"
#include "driver/sinter.h"

/* What an option parser made of argv[*i] (parse_compile_option,
 * CommandLine.own, option_value). */
enum {
    OPTION_MALFORMED = -1, /* a bad value, reported in the Diag (exit status 1) */
    OPTION_NOT_MINE = 0,   /* not one of its options */
    OPTION_TAKEN = 1,      /* taken, *i advanced past its value */
    OPTION_REFUSED = 2,    /* refused after printing why (exit status 2) */
    OPTION_NO_VALUE = 3,   /* an option that takes a value came last, without it */
};

/* Option `flag` at argv[*i] with its value: `FLAG VALUE`, or FLAG=VALUE.
 * OPTION_TAKEN sets *value and moves *i past it; OPTION_NO_VALUE when
 * nothing follows the flag; else OPTION_NOT_MINE.  Every option that
 * takes a value is read through here, so that a missing value is always
 * told as such rather than as an unexpected argument. */
int option_value(const char *flag, int argc, char **argv, int *i, const char **value);
/* "sinter COMMAND: FLAG needs a value" and the usage, to stderr; returns
 * the exit status 2. */
int refuse_missing_value(const char *command, const char *flag, const char *usage);

/* Parses the options every compiling command shares (-O0, -O1, -O2, --passes, --skip,
 * --dump-ir, --target, --profile, --bind, --shape, --name, --weights) at
 * argv[*i]: OPTION_TAKEN, OPTION_NOT_MINE, OPTION_NO_VALUE, or
 * OPTION_MALFORMED (message in d). */
int parse_compile_option(CompileOptions *o, int argc, char **argv, int *i, Diag *d);

/* The command line of a compiling command: the shared compile options,
 * --help / -h, one model path, and the command's own options. */
typedef struct {
    const char *usage;   /* to stdout on --help, to stderr on a bad command line */
    const char *name;    /* the command, named in messages: "sinter NAME: unexpected ..." */
    /* The command's own option at argv[*i]: OPTION_TAKEN (advancing *i
     * past its value), OPTION_NOT_MINE, OPTION_NO_VALUE, or
     * OPTION_REFUSED after printing why.  Asked before the shared
     * options, so a command can refuse one of those.  NULL: it has none. */
    int (*own)(void *ctx, int argc, char **argv, int *i);
    void *ctx;
} CommandLine;

/* Parses argv[1..] into o (initialized by the caller) and cl's own
 * options.  Returns -1 to go on, else the exit status: 0 after --help,
 * 1 after a malformed compile option (reported), 2 after a bad command
 * line or a missing model (usage printed). */
int parse_command_line(const CommandLine *cl, CompileOptions *o, int argc, char **argv, Diag *d);
/* CommandLine.own for a command whose one option is -o PATH: ctx is
 * the const char * that receives PATH. */
int output_option(void *path, int argc, char **argv, int *i);
/* Prints usage to stdout for --help (returns 0), else to stderr (2). */
int print_usage(const char *usage, bool help);

/* build_c.c */
/* Builds DIR/main.c and DIR/NAME.c (and DIR/NAME_weights.S when
 * `incbin`) with the runtime into DIR/NAME; with -pthread when `threads`
 * (code of --threads N > 1). */
bool build_program(const char *dir, const char *name, bool incbin, bool threads,
                   const char *cflags, Diag *d);
/* Runs argv (no shell); true if it exited with status 0. */
bool run_program(char *const argv[], Diag *d);

/* harness.c: DIR/main.c, a program that runs NAME_run on raw files. */
bool write_harness(const Graph *g, const char *name, bool weights_file, const char *dir, Diag *d);

int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_passes(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_flops(int argc, char **argv);
int cmd_graph(int argc, char **argv);

/* Prints every message of d to stderr; returns the exit status 1. */
int report_errors(Diag *d);

#endif /* SINTER_TOOLS_H */
