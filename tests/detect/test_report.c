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
#include "support/json_check.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

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
    s.reason = flagged ? DET_REASON_THRESHOLD : DET_REASON_NONE;
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
    report_options o = {fmt, color, NULL, NULL, NULL, NULL};
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
    report_doc docs[2] = {{id, tricky, n, &r, NULL}, {"second.txt", "Short.", 6, &r2, NULL}};

    size_t len;
    char *out = render(REPORT_JSON, false, docs, 1, &len);
    ok(len > 0 && out[len - 1] == '\n' && memchr(out, '\n', len) == out + len - 1,
       "one document: exactly one line");
    jc_value v;
    const char *err = NULL;
    bool parsed = jc_parse(out, len, &v, &err);
    ok(parsed, "the output is valid JSON%s%s", err ? ": " : "", err ? err : "");
    if (!parsed) {
        free(out);
        return;
    }
    const jc_value *f;
    ok((f = jc_get(&v, "id")) && f->type == JC_STRING && f->len == strlen(id) + 2 &&
           !memcmp(f->str, "dir/odd \"name\"\n\xEF\xBF\xBD.txt", f->len),
       "id round-trips (quote, newline; invalid byte as U+FFFD)");
    ok((f = jc_get(&v, "spin_score")) && f->type == JC_NUMBER && f->number == 0.875,
       "spin_score: number");
    ok((f = jc_get(&v, "verdict")) && f->type == JC_STRING && !strcmp(f->str, "spun"),
       "verdict: \"spun\"");
    ok((f = jc_get(&v, "tokens")) && f->type == JC_NUMBER && f->integer &&
           f->number == 5.0 * (double)ns,
       "tokens: integer");
    ok((f = jc_get(&v, "oov")) && f->type == JC_NUMBER && f->integer && f->number == 1,
       "oov: integer");
    ok((f = jc_get(&v, "perplexity")) && f->type == JC_NUMBER && f->number == 99.5,
       "perplexity: number");
    const jc_value *sa = jc_get(&v, "sentences");
    ok(sa && sa->type == JC_ARRAY && sa->n == ns, "sentences: array of %zu", ns);
    if (sa && sa->type == JC_ARRAY && sa->n == ns) {
        size_t exp_len;
        char *expected = jc_replace_invalid(tricky, n, &exp_len);
        char *joined = malloc(exp_len + 64 * ns + 1);
        size_t jl = 0;
        bool types = true, offsets = true, kinds = true;
        for (size_t i = 0; i < ns; ++i) {
            const jc_value *o = &sa->items[i], *t = jc_get(o, "text");
            const jc_value *st = jc_get(o, "start"), *en = jc_get(o, "end");
            types = types && t && t->type == JC_STRING && st && st->type == JC_NUMBER &&
                    st->integer && en && en->type == JC_NUMBER && en->integer &&
                    (f = jc_get(o, "spin")) && f->type == JC_NUMBER && (f = jc_get(o, "flagged")) &&
                    f->type == JC_BOOL && f->boolean == s[i].flagged &&
                    (f = jc_get(o, "log10prob")) && (f->type == JC_NUMBER || f->type == JC_NULL) &&
                    (f = jc_get(o, "perplexity")) && (f->type == JC_NUMBER || f->type == JC_NULL) &&
                    (f = jc_get(o, "z")) && (f->type == JC_NUMBER || f->type == JC_NULL) &&
                    (f = jc_get(o, "features")) && f->type == JC_OBJECT && f->n == DET_NFEATURES;
            offsets = offsets && st && en && st->number == (double)s[i].start &&
                      en->number == (double)s[i].end;
            f = jc_get(o, "kind");
            kinds = kinds && f && f->type == JC_STRING &&
                    !strcmp(f->str, tokenize_seg_kind_name((tok_seg_kind)s[i].kind));
            if (t && t->type == JC_STRING && jl + t->len <= exp_len) {
                memcpy(joined + jl, t->str, t->len);
                jl += t->len;
            }
        }
        ok(types, "every sentence has every field, with the right type");
        ok(offsets, "start and end are the byte offsets given");
        ok(kinds, "kind is prose, heading or boilerplate as given");
        ok(jl == exp_len && !memcmp(joined, expected, exp_len),
           "every byte of the text round-trips (ill-formed UTF-8 as U+FFFD)");
        const jc_value *last = &sa->items[ns - 1];
        ok((f = jc_get(last, "perplexity")) && f->type == JC_NULL, "infinite perplexity is null");
        ok((f = jc_get(last, "log10prob")) && f->type == JC_NULL, "-inf log10prob is null");
        ok((f = jc_get(last, "z")) && f->type == JC_NULL, "NaN z is null");
        f = jc_get(&sa->items[2], "features");
        ok(f && f->n && !strcmp(f->keys[1], det_feature_name((det_feature)1)) &&
               f->items[1].number == 0.125,
           "features are named with det_feature_name");
        free(expected);
        free(joined);
    }
    jc_free(&v);
    free(out);

    /* JSON Lines: two documents, two lines, each an object. */
    out = render(REPORT_JSON, false, docs, 2, &len);
    char *nl = memchr(out, '\n', len);
    ok(nl && nl < out + len - 1 && out[len - 1] == '\n', "two documents: two lines");
    if (nl) {
        bool a = jc_parse(out, (size_t)(nl - out), &v, NULL);
        jc_free(&v);
        jc_value w;
        bool b = jc_parse(nl + 1, len - (size_t)(nl + 1 - out), &w, NULL);
        ok(a && b && jc_get(&w, "id") && !strcmp(jc_get(&w, "id")->str, "second.txt"),
           "both lines parse; the second is the second document");
        ok(b && jc_get(&w, "perplexity") && jc_get(&w, "perplexity")->type == JC_NULL,
           "NaN document perplexity is null");
        jc_free(&w);
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
        jc_value v;
        size_t el;
        char *exp = jc_replace_invalid(in, 3, &el);
        bool good = jc_parse(c.buf, c.len, &v, NULL) && v.type == JC_STRING && v.len == el &&
                    !memcmp(v.str, exp, el);
        if (!good) {
            all = false;
            tap_diag("byte 0x%02x: %.*s", b, (int)c.len, c.buf);
        }
        jc_free(&v);
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
        jc_value v;
        size_t el;
        char *exp = jc_replace_invalid(in, n, &el);
        if (!jc_parse(c.buf, c.len, &v, NULL) || v.type != JC_STRING || v.len != el ||
            memcmp(v.str, exp, el))
            ++bad;
        jc_free(&v);
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
    report_doc docs[2] = {{"<b>id</b>.txt", doc, n, &r, NULL}, {"two.txt", doc, n, &r, NULL}};
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
    ok(jc_valid_utf8(out, len), "the page is valid UTF-8 (invalid bytes replaced)");
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
    for (size_t i = 0; i + 5 <= len; ++i) { /* memcmp only within the page */
        html_open += !memcmp(out + i, "<html", 5);
        sections += i + 19 <= len && !memcmp(out + i, "<section class=\"doc", 19);
    }
    is_int(html_open, 1, "two documents: one page");
    is_int(sections, 2, "  with a section per document");
    ok(contains(out, len, "class=\"s sb4 f\" data-spin=\"0.95\" title=\"spin 0.950 (flagged)"),
       "a flagged sentence shows its score in the top band, and its figures in the title");
    ok(contains(out, len, "class=\"s sb2\" data-spin=\"0.42\" title=\"spin 0.420"),
       "a middling sentence is in the middle band");
    ok(contains(out, len, "class=\"x\" title=\"heading: not judged"),
       "the heading is shown as not judged");
    ok(contains(out, len, "class=\"legend\"") && contains(out, len, "<b class=\"b4\">0.88</b>"),
       "legend and document score");
    ok(contains(out, len, "<section id=\"summary\"") &&
           contains(out, len, "Summary: 2 documents, 2 flagged") &&
           contains(out, len, "<a href=\"#d1\">") && contains(out, len, "<a href=\"#d2\">"),
       "a summary, and a list linking each document");
    ok(contains(out, len, "<li><a href=\"#d1-s1\">") &&
           contains(out, len, "<span class=\"r\">over the threshold</span>"),
       "the flagged sentence's reason is in the text, linked to the sentence");
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
    report_doc d = {"doc\033.txt", doc, n, &r, NULL};
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
    ok(jc_valid_utf8(plain, len), "valid UTF-8");
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
    report_doc d = {"x", doc, sizeof doc - 1, &r, NULL};
    size_t len;
    char *out = render(REPORT_JSON, false, &d, 1, &len);
    jc_value v;
    ok(jc_parse(out, len, &v, NULL), "bad offsets: still valid JSON");
    const jc_value *sa = jc_get(&v, "sentences");
    ok(sa && sa->n == 3 && jc_get(&sa->items[1], "start")->number == 6 &&
           jc_get(&sa->items[2], "start")->number == 10 && jc_get(&sa->items[2], "text")->len == 0,
       "  overlapping and out-of-range spans are clamped");
    jc_free(&v);
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
    report_doc d = {"x", "Hello", 5, &r, NULL};
    report_options o = {REPORT_JSON, false, NULL, NULL, NULL, NULL};
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
