/* train_table.c - n-gram count table: records, a linear-probing index, radix sort. */
#include "lm/train_table.h"

#include <string.h>

#include "util/mem.h"

static uint64_t hash_words(const uint32_t *w, unsigned n) {
    uint64_t h = 0x9E3779B97F4A7C15u * (n + 1);
    for (unsigned i = 0; i < n; ++i) {
        h ^= w[i];
        h *= 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBu;
    return h ^ (h >> 29);
}

/* Whether the 'n' words at 'a' and 'b' are equal; inlined, where a memcmp()
 * call on 8 to 32 bytes cost more than the comparison itself. */
static inline int same_words(const uint32_t *a, const uint32_t *b, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
        if (a[i] != b[i])
            return 0;
    return 1;
}

spin_status train_table_init(train_table *t, unsigned n, unsigned extra) {
    memset(t, 0, sizeof *t);
    t->n = n;
    t->stride = n + 1 + extra;
    t->nslots = 1024;
    t->slots = mem_calloc(t->nslots, sizeof *t->slots);
    return t->slots ? SPIN_OK : SPIN_ENOMEM;
}

spin_status train_table_init_sized(train_table *t, unsigned n, unsigned extra, size_t cap) {
    memset(t, 0, sizeof *t);
    t->n = n;
    t->stride = n + 1 + extra;
    t->rec = mem_realloc_array(NULL, cap ? cap : 1, t->stride * sizeof *t->rec);
    t->cap = cap;
    return t->rec ? SPIN_OK : SPIN_ENOMEM;
}

void train_table_free(train_table *t) {
    if (!t)
        return;
    mem_free(t->rec);
    mem_free(t->slots);
    memset(t, 0, sizeof *t);
}

void train_table_drop_index(train_table *t) {
    mem_free(t->slots);
    t->slots = NULL;
    t->nslots = 0;
}

/* Inserts record 'i' into an index that is known not to hold it. */
static void place(train_table *t, size_t i) {
    size_t mask = t->nslots - 1;
    size_t s = (size_t)hash_words(train_table_rec(t, i), t->n) & mask;
    while (t->slots[s])
        s = (s + 1) & mask;
    t->slots[s] = (uint32_t)(i + 1);
}

/* A new index of 'want' slots (a power of two) over the records. */
static spin_status reindex(train_table *t, size_t want) {
    uint32_t *slots = mem_calloc(want, sizeof *slots);
    if (!slots)
        return SPIN_ENOMEM;
    mem_free(t->slots);
    t->slots = slots;
    t->nslots = want;
    for (size_t i = 0; i < t->size; ++i)
        place(t, i);
    return SPIN_OK;
}

/* An index of at least 1024 slots, a power of two, at most 'fill' full. */
static spin_status build_index(train_table *t, double fill) {
    size_t want = 1024;
    while ((double)want * fill < (double)t->size + 1)
        want *= 2;
    return reindex(t, want);
}

/* A growing table rebuilds its index half full (train_table_add()); one that
 * is done growing and answers lookups that succeed (a few probes even at 80 %
 * full with linear probing) gets one at most 80 % full: the index is a fifth
 * of the trainer's memory while probabilities are computed. */
spin_status train_table_index(train_table *t) {
    return build_index(t, 0.8);
}

spin_status train_table_reserve(train_table *t, size_t records) {
    if (records > t->cap) {
        uint32_t *rec = mem_realloc_array(t->rec, records, t->stride * sizeof *rec);
        if (!rec)
            return SPIN_ENOMEM;
        t->rec = rec;
        t->cap = records;
    }
    if (t->slots && 2 * records + 2 > t->nslots) {
        size_t want = 1024;
        while (want < 2 * records + 2)
            want *= 2;
        return reindex(t, want);
    }
    return SPIN_OK;
}

void train_table_prefetch(const train_table *t, const uint32_t *words) {
    __builtin_prefetch(t->slots + ((size_t)hash_words(words, t->n) & (t->nslots - 1)));
}

size_t train_table_find(const train_table *t, const uint32_t *words) {
    size_t mask = t->nslots - 1;
    size_t s = (size_t)hash_words(words, t->n) & mask;
    for (;;) {
        uint32_t v = t->slots[s];
        if (!v)
            return TRAIN_NOT_FOUND;
        if (same_words(train_table_rec(t, v - 1), words, t->n))
            return v - 1;
        s = (s + 1) & mask;
    }
}

spin_status train_table_add(train_table *t, const uint32_t *words, uint32_t inc, size_t *at) {
    size_t mask = t->nslots - 1;
    size_t s = (size_t)hash_words(words, t->n) & mask;
    size_t bytes = t->n * sizeof *words;
    for (;;) {
        uint32_t v = t->slots[s];
        if (!v)
            break;
        uint32_t *r = train_table_rec(t, v - 1);
        if (same_words(r, words, t->n)) {
            if (r[t->n] > UINT32_MAX - inc)
                return SPIN_EUNSUPPORTED;
            r[t->n] += inc;
            if (at)
                *at = v - 1;
            return SPIN_OK;
        }
        s = (s + 1) & mask;
    }
    /* The index stores record number + 1 in 32 bits. */
    if (t->size >= UINT32_MAX - 1)
        return SPIN_EUNSUPPORTED;
    if (t->size == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        uint32_t *rec = mem_realloc_array(t->rec, cap, t->stride * sizeof *rec);
        if (!rec)
            return SPIN_ENOMEM;
        t->rec = rec;
        t->cap = cap;
    }
    size_t i = t->size++;
    uint32_t *r = train_table_rec(t, i);
    memcpy(r, words, bytes);
    r[t->n] = inc;
    for (unsigned k = t->n + 1; k < t->stride; ++k)
        r[k] = 0;
    if (at)
        *at = i;
    if (2 * t->size > t->nslots) {
        spin_status st = build_index(t, 0.5);
        if (st != SPIN_OK) {
            --t->size; /* leave the table as it was */
            return st;
        }
    } else {
        t->slots[s] = (uint32_t)(i + 1);
    }
    return SPIN_OK;
}

int train_suffix_cmp(const uint32_t *a, const uint32_t *b, unsigned n) {
    for (unsigned i = n; i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

void train_table_shrink(train_table *t) {
    if (t->size == t->cap || t->size == 0)
        return;
    uint32_t *rec = mem_realloc_array(t->rec, t->size, t->stride * sizeof *rec);
    if (rec) {
        t->rec = rec;
        t->cap = t->size;
    }
}

/* LSD radix sort, 11 bits a pass, least significant word (the first) first.
 * Passes whose digit is the same for every record are skipped. */
enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS };

spin_status train_table_sort_suffix(train_table *t) {
    train_table_drop_index(t);
    if (t->size < 2)
        return SPIN_OK;
    size_t stride = t->stride;
    uint32_t *tmp = mem_realloc_array(NULL, t->size, stride * sizeof *tmp);
    size_t *count = mem_alloc(RADIX * sizeof *count);
    if (!tmp || !count) {
        mem_free(tmp);
        mem_free(count);
        return SPIN_ENOMEM;
    }
    uint32_t *src = t->rec, *dst = tmp;
    for (unsigned w = 0; w < t->n; ++w) {
        uint32_t maxid = 0;
        for (size_t i = 0; i < t->size; ++i)
            if (src[i * stride + w] > maxid)
                maxid = src[i * stride + w];
        for (unsigned shift = 0; shift < 32 && (maxid >> shift); shift += RADIX_BITS) {
            memset(count, 0, RADIX * sizeof *count);
            for (size_t i = 0; i < t->size; ++i)
                ++count[(src[i * stride + w] >> shift) & (RADIX - 1)];
            size_t sum = 0, nonzero = 0;
            for (size_t d = 0; d < RADIX; ++d) {
                size_t c = count[d];
                nonzero += c != 0;
                count[d] = sum;
                sum += c;
            }
            if (nonzero < 2)
                continue;
            for (size_t i = 0; i < t->size; ++i) {
                const uint32_t *r = src + i * stride;
                size_t at = count[(r[w] >> shift) & (RADIX - 1)]++;
                memcpy(dst + at * stride, r, stride * sizeof *r);
            }
            uint32_t *x = src;
            src = dst;
            dst = x;
        }
    }
    if (src == tmp) { /* the sorted records ended up in the scratch array */
        mem_free(t->rec);
        t->rec = tmp;
        t->cap = t->size;
    } else {
        mem_free(tmp);
    }
    mem_free(count);
    return SPIN_OK;
}
