/* test_train.c - `spinscan train` estimation against KenLM's lmplz.
 *
 * Trains on the fixtures' training files and compares with lmplz's models:
 * the same n-grams, probabilities and backoffs within 1e-5 (log10), discounts
 * equal to those in lmplz's logs.  Also checks normalization through the
 * public scorer, the number formatting, and error paths.
 *
 * Also a tool: `test_train --compare REF.arpa[.gz] OURS.arpa[.gz]` prints the
 * differences between two ARPA files and exits 0 when they agree within 1e-5.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lm/arpa_write.h"
#include "util/mem.h"
#include "spinscan.h"
#include "tap.h"
#include "lm/train.h"
#include "support/scratch.h"

/* ---- a small ARPA map: n-gram text -> (prob, backoff) ---- */

typedef struct entry {
    char *key; /* words joined by single spaces */
    unsigned n;
    double prob, bo;
    int seen; /* matched during a comparison */
} entry;

typedef struct arpa_map {
    unsigned order;
    unsigned long long declared[SPIN_MAX_ORDER + 1];
    entry *e;
    size_t size, cap;
    size_t *slots;
    size_t nslots;
} arpa_map;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603u;
    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static entry *map_find(const arpa_map *m, const char *key) {
    size_t s = hash_str(key) & (m->nslots - 1);
    for (; m->slots[s]; s = (s + 1) & (m->nslots - 1))
        if (!strcmp(m->e[m->slots[s] - 1].key, key))
            return &m->e[m->slots[s] - 1];
    return NULL;
}

static int map_add(arpa_map *m, const char *key, unsigned n, double prob, double bo) {
    if (2 * (m->size + 1) > m->nslots) {
        size_t ns = m->nslots ? 2 * m->nslots : 1024;
        size_t *slots = calloc(ns, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < m->size; ++i) {
            size_t s = hash_str(m->e[i].key) & (ns - 1);
            while (slots[s])
                s = (s + 1) & (ns - 1);
            slots[s] = i + 1;
        }
        free(m->slots);
        m->slots = slots;
        m->nslots = ns;
    }
    if (map_find(m, key))
        return -2; /* duplicate */
    if (m->size == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->e = realloc(m->e, m->cap * sizeof *m->e);
        if (!m->e)
            return -1;
    }
    entry *e = &m->e[m->size++];
    e->key = strdup(key);
    e->n = n;
    e->prob = prob;
    e->bo = bo;
    e->seen = 0;
    size_t s = hash_str(key) & (m->nslots - 1);
    while (m->slots[s])
        s = (s + 1) & (m->nslots - 1);
    m->slots[s] = m->size;
    return 0;
}

static void map_free(arpa_map *m) {
    for (size_t i = 0; i < m->size; ++i)
        free(m->e[i].key);
    free(m->e);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* Loads an lmplz-style ARPA file (TAB-separated, plain or gzip).  Returns 0,
 * or -1 and a message in 'err'. */
static int map_load(arpa_map *m, const char *path, char *err, size_t errsize) {
    memset(m, 0, sizeof *m);
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot open", path);
        return -1;
    }
    static char line[1 << 16];
    unsigned section = 0;
    unsigned long long lineno = 0;
    int rc = 0;
    while (gzgets(f, line, sizeof line)) {
        ++lineno;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (!strncmp(line, "ngram ", 6)) {
            unsigned n;
            unsigned long long c;
            if (sscanf(line + 6, "%u=%llu", &n, &c) == 2 && n >= 1 && n <= SPIN_MAX_ORDER) {
                m->declared[n] = c;
                if (n > m->order)
                    m->order = n;
            }
            continue;
        }
        if (line[0] == '\\') {
            unsigned n;
            section = sscanf(line, "\\%u-grams:", &n) == 1 ? n : 0;
            continue;
        }
        if (!section || !len)
            continue;
        char *t1 = strchr(line, '\t');
        if (!t1) {
            snprintf(err, errsize, "%s:%llu: no TAB", path, lineno);
            rc = -1;
            break;
        }
        *t1 = '\0';
        char *words = t1 + 1, *t2 = strchr(words, '\t');
        double bo = 0;
        if (t2) {
            *t2 = '\0';
            bo = strtod(t2 + 1, NULL);
        }
        int r = map_add(m, words, section, strtod(line, NULL), bo);
        if (r) {
            snprintf(err, errsize, "%s:%llu: %s", path, lineno,
                     r == -2 ? "duplicate n-gram" : "out of memory");
            rc = -1;
            break;
        }
    }
    gzclose(f);
    return rc;
}

typedef struct comparison {
    size_t only_ref, only_ours, count_mismatch;
    double max_dprob, max_dbo;
    char worst[256];
} comparison;

static void compare_maps(arpa_map *ref, arpa_map *ours, comparison *c, int verbose) {
    memset(c, 0, sizeof *c);
    for (unsigned n = 1; n <= SPIN_MAX_ORDER; ++n)
        if (ref->declared[n] != ours->declared[n])
            ++c->count_mismatch;
    for (size_t i = 0; i < ref->size; ++i) {
        entry *r = &ref->e[i];
        entry *o = map_find(ours, r->key);
        if (!o) {
            if (verbose && c->only_ref < 10)
                printf("# only in reference: %s\n", r->key);
            ++c->only_ref;
            continue;
        }
        o->seen = 1;
        double dp = fabs(r->prob - o->prob), db = fabs(r->bo - o->bo);
        if (dp > c->max_dprob) {
            c->max_dprob = dp;
            snprintf(c->worst, sizeof c->worst, "%s: %.9g vs %.9g", r->key, r->prob, o->prob);
        }
        if (db > c->max_dbo)
            c->max_dbo = db;
    }
    for (size_t i = 0; i < ours->size; ++i)
        if (!ours->e[i].seen) {
            if (verbose && c->only_ours < 10)
                printf("# only in ours: %s\n", ours->e[i].key);
            ++c->only_ours;
        }
}

/* ---- lmplz logs: "N COUNT D1=x D2=y D3+=z" lines ---- */

static int read_discounts(const char *path, double d[SPIN_MAX_ORDER + 1][4]) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned n;
        unsigned long long count;
        double a, b, c;
        if (sscanf(line, "%u %llu D1=%lf D2=%lf D3+=%lf", &n, &count, &a, &b, &c) == 5 && n >= 1 &&
            n <= SPIN_MAX_ORDER) {
            d[n][1] = a;
            d[n][2] = b;
            d[n][3] = c;
            ++found;
        }
    }
    fclose(f);
    return found;
}

/* ---- training through the library ---- */

/* Pruning thresholds for the next train_file() call, lmplz-style: the last
 * one given applies to the orders above it.  Reset after each call. */
static uint64_t next_prune[SPIN_MAX_ORDER];
static unsigned next_nprune;

static void set_prune(unsigned n, const uint64_t *t) {
    next_nprune = n;
    memcpy(next_prune, t, n * sizeof *t);
}

static spin_status train_file(const char *corpus, unsigned order, bool fallback, const char *out,
                              train_stats *stats, spin_diag *diag) {
    train_options o;
    train_options_init(&o);
    o.order = order;
    o.discount_fallback = fallback;
    for (unsigned n = 0; next_nprune && n < SPIN_MAX_ORDER; ++n)
        o.prune[n] = next_prune[n < next_nprune ? n : next_nprune - 1];
    next_nprune = 0;
    train_model *m = NULL;
    spin_status st = train_new(&o, &m, diag);
    if (st == SPIN_OK)
        st = train_add_file(m, corpus, true, diag);
    if (st == SPIN_OK)
        st = train_estimate(m, stats, diag);
    if (st == SPIN_OK && out)
        st = train_write_arpa(m, out, diag);
    train_free(m);
    return st;
}

static char tmpdir[256];

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---- normalization through the public scorer ---- */

/* Sum over the vocabulary (without <s>) of P(w | state). */
static double mass(const spin_model *model, const spin_state *st) {
    double sum = 0;
    spin_word bos = spin_vocab_begin_sentence(model);
    spin_state out;
    for (size_t w = 0; w < spin_vocab_size(model); ++w) {
        if (w == bos)
            continue;
        spin_score s = spin_full_score(model, st, (spin_word)w, &out);
        sum += pow(10.0, (double)s.prob);
    }
    return sum;
}

/* Contexts: every 'step'-th n-gram of each order below the top, read from
 * our own ARPA map, turned into a state by scoring its words. */
static void check_normalization(const char *arpa, const arpa_map *ours, const char *label) {
    spin_model *model = NULL;
    spin_diag d;
    spin_status st = spin_model_open(arpa, NULL, &model, &d);
    ok(st == SPIN_OK, "%s: our model loads with spin_model_open (%s)", label,
       st == SPIN_OK ? "ok" : d.message);
    if (st != SPIN_OK)
        return;
    spin_state s0;
    spin_state_null_context(model, &s0);
    double worst = fabs(mass(model, &s0) - 1), sampled = 1;
    for (unsigned n = 1; n < ours->order; ++n) {
        size_t seen = 0;
        for (size_t i = 0; i < ours->size && seen < 40; ++i) {
            const entry *e = &ours->e[i];
            if (e->n != n || (i * 7919) % 13 != 0 || !strcmp(e->key, "</s>"))
                continue;
            if (strstr(e->key, "</s>"))
                continue; /* nothing follows </s> */
            ++seen;
            spin_state cur, next;
            spin_state_null_context(model, &cur);
            const char *p = e->key;
            while (*p) {
                const char *q = strchr(p, ' ');
                size_t len = q ? (size_t)(q - p) : strlen(p);
                spin_word w = spin_vocab_index(model, p, len);
                if (w == spin_vocab_begin_sentence(model))
                    spin_state_begin_sentence(model, &next);
                else
                    spin_full_score(model, &cur, w, &next);
                cur = next;
                p += len + (q != NULL);
            }
            double dm = fabs(mass(model, &cur) - 1);
            if (dm > worst)
                worst = dm;
            ++sampled;
        }
    }
    ok(worst <= 1e-4,
       "%s: sum of P(w|context) over the vocabulary is 1 +- 1e-4 for %.0f contexts "
       "of every order (worst |sum-1| = %.2g)",
       label, sampled, worst);
    spin_model_free(model);
}

/* ---- parity with one lmplz model ---- */

static void parity(const char *fixtures, const char *train, unsigned order, bool fallback,
                   const char *ref, const char *log, const char *out_name, int normalize) {
    char corpus[4200], refpath[4200], logpath[4200], err[512];
    snprintf(corpus, sizeof corpus, "%s/%s", fixtures, train);
    snprintf(refpath, sizeof refpath, "%s/%s", fixtures, ref);
    snprintf(logpath, sizeof logpath, "%s/%s", fixtures, log);
    const char *out = tmp_path(out_name);
    train_stats stats;
    spin_diag d;
    spin_status st = train_file(corpus, order, fallback, out, &stats, &d);
    ok(st == SPIN_OK, "%s -o %u%s trains (%s)", train, order,
       fallback ? " --discount-fallback" : "", st == SPIN_OK ? "ok" : d.message);
    if (st != SPIN_OK) {
        tap_skip(6, "training failed");
        return;
    }
    double want[SPIN_MAX_ORDER + 1][4] = {{0}};
    int orders = read_discounts(logpath, want);
    is_int(orders, order, "%s lists discounts for %u orders", log, order);
    double dmax = 0;
    for (unsigned n = 1; n <= order; ++n)
        for (int k = 1; k <= 3; ++k) {
            /* The log prints 6 significant digits: compare at that precision. */
            char ours[32], theirs[32];
            snprintf(ours, sizeof ours, "%g", (double)stats.discount[n - 1][k]);
            snprintf(theirs, sizeof theirs, "%g", want[n][k]);
            double diff = fabs(strtod(ours, NULL) - strtod(theirs, NULL));
            if (diff > dmax)
                dmax = diff;
        }
    ok(dmax <= 1e-5, "%s: D1, D2, D3+ of every order equal lmplz's log (max |diff| %.2g)", train,
       dmax);
    arpa_map a, b;
    int la = map_load(&a, refpath, err, sizeof err);
    int lb = la ? -1 : map_load(&b, out, err, sizeof err);
    if (la || lb) {
        ok(0, "load %s and ours: %s", ref, err);
        tap_skip(3, "cannot compare");
        if (!la)
            map_free(&a);
        return;
    }
    comparison c;
    compare_maps(&a, &b, &c, 1);
    ok(c.only_ref == 0 && c.only_ours == 0 && c.count_mismatch == 0,
       "%s: exactly lmplz's n-grams (%zu n-grams; only in lmplz %zu, only ours %zu, header "
       "mismatches %zu)",
       ref, a.size, c.only_ref, c.only_ours, c.count_mismatch);
    ok(c.max_dprob <= 1e-5, "%s: log10 probabilities within 1e-5 (max |diff| %.3g%s%s)", ref,
       c.max_dprob, c.worst[0] ? " at " : "", c.worst);
    ok(c.max_dbo <= 1e-5, "%s: log10 backoffs within 1e-5 (max |diff| %.3g)", ref, c.max_dbo);
    if (normalize)
        check_normalization(out, &b, ref);
    map_free(&a);
    map_free(&b);
}

/* ---- tests that need no fixtures ---- */

static void test_format(void) {
    static const struct {
        float v;
        const char *want;
    } cases[] = {
        {0.0f, "0"},
        {-0.0f, "0"},
        {-0.34433872f, "-0.34433872"},
        {-3.6227195f, "-3.6227195"},
        {-2.51275f, "-2.51275"},
        {-0.30103f, "-0.30103"},
        {0.5f, "0.5"},
        {-1.0f, "-1"},
        {-100.0f, "-100"},
        {0.000001f, "0.000001"},
        {1e-7f, "1e-7"},
        {-1.5e-10f, "-1.5e-10"},
        {123456789.0f, "123456790"},
        {1e21f, "1e21"},
        {-0.058830276f, "-0.058830276"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char buf[ARPAW_FLOAT_MAX];
        arpaw_format_float(buf, cases[i].v);
        is_str(buf, cases[i].want, "float %.9g prints as %s", (double)cases[i].v, cases[i].want);
    }
    /* Every printed value reads back as the same float. */
    int bad = 0;
    uint32_t x = 12345;
    for (int i = 0; i < 200000; ++i) {
        x = x * 1664525u + 1013904223u;
        float v = -(float)(x % 100000000u) / (float)(1u << (x % 31));
        char buf[ARPAW_FLOAT_MAX];
        arpaw_format_float(buf, v);
        if (strtof(buf, NULL) != v)
            ++bad;
    }
    is_int(bad, 0, "200000 random floats print as text that reads back exactly");
}

static void write_file(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
}

static int warnings;
static void count_warning(void *ctx, const spin_diag *d) {
    ++warnings;
}

static void test_small(void) {
    /* A hand-checkable bigram model. */
    char corpus[600], out[600], gz[600];
    snprintf(corpus, sizeof corpus, "%s", tmp_path("small.txt"));
    snprintf(out, sizeof out, "%s", tmp_path("small.arpa"));
    snprintf(gz, sizeof gz, "%s", tmp_path("small.arpa.gz"));
    write_file(corpus, "a b\na b\na c\n", 12);
    train_stats s;
    spin_diag d;
    spin_status st = train_file(corpus, 2, false, NULL, &s, &d);
    is_int(st, SPIN_EFORMAT, "3-line corpus without fallback: discounts cannot be estimated");
    ok(strstr(d.message, "could not estimate Kneser-Ney discounts for 1-grams") != NULL,
       "the message names the order (%s)", d.message);
    st = train_file(corpus, 2, true, out, &s, &d);
    is_int(st, SPIN_OK, "with --discount-fallback it trains");
    is_int(s.sentences, 3, "3 sentences");
    is_int(s.tokens, 6, "6 tokens");
    is_int(s.ngrams[0], 6, "6 unigrams: <unk> <s> </s> a b c");
    is_int(s.ngrams[1], 5, "5 bigrams: <s> a, a b, a c, b </s>, c </s>");
    arpa_map m;
    char err[256];
    if (map_load(&m, out, err, sizeof err) == 0) {
        entry *e = map_find(&m, "a b");
        ok(e != NULL, "bigram 'a b' is in the model");
        entry *bos = map_find(&m, "<s>");
        ok(bos && bos->prob == 0, "<s> has log10 probability 0");
        entry *unk = map_find(&m, "<unk>");
        /* Unigram adjusted counts: a 1 (<s> a), b 1, c 1, </s> 2; total 5;
         * gamma0 = (3*0.5 + 1*1)/5 = 0.5; uniform over 5 words. */
        ok(unk && fabs(unk->prob - log10(0.5 / 5)) < 1e-6, "<unk> gets gamma0/|V|: %g",
           unk ? unk->prob : 0);
        entry *eos = map_find(&m, "</s>");
        ok(eos && fabs(eos->prob - log10((2 - 1.0) / 5 + 0.1)) < 1e-6, "p(</s>) = %g",
           eos ? eos->prob : 0);
        /* Bigrams estimate their own discounts (t = 2, 2, 1, 0): a(a b) = 2 of
         * 3 after "a"; gamma(a) = (D1 + D2)/3; p(b) = (1 - 0.5)/5 + 0.1. */
        const float *d2 = s.discount[1];
        double want = (2 - d2[2]) / 3.0 + (d2[1] + d2[2]) / 3.0 * 0.2;
        ok(!s.used_fallback[1] && e && fabs(e->prob - log10(want)) < 1e-6,
           "p(b|a) interpolates: %g, want %g", e ? e->prob : 0, log10(want));
        map_free(&m);
    } else {
        ok(0, "load small.arpa: %s", err);
    }

    /* Literal markers are whitespace, with one warning. */
    write_file(corpus, "<s> a b </s>\na <unk> b\n<UNK>\n", 29);
    train_options o;
    train_options_init(&o);
    o.order = 2;
    o.discount_fallback = true;
    o.warn = count_warning;
    warnings = 0;
    train_model *tm = NULL;
    st = train_new(&o, &tm, &d);
    if (st == SPIN_OK)
        st = train_add_file(tm, corpus, true, &d);
    if (st == SPIN_OK)
        st = train_estimate(tm, &s, &d);
    train_free(tm);
    is_int(st, SPIN_OK, "markers in the text: trains");
    is_int(s.dropped, 4, "4 markers taken for whitespace");
    is_int(s.tokens, 4, "4 real tokens");
    ok(warnings >= 1, "a warning says so");

    /* Errors. */
    o.order = 1;
    st = train_new(&o, &tm, &d);
    is_int(st, SPIN_EINVAL, "order 1 is refused");
    o.order = SPIN_MAX_ORDER + 1;
    is_int(train_new(&o, &tm, &d), SPIN_EINVAL, "order %d is refused", SPIN_MAX_ORDER + 1);

    write_file(corpus, "", 0);
    st = train_file(corpus, 3, true, NULL, &s, &d);
    is_int(st, SPIN_EFORMAT, "an empty corpus is an error");
    ok(strstr(d.message, "no text") != NULL, "which says so (%s)", d.message);

    write_file(corpus, "a b\nc \0 d\n", 10);
    st = train_file(corpus, 3, true, NULL, &s, &d);
    is_int(st, SPIN_EFORMAT, "a NUL byte is an error");
    is_int(d.line, 2, "on line 2");
    ok(strstr(d.path, "small.txt") != NULL, "naming the file (%s)", d.path);

    st = train_file(tmp_path("does-not-exist.txt"), 3, true, NULL, &s, &d);
    is_int(st, SPIN_EIO, "a missing corpus is an I/O error");

    /* A failed write leaves no file and no temporary behind. */
    write_file(corpus, "a b\na b\na c\n", 12);
    st = train_file(corpus, 2, true, tmp_path("no/such/dir/x.arpa"), &s, &d);
    is_int(st, SPIN_EIO, "writing into a missing directory fails");

    /* An unterminated last line and CRLF line ends count like terminated ones. */
    write_file(corpus, "a b\r\na b\na c", 12);
    st = train_file(corpus, 2, true, NULL, &s, &d);
    ok(st == SPIN_OK && s.sentences == 3 && s.tokens == 6 && s.ngrams[0] == 6,
       "CRLF and a missing final newline change nothing");

    /* gzip output is gzip and reads back the same. */
    write_file(corpus, "a b\na b\na c\nb c a\n", 18);
    st = train_file(corpus, 3, true, gz, &s, &d);
    FILE *f = fopen(gz, "rb");
    int c1 = f ? fgetc(f) : -1, c2 = f ? fgetc(f) : -1;
    if (f)
        fclose(f);
    ok(st == SPIN_OK && c1 == 0x1f && c2 == 0x8b, "an output name ending in .gz gives gzip");
    st = train_file(corpus, 3, true, out, &s, &d);
    arpa_map ma, mb;
    int same = map_load(&ma, gz, err, sizeof err) == 0 && map_load(&mb, out, err, sizeof err) == 0;
    comparison c;
    if (same) {
        compare_maps(&ma, &mb, &c, 0);
        same = c.only_ref == 0 && c.only_ours == 0 && c.max_dprob == 0 && c.max_dbo == 0;
        map_free(&ma);
        map_free(&mb);
    }
    ok(same, "the gzip and plain outputs hold the same model");
}

/* Every allocation failure is reported as SPIN_ENOMEM and leaks nothing
 * (under ASan). */
static void test_out_of_memory(int prune) {
    const char *corpus = tmp_path("oom.txt");
    write_file(corpus, "a b c d\na b c\nb c d a\nd c b a\n", 30);
    const char *out = tmp_path("oom.arpa");
    static const uint64_t t[] = {0, 1};
    int bad = 0;
    unsigned long k;
    for (k = 1; k < 2000; ++k) {
        train_stats s;
        spin_diag d;
        if (prune)
            set_prune(2, t);
        mem_fail_at(k);
        spin_status st = train_file(corpus, 3, true, out, &s, &d);
        mem_fail_at(0);
        if (st == SPIN_OK)
            break;
        if (st != SPIN_ENOMEM)
            ++bad;
    }
    ok(k > 1 && k < 2000, "%straining succeeds once allocations stop failing (after %lu)",
       prune ? "pruned: " : "", k - 1);
    is_int(bad, 0, "%severy earlier allocation failure gave SPIN_ENOMEM", prune ? "pruned: " : "");
}

/* ---- pruning (lmplz --prune) ---- */

/* Counts, independently of the trainer, every n-gram of orders 2..'order' in
 * the padded sentences "<s> w1 .. wk </s>" of 'path' into 'raw' (the count is
 * kept in 'prob').  Returns 0, or -1 when the file cannot be read. */
static int count_raw(const char *path, unsigned order, arpa_map *raw) {
    memset(raw, 0, sizeof *raw);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    static char line[1 << 16];
    static const char *w[4096];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        size_t k = 0;
        w[k++] = "<s>";
        for (char *tok = strtok(line, " \t\r\n"); tok && k < 4095; tok = strtok(NULL, " \t\r\n"))
            w[k++] = tok;
        w[k++] = "</s>";
        for (size_t j = 1; j < k && rc == 0; ++j)
            for (unsigned n = 2; n <= order && n <= j + 1; ++n) {
                char key[1024] = "";
                for (size_t i = j + 1 - n; i <= j; ++i) {
                    if (i > j + 1 - n)
                        strcat(key, " ");
                    strncat(key, w[i], 100);
                }
                entry *e = raw->nslots ? map_find(raw, key) : NULL;
                if (e)
                    e->prob += 1;
                else if (map_add(raw, key, n, 1, 0))
                    rc = -1;
            }
    }
    fclose(f);
    return rc;
}

/* A model pruned with thresholds 't' (t[n-1] for order n): it holds exactly
 * the n-grams seen more than t times (raw counts, not adjusted ones), with
 * every context and suffix, and its header counts its sections. */
static void check_prune_set(const char *label, arpa_map *model, arpa_map *raw, const uint64_t *t) {
    size_t low = 0, missing = 0, broken = 0, badcount = 0;
    unsigned long long per[SPIN_MAX_ORDER + 1] = {0};
    char key[1024];
    for (size_t i = 0; i < model->size; ++i) {
        const entry *e = &model->e[i];
        ++per[e->n];
        if (e->n < 2)
            continue;
        const entry *r = map_find(raw, e->key);
        if (!r || r->prob <= (double)t[e->n - 1]) {
            if (low++ < 3)
                tap_diag("%s: '%s' seen %g times", label, e->key, r ? r->prob : 0);
        }
        snprintf(key, sizeof key, "%s", e->key);
        *strrchr(key, ' ') = '\0';
        if (!map_find(model, key) || !map_find(model, strchr(e->key, ' ') + 1))
            ++broken;
    }
    for (size_t i = 0; i < raw->size; ++i) {
        const entry *r = &raw->e[i];
        if (r->n <= model->order && r->prob > (double)t[r->n - 1] && !map_find(model, r->key))
            ++missing;
    }
    for (unsigned n = 1; n <= model->order; ++n)
        badcount += model->declared[n] != per[n];
    is_int(low, 0, "%s: every n-gram kept was seen more often than its order's threshold", label);
    is_int(missing, 0, "%s: every n-gram seen more often than the threshold is kept", label);
    is_int(broken, 0, "%s: the context and the suffix of every kept n-gram are in the model",
           label);
    is_int(badcount, 0, "%s: the header's counts are the sections' sizes", label);
}

/* Without fixtures: threshold semantics on a hand-made corpus, option checks. */
static void test_prune_small(void) {
    const char *corpus = tmp_path("prune.txt"), *out = tmp_path("prune.arpa");
    const char *plain = tmp_path("prune-none.arpa"), *zero = tmp_path("prune-zero.arpa");
    /* 400 pseudo-random sentences over 40 words, skewed toward the first
     * ones, then "qw qx qy" three times: "qx qy" has raw count 3 but
     * adjusted count 1 (only "qw" comes before it) in an order-3 model. */
    FILE *f = fopen(corpus, "w");
    uint32_t x = 42;
    for (int i = 0; i < 400; ++i) {
        x = x * 1664525u + 1013904223u;
        int len = 3 + (int)(x >> 24) % 8;
        for (int k = 0; k < len; ++k) {
            x = x * 1664525u + 1013904223u;
            unsigned a = (x >> 16) % 40, b = (x >> 8) % 40;
            fprintf(f, "%sw%u", k ? " " : "", a * b / 40);
        }
        fputc('\n', f);
    }
    fputs("qw qx qy\nqw qx qy\nqw qx qy\nqa qb\nqa qb\nqa qb qc\n", f);
    fclose(f);
    static const uint64_t t011[] = {0, 1, 1}, t000[] = {0, 0, 0};
    train_stats s;
    spin_diag d;
    set_prune(3, t011);
    spin_status st = train_file(corpus, 3, true, out, &s, &d);
    is_int(st, SPIN_OK, "--prune 0 1 1 on a small corpus trains (%s)",
           st == SPIN_OK ? "ok" : d.message);
    train_stats full;
    st = train_file(corpus, 3, true, plain, &full, &d);
    ok(st == SPIN_OK && s.ngrams_counted[1] == full.ngrams[1] &&
           s.ngrams_counted[2] == full.ngrams[2] && s.ngrams[1] < full.ngrams[1] &&
           s.ngrams[2] < full.ngrams[2] && s.ngrams[0] == full.ngrams[0],
       "pruning drops bigrams and trigrams (%llu/%llu, %llu/%llu), no unigram",
       (unsigned long long)s.ngrams[1], (unsigned long long)s.ngrams_counted[1],
       (unsigned long long)s.ngrams[2], (unsigned long long)s.ngrams_counted[2]);
    int same_d = 1;
    for (unsigned n = 0; n < 3; ++n)
        for (int k = 1; k <= 3; ++k)
            same_d &= s.discount[n][k] == full.discount[n][k];
    ok(same_d, "the discounts are those of the unpruned model (counts-of-counts before pruning)");
    arpa_map m, raw;
    char err[256];
    if (map_load(&m, out, err, sizeof err) == 0 && count_raw(corpus, 3, &raw) == 0) {
        ok(map_find(&m, "qx qy") != NULL,
           "'qx qy' (raw count 3, adjusted count 1) is kept: the threshold applies to raw counts");
        ok(map_find(&m, "qw qx qy") && map_find(&m, "qa qb") && !map_find(&m, "qb qc") &&
               !map_find(&m, "qa qb qc") && map_find(&m, "qc"),
           "seen twice or more: kept; seen once: pruned (but never a unigram)");
        check_prune_set("small --prune 0 1 1", &m, &raw, t011);
        map_free(&raw);
        check_normalization(out, &m, "small --prune 0 1 1");
        map_free(&m);
    } else {
        ok(0, "load the pruned model: %s", err);
    }
    set_prune(3, t000);
    st = train_file(corpus, 3, true, zero, &s, &d);
    arpa_map a, b;
    int same = st == SPIN_OK && map_load(&a, plain, err, sizeof err) == 0 &&
               map_load(&b, zero, err, sizeof err) == 0;
    if (same) {
        comparison c;
        compare_maps(&a, &b, &c, 0);
        same = c.only_ref == 0 && c.only_ours == 0 && c.max_dprob == 0 && c.max_dbo == 0;
        map_free(&a);
        map_free(&b);
    }
    ok(same, "--prune 0 0 0 gives the unpruned model");

    /* The library refuses what lmplz refuses. */
    train_options o;
    train_options_init(&o);
    o.order = 3;
    train_model *tm = NULL;
    o.prune[0] = 1;
    o.prune[1] = o.prune[2] = 1;
    st = train_new(&o, &tm, &d);
    ok(st == SPIN_EINVAL && strstr(d.message, "unigrams must be 0"),
       "a nonzero unigram threshold is refused (%s)", d.message);
    o.prune[0] = 0;
    o.prune[1] = 2;
    o.prune[2] = 1;
    st = train_new(&o, &tm, &d);
    ok(st == SPIN_EINVAL && strstr(d.message, "must not decrease"),
       "decreasing thresholds are refused (%s)", d.message);
    o.prune[2] = 2;
    o.prune[3] = 0; /* beyond the order: ignored */
    st = train_new(&o, &tm, &d);
    ok(st == SPIN_OK, "thresholds beyond the order are ignored");
    train_free(tm);
}

/* One lmplz --prune run, as recorded from lmplz itself (KenLM 4cb443e,
 * lmplz -o ORDER --prune ... --text tiny_train.txt / mid_train.txt). */
typedef struct prune_fact {
    const char *ngram;
    double prob, bo;
} prune_fact;

static void prune_parity(const char *fx, const char *train, unsigned order, unsigned nt,
                         const uint64_t *t, const double (*disc)[3],
                         const unsigned long long *counts, const prune_fact *facts, size_t nfacts,
                         const char *const *absent, int normalize) {
    char corpus[4200], label[128], err[512];
    int at = snprintf(label, sizeof label, "%s -o %u --prune", train, order);
    for (unsigned i = 0; i < nt; ++i)
        at += snprintf(label + at, sizeof label - (size_t)at, " %llu", (unsigned long long)t[i]);
    snprintf(corpus, sizeof corpus, "%s/%s", fx, train);
    const char *out = tmp_path("pruned.arpa");
    train_stats s;
    spin_diag d;
    set_prune(nt, t);
    spin_status st = train_file(corpus, order, false, out, &s, &d);
    ok(st == SPIN_OK, "%s trains (%s)", label, st == SPIN_OK ? "ok" : d.message);
    if (st != SPIN_OK)
        return;
    int same = 1;
    char got[200] = "", want[200] = "";
    for (unsigned n = 1; n <= order; ++n) {
        same &= s.ngrams[n - 1] == counts[n - 1];
        size_t g = strlen(got), w = strlen(want);
        snprintf(got + g, sizeof got - g, " %llu", (unsigned long long)s.ngrams[n - 1]);
        snprintf(want + w, sizeof want - w, " %llu", counts[n - 1]);
    }
    ok(same, "%s: lmplz's n-gram counts per order (%s; lmplz %s)", label, got + 1, want + 1);
    /* lmplz logs 6 significant digits: compare at that precision. */
    double dmax = 0;
    for (unsigned n = 1; n <= order; ++n)
        for (int k = 1; k <= 3; ++k) {
            char a[32];
            snprintf(a, sizeof a, "%g", (double)s.discount[n - 1][k]);
            dmax = fmax(dmax, fabs(strtod(a, NULL) - disc[n - 1][k - 1]));
        }
    ok(dmax <= 1e-5, "%s: D1, D2, D3+ equal lmplz's logged ones (max |diff| %.2g)", label, dmax);
    arpa_map m, raw;
    if (map_load(&m, out, err, sizeof err)) {
        ok(0, "%s: load ours: %s", label, err);
        return;
    }
    size_t bad = 0;
    double worst = 0;
    for (size_t i = 0; i < nfacts; ++i) {
        const entry *e = map_find(&m, facts[i].ngram);
        double dp = e ? fmax(fabs(e->prob - facts[i].prob), fabs(e->bo - facts[i].bo)) : 1;
        worst = fmax(worst, dp);
        if (dp > 1e-5 && bad++ < 3)
            tap_diag("%s: '%s': %.9g %.9g, lmplz %.9g %.9g", label, facts[i].ngram, e ? e->prob : 0,
                     e ? e->bo : 0, facts[i].prob, facts[i].bo);
    }
    if (nfacts)
        ok(bad == 0, "%s: %zu of lmplz's probabilities and backoffs within 1e-5 (worst %.2g)",
           label, nfacts, worst);
    size_t present = 0;
    for (size_t i = 0; absent && absent[i]; ++i)
        present += map_find(&m, absent[i]) != NULL;
    if (absent)
        is_int(present, 0, "%s: n-grams lmplz prunes are absent", label);
    if (count_raw(corpus, order, &raw) == 0) {
        uint64_t tt[SPIN_MAX_ORDER];
        for (unsigned n = 0; n < order; ++n)
            tt[n] = t[n < nt ? n : nt - 1];
        check_prune_set(label, &m, &raw, tt);
        map_free(&raw);
    } else {
        ok(0, "%s: count %s", label, corpus);
    }
    if (normalize)
        check_normalization(out, &m, label);
    map_free(&m);
}

static void test_prune_fixtures(const char *fx) {
    static const uint64_t t011[] = {0, 1, 1}, t0123[] = {0, 1, 2, 3}, t001[] = {0, 0, 1};
    static const unsigned long long tiny3[] = {1432, 461, 168}, tiny4[] = {1432, 461, 35, 3};
    static const prune_fact tiny3_facts[] = {
        {"<unk>", -3.6227195, 0},
        {"the", -1.6063944, -0.12202679},
        {"friday", -3.0317686, 0},
        {"<s> the", -0.6400827, -0.05145651},
        {"of the", -0.66653943, -0.010090018},
        {"the jury", -2.4562943, -0.2002124},
        {"which the", -1.107434, 0},
        {"fulton county", -0.70079803, 0},
        {"the jury said", -0.42535055, 0},
        {"the jury recommended", -1.400899, 0},
        {"said . </s>", -0.060351662, 0},
    };
    static const char *const tiny3_absent[] = {"the jury further", "the jury did", NULL};
    static const prune_fact tiny4_facts[] = {
        {"the", -1.6063944, -0.12202679},   {"<s> the", -0.6400827, -0.039393697},
        {"of the", -0.66653943, 0},         {", and", -1.3197255, 0},
        {"said . </s>", -0.058519725, 0},   {"austin , texas </s>", -0.38465595, 0},
        {", the jury said", -0.4207528, 0}, {"<s> austin , texas", -0.36380273, 0},
    };
    /* lmplz's logged discounts for these runs: the unpruned model's (pruning
     * does not change them; compare lmplz_tiny.err and lmplz_mid4.err). */
    static const double tiny_d[4][3] = {
        {0.666431, 1.22909, 1.41814}, {0.873313, 1.3128, 1.63545}, {0.941769, 1.57514, 2.62329}};
    static const double tiny4_d[4][3] = {{0.666431, 1.22909, 1.41814},
                                         {0.873313, 1.3128, 1.63545},
                                         {0.958563, 1.47993, 2.54891},
                                         {0.977353, 1.77003, 3}};
    static const double mid_d[4][3] = {{0.628884, 1.01421, 1.55185},
                                       {0.818335, 1.2032, 1.42676},
                                       {0.926089, 1.30363, 1.59694},
                                       {0.970599, 1.49723, 1.62156}};
    prune_parity(fx, "tiny_train.txt", 3, 3, t011, tiny_d, tiny3, tiny3_facts,
                 sizeof tiny3_facts / sizeof tiny3_facts[0], tiny3_absent, 1);
    prune_parity(fx, "tiny_train.txt", 4, 4, t0123, tiny4_d, tiny4, tiny4_facts,
                 sizeof tiny4_facts / sizeof tiny4_facts[0], NULL, 1);
    static const unsigned long long mid4a[] = {14915, 13978, 2661, 259},
                                    mid4b[] = {14915, 74594, 7591, 2344};
    prune_parity(fx, "mid_train.txt", 4, 4, t0123, mid_d, mid4a, NULL, 0, NULL, 1);
    prune_parity(fx, "mid_train.txt", 4, 3, t001, mid_d, mid4b, NULL, 0, NULL, 0);
}

static int compare_tool(const char *ref, const char *ours) {
    arpa_map a, b;
    char err[512];
    if (map_load(&a, ref, err, sizeof err) || map_load(&b, ours, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    comparison c;
    compare_maps(&a, &b, &c, 1);
    printf("n-grams: %zu reference, %zu ours; only in reference %zu, only ours %zu; header "
           "mismatches %zu\nmax |d log10 prob| %.3g (%s)\nmax |d log10 backoff| %.3g\n",
           a.size, b.size, c.only_ref, c.only_ours, c.count_mismatch, c.max_dprob, c.worst,
           c.max_dbo);
    int same = c.only_ref == 0 && c.only_ours == 0 && c.count_mismatch == 0 &&
               c.max_dprob <= 1e-5 && c.max_dbo <= 1e-5;
    map_free(&a);
    map_free(&b);
    return same ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "--compare"))
        return compare_tool(argv[2], argv[3]);
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/spinscan-train-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! cannot make a temporary directory: %s\n", strerror(errno));
        return 1;
    }

    test_format();
    test_small();
    test_out_of_memory(0);
    test_out_of_memory(1);
    test_prune_small();

    const char *fx = tap_fixtures();
    if (!fx) {
        tap_skip(1, "KenLM fixtures (../shared/fixtures/kenlm) not present: no lmplz parity");
    } else {
        parity(fx, "tiny_train.txt", 3, false, "tiny.arpa", "lmplz_tiny.err", "tiny.arpa", 1);
        parity(fx, "tiny_train.txt", 5, true, "tiny5.arpa", "lmplz_tiny5.err", "tiny5.arpa", 1);
        parity(fx, "micro_train.txt", 3, true, "micro.arpa", "lmplz_micro.err", "micro.arpa", 1);
        parity(fx, "mid_train.txt", 4, false, "mid4.arpa.gz", "lmplz_mid4.err", "mid4.arpa.gz", 1);

        /* lmplz refuses micro without the fallback, and so do we, in its words. */
        char corpus[4200];
        snprintf(corpus, sizeof corpus, "%s/micro_train.txt", fx);
        train_stats s;
        spin_diag d;
        spin_status st = train_file(corpus, 3, false, tmp_path("micro-nofb.arpa"), &s, &d);
        is_int(st, SPIN_EFORMAT, "micro_train.txt without --discount-fallback fails");
        ok(strstr(d.message, "2-gram discount out of range for adjusted count 3: -0.7254901") !=
               NULL,
           "with lmplz's message (%s)", d.message);
        ok(access(tmp_path("micro-nofb.arpa"), F_OK) != 0, "and writes nothing");
        /* Fallback flags as in lmplz_micro.err: orders 2 and 3. */
        st = train_file(corpus, 3, true, NULL, &s, &d);
        ok(st == SPIN_OK && !s.used_fallback[0] && s.used_fallback[1] && s.used_fallback[2],
           "micro: the fallback replaces the 2-gram and 3-gram discounts only, as in lmplz's log");
        test_prune_fixtures(fx);
    }
    scratch_dir_remove(tmpdir);
    return tap_done();
}
