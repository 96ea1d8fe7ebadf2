/* cmd_score.c - `spinscan score`: one document per FILE, its calibrated spin
 * score and its sentences, as annotated text, JSON Lines or one HTML page.
 *
 * Policies (README "spinscan score"):
 * - a FILE that cannot be read, is too large or is not text is reported on
 *   stderr and skipped; the others are still scored; the exit status is 1;
 * - -o OUT is written under a temporary name beside OUT and renamed over it
 *   at the end, so OUT is either untouched or complete.  It is replaced when
 *   the report was written completely and at least one document was scored
 *   (a run where every FILE failed leaves an existing OUT alone);
 * - colour (text format only): --color always, never, or auto (the default):
 *   on when the report goes to standard output, that is a terminal, NO_COLOR
 *   is unset or empty (no-color.org) and TERM is not "dumb".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/modelpath.h"
#include "detect.h"
#include "reader.h"
#include "report.h"

enum { OPT_COLOR = 256, OPT_MAX_BYTES };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

#define DEFAULT_MAX_BYTES ((uint64_t)64 << 20)

static const cli_option options[] = {
    {'m', "model", "PATH", "model file or directory (lookup order above)"},
    {'f', "format", "FMT", "text (default), json (one object per document and line) or html"},
    {OPT_COLOR, "color", "WHEN",
     "auto (default: on a terminal unless NO_COLOR is set), always, never"},
    {'o', "output", "OUT", "write the report to OUT (replaced only when complete)"},
    {OPT_MAX_BYTES, "max-bytes", "N",
     "largest document, decompressed (default 64M; K, M, G; 0: none)"},
    {0, NULL, NULL, NULL},
};

static void print_warning(void *ctx, const spin_diag *d) {
    (void)ctx;
    cli_print_diag(d, "warning: ");
}

/* Parses "123", "64M", "2g" (powers of 1024) into *out; returns 0 or -1. */
static int parse_size(const char *s, uint64_t *out) {
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (*end && end[1])
        return -1;
    if (v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* Reads the whole of 'path' ("-" is standard input), decompressed, into a
 * buffer the caller frees.  Returns 0, or -1 after saying why on stderr. */
static int read_document(const char *path, const char *name, uint64_t max, char **out,
                         size_t *len) {
    reader *r;
    spin_diag d;
    spin_status st =
        strcmp(path, "-") ? reader_open_path(path, &r, &d) : reader_open_fd(0, "<stdin>", &r, &d);
    if (st != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? 0 : -1;
    if (!buf)
        cli_error("%s: out of memory", name);
    while (rc == 0) {
        if (n == cap) {
            char *p = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!p) {
                cli_error("%s: out of memory reading the document", name);
                rc = -1;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t want = cap - n, got;
        if (max && want > max + 1 - n)
            want = (size_t)(max + 1 - n);
        if (reader_read(r, buf + n, want, &got, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = -1;
        } else if (got == 0) {
            break;
        } else if ((n += got) > max && max) {
            cli_error("%s: larger than %llu bytes (see --max-bytes)", name,
                      (unsigned long long)max);
            rc = -1;
        }
    }
    reader_free(r);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* The output: standard output, or a temporary file beside 'path'. */
typedef struct output {
    FILE *f;
    const char *path; /* NULL for standard output */
    char *tmp;
} output;

static int output_open(output *o, const char *path) {
    o->f = stdout;
    o->path = NULL;
    o->tmp = NULL;
    if (!path || !strcmp(path, "-"))
        return 0;
    /* A device or FIFO (-o /dev/stdout, /dev/full) is written in place:
     * renaming a temporary file over it would replace the device node. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(o->f = fopen(path, "w"))) {
            cli_error("%s: cannot open: %s", path, strerror(errno));
            o->f = stdout;
            return -1;
        }
        o->path = path;
        return 0;
    }
    size_t n = strlen(path);
    o->tmp = malloc(n + 16);
    if (!o->tmp) {
        cli_error("%s: out of memory", path);
        return -1;
    }
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        cli_error("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
        cli_error("%s: %s", o->tmp, strerror(errno));
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    o->path = path;
    return 0;
}

/* Closes the output; with 'keep' the temporary file replaces the target.
 * Returns 0, or -1 after saying why. */
static int output_close(output *o, bool keep) {
    if (!o->path)
        return 0;
    int rc = 0;
    if (!o->tmp) { /* written in place (see output_open) */
        if ((fflush(o->f) != 0 || ferror(o->f)) && keep) {
            cli_error("%s: cannot write: %s", o->path, strerror(errno ? errno : EIO));
            rc = -1;
        }
        if (fclose(o->f) != 0 && keep && rc == 0) {
            cli_error("%s: cannot write: %s", o->path, strerror(errno));
            rc = -1;
        }
        return rc;
    }
    if (keep && (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)) {
        cli_error("%s: cannot write: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (fclose(o->f) != 0 && keep && rc == 0) {
        cli_error("%s: cannot write: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (keep && rc == 0 && rename(o->tmp, o->path) != 0) {
        cli_error("%s: cannot replace it: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (!keep || rc != 0)
        unlink(o->tmp);
    free(o->tmp);
    return rc;
}

static bool want_color(int when, bool to_stdout) {
    if (when != COLOR_AUTO)
        return when == COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no && *no)
        return false;
    if (term && !strcmp(term, "dumb"))
        return false;
    return to_stdout && isatty(STDOUT_FILENO);
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser p;
    const char *model_opt = NULL, *out_path = NULL;
    report_options ro = {REPORT_TEXT, false, NULL};
    int color = COLOR_AUTO, c;
    uint64_t max_bytes = DEFAULT_MAX_BYTES;
    cli_parser_init(&p);
    while ((c = cli_next(cmd, &p, argc, argv)) != -1) {
        switch (c) {
        case 'h':
            cli_print_help(cmd);
            return EXIT_OK;
        case CLI_VERSION:
            cli_print_version();
            return EXIT_OK;
        case 'm':
            model_opt = p.optarg;
            break;
        case 'f':
            if (!strcmp(p.optarg, "text"))
                ro.format = REPORT_TEXT;
            else if (!strcmp(p.optarg, "json"))
                ro.format = REPORT_JSON;
            else if (!strcmp(p.optarg, "html"))
                ro.format = REPORT_HTML;
            else
                return cli_usage_error(cmd, "unknown format '%s' (text, json or html)", p.optarg);
            break;
        case OPT_COLOR:
            if (!strcmp(p.optarg, "auto"))
                color = COLOR_AUTO;
            else if (!strcmp(p.optarg, "always"))
                color = COLOR_ALWAYS;
            else if (!strcmp(p.optarg, "never"))
                color = COLOR_NEVER;
            else
                return cli_usage_error(cmd, "--color takes auto, always or never, not '%s'",
                                       p.optarg);
            break;
        case 'o':
            out_path = p.optarg;
            break;
        case OPT_MAX_BYTES:
            if (parse_size(p.optarg, &max_bytes) != 0)
                return cli_usage_error(cmd,
                                       "--max-bytes needs a size such as 1000, 64K or 2G, "
                                       "not '%s'",
                                       p.optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    static char *const stdin_only[] = {"-", NULL};
    char *const *files = p.optind < argc ? argv + p.optind : stdin_only;
    int nfiles = p.optind < argc ? argc - p.optind : 1;

    model_path mp;
    char err[9000];
    if (model_path_find(model_opt, &mp, err, sizeof err) != 0) {
        cli_error("%s", err);
        return EXIT_DATA;
    }
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.warn = print_warning;
    spin_diag d;
    spin_model *m;
    if (spin_model_open(mp.model, &lo, &m, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    det_params params;
    if (mp.params[0]) {
        if (det_params_load(mp.params, &params, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            spin_model_free(m);
            return EXIT_DATA;
        }
    } else {
        det_params_default(&params);
    }
    spin_model *spun = NULL;
    if (mp.spun[0] && spin_model_open(mp.spun, &lo, &spun, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        spin_model_free(m);
        return EXIT_DATA;
    }
    detector *det;
    if (detector_new(m, spun, &params, &det, &d) != SPIN_OK) {
        cli_error("%s: %s", mp.params[0] ? mp.params : mp.model, d.message);
        spin_model_free(spun);
        spin_model_free(m);
        return EXIT_DATA;
    }

    output out;
    if (output_open(&out, out_path) != 0) {
        detector_free(det);
        spin_model_free(spun);
        spin_model_free(m);
        return EXIT_DATA;
    }
    const char *out_name = out.path ? out.path : "standard output";
    ro.color = ro.format == REPORT_TEXT && want_color(color, !out.path);
    char title[600];
    if (nfiles == 1)
        snprintf(title, sizeof title, "spinscan: %s", strcmp(files[0], "-") ? files[0] : "<stdin>");
    else
        snprintf(title, sizeof title, "spinscan: %d documents", nfiles);
    ro.title = title;

    int status = EXIT_OK, scored = 0;
    bool write_failed = report_begin(out.f, &ro) != SPIN_OK;
    det_result res;
    memset(&res, 0, sizeof res);
    for (int i = 0; i < nfiles && !write_failed; ++i) {
        const char *path = files[i];
        const char *name = strcmp(path, "-") ? path : "<stdin>";
        char *buf;
        size_t len;
        if (read_document(path, name, max_bytes, &buf, &len) != 0) {
            status = EXIT_DATA;
            continue;
        }
        if (detect_run(det, buf, len, &res, &d) != SPIN_OK) {
            snprintf(d.path, sizeof d.path, "%s", name);
            cli_print_diag(&d, NULL);
            status = EXIT_DATA;
        } else {
            report_doc doc = {path, buf, len, &res};
            if (report_document(out.f, &ro, &doc) != SPIN_OK)
                write_failed = true;
            else
                ++scored;
        }
        free(buf);
    }
    if (!write_failed && report_end(out.f, &ro) != SPIN_OK)
        write_failed = true;
    if (write_failed) {
        cli_error("%s: cannot write: %s", out_name, strerror(errno ? errno : EIO));
        status = EXIT_DATA;
    }
    if (output_close(&out, !write_failed && scored > 0) != 0)
        status = EXIT_DATA;
    det_result_free(&res);
    detector_free(det);
    spin_model_free(spun);
    spin_model_free(m);
    return status;
}

const cli_command cmd_score = {
    "score",
    "[-m MODEL] [-f text|json|html] [--color auto|always|never] [-o OUT] [FILE...]",
    "Scores each FILE as one document (no FILE, or '-': standard input; gzip, bzip2,\n"
    "xz and zstd files are decompressed): a calibrated spin score from 0 (natural) to 1\n"
    "(spun or word salad), a verdict (natural, suspect, spun, salad) and, per sentence,\n"
    "its score, flag and language-model figures.  Headings and boilerplate are shown\n"
    "but never judged.  Text output marks flagged sentences '>>'; in colour (--color\n"
    "always, or auto when standard output is a terminal, NO_COLOR is unset or empty and\n"
    "TERM is not 'dumb') they are bold red.\n"
    "\n"
    "The model is -m PATH, else $SPINSCAN_MODEL, else models/en in the source tree,\n"
    "else PREFIX/share/spinscan/en.  PATH is a model file (calibration: FILE.detector)\n"
    "or a directory with model.bin, model.arpa.gz or model.arpa (the first present)\n"
    "and detector.txt; without a calibration file built-in defaults are used.\n"
    "\n"
    "A FILE that cannot be read, is larger than --max-bytes or is not text is reported\n"
    "and skipped; the others are still scored, and the exit status is then 1.  With\n"
    "-o, OUT is replaced only if at least one document was scored.",
    options,
    run,
};
