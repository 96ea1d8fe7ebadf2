/* report.c - text, JSON and HTML reports of detection results.
 *
 * Invariants: every byte of document text reaches the output through
 * utf8_next() (util/utf8.h) and one format's filter (report.h says which characters each
 * format replaces or escapes), so no report can carry invalid UTF-8, and
 * neither a terminal escape sequence (text) nor markup (HTML) from a document.
 *
 * JSON object per document (docs/formats.md "score -f json"; fields marked + are
 * extras):
 *   id, spin_score, verdict, tokens, oov, perplexity,
 *   +log10prob, +bytes, +prose, +flagged, +doc_features {name: value},
 *   sentences: [{start, end, text, spin, flagged, log10prob, perplexity, z,
 *                kind, +tokens, +oov, +split, +features {name: value}}]
 */
#include "detect/report.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "text/tokenize.h"
#include "util/utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

static bool is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_bidi_control(uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

static bool is_line_break(uint32_t cp) {
    return cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x85 || cp == 0x2028 ||
           cp == 0x2029;
}

/* Writes the verbatim bytes [*from, to) of 'p', then moves *from to 'next':
 * characters that pass a filter unchanged are written in runs, not one by one. */
static void flush_run(FILE *out, const unsigned char *p, size_t *from, size_t to, size_t next) {
    if (to > *from)
        fwrite(p + *from, 1, to - *from, out);
    *from = next;
}

/* ---- JSON ---- */

static void json_chars(FILE *out, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_next(p + i, len - i, &cp);
        bool verbatim = cp != UTF8_BAD && cp != '"' && cp != '\\' && !is_control(cp) &&
                        cp != 0x2028 && cp != 0x2029;
        if (verbatim) {
            i += k;
            continue;
        }
        flush_run(out, p, &run, i, i + k);
        if (cp == UTF8_BAD)
            fputs(REPLACEMENT, out);
        else if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (char)cp);
        else if (cp == '\n')
            fputs("\\n", out);
        else if (cp == '\t')
            fputs("\\t", out);
        else if (cp == '\r')
            fputs("\\r", out);
        else if (cp == '\b')
            fputs("\\b", out);
        else if (cp == '\f')
            fputs("\\f", out);
        else
            fprintf(out, "\\u%04x", (unsigned)cp);
        i += k;
    }
    flush_run(out, p, &run, len, len);
}

void report_json_string(FILE *out, const char *s, size_t len) {
    fputc('"', out);
    json_chars(out, s, len);
    fputc('"', out);
}

void report_json_number(FILE *out, double v) {
    if (isfinite(v))
        fprintf(out, "%.6g", v);
    else
        fputs("null", out);
}

/* ---- offsets ---- */

/* The byte span of sentence 'i' of 'doc', clamped into the text and after
 * 'from' (the end of the previous sentence), so that a bad result can never
 * make a report read outside the text or print a byte twice. */
static void span(const report_doc *doc, const det_sentence *s, size_t from, size_t *start,
                 size_t *end) {
    size_t a = s->start, b = s->end;
    if (a > doc->len)
        a = doc->len;
    if (b > doc->len)
        b = doc->len;
    if (a < from)
        a = from;
    if (b < a)
        b = a;
    *start = a;
    *end = b;
}

static const char *kind_name(tok_seg_kind k) {
    const char *n = tokenize_seg_kind_name(k);
    return n ? n : "prose";
}

/* ---- JSON report ---- */

static void json_key_number(FILE *out, const char *key, double v) {
    fprintf(out, ", \"%s\": ", key);
    report_json_number(out, v);
}

/* The words most responsible for a sentence's score: the least probable
 * under the model, pushed up by how much more the spun model likes them. */
#define EVIDENCE_WORDS 3
static double responsibility(const det_word *w) {
    return w->oov ? -1e9 : -(double)w->logp + 2.0 * (double)w->llr;
}

/* The EVIDENCE_WORDS most responsible words of 's' (indexes into its words,
 * most responsible first), as in JSON's "evidence". */
static size_t top_words(const det_word *w, size_t n, size_t top[EVIDENCE_WORDS]) {
    size_t ntop = 0;
    for (size_t i = 0; i < n; ++i) {
        if (w[i].oov)
            continue;
        size_t at = ntop < EVIDENCE_WORDS ? ntop++ : EVIDENCE_WORDS;
        if (at == EVIDENCE_WORDS) {
            if (responsibility(&w[i]) <= responsibility(&w[top[EVIDENCE_WORDS - 1]]))
                continue;
            at = EVIDENCE_WORDS - 1;
        }
        while (at > 0 && responsibility(&w[top[at - 1]]) < responsibility(&w[i])) {
            top[at] = top[at - 1];
            --at;
        }
        top[at] = i;
    }
    return ntop;
}

/* "reason", "family", "words" and "evidence" of a sentence (docs/detector.md). */
static void json_evidence(FILE *out, const det_result *r, const det_sentence *s) {
    const char *why = det_reason_name(s->reason);
    fputs(", \"reason\": ", out);
    if (why)
        fprintf(out, "\"%s\"", why);
    else
        fputs("null", out);
    fprintf(out, ", \"family\": \"%s\", \"words\": [", det_family_name(s->family_used));
    const det_word *w = r->words && s->word0 + s->nwords <= r->nwords ? r->words + s->word0 : NULL;
    size_t n = w ? s->nwords : 0;
    for (size_t i = 0; i < n; ++i) {
        fprintf(out, "%s[%zu, %zu, ", i ? ", " : "", w[i].start, w[i].end);
        report_json_number(out, w[i].logp);
        fputs(", ", out);
        report_json_number(out, w[i].llr);
        fputs(", ", out);
        report_json_number(out, w[i].unigram);
        fputs("]", out);
    }
    fputs("], \"evidence\": [", out);
    size_t top[EVIDENCE_WORDS], ntop = w ? top_words(w, n, top) : 0;
    for (size_t k = 0; k < ntop; ++k)
        fprintf(out, "%s[%zu, %zu]", k ? ", " : "", w[top[k]].start, w[top[k]].end);
    fputs("], \"artefact\": ", out);
    const char *kind = det_artefact_name(s->artefact);
    if (!kind || !w || s->art_word + s->art_nwords > n || !s->art_nwords) {
        fputs("null", out);
        return;
    }
    fprintf(out, "{\"kind\": \"%s\", \"start\": %zu, \"end\": %zu", kind, w[s->art_word].start,
            w[s->art_word + s->art_nwords - 1].end);
    json_key_number(out, "gain", s->art_gain);
    fputs(", \"restored\": ", out);
    report_json_string(out, s->art_restored, strlen(s->art_restored));
    fputs("}", out);
}

static void json_document(FILE *out, const report_doc *doc) {
    const det_result *r = doc->result;
    fputs("{\"id\": ", out);
    report_json_string(out, doc->id ? doc->id : "", doc->id ? strlen(doc->id) : 0);
    json_key_number(out, "spin_score", r->spin_score);
    fprintf(out, ", \"verdict\": \"%s\", \"tokens\": %zu, \"oov\": %zu",
            det_verdict_name(r->verdict), r->tokens, r->oov);
    fputs(", \"unsupported_reason\": ", out);
    if (r->abstain != DET_ABSTAIN_NONE) {
        const char *why = det_abstain_name(r->abstain);
        report_json_string(out, why, strlen(why));
    } else {
        fputs("null", out);
    }
    fputs(", \"language\": ", out);
    report_json_string(out, r->language, strlen(r->language));
    fprintf(out, ", \"english_pct\": %d", r->english_pct);
    json_key_number(out, "perplexity", r->perplexity);
    json_key_number(out, "log10prob", r->log10prob);
    fprintf(out, ", \"bytes\": %zu, \"prose\": %zu, \"flagged\": %zu, \"doc_features\": {",
            doc->len, r->prose, r->flagged);
    for (int f = 0; f < DET_NDOC_FEATURES; ++f) {
        /* "flagged" is the share flagged on the sentences' own evidence; in
         * JSON it would read as a contradiction of the count "flagged". */
        fprintf(out, "%s\"%s\": ", f ? ", " : "",
                f == DET_D_FLAGGED ? "flagged_own" : det_doc_feature_name((det_doc_feature)f));
        report_json_number(out, r->doc_feature[f]);
    }
    fputs("}, \"sentences\": [", out);
    size_t prev = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        size_t a, b;
        span(doc, s, prev, &a, &b);
        prev = b;
        fprintf(out, "%s{\"start\": %zu, \"end\": %zu, \"text\": ", i ? ", " : "", a, b);
        report_json_string(out, doc->text + a, b - a);
        json_key_number(out, "spin", s->spin);
        fprintf(out, ", \"flagged\": %s", s->flagged ? "true" : "false");
        json_key_number(out, "log10prob", s->log10prob);
        json_key_number(out, "perplexity", s->perplexity);
        json_key_number(out, "z", s->z);
        fprintf(out,
                ", \"kind\": \"%s\", \"tokens\": %lu, \"oov\": %lu, \"split\": %s, "
                "\"features\": {",
                kind_name(s->kind), (unsigned long)s->tokens, (unsigned long)s->oov,
                s->split ? "true" : "false");
        for (int f = 0; f < DET_NFEATURES; ++f) {
            fprintf(out, "%s\"%s\": ", f ? ", " : "", det_feature_name((det_feature)f));
            report_json_number(out, s->feature[f]);
        }
        fputs("}", out);
        json_evidence(out, r, s);
        fputs("}", out);
    }
    fputc(']', out);
    if (doc->provenance)
        fprintf(out, ", \"spinscan\": %s", doc->provenance);
    fputs("}\n", out);
}

/* ---- text report ---- */

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_FLAG "\033[1;31m"

/* Writes text for a terminal line: see report.h. */
static void text_chars(FILE *out, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_next(p + i, len - i, &cp);
        if (cp == '\t' || is_line_break(cp)) {
            flush_run(out, p, &run, i, i + k);
            fputc(' ', out);
        } else if (cp == UTF8_BAD || is_control(cp) || is_bidi_control(cp)) {
            flush_run(out, p, &run, i, i + k);
            fputs(REPLACEMENT, out);
        }
        i += k;
    }
    flush_run(out, p, &run, len, len);
}

/* Number of line breaks in the 'len' bytes at 's' (CR LF counts once). */
static size_t count_breaks(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; ++i)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
            ++n;
    return n;
}

static void text_number(FILE *out, const char *fmt, double v) {
    if (isfinite(v))
        fprintf(out, fmt, v);
    else
        fputs(isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf", out);
}

static const char *verdict_color(det_verdict v) {
    switch (v) {
    case DET_NATURAL:
        return "\033[1;32m";
    case DET_SUSPECT:
        return "\033[1;33m";
    default:
        return ANSI_FLAG;
    }
}

static void text_document(FILE *out, const report_options *o, const report_doc *doc) {
    const det_result *r = doc->result;
    const char *id = doc->id ? doc->id : "";
    fputs(o->color ? ANSI_BOLD "== " : "== ", out);
    text_chars(out, id, strlen(id));
    fputs(": spin ", out);
    text_number(out, "%.2f", r->spin_score);
    fprintf(out, " %s%s%s, %zu tokens, %zu OOV, perplexity ",
            o->color ? verdict_color(r->verdict) : "(", det_verdict_name(r->verdict),
            o->color ? ANSI_RESET ANSI_BOLD : ")", r->tokens, r->oov);
    text_number(out, "%.1f", r->perplexity);
    if (r->abstain != DET_ABSTAIN_NONE)
        fprintf(out, ", not judged: %s (language %s)%s\n", det_abstain_name(r->abstain),
                r->language, o->color ? ANSI_RESET : "");
    else
        fprintf(out, ", %zu of %zu prose sentences flagged%s\n", r->flagged, r->prose,
                o->color ? ANSI_RESET : "");
    size_t prev = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        size_t a, b;
        span(doc, s, prev, &a, &b);
        if (i > 0 && count_breaks(doc->text + prev, a - prev) >= 2)
            fputc('\n', out);
        prev = b;
        const char *on = "";
        if (s->kind != TOK_PROSE) {
            on = o->color ? ANSI_DIM : "";
            fprintf(out, "%s   [%s] ", on, s->kind == TOK_HEADING ? "head" : "boil");
        } else {
            bool flag = s->flagged;
            on = flag && o->color ? ANSI_FLAG : "";
            fprintf(out, "%s%s [", on, flag ? ">>" : "  ");
            text_number(out, "%.2f", s->spin);
            fputs("] ", out);
        }
        text_chars(out, doc->text + a, b - a);
        fprintf(out, "%s\n", *on ? ANSI_RESET : "");
    }
    fputc('\n', out); /* documents are separated by a blank line */
}

/* ---- HTML report ---- */

/* Colour classes b0..b9 for spin in [k/10, (k+1)/10): green to red. */

/* HTML text; with 'no_bidi' the bidi controls become U+FFFD as well (text
 * between sentences, which no isolate encloses). */
static void html_chars(FILE *out, const char *s, size_t len, bool no_bidi) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_next(p + i, len - i, &cp);
        if (cp != UTF8_BAD && !is_control(cp) && cp != '&' && cp != '<' && cp != '>' && cp != '"' &&
            cp != '\'' && !(no_bidi && is_bidi_control(cp))) {
            i += k;
            continue;
        }
        flush_run(out, p, &run, i, i + k);
        switch (cp) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        case '\n':
        case '\t':
            fputc((int)cp, out);
            break;
        case '\r':
            if (i + 1 >= len || p[i + 1] != '\n')
                fputc('\n', out);
            break;
        default: /* ill-formed, a control character or (no_bidi) a bidi control */
            fputs(REPLACEMENT, out);
        }
        i += k;
    }
    flush_run(out, p, &run, len, len);
}

void report_html_text(FILE *out, const char *s, size_t len) {
    html_chars(out, s, len, false);
}

/* ---- the tool version and model identity (text footer, HTML footer) ---- */

/* Writes the 'len' bytes at 's' filtered for the text report or escaped for
 * HTML. */
static void ident_chars(FILE *out, const char *s, size_t len, bool html) {
    if (html)
        html_chars(out, s, len, false);
    else
        text_chars(out, s, len);
}

static void ident_str(FILE *out, const char *s, bool html) {
    ident_chars(out, s, strlen(s), html);
}

/* Writes the identity in provenance object 'prov' (spin_detector_info()):
 * "spinscan 0.1.0; model HEX12 (4-gram; sha256 HEX64; packages a@1, b@2)",
 * package licences left out (the strings' " (...)" tails).  A provenance
 * that is not such an object is written as it is, after the version. */
static void write_identity(FILE *out, const char *prov, bool html) {
    cJSON *j = prov ? cJSON_Parse(prov) : NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "identity"),
                *m = cJSON_GetObjectItemCaseSensitive(j, "model");
    if (cJSON_IsString(id))
        ident_str(out, id->valuestring, html);
    else
        fputs("spinscan " SPIN_VERSION, out);
    if (cJSON_IsObject(m)) {
        const cJSON *order = cJSON_GetObjectItemCaseSensitive(m, "order"),
                    *sha = cJSON_GetObjectItemCaseSensitive(m, "sha256"),
                    *pk = cJSON_GetObjectItemCaseSensitive(m, "packages");
        fputs(" (", out);
        if (cJSON_IsNumber(order))
            fprintf(out, "%d-gram; ", order->valueint);
        if (cJSON_IsString(sha)) {
            fputs("sha256 ", out);
            ident_str(out, sha->valuestring, html);
        } else {
            fputs("no manifest.json: checksum and packages unknown", out);
        }
        int n = cJSON_IsArray(pk) ? cJSON_GetArraySize(pk) : 0;
        for (int i = 0, k = 0; i < n; ++i) {
            const cJSON *e = cJSON_GetArrayItem(pk, i);
            if (!cJSON_IsString(e))
                continue;
            const char *v = e->valuestring, *paren = strstr(v, " (");
            fputs(k++ ? ", " : "; packages ", out);
            ident_chars(out, v, paren ? (size_t)(paren - v) : strlen(v), html);
        }
        fputs(")", out);
    } else if (prov && !j) {
        fputs("; ", out);
        ident_str(out, prov, html);
    }
    cJSON_Delete(j);
}

static void html_number(FILE *out, const char *fmt, double v) {
    if (isfinite(v))
        fprintf(out, fmt, v);
    else
        fputs(isnan(v) ? "n/a" : v > 0 ? "&#8734;" : "-&#8734;", out);
}

/* ---- HTML report ----
 *
 * One page for any number of documents: a summary (verdict counts and a
 * histogram of document scores), the documents sorted by score and linked,
 * a "flagged only" view (the CSS :target of #flagged-only hides the rest,
 * so it works by link, keyboard and touch with no script), then each
 * document in a <details> element: its sentences, each prefixed with its
 * score, the words coloured by their evidence (GLTR-style bands of the
 * model's log-probability, a mark where the spun model prefers the word)
 * and, below the text, why each flagged sentence was flagged, in words.
 * The summary needs every document, so the sections are kept in memory
 * (open_memstream) until report_end() writes the page.
 *
 * Colours: document and sentence scores in five bands of viridis, verdicts
 * and word bands from Okabe and Ito's palette (lightened for backgrounds);
 * both are chosen to stay apart for colour-blind readers, and
 * tests/cli/browser.t checks them under a deuteranopia simulation. */

static spin_status status_of(FILE *out) {
    return ferror(out) ? SPIN_EIO : SPIN_OK;
}

#define SCORE_BANDS 5
/* viridis at 0, .25, .5, .75, 1, darkest for the highest score */
static const char *const band_bg[SCORE_BANDS] = {"#fde725", "#5ec962", "#21918c", "#3b528b",
                                                 "#440154"};
static const char *const band_fg[SCORE_BANDS] = {"#000", "#000", "#fff", "#fff", "#fff"};

/* The band of a score; -1 for no score (NaN: not judged), class "bn". */
static int band(double spin) {
    if (isnan(spin))
        return -1;
    if (!(spin > 0))
        return 0;
    if (spin >= 1)
        return SCORE_BANDS - 1;
    int k = (int)(spin * SCORE_BANDS);
    return k >= SCORE_BANDS ? SCORE_BANDS - 1 : k;
}

/* Word bands by log10 P(word | context): the surprising words carry a
 * sentence's score.  w0 is left plain. */
#define WORD_BANDS 4
static const double word_cut[WORD_BANDS - 1] = {-2.5, -3.5, -5.0};
static const char *const word_bg[WORD_BANDS] = {"#ffffff", "#bde0f5", "#f7ef99", "#f2b48c"};

static int word_band(const det_word *w) {
    if (w->oov)
        return WORD_BANDS - 1;
    int k = 0;
    while (k < WORD_BANDS - 1 && (double)w->logp < word_cut[k])
        ++k;
    return k;
}

/* A word the spun model likes this much more (log10 ratio) is marked. */
#define SPUN_MARK 0.5

#define HTML_HIST_BINS 10

typedef struct html_entry {
    char *id;
    double score;
    det_verdict verdict;
    size_t flagged, prose, index;
} html_entry;

struct report_html {
    FILE *body; /* the document sections, in input order */
    char *body_buf;
    size_t body_len;
    html_entry *e;
    size_t n, cap;
    char *provenance; /* the first document's */
};

static void html_state_free(report_options *o) {
    report_html *h = o->html;
    if (!h)
        return;
    if (h->body)
        fclose(h->body);
    free(h->body_buf);
    for (size_t i = 0; i < h->n; ++i)
        free(h->e[i].id);
    free(h->e);
    free(h->provenance);
    free(h);
    o->html = NULL;
}

static char *dup_bytes(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static bool doc_is_flagged(const html_entry *e) {
    return e->flagged > 0 || e->verdict == DET_SUSPECT || e->verdict == DET_SPUN ||
           e->verdict == DET_SALAD || e->verdict == DET_STUFFING;
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

static const char html_style[] =
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:62em;margin:1em auto;padding:0 1em;"
    "color:#111;background:#fff;line-height:1.5}\n"
    "h1{font-size:1.35em;margin-bottom:.3em}h2{font-size:1.1em}\n"
    "a{color:#0b5cad}a:focus,summary:focus{outline:2px solid #0072b2;outline-offset:2px}\n"
    "#summary{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin-bottom:1em}\n"
    "#summary h2{margin:.2em 0}.counts{list-style:none;padding:0;margin:.3em 0}"
    ".counts li{display:inline-block;margin:0 .6em .3em 0}\n"
    "figure{margin:.5em 0}figcaption{font-size:.9em;color:#444}\n"
    ".views a{display:inline-block;padding:.3em .8em;border:1px solid #0072b2;"
    "border-radius:1em;margin:.3em .3em .3em 0;text-decoration:none}\n"
    "#flagged-only:target~nav .clean,#flagged-only:target~#documents .clean{display:none}\n"
    "#flagged-only:target~nav .views a.only,#all:target~nav .views a.all{background:#0072b2;"
    "color:#fff}\n"
    ".doclist{padding-left:2.2em}.doclist li{margin:.15em 0}.doclist a{word-break:break-all}\n"
    ".doc{margin:.6em 0;border:1px solid #ccc;border-radius:6px}\n"
    ".doc:target{border-color:#0072b2;box-shadow:0 0 0 2px #0072b2}\n"
    ".doc>details>summary{cursor:pointer;padding:.5em .8em;list-style-position:inside}\n"
    ".doc>details>summary h2{display:inline;font-size:1em;word-break:break-all}\n"
    ".doc>details>div,.doc>details>p,.doc>details>ol{margin:.4em .8em}\n"
    ".sum{margin-top:0;color:#333}\n"
    ".text{white-space:pre-wrap;border:1px solid #ddd;padding:.8em;border-radius:4px;"
    "counter-reset:flag}\n"
    /* Each sentence is a bidi isolate: an unterminated RLO or LRI inside one
     * cannot reorder the sentences after it (Trojan Source). */
    ".s,.x,.id{unicode-bidi:isolate}h1{unicode-bidi:isolate}\n"
    ".s::before{content:attr(data-spin);font-size:.7em;font-weight:bold;padding:0 .25em;"
    "margin-right:.2em;border-radius:3px;vertical-align:.15em}\n"
    ".s:target{outline:2px solid #0072b2}\n"
    ".f,.fl{text-decoration:underline wavy #d55e00;text-decoration-thickness:2px}"
    ".f{counter-increment:flag}\n"
    ".f::after{content:\"\\2691\" counter(flag);font-size:.75em;font-weight:bold;color:#d55e00;"
    "vertical-align:super}\n"
    ".x{color:#555;font-style:italic}\n"
    ".w3,.w1,.w2{border-radius:2px}.top{font-weight:bold}"
    ".sp{border-bottom:3px double #cc79a7}\n"
    ".why{font-size:.95em}.why li{margin:.25em 0}.why .r{font-weight:bold}\n"
    ".legend{font-size:.9em;color:#333}.legend span{display:inline-block;padding:0 .4em;"
    "margin:.1em .15em;border-radius:3px}\n"
    ".v{font-weight:bold;padding:0 .35em;border-radius:3px;border:1px solid #000}\n"
    ".v-natural{background:#009e73;color:#fff}.v-suspect{background:#e69f00;color:#000}"
    ".v-spun{background:#d55e00;color:#fff}.v-salad{background:#cc79a7;color:#000}"
    ".v-stuffing{background:#56b4e9;color:#000}"
    ".v-unsupported{background:#fff;color:#333;border-style:dashed}\n"
    "footer{margin-top:2em;padding-top:.5em;border-top:1px solid #ccc;font-size:.85em;"
    "color:#444;word-break:break-all}\n";

static void html_css_bands(FILE *out) {
    for (int k = 0; k < SCORE_BANDS; ++k)
        fprintf(out, ".b%d,.s.sb%d::before{background:%s;color:%s}\n", k, k, band_bg[k],
                band_fg[k]);
    fputs(".b-1{background:#fff;color:#333;border:1px dashed #333}\n", out);
    for (int k = 1; k < WORD_BANDS; ++k)
        fprintf(out, ".w%d{background:%s}\n", k, word_bg[k]);
}

static void html_legend(FILE *out) {
    fputs("<p class=\"legend\">Score bands: ", out);
    for (int k = 0; k < SCORE_BANDS; ++k)
        fprintf(out, "<span class=\"b%d\">%.1f&#8211;%.1f</span>", k, k / (double)SCORE_BANDS,
                (k + 1) / (double)SCORE_BANDS);
    fputs(" &#183; each sentence starts with its score; <span class=\"fl\">wavy underline</span> "
          "and &#9873;N = flagged (reason N below the text); <span class=\"x\">grey "
          "italics</span> = heading or boilerplate, not judged.<br>Words, by how surprising "
          "the model finds them (log<sub>10</sub> P): ",
          out);
    fprintf(out, "<span>expected (&#8805; %.1f)</span>", word_cut[0]);
    for (int k = 1; k < WORD_BANDS; ++k) {
        if (k < WORD_BANDS - 1)
            fprintf(out, "<span class=\"w%d\">%.1f to %.1f</span>", k, word_cut[k - 1],
                    word_cut[k]);
        else
            fprintf(out, "<span class=\"w%d\">below %.1f, or unknown</span>", k, word_cut[k - 1]);
    }
    fprintf(out,
            " &#183; <span class=\"sp\">double underline</span> = the spun model prefers the "
            "word (ratio &#8805; 10<sup>%.1f</sup>) &#183; <span class=\"top\">bold</span> = "
            "the words that carry the sentence's score.</p>\n",
            SPUN_MARK);
}

static bool is_top_word(const size_t *top, size_t ntop, size_t i) {
    for (size_t k = 0; k < ntop; ++k)
        if (top[k] == i)
            return true;
    return false;
}

/* The words of sentence 's', as sentence 's' spans [a, b). */
static const det_word *sentence_words(const det_result *r, const det_sentence *s, size_t *n) {
    if (!r->words || s->word0 > r->nwords || s->nwords > r->nwords - s->word0) {
        *n = 0;
        return NULL;
    }
    *n = s->nwords;
    return r->words + s->word0;
}

/* The text [a, b) of a prose sentence with its words in spans. */
static void html_words(FILE *out, const report_doc *doc, const det_word *w, size_t n, size_t a,
                       size_t b) {
    size_t top[EVIDENCE_WORDS];
    size_t ntop = top_words(w, n, top), pos = a;
    for (size_t i = 0; i < n; ++i) {
        size_t ws = w[i].start, we = w[i].end;
        if (ws < pos || we > b || we <= ws)
            continue; /* out of order or outside: never print a byte twice */
        int k = word_band(&w[i]);
        bool spun = (double)w[i].llr >= SPUN_MARK, t = is_top_word(top, ntop, i);
        if (k == 0 && !spun && !t)
            continue;
        html_chars(out, doc->text + pos, ws - pos, true);
        fputs("<span class=\"", out);
        const char *sep = "";
        if (k) {
            fprintf(out, "w%d", k);
            sep = " ";
        }
        if (spun) {
            fprintf(out, "%ssp", sep);
            sep = " ";
        }
        if (t)
            fprintf(out, "%stop", sep);
        fputs("\" title=\"log10 P ", out);
        html_number(out, "%.2f", w[i].oov ? NAN : (double)w[i].logp);
        fputs(w[i].oov ? " (unknown word)" : "", out);
        fputs(", spun ratio ", out);
        html_number(out, "%+.2f", (double)w[i].llr);
        fputs("\">", out);
        html_chars(out, doc->text + ws, we - ws, true);
        fputs("</span>", out);
        pos = we;
    }
    html_chars(out, doc->text + pos, b - pos, true);
}

static const char *family_words(det_family f) {
    switch (f) {
    case DET_FAM_SPUN:
        return "synonym swaps (spun)";
    case DET_FAM_SALAD:
        return "word salad";
    case DET_FAM_STUFFING:
        return "keyword stuffing";
    default:
        return "?";
    }
}

/* The length of the first few words of the 'n' bytes at 's' (at most 40
 * bytes, cut at a space, never inside a UTF-8 sequence). */
static size_t lead_len(const char *s, size_t n) {
    if (n <= 40)
        return n;
    size_t k = 40;
    while (k > 20 && s[k] != ' ')
        --k;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        --k;
    return k;
}

/* Why sentence 's' was flagged, in words. */
static void html_reason(FILE *out, const report_options *o, const det_sentence *s) {
    const det_params *p = o->params;
    fputs("<span class=\"r\">", out);
    switch (s->reason) {
    case DET_REASON_THRESHOLD:
        fputs("over the threshold", out);
        fputs("</span>: spin ", out);
        html_number(out, "%.2f", s->spin);
        if (p) {
            fputs(" &#8805; ", out);
            html_number(out, "%.2f", p->flag_spin);
        }
        break;
    case DET_REASON_OUTLIER:
        fputs("an outlier in its document", out);
        fputs("</span>: ", out);
        html_number(out, "%.1f", s->z);
        fputs(" robust standard deviations above the document's other sentences", out);
        if (p) {
            fputs(" (&#8805; ", out);
            html_number(out, "%.1f", p->flag_z);
            fputs(")", out);
        }
        fputs(", spin ", out);
        html_number(out, "%.2f", s->spin);
        if (p) {
            fputs(" &#8805; ", out);
            html_number(out, "%.2f", p->flag_spin_z);
        }
        break;
    case DET_REASON_DOCUMENT:
        fputs("in a machine-made document", out);
        fputs("</span>: the document as a whole scores as machine-made and this sentence's "
              "spin ",
              out);
        html_number(out, "%.2f", s->spin);
        if (p) {
            fputs(" &#8805; ", out);
            html_number(out, "%.2f", p->flag_spin_doc < 0.5 ? p->flag_spin_doc : 0.5);
        }
        break;
    case DET_REASON_ARTEFACT:
        fprintf(out, "a spinner artefact</span>: %s", det_artefact_name(s->artefact));
        if (s->art_restored[0]) {
            fputs(", which the model reads far better as &#8220;", out);
            html_chars(out, s->art_restored, strlen(s->art_restored), true);
            fputs("&#8221;", out);
        }
        break;
    default:
        fputs("flagged</span>", out);
    }
    fprintf(out, "; looks like %s", family_words(s->family_used));
}

static void html_document(FILE *out, const report_options *o, const report_doc *doc, size_t idx) {
    const det_result *r = doc->result;
    const char *id = doc->id ? doc->id : "";
    bool flagged = r->flagged > 0 || r->verdict == DET_SUSPECT || r->verdict == DET_SPUN ||
                   r->verdict == DET_SALAD || r->verdict == DET_STUFFING;
    fprintf(out, "<section class=\"doc %s\" id=\"d%zu\">\n<details%s>\n<summary><h2>",
            flagged ? "flagged" : "clean", idx, flagged || idx == 1 ? " open" : "");
    fprintf(out, "<span class=\"v v-%s\">%s</span> <b class=\"b%d\">", det_verdict_name(r->verdict),
            det_verdict_name(r->verdict), band(r->spin_score));
    html_number(out, "%.2f", r->spin_score);
    fputs("</b> <bdi class=\"id\">", out);
    report_html_text(out, id, strlen(id));
    fprintf(out, "</bdi></h2> &#183; %zu of %zu prose sentences flagged</summary>\n", r->flagged,
            r->prose);
    fprintf(out, "<p class=\"sum\">%zu tokens, %zu unknown to the model &#183; perplexity ",
            r->tokens, r->oov);
    html_number(out, "%.1f", r->perplexity);
    if (r->verdict == DET_UNSUPPORTED) {
        const char *why = det_abstain_name(r->abstain);
        fputs(" &#183; not judged: ", out);
        report_html_text(out, why ? why : "?", why ? strlen(why) : 1);
    }
    fputs("</p>\n<div class=\"text\">", out);
    size_t prev = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        size_t a, b;
        span(doc, s, prev, &a, &b);
        html_chars(out, doc->text + prev, a - prev, true);
        prev = b;
        if (s->kind == TOK_PROSE) {
            fprintf(out, "<span id=\"d%zu-s%zu\" class=\"s sb%d%s\" data-spin=\"", idx, i,
                    band(s->spin), s->flagged ? " f" : "");
            html_number(out, "%.2f", s->spin);
            fputs("\" title=\"spin ", out);
            html_number(out, "%.3f", s->spin);
            fputs(s->flagged ? " (flagged)" : "", out);
            fputs("&#10;z ", out);
            html_number(out, "%.2f", s->z);
        } else {
            fprintf(out, "<span class=\"x\" title=\"%s: not judged", kind_name(s->kind));
        }
        fputs("&#10;log10 p ", out);
        html_number(out, "%.2f", s->log10prob);
        fputs(", perplexity ", out);
        html_number(out, "%.1f", s->perplexity);
        fprintf(out, "&#10;%lu tokens, %lu OOV\">", (unsigned long)s->tokens,
                (unsigned long)s->oov);
        size_t nw;
        const det_word *w = sentence_words(r, s, &nw);
        if (s->kind == TOK_PROSE && nw)
            html_words(out, doc, w, nw, a, b);
        else
            html_chars(out, doc->text + a, b - a, true);
        fputs("</span>", out);
    }
    html_chars(out, doc->text + prev, doc->len - prev, true);
    fputs("</div>\n", out);
    if (r->flagged) {
        fputs("<ol class=\"why\" aria-label=\"Why each sentence was flagged\">\n", out);
        prev = 0;
        for (size_t i = 0; i < r->nsentences; ++i) {
            const det_sentence *s = &r->sentences[i];
            size_t a, b;
            span(doc, s, prev, &a, &b);
            prev = b;
            if (s->kind != TOK_PROSE || !s->flagged)
                continue;
            fprintf(out, "<li><a href=\"#d%zu-s%zu\">&#8220;<bdi>", idx, i);
            html_chars(out, doc->text + a, lead_len(doc->text + a, b - a), true);
            fputs("</bdi>&#8230;&#8221;</a>: ", out);
            html_reason(out, o, s);
            size_t nw, top[EVIDENCE_WORDS];
            const det_word *w = sentence_words(r, s, &nw);
            size_t ntop = w ? top_words(w, nw, top) : 0;
            for (size_t k = 0; k < ntop; ++k) {
                const det_word *t = &w[top[k]];
                fputs(k ? ", " : "; carried by ", out);
                if (t->start < t->end && t->end <= doc->len) {
                    fputs("&#8220;<bdi>", out);
                    html_chars(out, doc->text + t->start, t->end - t->start, true);
                    fputs("</bdi>&#8221;", out);
                }
            }
            fputs(".</li>\n", out);
        }
        fputs("</ol>\n", out);
    }
    fputs("</details>\n</section>\n", out);
}

/* The page's footer: the tool version and the model's identity. */
static void html_footer(FILE *out, const char *prov) {
    fputs("<footer>Made by ", out);
    write_identity(out, prov, true);
    fputs(" &#183; scores are statistical evidence, not proof: read the flagged sentences."
          "</footer>\n",
          out);
}

static int entry_cmp(const void *pa, const void *pb) {
    const html_entry *a = pa, *b = pb;
    bool na = isnan(a->score), nb = isnan(b->score);
    if (na != nb)
        return na ? 1 : -1; /* unsupported last */
    if (!na && a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void html_summary(FILE *out, report_html *h) {
    size_t count[DET_UNSUPPORTED + 1] = {0}, hist[HTML_HIST_BINS] = {0}, flagged = 0, maxh = 1;
    for (size_t i = 0; i < h->n; ++i) {
        const html_entry *e = &h->e[i];
        if ((unsigned)e->verdict <= DET_UNSUPPORTED)
            ++count[e->verdict];
        flagged += doc_is_flagged(e);
        if (!isnan(e->score)) {
            int k = e->score >= 1  ? HTML_HIST_BINS - 1
                    : e->score > 0 ? (int)(e->score * HTML_HIST_BINS)
                                   : 0;
            if (k >= HTML_HIST_BINS)
                k = HTML_HIST_BINS - 1;
            if (++hist[k] > maxh)
                maxh = hist[k];
        }
    }
    fprintf(out,
            "<section id=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">"
            "Summary: %zu document%s, %zu flagged</h2>\n<ul class=\"counts\">",
            h->n, h->n == 1 ? "" : "s", flagged);
    for (int v = DET_NATURAL; v <= DET_UNSUPPORTED; ++v)
        if (count[v] || v <= DET_SPUN)
            fprintf(out, "<li><span class=\"v v-%s\">%s</span> %zu</li>",
                    det_verdict_name((det_verdict)v), det_verdict_name((det_verdict)v), count[v]);
    fputs("</ul>\n", out);
    /* The histogram: ten bars, inline SVG, with the counts as text. */
    const int W = 540, H = 150, left = 30, bottom = 30, bw = (W - left - 20) / HTML_HIST_BINS;
    fprintf(out,
            "<figure><svg role=\"img\" aria-labelledby=\"hist-t\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\">"
            "<title id=\"hist-t\">Histogram of document spin scores</title>\n",
            W, H, W, H);
    for (int k = 0; k < HTML_HIST_BINS; ++k) {
        int bh = (int)((double)hist[k] / (double)maxh * (H - bottom - 18));
        int x = left + k * bw, y = H - bottom - bh;
        int b = band((k + 0.5) / HTML_HIST_BINS);
        fprintf(out,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                "stroke=\"#000\" stroke-width=\"%d\"><title>%.1f&#8211;%.1f: %zu</title></rect>"
                "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%zu</text>\n",
                x + 2, y, bw - 4, bh, band_bg[b], bh > 0, k / 10.0, (k + 1) / 10.0, hist[k],
                x + bw / 2, y - 4, hist[k]);
    }
    for (int k = 0; k <= HTML_HIST_BINS; k += 2)
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%.1f</text>",
                left + k * bw, H - bottom + 16, k / 10.0);
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">document spin "
            "score (0 natural, 1 machine-made)</text></svg>\n"
            "<figcaption>Documents per score band; %zu not judged (not English, too short, "
            "markup or code) are not in the histogram.</figcaption></figure>\n</section>\n",
            left, H - bottom, left + HTML_HIST_BINS * bw, H - bottom,
            left + HTML_HIST_BINS * bw / 2, H - 2, count[DET_UNSUPPORTED]);
}

static void html_list(FILE *out, report_html *h) {
    html_entry *sorted = malloc((h->n ? h->n : 1) * sizeof *sorted);
    fputs("<span id=\"flagged-only\"></span><span id=\"all\"></span>\n<nav "
          "aria-labelledby=\"list-h\">"
          "<h2 id=\"list-h\">Documents, highest score first</h2>\n"
          "<p class=\"views\">Show: <a class=\"only\" href=\"#flagged-only\">flagged only</a>"
          "<a class=\"all\" href=\"#all\">all documents</a></p>\n<ol class=\"doclist\">\n",
          out);
    const html_entry *v = h->e;
    if (sorted) {
        memcpy(sorted, h->e, h->n * sizeof *sorted);
        qsort(sorted, h->n, sizeof *sorted, entry_cmp);
        v = sorted;
    }
    for (size_t i = 0; i < h->n; ++i) {
        const html_entry *e = &v[i];
        fprintf(out,
                "<li class=\"%s\"><a href=\"#d%zu\"><span class=\"v v-%s\">%s</span> "
                "<b class=\"b%d\">",
                doc_is_flagged(e) ? "flagged" : "clean", e->index, det_verdict_name(e->verdict),
                det_verdict_name(e->verdict), band(e->score));
        html_number(out, "%.2f", e->score);
        fputs("</b> <bdi>", out);
        report_html_text(out, e->id, strlen(e->id));
        fprintf(out, "</bdi></a> &#183; %zu of %zu sentences flagged</li>\n", e->flagged, e->prose);
    }
    fputs("</ol>\n</nav>\n", out);
    free(sorted);
}

static spin_status html_begin(report_options *o) {
    html_state_free(o);
    report_html *h = calloc(1, sizeof *h);
    if (!h)
        return SPIN_ENOMEM;
    h->body = open_memstream(&h->body_buf, &h->body_len);
    if (!h->body) {
        free(h);
        return SPIN_ENOMEM;
    }
    o->html = h;
    return SPIN_OK;
}

static spin_status html_add(const report_options *o, const report_doc *doc) {
    report_html *h = o->html;
    if (!h)
        return SPIN_EINVAL;
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 16;
        html_entry *e = realloc(h->e, nc * sizeof *e);
        if (!e)
            return SPIN_ENOMEM;
        h->e = e;
        h->cap = nc;
    }
    const det_result *r = doc->result;
    const char *id = doc->id ? doc->id : "";
    html_entry *e = &h->e[h->n];
    if (!(e->id = dup_bytes(id, strlen(id))))
        return SPIN_ENOMEM;
    if (doc->provenance && !h->provenance &&
        !(h->provenance = dup_bytes(doc->provenance, strlen(doc->provenance)))) {
        free(e->id);
        return SPIN_ENOMEM;
    }
    e->score = r->verdict == DET_UNSUPPORTED ? NAN : r->spin_score;
    e->verdict = r->verdict;
    e->flagged = r->flagged;
    e->prose = r->prose;
    e->index = ++h->n;
    html_document(h->body, o, doc, e->index);
    return ferror(h->body) ? SPIN_ENOMEM : SPIN_OK;
}

static spin_status html_end(FILE *out, report_options *o) {
    report_html *h = o->html;
    if (!h)
        return SPIN_EINVAL;
    if (fflush(h->body) != 0 || ferror(h->body)) {
        html_state_free(o);
        return SPIN_ENOMEM;
    }
    const char *title = o->title ? o->title : "spinscan report";
    fputs(html_head, out);
    fputs("<title>", out);
    report_html_text(out, title, strlen(title));
    fputs("</title>\n", out);
    fputs(html_style, out);
    html_css_bands(out);
    fputs("</style>\n</head>\n<body>\n<header><h1>", out);
    report_html_text(out, title, strlen(title));
    fputs("</h1></header>\n<main>\n", out);
    html_summary(out, h);
    html_legend(out);
    html_list(out, h);
    fputs("<div id=\"documents\">\n", out);
    fwrite(h->body_buf, 1, h->body_len, out);
    fputs("</div>\n</main>\n", out);
    html_footer(out, h->provenance ? h->provenance : o->provenance);
    fputs("</body>\n</html>\n", out);
    html_state_free(o);
    return SPIN_OK;
}

/* ---- entry points ---- */

spin_status report_begin(FILE *out, report_options *o) {
    if (o->format == REPORT_HTML) {
        spin_status st = html_begin(o);
        if (st != SPIN_OK)
            return st;
    }
    return status_of(out);
}

spin_status report_document(FILE *out, const report_options *o, const report_doc *doc) {
    switch (o->format) {
    case REPORT_TEXT:
        text_document(out, o, doc);
        break;
    case REPORT_JSON:
        json_document(out, doc);
        break;
    case REPORT_HTML:
        return html_add(o, doc);
    }
    return status_of(out);
}

spin_status report_end(FILE *out, report_options *o) {
    if (o->format == REPORT_HTML) {
        spin_status st = html_end(out, o);
        if (st != SPIN_OK)
            return st;
    } else if (o->format == REPORT_TEXT && o->provenance) {
        fputs(o->color ? ANSI_DIM "-- " : "-- ", out);
        write_identity(out, o->provenance, false);
        fputs(o->color ? ANSI_RESET "\n" : "\n", out);
    }
    if (fflush(out) != 0)
        return SPIN_EIO;
    return status_of(out);
}

void report_abandon(report_options *o) {
    html_state_free(o);
}
