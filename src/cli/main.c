/* main.c - spinscan's entry point: dispatches to one command per subcommand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const cli_command *const commands[] = {
    &cmd_query,
    &cmd_train,
    &cmd_compile,
    /* commands are added here */
    &cmd_score,
    &cmd_tokenize,
    &cmd_calibrate,
    &cmd_rank,
    &cmd_merge,
    &cmd_annotate,
    &cmd_families,
    NULL,
};

static void print_usage(FILE *out) {
    fprintf(out, "usage: spinscan COMMAND [OPTIONS] [ARGS]\n\n"
                 "Finds machine-spun text, word salad and keyword stuffing with n-gram\n"
                 "language models.\n\ncommands:\n");
    for (const cli_command *const *c = commands; *c; ++c)
        fprintf(out, "  %-10s %s %s\n", (*c)->name, (*c)->name, (*c)->usage);
    fprintf(out, "\n'spinscan COMMAND --help' describes a command; 'spinscan --man [COMMAND]'\n"
                 "writes its man page (roff), from the same text.\n"
                 "exit status: 0 success, 1 data or runtime error, 2 usage error\n");
}

/* spinscan(1): the commands, as in the usage above, and where to read more. */
static void print_man(void) {
    printf(".TH SPINSCAN 1 \"\" \"spinscan %s\" \"spinscan manual\"\n"
           ".SH NAME\nspinscan \\- find machine\\-spun text, word salad and keyword stuffing\n"
           ".SH SYNOPSIS\n\\fBspinscan\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n"
           ".SH DESCRIPTION\nspinscan scores text with n\\-gram language models and robust "
           "statistics.\n.SH COMMANDS\n",
           SPIN_VERSION);
    for (const cli_command *const *c = commands; *c; ++c)
        printf(".TP\n\\fBspinscan\\-%s\\fR(1)\n%s\n", (*c)->name, (*c)->name);
    printf(".SH OPTIONS\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthe list of commands\n"
           ".TP\n\\fB\\-\\-version\\fR\nthe version\n"
           ".TP\n\\fB\\-\\-man\\fR [\\fICOMMAND\\fR]\nthis page, or a command's\n"
           ".SH ENVIRONMENT\n.TP\nSPINSCAN_MODEL\nthe model directory or file when \\-m is "
           "not given\n"
           ".SH EXIT STATUS\n0 success, 1 data or runtime error, 2 usage error.\n");
}

/* A command that succeeded but whose output could not be written (--help
 * > /dev/full, a closed pipe) has failed: stdout is checked once more at the
 * end, for every command.  Commands that report their own write errors have
 * already returned a failure. */
static int finish(int status) {
    errno = 0;
    if (status == EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_error("standard output: cannot write: %s", strerror(errno ? errno : EIO));
        return EXIT_DATA;
    }
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        print_usage(stdout);
        return finish(EXIT_OK);
    }
    if (!strcmp(argv[1], "--version")) {
        cli_print_version();
        return finish(EXIT_OK);
    }
    if (!strcmp(argv[1], "--man")) {
        if (argc == 2) {
            print_man();
            return finish(EXIT_OK);
        }
        for (const cli_command *const *c = commands; *c; ++c)
            if (!strcmp((*c)->name, argv[2])) {
                cli_print_man(*c);
                return finish(EXIT_OK);
            }
        fprintf(stderr, "spinscan: unknown command '%s'\n", argv[2]);
        return EXIT_USAGE;
    }
    for (const cli_command *const *c = commands; *c; ++c)
        if (!strcmp((*c)->name, argv[1]))
            return finish((*c)->run(*c, argc - 1, argv + 1));
    cli_error("unknown command '%s'", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
}
