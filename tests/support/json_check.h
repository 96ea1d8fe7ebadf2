/* json_check.h - test support shared by the unit tests and the fuzz targets:
 * a small strict JSON reader for round trips, the UTF-8 decoding they compare
 * against, and reading a whole file.
 *
 * Strict means RFC 8259 and nothing more: no raw control characters or
 * ill-formed UTF-8 in strings, no lone surrogates in \u escapes, no leading
 * zeros, '+' or bare '.' in numbers, no trailing commas or text after the
 * value, and (stricter than the RFC, because spinscan never writes them) no
 * duplicate keys.  Nesting deeper than 64 levels is refused.
 *
 * It is written independently of src/detect/report.c and src/crawl/rank.c on purpose: a
 * round trip through the writer's own decoder would prove nothing.
 */
#ifndef SPIN_JSON_CHECK_H
#define SPIN_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum jc_type { JC_NULL, JC_BOOL, JC_NUMBER, JC_STRING, JC_ARRAY, JC_OBJECT } jc_type;

typedef struct jc_value {
    jc_type type;
    bool boolean;
    double number;
    bool integer; /**< JC_NUMBER: written without fraction or exponent */
    char *str;    /**< JC_STRING: the decoded UTF-8 bytes (may hold NUL), 'len' of them */
    size_t len;
    struct jc_value *items; /**< JC_ARRAY / JC_OBJECT: 'n' values */
    char **keys;            /**< JC_OBJECT: 'n' decoded keys (NUL-terminated) */
    size_t *key_lens;
    size_t n;
} jc_value;

/** Parses exactly one JSON value filling the 'len' bytes at 's' (whitespace
 *  around it allowed).  On success *out is the caller's (jc_free); on failure
 *  false and *error (if not NULL) names what was wrong. */
bool jc_parse(const char *s, size_t len, jc_value *out, const char **error);

/** jc_parse() for a check about to fail loudly: when 's' does not parse, says
 *  why on stderr ("JSON error: ...") and returns false. */
bool jc_parse_loud(const char *s, size_t len, jc_value *out);

/** Frees what 'v' holds (not 'v' itself). */
void jc_free(jc_value *v);

/** The member 'key' of object 'v', or NULL. */
const jc_value *jc_get(const jc_value *v, const char *key);

/** Decodes the character at 's' (n >= 1 bytes left) into *cp and returns its
 *  length; an ill-formed sequence gives *cp = JC_BAD and the length of its
 *  maximal subpart (Unicode's "U+FFFD substitution of maximal subparts"). */
#define JC_BAD 0xFFFFFFFFu
size_t jc_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/** Appends the UTF-8 of 'cp' to 'out' at *o (room for 4 bytes needed). */
void jc_put_utf8(char *out, size_t *o, uint32_t cp);

/** True if the 'n' bytes at 's' are well-formed UTF-8. */
bool jc_valid_utf8(const char *s, size_t n);

/** The reference filter for writers that replace ill-formed UTF-8: each
 *  maximal ill-formed subpart of the 'n' bytes at 's' becomes U+FFFD.  Returns
 *  a NUL-terminated malloc'd copy (caller frees) of *out_len bytes, or NULL. */
char *jc_replace_invalid(const char *s, size_t n, size_t *out_len);

/** The whole file at 'path', NUL-terminated, in a malloc'd buffer (caller
 *  frees) of *len bytes; NULL if it cannot be read. */
char *tu_slurp(const char *path, size_t *len);

#endif
