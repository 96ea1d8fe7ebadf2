/* cmd_query.c - `spinscan query`: KenLM query-compatible scoring of
 * pre-tokenized lines on stdin.
 *
 * Output matches KenLM's query byte for byte, with one deliberate difference:
 * a last line without a final newline is scored like any other line (its </s>
 * is added and its total counted), where KenLM drops it from the perplexity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fmt.h"
#include "text/lines.h"
#include "lm/score.h"
#include "text/reader.h"

enum { OPT_UNK = 256 };

static const cli_option query_options[] = {
    {'n', "no-sentence-context", NULL, "do not wrap lines in <s> and </s> (start from no context)"},
    {'v', "verbose", "LEVEL",
     "print 'word', 'sentence' and/or 'summary' figures (repeatable; 0/1/2 as in KenLM); "
     "default all"},
    {'b', "unbuffered", NULL, "flush the output after every word and line"},
    {'s', "allow-missing-markers", NULL, "accept a model without <s> or </s> (scored as <unk>)"},
    {'i', "positive-to-zero", NULL, "read positive log10 probabilities as 0 instead of failing"},
    {OPT_UNK, "unk-logprob", "X", "log10 probability of <unk> when the model lacks it (-100)"},
    CLI_OPT_NO_VERIFY,
    {0, NULL, NULL, NULL},
};

static void print_warning(void *ctx, const spin_diag *d) {
    (void)ctx;
    cli_print_diag(d, "warning: ");
}

typedef struct printer {
    bool word, line, summary, flush;
} printer;

static int query_run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    printer pr = {false, false, false, false};
    bool sentence_context = true;
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.warn = print_warning;
    cli_parser_init(&cp);
    for (int c; (c = cli_next(cmd, &cp, argc, argv)) != -1;) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case 'n':
            sentence_context = false;
            break;
        case 'b':
            pr.flush = true;
            break;
        case 'v':
            if (!strcmp(cp.optarg, "2"))
                pr.word = pr.line = pr.summary = true;
            else if (!strcmp(cp.optarg, "1"))
                pr.word = false, pr.line = pr.summary = true;
            else if (!strcmp(cp.optarg, "0"))
                pr.word = pr.line = false, pr.summary = true;
            else if (!strcmp(cp.optarg, "word"))
                pr.word = true;
            else if (!strcmp(cp.optarg, "sentence"))
                pr.line = true;
            else if (!strcmp(cp.optarg, "summary"))
                pr.summary = true;
            else
                return cli_usage_error(cmd, "-v takes word, sentence, summary, 0, 1 or 2, not '%s'",
                                       cp.optarg);
            break;
        default: /* -s, -i, --unk-logprob */
            if (cli_arpa_option(cmd, c, cp.optarg, &lo) != 1)
                return EXIT_USAGE;
            break;
        }
    }
    if (cp.optind + 1 != argc)
        return cli_usage_error(cmd, cp.optind >= argc ? "missing MODEL" : "too many arguments");
    if (!pr.word && !pr.line && !pr.summary)
        pr.word = pr.line = pr.summary = true;

    spin_diag d;
    spin_model *m;
    lo.verify = cli_verify; /* the whole model, unless --no-verify */
    if (spin_model_open(argv[cp.optind], &lo, &m, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    reader *r;
    lines in;
    if (reader_open_fd(0, "<stdin>", &r, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        spin_model_free(m);
        return EXIT_DATA;
    }
    /* A line of pre-tokenized text longer than 64 MiB is not a sentence;
     * the cap keeps memory bounded on hostile input. */
    if (lines_init(&in, r, (size_t)64 << 20) != SPIN_OK) {
        cli_error("out of memory");
        reader_free(r);
        spin_model_free(m);
        return EXIT_DATA;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    double corpus_total = 0.0, corpus_total_oov_only = 0.0;
    uint64_t corpus_oov = 0, corpus_tokens = 0;
    spin_word eos = spin_vocab_end_sentence(m);
    int rc = EXIT_OK;
    char num[FMT_NUMBER_MAX];
    for (;;) {
        const char *line;
        size_t len;
        bool nl;
        if (lines_next(&in, &line, &len, &nl, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = EXIT_DATA;
            break;
        }
        if (!line)
            break;
        float total = 0.0f;
        uint64_t oov = 0;
        lm_words w;
        spin_score s;
        lm_words_begin(&w, m, line, len, sentence_context);
        while (lm_words_next(&w, &s)) {
            if (w.word_id == SPIN_WORD_NOT_FOUND) {
                ++oov;
                corpus_total_oov_only += s.prob;
            }
            total += s.prob;
            ++corpus_tokens;
            if (pr.word) {
                fwrite(line + w.word_start, 1, w.word_len, stdout);
                fmt_float(num, s.prob);
                printf("=%u %u %s\t", (unsigned)w.word_id, (unsigned)s.ngram_length, num);
                if (pr.flush)
                    fflush(stdout);
            }
        }
        if (sentence_context) {
            s = lm_words_end(&w);
            total += s.prob;
            ++corpus_tokens;
            if (pr.word) {
                fmt_float(num, s.prob);
                printf("</s>=%u %u %s\t", (unsigned)eos, (unsigned)s.ngram_length, num);
            }
        }
        if (pr.line) {
            fmt_float(num, total);
            printf("Total: %s OOV: %llu\n", num, (unsigned long long)oov);
            if (pr.flush)
                fflush(stdout);
        }
        corpus_total += total;
        corpus_oov += oov;
    }
    if (rc == EXIT_OK && pr.summary) {
        char a[FMT_NUMBER_MAX], b[FMT_NUMBER_MAX];
        fmt_double(a, pow(10.0, -(corpus_total / (double)corpus_tokens)));
        fmt_double(b, pow(10.0, -((corpus_total - corpus_total_oov_only) /
                                  (double)(corpus_tokens - corpus_oov))));
        printf("Perplexity including OOVs:\t%s\nPerplexity excluding OOVs:\t%s\nOOVs:\t%llu\n"
               "Tokens:\t%llu\n",
               a, b, (unsigned long long)corpus_oov, (unsigned long long)corpus_tokens);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("error writing the output: %s", strerror(errno));
        rc = EXIT_DATA;
    }
    lines_free(&in);
    reader_free(r);
    spin_model_free(m);
    return rc;
}

const cli_command cmd_query = {
    "query",
    "[-n] [-v summary|sentence|word] MODEL < TOKENS",
    "Scores pre-tokenized text, one sentence per line, and prints what KenLM's query\n"
    "prints: word=id ngram_length log10prob for every word, a Total line per sentence,\n"
    "and the perplexity summary.  MODEL is an ARPA file, plain or gzip/bzip2/xz, or a\n"
    "binary model from 'spinscan compile'.\n"
    "Unlike KenLM, a last line without a final newline is scored in full.",
    query_options,
    query_run,
};
