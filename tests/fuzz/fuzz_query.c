/* fuzz_query.c - `spinscan query`'s token-line reader: lines (lines.h) from a
 * real file through reader.h (a 64-byte window in fuzz builds), each scored
 * word by word with lm_words (score.h) against a small model, as cmd_query.c
 * does.
 *
 * Input: byte 0 chooses, the rest is standard input.
 *   bits 0-1  the longest line allowed: 64 MiB (query's), 1, 16, 100 bytes
 *   bit 2     no sentence context (-n)
 * Checks: every word lies inside its line and holds no separator, its id is a
 * vocabulary id or SPIN_WORD_NOT_FOUND, probabilities are finite and <= 0,
 * n-gram lengths within the order; lines never exceed the cap.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "lm/score.h"
#include "spinscan.h"
#include "support/scratch.h"
#include "text/lines.h"
#include "text/reader.h"
#include "tiny_model.h"

static spin_model *model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    if (!model) {
        spin_diag d;
        if (spin_model_open_memory(tiny_model_arpa, sizeof tiny_model_arpa - 1, "tiny.arpa", NULL,
                                   &model, &d) != SPIN_OK)
            abort();
    }
    unsigned opt = data[0];
    static const size_t caps[4] = {(size_t)64 << 20, 1, 16, 100};
    size_t cap = caps[opt & 3];
    bool bos = !(opt & 4);
    char path[64];
    int fd = scratch_memfd("fuzz-query", data + 1, size - 1, path, sizeof path);
    if (fd < 0)
        return 0;
    reader *r;
    spin_diag d;
    if (reader_open_path(path, &r, &d) != SPIN_OK) {
        close(fd);
        return 0;
    }
    lines in;
    if (lines_init(&in, r, cap) != SPIN_OK)
        abort();
    unsigned order = spin_model_order(model);
    for (;;) {
        const char *line;
        size_t len;
        bool nl;
        if (lines_next(&in, &line, &len, &nl, &d) != SPIN_OK) {
            FUZZ_CHECK(memchr(d.message, '\0', sizeof d.message), "message is terminated");
            break;
        }
        if (!line)
            break;
        FUZZ_CHECK(len <= cap, "a line respects the cap");
        FUZZ_CHECK(memchr(line, '\n', len) == NULL, "no newline inside a line");
        lm_words w;
        spin_score s;
        lm_words_begin(&w, model, line, len, bos);
        size_t prev_end = 0;
        while (lm_words_next(&w, &s)) {
            FUZZ_CHECK(w.word_len > 0 && w.word_start >= prev_end &&
                           w.word_start + w.word_len <= len,
                       "a word lies inside its line, after the previous one");
            for (size_t i = 0; i < w.word_len; ++i) {
                char c = line[w.word_start + i];
                FUZZ_CHECK(c != ' ' && c != '\t', "no separator inside a word");
            }
            prev_end = w.word_start + w.word_len;
            FUZZ_CHECK(isfinite(s.prob) && s.prob <= 0, "a word's log10 probability");
            FUZZ_CHECK(s.ngram_length <= order, "match length within the order");
        }
        if (bos) {
            s = lm_words_end(&w);
            FUZZ_CHECK(isfinite(s.prob) && s.prob <= 0, "</s>'s log10 probability");
        }
    }
    lines_free(&in);
    reader_free(r);
    close(fd);
    return 0;
}
