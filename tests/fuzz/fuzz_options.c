/* fuzz_options.c - the option parser of every command (cli.c: cli_next over
 * each command's table, bundles of short options, --long=value, "--"), and the
 * value parsers commands share (cli_parse_size, cli_parse_unk_logprob).
 *
 * Input: byte 0 chooses the command, the rest is argv[1..] separated by NUL
 * bytes (at most 64 arguments).
 * Checks: the loop ends within one step per character; every key returned is
 * one of the command's options (or --version); an option that takes a value
 * gets one that points into argv; optind stays within [1, argc]; a size that
 * parses reads back (digits, then K, M or G).
 * The messages and help the parser prints go to /dev/null (stdio only:
 * sanitizer reports still reach file descriptor 2).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "fuzz.h"

static const cli_command *const commands[] = {&cmd_query, &cmd_train,    &cmd_compile,
                                              &cmd_score, &cmd_tokenize, &cmd_calibrate,
                                              &cmd_rank,  &cmd_merge};

static bool in_argv(const char *p, int argc, char **argv) {
    for (int i = 0; i < argc; ++i)
        if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *null;
    if (!null) {
        null = fopen("/dev/null", "w");
        if (!null)
            abort();
    }
    if (size < 1)
        return 0;
    FILE *saved_out = stdout, *saved_err = stderr; /* the replay driver prints TAP */
    stdout = stderr = null;
    const cli_command *cmd = commands[data[0] % (sizeof commands / sizeof *commands)];
    char *buf = malloc(size + 1);
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    char *argv[66];
    int argc = 0;
    argv[argc++] = (char *)cmd->name;
    for (char *p = buf; p < buf + size && argc < 65; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    size_t chars = 0;
    for (int i = 0; i < argc; ++i)
        chars += strlen(argv[i]) + 1;
    cli_parser cp;
    cli_parser_init(&cp);
    size_t steps = 0;
    for (int c; (c = cli_next(cmd, &cp, argc, argv)) != -1;) {
        FUZZ_CHECK(++steps <= chars + 2, "the parser always advances");
        FUZZ_CHECK(cp.optind >= 1 && cp.optind <= argc, "optind within argv");
        if (c == CLI_STOP)
            break;
        const cli_option *o = cmd->options;
        while (o && o->key && o->key != c)
            ++o;
        FUZZ_CHECK(c == CLI_VERSION || (o && o->key == c), "a key of the command's table");
        if (c != CLI_VERSION && o->arg) {
            FUZZ_CHECK(cp.optarg && in_argv(cp.optarg, argc, argv), "a value from argv");
            uint64_t v;
            if (cli_parse_size(cp.optarg, &v) == 0) {
                const char *e = cp.optarg + strspn(cp.optarg, "0123456789");
                FUZZ_CHECK(e > cp.optarg && (!*e || (strchr("kKmMgG", *e) && !e[1])),
                           "a size is digits and one unit letter");
            }
            float lp = 1;
            if (cli_parse_unk_logprob(cmd, cp.optarg, &lp) == EXIT_OK)
                FUZZ_CHECK(lp <= 0, "--unk-logprob is a log10 probability");
        }
    }
    FUZZ_CHECK(cp.optind >= 1 && cp.optind <= argc, "optind within argv at the end");
    free(buf);
    stdout = saved_out;
    stderr = saved_err;
    return 0;
}
