/* test_binfmt.c - binary models: a compiled model scores bit for bit as its
 * ARPA file (both layouts, from a path and from memory); every single-bit flip
 * anywhere in the file is caught by a verifying load; no flip and no
 * truncation at any length makes a load or a query crash; wrong versions,
 * the other byte order, KenLM binaries and counts claiming terabytes get
 * their own messages with a byte offset; out of memory is a status. */
#include <stdint.h>
#include <unistd.h>

#include "lm/binfmt.h"
#include "util/mem.h"
#include "spinscan.h"
#include "tap.h"
#include "support/json_check.h"
#include "support/scratch.h"

static const char model_text[] = "\\data\\\n"
                                 "ngram 1=6\nngram 2=5\nngram 3=3\n\n"
                                 "\\1-grams:\n"
                                 "-1.0\t<unk>\t0\n"
                                 "0\t<s>\t-0.5\n"
                                 "-1.5\t</s>\t0\n"
                                 "-0.8\ta\t-0.3\n"
                                 "-0.9\tb\t-0.2\n"
                                 "-1.2\tc\t-0.1\n\n"
                                 "\\2-grams:\n"
                                 "-0.4\t<s> a\t-0.1\n"
                                 "-0.6\ta b\t-0.25\n"
                                 "-0.7\tb </s>\n"
                                 "-0.3\tb a\t0\n"
                                 "-0.5\tc a\t-0.05\n\n"
                                 "\\3-grams:\n"
                                 "-0.2\t<s> a b\n"
                                 "-0.15\ta b </s>\n"
                                 "-0.12\tc a b\n\n" /* its suffix "a b" exists; "c a" too */
                                 "\\end\\\n";

/* Values at the edges of the compact layout's narrowed exponents (trie.h):
 * log10 probabilities of 0 and subnormal, backoffs of +0, subnormal, huge
 * and positive, so that each level's exponent range is wide and holds zeros. */
static const char edge_text[] = "\\data\\\n"
                                "ngram 1=5\nngram 2=5\nngram 3=2\n\n"
                                "\\1-grams:\n"
                                "-1.0\t<unk>\t0\n"
                                "0\t<s>\t-0.5\n"
                                "-1.5\t</s>\t0\n"
                                "-0.8\ta\t1e-40\n"
                                "-0.9\tb\t-0.2\n\n"
                                "\\2-grams:\n"
                                "0\t<s> a\t3e38\n"
                                "-1e-40\ta b\t0\n"
                                "-30\tb </s>\n"
                                "-0.3\tb a\t2.5\n"
                                "-1e-38\ta a\t-1e-39\n\n"
                                "\\3-grams:\n"
                                "-1e-41\t<s> a b\n"
                                "0\tb a a\n\n"
                                "\\end\\\n";

static const char *const sentences[] = {"a b", "b a b c", "c a b a", "zz a b", "", "c c c a b"};
#define NSENT (sizeof sentences / sizeof *sentences)

static char tmpdir[] = "/tmp/test_binfmt.XXXXXX";

static unsigned char *slurp(const char *path, size_t *len) {
    return (unsigned char *)tu_slurp(path, len);
}

static void spit(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

/* Scores every test sentence word by word; true if all bits agree. */
static bool same_scores(const spin_model *a, const spin_model *b) {
    for (size_t i = 0; i < NSENT; ++i) {
        spin_score wa[64], wb[64];
        spin_sentence_score sa = spin_score_sentence(a, sentences[i], strlen(sentences[i]),
                                                     SPIN_SCORE_BOS | SPIN_SCORE_EOS, wa);
        spin_sentence_score sb = spin_score_sentence(b, sentences[i], strlen(sentences[i]),
                                                     SPIN_SCORE_BOS | SPIN_SCORE_EOS, wb);
        if (memcmp(&sa.total, &sb.total, sizeof sa.total) || sa.tokens != sb.tokens)
            return false;
        for (size_t k = 0; k < sa.tokens; ++k)
            if (memcmp(&wa[k].prob, &wb[k].prob, 4) || wa[k].ngram_length != wb[k].ngram_length)
                return false;
    }
    return true;
}

/* Uses a model that loaded from a damaged image: must not crash (ASan). */
static float exercise(const spin_model *m) {
    float sum = 0;
    for (size_t i = 0; i < NSENT; ++i)
        sum += spin_score_sentence(m, sentences[i], strlen(sentences[i]),
                                   SPIN_SCORE_BOS | SPIN_SCORE_EOS, NULL)
                   .total;
    for (size_t w = 0; w < spin_vocab_size(m); ++w)
        spin_vocab_word(m, (spin_word)w, NULL);
    return sum;
}

static void header_rehash(unsigned char *img) {
    uint64_t h = binfmt_hash(img, 4088);
    memcpy(img + 4088, &h, 8);
}

static spin_status open_mem(const unsigned char *img, size_t len, bool verify, spin_model **m,
                            spin_diag *d) {
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.verify = verify;
    return spin_model_open_memory(img, len, "img", &lo, m, d);
}

static void check_layout(const char *arpa, const spin_model *ref, bool compact) {
    const char *name = compact ? "compact" : "probing";
    char out[256];
    snprintf(out, sizeof out, "%s/m.%s.bin", tmpdir, name);
    spin_write_options wo;
    spin_write_options_init(&wo);
    wo.layout = compact ? SPIN_LAYOUT_COMPACT : SPIN_LAYOUT_PROBING;
    spin_diag d;
    is_int(spin_compile(arpa, out, NULL, &wo, &d), SPIN_OK, "%s: compiles", name);

    spin_model *m = NULL;
    is_int(spin_model_open(out, NULL, &m, &d), SPIN_OK, "%s: opens from its path", name);
    if (!m)
        return;
    ok(same_scores(ref, m), "%s: scores bit-identical to the ARPA model", name);
    is_int(spin_model_order(m), 3, "%s: order", name);
    is_int(spin_model_count(m, 2), 5, "%s: counts", name);
    is_int(spin_vocab_size(m), spin_vocab_size(ref), "%s: vocabulary size", name);
    is_str(spin_vocab_word(m, 5, NULL), "c", "%s: spellings", name);
    is_int(spin_vocab_index(m, "b", 1), 4, "%s: lookups", name);
    spin_model_free(m);

    size_t len;
    unsigned char *img = slurp(out, &len);
    is_int(open_mem(img, len, true, &m, &d), SPIN_OK, "%s: opens from memory, verified", name);
    ok(m && same_scores(ref, m), "%s: from memory, the same scores", name);
    spin_model_free(m);

    /* Every single-bit flip anywhere is caught by a verifying load; loads
     * without verification either fail or give a model that works. */
    size_t missed = 0, crashed_guard = 0, lazy_ok = 0;
    for (size_t at = 0; at < len; ++at) {
        unsigned char bit = (unsigned char)(1u << (at * 7 % 8));
        img[at] ^= bit;
        if (open_mem(img, len, true, &m, &d) == SPIN_OK) {
            ++missed;
            spin_model_free(m);
        }
        if (open_mem(img, len, false, &m, &d) == SPIN_OK) {
            ++lazy_ok;
            crashed_guard += exercise(m) == 12345.0f;
            spin_model_free(m);
        }
        img[at] ^= bit;
    }
    is_int(missed, 0, "%s: all %zu single-bit flips are caught with verify", name, len);
    tap_diag("%s: %zu of %zu flips load without verify (in the n-gram tables); queried safely",
             name, lazy_ok, len);
    (void)crashed_guard;

    /* Truncation at every length. */
    size_t loaded = 0;
    spin_diag last;
    memset(&last, 0, sizeof last);
    for (size_t cut = 0; cut < len; ++cut) {
        if (open_mem(img, cut, false, &m, &d) == SPIN_OK) {
            ++loaded;
            spin_model_free(m);
        } else if (cut == len - 1) {
            last = d;
        }
    }
    is_int(loaded, 0, "%s: no truncation (all %zu lengths) loads", name, len);
    ok(strstr(last.message, "truncated") && last.byte == len - 1,
       "%s: truncation message says where: byte %llu: %s", name, (unsigned long long)last.byte,
       last.message);

    /* Trailing data. */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, img, len);
    longer[len] = 0;
    is_int(open_mem(longer, len + 1, false, &m, &d), SPIN_EFORMAT, "%s: trailing data rejected",
           name);
    free(longer);
    free(img);
}

static void check_header_fields(const char *bin) {
    size_t len;
    unsigned char *img = slurp(bin, &len);
    spin_model *m;
    spin_diag d;
    uint32_t v;

    unsigned char *t = malloc(len);
    memcpy(t, img, len);
    v = 3;
    memcpy(t + 20, &v, 4);
    header_rehash(t);
    is_int(open_mem(t, len, false, &m, &d), SPIN_EFORMAT, "a newer format version is rejected");
    ok(strstr(d.message, "version 3") && d.byte == 20, "  saying so at byte 20: %s", d.message);

    memcpy(t, img, len);
    v = 0x04030201u;
    memcpy(t + 16, &v, 4);
    is_int(open_mem(t, len, false, &m, &d), SPIN_EFORMAT, "the other byte order is rejected");
    ok(strstr(d.message, "other byte order") != NULL, "  saying so: %s", d.message);

    memcpy(t, img, len);
    uint64_t huge = (uint64_t)1 << 42; /* slots of the 2-gram table: 64 TB */
    memcpy(t + 184 + 8 * 2, &huge, 8);
    header_rehash(t);
    is_int(open_mem(t, len, false, &m, &d), SPIN_EFORMAT, "a table claiming 64 TB is rejected");
    ok(d.byte == 184 + 16 && strstr(d.message, "4398046511104"),
       "  naming the field: byte %llu: %s", (unsigned long long)d.byte, d.message);

    memcpy(t, img, len);
    huge = (uint64_t)1 << 50;
    memcpy(t + 64 + 8 * 3, &huge, 8); /* the 3-gram count */
    header_rehash(t);
    is_int(open_mem(t, len, false, &m, &d), SPIN_EFORMAT, "a count of 2^50 3-grams is rejected");
    tap_diag("byte %llu: %s", (unsigned long long)d.byte, d.message);

    memcpy(t, img, len);
    t[100] ^= 1;
    is_int(open_mem(t, len, false, &m, &d), SPIN_EFORMAT, "a damaged header is rejected");
    ok(strstr(d.message, "checksum") != NULL, "  by its checksum: %s", d.message);

    /* Someone else's files. */
    const char kenlm[] = "mmap lm http://kheafield.com/code format version 5\n\0junk";
    is_int(spin_model_open_memory(kenlm, sizeof kenlm, "k.bin", NULL, &m, &d), SPIN_EFORMAT,
           "a KenLM binary is rejected");
    ok(strstr(d.message, "KenLM binary") != NULL, "  and named: %s", d.message);
    char path[300];
    snprintf(path, sizeof path, "%s/kenlm.bin", tmpdir);
    spit(path, kenlm, sizeof kenlm);
    is_int(spin_model_open(path, NULL, &m, &d), SPIN_EFORMAT, "  also from a path");
    ok(strstr(d.message, "KenLM binary") != NULL, "  and named: %s", d.message);
    is_int(spin_compile(path, bin, NULL, NULL, &d), SPIN_EFORMAT, "compile rejects it too");

    /* Out of memory while loading is a status, wherever it strikes. */
    size_t fails = 0;
    for (unsigned long k = 1; k < 8; ++k) {
        mem_fail_at(k);
        spin_status st = open_mem(img, len, false, &m, &d);
        mem_fail_at(0);
        if (st == SPIN_OK)
            spin_model_free(m);
        else
            fails += st == SPIN_ENOMEM;
    }
    ok(fails >= 2, "allocation failures while loading give SPIN_ENOMEM (%zu)", fails);
    free(t);
    free(img);
}

static void check_atomic_write(const char *arpa) {
    char out[300], bad[300];
    snprintf(out, sizeof out, "%s/keep.bin", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.arpa", tmpdir);
    spit(out, "old", 3);
    spit(bad, "\\data\\\nngram 1=x\n", 17);
    spin_diag d;
    ok(spin_compile(bad, out, NULL, NULL, &d) != SPIN_OK, "a bad ARPA file does not compile");
    size_t len;
    unsigned char *kept = slurp(out, &len);
    ok(kept && len == 3 && !memcmp(kept, "old", 3), "  and the existing OUT is untouched");
    free(kept);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/no/such/dir/x.bin", tmpdir);
    is_int(spin_compile(arpa, dir, NULL, NULL, &d), SPIN_EIO, "an unwritable OUT is an I/O error");
    /* Out of memory while compiling (compact: the most allocations). */
    spin_write_options wo;
    spin_write_options_init(&wo);
    wo.layout = SPIN_LAYOUT_COMPACT;
    size_t enomem = 0, okays = 0, other = 0;
    for (unsigned long k = 1; k < 120; ++k) {
        mem_fail_at(k);
        spin_status st = spin_compile(arpa, out, NULL, &wo, &d);
        mem_fail_at(0);
        enomem += st == SPIN_ENOMEM;
        okays += st == SPIN_OK;
        other += st != SPIN_OK && st != SPIN_ENOMEM;
    }
    ok(enomem > 10 && okays > 0 && other == 0,
       "every allocation failure while compiling gives SPIN_ENOMEM (%zu; %zu ok; %zu other)",
       enomem, okays, other);
    spin_model *m;
    is_int(spin_model_open(out, NULL, &m, &d), SPIN_OK, "  and OUT is always a whole model");
    spin_model_free(m);
}

int main(void) {
    if (!mkdtemp(tmpdir))
        return tap_skip_all("cannot create a temporary directory");
    char arpa[300], bin[300];
    snprintf(arpa, sizeof arpa, "%s/m.arpa", tmpdir);
    spit(arpa, model_text, sizeof model_text - 1);
    spin_model *ref;
    spin_diag d;
    is_int(spin_model_open(arpa, NULL, &ref, &d), SPIN_OK, "the ARPA model loads");
    check_layout(arpa, ref, false);
    check_layout(arpa, ref, true);
    snprintf(bin, sizeof bin, "%s/m.probing.bin", tmpdir);
    check_header_fields(bin);
    check_atomic_write(arpa);

    /* Quantized: close to the exact scores, and the state logic unchanged. */
    spin_write_options wo;
    spin_write_options_init(&wo);
    wo.layout = SPIN_LAYOUT_COMPACT;
    wo.prob_bits = wo.backoff_bits = 8;
    snprintf(bin, sizeof bin, "%s/q.bin", tmpdir);
    is_int(spin_compile(arpa, bin, NULL, &wo, &d), SPIN_OK, "compiles quantized");
    spin_model *q;
    if (spin_model_open(bin, NULL, &q, &d) == SPIN_OK) {
        float maxd = 0;
        for (size_t i = 0; i < NSENT; ++i) {
            spin_score a[64], b[64];
            spin_sentence_score sa = spin_score_sentence(ref, sentences[i], strlen(sentences[i]),
                                                         SPIN_SCORE_BOS | SPIN_SCORE_EOS, a);
            spin_score_sentence(q, sentences[i], strlen(sentences[i]),
                                SPIN_SCORE_BOS | SPIN_SCORE_EOS, b);
            for (size_t k = 0; k < sa.tokens; ++k) {
                float dd = fabsf(a[k].prob - b[k].prob);
                maxd = dd > maxd ? dd : maxd;
                if (a[k].ngram_length != b[k].ngram_length)
                    maxd = 99;
            }
        }
        ok(maxd < 0.01f, "8-bit quantization: max |delta log10 p| %g, same n-gram lengths",
           (double)maxd);
        spin_model_free(q);
    } else {
        ok(0, "the quantized model loads: %s", d.message);
    }
    wo.layout = SPIN_LAYOUT_PROBING;
    is_int(spin_compile(arpa, bin, NULL, &wo, &d), SPIN_EINVAL, "quantizing needs --compact");

    /* Exact values at the edges of the narrowed exponents, and lookups of
     * every word through the compact vocabulary. */
    char edge[300];
    snprintf(edge, sizeof edge, "%s/edge.arpa", tmpdir);
    spit(edge, edge_text, sizeof edge_text - 1);
    spin_model *e_ref = NULL, *e_bin = NULL;
    wo.prob_bits = wo.backoff_bits = 0;
    wo.layout = SPIN_LAYOUT_COMPACT;
    is_int(spin_model_open(edge, NULL, &e_ref, &d), SPIN_OK, "the edge-value model loads");
    is_int(spin_compile(edge, bin, NULL, &wo, &d), SPIN_OK, "  and compiles compact");
    is_int(spin_model_open(bin, NULL, &e_bin, &d), SPIN_OK, "  and that loads");
    if (e_ref && e_bin) {
        ok(same_scores(e_ref, e_bin), "  scoring bit for bit as the ARPA model");
        size_t found = 0;
        for (size_t w = 1; w < spin_vocab_size(e_bin); ++w) {
            size_t len;
            const char *s = spin_vocab_word(e_bin, (spin_word)w, &len);
            found += spin_vocab_index(e_bin, s, len) == w;
        }
        is_int(found, spin_vocab_size(e_bin) - 1, "  every word found by its spelling");
        is_int(spin_vocab_index(e_bin, "zz", 2), 0, "  an unknown word is <unk>");
    }
    spin_model_free(e_ref);
    spin_model_free(e_bin);
    spin_model_free(ref);

    scratch_dir_remove(tmpdir);
    return tap_done();
}
