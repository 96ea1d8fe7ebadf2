/* test_detect.c - the detector: robust statistics and logistic regression
 * (GSL), the parameter file, and detection on the default English model:
 * the mission's own example sentence must be flagged inside a fluent article.
 *
 * The detection tests need models/en (made by `make model`); the Makefile
 * passes its path in SPINSCAN_TEST_MODEL_DIR, and without it they skip. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>

#include "detect/detect.h"
#include "detect/stats.h"
#include "tap.h"
#include "support/json_check.h"

static uint64_t rng = 0x243f6a8885a308d3ull;
static double uniform(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void) {
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static void test_robust(void) {
    double x[2001], work[4 * 2001];
    int iwork[5 * 2001];
    double loc, scale;
    const double five[] = {4, 1, 100, 3, 2};
    stats_robust(five, 5, 0.001, work, iwork, &loc, &scale);
    is_int((int)loc, 3, "median of 4 1 100 3 2 is 3");
    ok(scale > 0.5 && scale < 5, "one outlier of 100 barely moves the scale (%g)", scale);
    for (int i = 0; i < 2001; ++i)
        x[i] = 10 + 2 * normal();
    stats_robust(x, 2001, 0.001, work, iwork, &loc, &scale);
    ok(fabs(loc - 10) < 0.2 && fabs(scale - 2) < 0.2,
       "normal(10, 2): location %.3f and scale %.3f are consistent", loc, scale);
    for (int i = 0; i < 200; ++i)
        x[i] = 1e6; /* 10% gross outliers */
    double loc2, scale2;
    stats_robust(x, 2001, 0.001, work, iwork, &loc2, &scale2);
    ok(fabs(loc2 - 10) < 0.5 && scale2 < 3, "10%% outliers: location %.3f, scale %.3f", loc2,
       scale2);
    const double same[] = {0, 0, 0, 0, 0, 0, 1};
    stats_robust(same, 7, 0.05, work, iwork, &loc, &scale);
    ok(loc == 0 && scale == 0.05, "a mostly constant sample gets the floor as its scale");
    stats_robust(NULL, 0, 0.25, work, iwork, &loc, &scale);
    ok(loc == 0 && scale == 0.25, "an empty sample: 0 and the floor");
}

static void test_logistic(void) {
    enum { N = 20000, P = 2 };
    static double x[N * P], y[N];
    const double truth[3] = {0.5, 2.0, -1.0};
    for (int i = 0; i < N; ++i) {
        x[i * P] = normal();
        x[i * P + 1] = normal();
        double t = truth[0] + truth[1] * x[i * P] + truth[2] * x[i * P + 1];
        y[i] = uniform() < stats_sigmoid(t);
    }
    double w[P + 1];
    is_int(stats_logistic_fit(x, y, NULL, N, P, 1e-6, w), SPIN_OK, "logistic fit converges");
    ok(fabs(w[0] - truth[0]) < 0.1 && fabs(w[1] - truth[1]) < 0.1 && fabs(w[2] - truth[2]) < 0.1,
       "recovers the generating weights: %.3f %.3f %.3f", w[0], w[1], w[2]);
    double w_ridge[P + 1];
    stats_logistic_fit(x, y, NULL, N, P, 1e5, w_ridge);
    ok(fabs(w_ridge[1]) < fabs(w[1]) / 2, "a heavy ridge penalty shrinks the weights");
    for (int i = 0; i < N; ++i)
        y[i] = 1;
    is_int(stats_logistic_fit(x, y, NULL, N, P, 1, w), SPIN_EINVAL, "one class only: EINVAL");
    ok(stats_sigmoid(-1000) == 0 && stats_sigmoid(1000) == 1 && stats_sigmoid(0) == 0.5,
       "sigmoid does not overflow");
}

static void test_params_file(void) {
    det_params a, b;
    spin_diag d;
    det_params_default(&a);
    a.sent_w[DET_FAM_SALAD][DET_F_LLR] = 1.2345678901234567;
    a.fam_w[DET_FAM_STUFFING][DET_D_TOP_WORD] = -3.25e-7;
    a.spun = 0.9;
    const char *path = "test_detect.params";
    is_int(det_params_save(&a, path, &d), SPIN_OK, "parameters save");
    is_int(det_params_load(path, &b, &d), SPIN_OK, "and load");
    ok(!memcmp(a.ref_median, b.ref_median, sizeof a.ref_median) &&
           !memcmp(a.sent_w, b.sent_w, sizeof a.sent_w) &&
           !memcmp(a.fam_w, b.fam_w, sizeof a.fam_w) && a.spun == b.spun &&
           a.flag_spin == b.flag_spin,
       "every number round-trips exactly");
    FILE *f = fopen(path, "w");
    fputs("not a detector\n", f);
    fclose(f);
    ok(det_params_load(path, &b, &d) == SPIN_EFORMAT && d.line == 1, "a foreign file is refused");
    det_params_save(&a, path, &d);
    f = fopen(path, "a");
    fputs("feature\tnlogp\t1\t-2\t3\n", f); /* a negative scale */
    fclose(f);
    ok(det_params_load(path, &b, &d) == SPIN_EFORMAT && d.line > 20,
       "a malformed line is refused with its line number (%llu)", (unsigned long long)d.line);
    remove(path);
    is_int(det_params_load("/nonexistent/detector.txt", &b, &d), SPIN_EIO, "a missing file: EIO");
}

/* ---- detection on the default model ---- */

static char *slurp(const char *path, size_t *len) {
    return tu_slurp(path, len);
}

static spin_model *open_first(const char *dir, const char *const *names) {
    char path[4096];
    for (; *names; ++names) {
        snprintf(path, sizeof path, "%s/%s", dir, *names);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fclose(f);
        spin_model *m;
        spin_diag d;
        if (spin_model_open(path, NULL, &m, &d) == SPIN_OK)
            return m;
        printf("# %s: %s\n", path, d.message);
    }
    return NULL;
}

/* The sentence of 'r' whose text starts with 'prefix'. */
static const det_sentence *find(const det_result *r, const char *text, const char *prefix) {
    for (size_t i = 0; i < r->nsentences; ++i)
        if (!strncmp(text + r->sentences[i].start, prefix, strlen(prefix)))
            return &r->sentences[i];
    return NULL;
}

static size_t flagged_except(const det_result *r, const det_sentence *except) {
    size_t n = 0;
    for (size_t i = 0; i < r->nsentences; ++i)
        n += r->sentences[i].flagged && &r->sentences[i] != except;
    return n;
}

static void test_detection(const char *dir) {
    static const char *const models[] = {"model.bin", "model.arpa.gz", NULL};
    static const char *const spuns[] = {"spun.bin", "spun.arpa.gz", NULL};
    spin_model *m = open_first(dir, models), *spun = open_first(dir, spuns);
    det_params p;
    spin_diag d;
    char path[4096];
    snprintf(path, sizeof path, "%s/detector.txt", dir);
    if (!m || !spun || det_params_load(path, &p, &d) != SPIN_OK) {
        tap_skip(33, "models/en is incomplete (run make model)");
        spin_model_free(m);
        spin_model_free(spun);
        return;
    }
    detector *det;
    if (detector_new(m, spun, &p, &det, &d) != SPIN_OK) {
        ok(0, "detector_new: %s", d.message);
        return;
    }
    det_result r;
    memset(&r, 0, sizeof r);
    size_t len;

    /* The mission's example, inside an otherwise fluent article. */
    char *text = slurp("tests/data/detect/acupuncture-mixed.txt", &len);
    is_int(detect_run(det, text, len, &r, &d), SPIN_OK, "acupuncture article scored");
    const det_sentence *s = find(&r, text, "Back especially low back pain, pain,");
    ok(s && s->flagged, "the mission's sentence is flagged (spin %.3f, z %.2f)", s ? s->spin : -1,
       s ? s->z : 0);
    ok(flagged_except(&r, s) <= 1, "at most one fluent sentence is flagged too (%zu)",
       flagged_except(&r, s));
    bool reasons = true, words = true;
    for (size_t i = 0; i < r.nsentences; ++i) {
        const det_sentence *t = &r.sentences[i];
        reasons &= t->flagged == (t->reason != DET_REASON_NONE);
        words &= t->nwords == t->tokens && t->word0 + t->nwords <= r.nwords &&
                 (t->nwords == 0 || (r.words[t->word0].start >= t->start &&
                                     r.words[t->word0 + t->nwords - 1].end <= t->end));
    }
    ok(reasons && s && s->reason != DET_REASON_NONE,
       "a sentence has a reason exactly when flagged (the mission's: %s)",
       s ? det_reason_name(s->reason) : "?");
    ok(words, "every sentence's words are its tokens, inside it");
    const det_sentence *h = find(&r, text, "Acupuncture and Back Pain: What");
    ok(h && h->kind == TOK_HEADING && !h->flagged && h->spin == 0,
       "the title is a heading, never judged as prose");
    bool ordered = true;
    for (size_t i = 0; i < r.nsentences; ++i) {
        const det_sentence *t = &r.sentences[i];
        if (t->start >= t->end || t->end > len || (i && t->start < r.sentences[i - 1].end))
            ordered = false;
    }
    ok(ordered, "sentence offsets are inside the text, ordered and disjoint");
    det_result again;
    memset(&again, 0, sizeof again);
    detect_run(det, text, len, &again, &d);
    ok(again.spin_score == r.spin_score && again.nsentences == r.nsentences,
       "scoring is deterministic");
    det_result_free(&again);
    free(text);

    text = slurp("tests/data/detect/circulation-mixed.txt", &len);
    detect_run(det, text, len, &r, &d);
    s = find(&r, text, "Gentle stretching in the evening can restore the blood circulation");
    ok(s && s->flagged, "\"restore the blood circulation that is free\" is flagged (spin %.3f)",
       s ? s->spin : -1);
    ok(flagged_except(&r, s) <= 1, "at most one fluent sentence flagged besides (%zu)",
       flagged_except(&r, s));
    free(text);

    text = slurp("tests/data/samples/natural-sleep.txt", &len);
    detect_run(det, text, len, &r, &d);
    ok(r.verdict == DET_NATURAL, "a natural article is natural (score %.3f)", r.spin_score);
    ok(r.flagged <= 1, "with at most one flagged sentence (%zu of %zu)", r.flagged, r.prose);
    double natural_score = r.spin_score;
    free(text);

    text = slurp("tests/data/samples/salad-finance.txt", &len);
    detect_run(det, text, len, &r, &d);
    /* Since issue 14 the document score uses only features that transfer
     * across thesauri and domains (docs/detector.md); dense keyword stuffing
     * is no longer sure to reach "salad" (its worst matrix cell fell from 0.99
     * to 0.79), but it still scores above fluent text. */
    ok(r.spin_score > natural_score,
       "keyword-stuffed salad scores above a natural article (%.3f, %s)", r.spin_score,
       det_verdict_name(r.verdict));
    free(text);

    text = slurp("tests/data/samples/spun-back-pain.txt", &len);
    detect_run(det, text, len, &r, &d);
    ok(r.spin_score > p.suspect && r.verdict != DET_NATURAL,
       "a mostly spun article is not natural (score %.3f, %s)", r.spin_score,
       det_verdict_name(r.verdict));
    ok(r.flagged * 2 >= r.prose, "and most of its sentences are flagged (%zu of %zu)", r.flagged,
       r.prose);
    free(text);

    /* One sentence alone has no document to compare with: the reference
     * distribution stored with the model judges it. */
    const char *alone = "Back especially low back pain, pain, is among the conditions that "
                        "acupuncture researchers have investigated most thoroughly.";
    detect_run(det, alone, strlen(alone), &r, &d);
    ok(r.nsentences == 1 && r.sentences[0].flagged,
       "the mission's sentence alone is flagged (spin %.3f)",
       r.nsentences ? r.sentences[0].spin : -1);
    const char *fine =
        "Doctors who study sleep say that the timing of rest matters almost as much as "
        "its length.";
    detect_run(det, fine, strlen(fine), &r, &d);
    ok(r.nsentences == 1 && !r.sentences[0].flagged, "a natural sentence alone is not (spin %.3f)",
       r.nsentences ? r.sentences[0].spin : -1);

    /* Spinner artefacts (docs/detector.md): each alone, with --judge-all so
     * that one sentence is judged. */
    detector_set_abstain(det, false);
    detect_run(det, alone, strlen(alone), &r, &d);
    const char *echo = strstr(alone, "pain, pain");
    ok(r.nsentences == 1 && r.sentences[0].artefact == DET_ART_ECHO &&
           r.sentences[0].reason == DET_REASON_ARTEFACT &&
           r.words[r.sentences[0].word0 + r.sentences[0].art_word].start ==
               (size_t)(echo - alone) &&
           r.words[r.sentences[0].word0 + r.sentences[0].art_word + 2].end ==
               (size_t)(echo - alone) + strlen("pain, pain"),
       "\"pain, pain\" is a repeated-word artefact, located (%s)",
       r.nsentences ? det_artefact_name(r.sentences[0].artefact) : "?");
    ok(r.artefacts == 1 && r.artefact_llr > 0 && r.verdict != DET_NATURAL,
       "and the document's evidence (llr %.2f, score %.3f, %s)", r.artefact_llr, r.spin_score,
       det_verdict_name(r.verdict));
    const char *idiom = "She told a story about a time long, long ago when the river was "
                        "still wild.";
    detect_run(det, idiom, strlen(idiom), &r, &d);
    ok(r.nsentences == 1 && r.sentences[0].artefact == DET_ART_NONE && r.artefacts == 0 &&
           r.artefact_llr == 0,
       "\"long, long ago\", which the model has seen, is not one");
    const char *moved = "The shop on the corner sells cameras that are digital.";
    detect_run(det, moved, strlen(moved), &r, &d);
    ok(r.nsentences == 1 && r.sentences[0].artefact == DET_ART_RELOCATED &&
           r.sentences[0].art_gain >= 1.0 &&
           strcmp(r.sentences[0].art_restored, "digital cameras") == 0 && r.sentences[0].flagged,
       "\"cameras that are digital\" is a relocated modifier (gain %.2f, restored \"%s\")",
       r.nsentences ? r.sentences[0].art_gain : 0, r.nsentences ? r.sentences[0].art_restored : "");
    const char *kept = "Keep only the receipts that are valid.";
    detect_run(det, kept, strlen(kept), &r, &d);
    ok(r.nsentences == 1 && r.sentences[0].artefact == DET_ART_NONE,
       "\"receipts that are valid\", which reads no better as \"valid receipts\", is not one");
    detector_set_abstain(det, true);

    is_int(detect_run(det, "", 0, &r, &d), SPIN_OK, "an empty document is fine");
    ok(r.nsentences == 0 && isnan(r.spin_score) && r.verdict == DET_UNSUPPORTED &&
           r.abstain == DET_ABSTAIN_SHORT,
       "and unsupported (too short), with no score");

    /* Abstaining: another language, code, too little text; English with a few
     * foreign words is still judged. */
    static const struct {
        const char *file;
        det_abstain want;
    } gates[] = {
        {"tests/data/foreign/de-001.txt", DET_ABSTAIN_LANGUAGE},
        {"tests/data/foreign/zh-001.txt", DET_ABSTAIN_LANGUAGE},
        {"tests/data/foreign/ru-001.txt", DET_ABSTAIN_LANGUAGE},
        {"tests/data/foreign/code-001.txt", DET_ABSTAIN_MARKUP},
        {"tests/data/foreign/parts-001.txt", DET_ABSTAIN_SHORT},
        {"tests/data/foreign/short-001.txt", DET_ABSTAIN_SHORT},
        {"tests/data/foreign/en-mixed-001.txt", DET_ABSTAIN_NONE},
        {"tests/data/foreign/en-mixed-002.txt", DET_ABSTAIN_NONE},
    };
    for (size_t g = 0; g < sizeof gates / sizeof *gates; ++g) {
        text = slurp(gates[g].file, &len);
        detect_run(det, text, len, &r, &d);
        bool none_flagged = true;
        for (size_t i = 0; i < r.nsentences; ++i)
            none_flagged &= !r.sentences[i].flagged;
        if (gates[g].want == DET_ABSTAIN_NONE)
            ok(r.abstain == DET_ABSTAIN_NONE && r.verdict != DET_UNSUPPORTED && r.spin_score >= 0 &&
                   r.spin_score <= 1,
               "%s is judged (%s, %.3f, language %s)", gates[g].file, det_verdict_name(r.verdict),
               r.spin_score, r.language);
        else
            ok(r.abstain == gates[g].want && r.verdict == DET_UNSUPPORTED && isnan(r.spin_score) &&
                   r.flagged == 0 && none_flagged,
               "%s is unsupported: %s (got \"%s\", language %s)", gates[g].file,
               det_abstain_name(gates[g].want), det_abstain_name(r.abstain), r.language);
        free(text);
    }
    static const char binary[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x00\x01\x02";
    is_int(detect_run(det, binary, sizeof binary - 1, &r, &d), SPIN_EFORMAT,
           "binary input is refused: %s", d.message);

    det_result_free(&r);
    detector_free(det);
    spin_model_free(spun);
    spin_model_free(m);
}

/* The crawl-adaptive reference: sentence references become the sample's
 * median, document shifts go into the biases, too small a sample or a file
 * without a document reference is refused. */
static void test_adapt(void) {
    det_params base, out;
    det_params_default(&base);
    spin_diag d;
    det_adapt *a;
    is_int(det_adapt_new(&a), SPIN_OK, "det_adapt_new");
    det_result r;
    memset(&r, 0, sizeof r);
    det_sentence sent[3];
    memset(sent, 0, sizeof sent);
    r.sentences = sent;
    r.nsentences = 3;
    r.prose = 3;
    for (int doc = 0; doc < DET_ADAPT_MIN_DOCS - 1; ++doc) {
        for (int i = 0; i < 3; ++i) {
            sent[i].kind = TOK_PROSE;
            for (int k = 0; k < DET_NFEATURES; ++k)
                sent[i].feature[k] = 5.0 + 0.1 * i + 0.01 * doc;
        }
        for (int k = 0; k < DET_NDOC_FEATURES; ++k)
            r.doc_feature[k] = 2.0 + 0.001 * doc;
        is_int(det_adapt_add(a, &r), SPIN_OK, "det_adapt_add %d", doc);
    }
    is_int(det_adapt_params(a, &base, &out, &d), SPIN_EINVAL, "too few documents: %s", d.message);
    r.abstain = DET_ABSTAIN_LANGUAGE;
    r.verdict = DET_UNSUPPORTED;
    det_adapt_add(a, &r);
    is_int((int)det_adapt_docs(a), DET_ADAPT_MIN_DOCS - 1, "unsupported documents are not added");
    r.abstain = DET_ABSTAIN_NONE;
    r.verdict = DET_NATURAL;
    det_adapt_add(a, &r);
    is_int(det_adapt_params(a, &base, &out, &d), SPIN_EINVAL,
           "a detector without a document reference is refused: %s", d.message);
    base.has_pooled = base.has_doc_ref = true;
    base.doc_w0 = -1;
    for (int k = 0; k < DET_NDOC_FEATURES; ++k) {
        base.doc_ref[k] = 1.0;
        base.doc_w[k] = k == DET_D_FEATURE + DET_F_LLR ? 3.0 : 0.0;
    }
    is_int(det_adapt_params(a, &base, &out, &d), SPIN_OK, "adapted to %zu documents",
           det_adapt_docs(a));
    ok(fabs(out.ref_median[DET_F_NSLOR] - 5.2) < 0.02,
       "a sentence feature's reference is the sample's median (%.3f)", out.ref_median[DET_F_NSLOR]);
    double shift = out.doc_ref[DET_D_FEATURE + DET_F_LLR] - 1.0;
    ok(shift > 0.99 && shift < 1.02 && fabs(out.doc_w0 - (-1 - 3.0 * shift)) < 1e-9,
       "the document shift (%.4f) is folded into the bias (%.4f)", shift, out.doc_w0);
    ok(out.doc_w[DET_D_FEATURE + DET_F_LLR] == 3.0 && out.has_pooled && out.has_doc_ref,
       "weights are kept");
    char tmp[] = "/tmp/spinscan-adapt-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd >= 0)
        close(fd);
    det_params back;
    is_int(det_params_save(&out, tmp, &d), SPIN_OK, "the adapted reference is saved");
    is_int(det_params_load(tmp, &back, &d), SPIN_OK, "and loads back");
    ok(back.has_pooled && back.has_doc_ref && back.doc_w0 == out.doc_w0 &&
           back.doc_ref[DET_D_FEATURE + DET_F_LLR] == out.doc_ref[DET_D_FEATURE + DET_F_LLR] &&
           back.ref_median[DET_F_NSLOR] == out.ref_median[DET_F_NSLOR],
       "with its pooled model and references exactly");
    remove(tmp);
    det_adapt_free(a);
}

int main(void) {
    test_robust();
    test_adapt();
    test_logistic();
    test_params_file();
    const char *dir = getenv("SPINSCAN_TEST_MODEL_DIR");
    if (dir && *dir)
        test_detection(dir);
    else
        tap_skip(33, "SPINSCAN_TEST_MODEL_DIR not set (make test sets it)");
    return tap_done();
}
