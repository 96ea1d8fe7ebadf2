/* lm.h - the n-gram model in memory, how it is built, and how it scores.
 *
 * Subsystem lm (src/lm/): the n-gram language model.  ARPA reading (arpa)
 * and writing (arpa_write), the vocabulary (vocab), the probing scorer (lm),
 * the compact trie (trie), the shared completion step (lmcore), the binary
 * format (binfmt), the public model API (model) and the trainer (train,
 * train_table).  May call: util, text.
 *
 * Storage follows KenLM's probing layout in spirit (not in code):
 * - unigrams: an array indexed by spin_word of {prob, backoff};
 * - orders 2 .. N-1: one open-addressing hash table per order, entries
 *   {key, prob, backoff} (16 bytes);
 * - order N: a table of {key, prob} (12 bytes, packed).
 * A key is a 64-bit hash of the n-gram's word indices, built from the newest
 * word leftwards, so a lookup extends the match one older word at a time.
 * Like KenLM, only the key identifies an n-gram: two n-grams whose keys
 * collide (probability about 2^-64 per pair) would be confused.
 *
 * Two flags hide in sign bits, exactly as KenLM's probing model uses them:
 * - prob: stored with the sign bit SET means "no longer n-gram ends with this
 *   one" (independent left: stop extending); cleared means it extends left.
 *   Readers always see -|prob|, so a log-probability of 0 reads as -0.
 * - backoff: -0.0 means "this n-gram is the context of no longer n-gram": the
 *   state after it may be shortened.  Any other value (including +0.0) keeps it.
 */
#ifndef SPIN_LM_H
#define SPIN_LM_H

#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "spinscan.h"
#include "lm/vocab.h"

typedef struct lm_unigram {
    float prob;
    float backoff;
} lm_unigram;

/* An open-addressing table of fixed-stride entries whose first 8 bytes are a
 * nonzero key (0 marks an empty slot). */
typedef struct lm_table {
    unsigned char *slots;
    uint64_t cap;    /* number of slots */
    uint64_t used;   /* occupied slots */
    unsigned stride; /* 16 (key, prob, backoff) or 12 (key, prob) */
} lm_table;

/* The word indices of every n-gram stored in the tables, entries and blanks,
 * in insertion order: ids[n] holds len[n] n-grams of n words each (oldest word
 * first).  Kept only while compiling to the compact layout (trie.c), which
 * needs the words that the hash tables reduce to keys. */
typedef struct lm_record {
    spin_word *ids[SPIN_MAX_ORDER + 1];
    uint64_t len[SPIN_MAX_ORDER + 1], cap[SPIN_MAX_ORDER + 1];
} lm_record;

struct lm_trie; /* trie.h */

struct spin_model {
    unsigned order;
    uint64_t counts[SPIN_MAX_ORDER + 1]; /* as declared in the file, by order */
    uint64_t blanks;                     /* entries inserted for missing suffixes */
    vocab *vocab;
    lm_unigram *uni; /* [vocab_size] */
    size_t uni_bytes;
    lm_table tables[SPIN_MAX_ORDER + 1]; /* tables[n] for 2 <= n <= order */
    spin_word bos, eos;
    spin_state begin_state;
    /* A model loaded from a binary file (binfmt.c) borrows 'vocab's arrays,
     * 'uni' and the tables from this image instead of owning them: a read-only
     * file mapping (image_mapped) or a mem_alloc_large copy.  NULL otherwise. */
    void *image;
    size_t image_size;
    bool image_mapped;
    /* The compact layout's tables (trie.h), which replace 'tables'; NULL for
     * the probing layout. */
    struct lm_trie *trie;
    /* Non-NULL while an ARPA file is read for the compact layout. */
    lm_record *record;
};

/* ---- keys ---- */

static inline uint64_t lm_mix(uint64_t x) {
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

/* Key of the 1-word sequence 'w' (never stored; the start of a chain). */
static inline uint64_t lm_key_start(spin_word w) {
    return lm_mix((uint64_t)w + 0x9e3779b97f4a7c15ull);
}

/* Key of the sequence 'key' with one older word 'w' prepended. */
static inline uint64_t lm_key_extend(uint64_t key, spin_word w) {
    uint64_t k = lm_mix(key ^ (((uint64_t)w + 1) * 0xa0761d6478bd642full));
    return k ? k : 1;
}

/* Whether a stored backoff says that longer n-grams extend its n-gram: -0.0
 * (sign bit alone) is the "none" mark (see the flags in sign bits above). */
static inline bool lm_has_extension(float backoff) {
    uint32_t bits;
    memcpy(&bits, &backoff, 4);
    return bits != 0x80000000u;
}

/* The first step of KenLM's rule, shared by the probing and trie scorers:
 * 'word' alone, from its unigram 'u', into the score and the new state. */
static inline void lm_score_unigram(const lm_unigram *u, spin_word word, spin_score *r,
                                    spin_state *out) {
    r->prob = -fabsf(u->prob);
    r->ngram_length = 1;
    r->oov = word == SPIN_WORD_NOT_FOUND;
    out->words[0] = word;
    out->backoff[0] = u->backoff;
    out->length = lm_has_extension(u->backoff) ? 1 : 0;
}

/* The last step of KenLM's rule, shared by the probing and trie scorers: the
 * new state keeps the older words its length allows, and the score adds the
 * backoffs 'in' carries for contexts at least as long as the match. */
static inline void lm_complete_score(const spin_state *in, spin_state *out, spin_score *r) {
    for (unsigned i = 1; i < out->length; ++i)
        out->words[i] = in->words[i - 1];
    for (unsigned i = r->ngram_length - 1u; i < in->length; ++i)
        r->prob += in->backoff[i];
}

/* ---- building (used by the ARPA reader) ---- */

/* Allocates tables for 'order' and 'counts' (counts[1..order]). */
spin_status lm_init(spin_model *m, unsigned order, const uint64_t *counts);
void lm_release(spin_model *m);

/* Outcome of lm_add_ngram(). */
typedef enum lm_add_result {
    LM_ADDED,
    LM_DUPLICATE,       /* already present: the first entry is kept */
    LM_MISSING_CONTEXT, /* its first n-1 words are not an (n-1)-gram */
    LM_NO_MEMORY
} lm_add_result;

/* What lm_add_ngram() remembers from the previous call: ARPA files from lmplz
 * list n-grams in suffix order, so consecutive entries usually share their last
 * words, and the work on a shared suffix need not be repeated.  Zero it before
 * the first call of each order. */
typedef struct lm_build_memo {
    unsigned n;                          /* order of the previous n-gram, 0 = none */
    spin_word ids[SPIN_MAX_ORDER];       /* its words */
    uint64_t suffix[SPIN_MAX_ORDER + 1]; /* suffix[k]: key of its last k words */
} lm_build_memo;

/* Adds the n-gram 'ids' (oldest word first, n = 'n' >= 2) with 'prob' and
 * 'backoff' (ignored for the top order).  All (n-1)-grams must already be in.
 * Marks its context as extended, its suffix as extending left, and inserts
 * blanks for missing suffixes (SRI-style pruning) as KenLM does. */
lm_add_result lm_add_ngram(spin_model *m, lm_build_memo *memo, unsigned n, const spin_word *ids,
                           float prob, float backoff);

/* The same in two steps, so that a caller can prepare a batch of entries
 * (computing keys and prefetching their slots, which overlaps the cache misses)
 * before committing them in order.  The 'memo' sharing requires entries to be
 * prepared in the order they are committed. */
typedef struct lm_prepared {
    uint64_t suffix[SPIN_MAX_ORDER + 1]; /* suffix[k]: key of the last k words */
    uint64_t context;                    /* key of the first n-1 words (n >= 3) */
    unsigned shared;                     /* trailing words shared with the previous entry */
} lm_prepared;
void lm_prepare(spin_model *m, lm_build_memo *memo, unsigned n, const spin_word *ids,
                lm_prepared *out);
lm_add_result lm_commit(spin_model *m, unsigned n, const spin_word *ids, const lm_prepared *prep,
                        float prob, float backoff);

/* The stored prob and backoff (flags included, see above) of the n-gram 'ids'
 * (n >= 2 words, oldest first); false if absent. */
bool lm_lookup(const spin_model *m, unsigned n, const spin_word *ids, float *prob, float *backoff);

/* Frees what 'r' holds (not 'r' itself). */
void lm_record_free(lm_record *r);

/* Stores a value read from a file as KenLM does: a zero backoff becomes -0.0. */
static inline float lm_backoff_from_file(float b) {
    return b == 0.0f ? -0.0f : b;
}

/* Sets prob with the "independent left" flag (sign bit) set. */
static inline float lm_prob_from_file(float p) {
    return -fabsf(p);
}

/* Gives the vocabulary its cache of the most probable words; called once the
 * unigrams are in, so that reading the higher orders profits too. */
spin_status lm_build_hot_words(spin_model *m);

/* Looks up the 'n' words text[start[i], start[i] + len[i]) into 'ids',
 * hashing and prefetching a window of them before the lookups so that their
 * cache misses overlap. */
#define LM_INDEX_BATCH 32
void lm_index_words(const spin_model *m, const char *text, const size_t *start, const size_t *len,
                    size_t n, spin_word *ids);

/* The one batch lookup behind lm_index_words and the detector: the 'k' <=
 * LM_INDEX_BATCH words word[i] (len[i] bytes) into ids[i] in 'm' and, when
 * 'm2' is not NULL, into ids2[i] in 'm2', with one hash per word and every
 * vocabulary slot prefetched before the first lookup. */
void lm_index_batch(const spin_model *m, const spin_model *m2, const char *const *word,
                    const size_t *len, size_t k, spin_word *ids, spin_word *ids2);

/* The probing layout's scorer; spin_full_score() (score.c) calls it for
 * models without a compact trie. */
spin_score lm_probing_full_score(const spin_model *m, const spin_state *in, spin_word word,
                                 spin_state *out);

/* Starts fetching the table slots that scoring ids[i] will read: the
 * n-grams that end in ids[i] and whose earlier words are ids[i-1], ids[i-2],
 * ... ids[0], then <s> if 'bos' (ids[0] begins the sentence).  A scorer calls
 * it a word or two ahead, so that the cache misses of one word overlap with
 * the work on the words before it.  It changes nothing; compact (trie) models
 * ignore it. */
void lm_prefetch_word(const spin_model *m, const spin_word *ids, size_t i, bool bos);

/* How far ahead scorers prefetch (in words), and how many words of context a
 * window of words (LM_INDEX_BATCH) keeps for the prefetch of its first words. */
#define LM_AHEAD 2
#define LM_CARRY (SPIN_MAX_ORDER - 1)

/* log10 p(word) from the empty context in the probing layout (score.h has the
 * version for every layout). */
float lm_probing_unigram_logp(const spin_model *m, spin_word word);

/* Completes a loaded model: the begin-sentence state and the vocabulary's
 * cache of frequent words.  SPIN_ENOMEM on failure. */
spin_status lm_finish(spin_model *m);

/* Sets m->begin_state from m->bos and its unigram (part of lm_finish). */
void lm_set_begin_state(spin_model *m);

#endif
