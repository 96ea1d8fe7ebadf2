/* test_mem.c - mem_append(), the growable byte block behind rank's, html's,
 * jsonrec's and the trainer's buffers: contents, NUL termination, growth,
 * and nothing changed when an allocation fails. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"
#include "tap.h"

static void test_append(void) {
    char *p = NULL;
    size_t len = 0, cap = 0;
    ok(mem_append(&p, &len, &cap, "", 0), "appending nothing to an empty block");
    ok(p && len == 0 && cap >= 1 && p[0] == '\0', "  gives an empty, terminated string");
    ok(mem_append(&p, &len, &cap, "abc", 3) && mem_append(&p, &len, &cap, "de", 2), "two appends");
    is_str(p, "abcde", "  hold both, in order, terminated");
    is_int(len, 5, "  with their length");
    char big[1000];
    for (size_t i = 0; i < sizeof big; ++i)
        big[i] = (char)('a' + i % 26);
    bool all = true;
    for (int i = 0; i < 100; ++i)
        all &= mem_append(&p, &len, &cap, big, sizeof big);
    ok(all && len == 5 + 100 * sizeof big && cap > len && p[len] == '\0',
       "100 KB more: the block grows (%zu bytes in %zu)", len, cap);
    ok(!memcmp(p + 5 + 99 * sizeof big, big, sizeof big), "  and keeps what was appended");

    char *before = p;
    size_t len0 = len, cap0 = cap;
    mem_fail_at(1);
    bool appended = mem_append(&p, &len, &cap, big, cap - len); /* needs a larger block */
    mem_fail_at(0);
    ok(!appended, "an append whose allocation fails says so");
    ok(p == before && len == len0 && cap == cap0 && p[len] == '\0', "  and changes nothing");
    mem_free(p);
}

static void test_utf8(void) {
    uint32_t cp;
    is_int(utf8_next((const unsigned char *)"\xC3\xA9", 2, &cp), 2, "U+00E9: two bytes");
    is_int(cp, 0xE9, "  its code point");
    is_int(utf8_next((const unsigned char *)"\xE2\x82", 2, &cp), 2, "a cut E2 82: its two bytes");
    ok(cp == UTF8_BAD, "  ill-formed");
    is_int(utf8_next((const unsigned char *)"\xE0\x80\x80", 3, &cp), 1,
           "overlong E0 80 80: one byte (the maximal subpart)");
    is_int(utf8_next((const unsigned char *)"\xED\xA0\x80", 3, &cp), 1,
           "a surrogate ED A0 80: one byte");
    is_int(utf8_next((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 1,
           "above U+10FFFF: one byte");
    is_int(utf8_next((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4, "U+1F600: four bytes");
    is_int(cp, 0x1F600, "  its code point");
}

int main(void) {
    test_append();
    test_utf8();
    return tap_done();
}
