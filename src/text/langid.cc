// langid.cc - the C face of CLD2 (see langid.h).  No exceptions, no STL: the
// only C++ in the library, kept to the call itself.
#include "text/langid.h"

#include <cstdio> // before CLD2's header, which uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cstring>

extern "C" void langid_detect(const char *text, size_t len, langid_result *out) {
    if (len > LANGID_MAX_BYTES) {
        len = LANGID_MAX_BYTES;
        // back up to the start of a UTF-8 character
        while (len > 0 && (static_cast<unsigned char>(text[len]) & 0xc0) == 0x80)
            --len;
    }
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
