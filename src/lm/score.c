/* score.c - spin_full_score() over both layouts, and the word-window loop. */
#include "lm/score.h"

#include <string.h>

#include "lm/trie.h"

spin_score spin_full_score(const spin_model *m, const spin_state *in, spin_word word,
                           spin_state *out) {
    if (m->trie)
        return trie_full_score(m, in, word, out);
    return lm_probing_full_score(m, in, word, out);
}

float lm_unigram_logp(const spin_model *m, spin_word word) {
    if (m->trie) {
        spin_state null, out;
        spin_state_null_context(m, &null);
        return trie_full_score(m, &null, word, &out).prob;
    }
    return lm_probing_unigram_logp(m, word);
}

static inline bool is_separator(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void lm_words_begin(lm_words *w, const spin_model *m, const char *text, size_t len, bool bos) {
    w->m = m;
    w->text = text;
    w->len = len;
    w->pos = 0;
    w->bos = bos;
    w->cur = 0;
    w->k = w->j = w->seen = 0;
    if (bos)
        spin_state_begin_sentence(m, &w->st[0]);
    else
        spin_state_null_context(m, &w->st[0]);
}

/* Reads the next window of words, looks them up together so their cache
 * misses overlap, and prefetches the slots of its first words. */
static bool next_window(lm_words *w) {
    if (w->k) {
        w->seen += w->k;
        memmove(w->hist, w->hist + w->k, LM_CARRY * sizeof *w->hist);
    }
    size_t k = 0, i = w->pos;
    const char *text = w->text;
    while (k < LM_INDEX_BATCH) {
        while (i < w->len && is_separator((unsigned char)text[i]))
            ++i;
        if (i >= w->len)
            break;
        w->start[k] = i;
        while (i < w->len && !is_separator((unsigned char)text[i]))
            ++i;
        w->wlen[k] = i - w->start[k];
        ++k;
    }
    w->pos = i;
    w->k = k;
    w->j = 0;
    if (k == 0)
        return false;
    spin_word *ids = w->hist + LM_CARRY;
    lm_index_words(w->m, text, w->start, w->wlen, k, ids);
    size_t carry = w->seen < LM_CARRY ? w->seen : LM_CARRY;
    bool bos = w->bos && w->seen == carry;
    for (size_t j = 0; j < LM_AHEAD && j < k; ++j)
        lm_prefetch_word(w->m, ids - carry, carry + j, bos);
    return true;
}

bool lm_words_next(lm_words *w, spin_score *s) {
    if (w->j == w->k && !next_window(w))
        return false;
    size_t j = w->j++;
    spin_word *ids = w->hist + LM_CARRY;
    if (j + LM_AHEAD < w->k) {
        size_t carry = w->seen < LM_CARRY ? w->seen : LM_CARRY;
        lm_prefetch_word(w->m, ids - carry, carry + j + LM_AHEAD, w->bos && w->seen == carry);
    }
    w->word_start = w->start[j];
    w->word_len = w->wlen[j];
    w->word_id = ids[j];
    *s = spin_full_score(w->m, &w->st[w->cur], ids[j], &w->st[w->cur ^ 1]);
    w->cur ^= 1;
    return true;
}

spin_score lm_words_end(lm_words *w) {
    spin_score s = spin_full_score(w->m, &w->st[w->cur], w->m->eos, &w->st[w->cur ^ 1]);
    w->cur ^= 1;
    return s;
}

spin_sentence_score spin_score_sentence(const spin_model *m, const char *text, size_t len,
                                        unsigned flags, spin_score *words) {
    spin_sentence_score res = {0.0f, 0, 0};
    lm_words w;
    spin_score s;
    lm_words_begin(&w, m, text, len, (flags & SPIN_SCORE_BOS) != 0);
    while (lm_words_next(&w, &s)) {
        res.total += s.prob;
        res.oov += s.oov;
        if (words)
            words[res.tokens] = s;
        ++res.tokens;
    }
    if (flags & SPIN_SCORE_EOS) {
        s = lm_words_end(&w);
        s.oov = false;
        res.total += s.prob;
        if (words)
            words[res.tokens] = s;
        ++res.tokens;
    }
    return res;
}
