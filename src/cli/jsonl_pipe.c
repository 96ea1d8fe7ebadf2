/* jsonl_pipe.c - see jsonl_pipe.h. */
#include "cli/jsonl_pipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "crawl/jsonrec.h"
#include "text/lines.h"
#include "text/reader.h"
#include "text/writer.h"

#define WINDOW_PER_THREAD 16
#define WINDOW_BYTES ((size_t)64 << 20)

enum { S_EMPTY, S_READY, S_WORKING, S_DONE };
enum { K_LINE, K_FILE_END, K_FILE_ERROR };

typedef struct slot {
    int state, kind;
    size_t file;
    uint64_t line_no;
    char *line;
    size_t len;
    jsonbuf out;
    bool unscorable, blank;
    char msg[1200]; /* why unscorable, or the file error */
} slot;

typedef struct jpipe {
    const pipe_config *c;
    const loaded_detector *ld;
    const pipe_file *files;
    size_t nfiles;
    const char *model_id; /* api_detector_id() */
    pthread_mutex_t mu;
    pthread_cond_t space_cv, work_cv, done_cv;
    slot *slots;
    size_t window;
    uint64_t produced, claimed, written; /* sequence numbers */
    size_t bytes;                        /* line bytes in the window */
    bool producer_done, stop;
} jpipe;

/* ---- the reader thread ---- */

/* Waits for the slot of sequence 'seq' to be free; NULL when stopping. */
static slot *next_free(jpipe *p, size_t want_bytes) {
    pthread_mutex_lock(&p->mu);
    while (!p->stop && (p->produced - p->written >= p->window ||
                        (p->produced > p->written && p->bytes + want_bytes > WINDOW_BYTES)))
        pthread_cond_wait(&p->space_cv, &p->mu);
    slot *s = p->stop ? NULL : &p->slots[p->produced % p->window];
    pthread_mutex_unlock(&p->mu);
    return s;
}

static void publish(jpipe *p, slot *s, int state) {
    pthread_mutex_lock(&p->mu);
    s->state = state;
    p->bytes += s->len;
    ++p->produced;
    pthread_cond_broadcast(state == S_READY ? &p->work_cv : &p->done_cv);
    pthread_mutex_unlock(&p->mu);
}

static bool push_marker(jpipe *p, size_t file, int kind, const char *msg) {
    slot *s = next_free(p, 0);
    if (!s)
        return false;
    s->kind = kind;
    s->file = file;
    s->len = 0;
    s->line = NULL;
    snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "");
    /* Markers need no worker: they are done at once (the writer acts). */
    publish(p, s, S_DONE);
    return true;
}

static void format_diag(char *out, size_t n, const spin_diag *d) {
    if (d->line)
        snprintf(out, n, "%s:%llu: %s", d->path, (unsigned long long)d->line, d->message);
    else if (d->byte)
        snprintf(out, n, "%s: byte %llu: %s", d->path, (unsigned long long)d->byte, d->message);
    else
        snprintf(out, n, "%s: %s", d->path, d->message);
}

static void *producer(void *arg) {
    jpipe *p = arg;
    for (size_t f = 0; f < p->nfiles; ++f) {
        const char *path = p->files[f].in;
        const char *name = strcmp(path, "-") ? path : "<stdin>";
        reader *r = NULL;
        spin_diag d;
        memset(&d, 0, sizeof d);
        char msg[1200];
        spin_status st = strcmp(path, "-") ? reader_open_path(path, &r, &d)
                                           : reader_open_fd(0, "<stdin>", &r, &d);
        lines ls;
        bool have_lines = false;
        if (st == SPIN_OK) {
            st = lines_init(&ls, r, (size_t)p->c->max_line);
            if (st != SPIN_OK)
                snprintf(d.message, sizeof d.message, "out of memory");
            have_lines = st == SPIN_OK;
        }
        while (st == SPIN_OK) {
            const char *line;
            size_t len;
            bool nl;
            st = lines_next(&ls, &line, &len, &nl, &d);
            if (st != SPIN_OK || !line)
                break;
            while (len > 0 && line[len - 1] == '\r')
                --len;
            slot *s = next_free(p, len);
            if (!s) {
                st = SPIN_EINVAL; /* stopping */
                break;
            }
            s->kind = K_LINE;
            s->file = f;
            s->line_no = ls.line_no;
            s->line = malloc(len ? len : 1);
            if (!s->line) {
                st = SPIN_ENOMEM;
                snprintf(d.message, sizeof d.message, "out of memory reading line %llu",
                         (unsigned long long)ls.line_no);
                break;
            }
            memcpy(s->line, line, len);
            s->len = len;
            s->unscorable = s->blank = false;
            s->msg[0] = '\0';
            publish(p, s, S_READY);
        }
        if (have_lines)
            lines_free(&ls);
        reader_free(r);
        bool ok;
        if (st == SPIN_OK) {
            ok = push_marker(p, f, K_FILE_END, NULL);
        } else {
            if (!d.path[0])
                snprintf(d.path, sizeof d.path, "%s", name);
            format_diag(msg, sizeof msg, &d);
            ok = push_marker(p, f, K_FILE_ERROR, msg);
        }
        if (!ok)
            break;
    }
    pthread_mutex_lock(&p->mu);
    p->producer_done = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_cond_broadcast(&p->done_cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- the workers ---- */

typedef struct worker_arg {
    jpipe *p;
    detector *det;
} worker_arg;

static void process(jpipe *p, detector *det, det_result *res, slot *s) {
    jsonrec rec;
    spin_diag d;
    memset(&d, 0, sizeof d);
    size_t i = 0;
    while (i < s->len && (s->line[i] == ' ' || s->line[i] == '\t'))
        ++i;
    if (i == s->len) { /* a blank line: copied (annotate), an empty record (attributes) */
        s->blank = true;
        memset(&rec, 0, sizeof rec);
        rec.line = s->line;
        rec.len = s->len;
        if (p->c->mode == PIPE_ANNOTATE)
            jsonrec_annotate(&s->out, &rec, p->c->name, NULL, NULL, NULL);
        else
            jsonrec_attributes(&s->out, &rec, p->c->name, NULL, p->model_id);
        return;
    }
    spin_status st = jsonrec_parse(s->line, s->len, p->c->text_field, &rec, &d);
    if (st == SPIN_OK) {
        st = detect_run(det, rec.text, rec.text_len, res, &d);
        if (st == SPIN_EFORMAT)
            snprintf(d.message, sizeof d.message, "not text (binary data in the text field)");
    }
    if (st == SPIN_ENOMEM)
        snprintf(d.message, sizeof d.message, "out of memory");
    if (st != SPIN_OK) {
        s->unscorable = true;
        snprintf(s->msg, sizeof s->msg, "%s", d.message);
    }
    if (p->c->mode == PIPE_ANNOTATE)
        jsonrec_annotate(&s->out, &rec, p->c->name, st == SPIN_OK ? res : NULL, p->model_id,
                         s->msg);
    else
        jsonrec_attributes(&s->out, &rec, p->c->name, st == SPIN_OK ? res : NULL, p->model_id);
    jsonrec_free(&rec);
}

static void *worker(void *arg) {
    worker_arg *wa = arg;
    jpipe *p = wa->p;
    det_result res;
    memset(&res, 0, sizeof res);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* Slots before 'written' are done (and may hold newer records now). */
        if (p->claimed < p->written)
            p->claimed = p->written;
        while (!p->stop && p->claimed < p->produced &&
               p->slots[p->claimed % p->window].state != S_READY)
            ++p->claimed; /* markers need no work */
        if (p->stop || (p->claimed == p->produced && p->producer_done))
            break;
        if (p->claimed == p->produced) {
            pthread_cond_wait(&p->work_cv, &p->mu);
            continue;
        }
        slot *s = &p->slots[p->claimed++ % p->window];
        s->state = S_WORKING;
        pthread_mutex_unlock(&p->mu);
        process(p, wa->det, &res, s);
        pthread_mutex_lock(&p->mu);
        s->state = S_DONE;
        pthread_cond_broadcast(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    det_result_free(&res);
    return NULL;
}

/* ---- the writer (main thread) ---- */

typedef struct sink {
    outfile of;
    writer *w;
    bool open;
    const char *name;
} sink;

static int mkdirs(const char *path) {
    char *dup = strdup(path);
    if (!dup)
        return -1;
    for (char *q = dup + 1; *q; ++q) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(dup, 0777) != 0 && errno != EEXIST) {
            cli_error("%s: cannot create the directory: %s", dup, strerror(errno));
            free(dup);
            return -1;
        }
        *q = '/';
    }
    free(dup);
    return 0;
}

static int sink_open(sink *k, const char *path, writer_format f) {
    memset(k, 0, sizeof *k);
    if (path && mkdirs(path) != 0)
        return -1;
    if (outfile_open(&k->of, path) != 0)
        return -1;
    fflush(k->of.f);
    spin_diag d;
    k->name = path ? path : "standard output";
    if (writer_open_fd(fileno(k->of.f), k->name, f, &k->w, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        outfile_close(&k->of, false);
        return -1;
    }
    k->open = true;
    return 0;
}

static int sink_close(sink *k, bool keep) {
    if (!k->open)
        return 0;
    int rc = 0;
    spin_diag d;
    if (keep && writer_finish(k->w, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        keep = false;
        rc = -1;
    }
    writer_free(k->w);
    if (outfile_close(&k->of, keep) != 0)
        rc = -1;
    k->open = false;
    return rc;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int jsonl_pipe_run(const pipe_config *c, const loaded_detector *ld, const pipe_file *files,
                   size_t nfiles) {
    jpipe p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.ld = ld;
    p.files = files;
    p.nfiles = nfiles;
    p.window = c->threads * WINDOW_PER_THREAD + 16;
    p.model_id = api_detector_id(ld->sd);
    p.slots = calloc(p.window, sizeof *p.slots);
    detector **dets = calloc(c->threads, sizeof *dets);
    worker_arg *wa = calloc(c->threads, sizeof *wa);
    pthread_t *tids = calloc(c->threads + 1, sizeof *tids);
    if (!p.slots || !dets || !wa || !tids) {
        cli_error("out of memory");
        free(p.slots);
        free(dets);
        free(wa);
        free(tids);
        return EXIT_DATA;
    }
    int status = EXIT_OK;
    for (size_t i = 0; i < c->threads && status == EXIT_OK; ++i)
        if (!(dets[i] = detector_load_new(ld)))
            status = EXIT_DATA;
    sink out;
    memset(&out, 0, sizeof out);
    if (status == EXIT_OK && c->mode == PIPE_ANNOTATE &&
        sink_open(&out, c->out_path, (writer_format)c->out_format) != 0)
        status = EXIT_DATA;
    if (status != EXIT_OK) {
        for (size_t i = 0; i < c->threads; ++i)
            detector_free(dets[i]);
        free(p.slots);
        free(dets);
        free(wa);
        free(tids);
        return status;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.space_cv, NULL);
    pthread_cond_init(&p.work_cv, NULL);
    pthread_cond_init(&p.done_cv, NULL);
    size_t started = 0;
    bool fatal = false;
    if (pthread_create(&tids[0], NULL, producer, &p) == 0)
        ++started;
    for (size_t i = 0; i < c->threads && started == i + 1; ++i) {
        wa[i].p = &p;
        wa[i].det = dets[i];
        if (pthread_create(&tids[i + 1], NULL, worker, &wa[i]) == 0)
            ++started;
    }
    if (started < c->threads + 1) {
        cli_error("cannot start threads: %s", strerror(errno));
        fatal = true;
    }

    uint64_t records = 0, unscorable = 0, bytes = 0, files_done = 0, files_failed = 0;
    double t0 = now();
    bool file_failed = false; /* the current attributes file is abandoned */
    size_t cur_file = (size_t)-1;
    pthread_mutex_lock(&p.mu);
    while (!fatal) {
        slot *s = &p.slots[p.written % p.window];
        while (!(p.written < p.produced && s->state == S_DONE) &&
               !(p.producer_done && p.written == p.produced))
            pthread_cond_wait(&p.done_cv, &p.mu);
        if (p.written == p.produced)
            break; /* everything written */
        pthread_mutex_unlock(&p.mu);
        spin_diag d;
        if (c->mode == PIPE_ATTRIBUTES && s->file != cur_file) {
            cur_file = s->file;
            file_failed = false;
            if (sink_open(&out, files[cur_file].out, writer_format_for(files[cur_file].out)) != 0)
                fatal = true;
        }
        if (!fatal && s->kind == K_LINE) {
            records += !s->blank;
            bytes += s->len;
            if (s->unscorable) {
                ++unscorable;
                if (!c->quiet)
                    cli_error("%s:%llu: warning: %s (written %s)",
                              strcmp(files[s->file].in, "-") ? files[s->file].in : "<stdin>",
                              (unsigned long long)s->line_no, s->msg,
                              c->mode == PIPE_ATTRIBUTES           ? "with empty attributes"
                              : !strncmp(s->msg, "not a JSON", 10) ? "unchanged"
                                                                   : "with an error field");
            }
            if (s->out.failed) {
                cli_error("out of memory formatting a record");
                fatal = true;
            } else if (!file_failed && writer_write(out.w, s->out.p, s->out.len, &d) != SPIN_OK) {
                cli_print_diag(&d, NULL);
                fatal = true;
            }
        } else if (!fatal && s->kind == K_FILE_END) {
            ++files_done;
            if (c->mode == PIPE_ATTRIBUTES && sink_close(&out, !file_failed) != 0)
                fatal = true;
        } else if (!fatal && s->kind == K_FILE_ERROR) {
            ++files_failed;
            cli_error("%s", s->msg);
            if (c->mode == PIPE_ATTRIBUTES) {
                /* A partial attributes file would misalign the mixer: none. */
                cli_error("%s: not written (its documents file could not be read whole)",
                          files[s->file].out);
                sink_close(&out, false);
            } else {
                fatal = true; /* the output would miss lines */
            }
        }
        free(s->line);
        s->line = NULL;
        jsonbuf_free(&s->out);
        pthread_mutex_lock(&p.mu);
        p.bytes -= s->len;
        s->len = 0;
        s->state = S_EMPTY;
        ++p.written;
        pthread_cond_broadcast(&p.space_cv);
    }
    if (fatal) {
        p.stop = true;
        pthread_cond_broadcast(&p.space_cv);
        pthread_cond_broadcast(&p.work_cv);
    }
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < started; ++i)
        pthread_join(tids[i], NULL);
    for (size_t i = 0; i < p.window; ++i) {
        free(p.slots[i].line);
        jsonbuf_free(&p.slots[i].out);
    }
    if (c->mode == PIPE_ANNOTATE) {
        if (sink_close(&out, !fatal) != 0)
            fatal = true;
    } else {
        sink_close(&out, false); /* a file cut short by a fatal error */
    }
    double el = now() - t0;
    if (!c->quiet)
        fprintf(stderr,
                "spinscan: %llu records, %llu scored, %llu could not be scored; %llu of %zu "
                "files read whole; %.1f MB in %.1f s (%.2f MB/s) with %s\n",
                (unsigned long long)records, (unsigned long long)(records - unscorable),
                (unsigned long long)unscorable, (unsigned long long)files_done, nfiles,
                (double)bytes / 1e6, el, el > 0 ? (double)bytes / 1e6 / el : 0.0, p.model_id);
    for (size_t i = 0; i < c->threads; ++i)
        detector_free(dets[i]);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.space_cv);
    pthread_cond_destroy(&p.work_cv);
    pthread_cond_destroy(&p.done_cv);
    free(p.slots);
    free(dets);
    free(wa);
    free(tids);
    if (fatal)
        return EXIT_DATA;
    return unscorable || files_failed ? 3 : EXIT_OK;
}
