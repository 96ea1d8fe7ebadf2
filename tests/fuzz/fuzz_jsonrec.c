/* fuzz_jsonrec.c - JSON Lines records kept byte for byte (crawl/jsonrec.h):
 * jsonrec_parse on any line, then the annotate and attribute lines made from
 * it with a synthetic detection result.
 *
 * Input: byte 0 seeds the synthetic result (how many sentences, where), the
 * rest is the line.
 *
 * Checks: a line that strict JSON (tests/support/json_check.h) reads as an
 * object is never refused as "not a JSON object"; for such a line (without
 * keys that the additions would duplicate), the annotated line is strict JSON
 * whose first members are the input's, values equal, plus the five added
 * ones (or the one error member); the attribute line is always strict JSON
 * for it, its id equal to the input's "id" as a JSON value of the same type
 * (or null), its source the input's; every span lies within the text's code
 * points with start <= end.  A line that is not an object is copied unchanged
 * by annotate.
 */
#include <string.h>

#include "crawl/jsonrec.h"
#include "fuzz.h"
#include "support/json_check.h"

static bool same_value(const jc_value *a, const jc_value *b) {
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JC_NULL:
        return true;
    case JC_BOOL:
        return a->boolean == b->boolean;
    case JC_NUMBER:
        return a->number == b->number && a->integer == b->integer;
    case JC_STRING:
        return a->len == b->len && !memcmp(a->str, b->str, a->len);
    default:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; ++i)
            if (!same_value(&a->items[i], &b->items[i]) ||
                (a->type == JC_OBJECT && strcmp(a->keys[i], b->keys[i])))
                return false;
        return true;
    }
}

static size_t code_points(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; ++k) {
        uint32_t cp;
        i += jc_utf8_next((const unsigned char *)s + i, n - i, &cp);
    }
    return k;
}

static void check_spans(const jc_value *v, size_t ncp) {
    FUZZ_CHECK(v->type == JC_ARRAY, "spans are an array");
    for (size_t i = 0; i < v->n; ++i) {
        const jc_value *s = &v->items[i];
        FUZZ_CHECK(s->type == JC_ARRAY && s->n == 3, "a span is [start, end, score]");
        FUZZ_CHECK(s->items[0].integer && s->items[1].integer, "offsets are integers");
        FUZZ_CHECK(s->items[0].number <= s->items[1].number, "start <= end");
        FUZZ_CHECK(s->items[1].number <= (double)ncp, "end within the text");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input fz;
    if (!fuzz_split(data, size, 1, &fz))
        return 0;
    if (memchr(fz.body, '\n', fz.len))
        return 0; /* one line */

    jc_value in;
    bool strict = jc_parse(fz.body, fz.len, &in, NULL);
    bool object = strict && in.type == JC_OBJECT;
    bool prefixed = false;
    for (size_t i = 0; object && i < in.n; ++i)
        prefixed |= !strncmp(in.keys[i], "sp_", 3);

    jsonrec rec;
    spin_diag d;
    spin_status st = jsonrec_parse(fz.body, fz.len, "text", &rec, &d);
    if (object)
        FUZZ_CHECK(rec.close > 0, "a strict JSON object is parsed");
    if (st == SPIN_OK)
        FUZZ_CHECK(rec.text != NULL, "a parsed record has its text");

    /* A synthetic result: sentences at offsets chosen by the option byte, in order. */
    det_result res;
    memset(&res, 0, sizeof res);
    det_sentence sents[4];
    memset(sents, 0, sizeof sents);
    size_t ns = fz.opt % 5, at = 0;
    for (size_t i = 0; i < ns; ++i) {
        size_t step = rec.text_len ? (fz.opt * (i + 3)) % (rec.text_len + 1) : 0;
        sents[i].start = at;
        sents[i].end = at + step > rec.text_len ? rec.text_len : at + step;
        at = sents[i].end;
        sents[i].kind = i == 2 ? TOK_HEADING : TOK_PROSE;
        sents[i].spin = (double)i / 4;
        sents[i].flagged = (fz.opt >> i) & 1;
    }
    res.sentences = sents;
    res.nsentences = ns;
    res.spin_score = fz.opt / 255.0;
    res.perplexity = fz.opt & 1 ? 1.0 / 0.0 : 123.5;

    jsonbuf a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    jsonrec_annotate(&a, &rec, "sp", st == SPIN_OK ? &res : NULL, "spinscan test", d.message);
    jsonrec_attr_pos pos;
    jsonrec_attributes_at(&b, &rec, "exp__spinscan", st == SPIN_OK ? &res : NULL, "spinscan test",
                          &pos);
    /* rank --families edits the line at these offsets (cli/jsonl_pipe.c). */
    FUZZ_CHECK(pos.close < b.len && b.p[pos.close] == '}' &&
                   !memcmp(b.p + pos.close + 1, ", \"model\": ", 11),
               "pos.close is the attributes' closing brace, before the model");
    if (st == SPIN_OK) {
        FUZZ_CHECK(
            (pos.score_start < pos.score_end && pos.score_end < pos.close) ||
                (pos.score_start == 0 && pos.score_end == 0 && res.spin_score != res.spin_score),
            "the score lies within the line (none when not judged)");
        char *end = NULL;
        double v = strtod(b.p + pos.score_start, &end);
        FUZZ_CHECK(
            (end == b.p + pos.score_end && v == v) ||
                (pos.score_end - pos.score_start == 4 && !memcmp(b.p + pos.score_start, "null", 4)),
            "the score's offsets hold a number or null");
    }
    /* The key: rank's id (a non-empty string id as decoded, when valid UTF-8). */
    const jc_value *kid = strict && object ? jc_get(&in, "id") : NULL;
    if (st == SPIN_OK && kid && kid->type == JC_STRING && kid->len &&
        !memchr(kid->str, '\0', kid->len) && jc_valid_utf8(kid->str, kid->len))
        FUZZ_CHECK(rec.key && rec.key_len == kid->len && !memcmp(rec.key, kid->str, kid->len),
                   "the key is the decoded id");
    FUZZ_CHECK(!a.failed && !b.failed, "no allocation failure");
    FUZZ_CHECK(a.len > 0 && a.p[a.len - 1] == '\n', "annotate ends the line");
    FUZZ_CHECK(b.len > 0 && b.p[b.len - 1] == '\n', "attributes end the line");
    if (rec.close == 0)
        FUZZ_CHECK(a.len == fz.len + 1 && !memcmp(a.p, fz.body, fz.len), "a non-object is copied");

    if (object && !prefixed) {
        jc_value out;
        const char *err = NULL;
        FUZZ_CHECK(jc_parse(a.p, a.len - 1, &out, &err), "the annotated line is strict JSON");
        FUZZ_CHECK(out.type == JC_OBJECT && out.n == in.n + (st == SPIN_OK ? 5 : 1),
                   "the input's members plus the added ones");
        for (size_t i = 0; i < in.n; ++i)
            FUZZ_CHECK(!strcmp(out.keys[i], in.keys[i]) && same_value(&out.items[i], &in.items[i]),
                       "every input member kept, in order");
        jc_free(&out);
    }
    if (object) {
        jc_value att;
        FUZZ_CHECK(jc_parse(b.p, b.len - 1, &att, NULL), "the attribute line is strict JSON");
        const jc_value *id = jc_get(&att, "id"), *iid = jc_get(&in, "id");
        FUZZ_CHECK(id && (iid ? same_value(id, iid) : id->type == JC_NULL),
                   "the id is the input's, type included");
        const jc_value *src = jc_get(&att, "source"), *isrc = jc_get(&in, "source");
        FUZZ_CHECK(isrc ? src && same_value(src, isrc) : !src, "source copied");
        const jc_value *attrs = jc_get(&att, "attributes");
        FUZZ_CHECK(attrs && attrs->type == JC_OBJECT, "attributes is an object");
        size_t ncp = code_points(rec.text ? rec.text : "", rec.text_len);
        for (size_t i = 0; i < attrs->n; ++i)
            check_spans(&attrs->items[i], ncp);
        const jc_value *model = jc_get(&att, "model");
        FUZZ_CHECK(model && model->type == JC_STRING && model->len == 13 &&
                       !memcmp(model->str, "spinscan test", 13),
                   "the model identity is the last member, as given");
        FUZZ_CHECK(att.n > 0 && !strcmp(att.keys[att.n - 1], "model"), "model comes last");
        jc_free(&att);
    }
    if (strict)
        jc_free(&in);
    jsonbuf_free(&a);
    jsonbuf_free(&b);
    jsonrec_free(&rec);
    return 0;
}
