/* cmd_train.c - `spinscan train`: estimate a modified Kneser-Ney model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "train.h"

enum { OPT_TOKENIZED = 256, OPT_FALLBACK };

static const cli_option train_options_table[] = {
    {'o', "order", "N", "n-gram order, 2..8 (required)"},
    {'O', "output", "OUT", "write the ARPA model to OUT, gzip-compressed if OUT ends in .gz"},
    {OPT_TOKENIZED, "tokenized", NULL,
     "CORPUS holds one sentence per line, tokens separated by spaces"},
    {OPT_FALLBACK, "discount-fallback", NULL,
     "where a discount cannot be estimated, use D1=0.5 D2=1 D3+=1.5"},
    {'q', "quiet", NULL, "print neither progress nor statistics"},
    {0, NULL, NULL, NULL},
};

static int run_train(const cli_command *cmd, int argc, char **argv);

const cli_command cmd_train = {
    "train",
    "-o N [--tokenized] [--discount-fallback] -O OUT CORPUS...",
    "Estimates an interpolated modified Kneser-Ney language model from CORPUS\n"
    "(files, gzip allowed; '-' is standard input) exactly as KenLM's lmplz does,\n"
    "and writes it in ARPA format.  Raw text goes through spinscan's tokenizer\n"
    "first; --tokenized input is one sentence per line, tokens separated by\n"
    "spaces, as `spinscan tokenize` prints it.  Statistics\n"
    "(n-gram counts and the discounts D1, D2, D3+ of each order) go to stderr.",
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

static int run_train(const cli_command *cmd, int argc, char **argv) {
    train_options opts;
    train_options_init(&opts);
    const char *out = NULL;
    int tokenized = 0, quiet = 0, have_order = 0;
    cli_parser p;
    cli_parser_init(&p);
    for (int c; (c = cli_next(cmd, &p, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            cli_print_help(cmd);
            return EXIT_OK;
        case CLI_VERSION:
            cli_print_version();
            return EXIT_OK;
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
        case 'O':
            out = p.optarg;
            break;
        case OPT_TOKENIZED:
            tokenized = 1;
            break;
        case OPT_FALLBACK:
            opts.discount_fallback = true;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (!have_order)
        return cli_usage_error(cmd, "the order is required (-o N)");
    if (!out || !*out)
        return cli_usage_error(cmd, "the output file is required (-O OUT)");
    if (p.optind >= argc)
        return cli_usage_error(cmd, "no CORPUS given ('-' reads standard input)");

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
            for (unsigned n = 1; n <= stats.order; ++n)
                fprintf(stderr, "%u %llu D1=%g D2=%g D3+=%g%s\n", n,
                        (unsigned long long)stats.ngrams[n - 1], (double)stats.discount[n - 1][1],
                        (double)stats.discount[n - 1][2], (double)stats.discount[n - 1][3],
                        stats.used_fallback[n - 1] ? " (fallback)" : "");
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
