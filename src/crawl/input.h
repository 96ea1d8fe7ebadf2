/* input.h - the documents of a crawl: directories, JSON Lines and WARC/WET,
 * read as a stream of documents and of skipped records.
 *
 * Subsystem crawl (src/crawl/): many documents at once.  Crawl inputs
 * (directories, JSON Lines, WARC/WET: input) and rankings with their output
 * lines and sort order (rank).  May call: util, text, lm, detect.
 *
 * Inputs (docs/formats.md "Input documents"), recognised by content, never
 * only by name (compressed files are decompressed first, by magic bytes):
 * - a directory: walked recursively in byte order of names, following
 *   symbolic links; every regular file below it is one document whose id is
 *   its path.  A directory reached twice (a symlink loop, or two links to
 *   one directory) is walked once: visited directories are kept by device
 *   and inode;
 * - a file whose data starts with "WARC/": WARC or WET.  Every conversion
 *   record, and every response record whose HTTP payload is text or HTML, is
 *   one document; id = WARC-Target-URI;
 * - a file whose first non-blank byte is '{', and '-' (standard input, unless
 *   it starts with "WARC/"): JSON Lines, one object per line, text in the
 *   text field; id from the id field (when configured), else "id", else
 *   "url", else "FILE:LINE";
 * - any other file given by name: one document, like a directory member.
 * A document whose text starts with "<!doctype html" or "<html" (directory
 * members and single files) is HTML; HTML payloads are converted by the
 * caller (input_doc.html, html.h) so that the work is spread over threads.
 *
 * Bad data never stops the stream: every skipped record is an INPUT_SKIPPED
 * event with its reason and place ("FILE:LINE" for JSON Lines, "FILE: byte N"
 * for WARC records, where N is the offset of the record, or for .warc.gz of
 * its gzip member, in the file).  Compressed streams are read with
 * reader_set_recover(): a truncated gzip member costs the records in it only.
 *
 * Memory: one record (at most max_bytes of payload plus its headers) is held
 * at a time; directories cost their sorted name lists along the current path.
 *
 * Threads: an input is used by one thread; input_bytes_read() may be called
 * from any thread while another reads.
 */
#ifndef SPIN_INPUT_H
#define SPIN_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

/** Why a record was skipped.  Names as in rank's summary. */
typedef enum input_skip {
    INPUT_SKIP_UNREADABLE, /**< "unreadable": a file or directory could not be opened or read */
    INPUT_SKIP_CORRUPT,    /**< "corrupt": truncated or corrupt compressed data */
    INPUT_SKIP_JSON,       /**< "bad-json": a line that is not one JSON object */
    INPUT_SKIP_NO_TEXT,    /**< "no-text": a JSON object without a string text field */
    INPUT_SKIP_WARC,       /**< "bad-warc": an invalid WARC or HTTP header */
    INPUT_SKIP_LENGTH,     /**< "bad-length": a Content-Length that does not match the data */
    INPUT_SKIP_NON_TEXT,   /**< "non-text": a payload that is not text (type, or bytes) */
    INPUT_SKIP_TOO_LARGE,  /**< "too-large": a document over the size limit */
    /** "media": a WARC response that is an image, a PDF or other media, not
     *  text or HTML.  Normal in a crawl: commands count these apart and
     *  quietly, and they are not an error. */
    INPUT_SKIP_MEDIA,
    INPUT_NSKIPS
} input_skip;

const char *input_skip_name(input_skip why);

typedef struct input_options {
    const char *text_field; /**< JSON Lines text field; NULL = "text" */
    const char *id_field;   /**< JSON Lines id field; NULL = "id", then "url" */
    uint64_t max_bytes;     /**< largest document (text, or HTML payload); 0 = no limit */
    /** Sharding: only documents with stable_hash(key) % nshards == shard are
     *  delivered (others are dropped silently); the key is the document id,
     *  or with shard_by_file the path of the file the document comes from. */
    uint32_t shard, nshards; /**< nshards 0 or 1: everything */
    bool shard_by_file;
    /** '-' (standard input) recognised by its content like a named file
     *  (score: a text on standard input is one document); by default it is
     *  JSON Lines unless it is WARC (rank). */
    bool stdin_by_content;
} input_options;

void input_options_init(input_options *o);

/** One document.  All memory is owned by it (input_doc_free). */
typedef struct input_doc {
    char *id;
    size_t id_len;
    bool id_number; /**< the id was a JSON number (id holds its printed form) */
    char *text;     /**< the text, or the HTML page when 'html' */
    size_t len;
    bool html;
    char charset[48]; /**< for HTML: the charset from the HTTP header, or "" */
    char *path;       /**< the file it came from, for messages */
    uint64_t line;    /**< its line (JSON Lines), else 0 */
    uint64_t byte;    /**< its byte offset (WARC), else 0 */
} input_doc;

void input_doc_free(input_doc *doc);

/** Whether a file name is one of spinscan's own temporary files
 *  ("NAME.tmp.XXXXXX", mkstemp's six letters or digits): the partial output
 *  of a run still writing, or killed, which directory walks pass over. */
bool input_is_own_temp(const char *name);

typedef enum input_event { INPUT_DOC, INPUT_SKIPPED, INPUT_END } input_event;

typedef struct input input;

/** An input over the 'n' paths at 'paths' ("-" = standard input), which must
 *  outlive it, under 'opts' (copied; its strings must outlive it too).  Opening
 *  checks nothing on disk: unreadable paths become skip events in turn. */
spin_status input_open(char *const *paths, size_t n, const input_options *opts, input **out);
void input_free(input *in);

/** The next event: INPUT_DOC fills *doc (whose previous contents must have
 *  been freed or handed on), INPUT_SKIPPED fills *why and 'diag' (path,
 *  line or byte, message), INPUT_END ends.  Returns SPIN_OK, or SPIN_ENOMEM
 *  (then 'diag' says where). */
spin_status input_next(input *in, input_event *ev, input_doc *doc, input_skip *why,
                       spin_diag *diag);

/** Raw (compressed) bytes of input consumed so far: whole files done plus the
 *  position in the current one. */
uint64_t input_bytes_read(const input *in);
/** Total raw size when every path is a regular file (then known up front),
 *  else 0. */
uint64_t input_bytes_total(const input *in);

/** The stable 64-bit hash used for sharding (FNV-1a), for tools and tests. */
uint64_t input_hash(const char *s, size_t len);

/** True if the 'len' bytes at 'text' look like an HTML page (after blanks and
 *  a byte order mark: "<!doctype html" or "<html", any case). */
bool input_looks_html(const char *text, size_t len);

#endif
