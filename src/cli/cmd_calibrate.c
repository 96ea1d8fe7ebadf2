/* cmd_calibrate.c - `spinscan calibrate`: fits the detector's parameters to a
 * labelled set of documents (made by scripts/synth.js) and writes them beside
 * the model.
 *
 * LABELS is a TSV file: path (relative to the file's own directory), class,
 * document label (0 natural, 1 not), and one 0/1 character per line of the
 * document telling whether that line was altered; further columns are ignored.  Sentences take the
 * label of the line they start on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/calibrate.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "util/mem.h"
#include "text/reader.h"

enum { OPT_MAX_DOCS = 256, OPT_SPUN };

static const cli_option calibrate_options[] = {
    {'m', "model", "MODEL", "language model (ARPA or binary) the detector will run with"},
    {'O', "output", "OUT", "where to write the parameters (e.g. models/en/detector.txt)"},
    {OPT_SPUN, "spun", "MODEL", "model of spun text, for the log-likelihood ratio feature"},
    {OPT_MAX_DOCS, "max-docs", "N", "use at most N documents (default: all)"},
    {'q', "quiet", NULL, "no progress on stderr"},
    CLI_OPT_NO_VERIFY,
    {0, NULL, NULL, NULL},
};

/* Reads a whole (possibly compressed) file; NULL with a message on failure. */
static char *read_all(const char *path, size_t *len) {
    reader *r;
    spin_diag d;
    if (reader_open_path(path, &r, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = mem_alloc(cap);
    for (;;) {
        if (!buf) {
            cli_error("%s: out of memory", path);
            break;
        }
        if (n == cap) {
            char *nb = mem_realloc(buf, cap * 2);
            if (!nb) {
                mem_free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got;
        if (reader_read(r, buf + n, cap - n, &got, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            mem_free(buf);
            buf = NULL;
            break;
        }
        if (!got)
            break;
        n += got;
    }
    reader_free(r);
    *len = n;
    return buf;
}

static int calibrate_run(const cli_command *cmd, int argc, char **argv) {
    const char *spun_path = NULL;
    size_t max_docs = (size_t)-1;
    cli_parser cp;
    cli_parser_init(&cp);
    for (int c; (c = cli_next(cmd, &cp, argc, argv)) != -1;) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case OPT_SPUN:
            spun_path = cp.optarg;
            break;
        case OPT_MAX_DOCS: {
            char *end;
            unsigned long long v = strtoull(cp.optarg, &end, 10);
            if (end == cp.optarg || *end || v == 0)
                return cli_usage_error(cmd, "--max-docs needs a positive number, not '%s'",
                                       cp.optarg);
            max_docs = (size_t)v;
            break;
        }
        default:
            return EXIT_USAGE;
        }
    }
    const char *model_path = cp.model, *out_path = cp.output;
    bool quiet = cp.quiet;
    if (!model_path || !out_path)
        return cli_usage_error(cmd, "-m MODEL and -O OUT are required");
    if (cp.optind + 1 != argc)
        return cli_usage_error(cmd, cp.optind >= argc ? "missing LABELS" : "too many arguments");
    const char *labels_path = argv[cp.optind];
    bool progress = !quiet && isatty(2);

    spin_diag d;
    spin_model *m, *spun = NULL;
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.verify = cli_verify; /* the whole model, unless --no-verify */
    if (spin_model_open(model_path, &lo, &m, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return EXIT_DATA;
    }
    if (spun_path && spin_model_open(spun_path, &lo, &spun, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        spin_model_free(m);
        return EXIT_DATA;
    }
    det_params defaults;
    det_params_default(&defaults);
    detector *det;
    if (detector_new(m, spun, &defaults, &det, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        spin_model_free(spun);
        spin_model_free(m);
        return EXIT_DATA;
    }
    FILE *lf = fopen(labels_path, "r");
    if (!lf) {
        cli_error("%s: cannot open: %s", labels_path, strerror(errno));
        detector_free(det);
        spin_model_free(spun);
        spin_model_free(m);
        return EXIT_DATA;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", labels_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';

    cal_doc *docs = NULL;
    size_t ndocs = 0, cap = 0;
    int rc = EXIT_OK;
    char *line = NULL;
    size_t linecap = 0;
    unsigned long lineno = 0;
    ssize_t got;
    while (rc == EXIT_OK && ndocs < max_docs && (got = getline(&line, &linecap, lf)) > 0) {
        ++lineno;
        cal_label_line ll;
        int k = cal_parse_label_line(line, (size_t)got, lineno, &ll);
        if (k == 0)
            continue;
        if (k < 0) {
            cli_error("%s:%lu: expected path<TAB>class<TAB>0|1<TAB>line labels", labels_path,
                      lineno);
            rc = EXIT_DATA;
            break;
        }
        char path[8192];
        snprintf(path, sizeof path, "%s%s", ll.path[0] == '/' ? "" : dir, ll.path);
        size_t len;
        char *text = read_all(path, &len);
        if (!text) {
            rc = EXIT_DATA;
            break;
        }
        if (ndocs == cap) {
            cap = cap ? cap * 2 : 256;
            cal_doc *nd = mem_realloc_array(docs, cap, sizeof *nd);
            if (!nd) {
                mem_free(text);
                cli_error("out of memory");
                rc = EXIT_DATA;
                break;
            }
            docs = nd;
        }
        cal_doc *doc = &docs[ndocs];
        memset(doc, 0, sizeof *doc);
        if (detect_run(det, text, len, &doc->result, &d) != SPIN_OK) {
            d.line = 0;
            size_t plen = strlen(path) < sizeof d.path - 1 ? strlen(path) : sizeof d.path - 1;
            memcpy(d.path, path, plen);
            d.path[plen] = '\0';
            cli_print_diag(&d, NULL);
            mem_free(text);
            det_result_free(&doc->result);
            rc = EXIT_DATA;
            break;
        }
        ++ndocs;
        doc->spun = ll.spun;
        doc->family = ll.family;
        /* Each sentence takes the label of the line it starts on. */
        size_t ns = doc->result.nsentences;
        doc->labels = mem_alloc(ns + 1);
        size_t *starts = mem_alloc((ns + 1) * sizeof *starts);
        if (!doc->labels || !starts) {
            mem_free(starts);
            mem_free(text);
            cli_error("out of memory");
            rc = EXIT_DATA;
            break;
        }
        for (size_t i = 0; i < ns; ++i)
            starts[i] = doc->result.sentences[i].start;
        cal_sentence_labels(text, len, starts, ns, ll.labels, ll.nlabels, ll.spun, doc->labels);
        mem_free(starts);
        mem_free(text);
        if (progress && ndocs % 50 == 0)
            fprintf(stderr, "\rspinscan: calibrate: %zu documents", ndocs);
    }
    if (progress)
        fprintf(stderr, "\r\033[K");
    free(line);
    fclose(lf);

    if (rc == EXIT_OK) {
        det_params p;
        cal_report rep;
        if (calibrate_fit(det, docs, ndocs, &p, &rep, &d) != SPIN_OK) {
            cli_error("%s: %s", labels_path, d.message);
            rc = EXIT_DATA;
        } else {
            snprintf(p.source, sizeof p.source,
                     "%zu documents (%zu natural), %zu sentences from %s", rep.docs,
                     rep.natural_docs, rep.sentences, labels_path);
            /* The same safe writer as every other output (outfile.h). */
            outfile out;
            if (outfile_open(&out, out_path) != 0) {
                rc = EXIT_DATA;
            } else {
                bool ok = det_params_write(&p, out.f, out_path, &d) == SPIN_OK;
                if (!ok)
                    cli_print_diag(&d, NULL);
                if (outfile_close(&out, ok) != 0 || !ok)
                    rc = EXIT_DATA;
            }
            if (rc == EXIT_OK && !quiet) {
                cli_error("calibrate: %zu documents (%zu natural), %zu prose sentences "
                          "(%zu altered); flag from spin %.3f, 'spun' from score %.3f; wrote %s",
                          rep.docs, rep.natural_docs, rep.sentences, rep.spun_sentences,
                          p.flag_spin, p.spun, out_path);
            }
        }
    }
    for (size_t i = 0; i < ndocs; ++i) {
        det_result_free(&docs[i].result);
        mem_free(docs[i].labels);
    }
    mem_free(docs);
    detector_free(det);
    spin_model_free(spun);
    spin_model_free(m);
    return rc;
}

const cli_command cmd_calibrate = {
    "calibrate",
    "-m MODEL [--spun MODEL] -O OUT LABELS.tsv",
    "Fits the detector's parameters (reference distribution of natural sentences,\n"
    "sentence and document logistic models, flag and verdict thresholds) to labelled\n"
    "documents, as made by scripts/synth.js from text the model never saw.  LABELS.tsv\n"
    "has columns path, class, document label (0 natural, 1 not) and one 0/1 per line.\n"
    "At least 20 natural and 20 machine-made documents are needed.\n"
    "\n"
    "To make them (node, and a thesaurus in Moby's words.txt format):\n"
    "  node share/spinscan/synth.js --source DIR --thesaurus WORDS.txt --seed 7 --out CAL\n"
    "  spinscan calibrate -m MODEL -O MODEL.detector CAL/labels.tsv\n"
    "where DIR holds *.txt files of text the model was not trained on (synth.js is\n"
    "installed in PREFIX/share/spinscan; in the source tree it is scripts/synth.js,\n"
    "and scripts/calib-data.sh runs it for the default model).  score finds\n"
    "MODEL.detector beside MODEL.  docs/calibration.md has the details.",
    calibrate_options,
    calibrate_run,
};
