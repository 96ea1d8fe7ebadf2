/* cmd_score.c - `spinscan score`: one document per FILE, its calibrated spin
 * score and its sentences, as annotated text, JSON Lines or one HTML page.
 *
 * Policies (docs/cli.md "spinscan score"):
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

#include "api/api.h"
#include "cli/cli.h"
#include "cli/detector_load.h"
#include "cli/outfile.h"
#include "detect/detect.h"
#include "crawl/input.h"
#include "text/html.h"
#include "detect/report.h"

enum {
    OPT_COLOR = 256,
    OPT_MAX_BYTES,
    OPT_JUDGE_ALL,
    OPT_ADAPT,
    OPT_REFERENCE,
    OPT_SAVE_REFERENCE
};
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
    {OPT_JUDGE_ALL, "judge-all", NULL,
     "judge every document (no \"unsupported\" for other languages, short text, code)"},
    {OPT_ADAPT, "adapt", NULL,
     "score against the FILEs' own reference (a first pass over them; docs/detector.md)"},
    {OPT_REFERENCE, "reference", "FILE", "score against a reference saved by --save-reference"},
    {OPT_SAVE_REFERENCE, "save-reference", "FILE", "with --adapt: save the adapted reference"},
    CLI_OPT_NO_VERIFY,
    {0, NULL, NULL, NULL},
};

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

/* --adapt: a first pass over the inputs (read as the scoring pass reads
 * them) with a detector of its own; the scoring pass then runs on the
 * adapted parameters.  Returns 0, or -1 after saying why. */
static int adapt_pass(loaded_detector *ld, char *const *files, size_t nfiles, uint64_t max_bytes,
                      const char *save_reference) {
    detector *det = detector_load_new(ld);
    det_adapt *acc = NULL;
    det_result r0;
    memset(&r0, 0, sizeof r0);
    input_options io;
    input_options_init(&io);
    io.max_bytes = max_bytes;
    input *in = NULL;
    int rc = det && det_adapt_new(&acc) == SPIN_OK && input_open(files, nfiles, &io, &in) == SPIN_OK
                 ? 0
                 : -1;
    if (rc != 0)
        cli_error("out of memory adapting");
    if (in)
        html_init();
    while (rc == 0) {
        input_event ev;
        input_doc doc;
        input_skip why;
        spin_diag d;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK || ev == INPUT_END)
            break; /* the scoring pass says why, and fails */
        if (ev == INPUT_SKIPPED)
            continue;
        const char *text = doc.text;
        size_t len = doc.len;
        char *conv = NULL;
        if (doc.html && html_to_text(doc.text, doc.len, doc.charset, &conv, &len, &d) != SPIN_OK) {
            input_doc_free(&doc);
            continue; /* said again by the scoring pass */
        }
        if (conv)
            text = conv;
        if (detect_run(det, text, len, &r0, &d) == SPIN_OK && det_adapt_add(acc, &r0) != SPIN_OK) {
            cli_error("out of memory adapting");
            rc = -1;
        }
        free(conv);
        input_doc_free(&doc);
    }
    input_free(in);
    if (rc == 0)
        rc = detector_adapt(ld, acc, save_reference);
    det_result_free(&r0);
    det_adapt_free(acc);
    detector_free(det);
    return rc;
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser p;
    report_options ro = {REPORT_TEXT, false, NULL, NULL, NULL, NULL};
    int color = COLOR_AUTO, c;
    uint64_t max_bytes = DEFAULT_MAX_BYTES;
    bool judge_all = false, adapt = false;
    const char *reference = NULL, *save_reference = NULL;
    cli_parser_init(&p);
    while ((c = cli_next(cmd, &p, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return p.status;
        case 'f': {
            int f;
            if (cli_choice(cmd, p.optarg, (const char *const[]){"text", "json", "html", NULL},
                           (const int[]){REPORT_TEXT, REPORT_JSON, REPORT_HTML}, &f,
                           "unknown format '%s' (text, json or html)") != EXIT_OK)
                return EXIT_USAGE;
            ro.format = (report_format)f;
            break;
        }
        case OPT_COLOR:
            if (cli_choice(cmd, p.optarg, (const char *const[]){"auto", "always", "never", NULL},
                           (const int[]){COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER}, &color,
                           "--color takes auto, always or never, not '%s'") != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_JUDGE_ALL:
            judge_all = true;
            break;
        case OPT_ADAPT:
            adapt = true;
            break;
        case OPT_REFERENCE:
            reference = p.optarg;
            break;
        case OPT_SAVE_REFERENCE:
            save_reference = p.optarg;
            break;
        case OPT_MAX_BYTES:
            if (cli_parse_size(p.optarg, &max_bytes) != 0)
                return cli_usage_error(cmd,
                                       "--max-bytes needs a size such as 1000, 64K or 2G, "
                                       "not '%s'",
                                       p.optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    const char *model_opt = p.model, *out_path = p.output;
    static char *const stdin_only[] = {"-", NULL};
    char *const *files = p.optind < argc ? argv + p.optind : stdin_only;
    int nfiles = p.optind < argc ? argc - p.optind : 1;
    if (save_reference && !adapt)
        return cli_usage_error(cmd, "--save-reference needs --adapt");
    for (int i = 0; adapt && i < nfiles; ++i)
        if (!strcmp(files[i], "-"))
            return cli_usage_error(cmd, "--adapt reads the files twice: not standard input");

    spin_diag d;
    loaded_detector ld;
    if (detector_load(model_opt, false, judge_all, &ld) != 0)
        return EXIT_DATA;
    if (judge_all)
        detector_load_judge_all(&ld);
    if (reference && detector_load_reference(&ld, reference) != 0) {
        detector_load_free(&ld);
        return EXIT_DATA;
    }
    if (adapt && adapt_pass(&ld, files, (size_t)nfiles, max_bytes, save_reference) != 0) {
        detector_load_free(&ld);
        return EXIT_DATA;
    }

    outfile out;
    if (outfile_open(&out, out_path) != 0) {
        detector_load_free(&ld);
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
    ro.params = api_detector_params(ld.sd);

    int status = EXIT_OK, scored = 0;
    bool write_failed = report_begin(out.f, &ro) != SPIN_OK;
    /* The documents as rank reads them (crawl/input.h): a directory's files,
     * each record of a JSON Lines file, each text or HTML response of a WARC,
     * HTML reduced to its visible text. */
    input_options io;
    input_options_init(&io);
    io.max_bytes = max_bytes;
    io.stdin_by_content = true;
    input *in = NULL;
    if (!write_failed && input_open(files, (size_t)nfiles, &io, &in) != SPIN_OK) {
        cli_error("out of memory");
        status = EXIT_DATA;
    }
    if (in)
        html_init();
    while (in && !write_failed) {
        input_event ev;
        input_doc doc;
        input_skip why;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            status = EXIT_DATA;
            break;
        }
        if (ev == INPUT_END)
            break;
        if (ev == INPUT_SKIPPED) {
            /* Images, PDFs and other media in a crawl are normal: not an error. */
            if (why != INPUT_SKIP_MEDIA) {
                if (!strcmp(d.path, "-"))
                    snprintf(d.path, sizeof d.path, "<stdin>");
                cli_print_diag(&d, NULL);
                status = EXIT_DATA;
            }
            continue;
        }
        const char *name = strcmp(doc.id, "-") ? doc.id : "<stdin>";
        const char *text = doc.text;
        size_t len = doc.len;
        char *conv = NULL;
        if (doc.html) {
            if (html_to_text(doc.text, doc.len, doc.charset, &conv, &len, &d) != SPIN_OK) {
                snprintf(d.path, sizeof d.path, "%s", name);
                cli_print_diag(&d, NULL);
                status = EXIT_DATA;
                input_doc_free(&doc);
                continue;
            }
            text = conv;
        }
        /* Through the public API, so that the library's results and JSON are
         * the command's by construction. */
        spin_result *res = NULL;
        if (spin_detect(ld.sd, text, len, &res, &d) != SPIN_OK) {
            snprintf(d.path, sizeof d.path, "%s", name);
            cli_print_diag(&d, NULL);
            status = EXIT_DATA;
        } else if (ro.format == REPORT_JSON) {
            char *json = NULL;
            api_result_set_id_number(res, doc.id_number);
            if (spin_result_set_id(res, doc.id, doc.id_len) != SPIN_OK ||
                !(json = spin_result_json(res))) {
                cli_error("%s: out of memory writing the report", name);
                status = EXIT_DATA;
            } else if (fputs(json, out.f) == EOF || fputc('\n', out.f) == EOF) {
                write_failed = true;
            } else {
                ++scored;
            }
            free(json);
        } else {
            report_doc rd = {name, text, len, api_result_det(res), spin_detector_info(ld.sd)};
            if (report_document(out.f, &ro, &rd) != SPIN_OK)
                write_failed = true;
            else
                cli_progress("documents scored", (unsigned long long)++scored);
        }
        spin_result_free(res);
        free(conv);
        input_doc_free(&doc);
    }
    input_free(in);
    if (scored == 0 && status == EXIT_OK && !write_failed) {
        /* An empty directory, or a JSON Lines file of blank lines. */
        cli_error("%s: no document to score", nfiles == 1 ? files[0] : "the inputs");
        status = EXIT_DATA;
    }
    /* The text report ends with the tool version and model identity, once a
     * document was written. */
    ro.provenance = scored > 0 ? spin_detector_info(ld.sd) : NULL;
    if (!write_failed && report_end(out.f, &ro) != SPIN_OK)
        write_failed = true;
    report_abandon(&ro);
    if (write_failed) {
        cli_error("%s: cannot write: %s", out_name, strerror(errno ? errno : EIO));
        status = EXIT_DATA;
    }
    if (outfile_close(&out, !write_failed && scored > 0) != 0)
        status = EXIT_DATA;
    detector_load_free(&ld);
    return status;
}

const cli_command cmd_score = {
    "score",
    "[-m MODEL] [-f text|json|html] [--color auto|always|never] [-o OUT] [FILE...]",
    "Scores the documents in each FILE (no FILE, or '-': standard input; gzip, bzip2,\n"
    "xz and zstd files are decompressed), read as rank reads them: a text file is one\n"
    "document, an HTML page is reduced to its visible text, a JSON Lines file is one\n"
    "document per record (text field \"text\", id \"id\" or \"url\"), a WARC file one\n"
    "per text or HTML response (images and other media are passed over quietly; a\n"
    "corrupt member costs its records only), a directory every file below it.  Each\n"
    "gets a calibrated spin score from 0 (natural) to 1 (spun, word salad or\n"
    "stuffing), a verdict (natural, suspect, spun, salad, stuffing, unsupported) and,\n"
    "per sentence, its score, flag and language-model figures.  Headings and boilerplate are "
    "shown\n"
    "but never judged.  Text output marks flagged sentences '>>'; in colour (--color\n"
    "always, or auto when standard output is a terminal, NO_COLOR is unset or empty and\n"
    "TERM is not 'dumb') they are bold red.\n"
    "\n"
    "The model is -m PATH, else $SPINSCAN_MODEL, else share/spinscan/en beside the\n"
    "installed binary (BINDIR/..), else models/en in the source tree, else\n"
    "PREFIX/share/spinscan/en.  PATH is a model file (calibration: FILE.detector)\n"
    "or a directory with model.bin, model.arpa.gz or model.arpa (the first present)\n"
    "and detector.txt; without a calibration file built-in defaults are used.\n"
    "\n"
    "A FILE that cannot be read, is larger than --max-bytes or is not text is reported\n"
    "and skipped; the others are still scored, and the exit status is then 1.  With\n"
    "-o, OUT is replaced only if at least one document was scored.",
    options,
    run,
};
