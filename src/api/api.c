/* api.c - the public detector and tokenizer (see spinscan.h and api.h).
 *
 * A spin_detector owns the models and the calibration (shared, read-only)
 * and a pool of detect.h detectors (a tokenizer and scratch space each):
 * spin_detect() takes one from the pool under a mutex, or makes a new one
 * when all are busy, scores without the lock and puts it back.  So the pool
 * holds as many detectors as there were concurrent callers at most.
 */
#include "api/api.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/modelpath.h"
#include "detect/report.h"
#include "text/tokenize.h"
#include "util/diag.h"
#include "util/mem.h"

struct spin_detector {
    spin_model *model, *spun;
    det_params params;
    char name[4096];
    char *info;     /* spin_detector_info() */
    char id[96];    /* api_detector_id(), also "identity" in info */
    bool judge_all; /* spin_detector_options.judge_all */
    pthread_mutex_t mu;
    detector **pool; /* idle detectors */
    size_t npool, cap;
    bool no_abstain; /* api_detector_set_abstain(d, false) */
};

struct spin_result {
    det_result res;
    char *text;
    size_t len;
    char *id;
    char *info;     /* a copy of the detector's, so that the result outlives it */
    bool id_number; /* api_result_set_id_number(): the id is a printed JSON number */
};

const char *spin_version(void) {
    return SPIN_VERSION;
}

void spin_detector_options_init(spin_detector_options *opts) {
    memset(opts, 0, sizeof *opts);
}

/* Reads the manifest at 'path' into *buf (NUL-terminated, mem_free()) and
 * *len.  A manifest that cannot be read (or is absurdly large) leaves *buf
 * NULL: the model is then unidentified, which does not stop the detector.
 * SPIN_ENOMEM only when memory runs out. */
static spin_status read_manifest(const char *path, char **buf, size_t *len) {
    enum { MANIFEST_MAX = 16 << 20 }; /* far above any manifest; a bound for a stray file */
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return SPIN_OK;
    char *b = NULL;
    size_t n = 0, cap = 0;
    bool bad = false;
    for (;;) {
        if (n + 1 >= cap) {
            size_t nc = cap ? 2 * cap : 1 << 16;
            if (nc > MANIFEST_MAX) {
                bad = true;
                break;
            }
            char *p = mem_realloc(b, nc);
            if (!p) {
                mem_free(b);
                fclose(f);
                return SPIN_ENOMEM;
            }
            b = p;
            cap = nc;
        }
        size_t got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    bad = bad || ferror(f);
    fclose(f);
    if (bad) {
        mem_free(b);
        return SPIN_OK;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return SPIN_OK;
}

/* Builds spin_detector_info() and api_detector_id(): the version, and the
 * model's identity from its manifest (packages, checksum) when there is one.
 * The one place that reads the manifest for identity: every output that
 * names the model (score's "spinscan" object, rank's and annotate's "model"
 * fields, the reports' footers) takes it from here. */
static spin_status make_info(spin_detector *d, const model_path *mp) {
    cJSON *root = cJSON_CreateObject(), *model = cJSON_CreateObject();
    if (!root || !model) {
        cJSON_Delete(root);
        cJSON_Delete(model);
        return SPIN_ENOMEM;
    }
    cJSON *packages = NULL, *sha = NULL, *manifest = NULL;
    if (mp->manifest[0]) {
        size_t n = 0;
        char *buf = NULL;
        if (read_manifest(mp->manifest, &buf, &n) != SPIN_OK) {
            cJSON_Delete(root);
            cJSON_Delete(model);
            return SPIN_ENOMEM;
        }
        manifest = buf ? cJSON_ParseWithLength(buf, n) : NULL;
        mem_free(buf);
        if (manifest) {
            packages = cJSON_DetachItemFromObject(manifest, "packages");
            sha = cJSON_DetachItemFromObject(manifest, "sha256");
        }
    }
    /* The short identity: the tool version and the first 12 hex digits of
     * the checksum (48 bits: enough to tell models apart, short enough for
     * every output line); "unknown" without a well-formed checksum. */
    const char *hex = cJSON_IsString(sha) ? sha->valuestring : "";
    size_t nhex = strspn(hex, "0123456789abcdefABCDEF");
    if (nhex >= API_ID_HEX)
        snprintf(d->id, sizeof d->id, "spinscan %s; model %.*s", SPIN_VERSION, API_ID_HEX, hex);
    else
        snprintf(d->id, sizeof d->id, "spinscan %s; model unknown", SPIN_VERSION);
    cJSON_AddStringToObject(root, "version", SPIN_VERSION);
    cJSON_AddStringToObject(root, "identity", d->id);
    cJSON_AddItemToObject(root, "model", model);
    cJSON_AddNumberToObject(model, "order", spin_model_order(d->model));
    cJSON_AddItemToObject(model, "packages", packages ? packages : cJSON_CreateNull());
    cJSON_AddItemToObject(model, "sha256", sha ? sha : cJSON_CreateNull());
    cJSON_Delete(manifest);
    d->info = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!d->info)
        return SPIN_ENOMEM;
    return SPIN_OK;
}

spin_status spin_detector_open(const char *path, spin_detector **out, spin_diag *diag) {
    return spin_detector_open_opts(path, NULL, out, diag);
}

spin_status spin_detector_open_opts(const char *path, const spin_detector_options *opts,
                                    spin_detector **out, spin_diag *diag) {
    *out = NULL;
    spin_detector_options defaults;
    if (!opts) {
        spin_detector_options_init(&defaults);
        opts = &defaults;
    }
    model_path *mp = mem_alloc(sizeof *mp);
    char *err = mem_alloc(9000);
    spin_detector *d = mem_calloc(1, sizeof *d);
    if (d) /* first: every way out below frees through spin_detector_free() */
        pthread_mutex_init(&d->mu, NULL);
    spin_status st = SPIN_OK;
    if (!mp || !err || !d) {
        st = diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory opening the detector");
        goto fail;
    }
    if (model_path_find(path, mp, err, 9000) != 0) {
        st = diag_set(diag, SPIN_EIO, "", 0, 0, "%.500s", err);
        goto fail;
    }
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.warn = opts->warn;
    lo.warn_ctx = opts->warn_ctx;
    lo.prefault = opts->prefault;
    lo.verify = opts->verify;
    if ((st = spin_model_open(mp->model, &lo, &d->model, diag)) != SPIN_OK)
        goto fail;
    if (mp->params[0]) {
        if ((st = det_params_load(mp->params, &d->params, diag)) != SPIN_OK)
            goto fail;
    } else {
        det_params_default(&d->params);
        /* Built-in parameters were set by hand for no particular model: on
         * another model the scores mean little (a natural article can come
         * out "spun").  Loud, and with the remedy. */
        if (opts->warn) {
            spin_diag w;
            memset(&w, 0, sizeof w);
            w.status = SPIN_OK;
            snprintf(w.path, sizeof w.path, "%.511s", mp->model);
            snprintf(w.message, sizeof w.message,
                     "NO CALIBRATION for this model (no MODEL.detector, or detector.txt in "
                     "its directory): built-in parameters are used, not fitted to it, so "
                     "scores and verdicts are unreliable.  Calibrate it: 'spinscan calibrate "
                     "-m MODEL -O MODEL.detector LABELS.tsv' (spinscan calibrate --help; "
                     "docs/calibration.md)");
            opts->warn(opts->warn_ctx, &w);
        }
    }
    if (mp->spun[0] && (st = spin_model_open(mp->spun, &lo, &d->spun, diag)) != SPIN_OK)
        goto fail;
    snprintf(d->name, sizeof d->name, "%s", mp->params[0] ? mp->params : mp->model);
    d->judge_all = opts->judge_all;
    /* One detector now: checks that model, spun model and calibration fit. */
    detector *first;
    if ((st = detector_new(d->model, d->spun, &d->params, &first, diag)) != SPIN_OK) {
        if (diag)
            snprintf(diag->path, sizeof diag->path, "%.511s", d->name);
        goto fail;
    }
    detector_set_abstain(first, !d->judge_all);
    d->pool = mem_alloc(4 * sizeof *d->pool);
    if (!d->pool) {
        detector_free(first);
        st = diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory opening the detector");
        goto fail;
    }
    d->cap = 4;
    d->pool[d->npool++] = first;
    if ((st = make_info(d, mp)) != SPIN_OK) {
        diag_set(diag, st, "", 0, 0, "out of memory opening the detector");
        goto fail;
    }
    mem_free(mp);
    mem_free(err);
    *out = d;
    return SPIN_OK;
fail:
    spin_detector_free(d);
    mem_free(mp);
    mem_free(err);
    return st;
}

void spin_detector_free(spin_detector *d) {
    if (!d)
        return;
    for (size_t i = 0; i < d->npool; ++i)
        detector_free(d->pool[i]);
    mem_free(d->pool);
    cJSON_free(d->info);
    spin_model_free(d->spun);
    spin_model_free(d->model);
    pthread_mutex_destroy(&d->mu);
    mem_free(d);
}

const char *spin_detector_info(const spin_detector *d) {
    return d->info;
}

const char *api_detector_id(const spin_detector *d) {
    return d->id;
}

const spin_model *spin_detector_model(const spin_detector *d) {
    return d->model;
}

const spin_model *api_detector_spun(const spin_detector *d) {
    return d->spun;
}

const det_params *api_detector_params(const spin_detector *d) {
    return &d->params;
}

bool api_detector_judge_all(const spin_detector *d) {
    return d->judge_all || d->no_abstain;
}

const char *api_detector_name(const spin_detector *d) {
    return d->name;
}

/* Takes an idle detector from the pool, or makes one. */
static spin_status checkout(spin_detector *d, detector **out, spin_diag *diag) {
    pthread_mutex_lock(&d->mu);
    if (d->npool > 0) {
        *out = d->pool[--d->npool];
        pthread_mutex_unlock(&d->mu);
        return SPIN_OK;
    }
    pthread_mutex_unlock(&d->mu);
    spin_status st = detector_new(d->model, d->spun, &d->params, out, diag);
    if (st == SPIN_OK)
        detector_set_abstain(*out, !(d->judge_all || d->no_abstain));
    return st;
}

det_params *api_detector_params_mut(spin_detector *d) {
    return &d->params;
}

void api_detector_set_abstain(spin_detector *d, bool on) {
    d->no_abstain = !on;
    for (size_t i = 0; i < d->npool; ++i)
        detector_set_abstain(d->pool[i], on && !d->judge_all);
}

static void checkin(spin_detector *d, detector *det) {
    pthread_mutex_lock(&d->mu);
    if (d->npool == d->cap) {
        detector **p = mem_realloc_array(d->pool, 2 * d->cap, sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&d->mu);
            detector_free(det);
            return;
        }
        d->pool = p;
        d->cap *= 2;
    }
    d->pool[d->npool++] = det;
    pthread_mutex_unlock(&d->mu);
}

spin_status spin_detect(spin_detector *d, const char *text, size_t len, spin_result **out,
                        spin_diag *diag) {
    *out = NULL;
    spin_result *r = mem_calloc(1, sizeof *r);
    if (r) {
        r->text = mem_alloc(len ? len : 1);
        r->info = mem_strndup(d->info, strlen(d->info));
    }
    if (!r || !r->text || !r->info) {
        spin_result_free(r);
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory");
    }
    if (len)
        memcpy(r->text, text, len);
    r->len = len;
    detector *det;
    spin_status st = checkout(d, &det, diag);
    if (st == SPIN_OK) {
        st = detect_run(det, r->text, len, &r->res, diag);
        checkin(d, det);
    }
    if (st != SPIN_OK) {
        spin_result_free(r);
        return st;
    }
    *out = r;
    return SPIN_OK;
}

void spin_result_free(spin_result *r) {
    if (!r)
        return;
    det_result_free(&r->res);
    mem_free(r->text);
    mem_free(r->id);
    mem_free(r->info);
    mem_free(r);
}

double spin_result_score(const spin_result *r) {
    return r->res.spin_score;
}

const char *spin_result_verdict(const spin_result *r) {
    return det_verdict_name(r->res.verdict);
}

double spin_result_perplexity(const spin_result *r) {
    return r->res.perplexity;
}

size_t spin_result_tokens(const spin_result *r) {
    return r->res.tokens;
}

size_t spin_result_oov(const spin_result *r) {
    return r->res.oov;
}

size_t spin_result_sentence_count(const spin_result *r) {
    return r->res.nsentences;
}

spin_status spin_result_sentence(const spin_result *r, size_t i, spin_sentence *out) {
    if (i >= r->res.nsentences)
        return SPIN_EINVAL;
    const det_sentence *s = &r->res.sentences[i];
    out->start = s->start;
    out->end = s->end;
    const char *k = tokenize_seg_kind_name(s->kind);
    out->kind = k ? k : "prose";
    out->spin = s->spin;
    out->flagged = s->flagged;
    out->log10prob = s->log10prob;
    out->perplexity = s->perplexity;
    out->tokens = s->tokens;
    out->oov = s->oov;
    return SPIN_OK;
}

spin_status spin_result_set_id(spin_result *r, const char *id, size_t len) {
    char *c = mem_alloc(len + 1);
    if (!c)
        return SPIN_ENOMEM;
    if (len)
        memcpy(c, id, len);
    c[len] = '\0';
    mem_free(r->id);
    r->id = c;
    return SPIN_OK;
}

char *spin_result_json(const spin_result *r) {
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    report_options ro = {REPORT_JSON, false, NULL, NULL, NULL, NULL};
    report_doc doc = {r->id ? r->id : "", r->text, r->len, &r->res, r->info};
    spin_status st = report_document(f, &ro, &doc);
    if (fclose(f) != 0 || st != SPIN_OK) {
        free(buf);
        return NULL;
    }
    if (size > 0 && buf[size - 1] == '\n')
        buf[--size] = '\0';
    /* A numeric id is written as the number: '{"id": "42", ...' loses its
     * quotes (a printed number holds nothing JSON escapes). */
    size_t idlen = r->id ? strlen(r->id) : 0;
    if (r->id_number && idlen && size > 9 + idlen && !memcmp(buf, "{\"id\": \"", 8) &&
        !memcmp(buf + 8, r->id, idlen) && buf[8 + idlen] == '"') {
        memmove(buf + 7, buf + 8, idlen);
        memmove(buf + 7 + idlen, buf + 9 + idlen, size - (9 + idlen) + 1);
        size -= 2;
    }
    return buf;
}

void api_result_set_id_number(spin_result *r, bool number) {
    r->id_number = number;
}

const det_result *api_result_det(const spin_result *r) {
    return &r->res;
}

const char *api_result_text(const spin_result *r, size_t *len) {
    *len = r->len;
    return r->text;
}

/* ---- tokenizer ---- */

struct spin_tokenizer {
    tokenizer *tok;
};

struct spin_tokens {
    tok_doc doc;
    char *joined;    /* every segment's tokens joined by ' ', each NUL-terminated */
    size_t *offsets; /* [nsentences] start of each in 'joined' */
};

spin_status spin_tokenizer_new(spin_tokenizer **out, spin_diag *diag) {
    *out = NULL;
    spin_tokenizer *t = mem_calloc(1, sizeof *t);
    if (!t)
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory");
    spin_status st = tokenize_new(&t->tok, diag);
    if (st != SPIN_OK) {
        mem_free(t);
        return st;
    }
    *out = t;
    return SPIN_OK;
}

void spin_tokenizer_free(spin_tokenizer *t) {
    if (!t)
        return;
    tokenize_free(t->tok);
    mem_free(t);
}

spin_status spin_tokenize(spin_tokenizer *t, const char *text, size_t len, spin_tokens **out,
                          spin_diag *diag) {
    *out = NULL;
    spin_tokens *tk = mem_calloc(1, sizeof *tk);
    if (!tk)
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory");
    spin_status st = tokenize_doc(t->tok, text, len, &tk->doc, diag);
    if (st != SPIN_OK) {
        mem_free(tk);
        return st;
    }
    size_t n = tk->doc.nsentences, total = 0;
    for (size_t i = 0; i < n; ++i) {
        const tok_sentence *s = &tk->doc.sentences[i];
        for (size_t k = 0; k < s->count; ++k)
            total += tk->doc.tokens[s->first + k].len + 1;
        if (s->count == 0)
            ++total;
    }
    tk->joined = mem_alloc(total ? total : 1);
    tk->offsets = mem_realloc_array(NULL, n ? n : 1, sizeof *tk->offsets);
    if (!tk->joined || !tk->offsets) {
        spin_tokens_free(tk);
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, "out of memory");
    }
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
        const tok_sentence *s = &tk->doc.sentences[i];
        tk->offsets[i] = at;
        for (size_t k = 0; k < s->count; ++k) {
            const tok_token *w = &tk->doc.tokens[s->first + k];
            if (k)
                tk->joined[at++] = ' ';
            memcpy(tk->joined + at, tk->doc.text + w->text, w->len);
            at += w->len;
        }
        tk->joined[at++] = '\0';
    }
    *out = tk;
    return SPIN_OK;
}

void spin_tokens_free(spin_tokens *tk) {
    if (!tk)
        return;
    tokenize_doc_free(&tk->doc);
    mem_free(tk->joined);
    mem_free(tk->offsets);
    mem_free(tk);
}

size_t spin_tokens_count(const spin_tokens *tk) {
    return tk->doc.nsentences;
}

spin_status spin_tokens_segment(const spin_tokens *tk, size_t i, spin_segment *out) {
    if (i >= tk->doc.nsentences)
        return SPIN_EINVAL;
    const tok_sentence *s = &tk->doc.sentences[i];
    out->start = s->start;
    out->end = s->end;
    const char *k = tokenize_seg_kind_name((tok_seg_kind)s->kind);
    out->kind = k ? k : "prose";
    out->text = tk->joined + tk->offsets[i];
    out->text_len = strlen(out->text);
    out->ntokens = s->count;
    return SPIN_OK;
}
