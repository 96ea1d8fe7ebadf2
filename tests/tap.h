/* tap.h - a minimal Test Anything Protocol producer for spinscan's unit tests.
 *
 * Each test binary prints a plan at the end ("1..N"), one "ok"/"not ok" line per
 * check, and exits non-zero if any check failed, so prove(1) can run it directly.
 * Checks never abort: a failing check reports where it is and the run goes on.
 */
#ifndef SPIN_TAP_H
#define SPIN_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count_;
static int tap_failed_;

static inline void tap_result_(int ok, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    ++tap_count_;
    if (!ok)
        ++tap_failed_;
    printf("%sok %d - ", ok ? "" : "not ", tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok)
        printf("#   failed at %s:%d\n", file, line);
    fflush(stdout);
}

/* ok(COND, "description %s", args...) */
#define ok(cond, ...) tap_result_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                                     \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        tap_result_(g_ == w_, __FILE__, __LINE__, __VA_ARGS__);                                    \
        if (g_ != w_)                                                                              \
            printf("#   got %lld, want %lld\n", g_, w_);                                           \
    } while (0)

#define is_str(got, want, ...)                                                                     \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        int same_ = g_ && w_ && strcmp(g_, w_) == 0;                                               \
        tap_result_(same_, __FILE__, __LINE__, __VA_ARGS__);                                       \
        if (!same_)                                                                                \
            printf("#   got  \"%s\"\n#   want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");  \
    } while (0)

/* Bitwise float equality: -0 and +0 differ, NaN equals an identical NaN. */
#define is_float_bits(got, want, ...)                                                              \
    do {                                                                                           \
        float g_ = (got), w_ = (want);                                                             \
        int same_ = memcmp(&g_, &w_, sizeof g_) == 0;                                              \
        tap_result_(same_, __FILE__, __LINE__, __VA_ARGS__);                                       \
        if (!same_)                                                                                \
            printf("#   got %.9g, want %.9g\n", (double)g_, (double)w_);                           \
    } while (0)

static inline void tap_skip(int n, const char *why) {
    for (int i = 0; i < n; ++i)
        printf("ok %d # skip %s\n", ++tap_count_, why);
}

static inline void tap_diag(const char *fmt, ...) {
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* A printable copy of 's' for a test description: newlines, tabs and CRs
 * become \n, \t, \r.  Returns one of four rotating static buffers. */
static inline const char *tap_esc(const char *s) {
    static char bufs[4][512];
    static int k;
    char *b = bufs[k++ & 3];
    size_t o = 0;
    for (; *s && o + 3 < sizeof bufs[0]; ++s) {
        char c = *s;
        if (c == '\n' || c == '\t' || c == '\r') {
            b[o++] = '\\';
            b[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else {
            b[o++] = c;
        }
    }
    b[o] = '\0';
    return b;
}

/* Skip the whole file (prove counts it as skipped). */
static inline int tap_skip_all(const char *why) {
    printf("1..0 # SKIP %s\n", why);
    return 0;
}

static inline int tap_done(void) {
    printf("1..%d\n", tap_count_);
    return tap_failed_ ? 1 : 0;
}

/* Directory of KenLM's reference fixtures, or NULL (then tests skip). */
static inline const char *tap_fixtures(void) {
    static char buf[4096];
    const char *d = getenv("SPINSCAN_FIXTURES");
    if (!d || !*d)
        d = "../shared/fixtures/kenlm";
    snprintf(buf, sizeof buf, "%s/tiny.arpa", d);
    FILE *f = fopen(buf, "rb");
    if (!f)
        return NULL;
    fclose(f);
    snprintf(buf, sizeof buf, "%s", d);
    return buf;
}

#endif
