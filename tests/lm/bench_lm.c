/* bench_lm.c - load and query figures for one model and one text.
 *
 *   bench_lm MODEL TEXT [REPEAT]
 *
 * Prints tab-separated "name value unit" lines:
 *   load_s, load_ms (the same in ms, for binary models), parse_mb_s (input bytes / load time),
 * rss_after_load_mb, peak_rss_mb, score_words_s (spin_full_score over pre-indexed words, the pure
 * model cost), sentence_words_s (spin_score_sentence on raw lines, vocabulary lookups included),
 * words, lines. Each timed figure is the median of five runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "spinscan.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double mb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            mb = atof(line + 6) / 1024.0;
    if (f)
        fclose(f);
    return mb;
}

static double peak_mb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median5(double *v) {
    qsort(v, 5, sizeof *v, cmp_double);
    return v[2];
}

static bool is_sep(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_lm MODEL TEXT [REPEAT]\n");
        return 2;
    }
    int repeat = argc > 3 ? atoi(argv[3]) : 1;
    struct stat sb;
    if (stat(argv[1], &sb) != 0) {
        perror(argv[1]);
        return 1;
    }
    spin_model *m = NULL;
    spin_diag d;
    double loads[5];
    for (int k = 0; k < 5; ++k) {
        spin_model_free(m);
        double t0 = now();
        if (spin_model_open(argv[1], NULL, &m, &d) != SPIN_OK) {
            fprintf(stderr, "bench_lm: %s: %s\n", d.path, d.message);
            return 1;
        }
        loads[k] = now() - t0;
    }
    double load = median5(loads);
    printf("load_s\t%.3f\ts\n", load);
    printf("load_ms\t%.3f\tms\n", load * 1e3);
    printf("parse_mb_s\t%.1f\tMB/s\n", (double)sb.st_size / 1e6 / load);
    printf("rss_after_load_mb\t%.1f\tMB\n", rss_mb());

    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (fread(text, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    text[n] = '\0';

    /* Index every word once; lines end with the end-of-sentence word. */
    size_t cap = 1024, nw = 0, lines = 0;
    spin_word *ids = malloc(cap * sizeof *ids);
    spin_word eos = spin_vocab_end_sentence(m);
    for (long i = 0; i < n;) {
        if (text[i] == '\n') {
            ids[nw++] = (spin_word)-1; /* marks a sentence end */
            ++lines;
            ++i;
        } else if (is_sep(text[i])) {
            ++i;
        } else {
            long s = i;
            while (i < n && !is_sep(text[i]))
                ++i;
            ids[nw++] = spin_vocab_index(m, text + s, (size_t)(i - s));
        }
        if (nw + 1 >= cap)
            ids = realloc(ids, (cap *= 2) * sizeof *ids);
    }
    double runs[5], sink = 0;
    size_t words = 0;
    for (int k = 0; k < 5; ++k) {
        double t0 = now();
        words = 0;
        for (int r = 0; r < repeat; ++r) {
            spin_state st[2];
            int cur = 0;
            spin_state_begin_sentence(m, &st[0]);
            for (size_t i = 0; i < nw; ++i) {
                spin_score s;
                if (ids[i] == (spin_word)-1) {
                    s = spin_full_score(m, &st[cur], eos, &st[cur ^ 1]);
                    spin_state_begin_sentence(m, &st[cur ^ 1]);
                } else {
                    s = spin_full_score(m, &st[cur], ids[i], &st[cur ^ 1]);
                }
                cur ^= 1;
                sink += s.prob;
                ++words;
            }
        }
        runs[k] = now() - t0;
    }
    printf("score_words_s\t%.0f\twords/s\n", (double)words / median5(runs));
    for (int k = 0; k < 5; ++k) {
        double t0 = now();
        for (int r = 0; r < repeat; ++r) {
            char *p = text, *end = text + n;
            while (p < end) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
                sink += spin_score_sentence(m, p, len, SPIN_SCORE_BOS | SPIN_SCORE_EOS, NULL).total;
                p += len + 1;
            }
        }
        runs[k] = now() - t0;
    }
    printf("sentence_words_s\t%.0f\twords/s\n", (double)words / median5(runs));
    printf("words\t%zu\twords\n", words / (size_t)repeat);
    printf("lines\t%zu\tlines\n", lines);
    printf("peak_rss_mb\t%.1f\tMB\n", peak_mb());
    if (sink == 42.0)
        printf("#\n");
    spin_model_free(m);
    free(ids);
    free(text);
    return 0;
}
