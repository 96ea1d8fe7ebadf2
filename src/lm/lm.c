/* lm.c - n-gram tables, model construction and KenLM-exact scoring.
 *
 * The scoring rule (SEMANTICS.md section 5, KenLM model.cc FullScore):
 *  1. Look up the new word's unigram, then extend the match one older context
 *     word at a time while the n-gram is found and may extend left, up to the
 *     model's order.  prob is that of the longest match; ngram_length its length.
 *  2. Add the backoffs the input state carries for contexts at least as long as
 *     the match: backoff[i] for i = ngram_length-1 .. in.length-1.
 *  3. Everything is float32, added in exactly this order.
 *  4. The output state keeps the longest matched context that can still be
 *     extended to the right (its backoff is not -0.0).
 */
#include "lm/lm.h"

#include <string.h>
#include <sys/mman.h>

#include "util/mem.h"

__extension__ typedef unsigned __int128 lm_u128;

/* ---- tables ---- */

static inline uint64_t slot_of(const lm_table *t, uint64_t key) {
    return (uint64_t)(((lm_u128)key * t->cap) >> 64);
}

static inline uint64_t slot_key(const unsigned char *s) {
    uint64_t k;
    memcpy(&k, s, 8);
    return k;
}

static inline float slot_prob(const unsigned char *s) {
    float f;
    memcpy(&f, s + 8, 4);
    return f;
}

static inline float slot_backoff(const unsigned char *s) {
    float f;
    memcpy(&f, s + 12, 4);
    return f;
}

static inline void slot_set_prob(unsigned char *s, float f) {
    memcpy(s + 8, &f, 4);
}

static inline void slot_set_backoff(unsigned char *s, float f) {
    memcpy(s + 12, &f, 4);
}

/* At most 'cap' probes: a table always has empty slots when built here, but
 * one mapped from a crafted binary model (loaded without verify) may have
 * none, and an absent key must not probe for ever. */
static unsigned char *table_find(const lm_table *t, uint64_t key) {
    uint64_t i = slot_of(t, key);
    for (uint64_t probes = 0; probes < t->cap; ++probes) {
        unsigned char *s = t->slots + i * t->stride;
        uint64_t k = slot_key(s);
        if (k == key)
            return s;
        if (k == 0)
            return NULL;
        if (++i == t->cap)
            i = 0;
    }
    return NULL;
}

/* Slots per entry: 1.4 keeps memory below KenLM's probing default (1.5) while
 * misses still end within a cache line or two. */
#define TABLE_SPACE 1.4
#define TABLE_MAX_LOAD 0.9

static bool table_alloc(lm_table *t, uint64_t entries, unsigned stride) {
    double want = (double)entries * TABLE_SPACE + 16;
    if (want > (double)(SIZE_MAX / stride) / 2)
        return false;
    t->cap = (uint64_t)want;
    t->stride = stride;
    t->used = 0;
    t->slots = mem_alloc_large((size_t)t->cap * stride);
    return t->slots != NULL;
}

static bool table_grow(lm_table *t) {
    lm_table bigger;
    if (!table_alloc(&bigger, t->cap, t->stride)) /* about 1.4x the slots */
        return false;
    for (uint64_t i = 0; i < t->cap; ++i) {
        const unsigned char *s = t->slots + i * t->stride;
        uint64_t k = slot_key(s);
        if (!k)
            continue;
        uint64_t j = slot_of(&bigger, k);
        while (slot_key(bigger.slots + j * bigger.stride))
            if (++j == bigger.cap)
                j = 0;
        memcpy(bigger.slots + j * bigger.stride, s, t->stride);
    }
    bigger.used = t->used;
    mem_free_large(t->slots, (size_t)t->cap * t->stride);
    *t = bigger;
    return true;
}

/* Finds or inserts 'key'; *existed tells which.  NULL when out of memory. */
static unsigned char *table_insert(lm_table *t, uint64_t key, bool *existed) {
    if ((double)(t->used + 1) > (double)t->cap * TABLE_MAX_LOAD && !table_grow(t))
        return NULL;
    uint64_t i = slot_of(t, key);
    for (;;) {
        unsigned char *s = t->slots + i * t->stride;
        uint64_t k = slot_key(s);
        if (k == key) {
            *existed = true;
            return s;
        }
        if (k == 0) {
            memcpy(s, &key, 8);
            ++t->used;
            *existed = false;
            return s;
        }
        if (++i == t->cap)
            i = 0;
    }
}

/* ---- flags in sign bits (see lm.h) ---- */

static inline float set_extension(float backoff) {
    return backoff == 0.0f ? 0.0f : backoff;
}

static inline bool independent_left(float stored_prob) {
    return signbit(stored_prob) != 0;
}

static inline float mark_extends_left(float stored_prob) {
    return fabsf(stored_prob);
}

/* ---- construction ---- */

spin_status lm_init(spin_model *m, unsigned order, const uint64_t *counts) {
    m->order = order;
    for (unsigned n = 1; n <= order; ++n)
        m->counts[n] = counts[n];
    m->uni_bytes = ((size_t)counts[1] + 1) * sizeof *m->uni;
    m->uni = mem_alloc_large(m->uni_bytes);
    if (!m->uni)
        return SPIN_ENOMEM;
    for (unsigned n = 2; n <= order; ++n)
        if (!table_alloc(&m->tables[n], counts[n], n == order ? 12 : 16))
            return SPIN_ENOMEM;
    return SPIN_OK;
}

void lm_release(spin_model *m) {
    if (m->record) {
        lm_record_free(m->record);
        mem_free(m->record);
    }
    mem_free(m->trie);
    if (m->image) { /* the tables live in the image (see lm.h) */
        vocab_free(m->vocab);
        if (m->image_mapped)
            munmap(m->image, m->image_size);
        else
            mem_free_large(m->image, m->image_size);
        return;
    }
    mem_free_large(m->uni, m->uni_bytes);
    for (unsigned n = 2; n <= SPIN_MAX_ORDER; ++n)
        mem_free_large(m->tables[n].slots, (size_t)m->tables[n].cap * m->tables[n].stride);
    vocab_free(m->vocab);
}

/* Pointer to the backoff of the context made of the last 'len' words of
 * 'ids[0..end)' (a unigram when len == 1), or NULL if that n-gram is absent. */
static float *context_backoff(spin_model *m, const spin_word *ids, unsigned end, unsigned len) {
    if (len == 1)
        return &m->uni[ids[end - 1]].backoff;
    uint64_t key = lm_key_start(ids[end - 1]);
    for (unsigned k = 2; k <= len; ++k)
        key = lm_key_extend(key, ids[end - k]);
    unsigned char *s = table_find(&m->tables[len], key);
    return s ? (float *)(void *)(s + 12) : NULL;
}

void lm_prepare(spin_model *m, lm_build_memo *memo, unsigned n, const spin_word *ids,
                lm_prepared *out) {
    /* suffix[k] = key of the last k words; reuse the previous entry's keys for
     * as many trailing words as the two share. */
    unsigned shared = 0;
    if (memo->n == n)
        while (shared < n && memo->ids[n - 1 - shared] == ids[n - 1 - shared])
            ++shared;
    uint64_t *suffix = memo->suffix;
    if (shared == 0)
        suffix[1] = lm_key_start(ids[n - 1]);
    for (unsigned k = shared > 1 ? shared + 1 : 2; k <= n; ++k)
        suffix[k] = lm_key_extend(suffix[k - 1], ids[n - k]);
    memo->n = n;
    memcpy(memo->ids, ids, n * sizeof *ids);
    memcpy(out->suffix, suffix, (n + 1) * sizeof *suffix);
    out->shared = shared;
    /* The entry's slot and its context's slot are independent cache misses:
     * start fetching both now; lm_commit() comes back for them later. */
    lm_table *t = &m->tables[n];
    __builtin_prefetch(t->slots + slot_of(t, suffix[n]) * t->stride);
    if (n - 1 >= 2) {
        lm_table *ct = &m->tables[n - 1];
        uint64_t ck = lm_key_start(ids[n - 2]);
        for (unsigned k = 2; k <= n - 1; ++k)
            ck = lm_key_extend(ck, ids[n - 1 - k]);
        out->context = ck;
        __builtin_prefetch(ct->slots + slot_of(ct, ck) * ct->stride);
    }
}

/* Appends the last 'len' words of 'ids[0..n)' to m->record. */
static bool record(spin_model *m, const spin_word *ids, unsigned n, unsigned len) {
    lm_record *r = m->record;
    if (r->len[len] == r->cap[len]) {
        uint64_t ncap = r->cap[len] ? r->cap[len] * 2 : 1024;
        spin_word *nids = mem_realloc_array(r->ids[len], (size_t)ncap * len, sizeof *nids);
        if (!nids)
            return false;
        r->ids[len] = nids;
        r->cap[len] = ncap;
    }
    memcpy(r->ids[len] + r->len[len]++ * len, ids + n - len, len * sizeof *ids);
    return true;
}

void lm_record_free(lm_record *r) {
    for (unsigned n = 0; n <= SPIN_MAX_ORDER; ++n)
        mem_free(r->ids[n]);
    memset(r, 0, sizeof *r);
}

bool lm_lookup(const spin_model *m, unsigned n, const spin_word *ids, float *prob, float *backoff) {
    uint64_t key = lm_key_start(ids[n - 1]);
    for (unsigned k = 2; k <= n; ++k)
        key = lm_key_extend(key, ids[n - k]);
    const unsigned char *s = table_find(&m->tables[n], key);
    if (!s)
        return false;
    *prob = slot_prob(s);
    *backoff = n < m->order ? slot_backoff(s) : 0.0f;
    return true;
}

lm_add_result lm_add_ngram(spin_model *m, lm_build_memo *memo, unsigned n, const spin_word *ids,
                           float prob, float backoff) {
    lm_prepared prep;
    lm_prepare(m, memo, n, ids, &prep);
    return lm_commit(m, n, ids, &prep, prob, backoff);
}

lm_add_result lm_commit(spin_model *m, unsigned n, const spin_word *ids, const lm_prepared *prep,
                        float prob, float backoff) {
    const uint64_t *suffix = prep->suffix;
    unsigned shared = prep->shared;
    /* The context (first n-1 words) must exist; it now has an extension. */
    float *ctx;
    if (n - 1 >= 2) {
        unsigned char *cs = table_find(&m->tables[n - 1], prep->context);
        ctx = cs ? (float *)(void *)(cs + 12) : NULL;
    } else {
        ctx = &m->uni[ids[0]].backoff;
    }
    if (!ctx)
        return LM_MISSING_CONTEXT;

    bool existed;
    unsigned char *slot = table_insert(&m->tables[n], suffix[n], &existed);
    if (!slot)
        return LM_NO_MEMORY;
    if (existed)
        return LM_DUPLICATE;
    if (m->record && !record(m, ids, n, n))
        return LM_NO_MEMORY;
    *ctx = set_extension(*ctx);
    slot_set_prob(slot, lm_prob_from_file(prob));
    if (n < m->order)
        slot_set_backoff(slot, lm_backoff_from_file(backoff));

    /* The suffix (last n-1 words) now extends left.  If SRI-style pruning
     * dropped it, insert "blanks" down to the longest suffix present: each
     * blank's prob is the backed-off estimate, its backoff -0.0. */
    if (shared >= n - 1)
        return LM_ADDED; /* the previous entry already marked this suffix */
    if (n - 1 == 1) {
        m->uni[ids[n - 1]].prob = mark_extends_left(m->uni[ids[n - 1]].prob);
        return LM_ADDED;
    }
    unsigned char *lower = table_find(&m->tables[n - 1], suffix[n - 1]);
    if (lower) {
        slot_set_prob(lower, mark_extends_left(slot_prob(lower)));
        return LM_ADDED;
    }
    unsigned basis = n - 2;
    unsigned char *basis_slot = NULL;
    for (; basis >= 2; --basis)
        if ((basis_slot = table_find(&m->tables[basis], suffix[basis])))
            break;
    float p;
    if (basis_slot) {
        p = -fabsf(slot_prob(basis_slot));
        slot_set_prob(basis_slot, mark_extends_left(slot_prob(basis_slot)));
    } else {
        basis = 1;
        p = -fabsf(m->uni[ids[n - 1]].prob);
        m->uni[ids[n - 1]].prob = mark_extends_left(m->uni[ids[n - 1]].prob);
    }
    for (unsigned len = basis + 1; len <= n - 1; ++len) {
        /* The blank's context: the len-1 words before the newest one. */
        float *bo = context_backoff(m, ids, n - 1, len - 1);
        if (bo) {
            *bo = set_extension(*bo);
            p += *bo;
        }
        unsigned char *blank = table_insert(&m->tables[len], suffix[len], &existed);
        if (!blank)
            return LM_NO_MEMORY;
        if (m->record && !record(m, ids, n, len))
            return LM_NO_MEMORY;
        slot_set_prob(blank, mark_extends_left(p));
        slot_set_backoff(blank, -0.0f);
        ++m->blanks;
    }
    return LM_ADDED;
}

/* Words in the vocabulary's cache-resident table: Zipf's law puts roughly
 * four tokens in five of running English among the 4096 most probable words. */
#define LM_HOT_WORDS 4096

spin_status lm_build_hot_words(spin_model *m) {
    size_t n = vocab_size(m->vocab);
    float *probs = mem_alloc(n * sizeof *probs);
    if (!probs)
        return SPIN_ENOMEM;
    for (size_t i = 0; i < n; ++i)
        probs[i] = m->uni[i].prob;
    spin_status st = vocab_build_hot(m->vocab, probs, LM_HOT_WORDS);
    mem_free(probs);
    return st;
}

spin_status lm_finish(spin_model *m) {
    spin_status st = lm_build_hot_words(m); /* no-op if built already */
    if (st != SPIN_OK)
        return st;
    lm_set_begin_state(m);
    return SPIN_OK;
}

void lm_set_begin_state(spin_model *m) {
    memset(&m->begin_state, 0, sizeof m->begin_state);
    m->begin_state.length = 1;
    m->begin_state.words[0] = m->bos;
    m->begin_state.backoff[0] = m->uni[m->bos].backoff;
}

/* ---- scoring (public API) ---- */

spin_score lm_probing_full_score(const spin_model *m, const spin_state *in, spin_word word,
                                 spin_state *out) {
    spin_score r;
    if (word >= vocab_size(m->vocab))
        word = SPIN_WORD_NOT_FOUND;
    /* The keys of every n-gram this word could end depend only on words we
     * already know: compute them all and start fetching their slots at once,
     * so that the cache misses of the longer lookups overlap with the shorter
     * ones instead of following them.  (A fetch of a level the walk never
     * reaches costs bandwidth, not time.) */
    uint64_t keys[SPIN_MAX_ORDER];
    uint64_t key = lm_key_start(word);
    for (unsigned i = 0; i < in->length; ++i) {
        const lm_table *t = &m->tables[i + 2];
        key = lm_key_extend(key, in->words[i]);
        keys[i] = key;
        __builtin_prefetch(t->slots + slot_of(t, key) * t->stride);
    }
    const lm_unigram *u = &m->uni[word];
    lm_score_unigram(u, word, &r, out);

    bool indep = independent_left(u->prob);
    const unsigned order = m->order;
    for (unsigned i = 0; i < in->length && !indep; ++i) {
        unsigned n = i + 2;
        const unsigned char *s = table_find(&m->tables[n], keys[i]);
        if (!s)
            break;
        float stored = slot_prob(s);
        r.prob = -fabsf(stored);
        r.ngram_length = (unsigned char)n;
        if (n == order)
            break;
        indep = independent_left(stored);
        float bo = slot_backoff(s);
        out->backoff[i + 1] = bo;
        if (lm_has_extension(bo))
            out->length = (unsigned char)n;
    }
    lm_complete_score(in, out, &r);
    return r;
}

void lm_index_batch(const spin_model *m, const spin_model *m2, const char *const *word,
                    const size_t *len, size_t k, spin_word *ids, spin_word *ids2) {
    uint64_t h[LM_INDEX_BATCH];
    for (size_t i = 0; i < k; ++i) {
        h[i] = vocab_hash(word[i], len[i]);
        vocab_prefetch(m->vocab, h[i]);
        if (m2)
            vocab_prefetch(m2->vocab, h[i]);
    }
    for (size_t i = 0; i < k; ++i) {
        ids[i] = vocab_find_hashed(m->vocab, word[i], len[i], h[i]);
        if (m2)
            ids2[i] = vocab_find_hashed(m2->vocab, word[i], len[i], h[i]);
    }
}

void lm_index_words(const spin_model *m, const char *text, const size_t *start, const size_t *len,
                    size_t n, spin_word *ids) {
    const char *w[LM_INDEX_BATCH];
    for (size_t at = 0; at < n; at += LM_INDEX_BATCH) {
        size_t k = n - at < LM_INDEX_BATCH ? n - at : LM_INDEX_BATCH;
        for (size_t i = 0; i < k; ++i)
            w[i] = text + start[at + i];
        lm_index_batch(m, NULL, w, len + at, k, ids + at, NULL);
    }
}

void lm_prefetch_word(const spin_model *m, const spin_word *ids, size_t i, bool bos) {
    if (m->trie)
        return;
    spin_word word = ids[i] < vocab_size(m->vocab) ? ids[i] : SPIN_WORD_NOT_FOUND;
    uint64_t key = lm_key_start(word);
    for (unsigned n = 2; n <= m->order; ++n) {
        bool first = n - 1 > i; /* the context reaches <s> */
        if (first && !bos)
            break;
        key = lm_key_extend(key, first ? m->bos : ids[i - (n - 1)]);
        const lm_table *t = &m->tables[n];
        const unsigned char *at = t->slots + slot_of(t, key) * t->stride;
        __builtin_prefetch(at);
        __builtin_prefetch(at + 64);
        if (first)
            break;
    }
}

float lm_probing_unigram_logp(const spin_model *m, spin_word word) {
    if (word >= vocab_size(m->vocab))
        word = SPIN_WORD_NOT_FOUND;
    return -fabsf(m->uni[word].prob);
}

bool spin_state_equal(const spin_state *a, const spin_state *b) {
    if (a->length != b->length)
        return false;
    for (unsigned i = 0; i < a->length; ++i)
        if (a->words[i] != b->words[i])
            return false;
    return true;
}

void spin_state_begin_sentence(const spin_model *m, spin_state *out) {
    *out = m->begin_state;
}

void spin_state_null_context(const spin_model *m, spin_state *out) {
    (void)m;
    memset(out, 0, sizeof *out);
}

/* ---- accessors ---- */

unsigned spin_model_order(const spin_model *m) {
    return m->order;
}

uint64_t spin_model_count(const spin_model *m, unsigned n) {
    return n >= 1 && n <= m->order ? m->counts[n] : 0;
}

spin_word spin_vocab_index(const spin_model *m, const char *word, size_t len) {
    return vocab_find(m->vocab, word, len);
}

spin_word spin_vocab_begin_sentence(const spin_model *m) {
    return m->bos;
}

spin_word spin_vocab_end_sentence(const spin_model *m) {
    return m->eos;
}

size_t spin_vocab_size(const spin_model *m) {
    return vocab_size(m->vocab);
}

const char *spin_vocab_word(const spin_model *m, spin_word id, size_t *len) {
    return vocab_word(m->vocab, id, len);
}
