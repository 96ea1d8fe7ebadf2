/* cli.c - option parsing, help text and diagnostics shared by all commands. */
#include "cli/cli.h"

#include "util/safetext.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_option common_options[] = {
    {'h', "help", NULL, "show this help and exit"},
    {CLI_VERSION, "version", NULL, "show the version and exit"},
    {0, NULL, NULL, NULL},
};

void cli_parser_init(cli_parser *p) {
    p->optind = 1;
    p->optarg = NULL;
    p->next_char = 0;
    p->status = EXIT_OK;
    p->model = p->output = NULL;
    p->quiet = false;
    p->jobs = 0;
}

static const cli_option *find_short(const cli_command *cmd, int c) {
    for (const cli_option *o = cmd->options; o && o->key; ++o)
        if (o->key == c)
            return o;
    for (const cli_option *o = common_options; o->key; ++o)
        if (o->key == c)
            return o;
    return NULL;
}

static const cli_option *find_long(const cli_command *cmd, const char *name, size_t len) {
    for (const cli_option *o = cmd->options; o && o->key; ++o)
        if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
            return o;
    for (const cli_option *o = common_options; o->key; ++o)
        if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
            return o;
    return NULL;
}

static int next_option(const cli_command *cmd, cli_parser *p, int argc, char **argv) {
    p->optarg = NULL;
    if (p->next_char == 0) {
        if (p->optind >= argc)
            return -1;
        const char *a = argv[p->optind];
        if (a[0] != '-' || a[1] == '\0')
            return -1; /* operand ("-" alone is stdin) */
        if (!strcmp(a, "--")) {
            ++p->optind;
            return -1;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const cli_option *o = find_long(cmd, name, len);
            ++p->optind;
            if (!o) {
                cli_usage_error(cmd, "unknown option '%s'", a);
                return '?';
            }
            if (o->arg) {
                if (eq)
                    p->optarg = eq + 1;
                else if (p->optind < argc)
                    p->optarg = argv[p->optind++];
                else {
                    cli_usage_error(cmd, "option '--%s' needs %s", o->long_name, o->arg);
                    return '?';
                }
            } else if (eq) {
                cli_usage_error(cmd, "option '--%s' takes no argument", o->long_name);
                return '?';
            }
            return o->key;
        }
        p->next_char = 1;
    }
    const char *a = argv[p->optind];
    int c = (unsigned char)a[p->next_char++];
    const cli_option *o = c < 256 ? find_short(cmd, c) : NULL;
    int at_end = a[p->next_char] == '\0';
    if (!o) {
        if (at_end) {
            p->next_char = 0;
            ++p->optind;
        }
        cli_usage_error(cmd, "unknown option '-%c'", c);
        return '?';
    }
    if (o->arg) {
        if (!at_end)
            p->optarg = a + p->next_char;
        else if (p->optind + 1 < argc)
            p->optarg = argv[++p->optind];
        else {
            p->next_char = 0;
            ++p->optind;
            cli_usage_error(cmd, "option '-%c' needs %s", c, o->arg);
            return '?';
        }
        p->next_char = 0;
        ++p->optind;
    } else if (at_end) {
        p->next_char = 0;
        ++p->optind;
    }
    return o->key;
}

bool cli_verify = true;

/* Keeps a common option (cli.h, cli_parser) in 'p': 1 if 'c' was one, 0 if
 * not, -1 after a usage error. */
static int keep_common(const cli_command *cmd, cli_parser *p, int c) {
    if (c == CLI_NO_VERIFY) {
        cli_verify = false;
        return 1;
    }
    const cli_option *o = c > 0 && c < 256 ? find_short(cmd, c) : NULL;
    if (!o || !o->long_name)
        return 0;
    if (o->arg && !strcmp(o->long_name, "model")) {
        p->model = p->optarg;
    } else if (o->arg && !strcmp(o->long_name, "output")) {
        p->output = p->optarg;
    } else if (!o->arg && !strcmp(o->long_name, "quiet")) {
        p->quiet = true;
    } else if (o->arg && !strcmp(o->long_name, "jobs")) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(p->optarg, &end, 10);
        if (*p->optarg < '0' || *p->optarg > '9' || errno || *end || v == 0 || v > 256) {
            cli_usage_error(cmd, "-j needs a number from 1 to 256, not '%s'", p->optarg);
            return -1;
        }
        p->jobs = (unsigned)v;
    } else {
        return 0;
    }
    return 1;
}

size_t cli_jobs(const cli_parser *p) {
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    return p->jobs ? p->jobs : nproc > 0 ? (size_t)nproc : 1;
}

int cli_next(const cli_command *cmd, cli_parser *p, int argc, char **argv) {
    int c, kept;
    do {
        c = next_option(cmd, p, argc, argv);
        kept = keep_common(cmd, p, c);
    } while (kept > 0);
    if (kept < 0)
        c = '?'; /* the usage error is printed */
    switch (c) {
    case 'h':
        cli_print_help(cmd);
        p->status = EXIT_OK;
        return CLI_STOP;
    case CLI_VERSION:
        cli_print_version();
        p->status = EXIT_OK;
        return CLI_STOP;
    case '?': /* the usage error is printed already */
        p->status = EXIT_USAGE;
        return CLI_STOP;
    default:
        return c;
    }
}

static void print_option(const cli_option *o) {
    char left[80];
    int n = 0;
    if (o->key < 256)
        n = snprintf(left, sizeof left, "  -%c%s", o->key, o->long_name ? ", " : "");
    else
        n = snprintf(left, sizeof left, "      ");
    if (o->long_name)
        n += snprintf(left + n, sizeof left - (size_t)n, "--%s", o->long_name);
    if (o->arg)
        snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg);
    printf("%-28s %s\n", left, o->help);
}

void cli_print_help(const cli_command *cmd) {
    printf("usage: spinscan %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (const cli_option *o = cmd->options; o && o->key; ++o)
        print_option(o);
    for (const cli_option *o = common_options; o->key; ++o)
        print_option(o);
    /* A command with statuses of its own (rank's 3) says so in its summary;
     * the generic line would contradict it. */
    if (!strstr(cmd->summary, "exit status"))
        printf("\nexit status: 0 success, 1 data or runtime error, 2 usage error\n");
}

/* Writes 's' as roff text: backslashes and hyphens escaped, a line that
 * would start with '.' or '\'' guarded. */
static void roff_text(const char *s) {
    bool line_start = true;
    for (; *s; ++s) {
        if (line_start && (*s == '.' || *s == '\''))
            fputs("\\&", stdout);
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else
            putchar(*s);
        line_start = *s == '\n';
    }
}

static void man_option(const cli_option *o) {
    fputs(".TP\n\\fB", stdout);
    if (o->key < 256)
        printf("\\-%c%s", o->key, o->long_name ? ", " : "");
    if (o->long_name) {
        fputs("\\-\\-", stdout);
        roff_text(o->long_name);
    }
    fputs("\\fR", stdout);
    if (o->arg) {
        fputs(" \\fI", stdout);
        roff_text(o->arg);
        fputs("\\fR", stdout);
    }
    putchar('\n');
    roff_text(o->help);
    putchar('\n');
}

void cli_print_man(const cli_command *cmd) {
    printf(".TH SPINSCAN\\-%s 1 \"\" \"spinscan %s\" \"spinscan manual\"\n", cmd->name,
           SPIN_VERSION);
    printf(".SH NAME\nspinscan\\-%s \\- ", cmd->name);
    /* The summary's first clause, on one line. */
    size_t n = strcspn(cmd->summary, ".:;(");
    while (n > 0 && (cmd->summary[n - 1] == ' ' || cmd->summary[n - 1] == '\n'))
        --n;
    for (const char *p = cmd->summary; p < cmd->summary + n; ++p)
        if (*p == '\n')
            putchar(' ');
        else if (*p == '-')
            fputs("\\-", stdout);
        else if (*p == '\\')
            fputs("\\e", stdout);
        else
            putchar(*p);
    printf("\n.SH SYNOPSIS\n\\fBspinscan %s\\fR ", cmd->name);
    roff_text(cmd->usage);
    fputs("\n.SH DESCRIPTION\n.nf\n", stdout);
    roff_text(cmd->summary);
    fputs("\n.fi\n.SH OPTIONS\n", stdout);
    for (const cli_option *o = cmd->options; o && o->key; ++o)
        man_option(o);
    for (const cli_option *o = common_options; o->key; ++o)
        man_option(o);
    const char *own = strstr(cmd->summary, "exit status");
    fputs(".SH EXIT STATUS\n", stdout);
    if (own) /* the command's own, from its description */
        roff_text(own);
    else
        fputs("0 success, 1 data or runtime error, 2 usage error.", stdout);
    fputs("\n.SH SEE ALSO\n\\fBspinscan\\fR(1)\n", stdout);
}

void cli_print_version(void) {
    printf("spinscan %s\n", SPIN_VERSION);
}

/* Formats and writes a diagnostic through safetext (see util/safetext.h): a
 * message quoting data can never drive the terminal. */
static void safe_vprint(const char *fmt, va_list ap) {
    char buf[8192];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    safetext_write(stderr, buf, len, true);
}

static void safe_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void safe_print(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    safe_vprint(fmt, ap);
    va_end(ap);
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("spinscan: ", stderr);
    va_start(ap, fmt);
    safe_vprint(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "spinscan %s: ", cmd ? cmd->name : "");
    va_start(ap, fmt);
    safe_vprint(fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'spinscan %s --help' for more information.\n", cmd ? cmd->name : "");
    return EXIT_USAGE;
}

int cli_choice(const cli_command *cmd, const char *arg, const char *const *names, const int *values,
               int *out, const char *fmt) {
    for (size_t i = 0; names[i]; ++i)
        if (!strcmp(arg, names[i])) {
            *out = values[i];
            return EXIT_OK;
        }
    return cli_usage_error(cmd, fmt, arg);
}

int cli_arpa_option(const cli_command *cmd, int key, const char *arg, spin_load_options *lo) {
    const cli_option *o = find_short(cmd, key);
    if (!o || !o->long_name)
        return 0;
    if (!strcmp(o->long_name, "allow-missing-markers"))
        lo->allow_missing_markers = true;
    else if (!strcmp(o->long_name, "positive-to-zero"))
        lo->positive_prob_to_zero = true;
    else if (!strcmp(o->long_name, "unk-logprob"))
        return cli_parse_unk_logprob(cmd, arg, &lo->unk_logprob) == EXIT_OK ? 1 : -1;
    else
        return 0;
    return 1;
}

int cli_parse_unk_logprob(const cli_command *cmd, const char *arg, float *out) {
    char *end;
    errno = 0;
    float v = strtof(arg, &end);
    if (errno || end == arg || *end || v > 0)
        return cli_usage_error(cmd, "--unk-logprob needs a log10 probability <= 0, not '%s'", arg);
    *out = v;
    return EXIT_OK;
}

void cli_print_diag(const spin_diag *d, const char *prefix) {
    fflush(stdout);
    fputs("spinscan: ", stderr);
    if (d->path[0]) {
        if (d->line)
            safe_print("%s:%llu: ", d->path, (unsigned long long)d->line);
        else
            safe_print("%s: ", d->path);
    }
    if (d->line || d->byte)
        fprintf(stderr, "byte %llu: ", (unsigned long long)d->byte);
    safe_print("%s%s", prefix ? prefix : "", d->message[0] ? d->message : spin_strerror(d->status));
    fputc('\n', stderr);
}
