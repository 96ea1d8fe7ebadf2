/* diag.c - status names and diagnostic records. */
#include "util/diag.h"

#include <stdio.h>
#include <string.h>

const char *spin_strerror(spin_status status) {
    switch (status) {
    case SPIN_OK:
        return "success";
    case SPIN_ENOMEM:
        return "out of memory";
    case SPIN_EIO:
        return "input/output error";
    case SPIN_EFORMAT:
        return "invalid format";
    case SPIN_EINVAL:
        return "invalid argument";
    case SPIN_EUNSUPPORTED:
        return "unsupported";
    }
    return "unknown status";
}

spin_status diag_vset(spin_diag *d, spin_status status, const char *path, uint64_t line,
                      uint64_t byte, const char *fmt, va_list ap) {
    if (!d)
        return status;
    d->status = status;
    snprintf(d->path, sizeof d->path, "%s", path ? path : "");
    d->line = line;
    d->byte = byte;
    if (fmt)
        vsnprintf(d->message, sizeof d->message, fmt, ap);
    else
        snprintf(d->message, sizeof d->message, "%s", spin_strerror(status));
    return status;
}

spin_status diag_set(spin_diag *d, spin_status status, const char *path, uint64_t line,
                     uint64_t byte, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(d, status, path, line, byte, fmt, ap);
    va_end(ap);
    return status;
}

char *diag_quote(char *out, size_t outsize, const char *s, size_t len, size_t max) {
    size_t o = 0;
    if (outsize == 0)
        return out;
    for (size_t i = 0; i < len && i < max; ++i) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        if (c == '\t')
            snprintf(tmp, sizeof tmp, "\\t");
        else if (c == '\r')
            snprintf(tmp, sizeof tmp, "\\r");
        else if (c == '\n')
            snprintf(tmp, sizeof tmp, "\\n");
        else if (c < 0x20 || c == 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
        else {
            tmp[0] = (char)c;
            tmp[1] = '\0';
        }
        size_t t = strlen(tmp);
        if (o + t + 4 >= outsize)
            break;
        memcpy(out + o, tmp, t);
        o += t;
    }
    if (len > max && o + 4 < outsize) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}
