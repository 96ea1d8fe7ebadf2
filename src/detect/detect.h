/* detect.h - spin detection: per-sentence features from the language model,
 *
 * Subsystem detect (src/detect/): from scored tokens to verdicts.  Features
 * and the calibrated detector (detect), robust statistics over GSL (stats),
 * fitting the detector (calibrate) and the text, JSON and HTML reports
 * (report).  May call: util, text, lm.
 * robust statistics, and calibrated sentence and document spin scores.
 *
 * Pipeline for one document (detect_run):
 * 1. tokenize.h segments the text into sentences (prose, heading, boilerplate)
 *    with byte offsets, and normalizes the tokens the model sees;
 * 2. every sentence is scored word by word through the model (spin_full_score),
 *    giving log10 probabilities, n-gram match lengths and OOVs, and the same
 *    words from the empty context give unigram probabilities (for SLOR);
 * 3. features per sentence (det_feature) are standardized against the
 *    reference distribution of natural text stored in the parameters
 *    (median and Qn scale per feature), and one logistic model per family of
 *    machine-made text turns them into a probability; the spun family's is
 *    the sentence's spin, unless step 5 finds the document to be salad or
 *    stuffing, when that family's probability replaces it;
 * 4. within the document, robust location and scale (median, MAD, Qn) of the
 *    sentence scores give each sentence a robust z-score; outliers are flagged;
 * 5. document features (aggregates of 3 and 4, means of the sentence
 *    features, and vocabulary statistics) go through one logistic model per
 *    family of machine-made text (spun, salad, stuffing), each fitted against
 *    natural text; the most confident one is the document's spin score in
 *    [0, 1], and decides the verdict.
 * Headings and boilerplate are scored by the model (they count in the
 * document's perplexity) but are never judged as prose: their spin is 0 and
 * they are never flagged.
 *
 * Parameters (det_params) are fitted by `spinscan calibrate` on synthetic data
 * made from text the model never saw, and stored beside the model.
 *
 * Threads: det_params and the model are shared read-only; a detector holds a
 * tokenizer and scratch space and serves one thread at a time.
 */
#ifndef SPIN_DETECT_H
#define SPIN_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spinscan.h"
#include "text/tokenize.h"

/* Per-sentence features.  All are "larger = more suspicious" after
 * standardization, so that the logistic weights are easy to read. */
typedef enum det_feature {
    DET_F_NLOGP,       /* -log10 P per token (</s> included): log perplexity */
    DET_F_NSLOR,       /* -SLOR: -(log P_lm - log P_unigram) / tokens */
    DET_F_OOV,         /* share of tokens not in the vocabulary */
    DET_F_SHORT_MATCH, /* share of tokens whose longest match is a unigram */
    DET_F_FREQ_BREAK,  /* share of frequent-word pairs the model never saw together */
    DET_F_NMATCH,      /* 1 - mean match length / order */
    DET_F_MIN_LOGP,    /* -min log10 p of a word in the sentence */
    DET_F_REPEAT,      /* content words repeated within a few tokens, per token */
    DET_F_CONT_FAIL,   /* share of bigram matches that do not extend to a trigram */
    DET_F_LLR,         /* (log P_spun - log P_lm) per token, with a spun model; else 0 */
    DET_F_LLR_HITS,    /* share of words the spun model finds at least twice as likely */
    DET_F_LLR_MAX,     /* the largest log10 ratio of one word */
    /* Added for issue 14 (a detector file may lack them: weight 0). */
    DET_F_RARITY, /* mean unigram surprisal (-log10 P) of the content words; 0 without any */
    DET_NFEATURES
} det_feature;

/* Per-document features, fed to the document's logistic model. */
typedef enum det_doc_feature {
    DET_D_MEAN_SPIN, /* mean sentence spin over prose */
    DET_D_TOP_SPIN,  /* mean of the highest third of sentence spins */
    DET_D_FLAGGED,   /* share of prose sentences flagged on their own evidence, before the
                      * document's verdict flags more (named "flagged" in detector files,
                      * "flagged_own" in JSON; the result's   'flagged' counts every flag) */
    DET_D_TOP_WORD,  /* share of content tokens taken by the 3 most frequent content words */
    DET_D_FEATURE,   /* then, per sentence feature, its token-weighted mean over prose */
    /* Added for issue 14 (a detector file may lack them: weight 0). */
    DET_D_REP_PHRASE = DET_D_FEATURE + DET_NFEATURES, /* repeated content-word pairs entered
                                                       * by a surprising word, per pair */
    DET_NDOC_FEATURES
} det_doc_feature;

const char *det_feature_name(det_feature f);
/* The smallest reference scale a feature may have (rates that are 0 for most
 * natural sentences would otherwise make any nonzero value infinitely odd). */
double det_feature_floor(det_feature f);
const char *det_doc_feature_name(det_doc_feature f);

/* The families of machine-made text, each with its own document model:
 * thesaurus spinning, word salad (shuffled or Markov text), keyword stuffing. */
typedef enum det_family { DET_FAM_SPUN, DET_FAM_SALAD, DET_FAM_STUFFING, DET_NFAMILIES } det_family;
const char *det_family_name(det_family f); /* "spun", "salad", "stuffing" */

/* "salad" covers word salad and keyword stuffing.  "unsupported": the
 * detector abstains (see det_abstain): the document is not English, or too
 * short, mostly unknown words, or mostly markup or code; its spin_score is NaN
 * (null in JSON) and no sentence is flagged. */
typedef enum det_verdict {
    DET_NATURAL,
    DET_SUSPECT,
    DET_SPUN,
    DET_SALAD,
    DET_STUFFING, /* keyword stuffing: its own verdict, not "salad" (issue 18) */
    DET_UNSUPPORTED
} det_verdict;
/* "natural", "suspect", "spun", "salad", "stuffing", "unsupported" */
const char *det_verdict_name(det_verdict v);

/* Why the detector abstains on a document (DET_ABSTAIN_NONE: it judges it).
 * The gates, in this order (the first that holds is the reason):
 * - not English: CLD2 (text/langid.h) names a language and finds under
 *   DET_MIN_ENGLISH_PCT percent of the text English;
 * - too short: fewer than DET_MIN_PROSE_TOKENS tokens of prose;
 * - markup or code: under DET_MIN_PROSE_SHARE of the tokens are in prose
 *   sentences (the rest are headings and boilerplate lines: code, tables,
 *   lists of part numbers);
 * - unknown words: over DET_MAX_OOV_SHARE of the prose tokens are not in the
 *   model's vocabulary. */
typedef enum det_abstain {
    DET_ABSTAIN_NONE,
    DET_ABSTAIN_LANGUAGE,
    DET_ABSTAIN_SHORT,
    DET_ABSTAIN_MARKUP,
    DET_ABSTAIN_OOV
} det_abstain;
/* "", "not English", "too short", "mostly markup or code", "mostly unknown words" */
const char *det_abstain_name(det_abstain a);
#define DET_MIN_ENGLISH_PCT 50
#define DET_MIN_PROSE_TOKENS 12
#define DET_MIN_PROSE_SHARE 0.5
#define DET_MAX_OOV_SHARE 0.3

/* ---- parameters ---- */

typedef struct det_params {
    /* Reference distribution of natural prose sentences, per feature. */
    double ref_median[DET_NFEATURES];
    double ref_scale[DET_NFEATURES]; /* Qn, never 0 */
    /* Sentence models, one per family: P = 1 / (1 + exp(-(w0 + sum w[i] z_i)))
     * on the standardized features.  A sentence's spin is its spun-family
     * probability, or, in a document judged salad or stuffing, that family's. */
    double sent_w0[DET_NFAMILIES], sent_w[DET_NFAMILIES][DET_NFEATURES];
    /* Document models, one per family, on raw document features:
     * P(family | natural or family) = 1 / (1 + exp(-(w0 + sum w[i] x_i))). */
    double fam_w0[DET_NFAMILIES], fam_w[DET_NFAMILIES][DET_NDOC_FEATURES];
    /* The document score: one logistic model of natural text against every
     * machine-made family at once, on the same document features (fitted on
     * features chosen for their transfer to unseen thesauri and domains,
     * docs/detector.md).  The family models above only name the kind of a
     * document it scores high (spun, or salad for salad and stuffing): a
     * maximum over three models, each calibrated on in-domain natural text,
     * turned every domain shift into false positives (issue 14).  Without it
     * (has_pooled false: a file from before) the score is the largest family
     * probability. */
    bool has_pooled;
    double doc_w0, doc_w[DET_NDOC_FEATURES];
    /* The median of each document feature over the natural documents it was
     * fitted on (has_doc_ref false in a file from before): the reference that
     * det_adapt moves to a crawl's own. */
    bool has_doc_ref;
    double doc_ref[DET_NDOC_FEATURES];
    /* Sentences with spin >= flag_spin, or a within-document robust z >=
     * flag_z with spin >= flag_spin_z, are flagged; in a document whose score
     * reaches 'spun', so is every sentence with spin >= min(0.5, flag_spin_doc). */
    double flag_spin, flag_z, flag_spin_z, flag_spin_doc;
    /* Verdicts: natural below 'suspect', spun (or salad) from 'spun' up. */
    double suspect, spun;
    bool needs_spun;  /* fitted with a spun model: the detector must have one */
    char source[256]; /* what it was fitted on, for the record */
} det_params;

/* Parameters that work without calibration: a hand-set reference and weights
 * (used when no calibration file accompanies a model). */
void det_params_default(det_params *p);

/* Reads / writes the text format of `spinscan calibrate`.  load fills 'p';
 * a malformed file is SPIN_EFORMAT with the line (and the byte offset at which
 * it starts) in 'diag', or line 0 when the file as a whole is wrong (empty, a
 * feature missing, larger than 1 MiB).  Lines are at most 1023 bytes, without
 * NUL bytes. */
spin_status det_params_load(const char *path, det_params *p, spin_diag *diag);
/* det_params_load from the 'len' bytes at 'text'; 'name' is the path given in
 * 'diag'. */
spin_status det_params_parse(const char *text, size_t len, const char *name, det_params *p,
                             spin_diag *diag);
/* Writes the parameters to 'path' safely (a temporary file beside it, synced
 * and renamed; see detect.c), or in place when 'path' is a device or FIFO. */
spin_status det_params_save(const det_params *p, const char *path, spin_diag *diag);
/* The same text to an open stream (flushed); 'name' is the path for 'diag'. */
spin_status det_params_write(const det_params *p, FILE *f, const char *name, spin_diag *diag);

/* ---- results ---- */

/* Why a sentence was flagged (det_sentence.reason). */
typedef enum det_reason {
    DET_REASON_NONE,      /* not flagged */
    DET_REASON_THRESHOLD, /* its spin reached the flag threshold (flag_spin) */
    DET_REASON_OUTLIER,   /* a within-document outlier: z >= flag_z with spin >= flag_spin_z */
    DET_REASON_DOCUMENT,  /* in a document judged machine-made (spin_score >= spun), its
                           * family's spin >= the lower of 0.5 and flag_spin_doc */
    DET_REASON_ARTEFACT   /* it carries a spinner artefact (det_sentence.artefact) */
} det_reason;
/* null (NONE), "threshold", "outlier", "document", "artefact" */
const char *det_reason_name(det_reason r);

/* Evidence per word (det_result.words): what the scorer knew about it. */
typedef struct det_word {
    size_t start, end; /* UTF-8 byte offsets of the token in the document */
    float logp;        /* log10 P(word | context) under the model */
    float llr;         /* log10 P_spun - log10 P: > 0 where the spun model likes it more; 0
                        * without a spun model */
    float unigram;     /* log10 P(word) alone */
    bool oov;
} det_word;

/* Traces a rewrite leaves that fluent writing almost never has, each tested
 * against the model (docs/detector.md, "Spinner artefacts"). */
typedef enum det_artefact {
    DET_ART_NONE,
    DET_ART_ECHO,     /* a content word repeated across a comma: "pain, pain", "w, x, and w" */
    DET_ART_RELOCATED /* "N that is A" that the model reads far better as "A N" */
} det_artefact;
/* null (NONE), "repeated word", "relocated modifier" */
const char *det_artefact_name(det_artefact a);

typedef struct det_sentence {
    size_t start, end;             /* UTF-8 byte offsets into the document, end exclusive */
    tok_seg_kind kind;             /* prose, heading, boilerplate */
    bool split;                    /* cut at the tokenizer's length cap */
    uint32_t tokens;               /* tokens scored, </s> not included */
    uint32_t oov;                  /* of which unknown to the model */
    float log10prob;               /* sum over the tokens and </s>, as KenLM sums */
    double perplexity;             /* 10^(-log10prob / (tokens + 1)) */
    double feature[DET_NFEATURES]; /* raw feature values */
    double family[DET_NFAMILIES];  /* each family's sentence model */
    double spin;                   /* calibrated P(machine-made), 0 for headings and boilerplate */
    double z;                      /* robust z of 'spin' within the document */
    bool flagged;
    det_reason reason;           /* why flagged (DET_REASON_NONE when not) */
    det_family family_used;      /* the family whose sentence model gave 'spin' */
    size_t word0, nwords;        /* its words: det_result.words[word0 .. word0 + nwords) */
    det_artefact artefact;       /* the first artefact found (prose only) */
    size_t art_word, art_nwords; /* where: its words, relative to word0 */
    double art_gain;       /* log10 of how much better the model reads the restored text (SLOR for
                            * a relocation); 0 for a repeated word */
    char art_restored[96]; /* the restored words, for the report ("" for a repeated word) */
} det_sentence;

typedef struct det_result {
    det_sentence *sentences; /* [nsentences], in document order */
    size_t nsentences, cap;
    det_word *words; /* [nwords]: every scored token, in order (</s> not included) */
    size_t nwords, words_cap;
    size_t tokens, oov; /* over all segments */
    size_t prose, flagged;
    double log10prob;  /* over all segments */
    double perplexity; /* document perplexity over all segments (the baseline) */
    double doc_feature[DET_NDOC_FEATURES];
    double family[DET_NFAMILIES]; /* each family model's probability */
    double spin_score;            /* 0 = natural .. 1 = machine-made; NaN when unsupported */
    det_verdict verdict;
    det_abstain abstain; /* why the verdict is DET_UNSUPPORTED (else DET_ABSTAIN_NONE) */
    char language[16];   /* CLD2's language code for the text ("en", "de", "un" = unknown) */
    int english_pct;     /* percent of the text CLD2 found English */
    /* Counts over prose kept so that detect_rescore() can redo the statistics
     * under other parameters: content tokens, and the 3 most frequent ones'. */
    uint64_t acc_content, acc_top3;
    /* and for the repeated-phrase feature: adjacent content-word pairs in
     * prose, and the occurrences of repeated pairs entered by a surprising word */
    uint64_t acc_pairs, acc_rep_pairs;
    size_t artefacts;    /* prose sentences with a spinner artefact */
    double artefact_llr; /* the evidence they add to the document score (natural log odds) */
} det_result;

/* Releases the arrays of 'r' (not 'r' itself); the result can be reused
 * without freeing between documents. */
void det_result_free(det_result *r);

/* ---- crawl-adaptive reference ----
 *
 * Most of a crawl is natural, so the crawl itself can say what "normal" is in
 * its domain.  An accumulator collects the features of a sample of documents
 * (scored under any parameters); det_adapt_params() then makes parameters
 * that score against the sample instead of the calibration text:
 * - each sentence feature's reference location and scale become the
 *   sample's median and Qn over its prose sentences (GSL; stats_robust), so
 *   sentence models see features relative to the crawl's typical sentence;
 * - each raw document feature's shift (the sample's median minus the
 *   calibration's natural median, doc_ref) is folded into the document
 *   models' biases, so a document typical of the crawl scores as a typical
 *   natural calibration document did.
 * Robust statistics keep a minority of machine-made documents in the sample
 * from moving the reference much; a crawl that is mostly spun defeats it.
 * docs/detector.md says when to use it. */
typedef struct det_adapt det_adapt;
/* Fewest judged documents det_adapt_params() accepts. */
#define DET_ADAPT_MIN_DOCS 20
spin_status det_adapt_new(det_adapt **out);
void det_adapt_free(det_adapt *a);
/* Adds the features of 'r' (from detect_run); unsupported documents and
 * documents without prose are ignored. */
spin_status det_adapt_add(det_adapt *a, const det_result *r);
size_t det_adapt_docs(const det_adapt *a);
/* 'out' = 'base' adapted to the documents added so far.  SPIN_EINVAL (with a
 * message) with fewer than DET_ADAPT_MIN_DOCS judged documents, or when 'base'
 * has no pooled document model or no document reference (a detector file from
 * before: refit it with spinscan calibrate). */
spin_status det_adapt_params(const det_adapt *a, const det_params *base, det_params *out,
                             spin_diag *diag);

/* ---- running ---- */

typedef struct detector detector;

/* A detector scoring with 'model' and 'params' (all must outlive it; none is
 * modified).  'spun' (may be NULL) is a model of synthetically spun text: with
 * it, each sentence also gets the log-likelihood ratio features.  Parameters
 * fitted with a spun model (params->needs_spun) need one: SPIN_EINVAL without.
 * One detector per thread. */
spin_status detector_new(const spin_model *model, const spin_model *spun, const det_params *params,
                         detector **out, spin_diag *diag);
void detector_free(detector *d);

/* Scores the 'len' bytes at 'text' into 'out' (previous contents replaced).
 * SPIN_EFORMAT with a message if the text is not text (binary data). */
spin_status detect_run(detector *d, const char *text, size_t len, det_result *out, spin_diag *diag);

/* Recomputes sentence spins, flags, document features and score of 'r' (from
 * an earlier detect_run) under 'params' instead of the detector's own; used
 * by calibration.  The raw features are not recomputed. */
spin_status detect_rescore(detector *d, const det_params *params, det_result *r);

/* With 'on' false, the detector judges every document (no abstain gates, no
 * language identification); default true.  For text known to be English
 * prose, and for tests of the plumbing with toy models. */
void detector_set_abstain(detector *d, bool on);

/* True if the detector was given a spun model. */
bool detector_has_spun(const detector *d);

#endif
