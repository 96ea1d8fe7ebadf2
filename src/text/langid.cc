// langid.cc - the C face of CLD2 (see langid.h).  No exceptions, no STL: the
// only C++ in the library, kept to the call itself.
#include "text/langid.h"

#include "util/utf8.h"

#include <cstdio> // before CLD2's header, which uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cstring>

extern "C" void langid_detect(const char *text, size_t len, langid_result *out) {
    // CLD2 wants valid UTF-8, and its scanner reads ahead of the character
    // it is on: on ill-formed input it read past the end of the buffer
    // (SEGV in UTF8GenericPropertyTwoByte, found by fuzz_report under
    // AddressSanitizer when the input ended at a page boundary).  So it gets
    // a copy of the first LANGID_MAX_BYTES in which every ill-formed sequence
    // and every NUL is a space, followed by zero bytes.
    enum { PAD = 32 };
    char clean[LANGID_MAX_BYTES + PAD];
    const unsigned char *s = reinterpret_cast<const unsigned char *>(text);
    size_t in = 0, n = 0;
    while (in < len) {
        uint32_t cp;
        size_t k = utf8_next(s + in, len - in, &cp);
        if (n + k > LANGID_MAX_BYTES)
            break; // the first LANGID_MAX_BYTES, cut at a character boundary
        if (cp == UTF8_BAD || cp == 0) {
            clean[n++] = ' ';
        } else {
            std::memcpy(clean + n, s + in, k);
            n += k;
        }
        in += k;
    }
    std::memset(clean + n, 0, PAD);
    text = clean;
    len = n;
    CLD2::Language lang3[3];
    int pct3[3];
    double score3[3];
    int text_bytes = 0;
    bool reliable = false;
    CLD2::Language top = CLD2::ExtDetectLanguageSummary(
        text, static_cast<int>(len), true /* plain text */, nullptr, 0, lang3, pct3, score3,
        nullptr, &text_bytes, &reliable);
    int en = 0;
    for (int i = 0; i < 3; ++i)
        if (lang3[i] == CLD2::ENGLISH)
            en += pct3[i];
    std::snprintf(out->code, sizeof out->code, "%s", CLD2::LanguageCode(top));
    out->english_pct = en;
    out->reliable = reliable;
    out->text_bytes = text_bytes;
}
