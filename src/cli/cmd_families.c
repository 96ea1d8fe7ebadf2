/* cmd_families.c - `spinscan families`: the spin families of a crawl, each
 * with its members and the substitution sets learnt from them, as JSON Lines
 * (family.h, docs/families.md).
 *
 * Two passes over the inputs, which must therefore be files (not standard
 * input): the first computes each document's signature (a fixed
 * FAM_SIG_BYTES) and the families; the second keeps the text of the members
 * of spun families only and aligns each family's members with its least
 * member.  Memory: the signatures plus the text of the spun families'
 * members.  No model is needed: nothing is scored.
 *
 * Exit status: 0, 3 when some records were skipped, 1 fatal, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "crawl/family.h"
#include "crawl/input.h"
#include "crawl/rank.h"
#include "text/html.h"
#include "util/mem.h"

enum { OPT_TEXT_FIELD = 256, OPT_ID_FIELD, OPT_MAX_BYTES, OPT_ALL };
enum { EXIT_SKIPPED = 3 };

static const cli_option options[] = {
    {'o', "output", "OUT", "write to OUT (replaced only when the run completes)"},
    {OPT_ALL, "all", NULL, "also list duplicate families (copies), not only spun ones"},
    {OPT_TEXT_FIELD, "text-field", "NAME", "JSON Lines text field (default text)"},
    {OPT_ID_FIELD, "id-field", "NAME", "JSON Lines id field (default id, then url)"},
    {OPT_MAX_BYTES, "max-bytes", "N", "largest document (default 16M; K, M, G; 0: none)"},
    {'q', "quiet", NULL, "no warnings about skipped records"},
    {0, NULL, NULL, NULL},
};

/* One pass over the inputs: 'fn' gets each document's text (HTML converted)
 * and its number in input order.  Returns 0, or -1 after printing why;
 * counts skipped records. */
static int
each_doc(char *const *paths, size_t npaths, const input_options *io, bool quiet, uint64_t *skipped,
         int (*fn)(void *ctx, uint64_t seq, const input_doc *doc, const char *text, size_t len),
         void *ctx) {
    input *in;
    if (input_open(paths, npaths, io, &in) != SPIN_OK) {
        cli_error("out of memory");
        return -1;
    }
    uint64_t seq = 0;
    int rc = 0;
    for (;;) {
        input_event ev;
        input_doc doc;
        input_skip why;
        spin_diag d;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = -1;
            break;
        }
        if (ev == INPUT_END)
            break;
        if (ev == INPUT_SKIPPED) {
            ++*skipped;
            if (!quiet)
                cli_print_diag(&d, "warning: ");
            continue;
        }
        const char *text = doc.text;
        size_t len = doc.len;
        char *conv = NULL;
        if (doc.html) {
            spin_status st = html_to_text(doc.text, doc.len, doc.charset, &conv, &len, &d);
            if (st == SPIN_ENOMEM) {
                cli_error("out of memory");
                input_doc_free(&doc);
                rc = -1;
                break;
            }
            if (st != SPIN_OK) { /* not text: as rank, skipped */
                ++*skipped;
                input_doc_free(&doc);
                continue;
            }
            text = conv;
        }
        rc = fn(ctx, seq++, &doc, text, len);
        mem_free(conv);
        input_doc_free(&doc);
        if (rc)
            break;
    }
    input_free(in);
    return rc;
}

typedef struct state {
    fam_set *fs;
    char **texts; /* pass 2: texts of spun families' members, by index */
    size_t *lens;
    FILE *out;
    bool all, write_failed;
} state;

static int pass1(void *ctx, uint64_t seq, const input_doc *doc, const char *text, size_t len) {
    state *s = ctx;
    fam_sig sig;
    fam_signature(text, len, &sig);
    if (fam_set_add(s->fs, doc->id, doc->id_len, 0, &sig, NULL) != SPIN_OK) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

static int pass2(void *ctx, uint64_t seq, const input_doc *doc, const char *text, size_t len) {
    state *s = ctx;
    if (seq >= fam_set_count(s->fs)) {
        cli_error("the inputs changed between the two passes (more documents)");
        return -1;
    }
    fam_info fi;
    fam_set_info(s->fs, (size_t)seq, &fi);
    if (fi.kind != FAM_SPUN)
        return 0;
    if (!(s->texts[seq] = mem_strndup(text, len))) {
        cli_error("out of memory");
        return -1;
    }
    s->lens[seq] = len;
    return 0;
}

static void put_set(void *ctx, const char *const *words, size_t n) {
    state *s = ctx;
    for (size_t i = 0; i < n; ++i) {
        fputs(i ? ", " : "[", s->out);
        if (!rank_write_json_string(s->out, words[i], strlen(words[i])))
            s->write_failed = true;
    }
    fputs("]", s->out);
}

typedef struct set_ctx {
    state *s;
    bool first;
} set_ctx;

static void put_set_sep(void *ctx, const char *const *words, size_t n) {
    set_ctx *c = ctx;
    if (!c->first)
        fputs(", ", c->s->out);
    c->first = false;
    put_set(c->s, words, n);
}

static int put_family(void *ctx, const size_t *members, size_t n, const fam_info *fi) {
    state *s = ctx;
    if (fi->kind != FAM_SPUN && !s->all)
        return 0;
    FILE *f = s->out;
    fprintf(f, "{\"family\": \"%s\", \"kind\": \"%s\", \"size\": %u, \"members\": [", fi->id,
            fam_kind_name(fi->kind), fi->size);
    for (size_t i = 0; i < n; ++i) {
        size_t len;
        const char *id = fam_set_id(s->fs, members[i], &len);
        if (i)
            fputs(", ", f);
        if (!rank_write_json_string(f, id, len))
            s->write_failed = true;
    }
    fputs("], \"substitutions\": [", f);
    if (fi->kind == FAM_SPUN && s->texts[members[0]]) {
        fam_subs *subs;
        if (fam_subs_new(s->texts[members[0]], s->lens[members[0]], &subs) != SPIN_OK) {
            cli_error("out of memory");
            return -2; /* printed */
        }
        for (size_t i = 1; i < n; ++i)
            if (s->texts[members[i]] &&
                fam_subs_add(subs, s->texts[members[i]], s->lens[members[i]]) != SPIN_OK) {
                fam_subs_free(subs);
                cli_error("out of memory");
                return -2; /* printed */
            }
        set_ctx c = {s, true};
        size_t nsets = fam_subs_each(subs, put_set_sep, &c);
        fam_subs_free(subs);
        if (nsets == SIZE_MAX) {
            cli_error("out of memory");
            return -2; /* printed */
        }
    }
    if (fputs("]}\n", f) == EOF)
        s->write_failed = true;
    return s->write_failed ? -2 : 0;
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    input_options io;
    input_options_init(&io);
    bool all = false;
    int c;
    cli_parser_init(&cp);
    while ((c = cli_next(cmd, &cp, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case OPT_ALL:
            all = true;
            break;
        case OPT_TEXT_FIELD:
            io.text_field = cp.optarg;
            break;
        case OPT_ID_FIELD:
            io.id_field = cp.optarg;
            break;
        case OPT_MAX_BYTES:
            if (cli_parse_size(cp.optarg, &io.max_bytes) != 0)
                return cli_usage_error(cmd, "--max-bytes needs a size such as 64K, not '%s'",
                                       cp.optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    const char *out_path = cp.output;
    bool quiet = cp.quiet;
    if (cp.optind >= argc)
        return cli_usage_error(cmd, "no INPUT (families reads its inputs twice: name files)");
    for (int i = cp.optind; i < argc; ++i)
        if (!strcmp(argv[i], "-"))
            return cli_usage_error(cmd, "families reads its inputs twice: name files, not '-'");
    char *const *paths = argv + cp.optind;
    size_t npaths = (size_t)(argc - cp.optind);
    html_init();
    state s;
    memset(&s, 0, sizeof s);
    s.all = all;
    uint64_t skipped = 0, skipped2 = 0;
    int status = EXIT_OK;
    outfile out;
    bool out_open = false;
    if (fam_set_new(&s.fs) != SPIN_OK) {
        cli_error("out of memory");
        return EXIT_DATA;
    }
    if (each_doc(paths, npaths, &io, quiet, &skipped, pass1, &s) != 0 ||
        fam_set_solve(s.fs) != SPIN_OK) {
        status = EXIT_DATA;
        goto done;
    }
    size_t n = fam_set_count(s.fs);
    s.texts = calloc(n ? n : 1, sizeof *s.texts);
    s.lens = calloc(n ? n : 1, sizeof *s.lens);
    if (!s.texts || !s.lens) {
        cli_error("out of memory");
        status = EXIT_DATA;
        goto done;
    }
    if (each_doc(paths, npaths, &io, true, &skipped2, pass2, &s) != 0) {
        status = EXIT_DATA;
        goto done;
    }
    if (outfile_open(&out, out_path) != 0) {
        status = EXIT_DATA;
        goto done;
    }
    out_open = true;
    s.out = out.f;
    int rc = fam_set_each(s.fs, put_family, &s);
    if (rc != 0 || s.write_failed) {
        if (rc == -1 && !s.write_failed)
            cli_error("out of memory");
        else if (s.write_failed)
            cli_error("%s: cannot write: %s", out.path ? out.path : "standard output",
                      strerror(errno ? errno : EIO));
        status = EXIT_DATA;
    }
    if (outfile_close(&out, status == EXIT_OK) != 0)
        status = EXIT_DATA;
    out_open = false;
    if (status == EXIT_OK && skipped)
        status = EXIT_SKIPPED;
done:
    if (out_open)
        outfile_close(&out, false);
    if (s.texts)
        for (size_t i = 0; i < fam_set_count(s.fs); ++i)
            mem_free(s.texts[i]);
    free(s.texts);
    free(s.lens);
    fam_set_free(s.fs);
    return status;
}

const cli_command cmd_families = {
    "families",
    "[-o OUT] [--all] [OPTIONS] INPUT...",
    "Finds the spin families of a crawl: documents that are rewrites of one seed\n"
    "(skeleton shingles, MinHash, LSH and union-find; docs/families.md), without any\n"
    "synonym dictionary, and writes one JSON line per family:\n"
    "  {\"family\": ID, \"kind\": \"spun\", \"size\": N, \"members\": [ids],\n"
    "   \"substitutions\": [[\"bring back\", \"regain\", \"restore\"], ...]}\n"
    "the substitution sets being the spinner's synonyms learnt by aligning the\n"
    "members.  --all also lists duplicate families (copies: \"kind\": \"duplicate\").\n"
    "Family ids are those of 'rank --families'.  INPUTs are read as by rank, twice,\n"
    "so they must be files or directories.  No model is needed.\n"
    "\n"
    "exit status for families: 0 ok, 3 some records were skipped, 1 fatal error,\n"
    "2 usage error.",
    options,
    run,
};
