/* fmt.c - shortest round-trip number formatting (see fmt.h).
 *
 * For a precision p the value is rounded to p significant digits with
 * snprintf; p works if that decimal (or a neighbour one unit in the last place
 * away, which matters next to powers of two where the round-trip interval is
 * lopsided) reads back to the same value.  The least p that works wins, and
 * among its candidates the one closest to the value.
 */
#include "util/fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digits (no dot) and decimal exponent of a "%.*e" rendering. */
typedef struct decimal {
    char digits[24];
    int ndigits;
    int exp10; /* value = 0.d1d2... * 10^(exp10+1) = d1.d2... * 10^exp10 */
} decimal;

static void parse_e(const char *s, decimal *d) {
    d->ndigits = 0;
    for (; *s && *s != 'e'; ++s)
        if (*s >= '0' && *s <= '9')
            d->digits[d->ndigits++] = *s;
    d->exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

/* Adds 'delta' (+1 or -1) to the last digit, renormalising. */
static bool bump(decimal *d, int delta) {
    int i = d->ndigits - 1;
    if (delta > 0) {
        while (i >= 0 && d->digits[i] == '9')
            d->digits[i--] = '0';
        if (i < 0) {
            memmove(d->digits + 1, d->digits, (size_t)d->ndigits);
            d->digits[0] = '1';
            d->exp10++;
            /* keep the same number of digits */
            d->digits[d->ndigits] = '\0';
            return true;
        }
        d->digits[i]++;
    } else {
        while (i >= 0 && d->digits[i] == '0')
            d->digits[i--] = '9';
        if (i < 0)
            return false;
        d->digits[i]--;
        if (d->digits[0] == '0') {
            if (d->ndigits == 1)
                return false;
            memmove(d->digits, d->digits + 1, (size_t)d->ndigits - 1);
            d->digits[d->ndigits - 1] = '9';
            d->exp10--;
        }
    }
    return true;
}

static double value_of(const decimal *d) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*se%d", d->ndigits, d->digits, d->exp10 - (d->ndigits - 1));
    return strtod(buf, NULL);
}

static double value_of_single(const decimal *d, float *f) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*se%d", d->ndigits, d->digits, d->exp10 - (d->ndigits - 1));
    *f = strtof(buf, NULL);
    return strtod(buf, NULL);
}

/* Tries precision 'p': the nearest p-digit decimal and its two neighbours;
 * fills *out with the closest one that reads back exactly. */
static bool try_precision(double mag, bool single, int p, decimal *out) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, mag);
    decimal c[3];
    parse_e(buf, &c[0]);
    c[1] = c[0];
    c[2] = c[0];
    bool usable[3] = {true, bump(&c[1], -1), bump(&c[2], +1)};
    int found = -1;
    double bestdist = 0;
    for (int k = 0; k < 3; ++k) {
        if (!usable[k])
            continue;
        bool round_trips;
        double v;
        if (single) {
            float f;
            v = value_of_single(&c[k], &f);
            round_trips = f == (float)mag;
        } else {
            v = value_of(&c[k]);
            round_trips = v == mag;
        }
        if (!round_trips)
            continue;
        double dist = fabs(v - mag);
        if (found < 0 || dist < bestdist) {
            found = k;
            bestdist = dist;
        }
    }
    if (found < 0)
        return false;
    *out = c[found];
    return true;
}

/* Finds the shortest decimal of 'mag' (> 0, finite) that reads back exactly.
 * If p digits round-trip so do p+1, so the least p is found by bisection. */
static void shortest(double mag, bool single, decimal *best) {
    int lo = 1, hi = single ? 9 : 17;
    decimal cand;
    try_precision(mag, single, hi, best); /* always round-trips */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (try_precision(mag, single, mid, &cand)) {
            *best = cand;
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    while (best->ndigits > 1 && best->digits[best->ndigits - 1] == '0')
        best->ndigits--;
}

static size_t render(char *out, bool neg, const decimal *d) {
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    int e = d->exp10, n = d->ndigits;
    if (e >= -6 && e < 21) {
        if (e < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = -1; i > e; --i)
                out[o++] = '0';
            memcpy(out + o, d->digits, (size_t)n);
            o += (size_t)n;
        } else if (n <= e + 1) {
            memcpy(out + o, d->digits, (size_t)n);
            o += (size_t)n;
            for (int i = n; i <= e; ++i)
                out[o++] = '0';
        } else {
            memcpy(out + o, d->digits, (size_t)e + 1);
            o += (size_t)e + 1;
            out[o++] = '.';
            memcpy(out + o, d->digits + e + 1, (size_t)(n - e - 1));
            o += (size_t)(n - e - 1);
        }
    } else {
        out[o++] = d->digits[0];
        if (n > 1) {
            out[o++] = '.';
            memcpy(out + o, d->digits + 1, (size_t)n - 1);
            o += (size_t)n - 1;
        }
        o += (size_t)snprintf(out + o, 16, "e%d", e);
    }
    out[o] = '\0';
    return o;
}

static size_t special(char *out, double v) {
    if (isnan(v))
        return (size_t)snprintf(out, FMT_NUMBER_MAX, "NaN");
    if (isinf(v))
        return (size_t)snprintf(out, FMT_NUMBER_MAX, v < 0 ? "-inf" : "inf");
    return (size_t)snprintf(out, FMT_NUMBER_MAX, signbit(v) ? "-0" : "0");
}

size_t fmt_float(char *out, float v) {
    if (isnan(v) || isinf(v) || v == 0.0f)
        return special(out, (double)v);
    decimal d;
    shortest(fabs((double)v), true, &d);
    return render(out, signbit(v) != 0, &d);
}

size_t fmt_double(char *out, double v) {
    if (isnan(v) || isinf(v) || v == 0.0)
        return special(out, v);
    decimal d;
    shortest(fabs(v), false, &d);
    return render(out, signbit(v) != 0, &d);
}
