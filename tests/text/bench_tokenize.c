/* bench_tokenize.c - tokenizer throughput beside a bare ICU word-break loop.
 *
 * usage: bench_tokenize [FILE [LABEL]]
 * Without FILE (or if it cannot be read) the text is English synthesised here
 * from hand-written word lists and sentence shapes, with the features of web
 * prose that cost the tokenizer time: typographic quotes and dashes,
 * contractions, numbers, the odd URL and e-mail address, short heading lines.
 * Every figure is the best of several runs, all in the same process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "text/tokenize.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned long rng_state = 88172645463325252ul;
static unsigned rnd(unsigned n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

#define PICK(a) a[rnd(sizeof a / sizeof a[0])]

static const char *const dets[] = {"the", "a", "this", "every", "our", "their", "that", "one"};
static const char *const adjs[] = {"small", "local",  "quiet", "new",      "old",     "careful",
                                   "busy",  "bright", "cheap", "useful",   "strange", "early",
                                   "whole", "simple", "heavy", "friendly", "serious", "final"};
static const char *const nouns[] = {
    "council", "garden",  "teacher",  "report",  "market",  "river",     "engine",  "library",
    "season",  "kitchen", "village",  "budget",  "window",  "question",  "journey", "bakery",
    "harbour", "ticket",  "painting", "company", "student", "neighbour", "recipe",  "road"};
static const char *const verbs[] = {"opened",   "needed",    "found",      "changed",
                                    "watched",  "helped",    "carried",    "followed",
                                    "measured", "described", "ignored",    "repaired",
                                    "visited",  "announced", "questioned", "kept"};
static const char *const advs[] = {"quickly", "again",  "slowly",  "later", "together",
                                   "rarely",  "almost", "finally", "still", "yesterday"};
static const char *const names[] = {"Maria", "Tom",       "Dr. Okafor",  "Mrs. Lindqvist", "Sam",
                                    "Priya", "the mayor", "Mr. Brennan", "Aiko",           "Jonas"};
static const char *const preps[] = {"near", "behind",  "across", "after",  "before",
                                    "with", "without", "under",  "around", "beside"};
static const char *const joins[] = {"and", "but", "because", "while", "so", "although", "until"};
static const char *const heads[] = {"Opening Hours",
                                    "Latest News",
                                    "About Us",
                                    "Related Posts",
                                    "Contact",
                                    "Our Story",
                                    "Frequently Asked Questions"};

static size_t put(char *b, size_t o, const char *s) {
    size_t n = strlen(s);
    memcpy(b + o, s, n);
    return o + n;
}

static size_t clause(char *b, size_t o, int cap) {
    char w[64];
    int r = (int)rnd(10);
    const char *subj = r < 3 ? PICK(names) : NULL;
    if (subj)
        o = put(b, o, subj);
    else {
        snprintf(w, sizeof w, "%s %s %s", PICK(dets), PICK(adjs), PICK(nouns));
        o = put(b, o, w);
    }
    if (cap && b[o - strlen(subj ? subj : w)] >= 'a')
        b[o - strlen(subj ? subj : w)] -= 32;
    switch (rnd(6)) {
    case 0:
        o = put(b, o, " didn\xe2\x80\x99t have ");
        break;
    case 1:
        o = put(b, o, " hasn't ");
        o = put(b, o, PICK(verbs));
        o = put(b, o, " ");
        break;
    default:
        o = put(b, o, " ");
        o = put(b, o, PICK(verbs));
        o = put(b, o, " ");
    }
    snprintf(w, sizeof w, "%s %s", PICK(dets), PICK(nouns));
    o = put(b, o, w);
    switch (rnd(9)) {
    case 0:
        snprintf(w, sizeof w, " for %u,%03u dollars", 1 + rnd(40), rnd(1000));
        o = put(b, o, w);
        break;
    case 1:
        snprintf(w, sizeof w, " at %u:%02u", 1 + rnd(12), rnd(60));
        o = put(b, o, w);
        break;
    case 2:
        snprintf(w, sizeof w, " %s the %s\xe2\x80\x99s %s", PICK(preps), PICK(nouns), PICK(nouns));
        o = put(b, o, w);
        break;
    case 3:
        snprintf(w, sizeof w, " %s", PICK(advs));
        o = put(b, o, w);
        break;
    case 4:
        snprintf(w, sizeof w, " (about %u.%u percent)", rnd(90), rnd(10));
        o = put(b, o, w);
        break;
    default:
        snprintf(w, sizeof w, " %s the %s", PICK(preps), PICK(nouns));
        o = put(b, o, w);
    }
    return o;
}

/* About 'size' bytes of English-like web text. */
static char *synthesise(size_t size, size_t *len) {
    char *b = malloc(size + 4096);
    size_t o = 0;
    while (o < size) {
        if (rnd(8) == 0) {
            o = put(b, o, PICK(heads));
            o = put(b, o, "\n");
        }
        int sentences = 2 + (int)rnd(6);
        for (int s = 0; s < sentences; ++s) {
            int quoted = rnd(12) == 0;
            if (quoted)
                o = put(b, o, "\xe2\x80\x9c");
            o = clause(b, o, 1);
            if (rnd(3) == 0) {
                o = put(b, o, rnd(2) ? ", " : " ");
                o = put(b, o, PICK(joins));
                o = put(b, o, " ");
                o = clause(b, o, 0);
            }
            if (rnd(15) == 0)
                o = put(b, o,
                        " \xe2\x80\x94 see https://example.org/news/item?id=42 or write to "
                        "info@example.org");
            o = put(b, o, rnd(10) == 0 ? "?" : rnd(15) == 0 ? "!" : ".");
            if (quoted)
                o = put(b, o, "\xe2\x80\x9d");
            o = put(b, o, s + 1 < sentences ? " " : "\n");
        }
        if (rnd(2))
            o = put(b, o, "\n");
    }
    *len = o;
    return b;
}

static char *read_file(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(max);
    *len = fread(b, 1, max, f);
    fclose(f);
    if (*len == 0) {
        free(b);
        return NULL;
    }
    return b;
}

static double bare_utf8(UBreakIterator *w, const char *text, size_t len, long *count) {
    UErrorCode st = U_ZERO_ERROR;
    double t0 = now();
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
    ubrk_setUText(w, ut, &st);
    long c = 0;
    for (int32_t p = ubrk_first(w); p != UBRK_DONE; p = ubrk_next(w))
        ++c;
    double t = now() - t0;
    utext_close(ut);
    if (U_FAILURE(st)) {
        fprintf(stderr, "bench_tokenize: ICU: %s\n", u_errorName(st));
        exit(1);
    }
    *count = c;
    return t;
}

static double bare_utf16(UBreakIterator *w, const char *text, size_t len, long *count) {
    UErrorCode st = U_ZERO_ERROR;
    double t0 = now();
    UChar *u = malloc((len + 1) * sizeof *u);
    int32_t n = 0;
    u_strFromUTF8WithSub(u, (int32_t)len + 1, &n, text, (int32_t)len, 0xFFFD, NULL, &st);
    ubrk_setText(w, u, n, &st);
    long c = 0;
    for (int32_t p = ubrk_first(w); p != UBRK_DONE; p = ubrk_next(w))
        ++c;
    double t = now() - t0;
    free(u);
    if (U_FAILURE(st)) {
        fprintf(stderr, "bench_tokenize: ICU: %s\n", u_errorName(st));
        exit(1);
    }
    *count = c;
    return t;
}

static spin_status discard(void *ctx, const char *data, size_t len) {
    *(size_t *)ctx += len;
    (void)data;
    return SPIN_OK;
}

int main(int argc, char **argv) {
    size_t len = 0;
    char *text = NULL;
    const char *source = "synthetic English generated by bench_tokenize";
    if (argc > 1 && (text = read_file(argv[1], (size_t)32 << 20, &len)))
        source = argc > 2 ? argv[2] : argv[1];
    if (!text)
        text = synthesise((size_t)24 << 20, &len);
    const char *reps_env = getenv("BENCH_REPS");
    int reps = reps_env && atoi(reps_env) > 0 ? atoi(reps_env) : 3;
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *w = ubrk_open(UBRK_WORD, "en", NULL, 0, &st);
    tokenizer *t;
    spin_diag d;
    if (U_FAILURE(st) || tokenize_new(&t, &d) != SPIN_OK) {
        fprintf(stderr, "bench_tokenize: cannot set up ICU\n");
        return 1;
    }
    double b8 = 1e9, b16 = 1e9, tk = 1e9;
    long c8 = 0, c16 = 0;
    size_t out = 0;
    tok_stats stats;
    for (int r = 0; r < reps; ++r) {
        double x = bare_utf8(w, text, len, &c8);
        b8 = x < b8 ? x : b8;
        x = bare_utf16(w, text, len, &c16);
        b16 = x < b16 ? x : b16;
        out = 0;
        double t0 = now();
        spin_status rc = tokenize_lines(t, text, len, discard, &out, &stats, &d);
        x = now() - t0;
        if (rc != SPIN_OK) {
            fprintf(stderr, "bench_tokenize: %s\n", d.message);
            return 1;
        }
        tk = x < tk ? x : tk;
    }
    double mb = (double)len / 1e6, bare = b8 < b16 ? b8 : b16;
    printf("tokenize: text: %s, %.1f MB, %llu sentences, %llu tokens (best of %d runs)\n", source,
           mb, (unsigned long long)stats.sentences, (unsigned long long)stats.tokens, reps);
    printf(
        "tokenize: bare ICU word-break loop, UText over UTF-8:       %7.1f MB/s (%ld boundaries)\n",
        mb / b8, c8);
    printf("tokenize: bare ICU word-break loop, UTF-16 incl. conversion: %7.1f MB/s (%ld "
           "boundaries)\n",
           mb / b16, c16);
    printf("tokenize: spinscan tokenizer (segment, normalize, line stream): %7.1f MB/s\n", mb / tk);
    printf("tokenize: cost ratio tokenizer / faster bare loop: %.2fx (target <= 1.5x; "
           "throughput target >= 30 MB/s)\n",
           tk / bare);
    tokenize_free(t);
    ubrk_close(w);
    free(text);
    return 0;
}
