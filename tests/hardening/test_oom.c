/* test_oom.c - every out-of-memory path, really run (Lua's approach).
 *
 * For each operation below, the N-th allocation through mem.h fails, for
 * N = 1, 2, ... until the operation completes without reaching its N-th
 * allocation.  Each failing run must return SPIN_ENOMEM (or succeed, where
 * the code can do without the memory) and leave nothing behind: under
 * `make test SANITIZE=address,undefined` LeakSanitizer checks at exit that
 * every failed run freed what it had, and ASan that no half-built object was
 * used.  ICU, GSL and libxml2 allocate outside mem.h and are not failed here;
 * zlib, bzip2 and lzma are (src/text/reader.c routes them through mem.h).
 *
 * Operations: ARPA loading (memory, plain and gzip file), compiling to the
 * binary format, binary loading (file mapping and memory copy), scoring,
 * tokenizing, detection, report writing, and the pieces of ranking (reading
 * JSON Lines and WARC inputs, HTML to text, ranking entries and their order).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"
#include "text/html.h"
#include "crawl/input.h"
#include "util/mem.h"
#include "crawl/family.h"
#include "crawl/rank.h"
#include "detect/report.h"
#include "spinscan.h"
#include "tap.h"
#include "text/tokenize.h"

#include "fuzz/tiny_model.h"
#include "support/json_check.h"
#include "support/scratch.h"

/* Runs beyond this many allocations mean the loop is not converging. */
#define MAX_RUNS 20000

static char tmpdir[] = "/tmp/spinscan-test-oom.XXXXXX";

static const char *tmp_path(const char *name) {
    return scratch_path(tmpdir, name);
}

/* Files in the temporary directory with ".tmp" in their name: what a failed
 * write would leave behind. */
static int count_temporaries(void) {
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp"))
            ++n;
    if (d)
        closedir(d);
    return n;
}

/* One operation: returns its status and releases everything it made. */
typedef spin_status (*op_fn)(void *ctx);

/* Fails allocation 1, 2, ... of 'op' in turn (see the top of the file). */
static void each_failure(const char *what, op_fn op, void *ctx) {
    unsigned long n, bad = 0, used = 0;
    spin_status first_bad = SPIN_OK;
    for (n = 1; n <= MAX_RUNS; ++n) {
        mem_fail_at(n);
        spin_status st = op(ctx);
        used = mem_fail_at(0);
        if (used < n) { /* the failure was never reached */
            if (st != SPIN_OK) {
                ++bad;
                first_bad = st;
                tap_diag("%s: fails (%s) with no allocation failing", what, spin_strerror(st));
            }
            break;
        }
        if (st != SPIN_OK && st != SPIN_ENOMEM) {
            if (!bad)
                tap_diag("%s: allocation %lu failing gave %s", what, n, spin_strerror(st));
            ++bad;
            first_bad = st;
        }
    }
    ok(n <= MAX_RUNS, "%s: completes once allocations stop failing (%lu allocations)", what, n - 1);
    is_int(bad, 0, "%s: every failed allocation gave SPIN_ENOMEM%s%s", what, bad ? ", not " : "",
           bad ? spin_strerror(first_bad) : "");
}

/* ---- models ---- */

static spin_status op_arpa_memory(void *ctx) {
    (void)ctx;
    spin_model *m = NULL;
    spin_status st =
        spin_model_open_memory(tiny_model_arpa, sizeof tiny_model_arpa - 1, "tiny", NULL, &m, NULL);
    if (st == SPIN_OK && !m)
        st = SPIN_EINVAL;
    spin_model_free(m);
    return st;
}

static spin_status op_open_path(void *ctx) {
    spin_model *m = NULL;
    spin_diag d;
    spin_status st = spin_model_open((const char *)ctx, NULL, &m, &d);
    spin_model_free(m);
    return st;
}

static spin_status op_compile(void *ctx) {
    const char **paths = ctx;
    spin_write_options w;
    spin_write_options_init(&w);
    if (paths[2])
        w.layout = SPIN_LAYOUT_COMPACT;
    return spin_compile(paths[0], paths[1], NULL, &w, NULL);
}

typedef struct image {
    unsigned char *data;
    size_t len;
} image;

static spin_status op_binary_memory(void *ctx) {
    image *im = ctx;
    spin_load_options o;
    spin_load_options_init(&o);
    o.verify = true;
    spin_model *m = NULL;
    spin_status st = spin_model_open_memory(im->data, im->len, "tiny.bin", &o, &m, NULL);
    spin_model_free(m);
    return st;
}

static bool read_file(const char *path, image *im) {
    im->data = (void *)tu_slurp(path, &im->len);
    return im->data != NULL;
}

static void test_models(void) {
    each_failure("ARPA from memory", op_arpa_memory, NULL);

    const char *arpa = tmp_path("tiny.arpa");
    scratch_write(arpa, tiny_model_arpa, sizeof tiny_model_arpa - 1);
    each_failure("ARPA file", op_open_path, (void *)arpa);

    static unsigned char gz[8192];
    size_t gzlen = 0;
    scratch_gzip(6, tiny_model_arpa, sizeof tiny_model_arpa - 1, gz, sizeof gz, &gzlen);
    const char *arpa_gz = tmp_path("tiny.arpa.gz");
    scratch_write(arpa_gz, gz, gzlen);
    each_failure("ARPA file, gzip", op_open_path, (void *)arpa_gz);

    const char *bin = tmp_path("tiny.bin"), *cbin = tmp_path("tiny.cbin");
    const char *probing[3] = {arpa, bin, NULL}, *compact[3] = {arpa, cbin, "compact"};
    each_failure("compile, probing layout", op_compile, probing);
    each_failure("compile, compact layout", op_compile, compact);
    is_int(count_temporaries(), 0, "compile: no temporary file left behind by a failed run");
    each_failure("binary model file, probing", op_open_path, (void *)bin);
    each_failure("binary model file, compact", op_open_path, (void *)cbin);
    image im;
    if (read_file(cbin, &im)) {
        each_failure("binary model from memory, verified", op_binary_memory, &im);
        free(im.data);
    } else {
        tap_skip(2, "compact model not written");
    }
}

/* ---- scoring, tokenizing, detection, reports ---- */

static const char document[] =
    "Harbour Notes\n"
    "The harbour was quiet. The sea was quiet and the boat is a quiet boat of the harbour.\n"
    "Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac, bad \xff byte, https://example.org/x and "
    "mail@example.net at 10:30!\n"
    "quiet quiet quiet sea sea sea boat boat boat harbour harbour harbour morning morning.\n";

static spin_model *model;

static spin_status op_score(void *ctx) {
    (void)ctx;
    const char *s = "the harbour was quiet . of the sea";
    spin_score words[16];
    spin_sentence_score t =
        spin_score_sentence(model, s, strlen(s), SPIN_SCORE_BOS | SPIN_SCORE_EOS, words);
    return t.tokens == 9 ? SPIN_OK : SPIN_EINVAL;
}

static spin_status op_tokenize(void *ctx) {
    (void)ctx;
    tokenizer *t = NULL;
    spin_status st = tokenize_new(&t, NULL);
    if (st != SPIN_OK)
        return st;
    tok_doc doc;
    st = tokenize_doc(t, document, sizeof document - 1, &doc, NULL);
    tokenize_doc_free(&doc);
    if (st == SPIN_OK) {
        char *out = NULL;
        size_t len;
        st = tokenize_lines_buf(t, document, sizeof document - 1, &out, &len, NULL, NULL);
        mem_free(out);
    }
    tokenize_free(t);
    return st;
}

static det_params params;

static spin_status op_detect(void *ctx) {
    det_result *keep = ctx;
    detector *d = NULL;
    spin_status st = detector_new(model, NULL, &params, &d, NULL);
    if (st != SPIN_OK)
        return st;
    det_result r;
    memset(&r, 0, sizeof r);
    st = detect_run(d, document, sizeof document - 1, &r, NULL);
    if (st == SPIN_OK && keep && !keep->sentences) {
        *keep = r; /* the report test below uses one real result */
        memset(&r, 0, sizeof r);
    }
    det_result_free(&r);
    detector_free(d);
    return st;
}

static spin_status op_report(void *ctx) {
    const det_result *r = ctx;
    char *buf = NULL;
    size_t len = 0;
    spin_status st = SPIN_OK;
    for (int f = REPORT_TEXT; f <= REPORT_HTML && st == SPIN_OK; ++f) {
        FILE *out = open_memstream(&buf, &len);
        if (!out)
            return SPIN_EIO;
        report_options o = {(report_format)f, true, "oom", NULL, NULL, NULL};
        report_doc doc = {"doc.txt", document, sizeof document - 1, r, NULL};
        st = report_begin(out, &o);
        if (st == SPIN_OK)
            st = report_document(out, &o, &doc);
        if (st == SPIN_OK)
            st = report_end(out, &o);
        report_abandon(&o);
        fclose(out);
        free(buf);
        buf = NULL;
    }
    return st;
}

static void test_pipeline(void) {
    if (spin_model_open_memory(tiny_model_arpa, sizeof tiny_model_arpa - 1, "tiny", NULL, &model,
                               NULL) != SPIN_OK) {
        tap_skip(10, "tiny model does not load");
        return;
    }
    det_params_default(&params);
    each_failure("scoring", op_score, NULL);
    each_failure("tokenizing", op_tokenize, NULL);
    det_result r;
    memset(&r, 0, sizeof r);
    each_failure("detection", op_detect, &r);
    ok(r.nsentences >= 4, "detection found the sentences (%zu)", r.nsentences);
    each_failure("reports", op_report, &r);
    det_result_free(&r);
    spin_model_free(model);
    model = NULL;
}

/* ---- ranking ---- */

typedef struct rank_ctx {
    char *paths[2];
    size_t npaths;
    size_t docs; /* documents seen in the last complete run */
} rank_ctx;

/* Reads every input, converts HTML, scores each document with the tiny
 * model and ranks it: the library side of `spinscan rank`. */
static spin_status op_rank(void *ctx) {
    rank_ctx *rc = ctx;
    input_options o;
    input_options_init(&o);
    input *in = NULL;
    ranking *rk = NULL;
    detector *d = NULL;
    det_result r;
    memset(&r, 0, sizeof r);
    spin_status st = input_open(rc->paths, rc->npaths, &o, &in);
    if (st == SPIN_OK)
        st = ranking_new(0, &rk);
    if (st == SPIN_OK)
        st = detector_new(model, NULL, &params, &d, NULL);
    size_t docs = 0;
    uint64_t seq = 0;
    while (st == SPIN_OK) {
        input_event ev;
        input_doc doc;
        memset(&doc, 0, sizeof doc);
        input_skip why;
        spin_diag diag;
        st = input_next(in, &ev, &doc, &why, &diag);
        if (st != SPIN_OK || ev == INPUT_END)
            break;
        if (ev == INPUT_SKIPPED)
            continue; /* the inputs hold a few bad records on purpose */
        char *text = doc.text;
        size_t len = doc.len;
        char *plain = NULL;
        if (doc.html) {
            st = html_to_text(doc.text, doc.len, doc.charset, &plain, &len, NULL);
            text = plain;
        }
        if (st == SPIN_OK)
            st = detect_run(d, text, len, &r, NULL);
        rank_entry *e = NULL;
        if (st == SPIN_OK)
            st = rank_entry_make(RANK_JSONL, doc.id, doc.id_len, &r, text, len, seq++, &e);
        if (st == SPIN_OK)
            st = ranking_add(rk, e);
        mem_free(plain);
        input_doc_free(&doc);
        ++docs;
    }
    if (st == SPIN_OK) {
        rank_entry *const *entries;
        size_t n = ranking_sorted(rk, &entries);
        if (n != docs)
            st = SPIN_EINVAL;
        rc->docs = docs;
    }
    det_result_free(&r);
    detector_free(d);
    ranking_free(rk);
    input_free(in);
    return st;
}

static void test_rank(void) {
    if (spin_model_open_memory(tiny_model_arpa, sizeof tiny_model_arpa - 1, "tiny", NULL, &model,
                               NULL) != SPIN_OK) {
        tap_skip(5, "tiny model does not load");
        return;
    }
    html_init();
    const char jsonl[] =
        "{\"id\": \"b\", \"text\": \"The harbour was quiet. The sea was quiet.\"}\n"
        "{\"id\": \"a\", \"text\": \"<html><body><p>The boat is a quiet "
        "boat.</p></body></html>\"}\n"
        "not json\n"
        "{\"url\": \"http://example.org/c\", \"text\": \"quiet quiet quiet sea sea sea.\"}\n";
    static const char payload[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><body><h1>Notes</h1><p>Of the sea and the harbour.</p>"
        "</body></html>";
    static const char conv[] = "Converted text of the morning. The sea was quiet.\n";
    char warc[2048];
    int wl =
        snprintf(warc, sizeof warc,
                 "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/r\r\n"
                 "Content-Type: application/http; msgtype=response\r\n"
                 "Content-Length: %zu\r\n\r\n%s\r\n\r\n"
                 "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://example.org/w\r\n"
                 "Content-Length: %zu\r\n\r\n%s\r\n\r\n",
                 sizeof payload - 1, payload, sizeof conv - 1, conv);
    static unsigned char gz[4096];
    size_t gzlen = 0;
    scratch_gzip(6, warc, (size_t)wl, gz, sizeof gz, &gzlen);
    char *jpath = strdup(tmp_path("docs.jsonl")), *wpath = strdup(tmp_path("crawl.warc.gz"));
    scratch_write(jpath, jsonl, sizeof jsonl - 1);
    scratch_write(wpath, gz, gzlen);
    rank_ctx rc = {{jpath, wpath}, 2, 0};
    each_failure("ranking JSON Lines and WARC", op_rank, &rc);
    is_int(rc.docs, 5, "ranking saw every good document");
    free(jpath);
    free(wpath);
    spin_model_free(model);
    model = NULL;
}

/* ---- spin families ---- */

static const char *const fam_texts[] = {
    "The council voted on Tuesday to restore the old bridge, which has been closed since 2019. "
    "Engineers said the repairs would take about a year and cost the town four million pounds. "
    "The mayor thanked the residents for their patience.\n",
    "The council balloted on Tuesday to regain the antique bridge, which has been shut since "
    "2019. Technicians said the fixes would need about a year and charge the town four million "
    "quid. The mayor praised the inhabitants for their tolerance.\n",
    "The council voted on Tuesday to bring back the aged bridge, which has been blocked since "
    "2019. Builders said the mending would last about a year and price the town four million "
    "pounds. The mayor lauded the locals for their endurance.\n",
    "A different story about the weather at the coast this weekend, with rain and wind.\n",
};

static void count_set(void *ctx, const char *const *w, size_t n) {
    (void)w;
    *(size_t *)ctx += n;
}

static int count_family(void *ctx, const size_t *m, size_t n, const fam_info *fi) {
    (void)m;
    (void)fi;
    *(size_t *)ctx += n;
    return 0;
}

static spin_status op_families(void *ctx) {
    size_t *members = ctx;
    fam_set *fs = NULL, *back = NULL;
    fam_subs *subs = NULL;
    rank_entry *e = NULL, *ne = NULL;
    FILE *f = NULL;
    spin_diag d;
    spin_status st = fam_set_new(&fs);
    for (size_t i = 0; i < 4 && st == SPIN_OK; ++i) {
        fam_sig sig;
        char id[8];
        snprintf(id, sizeof id, "d%zu", i);
        fam_signature(fam_texts[i], strlen(fam_texts[i]), &sig);
        st = fam_set_add(fs, id, strlen(id), 100000 * (uint32_t)i, &sig, NULL);
    }
    if (st == SPIN_OK)
        st = fam_set_solve(fs);
    if (st == SPIN_OK) {
        *members = 0;
        if (fam_set_each(fs, count_family, members) != 0)
            st = SPIN_ENOMEM;
    }
    if (st == SPIN_OK && !(f = tmpfile()))
        st = SPIN_EIO;
    if (st == SPIN_OK)
        st = fam_set_write(fs, f);
    if (st == SPIN_OK)
        st = fam_set_new(&back);
    if (st == SPIN_OK) {
        rewind(f);
        st = fam_set_read(back, f, "oom.sig", &d);
    }
    if (st == SPIN_OK)
        st = fam_set_solve(back);
    if (st == SPIN_OK)
        st = fam_subs_new(fam_texts[0], strlen(fam_texts[0]), &subs);
    for (size_t i = 1; i < 3 && st == SPIN_OK; ++i)
        st = fam_subs_add(subs, fam_texts[i], strlen(fam_texts[i]));
    size_t words = 0;
    if (st == SPIN_OK && fam_subs_each(subs, count_set, &words) == SIZE_MAX)
        st = SPIN_ENOMEM;
    const char line[] = "{\"id\": \"d1\", \"spin_score\": 0.1, \"verdict\": \"natural\"}";
    if (st == SPIN_OK)
        st = rank_entry_from_line(100000, "d1", 2, line, sizeof line - 1, 0, &e);
    if (st == SPIN_OK) {
        fam_info fi;
        fam_set_info(back, 1, &fi);
        st = rank_entry_refamily(RANK_JSONL, e, false, fam_boost_units(100000, &fi), &fi, &ne);
    }
    mem_free(e);
    mem_free(ne);
    fam_subs_free(subs);
    if (f)
        fclose(f);
    fam_set_free(back);
    fam_set_free(fs);
    return st;
}

static void test_families(void) {
    size_t members = 0;
    each_failure("spin families (signatures, solve, files, substitutions, lines)", op_families,
                 &members);
    is_int(members, 3, "the three rewrites make one family");
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        printf("1..0 # skip no temporary directory\n");
        return 0;
    }
    test_models();
    test_pipeline();
    test_rank();
    test_families();
    scratch_dir_remove(tmpdir);
    return tap_done();
}
