/* tokenize.h - sentences and tokens of UTF-8 text, normalized once for everyone.
 *
 * Subsystem text (src/text/): bytes to text.  Decompressing readers (reader),
 * line splitting (lines), visible text of HTML (html) and the ICU tokenizer
 * (tokenize).  May call: util.
 *
 * Everything spinscan knows about a document comes through this module: the
 * sentence spans that reports highlight and the token stream that models are
 * trained on and score.  Training, scoring and `spinscan tokenize` all call it,
 * so a model always sees text normalized exactly as it was trained on.
 *
 * Pipeline (docs/tokenization.md has the reasons):
 * - The input is cut into lines at LF, CR, CRLF, VT, FF, NEL, U+2028, U+2029.
 *   A line never shares a segment with another line.
 * - Bytes are decoded to UTF-16 in chunks of at most TOK_CHUNK_UNITS units, with
 *   a map back to byte offsets: invalid UTF-8 becomes U+FFFD (one per maximal
 *   ill-formed subpart, counted), NUL and other control characters become
 *   spaces (counted), odd spaces (NBSP, U+2000..U+200A, U+3000, ...) become
 *   spaces, invisible characters (ZWSP, BOM, soft hyphen, bidi controls, word
 *   joiner) are dropped, and typographic quotes, apostrophes and dashes become
 *   ' " and -.
 * - ICU's word break iterator makes the tokens; its rule status gives the kind.
 *   ICU's sentence iterator with "en@ss=standard" (abbreviation suppressions),
 *   plus a few more abbreviations ("Dr.") and a rule that a single capital
 *   letter and a period ("J. R. R.") never end a sentence, splits lines that
 *   end in terminal punctuation into prose sentences.  A line that does not and
 *   is at most 200 bytes long is one segment of kind heading or boilerplate; a
 *   longer one is a paragraph that lost its final period: its sentences are
 *   prose and only its last fragment is heading or boilerplate.
 * - Each token is NFKC-casefolded, every decimal digit becomes 0, URLs and
 *   e-mail addresses become <url> and <email>, runs of dots become "...", runs
 *   of dashes become "-", and times (10:30) are one number token (00:00).
 *   Bullets are dropped.  Token text never contains whitespace or NUL and is
 *   never empty, and it can never be "<s>", "</s>" or "<unk>".
 * - A segment reaching TOK_MAX_SENTENCE_TOKENS tokens is cut (after the last
 *   comma, semicolon or colon in its second half if there is one) and every
 *   piece is flagged TOK_S_SPLIT.
 *
 * Offsets: every sentence and token carries [start, end) byte offsets into the
 * buffer that was passed in, whatever the normalization did to its text.
 *
 * Threads: a tokenizer holds ICU iterators and scratch buffers and must be used
 * by one thread at a time; make one per thread.  Memory use of a tokenizer is
 * bounded independently of the input length (tokenize_scratch_bytes()).
 */
#ifndef SPIN_TOKENIZE_H
#define SPIN_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

/** Segments are cut when they reach this many tokens.  Real English sentences
 *  rarely pass 100 tokens; longer "sentences" in web text are lists, tables
 *  and keyword stuffing, which would otherwise make one huge line for the
 *  model and one unreadable highlight. */
#define TOK_MAX_SENTENCE_TOKENS 256

/** UTF-16 units decoded and segmented at a time.  A longer line is cut at
 *  whitespace (preferably after a letter or digit, which cannot be a sentence
 *  boundary) and the pieces are processed in turn, so memory stays bounded. */
#define TOK_CHUNK_UNITS 65536

/** What a token is. */
typedef enum tok_kind {
    TOK_WORD,   /**< letters (ICU UBRK_WORD_LETTER), also words with digits */
    TOK_NUMBER, /**< ICU UBRK_WORD_NUMBER: 3.5, 1,000, and times 10:30 */
    TOK_KANA,   /**< ICU UBRK_WORD_KANA */
    TOK_IDEO,   /**< ICU UBRK_WORD_IDEO (Chinese, Japanese kanji) */
    TOK_PUNCT,  /**< a punctuation character (general category P*) */
    TOK_SYMBOL, /**< anything else: symbols, emoji, U+FFFD */
    TOK_URL,    /**< a URL; its text is "<url>" */
    TOK_EMAIL   /**< an e-mail address; its text is "<email>" */
} tok_kind;

/** What a segment is.  Names as in `score -f json`: prose|heading|boilerplate. */
typedef enum tok_seg_kind {
    TOK_PROSE,      /**< a sentence that ends in terminal punctuation */
    TOK_HEADING,    /**< a short capitalised line without terminal punctuation */
    TOK_BOILERPLATE /**< any other line (or fragment) without terminal punctuation */
} tok_seg_kind;

/* Token flags. */
#define TOK_T_NOTLOWER 1u /**< its first letter is not lowercase (capital or uncased) */
#define TOK_T_INVALID 2u  /**< it contains U+FFFD (usually from invalid UTF-8) */

/* Sentence flags. */
#define TOK_S_SPLIT 1u   /**< a piece of a segment cut at the token cap or inside a word */
#define TOK_S_INVALID 2u /**< one of its tokens has TOK_T_INVALID */

typedef struct tok_token {
    size_t start, end; /**< bytes [start, end) of the original input */
    size_t text;       /**< offset of the normalized text in the owner's text arena */
    uint32_t len;      /**< length of the normalized text in bytes, never 0 */
    uint8_t kind;      /**< a tok_kind */
    uint8_t flags;     /**< TOK_T_* */
} tok_token;

typedef struct tok_sentence {
    size_t start, end;   /**< bytes [start, end): first token's start to last token's end */
    size_t first, count; /**< its tokens: tokens[first .. first + count), count >= 1 */
    uint8_t kind;        /**< a tok_seg_kind */
    uint8_t flags;       /**< TOK_S_* */
} tok_sentence;

/** Counts over one call. */
typedef struct tok_stats {
    uint64_t bytes;     /**< input bytes */
    uint64_t lines;     /**< lines with at least one token */
    uint64_t sentences; /**< segments delivered */
    uint64_t tokens;    /**< tokens delivered */
    uint64_t split;     /**< segments flagged TOK_S_SPLIT */
    uint64_t invalid;   /**< ill-formed UTF-8 subparts replaced with U+FFFD */
    uint64_t nul;       /**< NUL bytes (read as spaces) */
    uint64_t controls;  /**< other control characters (read as spaces) */
} tok_stats;

typedef struct tokenizer tokenizer;

/** Creates a tokenizer in *out (NULL on failure).  Returns SPIN_ENOMEM, or
 *  SPIN_EUNSUPPORTED with 'diag' (may be NULL) naming the ICU error if ICU's
 *  data is missing.  Free it with tokenize_free(). */
spin_status tokenize_new(tokenizer **out, spin_diag *diag);

/** Frees 't' and its ICU objects.  NULL is a no-op. */
void tokenize_free(tokenizer *t);

/** Bytes of scratch memory 't' holds now (buffers only, not ICU's own). */
size_t tokenize_scratch_bytes(const tokenizer *t);

/** Checks that the first 64 KiB of the 'len' bytes at 'buf' look like text.
 *  Returns SPIN_OK, or SPIN_EFORMAT with 'diag' (may be NULL) saying "not text:
 *  ..." and the byte offset of the first offending byte: compressed or image
 *  data by magic number, UTF-16 by byte order mark, or more than 10% (and at
 *  least 8) NUL, control or ill-formed UTF-8 bytes.  The tokenize_* functions
 *  below call it first. */
spin_status tokenize_check_text(const char *buf, size_t len, spin_diag *diag);

/** Receives one segment: 's->first' is 0 and 's->count' tokens are at 'tokens';
 *  their texts are at 'text' + tokens[i].text.  Everything is valid only during
 *  the call.  A status other than SPIN_OK stops tokenizing and is returned. */
typedef spin_status (*tok_sentence_fn)(void *ctx, const tok_sentence *s, const tok_token *tokens,
                                       const char *text);

/** Tokenizes the 'len' bytes at 'buf' and calls 'fn' once per segment, in
 *  order.  'stats' (may be NULL) receives the counts.  Memory stays bounded
 *  however long the input or its lines are.  Returns SPIN_OK, SPIN_EFORMAT for
 *  binary input (nothing delivered), SPIN_ENOMEM, SPIN_EUNSUPPORTED for an ICU
 *  failure, or what 'fn' returned; 'diag' (may be NULL) says why. */
spin_status tokenize_stream(tokenizer *t, const char *buf, size_t len, tok_sentence_fn fn,
                            void *ctx, tok_stats *stats, spin_diag *diag);

/** A whole document.  Owned by the caller's tok_doc value; its arrays are
 *  freed by tokenize_doc_free(). */
typedef struct tok_doc {
    tok_sentence *sentences;
    size_t nsentences;
    tok_token *tokens; /**< all tokens in order; a sentence's are contiguous */
    size_t ntokens;
    char *text; /**< token texts: tokens[i].text is an offset into it; not NUL-terminated */
    size_t text_len;
    tok_stats stats;
    size_t sentences_cap, tokens_cap, text_cap; /* private */
} tok_doc;

/** Tokenizes the 'len' bytes at 'buf' into *doc, which need not be initialised.
 *  On success free the arrays with tokenize_doc_free(doc); on failure *doc is
 *  empty (freeing it is allowed and does nothing).  Returns as tokenize_stream(). */
spin_status tokenize_doc(tokenizer *t, const char *buf, size_t len, tok_doc *doc, spin_diag *diag);

/** Frees the arrays of 'doc' (not 'doc' itself) and empties it.  NULL is a no-op. */
void tokenize_doc_free(tok_doc *doc);

/** Receives output bytes; a status other than SPIN_OK stops and is returned. */
typedef spin_status (*tok_write_fn)(void *ctx, const char *data, size_t len);

/** Writes the exact line stream the models see, the bytes `spinscan tokenize`
 *  prints: one segment per line, tokens joined by single spaces, each line
 *  ended by "\n".  Output is delivered to 'write' in pieces of up to 64 KiB.
 *  Returns as tokenize_stream(). */
spin_status tokenize_lines(tokenizer *t, const char *buf, size_t len, tok_write_fn write, void *ctx,
                           tok_stats *stats, spin_diag *diag);

/** Like tokenize_lines(), into a buffer allocated for the caller: on success
 *  *out (NUL-terminated, *out_len bytes before the NUL) is freed by the caller
 *  with mem_free(); on failure *out is NULL. */
spin_status tokenize_lines_buf(tokenizer *t, const char *buf, size_t len, char **out,
                               size_t *out_len, tok_stats *stats, spin_diag *diag);

/** Test hook: with 'on' false every word boundary comes from ICU's iterator;
 *  with true (the default) runs of plain ASCII that UAX #29 segments simply
 *  are segmented without it.  Both give identical results (a test checks). */
void tokenize_set_fast_path(tokenizer *t, bool on);

/** "word", "number", "kana", "ideo", "punct", "symbol", "url", "email". */
const char *tokenize_kind_name(tok_kind kind);

/** "prose", "heading", "boilerplate". */
const char *tokenize_seg_kind_name(tok_seg_kind kind);

/** Room for tokenize_icu_version(). */
#define TOK_ICU_VERSION_MAX 32

/** Writes the version of the ICU library in use ("72.1") to 'out': its
 *  Unicode data and break rules decide normalization and segmentation, so
 *  it belongs to the tokenizer's identity (`tokenize -f json`). */
void tokenize_icu_version(char out[TOK_ICU_VERSION_MAX]);

#endif
