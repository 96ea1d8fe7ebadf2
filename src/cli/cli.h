/* cli.h - what the command-line front end shares between its commands.
 *
 * src/cli/ is the only code that parses argv, prints to the terminal or decides
 * an exit status.  Each command describes its options in one cli_option table;
 * parsing and --help are both produced from that table, so they cannot drift.
 */
#ifndef SPIN_CLI_H
#define SPIN_CLI_H

#include <stdarg.h>
#include <stdbool.h>

#include "spinscan.h"

/* Exit statuses, documented in every --help. */
enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

typedef struct cli_option {
    int key;               /* short letter, or a value >= 256 for long-only options */
    const char *long_name; /* without the leading "--" */
    const char *arg;       /* name of the argument, NULL for a flag */
    const char *help;      /* one line */
} cli_option;

typedef struct cli_command {
    const char *name;
    const char *usage;         /* after "spinscan NAME " */
    const char *summary;       /* one paragraph */
    const cli_option *options; /* terminated by an entry with key 0 */
    int (*run)(const struct cli_command *cmd, int argc, char **argv);
} cli_command;

/* Option iteration.  Returns the option's key, -1 at the end of options (then
 * *optind is the first operand), or CLI_STOP when the command should return
 * p->status at once: after -h/--help or --version (printed here, status 0),
 * or after a usage error (printed here, status 2).  Every command's table gets
 * -h/--help and --version automatically. */
enum { CLI_VERSION = 1000, CLI_NO_VERIFY = 1001, CLI_STOP = -2 };

/* Model verification (docs/reliability.md): every command that loads a model
 * checks all of it (checksums of every table, values) unless the user gave
 * --no-verify, which cli_next() handles itself for the commands that list
 * CLI_OPT_NO_VERIFY in their table. */
extern bool cli_verify;
#define CLI_OPT_NO_VERIFY                                                                          \
    {                                                                                              \
        CLI_NO_VERIFY, "no-verify", NULL,                                                          \
            "do not check the whole binary model at load (faster start; see docs/reliability.md)"  \
    }
/* The options that mean the same in every command that lists them are kept
 * in the parser by cli_next() itself, never returned as keys (as --no-verify):
 * -m/--model PATH, -o/--output OUT, -q/--quiet (the flag; compile's -q BITS
 * is its own) and -j/--jobs N (1 to 256, checked here).  A command's table
 * decides whether it has them and their help line. */
typedef struct cli_parser {
    int optind;
    const char *optarg;
    int next_char;              /* position inside a bundle of short options */
    int status;                 /* with CLI_STOP: the exit status */
    const char *model, *output; /* -m, -o: NULL when not given */
    bool quiet;                 /* -q */
    unsigned jobs;              /* -j: 0 when not given */
} cli_parser;
void cli_parser_init(cli_parser *p);
int cli_next(const cli_command *cmd, cli_parser *p, int argc, char **argv);
/* -j's value, or the number of processors when it was not given. */
size_t cli_jobs(const cli_parser *p);

void cli_print_help(const cli_command *cmd);
void cli_print_version(void);
/* The command's man page (roff, section 1) on stdout, from the same table and
 * text as --help: `spinscan --man COMMAND`. */
void cli_print_man(const cli_command *cmd);

/* "spinscan: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: message, then a hint to run --help; returns EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An option that takes one of a few words (-f FMT, --color WHEN, ...): sets
 * *out to values[i] where names[i] (a list ending with NULL) is 'arg' and
 * returns EXIT_OK, or prints the usage error 'fmt' (its one %s: 'arg') and
 * returns EXIT_USAGE. */
int cli_choice(const cli_command *cmd, const char *arg, const char *const *names, const int *values,
               int *out, const char *fmt);
/* The options for reading an ARPA model that query and compile share, told by
 * their long names: --allow-missing-markers, --positive-to-zero and
 * --unk-logprob X.  Applies option 'key' of cmd's table, value 'arg', to 'lo':
 * 1 if it was one of them, 0 if not, -1 after a usage error. */
int cli_arpa_option(const cli_command *cmd, int key, const char *arg, spin_load_options *lo);
/* Parses the --unk-logprob value (a log10 probability <= 0) into *out.
 * Returns EXIT_OK, or EXIT_USAGE after printing a usage error. */
int cli_parse_unk_logprob(const cli_command *cmd, const char *arg, float *out);
/* "spinscan: FILE:LINE: byte N: PREFIXmessage" on stderr ("FILE: byte N:" where
 * lines do not apply); PREFIX may be NULL or e.g. "warning: ". */
void cli_print_diag(const spin_diag *d, const char *prefix);

/* The commands, in src/cli/cmd_*.c. */
extern const cli_command cmd_query;
extern const cli_command cmd_train;
extern const cli_command cmd_compile;
/* extern const cli_command cmd_NAME; one per command */
extern const cli_command cmd_score;
extern const cli_command cmd_tokenize;
extern const cli_command cmd_calibrate;
extern const cli_command cmd_rank;
extern const cli_command cmd_merge;
extern const cli_command cmd_families;
extern const cli_command cmd_annotate;

#endif
