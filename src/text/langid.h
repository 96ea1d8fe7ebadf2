/* langid.h - is a text English?  Language identification through CLD2
 * (Debian libcld2-dev), the detector's first gate: a spin detector built on an
 * English language model has nothing to say about German or Chinese text, and
 * without this gate it called them spun (issue 14).
 *
 * Why CLD2 and not libexttextcat (both measured on tests/data/foreign and
 * tests/data/web, docs/detector.md): both named every language of the 42
 * foreign documents and every web article correctly, but CLD2 classified
 * 12-17 MB of text per CPU-second and libexttextcat 1.2-1.8, which alone
 * would have cost `rank` its 5 MB/s budget.  CLD2 has only a C++ API;
 * langid.cc is the few lines of C++ that wrap it.
 *
 * Threads: CLD2's tables are static and read-only; langid_detect() is safe
 * from any number of threads.
 */
#ifndef SPIN_LANGID_H
#define SPIN_LANGID_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many bytes of a document are classified (its start): CLD2's
 * answer is settled long before, and a long document costs no more. */
#define LANGID_MAX_BYTES 16384

typedef struct langid_result {
    char code[16];   /* CLD2's code of the top language ("en", "de", "zh-Hant"; "un" = unknown) */
    int english_pct; /* percent of the text's letters CLD2 found English, 0..100 */
    bool reliable;   /* CLD2 trusts its answer (enough text, a clear winner) */
    int text_bytes;  /* bytes of letters CLD2 looked at */
} langid_result;

/* Classifies the 'len' bytes of UTF-8 plain text at 'text' (at most
 * LANGID_MAX_BYTES of them, cut at a character boundary).  Any bytes are
 * safe: CLD2 sees a copy in which ill-formed UTF-8 and NUL are spaces.  Never
 * fails: text it cannot place gives code "un" and reliable false. */
void langid_detect(const char *text, size_t len, langid_result *out);

#ifdef __cplusplus
}
#endif

#endif
