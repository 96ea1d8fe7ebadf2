/* test_fmt.c - numbers print as KenLM prints them: shortest round-trip
 * digits, plain notation for exponents -6..20, "e" notation beyond. */
#include <stdbool.h>
#include <stdint.h>

#include "util/fmt.h"
#include "tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Number of significant digits in a rendering. */
static int sig_digits(const char *s) {
    int n = 0, started = 0, zeros = 0;
    /* trailing zeros of an integer rendering ("1056890430") are not significant */
    bool integer = !strchr(s, '.') && !strchr(s, 'e');
    for (; *s && *s != 'e'; ++s) {
        if (*s >= '1' && *s <= '9')
            started = 1;
        if (started && *s >= '0' && *s <= '9') {
            ++n;
            zeros = *s == '0' ? zeros + 1 : 0;
        }
    }
    if (integer)
        n -= zeros;
    return n;
}

int main(void) {
    char b[FMT_NUMBER_MAX];
    struct {
        double v;
        int single;
        const char *want;
    } cases[] = {
        {-0.6420194f, 1, "-0.6420194"},
        {-0.34433872f, 1, "-0.34433872"},
        {-100.34434f, 1, "-100.34434"},
        {-26.77161f, 1, "-26.77161"},
        {470.1257591172352, 0, "470.1257591172352"},
        {1.758426691576143e57, 0, "1.758426691576143e57"},
        {1e-7, 0, "1e-7"},
        {0.000001, 0, "0.000001"},
        {1e21, 0, "1e21"},
        {1e20, 0, "100000000000000000000"},
        {123456.0, 0, "123456"},
        {-2.5e-10f, 1, "-2.5e-10"},
        {3.0f, 1, "3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (cases[i].single)
            fmt_float(b, (float)cases[i].v);
        else
            fmt_double(b, cases[i].v);
        is_str(b, cases[i].want, "%s prints as %s", cases[i].single ? "float" : "double",
               cases[i].want);
    }
    fmt_float(b, -0.0f);
    is_str(b, "-0", "negative zero keeps its sign");
    fmt_float(b, 0.0f);
    is_str(b, "0", "zero");
    fmt_float(b, -INFINITY);
    is_str(b, "-inf", "-inf");
    fmt_double(b, INFINITY);
    is_str(b, "inf", "inf");
    fmt_double(b, NAN);
    is_str(b, "NaN", "NaN");

    /* Random floats: the text reads back exactly and no shorter text would. */
    int bad_trip = 0, not_shortest = 0;
    for (int i = 0; i < 200000; ++i) {
        uint32_t bits = (uint32_t)next_rand();
        float f;
        memcpy(&f, &bits, 4);
        if (isnan(f) || isinf(f) || f == 0.0f)
            continue;
        fmt_float(b, f);
        float back = strtof(b, NULL);
        if (memcmp(&back, &f, 4))
            ++bad_trip;
        int n = sig_digits(b);
        if (n > 1) {
            char s[64];
            snprintf(s, sizeof s, "%.*e", n - 2, (double)f);
            if (strtof(s, NULL) == f)
                ++not_shortest;
        }
    }
    is_int(bad_trip, 0, "200000 random floats read back exactly");
    is_int(not_shortest, 0, "and none has a shorter exact rendering");
    int dbad = 0;
    for (int i = 0; i < 100000; ++i) {
        uint64_t bits = next_rand();
        double v;
        memcpy(&v, &bits, 8);
        if (isnan(v) || isinf(v))
            continue;
        fmt_double(b, v);
        double back = strtod(b, NULL);
        if (memcmp(&back, &v, 8))
            ++dbad;
    }
    is_int(dbad, 0, "100000 random doubles read back exactly");
    return tap_done();
}
