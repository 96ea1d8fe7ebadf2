/* fuzz_arpa.c - the ARPA reader, from memory (spin_model_open_memory), and
 * scoring with whatever model it accepts.
 *
 * Input: byte 0 chooses the options, the rest is the model.
 *   bit 0  allow_missing_markers        bit 1  positive_prob_to_zero
 *   bit 2  gzip the model first (the decompressing reader's path)
 *   bit 3  unk_logprob 0 instead of -100
 *   bit 4  score from the empty context (query -n) instead of <s>
 * A model that loads must answer every query without reading out of bounds:
 * every word's spelling maps back to its index, and scoring the vocabulary
 * and the model text itself gives match lengths within the order.
 */
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "spinscan.h"
#include "support/scratch.h"

static void count_warning(void *ctx, const spin_diag *d) {
    /* (Not message[last] == 0: a short message leaves the rest unset.) */
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL,
               "warning message is terminated");
    ++*(unsigned long *)ctx;
}

/* gzip of the 'len' bytes at 'in' into a malloc'd buffer, or NULL. */
static unsigned char *gzip(const uint8_t *in, size_t len, size_t *out_len) {
    size_t cap = compressBound((uLong)len) + 64;
    unsigned char *out = malloc(cap);
    *out_len = 0;
    if (out && !scratch_gzip(1, in, len, out, cap, out_len)) {
        free(out);
        return NULL;
    }
    return out;
}

static void exercise(const spin_model *m, const uint8_t *text, size_t len, bool null_context) {
    unsigned order = spin_model_order(m);
    FUZZ_CHECK(order >= 2 && order <= SPIN_MAX_ORDER, "order in range");
    size_t vsize = spin_vocab_size(m);
    FUZZ_CHECK(vsize >= 1, "vocabulary has <unk>");
    FUZZ_CHECK(spin_vocab_word(m, (spin_word)vsize, NULL) == NULL, "no word past the end");
    spin_state st, next;
    if (null_context)
        spin_state_null_context(m, &st);
    else
        spin_state_begin_sentence(m, &st);
    for (size_t id = 0; id < vsize && id < 4096; ++id) {
        size_t wl = 0;
        const char *w = spin_vocab_word(m, (spin_word)id, &wl);
        FUZZ_CHECK(w != NULL, "every index has a spelling");
        spin_word back = spin_vocab_index(m, w, wl);
        FUZZ_CHECK(back == id || back == SPIN_WORD_NOT_FOUND, "spelling maps back to its index");
        spin_score s = spin_full_score(m, &st, (spin_word)id, &next);
        FUZZ_CHECK(s.ngram_length >= 1 && s.ngram_length <= order, "match length within order");
        FUZZ_CHECK(next.length < order, "state shorter than the order");
        st = next;
    }
    unsigned flags = null_context ? SPIN_SCORE_EOS : SPIN_SCORE_BOS | SPIN_SCORE_EOS;
    spin_sentence_score total = spin_score_sentence(m, (const char *)text, len, flags, NULL);
    FUZZ_CHECK(total.oov <= total.tokens, "OOVs are a subset of the tokens");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    const uint8_t *body = data + 1;
    size_t len = size - 1;

    spin_load_options o;
    spin_load_options_init(&o);
    unsigned long warnings = 0;
    o.allow_missing_markers = opt & 1;
    o.positive_prob_to_zero = opt & 2;
    if (opt & 8)
        o.unk_logprob = 0;
    o.warn = count_warning;
    o.warn_ctx = &warnings;

    unsigned char *packed = NULL;
    const void *model_bytes = body;
    size_t model_len = len;
    if (opt & 4) {
        packed = gzip(body, len, &model_len);
        if (!packed)
            return 0;
        model_bytes = packed;
    }
    spin_model *m = NULL;
    spin_diag d;
    memset(&d, 0, sizeof d);
    spin_status st = spin_model_open_memory(model_bytes, model_len, "fuzz.arpa", &o, &m, &d);
    if (st == SPIN_OK) {
        FUZZ_CHECK(m != NULL, "a model on success");
        exercise(m, body, len, opt & 16);
        spin_model_free(m);
    } else {
        FUZZ_CHECK(m == NULL, "no model on failure");
        FUZZ_CHECK(d.status == st, "diag carries the status");
        FUZZ_CHECK(memchr(d.message, '\0', sizeof d.message) != NULL, "message is terminated");
        FUZZ_CHECK(st != SPIN_EINVAL, "a bad file is never a bad argument");
    }
    free(packed);
    return 0;
}
