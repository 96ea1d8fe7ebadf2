/* test_arpa.c - the ARPA reader's rules on small hand-written models:
 * what is accepted, what is rejected (with the right line and message),
 * compressed input, SRI-style blanks, special words and float parsing. */
#include <bzlib.h>
#include <lzma.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "lm/arpa.h"
#include "spinscan.h"
#include "tap.h"

/* A complete trigram model; tests edit copies of it. */
static const char *BASE = "\\data\\\n"
                          "ngram 1=5\n"
                          "ngram 2=4\n"
                          "ngram 3=2\n"
                          "\n"
                          "\\1-grams:\n"
                          "-1.0\t<unk>\t0\n"
                          "0\t<s>\t-0.5\n"
                          "-1.5\t</s>\t0\n"
                          "-0.8\ta\t-0.3\n"
                          "-0.9\tb\t-0.2\n"
                          "\n"
                          "\\2-grams:\n"
                          "-0.4\t<s> a\t-0.1\n"
                          "-0.6\ta b\t-0.25\n"
                          "-0.7\tb </s>\n"
                          "-0.3\tb a\t0\n"
                          "\n"
                          "\\3-grams:\n"
                          "-0.2\t<s> a b\n"
                          "-0.15\ta b </s>\n"
                          "\n"
                          "\\end\\\n";

typedef struct warnings {
    int n;
    char last[600];
} warnings;

static void collect(void *ctx, const spin_diag *d) {
    warnings *w = ctx;
    w->n++;
    snprintf(w->last, sizeof w->last, "%s", d->message);
}

static spin_status load(const char *text, size_t len, spin_model **m, spin_diag *d, warnings *w,
                        unsigned flags) {
    spin_load_options o;
    spin_load_options_init(&o);
    o.warn = collect;
    o.warn_ctx = w;
    o.allow_missing_markers = flags & 1;
    o.positive_prob_to_zero = flags & 2;
    return spin_model_open_memory(text, len, "test.arpa", &o, m, d);
}

/* Replaces the first occurrence of 'from' in BASE by 'to' (static buffer). */
static const char *edit(const char *from, const char *to) {
    static char buf[4096];
    const char *at = strstr(BASE, from);
    if (!at) {
        printf("# edit: '%s' not in BASE\n", from);
        return BASE;
    }
    size_t pre = (size_t)(at - BASE);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)pre, BASE, to, at + strlen(from));
    return buf;
}

static float score_words(const spin_model *m, const char *text, unsigned char *lens, size_t *n) {
    spin_score s[16];
    spin_sentence_score r =
        spin_score_sentence(m, text, strlen(text), SPIN_SCORE_BOS | SPIN_SCORE_EOS, s);
    for (size_t i = 0; i < r.tokens && i < 16; ++i)
        lens[i] = s[i].ngram_length;
    *n = r.tokens;
    return r.total;
}

static void test_scoring_by_hand(void) {
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    spin_status st = load(BASE, strlen(BASE), &m, &d, &w, 0);
    is_int(st, SPIN_OK, "base model loads");
    if (st != SPIN_OK) {
        printf("# %s\n", d.message);
        return;
    }
    is_int(w.n, 0, "no warnings for a clean model");
    is_int(spin_model_order(m), 3, "order 3");
    is_int(spin_model_count(m, 2), 4, "4 bigrams");
    is_int(spin_model_count(m, 4), 0, "count beyond the order is 0");
    is_int(spin_vocab_index(m, "a", 1), 3, "ids follow file order: a=3");
    is_int(spin_vocab_index(m, "<UNK>", 5), 0, "<UNK> is the unknown word");
    is_int(spin_vocab_index(m, "zzz", 3), SPIN_WORD_NOT_FOUND, "unknown word -> 0");
    is_int(spin_vocab_begin_sentence(m), 1, "<s> = 1");
    is_int(spin_vocab_end_sentence(m), 2, "</s> = 2");
    size_t len;
    is_str(spin_vocab_word(m, 4, &len), "b", "word 4 is b");
    ok(spin_vocab_word(m, 99, NULL) == NULL, "out-of-range id gives NULL");

    unsigned char lens[16];
    size_t n;
    /* <s> a b </s>: -0.4 (bigram), -0.2 (trigram), -0.15 (trigram) */
    float t = score_words(m, "a b", lens, &n);
    float want = -0.4f;
    want += -0.2f;
    want += -0.15f;
    is_float_bits(t, want, "a b: longest matches, no backoff");
    ok(n == 3 && lens[0] == 2 && lens[1] == 3 && lens[2] == 3, "a b: lengths 2 3 3");
    /* <s> b b </s>: p(b)+bo(<s>), p(b)+bo(b), p(</s>|b) */
    t = score_words(m, "b b", lens, &n);
    float w1 = -0.9f, w2 = -0.9f;
    w1 += -0.5f;
    w2 += -0.2f;
    want = 0.0f;
    want += w1;
    want += w2;
    want += -0.7f;
    is_float_bits(t, want, "b b: backoffs accumulate in float");
    ok(n == 3 && lens[0] == 1 && lens[1] == 1 && lens[2] == 2, "b b: lengths 1 1 2");
    /* An OOV scores as <unk> plus the context's backoff and counts as OOV. */
    spin_score s[4];
    spin_sentence_score r = spin_score_sentence(m, "zzz", 3, SPIN_SCORE_BOS, s);
    float u = -1.0f;
    u += -0.5f;
    is_float_bits(r.total, u, "OOV = p(<unk>) + bo(<s>)");
    ok(r.oov == 1 && s[0].oov && r.tokens == 1, "OOV counted, no </s> without EOS flag");
    spin_model_free(m);
}

static void test_blanks(void) {
    /* The trigram "x a b" survives while its suffix "a b" was pruned (SRI):
     * a blank "a b" with prob p(b) + bo(a) lets lookups reach the trigram. */
    const char *text = "\\data\\\nngram 1=6\nngram 2=3\nngram 3=1\n\n"
                       "\\1-grams:\n-1\t<unk>\n0\t<s>\t-0.5\n-1.5\t</s>\n"
                       "-0.8\tx\t-0.1\n-0.7\ta\t-0.3\n-0.9\tb\n\n"
                       "\\2-grams:\n-0.4\t<s> x\t-0.05\n-0.6\tx a\t-0.2\n-0.5\ta </s>\n\n"
                       "\\3-grams:\n-0.11\tx a b\n\n\\end\\\n";
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    if (load(text, strlen(text), &m, &d, &w, 0) != SPIN_OK) {
        ok(0, "blank model loads: %s", d.message);
        return;
    }
    spin_score s[8];
    spin_score_sentence(m, "x a b", 5, SPIN_SCORE_BOS, s);
    ok(s[2].ngram_length == 3, "trigram behind a pruned suffix is found (len %d)",
       s[2].ngram_length);
    is_float_bits(s[2].prob, -0.11f, "and scored with its own probability");
    spin_score_sentence(m, "a b", 3, SPIN_SCORE_BOS, s);
    float blank = -0.9f;
    blank += -0.3f;
    ok(s[1].ngram_length == 2, "a blank match reports length 2, as KenLM does");
    is_float_bits(s[1].prob, blank, "blank prob = p(b) + bo(a)");
    spin_model_free(m);
}

typedef struct bad_case {
    const char *from, *to; /* edit of BASE */
    uint64_t line;
    const char *needle; /* expected in the message */
} bad_case;

static const bad_case bad[] = {
    {"\\data\\\n", "junk\n\\data\\\n", 1, "expected \"\\data\\\""},
    {"\\data\\\n", "\\data\\ \n", 1, "trailing whitespace"},
    {"ngram 2=4", "ngram 2 = 4", 3, "right after \"ngram 2\""},
    {"ngram 2=4", "ngram 3=4", 3, "expected \"ngram 2=\""},
    {"ngram 3=2\n\n", "ngram 3=2\n\\1-grams:\n", 5, "blank line between"},
    {"-0.8\ta\t-0.3", "-0.8 a\t-0.3", 10, "TAB after the probability of a 1-gram"},
    {"-0.8\ta\t-0.3", "-0.8\ta\t-0.3 ", 10, "trailing whitespace"},
    {"-0.8\ta\t-0.3", "-0.8\ta -0.3", 10, "found a space"},
    {"-0.8\ta\t-0.3", "-0.8\ta\t", 10, "must be followed by a backoff"},
    {"-0.8\ta\t-0.3", "nan\ta\t-0.3", 10, "found \"nan\""},
    {"-0.8\ta\t-0.3", "-Infinity\ta\t-0.3", 10, "found \"-Infinity\""},
    {"-0.8\ta\t-0.3", "0.5\ta\t-0.3", 10, "positive log10 probability"},
    {"-0.8\ta\t-0.3", "-0.8\ta\t-inf", 10, "finite"},
    {"-0.2\t<s> a b\n", "-0.2\t<s> a b\t-0.5\n", 20, "cannot have a backoff"},
    {"-0.6\ta b\t-0.25", "-0.6\ta c\t-0.25", 15, "\"c\" in this 2-gram is not in"},
    {"-0.15\ta b </s>", "-0.15\tb b </s>", 21, "context \"b b\""},
    {"-0.6\ta b\t-0.25", "-0.6\ta", 15, "needs 2 words"},
    {"ngram 2=4", "ngram 2=5", 19, "has 4 entries, but line 3 declares 5"},
    {"ngram 2=4", "ngram 2=3", 17, "more entries than the 3 declared on line 3"},
    {"\\2-grams:\n", "\\2-grams: \n", 13, "trailing whitespace"},
    {"\\end\\\n", "", 0, "without the \\end\\"},
    {"\\end\\\n", "\\end\\\nmore\n", 24, "after \\end\\"},
    {"0\t<s>\t-0.5\n", "0\t<S>\t-0.5\n", 0, "no <s> unigram"},
    {"-1.5\t</s>\t0\n", "-1.5\t<S>\t0\n", 0, "no </s> unigram"},
};

static void test_rejections(void) {
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        const char *text = edit(bad[i].from, bad[i].to);
        spin_model *m = (spin_model *)1;
        spin_diag d;
        memset(&d, 0, sizeof d);
        warnings w = {0, ""};
        spin_status st = load(text, strlen(text), &m, &d, &w, 0);
        ok(st == SPIN_EFORMAT && m == NULL, "rejects '%s' -> '%s'", tap_esc(bad[i].from),
           tap_esc(bad[i].to));
        ok(strstr(d.message, bad[i].needle) != NULL, "  message says '%s' (got: %s)", bad[i].needle,
           d.message);
        if (bad[i].line)
            is_int(d.line, bad[i].line, "  at line %llu", (unsigned long long)bad[i].line);
        else
            ok(d.line > 0, "  at some line");
        is_str(d.path, "test.arpa", "  names the file");
        if (st == SPIN_OK)
            spin_model_free(m);
    }
}

static void test_byte_offset(void) {
    const char *text = edit("-0.8\ta\t-0.3", "-0.8 a\t-0.3");
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    load(text, strlen(text), &m, &d, &w, 0);
    const char *at = strstr(text, "-0.8 a");
    is_int(d.byte, (uint64_t)(at - text) + 4, "byte offset points at the space");
}

static void test_tolerated(void) {
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    struct {
        const char *from, *to;
        unsigned flags;
        int warnings;
        const char *needle;
    } cases[] = {
        {"\\data\\\n", "# comment\n\n\\data\\\n", 0, 0, NULL},
        {"ngram 2=4\n", "ngram 2=4 \n", 0, 0, NULL},
        {"ngram 2=4\n", "ngram 2=4x\n", 0, 1, "ignoring"},
        {"-0.6\ta b\t-0.25\n", "-0.6\ta b\t-0.25\n\n  \n", 0, 0, NULL},
        {"-0.6\ta b\t-0.25\n", "-0.6\t\ta   b\t-0.25\n", 0, 0, NULL},
        {"-0.2\t<s> a b\n", "-0.2 <s> a b\t0\n", 0, 0, NULL},
        {"-0.8\ta\t-0.3", "-8e-1\ta\t-0.3", 0, 0, NULL},
        {"-0.8\ta\t-0.3", "-inf\ta\t-0.3", 0, 0, NULL},
        {"-0.8\ta\t-0.3", "0.5\ta\t-0.3", 2, 1, "read as 0"},
        {"-1.0\t<unk>\t0\n", "", 0, 1, "no <unk>"},
        {"-1.0\t<unk>\t0\n", "-1.0\t<UNK>\t0\n", 0, 0, NULL},
        {"-0.3\tb a\t0\n", "-0.3\tb a\t0\n-0.35\tb a\t0\n", 0, 1, "duplicate 2-gram"},
        {"\\end\\\n", "\\end\\", 0, 0, NULL},
        {"\\end\\\n", "\\end\\\n\n \t\n", 0, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char text[4096];
        snprintf(text, sizeof text, "%s", edit(cases[i].from, cases[i].to));
        /* Keep the header counts right for edits that add or drop entries. */
        if (strstr(cases[i].to, "-0.35\tb a"))
            memcpy(strstr(text, "ngram 2=4"), "ngram 2=5", 9);
        if (!strcmp(cases[i].from, "-1.0\t<unk>\t0\n") && !*cases[i].to)
            memcpy(strstr(text, "ngram 1=5"), "ngram 1=4", 9);
        w.n = 0;
        w.last[0] = '\0';
        spin_status st = load(text, strlen(text), &m, &d, &w, cases[i].flags);
        ok(st == SPIN_OK, "accepts '%s' -> '%s'%s%s", tap_esc(cases[i].from), tap_esc(cases[i].to),
           st ? ": " : "", st ? d.message : "");
        is_int(w.n, cases[i].warnings, "  with %d warning(s)", cases[i].warnings);
        if (cases[i].needle)
            ok(strstr(w.last, cases[i].needle) != NULL, "  warning says '%s' (got: %s)",
               cases[i].needle, w.last);
        if (st == SPIN_OK)
            spin_model_free(m);
    }
    /* Without --allow-missing-markers a model lacking <s> is refused; with it,
     * <s> is the unknown word. */
    const char *nos = "\\data\\\nngram 1=3\nngram 2=2\n\n\\1-grams:\n-1\t<unk>\t-0.2\n"
                      "-1.5\t</s>\n-0.8\ta\t-0.3\n\n\\2-grams:\n-0.4\t<unk> a\n-0.6\ta </s>\n\n"
                      "\\end\\\n";
    w.n = 0;
    is_int(load(nos, strlen(nos), &m, &d, &w, 0), SPIN_EFORMAT, "model without <s> refused");
    if (load(nos, strlen(nos), &m, &d, &w, 1) == SPIN_OK) {
        ok(w.n == 1 && strstr(w.last, "scores as <unk>"), "  accepted with a warning when allowed");
        is_int(spin_vocab_begin_sentence(m), 0, "  and <s> is the unknown word");
        spin_score s2[3];
        spin_score_sentence(m, "a", 1, SPIN_SCORE_BOS | SPIN_SCORE_EOS, s2);
        is_float_bits(s2[0].prob, -0.4f, "  so p(a | <s>) is p(a | <unk>)");
        spin_model_free(m);
    } else {
        ok(0, "model without <s> loads when allowed: %s", d.message);
    }

    /* A missing <unk> scores -100 (or the configured value) plus backoffs. */
    char text[4096];
    snprintf(text, sizeof text, "%s", edit("-1.0\t<unk>\t0\n", ""));
    memcpy(strstr(text, "ngram 1=5"), "ngram 1=4", 9);
    if (load(text, strlen(text), &m, &d, &w, 0) == SPIN_OK) {
        spin_sentence_score r = spin_score_sentence(m, "qqq", 3, SPIN_SCORE_BOS, NULL);
        float want = -100.0f;
        want += -0.5f;
        is_float_bits(r.total, want, "missing <unk> scores -100 + bo(<s>)");
        spin_model_free(m);
    }
}

static void test_unsupported(void) {
    char text[512];
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    strcpy(text, "\\data\\\n");
    for (int n = 1; n <= 9; ++n)
        sprintf(text + strlen(text), "ngram %d=1\n", n);
    strcat(text, "\n");
    is_int(load(text, strlen(text), &m, &d, &w, 0), SPIN_EUNSUPPORTED, "order 9 is unsupported");
    strcpy(text, "\\data\\\nngram 1=1\n\n\\1-grams:\n0\t<s>\n\\end\\\n");
    is_int(load(text, strlen(text), &m, &d, &w, 0), SPIN_EFORMAT, "order 1 is rejected");
    ok(strstr(d.message, "bigram") != NULL, "  saying a bigram model is needed");
    /* A header claiming terabytes is refused before anything is allocated. */
    strcpy(text, "\\data\\\nngram 1=1000000000000\nngram 2=1\n\n\\1-grams:\n");
    FILE *f = fopen("test_arpa_huge.arpa", "wb");
    fputs(text, f);
    fclose(f);
    spin_load_options o;
    spin_load_options_init(&o);
    spin_status st = spin_model_open("test_arpa_huge.arpa", &o, &m, &d);
    ok(st != SPIN_OK && d.line == 2, "impossible counts rejected at their line (%s)", d.message);
    remove("test_arpa_huge.arpa");
    is_int(spin_model_open("/nonexistent/model.arpa", NULL, &m, &d), SPIN_EIO,
           "missing file -> EIO");
    ok(strstr(d.message, "No such file") != NULL, "  with the system's reason");
    is_int(load("", 0, &m, &d, &w, 0), SPIN_EFORMAT, "empty input is rejected");
}

/* ---- compressed input ---- */

static size_t gz(const char *in, size_t n, unsigned char *out, size_t cap) {
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    size_t got = cap - z.avail_out;
    deflateEnd(&z);
    return got;
}

static void test_compressed(void) {
    static unsigned char buf[3][8192];
    size_t n = strlen(BASE), len[4];
    static unsigned char multi[16384];
    unsigned bl = sizeof buf[1];
    len[0] = gz(BASE, n, buf[0], sizeof buf[0]);
    BZ2_bzBuffToBuffCompress((char *)buf[1], &bl, (char *)BASE, (unsigned)n, 9, 0, 0);
    len[1] = bl;
    size_t xl = 0;
    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)BASE, n, buf[2], &xl,
                            sizeof buf[2]);
    len[2] = xl;
    static unsigned char zs[8192];
    len[3] = ZSTD_compress(zs, sizeof zs, BASE, n, 3);
    const unsigned char *data[4] = {buf[0], buf[1], buf[2], zs};
    const char *names[4] = {"gzip", "bzip2", "xz", "zstd"};
    spin_model *m;
    spin_diag d;
    warnings w = {0, ""};
    for (int k = 0; k < 4; ++k) {
        spin_status st = load((const char *)data[k], len[k], &m, &d, &w, 0);
        ok(st == SPIN_OK, "%s model loads%s%s", names[k], st ? ": " : "", st ? d.message : "");
        if (st == SPIN_OK) {
            spin_sentence_score r = spin_score_sentence(m, "a b", 3, 3, NULL);
            float want = -0.4f;
            want += -0.2f;
            want += -0.15f;
            is_float_bits(r.total, want, "  and scores as the plain one");
            spin_model_free(m);
        }
        st = load((const char *)data[k], len[k] - 7, &m, &d, &w, 0);
        ok(st == SPIN_EFORMAT, "truncated %s is rejected: %s", names[k], d.message);
        ok(strstr(d.message, "truncated") != NULL || strstr(d.message, "corrupt") != NULL ||
               strstr(d.message, "ends") != NULL,
           "  saying the stream is cut short or corrupt");
    }
    /* Two gzip members read as one stream. */
    size_t half = strlen(BASE) / 2;
    size_t a = gz(BASE, half, multi, sizeof multi);
    size_t b = gz(BASE + half, strlen(BASE) - half, multi + a, sizeof multi - a);
    is_int(load((const char *)multi, a + b, &m, &d, &w, 0), SPIN_OK, "multi-member gzip loads");
    spin_model_free(m);
    /* A flipped byte in the deflate data is reported, not crashed on. */
    memcpy(multi, buf[0], len[0]);
    multi[len[0] / 2] ^= 0x55;
    spin_status st = load((const char *)multi, len[0], &m, &d, &w, 0);
    ok(st != SPIN_OK, "corrupt gzip is rejected: %s", d.message);
}

/* ---- numbers ---- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_parse_float(void) {
    int bad_count = 0;
    char s[64];
    for (int i = 0; i < 300000; ++i) {
        int kind = (int)(next_rand() % 4);
        uint64_t r = next_rand();
        if (kind == 0)
            snprintf(s, sizeof s, "-%d.%0*llu", (int)(r % 10), (int)(next_rand() % 12 + 1),
                     (unsigned long long)(next_rand() % 1000000000000ull));
        else if (kind == 1) {
            float f = -(float)(r % 100000000) / (float)(1u << (next_rand() % 30));
            snprintf(s, sizeof s, "%.9g", (double)f);
        } else if (kind == 2)
            snprintf(s, sizeof s, "-0.%09llu", (unsigned long long)(r % 1000000000ull));
        else
            snprintf(s, sizeof s, "%.*e", (int)(next_rand() % 10), -(double)(r % 1000000) / 7.0);
        float got, want = strtof(s, NULL);
        size_t used = arpa_parse_float(s, strlen(s), &got);
        if (used != strlen(s) || memcmp(&got, &want, 4)) {
            if (++bad_count <= 5)
                printf("# parse '%s': got %.9g (%zu chars), want %.9g\n", s, (double)got, used,
                       (double)want);
        }
        /* Followed by more of the line, so that whole words of digits are read
         * (the parser takes 8 bytes at a time when they are there). */
        char t[80];
        snprintf(t, sizeof t, "%s%s", s, i % 3 == 0 ? "\tthe cat" : i % 3 == 1 ? " 9" : "9\t");
        size_t want_used = strlen(s) + (i % 3 == 2);
        float want_t = strtof(t, NULL);
        used = arpa_parse_float(t, strlen(t), &got);
        if (used != want_used || memcmp(&got, &want_t, 4)) {
            if (++bad_count <= 5)
                printf("# parse '%s': got %.9g (%zu chars), want %.9g\n", t, (double)got, used,
                       (double)want_t);
        }
    }
    /* Digit runs across the 8-byte steps: leading zeros, 19 significant
     * digits and more, every length of fraction. */
    const char *runs[] = {"-0.00000000000000000000123456789",
                          "0.1234567890123456789012",
                          "-12.00000000000000000001",
                          "-0.000000001\t",
                          "-1.2345678",
                          "-1.23456789",
                          "-1.234567891",
                          "-99999999.99999999999",
                          "-0.00000000\tx",
                          "-3.99999999999999999999999999e-2"};
    for (size_t i = 0; i < sizeof runs / sizeof *runs; ++i) {
        size_t n = strcspn(runs[i], "\tx");
        for (size_t len = 1; len <= strlen(runs[i]); ++len) {
            char c[64];
            memcpy(c, runs[i], len);
            c[len] = '\0';
            char *end;
            float want = strtof(c, &end), got;
            size_t used = arpa_parse_float(runs[i], len, &got);
            if ((end != c || used) && (used != (size_t)(end - c) || memcmp(&got, &want, 4))) {
                if (++bad_count <= 5)
                    printf("# parse '%s' (first %zu of %zu): got %.9g (%zu chars), want %.9g\n",
                           runs[i], len, n, (double)got, used, (double)want);
            }
        }
    }
    is_int(bad_count, 0,
           "300000 random decimals (alone and followed by text) and every prefix of long digit "
           "runs parse bit-identically to strtof");
    /* Exact halfway cases force the slow path: 1 + 2^-24 is a float midpoint. */
    float f;
    arpa_parse_float("1.000000059604644775390625", 26, &f);
    is_float_bits(f, strtof("1.000000059604644775390625", NULL), "float midpoint rounds to even");
    is_int(arpa_parse_float("-inf", 4, &f), 4, "-inf parses");
    ok(isinf(f) && f < 0, "  as negative infinity");
    is_int(arpa_parse_float("nan", 3, &f), 0, "nan is not a number here");
    is_int(arpa_parse_float("-Infinity", 9, &f), 0, "-Infinity is not a number (as in KenLM)");
    is_int(arpa_parse_float("-infinity", 9, &f), 4, "-infinity parses only as far as -inf");
    is_int(arpa_parse_float(".5x", 3, &f), 2, ".5 parses, stops at junk");
    is_int(arpa_parse_float("1e", 2, &f), 1, "an exponent needs digits");
    is_int(arpa_parse_float("-", 1, &f), 0, "a lone sign is not a number");
    is_int(arpa_parse_float("-0", 2, &f), 2, "-0 parses");
    ok(signbit(f), "  keeping its sign");
}

int main(void) {
    test_scoring_by_hand();
    test_blanks();
    test_rejections();
    test_byte_offset();
    test_tolerated();
    test_unsupported();
    test_compressed();
    test_parse_float();
    return tap_done();
}
