/* bench_detect.c - the cost of full spin detection beside plain perplexity
 * scoring (the CCNet-style baseline: the same tokenizer and one pass of the
 * same model), on the same documents in the same run.
 *
 *   bench_detect MODEL_DIR TEXT...
 *
 * TEXT files are cut into documents at empty lines.  Prints tab-separated
 * "name value unit" lines; each time is the median of five runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/detect.h"
#include "text/tokenize.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct doc {
    const char *text;
    size_t len;
} doc;

typedef struct baseline {
    const spin_model *m;
    double total;
    size_t tokens;
} baseline;

/* Plain perplexity: every token scored once by the model, nothing else. */
static spin_status score_plain(void *ctx, const tok_sentence *s, const tok_token *tokens,
                               const char *text) {
    baseline *b = ctx;
    spin_state st[2];
    int cur = 0;
    spin_state_begin_sentence(b->m, &st[0]);
    float total = 0;
    for (size_t i = 0; i < s->count; ++i) {
        const tok_token *t = &tokens[s->first + i];
        spin_word w = spin_vocab_index(b->m, text + t->text, t->len);
        total += spin_full_score(b->m, &st[cur], w, &st[cur ^ 1]).prob;
        cur ^= 1;
    }
    total += spin_full_score(b->m, &st[cur], spin_vocab_end_sentence(b->m), &st[cur ^ 1]).prob;
    b->total += total;
    b->tokens += s->count + 1;
    return SPIN_OK;
}

static spin_model *open_first(const char *dir, const char *a, const char *b) {
    char path[4096];
    const char *names[2] = {a, b};
    for (int i = 0; i < 2; ++i) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        spin_model *m;
        spin_diag d;
        if (spin_model_open(path, NULL, &m, &d) == SPIN_OK)
            return m;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_detect MODEL_DIR TEXT...\n");
        return 2;
    }
    spin_model *m = open_first(argv[1], "model.bin", "model.arpa.gz");
    spin_model *spun = open_first(argv[1], "spun.bin", "spun.arpa.gz");
    det_params p;
    spin_diag d;
    char path[4096];
    snprintf(path, sizeof path, "%s/detector.txt", argv[1]);
    if (!m || det_params_load(path, &p, &d) != SPIN_OK) {
        fprintf(stderr, "bench_detect: %s: no usable model and detector.txt\n", argv[1]);
        return 1;
    }
    size_t cap = 1024, ndocs = 0, bytes = 0;
    doc *docs = malloc(cap * sizeof *docs);
    for (int a = 2; a < argc; ++a) {
        FILE *f = fopen(argv[a], "rb");
        if (!f) {
            perror(argv[a]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            return 1;
        buf[n] = '\0';
        fclose(f);
        for (char *s = buf; *s;) {
            char *e = strstr(s, "\n\n");
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (len) {
                if (ndocs == cap)
                    docs = realloc(docs, (cap *= 2) * sizeof *docs);
                docs[ndocs++] = (doc){s, len};
                bytes += len;
            }
            s += len;
            while (*s == '\n')
                ++s;
        }
    }
    tokenizer *tok;
    detector *det;
    if (tokenize_new(&tok, &d) != SPIN_OK || detector_new(m, spun, &p, &det, &d) != SPIN_OK) {
        fprintf(stderr, "bench_detect: %s\n", d.message);
        return 1;
    }
    double plain[5], full[5];
    det_result r;
    memset(&r, 0, sizeof r);
    baseline b = {m, 0, 0};
    for (int k = 0; k < 5; ++k) {
        double t0 = now();
        for (size_t i = 0; i < ndocs; ++i)
            tokenize_stream(tok, docs[i].text, docs[i].len, score_plain, &b, NULL, NULL);
        plain[k] = now() - t0;
        t0 = now();
        for (size_t i = 0; i < ndocs; ++i)
            detect_run(det, docs[i].text, docs[i].len, &r, &d);
        full[k] = now() - t0;
    }
    qsort(plain, 5, sizeof *plain, cmp_double);
    qsort(full, 5, sizeof *full, cmp_double);
    printf("documents\t%zu\tdocs\n", ndocs);
    printf("text\t%.2f\tMB\n", (double)bytes / 1e6);
    printf("spun_model\t%s\t\n", spun ? "yes" : "no");
    printf("plain_mb_s\t%.2f\tMB/s\n", (double)bytes / 1e6 / plain[2]);
    printf("detect_mb_s\t%.2f\tMB/s\n", (double)bytes / 1e6 / full[2]);
    printf("detect_docs_s\t%.0f\tdocs/s\n", (double)ndocs / full[2]);
    printf("ratio\t%.2f\tx\n", full[2] / plain[2]);
    det_result_free(&r);
    detector_free(det);
    tokenize_free(tok);
    spin_model_free(spun);
    spin_model_free(m);
    free(docs);
    return 0;
}
