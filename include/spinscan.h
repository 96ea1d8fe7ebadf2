/* spinscan.h - the public C API of spinscan.
 *
 * spinscan scores text with n-gram language models in KenLM's ARPA format and
 * gives KenLM's numbers bit for bit.  The scoring interface mirrors KenLM's
 * lm::ngram::Model: a fixed-size spin_state carries the context from word to
 * word, and spin_full_score() turns (state, word) into a log10 probability, the
 * length of the n-gram that matched, and the next state.
 *
 * Conventions
 * - Functions that can fail return a spin_status (SPIN_OK is 0) and deliver
 *   results through out-parameters.  spin_strerror() names a status.  Where a
 *   'diag' parameter is given (it may be NULL), a failure also fills it with the
 *   file, line and byte offset of the problem and a sentence saying what is wrong.
 * - The library never prints, never exits and never aborts; running out of
 *   memory is reported as SPIN_ENOMEM.
 * - Whoever calls a _open/_new function frees the result with the matching _free;
 *   every _free accepts NULL.
 * - A loaded spin_model is immutable: any number of threads may score with one
 *   model at the same time without locking.  Per-thread state lives in values
 *   the caller owns (spin_state).  A spin_detector is shared the same way
 *   (spin_detect() from many threads at once); a spin_tokenizer is not.
 *   Every other object (spin_result, spin_tokens) belongs to one thread at a
 *   time.
 * - Strings are UTF-8 and passed with explicit lengths; they need not be
 *   NUL-terminated.
 */
#ifndef SPIN_SPINSCAN_H
#define SPIN_SPINSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SPIN_API __attribute__((visibility("default")))
#else
#define SPIN_API
#endif

#define SPIN_VERSION "0.1.0"

/** The highest n-gram order a model may have.  It fixes the size of spin_state. */
#define SPIN_MAX_ORDER 8

/* ------------------------------------------------------------------------ */
/* Status codes and diagnostics                                             */
/* ------------------------------------------------------------------------ */

typedef enum spin_status {
    SPIN_OK = 0,
    SPIN_ENOMEM,      /**< out of memory */
    SPIN_EIO,         /**< the file could not be opened or read (errno in diag) */
    SPIN_EFORMAT,     /**< the input is not a valid model: diag says where and why */
    SPIN_EINVAL,      /**< an argument is out of range */
    SPIN_EUNSUPPORTED /**< valid, but beyond what this build handles (e.g. order > 8) */
} spin_status;

/** A static English name for 'status'; never NULL. */
SPIN_API const char *spin_strerror(spin_status status);

/** Where and why something failed, or what a warning is about.
 *  'line' and 'byte' are 0 when they do not apply; 'line' counts from 1 and
 *  'byte' from 0, both in the decompressed stream for compressed files. */
typedef struct spin_diag {
    spin_status status;
    char path[512];    /**< file name as given ("<memory>" for buffers) */
    uint64_t line;     /**< 1-based line number, 0 if unknown */
    uint64_t byte;     /**< 0-based byte offset of the offending text */
    char message[512]; /**< one sentence: what was found and what was expected */
} spin_diag;

/** Receives warnings (tolerated defects such as a missing <unk> or a duplicate
 *  n-gram).  'diag' is valid only during the call. */
typedef void (*spin_warn_fn)(void *ctx, const spin_diag *diag);

/* ------------------------------------------------------------------------ */
/* Loading a model                                                          */
/* ------------------------------------------------------------------------ */

typedef struct spin_model spin_model;

/** Options for spin_model_open().  Initialise with spin_load_options_init(). */
typedef struct spin_load_options {
    /** Accept a model without <s> or </s>; the missing marker then scores as
     *  <unk>, like KenLM's build_binary -s.  Default false: reject. */
    bool allow_missing_markers;
    /** Replace a positive log10 probability with 0 and warn, like build_binary -i.
     *  Default false: reject the model. */
    bool positive_prob_to_zero;
    /** log10 probability given to <unk> when the model lacks it (KenLM: -100). */
    float unk_logprob;
    /** Called once per warning; NULL ignores warnings. */
    spin_warn_fn warn;
    void *warn_ctx;
    /** Binary models only: read the whole file into memory while loading,
     *  into huge pages where the system allows, instead of mapping it.  Loading
     *  then takes about a tenth of a second per 100 MB (from the page cache)
     *  and scoring runs faster (fewer TLB misses): right for long runs such as
     *  ranking a crawl.  Default false: the file is mapped, pages are read on
     *  first use, and loading takes about a millisecond. */
    bool prefault;
    /** Binary models only: check the checksum of every byte of the file and the
     *  structure of every table before returning (reads the whole file: about
     *  40 ms per 100 MB from the page cache).  Default false: only the header,
     *  the vocabulary and the unigrams are checked (see spin_model_open()). */
    bool verify;
} spin_load_options;

/** Fills 'opts' with the defaults, which match KenLM's query. */
SPIN_API void spin_load_options_init(spin_load_options *opts);

/** Loads the model at 'path': an ARPA file, plain or compressed with gzip,
 *  bzip2 or xz, or a binary model written by spin_model_write() (all detected
 *  by magic bytes, not by name).  'opts' may be NULL for the defaults.  On
 *  success *out owns a model to release with spin_model_free(); on failure *out
 *  is NULL and 'diag' (may be NULL) says why.
 *
 *  A binary model is mapped read-only (mmap) and used in place, without
 *  parsing; the ARPA policies in 'opts' (allow_missing_markers,
 *  positive_prob_to_zero, unk_logprob) were applied when it was written and
 *  are ignored here.  Loading checks the header, the vocabulary and the
 *  unigrams against their checksums; the n-gram tables are checked only with
 *  opts->verify (a damaged table gives wrong scores, never a crash; a file
 *  crafted to pass every check but with full tables could make lookups loop).
 *  The file must not be modified while the model is in use. */
SPIN_API spin_status spin_model_open(const char *path, const spin_load_options *opts,
                                     spin_model **out, spin_diag *diag);

/** Like spin_model_open() but reads the 'size' bytes at 'data', which may be
 *  compressed or a binary model.  The buffer is not retained: the caller may
 *  free it on return (a binary image is copied, then used in place).
 *  'name' labels diagnostics (NULL means "<memory>"). */
SPIN_API spin_status spin_model_open_memory(const void *data, size_t size, const char *name,
                                            const spin_load_options *opts, spin_model **out,
                                            spin_diag *diag);

/** Layouts of a binary model (spin_write_options.layout). */
typedef enum spin_layout {
    /** Hash tables as in memory (KenLM's "probing"): loads by mmap with no
     *  parsing, fastest queries, scores bit-identical to the ARPA file. */
    SPIN_LAYOUT_PROBING = 0,
    /** Sorted arrays of bit-packed records forming a trie over reversed
     *  n-grams (KenLM's "trie"): about half the memory, slower queries.
     *  Exact unless quantized (prob_bits/backoff_bits). */
    SPIN_LAYOUT_COMPACT = 1
} spin_layout;

/** Options for spin_model_write().  Initialise with spin_write_options_init(). */
typedef struct spin_write_options {
    spin_layout layout; /**< default SPIN_LAYOUT_PROBING */
    /** SPIN_LAYOUT_COMPACT only: store log10 probabilities (of orders >= 2) in
     *  this many bits (2 .. 16, as bin indices) instead of exact floats; 0 keeps
     *  them exact (the default).  Scores then differ slightly from the ARPA
     *  file's. */
    unsigned prob_bits;
    /** The same for backoffs (2 .. 16, or 0 = exact). */
    unsigned backoff_bits;
} spin_write_options;

/** Fills 'opts' with the defaults: probing layout, exact values. */
SPIN_API void spin_write_options_init(spin_write_options *opts);

/** Compiles the ARPA model at 'arpa_path' (plain or compressed) into a binary
 *  model at 'out_path' that spin_model_open() maps in place.  'load' (may be
 *  NULL) holds the ARPA policies, which are applied now and kept in the
 *  binary (like KenLM's build_binary -s, -i, -u); 'write' (may be NULL) the
 *  layout.  The file is written under a temporary name in the same directory,
 *  synced and renamed over 'out_path', so 'out_path' is either the old file or
 *  the complete new one, never a partial write.  The format is this machine's
 *  byte order (little-endian only) and is documented at the top of
 *  src/lm/binfmt.c. */
SPIN_API spin_status spin_compile(const char *arpa_path, const char *out_path,
                                  const spin_load_options *load, const spin_write_options *write,
                                  spin_diag *diag);

/** Releases a model.  NULL is a no-op.  No state may be used with it afterwards. */
SPIN_API void spin_model_free(spin_model *model);

/** The model's order (2 .. SPIN_MAX_ORDER). */
SPIN_API unsigned spin_model_order(const spin_model *model);

/** Number of 'n'-grams as the file's header declared them (1 <= n <= order);
 *  0 for other 'n'.  Blanks inserted for SRI-style pruning are not counted. */
SPIN_API uint64_t spin_model_count(const spin_model *model, unsigned n);

/* ------------------------------------------------------------------------ */
/* Vocabulary                                                               */
/* ------------------------------------------------------------------------ */

/** A word's index.  <unk> is 0, the other unigrams follow in file order from 1. */
typedef uint32_t spin_word;

/** The index of the unknown word; spin_vocab_index() returns it for any word the
 *  model does not know. */
#define SPIN_WORD_NOT_FOUND ((spin_word)0)

/** Index of the 'len' bytes at 'word', or SPIN_WORD_NOT_FOUND.
 *  "<unk>" and "<UNK>" both give 0. */
SPIN_API spin_word spin_vocab_index(const spin_model *model, const char *word, size_t len);

/** Index of <s> (or 0 if the model lacks it and was loaded with
 *  allow_missing_markers). */
SPIN_API spin_word spin_vocab_begin_sentence(const spin_model *model);

/** Index of </s> (same caveat as spin_vocab_begin_sentence()). */
SPIN_API spin_word spin_vocab_end_sentence(const spin_model *model);

/** Number of distinct word indices (the largest index + 1). */
SPIN_API size_t spin_vocab_size(const spin_model *model);

/** The spelling of word 'id', valid while the model lives; *len receives its
 *  length if 'len' is not NULL.  NULL if 'id' is out of range. */
SPIN_API const char *spin_vocab_word(const spin_model *model, spin_word id, size_t *len);

/* ------------------------------------------------------------------------ */
/* Scoring                                                                  */
/* ------------------------------------------------------------------------ */

/** The context carried between words: the most recent word first.  Only the
 *  first 'length' entries are meaningful.  Plain data: copy it freely. */
typedef struct spin_state {
    spin_word words[SPIN_MAX_ORDER - 1];
    float backoff[SPIN_MAX_ORDER - 1];
    unsigned char length;
} spin_state;

/** True if 'a' and 'b' lead to identical scores for any continuation. */
SPIN_API bool spin_state_equal(const spin_state *a, const spin_state *b);

/** The state at the start of a sentence: after <s>. */
SPIN_API void spin_state_begin_sentence(const spin_model *model, spin_state *out);

/** The empty context (KenLM's NullContextState, query -n). */
SPIN_API void spin_state_null_context(const spin_model *model, spin_state *out);

/** What spin_full_score() found. */
typedef struct spin_score {
    float prob;                 /**< log10 probability, backoffs included */
    unsigned char ngram_length; /**< length of the longest n-gram that matched */
    bool oov;                   /**< the word was SPIN_WORD_NOT_FOUND */
} spin_score;

/** Scores 'word' after the context 'in' and writes the context for the next
 *  word to 'out'.  'in' and 'out' must not be the same object. */
SPIN_API spin_score spin_full_score(const spin_model *model, const spin_state *in, spin_word word,
                                    spin_state *out);

/** Per-sentence totals from spin_score_sentence(). */
typedef struct spin_sentence_score {
    float total;   /**< sum of log10 probabilities, in float as KenLM sums them */
    size_t tokens; /**< words scored, including </s> when added */
    size_t oov;    /**< words not in the vocabulary (</s> never counts) */
} spin_sentence_score;

/** Flags for spin_score_sentence(). */
#define SPIN_SCORE_BOS 1u /**< start from <s> (else from the empty context) */
#define SPIN_SCORE_EOS 2u /**< score </s> after the last word */

/** Scores the whitespace-separated tokens in the 'len' bytes at 'text' as one
 *  sentence, exactly as a loop over spin_full_score() would (and as KenLM's query
 *  does for one line).  Separators are space, TAB, CR, LF, VT and FF.  If 'words'
 *  is not NULL it receives one spin_score per scored token (</s> included), and
 *  must have room for as many tokens as the text holds plus one. */
SPIN_API spin_sentence_score spin_score_sentence(const spin_model *model, const char *text,
                                                 size_t len, unsigned flags, spin_score *words);

/* ------------------------------------------------------------------------ */
/* Spin detection                                                           */
/* ------------------------------------------------------------------------ */

/* The detector is what `spinscan score` runs: the tokenizer, the language
 * model, the model of spun text and the calibration, loaded once.
 *
 * Threads: a spin_detector may be shared by any number of threads, each
 * calling spin_detect() on it at the same time without locking of its own
 * (the detector keeps one scratch state per concurrent caller, created on
 * demand and reused).  A spin_result belongs to the thread that holds it;
 * results are independent of each other and of the detector's later use.
 * A spin_tokenizer serves one thread at a time; make one per thread.
 * spin_detector_free() must not run while another thread is in
 * spin_detect() on the same detector. */

typedef struct spin_detector spin_detector;
typedef struct spin_result spin_result;

/** The version of the library, SPIN_VERSION when headers and library match. */
SPIN_API const char *spin_version(void);

/** Options for spin_detector_open_opts().  Initialise with
 *  spin_detector_options_init(). */
typedef struct spin_detector_options {
    /** Read binary models into memory instead of mapping them: slower to
     *  open, faster to score (for long runs).  Default false. */
    bool prefault;
    /** Called once per model warning (as spin_load_options.warn); NULL
     *  ignores warnings. */
    spin_warn_fn warn;
    void *warn_ctx;
    /** Check all of each binary model before use (spin_load_options.verify:
     *  every table's checksum and values).  Default false: the fast lazy
     *  load; the spinscan commands turn it on (docs/reliability.md). */
    bool verify;
    /** Judge every document: no "unsupported" verdict for text that is not
     *  English, too short, markup or code.  Default false. */
    bool judge_all;
} spin_detector_options;

/** Fills 'opts' with the defaults. */
SPIN_API void spin_detector_options_init(spin_detector_options *opts);

/** Opens the detector at 'path': a model directory (model.bin, model.arpa.gz
 *  or model.arpa, with detector.txt, spun.* and manifest.json beside it) or a
 *  model file (calibration FILE.detector, spun model FILE.spun).  NULL means
 *  the lookup the command line uses without -m: $SPINSCAN_MODEL, then
 *  PREFIX/share/spinscan/en beside the executable or this library, then the
 *  source tree's models/en, then the share directory of the PREFIX built
 *  with.  On success *out owns a detector (spin_detector_free()); on failure
 *  *out is NULL and 'diag' (may be NULL) says why: SPIN_EIO when no model is
 *  found or a file cannot be read, SPIN_EFORMAT for a malformed file,
 *  SPIN_EINVAL when the calibration needs a spun model that is absent. */
SPIN_API spin_status spin_detector_open(const char *path, spin_detector **out, spin_diag *diag);

/** spin_detector_open() with options ('opts' NULL means the defaults). */
SPIN_API spin_status spin_detector_open_opts(const char *path, const spin_detector_options *opts,
                                             spin_detector **out, spin_diag *diag);

/** Releases a detector.  NULL is a no-op.  Results it made stay valid. */
SPIN_API void spin_detector_free(spin_detector *d);

/** The detector's identity as one JSON object, valid while 'd' lives:
 *  {"version": tool version, "identity": "spinscan VERSION; model HEX12",
 *  "model": {"order": N, "packages": [...], "sha256": checksum}} (packages
 *  and checksum from the model's manifest.json; null when it has none, and
 *  then "identity" ends in "model unknown").  "identity" is the short form that
 *  `rank -f jsonl`, `rank -f attributes` and `annotate` write on every line
 *  (HEX12: the checksum's first 12 hex digits).  `score -f json` writes the
 *  object as the member "spinscan" of every object. */
SPIN_API const char *spin_detector_info(const spin_detector *d);

/** The detector's language model (owned by 'd'; for spin_score_sentence()
 *  on the text spin_tokenize() gives). */
SPIN_API const spin_model *spin_detector_model(const spin_detector *d);

/** Scores the 'len' bytes at 'text' (UTF-8; invalid bytes are tolerated as
 *  the command line tolerates them) as one document.  On success *out owns
 *  the result (spin_result_free()).  SPIN_EFORMAT if the bytes are not text
 *  (binary data), SPIN_ENOMEM; 'diag' (may be NULL) says why.  Thread-safe
 *  on one detector (see above).  The text is copied: the caller may free it
 *  on return. */
SPIN_API spin_status spin_detect(spin_detector *d, const char *text, size_t len, spin_result **out,
                                 spin_diag *diag);

/** Releases a result.  NULL is a no-op. */
SPIN_API void spin_result_free(spin_result *r);

/** The document's spin score, from 0 (natural) to 1 (machine-made); NaN when
 *  the detector gives no score (the JSON then has null). */
SPIN_API double spin_result_score(const spin_result *r);

/** The verdict's name ("natural", "suspect", "spun", "salad", "stuffing", "unsupported"): static.
 */
SPIN_API const char *spin_result_verdict(const spin_result *r);

/** The document's perplexity under the language model (NaN if empty). */
SPIN_API double spin_result_perplexity(const spin_result *r);

/** Tokens scored (</s> not included) and of those unknown to the model. */
SPIN_API size_t spin_result_tokens(const spin_result *r);
SPIN_API size_t spin_result_oov(const spin_result *r);

/** Number of segments (sentences, headings, boilerplate lines). */
SPIN_API size_t spin_result_sentence_count(const spin_result *r);

/** One segment of a result. */
typedef struct spin_sentence {
    size_t start, end;  /**< UTF-8 byte offsets into the text, end exclusive */
    const char *kind;   /**< "prose", "heading" or "boilerplate" (static) */
    double spin;        /**< calibrated P(machine-made); 0 for headings and boilerplate */
    bool flagged;       /**< judged spun */
    float log10prob;    /**< total log10 probability, </s> included, as KenLM sums */
    double perplexity;  /**< 10^(-log10prob / (tokens + 1)) */
    size_t tokens, oov; /**< tokens scored (</s> not included), and unknown ones */
} spin_sentence;

/** Fills *out with segment 'i' (0-based).  SPIN_EINVAL if 'i' is out of range. */
SPIN_API spin_status spin_result_sentence(const spin_result *r, size_t i, spin_sentence *out);

/** Sets the id written in the JSON ("" until set; `score` sets the file
 *  name).  The 'len' bytes are copied.  SPIN_ENOMEM on failure. */
SPIN_API spin_status spin_result_set_id(spin_result *r, const char *id, size_t len);

/** The result as exactly the JSON object `spinscan score -f json` prints for
 *  the same text (one line, no newline), NUL-terminated; the caller frees it
 *  with free().  NULL when out of memory. */
SPIN_API char *spin_result_json(const spin_result *r);

/* ------------------------------------------------------------------------ */
/* Tokenization                                                             */
/* ------------------------------------------------------------------------ */

/* The detector's tokenizer: the text cut into segments, each with the
 * normalized tokens the model scores, joined by single spaces.  Scoring a
 * segment's text with spin_score_sentence(model, text, len, SPIN_SCORE_BOS |
 * SPIN_SCORE_EOS, NULL) gives exactly the segment's log10prob in a
 * spin_result, and `spinscan tokenize` prints the same lines. */

typedef struct spin_tokenizer spin_tokenizer;
typedef struct spin_tokens spin_tokens;

/** A tokenizer (ICU).  One per thread.  SPIN_ENOMEM, or SPIN_EUNSUPPORTED
 *  when ICU lacks its data. */
SPIN_API spin_status spin_tokenizer_new(spin_tokenizer **out, spin_diag *diag);
SPIN_API void spin_tokenizer_free(spin_tokenizer *t);

/** Tokenizes the 'len' bytes at 'text' into *out (spin_tokens_free()).
 *  SPIN_EFORMAT if the bytes are not text, as for spin_detect(). */
SPIN_API spin_status spin_tokenize(spin_tokenizer *t, const char *text, size_t len,
                                   spin_tokens **out, spin_diag *diag);
SPIN_API void spin_tokens_free(spin_tokens *tk);

/** Number of segments. */
SPIN_API size_t spin_tokens_count(const spin_tokens *tk);

/** One segment of spin_tokenize()'s output. */
typedef struct spin_segment {
    size_t start, end; /**< UTF-8 byte offsets into the input, end exclusive */
    const char *kind;  /**< "prose", "heading" or "boilerplate" (static) */
    const char *text;  /**< normalized tokens joined by ' ', NUL-terminated; owned by the
                            spin_tokens */
    size_t text_len;
    size_t ntokens;
} spin_segment;

/** Fills *out with segment 'i'.  SPIN_EINVAL if out of range. */
SPIN_API spin_status spin_tokens_segment(const spin_tokens *tk, size_t i, spin_segment *out);

#ifdef __cplusplus
}
#endif

#endif
