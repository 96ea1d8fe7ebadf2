/* vocab.c - open-addressing hash of word spellings (see vocab.h).
 *
 * Slots hold a 32-bit hash tag and index+1 (0 marks an empty slot); spellings
 * live NUL-terminated in one arena, found by per-index start offsets.  The table
 * is kept at most half full so that a miss ends after a slot or two.
 */
#include "vocab.h"

#include <string.h>

#include "mem.h"

typedef struct slot {
    uint32_t tag;
    uint32_t id1; /* index + 1; 0 = empty */
} slot;

struct vocab {
    slot *slots;
    size_t mask;  /* table size - 1 (a power of two) */
    size_t count; /* indices handed out, including 0 */
    size_t used;  /* occupied slots */
    char *arena;
    size_t arena_len, arena_cap;
    size_t *start; /* start[id] = offset of its spelling in arena */
    size_t start_cap;
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
        size_t at = s.tag & (nsize - 1);
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
    while (size < expected * 2 + 2)
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
    mem_free(v->slots);
    mem_free(v->start);
    mem_free(v->arena);
    mem_free(v);
}

static inline bool same(const vocab *v, spin_word id, const char *word, size_t len) {
    size_t at = v->start[id];
    size_t slen = (id + 1 < v->count ? v->start[id + 1] : v->arena_len) - at - 1;
    if (slen != len)
        return false;
    const char *s = v->arena + at;
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

spin_word vocab_find(const vocab *v, const char *word, size_t len) {
    uint64_t h = vocab_hash(word, len);
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t at = tag & v->mask;; at = (at + 1) & v->mask) {
        slot s = v->slots[at];
        if (!s.id1)
            return 0;
        if (s.tag == tag && same(v, s.id1 - 1, word, len))
            return s.id1 - 1;
    }
}

spin_status vocab_insert(vocab *v, const char *word, size_t len, spin_word *id, bool *duplicate) {
    *duplicate = false;
    if (vocab_is_unk(word, len)) {
        *id = 0;
        return SPIN_OK;
    }
    if (v->count >= UINT32_MAX - 1)
        return SPIN_EUNSUPPORTED;
    if ((v->used + 1) * 2 > v->mask + 1 && !grow_table(v))
        return SPIN_ENOMEM;
    uint64_t h = vocab_hash(word, len);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t at = tag & v->mask;
    for (;; at = (at + 1) & v->mask) {
        slot s = v->slots[at];
        if (!s.id1)
            break;
        if (s.tag == tag && same(v, s.id1 - 1, word, len)) {
            *duplicate = true;
            break;
        }
    }
    if (!append_spelling(v, word, len))
        return SPIN_ENOMEM;
    *id = (spin_word)v->count++;
    if (!*duplicate) {
        v->slots[at].tag = tag;
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
    if (len)
        *len = (id + 1 < v->count ? v->start[id + 1] : v->arena_len) - v->start[id] - 1;
    return v->arena + v->start[id];
}
