/*
 * files.h - writing files, for the library's output and the CLI's own.
 */
#ifndef SINTER_FILES_H
#define SINTER_FILES_H

#include "ir/ir.h"

/* Writes len bytes of data to path, replacing the file. */
bool write_file(const char *path, const void *data, size_t len, Diag *d);
/* Appends DIR/NAME to out, NAME formatted: one '/' between them however
 * many DIR ends with ("out/" and "out" give out/NAME, "/" gives /NAME). */
void path_join(Str *out, const char *dir, const char *name_fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* SINTER_FILES_H */
