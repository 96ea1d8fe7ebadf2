/* detect.c - spin detection (see detect.h for the pipeline).
 *
 * Why these features (all computed from one pass of the model over the
 * sentence, plus a unigram lookup per word):
 * - log perplexity alone is the CCNet baseline: spun text is made of frequent
 *   words, so its perplexity often looks ordinary while honest technical text
 *   looks perplexing;
 * - SLOR subtracts what the words' own frequencies explain, so rare but
 *   legitimate words stop counting against a sentence;
 * - a thesaurus swap breaks the n-grams around it: the longest match drops to
 *   a unigram even between frequent words ("frequent-word breaks"), which
 *   natural text rarely does;
 * - spinners and stuffers repeat content words within a few tokens ("pain,
 *   pain"; "thighs, legs, and thighs").
 */
#include "detect/detect.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/diag.h"
#include "lm/lm.h"
#include "lm/score.h"
#include "util/mem.h"
#include "detect/stats.h"
#include "text/langid.h"

/* A word at least this probable (log10, unigram) counts as frequent. */
#define DET_FREQUENT_LOGP (-4.0)
/* Content words: alphabetic tokens of 3+ bytes less probable than this. */
#define DET_CONTENT_LOGP (-2.5)
/* Below this many prose sentences a document is judged by its sentences
 * alone: the document models were fitted on articles of 8 to 20. */
#define DET_MIN_DOC_SENTENCES 3
/* A word at least this surprising in its context (-log10 P) enters a phrase
 * "surprisingly": the mark of a phrase pasted in at a random boundary. */
#define DET_SURPRISING_ENTRY 3.0
/* A content word seen again within this many tokens counts as a repeat. */
#define DET_REPEAT_WINDOW 4

static const char *const feature_names[DET_NFEATURES] = {
    "nlogp",  "nslor",     "oov", "short_match", "freq_break", "nmatch", "min_logp",
    "repeat", "cont_fail", "llr", "llr_hits",    "llr_max",    "rarity",
};
/* The first feature (and doc feature) a detector file may lack: added later,
 * a file from before gets weight 0 for it. */
#define DET_F_FIRST_OPTIONAL DET_F_RARITY
#define DET_D_FIRST_OPTIONAL (DET_D_FEATURE + DET_F_FIRST_OPTIONAL)
/* Smallest scale a feature's reference distribution may have: rates that are
 * 0 for most natural sentences would otherwise make every nonzero value an
 * outlier of infinite size. */
static const double feature_floor[DET_NFEATURES] = {
    0.05, 0.05, 0.02, 0.05, 0.05, 0.02, 0.2, 0.02, 0.05, 0.05, 0.02, 0.1, 0.05,
};
static const char *const doc_feature_names[DET_NDOC_FEATURES] = {
    "mean_spin",     "top_spin",    "flagged",          "top_word",        "mean_nlogp",
    "mean_nslor",    "mean_oov",    "mean_short_match", "mean_freq_break", "mean_nmatch",
    "mean_min_logp", "mean_repeat", "mean_cont_fail",   "mean_llr",        "mean_llr_hits",
    "mean_llr_max",  "mean_rarity", "rep_phrase",
};

const char *det_feature_name(det_feature f) {
    return (unsigned)f < DET_NFEATURES ? feature_names[f] : "?";
}

double det_feature_floor(det_feature f) {
    return (unsigned)f < DET_NFEATURES ? feature_floor[f] : 1.0;
}

const char *det_doc_feature_name(det_doc_feature f) {
    return (unsigned)f < DET_NDOC_FEATURES ? doc_feature_names[f] : "?";
}

const char *det_family_name(det_family f) {
    static const char *const names[DET_NFAMILIES] = {"spun", "salad", "stuffing"};
    return (unsigned)f < DET_NFAMILIES ? names[f] : "?";
}

const char *det_verdict_name(det_verdict v) {
    switch (v) {
    case DET_NATURAL:
        return "natural";
    case DET_SUSPECT:
        return "suspect";
    case DET_SPUN:
        return "spun";
    case DET_SALAD:
        return "salad";
    case DET_STUFFING:
        return "stuffing";
    case DET_UNSUPPORTED:
        return "unsupported";
    }
    return "?";
}

const char *det_reason_name(det_reason r) {
    switch (r) {
    case DET_REASON_NONE:
        return NULL;
    case DET_REASON_THRESHOLD:
        return "threshold";
    case DET_REASON_OUTLIER:
        return "outlier";
    case DET_REASON_DOCUMENT:
        return "document";
    case DET_REASON_ARTEFACT:
        return "artefact";
    }
    return NULL;
}

const char *det_artefact_name(det_artefact a) {
    switch (a) {
    case DET_ART_NONE:
        return NULL;
    case DET_ART_ECHO:
        return "repeated word";
    case DET_ART_RELOCATED:
        return "relocated modifier";
    }
    return NULL;
}

const char *det_abstain_name(det_abstain a) {
    switch (a) {
    case DET_ABSTAIN_NONE:
        return "";
    case DET_ABSTAIN_LANGUAGE:
        return "not English";
    case DET_ABSTAIN_SHORT:
        return "too short";
    case DET_ABSTAIN_MARKUP:
        return "mostly markup or code";
    case DET_ABSTAIN_OOV:
        return "mostly unknown words";
    }
    return "?";
}

/* ---- per-document word counts (for the top-word share) ---- */

typedef struct count_slot {
    spin_word word; /* 0 = empty (unknown words are not counted) */
    uint32_t count;
} count_slot;

typedef struct word_counts {
    count_slot *slots;
    size_t mask, used;
    uint32_t *touched; /* slots in use, to clear in O(used) */
} word_counts;

static bool counts_add(word_counts *c, spin_word w) {
    if ((c->used + 1) * 2 > c->mask + 1) {
        size_t size = c->slots ? (c->mask + 1) * 2 : 1024;
        count_slot *ns = mem_calloc(size, sizeof *ns);
        uint32_t *nt = mem_realloc_array(c->touched, size / 2, sizeof *nt);
        if (!ns || !nt) {
            mem_free(ns);
            if (nt)
                c->touched = nt;
            return false;
        }
        c->touched = nt;
        size_t used = 0;
        for (size_t i = 0; c->slots && i <= c->mask; ++i) {
            if (!c->slots[i].word)
                continue;
            size_t at = (c->slots[i].word * 0x9e3779b1u) & (size - 1);
            while (ns[at].word)
                at = (at + 1) & (size - 1);
            ns[at] = c->slots[i];
            c->touched[used++] = (uint32_t)at;
        }
        mem_free(c->slots);
        c->slots = ns;
        c->mask = size - 1;
    }
    size_t at = (w * 0x9e3779b1u) & c->mask;
    while (c->slots[at].word && c->slots[at].word != w)
        at = (at + 1) & c->mask;
    if (!c->slots[at].word) {
        c->slots[at].word = w;
        c->touched[c->used++] = (uint32_t)at;
    }
    c->slots[at].count++;
    return true;
}

static void counts_clear(word_counts *c) {
    for (size_t i = 0; i < c->used; ++i)
        c->slots[c->touched[i]].word = 0, c->slots[c->touched[i]].count = 0;
    c->used = 0;
}

/* Sum of the three largest counts. */
static uint64_t counts_top3(const word_counts *c) {
    uint32_t a = 0, b = 0, d = 0;
    for (size_t i = 0; i < c->used; ++i) {
        uint32_t v = c->slots[c->touched[i]].count;
        if (v > a)
            d = b, b = a, a = v;
        else if (v > b)
            d = b, b = v;
        else if (v > d)
            d = v;
    }
    return (uint64_t)a + b + d;
}

/* ---- the detector ---- */

struct detector {
    const spin_model *model;
    const spin_model *spun; /* NULL without a spun model */
    const det_params *params;
    tokenizer *tok;
    unsigned order;
    word_counts counts;
    det_result *out;
    /* scratch for the robust statistics */
    double *work;
    int *iwork;
    double *vals;
    size_t work_cap;
    /* a sentence's word indices in the model and the spun model, </s> last,
     * and each word's n-gram match length under the model */
    spin_word *ids, *sids;
    uint8_t *match;
    size_t ids_cap;
    bool no_abstain; /* detector_set_abstain(d, false) */
    /* the document's adjacent content-word pairs: hash << 1 | surprising entry */
    uint64_t *pairs;
    size_t npairs, pairs_cap;
    /* the artefact tests: the words they look for, and a sentence rewritten */
    spin_word w_comma, w_that, w_and, w_be[4];
    spin_word *alt;
    size_t alt_cap;
};

/* Looks up the sentence's words in both vocabularies (one hash serves both:
 * the same function, see vocab.h), with </s> appended; a batch of words is
 * hashed and prefetched before the lookups, so that their misses overlap. */
static spin_status index_sentence(detector *d, const tok_token *tokens, size_t count,
                                  const char *text) {
    if (count + 1 > d->ids_cap) {
        size_t cap = count + 1 > 2 * d->ids_cap ? count + 1 : 2 * d->ids_cap;
        spin_word *a = mem_realloc_array(d->ids, cap, sizeof *a);
        if (!a)
            return SPIN_ENOMEM;
        d->ids = a;
        spin_word *b = mem_realloc_array(d->sids, cap, sizeof *b);
        if (!b)
            return SPIN_ENOMEM;
        d->sids = b;
        uint8_t *c = mem_realloc_array(d->match, cap, sizeof *c);
        if (!c)
            return SPIN_ENOMEM;
        d->match = c;
        d->ids_cap = cap;
    }
    const spin_model *m = d->model, *sm = d->spun;
    const char *w[LM_INDEX_BATCH];
    size_t len[LM_INDEX_BATCH];
    for (size_t at = 0; at < count; at += LM_INDEX_BATCH) {
        size_t k = count - at < LM_INDEX_BATCH ? count - at : LM_INDEX_BATCH;
        for (size_t i = 0; i < k; ++i) {
            w[i] = text + tokens[at + i].text;
            len[i] = tokens[at + i].len;
        }
        lm_index_batch(m, sm, w, len, k, d->ids + at, sm ? d->sids + at : NULL);
    }
    d->ids[count] = spin_vocab_end_sentence(m);
    if (sm)
        d->sids[count] = spin_vocab_end_sentence(sm);
    return SPIN_OK;
}

spin_status detector_new(const spin_model *model, const spin_model *spun, const det_params *params,
                         detector **out, spin_diag *diag) {
    stats_init();
    *out = NULL;
    if (params->needs_spun && !spun)
        return diag_set(diag, SPIN_EINVAL, "", 0, 0,
                        "these detector parameters were fitted with a spun model, and none was "
                        "given");
    detector *d = mem_calloc(1, sizeof *d);
    if (!d)
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, NULL);
    spin_status st = tokenize_new(&d->tok, diag);
    if (st != SPIN_OK) {
        mem_free(d);
        return st;
    }
    d->model = model;
    d->spun = spun;
    d->params = params;
    d->order = spin_model_order(model);
    d->w_comma = spin_vocab_index(model, ",", 1);
    d->w_that = spin_vocab_index(model, "that", 4);
    d->w_and = spin_vocab_index(model, "and", 3);
    static const char *const be[4] = {"is", "are", "was", "were"};
    for (int i = 0; i < 4; ++i)
        d->w_be[i] = spin_vocab_index(model, be[i], strlen(be[i]));
    *out = d;
    return SPIN_OK;
}

void detector_free(detector *d) {
    if (!d)
        return;
    tokenize_free(d->tok);
    mem_free(d->ids);
    mem_free(d->sids);
    mem_free(d->match);
    mem_free(d->counts.slots);
    mem_free(d->counts.touched);
    mem_free(d->pairs);
    mem_free(d->alt);
    mem_free(d->work);
    mem_free(d->iwork);
    mem_free(d->vals);
    mem_free(d);
}

void det_result_free(det_result *r) {
    if (!r)
        return;
    mem_free(r->sentences);
    mem_free(r->words);
    memset(r, 0, sizeof *r);
}

static bool is_alpha_token(const char *s, size_t len) {
    if (len < 3)
        return false;
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= 'a' && c <= 'z') && c < 0x80)
            return false;
    }
    return true;
}

/* ---- spinner artefacts ---- */

/* A relocated modifier counts when the model reads the restored text this
 * much better (SLOR, log10; docs/detector.md gives the rates on natural text
 * that chose it). */
#ifndef DET_ART_RELOCATED_GAIN
#define DET_ART_RELOCATED_GAIN 1.0
#endif

/* log10 P of the 'n' words at 'ids' and </s> as one sentence. */
static double sentence_logp(const spin_model *m, const spin_word *ids, size_t n) {
    spin_state st[2];
    int cur = 0;
    spin_state_begin_sentence(m, &st[0]);
    double total = 0;
    for (size_t i = 0; i <= n; ++i) {
        spin_word w = i < n ? ids[i] : spin_vocab_end_sentence(m);
        total += spin_full_score(m, &st[cur], w, &st[cur ^ 1]).prob;
        cur ^= 1;
    }
    return total;
}

/* A word that carries meaning: known, not among the model's frequent words,
 * letters only. */
static bool is_content(const detector *d, const spin_word *ids, const tok_token *t,
                       const char *text, size_t i) {
    return ids[i] != SPIN_WORD_NOT_FOUND && t[i].kind == TOK_WORD &&
           lm_unigram_logp(d->model, ids[i]) < DET_CONTENT_LOGP &&
           is_alpha_token(text + t[i].text, t[i].len);
}

static bool is_be(const detector *d, spin_word w) {
    for (int i = 0; i < 4; ++i)
        if (w == d->w_be[i] && w != SPIN_WORD_NOT_FOUND)
            return true;
    return false;
}

/* Words [from, to) of the sentence as text, space-separated, into 'out'. */
static void words_text(char *out, size_t cap, const tok_token *t, const char *text,
                       const size_t *order, size_t n) {
    size_t at = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; ++k) {
        const tok_token *w = &t[order[k]];
        if (at + w->len + 2 >= cap)
            break;
        if (k)
            out[at++] = ' ';
        memcpy(out + at, text + w->text, w->len);
        at += w->len;
        out[at] = '\0';
    }
}

/* The sentence's first artefact into 'o' (tokens 't', indices 'ids' with </s>
 * at [n], log10 P 'logp'; d->match holds each word's n-gram match length). */
static spin_status find_artefact(detector *d, det_sentence *o, const tok_token *t, const char *text,
                                 const spin_word *ids, size_t n, double logp) {
    const spin_model *m = d->model;
    if (n + 1 > d->alt_cap) {
        spin_word *a = mem_realloc_array(d->alt, n + 1, sizeof *a);
        if (!a)
            return SPIN_ENOMEM;
        d->alt = a;
        d->alt_cap = n + 1;
    }
    spin_word *alt = d->alt;
    for (size_t i = 0; i + 2 < n; ++i) {
        if (ids[i + 1] != d->w_comma || d->w_comma == SPIN_WORD_NOT_FOUND ||
            !is_content(d, ids, t, text, i))
            continue;
        /* "pain, pain" and "pain, ache, and pain" */
        size_t len = ids[i + 2] == ids[i] ? 3
                     : i + 5 < n && ids[i + 3] == d->w_comma && ids[i + 4] == d->w_and &&
                             ids[i + 5] == ids[i]
                         ? 6
                         : 0;
        /* An idiom the model has seen ("long, long ago", "far, far more",
         * "aye, aye": the second word's n-gram match reaches the first) is
         * writing, not a spinner's doubled slot. */
        if (len == 3 && d->match[i + 2] >= 3)
            len = 0;
        if (len) {
            o->artefact = DET_ART_ECHO;
            o->art_word = i;
            o->art_nwords = len;
            o->art_gain = 0;
            o->art_restored[0] = '\0';
            return SPIN_OK;
        }
    }
    double best = -1e9;
    for (size_t j = 1; j + 2 < n; ++j) {
        /* N that is A, then the end, punctuation or "and": A N (or A M N for
         * a two-word noun M N) */
        if (ids[j] != d->w_that || d->w_that == SPIN_WORD_NOT_FOUND || !is_be(d, ids[j + 1]) ||
            !is_content(d, ids, t, text, j + 2) || !is_content(d, ids, t, text, j - 1))
            continue;
        if (j + 3 < n && t[j + 3].kind == TOK_WORD && ids[j + 3] != d->w_and)
            continue;
        double drop = lm_unigram_logp(m, ids[j]) + lm_unigram_logp(m, ids[j + 1]);
        for (size_t noun = 1; noun <= 2 && noun <= j; ++noun) {
            if (noun == 2 && !is_content(d, ids, t, text, j - 2))
                break;
            size_t a = 0, head = j - noun;
            for (size_t i = 0; i < head; ++i)
                alt[a++] = ids[i];
            alt[a++] = ids[j + 2];
            for (size_t i = head; i < j; ++i)
                alt[a++] = ids[i];
            for (size_t i = j + 3; i < n; ++i)
                alt[a++] = ids[i];
            double gain = sentence_logp(m, alt, a) - logp + drop;
            if (gain > best && gain >= DET_ART_RELOCATED_GAIN) {
                best = gain;
                o->artefact = DET_ART_RELOCATED;
                o->art_word = head;
                o->art_nwords = noun + 3;
                o->art_gain = gain;
                size_t order[3] = {j + 2, head, head + 1};
                words_text(o->art_restored, sizeof o->art_restored, t, text, order, noun + 1);
            }
        }
    }
    return SPIN_OK;
}

/* Scores one segment and appends it to the result. */
static spin_status on_sentence(void *ctx, const tok_sentence *s, const tok_token *tokens,
                               const char *text) {
    detector *d = ctx;
    det_result *r = d->out;
    if (r->nsentences == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        det_sentence *ns = mem_realloc_array(r->sentences, cap, sizeof *ns);
        if (!ns)
            return SPIN_ENOMEM;
        r->sentences = ns;
        r->cap = cap;
    }
    det_sentence *o = &r->sentences[r->nsentences++];
    memset(o, 0, sizeof *o);
    o->start = s->start;
    o->end = s->end;
    o->kind = (tok_seg_kind)s->kind;
    o->split = (s->flags & TOK_S_SPLIT) != 0;
    if (r->nwords + s->count > r->words_cap) {
        size_t cap = r->words_cap ? r->words_cap * 2 : 512;
        while (cap < r->nwords + s->count)
            cap *= 2;
        det_word *nw = mem_realloc_array(r->words, cap, sizeof *nw);
        if (!nw)
            return SPIN_ENOMEM;
        r->words = nw;
        r->words_cap = cap;
    }
    o->word0 = r->nwords;
    o->nwords = s->count;
    det_word *wd = r->words + r->nwords;
    r->nwords += s->count;

    const spin_model *m = d->model, *sm = d->spun;
    spin_state st[2], sst[2];
    int cur = 0;
    spin_state_begin_sentence(m, &st[0]);
    if (sm)
        spin_state_begin_sentence(sm, &sst[0]);
    float spun_total = 0.0f;
    double llr_max = 0;
    uint32_t bigram_hits = 0, cont_fails = 0, llr_hits = 0;
    float total = 0.0f;
    double lp_uni = 0, minp = 0;
    uint32_t oov = 0, short_match = 0, scored = 0, freq_pairs = 0, freq_breaks = 0, repeats = 0;
    uint64_t match_sum = 0;
    spin_word recent[DET_REPEAT_WINDOW];
    size_t recent_pos[DET_REPEAT_WINDOW];
    size_t nrecent = 0;
    bool prev_frequent = false;
    bool prose = o->kind == TOK_PROSE;
    double rarity_sum = 0;
    uint32_t rarity_n = 0;
    spin_word prev_content = 0; /* the content word just before, 0 = none */
    bool prev_surprising = false;
    if (index_sentence(d, tokens + s->first, s->count, text) != SPIN_OK)
        return SPIN_ENOMEM;
    const spin_word *ids = d->ids, *sids = d->sids;
    /* The words' n-gram slots are fetched LM_AHEAD words ahead of scoring. */
    for (size_t i = 0; i < LM_AHEAD && i <= s->count; ++i) {
        lm_prefetch_word(m, ids, i, true);
        if (sm)
            lm_prefetch_word(sm, sids, i, true);
    }
    for (size_t i = 0; i < s->count; ++i) {
        const tok_token *t = &tokens[s->first + i];
        const char *w = text + t->text;
        if (i + LM_AHEAD <= s->count) {
            lm_prefetch_word(m, ids, i + LM_AHEAD, true);
            if (sm)
                lm_prefetch_word(sm, sids, i + LM_AHEAD, true);
        }
        spin_word id = ids[i];
        spin_score sc = spin_full_score(m, &st[cur], id, &st[cur ^ 1]);
        d->match[i] = (uint8_t)sc.ngram_length;
        wd[i].start = t->start;
        wd[i].end = t->end;
        wd[i].logp = sc.prob;
        wd[i].llr = 0;
        wd[i].oov = sc.oov;
        if (sm) {
            float sp = spin_full_score(sm, &sst[cur], sids[i], &sst[cur ^ 1]).prob;
            spun_total += sp;
            double ratio = (double)sp - (double)sc.prob;
            wd[i].llr = (float)ratio;
            llr_hits += ratio >= 0.30103; /* log10 2 */
            if (i == 0 || ratio > llr_max)
                llr_max = ratio;
        }
        cur ^= 1;
        if (i >= 1 && sc.ngram_length >= 2 && d->order >= 3) {
            ++bigram_hits;
            cont_fails += sc.ngram_length == 2;
        }
        total += sc.prob;
        float uni = lm_unigram_logp(m, id);
        lp_uni += uni;
        wd[i].unigram = uni;
        match_sum += sc.ngram_length;
        if (i == 0 || sc.prob < minp)
            minp = sc.prob;
        bool frequent = false;
        if (sc.oov) {
            ++oov;
        } else {
            ++scored;
            if (sc.ngram_length == 1)
                ++short_match;
            frequent = uni >= DET_FREQUENT_LOGP;
            if (frequent && prev_frequent && i > 0) {
                ++freq_pairs;
                freq_breaks += sc.ngram_length == 1;
            }
            bool content =
                uni < DET_CONTENT_LOGP && t->kind == TOK_WORD && is_alpha_token(w, t->len);
            if (content) {
                rarity_sum -= uni;
                ++rarity_n;
            }
            if (content && prose && prev_content) {
                if (d->npairs == d->pairs_cap) {
                    size_t cap = d->pairs_cap ? d->pairs_cap * 2 : 256;
                    uint64_t *np = mem_realloc_array(d->pairs, cap, sizeof *np);
                    if (!np)
                        return SPIN_ENOMEM;
                    d->pairs = np;
                    d->pairs_cap = cap;
                }
                uint64_t h = ((uint64_t)prev_content * 0x9e3779b97f4a7c15ull) ^
                             ((uint64_t)id * 0xc2b2ae3d27d4eb4full);
                d->pairs[d->npairs++] = (h << 1) | (prev_surprising ? 1u : 0u);
            }
            prev_content = content ? id : 0;
            prev_surprising = -sc.prob >= DET_SURPRISING_ENTRY;
            if (content) {
                for (size_t k = 0; k < nrecent && k < DET_REPEAT_WINDOW; ++k)
                    if (recent[k] == id && i - recent_pos[k] <= DET_REPEAT_WINDOW) {
                        ++repeats;
                        break;
                    }
                recent[nrecent % DET_REPEAT_WINDOW] = id;
                recent_pos[nrecent % DET_REPEAT_WINDOW] = i;
                ++nrecent;
                if (prose) {
                    if (!counts_add(&d->counts, id))
                        return SPIN_ENOMEM;
                    ++r->acc_content;
                }
            }
        }
        prev_frequent = frequent;
        if (sc.oov)
            prev_content = 0;
    }
    spin_score end = spin_full_score(m, &st[cur], ids[s->count], &st[cur ^ 1]);
    total += end.prob;
    if (sm)
        spun_total += spin_full_score(sm, &sst[cur], sids[s->count], &sst[cur ^ 1]).prob;
    lp_uni += lm_unigram_logp(m, spin_vocab_end_sentence(m));

    if (prose && s->count >= 3) {
        spin_status ast = find_artefact(d, o, tokens + s->first, text, ids, s->count, total);
        if (ast != SPIN_OK)
            return ast;
    }
    uint32_t n = (uint32_t)s->count;
    o->tokens = n;
    o->oov = oov;
    o->log10prob = total;
    o->perplexity = pow(10.0, -(double)total / (double)(n + 1));
    double *f = o->feature;
    f[DET_F_NLOGP] = -(double)total / (n + 1);
    f[DET_F_NSLOR] = -((double)total - lp_uni) / (n + 1);
    f[DET_F_OOV] = (double)oov / n;
    f[DET_F_SHORT_MATCH] = scored ? (double)short_match / scored : 0;
    f[DET_F_FREQ_BREAK] = freq_pairs ? (double)freq_breaks / freq_pairs : 0;
    f[DET_F_NMATCH] = 1.0 - (double)match_sum / ((double)n * d->order);
    f[DET_F_MIN_LOGP] = -minp;
    f[DET_F_REPEAT] = (double)repeats / n;
    f[DET_F_CONT_FAIL] = bigram_hits ? (double)cont_fails / bigram_hits : 0;
    f[DET_F_LLR] = sm ? ((double)spun_total - (double)total) / (n + 1) : 0;
    f[DET_F_LLR_HITS] = sm ? (double)llr_hits / n : 0;
    f[DET_F_LLR_MAX] = sm ? llr_max : 0;
    f[DET_F_RARITY] = rarity_n ? rarity_sum / rarity_n : 0;
    for (int k = 0; k < DET_NFEATURES; ++k)
        if (!isfinite(f[k]))
            f[k] = f[k] > 0 ? 100.0 : 0.0; /* a -inf probability in the model */

    r->tokens += n;
    r->oov += oov;
    r->log10prob += total;
    return SPIN_OK;
}

/* Each family's sentence probability into 'out'. */
static void sentence_families(const det_params *p, const double *f, double *out) {
    double z[DET_NFEATURES];
    for (int k = 0; k < DET_NFEATURES; ++k) {
        z[k] = (f[k] - p->ref_median[k]) / p->ref_scale[k];
        z[k] = z[k] > 8 ? 8 : z[k] < -8 ? -8 : z[k];
    }
    for (int fam = 0; fam < DET_NFAMILIES; ++fam) {
        double t = p->sent_w0[fam];
        for (int k = 0; k < DET_NFEATURES; ++k)
            t += p->sent_w[fam][k] * z[k];
        out[fam] = stats_sigmoid(t);
    }
}

static double logit(double p) {
    if (p < 1e-6)
        p = 1e-6;
    if (p > 1 - 1e-6)
        p = 1 - 1e-6;
    return log(p / (1 - p));
}

static bool ensure_work(detector *d, size_t n) {
    if (n <= d->work_cap)
        return true;
    size_t cap = n < 64 ? 64 : n * 2;
    double *w = mem_alloc(cap * 4 * sizeof *w), *v = mem_alloc(cap * sizeof *v);
    int *iw = mem_alloc(cap * 5 * sizeof *iw);
    if (!w || !v || !iw) {
        mem_free(w);
        mem_free(v);
        mem_free(iw);
        return false;
    }
    mem_free(d->work);
    mem_free(d->vals);
    mem_free(d->iwork);
    d->work = w;
    d->vals = v;
    d->iwork = iw;
    d->work_cap = cap;
    return true;
}

static int cmp_desc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Spinner artefacts as evidence for the document (docs/detector.md): a
 * natural prose sentence carries one at DET_ART_NATURAL_RATE (measured: 14
 * repeated words and no relocation at the threshold in about 15,000 natural
 * held-out sentences of five domains, 0.09 %, rounded up), a spun page's
 * sentences at DET_ART_SPUN_RATE (a prior, not fitted: the spinners that leave
 * artefacts leave them often).  Their likelihood ratio over the document's
 * prose sentences moves the document's log odds up, never down: a page
 * without artefacts may still be spun by a spinner that leaves none. */
#define DET_ART_NATURAL_RATE 0.002
#define DET_ART_SPUN_RATE 0.25

static double artefact_llr(size_t with, size_t prose) {
    double r0 = DET_ART_NATURAL_RATE, r1 = DET_ART_SPUN_RATE;
    double llr = (double)with * log(r1 / r0) + (double)(prose - with) * log((1 - r1) / (1 - r0));
    return with && llr > 0 ? llr : 0;
}

/* Sentence spins, within-document z-scores and flags, document score. */
static spin_status finish(detector *d, const det_params *p, det_result *r) {
    size_t prose = 0;
    r->flagged = 0;
    for (size_t i = 0; i < r->nsentences; ++i)
        prose += r->sentences[i].kind == TOK_PROSE;
    if (!ensure_work(d, prose + 1))
        return SPIN_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < r->nsentences; ++i) {
        det_sentence *s = &r->sentences[i];
        if (s->kind != TOK_PROSE)
            continue;
        sentence_families(p, s->feature, s->family);
        s->spin = s->family[DET_FAM_SPUN];
        d->vals[k++] = logit(s->spin);
    }
    double loc, scale;
    /* Against the document's own typical sentence: a spun paragraph stands
     * out in an otherwise fluent article even when its absolute score is
     * borderline. */
    stats_robust(d->vals, k, 0.5, d->work, d->iwork, &loc, &scale);
    double spin_sum = 0;
    size_t artefacts = 0;
    for (size_t i = 0, j = 0; i < r->nsentences; ++i) {
        det_sentence *s = &r->sentences[i];
        if (s->kind != TOK_PROSE)
            continue;
        s->z = k >= 3 ? (d->vals[j] - loc) / scale : 0;
        s->family_used = DET_FAM_SPUN;
        s->reason = s->artefact != DET_ART_NONE                        ? DET_REASON_ARTEFACT
                    : s->spin >= p->flag_spin                          ? DET_REASON_THRESHOLD
                    : (s->z >= p->flag_z && s->spin >= p->flag_spin_z) ? DET_REASON_OUTLIER
                                                                       : DET_REASON_NONE;
        artefacts += s->artefact != DET_ART_NONE;
        s->flagged = s->reason != DET_REASON_NONE;
        r->flagged += s->flagged;
        spin_sum += s->spin;
        d->vals[j++] = s->spin;
    }
    r->prose = prose;
    r->artefacts = artefacts;
    r->artefact_llr = artefact_llr(artefacts, prose);
    double *df = r->doc_feature;
    memset(df, 0, sizeof r->doc_feature);
    if (prose) {
        qsort(d->vals, prose, sizeof *d->vals, cmp_desc);
        size_t top = (prose + 2) / 3;
        double top_sum = 0;
        for (size_t i = 0; i < top; ++i)
            top_sum += d->vals[i];
        df[DET_D_MEAN_SPIN] = spin_sum / prose;
        df[DET_D_TOP_SPIN] = top_sum / top;
        df[DET_D_FLAGGED] = (double)r->flagged / prose;
        df[DET_D_TOP_WORD] =
            r->acc_content >= 10 ? (double)r->acc_top3 / (double)r->acc_content : 0;
        double weight = 0;
        for (size_t i = 0; i < r->nsentences; ++i) {
            const det_sentence *s = &r->sentences[i];
            if (s->kind != TOK_PROSE)
                continue;
            double w = (double)s->tokens + 1;
            weight += w;
            for (int f = 0; f < DET_NFEATURES; ++f)
                df[DET_D_FEATURE + f] += w * s->feature[f];
        }
        for (int f = 0; f < DET_NFEATURES; ++f)
            df[DET_D_FEATURE + f] /= weight;
        df[DET_D_REP_PHRASE] =
            r->acc_pairs >= 10 ? (double)r->acc_rep_pairs / (double)r->acc_pairs : 0;
        for (int f = 0; f < DET_NDOC_FEATURES; ++f)
            if (!isfinite(df[f]))
                df[f] = df[f] > 0 ? 100.0 : 0.0;
        int best = 0;
        for (int fam = 0; fam < DET_NFAMILIES; ++fam) {
            double t = p->fam_w0[fam];
            for (int f = 0; f < DET_NDOC_FEATURES; ++f)
                t += p->fam_w[fam][f] * df[f];
            r->family[fam] = stats_sigmoid(t);
            if (r->family[fam] > r->family[best])
                best = fam;
        }
        double pooled = r->family[best];
        if (p->has_pooled) {
            double t = p->doc_w0;
            for (int f = 0; f < DET_NDOC_FEATURES; ++f)
                t += p->doc_w[f] * df[f];
            pooled = stats_sigmoid(t);
        }
        if (prose < DET_MIN_DOC_SENTENCES) {
            /* Too short for document statistics (the document models were
             * fitted on articles): the sentences speak for themselves. */
            best = DET_FAM_SPUN;
            r->spin_score = df[DET_D_TOP_SPIN];
        } else {
            r->spin_score = pooled;
        }
        if (r->artefact_llr > 0) {
            r->spin_score = stats_sigmoid(logit(r->spin_score) + r->artefact_llr);
            best = DET_FAM_SPUN;
        }
        r->verdict = r->spin_score < p->suspect ? DET_NATURAL
                     : r->spin_score < p->spun  ? DET_SUSPECT
                     : best == DET_FAM_SPUN     ? DET_SPUN
                     : best == DET_FAM_STUFFING ? DET_STUFFING
                                                : DET_SALAD;
        /* In a document judged machine-made, a sentence is more likely
         * machine-made before any of its own evidence: flag from even odds
         * (or flag_spin_doc, the spin only 10 % of natural sentences reach,
         * if lower), judging each sentence by the document's family.  A
         * merely suspect document does not lend its sentences that prior:
         * on web articles, a domain the model was not trained on, a quarter
         * of the natural documents are suspect, and flagging from their
         * context doubled the natural sentences flagged (docs/detector.md). */
        double doc_flag = p->flag_spin_doc > 0.5 ? 0.5 : p->flag_spin_doc;
        if (r->spin_score >= p->spun && prose >= DET_MIN_DOC_SENTENCES)
            for (size_t i = 0; i < r->nsentences; ++i) {
                det_sentence *s = &r->sentences[i];
                if (s->kind != TOK_PROSE)
                    continue;
                s->spin = s->family[best];
                s->family_used = (det_family)best;
                if (!s->flagged && s->spin >= doc_flag) {
                    s->flagged = true;
                    s->reason = DET_REASON_DOCUMENT;
                    ++r->flagged;
                }
            }
    } else {
        memset(r->family, 0, sizeof r->family);
        r->spin_score = 0;
        r->verdict = DET_NATURAL;
    }
    size_t n = r->tokens + r->nsentences;
    /* Nothing scored (an empty document): no perplexity, null in JSON. */
    r->perplexity = n ? pow(10.0, -r->log10prob / (double)n) : NAN;
    if (r->abstain != DET_ABSTAIN_NONE) {
        /* Nothing to say: no score, no flag (the features stay, for the record). */
        r->spin_score = NAN;
        r->verdict = DET_UNSUPPORTED;
        r->flagged = 0;
        for (size_t i = 0; i < r->nsentences; ++i) {
            r->sentences[i].flagged = false;
            r->sentences[i].reason = DET_REASON_NONE;
            r->sentences[i].spin = NAN;
            r->sentences[i].z = NAN;
        }
    }
    return SPIN_OK;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Repeated phrases with a surprising boundary (sparse keyword stuffing: one
 * phrase pasted in a few times at random places): the occurrences of
 * adjacent content-word pairs that occur at least twice in the document and
 * were entered by a word the model found surprising there. */
static void count_repeated_pairs(detector *d, det_result *r) {
    r->acc_pairs = d->npairs;
    r->acc_rep_pairs = 0;
    if (d->npairs < 2)
        return;
    qsort(d->pairs, d->npairs, sizeof *d->pairs, cmp_u64);
    for (size_t i = 0; i < d->npairs;) {
        size_t j = i, surprising = 0;
        while (j < d->npairs && d->pairs[j] >> 1 == d->pairs[i] >> 1)
            surprising += d->pairs[j++] & 1;
        if (j - i >= 2)
            r->acc_rep_pairs += surprising;
        i = j;
    }
}

/* The gates of det_abstain, on a scored document. */
static det_abstain abstain_reason(const char *text, size_t len, det_result *r) {
    langid_result lid;
    langid_detect(text, len, &lid);
    snprintf(r->language, sizeof r->language, "%s", lid.code);
    r->english_pct = lid.english_pct;
    if (strcmp(lid.code, "un") != 0 && lid.english_pct < DET_MIN_ENGLISH_PCT)
        return DET_ABSTAIN_LANGUAGE;
    size_t prose_tokens = 0, prose_oov = 0;
    for (size_t i = 0; i < r->nsentences; ++i)
        if (r->sentences[i].kind == TOK_PROSE) {
            prose_tokens += r->sentences[i].tokens;
            prose_oov += r->sentences[i].oov;
        }
    if (prose_tokens < DET_MIN_PROSE_TOKENS)
        return DET_ABSTAIN_SHORT;
    if ((double)prose_tokens < DET_MIN_PROSE_SHARE * (double)r->tokens)
        return DET_ABSTAIN_MARKUP;
    if ((double)prose_oov > DET_MAX_OOV_SHARE * (double)prose_tokens)
        return DET_ABSTAIN_OOV;
    return DET_ABSTAIN_NONE;
}

spin_status detect_run(detector *d, const char *text, size_t len, det_result *out,
                       spin_diag *diag) {
    out->nsentences = 0;
    out->nwords = 0;
    out->tokens = out->oov = out->prose = out->flagged = 0;
    out->log10prob = 0;
    out->perplexity = 0;
    out->spin_score = 0;
    out->verdict = DET_NATURAL;
    d->out = out;
    out->acc_content = out->acc_top3 = 0;
    out->acc_pairs = out->acc_rep_pairs = 0;
    d->npairs = 0;
    counts_clear(&d->counts);
    spin_status st = tokenize_stream(d->tok, text, len, on_sentence, d, NULL, diag);
    if (st == SPIN_ENOMEM)
        diag_set(diag, st, "", 0, 0, NULL);
    out->acc_top3 = counts_top3(&d->counts);
    count_repeated_pairs(d, out);
    out->abstain = DET_ABSTAIN_NONE;
    out->language[0] = '\0';
    out->english_pct = 0;
    if (st == SPIN_OK && !d->no_abstain)
        out->abstain = abstain_reason(text, len, out);
    if (st == SPIN_OK && (st = finish(d, d->params, out)) != SPIN_OK)
        diag_set(diag, st, "", 0, 0, NULL);
    return st;
}

void detector_set_abstain(detector *d, bool on) {
    d->no_abstain = !on;
}

bool detector_has_spun(const detector *d) {
    return d->spun != NULL;
}

spin_status detect_rescore(detector *d, const det_params *params, det_result *r) {
    return finish(d, params, r);
}

/* ---- parameters ---- */

void det_params_default(det_params *p) {
    memset(p, 0, sizeof *p);
    /* Hand-set from the default English model's natural text; `spinscan
     * calibrate` replaces all of this with fitted values. */
    static const double med[DET_NFEATURES] = {2.4, -0.9, 0.0, 0.15, 0.08, 0.45, 4.0,
                                              0.0, 0.5,  0,   0,    0,    3.5};
    static const double scl[DET_NFEATURES] = {0.35, 0.3, 0.02, 0.1,  0.08, 0.1, 0.8,
                                              0.02, 0.2, 0.1,  0.02, 0.1,  0.5};
    static const double sw[DET_NFEATURES] = {0.4, 0.6, 0.2, 0.6, 0.8, 0.4, 0.1,
                                             0.5, 0.5, 0,   0,   0,   0};
    for (int k = 0; k < DET_NFEATURES; ++k) {
        p->ref_median[k] = med[k];
        p->ref_scale[k] = scl[k];
        p->sent_w[DET_FAM_SPUN][k] = sw[k];
    }
    p->sent_w0[DET_FAM_SPUN] = -2.0;
    p->sent_w0[DET_FAM_SALAD] = p->sent_w0[DET_FAM_STUFFING] = -30; /* off until calibrated */
    p->fam_w0[DET_FAM_SPUN] = -6.0;
    p->fam_w[DET_FAM_SPUN][DET_D_MEAN_SPIN] = 6.0;
    p->fam_w[DET_FAM_SPUN][DET_D_TOP_SPIN] = 4.0;
    p->fam_w0[DET_FAM_SALAD] = -8.0;
    p->fam_w[DET_FAM_SALAD][DET_D_FEATURE + DET_F_CONT_FAIL] = 8.0;
    p->fam_w[DET_FAM_SALAD][DET_D_FEATURE + DET_F_SHORT_MATCH] = 8.0;
    p->fam_w0[DET_FAM_STUFFING] = -8.0;
    p->fam_w[DET_FAM_STUFFING][DET_D_TOP_WORD] = 20.0;
    p->fam_w[DET_FAM_STUFFING][DET_D_FEATURE + DET_F_REPEAT] = 20.0;
    p->flag_spin = 0.5;
    p->flag_z = 3.0;
    p->flag_spin_z = 0.5;
    p->flag_spin_doc = 0.5;
    p->suspect = 0.5;
    p->spun = 0.8;
    snprintf(p->source, sizeof p->source, "built-in defaults (uncalibrated)");
}

#define PARAMS_MAGIC "spinscan-detector 1"

spin_status det_params_write(const det_params *p, FILE *f, const char *name, spin_diag *diag) {
    fprintf(f,
            "%s\n# Detector parameters written by `spinscan calibrate`; see src/detect/detect.h.\n",
            PARAMS_MAGIC);
    fprintf(f, "source\t%s\n", p->source);
    fprintf(f, "needs_spun\t%d\n", p->needs_spun ? 1 : 0);
    fprintf(f, "# feature\tname\treference median\treference scale\tweight in the spun, "
               "salad and stuffing sentence models\n");
    for (int k = 0; k < DET_NFEATURES; ++k) {
        fprintf(f, "feature\t%s\t%.17g\t%.17g", feature_names[k], p->ref_median[k],
                p->ref_scale[k]);
        for (int fam = 0; fam < DET_NFAMILIES; ++fam)
            fprintf(f, "\t%.17g", p->sent_w[fam][k]);
        fprintf(f, "\n");
    }
    fprintf(f, "sentence_bias");
    for (int fam = 0; fam < DET_NFAMILIES; ++fam)
        fprintf(f, "\t%.17g", p->sent_w0[fam]);
    fprintf(f, "\n");
    fprintf(f, "# doc_feature\tname\tweight in the spun, salad and stuffing models%s\n",
            p->has_pooled ? ", and in the document score (all families pooled)" : "");
    for (int k = 0; k < DET_NDOC_FEATURES; ++k) {
        fprintf(f, "doc_feature\t%s", doc_feature_names[k]);
        for (int fam = 0; fam < DET_NFAMILIES; ++fam)
            fprintf(f, "\t%.17g", p->fam_w[fam][k]);
        if (p->has_pooled)
            fprintf(f, "\t%.17g", p->doc_w[k]);
        fprintf(f, "\n");
    }
    fprintf(f, "doc_bias");
    for (int fam = 0; fam < DET_NFAMILIES; ++fam)
        fprintf(f, "\t%.17g", p->fam_w0[fam]);
    if (p->has_pooled)
        fprintf(f, "\t%.17g", p->doc_w0);
    fprintf(f, "\n");
    if (p->has_doc_ref) {
        fprintf(f, "# doc_reference\tname\tmedian over the natural documents fitted on\n");
        for (int k = 0; k < DET_NDOC_FEATURES; ++k)
            fprintf(f, "doc_reference\t%s\t%.17g\n", doc_feature_names[k], p->doc_ref[k]);
    }
    fprintf(f, "# flag\tspin\tz\tspin with z\tspin in a spun document (at most 0.5)\n");
    fprintf(f, "flag\t%.17g\t%.17g\t%.17g\t%.17g\n", p->flag_spin, p->flag_z, p->flag_spin_z,
            p->flag_spin_doc);
    fprintf(f, "verdict\t%.17g\t%.17g\n", p->suspect, p->spun);
    if (fflush(f) != 0 || ferror(f))
        return diag_set(diag, SPIN_EIO, name, 0, 0, "cannot write: %s",
                        strerror(errno ? errno : EIO));
    return SPIN_OK;
}

/* Written under a fresh temporary name beside 'path' (mkstemp: never follows
 * a planted symlink, never shared by concurrent runs), synced, renamed over
 * 'path', and the directory synced; a device or FIFO is written in place. */
spin_status det_params_save(const det_params *p, const char *path, spin_diag *diag) {
    struct stat target;
    if (stat(path, &target) == 0 && !S_ISREG(target.st_mode)) {
        FILE *f = fopen(path, "w");
        if (!f)
            return diag_set(diag, SPIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        spin_status st = det_params_write(p, f, path, diag);
        if (fclose(f) != 0 && st == SPIN_OK)
            st = diag_set(diag, SPIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        return st;
    }
    size_t n = strlen(path);
    char *tmp = mem_alloc(n + 16);
    if (!tmp)
        return diag_set(diag, SPIN_ENOMEM, path, 0, 0, NULL);
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        spin_status st = diag_set(diag, SPIN_EIO, path, 0, 0,
                                  "cannot create a temporary file beside it: %s", strerror(errno));
        mem_free(tmp);
        return st;
    }
    FILE *f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        spin_status st = diag_set(diag, SPIN_EIO, tmp, 0, 0, "%s", strerror(errno));
        close(fd);
        unlink(tmp);
        mem_free(tmp);
        return st;
    }
    spin_status st = det_params_write(p, f, path, diag);
    if (st == SPIN_OK && fsync(fileno(f)) != 0)
        st = diag_set(diag, SPIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fclose(f) != 0 && st == SPIN_OK)
        st = diag_set(diag, SPIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    if (st == SPIN_OK && rename(tmp, path) != 0)
        st = diag_set(diag, SPIN_EIO, path, 0, 0, "cannot rename into place: %s", strerror(errno));
    if (st != SPIN_OK) {
        unlink(tmp);
    } else {
        /* The rename is durable once the directory is synced. */
        char *slash = strrchr(tmp, '/');
        if (slash)
            slash[slash == tmp ? 1 : 0] = '\0';
        int dfd = open(slash ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    mem_free(tmp);
    return st;
}

/* Splits 'line' at TABs into at most 'max' fields; returns the count. */
static int split_tabs(char *line, char **field, int max) {
    int n = 0;
    for (char *s = line; n < max;) {
        field[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

static bool parse_num(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static int find_name(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; ++i)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

/* A detector file is a few KB: anything much larger is not one. */
#define PARAMS_MAX_BYTES ((size_t)1 << 20)
#define PARAMS_MAX_LINE 1023

spin_status det_params_parse(const char *text, size_t len, const char *name, det_params *p,
                             spin_diag *diag) {
    det_params_default(p);
    char line[PARAMS_MAX_LINE + 1];
    uint64_t no = 0;
    bool seen_feature[DET_NFEATURES] = {false}, seen_doc[DET_NDOC_FEATURES] = {false};
    int pooled_lines = 0;
    bool pooled_bias = false;
    spin_status st = SPIN_OK;
    for (size_t pos = 0; st == SPIN_OK && pos < len;) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos, at = pos;
        pos += n + (nl != NULL);
        ++no;
        /* Neither is cut: the tail of a long line (say, a comment) would
         * otherwise be read as a line of its own, and a NUL would end the
         * fields early. */
        if (n > PARAMS_MAX_LINE) {
            st = diag_set(diag, SPIN_EFORMAT, name, no, at, "line longer than %d bytes",
                          PARAMS_MAX_LINE);
            break;
        }
        if (memchr(s, '\0', n)) {
            st = diag_set(diag, SPIN_EFORMAT, name, no, at, "a NUL byte in the line");
            break;
        }
        memcpy(line, s, n);
        line[n] = '\0';
        if (no == 1) {
            if (strcmp(line, PARAMS_MAGIC))
                st = diag_set(diag, SPIN_EFORMAT, name, no, at,
                              "not a spinscan detector file (expected \"%s\")", PARAMS_MAGIC);
            continue;
        }
        if (!n || line[0] == '#')
            continue;
        char *fld[8];
        int nf = split_tabs(line, fld, 8);
        double v[4];
        bool ok = true;
        if (!strcmp(fld[0], "source") && nf == 2) {
            snprintf(p->source, sizeof p->source, "%s", fld[1]);
        } else if (!strcmp(fld[0], "needs_spun") && nf == 2) {
            ok = !strcmp(fld[1], "0") || !strcmp(fld[1], "1");
            p->needs_spun = fld[1][0] == '1';
        } else if (!strcmp(fld[0], "feature") && nf == 4 + DET_NFAMILIES) {
            int k = find_name(feature_names, DET_NFEATURES, fld[1]);
            ok = k >= 0 && parse_num(fld[2], &v[0]) && parse_num(fld[3], &v[1]) && v[1] > 0;
            for (int fam = 0; ok && fam < DET_NFAMILIES; ++fam)
                ok = parse_num(fld[4 + fam], &p->sent_w[fam][k]);
            if (ok) {
                p->ref_median[k] = v[0];
                p->ref_scale[k] = v[1];
                seen_feature[k] = true;
            }
        } else if (!strcmp(fld[0], "doc_feature") &&
                   (nf == 2 + DET_NFAMILIES || nf == 3 + DET_NFAMILIES)) {
            /* the optional last column: the pooled document score */
            int k = find_name(doc_feature_names, DET_NDOC_FEATURES, fld[1]);
            ok = k >= 0;
            for (int fam = 0; ok && fam < DET_NFAMILIES; ++fam)
                ok = parse_num(fld[2 + fam], &p->fam_w[fam][k]);
            if (ok && nf == 3 + DET_NFAMILIES) {
                ok = parse_num(fld[2 + DET_NFAMILIES], &p->doc_w[k]);
                ++pooled_lines;
            }
            if (ok)
                seen_doc[k] = true;
        } else if (!strcmp(fld[0], "doc_reference") && nf == 3) {
            int k = find_name(doc_feature_names, DET_NDOC_FEATURES, fld[1]);
            ok = k >= 0 && parse_num(fld[2], &p->doc_ref[k]);
            if (ok)
                p->has_doc_ref = true;
        } else if (!strcmp(fld[0], "sentence_bias") && nf == 1 + DET_NFAMILIES) {
            for (int fam = 0; ok && fam < DET_NFAMILIES; ++fam)
                ok = parse_num(fld[1 + fam], &p->sent_w0[fam]);
        } else if (!strcmp(fld[0], "doc_bias") &&
                   (nf == 1 + DET_NFAMILIES || nf == 2 + DET_NFAMILIES)) {
            for (int fam = 0; ok && fam < DET_NFAMILIES; ++fam)
                ok = parse_num(fld[1 + fam], &p->fam_w0[fam]);
            if (ok && nf == 2 + DET_NFAMILIES) {
                ok = parse_num(fld[1 + DET_NFAMILIES], &p->doc_w0);
                pooled_bias = true;
            }
        } else if (!strcmp(fld[0], "flag") && nf == 5) {
            ok = parse_num(fld[1], &p->flag_spin) && parse_num(fld[2], &p->flag_z) &&
                 parse_num(fld[3], &p->flag_spin_z) && parse_num(fld[4], &p->flag_spin_doc);
        } else if (!strcmp(fld[0], "verdict") && nf == 3) {
            ok = parse_num(fld[1], &p->suspect) && parse_num(fld[2], &p->spun) &&
                 p->suspect <= p->spun;
        } else {
            ok = false;
        }
        if (!ok) {
            char q[64];
            diag_quote(q, sizeof q, fld[0], strlen(fld[0]), 40);
            st = diag_set(diag, SPIN_EFORMAT, name, no, at,
                          "unknown or malformed line (a \"%s\" line with %d fields)", q, nf);
        }
    }
    if (st == SPIN_OK && no == 0)
        st = diag_set(diag, SPIN_EFORMAT, name, 0, 0, "empty file");
    for (int k = 0; st == SPIN_OK && k < DET_F_FIRST_OPTIONAL; ++k)
        if (!seen_feature[k])
            st = diag_set(diag, SPIN_EFORMAT, name, 0, 0, "feature \"%s\" is missing",
                          feature_names[k]);
    for (int k = 0; st == SPIN_OK && k < DET_D_FIRST_OPTIONAL; ++k)
        if (!seen_doc[k])
            st = diag_set(diag, SPIN_EFORMAT, name, 0, 0, "doc_feature \"%s\" is missing",
                          doc_feature_names[k]);
    /* The pooled document model is all or nothing. */
    int seen_docs = 0;
    for (int k = 0; k < DET_NDOC_FEATURES; ++k)
        seen_docs += seen_doc[k];
    if (st == SPIN_OK && (pooled_lines || pooled_bias) &&
        (pooled_lines != seen_docs || !pooled_bias))
        st = diag_set(diag, SPIN_EFORMAT, name, 0, 0,
                      "the document score's weights are incomplete (a pooled weight on %d of %d "
                      "doc_feature lines%s)",
                      pooled_lines, seen_docs, pooled_bias ? "" : ", none on doc_bias");
    if (st == SPIN_OK)
        p->has_pooled = pooled_lines > 0;
    return st;
}

spin_status det_params_load(const char *path, det_params *p, spin_diag *diag) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_set(diag, SPIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    spin_status st = SPIN_OK;
    for (;;) {
        if (len == cap) {
            if (cap > PARAMS_MAX_BYTES) {
                st = diag_set(diag, SPIN_EFORMAT, path, 0, 0,
                              "larger than %zu bytes: not a detector file", PARAMS_MAX_BYTES);
                break;
            }
            cap = cap ? cap * 2 : 8192;
            if (cap > PARAMS_MAX_BYTES + 1)
                cap = PARAMS_MAX_BYTES + 1;
            char *bigger = mem_realloc(buf, cap);
            if (!bigger) {
                st = diag_set(diag, SPIN_ENOMEM, path, 0, 0, NULL);
                break;
            }
            buf = bigger;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    if (st == SPIN_OK && ferror(f))
        st = diag_set(diag, SPIN_EIO, path, 0, 0, "read failed: %s", strerror(errno));
    fclose(f);
    if (st == SPIN_OK)
        st = det_params_parse(buf, len, path, p, diag);
    mem_free(buf);
    return st;
}

/* ---- crawl-adaptive reference ---- */

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static bool dvec_push(dvec *d, double x) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        double *nv = mem_realloc_array(d->v, cap, sizeof *nv);
        if (!nv)
            return false;
        d->v = nv;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return true;
}

struct det_adapt {
    dvec sent[DET_NFEATURES];
    dvec doc[DET_NDOC_FEATURES];
    size_t docs;
};

spin_status det_adapt_new(det_adapt **out) {
    *out = mem_calloc(1, sizeof **out);
    return *out ? SPIN_OK : SPIN_ENOMEM;
}

void det_adapt_free(det_adapt *a) {
    if (!a)
        return;
    for (int k = 0; k < DET_NFEATURES; ++k)
        mem_free(a->sent[k].v);
    for (int k = 0; k < DET_NDOC_FEATURES; ++k)
        mem_free(a->doc[k].v);
    mem_free(a);
}

size_t det_adapt_docs(const det_adapt *a) {
    return a->docs;
}

spin_status det_adapt_add(det_adapt *a, const det_result *r) {
    if (r->verdict == DET_UNSUPPORTED || r->abstain != DET_ABSTAIN_NONE || !r->prose)
        return SPIN_OK;
    for (size_t i = 0; i < r->nsentences; ++i) {
        const det_sentence *s = &r->sentences[i];
        if (s->kind != TOK_PROSE)
            continue;
        for (int k = 0; k < DET_NFEATURES; ++k)
            if (!dvec_push(&a->sent[k], s->feature[k]))
                return SPIN_ENOMEM;
    }
    for (int k = 0; k < DET_NDOC_FEATURES; ++k)
        if (!dvec_push(&a->doc[k], r->doc_feature[k]))
            return SPIN_ENOMEM;
    ++a->docs;
    return SPIN_OK;
}

spin_status det_adapt_params(const det_adapt *a, const det_params *base, det_params *out,
                             spin_diag *diag) {
    if (a->docs < DET_ADAPT_MIN_DOCS)
        return diag_set(diag, SPIN_EINVAL, "", 0, 0,
                        "adapting needs at least %d judged documents (got %zu)", DET_ADAPT_MIN_DOCS,
                        a->docs);
    if (!base->has_pooled || !base->has_doc_ref)
        return diag_set(diag, SPIN_EINVAL, "", 0, 0,
                        "these detector parameters have no document reference to adapt (refit "
                        "them with spinscan calibrate)");
    size_t n = a->sent[0].n > a->docs ? a->sent[0].n : a->docs;
    double *work = mem_alloc(4 * (n + 1) * sizeof *work);
    int *iwork = mem_alloc(5 * (n + 1) * sizeof *iwork);
    if (!work || !iwork) {
        mem_free(work);
        mem_free(iwork);
        return diag_set(diag, SPIN_ENOMEM, "", 0, 0, NULL);
    }
    *out = *base;
    for (int k = 0; k < DET_NFEATURES; ++k)
        if (a->sent[k].n)
            stats_robust(a->sent[k].v, a->sent[k].n, det_feature_floor((det_feature)k), work, iwork,
                         &out->ref_median[k], &out->ref_scale[k]);
    for (int k = DET_D_FEATURE; k < DET_NDOC_FEATURES; ++k) {
        double med, scale;
        stats_robust(a->doc[k].v, a->doc[k].n, 1e-9, work, iwork, &med, &scale);
        double shift = med - base->doc_ref[k];
        out->doc_w0 -= base->doc_w[k] * shift;
        for (int fam = 0; fam < DET_NFAMILIES; ++fam)
            out->fam_w0[fam] -= base->fam_w[fam][k] * shift;
        out->doc_ref[k] = med;
    }
    mem_free(work);
    mem_free(iwork);
    char src[sizeof out->source];
    snprintf(src, sizeof src, "%s", base->source);
    snprintf(out->source, sizeof out->source, "adapted to %zu documents (was: %.180s)", a->docs,
             src);
    return SPIN_OK;
}
