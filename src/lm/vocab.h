/* vocab.h - the model's vocabulary: word spelling <-> spin_word index.
 *
 * Invariants: index 0 is the unknown word and always exists; the other indices
 * are handed out from 1 in insertion order (the unigram file order), one per
 * insertion, so ids match KenLM's probing/ARPA ids.  Inserting a spelling that is
 * already present still takes a new index (as KenLM does), but lookups keep
 * returning the first.  The spellings "<unk>" and "<UNK>" are never inserted:
 * they name index 0.
 * Lookups identify a word by its 64-bit hash and length, as KenLM does (see
 * vocab.c for what that risks and how insertion stays exact).
 */
#ifndef SPIN_VOCAB_H
#define SPIN_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

typedef struct vocab vocab;

vocab *vocab_new(size_t expected);
void vocab_free(vocab *v);

/* Adds 'word'; *id receives its index, *duplicate whether the spelling was
 * already present (its lookups keep the first index).  SPIN_ENOMEM on failure. */
spin_status vocab_insert(vocab *v, const char *word, size_t len, spin_word *id, bool *duplicate);

/* The index of 'word', or 0 if absent. */
spin_word vocab_find(const vocab *v, const char *word, size_t len);

/* The same with 'h' = vocab_hash(word, len) computed by the caller, who may
 * have called vocab_prefetch(v, h) earlier to overlap the cache miss. */
spin_word vocab_find_hashed(const vocab *v, const char *word, size_t len, uint64_t h);
void vocab_prefetch(const vocab *v, uint64_t h);

/* True for the spellings of the unknown word. */
bool vocab_is_unk(const char *word, size_t len);

/* Copies the 'k' words with the highest score[id] (the unigram log10
 * probabilities; -|x| is used, so sign flags do not matter) into a small
 * lookup table that stays in cache.  Call once, after the last insertion;
 * lookups stay read-only and thread-safe. */
spin_status vocab_build_hot(vocab *v, const float *score, size_t k);

size_t vocab_size(const vocab *v);
const char *vocab_word(const vocab *v, spin_word id, size_t *len);

/* The vocabulary's arrays as they lie in memory, for the binary model format
 * (binfmt.c), which writes them verbatim and maps them back.  A slot is 16
 * bytes {u64 hash, u32 index+1 (0 = empty), u32 length}; 'start' holds one
 * u64 offset per index; every spelling in 'arena' ends with a NUL.
 *
 * The compact form (vocab_build_tags) replaces the slots by sorted tags: one
 * u64 per distinct spelling, (hash >> id_bits) << id_bits | index, where
 * id_bits is the width of the largest index, in ascending order; and
 * buckets[b] (b < 2^bucket_bits, plus one closing entry) = the first tag whose
 * top bucket_bits bits are >= b.  A lookup reads two bucket entries and scans
 * a handful of tags: 8 bytes per word and a little, and it never reads a
 * spelling (unless two spellings share a tag: then 'verify'). */
typedef struct vocab_image {
    const void *slots; /* slot_count slots, slot_count a power of two; NULL if compact */
    size_t slot_count;
    const void *hot; /* hot_count slots (a power of two), or NULL and 0 */
    size_t hot_count;
    const uint64_t *tags;    /* compact: [tag_count], else NULL */
    size_t tag_count;        /* distinct spellings */
    const uint32_t *buckets; /* compact: [(1 << bucket_bits) + 1] */
    unsigned bucket_bits, id_bits;
    const uint64_t *start; /* [count] */
    size_t count;          /* indices, including 0 */
    size_t used;           /* occupied slots in 'slots' */
    const char *arena;
    size_t arena_len;
    bool verify; /* two spellings share a hash */
} vocab_image;

#define VOCAB_SLOT_BYTES 16

/* The compact form's arrays of 'v' (see vocab_image), owned by the caller
 * (vocab_tags_free).  SPIN_ENOMEM on failure. */
typedef struct vocab_tags {
    uint64_t *tags;
    size_t count;
    uint32_t *buckets; /* [(1 << bucket_bits) + 1] */
    unsigned bucket_bits, id_bits;
    bool verify; /* two spellings share a tag */
} vocab_tags;
spin_status vocab_build_tags(const vocab *v, vocab_tags *out);
void vocab_tags_free(vocab_tags *t);

/* Describes 'v' (which must outlive the image).  Requires 64-bit size_t. */
void vocab_get_image(const vocab *v, vocab_image *out);

/* Checks that 'im' describes a vocabulary that is safe to use: indices in
 * range, an empty slot in each table (so that lookups end), buckets in
 * order and within the tags, and with 'spellings' also offsets increasing and
 * spellings NUL-terminated, so that no lookup on a view of it reads out of
 * bounds or loops.  (Whether each hash matches its spelling is left to the
 * file's checksums: a wrong one only makes a word unfindable.  Unchecked
 * spellings are checked one by one when read: a bad one reads as "".)  On
 * failure returns false, and *where and *what say which array ("slots", "hot",
 * "tags", "buckets", "start", "arena") and which element. */
bool vocab_image_check(const vocab_image *im, bool spellings, const char **where, size_t *element,
                       const char **what);

/* A read-only vocabulary that borrows the arrays of 'im' (they must outlive
 * it, and are not freed by vocab_free).  NULL when out of memory. */
vocab *vocab_view(const vocab_image *im);

/* A fast 64-bit hash of a byte string (also used by other modules). */
uint64_t vocab_hash(const char *s, size_t len);

#endif
