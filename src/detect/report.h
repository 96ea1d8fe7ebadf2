/* report.h - the reports of `spinscan score`: a document's detection result
 * (detect.h) as annotated text for a terminal, as JSON, or as a page of HTML.
 *
 * Library side: everything is written to the caller's FILE*; nothing is
 * printed elsewhere and nothing exits.  A write error is SPIN_EIO (errno then
 * says why); the stream may hold a partial report.
 *
 * Document text.  The offsets in a det_result refer to the document's bytes as
 * read, which may hold invalid UTF-8 and control characters.  Every report
 * passes text (and the document id) through one filter: each maximal
 * ill-formed UTF-8 subpart becomes U+FFFD (as the tokenizer counts them), so
 * JSON and HTML output is always valid UTF-8.  Then, per format:
 * - text: tab and line breaks become spaces; other control characters (C0,
 *   DEL, C1) and bidi controls become U+FFFD, so a document can neither
 *   drive the terminal with escape sequences nor reorder the display;
 * - json: '"', '\\' and every control character are escaped (\n, \t, \r, \b,
 *   \f, else \u00XX, DEL and C1 included), U+2028/U+2029 as \u2028/\u2029;
 *   all else is copied as UTF-8.  A consumer that undoes the escapes gets the
 *   original bytes back, with U+FFFD in place of ill-formed sequences;
 * - html: & < > " ' become entities; LF and TAB are kept (the text is shown
 *   with white-space: pre-wrap), CR LF becomes LF and a lone CR a LF; other
 *   control characters become U+FFFD (they are not allowed in HTML), and so
 *   do bidi controls in document text (each sentence is a bidi isolate).
 *
 * Numbers in JSON are printed with %.6g (the C locale: spinscan never calls
 * setlocale); a value that is not finite (the perplexity of an empty
 * document, a log10 probability of -inf) is written as null.
 */
#ifndef SPIN_REPORT_H
#define SPIN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "detect/detect.h"
#include "spinscan.h"

typedef enum report_format {
    /** One header line per document, then each segment on its own line:
     *  ">> [0.93] text" for a flagged sentence, "   [0.12] text" for other
     *  prose, "   [head] text" / "   [boil] text" for headings and
     *  boilerplate (never flagged); a blank line where the document has a
     *  blank line between segments.  With colour, flagged sentences are bold
     *  red and headings/boilerplate dim. */
    REPORT_TEXT,
    /** One JSON object per document and line (JSON Lines): docs/formats.md's fields
     *  plus extras (see report.c). */
    REPORT_JSON,
    /** One self-contained HTML page (inline CSS and SVG, no scripts, no
     *  external resources): a summary (verdict counts, a histogram of
     *  document scores), the documents sorted by score and linked, a
     *  "flagged only" view, then one collapsible section per document with
     *  its words coloured by their evidence and the reason for each flag in
     *  text (docs/report.md).  The page is written by report_end(). */
    REPORT_HTML
} report_format;

typedef struct report_html report_html;

typedef struct report_options {
    report_format format;
    bool color;        /**< REPORT_TEXT: ANSI colour escapes */
    const char *title; /**< REPORT_HTML: the page title; NULL for "spinscan report" */
    /** REPORT_HTML: the thresholds named in the reasons for flags; NULL
     *  gives the reasons without the numbers. */
    const det_params *params;
    /** The tool version and the model's identity, a JSON object as
     *  spin_detector_info() gives it (NULL: none).  REPORT_TEXT: report_end()
     *  writes it as a last line, "-- spinscan VERSION; model HEX12 (N-gram;
     *  sha256 ...; packages name@version, ...)"; REPORT_HTML: the page's
     *  footer names it, when no document brought a provenance of its own. */
    const char *provenance;
    /** REPORT_HTML: private, the documents so far (report_begin() makes it,
     *  report_end() or report_abandon() frees it); zero-initialize. */
    report_html *html;
} report_options;

/** One scored document.  Nothing is owned. */
typedef struct report_doc {
    const char *id;           /**< as given (a path); shown in every format */
    const char *text;         /**< the document's bytes, as passed to detect_run() */
    size_t len;               /**< their number */
    const det_result *result; /**< what detect_run() made of them */
    /** A JSON object: the tool version and the model's identity (from
     *  spin_detector_info()), written as the last member "spinscan" in JSON;
     *  in HTML, the first document's is named in the page's footer; NULL
     *  writes none. */
    const char *provenance;
} report_doc;

/** Starts a report on 'out' with options 'o' (for HTML, the state that
 *  collects the documents; nothing for text and JSON).  Returns SPIN_OK,
 *  SPIN_ENOMEM or SPIN_EIO. */
spin_status report_begin(FILE *out, report_options *o);

/** Writes document 'doc' in the format of 'o'.  Offsets outside the text, or
 *  segments out of order, are clamped rather than trusted.  Returns SPIN_OK
 *  or SPIN_EIO. */
spin_status report_document(FILE *out, const report_options *o, const report_doc *doc);

/** Ends the report (writes the whole HTML page and frees its state;
 *  nothing for text and JSON) and flushes 'out'.  Returns SPIN_OK,
 *  SPIN_ENOMEM or SPIN_EIO. */
spin_status report_end(FILE *out, report_options *o);

/** Frees what report_begin() made when the report is not ended. */
void report_abandon(report_options *o);

/* Building blocks for other reports (`spinscan rank`). */

/** Writes the 'len' bytes at 's' as a JSON string, quotes included, filtered
 *  and escaped as described at the top of this file. */
void report_json_string(FILE *out, const char *s, size_t len);

/** Writes 'v' as a JSON number (%.6g), or null when it is not finite. */
void report_json_number(FILE *out, double v);

/** Writes the 'len' bytes at 's' HTML-escaped, filtered as described at the
 *  top of this file. */
void report_html_text(FILE *out, const char *s, size_t len);

#endif
