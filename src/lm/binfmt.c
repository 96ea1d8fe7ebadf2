/* binfmt.c - spinscan's binary model format: the writer (spinscan compile) and
 * the loader that maps it back.
 *
 * FORMAT, version 2
 * -----------------
 * A binary model is the in-memory model written verbatim, so that loading is
 * mmap plus setting a few pointers: nothing is parsed or rebuilt.
 *
 * - Byte order: the writer's, which must be little-endian; the 'endian' field
 *   lets a reader on the other byte order say so instead of misreading.
 * - Page 0 (4096 bytes) is the header (struct bin_header below, at offset 0;
 *   zeros after it; the last 8 bytes hold the checksum of bytes 0..4087).
 *   It starts with the 16 magic bytes "SPINSCAN-LM\0\r\n\x1a\n" (the CR LF and
 *   ^Z catch copies that mangled line ends).
 * - The sections follow, in the fixed order the layout defines, each starting
 *   at a multiple of 4096 (tables are page-aligned for mmap), each recorded
 *   in the header's directory as {type, order, offset, size, hash}.  A
 *   section's 'hash' covers its bytes and the zero padding after them up to
 *   the next section (or the end of the file), so that together with the
 *   header checksum every byte of the file is covered.
 *
 *   probing layout (SPIN_LAYOUT_PROBING), the hash tables of lm.h and vocab.c:
 *     VOCAB_SLOTS  vocab_slots x {u64 hash, u32 index+1, u32 length}
 *     VOCAB_HOT    vocab_hot slots of the same kind: the frequent words (may be empty)
 *     VOCAB_START  vocab_count x u64: offset of each spelling in the arena
 *     VOCAB_ARENA  arena_len bytes: the spellings, each ending with NUL
 *     UNIGRAMS     one {f32 prob, f32 backoff} per word index (sign-bit flags as in lm.h)
 *     TABLE n      for n = 2..order: table_cap[n] slots of table_stride[n] bytes,
 *                  {u64 key, f32 prob, f32 backoff} (16) or {u64 key, f32 prob}
 *                  (12, top order); key 0 marks an empty slot; slot of a key =
 *                  (key * cap) >> 64, linear probing (lm.c)
 *   compact layout (SPIN_LAYOUT_COMPACT), the trie of trie.h, with the
 *   vocabulary's compact form (vocab.h; vocab_slots and vocab_hot are 0):
 *     VOCAB_BUCKETS 2^vocab_bucket_bits + 1 x u32: first tag of each bucket
 *     VOCAB_TAGS   vocab_tags x u64, ascending: (hash >> vocab_id_bits) <<
 *                  vocab_id_bits | index, one per distinct spelling
 *     UNIGRAMS     as above
 *     TRIE_NEXT1   (vocab_count + 1) x u32: ranges of level 2 per word
 *     TRIE_LEVEL n for n = 2..order: entries[n] + 1 bit-packed records of
 *                  trie_bits[n] = {word, prob, backoff, next} bits, + 8 bytes.
 *                  prob is exact when its width is 24..31 bits (exponent
 *                  narrowed as trie.h says, with base trie_exp[n][0]), else a
 *                  2..16-bit code; backoff likewise with 25..32 bits (base
 *                  trie_exp[n][1]) or 2..16, and 0 bits at the top order;
 *                  'next' is relative to its block's base (trie.h)
 *     TRIE_CODES n the quantization tables of level n: 2^prob_bits floats if
 *                  prob is quantized, then 2^backoff_bits floats if backoff
 *                  is (empty when exact)
 *     TRIE_BASE n  below the top order, (entries[n] >> trie_next_block[n]) + 1
 *                  x u32: the 'next' of the first record of each block
 *     VOCAB_START, VOCAB_ARENA as above, last: only spin_vocab_word reads
 *                  them, so that scoring never brings their pages in
 *
 * - Checksum (binfmt_hash): four 64-bit lanes each take every fourth 8-byte
 *   word w as lane = rotl(lane + w * Q, 31) * P; the tail bytes and the length
 *   are folded in one by one.  Every step is a bijection of the word, so any
 *   change confined to one 8-byte word (every single bit flip) is always
 *   detected; other damage escapes with probability about 2^-64.  It runs at
 *   about 6 GB/s here, 2.4 times zlib's crc32 (measured: see
 *   /work/notes/issue7.md).
 *
 * WHAT LOADING CHECKS, AND WHY NOT EVERYTHING
 * Loading the default model must take under 10 ms, but hashing its 150 MB
 * costs about 25 ms even from the page cache (plus the page faults).  So a load
 * checks the header (checksum, byte order, version, section bounds and sizes
 * against the counts), and the checksums and structure of everything but the
 * n-gram tables: vocabulary, unigrams, trie ranges and child bases,
 * quantization tables (about 4 MB for probing, 1.5 MB for compact, under a
 * millisecond).  The n-gram tables, and the compact layout's spellings, are
 * hashed only with spin_load_options.verify (spinscan compile --verify FILE).
 * A damaged table cannot crash a query: probing reads only floats from it (and
 * lookups end at an empty slot, which a bit flip cannot remove from a table 30%
 * empty), the trie clamps every range to its level.  A damaged spelling reads
 * as "" (vocab.c checks each one's bounds and NUL when it is read).  Leaving
 * the spellings alone matters for memory: scoring never reads them, so their
 * pages never become resident.
 */
#include "lm/binfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/mem.h"
#include "lm/trie.h"
#include "lm/vocab.h"

#define BIN_MAGIC "SPINSCAN-LM\0\r\n\x1a\n"
#define BIN_MAGIC_LEN 16
#define BIN_VERSION 2u
#define BIN_ENDIAN 0x01020304u
#define BIN_PAGE 4096u
#define BIN_HEADER_SIZE 4096u
#define BIN_HASH_AT (BIN_HEADER_SIZE - 8)
#define BIN_MAX_SECTIONS 32u
#define KENLM_MAGIC "mmap lm http://kheafield.com/code"

enum {
    SEC_VOCAB_SLOTS = 1,
    SEC_VOCAB_HOT,
    SEC_VOCAB_START,
    SEC_VOCAB_ARENA,
    SEC_UNIGRAMS,
    SEC_TABLE,
    SEC_TRIE_NEXT1,
    SEC_TRIE_LEVEL,
    SEC_TRIE_CODES,
    SEC_VOCAB_BUCKETS,
    SEC_VOCAB_TAGS,
    SEC_TRIE_BASE
};

static const char *const section_names[] = {"?",
                                            "vocabulary slots",
                                            "frequent-word slots",
                                            "spelling offsets",
                                            "spellings",
                                            "unigrams",
                                            "n-gram table",
                                            "trie ranges",
                                            "trie level",
                                            "quantization table",
                                            "vocabulary buckets",
                                            "vocabulary tags",
                                            "trie child bases"};

typedef struct bin_section {
    uint32_t type;   /* SEC_* */
    uint32_t order;  /* n for per-order sections, else 0 */
    uint64_t offset; /* from the start of the file, a multiple of 4096 */
    uint64_t size;   /* bytes of content (padding not included) */
    uint64_t hash;   /* binfmt_hash of content and padding */
} bin_section;

typedef struct bin_header {
    char magic[16];
    uint32_t endian;      /* BIN_ENDIAN as written */
    uint32_t version;     /* BIN_VERSION */
    uint32_t header_size; /* BIN_HEADER_SIZE */
    uint32_t layout;      /* spin_layout */
    uint32_t order;
    uint32_t flags; /* BIN_VOCAB_VERIFY */
    uint32_t bos, eos;
    uint32_t nsections;
    uint32_t reserved;
    uint64_t file_size;
    uint64_t counts[SPIN_MAX_ORDER + 1]; /* as the ARPA header declared them */
    uint64_t blanks;
    uint64_t vocab_count, vocab_used, vocab_slots, vocab_hot, arena_len;
    uint64_t table_cap[SPIN_MAX_ORDER + 1]; /* probing: slots per table */
    uint64_t entries[SPIN_MAX_ORDER + 1];   /* probing: used slots; compact: records */
    uint32_t table_stride[SPIN_MAX_ORDER + 1];
    uint8_t trie_bits[SPIN_MAX_ORDER + 1][4]; /* word, prob, backoff, next */
    char producer[112];                       /* "spinscan VERSION", for people */
    bin_section sections[BIN_MAX_SECTIONS];
    /* compact layout only: */
    uint64_t vocab_tags;                         /* distinct spellings */
    uint8_t vocab_bucket_bits, vocab_id_bits;    /* 0..31, 1..32 */
    uint8_t trie_exp[SPIN_MAX_ORDER + 1][2];     /* exponent bases of exact prob, backoff */
    uint8_t trie_next_block[SPIN_MAX_ORDER + 1]; /* log2 records per 'next' block */
    uint8_t reserved2[3];
} bin_header;

#define BIN_VOCAB_VERIFY 1u

_Static_assert(sizeof(bin_section) == 32, "section entries are 32 bytes");
_Static_assert(offsetof(bin_header, file_size) == 56, "header layout");
_Static_assert(offsetof(bin_header, counts) == 64, "header layout");
_Static_assert(offsetof(bin_header, sections) == 512, "header layout");
_Static_assert(offsetof(bin_header, vocab_tags) == 512 + 32 * BIN_MAX_SECTIONS, "header layout");
_Static_assert(sizeof(bin_header) == 512 + 32 * BIN_MAX_SECTIONS + 40, "header layout");
_Static_assert(sizeof(bin_header) <= BIN_HASH_AT, "the header fits its page");
_Static_assert(sizeof(lm_unigram) == 8, "unigram layout");

/* ---- checksum ---- */

#define H_P 0x9e3779b97f4a7c15ull
#define H_Q 0xc2b2ae3d27d4eb4full

typedef struct hasher {
    uint64_t lane[4];
    unsigned char buf[32];
    size_t buffered;
    uint64_t total;
} hasher;

static inline uint64_t rotl64(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

static void hash_init(hasher *h) {
    h->lane[0] = H_P;
    h->lane[1] = H_Q;
    h->lane[2] = ~H_P;
    h->lane[3] = ~H_Q;
    h->buffered = 0;
    h->total = 0;
}

static inline void hash_block(uint64_t *lane, const unsigned char *p) {
    uint64_t w[4];
    memcpy(w, p, 32);
    for (int i = 0; i < 4; ++i)
        lane[i] = rotl64(lane[i] + w[i] * H_Q, 31) * H_P;
}

static void hash_update(hasher *h, const void *data, size_t len) {
    const unsigned char *p = data;
    if (len == 0)
        return; /* 'data' may be NULL for an empty section */
    h->total += len;
    if (h->buffered) {
        size_t take = 32 - h->buffered < len ? 32 - h->buffered : len;
        memcpy(h->buf + h->buffered, p, take);
        h->buffered += take;
        p += take;
        len -= take;
        if (h->buffered < 32)
            return;
        hash_block(h->lane, h->buf);
        h->buffered = 0;
    }
    uint64_t lane[4] = {h->lane[0], h->lane[1], h->lane[2], h->lane[3]};
    for (; len >= 32; p += 32, len -= 32)
        hash_block(lane, p);
    memcpy(h->lane, lane, sizeof lane);
    memcpy(h->buf, p, len);
    h->buffered = len;
}

static uint64_t hash_final(const hasher *h) {
    uint64_t x = rotl64(h->lane[0], 1) + rotl64(h->lane[1], 7) + rotl64(h->lane[2], 12) +
                 rotl64(h->lane[3], 18);
    for (size_t i = 0; i < h->buffered; ++i)
        x = (x ^ h->buf[i]) * H_P;
    x = (x ^ h->total) * H_Q;
    return x ^ (x >> 29);
}

uint64_t binfmt_hash(const void *data, size_t len) {
    hasher h;
    hash_init(&h);
    hash_update(&h, data, len);
    return hash_final(&h);
}

/* ---- sniffing ---- */

binfmt_kind binfmt_sniff(const void *head, size_t len) {
    if (len >= BIN_MAGIC_LEN && !memcmp(head, BIN_MAGIC, BIN_MAGIC_LEN))
        return BINFMT_SPIN;
    if (len >= sizeof KENLM_MAGIC - 1 && !memcmp(head, KENLM_MAGIC, sizeof KENLM_MAGIC - 1))
        return BINFMT_KENLM;
    return BINFMT_OTHER;
}

/* ---- the section list of a layout ---- */

static unsigned expected_sections(unsigned layout, unsigned order, bin_section *s) {
    unsigned k = 0;
    if (layout == SPIN_LAYOUT_PROBING) {
        static const uint32_t common[] = {SEC_VOCAB_SLOTS, SEC_VOCAB_HOT, SEC_VOCAB_START,
                                          SEC_VOCAB_ARENA, SEC_UNIGRAMS};
        for (unsigned i = 0; i < sizeof common / sizeof *common; ++i)
            s[k++] = (bin_section){common[i], 0, 0, 0, 0};
        for (unsigned n = 2; n <= order; ++n)
            s[k++] = (bin_section){SEC_TABLE, n, 0, 0, 0};
    } else {
        s[k++] = (bin_section){SEC_VOCAB_BUCKETS, 0, 0, 0, 0};
        s[k++] = (bin_section){SEC_VOCAB_TAGS, 0, 0, 0, 0};
        s[k++] = (bin_section){SEC_UNIGRAMS, 0, 0, 0, 0};
        s[k++] = (bin_section){SEC_TRIE_NEXT1, 0, 0, 0, 0};
        for (unsigned n = 2; n <= order; ++n) {
            s[k++] = (bin_section){SEC_TRIE_LEVEL, n, 0, 0, 0};
            s[k++] = (bin_section){SEC_TRIE_CODES, n, 0, 0, 0};
            s[k++] = (bin_section){SEC_TRIE_BASE, n, 0, 0, 0};
        }
        s[k++] = (bin_section){SEC_VOCAB_START, 0, 0, 0, 0};
        s[k++] = (bin_section){SEC_VOCAB_ARENA, 0, 0, 0, 0};
    }
    return k;
}

static uint64_t align_page(uint64_t x) {
    return (x + BIN_PAGE - 1) & ~(uint64_t)(BIN_PAGE - 1);
}

/* Index of the section of 'type' (and 'order') in a directory of 'n'
 * entries; n if absent. */
static unsigned section_index(const bin_section *s, unsigned n, uint32_t type, uint32_t order) {
    unsigned i = 0;
    while (i < n && (s[i].type != type || s[i].order != order))
        ++i;
    return i;
}

/* Trie values of at most 16 bits are quantization codes; wider ones exact. */
static bool quantized(unsigned bits) {
    return bits != 0 && bits <= 16;
}

/* Number of quantization codes of a level with these bit widths. */
static uint64_t code_count(unsigned prob_bits, unsigned backoff_bits) {
    uint64_t c = 0;
    if (quantized(prob_bits))
        c += (uint64_t)1 << prob_bits;
    if (quantized(backoff_bits))
        c += (uint64_t)1 << backoff_bits;
    return c;
}

/* The format stores size_t arrays (vocabulary offsets) and native integers. */
static bool platform_ok(void) {
    uint32_t probe = 1;
    return sizeof(size_t) == 8 && *(unsigned char *)&probe == 1;
}

/* ---- writing ---- */

typedef struct out_section {
    const void *data;
    uint64_t size;
} out_section;

static spin_status write_all(int fd, const void *data, size_t len, hasher *h, const char *path,
                             spin_diag *d) {
    const char *p = data;
    if (h)
        hash_update(h, data, len);
    while (len) {
        size_t chunk = len < ((size_t)1 << 30) ? len : (size_t)1 << 30;
        ssize_t w = write(fd, p, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return diag_set(d, SPIN_EIO, path, 0, 0, "cannot write: %s",
                            strerror(w < 0 ? errno : ENOSPC));
        p += w;
        len -= (size_t)w;
    }
    return SPIN_OK;
}

static const unsigned char zero_page[BIN_PAGE];

static spin_status write_file(int fd, bin_header *hd, const out_section *sec, unsigned nsec,
                              const char *path, spin_diag *d) {
    static unsigned char header_page[BIN_HEADER_SIZE];
    spin_status st = write_all(fd, zero_page, BIN_HEADER_SIZE, NULL, path, d);
    uint64_t at = BIN_HEADER_SIZE;
    for (unsigned i = 0; st == SPIN_OK && i < nsec; ++i) {
        hasher h;
        hash_init(&h);
        hd->sections[i].offset = at;
        hd->sections[i].size = sec[i].size;
        st = write_all(fd, sec[i].data, (size_t)sec[i].size, &h, path, d);
        uint64_t pad = align_page(sec[i].size) - sec[i].size;
        if (st == SPIN_OK && pad)
            st = write_all(fd, zero_page, (size_t)pad, &h, path, d);
        hd->sections[i].hash = hash_final(&h);
        at += sec[i].size + pad;
    }
    if (st != SPIN_OK)
        return st;
    hd->file_size = at;
    memset(header_page, 0, sizeof header_page);
    memcpy(header_page, hd, sizeof *hd);
    uint64_t hh = binfmt_hash(header_page, BIN_HASH_AT);
    memcpy(header_page + BIN_HASH_AT, &hh, 8);
    if (pwrite(fd, header_page, BIN_HEADER_SIZE, 0) != (ssize_t)BIN_HEADER_SIZE)
        return diag_set(d, SPIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fsync(fd) != 0)
        return diag_set(d, SPIN_EIO, path, 0, 0, "cannot sync: %s", strerror(errno));
    return SPIN_OK;
}

static void fill_header(const spin_model *m, unsigned layout, const vocab_image *vi,
                        bin_header *hd) {
    memset(hd, 0, sizeof *hd);
    memcpy(hd->magic, BIN_MAGIC, BIN_MAGIC_LEN);
    hd->endian = BIN_ENDIAN;
    hd->version = BIN_VERSION;
    hd->header_size = BIN_HEADER_SIZE;
    hd->layout = layout;
    hd->order = m->order;
    hd->flags = vi->verify ? BIN_VOCAB_VERIFY : 0;
    hd->bos = m->bos;
    hd->eos = m->eos;
    for (unsigned n = 1; n <= m->order; ++n)
        hd->counts[n] = m->counts[n];
    hd->blanks = m->blanks;
    hd->vocab_count = vi->count;
    hd->vocab_used = vi->used;
    hd->vocab_slots = layout == SPIN_LAYOUT_PROBING ? vi->slot_count : 0;
    hd->vocab_hot = layout == SPIN_LAYOUT_PROBING ? vi->hot_count : 0;
    hd->arena_len = vi->arena_len;
    snprintf(hd->producer, sizeof hd->producer, "spinscan %s", SPIN_VERSION);
}

spin_status binfmt_write(const spin_model *m, const char *path, const spin_write_options *opts,
                         spin_diag *d) {
    if (!platform_ok())
        return diag_set(d, SPIN_EUNSUPPORTED, path, 0, 0,
                        "binary models need a 64-bit little-endian machine");
    unsigned layout =
        opts->layout == SPIN_LAYOUT_COMPACT ? SPIN_LAYOUT_COMPACT : SPIN_LAYOUT_PROBING;
    vocab_image vi;
    vocab_get_image(m->vocab, &vi);
    bin_header hd;
    fill_header(m, layout, &vi, &hd);

    out_section sec[BIN_MAX_SECTIONS];
    bin_section want[BIN_MAX_SECTIONS];
    unsigned nsec = expected_sections(layout, m->order, want);
    trie_built tb;
    memset(&tb, 0, sizeof tb);
    vocab_tags vt;
    memset(&vt, 0, sizeof vt);
    if (layout == SPIN_LAYOUT_PROBING) {
        for (unsigned n = 2; n <= m->order; ++n) {
            const lm_table *t = &m->tables[n];
            hd.table_cap[n] = t->cap;
            hd.entries[n] = t->used;
            hd.table_stride[n] = t->stride;
        }
    } else {
        const char *why;
        spin_status st = vocab_build_tags(m->vocab, &vt);
        if (st != SPIN_OK)
            return diag_set(d, st, path, 0, 0, NULL);
        st = trie_build(m, opts->prob_bits, opts->backoff_bits, &tb, &why);
        if (st != SPIN_OK) {
            vocab_tags_free(&vt);
            return diag_set(d, st, path, 0, 0, "cannot build the compact layout: %s",
                            why ? why : spin_strerror(st));
        }
        hd.vocab_tags = vt.count;
        hd.vocab_bucket_bits = (uint8_t)vt.bucket_bits;
        hd.vocab_id_bits = (uint8_t)vt.id_bits;
        if (vt.verify)
            hd.flags |= BIN_VOCAB_VERIFY;
        for (unsigned n = 2; n <= m->order; ++n) {
            const trie_level *l = &tb.shape.level[n];
            hd.entries[n] = l->records;
            hd.trie_bits[n][0] = (uint8_t)l->word_bits;
            hd.trie_bits[n][1] = (uint8_t)l->prob_bits;
            hd.trie_bits[n][2] = (uint8_t)l->backoff_bits;
            hd.trie_bits[n][3] = (uint8_t)l->next_bits;
            hd.trie_exp[n][0] = (uint8_t)l->prob_exp_base;
            hd.trie_exp[n][1] = (uint8_t)l->backoff_exp_base;
            hd.trie_next_block[n] = (uint8_t)l->next_block_bits;
        }
    }
    for (unsigned i = 0; i < nsec; ++i) {
        unsigned n = want[i].order;
        switch (want[i].type) {
        case SEC_VOCAB_SLOTS:
            sec[i] = (out_section){vi.slots, (uint64_t)vi.slot_count * VOCAB_SLOT_BYTES};
            break;
        case SEC_VOCAB_HOT:
            sec[i] = (out_section){vi.hot, (uint64_t)vi.hot_count * VOCAB_SLOT_BYTES};
            break;
        case SEC_VOCAB_START:
            sec[i] = (out_section){vi.start, (uint64_t)vi.count * 8};
            break;
        case SEC_VOCAB_ARENA:
            sec[i] = (out_section){vi.arena, vi.arena_len};
            break;
        case SEC_VOCAB_BUCKETS:
            sec[i] = (out_section){vt.buckets, (((uint64_t)1 << vt.bucket_bits) + 1) * 4};
            break;
        case SEC_VOCAB_TAGS:
            sec[i] = (out_section){vt.tags, (uint64_t)vt.count * 8};
            break;
        case SEC_UNIGRAMS:
            sec[i] = (out_section){m->uni, m->uni_bytes};
            break;
        case SEC_TABLE:
            sec[i] = (out_section){m->tables[n].slots, m->tables[n].cap * m->tables[n].stride};
            break;
        case SEC_TRIE_NEXT1:
            sec[i] = (out_section){tb.next1, (uint64_t)tb.next1_count * 4};
            break;
        case SEC_TRIE_LEVEL:
            sec[i] = (out_section){tb.level[n], tb.level_bytes[n]};
            break;
        case SEC_TRIE_CODES:
            sec[i] = (out_section){tb.codes[n], (uint64_t)tb.code_count[n] * 4};
            break;
        default: /* SEC_TRIE_BASE */
            sec[i] = (out_section){tb.base[n], (uint64_t)tb.base_count[n] * 4};
            break;
        }
    }
    hd.nsections = nsec;
    for (unsigned i = 0; i < nsec; ++i) {
        hd.sections[i].type = want[i].type;
        hd.sections[i].order = want[i].order;
    }

    /* A temporary file beside the target, renamed over it once complete. */
    size_t plen = strlen(path);
    char *tmp = mem_alloc(plen + 16);
    if (!tmp) {
        trie_built_free(&tb);
        vocab_tags_free(&vt);
        return diag_set(d, SPIN_ENOMEM, path, 0, 0, NULL);
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    spin_status st;
    if (fd < 0) {
        st = diag_set(d, SPIN_EIO, path, 0, 0, "cannot create a temporary file beside it: %s",
                      strerror(errno));
    } else {
        fchmod(fd, 0644);
        st = write_file(fd, &hd, sec, nsec, path, d);
        if (close(fd) != 0 && st == SPIN_OK)
            st = diag_set(d, SPIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        if (st == SPIN_OK && rename(tmp, path) != 0)
            st = diag_set(d, SPIN_EIO, path, 0, 0, "cannot rename %s to it: %s", tmp,
                          strerror(errno));
        if (st != SPIN_OK)
            unlink(tmp);
    }
    mem_free(tmp);
    trie_built_free(&tb);
    vocab_tags_free(&vt);
    return st;
}

/* ---- loading ---- */

typedef struct loader {
    const unsigned char *base;
    uint64_t size;
    const char *name;
    spin_diag *d;
    const bin_header *hd;
} loader;

static spin_status bad(loader *ld, uint64_t byte, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static spin_status bad(loader *ld, uint64_t byte, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(ld->d, SPIN_EFORMAT, ld->name, 0, byte, fmt, ap);
    va_end(ap);
    /* cli_print_diag prints "byte N:" only when N or a line is set. */
    return SPIN_EFORMAT;
}

static const char *section_name(uint32_t type) {
    return type < sizeof section_names / sizeof *section_names ? section_names[type] : "?";
}

#define FIELD_AT(field) ((uint64_t)offsetof(bin_header, field))

static spin_status check_header(loader *ld) {
    const unsigned char *b = ld->base;
    if (ld->size < BIN_MAGIC_LEN || memcmp(b, BIN_MAGIC, BIN_MAGIC_LEN))
        return bad(ld, 0, "not a spinscan binary model (bad magic bytes)");
    if (ld->size < BIN_HEADER_SIZE)
        return bad(ld, ld->size,
                   "the file is truncated: %" PRIu64 " bytes, shorter than the %u-byte header",
                   ld->size, BIN_HEADER_SIZE);
    const bin_header *hd = ld->hd = (const bin_header *)(const void *)b;
    if (hd->endian == __builtin_bswap32(BIN_ENDIAN))
        return bad(ld, FIELD_AT(endian),
                   "the model was written on a machine of the other byte order; "
                   "compile it again from its ARPA file on this one");
    if (hd->endian != BIN_ENDIAN)
        return bad(ld, FIELD_AT(endian), "bad byte-order marker 0x%08" PRIx32 " (file damaged?)",
                   hd->endian);
    if (hd->version != BIN_VERSION)
        return bad(ld, FIELD_AT(version),
                   "binary format version %" PRIu32 ", but this spinscan reads version %u; "
                   "compile the model again from its ARPA file",
                   hd->version, BIN_VERSION);
    if (hd->header_size != BIN_HEADER_SIZE)
        return bad(ld, FIELD_AT(header_size), "bad header size %" PRIu32 " (file damaged?)",
                   hd->header_size);
    uint64_t stored;
    memcpy(&stored, b + BIN_HASH_AT, 8);
    if (binfmt_hash(b, BIN_HASH_AT) != stored)
        return bad(ld, 0, "the header is damaged (its checksum does not match)");
    if (hd->file_size != ld->size)
        return ld->size < hd->file_size
                   ? bad(ld, ld->size,
                         "the file is truncated: %" PRIu64 " bytes, the header says %" PRIu64,
                         ld->size, hd->file_size)
                   : bad(ld, hd->file_size,
                         "%" PRIu64 " bytes of trailing data after the %" PRIu64
                         " bytes the header declares",
                         ld->size - hd->file_size, hd->file_size);
    if (hd->layout > SPIN_LAYOUT_COMPACT)
        return bad(ld, FIELD_AT(layout), "unknown layout %" PRIu32, hd->layout);
    if (hd->order < 2 || hd->order > SPIN_MAX_ORDER)
        return bad(ld, FIELD_AT(order), "order %" PRIu32 " is outside 2..%d", hd->order,
                   SPIN_MAX_ORDER);
    return SPIN_OK;
}

/* Checks the directory: the expected sections, contiguous, page-aligned, inside
 * the file.  Byte offsets in messages point at the directory entry. */
static spin_status check_directory(loader *ld) {
    const bin_header *hd = ld->hd;
    bin_section want[BIN_MAX_SECTIONS];
    unsigned n = expected_sections(hd->layout, hd->order, want);
    if (hd->nsections != n)
        return bad(ld, FIELD_AT(nsections),
                   "the directory lists %" PRIu32 " sections; this layout and order need %u",
                   hd->nsections, n);
    uint64_t at = BIN_HEADER_SIZE;
    for (unsigned i = 0; i < n; ++i) {
        const bin_section *s = &hd->sections[i];
        uint64_t where = FIELD_AT(sections) + (uint64_t)i * sizeof *s;
        if (s->type != want[i].type || s->order != want[i].order)
            return bad(ld, where, "section %u is of type %" PRIu32 "/%" PRIu32 ", expected %s", i,
                       s->type, s->order, section_name(want[i].type));
        if (s->offset != at)
            return bad(ld, where, "the %s section starts at byte %" PRIu64 ", expected %" PRIu64,
                       section_name(s->type), s->offset, at);
        if (s->size > ld->size - at)
            return bad(ld, where,
                       "the %s section claims %" PRIu64 " bytes from byte %" PRIu64
                       ", beyond the end of the file (%" PRIu64 " bytes)",
                       section_name(s->type), s->size, at, ld->size);
        at = align_page(at + s->size);
    }
    if (at != ld->size)
        return bad(ld, FIELD_AT(file_size),
                   "the sections end at byte %" PRIu64 ", but the file has %" PRIu64, at, ld->size);
    return SPIN_OK;
}

static uint64_t span_end(const loader *ld, unsigned i) {
    return i + 1 < ld->hd->nsections ? ld->hd->sections[i + 1].offset : ld->size;
}

static spin_status check_hash(loader *ld, unsigned i) {
    const bin_section *s = &ld->hd->sections[i];
    uint64_t end = span_end(ld, i);
    if (binfmt_hash(ld->base + s->offset, (size_t)(end - s->offset)) != s->hash)
        return bad(ld, s->offset,
                   "the %s section (%" PRIu64 " bytes from byte %" PRIu64
                   ") is damaged: its checksum does not match",
                   section_name(s->type), end - s->offset, s->offset);
    return SPIN_OK;
}

/* 'size' must equal 'count' items of 'item' bytes; says which header field
 * claims otherwise. */
static spin_status check_size(loader *ld, unsigned i, uint64_t count, uint64_t item,
                              uint64_t field_at, const char *what) {
    const bin_section *s = &ld->hd->sections[i];
    if (item && count > UINT64_MAX / item)
        return bad(ld, field_at, "%s: %" PRIu64 " claimed, beyond any file", what, count);
    if (s->size != count * item)
        return bad(ld, field_at,
                   "%s: the header claims %" PRIu64 " (%" PRIu64
                   " bytes), but the %s section holds %" PRIu64 " bytes",
                   what, count, count * item, section_name(s->type), s->size);
    return SPIN_OK;
}

/* The index of a section known to be in the (checked) directory. */
static unsigned sec_at(const loader *ld, uint32_t type, uint32_t order) {
    return section_index(ld->hd->sections, ld->hd->nsections, type, order);
}

static spin_status check_sizes(loader *ld) {
    const bin_header *hd = ld->hd;
    const bool probing = hd->layout == SPIN_LAYOUT_PROBING;
    spin_status st;
    if (probing && (hd->vocab_slots == 0 || (hd->vocab_slots & (hd->vocab_slots - 1)) ||
                    (hd->vocab_hot & (hd->vocab_hot - 1))))
        return bad(ld, FIELD_AT(vocab_slots), "vocabulary table sizes are not powers of two");
    if (hd->vocab_count == 0 || hd->vocab_count > UINT32_MAX || hd->bos >= hd->vocab_count ||
        hd->eos >= hd->vocab_count)
        return bad(ld, FIELD_AT(vocab_count),
                   "bad vocabulary size %" PRIu64 " or <s>/</s> index out of range",
                   hd->vocab_count);
    if (probing &&
        ((st = check_size(ld, sec_at(ld, SEC_VOCAB_SLOTS, 0), hd->vocab_slots, VOCAB_SLOT_BYTES,
                          FIELD_AT(vocab_slots), "vocabulary slots")) ||
         (st = check_size(ld, sec_at(ld, SEC_VOCAB_HOT, 0), hd->vocab_hot, VOCAB_SLOT_BYTES,
                          FIELD_AT(vocab_hot), "frequent-word slots"))))
        return st;
    if (!probing) {
        if (hd->vocab_bucket_bits > 31 || hd->vocab_id_bits < 1 || hd->vocab_id_bits > 32 ||
            hd->vocab_count - 1 > (UINT64_MAX >> (64 - hd->vocab_id_bits)))
            return bad(ld, FIELD_AT(vocab_bucket_bits),
                       "bad vocabulary widths: %u bucket bits, %u index bits for %" PRIu64 " words",
                       hd->vocab_bucket_bits, hd->vocab_id_bits, hd->vocab_count);
        if ((st = check_size(ld, sec_at(ld, SEC_VOCAB_BUCKETS, 0),
                             ((uint64_t)1 << hd->vocab_bucket_bits) + 1, 4,
                             FIELD_AT(vocab_bucket_bits), "vocabulary buckets")) ||
            (st = check_size(ld, sec_at(ld, SEC_VOCAB_TAGS, 0), hd->vocab_tags, 8,
                             FIELD_AT(vocab_tags), "vocabulary tags")))
            return st;
    }
    if ((st = check_size(ld, sec_at(ld, SEC_VOCAB_START, 0), hd->vocab_count, 8,
                         FIELD_AT(vocab_count), "vocabulary size")) ||
        (st = check_size(ld, sec_at(ld, SEC_VOCAB_ARENA, 0), hd->arena_len, 1, FIELD_AT(arena_len),
                         "spelling bytes")))
        return st;
    unsigned ui = sec_at(ld, SEC_UNIGRAMS, 0);
    if (hd->sections[ui].size / sizeof(lm_unigram) < hd->vocab_count ||
        hd->sections[ui].size % sizeof(lm_unigram))
        return bad(ld, FIELD_AT(sections) + ui * sizeof(bin_section),
                   "the unigram section holds %" PRIu64 " bytes, too few for %" PRIu64 " words",
                   hd->sections[ui].size, hd->vocab_count);
    for (unsigned n = 1; n <= hd->order; ++n)
        if (hd->counts[n] > ld->size)
            return bad(ld, FIELD_AT(counts) + 8 * n,
                       "the header claims %" PRIu64 " %u-grams, more than a file of %" PRIu64
                       " bytes can hold",
                       hd->counts[n], n, ld->size);
    if (probing) {
        for (unsigned n = 2; n <= hd->order; ++n) {
            unsigned want = n == hd->order ? 12 : 16;
            if (hd->table_stride[n] != want)
                return bad(ld, FIELD_AT(table_stride) + 4 * n,
                           "the %u-gram table has entries of %" PRIu32 " bytes, expected %u", n,
                           hd->table_stride[n], want);
            char what[64];
            snprintf(what, sizeof what, "slots of the %u-gram table", n);
            if ((st = check_size(ld, sec_at(ld, SEC_TABLE, n), hd->table_cap[n], want,
                                 FIELD_AT(table_cap) + 8 * n, what)))
                return st;
            if (hd->entries[n] >= hd->table_cap[n])
                return bad(ld, FIELD_AT(entries) + 8 * n,
                           "the %u-gram table claims %" PRIu64 " entries in %" PRIu64 " slots", n,
                           hd->entries[n], hd->table_cap[n]);
        }
        return SPIN_OK;
    }
    if ((st = check_size(ld, sec_at(ld, SEC_TRIE_NEXT1, 0), hd->vocab_count + 1, 4,
                         FIELD_AT(vocab_count), "trie ranges")))
        return st;
    for (unsigned n = 2; n <= hd->order; ++n) {
        const uint8_t *tb = hd->trie_bits[n];
        const uint8_t *te = hd->trie_exp[n];
        bool top = n == hd->order;
        uint64_t at = FIELD_AT(trie_bits) + 4 * n;
        /* Exact values: 23 mantissa bits (and a sign for backoffs) plus k
         * exponent bits whose codes, shifted by the base, stay within 8 bits. */
        bool prob_ok = quantized(tb[1])
                           ? tb[1] >= 2
                           : tb[1] >= 24 && tb[1] <= 31 && te[0] + (1u << (tb[1] - 23)) - 1 <= 255;
        bool backoff_ok = top ? tb[2] == 0 && tb[3] == 0
                              : (quantized(tb[2]) ? tb[2] >= 2
                                                  : tb[2] >= 25 && tb[2] <= 32 &&
                                                        te[1] + (1u << (tb[2] - 24)) - 1 <= 255) &&
                                    tb[3] >= 1 && tb[3] <= 32;
        if (tb[0] < 1 || tb[0] > 32 || !prob_ok || !backoff_ok)
            return bad(ld, at,
                       "bad bit widths %u/%u/%u/%u (exponent bases %u/%u) for trie level %u", tb[0],
                       tb[1], tb[2], tb[3], te[0], te[1], n);
        unsigned rb = (unsigned)tb[0] + tb[1] + tb[2] + tb[3];
        uint64_t records = hd->entries[n];
        if (records > ld->size)
            return bad(ld, FIELD_AT(entries) + 8 * n,
                       "trie level %u claims %" PRIu64 " records, beyond any file of %" PRIu64
                       " bytes",
                       n, records, ld->size);
        const bin_section *s = &hd->sections[sec_at(ld, SEC_TRIE_LEVEL, n)];
        if (s->size != trie_level_bytes(records, rb))
            return bad(ld, FIELD_AT(entries) + 8 * n,
                       "trie level %u: %" PRIu64 " records of %u bits need %" PRIu64
                       " bytes, the section holds %" PRIu64,
                       n, records, rb, trie_level_bytes(records, rb), s->size);
        char what[64];
        snprintf(what, sizeof what, "quantization codes of level %u", n);
        if ((st = check_size(ld, sec_at(ld, SEC_TRIE_CODES, n), code_count(tb[1], tb[2]), 4, at,
                             what)))
            return st;
        unsigned nb = hd->trie_next_block[n];
        if (nb > 30 || (top && nb))
            return bad(ld, FIELD_AT(trie_next_block) + n, "bad block size 2^%u for trie level %u",
                       nb, n);
        snprintf(what, sizeof what, "child bases of level %u", n);
        if ((st = check_size(ld, sec_at(ld, SEC_TRIE_BASE, n), top ? 0 : (records >> nb) + 1, 4,
                             FIELD_AT(trie_next_block) + n, what)))
            return st;
    }
    return SPIN_OK;
}

/* Sections that a load does not read, so that it stays fast and brings in
 * only the pages that scoring reads (the compact layout's spellings). */
static bool lazy_section(const bin_header *hd, uint32_t type) {
    return type == SEC_TABLE || type == SEC_TRIE_LEVEL ||
           (hd->layout == SPIN_LAYOUT_COMPACT &&
            (type == SEC_VOCAB_START || type == SEC_VOCAB_ARENA));
}

/* With opts->verify: a probing table must have exactly its declared number of
 * keys, so at least one empty slot ends every lookup. */
static spin_status check_table(loader *ld, unsigned n) {
    const bin_header *hd = ld->hd;
    const bin_section *s = &hd->sections[5 + n - 2];
    const unsigned char *p = ld->base + s->offset;
    uint64_t used = 0;
    for (uint64_t i = 0; i < hd->table_cap[n]; ++i) {
        uint64_t k;
        memcpy(&k, p + i * hd->table_stride[n], 8);
        used += k != 0;
    }
    if (used != hd->entries[n])
        return bad(ld, s->offset,
                   "the %u-gram table holds %" PRIu64 " entries, the header says %" PRIu64, n, used,
                   hd->entries[n]);
    /* Values: a probability is a number (its sign bit is a flag, lm.h; an
     * infinite one is -inf from the ARPA text, as KenLM reads it), a backoff
     * is finite. */
    for (uint64_t i = 0; i < hd->table_cap[n]; ++i) {
        const unsigned char *e = p + i * hd->table_stride[n];
        uint64_t k;
        memcpy(&k, e, 8);
        if (!k)
            continue;
        float prob, backoff = 0.0f;
        memcpy(&prob, e + 8, 4);
        if (hd->table_stride[n] >= 16)
            memcpy(&backoff, e + 12, 4);
        if (isnan(prob) || !isfinite(backoff))
            return bad(ld, s->offset + i * hd->table_stride[n],
                       "a %u-gram has a probability or backoff that is not a number or not "
                       "finite (%g, %g)",
                       n, (double)prob, (double)backoff);
    }
    return SPIN_OK;
}

/* Validates the image at ld->base and points 'm' into it. */
static spin_status attach(loader *ld, const spin_load_options *opts, spin_model *m) {
    spin_status st;
    if ((st = check_header(ld)) || (st = check_directory(ld)) || (st = check_sizes(ld)))
        return st;
    const bin_header *hd = ld->hd;
    const bool probing = hd->layout == SPIN_LAYOUT_PROBING;
    for (unsigned i = 0; i < hd->nsections; ++i)
        if ((opts->verify || !lazy_section(hd, hd->sections[i].type)) && (st = check_hash(ld, i)))
            return st;
    const unsigned char *b = ld->base;
    const bin_section *sec = hd->sections;
#define AT(type, order) (b + sec[sec_at(ld, (type), (order))].offset)
    vocab_image vi = {
        .slots = probing ? AT(SEC_VOCAB_SLOTS, 0) : NULL,
        .slot_count = (size_t)hd->vocab_slots,
        .hot = probing && hd->vocab_hot ? AT(SEC_VOCAB_HOT, 0) : NULL,
        .hot_count = (size_t)hd->vocab_hot,
        .tags = probing ? NULL : (const uint64_t *)(const void *)AT(SEC_VOCAB_TAGS, 0),
        .tag_count = probing ? 0 : (size_t)hd->vocab_tags,
        .buckets = probing ? NULL : (const uint32_t *)(const void *)AT(SEC_VOCAB_BUCKETS, 0),
        .bucket_bits = probing ? 0 : hd->vocab_bucket_bits,
        .id_bits = probing ? 0 : hd->vocab_id_bits,
        .start = (const uint64_t *)(const void *)AT(SEC_VOCAB_START, 0),
        .count = (size_t)hd->vocab_count,
        .used = (size_t)hd->vocab_used,
        .arena = (const char *)AT(SEC_VOCAB_ARENA, 0),
        .arena_len = (size_t)hd->arena_len,
        .verify = (hd->flags & BIN_VOCAB_VERIFY) != 0,
    };
    const char *where, *what;
    size_t element;
    /* The compact layout's spellings are checked only with verify (then
     * hashed too), one by one when read otherwise (vocab.c). */
    if (!vocab_image_check(&vi, probing || opts->verify, &where, &element, &what)) {
        static const struct {
            const char *name;
            uint32_t type;
            uint64_t item;
        } arrays[] = {{"slots", SEC_VOCAB_SLOTS, VOCAB_SLOT_BYTES},
                      {"hot", SEC_VOCAB_HOT, VOCAB_SLOT_BYTES},
                      {"buckets", SEC_VOCAB_BUCKETS, 4},
                      {"tags", SEC_VOCAB_TAGS, 8},
                      {"start", SEC_VOCAB_START, 8}};
        unsigned k = 0;
        while (k + 1 < sizeof arrays / sizeof *arrays && strcmp(where, arrays[k].name))
            ++k;
        const bin_section *s = &sec[sec_at(ld, arrays[k].type, 0)];
        uint64_t item = arrays[k].item;
        return bad(ld, s->offset + (element < ((size_t)-1) / item ? element * item : 0),
                   "the %s section %s (element %zu)", section_name(s->type), what, element);
    }
    if (opts->verify && probing)
        for (unsigned n = 2; n <= hd->order; ++n)
            if ((st = check_table(ld, n)))
                return st;

    if (!(m->vocab = vocab_view(&vi)))
        return diag_set(ld->d, SPIN_ENOMEM, ld->name, 0, 0, NULL);
    m->order = hd->order;
    for (unsigned n = 1; n <= hd->order; ++n)
        m->counts[n] = hd->counts[n];
    m->blanks = hd->blanks;
    m->bos = hd->bos;
    m->eos = hd->eos;
    unsigned ui = sec_at(ld, SEC_UNIGRAMS, 0);
    m->uni = (lm_unigram *)(uintptr_t)(b + sec[ui].offset);
    m->uni_bytes = (size_t)sec[ui].size;
    /* Unigram values, always (they are read at load anyway): see check_table. */
    for (size_t i = 0; i < m->uni_bytes / sizeof *m->uni; ++i) {
        float prob = m->uni[i].prob, backoff = m->uni[i].backoff;
        if (isnan(prob) || !isfinite(backoff))
            return bad(ld, sec[ui].offset + i * sizeof *m->uni,
                       "unigram %zu has a probability or backoff that is not a number or not "
                       "finite (%g, %g)",
                       i, (double)prob, (double)backoff);
    }
    if (probing) {
        for (unsigned n = 2; n <= hd->order; ++n) {
            lm_table *t = &m->tables[n];
            t->slots = (unsigned char *)(uintptr_t)AT(SEC_TABLE, n);
            t->cap = hd->table_cap[n];
            t->used = hd->entries[n];
            t->stride = hd->table_stride[n];
        }
    } else {
        lm_trie *t = mem_calloc(1, sizeof *t);
        if (!t)
            return diag_set(ld->d, SPIN_ENOMEM, ld->name, 0, 0, NULL);
        t->next1 = (const uint32_t *)(const void *)AT(SEC_TRIE_NEXT1, 0);
        for (unsigned n = 2; n <= hd->order; ++n) {
            trie_level *l = &t->level[n];
            const uint8_t *tb = hd->trie_bits[n];
            l->bits = AT(SEC_TRIE_LEVEL, n);
            l->records = hd->entries[n];
            l->word_bits = tb[0];
            l->prob_bits = tb[1];
            l->backoff_bits = tb[2];
            l->next_bits = tb[3];
            l->record_bits = (unsigned)tb[0] + tb[1] + tb[2] + tb[3];
            l->prob_exp_base = hd->trie_exp[n][0];
            l->backoff_exp_base = hd->trie_exp[n][1];
            l->next_base = (const uint32_t *)(const void *)AT(SEC_TRIE_BASE, n);
            l->next_block_bits = hd->trie_next_block[n];
            const float *codes = (const float *)(const void *)AT(SEC_TRIE_CODES, n);
            l->prob_codes = quantized(tb[1]) ? codes : NULL;
            l->backoff_codes =
                quantized(tb[2]) ? codes + (quantized(tb[1]) ? (size_t)1 << tb[1] : 0) : NULL;
        }
        /* Level order+1 does not exist: its "records" bound the top level's
         * (absent) ranges at 0. */
        m->trie = t;
    }
#undef AT
    lm_set_begin_state(m);
    return SPIN_OK;
}

spin_status binfmt_open_fd(int fd, const char *name, const spin_load_options *opts, spin_model *m,
                           spin_diag *d) {
    struct stat sb;
    if (!platform_ok()) {
        close(fd);
        return diag_set(d, SPIN_EUNSUPPORTED, name, 0, 0,
                        "binary models need a 64-bit little-endian machine");
    }
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return diag_set(d, SPIN_EIO, name, 0, 0, "cannot read: %s", strerror(e));
    }
    size_t size = (size_t)sb.st_size;
    if (opts->prefault) {
        /* Read it all into memory backed by huge pages: a file mapping gets
         * 4 KiB pages, and on a model of 100+ MB the TLB misses of random
         * lookups cost a third of the scoring time (bench_detect).  Worth the
         * read (a tenth of a second from the page cache) for long runs. */
        void *copy = mem_alloc_large(size);
        if (!copy) {
            close(fd);
            return diag_set(d, SPIN_ENOMEM, name, 0, 0, NULL);
        }
        size_t got = 0;
        while (got < size) {
            ssize_t n = pread(fd, (char *)copy + got, size - got, (off_t)got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                int e = n < 0 ? errno : EIO;
                close(fd);
                mem_free_large(copy, size);
                return diag_set(d, SPIN_EIO, name, 0, got, "cannot read: %s",
                                n < 0 ? strerror(e) : "the file shrank while being read");
            }
            got += (size_t)n;
        }
        close(fd);
        m->image = copy;
        m->image_size = size;
        m->image_mapped = false;
        loader ld = {copy, size, name, d, NULL};
        return attach(&ld, opts, m);
    }
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return diag_set(d, SPIN_EIO, name, 0, 0, "cannot map the file: %s", strerror(e));
    m->image = p;
    m->image_size = size;
    m->image_mapped = true;
    loader ld = {p, size, name, d, NULL};
    return attach(&ld, opts, m);
}

spin_status binfmt_open_memory(const void *data, size_t size, const char *name,
                               const spin_load_options *opts, spin_model *m, spin_diag *d) {
    if (!platform_ok())
        return diag_set(d, SPIN_EUNSUPPORTED, name, 0, 0,
                        "binary models need a 64-bit little-endian machine");
    /* A copy aligned like a mapping (pages for large images, 16 bytes for
     * small ones: enough for every field). */
    void *copy = mem_alloc_large(size);
    if (!copy)
        return diag_set(d, SPIN_ENOMEM, name, 0, 0, NULL);
    memcpy(copy, data, size);
    m->image = copy;
    m->image_size = size;
    m->image_mapped = false;
    loader ld = {copy, size, name, d, NULL};
    return attach(&ld, opts, m);
}
