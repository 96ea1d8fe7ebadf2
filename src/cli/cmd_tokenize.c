/* cmd_tokenize.c - `spinscan tokenize`: the exact token stream the models see. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "text/tokenize.h"

enum { FMT_TEXT, FMT_TSV, FMT_JSON };

static const cli_option options[] = {
    {'f', "format", "FMT", "text (default): one sentence per line; tsv or json: with offsets"},
    {'q', "quiet", NULL, "do not warn about replaced invalid UTF-8 or control characters"},
    {0, NULL, NULL, NULL},
};

/* The tokenizer judges "is this text?" by the first 64 KiB (tokenize.h). */
#define TEXT_CHECK_BYTES (1 << 16)

/* Reads all of 'f'; returns 0, an errno value, or -1 when the first 64 KiB
 * are not text ('d' says why).  The check runs as soon as they are in, so
 * that binary input or /dev/zero stops at once instead of being read whole
 * (for ever, for /dev/zero). */
static int read_all(FILE *f, char **out, size_t *len, spin_diag *d) {
    size_t cap = 1 << 16, n = 0;
    bool checked = false;
    char *buf = malloc(cap);
    if (!buf)
        return ENOMEM;
    for (;;) {
        if (!checked && n >= TEXT_CHECK_BYTES) {
            checked = true;
            if (tokenize_check_text(buf, n, d) != SPIN_OK) {
                free(buf);
                return -1;
            }
        }
        if (n == cap) {
            char *p = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return ENOMEM;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                return e;
            }
            break;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

static spin_status write_stdout(void *ctx, const char *data, size_t len) {
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? SPIN_OK : SPIN_EIO;
}

/* Writes 's' as the inside of a JSON string.  Token texts are valid UTF-8 and
 * free of controls; control bytes (possible in file names) become \u00XX, other
 * bytes are copied, so a file name that is not UTF-8 gives invalid JSON. */
static void json_str(FILE *out, const char *s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

typedef struct emit_ctx {
    const char *id;
    int format;
    const char *tokenizer; /* json: "spinscan VERSION; ICU VERSION" */
} emit_ctx;

static spin_status emit_sentence(void *ctx, const tok_sentence *s, const tok_token *toks,
                                 const char *text) {
    const emit_ctx *e = ctx;
    FILE *out = stdout;
    if (e->format == FMT_TSV) {
        fprintf(out, "S\t%zu\t%zu\t%s\t%s\t", s->start, s->end,
                tokenize_seg_kind_name((tok_seg_kind)s->kind),
                s->flags & TOK_S_SPLIT ? "split" : "-");
        for (size_t i = 0; i < s->count; ++i) {
            fwrite(text + toks[i].text, 1, toks[i].len, out);
            fputc(i + 1 < s->count ? ' ' : '\n', out);
        }
        for (size_t i = 0; i < s->count; ++i) {
            fprintf(out, "T\t%zu\t%zu\t%s\t", toks[i].start, toks[i].end,
                    tokenize_kind_name((tok_kind)toks[i].kind));
            fwrite(text + toks[i].text, 1, toks[i].len, out);
            fputc('\n', out);
        }
    } else {
        fputs("{\"id\": \"", out);
        json_str(out, e->id, strlen(e->id));
        fprintf(out,
                "\", \"start\": %zu, \"end\": %zu, \"kind\": \"%s\", \"split\": %s, \"text\": \"",
                s->start, s->end, tokenize_seg_kind_name((tok_seg_kind)s->kind),
                s->flags & TOK_S_SPLIT ? "true" : "false");
        for (size_t i = 0; i < s->count; ++i) {
            json_str(out, text + toks[i].text, toks[i].len);
            if (i + 1 < s->count)
                fputc(' ', out);
        }
        fputs("\", \"tokens\": [", out);
        for (size_t i = 0; i < s->count; ++i) {
            fprintf(out, "%s{\"start\": %zu, \"end\": %zu, \"kind\": \"%s\", \"text\": \"",
                    i ? ", " : "", toks[i].start, toks[i].end,
                    tokenize_kind_name((tok_kind)toks[i].kind));
            json_str(out, text + toks[i].text, toks[i].len);
            fputs("\"}", out);
        }
        fputs("], \"tokenizer\": \"", out);
        json_str(out, e->tokenizer, strlen(e->tokenizer));
        fputs("\"}\n", out);
    }
    return ferror(out) ? SPIN_EIO : SPIN_OK;
}

/* Tokenizes one input; returns an exit status. */
static int tokenize_one(tokenizer *t, const char *path, int format, bool quiet) {
    bool is_stdin = !strcmp(path, "-");
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", name, strerror(errno));
        return EXIT_DATA;
    }
    char *buf = NULL;
    size_t len = 0;
    spin_diag d;
    int err = read_all(f, &buf, &len, &d);
    if (!is_stdin)
        fclose(f);
    if (err == -1) {
        snprintf(d.path, sizeof d.path, "%s", name);
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    if (err) {
        cli_error("%s: %s", name, strerror(err));
        return EXIT_DATA;
    }
    tok_stats st;
    spin_status rc;
    if (format == FMT_TEXT)
        rc = tokenize_lines(t, buf, len, write_stdout, NULL, &st, &d);
    else {
        /* The tokenizer's identity: no model is involved, but the version
         * and ICU's Unicode data decide what the models are given. */
        char icu[TOK_ICU_VERSION_MAX], ident[64];
        tokenize_icu_version(icu);
        snprintf(ident, sizeof ident, "spinscan %s; ICU %s", SPIN_VERSION, icu);
        emit_ctx e = {name, format, ident};
        if (format == FMT_TSV)
            printf("D\t%s\t%zu\n", name, len);
        rc = tokenize_stream(t, buf, len, emit_sentence, &e, &st, &d);
    }
    free(buf);
    if (rc == SPIN_EIO) {
        cli_error("%s: cannot write the output: %s", name, strerror(errno ? errno : EIO));
        return EXIT_DATA;
    }
    if (rc != SPIN_OK) {
        snprintf(d.path, sizeof d.path, "%s", name);
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    if (!quiet && (st.invalid || st.nul || st.controls)) {
        cli_error("%s: warning: %llu invalid UTF-8 sequences replaced with U+FFFD, "
                  "%llu NUL bytes and %llu other control characters read as spaces",
                  name, (unsigned long long)st.invalid, (unsigned long long)st.nul,
                  (unsigned long long)st.controls);
    }
    return EXIT_OK;
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser p;
    int format = FMT_TEXT, c;
    cli_parser_init(&p);
    while ((c = cli_next(cmd, &p, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return p.status;
        case 'f':
            if (cli_choice(cmd, p.optarg, (const char *const[]){"text", "tsv", "json", NULL},
                           (const int[]){FMT_TEXT, FMT_TSV, FMT_JSON}, &format,
                           "unknown format '%s' (text, tsv or json)") != EXIT_OK)
                return EXIT_USAGE;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    bool quiet = p.quiet;
    tokenizer *t;
    spin_diag d;
    if (tokenize_new(&t, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    int status = EXIT_OK;
    if (p.optind >= argc)
        status = tokenize_one(t, "-", format, quiet);
    for (int i = p.optind; i < argc; ++i) {
        int s = tokenize_one(t, argv[i], format, quiet);
        if (s != EXIT_OK)
            status = s;
    }
    tokenize_free(t);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the output: %s", strerror(errno ? errno : EIO));
        status = EXIT_DATA;
    }
    return status;
}

const cli_command cmd_tokenize = {
    "tokenize",
    "[-f text|tsv|json] [-q] [FILE...]",
    "Prints each FILE (none or '-': standard input) as spinscan's models see it: one\n"
    "sentence per line, tokens separated by single spaces, normalized (NFKC, case folded,\n"
    "digits as 0, URLs as <url>, e-mail addresses as <email>).  The output can train\n"
    "KenLM's lmplz directly.  -f tsv prints per document 'D id bytes', per sentence\n"
    "'S start end kind flags text' and per token 'T start end kind text'; -f json prints\n"
    "one JSON object per sentence (its last member \"tokenizer\" names the spinscan\n"
    "and ICU versions).  Offsets are UTF-8 byte offsets into the input, end\n"
    "exclusive; kinds are prose, heading or boilerplate.  A file that is not text is an\n"
    "error reported as 'spinscan: FILE: byte N: not text: ...'.",
    options,
    run,
};
