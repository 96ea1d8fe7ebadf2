/* safetext.c - see safetext.h. */
#include "util/safetext.h"

#include <string.h>

static bool is_neutralised(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

size_t safetext_control(const char *s, size_t n, uint32_t *cp, bool *bad) {
    const unsigned char *u = (const unsigned char *)s;
    *bad = false;
    if (n == 0)
        return 0;
    size_t k = safetext_utf8(u, n, cp);
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
                size_t step = safetext_utf8((const unsigned char *)s + i, n - i, &c2);
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
