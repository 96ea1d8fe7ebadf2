/* jsonrec.c - see jsonrec.h. */
#include "crawl/jsonrec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "detect/report.h"
#include "text/tokenize.h"
#include "util/diag.h"
#include "util/mem.h"
#include "util/safetext.h"

/* ---- buffer ---- */

static void put(jsonbuf *b, const char *s, size_t n) {
    if (!b->failed && !mem_append(&b->p, &b->len, &b->cap, s, n))
        b->failed = true;
}

static void puts_(jsonbuf *b, const char *s) {
    put(b, s, strlen(s));
}

static void fmt(jsonbuf *b, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void fmt(jsonbuf *b, const char *f, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(tmp, sizeof tmp, f, ap);
    va_end(ap);
    if (n > 0)
        put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void number(jsonbuf *b, double v) {
    if (isfinite(v))
        fmt(b, "%.6g", v);
    else
        puts_(b, "null");
}

/* A JSON string through report.h's escaping (one filter for all outputs). */
static void string(jsonbuf *b, const char *s, size_t n) {
    char *mem = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&mem, &size);
    if (!f) {
        b->failed = true;
        return;
    }
    report_json_string(f, s, n);
    if (fclose(f) != 0)
        b->failed = true;
    else
        put(b, mem, size);
    free(mem);
}

void jsonbuf_put(jsonbuf *b, const char *s, size_t n) {
    put(b, s, n);
}

void jsonbuf_free(jsonbuf *b) {
    mem_free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- scanning ---- */

static size_t skip_ws(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        ++i;
    return i;
}

/* The end of the string that opens at s[i] (the index after its quote). */
static size_t skip_string(const char *s, size_t i, size_t n) {
    for (++i; i < n; ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

/* The end of the (valid) JSON value that starts at s[i]. */
static size_t skip_value(const char *s, size_t i, size_t n) {
    if (i >= n)
        return n;
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, i, n);
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            ++i;
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\r' && s[i] != '\n')
        ++i;
    return i;
}

/* Finds the raw values of "id" and "source" and the closing brace. */
static void scan(jsonrec *r) {
    const char *s = r->line;
    size_t n = r->len, i = skip_ws(s, 0, n) + 1; /* after '{' */
    r->empty = true;
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n)
            return;
        if (s[i] == '}') {
            r->close = i;
            return;
        }
        if (s[i] == ',') {
            ++i;
            continue;
        }
        r->empty = false;
        size_t k0 = i, k1 = skip_string(s, i, n);
        i = skip_ws(s, k1, n);
        if (i < n && s[i] == ':')
            ++i;
        i = skip_ws(s, i, n);
        size_t v0 = i, v1 = skip_value(s, i, n);
        size_t klen = k1 - k0;
        if (klen == 4 && !memcmp(s + k0, "\"id\"", 4) && !r->id) {
            r->id = s + v0;
            r->id_len = v1 - v0;
        } else if (klen == 8 && !memcmp(s + k0, "\"source\"", 8) && !r->source) {
            r->source = s + v0;
            r->source_len = v1 - v0;
        }
        i = v1;
    }
}

void jsonrec_number_id(double x, char *out, size_t outsize) {
    /* The range first: converting a double outside long long's is undefined. */
    if (x > -9e15 && x < 9e15 && x == (double)(long long)x)
        snprintf(out, outsize, "%lld", (long long)x);
    else
        snprintf(out, outsize, "%.17g", x);
}

/* The id as rank reads it (crawl/input.c) and prints it in JSON: each byte
 * that is not valid UTF-8 becomes U+FFFD. */
static spin_status make_key(jsonrec *r, const cJSON *o) {
    static const char *const fields[] = {"id", "url"};
    char num[64];
    const char *id = NULL;
    size_t n = 0;
    for (size_t f = 0; f < 2 && !id; ++f) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, fields[f]);
        if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
            id = v->valuestring;
            n = strlen(id);
        } else if (cJSON_IsNumber(v)) {
            jsonrec_number_id(v->valuedouble, num, sizeof num);
            id = num;
            n = strlen(num);
        }
    }
    if (!id)
        return SPIN_OK;
    const unsigned char *u = (const unsigned char *)id;
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = safetext_utf8(u + i, n - i, &cp);
        bad += !l;
        i += l ? l : 1;
    }
    if (!(r->key = mem_alloc(n + 2 * bad + 1)))
        return SPIN_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = safetext_utf8(u + i, n - i, &cp);
        if (l) {
            memcpy(r->key + k, id + i, l);
            k += l;
            i += l;
        } else {
            memcpy(r->key + k, "\xef\xbf\xbd", 3); /* U+FFFD */
            k += 3;
            ++i;
        }
    }
    r->key[k] = '\0';
    r->key_len = k;
    return SPIN_OK;
}

spin_status jsonrec_parse(const char *line, size_t len, const char *text_field, jsonrec *r,
                          spin_diag *diag) {
    memset(r, 0, sizeof *r);
    r->line = line;
    r->len = len;
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (o && end)
        while (end < line + len && (*end == ' ' || *end == '\t' || *end == '\r'))
            ++end;
    if (!o || !cJSON_IsObject(o) || (end && end != line + len)) {
        char q[80];
        diag_quote(q, sizeof q, line, len, 40);
        cJSON_Delete(o);
        return diag_set(diag, SPIN_EFORMAT, "", 0, 0, "not a JSON object: %s", q);
    }
    scan(r);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, text_field);
    if (!cJSON_IsString(t) || !t->valuestring) {
        cJSON_Delete(o);
        return diag_set(diag, SPIN_EFORMAT, "", 0, 0,
                        t ? "field '%s' is not a string" : "no field '%s'", text_field);
    }
    /* Take the decoded string over instead of copying it. */
    r->text_len = strlen(t->valuestring);
    r->text = t->valuestring;
    ((cJSON *)t)->valuestring = NULL;
    spin_status st = make_key(r, o);
    cJSON_Delete(o);
    if (st != SPIN_OK) {
        jsonrec_free(r);
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory");
    }
    return SPIN_OK;
}

void jsonrec_free(jsonrec *r) {
    if (r->text)
        cJSON_free(r->text);
    r->text = NULL;
    mem_free(r->key);
    r->key = NULL;
}

/* ---- code points ---- */

/* A character's length in bytes; a byte that starts no valid UTF-8 counts
 * as one code point (as U+FFFD in the text the writers produce). */
static size_t utf8_len(const unsigned char *s, size_t n) {
    uint32_t cp;
    size_t len = safetext_utf8(s, n, &cp);
    return len ? len : 1;
}

/* Byte offsets to code points, moving forward through the text. */
typedef struct cp_walk {
    const unsigned char *s;
    size_t n, pos, cps;
} cp_walk;

static size_t cp_at(cp_walk *w, size_t byte) {
    if (byte < w->pos) {
        w->pos = 0;
        w->cps = 0;
    }
    while (w->pos < byte && w->pos < w->n) {
        w->pos += utf8_len(w->s + w->pos, w->n - w->pos);
        ++w->cps;
    }
    return w->cps;
}

/* [[start, end, spin], ...] of the prose sentences (only flagged ones with
 * 'flagged_only'). */
static void spans(jsonbuf *b, const jsonrec *rec, const det_result *res, bool flagged_only) {
    cp_walk w = {(const unsigned char *)rec->text, rec->text_len, 0, 0};
    bool first = true;
    put(b, "[", 1);
    for (size_t i = 0; i < res->nsentences; ++i) {
        const det_sentence *s = &res->sentences[i];
        /* Not judged (an unsupported document): no span, as for headings. */
        if (s->kind != TOK_PROSE || (flagged_only && !s->flagged) || !isfinite(s->spin))
            continue;
        size_t a = cp_at(&w, s->start);
        size_t e = cp_at(&w, s->end);
        fmt(b, "%s[%zu, %zu, ", first ? "" : ", ", a, e);
        number(b, s->spin);
        put(b, "]", 1);
        first = false;
    }
    put(b, "]", 1);
}

/* ---- annotate ---- */

static void key(jsonbuf *b, const char *prefix, const char *name) {
    put(b, ", ", 2);
    size_t n = strlen(prefix);
    char *k = mem_alloc(n + strlen(name) + 2);
    if (!k) {
        b->failed = true;
        return;
    }
    sprintf(k, "%s_%s", prefix, name);
    string(b, k, strlen(k));
    mem_free(k);
    put(b, ": ", 2);
}

void jsonrec_annotate(jsonbuf *out, const jsonrec *rec, const char *prefix, const det_result *res,
                      const char *model_id, const char *error) {
    if (rec->close == 0) {
        put(out, rec->line, rec->len);
        put(out, "\n", 1);
        return;
    }
    size_t mark = out->len;
    put(out, rec->line, rec->close);
    if (res) {
        key(out, prefix, "spin_score");
        number(out, res->spin_score);
        key(out, prefix, "verdict");
        const char *v = det_verdict_name(res->verdict);
        string(out, v, strlen(v));
        key(out, prefix, "perplexity");
        number(out, res->perplexity);
        key(out, prefix, "spans");
        spans(out, rec, res, true);
        key(out, prefix, "model");
        string(out, model_id, strlen(model_id));
    } else {
        key(out, prefix, "error");
        string(out, error ? error : "", error ? strlen(error) : 0);
    }
    /* "{" + ", key" would be invalid: the first added member loses its comma. */
    if (rec->empty && !out->failed) {
        char *p = out->p + mark + rec->close;
        memmove(p, p + 2, out->len - (mark + rec->close + 2));
        out->len -= 2;
        out->p[out->len] = '\0';
    }
    put(out, rec->line + rec->close, rec->len - rec->close);
    put(out, "\n", 1);
}

/* ---- attributes ---- */

void jsonrec_attributes(jsonbuf *out, const jsonrec *rec, const char *name, const det_result *res,
                        const char *model_id) {
    jsonrec_attributes_at(out, rec, name, res, model_id, NULL);
}

void jsonrec_attributes_at(jsonbuf *out, const jsonrec *rec, const char *name,
                           const det_result *res, const char *model_id, jsonrec_attr_pos *pos) {
    size_t base = out->len;
    jsonrec_attr_pos at;
    memset(&at, 0, sizeof at);
    puts_(out, "{\"id\": ");
    if (rec->close && rec->id)
        put(out, rec->id, rec->id_len);
    else
        puts_(out, "null");
    if (rec->close && rec->source) {
        puts_(out, ", \"source\": ");
        put(out, rec->source, rec->source_len);
    }
    puts_(out, ", \"attributes\": {");
    if (res) {
        cp_walk w = {(const unsigned char *)rec->text, rec->text_len, 0, 0};
        size_t ncp = cp_at(&w, rec->text_len);
        at.ncp = ncp;
        if (isnan(res->spin_score)) {
            /* Not judged: no score span (Dolma reads every span's score as
             * a float, so null would break its readers) and a flag to filter
             * on instead. */
            fmt(out, "\"%s__spin_score\": [], \"%s__unsupported\": [[0, %zu, 1]]", name, name, ncp);
        } else {
            fmt(out, "\"%s__spin_score\": [[0, %zu, ", name, ncp);
            at.score_start = out->len - base;
            number(out, res->spin_score);
            at.score_end = out->len - base;
            puts_(out, "]]");
        }
        fmt(out, ", \"%s__perplexity\": [[0, %zu, ", name, ncp);
        number(out, res->perplexity);
        fmt(out, "]], \"%s__sentence_spin\": ", name);
        spans(out, rec, res, false);
        fmt(out, ", \"%s__flagged\": ", name);
        spans(out, rec, res, true);
    }
    at.close = out->len - base;
    puts_(out, "}");
    if (model_id) {
        puts_(out, ", \"model\": ");
        string(out, model_id, strlen(model_id));
    }
    puts_(out, "}\n");
    if (pos)
        *pos = at;
}

bool jsonrec_variable_name(char *s) {
    for (char *p = s; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            *p = '_';
    return s[0] && !(s[0] >= '0' && s[0] <= '9');
}
