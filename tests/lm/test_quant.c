/* test_quant.c - 8-bit quantization of the compact layout (trie_fit_codes()
 * and `spinscan compile --compact -q 8`).
 *
 * 1. The fitted codes against KenLM's quantizer (the means of equal-count bins
 *    of each order's sorted values, lm/quantize.cc, rewritten here from its
 *    description): on skewed data with a sparse tail the weighted squared
 *    error, and the largest error, must be smaller than with KenLM's.
 * 2. On the KenLM fixture model mid4 (skipped when the fixtures are absent):
 *    every word's error must stay within the bound the codes allow, and so
 *    must the perplexity's.  The bound: a word's log10 probability is one
 *    stored probability plus at most order - 1 backoffs, so its error is at
 *    most Ep + (order - 1) Eb, where Ep and Eb are the largest distances of
 *    any stored probability or backoff of orders >= 2 (unigrams stay exact)
 *    from the code it was given; and |log10 PPL_q - log10 PPL| = |mean error|
 *    <= mean |error| <= that bound.  Ep and Eb are measured from the ARPA file
 *    and the model's code tables, independently of the encoder.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lm/lm.h"
#include "lm/trie.h"
#include "spinscan.h"
#include "tap.h"

static char tmpdir[] = "/tmp/spinscan-quant-XXXXXX";

/* The code nearest to x among codes[lo, hi). */
static double nearest(const float *codes, size_t lo, size_t hi, double x) {
    double best = codes[lo];
    for (size_t i = lo; i < hi; ++i)
        if (fabs(codes[i] - x) < fabs(best - x))
            best = codes[i];
    return best;
}

/* Weighted squared error and largest error of quantizing 'v' to 'codes'. */
static void errors(const float *v, const double *w, size_t n, const float *codes, size_t k,
                   double *sse, double *max) {
    *sse = *max = 0;
    for (size_t i = 0; i < n; ++i) {
        double e = fabs(v[i] - nearest(codes, 0, k, v[i]));
        *sse += w[i] * e * e;
        *max = e > *max ? e : *max;
    }
}

/* KenLM's quantizer: k equal-count bins of the sorted values, each code the
 * plain mean of its bin. */
static void kenlm_codes(const float *v, size_t n, size_t k, float *codes) {
    for (size_t b = 0; b < k; ++b) {
        size_t lo = b * n / k, hi = (b + 1) * n / k;
        double sum = 0;
        for (size_t i = lo; i < hi; ++i)
            sum += v[i];
        codes[b] = hi > lo ? (float)(sum / (double)(hi - lo)) : b ? codes[b - 1] : -INFINITY;
    }
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static void test_fit(void) {
    /* Few distinct values: kept exactly, codes below 'reserved' untouched. */
    float few[] = {-3, -3, -2, -1.5f, -1.5f, -1};
    float codes[256];
    codes[0] = 123.0f, codes[1] = 456.0f;
    is_int(trie_fit_codes(few, NULL, 6, 2, 0, codes), SPIN_OK, "4 codes for 4 distinct values");
    ok(codes[0] == -3 && codes[1] == -2 && codes[2] == -1.5f && codes[3] == -1,
       "  are those values exactly");
    codes[0] = 123.0f, codes[1] = 456.0f;
    is_int(trie_fit_codes(few, NULL, 6, 3, 2, codes), SPIN_OK, "with 2 reserved codes");
    ok(codes[0] == 123.0f && codes[1] == 456.0f && codes[2] == -3 && codes[7] == -1,
       "  the reserved ones are left alone, the rest padded with the largest value");

    /* Skewed like log10 probabilities: most values dense around -4 .. -2,
     * a long sparse tail down to -9, a few heavy repeats. */
    enum { N = 60000 };
    float *v = malloc(N * sizeof *v);
    float *lw = malloc(N * sizeof *lw);
    double *w1 = malloc(N * sizeof *w1), *wp = malloc(N * sizeof *wp);
    uint64_t s = 88172645463325252u;
    for (size_t i = 0; i < N; ++i) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        v[i] = i % 10 == 0   ? -2.5f /* repeated */
               : i % 97 == 0 ? (float)(-9 + 5 * u)
                             : (float)(-4 + 2 * u * u);
    }
    qsort(v, N, sizeof *v, cmp_float);
    for (size_t i = 0; i < N; ++i) {
        w1[i] = 1.0;
        lw[i] = v[i]; /* weight 10^v, as usage weights favour likely n-grams */
        wp[i] = pow(10.0, v[i]);
    }
    float ours[256], ken[256];
    double so, mo, sk, mk;
    kenlm_codes(v, N, 256, ken);
    is_int(trie_fit_codes(v, NULL, N, 8, 0, ours), SPIN_OK, "fits 256 codes to 60000 values");
    int ascending = 1;
    for (int i = 1; i < 256; ++i)
        ascending &= ours[i - 1] <= ours[i];
    ok(ascending, "  in ascending order");
    errors(v, w1, N, ours, 256, &so, &mo);
    errors(v, w1, N, ken, 256, &sk, &mk);
    ok(so < sk, "  squared error %.4g, below KenLM's bins' %.4g", so, sk);
    ok(mo < mk, "  largest error %.4f, below KenLM's bins' %.4f (the sparse tail)", mo, mk);
    is_int(trie_fit_codes(v, lw, N, 8, 0, ours), SPIN_OK, "fits them again weighted 10^v");
    errors(v, wp, N, ours, 256, &so, &mo);
    errors(v, wp, N, ken, 256, &sk, &mk);
    ok(so < sk, "  weighted squared error %.4g, below KenLM's bins' %.4g", so, sk);
    free(v), free(lw), free(w1), free(wp);
}

/* ---- the fixture model ---- */

/* Largest distance of the ARPA file's values of orders >= 2 from the codes the
 * quantized model 'q' holds for them: *ep for probabilities, *eb for nonzero
 * backoffs.  False if the file cannot be read. */
static int code_errors(const char *arpa, const spin_model *q, double *ep, double *eb) {
    gzFile f = gzopen(arpa, "rb");
    if (!f)
        return 0;
    char line[4096];
    unsigned n = 0;
    *ep = *eb = 0;
    while (gzgets(f, line, sizeof line)) {
        if (line[0] == '\\') {
            n = sscanf(line, "\\%u-grams:", &n) == 1 ? n : 0;
            continue;
        }
        if (n < 2 || line[0] == '\n')
            continue;
        const trie_level *l = &q->trie->level[n];
        char *p = line, *end;
        double prob = strtod(p, &end);
        p = strchr(end + 1, '\t');
        double e = fabs(prob - nearest(l->prob_codes, 0, (size_t)1 << l->prob_bits, prob));
        *ep = e > *ep ? e : *ep;
        if (p && l->backoff_codes) {
            double bo = strtod(p + 1, NULL);
            if (bo != 0) {
                e = fabs(bo - nearest(l->backoff_codes, 2, (size_t)1 << l->backoff_bits, bo));
                *eb = e > *eb ? e : *eb;
            }
        }
    }
    gzclose(f);
    return 1;
}

static void test_fixture(const char *fx) {
    char arpa[4200], text_path[4200], exact[300], q8[300];
    snprintf(arpa, sizeof arpa, "%s/mid4.arpa.gz", fx);
    snprintf(text_path, sizeof text_path, "%s/mid_train.txt", fx);
    snprintf(exact, sizeof exact, "%s/exact.bin", tmpdir);
    snprintf(q8, sizeof q8, "%s/q8.bin", tmpdir);
    spin_write_options wo;
    spin_write_options_init(&wo);
    wo.layout = SPIN_LAYOUT_COMPACT;
    spin_diag d;
    is_int(spin_compile(arpa, exact, NULL, &wo, &d), SPIN_OK, "mid4 compiles compact");
    wo.prob_bits = wo.backoff_bits = 8;
    is_int(spin_compile(arpa, q8, NULL, &wo, &d), SPIN_OK, "  and compact -q 8");
    spin_model *a = NULL, *b = NULL;
    is_int(spin_model_open(exact, NULL, &a, &d), SPIN_OK, "  both load");
    is_int(spin_model_open(q8, NULL, &b, &d), SPIN_OK, "  (the quantized one)");
    FILE *tf = fopen(text_path, "r");
    double ep = 0, eb = 0;
    int have_codes = b && code_errors(arpa, b, &ep, &eb);
    ok(have_codes && ep > 0 && eb > 0, "largest code errors: probabilities %.4f, backoffs %.4f", ep,
       eb);
    if (!a || !b || !tf || !have_codes) {
        ok(0, "the fixture text and models are at hand");
        goto done;
    }
    double bound = ep + (a->order - 1) * eb;
    static spin_score sa[8192], sb[8192];
    char line[65536];
    double sum_a = 0, sum_b = 0, sum_abs = 0, max = 0;
    size_t words = 0, beyond = 0, lengths = 0;
    while (fgets(line, sizeof line, tf)) {
        spin_sentence_score ta =
            spin_score_sentence(a, line, strlen(line), SPIN_SCORE_BOS | SPIN_SCORE_EOS, sa);
        spin_score_sentence(b, line, strlen(line), SPIN_SCORE_BOS | SPIN_SCORE_EOS, sb);
        for (size_t k = 0; k < ta.tokens && k < 8192; ++k) {
            double e = (double)sb[k].prob - sa[k].prob;
            sum_a += sa[k].prob, sum_b += sb[k].prob, sum_abs += fabs(e);
            max = fabs(e) > max ? fabs(e) : max;
            beyond += fabs(e) > bound + 1e-6;
            lengths += sa[k].ngram_length != sb[k].ngram_length;
            ++words;
        }
    }
    double ppl_a = pow(10, -sum_a / (double)words), ppl_b = pow(10, -sum_b / (double)words);
    double dlog = fabs(log10(ppl_b) - log10(ppl_a));
    ok(words > 10000 && beyond == 0 && lengths == 0,
       "every one of %zu words within the bound %.4f = Ep + %u Eb (largest error %.4f); same "
       "n-gram lengths",
       words, bound, a->order - 1, max);
    ok(dlog <= sum_abs / (double)words + 1e-12 && sum_abs / (double)words <= bound,
       "perplexity %.4f -> %.4f (%+.4f%%): |delta log10 PPL| %.2g <= mean |error| %.2g <= bound",
       ppl_a, ppl_b, (ppl_b / ppl_a - 1) * 100, dlog, sum_abs / (double)words);
    tap_diag("per-word max |delta log10 p| %.4f, mean %.5f, mean signed %+.6f", max,
             sum_abs / (double)words, (sum_b - sum_a) / (double)words);
done:
    if (tf)
        fclose(tf);
    spin_model_free(a);
    spin_model_free(b);
    unlink(exact);
    unlink(q8);
}

int main(void) {
    if (!mkdtemp(tmpdir))
        return tap_skip_all("cannot create a temporary directory");
    test_fit();
    const char *fx = tap_fixtures();
    if (fx)
        test_fixture(fx);
    else
        tap_skip(1, "KenLM fixtures (../shared/fixtures/kenlm) not present: no model-level check");
    rmdir(tmpdir);
    return tap_done();
}
