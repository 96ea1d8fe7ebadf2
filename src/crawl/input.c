/* input.c - documents of a crawl (see input.h).
 *
 * One file is read at a time through a reader (recovering from bad members)
 * into a window: buf[beg, end) holds bytes read and not yet consumed, and
 * buf_off is the decompressed stream offset of buf[0].  The window only ever
 * holds the unit being assembled (one JSON line, one WARC record), so a read
 * error (a gap in the stream) costs that unit and nothing before it.
 *
 * The parsers are resumable state machines: input_next() returns as soon as
 * it has a document or a skip to report, and the next call carries on.
 */
#include "crawl/input.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "crawl/jsonrec.h"
#include "util/diag.h"
#include "util/mem.h"
#include "text/reader.h"

#define SNIFF_BYTES 64u
#define WARC_HEADER_MAX (64u * 1024u)
#define HTTP_HEADER_MAX (1u << 20) /* allowance on top of max_bytes for a response */
/* SPIN_READ_WINDOW (bytes) sets the first size of every read window (here,
 * the reader's and the line splitter's); fuzz builds set it to 64 so that
 * window moves and growth happen inside small inputs (Makefile, `make fuzz`). */
#ifdef SPIN_READ_WINDOW
#define READ_CHUNK ((size_t)SPIN_READ_WINDOW)
#else
#define READ_CHUNK (256u * 1024u)
#endif

const char *input_skip_name(input_skip why) {
    static const char *const names[INPUT_NSKIPS] = {"unreadable", "corrupt",   "bad-json",
                                                    "no-text",    "bad-warc",  "bad-length",
                                                    "non-text",   "too-large", "media"};
    return why < INPUT_NSKIPS ? names[why] : "?";
}

bool input_is_own_temp(const char *name) {
    size_t n = strlen(name);
    if (n < 11 || memcmp(name + n - 11, ".tmp.", 5) != 0)
        return false;
    for (size_t i = n - 6; i < n; ++i) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

void input_options_init(input_options *o) {
    memset(o, 0, sizeof *o);
    o->max_bytes = (uint64_t)16 << 20;
}

void input_doc_free(input_doc *doc) {
    if (!doc)
        return;
    mem_free(doc->id);
    mem_free(doc->text);
    mem_free(doc->path);
    memset(doc, 0, sizeof *doc);
}

uint64_t input_hash(const char *s, size_t len) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; ++i) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

bool input_looks_html(const char *text, size_t len) {
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        ++i;
    return (len - i >= 14 && !strncasecmp(text + i, "<!doctype html", 14)) ||
           (len - i >= 5 && !strncasecmp(text + i, "<html", 5));
}

typedef enum src_kind { SRC_NONE, SRC_SNIFF, SRC_DOC, SRC_JSONL, SRC_WARC } src_kind;

typedef struct dir_frame {
    char *path;
    char **names;
    size_t n, i;
} dir_frame;

typedef struct dev_ino {
    dev_t dev;
    ino_t ino;
} dev_ino;

/* What win_more found. */
enum { WIN_OK, WIN_EOF, WIN_GAP, WIN_FULL, WIN_NOMEM };

struct input {
    char *const *paths;
    size_t npaths, next_path;
    input_options o;
    size_t max_line; /* longest JSON line kept */

    dir_frame *dirs;
    size_t ndirs, dircap;
    dev_ino *visited; /* open-addressing set; dev 0 and ino 0 mark empty slots */
    size_t nvisited, vcap;

    /* The current file. */
    src_kind kind;
    reader *r;
    char *path;       /* its name */
    bool stdin_input; /* "-": JSON Lines unless it is WARC */
    uint64_t file_size;

    char *buf;
    size_t cap, beg, end, scanned;
    uint64_t buf_off;
    bool eof;
    spin_diag gap; /* why the last WIN_GAP */

    uint64_t line_no;        /* JSON Lines: lines consumed */
    bool skipping_line;      /* discarding the rest of an over-long line */
    bool warc_resync;        /* looking for the next "WARC/1." line */
    bool at_boundary;        /* the window starts at a file start or after a gap */
    uint64_t skip_remaining; /* WARC: block bytes to discard */
    bool check_trailer;      /* WARC: the CRLF CRLF after a discarded block */

    uint64_t done_bytes;       /* raw bytes of finished files */
    _Atomic uint64_t progress; /* done_bytes + position in the current file */
    uint64_t total;
};

spin_status input_open(char *const *paths, size_t n, const input_options *opts, input **out) {
    input *in = mem_calloc(1, sizeof *in);
    *out = NULL;
    if (!in)
        return SPIN_ENOMEM;
    in->paths = paths;
    in->npaths = n;
    if (opts)
        in->o = *opts;
    else
        input_options_init(&in->o);
    if (!in->o.text_field)
        in->o.text_field = "text";
    in->max_line = in->o.max_bytes ? (size_t)in->o.max_bytes * 2 + 65536 : SIZE_MAX;
    uint64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
        struct stat sb;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
            total += (uint64_t)sb.st_size;
        else {
            total = 0;
            break;
        }
    }
    in->total = total;
    atomic_init(&in->progress, 0);
    *out = in;
    return SPIN_OK;
}

static void close_file(input *in) {
    if (in->r) {
        uint64_t off = reader_input_offset(in->r);
        in->done_bytes += in->file_size > off ? in->file_size : off;
        reader_free(in->r);
        in->r = NULL;
    }
    mem_free(in->path);
    in->path = NULL;
    in->kind = SRC_NONE;
    in->beg = in->end = in->scanned = 0;
    in->buf_off = 0;
    atomic_store_explicit(&in->progress, in->done_bytes, memory_order_relaxed);
}

void input_free(input *in) {
    if (!in)
        return;
    close_file(in);
    while (in->ndirs > 0) {
        dir_frame *f = &in->dirs[--in->ndirs];
        for (size_t i = 0; i < f->n; ++i)
            mem_free(f->names[i]);
        mem_free(f->names);
        mem_free(f->path);
    }
    mem_free(in->dirs);
    mem_free(in->visited);
    mem_free(in->buf);
    mem_free(in);
}

uint64_t input_bytes_read(const input *in) {
    return atomic_load_explicit(&((input *)in)->progress, memory_order_relaxed);
}

uint64_t input_bytes_total(const input *in) {
    return in->total;
}

static void note_progress(input *in) {
    uint64_t p = in->done_bytes + (in->r ? reader_input_offset(in->r) : 0);
    atomic_store_explicit(&in->progress, p, memory_order_relaxed);
}

static bool selected(const input *in, const char *key, size_t len) {
    if (in->o.nshards <= 1)
        return true;
    return input_hash(key, len) % in->o.nshards == in->o.shard;
}

/* ---- the window ---- */

/* Reads more bytes into the window, keeping [beg, end); the window may grow
 * to 'limit' bytes of unconsumed data. */
static int win_more(input *in, size_t limit) {
    if (in->eof)
        return WIN_EOF;
    if (in->beg > 0 && (in->end == in->cap || in->beg >= in->cap / 2)) {
        memmove(in->buf, in->buf + in->beg, in->end - in->beg);
        in->buf_off += in->beg;
        in->end -= in->beg;
        in->beg = 0;
    }
    if (in->end == in->cap) {
        if (in->end - in->beg >= limit)
            return WIN_FULL;
        size_t ncap = in->cap ? in->cap * 2 : READ_CHUNK;
        if (ncap - in->beg > limit && limit >= in->end - in->beg)
            ncap = in->beg + (limit < SIZE_MAX - 64 ? limit + 64 : limit);
        char *nb = mem_realloc(in->buf, ncap);
        if (!nb)
            return WIN_NOMEM;
        in->buf = nb;
        in->cap = ncap;
    }
    size_t got = 0;
    spin_status st = reader_read(in->r, in->buf + in->end, in->cap - in->end, &got, &in->gap);
    if (st == SPIN_ENOMEM)
        return WIN_NOMEM;
    if (st != SPIN_OK) {
        if (st != SPIN_EFORMAT) /* an I/O error: this file is done */
            in->eof = true;
        return WIN_GAP;
    }
    note_progress(in);
    if (got == 0) {
        in->eof = true;
        return WIN_EOF;
    }
    in->end += got;
    return WIN_OK;
}

/* Drops the window's contents after a gap; what follows starts a member. */
static void win_drop(input *in) {
    in->beg = in->end;
    in->scanned = 0;
    in->at_boundary = true;
}

static spin_status skip_event(input *in, input_event *ev, input_skip *why, input_skip reason,
                              spin_diag *d, uint64_t line, uint64_t byte, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
static spin_status skip_event(input *in, input_event *ev, input_skip *why, input_skip reason,
                              spin_diag *d, uint64_t line, uint64_t byte, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(d, SPIN_EFORMAT, in->path ? in->path : "", line, byte, fmt, ap);
    va_end(ap);
    *ev = INPUT_SKIPPED;
    *why = reason;
    return SPIN_OK;
}

static spin_status gap_event(input *in, input_event *ev, input_skip *why, spin_diag *d,
                             uint64_t line) {
    if (d) {
        *d = in->gap;
        d->line = line;
    }
    *ev = INPUT_SKIPPED;
    *why = in->gap.status == SPIN_EIO ? INPUT_SKIP_UNREADABLE : INPUT_SKIP_CORRUPT;
    win_drop(in);
    return SPIN_OK;
}

/* A gap that ends the reading of the file: reported, the file closed. */
static spin_status gap_ends_file(input *in, input_event *ev, input_skip *why, spin_diag *d) {
    gap_event(in, ev, why, d, 0);
    close_file(in);
    return SPIN_OK;
}

static spin_status nomem(input *in, spin_diag *d) {
    return diag_set(d, SPIN_ENOMEM, in->path ? in->path : "", 0, 0, NULL);
}

/* Fills a document; 'id' is copied, 'text' is copied unless 'own' (then taken). */
static spin_status make_doc(input *in, input_doc *doc, const char *id, size_t id_len,
                            const char *text, size_t len, uint64_t line, uint64_t byte) {
    memset(doc, 0, sizeof *doc);
    doc->id = mem_strndup(id, id_len);
    doc->text = mem_alloc(len + 1);
    doc->path = mem_strndup(in->path, strlen(in->path));
    if (!doc->id || !doc->text || !doc->path) {
        input_doc_free(doc);
        return SPIN_ENOMEM;
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->id_len = id_len;
    doc->len = len;
    doc->line = line;
    doc->byte = byte;
    return SPIN_OK;
}

/* ---- files ---- */

static spin_status open_file(input *in, const char *path, bool is_stdin, spin_diag *d) {
    spin_status st =
        is_stdin ? reader_open_fd(0, "<stdin>", &in->r, d) : reader_open_path(path, &in->r, d);
    if (st != SPIN_OK)
        return st;
    reader_set_recover(in->r, true);
    in->path = mem_strndup(path, strlen(path));
    if (!in->path) {
        reader_free(in->r);
        in->r = NULL;
        return diag_set(d, SPIN_ENOMEM, path, 0, 0, NULL);
    }
    in->stdin_input = is_stdin;
    in->file_size = reader_input_size(in->r);
    in->beg = in->end = in->scanned = 0;
    in->buf_off = 0;
    in->eof = false;
    in->line_no = 0;
    in->skipping_line = in->warc_resync = in->check_trailer = false;
    in->at_boundary = true;
    in->skip_remaining = 0;
    return SPIN_OK;
}

static bool has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Whether the text at [p, e) begins like JSON Lines: a '{' whose line ends
 * with '}' (or runs past what was read).  A pretty-printed JSON file, whose
 * first line is a lone '{', is one document (a configuration file, code). */
static bool first_line_object(const char *p, const char *e) {
    if (p >= e || *p != '{')
        return false;
    const char *nl = memchr(p, '\n', (size_t)(e - p));
    if (!nl)
        return true;
    while (nl > p && (nl[-1] == ' ' || nl[-1] == '\t' || nl[-1] == '\r'))
        --nl;
    return nl - p >= 2 && nl[-1] == '}';
}

/* Decides what the current file holds from its first bytes, or failing
 * those from its name: JSON Lines and WARC names are believed when the
 * content does not say otherwise (a JSON Lines file may begin with a bad
 * line, a WARC file with a damaged record). */
static int sniff(input *in) {
    while (in->end - in->beg < SNIFF_BYTES) {
        int w = win_more(in, SIZE_MAX);
        if (w == WIN_EOF)
            break;
        if (w != WIN_OK)
            return w;
    }
    const char *p = in->buf + in->beg, *e = in->buf + in->end;
    if (e - p >= 5 && !memcmp(p, "WARC/", 5)) {
        in->kind = SRC_WARC;
        return WIN_OK;
    }
    if (e - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        ++p;
    in->kind = (in->stdin_input && !in->o.stdin_by_content) || first_line_object(p, e) ||
                       has_suffix(in->path, ".jsonl") || has_suffix(in->path, ".jsonl.gz") ||
                       has_suffix(in->path, ".jsonl.zst")
                   ? SRC_JSONL
                   : SRC_DOC;
    if (in->kind == SRC_DOC && (has_suffix(in->path, ".warc") || has_suffix(in->path, ".warc.gz")))
        in->kind = SRC_WARC; /* not WARC inside: its records will say so */
    return WIN_OK;
}

/* A whole file as one document. */
static spin_status doc_next(input *in, input_event *ev, input_doc *doc, input_skip *why,
                            spin_diag *d) {
    uint64_t max = in->o.max_bytes;
    if (!in->o.shard_by_file && !selected(in, in->path, strlen(in->path))) {
        close_file(in);
        *ev = INPUT_END;
        return SPIN_OK;
    }
    for (;;) {
        if (max && in->end - in->beg > max) {
            skip_event(in, ev, why, INPUT_SKIP_TOO_LARGE, d, 0, 0,
                       "larger than %llu bytes (see --max-bytes)", (unsigned long long)max);
            close_file(in);
            return SPIN_OK;
        }
        int w = win_more(in, max ? (size_t)max + 1 : SIZE_MAX);
        if (w == WIN_EOF)
            break;
        if (w == WIN_NOMEM)
            return nomem(in, d);
        if (w == WIN_GAP)
            return gap_ends_file(in, ev, why, d);
    }
    spin_status st =
        make_doc(in, doc, in->path, strlen(in->path), in->buf + in->beg, in->end - in->beg, 0, 0);
    if (st != SPIN_OK)
        return nomem(in, d);
    doc->html = input_looks_html(doc->text, doc->len);
    *ev = INPUT_DOC;
    close_file(in);
    return SPIN_OK;
}

/* ---- JSON Lines ---- */

/* The id of a JSON object as text, into 'out' (a number is printed). */
/* ---- \u escapes that cJSON cannot keep ----
 * cJSON ends its strings at a NUL, so an id "a\u0000b" would be cut to "a"
 * (and collide with "a\u0000c"); and it rejects a lone surrogate (\ud800),
 * which would cost the whole record.  Before parsing, a lone surrogate
 * becomes \ufffd and \u0000 becomes a noncharacter that the line does not
 * use (U+FDD0..U+FDEF); after parsing that placeholder becomes a NUL byte
 * again in the id (which keeps its length) and a space in the text. */

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The code unit of "\uXXXX" at p[0, n), or -1. */
static long u_escape(const char *p, size_t n) {
    if (n < 6 || p[0] != '\\' || p[1] != 'u')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; ++i) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Whether 'line' mentions code point 'cp' (in U+FDD0..U+FDEF) raw or escaped. */
static bool mentions(const char *line, size_t len, unsigned cp) {
    unsigned char u[3] = {0xef, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)),
                          (unsigned char)(0x80 | (cp & 0x3f))};
    for (size_t i = 0; i + 3 <= len; ++i)
        if (!memcmp(line + i, u, 3))
            return true;
    for (size_t i = 0; i + 6 <= len; ++i)
        if (u_escape(line + i, len - i) == (long)cp)
            return true;
    return false;
}

/* A fixed copy of 'line' (see above), or NULL when it needs none (*nomem
 * says whether that is a failure).  *ph is the placeholder used, or 0. */
static char *json_fix(const char *line, size_t len, unsigned *ph, bool *nomem) {
    *ph = 0;
    *nomem = false;
    if (!memchr(line, '\\', len))
        return NULL;
    char *fixed = NULL;
    for (size_t i = 0; i < len;) {
        if (line[i] != '\\') {
            ++i;
            continue;
        }
        long v = u_escape(line + i, len - i);
        if (v < 0) {
            i += 2; /* another escape: skip the escaped character */
            continue;
        }
        size_t step = 6;
        const char *with = NULL;
        char buf[16];
        if (v >= 0xd800 && v <= 0xdbff) {
            long lo = u_escape(line + i + 6, len - i - 6 < len ? len - i - 6 : 0);
            if (i + 6 <= len && lo >= 0xdc00 && lo <= 0xdfff)
                step = 12;
            else
                with = "\\ufffd";
        } else if (v >= 0xdc00 && v <= 0xdfff) {
            with = "\\ufffd";
        } else if (v == 0) {
            if (!*ph) {
                for (unsigned c = 0xfdd0; c <= 0xfdef && !*ph; ++c)
                    if (!mentions(line, len, c))
                        *ph = c;
                if (!*ph) /* the line names all 32: keep cJSON's cut */
                    *ph = 1;
            }
            if (*ph > 1) {
                snprintf(buf, sizeof buf, "\\u%04x", *ph);
                with = buf;
            }
        }
        if (with) {
            if (!fixed) {
                if (!(fixed = mem_alloc(len + 1))) {
                    *nomem = true;
                    return NULL;
                }
                memcpy(fixed, line, len);
                fixed[len] = '\0';
            }
            memcpy(fixed + i, with, 6);
        }
        i += step;
    }
    if (*ph == 1)
        *ph = 0;
    return fixed;
}

/* Replaces each UTF-8 placeholder 'ph' in s[0, *len) by the byte 'with'. */
static void unplace(char *s, size_t *len, unsigned ph, char with) {
    unsigned char u[3] = {0xef, (unsigned char)(0x80 | ((ph >> 6) & 0x3f)),
                          (unsigned char)(0x80 | (ph & 0x3f))};
    size_t o = 0;
    for (size_t i = 0; i < *len;) {
        if (i + 3 <= *len && !memcmp(s + i, u, 3)) {
            s[o++] = with;
            i += 3;
        } else {
            s[o++] = s[i++];
        }
    }
    *len = o;
    s[o] = '\0';
}

static bool json_id(const cJSON *v, char *out, size_t outsize, const char **s, size_t *len) {
    if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
        *s = v->valuestring;
        *len = strlen(v->valuestring);
        return true;
    }
    if (cJSON_IsNumber(v)) {
        jsonrec_number_id(v->valuedouble, out, outsize); /* as jsonrec keys it */
        *s = out;
        *len = strlen(out);
        return true;
    }
    return false;
}

static spin_status jsonl_line(input *in, const char *line, size_t len, uint64_t off,
                              input_event *ev, input_doc *doc, input_skip *why, spin_diag *d) {
    uint64_t line_no = in->line_no;
    const char *end = NULL;
    unsigned ph;
    bool oom;
    char *fixed = json_fix(line, len, &ph, &oom);
    if (oom)
        return nomem(in, d);
    const char *src = fixed ? fixed : line;
    cJSON *o = cJSON_ParseWithLengthOpts(src, len, &end, false);
    if (o && end)
        while (end < src + len && (*end == ' ' || *end == '\t' || *end == '\r'))
            ++end;
    bool bad = !o || !cJSON_IsObject(o) || (end && end != src + len);
    mem_free(fixed);
    if (bad) {
        char q[80];
        diag_quote(q, sizeof q, line, len, 40);
        cJSON_Delete(o);
        return skip_event(in, ev, why, INPUT_SKIP_JSON, d, line_no, off, "not a JSON object: %s",
                          q);
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, in->o.text_field);
    if (!cJSON_IsString(t) || !t->valuestring) {
        cJSON_Delete(o);
        return skip_event(in, ev, why, INPUT_SKIP_NO_TEXT, d, line_no, off,
                          t ? "field '%s' is not a string" : "no field '%s'", in->o.text_field);
    }
    char num[64], fallback[600];
    const char *id = NULL;
    size_t id_len = 0;
    bool have = false;
    if (in->o.id_field)
        have = json_id(cJSON_GetObjectItemCaseSensitive(o, in->o.id_field), num, sizeof num, &id,
                       &id_len);
    else
        have = json_id(cJSON_GetObjectItemCaseSensitive(o, "id"), num, sizeof num, &id, &id_len) ||
               json_id(cJSON_GetObjectItemCaseSensitive(o, "url"), num, sizeof num, &id, &id_len);
    if (!have) {
        snprintf(fallback, sizeof fallback, "%s:%llu", in->path, (unsigned long long)line_no);
        id = fallback;
        id_len = strlen(fallback);
    }
    size_t tlen = strlen(t->valuestring);
    char *idfix = NULL;
    if (ph) { /* NUL bytes back in the id, spaces in the text */
        unplace(t->valuestring, &tlen, ph, ' ');
        if (id != fallback && id != num) {
            if (!(idfix = mem_strndup(id, id_len))) {
                cJSON_Delete(o);
                return nomem(in, d);
            }
            unplace(idfix, &id_len, ph, '\0');
            id = idfix;
        }
    }
    if (in->o.nshards > 1 && !in->o.shard_by_file && !selected(in, id, id_len)) {
        mem_free(idfix);
        cJSON_Delete(o);
        *ev = INPUT_END; /* nothing to report: the caller goes on */
        return SPIN_OK;
    }
    if (in->o.max_bytes && tlen > in->o.max_bytes) {
        mem_free(idfix);
        cJSON_Delete(o);
        return skip_event(in, ev, why, INPUT_SKIP_TOO_LARGE, d, line_no, off,
                          "text of %zu bytes is larger than %llu (see --max-bytes)", tlen,
                          (unsigned long long)in->o.max_bytes);
    }
    spin_status st = make_doc(in, doc, id, id_len, t->valuestring, tlen, line_no, off);
    mem_free(idfix);
    cJSON_Delete(o);
    if (st != SPIN_OK)
        return nomem(in, d);
    doc->id_number = have && id == num;
    doc->html = false;
    *ev = INPUT_DOC;
    return SPIN_OK;
}

static spin_status jsonl_next(input *in, input_event *ev, input_doc *doc, input_skip *why,
                              spin_diag *d) {
    for (;;) {
        char *start = in->buf + in->beg;
        char *nl = memchr(start + in->scanned, '\n', in->end - in->beg - in->scanned);
        size_t len;
        bool last = false;
        if (nl) {
            len = (size_t)(nl - start);
        } else {
            in->scanned = in->end - in->beg;
            if (in->skipping_line) { /* the rest of an over-long line */
                in->beg = in->end;
                in->scanned = 0;
            } else if (in->end - in->beg > in->max_line) {
                uint64_t off = in->buf_off + in->beg;
                in->skipping_line = true;
                in->beg = in->end;
                in->scanned = 0;
                return skip_event(in, ev, why, INPUT_SKIP_TOO_LARGE, d, in->line_no + 1, off,
                                  "line longer than %zu bytes (see --max-bytes)", in->max_line);
            }
            int w = win_more(in, SIZE_MAX);
            if (w == WIN_OK)
                continue;
            if (w == WIN_NOMEM)
                return nomem(in, d);
            if (w == WIN_GAP) {
                ++in->line_no; /* the line it cut */
                in->skipping_line = false;
                return gap_event(in, ev, why, d, in->line_no);
            }
            if (in->beg == in->end) { /* WIN_EOF at a line end */
                close_file(in);
                *ev = INPUT_END;
                return SPIN_OK;
            }
            start = in->buf + in->beg; /* win_more() may have moved the window */
            len = in->end - in->beg;
            last = true;
        }
        ++in->line_no;
        uint64_t off = in->buf_off + in->beg;
        in->beg += len + (last ? 0 : 1);
        in->scanned = 0;
        in->at_boundary = false;
        if (in->skipping_line) {
            in->skipping_line = false;
            continue;
        }
        while (len > 0 &&
               (start[len - 1] == '\r' || start[len - 1] == ' ' || start[len - 1] == '\t'))
            --len;
        size_t i = 0;
        while (i < len && (start[i] == ' ' || start[i] == '\t'))
            ++i;
        if (i == len)
            continue; /* blank line */
        spin_status st = jsonl_line(in, start, len, off, ev, doc, why, d);
        if (st != SPIN_OK || *ev != INPUT_END)
            return st;
    }
}

/* ---- WARC ---- */

/* A header field's value: 'len' bytes at 'p' (NULL when the field is absent). */
typedef struct field {
    const char *p;
    size_t len;
} field;

typedef struct warc_header {
    char type[32];
    field uri, record_id, ctype;
    uint64_t length;
    bool has_length;
} warc_header;

/* Finds "\r\n\r\n" (or "\n\n") in p[0, n); returns the header length with
 * the blank line, or 0. */
static size_t header_end(const char *p, size_t n) {
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + n - q))) != NULL; ++q) {
        if (q + 1 < p + n && q[1] == '\n')
            return (size_t)(q - p) + 2;
        if (q + 2 < p + n && q[1] == '\r' && q[2] == '\n')
            return (size_t)(q - p) + 3;
    }
    return 0;
}

static void trim(const char **s, size_t *len) {
    while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        ++*s;
        --*len;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        --*len;
}

/* Calls fn(name, value) for each "Name: value" line of p[0, n) after the
 * first line; false if a line has no colon. */
static bool header_fields(const char *p, size_t n,
                          void (*fn)(void *, const char *, size_t, const char *, size_t),
                          void *ctx) {
    const char *e = p + n, *q = memchr(p, '\n', n);
    if (!q)
        return false;
    for (const char *l = q + 1; l < e;) {
        const char *nl = memchr(l, '\n', (size_t)(e - l));
        const char *le = nl ? nl : e;
        size_t ll = (size_t)(le - l);
        if (ll > 0 && l[ll - 1] == '\r')
            --ll;
        if (ll == 0)
            break;                         /* the blank line */
        if (l[0] != ' ' && l[0] != '\t') { /* else a continuation line */
            const char *colon = memchr(l, ':', ll);
            if (!colon || colon == l)
                return false;
            const char *name = l, *val = colon + 1;
            size_t nlen = (size_t)(colon - l), vlen = ll - nlen - 1;
            trim(&name, &nlen);
            trim(&val, &vlen);
            fn(ctx, name, nlen, val, vlen);
        }
        l = le + 1;
    }
    return true;
}

static bool name_is(const char *name, size_t len, const char *want) {
    return strlen(want) == len && !strncasecmp(name, want, len);
}

/* Keeps the value of the field 'name' in *slots[i] when names[i] (a list
 * ending with NULL) is its name, case-insensitively; true if it did. */
static bool keep_field(const char *name, size_t nlen, const char *val, size_t vlen,
                       const char *const *names, field *const *slots) {
    for (size_t i = 0; names[i]; ++i)
        if (name_is(name, nlen, names[i])) {
            slots[i]->p = val;
            slots[i]->len = vlen;
            return true;
        }
    return false;
}

static void warc_field(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen) {
    warc_header *h = ctx;
    static const char *const kept[] = {"WARC-Target-URI", "WARC-Record-ID", "Content-Type", NULL};
    field *const slots[] = {&h->uri, &h->record_id, &h->ctype};
    if (name_is(name, nlen, "WARC-Target-URI") && vlen >= 2 && val[0] == '<' &&
        val[vlen - 1] == '>') {
        ++val; /* <uri>, as WARC 1.0 writes it */
        vlen -= 2;
    }
    if (keep_field(name, nlen, val, vlen, kept, slots)) {
        return;
    } else if (name_is(name, nlen, "WARC-Type")) {
        snprintf(h->type, sizeof h->type, "%.*s", (int)(vlen < 31 ? vlen : 31), val);
    } else if (name_is(name, nlen, "Content-Length")) {
        uint64_t v = 0;
        size_t i = 0;
        for (; i < vlen && val[i] >= '0' && val[i] <= '9' && v < (UINT64_MAX - 9) / 10; ++i)
            v = v * 10 + (uint64_t)(val[i] - '0');
        h->has_length = i > 0 && i == vlen;
        h->length = v;
    }
}

typedef struct http_header {
    field ctype, cenc, tenc;
} http_header;

static void http_field(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen) {
    http_header *h = ctx;
    static const char *const kept[] = {"Content-Type", "Content-Encoding", "Transfer-Encoding",
                                       NULL};
    field *const slots[] = {&h->ctype, &h->cenc, &h->tenc};
    keep_field(name, nlen, val, vlen, kept, slots);
}

/* Media type of a Content-Type value: 1 HTML, 2 plain text, 0 other; the
 * charset parameter goes to 'charset'. */
static int media_type(const char *v, size_t len, char *charset, size_t cs_size) {
    const char *semi = memchr(v, ';', len);
    size_t tlen = semi ? (size_t)(semi - v) : len;
    trim(&v, &tlen);
    charset[0] = '\0';
    if (semi) {
        const char *p = semi + 1, *e = v + len;
        for (; p + 8 <= e; ++p)
            if (!strncasecmp(p, "charset=", 8)) {
                p += 8;
                if (p < e && *p == '"')
                    ++p;
                size_t n = 0;
                while (p + n < e && p[n] != ';' && p[n] != '"' && p[n] != ' ' && n + 1 < cs_size)
                    ++n;
                memcpy(charset, p, n);
                charset[n] = '\0';
                break;
            }
    }
    if (name_is(v, tlen, "text/html") || name_is(v, tlen, "application/xhtml+xml"))
        return 1;
    if (name_is(v, tlen, "text/plain"))
        return 2;
    return 0;
}

/* Undoes chunked transfer coding in place; returns the new length, or
 * SIZE_MAX if the chunks are malformed. */
static size_t dechunk(char *p, size_t n) {
    size_t in = 0, out = 0;
    for (;;) {
        size_t size = 0, digits = 0;
        while (in < n) {
            char c = p[in];
            int v = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (v < 0 || size > (SIZE_MAX >> 4))
                break;
            size = size * 16 + (size_t)v;
            ++in;
            ++digits;
        }
        const char *nl = memchr(p + in, '\n', n - in);
        if (!digits || !nl)
            return SIZE_MAX;
        in = (size_t)(nl - p) + 1;
        if (size == 0)
            return out;
        if (size > n - in)
            return SIZE_MAX;
        memmove(p + out, p + in, size);
        out += size;
        in += size;
        if (in < n && p[in] == '\r')
            ++in;
        if (in < n && p[in] == '\n')
            ++in;
    }
}

/* Bytes needed to recognise "\nWARC/1.x\r\n" in a block being skipped. */
#define WARC_LOOKAHEAD 12u

/* Offset in p[0, take) of the "W" of a line "WARC/1.0" or "WARC/1.1" (the
 * line before it ends at p[i - 1]), looking at p[0, avail); SIZE_MAX if none
 * (a match cut by the window's end is not reported unless at_eof). */
static size_t warc_candidate(const char *p, size_t take, size_t avail, bool at_eof) {
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + take - q))) != NULL; ++q) {
        size_t i = (size_t)(q + 1 - p), n = avail - i;
        if (i >= take)
            break;
        if (n < 10 && !at_eof)
            break;
        if (n >= 9 && !memcmp(p + i, "WARC/1.", 7) && (p[i + 7] == '0' || p[i + 7] == '1') &&
            (p[i + 8] == '\n' || (n >= 10 && p[i + 8] == '\r' && p[i + 9] == '\n')))
            return i;
    }
    return SIZE_MAX;
}

/* Whether the window starts with a complete, valid WARC header (a type and
 * a Content-Length): WIN_OK if so, WIN_FULL if not, or a win_more() failure. */
static int warc_header_at(input *in) {
    for (;;) {
        size_t n = in->end - in->beg;
        size_t hlen = header_end(in->buf + in->beg, n);
        if (hlen) {
            warc_header h;
            memset(&h, 0, sizeof h);
            bool ok =
                header_fields(in->buf + in->beg, hlen, warc_field, &h) && h.has_length && h.type[0];
            return ok ? WIN_OK : WIN_FULL;
        }
        if (n > WARC_HEADER_MAX)
            return WIN_FULL;
        int w = win_more(in, SIZE_MAX);
        if (w == WIN_EOF)
            return WIN_FULL;
        if (w != WIN_OK)
            return w;
    }
}

/* Looks for the next record start: "WARC/1." at the window start after a
 * gap or at the file start, else after a newline.  Returns WIN_OK when the
 * window starts at a record, WIN_EOF at the end of the file. */
static int warc_find(input *in) {
    for (;;) {
        const char *p = in->buf + in->beg;
        size_t n = in->end - in->beg;
        if (in->at_boundary) {
            if (n >= 7 && !memcmp(p, "WARC/1.", 7))
                return WIN_OK;
            if (n >= 7 || in->eof)
                in->at_boundary = false;
        }
        if (!in->at_boundary) {
            const char *q = p;
            while ((q = memchr(q, '\n', (size_t)(p + n - q))) != NULL) {
                if ((size_t)(p + n - q) < 8)
                    break; /* a match may be cut by the window's end: keep it */
                if (!memcmp(q + 1, "WARC/1.", 7)) {
                    in->beg += (size_t)(q + 1 - p);
                    return WIN_OK;
                }
                ++q;
            }
            in->beg = q ? (size_t)(q - in->buf) : in->end;
        }
        int w = win_more(in, SIZE_MAX);
        if (w != WIN_OK)
            return w;
    }
}

/* Stops discarding the current block. */
static void end_skip(input *in) {
    in->skip_remaining = 0;
    in->check_trailer = false;
}

/* A gap in the file (a corrupt compressed member) while discarding a block:
 * the skip ends, and reading resynchronises at the next record. */
static spin_status skip_gap(input *in, input_event *ev, input_skip *why, spin_diag *d) {
    end_skip(in);
    in->warc_resync = true;
    return gap_event(in, ev, why, d, 0);
}

/* The document of the WARC record at 'rec_byte': its id (freed here), 'len'
 * bytes of text at 'text' (copied), HTML when 'kind' is 1, 'charset'. */
static spin_status warc_doc(input *in, input_event *ev, input_doc *doc, spin_diag *d, char *id,
                            const char *text, size_t len, int kind, const char *charset,
                            uint64_t rec_byte) {
    spin_status st = make_doc(in, doc, id, strlen(id), text, len, 0, rec_byte);
    mem_free(id);
    if (st != SPIN_OK)
        return nomem(in, d);
    doc->html = kind == 1;
    snprintf(doc->charset, sizeof doc->charset, "%s", charset);
    *ev = INPUT_DOC;
    return SPIN_OK;
}

static spin_status warc_next(input *in, input_event *ev, input_doc *doc, input_skip *why,
                             spin_diag *d) {
    for (;;) {
        /* Discarding a block (unwanted, unselected or too large record).  Its
         * Content-Length is not trusted blindly: a valid WARC header at a line
         * start inside the block (a lying or corrupted length) ends the skip
         * there, with a warning, instead of hiding every later record. */
        while (in->skip_remaining > 0) {
            size_t avail = in->end - in->beg;
            if (avail < WARC_LOOKAHEAD && avail < in->skip_remaining && !in->eof) {
                int w = win_more(in, SIZE_MAX);
                if (w == WIN_OK)
                    continue;
                if (w == WIN_NOMEM)
                    return nomem(in, d);
                if (w == WIN_GAP)
                    return skip_gap(in, ev, why, d);
                avail = in->end - in->beg;
            }
            if (avail == 0) { /* the end of the file */
                uint64_t at = in->buf_off + in->end;
                end_skip(in);
                skip_event(in, ev, why, INPUT_SKIP_LENGTH, d, 0, at,
                           "the file ends inside a record (Content-Length too large or the file "
                           "is truncated)");
                close_file(in);
                return SPIN_OK;
            }
            size_t take = avail;
            if (take > in->skip_remaining)
                take = (size_t)in->skip_remaining;
            const char *p = in->buf + in->beg;
            size_t cand = warc_candidate(p, take, avail, in->eof);
            if (cand == SIZE_MAX) {
                /* Keep a possible record start cut by the window's end. */
                size_t keep = take == avail && !in->eof ? WARC_LOOKAHEAD - 1 : 0;
                if (take > keep)
                    take -= keep;
                else if (take < in->skip_remaining)
                    take = 0;
                if (take == 0) {
                    int w = win_more(in, SIZE_MAX);
                    if (w == WIN_NOMEM)
                        return nomem(in, d);
                    if (w == WIN_GAP)
                        return skip_gap(in, ev, why, d);
                    if (w != WIN_OK)
                        take = avail < in->skip_remaining ? avail : (size_t)in->skip_remaining;
                }
                in->beg += take;
                in->skip_remaining -= take;
                continue;
            }
            /* A line "WARC/1.x" inside the block: is a valid header there? */
            in->beg += cand;
            in->skip_remaining -= cand;
            int v = warc_header_at(in);
            if (v == WIN_NOMEM)
                return nomem(in, d);
            if (v == WIN_GAP) {
                return skip_gap(in, ev, why, d);
            }
            if (v != WIN_OK) { /* not a record: part of the block */
                in->beg += 1;
                in->skip_remaining -= 1;
                continue;
            }
            uint64_t left = in->skip_remaining;
            end_skip(in);
            return skip_event(in, ev, why, INPUT_SKIP_LENGTH, d, 0,
                              reader_member_at(in->r, in->buf_off + in->beg),
                              "a WARC record starts here, %llu bytes before the end that the "
                              "previous record's Content-Length claims; resynchronised here",
                              (unsigned long long)left);
        }
        if (in->check_trailer) {
            while (in->end - in->beg < 4) {
                int w = win_more(in, SIZE_MAX);
                if (w == WIN_NOMEM)
                    return nomem(in, d);
                if (w != WIN_OK)
                    break;
            }
            in->check_trailer = false;
            size_t n = in->end - in->beg;
            const char *p = in->buf + in->beg;
            if (n >= 4 && !memcmp(p, "\r\n\r\n", 4))
                in->beg += 4;
            else if (n >= 2 && !memcmp(p, "\n\n", 2))
                in->beg += 2;
            else if (!(n == 0 && in->eof)) {
                in->warc_resync = true;
                return skip_event(in, ev, why, INPUT_SKIP_LENGTH, d, 0,
                                  reader_member_at(in->r, in->buf_off + in->beg),
                                  "a record does not end where its Content-Length says");
            }
        }
        /* Blank lines between records. */
        for (;;) {
            while (in->beg < in->end && (in->buf[in->beg] == '\r' || in->buf[in->beg] == '\n'))
                ++in->beg;
            if (in->end - in->beg >= 8)
                break;
            int w = win_more(in, SIZE_MAX);
            if (w == WIN_NOMEM)
                return nomem(in, d);
            if (w == WIN_GAP) {
                in->warc_resync = true;
                return gap_event(in, ev, why, d, 0);
            }
            if (w == WIN_EOF)
                break;
        }
        if (in->beg == in->end && in->eof) {
            close_file(in);
            *ev = INPUT_END;
            return SPIN_OK;
        }
        if (in->warc_resync) {
            int w = warc_find(in);
            if (w == WIN_NOMEM)
                return nomem(in, d);
            if (w == WIN_GAP)
                return gap_event(in, ev, why, d, 0);
            if (w == WIN_EOF) {
                close_file(in);
                *ev = INPUT_END;
                return SPIN_OK;
            }
            in->warc_resync = false;
        }
        uint64_t rec_off = in->buf_off + in->beg;
        uint64_t rec_byte = reader_member_at(in->r, rec_off);
        size_t hlen = 0;
        if (in->end - in->beg < 7 || memcmp(in->buf + in->beg, "WARC/1.", 7) != 0) {
            in->warc_resync = true;
            in->at_boundary = false;
            char q[60];
            diag_quote(q, sizeof q, in->buf + in->beg, in->end - in->beg, 16);
            return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                              "invalid WARC header: expected 'WARC/1.0' or 'WARC/1.1', found %s",
                              q);
        }
        for (;;) {
            hlen = header_end(in->buf + in->beg, in->end - in->beg);
            if (hlen)
                break;
            int w = in->end - in->beg > WARC_HEADER_MAX ? WIN_FULL : win_more(in, SIZE_MAX);
            if (w == WIN_OK)
                continue;
            if (w == WIN_NOMEM)
                return nomem(in, d);
            if (w == WIN_GAP) {
                in->warc_resync = true;
                return gap_event(in, ev, why, d, 0);
            }
            in->warc_resync = true;
            in->beg += 1;
            in->at_boundary = false;
            return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                              w == WIN_EOF ? "invalid WARC header: the file ends inside it"
                                           : "invalid WARC header: longer than 64 KiB");
        }
        warc_header h;
        memset(&h, 0, sizeof h);
        if (!header_fields(in->buf + in->beg, hlen, warc_field, &h) || !h.has_length) {
            in->warc_resync = true;
            in->beg += 1;
            in->at_boundary = false;
            return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                              h.has_length ? "invalid WARC header: a line without a colon"
                                           : "invalid WARC header: no valid Content-Length");
        }
        bool conversion = !strcasecmp(h.type, "conversion");
        bool response = !strcasecmp(h.type, "response");
        char idbuf[600];
        const char *id = h.uri.p;
        size_t id_len = h.uri.len;
        if (!id || !id_len) {
            id = h.record_id.p;
            id_len = h.record_id.len;
        }
        if (!id || !id_len) {
            snprintf(idbuf, sizeof idbuf, "%s@%llu", in->path, (unsigned long long)rec_byte);
            id = idbuf;
            id_len = strlen(idbuf);
        }
        bool sel = in->o.shard_by_file || selected(in, id, id_len);
        uint64_t max = in->o.max_bytes;
        uint64_t limit = max ? max + (response ? HTTP_HEADER_MAX : 0) : 0;
        bool keep = (conversion || response) && sel;
        if (limit && h.length > limit) { /* streamed past, never held */
            in->beg += hlen;
            in->skip_remaining = h.length;
            in->check_trailer = true;
            if (keep)
                return skip_event(in, ev, why, INPUT_SKIP_TOO_LARGE, d, 0, rec_byte,
                                  "record of %llu bytes is larger than %llu (see --max-bytes)",
                                  (unsigned long long)h.length, (unsigned long long)max);
            continue;
        }
        /* The id and h.ctype point into the window, which win_more() may move
         * (memmove to the front, or realloc): copy the id, keep the type as an
         * offset from the record start and find it again afterwards. */
        char *idcopy = mem_strndup(id, id_len);
        if (!idcopy)
            return nomem(in, d);
        bool has_ctype = h.ctype.p != NULL;
        size_t ctype_at = has_ctype ? (size_t)(h.ctype.p - (in->buf + in->beg)) : 0;
        h.ctype.p = h.uri.p = h.record_id.p = NULL;
        size_t need = hlen + (size_t)h.length;
        int w = WIN_OK;
        while (in->end - in->beg < need + 4 && w == WIN_OK)
            w = win_more(in, SIZE_MAX);
        if (has_ctype)
            h.ctype.p = in->buf + in->beg + ctype_at;
        if (w == WIN_NOMEM) {
            mem_free(idcopy);
            return nomem(in, d);
        }
        if (w == WIN_GAP) {
            mem_free(idcopy);
            in->warc_resync = true;
            return gap_event(in, ev, why, d, 0);
        }
        size_t have = in->end - in->beg;
        const char *p = in->buf + in->beg;
        size_t tail = have >= need ? have - need : 0, tl = SIZE_MAX; /* trailer length */
        if (tail >= 4 && !memcmp(p + need, "\r\n\r\n", 4))
            tl = 4;
        else if (tail >= 2 && !memcmp(p + need, "\n\n", 2))
            tl = 2;
        else if (have >= need && in->eof && tail < 4 && !memcmp(p + need, "\r\n\r\n", tail))
            tl = tail; /* the file ends with the block (a missing or cut trailer) */
        if (have < need || tl == SIZE_MAX) {
            mem_free(idcopy);
            in->beg += hlen; /* look for the next record inside the claimed block */
            in->warc_resync = true;
            in->at_boundary = false;
            if (!sel) /* another shard's record: its shard reports it */
                continue;
            return skip_event(in, ev, why, INPUT_SKIP_LENGTH, d, 0, rec_byte,
                              have < need ? "Content-Length %llu runs past the end of the file"
                                          : "Content-Length %llu does not match the record "
                                            "(no blank line after the block)",
                              (unsigned long long)h.length);
        }
        char *block = in->buf + in->beg + hlen;
        size_t blen = (size_t)h.length;
        in->beg += need + tl;
        in->at_boundary = false;
        if (!keep) {
            mem_free(idcopy);
            continue;
        }
        /* Payload. */
        const char *payload = block;
        size_t plen = blen;
        int kind = 2; /* 1 html, 2 text */
        char charset[48] = "";
        spin_status st;
        if (response) {
            if (blen < 5 || memcmp(block, "HTTP/", 5) != 0) {
                mem_free(idcopy);
                return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                                  "response record without an HTTP status line");
            }
            size_t hh = header_end(block, blen);
            http_header hd;
            memset(&hd, 0, sizeof hd);
            if (!hh || !header_fields(block, hh, http_field, &hd)) {
                mem_free(idcopy);
                return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                                  "response record with an invalid HTTP header");
            }
            payload = block + hh;
            plen = blen - hh;
            if (hd.ctype.p) {
                kind = media_type(hd.ctype.p, hd.ctype.len, charset, sizeof charset);
                if (!kind) {
                    mem_free(idcopy);
                    return skip_event(in, ev, why, INPUT_SKIP_MEDIA, d, 0, rec_byte,
                                      "payload type '%.*s' is neither text nor HTML",
                                      (int)(hd.ctype.len > 80 ? 80 : hd.ctype.len), hd.ctype.p);
                }
            } else {
                kind = input_looks_html(payload, plen) ? 1 : 2;
            }
            if (hd.tenc.p && hd.tenc.len >= 7 && !strncasecmp(hd.tenc.p, "chunked", 7)) {
                size_t n = dechunk((char *)payload, plen);
                if (n == SIZE_MAX) {
                    mem_free(idcopy);
                    return skip_event(in, ev, why, INPUT_SKIP_WARC, d, 0, rec_byte,
                                      "malformed chunked transfer coding");
                }
                plen = n;
            }
            if (hd.cenc.p && !name_is(hd.cenc.p, hd.cenc.len, "identity")) {
                if (!name_is(hd.cenc.p, hd.cenc.len, "gzip") &&
                    !name_is(hd.cenc.p, hd.cenc.len, "x-gzip")) {
                    mem_free(idcopy);
                    return skip_event(in, ev, why, INPUT_SKIP_NON_TEXT, d, 0, rec_byte,
                                      "Content-Encoding '%.*s' is not supported",
                                      (int)(hd.cenc.len > 40 ? 40 : hd.cenc.len), hd.cenc.p);
                }
                /* gzip-coded body: decompress through a reader */
                reader *zr;
                spin_diag zd;
                char *un = NULL;
                size_t ulen = 0, ucap = 0;
                bool bad = reader_open_memory(payload, plen, in->path, &zr, &zd) != SPIN_OK;
                if (!bad) {
                    reader_set_limit(zr, max);
                    for (;;) {
                        if (ulen == ucap) {
                            size_t nc = ucap ? ucap * 2 : 65536;
                            char *nb = mem_realloc(un, nc);
                            if (!nb) {
                                bad = true;
                                break;
                            }
                            un = nb;
                            ucap = nc;
                        }
                        size_t got = 0;
                        if (reader_read(zr, un + ulen, ucap - ulen, &got, &zd) != SPIN_OK) {
                            bad = true;
                            break;
                        }
                        if (!got)
                            break;
                        ulen += got;
                    }
                    reader_free(zr);
                }
                if (bad) {
                    mem_free(un);
                    mem_free(idcopy);
                    return skip_event(in, ev, why, INPUT_SKIP_CORRUPT, d, 0, rec_byte,
                                      "gzip Content-Encoding: %s", zd.message);
                }
                st = warc_doc(in, ev, doc, d, idcopy, un ? un : "", ulen, kind, charset, rec_byte);
                mem_free(un);
                return st;
            }
        } else if (h.ctype.p) {
            char cs[48];
            const char *slash = memchr(h.ctype.p, '/', h.ctype.len);
            kind = media_type(h.ctype.p, h.ctype.len, cs, sizeof cs);
            if (!kind && !(slash && slash - h.ctype.p == 4 && !strncasecmp(h.ctype.p, "text", 4))) {
                mem_free(idcopy);
                return skip_event(in, ev, why, INPUT_SKIP_NON_TEXT, d, 0, rec_byte,
                                  "conversion record of type '%.*s' is not text",
                                  (int)(h.ctype.len > 80 ? 80 : h.ctype.len), h.ctype.p);
            }
            if (kind != 1)
                kind = 2;
        }
        if (max && plen > max) {
            mem_free(idcopy);
            return skip_event(in, ev, why, INPUT_SKIP_TOO_LARGE, d, 0, rec_byte,
                              "payload of %zu bytes is larger than %llu (see --max-bytes)", plen,
                              (unsigned long long)max);
        }
        return warc_doc(in, ev, doc, d, idcopy, payload, plen, kind, charset, rec_byte);
    }
}

/* ---- directories ---- */

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds (dev, ino) to the visited set; false if it was there already. */
static int visit(input *in, dev_t dev, ino_t ino) {
    if (in->nvisited * 2 >= in->vcap) {
        size_t ncap = in->vcap ? in->vcap * 2 : 64;
        dev_ino *nv = mem_calloc(ncap, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < in->vcap; ++i)
            if (in->visited[i].dev || in->visited[i].ino) {
                size_t h = (size_t)input_hash((const char *)&in->visited[i], sizeof(dev_ino));
                while (nv[h & (ncap - 1)].dev || nv[h & (ncap - 1)].ino)
                    ++h;
                nv[h & (ncap - 1)] = in->visited[i];
            }
        mem_free(in->visited);
        in->visited = nv;
        in->vcap = ncap;
    }
    dev_ino key;
    memset(&key, 0, sizeof key);
    key.dev = dev;
    key.ino = ino;
    size_t h = (size_t)input_hash((const char *)&key, sizeof key);
    for (;; ++h) {
        dev_ino *s = &in->visited[h & (in->vcap - 1)];
        if (!s->dev && !s->ino) {
            *s = key;
            ++in->nvisited;
            return 1;
        }
        if (s->dev == dev && s->ino == ino)
            return 0;
    }
}

static spin_status push_dir(input *in, const char *path, input_event *ev, input_skip *why,
                            spin_diag *d) {
    DIR *dir = opendir(path);
    *ev = INPUT_END;
    if (!dir) {
        *ev = INPUT_SKIPPED;
        *why = INPUT_SKIP_UNREADABLE;
        diag_set(d, SPIN_EIO, path, 0, 0, "cannot read the directory: %s", strerror(errno));
        return SPIN_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    spin_status st = SPIN_OK;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || input_is_own_temp(e->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = mem_realloc_array(names, nc, sizeof *nn);
            if (!nn) {
                st = SPIN_ENOMEM;
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = mem_strndup(e->d_name, strlen(e->d_name)))) {
            st = SPIN_ENOMEM;
            break;
        }
        ++n;
    }
    closedir(dir);
    if (st == SPIN_OK && in->ndirs == in->dircap) {
        size_t nc = in->dircap ? in->dircap * 2 : 8;
        dir_frame *nf = mem_realloc_array(in->dirs, nc, sizeof *nf);
        if (!nf)
            st = SPIN_ENOMEM;
        else {
            in->dirs = nf;
            in->dircap = nc;
        }
    }
    char *copy = st == SPIN_OK ? mem_strndup(path, strlen(path)) : NULL;
    if (!copy) {
        for (size_t i = 0; i < n; ++i)
            mem_free(names[i]);
        mem_free(names);
        return diag_set(d, SPIN_ENOMEM, path, 0, 0, NULL);
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    dir_frame *f = &in->dirs[in->ndirs++];
    f->path = copy;
    f->names = names;
    f->n = n;
    f->i = 0;
    return SPIN_OK;
}

static void pop_dir(input *in) {
    dir_frame *f = &in->dirs[--in->ndirs];
    for (size_t i = 0; i < f->n; ++i)
        mem_free(f->names[i]);
    mem_free(f->names);
    mem_free(f->path);
}

/* Opens the next path (an argument or a directory member) as the current
 * file or pushes it as a directory.  Sets *ev to INPUT_SKIPPED with a diag
 * when it cannot; INPUT_END means "go on". */
static spin_status open_next(input *in, const char *path, bool top, input_event *ev,
                             input_skip *why, spin_diag *d) {
    *ev = INPUT_END;
    bool is_stdin = top && !strcmp(path, "-");
    struct stat sb;
    if (!is_stdin) {
        if (stat(path, &sb) != 0) {
            *ev = INPUT_SKIPPED;
            *why = INPUT_SKIP_UNREADABLE;
            diag_set(d, SPIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
            return SPIN_OK;
        }
        if (S_ISDIR(sb.st_mode)) {
            int v = visit(in, sb.st_dev, sb.st_ino);
            if (v < 0)
                return diag_set(d, SPIN_ENOMEM, path, 0, 0, NULL);
            if (v == 0)
                return SPIN_OK; /* walked already (a loop or a second link) */
            return push_dir(in, path, ev, why, d);
        }
        if (!S_ISREG(sb.st_mode) && !top)
            return SPIN_OK; /* devices, sockets, fifos in a tree */
    }
    if (in->o.nshards > 1 && in->o.shard_by_file && !selected(in, path, strlen(path)))
        return SPIN_OK;
    spin_status st = open_file(in, path, is_stdin, d);
    if (st == SPIN_ENOMEM)
        return st;
    if (st != SPIN_OK) {
        *ev = INPUT_SKIPPED;
        *why = INPUT_SKIP_UNREADABLE;
        return SPIN_OK;
    }
    in->kind = top ? SRC_SNIFF : SRC_DOC;
    return SPIN_OK;
}

spin_status input_next(input *in, input_event *ev, input_doc *doc, input_skip *why, spin_diag *d) {
    for (;;) {
        spin_status st = SPIN_OK;
        *ev = INPUT_END;
        switch (in->kind) {
        case SRC_SNIFF: {
            int w = sniff(in);
            if (w == WIN_NOMEM)
                return nomem(in, d);
            if (w == WIN_GAP)
                return gap_ends_file(in, ev, why, d);
            continue;
        }
        case SRC_DOC:
            st = doc_next(in, ev, doc, why, d);
            break;
        case SRC_JSONL:
            st = jsonl_next(in, ev, doc, why, d);
            break;
        case SRC_WARC:
            st = warc_next(in, ev, doc, why, d);
            break;
        case SRC_NONE:
            if (in->ndirs > 0) {
                dir_frame *f = &in->dirs[in->ndirs - 1];
                if (f->i == f->n) {
                    pop_dir(in);
                    continue;
                }
                const char *name = f->names[f->i++];
                size_t plen = strlen(f->path), nlen = strlen(name);
                char *child = mem_alloc(plen + nlen + 2);
                if (!child)
                    return diag_set(d, SPIN_ENOMEM, f->path, 0, 0, NULL);
                memcpy(child, f->path, plen);
                size_t at = plen;
                if (plen == 0 || f->path[plen - 1] != '/')
                    child[at++] = '/';
                memcpy(child + at, name, nlen + 1);
                st = open_next(in, child, false, ev, why, d);
                mem_free(child);
            } else if (in->next_path < in->npaths) {
                st = open_next(in, in->paths[in->next_path++], true, ev, why, d);
            } else {
                *ev = INPUT_END;
                return SPIN_OK;
            }
            break;
        }
        if (st != SPIN_OK || *ev != INPUT_END)
            return st;
    }
}
