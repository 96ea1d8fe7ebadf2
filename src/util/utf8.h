/* utf8.h - the UTF-8 decoder of the tokenizer, the report writers and the
 * terminal-safe text (safetext.h): one set of validity rules for them all.
 *
 * Ill-formed input follows Unicode's best practice ("U+FFFD substitution of
 * maximal subparts"): one bad character per maximal prefix of a well-formed
 * sequence, or per single byte that starts none.  No overlong forms, no
 * surrogates, nothing above U+10FFFF.
 */
#ifndef SPIN_UTF8_H
#define SPIN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* *cp for an ill-formed sequence. */
#define UTF8_BAD UINT32_MAX

/* Decodes the character at 's' ('n' >= 1 bytes left) into *cp and returns its
 * length; an ill-formed sequence gives *cp = UTF8_BAD and the length of its
 * maximal subpart. */
static inline size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    size_t need;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the next continuation byte */
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        *cp = UTF8_BAD;
        return 1;
    }
    size_t i = 1;
    for (; i <= need && i < n; ++i) {
        unsigned b = s[i];
        if (b < lo || b > hi)
            break;
        lo = 0x80, hi = 0xBF;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = i <= need ? UTF8_BAD : v;
    return i;
}

#endif
