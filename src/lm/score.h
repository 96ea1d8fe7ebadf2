/* score.h - the scoring front end over both storage layouts.
 *
 * lm.c scores the probing layout and trie.c the compact one; this unit is the
 * only one that knows both, so neither of them calls the other.  It also
 * holds the one loop that walks the words of a line in windows: looked up
 * LM_INDEX_BATCH at a time and prefetched LM_AHEAD words ahead (lm.h), which
 * `spinscan query` and spin_score_sentence() share.
 */
#ifndef SPIN_SCORE_H
#define SPIN_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lm/lm.h"

/* log10 p(word) from the empty context: the unigram probability, exactly
 * what spin_full_score() gives from spin_state_null_context(). */
float lm_unigram_logp(const spin_model *m, spin_word word);

/* The words of one line, scored in order.  Words are separated by ASCII
 * white space (space, tab, CR, LF, VT, FF).  Usage:
 *     lm_words w;
 *     lm_words_begin(&w, m, text, len, bos);
 *     while (lm_words_next(&w, &s)) ... w.word_start, w.word_len, w.word_id ...
 *     then lm_words_state(&w) is the state after the last word (for </s>). */
typedef struct lm_words {
    const spin_model *m;
    const char *text;
    size_t len, pos;
    bool bos;
    int cur;
    spin_state st[2];
    size_t k, j, seen;
    size_t start[LM_INDEX_BATCH], wlen[LM_INDEX_BATCH];
    /* The window's words follow the last LM_CARRY words before them, which
     * the slot prefetch reads. */
    spin_word hist[LM_CARRY + LM_INDEX_BATCH];
    /* The word that lm_words_next() just scored. */
    size_t word_start, word_len;
    spin_word word_id;
} lm_words;

/* Starts at <s> when 'bos', else from the empty context. */
void lm_words_begin(lm_words *w, const spin_model *m, const char *text, size_t len, bool bos);
/* Scores the next word into *s; false when there is none. */
bool lm_words_next(lm_words *w, spin_score *s);
/* Scores </s> after the words so far. */
spin_score lm_words_end(lm_words *w);

#endif
