/* reader.c - byte streams with transparent decompression (see reader.h).
 *
 * The raw input (descriptor or memory) is read into 'in'; a decoder for the
 * detected format turns it into output bytes.  For memory input the raw buffer
 * is the caller's memory itself, so nothing is copied twice.
 */
#include "text/reader.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/diag.h"
#include "util/mem.h"

/* SPIN_READ_WINDOW: a tiny window in fuzz builds (see crawl/input.c). */
#ifdef SPIN_READ_WINDOW
#define RAW_CHUNK ((size_t)SPIN_READ_WINDOW)
#else
#define RAW_CHUNK (256u * 1024u)
#endif
#define MEMBER_RING 64u

struct reader {
    char *name;
    int fd; /* -1 for memory input */
    bool own_fd;
    const unsigned char *in; /* raw input window */
    size_t in_len, in_pos;
    unsigned char *in_buf; /* owned buffer behind 'in' for descriptors */
    bool in_eof;
    uint64_t in_consumed; /* raw bytes before 'in' */
    uint64_t input_size;
    reader_format format;
    bool member_done; /* current gzip member / bzip2 stream / zstd frame finished */
    bool started;     /* the decoder has seen input */
    uint64_t out_total, limit;
    union {
        z_stream z;
        bz_stream bz;
        lzma_stream xz;
    } u;
    ZSTD_DStream *zs;
    bool decoder_live;
    /* Recovery (reader_set_recover): after a corrupt member, 'resync' makes
     * the next read look for the next member; 'dead' ends a stream that
     * cannot be resumed. */
    bool recover, resync, dead;
    uint64_t member_start; /* raw offset where the current member began */
    /* The last MEMBER_RING member starts: decompressed offset -> raw offset. */
    struct {
        uint64_t out, raw;
    } ring[MEMBER_RING];
    unsigned ring_next, ring_len;
};

const char *reader_format_name(reader_format f) {
    switch (f) {
    case READER_PLAIN:
        return "plain";
    case READER_GZIP:
        return "gzip";
    case READER_BZIP2:
        return "bzip2";
    case READER_XZ:
        return "xz";
    case READER_ZSTD:
        return "zstd";
    }
    return "?";
}

/* The decoders allocate through mem_alloc so that failure injection covers them. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    (void)opaque;
    return mem_calloc(items, size);
}
static void z_free(voidpf opaque, voidpf p) {
    (void)opaque;
    mem_free(p);
}
static void *bz_alloc(void *opaque, int items, int size) {
    (void)opaque;
    return mem_calloc((size_t)items, (size_t)size);
}
static void bz_free(void *opaque, void *p) {
    (void)opaque;
    mem_free(p);
}
static void *xz_alloc(void *opaque, size_t items, size_t size) {
    (void)opaque;
    return mem_calloc(items, size);
}
static void xz_free(void *opaque, void *p) {
    (void)opaque;
    mem_free(p);
}
static const lzma_allocator xz_allocator = {xz_alloc, xz_free, NULL};

static uint64_t raw_offset(const reader *r) {
    return r->in_consumed + r->in_pos;
}

static spin_status fail(reader *r, spin_diag *d, spin_status st, const char *fmt,
                        const char *what) {
    return diag_set(d, st, r->name, 0, raw_offset(r), fmt, what);
}

/* Makes unread raw input available; false at the end of input. */
static spin_status raw_fill(reader *r, spin_diag *d) {
    if (r->in_pos < r->in_len || r->in_eof)
        return SPIN_OK;
    if (r->fd < 0) {
        r->in_eof = true;
        return SPIN_OK;
    }
    r->in_consumed += r->in_len;
    r->in_len = r->in_pos = 0;
    for (;;) {
        ssize_t n = read(r->fd, r->in_buf, RAW_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return diag_set(d, SPIN_EIO, r->name, 0, raw_offset(r), "read failed: %s",
                            strerror(errno));
        if (n == 0)
            r->in_eof = true;
        r->in_len = (size_t)n;
        r->in = r->in_buf;
        return SPIN_OK;
    }
}

/* Reads at least 'want' raw bytes into the window if the input has them
 * (used to see magic numbers).  Only valid before any byte is consumed. */
static spin_status raw_peek(reader *r, size_t want, spin_diag *d) {
    if (r->fd < 0)
        return SPIN_OK;
    while (r->in_len < want && !r->in_eof) {
        ssize_t n = read(r->fd, r->in_buf + r->in_len, RAW_CHUNK - r->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return diag_set(d, SPIN_EIO, r->name, 0, 0, "read failed: %s", strerror(errno));
        if (n == 0)
            r->in_eof = true;
        r->in_len += (size_t)n;
    }
    return SPIN_OK;
}

static bool has_magic(const reader *r, const unsigned char *m, size_t n) {
    return r->in_len - r->in_pos >= n && memcmp(r->in + r->in_pos, m, n) == 0;
}

static const unsigned char GZ_MAGIC[] = {0x1f, 0x8b};
static const unsigned char BZ_MAGIC[] = {'B', 'Z', 'h'};
static const unsigned char XZ_MAGIC[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char ZSTD_MAGIC[] = {0x28, 0xb5, 0x2f, 0xfd};

static spin_status decoder_start(reader *r, spin_diag *d) {
    if (r->format != READER_PLAIN) {
        r->member_start = raw_offset(r);
        r->ring[r->ring_next].out = r->out_total;
        r->ring[r->ring_next].raw = r->member_start;
        r->ring_next = (r->ring_next + 1) % MEMBER_RING;
        if (r->ring_len < MEMBER_RING)
            ++r->ring_len;
    }
    switch (r->format) {
    case READER_PLAIN:
        return SPIN_OK;
    case READER_GZIP:
        memset(&r->u.z, 0, sizeof r->u.z);
        r->u.z.zalloc = z_alloc;
        r->u.z.zfree = z_free;
        if (inflateInit2(&r->u.z, 16 + MAX_WBITS) != Z_OK)
            return fail(r, d, SPIN_ENOMEM, "%s", "cannot start the gzip decoder");
        break;
    case READER_BZIP2:
        memset(&r->u.bz, 0, sizeof r->u.bz);
        r->u.bz.bzalloc = bz_alloc;
        r->u.bz.bzfree = bz_free;
        if (BZ2_bzDecompressInit(&r->u.bz, 0, 0) != BZ_OK)
            return fail(r, d, SPIN_ENOMEM, "%s", "cannot start the bzip2 decoder");
        break;
    case READER_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        r->u.xz = init;
        r->u.xz.allocator = &xz_allocator;
        lzma_ret rc = lzma_stream_decoder(&r->u.xz, UINT64_MAX, LZMA_CONCATENATED);
        if (rc != LZMA_OK)
            return fail(r, d, rc == LZMA_MEM_ERROR ? SPIN_ENOMEM : SPIN_EFORMAT, "%s",
                        "cannot start the xz decoder");
        break;
    }
    case READER_ZSTD:
        if (!r->zs) {
            r->zs = ZSTD_createDStream();
            if (!r->zs)
                return fail(r, d, SPIN_ENOMEM, "%s", "cannot start the zstd decoder");
        }
        if (ZSTD_isError(ZSTD_initDStream(r->zs)))
            return fail(r, d, SPIN_ENOMEM, "%s", "cannot start the zstd decoder");
        break;
    }
    r->decoder_live = true;
    return SPIN_OK;
}

static void decoder_end(reader *r) {
    if (!r->decoder_live)
        return;
    switch (r->format) {
    case READER_GZIP:
        inflateEnd(&r->u.z);
        break;
    case READER_BZIP2:
        BZ2_bzDecompressEnd(&r->u.bz);
        break;
    case READER_XZ:
        lzma_end(&r->u.xz);
        break;
    case READER_ZSTD:
    case READER_PLAIN:
        break;
    }
    r->decoder_live = false;
}

static spin_status finish_open(reader *r, reader **out, spin_diag *d) {
    spin_status st = raw_peek(r, sizeof XZ_MAGIC, d);
    if (st == SPIN_OK) {
        if (has_magic(r, GZ_MAGIC, sizeof GZ_MAGIC))
            r->format = READER_GZIP;
        else if (has_magic(r, BZ_MAGIC, sizeof BZ_MAGIC))
            r->format = READER_BZIP2;
        else if (has_magic(r, XZ_MAGIC, sizeof XZ_MAGIC))
            r->format = READER_XZ;
        else if (has_magic(r, ZSTD_MAGIC, sizeof ZSTD_MAGIC))
            r->format = READER_ZSTD;
        else
            r->format = READER_PLAIN;
        st = decoder_start(r, d);
    }
    if (st != SPIN_OK) {
        reader_free(r);
        *out = NULL;
        return st;
    }
    *out = r;
    return SPIN_OK;
}

static reader *reader_new(const char *name, spin_diag *d) {
    reader *r = mem_calloc(1, sizeof *r);
    if (!r || !(r->name = mem_strndup(name, strlen(name)))) {
        mem_free(r);
        diag_set(d, SPIN_ENOMEM, name, 0, 0, NULL);
        return NULL;
    }
    r->fd = -1;
    return r;
}

spin_status reader_open_fd(int fd, const char *name, reader **out, spin_diag *d) {
    *out = NULL;
    reader *r = reader_new(name, d);
    if (!r)
        return SPIN_ENOMEM;
    r->fd = fd;
    r->in_buf = mem_alloc(RAW_CHUNK);
    if (!r->in_buf) {
        reader_free(r);
        return diag_set(d, SPIN_ENOMEM, name, 0, 0, NULL);
    }
    r->in = r->in_buf;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        r->input_size = (uint64_t)sb.st_size;
    else if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        reader_free(r);
        return diag_set(d, SPIN_EIO, name, 0, 0, "is a directory");
    }
    return finish_open(r, out, d);
}

spin_status reader_open_path(const char *path, reader **out, spin_diag *d) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return diag_set(d, SPIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    spin_status st = reader_open_fd(fd, path, out, d);
    if (st != SPIN_OK) {
        close(fd);
        return st;
    }
    (*out)->own_fd = true;
    return SPIN_OK;
}

spin_status reader_open_memory(const void *data, size_t size, const char *name, reader **out,
                               spin_diag *d) {
    *out = NULL;
    reader *r = reader_new(name ? name : "<memory>", d);
    if (!r)
        return SPIN_ENOMEM;
    r->in = data;
    r->in_len = size;
    r->in_eof = true;
    r->input_size = size;
    return finish_open(r, out, d);
}

void reader_free(reader *r) {
    if (!r)
        return;
    decoder_end(r);
    if (r->zs)
        ZSTD_freeDStream(r->zs);
    if (r->own_fd)
        close(r->fd);
    mem_free(r->in_buf);
    mem_free(r->name);
    mem_free(r);
}

void reader_set_limit(reader *r, uint64_t max_bytes) {
    r->limit = max_bytes;
}

reader_format reader_get_format(const reader *r) {
    return r->format;
}

const char *reader_name(const reader *r) {
    return r->name;
}

uint64_t reader_input_size(const reader *r) {
    return r->input_size;
}

uint64_t reader_input_offset(const reader *r) {
    return raw_offset(r);
}

/* After a member/stream/frame ends: start the next one if more compressed
 * data follows, or report trailing garbage.  Sets *eof at a clean end. */
static spin_status next_member(reader *r, bool *eof, spin_diag *d) {
    spin_status st = raw_fill(r, d);
    if (st != SPIN_OK)
        return st;
    if (r->in_pos >= r->in_len) {
        *eof = true;
        return SPIN_OK;
    }
    /* Enough bytes to see the next magic number. */
    if (r->fd >= 0 && r->in_len - r->in_pos < sizeof XZ_MAGIC && !r->in_eof) {
        memmove(r->in_buf, r->in + r->in_pos, r->in_len - r->in_pos);
        r->in_consumed += r->in_pos;
        r->in_len -= r->in_pos;
        r->in_pos = 0;
        r->in = r->in_buf;
        if ((st = raw_peek(r, sizeof XZ_MAGIC, d)) != SPIN_OK)
            return st;
    }
    bool again = (r->format == READER_GZIP && has_magic(r, GZ_MAGIC, sizeof GZ_MAGIC)) ||
                 (r->format == READER_BZIP2 && has_magic(r, BZ_MAGIC, sizeof BZ_MAGIC)) ||
                 (r->format == READER_ZSTD && has_magic(r, ZSTD_MAGIC, sizeof ZSTD_MAGIC));
    if (!again) {
        r->member_start = raw_offset(r);
        return fail(r, d, SPIN_EFORMAT, "unexpected data after the end of the %s stream",
                    reader_format_name(r->format));
    }
    decoder_end(r);
    r->member_done = false;
    return decoder_start(r, d);
}

static spin_status truncated(reader *r, spin_diag *d) {
    return fail(r, d, SPIN_EFORMAT, "the %s stream is truncated (it ends before its end marker)",
                reader_format_name(r->format));
}

static spin_status read_plain(reader *r, unsigned char *buf, size_t n, size_t *got, spin_diag *d) {
    spin_status st = raw_fill(r, d);
    if (st != SPIN_OK)
        return st;
    size_t avail = r->in_len - r->in_pos;
    if (avail > n)
        avail = n;
    memcpy(buf, r->in + r->in_pos, avail);
    r->in_pos += avail;
    *got = avail;
    return SPIN_OK;
}

/* One decoder step: consume from the raw window, produce into buf.
 * Returns the number of bytes produced in *made and whether the member ended. */
static spin_status decode_step(reader *r, unsigned char *buf, size_t n, size_t *made,
                               spin_diag *d) {
    size_t avail = r->in_len - r->in_pos;
    const unsigned char *src = r->in + r->in_pos;
    *made = 0;
    switch (r->format) {
    case READER_GZIP: {
        z_stream *z = &r->u.z;
        z->next_in = (Bytef *)src;
        z->avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
        z->next_out = buf;
        z->avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
        uInt in0 = z->avail_in, out0 = z->avail_out;
        int rc = inflate(z, Z_NO_FLUSH);
        r->in_pos += in0 - z->avail_in;
        *made = out0 - z->avail_out;
        if (rc == Z_STREAM_END)
            r->member_done = true;
        else if (rc == Z_MEM_ERROR)
            return fail(r, d, SPIN_ENOMEM, "%s", "out of memory in the gzip decoder");
        else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR)
            return fail(r, d, SPIN_EFORMAT, "corrupt gzip data: %s",
                        z->msg ? z->msg : "invalid stream");
        return SPIN_OK;
    }
    case READER_BZIP2: {
        bz_stream *b = &r->u.bz;
        unsigned chunk_in = avail > UINT32_MAX ? UINT32_MAX : (unsigned)avail;
        unsigned chunk_out = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
        b->next_in = (char *)src;
        b->avail_in = chunk_in;
        b->next_out = (char *)buf;
        b->avail_out = chunk_out;
        int rc = BZ2_bzDecompress(b);
        r->in_pos += chunk_in - b->avail_in;
        *made = chunk_out - b->avail_out;
        if (rc == BZ_STREAM_END)
            r->member_done = true;
        else if (rc == BZ_MEM_ERROR)
            return fail(r, d, SPIN_ENOMEM, "%s", "out of memory in the bzip2 decoder");
        else if (rc != BZ_OK)
            return fail(r, d, SPIN_EFORMAT, "%s", "corrupt bzip2 data");
        return SPIN_OK;
    }
    case READER_XZ: {
        lzma_stream *x = &r->u.xz;
        x->next_in = src;
        x->avail_in = avail;
        x->next_out = buf;
        x->avail_out = n;
        /* Once the raw input is exhausted, FINISH lets the decoder report a
         * truncated stream instead of waiting for more. */
        lzma_ret rc = lzma_code(x, r->in_eof ? LZMA_FINISH : LZMA_RUN);
        r->in_pos += avail - x->avail_in;
        *made = n - x->avail_out;
        if (rc == LZMA_STREAM_END)
            r->member_done = true;
        else if (rc == LZMA_MEM_ERROR || rc == LZMA_MEMLIMIT_ERROR)
            return fail(r, d, SPIN_ENOMEM, "%s", "out of memory in the xz decoder");
        else if (rc == LZMA_BUF_ERROR)
            return truncated(r, d);
        else if (rc != LZMA_OK)
            return fail(r, d, SPIN_EFORMAT, "%s", "corrupt xz data");
        return SPIN_OK;
    }
    case READER_ZSTD: {
        ZSTD_inBuffer zin = {src, avail, 0};
        ZSTD_outBuffer zout = {buf, n, 0};
        size_t rc = ZSTD_decompressStream(r->zs, &zout, &zin);
        r->in_pos += zin.pos;
        *made = zout.pos;
        if (ZSTD_isError(rc))
            return fail(r, d, SPIN_EFORMAT, "corrupt zstd data: %s", ZSTD_getErrorName(rc));
        if (rc == 0)
            r->member_done = true;
        return SPIN_OK;
    }
    case READER_PLAIN:
        break;
    }
    return SPIN_OK;
}

/* The first bytes of a member of the current format ("1f 8b 08": gzip with
 * deflate, the only method there is). */
static size_t member_magic(const reader *r, const unsigned char **m) {
    static const unsigned char gz[] = {0x1f, 0x8b, 0x08};
    switch (r->format) {
    case READER_GZIP:
        *m = gz;
        return sizeof gz;
    case READER_BZIP2:
        *m = BZ_MAGIC;
        return sizeof BZ_MAGIC;
    case READER_ZSTD:
        *m = ZSTD_MAGIC;
        return sizeof ZSTD_MAGIC;
    default:
        return 0;
    }
}

/* After a corrupt member: moves the raw window to the next member magic
 * after the bad member's first byte and starts decoding there, or marks the
 * stream dead when there is none (or the format cannot be resumed).
 * Regular files are re-read from just after the bad member's start (lseek),
 * since the decoder may have read into the next member before it noticed;
 * pipes resume from where the decoder stopped. */
static spin_status resync(reader *r, spin_diag *d) {
    const unsigned char *magic;
    size_t mlen = member_magic(r, &magic);
    r->resync = false;
    if (mlen == 0) {
        r->dead = true;
        return SPIN_OK;
    }
    uint64_t from = r->member_start + 1;
    if (from >= r->in_consumed && from <= r->in_consumed + r->in_len)
        r->in_pos = (size_t)(from - r->in_consumed);
    else if (r->own_fd && lseek(r->fd, (off_t)from, SEEK_SET) == (off_t)from) {
        r->in_consumed = from;
        r->in_len = r->in_pos = 0;
        r->in_eof = false;
    }
    for (;;) {
        spin_status st = raw_fill(r, d);
        if (st != SPIN_OK)
            return st;
        if (r->in_pos >= r->in_len) {
            r->dead = true;
            return SPIN_OK;
        }
        const unsigned char *w = r->in + r->in_pos;
        size_t avail = r->in_len - r->in_pos, i = 0;
        bool found = false;
        while (i < avail) {
            const unsigned char *p = memchr(w + i, magic[0], avail - i);
            if (!p) {
                i = avail;
                break;
            }
            i = (size_t)(p - w);
            if (i + mlen > avail)
                break; /* a candidate cut by the window's end: keep it */
            if (memcmp(p, magic, mlen) == 0) {
                found = true;
                break;
            }
            ++i;
        }
        if (found) {
            r->in_pos += i;
            decoder_end(r);
            r->member_done = false;
            return decoder_start(r, d);
        }
        size_t keep = avail - i;
        if (r->in_eof || r->fd < 0) {
            r->dead = true;
            return SPIN_OK;
        }
        memmove(r->in_buf, r->in + r->in_len - keep, keep);
        r->in_consumed += r->in_len - keep;
        r->in_len = keep;
        r->in_pos = 0;
        r->in = r->in_buf;
        if ((st = raw_peek(r, keep + 1, d)) != SPIN_OK)
            return st;
        if (r->in_len == keep) {
            r->dead = true;
            return SPIN_OK;
        }
    }
}

static spin_status read_decoded(reader *r, unsigned char *buf, size_t n, size_t *got,
                                spin_diag *d) {
    *got = 0;
    if (r->resync) {
        spin_status st = resync(r, d);
        if (st != SPIN_OK)
            return st;
    }
    if (r->dead)
        return SPIN_OK;
    for (;;) {
        spin_status st;
        if (r->member_done) {
            bool eof = false;
            if (r->format == READER_XZ) /* LZMA_CONCATENATED: the decoder saw it all */
                return SPIN_OK;
            if ((st = next_member(r, &eof, d)) != SPIN_OK)
                return st;
            if (eof)
                return SPIN_OK;
        }
        if ((st = raw_fill(r, d)) != SPIN_OK)
            return st;
        bool no_input = r->in_pos >= r->in_len;
        size_t made = 0;
        if ((st = decode_step(r, buf, n, &made, d)) != SPIN_OK)
            return st;
        if (made > 0) {
            *got = made;
            return SPIN_OK;
        }
        if (r->member_done)
            continue;
        if (no_input && r->in_eof)
            return truncated(r, d);
    }
}

spin_status reader_read(reader *r, void *buf, size_t n, size_t *got, spin_diag *d) {
    spin_status st;
    *got = 0;
    if (n == 0)
        return SPIN_OK;
    if (r->format == READER_PLAIN)
        st = read_plain(r, buf, n, got, d);
    else
        st = read_decoded(r, buf, n, got, d);
    if (st == SPIN_EFORMAT && r->recover && r->format != READER_PLAIN) {
        /* Named by the bad member's start, where a reader of the file would look. */
        if (d)
            d->byte = r->member_start;
        r->resync = true;
    }
    if (st != SPIN_OK)
        return st;
    r->out_total += *got;
    if (r->limit && r->out_total > r->limit)
        return diag_set(d, SPIN_EFORMAT, r->name, 0, r->limit,
                        "decompressed data exceeds the limit of %llu bytes",
                        (unsigned long long)r->limit);
    return SPIN_OK;
}

void reader_set_recover(reader *r, bool on) {
    r->recover = on;
}

uint64_t reader_member_at(const reader *r, uint64_t out_offset) {
    if (r->format == READER_PLAIN)
        return out_offset;
    uint64_t best = 0, best_out = 0;
    bool found = false;
    for (unsigned i = 0; i < r->ring_len; ++i) {
        unsigned k = (r->ring_next + MEMBER_RING - 1 - i) % MEMBER_RING; /* newest first */
        if (r->ring[k].out <= out_offset && (!found || r->ring[k].out > best_out)) {
            best = r->ring[k].raw;
            best_out = r->ring[k].out;
            found = true;
        }
    }
    if (!found && r->ring_len) /* older than remembered: the oldest known */
        best = r->ring[(r->ring_next + MEMBER_RING - r->ring_len) % MEMBER_RING].raw;
    return best;
}
