/* fuzz.h - what every fuzz target in tests/fuzz/ shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput().  Built with clang and
 * -fsanitize=fuzzer (make fuzz) libFuzzer supplies main(); built with the
 * ordinary compiler and linked with replay.c, main() replays the saved corpus
 * (tests/fuzz/corpus/<name>/) as a TAP test in `make check`.
 *
 * Convention (as cmark's fuzzer): the first input byte(s) choose the options
 * and the entry point, so that one corpus reaches every path.  A broken
 * invariant calls FUZZ_CHECK's failure path, which prints and aborts: both
 * libFuzzer and the replay driver report that as a crash.
 */
#ifndef SPIN_FUZZ_H
#define SPIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints 'what' with its place and aborts. */
#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz check failed: %s (%s)\n", __FILE__, __LINE__, what,       \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
