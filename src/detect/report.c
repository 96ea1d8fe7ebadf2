/* report.c - text, JSON and HTML reports of detection results.
 *
 * Invariants: every byte of document text reaches the output through
 * utf8_next() and one format's filter (report.h says which characters each
 * format replaces or escapes), so no report can carry invalid UTF-8, and
 * neither a terminal escape sequence (text) nor markup (HTML) from a document.
 *
 * JSON object per document (SPEC.md "score -f json"; fields marked + are
 * extras):
 *   id, spin_score, verdict, tokens, oov, perplexity,
 *   +log10prob, +bytes, +prose, +flagged, +doc_features {name: value},
 *   sentences: [{start, end, text, spin, flagged, log10prob, perplexity, z,
 *                kind, +tokens, +oov, +split, +features {name: value}}]
 */
#include "detect/report.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "text/tokenize.h"

#define BAD_UTF8 UINT32_MAX
#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* Decodes the character at 's' (n >= 1 bytes left) into *cp and returns its
 * length.  An ill-formed sequence gives *cp = BAD_UTF8 and the length of its
 * maximal subpart (Unicode's "best practice": one U+FFFD per maximal prefix
 * of a well-formed sequence, or per single byte that starts none). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    size_t need;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        *cp = BAD_UTF8;
        return 1;
    }
    size_t i = 1;
    for (; i <= need && i < n; ++i) {
        unsigned b = s[i];
        if (b < lo || b > hi)
            break;
        lo = 0x80, hi = 0xBF;
        v = (v << 6) | (b & 0x3F);
    }
    if (i <= need) {
        *cp = BAD_UTF8;
        return i;
    }
    *cp = v;
    return i;
}

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
        bool verbatim = cp != BAD_UTF8 && cp != '"' && cp != '\\' && !is_control(cp) &&
                        cp != 0x2028 && cp != 0x2029;
        if (verbatim) {
            i += k;
            continue;
        }
        flush_run(out, p, &run, i, i + k);
        if (cp == BAD_UTF8)
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
    size_t top[EVIDENCE_WORDS], ntop = 0;
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
    for (size_t k = 0; k < ntop; ++k)
        fprintf(out, "%s[%zu, %zu]", k ? ", " : "", w[top[k]].start, w[top[k]].end);
    fputs("]", out);
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
        fprintf(out, "%s\"%s\": ", f ? ", " : "", det_doc_feature_name((det_doc_feature)f));
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
        } else if (cp == BAD_UTF8 || is_control(cp) || is_bidi_control(cp)) {
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
#define HTML_BUCKETS 10

static int bucket(double spin) {
    if (!(spin > 0))
        return 0; /* NaN too */
    if (spin >= 1)
        return HTML_BUCKETS - 1; /* converting inf or a huge value to int is undefined */
    int k = (int)(spin * HTML_BUCKETS);
    return k >= HTML_BUCKETS ? HTML_BUCKETS - 1 : k;
}

/* HTML text; with 'no_bidi' the bidi controls become U+FFFD as well (text
 * between sentences, which no isolate encloses). */
static void html_chars(FILE *out, const char *s, size_t len, bool no_bidi) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_next(p + i, len - i, &cp);
        if (cp != BAD_UTF8 && !is_control(cp) && cp != '&' && cp != '<' && cp != '>' && cp != '"' &&
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

static void html_number(FILE *out, const char *fmt, double v) {
    if (isfinite(v))
        fprintf(out, fmt, v);
    else
        fputs(isnan(v) ? "n/a" : v > 0 ? "&#8734;" : "-&#8734;", out);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

static const char html_style[] =
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;"
    "color:#111;background:#fff;line-height:1.5}\n"
    "h1{font-size:1.3em}h2{font-size:1.1em;margin-bottom:.2em;word-break:break-all}\n"
    ".sum{margin-top:0}.sum b{padding:0 .3em}\n"
    ".text{white-space:pre-wrap;border:1px solid #ccc;padding:.8em;border-radius:4px}\n"
    ".s:hover,.x:hover{outline:1px solid #333}\n"
    /* Each sentence is a bidi isolate: an unterminated RLO or LRI inside one
     * cannot reorder the sentences after it (Trojan Source). */
    ".s,.x{unicode-bidi:isolate}h1,h2{unicode-bidi:isolate}\n"
    ".f{text-decoration:underline wavy #a00;text-decoration-thickness:1px}\n"
    ".x{color:#666;font-style:italic}\n"
    ".legend span{display:inline-block;padding:0 .5em;margin:0 .1em}\n"
    ".v{font-weight:bold;padding:0 .3em;border-radius:3px;color:#fff}\n"
    ".v-natural{background:#2a7d2a}.v-suspect{background:#a66a00}"
    ".v-spun,.v-salad{background:#b00}\n";

static spin_status status_of(FILE *out) {
    return ferror(out) ? SPIN_EIO : SPIN_OK;
}

static void html_begin(FILE *out, const report_options *o) {
    const char *title = o->title ? o->title : "spinscan report";
    fputs(html_head, out);
    fputs("<title>", out);
    report_html_text(out, title, strlen(title));
    fputs("</title>\n", out);
    fputs(html_style, out);
    /* Hue from green (120) to red (0), lightness from pale to strong. */
    for (int k = 0; k < HTML_BUCKETS; ++k)
        fprintf(out, ".b%d{background:hsl(%d,%d%%,%d%%)}\n", k, 120 - k * 40 / 3, 55 + k * 3,
                93 - k * 3);
    fputs("</style>\n</head>\n<body>\n<h1>", out);
    report_html_text(out, title, strlen(title));
    fputs("</h1>\n<p class=\"legend\">Sentence spin score: ", out);
    for (int k = 0; k < HTML_BUCKETS; ++k)
        fprintf(out, "<span class=\"b%d\">%.1f&#8211;%.1f</span>", k, k / 10.0, (k + 1) / 10.0);
    fputs("<br><span class=\"f\">wavy underline</span> = flagged sentence; "
          "<span class=\"x\">grey italics</span> = heading or boilerplate (not judged). "
          "Hover over a sentence for its figures.</p>\n",
          out);
}

static void html_document(FILE *out, const report_doc *doc) {
    const det_result *r = doc->result;
    const char *id = doc->id ? doc->id : "";
    fputs("<section>\n<h2>", out);
    report_html_text(out, id, strlen(id));
    fprintf(out,
            "</h2>\n<p class=\"sum\"><span class=\"v v-%s\">%s</span> spin score <b class=\"b%d\">",
            det_verdict_name(r->verdict), det_verdict_name(r->verdict), bucket(r->spin_score));
    html_number(out, "%.2f", r->spin_score);
    fprintf(out, "</b> &#183; %zu tokens, %zu OOV &#183; perplexity ", r->tokens, r->oov);
    html_number(out, "%.1f", r->perplexity);
    fprintf(out, " &#183; %zu of %zu prose sentences flagged</p>\n<div class=\"text\">", r->flagged,
            r->prose);
    size_t prev = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        size_t a, b;
        span(doc, s, prev, &a, &b);
        html_chars(out, doc->text + prev, a - prev, true);
        prev = b;
        /* The title's line breaks are character references: tooltips show them. */
        if (s->kind == TOK_PROSE) {
            fprintf(out, "<span class=\"s b%d%s\" title=\"spin ", bucket(s->spin),
                    s->flagged ? " f" : "");
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
        report_html_text(out, doc->text + a, b - a);
        fputs("</span>", out);
    }
    html_chars(out, doc->text + prev, doc->len - prev, true);
    fputs("</div>\n", out);
    if (doc->provenance) { /* the tool version and the model's identity, as JSON */
        fputs("<p class=\"meta\"><small>", out);
        report_html_text(out, doc->provenance, strlen(doc->provenance));
        fputs("</small></p>\n", out);
    }
    fputs("</section>\n", out);
}

/* ---- entry points ---- */

spin_status report_begin(FILE *out, const report_options *o) {
    if (o->format == REPORT_HTML)
        html_begin(out, o);
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
        html_document(out, doc);
        break;
    }
    return status_of(out);
}

spin_status report_end(FILE *out, const report_options *o) {
    if (o->format == REPORT_HTML)
        fputs("</body>\n</html>\n", out);
    if (fflush(out) != 0)
        return SPIN_EIO;
    return status_of(out);
}
