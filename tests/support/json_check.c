/* json_check.c - see json_check.h. */
#include "support/json_check.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#define JC_MAX_DEPTH 64

typedef struct jc_parser {
    const unsigned char *p, *end;
    const char *error;
    int depth;
} jc_parser;

size_t jc_utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *cp = JC_BAD;
        return 1;
    }
    for (size_t i = 1; i <= need; ++i) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = JC_BAD;
            return i;
        }
        v = v << 6 | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

void jc_put_utf8(char *out, size_t *o, uint32_t cp) {
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | cp >> 6);
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | cp >> 12);
        out[(*o)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | cp >> 18);
        out[(*o)++] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

bool jc_valid_utf8(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += jc_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp == JC_BAD)
            return false;
    }
    return true;
}

void jc_free(jc_value *v) {
    if (!v)
        return;
    free(v->str);
    for (size_t i = 0; i < v->n; ++i) {
        jc_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->key_lens);
    memset(v, 0, sizeof *v);
}

const jc_value *jc_get(const jc_value *v, const char *key) {
    if (!v || v->type != JC_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < v->n; ++i)
        if (v->key_lens[i] == kl && memcmp(v->keys[i], key, kl) == 0)
            return &v->items[i];
    return NULL;
}

static bool fail(jc_parser *ps, const char *why) {
    if (!ps->error)
        ps->error = why;
    return false;
}

static void skip_ws(jc_parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ++ps->p;
}

static bool literal(jc_parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "unknown literal");
    ps->p += n;
    return true;
}

static bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

static bool number(jc_parser *ps, jc_value *v) {
    const unsigned char *start = ps->p;
    bool integer = true;
    if (ps->p < ps->end && *ps->p == '-')
        ++ps->p;
    if (ps->p >= ps->end || !is_digit(*ps->p))
        return fail(ps, "a number needs a digit");
    if (*ps->p == '0') {
        ++ps->p;
        if (ps->p < ps->end && is_digit(*ps->p))
            return fail(ps, "leading zero in a number");
    } else {
        while (ps->p < ps->end && is_digit(*ps->p))
            ++ps->p;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        integer = false;
        ++ps->p;
        if (ps->p >= ps->end || !is_digit(*ps->p))
            return fail(ps, "a fraction needs a digit");
        while (ps->p < ps->end && is_digit(*ps->p))
            ++ps->p;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        integer = false;
        ++ps->p;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ++ps->p;
        if (ps->p >= ps->end || !is_digit(*ps->p))
            return fail(ps, "an exponent needs a digit");
        while (ps->p < ps->end && is_digit(*ps->p))
            ++ps->p;
    }
    /* The whole literal: cut, "1000...0e-400" would read as a large number. */
    char small[64];
    size_t n = (size_t)(ps->p - start);
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return fail(ps, "out of memory");
    memcpy(buf, start, n);
    buf[n] = '\0';
    v->type = JC_NUMBER;
    v->integer = integer;
    v->number = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return true;
}

static int hex4(const unsigned char *p) {
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Reads a string at ps->p (at its opening quote) into a malloc'd buffer. */
static bool string(jc_parser *ps, char **out, size_t *out_len) {
    ++ps->p; /* the quote */
    /* Decoded text is never longer than the source. */
    char *buf = malloc((size_t)(ps->end - ps->p) + 1);
    size_t o = 0;
    if (!buf)
        return fail(ps, "out of memory");
    for (;;) {
        if (ps->p >= ps->end) {
            free(buf);
            return fail(ps, "unterminated string");
        }
        unsigned c = *ps->p;
        if (c == '"') {
            ++ps->p;
            break;
        }
        if (c < 0x20) {
            free(buf);
            return fail(ps, "raw control character in a string");
        }
        if (c == '\\') {
            if (ps->end - ps->p < 2) {
                free(buf);
                return fail(ps, "unterminated escape");
            }
            unsigned e = ps->p[1];
            ps->p += 2;
            const char *simple = strchr("\"\\/bfnrt", (int)e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                buf[o++] = map[simple - "\"\\/bfnrt"];
                continue;
            }
            if (e != 'u' || ps->end - ps->p < 4 || hex4(ps->p) < 0) {
                free(buf);
                return fail(ps, "bad escape");
            }
            uint32_t cp = (uint32_t)hex4(ps->p);
            ps->p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                free(buf);
                return fail(ps, "lone low surrogate");
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                    hex4(ps->p + 2) < 0x0DC00 || hex4(ps->p + 2) > 0xDFFF) {
                    free(buf);
                    return fail(ps, "lone high surrogate");
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex4(ps->p + 2) - 0xDC00);
                ps->p += 6;
            }
            jc_put_utf8(buf, &o, cp);
            continue;
        }
        uint32_t cp;
        size_t k = jc_utf8_next(ps->p, (size_t)(ps->end - ps->p), &cp);
        if (cp == JC_BAD) {
            free(buf);
            return fail(ps, "ill-formed UTF-8 in a string");
        }
        memcpy(buf + o, ps->p, k);
        o += k;
        ps->p += k;
    }
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return true;
}

static bool value(jc_parser *ps, jc_value *v);

static bool push(jc_value *v, size_t *cap) {
    if (v->n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    jc_value *items = realloc(v->items, ncap * sizeof *items);
    if (!items)
        return false;
    v->items = items;
    if (v->type == JC_OBJECT) {
        char **keys = realloc(v->keys, ncap * sizeof *keys);
        if (!keys)
            return false;
        v->keys = keys;
        size_t *kl = realloc(v->key_lens, ncap * sizeof *kl);
        if (!kl)
            return false;
        v->key_lens = kl;
    }
    *cap = ncap;
    return true;
}

static bool container(jc_parser *ps, jc_value *v, bool object) {
    if (++ps->depth > JC_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    v->type = object ? JC_OBJECT : JC_ARRAY;
    ++ps->p;
    size_t cap = 0;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
        ++ps->p;
        --ps->depth;
        return true;
    }
    for (;;) {
        if (!push(v, &cap))
            return fail(ps, "out of memory");
        jc_value *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (object) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a key");
            char *key;
            size_t kl;
            if (!string(ps, &key, &kl))
                return false;
            for (size_t i = 0; i < v->n; ++i)
                if (v->key_lens[i] == kl && memcmp(v->keys[i], key, kl) == 0) {
                    free(key);
                    return fail(ps, "duplicate key");
                }
            v->keys[v->n] = key;
            v->key_lens[v->n] = kl;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                ++v->n; /* so that jc_free frees the key */
                return fail(ps, "expected ':'");
            }
            ++ps->p;
        }
        ++v->n;
        if (!value(ps, item))
            return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ++ps->p;
            continue;
        }
        if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
            ++ps->p;
            --ps->depth;
            return true;
        }
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool value(jc_parser *ps, jc_value *v) {
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{':
        return container(ps, v, true);
    case '[':
        return container(ps, v, false);
    case '"':
        v->type = JC_STRING;
        return string(ps, &v->str, &v->len);
    case 't':
        v->type = JC_BOOL;
        v->boolean = true;
        return literal(ps, "true");
    case 'f':
        v->type = JC_BOOL;
        return literal(ps, "false");
    case 'n':
        v->type = JC_NULL;
        return literal(ps, "null");
    default:
        return number(ps, v);
    }
}

bool jc_parse(const char *s, size_t len, jc_value *out, const char **error) {
    jc_parser ps = {(const unsigned char *)s, (const unsigned char *)s + len, NULL, 0};
    memset(out, 0, sizeof *out);
    bool good = value(&ps, out);
    if (good) {
        skip_ws(&ps);
        if (ps.p != ps.end)
            good = fail(&ps, "text after the value");
    }
    if (!good) {
        jc_free(out);
        if (error)
            *error = ps.error;
    }
    return good;
}

char *jc_replace_invalid(const char *s, size_t n, size_t *out_len) {
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = jc_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp == JC_BAD) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
        }
        i += k;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

char *tu_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? 2 * cap : 65536;
            char *b = realloc(buf, cap + 1);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

bool jc_parse_loud(const char *s, size_t len, jc_value *out) {
    const char *err = NULL;
    bool parsed = jc_parse(s, len, out, &err);
    if (!parsed)
        fprintf(stderr, "JSON error: %s\n", err ? err : "?");
    return parsed;
}
