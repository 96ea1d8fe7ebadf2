/* trie.h - the compact layout: a trie over reversed n-grams in bit-packed
 * sorted arrays (KenLM's "trie" in spirit, not in code).
 *
 * Invariants:
 * - Level 1 is the unigram array (lm_unigram, as in the probing layout) plus
 *   next1[w] .. next1[w+1], the range of level 2 holding the bigrams that end
 *   with word w.  next1 has vocab_size + 1 entries.
 * - Level n (2 <= n <= order) holds every n-gram the probing tables would hold
 *   (entries and blanks), sorted by their words newest first.  So the n-grams
 *   that extend one (n-1)-gram by an older word are contiguous, sorted by that
 *   older word, and in the order of their parents.
 * - A record is, from its first bit: the older word (word_bits), the
 *   probability (prob_bits), then below the top order the backoff
 *   (backoff_bits) and 'next', the index in level n+1 of its first child
 *   (next_bits).  Each level ends with one sentinel record whose 'next' closes
 *   the last range, then 8 bytes of padding so that every field can be read
 *   with one unaligned 64-bit load.
 * - 'next' is stored relative to a block of 2^next_block_bits records:
 *   next(i) = next_base[i >> next_block_bits] + field(i), where next_base[b]
 *   is next(b << next_block_bits).  The builder picks the block size that
 *   needs the fewest bytes: children are few for most n-grams, so the field
 *   needs far fewer bits than an index into the next level (measured on the
 *   default model: 15 and 11 bits instead of 22).
 * - Exact values are floats with their exponent field narrowed, losslessly:
 *   a level's nonzero exponents lie in [base + 1, base + 2^k - 1], so the
 *   exponent is stored as E - base in k bits (0 stays 0: zeros and subnormals
 *   keep their exponent).  prob keeps the k + 23 bits of its magnitude (readers
 *   see -|p| anyway), backoff also its sign bit (its sign bits are flags, see
 *   lm.h).  base 0 and k 8 are the plain 31 and 32 bits.
 *   Quantized values: a code indexes a table of 2^bits floats.  Backoff codes
 *   0 and 1 are exactly -0.0 and +0.0, so the "no extension" flag survives.
 * - The "independent left" flag needs no bit: an n-gram extends left exactly
 *   when it has children.
 */
#ifndef SPIN_TRIE_H
#define SPIN_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lm/lm.h"

typedef struct trie_level {
    const unsigned char *bits; /* records + 1 packed records, then 8 bytes */
    uint64_t records;          /* not counting the sentinel */
    unsigned word_bits, prob_bits, backoff_bits, next_bits, record_bits;
    unsigned prob_exp_base, backoff_exp_base; /* exact values: see above */
    const float *prob_codes;                  /* [1 << prob_bits], NULL when exact */
    const float *backoff_codes;               /* [1 << backoff_bits], NULL when exact */
    const uint32_t *next_base; /* [(records >> next_block_bits) + 1], below the top order */
    unsigned next_block_bits;
} trie_level;

typedef struct lm_trie {
    const uint32_t *next1; /* [vocab_size + 1] */
    trie_level level[SPIN_MAX_ORDER + 1];
} lm_trie;

/* Bytes of a level's packed array (sentinel and padding included). */
uint64_t trie_level_bytes(uint64_t records, unsigned record_bits);

/* A trie built in memory by trie_build(), owned by its caller: buffers to
 * write to a file (binfmt.c) and free with trie_built_free(). */
typedef struct trie_built {
    uint32_t *next1;
    size_t next1_count;
    unsigned char *level[SPIN_MAX_ORDER + 1];
    uint64_t level_bytes[SPIN_MAX_ORDER + 1];
    float *codes[SPIN_MAX_ORDER + 1]; /* prob codes then backoff codes, or NULL */
    size_t code_count[SPIN_MAX_ORDER + 1];
    uint32_t *base[SPIN_MAX_ORDER + 1]; /* next_base of each level but the top */
    size_t base_count[SPIN_MAX_ORDER + 1];
    lm_trie shape; /* bit widths and record counts (pointers not set) */
} trie_built;

/* Builds the compact layout of 'm', which must have been read with
 * m->record set.  'prob_bits'/'backoff_bits' 0 keep values exact.  Returns
 * SPIN_ENOMEM, or SPIN_EFORMAT if the recorded n-grams are inconsistent
 * (*why says how). */
spin_status trie_build(const spin_model *m, unsigned prob_bits, unsigned backoff_bits,
                       trie_built *out, const char **why);
void trie_built_free(trie_built *t);

/* spin_full_score() for a model with the compact layout. */
spin_score trie_full_score(const spin_model *m, const spin_state *in, spin_word word,
                           spin_state *out);

#endif
