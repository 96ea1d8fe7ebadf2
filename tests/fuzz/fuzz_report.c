/* fuzz_report.c - the report writers (report.h) as a round trip.
 *
 * Input: bytes 0-2 choose, the rest is the document text.
 *   byte 0 bits 0-1  format: 0 text, 1 json, 2 html, 3 all three
 *          bit 2     colour (text format)
 *          bit 3     results from the detector with a tiny in-memory model,
 *                    else a det_result built by hand over the text
 *          bit 4     (hand-built) arbitrary, out-of-order, out-of-range
 *                    offsets: only validity is checked, not the round trip
 *   byte 1           (hand-built) number of sentences, mod 16
 *   byte 2           (hand-built) seed for offsets, kinds and numbers
 * The document id is the text up to its first NUL or newline (at most 80
 * bytes).
 *
 * Checks: JSON output parses under a strict reader (json_check.c) and its id
 * and every sentence's text decode to exactly the document's bytes with each
 * ill-formed UTF-8 subpart replaced by U+FFFD; U+2028, U+2029, DEL and C1
 * never appear raw.  HTML output is valid UTF-8, the only tags inside the
 * text div are the writer's own <span>s, and with them removed and entities
 * decoded the div holds the whole document, filtered as report.h says.
 * Text output without colour holds no control character but newlines and
 * no bidi control.
 */
#define _GNU_SOURCE /* open_memstream on older C libraries */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "fuzz.h"
#include "support/json_check.h"
#include "detect/report.h"
#include "tiny_model.h"

static spin_model *model;
static detector *det;

static uint32_t rnd(uint32_t *s) {
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static double odd_number(uint32_t *s) {
    static const double v[] = {0.0,   0.5,     1.0,    0.999999, 0.123456789,
                               1e308, -1e-308, 5e-324, -0.0,     42.0};
    uint32_t k = rnd(s) % 13;
    if (k == 10)
        return NAN;
    if (k == 11)
        return INFINITY;
    if (k == 12)
        return -INFINITY;
    return v[k];
}

/* ---- expected text ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void reserve(buf *b, size_t more) {
    if (b->len + more + 1 <= b->cap)
        return;
    b->cap = (b->len + more + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p)
        abort();
}

static bool is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_bidi(uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

/* What the report shows of the 'n' bytes at 's', appended to 'b'.  JSON: the
 * string decodes to the text with U+FFFD for ill-formed parts.  HTML (after
 * entities are decoded): also LF and TAB kept, CR LF -> LF, lone CR -> LF,
 * other controls and bidi controls -> U+FFFD. */
static void expect_text(buf *b, const char *s, size_t n, bool html) {
    const unsigned char *p = (const unsigned char *)s;
    reserve(b, n * 3 + 4);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = jc_utf8_next(p + i, n - i, &cp);
        bool keep = true;
        if (cp == JC_BAD) {
            cp = 0xFFFD;
        } else if (html && cp == '\r') {
            keep = !(i + 1 < n && p[i + 1] == '\n'); /* the LF follows */
            cp = '\n';
        } else if (html && ((is_control(cp) && cp != '\n' && cp != '\t') || is_bidi(cp))) {
            cp = 0xFFFD;
        }
        if (keep)
            jc_put_utf8(b->p, &b->len, cp);
        i += k;
    }
}

/* ---- checks ---- */

static void check_json(const char *out, size_t out_len, const report_doc *doc, bool tidy) {
    jc_value v;
    FUZZ_CHECK(jc_parse_loud(out, out_len, &v), "the JSON report parses");
    FUZZ_CHECK(out_len > 0 && out[out_len - 1] == '\n', "one line per document");
    FUZZ_CHECK(memchr(out, '\n', out_len) == out + out_len - 1, "exactly one line");
    for (size_t i = 0; i + 2 < out_len; ++i)
        FUZZ_CHECK(!((unsigned char)out[i] == 0xE2 && (unsigned char)out[i + 1] == 0x80 &&
                     ((unsigned char)out[i + 2] == 0xA8 || (unsigned char)out[i + 2] == 0xA9)),
                   "U+2028 and U+2029 are escaped");
    for (size_t i = 0; i < out_len; ++i) {
        FUZZ_CHECK(out[i] != 0x7F, "DEL is escaped");
        FUZZ_CHECK(!((unsigned char)out[i] == 0xC2 && i + 1 < out_len &&
                     (unsigned char)out[i + 1] >= 0x80 && (unsigned char)out[i + 1] <= 0x9F),
                   "C1 controls are escaped");
    }
    buf want = {0};
    const jc_value *id = jc_get(&v, "id");
    FUZZ_CHECK(id && id->type == JC_STRING, "id is a string");
    expect_text(&want, doc->id, strlen(doc->id), false);
    FUZZ_CHECK(id->len == want.len && memcmp(id->str, want.p, want.len) == 0, "the id comes back");
    const jc_value *sents = jc_get(&v, "sentences");
    FUZZ_CHECK(sents && sents->type == JC_ARRAY, "sentences is an array");
    FUZZ_CHECK(sents->n == doc->result->nsentences, "one object per sentence");
    for (size_t i = 0; i < sents->n; ++i) {
        const jc_value *s = &sents->items[i];
        const jc_value *start = jc_get(s, "start"), *end = jc_get(s, "end");
        const jc_value *text = jc_get(s, "text");
        FUZZ_CHECK(start && start->type == JC_NUMBER && end && end->type == JC_NUMBER,
                   "offsets are numbers");
        FUZZ_CHECK(text && text->type == JC_STRING, "text is a string");
        FUZZ_CHECK(start->number >= 0 && start->number <= end->number && end->number <= doc->len,
                   "offsets inside the document");
        if (tidy) {
            const det_sentence *ds = &doc->result->sentences[i];
            FUZZ_CHECK(start->number == (double)ds->start && end->number == (double)ds->end,
                       "offsets as given");
        }
        want.len = 0;
        size_t a = (size_t)start->number, b = (size_t)end->number;
        expect_text(&want, doc->text + a, b - a, false);
        FUZZ_CHECK(text->len == want.len && memcmp(text->str, want.p, want.len) == 0,
                   "each sentence's text comes back, escaped and replaced as documented");
    }
    free(want.p);
    jc_free(&v);
}

static const char *find(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; ++i)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* No '<' between 'open' and 'close' (title, heading). */
static void check_plain_element(const char *out, size_t n, const char *open, const char *close) {
    const char *a = find(out, n, open);
    if (!a)
        return;
    a += strlen(open);
    const char *b = find(a, n - (size_t)(a - out), close);
    FUZZ_CHECK(b != NULL, "element is closed");
    FUZZ_CHECK(memchr(a, '<', (size_t)(b - a)) == NULL, "no markup from the document in it");
}

static void check_html(const char *out, size_t n, const report_doc *doc, bool tidy) {
    FUZZ_CHECK(jc_valid_utf8(out, n), "HTML is valid UTF-8");
    check_plain_element(out, n, "<title>", "</title>");
    check_plain_element(out, n, "<bdi class=\"id\">", "</bdi>");
    const char *div = find(out, n, "<div class=\"text\">");
    FUZZ_CHECK(div != NULL, "the text div is there");
    const char *p = div + strlen("<div class=\"text\">");
    const char *end = find(p, n - (size_t)(p - out), "</div>\n");
    FUZZ_CHECK(end != NULL, "the text div is closed");
    buf got = {0};
    reserve(&got, (size_t)(end - p));
    int open_spans = 0;
    while (p < end) {
        if (*p == '<') {
            bool opening = (size_t)(end - p) > 6 && memcmp(p, "<span ", 6) == 0;
            bool closing = (size_t)(end - p) >= 7 && memcmp(p, "</span>", 7) == 0;
            FUZZ_CHECK(opening || closing, "no raw '<' from the document");
            const char *gt = memchr(p, '>', (size_t)(end - p));
            FUZZ_CHECK(gt != NULL, "tag is closed");
            FUZZ_CHECK(memchr(p + 1, '<', (size_t)(gt - p - 1)) == NULL, "no '<' inside a tag");
            open_spans += opening ? 1 : -1;
            FUZZ_CHECK(open_spans >= 0 && open_spans <= 2, "sentence and word spans only");
            p = gt + 1;
        } else if (*p == '&') {
            static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            static const char chr[] = "&<>\"'";
            int k = 0;
            while (k < 5 &&
                   !((size_t)(end - p) >= strlen(ent[k]) && memcmp(p, ent[k], strlen(ent[k])) == 0))
                ++k;
            FUZZ_CHECK(k < 5, "only the five entities in document text");
            got.p[got.len++] = chr[k];
            p += strlen(ent[k]);
        } else {
            FUZZ_CHECK(*p != '>' && *p != '"' && *p != '\'', "markup characters are escaped");
            got.p[got.len++] = *p++;
        }
    }
    FUZZ_CHECK(open_spans == 0, "every span is closed");
    if (tidy) {
        buf want = {0};
        const det_result *r = doc->result;
        size_t prev = 0;
        for (size_t i = 0; i < r->nsentences; ++i) {
            expect_text(&want, doc->text + prev, r->sentences[i].start - prev, true);
            expect_text(&want, doc->text + r->sentences[i].start,
                        r->sentences[i].end - r->sentences[i].start, true);
            prev = r->sentences[i].end;
        }
        expect_text(&want, doc->text + prev, doc->len - prev, true);
        FUZZ_CHECK(got.len == want.len && memcmp(got.p, want.p, want.len) == 0,
                   "the div holds the document, escaped as documented");
        free(want.p);
    }
    free(got.p);
}

static void check_text(const char *out, size_t n, bool color) {
    FUZZ_CHECK(jc_valid_utf8(out, n), "text report is valid UTF-8");
    const unsigned char *p = (const unsigned char *)out;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = jc_utf8_next(p + i, n - i, &cp);
        if (cp == 0x1B)
            FUZZ_CHECK(color && i + 1 < n && p[i + 1] == '[', "escapes only for colour");
        else
            FUZZ_CHECK(cp == '\n' || !is_control(cp), "no control characters");
        FUZZ_CHECK(!((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                     cp == 0x200E || cp == 0x200F || cp == 0x061C),
                   "no bidi controls");
        i += k;
    }
}

/* ---- driver ---- */

static void write_report(const report_doc *doc, report_format f, bool color, char **out,
                         size_t *out_len) {
    FILE *mem = open_memstream(out, out_len);
    FUZZ_CHECK(mem != NULL, "open_memstream");
    report_options o = {f, color, doc->id, NULL, NULL, NULL};
    FUZZ_CHECK(report_begin(mem, &o) == SPIN_OK, "report_begin");
    FUZZ_CHECK(report_document(mem, &o, doc) == SPIN_OK, "report_document");
    FUZZ_CHECK(report_end(mem, &o) == SPIN_OK, "report_end");
    fclose(mem);
}

static void build_result(det_result *r, size_t len, unsigned nsent, uint32_t seed, bool untidy) {
    memset(r, 0, sizeof *r);
    r->sentences = calloc(nsent ? nsent : 1, sizeof *r->sentences);
    r->nsentences = r->cap = nsent;
    /* Tidy: sorted cut points tile [0, len) with gaps. */
    size_t cuts[32];
    for (unsigned i = 0; i < 2 * nsent; ++i)
        cuts[i] = len ? rnd(&seed) % (len + 1) : 0;
    for (unsigned i = 1; i < 2 * nsent; ++i)
        for (unsigned j = i; j > 0 && cuts[j - 1] > cuts[j]; --j) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    for (unsigned i = 0; i < nsent; ++i) {
        det_sentence *s = &r->sentences[i];
        if (untidy) {
            s->start = rnd(&seed) % (len + 16);
            s->end = rnd(&seed) % (len + 16);
            if (rnd(&seed) % 8 == 0)
                s->end = SIZE_MAX - rnd(&seed) % 4;
        } else {
            s->start = cuts[2 * i];
            s->end = cuts[2 * i + 1];
        }
        s->kind = (tok_seg_kind)(rnd(&seed) % 3);
        s->split = rnd(&seed) & 1;
        s->tokens = rnd(&seed);
        s->oov = rnd(&seed);
        s->log10prob = (float)odd_number(&seed);
        s->perplexity = odd_number(&seed);
        for (int f = 0; f < DET_NFEATURES; ++f)
            s->feature[f] = odd_number(&seed);
        s->spin = odd_number(&seed);
        s->z = odd_number(&seed);
        s->flagged = rnd(&seed) & 1;
    }
    r->tokens = rnd(&seed);
    r->oov = rnd(&seed);
    r->prose = rnd(&seed) % 100;
    r->flagged = rnd(&seed) % 100;
    r->log10prob = odd_number(&seed);
    r->perplexity = odd_number(&seed);
    for (int f = 0; f < DET_NDOC_FEATURES; ++f)
        r->doc_feature[f] = odd_number(&seed);
    r->spin_score = odd_number(&seed);
    r->verdict = (det_verdict)(rnd(&seed) % 5);
    r->abstain =
        r->verdict == DET_UNSUPPORTED ? (det_abstain)(1 + rnd(&seed) % 4) : DET_ABSTAIN_NONE;
    if (rnd(&seed) % 2)
        snprintf(r->language, sizeof r->language, "%s",
                 r->verdict == DET_UNSUPPORTED ? "de" : "en");
}

static void check_detected(const det_result *r, size_t len) {
    size_t prev = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        FUZZ_CHECK(s->start >= prev && s->start <= s->end && s->end <= len,
                   "detected sentences inside the text, in order");
        FUZZ_CHECK(!(s->spin < 0) && !(s->spin > 1), "sentence spin in [0, 1]");
        prev = s->end;
    }
    if (r->verdict == DET_UNSUPPORTED) {
        FUZZ_CHECK(isnan(r->spin_score) && r->flagged == 0 && r->abstain != DET_ABSTAIN_NONE,
                   "an unsupported document: no score, nothing flagged, a reason");
    } else {
        FUZZ_CHECK(r->spin_score >= 0 && r->spin_score <= 1, "document score in [0, 1]");
        FUZZ_CHECK(r->abstain == DET_ABSTAIN_NONE, "a judged document has no abstain reason");
    }
    FUZZ_CHECK(r->flagged <= r->prose && r->prose <= r->nsentences, "counts consistent");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input fz;
    if (!fuzz_split(data, size, 3, &fz))
        return 0;
    bool detected = fz.opt & 8, untidy = !detected && (fz.opt & 16);

    char id[81];
    size_t idl = 0;
    while (idl < fz.len && idl < 80 && fz.body[idl] != '\0' && fz.body[idl] != '\n') {
        id[idl] = fz.body[idl];
        ++idl;
    }
    id[idl] = '\0';

    det_result r;
    memset(&r, 0, sizeof r);
    if (detected) {
        if (!model) {
            det_params params;
            det_params_default(&params);
            FUZZ_CHECK(spin_model_open_memory(tiny_model_arpa, sizeof tiny_model_arpa - 1, "tiny",
                                              NULL, &model, NULL) == SPIN_OK,
                       "the tiny model loads");
            /* detector_new keeps a pointer to the parameters. */
            static det_params kept;
            kept = params;
            FUZZ_CHECK(detector_new(model, NULL, &kept, &det, NULL) == SPIN_OK, "detector");
        }
        /* opt bit 16 (unused by detected inputs): judge everything, so that
         * short inputs still reach the scoring path */
        detector_set_abstain(det, !(fz.opt & 16));
        spin_diag d;
        spin_status st = detect_run(det, fz.body, fz.len, &r, &d);
        if (st != SPIN_OK) {
            FUZZ_CHECK(st == SPIN_EFORMAT, "detection fails only for binary input");
            det_result_free(&r);
            return 0;
        }
        check_detected(&r, fz.len);
    } else {
        build_result(&r, fz.len, data[1] % 16, data[2] * 2654435761u + 1, untidy);
    }
    report_doc doc = {id, fz.body, fz.len, &r, NULL};
    bool tidy = !untidy;
    unsigned fmt = fz.opt & 3;
    for (unsigned f = 0; f < 3; ++f) {
        if (fmt != 3 && f != fmt)
            continue;
        char *out = NULL;
        size_t out_len = 0;
        bool color = fz.opt & 4;
        write_report(&doc, (report_format)f, color, &out, &out_len);
        if (f == REPORT_JSON)
            check_json(out, out_len, &doc, tidy);
        else if (f == REPORT_HTML)
            check_html(out, out_len, &doc, tidy);
        else
            check_text(out, out_len, color);
        free(out);
    }
    if (detected)
        det_result_free(&r);
    else
        free(r.sentences);
    return 0;
}
