/* cmd_compile.c - `spinscan compile`: ARPA model -> binary model for instant
 * (mmap) loading; `spinscan compile --verify FILE` checks a binary model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

enum { OPT_UNK = 256, OPT_VERIFY, OPT_COMPACT };

static const cli_option compile_options[] = {
    {OPT_COMPACT, "compact", NULL,
     "write the compact layout (a bit-packed trie: about half the memory, slower queries)"},
    {'q', "quantize", "BITS",
     "with --compact: store probabilities and backoffs in BITS bits (2-16) instead of exact "
     "floats (8 is KenLM's -q 8 -b 8); scores change slightly"},
    {'s', "allow-missing-markers", NULL, "accept a model without <s> or </s> (scored as <unk>)"},
    {'i', "positive-to-zero", NULL, "read positive log10 probabilities as 0 instead of failing"},
    {'u', "unk-logprob", "X", "log10 probability of <unk> when the model lacks it (-100)"},
    {OPT_VERIFY, "verify", NULL,
     "instead of compiling, check every checksum and table of the binary model MODEL"},
    {0, NULL, NULL, NULL},
};

static void print_warning(void *ctx, const spin_diag *d) {
    (void)ctx;
    cli_print_diag(d, "warning: ");
}

static int verify(const char *path) {
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.verify = true;
    spin_diag d;
    spin_model *m;
    if (spin_model_open(path, &lo, &m, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    printf("%s: ok: order %u, %zu words", path, spin_model_order(m), spin_vocab_size(m));
    for (unsigned n = 2; n <= spin_model_order(m); ++n)
        printf(", %llu %u-grams", (unsigned long long)spin_model_count(m, n), n);
    printf("\n");
    spin_model_free(m);
    return EXIT_OK;
}

static int compile_run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    spin_load_options lo;
    spin_write_options wo;
    bool check = false;
    spin_load_options_init(&lo);
    spin_write_options_init(&wo);
    lo.warn = print_warning;
    unsigned bits = 0;
    cli_parser_init(&cp);
    for (int c; (c = cli_next(cmd, &cp, argc, argv)) != -1;) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case OPT_COMPACT:
            wo.layout = SPIN_LAYOUT_COMPACT;
            break;
        case 'q': {
            char *end;
            errno = 0;
            long v = strtol(cp.optarg, &end, 10);
            if (errno || end == cp.optarg || *end || v < 2 || v > 16)
                return cli_usage_error(cmd, "-q takes a number of bits from 2 to 16, not '%s'",
                                       cp.optarg);
            bits = (unsigned)v;
            break;
        }
        case OPT_VERIFY:
            check = true;
            break;
        default: /* -s, -i, -u */
            if (cli_arpa_option(cmd, c, cp.optarg, &lo) != 1)
                return EXIT_USAGE;
            break;
        }
    }
    if (check) {
        if (cp.optind + 1 != argc)
            return cli_usage_error(cmd, cp.optind >= argc ? "--verify needs the binary MODEL"
                                                          : "--verify takes one MODEL");
        return verify(argv[cp.optind]);
    }
    if (cp.optind + 2 != argc)
        return cli_usage_error(cmd, cp.optind + 2 > argc ? "needs MODEL.arpa and OUT"
                                                         : "too many arguments");
    if (bits && wo.layout != SPIN_LAYOUT_COMPACT)
        return cli_usage_error(cmd, "-q needs --compact");
    wo.prob_bits = wo.backoff_bits = bits;
    const char *in = argv[cp.optind], *out = argv[cp.optind + 1];
    spin_diag d;
    if (spin_compile(in, out, &lo, &wo, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    struct stat sb;
    if (stat(out, &sb) == 0)
        printf("%s: %s layout%s, %.1f MB\n", out,
               wo.layout == SPIN_LAYOUT_COMPACT ? "compact" : "probing", bits ? ", quantized" : "",
               (double)sb.st_size / 1e6);
    return EXIT_OK;
}

const cli_command cmd_compile = {
    "compile",
    "[--compact [-q BITS]] [-s] [-i] [-u X] MODEL.arpa[.gz|.bz2|.xz] OUT\n"
    "       spinscan compile --verify MODEL",
    "Compiles an ARPA model into spinscan's binary format, which every command\n"
    "loads in milliseconds (mmap, no parsing) and scores exactly like the ARPA file.\n"
    "OUT is written under a temporary name and renamed when complete, so it is never\n"
    "left half-written.  The ARPA policies (-s, -i, -u) are applied now and kept in\n"
    "the binary.  The default layout is hash tables (fastest); --compact writes a\n"
    "trie that needs about half the memory.  --verify checks every byte of an\n"
    "existing binary model against its checksums (loading checks only the header,\n"
    "vocabulary and unigrams, to stay fast).",
    compile_options,
    compile_run,
};
