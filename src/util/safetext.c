/* safetext.c - see safetext.h. */
#include "util/safetext.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s[0, n) and its code point, or 0. */
static size_t utf8_at(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    uint32_t v = c & (0x3fu >> (len - 1));
    for (size_t i = 1; i < len; ++i) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static bool is_neutralised(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

size_t safetext_control(const char *s, size_t n, uint32_t *cp, bool *bad) {
    const unsigned char *u = (const unsigned char *)s;
    *bad = false;
    if (n == 0)
        return 0;
    size_t k = utf8_at(u, n, cp);
    if (k == 0) {
        *cp = u[0];
        *bad = true;
        return 1;
    }
    return is_neutralised(*cp) ? k : 0;
}

size_t safetext_escape(char *out, uint32_t cp, bool bad) {
    static const char hex[] = "0123456789abcdef";
    if (bad || cp < 0x80) {
        out[0] = '\\', out[1] = 'x', out[2] = hex[(cp >> 4) & 15], out[3] = hex[cp & 15];
        out[4] = '\0';
        return 4;
    }
    out[0] = '\\', out[1] = 'u';
    for (int i = 0; i < 4; ++i)
        out[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
    out[6] = '\0';
    return 6;
}

void safetext_write(FILE *f, const char *s, size_t n, bool keep_tab_lf) {
    size_t run = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        bool bad;
        size_t k = safetext_control(s + i, n - i, &cp, &bad);
        if (k == 0 || (keep_tab_lf && !bad && (cp == '\t' || cp == '\n'))) {
            /* Copy plain characters in runs. */
            if (k == 0) {
                uint32_t c2;
                size_t step = utf8_at((const unsigned char *)s + i, n - i, &c2);
                i += step ? step : 1;
            } else {
                i += k;
            }
            continue;
        }
        if (i > run)
            fwrite(s + run, 1, i - run, f);
        char esc[8];
        fwrite(esc, 1, safetext_escape(esc, cp, bad), f);
        i += k;
        run = i;
    }
    if (n > run)
        fwrite(s + run, 1, n - run, f);
}
