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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An input split by the convention below: its first 'head' bytes choose (the
 * first of them is 'opt'), the rest is the body, 'len' bytes. */
typedef struct fuzz_input {
    unsigned opt;
    const char *body;
    size_t len;
} fuzz_input;

/* Splits 'data' into *fz; false (nothing to fuzz) when it is shorter than
 * 'head' (>= 1) bytes. */
static inline bool fuzz_split(const uint8_t *data, size_t size, size_t head, fuzz_input *fz) {
    if (size < head)
        return false;
    fz->opt = data[0];
    fz->body = (const char *)data + head;
    fz->len = size - head;
    return true;
}

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
