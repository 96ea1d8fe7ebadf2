/* cmd_rank.c - `spinscan rank`: scores every document of a crawl and ranks
 * them, most spun first.
 *
 * Threads:
 * - a reader thread walks the inputs (input.h) and feeds a bounded queue of
 *   documents (at most QUEUE_DOCS documents and QUEUE_BYTES bytes, but
 *   always at least one), numbering them in input order;
 * - N workers (-j) each own a detector over the one shared, read-only model;
 *   they convert HTML, score, and format the output line (rank.h);
 * - the main thread collects results and skips through a second bounded
 *   queue: it alone prints (warnings, progress, output) and owns the ranking.
 * Memory is bounded by the queues plus one document per worker, plus the
 * ranking: one small entry per document (its output line), or the best K
 * with --top, or nothing with --unsorted.  Output does not depend on N: the
 * ranking's order is total (score, id, input order).
 *
 * Exit status: 0 every document scored; 3 the run completed but some records
 * were skipped; 1 a fatal error (model, output, memory, or the first skip
 * under --strict); 2 usage.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/detector_load.h"
#include "cli/jsonl_pipe.h"
#include "crawl/jsonrec.h"
#include "cli/outfile.h"
#include "detect/detect.h"
#include "detect/report.h"
#include "api/api.h"
#include "text/html.h"
#include "crawl/input.h"
#include "util/mem.h"
#include "crawl/rank.h"
#include "crawl/family.h"

enum {
    OPT_TOP = 256,
    OPT_UNSORTED,
    OPT_SHARD,
    OPT_SHARD_BY,
    OPT_TEXT_FIELD,
    OPT_ID_FIELD,
    OPT_MAX_BYTES,
    OPT_MAX_DOM,
    OPT_STRICT,
    OPT_JUDGE_ALL,
    OPT_ADAPT,
    OPT_REFERENCE,
    OPT_SAVE_REFERENCE,
    OPT_FAMILIES,
    OPT_SIGNATURES,
    OPT_EXPERIMENT
};
enum { EXIT_SKIPPED = 3 };

#define QUEUE_DOCS_PER_WORKER 4
#define QUEUE_BYTES ((size_t)64 << 20)
#define RESULTS_CAP 256

static const cli_option options[] = {
    {'m', "model", "PATH", "model file or directory (as for score)"},
    {'f', "format", "FMT",
     "tsv (default), jsonl, attributes (Dolma attribute files, -o DIR) or html (with --top K: "
     "the report of score -f html for the top K)"},
    {OPT_EXPERIMENT, "experiment", "NAME",
     "attributes: the experiment in NAME__spinscan__ATTRIBUTE (default spinscan)"},
    {'j', "jobs", "N", "scoring threads (default: the number of processors)"},
    {OPT_TOP, "top", "K", "keep only the K most spun documents (memory O(K))"},
    {OPT_UNSORTED, "unsorted", NULL, "write each result as it is ready (no ranking in memory)"},
    {'o', "output", "OUT", "write to OUT (replaced only when the run completes)"},
    {OPT_SHARD, "shard", "I/N", "only shard I of N (0 <= I < N) of the documents"},
    {OPT_SHARD_BY, "shard-by", "KEY", "id (default: hash of the document id) or file"},
    {OPT_TEXT_FIELD, "text-field", "NAME", "JSON Lines text field (default text)"},
    {OPT_ID_FIELD, "id-field", "NAME", "JSON Lines id field (default id, then url)"},
    {OPT_MAX_BYTES, "max-bytes", "N", "largest document (default 16M; K, M, G; 0: none)"},
    {OPT_MAX_DOM, "max-dom", "N",
     "memory one HTML page's document tree may take (default 256M); larger pages are skipped"},
    {OPT_STRICT, "strict", NULL, "stop at the first skipped record (exit 1)"},
    {OPT_JUDGE_ALL, "judge-all", NULL,
     "judge every document (none \"unsupported\": other languages, short text, code)"},
    {OPT_ADAPT, "adapt", "N",
     "score against the crawl's own reference, from its first N documents (a first pass; "
     "docs/detector.md)"},
    {OPT_REFERENCE, "reference", "FILE", "score against a reference saved by --save-reference"},
    {OPT_SAVE_REFERENCE, "save-reference", "FILE", "with --adapt: save the adapted reference"},
    {OPT_FAMILIES, "families", NULL, "find spin families (family fields; docs/families.md)"},
    {OPT_SIGNATURES, "signatures", "FILE",
     "with --families: write the signatures to FILE (default OUT.sig with -o)"},
    {'q', "quiet", NULL, "no progress and no summary line"},
    CLI_OPT_NO_VERIFY,
    {0, NULL, NULL, NULL},
};

/* ---- queues ---- */

typedef struct job {
    input_doc doc;
    uint64_t seq;
} job;

typedef enum item_kind { ITEM_ENTRY, ITEM_SKIP, ITEM_FATAL } item_kind;

typedef struct item {
    item_kind kind;
    rank_entry *entry;
    fam_sig *sig; /* with --families */
    input_skip why;
    spin_diag diag;
    bool has_note; /* ITEM_ENTRY: a warning to print with it (libxml2's message) */
    spin_diag note;
    uint64_t bytes; /* document bytes scored */
} item;

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t jobs_cv, space_cv, items_cv, items_space_cv;
    job **jobs;
    size_t jcap, jhead, jlen, jbytes;
    bool producer_done;
    item *items;
    size_t icap, ihead, ilen;
    int active; /* producer + workers still running */
    atomic_bool stop;

    input *in;
    rank_format format;
    bool families;
    const loaded_detector *ld;
    detector **dets;
    atomic_uint_fast64_t docs_read;
} pipeline;

/* Pushes an item for the collector; waits while the queue is full. */
static void push_item(pipeline *p, const item *it) {
    pthread_mutex_lock(&p->mu);
    while (p->ilen == p->icap && !atomic_load(&p->stop))
        pthread_cond_wait(&p->items_space_cv, &p->mu);
    if (p->ilen < p->icap) {
        p->items[(p->ihead + p->ilen++) % p->icap] = *it;
        pthread_cond_signal(&p->items_cv);
    } else {
        mem_free(it->entry);
        mem_free(it->sig);
    }
    pthread_mutex_unlock(&p->mu);
}

static void thread_exit(pipeline *p) {
    pthread_mutex_lock(&p->mu);
    --p->active;
    pthread_cond_broadcast(&p->items_cv);
    pthread_mutex_unlock(&p->mu);
}

static void fatal_item(pipeline *p, const spin_diag *d) {
    item it;
    memset(&it, 0, sizeof it);
    it.kind = ITEM_FATAL;
    it.diag = *d;
    pthread_mutex_lock(&p->mu);
    /* The collector drains until every thread has ended, so this wait ends. */
    while (p->ilen == p->icap)
        pthread_cond_wait(&p->items_space_cv, &p->mu);
    p->items[(p->ihead + p->ilen++) % p->icap] = it;
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->items_cv);
    pthread_cond_broadcast(&p->jobs_cv);
    pthread_cond_broadcast(&p->space_cv);
    pthread_mutex_unlock(&p->mu);
}

/* When the first records of the input all lack the text field, the field
 * name is wrong (--text-field): stop with one error instead of a warning per
 * record of a whole crawl. */
#define NO_TEXT_FAST_FAIL 10

static void no_text_fatal(pipeline *p, const spin_diag *last, uint64_t n) {
    spin_diag d = *last;
    char was[sizeof d.message];
    snprintf(was, sizeof was, "%s", last->message);
    snprintf(d.message, sizeof d.message,
             "the first %llu record%s had no text (%.300s): stopping; does --text-field name "
             "the field that holds the text?",
             (unsigned long long)n, n == 1 ? "" : "s", was);
    fatal_item(p, &d);
}

static void *producer(void *arg) {
    pipeline *p = arg;
    uint64_t seq = 0, no_text = 0;
    bool any_doc = false;
    spin_diag held[NO_TEXT_FAST_FAIL]; /* the records without text, until a document */
    size_t max_jobs = p->jcap;
    while (!atomic_load(&p->stop)) {
        input_event ev;
        input_skip why;
        spin_diag d;
        job *j = mem_calloc(1, sizeof *j);
        if (!j) {
            memset(&d, 0, sizeof d);
            d.status = SPIN_ENOMEM;
            snprintf(d.message, sizeof d.message, "out of memory reading the input");
            fatal_item(p, &d);
            break;
        }
        if (input_next(p->in, &ev, &j->doc, &why, &d) != SPIN_OK) {
            mem_free(j);
            fatal_item(p, &d);
            break;
        }
        if (ev == INPUT_END) {
            mem_free(j);
            if (!any_doc && no_text)
                no_text_fatal(p, &held[no_text - 1], no_text);
            break;
        }
        if (ev == INPUT_SKIPPED && !any_doc && why == INPUT_SKIP_NO_TEXT) {
            mem_free(j);
            held[no_text] = d;
            if (++no_text >= NO_TEXT_FAST_FAIL) {
                no_text_fatal(p, &d, no_text);
                break;
            }
            continue;
        }
        if (ev == INPUT_SKIPPED) {
            mem_free(j);
            item it;
            memset(&it, 0, sizeof it);
            it.kind = ITEM_SKIP;
            it.why = why;
            it.diag = d;
            push_item(p, &it);
            continue;
        }
        if (!any_doc && no_text) {
            /* Not the field name after all: the held-back records are
             * skipped, each with its warning. */
            for (uint64_t k = 0; k < no_text; ++k) {
                item it;
                memset(&it, 0, sizeof it);
                it.kind = ITEM_SKIP;
                it.why = INPUT_SKIP_NO_TEXT;
                it.diag = held[k];
                push_item(p, &it);
            }
        }
        any_doc = true;
        j->seq = seq++;
        pthread_mutex_lock(&p->mu);
        while (!atomic_load(&p->stop) &&
               (p->jlen == max_jobs || (p->jlen > 0 && p->jbytes + j->doc.len > QUEUE_BYTES)))
            pthread_cond_wait(&p->space_cv, &p->mu);
        if (atomic_load(&p->stop)) {
            pthread_mutex_unlock(&p->mu);
            input_doc_free(&j->doc);
            mem_free(j);
            break;
        }
        p->jobs[(p->jhead + p->jlen++) % p->jcap] = j;
        p->jbytes += j->doc.len;
        atomic_fetch_add(&p->docs_read, 1);
        pthread_cond_signal(&p->jobs_cv);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    p->producer_done = true;
    pthread_cond_broadcast(&p->jobs_cv);
    pthread_mutex_unlock(&p->mu);
    thread_exit(p);
    return NULL;
}

typedef struct worker_arg {
    pipeline *p;
    detector *det;
} worker_arg;

static void *worker(void *arg) {
    worker_arg *wa = arg;
    pipeline *p = wa->p;
    det_result res;
    memset(&res, 0, sizeof res);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->jlen == 0 && !p->producer_done && !atomic_load(&p->stop))
            pthread_cond_wait(&p->jobs_cv, &p->mu);
        if (p->jlen == 0 || atomic_load(&p->stop)) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        job *j = p->jobs[p->jhead];
        p->jhead = (p->jhead + 1) % p->jcap;
        --p->jlen;
        p->jbytes -= j->doc.len;
        pthread_cond_signal(&p->space_cv);
        pthread_mutex_unlock(&p->mu);

        item it;
        memset(&it, 0, sizeof it);
        const char *text = j->doc.text;
        size_t len = j->doc.len;
        char *conv = NULL;
        spin_diag d;
        spin_status st = SPIN_OK;
        if (j->doc.html) {
            st = html_to_text(j->doc.text, j->doc.len, j->doc.charset, &conv, &len, &d);
            text = conv;
            if (st == SPIN_OK && d.message[0]) { /* libxml2 had something to say */
                it.has_note = true;
                it.note = d;
                snprintf(it.note.path, sizeof it.note.path, "%s", j->doc.path);
                it.note.line = j->doc.line;
                it.note.byte = j->doc.byte;
                if (!j->doc.line && !j->doc.byte && strcmp(j->doc.id, j->doc.path) != 0)
                    snprintf(it.note.path, sizeof it.note.path, "%s", j->doc.id);
            }
        }
        if (st == SPIN_OK)
            st = detect_run(wa->det, text, len, &res, &d);
        if (st == SPIN_OK) {
            st = rank_entry_make_id(p->format, j->doc.id, j->doc.id_len, j->doc.id_number,
                                    api_detector_id(p->ld->sd), &res, text, len, j->seq, &it.entry);
            if (st == SPIN_OK && p->families) {
                if ((it.sig = mem_alloc(sizeof *it.sig)))
                    fam_signature(text, len, it.sig);
                else {
                    mem_free(it.entry);
                    it.entry = NULL;
                    st = SPIN_ENOMEM;
                }
            }
            it.kind = ITEM_ENTRY;
            it.bytes = j->doc.len;
        } else if (st == SPIN_EFORMAT) { /* not text */
            it.kind = ITEM_SKIP;
            it.why = INPUT_SKIP_NON_TEXT;
            it.diag = d;
            snprintf(it.diag.path, sizeof it.diag.path, "%s", j->doc.path);
            it.diag.line = j->doc.line;
            it.diag.byte = j->doc.byte;
            if (!j->doc.line && !j->doc.byte && strcmp(j->doc.id, j->doc.path) != 0)
                snprintf(it.diag.path, sizeof it.diag.path, "%s", j->doc.id);
            st = SPIN_OK;
        }
        mem_free(conv);
        input_doc_free(&j->doc);
        mem_free(j);
        if (st != SPIN_OK) {
            memset(&d, 0, sizeof d);
            d.status = st;
            snprintf(d.message, sizeof d.message, "%s while scoring",
                     st == SPIN_ENOMEM ? "out of memory" : spin_strerror(st));
            fatal_item(p, &d);
            break;
        }
        push_item(p, &it);
    }
    det_result_free(&res);
    thread_exit(p);
    return NULL;
}

/* ---- progress ---- */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct stats {
    uint64_t scored, skipped, bytes;
    uint64_t unsupported; /* of 'scored': the detector abstained (ranked last) */
    uint64_t media;       /* WARC responses that are images, PDFs or other media */
    uint64_t by_reason[INPUT_NSKIPS];
    double start, last_draw;
    bool progress, drawn;
} stats;

static void clear_progress(stats *s) {
    if (s->drawn) {
        fputs("\r\033[K", stderr);
        s->drawn = false;
    }
}

static void draw_progress(stats *s, const pipeline *p, bool force) {
    double t = now();
    if (!s->progress || (!force && t - s->last_draw < 1.0 / 6))
        return;
    s->last_draw = t;
    double el = t - s->start > 1e-9 ? t - s->start : 1e-9;
    char eta[64] = "";
    uint64_t total = input_bytes_total(p->in), done = input_bytes_read(p->in);
    if (total && done > 0 && done <= total) {
        double left = el * (double)(total - done) / (double)done;
        snprintf(eta, sizeof eta, ", %.0f%%, ETA %d:%02d", 100.0 * (double)done / (double)total,
                 (int)(left / 60), (int)left % 60);
    }
    fprintf(stderr, "\r\033[Kspinscan: %llu documents, %.1f MB, %.0f docs/s, %.2f MB/s%s",
            (unsigned long long)s->scored, (double)s->bytes / 1e6, (double)s->scored / el,
            (double)s->bytes / 1e6 / el, eta);
    fflush(stderr);
    s->drawn = true;
}

/* The summary line, ending with the tool version and model identity: the
 * one place a tsv ranking's provenance is written (its columns are fixed). */
static void print_summary(const stats *s, const char *model_id) {
    double el = now() - s->start;
    char reasons[512] = "";
    size_t n = 0;
    for (int r = 0; r < INPUT_NSKIPS; ++r)
        if (s->by_reason[r] && n < sizeof reasons)
            n += (size_t)snprintf(reasons + n, sizeof reasons - n, "%s%llu %s", n ? ", " : " (",
                                  (unsigned long long)s->by_reason[r],
                                  input_skip_name((input_skip)r));
    if (n && n < sizeof reasons - 1)
        snprintf(reasons + n, sizeof reasons - n, ")");
    fprintf(stderr,
            "spinscan: %llu documents scored (%llu unsupported: not English or not judgeable, "
            "ranked last), %llu media responses (images, PDFs) passed over, %llu skipped%s, "
            "%.1f MB in %.1f s (%.2f MB/s, %.0f docs/s) with %s\n",
            (unsigned long long)s->scored, (unsigned long long)s->unsupported,
            (unsigned long long)s->media, (unsigned long long)s->skipped, reasons,
            (double)s->bytes / 1e6, el, el > 0 ? (double)s->bytes / 1e6 / el : 0.0,
            el > 0 ? (double)s->scored / el : 0.0, model_id);
}

/* --adapt N: the first N documents of the input (a pass of their own, on one
 * thread), then ld->params adapted to them. */
static int adapt_first(loaded_detector *ld, char *const *paths, size_t npaths,
                       const input_options *io, size_t n, const char *save) {
    detector *det = detector_load_new(ld);
    det_adapt *acc = NULL;
    input *in = NULL;
    if (!det)
        return -1;
    int rc =
        det_adapt_new(&acc) == SPIN_OK && input_open(paths, npaths, io, &in) == SPIN_OK ? 0 : -1;
    if (rc != 0)
        cli_error("out of memory");
    det_result res;
    memset(&res, 0, sizeof res);
    size_t seen = 0;
    while (rc == 0 && seen < n) {
        input_event ev;
        input_skip why;
        input_doc doc;
        spin_diag d;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = -1;
            break;
        }
        if (ev == INPUT_END)
            break;
        if (ev != INPUT_DOC)
            continue; /* the ranking pass reports skipped records */
        const char *text = doc.text;
        size_t len = doc.len;
        char *conv = NULL;
        spin_status st = SPIN_OK;
        if (doc.html) {
            st = html_to_text(doc.text, doc.len, doc.charset, &conv, &len, &d);
            text = conv;
        }
        if (st == SPIN_OK && detect_run(det, text, len, &res, &d) == SPIN_OK) {
            if (det_adapt_add(acc, &res) != SPIN_OK) {
                cli_error("out of memory adapting");
                rc = -1;
            }
            ++seen;
        }
        mem_free(conv);
        input_doc_free(&doc);
    }
    if (rc == 0)
        rc = detector_adapt(ld, acc, save);
    det_result_free(&res);
    input_free(in);
    det_adapt_free(acc);
    detector_free(det);
    return rc;
}

/* ---- -f html: the report of the top documents ---- */

#define HTML_TOP_MAX 5000

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The HTML report (report.h) of the 'n' ranked entries 'e': a second pass
 * over the input scores those documents again (by their input order, seq) with
 * their sentences and words.  Returns 0, or -1 after printing why. */
static int html_report(const loaded_detector *ld, char *const *paths, size_t npaths,
                       const input_options *io, rank_entry *const *e, size_t n, uint64_t scored,
                       FILE *out) {
    uint64_t *want = mem_alloc((n ? n : 1) * sizeof *want);
    detector *det = detector_load_new(ld);
    input *in = NULL;
    int rc = want && det && input_open(paths, npaths, io, &in) == SPIN_OK ? 0 : -1;
    if (rc != 0 && det)
        cli_error("out of memory");
    for (size_t i = 0; rc == 0 && i < n; ++i)
        want[i] = e[i]->seq;
    if (rc == 0)
        qsort(want, n, sizeof *want, cmp_u64);
    char title[160];
    snprintf(title, sizeof title, "spinscan rank: the top %zu of %llu documents", n,
             (unsigned long long)scored);
    report_options ro = {
        REPORT_HTML, false, title, api_detector_params(ld->sd), spin_detector_info(ld->sd), NULL};
    if (rc == 0 && report_begin(out, &ro) != SPIN_OK) {
        cli_error("out of memory");
        rc = -1;
    }
    det_result res;
    memset(&res, 0, sizeof res);
    uint64_t seq = 0;
    size_t next = 0;
    while (rc == 0 && next < n) {
        input_event ev;
        input_skip why;
        input_doc doc;
        spin_diag d;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = -1;
            break;
        }
        if (ev == INPUT_END)
            break;
        if (ev != INPUT_DOC)
            continue; /* reported by the ranking pass */
        if (seq++ != want[next]) {
            input_doc_free(&doc);
            continue;
        }
        ++next;
        const char *text = doc.text;
        size_t len = doc.len;
        char *conv = NULL;
        spin_status st = SPIN_OK;
        if (doc.html) {
            st = html_to_text(doc.text, doc.len, doc.charset, &conv, &len, &d);
            text = conv;
        }
        if (st == SPIN_OK)
            st = detect_run(det, text, len, &res, &d);
        if (st == SPIN_OK) {
            report_doc rd = {doc.id, text, len, &res, spin_detector_info(ld->sd)};
            if (report_document(out, &ro, &rd) != SPIN_OK) {
                cli_error("out of memory writing the report");
                rc = -1;
            }
        }
        mem_free(conv);
        input_doc_free(&doc);
    }
    if (rc == 0 && report_end(out, &ro) != SPIN_OK) {
        cli_error("cannot write the report: %s", strerror(errno ? errno : EIO));
        rc = -1;
    }
    report_abandon(&ro);
    det_result_free(&res);
    input_free(in);
    if (det)
        detector_free(det);
    mem_free(want);
    return rc;
}

/* ---- the command ---- */

/* ---- -f attributes: Dolma attribute files (jsonl_pipe.h, jsonrec.h) ---- */

typedef struct file_list {
    pipe_file *v;
    size_t n, cap;
} file_list;

static int add_file(file_list *l, const char *in, const char *out_dir, const char *rel) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        pipe_file *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    char *inp = strdup(in);
    char *out = malloc(strlen(out_dir) + strlen(rel) + 2);
    if (!inp || !out) {
        free(inp);
        free(out);
        return -1;
    }
    sprintf(out, "%s/%s", out_dir, rel);
    l->v[l->n].in = inp;
    l->v[l->n++].out = out;
    return 0;
}

static int byte_order(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every regular file below 'dir' (byte order of names, recursively), with its
 * path relative to the walk's root. */
static int walk(file_list *l, const char *dir, const char *rel, const char *out_dir, int depth) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, byte_order);
    if (n < 0) {
        cli_error("%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; ++i) {
        const char *nm = names[i]->d_name;
        if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
            size_t pl = strlen(dir) + strlen(nm) + 2, rl = strlen(rel) + strlen(nm) + 2;
            char *path = malloc(pl), *r = malloc(rl);
            struct stat st;
            if (!path || !r) {
                cli_error("out of memory");
                rc = -1;
            } else {
                snprintf(path, pl, "%s/%s", dir, nm);
                snprintf(r, rl, "%s%s%s", rel, *rel ? "/" : "", nm);
                if (stat(path, &st) != 0) {
                    cli_error("%s: %s", path, strerror(errno));
                    rc = -1;
                } else if (S_ISDIR(st.st_mode)) {
                    if (depth > 64) {
                        cli_error("%s: directories nested too deep (a symbolic link loop?)", path);
                        rc = -1;
                    } else {
                        rc = walk(l, path, r, out_dir, depth + 1);
                    }
                } else if (S_ISREG(st.st_mode) && add_file(l, path, out_dir, r) != 0) {
                    cli_error("out of memory");
                    rc = -1;
                }
            }
            free(path);
            free(r);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int run_attributes(const char *model_opt, const char *out_dir, const char *experiment,
                          const char *text_field, uint64_t max_bytes, size_t jobs, bool quiet,
                          bool judge_all, bool families, char *const *inputs, size_t ninputs) {
    file_list l = {NULL, 0, 0};
    int status = EXIT_OK;
    for (size_t i = 0; i < ninputs && status == EXIT_OK; ++i) {
        struct stat st;
        if (stat(inputs[i], &st) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = EXIT_DATA;
        } else if (S_ISDIR(st.st_mode)) {
            if (walk(&l, inputs[i], "", out_dir, 0) != 0)
                status = EXIT_DATA;
        } else {
            const char *base = strrchr(inputs[i], '/');
            if (add_file(&l, inputs[i], out_dir, base ? base + 1 : inputs[i]) != 0) {
                cli_error("out of memory");
                status = EXIT_DATA;
            }
        }
    }
    /* Two inputs mapped to one output would overwrite each other. */
    for (size_t i = 0; i < l.n && status == EXIT_OK; ++i)
        for (size_t k = i + 1; k < l.n; ++k)
            if (!strcmp(l.v[i].out, l.v[k].out)) {
                cli_error("%s and %s would both write %s", l.v[i].in, l.v[k].in, l.v[i].out);
                status = EXIT_USAGE;
                break;
            }
    char name[160];
    snprintf(name, sizeof name, "%s", experiment);
    jsonrec_variable_name(name);
    snprintf(name + strlen(name), sizeof name - strlen(name), "__spinscan");
    loaded_detector ld;
    if (status == EXIT_OK && detector_load(model_opt, true, judge_all, &ld) != 0)
        status = EXIT_DATA;
    if (status == EXIT_OK) {
        pipe_config pc;
        memset(&pc, 0, sizeof pc);
        pc.mode = PIPE_ATTRIBUTES;
        pc.text_field = text_field ? text_field : "text";
        pc.name = name;
        pc.threads = jobs;
        pc.max_line = max_bytes ? max_bytes + (1 << 20) : (uint64_t)1 << 30;
        pc.quiet = quiet;
        pc.families = families;
        pc.stage_dir = out_dir;
        status = jsonl_pipe_run(&pc, &ld, l.v, l.n);
        detector_load_free(&ld);
    }
    for (size_t i = 0; i < l.n; ++i) {
        free((char *)l.v[i].in);
        free(l.v[i].out);
    }
    free(l.v);
    return status;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out) {
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    rank_format format = RANK_TSV;
    input_options io;
    input_options_init(&io);
    unsigned long long top = 0;
    bool unsorted = false, strict = false, judge_all = false, families = false, html = false;
    size_t adapt_docs = 0;
    const char *reference = NULL, *save_reference = NULL;
    const char *experiment = NULL, *sig_path = NULL;
    size_t max_dom = HTML_DOM_LIMIT_DEFAULT;
    int c;
    cli_parser_init(&cp);
    while ((c = cli_next(cmd, &cp, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case 'f': {
            int f;
            if (cli_choice(cmd, cp.optarg,
                           (const char *const[]){"tsv", "jsonl", "attributes", "html", NULL},
                           (const int[]){RANK_TSV, RANK_JSONL, RANK_ATTRIBUTES, -1}, &f,
                           "unknown format '%s' (tsv, jsonl, attributes or html)") != EXIT_OK)
                return EXIT_USAGE;
            if (f < 0)
                format = RANK_JSONL, html = true; /* ranked as jsonl, then the report */
            else
                format = (rank_format)f;
            break;
        }
        case OPT_TOP:
            if (parse_uint(cp.optarg, SIZE_MAX / 16, &top) != 0 || top == 0)
                return cli_usage_error(cmd, "--top needs a positive number, not '%s'", cp.optarg);
            break;
        case OPT_UNSORTED:
            unsorted = true;
            break;
        case OPT_SHARD: {
            unsigned long long i, n;
            const char *slash = strchr(cp.optarg, '/');
            char ibuf[32];
            if (!slash || (size_t)(slash - cp.optarg) >= sizeof ibuf)
                return cli_usage_error(cmd, "--shard needs I/N such as 0/8, not '%s'", cp.optarg);
            memcpy(ibuf, cp.optarg, (size_t)(slash - cp.optarg));
            ibuf[slash - cp.optarg] = '\0';
            if (parse_uint(ibuf, UINT32_MAX, &i) != 0 || parse_uint(slash + 1, UINT32_MAX, &n) ||
                n == 0 || i >= n)
                return cli_usage_error(cmd, "--shard needs I/N with 0 <= I < N, not '%s'",
                                       cp.optarg);
            io.shard = (uint32_t)i;
            io.nshards = (uint32_t)n;
            break;
        }
        case OPT_SHARD_BY: {
            int by_file;
            if (cli_choice(cmd, cp.optarg, (const char *const[]){"id", "file", NULL},
                           (const int[]){0, 1}, &by_file,
                           "--shard-by takes id or file, not '%s'") != EXIT_OK)
                return EXIT_USAGE;
            io.shard_by_file = by_file;
            break;
        }
        case OPT_TEXT_FIELD:
            io.text_field = cp.optarg;
            break;
        case OPT_ID_FIELD:
            io.id_field = cp.optarg;
            break;
        case OPT_MAX_BYTES:
            if (cli_parse_size(cp.optarg, &io.max_bytes) != 0)
                return cli_usage_error(cmd,
                                       "--max-bytes needs a size such as 1000, 64K or 2G, "
                                       "not '%s'",
                                       cp.optarg);
            break;
        case OPT_MAX_DOM: {
            uint64_t v;
            if (cli_parse_size(cp.optarg, &v) != 0 || v < ((uint64_t)1 << 20) || v > SIZE_MAX)
                return cli_usage_error(cmd, "--max-dom needs a size of at least 1M, not '%s'",
                                       cp.optarg);
            max_dom = (size_t)v;
            break;
        }
        case OPT_STRICT:
            strict = true;
            break;
        case OPT_JUDGE_ALL:
            judge_all = true;
            break;
        case OPT_ADAPT: {
            unsigned long long v;
            if (parse_uint(cp.optarg, 100000000ull, &v) != 0 || v < DET_ADAPT_MIN_DOCS)
                return cli_usage_error(cmd, "--adapt needs a number of documents >= %d, not '%s'",
                                       DET_ADAPT_MIN_DOCS, cp.optarg);
            adapt_docs = (size_t)v;
            break;
        }
        case OPT_REFERENCE:
            reference = cp.optarg;
            break;
        case OPT_SAVE_REFERENCE:
            save_reference = cp.optarg;
            break;
        case OPT_FAMILIES:
            families = true;
            break;
        case OPT_SIGNATURES:
            sig_path = cp.optarg;
            break;
        case OPT_EXPERIMENT: {
            char name[80];
            if (strlen(cp.optarg) >= 64)
                return cli_usage_error(cmd, "--experiment: at most 63 bytes");
            snprintf(name, sizeof name, "%s", cp.optarg);
            if (!jsonrec_variable_name(name))
                return cli_usage_error(cmd,
                                       "--experiment needs a name that does not start with a "
                                       "digit, not '%s'",
                                       cp.optarg);
            experiment = cp.optarg;
            break;
        }
        default:
            return EXIT_USAGE;
        }
    }
    const char *model_opt = cp.model, *out_path = cp.output;
    unsigned long long jobs = cli_jobs(&cp);
    bool quiet = cp.quiet;
    if (html && (!top || top > HTML_TOP_MAX || unsorted || families))
        return cli_usage_error(cmd,
                               "-f html needs --top K (at most %d; not with --unsorted or "
                               "--families): the report shows the top of the crawl",
                               HTML_TOP_MAX);
    if (unsorted && top)
        return cli_usage_error(cmd, "--top and --unsorted exclude each other");
    if (experiment && format != RANK_ATTRIBUTES)
        return cli_usage_error(cmd, "--experiment goes with -f attributes");
    if (format == RANK_ATTRIBUTES) {
        if (!out_path)
            return cli_usage_error(cmd, "-f attributes needs -o DIR (one attributes file per "
                                        "documents file, at the same path under DIR)");
        if (top || unsorted || io.nshards > 1 || strict || io.id_field || sig_path)
            return cli_usage_error(
                cmd, "-f attributes writes every record in input order: "
                     "no --top, --unsorted, --shard, --strict, --id-field or --signatures");
        if (cp.optind >= argc)
            return cli_usage_error(cmd, "-f attributes needs INPUT files or directories");
        return run_attributes(model_opt, out_path, experiment ? experiment : "spinscan",
                              io.text_field, io.max_bytes, (size_t)jobs, quiet, judge_all, families,
                              argv + cp.optind, (size_t)(argc - cp.optind));
    }
    if (unsorted && families)
        return cli_usage_error(cmd, "--families needs the whole crawl: not with --unsorted");
    if (sig_path && !families)
        return cli_usage_error(cmd, "--signatures goes with --families");
    if (families && io.nshards > 1 && !sig_path && (!out_path || !strcmp(out_path, "-")))
        return cli_usage_error(cmd, "--families --shard writes signatures for merge: give -o OUT "
                                    "(they go to OUT.sig) or --signatures FILE");
    char *sig_default = NULL;
    if (families && !sig_path && out_path && strcmp(out_path, "-") != 0) {
        size_t l = strlen(out_path);
        if (!(sig_default = malloc(l + 5))) {
            cli_error("out of memory");
            return EXIT_DATA;
        }
        memcpy(sig_default, out_path, l);
        memcpy(sig_default + l, ".sig", 5);
        sig_path = sig_default;
    }
    static char *const stdin_only[] = {"-", NULL};
    char *const *paths = cp.optind < argc ? argv + cp.optind : stdin_only;
    size_t npaths = cp.optind < argc ? (size_t)(argc - cp.optind) : 1;

    loaded_detector ld;
    /* A crawl is a long run: models go into memory, not a mapping. */
    if (detector_load(model_opt, true, judge_all, &ld) != 0) {
        free(sig_default);
        return EXIT_DATA;
    }
    if (judge_all)
        detector_load_judge_all(&ld);
    html_init();
    if (save_reference && !adapt_docs) {
        detector_load_free(&ld);
        return cli_usage_error(cmd, "--save-reference needs --adapt N");
    }
    if (reference && detector_load_reference(&ld, reference) != 0) {
        detector_load_free(&ld);
        return EXIT_DATA;
    }
    if (adapt_docs && adapt_first(&ld, paths, npaths, &io, adapt_docs, save_reference) != 0) {
        detector_load_free(&ld);
        return EXIT_DATA;
    }
    html_set_dom_limit(max_dom);
    size_t nw = (size_t)jobs;
    pipeline p;
    memset(&p, 0, sizeof p);
    p.format = format;
    p.families = families;
    fam_set *fs = NULL;
    size_t *fidx = NULL, fidx_cap = 0; /* input order -> document of fs */
    p.ld = &ld;
    p.jcap = nw * QUEUE_DOCS_PER_WORKER + 2;
    p.icap = RESULTS_CAP;
    p.jobs = calloc(p.jcap, sizeof *p.jobs);
    p.items = calloc(p.icap, sizeof *p.items);
    p.dets = calloc(nw, sizeof *p.dets);
    worker_arg *wa = calloc(nw, sizeof *wa);
    pthread_t *tids = calloc(nw + 1, sizeof *tids);
    int status = EXIT_OK;
    ranking *rk = NULL;
    outfile out;
    bool out_open = false;
    if (!p.jobs || !p.items || !p.dets || !wa || !tids ||
        ranking_new(unsorted   ? 1
                    : families ? 0
                               : (size_t)top,
                    &rk) != SPIN_OK ||
        (families && fam_set_new(&fs) != SPIN_OK)) {
        cli_error("out of memory");
        status = EXIT_DATA;
        goto done;
    }
    for (size_t i = 0; i < nw; ++i)
        if (!(p.dets[i] = detector_load_new(&ld))) {
            status = EXIT_DATA;
            goto done;
        }
    if (input_open(paths, npaths, &io, &p.in) != SPIN_OK) {
        cli_error("out of memory");
        status = EXIT_DATA;
        goto done;
    }
    if (outfile_open(&out, out_path) != 0) {
        status = EXIT_DATA;
        goto done;
    }
    out_open = true;
    bool write_failed = false;
    if (format == RANK_TSV && fputs(rank_tsv_header(families), out.f) == EOF)
        write_failed = true;

    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.jobs_cv, NULL);
    pthread_cond_init(&p.space_cv, NULL);
    pthread_cond_init(&p.items_cv, NULL);
    pthread_cond_init(&p.items_space_cv, NULL);
    atomic_init(&p.stop, false);
    atomic_init(&p.docs_read, 0);
    p.active = (int)nw + 1;
    stats s;
    memset(&s, 0, sizeof s);
    s.start = now();
    s.progress = !quiet && isatty(STDERR_FILENO);
    size_t started = 0;
    if (pthread_create(&tids[0], NULL, producer, &p) == 0)
        ++started;
    for (size_t i = 0; i < nw && started == i + 1; ++i) {
        wa[i].p = &p;
        wa[i].det = p.dets[i];
        if (pthread_create(&tids[i + 1], NULL, worker, &wa[i]) == 0)
            ++started;
    }
    if (started < nw + 1) {
        cli_error("cannot start threads: %s", strerror(errno));
        atomic_store(&p.stop, true);
        pthread_mutex_lock(&p.mu);
        p.active -= (int)(nw + 1 - started);
        pthread_cond_broadcast(&p.jobs_cv);
        pthread_cond_broadcast(&p.space_cv);
        pthread_mutex_unlock(&p.mu);
        status = EXIT_DATA;
    }

    /* The collector. */
    bool fatal = status != EXIT_OK;
    pthread_mutex_lock(&p.mu);
    for (;;) {
        while (p.ilen == 0 && p.active > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 170 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_nsec -= 1000000000L;
                ts.tv_sec += 1;
            }
            pthread_cond_timedwait(&p.items_cv, &p.mu, &ts);
            if (p.ilen == 0) {
                pthread_mutex_unlock(&p.mu);
                draw_progress(&s, &p, false);
                pthread_mutex_lock(&p.mu);
            }
        }
        if (p.ilen == 0)
            break;
        item it = p.items[p.ihead];
        p.ihead = (p.ihead + 1) % p.icap;
        --p.ilen;
        pthread_cond_signal(&p.items_space_cv);
        pthread_mutex_unlock(&p.mu);
        if (fatal) {
            mem_free(it.entry);
            mem_free(it.sig);
        } else if (it.kind == ITEM_ENTRY) {
            if (it.has_note) {
                clear_progress(&s);
                cli_print_diag(&it.note, "warning: ");
            }
            ++s.scored;
            s.unsupported += it.entry->score == RANK_UNSUPPORTED;
            cli_progress("documents scored", s.scored);
            s.bytes += it.bytes;
            if (families && !fatal) {
                uint64_t q = it.entry->seq;
                size_t idx;
                if (q >= fidx_cap) {
                    size_t nc = fidx_cap ? fidx_cap : 1024;
                    while (nc <= q)
                        nc *= 2;
                    size_t *nf = mem_realloc_array(fidx, nc, sizeof *nf);
                    if (nf) {
                        for (size_t k = fidx_cap; k < nc; ++k)
                            nf[k] = SIZE_MAX;
                        fidx = nf;
                        fidx_cap = nc;
                    }
                }
                if (q >= fidx_cap || fam_set_add(fs, it.entry->data, it.entry->id_len,
                                                 it.entry->score, it.sig, &idx) != SPIN_OK) {
                    clear_progress(&s);
                    cli_error("out of memory keeping the signatures");
                    fatal = true;
                } else {
                    fidx[q] = idx;
                }
                mem_free(it.sig);
                it.sig = NULL;
            }
            if (fatal) {
                mem_free(it.entry);
            } else if (unsorted) {
                if (fwrite(rank_entry_line(it.entry), 1, it.entry->line_len, out.f) !=
                    it.entry->line_len)
                    write_failed = true;
                mem_free(it.entry);
            } else if (ranking_add(rk, it.entry) != SPIN_OK) {
                clear_progress(&s);
                cli_error("out of memory keeping the ranking (try --top K or --unsorted)");
                fatal = true;
            }
            if (write_failed && !fatal) {
                clear_progress(&s);
                cli_error("%s: cannot write: %s", out.path ? out.path : "standard output",
                          strerror(errno ? errno : EIO));
                fatal = true;
            }
        } else if (it.kind == ITEM_SKIP && it.why == INPUT_SKIP_MEDIA) {
            ++s.media; /* images, PDFs: normal in a crawl, counted apart and quietly */
        } else if (it.kind == ITEM_SKIP) {
            ++s.skipped;
            ++s.by_reason[it.why];
            clear_progress(&s);
            cli_print_diag(&it.diag, strict ? NULL : "warning: ");
            if (strict) {
                cli_error("stopping at the first skipped record (--strict)");
                fatal = true;
            }
        } else {
            clear_progress(&s);
            cli_print_diag(&it.diag, NULL);
            fatal = true;
        }
        if (fatal)
            atomic_store(&p.stop, true);
        if (fatal) {
            pthread_mutex_lock(&p.mu);
            pthread_cond_broadcast(&p.jobs_cv);
            pthread_cond_broadcast(&p.space_cv);
            pthread_cond_broadcast(&p.items_space_cv);
            pthread_mutex_unlock(&p.mu);
        }
        draw_progress(&s, &p, false);
        pthread_mutex_lock(&p.mu);
    }
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < started; ++i)
        pthread_join(tids[i], NULL);
    /* Items left by threads that stopped early. */
    for (size_t i = 0; i < p.ilen; ++i) {
        mem_free(p.items[(p.ihead + i) % p.icap].entry);
        mem_free(p.items[(p.ihead + i) % p.icap].sig);
    }
    for (size_t i = 0; i < p.jlen; ++i) {
        job *j = p.jobs[(p.jhead + i) % p.jcap];
        input_doc_free(&j->doc);
        mem_free(j);
    }
    if (!fatal && families) {
        /* The families, then every line again with its family and score. */
        ranking *rk2 = NULL;
        rank_entry *const *e;
        size_t n = ranking_sorted(rk, &e);
        spin_status st = fam_set_solve(fs);
        if (st == SPIN_OK)
            st = ranking_new((size_t)top, &rk2);
        for (size_t i = 0; i < n && st == SPIN_OK; ++i) {
            fam_info fi;
            rank_entry *ne;
            fam_set_info(fs, fidx[e[i]->seq], &fi);
            st = rank_entry_refamily(format, e[i], false, fam_boost_units(e[i]->score, &fi), &fi,
                                     &ne);
            if (st == SPIN_OK)
                st = ranking_add(rk2, ne);
        }
        if (st != SPIN_OK) {
            clear_progress(&s);
            cli_error("%s finding the families",
                      st == SPIN_ENOMEM ? "out of memory" : spin_strerror(st));
            ranking_free(rk2);
            fatal = true;
        } else {
            ranking_free(rk);
            rk = rk2;
        }
    }
    if (!fatal && html) {
        rank_entry *const *e;
        size_t n = ranking_sorted(rk, &e);
        if (html_report(&ld, paths, npaths, &io, e, n, s.scored, out.f) != 0)
            fatal = true;
    } else if (!fatal && !unsorted) {
        rank_entry *const *e;
        size_t n = ranking_sorted(rk, &e);
        for (size_t i = 0; i < n && !write_failed; ++i)
            if (fwrite(rank_entry_line(e[i]), 1, e[i]->line_len, out.f) != e[i]->line_len)
                write_failed = true;
        if (write_failed) {
            cli_error("%s: cannot write: %s", out.path ? out.path : "standard output",
                      strerror(errno ? errno : EIO));
            fatal = true;
        }
    }
    clear_progress(&s);
    if (outfile_close(&out, !fatal) != 0)
        fatal = true;
    out_open = false;
    /* The signatures last, beside a ranking that is complete. */
    if (!fatal && families && sig_path) {
        outfile so;
        if (outfile_open(&so, sig_path) != 0) {
            fatal = true;
        } else {
            bool ok = fam_set_write(fs, so.f) == SPIN_OK;
            if (!ok)
                cli_error("%s: cannot write: %s", sig_path, strerror(errno ? errno : EIO));
            if (outfile_close(&so, ok) != 0 || !ok)
                fatal = true;
        }
    }

    if (!quiet)
        print_summary(&s, api_detector_id(ld.sd));
    status = fatal ? EXIT_DATA : s.skipped ? EXIT_SKIPPED : EXIT_OK;
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.jobs_cv);
    pthread_cond_destroy(&p.space_cv);
    pthread_cond_destroy(&p.items_cv);
    pthread_cond_destroy(&p.items_space_cv);
done:
    if (out_open)
        outfile_close(&out, false);
    input_free(p.in);
    ranking_free(rk);
    fam_set_free(fs);
    mem_free(fidx);
    free(sig_default);
    if (p.dets)
        for (size_t i = 0; i < nw; ++i)
            detector_free(p.dets[i]);
    free(p.dets);
    free(p.jobs);
    free(p.items);
    free(wa);
    free(tids);
    detector_load_free(&ld);
    return status;
}

const cli_command cmd_rank = {
    "rank",
    "[-m MODEL] [-f tsv|jsonl|attributes] [-j N] [--top K] [-o OUT] [OPTIONS] INPUT...",
    "Scores every document of a crawl and ranks them, most spun first (ties by id).\n"
    "An INPUT is recognised by its content (gzip, bzip2, xz and zstd are decompressed):\n"
    "  a directory     every regular file below it is one document, id = its path;\n"
    "  WARC or WET     each conversion record, and each response record with a text or\n"
    "                  HTML payload (.warc, .warc.gz, .warc.wet.gz), id = WARC-Target-URI;\n"
    "  JSON Lines      one object per line ('-' and no INPUT: standard input), text in\n"
    "                  --text-field, id from --id-field, else id, else url, else FILE:LINE;\n"
    "  any other file  one document.\n"
    "HTML is reduced to its visible text.  Output formats (docs/formats.md):\n"
    "  tsv         spin_score, id, sentences, flagged, after a header line;\n"
    "  jsonl       {\"id\", \"spin_score\", \"verdict\", \"sentences\", \"flagged\", \"tokens\",\n"
    "              \"model\": \"spinscan VERSION; model SHA12\"} (the tool version and the\n"
    "              model's checksum; tsv has it on the summary line only);\n"
    "  attributes  Dolma attribute files for Dolma's mixer, -o DIR required: for each\n"
    "              JSON Lines documents file (an INPUT, or every file below an INPUT\n"
    "              directory) DIR/ the same relative path (compressed as its name says),\n"
    "              one line per input line in input order: {\"id\": the record's id as\n"
    "              it is (its JSON type kept), \"source\": copied, \"attributes\":\n"
    "              {E__spinscan__spin_score: [[0, n, score]], E__spinscan__perplexity,\n"
    "              E__spinscan__sentence_spin: [[start, end, spin], ...],\n"
    "              E__spinscan__flagged: the same for flagged sentences}, \"model\":\n"
    "              as in jsonl} with offsets in code points and E the --experiment\n"
    "              (Dolma reads id and attributes only); a record that cannot be scored\n"
    "              gets its line with empty attributes.  Point -o at\n"
    "              PREFIX/attributes/NAME for documents in PREFIX/documents/.\n"
    "--unsorted writes results in completion order; sort tsv afterwards with\n"
    "  LC_ALL=C sort -t \"$(printf '\\t')\" -k1,1r -k2,2\n"
    "--shard I/N keeps documents whose id (or file path, --shard-by file) hashes to I;\n"
    "'spinscan merge' joins the sorted outputs of the shards into one ranking.\n"
    "Bad records (malformed JSON, missing text field, corrupt or truncated compressed\n"
    "data, invalid WARC header, wrong Content-Length, non-text payload, documents over\n"
    "--max-bytes) are skipped with a warning naming FILE:LINE or FILE: byte N.\n"
    "--families finds spin families (rewrites of one seed; copies) and adds family,\n"
    "  family_size and family_kind (spun, duplicate or none) to every tsv or jsonl line;\n"
    "  a document in a spun family of 3 or more gets a higher spin_score\n"
    "  (docs/families.md).  The signatures go to OUT.sig (or --signatures FILE), for\n"
    "  'merge --families'.  With -f attributes: E__spinscan__family (the id as a\n"
    "  number), family_size, family_spun, family_duplicate and family_drop (1 for all\n"
    "  members of a family but its least spun one), all numbers, after a second pass\n"
    "  over a temporary stage file in DIR.\n"
    "\n"
    "exit status for rank: 0 every document scored, 3 completed but some records were\n"
    "skipped, 1 fatal error (nothing, or with --unsorted a partial result, written),\n"
    "2 usage error.",
    options,
    run,
};
