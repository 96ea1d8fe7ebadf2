/* cmd_train.c - `spinscan train`: estimate a modified Kneser-Ney model. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lm/train.h"

enum { OPT_TOKENIZED = 256, OPT_FALLBACK, OPT_PRUNE };

static const cli_option train_options_table[] = {
    {'o', "order", "N", "n-gram order, 2..8 (required)"},
    {'O', "output", "OUT", "write the ARPA model to OUT, gzip-compressed if OUT ends in .gz"},
    {OPT_TOKENIZED, "tokenized", NULL,
     "CORPUS holds one sentence per line, tokens separated by spaces"},
    {OPT_FALLBACK, "discount-fallback", NULL,
     "where a discount cannot be estimated, use D1=0.5 D2=1 D3+=1.5"},
    {OPT_PRUNE, "prune", "T1 [T2...]",
     "drop n-grams of order i seen at most Ti times (as lmplz; e.g. 0 1 1)"},
    {'q', "quiet", NULL, "print neither progress nor statistics"},
    {0, NULL, NULL, NULL},
};

static int run_train(const cli_command *cmd, int argc, char **argv);

const cli_command cmd_train = {
    "train",
    "-o N [--tokenized] [--discount-fallback] [--prune T1 T2...] -O OUT CORPUS...",
    "Estimates an interpolated modified Kneser-Ney language model from CORPUS\n"
    "(files, gzip allowed; '-' is standard input) exactly as KenLM's lmplz does,\n"
    "and writes it in ARPA format.  Raw text goes through spinscan's tokenizer\n"
    "first; --tokenized input is one sentence per line, tokens separated by\n"
    "spaces, as `spinscan tokenize` prints it.  Statistics\n"
    "(n-gram counts and the discounts D1, D2, D3+ of each order) go to stderr.\n"
    "--prune takes its thresholds as one argument (\"0 0 1\" or 0,0,1) or, as\n"
    "lmplz does, as the arguments that follow it while they look like numbers;\n"
    "write a CORPUS whose name starts with a digit as ./NAME after --prune.",
    train_options_table,
    run_train,
};

typedef struct progress_state {
    int enabled;
    double last;
    int drawn;
} progress_state;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* At most ~6 redraws a second, only on a terminal. */
static void on_progress(void *ctx, const char *stage, uint64_t done, uint64_t total) {
    progress_state *p = ctx;
    if (!p->enabled)
        return;
    double t = now_seconds();
    if (p->drawn && t - p->last < 0.16)
        return;
    p->last = t;
    p->drawn = 1;
    if (total)
        fprintf(stderr, "\rspinscan: train: %s %3.0f%%\033[K", stage, 100.0 * done / total);
    else
        fprintf(stderr, "\rspinscan: train: %s\033[K", stage);
    fflush(stderr);
}

static void progress_clear(progress_state *p) {
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

static void on_warn(void *ctx, const spin_diag *d) {
    progress_clear(ctx);
    cli_print_diag(d, "warning: ");
}

static int all_digits(const char *s) {
    if (!*s)
        return 0;
    for (; *s; ++s)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* An argument after --prune's value that is meant as one more threshold:
 * a digit, then digits or what a mistyped number holds ("1.5", "2,3"). */
static int looks_numeric(const char *s) {
    if (!isdigit((unsigned char)*s))
        return 0;
    return s[strspn(s, "0123456789.,eE+-")] == '\0';
}

/* Appends the thresholds in 'arg' (separated by commas or spaces) to 'v'. */
static int parse_prune(const cli_command *cmd, const char *arg, uint64_t *v, unsigned *nv) {
    const char *p = arg;
    for (;;) {
        while (*p == ' ' || *p == ',')
            ++p;
        if (!*p)
            break;
        size_t len = strcspn(p, " ,");
        char word[32];
        int ok = len < sizeof word;
        if (ok) {
            memcpy(word, p, len);
            word[len] = '\0';
            ok = all_digits(word);
        }
        errno = 0;
        unsigned long long x = ok ? strtoull(word, NULL, 10) : 0;
        if (!ok || errno)
            return cli_usage_error(cmd,
                                   "--prune: '%.*s' is not a threshold (a whole number of "
                                   "occurrences, 0 or more)",
                                   (int)(len > 40 ? 40 : len), p);
        if (*nv == SPIN_MAX_ORDER)
            return cli_usage_error(cmd, "--prune: more than %d thresholds", SPIN_MAX_ORDER);
        v[(*nv)++] = x;
        p += len;
    }
    return 0;
}

static int run_train(const cli_command *cmd, int argc, char **argv) {
    train_options opts;
    uint64_t prune[SPIN_MAX_ORDER];
    unsigned nprune = 0;
    int have_prune = 0;
    train_options_init(&opts);
    int tokenized = 0, have_order = 0;
    cli_parser p;
    cli_parser_init(&p);
    for (int c; (c = cli_next(cmd, &p, argc, argv)) != -1;) {
        switch (c) {
        case CLI_STOP:
            return p.status;
        case 'o': {
            char *end;
            errno = 0;
            long v = strtol(p.optarg, &end, 10);
            if (errno || end == p.optarg || *end || v < 2 || v > SPIN_MAX_ORDER)
                return cli_usage_error(cmd, "order must be a number from 2 to %d, not '%s'",
                                       SPIN_MAX_ORDER, p.optarg);
            opts.order = (unsigned)v;
            have_order = 1;
            break;
        }
        case OPT_TOKENIZED:
            tokenized = 1;
            break;
        case OPT_FALLBACK:
            opts.discount_fallback = true;
            break;
        case OPT_PRUNE:
            /* lmplz's form, --prune 0 1 1: the value and the numbers after it. */
            have_prune = 1;
            if (parse_prune(cmd, p.optarg, prune, &nprune))
                return EXIT_USAGE;
            while (p.optind < argc && looks_numeric(argv[p.optind]))
                if (parse_prune(cmd, argv[p.optind++], prune, &nprune))
                    return EXIT_USAGE;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    const char *out = p.output;
    int quiet = p.quiet;
    if (!have_order)
        return cli_usage_error(cmd, "the order is required (-o N)");
    if (!out || !*out)
        return cli_usage_error(cmd, "the output file is required (-O OUT)");
    if (p.optind >= argc)
        return cli_usage_error(cmd, "no CORPUS given ('-' reads standard input)");
    if (have_prune) {
        if (nprune == 0)
            return cli_usage_error(cmd, "--prune needs at least one threshold");
        if (nprune > opts.order)
            return cli_usage_error(cmd,
                                   "--prune: %u thresholds given, but the model has only order %u",
                                   nprune, opts.order);
        if (prune[0] != 0)
            return cli_usage_error(cmd,
                                   "--prune: the unigram threshold must be 0 (unigrams are never "
                                   "pruned), not %llu",
                                   (unsigned long long)prune[0]);
        for (unsigned i = 1; i < nprune; ++i)
            if (prune[i] < prune[i - 1])
                return cli_usage_error(cmd,
                                       "--prune: thresholds must not decrease (%llu after %llu): "
                                       "a kept n-gram needs its shorter parts",
                                       (unsigned long long)prune[i],
                                       (unsigned long long)prune[i - 1]);
        for (unsigned n = 0; n < SPIN_MAX_ORDER; ++n)
            opts.prune[n] = prune[n < nprune ? n : nprune - 1];
    }

    progress_state prog = {!quiet && isatty(2), 0, 0};
    opts.progress = on_progress;
    opts.progress_ctx = &prog;
    opts.warn = quiet ? NULL : on_warn;
    opts.warn_ctx = &prog;

    train_model *m = NULL;
    spin_diag diag;
    memset(&diag, 0, sizeof diag);
    spin_status st = train_new(&opts, &m, &diag);
    for (int i = p.optind; st == SPIN_OK && i < argc; ++i)
        st = train_add_file(m, argv[i], tokenized, &diag);
    train_stats stats;
    if (st == SPIN_OK)
        st = train_estimate(m, &stats, &diag);
    if (st == SPIN_OK) {
        progress_clear(&prog);
        if (!quiet) {
            fprintf(stderr, "spinscan: train: %llu sentences, %llu tokens, %llu types\n",
                    (unsigned long long)stats.sentences, (unsigned long long)stats.tokens,
                    (unsigned long long)stats.ngrams[0]);
            /* lmplz's form: "N KEPT[/COUNTED] D1=.. D2=.. D3+=.." */
            for (unsigned n = 1; n <= stats.order; ++n) {
                fprintf(stderr, "%u %llu", n, (unsigned long long)stats.ngrams[n - 1]);
                if (stats.ngrams[n - 1] != stats.ngrams_counted[n - 1])
                    fprintf(stderr, "/%llu", (unsigned long long)stats.ngrams_counted[n - 1]);
                fprintf(stderr, " D1=%g D2=%g D3+=%g%s\n", (double)stats.discount[n - 1][1],
                        (double)stats.discount[n - 1][2], (double)stats.discount[n - 1][3],
                        stats.used_fallback[n - 1] ? " (fallback)" : "");
            }
        }
        st = train_write_arpa(m, out, &diag);
    }
    progress_clear(&prog);
    train_free(m);
    if (st != SPIN_OK) {
        cli_print_diag(&diag, NULL);
        return st == SPIN_EINVAL ? EXIT_USAGE : EXIT_DATA;
    }
    return EXIT_OK;
}
