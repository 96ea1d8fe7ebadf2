/* family.h - spin families: the many rewrites (and copies) of one document in
 * a crawl, found without any synonym dictionary (docs/families.md).
 *
 * 1. Skeleton (fam_signature): the words a thesaurus spinner leaves alone
 *    are kept - function words (a closed list), numbers, capitalised names
 *    and all-caps words that do not start a sentence, and the punctuation
 *    . , ; : ! ? ( ) - while every run of other ("content") words becomes one
 *    class token W, so "restore" and "bring back" give the same skeleton.
 *    Shingles: FAM_SHINGLE consecutive skeleton tokens, hashed with xxHash
 *    (XXH3).  A second set, FAM_WSHINGLE consecutive lower-cased words, tells
 *    a copy from a rewrite.
 * 2. Signature: MinHash by one permutation hashing, FAM_K_SKEL bins of the
 *    skeleton shingles and FAM_K_WORD of the word shingles, each keeping the
 *    least hash that falls in it; a fixed FAM_SIG_BYTES per document,
 *    whatever its length.
 * 3. Candidates: LSH banding, FAM_BANDS bands of FAM_ROWS skeleton minima;
 *    documents with an equal band share a bucket, and each is compared with
 *    the FAM_WINDOW before it in the bucket (in the canonical order below), so
 *    the work is linear in the crawl even for a huge bucket.
 * 4. Verification: a candidate pair joins when the estimated skeleton
 *    Jaccard (equal minima / FAM_K_SKEL) is >= FAM_JOIN; union-find makes the
 *    families.  A verified pair is a copy when the estimated word-shingle
 *    Jaccard is >= FAM_DUP_MIN and >= FAM_DUP_RATIO times the skeleton one
 *    (a copy changes words and skeleton alike, a rewrite the words only),
 *    else a rewrite; a family with a rewrite pair is "spun", else
 *    "duplicate".
 * Everything depends on the set of (id, signature) only, never on input
 * order: documents are put in a canonical order (id bytewise, then score,
 * then signature) first, so shards merged give the families of one run.
 *
 * 5. Substitutions (fam_subs): a family's members aligned on their skeletons
 *    against one pivot member; aligned content words that differ are the
 *    spinner's synonym sets ("restore", "regain", "bring back").
 *
 * Threads: fam_signature is pure (call it from any thread); a fam_set and a
 * fam_subs are used by one thread.
 */
#ifndef SPIN_FAMILY_H
#define SPIN_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spinscan.h"

#define FAM_SHINGLE 5  /* skeleton tokens per shingle */
#define FAM_WSHINGLE 3 /* words per word shingle */
#define FAM_K_SKEL 64  /* skeleton minima */
#define FAM_K_WORD 32  /* word minima */
#define FAM_BANDS 16
#define FAM_ROWS 4 /* FAM_BANDS * FAM_ROWS == FAM_K_SKEL; a band of empty bins is skipped */
#define FAM_WINDOW 4
#define FAM_MIN_SHINGLES 8 /* fewer skeleton shingles: too short for a family */
#define FAM_JOIN 0.5       /* estimated skeleton Jaccard to join */
#define FAM_DUP_MIN 0.5    /* a copy: estimated word Jaccard at least this */
#define FAM_DUP_RATIO 0.8  /* and at least this times the skeleton Jaccard */
#define FAM_SIG_BYTES ((FAM_K_SKEL + FAM_K_WORD + 1) * 4)

/** A document's signature: fixed size. */
typedef struct fam_sig {
    uint32_t nshingles;        /**< distinct skeleton shingles (capped); < FAM_MIN_SHINGLES: none */
    uint32_t skel[FAM_K_SKEL]; /**< least hash per bin; UINT32_MAX: empty */
    uint32_t word[FAM_K_WORD];
} fam_sig;

/** The signature of the 'len' bytes of text at 'text' (UTF-8). */
void fam_signature(const char *text, size_t len, fam_sig *out);

/** Estimated skeleton and word-shingle Jaccard of two signatures: equal
 *  bins over bins not empty in both (skeleton: 0 if either is too short). */
double fam_skel_similarity(const fam_sig *a, const fam_sig *b);
double fam_word_similarity(const fam_sig *a, const fam_sig *b);

typedef enum fam_kind { FAM_NONE, FAM_SPUN, FAM_DUPLICATE } fam_kind;

/** "spun", "duplicate" or NULL. */
const char *fam_kind_name(fam_kind k);

/** What a document learns from its family. */
typedef struct fam_info {
    char id[20];   /**< "f" and 16 hex digits (xxHash of the family's least member id), or "" */
    uint32_t size; /**< members; 1 when in no family */
    fam_kind kind;
} fam_info;

/** The spin score in millionths of a document whose text alone scores
 *  'units' and whose family is 'fi': in a spun family of 3 or more,
 *  1 - (1 - s)(1 - w) with w = min(FAM_BOOST_MAX, 1 - FAM_BOOST_BASE^(size - 2));
 *  otherwise unchanged. */
#define FAM_BOOST_BASE 0.6
#define FAM_BOOST_MAX 0.95
uint32_t fam_boost_units(uint32_t units, const fam_info *fi);

typedef struct fam_set fam_set;

spin_status fam_set_new(fam_set **out);
void fam_set_free(fam_set *fs);
/** Adds a document: its id ('id_len' bytes, copied), its text-only score in
 *  millionths and its signature.  Returns its index (the order of adding). */
spin_status fam_set_add(fam_set *fs, const char *id, size_t id_len, uint32_t score,
                        const fam_sig *sig, size_t *index);
size_t fam_set_count(const fam_set *fs);
/** Finds the families (after the last add; may be called again after more). */
spin_status fam_set_solve(fam_set *fs);
/** The family of document 'index' (after fam_set_solve). */
void fam_set_info(const fam_set *fs, size_t index, fam_info *out);
/** The text-only score of document 'index'. */
uint32_t fam_set_score(const fam_set *fs, size_t index);
/** The id of document 'index'. */
const char *fam_set_id(const fam_set *fs, size_t index, size_t *len);
/** A document with this id not yet taken by an earlier call (documents with
 *  the same id are handed out in their canonical order); SIZE_MAX if none.
 *  After fam_set_solve. */
size_t fam_set_take(fam_set *fs, const char *id, size_t id_len);

/** Families of two or more members, in the canonical order of their least
 *  member: calls 'fn' once per family with its members' indices (canonical
 *  order) and its info; stops when 'fn' returns non-zero. */
int fam_set_each(const fam_set *fs,
                 int (*fn)(void *ctx, const size_t *members, size_t n, const fam_info *fi),
                 void *ctx);

/* ---- signature files (docs/families.md) ----
 * Little-endian.  A header of 32 bytes: "SPINFAM1", then u32 values: format
 * version (1), FAM_K_SKEL, FAM_K_WORD, FAM_SHINGLE, FAM_WSHINGLE, and
 * FAM_MIN_SHINGLES.  Then one record per document: u32 id length, u32 text
 * score in millionths, u32 nshingles, the id's bytes, FAM_K_SKEL u32 skeleton
 * minima, FAM_K_WORD u32 word minima. */

/** Writes every document of 'fs' to 'f' (in the order added).  SPIN_EIO on a
 *  write error. */
spin_status fam_set_write(const fam_set *fs, FILE *f);
/** Adds every record of the signature file 'f' (named 'path' in messages) to
 *  'fs'.  SPIN_EFORMAT with the byte offset in 'diag' if it is not one
 *  fam_set_write wrote with these parameters. */
spin_status fam_set_read(fam_set *fs, FILE *f, const char *path, spin_diag *diag);

/* ---- substitution sets ---- */

typedef struct fam_subs fam_subs;

/** Starts the substitution sets of a family with its pivot member's text
 *  (copied as needed). */
spin_status fam_subs_new(const char *text, size_t len, fam_subs **out);
void fam_subs_free(fam_subs *s);
/** Aligns another member with the pivot and records what differs. */
spin_status fam_subs_add(fam_subs *s, const char *text, size_t len);
/** The sets of two or more variants, each sorted, the sets sorted by their
 *  first variant: calls 'fn' per set with its strings; returns the number. */
size_t fam_subs_each(fam_subs *s, void (*fn)(void *ctx, const char *const *words, size_t n),
                     void *ctx);

#endif
