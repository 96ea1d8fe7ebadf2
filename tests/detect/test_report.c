/* test_report.c - the text, JSON and HTML reports of `spinscan score`.
 *
 * Results are built by hand (no model, no detector), so these tests pin the
 * formats alone.  JSON is read back by a small strict parser written here: it
 * rejects anything RFC 8259 rejects (raw control characters in strings,
 * invalid UTF-8, lone surrogates, bad numbers, trailing text), so "it parses"
 * means "it is valid JSON", and the decoded strings must equal the document's
 * bytes with each ill-formed UTF-8 subpart replaced by U+FFFD.
 */
#include "detect/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* ---- a strict JSON parser ---- */

typedef enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype t;
    bool b;
    double num;
    bool integer; /* a number without fraction or exponent */
    char *str;    /* J_STR: decoded bytes (may hold NUL); J_OBJ keys in 'keys' */
    size_t len;
    struct jval *items;
    char **keys;
    size_t n;
} jval;

typedef struct jparser {
    const char *p, *end;
    const char *error;
} jparser;

static void jfree(jval *v) {
    if (!v)
        return;
    free(v->str);
    for (size_t i = 0; i < v->n; ++i) {
        jfree(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

static bool jfail(jparser *ps, const char *why) {
    if (!ps->error)
        ps->error = why;
    return false;
}

static void skip_ws(jparser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ++ps->p;
}

/* Length of the well-formed UTF-8 character at 's' (n bytes left), or 0. */
static size_t utf8_valid_len(const unsigned char *s, size_t n) {
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; ++i)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

static bool is_valid_utf8(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t k = utf8_valid_len((const unsigned char *)s + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static void put_utf8(char *out, size_t *o, uint32_t cp) {
    if (cp < 0x80)
        out[(*o)++] = (char)cp;
    else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | cp >> 6);
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | cp >> 12);
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | cp >> 18);
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static bool hex4(jparser *ps, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < 4; ++i, ++ps->p) {
        if (ps->p >= ps->end)
            return jfail(ps, "short \\u escape");
        char c = *ps->p;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return jfail(ps, "bad hex digit in \\u escape");
        *v = *v << 4 | (uint32_t)d;
    }
    return true;
}

static bool parse_string(jparser *ps, char **out, size_t *len) {
    ++ps->p; /* the opening quote */
    char *buf = malloc((size_t)(ps->end - ps->p) + 4);
    size_t o = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            free(buf);
            return jfail(ps, "raw control character in a string");
        }
        if (c == '\\') {
            if (++ps->p >= ps->end)
                break;
            char e = *ps->p++;
            uint32_t cp;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                buf[o++] = e;
                break;
            case 'b':
                buf[o++] = '\b';
                break;
            case 'f':
                buf[o++] = '\f';
                break;
            case 'n':
                buf[o++] = '\n';
                break;
            case 'r':
                buf[o++] = '\r';
                break;
            case 't':
                buf[o++] = '\t';
                break;
            case 'u':
                if (!hex4(ps, &cp)) {
                    free(buf);
                    return false;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    free(buf);
                    return jfail(ps, "lone low surrogate");
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                        free(buf);
                        return jfail(ps, "lone high surrogate");
                    }
                    ps->p += 2;
                    if (!hex4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                        free(buf);
                        return jfail(ps, "bad surrogate pair");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                put_utf8(buf, &o, cp);
                break;
            default:
                free(buf);
                return jfail(ps, "unknown escape");
            }
            continue;
        }
        size_t k = utf8_valid_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
        if (!k) {
            free(buf);
            return jfail(ps, "invalid UTF-8 in a string");
        }
        memcpy(buf + o, ps->p, k);
        o += k;
        ps->p += k;
    }
    if (ps->p >= ps->end) {
        free(buf);
        return jfail(ps, "unterminated string");
    }
    ++ps->p;
    buf[o] = '\0';
    *out = buf;
    *len = o;
    return true;
}

static bool parse_number(jparser *ps, jval *v) {
    const char *s = ps->p;
    bool integer = true;
    if (s < ps->end && *s == '-')
        ++s;
    if (s >= ps->end || *s < '0' || *s > '9')
        return jfail(ps, "bad number");
    if (*s == '0')
        ++s;
    else
        while (s < ps->end && *s >= '0' && *s <= '9')
            ++s;
    if (s < ps->end && *s == '.') {
        integer = false;
        if (++s >= ps->end || *s < '0' || *s > '9')
            return jfail(ps, "bad fraction");
        while (s < ps->end && *s >= '0' && *s <= '9')
            ++s;
    }
    if (s < ps->end && (*s == 'e' || *s == 'E')) {
        integer = false;
        ++s;
        if (s < ps->end && (*s == '+' || *s == '-'))
            ++s;
        if (s >= ps->end || *s < '0' || *s > '9')
            return jfail(ps, "bad exponent");
        while (s < ps->end && *s >= '0' && *s <= '9')
            ++s;
    }
    char tmp[64];
    size_t n = (size_t)(s - ps->p);
    if (n >= sizeof tmp)
        return jfail(ps, "number too long");
    memcpy(tmp, ps->p, n);
    tmp[n] = '\0';
    v->t = J_NUM;
    v->num = strtod(tmp, NULL);
    v->integer = integer;
    ps->p = s;
    return true;
}

static bool parse_value(jparser *ps, jval *v, int depth);

static bool parse_container(jparser *ps, jval *v, int depth, bool object) {
    v->t = object ? J_OBJ : J_ARR;
    ++ps->p;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
        ++ps->p;
        return true;
    }
    for (;;) {
        v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
        memset(&v->items[v->n], 0, sizeof *v->items);
        if (object) {
            v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
            v->keys[v->n] = NULL;
        }
        ++v->n;
        skip_ws(ps);
        if (object) {
            size_t klen;
            if (ps->p >= ps->end || *ps->p != '"' || !parse_string(ps, &v->keys[v->n - 1], &klen))
                return jfail(ps, "bad object key");
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != ':')
                return jfail(ps, "missing ':'");
        }
        if (!parse_value(ps, &v->items[v->n - 1], depth + 1))
            return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ++ps->p;
            continue;
        }
        if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
            ++ps->p;
            return true;
        }
        return jfail(ps, "missing ',' or closing bracket");
    }
}

static bool parse_value(jparser *ps, jval *v, int depth) {
    skip_ws(ps);
    if (depth > 32)
        return jfail(ps, "too deep");
    if (ps->p >= ps->end)
        return jfail(ps, "unexpected end");
    switch (*ps->p) {
    case '{':
        return parse_container(ps, v, depth, true);
    case '[':
        return parse_container(ps, v, depth, false);
    case '"':
        v->t = J_STR;
        return parse_string(ps, &v->str, &v->len);
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        for (int i = 0; i < 3; ++i) {
            size_t n = strlen(words[i]);
            if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i], n)) {
                ps->p += n;
                v->t = i == 2 ? J_NULL : J_BOOL;
                v->b = i == 0;
                return true;
            }
        }
        return jfail(ps, "bad literal");
    }
    default:
        return parse_number(ps, v);
    }
}

/* Parses exactly one JSON value from the 'len' bytes at 's'. */
static bool json_parse(const char *s, size_t len, jval *v, const char **error) {
    jparser ps = {s, s + len, NULL};
    memset(v, 0, sizeof *v);
    bool ok = parse_value(&ps, v, 0);
    if (ok) {
        skip_ws(&ps);
        if (ps.p != ps.end)
            ok = jfail(&ps, "text after the value");
    }
    if (!ok)
        jfree(v);
    if (error)
        *error = ps.error;
    return ok;
}

static const jval *jget(const jval *obj, const char *key) {
    if (!obj || obj->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; ++i)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

/* ---- helpers ---- */

/* The reference filter: each maximal ill-formed subpart becomes U+FFFD.  Written
 * independently of report.c: try the longest prefix that is the start of a
 * well-formed sequence. */
static char *replace_invalid(const char *s, size_t n, size_t *out_len) {
    char *out = malloc(3 * n + 1);
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_valid_len(u + i, n - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
            continue;
        }
        /* Longest prefix of a valid sequence: extend while some completion
         * stays possible (checked by padding with continuation bytes). */
        size_t best = 1;
        for (size_t m = 2; m <= 3 && i + m <= n; ++m) {
            unsigned char probe[4];
            memcpy(probe, u + i, m);
            bool possible = false;
            for (unsigned fill = 0x80; fill <= 0xBF && !possible; ++fill) {
                for (size_t j = m; j < 4; ++j)
                    probe[j] = (unsigned char)fill;
                for (size_t total = m + 1; total <= 4 && !possible; ++total)
                    possible = utf8_valid_len(probe, total) == total;
            }
            if (!possible)
                break;
            best = m;
        }
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        i += best;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static void cap_open(capture *c) {
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
}

static void cap_close(capture *c) {
    fclose(c->f);
}

static det_sentence sent(size_t start, size_t end, tok_seg_kind kind, double spin, bool flagged) {
    det_sentence s;
    memset(&s, 0, sizeof s);
    s.start = start;
    s.end = end;
    s.kind = kind;
    s.spin = spin;
    s.flagged = flagged;
    s.tokens = 5;
    s.log10prob = -12.5f;
    s.perplexity = 120.25;
    s.z = flagged ? 2.5 : 0.25;
    for (int f = 0; f < DET_NFEATURES; ++f)
        s.feature[f] = 0.125 * f;
    return s;
}

static det_result result(det_sentence *s, size_t n) {
    det_result r;
    memset(&r, 0, sizeof r);
    r.sentences = s;
    r.nsentences = n;
    r.tokens = 5 * n;
    r.oov = 1;
    r.log10prob = -12.5 * (double)n;
    r.perplexity = 99.5;
    r.spin_score = 0.875;
    r.verdict = DET_SPUN;
    for (size_t i = 0; i < n; ++i) {
        r.prose += s[i].kind == TOK_PROSE;
        r.flagged += s[i].flagged;
    }
    return r;
}

static bool contains(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; ++i)
        if (!memcmp(hay + i, needle, k))
            return true;
    return false;
}

/* Renders 'doc' in format 'fmt' (color for text) into a string. */
static char *render(report_format fmt, bool color, const report_doc *docs, size_t ndocs,
                    size_t *len) {
    capture c;
    cap_open(&c);
    report_options o = {fmt, color, NULL};
    spin_status st = report_begin(c.f, &o);
    for (size_t i = 0; i < ndocs && st == SPIN_OK; ++i)
        st = report_document(c.f, &o, &docs[i]);
    if (st == SPIN_OK)
        st = report_end(c.f, &o);
    cap_close(&c);
    ok(st == SPIN_OK, "report written (format %d)", (int)fmt);
    *len = c.len;
    return c.buf;
}

/* ---- tests ---- */

/* A document of tricky bytes, split into sentences covering all of it. */
static const char tricky[] = "Quote \" and backslash \\ and slash / here.\n"
                             "Tab\there, CR\r, NUL \0 and ESC \033[31m and DEL \x7f.\n"
                             "</script><script>alert(1)</script> & <b>bold</b>.\n"
                             "Bad: \xff \xc0\xaf \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 end\xe2.\n"
                             "Emoji \xf0\x9f\x98\x80 and \xe2\x80\xa8 line sep and \xc2\x85 NEL.";

static void test_json(void) {
    size_t n = sizeof tricky - 1;
    /* Sentences at every line, the line breaks included, so that the texts
     * concatenate to the whole document. */
    det_sentence s[8];
    size_t ns = 0, start = 0;
    for (size_t i = 0; i < n; ++i)
        if (tricky[i] == '\n') {
            s[ns] =
                sent(start, i + 1, ns == 0 ? TOK_HEADING : TOK_PROSE, 0.1 * (double)ns, ns == 2);
            ++ns;
            start = i + 1;
        }
    s[ns] = sent(start, n, TOK_BOILERPLATE, 0, false);
    s[ns].perplexity = INFINITY;
    s[ns].log10prob = -INFINITY;
    s[ns].z = NAN;
    ++ns;
    det_result r = result(s, ns);
    const char *id = "dir/odd \"name\"\n\xff.txt";
    det_sentence s2 = sent(0, 6, TOK_PROSE, 0.5, false);
    det_result r2 = result(&s2, 1);
    r2.perplexity = NAN;
    report_doc docs[2] = {{id, tricky, n, &r}, {"second.txt", "Short.", 6, &r2}};

    size_t len;
    char *out = render(REPORT_JSON, false, docs, 1, &len);
    ok(len > 0 && out[len - 1] == '\n' && memchr(out, '\n', len) == out + len - 1,
       "one document: exactly one line");
    jval v;
    const char *err = NULL;
    bool parsed = json_parse(out, len, &v, &err);
    ok(parsed, "the output is valid JSON%s%s", err ? ": " : "", err ? err : "");
    if (!parsed) {
        free(out);
        return;
    }
    const jval *f;
    ok((f = jget(&v, "id")) && f->t == J_STR && f->len == strlen(id) + 2 &&
           !memcmp(f->str, "dir/odd \"name\"\n\xEF\xBF\xBD.txt", f->len),
       "id round-trips (quote, newline; invalid byte as U+FFFD)");
    ok((f = jget(&v, "spin_score")) && f->t == J_NUM && f->num == 0.875, "spin_score: number");
    ok((f = jget(&v, "verdict")) && f->t == J_STR && !strcmp(f->str, "spun"), "verdict: \"spun\"");
    ok((f = jget(&v, "tokens")) && f->t == J_NUM && f->integer && f->num == 5.0 * (double)ns,
       "tokens: integer");
    ok((f = jget(&v, "oov")) && f->t == J_NUM && f->integer && f->num == 1, "oov: integer");
    ok((f = jget(&v, "perplexity")) && f->t == J_NUM && f->num == 99.5, "perplexity: number");
    const jval *sa = jget(&v, "sentences");
    ok(sa && sa->t == J_ARR && sa->n == ns, "sentences: array of %zu", ns);
    if (sa && sa->t == J_ARR && sa->n == ns) {
        size_t exp_len;
        char *expected = replace_invalid(tricky, n, &exp_len);
        char *joined = malloc(exp_len + 64 * ns + 1);
        size_t jl = 0;
        bool types = true, offsets = true, kinds = true;
        for (size_t i = 0; i < ns; ++i) {
            const jval *o = &sa->items[i], *t = jget(o, "text");
            const jval *st = jget(o, "start"), *en = jget(o, "end");
            types = types && t && t->t == J_STR && st && st->t == J_NUM && st->integer && en &&
                    en->t == J_NUM && en->integer && (f = jget(o, "spin")) && f->t == J_NUM &&
                    (f = jget(o, "flagged")) && f->t == J_BOOL && f->b == s[i].flagged &&
                    (f = jget(o, "log10prob")) && (f->t == J_NUM || f->t == J_NULL) &&
                    (f = jget(o, "perplexity")) && (f->t == J_NUM || f->t == J_NULL) &&
                    (f = jget(o, "z")) && (f->t == J_NUM || f->t == J_NULL) &&
                    (f = jget(o, "features")) && f->t == J_OBJ && f->n == DET_NFEATURES;
            offsets =
                offsets && st && en && st->num == (double)s[i].start && en->num == (double)s[i].end;
            f = jget(o, "kind");
            kinds = kinds && f && f->t == J_STR &&
                    !strcmp(f->str, tokenize_seg_kind_name((tok_seg_kind)s[i].kind));
            if (t && t->t == J_STR && jl + t->len <= exp_len) {
                memcpy(joined + jl, t->str, t->len);
                jl += t->len;
            }
        }
        ok(types, "every sentence has every field, with the right type");
        ok(offsets, "start and end are the byte offsets given");
        ok(kinds, "kind is prose, heading or boilerplate as given");
        ok(jl == exp_len && !memcmp(joined, expected, exp_len),
           "every byte of the text round-trips (ill-formed UTF-8 as U+FFFD)");
        const jval *last = &sa->items[ns - 1];
        ok((f = jget(last, "perplexity")) && f->t == J_NULL, "infinite perplexity is null");
        ok((f = jget(last, "log10prob")) && f->t == J_NULL, "-inf log10prob is null");
        ok((f = jget(last, "z")) && f->t == J_NULL, "NaN z is null");
        f = jget(&sa->items[2], "features");
        ok(f && f->n && !strcmp(f->keys[1], det_feature_name((det_feature)1)) &&
               f->items[1].num == 0.125,
           "features are named with det_feature_name");
        free(expected);
        free(joined);
    }
    jfree(&v);
    free(out);

    /* JSON Lines: two documents, two lines, each an object. */
    out = render(REPORT_JSON, false, docs, 2, &len);
    char *nl = memchr(out, '\n', len);
    ok(nl && nl < out + len - 1 && out[len - 1] == '\n', "two documents: two lines");
    if (nl) {
        bool a = json_parse(out, (size_t)(nl - out), &v, NULL);
        jfree(&v);
        jval w;
        bool b = json_parse(nl + 1, len - (size_t)(nl + 1 - out), &w, NULL);
        ok(a && b && jget(&w, "id") && !strcmp(jget(&w, "id")->str, "second.txt"),
           "both lines parse; the second is the second document");
        ok(b && jget(&w, "perplexity") && jget(&w, "perplexity")->t == J_NULL,
           "NaN document perplexity is null");
        jfree(&w);
    }
    free(out);
}

static void test_json_bytes(void) {
    /* Every byte value inside a string, and random byte strings: always valid
     * JSON, and the decoded string is the reference replacement. */
    bool all = true;
    for (int b = 0; b < 256; ++b) {
        char in[3] = {'x', (char)b, 'y'};
        capture c;
        cap_open(&c);
        report_json_string(c.f, in, 3);
        cap_close(&c);
        jval v;
        size_t el;
        char *exp = replace_invalid(in, 3, &el);
        bool good = json_parse(c.buf, c.len, &v, NULL) && v.t == J_STR && v.len == el &&
                    !memcmp(v.str, exp, el);
        if (!good) {
            all = false;
            tap_diag("byte 0x%02x: %.*s", b, (int)c.len, c.buf);
        }
        jfree(&v);
        free(exp);
        free(c.buf);
    }
    ok(all, "each of the 256 byte values round-trips through a JSON string");

    uint64_t seed = 0x9e3779b97f4a7c15u;
    int bad = 0;
    for (int round = 0; round < 2000; ++round) {
        char in[24];
        size_t n = (size_t)(round % 24);
        for (size_t i = 0; i < n; ++i) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            /* Bias towards the interesting bytes: lead and continuation bytes. */
            unsigned x = (unsigned)(seed >> 32);
            in[i] = (char)(x & 1 ? 0x80 + (x >> 8) % 0x80 : (x >> 8) & 0xFF);
        }
        capture c;
        cap_open(&c);
        report_json_string(c.f, in, n);
        cap_close(&c);
        jval v;
        size_t el;
        char *exp = replace_invalid(in, n, &el);
        if (!json_parse(c.buf, c.len, &v, NULL) || v.t != J_STR || v.len != el ||
            memcmp(v.str, exp, el))
            ++bad;
        jfree(&v);
        free(exp);
        free(c.buf);
    }
    is_int(bad, 0, "2000 random byte strings: valid JSON that decodes to the reference");

    capture c;
    cap_open(&c);
    report_json_number(c.f, 0.1);
    fputc(' ', c.f);
    report_json_number(c.f, INFINITY);
    fputc(' ', c.f);
    report_json_number(c.f, -INFINITY);
    fputc(' ', c.f);
    report_json_number(c.f, NAN);
    fputc(' ', c.f);
    report_json_number(c.f, 1e-7);
    fputc(' ', c.f);
    report_json_number(c.f, 123456789.0);
    cap_close(&c);
    is_str(c.buf, "0.1 null null null 1e-07 1.23457e+08", "numbers: %%.6g, non-finite as null");
    free(c.buf);
}

static void test_html(void) {
    static const char doc[] = "Safe Title\n\n<script>alert(1)</script> is text.\n"
                              "A \"onmouseover=alert(2) x='y' & more.\n"
                              "Bad \xff byte, NUL \0 and ESC \033 here.\n";
    size_t n = sizeof doc - 1;
    const char *l2 = strchr(doc, '<'), *l3 = strstr(doc, "A \"");
    det_sentence s[4] = {
        sent(0, 10, TOK_HEADING, 0, false),
        sent((size_t)(l2 - doc), (size_t)(l3 - doc) - 1, TOK_PROSE, 0.95, true),
        sent((size_t)(l3 - doc), (size_t)(strstr(doc, "Bad") - doc) - 1, TOK_PROSE, 0.42, false),
        sent((size_t)(strstr(doc, "Bad") - doc), n - 1, TOK_PROSE, 0.05, false),
    };
    det_result r = result(s, 4);
    report_doc docs[2] = {{"<b>id</b>.txt", doc, n, &r}, {"two.txt", doc, n, &r}};
    size_t len;
    char *out = render(REPORT_HTML, false, docs, 2, &len);
    ok(!contains(out, len, "<script") && !contains(out, len, "</script"),
       "no raw <script from the document appears in the page");
    ok(contains(out, len, "&lt;script&gt;alert(1)&lt;/script&gt; is text."),
       "the escaped form does");
    ok(!contains(out, len, "\"onmouseover") && contains(out, len, "&quot;onmouseover=") &&
           contains(out, len, "x=&#39;y&#39; &amp; more."),
       "quotes, apostrophes and ampersands are escaped");
    ok(!contains(out, len, "<b>id</b>") && contains(out, len, "&lt;b&gt;id&lt;/b&gt;.txt"),
       "the document id is escaped too");
    ok(is_valid_utf8(out, len), "the page is valid UTF-8 (invalid bytes replaced)");
    bool controls = false;
    for (size_t i = 0; i < len; ++i) {
        unsigned char ch = (unsigned char)out[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
            controls = true;
    }
    ok(!controls, "no control characters in the page");
    ok(!contains(out, len, "http://") && !contains(out, len, "https://") &&
           !contains(out, len, "src=") && !contains(out, len, "<link") &&
           !contains(out, len, "@import"),
       "self-contained: no external resources");
    int html_open = 0, sections = 0;
    for (size_t i = 0; i + 8 <= len; ++i) {
        html_open += !memcmp(out + i, "<html", 5);
        sections += !memcmp(out + i, "<section", 8);
    }
    is_int(html_open, 1, "two documents: one page");
    is_int(sections, 2, "  with a section per document");
    ok(contains(out, len, "class=\"s b9 f\" title=\"spin 0.950 (flagged)"),
       "a flagged sentence is shaded (top class) and its score is in the hover title");
    ok(contains(out, len, "class=\"s b4\" title=\"spin 0.420"), "a middling sentence is shaded b4");
    ok(contains(out, len, "class=\"x\" title=\"heading: not judged"),
       "the heading is shown as not judged");
    ok(contains(out, len, "class=\"legend\"") &&
           contains(out, len, "spin score <b class=\"b8\">0.88"),
       "legend and document score");
    ok(contains(out, len, "</html>\n"), "the page is closed");
    free(out);
}

static void test_text(void) {
    static const char doc[] = "A Heading\n\nFirst one here. Second one \033[31mhere\033[0m.\n\n"
                              "Menu | Home\nThird \xff line.";
    size_t n = sizeof doc - 1;
    const char *p1 = strstr(doc, "First"), *p2 = strstr(doc, "Second"), *p3 = strstr(doc, "Menu"),
               *p4 = strstr(doc, "Third");
    det_sentence s[5] = {
        sent(0, 9, TOK_HEADING, 0, false),
        sent((size_t)(p1 - doc), (size_t)(p2 - doc) - 1, TOK_PROSE, 0.125, false),
        sent((size_t)(p2 - doc), (size_t)(p3 - doc) - 2, TOK_PROSE, 0.93, true),
        sent((size_t)(p3 - doc), (size_t)(p4 - doc) - 1, TOK_BOILERPLATE, 0, false),
        sent((size_t)(p4 - doc), n, TOK_PROSE, 0.5, false),
    };
    det_result r = result(s, 5);
    report_doc d = {"doc\033.txt", doc, n, &r};
    size_t len;
    char *plain = render(REPORT_TEXT, false, &d, 1, &len);
    ok(!memchr(plain, '\033', len), "without colour: no escape byte at all (the document's too)");
    ok(contains(plain, len, ">> [0.93] Second one \xEF\xBF\xBD[31mhere\xEF\xBF\xBD[0m.\n"),
       "a flagged sentence: marker and score");
    ok(contains(plain, len, "   [0.12] First one here.\n"), "other prose: its score, no marker");
    ok(contains(plain, len, "   [head] A Heading\n"), "a heading is marked as such");
    ok(contains(plain, len, "   [boil] Menu | Home\n"), "boilerplate is marked as such");
    ok(contains(plain, len, "\n\n>> [0.93]") == false && contains(plain, len, "[0m.\n\n   [boil]"),
       "a blank line where the document has one, none where it has not");
    ok(contains(plain, len, "Third \xEF\xBF\xBD line."), "invalid UTF-8 shown as U+FFFD");
    ok(contains(plain, len, "spin 0.88 (spun), 25 tokens, 1 OOV, perplexity 99.5, 1 of 3 prose"),
       "header: score, verdict, tokens, perplexity, flagged of prose");
    ok(is_valid_utf8(plain, len), "valid UTF-8");
    char *col = render(REPORT_TEXT, true, &d, 1, &len);
    ok(contains(col, len, "\033[1;31m>> [0.93] Second one"), "with colour: flagged in bold red");
    ok(contains(col, len, "\033[2m   [head] A Heading\033[0m"), "  headings dim");
    size_t esc = 0;
    for (size_t i = 0; i < len; ++i)
        esc += col[i] == '\033';
    ok(esc >= 6 && !contains(col, len, "\033[31mhere"), "  the document's own escapes stay inert");
    free(plain);
    free(col);
}

static void test_bad_offsets(void) {
    /* Offsets past the text or overlapping: clamped, never read outside. */
    static const char doc[] = "Tiny text.";
    det_sentence s[3] = {sent(0, 6, TOK_PROSE, 0.5, false), sent(3, 8, TOK_PROSE, 0.5, false),
                         sent(100, 200, TOK_PROSE, 0.5, true)};
    det_result r = result(s, 3);
    report_doc d = {"x", doc, sizeof doc - 1, &r};
    size_t len;
    char *out = render(REPORT_JSON, false, &d, 1, &len);
    jval v;
    ok(json_parse(out, len, &v, NULL), "bad offsets: still valid JSON");
    const jval *sa = jget(&v, "sentences");
    ok(sa && sa->n == 3 && jget(&sa->items[1], "start")->num == 6 &&
           jget(&sa->items[2], "start")->num == 10 && jget(&sa->items[2], "text")->len == 0,
       "  overlapping and out-of-range spans are clamped");
    jfree(&v);
    free(out);
    out = render(REPORT_HTML, false, &d, 1, &len);
    size_t k = 0; /* the page without its tags */
    for (size_t i = 0, in_tag = 0; i < len; ++i) {
        if (out[i] == '<')
            in_tag = 1;
        else if (out[i] == '>')
            in_tag = 0;
        else if (!in_tag)
            out[k++] = out[i];
    }
    const char *first, *second = NULL;
    out[k] = '\0';
    first = strstr(out, "Tiny text.");
    if (first)
        second = strstr(first + 1, "Tiny text.");
    ok(first && !second, "  HTML shows the text once");
    free(out);
}

static void test_write_error(void) {
    FILE *f = fopen("/dev/full", "w");
    if (!f) {
        tap_skip(1, "no /dev/full");
        return;
    }
    det_sentence s = sent(0, 5, TOK_PROSE, 0.5, false);
    det_result r = result(&s, 1);
    report_doc d = {"x", "Hello", 5, &r};
    report_options o = {REPORT_JSON, false, NULL};
    spin_status st = report_begin(f, &o);
    if (st == SPIN_OK)
        st = report_document(f, &o, &d);
    if (st == SPIN_OK)
        st = report_end(f, &o);
    is_int(st, SPIN_EIO, "a full disk is SPIN_EIO");
    fclose(f);
}

int main(void) {
    test_json();
    test_json_bytes();
    test_html();
    test_text();
    test_bad_offsets();
    test_write_error();
    return tap_done();
}
