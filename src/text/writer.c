/* writer.c - see writer.h.  Output is buffered in 256 KiB; gzip at level 6
 * (zlib's default), zstd at level 3 (its default). */
#include "text/writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "util/diag.h"
#include "util/mem.h"

#define BUF_SIZE ((size_t)256 << 10)

struct writer {
    int fd;
    writer_format f;
    char name[512];
    unsigned char *in, *out; /* pending input, and compressed output */
    size_t in_len;
    z_stream z;
    ZSTD_CCtx *zc;
};

writer_format writer_format_for(const char *name) {
    size_t n = strlen(name);
    if (n >= 3 && !strcmp(name + n - 3, ".gz"))
        return WRITER_GZIP;
    if ((n >= 4 && !strcmp(name + n - 4, ".zst")) || (n >= 5 && !strcmp(name + n - 5, ".zstd")))
        return WRITER_ZSTD;
    return WRITER_PLAIN;
}

static spin_status put(writer *w, const unsigned char *p, size_t n, spin_diag *diag) {
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return diag_set(diag, SPIN_EIO, w->name, 0, 0, "cannot write: %s",
                            strerror(k < 0 ? errno : EIO));
        p += k;
        n -= (size_t)k;
    }
    return SPIN_OK;
}

spin_status writer_open_fd(int fd, const char *name, writer_format f, writer **out,
                           spin_diag *diag) {
    *out = NULL;
    writer *w = mem_calloc(1, sizeof *w);
    if (!w)
        return diag_set(diag, SPIN_ENOMEM, name, 0, 0, "out of memory");
    w->fd = fd;
    w->f = f;
    snprintf(w->name, sizeof w->name, "%s", name);
    w->in = mem_alloc(BUF_SIZE);
    w->out = f == WRITER_PLAIN ? NULL : mem_alloc(BUF_SIZE);
    bool ok = w->in && (f == WRITER_PLAIN || w->out);
    if (ok && f == WRITER_GZIP)
        ok = deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    if (ok && f == WRITER_ZSTD)
        ok = (w->zc = ZSTD_createCCtx()) != NULL &&
             !ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, 3));
    if (!ok) {
        w->f = WRITER_PLAIN; /* no deflate stream to end */
        writer_free(w);
        return diag_set(diag, SPIN_ENOMEM, name, 0, 0, "out of memory starting the output");
    }
    *out = w;
    return SPIN_OK;
}

/* Compresses (or writes) the pending input; with 'end', ends the stream. */
static spin_status drain(writer *w, bool end, spin_diag *diag) {
    spin_status st;
    if (w->f == WRITER_PLAIN) {
        st = put(w, w->in, w->in_len, diag);
        w->in_len = 0;
        return st;
    }
    if (w->f == WRITER_GZIP) {
        w->z.next_in = w->in;
        w->z.avail_in = (uInt)w->in_len;
        int zr;
        do {
            w->z.next_out = w->out;
            w->z.avail_out = (uInt)BUF_SIZE;
            zr = deflate(&w->z, end ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR)
                return diag_set(diag, SPIN_EIO, w->name, 0, 0, "gzip compression failed");
            if ((st = put(w, w->out, BUF_SIZE - w->z.avail_out, diag)) != SPIN_OK)
                return st;
        } while (w->z.avail_out == 0 || (end && zr != Z_STREAM_END));
        w->in_len = 0;
        return SPIN_OK;
    }
    ZSTD_inBuffer in = {w->in, w->in_len, 0};
    size_t left;
    do {
        ZSTD_outBuffer out = {w->out, BUF_SIZE, 0};
        left = ZSTD_compressStream2(w->zc, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left))
            return diag_set(diag, SPIN_EIO, w->name, 0, 0, "zstd compression failed: %s",
                            ZSTD_getErrorName(left));
        if ((st = put(w, w->out, out.pos, diag)) != SPIN_OK)
            return st;
    } while (in.pos < in.size || (end && left != 0));
    w->in_len = 0;
    return SPIN_OK;
}

spin_status writer_write(writer *w, const void *data, size_t len, spin_diag *diag) {
    const unsigned char *p = data;
    while (len > 0) {
        size_t k = BUF_SIZE - w->in_len < len ? BUF_SIZE - w->in_len : len;
        memcpy(w->in + w->in_len, p, k);
        w->in_len += k;
        p += k;
        len -= k;
        if (w->in_len == BUF_SIZE) {
            spin_status st = drain(w, false, diag);
            if (st != SPIN_OK)
                return st;
        }
    }
    return SPIN_OK;
}

spin_status writer_finish(writer *w, spin_diag *diag) {
    return drain(w, true, diag);
}

void writer_free(writer *w) {
    if (!w)
        return;
    if (w->f == WRITER_GZIP)
        deflateEnd(&w->z);
    ZSTD_freeCCtx(w->zc);
    mem_free(w->in);
    mem_free(w->out);
    mem_free(w);
}
