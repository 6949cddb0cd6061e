/*
 * cmd_passes.c - `sinter passes`: the pass list, in pipeline order, with
 * the lowest -O level that runs each pass.
 */
#include "tools/tools.h"

#include <string.h>

int cmd_passes(int argc, char **argv)
{
    if (argc > 1) {
        bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        fputs("usage: sinter passes\nLists the graph passes in pipeline order; -ON runs those of"
              " level N or lower,\n--passes a,b runs exactly the ones named.\n",
              help ? stdout : stderr);
        return help ? 0 : 2;
    }
    int count;
    const Pass *passes = pass_all(&count);
    printf("%-22s %-6s %s\n", "pass", "level", "what it does");
    for (int i = 0; i < count; i++)
        printf("%-22s -O%-4d %s\n", passes[i].name, passes[i].level, passes[i].summary);
    return 0;
}
