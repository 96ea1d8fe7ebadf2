/* jsonl_pipe.c - see jsonl_pipe.h. */
#include "cli/jsonl_pipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "crawl/family.h"
#include "crawl/jsonrec.h"
#include "crawl/rank.h"
#include "text/lines.h"
#include "text/reader.h"
#include "text/writer.h"
#include "util/mem.h"

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
    /* families: a scored record's key, text score (millionths) and signature */
    bool has_sig;
    uint32_t units;
    char *key;
    size_t key_len;
    jsonrec_attr_pos pos;
    fam_sig sig;
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
    s->has_sig = false;
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
            s->unscorable = s->blank = s->has_sig = false;
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
        jsonrec_attributes_at(&s->out, &rec, p->c->name, st == SPIN_OK ? res : NULL, p->model_id,
                              &s->pos);
    if (st == SPIN_OK && p->c->families) {
        /* The key and score rank would give the document (crawl/rank.h), so
         * that families and their ids are those of rank --families. */
        fam_signature(rec.text, rec.text_len, &s->sig);
        s->units =
            res->verdict == DET_UNSUPPORTED ? RANK_UNSUPPORTED : rank_score_units(res->spin_score);
        if (rec.key) {
            s->key = rec.key;
            s->key_len = rec.key_len;
            rec.key = NULL;
        } else {
            char at[1100];
            s->key_len = (size_t)snprintf(at, sizeof at, "%s:%llu", p->files[s->file].in,
                                          (unsigned long long)s->line_no);
            if (s->key_len >= sizeof at)
                s->key_len = sizeof at - 1;
            s->key = mem_strndup(at, s->key_len);
        }
        s->has_sig = s->key != NULL;
        if (!s->key)
            s->out.failed = true; /* out of memory: the writer stops */
    }
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

/* ---- families: the stage file and the pass after the last document ---- */

/* One record of the stage: this header, then 'len' bytes of attribute line.
 * Written and read back by the same process: native layout. */
typedef struct stage_head {
    uint32_t kind; /* K_LINE, K_FILE_END, K_FILE_ERROR */
    uint32_t has_sig;
    uint64_t file, len;
    jsonrec_attr_pos pos;
} stage_head;

typedef struct stage {
    int fd;
    writer *w;
    char path[4200];
} stage;

static int stage_open(stage *g, const char *dir) {
    memset(g, 0, sizeof *g);
    g->fd = -1;
    snprintf(g->path, sizeof g->path, "%s/.spinscan-stage-XXXXXX", dir);
    if (mkdirs(g->path) != 0)
        return -1;
    if ((g->fd = mkstemp(g->path)) < 0) {
        cli_error("%s: cannot create the temporary stage file: %s", g->path, strerror(errno));
        return -1;
    }
    unlink(g->path); /* gone with the process, whatever happens */
    spin_diag d;
    if (writer_open_fd(g->fd, g->path, WRITER_ZSTD, &g->w, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        close(g->fd);
        g->fd = -1;
        return -1;
    }
    return 0;
}

static void stage_close(stage *g) {
    writer_free(g->w);
    g->w = NULL;
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}

static int stage_put(stage *g, const slot *s) {
    stage_head h;
    memset(&h, 0, sizeof h);
    h.kind = (uint32_t)s->kind;
    h.has_sig = s->kind == K_LINE && s->has_sig;
    h.file = s->file;
    h.len = s->kind == K_LINE ? s->out.len : 0;
    h.pos = s->pos;
    spin_diag d;
    if (writer_write(g->w, &h, sizeof h, &d) != SPIN_OK ||
        (h.len && writer_write(g->w, s->out.p, s->out.len, &d) != SPIN_OK)) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    return 0;
}

/* Reads exactly 'n' bytes; 0 at the end of the stage before any. */
static int stage_read(reader *r, void *buf, size_t n, const char *path) {
    size_t have = 0;
    while (have < n) {
        size_t got;
        spin_diag d;
        if (reader_read(r, (char *)buf + have, n - have, &got, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            return -1;
        }
        if (got == 0)
            break;
        have += got;
    }
    if (have == n)
        return 1;
    if (have == 0)
        return 0;
    cli_error("%s: the temporary stage file ends early", path);
    return -1;
}

/* Which members a mixer may drop: all of a family but its least spun member
 * (the likeliest original; ties by the canonical order), preferring one
 * whose documents file gets its attributes file. */
typedef struct drop_ctx {
    const fam_set *fs;
    unsigned char *drop;    /* per document: 1 to drop */
    const uint64_t *failed; /* [lo, hi) document ranges of unreadable files */
    size_t nfailed;
    uint64_t families, spun, members;
} drop_ctx;

static bool in_failed(const drop_ctx *x, size_t m) {
    for (size_t i = 0; i < x->nfailed; ++i)
        if (m >= x->failed[2 * i] && m < x->failed[2 * i + 1])
            return true;
    return false;
}

static int mark_drops(void *ctx, const size_t *members, size_t n, const fam_info *fi) {
    drop_ctx *x = ctx;
    size_t keep = 0;
    bool keep_failed = in_failed(x, members[0]);
    for (size_t i = 1; i < n; ++i) {
        bool f = in_failed(x, members[i]);
        if ((keep_failed && !f) || (f == keep_failed && fam_set_score(x->fs, members[i]) <
                                                            fam_set_score(x->fs, members[keep]))) {
            keep = i;
            keep_failed = f;
        }
    }
    for (size_t i = 0; i < n; ++i)
        x->drop[members[i]] = i != keep;
    ++x->families;
    x->spun += fi->kind == FAM_SPUN;
    x->members += n;
    return 0;
}

/* The family attributes of document 'idx' appended to 'b' (docs/families.md):
 * only numbers, as Dolma's readers take a span's value as a float. */
static void family_attrs(jsonbuf *b, const char *name, const fam_info *fi, bool drop, size_t ncp) {
    char tmp[600];
    int n;
    if (fi->id[0]) {
        /* The first 13 hex digits of the id (52 bits): exact as a double. */
        char h[14];
        memcpy(h, fi->id + 1, 13);
        h[13] = '\0';
        n = snprintf(tmp, sizeof tmp, ", \"%s__family\": [[0, %zu, %llu]]", name, ncp,
                     strtoull(h, NULL, 16));
    } else {
        n = snprintf(tmp, sizeof tmp, ", \"%s__family\": []", name);
    }
    jsonbuf_put(b, tmp, (size_t)n);
    n = snprintf(tmp, sizeof tmp,
                 ", \"%s__family_size\": [[0, %zu, %u]], \"%s__family_spun\": [[0, %zu, %d]], "
                 "\"%s__family_duplicate\": [[0, %zu, %d]], \"%s__family_drop\": [[0, %zu, %d]]",
                 name, ncp, fi->size, name, ncp, fi->kind == FAM_SPUN, name, ncp,
                 fi->kind == FAM_DUPLICATE, name, ncp, drop);
    jsonbuf_put(b, tmp, (size_t)n);
}

typedef struct fam_stats {
    uint64_t families, spun, members, dropped;
} fam_stats;

/* After the last document: solves the families and copies the stage into
 * the attributes files with the family attributes.  0, or -1 after printing
 * why. */
static int families_pass(const pipe_config *c, const pipe_file *files, stage *g, fam_set *fs,
                         const uint64_t *failed, size_t nfailed, fam_stats *fst) {
    spin_diag d;
    if (writer_finish(g->w, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    size_t n = fam_set_count(fs);
    unsigned char *drop = mem_calloc(n ? n : 1, 1);
    spin_status st = drop ? fam_set_solve(fs) : SPIN_ENOMEM;
    drop_ctx x = {fs, drop, failed, nfailed, 0, 0, 0};
    if (st == SPIN_OK && fam_set_each(fs, mark_drops, &x) != 0)
        st = SPIN_ENOMEM;
    if (st != SPIN_OK) {
        cli_error("%s finding the families",
                  st == SPIN_ENOMEM ? "out of memory" : spin_strerror(st));
        mem_free(drop);
        return -1;
    }
    fst->families = x.families;
    fst->spun = x.spun;
    fst->members = x.members;
    reader *r = NULL;
    if (lseek(g->fd, 0, SEEK_SET) != 0) {
        cli_error("%s: cannot read the temporary stage file back: %s", g->path, strerror(errno));
        mem_free(drop);
        return -1;
    }
    if (reader_open_fd(g->fd, g->path, &r, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        mem_free(drop);
        return -1;
    }
    sink out;
    memset(&out, 0, sizeof out);
    size_t cur_file = (size_t)-1, idx = 0;
    char *line = NULL;
    size_t cap = 0;
    jsonbuf b;
    memset(&b, 0, sizeof b);
    int rc = 0;
    for (;;) {
        stage_head h;
        int got = stage_read(r, &h, sizeof h, g->path);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (h.len + 1 > cap) {
            char *nl = mem_realloc(line, h.len + 1);
            if (!nl) {
                cli_error("out of memory");
                rc = -1;
                break;
            }
            line = nl;
            cap = h.len + 1;
        }
        if (h.len && (got = stage_read(r, line, h.len, g->path)) != 1) {
            if (got == 0)
                cli_error("%s: the temporary stage file ends early", g->path);
            rc = -1;
            break;
        }
        if (h.file != cur_file) {
            cur_file = h.file;
            if (h.kind != K_FILE_ERROR &&
                sink_open(&out, files[cur_file].out, writer_format_for(files[cur_file].out)) != 0) {
                rc = -1;
                break;
            }
        }
        if (h.kind == K_FILE_END) {
            if (sink_close(&out, true) != 0) {
                rc = -1;
                break;
            }
            continue;
        }
        if (h.kind == K_FILE_ERROR) {
            sink_close(&out, false); /* reported by the first pass */
            continue;
        }
        const char *w = line;
        size_t wl = h.len;
        if (h.has_sig) {
            fam_info fi;
            fam_set_info(fs, idx, &fi);
            uint32_t units = fam_set_score(fs, idx);
            uint32_t boosted = fam_boost_units(units, &fi);
            b.len = 0;
            if (boosted != units && h.pos.score_end > h.pos.score_start) {
                /* rank --families's score (family.h) */
                char num[32];
                int k = snprintf(num, sizeof num, "%.6g", boosted / 1e6);
                jsonbuf_put(&b, line, h.pos.score_start);
                jsonbuf_put(&b, num, (size_t)k);
                jsonbuf_put(&b, line + h.pos.score_end, h.pos.close - h.pos.score_end);
            } else {
                jsonbuf_put(&b, line, h.pos.close);
            }
            family_attrs(&b, c->name, &fi, drop[idx], h.pos.ncp);
            jsonbuf_put(&b, line + h.pos.close, h.len - h.pos.close);
            fst->dropped += drop[idx];
            ++idx;
            if (b.failed) {
                cli_error("out of memory formatting a record");
                rc = -1;
                break;
            }
            w = b.p;
            wl = b.len;
        }
        if (out.open && writer_write(out.w, w, wl, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            rc = -1;
            break;
        }
    }
    sink_close(&out, false); /* a file cut short */
    reader_free(r);
    mem_free(line);
    jsonbuf_free(&b);
    mem_free(drop);
    return rc;
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
    bool families = c->mode == PIPE_ATTRIBUTES && c->families;
    stage g;
    memset(&g, 0, sizeof g);
    g.fd = -1;
    fam_set *fs = NULL;
    uint64_t *failed = NULL; /* [lo, hi) documents of files not read whole */
    size_t nfailed = 0;
    if (status == EXIT_OK && c->mode == PIPE_ANNOTATE &&
        sink_open(&out, c->out_path, (writer_format)c->out_format) != 0)
        status = EXIT_DATA;
    if (status == EXIT_OK && families && fam_set_new(&fs) != SPIN_OK) {
        cli_error("out of memory");
        status = EXIT_DATA;
    }
    if (status == EXIT_OK && families && stage_open(&g, c->stage_dir) != 0)
        status = EXIT_DATA;
    if (status != EXIT_OK) {
        fam_set_free(fs);
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
    size_t cur_file = (size_t)-1, file_first_doc = 0;
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
            file_first_doc = families ? fam_set_count(fs) : 0;
            if (!families &&
                sink_open(&out, files[cur_file].out, writer_format_for(files[cur_file].out)) != 0)
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
            } else if (families) {
                if (stage_put(&g, s) != 0) {
                    fatal = true;
                } else if (s->has_sig && fam_set_add(fs, s->key, s->key_len, s->units, &s->sig,
                                                     NULL) != SPIN_OK) {
                    cli_error("out of memory keeping the signatures");
                    fatal = true;
                }
            } else if (!file_failed && writer_write(out.w, s->out.p, s->out.len, &d) != SPIN_OK) {
                cli_print_diag(&d, NULL);
                fatal = true;
            }
        } else if (!fatal && s->kind == K_FILE_END) {
            ++files_done;
            if (families ? stage_put(&g, s) != 0
                         : c->mode == PIPE_ATTRIBUTES && sink_close(&out, !file_failed) != 0)
                fatal = true;
        } else if (!fatal && s->kind == K_FILE_ERROR) {
            ++files_failed;
            cli_error("%s", s->msg);
            if (c->mode == PIPE_ATTRIBUTES) {
                /* A partial attributes file would misalign the mixer: none. */
                cli_error("%s: not written (its documents file could not be read whole)",
                          files[s->file].out);
                sink_close(&out, false);
                if (families) {
                    uint64_t *nf = mem_realloc_array(failed, 2 * (nfailed + 1), sizeof *nf);
                    if (!nf || stage_put(&g, s) != 0) {
                        if (!nf)
                            cli_error("out of memory");
                        fatal = true;
                    }
                    if (nf) {
                        failed = nf;
                        failed[2 * nfailed] = file_first_doc;
                        failed[2 * nfailed++ + 1] = fam_set_count(fs);
                    }
                }
            } else {
                fatal = true; /* the output would miss lines */
            }
        }
        free(s->line);
        s->line = NULL;
        mem_free(s->key);
        s->key = NULL;
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
        mem_free(p.slots[i].key);
    }
    fam_stats fst;
    memset(&fst, 0, sizeof fst);
    if (families && !fatal && families_pass(c, files, &g, fs, failed, nfailed, &fst) != 0)
        fatal = true;
    stage_close(&g);
    fam_set_free(fs);
    mem_free(failed);
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
    if (!c->quiet && families && !fatal)
        fprintf(stderr,
                "spinscan: %llu families (%llu spun, %llu duplicate) of %llu documents; "
                "%llu marked family_drop\n",
                (unsigned long long)fst.families, (unsigned long long)fst.spun,
                (unsigned long long)(fst.families - fst.spun), (unsigned long long)fst.members,
                (unsigned long long)fst.dropped);
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
