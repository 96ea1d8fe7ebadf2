/* rank.c - ranking entries, output lines and the ranking (see rank.h).
 *
 * The ranking is an array; with top_k it is a binary heap whose root is the
 * worst kept entry (rank_cmp largest), so a better newcomer replaces the root
 * in O(log k).
 */
#include "crawl/rank.h"

#include "crawl/jsonrec.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/mem.h"
#include "util/safetext.h"

uint32_t rank_score_units(double spin) {
    if (!(spin > 0))
        return 0;
    if (spin >= 1)
        return 1000000;
    return (uint32_t)llround(spin * 1e6);
}

int rank_key_cmp(uint32_t sa, const char *ida, size_t la, uint32_t sb, const char *idb, size_t lb) {
    if (sa != sb) {
        /* RANK_UNSUPPORTED is the largest value and ranks last */
        int64_t ka = sa == RANK_UNSUPPORTED ? -1 : (int64_t)sa,
                kb = sb == RANK_UNSUPPORTED ? -1 : (int64_t)sb;
        return ka > kb ? -1 : 1;
    }
    int c = memcmp(ida, idb, la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

int rank_cmp(const rank_entry *a, const rank_entry *b) {
    int c = rank_key_cmp(a->score, a->data, a->id_len, b->score, b->data, b->id_len);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- building lines ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (!b->oom && n && !mem_append(&b->p, &b->len, &b->cap, s, n))
        b->oom = true;
}

static void sb_str(sbuf *b, const char *s) {
    sb_put(b, s, strlen(s));
}

static void sb_fmt(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sbuf *b, const char *fmt, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Millionths as a JSON number without trailing zeros ("0.97", "1", "0"). */
static void sb_score(sbuf *b, uint32_t units) {
    char tmp[16];
    int n = snprintf(tmp, sizeof tmp, "%u.%06u", units / 1000000u, units % 1000000u);
    while (n > 0 && tmp[n - 1] == '0')
        --n;
    if (n > 0 && tmp[n - 1] == '.')
        --n;
    sb_put(b, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s[0, n), or 0 if it is not one. */
static inline size_t utf8_seq(const unsigned char *s, size_t n) {
    uint32_t cp;
    return safetext_utf8(s, n, &cp);
}

/* The one replacing loop of the writers: the 'n' bytes at 's' with each byte
 * that is not part of valid UTF-8 replaced by U+FFFD, and with 'json' also
 * what a JSON string cannot hold raw escaped. */
static void sb_utf8(sbuf *b, const char *s, size_t n, bool json) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = u[i];
        size_t l = !json || (c >= 0x20 && c != '"' && c != '\\') ? utf8_seq(u + i, n - i) : 0;
        uint32_t cp;
        bool bad;
        if (json && l && safetext_control(s + i, n - i, &cp, &bad) == l) {
            /* DEL, C1 and bidi controls: the same string, escaped (safetext.h) */
            sb_put(b, s + i - run, run);
            run = 0;
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
            sb_str(b, esc);
            i += l;
            continue;
        }
        if (l) {
            i += l;
            run += l;
            continue;
        }
        sb_put(b, s + i - run, run);
        run = 0;
        char esc[8];
        switch (c) {
        case '"':
            sb_str(b, "\\\"");
            break;
        case '\\':
            sb_str(b, "\\\\");
            break;
        case '\n':
            sb_str(b, "\\n");
            break;
        case '\t':
            sb_str(b, "\\t");
            break;
        case '\r':
            sb_str(b, "\\r");
            break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                sb_str(b, esc);
            } else {
                sb_str(b, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
            }
        }
        ++i;
    }
    sb_put(b, s + i - run, run);
}

static void sb_json_string(sbuf *b, const char *s, size_t n) {
    sb_put(b, "\"", 1);
    sb_utf8(b, s, n, true);
    sb_put(b, "\"", 1);
}

static bool utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, l; i < n; i += l)
        if (!(l = utf8_seq(u + i, n - i)))
            return false;
    return true;
}

/* A TSV field: backslash, TAB, LF and CR as \\, \t, \n, \r; the other
 * characters a terminal obeys (util/safetext.h) as \xNN or \uNNNN.  Bytes
 * that are not UTF-8 pass as they are (the ids are byte strings). */
static void sb_tsv_field(sbuf *b, const char *s, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == '\t' ? "\\t"
                          : s[i] == '\n' ? "\\n"
                          : s[i] == '\r' ? "\\r"
                                         : NULL;
        char buf[8];
        size_t k = 1;
        if (!esc) {
            uint32_t cp;
            bool bad;
            k = safetext_control(s + i, n - i, &cp, &bad);
            if (k == 0 || bad) {
                ++run;
                ++i;
                continue;
            }
            safetext_escape(buf, cp, false);
            esc = buf;
        }
        sb_put(b, s + i - run, run);
        run = 0;
        sb_str(b, esc);
        i += k;
    }
    sb_put(b, s + n - run, run);
}

static spin_status finish(sbuf *b, uint32_t score, const char *id, size_t id_len, uint64_t seq,
                          rank_entry **out) {
    *out = NULL;
    if (b->oom || id_len > UINT32_MAX) {
        mem_free(b->p);
        return SPIN_ENOMEM;
    }
    rank_entry *e = mem_alloc(sizeof *e + id_len + b->len + 1);
    if (!e) {
        mem_free(b->p);
        return SPIN_ENOMEM;
    }
    e->score = score;
    e->id_len = (uint32_t)id_len;
    e->seq = seq;
    e->line_len = b->len;
    memcpy(e->data, id, id_len);
    if (b->len)
        memcpy(e->data + id_len, b->p, b->len);
    e->data[id_len + b->len] = '\0';
    mem_free(b->p);
    *out = e;
    return SPIN_OK;
}

spin_status rank_entry_make(rank_format f, const char *id, size_t id_len, const det_result *r,
                            const char *text, size_t text_len, uint64_t seq, rank_entry **out) {
    return rank_entry_make_id(f, id, id_len, false, NULL, r, text, text_len, seq, out);
}

spin_status rank_entry_make_id(rank_format f, const char *id, size_t id_len, bool id_number,
                               const char *model_id, const det_result *r, const char *text,
                               size_t text_len, uint64_t seq, rank_entry **out) {
    sbuf b = {NULL, 0, 0, false};
    /* The key is the id as printed, the one merge reads back: in JSON an
     * ill-formed byte is U+FFFD, which may sort elsewhere than the byte. */
    sbuf key = {NULL, 0, 0, false};
    if (f != RANK_TSV && !utf8_valid(id, id_len)) {
        sb_utf8(&key, id, id_len, false);
        if (key.oom) {
            *out = NULL;
            mem_free(key.p);
            return SPIN_ENOMEM;
        }
        id = key.p;
        id_len = key.len;
    }
    bool unsupported = r->verdict == DET_UNSUPPORTED;
    uint32_t score = unsupported ? RANK_UNSUPPORTED : rank_score_units(r->spin_score);
    char num[16];
    if (unsupported)
        snprintf(num, sizeof num, "-");
    else
        snprintf(num, sizeof num, "%u.%06u", score / 1000000u, score % 1000000u);
    switch (f) {
    case RANK_TSV:
        sb_str(&b, num);
        sb_put(&b, "\t", 1);
        sb_tsv_field(&b, id, id_len);
        sb_fmt(&b, "\t%zu\t%zu\n", r->prose, r->flagged);
        break;
    case RANK_JSONL:
        sb_str(&b, "{\"id\": ");
        if (id_number) /* a JSON number in the input stays one (input.h) */
            sb_put(&b, id, id_len);
        else
            sb_json_string(&b, id, id_len);
        sb_str(&b, ", \"spin_score\": ");
        if (unsupported)
            sb_str(&b, "null");
        else
            sb_score(&b, score);
        sb_fmt(&b, ", \"verdict\": \"%s\", \"sentences\": %zu, \"flagged\": %zu, \"tokens\": %zu",
               det_verdict_name(r->verdict), r->prose, r->flagged, r->tokens);
        if (model_id) {
            sb_str(&b, ", \"model\": ");
            sb_json_string(&b, model_id, strlen(model_id));
        }
        sb_str(&b, "}\n");
        break;
    case RANK_ATTRIBUTES: {
        sb_str(&b, "{\"id\": ");
        sb_json_string(&b, id, id_len);
        sb_str(&b, ", \"attributes\": {\"spinscan__spin\": [");
        /* Byte offsets to code points, in one pass: sentences are in order. */
        size_t pos = 0, cps = 0;
        const unsigned char *u = (const unsigned char *)text;
        bool first = true;
#define ADVANCE_TO(target)                                                                         \
    while (pos < (target) && pos < text_len) {                                                     \
        size_t l_ = utf8_seq(u + pos, text_len - pos);                                             \
        pos += l_ ? l_ : 1;                                                                        \
        ++cps;                                                                                     \
    }
        for (size_t i = 0; i < r->nsentences && !unsupported; ++i) {
            const det_sentence *s = &r->sentences[i];
            if (s->kind != TOK_PROSE)
                continue;
            if (s->start < pos) { /* not in order: count from the start */
                pos = 0;
                cps = 0;
            }
            ADVANCE_TO(s->start);
            size_t cs = cps;
            ADVANCE_TO(s->end);
            sb_fmt(&b, "%s[%zu, %zu, ", first ? "" : ", ", cs, cps);
            sb_score(&b, rank_score_units(s->spin));
            sb_put(&b, "]", 1);
            first = false;
        }
        ADVANCE_TO(text_len);
#undef ADVANCE_TO
        if (unsupported) {
            sb_fmt(&b, "], \"spinscan__doc\": [], \"spinscan__unsupported\": [[0, %zu, 1]]}}\n",
                   cps);
        } else {
            sb_fmt(&b, "], \"spinscan__doc\": [[0, %zu, ", cps);
            sb_score(&b, score);
            sb_str(&b, "]]}}\n");
        }
        break;
    }
    }
    spin_status st = finish(&b, score, id, id_len, seq, out);
    mem_free(key.p);
    return st;
}

spin_status rank_entry_from_line(uint32_t score, const char *id, size_t id_len, const char *line,
                                 size_t line_len, uint64_t seq, rank_entry **out) {
    sbuf b = {NULL, 0, 0, false};
    sb_put(&b, line, line_len);
    sb_put(&b, "\n", 1);
    return finish(&b, score, id, id_len, seq, out);
}

/* ---- reading lines back ---- */

static bool parse_units(const char *s, size_t n, uint32_t *out) {
    /* "D", "D.ddd" with up to 6 decimals (more are rounded), within [0, 1] */
    char tmp[40];
    if (n == 0 || n >= sizeof tmp)
        return false;
    if (n == 1 && s[0] == '-') {
        *out = RANK_UNSUPPORTED;
        return true;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (*end || !(v >= 0 && v <= 1))
        return false;
    *out = rank_score_units(v);
    return true;
}

int rank_detect_format(const char *line, size_t len) {
    size_t h = strlen(RANK_TSV_HEADER) - 1;
    if (len >= h && !memcmp(line, RANK_TSV_HEADER, h))
        return RANK_TSV;
    if (len > 0 && line[0] == '{') {
        cJSON *o = cJSON_ParseWithLength(line, len);
        int f = !o                                                  ? -1
                : cJSON_GetObjectItemCaseSensitive(o, "attributes") ? RANK_ATTRIBUTES
                : cJSON_GetObjectItemCaseSensitive(o, "spin_score") ? RANK_JSONL
                                                                    : -1;
        cJSON_Delete(o);
        return f;
    }
    return -1;
}

/* The 'n' hex digits at 's' as *v; false if one is not a hex digit. */
static bool hex_value(const char *s, int n, unsigned *v) {
    *v = 0;
    for (int i = 0; i < n; ++i) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return false;
        *v = *v * 16 + d;
    }
    return true;
}

spin_status rank_parse_line(rank_format f, const char *line, size_t len, uint32_t *score, char **id,
                            size_t *id_len, spin_diag *diag) {
    return rank_parse_line_model(f, line, len, score, id, id_len, NULL, diag);
}

spin_status rank_parse_line_model(rank_format f, const char *line, size_t len, uint32_t *score,
                                  char **id, size_t *id_len, char **model, spin_diag *diag) {
    *id = NULL;
    *id_len = 0;
    if (model)
        *model = NULL;
    if (f == RANK_TSV) {
        const char *t1 = memchr(line, '\t', len);
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(line + len - t1 - 1)) : NULL;
        if (!t2 || !parse_units(line, (size_t)(t1 - line), score))
            return diag_set(diag, SPIN_EFORMAT, "", 0, 0,
                            "not a line of rank -f tsv (spin_score, id, sentences, flagged)");
        const char *s = t1 + 1;
        size_t n = (size_t)(t2 - s), o = 0;
        char *p = mem_alloc(n + 1);
        if (!p)
            return SPIN_ENOMEM;
        for (size_t i = 0; i < n; ++i) {
            char c = s[i];
            unsigned v;
            if (c == '\\' && i + 3 < n && s[i + 1] == 'x' && hex_value(s + i + 2, 2, &v)) {
                /* \xNN: a byte that was a control or not UTF-8 (sb_tsv_field) */
                p[o++] = (char)v;
                i += 3;
                continue;
            }
            if (c == '\\' && i + 5 < n && s[i + 1] == 'u' && hex_value(s + i + 2, 4, &v) &&
                v >= 0x80) {
                /* \uNNNN: a C1, DEL or bidi control, back to its UTF-8 (at most 3 bytes,
                 * as written: the escape is 6) */
                if (v < 0x800) {
                    p[o++] = (char)(0xC0 | (v >> 6));
                } else {
                    p[o++] = (char)(0xE0 | (v >> 12));
                    p[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
                }
                p[o++] = (char)(0x80 | (v & 0x3F));
                i += 5;
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                char e = s[++i];
                c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
            }
            p[o++] = c;
        }
        p[o] = '\0';
        *id = p;
        *id_len = o;
        return SPIN_OK;
    }
    cJSON *obj = cJSON_ParseWithLength(line, len);
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(obj, "id");
    const cJSON *jscore = NULL;
    if (f == RANK_JSONL) {
        jscore = cJSON_GetObjectItemCaseSensitive(obj, "spin_score");
    } else {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "attributes");
        const cJSON *docs = cJSON_GetObjectItemCaseSensitive(a, "spinscan__doc");
        jscore = cJSON_GetArrayItem(cJSON_GetArrayItem(docs, 0), 2);
    }
    bool unsupported = false;
    if (f == RANK_JSONL) {
        unsupported = cJSON_IsNull(jscore);
    } else if (!jscore) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "attributes");
        unsupported =
            cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(a, "spinscan__doc")) &&
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "spinscan__doc")) == 0 &&
            cJSON_GetObjectItemCaseSensitive(a, "spinscan__unsupported");
    }
    if (!obj || !(cJSON_IsString(jid) || cJSON_IsNumber(jid)) ||
        (!unsupported &&
         (!cJSON_IsNumber(jscore) || !(jscore->valuedouble >= 0 && jscore->valuedouble <= 1)))) {
        cJSON_Delete(obj);
        return diag_set(diag, SPIN_EFORMAT, "", 0, 0, "not a line of rank -f %s",
                        f == RANK_JSONL ? "jsonl" : "attributes");
    }
    *score = unsupported ? RANK_UNSUPPORTED : rank_score_units(jscore->valuedouble);
    char num[64];
    const char *idtext = jid->valuestring;
    if (cJSON_IsNumber(jid)) {
        /* A numeric id (kept a number by rank): its key is printed as the
         * input reader prints it (crawl/input.c). */
        jsonrec_number_id(jid->valuedouble, num, sizeof num);
        idtext = num;
    }
    size_t n = strlen(idtext);
    *id = mem_strndup(idtext, n);
    *id_len = n;
    const cJSON *jmodel = model ? cJSON_GetObjectItemCaseSensitive(obj, "model") : NULL;
    bool oom = !*id;
    if (cJSON_IsString(jmodel) && !oom &&
        !(*model = mem_strndup(jmodel->valuestring, strlen(jmodel->valuestring))))
        oom = true;
    cJSON_Delete(obj);
    if (oom) {
        mem_free(*id);
        *id = NULL;
        return SPIN_ENOMEM;
    }
    return SPIN_OK;
}

/* ---- families ---- */

const char *rank_tsv_header(bool families) {
    /* RANK_TSV_HEADER with the family columns after the fourth (flagged). */
    return families ? "spin_score\tid\tsentences\tflagged" RANK_TSV_FAMILY_COLUMNS "\n"
                    : RANK_TSV_HEADER;
}

bool rank_tsv_has_family(const char *line, size_t len) {
    const char *h = rank_tsv_header(true);
    size_t n = strlen(h) - 1;
    return len >= n && !memcmp(line, h, n);
}

/* Where 'needle' first occurs in s[0, n), or NULL. */
static const char *find(const char *s, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; ++i)
        if (s[i] == needle[0] && !memcmp(s + i, needle, k))
            return s + i;
    return NULL;
}

/* The end of a JSON value that is a number, null, or a string without
 * escapes, at p (within end). */
static const char *simple_value_end(const char *p, const char *end) {
    if (p < end && *p == '"') {
        const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
        return q ? q + 1 : NULL;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']')
        ++p;
    return p;
}

spin_status rank_entry_refamily(rank_format f, const rank_entry *e, bool tsv_family, uint32_t score,
                                const fam_info *fi, rank_entry **out) {
    *out = NULL;
    const char *line = rank_entry_line(e);
    size_t len = e->line_len;
    if (len && line[len - 1] == '\n')
        --len;
    const char *end = line + len;
    const char *kind = fam_kind_name(fi->kind);
    sbuf b = {NULL, 0, 0, false};
    if (f == RANK_TSV) {
        const char *t[8];
        size_t nt = 0;
        for (const char *p = line; p < end && nt < 8; ++p)
            if (*p == '\t')
                t[nt++] = p;
        if (nt < 3 || (tsv_family && nt < 6))
            goto bad;
        if (score == RANK_UNSUPPORTED) /* not judged: "-", as rank_entry_make writes it */
            sb_str(&b, "-");
        else
            sb_fmt(&b, "%u.%06u", score / 1000000u, score % 1000000u);
        const char *flag_end = nt > 3 ? t[3] : end; /* after flagged */
        sb_put(&b, t[0], (size_t)(flag_end - t[0]));
        sb_fmt(&b, "\t%s\t%u\t%s", fi->id[0] ? fi->id : "-", fi->size, kind ? kind : "-");
        const char *rest = tsv_family ? (nt > 6 ? t[6] : end) : flag_end;
        sb_put(&b, rest, (size_t)(end - rest));
    } else if (f == RANK_JSONL) {
        const char *k = find(line, len, ", \"spin_score\": ");
        if (!k)
            goto bad;
        const char *v = k + strlen(", \"spin_score\": ");
        const char *ve = simple_value_end(v, end);
        if (!ve)
            goto bad;
        sb_put(&b, line, (size_t)(v - line));
        if (score == RANK_UNSUPPORTED)
            sb_str(&b, "null");
        else
            sb_score(&b, score);
        const char *rest = ve;
        if ((size_t)(end - rest) > 12 && !memcmp(rest, ", \"family\": ", 12)) {
            const char *kk = find(rest, (size_t)(end - rest), "\"family_kind\": ");
            if (!kk || !(rest = simple_value_end(kk + strlen("\"family_kind\": "), end)))
                goto bad;
        }
        sb_str(&b, ", \"family\": ");
        if (fi->id[0])
            sb_fmt(&b, "\"%s\"", fi->id);
        else
            sb_str(&b, "null");
        sb_fmt(&b, ", \"family_size\": %u, \"family_kind\": ", fi->size);
        if (kind)
            sb_fmt(&b, "\"%s\"", kind);
        else
            sb_str(&b, "null");
        sb_put(&b, rest, (size_t)(end - rest));
    } else {
        const char *k = find(line, len, "\"spinscan__doc\": [[0, ");
        if (!k)
            goto bad;
        const char *v = k + strlen("\"spinscan__doc\": [[0, ");
        const char *comma = memchr(v, ',', (size_t)(end - v));
        if (!comma || comma + 2 > end)
            goto bad;
        size_t cps = (size_t)strtoull(v, NULL, 10);
        const char *se = find(comma, (size_t)(end - comma), "]]");
        if (!se)
            goto bad;
        sb_put(&b, line, (size_t)(comma + 2 - line));
        sb_score(&b, score);
        sb_str(&b, "]]");
        const char *rest = se + 2;
        const char *key = ", \"spinscan__family\": ";
        if ((size_t)(end - rest) > strlen(key) && !memcmp(rest, key, strlen(key))) {
            const char *kk = find(rest, (size_t)(end - rest), "\"spinscan__family_kind\": ");
            if (!kk)
                goto bad;
            const char *p = kk + strlen("\"spinscan__family_kind\": ");
            if ((size_t)(end - p) >= 2 && !memcmp(p, "[]", 2))
                rest = p + 2;
            else if ((p = find(p, (size_t)(end - p), "]]")))
                rest = p + 2;
            else
                goto bad;
        }
        sb_str(&b, key);
        if (fi->id[0])
            sb_fmt(&b, "[[0, %zu, \"%s\"]]", cps, fi->id);
        else
            sb_str(&b, "[]");
        sb_fmt(&b, ", \"spinscan__family_size\": [[0, %zu, %u]], \"spinscan__family_kind\": ", cps,
               fi->size);
        if (kind)
            sb_fmt(&b, "[[0, %zu, \"%s\"]]", cps, kind);
        else
            sb_str(&b, "[]");
        sb_put(&b, rest, (size_t)(end - rest));
    }
    sb_put(&b, "\n", 1);
    return finish(&b, score, e->data, e->id_len, e->seq, out);
bad:
    mem_free(b.p);
    return SPIN_EFORMAT;
}

bool rank_write_json_string(FILE *f, const char *s, size_t n) {
    sbuf b = {NULL, 0, 0, false};
    sb_json_string(&b, s, n);
    bool ok = !b.oom && fwrite(b.p, 1, b.len, f) == b.len;
    mem_free(b.p);
    return ok;
}

/* ---- the ranking ---- */

struct ranking {
    rank_entry **e;
    size_t n, cap, top_k;
    bool sorted;
};

spin_status ranking_new(size_t top_k, ranking **out) {
    ranking *rk = mem_calloc(1, sizeof *rk);
    *out = rk;
    if (!rk)
        return SPIN_ENOMEM;
    rk->top_k = top_k;
    return SPIN_OK;
}

void ranking_free(ranking *rk) {
    if (!rk)
        return;
    for (size_t i = 0; i < rk->n; ++i)
        mem_free(rk->e[i]);
    mem_free(rk->e);
    mem_free(rk);
}

/* Heap order: a parent ranks after (is worse than) its children. */
static void sift_down(ranking *rk, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < rk->n && rank_cmp(rk->e[l], rk->e[w]) > 0)
            w = l;
        if (r < rk->n && rank_cmp(rk->e[r], rk->e[w]) > 0)
            w = r;
        if (w == i)
            return;
        rank_entry *t = rk->e[i];
        rk->e[i] = rk->e[w];
        rk->e[w] = t;
        i = w;
    }
}

static void sift_up(ranking *rk, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (rank_cmp(rk->e[i], rk->e[p]) <= 0)
            return;
        rank_entry *t = rk->e[i];
        rk->e[i] = rk->e[p];
        rk->e[p] = t;
        i = p;
    }
}

spin_status ranking_add(ranking *rk, rank_entry *e) {
    rk->sorted = false;
    if (rk->top_k && rk->n == rk->top_k) {
        if (rank_cmp(e, rk->e[0]) >= 0) {
            mem_free(e);
            return SPIN_OK;
        }
        mem_free(rk->e[0]);
        rk->e[0] = e;
        sift_down(rk, 0);
        return SPIN_OK;
    }
    if (rk->n == rk->cap) {
        size_t nc = rk->cap ? rk->cap * 2 : 1024;
        if (rk->top_k && nc > rk->top_k)
            nc = rk->top_k;
        rank_entry **ne = mem_realloc_array(rk->e, nc, sizeof *ne);
        if (!ne) {
            mem_free(e);
            return SPIN_ENOMEM;
        }
        rk->e = ne;
        rk->cap = nc;
    }
    rk->e[rk->n++] = e;
    if (rk->top_k)
        sift_up(rk, rk->n - 1);
    return SPIN_OK;
}

static int cmp_ptr(const void *a, const void *b) {
    return rank_cmp(*(rank_entry *const *)a, *(rank_entry *const *)b);
}

size_t ranking_sorted(ranking *rk, rank_entry *const **entries) {
    if (!rk->sorted && rk->n > 1)
        qsort(rk->e, rk->n, sizeof *rk->e, cmp_ptr);
    rk->sorted = true;
    rk->top_k = 0; /* the heap order is gone: adding after this keeps all */
    *entries = rk->e;
    return rk->n;
}
