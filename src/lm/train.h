/* train.h - estimating an interpolated modified Kneser-Ney model as KenLM's
 * lmplz does, and writing it as ARPA.
 *
 * Usage: train_new(), then train_add_line() / train_add_file() for the whole
 * corpus (one sentence per line, tokens separated by whitespace), then
 * train_estimate() once, then train_write_arpa().  train_free() releases it.
 *
 * What lmplz does, and so what this does (checked against lmplz's own output in
 * ../shared/fixtures/kenlm):
 * - Every line is one sentence, padded as <s> w1 .. wk </s>; an empty line is
 *   "<s> </s>".  Literal <s>, </s> and <unk> (and <UNK>, which readers take as
 *   <unk>) in the text count as whitespace, with one warning.
 * - Adjusted counts: top-order n-grams and n-grams starting with <s> keep their
 *   raw counts; every other lower-order n-gram counts its distinct one-word left
 *   extensions.
 * - Discounts per order from the counts-of-counts t1..t4 of adjusted counts
 *   (unigrams <s> and <unk> excluded): Y = t1/(t1 + 2 t2), Dk = k - (k+1) Y
 *   t(k+1)/tk, in float.  A tk of 0, or a Dk outside [0, k], is an error unless
 *   the fallback discounts are allowed.
 * - p(w|c) = (a(cw) - D(a)) / sum_x a(cx) + gamma(c) p(w|c'), gamma(c) =
 *   (D1 N1(c) + D2 N2(c) + D3 N3+(c)) / sum_x a(cx); unigrams interpolate with
 *   the uniform distribution over the vocabulary without <s>.  The ARPA backoff
 *   of c is gamma(c).  <s> is written with log10 probability 0.
 * - Pruning (lmplz --prune): an n-gram of order n >= 2 is pruned when its raw
 *   count (occurrences in the padded text, not the adjusted count) is at most
 *   prune[n-1].  The thresholds are non-decreasing and prune[0] is 0, so every
 *   context and suffix of a kept n-gram is kept too.  Pruning changes neither
 *   the adjusted counts nor the counts-of-counts, so the discounts are those of
 *   the unpruned model.  A context keeps the whole mass of its pruned
 *   extensions for backing off: gamma(c) = (sum over kept w of D(a(cw)) + sum
 *   over pruned w of a(cw)) / sum over all w of a(cw), and kept n-grams keep
 *   (a - D(a)) / sum a, so the model stays normalized.  A kept n-gram all of
 *   whose extensions were pruned gets gamma 1 (backoff 0).
 */
#ifndef SPIN_TRAIN_H
#define SPIN_TRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "spinscan.h"

/* Called between stages and while reading; 'done' of 'total' units of 'stage'
 * (total 0 = unknown).  Cheap to call often; the caller rate-limits drawing. */
typedef void (*train_progress_fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);

typedef struct train_options {
    unsigned order;         /* 2 .. SPIN_MAX_ORDER */
    bool discount_fallback; /* use 'fallback' where a discount cannot be estimated */
    float fallback[3];      /* D1, D2, D3+ (lmplz: 0.5 1 1.5) */
    /* [n-1]: prune n-grams of order n whose raw count is <= this; 0 = keep
     * all.  Non-decreasing in n up to 'order', and prune[0] must be 0. */
    uint64_t prune[SPIN_MAX_ORDER];
    spin_warn_fn warn; /* may be NULL */
    void *warn_ctx;
    train_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} train_options;

/* Defaults: order 4, no fallback, fallback values 0.5 1 1.5, no pruning, no
 * callbacks. */
void train_options_init(train_options *opts);

/* What train_estimate() found. */
typedef struct train_stats {
    unsigned order;
    uint64_t sentences;                           /* lines read */
    uint64_t tokens;                              /* words, without <s> and </s> */
    uint64_t dropped;                             /* literal <s>, </s>, <unk> skipped */
    uint64_t ngrams[SPIN_MAX_ORDER];              /* [n-1]: n-grams in the model */
    uint64_t ngrams_counted[SPIN_MAX_ORDER];      /* [n-1]: before pruning */
    uint64_t counts_of_counts[SPIN_MAX_ORDER][5]; /* [n-1][k]: adjusted count k, 1..4 */
    float discount[SPIN_MAX_ORDER][4];            /* [n-1][k]: D1, D2, D3+ at k = 1..3 */
    bool used_fallback[SPIN_MAX_ORDER];
} train_stats;

typedef struct train_model train_model;

/* A new, empty trainer; 'opts' is copied.  SPIN_EINVAL for a bad order,
 * fallback discount or pruning thresholds (the message says which). */
spin_status train_new(const train_options *opts, train_model **out, spin_diag *diag);
void train_free(train_model *m);

/* Adds one sentence: the 'len' bytes at 'line', tokens separated by space, TAB,
 * CR, VT or FF (a trailing '\n' is allowed).  'where'/'line_no' only label
 * errors (a NUL byte, a count overflow). */
spin_status train_add_line(train_model *m, const char *line, size_t len, const char *where,
                           uint64_t line_no, spin_diag *diag);

/* Adds the file at 'path' ("-" = standard input), which may be
 * gzip-compressed.  With 'tokenized' every line is a sentence as for
 * train_add_line(); otherwise the text goes through spinscan's tokenizer
 * (tokenize.h) first, exactly as `spinscan tokenize` would print it. */
spin_status train_add_file(train_model *m, const char *path, bool tokenized, spin_diag *diag);

/* Computes adjusted counts, discounts and probabilities; fills 'stats' (may be
 * NULL).  Call once, after the last line.  A discount that cannot be estimated
 * fails with SPIN_EFORMAT and lmplz's wording unless fallback is on. */
spin_status train_estimate(train_model *m, train_stats *stats, spin_diag *diag);

/* Writes the estimated model as ARPA to 'path', gzip-compressed when the name
 * ends in ".gz".  Writes a temporary file beside it and renames it into place,
 * so an existing 'path' survives any failure. */
spin_status train_write_arpa(const train_model *m, const char *path, spin_diag *diag);

#endif
