/* test_langid.c - language identification (text/langid.h) on what a crawl
 * really holds: English and German prose, and bytes that are not UTF-8 at the
 * very end of readable memory (CLD2 read past such a buffer before langid
 * cleaned its input: fuzz_report found it).
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text/langid.h"
#include "tap.h"

/* 'len' bytes of 's' copied so that they end exactly at a page that cannot
 * be read; *base and *size to unmap. */
static char *at_page_end(const char *s, size_t len, void **base, size_t *size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    char *m = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    if (mprotect(m + (pages - 1) * page, page, PROT_NONE) != 0) {
        munmap(m, pages * page);
        return NULL;
    }
    char *p = m + (pages - 1) * page - len;
    memcpy(p, s, len);
    *base = m;
    *size = pages * page;
    return p;
}

int main(void) {
    langid_result r;
    const char *en = "The river was calm in the morning, and the boats came home late in "
                     "the evening after a long day of fishing on the lake.";
    langid_detect(en, strlen(en), &r);
    ok(!strcmp(r.code, "en") && r.english_pct >= 90, "English prose is English (%s, %d %%)", r.code,
       r.english_pct);
    const char *de = "Der Hund lief schnell über die Wiese und bellte laut, weil er den Ball "
                     "sehen wollte, den das Kind geworfen hatte.";
    langid_detect(de, strlen(de), &r);
    ok(!strcmp(r.code, "de") && r.english_pct < 50, "German prose is German (%s)", r.code);

    /* Ill-formed UTF-8 and NUL bytes, ending where memory ends. */
    static const char bad[] = "\x0b\x00\x00<mscriptv></section>dy&gt; .amp;&#39; "
                              "</div><\xf3\xf3/secti\xf5n>\xc3\xe2\x82\xf0\x9f\x98";
    void *base;
    size_t size;
    char *p = at_page_end(bad, sizeof bad - 1, &base, &size);
    if (!p) {
        tap_skip(2, "mmap/mprotect unavailable");
    } else {
        langid_detect(p, sizeof bad - 1, &r);
        ok(1, "ill-formed UTF-8 at the end of readable memory is classified (%s)", r.code);
        munmap(base, size);
        char *q = at_page_end(en, strlen(en), &base, &size);
        if (!q)
            return tap_done();
        memcpy(q + strlen(en) - 2, "\xe2\x82", 2); /* a character cut short at the end */
        langid_detect(q, strlen(en), &r);
        ok(!strcmp(r.code, "en"), "English cut mid-character at the end of memory (%s)", r.code);
        if (q)
            munmap(base, size);
    }
    return tap_done();
}
