/* test_api.c - the public API: scoring word by word through spin_state must
 * equal the whole-sentence scorer, a model opened from memory must equal one
 * opened from a path, totals must equal KenLM's (tiny.tsv), and one model must
 * serve several threads at once. */
#include <pthread.h>
#include <stdint.h>

#include "spinscan.h"
#include "tap.h"
#include "support/json_check.h"

#define MAX_LINES 64
#define MAX_WORDS 4096

typedef struct corpus {
    char *text[MAX_LINES];
    size_t len[MAX_LINES];
    int n;
} corpus;

static char *slurp(const char *path, size_t *len) {
    return tu_slurp(path, len);
}

static void split_lines(char *buf, corpus *c) {
    c->n = 0;
    for (char *p = buf; *p && c->n < MAX_LINES;) {
        char *nl = strchr(p, '\n');
        c->text[c->n] = p;
        c->len[c->n] = nl ? (size_t)(nl - p) : strlen(p);
        c->n++;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
}

static bool is_sep(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f' || ch == '\n';
}

/* Scores 'text' word by word through the state interface. */
static float by_state(const spin_model *m, const char *text, size_t len, spin_score *out,
                      size_t *n) {
    spin_state in, next;
    spin_state_begin_sentence(m, &in);
    float total = 0.0f;
    *n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_sep(text[i]))
            ++i;
        if (i >= len)
            break;
        size_t s = i;
        while (i < len && !is_sep(text[i]))
            ++i;
        spin_score r = spin_full_score(m, &in, spin_vocab_index(m, text + s, i - s), &next);
        out[(*n)++] = r;
        total += r.prob;
        in = next;
    }
    spin_score r = spin_full_score(m, &in, spin_vocab_end_sentence(m), &next);
    out[(*n)++] = r;
    total += r.prob;
    return total;
}

static void compare_interfaces(const spin_model *m, const corpus *c, const char *label) {
    static spin_score a[MAX_WORDS], b[MAX_WORDS];
    int mismatches = 0;
    for (int l = 0; l < c->n; ++l) {
        size_t na;
        float ta = by_state(m, c->text[l], c->len[l], a, &na);
        spin_sentence_score rb =
            spin_score_sentence(m, c->text[l], c->len[l], SPIN_SCORE_BOS | SPIN_SCORE_EOS, b);
        if (na != rb.tokens || memcmp(&ta, &rb.total, sizeof ta))
            ++mismatches;
        for (size_t i = 0; i < na && i < rb.tokens; ++i)
            if (memcmp(&a[i].prob, &b[i].prob, 4) || a[i].ngram_length != b[i].ngram_length)
                ++mismatches;
    }
    is_int(mismatches, 0, "%s: state interface == sentence scorer on %d lines", label, c->n);
}

typedef struct job {
    const spin_model *m;
    const corpus *c;
    float totals[MAX_LINES];
} job;

static void *worker(void *arg) {
    job *j = arg;
    for (int round = 0; round < 20; ++round)
        for (int l = 0; l < j->c->n; ++l)
            j->totals[l] = spin_score_sentence(j->m, j->c->text[l], j->c->len[l], 3, NULL).total;
    return NULL;
}

static void test_threads(const spin_model *m, const corpus *c) {
    job jobs[3];
    pthread_t t[3];
    for (int k = 0; k < 3; ++k) {
        jobs[k].m = m;
        jobs[k].c = c;
        pthread_create(&t[k], NULL, worker, &jobs[k]);
    }
    for (int k = 0; k < 3; ++k)
        pthread_join(t[k], NULL);
    int diff = 0;
    for (int l = 0; l < c->n; ++l) {
        float one = spin_score_sentence(m, c->text[l], c->len[l], 3, NULL).total;
        for (int k = 0; k < 3; ++k)
            diff += memcmp(&one, &jobs[k].totals[l], 4) != 0;
    }
    is_int(diff, 0, "three threads sharing one model agree with one thread");
}

static const char *MODEL = "\\data\\\nngram 1=5\nngram 2=4\nngram 3=2\n\n"
                           "\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.5\n-1.5\t</s>\t0\n"
                           "-0.8\ta\t-0.3\n-0.9\tb\t-0.2\n\n"
                           "\\2-grams:\n-0.4\t<s> a\t-0.1\n-0.6\ta b\t-0.25\n-0.7\tb </s>\n"
                           "-0.3\tb a\t0\n\n\\3-grams:\n-0.2\t<s> a b\n-0.15\ta b </s>\n\n"
                           "\\end\\\n";

static void test_state_basics(void) {
    spin_model *m;
    spin_diag d;
    if (spin_model_open_memory(MODEL, strlen(MODEL), NULL, NULL, &m, &d) != SPIN_OK) {
        ok(0, "inline model loads: %s", d.message);
        return;
    }
    spin_state bos, null, s1, s2;
    spin_state_begin_sentence(m, &bos);
    spin_state_null_context(m, &null);
    ok(bos.length == 1 && bos.words[0] == spin_vocab_begin_sentence(m), "begin state holds <s>");
    is_float_bits(bos.backoff[0], -0.5f, "  with <s>'s backoff");
    is_int(null.length, 0, "null context is empty");
    spin_score r = spin_full_score(m, &null, spin_vocab_index(m, "a", 1), &s1);
    is_float_bits(r.prob, -0.8f, "from the null context a word gets its unigram prob");
    spin_full_score(m, &bos, spin_vocab_index(m, "b", 1), &s2);
    spin_full_score(m, &null, spin_vocab_index(m, "b", 1), &s1);
    ok(spin_state_equal(&s1, &s2), "states after 'b' are equal whatever came before");
    ok(!spin_state_equal(&s1, &bos), "different contexts are not equal");
    /* </s> has backoff 0 and no extension: nothing follows it. */
    spin_full_score(m, &bos, spin_vocab_end_sentence(m), &s1);
    is_int(s1.length, 0, "state after </s> is empty (no n-gram extends it)");
    spin_sentence_score t = spin_score_sentence(m, "", 0, SPIN_SCORE_BOS | SPIN_SCORE_EOS, NULL);
    ok(t.tokens == 1 && t.oov == 0, "an empty sentence scores only </s>");
    spin_model_free(m);
    spin_model_free(NULL);
    ok(1, "spin_model_free(NULL) is a no-op");
    is_str(spin_strerror(SPIN_EFORMAT), "invalid format", "spin_strerror names statuses");
}

static void test_fixtures(const char *dir) {
    char path[4200];
    size_t len;
    snprintf(path, sizeof path, "%s/test_sentences.txt", dir);
    char *text = slurp(path, &len);
    snprintf(path, sizeof path, "%s/expected/tiny.tsv", dir);
    size_t tlen;
    char *tsv = slurp(path, &tlen);
    snprintf(path, sizeof path, "%s/tiny.arpa", dir);
    size_t mlen;
    char *model_bytes = slurp(path, &mlen);
    if (!text || !tsv || !model_bytes) {
        tap_skip(6, "fixture files unreadable");
        return;
    }
    corpus c;
    split_lines(text, &c);
    spin_model *m, *mm;
    spin_diag d;
    if (spin_model_open(path, NULL, &m, &d) != SPIN_OK) {
        ok(0, "tiny.arpa loads: %s", d.message);
        return;
    }
    compare_interfaces(m, &c, "tiny.arpa");
    /* Totals equal KenLM's query (expected/tiny.tsv: sentence, total, oov). */
    int rows = 0, bad = 0;
    char *p = tsv;
    for (int l = 0; l < c.n && p && *p; ++l) {
        char *nl = strchr(p, '\n');
        char *t1 = strchr(p, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2)
            break;
        float want = strtof(t1 + 1, NULL);
        long oov = strtol(t2 + 1, NULL, 10);
        spin_sentence_score r = spin_score_sentence(m, c.text[l], c.len[l], 3, NULL);
        if (memcmp(&want, &r.total, 4) || (size_t)oov != r.oov) {
            if (++bad <= 3)
                printf("# line %d: got %.9g/%zu want %.9g/%ld\n", l + 1, (double)r.total, r.oov,
                       (double)want, oov);
        }
        ++rows;
        p = nl ? nl + 1 : NULL;
    }
    ok(rows == 50 && bad == 0, "sentence totals and OOV counts equal KenLM's on %d lines (%d off)",
       rows, bad);
    ok(spin_model_open_memory(model_bytes, mlen, "tiny", NULL, &mm, &d) == SPIN_OK,
       "tiny.arpa opens from memory");
    int diff = 0;
    for (int l = 0; l < c.n; ++l) {
        float a = spin_score_sentence(m, c.text[l], c.len[l], 3, NULL).total;
        float b = spin_score_sentence(mm, c.text[l], c.len[l], 3, NULL).total;
        diff += memcmp(&a, &b, 4) != 0;
    }
    is_int(diff, 0, "memory and path loads score identically");
    is_int(spin_vocab_size(m), 1432, "vocabulary size = unigram count");
    test_threads(m, &c);
    spin_model_free(mm);
    spin_model_free(m);
    free(text);
    free(tsv);
    free(model_bytes);
}

int main(void) {
    test_state_basics();
    const char *dir = tap_fixtures();
    if (dir)
        test_fixtures(dir);
    else
        tap_skip(6, "KenLM fixtures (../shared/fixtures/kenlm) not present");
    return tap_done();
}
