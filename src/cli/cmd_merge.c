/* cmd_merge.c - `spinscan merge`: joins sorted outputs of `spinscan rank`
 * (for instance the shards of a crawl) into one ranking.
 *
 * A streaming k-way merge: one line per input is held, in a binary heap
 * keyed by (score, id, input index), so memory is O(inputs) whatever their
 * length.  The format (tsv, jsonl or attributes) is read from the first line
 * of each input and must be the same for all; a tsv header is written once.
 * An input that is not sorted is an error (its FILE:LINE is named): merging
 * it would silently give a wrong ranking.  Inputs may be compressed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "text/lines.h"
#include "util/mem.h"
#include "crawl/rank.h"
#include "text/reader.h"

enum { OPT_TOP = 256, OPT_FAMILIES };

static const cli_option options[] = {
    {OPT_TOP, "top", "K", "write only the K most spun documents"},
    {'o', "output", "OUT", "write to OUT (replaced only when complete)"},
    {OPT_FAMILIES, "families", NULL,
     "join spin families across the inputs from INPUT.sig beside each INPUT"},
    {0, NULL, NULL, NULL},
};

typedef struct cursor {
    const char *name;
    reader *r;
    lines l;
    bool open;
    /* the current line and its key */
    const char *line;
    size_t len;
    uint32_t score;
    char *id;
    size_t id_len;
    uint64_t line_no;
} cursor;

/* The next line of 'l' into *line (NULL at the end) and *len.  Returns 0, or
 * -1 after printing why. */
static int read_line(lines *l, const char **line, size_t *len) {
    bool nl;
    spin_diag d;
    if (lines_next(l, line, len, &nl, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    return 0;
}

/* The model identity of the inputs (the "model" field of rank -f jsonl and
 * attributes lines: tool version and model checksum).  Scores of different
 * models or versions are on different scales, so a ranking of them mixed is
 * meaningless: a line naming another model than the first one is an error.
 * A line without the field (tsv has none; JSON from an older rank) cannot be
 * checked: one warning, and the lines are merged as they are. */
typedef struct model_check {
    char *first; /* the first identity seen, or NULL */
    const char *first_name;
    uint64_t first_line;
    bool warned; /* about a line without one */
} model_check;

/* 's' for a message: printable ASCII, the rest '?', at most 120 bytes (the
 * field comes from the input, and may hold anything). */
static const char *printable(char out[128], const char *s) {
    size_t n = 0;
    for (; s[n] && n < 120; ++n)
        out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
    snprintf(out + n, 128 - n, "%s", s[n] ? "..." : "");
    return out;
}

/* Checks the identity 'model' (NULL: none) of line 'line_no' of 'c'.  Takes
 * 'model'.  Returns 0, or -1 after printing why. */
static int check_model(model_check *mc, const cursor *c, uint64_t line_no, char *model) {
    if (!model) {
        if (!mc->warned)
            cli_error("%s:%llu: warning: no \"model\" field (a ranking from an older spinscan?): "
                      "cannot check that every input was ranked with the same model",
                      c->name, (unsigned long long)line_no);
        mc->warned = true;
        return 0;
    }
    if (!mc->first) {
        mc->first = model;
        mc->first_name = c->name;
        mc->first_line = line_no;
        return 0;
    }
    int rc = 0;
    if (strcmp(model, mc->first) != 0) {
        char a[128], b[128];
        cli_error("%s:%llu: ranked with \"%s\", but %s:%llu with \"%s\": scores of different "
                  "models or versions are not comparable, so they do not merge into one "
                  "ranking (rank every shard with the same model)",
                  c->name, (unsigned long long)line_no, printable(a, model), mc->first_name,
                  (unsigned long long)mc->first_line, printable(b, mc->first));
        rc = -1;
    }
    mem_free(model);
    return rc;
}

/* Reads the next data line of 'c' into its key; *got false at the end.
 * Returns 0, or -1 after printing why. */
static int advance(cursor *c, rank_format f, model_check *mc, bool *got) {
    *got = false;
    for (;;) {
        const char *line;
        size_t len;
        spin_diag d;
        if (read_line(&c->l, &line, &len) != 0)
            return -1;
        if (!line)
            return 0;
        if (len == 0)
            continue;
        if (f == RANK_TSV && c->l.line_no == 1 && rank_detect_format(line, len) == RANK_TSV)
            continue; /* the header */
        uint32_t score;
        char *id, *model;
        size_t id_len;
        spin_status st = rank_parse_line_model(f, line, len, &score, &id, &id_len,
                                               f != RANK_TSV ? &model : NULL, &d);
        if (st != SPIN_OK) {
            if (st == SPIN_ENOMEM)
                cli_error("%s:%llu: out of memory", c->name, (unsigned long long)c->l.line_no);
            else
                cli_error("%s:%llu: %s", c->name, (unsigned long long)c->l.line_no, d.message);
            return -1;
        }
        if (f != RANK_TSV && check_model(mc, c, c->l.line_no, model) != 0) {
            mem_free(id);
            return -1;
        }
        if (c->id && rank_key_cmp(score, id, id_len, c->score, c->id, c->id_len) < 0) {
            cli_error("%s:%llu: not sorted (a line ranks before the one above it); merge "
                      "takes sorted outputs of 'spinscan rank'",
                      c->name, (unsigned long long)c->l.line_no);
            mem_free(id);
            return -1;
        }
        mem_free(c->id);
        c->id = id;
        c->id_len = id_len;
        c->score = score;
        c->line = line;
        c->len = len;
        c->line_no = c->l.line_no;
        *got = true;
        return 0;
    }
}

static int before(const cursor *a, size_t ia, const cursor *b, size_t ib) {
    int c = rank_key_cmp(a->score, a->id, a->id_len, b->score, b->id, b->id_len);
    return c ? c < 0 : ia < ib;
}

static void heap_down(cursor *cs, size_t *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&cs[h[l]], h[l], &cs[h[m]], h[m]))
            m = l;
        if (r < n && before(&cs[h[r]], h[r], &cs[h[m]], h[m]))
            m = r;
        if (m == i)
            return;
        size_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* merge --families: the signatures of every input (INPUT.sig) make the
 * families of the whole crawl; every line is then written again with its
 * family and its family-adjusted score, and the lines are ranked anew (they
 * are held in memory, as rank holds them).  Returns an exit status. */
static int merge_families(cursor *cs, size_t n, char **paths, char **sigs, size_t nsigs,
                          rank_format format, unsigned long long top, const char *out_path) {
    fam_set *fs = NULL;
    ranking *rk = NULL;
    int status = EXIT_OK;
    if (fam_set_new(&fs) != SPIN_OK || ranking_new((size_t)top, &rk) != SPIN_OK) {
        cli_error("out of memory");
        status = EXIT_DATA;
        goto done;
    }
    /* The signature files given, else INPUT.sig beside each INPUT. */
    size_t nread = nsigs ? nsigs : n;
    for (size_t i = 0; i < nread && status == EXIT_OK; ++i) {
        const char *base = nsigs ? sigs[i] : paths[i];
        size_t l = strlen(base);
        char *sp = malloc(l + 5);
        if (!sp) {
            cli_error("out of memory");
            status = EXIT_DATA;
            break;
        }
        memcpy(sp, base, l);
        memcpy(sp + l, nsigs ? "" : ".sig", nsigs ? 1 : 5);
        FILE *f = fopen(sp, "rb");
        spin_diag d;
        if (!f) {
            if (nsigs)
                cli_error("%s: cannot open: %s", sp, strerror(errno));
            else
                cli_error("%s: cannot open: %s (merge --families reads the signatures that "
                          "'rank --families -o %s' wrote beside it)",
                          sp, strerror(errno), paths[i]);
            status = EXIT_DATA;
        } else {
            spin_status st = fam_set_read(fs, f, sp, &d);
            if (st == SPIN_ENOMEM)
                cli_error("out of memory");
            else if (st != SPIN_OK)
                cli_print_diag(&d, NULL);
            if (st != SPIN_OK)
                status = EXIT_DATA;
            fclose(f);
        }
        free(sp);
    }
    if (status == EXIT_OK && fam_set_solve(fs) != SPIN_OK) {
        cli_error("out of memory finding the families");
        status = EXIT_DATA;
    }
    uint64_t seq = 0;
    for (size_t i = 0; i < n && status == EXIT_OK; ++i) {
        cursor *c = &cs[i];
        bool tsv_family = false;
        for (;;) {
            const char *line;
            size_t len;
            spin_diag d;
            if (read_line(&c->l, &line, &len) != 0) {
                status = EXIT_DATA;
                break;
            }
            if (!line)
                break;
            if (len == 0)
                continue;
            if (format == RANK_TSV && c->l.line_no == 1 &&
                rank_detect_format(line, len) == RANK_TSV) {
                tsv_family = rank_tsv_has_family(line, len);
                continue;
            }
            uint32_t score;
            char *id;
            size_t id_len;
            spin_status st = rank_parse_line(format, line, len, &score, &id, &id_len, &d);
            if (st != SPIN_OK) {
                cli_error("%s:%llu: %s", c->name, (unsigned long long)c->l.line_no,
                          st == SPIN_ENOMEM ? "out of memory" : d.message);
                status = EXIT_DATA;
                break;
            }
            size_t idx = fam_set_take(fs, id, id_len);
            rank_entry *e = NULL, *ne = NULL;
            if (idx == SIZE_MAX) {
                cli_error("%s:%llu: no signature for this document in the signature files (they "
                          "must come from the same runs as the rankings)",
                          c->name, (unsigned long long)c->l.line_no);
                mem_free(id);
                status = EXIT_DATA;
                break;
            }
            fam_info fi;
            fam_set_info(fs, idx, &fi);
            uint32_t text_score = fam_set_score(fs, idx);
            st = rank_entry_from_line(text_score, id, id_len, line, len, seq++, &e);
            if (st == SPIN_OK)
                st = rank_entry_refamily(format, e, tsv_family, fam_boost_units(text_score, &fi),
                                         &fi, &ne);
            mem_free(e);
            mem_free(id);
            if (st == SPIN_OK)
                st = ranking_add(rk, ne);
            if (st != SPIN_OK) {
                cli_error("%s:%llu: %s", c->name, (unsigned long long)c->l.line_no,
                          st == SPIN_ENOMEM ? "out of memory" : "not a line of spinscan rank");
                status = EXIT_DATA;
                break;
            }
        }
    }
    if (status == EXIT_OK) {
        outfile out;
        if (outfile_open(&out, out_path) != 0) {
            status = EXIT_DATA;
        } else {
            rank_entry *const *e;
            size_t ne = ranking_sorted(rk, &e);
            bool failed = format == RANK_TSV && fputs(rank_tsv_header(true), out.f) == EOF;
            for (size_t i = 0; i < ne && !failed; ++i)
                failed = fwrite(rank_entry_line(e[i]), 1, e[i]->line_len, out.f) != e[i]->line_len;
            if (failed) {
                cli_error("%s: cannot write: %s", out.path ? out.path : "standard output",
                          strerror(errno ? errno : EIO));
                status = EXIT_DATA;
            }
            if (outfile_close(&out, status == EXIT_OK) != 0)
                status = EXIT_DATA;
        }
    }
done:
    ranking_free(rk);
    fam_set_free(fs);
    return status;
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    unsigned long long top = 0;
    bool families = false;
    int c;
    cli_parser_init(&cp);
    while ((c = cli_next(cmd, &cp, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case OPT_FAMILIES:
            families = true;
            break;
        case OPT_TOP: {
            char *end;
            errno = 0;
            top = strtoull(cp.optarg, &end, 10);
            if (errno || *end || top == 0 || cp.optarg[0] < '0' || cp.optarg[0] > '9')
                return cli_usage_error(cmd, "--top needs a positive number, not '%s'", cp.optarg);
            break;
        }
        default:
            return EXIT_USAGE;
        }
    }
    const char *out_path = cp.output;
    if (cp.optind >= argc)
        return cli_usage_error(cmd, "no INPUT to merge");
    /* Signature files (rank --families) among the inputs, told by their
     * magic: they go to the families, the rest are rankings. */
    size_t nall = (size_t)(argc - cp.optind), n = 0, nsigs = 0;
    char **paths = calloc(nall, sizeof *paths), **sigs = calloc(nall, sizeof *sigs);
    if (!paths || !sigs) {
        free(paths);
        free(sigs);
        cli_error("out of memory");
        return EXIT_DATA;
    }
    for (size_t i = 0; i < nall; ++i) {
        char *p = argv[cp.optind + (int)i];
        bool sig = false;
        FILE *f = strcmp(p, "-") ? fopen(p, "rb") : NULL;
        if (f) {
            char magic[8];
            sig = fread(magic, 1, 8, f) == 8 && !memcmp(magic, "SPINFAM1", 8);
            fclose(f);
        }
        if (sig)
            sigs[nsigs++] = p;
        else
            paths[n++] = p;
    }
    if (nsigs)
        families = true;
    if (n == 0) {
        free(paths);
        free(sigs);
        return cli_usage_error(cmd, "no ranking to merge (only signature files)");
    }
    cursor *cs = calloc(n, sizeof *cs);
    size_t *heap = calloc(n, sizeof *heap);
    int status = EXIT_OK;
    int format = -1;
    size_t nh = 0;
    struct file_id {
        dev_t dev;
        ino_t ino;
    } *ids = mem_calloc(n ? n : 1, sizeof *ids);
    outfile out;
    bool out_open = false;
    model_check mc = {NULL, NULL, 0, false};
    if (!cs || !heap || !ids) {
        cli_error("out of memory");
        status = EXIT_DATA;
        goto done;
    }
    for (size_t i = 0; i < n && status == EXIT_OK; ++i) {
        cursor *k = &cs[i];
        const char *path = paths[i];
        spin_diag d;
        k->name = strcmp(path, "-") ? path : "<stdin>";
        spin_status st = strcmp(path, "-") ? reader_open_path(path, &k->r, &d)
                                           : reader_open_fd(0, "<stdin>", &k->r, &d);
        if (st != SPIN_OK || lines_init(&k->l, k->r, (size_t)1 << 30) != SPIN_OK) {
            if (st != SPIN_OK)
                cli_print_diag(&d, NULL);
            else
                cli_error("out of memory");
            status = EXIT_DATA;
            break;
        }
        k->open = true;
        /* The format, from the first line. */
        const char *line;
        size_t len;
        if (read_line(&k->l, &line, &len) != 0) {
            status = EXIT_DATA;
            break;
        }
        if (!line)
            continue; /* empty: nothing to merge */
        int f = rank_detect_format(line, len);
        if (f < 0) {
            cli_error("%s:1: not an output of 'spinscan rank' (tsv, jsonl or attributes)", k->name);
            status = EXIT_DATA;
            break;
        }
        if (format >= 0 && f != format) {
            cli_error("%s: its format differs from the inputs before it", k->name);
            status = EXIT_DATA;
            break;
        }
        format = f;
        /* Re-read from the start, now that the format is known. */
        lines_free(&k->l);
        reader_free(k->r);
        k->r = NULL;
        k->open = false;
        if (!strcmp(path, "-")) {
            cli_error("<stdin>: merge reads standard input only as a file it can reopen; "
                      "name the file instead");
            status = EXIT_USAGE;
            break;
        }
        /* The same file twice would duplicate every line of it. */
        struct stat sb;
        if (stat(path, &sb) == 0) {
            for (size_t j = 0; j < i; ++j)
                if (ids[j].dev == sb.st_dev && ids[j].ino == sb.st_ino) {
                    cli_error("%s and %s are the same file: merging it twice would duplicate "
                              "its lines",
                              argv[cp.optind + (int)j], path);
                    status = EXIT_USAGE;
                }
            ids[i].dev = sb.st_dev;
            ids[i].ino = sb.st_ino;
        }
        if (status != EXIT_OK)
            break;
        /* The whole input is checked for order before anything is written,
         * so that an unsorted input leaves no partial output. */
        bool ok = reader_open_path(path, &k->r, &d) == SPIN_OK &&
                  lines_init(&k->l, k->r, (size_t)1 << 30) == SPIN_OK;
        if (!ok)
            cli_print_diag(&d, NULL);
        k->open = ok;
        for (bool got = true; ok && got;)
            if (advance(k, (rank_format)format, &mc, &got) != 0)
                ok = false;
        if (k->open)
            lines_free(&k->l);
        reader_free(k->r);
        k->r = NULL;
        k->open = false;
        mem_free(k->id);
        k->id = NULL;
        if (!ok) {
            status = EXIT_DATA;
            break;
        }
        if (reader_open_path(path, &k->r, &d) != SPIN_OK ||
            lines_init(&k->l, k->r, (size_t)1 << 30) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            status = EXIT_DATA;
            break;
        }
        k->open = true;
    }
    if (status != EXIT_OK)
        goto done;
    if (format < 0)
        format = RANK_TSV;
    if (families) {
        status = merge_families(cs, n, paths, sigs, nsigs, (rank_format)format, top, out_path);
        goto done;
    }
    for (size_t i = 0; i < n; ++i) {
        bool got = false;
        if (cs[i].open && advance(&cs[i], (rank_format)format, &mc, &got) != 0) {
            status = EXIT_DATA;
            goto done;
        }
        if (got)
            heap[nh++] = i;
    }
    for (size_t i = nh; i-- > 0;)
        heap_down(cs, heap, nh, i);
    if (outfile_open(&out, out_path) != 0) {
        status = EXIT_DATA;
        goto done;
    }
    out_open = true;
    bool write_failed = format == RANK_TSV && fputs(RANK_TSV_HEADER, out.f) == EOF;
    unsigned long long written = 0;
    while (nh > 0 && !write_failed && (!top || written < top)) {
        cursor *k = &cs[heap[0]];
        if (fwrite(k->line, 1, k->len, out.f) != k->len || fputc('\n', out.f) == EOF)
            write_failed = true;
        ++written;
        bool got;
        if (advance(k, (rank_format)format, &mc, &got) != 0) {
            status = EXIT_DATA;
            break;
        }
        if (!got)
            heap[0] = heap[--nh];
        heap_down(cs, heap, nh, 0);
    }
    if (write_failed) {
        cli_error("%s: cannot write: %s", out.path ? out.path : "standard output",
                  strerror(errno ? errno : EIO));
        status = EXIT_DATA;
    }
    if (outfile_close(&out, status == EXIT_OK) != 0)
        status = EXIT_DATA;
    out_open = false;
done:
    if (out_open)
        outfile_close(&out, false);
    if (cs)
        for (size_t i = 0; i < n; ++i) {
            if (cs[i].open)
                lines_free(&cs[i].l);
            reader_free(cs[i].r);
            mem_free(cs[i].id);
        }
    free(cs);
    free(heap);
    free(paths);
    free(sigs);
    mem_free(ids);
    mem_free(mc.first);
    return status;
}

const cli_command cmd_merge = {
    "merge",
    "[--top K] [-o OUT] INPUT...",
    "Merges sorted outputs of 'spinscan rank' (the same format: tsv, jsonl or\n"
    "attributes, read from the first line; gzip, bzip2, xz and zstd are decompressed)\n"
    "into one ranking, most spun first, ties by id: the output of one 'rank' over all\n"
    "the shards' documents.  Streaming: memory does not grow with the inputs.  An input\n"
    "that is not sorted (for instance from rank --unsorted) is an error, found before\n"
    "anything is written (each input is read once to check its order, then merged);\n"
    "the same file given twice is refused, and so are jsonl inputs whose\n"
    "\"model\" fields differ (scores of different models or versions do not compare;\n"
    "a line without the field is merged after a warning; tsv has no such field).\n"
    "--families (for the shards of 'rank --families -o SHARD'): reads SHARD.sig beside\n"
    "each INPUT, finds the families of the whole crawl and writes every line with them\n"
    "and the family-adjusted spin_score: the output of one 'rank --families' over all\n"
    "the documents.  It holds the lines in memory (as rank does).  Signature files\n"
    "given among the INPUTs (recognised by their first bytes, SPINFAM1) are used instead\n"
    "of SHARD.sig and imply --families.",
    options,
    run,
};
