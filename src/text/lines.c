/* lines.c - line splitting over a reader (see lines.h). */
#include "text/lines.h"

#include <string.h>

#include "util/diag.h"
#include "util/mem.h"

/* SPIN_READ_WINDOW: a tiny window in fuzz builds (see crawl/input.c). */
#ifdef SPIN_READ_WINDOW
#define LINES_CHUNK ((size_t)SPIN_READ_WINDOW)
#else
#define LINES_CHUNK (1u << 20)
#endif

spin_status lines_init(lines *l, reader *r, size_t max_line) {
    memset(l, 0, sizeof *l);
    l->r = r;
    l->max_line = max_line;
    l->cap = LINES_CHUNK;
    l->buf = mem_alloc(l->cap);
    return l->buf ? SPIN_OK : SPIN_ENOMEM;
}

void lines_free(lines *l) {
    mem_free(l->buf);
    l->buf = NULL;
}

/* Moves the unreturned bytes to the front and reads more, growing the buffer
 * when one line fills it. */
static spin_status refill(lines *l, spin_diag *d) {
    if (l->beg > 0) {
        memmove(l->buf, l->buf + l->beg, l->end - l->beg);
        l->buf_offset += l->beg;
        l->scanned -= l->beg;
        l->end -= l->beg;
        l->beg = 0;
    }
    if (l->end == l->cap) {
        /* A full buffer of more than max_line bytes holds no newline. */
        if (l->cap > l->max_line)
            return diag_set(d, SPIN_EFORMAT, reader_name(l->r), l->line_no + 1, l->buf_offset,
                            "line is longer than %zu bytes", l->max_line);
        /* Grow to at most max_line + 1 (room for the newline): doubling
         * alone let a line reach twice the bound. */
        size_t ncap = l->cap * 2;
        if (ncap > l->max_line + 1)
            ncap = l->max_line + 1;
        char *nb = mem_realloc(l->buf, ncap);
        if (!nb)
            return diag_set(d, SPIN_ENOMEM, reader_name(l->r), l->line_no + 1, l->buf_offset, NULL);
        l->buf = nb;
        l->cap = ncap;
    }
    size_t got = 0;
    spin_status st = reader_read(l->r, l->buf + l->end, l->cap - l->end, &got, d);
    if (st != SPIN_OK)
        return st;
    if (got == 0)
        l->eof = true;
    l->end += got;
    return SPIN_OK;
}

spin_status lines_next(lines *l, const char **line, size_t *len, bool *had_newline, spin_diag *d) {
    *line = NULL;
    *len = 0;
    *had_newline = false;
    for (;;) {
        char *nl = memchr(l->buf + l->scanned, '\n', l->end - l->scanned);
        if (nl && (size_t)(nl - (l->buf + l->beg)) > l->max_line)
            /* The buffer can start larger than max_line (found by fuzz_query). */
            return diag_set(d, SPIN_EFORMAT, reader_name(l->r), l->line_no + 1,
                            l->buf_offset + l->beg, "line is longer than %zu bytes", l->max_line);
        if (nl) {
            size_t start = l->beg;
            *line = l->buf + start;
            *len = (size_t)(nl - (l->buf + start));
            *had_newline = true;
            l->beg = l->scanned = (size_t)(nl - l->buf) + 1;
            l->line_offset = l->buf_offset + start;
            ++l->line_no;
            return SPIN_OK;
        }
        l->scanned = l->end;
        if (l->eof) {
            if (l->beg == l->end)
                return SPIN_OK;
            if (l->end - l->beg > l->max_line)
                return diag_set(d, SPIN_EFORMAT, reader_name(l->r), l->line_no + 1,
                                l->buf_offset + l->beg, "line is longer than %zu bytes",
                                l->max_line);
            *line = l->buf + l->beg;
            *len = l->end - l->beg;
            l->line_offset = l->buf_offset + l->beg;
            l->beg = l->scanned = l->end;
            ++l->line_no;
            return SPIN_OK;
        }
        spin_status st = refill(l, d);
        if (st != SPIN_OK)
            return st;
    }
}
