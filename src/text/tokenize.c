/* tokenize.c - ICU segmentation and spinscan's one normalization.
 *
 * Invariants:
 * - t->u[0..n) is the current chunk in UTF-16, t->map[i] the byte offset (from
 *   t->base) of the character that produced unit i, t->map[n] the chunk's end.
 *   A boundary between units i-1 and i is the byte offset base + map[i]; bytes
 *   of dropped characters belong to the unit before them.
 * - t->toks[0..ntoks) is the pending segment (< TOK_MAX_SENTENCE_TOKENS tokens
 *   between calls of append_token), t->text[0..tlen) their texts in order.
 * - Scratch grows only with the chunk size and the token cap, never with the
 *   input: that is what keeps a 50 MB line in bounded memory.
 */
#include "text/tokenize.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

#include "util/diag.h"
#include "util/mem.h"
#include "util/utf8.h"

#define CHUNK_BYTES ((size_t)4 * TOK_CHUNK_UNITS) /* bytes decoded at most per chunk */
#define CHECK_BYTES 65536                         /* what tokenize_check_text samples */
#define LINES_BUF 65536                           /* tokenize_lines output pieces */
#define MAX_SEGMENT_TEXT ((size_t)1 << 20)        /* a segment with more text is cut */
/* A line without terminal punctuation up to this long is one segment (a
 * heading or boilerplate); a longer one is a paragraph that lost its final
 * period, split into prose sentences whose last fragment is classified. */
#define OPEN_LINE_MAX 200

enum { SPAN_URL, SPAN_EMAIL };
typedef struct tok_span {
    int32_t a, b; /* units [a, b) of the chunk */
    int kind;
} tok_span;

struct tokenizer {
    UBreakIterator *words, *sents;
    const UNormalizer2 *nfkc_cf;
    UChar *u;      /* chunk, TOK_CHUNK_UNITS + 4 units */
    uint32_t *map; /* chunk unit -> byte offset from base */
    UChar *nbuf;   /* normalization output */
    int32_t ncap;
    int32_t *bounds; /* sentence boundaries in the chunk, ascending */
    size_t nbounds, bcap;
    tok_span *spans;
    size_t nspans, scap;
    tok_token *toks; /* pending segment */
    size_t ntoks;
    char *text; /* pending segment's token texts */
    size_t tlen, tcap;

    /* per call */
    const unsigned char *buf;
    size_t len, base;
    tok_sentence_fn fn;
    void *ctx;
    tok_stats stats;
    uint8_t pending_flags; /* TOK_S_* of the pending segment */
    bool line_terminal;    /* the current line ends in terminal punctuation */
    bool line_long;        /* it is longer than OPEN_LINE_MAX bytes */
    bool line_start;       /* no token kept yet on this line (for "- item") */
    int32_t last_n;        /* units in the current chunk */
    size_t si, bi;         /* next span and sentence boundary in the chunk */
    bool icu_set;          /* t->words has the chunk */
    int32_t icu_pos;       /* its current boundary, UBRK_DONE at the end */
    bool fast;             /* use fast_run() where it applies */
};

/* ------------------------------------------------------------------------ */
/* Character classes                                                        */
/* ------------------------------------------------------------------------ */

#define KEEP 0xFFFFu
#define DROP 0u

/* U+2000..U+206F: spaces, invisible controls, dashes, quotes and primes. */
static const uint16_t general_punct[0x70] = {
    /* 2000 */ ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    ' ',
    DROP,
    KEEP,
    KEEP,
    DROP,
    DROP,
    /* 2010 */ '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    KEEP,
    KEEP,
    '\'',
    '\'',
    '\'',
    '\'',
    '"',
    '"',
    '"',
    '"',
    /* 2020 */ KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    ' ',
    /* 2030 */ KEEP,
    KEEP,
    '\'',
    '"',
    KEEP,
    '\'',
    '"',
    KEEP,
    KEEP,
    '\'',
    '\'',
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    /* 2040 */ KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    /* 2050 */ KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    KEEP,
    ' ',
    /* 2060 */ DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    KEEP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP,
    DROP};

/* The typographic unification for one code point: KEEP, DROP, or its
 * replacement.  Applied before segmentation and again after NFKC (which can
 * produce an em dash, for one). */
static uint32_t typo_map(uint32_t c) {
    if (c < 0xA0)
        return c == '`' ? '\'' : KEEP;
    if (c >= 0x2000 && c < 0x2070)
        return general_punct[c - 0x2000];
    switch (c) {
    case 0xA0:   /* no-break space */
    case 0x1680: /* ogham space mark */
    case 0x3000: /* ideographic space */
        return ' ';
    case 0xAD:   /* soft hyphen */
    case 0x180E: /* Mongolian vowel separator */
    case 0xFEFF: /* BOM, zero-width no-break space */
        return DROP;
    case 0xAB: /* guillemets */
    case 0xBB:
    case 0x301D: /* CJK double prime quotation marks */
    case 0x301E:
    case 0x301F:
        return '"';
    case 0xB4:  /* acute accent used as an apostrophe */
    case 0x2BC: /* modifier letter apostrophe */
        return '\'';
    case 0x2212: /* minus sign */
    case 0x2E3A: /* two- and three-em dashes */
    case 0x2E3B:
    case 0xFE58: /* small em dash */
        return '-';
    }
    return KEEP;
}

/* Bullet glyphs, dropped wherever they stand alone. */
static bool is_bullet(uint32_t c) {
    switch (c) {
    case 0xB7:   /* middle dot */
    case 0x2022: /* bullet */
    case 0x2023: /* triangular bullet */
    case 0x2027: /* hyphenation point */
    case 0x2043: /* hyphen bullet */
    case 0x2219: /* bullet operator */
    case 0x25A0: /* black square */
    case 0x25A1:
    case 0x25AA:
    case 0x25AB:
    case 0x25B6: /* black right-pointing triangle */
    case 0x25B8:
    case 0x25B9:
    case 0x25BA:
    case 0x25C6: /* black diamond */
    case 0x25C7:
    case 0x25CB: /* white circle */
    case 0x25CF: /* black circle */
    case 0x25E6: /* white bullet */
    case 0x2666: /* black diamond suit */
    case 0x2713: /* check marks */
    case 0x2714:
    case 0x2756:
    case 0x27A2: /* arrowheads */
    case 0x27A4:
        return true;
    }
    return false;
}

static bool is_terminal(uint32_t c) {
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || u_hasBinaryProperty(c, UCHAR_S_TERM);
}

/* Characters that may follow the terminal punctuation of a line: closing
 * quotes and brackets, emphasis marks, emoji and marks, invisible characters. */
static bool is_trailer(uint32_t c) {
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '*' || c == '_')
        return true;
    if (c < 0x80)
        return false;
    switch (u_charType(c)) {
    case U_END_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_SYMBOL:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_FORMAT_CHAR:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                    */
/* ------------------------------------------------------------------------ */

/* Decodes one character at s[i..end) (utf8_next).  Returns its length; *cp is
 * the code point, or U+FFFD with *bad set for a maximal ill-formed subpart. */
static size_t utf8_at(const unsigned char *s, size_t i, size_t end, uint32_t *cp, bool *bad) {
    size_t k = utf8_next(s + i, end - i, cp);
    *bad = *cp == UTF8_BAD;
    if (*bad)
        *cp = 0xFFFD;
    return k;
}

/* Length of a line break starting at s[i], or 0. */
static size_t line_break_at(const unsigned char *s, size_t i, size_t end) {
    unsigned c = s[i];
    if (c == '\n' || c == '\v' || c == '\f')
        return 1;
    if (c == '\r')
        return i + 1 < end && s[i + 1] == '\n' ? 2 : 1;
    if (c == 0xC2 && i + 1 < end && s[i + 1] == 0x85)
        return 2;
    if (c == 0xE2 && i + 2 < end && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
        return 3;
    return 0;
}

/* Whether the line s[ls..le) ends in terminal punctuation, looking at no more
 * than 64 trailing characters. */
static bool line_is_terminal(const unsigned char *s, size_t ls, size_t le) {
    size_t i = le;
    for (int steps = 0; i > ls && steps < 64; ++steps) {
        size_t j = i - 1;
        while (j > ls && i - j < 4 && (s[j] & 0xC0) == 0x80)
            --j;
        uint32_t c;
        bool bad;
        if (utf8_at(s, j, i, &c, &bad) != i - j) {
            j = i - 1; /* a stray continuation byte */
            c = 0xFFFD;
        }
        uint32_t m = typo_map(c);
        if (m != KEEP)
            c = m;
        if (c == DROP || c <= ' ' || c == 0x7F || (c >= 0x80 && u_isUWhiteSpace((UChar32)c)) ||
            is_trailer(c)) {
            i = j;
            continue;
        }
        return is_terminal(c);
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Binary detection                                                         */
/* ------------------------------------------------------------------------ */

typedef struct magic {
    const char *bytes;
    size_t len;
    const char *what;
} magic;

static const magic magics[] = {
    {"\x1f\x8b", 2, "gzip-compressed data"},
    {"\xfd"
     "7zXZ\0",
     6, "xz-compressed data"},
    {"\x28\xb5\x2f\xfd", 4, "zstd-compressed data"},
    {"BZh", 3, NULL}, /* checked further below */
    {"PK\x03\x04", 4, "a zip archive"},
    {"\x89PNG", 4, "a PNG image"},
    {"\xff\xd8\xff", 3, "a JPEG image"},
    {"GIF8", 4, "a GIF image"},
    {"%PDF-", 5, "a PDF document (extract its text first)"},
    {"\x7f"
     "ELF",
     4, "an ELF executable"},
    {"\xff\xfe", 2, "UTF-16 text (convert it to UTF-8)"},
    {"\xfe\xff", 2, "UTF-16 text (convert it to UTF-8)"},
};

spin_status tokenize_check_text(const char *buf, size_t len, spin_diag *diag) {
    const unsigned char *s = (const unsigned char *)buf;
    for (size_t k = 0; k < sizeof magics / sizeof magics[0]; ++k) {
        const magic *m = &magics[k];
        if (len < m->len || memcmp(s, m->bytes, m->len) != 0)
            continue;
        if (!m->what) { /* bzip2: "BZh" [1-9] then the block magic 0x314159265359 */
            if (len >= 10 && s[3] >= '1' && s[3] <= '9' &&
                !memcmp(s + 4, "\x31\x41\x59\x26\x53\x59", 6))
                return diag_set(diag, SPIN_EFORMAT, NULL, 0, 0, "not text: bzip2-compressed data");
            continue;
        }
        return diag_set(diag, SPIN_EFORMAT, NULL, 0, 0, "not text: %s", m->what);
    }
    size_t n = len < CHECK_BYTES ? len : CHECK_BYTES, bad_bytes = 0, first = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x7F) {
            ++i;
            continue;
        }
        bool bad = false;
        size_t step = 1;
        if (c < 0x20 || c == 0x7F)
            bad = !(c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x1B);
        else {
            uint32_t cp;
            step = utf8_at(s, i, len, &cp, &bad);
        }
        if (bad) {
            if (bad_bytes == 0)
                first = i;
            bad_bytes += step;
        }
        i += step;
    }
    if (bad_bytes >= 8 && bad_bytes * 10 > n)
        return diag_set(diag, SPIN_EFORMAT, NULL, 0, first,
                        "not text: binary data (%zu of the first %zu bytes are NUL, control "
                        "characters or invalid UTF-8)",
                        bad_bytes, n);
    return SPIN_OK;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

spin_status tokenize_new(tokenizer **out, spin_diag *diag) {
    *out = NULL;
    tokenizer *t = mem_calloc(1, sizeof *t);
    if (!t)
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    t->u = mem_alloc((TOK_CHUNK_UNITS + 4) * sizeof *t->u);
    t->map = mem_alloc((TOK_CHUNK_UNITS + 5) * sizeof *t->map);
    t->toks = mem_alloc(TOK_MAX_SENTENCE_TOKENS * sizeof *t->toks);
    t->ncap = 256;
    t->nbuf = mem_alloc((size_t)t->ncap * sizeof *t->nbuf);
    t->tcap = 4096;
    t->text = mem_alloc(t->tcap);
    if (!t->u || !t->map || !t->toks || !t->nbuf || !t->text) {
        tokenize_free(t);
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    }
    UErrorCode st = U_ZERO_ERROR;
    const char *what = "word break iterator";
    t->words = ubrk_open(UBRK_WORD, "en", NULL, 0, &st);
    if (U_SUCCESS(st)) {
        what = "sentence break iterator for en@ss=standard";
        t->sents = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &st);
    }
    if (U_SUCCESS(st)) {
        what = "NFKC_Casefold normalizer";
        t->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    }
    if (U_FAILURE(st)) {
        tokenize_free(t);
        if (st == U_MEMORY_ALLOCATION_ERROR)
            return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
        return diag_set(diag, SPIN_EUNSUPPORTED, NULL, 0, 0, "ICU cannot open the %s: %s", what,
                        u_errorName(st));
    }
    t->fast = true;
    *out = t;
    return SPIN_OK;
}

void tokenize_free(tokenizer *t) {
    if (!t)
        return;
    if (t->words)
        ubrk_close(t->words);
    if (t->sents)
        ubrk_close(t->sents);
    mem_free(t->u);
    mem_free(t->map);
    mem_free(t->nbuf);
    mem_free(t->bounds);
    mem_free(t->spans);
    mem_free(t->toks);
    mem_free(t->text);
    mem_free(t);
}

size_t tokenize_scratch_bytes(const tokenizer *t) {
    return (TOK_CHUNK_UNITS + 4) * sizeof *t->u + (TOK_CHUNK_UNITS + 5) * sizeof *t->map +
           (size_t)t->ncap * sizeof *t->nbuf + t->bcap * sizeof *t->bounds +
           t->scap * sizeof *t->spans + TOK_MAX_SENTENCE_TOKENS * sizeof *t->toks + t->tcap;
}

const char *tokenize_kind_name(tok_kind kind) {
    static const char *const names[] = {"word",  "number", "kana", "ideo",
                                        "punct", "symbol", "url",  "email"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *tokenize_seg_kind_name(tok_seg_kind kind) {
    static const char *const names[] = {"prose", "heading", "boilerplate"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

void tokenize_icu_version(char out[TOK_ICU_VERSION_MAX]) {
    UVersionInfo v;
    char buf[U_MAX_VERSION_STRING_LENGTH];
    u_getVersion(v);
    u_versionToString(v, buf);
    snprintf(out, TOK_ICU_VERSION_MAX, "%s", buf);
}

/* ------------------------------------------------------------------------ */
/* Decoding a chunk                                                         */
/* ------------------------------------------------------------------------ */

/* Decodes from byte t->base into t->u/t->map until a line break, the end of
 * the input, or the chunk limit.  Returns the number of units; *stop is the
 * byte where decoding stopped and *brk the length of the line break found
 * there (0 if none). */
static int32_t decode(tokenizer *t, size_t *stop, size_t *brk) {
    const unsigned char *s = t->buf;
    size_t base = t->base, i = base;
    size_t end = t->len - base > CHUNK_BYTES ? base + CHUNK_BYTES : t->len;
    UChar *u = t->u;
    uint32_t *map = t->map;
    int32_t n = 0;
    *brk = 0;
    while (i < end && n < TOK_CHUNK_UNITS) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x7F) { /* the common case */
            u[n] = (UChar)(c == '`' ? '\'' : c);
            map[n++] = (uint32_t)(i - base);
            ++i;
            continue;
        }
        size_t lb = line_break_at(s, i, t->len);
        if (lb) {
            *brk = lb;
            break;
        }
        if (c < 0x80) {
            if (c == 0)
                ++t->stats.nul;
            else if (c != '\t')
                ++t->stats.controls;
            u[n] = ' ';
            map[n++] = (uint32_t)(i - base);
            ++i;
            continue;
        }
        uint32_t cp;
        bool bad;
        size_t step = utf8_at(s, i, t->len, &cp, &bad);
        if (bad)
            ++t->stats.invalid;
        else if (cp < 0xA0) { /* C1 controls */
            ++t->stats.controls;
            cp = ' ';
        } else {
            uint32_t m = typo_map(cp);
            if (m == DROP) {
                i += step;
                continue;
            }
            if (m != KEEP)
                cp = m;
            else if (cp == 0x2026) { /* an ellipsis segments like "..." */
                for (int k = 0; k < 3; ++k) {
                    u[n] = '.';
                    map[n++] = (uint32_t)(i - base);
                }
                i += step;
                continue;
            }
        }
        if (cp > 0xFFFF) {
            u[n] = U16_LEAD(cp);
            map[n++] = (uint32_t)(i - base);
            u[n] = U16_TRAIL(cp);
            map[n++] = (uint32_t)(i - base);
        } else {
            u[n] = (UChar)cp;
            map[n++] = (uint32_t)(i - base);
        }
        i += step;
    }
    map[n] = (uint32_t)(i - base);
    *stop = i;
    return n;
}

/* Where to cut a chunk that filled up in the middle of a line: after the last
 * space that follows a letter or digit (never a sentence boundary), else after
 * the last space, else at the limit (inside a word: *in_word is set).  Only
 * the second half of the chunk is searched, so progress is at least half a
 * chunk per cut. */
static int32_t cut_point(const tokenizer *t, int32_t n, bool *in_word) {
    const UChar *u = t->u;
    int32_t any_space = -1;
    *in_word = false;
    for (int32_t i = n - 1; i > n / 2; --i) {
        if (u[i] != ' ')
            continue;
        if (u_isalnum(u[i - 1]))
            return i + 1;
        if (any_space < 0)
            any_space = i + 1;
    }
    if (any_space > 0)
        return any_space;
    *in_word = true;
    return n; /* decode() never splits a surrogate pair */
}

/* ------------------------------------------------------------------------ */
/* URLs and e-mail addresses                                                */
/* ------------------------------------------------------------------------ */

static bool ascii_alnum(UChar c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool url_stop(UChar c) {
    switch (c) {
    case ' ':
    case '<':
    case '>':
    case '"':
    case '{':
    case '}':
    case '|':
    case '\\':
    case '^':
        return true;
    }
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
}

/* The end of a URL starting at u[a]: up to a stop character, without trailing
 * punctuation, and without a closing bracket that has no opening partner. */
static int32_t url_end(const UChar *u, int32_t a, int32_t n) {
    int32_t b = a, open = 0, close = 0;
    while (b < n && !url_stop(u[b])) {
        open += u[b] == '(';
        close += u[b] == ')';
        ++b;
    }
    while (b > a) {
        UChar c = u[b - 1];
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
            c == '*' || c == ']' || c == '}') {
            --b;
        } else if (c == ')' && close > open) {
            --close;
            --b;
        } else
            break;
    }
    return b;
}

static bool ci_equal(const UChar *u, const char *ascii, int32_t len) {
    for (int32_t i = 0; i < len; ++i)
        if ((u[i] | 0x20) != ascii[i])
            return false;
    return true;
}

/* An e-mail address around the '@' at u[at], or false. */
static bool email_at(const UChar *u, int32_t n, int32_t at, int32_t *a, int32_t *b) {
    int32_t i = at;
    while (i > 0 && at - i < 64 &&
           (ascii_alnum(u[i - 1]) || u[i - 1] == '.' || u[i - 1] == '_' || u[i - 1] == '%' ||
            u[i - 1] == '+' || u[i - 1] == '-'))
        --i;
    while (i < at && u[i] == '.')
        ++i;
    if (i == at || u[at - 1] == '.')
        return false;
    int32_t j = at + 1, last_dot = -1;
    while (j < n && j - at < 254 && (ascii_alnum(u[j]) || u[j] == '-' || u[j] == '.')) {
        if (u[j] == '.')
            last_dot = j;
        ++j;
    }
    while (j > at + 1 && (u[j - 1] == '.' || u[j - 1] == '-')) {
        --j;
        if (last_dot == j)
            for (last_dot = -1, i = at + 1; i < j; ++i) /* recompute: trailing dot removed */
                if (u[i] == '.')
                    last_dot = i;
    }
    if (last_dot < 0 || last_dot >= j - 2 || !ascii_alnum(u[at + 1]))
        return false;
    for (int32_t k = last_dot + 1; k < j; ++k)
        if (!((u[k] | 0x20) >= 'a' && (u[k] | 0x20) <= 'z'))
            return false;
    *a = i;
    *b = j;
    return true;
}

static spin_status add_span(tokenizer *t, int32_t a, int32_t b, int kind) {
    if (t->nspans == t->scap) {
        size_t cap = t->scap ? 2 * t->scap : 16;
        tok_span *p = mem_realloc_array(t->spans, cap, sizeof *p);
        if (!p)
            return SPIN_ENOMEM;
        t->spans = p;
        t->scap = cap;
    }
    /* an e-mail found later may start inside an earlier URL: keep the URL */
    if (t->nspans && a < t->spans[t->nspans - 1].b)
        return SPIN_OK;
    t->spans[t->nspans++] = (tok_span){a, b, kind};
    return SPIN_OK;
}

/* Finds URLs (http, https and ftp with "://", or starting "www.") and e-mail
 * addresses in the chunk, in order and without overlap. */
static spin_status find_spans(tokenizer *t, int32_t n) {
    const UChar *u = t->u;
    t->nspans = 0;
    for (int32_t i = 0; i < n; ++i) {
        UChar c = u[i];
        int32_t a = -1, b = -1, kind = SPAN_URL;
        if (c == ':' && i + 3 < n && u[i + 1] == '/' && u[i + 2] == '/' && u[i + 3] != ' ') {
            int32_t s = i;
            while (s > 0 && i - s < 5 && ((u[s - 1] | 0x20) >= 'a' && (u[s - 1] | 0x20) <= 'z'))
                --s;
            if ((s == 0 || !ascii_alnum(u[s - 1])) &&
                ((i - s == 4 && ci_equal(u + s, "http", 4)) ||
                 (i - s == 5 && ci_equal(u + s, "https", 5)) ||
                 (i - s == 3 && ci_equal(u + s, "ftp", 3)))) {
                a = s;
                b = url_end(u, i + 3, n);
            }
        } else if ((c | 0x20) == 'w' && i + 4 < n && (i == 0 || !ascii_alnum(u[i - 1])) &&
                   (u[i + 1] | 0x20) == 'w' && (u[i + 2] | 0x20) == 'w' && u[i + 3] == '.' &&
                   ascii_alnum(u[i + 4])) {
            a = i;
            b = url_end(u, i + 4, n);
        } else if (c == '@' && i > 0 && i + 1 < n) {
            kind = SPAN_EMAIL;
            if (!email_at(u, n, i, &a, &b))
                a = -1;
        }
        if (a >= 0 && b > a) {
            if (add_span(t, a, b, kind) != SPIN_OK)
                return SPIN_ENOMEM;
            if (b > i + 1)
                i = b - 1;
        }
    }
    return SPIN_OK;
}

/* ------------------------------------------------------------------------ */
/* Segments                                                                 */
/* ------------------------------------------------------------------------ */

static bool text_is(const tokenizer *t, const tok_token *k, const char *s) {
    size_t n = strlen(s);
    return k->len == n && memcmp(t->text + k->text, s, n) == 0;
}

/* A line without terminal punctuation: a short capitalised line of words is a
 * heading; navigation, counters, links and long runs are boilerplate. */
static tok_seg_kind classify(const tokenizer *t, size_t count) {
    size_t words = 0, nums = 0;
    bool first_up = false;
    for (size_t i = 0; i < count; ++i) {
        const tok_token *k = &t->toks[i];
        switch (k->kind) {
        case TOK_WORD:
        case TOK_KANA:
        case TOK_IDEO:
            if (words++ == 0)
                first_up = k->flags & TOK_T_NOTLOWER;
            break;
        case TOK_NUMBER:
            ++nums;
            break;
        case TOK_URL:
        case TOK_EMAIL:
            return TOK_BOILERPLATE;
        default:
            if (text_is(t, k, "|") || text_is(t, k, "/") || text_is(t, k, ">") ||
                text_is(t, k, "\xc2\xbb") /* » after NFKC is itself */ ||
                text_is(t, k, "\xe2\x80\xba") || text_is(t, k, "\xc2\xa9"))
                return TOK_BOILERPLATE;
        }
    }
    return words >= 1 && words <= 15 && nums <= words && first_up ? TOK_HEADING : TOK_BOILERPLATE;
}

/* Delivers the first 'count' pending tokens as one segment and keeps the rest;
 * the segment is prose if 'prose', else classify() decides. */
static spin_status deliver(tokenizer *t, size_t count, uint8_t flags, bool prose) {
    tok_sentence s;
    s.start = t->toks[0].start;
    s.end = t->toks[count - 1].end;
    s.first = 0;
    s.count = count;
    s.kind = (uint8_t)(prose ? TOK_PROSE : classify(t, count));
    s.flags = flags;
    for (size_t i = 0; i < count; ++i)
        if (t->toks[i].flags & TOK_T_INVALID)
            s.flags |= TOK_S_INVALID;
    t->stats.sentences++;
    t->stats.tokens += count;
    if (s.flags & TOK_S_SPLIT)
        t->stats.split++;
    spin_status st = t->fn(t->ctx, &s, t->toks, t->text);
    size_t rest = t->ntoks - count;
    if (rest) {
        size_t off = t->toks[count].text;
        memmove(t->text, t->text + off, t->tlen - off);
        t->tlen -= off;
        for (size_t i = 0; i < rest; ++i) {
            t->toks[i] = t->toks[count + i];
            t->toks[i].text -= off;
        }
    } else
        t->tlen = 0;
    t->ntoks = rest;
    return st;
}

static spin_status flush(tokenizer *t, bool prose) {
    uint8_t flags = t->pending_flags;
    t->pending_flags = 0;
    return t->ntoks ? deliver(t, t->ntoks, flags, prose) : SPIN_OK;
}

/* Cuts a full pending segment after its last comma, semicolon or colon in the
 * second half, or else at the cap. */
static spin_status cut_at_cap(tokenizer *t) {
    size_t cut = t->ntoks;
    for (size_t i = t->ntoks - 1; i > 0 && i >= t->ntoks / 2; --i) {
        const tok_token *k = &t->toks[i];
        if (k->kind == TOK_PUNCT &&
            (text_is(t, k, ",") || text_is(t, k, ";") || text_is(t, k, ":"))) {
            cut = i + 1;
            break;
        }
    }
    spin_status st = deliver(t, cut, t->pending_flags | TOK_S_SPLIT, t->line_terminal);
    t->pending_flags |= TOK_S_SPLIT; /* the continuation is a piece too */
    return st;
}

static bool all_char(const char *s, size_t n, char c) {
    for (size_t i = 0; i < n; ++i)
        if (s[i] != c)
            return false;
    return n > 0;
}

/* Appends the token whose text was just written at t->text + t->tlen, merging
 * runs of dots, runs of dashes and times, and cutting at the cap. */
static spin_status append_token(tokenizer *t, size_t start, size_t end, int kind, uint32_t len,
                                uint8_t flags) {
    char *s = t->text + t->tlen;
    if (kind == TOK_PUNCT && len > 1 && all_char(s, len, '.')) {
        memcpy(s, "...", 3); /* "..", "…" (NFKC gives "...") and longer runs */
        len = 3;
    }
    tok_token *last = t->ntoks ? &t->toks[t->ntoks - 1] : NULL;
    if (last && last->end == start && kind == TOK_PUNCT && last->kind == TOK_PUNCT) {
        const char *ls = t->text + last->text;
        if ((s[0] == '.' && all_char(ls, last->len, '.')) ||
            (len == 1 && s[0] == '-' && last->len == 1 && ls[0] == '-')) {
            if (s[0] == '.') {
                memcpy(t->text + last->text, "...", 3);
                last->len = 3;
                t->tlen = last->text + 3;
            }
            last->end = end;
            return SPIN_OK;
        }
    }
    if (kind == TOK_NUMBER && t->ntoks >= 2 && last->end == start && last->kind == TOK_PUNCT &&
        text_is(t, last, ":") && last[-1].kind == TOK_NUMBER && last[-1].end == last->start) {
        /* 10:30 -> one token "00:00"; the colon's text is just before ours */
        tok_token *num = last - 1;
        num->end = end;
        num->len += 1 + len;
        t->tlen += len;
        t->ntoks--;
        return SPIN_OK;
    }
    t->toks[t->ntoks++] = (tok_token){start, end, t->tlen, len, (uint8_t)kind, flags};
    t->tlen += len;
    t->line_start = false;
    if (t->ntoks == TOK_MAX_SENTENCE_TOKENS || t->tlen >= MAX_SEGMENT_TEXT)
        return cut_at_cap(t);
    return SPIN_OK;
}

static spin_status reserve_text(tokenizer *t, size_t extra) {
    if (t->tcap - t->tlen >= extra)
        return SPIN_OK;
    size_t cap = t->tcap;
    while (cap - t->tlen < extra)
        cap *= 2;
    char *p = mem_realloc(t->text, cap);
    if (!p)
        return SPIN_ENOMEM;
    t->text = p;
    t->tcap = cap;
    return SPIN_OK;
}

/* Appends c as UTF-8 to t->text at *o after the output mapping: digits to 0,
 * typographic unification again, whitespace and controls dropped. */
static void put_normalized(char *out, size_t *o, uint32_t c, uint8_t *flags) {
    if (c >= 0x80 || c <= ' ') {
        if (u_charType((UChar32)c) == U_DECIMAL_DIGIT_NUMBER)
            c = '0';
        else {
            uint32_t m = typo_map(c);
            if (m == DROP)
                return;
            if (m != KEEP)
                c = m;
            if (c <= ' ' || c == 0x7F || u_isUWhiteSpace((UChar32)c) || u_iscntrl((UChar32)c))
                return;
            if (c == 0xFFFD)
                *flags |= TOK_T_INVALID;
        }
    }
    size_t i = *o;
    if (c < 0x80)
        out[i++] = (char)c;
    else if (c < 0x800) {
        out[i++] = (char)(0xC0 | (c >> 6));
        out[i++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out[i++] = (char)(0xE0 | (c >> 12));
        out[i++] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[i++] = (char)(0x80 | (c & 0x3F));
    } else {
        out[i++] = (char)(0xF0 | (c >> 18));
        out[i++] = (char)(0x80 | ((c >> 12) & 0x3F));
        out[i++] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[i++] = (char)(0x80 | (c & 0x3F));
    }
    *o = i;
}

static spin_status icu_failed(UErrorCode st) {
    return st == U_MEMORY_ALLOCATION_ERROR ? SPIN_ENOMEM : SPIN_EUNSUPPORTED;
}

/* Or'ed into a rule status by the fast path: the segment is plain ASCII.  ICU's
 * statuses are below 1000. */
#define FAST_ASCII 0x10000

/* One word segment u[a..b) with rule status 'rs' (no URL inside). */
static spin_status word_segment(tokenizer *t, int32_t a, int32_t b, int32_t rs) {
    const UChar *u = t->u;
    bool ascii = rs & FAST_ASCII;
    rs &= ~FAST_ASCII;
    if (u[a] == ' ')
        return SPIN_OK; /* whitespace (WB3d keeps it together; marks after it go too) */
    int kind = rs >= UBRK_WORD_IDEO     ? TOK_IDEO
               : rs >= UBRK_WORD_KANA   ? TOK_KANA
               : rs >= UBRK_WORD_LETTER ? TOK_WORD
               : rs >= UBRK_WORD_NUMBER ? TOK_NUMBER
                                        : -1;
    size_t start = t->base + t->map[a], end = t->base + t->map[b];
    uint8_t flags = 0;
    int32_t len = b - a;
    if (kind < 0) {
        UChar32 c;
        int32_t i = a;
        U16_NEXT(u, i, b, c);
        if (i == b &&
            (is_bullet((uint32_t)c) ||
             (t->line_start && (c == '*' || c == '-' || c == '+') && b < t->last_n && u[b] == ' ')))
            return SPIN_OK; /* a bullet, or "- item" at the start of a line */
        kind = U_GET_GC_MASK(c) & U_GC_P_MASK ? TOK_PUNCT : TOK_SYMBOL;
    }
    if (!ascii) {
        ascii = true;
        for (int32_t i = a; i < b; ++i)
            if (u[i] >= 0x80) {
                ascii = false;
                break;
            }
    }
    if (ascii) {
        if (reserve_text(t, (size_t)len) != SPIN_OK)
            return SPIN_ENOMEM;
        char *o = t->text + t->tlen;
        for (int32_t i = 0; i < len; ++i) {
            UChar c = u[a + i];
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
            else if (c >= '0' && c <= '9')
                c = '0';
            o[i] = (char)c;
        }
        if (!(u[a] >= 'a' && u[a] <= 'z'))
            flags |= TOK_T_NOTLOWER;
        return append_token(t, start, end, kind, (uint32_t)len, flags);
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = unorm2_normalize(t->nfkc_cf, u + a, len, t->nbuf, t->ncap, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        UChar *p = mem_realloc_array(t->nbuf, (size_t)n + 16, sizeof *p);
        if (!p)
            return SPIN_ENOMEM;
        t->nbuf = p;
        t->ncap = n + 16;
        st = U_ZERO_ERROR;
        n = unorm2_normalize(t->nfkc_cf, u + a, len, t->nbuf, t->ncap, &st);
    }
    if (U_FAILURE(st))
        return icu_failed(st);
    if (reserve_text(t, (size_t)n * 3) != SPIN_OK)
        return SPIN_ENOMEM;
    {
        UChar32 c0;
        int32_t i = a;
        U16_NEXT(u, i, b, c0);
        if (!u_islower(c0))
            flags |= TOK_T_NOTLOWER;
    }
    size_t o = 0;
    char *out = t->text + t->tlen;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(t->nbuf, i, n, c);
        put_normalized(out, &o, (uint32_t)c, &flags);
    }
    if (o == 0)
        return SPIN_OK; /* only invisible characters */
    if (out[0] == '<' &&
        ((o == 3 && !memcmp(out, "<s>", 3)) || (o == 4 && !memcmp(out, "</s>", 4)) ||
         (o == 5 && !memcmp(out, "<unk>", 5))))
        out[0] = '_'; /* unreachable with ICU's rules ('<' stands alone); kept as a guarantee */
    return append_token(t, start, end, kind, (uint32_t)o, flags);
}

static spin_status class_token(tokenizer *t, const tok_span *sp) {
    const char *name = sp->kind == SPAN_URL ? "<url>" : "<email>";
    size_t n = strlen(name);
    if (reserve_text(t, n) != SPIN_OK)
        return SPIN_ENOMEM;
    memcpy(t->text + t->tlen, name, n);
    return append_token(t, t->base + t->map[sp->a], t->base + t->map[sp->b],
                        sp->kind == SPAN_URL ? TOK_URL : TOK_EMAIL, (uint32_t)n, 0);
}

/* Abbreviations that ICU's English suppressions (CLDR) leave out but that
 * almost always stand before a name or a number; "Dr." is missing there
 * because it also abbreviates "Drive". */
static const char *const extra_abbrevs[] = {
    "Dr",   "Drs",  "Mx",   "Rev",  "Hon", "Gen", "Col",    "Capt", "Lt",  "Sgt",  "Cpl",  "Gov",
    "Pres", "Supt", "Insp", "Sen",  "vs",  "cf",  "approx", "Fig",  "fig", "Figs", "Vol",  "vol",
    "Eq",   "Eqs",  "Ref",  "Refs", "Ch",  "Sec", "No",     "Nos",  "Nr",  "pp",   "Dept",
};

/* Dotted abbreviations that never end a sentence (their last period
 * excluded): "e.g." and "i.e." are always followed by what they introduce.
 * (Not "a.m.", "p.m.", "U.S." or "etc.", which often do end one.) */
static const char *const dotted_abbrevs[] = {"e.g", "i.e", "viz"};

/* Whether a sentence should not end after the period at u[dot]: after a
 * single capital letter (an initial: "J. R. R. Tolkien"), after one of
 * extra_abbrevs or after one of dotted_abbrevs. */
static bool suppressed_after(const UChar *u, int32_t dot) {
    /* "e.g." and "i.e." introduce what follows, whatever its case: "Use a
     * thesaurus, e.g. Moby, to spin text." is one sentence. */
    for (size_t k = 0; k < sizeof dotted_abbrevs / sizeof dotted_abbrevs[0]; ++k) {
        const char *a = dotted_abbrevs[k];
        int32_t len = (int32_t)strlen(a);
        if (dot >= len && (dot == len || !u_isalnum(u[dot - len - 1]))) {
            int32_t i = 0;
            while (i < len && (u[dot - len + i] | 0x20) == (UChar)a[i])
                ++i;
            if (i == len)
                return true;
        }
    }
    int32_t w = dot;
    while (w > 0 && dot - w < 8 && u[w - 1] < 0x80 &&
           ((u[w - 1] | 0x20) >= 'a' && (u[w - 1] | 0x20) <= 'z'))
        --w;
    if (w > 0 && (u_isalnum(u[w - 1]) || (dot - w == 8)))
        return false; /* part of a longer word */
    if (dot - w == 0) /* a non-ASCII initial */
        return dot >= 1 && u_isupper(u[dot - 1]) && (dot == 1 || !u_isalnum(u[dot - 2]));
    if (dot - w == 1)
        return u[w] >= 'A' && u[w] <= 'Z';
    for (size_t k = 0; k < sizeof extra_abbrevs / sizeof extra_abbrevs[0]; ++k) {
        const char *a = extra_abbrevs[k];
        int32_t i = 0;
        while (a[i] && w + i < dot && u[w + i] == (UChar)a[i])
            ++i;
        if (!a[i] && w + i == dot)
            return true;
    }
    return false;
}

/* Sentence boundaries of the chunk, without 0 and n, without boundaries
 * inside a URL or e-mail address ("?x=1" would end a sentence) and without
 * those suppressed_after() vetoes. */
static spin_status sentence_bounds(tokenizer *t, int32_t n) {
    UErrorCode st = U_ZERO_ERROR;
    const UChar *u = t->u;
    size_t si = 0;
    t->nbounds = 0;
    ubrk_setText(t->sents, u, n, &st);
    if (U_FAILURE(st))
        return icu_failed(st);
    for (int32_t p = ubrk_next(t->sents); p != UBRK_DONE && p < n; p = ubrk_next(t->sents)) {
        while (si < t->nspans && t->spans[si].b <= p)
            ++si;
        if (si < t->nspans && t->spans[si].a < p)
            continue;
        int32_t j = p;
        while (j > 0 && u[j - 1] == ' ')
            --j;
        if (j >= 2 && u[j - 1] == '.' && suppressed_after(u, j - 1))
            continue;
        if (t->nbounds == t->bcap) {
            size_t cap = t->bcap ? 2 * t->bcap : 64;
            int32_t *q = mem_realloc_array(t->bounds, cap, sizeof *q);
            if (!q)
                return SPIN_ENOMEM;
            t->bounds = q;
            t->bcap = cap;
        }
        t->bounds[t->nbounds++] = p;
    }
    return SPIN_OK;
}

/* One word segment u[a..b) with rule status 'rs', from ICU or the fast path:
 * first the sentence boundaries at or before it, then URL and e-mail spans
 * over it (a span is one class token however ICU cut it). */
static spin_status segment(tokenizer *t, int32_t a, int32_t b, int32_t rs) {
    spin_status rc;
    while (t->bi < t->nbounds && t->bounds[t->bi] <= a) {
        ++t->bi;
        if ((rc = flush(t, true)) != SPIN_OK) /* a sentence that ended inside its line */
            return rc;
    }
    int32_t x = a;
    while (x < b) {
        while (t->si < t->nspans && t->spans[t->si].b <= x)
            ++t->si;
        if (t->si < t->nspans && t->spans[t->si].a < b) {
            const tok_span *sp = &t->spans[t->si];
            if (x < sp->a) {
                if ((rc = word_segment(t, x, sp->a, rs)) != SPIN_OK)
                    return rc;
                x = sp->a;
            }
            if (x == sp->a && (rc = class_token(t, sp)) != SPIN_OK)
                return rc;
            x = sp->b < b ? sp->b : b;
            continue;
        }
        return word_segment(t, x, b, rs);
    }
    return SPIN_OK;
}

/* ICU's word segments covering the run u[i..j) (the run starts after a space
 * or at 0 and ends before a space or at n, where ICU always has boundaries).
 * The iterator walks forward from where it stopped when that is near, and
 * seeks with ubrk_preceding() otherwise, so sparse runs cost little. */
static spin_status icu_run(tokenizer *t, int32_t i, int32_t j) {
    UBreakIterator *w = t->words;
    int32_t a, b;
    if (!t->icu_set) {
        UErrorCode st = U_ZERO_ERROR;
        ubrk_setText(w, t->u, t->last_n, &st);
        if (U_FAILURE(st))
            return icu_failed(st);
        t->icu_set = true;
        t->icu_pos = ubrk_first(w);
    }
    if (t->icu_pos >= 0 && t->icu_pos <= i && i - t->icu_pos <= 256) {
        a = t->icu_pos;
        b = ubrk_next(w);
        while (b != UBRK_DONE && b <= i) {
            a = b;
            b = ubrk_next(w);
        }
    } else {
        a = ubrk_preceding(w, i + 1);
        b = a == UBRK_DONE ? UBRK_DONE : ubrk_next(w);
    }
    spin_status rc = SPIN_OK;
    while (b != UBRK_DONE && rc == SPIN_OK) {
        rc = segment(t, a, b, ubrk_getRuleStatus(w));
        if (b >= j)
            break;
        a = b;
        b = ubrk_next(w);
    }
    t->icu_pos = b;
    return rc;
}

static bool is_letter(UChar c) {
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_digit(UChar c) {
    return c >= '0' && c <= '9';
}

/* The word segments of the printable-ASCII run u[i..j) by UAX #29 as ICU
 * applies it, or false where that needs more than these rules: letters joined
 * by ' or . between letters (WB5-7), digits joined by , ; . or ' between
 * digits (WB8, WB11-12), every other character alone (WB999).  Letters next to
 * digits (WB9-10), '_' (WB13), '@' and a colon between letters or digits (ICU
 * tailors both) are left to ICU, as are runs of more than FAST_MAX segments.
 * The run starts at u[i] and ends before the next space or at n (*end).  Fills
 * seg[] with (end, status) pairs. */
#define FAST_MAX 256
static bool fast_run(const UChar *u, int32_t i, int32_t n, int32_t (*seg)[2], int32_t *nseg,
                     int32_t *end) {
    int32_t k = i, m = 0;
    while (k < n && u[k] != ' ') {
        UChar c = u[k];
        int32_t status;
        if (m == FAST_MAX)
            return false;
        if (is_letter(c)) {
            for (++k;;) {
                while (k < n && is_letter(u[k]))
                    ++k;
                if (k + 1 < n && (u[k] == '\'' || u[k] == '.') && is_letter(u[k + 1]))
                    k += 2;
                else
                    break;
            }
            status = UBRK_WORD_LETTER;
        } else if (is_digit(c)) {
            for (++k;;) {
                while (k < n && is_digit(u[k]))
                    ++k;
                if (k + 1 < n && (u[k] == ',' || u[k] == '.' || u[k] == ';' || u[k] == '\'') &&
                    is_digit(u[k + 1]))
                    k += 2;
                else
                    break;
            }
            status = UBRK_WORD_NUMBER;
        } else if (c == '_' || c == '@' || c >= 0x80) {
            return false; /* ICU tailors '@' into ALetter */
        } else {
            seg[m][0] = ++k;
            seg[m++][1] = UBRK_WORD_NONE;
            continue;
        }
        if (k < n && (is_letter(u[k]) || is_digit(u[k]) || u[k] == '_' ||
                      (u[k] == ':' && k + 1 < n && (is_letter(u[k + 1]) || is_digit(u[k + 1])))))
            return false;
        seg[m][0] = k;
        seg[m++][1] = status;
    }
    *nseg = m;
    *end = k;
    return true;
}

static spin_status process_chunk(tokenizer *t, int32_t n) {
    spin_status rc;
    const UChar *u = t->u;
    t->last_n = n;
    t->si = t->bi = 0;
    t->icu_set = false;
    if ((rc = find_spans(t, n)) != SPIN_OK)
        return rc;
    t->nbounds = 0;
    if ((t->line_terminal || t->line_long) && (rc = sentence_bounds(t, n)) != SPIN_OK)
        return rc;
    if (!t->fast)
        return icu_run(t, 0, n);
    int32_t seg[FAST_MAX][2], nseg;
    for (int32_t i = 0; i < n;) {
        if (u[i] == ' ') {
            ++i;
            continue;
        }
        int32_t j;
        if (fast_run(u, i, n, seg, &nseg, &j)) {
            for (int32_t k = 0, a = i; k < nseg; a = seg[k++][0])
                if ((rc = segment(t, a, seg[k][0], seg[k][1] | FAST_ASCII)) != SPIN_OK)
                    return rc;
        } else {
            for (j = i; j < n && u[j] != ' ';)
                ++j;
            if ((rc = icu_run(t, i, j)) != SPIN_OK)
                return rc;
        }
        i = j;
    }
    return SPIN_OK;
}

void tokenize_set_fast_path(tokenizer *t, bool on) {
    t->fast = on;
}

/* ------------------------------------------------------------------------ */
/* Driver                                                                   */
/* ------------------------------------------------------------------------ */

spin_status tokenize_stream(tokenizer *t, const char *buf, size_t len, tok_sentence_fn fn,
                            void *ctx, tok_stats *stats, spin_diag *diag) {
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!buf && len)
        return diag_set(diag, SPIN_EINVAL, NULL, 0, 0, "no input buffer");
    spin_status rc = tokenize_check_text(buf, len, diag);
    if (rc != SPIN_OK)
        return rc;
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.bytes = len;
    t->buf = (const unsigned char *)buf;
    t->len = len;
    t->fn = fn;
    t->ctx = ctx;
    t->ntoks = 0;
    t->tlen = 0;
    t->pending_flags = 0;
    size_t pos = 0, line_end = SIZE_MAX;
    uint64_t tokens_before_line = 0;
    bool new_line = true;
    while (pos < len && rc == SPIN_OK) {
        if (new_line) {
            t->line_start = true;
            line_end = SIZE_MAX;
            tokens_before_line = t->stats.tokens + t->ntoks;
        }
        t->base = pos;
        size_t stop, brk;
        int32_t n = decode(t, &stop, &brk);
        bool ends_line = brk || stop == len, in_word = false;
        if (!ends_line) {
            if (n >= 16) {
                int32_t cut = cut_point(t, n, &in_word);
                stop = pos + t->map[cut];
                n = cut;
            }
            if (line_end == SIZE_MAX) { /* once per line, so long lines stay linear */
                const unsigned char *s = t->buf;
                size_t i = stop;
                while (i < len && !line_break_at(s, i, len))
                    ++i;
                line_end = i;
                t->line_terminal = line_is_terminal(s, pos, line_end);
                t->line_long = true;
            }
        } else if (new_line) {
            t->line_terminal = line_is_terminal(t->buf, pos, stop);
            t->line_long = stop - pos > OPEN_LINE_MAX;
        }
        if (n > 0)
            rc = process_chunk(t, n);
        if (in_word)
            t->pending_flags |= TOK_S_SPLIT;
        if (ends_line) {
            if (rc == SPIN_OK)
                rc = flush(t, t->line_terminal);
            if (t->stats.tokens > tokens_before_line)
                t->stats.lines++;
            pos = stop + brk;
            new_line = true;
        } else {
            pos = stop;
            new_line = false;
        }
    }
    if (rc == SPIN_OK)
        rc = flush(t, t->line_terminal);
    if (stats)
        *stats = t->stats;
    t->buf = NULL;
    t->ntoks = 0;
    t->tlen = 0;
    if (rc == SPIN_ENOMEM)
        return diag_set(diag, rc, NULL, 0, 0, NULL);
    if (rc == SPIN_EUNSUPPORTED)
        return diag_set(diag, rc, NULL, 0, 0, "ICU failed while segmenting the text");
    return rc;
}

/* Appends a segment to a tok_doc. */
static spin_status doc_add(void *ctx, const tok_sentence *s, const tok_token *toks,
                           const char *text) {
    tok_doc *d = ctx;
    const tok_token *last = &toks[s->count - 1];
    size_t bytes = last->text + last->len;
    if (d->nsentences == d->sentences_cap) {
        size_t cap = d->sentences_cap ? 2 * d->sentences_cap : 16;
        tok_sentence *p = mem_realloc_array(d->sentences, cap, sizeof *p);
        if (!p)
            return SPIN_ENOMEM;
        d->sentences = p;
        d->sentences_cap = cap;
    }
    if (d->tokens_cap - d->ntokens < s->count) {
        size_t cap = d->tokens_cap ? d->tokens_cap : 64;
        while (cap - d->ntokens < s->count)
            cap *= 2;
        tok_token *p = mem_realloc_array(d->tokens, cap, sizeof *p);
        if (!p)
            return SPIN_ENOMEM;
        d->tokens = p;
        d->tokens_cap = cap;
    }
    if (d->text_cap - d->text_len < bytes) {
        size_t cap = d->text_cap ? d->text_cap : 1024;
        while (cap - d->text_len < bytes)
            cap *= 2;
        char *p = mem_realloc(d->text, cap);
        if (!p)
            return SPIN_ENOMEM;
        d->text = p;
        d->text_cap = cap;
    }
    memcpy(d->text + d->text_len, text, bytes);
    for (size_t i = 0; i < s->count; ++i) {
        d->tokens[d->ntokens + i] = toks[i];
        d->tokens[d->ntokens + i].text += d->text_len;
    }
    d->sentences[d->nsentences] = *s;
    d->sentences[d->nsentences].first = d->ntokens;
    d->nsentences++;
    d->ntokens += s->count;
    d->text_len += bytes;
    return SPIN_OK;
}

spin_status tokenize_doc(tokenizer *t, const char *buf, size_t len, tok_doc *doc, spin_diag *diag) {
    memset(doc, 0, sizeof *doc);
    spin_status rc = tokenize_stream(t, buf, len, doc_add, doc, &doc->stats, diag);
    if (rc != SPIN_OK) {
        tokenize_doc_free(doc);
        if (rc == SPIN_ENOMEM)
            diag_set(diag, rc, NULL, 0, 0, NULL);
    }
    return rc;
}

void tokenize_doc_free(tok_doc *doc) {
    if (!doc)
        return;
    mem_free(doc->sentences);
    mem_free(doc->tokens);
    mem_free(doc->text);
    memset(doc, 0, sizeof *doc);
}

/* Output of tokenize_lines(): a fixed buffer handed to 'write' when full, or,
 * without 'write', a buffer that grows. */
typedef struct line_out {
    char *buf;
    size_t len, cap;
    tok_write_fn write;
    void *ctx;
} line_out;

static spin_status out_put(line_out *o, const char *s, size_t n) {
    if (o->cap - o->len < n) {
        if (o->write) {
            spin_status rc = o->len ? o->write(o->ctx, o->buf, o->len) : SPIN_OK;
            o->len = 0;
            if (rc != SPIN_OK)
                return rc;
            if (n > o->cap)
                return o->write(o->ctx, s, n);
        } else {
            size_t cap = o->cap;
            while (cap - o->len < n)
                cap *= 2;
            char *p = mem_realloc(o->buf, cap);
            if (!p)
                return SPIN_ENOMEM;
            o->buf = p;
            o->cap = cap;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    return SPIN_OK;
}

static spin_status lines_add(void *ctx, const tok_sentence *s, const tok_token *toks,
                             const char *text) {
    line_out *o = ctx;
    spin_status rc = SPIN_OK;
    for (size_t i = 0; i < s->count && rc == SPIN_OK; ++i) {
        if (o->cap - o->len > (size_t)toks[i].len + 1) { /* the usual case, inline */
            const char *src = text + toks[i].text;
            char *dst = o->buf + o->len;
            if (toks[i].len <= 16)
                for (uint32_t k = 0; k < toks[i].len; ++k)
                    dst[k] = src[k];
            else
                memcpy(dst, src, toks[i].len);
            o->len += toks[i].len;
            o->buf[o->len++] = i + 1 < s->count ? ' ' : '\n';
            continue;
        }
        rc = out_put(o, text + toks[i].text, toks[i].len);
        if (rc == SPIN_OK)
            rc = out_put(o, i + 1 < s->count ? " " : "\n", 1);
    }
    return rc;
}

spin_status tokenize_lines(tokenizer *t, const char *buf, size_t len, tok_write_fn write, void *ctx,
                           tok_stats *stats, spin_diag *diag) {
    line_out o = {mem_alloc(LINES_BUF), 0, LINES_BUF, write, ctx};
    if (!o.buf)
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    spin_status rc = tokenize_stream(t, buf, len, lines_add, &o, stats, diag);
    if (rc == SPIN_OK && o.len)
        rc = write(ctx, o.buf, o.len);
    mem_free(o.buf);
    return rc;
}

spin_status tokenize_lines_buf(tokenizer *t, const char *buf, size_t len, char **out,
                               size_t *out_len, tok_stats *stats, spin_diag *diag) {
    *out = NULL;
    *out_len = 0;
    line_out o = {mem_alloc(4096), 0, 4096, NULL, NULL};
    if (!o.buf)
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    spin_status rc = tokenize_stream(t, buf, len, lines_add, &o, stats, diag);
    if (rc == SPIN_OK)
        rc = out_put(&o, "", 1); /* the terminating NUL */
    if (rc != SPIN_OK) {
        mem_free(o.buf);
        if (rc == SPIN_ENOMEM)
            diag_set(diag, rc, NULL, 0, 0, NULL);
        return rc;
    }
    *out = o.buf;
    *out_len = o.len - 1;
    return SPIN_OK;
}
