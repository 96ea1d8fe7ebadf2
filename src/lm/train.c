/* train.c - interpolated modified Kneser-Ney estimation (lmplz's rules, train.h).
 *
 * Data: a vocabulary (word <-> id; <unk> = 0, <s> = 1, </s> = 2, then words in
 * order of first appearance, which is also lmplz's unigram order) and one
 * train_table per order n >= 2.  While reading, table[N] counts full-order
 * n-grams and table[n < N] counts the shorter n-grams that start a sentence
 * (they begin with <s> and keep raw counts).  train_estimate() then adds the
 * continuation counts from table[n+1] into table[n], sorts each table in suffix
 * order, and computes probabilities order by order: contexts are found through
 * a table's index, lower-order probabilities by walking the sorted table below
 * in step (a suffix-ordered table visits its suffixes in suffix order).
 *
 * Pruning: a table whose order has a nonzero threshold (below the top order)
 * carries each n-gram's raw count as its record's extra value, summed from the
 * order above while adjusting counts.  Pruned n-grams stay in their table
 * until their order's probabilities are done (their adjusted counts feed their
 * contexts' denominators and gammas), then they are dropped, before the order
 * above looks for its contexts and suffixes.
 */
#include "lm/train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm/arpa_write.h"
#include "util/diag.h"
#include "util/mem.h"
#include "text/lines.h"
#include "text/reader.h"
#include "text/tokenize.h"
#include "lm/train_table.h"

enum { ID_UNK = 0, ID_BOS = 1, ID_EOS = 2 };

/* Vocabulary: strings in one arena, an index of id + 1 by hash. */
typedef struct train_vocab {
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t *off;
    uint32_t *len;
    uint32_t *hash;
    size_t size, cap;
    uint32_t *slots;
    size_t nslots;
} train_vocab;

struct train_model {
    train_options opt;
    train_vocab vocab;
    train_table table[SPIN_MAX_ORDER + 1]; /* [2..order] */
    uint32_t *sent;                        /* ids of the sentence being added */
    size_t sent_cap;
    uint64_t sentences, tokens, dropped;
    bool estimated;
    tokenizer *tok; /* made on first raw-text input */
    char *pending;  /* tokenizer output not yet ended by '\n' */
    size_t pending_len, pending_cap;
    const char *where; /* file being tokenized, for diagnostics */
    uint64_t where_line;
    /* Results of train_estimate(), per order n (index n): linear probability and
     * gamma (0 when the n-gram is no context).  Order 1 is indexed by word id. */
    float *prob[SPIN_MAX_ORDER + 1];
    float *gamma[SPIN_MAX_ORDER + 1];
    train_stats stats;
};

void train_options_init(train_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->order = 4;
    opts->fallback[0] = 0.5f;
    opts->fallback[1] = 1.0f;
    opts->fallback[2] = 1.5f;
}

/* ---- vocabulary ---- */

static uint32_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; ++i) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    return (uint32_t)(h ^ (h >> 32));
}

static spin_status vocab_rehash(train_vocab *v, size_t nslots) {
    uint32_t *slots = mem_calloc(nslots, sizeof *slots);
    if (!slots)
        return SPIN_ENOMEM;
    mem_free(v->slots);
    v->slots = slots;
    v->nslots = nslots;
    for (size_t id = 0; id < v->size; ++id) {
        size_t s = v->hash[id] & (nslots - 1);
        while (slots[s])
            s = (s + 1) & (nslots - 1);
        slots[s] = (uint32_t)(id + 1);
    }
    return SPIN_OK;
}

/* The id of the 'n' bytes at 's', adding the word if new. */
static spin_status vocab_id(train_vocab *v, const char *s, size_t n, uint32_t *id) {
    uint32_t h = hash_bytes(s, n);
    size_t mask = v->nslots - 1, at = h & mask;
    for (uint32_t e; (e = v->slots[at]) != 0; at = (at + 1) & mask) {
        if (v->hash[e - 1] == h && v->len[e - 1] == n && !memcmp(v->arena + v->off[e - 1], s, n)) {
            *id = e - 1;
            return SPIN_OK;
        }
    }
    if (n > UINT32_MAX || v->size >= UINT32_MAX - 1)
        return SPIN_EUNSUPPORTED;
    if (v->size == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1024;
        uint64_t *off = mem_realloc_array(v->off, cap, sizeof *off);
        if (!off)
            return SPIN_ENOMEM;
        v->off = off;
        uint32_t *len = mem_realloc_array(v->len, cap, sizeof *len);
        if (!len)
            return SPIN_ENOMEM;
        v->len = len;
        uint32_t *hash = mem_realloc_array(v->hash, cap, sizeof *hash);
        if (!hash)
            return SPIN_ENOMEM;
        v->hash = hash;
        v->cap = cap;
    }
    uint64_t off = v->arena_len;
    if (!mem_append(&v->arena, &v->arena_len, &v->arena_cap, s, n))
        return SPIN_ENOMEM;
    *id = (uint32_t)v->size;
    v->off[v->size] = off;
    v->len[v->size] = (uint32_t)n;
    v->hash[v->size] = h;
    v->slots[at] = (uint32_t)(++v->size);
    if (2 * v->size > v->nslots)
        return vocab_rehash(v, 2 * v->nslots);
    return SPIN_OK;
}

static void vocab_free(train_vocab *v) {
    mem_free(v->arena);
    mem_free(v->off);
    mem_free(v->len);
    mem_free(v->hash);
    mem_free(v->slots);
}

/* ---- setting up and counting ---- */

void train_free(train_model *m) {
    if (!m)
        return;
    vocab_free(&m->vocab);
    for (unsigned n = 0; n <= SPIN_MAX_ORDER; ++n) {
        train_table_free(&m->table[n]);
        mem_free(m->prob[n]);
        mem_free(m->gamma[n]);
    }
    mem_free(m->sent);
    mem_free(m->pending);
    tokenize_free(m->tok);
    mem_free(m);
}

spin_status train_new(const train_options *opts, train_model **out, spin_diag *diag) {
    *out = NULL;
    if (opts->order < 2 || opts->order > SPIN_MAX_ORDER)
        return diag_set(diag, SPIN_EINVAL, NULL, 0, 0, "order %u is outside 2..%d", opts->order,
                        SPIN_MAX_ORDER);
    for (int k = 0; k < 3; ++k)
        if (!(opts->fallback[k] >= 0.0f && opts->fallback[k] <= (float)(k + 1)))
            return diag_set(diag, SPIN_EINVAL, NULL, 0, 0,
                            "fallback discount D%d%s must lie in [0, %d]", k + 1, k == 2 ? "+" : "",
                            k + 1);
    if (opts->prune[0] != 0)
        return diag_set(diag, SPIN_EINVAL, NULL, 0, 0,
                        "the pruning threshold of unigrams must be 0, not %llu",
                        (unsigned long long)opts->prune[0]);
    for (unsigned n = 2; n <= opts->order; ++n)
        if (opts->prune[n - 1] < opts->prune[n - 2])
            return diag_set(diag, SPIN_EINVAL, NULL, 0, 0,
                            "pruning thresholds must not decrease with the order (%u-grams "
                            "%llu, %u-grams %llu): a kept n-gram needs its shorter parts",
                            n - 1, (unsigned long long)opts->prune[n - 2], n,
                            (unsigned long long)opts->prune[n - 1]);
    train_model *m = mem_calloc(1, sizeof *m);
    if (!m)
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    m->opt = *opts;
    spin_status st = vocab_rehash(&m->vocab, 1 << 12);
    static const char *const specials[] = {"<unk>", "<s>", "</s>"};
    uint32_t id;
    for (int i = 0; i < 3 && st == SPIN_OK; ++i)
        st = vocab_id(&m->vocab, specials[i], strlen(specials[i]), &id);
    for (unsigned n = 2; n <= opts->order && st == SPIN_OK; ++n)
        st = train_table_init(&m->table[n], n, n < opts->order && opts->prune[n - 1] > 0);
    if (st != SPIN_OK) {
        train_free(m);
        return diag_set(diag, st, NULL, 0, 0, NULL);
    }
    *out = m;
    return SPIN_OK;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

/* Literal markers in the text are whitespace, as in lmplz; <UNK> too, because
 * ARPA readers (KenLM's and ours) take it for <unk>. */
static int is_marker(const char *s, size_t n) {
    switch (n) {
    case 3:
        return !memcmp(s, "<s>", 3);
    case 4:
        return !memcmp(s, "</s>", 4);
    case 5:
        return !memcmp(s, "<unk>", 5) || !memcmp(s, "<UNK>", 5);
    }
    return 0;
}

/* Room for 'need' word ids in m->sent (a sentence grows one word at a time,
 * so doubling once is enough); false when out of memory. */
static bool sent_room(train_model *m, size_t need) {
    if (need <= m->sent_cap)
        return true;
    size_t cap = m->sent_cap ? 2 * m->sent_cap : 256;
    uint32_t *s = mem_realloc_array(m->sent, cap, sizeof *s);
    if (!s)
        return false;
    m->sent = s;
    m->sent_cap = cap;
    return true;
}

static spin_status count_error(spin_status st, const char *where, uint64_t line_no,
                               spin_diag *diag) {
    if (st == SPIN_EUNSUPPORTED)
        return diag_set(diag, st, where, line_no, 0,
                        "too much text: a count or the number of distinct n-grams passed 2^32");
    return diag_set(diag, st, where, line_no, 0, NULL);
}

spin_status train_add_line(train_model *m, const char *line, size_t len, const char *where,
                           uint64_t line_no, spin_diag *diag) {
    if (m->estimated)
        return diag_set(diag, SPIN_EINVAL, where, line_no, 0, "the model is already estimated");
    if (memchr(line, '\0', len))
        return diag_set(diag, SPIN_EFORMAT, where, line_no, 0,
                        "NUL byte in the text (is this a binary file?)");
    /* sent = <s> w1 .. wk </s> */
    size_t k = 1;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space(line[i]))
            ++i;
        size_t b = i;
        while (i < len && !is_space(line[i]))
            ++i;
        if (i == b)
            break;
        if (is_marker(line + b, i - b)) {
            if (m->dropped++ == 0 && m->opt.warn) {
                spin_diag w;
                diag_set(&w, SPIN_OK, where, line_no, 0,
                         "%.*s appears in the text; every <s>, </s>, <unk> and <UNK> is taken "
                         "for whitespace, as lmplz does",
                         (int)(i - b), line + b);
                m->opt.warn(m->opt.warn_ctx, &w);
            }
            continue;
        }
        if (!sent_room(m, k + 2))
            return diag_set(diag, SPIN_ENOMEM, where, line_no, 0, NULL);
        spin_status st = vocab_id(&m->vocab, line + b, i - b, &m->sent[k]);
        if (st != SPIN_OK)
            return count_error(st, where, line_no, diag);
        ++k;
    }
    if (!sent_room(m, k + 1))
        return diag_set(diag, SPIN_ENOMEM, where, line_no, 0, NULL);
    m->sent[0] = ID_BOS;
    m->sent[k] = ID_EOS;
    /* Each word after <s> ends one n-gram: of the full order where there is
     * enough history, else a shorter one that starts with <s>. */
    unsigned order = m->opt.order;
    for (size_t i = 1; i <= k; ++i) {
        unsigned n = i + 1 < order ? (unsigned)i + 1 : order;
        spin_status st = train_table_add(&m->table[n], m->sent + i + 1 - n, 1, NULL);
        if (st != SPIN_OK)
            return count_error(st, where, line_no, diag);
    }
    m->tokens += k - 1;
    ++m->sentences;
    return SPIN_OK;
}

/* Receives the tokenizer's line stream in pieces; whole lines are sentences. */
static spin_status take_tokenized(void *ctx, const char *data, size_t len) {
    train_model *m = ctx;
    spin_diag ignored;
    while (len) {
        const char *nl = memchr(data, '\n', len);
        size_t piece = nl ? (size_t)(nl - data) : len;
        if (!mem_append(&m->pending, &m->pending_len, &m->pending_cap, data, piece))
            return SPIN_ENOMEM;
        if (!nl)
            break;
        spin_status st =
            train_add_line(m, m->pending, m->pending_len, m->where, m->where_line, &ignored);
        if (st != SPIN_OK)
            return st;
        m->pending_len = 0;
        data += piece + 1;
        len -= piece + 1;
    }
    return SPIN_OK;
}

/* Tokenizes the 'len' bytes at 'text' (whole lines) and adds the sentences. */
static spin_status add_raw(train_model *m, const char *text, size_t len, const char *where,
                           uint64_t line_no, spin_diag *diag) {
    spin_status st = SPIN_OK;
    if (!m->tok && (st = tokenize_new(&m->tok, diag)) != SPIN_OK)
        return st;
    m->where = where;
    m->where_line = line_no;
    m->pending_len = 0;
    st = tokenize_lines(m->tok, text, len, take_tokenized, m, NULL, diag);
    if (st == SPIN_OK && m->pending_len) /* the stream always ends lines; be safe */
        st = train_add_line(m, m->pending, m->pending_len, where, line_no, diag);
    m->pending_len = 0;
    if (st != SPIN_OK && diag && !diag->path[0])
        diag_set(diag, st, where, line_no, 0, "%s",
                 st == SPIN_EUNSUPPORTED ? "too much text: a count passed 2^32"
                                         : spin_strerror(st));
    return st;
}

/* Raw text is tokenized in pieces of about this many bytes, cut after a
 * newline: the tokenizer never joins lines, so the cut changes nothing. */
enum { RAW_CHUNK = 8 << 20 };

/* Reads raw text in pieces of RAW_CHUNK bytes cut after a newline and hands
 * them to the tokenizer. */
static spin_status add_raw_stream(train_model *m, reader *r, const char *name, spin_diag *diag) {
    size_t cap = RAW_CHUNK + (1u << 16), have = 0;
    char *buf = mem_alloc(cap);
    if (!buf)
        return diag_set(diag, SPIN_ENOMEM, name, 0, 0, NULL);
    spin_status st = SPIN_OK;
    uint64_t line_no = 0;
    bool eof = false;
    while (st == SPIN_OK && !(eof && have == 0)) {
        while (!eof && have < RAW_CHUNK) {
            if (have == cap) {
                char *b = mem_realloc(buf, cap * 2);
                if (!b) {
                    mem_free(buf);
                    return diag_set(diag, SPIN_ENOMEM, name, line_no + 1, 0, NULL);
                }
                buf = b;
                cap *= 2;
            }
            size_t got;
            if ((st = reader_read(r, buf + have, cap - have, &got, diag)) != SPIN_OK)
                break;
            eof = got == 0;
            have += got;
        }
        if (st != SPIN_OK)
            break;
        size_t end = have;
        if (!eof)
            while (end > 0 && buf[end - 1] != '\n')
                --end;
        if (end == 0)
            end = have; /* one enormous line: cut it; the tokenizer cuts those too */
        st = add_raw(m, buf, end, name, line_no + 1, diag);
        for (const char *q = buf; (q = memchr(q, '\n', end - (size_t)(q - buf))); ++q)
            ++line_no;
        memmove(buf, buf + end, have - end);
        have -= end;
        if (m->opt.progress)
            m->opt.progress(m->opt.progress_ctx, "reading", reader_input_offset(r),
                            reader_input_size(r));
    }
    mem_free(buf);
    return st;
}

static spin_status add_tokenized_stream(train_model *m, reader *r, spin_diag *diag) {
    lines in;
    if (lines_init(&in, r, (size_t)1 << 30) != SPIN_OK)
        return diag_set(diag, SPIN_ENOMEM, reader_name(r), 0, 0, NULL);
    spin_status st;
    for (;;) {
        const char *line;
        size_t len;
        bool nl;
        if ((st = lines_next(&in, &line, &len, &nl, diag)) != SPIN_OK || !line)
            break;
        if ((st = train_add_line(m, line, len, reader_name(r), in.line_no, diag)) != SPIN_OK)
            break;
        if (m->opt.progress && (in.line_no & 4095) == 0)
            m->opt.progress(m->opt.progress_ctx, "reading", reader_input_offset(r),
                            reader_input_size(r));
    }
    lines_free(&in);
    return st;
}

spin_status train_add_file(train_model *m, const char *path, bool tokenized, spin_diag *diag) {
    reader *r;
    spin_status st = !strcmp(path, "-") ? reader_open_fd(0, "<stdin>", &r, diag)
                                        : reader_open_path(path, &r, diag);
    if (st != SPIN_OK)
        return st;
    const char *name = reader_name(r);
    /* Room for the top order's n-grams up front, from the input's size: about
     * one distinct n-gram per 6 to 8 bytes of text (7.4 measured on the
     * default corpus and on a 4-fold one), so an estimate at 8 bytes seldom
     * overshoots (index slots are touched at random, so unused ones would cost
     * memory) and spares most of the doubling and rehashing on the way. */
    uint64_t bytes = reader_input_size(r);
    train_table *top = &m->table[m->opt.order];
    if (bytes / 8 < SIZE_MAX / 2 && top->size + bytes / 8 > top->cap)
        (void)train_table_reserve(top, top->size + (size_t)(bytes / 8)); /* only a hint */
    st = tokenized ? add_tokenized_stream(m, r, diag) : add_raw_stream(m, r, name, diag);
    reader_free(r);
    return st;
}

/* ---- estimation ---- */

static void progress(const train_model *m, const char *stage, uint64_t done, uint64_t total) {
    if (m->opt.progress)
        m->opt.progress(m->opt.progress_ctx, stage, done, total);
}

/* Discounts of order 'n' from its counts-of-counts, lmplz's way (in float). */
static spin_status discounts(train_model *m, unsigned n, spin_diag *diag) {
    const uint64_t *t = m->stats.counts_of_counts[n - 1];
    float *d = m->stats.discount[n - 1];
    char why[400] = "";
    for (unsigned k = 1; k <= 3 && !why[0]; ++k)
        if (t[k] == 0)
            snprintf(why, sizeof why,
                     "could not estimate Kneser-Ney discounts for %u-grams: no %u-gram has "
                     "adjusted count %u (is the text very small or artificial?)",
                     n, n, k);
    if (!why[0]) {
        float y = (float)t[1] / ((float)t[1] + 2.0f * (float)t[2]);
        d[0] = 0.0f;
        for (unsigned k = 1; k <= 3; ++k) {
            d[k] = (float)k - (float)(k + 1) * y * (float)t[k + 1] / (float)t[k];
            if (!why[0] && (d[k] < 0.0f || d[k] > (float)k)) {
                char num[ARPAW_FLOAT_MAX];
                arpaw_format_float(num, d[k]);
                snprintf(why, sizeof why, "%u-gram discount out of range for adjusted count %u: %s",
                         n, k, num);
            }
        }
    }
    if (!why[0])
        return SPIN_OK;
    if (!m->opt.discount_fallback)
        return diag_set(diag, SPIN_EFORMAT, NULL, 0, 0,
                        "%s; --discount-fallback substitutes D1=%g D2=%g D3+=%g", why,
                        (double)m->opt.fallback[0], (double)m->opt.fallback[1],
                        (double)m->opt.fallback[2]);
    for (unsigned k = 1; k <= 3; ++k)
        d[k] = m->opt.fallback[k - 1];
    m->stats.used_fallback[n - 1] = true;
    if (m->opt.warn) {
        spin_diag w;
        diag_set(&w, SPIN_OK, NULL, 0, 0, "%s; substituting fallback discounts D1=%g D2=%g D3+=%g",
                 why, (double)d[1], (double)d[2], (double)d[3]);
        m->opt.warn(m->opt.warn_ctx, &w);
    }
    return SPIN_OK;
}

static float disc(const float *d, uint32_t a) {
    return d[a < 3 ? a : 3];
}

/* The raw count of record 'r' of 't': its count at the top order (raw and
 * adjusted are the same there), else the extra value, which exists only where
 * the order is pruned. */
static uint32_t raw_count(const train_model *m, const train_table *t, const uint32_t *r) {
    return t->n == m->opt.order ? r[t->n] : r[t->n + 1];
}

/* Whether pruning removes record 'r' of 't'. */
static bool is_pruned(const train_model *m, const train_table *t, const uint32_t *r) {
    uint64_t th = m->opt.prune[t->n - 1];
    return th > 0 && raw_count(m, t, r) <= th;
}

/* Adjusted counts, from the top order down: with table[n] sorted in suffix
 * order, the n-grams that share a suffix (their words but the first) are one
 * run, so each suffix's adjusted count (its number of distinct left
 * extensions) is the length of its run.  table[n-1] becomes those suffixes
 * merged with the (n-1)-grams already there, which start with <s> and keep
 * their raw counts; no suffix starts with <s> (nothing precedes it), so the
 * two never meet, and the merge leaves table[n-1] sorted in suffix order too.
 * Unigrams go to 'uni' (indexed by id).  Where order n-1 is pruned, its raw
 * counts are summed over each run: an n-gram that does not start with <s>
 * occurs once in each occurrence of its left extensions (the padding gives
 * every occurrence one). */
static spin_status adjust_counts(train_model *m, uint32_t *uni) {
    unsigned order = m->opt.order;
    spin_status st = train_table_sort_suffix(&m->table[order]);
    for (unsigned n = order; st == SPIN_OK && n >= 2; --n) {
        train_table *t = &m->table[n], *lower = &m->table[n - 1];
        progress(m, "adjusting counts", order - n, order - 1);
        train_table_shrink(t);
        if (n == 2) {
            for (size_t i = 0; i < t->size; ++i)
                ++uni[train_table_rec(t, i)[1]];
            break;
        }
        unsigned k = n - 1;
        bool raw = lower->stride > k + 1;
        /* The <s> (n-1)-grams, sorted; their raw count is their count. */
        if ((st = train_table_sort_suffix(lower)) != SPIN_OK)
            break;
        if (raw)
            for (size_t i = 0; i < lower->size; ++i) {
                uint32_t *r = train_table_rec(lower, i);
                r[k + 1] = r[k];
            }
        size_t runs = 0;
        for (size_t i = 0; i < t->size; ++i)
            runs += i == 0 || train_suffix_cmp(train_table_rec(t, i - 1) + 1,
                                               train_table_rec(t, i) + 1, k) != 0;
        train_table merged;
        if ((st = train_table_init_sized(&merged, k, raw, runs + lower->size)) != SPIN_OK)
            break;
        size_t i = 0, j = 0;
        while (i < t->size || j < lower->size) {
            const uint32_t *r = i < t->size ? train_table_rec(t, i) + 1 : NULL;
            const uint32_t *s = j < lower->size ? train_table_rec(lower, j) : NULL;
            uint32_t *d = train_table_rec(&merged, merged.size++);
            if (!r || (s && train_suffix_cmp(s, r, k) < 0)) {
                memcpy(d, s, lower->stride * sizeof *d);
                ++j;
                continue;
            }
            memcpy(d, r, k * sizeof *d);
            uint32_t a = 0, sum = 0;
            for (; i < t->size && train_suffix_cmp(train_table_rec(t, i) + 1, r, k) == 0; ++i) {
                ++a;
                if (raw) {
                    uint32_t add = raw_count(m, t, train_table_rec(t, i));
                    sum = sum > UINT32_MAX - add ? UINT32_MAX : sum + add; /* saturates */
                }
            }
            d[k] = a;
            if (raw)
                d[k + 1] = sum;
        }
        train_table_free(lower);
        *lower = merged;
    }
    return st;
}

/* Drops the pruned records of order 'n' and their probabilities. */
static void drop_pruned(train_model *m, unsigned n) {
    train_table *t = &m->table[n];
    if (!m->opt.prune[n - 1])
        return;
    float *prob = m->prob[n];
    size_t k = 0;
    for (size_t i = 0; i < t->size; ++i) {
        const uint32_t *r = train_table_rec(t, i);
        if (is_pruned(m, t, r))
            continue;
        if (k != i) {
            memmove(train_table_rec(t, k), r, t->stride * sizeof *r);
            prob[k] = prob[i];
        }
        ++k;
    }
    t->size = k;
    train_table_shrink(t);
}

/* Context lookups fetch the index slot of the record this far ahead. */
enum { PREFETCH_AHEAD = 16 };

/* Probabilities of order 'n' (>= 2) and the gammas of its contexts, given
 * order n-1 (probabilities done, table sorted in suffix order). */
static spin_status interpolate(train_model *m, unsigned n) {
    train_table *t = &m->table[n], *lower = &m->table[n - 1];
    size_t nctx = n == 2 ? m->vocab.size : lower->size;
    const float *d = m->stats.discount[n - 1];
    spin_status st = SPIN_OK;
    if (n > 2 && (st = train_table_index(lower)) != SPIN_OK)
        return st;
    double *ctot = mem_calloc(nctx, sizeof *ctot);
    double *cgnum = mem_calloc(nctx, sizeof *cgnum);
    float *gam = m->gamma[n - 1] = mem_calloc(nctx, sizeof *gam);
    float *prob = m->prob[n] = mem_alloc(t->size * sizeof *prob + 1);
    if (!ctot || !cgnum || !gam || !prob) {
        st = SPIN_ENOMEM;
        goto done;
    }
    /* Every context is an (n-1)-gram of the model and every suffix too: both
     * got a count when their n-gram was counted, and pruning keeps them with
     * the n-gram.  Checked all the same.  A pruned n-gram whose context was
     * pruned too counts for nothing; one whose context stays gives that
     * context its whole adjusted count to back off with.  Each record's
     * context index waits in its prob slot (a uint32 in a float's place) until
     * the second pass overwrites it with the probability. */
    uint32_t *ctx = (uint32_t *)(void *)prob;
    for (size_t i = 0; i < t->size; ++i) {
        const uint32_t *r = train_table_rec(t, i);
        if (n > 2 && i + PREFETCH_AHEAD < t->size)
            train_table_prefetch(lower, train_table_rec(t, i + PREFETCH_AHEAD));
        size_t c = n == 2 ? r[0] : train_table_find(lower, r);
        bool cut = is_pruned(m, t, r);
        if (c == TRAIN_NOT_FOUND) {
            if (!cut) {
                st = SPIN_EINVAL;
                goto done;
            }
            ctx[i] = UINT32_MAX;
            continue;
        }
        ctx[i] = (uint32_t)c;
        ctot[c] += r[n];
        cgnum[c] += cut ? (double)r[n] : disc(d, r[n]);
    }
    train_table_drop_index(lower);
    for (size_t c = 0; c < nctx; ++c)
        gam[c] = ctot[c] > 0 ? (float)(cgnum[c] / ctot[c]) : 0.0f;
    size_t j = 0; /* walks 'lower' in step with the suffixes */
    for (size_t i = 0; i < t->size; ++i) {
        const uint32_t *r = train_table_rec(t, i);
        uint32_t a = r[n], c = ctx[i];
        if (is_pruned(m, t, r)) {
            prob[i] = 0.0f; /* dropped below */
            continue;
        }
        double lp;
        if (n == 2) {
            lp = m->prob[1][r[1]];
        } else {
            while (j < lower->size && train_suffix_cmp(train_table_rec(lower, j), r + 1, n - 1) < 0)
                ++j;
            if (j == lower->size || train_suffix_cmp(train_table_rec(lower, j), r + 1, n - 1)) {
                st = SPIN_EINVAL;
                goto done;
            }
            lp = m->prob[n - 1][j];
        }
        prob[i] = (float)((a - disc(d, a)) / ctot[c] + gam[c] * lp);
    }
    drop_pruned(m, n);
done:
    mem_free(ctot);
    mem_free(cgnum);
    train_table_drop_index(lower);
    return st;
}

spin_status train_estimate(train_model *m, train_stats *stats, spin_diag *diag) {
    if (m->estimated)
        return diag_set(diag, SPIN_EINVAL, NULL, 0, 0, "the model is already estimated");
    if (m->sentences == 0)
        return diag_set(diag, SPIN_EFORMAT, NULL, 0, 0, "no text to train on");
    m->estimated = true;
    unsigned order = m->opt.order;
    size_t nvocab = m->vocab.size;
    train_stats *s = &m->stats;
    memset(s, 0, sizeof *s);
    s->order = order;
    s->sentences = m->sentences;
    s->tokens = m->tokens;
    s->dropped = m->dropped;
    /* The vocabulary is complete: its index is no longer needed. */
    mem_free(m->vocab.slots);
    m->vocab.slots = NULL;

    uint32_t *uni = mem_calloc(nvocab, sizeof *uni);
    if (!uni)
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    spin_status st = adjust_counts(m, uni);
    if (st != SPIN_OK) {
        mem_free(uni);
        return count_error(st, NULL, 0, diag);
    }
    uni[ID_BOS] = uni[ID_UNK] = 0;

    /* Counts of counts and discounts, lowest order first (lmplz reports the
     * first failing order). */
    s->ngrams[0] = s->ngrams_counted[0] = nvocab;
    for (size_t id = 0; id < nvocab; ++id)
        if (uni[id] >= 1 && uni[id] <= 4)
            ++s->counts_of_counts[0][uni[id]];
    for (unsigned n = 2; n <= order; ++n) {
        const train_table *t = &m->table[n];
        s->ngrams_counted[n - 1] = t->size;
        for (size_t i = 0; i < t->size; ++i) {
            uint32_t a = train_table_rec(t, i)[n];
            if (a <= 4)
                ++s->counts_of_counts[n - 1][a];
        }
    }
    for (unsigned n = 1; n <= order && st == SPIN_OK; ++n)
        st = discounts(m, n, diag);
    if (st != SPIN_OK) {
        mem_free(uni);
        return st;
    }

    /* Unigrams: interpolated with the uniform distribution over all words
     * but <s>. */
    const float *d1 = s->discount[0];
    double total = 0, gnum = 0;
    for (size_t id = 0; id < nvocab; ++id) {
        total += uni[id];
        if (uni[id])
            gnum += disc(d1, uni[id]);
    }
    double uniform = gnum / total / (double)(nvocab - 1);
    m->prob[1] = mem_alloc(nvocab * sizeof(float));
    if (!m->prob[1]) {
        mem_free(uni);
        return diag_set(diag, SPIN_ENOMEM, NULL, 0, 0, NULL);
    }
    for (size_t id = 0; id < nvocab; ++id)
        m->prob[1][id] = (float)((uni[id] ? (uni[id] - disc(d1, uni[id])) / total : 0.0) + uniform);
    m->prob[1][ID_BOS] = 1.0f; /* written as log10 0 */
    mem_free(uni);

    /* adjust_counts() left every table sorted in suffix order. */
    for (unsigned n = 2; n <= order; ++n) {
        progress(m, "probabilities", n - 2, order - 1);
        if ((st = interpolate(m, n)) != SPIN_OK)
            return diag_set(diag, st, NULL, 0, 0,
                            st == SPIN_EINVAL ? "internal error: an n-gram's context or suffix "
                                                "is missing from the order below"
                                              : NULL);
    }
    progress(m, "probabilities", order - 1, order - 1);
    for (unsigned n = 2; n <= order; ++n)
        s->ngrams[n - 1] = m->table[n].size;
    if (stats)
        *stats = *s;
    return SPIN_OK;
}

/* ---- output ---- */

static void put_word(arpaw_file *f, const train_vocab *v, uint32_t id) {
    arpaw_write(f, v->arena + v->off[id], v->len[id]);
}

static void put_logprob(arpaw_file *f, float p) {
    arpaw_float(f, (float)log10((double)p));
}

spin_status train_write_arpa(const train_model *m, const char *path, spin_diag *diag) {
    if (!m->estimated || !m->prob[m->opt.order])
        return diag_set(diag, SPIN_EINVAL, path, 0, 0, "the model is not estimated");
    unsigned order = m->opt.order;
    const train_vocab *v = &m->vocab;
    arpaw_file *f;
    spin_status st = arpaw_open(path, &f, diag);
    if (st != SPIN_OK)
        return st;
    char line[64];
    arpaw_puts(f, "\\data\\\n");
    for (unsigned n = 1; n <= order; ++n) {
        snprintf(line, sizeof line, "ngram %u=%llu\n", n,
                 (unsigned long long)m->stats.ngrams[n - 1]);
        arpaw_puts(f, line);
    }
    arpaw_puts(f, "\n\\1-grams:\n");
    for (uint32_t id = 0; id < v->size; ++id) {
        if (id == ID_BOS)
            arpaw_putc(f, '0');
        else
            put_logprob(f, m->prob[1][id]);
        arpaw_putc(f, '\t');
        put_word(f, v, id);
        arpaw_putc(f, '\t');
        float g = m->gamma[1][id];
        arpaw_float(f, g > 0 ? (float)log10((double)g) : 0.0f);
        arpaw_putc(f, '\n');
    }
    for (unsigned n = 2; n <= order; ++n) {
        progress(m, "writing", n - 1, order);
        const train_table *t = &m->table[n];
        snprintf(line, sizeof line, "\n\\%u-grams:\n", n);
        arpaw_puts(f, line);
        for (size_t i = 0; i < t->size; ++i) {
            const uint32_t *r = train_table_rec(t, i);
            put_logprob(f, m->prob[n][i]);
            arpaw_putc(f, '\t');
            for (unsigned k = 0; k < n; ++k) {
                if (k)
                    arpaw_putc(f, ' ');
                put_word(f, v, r[k]);
            }
            if (n < order) {
                float g = m->gamma[n][i];
                arpaw_putc(f, '\t');
                arpaw_float(f, g > 0 ? (float)log10((double)g) : 0.0f);
            }
            arpaw_putc(f, '\n');
        }
    }
    arpaw_puts(f, "\n\\end\\\n");
    return arpaw_commit(f, diag);
}
