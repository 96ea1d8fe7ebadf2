/* vocab.c - open-addressing hash of word spellings (see vocab.h).
 *
 * A slot holds a word's full 64-bit hash, its length and index+1 (0 marks an
 * empty slot), so a lookup touches one slot and nothing else: like KenLM, a
 * lookup trusts hash and length without reading the spelling.  Insertion does
 * compare spellings, so two vocabulary words can never be conflated; if two
 * ever share a hash, 'verify' switches every lookup to comparing spellings.
 * What remains is an unknown string whose 64-bit hash and length equal a known
 * word's: about 1 in 10^14 lookups for a 100,000-word vocabulary.
 * Spellings live NUL-terminated in one arena, found by per-index offsets.
 *
 * A view of the compact form (vocab.h, binary models) finds words by sorted
 * tags instead of slots; its spellings may be unchecked (binfmt.c leaves them
 * untouched unless asked), so every read of a spelling checks its bounds.
 */
#include "lm/vocab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

typedef struct slot {
    uint64_t hash;
    uint32_t id1; /* index + 1; 0 = empty */
    uint32_t len;
} slot;

struct vocab {
    slot *slots;
    size_t mask;  /* table size - 1 (a power of two) */
    size_t count; /* indices handed out, including 0 */
    size_t used;  /* occupied slots */
    bool verify;  /* two spellings share a hash: compare spellings on lookup */
    char *arena;
    size_t arena_len, arena_cap;
    size_t *start; /* start[id] = offset of its spelling in arena */
    size_t start_cap;
    /* The most frequent words again, in a table small enough to stay in cache;
     * a miss there falls through to 'slots'.  NULL until vocab_build_hot(). */
    slot *hot;
    size_t hot_mask;
    bool borrowed; /* the arrays belong to someone else (vocab_view) */
    /* The compact form (a view only): 'slots' is NULL. */
    const uint64_t *tags;
    const uint32_t *buckets;
    unsigned bucket_bits, id_bits;
};

static inline uint64_t rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

uint64_t vocab_hash(const char *s, size_t len) {
    uint64_t h = 0x6a09e667f3bcc909ull ^ ((uint64_t)len * 0x9e3779b97f4a7c15ull);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = rotl(h ^ (w * 0xc2b2ae3d27d4eb4full), 31) * 0x9e3779b97f4a7c15ull;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h ^= w * 0x165667b19e3779f9ull;
    return mix(h);
}

bool vocab_is_unk(const char *word, size_t len) {
    return len == 5 && (!memcmp(word, "<unk>", 5) || !memcmp(word, "<UNK>", 5));
}

static bool grow_table(vocab *v) {
    size_t nsize = (v->mask + 1) * 2;
    slot *ns = mem_calloc(nsize, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i <= v->mask; ++i) {
        slot s = v->slots[i];
        if (!s.id1)
            continue;
        size_t at = (size_t)(s.hash >> 32) & (nsize - 1);
        while (ns[at].id1)
            at = (at + 1) & (nsize - 1);
        ns[at] = s;
    }
    mem_free(v->slots);
    v->slots = ns;
    v->mask = nsize - 1;
    return true;
}

static bool append_spelling(vocab *v, const char *word, size_t len) {
    if (v->count == v->start_cap) {
        size_t ncap = v->start_cap * 2;
        size_t *ns = mem_realloc_array(v->start, ncap, sizeof *ns);
        if (!ns)
            return false;
        v->start = ns;
        v->start_cap = ncap;
    }
    if (v->arena_len + len + 1 > v->arena_cap) {
        size_t ncap = v->arena_cap * 2;
        while (ncap < v->arena_len + len + 1)
            ncap *= 2;
        char *na = mem_realloc(v->arena, ncap);
        if (!na)
            return false;
        v->arena = na;
        v->arena_cap = ncap;
    }
    v->start[v->count] = v->arena_len;
    memcpy(v->arena + v->arena_len, word, len);
    v->arena[v->arena_len + len] = '\0';
    v->arena_len += len + 1;
    return true;
}

vocab *vocab_new(size_t expected) {
    vocab *v = mem_calloc(1, sizeof *v);
    if (!v)
        return NULL;
    size_t size = 16;
    while (size * 7 < (expected + 2) * 10)
        size *= 2;
    v->slots = mem_calloc(size, sizeof *v->slots);
    v->mask = size - 1;
    v->start_cap = expected + 2;
    v->start = mem_alloc(v->start_cap * sizeof *v->start);
    v->arena_cap = 64 + expected * 8;
    v->arena = mem_alloc(v->arena_cap);
    if (!v->slots || !v->start || !v->arena || !append_spelling(v, "<unk>", 5)) {
        vocab_free(v);
        return NULL;
    }
    v->count = 1;
    return v;
}

void vocab_free(vocab *v) {
    if (!v)
        return;
    if (v->borrowed) {
        mem_free(v);
        return;
    }
    mem_free(v->hot);
    mem_free(v->slots);
    mem_free(v->start);
    mem_free(v->arena);
    mem_free(v);
}

/* The spelling of 'id' (< count) and its length, or NULL if its offsets or
 * terminator are damaged (possible only in a view whose spellings were not
 * checked when loading). */
static inline const char *spelling(const vocab *v, spin_word id, size_t *len) {
    size_t at = v->start[id];
    size_t end = id + 1 < v->count ? v->start[id + 1] : v->arena_len;
    if (at >= end || end > v->arena_len || v->arena[end - 1] != '\0')
        return NULL;
    *len = end - at - 1;
    return v->arena + at;
}

static inline bool same(const vocab *v, spin_word id, const char *word, size_t len) {
    size_t slen;
    const char *s = spelling(v, id, &slen);
    if (!s || slen != len)
        return false;
    /* Most words are short: compare 8 bytes at a time without a libc call. */
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, word + i, 8);
        if (a != b)
            return false;
    }
    for (; i < len; ++i)
        if (s[i] != word[i])
            return false;
    return true;
}

/* The bucket of hash 'h' in the compact form: its top bucket_bits bits (none
 * when bucket_bits is 0, without a shift by 64). */
static inline size_t bucket_of(const vocab *v, uint64_t h) {
    return (size_t)((h >> 1) >> (63 - v->bucket_bits));
}

void vocab_prefetch(const vocab *v, uint64_t h) {
    if (v->tags)
        __builtin_prefetch(&v->buckets[bucket_of(v, h)]);
    else
        __builtin_prefetch(&v->slots[(size_t)(h >> 32) & v->mask]);
}

/* Lookup in the compact form: the tags of a bucket are sorted. */
static spin_word find_tagged(const vocab *v, const char *word, size_t len, uint64_t h) {
    const unsigned ib = v->id_bits;
    const uint64_t t = h >> ib, id_mask = ((uint64_t)1 << ib) - 1;
    size_t b = bucket_of(v, h);
    const uint64_t *p = v->tags + v->buckets[b], *end = v->tags + v->buckets[b + 1];
    for (; p < end; ++p) {
        uint64_t e = *p;
        if (e >> ib < t)
            continue;
        if (e >> ib > t)
            break;
        if (!v->verify || same(v, (spin_word)(e & id_mask), word, len))
            return (spin_word)(e & id_mask);
    }
    return 0;
}

spin_word vocab_find(const vocab *v, const char *word, size_t len) {
    return vocab_find_hashed(v, word, len, vocab_hash(word, len));
}

spin_word vocab_find_hashed(const vocab *v, const char *word, size_t len, uint64_t h) {
    if (v->tags)
        return find_tagged(v, word, len, h);
    if (v->hot) {
        for (size_t at = (size_t)h & v->hot_mask;; at = (at + 1) & v->hot_mask) {
            slot s = v->hot[at];
            if (!s.id1)
                break;
            if (s.hash == h && s.len == len && (!v->verify || same(v, s.id1 - 1, word, len)))
                return s.id1 - 1;
        }
    }
    for (size_t at = (size_t)(h >> 32) & v->mask;; at = (at + 1) & v->mask) {
        slot s = v->slots[at];
        if (!s.id1)
            return 0;
        if (s.hash == h && s.len == len && (!v->verify || same(v, s.id1 - 1, word, len)))
            return s.id1 - 1;
    }
}

spin_status vocab_insert(vocab *v, const char *word, size_t len, spin_word *id, bool *duplicate) {
    *duplicate = false;
    if (vocab_is_unk(word, len)) {
        *id = 0;
        return SPIN_OK;
    }
    if (v->count >= UINT32_MAX - 1 || len >= UINT32_MAX)
        return SPIN_EUNSUPPORTED;
    if ((v->used + 1) * 10 > (v->mask + 1) * 7 && !grow_table(v))
        return SPIN_ENOMEM;
    uint64_t h = vocab_hash(word, len);
    size_t at = (size_t)(h >> 32) & v->mask;
    for (;; at = (at + 1) & v->mask) {
        slot s = v->slots[at];
        if (!s.id1)
            break;
        if (s.hash == h && s.len == len) {
            if (same(v, s.id1 - 1, word, len)) {
                *duplicate = true;
                break;
            }
            v->verify = true; /* a true 64-bit collision between two words */
        }
    }
    if (!append_spelling(v, word, len))
        return SPIN_ENOMEM;
    *id = (spin_word)v->count++;
    if (!*duplicate) {
        v->slots[at].hash = h;
        v->slots[at].len = (uint32_t)len;
        v->slots[at].id1 = *id + 1;
        ++v->used;
    }
    return SPIN_OK;
}

size_t vocab_size(const vocab *v) {
    return v->count;
}

const char *vocab_word(const vocab *v, spin_word id, size_t *len) {
    if (id >= v->count)
        return NULL;
    size_t n;
    const char *s = spelling(v, id, &n);
    if (!s) {
        s = "";
        n = 0;
    }
    if (len)
        *len = n;
    return s;
}

static int cmp_float_desc(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

spin_status vocab_build_hot(vocab *v, const float *score, size_t k) {
    if (v->hot || v->tags || v->count <= k * 4)
        return SPIN_OK; /* small vocabularies stay in cache anyway */
    float *sorted = mem_alloc(v->count * sizeof *sorted);
    size_t size = 16;
    while (size < k * 2)
        size *= 2;
    slot *hot = mem_calloc(size, sizeof *hot);
    if (!sorted || !hot) {
        mem_free(sorted);
        mem_free(hot);
        return SPIN_ENOMEM;
    }
    for (size_t i = 0; i < v->count; ++i)
        sorted[i] = -fabsf(score[i]);
    qsort(sorted, v->count, sizeof *sorted, cmp_float_desc);
    float cut = sorted[k - 1];
    mem_free(sorted);
    size_t placed = 0;
    for (size_t i = 0; i <= v->mask && placed < k; ++i) {
        slot s = v->slots[i];
        if (!s.id1 || -fabsf(score[s.id1 - 1]) < cut)
            continue;
        size_t at = (size_t)s.hash & (size - 1);
        while (hot[at].id1)
            at = (at + 1) & (size - 1);
        hot[at] = s;
        ++placed;
    }
    v->hot = hot;
    v->hot_mask = size - 1;
    return SPIN_OK;
}

/* ---- images (binfmt.c) ---- */

_Static_assert(sizeof(slot) == VOCAB_SLOT_BYTES, "the slot layout is part of the file format");

void vocab_get_image(const vocab *v, vocab_image *out) {
    out->slots = v->slots;
    out->slot_count = v->mask + 1;
    out->hot = v->hot;
    out->hot_count = v->hot ? v->hot_mask + 1 : 0;
    out->start = (const uint64_t *)(const void *)v->start;
    out->count = v->count;
    out->used = v->used;
    out->arena = v->arena;
    out->arena_len = v->arena_len;
    out->verify = v->verify;
    out->tags = NULL;
    out->tag_count = 0;
    out->buckets = NULL;
    out->bucket_bits = out->id_bits = 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

spin_status vocab_build_tags(const vocab *v, vocab_tags *out) {
    memset(out, 0, sizeof *out);
    unsigned ib = 1;
    while (ib < 32 && ((v->count - 1) >> ib))
        ++ib;
    /* About four tags per bucket: one or two cache lines to scan. */
    unsigned bb = 0;
    while (bb < 31 && ((size_t)4 << (bb + 1)) <= v->used)
        ++bb;
    size_t nb = (size_t)1 << bb;
    out->tags = mem_alloc((v->used ? v->used : 1) * sizeof *out->tags);
    out->buckets = mem_calloc(nb + 1, sizeof *out->buckets);
    if (!out->tags || !out->buckets) {
        vocab_tags_free(out);
        return SPIN_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i <= v->mask; ++i)
        if (v->slots[i].id1)
            out->tags[k++] = (v->slots[i].hash >> ib) << ib | (v->slots[i].id1 - 1);
    qsort(out->tags, k, sizeof *out->tags, cmp_u64);
    out->count = k;
    out->id_bits = ib;
    out->bucket_bits = bb;
    out->verify = v->verify;
    for (size_t i = 0; i < k; ++i) {
        if (i && out->tags[i] >> ib == out->tags[i - 1] >> ib)
            out->verify = true; /* two spellings share a tag: compare spellings */
        ++out->buckets[((out->tags[i] >> 1) >> (63 - bb)) + 1];
    }
    for (size_t b = 0; b < nb; ++b)
        out->buckets[b + 1] += out->buckets[b];
    return SPIN_OK;
}

void vocab_tags_free(vocab_tags *t) {
    mem_free(t->tags);
    mem_free(t->buckets);
    memset(t, 0, sizeof *t);
}

static bool check_slots(const slot *s, size_t n, size_t count, size_t *element) {
    bool empty = false;
    if (n == 0 || (n & (n - 1)))
        return *element = 0, false;
    for (size_t i = 0; i < n; ++i) {
        if (s[i].id1 > count) {
            *element = i;
            return false;
        }
        empty |= s[i].id1 == 0;
    }
    *element = n;
    return empty;
}

/* The compact form: buckets ascending from 0 to tag_count, indices in range. */
static bool check_tags(const vocab_image *im, const char **where, size_t *element,
                       const char **what) {
    size_t nb = (size_t)1 << im->bucket_bits;
    *where = "buckets";
    *what = "are out of order or beyond the tags";
    for (size_t b = 0; b <= nb; ++b) {
        *element = b;
        if ((b == 0 && im->buckets[0] != 0) || (b && im->buckets[b] < im->buckets[b - 1]) ||
            (b == nb && im->buckets[b] != im->tag_count))
            return false;
    }
    *where = "tags";
    *what = "name an index out of range";
    uint64_t id_mask = ((uint64_t)1 << im->id_bits) - 1;
    for (size_t i = 0; i < im->tag_count; ++i) {
        *element = i;
        if ((im->tags[i] & id_mask) >= im->count)
            return false;
    }
    return true;
}

static bool check_spellings(const vocab_image *im, const char **where, size_t *element,
                            const char **what) {
    *where = "start";
    *element = 0;
    if (im->count == 0 || im->arena_len == 0 || im->start[0] != 0) {
        *what = "is empty or does not start at offset 0";
        return false;
    }
    for (size_t i = 0; i < im->count; ++i) {
        uint64_t end = i + 1 < im->count ? im->start[i + 1] : im->arena_len;
        if (end <= im->start[i] || end > im->arena_len || im->arena[end - 1] != '\0') {
            *element = i;
            *what = "gives a spelling outside the arena or without its NUL";
            return false;
        }
    }
    return true;
}

bool vocab_image_check(const vocab_image *im, bool spellings, const char **where, size_t *element,
                       const char **what) {
    if (im->tags)
        return check_tags(im, where, element, what) &&
               (!spellings || check_spellings(im, where, element, what));
    *where = "slots";
    if (!check_slots(im->slots, im->slot_count, im->count, element)) {
        *what = *element == im->slot_count ? "has no empty slot" : "names an index out of range";
        return false;
    }
    *where = "hot";
    if (im->hot && !check_slots(im->hot, im->hot_count, im->count, element)) {
        *what = *element == im->hot_count ? "has no empty slot" : "names an index out of range";
        return false;
    }
    return check_spellings(im, where, element, what);
}

vocab *vocab_view(const vocab_image *im) {
    vocab *v = mem_calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->borrowed = true;
    v->slots = (slot *)(uintptr_t)im->slots;
    v->mask = im->slot_count ? im->slot_count - 1 : 0;
    v->count = im->count;
    v->used = im->used;
    v->verify = im->verify;
    v->arena = (char *)(uintptr_t)im->arena;
    v->arena_len = v->arena_cap = im->arena_len;
    v->start = (size_t *)(uintptr_t)im->start;
    v->start_cap = im->count;
    v->hot = (slot *)(uintptr_t)im->hot;
    v->hot_mask = im->hot ? im->hot_count - 1 : 0;
    v->tags = im->tags;
    v->buckets = im->buckets;
    v->bucket_bits = im->bucket_bits;
    v->id_bits = im->id_bits;
    return v;
}
