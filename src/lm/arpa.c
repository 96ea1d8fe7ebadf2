/* arpa.c - the ARPA reader (see arpa.h).
 *
 * The file is read line by line.  KenLM reads it token by token, which makes a
 * few defects fail in odd places (a trailing TAB swallows the next line's
 * probability); those are rejected here too, with a message about the line
 * that is actually wrong.  Every rule below is labelled with the fixture
 * variant (vNN) that pins it down.
 */
#include "lm/arpa.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "text/lines.h"
#include "util/mem.h"

/* An ARPA line longer than this is certainly not a model. */
#define ARPA_MAX_LINE (64u << 20)
/* Entries prepared (keys, prefetches) together before they are committed. */
#define ARPA_BATCH 32
/* Duplicate n-grams are reported one by one up to this many, then counted. */
#define ARPA_MAX_DUP_WARNINGS 5

/* A run of parsed n-grams of one order, as the parsing thread hands them to
 * the committing thread (see load_ngrams).  Arrays, not records, so that only
 * the bytes used cross between the cores: 'n' word indices per entry, and the
 * place of each entry (where its words start) relative to the chunk's first. */
#define ARPA_CHUNK 1024
#define ARPA_QUEUE 8

typedef struct chunk {
    unsigned n;            /* order of its entries */
    size_t count;          /* entries used */
    uint64_t line0, byte0; /* line number and byte offset of the first entry */
    size_t positive;       /* the entry whose probability was the first positive one
                              read as 0 (n >= 2), or SIZE_MAX */
    spin_word ids[ARPA_CHUNK * SPIN_MAX_ORDER];
    float prob[ARPA_CHUNK], backoff[ARPA_CHUNK];
    uint32_t line[ARPA_CHUNK], byte[ARPA_CHUNK]; /* minus line0 and byte0 */
} chunk;

/* The two threads' fields lie on separate cache lines (written fields shared
 * by two cores would make every write a cross-core transfer). */
typedef struct parser {
    /* Set before the threads start; read-only while they run. */
    const char *path;
    const spin_load_options *opts;
    spin_model *m;
    unsigned order;
    uint64_t count_line[SPIN_MAX_ORDER + 1]; /* line numbers of the counts */
    uint64_t count_byte[SPIN_MAX_ORDER + 1]; /* and the byte offsets of those lines */
    bool threaded;

    /* The parsing side. */
    _Alignas(64) lines in;
    const vocab *vocab; /* m->vocab, complete once the n-gram sections start */
    spin_diag *d;
    const char *line; /* current line, trailing CR removed */
    size_t len;
    /* The previous entry's words and their indices, by position: lmplz lists
     * n-grams in suffix order, so most trailing words repeat. */
    struct {
        char text[48];
        size_t len;
        spin_word id;
    } prev[SPIN_MAX_ORDER];
    bool warned_positive;
    bool positive_here; /* the entry being read is the first positive one */
    bool saw_unk;
    chunk *cur; /* the chunk being filled */

    /* The committing side (and the unigrams', before it starts). */
    _Alignas(64) uint64_t duplicates;
    lm_build_memo memo;

    /* The n-gram sections are parsed by a second thread while this one
     * commits (loading is otherwise bound to one core): a ring of chunks
     * from parser to committer, guarded by 'mu'. */
    _Alignas(64) chunk *ring[ARPA_QUEUE];
    chunk *free_chunks[ARPA_QUEUE + 2];
    size_t nfree;
    chunk *all_chunks[ARPA_QUEUE + 2];
    size_t head, tail, queued; /* ring positions */
    bool producer_done, stop;
    spin_status producer_status;
    spin_diag producer_diag;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
} parser;

/* ---- numbers ---- */

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

size_t arpa_parse_float(const char *s, size_t len, float *out) {
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (len - i >= 3 && !memcmp(s + i, "inf", 3)) {
        *out = neg ? -INFINITY : INFINITY;
        return i + 3;
    }
    uint64_t mant = 0;
    int digits = 0, scale = 0; /* value = mant * 10^-scale */
    bool any = false, exact = true;
    while (i < len && is_digit(s[i])) {
        any = true;
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant)
                ++digits;
        } else {
            exact = false;
        }
        ++i;
    }
    if (i < len && s[i] == '.' && (any || (i + 1 < len && is_digit(s[i + 1])))) {
        ++i;
        while (i < len && is_digit(s[i])) {
            any = true;
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant)
                    ++digits;
                ++scale;
            } else if (s[i] != '0') {
                exact = false;
            }
            ++i;
        }
    }
    if (!any)
        return 0;
    size_t end = i;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '-' || s[j] == '+'))
            ++j;
        if (j < len && is_digit(s[j])) {
            while (j < len && is_digit(s[j]))
                ++j;
            end = j;
            exact = false; /* rare in ARPA files: let strtof do it */
        }
    }
    if (exact && mant < (1ull << 53) && scale <= 22) {
        /* mant and 10^scale are exact doubles, so the quotient is correctly
         * rounded; rounding it again to float is then correct unless it landed
         * exactly halfway between two floats (low 29 bits == 1 << 28). */
        double v = (double)mant / pow10_exact[scale];
        uint64_t bits;
        memcpy(&bits, &v, 8);
        if ((bits & 0x1fffffffull) != 0x10000000ull) {
            float f = (float)v;
            *out = neg ? -f : f;
            return end;
        }
    }
    char buf[128];
    if (end >= sizeof buf) {
        /* Absurdly long digit strings: keep the significant prefix semantics by
         * handing strtof a heap copy. */
        char *h = mem_strndup(s, end);
        if (!h)
            return 0;
        *out = strtof(h, NULL);
        mem_free(h);
        return end;
    }
    memcpy(buf, s, end);
    buf[end] = '\0';
    *out = strtof(buf, NULL);
    return end;
}

/* ---- diagnostics ---- */

static spin_status fail_at(parser *p, size_t column, spin_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static spin_status fail_at(parser *p, size_t column, spin_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(p->d, st, p->path, p->in.line_no, p->in.line_offset + column, fmt, ap);
    va_end(ap);
    return st;
}

static void warn_at(parser *p, bool with_line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn_at(parser *p, bool with_line, const char *fmt, ...) {
    if (!p->opts->warn)
        return;
    spin_diag w;
    va_list ap;
    va_start(ap, fmt);
    diag_vset(&w, SPIN_OK, p->path, with_line ? p->in.line_no : 0,
              with_line ? p->in.line_offset : 0, fmt, ap);
    va_end(ap);
    p->opts->warn(p->opts->warn_ctx, &w);
}

static const char *quoted(char *buf, size_t size, const char *s, size_t len) {
    return diag_quote(buf, size, s, len, 60);
}

/* ---- lines ---- */

static inline bool is_space(char c) { /* KenLM's kSpaces, minus '\n' */
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool is_arpa_delim(char c) { /* KenLM's kARPASpaces, minus '\n' */
    return c == ' ' || c == '\t' || c == '\r';
}

static bool blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; ++i)
        if (!is_space(s[i]))
            return false;
    return true;
}

/* Reads the next line into p->line (one trailing CR removed, as KenLM does).
 * *eof is set at the end of the stream. */
static spin_status next_line(parser *p, bool *eof) {
    bool nl;
    spin_status st = lines_next(&p->in, &p->line, &p->len, &nl, p->d);
    if (st != SPIN_OK)
        return st;
    *eof = p->line == NULL;
    if (!*eof && p->len && p->line[p->len - 1] == '\r')
        --p->len;
    return SPIN_OK;
}

/* Skips whitespace-only lines; *eof at the end of the stream. */
static spin_status next_nonblank(parser *p, bool *eof) {
    for (;;) {
        spin_status st = next_line(p, eof);
        if (st != SPIN_OK || *eof || !blank(p->line, p->len))
            return st;
    }
}

static bool line_is(const parser *p, const char *text) {
    size_t n = strlen(text);
    return p->len == n && !memcmp(p->line, text, n);
}

/* ---- header ---- */

static spin_status read_header(parser *p, uint64_t *counts) {
    bool eof;
    char q[256];
    spin_status st;
    /* Blank lines and '#' comments may precede \data\ (v30); nothing else (v31). */
    for (;;) {
        if ((st = next_line(p, &eof)) != SPIN_OK)
            return st;
        if (eof)
            return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.buf_offset,
                            p->in.line_no ? "no \\data\\ line: the file holds only blank and "
                                            "comment lines"
                                          : "the file is empty; expected an ARPA model");
        if (!blank(p->line, p->len) && p->line[0] != '#')
            break;
    }
    if (!line_is(p, "\\data\\")) {
        bool spaced =
            p->len > 6 && !memcmp(p->line, "\\data\\", 6) && blank(p->line + 6, p->len - 6);
        return fail_at(p, 0, SPIN_EFORMAT,
                       "expected \"\\data\\\" as the first line that is not blank or a comment, "
                       "found \"%s\"%s",
                       quoted(q, sizeof q, p->line, p->len),
                       spaced ? " (trailing whitespace is not allowed)" : "");
    }
    unsigned order = 0;
    for (;;) {
        if ((st = next_line(p, &eof)) != SPIN_OK)
            return st;
        if (eof)
            return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.buf_offset,
                            "the file ends inside the \\data\\ header");
        if (blank(p->line, p->len))
            break;
        if (p->len < 6 || memcmp(p->line, "ngram ", 6)) {
            if (p->len && p->line[0] == '\\')
                return fail_at(p, 0, SPIN_EFORMAT,
                               "expected a blank line between the counts and \"%s\"",
                               quoted(q, sizeof q, p->line, p->len));
            return fail_at(p, 0, SPIN_EFORMAT,
                           "expected a count line \"ngram N=COUNT\", found \"%s\"",
                           quoted(q, sizeof q, p->line, p->len));
        }
        size_t i = 6;
        while (i < p->len && is_space(p->line[i]))
            ++i;
        unsigned long n = 0;
        size_t d0 = i;
        while (i < p->len && is_digit(p->line[i]) && n < 1000)
            n = n * 10 + (unsigned long)(p->line[i++] - '0');
        if (i == d0 || n != order + 1)
            return fail_at(p, 0, SPIN_EFORMAT,
                           "count lines must number the orders 1, 2, 3, ... in turn; expected "
                           "\"ngram %u=\", found \"%s\"",
                           order + 1, quoted(q, sizeof q, p->line, p->len));
        if (i >= p->len || p->line[i] != '=') /* v48 */
            return fail_at(p, i, SPIN_EFORMAT,
                           "expected '=' right after \"ngram %lu\" (no spaces), found \"%s\"", n,
                           quoted(q, sizeof q, p->line, p->len));
        ++i;
        while (i < p->len && is_space(p->line[i]))
            ++i;
        uint64_t c = 0;
        size_t c0 = i;
        while (i < p->len && is_digit(p->line[i])) {
            unsigned dgt = (unsigned)(p->line[i++] - '0');
            if (c > (UINT64_MAX - dgt) / 10)
                return fail_at(p, c0, SPIN_EFORMAT, "the %lu-gram count is too large", n);
            c = c * 10 + dgt;
        }
        if (i == c0)
            return fail_at(p, c0, SPIN_EFORMAT,
                           "expected a number of %lu-grams after '=', found \"%s\"", n,
                           quoted(q, sizeof q, p->line + c0, p->len - c0));
        if (!blank(p->line + i, p->len - i)) /* KenLM ignores it too; say so */
            warn_at(p, true, "ignoring \"%s\" after the %lu-gram count",
                    quoted(q, sizeof q, p->line + i, p->len - i), n);
        if (order == SPIN_MAX_ORDER)
            return fail_at(p, 0, SPIN_EUNSUPPORTED,
                           "the model's order exceeds %d, the highest this build supports",
                           SPIN_MAX_ORDER);
        ++order;
        counts[order] = c;
        p->count_line[order] = p->in.line_no;
        p->count_byte[order] = p->in.line_offset;
    }
    if (order < 2) /* v36 */
        return fail_at(p, 0, SPIN_EFORMAT,
                       order == 0 ? "the \\data\\ header declares no n-gram counts"
                                  : "this is a unigram model; scoring needs at least a bigram "
                                    "model (order 2)");
    if (counts[1] == 0)
        return diag_set(p->d, SPIN_EFORMAT, p->path, p->count_line[1], p->count_byte[1],
                        "the model declares no unigrams");
    if (counts[1] >= UINT32_MAX - 1)
        return diag_set(p->d, SPIN_EUNSUPPORTED, p->path, p->count_line[1], p->count_byte[1],
                        "%" PRIu64 " unigrams exceed the 32-bit word index", counts[1]);
    /* Each entry needs at least "P\tW\n"; a header that claims more entries than
     * a plain file can hold is rejected before anything is allocated. */
    uint64_t size = reader_input_size(p->in.r);
    if (size && reader_get_format(p->in.r) == READER_PLAIN) {
        for (unsigned n = 1; n <= order; ++n)
            if (counts[n] > size / (2 * n + 2))
                return diag_set(p->d, SPIN_EFORMAT, p->path, p->count_line[n], p->count_byte[n],
                                "the header declares %" PRIu64 " %u-grams, more than a %" PRIu64
                                "-byte file can hold",
                                counts[n], n, size);
    }
    p->order = order;
    return SPIN_OK;
}

/* ---- sections ---- */

static bool looks_like_entry(const parser *p) {
    size_t i = 0;
    while (i < p->len && is_space(p->line[i]))
        ++i;
    return i < p->len && (is_digit(p->line[i]) || p->line[i] == '-' || p->line[i] == '+' ||
                          p->line[i] == '.' || p->line[i] == 'i');
}

static spin_status expect_section(parser *p, unsigned n) {
    bool eof;
    char want[32], q[256];
    spin_status st = next_nonblank(p, &eof);
    if (st != SPIN_OK)
        return st;
    snprintf(want, sizeof want, "\\%u-grams:", n);
    if (eof)
        return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.buf_offset,
                        "the file ends before the %s section", want);
    if (line_is(p, want))
        return SPIN_OK;
    if (n > 1 && looks_like_entry(p)) /* v16 */
        return fail_at(p, 0, SPIN_EFORMAT,
                       "the \\%u-grams: section has more entries than the %" PRIu64
                       " declared on line %" PRIu64,
                       n - 1, p->m->counts[n - 1], p->count_line[n - 1]);
    return fail_at(p, 0, SPIN_EFORMAT, "expected the section header \"%s\", found \"%s\"%s", want,
                   quoted(q, sizeof q, p->line, p->len),
                   p->len > strlen(want) && !memcmp(p->line, want, strlen(want))
                       ? " (trailing whitespace is not allowed)"
                       : ""); /* v47 */
}

/* Reads the 'n' words of an entry starting at *pos; words end at TAB, space
 * or CR (VT and FF belong to words in ARPA files). */
static spin_status read_words(parser *p, unsigned n, size_t *pos, const char **word, size_t *wlen) {
    size_t i = *pos;
    for (unsigned k = 0; k < n; ++k) {
        while (i < p->len && is_arpa_delim(p->line[i]))
            ++i;
        if (i >= p->len)
            return fail_at(p, i, SPIN_EFORMAT, "a %u-gram needs %u words; this line has %u", n, n,
                           k);
        size_t start = i;
        while (i < p->len && !is_arpa_delim(p->line[i]))
            ++i;
        word[k] = p->line + start;
        wlen[k] = i - start;
    }
    *pos = i;
    return SPIN_OK;
}

/* Parses what follows the last word: nothing, or TAB and a backoff.
 * *has is false when there is no backoff column. */
static spin_status read_backoff(parser *p, unsigned n, size_t i, float *backoff, bool *has) {
    char q[256];
    *has = false;
    *backoff = 0.0f;
    if (i == p->len)
        return SPIN_OK;
    if (p->line[i] == ' ') /* v07, v43 */
        return fail_at(p, i, SPIN_EFORMAT,
                       "expected a TAB and a backoff, or the end of the line, after the last "
                       "word; found a space (trailing whitespace is not allowed)");
    if (p->line[i] != '\t')
        return fail_at(p, i, SPIN_EFORMAT, "unexpected \"%s\" after the last word",
                       quoted(q, sizeof q, p->line + i, p->len - i));
    size_t j = i + 1;
    while (j < p->len && is_space(p->line[j]))
        ++j;
    if (j == p->len) /* v13, v42: KenLM would read the next line's number */
        return fail_at(p, i, SPIN_EFORMAT,
                       "a TAB after the last word must be followed by a backoff; found the end "
                       "of the line (trailing whitespace is not allowed)");
    size_t used = arpa_parse_float(p->line + j, p->len - j, backoff);
    if (!used)
        return fail_at(p, j, SPIN_EFORMAT, "expected a backoff (a log10 number), found \"%s\"",
                       quoted(q, sizeof q, p->line + j, p->len - j));
    j += used;
    if (n == p->order) {
        if (*backoff != 0.0f) /* v27, v37 */
            return fail_at(p, i + 1, SPIN_EFORMAT,
                           "a %u-gram is of the model's highest order and cannot have a "
                           "backoff, but this one has %s",
                           n, quoted(q, sizeof q, p->line + i + 1, j - i - 1));
        /* KenLM skips whitespace after a zero here; anything else is junk. */
        if (!blank(p->line + j, p->len - j))
            return fail_at(p, j, SPIN_EFORMAT, "unexpected \"%s\" after the backoff",
                           quoted(q, sizeof q, p->line + j, p->len - j));
        return SPIN_OK;
    }
    if (j != p->len) /* v11 */
        return fail_at(
            p, j, SPIN_EFORMAT, "expected the end of the line after the backoff, found \"%s\"%s",
            quoted(q, sizeof q, p->line + j, p->len - j),
            blank(p->line + j, p->len - j) ? " (trailing whitespace is not allowed)" : "");
    if (isnan(*backoff) || isinf(*backoff)) /* v19 */
        return fail_at(p, i + 1, SPIN_EFORMAT, "the backoff must be a finite number, found %s",
                       quoted(q, sizeof q, p->line + i + 1, j - i - 1));
    *has = true;
    return SPIN_OK;
}

/* Reads the probability at the start of the current line. */
static spin_status read_prob(parser *p, unsigned n, size_t *pos, float *prob) {
    char q[256];
    p->positive_here = false;
    size_t i = 0;
    while (i < p->len && is_space(p->line[i]))
        ++i;
    size_t used = arpa_parse_float(p->line + i, p->len - i, prob);
    if (!used) { /* v20, v21 */
        size_t e = i;
        while (e < p->len && !is_space(p->line[e]))
            ++e;
        return fail_at(p, i, SPIN_EFORMAT,
                       "expected a log10 probability at the start of this %u-gram, found \"%s\"", n,
                       quoted(q, sizeof q, p->line + i, e - i));
    }
    i += used;
    if (n == 1 && (i >= p->len || p->line[i] != '\t')) /* v05 */
        return fail_at(p, i, SPIN_EFORMAT,
                       "expected a TAB after the probability of a 1-gram, found %s",
                       i >= p->len         ? "the end of the line"
                       : p->line[i] == ' ' ? "a space"
                                           : quoted(q, sizeof q, p->line + i, 1));
    if (n > 1 && (i >= p->len || !is_arpa_delim(p->line[i])))
        return fail_at(p, i, SPIN_EFORMAT,
                       "expected whitespace after the probability of a %u-gram, found \"%s\"", n,
                       quoted(q, sizeof q, p->line + i, p->len - i));
    if (*prob > 0.0f) { /* v17 */
        if (!p->opts->positive_prob_to_zero)
            return fail_at(p, 0, SPIN_EFORMAT,
                           "positive log10 probability %s (a known IRSTLM bug); allow it with "
                           "--positive-to-zero to read it as 0",
                           quoted(q, sizeof q, p->line, used));
        if (!p->warned_positive && n == 1)
            warn_at(p, true,
                    "positive log10 probability %s read as 0 (and any further ones, silently)",
                    quoted(q, sizeof q, p->line, used));
        p->positive_here = !p->warned_positive; /* n >= 2: the committer warns */
        p->warned_positive = true;
        *prob = 0.0f;
    }
    *pos = i;
    return SPIN_OK;
}

/* Reads one entry from the current line; 'at' counts entries read so far. */
static spin_status read_entry(parser *p, unsigned n) {
    const char *word[SPIN_MAX_ORDER] = {0};
    size_t wlen[SPIN_MAX_ORDER] = {0};
    spin_word ids[SPIN_MAX_ORDER];
    float prob, backoff;
    bool has_backoff;
    size_t i = 0;
    char q[256];
    spin_status st = read_prob(p, n, &i, &prob);
    if (st == SPIN_OK)
        st = read_words(p, n, &i, word, wlen);
    if (st == SPIN_OK)
        st = read_backoff(p, n, i, &backoff, &has_backoff);
    if (st != SPIN_OK)
        return st;
    spin_model *m = p->m;
    if (n == 1) {
        bool dup;
        spin_word id;
        st = vocab_insert(m->vocab, word[0], wlen[0], &id, &dup);
        if (st == SPIN_ENOMEM)
            return fail_at(p, 0, st, "out of memory while reading the vocabulary");
        if (st != SPIN_OK)
            return fail_at(p, 0, st, "too many words");
        if (id == 0) {
            dup = p->saw_unk;
            p->saw_unk = true;
        }
        if (dup && ++p->duplicates <= ARPA_MAX_DUP_WARNINGS) /* v33 */
            warn_at(p, true, "duplicate 1-gram \"%s\"; %s", quoted(q, sizeof q, word[0], wlen[0]),
                    id == 0 ? "the last one is used (as KenLM does for <unk>)"
                            : "the first one is used");
        m->uni[id].prob = lm_prob_from_file(prob);
        m->uni[id].backoff = lm_backoff_from_file(backoff);
        return SPIN_OK;
    }
    /* Words that differ from the previous entry's: hash them all and prefetch
     * their slots first, so that the lookups' cache misses overlap. */
    uint64_t h[SPIN_MAX_ORDER];
    bool fresh[SPIN_MAX_ORDER];
    for (unsigned k = 0; k < n; ++k) {
        fresh[k] = !(p->prev[k].len == wlen[k] && !memcmp(p->prev[k].text, word[k], wlen[k]));
        if (fresh[k]) {
            h[k] = vocab_hash(word[k], wlen[k]);
            vocab_prefetch(p->vocab, h[k]);
        }
    }
    for (unsigned k = 0; k < n; ++k) {
        if (!fresh[k]) {
            ids[k] = p->prev[k].id;
            continue;
        }
        ids[k] = vocab_find_hashed(p->vocab, word[k], wlen[k], h[k]);
        if (wlen[k] <= sizeof p->prev[k].text) {
            memcpy(p->prev[k].text, word[k], wlen[k]);
            p->prev[k].len = wlen[k];
            p->prev[k].id = ids[k];
        } else {
            p->prev[k].len = SIZE_MAX;
        }
        if (ids[k] == 0 && !vocab_is_unk(word[k], wlen[k])) /* v24 */
            return fail_at(p, (size_t)(word[k] - p->line), SPIN_EFORMAT,
                           "the word \"%s\" in this %u-gram is not in the \\1-grams: section, "
                           "which must list the whole vocabulary",
                           quoted(q, sizeof q, word[k], wlen[k]), n);
    }
    chunk *c = p->cur;
    size_t at = c->count++;
    uint64_t byte = p->in.line_offset + (size_t)(word[0] - p->line);
    if (!at) {
        c->line0 = p->in.line_no;
        c->byte0 = byte;
        c->positive = SIZE_MAX;
    }
    memcpy(c->ids + at * n, ids, n * sizeof *ids);
    c->prob[at] = prob;
    c->backoff[at] = backoff;
    c->line[at] = (uint32_t)(p->in.line_no - c->line0); /* see read_section */
    c->byte[at] = (uint32_t)(byte - c->byte0);
    if (p->positive_here)
        c->positive = at;
    return SPIN_OK;
}

/* The words ids[from, to) of an n-gram as text, for messages. */
static const char *ngram_text(const parser *p, const spin_word *ids, unsigned from, unsigned to,
                              char *buf, size_t size) {
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned k = from; k < to && o + 1 < size; ++k) {
        size_t len;
        const char *w = vocab_word(p->m->vocab, ids[k], &len);
        char q[128];
        diag_quote(q, sizeof q, w, len, 40);
        o += (size_t)snprintf(buf + o, size - o, "%s%s", k > from ? " " : "", q);
    }
    return buf;
}

/* Commits a chunk of parsed entries in order (the committing thread); errors
 * go to 'd'.  Entries are prepared (keys computed, slots prefetched) in
 * batches of ARPA_BATCH before they are committed, to overlap cache misses. */
static spin_status commit_chunk(parser *p, const chunk *c, spin_diag *d) {
    char q[256];
    const unsigned n = c->n;
    lm_prepared prep[ARPA_BATCH];
    for (size_t at = 0; at < c->count; at += ARPA_BATCH) {
        size_t k = c->count - at < ARPA_BATCH ? c->count - at : ARPA_BATCH;
        for (size_t i = 0; i < k; ++i)
            lm_prepare(p->m, &p->memo, n, c->ids + (at + i) * n, &prep[i]);
        for (size_t i = 0; i < k; ++i) {
            const size_t e = at + i;
            const spin_word *ids = c->ids + e * n;
            const uint64_t line_no = c->line0 + c->line[e], byte = c->byte0 + c->byte[e];
            if (e == c->positive && p->opts->warn) {
                spin_diag w;
                diag_set(&w, SPIN_OK, p->path, line_no, byte,
                         "positive log10 probability in this %u-gram read as 0 (and any further "
                         "ones, silently)",
                         n);
                p->opts->warn(p->opts->warn_ctx, &w);
            }
            switch (lm_commit(p->m, n, ids, &prep[i], c->prob[e], c->backoff[e])) {
            case LM_ADDED:
                break;
            case LM_DUPLICATE: /* v34 */
                if (++p->duplicates <= ARPA_MAX_DUP_WARNINGS && p->opts->warn) {
                    spin_diag w;
                    diag_set(&w, SPIN_OK, p->path, line_no, byte,
                             "duplicate %u-gram \"%s\"; the first one is used", n,
                             ngram_text(p, ids, 0, n, q, sizeof q));
                    p->opts->warn(p->opts->warn_ctx, &w);
                }
                break;
            case LM_MISSING_CONTEXT: /* v23 */
                return diag_set(d, SPIN_EFORMAT, p->path, line_no, byte,
                                "the context \"%s\" of this %u-gram is not in the \\%u-grams: "
                                "section (every n-gram's first n-1 words must be an (n-1)-gram)",
                                ngram_text(p, ids, 0, n - 1, q, sizeof q), n, n - 1);
            case LM_NO_MEMORY:
                return diag_set(d, SPIN_ENOMEM, p->path, line_no, byte,
                                "out of memory while adding %u-grams", n);
            }
        }
    }
    return SPIN_OK;
}

/* ---- the parsing thread and the committing thread ---- */

/* Hands the filled chunk to the committer and takes an empty one.  Without a
 * second thread the chunk is committed right here.  Returns false when the
 * committer has failed (parsing should stop). */
static bool push_chunk(parser *p, spin_status *st) {
    if (!p->threaded) {
        *st = commit_chunk(p, p->cur, p->d);
        p->cur->count = 0;
        return *st == SPIN_OK;
    }
    pthread_mutex_lock(&p->mu);
    while (p->queued == ARPA_QUEUE && !p->stop)
        pthread_cond_wait(&p->can_put, &p->mu);
    bool go_on = !p->stop;
    if (go_on) {
        p->ring[p->tail] = p->cur;
        p->tail = (p->tail + 1) % ARPA_QUEUE;
        ++p->queued;
        pthread_cond_signal(&p->can_take);
        while (!p->nfree && !p->stop)
            pthread_cond_wait(&p->can_put, &p->mu);
        go_on = !p->stop;
        if (go_on) {
            unsigned n = p->cur->n; /* the section goes on in the next chunk */
            p->cur = p->free_chunks[--p->nfree];
            p->cur->n = n;
            p->cur->count = 0;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return go_on;
}

static spin_status read_section(parser *p, unsigned n) {
    spin_status st = expect_section(p, n);
    if (st == SPIN_OK && n >= 2 && p->cur->count && p->cur->n != n && !push_chunk(p, &st))
        return st == SPIN_OK ? SPIN_EINVAL : st;
    if (st == SPIN_OK && n >= 2)
        p->cur->n = n; /* a chunk holds one order */
    for (unsigned k = 0; k < SPIN_MAX_ORDER; ++k)
        p->prev[k].len = SIZE_MAX;
    uint64_t want = p->m->counts[n];
    for (uint64_t k = 0; st == SPIN_OK && k < want; ++k) {
        bool eof;
        if ((st = next_nonblank(p, &eof)) != SPIN_OK) /* v32: blank lines are fine */
            return st;
        if (eof)
            return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.buf_offset,
                            "the file ends in the \\%u-grams: section after %" PRIu64
                            " of the %" PRIu64 " entries declared on line %" PRIu64,
                            n, k, want, p->count_line[n]);
        size_t lead = 0;
        while (lead < p->len && is_space(p->line[lead]))
            ++lead;
        if (p->line[lead] == '\\')
            return fail_at(p, 0, SPIN_EFORMAT, /* v15 */
                           "the \\%u-grams: section has %" PRIu64 " entries, but line %" PRIu64
                           " declares %" PRIu64,
                           n, k, p->count_line[n], want);
        /* A chunk stores places relative to its first entry in 32 bits: one
         * that would not fit (a file of huge lines or blank runs) starts a new
         * chunk. */
        if (n >= 2 && p->cur->count &&
            (p->in.line_no - p->cur->line0 > UINT32_MAX ||
             p->in.line_offset + p->len - p->cur->byte0 > UINT32_MAX) &&
            !push_chunk(p, &st))
            return st == SPIN_OK ? SPIN_EINVAL : st;
        st = read_entry(p, n);
        if (st == SPIN_OK && n >= 2 && p->cur->count == ARPA_CHUNK && !push_chunk(p, &st))
            return st == SPIN_OK ? SPIN_EINVAL : st; /* the committer failed */
    }
    return st;
}

static spin_status check_specials(parser *p) {
    spin_model *m = p->m;
    m->bos = vocab_find(m->vocab, "<s>", 3);
    m->eos = vocab_find(m->vocab, "</s>", 4);
    const char *missing = !m->bos && !m->eos ? "<s> and </s>"
                          : !m->bos          ? "<s>"
                          : !m->eos          ? "</s>"
                                             : NULL;
    if (missing) { /* v25, v26 */
        if (!p->opts->allow_missing_markers)
            return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.line_offset,
                            "the model has no %s unigram; accept it anyway with "
                            "--allow-missing-markers (%s then scores as <unk>)",
                            missing, missing);
        warn_at(p, false, "the model has no %s unigram; %s scores as <unk>", missing, missing);
    }
    if (!p->saw_unk) /* v01 */
        warn_at(p, false, "the model has no <unk> unigram; unknown words get log10 probability %g",
                (double)p->opts->unk_logprob);
    return SPIN_OK;
}

static spin_status read_end(parser *p) {
    bool eof;
    char q[256];
    spin_status st = next_nonblank(p, &eof);
    if (st != SPIN_OK)
        return st;
    if (eof) /* v29 */
        return diag_set(p->d, SPIN_EFORMAT, p->path, p->in.line_no, p->in.buf_offset,
                        "the file ends without the \\end\\ line after the last section");
    if (!line_is(p, "\\end\\")) {
        if (looks_like_entry(p))
            return fail_at(p, 0, SPIN_EFORMAT,
                           "the \\%u-grams: section has more entries than the %" PRIu64
                           " declared on line %" PRIu64,
                           p->order, p->m->counts[p->order], p->count_line[p->order]);
        return fail_at(p, 0, SPIN_EFORMAT, "expected \"\\end\\\", found \"%s\"",
                       quoted(q, sizeof q, p->line, p->len));
    }
    if ((st = next_nonblank(p, &eof)) != SPIN_OK) /* v50 */
        return st;
    if (!eof) /* v49 */
        return fail_at(p, 0, SPIN_EFORMAT, "unexpected text after \\end\\: \"%s\"",
                       quoted(q, sizeof q, p->line, p->len));
    return SPIN_OK;
}

/* The n-gram sections and \\end\\ (the parsing thread, or inline). */
static spin_status read_ngram_sections(parser *p) {
    spin_status st = SPIN_OK;
    for (unsigned n = 2; st == SPIN_OK && n <= p->order; ++n)
        st = read_section(p, n);
    if (st == SPIN_OK)
        st = read_end(p);
    /* The entries before an error go to the committer too: one of them may
     * hold an earlier error (a missing context). */
    if (p->cur->count) {
        spin_status cst = SPIN_OK;
        if (!push_chunk(p, &cst) && cst != SPIN_OK)
            st = cst;
    }
    return st;
}

static void *parsing_thread(void *arg) {
    parser *p = arg;
    spin_status st = read_ngram_sections(p);
    pthread_mutex_lock(&p->mu);
    p->producer_status = st;
    p->producer_done = true;
    pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The committing side: takes chunks in order until the parser is done.
 * After an error it only drains, and tells the parser to stop. */
static spin_status commit_all(parser *p, spin_diag *d) {
    spin_status st = SPIN_OK;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->queued && !p->producer_done)
            pthread_cond_wait(&p->can_take, &p->mu);
        if (!p->queued) {
            pthread_mutex_unlock(&p->mu);
            return st;
        }
        chunk *c = p->ring[p->head];
        p->head = (p->head + 1) % ARPA_QUEUE;
        --p->queued;
        pthread_cond_broadcast(&p->can_put);
        pthread_mutex_unlock(&p->mu);
        if (st == SPIN_OK)
            st = commit_chunk(p, c, d);
        c->count = 0;
        pthread_mutex_lock(&p->mu);
        p->free_chunks[p->nfree++] = c;
        if (st != SPIN_OK)
            p->stop = true;
        pthread_cond_broadcast(&p->can_put);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Reads the n-gram sections with a second thread parsing while this one
 * commits; small models (fewer entries than a chunk) stay on one thread. */
static spin_status load_ngrams(parser *p, spin_diag *d) {
    const size_t nchunks = ARPA_QUEUE + 2;
    spin_status st = SPIN_OK;
    for (size_t i = 0; i < nchunks; ++i)
        if (!(p->all_chunks[i] = mem_alloc(sizeof(chunk))))
            st = SPIN_ENOMEM;
    if (st != SPIN_OK) {
        for (size_t i = 0; i < nchunks; ++i)
            mem_free(p->all_chunks[i]);
        return diag_set(d, SPIN_ENOMEM, p->path, p->in.line_no, p->in.line_offset, NULL);
    }
    p->cur = p->all_chunks[0];
    p->cur->count = 0;
    p->cur->n = 2;
    for (size_t i = 1; i < nchunks; ++i)
        p->free_chunks[p->nfree++] = p->all_chunks[i];
    uint64_t total = 0;
    for (unsigned n = 2; n <= p->order; ++n)
        total += p->m->counts[n];
    pthread_t thread;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->can_put, NULL);
    pthread_cond_init(&p->can_take, NULL);
    if (total >= ARPA_CHUNK) {
        /* Set before the thread starts, which reads them. */
        p->d = &p->producer_diag;
        p->threaded = true;
        if (pthread_create(&thread, NULL, parsing_thread, p) != 0) {
            p->threaded = false;
            p->d = d;
        }
    }
    if (p->threaded) {
        spin_status cst = commit_all(p, d);
        pthread_join(thread, NULL);
        p->d = d;
        st = cst != SPIN_OK ? cst : p->producer_status;
        if (cst == SPIN_OK && st != SPIN_OK && d)
            *d = p->producer_diag;
    } else {
        st = read_ngram_sections(p);
    }
    pthread_cond_destroy(&p->can_take);
    pthread_cond_destroy(&p->can_put);
    pthread_mutex_destroy(&p->mu);
    for (size_t i = 0; i < nchunks; ++i)
        mem_free(p->all_chunks[i]);
    return st;
}

spin_status arpa_load(reader *r, const spin_load_options *opts, spin_model *m, spin_diag *d) {
    parser p;
    memset(&p, 0, sizeof p);
    p.path = reader_name(r);
    p.opts = opts;
    p.m = m;
    p.d = d;
    if (lines_init(&p.in, r, ARPA_MAX_LINE) != SPIN_OK)
        return diag_set(d, SPIN_ENOMEM, p.path, 0, 0, NULL);
    uint64_t counts[SPIN_MAX_ORDER + 1] = {0};
    spin_status st = read_header(&p, counts);
    if (st == SPIN_OK && lm_init(m, p.order, counts) != SPIN_OK)
        st = diag_set(d, SPIN_ENOMEM, p.path, p.count_line[1], p.count_byte[1],
                      "out of memory allocating tables for the n-gram counts the header "
                      "declares");
    if (st == SPIN_OK && !(m->vocab = vocab_new((size_t)counts[1])))
        st = diag_set(d, SPIN_ENOMEM, p.path, p.count_line[1], p.count_byte[1], NULL);
    if (st == SPIN_OK)
        st = read_section(&p, 1);
    if (st == SPIN_OK)
        st = check_specials(&p);
    if (st == SPIN_OK && lm_build_hot_words(m) != SPIN_OK)
        st = diag_set(d, SPIN_ENOMEM, p.path, 0, 0, NULL);
    /* The vocabulary is complete and only read from here on. */
    if (st == SPIN_OK) {
        p.vocab = m->vocab;
        st = load_ngrams(&p, d);
    }
    if (st == SPIN_OK) {
        if (p.duplicates > ARPA_MAX_DUP_WARNINGS)
            warn_at(&p, false, "%" PRIu64 " duplicate n-grams in all (the first of each is used)",
                    p.duplicates);
        if (!p.saw_unk) {
            m->uni[0].prob = lm_prob_from_file(opts->unk_logprob);
            m->uni[0].backoff = 0.0f; /* +0.0, as KenLM sets it */
        }
        if (lm_finish(m) != SPIN_OK)
            st = diag_set(d, SPIN_ENOMEM, p.path, 0, 0, NULL);
    }
    lines_free(&p.in);
    return st;
}
