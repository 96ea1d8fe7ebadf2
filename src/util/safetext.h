/* safetext.h - text that is safe to show on a terminal.
 *
 * Ids, paths and messages come from the data (a WARC header, a JSON field, a
 * file name) and may hold characters that a terminal or a text viewer obeys
 * instead of showing: ESC and the other C0 controls, DEL, the C1 controls
 * (U+0080..U+009F) and the bidirectional formatting characters (U+202A..U+202E,
 * U+2066..U+2069, U+200E, U+200F, U+061C) that reorder what follows them.
 * Every text output and diagnostic writes them as visible escapes: \xNN for
 * a byte below 0x80 or one that is not UTF-8, \uNNNN for the others.
 */
#ifndef SPIN_SAFETEXT_H
#define SPIN_SAFETEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/utf8.h"

/* Length of the valid UTF-8 sequence at s[0, n) (n >= 1) with its code point
 * in *cp, or 0 if none starts there (utf8.h's rules): for the terminal-safe
 * text here, rank's JSON and TSV, jsonrec's code points. */
static inline size_t safetext_utf8(const unsigned char *s, size_t n, uint32_t *cp) {
    uint32_t v;
    size_t len = utf8_next(s, n, &v);
    if (v == UTF8_BAD)
        return 0;
    *cp = v;
    return len;
}

/* If s[0, n) starts with a character to neutralise (TAB and LF excepted: the
 * caller decides), its length in bytes, else 0.  *cp is its code point, or
 * the byte itself (with *bad set) for a byte that starts no valid UTF-8. */
size_t safetext_control(const char *s, size_t n, uint32_t *cp, bool *bad);

/* The escape for safetext_control()'s character into out (>= 8 bytes):
 * "\x1b", "\xff", "\u202e".  Returns its length. */
size_t safetext_escape(char *out, uint32_t cp, bool bad);

/* Writes the 'n' bytes at 's' to 'f' with those characters escaped; TAB and
 * LF pass only when 'keep_tab_lf'.  Bytes that are not UTF-8 are escaped. */
void safetext_write(FILE *f, const char *s, size_t n, bool keep_tab_lf);

#endif
