/* lines.h - splits a reader's stream into lines, tracking line numbers and the
 * byte offset at which each line starts (in the decompressed stream).
 *
 * Invariant: buf[beg, end) holds read-but-unreturned bytes; buf_offset is the
 * stream offset of buf[0].  A returned line stays valid until the next call.
 */
#ifndef SPIN_LINES_H
#define SPIN_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/reader.h"

typedef struct lines {
    reader *r;
    char *buf;
    size_t cap, beg, end, scanned;
    size_t max_line;
    bool eof;
    uint64_t buf_offset;
    uint64_t line_no;     /* number of the line last returned, from 1 */
    uint64_t line_offset; /* stream offset of the line last returned */
} lines;

/* 'max_line' bounds one line's length (a longer line is an error). */
spin_status lines_init(lines *l, reader *r, size_t max_line);
void lines_free(lines *l);

/* The next line without its '\n' in line and len; *had_newline says whether a
 * newline ended it (false only for an unterminated last line).  At the end of
 * the stream *line is NULL. */
spin_status lines_next(lines *l, const char **line, size_t *len, bool *had_newline, spin_diag *d);

#endif
