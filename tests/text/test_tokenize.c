/* test_tokenize.c - segmentation, normalization, offsets and bad input. */
#include "text/tokenize.h"

#include <stdint.h>
#include <time.h>

#include "util/mem.h"
#include "tap.h"

static tokenizer *T;

/* The line stream of 's' (NUL-terminated), or "ERROR:<status>"; valid until
 * the next call.  lines(NULL) frees the last result. */
static char *lines(const char *s) {
    static char *last;
    size_t n;
    spin_diag d;
    mem_free(last);
    last = NULL;
    if (!s)
        return NULL; /* just free the last result */
    spin_status rc = tokenize_lines_buf(T, s, strlen(s), &last, &n, NULL, &d);
    if (rc != SPIN_OK) {
        static char err[64];
        snprintf(err, sizeof err, "ERROR:%s", spin_strerror(rc));
        return err;
    }
    return last;
}

/* Concatenated token texts (no separators) of the 'len' bytes at 's'. */
static size_t squash(const char *s, size_t len, char *out, size_t cap, size_t *ntokens) {
    tok_doc d;
    size_t o = 0;
    *ntokens = 0;
    if (tokenize_doc(T, s, len, &d, NULL) != SPIN_OK)
        return (size_t)-1;
    for (size_t i = 0; i < d.ntokens && o + d.tokens[i].len < cap; ++i) {
        memcpy(out + o, d.text + d.tokens[i].text, d.tokens[i].len);
        o += d.tokens[i].len;
    }
    *ntokens = d.ntokens;
    tokenize_doc_free(&d);
    out[o] = '\0';
    return o;
}

static int valid_utf8(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (!k || i + k > n)
            return 0;
        for (size_t j = 1; j < k; ++j)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

/* Checks every structural promise and every offset of tokenizing 'len' bytes
 * at 's': ordering, token texts, that slicing the input at a token's offsets
 * and tokenizing the slice gives that token's text, that a sentence's slice
 * gives its tokens, and that the bytes between tokens give no token at all.
 * Returns the number of failed promises (reported as one TAP line). */
static int check_offsets(const char *name, const char *s, size_t len) {
    tok_doc d;
    int bad = 0;
    static char a[1 << 16], b[1 << 16];
    size_t n;
    if (tokenize_doc(T, s, len, &d, NULL) != SPIN_OK) {
        ok(0, "%s: tokenizes", name);
        return 1;
    }
    size_t prev_end = 0;
    for (size_t k = 0; k < d.nsentences; ++k) {
        const tok_sentence *st = &d.sentences[k];
        const tok_token *first = &d.tokens[st->first], *last = &d.tokens[st->first + st->count - 1];
        if (st->count == 0 || st->start != first->start || st->end != last->end ||
            st->start < prev_end || st->end > len ||
            (k && st->first != d.sentences[k - 1].first + d.sentences[k - 1].count)) {
            tap_diag("%s: sentence %zu malformed", name, k);
            ++bad;
        }
        /* the sentence's slice gives its tokens */
        size_t o = 0;
        for (size_t i = 0; i < st->count && o < sizeof b - 1024; ++i) {
            memcpy(b + o, d.text + first[i].text, first[i].len);
            o += first[i].len;
        }
        b[o] = '\0';
        if (st->end - st->start < sizeof a &&
            (squash(s + st->start, st->end - st->start, a, sizeof a, &n), strcmp(a, b))) {
            tap_diag("%s: sentence %zu [%zu,%zu) slice gives \"%s\", want \"%s\"", name, k,
                     st->start, st->end, a, b);
            ++bad;
        }
        prev_end = st->end;
    }
    prev_end = 0;
    for (size_t i = 0; i < d.ntokens; ++i) {
        const tok_token *t = &d.tokens[i];
        const char *txt = d.text + t->text;
        int ws = 0;
        for (uint32_t j = 0; j < t->len; ++j)
            ws |= txt[j] == ' ' || txt[j] == '\t' || txt[j] == '\n' || txt[j] == '\r' ||
                  txt[j] == '\v' || txt[j] == '\f' || txt[j] == '\0';
        if (t->start >= t->end || t->start < prev_end || t->end > len || t->len == 0 || ws ||
            !valid_utf8(txt, t->len) || (t->len == 3 && !memcmp(txt, "<s>", 3)) ||
            (t->len == 4 && !memcmp(txt, "</s>", 4)) || (t->len == 5 && !memcmp(txt, "<unk>", 5))) {
            tap_diag("%s: token %zu malformed", name, i);
            ++bad;
        }
        /* gap before the token: nothing in it is a token */
        if (t->start > prev_end && t->start - prev_end < sizeof a &&
            (squash(s + prev_end, t->start - prev_end, a, sizeof a, &n), n != 0)) {
            tap_diag("%s: gap [%zu,%zu) before token %zu holds tokens \"%s\"", name, prev_end,
                     t->start, i, a);
            ++bad;
        }
        if (t->end - t->start < sizeof a) {
            squash(s + t->start, t->end - t->start, a, sizeof a, &n);
            if (strlen(a) != t->len || memcmp(a, txt, t->len)) {
                tap_diag("%s: token %zu [%zu,%zu) slice gives \"%s\", want \"%.*s\"", name, i,
                         t->start, t->end, a, (int)t->len, txt);
                ++bad;
            }
        }
        prev_end = t->end;
    }
    if (len > prev_end && len - prev_end < sizeof a &&
        (squash(s + prev_end, len - prev_end, a, sizeof a, &n), n != 0)) {
        tap_diag("%s: trailing gap holds tokens", name);
        ++bad;
    }
    ok(bad == 0, "%s: %zu sentences, %zu tokens, every offset checked by slicing", name,
       d.nsentences, d.ntokens);
    tokenize_doc_free(&d);
    return bad;
}

/* Finds the token whose text is 'text' and checks that the input slice at its
 * offsets is exactly 'orig'. */
static void token_slice_is(const char *s, const char *text, const char *orig) {
    tok_doc d;
    const char *got = NULL;
    size_t glen = 0;
    if (tokenize_doc(T, s, strlen(s), &d, NULL) == SPIN_OK) {
        for (size_t i = 0; i < d.ntokens; ++i)
            if (d.tokens[i].len == strlen(text) &&
                !memcmp(d.text + d.tokens[i].text, text, d.tokens[i].len)) {
                got = s + d.tokens[i].start;
                glen = d.tokens[i].end - d.tokens[i].start;
                break;
            }
        tokenize_doc_free(&d);
    }
    ok(got && glen == strlen(orig) && !memcmp(got, orig, glen),
       "token \"%s\" slices to \"%s\" (got \"%.*s\")", text, orig, (int)glen, got ? got : "");
}

/* Kinds of the tokens, one letter each (w n k i p s u e), and segment kinds. */
static const char *kinds(const char *s) {
    static char out[1024];
    tok_doc d;
    size_t o = 0;
    if (tokenize_doc(T, s, strlen(s), &d, NULL) != SPIN_OK)
        return "ERROR";
    for (size_t i = 0; i < d.ntokens && o < sizeof out - 1; ++i)
        out[o++] = "wnkipsue"[d.tokens[i].kind];
    out[o] = '\0';
    tokenize_doc_free(&d);
    return out;
}

static const char *seg_kinds(const char *s) {
    static char out[256];
    tok_doc d;
    size_t o = 0;
    if (tokenize_doc(T, s, strlen(s), &d, NULL) != SPIN_OK)
        return "ERROR";
    for (size_t i = 0; i < d.nsentences && o < sizeof out - 2; ++i) {
        out[o++] = "PHB"[d.sentences[i].kind];
        if (d.sentences[i].flags & TOK_S_SPLIT)
            out[o++] = '+';
    }
    out[o] = '\0';
    tokenize_doc_free(&d);
    return out;
}

static void english(void) {
    is_str(lines("Dr. Patricia Moore arrived. She sat down."),
           "dr . patricia moore arrived .\nshe sat down .\n", "Dr. does not end a sentence");
    is_str(lines("Take one, e.g. this one. Then go."), "take one , e.g . this one .\nthen go .\n",
           "e.g. does not end a sentence");
    is_str(lines("Mr. Smith met Prof. Jones at noon. It rained."),
           "mr . smith met prof . jones at noon .\nit rained .\n",
           "Mr. and Prof. (ICU's own list)");
    is_str(lines("I read J. R. R. Tolkien. You read A. Christie."),
           "i read j . r . r . tolkien .\nyou read a . christie .\n",
           "initials do not end sentences");
    is_str(lines("Wait... What happened\xe2\x80\xa6 Nothing."),
           "wait ...\nwhat happened ...\nnothing .\n",
           "ellipses: dots and U+2026 are one token '...'");
    is_str(lines("It costs 3.5 or 1,000 dollars at 10:30 on 2024-05-01."),
           "it costs 0.0 or 0,000 dollars at 00:00 on 0000 - 00 - 00 .\n",
           "decimals, thousands and times are one number, digits become 0");
    is_str(
        lines("\xe2\x80\x9cHello,\xe2\x80\x9d she said. \xe2\x80\x98Hi\xe2\x80\x99 and \"plain\"."),
        "\" hello , \" she said .\n' hi ' and \" plain \" .\n", "typographic quotes unified");
    is_str(lines("Mail jane.doe+news@mail.example.org or visit https://example.com/a?b=1&c=(2). "
                 "Also www.example.net, ok?"),
           "mail <email> or visit <url> .\nalso <url> , ok ?\n",
           "URLs and e-mails become class tokens");
    is_str(lines("See (https://example.com/x_(y)) today."), "see ( <url> ) today .\n",
           "URL brackets balanced");
    is_str(
        lines("A well-known state-of-the-art tool \xe2\x80\x94 truly \xe2\x80\x93 great -- yes."),
        "a well - known state - of - the - art tool - truly - great - yes .\n",
        "hyphens split words; all dashes become '-'; runs merge");
    is_str(lines("Don\xe2\x80\x99t worry, it\xe2\x80\x99s John's and the students' car."),
           "don't worry , it's john's and the students ' car .\n",
           "contractions and possessives stay one token with ' ");
    is_str(lines("Pain, pain, pain!"), "pain , pain , pain !\n", "commas are tokens");
    is_str(lines("THE END"), "the end\n", "case folded");
    is_str(
        lines("\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x8c\xef\xbd\x8c width \xef\xac\x81ne Stra\xc3\x9f"
              "e."),
        "full width fine strasse .\n", "NFKC and full case folding (fullwidth, ligature, sharp s)");
    is_str(lines("1. First point\n2) Second point"), "0 . first point\n0 ) second point\n",
           "numbered list markers are kept");
    is_str(lines("  \xe2\x80\xa2 Fresh eggs\n* Flour\n- Sugar\n\xe2\x97\x8f Milk"),
           "fresh eggs\nflour\nsugar\nmilk\n", "bullets stripped");
    is_str(lines("-5 degrees and 3 - 2 here."), "- 0 degrees and 0 - 0 here .\n",
           "a dash that is no bullet stays");
    is_str(lines("spin\xe2\x80\x8bner\xc2\xa0text in\xc2\xad"
                 "side\xef\xbb\xbf."),
           "spinner text inside .\n", "zero-width characters dropped, NBSP is a space");
    is_str(lines("a\tb\x0b"
                 "c\x0c"
                 "d\re\r\nf\xc2\x85g\xe2\x80\xa8h\xe2\x80\xa9i"),
           "a b\nc\nd\ne\nf\ng\nh\ni\n", "line breaks: LF CR CRLF VT FF NEL LS PS");
    is_str(lines("<s> </s> <unk> <UNK>"), "< s > < / s > < unk > < unk >\n",
           "LM markers in the text never become markers");
    is_str(lines("1st 2nd mp3 COVID-19"), "0st 0nd mp0 covid - 00\n", "digits inside words");
    is_str(kinds("Hello, 3.5 world http://x.org a@b.cd \xe2\x82\xac"), "wpnwues",
           "kinds: word punct number word url email symbol");
    is_str(kinds("\xe3\x82\xab\xe3\x82\xbf\xe3\x82\xab\xe3\x83\x8a \xe6\xbc\xa2\xe5\xad\x97"), "ii",
           "kinds: ICU 72's Japanese dictionary reports katakana words as ideographic");
}

static void web(void) {
    is_str(seg_kinds(
               "My Favourite Recipes\nThis is prose. So is this!\n20 views0 comments\n"
               "Home | About | Contact\nread more\nVisit https://example.com\n"
               "An essay without a final period but long enough to be neither a title nor a menu "
               "line in any sense at all"),
           "HPPBBBBB", "heading, prose, prose, boilerplate x5");
    is_str(
        seg_kinds("This first sentence is long enough to matter for the rule. The second sentence "
                  "adds a few more words to the same line. The third one keeps going to push the "
                  "line past the limit. And the last fragment has no period"),
        "PPPH", "a long line without final period: prose sentences, then its fragment");
    is_str(seg_kinds("Chapter 1. The Beginning"), "H", "a short one stays one segment");
    is_str(lines("Title Here\nNext line."), "title here\nnext line .\n",
           "a line without terminal punctuation is its own segment");
    is_str(seg_kinds("\xe2\x80\x9cQuoted.\xe2\x80\x9d\nWow! \xf0\x9f\x98\x80\n(See above.)"),
           "PPPP", "closing quotes, emoji and brackets after terminal punctuation");
    /* the cap */
    char *buf = malloc(20000);
    size_t o = 0;
    for (int i = 0; i < 600; ++i)
        o += (size_t)sprintf(buf + o, "word%s", i % 100 == 99 ? ", " : " ");
    buf[o++] = '.';
    buf[o] = '\0';
    tok_doc d;
    spin_status rc = tokenize_doc(T, buf, o, &d, NULL);
    is_int(rc, SPIN_OK, "600-word sentence tokenizes");
    size_t maxc = 0, flagged = 0, total = 0;
    for (size_t i = 0; i < d.nsentences; ++i) {
        if (d.sentences[i].count > maxc)
            maxc = d.sentences[i].count;
        flagged += (d.sentences[i].flags & TOK_S_SPLIT) != 0;
        total += d.sentences[i].count;
    }
    ok(maxc <= TOK_MAX_SENTENCE_TOKENS && d.nsentences >= 3,
       "cut at the cap: %zu pieces, largest %zu", d.nsentences, maxc);
    is_int(flagged, d.nsentences, "every piece flagged split");
    is_int(total, 600 + 6 + 1, "no token lost");
    ok(d.nsentences && d.tokens[d.sentences[0].first + d.sentences[0].count - 1].len == 1 &&
           d.text[d.tokens[d.sentences[0].first + d.sentences[0].count - 1].text] == ',',
       "first piece ends after a comma");
    is_int(d.stats.split, d.nsentences, "stats count split pieces");
    tokenize_doc_free(&d);
    is_str(seg_kinds("Short one. Another short one."), "PP", "ordinary sentences are not flagged");
    free(buf);
}

static void scripts(void) {
    is_str(
        lines("\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xaf\xe6\x97\xa5\xe6\x9c\xac\xe3\x81\xae\xe9\xa6\x96"
              "\xe9\x83\xbd\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf"
              "\xe6\x99\xb4\xe3\x82\x8c\xe3\x80\x82"),
        "\xe6\x9d\xb1\xe4\xba\xac \xe3\x81\xaf \xe6\x97\xa5\xe6\x9c\xac \xe3\x81\xae "
        "\xe9\xa6\x96\xe9\x83\xbd \xe3\x81\xa7\xe3\x81\x99 \xe3\x80\x82\n\xe4\xbb\x8a\xe6\x97\xa5 "
        "\xe3\x81\xaf \xe6\x99\xb4\xe3\x82\x8c \xe3\x80\x82\n",
        "Japanese without spaces: dictionary words and sentences");
    is_str(
        lines(
            "\xe6\x88\x91\xe5\x96\x9c\xe6\xac\xa2\xe5\x90\x83\xe8\x8b\xb9\xe6\x9e\x9c\xe3\x80\x82"),
        "\xe6\x88\x91 \xe5\x96\x9c\xe6\xac\xa2 \xe5\x90\x83 \xe8\x8b\xb9\xe6\x9e\x9c "
        "\xe3\x80\x82\n",
        "Chinese without spaces");
    const char *thai = "\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2\xe0\xb9\x84\xe0\xb8\x97"
                       "\xe0\xb8\xa2\xe0\xb8\xad\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\x99\xe0\xb8\x87"
                       "\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\xa2";
    is_str(lines(thai),
           "\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2 \xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2 "
           "\xe0\xb8\xad\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\x99 "
           "\xe0\xb8\x87\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\xa2\n",
           "Thai: ICU's dictionary breaks words");
    is_str(kinds(thai), "wwww", "Thai words are letters");
    is_str(lines("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 "
                 "\xd8\xa8\xd8\xa7\xd9\x84\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85 \xd9\xa3\xd9\xa5. "
                 "\xd9\x83\xd9\x8a\xd9\x81 \xd8\xad\xd8\xa7\xd9\x84\xd9\x83\xd8\x9f"),
           "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 "
           "\xd8\xa8\xd8\xa7\xd9\x84\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85 00 "
           ".\n\xd9\x83\xd9\x8a\xd9\x81 \xd8\xad\xd8\xa7\xd9\x84\xd9\x83 \xd8\x9f\n",
           "Arabic: words, the Arabic question mark ends a sentence, Arabic-Indic digits become 0");
    /* woman ZWJ woman ZWJ girl, then a heart with VS16 */
    const char *emoji =
        "Family \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 and "
        "\xe2\x9d\xa4\xef\xb8\x8f!";
    is_str(lines(emoji),
           "family \xf0\x9f\x91\xa9\xf0\x9f\x91\xa9\xf0\x9f\x91\xa7 and \xe2\x9d\xa4 !\n",
           "an emoji ZWJ sequence is one token (ZWJ and VS16 folded away)");
    token_slice_is(emoji, "\xf0\x9f\x91\xa9\xf0\x9f\x91\xa9\xf0\x9f\x91\xa7",
                   "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7");
    is_str(lines("Cafe\xcc\x81 na\xc3\xafve"), "caf\xc3\xa9 na\xc3\xafve\n",
           "combining marks stay in the word and compose (NFKC)");
    token_slice_is("Cafe\xcc\x81 ok", "caf\xc3\xa9", "Cafe\xcc\x81");
    token_slice_is("We don\xe2\x80\x99t.", "don't", "don\xe2\x80\x99t");
    token_slice_is("At 10:30 sharp.", "00:00", "10:30");
    token_slice_is("So\xe2\x80\xa6 fine.", "...", "\xe2\x80\xa6");
    token_slice_is("Go to https://example.com/x. Now.", "<url>", "https://example.com/x");
    token_slice_is("\xc3\xa9t\xc3\xa9 \xf0\x9d\x90\x80"
                   "bc",
                   "abc",
                   "\xf0\x9d\x90\x80"
                   "bc");
}

static void bad_input(void) {
    tok_stats st;
    char *out;
    size_t n;
    spin_diag d;
    /* invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate */
    const char *bad = "ok \x80 caf\xc3 x \xc0\xaf y \xed\xa0\x80 z";
    spin_status rc = tokenize_lines_buf(T, bad, strlen(bad), &out, &n, &st, &d);
    is_int(rc, SPIN_OK, "invalid UTF-8 is still text");
    is_int(st.invalid, 1 + 1 + 2 + 3, "ill-formed subparts counted (Unicode's maximal subparts)");
    is_str(out,
           "ok \xef\xbf\xbd caf \xef\xbf\xbd x \xef\xbf\xbd \xef\xbf\xbd y "
           "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd z\n",
           "replaced with U+FFFD (each one a token)");
    mem_free(out);
    check_offsets("invalid UTF-8", bad, strlen(bad));
    static const char nul[] = "one\0two\x01three\x7f"
                              "four.";
    rc = tokenize_lines_buf(T, nul, sizeof nul - 1, &out, &n, &st, &d);
    is_int(rc, SPIN_OK, "NUL bytes in text");
    is_str(out, "one two three four .\n", "NUL and controls read as spaces");
    ok(st.nul == 1 && st.controls == 2, "NUL and controls counted");
    mem_free(out);
    /* empty and blank */
    tok_doc doc;
    rc = tokenize_doc(T, "", 0, &doc, NULL);
    ok(rc == SPIN_OK && doc.nsentences == 0 && doc.ntokens == 0, "empty input: no sentences");
    tokenize_doc_free(&doc);
    rc = tokenize_doc(T, NULL, 0, &doc, NULL);
    ok(rc == SPIN_OK && doc.nsentences == 0, "NULL, 0 is empty input");
    tokenize_doc_free(&doc);
    is_str(lines(" \n\t\r\n\xe2\x80\x8b\xc2\xa0\n\xe2\x80\xa2\n"), "",
           "blank lines, invisibles and lone bullets: nothing");
    /* binary */
    static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03text";
    memset(&d, 0, sizeof d);
    rc = tokenize_doc(T, gz, sizeof gz - 1, &doc, &d);
    ok(rc == SPIN_EFORMAT && strstr(d.message, "not text") && strstr(d.message, "gzip"),
       "gzip data is not text: %s", d.message);
    unsigned char rnd[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof rnd; ++i) {
        x = x * 1664525u + 1013904223u;
        rnd[i] = (unsigned char)(x >> 24);
    }
    rnd[0] = 'A';
    rnd[1] = 'B';
    memset(&d, 0, sizeof d);
    rc = tokenize_doc(T, (const char *)rnd, sizeof rnd, &doc, &d);
    ok(rc == SPIN_EFORMAT && strstr(d.message, "binary"), "random bytes are not text: %s",
       d.message);
    ok(d.byte >= 2 && d.byte < 64 && (rnd[d.byte] < 0x20 || rnd[d.byte] >= 0x80),
       "diag points at the first offending byte (%llu)", (unsigned long long)d.byte);
    ok(doc.nsentences == 0 && doc.sentences == NULL, "nothing delivered for binary input");
    static const char u16[] = "H\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0.\0 \0A\0g\0a\0i\0n\0.\0";
    rc = tokenize_check_text(u16, sizeof u16 - 1, &d);
    is_int(rc, SPIN_EFORMAT, "UTF-16 without BOM is not text");
    rc = tokenize_check_text("\xff\xfeH\0i\0", 6, &d);
    ok(rc == SPIN_EFORMAT && strstr(d.message, "UTF-16"), "UTF-16 with BOM named: %s", d.message);
    static const char latin1[] = "Caf\xe9 cr\xe8me br\xfbl\xe9"
                                 "e is a dessert that many people enjoy after dinner.";
    is_int(tokenize_check_text(latin1, sizeof latin1 - 1, &d), SPIN_OK,
           "Latin-1 text is text (its bytes become U+FFFD)");
}

/* Counts what the stream delivers, for the big inputs. */
typedef struct counter {
    size_t sentences, tokens, max_count, split;
    size_t last_end;
    int order_ok;
} counter;

static spin_status count_fn(void *ctx, const tok_sentence *s, const tok_token *toks,
                            const char *text) {
    counter *c = ctx;
    (void)text;
    c->sentences++;
    c->tokens += s->count;
    if (s->count > c->max_count)
        c->max_count = s->count;
    c->split += (s->flags & TOK_S_SPLIT) != 0;
    if (s->start < c->last_end || toks[0].start != s->start)
        c->order_ok = 0;
    for (size_t i = 0; i < s->count; ++i) {
        if (toks[i].start >= toks[i].end || (i && toks[i].start < toks[i - 1].end))
            c->order_ok = 0;
    }
    c->last_end = s->end;
    return SPIN_OK;
}

static void big(void) {
    const size_t size = 50u << 20;
    char *buf = malloc(size);
    if (!buf) {
        tap_skip(8, "no memory for 50 MB");
        return;
    }
    /* one line of prose: sentences without newlines */
    static const char *const parts[] = {
        "The quick brown fox jumps over the lazy dog. ",
        "Dr. Moore paid 1,000 dollars at 10:30, e.g. ",
        "see https://example.com/a or mail a.b@example.org, then ",
        "don\xe2\x80\x99t stop \xe2\x80\x94 it\xe2\x80\x99s fine! "};
    size_t o = 0, k = 0, sentences_expected = 0;
    int open = 0;
    while (o < size) {
        size_t which = k++ % 4, n = strlen(parts[which]);
        if (o + n > size)
            break;
        memcpy(buf + o, parts[which], n);
        o += n;
        open = which == 1 || which == 2; /* parts 0 and 3 end sentences */
        sentences_expected += !open;
    }
    sentences_expected += open;
    memset(buf + o, ' ', size - o);
    counter c = {0, 0, 0, 0, 0, 1};
    tok_stats st;
    clock_t t0 = clock();
    spin_status rc = tokenize_stream(T, buf, size, count_fn, &c, &st, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    is_int(rc, SPIN_OK, "50 MB single line of prose tokenizes");
    ok(c.order_ok && c.last_end <= size, "50 MB line: offsets ordered and in range");
    is_int(c.sentences, sentences_expected, "50 MB line: sentence count survives chunking");
    ok(tokenize_scratch_bytes(T) < (8u << 20), "50 MB line: scratch stays bounded (%zu bytes)",
       tokenize_scratch_bytes(T));
    tap_diag("50 MB prose line: %.2f s CPU, %.1f MB/s, %zu tokens", secs, size / 1e6 / secs,
             c.tokens);

    /* one 50 MB "word": cut inside the word, flagged, bounded */
    memset(buf, 'a', size);
    c = (counter){0, 0, 0, 0, 0, 1};
    t0 = clock();
    rc = tokenize_stream(T, buf, size, count_fn, &c, &st, NULL);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    is_int(rc, SPIN_OK, "50 MB without a space tokenizes");
    ok(c.order_ok && c.last_end == size && c.split >= 1,
       "50 MB word: cut into flagged pieces (%zu tokens, %zu pieces)", c.tokens, c.sentences);
    ok(tokenize_scratch_bytes(T) < (8u << 20), "50 MB word: scratch stays bounded (%zu bytes)",
       tokenize_scratch_bytes(T));
    ok(c.tokens <= size / (TOK_CHUNK_UNITS / 2) + 1,
       "50 MB word: pieces are at least half a chunk");
    tap_diag("50 MB word: %.2f s CPU", secs);
    free(buf);
}

static spin_status lines_cb(void *ctx, const char *data, size_t len) {
    char **p = ctx;
    memcpy(*p, data, len);
    *p += len;
    return SPIN_OK;
}

static spin_status stop_cb(void *ctx, const tok_sentence *s, const tok_token *t, const char *x) {
    (void)s, (void)t, (void)x;
    return ++*(int *)ctx == 2 ? SPIN_EIO : SPIN_OK;
}

static void api(void) {
    const char *s =
        "First sentence here. Second one, with 3 numbers!\nA Heading\nhttps://x.org is a link.";
    char *buf;
    size_t n;
    tok_doc d;
    is_int(tokenize_lines_buf(T, s, strlen(s), &buf, &n, NULL, NULL), SPIN_OK, "lines_buf");
    is_int(tokenize_doc(T, s, strlen(s), &d, NULL), SPIN_OK, "doc");
    /* the line stream is the doc's tokens joined */
    char joined[1024];
    size_t o = 0;
    for (size_t i = 0; i < d.nsentences; ++i)
        for (size_t j = 0; j < d.sentences[i].count; ++j) {
            const tok_token *t = &d.tokens[d.sentences[i].first + j];
            memcpy(joined + o, d.text + t->text, t->len);
            o += t->len;
            joined[o++] = j + 1 < d.sentences[i].count ? ' ' : '\n';
        }
    joined[o] = '\0';
    is_str(buf, joined, "line stream equals the document's tokens");
    is_int(n, strlen(buf), "length reported");
    char out[1024], *p = out;
    is_int(tokenize_lines(T, s, strlen(s), lines_cb, &p, NULL, NULL), SPIN_OK,
           "lines via callback");
    *p = '\0';
    is_str(out, buf, "callback stream equals buffer stream");
    int calls = 0;
    is_int(tokenize_stream(T, s, strlen(s), stop_cb, &calls, NULL, NULL), SPIN_EIO,
           "a callback's status stops tokenizing and is returned");
    is_int(calls, 2, "no call after the stop");
    is_str(tokenize_kind_name(TOK_EMAIL), "email", "kind names");
    is_str(tokenize_seg_kind_name(TOK_BOILERPLATE), "boilerplate", "segment kind names");
    mem_free(buf);
    tokenize_doc_free(&d);
    tokenize_doc_free(NULL);
    tokenize_free(NULL);
}

static void out_of_memory(void) {
    const char *s =
        "Dr. Who said: \xe2\x80\x9cIt\xe2\x80\x99s 10:30!\xe2\x80\x9d Mail a@b.org now.\n"
        "Heading\n\xef\xbc\xa6ull width text here.";
    char *want = NULL, *got;
    size_t n;
    tokenizer *t;
    tokenize_new(&t, NULL);
    tokenize_lines_buf(t, s, strlen(s), &want, &n, NULL, NULL);
    tokenize_free(t);
    int failures = 0, wrong = 0, tried = 0;
    for (unsigned long k = 1; k < 200; ++k) {
        ++tried;
        mem_fail_at(k);
        spin_status rc = tokenize_new(&t, NULL);
        if (rc == SPIN_OK) {
            rc = tokenize_lines_buf(t, s, strlen(s), &got, &n, NULL, NULL);
            if (rc == SPIN_OK) {
                wrong += strcmp(got, want) != 0;
                mem_free(got);
            }
            tokenize_doc_free(NULL);
            tok_doc d;
            if (rc == SPIN_OK) {
                rc = tokenize_doc(t, s, strlen(s), &d, NULL);
                if (rc == SPIN_OK)
                    tokenize_doc_free(&d);
                else
                    ok(d.sentences == NULL && d.ntokens == 0, "failed doc is empty");
            }
            tokenize_free(t);
        } else
            ok(t == NULL, "failed new leaves NULL");
        unsigned long used = mem_fail_at(0);
        if (rc == SPIN_OK && used < k)
            break; /* no allocation failed: every path has been tried */
        failures += rc != SPIN_OK && rc != SPIN_ENOMEM;
    }
    ok(tried > 8 && tried < 199, "allocation failures injected at %d points, then a clean run",
       tried - 1);
    is_int(failures, 0, "every injected allocation failure gives SPIN_ENOMEM (leaks: ASan)");
    is_int(wrong, 0, "no failure changes the output");
    mem_free(want);
}

/* Tokenizes 's' with and without the ASCII fast path; returns the number of
 * differences in sentences and tokens (offsets, kinds, flags, texts). */
static size_t fast_vs_icu(const char *s, size_t len, size_t *ntokens) {
    tok_doc a, b;
    size_t diffs = 0;
    tokenize_set_fast_path(T, true);
    spin_status ra = tokenize_doc(T, s, len, &a, NULL);
    tokenize_set_fast_path(T, false);
    spin_status rb = tokenize_doc(T, s, len, &b, NULL);
    tokenize_set_fast_path(T, true);
    if (ra != SPIN_OK || rb != SPIN_OK || a.nsentences != b.nsentences || a.ntokens != b.ntokens) {
        tap_diag("fast path: %zu sentences %zu tokens, ICU: %zu sentences %zu tokens", a.nsentences,
                 a.ntokens, b.nsentences, b.ntokens);
        diffs = 1;
    } else {
        for (size_t i = 0; i < a.nsentences; ++i) {
            const tok_sentence *x = &a.sentences[i], *y = &b.sentences[i];
            diffs += x->start != y->start || x->end != y->end || x->count != y->count ||
                     x->kind != y->kind || x->flags != y->flags;
        }
        for (size_t i = 0; i < a.ntokens; ++i) {
            const tok_token *x = &a.tokens[i], *y = &b.tokens[i];
            int d = x->start != y->start || x->end != y->end || x->kind != y->kind ||
                    x->flags != y->flags || x->len != y->len ||
                    memcmp(a.text + x->text, b.text + y->text, x->len);
            if (d && diffs < 5)
                tap_diag("token %zu at byte %zu: fast \"%.*s\" ICU \"%.*s\"", i, x->start,
                         (int)x->len, a.text + x->text, (int)y->len, b.text + y->text);
            diffs += d;
        }
    }
    *ntokens = a.ntokens;
    tokenize_doc_free(&a);
    tokenize_doc_free(&b);
    return diffs;
}

static void fast_path(void) {
    /* random runs over all of printable ASCII, weighted towards the classes
     * the fast path treats specially */
    static const char weighted[] = "aaaaeeeoonnsstTQZ00012789''..,,;;::__@@--  ";
    size_t len = 400000, n;
    char *buf = malloc(len + 1);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = x % 3 ? weighted[(x >> 8) % (sizeof weighted - 1)] : (char)(0x20 + (x >> 8) % 95);
        if ((x >> 20) % 97 == 0)
            buf[i] = (x >> 28) % 2 ? '\n' : '!';
    }
    size_t diffs = fast_vs_icu(buf, len, &n);
    is_int(diffs, 0, "fast path = ICU on 400 KB of random printable ASCII (%zu tokens)", n);
    free(buf);
    const char *path = getenv("SPINSCAN_CORPUS");
    FILE *f = fopen(path && *path ? path : "models/corpus/train/brown.txt", "rb");
    if (!f) {
        tap_skip(1, "no corpus for the fast path comparison (models/corpus or $SPINSCAN_CORPUS)");
        return;
    }
    buf = malloc(8u << 20);
    len = fread(buf, 1, 8u << 20, f);
    fclose(f);
    diffs = fast_vs_icu(buf, len, &n);
    is_int(diffs, 0, "fast path = ICU on %zu bytes of real English (%zu tokens)", len, n);
    free(buf);
}

int main(void) {
    spin_diag d;
    if (tokenize_new(&T, &d) != SPIN_OK) {
        printf("# %s\n", d.message);
        return tap_skip_all("ICU data unavailable");
    }
    english();
    web();
    scripts();
    bad_input();
    api();
    out_of_memory();
    fast_path();

    static const char *const samples[] = {
        "Dr. Patricia Moore met J. R. R. Tolkien, e.g. this is fine. Wait... It cost $1,000 or "
        "3.5% at 10:30!\nHome | About | Contact\n20 views0 comments\n\xe2\x80\xa2 My Favourite "
        "Recipes\n",
        "Mail me at john.doe@example.co.uk or see https://example.com/a_(b)?x=1. \xe2\x80\x9c"
        "Don\xe2\x80\x99t\xe2\x80\x9d \xe2\x80\x94 she said; the students\xe2\x80\x99 books.",
        "\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xaf\xe6\x97\xa5\xe6\x9c\xac\xe3\x81\xae\xe9\xa6\x96\xe9"
        "\x83\xbd\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82 "
        "\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2 "
        "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7.",
        "Family \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 "
        "e\xcc\x81t\xc3\xa9 spin\xe2\x80\x8bner a\xc2\xa0"
        "b \xef\xbc\x91\xef\xbc\x92",
        "  - item one\r\n  * item two\r\n\xe2\x80\xa2 three\x0b"
        "four\xc2\x85"
        "five \x80\xff six\x00seven",
        "The end... Really?! (Yes.) \"Quoted.\" Next \xe2\x80\x94 and -- more -5.",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; ++i) {
        char name[32];
        snprintf(name, sizeof name, "offsets sample %zu", i + 1);
        check_offsets(name, samples[i], i == 4 ? strlen(samples[i]) + 6 : strlen(samples[i]));
    }
    big();
    lines(NULL);
    tokenize_free(T);
    return tap_done();
}
