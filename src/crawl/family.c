/* family.c - spin families: skeletons, MinHash, LSH, union-find and the
 * aligned substitutions (see family.h and docs/families.md).
 *
 * Invariants of a solved fam_set: 'order' lists the documents in canonical
 * order (id bytewise, score, signature bytes) and 'pos' is its inverse;
 * 'parent' is a union-find forest over canonical positions whose roots are
 * the least position of their family; 'fam_spun' and 'fam_size' are valid at
 * roots only.
 */
#include "crawl/family.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
/* xxHash from Debian's libxxhash-dev, its functions inlined here: most
 * inputs are a few bytes (a word, five token hashes), where a call costs as
 * much as the hashing. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/diag.h"
#include "util/mem.h"

/* ---- tokens ---- */

/* Function words: a closed list that a thesaurus spinner leaves in place
 * (articles, pronouns, prepositions, conjunctions, auxiliaries, determiners).
 * Sorted for bsearch. */
static const char *const function_words[] = {
    "a",       "about",   "above",   "after",   "again",   "against", "all",     "am",    "an",
    "and",     "any",     "are",     "as",      "at",      "be",      "because", "been",  "before",
    "being",   "below",   "between", "both",    "but",     "by",      "can",     "could", "did",
    "do",      "does",    "doing",   "down",    "during",  "each",    "either",  "every", "few",
    "for",     "from",    "had",     "has",     "have",    "having",  "he",      "her",   "here",
    "hers",    "herself", "him",     "himself", "his",     "how",     "i",       "if",    "in",
    "into",    "is",      "it",      "its",     "itself",  "may",     "me",      "might", "more",
    "most",    "must",    "my",      "myself",  "neither", "no",      "nor",     "not",   "of",
    "off",     "on",      "once",    "only",    "or",      "other",   "our",     "ours",  "out",
    "over",    "own",     "same",    "shall",   "she",     "should",  "so",      "some",  "such",
    "than",    "that",    "the",     "their",   "theirs",  "them",    "then",    "there", "these",
    "they",    "this",    "those",   "through", "to",      "too",     "under",   "until", "up",
    "upon",    "us",      "very",    "was",     "we",      "were",    "what",    "when",  "where",
    "whether", "which",   "while",   "who",     "whom",    "whose",   "why",     "will",  "with",
    "within",  "without", "would",   "yet",     "you",     "your",    "yours",
};

#define N_FUNCTION_WORDS (sizeof function_words / sizeof *function_words)

/* Their hashes (of the lower case) in an open-addressing table: a word is
 * looked up by the hash that the word shingles need anyway, in one probe or
 * two.  0 marks a free slot (no word hashes to 0 here: checked at init). */
#define FUNCTION_SLOTS 1024
static uint64_t function_table[FUNCTION_SLOTS];
static pthread_once_t function_once = PTHREAD_ONCE_INIT;

static void init_function_hashes(void) {
    for (size_t i = 0; i < N_FUNCTION_WORDS; ++i) {
        uint64_t h = XXH3_64bits(function_words[i], strlen(function_words[i]));
        size_t k = (size_t)h & (FUNCTION_SLOTS - 1);
        while (function_table[k])
            k = (k + 1) & (FUNCTION_SLOTS - 1);
        function_table[k] = h;
    }
}

static inline bool is_function_hash(uint64_t h) {
    for (size_t k = (size_t)h & (FUNCTION_SLOTS - 1); function_table[k];
         k = (k + 1) & (FUNCTION_SLOTS - 1))
        if (function_table[k] == h)
            return true;
    return false;
}

/* The code point at s[0, n) and its length (an ill-formed byte: U+FFFD, 1). */
static uint32_t decode(const unsigned char *s, size_t n, size_t *len) {
    unsigned c = s[0];
    size_t l;
    uint32_t v;
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xc2 && c <= 0xdf)
        l = 2, v = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        l = 3, v = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        l = 4, v = c & 0x07;
    else {
        *len = 1;
        return 0xfffd;
    }
    if (l > n) {
        *len = 1;
        return 0xfffd;
    }
    for (size_t i = 1; i < l; ++i) {
        if ((s[i] & 0xc0) != 0x80) {
            *len = 1;
            return 0xfffd;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *len = l;
    return v;
}

/* Letters and digits: ASCII alphanumerics and every code point from U+00C0
 * on outside the punctuation and space blocks. */
static bool is_word_cp(uint32_t c) {
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    if (c < 0xc0 || c == 0xd7 || c == 0xf7 || c == 0xfffd)
        return false;
    if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff0f))
        return false;
    return true;
}

typedef enum tok_type { T_WORD, T_PUNCT, T_BREAK } tok_type;

typedef struct tok {
    tok_type type;
    size_t start, len;
} tok;

/* The next token at or after *pos: a word (letters and digits, with ' ’ and
 * - inside), one of . , ; : ! ? ( ), or a line break (T_BREAK, which starts
 * a sentence).  False at the end. */
/* ASCII classes: 1 letter or digit, 2 kept punctuation or a line break. */
static const unsigned char ascii_class[128] = {
    ['\n'] = 2, ['.'] = 2, [','] = 2, [';'] = 2, [':'] = 2, ['!'] = 2, ['?'] = 2, ['('] = 2,
    [')'] = 2,  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1,  ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
    ['F'] = 1,  ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
    ['N'] = 1,  ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1,  ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1,  ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
    ['l'] = 1,  ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
    ['t'] = 1,  ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static bool next_tok(const char *text, size_t n, size_t *pos, tok *t) {
    const unsigned char *u = (const unsigned char *)text;
    size_t i = *pos;
    /* Fast path: blanks and other ASCII bytes that are neither words nor kept
     * punctuation; then a word of ASCII letters ending in ASCII. */
    while (i < n && u[i] < 0x80 && !ascii_class[u[i]])
        ++i;
    if (i < n && u[i] < 0x80 && ascii_class[u[i]] == 1) {
        size_t j = i + 1;
        while (j < n && u[j] < 0x80 && ascii_class[u[j]] == 1)
            ++j;
        if (j == n || (u[j] < 0x80 && u[j] != '\'' && u[j] != '-')) {
            t->type = T_WORD;
            t->start = i;
            t->len = j - i;
            *pos = j;
            return true;
        }
    }
    while (i < n) {
        size_t l;
        uint32_t c = decode(u + i, n - i, &l);
        if (is_word_cp(c)) {
            size_t start = i;
            i += l;
            while (i < n) {
                uint32_t d = decode(u + i, n - i, &l);
                if (is_word_cp(d)) {
                    i += l;
                    continue;
                }
                if (d == '\'' || d == 0x2019 || d == '-') {
                    size_t l2;
                    if (i + l < n && is_word_cp(decode(u + i + l, n - i - l, &l2))) {
                        i += l;
                        continue;
                    }
                }
                break;
            }
            t->type = T_WORD;
            t->start = start;
            t->len = i - start;
            *pos = i;
            return true;
        }
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' ||
            c == ')' || c == '\n') {
            t->type = c == '\n' ? T_BREAK : T_PUNCT;
            t->start = i;
            t->len = 1;
            *pos = i + l;
            return true;
        }
        i += l;
    }
    *pos = n;
    return false;
}

/* ASCII lower case of a word, at most 'cap' - 1 bytes; its length. */
static size_t lower_word(const char *s, size_t n, char *out, size_t cap) {
    size_t m = n < cap - 1 ? n : cap - 1;
    for (size_t i = 0; i < m; ++i) {
        char c = s[i];
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[m] = '\0';
    return m;
}

#define W_HASH UINT64_C(0x9e3779b97f4a7c15)

/* A word's skeleton token: 'low', the hash of its lower case, if the
 * spinner leaves it (function word, number, name, all-caps), else W_HASH
 * (content). */
static uint64_t skeleton_hash(const char *s, size_t n, uint64_t low, bool sentence_start) {
    unsigned char c0 = (unsigned char)s[0];
    if ((c0 >= '0' && c0 <= '9') || is_function_hash(low))
        return low;
    if (c0 >= 'A' && c0 <= 'Z') {
        bool caps = n >= 2;
        for (size_t i = 1; i < n && caps; ++i)
            caps = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9');
        if (caps || !sentence_start)
            return low;
    }
    return W_HASH;
}

/* The skeleton of a text as a stream of skeleton tokens: a kept word or
 * punctuation mark with its hash, or a run of content words (W_HASH) with
 * its byte range and number of words. */
typedef struct skel_tok {
    uint64_t h;
    size_t start, end;
    size_t words; /* content words in a W run */
} skel_tok;

typedef struct skel_walker {
    const char *text;
    size_t n, pos;
    bool sentence_start;
    bool in_run, stashed;
    skel_tok run, stash;
} skel_walker;

static void walker_init(skel_walker *w, const char *text, size_t n) {
    pthread_once(&function_once, init_function_hashes);
    memset(w, 0, sizeof *w);
    w->text = text;
    w->n = n;
    w->sentence_start = true;
}

/* The next skeleton token; false at the end.  Also reports each word (hash
 * of its lower case) to 'word_fn' when given, once, in text order. */
static bool walker_next(skel_walker *w, skel_tok *out, void (*word_fn)(void *, uint64_t),
                        void *ctx) {
    if (w->stashed) {
        *out = w->stash;
        w->stashed = false;
        return true;
    }
    tok t;
    for (;;) {
        bool got = next_tok(w->text, w->n, &w->pos, &t);
        skel_tok cur = {0, 0, 0, 0};
        if (got && t.type == T_BREAK) {
            w->sentence_start = true;
            continue;
        }
        if (got && t.type == T_WORD) {
            char low[64];
            size_t m = lower_word(w->text + t.start, t.len, low, sizeof low);
            uint64_t lh = XXH3_64bits(low, m);
            cur.h = skeleton_hash(w->text + t.start, t.len, lh, w->sentence_start);
            if (word_fn)
                word_fn(ctx, lh);
            w->sentence_start = false;
        } else if (got) {
            cur.h = XXH3_64bits(w->text + t.start, 1);
            char c = w->text[t.start];
            w->sentence_start = c == '.' || c == '!' || c == '?' || c == ':';
        }
        cur.start = t.start;
        cur.end = t.start + t.len;
        if (got && cur.h == W_HASH) {
            if (!w->in_run) {
                w->in_run = true;
                w->run = cur;
                w->run.words = 0;
            }
            w->run.end = cur.end;
            ++w->run.words;
            continue;
        }
        if (w->in_run) {
            w->in_run = false;
            *out = w->run;
            if (got) {
                w->stash = cur;
                w->stashed = true;
            }
            return true;
        }
        if (!got)
            return false;
        *out = cur;
        return true;
    }
}

/* ---- MinHash: one permutation hashing ----
 * Each shingle's 64-bit hash falls in one of K bins by its top bits, and the
 * bin keeps the least of its low 32 bits (Li, Owen and Zhang, "One
 * permutation hashing", NIPS 2012): one update per shingle instead of K.  An
 * empty bin holds UINT32_MAX; similarity counts only bins that are not empty
 * in both. */

static inline void oph_update(uint32_t *bins, unsigned bits, uint64_t x) {
    size_t bin = (size_t)(x >> (64 - bits));
    uint32_t v = (uint32_t)x;
    if (v == UINT32_MAX)
        v = UINT32_MAX - 1; /* UINT32_MAX marks an empty bin */
    if (v < bins[bin])
        bins[bin] = v;
}

/* log2 of the bin counts */
#define SKEL_BITS 6
#define WORD_BITS 5
_Static_assert((1 << SKEL_BITS) == FAM_K_SKEL, "FAM_K_SKEL is 2^SKEL_BITS");
_Static_assert((1 << WORD_BITS) == FAM_K_WORD, "FAM_K_WORD is 2^WORD_BITS");

/* A shingle of the last 'k' token hashes in a ring of 'k' (oldest at 'at'):
 * the token hashes are XXH3 values already, so an order-dependent
 * multiply-add and a final avalanche (MurmurHash3's fmix64) suffice. */
static inline uint64_t shingle_hash(const uint64_t *ring, size_t k, size_t at) {
    uint64_t h = k;
    for (size_t i = 0; i < k; ++i) {
        size_t j = at + i;
        if (j >= k)
            j -= k;
        h = (h ^ ring[j]) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 32;
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

typedef struct sig_ctx {
    fam_sig *sig;
    uint64_t wring[FAM_WSHINGLE];
    size_t wn, at; /* words seen; the oldest in the ring */
} sig_ctx;

static void sig_word(void *arg, uint64_t h) {
    sig_ctx *c = arg;
    c->wring[c->at] = h;
    if (++c->at == FAM_WSHINGLE)
        c->at = 0;
    if (++c->wn >= FAM_WSHINGLE)
        oph_update(c->sig->word, WORD_BITS, shingle_hash(c->wring, FAM_WSHINGLE, c->at));
}

void fam_signature(const char *text, size_t len, fam_sig *out) {
    sig_ctx c;
    memset(out, 0xff, sizeof *out);
    out->nshingles = 0;
    c.sig = out;
    c.wn = c.at = 0;
    uint64_t ring[FAM_SHINGLE];
    size_t n = 0, at = 0;
    skel_walker w;
    skel_tok t;
    walker_init(&w, text, len);
    while (walker_next(&w, &t, sig_word, &c)) {
        ring[at] = t.h;
        if (++at == FAM_SHINGLE)
            at = 0;
        if (++n >= FAM_SHINGLE) {
            oph_update(out->skel, SKEL_BITS, shingle_hash(ring, FAM_SHINGLE, at));
            if (out->nshingles < UINT32_MAX)
                ++out->nshingles;
        }
    }
}

/* Equal bins over bins not empty in both. */
static double oph_similarity(const uint32_t *a, const uint32_t *b, size_t k) {
    size_t eq = 0, used = 0;
    for (size_t i = 0; i < k; ++i) {
        if (a[i] == UINT32_MAX && b[i] == UINT32_MAX)
            continue;
        ++used;
        eq += a[i] == b[i];
    }
    return used ? (double)eq / (double)used : 0;
}

double fam_skel_similarity(const fam_sig *a, const fam_sig *b) {
    if (a->nshingles < FAM_MIN_SHINGLES || b->nshingles < FAM_MIN_SHINGLES)
        return 0;
    return oph_similarity(a->skel, b->skel, FAM_K_SKEL);
}

double fam_word_similarity(const fam_sig *a, const fam_sig *b) {
    return oph_similarity(a->word, b->word, FAM_K_WORD);
}

const char *fam_kind_name(fam_kind k) {
    return k == FAM_SPUN ? "spun" : k == FAM_DUPLICATE ? "duplicate" : NULL;
}

uint32_t fam_boost_units(uint32_t units, const fam_info *fi) {
    /* units > 1000000: not a score (RANK_UNSUPPORTED, crawl/rank.h: documents not judged) */
    if (fi->kind != FAM_SPUN || fi->size < 3 || units > 1000000u)
        return units;
    double w = 1 - pow(FAM_BOOST_BASE, (double)fi->size - 2);
    if (w > FAM_BOOST_MAX)
        w = FAM_BOOST_MAX;
    double s = units / 1e6;
    double b = 1 - (1 - s) * (1 - w);
    uint32_t u = b >= 1 ? 1000000u : (uint32_t)llround(b * 1e6);
    return u > units ? u : units;
}

/* ---- the set ---- */

typedef struct fam_doc {
    char *id;
    uint32_t id_len, score;
    fam_sig sig;
} fam_doc;

typedef struct edge {
    uint32_t a, b;
    bool spun;
} edge;

struct fam_set {
    fam_doc *docs;
    size_t n, cap;
    size_t *order; /* canonical position -> index */
    size_t *pos;   /* index -> canonical position */
    size_t *parent;
    uint32_t *fam_size;
    bool *fam_spun, *taken;
    bool solved;
};

spin_status fam_set_new(fam_set **out) {
    *out = mem_calloc(1, sizeof **out);
    return *out ? SPIN_OK : SPIN_ENOMEM;
}

static void drop_solution(fam_set *fs) {
    mem_free(fs->order);
    mem_free(fs->pos);
    mem_free(fs->parent);
    mem_free(fs->fam_size);
    mem_free(fs->fam_spun);
    mem_free(fs->taken);
    fs->order = fs->pos = fs->parent = NULL;
    fs->fam_size = NULL;
    fs->fam_spun = fs->taken = NULL;
    fs->solved = false;
}

void fam_set_free(fam_set *fs) {
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; ++i)
        mem_free(fs->docs[i].id);
    mem_free(fs->docs);
    drop_solution(fs);
    mem_free(fs);
}

spin_status fam_set_add(fam_set *fs, const char *id, size_t id_len, uint32_t score,
                        const fam_sig *sig, size_t *index) {
    if (id_len > UINT32_MAX)
        return SPIN_EINVAL;
    if (fs->n == fs->cap) {
        size_t nc = fs->cap ? fs->cap * 2 : 256;
        fam_doc *nd = mem_realloc_array(fs->docs, nc, sizeof *nd);
        if (!nd)
            return SPIN_ENOMEM;
        fs->docs = nd;
        fs->cap = nc;
    }
    fam_doc *d = &fs->docs[fs->n];
    d->id = mem_strndup(id, id_len);
    if (!d->id)
        return SPIN_ENOMEM;
    d->id_len = (uint32_t)id_len;
    d->score = score;
    d->sig = *sig;
    if (index)
        *index = fs->n;
    ++fs->n;
    drop_solution(fs);
    return SPIN_OK;
}

size_t fam_set_count(const fam_set *fs) {
    return fs->n;
}

uint32_t fam_set_score(const fam_set *fs, size_t index) {
    return fs->docs[index].score;
}

const char *fam_set_id(const fam_set *fs, size_t index, size_t *len) {
    *len = fs->docs[index].id_len;
    return fs->docs[index].id;
}

static int doc_cmp(const fam_doc *a, const fam_doc *b) {
    size_t la = a->id_len, lb = b->id_len;
    int c = memcmp(a->id, b->id, la < lb ? la : lb);
    if (c)
        return c;
    if (la != lb)
        return la < lb ? -1 : 1;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return memcmp(&a->sig, &b->sig, sizeof a->sig);
}

/* qsort has no context argument: documents are sorted as pointers. */
static int cmp_order(const void *x, const void *y) {
    const fam_doc *a = *(const fam_doc *const *)x, *b = *(const fam_doc *const *)y;
    int c = doc_cmp(a, b);
    return c ? c : (a > b) - (a < b);
}

typedef struct bucket_item {
    uint64_t h;
    size_t p;
} bucket_item;

static int cmp_bucket(const void *x, const void *y) {
    const bucket_item *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return (a->p > b->p) - (a->p < b->p);
}

static size_t uf_find(size_t *parent, size_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(size_t *parent, size_t a, size_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b)
        return;
    /* The least position is the root: the family's least member. */
    if (a < b)
        parent[b] = a;
    else
        parent[a] = b;
}

spin_status fam_set_solve(fam_set *fs) {
    drop_solution(fs);
    size_t n = fs->n;
    fs->order = mem_calloc(n ? n : 1, sizeof *fs->order);
    fs->pos = mem_calloc(n ? n : 1, sizeof *fs->pos);
    fs->parent = mem_calloc(n ? n : 1, sizeof *fs->parent);
    fs->fam_size = mem_calloc(n ? n : 1, sizeof *fs->fam_size);
    fs->fam_spun = mem_calloc(n ? n : 1, sizeof *fs->fam_spun);
    fs->taken = mem_calloc(n ? n : 1, sizeof *fs->taken);
    bucket_item *bk = mem_calloc(n ? n : 1, sizeof *bk);
    edge *edges = NULL;
    size_t ne = 0, ecap = 0;
    spin_status st = SPIN_OK;
    if (!fs->order || !fs->pos || !fs->parent || !fs->fam_size || !fs->fam_spun || !fs->taken ||
        !bk) {
        st = SPIN_ENOMEM;
        goto out;
    }
    {
        fam_doc **ptr = mem_calloc(n ? n : 1, sizeof *ptr);
        if (!ptr) {
            st = SPIN_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < n; ++i)
            ptr[i] = &fs->docs[i];
        qsort(ptr, n, sizeof *ptr, cmp_order);
        for (size_t i = 0; i < n; ++i)
            fs->order[i] = (size_t)(ptr[i] - fs->docs);
        mem_free(ptr);
    }
    for (size_t p = 0; p < n; ++p) {
        fs->pos[fs->order[p]] = p;
        fs->parent[p] = p;
    }
    for (size_t band = 0; band < FAM_BANDS; ++band) {
        size_t m = 0;
        for (size_t p = 0; p < n; ++p) {
            const fam_sig *s = &fs->docs[fs->order[p]].sig;
            if (s->nshingles < FAM_MIN_SHINGLES)
                continue;
            const uint32_t *rows = s->skel + band * FAM_ROWS;
            bool empty = true;
            for (size_t r = 0; r < FAM_ROWS; ++r)
                empty &= rows[r] == UINT32_MAX;
            if (empty) /* would bucket every short document together */
                continue;
            bk[m].h =
                XXH3_64bits_withSeed(s->skel + band * FAM_ROWS, FAM_ROWS * sizeof(uint32_t), band);
            bk[m].p = p;
            ++m;
        }
        qsort(bk, m, sizeof *bk, cmp_bucket);
        for (size_t i = 1; i < m; ++i) {
            for (size_t k = 1; k <= FAM_WINDOW && k <= i && bk[i - k].h == bk[i].h; ++k) {
                const fam_sig *a = &fs->docs[fs->order[bk[i - k].p]].sig;
                const fam_sig *b = &fs->docs[fs->order[bk[i].p]].sig;
                double sk = fam_skel_similarity(a, b);
                if (sk < FAM_JOIN)
                    continue;
                if (ne == ecap) {
                    size_t nc = ecap ? ecap * 2 : 256;
                    edge *e2 = mem_realloc_array(edges, nc, sizeof *e2);
                    if (!e2) {
                        st = SPIN_ENOMEM;
                        goto out;
                    }
                    edges = e2;
                    ecap = nc;
                }
                edges[ne].a = (uint32_t)bk[i - k].p;
                edges[ne].b = (uint32_t)bk[i].p;
                double wj = fam_word_similarity(a, b);
                edges[ne].spun = !(wj >= FAM_DUP_MIN && wj >= FAM_DUP_RATIO * sk);
                ++ne;
            }
        }
    }
    for (size_t e = 0; e < ne; ++e)
        uf_union(fs->parent, edges[e].a, edges[e].b);
    for (size_t p = 0; p < n; ++p)
        ++fs->fam_size[uf_find(fs->parent, p)];
    for (size_t e = 0; e < ne; ++e)
        if (edges[e].spun)
            fs->fam_spun[uf_find(fs->parent, edges[e].a)] = true;
    fs->solved = true;
out:
    mem_free(bk);
    mem_free(edges);
    if (st != SPIN_OK)
        drop_solution(fs);
    return st;
}

static void info_at(const fam_set *fs, size_t p, fam_info *out) {
    memset(out, 0, sizeof *out);
    out->size = 1;
    if (!fs->solved)
        return;
    size_t r = uf_find(fs->parent, p);
    if (fs->fam_size[r] < 2)
        return;
    const fam_doc *least = &fs->docs[fs->order[r]];
    snprintf(out->id, sizeof out->id, "f%016llx",
             (unsigned long long)XXH3_64bits(least->id, least->id_len));
    out->size = fs->fam_size[r];
    out->kind = fs->fam_spun[r] ? FAM_SPUN : FAM_DUPLICATE;
}

void fam_set_info(const fam_set *fs, size_t index, fam_info *out) {
    info_at(fs, fs->solved ? fs->pos[index] : 0, out);
}

size_t fam_set_take(fam_set *fs, const char *id, size_t id_len) {
    if (!fs->solved)
        return SIZE_MAX;
    size_t lo = 0, hi = fs->n;
    while (lo < hi) { /* the first position whose id is not below 'id' */
        size_t mid = lo + (hi - lo) / 2;
        const fam_doc *d = &fs->docs[fs->order[mid]];
        int c = memcmp(d->id, id, d->id_len < id_len ? d->id_len : id_len);
        if (!c)
            c = d->id_len < id_len ? -1 : d->id_len > id_len;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t p = lo; p < fs->n; ++p) {
        const fam_doc *d = &fs->docs[fs->order[p]];
        if (d->id_len != id_len || memcmp(d->id, id, id_len) != 0)
            break;
        if (!fs->taken[p]) {
            fs->taken[p] = true;
            return fs->order[p];
        }
    }
    return SIZE_MAX;
}

int fam_set_each(const fam_set *fs,
                 int (*fn)(void *ctx, const size_t *members, size_t n, const fam_info *fi),
                 void *ctx) {
    if (!fs->solved || fs->n == 0)
        return 0;
    /* Members grouped by root (the least position), in canonical order:
     * a counting sort by root. */
    size_t n = fs->n;
    size_t *start = mem_calloc(n + 1, sizeof *start);
    size_t *list = mem_calloc(n, sizeof *list);
    int rc = 0;
    if (!start || !list) {
        mem_free(start);
        mem_free(list);
        return -1;
    }
    for (size_t p = 0; p < n; ++p)
        ++start[uf_find(fs->parent, p) + 1];
    for (size_t r = 0; r < n; ++r)
        start[r + 1] += start[r];
    size_t *fill = mem_calloc(n, sizeof *fill);
    if (!fill) {
        mem_free(start);
        mem_free(list);
        return -1;
    }
    for (size_t p = 0; p < n; ++p) {
        size_t r = uf_find(fs->parent, p);
        list[start[r] + fill[r]++] = fs->order[p];
    }
    for (size_t r = 0; r < n && !rc; ++r) {
        size_t k = start[r + 1] - start[r];
        if (k < 2)
            continue;
        fam_info fi;
        info_at(fs, r, &fi);
        rc = fn(ctx, list + start[r], k, &fi);
    }
    mem_free(fill);
    mem_free(start);
    mem_free(list);
    return rc;
}

/* ---- signature files ---- */

static const char sig_magic[8] = {'S', 'P', 'I', 'N', 'F', 'A', 'M', '1'};

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const uint32_t sig_params[6] = {1,           FAM_K_SKEL,   FAM_K_WORD,
                                       FAM_SHINGLE, FAM_WSHINGLE, FAM_MIN_SHINGLES};

spin_status fam_set_write(const fam_set *fs, FILE *f) {
    unsigned char head[32];
    memcpy(head, sig_magic, 8);
    for (size_t i = 0; i < 6; ++i)
        put32(head + 8 + 4 * i, sig_params[i]);
    if (fwrite(head, 1, sizeof head, f) != sizeof head)
        return SPIN_EIO;
    unsigned char rec[12 + 4 * (FAM_K_SKEL + FAM_K_WORD)];
    for (size_t i = 0; i < fs->n; ++i) {
        const fam_doc *d = &fs->docs[i];
        put32(rec, d->id_len);
        put32(rec + 4, d->score);
        put32(rec + 8, d->sig.nshingles);
        if (fwrite(rec, 1, 12, f) != 12 || fwrite(d->id, 1, d->id_len, f) != d->id_len)
            return SPIN_EIO;
        for (size_t k = 0; k < FAM_K_SKEL; ++k)
            put32(rec + 4 * k, d->sig.skel[k]);
        for (size_t k = 0; k < FAM_K_WORD; ++k)
            put32(rec + 4 * (FAM_K_SKEL + k), d->sig.word[k]);
        size_t m = 4 * (FAM_K_SKEL + FAM_K_WORD);
        if (fwrite(rec, 1, m, f) != m)
            return SPIN_EIO;
    }
    return SPIN_OK;
}

spin_status fam_set_read(fam_set *fs, FILE *f, const char *path, spin_diag *diag) {
    unsigned char head[32];
    size_t got = fread(head, 1, sizeof head, f);
    if (got != sizeof head || memcmp(head, sig_magic, 8) != 0)
        return diag_set(diag, SPIN_EFORMAT, path, 0, 0,
                        "not a spinscan signature file (rank --families writes them)");
    for (size_t i = 0; i < 6; ++i)
        if (get32(head + 8 + 4 * i) != sig_params[i])
            return diag_set(diag, SPIN_EFORMAT, path, 0, 8 + 4 * i,
                            "signature parameters differ from this build's (%u, expected %u)",
                            get32(head + 8 + 4 * i), sig_params[i]);
    uint64_t off = sizeof head;
    unsigned char rec[4 * (FAM_K_SKEL + FAM_K_WORD)];
    char *id = NULL;
    spin_status st = SPIN_OK;
    for (;;) {
        unsigned char h[12];
        got = fread(h, 1, 12, f);
        if (got == 0 && !ferror(f))
            break;
        if (got != 12) {
            st = diag_set(diag, ferror(f) ? SPIN_EIO : SPIN_EFORMAT, path, 0, off,
                          "truncated signature record");
            break;
        }
        uint32_t id_len = get32(h), score = get32(h + 4);
        fam_sig sig;
        sig.nshingles = get32(h + 8);
        if (id_len > (1u << 24) ||
            (score > 1000000u && score != UINT32_MAX /* RANK_UNSUPPORTED */)) {
            st = diag_set(diag, SPIN_EFORMAT, path, 0, off,
                          "bad signature record (id length %u, score %u)", id_len, score);
            break;
        }
        char *nid = mem_realloc(id, id_len ? id_len : 1);
        if (!nid) {
            st = SPIN_ENOMEM;
            break;
        }
        id = nid;
        if (fread(id, 1, id_len, f) != id_len || fread(rec, 1, sizeof rec, f) != sizeof rec) {
            st = diag_set(diag, ferror(f) ? SPIN_EIO : SPIN_EFORMAT, path, 0, off,
                          "truncated signature record");
            break;
        }
        for (size_t k = 0; k < FAM_K_SKEL; ++k)
            sig.skel[k] = get32(rec + 4 * k);
        for (size_t k = 0; k < FAM_K_WORD; ++k)
            sig.word[k] = get32(rec + 4 * (FAM_K_SKEL + k));
        if ((st = fam_set_add(fs, id, id_len, score, &sig, NULL)) != SPIN_OK)
            break;
        off += 12 + id_len + sizeof rec;
    }
    mem_free(id);
    return st;
}

/* ---- substitution sets ---- */

typedef struct sub_tok {
    uint64_t h;
    uint32_t w0, nw; /* words[w0, w0 + nw) of a W run */
} sub_tok;

typedef struct seq {
    char *text;      /* lower-cased copy */
    size_t *ws, *wl; /* each content word: start, length */
    size_t nwords, wcap;
    sub_tok *t;
    size_t n, cap;
} seq;

typedef struct variant_set {
    char *key;
    char **v;
    size_t n, cap;
} variant_set;

struct fam_subs {
    seq pivot;
    variant_set *sets;
    size_t nsets, cap;
};

static void seq_free(seq *s) {
    mem_free(s->text);
    mem_free(s->ws);
    mem_free(s->wl);
    mem_free(s->t);
    memset(s, 0, sizeof *s);
}

static spin_status seq_build(const char *text, size_t len, seq *s) {
    memset(s, 0, sizeof *s);
    s->text = mem_alloc(len + 1);
    if (!s->text)
        return SPIN_ENOMEM;
    for (size_t i = 0; i < len; ++i)
        s->text[i] = text[i] >= 'A' && text[i] <= 'Z' ? (char)(text[i] + 32) : text[i];
    s->text[len] = '\0';
    skel_walker w;
    skel_tok t;
    walker_init(&w, text, len);
    while (walker_next(&w, &t, NULL, NULL)) {
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 256;
            sub_tok *nt = mem_realloc_array(s->t, nc, sizeof *nt);
            if (!nt)
                return SPIN_ENOMEM;
            s->t = nt;
            s->cap = nc;
        }
        sub_tok *st = &s->t[s->n++];
        st->h = t.h;
        st->w0 = (uint32_t)s->nwords;
        st->nw = 0;
        if (t.h != W_HASH)
            continue;
        /* The words of the run, again. */
        size_t pos = t.start;
        tok k;
        while (pos < t.end && next_tok(text, t.end, &pos, &k)) {
            if (k.type != T_WORD)
                continue;
            if (s->nwords == s->wcap) {
                size_t nc = s->wcap ? s->wcap * 2 : 256;
                size_t *a = mem_realloc_array(s->ws, nc, sizeof *a);
                if (!a)
                    return SPIN_ENOMEM;
                s->ws = a;
                size_t *b = mem_realloc_array(s->wl, nc, sizeof *b);
                if (!b)
                    return SPIN_ENOMEM;
                s->wl = b;
                s->wcap = nc;
            }
            s->ws[s->nwords] = k.start;
            s->wl[s->nwords] = k.len;
            ++s->nwords;
            ++st->nw;
        }
    }
    return SPIN_OK;
}

spin_status fam_subs_new(const char *text, size_t len, fam_subs **out) {
    fam_subs *s = mem_calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return SPIN_ENOMEM;
    spin_status st = seq_build(text, len, &s->pivot);
    if (st != SPIN_OK) {
        fam_subs_free(s);
        return st;
    }
    *out = s;
    return SPIN_OK;
}

void fam_subs_free(fam_subs *s) {
    if (!s)
        return;
    seq_free(&s->pivot);
    for (size_t i = 0; i < s->nsets; ++i) {
        mem_free(s->sets[i].key);
        for (size_t k = 0; k < s->sets[i].n; ++k)
            mem_free(s->sets[i].v[k]);
        mem_free(s->sets[i].v);
    }
    mem_free(s->sets);
    mem_free(s);
}

/* The words [w0, w0 + nw) of 's' joined by spaces, newly allocated. */
static char *phrase(const seq *s, size_t w0, size_t nw) {
    size_t len = 0;
    for (size_t i = 0; i < nw; ++i)
        len += s->wl[w0 + i] + 1;
    char *p = mem_alloc(len ? len : 1);
    if (!p)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < nw; ++i) {
        if (i)
            p[o++] = ' ';
        memcpy(p + o, s->text + s->ws[w0 + i], s->wl[w0 + i]);
        o += s->wl[w0 + i];
    }
    p[o] = '\0';
    return p;
}

static spin_status record(fam_subs *s, char *key, char *var) {
    if (!key || !var || !strcmp(key, var)) {
        mem_free(key);
        mem_free(var);
        return key && var ? SPIN_OK : SPIN_ENOMEM;
    }
    variant_set *vs = NULL;
    for (size_t i = 0; i < s->nsets && !vs; ++i)
        if (!strcmp(s->sets[i].key, key))
            vs = &s->sets[i];
    if (!vs) {
        if (s->nsets == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 64;
            variant_set *ns = mem_realloc_array(s->sets, nc, sizeof *ns);
            if (!ns) {
                mem_free(key);
                mem_free(var);
                return SPIN_ENOMEM;
            }
            s->sets = ns;
            s->cap = nc;
        }
        vs = &s->sets[s->nsets++];
        memset(vs, 0, sizeof *vs);
        vs->key = key;
        key = NULL;
    }
    mem_free(key);
    for (size_t i = 0; i < vs->n; ++i)
        if (!strcmp(vs->v[i], var)) {
            mem_free(var);
            return SPIN_OK;
        }
    if (vs->n == vs->cap) {
        size_t nc = vs->cap ? vs->cap * 2 : 4;
        char **nv = mem_realloc_array(vs->v, nc, sizeof *nv);
        if (!nv) {
            mem_free(var);
            return SPIN_ENOMEM;
        }
        vs->v = nv;
        vs->cap = nc;
    }
    vs->v[vs->n++] = var;
    return SPIN_OK;
}

static bool word_eq(const seq *a, size_t i, const seq *b, size_t j) {
    return a->wl[i] == b->wl[j] && !memcmp(a->text + a->ws[i], b->text + b->ws[j], a->wl[i]);
}

/* Two aligned W runs: common words at both ends are trimmed; what is left is
 * a word-for-word substitution (the same number of words) or one phrase for
 * another (up to 3 words each). */
static spin_status record_runs(fam_subs *s, const seq *m, const sub_tok *pa, const sub_tok *mb) {
    const seq *p = &s->pivot;
    size_t a0 = pa->w0, an = pa->nw, b0 = mb->w0, bn = mb->nw;
    while (an && bn && word_eq(p, a0, m, b0))
        ++a0, ++b0, --an, --bn;
    while (an && bn && word_eq(p, a0 + an - 1, m, b0 + bn - 1))
        --an, --bn;
    if (!an || !bn)
        return SPIN_OK;
    spin_status st = SPIN_OK;
    if (an == bn) {
        for (size_t i = 0; i < an && st == SPIN_OK; ++i)
            if (!word_eq(p, a0 + i, m, b0 + i))
                st = record(s, phrase(p, a0 + i, 1), phrase(m, b0 + i, 1));
        return st;
    }
    if (an <= 3 && bn <= 3)
        st = record(s, phrase(p, a0, an), phrase(m, b0, bn));
    return st;
}

#define ALIGN_LOOK 8

static bool anchor(const seq *a, size_t i, const seq *b, size_t j) {
    for (size_t k = 0; k < 3; ++k) {
        if (i + k >= a->n || j + k >= b->n)
            return i + k >= a->n && j + k >= b->n;
        if (a->t[i + k].h != b->t[j + k].h)
            return false;
    }
    return a->t[i].h != W_HASH;
}

spin_status fam_subs_add(fam_subs *s, const char *text, size_t len) {
    seq m;
    spin_status st = seq_build(text, len, &m);
    const seq *p = &s->pivot;
    size_t i = 0, j = 0;
    while (st == SPIN_OK && i < p->n && j < m.n) {
        if (p->t[i].h == m.t[j].h) {
            if (p->t[i].h == W_HASH)
                st = record_runs(s, &m, &p->t[i], &m.t[j]);
            ++i, ++j;
            continue;
        }
        /* Resynchronise on the nearest anchor of three equal tokens. */
        bool found = false;
        for (size_t d = 1; d <= 2 * ALIGN_LOOK && !found; ++d)
            for (size_t di = 0; di <= d && !found; ++di) {
                size_t dj = d - di;
                if (di > ALIGN_LOOK || dj > ALIGN_LOOK)
                    continue;
                if (anchor(p, i + di, &m, j + dj)) {
                    i += di;
                    j += dj;
                    found = true;
                }
            }
        if (!found)
            ++i, ++j;
    }
    seq_free(&m);
    return st;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct out_set {
    const char **w;
    size_t n;
} out_set;

static int cmp_out_set(const void *x, const void *y) {
    const out_set *a = x, *b = y;
    for (size_t i = 0; i < a->n && i < b->n; ++i) {
        int c = strcmp(a->w[i], b->w[i]);
        if (c)
            return c;
    }
    return (a->n > b->n) - (a->n < b->n);
}

size_t fam_subs_each(fam_subs *s, void (*fn)(void *ctx, const char *const *words, size_t n),
                     void *ctx) {
    out_set *os = mem_calloc(s->nsets ? s->nsets : 1, sizeof *os);
    if (!os)
        return SIZE_MAX;
    size_t k = 0;
    for (size_t i = 0; i < s->nsets; ++i) {
        variant_set *vs = &s->sets[i];
        const char **w = mem_calloc(vs->n + 1, sizeof *w);
        if (!w) {
            for (size_t j = 0; j < k; ++j)
                mem_free(os[j].w);
            mem_free(os);
            return SIZE_MAX;
        }
        w[0] = vs->key;
        for (size_t j = 0; j < vs->n; ++j)
            w[j + 1] = vs->v[j];
        qsort(w, vs->n + 1, sizeof *w, cmp_str);
        os[k].w = w;
        os[k].n = vs->n + 1;
        ++k;
    }
    qsort(os, k, sizeof *os, cmp_out_set);
    size_t emitted = 0;
    for (size_t i = 0; i < k; ++i) {
        if (i && !cmp_out_set(&os[i - 1], &os[i]))
            continue;
        fn(ctx, os[i].w, os[i].n);
        ++emitted;
    }
    for (size_t i = 0; i < k; ++i)
        mem_free(os[i].w);
    mem_free(os);
    return emitted;
}
