/* fuzz_train.c - `spinscan train`'s corpus reader and counting: the file read
 * by train_add_file() (plain or gzip, raw text through the tokenizer or
 * pre-tokenized lines; a 64-byte read window in fuzz builds), then
 * train_estimate() and, when that succeeds, the ARPA text written and read
 * back as a model.
 *
 * Input: byte 0 chooses, the rest is the corpus.
 *   bits 0-1  order 2, 3, 4, 5
 *   bit 2     pre-tokenized (-T), else through the tokenizer
 *   bit 3     discount fallback on
 *   bit 4     gzip-compressed corpus
 *   bit 5     prune singletons above unigrams
 * Checks: no crash or leak; estimation fails only with a format error and a
 * message; a model that estimates writes and loads back with the order and
 * n-gram counts train_estimate reported.
 */
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "lm/train.h"
#include "spinscan.h"
#include "support/scratch.h"

static void quiet(void *ctx, const spin_diag *d) {
    (void)ctx;
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message), "warning is terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 16384) /* counting is linear; big inputs only slow the search */
        return 0;
    unsigned opt = data[0];
    const unsigned char *text = data + 1;
    size_t len = size - 1;
    unsigned char *gz = NULL;
    if (opt & 16) {
        size_t cap = compressBound((uLong)len) + 32, o = 0;
        gz = malloc(cap);
        FUZZ_CHECK(gz && scratch_gzip(1, text, len, gz, cap, &o), "deflate");
        len = o;
        text = gz;
    }
    char path[64];
    int fd = scratch_memfd("fuzz-train", text, len, path, sizeof path);
    free(gz); /* the memfd holds the corpus */
    if (fd < 0)
        return 0;
    train_options o;
    train_options_init(&o);
    o.order = 2 + (opt & 3);
    o.discount_fallback = (opt & 8) != 0;
    o.warn = quiet;
    if (opt & 32)
        for (unsigned n = 2; n <= o.order; ++n)
            o.prune[n - 1] = 1;
    train_model *m;
    spin_diag d;
    FUZZ_CHECK(train_new(&o, &m, &d) == SPIN_OK, "train_new");
    spin_status st = train_add_file(m, path, (opt & 4) != 0, &d);
    FUZZ_CHECK(st == SPIN_OK || st == SPIN_EFORMAT || st == SPIN_EIO, "reading the corpus");
    train_stats stats;
    if (st == SPIN_OK && (st = train_estimate(m, &stats, &d)) != SPIN_OK) {
        FUZZ_CHECK(st == SPIN_EFORMAT, "estimation fails only with a format error");
        FUZZ_CHECK(d.message[0] && memchr(d.message, '\0', sizeof d.message), "and says why");
    }
    if (st == SPIN_OK) {
        char out[] = "/tmp/spinscan-fuzz-train.XXXXXX";
        int ofd = mkstemp(out);
        if (ofd >= 0) {
            close(ofd);
            FUZZ_CHECK(train_write_arpa(m, out, &d) == SPIN_OK, "the model writes");
            spin_model *back;
            spin_load_options lo;
            spin_load_options_init(&lo);
            lo.warn = quiet;
            FUZZ_CHECK(spin_model_open(out, &lo, &back, &d) == SPIN_OK, "and loads back");
            FUZZ_CHECK(spin_model_order(back) == stats.order, "with its order");
            spin_model_free(back);
            unlink(out);
        }
    }
    train_free(m);
    close(fd);
    return 0;
}
