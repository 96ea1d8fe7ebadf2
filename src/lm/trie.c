/* trie.c - building and scoring the compact layout (see trie.h).
 *
 * Building starts from a model read with m->record set: the recorded word
 * indices give each n-gram's place in the trie, and the probing tables give its
 * values, flags included, so the compact model scores exactly as the probing
 * one (unless quantized).  Level n is sorted by (index of its parent in level
 * n-1, older word), one 64-bit key per record, which is the order of its words
 * newest first.
 */
#include "lm/trie.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* ---- reading records ---- */

static inline uint64_t read_bits(const unsigned char *base, uint64_t bit, unsigned width) {
    uint64_t v;
    memcpy(&v, base + (bit >> 3), 8);
    return (v >> (bit & 7)) & ((1ull << width) - 1);
}

static inline float float_of(uint32_t bits) {
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint32_t bits_of(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

/* The exponent field of an exact value from its stored code (trie.h). */
static inline uint32_t exp_decode(uint64_t code, unsigned base) {
    return code ? (uint32_t)code + base : 0;
}

static inline float level_prob(const trie_level *l, uint64_t bit) {
    uint64_t v = read_bits(l->bits, bit + l->word_bits, l->prob_bits);
    if (l->prob_codes)
        return l->prob_codes[v];
    return float_of(0x80000000u | exp_decode(v >> 23, l->prob_exp_base) << 23 |
                    ((uint32_t)v & 0x7fffffu));
}

static inline float level_backoff(const trie_level *l, uint64_t bit) {
    uint64_t v = read_bits(l->bits, bit + l->word_bits + l->prob_bits, l->backoff_bits);
    if (l->backoff_codes)
        return l->backoff_codes[v];
    unsigned k = l->backoff_bits - 24;
    uint32_t sign = (uint32_t)(v >> (k + 23)) << 31;
    return float_of(sign | exp_decode((v >> 23) & ((1u << k) - 1), l->backoff_exp_base) << 23 |
                    ((uint32_t)v & 0x7fffffu));
}

static inline uint64_t level_next(const trie_level *l, uint64_t record) {
    uint64_t bit = record * l->record_bits + l->word_bits + l->prob_bits + l->backoff_bits;
    return l->next_base[record >> l->next_block_bits] + read_bits(l->bits, bit, l->next_bits);
}

/* Index of the record for word 'w' among records [begin, end), or UINT64_MAX. */
static inline uint64_t level_find(const trie_level *l, uint64_t begin, uint64_t end, spin_word w) {
    while (begin < end) {
        uint64_t mid = begin + (end - begin) / 2;
        uint64_t got = read_bits(l->bits, mid * l->record_bits, l->word_bits);
        if (got < w)
            begin = mid + 1;
        else if (got > w)
            end = mid;
        else
            return mid;
    }
    return UINT64_MAX;
}

uint64_t trie_level_bytes(uint64_t records, unsigned record_bits) {
    return ((records + 1) * record_bits + 7) / 8 + 8;
}

/* ---- scoring: the rule of spin_full_score() in lm.c, on the trie ---- */

spin_score trie_full_score(const spin_model *m, const spin_state *in, spin_word word,
                           spin_state *out) {
    const lm_trie *t = m->trie;
    spin_score r;
    if (word >= vocab_size(m->vocab))
        word = SPIN_WORD_NOT_FOUND;
    const lm_unigram *u = &m->uni[word];
    lm_score_unigram(u, word, &r, out);

    /* Ranges are clamped to their level, so that a damaged file gives wrong
     * scores but never reads out of bounds (binfmt.c checks only the header,
     * vocabulary and unigrams when loading). */
    uint64_t begin = t->next1[word], end = t->next1[word + 1];
    if (end > t->level[2].records)
        end = t->level[2].records;
    const unsigned order = m->order;
    for (unsigned i = 0; i < in->length && begin < end; ++i) {
        unsigned n = i + 2;
        const trie_level *l = &t->level[n];
        uint64_t at = level_find(l, begin, end, in->words[i]);
        if (at == UINT64_MAX)
            break;
        uint64_t bit = at * l->record_bits;
        r.prob = level_prob(l, bit);
        r.ngram_length = (unsigned char)n;
        if (n == order)
            break;
        begin = level_next(l, at);
        end = level_next(l, at + 1);
        if (end > t->level[n + 1].records)
            end = t->level[n + 1].records;
        float bo = level_backoff(l, bit);
        out->backoff[i + 1] = bo;
        if (lm_has_extension(bo))
            out->length = (unsigned char)n;
    }
    lm_complete_score(in, out, &r);
    return r;
}

/* ---- building ---- */

typedef struct sort_item {
    uint64_t key; /* parent << 32 | older word; later the lm key */
    uint32_t index;
    uint32_t pad;
} sort_item;

static int cmp_item(const void *a, const void *b) {
    uint64_t x = ((const sort_item *)a)->key, y = ((const sort_item *)b)->key;
    return x < y ? -1 : x > y;
}

static unsigned bits_for(uint64_t max_value) {
    unsigned b = 1;
    while (b < 64 && (max_value >> b))
        ++b;
    return b;
}

/* The nonzero exponent fields seen among a level's exact values. */
typedef struct exp_range {
    unsigned lo, hi;
} exp_range;

static void exp_note(exp_range *r, float f) {
    unsigned e = (bits_of(f) >> 23) & 0xffu;
    if (e) {
        r->lo = e < r->lo ? e : r->lo;
        r->hi = e > r->hi ? e : r->hi;
    }
}

static unsigned exp_base(const exp_range *r) {
    return r->lo <= r->hi ? r->lo - 1 : 0;
}

static unsigned exp_bits(const exp_range *r) {
    return r->lo <= r->hi ? bits_for(r->hi - exp_base(r)) : 1;
}

/* The stored form of the exact float 'bits' (exponent narrowed, trie.h). */
static uint32_t exp_encode(uint32_t bits, unsigned base) {
    uint32_t e = (bits >> 23) & 0xffu;
    return (e ? e - base : 0) << 23 | (bits & 0x7fffffu);
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Prefix sums over the sorted values v[i] with weights w[i]: of w, w v and
 * w v^2, so that any run of values has its weighted mean and squared error in
 * O(1). */
typedef struct wsums {
    double *w, *wv, *wvv;
} wsums;

static double cell_sse(const wsums *s, size_t a, size_t b) {
    double w = s->w[b] - s->w[a];
    if (b <= a || w <= 0.0)
        return 0.0;
    double wv = s->wv[b] - s->wv[a], sse = s->wvv[b] - s->wvv[a] - wv * wv / w;
    return sse > 0.0 ? sse : 0.0;
}

static double cell_mean(const wsums *s, const float *sorted, size_t a, size_t b) {
    double w = s->w[b] - s->w[a];
    return w > 0.0 ? (s->wv[b] - s->wv[a]) / w : ((double)sorted[a] + sorted[b - 1]) / 2;
}

/* The first of sorted[lo .. hi) above 't' (hi if none). */
static size_t upper_bound(const float *sorted, size_t lo, size_t hi, double t) {
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)sorted[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Lloyd's steps stop when no code moves, at the latest after this many (the
 * default model converges in well under a hundred). */
enum { LLOYD_MAX_STEPS = 400 };

spin_status trie_fit_codes(const float *sorted, const float *log_weight, size_t n, unsigned bits,
                           unsigned reserved, float *codes) {
    size_t k = ((size_t)1 << bits) - reserved;
    float *c = codes + reserved;
    size_t distinct = 0;
    for (size_t i = 0; i < n; ++i)
        distinct += i == 0 || sorted[i] != sorted[i - 1];
    if (distinct <= k) { /* every value exactly */
        size_t b = 0;
        for (size_t i = 0; i < n; ++i)
            if (i == 0 || sorted[i] != sorted[i - 1])
                c[b++] = sorted[i];
        for (; b < k; ++b)
            c[b] = n ? sorted[n - 1] : 0.0f;
        return SPIN_OK;
    }
    wsums s = {mem_alloc((n + 1) * sizeof(double)), mem_alloc((n + 1) * sizeof(double)),
               mem_alloc((n + 1) * sizeof(double))};
    double *cd = mem_alloc(k * sizeof *cd), *sse = mem_alloc(k * sizeof *sse);
    size_t *edge = mem_alloc((k + 1) * sizeof *edge); /* cell b: sorted[edge[b] .. edge[b+1]) */
    spin_status st = SPIN_ENOMEM;
    if (!s.w || !s.wv || !s.wvv || !cd || !sse || !edge)
        goto done;
    s.w[0] = s.wv[0] = s.wvv[0] = 0.0;
    for (size_t i = 0; i < n; ++i) {
        double v = sorted[i], w = log_weight ? pow(10.0, (double)log_weight[i]) : 1.0;
        s.w[i + 1] = s.w[i] + w;
        s.wv[i + 1] = s.wv[i] + w * v;
        s.wvv[i + 1] = s.wvv[i] + w * v * v;
    }
    /* The start: KenLM's codes, the plain means of equal-count bins. */
    for (size_t b = 0; b < k; ++b) {
        size_t lo = b * n / k, hi = (b + 1) * n / k;
        double sum = 0.0;
        for (size_t i = lo; i < hi; ++i)
            sum += sorted[i];
        cd[b] = hi > lo ? sum / (double)(hi - lo) : b ? cd[b - 1] : sorted[0];
    }
    for (unsigned step = 0; step < LLOYD_MAX_STEPS; ++step) {
        /* Each value to its nearest code, ties to the lower (as nearest_code()). */
        edge[0] = 0;
        edge[k] = n;
        for (size_t b = 1; b < k; ++b)
            edge[b] = upper_bound(sorted, edge[b - 1], n, (cd[b - 1] + cd[b]) / 2);
        bool moved = false;
        for (size_t b = 0; b < k; ++b) {
            sse[b] = cell_sse(&s, edge[b], edge[b + 1]);
            if (edge[b + 1] > edge[b]) {
                double mean = cell_mean(&s, sorted, edge[b], edge[b + 1]);
                moved |= mean != cd[b];
                cd[b] = mean;
            }
        }
        /* A code with no values splits the cell with the largest error. */
        for (size_t b = 0; b < k; ++b) {
            if (edge[b + 1] > edge[b])
                continue;
            size_t w = 0;
            for (size_t j = 1; j < k; ++j)
                if (sse[j] > sse[w])
                    w = j;
            size_t lo = edge[w], hi = edge[w + 1], mid = lo + (hi - lo) / 2;
            while (mid > lo && sorted[mid] == sorted[mid - 1])
                --mid;
            if (sse[w] <= 0.0 || mid == lo)
                break; /* nothing left worth splitting */
            cd[w] = cell_mean(&s, sorted, lo, mid);
            cd[b] = cell_mean(&s, sorted, mid, hi);
            double e1 = cell_sse(&s, lo, mid), e2 = cell_sse(&s, mid, hi);
            sse[w] = e1 > e2 ? e1 : e2;
            sse[b] = 0.0;
            moved = true;
        }
        if (!moved)
            break;
        for (size_t b = 1; b < k; ++b) /* ascending again after splits */
            for (size_t j = b; j > 0 && cd[j - 1] > cd[j]; --j) {
                double x = cd[j];
                cd[j] = cd[j - 1];
                cd[j - 1] = x;
            }
    }
    for (size_t b = 0; b < k; ++b)
        c[b] = (float)cd[b];
    qsort(c, k, sizeof *c, cmp_float);
    st = SPIN_OK;
done:
    mem_free(s.w);
    mem_free(s.wv);
    mem_free(s.wvv);
    mem_free(cd);
    mem_free(sse);
    mem_free(edge);
    return st;
}

/* The code in codes[reserved .. count) nearest to 'x'. */
static uint32_t nearest_code(const float *codes, size_t reserved, size_t count, float x) {
    size_t lo = reserved, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (codes[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == count)
        return (uint32_t)(count - 1);
    if (lo > reserved && fabsf(x - codes[lo - 1]) <= fabsf(codes[lo] - x))
        return (uint32_t)(lo - 1);
    return (uint32_t)lo;
}

static inline void write_bits(unsigned char *base, uint64_t bit, unsigned width, uint64_t v) {
    uint64_t w;
    memcpy(&w, base + (bit >> 3), 8);
    w |= v << (bit & 7);
    memcpy(base + (bit >> 3), &w, 8);
}

void trie_built_free(trie_built *t) {
    mem_free(t->next1);
    for (unsigned n = 0; n <= SPIN_MAX_ORDER; ++n) {
        mem_free_large(t->level[n], t->level_bytes[n]);
        mem_free(t->codes[n]);
        mem_free(t->base[n]);
    }
    memset(t, 0, sizeof *t);
}

/* Per level while building: the records' original indices in sorted order,
 * their parents, and (for finding parents one level up) their lm keys sorted. */
typedef struct build_level {
    uint32_t *perm;
    uint32_t *parent;
    sort_item *bykey;
    uint64_t n;
} build_level;

static uint64_t key_of(const spin_word *ids, unsigned n) {
    uint64_t key = lm_key_start(ids[n - 1]);
    for (unsigned k = 2; k <= n; ++k)
        key = lm_key_extend(key, ids[n - k]);
    return key;
}

static bool find_by_key(const build_level *b, uint64_t key, uint32_t *index) {
    uint64_t lo = 0, hi = b->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (b->bykey[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == b->n || b->bykey[lo].key != key)
        return false;
    *index = b->bykey[lo].index;
    return true;
}

static spin_status sort_level(const spin_model *m, unsigned n, build_level *lv, const char **why) {
    const lm_record *rec = m->record;
    uint64_t count = rec->len[n];
    const spin_word *ids = rec->ids[n];
    build_level *b = &lv[n];
    b->n = count;
    if (count >= UINT32_MAX) {
        *why = "more than 2^32 n-grams of one order";
        return SPIN_EUNSUPPORTED;
    }
    sort_item *items = mem_alloc((size_t)(count ? count : 1) * sizeof *items);
    b->perm = mem_alloc((size_t)(count ? count : 1) * sizeof *b->perm);
    b->parent = mem_alloc((size_t)(count ? count : 1) * sizeof *b->parent);
    if (!items || !b->perm || !b->parent) {
        mem_free(items);
        return SPIN_ENOMEM;
    }
    for (uint64_t i = 0; i < count; ++i) {
        const spin_word *g = ids + i * n;
        uint32_t parent = g[n - 1];
        if (n > 2 && !find_by_key(&lv[n - 1], key_of(g + 1, n - 1), &parent)) {
            mem_free(items);
            *why = "an n-gram's suffix is missing from the order below";
            return SPIN_EFORMAT;
        }
        items[i].key = (uint64_t)parent << 32 | g[0];
        items[i].index = (uint32_t)i;
    }
    qsort(items, (size_t)count, sizeof *items, cmp_item);
    for (uint64_t i = 0; i < count; ++i) {
        if (i && items[i].key == items[i - 1].key) {
            mem_free(items);
            *why = "an n-gram is stored twice";
            return SPIN_EFORMAT;
        }
        b->perm[i] = items[i].index;
        b->parent[i] = (uint32_t)(items[i].key >> 32);
    }
    if (n < m->order) { /* the next level finds its parents by lm key */
        for (uint64_t i = 0; i < count; ++i) {
            items[i].key = key_of(ids + (uint64_t)b->perm[i] * n, n);
            items[i].index = (uint32_t)i;
        }
        qsort(items, (size_t)count, sizeof *items, cmp_item);
        b->bykey = items;
    } else {
        mem_free(items);
    }
    return SPIN_OK;
}

/* first[p] = index of the first record of 'b' whose parent is p, for
 * p in [0, parents]; first[parents] = b->n. */
static uint32_t *child_starts(const build_level *b, uint64_t parents) {
    uint32_t *first = mem_calloc((size_t)parents + 1, sizeof *first);
    if (!first)
        return NULL;
    for (uint64_t i = 0; i < b->n; ++i)
        ++first[b->parent[i] + 1];
    for (uint64_t p = 0; p < parents; ++p)
        first[p + 1] += first[p];
    return first;
}

/* log10 of the joint probability of the n-gram 'g' (oldest word first) by
 * the chain rule over its stored prefixes: how often text drawn from the
 * model contains it. */
static double joint_log10(const spin_model *m, unsigned n, const spin_word *g) {
    double j = -fabsf(m->uni[g[0]].prob);
    for (unsigned k = 2; k <= n; ++k) {
        float p, bo;
        if (lm_lookup(m, k, g, &p, &bo))
            j += -fabsf(p);
    }
    return j;
}

typedef struct weighted {
    float v, log_w;
} weighted;

static int cmp_weighted(const void *a, const void *b) {
    float x = ((const weighted *)a)->v, y = ((const weighted *)b)->v;
    return x < y ? -1 : x > y;
}

/* Codes for level n's probabilities (or nonzero backoffs), each value weighted
 * by how often scoring text uses it, as estimated from the model itself: a
 * probability is used when its n-gram is the longest match, so its weight is
 * the n-gram's joint probability less that of its left extensions (the
 * children in the trie; at least a hundredth of it); a backoff is used when
 * the next word does not extend its context, weighted by the context's joint
 * probability times the backoff weight.  Weighting by use makes the errors of
 * each code cancel over text rather than over the list of n-grams: on the
 * default model the mean error per word of every n-gram length dropped 5 to 40
 * times below that of unweighted bins. */
static spin_status quantize(const spin_model *m, unsigned n, const build_level *lv, unsigned bits,
                            bool backoff, float *codes) {
    const build_level *b = &lv[n];
    const spin_word *ids = m->record->ids[n];
    weighted *vals = mem_alloc((size_t)(b->n ? b->n : 1) * sizeof *vals);
    double *below = NULL; /* joint probability of each record's children */
    if (!vals)
        return SPIN_ENOMEM;
    if (!backoff && n < m->order) {
        const build_level *c = &lv[n + 1];
        if (!(below = mem_calloc((size_t)b->n + 1, sizeof *below))) {
            mem_free(vals);
            return SPIN_ENOMEM;
        }
        for (uint64_t j = 0; j < c->n; ++j)
            below[c->parent[j]] +=
                pow(10.0,
                    joint_log10(m, n + 1, m->record->ids[n + 1] + (uint64_t)c->perm[j] * (n + 1)));
    }
    size_t k = 0;
    for (uint64_t i = 0; i < b->n; ++i) {
        float p, bo;
        const spin_word *g = ids + (uint64_t)b->perm[i] * n;
        lm_lookup(m, n, g, &p, &bo);
        double joint = joint_log10(m, n, g);
        if (!backoff) {
            double used = below ? pow(10.0, joint) - below[i] : 0.0;
            if (below && used > 0.01 * pow(10.0, joint))
                joint = log10(used);
            else if (below)
                joint -= 2.0;
            vals[k].v = -fabsf(p);
            vals[k++].log_w = (float)joint;
        } else if (bo != 0.0f) {
            vals[k].v = bo;
            vals[k++].log_w = (float)(joint + bo);
        }
    }
    mem_free(below);
    qsort(vals, k, sizeof *vals, cmp_weighted);
    /* Values and weights apart, in place: floats [0, k) then [k, 2k). */
    float *flat = (float *)vals;
    float *w = mem_alloc((k ? k : 1) * sizeof *w);
    if (!w) {
        mem_free(vals);
        return SPIN_ENOMEM;
    }
    for (size_t i = 0; i < k; ++i) {
        w[i] = vals[i].log_w;
        flat[i] = vals[i].v; /* flat[i] overlaps only vals[i / 2], already read */
    }
    unsigned reserved = backoff ? 2 : 0;
    codes[0] = -0.0f;
    codes[1] = 0.0f;
    spin_status st = trie_fit_codes(flat, w, k, bits, reserved, codes);
    mem_free(w);
    mem_free(vals);
    return st;
}

/* Chooses the block size of level 'l's 'next' fields (trie.h) that needs the
 * fewest bytes, given first[0 .. records] (the children's starts), and fills
 * out->base[n]. */
static spin_status choose_blocks(const uint32_t *first, unsigned n, trie_level *l,
                                 trie_built *out) {
    uint64_t r = l->records, best_cost = UINT64_MAX;
    for (unsigned bb = 0; bb <= 12; ++bb) {
        uint64_t spread = 0, block = (uint64_t)1 << bb;
        for (uint64_t b = 0; b <= r; b += block) {
            uint64_t e = b + block - 1 < r ? b + block - 1 : r;
            if (first[e] - first[b] > spread)
                spread = first[e] - first[b];
        }
        unsigned k = bits_for(spread);
        uint64_t cost = r * k + ((r >> bb) + 1) * 32;
        if (cost < best_cost) {
            best_cost = cost;
            l->next_block_bits = bb;
            l->next_bits = k;
        }
    }
    size_t nb = (size_t)(r >> l->next_block_bits) + 1;
    if (!(out->base[n] = mem_alloc(nb * sizeof *out->base[n])))
        return SPIN_ENOMEM;
    out->base_count[n] = nb;
    for (size_t b = 0; b < nb; ++b)
        out->base[n][b] = first[(uint64_t)b << l->next_block_bits];
    return SPIN_OK;
}

static spin_status pack_level(const spin_model *m, unsigned n, const build_level *lv,
                              const uint32_t *next_first, trie_built *out) {
    const build_level *b = &lv[n];
    const spin_word *ids = m->record->ids[n];
    trie_level *l = &out->shape.level[n];
    size_t pcodes = l->prob_codes ? (size_t)1 << l->prob_bits : 0;
    size_t bcodes = l->backoff_codes ? (size_t)1 << l->backoff_bits : 0;
    const float *pc = out->codes[n], *bc = out->codes[n] ? out->codes[n] + pcodes : NULL;
    out->level_bytes[n] = trie_level_bytes(b->n, l->record_bits);
    unsigned char *bits = out->level[n] = mem_alloc_large((size_t)out->level_bytes[n]);
    if (!bits)
        return SPIN_ENOMEM;
    for (uint64_t i = 0; i <= b->n; ++i) {
        uint64_t at = i * l->record_bits;
        if (i < b->n) {
            const spin_word *g = ids + (uint64_t)b->perm[i] * n;
            float p, bo;
            lm_lookup(m, n, g, &p, &bo);
            write_bits(bits, at, l->word_bits, g[0]);
            uint64_t pv = pcodes ? nearest_code(pc, 0, pcodes, -fabsf(p))
                                 : exp_encode(bits_of(p), l->prob_exp_base);
            write_bits(bits, at + l->word_bits, l->prob_bits, pv);
            if (n < m->order) {
                uint64_t bv = bits_of(bo);
                if (bcodes)
                    bv = bv == 0x80000000u ? 0 : bv == 0 ? 1 : nearest_code(bc, 2, bcodes, bo);
                else
                    bv = (uint64_t)(bv >> 31) << (l->backoff_bits - 1) |
                         exp_encode((uint32_t)bv, l->backoff_exp_base);
                write_bits(bits, at + l->word_bits + l->prob_bits, l->backoff_bits, bv);
            }
        }
        if (n < m->order)
            write_bits(bits, at + l->word_bits + l->prob_bits + l->backoff_bits, l->next_bits,
                       next_first[i] - out->base[n][i >> l->next_block_bits]);
    }
    return SPIN_OK;
}

spin_status trie_build(const spin_model *m, unsigned prob_bits, unsigned backoff_bits,
                       trie_built *out, const char **why) {
    build_level lv[SPIN_MAX_ORDER + 1];
    memset(lv, 0, sizeof lv);
    /* first[n][i]: the first child in level n+1 of record i of level n. */
    uint32_t *first[SPIN_MAX_ORDER + 1] = {NULL};
    memset(out, 0, sizeof *out);
    *why = NULL;
    spin_status st = SPIN_OK;
    const unsigned order = m->order;
    const uint64_t vsize = vocab_size(m->vocab);
    for (unsigned n = 2; st == SPIN_OK && n <= order; ++n)
        st = sort_level(m, n, lv, why);
    /* Shapes. */
    for (unsigned n = 2; st == SPIN_OK && n <= order; ++n) {
        trie_level *l = &out->shape.level[n];
        l->records = lv[n].n;
        l->word_bits = bits_for(vsize ? vsize - 1 : 0);
        /* Exact values: the exponents this level uses decide their width. */
        exp_range pr = {256, 0}, br = {256, 0};
        if (!prob_bits || (n < order && !backoff_bits)) {
            const spin_word *ids = m->record->ids[n];
            for (uint64_t i = 0; i < lv[n].n; ++i) {
                float p = 0.0f, bo = 0.0f;
                lm_lookup(m, n, ids + i * n, &p, &bo);
                exp_note(&pr, p);
                exp_note(&br, bo);
            }
        }
        l->prob_exp_base = prob_bits ? 0 : exp_base(&pr);
        l->backoff_exp_base = backoff_bits ? 0 : exp_base(&br);
        l->prob_bits = prob_bits ? prob_bits : 23 + exp_bits(&pr);
        l->backoff_bits = n < order ? (backoff_bits ? backoff_bits : 24 + exp_bits(&br)) : 0;
        if (n == order)
            l->backoff_exp_base = 0;
        l->next_bits = l->next_block_bits = 0;
        if (n < order) {
            if (!(first[n] = child_starts(&lv[n + 1], lv[n].n)) ||
                choose_blocks(first[n], n, l, out) != SPIN_OK) {
                st = SPIN_ENOMEM;
                break;
            }
        }
        l->record_bits = l->word_bits + l->prob_bits + l->backoff_bits + l->next_bits;
        size_t pc = prob_bits ? (size_t)1 << prob_bits : 0;
        size_t bc = n < order && backoff_bits ? (size_t)1 << backoff_bits : 0;
        if (pc + bc) {
            out->code_count[n] = pc + bc;
            if (!(out->codes[n] = mem_alloc((pc + bc) * sizeof(float)))) {
                st = SPIN_ENOMEM;
                break;
            }
            /* Non-NULL markers; binfmt points them into the image. */
            l->prob_codes = pc ? out->codes[n] : NULL;
            l->backoff_codes = bc ? out->codes[n] + pc : NULL;
            if (pc)
                st = quantize(m, n, lv, prob_bits, false, out->codes[n]);
            if (st == SPIN_OK && bc)
                st = quantize(m, n, lv, backoff_bits, true, out->codes[n] + pc);
        }
    }
    /* Unigram ranges, then each level with its children's ranges. */
    if (st == SPIN_OK) {
        out->next1 = child_starts(&lv[2], vsize);
        out->next1_count = (size_t)vsize + 1;
        if (!out->next1)
            st = SPIN_ENOMEM;
    }
    for (unsigned n = 2; st == SPIN_OK && n <= order; ++n)
        st = pack_level(m, n, lv, first[n], out);
    for (unsigned n = 2; n <= order; ++n) {
        mem_free(first[n]);
        mem_free(lv[n].perm);
        mem_free(lv[n].parent);
        mem_free(lv[n].bykey);
    }
    if (st != SPIN_OK)
        trie_built_free(out);
    return st;
}
