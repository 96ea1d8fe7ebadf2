/* arpa_write.c - shortest float formatting and safe (temp + rename) ARPA output. */
#include "lm/arpa_write.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/diag.h"
#include "util/mem.h"

/* 10^k for k in [-64, 64], filled on first use (pow() is exact for the small
 * powers; the rest are within an ulp, far below a float's resolution). */
static double pow10_tab[129];
static int pow10_ready;

static double pow10i(int k) {
    if (!pow10_ready) {
        for (int i = -64; i <= 64; ++i)
            pow10_tab[i + 64] = pow(10.0, i);
        pow10_ready = 1;
    }
    if (k < -64 || k > 64)
        return pow(10.0, k);
    return pow10_tab[k + 64];
}

size_t arpaw_format_float(char *buf, float v) {
    if (v == 0.0f)
        return (size_t)snprintf(buf, ARPAW_FLOAT_MAX, "0");
    if (isnan(v))
        return (size_t)snprintf(buf, ARPAW_FLOAT_MAX, "NaN");
    if (isinf(v))
        return (size_t)snprintf(buf, ARPAW_FLOAT_MAX, "%s", v < 0 ? "-inf" : "inf");
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    float fv = fabsf(v);
    double x = fv;
    /* Every decimal strictly between these halfway points reads back as fv. */
    double lo = (x + (double)nextafterf(fv, 0.0f)) / 2;
    double hi = (x + (double)nextafterf(fv, INFINITY)) / 2;
    int e = (int)floor(log10(x));
    if (x < pow10i(e))
        --e;
    else if (x >= pow10i(e + 1))
        ++e;
    /* The fewest significant digits whose rounding of x stays inside (lo, hi). */
    uint64_t digits = 0;
    int nd = 0, point = e;
    for (int prec = 1; prec <= 9; ++prec) {
        int k = prec - 1 - e;
        double c = nearbyint(x * pow10i(k));
        int pe = e;
        if (c >= pow10i(prec)) { /* rounded up to the next power of ten */
            c /= 10;
            ++pe;
            --k;
        }
        double cand = k >= 0 ? c / pow10i(k) : c * pow10i(-k);
        if ((cand > lo && cand < hi) || prec == 9) {
            digits = (uint64_t)c;
            nd = prec;
            point = pe;
            break;
        }
    }
    /* The nd digits, most significant first (snprintf was a tenth of all
     * training time here), then without trailing zeros. */
    char d[24];
    for (int i = nd; i-- > 0; digits /= 10)
        d[i] = (char)('0' + digits % 10);
    while (nd > 1 && d[nd - 1] == '0')
        --nd;
    d[nd] = '\0';
    if (point >= -6 && point < 21) {
        if (point < 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -point - 1; ++i)
                *p++ = '0';
            memcpy(p, d, (size_t)nd);
            p += nd;
        } else if (point + 1 >= nd) {
            memcpy(p, d, (size_t)nd);
            p += nd;
            for (int i = nd; i < point + 1; ++i)
                *p++ = '0';
        } else {
            memcpy(p, d, (size_t)point + 1);
            p += point + 1;
            *p++ = '.';
            memcpy(p, d + point + 1, (size_t)(nd - point - 1));
            p += nd - point - 1;
        }
    } else {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)nd - 1);
            p += nd - 1;
        }
        p += snprintf(p, 8, "e%d", point);
    }
    *p = '\0';
    return (size_t)(p - buf);
}

enum { WBUF = 1 << 16 };

struct arpaw_file {
    char *path; /* the target */
    char *tmp;  /* the temporary file beside it */
    int fd;
    gzFile gz; /* when compressing */
    size_t len;
    int failed; /* errno of the first failure, or -1 for a zlib error */
    char buf[WBUF];
};

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

spin_status arpaw_open(const char *path, arpaw_file **out, spin_diag *diag) {
    *out = NULL;
    arpaw_file *f = mem_calloc(1, sizeof *f);
    size_t n = strlen(path);
    if (!f || !(f->path = mem_strndup(path, n)) || !(f->tmp = mem_alloc(n + 16))) {
        if (f) {
            mem_free(f->path);
            mem_free(f);
        }
        return diag_set(diag, SPIN_ENOMEM, path, 0, 0, NULL);
    }
    snprintf(f->tmp, n + 16, "%s.tmp.XXXXXX", path);
    /* Output to a device or FIFO (-O /dev/stdout, /dev/full) is written in
     * place: renaming a temporary file over it would replace the device. */
    struct stat target;
    if (stat(path, &target) == 0 && !S_ISREG(target.st_mode)) {
        f->tmp[0] = '\0';
        f->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    } else {
        f->fd = mkstemp(f->tmp);
    }
    if (f->fd < 0) {
        spin_status st = diag_set(diag, SPIN_EIO, path, 0, 0, "cannot create %s: %s",
                                  f->tmp[0] ? f->tmp : path, strerror(errno));
        mem_free(f->tmp);
        mem_free(f->path);
        mem_free(f);
        return st;
    }
    if (ends_with(path, ".gz")) {
        int fd2 = dup(f->fd);
        f->gz = fd2 >= 0 ? gzdopen(fd2, "wb1") : NULL;
        if (!f->gz) {
            if (fd2 >= 0)
                close(fd2);
            arpaw_abort(f);
            return diag_set(diag, SPIN_ENOMEM, path, 0, 0, "cannot start gzip compression");
        }
        gzbuffer(f->gz, 1 << 17);
    }
    *out = f;
    return SPIN_OK;
}

static void flush_buf(arpaw_file *f) {
    if (f->failed || !f->len) {
        f->len = 0;
        return;
    }
    if (f->gz) {
        if (gzwrite(f->gz, f->buf, (unsigned)f->len) != (int)f->len) {
            /* zlib reports a failed write(2) as Z_ERRNO with errno set (a
             * full disk is ENOSPC, not a compression failure). */
            int saved = errno, zerr = Z_OK;
            gzerror(f->gz, &zerr);
            f->failed = zerr == Z_ERRNO && saved ? saved : -1;
        }
    } else {
        const char *p = f->buf;
        size_t left = f->len;
        while (left) {
            ssize_t w = write(f->fd, p, left);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                f->failed = errno;
                break;
            }
            p += w;
            left -= (size_t)w;
        }
    }
    f->len = 0;
}

void arpaw_write(arpaw_file *f, const char *s, size_t len) {
    while (len) {
        if (f->len == WBUF)
            flush_buf(f);
        size_t take = WBUF - f->len < len ? WBUF - f->len : len;
        memcpy(f->buf + f->len, s, take);
        f->len += take;
        s += take;
        len -= take;
    }
}

void arpaw_puts(arpaw_file *f, const char *s) {
    arpaw_write(f, s, strlen(s));
}

void arpaw_putc(arpaw_file *f, char c) {
    if (f->len == WBUF)
        flush_buf(f);
    f->buf[f->len++] = c;
}

void arpaw_float(arpaw_file *f, float v) {
    if (WBUF - f->len < ARPAW_FLOAT_MAX)
        flush_buf(f);
    f->len += arpaw_format_float(f->buf + f->len, v);
}

void arpaw_abort(arpaw_file *f) {
    if (!f)
        return;
    if (f->gz)
        gzclose(f->gz);
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp[0])
        unlink(f->tmp);
    mem_free(f->tmp);
    mem_free(f->path);
    mem_free(f);
}

spin_status arpaw_commit(arpaw_file *f, spin_diag *diag) {
    flush_buf(f);
    if (f->gz) {
        int zst = gzclose(f->gz);
        f->gz = NULL;
        if (zst != Z_OK && !f->failed)
            f->failed = zst == Z_ERRNO ? errno : -1;
    }
    if (!f->failed && f->tmp[0] && fchmod(f->fd, 0644) != 0)
        f->failed = errno;
    if (!f->failed && fsync(f->fd) != 0 && errno != EINVAL)
        f->failed = errno;
    if (close(f->fd) != 0 && !f->failed)
        f->failed = errno;
    f->fd = -1;
    if (!f->failed && f->tmp[0] && rename(f->tmp, f->path) != 0)
        f->failed = errno;
    spin_status st = SPIN_OK;
    if (f->failed)
        st = diag_set(diag, SPIN_EIO, f->path, 0, 0, "cannot write: %s",
                      f->failed > 0 ? strerror(f->failed) : "compression failed");
    if (st != SPIN_OK && f->tmp[0])
        unlink(f->tmp);
    mem_free(f->tmp);
    mem_free(f->path);
    mem_free(f);
    return st;
}
