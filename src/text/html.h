/* html.h - the visible text of an HTML page, through libxml2's HTML parser.
 *
 * What counts as visible: text nodes outside script, style, noscript,
 * template, head (so the title is left out), svg, math, canvas, iframe and
 * object elements.  Block-level elements (p, div, li, h1..h6, tr, td, br,
 * ...) start and end lines, so that a heading or a table cell never runs
 * into the next sentence; runs of whitespace inside a line become one space,
 * except inside pre.  Entities are decoded and the result is UTF-8 whatever
 * the page's charset was.
 *
 * Threads: html_init() must run once before threads call html_to_text();
 * after that html_to_text() is safe from any number of threads.
 */
#ifndef SPIN_HTML_H
#define SPIN_HTML_H

#include <stddef.h>

#include "spinscan.h"

/** Initialises libxml2 (xmlInitParser) and routes its allocations through
 *  the per-document cap below; call once from the main thread. */
void html_init(void);

/** The memory one page's document tree may take while it is parsed (after
 *  html_init): a page that needs more is skipped (SPIN_EFORMAT, the message
 *  says so).  Default HTML_DOM_LIMIT_DEFAULT; set before threads start. */
#define HTML_DOM_LIMIT_DEFAULT ((size_t)256 << 20)
void html_set_dom_limit(size_t bytes);
size_t html_dom_limit(void);

/** Extracts the visible text of the 'len' bytes of HTML at 'html'.  'charset'
 *  (may be NULL or "") is the encoding named by the HTTP header; without it
 *  libxml2 uses the page's own meta charset or byte order mark.  On success
 *  *out (NUL-terminated, *out_len bytes before the NUL) is the caller's, to
 *  free with mem_free().  Returns SPIN_OK, SPIN_ENOMEM, or SPIN_EFORMAT with
 *  'diag' (may be NULL) saying why when the parser produced no document or
 *  the document tree went over the cap.  libxml2's own messages are never
 *  printed: on SPIN_OK diag->message holds the first ("libxml2: ...", status
 *  SPIN_OK) for the caller to report with the document's name, or is "". */
spin_status html_to_text(const char *html, size_t len, const char *charset, char **out,
                         size_t *out_len, spin_diag *diag);

#endif
