/*
 * fuzz.h - what the libFuzzer targets share.
 *
 * Each target is one file that defines LLVMFuzzerTestOneInput: bytes in,
 * one reader or the whole compiler run on them, everything freed.  Two
 * drivers call it: libFuzzer (scripts/fuzz.sh builds the targets with
 * clang, ASan and UBSan), and tests/fuzz_replay.c, which replays the
 * inputs that once broke a target (tests/fuzz_corpus/TARGET/) under the
 * normal test build.  The sanitizers catch memory errors, undefined
 * behaviour and leaks; the targets add the frontend's promise that bad
 * input is refused with a message.
 */
#ifndef SINTER_FUZZ_H
#define SINTER_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "ir/ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stage that returned failure (`ok` false) must have said why in d: a
 * silent refusal leaves the user with nothing to fix. */
static inline void fuzz_expect_reason(bool ok, const Diag *d, const char *stage)
{
    if (!ok && d->count == 0) {
        fprintf(stderr, "fuzz: %s failed without a message\n", stage);
        abort();
    }
}

#endif /* SINTER_FUZZ_H */
